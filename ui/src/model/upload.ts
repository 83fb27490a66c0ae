// Files a user opens: Jaeger JSON (the `/api/traces` answer, a bare trace,
// or a list of traces) or OTLP/JSON (`{"resourceSpans": ...}`), which the
// server turns into Jaeger JSON through POST /api/transform.

import type { Trace } from '../api/types';

export type UploadKind = { kind: 'jaeger'; traces: Trace[] } | { kind: 'otlp' } | { kind: 'invalid'; error: string };

function isTrace(v: unknown): v is Trace {
  return !!v && typeof v === 'object' && typeof (v as Trace).traceID === 'string' && Array.isArray((v as Trace).spans);
}

export function classifyUpload(text: string): UploadKind {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { kind: 'invalid', error: `not JSON: ${(e as Error).message}` };
  }
  if (doc && typeof doc === 'object' && !Array.isArray(doc)) {
    const o = doc as Record<string, unknown>;
    if (Array.isArray(o.resourceSpans) || Array.isArray(o.resource_spans)) return { kind: 'otlp' };
    if (Array.isArray(o.data) && o.data.every(isTrace)) return { kind: 'jaeger', traces: o.data as Trace[] };
    if (isTrace(o)) return { kind: 'jaeger', traces: [o] };
  }
  if (Array.isArray(doc) && doc.length && doc.every(isTrace)) return { kind: 'jaeger', traces: doc as Trace[] };
  return { kind: 'invalid', error: 'neither Jaeger JSON (traces with spans) nor OTLP JSON (resourceSpans)' };
}
