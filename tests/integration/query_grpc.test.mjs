// Jaeger's api_v3 QueryService over gRPC (jaeger.api_v3.QueryService on the
// query gRPC port, 16685), called with @grpc/grpc-js and the project's own
// proto/jaeger/api_v3/query_service.proto: every method compared field by
// field with the HTTP /api/v3 (and /api/dependencies) answer for the same
// data, a 2,500-span trace streamed in chunks of 1,000 spans, 120 summaries
// in messages of 100; the error codes and messages, which mirror the HTTP
// routes; bearer tokens, multi-tenancy and TLS on that port. The backend
// comes from $SPOOR_STORAGE (see storageFlags).

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { makePki } from '../lib/pki.mjs';
import { SpanKind, StatusCode, request, sendTraces, span } from '../lib/otlp.mjs';
import {
  PROTO_DIR,
  fetchJson,
  nowNs,
  nsToRfc3339,
  randomSpanId,
  randomTraceId,
  searchParams,
  startSpoor,
  tempDir,
  waitFor,
} from '../lib/spoor.mjs';

const MS = 1_000_000n;
const S = 1_000_000_000n;
const { status } = grpc;

let QueryService;
/** A client of jaeger.api_v3.QueryService with `headers` as metadata on every call. */
function queryClient(address, { credentials = grpc.credentials.createInsecure(), headers = {} } = {}) {
  if (!QueryService) {
    const options = { includeDirs: [PROTO_DIR], keepCase: false, longs: String, enums: Number, defaults: true, oneofs: true };
    const definition = protoLoader.loadSync('jaeger/api_v3/query_service.proto', options);
    QueryService = grpc.loadPackageDefinition(definition).jaeger.api_v3.QueryService;
  }
  const client = new QueryService(address, credentials);
  const metadata = () => {
    const m = new grpc.Metadata();
    for (const [k, v] of Object.entries(headers)) m.set(k, v);
    return m;
  };
  const options = () => ({ deadline: Date.now() + 30_000 });
  return {
    unary: (method, req = {}) =>
      new Promise((resolve, reject) => {
        client[method](req, metadata(), options(), (err, res) => (err ? reject(err) : resolve(res)));
      }),
    /** A server-streaming call: resolves with every message once the call ends OK. */
    stream: (method, req) =>
      new Promise((resolve, reject) => {
        const messages = [];
        const call = client[method](req, metadata(), options());
        call.on('data', (m) => messages.push(m));
        call.on('error', reject);
        call.on('end', () => resolve(messages));
      }),
    close: () => client.close(),
  };
}

/** The call fails with gRPC `code` (and `details` when given: a string is matched exactly); returns the error. */
async function assertGrpcError(promise, code, details, what = '') {
  const err = await promise.then(() => null, (e) => e);
  assert.ok(err, `${what}: answered OK, expected ${status[code]}`);
  assert.equal(err.code, code, `${what}: ${status[err.code] ?? err.code} ${err.details ?? err.message}`);
  if (typeof details === 'string') assert.equal(err.details, details, what);
  else if (details) assert.match(err.details, details, what);
  return err;
}

const timestamp = (ns) => ({ seconds: String(ns / S), nanos: Number(ns % S) });

// --- Comparable forms of what gRPC (bytes, Buffers) and HTTP (hex, base64) say.

const hex = (id) => (id instanceof Uint8Array ? Buffer.from(id).toString('hex') : (id ?? '').toLowerCase());

function normValue(v) {
  const type = v?.value ?? Object.keys(v ?? {}).find((k) => k.endsWith('Value'));
  if (!type) return ['empty'];
  const x = v[type];
  if (type === 'intValue') return ['int', String(x)];
  if (type === 'doubleValue') return ['double', Number(x)];
  if (type === 'bytesValue') return ['bytes', Buffer.isBuffer(x) ? x.toString('hex') : Buffer.from(x, 'base64').toString('hex')];
  if (type === 'arrayValue') return ['array', (x.values ?? []).map(normValue)];
  if (type === 'kvlistValue') return ['kvlist', normAttrs(x.values)];
  return [type, x];
}

const normAttrs = (list) => (list ?? []).map((a) => [a.key, normValue(a.value)]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

/** Every span of an OTLP resourceSpans list (gRPC objects or OTLP/JSON) in one comparable form. */
function flatSpans(resourceSpans) {
  const out = [];
  for (const rs of resourceSpans ?? []) {
    const resource = normAttrs(rs.resource?.attributes);
    const service = resource.find(([k]) => k === 'service.name')?.[1][1];
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        out.push({
          traceId: hex(s.traceId), spanId: hex(s.spanId), parentSpanId: hex(s.parentSpanId),
          service, resource, scope: [ss.scope?.name ?? '', ss.scope?.version ?? ''],
          name: s.name, kind: Number(s.kind ?? 0), start: String(s.startTimeUnixNano), end: String(s.endTimeUnixNano),
          attributes: normAttrs(s.attributes),
          events: (s.events ?? []).map((e) => [String(e.timeUnixNano), e.name, normAttrs(e.attributes)]),
          status: { code: Number(s.status?.code ?? 0), message: s.status?.message ?? '' },
        });
      }
    }
  }
  return out;
}

