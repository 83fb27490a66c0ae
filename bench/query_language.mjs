// The query language's figures (`make bench-query`): --spans spans (default
// 10 M, tracegen's workload: traces of 10 spans over frontend, orders and
// payments, 11 attributes each) stored in the embedded store and in
// ClickHouse, then the latency of filtered searches through
// /api/v3/trace-summaries (query.filter, the last hour, 20 traces):
//   whole-trace duration  { traceDuration > 2s }         (no trace is that long: the worst case)
//   regex attribute       { span.attribute-key-7 =~ "value-1.*" }
//   descendant            { resource.service.name = "frontend" } >> { kind = client }
//                         (tracegen's spans have no parents: none matches, the worst case)
//   narrowed              { resource.service.name = "orders" && name = "operation-3" && kind = server }
// and the GetTrace of a 10,008-span trace over HTTP (/api/traces/{id}, Jaeger
// JSON), gRPC api_v3 (OTLP chunks of 1,000 spans) and gRPC api_v2 (Jaeger
// model, chunks of 10), each to the last byte received.
//
// Usage: node bench/query_language.mjs [--build=DIR] [--spans=N] [--queries=N]
//          [--backends=embedded,clickhouse] [--append=FILE]

import { appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, runTracegen } from './lib.mjs';
import { startClickHouse } from '../tests/lib/clickhouse.mjs';
import { request, sendTraces, span } from '../tests/lib/otlp.mjs';
import { PROTO_DIR, fetchJson, getMetrics, metric, nowNs, randomSpanId, randomTraceId, searchParams, startSpoor, tempDir, waitFor } from '../tests/lib/spoor.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
// The gRPC client is the tests' (tests/package.json).
const testsRequire = createRequire(path.join(ROOT, 'tests/package.json'));
const grpc = testsRequire('@grpc/grpc-js');
const protoLoader = testsRequire('@grpc/proto-loader');
const args = parseArgs(process.argv.slice(2));
const build = path.resolve(ROOT, args.build ?? 'build');
const spans = Number(args.spans ?? 10_000_000);
const queries = Number(args.queries ?? 20);
const backends = (args.backends ?? 'embedded,clickhouse').split(',');
const tracegenBin = path.join(build, 'tools/tracegen/tracegen');
process.env.SPOOR_BIN = path.join(build, 'src/spoor');

const FILTERS = [
  ['whole-trace duration', '{ traceDuration > 2s }'],
  ['regex attribute', '{ span.attribute-key-7 =~ "value-1.*" }'],
  ['descendant', '{ resource.service.name = "frontend" } >> { kind = client }'],
  ['narrowed', '{ resource.service.name = "orders" && name = "operation-3" && kind = server }'],
];

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function timedMs(fn) {
  const t0 = process.hrtime.bigint();
  const out = await fn();
  return [Number(process.hrtime.bigint() - t0) / 1e6, out];
}

