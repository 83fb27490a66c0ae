// Every way an OTLP request can be wrong gets its own status and a message,
// nothing crashes the server, and /metrics counts what was refused.

import assert from 'node:assert/strict';
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { fetchJson, getMetrics, metric, nowNs, randomSpanId, randomTraceId, startSpoor, waitFor, waitForTrace } from '../lib/spoor.mjs';
import { SpanKind, encodeRequest, grpc, grpcExport, grpcExportRaw, postTraces, request, span } from '../lib/otlp.mjs';

const MAX_REQUEST_SIZE = 1000;

function smallRequest(traceId = randomTraceId()) {
  const start = nowNs() - 1_000_000_000n;
  return request([
    {
      service: 'bad-input',
      spans: [span({ traceId, spanId: randomSpanId(), name: 'ok', kind: SpanKind.SERVER, startNs: start, endNs: start + 1_000_000n })],
    },
  ]);
}

/** Checks a 400 answer to a JSON request: google.rpc.Status in JSON. */
function assertJsonStatus400(res, what) {
  assert.equal(res.status, 400, `${what}: ${res.bytes.toString()}`);
  assert.match(res.contentType, /^application\/json/, `${what}: content type`);
  assert.ok(res.json, `${what}: body is JSON: ${res.bytes.toString()}`);
  assert.equal(res.json.code, 3, `${what}: code INVALID_ARGUMENT`);
  assert.equal(typeof res.json.message, 'string', what);
  assert.ok(res.json.message.length > 0, `${what}: message`);
}

/** Checks a 400 answer to a protobuf request: google.rpc.Status in protobuf. */
function assertProtoStatus400(res, what) {
  assert.equal(res.status, 400, `${what}: ${res.bytes.toString()}`);
  assert.match(res.contentType, /^application\/x-protobuf/, `${what}: content type`);
  assert.ok(res.proto, `${what}: body decodes as google.rpc.Status (${res.protoError})`);
  assert.equal(res.proto.code, 3, `${what}: code INVALID_ARGUMENT`);
  assert.ok((res.proto.message ?? '').length > 0, `${what}: message`);
}

/**
 * POSTs `payload` to /v1/traces over a raw socket with Transfer-Encoding:
 * chunked (no Content-Length), in 100-byte chunks written back to back. A
 * server may answer before it has read the whole body; it must still let
 * the client read that answer (no reset while unread data is pending).
 * Resolves with {status, body}.
 */
