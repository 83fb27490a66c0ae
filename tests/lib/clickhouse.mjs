// Real ClickHouse servers for the tests (Debian's clickhouse-server), on
// free loopback ports, with configs written here, in a directory of their
// own; never a system service.
//
// As a module: startClickHouse({dir}) -> {servers, httpPort, query(sql), stop()};
// startCluster({dir, shards, replicas}) -> ZooKeeper and shards x replicas
// servers, with a cluster named "spoor" in each one's remote_servers.
// As a command (the ctest fixtures):
//   node tests/lib/clickhouse.mjs start DIR           one server in the background;
//                                                     "127.0.0.1:PORT" in DIR/servers
//   node tests/lib/clickhouse.mjs start-cluster DIR   2 shards x 2 replicas and ZooKeeper;
//                                                     every endpoint in DIR/servers,
//                                                     the layout in DIR/cluster.json
//   node tests/lib/clickhouse.mjs stop DIR            stops what DIR holds, removes DIR
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, openSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { clickhouseServers } from './spoor.mjs';

export const CLICKHOUSE_BIN = process.env.CLICKHOUSE_SERVER_BIN || '/usr/sbin/clickhouse-server';

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The server's config; `extra` is XML placed inside <yandex>. */
function configXml(dir, ports, extra = '') {
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${dir}/server.log</log><errorlog>${dir}/server.err.log</errorlog></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${ports.http}</http_port>
  <tcp_port>${ports.tcp}</tcp_port>
  <interserver_http_port>${ports.interserver}</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
  <builtin_dictionaries_reload_interval>0</builtin_dictionaries_reload_interval>
${extra}
</yandex>
`;
}

function usersXml(password) {
  return `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
  <users>
    <default>
      <password>${password}</password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default></default></quotas>
</yandex>
`;
}

/** Runs `sql` over HTTP; resolves with the body, rejects with ClickHouse's message. */
export async function clickhouseQuery(httpPort, sql, { password = '' } = {}) {
  const res = await fetch(`http://127.0.0.1:${httpPort}/`, {
    method: 'POST',
    body: sql,
    headers: password ? { Authorization: `Basic ${Buffer.from(`default:${password}`).toString('base64')}` } : {},
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`ClickHouse ${res.status}: ${text.trim()}`);
  return text;
}

