// The web UI in a real browser (Debian's chromium, headless), served by
// spoor itself from ui/dist (--query.static-files), at / and under
// --query.base-path=/jaeger, with traces written over OTLP.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startSpoor, tempDir } from '../../tests/lib/spoor.mjs';
import { request, span, SpanKind } from '../../tests/lib/otlp.mjs';
import { DIST_DIR, launchBrowser, newCheckedPage, requireBrowserAndBuild } from './lib/browser.mjs';
import { LARGE_SPANS, XSS_NAME, XSS_TAG, seed } from './lib/seed.mjs';

requireBrowserAndBuild();

let spoor; // the UI at /
let spoorJaeger; // the UI under /jaeger/
let ui;
let uiJaeger;
let browser;
let traces;

// The storage backend: memory, or $SPOOR_STORAGE (the same pages on the
// clickhouse backend: ctest -R ui.e2e.clickhouse).
const STORAGE = process.env.SPOOR_STORAGE || 'memory';

before(async () => {
  const flags = [`--query.static-files=${DIST_DIR}`];
  spoor = await startSpoor({ storage: STORAGE, flags });
  spoorJaeger = await startSpoor({ storage: STORAGE, flags: [...flags, '--query.base-path=/jaeger'] });
  traces = await seed(spoor);
  await seed(spoorJaeger, { large: false, queryUrl: `${spoorJaeger.baseUrls.query}/jaeger` });
  ui = { url: `${spoor.baseUrls.query}/` };
  uiJaeger = { url: `${spoorJaeger.baseUrls.query}/jaeger/` };
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await spoor?.stop();
  await spoorJaeger?.stop();
});

/** A new page that fails the test on any uncaught page error. */
const newPage = () => newCheckedPage(browser);

describe('search', () => {
  test('finds traces of a service, plots them and lists them; the URL carries the search', async () => {
    const page = await newPage();
    await page.goto(`${ui.url}search`);
    await page.locator('select[name=service]').selectOption('shop-frontend');
    await page.getByRole('button', { name: 'Find traces' }).click();
    await page.waitForURL(/service=shop-frontend/);
    await page.getByTestId('result-count').filter({ hasText: '2 traces' }).waitFor();
    assert.equal(await page.locator('.trace-item').count(), 2);
    await page.getByTestId('scatter-plot').locator('.recharts-symbols').first().waitFor();
    const first = page.locator('.trace-item').first();
    assert.match(await first.textContent(), /shop-frontend: GET \/checkout/);
    assert.match(await first.textContent(), /shop-backend/);
    assert.match(await first.textContent(), /error/);

    // Sorting: longest first puts variant A (120 ms) on top.
    await page.getByLabel('Sort traces').selectOption('longest');
    assert.equal(await page.locator('.trace-item').first().getAttribute('data-trace-id'), traces.checkoutA.traceId);
    await page.getByLabel('Sort traces').selectOption('shortest');
    assert.equal(await page.locator('.trace-item').first().getAttribute('data-trace-id'), traces.checkoutB.traceId);

    // The same URL in a new page gives the same results.
    const shared = await newPage();
    await shared.goto(page.url());
    await shared.getByTestId('result-count').filter({ hasText: '2 traces' }).waitFor();
    assert.deepEqual(page.errors, []);
    await Promise.all([page.close(), shared.close()]);
  });

  test('tags in logfmt, operation and duration bounds narrow the search', async () => {
    const page = await newPage();
    await page.goto(`${ui.url}search?service=shop-backend&lookback=1h`);
    await page.locator('select[name=service]').selectOption('shop-backend');
    await page.locator('select[name=spanKind]').selectOption('client');
    await page.locator('select[name=operation] option[value="cache get"]').waitFor({ state: 'attached' });
    const clientOps = await page.locator('select[name=operation] option').allTextContents();
    assert.deepEqual(clientOps, ['all', 'cache get'], 'operations of that span kind only');
    await page.locator('select[name=spanKind]').selectOption('server');
    await page.locator('select[name=operation] option[value="/cart"]').waitFor({ state: 'attached' });
    await page.locator('select[name=operation]').selectOption('/cart');
    await page.locator('input[name=tags]').fill('cart.id=c-42');
    await page.locator('input[name=minDuration]').fill('50ms');
    await page.getByRole('button', { name: 'Find traces' }).click();
    await page.waitForURL(/minDuration=50ms/);
    assert.equal(new URL(page.url()).searchParams.get('operation'), '/cart');
    assert.equal(new URL(page.url()).searchParams.get('spanKind'), 'server');
    await page.getByTestId('result-count').filter({ hasText: '2 traces' }).waitFor();
    await page.locator('input[name=tags]').fill('cart.id=nope');
    await page.getByRole('button', { name: 'Find traces' }).click();
    await page.getByTestId('result-count').filter({ hasText: '0 traces' }).waitFor();
    const url = new URL(page.url());
    assert.deepEqual(JSON.parse(url.searchParams.get('tags')), { 'cart.id': 'nope' });
    // An unclosed quote is refused before anything is sent.
    await page.locator('input[name=tags]').fill('a="open');
    assert.equal(await page.getByRole('button', { name: 'Find traces' }).isDisabled(), true);
    await page.close();
  });

  test('a click on a point of the scatter plot opens that trace', async () => {
    const page = await newPage();
    await page.goto(`${ui.url}search?service=xss-service&lookback=1h`);
    const point = page.getByTestId('scatter-plot').locator('.recharts-symbols').first();
    await point.waitFor();
    await point.click();
    await page.waitForURL(new RegExp(`/trace/${traces.xss.traceId}$`));
    await page.locator('.span-row').first().waitFor();
    await page.close();
  });

  test('two selected traces open the comparison', async () => {
    const page = await newPage();
    await page.goto(`${ui.url}search?service=shop-frontend&lookback=1h&limit=20`);
    await page.locator('.trace-item').nth(1).waitFor();
    await page.locator('.trace-item input[type=checkbox]').nth(0).check();
    await page.locator('.trace-item input[type=checkbox]').nth(1).check();
    await page.getByRole('button', { name: /Compare 2\/2/ }).click();
    await page.waitForURL(/\/trace\/[0-9a-f]+\.\.\.[0-9a-f]+$/);
    await page.getByRole('table', { name: 'Trace comparison' }).waitFor();
    await page.close();
  });
});

