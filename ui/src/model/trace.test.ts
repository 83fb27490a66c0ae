import { describe, expect, test } from 'vitest';
import { buildTraceModel, spanHasError, traceName, visibleRows } from './trace';
import { makeTrace } from './testTraces';

describe('buildTraceModel', () => {
  test('orders spans depth-first with children by start time', () => {
    const m = buildTraceModel(
      makeTrace([
        { id: 'c2', parent: 'r', start: 50, duration: 10 },
        { id: 'r', start: 0, duration: 100 },
        { id: 'c1', parent: 'r', start: 10, duration: 20 },
        { id: 'g', parent: 'c1', start: 12, duration: 5 },
      ]),
    );
    expect(m.nodes.map((n) => n.spanID)).toEqual(['r', 'c1', 'g', 'c2']);
    expect(m.nodes.map((n) => n.depth)).toEqual([0, 1, 2, 1]);
    expect(m.depth).toBe(3);
    expect(m.byID.get('r')!.descendants).toBe(3);
    expect(m.duration).toBe(100);
    expect(traceName(m)).toBe('frontend: op-r');
  });

  test('a span whose parent is missing becomes a root and is counted as an orphan', () => {
    const m = buildTraceModel(
      makeTrace([
        { id: 'a', start: 0, duration: 10 },
        { id: 'b', parent: 'gone', start: 5, duration: 1 },
      ]),
    );
    expect(m.roots.map((r) => r.spanID)).toEqual(['a', 'b']);
    expect(m.orphans).toBe(1);
  });

  test('FOLLOWS_FROM makes a parent when there is no CHILD_OF', () => {
    const m = buildTraceModel(
      makeTrace([
        { id: 'a', start: 0, duration: 10 },
        { id: 'b', follows: 'a', start: 20, duration: 1 },
      ]),
    );
    expect(m.byID.get('b')!.parent?.spanID).toBe('a');
  });

  test('a reference cycle does not hang and keeps every span', () => {
    const m = buildTraceModel(
      makeTrace([
        { id: 'a', parent: 'b', start: 0, duration: 10 },
        { id: 'b', parent: 'a', start: 1, duration: 1 },
      ]),
    );
    expect(m.nodes).toHaveLength(2);
  });

  test('counts spans and errors per service', () => {
    const m = buildTraceModel(
      makeTrace([
        { id: 'r', start: 0, duration: 10 },
        { id: 'x', parent: 'r', service: 'p2', start: 1, duration: 1, tags: [{ key: 'error', type: 'bool', value: true }] },
        { id: 'y', parent: 'r', service: 'p2', start: 2, duration: 1, tags: [{ key: 'otel.status_code', value: 'ERROR' }] },
      ]),
    );
    expect(m.services).toEqual([
      { name: 'backend', spans: 2, errors: 2 },
      { name: 'frontend', spans: 1, errors: 0 },
    ]);
    expect(m.errorCount).toBe(2);
  });

  test('builds a tree of 10,008 spans in depth-first order', () => {
    const specs = Array.from({ length: 10_008 }, (_, i) => ({
      id: `s${i}`,
      parent: i ? `s${Math.floor((i - 1) / 3)}` : undefined,
      start: i,
      duration: 10,
    }));
    const m = buildTraceModel(makeTrace(specs));
    expect(m.nodes).toHaveLength(10_008);
    expect(m.nodes[0].spanID).toBe('s0');
    expect(m.nodes[0].descendants).toBe(10_007);
    for (const node of m.nodes) {
      if (!node.parent) continue;
      expect(node.parent.index).toBeLessThan(node.index);
      expect(node.depth).toBe(node.parent.depth + 1);
    }
  });
});

test('spanHasError accepts error=true as bool or string', () => {
  const base = makeTrace([{ id: 'a', start: 0, duration: 1 }]).spans[0];
  expect(spanHasError({ ...base, tags: [{ key: 'error', value: 'true' }] })).toBe(true);
  expect(spanHasError({ ...base, tags: [{ key: 'error', value: false }] })).toBe(false);
  expect(spanHasError({ ...base, tags: null })).toBe(false);
});

test('visibleRows skips everything below a collapsed span', () => {
  const m = buildTraceModel(
    makeTrace([
      { id: 'r', start: 0, duration: 100 },
      { id: 'a', parent: 'r', start: 1, duration: 10 },
      { id: 'a1', parent: 'a', start: 2, duration: 1 },
      { id: 'a2', parent: 'a1', start: 3, duration: 1 },
      { id: 'b', parent: 'r', start: 20, duration: 10 },
    ]),
  );
  expect(visibleRows(m, new Set(['a'])).map((n) => n.spanID)).toEqual(['r', 'a', 'b']);
  expect(visibleRows(m, new Set(['r'])).map((n) => n.spanID)).toEqual(['r']);
  expect(visibleRows(m, new Set())).toHaveLength(5);
});
