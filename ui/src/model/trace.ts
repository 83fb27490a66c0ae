// The span tree of one trace and the figures every view shows: services,
// depth, errors, time bounds. Built once per trace in O(n log n).

import type { KeyValue, Process, Span, Trace } from '../api/types';

export interface SpanNode {
  span: Span;
  spanID: string;
  service: string;
  operation: string;
  process: Process;
  /** Parent inside this trace, or null for roots (including orphans). */
  parent: SpanNode | null;
  children: SpanNode[];
  depth: number;
  /** Position in depth-first order (the timeline's row order). */
  index: number;
  hasError: boolean;
  /** Number of spans below this one. */
  descendants: number;
  startTime: number;
  endTime: number;
}

export interface ServiceSummary {
  name: string;
  spans: number;
  errors: number;
}

export interface TraceModel {
  traceID: string;
  trace: Trace;
  /** Every span in depth-first order, children by start time. */
  nodes: SpanNode[];
  byID: Map<string, SpanNode>;
  roots: SpanNode[];
  startTime: number;
  endTime: number;
  duration: number;
  /** Number of levels of the tree (1 for a single span). */
  depth: number;
  services: ServiceSummary[];
  errorCount: number;
  rootService: string;
  rootOperation: string;
  /** Spans whose parent is not in the trace. */
  orphans: number;
}

export const UNKNOWN_SERVICE = 'unknown-service';

export function tagValue(tags: KeyValue[] | null | undefined, key: string): KeyValue['value'] | undefined {
  if (!tags) return undefined;
  for (const t of tags) if (t.key === key) return t.value;
  return undefined;
}

/** True when a span is marked failed: `error=true` or OTLP status ERROR. */
export function spanHasError(span: Span): boolean {
  const err = tagValue(span.tags, 'error');
  if (err === true || err === 'true') return true;
  return tagValue(span.tags, 'otel.status_code') === 'ERROR';
}

/** span.kind tag, if any. */
export function spanKind(span: Span): string | undefined {
  const v = tagValue(span.tags, 'span.kind');
  return v === undefined ? undefined : String(v);
}

/**
 * The parent span ID inside the trace: the first CHILD_OF reference, else
 * the first FOLLOWS_FROM, as long as it names a span of this trace.
 */
function parentID(span: Span, known: Map<string, Span>): string | null {
  const refs = span.references ?? [];
  for (const type of ['CHILD_OF', 'FOLLOWS_FROM'] as const) {
    for (const r of refs) {
      if (r.refType === type && r.spanID !== span.spanID && known.has(r.spanID)) return r.spanID;
    }
  }
  return null;
}

export function buildTraceModel(trace: Trace): TraceModel {
  const spans = trace.spans ?? [];
  const processes = trace.processes ?? {};
  const bySpanID = new Map<string, Span>();
  for (const s of spans) if (!bySpanID.has(s.spanID)) bySpanID.set(s.spanID, s);

  const byID = new Map<string, SpanNode>();
  const all: SpanNode[] = [];
  for (const span of spans) {
    const process = processes[span.processID] ?? { serviceName: UNKNOWN_SERVICE, tags: [] };
    const node: SpanNode = {
      span,
      spanID: span.spanID,
      service: process.serviceName || UNKNOWN_SERVICE,
      operation: span.operationName,
      process,
      parent: null,
      children: [],
      depth: 0,
      index: -1,
      hasError: spanHasError(span),
      descendants: 0,
      startTime: span.startTime,
      endTime: span.startTime + span.duration,
    };
    all.push(node);
    // A repeated span ID keeps its first node as the tree's anchor.
    if (!byID.has(span.spanID)) byID.set(span.spanID, node);
  }

  const roots: SpanNode[] = [];
  let orphans = 0;
  for (const node of all) {
    const pid = parentID(node.span, bySpanID);
    const parent = pid ? byID.get(pid) : undefined;
    if (parent && parent !== node) {
      node.parent = parent;
      parent.children.push(node);
    } else {
      if ((node.span.references ?? []).some((r) => r.refType === 'CHILD_OF')) orphans++;
      roots.push(node);
    }
  }

  const byStart = (a: SpanNode, b: SpanNode) => a.startTime - b.startTime || a.endTime - b.endTime;
  roots.sort(byStart);
  for (const node of all) if (node.children.length > 1) node.children.sort(byStart);

  // Depth-first order without recursion; the visited set breaks reference cycles.
  const nodes: SpanNode[] = [];
  const visited = new Set<SpanNode>();
  const visit = (start: SpanNode[]) => {
    const stack: SpanNode[] = [...start].reverse();
    for (const n of start) n.depth = 0;
    while (stack.length) {
      const node = stack.pop()!;
      if (visited.has(node)) continue;
      visited.add(node);
      node.index = nodes.length;
      nodes.push(node);
      for (let i = node.children.length - 1; i >= 0; i--) {
        const child = node.children[i];
        child.depth = node.depth + 1;
        stack.push(child);
      }
    }
  };
  visit(roots);
  // Spans caught in a cycle are unreachable from any root: show them as roots.
  for (const node of all) {
    if (!visited.has(node)) {
      if (node.parent) node.parent.children = node.parent.children.filter((c) => c !== node);
      node.parent = null;
      roots.push(node);
      visit([node]);
    }
  }
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i];
    if (n.parent) n.parent.descendants += n.descendants + 1;
  }

  let startTime = Infinity;
  let endTime = -Infinity;
  let depth = 0;
  let errorCount = 0;
  const services = new Map<string, ServiceSummary>();
  for (const n of nodes) {
    if (n.startTime < startTime) startTime = n.startTime;
    if (n.endTime > endTime) endTime = n.endTime;
    if (n.depth + 1 > depth) depth = n.depth + 1;
    if (n.hasError) errorCount++;
    let s = services.get(n.service);
    if (!s) services.set(n.service, (s = { name: n.service, spans: 0, errors: 0 }));
    s.spans++;
    if (n.hasError) s.errors++;
  }
  if (!nodes.length) {
    startTime = 0;
    endTime = 0;
  }
  const root = roots[0];
  return {
    traceID: trace.traceID,
    trace,
    nodes,
    byID,
    roots,
    startTime,
    endTime,
    duration: endTime - startTime,
    depth,
    services: [...services.values()].sort((a, b) => a.name.localeCompare(b.name)),
    errorCount,
    rootService: root?.service ?? UNKNOWN_SERVICE,
    rootOperation: root?.operation ?? '',
    orphans,
  };
}

/** "service: operation" of the root span, the name lists show. */
export function traceName(model: TraceModel): string {
  return model.nodes.length ? `${model.rootService}: ${model.rootOperation}` : '(empty trace)';
}

/** Timeline rows: every node in depth-first order except those below a collapsed one. */
export function visibleRows(model: TraceModel, collapsed: Set<string>): SpanNode[] {
  if (!collapsed.size) return model.nodes;
  const out: SpanNode[] = [];
  const nodes = model.nodes;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    out.push(n);
    if (collapsed.has(n.spanID)) i += n.descendants;
  }
  return out;
}
