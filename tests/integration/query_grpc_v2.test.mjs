// Jaeger's api_v2 QueryService over gRPC (jaeger.api_v2.QueryService on the
// query gRPC port, 16685, beside api_v3), called with @grpc/grpc-js and the
// project's own proto/jaeger/api_v2/query.proto: every method compared
// field by field with the HTTP /api answer for the same data (the Jaeger
// JSON the UI reads: the same tags, references, logs and processes), a
// 25-span trace streamed in chunks of 10 spans as Jaeger streams them,
// ArchiveTrace into an archive store, and the error codes and messages.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { SpanKind, StatusCode, request, sendTraces, span } from '../lib/otlp.mjs';
import { PROTO_DIR, fetchJson, nowNs, randomSpanId, randomTraceId, startSpoor, waitFor } from '../lib/spoor.mjs';

const MS = 1_000_000n;
const S = 1_000_000_000n;
const { status } = grpc;

let QueryService;
/** A client of jaeger.api_v2.QueryService. */
function v2Client(address) {
  if (!QueryService) {
    const options = { includeDirs: [PROTO_DIR], keepCase: false, longs: String, enums: String, defaults: true };
    QueryService = grpc.loadPackageDefinition(protoLoader.loadSync('jaeger/api_v2/query.proto', options)).jaeger.api_v2.QueryService;
  }
  const client = new QueryService(address, grpc.credentials.createInsecure());
  const options = () => ({ deadline: Date.now() + 30_000 });
  return {
    unary: (method, req = {}) => new Promise((resolve, reject) => client[method](req, new grpc.Metadata(), options(), (err, res) => (err ? reject(err) : resolve(res)))),
    stream: (method, req) =>
      new Promise((resolve, reject) => {
        const messages = [];
        const call = client[method](req, new grpc.Metadata(), options());
        call.on('data', (m) => messages.push(m));
        call.on('error', reject);
        call.on('end', () => resolve(messages));
      }),
    close: () => client.close(),
  };
}

