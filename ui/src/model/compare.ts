// Comparing two traces by the shape of their call trees: each span is named
// by its path of "service: operation" from the root; spans with the same
// path are matched and their counts and durations set side by side.

import type { TraceModel } from './trace';

export type DiffStatus = 'same' | 'changed' | 'only-a' | 'only-b';

export interface DiffRow {
  /** Path key: service + operation of every ancestor and the span itself. */
  key: string;
  depth: number;
  service: string;
  operation: string;
  countA: number;
  countB: number;
  /** Mean duration in µs; null when absent on that side. */
  meanA: number | null;
  meanB: number | null;
  status: DiffStatus;
}

const SEP = '\u0001';

function pathCounts(model: TraceModel) {
  const keys = new Map<string, string>(); // spanID -> key
  const groups = new Map<string, { count: number; total: number; depth: number; service: string; operation: string }>();
  for (const n of model.nodes) {
    const own = `${n.service}${SEP}${n.operation}`;
    const parentKey = n.parent ? keys.get(n.parent.spanID) : undefined;
    const key = parentKey ? `${parentKey}${SEP}${SEP}${own}` : own;
    keys.set(n.spanID, key);
    const g = groups.get(key);
    if (g) {
      g.count++;
      g.total += n.span.duration;
    } else groups.set(key, { count: 1, total: n.span.duration, depth: n.depth, service: n.service, operation: n.operation });
  }
  return groups;
}

/**
 * Rows in tree order (A's order first, then paths found only in B).
 * `tolerance` is the relative duration change below which a row with equal
 * counts is 'same'.
 */
export function compareTraces(a: TraceModel, b: TraceModel, tolerance = 0.1): DiffRow[] {
  const ga = pathCounts(a);
  const gb = pathCounts(b);
  const keys = [...ga.keys(), ...[...gb.keys()].filter((k) => !ga.has(k))];
  keys.sort();
  return keys.map((key) => {
    const x = ga.get(key);
    const y = gb.get(key);
    const meta = (x ?? y)!;
    const meanA = x ? x.total / x.count : null;
    const meanB = y ? y.total / y.count : null;
    let status: DiffStatus;
    if (!x) status = 'only-b';
    else if (!y) status = 'only-a';
    else {
      const base = Math.max(meanA!, 1);
      const changedDuration = Math.abs(meanB! - meanA!) / base > tolerance;
      status = x.count !== y.count || changedDuration ? 'changed' : 'same';
    }
    return {
      key,
      depth: meta.depth,
      service: meta.service,
      operation: meta.operation,
      countA: x?.count ?? 0,
      countB: y?.count ?? 0,
      meanA,
      meanB,
      status,
    };
  });
}
