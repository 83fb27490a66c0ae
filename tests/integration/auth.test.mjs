// Bearer tokens (docs/security.md): sending spans over every ingest protocol
// and querying need a token from the files given; a missing or wrong one is
// refused (401 / UNAUTHENTICATED) with the same message whatever the token
// was, and counted; tokens are revoked by editing the file; the remote
// sampling routes and the UI's files stay open; unusable files stop the
// start naming the flag.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import grpc, { credentials } from '@grpc/grpc-js';
import { OTLPTraceExporter as OTLPGrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OTLPProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { exportOne } from '../lib/otel_sdk.mjs';
import { getMetrics, metric, runSpoor, startSpoor, tempDir, waitFor } from '../lib/spoor.mjs';

function grpcMetadata(token) {
  const m = new grpc.Metadata();
  if (token) m.set('authorization', `Bearer ${token}`);
  return m;
}

/** An empty Jaeger PostSpans call: null when answered OK, else the error. */
function jaegerPostSpans(address, token) {
  return new Promise((resolve) => {
    const client = new grpc.Client(address, credentials.createInsecure());
    client.makeUnaryRequest('/jaeger.api_v2.CollectorService/PostSpans', (b) => b, (b) => b, Buffer.alloc(0), grpcMetadata(token), { deadline: Date.now() + 5000 }, (err) => {
      client.close();
      resolve(err);
    });
  });
}

const bearer = (token) => (token ? { authorization: `Bearer ${token}` } : {});

describe('bearer tokens', () => {
  let dir;
  let ingestTokens;
  let queryTokens;
  let spoor;
  before(async () => {
    dir = tempDir('spoor-auth-');
    ingestTokens = path.join(dir, 'ingest-tokens');
    queryTokens = path.join(dir, 'query-tokens');
    writeFileSync(ingestTokens, '# services that send spans\ntok-shop team-a\ntok-pay\n');
    writeFileSync(queryTokens, 'tok-reader\ntok-old\n');
    spoor = await startSpoor({
      storage: { type: 'memory' },
      flags: [`--collector.auth.bearer-tokens-file=${ingestTokens}`, `--query.auth.bearer-tokens-file=${queryTokens}`],
    });
  });
  after(async () => {
    if (spoor) assert.equal(await spoor.stop(), 0);
  });

  const query = (p, token) => fetch(`${spoor.baseUrls.query}${p}`, { headers: bearer(token) });

  test('OTLP/HTTP: the exporter with a token sends; without one or with a wrong one it is refused', async () => {
    const url = `${spoor.baseUrls.otlpHttp}/v1/traces`;
    const good = await exportOne(new OTLPProtoExporter({ url, headers: bearer('tok-shop') }), 'with token');
    assert.ok(good.ok, `export failed: ${good.error?.message}`);
    await waitFor(async () => (await query(`/api/traces/${good.traceId}`, 'tok-reader')).status === 200, { description: 'the span stored' });
    for (const token of [null, 'tok-nope']) {
      const bad = await exportOne(new OTLPProtoExporter({ url, headers: bearer(token) }), 'refused');
      assert.equal(bad.ok, false, `${token ?? 'no token'} must be refused`);
      assert.equal((await query(`/api/traces/${bad.traceId}`, 'tok-reader')).status, 404, 'nothing of it stored');
    }
    // The answer says what to do, not what exists; and it is counted.
    const missing = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.alloc(0) });
    assert.equal(missing.status, 401);
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer');
    assert.match(await missing.text(), /Authorization: Bearer <token>/);
    const wrong = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', ...bearer('tok-reader') }, body: Buffer.alloc(0) });
    assert.equal(wrong.status, 401, 'a query token does not send spans');
    assert.equal(await wrong.text(), 'the bearer token is not valid\n');
    const m = await getMetrics(spoor);
    assert.ok(metric(m, 'spoor_auth_failures_total', { server: 'otlp_http', reason: 'missing' }) >= 2);
    assert.ok(metric(m, 'spoor_auth_failures_total', { server: 'otlp_http', reason: 'invalid' }) >= 2);
  });

  test('OTLP/gRPC and Jaeger gRPC: the token in the call metadata', async () => {
    const exporter = (token) => new OTLPGrpcExporter({ url: `http://${spoor.grpcAddress}`, metadata: grpcMetadata(token), timeoutMillis: 3000 });
    const good = await exportOne(exporter('tok-pay'), 'grpc with token');
    assert.ok(good.ok, `export failed: ${good.error?.message}`);
    await waitFor(async () => (await query(`/api/traces/${good.traceId}`, 'tok-reader')).status === 200, { description: 'the span stored' });
    assert.equal((await exportOne(exporter(null), 'refused')).ok, false);
    assert.equal((await exportOne(exporter('tok-nope'), 'refused')).ok, false);
    assert.equal(await jaegerPostSpans(spoor.jaegerGrpcAddress, 'tok-shop'), null);
    for (const token of [null, 'tok-nope']) {
      const err = await jaegerPostSpans(spoor.jaegerGrpcAddress, token);
      assert.equal(err?.code, grpc.status.UNAUTHENTICATED, `${token}: ${err?.message}`);
    }
    const m = await getMetrics(spoor);
    assert.ok(metric(m, 'spoor_auth_failures_total', { server: 'jaeger_grpc', reason: 'missing' }) >= 1);
    assert.ok(metric(m, 'spoor_auth_failures_total', { server: 'otlp_grpc', reason: 'invalid' }) >= 1);
  });

  test('Jaeger Thrift over HTTP and Zipkin need it; the remote sampling routes do not', async () => {
    const thrift = (token) => fetch(`${spoor.baseUrls.jaegerHttp}/api/traces`, { method: 'POST', headers: { 'content-type': 'application/x-thrift', ...bearer(token) }, body: 'x' });
    assert.equal((await thrift(null)).status, 401);
    assert.equal((await thrift('tok-shop')).status, 400, 'past the token: the body is refused as malformed');
    const zipkin = (token) => fetch(`${spoor.baseUrls.zipkin}/api/v2/spans`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(token) }, body: '[]' });
    assert.equal((await zipkin(null)).status, 401);
    assert.equal((await zipkin('tok-pay')).status, 202);
    assert.equal((await fetch(`${spoor.baseUrls.jaegerHttp}/api/sampling?service=a`)).status, 200);
    assert.equal((await fetch(`${spoor.baseUrls.sampling}/sampling?service=a`)).status, 200);
  });

  test('the query API needs a query token; the UI files do not', async () => {
    const none = await query('/api/services', null);
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    assert.equal((await query('/api/services', 'tok-shop')).status, 401, 'an ingest token does not query');
    assert.equal((await query('/api/services', 'tok-reader')).status, 200);
    assert.equal((await query('/api/v3/services', null)).status, 401);
    // Where Jaeger UI releases ask for deep dependencies and quality metrics.
    assert.equal((await query('/analytics/v1/dependencies?service=shop', null)).status, 401);
    assert.equal((await query('/qualitymetrics-v2?service=shop', null)).status, 401);
    assert.equal((await query('/analytics/v1/dependencies?service=shop', 'tok-reader')).status, 200);
    assert.equal((await query('/', null)).status, 200, 'the UI loads, to ask for a token');
    const m = await getMetrics(spoor);
    assert.ok(metric(m, 'spoor_auth_failures_total', { server: 'query', reason: 'missing' }) >= 2);
  });

  test('a token taken out of the file is refused from then on; one added is accepted', async () => {
    assert.equal((await query('/api/services', 'tok-old')).status, 200);
    writeFileSync(queryTokens, 'tok-reader\ntok-new\n');
    await waitFor(async () => (await query('/api/services', 'tok-old')).status === 401, { description: 'tok-old revoked' });
    assert.equal((await query('/api/services', 'tok-new')).status, 200);
    assert.equal((await query('/api/services', 'tok-reader')).status, 200);
    // A file that cannot be used keeps the tokens last read.
    writeFileSync(queryTokens, '# nobody\n');
    await waitFor(async () => {
      await query('/api/services', 'tok-reader');
      return metric(await getMetrics(spoor), 'spoor_auth_token_reloads_total', { flag: '--query.auth.bearer-tokens-file', result: 'failed' }) >= 1;
    });
    assert.equal((await query('/api/services', 'tok-reader')).status, 200);
  });
});

