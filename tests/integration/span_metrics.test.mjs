// Span metrics computed by spoor from the spans it stores, read through
// Jaeger's metrics API (/api/metrics/calls, errors, latencies, minstep):
// spans with known kinds, durations and statuses are sent with the
// OpenTelemetry JS SDK, placed in a known minute, and every answer is
// compared with what counting those spans by hand gives. On the embedded
// store the metrics must also survive a restart, including those counted
// after the last periodic flush; with --span-metrics.enabled=false the
// routes answer 501 as Jaeger does without a metrics store.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { OTLPTraceExporter as OTLPGrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OTLPHttpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { exportSpans } from '../lib/otel_sdk.mjs';
import { fetchJson, getMetrics, metric, searchParams, startSpoor, tempDir, waitFor } from '../lib/spoor.mjs';

const BUCKET_MS = 10_000;
const FLUSH_FLAGS = ['--span-metrics.flush-interval=1s'];
const KINDS = {
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  internal: SpanKind.INTERNAL,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
};
const ALL_KINDS = Object.keys(KINDS);
const SERVICES = ['checkout', 'inventory'];

/**
 * The data set, relative to base B (a multiple of 10 s, 90 s to 100 s ago);
 * times in microseconds. For the six 10 s buckets i = 0..5 of [B, B + 60 s):
 *   checkout  GET /cart     server  i + 2 spans, the first at the bucket's
 *                                   start, the last 1 µs before its end;
 *                                   5 + 3k + 0.5i ms; the second span of
 *                                   every odd bucket is an error
 *   checkout  POST /pay     server  3 spans in buckets 0, 2, 4; 120 + 40k +
 *                                   10i ms; errors: 1, 2, 0; the rest OK
 *   checkout  SELECT carts  client  2 spans, 1.5 and 2.25 ms (+ 0.125i);
 *                                   the first of bucket 5 an error
 *   inventory reserve       server  1 span in buckets 1..5, 40 + 7.3i ms;
 *                                   bucket 3's an error
 * and, once: inventory rebuild-index (internal, 500 ms) at B + 1 s,
 * inventory stock.updated (consumer, 2 and 3 ms) at B + 20.5 s and 21.5 s,
 * and two checkout GET /cart outside the minute: B - 5 s (7 ms, error) and
 * B + 61 s (9 ms).
 */
function buildSpans(baseMs) {
  const spans = [];
  const add = (service, name, kind, atUs, durationUs, status) => {
    const startNs = BigInt(baseMs) * 1_000_000n + BigInt(atUs) * 1000n;
    spans.push({
      service,
      name,
      kind,
      startNs,
      endNs: startNs + BigInt(durationUs) * 1000n,
      status,
      error: status?.code === SpanStatusCode.ERROR,
      durationMs: durationUs / 1000,
      bucketMs: baseMs + Math.floor(atUs / 1000 / BUCKET_MS) * BUCKET_MS,
    });
  };
  const ERROR = { code: SpanStatusCode.ERROR, message: 'failed' };
  const OK = { code: SpanStatusCode.OK };
  for (let i = 0; i < 6; i++) {
    const b = i * BUCKET_MS * 1000;
    const n = i + 2;
    for (let k = 0; k < n; k++) {
      const at = k === n - 1 ? b + BUCKET_MS * 1000 - 1 : b + k * 1_000_000;
      add('checkout', 'GET /cart', SpanKind.SERVER, at, 5000 + 3000 * k + 500 * i, k === 1 && i % 2 === 1 ? ERROR : undefined);
    }
    if (i % 2 === 0) {
      const errors = [1, 2, 0][i / 2];
      for (let k = 0; k < 3; k++) {
        const at = b + 2_000_000 + k * 500_000;
        add('checkout', 'POST /pay', SpanKind.SERVER, at, 120_000 + 40_000 * k + 10_000 * i, k < errors ? ERROR : OK);
      }
    }
    for (let k = 0; k < 2; k++) {
      const at = b + 4_000_000 + k * 100_000;
      add('checkout', 'SELECT carts', SpanKind.CLIENT, at, 1500 + 750 * k + 125 * i, i === 5 && k === 0 ? ERROR : undefined);
    }
    if (i >= 1) add('inventory', 'reserve', SpanKind.SERVER, b + 5_000_000, 40_000 + 7300 * i, i === 3 ? ERROR : undefined);
  }
  add('inventory', 'rebuild-index', SpanKind.INTERNAL, 1_000_000, 500_000);
  add('inventory', 'stock.updated', SpanKind.CONSUMER, 20_500_000, 2000);
  add('inventory', 'stock.updated', SpanKind.CONSUMER, 21_500_000, 3000);
  add('checkout', 'GET /cart', SpanKind.SERVER, -5_000_000, 7000, ERROR);
  add('checkout', 'GET /cart', SpanKind.SERVER, 61_000_000, 9000);
  return spans;
}

