// The critical path: the chain of work that decided when the trace ended.
// Walking back from the end of a span, the child that finished last before
// the current point is on the path; the time no child covers is the span's
// own. The result is a list of [start, end) segments per span.

import type { SpanNode, TraceModel } from './trace';

export interface Segment {
  spanID: string;
  start: number;
  end: number;
}

export function criticalPath(model: TraceModel): Segment[] {
  const root = longestRoot(model);
  if (!root) return [];
  const out: Segment[] = [];
  // Explicit stack of (node, window end) so deep traces do not overflow.
  const stack: Array<{ node: SpanNode; end: number }> = [{ node: root, end: root.endTime }];
  while (stack.length) {
    const { node, end } = stack.pop()!;
    walk(node, end, out, stack);
  }
  return out.sort((a, b) => a.start - b.start);
}

function longestRoot(model: TraceModel): SpanNode | undefined {
  let best: SpanNode | undefined;
  for (const r of model.roots) if (!best || r.endTime - r.startTime > best.endTime - best.startTime) best = r;
  return best;
}

function walk(node: SpanNode, windowEnd: number, out: Segment[], stack: Array<{ node: SpanNode; end: number }>) {
  let cursor = Math.min(node.endTime, windowEnd);
  const start = node.startTime;
  // Children by end time, latest first.
  const children = [...node.children].sort((a, b) => b.endTime - a.endTime);
  for (const child of children) {
    if (cursor <= start) break;
    if (child.startTime >= cursor) continue; // started after the point we walk back from
    const childEnd = Math.min(child.endTime, cursor);
    if (childEnd <= start) continue;
    if (cursor > childEnd) out.push({ spanID: node.spanID, start: childEnd, end: cursor });
    stack.push({ node: child, end: childEnd });
    cursor = Math.max(child.startTime, start);
  }
  if (cursor > start) out.push({ spanID: node.spanID, start, end: cursor });
}

/** Segments grouped by span ID. */
export function segmentsBySpan(segments: Segment[]): Map<string, Segment[]> {
  const map = new Map<string, Segment[]>();
  for (const s of segments) {
    const list = map.get(s.spanID);
    if (list) list.push(s);
    else map.set(s.spanID, [s]);
  }
  return map;
}
