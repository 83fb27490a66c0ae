// Every Zipkin ingest format on 9411 against a running spoor: v2 JSON, v2
// protobuf (ListOfSpans), v1 JSON and v1 Thrift (list<Span>), plain and
// gzip; each trace read back through /api/traces. Bad bodies get 400 with a
// message, other media types 415, and /metrics counts by format.

import assert from 'node:assert/strict';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import protobuf from 'protobufjs';
import {
  PROTO_DIR,
  getMetrics,
  hexToBytes,
  metric,
  randomHex,
  startSpoor,
  tagMap,
  waitForTrace,
} from '../lib/spoor.mjs';

const nowUs = () => BigInt(Date.now()) * 1000n;

async function post(spoor, route, body, contentType, extraHeaders = {}) {
  const res = await fetch(`${spoor.baseUrls.zipkin}${route}`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...extraHeaders },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, text: await res.text() };
}

// --- a small Thrift binary-protocol writer for zipkinCore.thrift ------------

class ThriftWriter {
  constructor() {
    this.parts = [];
  }
  byte(v) {
    this.parts.push(Buffer.from([v & 0xff]));
  }
  i16(v) {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    this.parts.push(b);
  }
  i32(v) {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    this.parts.push(b);
  }
  i64(v) {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt.asIntN(64, BigInt(v)));
    this.parts.push(b);
  }
  binary(v) {
    const b = Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8');
    this.i32(b.length);
    this.parts.push(b);
  }
  field(type, id) {
    this.byte(type);
    this.i16(id);
  }
  stop() {
    this.byte(0);
  }
  list(elementType, items, writeItem) {
    this.byte(elementType);
    this.i32(items.length);
    for (const item of items) writeItem(item);
  }
  bytes() {
    return Buffer.concat(this.parts);
  }
}

const T = { BOOL: 2, I16: 6, I32: 8, I64: 10, STRING: 11, STRUCT: 12, LIST: 15 };

function writeEndpoint(w, e) {
  const [a, b, c, d] = e.ipv4.split('.').map(Number);
  w.field(T.I32, 1);
  w.i32(((a << 24) | (b << 16) | (c << 8) | d) | 0);
  w.field(T.I16, 2);
  w.i16(e.port << 16 >> 16);
  w.field(T.STRING, 3);
  w.binary(e.serviceName);
  w.stop();
}

/** zipkinCore.thrift Span fields from a v1 JSON-like object (IDs as BigInt). */
function writeThriftSpan(w, s) {
  w.field(T.I64, 1);
  w.i64(s.traceIdLow);
  if (s.traceIdHigh) {
    w.field(T.I64, 12);
    w.i64(s.traceIdHigh);
  }
  w.field(T.STRING, 3);
  w.binary(s.name);
  w.field(T.I64, 4);
  w.i64(s.id);
  if (s.parentId) {
    w.field(T.I64, 5);
    w.i64(s.parentId);
  }
  w.field(T.LIST, 6);
  w.list(T.STRUCT, s.annotations, (a) => {
    w.field(T.I64, 1);
    w.i64(a.timestamp);
    w.field(T.STRING, 2);
    w.binary(a.value);
    w.field(T.STRUCT, 3);
    writeEndpoint(w, a.endpoint);
    w.stop();
  });
  w.field(T.LIST, 8);
  w.list(T.STRUCT, s.binaryAnnotations, (b) => {
    w.field(T.STRING, 1);
    w.binary(b.key);
    w.field(T.STRING, 2);
    w.binary(b.value);
    w.field(T.I32, 3);
    w.i32(b.type);
    if (b.endpoint) {
      w.field(T.STRUCT, 4);
      writeEndpoint(w, b.endpoint);
    }
    w.stop();
  });
  w.stop();
}

function thriftSpans(spans) {
  const w = new ThriftWriter();
  w.list(T.STRUCT, spans, (s) => writeThriftSpan(w, s));
  return w.bytes();
}

/**
 * One v1 RPC span shared by a client and a server (cs/sr/ss/cr), as v1 JSON
 * and the same as Thrift.
 */
