// Typed client of the query API. Every call goes to the same origin,
// under the base path the server injected into index.html, with the
// access token and the tenant when the server asks for them (auth.ts).

import { parseSampling } from '../model/sampling';
import { fetchWithAuth } from './auth';
import { basePath } from './basePath';
import type {
  DeepDependencies,
  DeepDependenciesQuery,
  DependencyLink,
  Envelope,
  FilterQuery,
  MetricFamily,
  MetricName,
  MetricsQuery,
  Operation,
  ServiceSampling,
  SpanKind,
  Trace,
  TraceQuery,
  V3Error,
  V3TraceSummary,
} from './types';

export class ApiRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

function url(path: string, params?: Record<string, string | number | undefined>): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) {
    if (v !== undefined && v !== '') qs.set(k, String(v));
  }
  const query = qs.toString();
  return `${basePath()}${path}${query ? `?${query}` : ''}`;
}

/** The JSON body of a successful answer; errors carry the envelope's first message (or api_v3's `error.message`). */
async function fetchJson<B>(input: string, init?: RequestInit): Promise<B> {
  const res = await fetchWithAuth(input, init);
  const text = await res.text();
  let body: B | undefined;
  try {
    body = JSON.parse(text) as B;
  } catch {
    body = undefined;
  }
  if (!res.ok || !body) {
    const msg =
      (body as Partial<Envelope<unknown>> | undefined)?.errors?.[0]?.msg ??
      (body as V3Error | undefined)?.error?.message ??
      (text.slice(0, 200) || res.statusText);
    throw new ApiRequestError(`HTTP ${res.status}: ${msg}`, res.status);
  }
  return body;
}

function call<T>(input: string, init?: RequestInit): Promise<Envelope<T>> {
  return fetchJson<Envelope<T>>(input, init);
}

export async function getServices(): Promise<string[]> {
  return (await call<string[] | null>(url('/api/services'))).data ?? [];
}

export async function getOperations(service: string, spanKind?: SpanKind | ''): Promise<Operation[]> {
  return (await call<Operation[] | null>(url('/api/operations', { service, spanKind }))).data ?? [];
}

/** Query-string parameters of a search, as `/api/traces` takes them. */
export function traceQueryParams(q: TraceQuery): Record<string, string | number | undefined> {
  return {
    service: q.service,
    operation: q.operation,
    tags: q.tags && Object.keys(q.tags).length ? JSON.stringify(q.tags) : undefined,
    start: q.start,
    end: q.end,
    minDuration: q.minDuration,
    maxDuration: q.maxDuration,
    limit: q.limit,
    lookback: q.lookback,
  };
}

export async function findTraces(q: TraceQuery): Promise<Trace[]> {
  return (await call<Trace[] | null>(url('/api/traces', traceQueryParams(q)))).data ?? [];
}

/** A time in µs since the epoch in RFC 3339 with microseconds, as api_v3 takes it. */
export function rfc3339(us: number): string {
  const whole = Math.trunc(us);
  const ms = Math.floor(whole / 1000);
  return `${new Date(ms).toISOString().slice(0, -1)}${String(whole - ms * 1000).padStart(3, '0')}Z`;
}

/** Query-string parameters of a search with a query, as `/api/v3/trace-summaries` takes them. */
export function filterQueryParams(q: FilterQuery): Record<string, string | number | undefined> {
  return {
    'query.filter': q.filter,
    'query.startTimeMin': rfc3339(q.start),
    'query.startTimeMax': rfc3339(q.end),
    'query.searchDepth': q.limit,
  };
}

/**
 * The traces a query (the query language, docs/query-language.md) selects, summarised. A query
 * that does not parse is refused with 400 and "query.filter at N: …" (see model/queryFilter.ts).
 */
export async function findTraceSummaries(q: FilterQuery): Promise<V3TraceSummary[]> {
  return (await fetchJson<{ summaries?: V3TraceSummary[] | null }>(url('/api/v3/trace-summaries', filterQueryParams(q)))).summaries ?? [];
}

export async function getTrace(traceID: string): Promise<Trace> {
  const data = (await call<Trace[] | null>(url(`/api/traces/${encodeURIComponent(traceID)}`))).data ?? [];
  if (!data.length) throw new ApiRequestError('trace not found', 404);
  return data[0];
}

/**
 * Copies a trace into the archive storage, where it outlives the main storage's retention.
 * Rejects with the server's error: 404 for a trace no storage has, 501 when spoor runs
 * without `--archive.span-storage.type`.
 */
export async function archiveTrace(traceID: string): Promise<void> {
  await call<unknown>(url(`/api/archive/${encodeURIComponent(traceID)}`), { method: 'POST' });
}

/** endTs and lookback in milliseconds. */
export async function getDependencies(endTs: number, lookback: number): Promise<DependencyLink[]> {
  return (await call<DependencyLink[] | null>(url('/api/dependencies', { endTs, lookback }))).data ?? [];
}

/** Converts an OTLP/JSON document into Jaeger traces on the server. */
export async function transformOtlp(body: string): Promise<Trace[]> {
  const res = await call<Trace[] | null>(url('/api/transform'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return res.data ?? [];
}

/** Query-string parameters of a metrics request, as `/api/metrics/{metric}` takes them. */
export function metricsQueryParams(q: MetricsQuery): Record<string, string | number | undefined> {
  return {
    service: q.service,
    spanKind: q.spanKind,
    groupByOperation: String(q.groupByOperation),
    quantile: q.quantile,
    endTs: Math.trunc(q.endTs),
    lookback: Math.trunc(q.lookback),
    step: Math.trunc(q.step),
    ratePer: Math.trunc(q.ratePer),
  };
}

/** Span metrics of one service (Jaeger's service performance monitoring API). */
export function getMetrics(metric: MetricName, q: MetricsQuery): Promise<MetricFamily> {
  return fetchJson<MetricFamily>(url(`/api/metrics/${metric}`, metricsQueryParams(q)));
}

/** The finest step the metrics have, in milliseconds. */
export async function getMinStep(): Promise<number> {
  return (await call<number | null>(url('/api/metrics/minstep'))).data ?? 0;
}

/** Query-string parameters of `/api/deep-dependencies`: whole milliseconds, no empty operation. */
export function deepDependenciesParams(q: DeepDependenciesQuery): Record<string, string | number | undefined> {
  return {
    service: q.service,
    operation: q.operation || undefined,
    start: Math.trunc(q.start),
    end: Math.trunc(q.end),
    limit: q.limit,
  };
}

/** The call paths through a service (and operation), from its stored traces. */
export function getDeepDependencies(q: DeepDependenciesQuery): Promise<DeepDependencies> {
  return fetchJson<DeepDependencies>(url('/api/deep-dependencies', deepDependenciesParams(q)));
}

/** The sampling strategy the service's clients are told; a process serving none answers 501. */
export async function getSampling(service: string): Promise<ServiceSampling | null> {
  return parseSampling((await call<unknown>(url('/api/sampling', { service }))).data);
}
