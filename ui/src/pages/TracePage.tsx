import { lazy, Suspense, useDeferredValue, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Trace } from '../api/types';
import { useSearchParams } from 'react-router';
import { ArchiveButton } from '../components/ArchiveButton';
import { ErrorNotice, Loading, ServiceBadge } from '../components/common';
import { FlameGraph } from '../components/FlameGraph';
import { JsonView } from '../components/JsonView';
import { SpanTable } from '../components/SpanTable';
import { StatsView } from '../components/StatsView';
import { Timeline } from '../components/Timeline';
import { criticalPath } from '../model/criticalPath';
import { findSpans } from '../model/find';
import { formatDuration, formatTime } from '../model/format';
import { reserveColors } from '../model/colors';
import { buildTraceModel, type TraceModel } from '../model/trace';
import { useSettings } from '../settings';
import { useTrace } from './useTrace';
import { useTitle } from '../components/useTitle';

// The graph view needs the layout library; load it when first shown.
const TraceGraph = lazy(() => import('../components/TraceGraph').then((m) => ({ default: m.TraceGraph })));

const VIEWS = [
  ['timeline', 'Timeline'],
  ['graph', 'Graph'],
  ['stats', 'Statistics'],
  ['flame', 'Flame graph'],
  ['table', 'Spans table'],
  ['json', 'JSON'],
] as const;
type View = (typeof VIEWS)[number][0];

export function TracePage({ traceID }: { traceID: string }) {
  const state = useTrace(traceID);
  if (state.state === 'loading') return <Loading what={`trace ${traceID}`} />;
  if (state.state === 'error') return <ErrorNotice error={state.error} />;
  return <LoadedTrace trace={state.trace} stored={!state.uploaded} />;
}

/** `stored`: the trace was read from the server (an opened file's trace cannot be archived). */
function LoadedTrace({ trace, stored }: { trace: Trace; stored: boolean }) {
  const model = useMemo(() => {
    const m = buildTraceModel(trace);
    reserveColors(m.services.map((s) => s.name));
    return m;
  }, [trace]);
  return <TraceView model={model} actions={stored ? <ArchiveButton traceID={model.traceID} /> : null} />;
}

/** `actions`: controls shown beside the title (the Archive button). */
export function TraceHeader({ model, actions }: { model: TraceModel; actions?: ReactNode }) {
  const { utc } = useSettings();
  return (
    <div className="trace-header">
      <div className="trace-title">
        <h1>
          <span className="root-service">{model.rootService}</span>: <span className="root-operation">{model.rootOperation}</span>
          <span className="trace-id">{model.traceID}</span>
        </h1>
        {actions && <div className="trace-actions">{actions}</div>}
      </div>
      <dl className="trace-facts">
        <div>
          <dt>Start</dt>
          <dd>{formatTime(model.startTime, utc)}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{formatDuration(model.duration)}</dd>
        </div>
        <div>
          <dt>Services</dt>
          <dd>{model.services.length}</dd>
        </div>
        <div>
          <dt>Depth</dt>
          <dd>{model.depth}</dd>
        </div>
        <div>
          <dt>Total spans</dt>
          <dd data-testid="span-count">{model.nodes.length}</dd>
        </div>
        {model.errorCount > 0 && (
          <div>
            <dt>Errors</dt>
            <dd className="errors">{model.errorCount}</dd>
          </div>
        )}
      </dl>
      <div className="services">
        {model.services.map((s) => (
          <ServiceBadge key={s.name} service={s.name} count={s.spans} errors={s.errors} />
        ))}
      </div>
      {(model.trace.warnings ?? []).map((w, i) => (
        <div key={i} className="notice warn">
          {w}
        </div>
      ))}
    </div>
  );
}

function TraceView({ model, actions }: { model: TraceModel; actions: ReactNode }) {
  const [params, setParams] = useSearchParams();
  const [view, setView] = useState<View>('timeline');
  const uiFind = params.get('uiFind') ?? '';
  const [find, setFind] = useState(uiFind);
  const [showCritical, setShowCritical] = useState(true);
  useTitle(`${model.rootService}: ${model.rootOperation} (${model.traceID.slice(0, 7)})`);
  // Typing stays responsive on large traces: matching runs on the deferred text.
  const deferredFind = useDeferredValue(find);
  const matches = useMemo(() => findSpans(model, deferredFind), [model, deferredFind]);
  // A link that changes uiFind (e.g. from the span table) finds and shows that span.
  useEffect(() => {
    setFind(uiFind);
    if (uiFind && model.byID.has(uiFind)) setView('timeline');
  }, [uiFind, model]);
  const critical = useMemo(() => criticalPath(model), [model]);

  const onFind = (text: string) => {
    setFind(text);
    const next = new URLSearchParams(params);
    if (text) next.set('uiFind', text);
    else next.delete('uiFind');
    setParams(next, { replace: true });
  };

  return (
    <div className="trace-page">
      <TraceHeader model={model} actions={actions} />
      <div className="trace-toolbar">
        <div className="tabs" role="tablist">
          {VIEWS.map(([k, label]) => (
            <button key={k} role="tab" aria-selected={view === k} className={view === k ? 'active' : ''} onClick={() => setView(k)}>
              {label}
            </button>
          ))}
        </div>
        <label className="find">
          <input type="search" aria-label="Find in trace" placeholder="Find…" value={find} onChange={(e) => onFind(e.target.value)} />
          {find && (
            <span data-testid="find-count">
              {matches.size} match{matches.size === 1 ? '' : 'es'}
            </span>
          )}
        </label>
        {view === 'timeline' && (
          <label>
            <input type="checkbox" checked={showCritical} onChange={(e) => setShowCritical(e.target.checked)} /> Critical path
          </label>
        )}
      </div>
      {view === 'timeline' && (
        <Timeline
          model={model}
          matches={matches}
          focusSpanID={uiFind && model.byID.has(uiFind) ? uiFind : null}
          critical={showCritical ? critical : null}
        />
      )}
      {view === 'graph' && (
        <Suspense fallback={<Loading what="graph" />}>
          <TraceGraph model={model} />
        </Suspense>
      )}
      {view === 'stats' && <StatsView model={model} />}
      {view === 'flame' && <FlameGraph model={model} />}
      {view === 'table' && <SpanTable model={model} matches={matches} onOpen={(id) => onFind(id)} />}
      {view === 'json' && <JsonView trace={model.trace} />}
    </div>
  );
}