// ---------------------------------------------------------------------------
// What the metrics API must answer, counted from the spans sent.

/** Jaeger's timestamps (protobuf JSON): RFC 3339, fraction only when not whole seconds. */
const timestamp = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');

function familyName(type, groupByOperation) {
  const prefix = groupByOperation ? 'service_operation_' : 'service_';
  return prefix + { calls: 'call_rate', errors: 'error_rate', latencies: 'latencies' }[type];
}

function familyHelp(type, groupByOperation, quantile) {
  const help = {
    calls: 'calls/sec, grouped by service',
    errors: 'error rate, computed as a fraction of errors/sec over calls/sec, grouped by service',
    latencies: `${Number(quantile).toFixed(2)}th quantile latency, grouped by service`,
  }[type];
  return groupByOperation ? `${help} & operation` : help;
}

/** The nearest-rank q-quantile of `values`. */
function nearestRank(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1];
}

/**
 * The expected series of a query: [{labels, points: [{timestamp, value}]}],
 * by service then operation. At each t = endTs - lookback + k step (<= endTs)
 * the window is the buckets starting in [t - ratePer, t).
 */
function expectedSeries(spans, q) {
  const kinds = (q.spanKind ?? ['server']).map((k) => KINDS[k]);
  const services = [q.service].flat();
  const groups = new Map();
  for (const s of spans) {
    if (!services.includes(s.service) || !kinds.includes(s.kind)) continue;
    const key = q.groupByOperation ? `${s.service}\n${s.name}` : s.service;
    if (!groups.has(key)) groups.set(key, { service: s.service, operation: s.name, spans: [] });
    groups.get(key).spans.push(s);
  }
  const series = [];
  for (const g of groups.values()) {
    const points = [];
    for (let t = q.endTs - q.lookback; t <= q.endTs; t += q.step) {
      const inWindow = g.spans.filter((s) => s.bucketMs >= t - q.ratePer && s.bucketMs < t);
      if (inWindow.length === 0) continue;
      const errors = inWindow.filter((s) => s.error).length;
      const value = {
        calls: inWindow.length / (q.ratePer / 1000),
        errors: errors / inWindow.length,
        latencies: nearestRank(
          inWindow.map((s) => s.durationMs),
          q.quantile,
        ),
      }[q.type];
      points.push({ timestamp: timestamp(t), value });
    }
    if (points.length === 0) continue;
    const labels = [{ name: 'service_name', value: g.service }];
    if (q.groupByOperation) labels.push({ name: 'operation', value: g.operation });
    series.push({ labels, points });
  }
  return series;
}

const seriesKey = (m) => m.labels.map((l) => `${l.name}=${l.value}`).join(',');

/**
 * Checks a MetricFamily answer against the spans: name, type, help, one
 * series per expected label set (service_name first, then operation), the
 * points at the expected times, calls and errors exactly, latencies within
 * 1/32 of the exact nearest-rank value.
 */
function assertFamily(body, spans, q) {
  const what = JSON.stringify(q);
  assert.ok(body && typeof body === 'object' && !('data' in body), `a MetricFamily, not an envelope (${what})`);
  assert.deepEqual(Object.keys(body).sort(), ['help', 'metrics', 'name', 'type'], what);
  assert.equal(body.name, familyName(q.type, q.groupByOperation), what);
  assert.equal(body.type, 'GAUGE', what);
  assert.equal(body.help, familyHelp(q.type, q.groupByOperation, q.quantile), what);
  const expected = expectedSeries(spans, q);
  assert.deepEqual(body.metrics.map(seriesKey).sort(), expected.map(seriesKey).sort(), `series of ${what}`);
  for (const want of expected) {
    const got = body.metrics.find((m) => seriesKey(m) === seriesKey(want));
    assert.deepEqual(got.labels, want.labels, `labels in order (${what})`);
    assert.deepEqual(
      got.metricPoints.map((p) => p.timestamp),
      want.points.map((p) => p.timestamp),
      `timestamps of ${seriesKey(want)} (${what})`,
    );
    for (const [i, p] of want.points.entries()) {
      const point = got.metricPoints[i];
      assert.deepEqual(Object.keys(point).sort(), ['gaugeValue', 'timestamp']);
      const v = point.gaugeValue.doubleValue;
      assert.equal(typeof v, 'number', `${seriesKey(want)} at ${p.timestamp}: ${JSON.stringify(point)}`);
      const where = `${seriesKey(want)} at ${p.timestamp} (${what})`;
      if (q.type === 'latencies') {
        assert.ok(Math.abs(v - p.value) <= (p.value / 32) * (1 + 1e-9), `${where}: ${v} ms, exact ${p.value} ms`);
      } else {
        assert.equal(v, p.value, where);
      }
    }
  }
  return expected;
}

