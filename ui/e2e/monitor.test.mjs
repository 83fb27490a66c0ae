// The Monitor page in a real browser: spans with known timings and errors
// go to spoor over OTLP, spoor counts them into span metrics (flushed every
// second here) and the page draws them and lists the operations.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fetchJson, nowNs, randomSpanId, randomTraceId, startSpoor, waitFor, waitForTrace } from '../../tests/lib/spoor.mjs';
import { request, sendTraces, span, SpanKind, StatusCode } from '../../tests/lib/otlp.mjs';
import { DIST_DIR, launchBrowser, newCheckedPage, requireBrowserAndBuild } from './lib/browser.mjs';

requireBrowserAndBuild();

const STORAGE = process.env.SPOOR_STORAGE || 'memory';
const SERVICE = 'monitor-shop';
const FAST = 'GET /fast';
const FAIL = 'POST /pay';
const CLIENT_OP = 'call ledger';
const OTHER = 'monitor-audit'; // a second service, listed before SERVICE
const COUNT = 20; // spans of each operation
const FAILING = COUNT / 2; // every other POST /pay fails

const ms = (n) => BigInt(Math.round(n * 1000)) * 1000n;

let spoor; // span metrics on, flushed every second
let spoorOff; // span metrics off, under /jaeger
let metricsOn = false; // whether spoor's storage keeps span metrics
let browser;

/**
 * Over the last minute: GET /fast (server, 4 ms, no errors), POST /pay
 * (server, 20 to 58 ms, every other one an error, each in a trace of its
 * own) and a client span under each POST /pay.
 */
function shopSpans() {
  const base = nowNs() - 55_000_000_000n;
  const spans = [];
  const failing = [];
  for (let i = 0; i < COUNT; i++) {
    const start = base + ms(2500 * i);
    spans.push(
      span({ traceId: randomTraceId(), spanId: randomSpanId(), name: FAST, kind: SpanKind.SERVER, startNs: start, endNs: start + ms(4) }),
    );
    const traceId = randomTraceId();
    const root = randomSpanId();
    const fails = i % 2 === 1;
    if (fails) failing.push(traceId);
    spans.push(
      span({
        traceId,
        spanId: root,
        name: FAIL,
        kind: SpanKind.SERVER,
        startNs: start + ms(100),
        endNs: start + ms(100 + 20 + 2 * i),
        ...(fails ? { status: { code: StatusCode.ERROR, message: 'card declined' } } : {}),
      }),
      span({
        traceId,
        spanId: randomSpanId(),
        parentSpanId: root,
        name: CLIENT_OP,
        kind: SpanKind.CLIENT,
        startNs: start + ms(102),
        endNs: start + ms(110),
      }),
    );
  }
  const other = span({
    traceId: randomTraceId(),
    spanId: randomSpanId(),
    name: 'audit',
    kind: SpanKind.SERVER,
    startNs: base,
    endNs: base + ms(1),
  });
  return {
    req: request([
      { service: SERVICE, spans },
      { service: OTHER, spans: [other] },
    ]),
    failing,
  };
}

const metricsUrl = (query, metric, params) => `${query}/api/metrics/${metric}?${new URLSearchParams({ service: SERVICE, ...params })}`;

before(async () => {
  const flags = [`--query.static-files=${DIST_DIR}`];
  spoor = await startSpoor({ storage: STORAGE, flags: [...flags, '--span-metrics.flush-interval=1s'] });
  spoorOff = await startSpoor({ storage: STORAGE, flags: [...flags, '--span-metrics.enabled=false', '--query.base-path=/jaeger'] });
  const query = spoor.baseUrls.query;
  metricsOn = (await fetchJson(`${query}/api/metrics/minstep`)).status === 200;

  const shop = shopSpans();
  await sendTraces(spoor.baseUrls.otlpHttp, shop.req);
  await sendTraces(spoorOff.baseUrls.otlpHttp, shop.req);
  for (const id of shop.failing) await waitForTrace(query, id, { minSpans: 2 });
  await waitForTrace(`${spoorOff.baseUrls.query}/jaeger`, shop.failing[0], { minSpans: 2 });
  if (metricsOn) {
    // Every span is counted once its flush reached storage.
    await waitFor(
      async () => {
        const res = await fetchJson(
          metricsUrl(query, 'calls', { groupByOperation: 'true', lookback: '300000', step: '10000', ratePer: '300000' }),
        );
        const ops = res.body?.metrics ?? [];
        const total = ops.reduce((sum, m) => sum + Math.max(0, ...m.metricPoints.map((p) => p.gaugeValue.doubleValue)), 0);
        return ops.length === 2 && Math.round(total * 300) === 2 * COUNT;
      },
      { timeoutMs: 30_000, intervalMs: 250, description: 'span metrics of both operations' },
    );
  }
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await spoor?.stop();
  await spoorOff?.stop();
});

