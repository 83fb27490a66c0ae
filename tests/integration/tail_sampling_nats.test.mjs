// Tail sampling behind the NATS JetStream buffer (docs/tail-sampling.md,
// "Behind the NATS buffer"): one collector publishing each batch split by
// trace ID over 4 partitions (subjects <subject>.<p>), two ingesters with a
// tail_sampling configuration, each reading the partitions whose lease it
// holds in the NATS key-value bucket <stream>-partitions, ClickHouse, and a
// query node.
//
//  - every trace's 4 spans are sent in 4 requests, each request carrying
//    one span of 5 traces, grouped differently each round (a trace's spans
//    reach the stream in 4 messages): error and slow traces are stored
//    whole, the others not at all, and each ingester decided whole traces
//    (the decisions add up to the traces sent, no span came after its
//    trace's decision);
//  - an ingester killed with SIGKILL: the other owns all 4 partitions
//    within a lease and two renewals, and decides what comes next;
//  - a collector given another --nats.partitions than its stream was
//    created with stops at startup, naming the flag;
//  - with --multi-tenancy.enabled, two tenants (some traces under the same
//    trace IDs) sampled apart: each tenant's kept traces stored whole for
//    it alone, each decided whole by one ingester.

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { clickhouseMissing, startClickHouse } from '../lib/clickhouse.mjs';
import { natsMissing, startNats, streamStates } from '../lib/nats.mjs';
import { SpanKind, StatusCode, request, sendTraces, span } from '../lib/otlp.mjs';
import {
  allocatePorts,
  clickhouseServers,
  fetchJson,
  getMetrics,
  jaegerTraceId,
  metric,
  nowNs,
  parseMetrics,
  portFlagsFor,
  randomSpanId,
  randomTraceId,
  runSpoor,
  startSpoor,
  storedSpanIds,
  tempDir,
  waitFor,
} from '../lib/spoor.mjs';
import { tenantHeader } from '../lib/tenants.mjs';

const clickhouseSkip = clickhouseMissing();
const natsSkip = natsMissing();

const PARTITIONS = 4;
const DECISION_WAIT_MS = 3000;
// --nats.partition-lease; the owner renews (and looks for free partitions)
// every third of it.
const LEASE_MS = 3000;
const RENEWAL_MS = LEASE_MS / 3;
const MS = 1_000_000n;

const TAIL_SAMPLING = `tail_sampling:
  decision_wait: ${DECISION_WAIT_MS}ms
  num_traces: 10000
  policies:
    - name: errors
      type: status_code
      status_code: {status_codes: [ERROR]}
    - name: slow
      type: latency
      latency: {threshold_ms: 500}
`;

// ---------------------------------------------------------------------------
// Traces in parts

/**
 * A trace of 4 spans over two services, in the order they are sent, one
 * per request: three children, then the root (which ends last). `kind`:
 * 'fine' (40 ms, no error), 'error' (40 ms, one span in status ERROR: the
 * third child or the root, by `errorOnRoot`), 'slow' (the root lasts
 * 700 ms), 'slow, error'. Returns {kind, traceId, parts: [{service, span}],
 * spanIds (sorted), error, slow}.
 */
function partedTrace(kind, baseNs, { errorOnRoot = false } = {}) {
  const traceId = randomTraceId();
  const rootId = randomSpanId();
  const error = kind.includes('error');
  const slow = kind.includes('slow');
  const failed = { status: { code: StatusCode.ERROR, message: 'failed' } };
  const child = (k, service) => ({
    service,
    span: span({
      traceId,
      spanId: randomSpanId(),
      parentSpanId: rootId,
      name: `step ${k}`,
      kind: k === 1 ? SpanKind.CLIENT : SpanKind.SERVER,
      startNs: baseNs + BigInt(k) * 5n * MS,
      endNs: baseNs + BigInt(k) * 5n * MS + 4n * MS,
      ...(error && !errorOnRoot && k === 3 ? failed : {}),
    }),
  });
  const root = {
    service: 'frontend',
    span: span({
      traceId,
      spanId: rootId,
      name: 'GET /checkout',
      kind: SpanKind.SERVER,
      startNs: baseNs,
      endNs: baseNs + (slow ? 700n : 40n) * MS,
      attributes: { 'trace.kind': kind },
      ...(error && errorOnRoot ? failed : {}),
    }),
  };
  const parts = [child(1, 'frontend'), child(2, 'backend'), child(3, 'backend'), root];
  return { kind, traceId, parts, spanIds: parts.map((p) => p.span.spanId).sort(), error, slow };
}

