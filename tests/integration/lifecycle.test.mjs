// The process from the outside: --help, flag errors, the YAML config file,
// the admin endpoints and a clean shutdown on SIGTERM.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import {
  fetchJson,
  portFlags,
  getJaegerTrace,
  getMetrics,
  metric,
  nowNs,
  randomSpanId,
  randomTraceId,
  runSpoor,
  startSpoor,
  waitFor,
  waitForTrace,
} from '../lib/spoor.mjs';
import { SpanKind, postTraces, request, sendTraces, span } from '../lib/otlp.mjs';

const DOCUMENTED_FLAGS = [
  'span-storage.type',
  'memory.max-traces',
  'collector.queue-size',
  'collector.num-workers',
  'collector.otlp.enabled',
  'collector.otlp.grpc.host-port',
  'collector.otlp.http.host-port',
  'collector.otlp.http.max-request-size',
  'query.http-server.host-port',
  'query.base-path',
  'query.static-files',
  'query.max-clock-skew-adjustment',
  'admin.http.host-port',
  'log-level',
  'config-file',
];

function oneSpanTrace(service, startNs) {
  const traceId = randomTraceId();
  return {
    traceId,
    req: request([
      {
        service,
        spans: [span({ traceId, spanId: randomSpanId(), name: 'op', kind: SpanKind.SERVER, startNs, endNs: startNs + 1_000_000n })],
      },
    ]),
  };
}

/**
 * Writes three traces one after the other (each visible before the next is
 * sent) and checks that only the newest two remain.
 */
async function checkOnlyNewestTwoRemain(spoor) {
  const base = nowNs() - 60_000_000_000n;
  const traces = [0n, 1n, 2n].map((i) => oneSpanTrace('bounded', base + i * 1_000_000_000n));
  for (const t of traces) {
    await sendTraces(spoor.baseUrls.otlpHttp, t.req);
    await waitForTrace(spoor.baseUrls.query, t.traceId);
  }
  await waitFor(async () => (await getJaegerTrace(spoor.baseUrls.query, traces[0].traceId)).status === 404, {
    description: 'the oldest trace to be evicted',
  });
  for (const t of traces.slice(1)) {
    const res = await getJaegerTrace(spoor.baseUrls.query, t.traceId);
    assert.equal(res.status, 200, `trace ${t.traceId} is kept`);
  }
}

describe('command line', () => {
  test('--help lists every documented flag and exits 0', async () => {
    for (const args of [['--help'], ['all-in-one', '--help']]) {
      const { code, stdout, stderr } = await runSpoor(args);
      assert.equal(code, 0, `spoor ${args.join(' ')} exit code; stderr: ${stderr}`);
      const text = stdout + stderr;
      for (const flag of DOCUMENTED_FLAGS) assert.ok(text.includes(`--${flag}`), `spoor ${args.join(' ')} mentions --${flag}`);
    }
  });

  const invalid = [
    ['a non-numeric value', '--memory.max-traces=abc'],
    ['an unknown flag', '--no-such.flag=1'],
    ['an unknown storage type', '--span-storage.type=punch-cards'],
    ['a bad duration', '--query.max-clock-skew-adjustment=soon'],
    ['an empty UI folder', '--query.static-files='],
    ['a bad host:port', '--collector.otlp.http.host-port=127.0.0.1:notaport'],
    ['a bad boolean', '--collector.otlp.enabled=maybe'],
    ['a missing config file', '--config-file=/nonexistent/spoor.yaml'],
  ];
  for (const [what, flag] of invalid) {
    test(`${what} (${flag}) exits non-zero with one line on stderr`, async () => {
      const { code, stderr } = await runSpoor(['all-in-one', ...(await portFlags()), flag], { timeoutMs: 8000 });
      assert.notEqual(code, 0, 'exit code');
      assert.notEqual(code, null, 'exited by itself, not by a signal');
      const lines = stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, `exactly one stderr line, got:\n${stderr}`);
      assert.ok(lines[0].trim().length > 0, 'the line says something');
    });
  }
});

