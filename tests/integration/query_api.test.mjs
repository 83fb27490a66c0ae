// The Jaeger query HTTP API (/api/...) and api_v3 (/api/v3/...) against a
// small data set with known answers.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  fetchJson,
  fullTraceId,
  jaegerTraceId,
  nowNs,
  nsToRfc3339,
  nsToUs,
  randomSpanId,
  randomTraceId,
  searchParams,
  searchTraces,
  startSpoor,
  waitFor,
  waitForTrace,
} from '../lib/spoor.mjs';
import { SpanKind, StatusCode, countSpans, request, sendTraces, span } from '../lib/otlp.mjs';

const MS = 1_000_000n;
const S = 1_000_000_000n;

/**
 * Traces (times relative to base = now - 10 min):
 *   A  frontend GET /home (server, 100 ms, GET 200) + render (internal, 5 ms,
 *      cache.hit) + enqueue (producer, 1 ms)                        at base
 *   B  frontend GET /cart (server, 1.5 s, POST 500, ratio 72.5, ERROR,
 *      process tag deployment.environment=staging) -> cart cart.load
 *      (server, 250 µs) + cart.helper (unspecified kind, 100 µs)    at base+1s
 *   C  frontend GET /home (server, 20 ms, GET 404, log event.key)   at base+2s
 *   D  frontend GET /home (server, 3 ms, GET 200)                   at base-2h
 *   dep1, dep2: dep-a -> dep-b -> dep-c (server/client pairs)       at base+3s, +4s
 */
function buildDataSet() {
  const base = nowNs() - 600n * S;
  const ids = {
    A: randomTraceId(),
    B: randomTraceId(),
    C: randomTraceId(),
    D: randomTraceId(),
    dep1: randomTraceId(),
    dep2: randomTraceId(),
  };
  const rootA = randomSpanId();
  const rootB = randomSpanId();
  const requests = [];

  requests.push(
    request([
      {
        service: 'frontend',
        spans: [
          span({
            traceId: ids.A,
            spanId: rootA,
            name: 'GET /home',
            kind: SpanKind.SERVER,
            startNs: base,
            endNs: base + 100n * MS,
            attributes: { 'http.method': 'GET', 'http.status_code': 200, 'http.url': 'http://example.com:8080/home?q=a:b' },
          }),
          span({
            traceId: ids.A,
            spanId: randomSpanId(),
            parentSpanId: rootA,
            name: 'render',
            kind: SpanKind.INTERNAL,
            startNs: base + 10n * MS,
            endNs: base + 15n * MS,
            attributes: { 'cache.hit': true },
          }),
          span({
            traceId: ids.A,
            spanId: randomSpanId(),
            parentSpanId: rootA,
            name: 'enqueue',
            kind: SpanKind.PRODUCER,
            startNs: base + 20n * MS,
            endNs: base + 21n * MS,
          }),
        ],
      },
    ]),
  );

  requests.push(
    request([
      {
        service: 'frontend',
        resource: { 'deployment.environment': 'staging' },
        spans: [
          span({
            traceId: ids.B,
            spanId: rootB,
            name: 'GET /cart',
            kind: SpanKind.SERVER,
            startNs: base + 1n * S,
            endNs: base + 2500n * MS,
            attributes: { 'http.method': 'POST', 'http.status_code': 500, ratio: 72.5 },
            status: { code: StatusCode.ERROR, message: 'boom' },
          }),
        ],
      },
      {
        service: 'cart',
        spans: [
          span({
            traceId: ids.B,
            spanId: randomSpanId(),
            parentSpanId: rootB,
            name: 'cart.load',
            kind: SpanKind.SERVER,
            startNs: base + 1100n * MS,
            endNs: base + 1100n * MS + 250_000n,
            attributes: { 'db.system': 'redis' },
          }),
          span({
            traceId: ids.B,
            spanId: randomSpanId(),
            parentSpanId: rootB,
            name: 'cart.helper',
            kind: SpanKind.UNSPECIFIED,
            startNs: base + 1200n * MS,
            endNs: base + 1200n * MS + 100_000n,
          }),
        ],
      },
    ]),
  );

  requests.push(
    request([
      {
        service: 'frontend',
        spans: [
          span({
            traceId: ids.C,
            spanId: randomSpanId(),
            name: 'GET /home',
            kind: SpanKind.SERVER,
            startNs: base + 2n * S,
            endNs: base + 2n * S + 20n * MS,
            attributes: { 'http.method': 'GET', 'http.status_code': 404 },
            events: [{ name: 'lookup', timeNs: base + 2n * S + 1n * MS, attributes: { 'event.key': 'found-in-log' } }],
          }),
        ],
      },
    ]),
  );

  requests.push(
    request([
      {
        service: 'frontend',
        spans: [
          span({
            traceId: ids.D,
            spanId: randomSpanId(),
            name: 'GET /home',
            kind: SpanKind.SERVER,
            startNs: base - 7200n * S,
            endNs: base - 7200n * S + 3n * MS,
            attributes: { 'http.method': 'GET', 'http.status_code': 200 },
          }),
        ],
      },
    ]),
  );

  for (const [key, offset] of [
    ['dep1', 3n * S],
    ['dep2', 4n * S],
  ]) {
    const traceId = ids[key];
    const t0 = base + offset;
    const aRoot = randomSpanId();
    const aCall = randomSpanId();
    const bHandle = randomSpanId();
    const bCall = randomSpanId();
    const cHandle = randomSpanId();
    const mk = (spanId, parentSpanId, name, kind, startMs, endMs) =>
      span({ traceId, spanId, parentSpanId, name, kind, startNs: t0 + BigInt(startMs) * MS, endNs: t0 + BigInt(endMs) * MS });
    requests.push(
      request([
        {
          service: 'dep-a',
          spans: [mk(aRoot, undefined, 'a-root', SpanKind.SERVER, 0, 50), mk(aCall, aRoot, 'call-b', SpanKind.CLIENT, 5, 45)],
        },
        {
          service: 'dep-b',
          spans: [mk(bHandle, aCall, 'b-handle', SpanKind.SERVER, 6, 44), mk(bCall, bHandle, 'call-c', SpanKind.CLIENT, 10, 40)],
        },
        { service: 'dep-c', spans: [mk(cHandle, bCall, 'c-handle', SpanKind.SERVER, 11, 39)] },
      ]),
    );
  }
  return { base, ids, requests };
}

