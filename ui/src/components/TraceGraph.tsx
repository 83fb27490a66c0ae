import { useMemo } from 'react';
import { serviceColor } from '../model/colors';
import { formatDuration } from '../model/format';
import type { TraceModel } from '../model/trace';
import { DagView, type DagEdge, type DagNode } from './DagView';

/** The trace's calls grouped by service and operation, with call counts. */
export function TraceGraph({ model }: { model: TraceModel }) {
  const { nodes, edges } = useMemo(() => {
    const nodes = new Map<string, DagNode & { count: number; total: number }>();
    const edges = new Map<string, DagEdge & { count: number }>();
    const id = (service: string, op: string) => `${service}\u0000${op}`;
    for (const n of model.nodes) {
      const key = id(n.service, n.operation);
      let node = nodes.get(key);
      if (!node) nodes.set(key, (node = { id: key, label: n.service, color: serviceColor(n.service), count: 0, total: 0 }));
      node.count++;
      node.total += n.span.duration;
      if (n.hasError) node.error = true;
      if (n.parent) {
        const from = id(n.parent.service, n.parent.operation);
        const ek = `${from}\u0001${key}`;
        const e = edges.get(ek);
        if (e) e.count++;
        else edges.set(ek, { from, to: key, count: 1 });
      }
    }
    return {
      nodes: [...nodes.values()].map((n) => ({
        ...n,
        sublabel: `${n.id.split('\u0000')[1]} ×${n.count} · ${formatDuration(n.total)}`,
      })),
      edges: [...edges.values()].map((e) => ({ ...e, label: String(e.count) })),
    };
  }, [model]);
  return <DagView nodes={nodes} edges={edges} ariaLabel="Trace graph" />;
}
