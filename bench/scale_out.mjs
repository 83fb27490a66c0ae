// The scale-out topology's figures (`make bench-scale-out`): collectors
// publishing to NATS JetStream, ingesters writing from the stream to
// ClickHouse (docs/deployment.md, topology (c)). A nats-server with
// JetStream and one ClickHouse server (Debian's, as in bench/clickhouse.mjs)
// are started here on free loopback ports, with their stores in temporary
// directories; tools/tracegen sends over OTLP/gRPC.
//
// 1. Collector into NATS: one collector, no ingester running (so the
//    collector's work is all that is counted), tracegen at full speed for
//    --seconds. Spans accepted per collector CPU-second (the goal is
//    500,000), the NATS server's CPU per span, the bytes per span in the
//    stream and on the wire, JetStream's publish acknowledgement latency.
// 2. Draining the stream into ClickHouse: the stream filled by (1) is
//    drained by one ingester started afterwards. Spans stored per ingester
//    CPU-second and per ClickHouse CPU-second, and how long the drain took.
// 3., 4. Steady load: tracegen at --rate spans/s for --steady-seconds
//    through the collector with one ingester running (3), then with two
//    (4). The ingesters' delay (spoor_ingester_delay_seconds: a batch
//    entering the stream to its spans being stored; p50/p99 estimated from
//    the histogram buckets, as Prometheus' histogram_quantile does), the
//    messages waiting in the stream (sampled every second), and the
//    ingesters' CPU per span (the sum over the ingesters), which should not
//    grow with two.
// 5. Idle: every process's CPU-seconds per second with no load and the
//    stream empty (a role that costs CPU while idle inflates the per-span
//    figures above at low rates).
//
// CPU time is user + system from /proc/PID/stat, taken just before and
// after each measurement. tracegen runs on the same machine and takes CPU
// of its own, so spans per second (wall) are lower than the roles alone
// would reach; the spans per CPU-second are each process's own. The table is
// printed and, with --append, appended to that file. The exit status is
// non-zero only when something failed to run, not when a goal is missed.
//
// Usage: node bench/scale_out.mjs [--build=DIR] [--seconds=N] [--rate=N]
//          [--steady-seconds=N] [--connections=N] [--parallelism=N]
//          [--fetch-batch=N] [--batch-size=N] [--batch-linger=D]
//          [--perf=FILE] [--quick] [--append=FILE]
//   --quick   a short smoke run (3 s at full speed, 5 s per steady run)
//   --perf    record the collector with `perf record -g` during (1) into
//             FILE (the CPU figures of that run then include perf's cost)

import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds, parseArgs, runTracegen as runTracegenWith } from './lib.mjs';
import { startClickHouse } from '../tests/lib/clickhouse.mjs';
import { NATS_BIN, startNats, streamStates } from '../tests/lib/nats.mjs';
import { fetchJson, getMetrics, metric, parseMetrics, sleep, startSpoor, tempDir, waitFor } from '../tests/lib/spoor.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const args = parseArgs(process.argv.slice(2));
const quick = args.quick === 'true';
const build = path.resolve(ROOT, args.build ?? 'build');
const seconds = Number(args.seconds ?? (quick ? 3 : 15));
const steadySeconds = Number(args['steady-seconds'] ?? (quick ? 5 : 30));
const rate = Number(args.rate ?? 20000);
const connections = Number(args.connections ?? 2);
const parallelism = Number(args.parallelism ?? 2);
const fetchBatch = Number(args['fetch-batch'] ?? 64);
const batchSize = Number(args['batch-size'] ?? 10000);
const batchLinger = args['batch-linger'] ?? '200ms';
const perfFile = args.perf ? path.resolve(args.perf) : null;
const GOAL = 500_000; // spans per collector CPU-second into NATS
// The stream must hold all of (1) until (2) drains it; JetStream's own limit
// (max_file_store) defaults to most of the free disk.
const MAX_BYTES = '16GiB';
const STREAM = 'spoor-spans';
const DATABASE = 'bench';
const tracegenBin = path.join(build, 'tools/tracegen/tracegen');
process.env.SPOOR_BIN = path.join(build, 'src/spoor');

