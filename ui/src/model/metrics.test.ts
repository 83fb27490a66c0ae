import { expect, test } from 'vitest';
import type { MetricFamily } from '../api/types';
import { formFromUrl, formToQuery } from './searchParams';
import { parseGoDuration } from './format';
import {
  MONITOR_KINDS,
  MONITOR_WINDOWS,
  failingTracesUrl,
  filterRows,
  formatPercent,
  formatRate,
  goDuration,
  mean,
  monitorKind,
  noMetricsText,
  normaliseImpact,
  operationRows,
  parseMetricFamily,
  ratePerFor,
  slowTracesUrl,
  sortRows,
  stepFor,
  type OperationRow,
  type Series,
} from './metrics';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function family(name: string, series: Array<{ op?: string; service?: string; points: Array<[string, number | string]> }>): MetricFamily {
  return {
    name,
    type: 'GAUGE',
    help: '',
    metrics: series.map((s) => ({
      labels: [{ name: 'service_name', value: s.service ?? 'svc' }, ...(s.op !== undefined ? [{ name: 'operation', value: s.op }] : [])],
      metricPoints: s.points.map(([timestamp, v]) => ({ gaugeValue: { doubleValue: v }, timestamp })),
    })),
  };
}

test('a metric family becomes series with labels and points in ms, in time order', () => {
  const series = parseMetricFamily(
    family('service_operation_call_rate', [
      {
        op: 'GET /a',
        points: [
          ['2026-01-01T00:01:00.500Z', 2],
          ['2026-01-01T00:00:00Z', 1.5],
        ],
      },
      { op: 'POST /b', service: 'other', points: [] },
    ]),
  );
  expect(series).toEqual([
    {
      service: 'svc',
      operation: 'GET /a',
      points: [
        { t: T0, v: 1.5 },
        { t: T0 + 60_500, v: 2 },
      ],
    },
    { service: 'other', operation: 'POST /b', points: [] },
  ]);
});

test('points without a finite value or a valid time are dropped; missing lists are empty', () => {
  const series = parseMetricFamily(
    family('service_latencies', [
      {
        points: [
          ['2026-01-01T00:00:00Z', 'NaN'],
          ['not a time', 3],
          ['2026-01-01T00:00:10Z', '4.5'],
          ['2026-01-01T00:00:20Z', 'Infinity'],
        ],
      },
    ]),
  );
  expect(series[0].operation).toBe('');
  expect(series[0].points).toEqual([{ t: T0 + 10_000, v: 4.5 }]);
  expect(parseMetricFamily({ name: 'x', type: 'GAUGE', help: '', metrics: null })).toEqual([]);
  expect(parseMetricFamily({ name: 'x', type: 'GAUGE', help: '', metrics: [{ labels: null, metricPoints: null }] })).toEqual([
    { service: '', operation: '', points: [] },
  ]);
  expect(parseMetricFamily(undefined)).toEqual([]);
});

test('mean of points', () => {
  expect(mean([])).toBeNull();
  expect(
    mean([
      { t: 1, v: 1 },
      { t: 2, v: 2 },
      { t: 3, v: 6 },
    ]),
  ).toBe(3);
});

test('impact is scaled between the smallest and the largest', () => {
  expect(normaliseImpact([])).toEqual([]);
  expect(normaliseImpact([7])).toEqual([1]);
  expect(normaliseImpact([0])).toEqual([0]);
  expect(normaliseImpact([3, 3])).toEqual([1, 1]);
  expect(normaliseImpact([2, 10, 6])).toEqual([0, 1, 0.5]);
});

const op = (operation: string, values: number[]): Series => ({
  service: 'svc',
  operation,
  points: values.map((v, i) => ({ t: T0 + i * 60_000, v })),
});

test('operation rows: means of the series, impact = latency × rate, scaled', () => {
  const rows = operationRows(
    [op('a', [1, 3]), op('b', [10]), op('c', [1])],
    [op('a', [0, 0.5]), op('b', [0])],
    [op('a', [100, 300]), op('b', [5]), op('c', [10])],
  );
  // raw impact: a 200 × 2 = 400, b 5 × 10 = 50, c 10 × 1 = 10
  expect(rows).toEqual([
    { name: 'a', p95: 200, rate: 2, errorRate: 0.25, impact: 1 },
    { name: 'b', p95: 5, rate: 10, errorRate: 0, impact: (50 - 10) / 390 },
    // no error series but calls: no errors
    { name: 'c', p95: 10, rate: 1, errorRate: 0, impact: 0 },
  ]);
});