/** `counts`: {kind: n}; the traces of each kind, errors alternately on the third child and on the root. */
function partedTraces(counts) {
  const base = nowNs() - 10_000n * MS;
  const out = [];
  for (const [kind, n] of Object.entries(counts)) {
    for (let i = 0; i < n; i++) out.push(partedTrace(kind, base + BigInt(out.length) * MS, { errorOnRoot: i % 2 === 1 }));
  }
  return out;
}

const TRACES_PER_REQUEST = 5;

/**
 * Sends part k of every trace before part k + 1 of any: round k is one
 * request per TRACES_PER_REQUEST traces (grouped differently each round),
 * its spans under their services' resources, the round's requests at
 * once. A trace's 4 spans thus reach the collector in 4 requests, and the
 * stream in 4 messages. `headers` go on every request (x-tenant).
 * Resolves with how long the sending took (ms).
 */
async function sendInParts(collector, traces, { headers } = {}) {
  const started = Date.now();
  for (let part = 0; part < 4; part++) {
    const shift = (part * 3) % traces.length;
    let order = [...traces.slice(shift), ...traces.slice(0, shift)];
    if (part % 2 === 1) order = order.reverse();
    const requests = [];
    for (let i = 0; i < order.length; i += TRACES_PER_REQUEST) {
      const byService = new Map();
      for (const t of order.slice(i, i + TRACES_PER_REQUEST)) {
        const { service, span: s } = t.parts[part];
        if (!byService.has(service)) byService.set(service, []);
        byService.get(service).push(s);
      }
      const body = request([...byService].map(([service, spans]) => ({ service, spans })));
      requests.push(sendTraces(collector.baseUrls.otlpHttp, body, { encoding: 'proto', headers }));
    }
    await Promise.all(requests);
  }
  return Date.now() - started;
}

const keep = (t) => t.error || t.slow;
const spansOf = (traces) => traces.reduce((n, t) => n + t.parts.length, 0);

// ---------------------------------------------------------------------------
// Reading the ingesters and the query node

/** An ingester's tail-sampling and partition metrics, missing series as 0. */
async function ingesterMetrics(ingester) {
  const text = await getMetrics(ingester);
  const m = (name, labels) => metric(text, name, labels) ?? 0;
  return {
    partitions: metric(text, 'spoor_ingester_partitions_owned'),
    kept: m('spoor_tail_sampling_traces_total', { decision: 'kept' }),
    dropped: m('spoor_tail_sampling_traces_total', { decision: 'dropped' }),
    held: metric(text, 'spoor_tail_sampling_traces_held'),
    early: m('spoor_tail_sampling_traces_decided_early_total'),
    late: m('spoor_tail_sampling_late_spans_total'),
    lost: m('spoor_tail_sampling_spans_lost_total'),
    errors: m('spoor_tail_sampling_policy_kept_total', { policy: 'errors' }),
    slow: m('spoor_tail_sampling_policy_kept_total', { policy: 'slow' }),
    stored: m('spoor_spans_stored_total'),
  };
}

/** Each metric of ingesterMetrics: `b` minus `a`. */
function delta(a, b) {
  return Object.fromEntries(Object.keys(b).map((k) => [k, b[k] - (a?.[k] ?? 0)]));
}

