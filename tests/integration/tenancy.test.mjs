// Multi-tenancy (--multi-tenancy.enabled, docs/architecture.md): two tenants
// send the same trace IDs, span IDs and service names over every ingest
// protocol, each with content of its own (operations acme-op-* / beta-op-*,
// a database service acme-db / beta-db below shop, an `owner` attribute);
// every query route asked as one tenant then answers from that tenant's
// data alone, and a tenant without data gets empty answers. A missing,
// invalid or unknown tenant is refused on every protocol (400 /
// PERMISSION_DENIED) and counted; a bearer token's tenant stands for the
// header and must agree with it, and a header without a token reads
// nothing where tokens are required; --multi-tenancy.max-tenants refuses
// one tenant too many; the embedded store finds its tenants again after a
// restart; each tenant archives into, and reads back from, an archive of its
// own. The backend comes from $SPOOR_STORAGE (see storageFlags).

import assert from 'node:assert/strict';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { OTLPTraceExporter as OTLPGrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OTLPJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { encodeRequest } from '../lib/otlp.mjs';
import {
  PROTO_DIR,
  clickhouseServers,
  fetchJson,
  getMetrics,
  hexToBytes,
  metric,
  randomSpanId,
  randomTraceId,
  searchParams,
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

const require = createRequire(import.meta.url);
const zipkin = require('zipkin');
const { HttpLogger } = require('zipkin-transport-http');

const STORAGE = process.env.SPOOR_STORAGE || 'memory';
const PROTOCOLS = ['otlp-proto', 'otlp-json', 'otlp-grpc', 'jaeger-thrift', 'jaeger-grpc', 'zipkin'];
const TENANTS = ['acme', 'beta'];
// Every span starts two minutes before the test: inside every lookback used.
const START_US = (Date.now() - 120_000) * 1000;

// ---------------------------------------------------------------------------
// What each tenant sends

// The IDs under `key` (a protocol, or a test's own key), the same for every tenant.
const idsByKey = new Map();
function sharedIds(key) {
  if (!idsByKey.has(key)) idsByKey.set(key, { traceId: randomTraceId(), rootId: randomSpanId(), childId: randomSpanId() });
  return idsByKey.get(key);
}

/** The trace `tenant` sends under `key`: a server span of shop and, below it, one of the tenant's database. */
function traceOf(tenant, key) {
  return {
    ...sharedIds(key),
    tenant,
    root: { service: 'shop', name: `${tenant}-op-${key}`, startUs: START_US, durationUs: 5000 },
    child: { service: `${tenant}-db`, name: `${tenant}-query`, startUs: START_US + 1000, durationUs: 2000 },
  };
}

/** "traceId spanId service operation owner" for each span `tenant` sent under `keys`, sorted. */
function expectedRows(tenant, keys = PROTOCOLS) {
  return keys
    .flatMap((key) => {
      const t = traceOf(tenant, key);
      return spansOf(t).map(([s, id]) => `${t.traceId} ${id} ${s.service} ${s.name} ${tenant}`);
    })
    .sort();
}

// ---------------------------------------------------------------------------
// Senders: the real client libraries where they can send a header.

// Jaeger Thrift over HTTP: jaeger-client's HTTPSender takes no custom
// header, so its Batch is encoded by thriftrw with jaeger-client's own IDL,
// as the sender does, and posted with the header.
let jaegerThrift;
function jaegerThriftBatch(t, [s, spanId, parentId]) {
  if (!jaegerThrift) {
    const { Thrift } = require('thriftrw');
    const ThriftUtils = require('jaeger-client/dist/src/thrift.js').default;
    jaegerThrift = new Thrift({ source: ThriftUtils.loadJaegerThriftDefinition(), allowOptionalArguments: true });
  }
  const th = jaegerThrift;
  const i64 = (v) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(v));
    return b;
  };
  const id = hexToBytes(t.traceId);
  const thriftSpan = new th.Span({
    traceIdLow: id.subarray(8),
    traceIdHigh: id.subarray(0, 8),
    spanId: hexToBytes(spanId),
    parentSpanId: parentId ? hexToBytes(parentId) : i64(0),
    operationName: s.name,
    flags: 1,
    startTime: i64(s.startUs),
    duration: i64(s.durationUs),
    tags: [new th.Tag({ key: 'span.kind', vType: 'STRING', vStr: 'server' }), new th.Tag({ key: 'owner', vType: 'STRING', vStr: t.tenant })],
  });
  const result = th.Batch.rw.toBuffer(new th.Batch({ process: new th.Process({ serviceName: s.service, tags: [] }), spans: [thriftSpan] }));
  if (result.err) throw result.err;
  return result.value;
}

