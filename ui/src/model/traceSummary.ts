// What a search result row shows, and the orders the list can be sorted in.

import { buildTraceModel, traceName, UNKNOWN_SERVICE, type ServiceSummary } from './trace';
import type { Trace, V3TraceSummary } from '../api/types';

export interface TraceSummary {
  traceID: string;
  name: string;
  startTime: number;
  duration: number;
  spans: number;
  errors: number;
  services: ServiceSummary[];
  /** the whole trace, when the search returned it (not from /api/v3/trace-summaries) */
  trace?: Trace;
}

export function summarise(trace: Trace): TraceSummary {
  const m = buildTraceModel(trace);
  return {
    traceID: trace.traceID,
    name: traceName(m),
    startTime: m.startTime,
    duration: m.duration,
    spans: m.nodes.length,
    errors: m.errorCount,
    services: m.services,
    trace,
  };
}

/** Nanoseconds as a decimal string (or number) to whole µs, without a float's rounding. */
function nsToUs(ns: string | number | undefined): number {
  const text = String(ns ?? '0');
  return /^\d+$/.test(text) ? Number(text.slice(0, -3) || '0') : Math.trunc(Number(text) / 1000) || 0;
}

/** A summary of `/api/v3/trace-summaries` as a result row. */
export function fromV3Summary(s: V3TraceSummary): TraceSummary {
  const startTime = nsToUs(s.minStartTimeUnixNano);
  const spans = Number(s.spanCount ?? 0);
  return {
    traceID: s.traceId,
    name: spans ? `${s.rootServiceName || UNKNOWN_SERVICE}: ${s.rootOperationName ?? ''}` : '(empty trace)',
    startTime,
    duration: Math.max(0, nsToUs(s.maxEndTimeUnixNano) - startTime),
    spans,
    errors: Number(s.errorSpanCount ?? 0),
    services: (s.services ?? []).map((x) => ({ name: x.name, spans: Number(x.spanCount ?? 0), errors: Number(x.errorSpanCount ?? 0) })),
  };
}

export const SORTS = {
  recent: { label: 'Most recent', cmp: (a: TraceSummary, b: TraceSummary) => b.startTime - a.startTime },
  longest: { label: 'Longest first', cmp: (a: TraceSummary, b: TraceSummary) => b.duration - a.duration },
  shortest: { label: 'Shortest first', cmp: (a: TraceSummary, b: TraceSummary) => a.duration - b.duration },
  mostSpans: { label: 'Most spans', cmp: (a: TraceSummary, b: TraceSummary) => b.spans - a.spans },
  fewestSpans: { label: 'Fewest spans', cmp: (a: TraceSummary, b: TraceSummary) => a.spans - b.spans },
} as const;

export type SortKey = keyof typeof SORTS;

export function sortSummaries(list: TraceSummary[], key: SortKey): TraceSummary[] {
  const cmp = SORTS[key].cmp;
  return [...list].sort((a, b) => cmp(a, b) || a.traceID.localeCompare(b.traceID));
}