/** A new page that fails the test on any uncaught page error. */
const newPage = () => newCheckedPage(browser);

/** The cells of the operations table by operation name: {name: {p95, rate, errorRate, impact}}. */
async function tableRows(page) {
  return page.locator('tr[data-operation]').evaluateAll((rows) =>
    rows.map((r) => ({
      name: r.getAttribute('data-operation'),
      p95: r.querySelector('[data-col=p95]').textContent,
      rate: r.querySelector('[data-col=rate]').textContent,
      errorRate: r.querySelector('[data-col=errorRate]').textContent,
      impact: Number(r.querySelector('[role=meter]').getAttribute('aria-valuenow')),
    })),
  );
}

/** Waits until the page shows what it loaded for the current selection. */
const settled = (page) => page.locator('.monitor-page[aria-busy=false]').waitFor();

const names = async (page) => (await tableRows(page)).map((r) => r.name);

/** Milliseconds from a duration as formatDuration writes it (850µs, 12.3ms, 1.2s). */
function durationMs(text) {
  const m = /^([\d.]+)(µs|ms|s)$/.exec(text.trim());
  assert.ok(m, `a duration: ${text}`);
  return Number(m[1]) * { µs: 0.001, ms: 1, s: 1000 }[m[2]];
}

describe('monitor', () => {
  test('the navigation leads to the Monitor page', async () => {
    const page = await newPage();
    await page.goto(`${spoor.baseUrls.query}/search`);
    await page.getByRole('navigation').getByRole('link', { name: 'Monitor' }).click();
    await page.waitForURL(/\/monitor/);
    await page.getByRole('heading', { name: 'Monitor' }).waitFor();
    assert.equal(await page.getByLabel('Span kind').inputValue(), 'server');
    assert.equal(await page.getByLabel('Time window').inputValue(), '1h');
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('charts and the operations table of a service', async (t) => {
    if (!metricsOn) return t.skip(`the ${STORAGE} storage keeps no span metrics`);
    const page = await newPage();
    await page.goto(`${spoor.baseUrls.query}/monitor`);
    await page.getByLabel('Service', { exact: true }).selectOption(SERVICE);
    await page.getByLabel('Time window').selectOption('5m');
    await page.waitForURL(/lookback=5m/);
    assert.equal(new URL(page.url()).searchParams.get('service'), SERVICE);
    await settled(page);

    // Three charts, each with a line, labelled axes and the latency quantiles.
    const charts = page.getByTestId('metric-chart');
    await page.locator('tr[data-operation]').nth(1).waitFor();
    assert.equal(await charts.count(), 3);
    for (const name of ['Request rate (req/s)', 'Error rate (%)', 'Latency (ms)']) {
      const chart = page.getByRole('img', { name, exact: true });
      assert.ok((await chart.locator('path.metric-line').count()) > 0, `${name}: a line`);
      const yLabels = await chart.locator('.y-tick text').allTextContents();
      assert.ok(yLabels.length >= 2 && yLabels[0].startsWith('0'), `${name}: y axis ${yLabels}`);
      const xLabels = await chart.locator('.x-tick text').allTextContents();
      assert.ok(xLabels.length >= 3 && xLabels.every((l) => /^\d\d:\d\d(:\d\d)?$/.test(l)), `${name}: x axis ${xLabels}`);
    }
    const latency = page.getByRole('img', { name: 'Latency (ms)' });
    for (const q of ['p50', 'p75', 'p95']) assert.ok((await latency.locator(`path[data-series=${q}]`).count()) > 0, q);
    assert.match(await page.getByRole('img', { name: 'Error rate (%)' }).locator('.y-tick text').last().textContent(), /%$/);
    // Pointing at a chart reads the values at that time.
    await page.getByRole('img', { name: 'Request rate (req/s)' }).hover();
    assert.match(await page.locator('.chart-readout').first().textContent(), /\d\d:\d\d:\d\d\.\d{3} · \d/);

    // Both operations, plausible numbers, the one with errors and the slower latency first (impact).
    await page.getByTestId('operation-count').filter({ hasText: '2 operations' }).waitFor();
    const rows = await tableRows(page);
    t.diagnostic(`operations: ${JSON.stringify(rows)}`);
    assert.deepEqual(
      rows.map((r) => r.name),
      [FAIL, FAST],
    );
    const [pay, fast] = rows;
    const payErrors = Number(pay.errorRate.replace('%', ''));
    assert.ok(payErrors > 0 && payErrors <= 100, `error rate of ${FAIL}: ${pay.errorRate}`);
    assert.equal(fast.errorRate, '0%');
    // Each point is the p95 of the last minute; the table shows their mean over the window.
    assert.ok(durationMs(pay.p95) >= 20 && durationMs(pay.p95) <= 65, `p95 of ${FAIL}: ${pay.p95}`);
    assert.ok(durationMs(fast.p95) >= 3 && durationMs(fast.p95) < 6, `p95 of ${FAST}: ${fast.p95}`);
    for (const r of rows) assert.match(r.rate, /^0\.\d+ req\/s$/, `rate of ${r.name}`);
    assert.deepEqual(
      rows.map((r) => r.impact),
      [1, 0],
    );
    assert.equal(await page.locator('th[aria-sort=descending]').textContent(), 'Impact ▼');
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('sorting by each column and filtering by name', async (t) => {
    if (!metricsOn) return t.skip(`the ${STORAGE} storage keeps no span metrics`);
    const page = await newPage();
    await page.goto(`${spoor.baseUrls.query}/monitor?service=${encodeURIComponent(SERVICE)}&lookback=5m`);
    await page.locator('tr[data-operation]').nth(1).waitFor();
    const header = (name) => page.locator('th').getByRole('button', { name });
    const cases = [
      // [column, first click (its default direction), second click]
      ['Name', [FAST, FAIL], [FAIL, FAST]],
      ['P95 latency', [FAIL, FAST], [FAST, FAIL]],
      ['Error rate', [FAIL, FAST], [FAST, FAIL]],
      ['Impact', [FAIL, FAST], [FAST, FAIL]],
    ];
    for (const [column, first, second] of cases) {
      await header(column).click();
      assert.deepEqual(await names(page), first, `${column}, first click`);
      await header(column).click();
      assert.deepEqual(await names(page), second, `${column}, second click`);
    }
    await header('Request rate').click();
    assert.equal(await page.locator('th[aria-sort=descending]').count(), 1);
    assert.match(await page.locator('th[aria-sort=descending]').textContent(), /Request rate/);

    await page.getByLabel('Filter operations').fill('pay');
    assert.deepEqual(await names(page), [FAIL]);
    assert.equal(await page.getByTestId('operation-count').textContent(), '1 of 2 operations');
    await page.getByLabel('Filter operations').fill('nothing like it');
    await page.getByText('No operation matches the filter.').waitFor();
    await page.getByLabel('Filter operations').fill('');
    assert.equal((await names(page)).length, 2);
    await page.close();
  });

  test('"Failing traces" finds the failing traces; "Slow traces" searches from the p95', async (t) => {
    if (!metricsOn) return t.skip(`the ${STORAGE} storage keeps no span metrics`);
    const page = await newPage();
    await page.goto(`${spoor.baseUrls.query}/monitor?service=${encodeURIComponent(SERVICE)}&lookback=5m`);
    const row = page.locator(`tr[data-operation="${FAIL}"]`);
    await row.waitFor();
    const p95 = durationMs(await row.locator('[data-col=p95]').textContent());

    const slow = new URL(await row.getByRole('link', { name: 'Slow traces' }).getAttribute('href'), page.url());
    assert.equal(slow.pathname, '/search');
    assert.equal(slow.searchParams.get('service'), SERVICE);
    assert.equal(slow.searchParams.get('operation'), FAIL);
    assert.equal(slow.searchParams.get('lookback'), '5m');
    const minDuration = slow.searchParams.get('minDuration');
    assert.match(minDuration, /^\d+(\.\d+)?ms$/);
    assert.ok(Math.abs(parseFloat(minDuration) - p95) < 0.1, `minDuration ${minDuration} is the p95 ${p95}ms`);
    const start = Number(slow.searchParams.get('start'));
    const end = Number(slow.searchParams.get('end'));
    assert.equal(end - start, 5 * 60e6, 'the same window, in µs');
    assert.ok(Math.abs(end / 1000 - Date.now()) < 60_000, 'ending when the page loaded');

    await row.getByRole('link', { name: 'Failing traces' }).click();
    await page.waitForURL(/\/search\?/);
    const url = new URL(page.url());
    assert.deepEqual(JSON.parse(url.searchParams.get('tags')), { error: 'true' });
    assert.equal(url.searchParams.get('operation'), FAIL);
    await page
      .getByTestId('result-count')
      .filter({ hasText: `${FAILING} traces` })
      .waitFor();
    const items = await page.locator('.trace-item').allTextContents();
    assert.equal(items.length, FAILING);
    for (const text of items) assert.match(text, /POST \/pay/);
    assert.equal(await page.locator('input[name=tags]').inputValue(), 'error=true');

    // The slow search opens with its bound in the form and finds only slow POST /pay traces.
    await page.goto(slow.href);
    assert.equal(await page.locator('input[name=minDuration]').inputValue(), minDuration);
    await page.locator('.trace-item').first().waitFor();
    const slowItems = await page.locator('.trace-item').allTextContents();
    assert.ok(slowItems.length >= 1 && slowItems.length < COUNT, `${slowItems.length} slow traces`);
    for (const text of slowItems) assert.match(text, /POST \/pay/);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('span kind, the empty state and refresh', async (t) => {
    if (!metricsOn) return t.skip(`the ${STORAGE} storage keeps no span metrics`);
    const page = await newPage();
    await page.goto(`${spoor.baseUrls.query}/monitor?service=${encodeURIComponent(SERVICE)}&lookback=15m`);
    await page.locator('tr[data-operation]').nth(1).waitFor();
    await page.getByLabel('Span kind').selectOption('client');
    await page.waitForURL(/spanKind=client/);
    await settled(page);
    await page.locator(`tr[data-operation="${CLIENT_OP}"]`).waitFor();
    assert.deepEqual(await names(page), [CLIENT_OP]);

    await page.getByLabel('Span kind').selectOption('producer');
    await settled(page);
    await page.getByTestId('no-metrics').filter({ hasText: 'No producer spans of' }).waitFor();
    assert.equal(await page.getByTestId('metric-chart').count(), 0);

    await page.getByLabel('Span kind').selectOption('server');
    await settled(page);
    await page.locator('tr[data-operation]').nth(1).waitFor();
    const before = await page.getByTestId('monitor-updated').textContent();
    await page.waitForTimeout(20);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.waitForFunction((text) => document.querySelector('[data-testid=monitor-updated]')?.textContent !== text, before);
    await settled(page);
    assert.equal((await names(page)).length, 2, 'the table is still there after a refresh');
    // The service shown last is the one shown on the next visit (not the first of the list).
    const service = page.getByLabel('Service', { exact: true });
    await page.goto(`${spoor.baseUrls.query}/monitor?service=${OTHER}`);
    await settled(page);
    await page.goto(`${spoor.baseUrls.query}/monitor?service=${encodeURIComponent(SERVICE)}`);
    await settled(page);
    await page.goto(`${spoor.baseUrls.query}/monitor`);
    await service.locator(`option[value="${OTHER}"]`).waitFor({ state: 'attached' });
    assert.equal(await service.inputValue(), SERVICE);
    await page.goto(`${spoor.baseUrls.query}/monitor?service=${OTHER}`);
    await settled(page);
    await page.goto(`${spoor.baseUrls.query}/monitor`);
    await service.locator(`option[value="${OTHER}"]`).waitFor({ state: 'attached' });
    assert.equal(await service.inputValue(), OTHER);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('without span metrics the page says so, and stays under the base path', async () => {
    const page = await newPage();
    const requests = [];
    page.on('request', (r) => r.url().startsWith('http') && requests.push(new URL(r.url()).pathname));
    await page.goto(`${spoorOff.baseUrls.query}/jaeger/monitor`);
    await page.getByRole('alert').filter({ hasText: 'This storage keeps no span metrics' }).waitFor();
    assert.notEqual(await page.getByLabel('Service', { exact: true }).inputValue(), '');
    assert.equal(await page.getByTestId('metric-chart').count(), 0);
    assert.deepEqual(
      requests.filter((p) => !p.startsWith('/jaeger/')),
      [],
      'every request stays under /jaeger/',
    );
    assert.ok(requests.includes('/jaeger/api/metrics/minstep'), requests.join(' '));
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});
