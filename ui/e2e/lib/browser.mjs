// Debian's chromium driven by playwright-core: headless, no sandbox (tests
// run as root), a fresh profile each time, nothing phoning home.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';

/** The UI build the browser tests serve (ui/dist). */
export const DIST_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist');

/**
 * What every browser test file needs before it starts: chromium (the file
 * is skipped, with one line, without it) and a built UI (an error without
 * it: `npm run e2e` builds it).
 */
export function requireBrowserAndBuild() {
  if (!existsSync(CHROMIUM)) {
    console.log(`# skipped: no chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_BIN)`);
    process.exit(0);
  }
  if (!existsSync(path.join(DIST_DIR, 'index.html'))) {
    throw new Error(`no UI build in ${DIST_DIR}: run npm run build (npm run e2e does)`);
  }
}

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
 * A new page of `browser` whose uncaught errors, and whatever the page's
 * Content-Security-Policy blocked (the browser reports it on the console),
 * are collected in `page.errors`, for the tests to fail on.
 */
export async function newCheckedPage(browser) {
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
      errors.push(new Error(`CSP violation: ${message.text()}`));
    }
  });
  page.errors = errors;
  return page;
}
