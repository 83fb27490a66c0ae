// "Find in trace": the spans whose service, operation, span ID, tag,
// process tag or log field (key or value) contains the text.

import type { KeyValue } from '../api/types';
import type { TraceModel } from './trace';

function kvHas(list: KeyValue[] | null | undefined, needle: string): boolean {
  if (!list) return false;
  for (const kv of list) {
    if (kv.key.toLowerCase().includes(needle) || String(kv.value).toLowerCase().includes(needle)) return true;
  }
  return false;
}

/** Space-separated terms must all match (each anywhere in the span). */
export function findSpans(model: TraceModel, text: string): Set<string> {
  const terms = text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const out = new Set<string>();
  if (!terms.length) return out;
  for (const n of model.nodes) {
    const s = n.span;
    const hit = terms.every((t) => {
      if (s.spanID.toLowerCase() === t || n.service.toLowerCase().includes(t) || n.operation.toLowerCase().includes(t)) return true;
      if (kvHas(s.tags, t) || kvHas(n.process.tags, t)) return true;
      return (s.logs ?? []).some((l) => kvHas(l.fields, t));
    });
    if (hit) out.add(s.spanID);
  }
  return out;
}
