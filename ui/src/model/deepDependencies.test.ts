import { expect, test } from 'vitest';
import {
  EXEMPLAR_CAP,
  buildDeepGraph,
  countWord,
  distanceLabel,
  focalIndex,
  hopsOf,
  nodeId,
  parseDeepDependencies,
  traceCountLabel,
  tracesText,
  type CallPath,
  type DeepGraph,
  type PathStep,
} from './deepDependencies';

const step = (text: string): PathStep => {
  const [service, operation = ''] = text.split(':');
  return { service, operation };
};
const path = (texts: string[], traceIDs: string[]): CallPath => ({ steps: texts.map(step), traceIDs });

/** The graph as {distance: ["service:operation" or "service", ...]} in column order. */
function columns(g: DeepGraph): Record<number, string[]> {
  return Object.fromEntries(
    g.columns.map((c) => [c.distance, c.nodes.map((n) => (n.operation === null ? n.service : `${n.service}:${n.operation}`))]),
  );
}

/** The edges as "from -> to" with the node ids decoded to "distance service:operation". */
function edges(g: DeepGraph): string[] {
  const name = (id: string) => {
    const [d, s, o] = JSON.parse(id) as [number, string, string | null];
    return `${d} ${o === null ? s : `${s}:${o}`}`;
  };
  return g.edges.map((e) => `${name(e.from)} -> ${name(e.to)}`).sort();
}

const node = (g: DeepGraph, distance: number, service: string, operation: string | null) =>
  g.nodes.find((n) => n.id === nodeId(distance, service, operation))!;

// web → api → stock, and web → api → pricing → stock; api's health check alone.
const SHOP = [
  path(['web:GET /shop', 'api:GET /items', 'stock:GET /stock'], ['t1', 't2', 't3']),
  path(['web:GET /shop', 'api:GET /items', 'pricing:GET /price', 'stock:GET /stock'], ['t1', 't2']),
  path(['api:GET /health'], ['t4']),
  path(['web:GET /about'], ['t5']),
];

test('the answer becomes paths with their exemplar traces', () => {
  const paths = parseDeepDependencies({
    dependencies: [
      {
        path: [
          { service: 'a', operation: 'x' },
          { service: 'b', operation: 'y' },
        ],
        attributes: [
          { key: 'exemplar_trace_id', value: 'aa' },
          { key: 'other', value: 'zz' },
          { key: 'exemplar_trace_id', value: 'bb' },
          { key: 'exemplar_trace_id', value: 'aa' },
        ],
      },
      { path: [], attributes: [{ key: 'exemplar_trace_id', value: 'cc' }] },
      { path: [{ service: 'c', operation: 'z' }], attributes: null },
      { path: null },
    ],
  });
  expect(paths).toEqual([
    { steps: [step('a:x'), step('b:y')], traceIDs: ['aa', 'bb'] },
    { steps: [step('c:z')], traceIDs: [] },
  ]);
  expect(parseDeepDependencies({ dependencies: null })).toEqual([]);
  expect(parseDeepDependencies(undefined)).toEqual([]);
});

test('several paths merge into layers: callers left, callees right, one node per operation and distance', () => {
  const g = buildDeepGraph(SHOP, { service: 'api', operation: '' }, true);
  expect(columns(g)).toEqual({
    [-1]: ['web:GET /shop'],
    0: ['api:GET /health', 'api:GET /items'],
    1: ['pricing:GET /price', 'stock:GET /stock'],
    2: ['stock:GET /stock'],
  });
  expect(edges(g)).toEqual([
    '-1 web:GET /shop -> 0 api:GET /items',
    '0 api:GET /items -> 1 pricing:GET /price',
    '0 api:GET /items -> 1 stock:GET /stock',
    '1 pricing:GET /price -> 2 stock:GET /stock',
  ]);
  expect(g.pathCount).toBe(3); // web GET /about does not pass api
  expect(g.traceCount).toBe(4);
  expect(g.nodes.filter((n) => n.focal).map((n) => n.operation)).toEqual(['GET /items', 'GET /health']);
  const web = node(g, -1, 'web', 'GET /shop');
  expect(web.paths).toEqual([0, 1]);
  expect(web.focal).toBe(false);
  const items = g.edges.find((e) => e.to === nodeId(0, 'api', 'GET /items'))!;
  expect(items.paths).toEqual([0, 1]);
  expect(traceCountLabel(items)).toBe('3');
  expect(traceCountLabel(g.edges.find((e) => e.to === nodeId(2, 'stock', 'GET /stock'))!)).toBe('2');
});

