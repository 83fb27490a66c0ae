// The paths of calls through a focal service (or one of its operations), as
// /api/deep-dependencies returns them, merged into a layered graph: callers
// to the left of the focal node by their distance from it, callees to the
// right. Each node stands for one service (or service and operation) at one
// distance, so a path never passes the same node twice.

import type { DeepDependencies } from '../api/types';

export interface PathStep {
  service: string;
  operation: string;
}

/** One distinct path from a root span to a leaf span, with the traces seen taking it. */
export interface CallPath {
  steps: PathStep[];
  traceIDs: string[];
}

/** The attribute key of an exemplar trace ID. */
export const EXEMPLAR_KEY = 'exemplar_trace_id';
/** The server keeps at most this many exemplars per path: a path with as many may have had more traces. */
export const EXEMPLAR_CAP = 20;

/** The paths of an answer; steps without a service and paths without steps are dropped, trace IDs de-duplicated. */
export function parseDeepDependencies(body: DeepDependencies | null | undefined): CallPath[] {
  const out: CallPath[] = [];
  for (const dep of body?.dependencies ?? []) {
    const steps = (dep.path ?? [])
      .filter((s) => s && typeof s.service === 'string' && s.service !== '')
      .map((s) => ({ service: s.service, operation: typeof s.operation === 'string' ? s.operation : '' }));
    if (!steps.length) continue;
    const ids = (dep.attributes ?? []).filter((a) => a?.key === EXEMPLAR_KEY && typeof a.value === 'string' && a.value !== '');
    out.push({ steps, traceIDs: [...new Set(ids.map((a) => a.value))] });
  }
  return out;
}

/** The centre of the graph: a service, and one of its operations or '' for all. */
export interface Focus {
  service: string;
  operation: string;
}

export function isFocus(step: PathStep, focus: Focus): boolean {
  return step.service === focus.service && (!focus.operation || step.operation === focus.operation);
}

/** The index of the first step that is the focus (the one nearest the root), or -1. */
export function focalIndex(steps: PathStep[], focus: Focus): number {
  return steps.findIndex((s) => isFocus(s, focus));
}

/** One node of the graph: a service (and operation) at a distance from the focal node. */
export interface GraphNode {
  id: string;
  service: string;
  /** null when nodes stand for whole services */
  operation: string | null;
  /** the operations of the service's spans merged into this node, sorted */
  operations: string[];
  /** negative upstream (callers), 0 the focal node, positive downstream (callees) */
  distance: number;
  focal: boolean;
  /** indices of the paths through this node */
  paths: number[];
  /** exemplar traces of those paths, in the order first seen */
  traceIDs: string[];
  /** whether a path through it reached the exemplar cap: there may be more traces */
  tracesCapped: boolean;
}

export interface GraphEdge {
  id: string;
  from: string;
  to: string;
  paths: number[];
  traceIDs: string[];
  tracesCapped: boolean;
}

export interface DeepGraph {
  /** columns left to right (upstream to downstream), nodes top to bottom */
  columns: Array<{ distance: number; nodes: GraphNode[] }>;
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** the input paths that went into the graph (those through the focus) */
  pathCount: number;
  traceCount: number;
}

export function nodeId(distance: number, service: string, operation: string | null): string {
  return JSON.stringify([distance, service, operation]);
}

interface Hop {
  service: string;
  operation: string | null;
  operations: string[];
}

/**
 * A path's steps as graph hops and the hop of each step. With operations
 * every step is a hop; without, consecutive steps of one service are one hop.
 */
export function hopsOf(steps: PathStep[], showOperations: boolean): { hops: Hop[]; hopOfStep: number[] } {
  const hops: Hop[] = [];
  const hopOfStep: number[] = [];
  for (const s of steps) {
    const last = hops[hops.length - 1];
    if (!showOperations && last && last.service === s.service) {
      if (!last.operations.includes(s.operation)) last.operations.push(s.operation);
    } else {
      hops.push({ service: s.service, operation: showOperations ? s.operation : null, operations: [s.operation] });
    }
    hopOfStep.push(hops.length - 1);
  }
  return { hops, hopOfStep };
}

function addTraces(target: { traceIDs: string[]; tracesCapped: boolean; seen: Set<string> }, path: CallPath) {
  for (const id of path.traceIDs) {
    if (!target.seen.has(id)) {
      target.seen.add(id);
      target.traceIDs.push(id);
    }
  }
  if (path.traceIDs.length >= EXEMPLAR_CAP) target.tracesCapped = true;
}

const byName = (a: GraphNode, b: GraphNode) =>
  a.service.localeCompare(b.service) || (a.operation ?? '').localeCompare(b.operation ?? '') || a.id.localeCompare(b.id);

/**
 * Orders each column by the mean position of its neighbours nearer the
 * focal column (fewer crossings), ties by name; the focal column by name.
 */