function assertEnvelope(body, { total = 0 } = {}) {
  assert.ok(body && typeof body === 'object', 'JSON body');
  for (const key of ['data', 'total', 'limit', 'offset', 'errors'])
    assert.ok(key in body, `envelope has ${key}: ${JSON.stringify(body).slice(0, 200)}`);
  assert.equal(body.total, total, 'total');
  assert.equal(body.limit, 0, 'limit');
  assert.equal(body.offset, 0, 'offset');
  assert.equal(body.errors, null, 'errors');
}

function assertBadRequest(res, what) {
  assert.equal(res.status, 400, `${what}: ${res.text}`);
  assert.ok(Array.isArray(res.body?.errors) && res.body.errors.length >= 1, `${what}: errors list: ${res.text}`);
  assert.equal(res.body.errors[0].code, 400, what);
  assert.ok(typeof res.body.errors[0].msg === 'string' && res.body.errors[0].msg.length > 0, `${what}: message`);
}

function assertV3Error(res, status, what) {
  assert.equal(res.status, status, `${what}: ${res.text}`);
  assert.equal(res.body?.error?.httpCode, status, `${what}: ${res.text}`);
  assert.ok(typeof res.body.error.message === 'string' && res.body.error.message.length > 0, `${what}: message`);
}

const byName = (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.spanKind < b.spanKind ? -1 : a.spanKind > b.spanKind ? 1 : 0);

/** Trace IDs (32 hex characters) found in an OTLP/JSON resourceSpans list. */
function otlpTraceIds(resourceSpans) {
  const ids = new Set();
  for (const rs of resourceSpans ?? [])
    for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) ids.add(fullTraceId(s.traceId));
  return ids;
}

