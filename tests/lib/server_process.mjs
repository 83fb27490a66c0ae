// What the helpers that start real servers for the tests (nats.mjs,
// prometheus.mjs) share: killing what is still running when the test
// process exits, and the end of a server's log for error messages.

import { existsSync, readFileSync } from 'node:fs';

// Servers still running when the test process exits are killed, so a
// crashed test never leaves one behind.
const running = new Set();
process.on('exit', () => {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {}
  }
});

/** Kills `child` when the test process exits, unless it exited first. */
export function killAtExit(child) {
  running.add(child);
  child.once('exit', () => running.delete(child));
}

/** The last `chars` characters of a log file ('' when there is none). */
export function logTail(file, chars = 3000) {
  if (!existsSync(file)) return '';
  const text = readFileSync(file, 'utf8');
  return text.length > chars ? `...${text.slice(-chars)}` : text;
}
