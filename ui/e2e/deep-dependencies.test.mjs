// The deep dependency view in a real browser: a call tree across four
// services goes to spoor over OTLP, and the page draws the paths through the
// middle service (callers left, callees right), lists the exemplar traces of
// a node, opens one, and re-centres on another node.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fetchJson, nowNs, randomSpanId, randomTraceId, startSpoor, waitFor, waitForTrace } from '../../tests/lib/spoor.mjs';
import { request, sendTraces, span, SpanKind } from '../../tests/lib/otlp.mjs';
import { DIST_DIR, launchBrowser, newCheckedPage, requireBrowserAndBuild } from './lib/browser.mjs';

requireBrowserAndBuild();

const STORAGE = process.env.SPOOR_STORAGE || 'memory';
const OLD = 'legacy-batch'; // traces of three hours ago only

const ms = (n) => BigInt(Math.round(n * 1000)) * 1000n;

let spoor; // the UI at /, span metrics flushed every second
let spoorJaeger; // the UI under /jaeger/
let browser;
const ids = { full: [], short: [], health: '', about: '', old: '' };

/**
 * web GET /shop → api GET /items → stock GET /stock, and (when `pricing`)
 * api GET /items → pricing GET /price → stock GET /stock; each call a client
 * span in the caller and a server span in the callee.
 */
function shopTrace(base, pricing) {
  const traceId = randomTraceId();
  const out = { web: [], api: [], stock: [], pricing: [] };
  const add = (service, name, kind, parent, from, to) => {
    const spanId = randomSpanId();
    out[service].push(span({ traceId, spanId, parentSpanId: parent, name, kind, startNs: base + ms(from), endNs: base + ms(to) }));
    return spanId;
  };
  const root = add('web', 'GET /shop', SpanKind.SERVER, undefined, 0, 60);
  const toApi = add('web', 'GET api/items', SpanKind.CLIENT, root, 2, 58);
  const items = add('api', 'GET /items', SpanKind.SERVER, toApi, 3, 57);
  const toStock = add('api', 'GET stock', SpanKind.CLIENT, items, 5, 15);
  add('stock', 'GET /stock', SpanKind.SERVER, toStock, 6, 14);
  if (pricing) {
    const toPricing = add('api', 'GET pricing', SpanKind.CLIENT, items, 20, 50);
    const price = add('pricing', 'GET /price', SpanKind.SERVER, toPricing, 21, 49);
    const priceStock = add('pricing', 'GET stock', SpanKind.CLIENT, price, 25, 35);
    add('stock', 'GET /stock', SpanKind.SERVER, priceStock, 26, 34);
  }
  return { traceId, out };
}

function single(service, name, startNs) {
  const traceId = randomTraceId();
  return {
    traceId,
    req: { service, spans: [span({ traceId, spanId: randomSpanId(), name, kind: SpanKind.SERVER, startNs, endNs: startNs + ms(5) })] },
  };
}

/** Two traces through pricing, one without, api's health check, an unrelated call and an old batch job. */
function traffic() {
  const base = nowNs() - 30_000_000_000n;
  const shops = [shopTrace(base, true), shopTrace(base + ms(1000), true), shopTrace(base + ms(2000), false)];
  ids.full = shops.slice(0, 2).map((s) => s.traceId);
  ids.short = [shops[2].traceId];
  const health = single('api', 'GET /health', base + ms(3000));
  const about = single('web', 'GET /about', base + ms(4000));
  const old = single(OLD, 'nightly', nowNs() - 3n * 3600n * 1_000_000_000n);
  ids.health = health.traceId;
  ids.about = about.traceId;
  ids.old = old.traceId;
  const resources = ['web', 'api', 'stock', 'pricing'].map((service) => ({ service, spans: shops.flatMap((s) => s.out[service]) }));
  for (const extra of [health, about, old]) resources.push(extra.req);
  return request(resources);
}

async function seed(s, queryUrl) {
  await sendTraces(s.baseUrls.otlpHttp, traffic());
  for (const id of ids.full) await waitForTrace(queryUrl, id, { minSpans: 9 });
  for (const id of [...ids.short, ids.health, ids.about, ids.old]) await waitForTrace(queryUrl, id);
}

