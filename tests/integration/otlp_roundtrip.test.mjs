// One rich trace sent over every OTLP transport and read back through the
// Jaeger query API and api_v3, compared field by field with what was sent.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  fetchJson,
  getJaegerTrace,
  jaegerTraceId,
  nowNs,
  nsToUs,
  randomHex,
  randomSpanId,
  randomTraceId,
  spansById,
  startSpoor,
  tagMap,
  waitForTrace,
} from '../lib/spoor.mjs';
import { SpanKind, StatusCode, grpcExport, kv, postTraces, request, span, value } from '../lib/otlp.mjs';

const TRACE_STATE = 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7';
const PAYLOAD_BYTES = [0x00, 0x01, 0x02, 0xfe, 0xff];

/**
 * checkout (SERVER root) -> checkout (CLIENT, every attribute type, event,
 * link, status ERROR) -> payments (SERVER in a second resource, status OK).
 */
function buildRichTrace(traceId) {
  const base = nowNs() - 60_000_000_000n;
  const ids = {
    root: randomSpanId(),
    client: randomSpanId(),
    payments: randomSpanId(),
    linkTrace: randomTraceId(),
    linkSpan: randomSpanId(),
  };
  // Sub-microsecond remainders check that times are truncated to µs the way
  // Jaeger does; durations are whole microseconds so both ways agree there.
  const t = {
    rootStart: base + 789n,
    rootEnd: base + 789n + 120_500_000n,
    clientStart: base + 10_000_123n,
    clientEnd: base + 10_000_123n + 80_250_000n,
    eventTime: base + 30_000_456n,
    paymentsStart: base + 15_000_000n,
    paymentsEnd: base + 75_000_000n,
  };
  const root = span({
    traceId,
    spanId: ids.root,
    name: 'POST /checkout',
    kind: SpanKind.SERVER,
    startNs: t.rootStart,
    endNs: t.rootEnd,
    flags: 1,
    traceState: TRACE_STATE,
    attributes: { 'http.request.method': 'POST', 'http.response.status_code': 500, 'url.path': '/checkout' },
  });
  const client = span({
    traceId,
    spanId: ids.client,
    parentSpanId: ids.root,
    name: 'charge card',
    kind: SpanKind.CLIENT,
    startNs: t.clientStart,
    endNs: t.clientEnd,
    flags: 1,
    attributes: [
      kv('peer.service', 'payments'),
      kv('retry.enabled', true),
      kv('retry.count', 3),
      kv('neg.count', -42),
      kv('big.count', value.int('9007199254740993')),
      kv('big.negative', value.int('-9223372036854775808')),
      kv('ratio', 0.25),
      kv('payload', value.bytes(PAYLOAD_BYTES)),
      kv('list', value.array([value.str('a'), value.int(1), value.bool(true), value.double(1.5)])),
      kv('map', value.kvlist([kv('k', 'v'), kv('n', 2)])),
    ],
    events: [
      {
        name: 'retrying',
        timeNs: t.eventTime,
        attributes: { 'retry.reason': 'timeout', 'retry.delay_ms': 250, 'retry.jitter': 0.1 },
      },
    ],
    links: [{ traceId: ids.linkTrace, spanId: ids.linkSpan, traceState: 'x=1', attributes: { 'link.reason': 'batch' } }],
    status: { code: StatusCode.ERROR, message: 'card declined' },
  });
  const payments = span({
    traceId,
    spanId: ids.payments,
    parentSpanId: ids.client,
    name: 'Charge',
    kind: SpanKind.SERVER,
    startNs: t.paymentsStart,
    endNs: t.paymentsEnd,
    attributes: { 'payment.id': 'pay-17' },
    status: { code: StatusCode.OK },
  });
  const req = request([
    {
      service: 'checkout',
      resource: { 'host.name': 'web-1', 'process.pid': 4242, 'host.load': 0.5, 'container.privileged': false },
      scopes: [{ name: 'io.spoor.checkout', version: '1.4.2', attributes: { 'scope.owner': 'team-a' }, spans: [root, client] }],
    },
    {
      service: 'payments',
      resource: { 'payments.region': 'eu-west' },
      scopes: [{ name: 'io.spoor.payments', version: '0.9.0', spans: [payments] }],
    },
  ]);
  return { traceId, ids, t, req };
}