test('focusing one operation keeps only the paths through it', () => {
  const g = buildDeepGraph(SHOP, { service: 'api', operation: 'GET /health' }, true);
  expect(columns(g)).toEqual({ 0: ['api:GET /health'] });
  expect(g.edges).toEqual([]);
  expect(g.pathCount).toBe(1);
});

test('the focal node at the root has no callers; at a leaf no callees', () => {
  const atRoot = buildDeepGraph(SHOP, { service: 'web', operation: 'GET /shop' }, true);
  expect(atRoot.columns.map((c) => c.distance)).toEqual([0, 1, 2, 3]);
  expect(columns(atRoot)[0]).toEqual(['web:GET /shop']);
  expect(columns(atRoot)[3]).toEqual(['stock:GET /stock']);

  const atLeaf = buildDeepGraph(SHOP, { service: 'stock', operation: 'GET /stock' }, true);
  expect(columns(atLeaf)).toEqual({
    [-3]: ['web:GET /shop'],
    [-2]: ['web:GET /shop', 'api:GET /items'],
    [-1]: ['api:GET /items', 'pricing:GET /price'],
    0: ['stock:GET /stock'],
  });
  expect(node(atLeaf, 0, 'stock', 'GET /stock').paths).toEqual([0, 1]);
  expect(edges(atLeaf)).toContain('-2 api:GET /items -> -1 pricing:GET /price');
  expect(edges(atLeaf)).toContain('-2 web:GET /shop -> -1 api:GET /items');
});

test('a service repeated on one path: the occurrence nearest the root is the focus, later ones are nodes of their own', () => {
  const paths = [path(['a:in', 'b:call', 'a:callback', 'c:leaf'], ['t1'])];
  expect(focalIndex(paths[0].steps, { service: 'a', operation: '' })).toBe(0);
  const g = buildDeepGraph(paths, { service: 'a', operation: '' }, true);
  expect(columns(g)).toEqual({ 0: ['a:in'], 1: ['b:call'], 2: ['a:callback'], 3: ['c:leaf'] });
  expect(g.nodes.filter((n) => n.focal).map((n) => n.operation)).toEqual(['in']);

  // Focused on the callback, the first a is a caller.
  const cb = buildDeepGraph(paths, { service: 'a', operation: 'callback' }, true);
  expect(columns(cb)).toEqual({ [-2]: ['a:in'], [-1]: ['b:call'], 0: ['a:callback'], 1: ['c:leaf'] });

  const around = buildDeepGraph([path(['a:x', 'b:y', 'a:z'], ['t'])], { service: 'b', operation: '' }, true);
  expect(columns(around)).toEqual({ [-1]: ['a:x'], 0: ['b:y'], 1: ['a:z'] });
});

