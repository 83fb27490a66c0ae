import { expect, test } from 'vitest';
import { findSpans } from './find';
import { buildTraceModel } from './trace';
import { makeTrace } from './testTraces';

test('finds by operation, service, tag value and span ID; all terms must match', () => {
  const m = buildTraceModel(
    makeTrace([
      { id: 'aaaa', op: 'GET /users', start: 0, duration: 10 },
      { id: 'bbbb', parent: 'aaaa', service: 'p2', op: 'select', start: 1, duration: 1, tags: [{ key: 'db.table', value: 'users' }] },
    ]),
  );
  expect([...findSpans(m, 'users')]).toEqual(['aaaa', 'bbbb']);
  expect([...findSpans(m, 'backend users')]).toEqual(['bbbb']);
  expect([...findSpans(m, 'bbbb')]).toEqual(['bbbb']);
  expect(findSpans(m, '  ').size).toBe(0);
});