function assertTags(kvs, expected, where) {
  const keys = (kvs ?? []).map((k) => k.key);
  assert.equal(new Set(keys).size, keys.length, `${where}: duplicate tag keys in ${JSON.stringify(keys)}`);
  const tags = tagMap(kvs);
  for (const [key, want] of Object.entries(expected)) {
    assert.ok(tags.has(key), `${where}: missing tag ${key}; got ${JSON.stringify(kvs)}`);
    const got = tags.get(key);
    if (want.json !== undefined) {
      assert.equal(got.type, 'string', `${where}: type of ${key}`);
      assert.deepEqual(JSON.parse(got.value), want.json, `${where}: JSON value of ${key}`);
    } else {
      assert.deepEqual(got, want, `${where}: tag ${key}`);
    }
  }
}

function assertNoTags(kvs, keys, where) {
  const tags = tagMap(kvs);
  for (const key of keys) assert.ok(!tags.has(key), `${where}: unexpected tag ${key}=${JSON.stringify(tags.get(key))}`);
}

const S = (v) => ({ type: 'string', value: v });

/** Checks the /api/traces/{id} form of buildRichTrace's trace. */
function checkJaegerTrace(trace, { traceId, ids, t }) {
  const tid = jaegerTraceId(traceId);
  assert.equal(trace.traceID, tid);
  assert.equal(trace.spans.length, 3, `span count; got ${trace.spans.map((s) => s.operationName)}`);
  const spans = spansById(trace);
  const root = spans.get(ids.root);
  const client = spans.get(ids.client);
  const payments = spans.get(ids.payments);
  assert.ok(root && client && payments, `span IDs ${[...spans.keys()]}`);
  for (const s of trace.spans) assert.equal(s.traceID, tid, `traceID of span ${s.spanID}`);

  // Root
  assert.equal(root.operationName, 'POST /checkout');
  assert.equal(root.startTime, nsToUs(t.rootStart));
  assert.equal(root.duration, 120_500);
  assert.equal(root.flags, 1);
  assert.deepEqual(root.references ?? [], []);
  assertTags(
    root.tags,
    {
      'span.kind': S('server'),
      'w3c.tracestate': S(TRACE_STATE),
      'otel.scope.name': S('io.spoor.checkout'),
      'otel.scope.version': S('1.4.2'),
      'http.request.method': S('POST'),
      'http.response.status_code': { type: 'int64', value: 500 },
      'url.path': S('/checkout'),
    },
    'root',
  );
  assertNoTags(root.tags, ['error', 'otel.status_code', 'otel.status_description'], 'root');
  assert.deepEqual(root.logs ?? [], []);

  // Client: every attribute type, the event, the link, status ERROR.
  assert.equal(client.operationName, 'charge card');
  assert.equal(client.startTime, nsToUs(t.clientStart));
  assert.equal(client.duration, 80_250);
  assert.equal(client.flags, 1);
  assert.deepEqual(client.references, [
    { refType: 'CHILD_OF', traceID: tid, spanID: ids.root },
    { refType: 'FOLLOWS_FROM', traceID: jaegerTraceId(ids.linkTrace), spanID: ids.linkSpan },
  ]);
  assertTags(
    client.tags,
    {
      'span.kind': S('client'),
      'otel.scope.name': S('io.spoor.checkout'),
      'otel.scope.version': S('1.4.2'),
      'otel.status_code': S('ERROR'),
      'otel.status_description': S('card declined'),
      error: { type: 'bool', value: true },
      'peer.service': S('payments'),
      'retry.enabled': { type: 'bool', value: true },
      'retry.count': { type: 'int64', value: 3 },
      'neg.count': { type: 'int64', value: -42 },
      'big.count': { type: 'int64', value: '9007199254740993' },
      'big.negative': { type: 'int64', value: '-9223372036854775808' },
      ratio: { type: 'float64', value: 0.25 },
      payload: { type: 'binary', value: Buffer.from(PAYLOAD_BYTES).toString('base64') },
      list: { json: ['a', 1, true, 1.5] },
      map: { json: { k: 'v', n: 2 } },
    },
    'client',
  );
  assertNoTags(client.tags, ['w3c.tracestate'], 'client');
  assert.equal(client.logs.length, 1, `client logs: ${JSON.stringify(client.logs)}`);
  assert.equal(client.logs[0].timestamp, nsToUs(t.eventTime));
  assertTags(
    client.logs[0].fields,
    {
      event: S('retrying'),
      'retry.reason': S('timeout'),
      'retry.delay_ms': { type: 'int64', value: 250 },
      'retry.jitter': { type: 'float64', value: 0.1 },
    },
    'client log',
  );
  assert.equal(client.logs[0].fields.length, 4, `client log fields: ${JSON.stringify(client.logs[0].fields)}`);

  // Payments: another process, status OK.
  assert.equal(payments.operationName, 'Charge');
  assert.equal(payments.startTime, nsToUs(t.paymentsStart));
  assert.equal(payments.duration, 60_000);
  assert.ok(!('flags' in payments) || payments.flags === 0, `payments flags ${payments.flags}`);
  assert.deepEqual(payments.references, [{ refType: 'CHILD_OF', traceID: tid, spanID: ids.client }]);
  assertTags(
    payments.tags,
    {
      'span.kind': S('server'),
      'otel.status_code': S('OK'),
      'otel.scope.name': S('io.spoor.payments'),
      'otel.scope.version': S('0.9.0'),
      'payment.id': S('pay-17'),
    },
    'payments',
  );
  assertNoTags(payments.tags, ['error', 'otel.status_description'], 'payments');

  // Processes
  const pids = Object.keys(trace.processes);
  assert.equal(pids.length, 2, `processes ${JSON.stringify(trace.processes)}`);
  for (const pid of pids) assert.match(pid, /^p\d+$/);
  assert.equal(root.processID, client.processID);
  assert.notEqual(root.processID, payments.processID);
  const checkout = trace.processes[root.processID];
  assert.equal(checkout.serviceName, 'checkout');
  assertTags(
    checkout.tags,
    {
      'host.name': S('web-1'),
      'process.pid': { type: 'int64', value: 4242 },
      'host.load': { type: 'float64', value: 0.5 },
      'container.privileged': { type: 'bool', value: false },
    },
    'checkout process',
  );
  assertNoTags(checkout.tags, ['service.name'], 'checkout process');
  const paymentsProcess = trace.processes[payments.processID];
  assert.equal(paymentsProcess.serviceName, 'payments');
  assertTags(paymentsProcess.tags, { 'payments.region': S('eu-west') }, 'payments process');
  assertNoTags(paymentsProcess.tags, ['service.name'], 'payments process');
}

