// Bad input on the Jaeger and Zipkin ingest paths: malformed UDP datagrams
// are dropped and counted; HTTP answers 400 with what was wrong, 413 over
// the size limit (also after decompression), 415 or 400 for a wrong
// Content-Type; the server keeps serving, and /metrics counts every refusal
// by transport, format and reason.

import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import {
  getMetrics,
  metric,
  nowNs,
  randomSpanId,
  randomTraceId,
  startSpoor,
  waitFor,
  waitForTrace,
} from '../lib/spoor.mjs';

const require = createRequire(import.meta.url);
const MAX_REQUEST_SIZE = 4000;

// A Jaeger Thrift Batch encoded by thriftrw with jaeger-client's own IDL,
// as its HTTP sender does.
function jaegerBatch(traceId, spanCount = 1) {
  const { Thrift } = require('thriftrw');
  const ThriftUtils = require('jaeger-client/dist/src/thrift.js').default;
  const t = new Thrift({ source: ThriftUtils.loadJaegerThriftDefinition(), allowOptionalArguments: true });
  const id = Buffer.from(traceId, 'hex');
  const startUs = nowNs() / 1000n - 1000n;
  const i64 = (v) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(v));
    return b;
  };
  const spans = [];
  for (let i = 0; i < spanCount; i++) {
    spans.push(
      new t.Span({
        traceIdLow: id.subarray(8),
        traceIdHigh: id.subarray(0, 8),
        spanId: Buffer.from(randomSpanId(), 'hex'),
        parentSpanId: i64(0),
        operationName: `op-${i}`,
        flags: 1,
        startTime: i64(startUs),
        duration: i64(250),
        tags: [new t.Tag({ key: 'k', vType: 'STRING', vStr: 'v' })],
      }),
    );
  }
  const batch = new t.Batch({ process: new t.Process({ serviceName: 'bad-input-jaeger', tags: [] }), spans });
  const result = t.Batch.rw.toBuffer(batch);
  if (result.err) throw result.err;
  return result.value;
}

function zipkinSpans(traceId, extra = {}) {
  return [
    {
      traceId,
      id: randomSpanId(),
      name: 'zipkin-op',
      kind: 'SERVER',
      timestamp: Number(nowNs() / 1000n) - 1000,
      duration: 120,
      localEndpoint: { serviceName: 'bad-input-zipkin' },
      ...extra,
    },
  ];
}

async function post(url, body, headers) {
  const res = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, text: await res.text() };
}

function sendUdp(port, datagram) {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.send(datagram, port, '127.0.0.1', (err) => {
      socket.close();
      if (err) reject(err);
      else resolve();
    });
  });
}

