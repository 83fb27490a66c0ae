// Starts the real spoor binary on free loopback ports and offers the small
// helpers every end-to-end test needs: HTTP with JSON, polling, ID and time
// conversions, and a reader for the Prometheus text format.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Path of the binary under test: $SPOOR_BIN, else the build tree. */
export const SPOOR_BIN = process.env.SPOOR_BIN || path.resolve(HERE, '../../build/src/spoor');

/**
 * Directory with the shared fixtures: $SPOOR_SHARED_DIR when set (even if
 * it does not exist, so a suite can be made to skip), else ../shared beside
 * the repository when present, else null.
 */
export const SHARED_DIR = (() => {
  if (process.env.SPOOR_SHARED_DIR) return process.env.SPOOR_SHARED_DIR;
  const sibling = path.resolve(HERE, '../../../shared');
  return existsSync(sibling) ? sibling : null;
})();

/** Directory holding the project's .proto files. */
export const PROTO_DIR = path.resolve(HERE, '../../proto');

const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 20_000;
const MAX_LOG_CHARS = 1 << 20;

// Every child still running when the test process exits is killed, so a
// crashed test never leaves a server behind.
const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Returns `count` distinct free TCP ports on 127.0.0.1. The listeners are
 * held open together so the same port is not handed out twice, then closed;
 * another process may still grab one before spoor binds it, which
 * startSpoor handles by retrying.
 */
export async function freePorts(count) {
  const servers = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
      servers.push(server);
    }
    return servers.map((s) => s.address().port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

/**
 * Flags selecting the span storage backend. `storage` is a type name
 * ('memory', ...) or {type, flags: [...]} for backends needing more options.
 * $SPOOR_STORAGE picks the default, so a suite can be pointed at another
 * backend without editing it.
 */
export function storageFlags(storage) {
  const spec = typeof storage === 'string' ? { type: storage } : { ...(storage ?? {}) };
  spec.type ??= process.env.SPOOR_STORAGE || 'memory';
  const flags = [`--span-storage.type=${spec.type}`, ...(spec.flags ?? [])];
  // Each embedded store gets a fresh directory, removed when the test
  // process exits, unless the caller chose one.
  if (spec.type === 'embedded' && !flags.some((f) => f.startsWith('--embedded.directory'))) {
    flags.push(`--embedded.directory=${tempDir('spoor-store-')}`);
  }
  // ClickHouse: the test server (see tests/lib/clickhouse.mjs) and a
  // database of this test's own, unless the caller chose them.
  if (spec.type === 'clickhouse') {
    if (!flags.some((f) => f.startsWith('--clickhouse.servers'))) {
      const servers = clickhouseServers();
      if (!servers) throw new Error('no ClickHouse for the test: set SPOOR_CLICKHOUSE_SERVERS(_FILE)');
      flags.push(`--clickhouse.servers=${servers}`);
    }
    if (!flags.some((f) => f.startsWith('--clickhouse.database'))) {
      flags.push(`--clickhouse.database=spoor_it_${process.pid}_${clickhouseDatabases++}`);
    }
    if (!flags.some((f) => f.startsWith('--clickhouse.batch-linger'))) flags.push('--clickhouse.batch-linger=20ms');
    // $SPOOR_CLICKHOUSE_CLUSTER: the servers form that cluster.
    if (process.env.SPOOR_CLICKHOUSE_CLUSTER && !flags.some((f) => f.startsWith('--clickhouse.cluster'))) {
      flags.push(`--clickhouse.cluster=${process.env.SPOOR_CLICKHOUSE_CLUSTER}`);
    }
  }
  return flags;
}

let clickhouseDatabases = 0;

/** The ClickHouse servers of the test run: $SPOOR_CLICKHOUSE_SERVERS or the file $SPOOR_CLICKHOUSE_SERVERS_FILE names. */
export function clickhouseServers() {
  if (process.env.SPOOR_CLICKHOUSE_SERVERS) return process.env.SPOOR_CLICKHOUSE_SERVERS;
  const file = process.env.SPOOR_CLICKHOUSE_SERVERS_FILE;
  if (file && existsSync(file)) return readFileSync(file, 'utf8').trim();
  return '';
}

const tempDirs = [];
process.on('exit', () => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** A new empty directory, deleted when the test process exits. */
export function tempDir(prefix = 'spoor-test-') {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Connects to host:port once; resolves true when the connection succeeds. */
function canConnect(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Keeps the last MAX_LOG_CHARS characters of a stream. */
function captureInto(stream, sink) {
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    sink.text += chunk;
    if (sink.text.length > MAX_LOG_CHARS) sink.text = sink.text.slice(-MAX_LOG_CHARS);
  });
}

/**
 * Runs spoor to completion (for --help and flag errors). Kills it and
 * rejects when it runs longer than timeoutMs.
 */
export function runSpoor(args, { timeoutMs = 10_000, env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(SPOOR_BIN, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    const stdout = { text: '' };
    const stderr = { text: '' };
    captureInto(child.stdout, stdout);
    captureInto(child.stderr, stderr);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`spoor ${args.join(' ')} still running after ${timeoutMs} ms; stderr:\n${stderr.text}`));
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      running.delete(child);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code, signal, stdout: stdout.text, stderr: stderr.text });
    });
  });
}

