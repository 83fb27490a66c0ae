// What a search result row shows, and the orders the list can be sorted in.

import { buildTraceModel, traceName, type ServiceSummary } from './trace';
import type { Trace } from '../api/types';

export interface TraceSummary {
  traceID: string;
  name: string;
  startTime: number;
  duration: number;
  spans: number;
  errors: number;
  services: ServiceSummary[];
  trace: Trace;
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
