// The search page's Query tab in a real browser: a query in the query
// language (docs/query-language.md) goes as query.filter to
// /api/v3/trace-summaries with the form's time window and limit, and stays in
// the URL; "Edit as query" turns the form into a query; a query the server
// cannot read shows its message and points at the position it names.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { nowNs, randomSpanId, randomTraceId, startSpoor, waitForTrace } from '../../tests/lib/spoor.mjs';
import { request, sendTraces, span, SpanKind, StatusCode } from '../../tests/lib/otlp.mjs';
import { DIST_DIR, launchBrowser, newCheckedPage, requireBrowserAndBuild } from './lib/browser.mjs';

requireBrowserAndBuild();

// The storage backend: memory, or $SPOOR_STORAGE.
const STORAGE = process.env.SPOOR_STORAGE || 'memory';

const MS = 1_000_000n;
const ERROR = { code: StatusCode.ERROR, message: 'card declined' };

let spoor;
let ui;
let browser;
const ids = {};

/**
 * A trace of a root span of `service` calling `api` (one span, under the root); `apiStatus` is
 * the api span's status. Resolves with the trace ID once the query API has both spans.
 */
async function sendCall({ service, root, call, durationMs, apiStatus, agoMs = 60_000 }) {
  const traceId = randomTraceId();
  const rootId = randomSpanId();
  const start = nowNs() - BigInt(agoMs) * MS;
  const end = start + BigInt(durationMs) * MS;
  await sendTraces(
    spoor.baseUrls.otlpHttp,
    request([
      { service, spans: [span({ traceId, spanId: rootId, name: root, kind: SpanKind.SERVER, startNs: start, endNs: end })] },
      {
        service: 'api',
        spans: [
          span({
            traceId,
            spanId: randomSpanId(),
            parentSpanId: rootId,
            name: call,
            kind: SpanKind.SERVER,
            startNs: start + 2n * MS,
            endNs: end - 2n * MS,
            attributes: { 'http.status_code': apiStatus ? 502 : 200 },
            status: apiStatus,
          }),
        ],
      },
    ]),
  );
  await waitForTrace(spoor.baseUrls.query, traceId, { minSpans: 2 });
  return traceId;
}

before(async () => {
  spoor = await startSpoor({ storage: STORAGE, flags: [`--query.static-files=${DIST_DIR}`] });
  ui = `${spoor.baseUrls.query}/`;
  // frontend -> api, the api span failing: the one trace `frontend >> error` selects.
  ids.failing = await sendCall({ service: 'frontend', root: 'GET /checkout', call: 'POST /pay', durationMs: 40, apiStatus: ERROR });
  // 2.5 s: the one trace longer than 2 s.
  ids.slow = await sendCall({ service: 'frontend', root: 'GET /report', call: 'GET /data', durationMs: 2500 });
  ids.fine = await sendCall({ service: 'frontend', root: 'GET /home', call: 'GET /items', durationMs: 30 });
  // A failing api span that no frontend span is above.
  ids.worker = await sendCall({ service: 'worker', root: 'nightly job', call: 'POST /pay', durationMs: 50, apiStatus: ERROR });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await spoor?.stop();
});

/** The trace IDs the result list shows, sorted. */
async function listed(page) {
  const rows = page.locator('.trace-item');
  const out = [];
  for (let i = 0; i < (await rows.count()); i++) out.push(await rows.nth(i).getAttribute('data-trace-id'));
  return out.sort();
}

/** Types `query` into the Query tab, searches, and resolves with the request to /api/v3/trace-summaries. */
async function runQuery(page, query) {
  await page.getByRole('textbox', { name: 'Query', exact: true }).fill(query);
  const response = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v3/trace-summaries');
  await page.getByRole('button', { name: 'Find traces' }).click();
  return response;
}

const count = (n) => `${n} trace${n === 1 ? '' : 's'}`;

