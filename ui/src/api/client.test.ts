import { afterEach, expect, test, vi } from 'vitest';
import { archiveFailureText } from '../model/archive';
import { normaliseBasePath } from './basePath';
import { queryErrorOf } from '../model/queryFilter';
import { ApiRequestError, archiveTrace, filterQueryParams, findTraceSummaries, rfc3339, traceQueryParams } from './client';

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

afterEach(() => {
  vi.unstubAllGlobals();
});

/** The query API: fetch() answering every request with `status` and Jaeger's envelope. */
function answering(status: number, errors: { code: number; msg: string }[] | null = null) {
  const body = { data: errors ? null : [], total: 0, limit: 0, offset: 0, errors };
  const fetch = vi.fn(async (_input: string, _init?: RequestInit) => new Response(JSON.stringify(body), { status }));
  vi.stubGlobal('fetch', fetch);
  return fetch;
}

test('archiveTrace POSTs to /api/archive/{id} and resolves on 200', async () => {
  const fetch = answering(200);
  await expect(archiveTrace('abc123')).resolves.toBeUndefined();
  expect(fetch).toHaveBeenCalledTimes(1);
  const [input, init] = fetch.mock.calls[0];
  expect(input).toBe('/api/archive/abc123');
  expect(init?.method).toBe('POST');
});

test('archiveTrace rejects with the status and the message of the server', async () => {
  answering(501, [{ code: 501, msg: 'no archive storage is configured (--archive.span-storage.type)' }]);
  const error = await archiveTrace('abc123').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ApiRequestError);
  expect((error as ApiRequestError).status).toBe(501);
  expect((error as Error).message).toBe('HTTP 501: no archive storage is configured (--archive.span-storage.type)');

  answering(404, [{ code: 404, msg: 'trace not found' }]);
  const missing = await archiveTrace('abc123').catch((e: unknown) => e);
  expect(archiveFailureText(missing)).toBe('Cannot archive: no storage has this trace (HTTP 404: trace not found).');
});

test('a search with a query: RFC 3339 times to the microsecond, the limit as query.searchDepth', () => {
  expect(rfc3339(1_800_000_000_123_456)).toBe('2027-01-15T08:00:00.123456Z');
  expect(rfc3339(1_800_000_000_000_007.5)).toBe('2027-01-15T08:00:00.000007Z');
  expect(filterQueryParams({ filter: '{ status = error }', start: 1_800_000_000_000_000, end: 1_800_003_600_000_000, limit: 20 })).toEqual({
    'query.filter': '{ status = error }',
    'query.startTimeMin': '2027-01-15T08:00:00.000000Z',
    'query.startTimeMax': '2027-01-15T09:00:00.000000Z',
    'query.searchDepth': 20,
  });
});

test('findTraceSummaries reads /api/v3/trace-summaries; a bad query rejects with its position', async () => {
  const q = { filter: '{ duration > 5 }', start: 1_800_000_000_000_000, end: 1_800_003_600_000_000, limit: 20 };
  const ok = vi.fn(async (_input: string) => new Response(JSON.stringify({ summaries: [{ traceId: 'ab' }] }), { status: 200 }));
  vi.stubGlobal('fetch', ok);
  await expect(findTraceSummaries(q)).resolves.toEqual([{ traceId: 'ab' }]);
  const sent = new URL(ok.mock.calls[0][0], 'http://x');
  expect(sent.pathname).toBe('/api/v3/trace-summaries');
  expect(sent.searchParams.get('query.filter')).toBe('{ duration > 5 }');
  expect(sent.searchParams.get('query.searchDepth')).toBe('20');

  const message = "query.filter at 14: expected a duration with its unit (300ms, 1.5s, 2m), found '5'";
  const bad = vi.fn(async () => new Response(JSON.stringify({ error: { httpCode: 400, message } }), { status: 400 }));
  vi.stubGlobal('fetch', bad);
  const error = await findTraceSummaries(q).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ApiRequestError);
  expect((error as Error).message).toBe(`HTTP 400: ${message}`);
  expect(queryErrorOf(error)).toEqual({ message, position: 14 });
});