/** Sums of each metric over several ingesterMetrics answers. */
function sum(list) {
  const out = {};
  for (const m of list) for (const [k, v] of Object.entries(m)) out[k] = (out[k] ?? 0) + (v ?? 0);
  return out;
}

/** What is wrong with what the query node stores of `traces`: kept ones whole, the others not at all. */
async function wrongStored(query, traces) {
  const wrong = [];
  for (let i = 0; i < traces.length; i += 16) {
    const chunk = traces.slice(i, i + 16);
    const stored = await Promise.all(chunk.map((t) => storedSpanIds(query, t.traceId)));
    chunk.forEach((t, k) => {
      const ids = stored[k];
      const what = `${t.kind} trace ${t.traceId}`;
      if (keep(t)) {
        if (ids === null) wrong.push(`${what}: to keep, not stored`);
        else if (JSON.stringify(ids) !== JSON.stringify(t.spanIds)) wrong.push(`${what}: stored [${ids}], sent [${t.spanIds}]`);
      } else if (ids !== null) {
        wrong.push(`${what}: to drop, ${ids.length} spans stored`);
      }
    });
  }
  return wrong;
}

// ---------------------------------------------------------------------------
// The topology: NATS, ClickHouse, a collector, two ingesters, a query node

/**
 * Starts, into `t` (so that what started is stopped even when a later step
 * fails): NATS, ClickHouse (the test run's, else one started here), a
 * collector publishing over PARTITIONS partitions, two ingesters with the
 * TAIL_SAMPLING configuration started one after the other (the first
 * creates the schema) into `t.ingesters`, and a query node. `name` names
 * the stream, subject, database and directory; `extra` flags go to every
 * spoor.
 */
async function startTopology(t, name, extra = []) {
  const dir = tempDir(`spoor-${name}-`);
  const configFile = path.join(dir, 'tail-sampling.yaml');
  await writeFile(configFile, TAIL_SAMPLING);
  t.nats = await startNats({ dir: path.join(dir, 'nats') });
  let servers = clickhouseServers();
  if (!servers) {
    t.clickhouse = await startClickHouse({ dir: path.join(dir, 'clickhouse') });
    servers = t.clickhouse.servers;
  }
  const natsFlags = [
    `--nats.url=${t.nats.url}`,
    `--nats.stream=spoor-${name}`,
    `--nats.subject=${name.replaceAll('-', '_')}.spans`,
    `--nats.partitions=${PARTITIONS}`,
    ...extra,
  ];
  const storage = {
    type: 'clickhouse',
    flags: [`--clickhouse.servers=${servers}`, `--clickhouse.database=spoor_${name.replaceAll('-', '_')}_${process.pid}`],
  };
  t.collector = await startSpoor({ subcommand: 'collector', storage: 'none', flags: ['--buffer.type=nats', ...natsFlags] });
  for (let n = 0; n < 2; n++) {
    t.ingesters.push(
      await startSpoor({
        subcommand: 'ingester',
        storage,
        flags: [...natsFlags, `--nats.partition-lease=${LEASE_MS}ms`, `--config-file=${configFile}`],
      }),
    );
  }
  t.query = await startSpoor({ subcommand: 'query', storage, flags: extra });
}

async function stopTopology(t) {
  for (const p of [t.collector, ...t.ingesters, t.query]) await p?.stop().catch(() => {});
  await t.nats?.stop();
  await t.clickhouse?.stop();
}

/** Partitions owned by each ingester still running. */
const owned = (ingesters) => Promise.all(ingesters.map(async (i) => (i.alive ? (await ingesterMetrics(i)).partitions : null)));

