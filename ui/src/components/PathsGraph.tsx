// The layered graph of the paths through a focal node, drawn as SVG: one
// column per distance from the focal node (callers left, callees right),
// edges as curves whose width and number give the traces through the call.
// Names from span data are SVG text, never markup.

import { useMemo, type KeyboardEvent } from 'react';
import { serviceColor } from '../model/colors';
import { countWord, distanceLabel, traceCountLabel, tracesText, type DeepGraph, type GraphNode } from '../model/deepDependencies';

const NODE_H = 44;
const ROW_GAP = 14;
const COL_GAP = 110;
const HEADER = 28;
const PAD = 10;
const CHAR_W = 7.6; // 12px bold
const SUB_CHAR_W = 6.6; // 11px
const MIN_W = 110;
const MAX_W = 260;

/** The second line of a node: its operation, or those merged into it. */
export function nodeSublabel(n: GraphNode): string {
  if (n.operation !== null) return n.operation;
  return n.operations.length === 1 ? n.operations[0] : `${n.operations.length} operations`;
}

/** A readable name of a node: "api: GET /items, 1 hop downstream". */
export function nodeName(n: GraphNode): string {
  const what = n.operation !== null ? `${n.service}: ${n.operation}` : n.service;
  return `${what}, ${distanceLabel(n.distance)}`;
}

function fit(text: string, width: number, charW: number): string {
  const max = Math.floor((width - 20) / charW);
  return text.length > max ? `${text.slice(0, Math.max(1, max - 1))}…` : text;
}

interface Box {
  node: GraphNode;
  x: number;
  y: number;
  width: number;
}

function layout(graph: DeepGraph) {
  const rows = Math.max(1, ...graph.columns.map((c) => c.nodes.length));
  const height = HEADER + rows * (NODE_H + ROW_GAP) - ROW_GAP + 2 * PAD;
  const boxes = new Map<string, Box>();
  const headers: Array<{ distance: number; x: number }> = [];
  let x = PAD;
  for (const column of graph.columns) {
    const width = Math.min(
      MAX_W,
      Math.max(MIN_W, ...column.nodes.map((n) => Math.max(n.service.length * CHAR_W, nodeSublabel(n).length * SUB_CHAR_W) + 26)),
    );
    const offset = ((rows - column.nodes.length) * (NODE_H + ROW_GAP)) / 2;
    column.nodes.forEach((node, i) => boxes.set(node.id, { node, x, y: PAD + HEADER + offset + i * (NODE_H + ROW_GAP), width }));
    headers.push({ distance: column.distance, x: x + width / 2 });
    x += width + COL_GAP;
  }
  return { width: Math.max(x - COL_GAP + PAD, 200), height, boxes, headers };
}

interface Props {
  graph: DeepGraph;
  ariaLabel: string;
  /** the id of the selected node, whose paths stand out */
  selected: string | null;
  onSelect: (id: string | null) => void;
}

export function PathsGraph({ graph, ariaLabel, selected, onSelect }: Props) {
  const drawn = useMemo(() => layout(graph), [graph]);
  const maxTraces = Math.max(1, ...graph.edges.map((e) => e.traceIDs.length));
  const selectedNode = selected ? (drawn.boxes.get(selected)?.node ?? null) : null;
  const onPath = (paths: number[]) => !selectedNode || paths.some((p) => selectedNode.paths.includes(p));
  const key = (id: string) => (e: KeyboardEvent) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onSelect(id === selected ? null : id);
    }
  };

  return (
    <div className="paths-graph">
      <svg width={drawn.width} height={drawn.height} role="group" aria-label={ariaLabel}>
        <defs>
          <marker
            id="paths-arrow"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="8"
            markerHeight="8"
            markerUnits="userSpaceOnUse"
            orient="auto"
          >
            <path d="M 0 0 L 10 5 L 0 10 z" fill="var(--muted)" />
          </marker>
        </defs>
        {drawn.headers.map((h) => (
          <text key={h.distance} className="paths-column" x={h.x} y={PAD + 12} textAnchor="middle" fontSize={11} fill="var(--muted)">
            {distanceLabel(h.distance)}
          </text>
        ))}
        {graph.edges.map((e) => {
          const from = drawn.boxes.get(e.from)!;
          const to = drawn.boxes.get(e.to)!;
          const x1 = from.x + from.width;
          const y1 = from.y + NODE_H / 2;
          const x2 = to.x;
          const y2 = to.y + NODE_H / 2;
          const mid = (x1 + x2) / 2;
          const count = traceCountLabel(e);
          return (
            <g
              key={e.id}
              className={onPath(e.paths) ? 'paths-edge' : 'paths-edge dim'}
              data-from={e.from}
              data-to={e.to}
              data-traces={count}
            >
              <title>{`${nodeName(from.node)} → ${nodeName(to.node)}: ${tracesText(e)}, ${countWord(e.paths.length, 'path')}`}</title>
              <path
                d={`M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2 - 2} ${y2}`}
                fill="none"
                stroke="var(--muted)"
                strokeWidth={1.5 + (4.5 * e.traceIDs.length) / maxTraces}
                markerEnd="url(#paths-arrow)"
              />
              <text x={mid} y={(y1 + y2) / 2 - 4} fontSize={11} textAnchor="middle" className="paths-edge-label">
                {count}
              </text>
            </g>
          );
        })}
        {[...drawn.boxes.values()].map(({ node: n, x, y, width }) => {
          const color = serviceColor(n.service);
          const classes = ['paths-node', n.focal && 'focal', n.id === selected && 'selected', !onPath(n.paths) && 'dim'];
          return (
            <g
              key={n.id}
              transform={`translate(${x},${y})`}
              className={classes.filter(Boolean).join(' ')}
              role="button"
              tabIndex={0}
              aria-label={nodeName(n)}
              aria-pressed={n.id === selected}
              data-service={n.service}
              data-operation={n.operation ?? undefined}
              data-distance={n.distance}
              data-focal={n.focal ? 'true' : undefined}
              data-id={n.id}
              onClick={() => onSelect(n.id === selected ? null : n.id)}
              onKeyDown={key(n.id)}
            >
              <title>{`${nodeName(n)}\n${n.operations.join('\n')}\n${tracesText(n)}, ${countWord(n.paths.length, 'path')}`}</title>
              {n.id === selected && <rect className="paths-node-ring" x={-5} y={-5} width={width + 10} height={NODE_H + 10} rx={9} />}
              <rect className="paths-node-box" width={width} height={NODE_H} rx={6} stroke={n.focal ? undefined : color} />
              <rect width={6} height={NODE_H} rx={3} fill={color} />
              <text x={12} y={18} fontSize={12} fontWeight={600} fill="var(--fg)">
                {fit(n.service, width, CHAR_W)}
              </text>
              <text x={12} y={34} fontSize={11} fill="var(--muted)">
                {fit(nodeSublabel(n), width, SUB_CHAR_W)}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}
