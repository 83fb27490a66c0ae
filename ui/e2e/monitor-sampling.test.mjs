// The Sampling column of the Monitor page in a real browser: one spoor
// serves strategies from a file (a service with a default probability and
// one operation of its own, and a rate-limited service), another computes
// them adaptively, and a process without strategies leaves the column out.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fetchJson, nowNs, randomSpanId, randomTraceId, startSpoor, tempDir, waitFor } from '../../tests/lib/spoor.mjs';
import { request, sendTraces, span, SpanKind } from '../../tests/lib/otlp.mjs';
import { DIST_DIR, launchBrowser, newCheckedPage, requireBrowserAndBuild } from './lib/browser.mjs';

requireBrowserAndBuild();

const STORAGE = process.env.SPOOR_STORAGE || 'memory';
const SERVICE = 'sampled-shop';
const CART = 'GET /cart'; // has a probability of its own in the file
const ORDER = 'POST /order'; // gets the service's default
const LIMITED = 'limited-shop'; // rate limited in the file
const COUNT = 6; // spans of each operation

// Jaeger's strategies file format.
const STRATEGIES = {
  default_strategy: { type: 'probabilistic', param: 1 },
  service_strategies: [
    {
      service: SERVICE,
      type: 'probabilistic',
      param: 0.5,
      operation_strategies: [{ operation: CART, type: 'probabilistic', param: 0.0125 }],
    },
    { service: LIMITED, type: 'ratelimiting', param: 5 },
  ],
};

// What a process serving no strategies (a query node) answers.
const NOT_SERVED = {
  data: null,
  total: 0,
  limit: 0,
  offset: 0,
  errors: [{ code: 501, msg: 'this process serves no sampling strategies (the collectors do)' }],
};

let fileSpoor; // strategies from STRATEGIES
let adaptiveSpoor; // --sampling.type=adaptive
let metricsOn = false;
let browser;

/** Server spans of CART and ORDER for SERVICE and of GET / for LIMITED, over the last half minute. */
function shopRequest() {
  const base = nowNs() - 30_000_000_000n;
  const server = (name, i) => {
    const start = base + BigInt(i) * 1_000_000_000n;
    return span({
      traceId: randomTraceId(),
      spanId: randomSpanId(),
      name,
      kind: SpanKind.SERVER,
      startNs: start,
      endNs: start + 5_000_000n,
    });
  };
  const spans = [];
  for (let i = 0; i < COUNT; i++) spans.push(server(CART, i), server(ORDER, i));
  return request([
    { service: SERVICE, spans },
    { service: LIMITED, spans: [server('GET /', 0)] },
  ]);
}

/** Waits until the span metrics count every operation of the service. */
async function waitForMetrics(query, service, operations) {
  const url = `${query}/api/metrics/calls?${new URLSearchParams({ service, groupByOperation: 'true', lookback: '300000', step: '10000', ratePer: '60000' })}`;
  await waitFor(async () => ((await fetchJson(url)).body?.metrics ?? []).length === operations, {
    timeoutMs: 30_000,
    intervalMs: 250,
    description: `span metrics of ${service}`,
  });
}

before(async () => {
  const file = path.join(tempDir('spoor-ui-sampling-'), 'strategies.json');
  writeFileSync(file, JSON.stringify(STRATEGIES));
  const flags = [`--query.static-files=${DIST_DIR}`, '--span-metrics.flush-interval=1s'];
  fileSpoor = await startSpoor({ storage: STORAGE, flags: [...flags, `--sampling.strategies-file=${file}`] });
  adaptiveSpoor = await startSpoor({ storage: STORAGE, flags: [...flags, '--sampling.type=adaptive'] });
  metricsOn = (await fetchJson(`${fileSpoor.baseUrls.query}/api/metrics/minstep`)).status === 200;
  if (metricsOn) {
    for (const spoor of [fileSpoor, adaptiveSpoor]) await sendTraces(spoor.baseUrls.otlpHttp, shopRequest());
    await waitForMetrics(fileSpoor.baseUrls.query, SERVICE, 2);
    await waitForMetrics(fileSpoor.baseUrls.query, LIMITED, 1);
    await waitForMetrics(adaptiveSpoor.baseUrls.query, SERVICE, 2);
  }
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await fileSpoor?.stop();
  await adaptiveSpoor?.stop();
});