// ---------------------------------------------------------------------------

const getMetricFamily = (spoor, type, q) => {
  const params = { ...q };
  delete params.type;
  return fetchJson(`${spoor.baseUrls.query}/api/metrics/${type}?${searchParams(params)}`);
};

/** Asks the query and checks the answer against the spans. */
async function check(spoor, spans, q) {
  const res = await getMetricFamily(spoor, q.type, q);
  assert.equal(res.status, 200, `${JSON.stringify(q)}: ${res.text}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  return { body: res.body, expected: assertFamily(res.body, spans, q) };
}

function assertJaegerError(res, status, param, what = param) {
  assert.equal(res.status, status, `${what}: ${res.text}`);
  const body = res.body;
  assert.ok(body && typeof body === 'object', `${what}: JSON body: ${res.text}`);
  assert.equal(body.data, null, `${what}: data`);
  assert.equal(body.total, 0, `${what}: total`);
  assert.equal(body.limit, 0, `${what}: limit`);
  assert.equal(body.offset, 0, `${what}: offset`);
  assert.equal(body.errors?.length, 1, `${what}: ${res.text}`);
  assert.equal(body.errors[0].code, status, `${what}: ${res.text}`);
  if (param) assert.match(body.errors[0].msg, new RegExp(`^unable to parse param '${param}': .+`), `${what}: ${res.text}`);
}

/** The calls over every kind in [B - 10 s, B + 70 s): every span sent, once counted. */
async function countedSpans(spoor, baseMs) {
  const res = await getMetricFamily(spoor, 'calls', {
    service: SERVICES,
    spanKind: ALL_KINDS,
    endTs: baseMs + 70_000,
    lookback: 0,
    step: 1000,
    ratePer: 80_000,
  });
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.text}`);
  let n = 0;
  for (const m of res.body.metrics) for (const p of m.metricPoints) n += Math.round(p.gaugeValue.doubleValue * 80);
  return n;
}

async function sendAndWait(spoor, spans, baseMs) {
  const byService = (service) => spans.filter((s) => s.service === service);
  await exportSpans({
    exporter: new OTLPHttpProtoExporter({ url: `${spoor.baseUrls.otlpHttp}/v1/traces` }),
    service: 'checkout',
    specs: byService('checkout'),
  });
  await exportSpans({
    exporter: new OTLPGrpcExporter({ url: `http://${spoor.grpcAddress}` }),
    service: 'inventory',
    specs: byService('inventory'),
  });
  // Counted once stored, written to the metrics store at the next flush.
  let counted = 0;
  await waitFor(
    async () => {
      counted = await countedSpans(spoor, baseMs);
      return counted >= spans.length;
    },
    { timeoutMs: 60_000, intervalMs: 200, description: `span metrics of all ${spans.length} spans` },
  );
  assert.equal(counted, spans.length, 'every span counted once');
}

/**
 * The queries every backend must answer alike, with their checks. `state`
 * holds spoor (replaced on a restart), the spans and the base.
 */
