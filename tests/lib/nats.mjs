// A real NATS server with JetStream for the tests (Debian's nats-server), on
// free loopback ports, with its store in a directory of its own; never a
// system service.
//
// As a module:
//   startNats({dir, port, monitorPort, detached, args})
//     -> {url, port, monitorPort, dir, pid, stop(), kill(), restart()}
//   jszStreams(monitorPort)   the monitoring endpoint's /jsz with streams and
//                             consumers (JSON), for lag checks
//   streamStates(monitorPort) the same, one entry per stream: messages,
//                             bytes and each consumer's pending counts
// As a command (ctest fixtures, scripts/local-cluster.sh):
//   node tests/lib/nats.mjs start DIR [--port=P] [--monitor-port=P]
//       a server in the background; prints its URL; writes DIR/url,
//       DIR/nats.json ({url, port, monitorPort, pid}) and DIR/pids
//   node tests/lib/nats.mjs restart DIR   stops it and starts it again on the
//                                         same ports with the same store
//   node tests/lib/nats.mjs streams DIR   one line per stream and consumer
//   node tests/lib/nats.mjs stop DIR      stops what DIR holds, removes DIR
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopPid } from './clickhouse.mjs';
import { freePorts } from './spoor.mjs';
import { killAtExit, logTail } from './server_process.mjs';

/** $NATS_SERVER_BIN, else Debian's /usr/sbin/nats-server, else one on the PATH. */
export const NATS_BIN =
  process.env.NATS_SERVER_BIN ||
  ['/usr/sbin/nats-server', '/usr/bin/nats-server'].find((f) => existsSync(f)) ||
  'nats-server';

const READY_TIMEOUT_MS = 30_000;


const sleep = (ms) => new Promise((r) => setTimeout(r, ms));


/**
 * Connects to the client port and reads the server's INFO line; resolves
 * with the parsed INFO, or null when nothing answers.
 */
function readInfo(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let text = '';
    const done = (info) => {
      socket.destroy();
      resolve(info);
    };
    socket.setTimeout(1000, () => done(null));
    socket.once('error', () => done(null));
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\r\n');
      if (end < 0) return;
      const m = /^INFO\s+(\{.*\})\s*$/.exec(text.slice(0, end));
      try {
        done(m ? JSON.parse(m[1]) : null);
      } catch {
        done(null);
      }
    });
  });
}

/** GET on the monitoring port; resolves with {status, body} or null. */
async function monitorGet(monitorPort, pathAndQuery) {
  try {
    const res = await fetch(`http://127.0.0.1:${monitorPort}${pathAndQuery}`, { signal: AbortSignal.timeout(2000) });
    return { status: res.status, body: await res.text() };
  } catch {
    return null;
  }
}

/**
 * True once the server accepts client connections with JetStream on and the
 * monitoring endpoint reports JetStream enabled and every stream current.
 */
async function ready(port, monitorPort) {
  const info = await readInfo(port);
  if (!info?.jetstream) return false;
  const js = await monitorGet(monitorPort, '/healthz?js-enabled-only=true');
  if (js?.status !== 200) return false;
  const all = await monitorGet(monitorPort, '/healthz');
  return all?.status === 200;
}

