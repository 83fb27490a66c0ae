// Span metrics as the Monitor page shows them: series read from the
// metric families of /api/metrics/*, the per-operation summary with its
// impact, and links from an operation to the traces behind it.

import type { MetricFamily, MetricsSpanKind } from '../api/types';
import { LOOKBACKS } from './searchParams';

/** One point of a series: t in ms since the epoch. */
export interface SeriesPoint {
  t: number;
  v: number;
}

/** One series of a metric family; operation is '' when not grouped by operation. */
export interface Series {
  service: string;
  operation: string;
  points: SeriesPoint[];
}

/** The time windows the page offers: the search page's lookbacks, up to two days. */
export const MONITOR_WINDOWS: Array<{ value: string; label: string; ms: number }> = LOOKBACKS.filter(
  (l) => l.value !== '3h' && l.value !== '7d',
).map((l) => ({ value: l.value, label: l.label, ms: l.us / 1000 }));

export const DEFAULT_WINDOW = '1h';

/**
 * The span kinds the page offers, with their option text: the search's
 * kinds and `unspecified`, under which the span metrics count spans
 * recorded without a kind (Jaeger clients that set no span.kind tag).
 */
export const MONITOR_KINDS: Array<{ value: MetricsSpanKind; label: string }> = [
  { value: 'server', label: 'server' },
  { value: 'client', label: 'client' },
  { value: 'producer', label: 'producer' },
  { value: 'consumer', label: 'consumer' },
  { value: 'internal', label: 'internal' },
  { value: 'unspecified', label: 'unspecified (no kind)' },
];

export const DEFAULT_KIND: MetricsSpanKind = 'server';

/** The span kind of the page's spanKind parameter: one of MONITOR_KINDS, else the default. */
export function monitorKind(param: string | null): MetricsSpanKind {
  return MONITOR_KINDS.find((k) => k.value === param)?.value ?? DEFAULT_KIND;
}

/** What the page says when a service has no metrics of the kind in the window. */
export function noMetricsText(service: string, kind: MetricsSpanKind): string {
  if (kind === 'unspecified') return `No spans of ${service} without a kind in this window.`;
  return `No ${kind} spans of ${service} in this window. Spans sent without a kind are listed under 'unspecified'.`;
}

/** The latency quantiles drawn in the latency chart. */
export const QUANTILES = [0.5, 0.75, 0.95];

export function windowMs(value: string): number | null {
  return MONITOR_WINDOWS.find((w) => w.value === value)?.ms ?? null;
}

// Steps the charts use: about 30 to 60 points in any window.
const STEPS_MS = [10e3, 15e3, 30e3, 60e3, 120e3, 300e3, 600e3, 900e3, 1800e3, 3600e3, 7200e3];

/** The step for a window: the smallest of STEPS_MS giving at most 60 points, never below minStepMs. */
export function stepFor(windowMsValue: number, minStepMs: number): number {
  const wanted = windowMsValue / 60;
  const step = STEPS_MS.find((s) => s >= wanted) ?? STEPS_MS[STEPS_MS.length - 1];
  return Math.max(step, minStepMs > 0 ? minStepMs : 0);
}

/** Rates are averaged over one step, but at least a minute, so single calls do not look like spikes. */
export function ratePerFor(stepMs: number): number {
  return Math.max(stepMs, 60e3);
}

function pointValue(raw: number | string | undefined): number {
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'string') return Number(raw);
  return NaN;
}

/** The series of a metric family, points in time order; points without a finite value or time are dropped. */
export function parseMetricFamily(family: MetricFamily | null | undefined): Series[] {
  const out: Series[] = [];
  for (const metric of family?.metrics ?? []) {
    const labels = new Map((metric.labels ?? []).map((l) => [l.name, l.value]));
    const points: SeriesPoint[] = [];
    for (const p of metric.metricPoints ?? []) {
      const t = Date.parse(p.timestamp);
      const v = pointValue(p.gaugeValue?.doubleValue);
      if (Number.isFinite(t) && Number.isFinite(v)) points.push({ t, v });
    }
    points.sort((a, b) => a.t - b.t);
    out.push({ service: labels.get('service_name') ?? '', operation: labels.get('operation') ?? '', points });
  }
  return out;
}

/** The series of one service (the first, when several came back). */
export function serviceSeries(series: Series[], service: string): Series | null {
  return series.find((s) => s.service === service) ?? null;
}

/** Mean of the points' values; null without points. */
export function mean(points: SeriesPoint[]): number | null {
  if (!points.length) return null;
  return points.reduce((sum, p) => sum + p.v, 0) / points.length;
}

/** One row of the operations table; null where the operation had no points. */
export interface OperationRow {
  name: string;
  /** mean of the p95 latency points, ms */
  p95: number | null;
  /** mean request rate, per second */
  rate: number | null;
  /** mean error rate, 0..1 */
  errorRate: number | null;
  /** latency × rate, scaled to 0..1 across the operations */
  impact: number;
  /** the sampling probability the operation's clients are told, when known (0..1) */
  sampling?: number | null;
}