describe('trace page', () => {
  test('shows the header, the timeline and a span detail with logs and references', async () => {
    const page = await newPage();
    await page.goto(`${ui.url}trace/${traces.checkoutA.traceId}`);
    await page.locator('.trace-header').waitFor();
    const header = await page.locator('.trace-header').textContent();
    assert.match(header, /shop-frontend: GET \/checkout/);
    assert.equal(await page.getByTestId('span-count').textContent(), '4');
    assert.match(header, /Depth\s*4/);
    assert.match(header, /Services\s*3/);
    assert.equal(await page.locator('.span-row').count(), 4);
    assert.equal(await page.locator('.span-row.has-error').count(), 1);
    assert.ok((await page.locator('.span-row .critical').count()) > 0, 'critical path drawn');
    await page.getByLabel('Critical path').uncheck();
    assert.equal(await page.locator('.span-row .critical').count(), 0);
    await page.getByLabel('Critical path').check();

    await page.locator('.span-row', { hasText: '/cart' }).filter({ hasText: 'shop-backend' }).click();
    const detail = page.getByTestId('span-detail');
    await detail.waitFor();
    const text = await detail.textContent();
    assert.match(text, /cart\.id/);
    assert.match(text, /FOLLOWS_FROM/);
    assert.match(text, /CHILD_OF/);

    await page.locator('.span-row', { hasText: 'GET /checkout' }).click();
    const root = await detail.textContent();
    assert.match(root, /cart loaded/);
    assert.match(root, /\+5ms/, 'log time relative to the trace start');
    assert.match(root, /host\.name/, 'process tags');

    // Collapsing the root hides its three descendants.
    await page.locator('.span-row', { hasText: 'GET /checkout' }).getByRole('button', { name: 'Collapse' }).click();
    assert.equal(await page.locator('.span-row').count(), 1);
    await page.getByRole('button', { name: 'Expand all' }).click();
    assert.equal(await page.locator('.span-row').count(), 4);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('find in trace and uiFind highlight spans', async () => {
    const page = await newPage();
    await page.goto(`${ui.url}trace/${traces.checkoutA.traceId}`);
    await page.getByLabel('Find in trace').fill('postgresql');
    await page.getByTestId('find-count').filter({ hasText: '1 match' }).waitFor();
    assert.equal(await page.locator('.span-row.matched').count(), 1);
    assert.match(page.url(), /uiFind=postgresql/);

    const trace = await (await fetch(`${spoor.baseUrls.query}/api/traces/${traces.checkoutA.traceId}`)).json();
    const db = trace.data[0].spans.find((s) => s.operationName === 'SELECT cart');
    await page.goto(`${ui.url}trace/${traces.checkoutA.traceId}?uiFind=${db.spanID}`);
    await page.locator('.span-row.matched').waitFor();
    assert.match(await page.locator('.span-row.matched').textContent(), /SELECT cart/);
    assert.match(await page.getByTestId('span-detail').textContent(), /SELECT cart/);
    await page.close();
  });

  test('other views: graph, statistics, flame graph, span table, JSON', async () => {
    const page = await newPage();
    await page.goto(`${ui.url}trace/${traces.checkoutA.traceId}`);
    await page.getByRole('tab', { name: 'Graph', exact: true }).click();
    await page.getByRole('img', { name: 'Trace graph' }).waitFor();
    assert.equal(await page.locator('.dag-node').count(), 4);
    await page.getByRole('tab', { name: 'Statistics' }).click();
    assert.match(await page.getByRole('table', { name: 'Trace statistics' }).textContent(), /SELECT cart/);
    await page.getByRole('tab', { name: 'Flame graph' }).click();
    assert.equal(await page.locator('.flame-node').count(), 4);
    await page.getByRole('tab', { name: 'Spans table' }).click();
    assert.equal(await page.locator('.st-row:not(.st-head)').count(), 4);
    await page.getByRole('tab', { name: 'JSON' }).click();
    const lines = await page.getByTestId('trace-json').locator('.json-line').allTextContents();
    assert.equal(lines[0], '{');
    assert.ok(lines.includes(`  "traceID": "${traces.checkoutA.traceId}",`), lines.slice(0, 3).join('\n'));
    const download = await page.getByRole('link', { name: 'Download JSON' }).getAttribute('href');
    assert.match(download, /^blob:/);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('dragging across the minimap zooms the timeline; a double click resets it', async () => {
    const page = await newPage();
    await page.goto(`${ui.url}trace/${traces.checkoutA.traceId}`);
    const minimap = page.getByTestId('minimap');
    await minimap.waitFor();
    const box = await minimap.boundingBox();
    const lastTick = () => page.locator('.timeline-head .tick').last().textContent();
    assert.equal(await lastTick(), '120ms');
    await page.mouse.move(box.x + box.width * 0.5, box.y + 20);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.75, box.y + 20, { steps: 5 });
    await page.mouse.up();
    await page.getByRole('button', { name: 'Reset zoom' }).waitFor();
    assert.equal(await lastTick(), '90ms');
    await minimap.dblclick();
    await page.getByRole('button', { name: 'Reset zoom' }).waitFor({ state: 'detached' });
    assert.equal(await lastTick(), '120ms');
    await page.close();
  });

  test('a span ID in the span table shows that span in the timeline', async () => {
    const page = await newPage();
    await page.goto(`${ui.url}trace/${traces.checkoutA.traceId}`);
    await page.getByRole('tab', { name: 'Spans table' }).click();
    await page.locator('.st-row', { hasText: 'SELECT cart' }).locator('button').click();
    await page.locator('.span-row.matched', { hasText: 'SELECT cart' }).waitFor();
    assert.match(page.url(), /uiFind=[0-9a-f]{16}/);
    await page.getByTestId('span-detail').filter({ hasText: 'postgresql' }).waitFor();
    await page.close();
  });

  test('keyboard: Enter opens a span, arrows fold and unfold', async () => {
    const page = await newPage();
    await page.goto(`${ui.url}trace/${traces.checkoutA.traceId}`);
    const root = page.locator('.span-row', { hasText: 'GET /checkout' });
    await root.focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('span-detail').filter({ hasText: 'GET /checkout' }).waitFor();
    await page.keyboard.press('ArrowLeft');
    assert.equal(await page.locator('.span-row').count(), 1);
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.locator('.span-row').count(), 4);
    await page.close();
  });

  test('an unknown trace shows an error', async () => {
    const page = await newPage();
    await page.goto(`${ui.url}trace/00000000000000000000000000abcdef`);
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').textContent(), /404/);
    await page.close();
  });
});

test('markup in span names, tags and logs is shown as text and never runs', async () => {
  const page = await newPage();
  await page.goto(`${ui.url}search?service=xss-service&lookback=1h`);
  await page.locator('.trace-item').waitFor();
  assert.match(await page.locator('.trace-item').textContent(), /<img src=x onerror=window.__xss=1>/);
  await page.locator('.trace-name').click();
  await page.locator('.span-row').click();
  const detail = await page.getByTestId('span-detail').textContent();
  assert.ok(detail.includes(XSS_TAG), 'tag value visible as text');
  assert.ok(detail.includes(XSS_NAME), 'name visible as text');
  for (const tab of ['Graph', 'Statistics', 'Flame graph', 'Spans table', 'JSON', 'Timeline']) {
    await page.getByRole('tab', { name: tab, exact: true }).click();
  }
  // The comparison names spans too.
  await page.goto(`${ui.url}trace/${traces.xss.traceId}...${traces.checkoutA.traceId}`);
  await page.getByRole('table', { name: 'Trace comparison' }).waitFor();
  assert.ok((await page.locator('tr.diff-only-a').textContent()).includes(XSS_NAME));
  assert.equal(await page.locator('img[src=x]').count(), 0);
  assert.equal(await page.locator('main script').count(), 0);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  await page.close();
});

// How fast it is on a quiet machine is measured, not asserted (a shared
// machine's load decides the wall clock): the time is reported, and what
// makes it fast, rows rendered only where they are seen, is asserted.
test(`a ${LARGE_SPANS}-span trace is shown with its rows virtualised, and is interactive`, async (t) => {
  const page = await newPage();
  // Warm the browser's cache of the app itself, as any visit after the first has.
  await page.goto(`${ui.url}search`);
  const started = Date.now();
  await page.goto(`${ui.url}trace/${traces.large.traceId}`);
  await page
    .getByTestId('span-count')
    .filter({ hasText: String(LARGE_SPANS) })
    .waitFor({ timeout: 30_000 });
  await page.locator('.span-row').first().waitFor();
  // Interactive: a click on a row opens its detail.
  await page.locator('.span-row').nth(3).click();
  await page.getByTestId('span-detail').waitFor();
  const elapsed = Date.now() - started;
  const rendered = await page.locator('.span-row').count();
  t.diagnostic(`${LARGE_SPANS} spans: interactive after ${elapsed} ms (${rendered} rows in the DOM)`);
  console.log(`# large trace: ${LARGE_SPANS} spans interactive after ${elapsed} ms, ${rendered} rows rendered`);
  assert.ok(rendered < 200, `rows are virtualised (${rendered} in the DOM)`);

  // Scrolling to the bottom reaches the last span.
  await page.getByTestId('timeline').evaluate((el) => (el.scrollTop = el.scrollHeight));
  await page.waitForFunction(() => [...document.querySelectorAll('.span-row')].some((r) => r.textContent.includes('large-op')));
  await page.close();
});

test('compare shows spans found in only one trace', async () => {
  const page = await newPage();
  await page.goto(`${ui.url}trace/${traces.checkoutA.traceId}...${traces.checkoutB.traceId}`);
  const table = page.getByRole('table', { name: 'Trace comparison' });
  await table.waitFor();
  assert.match(await table.locator('tr.diff-only-a').textContent(), /shop-db: SELECT cart/);
  assert.match(await table.locator('tr.diff-only-b').textContent(), /shop-backend: cache get/);
  assert.match(await table.locator('tr.diff-changed').first().textContent(), /GET \/checkout/);
  await page.close();
});

test('system architecture shows the service dependency graph with call counts', async () => {
  const res = await (await fetch(`${spoor.baseUrls.query}/api/dependencies?endTs=${Date.now()}&lookback=3600000`)).json();
  const page = await newPage();
  await page.goto(`${ui.url}dependencies`);
  if (!res.data?.length) {
    await page.getByText('No calls between services').waitFor();
    await page.close();
    return;
  }
  await page.getByRole('img', { name: 'Service dependency graph' }).waitFor();
  const names = await page.locator('.dag-node').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-node')));
  assert.ok(names.includes('shop-frontend') && names.includes('shop-backend'), names.join(','));
  await page.getByRole('button', { name: 'Table' }).click();
  assert.match(await page.getByRole('table', { name: 'Service dependencies' }).textContent(), /shop-frontend\s*shop-backend\s*2/);
  await page.getByRole('button', { name: 'Graph' }).click();
  await page.locator('.dag-node[data-node="shop-backend"]').click();
  await page.waitForURL(/\/search\?service=shop-backend$/);
  await page.locator('.trace-item').first().waitFor();
  await page.close();
});

test('an OTLP JSON file opens through /api/transform', async () => {
  const dir = tempDir('spoor-ui-upload-');
  const file = path.join(dir, 'otlp.json');
  const now = BigInt(Date.now()) * 1_000_000n;
  const traceId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
  writeFileSync(
    file,
    JSON.stringify(
      request([
        {
          service: 'uploaded-svc',
          spans: [
            span({ traceId, spanId: '1111222233334444', name: 'from-file', kind: SpanKind.SERVER, startNs: now, endNs: now + 1_000_000n }),
          ],
        },
      ]),
    ),
  );
  const page = await newPage();
  await page.goto(`${ui.url}upload`);
  await page.getByLabel('Trace file').setInputFiles(file);
  await page.waitForURL(new RegExp(`/trace/${traceId}$`));
  assert.match(await page.locator('.trace-header').textContent(), /uploaded-svc: from-file/);
  await page.close();
});

test('a Jaeger JSON file opens without the server', async () => {
  const res = await (await fetch(`${spoor.baseUrls.query}/api/traces/${traces.checkoutB.traceId}`)).json();
  const copy = structuredClone(res);
  const id = 'feedfacefeedfacefeedfacefeedface';
  copy.data[0].traceID = id;
  for (const s of copy.data[0].spans) s.traceID = id;
  const file = path.join(tempDir('spoor-ui-upload-'), 'jaeger.json');
  writeFileSync(file, JSON.stringify(copy));
  const page = await newPage();
  await page.goto(`${ui.url}upload`);
  await page.getByLabel('Trace file').setInputFiles(file);
  await page.waitForURL(new RegExp(`/trace/${id}$`));
  assert.equal(await page.getByTestId('span-count').textContent(), '4');
  await page.close();
});

test('spoor serves the build: index.html revalidated, hashed assets cached for good', async () => {
  assert.match(spoor.logs, /info web UI: \d+ files from .*\/ui\/dist\n/);
  const index = await fetch(`${ui.url}trace/${traces.checkoutA.traceId}`);
  assert.equal(index.status, 200);
  assert.equal(index.headers.get('cache-control'), 'no-cache');
  const html = await index.text();
  assert.match(html, /<base href="\/" data-inject-target="BASE_URL" \/>/);
  const asset = html.match(/src="\.\/(assets\/[^"]+\.js)"/)[1];
  const js = await fetch(`${ui.url}${asset}`);
  assert.equal(js.status, 200);
  assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  await js.arrayBuffer();
  const prefixed = await (await fetch(`${uiJaeger.url}search`)).text();
  assert.match(prefixed, /<base href="\/jaeger\/" data-inject-target="BASE_URL" \/>/);
});

test('under a base path the app, its links and its API calls stay under it', async () => {
  const page = await newPage();
  const requests = [];
  page.on('request', (r) => r.url().startsWith('http') && requests.push(new URL(r.url()).pathname));
  await page.goto(`${uiJaeger.url}search?service=shop-frontend&lookback=1h`);
  await page.locator('.trace-item').first().waitFor();
  await page.locator('.trace-name').first().click();
  await page.waitForURL(/\/jaeger\/trace\/[0-9a-f]+$/);
  await page.locator('.span-row').first().waitFor();
  await page.goto(`${uiJaeger.url}no/such/page`);
  await page.locator('form[aria-label="Search traces"]').waitFor();
  assert.deepEqual(page.errors, []);
  const outside = requests.filter((p) => !p.startsWith('/jaeger/'));
  assert.deepEqual(outside, [], 'every request stays under /jaeger/');
  assert.ok(
    requests.some((p) => p.startsWith('/jaeger/api/')),
    'the API is called under the prefix',
  );
  await page.close();
});

test('dark mode and UTC are remembered', async () => {
  const page = await newPage();
  await page.goto(`${ui.url}trace/${traces.checkoutA.traceId}`);
  await page.getByRole('button', { name: 'Toggle dark mode' }).click();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  await page.getByLabel('UTC').check();
  await page.locator('.trace-facts', { hasText: 'UTC' }).waitFor();
  await page.reload();
  await page.locator('.trace-facts', { hasText: 'UTC' }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  await page.close();
});
