import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { ApiRequestError } from '../api/client';
import { useServices } from '../api/useServices';
import { ErrorNotice, Loading } from '../components/common';
import { MetricChart } from '../components/MetricChart';
import { OperationsTable } from '../components/OperationsTable';
import { SamplingOverview } from '../components/Sampling';
import { ServiceSelect } from '../components/ServiceSelect';
import { useTitle } from '../components/useTitle';
import { formatDuration, formatTime } from '../model/format';
import {
  DEFAULT_WINDOW,
  MONITOR_KINDS,
  MONITOR_WINDOWS,
  QUANTILES,
  formatPercent,
  formatRate,
  monitorKind,
  noMetricsText,
  windowMs,
} from '../model/metrics';
import { useSettings } from '../settings';
import { useMonitorMetrics, type MonitorData } from './useMonitorMetrics';
import { useSampling } from './useSampling';

const SERVICE_KEY = 'spoor.monitor.service';
const SEARCH_SERVICE_KEY = 'spoor.lastService';
const QUANTILE_COLORS = ['var(--p50)', 'var(--p75)', 'var(--p95)'];

/** The service to show when the URL names none: the one shown last, else the one searched last, else the first. */
function rememberedService(services: string[]): string {
  for (const key of [SERVICE_KEY, SEARCH_SERVICE_KEY]) {
    const saved = localStorage.getItem(key);
    if (saved && services.includes(saved)) return saved;
  }
  return services[0] ?? '';
}

function MetricsError({ error }: { error: unknown }) {
  if (error instanceof ApiRequestError && error.status === 501) {
    return (
      <div className="notice error" role="alert">
        This storage keeps no span metrics. <span className="muted">({error.message})</span>
      </div>
    );
  }
  return <ErrorNotice error={error instanceof Error ? new Error(`Cannot load metrics: ${error.message}`) : error} />;
}

function Charts({ data }: { data: MonitorData }) {
  const common = { fromMs: data.fromMs, toMs: data.endMs, stepMs: data.stepMs };
  return (
    <div className="chart-row">
      <MetricChart
        title="Request rate (req/s)"
        lines={[{ label: 'requests', color: 'var(--accent)', points: data.calls }]}
        format={formatRate}
        {...common}
      />
      <MetricChart
        title="Error rate (%)"
        lines={[{ label: 'errors', color: 'var(--error)', points: data.errors }]}
        format={formatPercent}
        {...common}
      />
      <MetricChart
        title="Latency (ms)"
        lines={QUANTILES.map((q, i) => ({ label: `p${Math.round(q * 100)}`, color: QUANTILE_COLORS[i], points: data.latencies[i] }))}
        format={(ms) => (ms ? formatDuration(ms * 1000) : '0')}
        {...common}
      />
    </div>
  );
}

/** Service performance monitoring: request rate, error rate and latency of a service and its operations. */
export function MonitorPage() {
  const { utc } = useSettings();
  const [params, setParams] = useSearchParams();
  const { services, error: servicesError } = useServices();
  const [reload, setReload] = useState(0);
  useTitle('Monitor');

  const spanKind = monitorKind(params.get('spanKind'));
  const windowParam = params.get('lookback') ?? DEFAULT_WINDOW;
  const win = windowMs(windowParam) !== null ? windowParam : DEFAULT_WINDOW;
  const lookbackMs = windowMs(win)!;
  const service = params.get('service') || (services ? rememberedService(services) : '');

  useEffect(() => {
    if (service) localStorage.setItem(SERVICE_KEY, service);
  }, [service]);

  const state = useMonitorMetrics(service, spanKind, lookbackMs, reload);
  const sampling = useSampling(service, reload);
  const set = (key: string, value: string) =>
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        next.set('service', service);
        next.set(key, value);
        return next;
      },
      { replace: true },
    );

  const data = state.data;
  const empty = data && !data.calls.length && !data.errors.length && data.latencies.every((l) => !l.length) && !data.operations.length;

  return (
    <div className="monitor-page" aria-busy={state.loading}>
      <h1>Monitor</h1>
      <div className="toolbar">
        <label>
          Service
          <ServiceSelect aria-label="Service" services={services} value={service} onChange={(s) => set('service', s)} />
        </label>
        <label>
          Span kind
          <select aria-label="Span kind" value={spanKind} onChange={(e) => set('spanKind', e.target.value)}>
            {MONITOR_KINDS.map((k) => (
              <option key={k.value} value={k.value}>
                {k.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Time window
          <select aria-label="Time window" value={win} onChange={(e) => set('lookback', e.target.value)}>
            {MONITOR_WINDOWS.map((w) => (
              <option key={w.value} value={w.value}>
                {w.label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => setReload((n) => n + 1)} disabled={!service || state.loading}>
          Refresh
        </button>
        {data && (
          <span className="muted" data-testid="monitor-updated">
            until {formatTime(data.endMs * 1000, utc)}
          </span>
        )}
      </div>
      {servicesError !== null && <ErrorNotice error={servicesError} />}
      {services && !services.length && <div className="notice">No services yet: send some traces first.</div>}
      {state.error !== undefined && <MetricsError error={state.error} />}
      {state.loading && !data && <Loading what="metrics" />}
      {data && empty && (
        <div className="notice" data-testid="no-metrics">
          {noMetricsText(service, spanKind)}
        </div>
      )}
      {/* Without metrics to show it beside, what the sampler tells the service's clients on its own. */}
      {sampling && ((data && empty) || state.error !== undefined) && <SamplingOverview sampling={sampling} />}
      {data && !empty && (
        <>
          <Charts data={data} />
          <OperationsTable
            rows={data.operations}
            link={{ service, window: win, endMs: data.endMs, lookbackMs: data.endMs - data.fromMs }}
            sampling={sampling}
          />
        </>
      )}
    </div>
  );
}
