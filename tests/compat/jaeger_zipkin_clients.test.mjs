// Real Jaeger and Zipkin client libraries sending to spoor unchanged:
// jaeger-client (UDP reporter, Thrift binary on the 6832 port, and HTTP
// reporter to 14268), zipkin + zipkin-transport-http (v2 and v1 JSON to 9411),
// zipkin-encoder-thrift (v1 Thrift to 9411) and
// the OpenTelemetry Zipkin exporter. Each trace is read back through the
// Jaeger query API.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { jaegerTraceId, spansById, startSpoor, tagMap, waitFor, waitForTrace } from '../lib/spoor.mjs';

const require = createRequire(import.meta.url);
const { initTracer } = require('jaeger-client');
const zipkin = require('zipkin');
const { HttpLogger } = require('zipkin-transport-http');
const thriftEncoder = require('zipkin-encoder-thrift');

/** Tags as a plain object: {key: {type, value}}. */
const tagsOf = (kvs) => Object.fromEntries(tagMap(kvs));

const quietLogger = { info() {}, error(msg) { throw new Error(`jaeger-client: ${msg}`); } };

/** The span of `trace` (Jaeger JSON) named `name`. */
function byName(tr, name) {
  const span = tr.spans.find((s) => s.operationName === name);
  assert.ok(span, `span ${name} in ${tr.spans.map((s) => s.operationName)}`);
  return span;
}

function parentOf(span) {
  const ref = span.references.find((r) => r.refType === 'CHILD_OF');
  return ref?.spanID;
}

/** Emits the reference trace with a jaeger-client tracer and returns its trace ID. */
async function emitJaegerTrace(tracer) {
  const root = tracer.startSpan('GET /checkout', { tags: { 'span.kind': 'server', 'http.method': 'GET' } });
  const client = tracer.startSpan('charge card', {
    childOf: root,
    tags: { 'span.kind': 'client', 'http.status_code': 201, 'payment.amount': 12.5, 'payment.retry': false, 'peer.service': 'payments' },
  });
  client.finish();
  const internal = tracer.startSpan('validate', { childOf: root });
  internal.log({ event: 'validation failed', field: 'zip', attempt: 2 });
  internal.setTag('error', true);
  internal.finish();
  root.finish();
  await new Promise((resolve) => tracer.close(resolve));
  return root.context().toTraceId();
}

function checkJaegerTrace(tr, service) {
  assert.equal(tr.spans.length, 3);
  const root = byName(tr, 'GET /checkout');
  const client = byName(tr, 'charge card');
  const internal = byName(tr, 'validate');
  assert.equal(parentOf(root), undefined);
  assert.equal(parentOf(client), root.spanID);
  assert.equal(parentOf(internal), root.spanID);
  assert.equal(tr.processes[root.processID].serviceName, service);
  const processTags = tagsOf(tr.processes[root.processID].tags);
  assert.ok('jaeger.version' in processTags || 'client-uuid' in processTags, `jaeger-client process tags: ${Object.keys(processTags)}`);
  const rootTags = tagsOf(root.tags);
  assert.deepEqual(rootTags['span.kind'], { type: 'string', value: 'server' });
  const tags = tagsOf(client.tags);
  assert.deepEqual(tags['span.kind'], { type: 'string', value: 'client' });
  // JavaScript numbers travel as Jaeger DOUBLE tags: the client has no integer type.
  assert.deepEqual(tags['http.status_code'], { type: 'float64', value: 201 });
  assert.deepEqual(tags['payment.amount'], { type: 'float64', value: 12.5 });
  assert.deepEqual(tags['payment.retry'], { type: 'bool', value: false });
  assert.deepEqual(tags['peer.service'], { type: 'string', value: 'payments' });
  assert.deepEqual(tagsOf(internal.tags).error, { type: 'bool', value: true });
  assert.equal(internal.logs.length, 1);
  const fields = tagsOf(internal.logs[0].fields);
  assert.deepEqual(fields.event, { type: 'string', value: 'validation failed' });
  assert.deepEqual(fields.field, { type: 'string', value: 'zip' });
  assert.deepEqual(fields.attempt, { type: 'float64', value: 2 });
  assert.ok(internal.logs[0].timestamp >= internal.startTime && internal.logs[0].timestamp <= internal.startTime + internal.duration + 1);
  assert.ok(root.startTime <= client.startTime && client.startTime + client.duration <= root.startTime + root.duration + 1);
  assert.ok(Math.abs(root.startTime - Date.now() * 1000) < 60e6, 'start times are µs since the epoch');
}