function orderColumns(columns: Map<number, GraphNode[]>, edges: GraphEdge[]): void {
  const position = new Map<string, number>();
  const place = (nodes: GraphNode[]) => nodes.forEach((n, i) => position.set(n.id, i));
  const focal = columns.get(0) ?? [];
  focal.sort(byName);
  place(focal);
  const neighbours = new Map<string, string[]>();
  const link = (a: string, b: string) => {
    const list = neighbours.get(a);
    if (list) list.push(b);
    else neighbours.set(a, [b]);
  };
  for (const e of edges) {
    link(e.from, e.to);
    link(e.to, e.from);
  }
  const distances = [...columns.keys()];
  for (const side of [1, -1]) {
    const ds = distances.filter((d) => d * side > 0).sort((a, b) => side * (a - b));
    for (const d of ds) {
      const nodes = columns.get(d)!;
      const centre = new Map<string, number>();
      for (const n of nodes) {
        const near = (neighbours.get(n.id) ?? []).map((id) => position.get(id)).filter((p): p is number => p !== undefined);
        centre.set(n.id, near.length ? near.reduce((s, p) => s + p, 0) / near.length : Infinity);
      }
      nodes.sort((a, b) => centre.get(a.id)! - centre.get(b.id)! || byName(a, b));
      place(nodes);
    }
  }
}

/** Merges the paths through the focus into a layered graph around it; paths not through it are left out. */
export function buildDeepGraph(paths: CallPath[], focus: Focus, showOperations: boolean): DeepGraph {
  type Acc<T> = T & { seen: Set<string> };
  const nodes = new Map<string, Acc<GraphNode>>();
  const edges = new Map<string, Acc<GraphEdge>>();
  const allTraces = new Set<string>();
  let pathCount = 0;
  paths.forEach((path, index) => {
    const at = focalIndex(path.steps, focus);
    if (at < 0) return;
    pathCount++;
    path.traceIDs.forEach((id) => allTraces.add(id));
    const { hops, hopOfStep } = hopsOf(path.steps, showOperations);
    const centre = hopOfStep[at];
    let previous: string | null = null;
    hops.forEach((hop, i) => {
      const distance = i - centre;
      const id = nodeId(distance, hop.service, hop.operation);
      let node = nodes.get(id);
      if (!node) {
        node = {
          id,
          service: hop.service,
          operation: hop.operation,
          operations: [],
          distance,
          focal: distance === 0,
          paths: [],
          traceIDs: [],
          tracesCapped: false,
          seen: new Set(),
        };
        nodes.set(id, node);
      }
      for (const op of hop.operations) if (!node.operations.includes(op)) node.operations.push(op);
      node.paths.push(index);
      addTraces(node, path);
      if (previous !== null) {
        const edgeId = JSON.stringify([previous, id]);
        let edge = edges.get(edgeId);
        if (!edge) {
          edge = { id: edgeId, from: previous, to: id, paths: [], traceIDs: [], tracesCapped: false, seen: new Set() };
          edges.set(edgeId, edge);
        }
        edge.paths.push(index);
        addTraces(edge, path);
      }
      previous = id;
    });
  });
  const strip = <T extends { seen: Set<string> }>({ seen: _seen, ...rest }: T): Omit<T, 'seen'> => rest;
  const nodeList: GraphNode[] = [...nodes.values()].map((n) => ({ ...strip(n), operations: [...n.operations].sort() }));
  const edgeList: GraphEdge[] = [...edges.values()].map(strip);
  const columns = new Map<number, GraphNode[]>();
  for (const n of nodeList) {
    const column = columns.get(n.distance);
    if (column) column.push(n);
    else columns.set(n.distance, [n]);
  }
  orderColumns(columns, edgeList);
  return {
    columns: [...columns.entries()].sort(([a], [b]) => a - b).map(([distance, ns]) => ({ distance, nodes: ns })),
    nodes: nodeList,
    edges: edgeList,
    pathCount,
    traceCount: allTraces.size,
  };
}

/** A count of traces as shown: "20+" when a path reached the exemplar cap. */
export function traceCountLabel(item: { traceIDs: string[]; tracesCapped: boolean }): string {
  return `${item.traceIDs.length}${item.tracesCapped ? '+' : ''}`;
}

/** A count with its noun: "1 path", "3 paths", "20+ traces" (shown is the count as written). */
export function countWord(count: number, word: string, shown: string = String(count)): string {
  return `${shown} ${shown === '1' ? word : `${word}s`}`;
}

/** The traces through a node or edge: "1 trace", "3 traces", "20+ traces". */
export function tracesText(item: { traceIDs: string[]; tracesCapped: boolean }): string {
  return countWord(item.traceIDs.length, 'trace', traceCountLabel(item));
}

/** The caption of a column: "focus", "1 hop upstream", "2 hops downstream". */
export function distanceLabel(distance: number): string {
  if (distance === 0) return 'focus';
  const n = Math.abs(distance);
  return `${n} ${n === 1 ? 'hop' : 'hops'} ${distance < 0 ? 'upstream' : 'downstream'}`;
}