test('a query finds exactly the traces it selects, and the URL keeps it', async () => {
  const page = await newCheckedPage(browser);
  await page.goto(`${ui}search`);
  await page.getByRole('tab', { name: 'Query' }).click();
  assert.equal(await page.getByRole('tab', { name: 'Query' }).getAttribute('aria-selected'), 'true');

  const structural = '{ resource.service.name = "frontend" } >> { status = error }';
  const response = await runQuery(page, structural);
  assert.equal(response.status(), 200);
  const sent = new URL(response.url()).searchParams;
  assert.equal(sent.get('query.filter'), structural);
  assert.equal(sent.get('query.searchDepth'), '20');
  assert.ok(sent.get('query.startTimeMin') && sent.get('query.startTimeMax'), 'the time window is sent');
  assert.equal(sent.get('query.serviceName'), null, 'no service is needed');
  await page
    .getByTestId('result-count')
    .filter({ hasText: count(1) })
    .waitFor();
  assert.deepEqual(await listed(page), [ids.failing]);
  assert.match(await page.locator('.trace-item').textContent(), /frontend: GET \/checkout/);
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('query'), structural);
  assert.equal(url.searchParams.get('lookback'), '1h');

  // Without the structure, both failing traces.
  await runQuery(page, '{ status = error }');
  await page
    .getByTestId('result-count')
    .filter({ hasText: count(2) })
    .waitFor();
  assert.deepEqual(await listed(page), [ids.failing, ids.worker].sort());

  await runQuery(page, '{ traceDuration > 2s }');
  await page
    .getByTestId('result-count')
    .filter({ hasText: count(1) })
    .waitFor();
  assert.deepEqual(await listed(page), [ids.slow]);
  await page.getByTestId('scatter-plot').locator('.recharts-symbols').first().waitFor();

  // The link, opened again, shows the same query in the Query tab and the same traces.
  const shared = await newCheckedPage(browser);
  await shared.goto(page.url());
  await shared
    .getByTestId('result-count')
    .filter({ hasText: count(1) })
    .waitFor();
  assert.deepEqual(await listed(shared), [ids.slow]);
  assert.equal(await shared.getByRole('tab', { name: 'Query' }).getAttribute('aria-selected'), 'true');
  assert.equal(await shared.getByRole('textbox', { name: 'Query', exact: true }).inputValue(), '{ traceDuration > 2s }');

  // A result opens its trace.
  await shared.locator('.trace-item a.trace-name').click();
  await shared.waitForURL(new RegExp(`/trace/${ids.slow}$`));
  await shared.locator('.span-row', { hasText: 'GET /data' }).waitFor();
  assert.deepEqual([...page.errors, ...shared.errors], []);
  await Promise.all([page.close(), shared.close()]);
});

