import { useEffect, useState } from 'react';
import { getMetrics, getMinStep } from '../api/client';
import type { MetricsQuery, MetricsSpanKind } from '../api/types';
import {
  QUANTILES,
  operationRows,
  parseMetricFamily,
  ratePerFor,
  serviceSeries,
  stepFor,
  type OperationRow,
  type SeriesPoint,
} from '../model/metrics';

/** Everything the Monitor page shows for one service, kind and window. */
export interface MonitorData {
  fromMs: number;
  endMs: number;
  stepMs: number;
  calls: SeriesPoint[];
  errors: SeriesPoint[];
  /** one series per QUANTILES entry, in that order */
  latencies: SeriesPoint[][];
  operations: OperationRow[];
}

/** While a refresh loads, the data of the last load stays (for the same service, kind and window). */
export interface MonitorState {
  loading: boolean;
  error?: unknown;
  data?: MonitorData;
}

/** Loads the service's charts and operations; a change of `reload` loads again, the window ending now. */
export function useMonitorMetrics(service: string, spanKind: MetricsSpanKind, lookbackMs: number, reload: number): MonitorState {
  const key = JSON.stringify([service, spanKind, lookbackMs]);
  // What was loaded, and for which service, kind and window: another
  // selection never shows the last one's numbers, not even for one render.
  const [state, setState] = useState<MonitorState & { key: string }>({ key: '', loading: false });

  useEffect(() => {
    if (!service) return;
    let cancelled = false;
    setState((s) => (s.key === key ? { key, loading: true, data: s.data } : { key, loading: true }));
    const endMs = Date.now();
    (async () => {
      const stepMs = stepFor(lookbackMs, await getMinStep());
      const base = { service, spanKind, endTs: endMs, lookback: lookbackMs, step: stepMs, ratePer: ratePerFor(stepMs) };
      const svc: MetricsQuery = { ...base, groupByOperation: false };
      const ops: MetricsQuery = { ...base, groupByOperation: true };
      const [calls, errors, opCalls, opErrors, opP95, ...latencies] = await Promise.all([
        getMetrics('calls', svc),
        getMetrics('errors', svc),
        getMetrics('calls', ops),
        getMetrics('errors', ops),
        getMetrics('latencies', { ...ops, quantile: 0.95 }),
        ...QUANTILES.map((quantile) => getMetrics('latencies', { ...svc, quantile })),
      ]);
      const points = (family: typeof calls) => serviceSeries(parseMetricFamily(family), service)?.points ?? [];
      const own = (family: typeof calls) => parseMetricFamily(family).filter((s) => s.service === service);
      return {
        fromMs: endMs - lookbackMs,
        endMs,
        stepMs,
        calls: points(calls),
        errors: points(errors),
        latencies: latencies.map(points),
        operations: operationRows(own(opCalls), own(opErrors), own(opP95)),
      };
    })()
      .then((data) => !cancelled && setState({ key, loading: false, data }))
      .catch((error: unknown) => !cancelled && setState({ key, loading: false, error }));
    return () => {
      cancelled = true;
    };
  }, [key, service, spanKind, lookbackMs, reload]);

  if (!service) return { loading: false };
  return state.key === key ? state : { loading: true };
}
