// The Sampling column of the Monitor page in a real browser: one spoor
// serves strategies from a file (a service with a default probability and
// one operation of its own, and a rate-limited service), another computes
// them adaptively, and a process without strategies leaves the column out.
// A third calculates adaptive probabilities every second for a service
// whose spans have no kind (a Jaeger client that sets no span.kind): the
// page shows them even where the chosen kind has no metrics.

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
const NO_KIND = 'demo'; // its spans have no kind (OTLP SPAN_KIND_UNSPECIFIED)
const HOT = 'hot'; // many requests: a low probability is calculated
const COLD = 'cold'; // few: its probability doubles up to where it reaches the target
const HOT_COUNT = 50;
const COLD_COUNT = 2;

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
let calculatingSpoor; // --sampling.type=adaptive, calculating every second
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

/**
 * Root spans without a kind of HOT and COLD for NO_KIND, ending now, tagged
 * as a Jaeger client tags them: HOT_COUNT sampled at the initial probability
 * (0.001: a request rate of about 50,000/s), COLD_COUNT at 1 (about 2/s).
 */
function noKindRequest() {
  const end = nowNs();
  const root = (name, p, i) =>
    span({
      traceId: randomTraceId(),
      spanId: randomSpanId(),
      name,
      kind: SpanKind.UNSPECIFIED,
      startNs: end - BigInt(i + 1) * 10_000_000n,
      endNs: end - BigInt(i) * 10_000_000n + 5_000_000n,
      attributes: { 'sampler.type': 'probabilistic', 'sampler.param': p },
    });
  const spans = [];
  for (let i = 0; i < HOT_COUNT; i++) spans.push(root(HOT, 0.001, i));
  for (let i = 0; i < COLD_COUNT; i++) spans.push(root(COLD, 1, i));
  return request([{ service: NO_KIND, spans }]);
}

/** Waits until the span metrics of a kind (server when not given) count every operation of the service. */
async function waitForMetrics(query, service, operations, spanKind) {
  const params = { service, groupByOperation: 'true', lookback: '300000', step: '10000', ratePer: '60000' };
  const url = `${query}/api/metrics/calls?${new URLSearchParams(spanKind ? { ...params, spanKind } : params)}`;
  await waitFor(async () => ((await fetchJson(url)).body?.metrics ?? []).length === operations, {
    timeoutMs: 30_000,
    intervalMs: 250,
    description: `span metrics of ${service}`,
  });
}

/** The per-operation probabilities /api/sampling gives the service: {operation: probability}. */
async function ownProbabilities(spoor, service) {
  const res = await fetchJson(`${spoor.baseUrls.query}/api/sampling?service=${encodeURIComponent(service)}`);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.data.type, 'adaptive');
  const list = res.body.data.strategy.operationSampling?.perOperationStrategies ?? [];
  return Object.fromEntries(list.map((o) => [o.operation, o.probabilisticSampling.samplingRate]));
}

/**
 * A probability as the page writes it: a percentage with up to three
 * significant digits (the calculated ones lie between 0.001% and 100%).
 */
const percent = (p) => (p >= 1 ? '100%' : `${Number((p * 100).toPrecision(3))}%`);

