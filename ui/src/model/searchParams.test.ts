import { expect, test } from 'vitest';
import { emptyForm, formFromUrl, formToQuery, formToUrl, queryFromUrl, queryToApi, queryToUrl } from './searchParams';

const NOW = 1_800_000_000_000_000;

test('a relative lookback becomes start and end in the URL', () => {
  const p = formToUrl({ ...emptyForm(), service: 'svc', lookback: '2h', tags: 'error=true' }, NOW);
  expect(p.get('service')).toBe('svc');
  expect(p.get('end')).toBe(String(NOW));
  expect(p.get('start')).toBe(String(NOW - 2 * 3600e6));
  expect(JSON.parse(p.get('tags')!)).toEqual({ error: 'true' });
  expect(p.get('limit')).toBe('20');
});

test('the URL reads back into the same form', () => {
  const form = {
    ...emptyForm(),
    service: 's',
    operation: 'GET /x',
    spanKind: 'server' as const,
    tags: 'a=1 b="x y"',
    minDuration: '1ms',
    maxDuration: '2s',
    limit: 50,
  };
  const back = formFromUrl(formToUrl(form, NOW));
  expect(back).toMatchObject({
    service: 's',
    operation: 'GET /x',
    spanKind: 'server',
    tags: 'a=1 b="x y"',
    minDuration: '1ms',
    maxDuration: '2s',
    limit: 50,
  });
});

test('Jaeger UI URLs (tags as JSON) are understood', () => {
  const f = formFromUrl(new URLSearchParams('service=a&tags=%7B%22http.status_code%22%3A%22500%22%7D&lookback=7d&limit=5000'));
  expect(f.tags).toBe('http.status_code=500');
  expect(f.lookback).toBe('7d');
  expect(f.limit).toBe(1500);
});

test('tags typed as logfmt in the URL work too, and bad lookbacks fall back', () => {
  const f = formFromUrl(new URLSearchParams('service=a&tags=error%3Dtrue&lookback=99y'));
  expect(f.tags).toBe('error=true');
  expect(f.lookback).toBe('1h');
});

test('formToQuery turns the form into API parameters', () => {
  const q = formToQuery({ ...emptyForm(), service: 's', tags: 'error=true', start: 10, end: 20 }, NOW);
  expect(q).toMatchObject({ service: 's', tags: { error: 'true' }, start: 10, end: 20, limit: 20 });
  const open = formToQuery({ ...emptyForm(), service: 's' }, NOW);
  expect(open.end! - open.start!).toBe(3600e6);
});

test('a search with a query keeps the query, the time window and the limit in the URL', () => {
  const query = '{ resource.service.name = "frontend" } >> { status = error }';
  const p = queryToUrl(query, { ...emptyForm(), service: 'ignored', tags: 'a=1', lookback: '2h', limit: 50 }, NOW);
  expect([...p.keys()].sort()).toEqual(['end', 'limit', 'lookback', 'query', 'start']);
  expect(queryFromUrl(p)).toBe(query);
  expect(p.get('start')).toBe(String(NOW - 2 * 3600e6));
  expect(p.get('end')).toBe(String(NOW));
  const back = formFromUrl(p);
  expect(back).toMatchObject({ service: '', lookback: '2h', start: NOW - 2 * 3600e6, end: NOW, limit: 50 });
  expect(queryToApi(query, back, NOW + 5)).toEqual({ filter: query, start: NOW - 2 * 3600e6, end: NOW, limit: 50 });
  // A custom range is kept as given; without start and end, the lookback ends now.
  const custom = queryToUrl('{ }', { ...emptyForm(), lookback: 'custom', start: 10, end: 20 }, NOW);
  expect([custom.get('start'), custom.get('end')]).toEqual(['10', '20']);
  expect(queryToApi('{ }', formFromUrl(new URLSearchParams('query=%7B%20%7D&lookback=15m')), NOW)).toEqual({
    filter: '{ }',
    start: NOW - 15 * 60e6,
    end: NOW,
    limit: 20,
  });
  expect(queryFromUrl(formToUrl({ ...emptyForm(), service: 's' }, NOW))).toBeNull();
});
