// The ClickHouse backend's figures (`make bench-clickhouse`): a local
// ClickHouse server (Debian's 18.16, started here on free loopback ports)
// and spoor in front of it, loaded by tools/tracegen over OTLP/gRPC.
//
// Two runs, one per server compression method:
//   zstd: --spans spans (default 10 M) written, then the query latencies
//         through spoor's HTTP API (trace by ID, service + operation over
//         1 h, service + one attribute over 1 h);
//   lz4 (ClickHouse's default): --lz4-spans spans (default 2 M) written.
// For each: spans stored per spoor CPU-second and per ClickHouse server
// CPU-second (user + system time from /proc over the ingest, until every
// accepted span is inserted), and bytes per span on disk (system.parts,
// after OPTIMIZE ... FINAL so that the figure does not depend on how far
// background merges got). The table is printed and appended to --append.
//
// Usage: node bench/clickhouse.mjs [--build=DIR] [--spans=N] [--lz4-spans=N]
//          [--queries=N] [--connections=N] [--batch-size=N] [--append=FILE]

import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds, parseArgs, runTracegen as runTracegenWith } from './lib.mjs';
import { startClickHouse } from '../tests/lib/clickhouse.mjs';
import { fetchJson, getMetrics, metric, sleep, startSpoor, tempDir, waitFor } from '../tests/lib/spoor.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const args = parseArgs(process.argv.slice(2));
const build = path.resolve(ROOT, args.build ?? 'build');
const zstdSpans = Number(args.spans ?? 10_000_000);
const lz4Spans = Number(args['lz4-spans'] ?? 2_000_000);
const queries = Number(args.queries ?? 200);
const connections = Number(args.connections ?? 2);
const batchSize = Number(args['batch-size'] ?? 10000);
const tracegenBin = path.join(build, 'tools/tracegen/tracegen');
process.env.SPOOR_BIN = path.join(build, 'src/spoor');

const ZSTD_CONFIG = `<compression><case><min_part_size>0</min_part_size><min_part_size_ratio>0</min_part_size_ratio><method>zstd</method></case></compression>`;

