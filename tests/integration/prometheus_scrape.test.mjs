// Span metrics on /metrics (--span-metrics.prometheus=true) read by a real
// Prometheus: spans with known kinds, statuses and durations are sent with
// the OpenTelemetry JS SDK, Prometheus scrapes spoor's admin port, and the
// queries Jaeger's SPM and dashboards run over the OpenTelemetry span-metrics
// series (calls by service and operation, error calls, histogram_quantile
// over the duration buckets) must give what was sent.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { OTLPTraceExporter as OTLPHttpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { exportSpans } from '../lib/otel_sdk.mjs';
import { startPrometheus } from '../lib/prometheus.mjs';
import { getMetrics, parseMetrics, startSpoor, tempDir, waitFor } from '../lib/spoor.mjs';

// The span-metrics connector's default bounds, in milliseconds.
const BOUNDS = [2, 4, 6, 8, 10, 50, 100, 200, 400, 800, 1000, 1400, 2000, 5000, 10000, 15000];
const ERROR = { code: SpanStatusCode.ERROR, message: 'failed' };
const OK = { code: SpanStatusCode.OK };

/**
 * Per service: [operation, kind, duration in ms, status]. Durations on a
 * bound (2, 10, 100 ms) belong to that bound's bucket (le is inclusive).
 */
const DATA = {
  shop: [
    ...[1, 2, 3, 5, 7, 9, 10, 30, 75, 100, 150, 350].map((ms, i) => [
      'GET /items',
      SpanKind.SERVER,
      ms,
      i === 4 || i === 9 ? ERROR : undefined,
    ]),
    ...[250, 600, 900, 1200, 1800, 3000].map((ms, i) => ['POST /order', SpanKind.SERVER, ms, i % 2 === 0 ? ERROR : OK]),
    ['fetch price', SpanKind.CLIENT, 4, undefined],
    ['fetch price', SpanKind.CLIENT, 12, ERROR],
    ['warm cache', SpanKind.INTERNAL, 2.5, undefined],
  ],
  billing: [20, 40, 60, 80, 95].map((ms, i) => ['charge', SpanKind.SERVER, ms, i === 2 ? ERROR : i === 3 ? OK : undefined]),
};

function specsOf(service) {
  const base = BigInt(Date.now() - 30_000) * 1_000_000n;
  return DATA[service].map(([name, kind, ms, status], i) => {
    const startNs = base + BigInt(i) * 100_000_000n;
    return { name, kind, status, startNs, endNs: startNs + BigInt(Math.round(ms * 1000)) * 1000n, service, ms };
  });
}

const ALL = Object.keys(DATA).flatMap((service) => DATA[service].map(([name, kind, ms, status]) => ({ service, name, kind, ms, status })));
const servers = ALL.filter((s) => s.kind === SpanKind.SERVER);

/** Counts of `spans` by "service|operation". */
function countBy(spans, key = (s) => `${s.service}|${s.name}`) {
  const counts = {};
  for (const s of spans) counts[key(s)] = (counts[key(s)] ?? 0) + 1;
  return counts;
}

/** A query's result vector as {"label|label": value}. */
const byLabels = (result, labels) => Object.fromEntries(result.map((r) => [labels.map((l) => r.metric[l]).join('|'), r.value]));

/** Prometheus' histogram_quantile over the connector's buckets of `durations`. */
function promHistogramQuantile(q, durations) {
  const upper = [...BOUNDS, Infinity];
  const cumulative = upper.map((le) => durations.filter((d) => d <= le).length);
  const n = cumulative.at(-1);
  let rank = q * n;
  const b = cumulative.findIndex((c) => c >= rank);
  if (b === upper.length - 1) return BOUNDS.at(-1);
  let start = 0;
  let count = cumulative[b];
  if (b > 0) {
    start = upper[b - 1];
    count -= cumulative[b - 1];
    rank -= cumulative[b - 1];
  }
  return start + (upper[b] - start) * (rank / count);
}

/** The (lower, upper] bucket holding the nearest-rank q-quantile of `durations`. */
function bucketOfQuantile(q, durations) {
  const sorted = [...durations].sort((a, b) => a - b);
  const exact = sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1];
  const i = BOUNDS.findIndex((le) => exact <= le);
  return { exact, lower: i <= 0 ? 0 : BOUNDS[i - 1], upper: BOUNDS[i] };
}