test('an operation missing from some families gets null there and counts as 0 for impact', () => {
  const rows = operationRows([op('a', [2])], [], [op('b', [50])]);
  expect(rows).toEqual([
    { name: 'a', p95: null, rate: 2, errorRate: 0, impact: 0 },
    { name: 'b', p95: 50, rate: null, errorRate: null, impact: 0 },
  ]);
  expect(operationRows([op('only', [1])], [op('only', [0])], [op('only', [3])])[0].impact).toBe(1);
});

const rows: OperationRow[] = [
  { name: 'GET /b', p95: 20, rate: 1, errorRate: 0, impact: 0.2 },
  { name: 'GET /a', p95: 5, rate: 4, errorRate: 0.5, impact: 1 },
  { name: 'post /c', p95: null, rate: null, errorRate: null, impact: 0 },
  { name: 'GET /d', p95: 5, rate: 2, errorRate: 0.1, impact: 0.5 },
];
const names = (list: OperationRow[]) => list.map((r) => r.name);

test('sorting by each column, both ways; no value goes last, ties by name', () => {
  expect(names(sortRows(rows, 'impact', 'desc'))).toEqual(['GET /a', 'GET /d', 'GET /b', 'post /c']);
  expect(names(sortRows(rows, 'impact', 'asc'))).toEqual(['post /c', 'GET /b', 'GET /d', 'GET /a']);
  expect(names(sortRows(rows, 'name', 'asc'))).toEqual(['GET /a', 'GET /b', 'GET /d', 'post /c']);
  expect(names(sortRows(rows, 'name', 'desc'))).toEqual(['post /c', 'GET /d', 'GET /b', 'GET /a']);
  expect(names(sortRows(rows, 'p95', 'desc'))).toEqual(['GET /b', 'GET /a', 'GET /d', 'post /c']);
  expect(names(sortRows(rows, 'p95', 'asc'))).toEqual(['GET /a', 'GET /d', 'GET /b', 'post /c']);
  expect(names(sortRows(rows, 'rate', 'desc'))).toEqual(['GET /a', 'GET /d', 'GET /b', 'post /c']);
  expect(names(sortRows(rows, 'errorRate', 'asc'))).toEqual(['GET /b', 'GET /d', 'GET /a', 'post /c']);
  expect(names(rows), 'the input is left as it was').toEqual(['GET /b', 'GET /a', 'post /c', 'GET /d']);
});

test('filtering by a part of the name, ignoring case', () => {
  expect(names(filterRows(rows, 'get /'))).toEqual(['GET /b', 'GET /a', 'GET /d']);
  expect(names(filterRows(rows, '  POST '))).toEqual(['post /c']);
  expect(filterRows(rows, '')).toBe(rows);
  expect(filterRows(rows, 'nothing')).toEqual([]);
});

test('steps give at most 60 points and never go below the storage minimum', () => {
  expect(stepFor(5 * 60e3, 10e3)).toBe(10e3);
  expect(stepFor(3600e3, 10e3)).toBe(60e3);
  expect(stepFor(2 * 86400e3, 10e3)).toBe(3600e3);
  expect(stepFor(5 * 60e3, 30e3)).toBe(30e3);
  expect(stepFor(5 * 60e3, 0)).toBe(10e3);
  for (const w of MONITOR_WINDOWS) expect(w.ms / stepFor(w.ms, 10e3)).toBeLessThanOrEqual(60);
  expect(ratePerFor(10e3)).toBe(60e3);
  expect(ratePerFor(3600e3)).toBe(3600e3);
});

