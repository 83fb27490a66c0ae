import { expect, test } from 'vitest';
import { normaliseBasePath } from './basePath';
import { traceQueryParams } from './client';

test('base path normalisation', () => {
  expect(normaliseBasePath('/')).toBe('');
  expect(normaliseBasePath('/jaeger/')).toBe('/jaeger');
  expect(normaliseBasePath('jaeger')).toBe('/jaeger');
  expect(normaliseBasePath('http://host:1/a/b/')).toBe('/a/b');
});

test('search parameters send tags as a JSON object', () => {
  const p = traceQueryParams({ service: 's', tags: { error: 'true' }, limit: 20, start: 1, end: 2 });
  expect(p).toMatchObject({ service: 's', tags: '{"error":"true"}', limit: 20, start: 1, end: 2 });
  expect(traceQueryParams({ service: 's', tags: {} }).tags).toBeUndefined();
});

test('trace IDs are taken from /trace/{id} paths only', async () => {
  const { traceIDFromPath } = await import('./traceLoader');
  expect(traceIDFromPath('/trace/ABCdef0123')).toBe('abcdef0123');
  expect(traceIDFromPath('/trace/abc...def')).toBeNull();
  expect(traceIDFromPath('/search')).toBeNull();
});

test('metrics parameters: whole milliseconds, groupByOperation as text, quantile only when given', async () => {
  const { metricsQueryParams } = await import('./client');
  const base = {
    service: 's',
    spanKind: 'server' as const,
    groupByOperation: true,
    endTs: 1000.7,
    lookback: 3600e3,
    step: 60e3,
    ratePer: 600e3,
  };
  expect(metricsQueryParams(base)).toEqual({
    service: 's',
    spanKind: 'server',
    groupByOperation: 'true',
    quantile: undefined,
    endTs: 1000,
    lookback: 3600000,
    step: 60000,
    ratePer: 600000,
  });
  expect(metricsQueryParams({ ...base, groupByOperation: false, quantile: 0.95 })).toMatchObject({
    groupByOperation: 'false',
    quantile: 0.95,
  });
});
