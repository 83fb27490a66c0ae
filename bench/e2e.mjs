// End-to-end ingest benchmark: starts spoor (memory, then embedded storage),
// drives tools/tracegen at full speed for a fixed time per protocol, and
// reports spans stored per CPU-second of the spoor process (user + system
// time from /proc), with the drops, the memory held per span (memory store)
// and the bytes per span on disk (embedded). A decode-only baseline — the
// same OTLP request bytes parsed by the protobuf library, and by spoor's
// decoder — comes from spoor_bench, and the table gives spoor's figure as a
// fraction of it. `make bench` runs this; see docs/performance.md.
//
// Usage: node bench/e2e.mjs [--build=DIR] [--seconds=N] [--connections=N]
//          [--protocols=a,b] [--storages=memory,embedded] [--udp-rate=N]
//          [--spoor-flags=--a=1,--b=2] [--tracegen-flags=--a,--b=2] [--append=FILE]
// --spoor-flags adds flags to every spoor run (for example
// --span-metrics.enabled=false, to measure what span metrics cost, or
// --config-file=bench/tail-sampling.yaml, what tail sampling costs: then
// compare received spans per CPU-second, since most are not stored).
// --tracegen-flags adds tracegen flags (--sampler-tags: roots tagged as a
// Jaeger client tags them, what adaptive sampling counts).

import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds, parseArgs, runTracegen as runTracegenWith } from './lib.mjs';
import { getMetrics, metric, sleep, startSpoor, tempDir, waitFor } from '../tests/lib/spoor.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');

const args = parseArgs(process.argv.slice(2));
const build = path.resolve(ROOT, args.build ?? 'build');
const seconds = Number(args.seconds ?? 10);
const connections = Number(args.connections ?? 2);
const protocols = (args.protocols ?? 'otlp-grpc,otlp-http,otlp-http-json,jaeger-udp,jaeger-http,zipkin').split(',');
const storages = (args.storages ?? 'memory,embedded').split(',');
// UDP has no back-pressure: at full speed the kernel drops datagrams, so
// the UDP run is paced (spans per second over all connections).
const udpRate = Number(args['udp-rate'] ?? 200000);
const extraFlags = args['spoor-flags'] ? String(args['spoor-flags']).split(',') : [];
const tracegenFlags = args['tracegen-flags'] ? String(args['tracegen-flags']).split(',') : [];
const spoorBin = path.join(build, 'src/spoor');
const tracegenBin = path.join(build, 'tools/tracegen/tracegen');
const benchBin = path.join(build, 'bench/spoor_bench');
process.env.SPOOR_BIN = spoorBin;


function rssBytes(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

function duBytes(dir) {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = statSync(p);
    total += st.isDirectory() ? duBytes(p) : st.blocks * 512;
  }
  return total;
}

function endpointFor(spoor, protocol) {
  const p = spoor.ports;
  return {
    'otlp-grpc': p.grpc,
    'otlp-http': p.otlpHttp,
    'otlp-http-json': p.otlpHttp,
    'jaeger-udp': p.jaegerCompact,
    'jaeger-http': p.jaegerHttp,
    zipkin: p.zipkin,
  }[protocol];
}

function runTracegen(protocol, port) {
  return runTracegenWith(tracegenBin, [
    `--protocol=${protocol}`,
    `--endpoint=127.0.0.1:${port}`,
    `--duration=${seconds}s`,
    `--connections=${connections}`,
    '--seed=1',
    ...(protocol === 'jaeger-udp' ? [`--rate=${udpRate}`] : []),
    ...tracegenFlags,
  ]);
}

const sum = (text, name, labels) => metric(text, name, labels) ?? 0;

