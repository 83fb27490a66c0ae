// The query language (docs/query-language.md) over HTTP, as query.filter on
// /api/v3/traces and /api/v3/trace-summaries: a fixed data set sent with
// OTLP, then a table of queries, each with the traces it must return
// (operators, typed attributes, trace-level fields, structure, sets,
// counts, precedence, negative cases), then bad queries answered 400 with
// the position. The backend comes from $SPOOR_STORAGE (see storageFlags);
// CMake runs it on memory, embedded and ClickHouse.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SpanKind, StatusCode, request, sendTraces, span } from '../lib/otlp.mjs';
import { fetchJson, nowNs, nsToRfc3339, randomSpanId, randomTraceId, searchParams, startSpoor, waitFor } from '../lib/spoor.mjs';

const MS = 1_000_000n;
const S = 1_000_000_000n;
const RUN = randomSpanId().slice(0, 6); // services of this run only

/**
 * The data set: each trace by name, as [service, name, parent (an index or
 * null; 'missing' for a parent never sent), kind, start ms, duration ms,
 * attributes, status, resource attributes].
 */
const SPECS = {
  ok: [
    ['frontend', 'GET /checkout', null, SpanKind.SERVER, 0, 120],
    ['api', 'POST /orders', 0, SpanKind.SERVER, 10, 80, { 'http.status_code': 200 }],
    ['db', 'SELECT', 1, SpanKind.CLIENT, 20, 30, { 'db.system': 'postgres' }],
  ],
  failed: [
    ['frontend', 'GET /checkout', null, SpanKind.SERVER, 0, 2500],
    ['api', 'POST /orders', 0, SpanKind.SERVER, 10, 2400, { 'http.status_code': 503 }, { code: StatusCode.ERROR, message: 'upstream down' }],
    ['db', 'SELECT', 1, SpanKind.CLIENT, 20, 2200],
  ],
  search: [
    ['frontend', 'GET /search', null, SpanKind.SERVER, 0, 50, { 'http.method': 'GET' }],
    ['search', 'query', 0, SpanKind.INTERNAL, 5, 40, { hits: 12, ratio: 0.5, cached: true }],
  ],
  batch: [
    ['worker', 'run', null, SpanKind.PRODUCER, 0, 3000, {}, undefined, { 'deployment.environment': 'prod' }],
    ['worker', 'step1', 0, SpanKind.CONSUMER, 100, 500, {}, { code: StatusCode.ERROR }, { 'deployment.environment': 'prod' }],
  ],
  orphan: [['api', 'POST /orders', 'missing', SpanKind.SERVER, 0, 10, {}, { code: StatusCode.ERROR }]],
};

const svc = (name) => `${name}-${RUN}`;

// Queries name services through `svc`; every query also keeps to this run's
// services so that other data in a shared store does not interfere.
const CASES = [
  ['{ }', ['ok', 'failed', 'search', 'batch', 'orphan']],
  [`{ resource.service.name = "${svc('frontend')}" }`, ['ok', 'failed', 'search']],
  ['{ name = "GET /checkout" }', ['ok', 'failed']],
  ['{ name =~ "GET .*" }', ['ok', 'failed', 'search']],
  ['{ name =~ "GET" }', []],
  ['{ status = error }', ['failed', 'batch', 'orphan']],
  ['{ status != error && kind = server }', ['ok', 'failed', 'search']],
  ['{ kind = server && duration > 300ms }', ['failed']],
  ['{ duration >= 2.2s }', ['failed', 'batch']],
  ['{ duration < 40ms }', ['ok', 'orphan']],
  ['{ statusMessage = "upstream down" }', ['failed']],
  ['{ span.http.status_code >= 500 }', ['failed']],
  ['{ span.http.status_code = 200 }', ['ok']],
  ['{ span.http.status_code = "200" }', []],
  ['{ .hits > 10 && span.ratio < 1 }', ['search']],
  ['{ span.cached = true }', ['search']],
  ['{ span.db.system =~ "post.*" }', ['ok']],
  ['{ resource.deployment.environment = "prod" }', ['batch']],
  ['{ .deployment.environment = "prod" }', ['batch']],
  ['{ span.missing != "x" }', []],
  ['{ traceDuration > 2s }', ['failed', 'batch']],
  [`{ rootServiceName = "${svc('frontend')}" }`, ['ok', 'failed', 'search']],
  ['{ rootName = "run" }', ['batch']],
  ['{ traceDuration < 100ms }', ['search', 'orphan']],
  [`{ resource.service.name = "${svc('api')}" && traceDuration > 2s }`, ['failed']],
  ['{ traceDuration > 2s } && { kind = client }', ['failed']],
  [`{ rootServiceName = "${svc('api')}" }`, []], // the orphan's span has a parent: no root
  [`{ resource.service.name = "${svc('frontend')}" } >> { status = error }`, ['failed']],
  [`{ resource.service.name = "${svc('frontend')}" } > { resource.service.name = "${svc('db')}" }`, []],
  [`{ resource.service.name = "${svc('frontend')}" } >> { resource.service.name = "${svc('db')}" }`, ['ok', 'failed']],
  [`{ resource.service.name = "${svc('api')}" } > { resource.service.name = "${svc('db')}" }`, ['ok', 'failed']],
  ['{ kind = producer } > { kind = consumer && status = error }', ['batch']],
  [`{ resource.service.name = "${svc('frontend')}" } && { resource.service.name = "${svc('db')}" }`, ['ok', 'failed']],
  [`{ resource.service.name = "${svc('search')}" } || { status = error }`, ['failed', 'search', 'batch', 'orphan']],
  ['{ } | count() > 2', ['ok', 'failed']],
  ['{ } | count() = 1', ['orphan']],
  ['({ status = error } | count() >= 1) && { kind = producer }', ['batch']],
  [`{ resource.service.name = "${svc('db')}" } || { name = "run" } && { status = ok }`, ['ok', 'failed']],
  ['{ name = "query" || name = "run" && kind = consumer }', ['search']],
  [`{ !(status = error) && resource.service.name = "${svc('api')}" }`, ['ok']],
];

