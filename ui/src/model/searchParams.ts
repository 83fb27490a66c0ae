// The search as it lives in the URL (`/search?service=…&operation=…&tags=…
// &lookback=…&start=…&end=…&minDuration=…&maxDuration=…&limit=…`), in the
// form Jaeger's UI uses, so links to either UI keep working. A search with a
// query (the Query tab) is `/search?query=…&lookback=…&start=…&end=…&limit=…`.

import type { FilterQuery, SpanKind, TraceQuery } from '../api/types';
import { formatLogfmt, parseLogfmt } from './logfmt';

export const LOOKBACKS: Array<{ value: string; label: string; us: number }> = [
  { value: '5m', label: 'Last 5 minutes', us: 5 * 60e6 },
  { value: '15m', label: 'Last 15 minutes', us: 15 * 60e6 },
  { value: '30m', label: 'Last 30 minutes', us: 30 * 60e6 },
  { value: '1h', label: 'Last hour', us: 3600e6 },
  { value: '2h', label: 'Last 2 hours', us: 2 * 3600e6 },
  { value: '3h', label: 'Last 3 hours', us: 3 * 3600e6 },
  { value: '6h', label: 'Last 6 hours', us: 6 * 3600e6 },
  { value: '12h', label: 'Last 12 hours', us: 12 * 3600e6 },
  { value: '24h', label: 'Last 24 hours', us: 24 * 3600e6 },
  { value: '2d', label: 'Last 2 days', us: 2 * 86400e6 },
  { value: '7d', label: 'Last 7 days', us: 7 * 86400e6 },
];

export const DEFAULT_LOOKBACK = '1h';
export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 1500;

export interface SearchForm {
  service: string;
  operation: string;
  spanKind: SpanKind | '';
  /** logfmt text as typed */
  tags: string;
  /** one of LOOKBACKS' values, or 'custom' */
  lookback: string;
  /** µs, used when lookback is 'custom' (and recorded for the others) */
  start: number | null;
  end: number | null;
  minDuration: string;
  maxDuration: string;
  limit: number;
}

export function emptyForm(): SearchForm {
  return {
    service: '',
    operation: '',
    spanKind: '',
    tags: '',
    lookback: DEFAULT_LOOKBACK,
    start: null,
    end: null,
    minDuration: '',
    maxDuration: '',
    limit: DEFAULT_LIMIT,
  };
}

export function lookbackUs(value: string): number | null {
  return LOOKBACKS.find((l) => l.value === value)?.us ?? null;
}

/** `tags` in the URL is a JSON object (as Jaeger's UI writes it) or logfmt. */
function tagsFromUrl(text: string): string {
  if (!text) return '';
  try {
    const obj = JSON.parse(text) as unknown;
    if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
      return formatLogfmt(Object.fromEntries(Object.entries(obj as Record<string, unknown>).map(([k, v]) => [k, String(v)])));
    }
  } catch {
    // logfmt
  }
  return text;
}

function intOrNull(text: string | null): number | null {
  if (!text) return null;
  const n = Number(text);
  return Number.isFinite(n) ? Math.trunc(n) : null;
}

export function formFromUrl(params: URLSearchParams): SearchForm {
  const form = emptyForm();
  form.service = params.get('service') ?? '';
  form.operation = params.get('operation') ?? '';
  const kind = params.get('spanKind') ?? '';
  form.spanKind = (['server', 'client', 'producer', 'consumer', 'internal'].includes(kind) ? kind : '') as SpanKind | '';
  form.tags = tagsFromUrl(params.get('tags') ?? '');
  const lookback = params.get('lookback') ?? DEFAULT_LOOKBACK;
  form.lookback = lookback === 'custom' || lookbackUs(lookback) !== null ? lookback : DEFAULT_LOOKBACK;
  form.start = intOrNull(params.get('start'));
  form.end = intOrNull(params.get('end'));
  form.minDuration = params.get('minDuration') ?? '';
  form.maxDuration = params.get('maxDuration') ?? '';
  const limit = intOrNull(params.get('limit'));
  form.limit = limit && limit > 0 ? Math.min(limit, MAX_LIMIT) : DEFAULT_LIMIT;
  return form;
}

/**
 * URL parameters of a search submitted at nowUs: a relative lookback is
 * turned into start/end here, so the link shows the same traces later.
 */
export function formToUrl(form: SearchForm, nowUs: number): URLSearchParams {
  const p = new URLSearchParams();
  p.set('service', form.service);
  if (form.operation) p.set('operation', form.operation);
  if (form.spanKind) p.set('spanKind', form.spanKind);
  const parsed = parseLogfmt(form.tags);
  if (parsed.tags && Object.keys(parsed.tags).length) p.set('tags', JSON.stringify(parsed.tags));
  setWindow(p, form, nowUs);
  if (form.minDuration) p.set('minDuration', form.minDuration);
  if (form.maxDuration) p.set('maxDuration', form.maxDuration);
  p.set('limit', String(form.limit));
  return p;
}

/** lookback, start and end of a search submitted at nowUs. */
function setWindow(p: URLSearchParams, form: SearchForm, nowUs: number) {
  p.set('lookback', form.lookback);
  const span = lookbackUs(form.lookback);
  const end = form.lookback === 'custom' ? (form.end ?? nowUs) : nowUs;
  const start = form.lookback === 'custom' ? (form.start ?? end - 3600e6) : end - (span ?? 3600e6);
  p.set('start', String(Math.trunc(start)));
  p.set('end', String(Math.trunc(end)));
}

/** The query of a search with a query, or null for a search with the form. */
export function queryFromUrl(params: URLSearchParams): string | null {
  return params.get('query');
}

/** URL parameters of a search with a query submitted at nowUs: the query, the form's time window and limit. */
export function queryToUrl(query: string, form: SearchForm, nowUs: number): URLSearchParams {
  const p = new URLSearchParams();
  p.set('query', query);
  setWindow(p, form, nowUs);
  p.set('limit', String(form.limit));
  return p;
}

/** The API query of a search with a query read from the URL; the time window resolved at nowUs if missing. */
export function queryToApi(query: string, form: SearchForm, nowUs: number): FilterQuery {
  const span = lookbackUs(form.lookback) ?? 3600e6;
  const end = form.end ?? nowUs;
  const start = form.start ?? end - span;
  return { filter: query, start, end, limit: form.limit };
}

/** The API query for a form read from the URL; the time window resolved at nowUs if missing. */
export function formToQuery(form: SearchForm, nowUs: number): TraceQuery {
  const parsed = parseLogfmt(form.tags);
  const span = lookbackUs(form.lookback) ?? 3600e6;
  const end = form.end ?? nowUs;
  const start = form.start ?? end - span;
  return {
    service: form.service,
    operation: form.operation || undefined,
    tags: parsed.tags && Object.keys(parsed.tags).length ? parsed.tags : undefined,
    start,
    end,
    minDuration: form.minDuration || undefined,
    maxDuration: form.maxDuration || undefined,
    limit: form.limit,
    lookback: form.lookback,
  };
}
