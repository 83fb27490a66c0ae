// Multi-tenancy across the scale-out roles (--multi-tenancy.enabled in
// every role, docs/security.md): NATS JetStream and ClickHouse, two
// collectors publishing to the stream, two ingesters consuming it, one
// query node. Tenants acme and beta send the same trace IDs under the same
// root service with the real OpenTelemetry exporters (OTLP/HTTP to one
// collector, OTLP/gRPC to the other, x-tenant as header / metadata), each
// with operations, a database service and an `owner` attribute of its own.
// Each tenant's spans land in its own ClickHouse database
// (<--clickhouse.database>_<tenant>), and the query node asked as one tenant
// answers from that tenant's data alone; a tenant without data gets empty
// answers. A request without a tenant is refused (400 / PERMISSION_DENIED)
// and counted; a bearer token's tenant stands for the header; a tenant the
// ingesters do not list is terminated, counted, and never stored. All of it
// with one partition and with --nats.partitions=2. Then, on NATS alone: the
// subjects <subject>.t.<tenant>[.<partition>] the collectors publish on, the
// stream's <subject>.t.*[.*], and a stream made without tenancy refused by
// collectors and ingesters with tenancy (and the other way round).
//
// ClickHouse: $SPOOR_CLICKHOUSE_SERVERS(_FILE) when set (the ctest fixture),
// else a server of this test's own; the suites skip without clickhouse-server
// or nats-server.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import grpc from '@grpc/grpc-js';
import { OTLPTraceExporter as OTLPGrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OTLPProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { clickhouseMissing, clickhouseQuery, startClickHouse } from '../lib/clickhouse.mjs';
import { natsMissing, startNats, streamStates } from '../lib/nats.mjs';
import { SpanKind as OtlpKind, grpcExport, postTraces, request, span as otlpSpan } from '../lib/otlp.mjs';
import {
  clickhouseServers,
  fetchJson,
  getMetrics,
  metric,
  randomSpanId,
  randomTraceId,
  searchParams,
  sleep,
  startSpoor,
  tempDir,
  waitFor,
} from '../lib/spoor.mjs';
import {
  assertOnlyOwn,
  includesAll,
  jaegerRows,
  metadataOf,
  otlpRequest,
  queryRefusal,
  refusals,
  sendWithSdk,
  spansOf,
  tenantHeader,
  v3Rows,
} from '../lib/tenants.mjs';

const natsSkip = natsMissing();
const clickhouseSkip = clickhouseMissing();

const TENANTS = ['acme', 'beta'];
// The traces each tenant sends, under the same trace IDs: the http-* ones
// with OTLP/HTTP (protobuf) to the first collector, the grpc-* ones with
// OTLP/gRPC to the second.
const KEYS = ['http-1', 'http-2', 'grpc-1', 'grpc-2'];
// Every span starts two minutes before the test: inside every lookback used.
const START_US = (Date.now() - 120_000) * 1000;
// Flow through NATS, the ingesters and ClickHouse's batches: generous.
const SETTLE_MS = 60_000;
// Every ClickHouse database of this run starts with it.
const DATABASE_PREFIX = `spoor_tso_${process.pid}`;

// ---------------------------------------------------------------------------
// What each tenant sends (as in tenancy.test.mjs)

const idsByKey = new Map();
/** The IDs under `key`, the same for every tenant (per topology: `scope`). */
function sharedIds(scope, key) {
  const k = `${scope}/${key}`;
  if (!idsByKey.has(k)) idsByKey.set(k, { traceId: randomTraceId(), rootId: randomSpanId(), childId: randomSpanId() });
  return idsByKey.get(k);
}

/** The trace `tenant` sends under `key`: a server span of shop and, below it, one of the tenant's database. */
function traceOf(scope, tenant, key) {
  return {
    ...sharedIds(scope, key),
    tenant,
    root: { service: 'shop', name: `${tenant}-op-${key}`, startUs: START_US, durationUs: 5000 },
    child: { service: `${tenant}-db`, name: `${tenant}-query`, startUs: START_US + 1000, durationUs: 2000 },
  };
}

/** "traceId spanId service operation owner" for each span `tenant` sent under `keys`, sorted. */
function expectedRows(scope, tenant, keys = KEYS) {
  return keys
    .flatMap((key) => {
      const t = traceOf(scope, tenant, key);
      return spansOf(t).map(([s, id]) => `${t.traceId} ${id} ${s.service} ${s.name} ${tenant}`);
    })
    .sort();
}

// ---------------------------------------------------------------------------
// Checks

/** GET `route` on the query node with `headers`. */
const ask = (query, route, headers) => fetchJson(`${query.baseUrls.query}${route}`, { headers, timeoutMs: 30_000 });

/** Polls GET `route` until done(body) holds; returns that answer. */
function settled(query, route, headers, done, timeoutMs = SETTLE_MS) {
  let last = 'no answer';
  return waitFor(
    async () => {
      const res = await ask(query, route, headers);
      last = `${res.status} ${res.text.slice(0, 500)}`;
      return res.status === 200 && done(res.body) ? res : null;
    },
    { timeoutMs, intervalMs: 250, description: `${route} as ${JSON.stringify(headers)} complete` },
  ).catch((err) => {
    err.message += `; last answer: ${last}`;
    throw err;
  });
}

const MISSING = 'missing tenant: send the x-tenant header';
const INVALID =
  "invalid tenant in x-tenant: the tenant may hold only letters, digits, '_' and '-', and starts with a letter or digit";

/** The sum of `name` ({labels}) over the /metrics of `processes`. */
async function sumMetric(processes, name, labels = {}) {
  let sum = 0;
  for (const p of processes) sum += metric(await getMetrics(p), name, labels) ?? 0;
  return sum;
}

/** The HTTP port of the first of a ClickHouse servers list ("host:port,..."). */
const httpPortOf = (servers) => Number(servers.split(',')[0].split(':').pop());

// ---------------------------------------------------------------------------
// NATS's JetStream API over the client protocol (no NATS client library in
// tests/node_modules): one request, one reply.

function natsRequest(port, subject, payload, { timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const inbox = `_INBOX.tso_${process.pid}_${Date.now()}`;
    let buffer = Buffer.alloc(0);
    let sent = false;
    const finish = (err, value) => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(value);
    };
    const timer = setTimeout(() => finish(new Error(`no reply to ${subject} within ${timeoutMs} ms`)), timeoutMs);
    socket.once('error', (err) => finish(err));
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf('\r\n');
        if (end < 0) return;
        const line = buffer.subarray(0, end).toString('latin1');
        const msg = /^MSG \S+ \S+ (?:\S+ )?(\d+)$/.exec(line);
        if (msg) {
          const length = Number(msg[1]);
          if (buffer.length < end + 2 + length + 2) return;
          const body = buffer.subarray(end + 2, end + 2 + length).toString('utf8');
          try {
            finish(null, JSON.parse(body));
          } catch (err) {
            finish(err);
          }
          return;
        }
        buffer = buffer.subarray(end + 2);
        if (line.startsWith('INFO') && !sent) {
          sent = true;
          const data = Buffer.from(payload);
          socket.write(
            `CONNECT {"verbose":false,"pedantic":false,"headers":false,"name":"tenancy-scale-out"}\r\n` +
              `SUB ${inbox} 1\r\nPUB ${subject} ${inbox} ${data.length}\r\n`,
          );
          socket.write(Buffer.concat([data, Buffer.from('\r\n')]));
        } else if (line === 'PING') {
          socket.write('PONG\r\n');
        } else if (line.startsWith('-ERR')) {
          finish(new Error(`NATS: ${line}`));
          return;
        }
      }
    });
  });
}

