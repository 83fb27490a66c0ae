import { expect, test } from 'vitest';
import { fromV3Summary } from './traceSummary';

test('a summary of /api/v3/trace-summaries is a result row, its nanoseconds in whole µs', () => {
  const row = fromV3Summary({
    traceId: '0af7651916cd43dd8448eb211c80319c',
    rootServiceName: 'frontend',
    rootOperationName: 'GET /cart',
    minStartTimeUnixNano: '1800000000123456789',
    maxEndTimeUnixNano: '1800000002623456999',
    spanCount: 3,
    errorSpanCount: '1',
    services: [
      { name: 'api', spanCount: 2, errorSpanCount: 1 },
      { name: 'frontend', spanCount: '1' },
    ],
  });
  expect(row).toEqual({
    traceID: '0af7651916cd43dd8448eb211c80319c',
    name: 'frontend: GET /cart',
    startTime: 1800000000123456,
    duration: 2500000,
    spans: 3,
    errors: 1,
    services: [
      { name: 'api', spans: 2, errors: 1 },
      { name: 'frontend', spans: 1, errors: 0 },
    ],
  });
  expect(fromV3Summary({ traceId: 'ab', spanCount: 0 })).toMatchObject({ name: '(empty trace)', startTime: 0, duration: 0, services: [] });
  expect(fromV3Summary({ traceId: 'ab', spanCount: 1, rootServiceName: '', rootOperationName: 'op' }).name).toBe('unknown-service: op');
});