/** A new page that fails the test on any uncaught page error. */
const newPage = () => newCheckedPage(browser);

/** Opens the Monitor page of a service and waits for its operations. */
async function openMonitor(page, spoor, service, rows) {
  await page.goto(`${spoor.baseUrls.query}/monitor?service=${encodeURIComponent(service)}&lookback=5m`);
  await page.locator('.monitor-page[aria-busy=false]').waitFor();
  await page
    .locator('tr[data-operation]')
    .nth(rows - 1)
    .waitFor();
}

/** The Sampling cells by operation: {name: {text, title, source}}. */
async function samplingCells(page) {
  const cells = await page.locator('tr[data-operation]').evaluateAll((rows) =>
    rows.map((r) => {
      const cell = r.querySelector('[data-col=sampling]');
      return [r.getAttribute('data-operation'), { text: cell.textContent, title: cell.title, source: cell.dataset.source }];
    }),
  );
  return Object.fromEntries(cells);
}

const names = (page) => page.locator('tr[data-operation]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-operation')));

describe('monitor sampling', () => {
  test('strategies file: an operation of its own and the default, sortable', async (t) => {
    if (!metricsOn) return t.skip(`the ${STORAGE} storage keeps no span metrics`);
    const answer = await fetchJson(`${fileSpoor.baseUrls.query}/api/sampling?service=${SERVICE}`);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.data.type, 'file');

    const page = await newPage();
    await openMonitor(page, fileSpoor, SERVICE, 2);
    await page.locator('[data-col=sampling]').nth(1).waitFor();
    assert.equal(
      await page.getByTestId('sampling-summary').textContent(),
      'Sampling: strategies file, default 50%, 1 operation with its own probability',
    );
    const cells = await samplingCells(page);
    t.diagnostic(`sampling: ${JSON.stringify(cells)}`);
    assert.deepEqual(cells[CART], { text: '1.25%', title: "From the strategies file: this operation's own probability", source: 'file' });
    assert.deepEqual(cells[ORDER], {
      text: '50% default',
      title: "From the strategies file: the service's default probability",
      source: 'file',
    });
    assert.match(await page.locator('th', { hasText: 'Sampling' }).getAttribute('title'), /probability/);

    // Sortable like every other column: highest probability first, then the reverse.
    const header = page.locator('th').getByRole('button', { name: 'Sampling' });
    await header.click();
    assert.deepEqual(await names(page), [ORDER, CART]);
    assert.match(await page.locator('th[aria-sort=descending]').textContent(), /Sampling/);
    await header.click();
    assert.deepEqual(await names(page), [CART, ORDER]);
    assert.match(await page.locator('th[aria-sort=ascending]').textContent(), /Sampling/);
    // The other columns and the filter still work with it.
    await page.locator('th').getByRole('button', { name: 'Name' }).click();
    assert.deepEqual(await names(page), [CART, ORDER]);
    await page.getByLabel('Filter operations').fill('order');
    assert.deepEqual(await names(page), [ORDER]);
    assert.equal((await samplingCells(page))[ORDER].text, '50% default');
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('strategies file: a rate-limited service', async (t) => {
    if (!metricsOn) return t.skip(`the ${STORAGE} storage keeps no span metrics`);
    const page = await newPage();
    await openMonitor(page, fileSpoor, LIMITED, 1);
    await page.getByTestId('sampling-summary').filter({ hasText: 'Sampling: strategies file, at most 5 traces/s' }).waitFor();
    const cells = await samplingCells(page);
    assert.equal(cells['GET /'].text, '≤ 5 traces/s');
    assert.match(cells['GET /'].title, /rate limited to 5 traces\/s/);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('adaptive: the initial probability with its lower bound', async (t) => {
    if (!metricsOn) return t.skip(`the ${STORAGE} storage keeps no span metrics`);
    const page = await newPage();
    await openMonitor(page, adaptiveSpoor, SERVICE, 2);
    const summary = page.getByTestId('sampling-summary');
    await summary.waitFor();
    assert.equal(
      await summary.textContent(),
      'Sampling: adaptive — probabilities recalculated to reach the target rate, at least 1 trace per minute for each operation',
    );
    const cells = await samplingCells(page);
    t.diagnostic(`sampling: ${JSON.stringify(cells)}`);
    // Nothing is calculated yet in the first minutes: every operation has the initial probability (0.001).
    for (const op of [CART, ORDER]) {
      assert.equal(cells[op].source, 'adaptive');
      assert.equal(cells[op].text, '0.1% default');
      assert.match(cells[op].title, /^Adaptive: .*; at least 1 trace per minute$/);
    }
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  for (const [what, answer] of [
    [
      'answers 501 (a query node)',
      (route) => route.fulfill({ status: 501, contentType: 'application/json', body: JSON.stringify(NOT_SERVED) }),
    ],
    ['fails', (route) => route.abort('connectionrefused')],
  ]) {
    test(`when /api/sampling ${what}, the column is left out and nothing alarms`, async (t) => {
      if (!metricsOn) return t.skip(`the ${STORAGE} storage keeps no span metrics`);
      const page = await newPage();
      let answered = 0;
      await page.route('**/api/sampling?**', async (route) => {
        await answer(route);
        answered++;
      });
      await openMonitor(page, fileSpoor, SERVICE, 2);
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.locator('.monitor-page[aria-busy=false]').waitFor();
      await page.locator('tr[data-operation]').nth(1).waitFor();
      // Both answers (the first load and the refresh) reached the page, which had time to show them.
      await waitFor(async () => answered >= 2, { description: 'both requests for the sampling strategy' });
      await page.waitForTimeout(200);
      assert.equal(await page.locator('th', { hasText: 'Sampling' }).count(), 0);
      assert.equal(await page.locator('[data-col=sampling]').count(), 0);
      assert.equal(await page.getByTestId('sampling-summary').count(), 0);
      assert.equal(await page.getByRole('alert').count(), 0);
      assert.equal(await page.locator('.operations-table th').count(), 6, 'five sortable columns and Traces');
      await page.locator('th').getByRole('button', { name: 'P95 latency' }).click();
      assert.equal((await names(page)).length, 2);
      assert.deepEqual(page.errors, []);
      await page.close();
    });
  }

  test('a query node answers 501 with the message the page expects', async () => {
    const node = await startSpoor({ storage: STORAGE, subcommand: 'query', flags: [`--query.static-files=${DIST_DIR}`] });
    try {
      const res = await fetchJson(`${node.baseUrls.query}/api/sampling?service=${SERVICE}`);
      assert.equal(res.status, 501);
      assert.equal(res.body.data, null);
      assert.match(res.body.errors[0].msg, /no sampling strategies/);
      const page = await newPage();
      await page.goto(`${node.baseUrls.query}/monitor?service=${SERVICE}`);
      await page.locator('.monitor-page[aria-busy=false]').waitFor();
      await page.getByRole('heading', { name: 'Monitor' }).waitFor();
      assert.equal(await page.getByTestId('sampling-summary').count(), 0);
      assert.equal((await page.getByRole('alert').allTextContents()).filter((text) => /sampl/i.test(text)).length, 0);
      assert.deepEqual(page.errors, []);
      await page.close();
    } finally {
      await node.stop();
    }
  });
});