function metricsApiTests(state) {
  const minute = () => ({ endTs: state.base + 60_000, lookback: 0, step: 60_000, ratePer: 60_000 });
  const perBucket = () => ({ endTs: state.base + 60_000, lookback: 60_000, step: BUCKET_MS, ratePer: BUCKET_MS });

  test('call rates over the minute, counted by hand', async () => {
    const { body } = await check(state.spoor, state.spans, { type: 'calls', service: SERVICES, ...minute() });
    // checkout server spans in [B, B + 60 s): 27 GET /cart + 9 POST /pay; inventory: 5 reserve.
    const rates = Object.fromEntries(body.metrics.map((m) => [m.labels[0].value, m.metricPoints.map((p) => p.gaugeValue.doubleValue)]));
    assert.deepEqual(rates, { checkout: [36 / 60], inventory: [5 / 60] });
    assert.equal(body.metrics[0].metricPoints[0].timestamp, timestamp(state.base + 60_000));
  });

  test('error rates over the minute, counted by hand', async () => {
    const { body } = await check(state.spoor, state.spans, { type: 'errors', service: SERVICES, ...minute() });
    // checkout: 3 GET /cart + 3 POST /pay errors of 36 (OK is not an error); inventory: 1 of 5.
    const rates = Object.fromEntries(body.metrics.map((m) => [m.labels[0].value, m.metricPoints.map((p) => p.gaugeValue.doubleValue)]));
    assert.deepEqual(rates, { checkout: [6 / 36], inventory: [1 / 5] });
  });

  test('calls and errors per 10 s bucket, including the bucket before the minute', async () => {
    for (const type of ['calls', 'errors']) {
      const { body } = await check(state.spoor, state.spans, { type, service: 'checkout', ...perBucket() });
      // Evaluated at B, B + 10 s, ..., B + 60 s: t = B sees the span at B - 5 s.
      assert.equal(body.metrics.length, 1);
      assert.deepEqual(
        body.metrics[0].metricPoints.map((p) => p.timestamp),
        [0, 1, 2, 3, 4, 5, 6].map((k) => timestamp(state.base + k * BUCKET_MS)),
      );
    }
    const calls = (await getMetricFamily(state.spoor, 'calls', { service: 'checkout', ...perBucket() })).body;
    // Bucket i holds i + 2 GET /cart, plus 3 POST /pay in even buckets; the span at B + 61 s is in no window.
    assert.deepEqual(
      calls.metrics[0].metricPoints.map((p) => p.gaugeValue.doubleValue),
      [0.1, 0.5, 0.3, 0.7, 0.5, 0.9, 0.7],
    );
  });

  test('a ratePer wider than the step slides over several buckets', async () => {
    for (const type of ['calls', 'errors']) {
      await check(state.spoor, state.spans, {
        type,
        service: SERVICES,
        endTs: state.base + 80_000,
        lookback: 100_000,
        step: BUCKET_MS,
        ratePer: 30_000,
      });
    }
  });

  test('evaluation times off the bucket grid carry milliseconds in their timestamps', async () => {
    const q = { type: 'calls', service: 'checkout', endTs: state.base + 60_250, lookback: 20_000, step: BUCKET_MS, ratePer: BUCKET_MS };
    const { body } = await check(state.spoor, state.spans, q);
    assert.deepEqual(
      body.metrics[0].metricPoints.map((p) => p.timestamp),
      [40_250, 50_250, 60_250].map((ms) => timestamp(state.base + ms)),
    );
    assert.match(body.metrics[0].metricPoints[0].timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.250Z$/);
  });

  test('p50 and p95 latencies within 3.125% of the nearest-rank values', async () => {
    for (const quantile of [0.5, 0.95]) {
      for (const window of [minute(), perBucket()]) {
        await check(state.spoor, state.spans, { type: 'latencies', service: SERVICES, quantile, ...window });
        await check(state.spoor, state.spans, { type: 'latencies', service: SERVICES, quantile, groupByOperation: true, ...window });
      }
    }
    // By hand: checkout's 36 server spans over the minute, p50 = the 18th smallest.
    const res = await getMetricFamily(state.spoor, 'latencies', { service: 'checkout', quantile: 0.5, ...minute() });
    const durations = state.spans
      .filter((s) => s.service === 'checkout' && s.kind === SpanKind.SERVER && s.bucketMs >= state.base && s.bucketMs < state.base + 60_000)
      .map((s) => s.durationMs)
      .sort((a, b) => a - b);
    assert.equal(durations.length, 36);
    const v = res.body.metrics[0].metricPoints[0].gaugeValue.doubleValue;
    assert.ok(Math.abs(v - durations[17]) <= durations[17] / 32, `p50 ${v} ms, 18th of 36 is ${durations[17]} ms`);
  });

  test('quantiles 0 and 1 are the smallest and the largest duration', async () => {
    for (const quantile of [0, 1]) {
      await check(state.spoor, state.spans, { type: 'latencies', service: SERVICES, quantile, groupByOperation: true, ...minute() });
    }
    const max = await getMetricFamily(state.spoor, 'latencies', { service: 'checkout', quantile: 1, groupByOperation: true, ...minute() });
    const pay = max.body.metrics.find((m) => m.labels[1].value === 'POST /pay');
    // The longest POST /pay: 120 + 80 + 40 ms in bucket 4.
    assert.ok(Math.abs(pay.metricPoints[0].gaugeValue.doubleValue - 240) <= 240 / 32, JSON.stringify(pay));
  });

  test('groupByOperation gives one series per operation, service_name then operation', async () => {
    for (const type of ['calls', 'errors']) {
      for (const window of [minute(), perBucket()]) {
        await check(state.spoor, state.spans, { type, service: SERVICES, groupByOperation: true, ...window });
      }
    }
    const res = await getMetricFamily(state.spoor, 'calls', { service: SERVICES, groupByOperation: 'true', ...minute() });
    assert.equal(res.body.name, 'service_operation_call_rate');
    assert.equal(res.body.help, 'calls/sec, grouped by service & operation');
    const series = res.body.metrics.map((m) => [m.labels, m.metricPoints[0].gaugeValue.doubleValue]);
    series.sort((a, b) => seriesKey({ labels: a[0] }).localeCompare(seriesKey({ labels: b[0] })));
    assert.deepEqual(series, [
      [[{ name: 'service_name', value: 'checkout' }, { name: 'operation', value: 'GET /cart' }], 27 / 60],
      [[{ name: 'service_name', value: 'checkout' }, { name: 'operation', value: 'POST /pay' }], 9 / 60],
      [[{ name: 'service_name', value: 'inventory' }, { name: 'operation', value: 'reserve' }], 5 / 60],
    ]);
    const off = await getMetricFamily(state.spoor, 'calls', { service: 'checkout', groupByOperation: 'false', ...minute() });
    assert.equal(off.body.name, 'service_call_rate');
    assert.deepEqual(off.body.metrics[0].labels, [{ name: 'service_name', value: 'checkout' }]);
  });

  test('spanKind selects the kinds counted; server is the default', async () => {
    const q = { service: SERVICES, groupByOperation: true, ...minute() };
    for (const type of ['calls', 'errors']) {
      for (const spanKind of [['client'], ['internal'], ['consumer'], ['producer'], ['server', 'client'], ALL_KINDS]) {
        await check(state.spoor, state.spans, { type, spanKind, ...q });
      }
    }
    await check(state.spoor, state.spans, { type: 'latencies', quantile: 0.95, spanKind: ['client'], ...q });

    const client = await getMetricFamily(state.spoor, 'calls', { spanKind: 'client', ...q });
    assert.deepEqual(
      client.body.metrics.map((m) => [m.labels.map((l) => l.value), m.metricPoints[0].gaugeValue.doubleValue]),
      [[['checkout', 'SELECT carts'], 12 / 60]],
    );
    const clientErrors = await getMetricFamily(state.spoor, 'errors', { spanKind: 'client', ...q });
    assert.equal(clientErrors.body.metrics[0].metricPoints[0].gaugeValue.doubleValue, 1 / 12);
    // The OTLP enum names, in any case, mean the same.
    for (const form of ['SPAN_KIND_CLIENT', 'span_kind_client', 'CLIENT']) {
      const other = await getMetricFamily(state.spoor, 'calls', { spanKind: form, ...q });
      assert.equal(other.status, 200, `${form}: ${other.text}`);
      assert.deepEqual(other.body, client.body, form);
    }
    const byDefault = await getMetricFamily(state.spoor, 'calls', q);
    const server = await getMetricFamily(state.spoor, 'calls', { spanKind: 'server', ...q });
    const serverEnum = await getMetricFamily(state.spoor, 'calls', { spanKind: 'SPAN_KIND_SERVER', ...q });
    assert.deepEqual(byDefault.body, server.body);
    assert.deepEqual(serverEnum.body, server.body);
  });

  test('several services: one series each, in either form of the parameter', async () => {
    const q = { ...perBucket() };
    const repeated = await check(state.spoor, state.spans, { type: 'calls', service: SERVICES, ...q });
    assert.deepEqual(repeated.body.metrics.map((m) => m.labels[0].value).sort(), SERVICES);
    // The Jaeger UI joins them into one value: service=a,service=b.
    const joined = await getMetricFamily(state.spoor, 'calls', { service: 'checkout,service=inventory', ...q });
    assert.equal(joined.status, 200, joined.text);
    assert.deepEqual(joined.body, repeated.body);
    const one = await check(state.spoor, state.spans, { type: 'calls', service: 'inventory', ...q });
    assert.deepEqual(one.body.metrics.map((m) => m.labels[0].value), ['inventory']);
    const unknown = await getMetricFamily(state.spoor, 'calls', { service: 'no-such-service', ...q });
    assert.equal(unknown.status, 200, unknown.text);
    assert.deepEqual(unknown.body.metrics, []);
    const withUnknown = await getMetricFamily(state.spoor, 'calls', { service: ['inventory', 'no-such-service'], ...q });
    assert.deepEqual(withUnknown.body, one.body);
  });

  test('no point where the window holds no span', async () => {
    // inventory's reserve has no span in bucket 0; an hour earlier nothing at all.
    const reserve = await check(state.spoor, state.spans, { type: 'calls', service: 'inventory', ...perBucket() });
    assert.deepEqual(
      reserve.body.metrics[0].metricPoints.map((p) => p.timestamp),
      [2, 3, 4, 5, 6].map((k) => timestamp(state.base + k * BUCKET_MS)),
    );
    for (const type of ['calls', 'errors', 'latencies']) {
      const res = await getMetricFamily(state.spoor, type, {
        service: SERVICES,
        quantile: 0.5,
        endTs: state.base - 3_600_000,
        lookback: 600_000,
        step: 60_000,
        ratePer: 60_000,
      });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body.metrics, [], type);
    }
  });

  test('/api/metrics/minstep is one bucket', async () => {
    const res = await fetchJson(`${state.spoor.baseUrls.query}/api/metrics/minstep`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { data: 10_000, total: 0, limit: 0, offset: 0, errors: null });
  });

  test('bad parameters are a 400 naming the parameter; the server keeps answering', async () => {
    const ok = { service: 'checkout', ...minute() };
    const cases = [
      ['calls', { ...ok, service: undefined }, 'service'],
      ['errors', { ...ok, service: '' }, 'service'],
      ['latencies', ok, 'quantile'],
      ['latencies', { ...ok, quantile: '' }, 'quantile'],
      ['latencies', { ...ok, quantile: 'high' }, 'quantile'],
      ['latencies', { ...ok, quantile: 1.5 }, 'quantile'],
      ['latencies', { ...ok, quantile: -0.1 }, 'quantile'],
      ['latencies', { ...ok, quantile: 'NaN' }, 'quantile'],
      ['calls', { ...ok, endTs: 'yesterday' }, 'endTs'],
      ['calls', { ...ok, endTs: '12.5' }, 'endTs'],
      ['calls', { ...ok, lookback: 'an hour' }, 'lookback'],
      ['calls', { ...ok, lookback: -1 }, 'lookback'],
      ['calls', { ...ok, step: 'x' }, 'step'],
      ['calls', { ...ok, step: 0 }, 'step'],
      ['errors', { ...ok, ratePer: '1m' }, 'ratePer'],
      ['calls', { ...ok, ratePer: 0 }, 'ratePer'],
      ['calls', { ...ok, spanKind: 'sever' }, 'spanKind'],
      ['calls', { ...ok, spanKind: ['server', 'nope'] }, 'spanKind'],
      ['calls', { ...ok, spanKind: 'SPAN_KIND_' }, 'spanKind'],
      ['calls', { ...ok, groupByOperation: 'yes please' }, 'groupByOperation'],
    ];
    for (const [type, params, param] of cases) {
      const res = await getMetricFamily(state.spoor, type, params);
      assertJaegerError(res, 400, param, `${type} ${JSON.stringify(params)}`);
    }
    // More than 11,000 points per series: lookback / step = 11,000 gives 11,001.
    const tooMany = await getMetricFamily(state.spoor, 'calls', { ...ok, lookback: 11_000 * 1000, step: 1000 });
    assertJaegerError(tooMany, 400, null, 'lookback / step = 11000');
    assert.match(tooMany.body.errors[0].msg, /lookback/);
    assert.match(tooMany.body.errors[0].msg, /step/);
    const most = await getMetricFamily(state.spoor, 'calls', { ...ok, lookback: 10_999 * 1000, step: 1000 });
    assert.equal(most.status, 200, `11,000 points are allowed: ${most.text}`);

    assert.ok(state.spoor.alive, 'spoor still running');
    await check(state.spoor, state.spans, { type: 'calls', service: SERVICES, ...minute() });
    await check(state.spoor, state.spans, { type: 'latencies', quantile: 0.95, service: SERVICES, ...minute() });
  });
}