/** $JS.API.STREAM.INFO with every subject's message count: {config, state: {messages, subjects}}. */
async function streamInfo(nats, stream) {
  const info = await natsRequest(nats.port, `$JS.API.STREAM.INFO.${stream}`, JSON.stringify({ subjects_filter: '>' }));
  if (info.error) throw new Error(`STREAM.INFO ${stream}: ${JSON.stringify(info.error)}`);
  return info;
}

// ---------------------------------------------------------------------------

describe('tenants through collectors -> NATS -> ingesters -> ClickHouse <- query', { skip: natsSkip || clickhouseSkip }, () => {
  let servers;
  let ownClickHouse;
  const chQuery = (sql) => clickhouseQuery(httpPortOf(servers), sql);

  before(async () => {
    servers = clickhouseServers();
    if (!servers) {
      ownClickHouse = await startClickHouse({ dir: tempDir('spoor-tenancy-scale-out-clickhouse-') });
      servers = ownClickHouse.servers;
    }
  });

  after(async () => {
    // A shared server (the ctest fixture) keeps no databases of this run.
    if (servers && !ownClickHouse) {
      const names = await chQuery(`SELECT name FROM system.databases WHERE startsWith(name, '${DATABASE_PREFIX}')`).catch(() => '');
      for (const name of names.split('\n').filter(Boolean)) await chQuery(`DROP DATABASE IF EXISTS \`${name}\``).catch(() => {});
    }
    await ownClickHouse?.stop();
  });

  for (const partitions of [1, 2]) {
    describe(`--nats.partitions=${partitions}`, () => {
      const scope = `p${partitions}`;
      const database = `${DATABASE_PREFIX}_${scope}`;
      const tenantDatabase = (tenant) => `${database}_${tenant}`;
      let nats;
      let query;
      const collectors = [];
      const ingesters = [];
      const everySpoor = () => [...collectors, ...ingesters, query].filter(Boolean);

      const natsFlags = () => [`--nats.url=${nats.url}`, `--nats.partitions=${partitions}`, '--multi-tenancy.enabled'];
      const storage = () => ({
        type: 'clickhouse',
        flags: [`--clickhouse.servers=${servers}`, `--clickhouse.database=${database}`, '--clickhouse.timeout=5s'],
      });

      before(async () => {
        nats = await startNats({ dir: path.join(tempDir(`spoor-tenancy-scale-out-${scope}-`), 'nats') });
        // One after the other: the first creates the stream and the consumers.
        // The ingesters serve acme and beta only.
        for (let n = 0; n < 2; n++) {
          ingesters.push(
            await startSpoor({
              subcommand: 'ingester',
              storage: storage(),
              flags: [
                ...natsFlags(),
                '--multi-tenancy.tenants=acme,beta',
                '--nats.ack-wait=5s',
                '--nats.fetch-batch=16',
                '--span-metrics.flush-interval=1s',
              ],
            }),
          );
        }
        query = await startSpoor({ subcommand: 'query', storage: storage(), flags: ['--multi-tenancy.enabled'] });
        for (let n = 0; n < 2; n++) {
          collectors.push(
            await startSpoor({ subcommand: 'collector', storage: 'none', flags: ['--buffer.type=nats', ...natsFlags(), '--nats.publish-timeout=5s'] }),
          );
        }
      });

      after(async () => {
        const codes = [];
        for (const p of everySpoor()) codes.push(await p.stop().catch((err) => err.message));
        await nats?.stop();
        assert.deepEqual(codes, codes.map(() => 0), 'every role exits cleanly on SIGTERM');
      });

      const get = (route, tenant) => ask(query, route, tenantHeader(tenant));
      const settledAs = (route, tenant, done) => settled(query, route, tenantHeader(tenant), done);
      const opsOf = (tenant) => KEYS.map((k) => `${tenant}-op-${k}`).sort();

      test('acme and beta send the same trace IDs with the OpenTelemetry exporters: OTLP/HTTP to one collector, OTLP/gRPC to the other', async () => {
        const published = [];
        for (const c of collectors) published.push(await sumMetric([c], 'spoor_nats_published_messages_total'));
        for (const key of KEYS) {
          for (const tenant of TENANTS) {
            const t = traceOf(scope, tenant, key);
            const headers = tenantHeader(tenant);
            if (key.startsWith('http')) {
              await sendWithSdk(t, () => new OTLPProtoExporter({ url: `${collectors[0].baseUrls.otlpHttp}/v1/traces`, headers }));
            } else {
              await sendWithSdk(
                t,
                () => new OTLPGrpcExporter({ url: `http://${collectors[1].grpcAddress}`, metadata: metadataOf(headers), timeoutMillis: 10_000 }),
              );
            }
          }
        }
        // Both collectors published: nothing was refused, nothing kept locally.
        for (const [n, c] of collectors.entries()) {
          const m = await getMetrics(c);
          assert.ok(metric(m, 'spoor_nats_published_messages_total') > published[n], `collector ${n} published`);
          assert.equal(refusals(m, n === 0 ? 'otlp_http' : 'otlp_grpc', 'missing'), 0, `collector ${n}: no refusal`);
        }
      });

      test("each tenant's spans are stored in its own ClickHouse database, <database>_<tenant>, and nowhere else", async () => {
        const indexRows = async (tenant) =>
          (await chQuery(`SELECT DISTINCT concat(lower(hex(trace_id)), ' ', service, ' ', operation) FROM \`${tenantDatabase(tenant)}\`.span_index`))
            .split('\n')
            .filter(Boolean)
            .sort();
        for (const tenant of TENANTS) {
          const want = KEYS.flatMap((key) => {
            const t = traceOf(scope, tenant, key);
            return spansOf(t).map(([s]) => `${t.traceId} ${s.service} ${s.name}`);
          }).sort();
          let got = [];
          await waitFor(
            async () => {
              got = await indexRows(tenant);
              return includesAll(got, want);
            },
            { timeoutMs: SETTLE_MS, intervalMs: 250, description: `${tenant}'s spans in ${tenantDatabase(tenant)}` },
          ).catch((err) => {
            err.message += `; rows: ${JSON.stringify(got)}`;
            throw err;
          });
          assert.deepEqual(got, want, `${tenantDatabase(tenant)}.span_index holds ${tenant}'s spans only`);
          const traces = Number(await chQuery(`SELECT uniqExact(trace_id) FROM \`${tenantDatabase(tenant)}\`.spans`));
          assert.equal(traces, KEYS.length, `${tenantDatabase(tenant)}.spans`);
        }
        // No role writes the spans of a tenant to the database without a tenant.
        const plain = Number(await chQuery(`SELECT count() FROM system.tables WHERE database = '${database}'`));
        assert.equal(plain, 0, `tables in ${database}`);
        // The ingesters stored every span, each once.
        const sent = TENANTS.length * KEYS.length * 2;
        let stored = 0;
        await waitFor(
          async () => {
            stored = await sumMetric(ingesters, 'spoor_spans_stored_total', { storage: 'clickhouse' });
            return stored >= sent;
          },
          { timeoutMs: SETTLE_MS, intervalMs: 250, description: `${sent} spans stored` },
        ).catch(() => {});
        assert.equal(stored, sent, 'spoor_spans_stored_total over the ingesters');
      });

      test('/api/services and /api/services/{service}/operations answer each tenant from its own data', async () => {
        for (const tenant of TENANTS) {
          const other = TENANTS.find((o) => o !== tenant);
          const services = await settledAs('/api/services', tenant, (b) => includesAll(b.data ?? [], ['shop', `${tenant}-db`]));
          assertOnlyOwn(services, tenant, '/api/services');
          assert.deepEqual([...services.body.data].sort(), [`${tenant}-db`, 'shop']);
          const ops = await settledAs('/api/services/shop/operations', tenant, (b) => includesAll(b.data ?? [], opsOf(tenant)));
          assertOnlyOwn(ops, tenant, '/api/services/shop/operations');
          assert.deepEqual([...ops.body.data].sort(), opsOf(tenant));
          const db = await settledAs(`/api/services/${tenant}-db/operations`, tenant, (b) => b.data?.length > 0);
          assert.deepEqual(db.body.data, [`${tenant}-query`]);
          const others = await get(`/api/services/${other}-db/operations`, tenant);
          assert.equal(others.status, 200);
          assert.deepEqual(others.body.data, [], `${other}-db as ${tenant}`);
        }
      });

      test('/api/traces (search), /api/traces/{id} and /api/v3/traces/{id} of the shared trace IDs', async () => {
        for (const tenant of TENANTS) {
          const want = expectedRows(scope, tenant);
          const route = '/api/traces?service=shop&lookback=1h&limit=100';
          const found = await settledAs(route, tenant, (b) => includesAll(jaegerRows(b.data), want));
          assertOnlyOwn(found, tenant, '/api/traces');
          assert.equal(found.body.data.length, KEYS.length, `${route} as ${tenant}`);
          assert.deepEqual(jaegerRows(found.body.data), want, `${route} as ${tenant}`);
          for (const key of KEYS) {
            const { traceId } = sharedIds(scope, key);
            const one = await get(`/api/traces/${traceId}`, tenant);
            assertOnlyOwn(one, tenant, `/api/traces/{${key}}`);
            assert.deepEqual(jaegerRows(one.body.data), expectedRows(scope, tenant, [key]), `/api/traces/{${key}} as ${tenant}`);
            const v3 = await get(`/api/v3/traces/${traceId}`, tenant);
            assertOnlyOwn(v3, tenant, `/api/v3/traces/{${key}}`);
            assert.deepEqual(v3Rows(v3.body), expectedRows(scope, tenant, [key]), `/api/v3/traces/{${key}} as ${tenant}`);
          }
        }
      });

      test("/analytics/v1/dependencies and /api/metrics/calls (span metrics of the ingesters) per tenant", async () => {
        const pathsOf = (body) => (body.dependencies ?? []).map((d) => d.path.map((p) => `${p.service}:${p.operation}`).join(' > ')).sort();
        const metricsRoute = `/api/metrics/calls?${searchParams({
          service: 'shop',
          groupByOperation: true,
          endTs: Date.now() + 60_000,
          lookback: 900_000,
          step: 60_000,
          ratePer: 600_000,
        })}`;
        const operations = (body) => (body.metrics ?? []).map((m) => m.labels.find((l) => l.name === 'operation')?.value).sort();
        for (const tenant of TENANTS) {
          const paths = KEYS.map((k) => `shop:${tenant}-op-${k} > ${tenant}-db:${tenant}-query`).sort();
          const route = '/analytics/v1/dependencies?service=shop';
          const deps = await settledAs(route, tenant, (b) => includesAll(pathsOf(b), paths));
          assertOnlyOwn(deps, tenant, route);
          assert.deepEqual(pathsOf(deps.body), paths, `${route} as ${tenant}`);
          // Written by the ingesters every second (--span-metrics.flush-interval).
          const calls = await settledAs(metricsRoute, tenant, (b) => includesAll(operations(b), opsOf(tenant)));
          assertOnlyOwn(calls, tenant, '/api/metrics/calls');
          assert.deepEqual(operations(calls.body), opsOf(tenant), `/api/metrics/calls as ${tenant}`);
        }
      });

      test('gamma, a tenant without data, gets empty answers, and 404 for the shared trace IDs', async () => {
        for (const [route, field] of [
          ['/api/services', 'data'],
          ['/api/services/shop/operations', 'data'],
          ['/api/traces?service=shop&lookback=1h&limit=100', 'data'],
          ['/api/v3/services', 'services'],
        ]) {
          const res = await get(route, 'gamma');
          assertOnlyOwn(res, 'gamma', route);
          assert.deepEqual(res.body[field], [], `${route} as gamma`);
        }
        for (const key of KEYS) {
          const { traceId } = sharedIds(scope, key);
          for (const route of [`/api/traces/${traceId}`, `/api/v3/traces/${traceId}`]) {
            const res = await get(route, 'gamma');
            assert.equal(res.status, 404, `${route} as gamma: ${res.text.slice(0, 300)}`);
            assert.doesNotMatch(res.text, /\b(acme|beta)\b/, `${route} as gamma`);
          }
        }
      });

      test('a request without a valid tenant is refused by the collectors (400 / PERMISSION_DENIED), counted, and not published', async () => {
        const t = traceOf(scope, 'acme', 'refused');
        const before = await Promise.all(collectors.map((c) => getMetrics(c)));
        const published = (text) => metric(text, 'spoor_nats_published_messages_total') ?? 0;

        const http = await postTraces(collectors[0].baseUrls.otlpHttp, otlpRequest(t), { encoding: 'json' });
        assert.equal(http.status, 400, `OTLP/HTTP without x-tenant: ${http.bytes.toString()}`);
        assert.match(http.headers.get('content-type') ?? '', /^text\/plain/);
        assert.equal(http.bytes.toString().trimEnd(), MISSING);
        const proto = await postTraces(collectors[0].baseUrls.otlpHttp, otlpRequest(t), { encoding: 'proto', headers: tenantHeader('../x') });
        assert.equal(proto.status, 400, `OTLP/HTTP with x-tenant: ../x: ${proto.bytes.toString()}`);
        assert.equal(proto.bytes.toString().trimEnd(), INVALID);
        const err = await grpcExport(collectors[1].grpcAddress, otlpRequest(t)).then(
          () => null,
          (e) => e,
        );
        assert.ok(err, 'OTLP/gRPC without x-tenant: accepted');
        assert.equal(err.code, grpc.status.PERMISSION_DENIED, err.message);
        assert.equal(err.details, MISSING);

        const afterText = await Promise.all(collectors.map((c) => getMetrics(c)));
        assert.equal(refusals(afterText[0], 'otlp_http', 'missing') - refusals(before[0], 'otlp_http', 'missing'), 1, 'otlp_http missing');
        assert.equal(refusals(afterText[0], 'otlp_http', 'invalid') - refusals(before[0], 'otlp_http', 'invalid'), 1, 'otlp_http invalid');
        assert.equal(refusals(afterText[1], 'otlp_grpc', 'missing') - refusals(before[1], 'otlp_grpc', 'missing'), 1, 'otlp_grpc missing');
        for (const n of [0, 1]) assert.equal(published(afterText[n]), published(before[n]), `collector ${n} published nothing refused`);
        // The query node refuses a request without a tenant with the Jaeger error envelope, counted.
        const queryBefore = await getMetrics(query);
        for (const route of ['/api/services', '/api/v3/services', `/api/traces/${t.traceId}`, '/analytics/v1/dependencies?service=shop']) {
          const res = await ask(query, route, {});
          assert.equal(res.status, 400, `${route} without a tenant: ${res.text.slice(0, 300)}`);
          assert.deepEqual(res.body, queryRefusal(MISSING), route);
        }
        assert.equal(refusals(await getMetrics(query), 'query', 'missing') - refusals(queryBefore, 'query', 'missing'), 4, 'query missing');
      });

      test('zeta, a tenant the ingesters do not serve: published, then terminated and counted, never stored; the others flow on', async () => {
        const zeta = traceOf(scope, 'zeta', 'zeta');
        const publishedBefore = await sumMetric(collectors, 'spoor_nats_published_messages_total');
        const malformedBefore = await sumMetric(ingesters, 'spoor_ingester_messages_malformed_total');
        const res = await postTraces(collectors[0].baseUrls.otlpHttp, otlpRequest(zeta), { encoding: 'json', headers: tenantHeader('zeta') });
        assert.equal(res.status, 200, `the collector takes any valid tenant: ${res.bytes.toString()}`);
        const published = (await sumMetric(collectors, 'spoor_nats_published_messages_total')) - publishedBefore;
        assert.ok(published >= 1 && published <= partitions, `${published} messages published for zeta`);
        let malformed = 0;
        await waitFor(
          async () => {
            malformed = (await sumMetric(ingesters, 'spoor_ingester_messages_malformed_total')) - malformedBefore;
            return malformed >= published;
          },
          { timeoutMs: SETTLE_MS, intervalMs: 250, description: "zeta's messages terminated by the ingesters" },
        ).catch((err) => {
          err.message += `; counted ${malformed}`;
          throw err;
        });
        assert.equal(malformed, published, "each of zeta's messages counted once");
        // Terminated, not left to be redelivered: the stream drains.
        await waitFor(
          async () => {
            const streams = await streamStates(nats.monitorPort);
            return streams.every((s) => s.messages === 0 && s.consumers.every((c) => c.numPending === 0 && c.numAckPending === 0));
          },
          { timeoutMs: 30_000, intervalMs: 250, description: 'the stream drained' },
        );
        const databases = (await chQuery(`SELECT name FROM system.databases WHERE startsWith(name, '${database}')`)).split('\n').filter(Boolean);
        assert.ok(!databases.includes(tenantDatabase('zeta')), `no database for zeta: ${databases.join(', ')}`);
        // acme's spans still reach its store after zeta's were dropped.
        const more = traceOf(scope, 'acme', 'after-zeta');
        await sendWithSdk(more, () => new OTLPProtoExporter({ url: `${collectors[1].baseUrls.otlpHttp}/v1/traces`, headers: tenantHeader('acme') }));
        const want = expectedRows(scope, 'acme', ['after-zeta']);
        const got = await settledAs(`/api/traces/${more.traceId}`, 'acme', (b) => includesAll(jaegerRows(b.data), want));
        assert.deepEqual(jaegerRows(got.body.data), want);
        assert.equal((await get(`/api/traces/${more.traceId}`, 'beta')).status, 404, 'acme-only trace as beta');
      });

      test("a collector taking bearer tokens publishes under the token's tenant, with no tenant header", async () => {
        const tokens = path.join(tempDir('spoor-tenancy-scale-out-tokens-'), 'tokens');
        writeFileSync(tokens, 'tok-acme acme\ntok-beta beta\n');
        const collector = await startSpoor({
          subcommand: 'collector',
          storage: 'none',
          flags: ['--buffer.type=nats', ...natsFlags(), `--collector.auth.bearer-tokens-file=${tokens}`],
        });
        collectors.push(collector);
        const t = traceOf(scope, 'beta', 'token');
        const headers = { authorization: 'Bearer tok-beta' };
        await sendWithSdk(t, () => new OTLPGrpcExporter({ url: `http://${collector.grpcAddress}`, metadata: metadataOf(headers), timeoutMillis: 10_000 }));
        const want = expectedRows(scope, 'beta', ['token']);
        const got = await settledAs(`/api/traces/${t.traceId}`, 'beta', (b) => includesAll(jaegerRows(b.data), want));
        assertOnlyOwn(got, 'beta', '/api/traces/{token}');
        assert.deepEqual(jaegerRows(got.body.data), want);
        assert.equal((await get(`/api/traces/${t.traceId}`, 'acme')).status, 404, "beta's token trace as acme");
        // A token and a header naming another tenant: refused, counted, not published.
        const before = await getMetrics(collector);
        const res = await postTraces(collector.baseUrls.otlpHttp, otlpRequest(traceOf(scope, 'acme', 'mismatch')), {
          headers: { authorization: 'Bearer tok-acme', ...tenantHeader('beta') },
        });
        assert.equal(res.status, 400, res.bytes.toString());
        assert.equal(res.bytes.toString().trimEnd(), 'the bearer token is not for the tenant in x-tenant');
        const afterText = await getMetrics(collector);
        assert.equal(refusals(afterText, 'otlp_http', 'mismatch') - refusals(before, 'otlp_http', 'mismatch'), 1, 'mismatch counted');
        assert.equal(
          metric(afterText, 'spoor_nats_published_messages_total') ?? 0,
          metric(before, 'spoor_nats_published_messages_total') ?? 0,
          'nothing refused was published',
        );
      });
    });
  }
});