/** Metrics (and `more(ingester)`) and the end of the logs of every ingester, for failure messages. */
async function diagnose(t, more = async () => '') {
  const out = [];
  for (const [n, i] of t.ingesters.entries()) {
    const m = i.alive ? await ingesterMetrics(i).catch((e) => e.message) : 'exited';
    const extra = i.alive ? await more(i).catch((e) => e.message) : '';
    out.push(`--- ingester ${n} (pid ${i.proc.pid}): ${JSON.stringify(m)}${extra}\n${i.logs.slice(-3000)}`);
  }
  const states = await streamStates(t.nats.monitorPort).catch((e) => e.message);
  return `stream: ${JSON.stringify(states)}\n${out.join('\n')}`;
}

// ---------------------------------------------------------------------------

describe(
  'tail sampling behind NATS: collector -> 4 partitions -> two ingesters -> ClickHouse <- query',
  { skip: clickhouseSkip || natsSkip },
  () => {
    const t = { ingesters: [] };
    const { ingesters } = t;
    let collector;
    let query;
    const diagnoseAll = () => diagnose(t);

    /**
     * Waits until the decisions of the ingesters in `list` since `before`
     * (ingesterMetrics of each, or undefined) add up to `count` with no
     * trace held; returns the per-ingester deltas.
     */
    const waitForDecisions = async (list, before, count) => {
      let deltas;
      await waitFor(
        async () => {
          const now = await Promise.all(list.map((i) => ingesterMetrics(i)));
          deltas = now.map((m, n) => delta(before?.[n], m));
          const all = sum(deltas);
          return all.kept + all.dropped >= count && now.every((m) => m.held === 0);
        },
        { timeoutMs: DECISION_WAIT_MS + 60_000, intervalMs: 200, description: `${count} traces decided, none held` },
      ).catch(async (err) => {
        err.message += `; decisions ${JSON.stringify(deltas)}\n${await diagnoseAll()}`;
        throw err;
      });
      return deltas;
    };

    /** Waits until the kept spans are written and the query node shows exactly the traces to keep, whole. */
    const expectDecided = async (list, before, traces) => {
      const keptSpans = spansOf(traces.filter(keep));
      let stored;
      await waitFor(
        async () => {
          stored = sum(await Promise.all(list.map(async (i, n) => delta(before?.[n], await ingesterMetrics(i))))).stored;
          return stored >= keptSpans;
        },
        { timeoutMs: 60_000, intervalMs: 200, description: `${keptSpans} spans stored` },
      ).catch(async (err) => {
        err.message += `; stored ${stored}\n${await diagnoseAll()}`;
        throw err;
      });
      assert.equal(stored, keptSpans, 'spoor_spans_stored_total over the ingesters: the spans of the kept traces, once');
      const wrong = await wrongStored(query, traces);
      assert.deepEqual(wrong, [], `${wrong.length} of ${traces.length} traces wrong through the query node\n${await diagnoseAll()}`);
    };

    before(async () => {
      await startTopology(t, 'tail-nats');
      ({ collector, query } = t);
    });

    after(() => stopTopology(t));

    test('traces sent in 4 parts each: errors and slow ones stored whole, the rest not at all, each decided whole by one ingester', async () => {
      for (const [n, ingester] of ingesters.entries()) {
        const m = await ingesterMetrics(ingester);
        assert.notEqual(
          m.held,
          undefined,
          `ingester ${n} applies the tail_sampling key of its --config-file (spoor_tail_sampling_traces_held is exported); ` +
            `its metrics ${JSON.stringify(m)}; logs:\n${ingester.logs.slice(-2000)}`,
        );
      }
      let shares;
      await waitFor(
        async () => {
          shares = await owned(ingesters);
          return shares[0] === 2 && shares[1] === 2;
        },
        { timeoutMs: 30_000, intervalMs: 100, description: 'the two ingesters owning 2 + 2 partitions' },
      ).catch(async (err) => {
        err.message += `; owned ${JSON.stringify(shares)}\n${await diagnoseAll()}`;
        throw err;
      });

      const traces = partedTraces({ fine: 30, error: 14, slow: 12, 'slow, error': 4 });
      const sendMs = await sendInParts(collector, traces);
      const collectorMetrics = await getMetrics(collector);
      assert.equal(metric(collectorMetrics, 'spoor_spans_accepted_total'), spansOf(traces), 'spans accepted by the collector');
      // Each request split by partition: at least one message per request.
      assert.ok(metric(collectorMetrics, 'spoor_nats_published_messages_total') >= (traces.length / TRACES_PER_REQUEST) * 4);

      const decided = await waitForDecisions(ingesters, undefined, traces.length);
      const all = sum(decided);
      const kept = traces.filter(keep);
      const facts = `decisions per ingester ${JSON.stringify(decided)}; sending took ${sendMs} ms, decision_wait ${DECISION_WAIT_MS} ms`;
      // A trace read in part by each ingester would be decided twice.
      assert.equal(all.kept + all.dropped, traces.length, `every trace decided once, by one ingester; ${facts}`);
      assert.equal(all.kept, kept.length, `traces_total{decision="kept"} over the ingesters; ${facts}`);
      assert.equal(all.dropped, traces.length - kept.length, `traces_total{decision="dropped"}; ${facts}`);
      assert.equal(all.errors, traces.filter((t) => t.error).length, `policy_kept_total{policy="errors"}; ${facts}`);
      assert.equal(all.slow, traces.filter((t) => t.slow).length, `policy_kept_total{policy="slow"}; ${facts}`);
      assert.equal(all.late, 0, `no span came after its trace's decision; ${facts}`);
      assert.equal(all.early, 0, 'none decided early');
      assert.equal(all.lost, 0, 'spans_lost_total');
      for (const [n, d] of decided.entries()) {
        assert.ok(d.kept + d.dropped > 0, `ingester ${n} decided some traces; ${facts}`);
      }
      assert.deepEqual(await owned(ingesters), [2, 2], 'the partitions stayed where they were');
      await expectDecided(ingesters, undefined, traces);
    });

    test(`an ingester killed with SIGKILL: the other owns all ${PARTITIONS} partitions within a lease and two renewals, and decides what comes next`, async () => {
      assert.deepEqual(await owned(ingesters), [2, 2], 'each ingester owns 2 partitions (previous test)');
      const [victim, survivor] = ingesters;
      // The victim's leases (its membership slot, its 2 partitions) were
      // renewed at most a renewal period before the kill and expire a lease
      // after that. The survivor looks every renewal period: it sees the slot
      // free, and takes the partitions in the same round, or in the next when
      // a partition's lease (renewed just after the slot) had not expired
      // yet. Bound: lease + 2 renewal periods, and 1 s for the rounds' own
      // NATS requests and scheduling.
      const boundMs = LEASE_MS + 2 * RENEWAL_MS + 1000;
      const killedAt = performance.now();
      victim.proc.kill('SIGKILL');
      let seen;
      await waitFor(
        async () => {
          seen = (await ingesterMetrics(survivor)).partitions;
          return seen === PARTITIONS;
        },
        { timeoutMs: boundMs, intervalMs: 50, description: `spoor_ingester_partitions_owned ${PARTITIONS} on the survivor` },
      ).catch(async (err) => {
        err.message += `; last ${seen} (lease ${LEASE_MS} ms, renewed every ${RENEWAL_MS} ms)\n${await diagnoseAll()}`;
        throw err;
      });
      const tookMs = Math.round(performance.now() - killedAt);
      assert.ok(!victim.alive, 'the victim is gone');
      console.log(`# the survivor owned all ${PARTITIONS} partitions ${tookMs} ms after the kill (bound ${boundMs} ms)`);

      const before = [await ingesterMetrics(survivor)];
      const traces = partedTraces({ fine: 10, error: 10 });
      const sendMs = await sendInParts(collector, traces);
      const [d] = await waitForDecisions([survivor], before, traces.length);
      const facts = `decisions ${JSON.stringify(d)}; sending took ${sendMs} ms, decision_wait ${DECISION_WAIT_MS} ms`;
      assert.equal(d.kept, 10, `the survivor kept the 10 error traces; ${facts}`);
      assert.equal(d.dropped, 10, `the survivor dropped the 10 others; ${facts}`);
      assert.equal(d.errors, 10, `policy_kept_total{policy="errors"}; ${facts}`);
      assert.equal(d.late, 0, `no span came after its trace's decision; ${facts}`);
      assert.equal(d.lost, 0, 'spans_lost_total');
      assert.equal((await ingesterMetrics(survivor)).partitions, PARTITIONS, `it still owns all ${PARTITIONS} partitions`);
      await expectDecided([survivor], before, traces);
    });
  },
);