/** The answers a restart must reproduce. */
const SNAPSHOT_QUERIES = (base) =>
  ['calls', 'errors', 'latencies'].flatMap((type) =>
    [false, true].flatMap((groupByOperation) =>
      [
        { endTs: base + 60_000, lookback: 0, step: 60_000, ratePer: 60_000 },
        { endTs: base + 80_000, lookback: 100_000, step: BUCKET_MS, ratePer: BUCKET_MS },
        { endTs: base + 80_000, lookback: 100_000, step: BUCKET_MS, ratePer: 30_000 },
      ].map((window) => ({ type, service: SERVICES, spanKind: ALL_KINDS, quantile: 0.95, groupByOperation, ...window })),
    ),
  );

async function snapshot(spoor, base) {
  const answers = [];
  for (const q of SNAPSHOT_QUERIES(base)) {
    const res = await getMetricFamily(spoor, q.type, q);
    assert.equal(res.status, 200, res.text);
    answers.push(res.body);
  }
  return answers;
}

function newState() {
  const now = Date.now();
  const base = now - (now % BUCKET_MS) - 90_000;
  return { base, spans: buildSpans(base), spoor: null };
}

describe('span metrics on the memory store', () => {
  const state = newState();
  before(async () => {
    state.spoor = await startSpoor({ storage: 'memory', flags: FLUSH_FLAGS });
    await sendAndWait(state.spoor, state.spans, state.base);
  });
  after(async () => {
    if (state.spoor) assert.equal(await state.spoor.stop(), 0, 'spoor exits 0 on SIGTERM');
  });

  metricsApiTests(state);

  test('/metrics has no traces_span_metrics_* series without --span-metrics.prometheus', async () => {
    const text = await getMetrics(state.spoor);
    assert.doesNotMatch(text, /^traces_span_metrics_/m);
    // checkout: GET /cart, POST /pay, SELECT carts; inventory: reserve, rebuild-index, stock.updated.
    assert.equal(metric(text, 'spoor_span_metrics_keys'), 6);
  });
});

