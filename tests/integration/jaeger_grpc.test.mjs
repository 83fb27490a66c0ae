// Jaeger's gRPC collector endpoint (jaeger.api_v2.CollectorService/PostSpans
// on 14250): a batch sent with a client generated from proto/jaeger/api_v2
// and read back through the Jaeger query API; malformed messages.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import {
  PROTO_DIR,
  getMetrics,
  hexToBytes,
  metric,
  randomSpanId,
  randomTraceId,
  spansById,
  startSpoor,
  tagMap,
  waitForTrace,
} from '../lib/spoor.mjs';

const COLLECTOR_PROTO = 'jaeger/api_v2/collector.proto';
const POST_SPANS_PATH = '/jaeger.api_v2.CollectorService/PostSpans';

function collectorClient(address) {
  const definition = protoLoader.loadSync(COLLECTOR_PROTO, {
    // google/protobuf/{timestamp,duration}.proto come with protoc.
    includeDirs: [PROTO_DIR, '/usr/include'],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: false,
  });
  const pkg = grpc.loadPackageDefinition(definition);
  return new pkg.jaeger.api_v2.CollectorService(address, grpc.credentials.createInsecure());
}

function postSpans(address, batch) {
  const client = collectorClient(address);
  return new Promise((resolve, reject) => {
    client.PostSpans({ batch }, { deadline: Date.now() + 10_000 }, (err, response) => {
      client.close();
      if (err) reject(err);
      else resolve(response);
    });
  });
}

function postSpansRaw(address, bytes) {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      POST_SPANS_PATH,
      (b) => b,
      (b) => b,
      Buffer.from(bytes),
      new grpc.Metadata(),
      { deadline: Date.now() + 10_000 },
      (err, response) => {
        client.close();
        if (err) reject(err);
        else resolve(response);
      },
    );
  });
}

/** Microseconds since the epoch to a google.protobuf.Timestamp object. */
function timestamp(us) {
  return { seconds: String(Math.floor(us / 1e6)), nanos: (us % 1e6) * 1000 };
}

const str = (key, v) => ({ key, v_type: 'STRING', v_str: v });
const int64 = (key, v) => ({ key, v_type: 'INT64', v_int64: String(v) });
const float64 = (key, v) => ({ key, v_type: 'FLOAT64', v_float64: v });
const bool = (key, v) => ({ key, v_type: 'BOOL', v_bool: v });
const binary = (key, v) => ({ key, v_type: 'BINARY', v_binary: Buffer.from(v) });

describe('Jaeger gRPC (PostSpans)', () => {
  let spoor;
  before(async () => {
    spoor = await startSpoor();
  });
  after(async () => {
    await spoor?.stop();
  });

  test('a batch comes back through the query API with every field', async () => {
    const traceId = randomTraceId();
    const serverId = randomSpanId();
    const clientId = randomSpanId();
    const start = (Date.now() - 60_000) * 1000;
    const batch = {
      process: { service_name: 'grpc-frontend', tags: [str('hostname', 'node-7'), int64('pid', 99)] },
      spans: [
        {
          trace_id: hexToBytes(traceId),
          span_id: hexToBytes(serverId),
          operation_name: 'GET /checkout',
          flags: 1,
          start_time: timestamp(start),
          duration: { seconds: '0', nanos: 5_000_000 },
          tags: [
            str('span.kind', 'server'),
            str('http.method', 'GET'),
            int64('http.status_code', 200),
            float64('load', 0.5),
            bool('cached', false),
            binary('blob', [1, 2, 255]),
          ],
          logs: [{ timestamp: timestamp(start + 100), fields: [str('event', 'received'), int64('size', 12)] }],
        },
        {
          trace_id: hexToBytes(traceId),
          span_id: hexToBytes(clientId),
          operation_name: 'SELECT orders',
          references: [{ trace_id: hexToBytes(traceId), span_id: hexToBytes(serverId), ref_type: 'CHILD_OF' }],
          flags: 1,
          start_time: timestamp(start + 1000),
          duration: { seconds: '0', nanos: 2_000_000 },
          tags: [str('span.kind', 'client'), bool('error', true)],
          // Its own process takes priority over the batch's.
          process: { service_name: 'grpc-db-client', tags: [] },
        },
      ],
    };
    const response = await postSpans(spoor.jaegerGrpcAddress, batch);
    assert.deepEqual(response, {});

    const trace = await waitForTrace(spoor.baseUrls.query, traceId, { minSpans: 2 });
    const spans = spansById(trace);
    const server = spans.get(serverId);
    const client = spans.get(clientId);
    assert.ok(server && client, 'both spans are stored');

    assert.equal(server.operationName, 'GET /checkout');
    assert.equal(server.startTime, start);
    assert.equal(server.duration, 5000);
    assert.equal(server.flags, 1);
    assert.deepEqual(server.references, []);
    const tags = tagMap(server.tags);
    assert.deepEqual(tags.get('span.kind'), { type: 'string', value: 'server' });
    assert.deepEqual(tags.get('http.method'), { type: 'string', value: 'GET' });
    assert.deepEqual(tags.get('http.status_code'), { type: 'int64', value: 200 });
    assert.deepEqual(tags.get('load'), { type: 'float64', value: 0.5 });
    assert.deepEqual(tags.get('cached'), { type: 'bool', value: false });
    assert.deepEqual(tags.get('blob'), { type: 'binary', value: 'AQL/' });
    assert.equal(server.logs.length, 1);
    assert.equal(server.logs[0].timestamp, start + 100);
    assert.deepEqual(tagMap(server.logs[0].fields), new Map([
      ['event', { type: 'string', value: 'received' }],
      ['size', { type: 'int64', value: 12 }],
    ]));
    const serverProcess = trace.processes[server.processID];
    assert.equal(serverProcess.serviceName, 'grpc-frontend');
    assert.deepEqual(tagMap(serverProcess.tags), new Map([
      ['hostname', { type: 'string', value: 'node-7' }],
      ['pid', { type: 'int64', value: 99 }],
    ]));

    assert.equal(client.operationName, 'SELECT orders');
    assert.equal(client.startTime, start + 1000);
    assert.equal(client.duration, 2000);
    assert.deepEqual(client.references, [{ refType: 'CHILD_OF', traceID: traceId, spanID: serverId }]);
    const clientTags = tagMap(client.tags);
    assert.deepEqual(clientTags.get('span.kind'), { type: 'string', value: 'client' });
    assert.deepEqual(clientTags.get('error'), { type: 'bool', value: true });
    assert.equal(trace.processes[client.processID].serviceName, 'grpc-db-client');

    const text = await getMetrics(spoor);
    assert.ok(metric(text, 'spoor_spans_received_total', { transport: 'grpc', format: 'jaeger_proto' }) >= 2);
  });

  test('a malformed message is INVALID_ARGUMENT', async () => {
    for (const bytes of [[0x0a, 0xff, 0xff, 0xff, 0x0f], [0x0a, 0x02, 0x0a, 0x05], [0xff]]) {
      await assert.rejects(postSpansRaw(spoor.jaegerGrpcAddress, bytes), (err) => {
        assert.equal(err.code, grpc.status.INVALID_ARGUMENT, err.message);
        assert.match(err.details, /PostSpansRequest/);
        return true;
      });
    }
  });

  test('an empty request is accepted', async () => {
    const response = await postSpansRaw(spoor.jaegerGrpcAddress, []);
    assert.equal(response.length, 0);
  });
});
