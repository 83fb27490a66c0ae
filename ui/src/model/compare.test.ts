import { expect, test } from 'vitest';
import { compareTraces } from './compare';
import { buildTraceModel } from './trace';
import { makeTrace } from './testTraces';

test('matches spans by service and operation path and reports the rest', () => {
  const a = buildTraceModel(
    makeTrace([
      { id: 'r', op: 'GET', start: 0, duration: 100 },
      { id: 'x', parent: 'r', service: 'p2', op: 'auth', start: 1, duration: 10 },
      { id: 'y', parent: 'r', service: 'p3', op: 'select', start: 20, duration: 50 },
    ]),
  );
  const b = buildTraceModel(
    makeTrace(
      [
        { id: 'r', op: 'GET', start: 0, duration: 100 },
        { id: 'x', parent: 'r', service: 'p2', op: 'auth', start: 1, duration: 10 },
        { id: 'z', parent: 'r', service: 'p2', op: 'cache', start: 20, duration: 5 },
        { id: 'z2', parent: 'r', service: 'p2', op: 'auth', start: 40, duration: 10 },
      ],
      'def',
    ),
  );
  const rows = compareTraces(a, b);
  const by = (op: string) => rows.find((r) => r.operation === op)!;
  expect(by('GET').status).toBe('same');
  expect(by('auth')).toMatchObject({ countA: 1, countB: 2, status: 'changed' });
  expect(by('select')).toMatchObject({ status: 'only-a', meanB: null });
  expect(by('cache')).toMatchObject({ status: 'only-b', countA: 0 });
  expect(rows[0].operation).toBe('GET'); // parents before children
});

test('a large duration change with equal counts is "changed"', () => {
  const a = buildTraceModel(makeTrace([{ id: 'r', start: 0, duration: 100 }]));
  const b = buildTraceModel(makeTrace([{ id: 'r', start: 0, duration: 300 }]));
  expect(compareTraces(a, b)[0]).toMatchObject({ status: 'changed', meanA: 100, meanB: 300 });
});
