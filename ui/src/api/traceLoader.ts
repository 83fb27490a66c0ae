// Loads traces by ID, sharing a request already in flight: main.tsx starts
// the request for a /trace/{id} URL before the app has rendered, and the
// trace page picks it up instead of asking again.

import { getTrace } from './client';
import type { Trace } from './types';

const inFlight = new Map<string, Promise<Trace>>();
const KEEP_MS = 5_000;

export function loadTrace(traceID: string): Promise<Trace> {
  const id = traceID.toLowerCase();
  let p = inFlight.get(id);
  if (!p) {
    p = getTrace(id);
    inFlight.set(id, p);
    const forget = () => setTimeout(() => inFlight.delete(id), KEEP_MS);
    p.then(forget, forget);
  }
  return p;
}

/** The trace ID of a `/trace/{id}` path (after the base path), if it names one trace. */
export function traceIDFromPath(path: string): string | null {
  const m = /^\/trace\/([0-9a-fA-F]{1,32})\/?$/.exec(path);
  return m ? m[1].toLowerCase() : null;
}
