// The C++ HotROD demo (client/cpp/examples/hotrod, `make demo`) as a user
// tries it: customers clicked in Chromium, then the traces in Spoor: four
// services, HotROD's operations, the MySQL lock waits and Redis timeouts,
// and the dependency graph frontend → customer, driver, route.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fetchJson, freePorts, startSpoor, waitFor } from '../../tests/lib/spoor.mjs';
import { DIST_DIR, launchBrowser, newCheckedPage, requireBrowserAndBuild } from './lib/browser.mjs';

const HOTROD = process.env.SPOOR_HOTROD;
const skip =
  !HOTROD || !existsSync(HOTROD)
    ? `no HotROD binary (SPOOR_HOTROD=${HOTROD})`
    : process.env.SPOOR_STORAGE === 'clickhouse'
      ? 'the demo runs on the memory store'
      : false;

describe('HotROD (C++) in the browser, its traces in Spoor', { skip }, () => {
  let spoor;
  let hotrod;
  let browser;
  let hotrodUrl;

  before(async () => {
    requireBrowserAndBuild();
    spoor = await startSpoor({ storage: { type: 'memory' }, flags: [`--query.static-files=${DIST_DIR}`] });
    const ports = await freePorts(4);
    hotrod = spawn(HOTROD, [String(ports[0]), `${spoor.baseUrls.otlpHttp}/v1/traces`, ...ports.slice(1).map(String)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    hotrod.stdout.on('data', (d) => (out += d));
    hotrod.stderr.on('data', (d) => (out += d));
    hotrodUrl = `http://127.0.0.1:${ports[0]}`;
    await waitFor(
      async () =>
        fetch(`${hotrodUrl}/`).then(
          (r) => r.ok,
          () => false,
        ),
      { timeoutMs: 10_000, intervalMs: 50, description: `HotROD on ${hotrodUrl} (${out})` },
    );
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    hotrod?.kill('SIGTERM');
    await spoor?.stop();
  });

  test('clicking customers dispatches cars; each dispatch is a trace across the four services', async () => {
    const page = await newCheckedPage(browser);
    await page.goto(`${hotrodUrl}/`);
    await page.getByRole('button', { name: "Rachel's Floral Designs" }).click();
    await page.locator('#log li[data-done="200"]').first().waitFor({ timeout: 30_000 });
    // Two at once: the second waits for the MySQL lock.
    await page.getByRole('button', { name: 'Trom Chocolatier' }).click();
    await page.getByRole('button', { name: 'Amazing Coffee Roasters' }).click();
    await waitFor(async () => (await page.locator('#log li[data-done="200"]').count()) === 3, {
      timeoutMs: 30_000,
      intervalMs: 100,
      description: 'three dispatches answered',
    });
    assert.match(await page.locator('#log li').first().textContent(), /arriving in/);
    assert.deepEqual(page.errors, []);

    // A trace is whole when every service's last span has arrived: each
    // tracer reports in finish order, and a server span finishes after the
    // spans under it (the frontend's dispatch span after its client calls).
    const serverSpans = (t, service, op) =>
      t.spans.filter(
        (s) =>
          s.operationName === op &&
          t.processes[s.processID].serviceName === service &&
          s.tags.some((tag) => tag.key === 'span.kind' && tag.value === 'server'),
      ).length;
    const whole = (t) =>
      serverSpans(t, 'frontend', 'HTTP GET /dispatch') === 1 &&
      serverSpans(t, 'customer', 'HTTP GET /customer') === 1 &&
      serverSpans(t, 'driver', 'HTTP GET /FindNearest') === 1 &&
      serverSpans(t, 'route', 'HTTP GET /route') === 10;
    let traces;
    await waitFor(
      async () => {
        const res = await fetchJson(
          `${spoor.baseUrls.query}/api/traces?service=frontend&operation=${encodeURIComponent('HTTP GET /dispatch')}&limit=10`,
        );
        traces = res.body?.data ?? [];
        return traces.length === 3 && traces.every(whole);
      },
      { timeoutMs: 20_000, intervalMs: 200, description: 'three dispatch traces, whole' },
    );
    const events = (s) => s.logs.map((l) => Object.fromEntries(l.fields.map((f) => [f.key, f.value])));
    const failed = (s) => s.tags.some((tag) => tag.key === 'error' && tag.value === true);
    const sqlSpan = (t) => t.spans.find((s) => s.operationName === 'SQL SELECT');
    const getDrivers = (t) => t.spans.filter((s) => s.operationName === 'redis GetDriver');
    const waitedForLock = (t) => events(sqlSpan(t)).some((e) => e.event === 'waiting for lock');
    let lockWaits = 0;
    let timeouts = 0;
    for (const t of traces) {
      const services = new Set(Object.values(t.processes).map((p) => p.serviceName));
      assert.deepEqual([...services].sort(), ['customer', 'driver', 'frontend', 'route']);
      const ops = new Set(t.spans.map((s) => s.operationName));
      for (const op of [
        'HTTP GET /dispatch',
        'HTTP GET /customer',
        'SQL SELECT',
        'HTTP GET /FindNearest',
        'redis FindDriverIDs',
        'redis GetDriver',
        'HTTP GET /route',
      ]) {
        assert.ok(ops.has(op), `${op} in trace ${t.traceID}`);
      }
      // The ten routes, computed through three workers.
      assert.equal(t.spans.filter((s) => s.operationName === 'HTTP GET /route').length, 20);
      const sql = sqlSpan(t);
      assert.ok(sql.duration >= 300_000, `SQL SELECT holds the lock 300 ms (${sql.duration} µs)`);
      if (waitedForLock(t)) lockWaits++;
      for (const s of getDrivers(t)) {
        if (failed(s)) {
          timeouts++;
          assert.ok(
            events(s).some((e) => e.message === 'redis timeout'),
            'a timeout says so',
          );
        }
      }
    }
    assert.ok(lockWaits >= 1, 'the concurrent dispatches queued for the MySQL lock');
    assert.ok(timeouts >= 3, `Redis timeouts (one GetDriver in eight): ${timeouts}`);

    // The trace in Spoor's own UI, as a user looking for both problems would
    // open it: a dispatch whose query queued for the MySQL lock and whose
    // driver lookup hit a Redis timeout. The one-in-eight counter is global,
    // so each dispatch's ten-plus calls get at least one when they do not
    // interleave with another's (the lock waiter's start 300 ms after those of
    // the dispatch ahead of it, which take about 200); should a slow machine
    // interleave them, any dispatch with a timeout will do.
    const picked = traces.find((t) => waitedForLock(t) && getDrivers(t).some(failed)) ?? traces.find((t) => getDrivers(t).some(failed));
    assert.ok(picked, 'a dispatch that hit a Redis timeout');
    const pickedGets = getDrivers(picked);
    const pickedTimeouts = pickedGets.filter(failed);
    await page.goto(`${spoor.baseUrls.query}/trace/${picked.traceID}`);
    const rows = page.getByRole('tree', { name: 'Spans' }).getByRole('treeitem');
    const sqlRow = rows.filter({ hasText: 'SQL SELECT' });
    await sqlRow.waitFor({ timeout: 15_000 });
    // About 40 rows: all within what the virtualized list renders from its
    // top (the rows in view plus 20), so the counts below see every span.
    assert.equal(await rows.count(), picked.spans.length, 'every span has its row');

    // The critical path is on and drawn. By the model (criticalPath.ts) the
    // dispatch is sequential up to its routes: the customer call, whose only
    // child chain ends in the SQL SELECT, then the driver call, whose
    // FindDriverIDs and GetDriver calls run one after another; so the whole
    // query and every GetDriver, the timed-out ones included, are on it
    // (which of the routes, run in parallel by three workers, are on it comes
    // down to microseconds, so they are not checked).
    const criticalToggle = page.getByLabel('Critical path');
    assert.equal(await criticalToggle.isChecked(), true);
    assert.ok((await page.locator('.span-row .critical').count()) > 0, 'critical path drawn');
    const sqlCritical = sqlRow.locator('.critical');
    assert.equal(await sqlCritical.count(), 1, 'the slow query is on the critical path');
    const sqlBar = await sqlRow.locator('.span-bar').boundingBox();
    const sqlSegment = await sqlCritical.boundingBox();
    assert.ok(sqlSegment.width >= sqlBar.width * 0.99, `the whole query is critical (${sqlSegment.width} of ${sqlBar.width} px)`);
    // The toggle takes it away: the segments are what the checkbox draws.
    await criticalToggle.uncheck();
    assert.equal(await sqlCritical.count(), 0);
    await criticalToggle.check();
    assert.equal(await sqlCritical.count(), 1);

    // The Redis timeouts: the GetDriver rows marked as errors are exactly the
    // timed-out calls, each on the critical path, like every other GetDriver.
    const getRows = rows.filter({ hasText: 'redis GetDriver' });
    assert.equal(await getRows.count(), pickedGets.length);
    const timeoutRows = getRows.filter({ has: page.getByTitle('error', { exact: true }) });
    assert.equal(await timeoutRows.count(), pickedTimeouts.length, 'the timed-out GetDriver calls show as errors');
    assert.equal(await rows.filter({ has: page.getByTitle('error', { exact: true }) }).count(), pickedTimeouts.length);
    for (const row of await getRows.all()) {
      assert.equal(await row.locator('.critical').count(), 1, `on the critical path: ${await row.textContent()}`);
    }

    // Their details say why: the lock wait on the query, the timeout on the call.
    const detail = page.getByTestId('span-detail');
    await sqlRow.click();
    await detail.filter({ hasText: 'SQL SELECT' }).waitFor();
    assert.match(await detail.textContent(), waitedForLock(picked) ? /waiting for lock/ : /acquired lock/);
    await timeoutRows.first().click();
    await detail.filter({ hasText: 'redis GetDriver' }).waitFor();
    assert.match(await detail.textContent(), /redis timeout/);
    assert.deepEqual(page.errors, []);

    // The dependency graph.
    const deps = await fetchJson(`${spoor.baseUrls.query}/api/dependencies?endTs=${Date.now()}&lookback=3600000`);
    const links = new Set(deps.body.data.map((d) => `${d.parent}->${d.child}`));
    for (const child of ['customer', 'driver', 'route']) assert.ok(links.has(`frontend->${child}`), `frontend -> ${child}: ${[...links]}`);
  });
});