describe('Jaeger and Zipkin clients', () => {
  let spoor;
  before(async () => {
    spoor = await startSpoor();
  });
  after(async () => {
    if (spoor) assert.equal(await spoor.stop(), 0, 'spoor exits 0 on SIGTERM');
  });

  test('jaeger-client UDP reporter (Thrift binary, agent port 6832)', async () => {
    const service = 'jaeger-node-udp';
    const tracer = initTracer(
      { serviceName: service, sampler: { type: 'const', param: 1 }, reporter: { agentHost: '127.0.0.1', agentPort: spoor.ports.jaegerBinary, flushIntervalMs: 50 } },
      { logger: quietLogger },
    );
    const traceId = await emitJaegerTrace(tracer);
    checkJaegerTrace(await waitForTrace(spoor.baseUrls.query, traceId, { minSpans: 3 }), service);
  });

  test('jaeger-client HTTP reporter (Thrift binary, POST /api/traces on 14268)', async () => {
    const service = 'jaeger-node-http';
    const tracer = initTracer(
      { serviceName: service, sampler: { type: 'const', param: 1 }, reporter: { collectorEndpoint: `${spoor.baseUrls.jaegerHttp}/api/traces`, flushIntervalMs: 50 } },
      { logger: quietLogger },
    );
    const traceId = await emitJaegerTrace(tracer);
    checkJaegerTrace(await waitForTrace(spoor.baseUrls.query, traceId, { minSpans: 3 }), service);
  });

  /**
   * Emits a server span with a client child through zipkin-js to `route`
   * with `encoder`, and checks what the query API shows.
   */
  async function zipkinJsRoundTrip(route, encoder, service) {
    const { Tracer, BatchRecorder, ExplicitContext, Annotation } = zipkin;
    const logger = new HttpLogger({ endpoint: `${spoor.baseUrls.zipkin}${route}`, jsonEncoder: encoder, httpInterval: 50 });
    const tracer = new Tracer({ ctxImpl: new ExplicitContext(), recorder: new BatchRecorder({ logger }), localServiceName: service, traceId128Bit: true });
    let rootId;
    tracer.scoped(() => {
      rootId = tracer.createRootId();
      tracer.setId(rootId);
      tracer.recordServiceName(service);
      tracer.recordRpc('GET /orders');
      tracer.recordAnnotation(new Annotation.ServerRecv());
      tracer.recordBinary('http.path', '/orders');
      tracer.scoped(() => {
        tracer.setId(tracer.createChildId());
        tracer.recordServiceName(service);
        tracer.recordRpc('query db');
        tracer.recordAnnotation(new Annotation.ClientSend());
        tracer.recordAnnotation(new Annotation.ServerAddr({ serviceName: 'postgres' }));
        tracer.recordBinary('db.rows', '3');
        tracer.recordMessage('cache miss');
        tracer.recordBinary('error', 'connection reset');
        tracer.recordAnnotation(new Annotation.ClientRecv());
      });
      tracer.setId(rootId);
      tracer.recordAnnotation(new Annotation.ServerSend());
    });
    const traceId = rootId.traceId;
    const tr = await waitForTrace(spoor.baseUrls.query, traceId, { minSpans: 2, timeoutMs: 20_000 });
    const root = byName(tr, 'get /orders');
    const child = byName(tr, 'query db');
    assert.equal(parentOf(child), root.spanID);
    assert.equal(tr.processes[root.processID].serviceName, service);
    assert.deepEqual(tagsOf(root.tags)['span.kind'], { type: 'string', value: 'server' });
    const tags = tagsOf(child.tags);
    assert.deepEqual(tags['span.kind'], { type: 'string', value: 'client' });
    assert.deepEqual(tags['db.rows'], { type: 'string', value: '3' });
    assert.deepEqual(tags['peer.service'], { type: 'string', value: 'postgres' });
    assert.deepEqual(tags.error, { type: 'bool', value: true });
    assert.ok(child.logs.some((l) => l.fields.some((f) => f.value === 'cache miss')), 'annotation as a log');
    assert.ok(child.duration >= 0 && root.duration >= child.duration);
  }

  test('zipkin + zipkin-transport-http (v2 JSON to 9411)', async () => {
    await zipkinJsRoundTrip('/api/v2/spans', zipkin.jsonEncoder.JSON_V2, 'zipkin-node');
  });

  test('zipkin + zipkin-transport-http (v1 JSON to 9411)', async () => {
    await zipkinJsRoundTrip('/api/v1/spans', zipkin.jsonEncoder.JSON_V1, 'zipkin-node-v1');
  });

  test('zipkin + zipkin-encoder-thrift (v1 Thrift list<Span> to 9411)', async () => {
    const { Tracer, BatchRecorder, ExplicitContext, Annotation } = zipkin;
    // The recorder hands finished spans to this logger; they are sent as one
    // Thrift list<Span> (binary protocol), as Zipkin's Thrift senders do.
    const recorded = [];
    const logger = { logSpan: (span) => recorded.push(span) };
    const tracer = new Tracer({ ctxImpl: new ExplicitContext(), recorder: new BatchRecorder({ logger, timeout: 60_000_000 }), localServiceName: 'zipkin-thrift' });
    let rootId;
    tracer.scoped(() => {
      rootId = tracer.createRootId();
      tracer.setId(rootId);
      tracer.recordServiceName('zipkin-thrift');
      tracer.recordRpc('POST /pay');
      tracer.recordAnnotation(new Annotation.ServerRecv());
      tracer.recordAnnotation(new Annotation.ClientAddr({ host: new zipkin.InetAddress('10.2.0.1'), port: 5000 }));
      tracer.recordBinary('http.method', 'POST');
      tracer.recordMessage('validated');
      tracer.recordAnnotation(new Annotation.ServerSend());
    });
    await waitFor(() => recorded.length === 1, { description: 'the span recorded' });
    const header = Buffer.alloc(5);
    header.writeUInt8(12, 0); // list of structs
    header.writeInt32BE(recorded.length, 1);
    const body = Buffer.concat([header, ...recorded.map((span) => Buffer.from(thriftEncoder.encode(span)))]);
    const res = await fetch(`${spoor.baseUrls.zipkin}/api/v1/spans`, { method: 'POST', headers: { 'content-type': 'application/x-thrift' }, body });
    assert.equal(res.status, 202, await res.text());
    const tr = await waitForTrace(spoor.baseUrls.query, rootId.traceId);
    assert.equal(tr.spans.length, 1);
    const span = tr.spans[0];
    assert.equal(span.operationName, 'post /pay');
    assert.equal(tr.processes[span.processID].serviceName, 'zipkin-thrift');
    const tags = tagsOf(span.tags);
    assert.deepEqual(tags['span.kind'], { type: 'string', value: 'server' });
    assert.deepEqual(tags['http.method'], { type: 'string', value: 'POST' });
    assert.deepEqual(tags['net.peer.ip'], { type: 'string', value: '10.2.0.1' });
    assert.ok(span.logs.some((l) => l.fields.some((f) => f.value === 'validated')), 'annotation as a log');
    assert.ok(span.duration >= 0);
  });

  test('@opentelemetry/exporter-zipkin (v2 JSON to 9411)', async () => {
    const exporter = new ZipkinExporter({ url: `${spoor.baseUrls.zipkin}/api/v2/spans` });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: 'otel-zipkin' }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('compat');
    const root = tracer.startSpan('GET /items', { kind: SpanKind.SERVER, attributes: { 'http.route': '/items' } });
    const child = tracer.startSpan('fetch', { kind: SpanKind.CLIENT, attributes: { 'retry.count': 2 } }, trace.setSpan(context.active(), root));
    child.addEvent('timeout');
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'deadline exceeded' });
    child.end();
    root.end();
    await provider.forceFlush();
    const traceId = root.spanContext().traceId;
    const tr = await waitForTrace(spoor.baseUrls.query, traceId, { minSpans: 2 });
    const spans = spansById(tr);
    const got = spans.get(child.spanContext().spanId);
    assert.ok(got, 'the child span is there');
    assert.equal(parentOf(got), root.spanContext().spanId);
    assert.equal(tr.processes[got.processID].serviceName, 'otel-zipkin');
    const tags = tagsOf(got.tags);
    assert.deepEqual(tags['span.kind'], { type: 'string', value: 'client' });
    assert.deepEqual(tags.error, { type: 'bool', value: true });
    assert.ok(got.logs.some((l) => l.fields.some((f) => f.value === 'timeout')), 'the event as a log');
    await provider.shutdown();
  });
});