// --- OTLP/JSON normalisation for comparing what was sent with api_v3 output.

function normValue(v) {
  if (!v) return ['empty'];
  if ('stringValue' in v) return ['string', v.stringValue];
  if ('boolValue' in v) return ['bool', v.boolValue];
  if ('intValue' in v) return ['int', String(v.intValue)];
  if ('doubleValue' in v) return ['double', Number(v.doubleValue)];
  if ('bytesValue' in v) return ['bytes', Buffer.from(v.bytesValue, 'base64').toString('hex')];
  if ('arrayValue' in v) return ['array', (v.arrayValue.values ?? []).map(normValue)];
  if ('kvlistValue' in v) return ['kvlist', normAttrs(v.kvlistValue.values)];
  return ['empty'];
}

function normAttrs(list) {
  return (list ?? []).map((a) => [a.key, normValue(a.value)]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

const lowerHex = (s) => (s ?? '').toLowerCase();

/** Map spanId -> comparable record of an OTLP/JSON resourceSpans list. */
function flattenOtlp(resourceSpans) {
  const out = new Map();
  for (const rs of resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        out.set(lowerHex(s.spanId), {
          resource: normAttrs(rs.resource?.attributes),
          scope: { name: ss.scope?.name ?? '', version: ss.scope?.version ?? '', attributes: normAttrs(ss.scope?.attributes) },
          traceId: lowerHex(s.traceId),
          parentSpanId: lowerHex(s.parentSpanId),
          name: s.name,
          kind: Number(s.kind ?? 0),
          traceState: s.traceState ?? '',
          flags: Number(s.flags ?? 0),
          start: String(s.startTimeUnixNano),
          end: String(s.endTimeUnixNano),
          attributes: normAttrs(s.attributes),
          events: (s.events ?? []).map((e) => ({ time: String(e.timeUnixNano), name: e.name ?? '', attributes: normAttrs(e.attributes) })),
          links: (s.links ?? []).map((l) => ({
            traceId: lowerHex(l.traceId),
            spanId: lowerHex(l.spanId),
            traceState: l.traceState ?? '',
            attributes: normAttrs(l.attributes),
          })),
          status: { code: Number(s.status?.code ?? 0), message: s.status?.message ?? '' },
        });
      }
    }
  }
  return out;
}

