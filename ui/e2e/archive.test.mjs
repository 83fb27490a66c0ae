// The trace page's Archive button in a real browser. One spoor keeps at
// most 4 traces in memory and has a memory archive: a trace archived from
// its page is still shown, from the archive, once newer traces have pushed
// it out of the main storage. Another spoor, without an archive and under
// --query.base-path=/jaeger, answers 501, and the page says which flag
// configures one. A trace opened from a file has no Archive button.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  fetchJson,
  nowNs,
  randomSpanId,
  randomTraceId,
  searchTraces,
  startSpoor,
  tempDir,
  waitFor,
  waitForTrace,
} from '../../tests/lib/spoor.mjs';
import { request, sendTraces, span, SpanKind } from '../../tests/lib/otlp.mjs';
import { DIST_DIR, launchBrowser, newCheckedPage, requireBrowserAndBuild } from './lib/browser.mjs';

requireBrowserAndBuild();

const SERVICE = 'archived-shop';
const FILLER = 'filler';
const MAX_TRACES = 4;

// The storage backend of the spoor without an archive: memory, or $SPOOR_STORAGE
// (ctest -R ui.e2e.clickhouse). The archive test needs the memory storage,
// which drops the oldest traces beyond --memory.max-traces; it runs on memory only.
const STORAGE = process.env.SPOOR_STORAGE || 'memory';

let archiving; // --memory.max-traces=4 --archive.span-storage.type=memory
let plain; // no archive, under /jaeger
let browser;