describe('span metrics on the embedded store', () => {
  const state = newState();
  let dir;
  const storage = () => ({ type: 'embedded', flags: [`--embedded.directory=${dir}`] });
  before(async () => {
    dir = tempDir('spoor-span-metrics-');
    state.spoor = await startSpoor({ storage: storage(), flags: FLUSH_FLAGS });
    await sendAndWait(state.spoor, state.spans, state.base);
  });
  after(async () => {
    if (state.spoor?.alive) await state.spoor.stop();
  });

  metricsApiTests(state);

  test('span metrics survive a restart on the same directory', async () => {
    const before = await snapshot(state.spoor, state.base);
    assert.equal(await state.spoor.stop(), 0, 'spoor exits 0 on SIGTERM');
    state.spoor = await startSpoor({ storage: storage(), flags: FLUSH_FLAGS });
    const afterRestart = await snapshot(state.spoor, state.base);
    assert.deepEqual(afterRestart, before);
    assert.equal(await countedSpans(state.spoor, state.base), state.spans.length, 'every span counted once');
    await check(state.spoor, state.spans, {
      type: 'calls',
      service: SERVICES,
      groupByOperation: true,
      endTs: state.base + 60_000,
      lookback: 60_000,
      step: BUCKET_MS,
      ratePer: BUCKET_MS,
    });
    await check(state.spoor, state.spans, {
      type: 'latencies',
      quantile: 0.5,
      service: SERVICES,
      endTs: state.base + 60_000,
      lookback: 0,
      step: 60_000,
      ratePer: 60_000,
    });
  });

  test('spans sent after the restart add to what was kept', async () => {
    const more = buildSpans(state.base).filter((s) => s.service === 'inventory' && s.name === 'reserve');
    await exportSpans({
      exporter: new OTLPHttpProtoExporter({ url: `${state.spoor.baseUrls.otlpHttp}/v1/traces` }),
      service: 'inventory',
      specs: more,
    });
    const all = [...state.spans, ...more];
    await waitFor(async () => (await countedSpans(state.spoor, state.base)) >= all.length, {
      timeoutMs: 60_000,
      intervalMs: 200,
      description: 'the new spans counted',
    });
    assert.equal(await countedSpans(state.spoor, state.base), all.length);
    await check(state.spoor, all, {
      type: 'calls',
      service: SERVICES,
      endTs: state.base + 60_000,
      lookback: 60_000,
      step: BUCKET_MS,
      ratePer: BUCKET_MS,
    });
    const minute = { endTs: state.base + 60_000, lookback: 0, step: 60_000, ratePer: 60_000 };
    await check(state.spoor, all, { type: 'errors', service: 'inventory', ...minute });
  });
});