/** POSTs each span of `t` (one Batch per service) to {jaegerHttp}/api/traces; resolves with the answers. */
async function postJaegerThrift(spoor, t, headers, spans = spansOf(t)) {
  const answers = [];
  for (const entry of spans) {
    const res = await fetch(`${spoor.baseUrls.jaegerHttp}/api/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-thrift', ...headers },
      body: jaegerThriftBatch(t, entry),
    });
    answers.push({ status: res.status, contentType: res.headers.get('content-type'), text: await res.text() });
  }
  return answers;
}

let collectorService;
/** jaeger.api_v2.CollectorService/PostSpans with `t` as one batch: resolves with null or the gRPC error. */
function postJaegerGrpc(spoor, t, headers) {
  if (!collectorService) {
    const definition = protoLoader.loadSync('jaeger/api_v2/collector.proto', {
      includeDirs: [PROTO_DIR, '/usr/include'],
      keepCase: true,
      longs: String,
      enums: String,
      defaults: false,
    });
    collectorService = grpc.loadPackageDefinition(definition).jaeger.api_v2.CollectorService;
  }
  const ts = (us) => ({ seconds: String(Math.floor(us / 1e6)), nanos: (us % 1e6) * 1000 });
  const str = (key, v) => ({ key, v_type: 'STRING', v_str: v });
  const spans = spansOf(t).map(([s, spanId, parentId]) => ({
    trace_id: hexToBytes(t.traceId),
    span_id: hexToBytes(spanId),
    operation_name: s.name,
    references: parentId ? [{ trace_id: hexToBytes(t.traceId), span_id: hexToBytes(parentId), ref_type: 'CHILD_OF' }] : [],
    flags: 1,
    start_time: ts(s.startUs),
    duration: { seconds: '0', nanos: s.durationUs * 1000 },
    tags: [str('span.kind', 'server'), str('owner', t.tenant)],
    process: { service_name: s.service, tags: [] },
  }));
  const client = new collectorService(spoor.jaegerGrpcAddress, grpc.credentials.createInsecure());
  const batch = { process: { service_name: t.root.service, tags: [] }, spans };
  return new Promise((resolve) => {
    client.PostSpans({ batch }, metadataOf(headers), { deadline: Date.now() + 10_000 }, (err) => {
      client.close();
      resolve(err);
    });
  });
}

/** Sends `t` with zipkin-js's model and HttpLogger (v2 JSON, its `headers` option). */
async function sendZipkin(spoor, t, headers) {
  const { model, TraceId, option, jsonEncoder } = zipkin;
  const logger = new HttpLogger({ endpoint: `${spoor.baseUrls.zipkin}/api/v2/spans`, jsonEncoder: jsonEncoder.JSON_V2, headers, httpInterval: 20 });
  const sent = new Promise((resolve, reject) => {
    logger.once('success', resolve);
    logger.once('error', reject);
  });
  for (const [s, spanId, parentId] of spansOf(t)) {
    const parent = parentId ? new option.Some(parentId) : option.None;
    const span = new model.Span(new TraceId({ traceId: t.traceId, spanId, parentId: parent, sampled: new option.Some(true) }));
    span.setName(s.name);
    span.setKind('SERVER');
    span.setTimestamp(s.startUs);
    span.setDuration(s.durationUs);
    span.setLocalEndpoint(new model.Endpoint({ serviceName: s.service }));
    span.putTag('owner', t.tenant);
    logger.logSpan(span);
  }
  await sent;
}

/** Sends tenant's trace of `protocol` with `headers` (the tenant header and/or a token). */
async function send(spoor, protocol, tenant, headers) {
  const t = traceOf(tenant, protocol);
  const otlpUrl = `${spoor.baseUrls.otlpHttp}/v1/traces`;
  switch (protocol) {
    case 'otlp-proto':
      return sendWithSdk(t, () => new OTLPProtoExporter({ url: otlpUrl, headers }));
    case 'otlp-json':
      return sendWithSdk(t, () => new OTLPJsonExporter({ url: otlpUrl, headers }));
    case 'otlp-grpc':
      return sendWithSdk(t, () => new OTLPGrpcExporter({ url: `http://${spoor.grpcAddress}`, metadata: metadataOf(headers), timeoutMillis: 5000 }));
    case 'jaeger-thrift':
      for (const a of await postJaegerThrift(spoor, t, headers)) assert.ok(a.status >= 200 && a.status < 300, `${a.status} ${a.text}`);
      return undefined;
    case 'jaeger-grpc':
      assert.equal(await postJaegerGrpc(spoor, t, headers), null);
      return undefined;
    case 'zipkin':
      return sendZipkin(spoor, t, headers);
  }
  throw new Error(`no protocol ${protocol}`);
}

// ---------------------------------------------------------------------------
// Raw requests, for the exact answer to a refused one

/** A raw OTLP/gRPC Export of `t`: resolves with null or the gRPC error. */
function otlpGrpcExport(spoor, t, headers) {
  const client = new grpc.Client(spoor.grpcAddress, grpc.credentials.createInsecure());
  return new Promise((resolve) => {
    const method = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
    client.makeUnaryRequest(method, (b) => b, (b) => b, encodeRequest(otlpRequest(t)), metadataOf(headers), { deadline: Date.now() + 10_000 }, (err) => {
      client.close();
      resolve(err);
    });
  });
}

async function httpPost(url, contentType, body, headers) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
}

/**
 * One request per ingest endpoint, each carrying `t` and `headers`:
 * [{server (the refusal counter's label), name, answer: {status, contentType, text} or {code, details}}].
 */
async function ingestEverywhere(spoor, t, headers) {
  const req = otlpRequest(t);
  const zipkinJson = spansOf(t).map(([s, id, parentId]) => ({
    traceId: t.traceId,
    id,
    ...(parentId ? { parentId } : {}),
    name: s.name,
    kind: 'SERVER',
    timestamp: s.startUs,
    duration: s.durationUs,
    localEndpoint: { serviceName: s.service },
    tags: { owner: t.tenant },
  }));
  const otlpUrl = `${spoor.baseUrls.otlpHttp}/v1/traces`;
  return [
    { server: 'otlp_http', name: 'OTLP/HTTP protobuf', answer: await httpPost(otlpUrl, 'application/x-protobuf', encodeRequest(req), headers) },
    { server: 'otlp_http', name: 'OTLP/HTTP JSON', answer: await httpPost(otlpUrl, 'application/json', JSON.stringify(req), headers) },
    { server: 'otlp_grpc', name: 'OTLP/gRPC', answer: await otlpGrpcExport(spoor, t, headers) },
    { server: 'jaeger_http', name: 'Jaeger Thrift/HTTP', answer: (await postJaegerThrift(spoor, t, headers, [spansOf(t)[0]]))[0] },
    { server: 'jaeger_grpc', name: 'Jaeger gRPC', answer: await postJaegerGrpc(spoor, t, headers) },
    {
      server: 'zipkin',
      name: 'Zipkin v2 JSON',
      answer: await httpPost(`${spoor.baseUrls.zipkin}/api/v2/spans`, 'application/json', JSON.stringify(zipkinJson), headers),
    },
  ];
}

