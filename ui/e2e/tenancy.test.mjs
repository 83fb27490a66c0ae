// Tenants in the UI (spoor --multi-tenancy.enabled --multi-tenancy.tenants=acme,beta).
// Both tenants hold a trace with the same trace ID and service name but
// operations of their own, sent through the OpenTelemetry JS SDK and its
// OTLP/HTTP exporter. With bearer tokens that name the tenant, each browser
// session signs in with its own token and sees only its tenant's data (the
// tenant dialog never shows). Without tokens, the first API answer 400 with
// Spoor-Tenant-Header opens the tenant dialog: a tenant not in the list is
// refused there with the server's message, the one typed goes with every
// request after that, and "Switch tenant" asks again.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { fetchJson, jaegerTraceId, nowNs, randomSpanId, randomTraceId, startSpoor, tempDir, waitFor } from '../../tests/lib/spoor.mjs';
import { RecordingExporter, nsToHr } from '../../tests/lib/otel_sdk.mjs';
import { DIST_DIR, launchBrowser, newCheckedPage, requireBrowserAndBuild } from './lib/browser.mjs';

requireBrowserAndBuild();

// The OpenTelemetry packages are the end-to-end tests' (../../tests/node_modules).
const fromTests = createRequire(new URL('../../tests/package.json', import.meta.url));
const load = (name) => import(pathToFileURL(fromTests.resolve(name)).href);
const { context, trace } = await load('@opentelemetry/api');
const { OTLPTraceExporter } = await load('@opentelemetry/exporter-trace-otlp-http');
const { resourceFromAttributes } = await load('@opentelemetry/resources');
const { BasicTracerProvider, SimpleSpanProcessor } = await load('@opentelemetry/sdk-trace-base');

const STORAGE = process.env.SPOOR_STORAGE || 'memory';
const SERVICE = 'shared-shop';
const TENANTS = ['acme', 'beta'];
const TENANCY = ['--multi-tenancy.enabled', `--multi-tenancy.tenants=${TENANTS.join(',')}`];
/** Each tenant's trace: [root operation, child operation], both under SERVICE. */
const OPERATIONS = { acme: ['POST /acme/checkout', 'acme charge card'], beta: ['GET /beta/catalogue', 'beta list items'] };
const OTEL_TRACE_ID = randomTraceId(); // both tenants' traces have it
const TRACE_ID = jaegerTraceId(OTEL_TRACE_ID);
const MISSING = 'missing tenant: send the x-tenant header';
const UNKNOWN = "unknown tenant 'zzz'";
const STORED = { timeoutMs: 30_000, description: 'the traces stored' };

const other = (tenant) => TENANTS.find((t) => t !== tenant);

/**
 * Sends each tenant's trace (a root span and its child, trace ID
 * OTEL_TRACE_ID) through the OTLP/HTTP exporter with `headersOf(tenant)`.
 */
async function exportTraces(otlpHttp, headersOf) {
  for (const tenant of TENANTS) {
    const recording = new RecordingExporter(new OTLPTraceExporter({ url: `${otlpHttp}/v1/traces`, headers: headersOf(tenant) }));
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': SERVICE }),
      idGenerator: { generateTraceId: () => OTEL_TRACE_ID, generateSpanId: randomSpanId },
      spanProcessors: [new SimpleSpanProcessor(recording)],
    });
    const tracer = provider.getTracer('spoor-ui-tests');
    const [rootName, childName] = OPERATIONS[tenant];
    const end = nowNs();
    const root = tracer.startSpan(rootName, { startTime: nsToHr(end - 40_000_000n), root: true });
    const child = tracer.startSpan(childName, { startTime: nsToHr(end - 30_000_000n) }, trace.setSpan(context.active(), root));
    child.end(nsToHr(end - 10_000_000n));
    root.end(nsToHr(end));
    await provider.forceFlush();
    await provider.shutdown();
    assert.equal(recording.results.length, 2, `${tenant}: one export per span`);
    for (const r of recording.results) assert.equal(r.code, 0, `${tenant}'s export: ${r.error?.message ?? r.error}`);
  }
}

/** Resolves once each tenant's trace (asked for with `headersOf(tenant)`) has its two spans. */
async function waitForTraces(spoor, headersOf) {
  for (const tenant of TENANTS) {
    await waitFor(
      async () =>
        (await fetchJson(`${spoor.baseUrls.query}/api/traces/${TRACE_ID}`, { headers: headersOf(tenant) })).body?.data?.[0]?.spans
          ?.length === 2,
      { ...STORED, description: `${tenant}'s trace stored` },
    );
  }
}