describe('span metrics counted but not yet flushed', () => {
  const started = [];
  after(async () => {
    for (const s of started) if (s.alive) await s.stop().catch(() => {});
  });

  test('a clean stop writes them, and the embedded store keeps them', async () => {
    const { base, spans: all } = newState();
    const spans = all.filter((s) => s.service === 'inventory');
    const dir = tempDir('spoor-span-metrics-stop-');
    const storage = { type: 'embedded', flags: [`--embedded.directory=${dir}`] };
    const first = await startSpoor({ storage, flags: ['--span-metrics.flush-interval=1h'] });
    started.push(first);
    await exportSpans({
      exporter: new OTLPHttpProtoExporter({ url: `${first.baseUrls.otlpHttp}/v1/traces` }),
      service: 'inventory',
      specs: spans,
    });
    await waitFor(
      async () => (await fetchJson(`${first.baseUrls.query}/api/services/inventory/operations`)).body?.data?.length === 3,
      { timeoutMs: 30_000, description: 'the spans stored' },
    );
    assert.equal(await countedSpans(first, base), 0, 'nothing written before the first flush');
    assert.equal(await first.stop(), 0, 'spoor exits 0 on SIGTERM');

    const second = await startSpoor({ storage, flags: FLUSH_FLAGS });
    started.push(second);
    assert.equal(await countedSpans(second, base), spans.length, 'the last flush wrote every span');
    const window = { endTs: base + 60_000, lookback: 60_000, step: BUCKET_MS, ratePer: BUCKET_MS };
    await check(second, spans, { type: 'calls', service: 'inventory', spanKind: ALL_KINDS, groupByOperation: true, ...window });
    await check(second, spans, { type: 'errors', service: 'inventory', ...window });
    await check(second, spans, { type: 'latencies', quantile: 0.95, service: 'inventory', ...window });
  });
});