/** Spawns nats-server and waits until ready(); throws with the log's tail when it exits first. */
async function launch({ dir, port, monitorPort, detached, args }) {
  const logFile = path.join(dir, 'nats.log');
  const out = openSync(logFile, 'a');
  const child = spawn(
    NATS_BIN,
    ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitorPort), '-js', '-sd', dir, ...args],
    { cwd: dir, stdio: ['ignore', out, out], detached },
  );
  closeSync(out);
  if (!detached) killAtExit(child);
  let spawnError = null;
  child.once('error', (err) => {
    spawnError = err;
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (spawnError) throw new Error(`cannot start ${NATS_BIN} (apt-get install nats-server): ${spawnError.message}`);
    if (child.exitCode !== null || child.signalCode !== null) {
      const log = logTail(logFile);
      const err = new Error(`nats-server exited with ${child.exitCode ?? child.signalCode}:\n${log}`);
      err.portConflict = /address already in use/i.test(log);
      throw err;
    }
    if (await ready(port, monitorPort)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nats-server not ready after ${READY_TIMEOUT_MS} ms:\n${logTail(logFile)}`);
    }
    await sleep(50);
  }
  if (detached) child.unref();
  return child;
}

/** Why tests needing nats-server cannot run here (a `skip` reason), or false. */
export function natsMissing() {
  return spawnSync(NATS_BIN, ['--version'], { stdio: 'ignore' }).error ? `no nats-server (${NATS_BIN})` : false;
}

/**
 * Starts nats-server with JetStream in `dir` (created; the store is
 * DIR/jetstream, the log DIR/nats.log). options.port / options.monitorPort:
 * the client and monitoring ports, free ones when not given (a restart on
 * the same port passes them); options.detached: leave it running after
 * this process exits; options.args: more nats-server arguments (e.g.
 * ['--auth', TOKEN]).
 *
 * Returns {url, port, monitorPort, dir, pid, child, stop(), kill(),
 * restart()}: stop() is SIGTERM (SIGKILL after 15 s), kill() is SIGKILL (a
 * crash), restart() stops it (if still running) and starts it again on the
 * same ports with the same store; each resolves once done.
 */
export async function startNats({ dir, port, monitorPort, detached = false, args = [] }) {
  mkdirSync(dir, { recursive: true });
  const chosen = port === undefined && monitorPort === undefined;
  let child;
  for (let attempt = 0; ; attempt++) {
    let ports = [port, monitorPort];
    if (ports.includes(undefined)) {
      const free = await freePorts(2);
      ports = [port ?? free[0], monitorPort ?? free[1]];
    }
    try {
      child = await launch({ dir, port: ports[0], monitorPort: ports[1], detached, args });
      [port, monitorPort] = ports;
      break;
    } catch (err) {
      // Only ports picked here and taken before nats-server bound them are worth a retry.
      if (!chosen || !err.portConflict || attempt >= 2) throw err;
    }
  }

  const exited = (c) => c.exitCode !== null || c.signalCode !== null;
  const waitExit = (c) => (exited(c) ? Promise.resolve() : new Promise((r) => c.once('exit', () => r())));
  const server = {
    url: `nats://127.0.0.1:${port}`,
    port,
    monitorPort,
    dir,
    get pid() {
      return child.pid;
    },
    get child() {
      return child;
    },
    get alive() {
      return !exited(child);
    },
    async stop() {
      await stopPid(child.pid, child);
      await waitExit(child);
    },
    /** SIGKILL: a crash. Resolves once the process is gone. */
    async kill() {
      if (!exited(child)) child.kill('SIGKILL');
      await waitExit(child);
    },
    /** Stop (if running), then start again on the same ports and store. */
    async restart() {
      await server.stop();
      child = await launch({ dir, port, monitorPort, detached, args });
      return server;
    },
  };
  return server;
}

/** GET /jsz?streams=true&consumers=true on the monitoring port, parsed. */
export async function jszStreams(monitorPort) {
  const res = await fetch(`http://127.0.0.1:${monitorPort}/jsz?streams=true&consumers=true`, {
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`/jsz answered ${res.status}: ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

/**
 * Every stream of every account, flattened from /jsz:
 * [{account, stream, messages, bytes, firstSeq, lastSeq, consumers:
 *   [{name, numPending, numAckPending, numRedelivered, numWaiting}]}].
 * numPending: messages not yet delivered to the consumer; numAckPending:
 * delivered and not yet acknowledged.
 */
export async function streamStates(monitorPort) {
  const jsz = await jszStreams(monitorPort);
  const streams = [];
  for (const account of jsz.account_details ?? []) {
    for (const s of account.stream_detail ?? []) {
      streams.push({
        account: account.name,
        stream: s.name,
        messages: s.state?.messages ?? 0,
        bytes: s.state?.bytes ?? 0,
        firstSeq: s.state?.first_seq ?? 0,
        lastSeq: s.state?.last_seq ?? 0,
        consumers: (s.consumer_detail ?? []).map((c) => ({
          name: c.name,
          numPending: c.num_pending ?? 0,
          numAckPending: c.num_ack_pending ?? 0,
          numRedelivered: c.num_redelivered ?? 0,
          numWaiting: c.num_waiting ?? 0,
        })),
      });
    }
  }
  return streams;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [command, dir, ...rest] = process.argv.slice(2);
  const option = (name) => {
    const arg = rest.find((a) => a.startsWith(`--${name}=`));
    if (arg === undefined) return undefined;
    const value = Number(arg.slice(name.length + 3));
    if (!Number.isInteger(value) || value <= 0 || value > 65535) {
      console.error(`nats.mjs: --${name} wants a port number, got ${arg}`);
      process.exit(2);
    }
    return value;
  };
  if (!['start', 'restart', 'streams', 'stop'].includes(command) || !dir) {
    console.error('usage: node nats.mjs start DIR [--port=P] [--monitor-port=P] | restart DIR | streams DIR | stop DIR');
    process.exit(2);
  }
  const stateFile = path.join(dir, 'nats.json');
  const readState = () => {
    if (!existsSync(stateFile)) {
      console.error(`nats.mjs: no server in ${dir} (${stateFile} is missing)`);
      process.exit(1);
    }
    return JSON.parse(readFileSync(stateFile, 'utf8'));
  };
  const stopAll = async () => {
    const file = path.join(dir, 'pids');
    if (!existsSync(file)) return;
    const pids = readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number).reverse();
    for (const pid of pids) await stopPid(pid);
  };
  const record = (server) => {
    writeFileSync(path.join(dir, 'pids'), `${server.pid}\n`);
    writeFileSync(path.join(dir, 'url'), server.url);
    const { url, port, monitorPort, pid } = server;
    writeFileSync(stateFile, JSON.stringify({ url, port, monitorPort, pid }, null, 2));
    console.log(server.url);
    console.error(
      `nats-server ${server.pid} on ${server.url}, monitoring http://127.0.0.1:${server.monitorPort}, ` +
        `store ${path.join(dir, 'jetstream')}, log ${path.join(dir, 'nats.log')}`,
    );
  };
  try {
    if (command === 'start') {
      await stopAll();
      rmSync(dir, { recursive: true, force: true });
      record(await startNats({ dir, port: option('port'), monitorPort: option('monitor-port'), detached: true }));
    } else if (command === 'restart') {
      const state = readState();
      await stopAll();
      record(await startNats({ dir, port: state.port, monitorPort: state.monitorPort, detached: true }));
    } else if (command === 'streams') {
      const { monitorPort } = readState();
      const streams = await streamStates(monitorPort);
      if (streams.length === 0) console.log('no streams');
      for (const s of streams) {
        console.log(`stream ${s.stream}: ${s.messages} messages, ${s.bytes} bytes (seq ${s.firstSeq}..${s.lastSeq})`);
        for (const c of s.consumers) {
          console.log(
            `  consumer ${c.name}: ${c.numPending} pending, ${c.numAckPending} awaiting ack, ` +
              `${c.numRedelivered} redelivered, ${c.numWaiting} fetches waiting`,
          );
        }
      }
    } else {
      await stopAll();
      rmSync(dir, { recursive: true, force: true });
      console.log('stopped');
    }
  } catch (err) {
    console.error(`nats.mjs ${command}: ${err.message}`);
    process.exit(1);
  }
  process.exit(0);
}