before(async () => {
  const ui = `--query.static-files=${DIST_DIR}`;
  if (STORAGE === 'memory') {
    archiving = await startSpoor({
      storage: 'memory',
      flags: [ui, `--memory.max-traces=${MAX_TRACES}`, '--archive.span-storage.type=memory'],
    });
  }
  plain = await startSpoor({ storage: STORAGE, flags: [ui, '--query.base-path=/jaeger'] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await archiving?.stop();
  await plain?.stop();
});

/** Sends a trace of `service` (a server span and a client span under it) and resolves with its ID. */
async function sendTrace(spoor, service, root = 'GET /order') {
  const traceId = randomTraceId();
  const rootId = randomSpanId();
  const start = nowNs() - 1_000_000_000n;
  const spans = [
    span({ traceId, spanId: rootId, name: root, kind: SpanKind.SERVER, startNs: start, endNs: start + 20_000_000n }),
    span({
      traceId,
      spanId: randomSpanId(),
      parentSpanId: rootId,
      name: 'SELECT orders',
      kind: SpanKind.CLIENT,
      startNs: start + 2_000_000n,
      endNs: start + 12_000_000n,
    }),
  ];
  await sendTraces(spoor.baseUrls.otlpHttp, request([{ service, spans }]));
  return traceId;
}

/** Waits for the trace page to show both spans of a trace sent by sendTrace. */
async function waitForSpans(page) {
  await page.getByTestId('span-count').filter({ hasText: /^2$/ }).waitFor();
  await page.locator('.span-row').filter({ hasText: 'SELECT orders' }).first().waitFor();
}

test('an archived trace is shown from the archive once the main storage has dropped it', async (t) => {
  if (!archiving) return t.skip(`on memory only (--memory.max-traces), not ${STORAGE}`);
  const query = archiving.baseUrls.query;
  const traceId = await sendTrace(archiving, SERVICE);
  await waitForTrace(query, traceId, { minSpans: 2 });

  const page = await newCheckedPage(browser);
  await page.goto(`${query}/trace/${traceId}`);
  await waitForSpans(page);
  const status = page.getByTestId('archive-status');
  assert.equal(await status.getAttribute('role'), 'status');
  assert.equal(await status.getAttribute('aria-live'), 'polite');
  assert.equal(await status.textContent(), '');

  const archived = page.waitForResponse((r) => r.url().endsWith(`/api/archive/${traceId}`) && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Archive', exact: true }).click();
  assert.equal((await archived).status(), 200);
  await status.filter({ hasText: 'Archived' }).waitFor();
  assert.equal(await status.textContent(), 'Archived: the trace is kept in the archive storage.');
  const done = page.getByRole('button', { name: 'Archived', exact: true });
  assert.equal(await done.isDisabled(), true);
  assert.equal(await page.getByRole('button', { name: 'Archive', exact: true }).count(), 0);

  // Newer traces push it out of the main storage (one at a time until a search no longer finds it).
  let fillers = 0;
  await waitFor(
    async () => {
      const found = await searchTraces(query, { service: SERVICE, limit: 20 });
      assert.equal(found.status, 200, found.text);
      if ((found.body.data ?? []).length === 0) return true;
      await sendTrace(archiving, FILLER, `GET /filler/${fillers++}`);
      return false;
    },
    { timeoutMs: 15_000, description: `${SERVICE}'s trace to leave the main storage` },
  );
  assert.ok(fillers >= MAX_TRACES, `dropped after ${fillers} newer traces`);
  const read = await fetchJson(`${query}/api/traces/${traceId}`);
  assert.equal(read.status, 200, 'the archive still has it');

  // A reload reads the trace again: from the archive now.
  await page.reload();
  await waitForSpans(page);
  assert.match(await page.locator('.trace-header').textContent(), new RegExp(`${SERVICE}: GET /order`));
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('without an archive storage the page says which flag configures one; under a base path', async () => {
  const prefix = `${plain.baseUrls.query}/jaeger`;
  const traceId = await sendTrace(plain, SERVICE);
  await waitForTrace(prefix, traceId, { minSpans: 2 });

  const page = await newCheckedPage(browser);
  // Hold the answer until the page shows that it is archiving.
  let release;
  const held = new Promise((resolve) => (release = resolve));
  const requests = [];
  await page.route('**/api/archive/**', async (route) => {
    requests.push(`${route.request().method()} ${new URL(route.request().url()).pathname}`);
    await held;
    await route.continue();
  });
  await page.goto(`${prefix}/trace/${traceId}`);
  await waitForSpans(page);
  await page.getByRole('button', { name: 'Archive', exact: true }).click();
  const status = page.getByTestId('archive-status');
  await status.filter({ hasText: 'Archiving the trace…' }).waitFor();
  const busy = page.getByRole('button', { name: 'Archiving…', exact: true });
  assert.equal(await busy.isDisabled(), true);
  assert.equal(await busy.getAttribute('aria-busy'), 'true');
  release();

  await status.filter({ hasText: 'No archive storage' }).waitFor();
  assert.equal(
    await status.textContent(),
    'No archive storage is configured: start spoor with --archive.span-storage.type to archive traces.',
  );
  assert.match(await status.getAttribute('class'), /\berror\b/);
  assert.deepEqual(requests, [`POST /jaeger/api/archive/${traceId}`]);
  // It can be tried again (after a restart with an archive, say).
  assert.equal(await page.getByRole('button', { name: 'Archive', exact: true }).isEnabled(), true);
  const direct = await fetchJson(`${prefix}/api/archive/${traceId}`, { method: 'POST' });
  assert.equal(direct.status, 501);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a trace opened from a file has no Archive button', async () => {
  const prefix = `${plain.baseUrls.query}/jaeger`;
  const traceId = await sendTrace(plain, 'from-file');
  const copy = structuredClone(await waitForTrace(prefix, traceId, { minSpans: 2 }));
  const id = 'a5c4e0f1a5c4e0f1a5c4e0f1a5c4e0f1';
  copy.traceID = id;
  for (const s of copy.spans) s.traceID = id;
  const file = path.join(tempDir('spoor-ui-archive-'), 'trace.json');
  writeFileSync(file, JSON.stringify({ data: [copy] }));

  const page = await newCheckedPage(browser);
  await page.goto(`${prefix}/upload`);
  await page.getByLabel('Trace file').setInputFiles(file);
  await page.waitForURL(new RegExp(`/trace/${id}$`));
  await waitForSpans(page);
  assert.equal(await page.getByRole('button', { name: /^Archiv/ }).count(), 0);
  assert.deepEqual(page.errors, []);
  await page.close();
});