test('per service: consecutive spans of one service are one node, with their operations', () => {
  const steps = ['web:GET /shop', 'api:GET /items', 'api:GET /internal', 'stock:GET /stock'].map(step);
  expect(hopsOf(steps, false).hopOfStep).toEqual([0, 1, 1, 2]);
  expect(hopsOf(steps, true).hopOfStep).toEqual([0, 1, 2, 3]);

  const paths = [
    path(['web:GET /shop', 'api:GET /items', 'api:GET /internal', 'stock:GET /stock'], ['t1']),
    path(['web:GET /shop', 'api:GET /items', 'pricing:GET /price'], ['t2']),
    path(['api:GET /health'], ['t3']),
  ];
  const g = buildDeepGraph(paths, { service: 'api', operation: '' }, false);
  expect(columns(g)).toEqual({ [-1]: ['web'], 0: ['api'], 1: ['pricing', 'stock'] });
  const api = node(g, 0, 'api', null);
  expect(api.focal).toBe(true);
  expect(api.operations).toEqual(['GET /health', 'GET /internal', 'GET /items']);
  expect(api.traceIDs).toEqual(['t1', 't2', 't3']);
  expect(edges(g)).toEqual(['-1 web -> 0 api', '0 api -> 1 pricing', '0 api -> 1 stock']);

  // The same paths per operation: the inner call is a hop of its own.
  const ops = buildDeepGraph(paths, { service: 'api', operation: '' }, true);
  expect(columns(ops)[1]).toEqual(['api:GET /internal', 'pricing:GET /price']);
  expect(columns(ops)[2]).toEqual(['stock:GET /stock']);

  // Focused on an operation inside a merged hop, the service is the centre.
  const inner = buildDeepGraph(paths, { service: 'api', operation: 'GET /internal' }, false);
  expect(columns(inner)).toEqual({ [-1]: ['web'], 0: ['api'], 1: ['stock'] });
  expect(node(inner, 0, 'api', null).operations).toEqual(['GET /internal', 'GET /items']);
});

test('exemplars: the traces of every path through a node or edge, once each, in the order seen; capped paths mark a lower bound', () => {
  const many = Array.from({ length: EXEMPLAR_CAP }, (_, i) => `m${i}`);
  const paths = [path(['a:x', 'b:y', 'c:z'], ['t1', 't2']), path(['a:x', 'b:y', 'd:w'], ['t2', 't3']), path(['a:x', 'b:y', 'c:z2'], many)];
  const g = buildDeepGraph(paths, { service: 'b', operation: '' }, true);
  const b = node(g, 0, 'b', 'y');
  expect(b.traceIDs).toEqual(['t1', 't2', 't3', ...many]);
  expect(b.tracesCapped).toBe(true);
  expect(traceCountLabel(b)).toBe(`${3 + EXEMPLAR_CAP}+`);
  const d = node(g, 1, 'd', 'w');
  expect(d.traceIDs).toEqual(['t2', 't3']);
  expect(d.tracesCapped).toBe(false);
  expect(traceCountLabel(d)).toBe('2');
  const toC = g.edges.find((e) => e.to === nodeId(1, 'c', 'z'))!;
  expect(toC.traceIDs).toEqual(['t1', 't2']);
  expect(g.traceCount).toBe(3 + EXEMPLAR_CAP);
});

test('columns are ordered to follow their neighbours nearer the focus', () => {
  const paths = [path(['z:1', 'f:a', 'q:1'], ['t1']), path(['a:1', 'f:b', 'p:1'], ['t2']), path(['m:1', 'f:c', 'b:1'], ['t3'])];
  const g = buildDeepGraph(paths, { service: 'f', operation: '' }, true);
  expect(columns(g)).toEqual({ [-1]: ['z:1', 'a:1', 'm:1'], 0: ['f:a', 'f:b', 'f:c'], 1: ['q:1', 'p:1', 'b:1'] });
});

test('no paths, or none through the focus, give an empty graph', () => {
  expect(buildDeepGraph([], { service: 'x', operation: '' }, true)).toEqual({
    columns: [],
    nodes: [],
    edges: [],
    pathCount: 0,
    traceCount: 0,
  });
  expect(buildDeepGraph(SHOP, { service: 'nobody', operation: '' }, false).nodes).toEqual([]);
});

test('column captions', () => {
  expect(distanceLabel(0)).toBe('focus');
  expect(distanceLabel(-1)).toBe('1 hop upstream');
  expect(distanceLabel(-3)).toBe('3 hops upstream');
  expect(distanceLabel(2)).toBe('2 hops downstream');
});

test('counts with their nouns', () => {
  expect(countWord(1, 'path')).toBe('1 path');
  expect(countWord(0, 'path')).toBe('0 paths');
  expect(countWord(3, 'trace')).toBe('3 traces');
  expect(tracesText({ traceIDs: ['a'], tracesCapped: false })).toBe('1 trace');
  expect(tracesText({ traceIDs: Array.from({ length: EXEMPLAR_CAP }, (_, i) => String(i)), tracesCapped: true })).toBe('20+ traces');
});