// ---------------------------------------------------------------------------
// Processes started here, stopped in reverse order at the end, on an error
// and on SIGINT/SIGTERM. (tests/lib kills spoor and nats-server children
// when this process exits anyway; ClickHouse and perf are killed below.)

const cleanups = [];
const children = new Set();
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

let cleaning = null;
function cleanup() {
  cleaning ??= (async () => {
    while (cleanups.length > 0) {
      const stop = cleanups.pop();
      try {
        await stop();
      } catch (err) {
        console.error(`while stopping: ${err.message}`);
      }
    }
  })();
  return cleaning;
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    interrupted = true;
    console.error(`\n${signal}: stopping everything started here`);
    await cleanup();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

// ---------------------------------------------------------------------------
// Figures from /metrics

/** Cumulative bucket counts of histogram `name` (le -> count), summed over every text. */
function histogram(texts, name) {
  const buckets = new Map();
  for (const text of texts) {
    for (const s of parseMetrics(text)) {
      if (s.name !== `${name}_bucket`) continue;
      const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
      buckets.set(le, (buckets.get(le) ?? 0) + s.value);
    }
  }
  return buckets;
}

function histogramDelta(after, before) {
  return new Map([...after].map(([le, n]) => [le, n - (before.get(le) ?? 0)]));
}

/**
 * The q-quantile of a histogram, interpolated linearly inside the bucket it
 * falls in (Prometheus' histogram_quantile). {value, above} where `above`
 * means it lies beyond the last finite bucket (value is that bound); null
 * when the histogram is empty.
 */
function quantile(buckets, q) {
  const bounds = [...buckets.keys()].sort((a, b) => a - b);
  const total = buckets.get(Infinity) ?? Math.max(0, ...buckets.values());
  if (!total) return null;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const le of bounds) {
    const count = buckets.get(le);
    if (count >= rank) {
      if (le === Infinity) return { value: lower, above: true };
      return { value: lower + ((le - lower) * (rank - below)) / Math.max(1, count - below), above: false };
    }
    lower = le;
    below = count;
  }
  return { value: lower, above: true };
}

const m = (text, name, labels) => metric(text, name, labels) ?? 0;
const stored = (text) => m(text, 'spoor_spans_stored_total', { storage: 'clickhouse' });
const sum = (values) => values.reduce((a, b) => a + b, 0);

async function streamState() {
  const s = (await streamStates(nats.monitorPort)).find((x) => x.stream === STREAM);
  if (!s) return { messages: 0, bytes: 0, pending: 0, ackPending: 0 };
  const c = s.consumers[0] ?? { numPending: 0, numAckPending: 0 };
  return { messages: s.messages, bytes: s.bytes, pending: c.numPending, ackPending: c.numAckPending };
}

/** Calls fn() every intervalMs until stop(); keeps what it returned. */
function sampler(fn, intervalMs = 1000) {
  const samples = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        samples.push(await fn());
      } catch {}
      await sleep(intervalMs);
    }
  })();
  return {
    samples,
    async stop() {
      running = false;
      await loop;
      return samples;
    },
  };
}

// ---------------------------------------------------------------------------
// The roles

let nats;
let clickhouse;
const everyRole = []; // [{name, spoor}] for the log check at the end

function tracegen(collector, extra, seed) {
  return runTracegenWith(tracegenBin, [
    '--protocol=otlp-grpc',
    `--endpoint=${collector.grpcAddress}`,
    `--connections=${connections}`,
    `--seed=${seed}`,
    ...extra,
  ]);
}

async function startRole(name, options) {
  const spoor = await startSpoor(options);
  everyRole.push({ name, spoor });
  cleanups.push(async () => {
    const code = await spoor.stop();
    if (code !== 0) console.error(`${name} exited with ${code}`);
  });
  return spoor;
}