describe('token files refused at startup, naming the flag', () => {
  test('a missing file, an empty one, a malformed line', async () => {
    const dir = tempDir('spoor-auth-bad-');
    writeFileSync(path.join(dir, 'empty'), '# no tokens\n\n');
    writeFileSync(path.join(dir, 'three'), 'tok tenant extra\n');
    for (const [file, says] of [
      [path.join(dir, 'nope'), /--collector\.auth\.bearer-tokens-file: cannot read/],
      [path.join(dir, 'empty'), /holds no token/],
      [path.join(dir, 'three'), /line 1: expected a token and at most a tenant/],
    ]) {
      const r = await runSpoor(['all-in-one', '--span-storage.type=memory', `--collector.auth.bearer-tokens-file=${file}`]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, says);
    }
  });
});

describe('trusted proxies: the user header of an authenticating proxy, from its address only', () => {
  const start = (proxies) => {
    const dir = tempDir('spoor-proxy-');
    writeFileSync(path.join(dir, 'tokens'), 'tok-1\n');
    return startSpoor({
      storage: { type: 'memory' },
      flags: [
        `--query.auth.bearer-tokens-file=${path.join(dir, 'tokens')}`,
        `--query.auth.trusted-proxies=${proxies}`,
        `--collector.auth.trusted-proxies=${proxies}`,
        '--collector.auth.proxy-user-header=X-Auth-User',
      ],
    });
  };

  test('from a listed address, the user header lets a request in without a token', async () => {
    const spoor = await start('10.9.0.0/16, 127.0.0.1');
    try {
      const res = await fetch(`${spoor.baseUrls.query}/api/services`, { headers: { 'x-forwarded-user': 'alice' } });
      assert.equal(res.status, 200);
      assert.equal((await fetch(`${spoor.baseUrls.query}/api/services`)).status, 401, 'no user, no token: refused');
      assert.equal((await fetch(`${spoor.baseUrls.query}/api/services`, { headers: { authorization: 'Bearer tok-1' } })).status, 200);
      // The collector's proxy header is its own; gRPC carries it as metadata.
      const m = new grpc.Metadata();
      m.set('x-auth-user', 'ci');
      const exported = await exportOne(new OTLPGrpcExporter({ url: `http://${spoor.grpcAddress}`, metadata: m, timeoutMillis: 3000 }), 'via proxy');
      assert.ok(exported.ok, exported.error?.message);
      const plain = await exportOne(new OTLPGrpcExporter({ url: `http://${spoor.grpcAddress}`, timeoutMillis: 3000 }), 'no user');
      assert.equal(plain.ok, false);
      const metrics = await getMetrics(spoor);
      assert.ok(metric(metrics, 'spoor_auth_proxy_requests_total', { server: 'query' }) >= 1);
      assert.ok(metric(metrics, 'spoor_auth_proxy_requests_total', { server: 'otlp_grpc' }) >= 1);
    } finally {
      assert.equal(await spoor.stop(), 0);
    }
  });

  test('from an address not listed, the header is ignored', async () => {
    const spoor = await start('10.9.0.0/16');
    try {
      const res = await fetch(`${spoor.baseUrls.query}/api/services`, { headers: { 'x-forwarded-user': 'mallory' } });
      assert.equal(res.status, 401);
    } finally {
      assert.equal(await spoor.stop(), 0);
    }
  });

  test('a proxy list that is not addresses is refused at startup', async () => {
    const r = await runSpoor(['all-in-one', '--span-storage.type=memory', '--query.auth.trusted-proxies=10.0.0.0/40']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--query\.auth\.trusted-proxies: '10\.0\.0\.0\/40' is not an address or a network/);
  });
});