function sharedRpc(traceHex) {
  const t0 = nowUs() - 1_000_000n;
  const spanId = randomHex(8);
  const client = { serviceName: 'v1-client', ipv4: '10.1.0.1', port: 8000 };
  const server = { serviceName: 'v1-server', ipv4: '10.1.0.2', port: 8080 };
  const at = (us) => t0 + BigInt(us);
  const annotations = [
    { timestamp: at(0), value: 'cs', endpoint: client },
    { timestamp: at(100), value: 'sr', endpoint: server },
    { timestamp: at(150), value: 'db.query', endpoint: server },
    { timestamp: at(400), value: 'ss', endpoint: server },
    { timestamp: at(500), value: 'cr', endpoint: client },
  ];
  const json = [
    {
      traceId: traceHex,
      id: spanId,
      name: 'get /users',
      annotations: annotations.map((a) => ({ ...a, timestamp: Number(a.timestamp) })),
      binaryAnnotations: [
        { key: 'http.path', value: '/users', endpoint: server },
        { key: 'sa', value: true, endpoint: server },
      ],
    },
  ];
  const thrift = thriftSpans([
    {
      traceIdHigh: traceHex.length > 16 ? BigInt.asIntN(64, BigInt(`0x${traceHex.slice(0, 16)}`)) : 0n,
      traceIdLow: BigInt.asIntN(64, BigInt(`0x${traceHex.slice(-16)}`)),
      id: BigInt.asIntN(64, BigInt(`0x${spanId}`)),
      name: 'get /users',
      annotations,
      binaryAnnotations: [
        { key: 'http.path', value: '/users', type: 6, endpoint: server },
        { key: 'http.status_code', value: Buffer.from([0, 0, 0, 200]), type: 3, endpoint: server },
        { key: 'sa', value: Buffer.from([1]), type: 0, endpoint: server },
      ],
    },
  ]);
  return { json: JSON.stringify(json), thrift, spanId, t0 };
}

/** The read-back checks of sharedRpc(): a client and a server span of one ID. */
function checkSharedRpc(tr, { spanId, t0 }) {
  assert.equal(tr.spans.length, 2, JSON.stringify(tr.spans.map((s) => s.operationName)));
  for (const s of tr.spans) assert.equal(s.spanID, spanId);
  const services = (s) => tr.processes[s.processID].serviceName;
  const client = tr.spans.find((s) => services(s) === 'v1-client');
  const server = tr.spans.find((s) => services(s) === 'v1-server');
  assert.ok(client && server, 'one span per side');
  assert.equal(tagMap(client.tags).get('span.kind').value, 'client');
  assert.equal(tagMap(server.tags).get('span.kind').value, 'server');
  assert.equal(client.startTime, Number(t0));
  assert.equal(client.duration, 500);
  assert.equal(server.startTime, Number(t0) + 100);
  assert.equal(server.duration, 300);
  assert.equal(tagMap(client.tags).get('peer.service').value, 'v1-server');
  assert.equal(tagMap(server.tags).get('http.path').value, '/users');
  assert.ok(server.logs.some((l) => l.fields.some((f) => f.value === 'db.query')), 'annotation as a log');
}

