// Takes the screenshots in ../docs/images/ (shown in the top-level README):
// starts ../build/src/spoor serving dist/ (run `npm run build` first;
// `npm run screenshots` does), writes a few checkout traces over OTLP and
// photographs the main pages in Debian's chromium.
//
//   npm run screenshots             # writes ../docs/images/*.png
//   SPOOR_BIN=... CHROMIUM_BIN=...  # other binaries

import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fetchJson, nowNs, startSpoor, waitFor, waitForTrace } from '../../tests/lib/spoor.mjs';
import { sendTraces } from '../../tests/lib/otlp.mjs';
import { CHROMIUM, launchBrowser } from '../e2e/lib/browser.mjs';
import { checkout } from '../e2e/lib/seed.mjs';
import { randomSource, shopRequest, shopTrace } from '../e2e/lib/shop.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DIST_DIR = path.resolve(HERE, '../dist');
const OUT_DIR = path.resolve(HERE, '../../docs/images');

if (!existsSync(path.join(DIST_DIR, 'index.html'))) throw new Error(`no UI build in ${DIST_DIR}: run npm run build`);
if (!existsSync(CHROMIUM)) throw new Error(`no chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_BIN)`);
mkdirSync(OUT_DIR, { recursive: true });

const spoor = await startSpoor({
  storage: 'memory',
  flags: [`--query.static-files=${DIST_DIR}`, '--span-metrics.flush-interval=1s'],
});
const browser = await launchBrowser();
try {
  // Twelve checkouts over the last half hour, alternating the two variants.
  const now = nowNs();
  const traces = [];
  for (let i = 0; i < 12; i++) {
    const t = checkout(now - BigInt(30 - i * 2) * 60_000_000_000n, i % 2 ? 'b' : 'a');
    await sendTraces(spoor.baseUrls.otlpHttp, t.req);
    traces.push(t);
  }
  for (const t of traces) await waitForTrace(spoor.baseUrls.query, t.traceId, { minSpans: t.spans });
  const [a, b] = traces.slice(-2); // the newest of each variant
  // A ride-dispatch application's traffic over the last hour, for the
  // Monitor and the paths through a service: 20 requests a minute.
  const random = randomSource(7);
  const shop = [];
  for (let i = 0; i < 1200; i++) shop.push(shopTrace(now - BigInt(60 * 60 - i * 3) * 1_000_000_000n, random));
  for (let i = 0; i < shop.length; i += 100) await sendTraces(spoor.baseUrls.otlpHttp, shopRequest(shop.slice(i, i + 100)));
  await waitFor(
    async () => {
      const calls = await fetchJson(`${spoor.baseUrls.query}/api/metrics/calls?service=frontend&lookback=0&ratePer=3600000&step=60000`);
      return (calls.body.metrics?.[0]?.metricPoints?.length ?? 0) > 0;
    },
    { timeoutMs: 30_000, description: 'span metrics of the dispatch traffic' },
  );
  const ui = `${spoor.baseUrls.query}/`;

  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1400, height: 860 });
  // `height`: the part of the page worth showing.
  const shot = async (name, height = 860) => {
    await page.waitForTimeout(300); // let transitions settle
    await page.screenshot({ path: path.join(OUT_DIR, `${name}.png`), clip: { x: 0, y: 0, width: 1400, height } });
    console.log(`wrote docs/images/${name}.png`);
  };

  await page.goto(`${ui}search?service=shop-frontend&lookback=1h&limit=20`);
  await page.getByTestId('scatter-plot').locator('.recharts-symbols').first().waitFor();
  await page.locator('.trace-item').nth(5).waitFor();
  await shot('search');

  await page.goto(`${ui}trace/${a.traceId}`);
  await page.locator('.span-row').first().waitFor();
  await page.locator('.span-row', { hasText: '/cart' }).filter({ hasText: 'shop-backend' }).click();
  await page.getByTestId('span-detail').waitFor();
  await shot('trace', 660);

  await page.goto(`${ui}trace/${a.traceId}`);
  await page.getByRole('tab', { name: 'Graph', exact: true }).click();
  await page.getByRole('img', { name: 'Trace graph' }).waitFor();
  await shot('trace-graph', 630);

  await page.goto(`${ui}trace/${a.traceId}...${b.traceId}`);
  await page.getByRole('table', { name: 'Trace comparison' }).waitFor();
  await shot('compare', 340);

  await page.goto(`${ui}dependencies`);
  await page.getByRole('img', { name: 'Service dependency graph' }).waitFor();
  await shot('dependencies', 490);

  await page.goto(`${ui}monitor?service=frontend&lookback=1h`);
  await page.locator('.monitor-page[aria-busy=false]').waitFor();
  await page.locator('tr[data-operation]').first().waitFor();
  await shot('monitor', 440);

  await page.goto(`${ui}deep-dependencies?service=driver`);
  await page.locator('svg').filter({ hasText: 'redis' }).first().waitFor();
  await shot('paths', 390);
} finally {
  await browser.close();
  await spoor.stop();
}