describe('span metrics turned off', () => {
  let spoor;
  before(async () => {
    spoor = await startSpoor({ storage: 'memory', flags: [...FLUSH_FLAGS, '--span-metrics.enabled=false'] });
  });
  after(async () => {
    if (spoor) assert.equal(await spoor.stop(), 0, 'spoor exits 0 on SIGTERM');
  });

  test('/api/metrics/* answer 501 (Jaeger without a metrics store); spans are still stored', async () => {
    const now = Date.now();
    const base = now - (now % BUCKET_MS) - 90_000;
    const spans = buildSpans(base).filter((s) => s.service === 'checkout');
    await exportSpans({
      exporter: new OTLPHttpProtoExporter({ url: `${spoor.baseUrls.otlpHttp}/v1/traces` }),
      service: 'checkout',
      specs: spans,
    });
    await waitFor(
      async () => {
        const ops = await fetchJson(`${spoor.baseUrls.query}/api/services/checkout/operations`);
        return ops.body?.data?.length === 3;
      },
      { timeoutMs: 30_000, description: 'the spans stored' },
    );
    // Two flush intervals: nothing is counted even given the time.
    await new Promise((r) => setTimeout(r, 2500));
    const q = { service: 'checkout', quantile: 0.5, endTs: base + 60_000, lookback: 60_000, step: BUCKET_MS, ratePer: BUCKET_MS };
    for (const type of ['calls', 'errors', 'latencies', 'minstep']) {
      const res = await getMetricFamily(spoor, type, q);
      assertJaegerError(res, 501, null, type);
      assert.match(res.body.errors[0].msg, /not available/, type);
    }
    // Parameters are still checked first.
    assertJaegerError(await getMetricFamily(spoor, 'latencies', { ...q, quantile: 2 }), 400, 'quantile');
    const text = await getMetrics(spoor);
    assert.doesNotMatch(text, /^traces_span_metrics_/m);
    assert.equal(metric(text, 'spoor_span_metrics_keys'), undefined);
    assert.ok(spoor.alive);
  });
});