// ---------------------------------------------------------------------------

describe('--nats.partitions other than the stream was created with', { skip: natsSkip }, () => {
  let nats;
  before(async () => {
    nats = await startNats({ dir: path.join(tempDir('spoor-tail-nats-bad-'), 'nats') });
  });
  after(async () => {
    await nats?.stop();
  });

  /** Flags for a collector on `stream` (its subject its own: streams' subjects may not overlap). */
  const flagsFor = (stream, partitions) => [
    '--buffer.type=nats',
    `--nats.url=${nats.url}`,
    `--nats.stream=${stream}`,
    `--nats.subject=${stream.replaceAll('-', '_')}.spans`,
    `--nats.partitions=${partitions}`,
  ];

  for (const [created, asked] of [
    [1, PARTITIONS],
    [PARTITIONS, 1],
  ]) {
    test(`a collector with --nats.partitions=${asked} on a stream created with ${created} stops at startup, naming the flag`, async () => {
      const stream = `spoor-partitions-${created}-${asked}`;
      // The stream is created by a collector with `created` partitions.
      const first = await startSpoor({ subcommand: 'collector', storage: 'none', flags: flagsFor(stream, created) });
      assert.equal(await first.stop(), 0, `the first collector exits 0; logs:\n${first.logs.slice(-2000)}`);
      const streams = await streamStates(nats.monitorPort);
      assert.ok(
        streams.some((s) => s.stream === stream),
        `the stream exists: ${JSON.stringify(streams)}`,
      );

      const ports = portFlagsFor(await allocatePorts()).filter((f) => !f.startsWith('--query.'));
      const { code, signal, stderr } = await runSpoor(['collector', ...ports, ...flagsFor(stream, asked)], { timeoutMs: 20_000 });
      assert.equal(signal, null, `exited by itself, not by a signal; stderr:\n${stderr}`);
      assert.notEqual(code, 0, `exit code; stderr:\n${stderr}`);
      assert.ok(stderr.includes(`--nats.partitions=${asked}`), `stderr names --nats.partitions=${asked}:\n${stderr}`);
      assert.ok(stderr.includes(stream), `stderr names the stream ${stream}:\n${stderr}`);
    });
  }
});

