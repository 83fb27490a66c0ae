// Helpers shared by the end-to-end benchmarks (e2e.mjs, clickhouse.mjs,
// scale_out.mjs).
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** --name=value arguments as an object ({name: value}; a bare --name is 'true'). */
export function parseArgs(argv) {
  return Object.fromEntries(
    argv.map((a) => {
      const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
      if (!m) throw new Error(`unknown argument ${a}`);
      return [m[1], m[2] ?? 'true'];
    }),
  );
}

// tracegen processes still running; killed when the benchmark exits early
// (an error, Ctrl-C), so none is left sending to a port nobody serves.
const tracegens = new Set();
process.on('exit', () => {
  for (const child of tracegens) child.kill('SIGKILL');
});

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** User + system CPU seconds of process `pid` (and its threads). */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime
}

/**
 * Runs tracegen with `args` and resolves with its report: {sent, acked
 * (null for UDP, which has no acknowledgements), failed, output}.
 */
export function runTracegen(tracegenBin, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(tracegenBin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    tracegens.add(child);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', (err) => {
      tracegens.delete(child);
      reject(err);
    });
    child.on('close', (code) => {
      tracegens.delete(child);
      const m = /spans:\s+sent (\d+), acknowledged (\d+|unknown)[^,]*, failed (\d+)/.exec(out);
      if (!m) return reject(new Error(`tracegen ${args.join(' ')} exited ${code} without a report:\n${out}`));
      resolve({ sent: Number(m[1]), acked: m[2] === 'unknown' ? null : Number(m[2]), failed: Number(m[3]), output: out });
    });
  });
}
