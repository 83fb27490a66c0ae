// Spoor's C++ tracer (client/cpp, docs/client-cpp.md) end to end: the
// example program sends a trace through the OpenTracing API and the OTLP/HTTP
// reporter to a real spoor, and the query API shows every span as sent.
// An unreachable endpoint is counted, not a hang.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { freePorts, getJaegerTrace, startSpoor } from '../lib/spoor.mjs';

/** Jaeger key-value tags as a plain object of values. */
const values = (kvs) => Object.fromEntries((kvs ?? []).map((kv) => [kv.key, kv.value]));

const EXAMPLE = process.env.SPOOR_CPP_EXAMPLE;
const skip = EXAMPLE && existsSync(EXAMPLE) ? false : `no C++ tracer example (SPOOR_CPP_EXAMPLE=${EXAMPLE})`;

/** Runs the example: {code, stdout, stderr}. */
function runExample(args, timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    const child = spawn(EXAMPLE, args, { stdio: ['ignore', 'pipe', 'pipe'] });
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

  test('an endpoint nobody listens on: the spans are counted as not sent, and the program ends', async () => {
    const [port] = await freePorts(1);
    const run = await runExample([`http://127.0.0.1:${port}/v1/traces`]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /sent 0, dropped 0 \+ 3/);
  });

  test('a malformed endpoint is refused with the reason', async () => {
    const run = await runExample(['https://127.0.0.1:1/v1/traces']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /expected an http:\/\/ URL/);
  });
});
