// A directed graph laid out with dagre and drawn as SVG. Labels are SVG
// text nodes, so names from span data stay text.

import dagre from '@dagrejs/dagre';
import { useMemo } from 'react';

export interface DagNode {
  id: string;
  label: string;
  sublabel?: string;
  color?: string;
  error?: boolean;
}

export interface DagEdge {
  from: string;
  to: string;
  label?: string;
}

const NODE_H = 44;
const CHAR_W = 7.6; // at 12px, bold

interface Props {
  nodes: DagNode[];
  edges: DagEdge[];
  ariaLabel: string;
  /** Called with a node's id when it is clicked; nodes are plain when absent. */
  onNodeClick?: (id: string) => void;
}

export function DagView({ nodes, edges, ariaLabel, onNodeClick }: Props) {
  const layout = useMemo(() => {
    const g = new dagre.graphlib.Graph({ multigraph: false });
    g.setGraph({ rankdir: 'TB', nodesep: 30, ranksep: 50, marginx: 10, marginy: 10 });
    g.setDefaultEdgeLabel(() => ({}));
    for (const n of nodes) {
      const width = Math.max(80, Math.max(n.label.length, (n.sublabel ?? '').length) * CHAR_W + 26);
      g.setNode(n.id, { width, height: NODE_H });
    }
    for (const e of edges)
      if (e.from !== e.to) g.setEdge(e.from, e.to, { label: e.label ?? '', width: (e.label?.length ?? 0) * 7, height: 14 });
    dagre.layout(g);
    const graph = g.graph();
    return {
      width: (graph.width ?? 0) + 20,
      height: (graph.height ?? 0) + 20,
      nodes: nodes.map((n) => ({ n, box: g.node(n.id) })),
      edges: edges
        .filter((e) => e.from !== e.to)
        .map((e) => ({
          e,
          points: g.edge(e.from, e.to)?.points ?? [],
          at: g.edge(e.from, e.to) as { x?: number; y?: number } | undefined,
        })),
    };
  }, [nodes, edges]);

  return (
    <div className="dag">
      <svg width={layout.width} height={layout.height} role="img" aria-label={ariaLabel}>
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" fill="var(--muted)" />
          </marker>
        </defs>
        {layout.edges.map(({ e, points, at }, i) => (
          <g key={i} className="dag-edge">
            <polyline
              points={points.map((p: { x: number; y: number }) => `${p.x},${p.y}`).join(' ')}
              fill="none"
              stroke="var(--muted)"
              markerEnd="url(#arrow)"
            />
            {e.label && at?.x !== undefined && (
              <text x={at.x} y={at.y} fontSize={11} textAnchor="middle" fill="var(--fg)">
                {e.label}
              </text>
            )}
          </g>
        ))}
        {layout.nodes.map(({ n, box }) => (
          <g
            key={n.id}
            transform={`translate(${box.x - box.width / 2},${box.y - box.height / 2})`}
            className="dag-node"
            data-node={n.label}
            onClick={onNodeClick ? () => onNodeClick(n.id) : undefined}
            style={onNodeClick ? { cursor: 'pointer' } : undefined}
          >
            <rect
              width={box.width}
              height={box.height}
              rx={6}
              fill="var(--panel)"
              stroke={n.error ? 'var(--error)' : (n.color ?? 'var(--accent)')}
              strokeWidth={2}
            />
            <rect width={6} height={box.height} rx={3} fill={n.color ?? 'var(--accent)'} />
            <text x={12} y={n.sublabel ? 18 : 27} fontSize={12} fill="var(--fg)" fontWeight={600}>
              {n.label}
            </text>
            {n.sublabel && (
              <text x={12} y={34} fontSize={11} fill="var(--muted)">
                {n.sublabel}
              </text>
            )}
          </g>
        ))}
      </svg>
    </div>
  );
}
