// Span data must only ever reach the page as text: no source file may use
// the escape hatches that turn strings into markup or code.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';

const SRC = path.dirname(new URL(import.meta.url).pathname);
const FORBIDDEN = [
  /dangerouslySetInnerHTML/,
  /\.innerHTML\b/,
  /\.outerHTML\b/,
  /insertAdjacentHTML/,
  /document\.write/,
  /\beval\(/,
  /new Function\(/,
];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.(ts|tsx)$/.test(name) && !name.endsWith('.test.ts') ? [p] : [];
  });
}

test('no source file builds markup or code from strings', () => {
  const files = sources(SRC);
  expect(files.length).toBeGreaterThan(10);
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const re of FORBIDDEN) expect(re.test(text), `${path.relative(SRC, file)} uses ${re}`).toBe(false);
  }
});
