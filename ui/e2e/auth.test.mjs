// The UI in front of a query API that needs a bearer token
// (--query.auth.bearer-tokens-file): the page's own files load without one,
// the first API answer 401 opens the token dialog, a wrong token is refused
// there, the right one is kept for the tab (sessionStorage) and a token taken
// out of the file brings the dialog back. Traces are written without a token:
// only the query side needs one here.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fetchJson, jaegerTraceId, nowNs, randomSpanId, randomTraceId, startSpoor, tempDir, waitFor } from '../../tests/lib/spoor.mjs';
import { request, sendTraces, span, SpanKind } from '../../tests/lib/otlp.mjs';
import { DIST_DIR, launchBrowser, newCheckedPage, requireBrowserAndBuild } from './lib/browser.mjs';

requireBrowserAndBuild();

const STORAGE = process.env.SPOOR_STORAGE || 'memory';
const SERVICE = 'guarded-shop';
const TOKEN = 'ui-token-of-the-team';
const NEXT_TOKEN = 'the-token-after-rotation'; // replaces TOKEN in the file
const MISSING = 'authentication required: send the header Authorization: Bearer <token>';
const INVALID = 'the bearer token is not valid';

let spoor;
let tokensFile;
let browser;
let traceId;
let ui;

const bearer = (token) => ({ authorization: `Bearer ${token}` });

before(async () => {
  tokensFile = path.join(tempDir('spoor-ui-auth-'), 'tokens');
  writeFileSync(tokensFile, `# the UI's testers\n${TOKEN} team-a\n`);
  spoor = await startSpoor({
    storage: STORAGE,
    flags: [`--query.static-files=${DIST_DIR}`, `--query.auth.bearer-tokens-file=${tokensFile}`],
  });
  ui = `${spoor.baseUrls.query}/`;

  const id = randomTraceId();
  const root = randomSpanId();
  const end = nowNs();
  await sendTraces(
    spoor.baseUrls.otlpHttp,
    request([
      {
        service: SERVICE,
        spans: [
          span({ traceId: id, spanId: root, name: 'GET /basket', kind: SpanKind.SERVER, startNs: end - 30_000_000n, endNs: end }),
          span({
            traceId: id,
            spanId: randomSpanId(),
            parentSpanId: root,
            name: 'load basket',
            startNs: end - 20_000_000n,
            endNs: end - 5_000_000n,
          }),
        ],
      },
    ]),
  );
  traceId = jaegerTraceId(id);
  await waitFor(
    async () =>
      (await fetchJson(`${spoor.baseUrls.query}/api/traces/${traceId}`, { headers: bearer(TOKEN) })).body?.data?.[0]?.spans?.length === 2,
    { timeoutMs: 15_000, description: 'the trace stored' },
  );
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await spoor?.stop();
});

/** A page that counts the API answers 401 it gets in `page.refused`. */
async function newPage() {
  const page = await newCheckedPage(browser);
  page.refused = 0;
  page.on('response', (res) => {
    if (res.status() === 401) page.refused++;
  });
  return page;
}

/** Types a token into the dialog and submits it. */
async function signIn(page, token) {
  const dialog = page.getByRole('dialog', { name: 'Sign in to Spoor' });
  await dialog.getByLabel('Access token').fill(token);
  await dialog.getByRole('button', { name: 'Sign in' }).click();
}

const storedToken = (page) => page.evaluate(() => sessionStorage.getItem('spoor.token'));

test('the query API needs the token; the UI it serves does not', async () => {
  const api = `${spoor.baseUrls.query}/api/services`;
  const missing = await fetchJson(api);
  assert.equal(missing.status, 401);
  assert.equal(missing.headers.get('www-authenticate'), 'Bearer');
  assert.equal(missing.text.trim(), MISSING);
  assert.equal((await fetchJson(api, { headers: bearer('nope') })).text.trim(), INVALID);
  assert.deepEqual((await fetchJson(api, { headers: bearer(TOKEN) })).body.data, [SERVICE]);
  assert.equal((await fetchJson(`${ui}search`)).status, 200);
});

