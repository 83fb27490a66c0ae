import { expect, test } from 'vitest';
import { criticalPath } from './criticalPath';
import { buildTraceModel } from './trace';
import { makeTrace } from './testTraces';

test('sequential children are both on the path, with the parent filling the gaps', () => {
  const m = buildTraceModel(
    makeTrace([
      { id: 'r', start: 0, duration: 100 },
      { id: 'a', parent: 'r', start: 10, duration: 30 },
      { id: 'b', parent: 'r', start: 50, duration: 40 },
    ]),
  );
  expect(criticalPath(m)).toEqual([
    { spanID: 'r', start: 0, end: 10 },
    { spanID: 'a', start: 10, end: 40 },
    { spanID: 'r', start: 40, end: 50 },
    { spanID: 'b', start: 50, end: 90 },
    { spanID: 'r', start: 90, end: 100 },
  ]);
});

test('of two parallel children the one ending last wins', () => {
  const m = buildTraceModel(
    makeTrace([
      { id: 'r', start: 0, duration: 100 },
      { id: 'short', parent: 'r', start: 10, duration: 20 },
      { id: 'long', parent: 'r', start: 10, duration: 80 },
    ]),
  );
  const spans = new Set(criticalPath(m).map((s) => s.spanID));
  expect(spans.has('long')).toBe(true);
  expect(spans.has('short')).toBe(false);
});

test('a child outliving its parent is clipped to the parent', () => {
  const m = buildTraceModel(
    makeTrace([
      { id: 'r', start: 0, duration: 50 },
      { id: 'c', parent: 'r', start: 20, duration: 100 },
    ]),
  );
  expect(criticalPath(m)).toEqual([
    { spanID: 'r', start: 0, end: 20 },
    { spanID: 'c', start: 20, end: 50 },
  ]);
});

test('the path covers the root exactly once', () => {
  const specs = Array.from({ length: 200 }, (_, i) => ({
    id: `s${i}`,
    parent: i ? `s${Math.floor((i - 1) / 2)}` : undefined,
    start: i,
    duration: 1000 - i * 4,
  }));
  const m = buildTraceModel(makeTrace(specs));
  const total = criticalPath(m).reduce((sum, s) => sum + (s.end - s.start), 0);
  expect(total).toBe(1000);
});
