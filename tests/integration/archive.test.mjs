// The archive (--archive.span-storage.type): POST /api/archive/{traceID}
// copies a trace into a store of its own, and reads of that trace (the
// /api and /api/v3 routes, gRPC GetTrace) fall back to the archive once the
// main store no longer has it: here the memory store, bounded to a few
// traces, evicts it. The Jaeger UI is told that archiving is available.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { SpanKind, request, sendTraces, span } from '../lib/otlp.mjs';
import { PROTO_DIR, fetchJson, nowNs, randomSpanId, randomTraceId, startSpoor, tempDir, waitForTrace } from '../lib/spoor.mjs';

const MAX_TRACES = 4;

function oneTrace(service, name) {
  const traceId = randomTraceId();
  const startNs = nowNs() - 5_000_000_000n;
  const root = randomSpanId();
  return {
    traceId,
    body: request([
      {
        service,
        spans: [
          span({ traceId, spanId: root, name, kind: SpanKind.SERVER, startNs, endNs: startNs + 2_000_000n }),
          span({ traceId, spanId: randomSpanId(), parentSpanId: root, name: `${name}-child`, startNs: startNs + 100_000n, endNs: startNs + 900_000n }),
        ],
      },
    ]),
  };
}

// Sends traces until the first `MAX_TRACES` fit no longer: the memory store
// has evicted everything sent before.
async function evictEverything(spoor) {
  for (let i = 0; i < MAX_TRACES * 3; i++) {
    const t = oneTrace('filler', `fill-${i}`);
    assert.equal((await sendTraces(spoor.baseUrls.otlpHttp, t.body)).status, 200);
    await waitForTrace(spoor.baseUrls.query, t.traceId, { minSpans: 2 });
  }
}

function grpcGetTrace(address, traceId) {
  const def = protoLoader.loadSync('jaeger/api_v3/query_service.proto', { includeDirs: [PROTO_DIR], longs: String, defaults: true });
  const v3 = grpc.loadPackageDefinition(def).jaeger.api_v3;
  const client = new v3.QueryService(address, grpc.credentials.createInsecure());
  return new Promise((resolve, reject) => {
    const names = [];
    const call = client.GetTrace({ traceId });
    call.on('data', (d) => {
      for (const rs of d.resourceSpans) for (const ss of rs.scopeSpans) for (const s of ss.spans) names.push(s.name);
    });
    call.on('error', (err) => {
      client.close();
      reject(err);
    });
    call.on('end', () => {
      client.close();
      resolve(names.sort());
    });
  });
}

for (const archiveType of ['memory', 'embedded']) {
  describe(`an archive on the ${archiveType} store`, () => {
    let spoor;
    let dir;
    let kept;
    before(async () => {
      dir = tempDir('spoor-archive-');
      // A stand-in for the Jaeger UI's build: the line its query service fills in.
      const ui = tempDir('spoor-archive-ui-');
      writeFileSync(path.join(ui, 'index.html'), '<html><head><script>const JAEGER_STORAGE_CAPABILITIES = DEFAULT_STORAGE_CAPABILITIES;</script></head></html>');
      const flags = [
        `--memory.max-traces=${MAX_TRACES}`,
        `--archive.span-storage.type=${archiveType}`,
        `--embedded.directory=${dir}`,
        `--query.static-files=${ui}`,
      ];
      spoor = await startSpoor({ storage: 'memory', flags });
      kept = oneTrace('checkout', 'pay');
      assert.equal((await sendTraces(spoor.baseUrls.otlpHttp, kept.body)).status, 200);
      await waitForTrace(spoor.baseUrls.query, kept.traceId, { minSpans: 2 });
    });
    after(async () => {
      if (spoor) assert.equal(await spoor.stop(), 0);
    });

    test('the Jaeger UI is told archiving is available', async () => {
      const res = await fetch(`${spoor.baseUrls.query}/search`);
      assert.match(await res.text(), /const JAEGER_STORAGE_CAPABILITIES = \{"archiveStorage":true,/);
    });

    test('an archived trace is read from the archive once the main store evicted it', async () => {
      const archived = await fetchJson(`${spoor.baseUrls.query}/api/archive/${kept.traceId}`, { method: 'POST' });
      assert.equal(archived.status, 200, archived.text);
      assert.deepEqual(archived.body.data, []);
      // Not archived: gone with the eviction.
      const lost = oneTrace('checkout', 'browse');
      assert.equal((await sendTraces(spoor.baseUrls.otlpHttp, lost.body)).status, 200);
      await waitForTrace(spoor.baseUrls.query, lost.traceId, { minSpans: 2 });
      await evictEverything(spoor);
      const gone = await fetchJson(`${spoor.baseUrls.query}/api/traces/${lost.traceId}`);
      assert.equal(gone.status, 404, 'the trace not archived is evicted');
      // The search covers the main store only.
      const search = await fetchJson(`${spoor.baseUrls.query}/api/traces?service=checkout&lookback=1h`);
      assert.deepEqual(search.body.data, []);

      const v1 = await fetchJson(`${spoor.baseUrls.query}/api/traces/${kept.traceId}`);
      assert.equal(v1.status, 200, v1.text);
      assert.deepEqual(v1.body.data[0].spans.map((s) => s.operationName).sort(), ['pay', 'pay-child']);
      const v3 = await fetchJson(`${spoor.baseUrls.query}/api/v3/traces/${kept.traceId}`);
      assert.equal(v3.status, 200, v3.text);
      const v3Names = v3.body.result.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.name)));
      assert.deepEqual(v3Names.sort(), ['pay', 'pay-child']);
      assert.deepEqual(await grpcGetTrace(spoor.queryGrpcAddress, kept.traceId), ['pay', 'pay-child']);
      // Archiving it again, now that only the archive has it, is no error.
      const again = await fetchJson(`${spoor.baseUrls.query}/api/archive/${kept.traceId}`, { method: 'POST' });
      assert.equal(again.status, 200, again.text);
      const once = await fetchJson(`${spoor.baseUrls.query}/api/traces/${kept.traceId}`);
      assert.equal(once.body.data[0].spans.length, 2, 'each span once');
    });

    test('archiving an unknown or malformed trace ID is refused', async () => {
      const unknown = await fetchJson(`${spoor.baseUrls.query}/api/archive/${randomTraceId()}`, { method: 'POST' });
      assert.equal(unknown.status, 404, unknown.text);
      const malformed = await fetchJson(`${spoor.baseUrls.query}/api/archive/not-hex`, { method: 'POST' });
      assert.equal(malformed.status, 400, malformed.text);
    });

    if (archiveType === 'embedded') {
      test('the embedded archive keeps its traces across a restart', async () => {
        assert.equal(await spoor.stop(), 0);
        spoor = await startSpoor({
          storage: 'memory',
          flags: [`--memory.max-traces=${MAX_TRACES}`, '--archive.span-storage.type=embedded', `--embedded.directory=${dir}`],
        });
        const res = await fetchJson(`${spoor.baseUrls.query}/api/traces/${kept.traceId}`);
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(res.body.data[0].spans.map((s) => s.operationName).sort(), ['pay', 'pay-child']);
      });
    }
  });
}