function postChunked(port, payload, contentType) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within 10 s; got ${JSON.stringify(received)}`));
    }, 10_000);
    const finish = () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(received);
      const headEnd = received.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(received);
      if (m && headEnd >= 0 && length && received.length >= headEnd + 4 + Number(length[1])) {
        clearTimeout(timer);
        socket.destroy();
        resolve({ status: Number(m[1]), body: received.slice(headEnd + 4) });
        return true;
      }
      return false;
    };
    socket.setEncoding('utf8');
    socket.on('data', (d) => {
      received += d;
      finish();
    });
    socket.on('error', () => {}); // a reset after the answer is fine
    socket.on('close', () => {
      if (!finish()) {
        clearTimeout(timer);
        reject(new Error(`connection closed without a complete answer: ${JSON.stringify(received)}`));
      }
    });
    socket.on('connect', () => {
      socket.write(`POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${contentType}\r\nTransfer-Encoding: chunked\r\n\r\n`);
      for (let i = 0; i < payload.length; i += 100) {
        const chunk = payload.subarray(i, i + 100);
        socket.write(`${chunk.length.toString(16)}\r\n`);
        socket.write(chunk);
        socket.write('\r\n');
      }
      socket.write('0\r\n\r\n');
    });
  });
}

describe('bad OTLP input', () => {
  let spoor;
  let url;
  const sent = { jsonMalformed: 0, protoMalformed: 0, badGzip: 0, tooLarge: 0, unsupportedMedia: 0 };
  const sentGrpc = { malformed: 0, tooLarge: 0 };

  before(async () => {
    spoor = await startSpoor({ flags: [`--collector.otlp.http.max-request-size=${MAX_REQUEST_SIZE}`] });
    url = spoor.baseUrls.otlpHttp;
  });
  after(async () => {
    if (spoor) assert.equal(await spoor.stop(), 0, 'spoor exits 0 on SIGTERM');
  });

  test('a small valid request is accepted', async () => {
    const traceId = randomTraceId();
    const res = await postTraces(url, smallRequest(traceId));
    assert.equal(res.status, 200, res.bytes.toString());
    await waitForTrace(spoor.baseUrls.query, traceId);
  });

  test('an empty request is accepted in both encodings', async () => {
    const json = await postTraces(url, '{}');
    assert.equal(json.status, 200, json.bytes.toString());
    const proto = await postTraces(url, Buffer.alloc(0), { encoding: 'proto' });
    assert.equal(proto.status, 200, proto.bytes.toString());
  });

  describe('malformed bodies are 400 with a google.rpc.Status', () => {
    const jsonCases = [
      ['not JSON', '{not json'],
      ['empty body', ''],
      ['truncated JSON', JSON.stringify(smallRequest()).slice(0, 60)],
      ['resourceSpans is an object', '{"resourceSpans": {"scopeSpans": []}}'],
      ['resourceSpans is a string', '{"resourceSpans": "oops"}'],
      ['span name is a number', JSON.stringify(smallRequest()).replace('"name":"ok"', '"name":42')],
      ['start time is an object', JSON.stringify(smallRequest()).replace(/"startTimeUnixNano":"\d+"/, '"startTimeUnixNano":{}')],
      [
        'attribute value is a string',
        JSON.stringify(smallRequest()).replace(/"value":\{"stringValue":"bad-input"\}/, '"value":"bad-input"'),
      ],
      ['top level is an array', '[]'],
    ];
    for (const [name, body] of jsonCases) {
      test(`JSON: ${name}`, async () => {
        sent.jsonMalformed++;
        assertJsonStatus400(await postTraces(url, body), name);
      });
    }

    test('protobuf: truncated', async () => {
      const full = encodeRequest(smallRequest());
      for (const cut of [Math.floor(full.length / 2), full.length - 1]) {
        sent.protoMalformed++;
        assertProtoStatus400(
          await postTraces(url, full.subarray(0, cut), { encoding: 'proto' }),
          `truncated to ${cut} of ${full.length} bytes`,
        );
      }
    });

    test('protobuf: garbage bytes', async () => {
      sent.protoMalformed++;
      assertProtoStatus400(await postTraces(url, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]), { encoding: 'proto' }), 'garbage');
    });

    test('protobuf: a JSON body sent as protobuf', async () => {
      sent.protoMalformed++;
      assertProtoStatus400(await postTraces(url, JSON.stringify(smallRequest()), { encoding: 'proto' }), 'JSON as protobuf');
    });

    test('gzip: a body that is not gzip', async () => {
      sent.badGzip++;
      const res = await postTraces(url, JSON.stringify(smallRequest()), { headers: { 'content-encoding': 'gzip' } });
      assertJsonStatus400(res, 'plain body marked gzip');
    });

    test('gzip: a truncated gzip stream', async () => {
      sent.badGzip++;
      const gz = gzipSync(Buffer.from(JSON.stringify(smallRequest())));
      const res = await postTraces(url, gz.subarray(0, gz.length - 10), { headers: { 'content-encoding': 'gzip' } });
      assertJsonStatus400(res, 'truncated gzip');
    });
  });

  describe('accepted variants of the headers', () => {
    test('Content-Type parameters and letter case do not matter', async () => {
      for (const type of ['application/json; charset=utf-8', 'Application/JSON']) {
        const traceId = randomTraceId();
        const res = await postTraces(url, JSON.stringify(smallRequest(traceId)), { headers: { 'content-type': type } });
        assert.equal(res.status, 200, `${type}: ${res.bytes.toString()}`);
        await waitForTrace(spoor.baseUrls.query, traceId);
      }
    });

    test('Content-Encoding: identity is the plain body', async () => {
      const traceId = randomTraceId();
      const res = await postTraces(url, smallRequest(traceId), { encoding: 'proto', headers: { 'content-encoding': 'identity' } });
      assert.equal(res.status, 200, res.bytes.toString());
      await waitForTrace(spoor.baseUrls.query, traceId);
    });
  });

  describe('routing and media type errors', () => {
    test('wrong Content-Type is 415', async () => {
      for (const type of ['text/plain', 'application/xml']) {
        sent.unsupportedMedia++;
        const res = await postTraces(url, JSON.stringify(smallRequest()), { headers: { 'content-type': type } });
        assert.equal(res.status, 415, `${type}: ${res.bytes.toString()}`);
        assert.ok(res.bytes.length > 0, 'a message says why');
      }
    });

    test('GET /v1/traces is 405', async () => {
      const res = await fetchJson(`${url}/v1/traces`);
      assert.equal(res.status, 405, res.text);
      assert.ok(res.text.length > 0, 'a message says why');
    });

    test('an unknown path is 404', async () => {
      const res = await postTraces(url, JSON.stringify(smallRequest()), { path: '/v1/nothing-here' });
      assert.equal(res.status, 404, res.bytes.toString());
      assert.ok(res.bytes.length > 0, 'a message says why');
    });
  });

  describe('size limit after decompression', () => {
    const bigRequest = () => {
      const req = smallRequest();
      req.resourceSpans[0].scopeSpans[0].spans[0].attributes.push({ key: 'filler', value: { stringValue: 'x'.repeat(5000) } });
      return req;
    };

    test('a JSON body over the limit is 413', async () => {
      sent.tooLarge++;
      const res = await postTraces(url, bigRequest());
      assert.equal(res.status, 413, res.bytes.toString());
      assert.ok(res.bytes.length > 0, 'a message says why');
    });

    test('a protobuf body over the limit is 413', async () => {
      sent.tooLarge++;
      const res = await postTraces(url, bigRequest(), { encoding: 'proto' });
      assert.equal(res.status, 413, res.bytes.toString());
    });

    test('a gzip bomb (small compressed, large decompressed) is 413', async () => {
      // Whitespace is valid JSON, so only the size can be the reason to refuse.
      const json = Buffer.concat([Buffer.from('{"resourceSpans":['), Buffer.alloc(600_000, 0x20), Buffer.from(']}')]);
      const bomb = gzipSync(json, { level: 9 });
      assert.ok(bomb.length < MAX_REQUEST_SIZE, `compressed bomb is ${bomb.length} bytes`);
      sent.tooLarge++;
      const res = await postTraces(url, bomb, { headers: { 'content-encoding': 'gzip' } });
      assert.equal(res.status, 413, res.bytes.toString());
      assert.ok(res.bytes.length > 0, 'a message says why');
    });

    test('a protobuf gzip bomb is 413', async () => {
      const req = smallRequest();
      req.resourceSpans[0].scopeSpans[0].spans[0].attributes.push({ key: 'zeros', value: { stringValue: '0'.repeat(200_000) } });
      const bomb = gzipSync(encodeRequest(req), { level: 9 });
      assert.ok(bomb.length < MAX_REQUEST_SIZE, `compressed bomb is ${bomb.length} bytes`);
      sent.tooLarge++;
      const res = await postTraces(url, bomb, { encoding: 'proto', gzip: false, headers: { 'content-encoding': 'gzip' } });
      assert.equal(res.status, 413, res.bytes.toString());
    });

    test('a chunked body (no Content-Length) over the limit is 413', async () => {
      const req = smallRequest();
      req.resourceSpans[0].scopeSpans[0].spans[0].attributes.push({ key: 'filler', value: { stringValue: 'x'.repeat(128 << 10) } });
      const payload = Buffer.from(JSON.stringify(req));
      sent.tooLarge++;
      const res = await postChunked(spoor.ports.otlpHttp, payload, 'application/json');
      assert.equal(res.status, 413, res.body);
    });

    test('a chunked body under the limit is accepted', async () => {
      const traceId = randomTraceId();
      const res = await postChunked(spoor.ports.otlpHttp, encodeRequest(smallRequest(traceId)), 'application/x-protobuf');
      assert.equal(res.status, 200, res.body);
      await waitForTrace(spoor.baseUrls.query, traceId);
    });

    test('a gzip body under the limit after decompression is accepted', async () => {
      const traceId = randomTraceId();
      const res = await postTraces(url, smallRequest(traceId), { gzip: true });
      assert.equal(res.status, 200, res.bytes.toString());
      await waitForTrace(spoor.baseUrls.query, traceId);
    });
  });

  describe('OTLP/gRPC errors', () => {
    test('a malformed message is INVALID_ARGUMENT', async () => {
      const full = encodeRequest(smallRequest());
      for (const bytes of [full.subarray(0, Math.floor(full.length / 2)), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f])]) {
        sentGrpc.malformed++;
        await assert.rejects(grpcExportRaw(spoor.grpcAddress, bytes), (err) => {
          assert.equal(err.code, grpc.status.INVALID_ARGUMENT, `code ${err.code}: ${err.details}`);
          assert.ok((err.details ?? '').length > 0, 'a message');
          return true;
        });
      }
    });

    test('a message over the size limit is RESOURCE_EXHAUSTED', async () => {
      const req = smallRequest();
      req.resourceSpans[0].scopeSpans[0].spans[0].attributes.push({ key: 'filler', value: { stringValue: 'x'.repeat(5000) } });
      sentGrpc.tooLarge++;
      await assert.rejects(grpcExport(spoor.grpcAddress, req), (err) => {
        assert.equal(err.code, grpc.status.RESOURCE_EXHAUSTED, `code ${err.code}: ${err.details}`);
        return true;
      });
    });

    test('a gzip-compressed message is accepted', async () => {
      const traceId = randomTraceId();
      const response = await grpcExport(spoor.grpcAddress, smallRequest(traceId), {
        channelOptions: { 'grpc.default_compression_algorithm': 2 },
      });
      assert.equal(Number(response?.partialSuccess?.rejectedSpans ?? 0), 0);
      await waitForTrace(spoor.baseUrls.query, traceId);
    });

    test('the server keeps serving gRPC after errors', async () => {
      const traceId = randomTraceId();
      await grpcExport(spoor.grpcAddress, smallRequest(traceId));
      await waitForTrace(spoor.baseUrls.query, traceId);
    });
  });

  describe('invalid spans are rejected one by one', () => {
    function mixedRequest(traceId, goodIds) {
      const start = nowNs() - 2_000_000_000n;
      const mk = (t, s, name) => span({ traceId: t, spanId: s, name, startNs: start, endNs: start + 1_000_000n });
      return request([
        {
          service: 'partial',
          spans: [
            mk(traceId, goodIds[0], 'good-1'),
            mk('00000000000000000000000000000000', randomSpanId(), 'zero trace id'),
            mk(traceId, '0000000000000000', 'zero span id'),
            mk(traceId, goodIds[1], 'good-2'),
          ],
        },
      ]);
    }

    test('OTLP/HTTP JSON reports rejected spans in partialSuccess', async () => {
      const traceId = randomTraceId();
      const good = [randomSpanId(), randomSpanId()];
      const res = await postTraces(url, mixedRequest(traceId, good));
      assert.equal(res.status, 200, res.bytes.toString());
      assert.equal(Number(res.json?.partialSuccess?.rejectedSpans), 2, res.bytes.toString());
      assert.ok((res.json.partialSuccess.errorMessage ?? '').length > 0, 'errorMessage says why');
      const trace = await waitForTrace(spoor.baseUrls.query, traceId, { minSpans: 2 });
      assert.deepEqual(trace.spans.map((s) => s.spanID).sort(), [...good].sort());
    });

    test('OTLP/HTTP protobuf reports rejected spans in partialSuccess', async () => {
      const traceId = randomTraceId();
      const good = [randomSpanId(), randomSpanId()];
      const res = await postTraces(url, mixedRequest(traceId, good), { encoding: 'proto' });
      assert.equal(res.status, 200, res.bytes.toString());
      assert.equal(Number(res.proto?.partialSuccess?.rejectedSpans), 2, JSON.stringify(res.proto));
      assert.ok((res.proto.partialSuccess.errorMessage ?? '').length > 0);
      await waitForTrace(spoor.baseUrls.query, traceId, { minSpans: 2 });
    });

    test('OTLP/gRPC reports rejected spans in partialSuccess', async () => {
      const traceId = randomTraceId();
      const good = [randomSpanId(), randomSpanId()];
      const response = await grpcExport(spoor.grpcAddress, mixedRequest(traceId, good));
      assert.equal(Number(response?.partialSuccess?.rejectedSpans), 2, JSON.stringify(response));
      assert.ok((response.partialSuccess.errorMessage ?? '').length > 0);
      await waitForTrace(spoor.baseUrls.query, traceId, { minSpans: 2 });
    });
  });

  describe('afterwards', () => {
    test('the server still answers on every port', async () => {
      assert.ok(spoor.alive, `spoor is running; logs:\n${spoor.logs.slice(-2000)}`);
      const admin = await fetchJson(`${spoor.baseUrls.admin}/`);
      assert.equal(admin.status, 200);
      const services = await fetchJson(`${spoor.baseUrls.query}/api/services`);
      assert.equal(services.status, 200);
      assert.deepEqual(services.body.data, ['bad-input', 'partial']);
      const ok = await postTraces(url, smallRequest());
      assert.equal(ok.status, 200);
    });

    test('/metrics counts refused requests and spans', async () => {
      // Storage catches up with what was accepted.
      await waitFor(
        async () => {
          const t = await getMetrics(spoor);
          const stored = metric(t, 'spoor_spans_stored_total') ?? 0;
          const acceptedAll = metric(t, 'spoor_spans_accepted_total') ?? 0;
          return acceptedAll > 0 && stored >= acceptedAll;
        },
        { description: 'spoor_spans_stored_total to reach spoor_spans_accepted_total' },
      );

      const text = await getMetrics(spoor);
      // Every counter is checked and all shortfalls are reported together.
      const problems = [];
      const atLeast = (what, got, want) => {
        if (!(got >= want)) problems.push(`${what}: ${got} < ${want}`);
      };
      const refused = (labels) => metric(text, 'spoor_requests_refused_total', { transport: 'http', ...labels }) ?? 0;
      atLeast('refused{format=otlp_json,reason=malformed}', refused({ format: 'otlp_json', reason: 'malformed' }), sent.jsonMalformed);
      atLeast('refused{format=otlp_proto,reason=malformed}', refused({ format: 'otlp_proto', reason: 'malformed' }), sent.protoMalformed);
      atLeast('refused{reason=too_large}', refused({ reason: 'too_large' }), sent.tooLarge);
      atLeast('refused{reason=unsupported_media_type}', refused({ reason: 'unsupported_media_type' }), sent.unsupportedMedia);
      atLeast(
        'refused{transport=http} (all reasons)',
        refused({}),
        Object.values(sent).reduce((a, b) => a + b, 0),
      );

      const grpcRefused = (labels) => metric(text, 'spoor_requests_refused_total', { transport: 'grpc', ...labels }) ?? 0;
      atLeast('refused{transport=grpc,reason=malformed}', grpcRefused({ reason: 'malformed' }), sentGrpc.malformed);

      const spansRefused = (labels) => metric(text, 'spoor_spans_refused_total', labels) ?? 0;
      atLeast('spans refused{http,otlp_json}', spansRefused({ transport: 'http', format: 'otlp_json' }), 2);
      atLeast('spans refused{http,otlp_proto}', spansRefused({ transport: 'http', format: 'otlp_proto' }), 2);
      atLeast('spans refused{grpc}', spansRefused({ transport: 'grpc' }), 2);

      const received = metric(text, 'spoor_spans_received_total', { transport: 'http', format: 'otlp_json' }) ?? 0;
      const accepted = metric(text, 'spoor_spans_accepted_total', { transport: 'http', format: 'otlp_json' }) ?? 0;
      // Valid JSON spans: the first request, the gzip one, the two good spans
      // of the mixed one and the last one.
      atLeast('spans accepted{http,otlp_json}', accepted, 5);
      atLeast('spans received{http,otlp_json} (refused spans included)', received, accepted + 2);
      atLeast('spans accepted{grpc}', metric(text, 'spoor_spans_accepted_total', { transport: 'grpc' }) ?? 0, 2);

      for (const name of ['spoor_queue_capacity', 'spoor_queue_length', 'spoor_spans_dropped_total']) {
        if (metric(text, name) === undefined) problems.push(`${name} missing`);
      }
      atLeast('spoor_queue_capacity', metric(text, 'spoor_queue_capacity') ?? 0, 1);

      const httpStatus = (status) => metric(text, 'spoor_http_requests_total', { status }) ?? 0;
      atLeast('http_requests{status=400}', httpStatus('400'), sent.jsonMalformed + sent.protoMalformed + sent.badGzip);
      atLeast('http_requests{status=413}', httpStatus('413'), sent.tooLarge);
      atLeast('http_requests{status=415}', httpStatus('415'), sent.unsupportedMedia);

      assert.deepEqual(
        problems,
        [],
        `metrics:\n${text
          .split('\n')
          .filter((l) => /refused|spans_|http_requests/.test(l) && !l.startsWith('#'))
          .join('\n')}`,
      );
    });
  });
});