describe("the stream's subjects name the tenant", { skip: natsSkip }, () => {
  let nats;
  const started = [];
  const start = async (options) => {
    const p = await startSpoor(options);
    started.push(p);
    return p;
  };
  const collectorFlags = (stream, subject, extra = []) => [
    '--buffer.type=nats',
    `--nats.url=${nats.url}`,
    `--nats.stream=${stream}`,
    `--nats.subject=${subject}`,
    ...extra,
  ];

  before(async () => {
    nats = await startNats({ dir: path.join(tempDir('spoor-tenancy-scale-out-subjects-'), 'nats') });
  });

  after(async () => {
    for (const p of started) await p.stop().catch(() => {});
    await nats?.stop();
  });

  /** An OTLP/JSON request of `count` one-span traces of `tenant`. */
  const traces = (tenant, count) => {
    const startNs = BigInt(START_US) * 1000n;
    const spans = Array.from({ length: count }, () =>
      otlpSpan({ traceId: randomTraceId(), spanId: randomSpanId(), name: `${tenant}-op`, kind: OtlpKind.SERVER, startNs, endNs: startNs + 1_000_000n }),
    );
    return request([{ service: 'shop', spans }]);
  };

  for (const partitions of [1, 2]) {
    test(`--nats.partitions=${partitions}: a collector publishes each tenant's batches on <subject>.t.<tenant>${partitions > 1 ? '.<partition>' : ''}`, async () => {
      const stream = `tso-probe-${partitions}`;
      const subject = `tso.probe${partitions}`;
      // No ingester reads this stream: what was published stays in it.
      const collector = await start({
        subcommand: 'collector',
        storage: 'none',
        flags: collectorFlags(stream, subject, ['--multi-tenancy.enabled', `--nats.partitions=${partitions}`]),
      });
      // 16 traces a tenant: every partition gets some (all in one: 2^-15).
      const count = { acme: 16, beta: 16 };
      for (const tenant of TENANTS) {
        const res = await postTraces(collector.baseUrls.otlpHttp, traces(tenant, count[tenant]), { headers: tenantHeader(tenant) });
        assert.equal(res.status, 200, `${tenant}: ${res.bytes.toString()}`);
      }
      const info = await streamInfo(nats, stream);
      assert.deepEqual(info.config.subjects, [partitions > 1 ? `${subject}.t.*.*` : `${subject}.t.*`], 'the stream takes every tenant');
      const want = TENANTS.flatMap((tenant) =>
        partitions > 1 ? Array.from({ length: partitions }, (_, p) => `${subject}.t.${tenant}.${p}`) : [`${subject}.t.${tenant}`],
      ).sort();
      const subjects = info.state.subjects ?? {};
      assert.deepEqual(Object.keys(subjects).sort(), want, `subjects in use: ${JSON.stringify(subjects)}`);
      const m = await getMetrics(collector);
      assert.equal(info.state.messages, metric(m, 'spoor_nats_published_messages_total'), 'every message published is in the stream');
    });
  }

  test('a stream made without tenancy is refused by a collector and an ingester with --multi-tenancy.enabled, and the other way round', async () => {
    // Made by a collector without tenancy: it takes tso.plain.
    await start({ subcommand: 'collector', storage: 'none', flags: collectorFlags('tso-plain', 'tso.plain') });
    assert.deepEqual((await streamInfo(nats, 'tso-plain')).config.subjects, ['tso.plain']);
    const refusedStart = async (options, what) => {
      const err = await start(options).then(
        () => null,
        (e) => e,
      );
      assert.ok(err, `${what}: started on a stream it cannot use`);
      assert.match(err.message, /spoor exited during startup/, `${what}: ${err.message}`);
      return err.message;
    };
    const tenancy = ['--multi-tenancy.enabled'];
    const collectorMessage = await refusedStart(
      { subcommand: 'collector', storage: 'none', flags: collectorFlags('tso-plain', 'tso.plain', tenancy) },
      'collector with tenancy',
    );
    assert.match(collectorMessage, /stream tso-plain does not take the subject tso\.plain\.t\.\*/);
    assert.match(collectorMessage, /--multi-tenancy\.enabled/);
    const ingesterMessage = await refusedStart(
      {
        subcommand: 'ingester',
        storage: 'memory',
        flags: [`--nats.url=${nats.url}`, '--nats.stream=tso-plain', '--nats.subject=tso.plain', ...tenancy],
      },
      'ingester with tenancy',
    );
    assert.match(ingesterMessage, /stream tso-plain does not take the subject tso\.plain\.t\.\*/);
    assert.match(ingesterMessage, /--multi-tenancy\.enabled/);

    // Made with tenancy: a collector without it is refused too.
    await start({ subcommand: 'collector', storage: 'none', flags: collectorFlags('tso-tenants', 'tso.tenants', tenancy) });
    assert.deepEqual((await streamInfo(nats, 'tso-tenants')).config.subjects, ['tso.tenants.t.*']);
    const plainMessage = await refusedStart(
      { subcommand: 'collector', storage: 'none', flags: collectorFlags('tso-tenants', 'tso.tenants') },
      'collector without tenancy',
    );
    assert.match(plainMessage, /stream tso-tenants does not take the subject tso\.tenants\b/);
    // Nothing was published on either stream meanwhile.
    await sleep(100);
    for (const stream of ['tso-plain', 'tso-tenants']) assert.equal((await streamInfo(nats, stream)).state.messages, 0, stream);
  });
});