async function checkApiV3Trace(queryUrl, sent) {
  const res = await fetchJson(`${queryUrl}/api/v3/traces/${sent.traceId}`);
  assert.equal(res.status, 200, res.text);
  assert.ok(res.body?.result?.resourceSpans, `api_v3 shape: ${res.text.slice(0, 300)}`);
  for (const rs of res.body.result.resourceSpans) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        assert.match(s.traceId, /^[0-9a-f]{32}$/, 'api_v3 trace IDs are 32 lowercase hex characters');
        assert.match(s.spanId, /^[0-9a-f]{16}$/, 'api_v3 span IDs are 16 lowercase hex characters');
      }
    }
  }
  const got = flattenOtlp(res.body.result.resourceSpans);
  const want = flattenOtlp(sent.req.resourceSpans);
  assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), 'api_v3 span IDs');
  for (const [id, w] of want) assert.deepEqual(got.get(id), w, `api_v3 span ${w.name}`);
}

function rejectedCount(partialSuccess) {
  return Number(partialSuccess?.rejectedSpans ?? 0);
}

describe('OTLP round trip', () => {
  let spoor;
  before(async () => {
    spoor = await startSpoor();
  });
  after(async () => {
    if (spoor) assert.equal(await spoor.stop(), 0, 'spoor exits 0 on SIGTERM');
  });

  const transports = [
    {
      name: 'OTLP/HTTP JSON',
      send: async (req) => {
        const res = await postTraces(spoor.baseUrls.otlpHttp, req, { encoding: 'json' });
        assert.equal(res.status, 200, res.bytes.toString());
        assert.match(res.contentType, /^application\/json/);
        assert.equal(typeof res.json, 'object', 'response is an ExportTraceServiceResponse in JSON');
        assert.equal(rejectedCount(res.json.partialSuccess), 0);
      },
    },
    {
      name: 'OTLP/HTTP protobuf',
      send: async (req) => {
        const res = await postTraces(spoor.baseUrls.otlpHttp, req, { encoding: 'proto' });
        assert.equal(res.status, 200, res.bytes.toString());
        assert.match(res.contentType, /^application\/x-protobuf/);
        assert.ok(res.proto, `response decodes as ExportTraceServiceResponse: ${res.protoError}`);
        assert.equal(rejectedCount(res.proto.partialSuccess), 0);
      },
    },
    {
      name: 'OTLP/HTTP JSON, gzip',
      send: async (req) => {
        const res = await postTraces(spoor.baseUrls.otlpHttp, req, { encoding: 'json', gzip: true });
        assert.equal(res.status, 200, res.bytes.toString());
        assert.equal(rejectedCount(res.json?.partialSuccess), 0);
      },
    },
    {
      name: 'OTLP/HTTP protobuf, gzip',
      send: async (req) => {
        const res = await postTraces(spoor.baseUrls.otlpHttp, req, { encoding: 'proto', gzip: true });
        assert.equal(res.status, 200, res.bytes.toString());
        assert.ok(res.proto, `response decodes: ${res.protoError}`);
        assert.equal(rejectedCount(res.proto.partialSuccess), 0);
      },
    },
    {
      name: 'OTLP/gRPC',
      send: async (req) => {
        const response = await grpcExport(spoor.grpcAddress, req);
        assert.equal(rejectedCount(response?.partialSuccess), 0);
      },
    },
  ];

  for (const transport of transports) {
    test(`${transport.name}: every field survives /api/traces/{id} and /api/v3/traces/{id}`, async () => {
      const sent = buildRichTrace(randomTraceId());
      await transport.send(sent.req);
      const trace = await waitForTrace(spoor.baseUrls.query, sent.traceId, { minSpans: 3 });
      checkJaegerTrace(trace, sent);
      await checkApiV3Trace(spoor.baseUrls.query, sent);
    });
  }

  test('/api/traces/{id} answers with the Jaeger envelope', async () => {
    const sent = buildRichTrace(randomTraceId());
    await transports[0].send(sent.req);
    await waitForTrace(spoor.baseUrls.query, sent.traceId, { minSpans: 3 });
    const res = await getJaegerTrace(spoor.baseUrls.query, sent.traceId);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(res.body.data.length, 1);
    assert.equal(res.body.errors, null);
    assert.equal(res.body.total, 0);
    assert.equal(res.body.limit, 0);
    assert.equal(res.body.offset, 0);
  });

  test('a 64-bit trace ID is shown with 16 characters and found by either form', async () => {
    const low = randomHex(8);
    const traceId = `0000000000000000${low}`;
    const rootId = randomSpanId();
    const childId = randomSpanId();
    const start = nowNs() - 5_000_000_000n;
    const req = request([
      {
        service: 'short-ids',
        spans: [
          span({ traceId, spanId: rootId, name: 'root', kind: SpanKind.SERVER, startNs: start, endNs: start + 2_000_000n }),
          span({ traceId, spanId: childId, parentSpanId: rootId, name: 'child', startNs: start + 100_000n, endNs: start + 900_000n }),
        ],
      },
    ]);
    const res = await postTraces(spoor.baseUrls.otlpHttp, req);
    assert.equal(res.status, 200);

    const trace = await waitForTrace(spoor.baseUrls.query, low, { minSpans: 2 });
    assert.equal(trace.traceID, low);
    for (const s of trace.spans) assert.equal(s.traceID, low);
    const child = spansById(trace).get(childId);
    assert.deepEqual(child.references, [{ refType: 'CHILD_OF', traceID: low, spanID: rootId }]);

    const byLongForm = await getJaegerTrace(spoor.baseUrls.query, traceId);
    assert.equal(byLongForm.status, 200, byLongForm.text);
    assert.equal(byLongForm.body.data[0].traceID, low);
    assert.equal(byLongForm.body.data[0].spans.length, 2);

    const v3 = await fetchJson(`${spoor.baseUrls.query}/api/v3/traces/${traceId}`);
    assert.equal(v3.status, 200, v3.text);
    const ids = v3.body.result.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.traceId)));
    assert.deepEqual(ids, [traceId, traceId]);
  });

  test('OTLP/JSON with snake_case field names and numeric 64-bit values is accepted', async () => {
    const traceId = randomTraceId();
    const spanId = randomSpanId();
    const start = nowNs() - 3_000_000_000n;
    const body = JSON.stringify({
      resource_spans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { string_value: 'snake-case' } }] },
          scope_spans: [
            {
              scope: { name: 'snake' },
              spans: [
                {
                  trace_id: traceId,
                  span_id: spanId,
                  name: 'snake op',
                  kind: 2,
                  start_time_unix_nano: '__START__',
                  end_time_unix_nano: '__END__',
                  attributes: [{ key: 'count', value: { int_value: 7 } }],
                },
              ],
            },
          ],
        },
      ],
    })
      // 64-bit values as bare JSON numbers, written exactly.
      .replace('"__START__"', String(start))
      .replace('"__END__"', String(start + 7_000_000n));
    const res = await postTraces(spoor.baseUrls.otlpHttp, body);
    assert.equal(res.status, 200, res.bytes.toString());
    const trace = await waitForTrace(spoor.baseUrls.query, traceId);
    const s = trace.spans[0];
    assert.equal(s.spanID, spanId);
    assert.equal(s.operationName, 'snake op');
    assert.equal(s.duration, 7000);
    assert.equal(trace.processes[s.processID].serviceName, 'snake-case');
    assertTags(s.tags, { count: { type: 'int64', value: 7 }, 'span.kind': S('server') }, 'snake_case span');
  });

  test('strings with quotes, escapes, control characters and non-ASCII survive every encoding', async () => {
    const tricky = 'say "hi" \\ back\\slash\nnew line\ttab \u0001\u001f ctrl é 日本語 🎉 </script>';
    for (const [i, encoding] of ['json', 'proto'].entries()) {
      const traceId = randomTraceId();
      const spanId = randomSpanId();
      const start = nowNs() - 4_000_000_000n;
      const req = request([
        {
          service: `ünïcode-service-${i}`,
          resource: { 'host.name': tricky },
          spans: [
            span({
              traceId,
              spanId,
              name: `op ${tricky}`,
              startNs: start,
              endNs: start + 1_000_000n,
              attributes: { text: tricky, [`key ${tricky}`]: 'v' },
              events: [{ name: tricky, timeNs: start + 1000n, attributes: { text: tricky } }],
              status: { code: StatusCode.ERROR, message: tricky },
            }),
          ],
        },
      ]);
      const res = await postTraces(spoor.baseUrls.otlpHttp, req, { encoding });
      assert.equal(res.status, 200, res.bytes.toString());
      const trace = await waitForTrace(spoor.baseUrls.query, traceId);
      const s = trace.spans[0];
      assert.equal(s.operationName, `op ${tricky}`, encoding);
      const tags = tagMap(s.tags);
      assert.deepEqual(tags.get('text'), S(tricky), encoding);
      assert.deepEqual(tags.get(`key ${tricky}`), S('v'), encoding);
      assert.deepEqual(tags.get('otel.status_description'), S(tricky), encoding);
      assert.deepEqual(tagMap(s.logs[0].fields).get('event'), S(tricky), encoding);
      const process = trace.processes[s.processID];
      assert.equal(process.serviceName, `ünïcode-service-${i}`);
      assert.deepEqual(tagMap(process.tags).get('host.name'), S(tricky));

      const services = await fetchJson(`${spoor.baseUrls.query}/api/services`);
      assert.ok(services.body.data.includes(`ünïcode-service-${i}`), 'service listed');
      const ops = await fetchJson(`${spoor.baseUrls.query}/api/services/${encodeURIComponent(`ünïcode-service-${i}`)}/operations`);
      assert.equal(ops.status, 200, ops.text);
      assert.deepEqual(ops.body.data, [`op ${tricky}`], 'URL-encoded service name in the path');
      await checkApiV3Trace(spoor.baseUrls.query, { traceId, req });
    }
  });

  test('a link marked opentracing.ref_type=child_of becomes a CHILD_OF reference', async () => {
    const traceId = randomTraceId();
    const spanId = randomSpanId();
    const parentTrace = randomTraceId();
    const parentSpan = randomSpanId();
    const followTrace = randomTraceId();
    const followSpan = randomSpanId();
    const start = nowNs() - 3_000_000_000n;
    const req = request([
      {
        service: 'links',
        spans: [
          span({
            traceId,
            spanId,
            name: 'linked',
            startNs: start,
            endNs: start + 1_000_000n,
            links: [
              { traceId: followTrace, spanId: followSpan },
              { traceId: parentTrace, spanId: parentSpan, attributes: { 'opentracing.ref_type': 'child_of' } },
            ],
          }),
        ],
      },
    ]);
    assert.equal((await postTraces(spoor.baseUrls.otlpHttp, req)).status, 200);
    const trace = await waitForTrace(spoor.baseUrls.query, traceId);
    const refs = trace.spans[0].references;
    assert.equal(refs.length, 2, JSON.stringify(refs));
    assert.deepEqual(
      refs.find((r) => r.spanID === parentSpan),
      { refType: 'CHILD_OF', traceID: parentTrace, spanID: parentSpan },
    );
    assert.deepEqual(
      refs.find((r) => r.spanID === followSpan),
      { refType: 'FOLLOWS_FROM', traceID: followTrace, spanID: followSpan },
    );
  });

  test('upper-case hex IDs in OTLP/JSON are accepted and shown in lower case', async () => {
    const traceId = randomTraceId();
    const spanId = randomSpanId();
    const parentId = randomSpanId();
    const start = nowNs() - 3_000_000_000n;
    const req = request([
      {
        service: 'upper',
        spans: [
          span({ traceId: traceId.toUpperCase(), spanId: parentId.toUpperCase(), name: 'p', startNs: start, endNs: start + 2_000_000n }),
          span({
            traceId: traceId.toUpperCase(),
            spanId: spanId.toUpperCase(),
            parentSpanId: parentId.toUpperCase(),
            name: 'c',
            startNs: start,
            endNs: start + 1_000_000n,
          }),
        ],
      },
    ]);
    const res = await postTraces(spoor.baseUrls.otlpHttp, req);
    assert.equal(res.status, 200, res.bytes.toString());
    const trace = await waitForTrace(spoor.baseUrls.query, traceId, { minSpans: 2 });
    assert.equal(trace.traceID, traceId);
    const child = spansById(trace).get(spanId);
    assert.ok(child, `span IDs ${trace.spans.map((x) => x.spanID)}`);
    assert.deepEqual(child.references, [{ refType: 'CHILD_OF', traceID: traceId, spanID: parentId }]);
  });

  test('an unknown trace ID answers 404 on /api and /api/v3; a malformed one 400', async () => {
    const unknown = randomTraceId();
    const res = await getJaegerTrace(spoor.baseUrls.query, unknown);
    assert.equal(res.status, 404, res.text);
    assert.equal(res.body.data, null);
    assert.equal(res.body.errors.length, 1);
    assert.equal(res.body.errors[0].code, 404);
    assert.match(res.body.errors[0].msg, /trace not found/i);

    const v3 = await fetchJson(`${spoor.baseUrls.query}/api/v3/traces/${unknown}`);
    assert.equal(v3.status, 404, v3.text);
    assert.equal(v3.body?.error?.httpCode, 404, v3.text);

    const bad = await getJaegerTrace(spoor.baseUrls.query, 'not-a-trace-id');
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.body.errors[0].code, 400);
    assert.ok(bad.body.errors[0].msg.length > 0);
  });

  test('spans of one trace sent in separate requests are returned together', async () => {
    const traceId = randomTraceId();
    const rootId = randomSpanId();
    const start = nowNs() - 2_000_000_000n;
    const first = request([
      {
        service: 'split',
        spans: [span({ traceId, spanId: rootId, name: 'root', kind: SpanKind.SERVER, startNs: start, endNs: start + 5_000_000n })],
      },
    ]);
    const childIds = [randomSpanId(), randomSpanId()];
    const second = request([
      {
        service: 'split-worker',
        spans: childIds.map((id, i) =>
          span({ traceId, spanId: id, parentSpanId: rootId, name: `work-${i}`, startNs: start + 1_000_000n, endNs: start + 2_000_000n }),
        ),
      },
    ]);
    assert.equal((await postTraces(spoor.baseUrls.otlpHttp, first)).status, 200);
    assert.equal((await postTraces(spoor.baseUrls.otlpHttp, second, { encoding: 'proto' })).status, 200);
    const trace = await waitForTrace(spoor.baseUrls.query, traceId, { minSpans: 3 });
    assert.deepEqual(trace.spans.map((s) => s.spanID).sort(), [rootId, ...childIds].sort());
    const services = new Set(Object.values(trace.processes).map((p) => p.serviceName));
    assert.deepEqual([...services].sort(), ['split', 'split-worker']);
  });
});
