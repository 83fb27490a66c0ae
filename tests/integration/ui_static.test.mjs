// The web UI's files served by the query port over real HTTP: a small
// stand-in build (not ui/dist, so this suite does not depend on the UI
// being built) given with --query.static-files, at / and under a base path;
// raw request targets that try to climb out of the folder.

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fetchJson, portFlags, runSpoor, startSpoor, tempDir } from '../lib/spoor.mjs';

const INDEX = `<!doctype html>
<html><head><base href="/" data-inject-target="BASE_URL" />
<script type="module" src="./assets/index-T3st.js"></script></head>
<body><div id="root"></div></body></html>
`;
const SECRET = 'not for the browser';

/** A folder holding dist/ and, beside it, secret.txt. */
function makeBuild() {
  const root = tempDir('spoor-ui-static-');
  const dist = path.join(root, 'dist');
  mkdirSync(path.join(dist, 'assets'), { recursive: true });
  writeFileSync(path.join(dist, 'index.html'), INDEX);
  writeFileSync(path.join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(path.join(dist, 'assets', 'index-T3st.js'), 'export {};\n');
  writeFileSync(path.join(dist, 'assets', 'index-T3st.css'), 'body{}\n');
  writeFileSync(path.join(root, 'secret.txt'), SECRET);
  return dist;
}

/** GET with the request target sent exactly as given (fetch would normalise ".."). */
function rawGet(port, target) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: target, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`GET ${target} timed out`)));
    req.end();
  });
}

const TRAVERSALS = [
  '/../secret.txt',
  '/%2e%2e/secret.txt',
  '/%2E%2E/secret.txt',
  '/assets/../../secret.txt',
  '/assets/%2e%2e/%2e%2e/secret.txt',
  '/..%2fsecret.txt',
  '/%2e%2e%2fsecret.txt',
  '/..%5csecret.txt',
  '//etc/passwd',
  '/%2fetc/passwd',
  '/index.html%00.js',
];

describe('the UI at /', () => {
  let spoor;
  let dist;
  before(async () => {
    dist = makeBuild();
    spoor = await startSpoor({ flags: [`--query.static-files=${dist}`] });
  });
  after(async () => {
    if (spoor) assert.equal(await spoor.stop(), 0);
  });

  test('startup says where the UI comes from', () => {
    assert.match(spoor.logs, new RegExp(`info web UI: 4 files from ${dist.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n`));
  });

  test('files are served with their type and cache headers', async () => {
    const q = spoor.baseUrls.query;
    const js = await fetchJson(`${q}/assets/index-T3st.js`);
    assert.equal(js.status, 200);
    assert.equal(js.text, 'export {};\n');
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    const css = await fetchJson(`${q}/assets/index-T3st.css`);
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
    const svg = await fetchJson(`${q}/favicon.svg`);
    assert.equal(svg.headers.get('content-type'), 'image/svg+xml');
    assert.equal(svg.headers.get('cache-control'), 'no-cache');
    const missing = await fetchJson(`${q}/assets/index-Gone.js`);
    assert.equal(missing.status, 404);
  });

  test('client-side routes answer index.html; the API stays the API', async () => {
    const q = spoor.baseUrls.query;
    for (const p of ['/', '/search?service=a&lookback=1h', '/trace/0123456789abcdef', '/dependencies', '/x/y']) {
      const res = await fetchJson(`${q}${p}`);
      assert.equal(res.status, 200, p);
      assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8', p);
      assert.equal(res.headers.get('cache-control'), 'no-cache', p);
      assert.equal(res.text, INDEX, p);
    }
    const services = await fetchJson(`${q}/api/services`);
    assert.equal(services.status, 200);
    assert.deepEqual(services.body.data, []);
  });

  test('no request target reaches a file outside the folder', async () => {
    for (const target of TRAVERSALS) {
      const res = await rawGet(spoor.ports.query, target);
      assert.ok(!res.body.includes(SECRET), `${target} leaked the file`);
      assert.equal(res.status, 404, `${target}: ${res.status} ${res.body.slice(0, 100)}`);
    }
  });
});

describe('the UI under --query.base-path=/jaeger', () => {
  let spoor;
  before(async () => {
    spoor = await startSpoor({ flags: [`--query.static-files=${makeBuild()}`, '--query.base-path=/jaeger'] });
  });
  after(async () => {
    if (spoor) assert.equal(await spoor.stop(), 0);
  });

  test('index.html points its <base> at the prefix, for every page', async () => {
    const q = spoor.baseUrls.query;
    for (const p of ['/jaeger/', '/jaeger/search', '/jaeger/trace/0123456789abcdef']) {
      const res = await fetchJson(`${q}${p}`);
      assert.equal(res.status, 200, p);
      assert.equal(res.text, INDEX.replace('<base href="/"', '<base href="/jaeger/"'), p);
    }
    const js = await fetchJson(`${q}/jaeger/assets/index-T3st.js`);
    assert.equal(js.text, 'export {};\n');
    const bare = await fetchJson(`${q}/jaeger`, { redirect: 'manual' });
    assert.equal(bare.status, 302);
    assert.equal(bare.headers.get('location'), '/jaeger/');
    assert.equal((await fetchJson(`${q}/search`)).status, 404, 'nothing outside the prefix');
    assert.equal((await fetchJson(`${q}/jaeger/api/services`)).status, 200);
  });

  test('no request target reaches a file outside the folder', async () => {
    for (const target of TRAVERSALS.map((t) => `/jaeger${t}`)) {
      const res = await rawGet(spoor.ports.query, target);
      assert.ok(!res.body.includes(SECRET), `${target} leaked the file`);
      assert.equal(res.status, 404, `${target}: ${res.status}`);
    }
  });
});

test('a --query.static-files without index.html stops startup with a message', async () => {
  const empty = tempDir('spoor-ui-empty-');
  const { code, stderr } = await runSpoor(
    ['all-in-one', ...(await portFlags()), '--span-storage.type=memory', `--query.static-files=${empty}`],
    { timeoutMs: 8000 },
  );
  assert.equal(code, 1, stderr);
  assert.match(stderr, new RegExp(`error --query.static-files: no index.html in ${empty}`));
});