/** Asserts an ingest answer is the refusal `message`: 400 text/plain, or gRPC PERMISSION_DENIED. */
function assertRefused({ name, answer }, message) {
  assert.ok(answer, `${name}: accepted, expected "${message}"`);
  if ('code' in answer) {
    assert.equal(answer.code, grpc.status.PERMISSION_DENIED, `${name}: ${answer.message}`);
    assert.equal(answer.details, message, name);
  } else {
    assert.equal(answer.status, 400, `${name}: ${answer.text}`);
    assert.match(answer.contentType ?? '', /^text\/plain/, name);
    assert.equal(answer.text.trimEnd(), message, name);
  }
}

/** GET `route` on the query port with `headers`. */
const ask = (spoor, route, headers) => fetchJson(`${spoor.baseUrls.query}${route}`, { headers });

/**
 * Polls GET `route` with `headers` until done(body) holds, then returns the
 * answer: a store may show what was sent a little later (ClickHouse writes
 * in batches).
 */
function settled(spoor, route, headers, done) {
  return waitFor(
    async () => {
      const res = await ask(spoor, route, headers);
      return res.status === 200 && done(res.body) ? res : null;
    },
    { timeoutMs: 20_000, description: `${route} complete` },
  );
}

const MESSAGES = {
  missing: 'missing tenant: send the x-tenant header',
  invalid: "invalid tenant in x-tenant: the tenant may hold only letters, digits, '_' and '-', and starts with a letter or digit",
  unknown: "unknown tenant 'zzz'",
  mismatch: 'the bearer token is not for the tenant in x-tenant',
  tooMany: 'no room for another tenant (--multi-tenancy.max-tenants=2)',
};

// ---------------------------------------------------------------------------