describe('the query language as query.filter on /api/v3', () => {
  let spoor;
  const ids = {};
  let window;
  const ofRun = (names) => names.filter((n) => n !== undefined);
  const v3 = (route, params) => fetchJson(`${spoor.baseUrls.query}/api/v3/${route}?${searchParams(params)}`);
  const filtered = (route, filter, more = {}) =>
    v3(route, { 'query.filter': filter, 'query.startTimeMin': window[0], 'query.startTimeMax': window[1], 'query.searchDepth': 50, ...more });
  const nameOf = (traceId) => Object.keys(ids).find((k) => ids[k] === traceId);

  before(async () => {
    spoor = await startSpoor();
    const base = nowNs() - 120n * S;
    window = [nsToRfc3339(base - 60n * S), nsToRfc3339(base + 60n * S)];
    const resources = [];
    let offset = 0n;
    for (const [key, specs] of Object.entries(SPECS)) {
      ids[key] = randomTraceId();
      const spanIds = specs.map(() => randomSpanId());
      const t0 = base + offset;
      offset += 10n * S;
      specs.forEach(([service, name, parent, kind, startMs, durationMs, attributes = {}, status, resource = {}], i) => {
        resources.push({
          service: svc(service),
          resource,
          spans: [
            span({
              traceId: ids[key],
              spanId: spanIds[i],
              parentSpanId: parent === null ? undefined : parent === 'missing' ? randomSpanId() : spanIds[parent],
              name,
              kind,
              startNs: t0 + BigInt(startMs) * MS,
              endNs: t0 + BigInt(startMs + durationMs) * MS,
              attributes,
              status,
            }),
          ],
        });
      });
    }
    await sendTraces(spoor.baseUrls.otlpHttp, request(resources));
    for (const [key, specs] of Object.entries(SPECS)) {
      await waitFor(async () => {
        const res = await fetchJson(`${spoor.baseUrls.query}/api/v3/traces/${ids[key]}`);
        return res.status === 200 && res.body.result.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)).length === specs.length;
      }, { timeoutMs: 30_000, description: `trace ${key} stored` });
    }
  });
  after(async () => {
    if (spoor) assert.equal(await spoor.stop(), 0);
  });

  test('each query returns exactly its traces, whole, from /api/v3/traces and /api/v3/trace-summaries', async () => {
    const wrong = [];
    for (const [query, expected] of CASES) {
      // Kept to this run's traces: && with a selector of its services.
      const res = await filtered('traces', query);
      let got = [];
      if (res.status === 200) {
        const spansBy = new Map();
        for (const rs of res.body.result.resourceSpans) {
          for (const ss of rs.scopeSpans) for (const s of ss.spans) spansBy.set(s.traceId, (spansBy.get(s.traceId) ?? 0) + 1);
        }
        for (const [traceId, n] of spansBy) {
          const name = nameOf(traceId);
          if (name && n !== SPECS[name].length) wrong.push(`${query}: ${name} with ${n} of ${SPECS[name].length} spans`);
        }
        got = ofRun([...spansBy.keys()].map(nameOf)).sort();
      } else if (res.status !== 404) {
        wrong.push(`${query}: HTTP ${res.status} ${res.text.slice(0, 200)}`);
        continue;
      }
      if (JSON.stringify(got) !== JSON.stringify([...expected].sort())) wrong.push(`${query}: got [${got}], expected [${[...expected].sort()}]`);
      const sums = await filtered('trace-summaries', query);
      assert.equal(sums.status, 200, `${query}: ${sums.text.slice(0, 200)}`);
      const summarized = ofRun(sums.body.summaries.map((s) => nameOf(s.traceId))).sort();
      if (JSON.stringify(summarized) !== JSON.stringify(got)) wrong.push(`${query}: summaries [${summarized}], traces [${got}]`);
    }
    assert.deepEqual(wrong, [], wrong.join('\n'));
  });

  test("a filter combines with the form's conditions, and searchDepth bounds the answer", async () => {
    const both = await filtered('traces', '{ status = error }', { 'query.serviceName': svc('worker') });
    assert.equal(both.status, 200);
    const names = new Set(both.body.result.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => nameOf(s.traceId)))));
    assert.deepEqual([...names], ['batch']);
    const one = await filtered('trace-summaries', '{ }', { 'query.searchDepth': 1 });
    assert.equal(one.body.summaries.length, 1);
    assert.equal(nameOf(one.body.summaries[0].traceId), 'orphan', 'the most recent trace');
  });

  test('a bad query is answered 400 with what is wrong and where', async () => {
    for (const [query, message] of [
      ['{ duration > 5 }', "query.filter at 14: expected a duration with its unit (300ms, 1.5s, 2m), found '5'"],
      ['{ name = "x" ', "query.filter at 14: expected '}' or && or ||, found the end of the query"],
      ['{ foo = 1 }', 'query.filter at 3: unknown field'],
      ['{ name =~ "(" }', 'query.filter at 11: invalid regular expression'],
    ]) {
      const res = await filtered('traces', query);
      assert.equal(res.status, 400, query);
      assert.ok(res.body.error.message.startsWith(message), `${query}: ${res.body.error.message}`);
      assert.equal(res.body.error.httpCode, 400);
    }
  });
});
