// The scale-out topology with every part real: NATS JetStream, ClickHouse,
// two collectors publishing to the stream, two ingesters consuming it, one
// query node. The OpenTelemetry JS SDK sends to both collectors and every
// span it had acknowledged is read back through the query node, field by
// field. Then the faults: an ingester killed mid-stream, ClickHouse down
// for 30 s under load, NATS restarted; after each, every acknowledged span
// is readable and none is shown twice.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter as OTLPGrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OTLPHttpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { startClickHouse } from '../lib/clickhouse.mjs';
import { RecordingExporter, hrDurationUs, hrToUs } from '../lib/otel_sdk.mjs';
import { startNats, streamStates } from '../lib/nats.mjs';
import { postTraces, request, span } from '../lib/otlp.mjs';
import {
  fetchJson,
  getMetrics,
  jaegerTraceId,
  metric,
  nowNs,
  randomSpanId,
  randomTraceId,
  sleep,
  spansById,
  startSpoor,
  tagMap,
  tempDir,
  waitFor,
  waitForTrace,
} from '../lib/spoor.mjs';

/** A Jaeger tag as the query API shows an SDK attribute value. */
function expectedTag(value) {
  if (typeof value === 'boolean') return { type: 'bool', value };
  if (typeof value === 'string') return { type: 'string', value };
  if (Array.isArray(value)) return { type: 'string', value: JSON.stringify(value) };
  return Number.isInteger(value) ? { type: 'int64', value } : { type: 'float64', value };
}

/** Checks a span of the query API against the SDK's record of it. */
function expectSameSpan(got, rec, processes) {
  const name = rec.name;
  assert.equal(got.operationName, name);
  assert.equal(got.startTime, hrToUs(rec.startTime), `${name} startTime`);
  assert.equal(got.duration, hrDurationUs(rec.startTime, rec.endTime), `${name} duration`);
  const parent = rec.parentSpanContext?.spanId;
  assert.deepEqual(
    got.references ?? [],
    parent ? [{ refType: 'CHILD_OF', traceID: jaegerTraceId(rec.spanContext().traceId), spanID: parent }] : [],
    `${name} references`,
  );
  const tags = tagMap(got.tags);
  for (const [key, value] of Object.entries(rec.attributes)) {
    assert.deepEqual(tags.get(key), expectedTag(value), `${name} tag ${key}`);
  }
  const kinds = ['internal', 'server', 'client', 'producer', 'consumer'];
  assert.deepEqual(tags.get('span.kind'), { type: 'string', value: kinds[rec.kind] }, `${name} span.kind`);
  if (rec.status.code === SpanStatusCode.ERROR) {
    assert.deepEqual(tags.get('error'), { type: 'bool', value: true }, `${name} error`);
    assert.deepEqual(tags.get('otel.status_description'), { type: 'string', value: rec.status.message });
  } else {
    assert.ok(!tags.has('error'), `${name} has no error tag`);
  }
  assert.equal(got.logs.length, rec.events.length, `${name} logs`);
  for (const [i, event] of rec.events.entries()) {
    assert.equal(got.logs[i].timestamp, hrToUs(event.time));
    const fields = tagMap(got.logs[i].fields);
    assert.deepEqual(fields.get('event'), { type: 'string', value: event.name });
    for (const [key, value] of Object.entries(event.attributes ?? {})) {
      assert.deepEqual(fields.get(key), expectedTag(value), `${name} log field ${key}`);
    }
  }
  const process = processes[got.processID];
  assert.equal(process.serviceName, rec.resource.attributes[ATTR_SERVICE_NAME]);
}

/**
 * Sends OTLP/JSON requests of 4 traces x 5 spans to the collectors in turn,
 * from `workers` loops, until stop() is called. Remembers the traces of the
 * requests that were acknowledged (200), and counts the refused ones.
 */