describe('two tenants with the same trace IDs over every protocol: each reads only its own', () => {
  let spoor;
  before(async () => {
    spoor = await startSpoor({ flags: ['--multi-tenancy.enabled', '--span-metrics.flush-interval=1s', '--span-metrics.prometheus'] });
  });
  after(async () => {
    if (spoor) assert.equal(await spoor.stop(), 0);
  });

  const get = (route, tenant) => ask(spoor, route, tenantHeader(tenant));
  // Each route is polled until all of the tenant's data is there (writes may
  // be batched), then its answer is compared with exactly that data.
  const settledAs = (route, tenant, done) => settled(spoor, route, tenantHeader(tenant), done);
  const opsOf = (tenant) => PROTOCOLS.map((p) => `${tenant}-op-${p}`).sort();

  test('acme and beta each send the shared traces over every ingest protocol', async () => {
    for (const protocol of PROTOCOLS) {
      for (const tenant of TENANTS) await send(spoor, protocol, tenant, tenantHeader(tenant));
    }
    const m = await getMetrics(spoor);
    assert.equal(metric(m, 'spoor_tenants'), 2);
    for (const tenant of TENANTS) assert.notEqual(metric(m, 'spoor_queue_length', { tenant }), undefined, `queue of ${tenant}`);
  });

  test('/metrics: the span metrics series of each tenant carry its name', async () => {
    // Series of shop's calls per tenant: one for each protocol's operation.
    const series = (text, tenant) =>
      text.split('\n').filter((l) => l.startsWith('traces_span_metrics_calls_total{') && l.includes('service_name="shop"') && l.includes(`tenant="${tenant}"`));
    // Counted as the writers store the spans: wait until both tenants' are.
    const text = await waitFor(
      async () => {
        const m = await getMetrics(spoor);
        return TENANTS.every((t) => series(m, t).length === PROTOCOLS.length) && m;
      },
      { description: 'span metrics of both tenants on /metrics' },
    );
    for (const tenant of TENANTS) {
      const other = TENANTS.find((o) => o !== tenant);
      const own = series(text, tenant);
      assert.equal(own.length, PROTOCOLS.length, own.join('\n'));
      for (const line of own) {
        assert.match(line, new RegExp(`span_name="${tenant}-op-`));
        assert.doesNotMatch(line, new RegExp(`span_name="${other}-op-`));
      }
    }
    assert.equal((text.match(/^# TYPE traces_span_metrics_calls_total /gm) ?? []).length, 1, 'one family');
  });

  test('/api/services, /api/services/{s}/operations, /api/operations', async () => {
    for (const tenant of TENANTS) {
      const other = TENANTS.find((o) => o !== tenant);
      const services = await settledAs('/api/services', tenant, (b) => includesAll(b.data, ['shop', `${tenant}-db`]));
      assertOnlyOwn(services, tenant, '/api/services');
      assert.deepEqual([...services.body.data].sort(), [`${tenant}-db`, 'shop']);
      const byPath = await settledAs('/api/services/shop/operations', tenant, (b) => includesAll(b.data, opsOf(tenant)));
      assertOnlyOwn(byPath, tenant, '/api/services/shop/operations');
      assert.deepEqual([...byPath.body.data].sort(), opsOf(tenant));
      const db = await settledAs(`/api/services/${tenant}-db/operations`, tenant, (b) => b.data.length > 0);
      assert.deepEqual(db.body.data, [`${tenant}-query`]);
      assert.deepEqual((await get(`/api/services/${other}-db/operations`, tenant)).body.data, [], `${other}-db as ${tenant}`);
      const byQuery = await settledAs('/api/operations?service=shop', tenant, (b) => b.data.length >= PROTOCOLS.length);
      assertOnlyOwn(byQuery, tenant, '/api/operations');
      const names = byQuery.body.data.map((o) => `${o.name}/${o.spanKind}`).sort();
      assert.deepEqual(names, opsOf(tenant).map((op) => `${op}/server`));
    }
  });

  test('/api/traces (search) and /api/traces/{id} of the shared trace IDs', async () => {
    for (const tenant of TENANTS) {
      const want = expectedRows(tenant);
      const found = await settledAs('/api/traces?service=shop&lookback=1h&limit=100', tenant, (b) => includesAll(jaegerRows(b.data), want));
      assertOnlyOwn(found, tenant, '/api/traces');
      assert.equal(found.body.data.length, PROTOCOLS.length);
      assert.deepEqual(jaegerRows(found.body.data), want);
      for (const protocol of PROTOCOLS) {
        const one = await get(`/api/traces/${sharedIds(protocol).traceId}`, tenant);
        assertOnlyOwn(one, tenant, `/api/traces/{${protocol}}`);
        assert.deepEqual(jaegerRows(one.body.data), expectedRows(tenant, [protocol]), `${protocol} as ${tenant}`);
      }
    }
  });

  test('/api/dependencies', async () => {
    const route = `/api/dependencies?${searchParams({ endTs: Date.now() + 60_000, lookback: 3_600_000 })}`;
    for (const tenant of TENANTS) {
      const res = await settledAs(route, tenant, (b) => b.data.some((d) => d.callCount >= PROTOCOLS.length));
      assertOnlyOwn(res, tenant, '/api/dependencies');
      assert.deepEqual(res.body.data, [{ parent: 'shop', child: `${tenant}-db`, callCount: PROTOCOLS.length }]);
    }
  });

  test('/api/v3/services, /api/v3/operations, /api/v3/traces and /api/v3/traces/{id}', async () => {
    const search = searchParams({
      'query.serviceName': 'shop',
      'query.startTimeMin': new Date(Date.now() - 3_600_000).toISOString(),
      'query.startTimeMax': new Date(Date.now() + 60_000).toISOString(),
    });
    for (const tenant of TENANTS) {
      const services = await settledAs('/api/v3/services', tenant, (b) => includesAll(b.services, ['shop', `${tenant}-db`]));
      assertOnlyOwn(services, tenant, '/api/v3/services');
      assert.deepEqual([...services.body.services].sort(), [`${tenant}-db`, 'shop']);
      const ops = await settledAs('/api/v3/operations?service=shop', tenant, (b) => b.operations.length >= PROTOCOLS.length);
      assertOnlyOwn(ops, tenant, '/api/v3/operations');
      const names = ops.body.operations.map((o) => `${o.name}/${o.spanKind}`).sort();
      assert.deepEqual(names, opsOf(tenant).map((op) => `${op}/server`));
      const want = expectedRows(tenant);
      const found = await settledAs(`/api/v3/traces?${search}`, tenant, (b) => includesAll(v3Rows(b), want));
      assertOnlyOwn(found, tenant, '/api/v3/traces');
      assert.deepEqual(v3Rows(found.body), want);
      for (const protocol of PROTOCOLS) {
        const one = await get(`/api/v3/traces/${sharedIds(protocol).traceId}`, tenant);
        assertOnlyOwn(one, tenant, `/api/v3/traces/{${protocol}}`);
        assert.deepEqual(v3Rows(one.body), expectedRows(tenant, [protocol]), `${protocol} as ${tenant}`);
      }
    }
  });

  test('/api/metrics/calls: span metrics are counted per tenant', async () => {
    const route = `/api/metrics/calls?${searchParams({
      service: 'shop',
      groupByOperation: true,
      endTs: Date.now() + 60_000,
      lookback: 900_000,
      step: 60_000,
      ratePer: 600_000,
    })}`;
    const operations = (body) => body.metrics.map((m) => m.labels.find((l) => l.name === 'operation')?.value).sort();
    for (const tenant of TENANTS) {
      // Written to the store every second (--span-metrics.flush-interval).
      const res = await settledAs(route, tenant, (b) => includesAll(operations(b), opsOf(tenant)));
      assertOnlyOwn(res, tenant, '/api/metrics/calls');
      assert.deepEqual(operations(res.body), opsOf(tenant));
      for (const m of res.body.metrics) assert.deepEqual(m.labels.find((l) => l.name === 'service_name'), { name: 'service_name', value: 'shop' });
    }
  });

  test('/api/deep-dependencies, /analytics/v1/dependencies and /api/quality-metrics', async () => {
    const traceIds = new Set(PROTOCOLS.map((p) => sharedIds(p).traceId));
    const pathsOf = (body) => body.dependencies.map((d) => d.path.map((p) => `${p.service}:${p.operation}`).join(' > ')).sort();
    for (const tenant of TENANTS) {
      const paths = PROTOCOLS.map((p) => `shop:${tenant}-op-${p} > ${tenant}-db:${tenant}-query`).sort();
      for (const route of ['/api/deep-dependencies?service=shop', '/analytics/v1/dependencies?service=shop']) {
        const res = await settledAs(route, tenant, (b) => includesAll(pathsOf(b), paths));
        assertOnlyOwn(res, tenant, route);
        assert.deepEqual(pathsOf(res.body), paths, `${route} as ${tenant}`);
        for (const d of res.body.dependencies) {
          const exemplar = d.attributes.find((a) => a.key === 'exemplar_trace_id')?.value;
          assert.ok(traceIds.has(exemplar), `exemplar ${exemplar}`);
        }
      }
      const quality = await settledAs('/api/quality-metrics?service=shop', tenant, (b) => b.metrics.length > 0);
      assertOnlyOwn(quality, tenant, '/api/quality-metrics');
      assert.match(quality.body.bannerText, new RegExp(`Computed from the ${PROTOCOLS.length} most recent traces of shop`));
      // Both spans of each of the tenant's traces, none of the other's.
      const named = quality.body.metrics.find((m) => m.name === 'Spans name their service');
      assert.deepEqual([named.passCount, named.failureCount], [2 * PROTOCOLS.length, 0]);
    }
  });

  test("/qualitymetrics-v2, the older UI's route to quality metrics, answers as /api/quality-metrics", async () => {
    for (const tenant of TENANTS) {
      const older = await get('/qualitymetrics-v2?service=shop', tenant);
      assertOnlyOwn(older, tenant, '/qualitymetrics-v2');
      assert.deepEqual(older.body, (await get('/api/quality-metrics?service=shop', tenant)).body, `as ${tenant}`);
    }
  });

  test('gamma, a valid tenant without data, gets empty answers on every route', async () => {
    const traceId = sharedIds(PROTOCOLS[0]).traceId;
    const now = Date.now();
    const v3Search = searchParams({
      'query.serviceName': 'shop',
      'query.startTimeMin': new Date(now - 3_600_000).toISOString(),
      'query.startTimeMax': new Date(now + 60_000).toISOString(),
    });
    const metricsRoute = `/api/metrics/calls?${searchParams({ service: 'shop', endTs: now, lookback: 900_000, step: 60_000, ratePer: 600_000 })}`;
    const empty = {
      '/api/services': (b) => assert.deepEqual(b.data, []),
      '/api/services/shop/operations': (b) => assert.deepEqual(b.data, []),
      '/api/operations?service=shop': (b) => assert.deepEqual(b.data, []),
      '/api/traces?service=shop&lookback=1h&limit=100': (b) => assert.deepEqual(b.data, []),
      [`/api/dependencies?endTs=${now}&lookback=3600000`]: (b) => assert.deepEqual(b.data, []),
      '/api/v3/services': (b) => assert.deepEqual(b.services, []),
      '/api/v3/operations?service=shop': (b) => assert.deepEqual(b.operations, []),
      [metricsRoute]: (b) => assert.deepEqual(b.metrics, []),
      '/api/deep-dependencies?service=shop': (b) => assert.deepEqual(b.dependencies, []),
      '/analytics/v1/dependencies?service=shop': (b) => assert.deepEqual(b.dependencies, []),
      '/api/quality-metrics?service=shop': (b) => assert.deepEqual(b.metrics, []),
    };
    for (const [route, check] of Object.entries(empty)) {
      const res = await get(route, 'gamma');
      assertOnlyOwn(res, 'gamma', route);
      check(res.body);
    }
    // Not found, as in a store without the trace (Jaeger answers 404 there).
    for (const route of [`/api/traces/${traceId}`, `/api/v3/traces/${traceId}`, `/api/v3/traces?${v3Search}`]) {
      const res = await get(route, 'gamma');
      assert.equal(res.status, 404, `${route} as gamma: ${res.text.slice(0, 300)}`);
      assert.doesNotMatch(res.text, /\b(acme|beta)\b/);
    }
  });
});

describe('refusals: missing, invalid and unknown tenants on every endpoint', () => {
  let spoor;
  before(async () => {
    // A stand-in UI build, so that the suite does not depend on ui/dist.
    const ui = tempDir('spoor-tenancy-ui-');
    writeFileSync(path.join(ui, 'index.html'), '<!doctype html><html><body>stand-in UI</body></html>\n');
    spoor = await startSpoor({ flags: ['--multi-tenancy.enabled', '--multi-tenancy.tenants=acme,beta', `--query.static-files=${ui}`] });
  });
  after(async () => {
    if (spoor) assert.equal(await spoor.stop(), 0);
  });

  const CASES = [
    ['missing', {}, MESSAGES.missing],
    ['invalid', tenantHeader('../x'), MESSAGES.invalid],
    ['unknown', tenantHeader('zzz'), MESSAGES.unknown],
  ];

  for (const [reason, headers, message] of CASES) {
    test(`${reason}: every ingest protocol refuses it and counts it`, async () => {
      const before = await getMetrics(spoor);
      const answers = await ingestEverywhere(spoor, traceOf('acme', `refused-${reason}`), headers);
      for (const a of answers) assertRefused(a, message);
      const afterText = await getMetrics(spoor);
      for (const server of ['otlp_http', 'otlp_grpc', 'jaeger_http', 'jaeger_grpc', 'zipkin']) {
        const sent = answers.filter((a) => a.server === server).length;
        assert.equal(refusals(afterText, server, reason) - refusals(before, server, reason), sent, `${server} ${reason}`);
      }
    });
  }

  test('the query API refuses them with Jaeger\'s error envelope, counted; the UI files stay open', async () => {
    const before = await getMetrics(spoor);
    for (const [, headers, message] of CASES) {
      for (const route of ['/api/services', '/api/v3/services', '/analytics/v1/dependencies?service=shop']) {
        const res = await ask(spoor, route, headers);
        assert.equal(res.status, 400, `${route} ${JSON.stringify(headers)}`);
        assert.deepEqual(res.body, queryRefusal(message), route);
      }
    }
    const afterText = await getMetrics(spoor);
    for (const [reason] of CASES) assert.equal(refusals(afterText, 'query', reason) - refusals(before, 'query', reason), 3, reason);
    for (const route of ['/', '/search']) {
      const res = await fetch(`${spoor.baseUrls.query}${route}`);
      assert.equal(res.status, 200, route);
      assert.match(await res.text(), /stand-in UI/, route);
    }
  });

  test('the remote sampling routes need no tenant', async () => {
    for (const url of [`${spoor.baseUrls.sampling}/sampling?service=x`, `${spoor.baseUrls.jaegerHttp}/api/sampling?service=x`]) {
      const res = await fetchJson(url);
      assert.equal(res.status, 200, `${url}: ${res.text}`);
      assert.ok(res.body?.strategyType !== undefined, `${url}: ${res.text}`);
    }
  });

  test('nothing refused was stored, and no store was opened for a refused name', async () => {
    // The listed tenants are open from the start; none other.
    assert.equal(metric(await getMetrics(spoor), 'spoor_tenants'), 2);
    for (const tenant of TENANTS) {
      const res = await ask(spoor, '/api/services', tenantHeader(tenant));
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.data, [], tenant);
    }
    // A listed tenant is accepted.
    for (const { name, answer } of await ingestEverywhere(spoor, traceOf('acme', 'listed'), tenantHeader('acme'))) {
      const accepted = answer === null || (answer.status >= 200 && answer.status < 300);
      assert.ok(accepted, `${name}: ${answer?.status ?? answer?.code} ${answer?.text ?? answer?.details}`);
    }
  });
});

describe('bearer tokens name a tenant', () => {
  let spoor;
  before(async () => {
    const dir = tempDir('spoor-tenancy-tokens-');
    const tokens = path.join(dir, 'tokens');
    writeFileSync(tokens, 'tok-acme acme\ntok-beta beta\n');
    spoor = await startSpoor({
      flags: ['--multi-tenancy.enabled', `--collector.auth.bearer-tokens-file=${tokens}`, `--query.auth.bearer-tokens-file=${tokens}`],
    });
  });
  after(async () => {
    if (spoor) assert.equal(await spoor.stop(), 0);
  });

  const bearer = (token) => ({ authorization: `Bearer ${token}` });

  test("a token alone sends to its tenant and reads only its tenant's data", async () => {
    await send(spoor, 'otlp-proto', 'acme', bearer('tok-acme'));
    await send(spoor, 'otlp-grpc', 'beta', bearer('tok-beta'));
    for (const [tenant, protocol] of [['acme', 'otlp-proto'], ['beta', 'otlp-grpc']]) {
      const token = bearer(`tok-${tenant}`);
      const { traceId } = sharedIds(protocol);
      const want = expectedRows(tenant, [protocol]);
      const res = await settled(spoor, `/api/traces/${traceId}`, token, (b) => includesAll(jaegerRows(b.data), want));
      assertOnlyOwn(res, tenant, '/api/traces/{id}');
      assert.deepEqual(jaegerRows(res.body.data), want);
      const ops = await settled(spoor, '/api/services/shop/operations', token, (b) => b.data.length > 0);
      assert.deepEqual(ops.body.data, [`${tenant}-op-${protocol}`]);
      // The other tenant's trace is not there for this token.
      const other = protocol === 'otlp-proto' ? 'otlp-grpc' : 'otlp-proto';
      assert.equal((await ask(spoor, `/api/traces/${sharedIds(other).traceId}`, token)).status, 404);
      // A header naming the token's own tenant is fine.
      const agreeing = await ask(spoor, '/api/services/shop/operations', { ...token, ...tenantHeader(tenant) });
      assert.deepEqual(agreeing.body.data, [`${tenant}-op-${protocol}`]);
    }
  });

  test("a header naming another tenant than the token's is refused (mismatch)", async () => {
    const before = await getMetrics(spoor);
    const headers = { ...bearer('tok-acme'), ...tenantHeader('beta') };
    const t = traceOf('acme', 'mismatch');
    const answers = await ingestEverywhere(spoor, t, headers);
    for (const a of answers) assertRefused(a, MESSAGES.mismatch);
    const query = await ask(spoor, '/api/services', { ...bearer('tok-beta'), ...tenantHeader('acme') });
    assert.equal(query.status, 400);
    assert.deepEqual(query.body, queryRefusal(MESSAGES.mismatch));
    const afterText = await getMetrics(spoor);
    for (const server of ['otlp_http', 'otlp_grpc', 'jaeger_http', 'jaeger_grpc', 'zipkin', 'query']) {
      const sent = server === 'query' ? 1 : answers.filter((a) => a.server === server).length;
      assert.equal(refusals(afterText, server, 'mismatch') - refusals(before, server, 'mismatch'), sent, server);
    }
    for (const token of ['tok-acme', 'tok-beta']) {
      assert.equal((await ask(spoor, `/api/traces/${t.traceId}`, bearer(token))).status, 404, `stored for ${token}`);
    }
  });

  test('the query token guards /analytics/ as it guards /api/: a tenant header alone reads nothing', async () => {
    // acme's trace (sent above) has a shop -> acme-db path; without a token it must not be shown.
    for (const route of ['/api/deep-dependencies?service=shop', '/analytics/v1/dependencies?service=shop']) {
      const res = await ask(spoor, route, tenantHeader('acme'));
      assert.equal(res.status, 401, `${route}, x-tenant: acme, no token: ${res.status} ${res.text.slice(0, 300)}`);
      assert.doesNotMatch(res.text, /\bacme\b/);
    }
  });
});

describe('--multi-tenancy.max-tenants', () => {
  let spoor;
  before(async () => {
    spoor = await startSpoor({ flags: ['--multi-tenancy.enabled', '--multi-tenancy.max-tenants=2'] });
  });
  after(async () => {
    if (spoor) assert.equal(await spoor.stop(), 0);
  });

  test('a third tenant is refused (too_many) while the first two keep working', async () => {
    const otlp = (tenant, key) =>
      httpPost(`${spoor.baseUrls.otlpHttp}/v1/traces`, 'application/json', JSON.stringify(otlpRequest(traceOf(tenant, key))), tenantHeader(tenant));
    for (const tenant of TENANTS) assert.equal((await otlp(tenant, 'max-1')).status, 200, tenant);
    const before = await getMetrics(spoor);
    assertRefused({ name: 'OTLP/HTTP', answer: await otlp('gamma', 'max-1') }, MESSAGES.tooMany);
    assertRefused({ name: 'OTLP/gRPC', answer: await otlpGrpcExport(spoor, traceOf('gamma', 'max-1'), tenantHeader('gamma')) }, MESSAGES.tooMany);
    const afterText = await getMetrics(spoor);
    for (const server of ['otlp_http', 'otlp_grpc']) {
      assert.equal(refusals(afterText, server, 'too_many') - refusals(before, server, 'too_many'), 1, server);
    }
    assert.equal(metric(afterText, 'spoor_tenants'), 2);
    for (const tenant of TENANTS) {
      assert.equal((await otlp(tenant, 'max-2')).status, 200, `${tenant} after the refusal`);
      const want = expectedRows(tenant, ['max-1', 'max-2']);
      const route = '/api/traces?service=shop&lookback=1h&limit=100';
      const res = await settled(spoor, route, tenantHeader(tenant), (b) => includesAll(jaegerRows(b.data), want));
      assert.deepEqual(jaegerRows(res.body.data), want);
    }
  });
});

describe('embedded store: the tenants are found again after a restart', { skip: STORAGE !== 'embedded' && 'for the embedded store only' }, () => {
  const dir = STORAGE === 'embedded' ? tempDir('spoor-tenancy-store-') : '';
  const start = () =>
    startSpoor({ storage: { type: 'embedded', flags: [`--embedded.directory=${dir}`] }, flags: ['--multi-tenancy.enabled'] });
  let spoor;
  after(async () => {
    if (spoor?.alive) await spoor.stop();
  });

  test('each tenant reads only its own data from <dir>/tenants/<tenant> after a restart', async () => {
    spoor = await start();
    for (const tenant of TENANTS) await send(spoor, 'otlp-proto', tenant, tenantHeader(tenant));
    const route = `/api/traces/${sharedIds('otlp-proto').traceId}`;
    for (const tenant of TENANTS) {
      const want = expectedRows(tenant, ['otlp-proto']);
      await settled(spoor, route, tenantHeader(tenant), (b) => includesAll(jaegerRows(b.data), want));
    }
    assert.equal(await spoor.stop(), 0);
    assert.deepEqual(readdirSync(path.join(dir, 'tenants')).sort(), TENANTS);

    spoor = await start();
    assert.equal(metric(await getMetrics(spoor), 'spoor_tenants'), 2, 'both tenants opened from the directory');
    for (const tenant of TENANTS) {
      const res = await ask(spoor, route, tenantHeader(tenant));
      assertOnlyOwn(res, tenant, route);
      assert.deepEqual(jaegerRows(res.body.data), expectedRows(tenant, ['otlp-proto']));
      const services = await ask(spoor, '/api/services', tenantHeader(tenant));
      assert.deepEqual([...services.body.data].sort(), [`${tenant}-db`, 'shop']);
    }
    assert.deepEqual((await ask(spoor, route, tenantHeader('gamma'))).status, 404);
  });
});

/** "traceId spanId service operation owner" of each span gRPC GetTrace (api_v3, port 16685) returns to `tenant`. */
function grpcTraceRows(spoor, traceId, tenant) {
  const def = protoLoader.loadSync('jaeger/api_v3/query_service.proto', { includeDirs: [PROTO_DIR], longs: String, defaults: true });
  const v3 = grpc.loadPackageDefinition(def).jaeger.api_v3;
  const client = new v3.QueryService(spoor.queryGrpcAddress, grpc.credentials.createInsecure());
  const rows = [];
  return new Promise((resolve, reject) => {
    const call = client.GetTrace({ traceId }, metadataOf(tenantHeader(tenant)));
    call.on('data', (d) => {
      for (const rs of d.resourceSpans) {
        const service = rs.resource.attributes.find((kv) => kv.key === 'service.name')?.value.stringValue;
        for (const ss of rs.scopeSpans) {
          for (const sp of ss.spans) {
            const owner = sp.attributes.find((kv) => kv.key === 'owner')?.value.stringValue;
            rows.push(`${Buffer.from(sp.traceId).toString('hex')} ${Buffer.from(sp.spanId).toString('hex')} ${service} ${sp.name} ${owner}`);
          }
        }
      }
    });
    call.on('error', (err) => {
      client.close();
      reject(err);
    });
    call.on('end', () => {
      client.close();
      resolve(rows.sort());
    });
  });
}

describe(`the archive (--archive.span-storage.type=${STORAGE}): each tenant archives into, and reads back from, its own`, () => {
  const dir = STORAGE === 'embedded' ? tempDir('spoor-tenancy-archive-') : '';
  const database = `spoor_it_archive_${process.pid}`;
  const storage =
    STORAGE === 'embedded'
      ? { type: 'embedded', flags: [`--embedded.directory=${dir}`] }
      : STORAGE === 'clickhouse'
        ? { type: 'clickhouse', flags: [`--clickhouse.database=${database}`] }
        : { type: 'memory', flags: [`--memory.max-traces=${4}`] };
  // Restarted with an allow-list, the tenants are opened at start even when
  // their main store is gone.
  const start = (extra = []) =>
    startSpoor({ storage, flags: ['--multi-tenancy.enabled', `--archive.span-storage.type=${STORAGE}`, ...extra] });
  let spoor;
  after(async () => {
    if (spoor?.alive) await spoor.stop();
  });
  const idOf = (key) => sharedIds(key).traceId;
  const archive = (key, tenant) =>
    fetchJson(`${spoor.baseUrls.query}/api/archive/${idOf(key)}`, { method: 'POST', headers: tenantHeader(tenant) });
  const sendKey = (tenant, key) =>
    sendWithSdk(traceOf(tenant, key), () => new OTLPProtoExporter({ url: `${spoor.baseUrls.otlpHttp}/v1/traces`, headers: tenantHeader(tenant) }));
  // Each tenant's own trace ('archive-<tenant>') and the trace ID both send.
  const keysOf = (tenant) => [`archive-${tenant}`, 'archive-shared'];

  test('each tenant archives its traces; the other tenant cannot read them', async () => {
    spoor = await start();
    for (const tenant of TENANTS) for (const key of keysOf(tenant)) await sendKey(tenant, key);
    for (const tenant of TENANTS) {
      for (const key of keysOf(tenant)) {
        await settled(spoor, `/api/traces/${idOf(key)}`, tenantHeader(tenant), (b) => includesAll(jaegerRows(b.data), expectedRows(tenant, [key])));
        const archived = await archive(key, tenant);
        assert.equal(archived.status, 200, `archive ${key} as ${tenant}: ${archived.text}`);
      }
    }
    // beta never had acme's own trace, in its store or its archive, and
    // archiving it as beta finds nothing to copy.
    assert.equal((await ask(spoor, `/api/traces/${idOf('archive-acme')}`, tenantHeader('beta'))).status, 404);
    assert.equal((await archive('archive-acme', 'beta')).status, 404);
  });

  test('the archives are in each tenant\'s own place', { skip: STORAGE === 'memory' && 'a memory archive has no place to look at' }, async () => {
    if (STORAGE === 'embedded') {
      assert.deepEqual(readdirSync(path.join(dir, 'archive', 'tenants')).sort(), TENANTS);
      return;
    }
    // ClickHouse: the database <database>_archive.<tenant>, holding rows.
    const server = clickhouseServers().split(',')[0];
    const sql = async (q) => (await (await fetch(`http://${server}/`, { method: 'POST', body: q })).text()).trim();
    const names = (await sql(`SELECT name FROM system.databases WHERE startsWith(name, '${database}') ORDER BY name`)).split('\n');
    assert.deepEqual(names, [`${database}_acme`, `${database}_archive.acme`, `${database}_archive.beta`, `${database}_beta`]);
    for (const tenant of TENANTS) {
      assert.ok(Number(await sql(`SELECT count() FROM \`${database}_archive.${tenant}\`.span_index`)) >= 4, `${tenant}'s archive holds its spans`);
    }
  });

  test('once the main store no longer has them, each tenant reads its archived traces (HTTP and gRPC) and only its own', { skip: STORAGE === 'clickhouse' && 'the ClickHouse store cannot be emptied under a running Spoor' }, async () => {
    if (STORAGE === 'memory') {
      // The memory store (4 traces per tenant) evicts them.
      for (const tenant of TENANTS) for (let i = 0; i < 12; i++) await sendKey(tenant, `archive-filler-${i}`);
      for (const tenant of TENANTS) {
        await settled(spoor, `/api/traces/${idOf('archive-filler-11')}`, tenantHeader(tenant), (b) => includesAll(jaegerRows(b.data), expectedRows(tenant, ['archive-filler-11'])));
        const evicted = await fetchJson(`${spoor.baseUrls.query}/api/traces?service=shop&limit=100&lookback=1h`, { headers: tenantHeader(tenant) });
        assert.equal(evicted.status, 200);
        assert.ok(!evicted.body.data.some((t) => keysOf(tenant).map(idOf).includes(t.traceID)), `the main store of ${tenant} still has an archived trace`);
      }
    } else {
      // The embedded store: the tenants' main stores removed while stopped.
      assert.equal(await spoor.stop(), 0);
      rmSync(path.join(dir, 'tenants'), { recursive: true, force: true });
      spoor = await start([`--multi-tenancy.tenants=${TENANTS.join(',')}`]);
    }
    for (const tenant of TENANTS) {
      for (const key of keysOf(tenant)) {
        const route = `/api/traces/${idOf(key)}`;
        const res = await ask(spoor, route, tenantHeader(tenant));
        assertOnlyOwn(res, tenant, route);
        assert.deepEqual(jaegerRows(res.body.data), expectedRows(tenant, [key]));
        const v3 = await ask(spoor, `/api/v3/traces/${idOf(key)}`, tenantHeader(tenant));
        assertOnlyOwn(v3, tenant, `/api/v3${route}`);
        assert.deepEqual(v3Rows(v3.body), expectedRows(tenant, [key]));
        assert.deepEqual(await grpcTraceRows(spoor, idOf(key), tenant), expectedRows(tenant, [key]));
      }
    }
    const other = await ask(spoor, `/api/traces/${idOf('archive-beta')}`, tenantHeader('acme'));
    assert.equal(other.status, 404, "acme reads beta's archived trace");
  });
});
