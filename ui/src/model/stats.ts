// Per service and operation figures of one trace: count, total, average,
// min, max, self time (the part no child covers) and errors.

import type { SpanNode, TraceModel } from './trace';

export interface OperationStats {
  service: string;
  operation: string;
  count: number;
  errors: number;
  total: number;
  min: number;
  max: number;
  avg: number;
  selfTotal: number;
  /** Self time as a share of the trace's duration, 0..1. */
  selfShare: number;
}

/** Time of the span not covered by any of its children (children clipped to the span). */
export function selfTime(node: SpanNode): number {
  const start = node.startTime;
  const end = node.endTime;
  if (!node.children.length) return end - start;
  const intervals = node.children
    .map((c) => [Math.max(c.startTime, start), Math.min(c.endTime, end)] as const)
    .filter(([a, b]) => b > a)
    .sort((a, b) => a[0] - b[0]);
  let covered = 0;
  let curStart = -Infinity;
  let curEnd = -Infinity;
  for (const [a, b] of intervals) {
    if (a > curEnd) {
      if (curEnd > curStart) covered += curEnd - curStart;
      curStart = a;
      curEnd = b;
    } else if (b > curEnd) curEnd = b;
  }
  if (curEnd > curStart) covered += curEnd - curStart;
  return end - start - covered;
}

export function operationStats(model: TraceModel): OperationStats[] {
  const groups = new Map<string, OperationStats>();
  for (const n of model.nodes) {
    const key = `${n.service}\u0000${n.operation}`;
    let g = groups.get(key);
    if (!g) {
      g = {
        service: n.service,
        operation: n.operation,
        count: 0,
        errors: 0,
        total: 0,
        min: Infinity,
        max: -Infinity,
        avg: 0,
        selfTotal: 0,
        selfShare: 0,
      };
      groups.set(key, g);
    }
    const d = n.span.duration;
    g.count++;
    if (n.hasError) g.errors++;
    g.total += d;
    g.min = Math.min(g.min, d);
    g.max = Math.max(g.max, d);
    g.selfTotal += selfTime(n);
  }
  const out = [...groups.values()];
  for (const g of out) {
    g.avg = g.total / g.count;
    g.selfShare = model.duration > 0 ? g.selfTotal / model.duration : 0;
  }
  return out.sort((a, b) => b.selfTotal - a.selfTotal || a.service.localeCompare(b.service) || a.operation.localeCompare(b.operation));
}

/** The same figures summed per service. */
export function serviceStats(model: TraceModel): OperationStats[] {
  const byService = new Map<string, OperationStats>();
  for (const op of operationStats(model)) {
    const g = byService.get(op.service);
    if (!g) {
      byService.set(op.service, { ...op, operation: '' });
      continue;
    }
    g.count += op.count;
    g.errors += op.errors;
    g.total += op.total;
    g.min = Math.min(g.min, op.min);
    g.max = Math.max(g.max, op.max);
    g.selfTotal += op.selfTotal;
  }
  const out = [...byService.values()];
  for (const g of out) {
    g.avg = g.total / g.count;
    g.selfShare = model.duration > 0 ? g.selfTotal / model.duration : 0;
  }
  return out.sort((a, b) => b.selfTotal - a.selfTotal || a.service.localeCompare(b.service));
}