/**
 * Scales values to 0..1 between their minimum and maximum. When all are
 * equal (a single operation, say), each gets 1, or 0 when that value is 0.
 */
export function normaliseImpact(values: number[]): number[] {
  if (!values.length) return [];
  const min = Math.min(...values);
  const max = Math.max(...values);
  if (max === min) return values.map(() => (max > 0 ? 1 : 0));
  return values.map((v) => (v - min) / (max - min));
}

/** The operations table from the per-operation calls, errors and p95 latency families. */
export function operationRows(calls: Series[], errors: Series[], p95: Series[]): OperationRow[] {
  const byName = (list: Series[]) => new Map(list.map((s) => [s.operation, mean(s.points)]));
  const rate = byName(calls);
  const err = byName(errors);
  const lat = byName(p95);
  const names = [...new Set([...rate.keys(), ...err.keys(), ...lat.keys()])].sort();
  const raw = names.map((n) => (lat.get(n) ?? 0) * (rate.get(n) ?? 0));
  const impact = normaliseImpact(raw);
  return names.map((name, i) => ({
    name,
    p95: lat.get(name) ?? null,
    rate: rate.get(name) ?? null,
    errorRate: err.get(name) ?? (rate.get(name) != null ? 0 : null),
    impact: impact[i],
  }));
}

export type SortKey = 'name' | 'p95' | 'rate' | 'errorRate' | 'impact' | 'sampling';
export type SortDir = 'asc' | 'desc';

/** Rows sorted by a column; rows without a value go last either way, ties by name. */
export function sortRows(rows: OperationRow[], key: SortKey, dir: SortDir): OperationRow[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    if (key === 'name') return sign * a.name.localeCompare(b.name);
    const x = a[key] ?? null;
    const y = b[key] ?? null;
    if (x === null || y === null) {
      if (x === y) return a.name.localeCompare(b.name);
      return x === null ? 1 : -1;
    }
    return x === y ? a.name.localeCompare(b.name) : sign * (x - y);
  });
}

/** Rows whose name contains the text, ignoring case. */
export function filterRows(rows: OperationRow[], text: string): OperationRow[] {
  const needle = text.trim().toLowerCase();
  return needle ? rows.filter((r) => r.name.toLowerCase().includes(needle)) : rows;
}

/** A decimal without trailing zeros: 1.50 -> 1.5, 2.00 -> 2. */
export function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** A duration in ms as a Go duration the search takes: 850us, 1.23ms, 4.5s; rounded down. */
export function goDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '0ms';
  if (ms < 1) return `${Math.floor(ms * 1000 + 1e-6)}us`;
  if (ms < 1000) return `${trimZeros((Math.floor(ms * 100 + 1e-6) / 100).toFixed(2))}ms`;
  return `${trimZeros((Math.floor(ms / 10 + 1e-6) / 100).toFixed(2))}s`;
}

export interface TraceLinkInput {
  service: string;
  operation: string;
  /** one of MONITOR_WINDOWS' values */
  window: string;
  /** end of the window, ms since the epoch */
  endMs: number;
  lookbackMs: number;
}

function searchUrl(input: TraceLinkInput, extra: Record<string, string>): string {
  const p = new URLSearchParams();
  p.set('service', input.service);
  p.set('operation', input.operation);
  p.set('lookback', input.window);
  p.set('start', String(Math.trunc((input.endMs - input.lookbackMs) * 1000)));
  p.set('end', String(Math.trunc(input.endMs * 1000)));
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  p.set('limit', '20');
  return `/search?${p.toString()}`;
}

/** The search for the operation's traces at or above its p95 latency in the same window. */
export function slowTracesUrl(input: TraceLinkInput, p95Ms: number | null): string {
  return searchUrl(input, p95Ms !== null && p95Ms > 0 ? { minDuration: goDuration(p95Ms) } : {});
}

/** The search for the operation's traces with an error in the same window. */
export function failingTracesUrl(input: TraceLinkInput): string {
  return searchUrl(input, { tags: JSON.stringify({ error: 'true' }) });
}

/** A rate per second for the table and axes: three significant digits. */
export function formatRate(v: number): string {
  if (v === 0) return '0';
  if (Math.abs(v) >= 100) return v.toFixed(0);
  return trimZeros(v.toPrecision(3).includes('e') ? v.toFixed(6) : v.toPrecision(3));
}

/** A fraction 0..1 as a percentage: 0%, <0.1%, 2.5%, 37%. */
export function formatPercent(fraction: number): string {
  const p = fraction * 100;
  if (p === 0) return '0%';
  if (p < 0.1) return '<0.1%';
  if (p < 10) return `${trimZeros(p.toFixed(1))}%`;
  return `${p.toFixed(0)}%`;
}
