// Spoor's C++ tracer (client/cpp, docs/client-cpp.md) end to end: the
// example program sends a trace through the OpenTracing API and the OTLP/HTTP
// reporter to a real spoor, and the query API shows every span as sent.
// An unreachable endpoint is counted, not a hang. The remote sampler follows
// the per-operation strategies spoor serves from a strategies file.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makePki } from '../lib/pki.mjs';
import { freePorts, getJaegerTrace, startSpoor, tempDir } from '../lib/spoor.mjs';

/** Jaeger key-value tags as a plain object of values. */
const values = (kvs) => Object.fromEntries((kvs ?? []).map((kv) => [kv.key, kv.value]));

const EXAMPLE = process.env.SPOOR_CPP_EXAMPLE;
const SAMPLE_REMOTE = process.env.SPOOR_CPP_SAMPLE_REMOTE;
const skip = EXAMPLE && existsSync(EXAMPLE) ? false : `no C++ tracer example (SPOOR_CPP_EXAMPLE=${EXAMPLE})`;

/** Runs an example program (the OTLP sender by default): {code, stdout, stderr}. */
function runExample(args, timeoutMs = 30_000, program = EXAMPLE, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the example still runs after ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('C++ tracer → OTLP/HTTP → spoor', { skip }, () => {
  let spoor;
  before(async () => {
    spoor = await startSpoor({ storage: { type: 'memory' } });
  });
  after(async () => {
    await spoor?.stop();
  });

  test('the three spans arrive with their relations, tags, logs, status and process', async () => {
    const run = await runExample([`${spoor.baseUrls.otlpHttp}/v1/traces`, 'cpp-shop']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /sent 3, dropped 0 \+ 0/);
    const traceId = run.stdout.trim();
    assert.match(traceId, /^[0-9a-f]{32}$/);
    const res = await getJaegerTrace(spoor.baseUrls.query, traceId);
    assert.equal(res.status, 200, res.text);
    const trace = res.body.data[0];
    const byName = Object.fromEntries(trace.spans.map((s) => [s.operationName, s]));
    assert.deepEqual(Object.keys(byName).sort(), ['GET /cart', 'SELECT cart', 'audit']);
    const root = byName['GET /cart'];
    const query = byName['SELECT cart'];
    const audit = byName.audit;
    assert.equal(root.traceID, traceId);
    assert.deepEqual(root.references, []);
    assert.deepEqual(query.references, [{ refType: 'CHILD_OF', traceID: traceId, spanID: root.spanID }]);
    assert.deepEqual(audit.references, [{ refType: 'FOLLOWS_FROM', traceID: traceId, spanID: root.spanID }]);
    const rootTags = values(root.tags);
    assert.equal(rootTags['span.kind'], 'server');
    assert.equal(rootTags['http.method'], 'GET');
    assert.equal(rootTags['sampler.type'], 'const');
    const queryTags = values(query.tags);
    assert.equal(queryTags['span.kind'], 'client');
    assert.equal(queryTags.error, true);
    assert.equal(queryTags['db.type'], 'mysql');
    assert.ok(query.duration >= 5000, `SELECT cart lasted ${query.duration} µs, at least the 5 ms it slept`);
    assert.equal(query.logs.length, 1);
    assert.deepEqual(values(query.logs[0].fields), { event: 'error', message: 'lock wait timeout' });
    // Setting baggage logs it on the span, as Jaeger clients do.
    assert.deepEqual(values(root.logs[0].fields), { event: 'baggage', key: 'customer', value: '123' });
    const process = trace.processes[root.processID];
    assert.equal(process.serviceName, 'cpp-shop');
    const processTags = values(process.tags);
    assert.equal(processTags['jaeger.version'], 'Spoor-C++-0.1.0');
    assert.ok(processTags.hostname, 'hostname process tag');
  });

  test('the same trace as Jaeger Thrift compact datagrams to UDP 6831', async () => {
    const run = await runExample([`udp://127.0.0.1:${spoor.ports.jaegerCompact}`, 'cpp-udp']);
    assert.equal(run.code, 0, run.stderr);
    const traceId = run.stdout.trim();
    // UDP is not acknowledged: wait for the spans to be stored.
    let res;
    for (let i = 0; i < 100; i++) {
      res = await getJaegerTrace(spoor.baseUrls.query, traceId);
      if (res.status === 200 && res.body.data[0].spans.length === 3) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(res.status, 200, res.text);
    const trace = res.body.data[0];
    const byName = Object.fromEntries(trace.spans.map((s) => [s.operationName, s]));
    assert.deepEqual(Object.keys(byName).sort(), ['GET /cart', 'SELECT cart', 'audit']);
    const root = byName['GET /cart'];
    assert.deepEqual(byName['SELECT cart'].references, [{ refType: 'CHILD_OF', traceID: traceId, spanID: root.spanID }]);
    assert.deepEqual(byName.audit.references, [{ refType: 'FOLLOWS_FROM', traceID: traceId, spanID: root.spanID }]);
    assert.equal(values(byName['SELECT cart'].tags).error, true);
    assert.deepEqual(values(byName['SELECT cart'].logs[0].fields), { event: 'error', message: 'lock wait timeout' });
    assert.equal(trace.processes[root.processID].serviceName, 'cpp-udp');
  });

  test('the same trace as Jaeger Thrift (binary) over HTTP to 14268 /api/traces', async () => {
    const run = await runExample([`${spoor.baseUrls.jaegerHttp}/api/traces`, 'cpp-thrift-http']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /sent 3, dropped 0 \+ 0/); // acknowledged by the collector
    const traceId = run.stdout.trim();
    const res = await getJaegerTrace(spoor.baseUrls.query, traceId);
    assert.equal(res.status, 200, res.text);
    const trace = res.body.data[0];
    const byName = Object.fromEntries(trace.spans.map((s) => [s.operationName, s]));
    assert.deepEqual(Object.keys(byName).sort(), ['GET /cart', 'SELECT cart', 'audit']);
    const root = byName['GET /cart'];
    assert.deepEqual(byName['SELECT cart'].references, [{ refType: 'CHILD_OF', traceID: traceId, spanID: root.spanID }]);
    assert.deepEqual(byName.audit.references, [{ refType: 'FOLLOWS_FROM', traceID: traceId, spanID: root.spanID }]);
    const queryTags = values(byName['SELECT cart'].tags);
    assert.equal(queryTags.error, true);
    assert.equal(queryTags['db.type'], 'mysql');
    assert.ok(byName['SELECT cart'].duration >= 5000);
    assert.deepEqual(values(byName['SELECT cart'].logs[0].fields), { event: 'error', message: 'lock wait timeout' });
    const process = trace.processes[root.processID];
    assert.equal(process.serviceName, 'cpp-thrift-http');
    assert.equal(values(process.tags)['jaeger.version'], 'Spoor-C++-0.1.0');
  });

  test('an endpoint nobody listens on: the spans are counted as not sent, and the program ends', async () => {
    const [port] = await freePorts(1);
    const run = await runExample([`http://127.0.0.1:${port}/v1/traces`]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /sent 0, dropped 0 \+ 3/);
  });

  test('a malformed endpoint is refused with the reason', async () => {
    const run = await runExample(['ftp://127.0.0.1:1/v1/traces']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /expected an http:\/\/ or https:\/\/ URL/);
  });
});

describe('C++ tracer → OTLP/HTTP over TLS, with a client certificate → spoor', { skip }, () => {
  let spoor;
  let pki;
  before(async () => {
    pki = makePki(tempDir('spoor-cpp-tls-'));
    spoor = await startSpoor({
      storage: { type: 'memory' },
      flags: [
        '--collector.otlp.http.tls.enabled',
        `--collector.otlp.http.tls.cert=${pki.file('server.crt')}`,
        `--collector.otlp.http.tls.key=${pki.file('server.key')}`,
        `--collector.otlp.http.tls.client-ca=${pki.file('ca.crt')}`,
      ],
    });
  });
  after(async () => {
    await spoor?.stop();
  });

  const url = () => `https://127.0.0.1:${spoor.ports.otlpHttp}/v1/traces`;
  const env = (client = 'client', ca = 'ca.crt') => ({
    OTEL_EXPORTER_OTLP_CERTIFICATE: pki.file(ca),
    ...(client ? { OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: pki.file(`${client}.crt`), OTEL_EXPORTER_OTLP_CLIENT_KEY: pki.file(`${client}.key`) } : {}),
  });

  test('the reporter verifies spoor, presents its certificate, and the trace arrives', async () => {
    const run = await runExample([url(), 'cpp-tls'], 30_000, EXAMPLE, env());
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /sent 3, dropped 0 \+ 0/);
    const res = await getJaegerTrace(spoor.baseUrls.query, run.stdout.trim());
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.data[0].spans.length, 3);
  });

  test('without a client certificate, or trusting another CA, nothing is sent', async () => {
    for (const e of [env(null), env('client', 'other-ca.crt')]) {
      const run = await runExample([url(), 'cpp-tls'], 30_000, EXAMPLE, e);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /sent 0, dropped 0 \+ 3/);
    }
    // An https endpoint whose CA file cannot be read is refused at once.
    const bad = await runExample([url(), 'cpp-tls'], 30_000, EXAMPLE, { OTEL_EXPORTER_OTLP_CERTIFICATE: '/nonexistent/ca.pem' });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /TLS: CA file \/nonexistent\/ca\.pem/);
  });
});

