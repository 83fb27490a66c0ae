import { expect, test } from 'vitest';
import { operationStats, selfTime, serviceStats } from './stats';
import { buildTraceModel } from './trace';
import { makeTrace } from './testTraces';

const model = () =>
  buildTraceModel(
    makeTrace([
      { id: 'r', start: 0, duration: 100, op: 'GET /' },
      { id: 'a', parent: 'r', service: 'p2', op: 'query', start: 10, duration: 30 },
      { id: 'b', parent: 'r', service: 'p2', op: 'query', start: 20, duration: 40 },
    ]),
  );

test('self time subtracts the union of overlapping children', () => {
  const m = model();
  expect(selfTime(m.byID.get('r')!)).toBe(100 - 50);
  expect(selfTime(m.byID.get('a')!)).toBe(30);
});

test('operation stats group by service and operation', () => {
  const ops = operationStats(model());
  const q = ops.find((o) => o.operation === 'query')!;
  expect(q).toMatchObject({ service: 'backend', count: 2, total: 70, min: 30, max: 40, avg: 35, selfTotal: 70 });
  expect(ops.find((o) => o.operation === 'GET /')!.selfShare).toBeCloseTo(0.5);
});

test('service stats sum operations', () => {
  const s = serviceStats(model());
  expect(s.map((x) => [x.service, x.count])).toEqual([
    ['backend', 2],
    ['frontend', 1],
  ]);
});