const spanKey = (s) => `${s.traceId}/${s.spanId}`;
const byKey = (key) => (a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
const grpcSpans = (messages) => messages.flatMap((m) => flatSpans(m.resourceSpans)).sort(byKey(spanKey));

/** The gRPC TracesData messages hold the same spans, field by field, as the HTTP OTLP/JSON answer. */
function assertSameSpans(messages, httpRes, what) {
  assert.equal(httpRes.status, 200, `${what}: HTTP ${httpRes.status} ${httpRes.text.slice(0, 300)}`);
  const got = grpcSpans(messages);
  const want = flatSpans(httpRes.body.result.resourceSpans).sort(byKey(spanKey));
  assert.deepEqual(got.map(spanKey), want.map(spanKey), `${what}: the same trace and span IDs`);
  for (let i = 0; i < want.length; i++) assert.deepEqual(got[i], want[i], `${what}: span ${want[i].name} ${want[i].spanId}`);
  return got;
}

/** Each message holds spans of one trace, at most 1,000; a trace takes ceil(spans / 1000) messages. */
function assertChunked(messages, what) {
  const perTrace = new Map();
  for (const m of messages) {
    const spans = flatSpans(m.resourceSpans);
    const traces = new Set(spans.map((s) => s.traceId));
    assert.equal(traces.size, 1, `${what}: a message holds one trace`);
    assert.ok(spans.length >= 1 && spans.length <= 1000, `${what}: ${spans.length} spans in a message`);
    const [id] = traces;
    const t = perTrace.get(id) ?? { messages: 0, spans: 0 };
    perTrace.set(id, { messages: t.messages + 1, spans: t.spans + spans.length });
  }
  for (const [id, t] of perTrace) assert.equal(t.messages, Math.ceil(t.spans / 1000), `${what}: messages of ${id}`);
}

// Proto3 JSON leaves out zero counts; gRPC objects have them all (defaults: true).
const normSummary = (s) => ({
  traceId: s.traceId, rootServiceName: s.rootServiceName ?? '', rootOperationName: s.rootOperationName ?? '',
  minStartTimeUnixNano: String(s.minStartTimeUnixNano), maxEndTimeUnixNano: String(s.maxEndTimeUnixNano),
  spanCount: Number(s.spanCount ?? 0), errorSpanCount: Number(s.errorSpanCount ?? 0), orphanSpanCount: Number(s.orphanSpanCount ?? 0),
  services: (s.services ?? []).map((x) => ({ name: x.name, spanCount: Number(x.spanCount ?? 0), errorSpanCount: Number(x.errorSpanCount ?? 0) })).sort(byKey((x) => x.name)),
});

const normLinks = (links) => links.map((l) => ({ parent: l.parent, child: l.child, callCount: Number(l.callCount) })).sort(byKey((l) => `${l.parent}->${l.child}`));
const normOps = (ops) => ops.map((o) => ({ name: o.name, spanKind: o.spanKind })).sort(byKey((o) => `${o.name}\0${o.spanKind}`));

/**
 * The data set, at base = now - 5 min:
 *   ok      web GET /checkout (server, attributes, event) -> web call api (client)
 *           -> api POST /orders (server) -> api SELECT (client) -> db query (server)   at base
 *   failed  the same without the database, web and api spans with ERROR status         at base+1s
 *   helper  api api.helper (no kind)                                                    at base+2s
 *   big     bulk bulk.run (server) + 2,499 bulk.step (internal; every 500th in db)      at base+3s
 *   many    120 traces of one span, many tick (server)                                  at base+10s
 */
function buildDataSet() {
  const base = nowNs() - 300n * S;
  const ids = { ok: randomTraceId(), failed: randomTraceId(), helper: randomTraceId(), big: randomTraceId() };
  const counts = { ok: 5, failed: 3, helper: 1, big: 2500 };
  const requests = [];
  for (const [key, failed, t0] of [['ok', false, base], ['failed', true, base + S]]) {
    const traceId = ids[key];
    const [root, call, orders, select] = [randomSpanId(), randomSpanId(), randomSpanId(), randomSpanId()];
    const error = failed ? { code: StatusCode.ERROR, message: 'payment declined' } : { code: StatusCode.OK };
    const at = (ms) => t0 + BigInt(ms) * MS;
    requests.push(
      request([
        {
          service: 'web',
          resource: { 'host.name': 'web-1', 'process.pid': 42 },
          scopes: [{ name: 'web-http', version: '1.2.0', spans: [
            span({ traceId, spanId: root, name: 'GET /checkout', kind: SpanKind.SERVER, startNs: at(0), endNs: at(50), status: error,
              attributes: { 'http.method': 'GET', 'http.status_code': failed ? 500 : 200, ratio: 0.25, cached: false, tags: ['a', 'b'] },
              events: [{ timeNs: at(1), name: 'cart.loaded', attributes: { items: 3 } }] }),
            span({ traceId, spanId: call, parentSpanId: root, name: 'call api', kind: SpanKind.CLIENT, startNs: at(2), endNs: at(40) }),
          ] }],
        },
        {
          service: 'api',
          spans: [
            span({ traceId, spanId: orders, parentSpanId: call, name: 'POST /orders', kind: SpanKind.SERVER, startNs: at(3), endNs: at(39),
              attributes: { 'order.id': key }, status: failed ? error : undefined }),
            ...(failed ? [] : [span({ traceId, spanId: select, parentSpanId: orders, name: 'SELECT', kind: SpanKind.CLIENT, startNs: at(5), endNs: at(30) })]),
          ],
        },
        ...(failed ? [] : [{ service: 'db', spans: [span({ traceId, spanId: randomSpanId(), parentSpanId: select, name: 'query', kind: SpanKind.SERVER, startNs: at(6), endNs: at(29) })] }]),
      ]),
    );
  }
  const h0 = base + 2n * S;
  requests.push(request([{ service: 'api', spans: [span({ traceId: ids.helper, spanId: randomSpanId(), name: 'api.helper', kind: SpanKind.UNSPECIFIED, startNs: h0, endNs: h0 + MS })] }]));

  // The big trace in five requests of 500 spans.
  const b0 = base + 3n * S;
  const bigRoot = randomSpanId();
  for (let first = 0; first < 2500; first += 500) {
    const bulk = [];
    const db = [];
    for (let i = first; i < first + 500; i++) {
      if (i === 0) {
        bulk.push(span({ traceId: ids.big, spanId: bigRoot, name: 'bulk.run', kind: SpanKind.SERVER, startNs: b0, endNs: b0 + 5n * S }));
        continue;
      }
      const s = span({ traceId: ids.big, spanId: randomSpanId(), parentSpanId: bigRoot, name: i % 500 === 0 ? 'bulk.write' : 'bulk.step',
        kind: i % 500 === 0 ? SpanKind.SERVER : SpanKind.INTERNAL, startNs: b0 + BigInt(i) * 1000n, endNs: b0 + BigInt(i) * 1000n + 500n, attributes: { step: i } });
      (i % 500 === 0 ? db : bulk).push(s);
    }
    requests.push(request([{ service: 'bulk', spans: bulk }, ...(db.length ? [{ service: 'db', spans: db }] : [])]));
  }

  const many = Array.from({ length: 120 }, () => randomTraceId());
  const m0 = base + 10n * S;
  requests.push(request([{ service: 'many', spans: many.map((traceId, i) =>
    span({ traceId, spanId: randomSpanId(), name: 'tick', kind: SpanKind.SERVER, startNs: m0 + BigInt(i) * MS, endNs: m0 + BigInt(i) * MS + 100n })) }]));
  return { base, ids, counts, requests };
}

/** The number of spans HTTP /api/v3/traces/{id} shows (0 on 404). */
async function storedSpans(queryUrl, traceId, headers = {}) {
  const res = await fetchJson(`${queryUrl}/api/v3/traces/${traceId}`, { headers });
  return res.status === 200 ? flatSpans(res.body.result.resourceSpans).length : 0;
}

// ---------------------------------------------------------------------------

describe('api_v3 QueryService over gRPC equals the HTTP api_v3', () => {
  let spoor;
  let client;
  let data;
  let searchWindow; // [min, max] in ns, on millisecond boundaries (RFC 3339 on HTTP)
  before(async () => {
    spoor = await startSpoor();
    data = buildDataSet();
    searchWindow = [data.base - 3600n * S, data.base + 3600n * S];
    for (const req of data.requests) await sendTraces(spoor.baseUrls.otlpHttp, req);
    for (const [key, count] of Object.entries(data.counts)) {
      await waitFor(async () => (await storedSpans(spoor.baseUrls.query, data.ids[key])) === count, { timeoutMs: 30_000, description: `trace ${key} stored` });
    }
    const manyStored = async () => (await v3('trace-summaries', httpQuery({ service: 'many', depth: 200 }))).body?.summaries?.length === 120;
    await waitFor(manyStored, { timeoutMs: 30_000, description: '120 traces of many stored' });
    client = queryClient(spoor.queryGrpcAddress);
  });
  after(async () => {
    client?.close();
    if (spoor) assert.equal(await spoor.stop(), 0, 'spoor exits 0 on SIGTERM');
  });

  const v3 = (route, params) => fetchJson(`${spoor.baseUrls.query}/api/v3/${route}${params ? `?${searchParams(params)}` : ''}`);
  // One search in both forms: TraceQueryParameters and query.* parameters.
  const grpcQuery = ({ service, operation, attributes, durationMinMs, depth, raw }) => ({
    serviceName: service ?? '',
    operationName: operation ?? '',
    attributes: attributes ?? {},
    startTimeMin: timestamp(searchWindow[0]),
    startTimeMax: timestamp(searchWindow[1]),
    ...(durationMinMs ? { durationMin: { seconds: '0', nanos: durationMinMs * 1e6 } } : {}),
    searchDepth: depth ?? 0,
    rawTraces: raw ?? false,
  });
  const httpQuery = ({ service, operation, attributes, durationMinMs, depth, raw }) => ({
    'query.serviceName': service,
    'query.operationName': operation,
    'query.attributes': attributes && JSON.stringify(attributes),
    'query.startTimeMin': nsToRfc3339(searchWindow[0]),
    'query.startTimeMax': nsToRfc3339(searchWindow[1]),
    'query.durationMin': durationMinMs && `${durationMinMs}ms`,
    'query.searchDepth': depth,
    'query.rawTraces': raw,
  });

  test('GetServices equals /api/v3/services', async () => {
    const res = await v3('services');
    assert.equal(res.status, 200, res.text);
    const got = await client.unary('GetServices', {});
    assert.deepEqual([...got.services].sort(), [...res.body.services].sort());
    assert.deepEqual([...got.services].sort(), ['api', 'bulk', 'db', 'many', 'web']);
  });

  test('GetOperations equals /api/v3/operations, with and without span_kind', async () => {
    for (const service of ['web', 'api', 'db', 'bulk', 'many', 'nobody']) {
      for (const spanKind of ['', 'server', 'client', 'internal', 'producer']) {
        const res = await v3('operations', { service, spanKind: spanKind || undefined });
        assert.equal(res.status, 200, res.text);
        const got = await client.unary('GetOperations', { service, spanKind });
        assert.deepEqual(normOps(got.operations), normOps(res.body.operations), `${service} ${spanKind}`);
      }
    }
    const api = await client.unary('GetOperations', { service: 'api' });
    assert.deepEqual(normOps(api.operations), [
      { name: 'POST /orders', spanKind: 'server' },
      { name: 'SELECT', spanKind: 'client' },
      { name: 'api.helper', spanKind: 'internal' }, // recorded without a kind
    ]);
    const internal = await client.unary('GetOperations', { service: 'api', spanKind: 'internal' });
    assert.deepEqual(normOps(internal.operations), [{ name: 'api.helper', spanKind: 'internal' }]);
  });

  test('GetTrace streams the 2,500-span trace in 3 messages holding the spans of /api/v3/traces/{id}', async () => {
    const messages = await client.stream('GetTrace', { traceId: data.ids.big });
    assert.deepEqual(messages.map((m) => flatSpans(m.resourceSpans).length), [1000, 1000, 500]);
    assertChunked(messages, 'GetTrace big');
    const spans = assertSameSpans(messages, await v3(`traces/${data.ids.big}`), 'GetTrace big');
    assert.equal(new Set(spans.map((s) => s.spanId)).size, 2500, 'no span twice');
    assert.equal(spans.filter((s) => s.service === 'db').length, 4);
  });

  test('GetTrace of small traces, adjusted or raw, with time hints, equals HTTP', async () => {
    for (const key of ['ok', 'failed', 'helper']) {
      const id = data.ids[key];
      const messages = await client.stream('GetTrace', { traceId: id });
      assert.equal(messages.length, 1, key);
      const spans = assertSameSpans(messages, await v3(`traces/${id}`), `GetTrace ${key}`);
      assert.equal(spans.length, data.counts[key]);
      const raw = await client.stream('GetTrace', { traceId: id, rawTraces: true });
      assertSameSpans(raw, await v3(`traces/${id}`, { rawTraces: true }), `GetTrace ${key} raw`);
    }
    const [min, max] = [data.base - 60n * S, data.base + 60n * S];
    const hinted = await client.stream('GetTrace', { traceId: data.ids.ok, startTime: timestamp(min), endTime: timestamp(max) });
    assertSameSpans(hinted, await v3(`traces/${data.ids.ok}`, { startTime: nsToRfc3339(min), endTime: nsToRfc3339(max) }), 'GetTrace with hints');
    // The fields arrived as sent: the error status, typed attributes, the event.
    const root = grpcSpans(await client.stream('GetTrace', { traceId: data.ids.failed })).find((s) => s.name === 'GET /checkout');
    assert.deepEqual(root.status, { code: StatusCode.ERROR, message: 'payment declined' });
    assert.deepEqual(root.attributes.find(([k]) => k === 'http.status_code'), ['http.status_code', ['int', '500']]);
    assert.deepEqual(root.events, [[String(data.base + S + MS), 'cart.loaded', [['items', ['int', '3']]]]]);
    assert.equal(root.kind, SpanKind.SERVER);
  });

  test('FindTraces equals /api/v3/traces for the same queries', async () => {
    const queries = [
      [{ service: 'web' }, ['ok', 'failed']],
      [{ service: 'web', raw: true }, ['ok', 'failed']],
      [{ service: 'web', operation: 'GET /checkout', attributes: { 'http.status_code': '500' } }, ['failed']],
      [{ service: 'api', durationMinMs: 10 }, ['ok', 'failed']],
      [{ service: 'api', operation: 'api.helper' }, ['helper']],
      [{ service: 'bulk' }, ['big']],
      [{ service: 'many', depth: 7 }, null],
    ];
    for (const [q, want] of queries) {
      const what = `FindTraces ${JSON.stringify(q)}`;
      const messages = await client.stream('FindTraces', { query: grpcQuery(q) });
      assertChunked(messages, what);
      const spans = assertSameSpans(messages, await v3('traces', httpQuery(q)), what);
      const traces = new Set(spans.map((s) => s.traceId));
      if (want) assert.deepEqual(traces, new Set(want.map((k) => data.ids[k])), what);
      else assert.equal(traces.size, q.depth, what);
    }
  });

  test('FindTraceSummaries equals /api/v3/trace-summaries, at most 100 summaries a message', async () => {
    const queries = [{ service: 'web' }, { service: 'api' }, { service: 'bulk' }, { service: 'web', attributes: { 'http.status_code': '500' } }, { service: 'many', depth: 200 }];
    for (const q of queries) {
      const what = `FindTraceSummaries ${JSON.stringify(q)}`;
      const res = await v3('trace-summaries', httpQuery(q));
      assert.equal(res.status, 200, `${what}: ${res.text.slice(0, 300)}`);
      const messages = await client.stream('FindTraceSummaries', { query: grpcQuery(q) });
      for (const m of messages) assert.ok(m.summaries.length >= 1 && m.summaries.length <= 100, `${what}: ${m.summaries.length} in a message`);
      const got = messages.flatMap((m) => m.summaries).map(normSummary).sort(byKey((s) => s.traceId));
      const want = res.body.summaries.map(normSummary).sort(byKey((s) => s.traceId));
      assert.ok(want.length > 0, what);
      assert.deepEqual(got, want, what);
    }
    const many = await client.stream('FindTraceSummaries', { query: grpcQuery({ service: 'many', depth: 200 }) });
    assert.deepEqual(many.map((m) => m.summaries.length), [100, 20]);
    const failed = (await client.stream('FindTraceSummaries', { query: grpcQuery({ service: 'web', attributes: { 'http.status_code': '500' } }) }))[0].summaries[0];
    assert.deepEqual(normSummary(failed), {
      traceId: data.ids.failed,
      rootServiceName: 'web',
      rootOperationName: 'GET /checkout',
      minStartTimeUnixNano: String(data.base + S),
      maxEndTimeUnixNano: String(data.base + S + 50n * MS),
      spanCount: 3,
      errorSpanCount: 2,
      orphanSpanCount: 0,
      services: [{ name: 'api', spanCount: 1, errorSpanCount: 1 }, { name: 'web', spanCount: 2, errorSpanCount: 1 }],
    });
  });

  test('GetDependencies equals /api/dependencies', async () => {
    const endMs = Date.now();
    const lookbackMs = 2 * 3_600_000;
    let http;
    await waitFor(async () => {
      http = await fetchJson(`${spoor.baseUrls.query}/api/dependencies?endTs=${endMs}&lookback=${lookbackMs}`);
      const links = normLinks(http.body?.data ?? []);
      return links.some((l) => l.parent === 'web' && l.child === 'api') && links.some((l) => l.parent === 'api' && l.child === 'db');
    }, { timeoutMs: 30_000, description: 'dependency links web -> api -> db' });
    const endNs = BigInt(endMs) * MS;
    const got = await client.unary('GetDependencies', { startTime: timestamp(endNs - BigInt(lookbackMs) * MS), endTime: timestamp(endNs) });
    assert.deepEqual(normLinks(got.dependencies), normLinks(http.body.data));
    const links = normLinks(got.dependencies);
    assert.deepEqual(links.find((l) => l.parent === 'web'), { parent: 'web', child: 'api', callCount: 2 });
    assert.deepEqual(links.find((l) => l.parent === 'api'), { parent: 'api', child: 'db', callCount: 1 });
    // A window without data has no links.
    const old = await client.unary('GetDependencies', { startTime: timestamp(data.base - 7200n * S), endTime: timestamp(data.base - 3600n * S) });
    assert.deepEqual(old.dependencies, []);
  });

  test('errors: the codes and messages of the HTTP routes', async () => {
    const unknown = randomTraceId();
    const noMin = { ...grpcQuery({ service: 'web' }), startTimeMin: null };
    const httpNoMin = { ...httpQuery({ service: 'web' }), 'query.startTimeMin': undefined };
    const cases = [
      ['GetTrace malformed', () => client.stream('GetTrace', { traceId: 'xyz' }), status.INVALID_ARGUMENT, "malformed trace ID 'xyz'", () => v3('traces/xyz')],
      ['GetTrace unknown', () => client.stream('GetTrace', { traceId: unknown }), status.NOT_FOUND, null, () => v3(`traces/${unknown}`)],
      ['FindTraces no match', () => client.stream('FindTraces', { query: grpcQuery({ service: 'nobody' }) }), status.NOT_FOUND, 'no traces found', () => v3('traces', httpQuery({ service: 'nobody' }))],
      ['FindTraces without start_time_min', () => client.stream('FindTraces', { query: noMin }), status.INVALID_ARGUMENT, 'query.start_time_min is required', () => v3('traces', httpNoMin)],
      ['FindTraceSummaries without start_time_min', () => client.stream('FindTraceSummaries', { query: noMin }), status.INVALID_ARGUMENT, 'query.start_time_min is required', () => v3('trace-summaries', httpNoMin)],
      ['FindTraces without start_time_max', () => client.stream('FindTraces', { query: { ...grpcQuery({ service: 'web' }), startTimeMax: null } }), status.INVALID_ARGUMENT, /start_time_max/],
      ['FindTraces without a query', () => client.stream('FindTraces', {}), status.INVALID_ARGUMENT, 'query.start_time_min is required'],
      ['GetOperations without service', () => client.unary('GetOperations', {}), status.INVALID_ARGUMENT, "parameter 'service' is required", () => v3('operations')],
      ['GetOperations unknown span_kind', () => client.unary('GetOperations', { service: 'web', spanKind: 'sideways' }), status.INVALID_ARGUMENT, null, () => v3('operations', { service: 'web', spanKind: 'sideways' })],
      ['GetDependencies without times', () => client.unary('GetDependencies', {}), status.INVALID_ARGUMENT],
      ['GetDependencies without end_time', () => client.unary('GetDependencies', { startTime: timestamp(data.base) }), status.INVALID_ARGUMENT],
      ['GetDependencies without start_time', () => client.unary('GetDependencies', { endTime: timestamp(data.base) }), status.INVALID_ARGUMENT],
    ];
    const codeOfHttp = { 400: status.INVALID_ARGUMENT, 404: status.NOT_FOUND };
    for (const [what, call, code, details, httpCall] of cases) {
      const grpcErr = await assertGrpcError(call(), code, details, what);
      if (!httpCall) continue;
      // The HTTP route answers the same error; where its message names no parameter, the same message.
      const http = await httpCall();
      assert.equal(codeOfHttp[http.status], code, `${what}: HTTP ${http.status} ${http.text.slice(0, 300)}`);
      if (!/start_time/.test(grpcErr.details)) assert.equal(grpcErr.details, http.body?.error?.message, `${what}: the HTTP message`);
    }
    // FindTraceSummaries without a match is OK with no message, as /api/v3/trace-summaries answers [].
    assert.deepEqual(await client.stream('FindTraceSummaries', { query: grpcQuery({ service: 'nobody' }) }), []);
    assert.deepEqual((await v3('trace-summaries', httpQuery({ service: 'nobody' }))).body, { summaries: [] });
  });
});

/** A trace of two spans, shop -> db, each with an `owner` attribute. */
function smallTrace(traceId, { owner = '', prefix = '' } = {}) {
  const t0 = nowNs() - 60n * S;
  const root = randomSpanId();
  const one = (service, spanId, parentSpanId, name, startNs, endNs) =>
    ({ service, spans: [span({ traceId, spanId, parentSpanId, name, kind: SpanKind.SERVER, startNs, endNs, attributes: { owner } })] });
  return request([one('shop', root, undefined, `${prefix}checkout`, t0, t0 + 10n * MS), one('db', randomSpanId(), root, `${prefix}query`, t0 + MS, t0 + 9n * MS)]);
}

const lastHour = () => ({ startTimeMin: timestamp(nowNs() - 3600n * S), startTimeMax: timestamp(nowNs() + 60n * S) });

/** Every method once, about service shop and `traceId`: [name, () => promise]. */
const everyMethod = (c, traceId) => [
  ['GetServices', () => c.unary('GetServices', {})],
  ['GetOperations', () => c.unary('GetOperations', { service: 'shop' })],
  ['GetTrace', () => c.stream('GetTrace', { traceId })],
  ['FindTraces', () => c.stream('FindTraces', { query: { serviceName: 'shop', ...lastHour() } })],
  ['FindTraceSummaries', () => c.stream('FindTraceSummaries', { query: { serviceName: 'shop', ...lastHour() } })],
  ['GetDependencies', () => c.unary('GetDependencies', { startTime: timestamp(nowNs() - 3600n * S), endTime: timestamp(nowNs()) })],
];

/** Runs fn(client) and closes the client. */
async function withClient(spoor, options, fn) {
  const c = queryClient(spoor.queryGrpcAddress, options);
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}

/** Starts spoor with `flags`, sends smallTrace(traceId) (as `tenant`) and waits until it is stored. */
async function startWithTrace(flags, traceId, { tenants = [null], readHeaders = (tenant) => (tenant ? { 'x-tenant': tenant } : {}) } = {}) {
  const spoor = await startSpoor({ flags });
  for (const tenant of tenants) {
    const headers = tenant ? { 'x-tenant': tenant } : {};
    await sendTraces(spoor.baseUrls.otlpHttp, smallTrace(traceId, { owner: tenant ?? '', prefix: tenant ? `${tenant}-` : '' }), { headers });
    await waitFor(async () => (await storedSpans(spoor.baseUrls.query, traceId, readHeaders(tenant))) === 2, { description: `trace of ${tenant} stored` });
  }
  return spoor;
}

function tokensFile(lines) {
  const file = path.join(tempDir('spoor-qgrpc-tokens-'), 'tokens');
  writeFileSync(file, lines);
  return file;
}

describe('query gRPC with --query.auth.bearer-tokens-file', () => {
  let spoor;
  const traceId = randomTraceId();
  before(async () => {
    spoor = await startWithTrace([`--query.auth.bearer-tokens-file=${tokensFile('tok-reader\n')}`], traceId, { readHeaders: () => ({ authorization: 'Bearer tok-reader' }) });
  });
  after(async () => {
    if (spoor) assert.equal(await spoor.stop(), 0);
  });

  test('every method is UNAUTHENTICATED without a valid token and answers with one', async () => {
    for (const headers of [{}, { authorization: 'Bearer tok-wrong' }, { authorization: 'tok-reader' }]) {
      await withClient(spoor, { headers }, async (c) => {
        for (const [method, call] of everyMethod(c, traceId)) await assertGrpcError(call(), status.UNAUTHENTICATED, null, `${method} ${JSON.stringify(headers)}`);
      });
    }
    await withClient(spoor, { headers: { authorization: 'Bearer tok-reader' } }, async (c) => {
      assert.deepEqual([...(await c.unary('GetServices', {})).services].sort(), ['db', 'shop']);
      assert.equal(grpcSpans(await c.stream('GetTrace', { traceId })).length, 2);
      assert.equal(grpcSpans(await c.stream('FindTraces', { query: { serviceName: 'shop', ...lastHour() } })).length, 2);
    });
  });
});

describe('query gRPC with --multi-tenancy.enabled', () => {
  let spoor;
  const traceId = randomTraceId(); // both tenants send it, with services of the same names
  const TENANTS = ['acme', 'beta'];
  before(async () => {
    spoor = await startWithTrace(['--multi-tenancy.enabled'], traceId, { tenants: TENANTS });
  });
  after(async () => {
    if (spoor) assert.equal(await spoor.stop(), 0);
  });

  test('each tenant reads only its own services, operations and traces, as over HTTP', async () => {
    for (const tenant of TENANTS) {
      const headers = { 'x-tenant': tenant };
      const http = (route) => fetchJson(`${spoor.baseUrls.query}/api/v3/${route}`, { headers });
      await withClient(spoor, { headers }, async (c) => {
        const services = [...(await c.unary('GetServices', {})).services].sort();
        assert.deepEqual(services, ['db', 'shop'], tenant);
        assert.deepEqual(services, [...(await http('services')).body.services].sort(), tenant);
        const ops = normOps((await c.unary('GetOperations', { service: 'shop' })).operations);
        assert.deepEqual(ops, [{ name: `${tenant}-checkout`, spanKind: 'server' }], tenant);
        assert.deepEqual(ops, normOps((await http('operations?service=shop')).body.operations), tenant);
        const spans = assertSameSpans(await c.stream('GetTrace', { traceId }), await http(`traces/${traceId}`), `${tenant} GetTrace`);
        assert.deepEqual(spans.map((s) => s.name).sort(), [`${tenant}-checkout`, `${tenant}-query`]);
        for (const s of spans) assert.deepEqual(s.attributes, [['owner', ['stringValue', tenant]]], `${tenant} sees only its own`);
        assert.deepEqual(grpcSpans(await c.stream('FindTraces', { query: { serviceName: 'shop', ...lastHour() } })), spans, `${tenant} FindTraces`);
        const summaries = await c.stream('FindTraceSummaries', { query: { serviceName: 'shop', ...lastHour() } });
        assert.deepEqual(summaries.flatMap((m) => m.summaries).map((x) => x.rootOperationName), [`${tenant}-checkout`]);
      });
    }
  });

  test('without a tenant every method is PERMISSION_DENIED; a tenant without data reads nothing', async () => {
    await withClient(spoor, {}, async (c) => {
      for (const [method, call] of everyMethod(c, traceId)) await assertGrpcError(call(), status.PERMISSION_DENIED, 'missing tenant: send the x-tenant header', method);
    });
    await withClient(spoor, { headers: { 'x-tenant': 'gamma' } }, async (c) => {
      assert.deepEqual((await c.unary('GetServices', {})).services, []);
      await assertGrpcError(c.stream('GetTrace', { traceId }), status.NOT_FOUND, null, 'gamma GetTrace');
    });
  });
});

describe('query gRPC with multi-tenancy: a bearer token names the tenant', () => {
  let spoor;
  const traceId = randomTraceId();
  before(async () => {
    const flags = ['--multi-tenancy.enabled', `--query.auth.bearer-tokens-file=${tokensFile('tok-acme acme\ntok-beta beta\n')}`];
    spoor = await startWithTrace(flags, traceId, { tenants: ['acme'], readHeaders: () => ({ authorization: 'Bearer tok-acme' }) });
  });
  after(async () => {
    if (spoor) assert.equal(await spoor.stop(), 0);
  });

  test("the token alone reads its tenant's data; a header naming another tenant is refused", async () => {
    const bearer = (token, more = {}) => ({ headers: { authorization: `Bearer ${token}`, ...more } });
    await withClient(spoor, bearer('tok-acme'), async (c) => {
      assert.deepEqual([...(await c.unary('GetServices', {})).services].sort(), ['db', 'shop']);
      assert.equal(grpcSpans(await c.stream('GetTrace', { traceId })).length, 2);
    });
    await withClient(spoor, bearer('tok-beta'), async (c) => {
      assert.deepEqual((await c.unary('GetServices', {})).services, []);
      await assertGrpcError(c.stream('GetTrace', { traceId }), status.NOT_FOUND, null, 'beta GetTrace');
    });
    await withClient(spoor, bearer('tok-acme', { 'x-tenant': 'beta' }), async (c) => {
      await assertGrpcError(c.unary('GetServices', {}), status.PERMISSION_DENIED, 'the bearer token is not for the tenant in x-tenant', 'mismatch');
    });
  });
});

describe('query gRPC over TLS (--query.grpc.tls.*)', () => {
  let pki;
  before(() => {
    pki = makePki(tempDir('spoor-qgrpc-tls-'));
  });
  const tlsFlags = (clientCa) => [
    '--query.grpc.tls.enabled',
    `--query.grpc.tls.cert=${pki.file('server.crt')}`,
    `--query.grpc.tls.key=${pki.file('server.key')}`,
    ...(clientCa ? [`--query.grpc.tls.client-ca=${pki.file('ca.crt')}`] : []),
  ];
  /** GetServices with `credentials`: the sorted services, or the error. */
  const services = (spoor, credentials) =>
    withClient(spoor, { credentials }, async (c) => [...(await c.unary('GetServices', {})).services].sort()).catch((err) => err);

  test('a client trusting the CA is answered; a plaintext client or one trusting another CA is not', async () => {
    const spoor = await startWithTrace(tlsFlags(false), randomTraceId());
    try {
      const trusting = await services(spoor, grpc.credentials.createSsl(pki.read('ca.crt')));
      assert.deepEqual(trusting, ['db', 'shop'], `trusting the CA: ${trusting.message}`);
      const plain = await services(spoor, grpc.credentials.createInsecure());
      assert.equal(plain.code, status.UNAVAILABLE, `plaintext: ${plain.message}`);
      const untrusting = await services(spoor, grpc.credentials.createSsl(pki.read('other-ca.crt')));
      assert.equal(untrusting.code, status.UNAVAILABLE, `other CA: ${untrusting.message}`);
    } finally {
      assert.equal(await spoor.stop(), 0);
    }
  });

  test('with a client CA, only a client with a certificate of that CA is answered', async () => {
    const spoor = await startSpoor({ flags: tlsFlags(true) });
    try {
      const ca = pki.read('ca.crt');
      const withCert = (name) => grpc.credentials.createSsl(ca, pki.read(`${name}.key`), pki.read(`${name}.crt`));
      assert.deepEqual(await services(spoor, withCert('client')), []);
      assert.ok((await services(spoor, grpc.credentials.createSsl(ca))) instanceof Error, 'no client certificate');
      assert.ok((await services(spoor, withCert('stranger'))) instanceof Error, 'a certificate of another CA');
    } finally {
      assert.equal(await spoor.stop(), 0);
    }
  });
});

test('--query.grpc-server.host-port=off opens no query gRPC port', async () => {
  // The flag comes after the one startSpoor gives, so it wins.
  const spoor = await startSpoor({ flags: ['--query.grpc-server.host-port=off'] });
  try {
    const err = await withClient(spoor, {}, (c) => c.unary('GetServices', {})).catch((e) => e);
    assert.equal(err.code, status.UNAVAILABLE, `${err.message}`);
    assert.equal((await fetchJson(`${spoor.baseUrls.query}/api/v3/services`)).status, 200, 'the HTTP API still answers');
  } finally {
    assert.equal(await spoor.stop(), 0);
  }
});