before(async () => {
  const flags = [`--query.static-files=${DIST_DIR}`];
  spoor = await startSpoor({ storage: STORAGE, flags: [...flags, '--span-metrics.flush-interval=1s'] });
  spoorJaeger = await startSpoor({ storage: STORAGE, flags: [...flags, '--query.base-path=/jaeger'] });
  await seed(spoorJaeger, `${spoorJaeger.baseUrls.query}/jaeger`);
  await seed(spoor, spoor.baseUrls.query);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await spoor?.stop();
  await spoorJaeger?.stop();
});

/** A new page that fails the test on any uncaught page error. */
const newPage = () => newCheckedPage(browser);

const view = (query) => `${spoor.baseUrls.query}/deep-dependencies?${new URLSearchParams(query)}`;

/** Waits until the graph for the current selection is drawn. */
async function drawn(page, focal) {
  await page.locator(`.deep-page[aria-busy=false] .paths-node[data-focal=true][data-service="${focal}"]`).first().waitFor();
}

/** The nodes as "distance service:operation", a star marking the focal ones, sorted. */
async function nodes(page) {
  const list = await page.locator('.paths-node').evaluateAll((els) =>
    els.map((e) => {
      const { distance, service, operation, focal } = e.dataset;
      return `${distance} ${operation === undefined ? service : `${service}:${operation}`}${focal === 'true' ? ' *' : ''}`;
    }),
  );
  return list.sort();
}

/** The edges as "from -> to (traces)", sorted. */
async function edges(page) {
  const list = await page.locator('.paths-edge').evaluateAll((els) =>
    els.map((e) => {
      const name = (id) => {
        const [d, s, o] = JSON.parse(id);
        return `${d} ${o === null ? s : `${s}:${o}`}`;
      };
      return `${name(e.dataset.from)} -> ${name(e.dataset.to)} (${e.dataset.traces})`;
    }),
  );
  return list.sort();
}

const node = (page, distance, service, operation) =>
  page.locator(`.paths-node[data-distance="${distance}"][data-service="${service}"]${operation ? `[data-operation="${operation}"]` : ''}`);

/** The trace IDs the detail panel lists, sorted. */
const exemplars = async (page) => (await page.getByRole('list', { name: 'Exemplar traces' }).getByRole('link').allTextContents()).sort();

