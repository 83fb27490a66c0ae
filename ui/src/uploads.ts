// Traces opened from files live only in this tab; the trace page looks
// here before asking the server.

import type { Trace } from './api/types';

const uploaded = new Map<string, Trace>();

export function addUploadedTraces(traces: Trace[]): void {
  for (const t of traces) uploaded.set(t.traceID, t);
}

export function uploadedTrace(traceID: string): Trace | undefined {
  return uploaded.get(traceID);
}

export function uploadedTraces(): Trace[] {
  return [...uploaded.values()];
}
