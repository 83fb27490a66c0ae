// The Jaeger UI's own build (release 2.19), served by spoor from
// --query.static-files with a --query.ui-config that shows its hidden
// pages, driven page by page in a real browser: search, a trace opened by a
// direct link, its alternate views, the comparison, System Architecture, the
// Monitor tab, the deep dependency graph and the trace quality page. Each
// page must load without a failed request (HTTP status >= 400 or a network
// error), console error or uncaught exception, and show the data sent.
//
// Runs only when JAEGER_UI_DIST names a built Jaeger UI (the directory
// holding its index.html and static/; scripts/jaeger-ui.sh builds one from
// a checkout); JAEGER_UI_SHOTS names a directory to keep screenshots in.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fetchJson, searchTraces, startSpoor, tempDir, waitFor, waitForTrace } from '../../tests/lib/spoor.mjs';
import { sendTraces } from '../../tests/lib/otlp.mjs';
import { CHROMIUM, launchBrowser } from './lib/browser.mjs';
import { ROOT_OPERATION, SHOP_SERVICES, randomSource, shopRequest, shopTrace } from './lib/shop.mjs';

const DIST = process.env.JAEGER_UI_DIST;
if (!DIST) {
  console.log('# skipped: JAEGER_UI_DIST is not set (a built Jaeger UI; scripts/jaeger-ui.sh builds one)');
  process.exit(0);
}
if (!existsSync(CHROMIUM)) {
  console.log(`# skipped: no chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_BIN)`);
  process.exit(0);
}
if (!existsSync(path.join(DIST, 'index.html'))) {
  throw new Error(`JAEGER_UI_DIST=${DIST} has no index.html: point it at packages/jaeger-ui/build of a built checkout`);
}

const STORAGE = process.env.SPOOR_STORAGE || 'memory';
const SHOTS = process.env.JAEGER_UI_SHOTS;
const UI_CONFIG = {
  deepDependencies: { menuEnabled: true },
  // Replaces the UI's default object as a whole: label and endpoint included.
  qualityMetrics: { menuEnabled: true, menuLabel: 'Trace Quality', apiEndpoint: '/api/quality-metrics' },
  monitor: { menuEnabled: true },
};
const TRACES = 120; // over the last four minutes, one every two seconds
const WAIT_MS = 15_000;

let spoor;
let base;
let metricsOn = false; // whether the storage keeps span metrics
let browser;
let traceIds; // newest first
let failedTraceId; // one with an error

before(async () => {
  const configFile = path.join(tempDir('jaeger-ui-config-'), 'ui-config.json');
  writeFileSync(configFile, JSON.stringify(UI_CONFIG));
  spoor = await startSpoor({
    storage: STORAGE,
    flags: [`--query.static-files=${DIST}`, `--query.ui-config=${configFile}`, '--span-metrics.flush-interval=1s'],
  });
  base = spoor.baseUrls.query;
  metricsOn = (await fetchJson(`${base}/api/metrics/minstep`)).status === 200;

  const random = randomSource(7);
  const now = BigInt(Date.now()) * 1_000_000n;
  const traces = Array.from({ length: TRACES }, (_, i) => shopTrace(now - BigInt(i) * 2_000_000_000n, random));
  for (let i = 0; i < traces.length; i += 40) await sendTraces(spoor.baseUrls.otlpHttp, shopRequest(traces.slice(i, i + 40)));
  traceIds = traces.map((t) => t.traceId);
  failedTraceId = traces.find((t) => t.failed).traceId;
  for (const id of [traceIds[0], traceIds.at(-1), failedTraceId]) await waitForTrace(base, id, { minSpans: 20 });
  await waitFor(
    async () => (await searchTraces(base, { service: 'frontend', limit: 1500, lookback: '1h' })).body?.data?.length === TRACES,
    { timeoutMs: WAIT_MS, description: 'every trace searchable' },
  );
  if (metricsOn) {
    await waitFor(
      async () => {
        const res = await fetchJson(`${base}/api/metrics/calls?service=frontend&lookback=600000&step=60000&ratePer=600000`);
        return (res.body?.metrics?.[0]?.metricPoints ?? []).some((p) => p.gaugeValue.doubleValue > 0);
      },
      { timeoutMs: 30_000, intervalMs: 250, description: 'span metrics of frontend' },
    );
  }
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await spoor?.stop();
});