describe('bad Jaeger and Zipkin input', () => {
  let spoor;
  let jaegerUrl;
  let zipkinUrl;
  before(async () => {
    spoor = await startSpoor({ flags: [`--collector.otlp.http.max-request-size=${MAX_REQUEST_SIZE}`] });
    jaegerUrl = `${spoor.baseUrls.jaegerHttp}/api/traces`;
    zipkinUrl = `${spoor.baseUrls.zipkin}/api/v2/spans`;
  });
  after(() => spoor?.stop());

  const thrift = { 'content-type': 'application/x-thrift' };
  const json = { 'content-type': 'application/json' };

  describe('Jaeger Thrift over HTTP (14268)', () => {
    test('a valid batch is 202 and readable', async () => {
      const traceId = randomTraceId();
      const r = await post(jaegerUrl, jaegerBatch(traceId), thrift);
      assert.equal(r.status, 202, r.text);
      const trace = await waitForTrace(spoor.baseUrls.query, traceId);
      assert.equal(trace.spans[0].operationName, 'op-0');
    });

    test('a truncated batch is 400 and says where decoding stopped', async () => {
      const bytes = jaegerBatch(randomTraceId());
      const r = await post(jaegerUrl, bytes.subarray(0, bytes.length - 7), thrift);
      assert.equal(r.status, 400, r.text);
      assert.match(r.text, /jaeger thrift: Batch\.spans\[0\]\./);
    });

    test('bytes that are not Thrift are 400', async () => {
      const r = await post(jaegerUrl, Buffer.from('{"this is": "json"}'), thrift);
      assert.equal(r.status, 400, r.text);
      assert.ok(r.text.length > 0);
    });

    test('a wrong Content-Type is refused and names the accepted ones', async () => {
      const r = await post(jaegerUrl, jaegerBatch(randomTraceId()), json);
      assert.equal(r.status, 400, r.text);
      assert.match(r.text, /unsupported Content-Type 'application\/json'.*application\/x-thrift/);
    });

    test('a body over the size limit is 413', async () => {
      const r = await post(jaegerUrl, jaegerBatch(randomTraceId(), 200), thrift);
      assert.equal(r.status, 413, r.text);
      assert.ok(r.text.length > 0);
    });

    test('a gzip body over the limit once decompressed is 413; under it, 202', async () => {
      const big = gzipSync(jaegerBatch(randomTraceId(), 200));
      assert.ok(big.length < MAX_REQUEST_SIZE, `compressed ${big.length} bytes`);
      const r = await post(jaegerUrl, big, { ...thrift, 'content-encoding': 'gzip' });
      assert.equal(r.status, 413, r.text);
      const traceId = randomTraceId();
      const ok = await post(jaegerUrl, gzipSync(jaegerBatch(traceId, 3)), { ...thrift, 'content-encoding': 'gzip' });
      assert.equal(ok.status, 202, ok.text);
      assert.equal((await waitForTrace(spoor.baseUrls.query, traceId, { minSpans: 3 })).spans.length, 3);
    });
  });

  describe('Zipkin v2 JSON (9411)', () => {
    test('JSON that does not parse is 400', async () => {
      const r = await post(zipkinUrl, '[{"traceId": ', json);
      assert.equal(r.status, 400, r.text);
      assert.match(r.text, /zipkin json/);
    });

    test('a field of the wrong type is 400 and names the field', async () => {
      const r = await post(zipkinUrl, JSON.stringify(zipkinSpans(randomTraceId(), { timestamp: 'yesterday' })), json);
      assert.equal(r.status, 400, r.text);
      assert.match(r.text, /\[0\]\.timestamp/);
    });

    test('a media type Zipkin does not speak is 415', async () => {
      const r = await post(zipkinUrl, JSON.stringify(zipkinSpans(randomTraceId())), { 'content-type': 'text/plain' });
      assert.equal(r.status, 415, r.text);
    });

    test('a body over the size limit is 413, also as a gzip bomb', async () => {
      const filler = { tags: { filler: 'x'.repeat(MAX_REQUEST_SIZE) } };
      const r = await post(zipkinUrl, JSON.stringify(zipkinSpans(randomTraceId(), filler)), json);
      assert.equal(r.status, 413, r.text);
      const bomb = gzipSync(Buffer.from(`[${' '.repeat(500_000)}]`), { level: 9 });
      assert.ok(bomb.length < MAX_REQUEST_SIZE);
      const g = await post(zipkinUrl, bomb, { ...json, 'content-encoding': 'gzip' });
      assert.equal(g.status, 413, g.text);
    });

    test('a span without an id is left out and counted; the others are stored', async () => {
      const traceId = randomTraceId();
      const spans = [...zipkinSpans(traceId), { ...zipkinSpans(traceId)[0], id: undefined }];
      const r = await post(zipkinUrl, JSON.stringify(spans), json);
      assert.equal(r.status, 202, r.text);
      assert.equal((await waitForTrace(spoor.baseUrls.query, traceId)).spans.length, 1);
    });
  });

  describe('Jaeger agent UDP (6831 compact, 6832 binary)', () => {
    test('malformed datagrams are dropped and counted', async () => {
      const garbage = [Buffer.from('hello'), Buffer.alloc(100, 0xff), jaegerBatch(randomTraceId())];
      for (const datagram of garbage) {
        await sendUdp(spoor.ports.jaegerCompact, datagram);
        await sendUdp(spoor.ports.jaegerBinary, datagram);
      }
      for (const format of ['jaeger_compact', 'jaeger_binary']) {
        await waitFor(
          async () =>
            metric(await getMetrics(spoor), 'spoor_requests_refused_total', {
              transport: 'udp',
              format,
              reason: 'malformed',
            }) === garbage.length,
          { description: `${garbage.length} malformed ${format} datagrams counted` },
        );
      }
    });
  });

  describe('afterwards', () => {
    test('the server still accepts spans, and /metrics counts every refusal', async () => {
      assert.ok(spoor.alive, `spoor is running; logs:\n${spoor.logs.slice(-2000)}`);
      const traceId = randomTraceId();
      assert.equal((await post(zipkinUrl, JSON.stringify(zipkinSpans(traceId)), json)).status, 202);
      await waitForTrace(spoor.baseUrls.query, traceId);

      const text = await getMetrics(spoor);
      const refused = (format, reason) =>
        metric(text, 'spoor_requests_refused_total', { transport: 'http', format, reason }) ?? 0;
      assert.deepEqual(
        {
          jaegerMalformed: refused('jaeger_thrift', 'malformed'),
          jaegerTooLarge: refused('jaeger_thrift', 'too_large'),
          jaegerMediaType: refused('jaeger_thrift', 'unsupported_media_type'),
          zipkinMalformed: refused('zipkin_json', 'malformed'),
          zipkinTooLarge: refused('zipkin_json', 'too_large'),
          zipkinMediaType: refused('zipkin_json', 'unsupported_media_type'),
          zipkinInvalidSpans:
            metric(text, 'spoor_spans_refused_total', { transport: 'http', format: 'zipkin_json', reason: 'invalid_span' }) ?? 0,
        },
        {
          jaegerMalformed: 2,
          jaegerTooLarge: 2,
          jaegerMediaType: 1,
          zipkinMalformed: 2,
          zipkinTooLarge: 2,
          zipkinMediaType: 1,
          zipkinInvalidSpans: 1,
        },
      );
      const accepted = (format) => metric(text, 'spoor_spans_accepted_total', { transport: 'http', format }) ?? 0;
      assert.equal(accepted('jaeger_thrift'), 4);
      assert.equal(accepted('zipkin_json'), 2);
    });
  });
});
