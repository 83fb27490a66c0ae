// The ClickHouse backend against a server of its own (password-protected):
// startup refuses an unreachable server, a wrong password or a missing
// schema with one clear line; while the server is down, ingest backs up and
// refuses with 503, nothing crashes, and once it is back every accepted
// span is stored.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startClickHouse } from '../lib/clickhouse.mjs';
import { postTraces, request, span } from '../lib/otlp.mjs';
import {
  freePorts,
  getMetrics,
  metric,
  nowNs,
  portFlags,
  randomSpanId,
  randomTraceId,
  runSpoor,
  startSpoor,
  tempDir,
  waitForTrace,
} from '../lib/spoor.mjs';

const PASSWORD = 'tr4ce-s3cret';

function traceRequest(spans = 100) {
  const traceId = randomTraceId();
  const start = nowNs() - 1_000_000_000n;
  const list = Array.from({ length: spans }, (_, i) =>
    span({ traceId, spanId: randomSpanId(), name: `op-${i % 5}`, startNs: start + BigInt(i), endNs: start + BigInt(i) + 1000n }),
  );
  return { traceId, body: request([{ service: 'ch-faults', spans: list }]) };
}

describe('clickhouse backend', () => {
  let clickhouse;
  const dir = tempDir('spoor-clickhouse-');
  before(async () => {
    clickhouse = await startClickHouse({ dir, password: PASSWORD });
  });
  after(async () => {
    await clickhouse?.stop();
  });

  const flags = (extra = []) => [
    '--span-storage.type=clickhouse',
    `--clickhouse.servers=${clickhouse.servers}`,
    `--clickhouse.password=${PASSWORD}`,
    ...extra,
  ];

  test('an unreachable server stops startup with one clear line', async () => {
    const [port] = await freePorts(1);
    const run = await runSpoor(['all-in-one', '--span-storage.type=clickhouse', `--clickhouse.servers=127.0.0.1:${port}`, ...(await portFlags())]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, new RegExp(`cannot open storage: cannot use ClickHouse at 127\\.0\\.0\\.1:${port}: .*refused`, 'i'));
  });

  test('a wrong password stops startup naming the cause', async () => {
    const run = await runSpoor(['all-in-one', ...flags(['--clickhouse.password=wrong']), ...(await portFlags())]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /cannot open storage: .*Wrong password for user default/);
  });

  test('a missing schema with --clickhouse.create-schema=false stops startup', async () => {
    const run = await runSpoor(['all-in-one', ...flags(['--clickhouse.database=never_created', '--clickhouse.create-schema=false']), ...(await portFlags())]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /cannot open storage: database 'never_created' .* has no table 'spans'/);
  });

  test('a bad flag value is refused before anything starts', async () => {
    const run = await runSpoor(['all-in-one', '--span-storage.type=clickhouse', '--clickhouse.servers=nohostport']);
    assert.equal(run.code, 2, 'a configuration error exits 2');
    assert.match(run.stderr, /invalid value 'nohostport' for --clickhouse.servers: 'nohostport' is not HOST:PORT/);
  });

  test('while ClickHouse is down ingest backs up and refuses; once back, every accepted span is stored', async () => {
    const spoor = await startSpoor({
      storage: {
        type: 'clickhouse',
        flags: [`--clickhouse.servers=${clickhouse.servers}`, `--clickhouse.password=${PASSWORD}`, '--clickhouse.database=faults', '--clickhouse.batch-size=500'],
      },
      flags: ['--collector.queue-size=2000'],
    });
    try {
      const first = traceRequest();
      assert.equal((await postTraces(spoor.baseUrls.otlpHttp, first.body)).status, 200);
      await waitForTrace(spoor.baseUrls.query, first.traceId, { minSpans: 100 });

      clickhouse.kill();
      await new Promise((r) => clickhouse.child.once('exit', r));
      const accepted = [];
      let refused = null;
      for (let i = 0; i < 300 && refused === null; i++) {
        const t = traceRequest();
        const res = await postTraces(spoor.baseUrls.otlpHttp, t.body);
        if (res.status === 200) accepted.push(t.traceId);
        else refused = res;
      }
      assert.ok(refused, 'once the buffers are full, requests are refused');
      assert.equal(refused.status, 503);
      assert.ok(accepted.length > 0, 'requests were accepted while the buffers had room');
      assert.ok(spoor.alive, 'spoor is still running');
      const down = await getMetrics(spoor);
      assert.ok(metric(down, 'spoor_clickhouse_insert_failures_total') > 0, 'failed inserts are counted');
      assert.ok(metric(down, 'spoor_spans_refused_total', { reason: 'queue_full' }) > 0, 'refused spans are counted');

      clickhouse = await startClickHouse({ dir, ports: clickhouse.ports, password: PASSWORD });
      for (const id of accepted) await waitForTrace(spoor.baseUrls.query, id, { minSpans: 100, timeoutMs: 60_000 });
      const later = traceRequest();
      assert.equal((await postTraces(spoor.baseUrls.otlpHttp, later.body)).status, 200, 'ingest resumed by itself');
      await waitForTrace(spoor.baseUrls.query, later.traceId, { minSpans: 100 });
      const up = await getMetrics(spoor);
      assert.equal(metric(up, 'spoor_spans_dropped_total', { storage: 'clickhouse' }) ?? 0, 0, 'nothing accepted was dropped');
    } finally {
      assert.equal(await spoor.stop(), 0, 'spoor exits 0 on SIGTERM');
    }
  });

  test('SIGTERM while ClickHouse is down ends by the shutdown deadline and reports the loss', async () => {
    const spoor = await startSpoor({
      storage: {
        type: 'clickhouse',
        flags: [`--clickhouse.servers=${clickhouse.servers}`, `--clickhouse.password=${PASSWORD}`, '--clickhouse.database=shutdown', '--clickhouse.batch-size=500'],
      },
      flags: ['--collector.queue-size=2000'],
    });
    const first = traceRequest();
    assert.equal((await postTraces(spoor.baseUrls.otlpHttp, first.body)).status, 200);
    await waitForTrace(spoor.baseUrls.query, first.traceId, { minSpans: 100 });
    clickhouse.kill();
    await new Promise((r) => clickhouse.child.once('exit', r));
    let accepted = 0;
    for (let i = 0; i < 100; i++) {
      if ((await postTraces(spoor.baseUrls.otlpHttp, traceRequest().body)).status === 200) accepted++;
    }
    assert.ok(accepted > 0, 'some requests were accepted before the buffers filled');
    const started = Date.now();
    const code = await spoor.stop({ timeoutMs: 40_000 });
    assert.equal(code, 1, 'exit 1: accepted spans were lost');
    assert.ok(Date.now() - started < 30_000, `stopped in ${Date.now() - started} ms`);
    assert.match(spoor.stderr, /accepted spans could not be inserted before shutdown/);
    clickhouse = await startClickHouse({ dir, ports: clickhouse.ports, password: PASSWORD });
  });
});