test('p95 as a Go duration the search accepts, rounded down', () => {
  expect(goDuration(1.2)).toBe('1.2ms');
  expect(goDuration(20.447232)).toBe('20.44ms');
  expect(goDuration(0.85)).toBe('850us');
  expect(goDuration(1500)).toBe('1.5s');
  expect(goDuration(125_000)).toBe('125s');
  expect(goDuration(0)).toBe('0ms');
  for (const ms of [0.0123, 0.85, 1.2, 20.447, 999.999, 1500, 86_400_000]) {
    const us = parseGoDuration(goDuration(ms));
    expect(us).not.toBeNull();
    expect(us!).toBeLessThanOrEqual(ms * 1000);
  }
});

const link = { service: 'shop', operation: 'GET /a b', window: '1h', endMs: 1_800_000_000_000, lookbackMs: 3600e3 };

test('the slow traces link is a search from p95 up in the same window', () => {
  const url = slowTracesUrl(link, 1.234);
  expect(url.startsWith('/search?')).toBe(true);
  const form = formFromUrl(new URLSearchParams(url.slice('/search?'.length)));
  expect(form).toMatchObject({
    service: 'shop',
    operation: 'GET /a b',
    lookback: '1h',
    start: (1_800_000_000_000 - 3600e3) * 1000,
    end: 1_800_000_000_000 * 1000,
    minDuration: '1.23ms',
    tags: '',
    limit: 20,
  });
  const query = formToQuery(form, 0);
  expect(query).toMatchObject({ start: (1_800_000_000_000 - 3600e3) * 1000, end: 1_800_000_000_000 * 1000, minDuration: '1.23ms' });
  expect(new URLSearchParams(slowTracesUrl(link, null).split('?')[1]).has('minDuration')).toBe(false);
});

test('the failing traces link searches error=true as the Jaeger UI writes tags', () => {
  const url = failingTracesUrl({ ...link, window: '5m', lookbackMs: 5 * 60e3 });
  const p = new URLSearchParams(url.split('?')[1]);
  expect(JSON.parse(p.get('tags')!)).toEqual({ error: 'true' });
  expect(p.has('minDuration')).toBe(false);
  const form = formFromUrl(p);
  expect(form).toMatchObject({ service: 'shop', operation: 'GET /a b', lookback: '5m', tags: 'error=true' });
  expect(formToQuery(form, 0).tags).toEqual({ error: 'true' });
});

test('every monitor window is a lookback the search page knows', () => {
  for (const w of MONITOR_WINDOWS) {
    expect(formFromUrl(new URLSearchParams({ service: 's', lookback: w.value })).lookback).toBe(w.value);
  }
});

test('rates and percentages for the table and the axes', () => {
  expect(formatRate(0)).toBe('0');
  expect(formatRate(0.3333333)).toBe('0.333');
  expect(formatRate(2)).toBe('2');
  expect(formatRate(12.345)).toBe('12.3');
  expect(formatRate(1234.5)).toBe('1235');
  expect(formatRate(1e-7)).toBe('0');
  expect(formatPercent(0)).toBe('0%');
  expect(formatPercent(0.0004)).toBe('<0.1%');
  expect(formatPercent(0.025)).toBe('2.5%');
  expect(formatPercent(0.5)).toBe('50%');
  expect(formatPercent(1)).toBe('100%');
});

test('span kinds: the search kinds and unspecified, which the metrics routes take as is', () => {
  expect(MONITOR_KINDS.map((k) => k.value)).toEqual(['server', 'client', 'producer', 'consumer', 'internal', 'unspecified']);
  expect(MONITOR_KINDS.find((k) => k.value === 'unspecified')?.label).toBe('unspecified (no kind)');
  expect(monitorKind('unspecified')).toBe('unspecified');
  expect(monitorKind('client')).toBe('client');
  expect(monitorKind(null)).toBe('server');
  expect(monitorKind('')).toBe('server');
  expect(monitorKind('SPAN_KIND_CLIENT')).toBe('server');
  expect(monitorKind('unspecified (no kind)')).toBe('server');
});

test('the notice without metrics names the kind, and where spans without one are', () => {
  expect(noMetricsText('demo', 'server')).toBe(
    "No server spans of demo in this window. Spans sent without a kind are listed under 'unspecified'.",
  );
  expect(noMetricsText('demo', 'unspecified')).toBe('No spans of demo without a kind in this window.');
});