/**
 * Starts `spoor all-in-one` with its OTLP, query and admin endpoints on free
 * loopback ports and waits until all of them accept requests.
 *
 * options.flags: extra command-line flags; options.storage: see storageFlags
 * ('none': no storage flags); options.subcommand: the role (collector,
 * ingester and query get only their own port flags), or null to start
 * without the all-in-one word; options.adminProbe(adminUrl): true once the
 * admin port answers (for an admin port behind TLS).
 *
 * Returns {ports, baseUrls, grpcAddress, proc, logs, stop()}. stop() sends
 * SIGTERM and resolves with the exit code (null when killed by a signal).
 */
export async function startSpoor({ flags = [], storage, subcommand = 'all-in-one', env, adminProbe = adminReady } = {}) {
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce({ flags, storage, subcommand, env, adminProbe });
    } catch (err) {
      lastError = err;
      // Only a port taken between picking and binding is worth a retry.
      if (!err.portConflict) throw err;
    }
  }
  throw lastError;
}

/** Free loopback ports for every endpoint spoor opens. */
export async function allocatePorts() {
  const [grpc, otlpHttp, query, admin, jaegerHttp, jaegerGrpc, zipkin, jaegerCompact, jaegerBinary, sampling, queryGrpc] =
    await freePorts(11);
  return { grpc, otlpHttp, query, admin, jaegerHttp, jaegerGrpc, zipkin, jaegerCompact, jaegerBinary, sampling, queryGrpc };
}

/** The flags that put every endpoint of spoor on the given ports. */
export function portFlagsFor({
  grpc,
  otlpHttp,
  query,
  admin,
  jaegerHttp,
  jaegerGrpc,
  zipkin,
  jaegerCompact,
  jaegerBinary,
  sampling,
  queryGrpc,
}) {
  return [
    `--collector.otlp.grpc.host-port=127.0.0.1:${grpc}`,
    `--collector.otlp.http.host-port=127.0.0.1:${otlpHttp}`,
    `--query.http-server.host-port=127.0.0.1:${query}`,
    ...(queryGrpc ? [`--query.grpc-server.host-port=127.0.0.1:${queryGrpc}`] : []),
    `--admin.http.host-port=127.0.0.1:${admin}`,
    `--collector.http-server.host-port=127.0.0.1:${jaegerHttp}`,
    `--collector.grpc-server.host-port=127.0.0.1:${jaegerGrpc}`,
    `--collector.zipkin.host-port=127.0.0.1:${zipkin}`,
    `--http-server.host-port=127.0.0.1:${sampling}`,
    // UDP ports: a free TCP port number is free enough for UDP on loopback
    // in practice; a clash shows up as a startup failure and is retried.
    `--processor.jaeger-compact.server-host-port=127.0.0.1:${jaegerCompact}`,
    `--processor.jaeger-binary.server-host-port=127.0.0.1:${jaegerBinary}`,
  ];
}

