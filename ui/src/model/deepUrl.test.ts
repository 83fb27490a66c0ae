import { expect, test } from 'vitest';
import { deepDependenciesParams } from '../api/client';
import { MONITOR_WINDOWS } from './metrics';
import {
  DEFAULT_DEEP_LIMIT,
  DEFAULT_DEEP_WINDOW,
  deepDependenciesUrl,
  deepQuery,
  deepSearchParams,
  deepWindowMs,
  parseDeepParams,
  type DeepParams,
} from './deepUrl';

const parse = (query: string) => parseDeepParams(new URLSearchParams(query));

test('defaults: all operations, the last 24 hours, 200 traces, per operation', () => {
  expect(parse('')).toEqual({ service: '', operation: '', lookback: '24h', limit: 200, showOperations: true });
  expect(DEFAULT_DEEP_WINDOW).toBe('24h');
  expect(DEFAULT_DEEP_LIMIT).toBe(200);
});

test('a state survives the URL', () => {
  const states: DeepParams[] = [
    { service: 'api', operation: 'GET /items?x=1&y', lookback: '1h', limit: 500, showOperations: false },
    { service: 'a b', operation: '', lookback: '24h', limit: 200, showOperations: true },
    { service: 'ü/ß', operation: 'op', lookback: '7d', limit: 1500, showOperations: true },
  ];
  for (const s of states) expect(parseDeepParams(deepSearchParams(s))).toEqual(s);
});

test('defaults are left out of the URL; the service never', () => {
  expect(deepDependenciesUrl({ service: 'api', operation: '', lookback: '24h', limit: 200, showOperations: true })).toBe(
    '/deep-dependencies?service=api',
  );
  expect(deepDependenciesUrl({ service: 'api', operation: 'GET /items', lookback: '5m' })).toBe(
    '/deep-dependencies?service=api&operation=GET+%2Fitems&lookback=5m',
  );
  expect(deepDependenciesUrl({ service: 'api', showOperations: false })).toBe('/deep-dependencies?service=api&showOperations=false');
  expect(deepDependenciesUrl({ service: '' })).toBe('/deep-dependencies');
});

test('unknown or out-of-range values fall back to the defaults; an operation needs a service', () => {
  expect(parse('service=s&lookback=3h&limit=0')).toMatchObject({ lookback: '24h', limit: 200 });
  expect(parse('service=s&limit=1501')).toMatchObject({ limit: 200 });
  expect(parse('service=s&limit=12.5')).toMatchObject({ limit: 200 });
  expect(parse('service=s&limit=7')).toMatchObject({ limit: 7 });
  expect(parse('service=s&showOperations=no')).toMatchObject({ showOperations: true });
  expect(parse('operation=x')).toMatchObject({ service: '', operation: '' });
});

test("every Monitor window is one of the view's, so its links keep their window", () => {
  for (const w of MONITOR_WINDOWS) expect(deepWindowMs(w.value)).toBe(w.ms);
  expect(deepWindowMs('7d')).toBe(7 * 86400e3);
  expect(deepWindowMs('3h')).toBeNull();
});

test('the request: the window ending now in whole milliseconds, no empty operation', () => {
  const now = 1_767_225_600_000.6;
  const q = deepQuery({ service: 'api', operation: '', lookback: '1h', limit: 500, showOperations: true }, now);
  expect(q).toEqual({ service: 'api', operation: '', start: now - 3600e3, end: now, limit: 500 });
  expect(deepDependenciesParams(q)).toEqual({
    service: 'api',
    operation: undefined,
    start: 1_767_222_000_000,
    end: 1_767_225_600_000,
    limit: 500,
  });
  expect(deepDependenciesParams({ ...q, operation: 'GET /x' }).operation).toBe('GET /x');
});