describe('zipkin formats on 9411', () => {
  let spoor;
  let ListOfSpans;

  before(async () => {
    spoor = await startSpoor();
    const root = await protobuf.load(path.join(PROTO_DIR, 'zipkin/zipkin.proto'));
    ListOfSpans = root.lookupType('zipkin.proto3.ListOfSpans');
  });
  after(async () => {
    await spoor?.stop();
  });

  test('v2 JSON', async () => {
    const traceId = randomHex(16);
    const body = JSON.stringify([
      {
        traceId,
        id: randomHex(8),
        name: 'v2 json',
        kind: 'SERVER',
        timestamp: Number(nowUs()),
        duration: 1500,
        localEndpoint: { serviceName: 'zipkin-v2-json' },
        tags: { 'http.method': 'GET' },
      },
    ]);
    const res = await post(spoor, '/api/v2/spans', body, 'application/json');
    assert.equal(res.status, 202, res.text);
    const tr = await waitForTrace(spoor.baseUrls.query, traceId);
    assert.equal(tr.spans[0].operationName, 'v2 json');
    assert.equal(tr.processes[tr.spans[0].processID].serviceName, 'zipkin-v2-json');
  });

  test('v2 protobuf, plain and gzip', async () => {
    for (const gzip of [false, true]) {
      const traceId = randomHex(16);
      const spanId = randomHex(8);
      const ts = nowUs() - 2000n;
      const message = ListOfSpans.create({
        spans: [
          {
            traceId: hexToBytes(traceId),
            id: hexToBytes(spanId),
            kind: 1, // CLIENT
            name: 'v2 proto',
            timestamp: ts.toString(),
            duration: 1234,
            localEndpoint: { serviceName: 'zipkin-v2-proto', ipv4: Buffer.from([10, 0, 0, 7]), port: 9000 },
            remoteEndpoint: { serviceName: 'backend' },
            annotations: [{ timestamp: (ts + 10n).toString(), value: 'wire send' }],
            tags: { 'http.path': '/p', error: 'boom' },
            debug: true,
          },
        ],
      });
      let body = Buffer.from(ListOfSpans.encode(message).finish());
      const headers = {};
      if (gzip) {
        body = gzipSync(body);
        headers['content-encoding'] = 'gzip';
      }
      const res = await post(spoor, '/api/v2/spans', body, 'application/x-protobuf', headers);
      assert.equal(res.status, 202, res.text);
      const tr = await waitForTrace(spoor.baseUrls.query, traceId);
      const s = tr.spans[0];
      assert.equal(s.spanID, spanId);
      assert.equal(s.operationName, 'v2 proto');
      assert.equal(s.startTime, Number(ts));
      assert.equal(s.duration, 1234);
      assert.equal(s.flags, 3);
      const tags = tagMap(s.tags);
      assert.equal(tags.get('span.kind').value, 'client');
      assert.equal(tags.get('peer.service').value, 'backend');
      assert.equal(tags.get('http.path').value, '/p');
      assert.equal(tags.get('error').value, true);
      assert.ok(s.logs.some((l) => l.fields.some((f) => f.value === 'wire send')));
      const process = tr.processes[s.processID];
      assert.equal(process.serviceName, 'zipkin-v2-proto');
      assert.equal(tagMap(process.tags).get('net.host.ip').value, '10.0.0.7');
    }
  });

  test('v1 JSON: a shared client/server span becomes two spans', async () => {
    const traceId = randomHex(16);
    const rpc = sharedRpc(traceId);
    const res = await post(spoor, '/api/v1/spans', rpc.json, 'application/json');
    assert.equal(res.status, 202, res.text);
    checkSharedRpc(await waitForTrace(spoor.baseUrls.query, traceId, { minSpans: 2, params: { raw: 'true' } }), rpc);
  });

  test('v1 Thrift, plain and gzip, with a 128-bit trace ID', async () => {
    for (const gzip of [false, true]) {
      const traceId = randomHex(16);
      const rpc = sharedRpc(traceId);
      const headers = gzip ? { 'content-encoding': 'gzip' } : {};
      const res = await post(spoor, '/api/v1/spans', gzip ? gzipSync(rpc.thrift) : rpc.thrift, 'application/x-thrift', headers);
      assert.equal(res.status, 202, res.text);
      const tr = await waitForTrace(spoor.baseUrls.query, traceId, { minSpans: 2, params: { raw: 'true' } });
      checkSharedRpc(tr, rpc);
      const server = tr.spans.find((s) => tr.processes[s.processID].serviceName === 'v1-server');
      assert.equal(tagMap(server.tags).get('http.status_code').value, '200');
    }
  });

  test('bad bodies are 400 with a message, other media types 415, counted by format', async () => {
    const cases = [
      ['/api/v2/spans', 'application/json', '[{"traceId": 1}]', /zipkin json: \[0\]\.traceId: expected string/],
      ['/api/v2/spans', 'application/x-protobuf', Buffer.from([0x0a, 0x05, 0x0a]), /zipkin proto: /],
      ['/api/v1/spans', 'application/json', '[{"annotations": [{"value": "cs"}]}]', /zipkin v1 json: \[0\]\.annotations\[0\]: annotation without a timestamp/],
      ['/api/v1/spans', 'application/x-thrift', Buffer.from([0x0c, 0, 0, 0, 1, 0x0a]), /zipkin thrift: \[0\]/],
    ];
    for (const [route, type, body, message] of cases) {
      const res = await post(spoor, route, body, type);
      assert.equal(res.status, 400, `${route} ${type}: ${res.text}`);
      assert.match(res.text, message);
    }
    for (const [route, type] of [
      ['/api/v2/spans', 'application/x-thrift'],
      ['/api/v1/spans', 'application/x-protobuf'],
      ['/api/v2/spans', 'text/plain'],
    ]) {
      const res = await post(spoor, route, 'x', type);
      assert.equal(res.status, 415, `${route} ${type}: ${res.text}`);
    }
    const text = await getMetrics(spoor);
    for (const format of ['zipkin_json', 'zipkin_proto', 'zipkin_thrift']) {
      assert.ok(metric(text, 'spoor_requests_refused_total', { format, reason: 'malformed' }) >= 1, format);
      assert.ok(metric(text, 'spoor_spans_received_total', { format }) >= 1, format);
    }
    assert.ok(metric(text, 'spoor_requests_refused_total', { format: 'zipkin_json', reason: 'unsupported_media_type' }) >= 3);
  });

  test('a span with a bad ID is refused on its own and counted', async () => {
    const traceId = randomHex(8);
    const before = metric(await getMetrics(spoor), 'spoor_spans_refused_total', { format: 'zipkin_json', reason: 'invalid_span' }) ?? 0;
    const body = JSON.stringify([
      { traceId, id: '0000000000000000', name: 'zero id' },
      { traceId, id: randomHex(8), name: 'fine', timestamp: Number(nowUs()), localEndpoint: { serviceName: 'zipkin-v1-bad-id' } },
    ]);
    const res = await post(spoor, '/api/v1/spans', body, 'application/json');
    assert.equal(res.status, 202, res.text);
    const tr = await waitForTrace(spoor.baseUrls.query, traceId);
    assert.equal(tr.spans.length, 1);
    const after = metric(await getMetrics(spoor), 'spoor_spans_refused_total', { format: 'zipkin_json', reason: 'invalid_span' });
    assert.equal(after - before, 1);
  });
});
