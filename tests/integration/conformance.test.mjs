// Jaeger's storage-integration cases run against spoor over the network:
// every fixture is written through OTLP/HTTP JSON, then every search case
// must return exactly the expected traces.
//
// The backend is chosen with $SPOOR_STORAGE (default memory), so the same
// cases run against every storage backend.

import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  SHARED_DIR,
  fetchJson,
  fullTraceId,
  getJaegerTrace,
  nowNs,
  randomSpanId,
  randomTraceId,
  searchTraces,
  startSpoor,
  tempDir,
  waitFor,
  waitForTrace,
} from '../lib/spoor.mjs';
import { SpanKind, countSpans, kv, request, sendTraces, span } from '../lib/otlp.mjs';

// On a replicated ClickHouse cluster reads may lag writes for a moment.
const CLUSTER = Boolean(process.env.SPOOR_CLICKHOUSE_CLUSTER);

const FIXTURE_DIR = SHARED_DIR && path.join(SHARED_DIR, 'conformance', 'jaeger-storage-integration');
const available = FIXTURE_DIR && existsSync(path.join(FIXTURE_DIR, 'queries.json'));

const DAY_MS = 86_400_000;
const FIXTURE_DAY_MS = Date.UTC(2017, 0, 26);

/**
 * Whole days between the fixtures' 2017-01-26 and yesterday (UTC), in ns:
 * every timestamp moves by this offset, so the time of day is kept.
 */
function shiftOffsetNs() {
  const todayMs = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  return BigInt(todayMs - DAY_MS - FIXTURE_DAY_MS) * 1_000_000n;
}

/** Deep copy of an OTLP/JSON fixture with every timestamp shifted. */
function shiftFixture(fixture, offsetNs) {
  const shift = (v) => String(BigInt(v) + offsetNs);
  const copy = structuredClone(fixture);
  for (const rs of copy.resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        if (s.startTimeUnixNano !== undefined) s.startTimeUnixNano = shift(s.startTimeUnixNano);
        if (s.endTimeUnixNano !== undefined) s.endTimeUnixNano = shift(s.endTimeUnixNano);
        for (const e of s.events ?? []) if (e.timeUnixNano !== undefined) e.timeUnixNano = shift(e.timeUnixNano);
      }
    }
  }
  return copy;
}

/** RFC 3339 time with up to nanosecond digits -> BigInt ns since the epoch. */
function rfc3339ToNs(text) {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!m) throw new Error(`not an RFC 3339 time: ${text}`);
  const seconds = BigInt(Date.parse(`${m[1]}${m[3]}`) / 1000);
  const fraction = BigInt((m[2] ?? '').padEnd(9, '0'));
  return seconds * 1_000_000_000n + fraction;
}

/** /api/traces parameters of one queries.json case, shifted by offsetNs. */
function searchParamsFor(query, offsetNs) {
  const params = {
    service: query.ServiceName,
    start: String((rfc3339ToNs(query.StartTimeMin) + offsetNs) / 1000n),
    end: String((rfc3339ToNs(query.StartTimeMax) + offsetNs) / 1000n),
    limit: query.NumTraces,
  };
  if (query.OperationName) params.operation = query.OperationName;
  if (query.Tags && Object.keys(query.Tags).length) {
    params.tags = JSON.stringify(Object.fromEntries(Object.entries(query.Tags).map(([k, v]) => [k, String(v)])));
  }
  if (query.DurationMin) params.minDuration = `${query.DurationMin}ns`;
  if (query.DurationMax) params.maxDuration = `${query.DurationMax}ns`;
  return params;
}

function fixtureSpans(fixture) {
  const spans = [];
  for (const rs of fixture.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) spans.push(...(ss.spans ?? []));
  return spans;
}

function fixtureServices(fixture) {
  const names = [];
  for (const rs of fixture.resourceSpans ?? []) {
    const attr = (rs.resource?.attributes ?? []).find((a) => a.key === 'service.name');
    if (attr) names.push(attr.value.stringValue);
  }
  return names;
}