/**
 * Opens `urlPath` in a fresh page that records what went wrong: responses
 * with status >= 400 (with their body), requests that failed, console
 * errors and uncaught exceptions; page.requests lists every response.
 */
async function open(urlPath) {
  const page = await browser.context.newPage();
  const problems = [];
  const requests = [];
  page.on('response', async (res) => {
    const entry = { url: res.url().slice(base.length), status: res.status() };
    requests.push(entry);
    if (res.status() >= 400) {
      const body = await res.text().catch(() => '');
      problems.push(`HTTP ${res.status()} ${res.request().method()} ${entry.url}: ${body.slice(0, 300)}`);
    }
  });
  // Requests cancelled by the page itself (a newer query, closing) are not failures.
  page.on('requestfailed', (req) => {
    if (req.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`failed ${req.url()}: ${req.failure()?.errorText}`);
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text().slice(0, 300)}`);
  });
  page.on('pageerror', (err) => problems.push(`exception: ${err.message}`));
  page.problems = problems;
  page.requests = requests;
  await page.goto(base + urlPath, { waitUntil: 'networkidle' });
  return page;
}

/** Asserts the page had no problem, keeps a screenshot when asked to, closes it. */
async function finish(page, name) {
  await page.waitForLoadState('networkidle');
  if (SHOTS) {
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
  }
  const problems = [...page.problems];
  await page.close();
  assert.deepEqual(problems, [], `${name}: no failed request, console error or exception`);
}

const text = async (locator) => (await locator.innerText()).replace(/\s+/g, ' ').trim();

describe('the Jaeger UI served by spoor', () => {
  test('index.html carries the storage capabilities and the configuration', async () => {
    const res = await fetch(`${base}/search`);
    const html = await res.text();
    assert.equal(res.status, 200);
    assert.match(html, /const JAEGER_STORAGE_CAPABILITIES = \{"archiveStorage":false,"metricsStorage":(true|false)\};/);
    if (metricsOn) assert.match(html, /"metricsStorage":true/);
    const config = /const JAEGER_CONFIG = (\{.*\});/.exec(html);
    assert.ok(config, 'the configuration written in');
    assert.deepEqual(JSON.parse(config[1]), UI_CONFIG);
    // Every asset the page names is served.
    const assets = [...html.matchAll(/(?:src|href)="\.\/(static\/[^"]+)"/g)].map((m) => m[1]);
    assert.ok(assets.length >= 2, `assets named: ${assets}`);
    for (const asset of assets) assert.equal((await fetch(`${base}/${asset}`)).status, 200, asset);
  });

  test('the navigation shows every page', async () => {
    const page = await open('/search');
    const nav = await text(page.locator('header .ant-menu').first());
    const expected = ['Search', 'Compare', 'System Architecture', 'Service Dependencies', 'Trace Quality'];
    if (metricsOn) expected.push('Monitor');
    for (const item of expected) assert.ok(nav.includes(item), `"${item}" in the menu: ${nav}`);
    await finish(page, '01-navigation');
  });

  test('search lists the traces of a service and operation', async () => {
    const page = await open(`/search?service=frontend&operation=${encodeURIComponent(ROOT_OPERATION)}&lookback=1h&limit=20`);
    await page.locator('.ResultItem').first().waitFor({ timeout: WAIT_MS });
    assert.equal(await page.locator('.ResultItem').count(), 20);
    const first = await text(page.locator('.ResultItem').first());
    assert.match(first, /frontend: HTTP GET \/dispatch/);
    assert.match(first, /20 Spans/);
    for (const service of SHOP_SERVICES) assert.ok(first.includes(service), `${service} in ${first}`);
    assert.ok(page.requests.some((r) => r.url.startsWith('/api/v3/trace-summaries?') && r.status === 200));
    await finish(page, '02-search');
  });

  test('search by a tag finds the traces with an error', async () => {
    const page = await open(`/search?service=frontend&tags=${encodeURIComponent('{"error":"true"}')}&lookback=1h&limit=20`);
    await page.locator('.ResultItem').first().waitFor({ timeout: WAIT_MS });
    assert.match(await text(page.locator('.ResultItem').first()), /\d+ Errors?/);
    await finish(page, '03-search-errors');
  });

  test('a trace opened by a direct link', async () => {
    const page = await open(`/trace/${failedTraceId}`);
    await page.locator('.span-row').nth(19).waitFor({ timeout: WAIT_MS });
    assert.equal(await page.locator('.span-row').count(), 20);
    assert.match(
      await text(page.locator('[class*=TracePageHeader]').first()),
      /frontend: HTTP GET \/dispatch.*Services\s*6.*Total Spans\s*20/,
    );
    const assets = page.requests.filter((r) => r.url.startsWith('/static/'));
    assert.ok(assets.length > 0, 'the page loaded its assets from /static/');
    assert.deepEqual(
      assets.filter((r) => r.status !== 200),
      [],
    );
    await finish(page, '04-trace');
  });

  // Each alternate view with what it must show of the trace (the spans
  // table draws only the rows in sight).
  const VIEWS = {
    'Trace Graph': SHOP_SERVICES,
    'Trace Statistics': SHOP_SERVICES,
    'Trace Spans Table': ['frontend', 'customer', 'mysql', ROOT_OPERATION],
    'Trace Flamegraph': SHOP_SERVICES,
  };
  for (const [view, expected] of Object.entries(VIEWS)) {
    test(`the trace's ${view}`, async () => {
      const page = await open(`/trace/${traceIds[0]}`);
      await page.locator('.span-row').first().waitFor({ timeout: WAIT_MS });
      await page.getByText('Trace Timeline', { exact: true }).first().click();
      await page.getByText(view, { exact: true }).first().click();
      let body = '';
      await waitFor(
        async () => {
          body = await text(page.locator('body'));
          return (await page.locator('.span-row').count()) === 0 && expected.every((s) => body.includes(s));
        },
        { timeoutMs: WAIT_MS, description: `${view} showing ${expected.join(', ')}` },
      ).catch((err) => assert.fail(`${err.message}; the page shows: ${body.slice(0, 600)}`));
      await finish(page, `05-trace-${view.toLowerCase().replace(/ /g, '-')}`);
    });
  }

  test('two traces compared', async () => {
    const [a, b] = traceIds;
    const page = await open(`/trace/${a}...${b}?cohort=${a}&cohort=${b}`);
    await waitFor(async () => (await text(page.locator('body'))).match(/Spans: 20.*Spans: 20/), {
      timeoutMs: WAIT_MS,
      description: 'both traces loaded',
    });
    await finish(page, '06-compare');
  });

  test('System Architecture draws the service graph', async () => {
    const page = await open('/dependencies');
    await page.locator('.DAG--nodeLabel').first().waitFor({ timeout: WAIT_MS });
    assert.deepEqual((await page.locator('.DAG--nodeLabel').allInnerTexts()).sort(), SHOP_SERVICES);
    const counts = (await page.locator('.plexus-Digraph--SvgEdgesLayer text').allTextContents()).map(Number).sort((x, y) => x - y);
    assert.deepEqual(counts, [TRACES, TRACES, TRACES, 2 * TRACES, 4 * TRACES], 'calls on the five edges');
    await finish(page, '07-dependencies');
  });

  /** The Monitor's operations table: [{name, p95, rate, errors}]. */
  const operationsTable = (page) =>
    page.locator('.ant-table-tbody tr.ant-table-row').evaluateAll((rows) =>
      rows.map((row) => {
        const cells = [...row.querySelectorAll('td')].map((td) => td.innerText.trim());
        return { name: cells[0], p95: cells[1], rate: cells[2], errors: cells[3] };
      }),
    );

  async function choose(page, selectClass, option) {
    await page.locator(`.${selectClass}`).click();
    await page
      .locator('.ant-select-item-option')
      .filter({ hasText: new RegExp(`^${option}$`) })
      .click();
  }

  test('the Monitor tab shows charts and the operations of a service', async (t) => {
    if (!metricsOn) return t.skip(`the ${STORAGE} storage keeps no span metrics`);
    const page = await open('/monitor');
    await choose(page, 'select-a-service-input', 'frontend');
    await waitFor(async () => (await operationsTable(page)).some((r) => r.name === ROOT_OPERATION), {
      timeoutMs: WAIT_MS,
      description: 'the root operation in the table',
    });
    const [row] = (await operationsTable(page)).filter((r) => r.name === ROOT_OPERATION);
    assert.match(row.p95, /^[\d.]+(ms|s)$/, `p95 ${row.p95}`);
    const p95Ms = row.p95.endsWith('ms') ? Number.parseFloat(row.p95) : Number.parseFloat(row.p95) * 1000;
    assert.ok(p95Ms > 250 && p95Ms <= 1000, `p95 of 250 to 900 ms requests: ${row.p95}`);
    assert.match(row.rate, /^[\d.]+ req\/s$/);
    assert.ok(Number.parseFloat(row.rate) > 0, `rate ${row.rate}`);
    assert.match(row.errors, /%$/);
    // Three charts, each with a drawn line.
    for (const title of ['Latency (ms)', 'Error rate (%)', 'Request rate (req/s)']) {
      assert.ok(await page.getByText(title, { exact: true }).isVisible(), title);
    }
    assert.ok((await page.locator('.recharts-wrapper path.recharts-curve').count()) >= 3, 'chart lines');
    await finish(page, '08-monitor');
  });

  test('the Monitor tab shows client spans with their errors', async (t) => {
    if (!metricsOn) return t.skip(`the ${STORAGE} storage keeps no span metrics`);
    const page = await open('/monitor');
    await choose(page, 'select-a-service-input', 'driver');
    await choose(page, 'span-kind-selector', 'Client');
    await waitFor(async () => (await operationsTable(page)).length === 2, { timeoutMs: WAIT_MS, description: 'two client operations' });
    const rows = Object.fromEntries((await operationsTable(page)).map((r) => [r.name, r]));
    assert.deepEqual(Object.keys(rows).sort(), ['FindDriverIDs', 'GetDriver']);
    assert.equal(rows.FindDriverIDs.errors, '< 0.1%');
    assert.ok(Number.parseFloat(rows.GetDriver.errors) > 0, `GetDriver fails one time in ten: ${rows.GetDriver.errors}`);
    await finish(page, '09-monitor-client');
  });

  test('the deep dependency graph of the entry operation', async () => {
    const page = await open(`/deep-dependencies?service=frontend&operation=${encodeURIComponent(ROOT_OPERATION)}`);
    const nodes = page.locator('.plexus-Digraph--MeasurableHtmlNode');
    await nodes.first().waitFor({ timeout: WAIT_MS });
    const labels = (await nodes.allInnerTexts()).map((s) => s.replace(/\s+/g, ' '));
    for (const expected of [
      'customer HTTP GET / customer',
      'mysql SQL SELECT',
      'redis GetDriver',
      'redis FindDriverIDs',
      'route HTTP GET / route',
    ]) {
      assert.ok(
        labels.some((l) => l.startsWith(expected)),
        `${expected} in ${labels.join(' | ')}`,
      );
    }
    assert.ok(page.requests.some((r) => r.url.startsWith('/analytics/v1/dependencies?') && r.status === 200));
    await finish(page, '10-deep-dependencies');
  });

  test('the deep dependency graph around a service in the middle', async () => {
    const page = await open('/deep-dependencies?service=driver');
    const nodes = page.locator('.plexus-Digraph--MeasurableHtmlNode');
    await nodes.first().waitFor({ timeout: WAIT_MS });
    const labels = (await nodes.allInnerTexts()).map((s) => s.split(/\s/)[0]).sort();
    assert.deepEqual(labels, ['driver', 'frontend', 'redis']);
    assert.match(await text(page.locator('body')), /Upstream hops\s*1\s*\/\s*1\s*Downstream hops\s*1\s*\/\s*1/);
    await finish(page, '11-deep-dependencies-driver');
  });

  test('the trace quality page of a service', async () => {
    const page = await open('/quality-metrics?service=driver');
    await page.locator('.ScoreCard').first().waitFor({ timeout: WAIT_MS });
    assert.equal(await page.locator('.ScoreCard').count(), 3);
    assert.ok((await page.locator('.MetricCard').count()) >= 5);
    const body = await text(page.locator('.QualityMetrics'));
    assert.match(body, new RegExp(`Computed from the ${TRACES} most recent traces of driver`));
    assert.match(body, /opentelemetry\/nodejs 2\.2\.0/);
    assert.doesNotMatch(body, /NaN/);
    await finish(page, '12-quality-metrics');
  });

  test('the trace quality page of a service nobody calls: no check of nothing', async () => {
    const page = await open('/quality-metrics?service=frontend');
    await page.locator('.ScoreCard').first().waitFor({ timeout: WAIT_MS });
    const body = await text(page.locator('.QualityMetrics'));
    assert.doesNotMatch(body, /NaN/);
    assert.doesNotMatch(body, /Clocks agree with the caller/);
    await finish(page, '13-quality-metrics-frontend');
  });
});