async function waitReady(httpPort, child, logFile, password, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-3000) : '';
      throw new Error(`clickhouse-server exited with ${child.exitCode}:\n${log}`);
    }
    try {
      await clickhouseQuery(httpPort, 'SELECT 1', { password });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`clickhouse-server not ready after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Why tests needing ClickHouse cannot run here (a `skip` reason), or false. */
export function clickhouseMissing() {
  return clickhouseServers() || existsSync(CLICKHOUSE_BIN) ? false : `no ClickHouse (${CLICKHOUSE_BIN})`;
}

/**
 * Starts one server in `dir` (created). options.extraConfig: XML inside
 * <yandex> (a cluster's remote_servers, zookeeper, macros); options.ports:
 * {http, tcp, interserver} chosen beforehand, else free ones;
 * options.detached: leave it running after this process exits;
 * options.restart: start again with the config already in `dir` (after a
 * kill: the data is still there), on options.ports.
 */
export async function startClickHouse({ dir, extraConfig = '', ports, password = '', detached = false, restart = false }) {
  if (!existsSync(CLICKHOUSE_BIN)) throw new Error(`${CLICKHOUSE_BIN} is missing (apt-get install clickhouse-server)`);
  mkdirSync(dir, { recursive: true });
  ports ??= { http: await freePort(), tcp: await freePort(), interserver: await freePort() };
  if (!restart) {
    writeFileSync(path.join(dir, 'config.xml'), configXml(dir, ports, extraConfig));
    writeFileSync(path.join(dir, 'users.xml'), usersXml(password));
  }
  const out = openSync(path.join(dir, 'stdout.log'), 'a');
  const child = spawn(CLICKHOUSE_BIN, [`--config-file=${path.join(dir, 'config.xml')}`], {
    cwd: dir,
    stdio: ['ignore', out, out],
    detached,
  });
  await waitReady(ports.http, child, path.join(dir, 'server.err.log'), password);
  if (detached) child.unref();
  const server = {
    dir,
    ports,
    httpPort: ports.http,
    servers: `127.0.0.1:${ports.http}`,
    pid: child.pid,
    child,
    query: (sql) => clickhouseQuery(ports.http, sql, { password }),
    /** SIGKILL: a crash. */
    kill: () => child.kill('SIGKILL'),
    stop: () => stopPid(child.pid, child),
  };
  return server;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after 15 s; resolves once the process is gone. */
export async function stopPid(pid, child) {
  if (child && child.exitCode !== null) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + 15_000;
  while ((child ? child.exitCode === null && child.signalCode === null : alive(pid)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  if (child ? child.exitCode === null && child.signalCode === null : alive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
}

export const CLUSTER_NAME = 'spoor';

/** ZooKeeper 3.8 (Debian's zookeeper, on Java) on a free port. */
export async function startZooKeeper({ dir, detached = false }) {
  mkdirSync(path.join(dir, 'data'), { recursive: true });
  const port = await freePort();
  writeFileSync(
    path.join(dir, 'zoo.cfg'),
    `tickTime=500\ninitLimit=10\nsyncLimit=5\ndataDir=${dir}/data\nclientPort=${port}\n` +
      'clientPortAddress=127.0.0.1\nadmin.enableServer=false\nmaxClientCnxns=200\n',
  );
  const out = openSync(path.join(dir, 'zookeeper.log'), 'a');
  const child = spawn(
    'java',
    ['-Xmx256m', '-Dzookeeper.log.dir=' + dir, '-cp', '/usr/share/java/*:/etc/zookeeper/conf',
      'org.apache.zookeeper.server.quorum.QuorumPeerMain', path.join(dir, 'zoo.cfg')],
    { cwd: dir, stdio: ['ignore', out, out], detached },
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`zookeeper exited with ${child.exitCode}: see ${dir}/zookeeper.log`);
    const ok = await new Promise((resolve) => {
      const socket = net.connect({ port, host: '127.0.0.1' }, () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > deadline) throw new Error('zookeeper not ready after 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  if (detached) child.unref();
  return { port, pid: child.pid, child, stop: () => stopPid(child.pid, child) };
}

/**
 * A cluster "spoor" of `shards` x `replicas` servers and one ZooKeeper,
 * each server in DIR/sS-rR. Returns {servers (every HTTP endpoint,
 * comma-separated), nodes: [{shard, replica, ...server}], zookeeper, stop()}.
 */
export async function startCluster({ dir, shards = 2, replicas = 2, detached = false }) {
  const zookeeper = await startZooKeeper({ dir: path.join(dir, 'zookeeper'), detached });
  const layout = [];
  for (let s = 1; s <= shards; s++) {
    for (let r = 1; r <= replicas; r++) {
      layout.push({ shard: s, replica: r, ports: { http: await freePort(), tcp: await freePort(), interserver: await freePort() } });
    }
  }
  const remote = Array.from({ length: shards }, (_, i) => {
    const members = layout
      .filter((n) => n.shard === i + 1)
      .map((n) => `<replica><host>127.0.0.1</host><port>${n.ports.tcp}</port></replica>`)
      .join('');
    return `<shard><internal_replication>true</internal_replication>${members}</shard>`;
  }).join('');
  const nodes = await Promise.all(
    layout.map(async (n) => {
      const extra = `
  <remote_servers><${CLUSTER_NAME}>${remote}</${CLUSTER_NAME}></remote_servers>
  <zookeeper><node><host>127.0.0.1</host><port>${zookeeper.port}</port></node><session_timeout_ms>10000</session_timeout_ms></zookeeper>
  <macros><shard>${String(n.shard).padStart(2, '0')}</shard><replica>s${n.shard}r${n.replica}</replica></macros>
  <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>`;
      const server = await startClickHouse({ dir: path.join(dir, `s${n.shard}-r${n.replica}`), extraConfig: extra, ports: n.ports, detached });
      return { shard: n.shard, replica: n.replica, ...server };
    }),
  );
  return {
    servers: nodes.map((n) => n.servers).join(','),
    cluster: CLUSTER_NAME,
    nodes,
    zookeeper,
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop()));
      await zookeeper.stop();
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [command, dir] = process.argv.slice(2);
  if (!['start', 'start-cluster', 'stop'].includes(command) || !dir) {
    console.error('usage: node clickhouse.mjs start|start-cluster|stop DIR');
    process.exit(2);
  }
  // Every process started is listed in DIR/pids, stopped in reverse order.
  const stopAll = async () => {
    const file = path.join(dir, 'pids');
    if (!existsSync(file)) return;
    const pids = readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number).reverse();
    for (const pid of pids) await stopPid(pid);
  };
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
  if (command === 'start') {
    const server = await startClickHouse({ dir, detached: true });
    writeFileSync(path.join(dir, 'pids'), `${server.pid}\n`);
    writeFileSync(path.join(dir, 'servers'), server.servers);
    console.log(`clickhouse-server ${server.pid} on ${server.servers} (${dir})`);
  } else if (command === 'start-cluster') {
    mkdirSync(dir, { recursive: true });
    const cluster = await startCluster({ dir, detached: true });
    writeFileSync(path.join(dir, 'pids'), [cluster.zookeeper.pid, ...cluster.nodes.map((n) => n.pid)].join('\n') + '\n');
    writeFileSync(path.join(dir, 'servers'), cluster.servers);
    const nodes = cluster.nodes.map(({ shard, replica, ports, pid, dir: nodeDir }) => ({ shard, replica, ports, pid, dir: nodeDir }));
    writeFileSync(path.join(dir, 'cluster.json'), JSON.stringify({ cluster: cluster.cluster, zookeeper: cluster.zookeeper.port, nodes }, null, 2));
    console.log(`cluster ${cluster.cluster}: ${cluster.servers} (${dir})`);
  } else {
    console.log('stopped');
  }
  process.exit(0);
}
