// The embedded store's promises, tested on the real binary: acknowledged
// spans survive SIGKILL when writes are synced, a clean restart keeps
// everything, and retention drops expired time buckets while fresh spans
// stay.

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  fetchJson,
  getJaegerTrace,
  nowNs,
  randomSpanId,
  randomTraceId,
  startSpoor,
  tempDir,
  waitFor,
} from '../lib/spoor.mjs';
import { SpanKind, postTraces, request, span } from '../lib/otlp.mjs';

const SPANS_PER_REQUEST = 10;

function traceRequest(traceId, startNs, service = 'durability-svc') {
  const rootId = randomSpanId();
  const spans = [];
  for (let i = 0; i < SPANS_PER_REQUEST; i++) {
    const begin = startNs + BigInt(i) * 1000n;
    spans.push(
      span({
        traceId,
        spanId: i === 0 ? rootId : randomSpanId(),
        parentSpanId: i === 0 ? undefined : rootId,
        name: `op-${i % 3}`,
        kind: i === 0 ? SpanKind.SERVER : SpanKind.INTERNAL,
        startNs: begin,
        endNs: begin + 500_000n,
        attributes: { 'request.index': i, 'http.method': 'GET' },
      }),
    );
  }
  return request([{ service, spans }]);
}

function embedded(dir, extra = []) {
  return { type: 'embedded', flags: [`--embedded.directory=${dir}`, ...extra] };
}

describe('embedded store', () => {
  const started = [];
  after(async () => {
    for (const s of started) if (s.alive) await s.stop().catch(() => {});
  });
  async function start(storage) {
    const s = await startSpoor({ storage });
    started.push(s);
    return s;
  }

  test('every acknowledged span survives SIGKILL with --embedded.sync-writes', async () => {
    const dir = tempDir('spoor-durability-');
    const storage = embedded(dir, ['--embedded.sync-writes=true']);
    const first = await start(storage);
    const acknowledged = [];
    let stop = false;
    // Four senders write until the process is killed under them.
    const senders = Array.from({ length: 4 }, async () => {
      while (!stop) {
        const traceId = randomTraceId();
        const res = await postTraces(first.baseUrls.otlpHttp, traceRequest(traceId, nowNs())).catch(() => null);
        if (res?.status === 200) acknowledged.push(traceId);
        else if (res === null) return;  // connection refused or reset: the process is gone
      }
    });
    await waitFor(() => acknowledged.length >= 40, { timeoutMs: 30_000, description: '40 acknowledged requests' });
    first.proc.kill('SIGKILL');
    stop = true;
    await Promise.all(senders);
    await first.stop();

    const second = await start(storage);
    const q = second.baseUrls.query;
    for (const traceId of acknowledged) {
      const res = await getJaegerTrace(q, traceId, { raw: 'true' });
      assert.equal(res.status, 200, `acknowledged trace ${traceId} is there after SIGKILL`);
      assert.equal(res.body.data[0].spans.length, SPANS_PER_REQUEST, `every span of ${traceId}`);
    }
    assert.equal(await second.stop(), 0);
  });

  test('a clean restart keeps traces, services and operations', async () => {
    const dir = tempDir('spoor-restart-');
    const first = await start(embedded(dir));
    const ids = [randomTraceId(), randomTraceId(), randomTraceId()];
    for (const id of ids) {
      const res = await postTraces(first.baseUrls.otlpHttp, traceRequest(id, nowNs(), 'restart-svc'));
      assert.equal(res.status, 200);
    }
    await waitFor(async () => (await getJaegerTrace(first.baseUrls.query, ids[2])).status === 200);
    assert.equal(await first.stop(), 0);

    const second = await start(embedded(dir));
    const q = second.baseUrls.query;
    for (const id of ids) {
      const res = await getJaegerTrace(q, id);
      assert.equal(res.status, 200);
      assert.equal(res.body.data[0].spans.length, SPANS_PER_REQUEST);
    }
    const services = await fetchJson(`${q}/api/services`);
    assert.ok(services.body.data.includes('restart-svc'));
    const ops = await fetchJson(`${q}/api/services/restart-svc/operations`);
    assert.deepEqual(ops.body.data, ['op-0', 'op-1', 'op-2']);
    const found = await fetchJson(`${q}/api/traces?service=restart-svc&operation=op-0&limit=10`);
    assert.deepEqual(found.body.data.map((t) => t.traceID).sort(), ids.map((id) => id.replace(/^0{16}/, '')).sort());
    assert.equal(await second.stop(), 0);
  });

  test('expired time buckets are dropped and fresh spans stay', async () => {
    const dir = tempDir('spoor-retention-');
    const storage = embedded(dir, ['--embedded.span-ttl=1h']);
    const first = await start(storage);
    const old = randomTraceId();
    const fresh = randomTraceId();
    const threeHoursNs = 3n * 3600n * 1_000_000_000n;
    assert.equal((await postTraces(first.baseUrls.otlpHttp, traceRequest(old, nowNs() - threeHoursNs, 'retention-svc'))).status, 200);
    assert.equal((await postTraces(first.baseUrls.otlpHttp, traceRequest(fresh, nowNs(), 'retention-svc'))).status, 200);
    assert.equal(await first.stop(), 0);

    // Expiry runs soon after start: the old bucket goes, the fresh one stays.
    const second = await start(storage);
    const q = second.baseUrls.query;
    await waitFor(async () => (await getJaegerTrace(q, old)).status === 404, {
      timeoutMs: 15_000,
      description: 'the expired trace to disappear',
    });
    const kept = await getJaegerTrace(q, fresh);
    assert.equal(kept.status, 200);
    assert.equal(kept.body.data[0].spans.length, SPANS_PER_REQUEST);
    assert.equal(await second.stop(), 0);
  });
});