/** Port flags on free ports, for a spoor run that should bind nothing shared. */
export async function portFlags() {
  return portFlagsFor(await allocatePorts());
}

// The port flags each role takes (a role refuses the others').
const ROLE_PORT_FLAGS = {
  collector: (flag) => !flag.startsWith('--query.'),
  ingester: (flag) => flag.startsWith('--admin.'),
  query: (flag) => flag.startsWith('--admin.') || flag.startsWith('--query.'),
};

// The TCP ports that must accept connections before a role is ready.
const ROLE_READY_PORTS = {
  collector: ({ grpc, otlpHttp }) => [grpc, otlpHttp],
  ingester: () => [],
  query: ({ query }) => [query],
};

async function startOnce({ flags, storage, subcommand, env, adminProbe }) {
  const ports = await allocatePorts();
  const { grpc, otlpHttp, query, admin, jaegerHttp, jaegerGrpc, zipkin, sampling } = ports;
  const portFilter = ROLE_PORT_FLAGS[subcommand] ?? (() => true);
  const args = [
    ...(subcommand ? [subcommand] : []),
    ...portFlagsFor(ports).filter(portFilter),
    ...(storage === 'none' ? [] : storageFlags(storage)),
    ...flags,
  ];
  const child = spawn(SPOOR_BIN, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const stdout = { text: '' };
  const stderr = { text: '' };
  captureInto(child.stdout, stdout);
  captureInto(child.stderr, stderr);

  const exited = new Promise((resolve) => {
    child.once('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  let spawnError = null;
  child.once('error', (err) => {
    spawnError = err;
  });

  const baseUrls = {
    jaegerHttp: `http://127.0.0.1:${jaegerHttp}`,
    zipkin: `http://127.0.0.1:${zipkin}`,
    otlpHttp: `http://127.0.0.1:${otlpHttp}`,
    query: `http://127.0.0.1:${query}`,
    admin: `http://127.0.0.1:${admin}`,
    sampling: `http://127.0.0.1:${sampling}`,
  };

  let stopping = null;
  const handle = {
    ports,
    baseUrls,
    grpcAddress: `127.0.0.1:${grpc}`,
    jaegerGrpcAddress: `127.0.0.1:${jaegerGrpc}`,
    queryGrpcAddress: `127.0.0.1:${ports.queryGrpc}`,
    args,
    proc: child,
    get logs() {
      return stdout.text + stderr.text;
    },
    get stderr() {
      return stderr.text;
    },
    /** True while the process has not exited. */
    get alive() {
      return child.exitCode === null && child.signalCode === null;
    },
    /** SIGTERM, then SIGKILL after STOP_TIMEOUT_MS; resolves with the exit code. */
    stop({ timeoutMs = STOP_TIMEOUT_MS } = {}) {
      stopping ??= (async () => {
        if (handle.alive) child.kill('SIGTERM');
        let timer;
        const timeout = new Promise((resolve) => {
          timer = setTimeout(() => resolve('timeout'), timeoutMs);
        });
        const result = await Promise.race([exited, timeout]);
        clearTimeout(timer);
        if (result === 'timeout') {
          child.kill('SIGKILL');
          await exited;
          throw new Error(`spoor did not exit within ${timeoutMs} ms of SIGTERM; logs:\n${tail(handle.logs)}`);
        }
        return result.code;
      })();
      return stopping;
    },
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  let exitInfo = null;
  exited.then((info) => {
    exitInfo = info;
  });
  for (;;) {
    if (spawnError) throw new Error(`cannot start ${SPOOR_BIN}: ${spawnError.message}`);
    if (exitInfo) {
      const err = new Error(
        `spoor exited during startup (code ${exitInfo.code}, signal ${exitInfo.signal}); ` +
          `command: ${SPOOR_BIN} ${args.join(' ')}\nstderr:\n${tail(stderr.text)}`,
      );
      err.portConflict = /address already in use|EADDRINUSE|bind/i.test(stderr.text);
      throw err;
    }
    if (await adminProbe(baseUrls.admin)) {
      const readyPorts = (ROLE_READY_PORTS[subcommand] ?? (() => [grpc, otlpHttp, query]))(ports);
      const others = await Promise.all(readyPorts.map((p) => canConnect(p)));
      if (others.every(Boolean)) return handle;
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await exited;
      throw new Error(
        `spoor not ready within ${READY_TIMEOUT_MS} ms (admin GET / never answered 200 on all ports); ` +
          `command: ${SPOOR_BIN} ${args.join(' ')}\nstderr:\n${tail(stderr.text)}`,
      );
    }
    await sleep(50);
  }
}

async function adminReady(adminUrl) {
  try {
    const res = await fetch(`${adminUrl}/`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

function tail(text, chars = 4000) {
  return text.length > chars ? `...${text.slice(-chars)}` : text;
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * fetch() with a timeout that reads the whole body. Returns
 * {status, headers, text, body} where body is the parsed JSON or undefined
 * when the text is not JSON.
 */
export async function fetchJson(url, { timeoutMs = 10_000, ...init } = {}) {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), ...init });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body };
}

/** fetch() with a timeout, returning the body as a Buffer. */
export async function fetchBytes(url, { timeoutMs = 10_000, ...init } = {}) {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), ...init });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, bytes };
}

/**
 * Calls probe() until it returns a truthy value and returns that value.
 * Errors thrown by probe count as "not yet"; the last one is reported when
 * the timeout expires.
 */
export async function waitFor(probe, { timeoutMs = 10_000, intervalMs = 50, description = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}; last result: ${detail}`);
    }
    await sleep(intervalMs);
  }
}

// ---------------------------------------------------------------------------
// IDs and times

/** Random lowercase hex string of `bytes` bytes, never all zero. */
export function randomHex(bytes) {
  for (;;) {
    const hex = randomBytes(bytes).toString('hex');
    if (!/^0+$/.test(hex)) return hex;
  }
}

/** Random 128-bit trace ID whose high half is not zero (shown with 32 characters). */
export function randomTraceId() {
  for (;;) {
    const hex = randomHex(16);
    if (!hex.startsWith('0000000000000000')) return hex;
  }
}

export const randomSpanId = () => randomHex(8);

/** Trace ID padded to 32 lowercase hex characters. */
export function fullTraceId(hex) {
  return hex.toLowerCase().padStart(32, '0');
}

/** Trace ID as the Jaeger API shows it: 16 characters when the high half is zero. */
export function jaegerTraceId(hex) {
  const full = fullTraceId(hex);
  return full.startsWith('0000000000000000') ? full.slice(16) : full;
}

export const hexToBytes = (hex) => Buffer.from(hex, 'hex');
export const bytesToHex = (bytes) => Buffer.from(bytes).toString('hex');

/** Current time in nanoseconds since the epoch, on a microsecond boundary. */
export function nowNs() {
  return BigInt(Date.now()) * 1_000_000n;
}

/** Nanoseconds (BigInt or decimal string) to whole microseconds as a Number. */
export function nsToUs(ns) {
  return Number(BigInt(ns) / 1000n);
}

/** Nanoseconds (BigInt) to an RFC 3339 string with millisecond precision. */
export function nsToRfc3339(ns) {
  return new Date(Number(BigInt(ns) / 1_000_000n)).toISOString();
}

// ---------------------------------------------------------------------------
// Jaeger query API

/** GET {base}/api/traces/{id}; resolves with the fetchJson result. */
export function getJaegerTrace(queryUrl, traceId, params = {}) {
  const qs = new URLSearchParams(params).toString();
  return fetchJson(`${queryUrl}/api/traces/${traceId}${qs ? `?${qs}` : ''}`);
}

/**
 * The sorted span IDs `spoor` (anything with baseUrls.query) stores for a
 * trace, or null when it answers 404.
 */
export async function storedSpanIds(spoor, traceId) {
  const res = await getJaegerTrace(spoor.baseUrls.query, jaegerTraceId(traceId));
  if (res.status === 404) return null;
  if (res.status !== 200) throw new Error(`GET /api/traces/${traceId}: ${res.status} ${res.text.slice(0, 300)}`);
  const data = res.body?.data ?? [];
  if (data.length !== 1) throw new Error(`GET /api/traces/${traceId}: ${data.length} traces, expected one`);
  return data[0].spans.map((s) => s.spanID).sort();
}

/**
 * Polls GET /api/traces/{id} until the trace has at least minSpans spans and
 * returns the Trace object (data[0]).
 */
export async function waitForTrace(queryUrl, traceId, { minSpans = 1, timeoutMs = 15_000, params } = {}) {
  let seen = 'no answer';
  try {
    return await waitFor(
      async () => {
        const res = await getJaegerTrace(queryUrl, traceId, params);
        seen = `HTTP ${res.status}, ${res.body?.data?.[0]?.spans?.length ?? 0} spans`;
        if (res.status !== 200) return null;
        const trace = res.body?.data?.[0];
        return trace && trace.spans.length >= minSpans ? trace : null;
      },
      { timeoutMs, description: `trace ${traceId} with ${minSpans} span(s)` },
    );
  } catch (err) {
    err.message += ` (last: ${seen})`;
    throw err;
  }
}

/** Builds /api/traces search parameters; arrays become repeated parameters. */
export function searchParams(params) {
  const qs = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    for (const v of Array.isArray(value) ? value : [value]) qs.append(key, String(v));
  }
  return qs.toString();
}

/** GET {base}/api/traces?...; resolves with the fetchJson result. */
export function searchTraces(queryUrl, params) {
  return fetchJson(`${queryUrl}/api/traces?${searchParams(params)}`);
}

/** Map from tag key to {type, value} of a Jaeger KV list. */
export function tagMap(kvs) {
  const map = new Map();
  for (const kv of kvs ?? []) map.set(kv.key, { type: kv.type, value: kv.value });
  return map;
}

/** Map from spanID to span of a Jaeger trace. */
export function spansById(trace) {
  return new Map(trace.spans.map((s) => [s.spanID, s]));
}

// ---------------------------------------------------------------------------
// Prometheus text format

/**
 * Sum of the samples of metric `name` whose labels include every entry of
 * `labels`; undefined when no sample matches.
 */
export function metric(text, name, labels = {}) {
  let sum;
  for (const sample of parseMetrics(text)) {
    if (sample.name !== name) continue;
    if (!Object.entries(labels).every(([k, v]) => sample.labels[k] === String(v))) continue;
    sum = (sum ?? 0) + sample.value;
  }
  return sum;
}

/** Parses Prometheus text exposition into [{name, labels, value}]. */
export function parseMetrics(text) {
  const samples = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?$/.exec(line);
    if (!m) continue;
    samples.push({ name: m[1], labels: parseLabels(m[2] ?? ''), value: parseValue(m[3]) });
  }
  return samples;
}

function parseLabels(body) {
  const labels = {};
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/gy;
  let m;
  while ((m = re.exec(body)) !== null) {
    labels[m[1]] = m[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

function parseValue(text) {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

/** GET {admin}/metrics as text. */
export async function getMetrics(spoor) {
  const res = await fetch(`${spoor.baseUrls.admin}/metrics`, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}: ${text.slice(0, 200)}`);
  return text;
}
