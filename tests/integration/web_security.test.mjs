// What the query port does for browsers and against oversized asks
// (docs/security.md): security headers on every answer, a Content-Security-
// Policy that lets a UI page run its own inline scripts only, CORS off until
// origins are listed (and a preflight answered before any token is asked
// for), and the query limits: lookback, traces per search, spans per trace.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { postTraces, request, span } from '../lib/otlp.mjs';
import { jaegerTraceId, nowNs, randomSpanId, randomTraceId, startSpoor, tempDir, waitFor } from '../lib/spoor.mjs';

const HOUR_NS = 3_600_000_000_000n;

/** Posts one trace of `count` spans of `service`, starting `agoNs` ago. */
async function postTrace(spoor, service, { count = 1, agoNs = 60_000_000_000n } = {}) {
  const traceId = randomTraceId();
  const start = nowNs() - agoNs;
  const spans = Array.from({ length: count }, (_, i) =>
    span({ traceId, spanId: randomSpanId(), name: `op-${i}`, startNs: start + BigInt(i) * 1000n, endNs: start + BigInt(i) * 1000n + 500n }),
  );
  const res = await postTraces(spoor.baseUrls.otlpHttp, request([{ service, spans }]));
  assert.equal(res.status, 200);
  return traceId;
}

describe('security headers and the UI page policy', () => {
  let spoor;
  let uiDir;
  before(async () => {
    // A UI with an inline script, as the Jaeger UI's index.html has one
    // into which the query service writes its globals.
    uiDir = tempDir('spoor-csp-ui-');
    mkdirSync(path.join(uiDir, 'static'), { recursive: true });
    writeFileSync(
      path.join(uiDir, 'index.html'),
      '<!doctype html><html><head><base href="/" data-inject-target="BASE_URL" /><script>// JAEGER_CONFIG_JS\nconst JAEGER_CONFIG = DEFAULT_CONFIG;</script><script src="./static/app.js"></script></head><body></body></html>',
    );
    writeFileSync(path.join(uiDir, 'static/app.js'), 'console.log(1);');
    spoor = await startSpoor({ storage: { type: 'memory' }, flags: [`--query.static-files=${uiDir}`] });
  });
  after(async () => {
    if (spoor) assert.equal(await spoor.stop(), 0);
  });

  const expectCommon = (res) => {
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
  };

  test('API answers: nothing may be loaded or framed from them', async () => {
    for (const p of ['/api/services', '/api/traces/00000000000000000000000000000001', '/api/v3/services']) {
      const res = await fetch(`${spoor.baseUrls.query}${p}`);
      expectCommon(res);
      assert.equal(res.headers.get('content-security-policy'), "default-src 'none'; frame-ancestors 'none'", p);
    }
  });

  test("the UI page allows its own files and, by hash, exactly its inline scripts", async () => {
    const res = await fetch(`${spoor.baseUrls.query}/search`);
    assert.equal(res.status, 200);
    expectCommon(res);
    const html = await res.text();
    const inline = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    assert.equal(inline.length, 1);
    const hash = createHash('sha256').update(inline[0]).digest('base64');
    const csp = res.headers.get('content-security-policy');
    assert.match(csp, new RegExp(`script-src 'self' 'wasm-unsafe-eval' 'sha256-${hash.replace(/[+/]/g, '\\$&')}';`));
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /object-src 'none'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /'unsafe-eval'/); // WebAssembly may compile, JavaScript may not eval
    assert.doesNotMatch(csp, /script-src[^;]*unsafe-inline/);
    const js = await fetch(`${spoor.baseUrls.query}/static/app.js`);
    expectCommon(js);
    // A script started as a Web Worker runs under its own answer's policy:
    // the page's (the Jaeger UI's graph layout worker compiles WebAssembly).
    assert.match(js.headers.get('content-security-policy'), /^default-src 'self'; script-src 'self' 'wasm-unsafe-eval';/);
  });

  test('CORS is off by default: no header for another origin, no preflight', async () => {
    const res = await fetch(`${spoor.baseUrls.query}/api/services`, { headers: { origin: 'https://evil.example' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    const preflight = await fetch(`${spoor.baseUrls.query}/api/services`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    assert.notEqual(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
  });
});

describe('CORS for listed origins, before the token', () => {
  let spoor;
  before(async () => {
    const dir = tempDir('spoor-cors-');
    writeFileSync(path.join(dir, 'tokens'), 'tok-1\n');
    spoor = await startSpoor({
      storage: { type: 'memory' },
      flags: ['--query.cors.allowed-origins=https://grafana.example, https://ops.example', `--query.auth.bearer-tokens-file=${path.join(dir, 'tokens')}`],
    });
  });
  after(async () => {
    if (spoor) assert.equal(await spoor.stop(), 0);
  });

  test('a listed origin may read the API; another may not', async () => {
    const listed = await fetch(`${spoor.baseUrls.query}/api/services`, { headers: { origin: 'https://ops.example', authorization: 'Bearer tok-1' } });
    assert.equal(listed.status, 200);
    assert.equal(listed.headers.get('access-control-allow-origin'), 'https://ops.example');
    assert.match(listed.headers.get('vary'), /Origin/);
    const other = await fetch(`${spoor.baseUrls.query}/api/services`, { headers: { origin: 'https://evil.example', authorization: 'Bearer tok-1' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });

  test('the preflight is answered without a token; the request itself needs one', async () => {
    const preflight = await fetch(`${spoor.baseUrls.query}/api/traces`, {
      method: 'OPTIONS',
      headers: { origin: 'https://grafana.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://grafana.example');
    assert.match(preflight.headers.get('access-control-allow-headers'), /Authorization/);
    assert.match(preflight.headers.get('access-control-allow-methods'), /GET/);
    const noToken = await fetch(`${spoor.baseUrls.query}/api/services`, { headers: { origin: 'https://grafana.example' } });
    assert.equal(noToken.status, 401);
    assert.equal(noToken.headers.get('access-control-allow-origin'), 'https://grafana.example', 'the page can read why');
    assert.equal(noToken.headers.get('x-content-type-options'), 'nosniff');
  });
});

describe('query limits', () => {
  let spoor;
  before(async () => {
    spoor = await startSpoor({
      storage: { type: 'memory' },
      flags: ['--query.max-limit=2', '--query.max-trace-spans=3', '--query.max-lookback=1h'],
    });
  });
  after(async () => {
    if (spoor) assert.equal(await spoor.stop(), 0);
  });

  const search = async (params) => {
    const res = await fetch(`${spoor.baseUrls.query}/api/traces?${new URLSearchParams(params)}`);
    assert.equal(res.status, 200);
    return (await res.json()).data;
  };

  test('a search returns at most --query.max-limit traces', async () => {
    for (let i = 0; i < 4; i++) await postTrace(spoor, 'limited');
    let found;
    await waitFor(async () => (found = await search({ service: 'limited', limit: '10' })).length > 0);
    assert.equal(found.length, 2);
    const v3 = await fetch(`${spoor.baseUrls.query}/api/v3/traces?${new URLSearchParams({
      'query.service_name': 'limited',
      'query.start_time_min': new Date(Date.now() - 600_000).toISOString(),
      'query.start_time_max': new Date(Date.now() + 60_000).toISOString(),
      'query.search_depth': '10',
    })}`);
    assert.equal(v3.status, 200);
    const ids = new Set((await v3.json()).result.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((x) => x.traceId))));
    assert.equal(ids.size, 2);
  });

  test('a trace longer than --query.max-trace-spans is cut, saying so', async () => {
    const id = await postTrace(spoor, 'long', { count: 5 });
    let res;
    await waitFor(async () => (res = await fetch(`${spoor.baseUrls.query}/api/traces/${id}`)).status === 200);
    const trace = (await res.json()).data[0];
    assert.equal(trace.spans.length, 3);
    assert.deepEqual(trace.spans.map((s) => s.operationName).sort(), ['op-0', 'op-1', 'op-2'], 'the earliest are kept');
    const warnings = trace.spans.flatMap((s) => s.warnings ?? []);
    assert.ok(warnings.some((w) => /5 spans; the first 3 are shown/.test(w)), JSON.stringify(warnings));
  });

  test('a search does not reach further back than --query.max-lookback', async () => {
    await postTrace(spoor, 'old-and-new', { agoNs: 3n * HOUR_NS });
    const recent = await postTrace(spoor, 'old-and-new', { agoNs: 60_000_000_000n });
    const start = String((Date.now() - 4 * 3600_000) * 1000);
    let found;
    await waitFor(async () => (found = await search({ service: 'old-and-new', start, limit: '2' })).length > 0);
    assert.deepEqual(found.map((t) => t.traceID), [jaegerTraceId(recent)], 'only the trace within the last hour');
  });
});