/** A checked page that counts the API answers 400 (tenant refusals) it gets in `page.refusedTenant`. */
async function newPage(browser) {
  const page = await newCheckedPage(browser);
  page.refusedTenant = 0;
  page.on('response', (res) => {
    if (res.status() === 400 && res.headers()['spoor-tenant-header']) page.refusedTenant++;
  });
  return page;
}

/** Types `value` into the dialog titled `title`, in the field `label`, and submits it with `button`. */
async function answer(page, { title, label, button }, value) {
  const dialog = page.getByRole('dialog', { name: title });
  await dialog.getByLabel(label).fill(value);
  await dialog.getByRole('button', { name: button }).click();
}
const TOKEN_DIALOG = { title: 'Sign in to Spoor', label: 'Access token', button: 'Sign in' };
const TENANT_DIALOG = { title: 'Choose a tenant', label: 'Tenant', button: 'Open' };

/** The search for SERVICE lists only `tenant`'s trace, and the operations are only `tenant`'s. */
async function searchShowsOnly(page, tenant) {
  const [rootName] = OPERATIONS[tenant];
  await page.getByTestId('result-count').filter({ hasText: '1 trace' }).waitFor();
  const item = page.locator(`.trace-item[data-trace-id="${TRACE_ID}"]`);
  await item.filter({ hasText: rootName }).waitFor();
  for (const op of OPERATIONS[other(tenant)]) assert.ok(!(await item.textContent()).includes(op), `${tenant}'s search shows ${op}`);
  await page.locator(`select[name=operation] option[value="${rootName}"]`).waitFor({ state: 'attached' });
  const operations = await page
    .locator('select[name=operation] option')
    .evaluateAll((options) => options.map((o) => o.value).filter(Boolean));
  assert.deepEqual(operations.sort(), [...OPERATIONS[tenant]].sort(), `${tenant}'s operations`);
}

/** The page shows the trace TRACE_ID with `tenant`'s two spans only. */
async function traceShowsOnly(page, tenant) {
  for (const op of OPERATIONS[tenant]) await page.locator('.span-row', { hasText: op }).waitFor();
  const rows = await page.locator('.span-row').allTextContents();
  assert.equal(rows.length, 2, `${tenant}'s trace: ${rows.join(' | ')}`);
  for (const op of OPERATIONS[other(tenant)]) assert.ok(!rows.some((r) => r.includes(op)), `${tenant}'s trace shows ${op}`);
}

/** Opens TRACE_ID with the top bar's trace ID lookup. */
async function lookUpTrace(page) {
  const lookup = page.getByRole('textbox', { name: 'Trace ID' });
  await lookup.fill(TRACE_ID);
  await lookup.press('Enter');
  await page.waitForURL(`**/trace/${TRACE_ID}`);
}

describe('bearer tokens that name the tenant', () => {
  let spoor;
  let browsers = [];
  const bearer = (tenant) => ({ authorization: `Bearer tok-${tenant}` });

  before(async () => {
    const tokens = path.join(tempDir('spoor-ui-tenancy-'), 'tokens');
    writeFileSync(tokens, TENANTS.map((t) => `tok-${t} ${t}\n`).join(''));
    spoor = await startSpoor({
      storage: STORAGE,
      flags: [
        `--query.static-files=${DIST_DIR}`,
        ...TENANCY,
        `--collector.auth.bearer-tokens-file=${tokens}`,
        `--query.auth.bearer-tokens-file=${tokens}`,
      ],
    });
    await exportTraces(spoor.baseUrls.otlpHttp, bearer);
    await waitForTraces(spoor, bearer);
    browsers = [await launchBrowser(), await launchBrowser()];
  });

  after(async () => {
    for (const b of browsers) await b.close();
    await spoor?.stop();
  });

  test("an OTLP exporter with a token sends spans that only that tenant's UI session shows", async () => {
    // One browser session per tenant, each with its own sessionStorage.
    const pages = {};
    for (const [i, tenant] of TENANTS.entries()) {
      const page = await newPage(browsers[i]);
      pages[tenant] = page;
      await page.goto(`${spoor.baseUrls.query}/search?service=${SERVICE}&lookback=1h`);
      await page.getByRole('dialog', { name: TOKEN_DIALOG.title }).waitFor();
      await answer(page, TOKEN_DIALOG, `tok-${tenant}`);
      await page.getByRole('dialog', { name: TOKEN_DIALOG.title }).waitFor({ state: 'detached' });
    }
    for (const tenant of TENANTS) {
      const page = pages[tenant];
      await searchShowsOnly(page, tenant);
      await lookUpTrace(page);
      await traceShowsOnly(page, tenant);
      // The server takes the token's tenant: it never asked for one.
      assert.equal(page.refusedTenant, 0, tenant);
      assert.equal(await page.getByRole('dialog').count(), 0);
      assert.equal(await page.getByTestId('tenant').count(), 0);
      assert.equal(await page.evaluate(() => sessionStorage.getItem('spoor.token')), `tok-${tenant}`);
      assert.deepEqual(page.errors, []);
    }
    // The sessions stay apart: acme, after beta signed in, still sees acme's.
    await pages.acme.goto(`${spoor.baseUrls.query}/search?service=${SERVICE}&lookback=1h`);
    await searchShowsOnly(pages.acme, 'acme');
    for (const page of Object.values(pages)) await page.close();
  });
});