describe('configuration', () => {
  let spoor;
  let dir;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'spoor-lifecycle-'));
  });
  afterEach(async () => {
    if (spoor) {
      const s = spoor;
      spoor = null;
      assert.equal(await s.stop(), 0, 'spoor exits 0 on SIGTERM');
    }
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('--memory.max-traces keeps only the newest traces', async () => {
    spoor = await startSpoor({ flags: ['--memory.max-traces=2'] });
    await checkOnlyNewestTwoRemain(spoor);
  });

  test('a YAML config file with dotted keys sets values', async () => {
    const file = path.join(dir, 'flat.yaml');
    await writeFile(file, '# limits\nmemory.max-traces: 2\n');
    spoor = await startSpoor({ flags: [`--config-file=${file}`] });
    await checkOnlyNewestTwoRemain(spoor);
  });

  test('a YAML config file with nested keys sets values', async () => {
    const file = path.join(dir, 'nested.yaml');
    await writeFile(file, 'memory:\n  max-traces: 2\ncollector:\n  queue-size: 777\n');
    spoor = await startSpoor({ flags: [`--config-file=${file}`] });
    assert.equal(metric(await getMetrics(spoor), 'spoor_queue_capacity'), 777);
    await checkOnlyNewestTwoRemain(spoor);
  });

  test('a config file with an invalid value exits non-zero with one line on stderr', async () => {
    const file = path.join(dir, 'bad.yaml');
    await writeFile(file, 'memory:\n  max-traces: lots\n');
    const { code, stderr } = await runSpoor(['all-in-one', ...(await portFlags()), `--config-file=${file}`], { timeoutMs: 8000 });
    assert.notEqual(code, 0);
    assert.notEqual(code, null);
    assert.equal(stderr.trimEnd().split('\n').length, 1, `one stderr line, got:\n${stderr}`);
  });

  test('--collector.queue-size is the queue capacity in /metrics', async () => {
    spoor = await startSpoor({ flags: ['--collector.queue-size=1234', '--collector.num-workers=2'] });
    const text = await getMetrics(spoor);
    assert.equal(metric(text, 'spoor_queue_capacity'), 1234);
    assert.equal(metric(text, 'spoor_queue_length'), 0);
  });

  test('all-in-one is the default role', async () => {
    spoor = await startSpoor({ subcommand: null });
    const { traceId, req } = oneSpanTrace('default-role', nowNs() - 1_000_000_000n);
    await sendTraces(spoor.baseUrls.otlpHttp, req);
    await waitForTrace(spoor.baseUrls.query, traceId);
  });
});

describe('admin endpoints', () => {
  let spoor;
  before(async () => {
    spoor = await startSpoor();
  });
  after(async () => {
    if (spoor) assert.equal(await spoor.stop(), 0);
  });

  test('GET / reports the server as available', async () => {
    const res = await fetchJson(`${spoor.baseUrls.admin}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /json/);
    assert.equal(res.body?.status, 'Server available', res.text);
  });

  test('GET /version answers JSON', async () => {
    const res = await fetchJson(`${spoor.baseUrls.admin}/version`);
    assert.equal(res.status, 200);
    assert.equal(typeof res.body, 'object', res.text);
    assert.ok(res.body !== null && Object.keys(res.body).length > 0, res.text);
  });

  test('GET /metrics is Prometheus text with the ingest counters', async () => {
    const { traceId, req } = oneSpanTrace('metrics', nowNs() - 1_000_000_000n);
    await sendTraces(spoor.baseUrls.otlpHttp, req);
    await sendTraces(spoor.baseUrls.otlpHttp, oneSpanTrace('metrics', nowNs() - 1_000_000_000n).req, { encoding: 'proto' });
    await waitForTrace(spoor.baseUrls.query, traceId);
    const res = await fetch(`${spoor.baseUrls.admin}/metrics`, { signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(text, /^# TYPE spoor_spans_received_total counter$/m);
    assert.equal(metric(text, 'spoor_spans_received_total', { transport: 'http', format: 'otlp_json' }), 1);
    assert.equal(metric(text, 'spoor_spans_received_total', { transport: 'http', format: 'otlp_proto' }), 1);
    assert.equal(metric(text, 'spoor_spans_accepted_total', { transport: 'http', format: 'otlp_json' }), 1);
    assert.equal(metric(text, 'spoor_spans_accepted_total', { transport: 'http', format: 'otlp_proto' }), 1);
    await waitFor(async () => metric(await getMetrics(spoor), 'spoor_spans_stored_total') === 2, { description: 'two spans stored' });
    assert.ok((metric(text, 'spoor_http_requests_total', { status: '200' }) ?? 0) >= 2, 'HTTP requests are counted');
  });
});

describe('shutdown', () => {
  test('SIGTERM right after acknowledged writes exits 0', async () => {
    const spoor = await startSpoor({ flags: ['--collector.num-workers=1', '--collector.queue-size=200000'] });
    try {
      const base = nowNs() - 30_000_000_000n;
      const requests = [];
      for (let r = 0; r < 20; r++) {
        const traceId = randomTraceId();
        const spans = [];
        for (let i = 0; i < 500; i++) {
          const start = base + BigInt(r * 500 + i) * 1000n;
          spans.push(
            span({ traceId, spanId: randomSpanId(), name: `op-${i % 7}`, startNs: start, endNs: start + 500n, attributes: { i } }),
          );
        }
        requests.push(request([{ service: 'shutdown', spans }]));
      }
      // Four writers at once, every request acknowledged before the signal.
      const queue = [...requests];
      await Promise.all(
        [0, 1, 2, 3].map(async () => {
          for (let req = queue.shift(); req; req = queue.shift()) {
            const res = await postTraces(spoor.baseUrls.otlpHttp, req, { encoding: 'proto' });
            assert.equal(res.status, 200, res.bytes.toString());
          }
        }),
      );
      const code = await spoor.stop({ timeoutMs: 20_000 });
      assert.equal(code, 0, `exit code; logs:\n${spoor.logs.slice(-2000)}`);
      await assert.rejects(fetch(`${spoor.baseUrls.otlpHttp}/v1/traces`, { signal: AbortSignal.timeout(2000) }), 'no longer listening');
    } finally {
      await spoor.stop().catch(() => {});
    }
  });

  test('SIGTERM while idle exits 0 promptly', async () => {
    const spoor = await startSpoor();
    const started = Date.now();
    assert.equal(await spoor.stop({ timeoutMs: 10_000 }), 0);
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  });
});