function loadFixtures() {
  const dir = path.join(FIXTURE_DIR, 'traces');
  const fixtures = new Map();
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const data = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    const spans = fixtureSpans(data);
    const traceIds = new Set(spans.map((s) => fullTraceId(s.traceId)));
    assert.equal(traceIds.size, 1, `${file} holds one trace`);
    fixtures.set(path.basename(file, '.json'), { data, spans, traceId: [...traceIds][0] });
  }
  return fixtures;
}

const SUITE = 'Jaeger storage integration cases';

if (!available) {
  test(SUITE, { skip: `no fixtures at ${FIXTURE_DIR ?? '$SPOOR_SHARED_DIR/conformance/jaeger-storage-integration'}` }, () => {});
} else
  describe(SUITE, () => {
    let spoor;
    let q;
    const fixtures = available ? loadFixtures() : new Map();
    const queries = available ? JSON.parse(readFileSync(path.join(FIXTURE_DIR, 'queries.json'), 'utf8')) : [];
    const offsetNs = shiftOffsetNs();

    // SPOOR_CONFORMANCE_RESTART=1: restart spoor on the same store after
    // writing, so that the cases read what a persistent backend kept (for the
    // embedded store: sealed blocks rather than recent spans in memory).
    const restart = process.env.SPOOR_CONFORMANCE_RESTART === '1';
    const type = process.env.SPOOR_STORAGE || (restart ? 'embedded' : 'memory');
    // The same store both times: one directory, or one ClickHouse database.
    const storage = {
      type,
      flags:
        type === 'embedded'
          ? [`--embedded.directory=${tempDir('spoor-conformance-')}`]
          : type === 'clickhouse'
            ? [`--clickhouse.database=spoor_conformance_${process.pid}`]
            : [],
    };

    // A trace across three services for the dependency links, written with
    // the fixtures (so that, with a restart, it is read back from storage).
    const depTrace = randomTraceId();
    const depStart = nowNs() - 600_000_000_000n;
    function dependencyTrace() {
      const ids = { root: randomSpanId(), call1: randomSpanId(), call2: randomSpanId(), inner: randomSpanId(), db: randomSpanId() };
      const at = (i) => ({ startNs: depStart + BigInt(i) * 1_000_000n, endNs: depStart + BigInt(i) * 1_000_000n + 500_000n });
      return request([
        { service: 'dep-frontend', spans: [span({ traceId: depTrace, spanId: ids.root, name: 'GET /', kind: SpanKind.SERVER, ...at(0) })] },
        {
          service: 'dep-backend',
          spans: [
            span({ traceId: depTrace, spanId: ids.call1, parentSpanId: ids.root, name: 'api', kind: SpanKind.SERVER, ...at(1) }),
            span({ traceId: depTrace, spanId: ids.call2, parentSpanId: ids.root, name: 'api', kind: SpanKind.SERVER, ...at(2) }),
            span({ traceId: depTrace, spanId: ids.inner, parentSpanId: ids.call1, name: 'work', kind: SpanKind.INTERNAL, ...at(3) }),
          ],
        },
        { service: 'dep-db', spans: [span({ traceId: depTrace, spanId: ids.db, parentSpanId: ids.inner, name: 'query', kind: SpanKind.SERVER, ...at(4) })] },
      ]);
    }

    before(async () => {
      spoor = await startSpoor({ storage });
      q = spoor.baseUrls.query;
      await sendTraces(spoor.baseUrls.otlpHttp, dependencyTrace());
      // Write every trace first: the ones a case must not return matter too.
      for (const [name, f] of fixtures) {
        const res = await sendTraces(spoor.baseUrls.otlpHttp, shiftFixture(f.data, offsetNs)).catch((err) => {
          err.message = `writing fixture ${name}: ${err.message}`;
          throw err;
        });
        assert.equal(res.status, 200);
      }
      for (const [, f] of fixtures) await waitForTrace(q, f.traceId, { minSpans: f.spans.length, timeoutMs: 20_000 });
      await waitForTrace(q, depTrace, { minSpans: 5 });
      if (restart) {
        assert.equal(await spoor.stop(), 0, 'spoor exits 0 on SIGTERM');
        spoor = await startSpoor({ storage });
        q = spoor.baseUrls.query;
      }
    });
    after(async () => {
      if (spoor) assert.equal(await spoor.stop(), 0, 'spoor exits 0 on SIGTERM');
    });

    test('queries.json holds the 25 search cases', () => {
      assert.equal(queries.length, 25);
      for (const c of queries) for (const name of c.ExpectedFixtures) assert.ok(fixtures.has(name), `fixture ${name} exists`);
    });

    describe('FindTraces', () => {
      for (const c of queries) {
        test(c.Caption, async () => {
          const params = searchParamsFor(c.Query, offsetNs);
          const want = c.ExpectedFixtures.map((name) => fixtures.get(name).traceId);
          let res = await searchTraces(q, params);
          if (CLUSTER) {
            // A replica may not have fetched the latest inserts yet (ClickHouse
            // replicates asynchronously): the answer converges to the expected one.
            const same = (r) => r.status === 200 && r.body.data.map((tr) => fullTraceId(tr.traceID)).sort().join() === want.slice().sort().join();
            res = await waitFor(async () => {
              const r = await searchTraces(q, params);
              return same(r) && r;
            }, { timeoutMs: 20_000, description: c.Caption }).catch(() => res);
          }
          assert.equal(res.status, 200, `${JSON.stringify(params)}: ${res.text}`);
          const got = res.body.data.map((tr) => fullTraceId(tr.traceID));
          assert.equal(got.length, new Set(got).size, `no trace returned twice: ${got}`);
          assert.deepEqual(got.slice().sort(), want.slice().sort(), `query ${JSON.stringify(params)}`);
          // Results are whole traces.
          for (const tr of res.body.data) {
            const [name, f] = [...fixtures].find(([, fx]) => fx.traceId === fullTraceId(tr.traceID));
            assert.equal(tr.spans.length, f.spans.length, `every span of ${name}`);
          }
        });
      }
    });

    test('GetDependencies counts calls between services, not within one', async () => {
      const endTs = Number(nowNs() / 1_000_000n);
      const res = await fetchJson(`${q}/api/dependencies?endTs=${endTs}&lookback=${3_600_000}`);
      assert.equal(res.status, 200, res.text);
      const links = res.body.data.filter((l) => l.parent.startsWith('dep-')).sort((a, b) => (a.parent < b.parent ? -1 : 1));
      assert.deepEqual(links, [
        { parent: 'dep-backend', child: 'dep-db', callCount: 1 },
        { parent: 'dep-frontend', child: 'dep-backend', callCount: 2 },
      ]);
      const before = await fetchJson(`${q}/api/dependencies?endTs=${Number(depStart / 1_000_000n) - 60_000}&lookback=60000`);
      assert.ok(!before.body.data.some((l) => l.parent.startsWith('dep-')), 'links outside the window are not counted');
    });

    test('GetServices lists every service written', async () => {
      const want = new Set(['dep-frontend', 'dep-backend', 'dep-db']);
      for (const [, f] of fixtures) for (const s of fixtureServices(f.data)) want.add(s);
      const res = await fetchJson(`${q}/api/services`);
      assert.equal(res.status, 200);
      for (const s of ['example-service-1', 'example-service-2', 'example-service-3']) assert.ok(res.body.data.includes(s), `${s} listed`);
      assert.deepEqual(res.body.data, [...want].sort());
    });

    test('GetOperations of example-service-1', async () => {
      const byName = (a, b) => (a.name < b.name ? -1 : 1);
      const res = await fetchJson(`${q}/api/operations?service=example-service-1`);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual([...res.body.data].sort(byName), [
        { name: 'example-operation-1', spanKind: '' },
        { name: 'example-operation-3', spanKind: 'server' },
        { name: 'example-operation-4', spanKind: 'client' },
      ]);
      const server = await fetchJson(`${q}/api/operations?service=example-service-1&spanKind=server`);
      assert.deepEqual(server.body.data, [{ name: 'example-operation-3', spanKind: 'server' }]);
      const names = await fetchJson(`${q}/api/services/example-service-1/operations`);
      assert.deepEqual([...names.body.data].sort(), ['example-operation-1', 'example-operation-3', 'example-operation-4']);
      // api_v3 reports an operation recorded without a kind as internal, as
      // Jaeger's HTTP gateway does; /api/operations keeps the empty kind.
      const v3 = await fetchJson(`${q}/api/v3/operations?service=example-service-1`);
      assert.deepEqual([...v3.body.operations].sort(byName), [
        { name: 'example-operation-1', spanKind: 'internal' },
        { name: 'example-operation-3', spanKind: 'server' },
        { name: 'example-operation-4', spanKind: 'client' },
      ]);
    });

    test('GetTrace returns every span of every fixture', async () => {
      for (const [name, f] of fixtures) {
        const res = await getJaegerTrace(q, f.traceId, { raw: 'true' });
        assert.equal(res.status, 200, `${name}: ${res.text}`);
        const got = res.body.data[0].spans.map((s) => s.spanID).sort();
        const want = f.spans.map((s) => s.spanId.toLowerCase()).sort();
        assert.deepEqual(got, want, `span IDs of ${name}`);
        const adjusted = await getJaegerTrace(q, f.traceId);
        assert.equal(adjusted.body.data[0].spans.length, f.spans.length, `${name} without raw`);
      }
    });

    test('GetTrace of an unknown trace is 404', async () => {
      const res = await getJaegerTrace(q, randomTraceId());
      assert.equal(res.status, 404);
    });

    test('a trace of 10,008 spans written in several requests is returned whole', async () => {
      const traceId = randomTraceId();
      const total = 10_008;
      const perRequest = 1_668;
      const base = nowNs() - 120_000_000_000n;
      const spanIds = new Set();
      while (spanIds.size < total) spanIds.add(randomSpanId());
      const ids = [...spanIds];
      for (let from = 0; from < total; from += perRequest) {
        const spans = ids.slice(from, from + perRequest).map((spanId, i) => {
          const start = base + BigInt(from + i) * 1000n;
          return span({ traceId, spanId, name: 'large-span', startNs: start, endNs: start + 5000n, attributes: { index: from + i } });
        });
        const req = request([{ service: 'large-trace-service', spans }]);
        assert.equal(countSpans(req), Math.min(perRequest, total - from));
        await sendTraces(spoor.baseUrls.otlpHttp, req, { encoding: 'proto' });
      }
      const trace = await waitForTrace(q, traceId, { minSpans: total, timeoutMs: 30_000, params: { raw: 'true' } });
      assert.equal(trace.spans.length, total);
      assert.deepEqual(trace.spans.map((s) => s.spanID).sort(), ids.sort());

      const found = await searchTraces(q, { service: 'large-trace-service', limit: 1 });
      assert.equal(found.status, 200);
      assert.equal(found.body.data.length, 1);
      assert.equal(found.body.data[0].spans.length, total, 'search returns the whole trace');
    });

    test('spans sharing a span ID with different content are all kept', async () => {
      const traceId = randomTraceId();
      const base = nowNs() - 90_000_000_000n;
      const ids = [randomSpanId(), randomSpanId()];
      const build = (copy) =>
        request([
          {
            service: 'duplicate-ids',
            spans: ids.map((spanId, i) =>
              span({
                traceId,
                spanId,
                name: `dup-${i}`,
                kind: SpanKind.INTERNAL,
                startNs: base + BigInt(i) * 1_000_000n,
                endNs: base + BigInt(i) * 1_000_000n + 500_000n,
                attributes: [kv('copy', copy)],
              }),
            ),
          },
        ]);
      await sendTraces(spoor.baseUrls.otlpHttp, build('first'));
      await sendTraces(spoor.baseUrls.otlpHttp, build('second'));
      for (const params of [{ raw: 'true' }, {}]) {
        const trace = await waitForTrace(q, traceId, { minSpans: 4, params });
        assert.equal(trace.spans.length, 4, `four spans (${JSON.stringify(params)})`);
        const seen = trace.spans.map((s) => `${s.spanID}/${s.tags.find((t) => t.key === 'copy')?.value}`).sort();
        assert.deepEqual(seen, ids.flatMap((id) => [`${id}/first`, `${id}/second`]).sort());
      }
    });
  });