describe('the tenant header, chosen in the tenant dialog', () => {
  let spoor;
  let browser;
  const tenantHeader = (tenant) => ({ 'x-tenant': tenant });

  before(async () => {
    spoor = await startSpoor({ storage: STORAGE, flags: [`--query.static-files=${DIST_DIR}`, ...TENANCY] });
    await exportTraces(spoor.baseUrls.otlpHttp, tenantHeader);
    await waitForTraces(spoor, tenantHeader);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await spoor?.stop();
  });

  test('the query API refuses a request without a tenant and names the header', async () => {
    const res = await fetchJson(`${spoor.baseUrls.query}/api/services`);
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('spoor-tenant-header'), 'x-tenant');
    assert.equal(res.body.errors[0].msg, MISSING);
    assert.equal((await fetchJson(`${spoor.baseUrls.query}/search`)).status, 200);
  });

  test('the dialog asks for the tenant, refuses one not in the list, and Switch tenant asks again', async () => {
    const page = await newPage(browser);
    const storage = () => page.evaluate(() => [sessionStorage.getItem('spoor.tenant'), sessionStorage.getItem('spoor.tenantHeader')]);
    await page.goto(`${spoor.baseUrls.query}/search?service=${SERVICE}&lookback=1h`);
    const dialog = page.getByRole('dialog', { name: TENANT_DIALOG.title });
    await dialog.waitFor();
    assert.ok((await dialog.textContent()).includes(MISSING));
    assert.equal(await dialog.getByLabel(TENANT_DIALOG.label).getAttribute('type'), 'text');
    await page.waitForFunction(() => document.activeElement?.tagName === 'INPUT' && document.activeElement.closest('[role=dialog]'));
    assert.equal(await page.getByTestId('tenant').count(), 0);

    // A tenant not in --multi-tenancy.tenants: the server's message, and the dialog keeps asking.
    await answer(page, TENANT_DIALOG, 'zzz');
    await dialog.getByRole('alert').filter({ hasText: 'The tenant was not accepted' }).waitFor();
    assert.ok((await dialog.textContent()).includes(UNKNOWN));
    assert.equal(await page.getByTestId('tenant').count(), 0, 'a refused tenant is not shown as the current one');

    await answer(page, TENANT_DIALOG, 'acme');
    await dialog.waitFor({ state: 'detached' });
    await searchShowsOnly(page, 'acme');
    await page.getByTestId('tenant').filter({ hasText: 'acme' }).waitFor();
    assert.deepEqual(await storage(), ['acme', 'x-tenant']);
    await lookUpTrace(page);
    await traceShowsOnly(page, 'acme');

    // A reload in the same tab sends the kept tenant at once: no refusal, no dialog.
    page.refusedTenant = 0;
    await page.reload();
    await traceShowsOnly(page, 'acme');
    assert.equal(page.refusedTenant, 0);
    assert.equal(await dialog.count(), 0);

    // Switch tenant: the tenant is forgotten and the page starts again, asking.
    await page.getByRole('button', { name: 'Switch tenant' }).click();
    await dialog.waitFor();
    assert.ok((await dialog.textContent()).includes(MISSING));
    assert.equal((await storage())[0], null);
    await answer(page, TENANT_DIALOG, 'beta');
    await dialog.waitFor({ state: 'detached' });
    await traceShowsOnly(page, 'beta');
    await page.getByTestId('tenant').filter({ hasText: 'beta' }).waitFor();
    await page.goto(`${spoor.baseUrls.query}/search?service=${SERVICE}&lookback=1h`);
    await searchShowsOnly(page, 'beta');
    assert.deepEqual(await storage(), ['beta', 'x-tenant']);
    assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});