async function filterFigures(spoor) {
  const rows = [];
  for (const [name, filter] of FILTERS) {
    const ms = [];
    let found = 0;
    for (let i = 0; i < queries; i++) {
      const now = Date.now();
      const url = `${spoor.baseUrls.query}/api/v3/trace-summaries?${searchParams({
        'query.filter': filter,
        'query.startTimeMin': new Date(now - 3600_000).toISOString(),
        'query.startTimeMax': new Date(now).toISOString(),
        'query.searchDepth': 20,
      })}`;
      const [t, res] = await timedMs(() => fetchJson(url, { timeoutMs: 120_000 }));
      if (res.status !== 200) throw new Error(`${filter}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
      ms.push(t);
      found = res.body.summaries.length;
    }
    rows.push({ name, filter, p50: percentile(ms, 50), p99: percentile(ms, 99), found });
  }
  return rows;
}

/** A trace of 10,008 spans (one root, 10,007 children), sent in requests of 1,000. */
async function sendBigTrace(spoor) {
  const traceId = randomTraceId();
  const root = randomSpanId();
  const t0 = nowNs() - 60_000_000_000n;
  for (let first = 0; first < 10_008; first += 1000) {
    const list = [];
    for (let i = first; i < Math.min(first + 1000, 10_008); i++) {
      list.push(span({ traceId, spanId: i === 0 ? root : randomSpanId(), parentSpanId: i === 0 ? undefined : root, name: i === 0 ? 'bulk' : `step-${i % 50}`,
        startNs: t0 + BigInt(i) * 1000n, endNs: t0 + BigInt(i) * 1000n + 500_000n, attributes: { step: i, 'http.method': 'GET' } }));
    }
    await sendTraces(spoor.baseUrls.otlpHttp, request([{ service: 'bulk', spans: list }]));
  }
  await waitFor(async () => (await fetchJson(`${spoor.baseUrls.query}/api/traces/${traceId}`, { timeoutMs: 60_000 })).body?.data?.[0]?.spans?.length === 10_008,
    { timeoutMs: 120_000, description: 'the 10,008-span trace stored' });
  return traceId;
}

function grpcGetTrace(address, version, traceId) {
  const file = version === 'v3' ? 'jaeger/api_v3/query_service.proto' : 'jaeger/api_v2/query.proto';
  const def = protoLoader.loadSync(file, { includeDirs: [PROTO_DIR], longs: String, defaults: true });
  const pkg = grpc.loadPackageDefinition(def).jaeger[version === 'v3' ? 'api_v3' : 'api_v2'];
  const client = new pkg.QueryService(address, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': 64 << 20 });
  const req = version === 'v3' ? { traceId } : { traceId: Buffer.from(traceId, 'hex') };
  return new Promise((resolve, reject) => {
    let spans = 0;
    const call = client.GetTrace(req);
    call.on('data', (d) => {
      spans += version === 'v3' ? d.resourceSpans.reduce((n, rs) => n + rs.scopeSpans.reduce((m, ss) => m + ss.spans.length, 0), 0) : d.spans.length;
    });
    call.on('error', (e) => (client.close(), reject(e)));
    call.on('end', () => (client.close(), resolve(spans)));
  });
}

async function getTraceFigures(spoor) {
  const traceId = await sendBigTrace(spoor);
  const rows = [];
  const ways = [
    ['HTTP /api/traces/{id} (Jaeger JSON)', async () => (await fetchJson(`${spoor.baseUrls.query}/api/traces/${traceId}`, { timeoutMs: 60_000 })).body.data[0].spans.length],
    ['gRPC api_v3 GetTrace (OTLP, chunks of 1,000)', () => grpcGetTrace(spoor.queryGrpcAddress, 'v3', traceId)],
    ['gRPC api_v2 GetTrace (Jaeger model, chunks of 10)', () => grpcGetTrace(spoor.queryGrpcAddress, 'v2', traceId)],
  ];
  for (const [name, fn] of ways) {
    const ms = [];
    for (let i = 0; i < Math.max(5, Math.min(queries, 20)); i++) {
      const [t, n] = await timedMs(fn);
      if (n !== 10_008) throw new Error(`${name}: ${n} spans`);
      ms.push(t);
    }
    rows.push({ name, p50: percentile(ms, 50), p99: percentile(ms, 99) });
  }
  return rows;
}

async function run(backend) {
  let clickhouse;
  const flags = ['--collector.queue-size=2000000', '--log-level=warn'];
  let storage;
  if (backend === 'clickhouse') {
    clickhouse = await startClickHouse({ dir: tempDir('spoor-bench-ql-ch-') });
    storage = { type: 'clickhouse', flags: [`--clickhouse.servers=${clickhouse.servers}`, '--clickhouse.database=bench'] };
  } else {
    storage = { type: 'embedded', flags: [`--embedded.directory=${tempDir('spoor-bench-ql-')}`] };
  }
  const spoor = await startSpoor({ flags, storage });
  try {
    const t0 = Date.now();
    const gen = await runTracegen(tracegenBin, ['--protocol=otlp-grpc', `--endpoint=127.0.0.1:${spoor.ports.grpc}`, `--count=${spans}`, '--connections=2', '--seed=7']);
    await waitFor(async () => {
      const text = await getMetrics(spoor);
      return (metric(text, 'spoor_spans_stored_total') ?? metric(text, 'spoor_clickhouse_spans_inserted_total') ?? 0) >= gen.acked;
    }, { timeoutMs: 1_200_000, intervalMs: 500, description: 'every accepted span stored' });
    console.log(`${backend}: ${gen.acked} spans stored in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    return { backend, stored: gen.acked, filters: await filterFigures(spoor), getTrace: await getTraceFigures(spoor) };
  } finally {
    await spoor.stop();
    await clickhouse?.stop();
  }
}

const results = [];
for (const backend of backends) results.push(await run(backend));
let table = `\n### Query language and GetTrace (${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} CPUs, ${os.cpus()[0].model})\n\n`;
table += '| backend | spans stored | query | p50 ms | p99 ms | traces found |\n| --- | --- | --- | --- | --- | --- |\n';
for (const r of results) {
  for (const f of r.filters) table += `| ${r.backend} | ${r.stored} | ${f.name}: \`${f.filter}\` | ${f.p50.toFixed(0)} | ${f.p99.toFixed(0)} | ${f.found} |\n`;
}
table += '\n| backend | GetTrace of 10,008 spans | p50 ms | p99 ms |\n| --- | --- | --- | --- |\n';
for (const r of results) for (const g of r.getTrace) table += `| ${r.backend} | ${g.name} | ${g.p50.toFixed(0)} | ${g.p99.toFixed(0)} |\n`;
console.log(table);
if (args.append) appendFileSync(path.resolve(ROOT, args.append), table);