describe('span metrics scraped by Prometheus', () => {
  let spoor;
  let prometheus;
  before(async () => {
    spoor = await startSpoor({ storage: 'memory', flags: ['--span-metrics.prometheus=true', '--span-metrics.flush-interval=1s'] });
    prometheus = await startPrometheus({ dir: tempDir('spoor-prometheus-'), targets: [`127.0.0.1:${spoor.ports.admin}`] });
    for (const service of Object.keys(DATA)) {
      await exportSpans({
        exporter: new OTLPHttpProtoExporter({ url: `${spoor.baseUrls.otlpHttp}/v1/traces` }),
        service,
        specs: specsOf(service),
      });
    }
    // Spoor counts a span once it is stored; Prometheus sees it at a scrape.
    let seen;
    await waitFor(
      async () => {
        const [r] = await prometheus.query('sum(traces_span_metrics_calls_total)');
        seen = r?.value;
        return seen >= ALL.length;
      },
      { timeoutMs: 90_000, intervalMs: 500, description: `Prometheus to scrape the calls of all ${ALL.length} spans` },
    ).catch(async (err) => {
      err.message += `\ntargets: ${JSON.stringify(await prometheus.targets().catch(() => null))}\n${prometheus.log}`;
      throw err;
    });
    assert.equal(seen, ALL.length, 'every span counted once');
  });
  after(async () => {
    await prometheus?.stop();
    if (spoor) assert.equal(await spoor.stop(), 0, 'spoor exits 0 on SIGTERM');
  });

  test('the scrape of spoor is healthy', async () => {
    const up = await prometheus.query('up{job="spoor"}');
    assert.deepEqual(
      up.map((r) => [r.metric.instance, r.value]),
      [[`127.0.0.1:${spoor.ports.admin}`, 1]],
    );
    const [target] = await prometheus.targets();
    assert.equal(target.health, 'up', JSON.stringify(target));
    assert.equal(target.lastError, '');
  });

  test('calls by service and operation of the server spans', async () => {
    const result = await prometheus.query(
      'sum by (service_name, span_name) (traces_span_metrics_calls_total{span_kind="SPAN_KIND_SERVER"})',
    );
    assert.deepEqual(byLabels(result, ['service_name', 'span_name']), countBy(servers));
    assert.deepEqual(byLabels(result, ['service_name', 'span_name']), {
      'shop|GET /items': 12,
      'shop|POST /order': 6,
      'billing|charge': 5,
    });
  });

  test('error calls: status_code="STATUS_CODE_ERROR"', async () => {
    const result = await prometheus.query(
      'sum by (service_name, span_name) (traces_span_metrics_calls_total{span_kind="SPAN_KIND_SERVER", status_code="STATUS_CODE_ERROR"})',
    );
    const errors = servers.filter((s) => s.status?.code === SpanStatusCode.ERROR);
    assert.deepEqual(byLabels(result, ['service_name', 'span_name']), countBy(errors));
    assert.deepEqual(byLabels(result, ['service_name', 'span_name']), {
      'shop|GET /items': 2,
      'shop|POST /order': 3,
      'billing|charge': 1,
    });
    // Every span under exactly one status: unset, OK or error.
    const all = await prometheus.query(
      'sum by (service_name, span_name, span_kind, status_code) (traces_span_metrics_calls_total)',
    );
    const status = (s) =>
      ({ [SpanStatusCode.ERROR]: 'STATUS_CODE_ERROR', [SpanStatusCode.OK]: 'STATUS_CODE_OK' })[s.status?.code] ??
      'STATUS_CODE_UNSET';
    const kind = (s) => `SPAN_KIND_${SpanKind[s.kind]}`;
    assert.deepEqual(
      byLabels(all, ['service_name', 'span_name', 'span_kind', 'status_code']),
      countBy(ALL, (s) => `${s.service}|${s.name}|${kind(s)}|${status(s)}`),
    );
  });

  test('other span kinds carry their own span_kind label', async () => {
    const client = await prometheus.query(
      'sum by (service_name, span_name) (traces_span_metrics_calls_total{span_kind="SPAN_KIND_CLIENT"})',
    );
    assert.deepEqual(byLabels(client, ['service_name', 'span_name']), { 'shop|fetch price': 2 });
    const internal = await prometheus.query('sum by (span_name) (traces_span_metrics_calls_total{span_kind="SPAN_KIND_INTERNAL"})');
    assert.deepEqual(byLabels(internal, ['span_name']), { 'warm cache': 1 });
  });

  test('histogram_quantile over the duration buckets falls in the right bucket', async () => {
    const selectors = [
      ['shop', 'service_name="shop", span_kind="SPAN_KIND_SERVER"', (s) => s.service === 'shop' && s.kind === SpanKind.SERVER],
      [
        'shop GET /items',
        'service_name="shop", span_name="GET /items", span_kind="SPAN_KIND_SERVER"',
        (s) => s.service === 'shop' && s.name === 'GET /items',
      ],
      ['shop POST /order', 'service_name="shop", span_name="POST /order"', (s) => s.name === 'POST /order'],
      ['billing', 'service_name="billing", span_kind="SPAN_KIND_SERVER"', (s) => s.service === 'billing'],
      ['all server spans', 'span_kind="SPAN_KIND_SERVER"', (s) => s.kind === SpanKind.SERVER],
    ];
    for (const [what, selector, pick] of selectors) {
      const durations = ALL.filter(pick).map((s) => s.ms);
      // 0.55 and 0.8 of GET /items land on 10 ms and 100 ms, bounds of their buckets.
      for (const q of [0.5, 0.55, 0.8, 0.95]) {
        const result = await prometheus.query(
          `histogram_quantile(${q}, sum by (le) (traces_span_metrics_duration_milliseconds_bucket{${selector}}))`,
        );
        assert.equal(result.length, 1, `${what} q=${q}: ${JSON.stringify(result)}`);
        const v = result[0].value;
        const { exact, lower, upper } = bucketOfQuantile(q, durations);
        assert.ok(v > lower && v <= upper, `${what} q=${q}: ${v} ms, must be in (${lower}, ${upper}] (nearest rank ${exact} ms)`);
        const interpolated = promHistogramQuantile(q, durations);
        assert.ok(Math.abs(v - interpolated) <= 1e-9 * interpolated, `${what} q=${q}: ${v} ms, the buckets give ${interpolated}`);
      }
    }
    // By hand: shop's 18 server spans, the 9th smallest is 75 ms, in (50, 100].
    const [p50] = await prometheus.query(
      'histogram_quantile(0.5, sum by (le) ' +
        '(traces_span_metrics_duration_milliseconds_bucket{service_name="shop", span_kind="SPAN_KIND_SERVER"}))',
    );
    assert.ok(p50.value > 50 && p50.value <= 100, `shop p50 ${p50.value}`);
  });

  test('buckets are cumulative with inclusive bounds; _count and _sum match', async () => {
    const result = await prometheus.query(
      'sum by (le) (traces_span_metrics_duration_milliseconds_bucket{service_name="shop", span_name="GET /items"})',
    );
    const got = byLabels(result, ['le']);
    const durations = DATA.shop.filter(([name]) => name === 'GET /items').map(([, , ms]) => ms);
    const want = Object.fromEntries([
      ...BOUNDS.map((le) => [String(le), durations.filter((d) => d <= le).length]),
      ['+Inf', durations.length],
    ]);
    assert.deepEqual(got, want);
    assert.equal(got['2'], 2, '1 ms and 2 ms are <= 2');
    assert.equal(got['10'], 7, '10 ms is <= 10');
    assert.equal(got['100'], 10, '100 ms is <= 100');

    const counts = await prometheus.query(
      'sum by (service_name) (traces_span_metrics_duration_milliseconds_count{span_kind="SPAN_KIND_SERVER"})',
    );
    assert.deepEqual(byLabels(counts, ['service_name']), { shop: 18, billing: 5 });
    const sums = await prometheus.query(
      'sum by (service_name) (traces_span_metrics_duration_milliseconds_sum{span_kind="SPAN_KIND_SERVER"})',
    );
    const sumOf = (service) => servers.filter((s) => s.service === service).reduce((a, s) => a + s.ms, 0);
    for (const [service, value] of Object.entries(byLabels(sums, ['service_name']))) {
      assert.ok(Math.abs(value - sumOf(service)) < 1e-6, `${service} _sum ${value}, sent ${sumOf(service)}`);
    }
    assert.deepEqual(Object.keys(byLabels(sums, ['service_name'])).sort(), ['billing', 'shop']);
  });

  test("spoor's own exposition: label names and the histogram's series", async () => {
    const samples = parseMetrics(await getMetrics(spoor));
    const calls = samples.filter((s) => s.name === 'traces_span_metrics_calls_total');
    assert.equal(calls.reduce((a, s) => a + s.value, 0), ALL.length);
    for (const s of calls) assert.deepEqual(Object.keys(s.labels).sort(), ['service_name', 'span_kind', 'span_name', 'status_code']);
    const buckets = samples.filter((s) => s.name === 'traces_span_metrics_duration_milliseconds_bucket');
    for (const s of buckets) {
      assert.deepEqual(Object.keys(s.labels).sort(), ['le', 'service_name', 'span_kind', 'span_name', 'status_code']);
    }
    const les = [...new Set(buckets.map((s) => s.labels.le))];
    assert.deepEqual(les, [...BOUNDS.map(String), '+Inf']);
  });
});