test('"Edit as query" turns the form into a query, with its time window and limit', async () => {
  const page = await newCheckedPage(browser);
  await page.goto(`${ui}search`);
  await page.locator('select[name=service] option[value=frontend]').waitFor({ state: 'attached' });
  await page.locator('select[name=service]').selectOption('frontend');
  await page.locator('select[name=spanKind]').selectOption('server');
  await page.locator('select[name=operation] option[value="GET /checkout"]').waitFor({ state: 'attached' });
  await page.locator('select[name=operation]').selectOption('GET /checkout');
  await page.locator('input[name=tags]').fill('http.status_code=200 note="say \\"hi\\" C:\\\\tmp"');
  await page.locator('input[name=minDuration]').fill('300ms');
  await page.locator('input[name=maxDuration]').fill('3s');
  await page.getByRole('button', { name: 'Edit as query' }).click();

  const text = page.getByRole('textbox', { name: 'Query', exact: true });
  assert.equal(
    await text.inputValue(),
    '{ resource.service.name = "frontend" && name = "GET /checkout" && kind = server && .http.status_code = 200 && ' +
      '.note = "say \\"hi\\" C:\\\\tmp" && duration >= 300ms && duration <= 3s }',
  );
  assert.equal(await page.getByRole('tab', { name: 'Query' }).getAttribute('aria-selected'), 'true');
  assert.equal(await text.evaluate((el) => el === document.activeElement), true, 'the query has the focus');

  // Back in the form, the fields are as they were; a shorter form gives a shorter query.
  await page.getByRole('tab', { name: 'Form' }).click();
  assert.equal(await page.locator('select[name=operation]').inputValue(), 'GET /checkout');
  await page.locator('select[name=spanKind]').selectOption('');
  await page.locator('select[name=operation]').selectOption('');
  await page.locator('input[name=tags]').fill('');
  await page.locator('input[name=minDuration]').fill('2s');
  await page.locator('input[name=maxDuration]').fill('');
  await page.locator('select[name=lookback]').selectOption('2h');
  await page.locator('input[name=limit]').fill('7');
  await page.getByRole('button', { name: 'Edit as query' }).click();
  assert.equal(await text.inputValue(), '{ resource.service.name = "frontend" && duration >= 2s }');
  assert.equal(await page.locator('select[name=lookback]').inputValue(), '2h');
  assert.equal(await page.locator('input[name=limit]').inputValue(), '7');

  const response = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v3/trace-summaries');
  await page.getByRole('button', { name: 'Find traces' }).click();
  const sent = new URL((await response).url()).searchParams;
  assert.equal(sent.get('query.searchDepth'), '7');
  const window = Date.parse(sent.get('query.startTimeMax')) - Date.parse(sent.get('query.startTimeMin'));
  assert.equal(window, 2 * 3600e3);
  await page
    .getByTestId('result-count')
    .filter({ hasText: count(1) })
    .waitFor();
  assert.deepEqual(await listed(page), [ids.slow]);
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('limit'), '7');
  assert.equal(url.searchParams.get('lookback'), '2h');

  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a query the server cannot read: its message, and the position it names in the text', async () => {
  const page = await newCheckedPage(browser);
  await page.goto(`${ui}search`);
  await page.getByRole('tab', { name: 'Query' }).click();
  const text = page.getByRole('textbox', { name: 'Query', exact: true });
  const error = page.getByTestId('query-error');
  assert.equal(await error.getAttribute('role'), 'alert');
  assert.equal(await error.textContent(), '');

  const response = await runQuery(page, '{ duration > 5 }');
  assert.equal(response.status(), 400);
  await error.filter({ hasText: 'query.filter at 14' }).waitFor();
  assert.match(await error.textContent(), /^query\.filter at 14: expected a duration with its unit \(300ms, 1\.5s, 2m\), found '5'/);
  assert.equal(await page.getByTestId('query-error-marker').textContent(), '{ duration > 5 }\n             ^');
  assert.equal(await text.getAttribute('aria-invalid'), 'true');
  assert.equal(await text.getAttribute('aria-describedby'), 'query-error query-hint');
  const selection = () => text.evaluate((el) => [el === document.activeElement, el.selectionStart, el.selectionEnd]);
  assert.deepEqual(await selection(), [true, 13, 14], 'the caret on the "5"');
  assert.equal(await page.locator('.trace-item').count(), 0);
  assert.match(await page.getByRole('region', { name: 'Search results' }).textContent(), /Correct the query/);
  assert.match(new URL(page.url()).searchParams.get('query'), /duration > 5/, 'the URL keeps the query to correct');

  // On the second line: the line with the caret under the character, and the line and column.
  await runQuery(page, '{ resource.service.name = "frontend" }\n>> { status = eror }');
  await error.filter({ hasText: 'query.filter at 54' }).waitFor();
  assert.match(await error.textContent(), /expected error, ok or unset, found 'eror'.*\(line 2, column 15\)/);
  assert.equal(await page.getByTestId('query-error-marker').textContent(), '>> { status = eror }\n              ^');
  assert.deepEqual(await selection(), [true, 53, 54]);

  // The server counts characters: the caret lands on the "x" after "ü".
  await runQuery(page, '{ name = "ü" && x }');
  await error.filter({ hasText: 'query.filter at 17' }).waitFor();
  assert.equal(await page.getByTestId('query-error-marker').textContent(), '{ name = "ü" && x }\n                ^');
  assert.deepEqual(await selection(), [true, 16, 17]);

  // Corrected, the error goes.
  await runQuery(page, '{ name = "GET /home" }');
  await page
    .getByTestId('result-count')
    .filter({ hasText: count(1) })
    .waitFor();
  assert.deepEqual(await listed(page), [ids.fine]);
  assert.equal(await error.textContent(), '');
  assert.equal(await text.getAttribute('aria-invalid'), 'false');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('other errors of a search with a query are shown as before', async () => {
  const page = await newCheckedPage(browser);
  await page.route(
    (url) => url.pathname === '/api/v3/trace-summaries',
    (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({ error: { httpCode: 503, message: 'storage unavailable' } }),
      }),
  );
  await page.goto(`${ui}search?query=${encodeURIComponent('{ status = error }')}`);
  const alert = page.getByRole('region', { name: 'Search results' }).getByRole('alert');
  await alert.filter({ hasText: 'HTTP 503: storage unavailable' }).waitFor();
  assert.equal(await page.getByTestId('query-error').textContent(), '');
  assert.deepEqual(page.errors, []);
  await page.close();
});