describe('deep dependencies', () => {
  test('the System architecture page leads to the paths through the middle service', async () => {
    const page = await newPage();
    await page.goto(`${spoor.baseUrls.query}/dependencies`);
    await page
      .getByRole('navigation', { name: 'System architecture views' })
      .getByRole('link', { name: 'Paths through a service' })
      .click();
    await page.waitForURL(/\/deep-dependencies/);
    const top = page.getByRole('navigation').first().getByRole('link', { name: 'System architecture' });
    assert.match(await top.getAttribute('class'), /active/, 'the top navigation still marks System architecture');
    await page.getByLabel('Service', { exact: true }).selectOption('api');
    await page.waitForURL(/service=api/);
    await drawn(page, 'api');

    assert.deepEqual(await nodes(page), [
      '-1 web:GET /shop',
      '0 api:GET /health *',
      '0 api:GET /items *',
      '1 pricing:GET /price',
      '1 stock:GET /stock',
      '2 stock:GET /stock',
    ]);
    assert.deepEqual(await edges(page), [
      '-1 web:GET /shop -> 0 api:GET /items (3)',
      '0 api:GET /items -> 1 pricing:GET /price (2)',
      '0 api:GET /items -> 1 stock:GET /stock (3)',
      '1 pricing:GET /price -> 2 stock:GET /stock (2)',
    ]);
    // Callers left of the focal column, callees right of it, in distance order.
    const x = async (loc) => (await loc.boundingBox()).x;
    const web = await x(node(page, -1, 'web'));
    const items = await x(node(page, 0, 'api', 'GET /items'));
    const stock1 = await x(node(page, 1, 'stock'));
    const stock2 = await x(node(page, 2, 'stock'));
    assert.ok(web < items && items < stock1 && stock1 < stock2, `columns at ${[web, items, stock1, stock2]}`);
    assert.deepEqual(await page.locator('.paths-column').allTextContents(), [
      '1 hop upstream',
      'focus',
      '1 hop downstream',
      '2 hops downstream',
    ]);
    // The focal nodes stand out.
    const focalStroke = await node(page, 0, 'api', 'GET /items')
      .locator('.paths-node-box')
      .evaluate((r) => getComputedStyle(r).strokeWidth);
    const otherStroke = await node(page, -1, 'web')
      .locator('.paths-node-box')
      .evaluate((r) => getComputedStyle(r).strokeWidth);
    assert.equal(focalStroke, '3.5px');
    assert.equal(otherStroke, '2px');
    assert.match(await page.getByTestId('deep-summary').textContent(), /^3 paths · 4 traces · until /);
    assert.equal(await page.getByRole('group', { name: 'Paths through api' }).count(), 1);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('per service, and one operation', async () => {
    const page = await newPage();
    await page.goto(view({ service: 'api' }));
    await drawn(page, 'api');
    // The URL changes after the click (the router navigates asynchronously): click, then wait for it.
    await page.getByLabel('Show operations').click();
    await page.waitForURL(/showOperations=false/);
    await page.locator('.paths-node[data-service=api]:not([data-operation])').waitFor();
    assert.deepEqual(await nodes(page), ['-1 web', '0 api *', '1 pricing', '1 stock', '2 stock']);
    assert.match(await node(page, 0, 'api').textContent(), /2 operations/);

    await page.getByLabel('Show operations').click();
    await page.waitForURL((u) => !u.searchParams.has('showOperations'));
    await page.locator('.paths-node[data-operation="GET /health"]').waitFor();
    await page.getByLabel('Operation', { exact: true }).selectOption('GET /health');
    await page.waitForURL(/operation=GET\+%2Fhealth/);
    await page.locator('.deep-page[aria-busy=false]').waitFor();
    await page.getByTestId('deep-summary').filter({ hasText: '1 path · 1 trace' }).waitFor();
    assert.deepEqual(await nodes(page), ['0 api:GET /health *']);
    assert.deepEqual(await edges(page), []);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test("a node's exemplar traces, and one of them opened", async () => {
    const page = await newPage();
    await page.goto(view({ service: 'api' }));
    await drawn(page, 'api');
    await node(page, 0, 'api', 'GET /items').click();
    const panel = page.getByRole('complementary', { name: 'Selected node' });
    await panel.waitFor();
    assert.equal(await node(page, 0, 'api', 'GET /items').getAttribute('aria-pressed'), 'true');
    assert.deepEqual(await exemplars(page), [...ids.full, ...ids.short].sort());
    assert.match(await panel.getByTestId('node-facts').textContent(), /^focus · 2 paths · 3 traces$/);
    // The paths through another node: only the two traces through pricing; the others fade.
    await node(page, 2, 'stock').click();
    assert.deepEqual(await exemplars(page), [...ids.full].sort());
    assert.match(await panel.getByTestId('node-facts').textContent(), /^2 hops downstream · 1 path · 2 traces$/);
    assert.equal(await page.locator('.paths-node.dim').count(), 2, 'health check and the direct stock call fade');

    await panel.getByRole('link', { name: ids.full[0] }).click();
    await page.waitForURL(new RegExp(`/trace/${ids.full[0]}$`));
    await page.locator('.trace-header .root-service').filter({ hasText: 'web' }).waitFor();
    assert.equal(await page.locator('.trace-header .root-operation').textContent(), 'GET /shop');
    assert.equal(await page.getByTestId('span-count').textContent(), '9');
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('"Focus here" re-centres the graph on a node', async () => {
    const page = await newPage();
    await page.goto(view({ service: 'api', lookback: '1h' }));
    await drawn(page, 'api');
    await node(page, 1, 'stock').click();
    await page.getByRole('button', { name: 'Focus here' }).click();
    await page.waitForURL(/service=stock/);
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('operation'), 'GET /stock');
    assert.equal(url.searchParams.get('lookback'), '1h', 'the window is kept');
    await drawn(page, 'stock');
    assert.deepEqual(await nodes(page), [
      '-1 api:GET /items',
      '-1 pricing:GET /price',
      '-2 api:GET /items',
      '-2 web:GET /shop',
      '-3 web:GET /shop',
      '0 stock:GET /stock *',
    ]);
    assert.equal(await page.getByLabel('Service', { exact: true }).inputValue(), 'stock');
    assert.equal(await page.getByLabel('Operation', { exact: true }).inputValue(), 'GET /stock');
    assert.deepEqual(await page.locator('.paths-column').allTextContents(), [
      '3 hops upstream',
      '2 hops upstream',
      '1 hop upstream',
      'focus',
    ]);
    assert.equal(await page.getByRole('complementary', { name: 'Selected node' }).count(), 0, 'the selection is cleared');
    // The focal node offers no re-centring on itself; back returns to api.
    await node(page, 0, 'stock').click();
    assert.equal(await page.getByRole('button', { name: 'Focus here' }).count(), 0);
    await page.goBack();
    await drawn(page, 'api');
    assert.equal(new URL(page.url()).searchParams.get('service'), 'api');
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('the empty state, the time window, and the error banner', async () => {
    const page = await newPage();
    await page.goto(view({ service: OLD, lookback: '1h' }));
    await page.getByText(`No traces through ${OLD} in this window.`).waitFor();
    assert.equal(await page.locator('.paths-node').count(), 0);
    await page.getByLabel('Time window').selectOption('6h');
    await page.waitForURL(/lookback=6h/);
    await drawn(page, OLD);
    assert.deepEqual(await nodes(page), ['0 legacy-batch:nightly *']);

    await page.route('**/api/deep-dependencies?**', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({ data: null, total: 0, limit: 0, offset: 0, errors: [{ code: 503, msg: 'storage unavailable' }] }),
      }),
    );
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByRole('alert').filter({ hasText: 'HTTP 503: storage unavailable' }).waitFor();
    assert.equal(await page.locator('.paths-node').count(), 0);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test("the Monitor page's operations link to the paths through them", async (t) => {
    const query = spoor.baseUrls.query;
    if ((await fetchJson(`${query}/api/metrics/minstep`)).status !== 200) return t.skip(`the ${STORAGE} storage keeps no span metrics`);
    const metrics = `${query}/api/metrics/calls?service=api&groupByOperation=true&lookback=3600000&step=60000&ratePer=600000`;
    await waitFor(async () => ((await fetchJson(metrics)).body?.metrics ?? []).length === 2, {
      timeoutMs: 30_000,
      intervalMs: 250,
      description: 'span metrics of api',
    });
    const page = await newPage();
    await page.goto(`${query}/monitor?service=api&lookback=1h`);
    const row = page.locator('tr[data-operation="GET /items"]');
    await row.getByRole('link', { name: 'Paths' }).click();
    await page.waitForURL(/\/deep-dependencies\?/);
    const url = new URL(page.url());
    assert.deepEqual(Object.fromEntries(url.searchParams), { service: 'api', operation: 'GET /items', lookback: '1h' });
    await drawn(page, 'api');
    assert.equal(await page.getByLabel('Time window').inputValue(), '1h');
    assert.deepEqual(
      (await nodes(page)).filter((n) => n.endsWith('*')),
      ['0 api:GET /items *'],
    );
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('under a base path every request and link stays under it', async () => {
    const page = await newPage();
    const requests = [];
    page.on('request', (r) => r.url().startsWith('http') && requests.push(new URL(r.url()).pathname));
    await page.goto(`${spoorJaeger.baseUrls.query}/jaeger/deep-dependencies?service=api`);
    await drawn(page, 'api');
    assert.equal(await page.locator('.paths-node').count(), 6);
    await node(page, -1, 'web').click();
    const href = await page.getByRole('list', { name: 'Exemplar traces' }).getByRole('link').first().getAttribute('href');
    assert.match(href, /^\/jaeger\/trace\/[0-9a-f]{32}$/);
    assert.deepEqual(
      requests.filter((p) => !p.startsWith('/jaeger/')),
      [],
    );
    assert.ok(requests.includes('/jaeger/api/deep-dependencies'), requests.join(' '));
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});