async function assertGrpcError(promise, code, details) {
  const err = await promise.then(() => null, (e) => e);
  assert.ok(err, `expected gRPC ${code}, the call succeeded`);
  assert.equal(err.code, code, `code ${err.code} (${err.details})`);
  if (details !== undefined) assert.equal(err.details, details);
}

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const idBytes = (hexId) => Buffer.from(hexId.padStart(32, '0'), 'hex');
const timestamp = (ns) => ({ seconds: String(ns / S), nanos: Number(ns % S) });
const micros = (t) => Number(BigInt(t.seconds) * 1_000_000n + BigInt(t.nanos) / 1000n);
const byKey = (a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

// ---------------------------------------------------------------------------
// Both answers in one form: the Jaeger JSON's, each value as a string.

const V_TYPES = { STRING: 'string', BOOL: 'bool', INT64: 'int64', FLOAT64: 'float64', BINARY: 'binary' };
function protoTag(kv) {
  const type = V_TYPES[kv.vType];
  const value = { string: kv.vStr, bool: kv.vBool, int64: kv.vInt64, float64: kv.vFloat64, binary: Buffer.from(kv.vBinary).toString('base64') }[type];
  return { key: kv.key, type, value: String(value) };
}
const jsonTag = (kv) => ({ key: kv.key, type: kv.type, value: String(kv.value) });

function fromProto(s) {
  return {
    traceID: hex(s.traceId),
    spanID: hex(s.spanId),
    flags: s.flags,
    operationName: s.operationName,
    references: s.references.map((r) => ({ refType: r.refType, traceID: hex(r.traceId), spanID: hex(r.spanId) })),
    startTime: micros(s.startTime),
    duration: micros(s.duration),
    tags: s.tags.map(protoTag).sort(byKey),
    logs: s.logs.map((l) => ({ timestamp: micros(l.timestamp), fields: l.fields.map(protoTag) })),
    process: { serviceName: s.process.serviceName, tags: s.process.tags.map(protoTag).sort(byKey) },
    warnings: s.warnings,
  };
}

function fromJson(trace) {
  return trace.spans.map((s) => ({
    traceID: s.traceID.padStart(32, '0'),
    spanID: s.spanID,
    flags: s.flags ?? 0,
    operationName: s.operationName,
    references: s.references.map((r) => ({ refType: r.refType, traceID: r.traceID.padStart(32, '0'), spanID: r.spanID })),
    startTime: s.startTime,
    duration: s.duration,
    tags: s.tags.map(jsonTag).sort(byKey),
    logs: s.logs.map((l) => ({ timestamp: l.timestamp, fields: l.fields.map(jsonTag) })),
    process: { serviceName: trace.processes[s.processID].serviceName, tags: trace.processes[s.processID].tags.map(jsonTag).sort(byKey) },
    warnings: s.warnings ?? [],
  }));
}

const bySpan = (a, b) => (a.traceID + a.spanID < b.traceID + b.spanID ? -1 : 1);
const protoSpans = (chunks) => chunks.flatMap((c) => c.spans.map(fromProto)).sort(bySpan);
const jsonSpans = (traces) => traces.flatMap(fromJson).sort(bySpan);

// ---------------------------------------------------------------------------

/**
 * The data, at base = now - 5 min: `ok`, web GET /checkout (server, every
 * attribute type, an event, status ERROR with a message, a scope, a link)
 * -> api POST /orders (server) -> db query (internal); `big`, 25 spans of
 * bulk (the root 30 ms, the others 0.5 µs); `plain`, one api span without a kind.
 */
function dataSet() {
  const base = nowNs() - 300n * S;
  const ids = { ok: randomTraceId(), big: randomTraceId(), plain: randomTraceId(), linked: randomTraceId() };
  const [root, orders] = [randomSpanId(), randomSpanId()];
  const at = (ms) => base + BigInt(ms) * MS;
  const requests = [
    request([
      {
        service: 'web',
        resource: { 'host.name': 'web-1', 'process.pid': 42 },
        scopes: [{ name: 'web-http', version: '1.2.0', spans: [
          span({ traceId: ids.ok, spanId: root, name: 'GET /checkout', kind: SpanKind.SERVER, startNs: at(0), endNs: at(50),
            status: { code: StatusCode.ERROR, message: 'payment declined' }, traceState: 'vendor=1',
            attributes: { 'http.method': 'GET', 'http.status_code': 500, ratio: 0.25, cached: false, tags: ['a', 'b'] },
            events: [{ timeNs: at(1), name: 'cart.loaded', attributes: { items: 3 } }],
            links: [{ traceId: ids.linked, spanId: randomSpanId() }] }),
        ] }],
      },
      { service: 'api', spans: [span({ traceId: ids.ok, spanId: orders, parentSpanId: root, name: 'POST /orders', kind: SpanKind.SERVER, startNs: at(3), endNs: at(39), attributes: { 'order.id': 'o-1' } })] },
      { service: 'db', spans: [span({ traceId: ids.ok, spanId: randomSpanId(), parentSpanId: orders, name: 'query', kind: SpanKind.INTERNAL, startNs: at(6), endNs: at(29) })] },
      { service: 'api', spans: [span({ traceId: ids.plain, spanId: randomSpanId(), name: 'api.helper', kind: SpanKind.UNSPECIFIED, startNs: at(2000), endNs: at(2001) })] },
    ]),
  ];
  const bigRoot = randomSpanId();
  requests.push(
    request([{ service: 'bulk', spans: Array.from({ length: 25 }, (_, i) =>
      span({ traceId: ids.big, spanId: i === 0 ? bigRoot : randomSpanId(), parentSpanId: i === 0 ? undefined : bigRoot, name: i === 0 ? 'bulk.run' : 'bulk.step',
        kind: i === 0 ? SpanKind.SERVER : SpanKind.INTERNAL, startNs: at(3000 + i), endNs: i === 0 ? at(3030) : at(3000 + i) + 500n, attributes: { step: i } })) }]),
  );
  return { base, ids, counts: { ok: 3, big: 25, plain: 1 }, requests };
}

describe('api_v2 QueryService over gRPC equals the HTTP /api', () => {
  let spoor;
  let client;
  let data;
  const http = async (route) => {
    const res = await fetchJson(`${spoor.baseUrls.query}${route}`);
    assert.equal(res.status, 200, `${route}: ${res.text.slice(0, 300)}`);
    return res.body;
  };
  before(async () => {
    spoor = await startSpoor({ flags: ['--archive.span-storage.type=memory'] });
    data = dataSet();
    for (const req of data.requests) await sendTraces(spoor.baseUrls.otlpHttp, req);
    for (const [key, count] of Object.entries(data.counts)) {
      await waitFor(async () => {
        const res = await fetchJson(`${spoor.baseUrls.query}/api/traces/${data.ids[key]}`);
        return res.status === 200 && res.body.data[0].spans.length === count;
      }, { timeoutMs: 30_000, description: `trace ${key} stored` });
    }
    client = v2Client(spoor.queryGrpcAddress);
  });
  after(async () => {
    client?.close();
    if (spoor) assert.equal(await spoor.stop(), 0, 'spoor exits 0 on SIGTERM');
  });

  test('GetTrace: the same spans, tags, references, logs and processes as GET /api/traces/{id}', async () => {
    for (const key of ['ok', 'plain']) {
      const chunks = await client.stream('getTrace', { traceId: idBytes(data.ids[key]) });
      const want = jsonSpans((await http(`/api/traces/${data.ids[key]}`)).data);
      assert.deepEqual(protoSpans(chunks), want, key);
    }
    // What the comparison covers, spelled out for the richest span.
    const [chunk] = await client.stream('getTrace', { traceId: idBytes(data.ids.ok) });
    const root = chunk.spans.map(fromProto).find((s) => s.operationName === 'GET /checkout');
    const tag = (k) => root.tags.find((t) => t.key === k);
    assert.deepEqual(tag('http.status_code'), { key: 'http.status_code', type: 'int64', value: '500' });
    assert.deepEqual(tag('ratio'), { key: 'ratio', type: 'float64', value: '0.25' });
    assert.deepEqual(tag('cached'), { key: 'cached', type: 'bool', value: 'false' });
    assert.deepEqual(tag('error'), { key: 'error', type: 'bool', value: 'true' });
    assert.equal(tag('span.kind').value, 'server');
    assert.equal(tag('otel.status_description').value, 'payment declined');
    assert.equal(tag('otel.scope.name').value, 'web-http');
    assert.deepEqual(root.references.map((r) => r.refType), ['FOLLOWS_FROM']);
    assert.equal(root.references[0].traceID, data.ids.linked);
    assert.deepEqual(root.logs[0].fields.map((f) => f.key), ['event', 'items']);
    assert.equal(root.process.serviceName, 'web');
    assert.deepEqual(root.process.tags.map((t) => t.key), ['host.name', 'process.pid']);
  });

  test('GetTrace streams a 25-span trace in chunks of 10 spans, as Jaeger does', async () => {
    const chunks = await client.stream('getTrace', { traceId: idBytes(data.ids.big) });
    assert.deepEqual(chunks.map((c) => c.spans.length), [10, 10, 5]);
    assert.deepEqual(protoSpans(chunks), jsonSpans((await http(`/api/traces/${data.ids.big}`)).data));
  });

  test('FindTraces: the traces GET /api/traces finds, whole, for a service, an operation, tags and durations', async () => {
    const window = { startTimeMin: timestamp(data.base - 3600n * S), startTimeMax: timestamp(data.base + 3600n * S) };
    const startUs = (data.base - 3600n * S) / 1000n;
    const endUs = (data.base + 3600n * S) / 1000n;
    const cases = [
      [{ serviceName: 'api' }, 'service=api'],
      [{ serviceName: 'web', operationName: 'GET /checkout' }, 'service=web&operation=GET%20%2Fcheckout'],
      [{ serviceName: 'web', tags: { 'http.status_code': '500' } }, `service=web&tags=${encodeURIComponent('{"http.status_code":"500"}')}`],
      [{ serviceName: 'bulk', durationMin: { seconds: '0', nanos: 1_000_000 } }, 'service=bulk&minDuration=1ms'],
      [{ serviceName: 'api', tags: { 'order.id': 'nothing' } }, `service=api&tags=${encodeURIComponent('{"order.id":"nothing"}')}`],
    ];
    for (const [query, params] of cases) {
      const chunks = await client.stream('findTraces', { query: { ...window, ...query } });
      const want = jsonSpans((await http(`/api/traces?${params}&start=${startUs}&end=${endUs}&limit=100`)).data);
      assert.deepEqual(protoSpans(chunks), want, params);
      assert.equal(want.length === 0, params.includes('nothing'), `${params}: ${want.length} spans found`);
    }
    // No match is an empty stream.
    assert.deepEqual(await client.stream('findTraces', { query: { ...window, serviceName: 'nobody' } }), []);
  });

  test('GetServices, GetOperations and GetDependencies answer as /api/services, /api/operations and /api/dependencies', async () => {
    const services = await client.unary('getServices');
    assert.deepEqual([...services.services].sort(), [...(await http('/api/services')).data].sort());
    for (const [service, spanKind] of [['api', ''], ['api', 'server'], ['web', 'server'], ['bulk', 'internal']]) {
      const ops = await client.unary('getOperations', { service, spanKind });
      const want = (await http(`/api/operations?service=${service}&spanKind=${spanKind}`)).data;
      const sort = (list) => list.map((o) => `${o.name}/${o.spanKind}`).sort();
      assert.deepEqual(sort(ops.operations), sort(want), `${service} ${spanKind}`);
      assert.deepEqual(ops.operationNames, [...new Set(want.map((o) => o.name))].sort(), `operationNames of ${service}`);
    }
    const end = nowNs();
    const deps = await client.unary('getDependencies', { startTime: timestamp(end - 3600n * S), endTime: timestamp(end) });
    const want = (await http(`/api/dependencies?endTs=${end / MS}&lookback=3600000`)).data;
    const links = (list) => list.map((l) => `${l.parent}->${l.child}:${Number(l.callCount)}`).sort();
    assert.deepEqual(links(deps.dependencies), links(want));
    assert.ok(links(want).includes('web->api:1'), `the dependencies hold web->api: ${links(want)}`);
  });

  test('ArchiveTrace copies a trace into the archive; an unknown one is NOT_FOUND', async () => {
    await client.unary('archiveTrace', { traceId: idBytes(data.ids.plain) });
    await assertGrpcError(client.unary('archiveTrace', { traceId: idBytes(randomTraceId()) }), status.NOT_FOUND, 'trace not found');
  });

  test('errors: the codes and messages of Jaeger and of the HTTP routes', async () => {
    const zero = Buffer.alloc(16);
    await assertGrpcError(client.stream('getTrace', { traceId: zero }), status.INVALID_ARGUMENT, 'uninitialized TraceID is not allowed');
    await assertGrpcError(client.stream('getTrace', { traceId: Buffer.from('abc') }), status.INVALID_ARGUMENT, 'trace_id must be 16 bytes, not 3');
    await assertGrpcError(client.stream('getTrace', { traceId: idBytes(randomTraceId()) }), status.NOT_FOUND, 'trace not found');
    await assertGrpcError(client.stream('findTraces', {}), status.INVALID_ARGUMENT, 'missing query');
    await assertGrpcError(
      client.stream('findTraces', { query: { startTimeMin: timestamp(2n * S), startTimeMax: timestamp(S) } }),
      status.INVALID_ARGUMENT,
      'start_time_max must not be before start_time_min',
    );
    await assertGrpcError(client.unary('getOperations', {}), status.INVALID_ARGUMENT, 'service is required');
    await assertGrpcError(client.unary('getOperations', { service: 'api', spanKind: 'sideways' }), status.INVALID_ARGUMENT);
    await assertGrpcError(client.unary('getDependencies', {}), status.INVALID_ARGUMENT, 'StartTime and EndTime must be initialized.');
  });
});

describe('api_v2 ArchiveTrace without an archive store', () => {
  test('is UNIMPLEMENTED, naming the flag', async () => {
    const spoor = await startSpoor();
    const client = v2Client(spoor.queryGrpcAddress);
    try {
      await assertGrpcError(
        client.unary('archiveTrace', { traceId: idBytes(randomTraceId()) }),
        status.UNIMPLEMENTED,
        'no archive storage is configured (--archive.span-storage.type)',
      );
    } finally {
      client.close();
      await spoor.stop();
    }
  });
});
