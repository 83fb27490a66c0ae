import { useEffect, useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { getDependencies } from '../api/client';
import type { DependencyLink } from '../api/types';
import { ArchitectureTabs } from '../components/ArchitectureTabs';
import { ErrorNotice, Loading, ServiceDot } from '../components/common';
import { DagView } from '../components/DagView';
import { serviceColor } from '../model/colors';
import { fromDateTimeInput, toDateTimeInput } from '../model/format';
import { useSettings } from '../settings';
import { useTitle } from '../components/useTitle';

const RANGES: Array<[string, number]> = [
  ['Last hour', 3600e3],
  ['Last 2 hours', 2 * 3600e3],
  ['Last 6 hours', 6 * 3600e3],
  ['Last 12 hours', 12 * 3600e3],
  ['Last 24 hours', 24 * 3600e3],
  ['Last 2 days', 2 * 86400e3],
  ['Last 7 days', 7 * 86400e3],
];

type State = { state: 'loading' } | { state: 'error'; error: unknown } | { state: 'done'; links: DependencyLink[] };

/** The service dependency graph (System architecture). */
export function DependenciesPage() {
  const { utc } = useSettings();
  const navigate = useNavigate();
  const [lookbackMs, setLookbackMs] = useState(24 * 3600e3);
  const [endMs, setEndMs] = useState<number | null>(null); // null = now
  const [state, setState] = useState<State>({ state: 'loading' });
  const [view, setView] = useState<'graph' | 'table'>('graph');
  useTitle('System architecture');

  useEffect(() => {
    let cancelled = false;
    setState({ state: 'loading' });
    getDependencies(endMs ?? Date.now(), lookbackMs)
      .then((links) => !cancelled && setState({ state: 'done', links }))
      .catch((error: unknown) => !cancelled && setState({ state: 'error', error }));
    return () => {
      cancelled = true;
    };
  }, [lookbackMs, endMs]);

  const graph = useMemo(() => {
    if (state.state !== 'done') return null;
    const services = new Set<string>();
    for (const l of state.links) {
      services.add(l.parent);
      services.add(l.child);
    }
    return {
      nodes: [...services].sort().map((s) => ({ id: s, label: s, color: serviceColor(s) })),
      edges: state.links.map((l) => ({ from: l.parent, to: l.child, label: String(l.callCount) })),
    };
  }, [state]);

  return (
    <div className="dependencies-page">
      <h1>System architecture</h1>
      <ArchitectureTabs />
      <div className="toolbar">
        <label>
          Time range
          <select value={lookbackMs} onChange={(e) => setLookbackMs(Number(e.target.value))} aria-label="Lookback">
            {RANGES.map(([label, ms]) => (
              <option key={ms} value={ms}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          ending
          <input
            type="datetime-local"
            aria-label="End time"
            value={endMs ? toDateTimeInput(endMs * 1000, utc) : ''}
            onChange={(e) => {
              const us = fromDateTimeInput(e.target.value, utc);
              setEndMs(us === null ? null : us / 1000);
            }}
          />
        </label>
        {endMs !== null && (
          <button type="button" onClick={() => setEndMs(null)}>
            Now
          </button>
        )}
        <div className="tabs">
          <button type="button" className={view === 'graph' ? 'active' : ''} onClick={() => setView('graph')}>
            Graph
          </button>
          <button type="button" className={view === 'table' ? 'active' : ''} onClick={() => setView('table')}>
            Table
          </button>
        </div>
      </div>
      {state.state === 'loading' && <Loading what="dependencies" />}
      {state.state === 'error' && <ErrorNotice error={state.error} />}
      {state.state === 'done' && !state.links.length && <div className="notice">No calls between services in this time range.</div>}
      {graph && graph.edges.length > 0 && view === 'graph' && <p className="muted">Click a service to search its traces.</p>}
      {graph && graph.edges.length > 0 && view === 'graph' && (
        <DagView
          nodes={graph.nodes}
          edges={graph.edges}
          ariaLabel="Service dependency graph"
          onNodeClick={(service) => navigate(`/search?service=${encodeURIComponent(service)}`)}
        />
      )}
      {state.state === 'done' && state.links.length > 0 && view === 'table' && (
        <table className="grid" aria-label="Service dependencies">
          <thead>
            <tr>
              <th>Caller</th>
              <th>Callee</th>
              <th className="num">Calls</th>
            </tr>
          </thead>
          <tbody>
            {[...state.links]
              .sort((x, y) => y.callCount - x.callCount)
              .map((l) => (
                <tr key={`${l.parent}->${l.child}`}>
                  <td>
                    <ServiceDot service={l.parent} /> {l.parent}
                  </td>
                  <td>
                    <ServiceDot service={l.child} /> {l.child}
                  </td>
                  <td className="num">{l.callCount}</td>
                </tr>
              ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