describe('query API', () => {
  let spoor;
  let data;
  let q;
  before(async () => {
    spoor = await startSpoor();
    q = spoor.baseUrls.query;
    data = buildDataSet();
    for (const req of data.requests) await sendTraces(spoor.baseUrls.otlpHttp, req);
    // Wait until every span of every trace is readable.
    const expected = new Map();
    for (const req of data.requests) {
      const tid = req.resourceSpans[0].scopeSpans[0].spans[0].traceId;
      expected.set(tid, (expected.get(tid) ?? 0) + countSpans(req));
    }
    for (const [tid, n] of expected) await waitForTrace(q, tid, { minSpans: n });
  });
  after(async () => {
    if (spoor) assert.equal(await spoor.stop(), 0, 'spoor exits 0 on SIGTERM');
  });

  /** Runs a search and returns the trace IDs in answer order. */
  async function search(params) {
    const res = await searchTraces(q, params);
    assert.equal(res.status, 200, `search ${JSON.stringify(params)}: ${res.text}`);
    assertEnvelope(res.body);
    return res.body.data.map((t) => t.traceID);
  }
  const tid = (key) => jaegerTraceId(data.ids[key]);
  const ids = (...keys) => keys.map(tid);

  describe('services and operations', () => {
    test('/api/services lists every service, sorted', async () => {
      const res = await fetchJson(`${q}/api/services`);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.data, ['cart', 'dep-a', 'dep-b', 'dep-c', 'frontend']);
      assertEnvelope(res.body, { total: 5 });
    });

    test('/api/services/{service}/operations lists operations of every kind', async () => {
      const res = await fetchJson(`${q}/api/services/frontend/operations`);
      assert.equal(res.status, 200);
      assert.deepEqual([...res.body.data].sort(), ['GET /cart', 'GET /home', 'enqueue', 'render']);
      assertEnvelope(res.body, { total: 4 });

      const cart = await fetchJson(`${q}/api/services/cart/operations`);
      assert.deepEqual([...cart.body.data].sort(), ['cart.helper', 'cart.load']);

      const unknown = await fetchJson(`${q}/api/services/no-such-service/operations`);
      assert.equal(unknown.status, 200);
      assert.deepEqual(unknown.body.data, []);
    });

    test('/api/operations returns names with span kinds and filters by spanKind', async () => {
      const all = await fetchJson(`${q}/api/operations?service=frontend`);
      assert.equal(all.status, 200, all.text);
      assert.deepEqual([...all.body.data].sort(byName), [
        { name: 'GET /cart', spanKind: 'server' },
        { name: 'GET /home', spanKind: 'server' },
        { name: 'enqueue', spanKind: 'producer' },
        { name: 'render', spanKind: 'internal' },
      ]);
      assertEnvelope(all.body, { total: 4 });

      const server = await fetchJson(`${q}/api/operations?service=frontend&spanKind=server`);
      assert.deepEqual([...server.body.data].sort(byName), [
        { name: 'GET /cart', spanKind: 'server' },
        { name: 'GET /home', spanKind: 'server' },
      ]);
      const internal = await fetchJson(`${q}/api/operations?service=frontend&spanKind=internal`);
      assert.deepEqual(internal.body.data, [{ name: 'render', spanKind: 'internal' }]);
      const client = await fetchJson(`${q}/api/operations?service=frontend&spanKind=client`);
      assert.deepEqual(client.body.data, []);

      const cart = await fetchJson(`${q}/api/operations?service=cart`);
      assert.deepEqual([...cart.body.data].sort(byName), [
        { name: 'cart.helper', spanKind: '' },
        { name: 'cart.load', spanKind: 'server' },
      ]);
    });

    test('/api/operations without service is a 400', async () => {
      assertBadRequest(await fetchJson(`${q}/api/operations`), 'no service');
      assertBadRequest(await fetchJson(`${q}/api/operations?spanKind=server`), 'spanKind only');
    });
  });

  describe('trace search', () => {
    test('by service returns whole traces, most recent first', async () => {
      const res = await searchTraces(q, { service: 'frontend' });
      assert.equal(res.status, 200, res.text);
      assertEnvelope(res.body);
      assert.deepEqual(
        res.body.data.map((t) => t.traceID),
        ids('C', 'B', 'A', 'D'),
      );
      const b = res.body.data.find((t) => t.traceID === tid('B'));
      assert.equal(b.spans.length, 3, 'every span of the trace, other services included');
      const services = new Set(b.spans.map((s) => b.processes[s.processID].serviceName));
      assert.deepEqual([...services].sort(), ['cart', 'frontend']);

      assert.deepEqual(await search({ service: 'cart' }), ids('B'));
      assert.deepEqual(await search({ service: 'no-such-service' }), []);
    });

    test('by operation', async () => {
      assert.deepEqual(await search({ service: 'frontend', operation: 'GET /home' }), ids('C', 'A', 'D'));
      assert.deepEqual(await search({ service: 'frontend', operation: 'render' }), ids('A'));
      assert.deepEqual(await search({ service: 'frontend', operation: 'cart.load' }), [], 'operation of another service');
      assert.deepEqual(await search({ service: 'frontend', operation: 'nope' }), []);
    });

    test('by tags as JSON and as repeated tag=k:v', async () => {
      assert.deepEqual(await search({ service: 'frontend', tags: JSON.stringify({ 'http.status_code': '500' }) }), ids('B'));
      assert.deepEqual(await search({ service: 'frontend', tag: 'http.method:GET' }), ids('C', 'A', 'D'));
      assert.deepEqual(await search({ service: 'frontend', tag: ['http.method:GET', 'http.status_code:404'] }), ids('C'));
      assert.deepEqual(
        await search({ service: 'frontend', tags: JSON.stringify({ 'http.method': 'GET', 'http.status_code': '200' }) }),
        ids('A', 'D'),
      );
      assert.deepEqual(await search({ service: 'frontend', tags: JSON.stringify({ 'http.method': 'DELETE' }) }), []);
      // Only the first colon separates key and value.
      assert.deepEqual(await search({ service: 'frontend', tag: 'http.url:http://example.com:8080/home?q=a:b' }), ids('A'));
      assert.deepEqual(
        await search({ service: 'frontend', tags: JSON.stringify({ 'http.url': 'http://example.com:8080/home?q=a:b' }) }),
        ids('A'),
      );
    });

    test('tags compare as strings across value types', async () => {
      assert.deepEqual(await search({ service: 'frontend', tags: JSON.stringify({ ratio: '72.5' }) }), ids('B'), 'double');
      assert.deepEqual(await search({ service: 'frontend', tags: JSON.stringify({ 'cache.hit': 'true' }) }), ids('A'), 'bool');
      assert.deepEqual(await search({ service: 'frontend', tag: 'http.status_code:404' }), ids('C'), 'int');
      assert.deepEqual(await search({ service: 'frontend', tags: JSON.stringify({ error: 'true' }) }), ids('B'), 'error tag');
    });

    test('tags match log fields and process tags', async () => {
      assert.deepEqual(await search({ service: 'frontend', tags: JSON.stringify({ 'event.key': 'found-in-log' }) }), ids('C'));
      assert.deepEqual(await search({ service: 'frontend', tags: JSON.stringify({ 'deployment.environment': 'staging' }) }), ids('B'));
      assert.deepEqual(
        await search({ service: 'frontend', tags: JSON.stringify({ 'deployment.environment': 'staging', 'http.method': 'POST' }) }),
        ids('B'),
        'process tag and span tag of the same span',
      );
    });

    test('every condition must hold on one span', async () => {
      assert.deepEqual(
        await search({ service: 'frontend', tags: JSON.stringify({ 'http.method': 'GET', 'cache.hit': 'true' }) }),
        [],
        'tags on different spans of trace A',
      );
      assert.deepEqual(
        await search({ service: 'frontend', operation: 'render', minDuration: '50ms' }),
        [],
        'operation and duration on different spans',
      );
      assert.deepEqual(
        await search({ service: 'frontend', tags: JSON.stringify({ 'db.system': 'redis' }) }),
        [],
        'tag on a span of another service',
      );
    });

    test('by duration with Go duration strings', async () => {
      assert.deepEqual(await search({ service: 'frontend', minDuration: '1s' }), ids('B'));
      assert.deepEqual(await search({ service: 'frontend', minDuration: '1.2s' }), ids('B'));
      assert.deepEqual(await search({ service: 'frontend', minDuration: '2s' }), []);
      assert.deepEqual(await search({ service: 'frontend', maxDuration: '50ms' }), ids('C', 'A', 'D'));
      assert.deepEqual(await search({ service: 'frontend', minDuration: '10ms', maxDuration: '30ms' }), ids('C'));
      assert.deepEqual(await search({ service: 'cart', minDuration: '200us', maxDuration: '300us' }), ids('B'));
      assert.deepEqual(await search({ service: 'cart', minDuration: '200µs', maxDuration: '300µs' }), ids('B'));
      assert.deepEqual(await search({ service: 'cart', minDuration: '300us' }), []);
      assert.deepEqual(await search({ service: 'frontend', minDuration: '1m' }), []);
      assert.deepEqual(await search({ service: 'frontend', minDuration: '1m0.5s', maxDuration: '2h' }), []);
      assert.deepEqual(await search({ service: 'frontend', minDuration: '0.5s', maxDuration: '1h' }), ids('B'));
    });

    test('duration and time bounds are inclusive', async () => {
      // C's root lasts exactly 20 ms and starts exactly at base + 2 s.
      assert.deepEqual(await search({ service: 'frontend', minDuration: '20ms', maxDuration: '20ms' }), ids('C'));
      assert.deepEqual(await search({ service: 'frontend', minDuration: '20000us', maxDuration: '20000000ns' }), ids('C'));
      const cStartUs = nsToUs(data.base + 2n * S);
      assert.deepEqual(await search({ service: 'frontend', start: cStartUs, end: cStartUs }), ids('C'));
      assert.deepEqual(await search({ service: 'frontend', start: cStartUs + 1, end: nsToUs(nowNs()) }), []);
    });

    test('limit keeps the most recent traces', async () => {
      assert.deepEqual(await search({ service: 'frontend', limit: 1 }), ids('C'));
      assert.deepEqual(await search({ service: 'frontend', limit: 2 }), ids('C', 'B'));
      assert.deepEqual(await search({ service: 'frontend', limit: 20 }), ids('C', 'B', 'A', 'D'));
    });

    test('by start and end in microseconds', async () => {
      const { base } = data;
      assert.deepEqual(await search({ service: 'frontend', start: nsToUs(base - 10_800n * S), end: nsToUs(base - 3600n * S) }), ids('D'));
      assert.deepEqual(await search({ service: 'frontend', start: nsToUs(base + 1500n * MS), end: nsToUs(nowNs()) }), ids('C'));
      assert.deepEqual(
        await search({ service: 'frontend', start: nsToUs(base - 10_800n * S), end: nsToUs(base + 500n * MS) }),
        ids('A', 'D'),
      );
      assert.deepEqual(await search({ service: 'frontend', start: nsToUs(base - 3600n * S) }), ids('C', 'B', 'A'), 'start only');
      // The UI also sends lookback; it is ignored.
      assert.deepEqual(
        await search({ service: 'frontend', start: nsToUs(base - 3600n * S), end: nsToUs(nowNs()), lookback: '1h', limit: 20 }),
        ids('C', 'B', 'A'),
      );
    });

    test('traceID= fetches traces and reports missing ones in errors', async () => {
      const missing = randomTraceId();
      const res = await searchTraces(q, { traceID: [data.ids.A, missing] });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(
        res.body.data.map((t) => t.traceID),
        ids('A'),
      );
      assert.equal(res.body.data[0].spans.length, 3);
      assert.ok(Array.isArray(res.body.errors), `errors: ${res.text}`);
      assert.equal(res.body.errors.length, 1);
      assert.equal(fullTraceId(res.body.errors[0].traceID), fullTraceId(missing));
      assert.ok(res.body.errors[0].msg.length > 0);

      const both = await searchTraces(q, { traceID: [data.ids.A, data.ids.C] });
      assert.deepEqual(new Set(both.body.data.map((t) => t.traceID)), new Set(ids('A', 'C')));
      assert.equal(both.body.errors, null);
    });

    test('bad parameters are a 400 with a message', async () => {
      assertBadRequest(await searchTraces(q, {}), 'missing service');
      assertBadRequest(await searchTraces(q, { service: 'frontend', start: 'yesterday' }), 'bad start');
      assertBadRequest(await searchTraces(q, { service: 'frontend', end: '12abc' }), 'bad end');
      assertBadRequest(await searchTraces(q, { service: 'frontend', minDuration: 'abc' }), 'bad minDuration');
      assertBadRequest(await searchTraces(q, { service: 'frontend', maxDuration: '10' }), 'duration without unit');
      assertBadRequest(await searchTraces(q, { service: 'frontend', minDuration: '2ms', maxDuration: '1ms' }), 'maxDuration < minDuration');
      assertBadRequest(await searchTraces(q, { service: 'frontend', limit: 'many' }), 'bad limit');
      assertBadRequest(await searchTraces(q, { service: 'frontend', tags: '{not json' }), 'bad tags JSON');
      assertBadRequest(await searchTraces(q, { service: 'frontend', tag: 'no-colon' }), 'bad tag=');
      assertBadRequest(await searchTraces(q, { traceID: 'xyz' }), 'bad traceID');
    });
  });

  describe('dependencies', () => {
    test('/api/dependencies counts calls between services', async () => {
      const endTs = Date.now();
      const want = [
        { parent: 'dep-a', child: 'dep-b', callCount: 2 },
        { parent: 'dep-b', child: 'dep-c', callCount: 2 },
        { parent: 'frontend', child: 'cart', callCount: 2 },
      ];
      const key = (l) => `${l.parent}->${l.child}`;
      let last;
      await waitFor(
        async () => {
          const res = await fetchJson(`${q}/api/dependencies?endTs=${endTs}&lookback=3600000`);
          last = res;
          if (res.status !== 200) return false;
          const got = [...res.body.data].sort((a, b) => (key(a) < key(b) ? -1 : 1));
          return JSON.stringify(got) === JSON.stringify(want);
        },
        { description: 'dependency links' },
      ).catch((err) => {
        err.message += `; last answer ${last?.status}: ${last?.text}`;
        throw err;
      });
      assertEnvelope(last.body);

      const beforeData = Number(data.base / 1_000_000n) - 3 * 3_600_000;
      const before = await fetchJson(`${q}/api/dependencies?endTs=${beforeData}&lookback=3600000`);
      assert.equal(before.status, 200);
      assert.deepEqual(before.body.data, [], 'no links in a window without traces');
    });
  });

  describe('trace by ID', () => {
    test('start and end hints do not hide the trace', async () => {
      const { base } = data;
      const res = await fetchJson(`${q}/api/traces/${data.ids.A}?start=${nsToUs(base - 60n * S)}&end=${nsToUs(base + 60n * S)}`);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.data[0].spans.length, 3);
    });
  });

  describe('other /api routes', () => {
    test('POST /api/transform turns OTLP/JSON into Jaeger traces without storing them', async () => {
      const traceId = randomTraceId();
      const rootId = randomSpanId();
      const childId = randomSpanId();
      const start = nowNs() - 5n * S;
      const body = request([
        {
          service: 'uploaded',
          resource: { 'host.name': 'laptop' },
          spans: [
            span({ traceId, spanId: rootId, name: 'upload-root', kind: SpanKind.SERVER, startNs: start, endNs: start + 4n * MS }),
            span({
              traceId,
              spanId: childId,
              parentSpanId: rootId,
              name: 'upload-child',
              kind: SpanKind.CLIENT,
              startNs: start + 1n * MS,
              endNs: start + 3n * MS,
              attributes: { n: 1 },
            }),
          ],
        },
      ]);
      const res = await fetchJson(`${q}/api/transform`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.data.length, 1);
      const t = res.body.data[0];
      assert.equal(t.traceID, traceId);
      assert.deepEqual(t.spans.map((x) => x.spanID).sort(), [rootId, childId].sort());
      const child = t.spans.find((x) => x.spanID === childId);
      assert.equal(child.operationName, 'upload-child');
      assert.equal(child.startTime, nsToUs(start + 1n * MS));
      assert.equal(child.duration, 2000);
      assert.deepEqual(child.references, [{ refType: 'CHILD_OF', traceID: traceId, spanID: rootId }]);
      assert.deepEqual(
        child.tags.find((k) => k.key === 'n'),
        { key: 'n', type: 'int64', value: 1 },
      );
      assert.equal(t.processes[child.processID].serviceName, 'uploaded');

      const stored = await fetchJson(`${q}/api/traces/${traceId}`);
      assert.equal(stored.status, 404, 'transform does not store');
    });

    test('POST /api/archive/{traceID} without an archive store answers 501', async () => {
      const res = await fetchJson(`${q}/api/archive/${data.ids.A}`, { method: 'POST' });
      assert.equal(res.status, 501, res.text);
      assert.equal(res.body.errors[0].msg, 'no archive storage is configured (--archive.span-storage.type)');
    });

    test('/api/metrics/* answers a MetricFamily or 501 when not configured', async () => {
      const endTs = Date.now();
      const routes = {
        latencies: { name: 'service_latencies', extra: '&quantile=0.95' },
        calls: { name: 'service_call_rate', extra: '' },
        errors: { name: 'service_error_rate', extra: '' },
      };
      for (const [route, { name, extra }] of Object.entries(routes)) {
        const res = await fetchJson(
          `${q}/api/metrics/${route}?service=frontend&endTs=${endTs}&lookback=3600000&step=60000&ratePer=600000${extra}`,
        );
        if (res.status === 501) {
          assert.equal(res.body?.errors?.[0]?.code, 501, `${route}: ${res.text}`);
          assert.ok(res.body.errors[0].msg.length > 0);
        } else {
          // Jaeger answers a MetricFamily as is, without the envelope.
          assert.equal(res.status, 200, `${route}: ${res.text}`);
          assert.equal(res.body.name, name, route);
          assert.ok(Array.isArray(res.body.metrics), route);
        }
      }
    });

    test('an unknown /api route is a 404 with the envelope', async () => {
      const res = await fetchJson(`${q}/api/no-such-route`);
      assert.equal(res.status, 404, res.text);
      assert.equal(res.body?.errors?.[0]?.code, 404, res.text);
    });
  });

  describe('api_v3', () => {
    const window = () => ({
      'query.startTimeMin': nsToRfc3339(data.base - 3600n * S),
      'query.startTimeMax': nsToRfc3339(nowNs() + 60n * S),
    });
    const v3 = (route, params) => fetchJson(`${q}/api/v3/${route}?${searchParams(params)}`);

    test('/api/v3/services and /api/v3/operations', async () => {
      const services = await fetchJson(`${q}/api/v3/services`);
      assert.equal(services.status, 200, services.text);
      assert.deepEqual([...services.body.services].sort(), ['cart', 'dep-a', 'dep-b', 'dep-c', 'frontend']);
      assert.ok(!('data' in services.body), 'api_v3 answers without the /api envelope');

      const ops = await v3('operations', { service: 'frontend' });
      assert.equal(ops.status, 200, ops.text);
      assert.deepEqual([...ops.body.operations].sort(byName), [
        { name: 'GET /cart', spanKind: 'server' },
        { name: 'GET /home', spanKind: 'server' },
        { name: 'enqueue', spanKind: 'producer' },
        { name: 'render', spanKind: 'internal' },
      ]);
      const server = await v3('operations', { service: 'frontend', spanKind: 'server' });
      assert.deepEqual(server.body.operations.map((o) => o.name).sort(), ['GET /cart', 'GET /home']);
      const cart = await v3('operations', { service: 'cart' });
      const helper = cart.body.operations.find((o) => o.name === 'cart.helper');
      // Recorded without a kind: reported as internal, as Jaeger's api_v3
      // does (/api/operations keeps it empty).
      assert.deepEqual(helper, { name: 'cart.helper', spanKind: 'internal' });
      const internal = await v3('operations', { service: 'cart', spanKind: 'internal' });
      assert.ok(internal.body.operations.some((o) => o.name === 'cart.helper'), internal.text);
    });

    test('/api/v3/traces searches with query.* parameters', async () => {
      const all = await v3('traces', { 'query.serviceName': 'frontend', ...window() });
      assert.equal(all.status, 200, all.text);
      assert.deepEqual(otlpTraceIds(all.body.result.resourceSpans), new Set([data.ids.A, data.ids.B, data.ids.C]));
      const spansOfB = all.body.result.resourceSpans
        .flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans))
        .filter((s) => s.traceId === data.ids.B);
      assert.equal(spansOfB.length, 3, 'whole traces');

      const byOp = await v3('traces', { 'query.serviceName': 'frontend', 'query.operationName': 'GET /home', ...window() });
      assert.deepEqual(otlpTraceIds(byOp.body.result.resourceSpans), new Set([data.ids.A, data.ids.C]));

      const byAttr = await v3('traces', {
        'query.serviceName': 'frontend',
        'query.attributes': JSON.stringify({ 'http.status_code': '500' }),
        ...window(),
      });
      assert.deepEqual(otlpTraceIds(byAttr.body.result.resourceSpans), new Set([data.ids.B]));

      const byDuration = await v3('traces', { 'query.serviceName': 'frontend', 'query.durationMin': '1s', ...window() });
      assert.deepEqual(otlpTraceIds(byDuration.body.result.resourceSpans), new Set([data.ids.B]));

      const bounded = await v3('traces', {
        'query.serviceName': 'frontend',
        'query.durationMin': '10ms',
        'query.durationMax': '30ms',
        ...window(),
      });
      assert.deepEqual(otlpTraceIds(bounded.body.result.resourceSpans), new Set([data.ids.C]));

      const depth = await v3('traces', { 'query.serviceName': 'frontend', 'query.searchDepth': 1, ...window() });
      assert.equal(otlpTraceIds(depth.body.result.resourceSpans).size, 1);

      const old = await v3('traces', {
        'query.serviceName': 'frontend',
        'query.startTimeMin': nsToRfc3339(data.base - 3n * 3600n * S),
        'query.startTimeMax': nsToRfc3339(data.base - 3600n * S),
      });
      assert.deepEqual(otlpTraceIds(old.body.result.resourceSpans), new Set([data.ids.D]));
    });

    test('/api/v3/traces answers 404 when nothing matches and 400 on bad input', async () => {
      assertV3Error(await v3('traces', { 'query.serviceName': 'no-such-service', ...window() }), 404, 'no match');
      assertV3Error(
        await v3('traces', { 'query.serviceName': 'frontend', 'query.startTimeMax': window()['query.startTimeMax'] }),
        400,
        'no startTimeMin',
      );
      assertV3Error(
        await v3('traces', { 'query.serviceName': 'frontend', 'query.startTimeMin': window()['query.startTimeMin'] }),
        400,
        'no startTimeMax',
      );
      assertV3Error(
        await v3('traces', { 'query.serviceName': 'frontend', ...window(), 'query.startTimeMin': 'yesterday' }),
        400,
        'bad RFC 3339',
      );
      assertV3Error(await v3('traces', { 'query.serviceName': 'frontend', ...window(), 'query.durationMin': 'long' }), 400, 'bad duration');
      assertV3Error(
        await v3('traces', { 'query.serviceName': 'frontend', ...window(), 'query.attributes': '{bad' }),
        400,
        'bad attributes',
      );
    });

    test('/api/v3/trace-summaries summarises each matching trace', async () => {
      const res = await v3('trace-summaries', { 'query.serviceName': 'frontend', 'query.searchDepth': 20, ...window() });
      assert.equal(res.status, 200, res.text);
      const summaries = res.body.summaries;
      assert.deepEqual(new Set(summaries.map((s) => s.traceId)), new Set([data.ids.A, data.ids.B, data.ids.C]));
      for (const s of summaries) assert.match(s.traceId, /^[0-9a-f]{32}$/);

      const b = summaries.find((s) => s.traceId === data.ids.B);
      assert.equal(b.rootServiceName, 'frontend');
      assert.equal(b.rootOperationName, 'GET /cart');
      assert.equal(Number(b.spanCount), 3);
      assert.equal(Number(b.errorSpanCount), 1);
      assert.equal(Number(b.orphanSpanCount ?? 0), 0);
      assert.equal(b.minStartTimeUnixNano, String(data.base + 1n * S));
      assert.equal(b.maxEndTimeUnixNano, String(data.base + 2500n * MS));
      const services = [...b.services]
        .map((s) => ({ name: s.name, spanCount: Number(s.spanCount), errorSpanCount: Number(s.errorSpanCount ?? 0) }))
        .sort(byName);
      assert.deepEqual(services, [
        { name: 'cart', spanCount: 2, errorSpanCount: 0 },
        { name: 'frontend', spanCount: 1, errorSpanCount: 1 },
      ]);

      const a = summaries.find((s) => s.traceId === data.ids.A);
      assert.equal(a.rootOperationName, 'GET /home');
      assert.equal(Number(a.spanCount), 3);
      assert.equal(Number(a.errorSpanCount ?? 0), 0);

      const filtered = await v3('trace-summaries', {
        'query.serviceName': 'frontend',
        'query.operationName': 'GET /home',
        'query.attributes': JSON.stringify({ 'http.status_code': '404' }),
        ...window(),
      });
      assert.equal(filtered.status, 200, filtered.text);
      assert.deepEqual(
        filtered.body.summaries.map((s) => s.traceId),
        [data.ids.C],
      );
    });
  });
});