describe('C++ tracer: the remote sampler follows the strategies spoor serves', { skip }, () => {
  let spoor;
  before(async () => {
    const file = path.join(tempDir('spoor-cpp-sampling-'), 'strategies.json');
    writeFileSync(
      file,
      JSON.stringify({
        service_strategies: [
          {
            service: 'cpp-remote',
            type: 'probabilistic',
            param: 0.5,
            operation_strategies: [
              { operation: 'hot', type: 'probabilistic', param: 0.1 },
              { operation: 'cold', type: 'probabilistic', param: 1 },
            ],
          },
          { service: 'cpp-limited', type: 'ratelimiting', param: 3 },
        ],
        default_strategy: { type: 'probabilistic', param: 0.2 },
      }),
    );
    spoor = await startSpoor({ storage: { type: 'memory' }, flags: [`--sampling.strategies-file=${file}`] });
  });
  after(async () => {
    await spoor?.stop();
  });

  /** Roots started per operation, decided by the sampler spoor's strategy configures. */
  async function sample(service, ...ops) {
    const run = await runExample([`${spoor.baseUrls.sampling}/sampling`, service, ...ops], 60_000, SAMPLE_REMOTE);
    assert.equal(run.code, 0, run.stderr);
    return JSON.parse(run.stdout);
  }

  // Trace IDs are random: counts are checked within five standard deviations.
  const near = (count, n, p) => Math.abs(count - n * p) <= 5 * Math.sqrt(n * p * (1 - p));

  test('per-operation probabilities, the service default for other operations, Jaeger tags', async () => {
    const got = await sample('cpp-remote', 'hot:20000', 'cold:50', 'other:10000');
    assert.ok(near(got.hot.probabilistic, 20000, 0.1), `hot: ${JSON.stringify(got.hot)} of 20,000 at 0.1`);
    assert.equal(got.cold.probabilistic, 50, `cold: ${JSON.stringify(got.cold)}`);
    assert.ok(near(got.other.probabilistic, 10000, 0.5), `other: ${JSON.stringify(got.other)} at the default 0.5`);
    // The lower bound (0 traces per second here) admits at most the first
    // unsampled root, as Jaeger clients' rate limiter starts with one credit.
    for (const op of ['hot', 'other']) assert.ok((got[op].lowerbound ?? 0) <= 1, JSON.stringify(got[op]));
  });

  test('a service without its own strategy gets the default; a rate-limited one its rate', async () => {
    const other = await sample('somebody-else', 'a:10000');
    assert.ok(near(other.a.probabilistic, 10000, 0.2), JSON.stringify(other));
    const started = performance.now();
    const limited = await sample('cpp-limited', 'x:1000');
    const seconds = (performance.now() - started) / 1000;
    // 3 a second with a burst of 3: the burst, and at most 3 more for each
    // second the program ran (it runs in milliseconds; bounded by the whole
    // run as seen from here, so a slow machine does not fail it).
    assert.ok(limited.x.ratelimiting >= 3, JSON.stringify(limited));
    assert.ok(limited.x.ratelimiting <= 3 + Math.ceil(3 * seconds), `${JSON.stringify(limited)} in ${seconds} s`);
  });

  test('an endpoint without a strategy: the program says so', async () => {
    const [port] = await freePorts(1);
    const run = await runExample([`http://127.0.0.1:${port}/sampling`, 'svc', 'a:1'], 30_000, SAMPLE_REMOTE);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /no strategy/);
  });
});