// ---------------------------------------------------------------------------

describe(
  'tail sampling behind NATS with tenants: acme and beta through a collector -> 4 partitions -> two ingesters -> ClickHouse <- query, each tenant sampled apart',
  { skip: clickhouseSkip || natsSkip },
  () => {
    const TENANTS = ['acme', 'beta'];
    const t = { ingesters: [] };
    const { ingesters } = t;
    let collector;
    let query;

    /** The spoor_tail_sampling_traces_held series of an ingester: [{labels, value}]. */
    const heldSeries = async (ingester) =>
      parseMetrics(await getMetrics(ingester))
        .filter((s) => s.name === 'spoor_tail_sampling_traces_held')
        .map(({ labels, value }) => ({ labels, value }));

    const diagnoseAll = () => diagnose(t, async (i) => `; held ${JSON.stringify(await heldSeries(i))}`);

    /** storedSpanIds asked as `tenant` (header x-tenant): the sorted span IDs, or null when the query node answers 404. */
    const storedSpanIdsAs = async (tenant, traceId) => {
      const res = await fetchJson(`${query.baseUrls.query}/api/traces/${jaegerTraceId(traceId)}`, { headers: tenantHeader(tenant) });
      if (res.status === 404) return null;
      if (res.status !== 200) throw new Error(`GET /api/traces/${traceId} as ${tenant}: ${res.status} ${res.text.slice(0, 300)}`);
      const data = res.body?.data ?? [];
      if (data.length !== 1) throw new Error(`GET /api/traces/${traceId} as ${tenant}: ${data.length} traces, expected one`);
      return data[0].spans.map((s) => s.spanID).sort();
    };

    /**
     * What is wrong with what the query node shows each tenant of every
     * trace ID sent (by either tenant): the tenant's own trace whole when it
     * was to be kept; nothing (404) when it was to be dropped or is the
     * other tenant's alone.
     */
    const wrongStoredByTenant = async (tracesOf) => {
      const ids = [...new Set(TENANTS.flatMap((tenant) => tracesOf[tenant].map((t) => t.traceId)))];
      const wrong = [];
      for (const tenant of TENANTS) {
        const own = new Map(tracesOf[tenant].map((t) => [t.traceId, t]));
        for (let i = 0; i < ids.length; i += 16) {
          const chunk = ids.slice(i, i + 16);
          const stored = await Promise.all(chunk.map((id) => storedSpanIdsAs(tenant, id)));
          chunk.forEach((id, k) => {
            const t = own.get(id);
            const want = t && keep(t) ? t.spanIds : null;
            if (JSON.stringify(stored[k]) === JSON.stringify(want)) return;
            const what = t ? `its ${t.kind} trace ${id}` : `the other tenant's trace ${id}`;
            wrong.push(
              `as ${tenant}, ${what}: ${stored[k] ? `stored [${stored[k]}]` : 'not stored'}, expected ${want ? `[${want}]` : 'not stored'}`,
            );
          });
        }
      }
      return wrong;
    };

    before(async () => {
      await startTopology(t, 'tail-nats-tenants', ['--multi-tenancy.enabled']);
      ({ collector, query } = t);
    });

    after(() => stopTopology(t));

    test("acme and beta send traces in 4 parts each, some under the same trace IDs: each tenant's errors and slow ones stored whole for it alone, the rest not at all, each decided whole by one ingester", async () => {
      let shares;
      await waitFor(
        async () => {
          shares = await owned(ingesters);
          return shares[0] === 2 && shares[1] === 2;
        },
        { timeoutMs: 30_000, intervalMs: 100, description: 'the two ingesters owning 2 + 2 partitions' },
      ).catch(async (err) => {
        err.message += `; owned ${JSON.stringify(shares)}\n${await diagnoseAll()}`;
        throw err;
      });

      const tracesOf = {
        acme: partedTraces({ fine: 10, error: 6, slow: 4 }),
        beta: partedTraces({ fine: 8, error: 4, 'slow, error': 2 }),
      };
      // Beta's trace i under the trace ID of acme's trace j, for [i, j]:
      // fine and fine (both dropped), fine and error (acme keeps it), error
      // and fine (beta keeps it), error and slow, slow-error and error (both
      // keep theirs).
      for (const [i, j] of [
        [0, 0],
        [1, 10],
        [8, 1],
        [9, 16],
        [12, 11],
      ]) {
        const t = tracesOf.beta[i];
        t.traceId = tracesOf.acme[j].traceId;
        for (const p of t.parts) p.span.traceId = t.traceId;
      }
      const traces = TENANTS.flatMap((tenant) => tracesOf[tenant]);
      const kept = traces.filter(keep);
      const sendMs = {};
      await Promise.all(
        TENANTS.map(async (tenant) => {
          sendMs[tenant] = await sendInParts(collector, tracesOf[tenant], { headers: tenantHeader(tenant) });
        }),
      );
      const collectorMetrics = await getMetrics(collector);
      assert.equal(metric(collectorMetrics, 'spoor_spans_accepted_total'), spansOf(traces), 'spans accepted by the collector');

      // Decided: as many decisions as traces of both tenants (a trace ID
      // both sent is two traces, one a tenant), nothing held by any
      // tenant's sampler.
      let decided;
      await waitFor(
        async () => {
          const now = await Promise.all(ingesters.map((i) => ingesterMetrics(i)));
          decided = now;
          const all = sum(now);
          return all.kept + all.dropped >= traces.length && now.every((m) => (m.held ?? 0) === 0);
        },
        { timeoutMs: DECISION_WAIT_MS + 60_000, intervalMs: 200, description: `${traces.length} traces decided, none held` },
      ).catch(async (err) => {
        err.message += `; decisions ${JSON.stringify(decided)}\n${await diagnoseAll()}`;
        throw err;
      });
      const all = sum(decided);
      const facts = `decisions per ingester ${JSON.stringify(decided)}; sending took ${JSON.stringify(sendMs)} ms, decision_wait ${DECISION_WAIT_MS} ms`;
      // A trace read in part by each ingester, or a tenant's spans mixed
      // into another's sampler, would not add up.
      assert.equal(all.kept + all.dropped, traces.length, `every trace of each tenant decided once, by one ingester; ${facts}`);
      assert.equal(all.kept, kept.length, `traces_total{decision="kept"} over the ingesters: the kept traces of both tenants; ${facts}`);
      assert.equal(all.dropped, traces.length - kept.length, `traces_total{decision="dropped"}; ${facts}`);
      assert.equal(all.errors, traces.filter((t) => t.error).length, `policy_kept_total{policy="errors"}; ${facts}`);
      assert.equal(all.slow, traces.filter((t) => t.slow).length, `policy_kept_total{policy="slow"}; ${facts}`);
      assert.equal(all.late, 0, `no span came after its trace's decision; ${facts}`);
      assert.equal(all.early, 0, 'none decided early');
      assert.equal(all.lost, 0, 'spans_lost_total');
      for (const [n, d] of decided.entries()) {
        assert.ok(d.kept + d.dropped > 0, `ingester ${n} decided some traces; ${facts}`);
      }
      assert.deepEqual(await owned(ingesters), [2, 2], 'the partitions stayed where they were');

      // spoor_tail_sampling_traces_held: a series per tenant (tenant="..."),
      // of the tenants each ingester has seen, all 0.
      const held = await Promise.all(ingesters.map((i) => heldSeries(i)));
      for (const [n, series] of held.entries()) {
        for (const s of series) {
          assert.ok(TENANTS.includes(s.labels.tenant), `ingester ${n}: a held series of acme or beta: ${JSON.stringify(series)}`);
          assert.equal(s.value, 0, `ingester ${n}: nothing held: ${JSON.stringify(series)}`);
        }
      }
      const heldTenants = [...new Set(held.flat().map((s) => s.labels.tenant))].sort();
      assert.deepEqual(heldTenants, TENANTS, `a sampler of each tenant held traces: ${JSON.stringify(held)}`);

      // Written, then asked through the query node as each tenant.
      const keptSpans = spansOf(kept);
      let stored;
      await waitFor(
        async () => {
          stored = sum(await Promise.all(ingesters.map((i) => ingesterMetrics(i)))).stored;
          return stored >= keptSpans;
        },
        { timeoutMs: 60_000, intervalMs: 200, description: `${keptSpans} spans stored` },
      ).catch(async (err) => {
        err.message += `; stored ${stored}\n${await diagnoseAll()}`;
        throw err;
      });
      assert.equal(stored, keptSpans, "spoor_spans_stored_total over the ingesters: the spans of both tenants' kept traces, once");
      const wrong = await wrongStoredByTenant(tracesOf);
      assert.deepEqual(wrong, [], `${wrong.length} answers wrong through the query node\n${await diagnoseAll()}`);
    });
  },
);
