// A real Prometheus server for the tests (Debian's prometheus package) on a
// free loopback port, scraping the targets it is given, with its TSDB in a
// directory of its own; never a system service.
//
//   startPrometheus({dir, targets, scrapeInterval, metricsPath, job})
//     -> {url, port, dir, pid, query(expr), series(expr), targets(), stop()}
//
// query(expr) runs an instant query (GET /api/v1/query) and resolves with
// the result vector; stop() is SIGTERM, then SIGKILL after 15 s.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stopPid } from './clickhouse.mjs';
import { freePorts } from './spoor.mjs';
import { killAtExit, logTail } from './server_process.mjs';

/** $PROMETHEUS_BIN, else Debian's /usr/bin/prometheus, else one on the PATH. */
export const PROMETHEUS_BIN =
  process.env.PROMETHEUS_BIN || ['/usr/bin/prometheus'].find((f) => existsSync(f)) || 'prometheus';

const READY_TIMEOUT_MS = 60_000;


const sleep = (ms) => new Promise((r) => setTimeout(r, ms));


async function get(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    return { status: res.status, text: await res.text() };
  } catch {
    return null;
  }
}

/** The configuration: one job scraping `targets` (host:port) every `scrapeInterval`. */
function configText({ targets, scrapeInterval, metricsPath, job }) {
  return [
    'global:',
    `  scrape_interval: ${scrapeInterval}`,
    `  scrape_timeout: ${scrapeInterval}`,
    `  evaluation_interval: ${scrapeInterval}`,
    'scrape_configs:',
    `  - job_name: ${JSON.stringify(job)}`,
    `    metrics_path: ${JSON.stringify(metricsPath)}`,
    '    static_configs:',
    `      - targets: ${JSON.stringify(targets)}`,
    '',
  ].join('\n');
}

async function launch({ dir, port, configFile }) {
  const logFile = path.join(dir, 'prometheus.log');
  const out = openSync(logFile, 'a');
  const child = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { cwd: dir, stdio: ['ignore', out, out] },
  );
  closeSync(out);
  killAtExit(child);
  let spawnError = null;
  child.once('error', (err) => {
    spawnError = err;
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (spawnError) {
      throw new Error(`cannot start ${PROMETHEUS_BIN} (apt-get install prometheus): ${spawnError.message}`);
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      const log = logTail(logFile);
      const err = new Error(`prometheus exited with ${child.exitCode ?? child.signalCode}:\n${log}`);
      err.portConflict = /address already in use/i.test(log);
      throw err;
    }
    if ((await get(`http://127.0.0.1:${port}/-/ready`))?.status === 200) return child;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`prometheus not ready after ${READY_TIMEOUT_MS} ms:\n${logTail(logFile)}`);
    }
    await sleep(100);
  }
}

/**
 * Starts Prometheus in `dir` (created; config DIR/prometheus.yml, TSDB
 * DIR/data, log DIR/prometheus.log) scraping `targets` (["host:port"]) at
 * `metricsPath` every `scrapeInterval`, and waits until /-/ready answers.
 */
export async function startPrometheus({ dir, targets, scrapeInterval = '1s', metricsPath = '/metrics', job = 'spoor' }) {
  mkdirSync(dir, { recursive: true });
  const configFile = path.join(dir, 'prometheus.yml');
  writeFileSync(configFile, configText({ targets, scrapeInterval, metricsPath, job }));
  let child;
  let port;
  for (let attempt = 0; ; attempt++) {
    [port] = await freePorts(1);
    try {
      child = await launch({ dir, port, configFile });
      break;
    } catch (err) {
      // Only a port taken before Prometheus bound it is worth a retry.
      if (!err.portConflict || attempt >= 2) throw err;
    }
  }
  const url = `http://127.0.0.1:${port}`;

  async function api(pathAndQuery) {
    const res = await fetch(`${url}${pathAndQuery}`, { signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`prometheus ${pathAndQuery}: HTTP ${res.status}, not JSON: ${text.slice(0, 300)}`);
    }
    if (res.status !== 200 || body.status !== 'success') {
      throw new Error(`prometheus ${pathAndQuery}: HTTP ${res.status}: ${text.slice(0, 500)}`);
    }
    return body.data;
  }

  return {
    url,
    port,
    dir,
    get pid() {
      return child.pid;
    },
    get alive() {
      return child.exitCode === null && child.signalCode === null;
    },
    get log() {
      return logTail(path.join(dir, 'prometheus.log'));
    },
    /**
     * Instant query at the current time; resolves with the result vector as
     * [{metric: {label: value}, value: Number}] (a scalar as one entry
     * without labels).
     */
    async query(expr) {
      const data = await api(`/api/v1/query?${new URLSearchParams({ query: expr })}`);
      if (data.resultType === 'scalar') return [{ metric: {}, value: Number(data.result[1]) }];
      if (data.resultType !== 'vector') throw new Error(`${expr}: a ${data.resultType}, not a vector`);
      return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
    /** The active targets with their health and last scrape error. */
    async targets() {
      return (await api('/api/v1/targets?state=active')).activeTargets;
    },
    /** SIGTERM, then SIGKILL after 15 s; resolves once the process is gone. */
    async stop() {
      await stopPid(child.pid, child);
      if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
    },
  };
}
