// Debian's chromium driven by playwright-core: headless, no sandbox (tests
// run as root), a fresh profile each time, nothing phoning home.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Resolves with {context, close()}; every page of the context shares the fresh profile. */
export async function launchBrowser() {
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'spoor-ui-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1400, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A new page of `browser` whose uncaught errors are collected in
 * `page.errors`, for the tests to fail on.
 */
export async function newCheckedPage(browser) {
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  page.errors = errors;
  return page;
}