test('the dialog asks for the token, refuses a wrong one and keeps the right one for the tab', async () => {
  const page = await newPage();
  await page.goto(`${ui}search?service=${SERVICE}&lookback=1h`);
  const dialog = page.getByRole('dialog', { name: 'Sign in to Spoor' });
  await dialog.waitFor();
  assert.ok((await dialog.textContent()).includes(MISSING));
  assert.equal(await dialog.getByLabel('Access token').getAttribute('type'), 'password');
  await page.waitForFunction(() => document.activeElement?.getAttribute('type') === 'password');
  assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0);

  await signIn(page, 'a-wrong-token');
  await dialog.getByRole('alert').filter({ hasText: 'The token was not accepted' }).waitFor();
  await page.waitForFunction(() => document.activeElement?.getAttribute('type') === 'password'); // ready to type again
  assert.ok((await dialog.textContent()).includes(INVALID));

  // The right token: the requests that waited (services, the search of the URL) are sent again.
  await signIn(page, TOKEN);
  await dialog.waitFor({ state: 'detached' });
  await page.getByTestId('result-count').filter({ hasText: '1 trace' }).waitFor();
  await page.locator(`.trace-item[data-trace-id="${traceId}"]`).waitFor();
  await page.locator(`select[name=service] option[value="${SERVICE}"]`).waitFor({ state: 'attached' });
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  assert.equal(await storedToken(page), TOKEN);

  // A reload in the same tab sends the kept token at once: no 401, no dialog.
  page.refused = 0;
  await page.reload();
  await page.getByTestId('result-count').filter({ hasText: '1 trace' }).waitFor();
  await page.locator(`select[name=service] option[value="${SERVICE}"]`).waitFor({ state: 'attached' });
  assert.equal(page.refused, 0);
  assert.equal(await dialog.count(), 0);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a trace opened in a new tab waits for the token, then shows', async () => {
  const page = await newPage();
  await page.goto(`${ui}trace/${traceId}`);
  const dialog = page.getByRole('dialog', { name: 'Sign in to Spoor' });
  await dialog.waitFor();
  assert.equal(await storedToken(page), null, 'a new tab has a session of its own');
  await signIn(page, TOKEN);
  await page.locator('.span-row', { hasText: 'load basket' }).waitFor();
  assert.equal(await page.locator('.span-row').count(), 2);
  assert.equal(await dialog.count(), 0);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a token taken out of the file brings the dialog back; Sign out forgets the token', async () => {
  const page = await newPage();
  await page.goto(`${ui}search?service=${SERVICE}&lookback=1h`);
  await signIn(page, TOKEN);
  await page.getByTestId('result-count').filter({ hasText: '1 trace' }).waitFor();

  // The file is read again at most once a second, on a request: wait until the server refuses TOKEN.
  writeFileSync(tokensFile, `${NEXT_TOKEN} team-a\n`);
  await waitFor(async () => (await fetchJson(`${spoor.baseUrls.query}/api/services`, { headers: bearer(TOKEN) })).status === 401, {
    timeoutMs: 10_000,
    intervalMs: 200,
    description: 'the server refusing the revoked token',
  });

  await page.getByRole('button', { name: 'Find traces' }).click();
  const dialog = page.getByRole('dialog', { name: 'Sign in to Spoor' });
  await dialog.waitFor();
  assert.ok((await dialog.textContent()).includes(INVALID));
  await signIn(page, NEXT_TOKEN);
  await dialog.waitFor({ state: 'detached' });
  await page.getByTestId('result-count').filter({ hasText: '1 trace' }).waitFor();
  assert.equal(await storedToken(page), NEXT_TOKEN);

  // Sign out: the token is forgotten and the page starts again, asking.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await dialog.waitFor();
  assert.ok((await dialog.textContent()).includes(MISSING));
  assert.equal(await storedToken(page), null);
  assert.deepEqual(page.errors, []);
  await page.close();
});