function startLoad(collectors, { workers = 4, service = 'load', pauseMs = 20 } = {}) {
  const acked = new Map(); // trace ID -> span count
  const ackedAt = new Map(); // trace ID -> Date.now() of the acknowledgement
  let refused = 0;
  let sent = 0;
  let running = true;
  const loop = async (w) => {
    for (let n = 0; running; n++) {
      const collector = collectors[(w + n) % collectors.length];
      const traces = Array.from({ length: 4 }, () => randomTraceId());
      const start = nowNs();
      const spans = traces.flatMap((traceId) => {
        const root = randomSpanId();
        return [root, randomSpanId(), randomSpanId(), randomSpanId(), randomSpanId()].map((spanId, i) =>
          span({
            traceId,
            spanId,
            parentSpanId: i === 0 ? undefined : root,
            name: i === 0 ? 'GET /load' : `step ${i}`,
            startNs: start + BigInt(i) * 1000n,
            endNs: start + BigInt(i) * 1000n + 500_000n,
            attributes: { 'load.worker': w, 'load.request': n },
          }),
        );
      });
      sent++;
      try {
        const res = await postTraces(collector.baseUrls.otlpHttp, request([{ service, spans }]), { encoding: 'json' });
        if (res.status === 200) for (const id of traces) acked.set(id, 5);
        if (res.status === 200) for (const id of traces) ackedAt.set(id, Date.now());
        else refused++;
      } catch {
        refused++;
      }
      await sleep(pauseMs);
    }
  };
  const loops = Array.from({ length: workers }, (_, w) => loop(w));
  return {
    acked,
    ackedAt,
    get refused() {
      return refused;
    },
    get sent() {
      return sent;
    },
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/**
 * Every acknowledged trace readable through the query node, each span once.
 * Traces are asked for 100 at a time (/api/traces?traceID=...). On failure,
 * `diagnose(traceId)` says what else is known.
 */
async function expectAllReadable(query, acked, diagnose) {
  assert.ok(acked.size > 0, 'some traces were acknowledged');
  const pending = new Set(acked.keys());
  const deadline = Date.now() + 120_000;
  while (pending.size > 0) {
    const ids = [...pending];
    for (let i = 0; i < ids.length; i += 100) {
      const chunk = ids.slice(i, i + 100);
      const params = chunk.map((id) => `traceID=${id}`).join('&');
      const res = await fetchJson(`${query.baseUrls.query}/api/traces?${params}`, { timeoutMs: 30_000 });
      for (const t of res.body?.data ?? []) {
        const id = t.traceID.padStart(32, '0');
        const spanIds = t.spans.map((s) => s.spanID);
        assert.equal(new Set(spanIds).size, spanIds.length, `trace ${id}: a span shown twice`);
        assert.ok(spanIds.length <= acked.get(id), `trace ${id}: ${spanIds.length} spans shown, ${acked.get(id)} sent`);
        if (spanIds.length === acked.get(id)) pending.delete(id);
      }
    }
    if (pending.size === 0) break;
    if (Date.now() > deadline) {
      const first = pending.values().next().value;
      assert.fail(`${pending.size} of ${acked.size} acknowledged traces not readable, e.g. ${first}\n${await diagnose(first)}`);
    }
    await sleep(500);
  }
}

describe('scale-out: collectors -> NATS JetStream -> ingesters -> ClickHouse <- query', () => {
  let nats;
  let clickhouse;
  let query;
  const collectors = [];
  const ingesters = [];
  const database = `spoor_scale_out_${process.pid}`;

  const storage = () => ({
    type: 'clickhouse',
    flags: [`--clickhouse.servers=${clickhouse.servers}`, `--clickhouse.database=${database}`, '--clickhouse.timeout=2s'],
  });
  const everyIngester = [];
  const startIngester = async () => {
    const ingester = await startSpoor({
      subcommand: 'ingester',
      storage: storage(),
      flags: [`--nats.url=${nats.url}`, '--nats.ack-wait=5s', '--nats.fetch-batch=16', '--span-metrics.flush-interval=1s'],
    });
    everyIngester.push(ingester);
    return ingester;
  };
  const startCollector = () =>
    startSpoor({
      subcommand: 'collector',
      storage: 'none',
      flags: ['--buffer.type=nats', `--nats.url=${nats.url}`, '--nats.publish-timeout=2s'],
    });
  const events = [];
  const note = (what) => events.push(`${what} at ${Date.now()}`);
  let currentLoad;
  const diagnose = async (traceId) => {
    let missing = '';
    if (currentLoad) {
      const stored = new Set(
        String(await clickhouse.query(`SELECT lower(hex(trace_id)) FROM ${database}.spans GROUP BY trace_id`).catch(() => ''))
          .split('\n')
          .filter(Boolean),
      );
      const lost = [...currentLoad.acked.keys()].filter((id) => !stored.has(id));
      missing = `${lost.length} of ${currentLoad.acked.size} acknowledged traces not in ClickHouse, acknowledged at ${lost
        .slice(0, 20)
        .map((id) => currentLoad.ackedAt.get(id))
        .join(', ')}; ${events.join(', ')}\n`;
    }
    const where = `WHERE trace_id = unhex('${traceId}')`;
    const rows = await clickhouse.query(`SELECT count() FROM ${database}.spans ${where}`).catch((e) => e.message);
    const indexed = await clickhouse.query(`SELECT count() FROM ${database}.span_index ${where}`).catch((e) => e.message);
    const logs = everyIngester
      .map((i, n) => `--- ingester ${n}:\n${i.logs.split('\n').filter((l) => !l.includes('insert failed')).join('\n').slice(-4000)}`)
      .join('\n');
    const stream = await streamStates(nats.monitorPort).catch((e) => e.message);
    const counters = [];
    for (const [n, i] of ingesters.entries()) {
      const m = await getMetrics(i).catch(() => '');
      counters.push(
        `ingester ${n}: stored ${metric(m, 'spoor_ingester_messages_stored_total')} messages, ` +
          `${metric(m, 'spoor_ingester_write_failures_total')} write failures, ` +
          `${metric(m, 'spoor_ingester_messages_redelivered_total')} redelivered`,
      );
    }
    return (
      missing +
      `ClickHouse rows for the trace: spans ${JSON.stringify(rows)}, span_index ${JSON.stringify(indexed)}\n` +
      `stream: ${JSON.stringify(stream)}\n${counters.join('\n')}\n${logs}`
    );
  };
  const lagOf = async (ingester) => {
    const m = await getMetrics(ingester);
    return (metric(m, 'spoor_ingester_pending_messages') ?? 0) + (metric(m, 'spoor_ingester_unacknowledged_messages') ?? 0);
  };

  before(async () => {
    const dir = tempDir('spoor-scale-out-');
    nats = await startNats({ dir: path.join(dir, 'nats') });
    clickhouse = await startClickHouse({ dir: path.join(dir, 'clickhouse') });
    ingesters.push(await startIngester()); // creates the schema, the stream and the consumer
    ingesters.push(await startIngester());
    query = await startSpoor({ subcommand: 'query', storage: storage() });
    collectors.push(await startCollector(), await startCollector());
  });

  after(async () => {
    for (const p of [...collectors, ...ingesters, query]) await p?.stop().catch(() => {});
    await nats?.stop();
    await clickhouse?.stop();
  });

  test('what the OpenTelemetry SDK sent to both collectors is found through the query node, field by field', async () => {
    const senders = [
      { service: 'scale-out-http', exporter: new OTLPHttpProtoExporter({ url: `${collectors[0].baseUrls.otlpHttp}/v1/traces` }) },
      { service: 'scale-out-grpc', exporter: new OTLPGrpcExporter({ url: `http://${collectors[1].grpcAddress}` }) },
    ];
    const records = new Map(); // span ID -> ReadableSpan
    const traceIds = new Set();
    for (const { service, exporter } of senders) {
      const recording = new RecordingExporter(exporter);
      const memory = new InMemorySpanExporter();
      const provider = new BasicTracerProvider({
        resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: service, 'host.name': 'node-1' }),
        spanProcessors: [new SimpleSpanProcessor(recording), new SimpleSpanProcessor(memory)],
      });
      const tracer = provider.getTracer('scale-out', '1.0.0');
      for (let t = 0; t < 5; t++) {
        const root = tracer.startSpan('GET /checkout', {
          kind: SpanKind.SERVER,
          attributes: { 'http.request.method': 'GET', 'http.response.status_code': 200, 'order.total': 12.5 },
        });
        const ctx = trace.setSpan(context.active(), root);
        const client = tracer.startSpan('charge card', { kind: SpanKind.CLIENT, attributes: { 'payment.retry': false, 'payment.items': ['a', 'b'] } }, ctx);
        client.addEvent('declined', { 'decline.code': 51, 'decline.reason': 'insufficient funds' });
        client.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
        client.end();
        root.end();
        traceIds.add(root.spanContext().traceId);
      }
      await provider.forceFlush();
      for (const s of memory.getFinishedSpans()) records.set(s.spanContext().spanId, s);
      await provider.shutdown();
      assert.equal(recording.results.length, 10, `${service}: every span exported`);
      for (const r of recording.results) assert.equal(r.code, ExportResultCode.SUCCESS, `${service}: ${r.error?.message ?? r.error}`);
    }
    assert.equal(traceIds.size, 10);
    for (const traceId of traceIds) {
      const got = await waitForTrace(query.baseUrls.query, traceId, { minSpans: 2, timeoutMs: 30_000 });
      assert.equal(got.spans.length, 2, `trace ${traceId}`);
      for (const [id, s] of spansById(got)) {
        const rec = records.get(id);
        assert.ok(rec, `span ${id} was sent`);
        expectSameSpan(s, rec, got.processes);
      }
    }
    // Search through the query node sees both services' traces.
    for (const service of ['scale-out-http', 'scale-out-grpc']) {
      const found = await fetchJson(`${query.baseUrls.query}/api/traces?service=${service}&limit=100&lookback=1h`);
      assert.equal(found.body.data.length, 5, `${service}: 5 traces`);
    }
    // Both collectors published, and the ingesters stored every span.
    for (const c of collectors) assert.ok(metric(await getMetrics(c), 'spoor_nats_published_messages_total') > 0);
    let stored = 0;
    for (const i of ingesters) stored += metric(await getMetrics(i), 'spoor_spans_stored_total', { storage: 'clickhouse' }) ?? 0;
    assert.ok(stored >= 20, `ingesters stored ${stored} spans`);
  });

  test('span metrics counted by the ingesters are answered by the query node', async () => {
    // The first test sent, per service, 5 server spans and 5 failing client spans.
    const ms = 600_000;
    for (const service of ['scale-out-http', 'scale-out-grpc']) {
      const params = `service=${service}&spanKind=server&spanKind=client&lookback=0&step=60000&ratePer=${ms}`;
      let calls = 0;
      await waitFor(
        async () => {
          const res = await fetchJson(`${query.baseUrls.query}/api/metrics/calls?${params}&endTs=${Date.now()}`);
          const points = res.body.metrics?.[0]?.metricPoints ?? [];
          calls = points.length ? Math.round(points[points.length - 1].gaugeValue.doubleValue * (ms / 1000)) : 0;
          return calls === 10;
        },
        { timeoutMs: 60_000, description: `${service}: 10 calls in the span metrics` },
      ).catch(() => {});
      assert.equal(calls, 10, `${service}: calls counted by the ingesters`);
      const errors = await fetchJson(`${query.baseUrls.query}/api/metrics/errors?${params}&endTs=${Date.now()}`);
      assert.equal(errors.body.metrics[0].metricPoints.at(-1).gaugeValue.doubleValue, 0.5, `${service}: error rate`);
    }
  });

  test('an ingester killed with SIGKILL mid-stream loses nothing', async () => {
    const load = startLoad(collectors, { service: 'fault-kill' });
    await waitFor(() => load.acked.size >= 200, { timeoutMs: 60_000, description: 'load under way' });
    const victim = ingesters.shift();
    victim.proc.kill('SIGKILL');
    await waitFor(() => load.acked.size >= 600, { timeoutMs: 60_000, description: 'load after the kill' });
    ingesters.push(await startIngester());
    await sleep(1000);
    await load.stop();
    assert.equal(load.refused, 0, 'the collectors kept accepting');
    await expectAllReadable(query, load.acked, diagnose);
  });

  test('ClickHouse down for 30 s under load: collectors keep accepting, the stream holds the spans, nothing is lost', async () => {
    const load = startLoad(collectors, { service: 'fault-clickhouse' });
    currentLoad = load;
    await waitFor(() => load.acked.size >= 100, { timeoutMs: 60_000, description: 'load under way' });
    note('stopping ClickHouse');
    await clickhouse.stop();
    note('ClickHouse stopped');
    const ackedAtStop = load.acked.size;
    await sleep(5000);
    // An ingester stopped while its writes cannot land hands them back.
    const stopped = ingesters.shift();
    note('stopping an ingester');
    await stopped.stop({ timeoutMs: 60_000 });
    note('ingester stopped');
    await sleep(25_000);
    assert.ok(load.acked.size > ackedAtStop + 100, 'collectors acknowledged while ClickHouse was down');
    let lag = 0;
    for (const i of ingesters) lag += await lagOf(i);
    assert.ok(lag > 0, 'the lag shows in /metrics');
    note('starting ClickHouse');
    clickhouse = await startClickHouse({ dir: clickhouse.dir, ports: clickhouse.ports, restart: true });
    note('ClickHouse started');
    ingesters.push(await startIngester());
    await sleep(2000);
    await load.stop();
    assert.equal(load.refused, 0, 'the collectors kept accepting');
    await expectAllReadable(query, load.acked, diagnose);
    await waitFor(async () => (await lagOf(ingesters[0])) === 0, { timeoutMs: 60_000, description: 'the stream drained' });
  });

  test('NATS restarted under load: what was acknowledged is readable afterwards', async () => {
    const load = startLoad(collectors, { service: 'fault-nats' });
    await waitFor(() => load.acked.size >= 100, { timeoutMs: 60_000, description: 'load under way' });
    await nats.restart();
    const ackedAtRestart = load.acked.size;
    await waitFor(() => load.acked.size >= ackedAtRestart + 200, { timeoutMs: 60_000, description: 'load after the restart' });
    await load.stop();
    await expectAllReadable(query, load.acked, diagnose);
    // Refused requests were answered (503) and counted, not lost silently.
    let refusedSpans = 0;
    for (const c of collectors) {
      refusedSpans +=
        metric(await getMetrics(c), 'spoor_spans_refused_total', { transport: 'http', format: 'otlp_json', reason: 'buffer_unavailable' }) ?? 0;
    }
    assert.equal(refusedSpans, load.refused * 20, 'every refused span counted');
  });
});