before(async () => {
  const file = path.join(tempDir('spoor-ui-sampling-'), 'strategies.json');
  writeFileSync(file, JSON.stringify(STRATEGIES));
  const flags = [`--query.static-files=${DIST_DIR}`, '--span-metrics.flush-interval=1s'];
  fileSpoor = await startSpoor({ storage: STORAGE, flags: [...flags, `--sampling.strategies-file=${file}`] });
  adaptiveSpoor = await startSpoor({ storage: STORAGE, flags: [...flags, '--sampling.type=adaptive'] });
  // Calculations every second, each reading the interval that ended a second ago (as in
  // tests/integration/adaptive_sampling.test.mjs); operations are kept for ten minutes.
  calculatingSpoor = await startSpoor({
    storage: STORAGE,
    flags: [
      ...flags,
      '--sampling.type=adaptive',
      '--sampling.calculation-interval=1s',
      '--sampling.delay=1s',
      '--sampling.leader-lease-refresh-interval=200ms',
      '--sampling.follower-lease-refresh-interval=1s',
      '--sampling.aggregation-buckets=600',
    ],
  });
  metricsOn = (await fetchJson(`${fileSpoor.baseUrls.query}/api/metrics/minstep`)).status === 200;
  if (metricsOn) {
    for (const spoor of [fileSpoor, adaptiveSpoor]) await sendTraces(spoor.baseUrls.otlpHttp, shopRequest());
    await waitForMetrics(fileSpoor.baseUrls.query, SERVICE, 2);
    await waitForMetrics(fileSpoor.baseUrls.query, LIMITED, 1);
    await waitForMetrics(adaptiveSpoor.baseUrls.query, SERVICE, 2);
    // Sent once: the calculations go on while the other tests run.
    await sendTraces(calculatingSpoor.baseUrls.otlpHttp, noKindRequest());
    await waitForMetrics(calculatingSpoor.baseUrls.query, NO_KIND, 2, 'unspecified');
  }
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await fileSpoor?.stop();
  await adaptiveSpoor?.stop();
  await calculatingSpoor?.stop();
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

  test('spans without a kind: the notice, the calculated probabilities without metrics, then under unspecified', async (t) => {
    if (!metricsOn) return t.skip(`the ${STORAGE} storage keeps no span metrics`);
    // HOT is brought to the target at the first calculation and stays; COLD doubles from 0.001
    // each second until its sampled rate is near the target (about 0.5): wait until neither moved
    // over three reads 2.5 s apart (several calculations).
    let last = null;
    let steady = 0;
    const served = await waitFor(
      async () => {
        const now = await ownProbabilities(calculatingSpoor, NO_KIND);
        const known = now[HOT] !== undefined && now[COLD] !== undefined;
        steady = known && JSON.stringify(now) === JSON.stringify(last) ? steady + 1 : 0;
        last = now;
        return steady >= 2 ? now : null;
      },
      { timeoutMs: 60_000, intervalMs: 2500, description: `steady probabilities of ${HOT} and ${COLD}` },
    );
    t.diagnostic(`served: ${JSON.stringify(served)}`);
    assert.ok(served[HOT] < 0.001 && served[COLD] > 0.1, JSON.stringify(served));
    // What the Monitor asks: nothing of the default kind, the spans under unspecified.
    const calls = async (spanKind) => {
      const params = new URLSearchParams({ service: NO_KIND, spanKind, groupByOperation: 'true', lookback: '300000' });
      return ((await fetchJson(`${calculatingSpoor.baseUrls.query}/api/metrics/calls?${params}`)).body?.metrics ?? []).length;
    };
    assert.equal(await calls('server'), 0);
    assert.equal(await calls('unspecified'), 2);

    const page = await newPage();
    await page.goto(`${calculatingSpoor.baseUrls.query}/monitor?service=${NO_KIND}&lookback=5m`);
    await page.locator('.monitor-page[aria-busy=false]').waitFor();
    assert.equal(await page.getByLabel('Span kind').inputValue(), 'server');
    assert.equal(
      await page.getByTestId('no-metrics').textContent(),
      "No server spans of demo in this window. Spans sent without a kind are listed under 'unspecified'.",
    );
    assert.equal(await page.getByTestId('metric-chart').count(), 0);
    assert.equal(await page.locator('.operations-table').count(), 0);
    // The sampler's side all the same: the summary and the calculated probabilities, by name.
    const overview = page.getByRole('region', { name: 'Sampling' });
    await overview.locator('tr[data-operation]').nth(1).waitFor();
    assert.equal(
      await overview.getByTestId('sampling-summary').textContent(),
      'Sampling: adaptive — probabilities recalculated to reach the target rate, at least 1 trace per minute for each operation',
    );
    assert.deepEqual(await names(page), [COLD, HOT]);
    assert.match(await overview.locator('th', { hasText: 'Sampling' }).getAttribute('title'), /probability/);
    const title = 'Adaptive: calculated for this operation to reach the target rate; at least 1 trace per minute';
    const expected = (p) => ({ text: percent(p), title, source: 'adaptive' });
    const cells = await samplingCells(page);
    t.diagnostic(`without metrics: ${JSON.stringify(cells)}`);
    assert.deepEqual(cells, { [COLD]: expected(served[COLD]), [HOT]: expected(served[HOT]) });

    // Under unspecified: the charts, the operations and the same probabilities in their Sampling column.
    const option = page.getByLabel('Span kind').locator('option[value=unspecified]');
    assert.equal(await option.textContent(), 'unspecified (no kind)');
    await page.getByLabel('Span kind').selectOption('unspecified');
    await page.waitForURL(/spanKind=unspecified/);
    await page.locator('.operations-table tr[data-operation]').nth(1).waitFor();
    await page.locator('.operations-table [data-col=sampling]').nth(1).waitFor();
    await page.locator('.monitor-page[aria-busy=false]').waitFor();
    assert.equal(await page.getByTestId('no-metrics').count(), 0);
    assert.equal(await page.getByRole('region', { name: 'Sampling' }).count(), 0);
    assert.equal(await page.getByTestId('metric-chart').count(), 3);
    assert.deepEqual((await names(page)).sort(), [COLD, HOT]);
    const rates = await page
      .locator('.operations-table tr[data-operation]')
      .evaluateAll((rows) => rows.map((r) => r.querySelector('[data-col=rate]').textContent));
    for (const rate of rates) assert.match(rate, /req\/s$/);
    assert.deepEqual(await samplingCells(page), cells);
    assert.equal(await page.getByTestId('sampling-summary').count(), 1);
    // The probabilities did not move meanwhile.
    assert.deepEqual(await ownProbabilities(calculatingSpoor, NO_KIND), served);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('no metrics of the kind and nothing calculated: the summary line alone, also when metrics fail', async (t) => {
    if (!metricsOn) return t.skip(`the ${STORAGE} storage keeps no span metrics`);
    const page = await newPage();
    await page.goto(`${adaptiveSpoor.baseUrls.query}/monitor?service=${SERVICE}&lookback=5m&spanKind=producer`);
    await page.locator('.monitor-page[aria-busy=false]').waitFor();
    assert.equal(
      await page.getByTestId('no-metrics').textContent(),
      `No producer spans of ${SERVICE} in this window. Spans sent without a kind are listed under 'unspecified'.`,
    );
    const summary = page.getByRole('region', { name: 'Sampling' }).getByTestId('sampling-summary');
    await summary.waitFor();
    assert.match(await summary.textContent(), /^Sampling: adaptive — /);
    assert.equal(await page.locator('tr[data-operation]').count(), 0);
    assert.equal(await page.locator('table').count(), 0);

    await page.getByLabel('Span kind').selectOption('unspecified');
    await page.waitForURL(/spanKind=unspecified/);
    await page
      .getByTestId('no-metrics')
      .filter({ hasText: `No spans of ${SERVICE} without a kind in this window.` })
      .waitFor();

    // Metrics that fail: their error, and the sampling all the same.
    await page.route('**/api/metrics/calls?**', (route) => route.abort('connectionrefused'));
    await page.getByLabel('Span kind').selectOption('server');
    await page.getByRole('alert').filter({ hasText: 'Cannot load metrics' }).waitFor();
    await page.getByRole('region', { name: 'Sampling' }).getByTestId('sampling-summary').waitFor();
    assert.equal(await page.getByTestId('no-metrics').count(), 0);
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