const natsFlags = () => [`--nats.url=${nats.url}`, `--nats.max-bytes=${MAX_BYTES}`, '--log-level=warn'];

function startCollector() {
  return startRole('collector', {
    subcommand: 'collector',
    storage: 'none',
    flags: ['--buffer.type=nats', ...natsFlags()],
  });
}

let ingesters = 0;
function startIngester() {
  return startRole(`ingester ${++ingesters}`, {
    subcommand: 'ingester',
    storage: {
      type: 'clickhouse',
      flags: [
        `--clickhouse.servers=${clickhouse.servers}`,
        `--clickhouse.database=${DATABASE}`,
        `--clickhouse.batch-size=${batchSize}`,
        `--clickhouse.batch-linger=${batchLinger}`,
      ],
    },
    flags: [...natsFlags(), `--ingester.parallelism=${parallelism}`, `--nats.fetch-batch=${fetchBatch}`],
  });
}

/** `perf record -g` on `pid` until the returned stop() is called. */
function startPerf(pid) {
  const child = spawn('perf', ['record', '-e', 'cpu-clock', '-F', '999', '-g', '-p', String(pid), '-o', perfFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(child);
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise((resolve) => child.once('close', resolve));
  child.once('error', (e) => (err += e.message));
  return async () => {
    if (child.exitCode === null) child.kill('SIGINT');
    await exited;
    children.delete(child);
    if (!/Captured and wrote/.test(err)) console.error(`perf record: ${err.trim()}`);
  };
}

// ---------------------------------------------------------------------------
// 1. Collector into NATS, no ingester running

async function collectorIntoNats(collector) {
  await sleep(500);
  const before = await getMetrics(collector);
  const stream0 = await streamState();
  const cpu0 = cpuSeconds(collector.proc.pid);
  const natsCpu0 = cpuSeconds(nats.pid);
  const t0 = Date.now();
  const stopPerf = perfFile ? startPerf(collector.proc.pid) : null;
  let gen;
  try {
    gen = await tracegen(collector, [`--duration=${seconds}s`], 1);
  } finally {
    if (stopPerf) await stopPerf();
  }
  // The collector answers only once JetStream acknowledged: what tracegen
  // saw acknowledged is in the stream now.
  const wall = (Date.now() - t0) / 1000;
  const cpu = cpuSeconds(collector.proc.pid) - cpu0;
  const natsCpu = cpuSeconds(nats.pid) - natsCpu0;
  const after = await getMetrics(collector);
  const stream = await streamState();
  const delta = (name) => m(after, name) - m(before, name);
  const accepted = delta('spoor_spans_accepted_total');
  const publish = histogramDelta(histogram([after], 'spoor_nats_publish_seconds'), histogram([before], 'spoor_nats_publish_seconds'));
  return {
    sent: gen.sent,
    acked: gen.acked,
    failed: gen.failed,
    accepted,
    refused: delta('spoor_spans_refused_total'),
    publishFailures: delta('spoor_nats_publish_failures_total'),
    publishRetries: delta('spoor_nats_publish_retries_total'),
    messages: delta('spoor_nats_published_messages_total'),
    publishedBytes: delta('spoor_nats_published_bytes_total'),
    streamMessages: stream.messages - stream0.messages,
    streamBytes: stream.bytes - stream0.bytes,
    publishP50: quantile(publish, 0.5),
    publishP99: quantile(publish, 0.99),
    wall,
    cpu,
    natsCpu,
  };
}

// ---------------------------------------------------------------------------
// 2. Draining the filled stream with one ingester

async function drain(expectedSpans) {
  const stream0 = await streamState();
  const chCpu0 = cpuSeconds(clickhouse.pid);
  const natsCpu0 = cpuSeconds(nats.pid);
  const t0 = Date.now();
  const ingester = await startIngester();
  let text = '';
  await waitFor(
    async () => {
      text = await getMetrics(ingester);
      return stored(text) >= expectedSpans;
    },
    { timeoutMs: 1_800_000, intervalMs: 100, description: `${expectedSpans} spans from the stream to be stored` },
  );
  const wall = (Date.now() - t0) / 1000;
  // The ingester's whole life: startup (connecting, creating the schema) is
  // a few milliseconds of it.
  const cpu = cpuSeconds(ingester.proc.pid);
  const chCpu = cpuSeconds(clickhouse.pid) - chCpu0;
  const natsCpu = cpuSeconds(nats.pid) - natsCpu0;
  // Acknowledgements are sent after the write: wait for the stream to empty.
  const stream = await waitFor(
    async () => {
      const s = await streamState();
      return s.messages === 0 ? s : null;
    },
    { timeoutMs: 60_000, intervalMs: 100, description: 'the stream to be empty after the drain' },
  );
  text = await getMetrics(ingester);
  return {
    ingester,
    messages: stream0.messages,
    spans: stored(text),
    left: stream.messages,
    wall,
    cpu,
    chCpu,
    natsCpu,
    redelivered: m(text, 'spoor_ingester_messages_redelivered_total'),
    writeFailures: m(text, 'spoor_ingester_write_failures_total'),
    insertFailures: m(text, 'spoor_clickhouse_insert_failures_total'),
  };
}

// ---------------------------------------------------------------------------
// 3./4. Steady load through the collector with the given ingesters

async function steady(collector, ingesterList, seed) {
  await sleep(1000);
  const texts0 = await Promise.all(ingesterList.map(getMetrics));
  const collector0 = await getMetrics(collector);
  const cpu0 = ingesterList.map((i) => cpuSeconds(i.proc.pid));
  const collectorCpu0 = cpuSeconds(collector.proc.pid);
  const chCpu0 = cpuSeconds(clickhouse.pid);
  const natsCpu0 = cpuSeconds(nats.pid);
  const stored0 = sum(texts0.map(stored));
  const sampling = sampler(streamState);
  let gen, collector1, collectorCpu, accepted, cpu, chCpu, natsCpu;
  let texts = [];
  try {
    gen = await tracegen(collector, [`--rate=${rate}`, `--duration=${steadySeconds}s`], seed);
    collector1 = await getMetrics(collector);
    collectorCpu = cpuSeconds(collector.proc.pid) - collectorCpu0;
    accepted = m(collector1, 'spoor_spans_accepted_total') - m(collector0, 'spoor_spans_accepted_total');
    await waitFor(
      async () => {
        texts = await Promise.all(ingesterList.map(getMetrics));
        return sum(texts.map(stored)) - stored0 >= accepted;
      },
      { timeoutMs: 600_000, intervalMs: 100, description: 'every accepted span to be stored' },
    );
    cpu = sum(ingesterList.map((i, n) => cpuSeconds(i.proc.pid) - cpu0[n]));
    chCpu = cpuSeconds(clickhouse.pid) - chCpu0;
    natsCpu = cpuSeconds(nats.pid) - natsCpu0;
  } finally {
    await sampling.stop();
  }
  const samples = sampling.samples;
  const delay = histogramDelta(histogram(texts, 'spoor_ingester_delay_seconds'), histogram(texts0, 'spoor_ingester_delay_seconds'));
  const fetches = delay.get(Infinity) ?? 0;
  const counter = (name) => sum(texts.map((t) => m(t, name))) - sum(texts0.map((t) => m(t, name)));
  const inStream = samples.map((s) => s.messages);
  return {
    ingesters: ingesterList.length,
    sent: gen.sent,
    failed: gen.failed,
    accepted,
    refused: m(collector1, 'spoor_spans_refused_total') - m(collector0, 'spoor_spans_refused_total'),
    spans: sum(texts.map(stored)) - stored0,
    perIngester: texts.map((t, n) => stored(t) - stored(texts0[n])),
    cpu,
    collectorCpu,
    chCpu,
    natsCpu,
    fetches,
    delayP50: quantile(delay, 0.5),
    delayP99: quantile(delay, 0.99),
    streamMean: inStream.length ? sum(inStream) / inStream.length : null,
    streamMax: inStream.length ? Math.max(...inStream) : null,
    samples: inStream.length,
    redelivered: counter('spoor_ingester_messages_redelivered_total'),
    writeFailures: counter('spoor_ingester_write_failures_total'),
    insertFailures: counter('spoor_clickhouse_insert_failures_total'),
  };
}

// ---------------------------------------------------------------------------
// Idle: no load, the stream empty. Each process's CPU-seconds per second.

async function idle(processes, secs) {
  await sleep(1000);
  const cpu0 = processes.map(([, pid]) => cpuSeconds(pid));
  const t0 = Date.now();
  await sleep(secs * 1000);
  const wall = (Date.now() - t0) / 1000;
  return processes.map(([name, pid], n) => ({ name, share: (cpuSeconds(pid) - cpu0[n]) / wall }));
}

// ---------------------------------------------------------------------------

const fmt = (n, digits = 0) =>
  n === null || n === undefined || Number.isNaN(n) ? '—' : Number(n).toLocaleString('en-US', { maximumFractionDigits: digits });
const us = (cpu, spans) => fmt((cpu * 1e6) / spans, 2);
const ms = (q) => (q === null ? '—' : `${q.above ? '> ' : ''}${fmt(q.value * 1000, q.value < 0.01 ? 2 : 1)}`);

function version(cmd, argv, re) {
  try {
    const out = execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    return (re.exec(out) ?? [])[1] ?? out.trim();
  } catch {
    return 'unknown';
  }
}

async function main() {
  nats = await startNats({ dir: tempDir('spoor-bench-nats-') });
  cleanups.push(() => nats.stop());
  clickhouse = await startClickHouse({ dir: tempDir('spoor-bench-ch-') });
  children.add(clickhouse.child);
  cleanups.push(() => clickhouse.stop());

  const collector = await startCollector();
  console.error(`1. collector into NATS: tracegen at full speed for ${seconds} s, no ingester running`);
  const intoNats = await collectorIntoNats(collector);
  console.error(`   ${fmt(intoNats.accepted)} spans accepted, ${fmt(intoNats.accepted / intoNats.cpu)} per collector CPU-s`);

  console.error(`2. one ingester drains the ${fmt(intoNats.streamMessages)} messages into ClickHouse`);
  const drained = await drain(intoNats.accepted);
  console.error(`   ${fmt(drained.spans)} spans in ${fmt(drained.wall, 1)} s, ${fmt(drained.spans / drained.cpu)} per ingester CPU-s`);

  const runs = [];
  console.error(`3. steady load, ${fmt(rate)} spans/s for ${steadySeconds} s, 1 ingester`);
  runs.push(await steady(collector, [drained.ingester], 2));
  console.error(`4. steady load, ${fmt(rate)} spans/s for ${steadySeconds} s, 2 ingesters`);
  const second = await startIngester();
  runs.push(await steady(collector, [drained.ingester, second], 3));
  const idleSeconds = quick ? 3 : 10;
  console.error(`5. idle for ${idleSeconds} s`);
  const idled = await idle(
    [
      ['collector', collector.proc.pid],
      ['ingester 1', drained.ingester.proc.pid],
      ['ingester 2', second.proc.pid],
      ['nats-server', nats.pid],
      ['ClickHouse', clickhouse.pid],
    ],
    idleSeconds,
  );

  // Every stored span is readable: ClickHouse's rows, and the query role
  // over the same database.
  const rows = Number((await clickhouse.query(`SELECT count() FROM ${DATABASE}.span_index`)).trim());
  const query = await startRole('query', {
    subcommand: 'query',
    storage: { type: 'clickhouse', flags: [`--clickhouse.servers=${clickhouse.servers}`, `--clickhouse.database=${DATABASE}`] },
    flags: ['--log-level=warn'],
  });
  const services = (await fetchJson(`${query.baseUrls.query}/api/services`)).body?.data ?? [];
  const chVersion = (await clickhouse.query('SELECT version()')).trim();

  const cpuModel = (/model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8')) ?? [])[1] ?? 'unknown';
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
  } catch {}
  const natsVersion = version(NATS_BIN, ['--version'], /v([\d.]+)/);
  const [one, two] = runs;
  const perSpan = (r) => r.cpu / r.spans;
  const growth = perSpan(two) / perSpan(one);
  const n = intoNats;
  const lines = [
    '',
    `### Scale-out: collector → NATS JetStream → ingester → ClickHouse, ${new Date().toISOString().slice(0, 10)}${quick ? ' (quick run)' : ''}`,
    '',
    `Machine: nproc ${os.cpus().length}, ${cpuModel}; commit ${commit}; nats-server ${natsVersion} (JetStream, file storage) and ClickHouse ${chVersion} on the same machine; tracegen over OTLP/gRPC, ${connections} connections, 100 spans per request; ingesters with --ingester.parallelism=${parallelism} --nats.fetch-batch=${fetchBatch} --clickhouse.batch-size=${batchSize} --clickhouse.batch-linger=${batchLinger}.`,
    '',
    `Collector into NATS, no ingester running, tracegen at full speed for ${seconds} s:`,
    '',
    `| spans accepted | spans/s (wall) | collector CPU s | spans per collector CPU-s (goal ≥ ${fmt(GOAL)}) | NATS server CPU µs per span | stream B/span (published B/span) | spans per message | publish ack p50 / p99 ms |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    `| ${fmt(n.accepted)} | ${fmt(n.accepted / n.wall)} | ${fmt(n.cpu, 2)} | ${fmt(n.accepted / n.cpu)} | ${us(n.natsCpu, n.accepted)} | ${fmt(n.streamBytes / n.accepted, 1)} (${fmt(n.publishedBytes / n.accepted, 1)}) | ${fmt(n.accepted / n.messages, 1)} | ${ms(n.publishP50)} / ${ms(n.publishP99)} |`,
    '',
    'The stream filled above, drained into ClickHouse by one ingester started afterwards:',
    '',
    '| spans | wall s | spans/s (wall) | ingester CPU s | spans per ingester CPU-s | spans per ClickHouse CPU-s | NATS server CPU µs per span |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    `| ${fmt(drained.spans)} | ${fmt(drained.wall, 1)} | ${fmt(drained.spans / drained.wall)} | ${fmt(drained.cpu, 2)} | ${fmt(drained.spans / drained.cpu)} | ${fmt(drained.spans / drained.chCpu)} | ${us(drained.natsCpu, drained.spans)} |`,
    '',
    `Steady load, tracegen at ${fmt(rate)} spans/s for ${steadySeconds} s through one collector; CPU from the start of the load until every accepted span was stored; delay = spoor_ingester_delay_seconds (the oldest message of each fetch), p50 / p99 from its buckets; stream = messages in the stream, sampled every second:`,
    '',
    '| ingesters | spans stored | ingester CPU µs per span (all ingesters) | spans per ingester CPU-s | ClickHouse CPU µs per span | NATS server CPU µs per span | collector spans per CPU-s | fetches | delay p50 / p99 ms | stream mean / max messages |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...runs.map(
      (r) =>
        `| ${r.ingesters} | ${fmt(r.spans)}${r.ingesters > 1 ? ` (${r.perIngester.map((x) => fmt(x)).join(' + ')})` : ''} | ${us(r.cpu, r.spans)} | ${fmt(r.spans / r.cpu)} | ${us(r.chCpu, r.spans)} | ${us(r.natsCpu, r.spans)} | ${fmt(r.accepted / r.collectorCpu)} | ${fmt(r.fetches)} | ${ms(r.delayP50)} / ${ms(r.delayP99)} | ${fmt(r.streamMean, 1)} / ${fmt(r.streamMax)} |`,
    ),
    '',
    `Ingester CPU per span with two ingesters against one: ${fmt(growth, 2)}×.`,
    '',
    `Idle afterwards (no load, stream empty, ${idleSeconds} s), CPU-seconds per second: ${idled.map((x) => `${x.name} ${fmt(x.share, 2)}`).join(', ')}.`,
    '',
  ];
  const table = lines.join('\n');
  console.log(table);

  // What else the run showed (not part of the table).
  const notes = [];
  if (n.accepted / n.cpu < GOAL)
    notes.push(`collector into NATS: ${fmt(n.accepted / n.cpu)} spans per CPU-s, below the goal of ${fmt(GOAL)}`);
  if (n.failed || n.refused || n.publishFailures || n.publishRetries)
    notes.push(
      `collector into NATS: tracegen failed ${n.failed}, refused spans ${n.refused}, publish failures ${n.publishFailures}, retries ${n.publishRetries}`,
    );
  if (n.acked !== n.accepted)
    notes.push(`collector into NATS: tracegen saw ${fmt(n.acked)} spans acknowledged, the collector counted ${fmt(n.accepted)} accepted`);
  if (n.messages !== n.streamMessages)
    notes.push(`collector into NATS: ${fmt(n.messages)} messages published, the stream grew by ${fmt(n.streamMessages)}`);
  if (drained.spans !== n.accepted) notes.push(`drain: ${fmt(drained.spans)} spans stored of ${fmt(n.accepted)} in the stream`);
  if (drained.redelivered || drained.writeFailures || drained.insertFailures)
    notes.push(
      `drain: ${drained.redelivered} redelivered, ${drained.writeFailures} failed writes, ${drained.insertFailures} failed inserts`,
    );
  for (const r of runs) {
    if (r.failed || r.refused) notes.push(`steady, ${r.ingesters} ingester(s): tracegen failed ${r.failed}, refused spans ${r.refused}`);
    if (r.redelivered || r.writeFailures || r.insertFailures)
      notes.push(
        `steady, ${r.ingesters} ingester(s): ${r.redelivered} redelivered, ${r.writeFailures} failed writes, ${r.insertFailures} failed inserts`,
      );
    if (r.spans !== r.accepted)
      notes.push(`steady, ${r.ingesters} ingester(s): ${fmt(r.spans)} spans stored of ${fmt(r.accepted)} accepted`);
    if (r.sent < rate * steadySeconds * 0.95)
      notes.push(`steady, ${r.ingesters} ingester(s): tracegen sent ${fmt(r.sent)}, short of ${fmt(rate * steadySeconds)}`);
  }
  for (const x of idled)
    if (x.name.startsWith('ingester') && x.share > 0.05) notes.push(`${x.name} uses ${fmt(x.share * 100)}% of a core while idle`);
  if (growth > 1.05) notes.push(`ingester CPU per span grew ${fmt((growth - 1) * 100)}% with two ingesters`);
  const total = n.accepted + sum(runs.map((r) => r.accepted));
  if (rows !== total) notes.push(`ClickHouse holds ${fmt(rows)} span rows, ${fmt(total)} spans were accepted`);
  if (services.length === 0) notes.push('the query node lists no services');
  for (const { name, spoor } of everyRole) {
    const logged = spoor.logs.split('\n').filter((l) => l.trim());
    if (logged.length)
      notes.push(`${name} logged ${logged.length} line(s) at warn or above, e.g.:\n    ${logged.slice(0, 5).join('\n    ')}`);
  }
  console.log(notes.length ? `Notes:\n- ${notes.join('\n- ')}` : 'Notes: none (nothing refused, redelivered or logged).');
  console.log(`Query node: ${services.length} services listed (${services.join(', ')}); ClickHouse holds ${fmt(rows)} span rows.`);
  if (args.append) appendFileSync(path.resolve(ROOT, args.append), table);
}

try {
  await main();
} catch (err) {
  // After a signal the processes are going away under the run: not worth a trace.
  if (!interrupted) console.error(err.stack ?? String(err));
  process.exitCode = 1;
} finally {
  await cleanup();
}
