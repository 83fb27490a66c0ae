import { useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { getDeepDependencies, getOperations } from '../api/client';
import { useServices } from '../api/useServices';
import { ArchitectureTabs } from '../components/ArchitectureTabs';
import { ErrorNotice, Loading, ServiceDot } from '../components/common';
import { PathsGraph } from '../components/PathsGraph';
import { ServiceSelect } from '../components/ServiceSelect';
import { useTitle } from '../components/useTitle';
import {
  EXEMPLAR_CAP,
  buildDeepGraph,
  distanceLabel,
  parseDeepDependencies,
  countWord,
  tracesText,
  type CallPath,
  type Focus,
  type GraphNode,
} from '../model/deepDependencies';
import {
  DEEP_LIMITS,
  DEEP_WINDOWS,
  deepDependenciesUrl,
  deepQuery,
  deepSearchParams,
  parseDeepParams,
  type DeepParams,
} from '../model/deepUrl';
import { formatTime } from '../model/format';
import { useSettings } from '../settings';

const SERVICE_KEY = 'spoor.paths.service';
const OTHER_SERVICE_KEYS = ['spoor.lastService', 'spoor.monitor.service'];

/** The service to show when the URL names none: the one shown last, else one searched or monitored last, else the first. */
function rememberedService(services: string[]): string {
  for (const key of [SERVICE_KEY, ...OTHER_SERVICE_KEYS]) {
    const saved = localStorage.getItem(key);
    if (saved && services.includes(saved)) return saved;
  }
  return services[0] ?? '';
}

type Result = { key: string; endMs: number; focus: Focus; paths: CallPath[] } | { key: string; error: unknown };

interface DetailProps {
  node: GraphNode;
  focus: Focus;
  state: DeepParams;
  onClose: () => void;
}

/** The selected node: what it is, the exemplar traces of the paths through it, and re-centring on it. */
function NodeDetail({ node, focus, state, onClose }: DetailProps) {
  const navigate = useNavigate();
  const operation = state.showOperations ? (node.operation ?? '') : '';
  const isFocus = node.service === focus.service && operation === focus.operation;
  return (
    <aside className="paths-detail" aria-label="Selected node">
      <div className="paths-detail-head">
        <h2>
          <ServiceDot service={node.service} /> {node.service}
        </h2>
        <button type="button" className="link" onClick={onClose} aria-label="Close">
          ×
        </button>
      </div>
      {node.operation !== null ? (
        <div className="mono paths-detail-op">{node.operation}</div>
      ) : (
        <div className="muted">{node.operations.join(', ')}</div>
      )}
      <p data-testid="node-facts">
        {distanceLabel(node.distance)} · {countWord(node.paths.length, 'path')} · {tracesText(node)}
      </p>
      {!isFocus && (
        <button
          type="button"
          className="primary"
          onClick={() => navigate(deepDependenciesUrl({ ...state, service: node.service, operation }))}
        >
          Focus here
        </button>
      )}
      <h3>Exemplar traces</h3>
      <ul className="paths-traces" aria-label="Exemplar traces">
        {node.traceIDs.map((id) => (
          <li key={id}>
            <Link className="mono" to={`/trace/${encodeURIComponent(id)}`}>
              {id}
            </Link>
          </li>
        ))}
      </ul>
      {node.tracesCapped && <p className="muted">At most {EXEMPLAR_CAP} traces are kept per path: there were more.</p>}
    </aside>
  );
}

/** The paths of calls through a service (and operation), merged into a layered graph around it. */
export function DeepDependenciesPage() {
  const { utc } = useSettings();
  const [params, setParams] = useSearchParams();
  const { services, error: servicesError } = useServices();
  const [operations, setOperations] = useState<{ service: string; names: string[] } | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const [reload, setReload] = useState(0);
  const [selected, setSelected] = useState<string | null>(null);
  const [fetching, setFetching] = useState(false);

  const parsed = parseDeepParams(params);
  const service = parsed.service || (services ? rememberedService(services) : '');
  const state: DeepParams = { ...parsed, service };
  const { operation, lookback, limit, showOperations } = state;
  const key = JSON.stringify([service, operation, lookback, limit]);
  useTitle(service ? `Paths through ${service}` : 'Paths through a service');

  useEffect(() => {
    if (!service) return;
    localStorage.setItem(SERVICE_KEY, service);
    let cancelled = false;
    getOperations(service)
      .then((ops) => !cancelled && setOperations({ service, names: [...new Set(ops.map((o) => o.name))].sort() }))
      .catch(() => !cancelled && setOperations({ service, names: [] }));
    return () => {
      cancelled = true;
    };
  }, [service]);

  useEffect(() => {
    if (!service) return;
    let cancelled = false;
    const endMs = Date.now();
    const query = deepQuery({ service, operation, lookback, limit, showOperations: true }, endMs);
    setSelected(null);
    setFetching(true);
    getDeepDependencies(query)
      .then((body) => !cancelled && setResult({ key, endMs, focus: { service, operation }, paths: parseDeepDependencies(body) }))
      .catch((error: unknown) => !cancelled && setResult({ key, error }))
      .finally(() => !cancelled && setFetching(false));
    return () => {
      cancelled = true;
    };
  }, [key, service, operation, lookback, limit, reload]);

  const current = result && result.key === key ? result : null;
  const done = current && 'paths' in current ? current : null;
  const graph = useMemo(() => (done ? buildDeepGraph(done.paths, done.focus, showOperations) : null), [done, showOperations]);
  const selectedNode = graph?.nodes.find((n) => n.id === selected) ?? null;
  const loading = fetching || (!!service && !current);

  const set = (changes: Partial<DeepParams>) =>
    setParams((p) => deepSearchParams({ ...parseDeepParams(p), service, ...changes }), { replace: true });
  const opNames = operations?.service === service ? operations.names : [];
  const focusName = operation ? `${service}: ${operation}` : service;

  return (
    <div className="deep-page" aria-busy={loading}>
      <h1>System architecture</h1>
      <ArchitectureTabs />
      <div className="toolbar">
        <label>
          Service
          <ServiceSelect aria-label="Service" services={services} value={service} onChange={(s) => set({ service: s, operation: '' })} />
        </label>
        <label>
          Operation
          <select aria-label="Operation" value={operation} onChange={(e) => set({ operation: e.target.value })}>
            <option value="">All operations</option>
            {operation && !opNames.includes(operation) && <option value={operation}>{operation}</option>}
            {opNames.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </label>
        <label>
          Time window
          <select aria-label="Time window" value={lookback} onChange={(e) => set({ lookback: e.target.value })}>
            {DEEP_WINDOWS.map((w) => (
              <option key={w.value} value={w.value}>
                {w.label}
              </option>
            ))}
          </select>
        </label>
        <label title="How many of the most recent traces through the service are read">
          Traces read
          <select aria-label="Traces read" value={limit} onChange={(e) => set({ limit: Number(e.target.value) })}>
            {[...new Set([...DEEP_LIMITS, limit])]
              .sort((a, b) => a - b)
              .map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
          </select>
        </label>
        <label>
          <input type="checkbox" checked={showOperations} onChange={(e) => set({ showOperations: e.target.checked })} /> Show operations
        </label>
        <button type="button" onClick={() => setReload((n) => n + 1)} disabled={!service || !current}>
          Refresh
        </button>
        {done && graph && (
          <span className="muted" data-testid="deep-summary">
            {countWord(graph.pathCount, 'path')} · {countWord(graph.traceCount, 'trace')} · until {formatTime(done.endMs * 1000, utc)}
          </span>
        )}
      </div>
      {servicesError !== null && <ErrorNotice error={servicesError} />}
      {services && !services.length && <div className="notice">No services yet: send some traces first.</div>}
      {current && 'error' in current && <ErrorNotice error={current.error} />}
      {service && !current && <Loading what="paths" />}
      {graph && !graph.nodes.length && <div className="notice">No traces through {focusName} in this window.</div>}
      {graph && graph.nodes.length > 0 && (
        <>
          <p className="muted">
            Calls from root spans to leaf spans through {focusName}: callers on the left, callees on the right. Numbers and widths count the
            traces through each call. Click a node for its traces.
          </p>
          <div className="paths-layout">
            <PathsGraph graph={graph} ariaLabel={`Paths through ${focusName}`} selected={selectedNode?.id ?? null} onSelect={setSelected} />
            {selectedNode && done && <NodeDetail node={selectedNode} focus={done.focus} state={state} onClose={() => setSelected(null)} />}
          </div>
        </>
      )}
    </div>
  );
}
