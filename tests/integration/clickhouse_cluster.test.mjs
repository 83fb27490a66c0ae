// Spoor on a ClickHouse cluster of 2 shards x 2 replicas with ZooKeeper
// (the ctest fixture `clickhouse_cluster`, tests/lib/clickhouse.mjs; the
// Jaeger conformance cases run on it as integration.conformance.clickhouse.cluster).
// The spans of a trace sit on one shard, both shards hold data, both
// replicas of a shard hold the same rows, and a replica killed during
// ingest loses nothing: queries go on while it is down, and once it is back
// (its parts are on its disk; ClickHouse replicates asynchronously, so what
// it took just before dying reaches its twin only then) every acknowledged
// span is there.

import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { clickhouseQuery, startClickHouse } from '../lib/clickhouse.mjs';
import { postTraces, request, span } from '../lib/otlp.mjs';
import { nowNs, randomSpanId, randomTraceId, searchTraces, sleep, startSpoor, waitFor, waitForTrace } from '../lib/spoor.mjs';

const serversFile = process.env.SPOOR_CLICKHOUSE_SERVERS_FILE;
const layoutFile = serversFile && path.join(path.dirname(serversFile), 'cluster.json');
const layout = layoutFile && existsSync(layoutFile) ? JSON.parse(readFileSync(layoutFile, 'utf8')) : null;
const DATABASE = `spoor_cluster_${process.pid}`;
const SPANS = 20;

function traceRequest(service) {
  const traceId = randomTraceId();
  const start = nowNs() - 5_000_000_000n;
  const spans = Array.from({ length: SPANS }, (_, i) =>
    span({ traceId, spanId: randomSpanId(), name: `op-${i % 3}`, startNs: start + BigInt(i) * 1000n, endNs: start + BigInt(i) * 1000n + 500n }),
  );
  return { traceId, body: request([{ service, spans }]) };
}

/** trace ID (hex) -> span rows, in one server's own span_index. */
async function localCounts(node) {
  const text = await clickhouseQuery(node.ports.http, `SELECT lower(hex(trace_id)), count() FROM ${DATABASE}.span_index_local GROUP BY trace_id`);
  return new Map(text.trim().split('\n').filter(Boolean).map((line) => {
    const [id, n] = line.split('\t');
    return [id, Number(n)];
  }));
}

describe('clickhouse cluster (2 shards x 2 replicas)', { skip: layout ? false : 'no cluster fixture (SPOOR_CLICKHOUSE_SERVERS_FILE/cluster.json)' }, () => {
  let spoor;
  before(async () => {
    spoor = await startSpoor({
      storage: { type: 'clickhouse', flags: [`--clickhouse.servers=${layout.nodes.map((n) => `127.0.0.1:${n.ports.http}`).join(',')}`, `--clickhouse.cluster=${layout.cluster}`, `--clickhouse.database=${DATABASE}`] },
    });
  });
  after(async () => {
    if (spoor) assert.equal(await spoor.stop(), 0);
  });

  test('each trace lives on one shard, both shards hold data, replicas agree', async () => {
    const written = [];
    for (let i = 0; i < 40; i++) {
      const t = traceRequest('placement');
      assert.equal((await postTraces(spoor.baseUrls.otlpHttp, t.body)).status, 200);
      written.push(t.traceId);
    }
    for (const id of written) await waitForTrace(spoor.baseUrls.query, id, { minSpans: SPANS });
    // Replicas catch up asynchronously: wait until both of a shard agree.
    let counts;
    await waitFor(async () => {
      counts = await Promise.all(layout.nodes.map(localCounts));
      const byShard = (s) => layout.nodes.map((n, i) => (n.shard === s ? i : -1)).filter((i) => i >= 0);
      return [1, 2].every((s) => {
        const [a, b] = byShard(s).map((i) => counts[i]);
        return a.size === b.size && [...a].every(([id, n]) => b.get(id) === n);
      });
    }, { timeoutMs: 30_000, description: 'replicas of each shard hold the same rows' });
    const shardOf = new Map();
    layout.nodes.forEach((node, i) => {
      for (const [id, n] of counts[i]) {
        assert.equal(n, SPANS, `every span of ${id} on shard ${node.shard}`);
        if (shardOf.has(id)) assert.equal(shardOf.get(id), node.shard, `${id} on one shard only`);
        shardOf.set(id, node.shard);
      }
    });
    for (const id of written) assert.ok(shardOf.has(id), `${id} is stored`);
    const perShard = [1, 2].map((s) => written.filter((id) => shardOf.get(id) === s).length);
    assert.ok(perShard[0] > 0 && perShard[1] > 0, `both shards hold traces: ${perShard}`);
  });

  test('killing one replica during ingest loses nothing, and queries go on', async () => {
    const victim = layout.nodes.find((n) => n.shard === 2 && n.replica === 1);
    const acknowledged = [];
    for (let i = 0; i < 60; i++) {
      if (i === 20) process.kill(victim.pid, 'SIGKILL');
      const t = traceRequest('failover');
      const res = await postTraces(spoor.baseUrls.otlpHttp, t.body);
      if (res.status === 200) acknowledged.push(t.traceId);
      await sleep(20);
    }
    assert.ok(acknowledged.length >= 55, `requests kept being accepted: ${acknowledged.length}/60`);
    // While the replica is down, searches and reads go on.
    const during = await searchTraces(spoor.baseUrls.query, { service: 'failover', limit: 100 });
    assert.equal(during.status, 200, during.text);
    assert.ok(during.body.data.length > 0, 'traces are found while a replica is down');
    await waitForTrace(spoor.baseUrls.query, acknowledged.at(-1), { minSpans: SPANS, timeoutMs: 60_000 });

    const back = await startClickHouse({ dir: victim.dir, ports: victim.ports, restart: true, detached: true });
    appendFileSync(path.join(path.dirname(serversFile), 'pids'), `${back.pid}\n`);  // the fixture stops it
    for (const id of acknowledged) {
      await waitForTrace(spoor.baseUrls.query, id, { minSpans: SPANS, timeoutMs: 60_000 }).catch((err) => {
        err.message += `\nspoor's log:\n${spoor.stderr.slice(-4000)}`;
        throw err;
      });
    }
    // The replica that came back answers queries while it still fetches
    // what it missed (ClickHouse replication is asynchronous): a search can
    // miss a trace for a moment, then finds every one.
    let found;
    await waitFor(
      async () => {
        found = await searchTraces(spoor.baseUrls.query, { service: 'failover', limit: 100 });
        return found.status === 200 && found.body.data.length === acknowledged.length;
      },
      { timeoutMs: 60_000, intervalMs: 200, description: 'a search that finds every acknowledged trace' },
    );
    assert.equal(found.body.data.length, acknowledged.length, 'a search finds every acknowledged trace');
  });
});