describe('query API under --query.base-path=/jaeger', () => {
  let spoor;
  let traceId;
  before(async () => {
    spoor = await startSpoor({ flags: ['--query.base-path=/jaeger'] });
    traceId = randomTraceId();
    const start = nowNs() - 10n * S;
    await sendTraces(
      spoor.baseUrls.otlpHttp,
      request([
        {
          service: 'prefixed',
          spans: [span({ traceId, spanId: randomSpanId(), name: 'op', kind: SpanKind.SERVER, startNs: start, endNs: start + 1n * MS })],
        },
      ]),
    );
  });
  after(async () => {
    if (spoor) assert.equal(await spoor.stop(), 0, 'spoor exits 0 on SIGTERM');
  });

  test('every route moves under the base path', async () => {
    const q = spoor.baseUrls.query;
    await waitForTrace(`${q}/jaeger`, traceId);
    const services = await fetchJson(`${q}/jaeger/api/services`);
    assert.equal(services.status, 200, services.text);
    assert.deepEqual(services.body.data, ['prefixed']);
    const search = await searchTraces(`${q}/jaeger`, { service: 'prefixed' });
    assert.deepEqual(
      search.body.data.map((t) => t.traceID),
      [traceId],
    );
    const v3 = await fetchJson(`${q}/jaeger/api/v3/services`);
    assert.equal(v3.status, 200, v3.text);
    assert.deepEqual(v3.body.services, ['prefixed']);
    const v3trace = await fetchJson(`${q}/jaeger/api/v3/traces/${traceId}`);
    assert.equal(v3trace.status, 200, v3trace.text);

    const outside = await fetchJson(`${q}/api/services`);
    assert.equal(outside.status, 404, 'routes are not served outside the base path');
  });

  test('the UI page is served under the base path', async () => {
    const res = await fetch(`${spoor.baseUrls.query}/jaeger/`, { signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.match(text, /<html/i);
  });
});

describe('query API on a fresh store', () => {
  let spoor;
  before(async () => {
    spoor = await startSpoor();
  });
  after(async () => {
    if (spoor) assert.equal(await spoor.stop(), 0);
  });

  test('GET / answers 200 with an HTML page', async () => {
    const res = await fetch(`${spoor.baseUrls.query}/`, { signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.match(text, /<html/i);
  });

  test('/api/services of an empty store is an empty list, not null', async () => {
    const res = await fetchJson(`${spoor.baseUrls.query}/api/services`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.data, []);
    assert.equal(res.body.total, 0);
  });

  test('search returns at most 100 traces unless limit says otherwise', async () => {
    const start = nowNs() - 100n * S;
    const spans = [];
    for (let i = 0; i < 105; i++) {
      const at = start + BigInt(i) * MS;
      spans.push(
        span({ traceId: randomTraceId(), spanId: randomSpanId(), name: 'many-op', kind: SpanKind.SERVER, startNs: at, endNs: at + 1000n }),
      );
    }
    await sendTraces(spoor.baseUrls.otlpHttp, request([{ service: 'many', spans }]));
    const q = spoor.baseUrls.query;
    const all = await waitFor(
      async () => {
        const res = await searchTraces(q, { service: 'many', limit: 1000 });
        return res.body?.data?.length === 105 ? res : null;
      },
      { description: '105 traces searchable' },
    );
    // Most recent first: the last span written starts last.
    assert.equal(all.body.data[0].spans[0].spanID, spans[104].spanId);
    const byDefault = await searchTraces(q, { service: 'many' });
    assert.equal(byDefault.status, 200);
    assert.equal(byDefault.body.data.length, 100);
    const limited = await searchTraces(q, { service: 'many', limit: 20 });
    assert.equal(limited.body.data.length, 20);
    assert.deepEqual(
      limited.body.data.map((t) => t.spans[0].spanID),
      spans
        .slice(85)
        .reverse()
        .map((x) => x.spanId),
      'the 20 most recent, newest first',
    );
  });

  test('an exact duplicate span is shown once', async () => {
    const traceId = randomTraceId();
    const spanId = randomSpanId();
    const start = nowNs() - 30n * S;
    const req = request([
      { service: 'dupes', spans: [span({ traceId, spanId, name: 'same', kind: SpanKind.SERVER, startNs: start, endNs: start + 1n * MS })] },
    ]);
    await sendTraces(spoor.baseUrls.otlpHttp, req);
    await sendTraces(spoor.baseUrls.otlpHttp, req);
    // Both writes are acknowledged; wait until the second has been processed
    // too (a marker span sent after it is visible), then read.
    const markerId = randomSpanId();
    await sendTraces(
      spoor.baseUrls.otlpHttp,
      request([{ service: 'dupes', spans: [span({ traceId, spanId: markerId, name: 'marker', startNs: start, endNs: start + 1n * MS })] }]),
    );
    const trace = await waitForTrace(spoor.baseUrls.query, traceId, { minSpans: 2 });
    assert.deepEqual(trace.spans.map((s) => s.spanID).sort(), [spanId, markerId].sort());
  });

  test('raw=true skips the adjusters: client and server sharing a span ID', async () => {
    // Zipkin-style shared span: the server side reuses the client's span ID.
    const traceId = randomTraceId();
    const rootId = randomSpanId();
    const sharedId = randomSpanId();
    const start = nowNs() - 20n * S;
    await sendTraces(
      spoor.baseUrls.otlpHttp,
      request([
        {
          service: 'shared-client',
          spans: [
            span({ traceId, spanId: rootId, name: 'root', kind: SpanKind.SERVER, startNs: start, endNs: start + 10n * MS }),
            span({
              traceId,
              spanId: sharedId,
              parentSpanId: rootId,
              name: 'call',
              kind: SpanKind.CLIENT,
              startNs: start + 1n * MS,
              endNs: start + 9n * MS,
            }),
          ],
        },
        {
          service: 'shared-server',
          spans: [
            span({
              traceId,
              spanId: sharedId,
              parentSpanId: rootId,
              name: 'handle',
              kind: SpanKind.SERVER,
              startNs: start + 2n * MS,
              endNs: start + 8n * MS,
            }),
          ],
        },
      ]),
    );
    const raw = await waitForTrace(spoor.baseUrls.query, traceId, { minSpans: 3, params: { raw: 'true' } });
    assert.deepEqual(raw.spans.map((s) => s.spanID).sort(), [rootId, sharedId, sharedId].sort(), 'raw: stored span IDs');

    const adjusted = await waitForTrace(spoor.baseUrls.query, traceId, { minSpans: 3 });
    const server = adjusted.spans.find((s) => s.operationName === 'handle');
    const client = adjusted.spans.find((s) => s.operationName === 'call');
    assert.equal(client.spanID, sharedId, 'the client keeps its span ID');
    assert.notEqual(server.spanID, sharedId, 'the server side gets a span ID of its own');
    assert.equal(new Set(adjusted.spans.map((s) => s.spanID)).size, 3);
    assert.equal(server.references[0].refType, 'CHILD_OF');
    assert.equal(server.references[0].spanID, sharedId, 'the server side becomes a child of the client side');
  });
});