async function runOne(storage, protocol) {
  const dir = storage === 'embedded' ? tempDir('spoor-bench-') : null;
  const flags = ['--memory.max-traces=10000000', '--collector.queue-size=2000000', '--log-level=warn', ...extraFlags];
  const spoor = await startSpoor({ flags, storage: { type: storage, flags: dir ? [`--embedded.directory=${dir}`] : [] } });
  const pid = spoor.proc.pid;
  try {
    await sleep(300);
    const cpu0 = cpuSeconds(pid);
    const rss0 = rssBytes(pid);
    const gen = await runTracegen(protocol, endpointFor(spoor, protocol));
    // The queue drains into storage: wait until every accepted span is
    // stored or dropped. With tail sampling, until every held trace was
    // decided and what it kept (accepted again under transport
    // "tail_sampling") is stored.
    let text = '';
    await waitFor(
      async () => {
        text = await getMetrics(spoor);
        const held = metric(text, 'spoor_tail_sampling_traces_held');
        const accepted =
          held === undefined ? sum(text, 'spoor_spans_accepted_total') : sum(text, 'spoor_spans_accepted_total', { transport: 'tail_sampling' });
        const settled = sum(text, 'spoor_spans_stored_total') + sum(text, 'spoor_spans_dropped_total') >= accepted;
        return (held === undefined ? accepted > 0 : held === 0) && settled;
      },
      { timeoutMs: 60_000, intervalMs: 100, description: 'the queue to drain' },
    ).catch(() => {});
    const cpu = cpuSeconds(pid) - cpu0;
    const rss = rssBytes(pid) - rss0;
    const stored = sum(text, 'spoor_spans_stored_total');
    const dropped = sum(text, 'spoor_spans_dropped_total');
    const refused = sum(text, 'spoor_spans_refused_total');
    // Received from clients (not the kept spans tail sampling hands on).
    const received = sum(text, 'spoor_spans_received_total') - sum(text, 'spoor_spans_received_total', { transport: 'tail_sampling' });
    const lost = gen.acked === null ? gen.sent - received : 0; // UDP: datagrams the kernel dropped
    const code = await spoor.stop();
    const disk = dir ? duBytes(dir) : 0;
    return {
      storage,
      protocol,
      sent: gen.sent,
      failed: gen.failed,
      stored,
      dropped: dropped + refused + Math.max(0, lost),
      cpu,
      perCpu: cpu > 0 ? stored / cpu : 0,
      receivedPerCpu: cpu > 0 ? received / cpu : 0,
      rssPerSpan: storage === 'memory' && stored > 0 ? rss / stored : null,
      diskPerSpan: dir && stored > 0 ? disk / stored : null,
      exit: code,
    };
  } catch (err) {
    await spoor.stop();
    throw err;
  }
}

function decodeBaseline() {
  const out = execFileSync(
    benchBin,
    ['--benchmark_filter=^BM_(ParseOtlpProtobuf|DecodeOtlpProto)$', '--benchmark_format=json', '--benchmark_min_time=1'],
    { encoding: 'utf8' },
  );
  const figures = {};
  for (const b of JSON.parse(out).benchmarks) figures[b.name] = b.items_per_second;
  return figures;
}

const fmt = (n, digits = 0) => (n === null || n === undefined ? '—' : Number(n).toLocaleString('en-US', { maximumFractionDigits: digits }));

const rows = [];
for (const storage of storages) {
  for (const protocol of protocols) {
    process.stderr.write(`bench: ${storage} / ${protocol} for ${seconds}s ...\n`);
    rows.push(await runOne(storage, protocol));
  }
}
const baseline = decodeBaseline();
const parse = baseline.BM_ParseOtlpProtobuf;
const decode = baseline.BM_DecodeOtlpProto;

const commit = (() => {
  try {
    return execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
})();
const cpuModel = (/model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8')) ?? [])[1] ?? 'unknown';
const lines = [];
lines.push(`### End-to-end ingest, ${new Date().toISOString().slice(0, 10)}`);
lines.push('');
lines.push(
  `Machine: nproc ${os.cpus().length}, ${cpuModel}; commit ${commit}; tracegen at full speed (jaeger-udp at ${udpRate} spans/s), ${connections} connections, ${seconds} s per run, 100 spans per request${extraFlags.length ? `; spoor flags ${extraFlags.join(' ')}` : ''}${tracegenFlags.length ? `; tracegen flags ${tracegenFlags.join(' ')}` : ''}.`,
);
lines.push('');
lines.push(
  '| storage | protocol | spans sent | stored | dropped | spoor CPU s | stored spans per CPU-s | received spans per CPU-s | vs protobuf parse | memory B/span | disk B/span |',
);
lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  const note = r.dropped > 0 || r.failed > 0 ? ` (drops: run not valid)` : '';
  lines.push(
    `| ${r.storage} | ${r.protocol} | ${fmt(r.sent)} | ${fmt(r.stored)} | ${fmt(r.dropped + r.failed)}${note} | ${fmt(r.cpu, 2)} | ${fmt(r.perCpu)} | ${fmt(r.receivedPerCpu)} | ${parse ? fmt(r.perCpu / parse, 2) + '×' : '—'} | ${fmt(r.rssPerSpan)} | ${fmt(r.diskPerSpan, 1)} |`,
  );
}
lines.push('');
lines.push(
  `Decode-only baseline (spoor_bench, one core): the protobuf library parsing the OTLP request ${fmt(parse)} spans/s; spoor's OTLP decoder to the model ${fmt(decode)} spans/s.`,
);
lines.push('');
const report = lines.join('\n');
process.stdout.write(report + '\n');
if (args.append) appendFileSync(path.resolve(ROOT, args.append), '\n' + report);