function runTracegen(port, count) {
  return runTracegenWith(tracegenBin, [
    '--protocol=otlp-grpc',
    `--endpoint=127.0.0.1:${port}`,
    `--count=${count}`,
    `--connections=${connections}`,
    '--seed=1',
  ]);
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function timed(url) {
  const t0 = process.hrtime.bigint();
  const res = await fetchJson(url, { timeoutMs: 60_000 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
  return { ms, body: res.body };
}

async function latencies(name, urls) {
  const ms = [];
  let results = 0;
  for (const url of urls) {
    const r = await timed(url);
    ms.push(r.ms);
    results += r.body.data?.length ?? 0;
  }
  return { name, n: ms.length, p50: percentile(ms, 50), p99: percentile(ms, 99), results };
}

async function queryFigures(q) {
  const lookback = 'lookback=1h';
  // Trace IDs to read, from searches of each service.
  const services = (await fetchJson(`${q}/api/services`)).body.data;
  const ids = [];
  const ops = [];
  for (const service of services) {
    const found = (await fetchJson(`${q}/api/traces?service=${service}&${lookback}&limit=100`, { timeoutMs: 60_000 })).body.data;
    for (const t of found) ids.push(t.traceID);
    const operations = (await fetchJson(`${q}/api/services/${service}/operations`)).body.data;
    for (const op of operations.slice(0, 20)) ops.push([service, op]);
  }
  // One attribute value of a stored span, to search for.
  const sample = (await fetchJson(`${q}/api/traces/${ids[0]}?raw=true`)).body.data[0].spans.find((s) => s.tags.length > 0);
  const tag = sample.tags.find((t) => t.key.startsWith('attribute-key')) ?? sample.tags[0];
  const service = (await fetchJson(`${q}/api/traces/${ids[0]}?raw=true`)).body.data[0].processes[sample.processID].serviceName;
  const pick = (list, i) => list[i % list.length];
  const byId = Array.from({ length: queries }, (_, i) => `${q}/api/traces/${pick(ids, i * 7)}`);
  const byOp = Array.from({ length: Math.min(queries, 100) }, (_, i) => {
    const [s, op] = pick(ops, i);
    return `${q}/api/traces?service=${encodeURIComponent(s)}&operation=${encodeURIComponent(op)}&${lookback}&limit=20`;
  });
  const tags = encodeURIComponent(JSON.stringify({ [tag.key]: String(tag.value) }));
  const byTag = Array.from({ length: Math.min(queries, 50) }, () => `${q}/api/traces?service=${encodeURIComponent(service)}&tags=${tags}&${lookback}&limit=20`);
  return [
    await latencies('trace by ID', byId),
    await latencies('service + operation, 1 h, limit 20', byOp),
    await latencies(`service + one attribute (${tag.key}), 1 h, limit 20`, byTag),
  ];
}

async function run(method, spans, withQueries) {
  const chDir = tempDir(`spoor-bench-ch-${method}-`);
  const clickhouse = await startClickHouse({ dir: chDir, extraConfig: method === 'zstd' ? ZSTD_CONFIG : '' });
  const spoor = await startSpoor({
    flags: ['--collector.queue-size=2000000', '--log-level=warn'],
    storage: { type: 'clickhouse', flags: [`--clickhouse.servers=${clickhouse.servers}`, '--clickhouse.database=bench', '--clickhouse.batch-linger=200ms', `--clickhouse.batch-size=${batchSize}`] },
  });
  try {
    await sleep(300);
    const spoorCpu0 = cpuSeconds(spoor.proc.pid);
    const chCpu0 = cpuSeconds(clickhouse.pid);
    const t0 = Date.now();
    const gen = await runTracegen(spoor.ports.grpc, spans);
    let text = '';
    await waitFor(
      async () => {
        text = await getMetrics(spoor);
        return (metric(text, 'spoor_clickhouse_spans_inserted_total') ?? 0) >= gen.acked;
      },
      { timeoutMs: 600_000, intervalMs: 200, description: 'every accepted span to be inserted' },
    );
    const seconds = (Date.now() - t0) / 1000;
    const spoorCpu = cpuSeconds(spoor.proc.pid) - spoorCpu0;
    const chCpu = cpuSeconds(clickhouse.pid) - chCpu0;
    const inserted = metric(text, 'spoor_clickhouse_spans_inserted_total') ?? 0;
    const failures = metric(text, 'spoor_clickhouse_insert_failures_total') ?? 0;
    for (const table of ['spans', 'span_index', 'operations']) await clickhouse.query(`OPTIMIZE TABLE bench.${table} FINAL`);
    const perTable = Object.fromEntries(
      (await clickhouse.query("SELECT table, sum(bytes_on_disk) FROM system.parts WHERE active AND database = 'bench' GROUP BY table"))
        .trim()
        .split('\n')
        .map((line) => line.split('\t'))
        .map(([t, b]) => [t, Number(b)]),
    );
    const bytes = Object.values(perTable).reduce((a, b) => a + b, 0);
    const rows = Number((await clickhouse.query('SELECT count() FROM bench.span_index')).trim());
    const q = withQueries ? await queryFigures(spoor.baseUrls.query) : [];
    const version = (await clickhouse.query('SELECT version()')).trim();
    return { version, method, sent: gen.sent, failed: gen.failed, inserted, rows, failures, seconds, spoorCpu, chCpu, bytes, perTable, queries: q };
  } finally {
    await spoor.stop();
    await clickhouse.stop();
  }
}

const fmt = (n, digits = 0) => (n === null || n === undefined ? '—' : Number(n).toLocaleString('en-US', { maximumFractionDigits: digits }));

const results = [];
results.push(await run('zstd', zstdSpans, true));
if (lz4Spans > 0) results.push(await run('lz4', lz4Spans, false));

const cpuModel = (/model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8')) ?? [])[1] ?? 'unknown';
let commit = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
} catch {}
const lines = [
  '',
  `### ClickHouse backend, ${new Date().toISOString().slice(0, 10)}`,
  '',
  `Machine: nproc ${os.cpus().length}, ${cpuModel}; commit ${commit}; ClickHouse ${results[0].version} on the same machine; tracegen over OTLP/gRPC, ${connections} connections, 100 spans per request, as fast as accepted; spoor with --clickhouse.batch-linger=200ms --clickhouse.batch-size=${batchSize}.`,
  '',
  '| server compression | spans sent | inserted | spans per spoor CPU-s | spans per ClickHouse CPU-s | wall s | disk B/span (spans + index + operations) |',
  '| --- | --- | --- | --- | --- | --- | --- |',
  ...results.map(
    (r) =>
      `| ${r.method} | ${fmt(r.sent)} | ${fmt(r.inserted)} | ${fmt(r.inserted / r.spoorCpu)} | ${fmt(r.inserted / r.chCpu)} | ${fmt(r.seconds, 1)} | ${fmt(r.bytes / r.rows, 1)} (${fmt(r.perTable.spans / r.rows, 1)} + ${fmt(r.perTable.span_index / r.rows, 1)} + ${fmt((r.perTable.operations ?? 0) / r.rows, 2)}) |`,
  ),
  '',
  `Query latency through spoor's HTTP API with ${fmt(results[0].rows)} spans stored (zstd run), one request at a time:`,
  '',
  '| query | requests | p50 ms | p99 ms | traces returned (all requests) |',
  '| --- | --- | --- | --- | --- |',
  ...results[0].queries.map((x) => `| ${x.name} | ${x.n} | ${fmt(x.p50, 1)} | ${fmt(x.p99, 1)} | ${fmt(x.results)} |`),
  '',
];
const table = lines.join('\n');
console.log(table);
for (const r of results) if (r.failed || r.failures) console.log(`note (${r.method}): tracegen failed ${r.failed}, insert failures ${r.failures}`);
if (args.append) appendFileSync(path.resolve(ROOT, args.append), table);
