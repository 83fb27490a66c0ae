// The MCP server on the query port (/mcp, streamable HTTP transport),
// driven by the official MCP TypeScript SDK's client
// (@modelcontextprotocol/sdk): it connects, lists the tools and calls each
// one on a known data set, checking the answers (search with the query
// language, a trace's topology paged, one span in full, the critical path,
// the errors, dependencies, RED metrics); a bad query or argument is a tool
// error, an unknown tool a protocol error; tokens guard /mcp as they guard
// /api, and tenants see only their own; a page of another origin is refused.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SpanKind, StatusCode, request, sendTraces, span } from '../lib/otlp.mjs';
import { fetchJson, nowNs, randomSpanId, randomTraceId, startSpoor, tempDir, waitFor } from '../lib/spoor.mjs';

const MS = 1_000_000n;
const TOOLS = [
  'list_services',
  'list_operations',
  'search_traces',
  'get_trace_topology',
  'get_span',
  'get_critical_path',
  'get_trace_errors',
  'get_dependencies',
  'get_service_metrics',
];

async function connect(spoor, headers) {
  const client = new Client({ name: 'spoor-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${spoor.baseUrls.query}/mcp`), headers ? { requestInit: { headers } } : undefined);
  await client.connect(transport);
  return client;
}

/** A tool's answer: its JSON, or the error text when isError. */
async function call(client, name, args = {}) {
  const res = await client.callTool({ name, arguments: args });
  assert.equal(res.content.length, 1, `${name}: one content item`);
  assert.equal(res.content[0].type, 'text');
  return res.isError ? { error: res.content[0].text } : JSON.parse(res.content[0].text);
}

describe('the MCP server with the official MCP client', () => {
  let spoor;
  let client;
  const failed = { traceId: randomTraceId(), root: randomSpanId(), api: randomSpanId(), db: randomSpanId() };
  const fine = { traceId: randomTraceId(), root: randomSpanId() };
  before(async () => {
    spoor = await startSpoor({ flags: ['--span-metrics.flush-interval=1s'] });
    const t0 = nowNs() - 60_000n * MS;
    await sendTraces(
      spoor.baseUrls.otlpHttp,
      request([
        {
          service: 'frontend',
          spans: [
            span({ traceId: failed.traceId, spanId: failed.root, name: 'GET /checkout', kind: SpanKind.SERVER, startNs: t0, endNs: t0 + 100n * MS }),
            span({ traceId: fine.traceId, spanId: fine.root, name: 'GET /search', kind: SpanKind.SERVER, startNs: t0 + 1000n * MS, endNs: t0 + 1020n * MS }),
          ],
        },
        {
          service: 'api',
          resource: { 'host.name': 'api-1' },
          spans: [
            span({
              traceId: failed.traceId, spanId: failed.api, parentSpanId: failed.root, name: 'POST /orders', kind: SpanKind.SERVER,
              startNs: t0 + 10n * MS, endNs: t0 + 90n * MS, status: { code: StatusCode.ERROR, message: 'payment declined' },
              attributes: { 'order.id': 'o-42', note: 'x'.repeat(3000) },
              events: [{ timeNs: t0 + 60n * MS, name: 'exception', attributes: { 'exception.type': 'PaymentError', 'exception.message': 'card expired' } }],
            }),
          ],
        },
        {
          service: 'db',
          spans: [span({ traceId: failed.traceId, spanId: failed.db, parentSpanId: failed.api, name: 'SELECT', kind: SpanKind.CLIENT, startNs: t0 + 20n * MS, endNs: t0 + 70n * MS })],
        },
      ]),
    );
    await waitFor(async () => (await fetchJson(`${spoor.baseUrls.query}/api/traces/${failed.traceId}`)).body?.data?.[0]?.spans?.length === 3, { description: 'the failed trace stored' });
    client = await connect(spoor);
  });
  after(async () => {
    await client?.close();
    if (spoor) assert.equal(await spoor.stop(), 0);
  });

  test('initialize names the server; tools/list gives every tool, read-only, with an input schema', async () => {
    assert.equal(client.getServerVersion().name, 'spoor');
    assert.ok(client.getServerCapabilities().tools);
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name), TOOLS);
    for (const t of tools) {
      assert.equal(t.inputSchema.type, 'object', t.name);
      assert.equal(t.annotations.readOnlyHint, true, t.name);
      assert.ok(t.description.length > 20, t.name);
    }
  });

  test('list_services and list_operations', async () => {
    assert.deepEqual((await call(client, 'list_services')).services.sort(), ['api', 'db', 'frontend']);
    const ops = await call(client, 'list_operations', { service: 'api' });
    assert.deepEqual(ops.operations, [{ name: 'POST /orders', spanKind: 'server' }]);
    assert.match((await call(client, 'list_operations', {})).error, /service/);
  });

  test('search_traces: the query language finds what failed below the frontend; a bad query says where', async () => {
    const all = await call(client, 'search_traces', { service: 'frontend' });
    assert.deepEqual(all.traces.map((t) => t.traceId).sort(), [failed.traceId, fine.traceId].sort());
    const found = await call(client, 'search_traces', { query: '{ resource.service.name = "frontend" } >> { status = error }' });
    assert.equal(found.traces.length, 1);
    const [t] = found.traces;
    assert.equal(t.traceId, failed.traceId);
    assert.equal(t.rootService, 'frontend');
    assert.equal(t.rootOperation, 'GET /checkout');
    assert.equal(t.durationMs, 100);
    assert.equal(t.spanCount, 3);
    assert.equal(t.errorSpanCount, 1);
    assert.deepEqual(t.services, ['api', 'db', 'frontend']);
    const limited = await call(client, 'search_traces', { limit: 1 });
    assert.equal(limited.traces.length, 1);
    assert.match(limited.note, /at most 1 traces/);
    assert.match((await call(client, 'search_traces', { query: '{ duration > 5 }' })).error, /^query at 14: expected a duration/);
    assert.match((await call(client, 'search_traces', { lookback: 'soon' })).error, /'lookback' must be a duration/);
  });

  test('get_trace_topology: the spans in tree order without attributes, paged', async () => {
    const topo = await call(client, 'get_trace_topology', { trace_id: failed.traceId });
    assert.equal(topo.spanCount, 3);
    assert.deepEqual(
      topo.spans.map((s) => [s.spanId, s.parentSpanId, s.depth, s.service, s.name, s.startMs, s.durationMs, s.error ?? false]),
      [
        [failed.root, undefined, 0, 'frontend', 'GET /checkout', 0, 100, false],
        [failed.api, failed.root, 1, 'api', 'POST /orders', 10, 80, true],
        [failed.db, failed.api, 2, 'db', 'SELECT', 20, 50, false],
      ],
    );
    assert.ok(!JSON.stringify(topo).includes('o-42'), 'no attributes');
    const page = await call(client, 'get_trace_topology', { trace_id: failed.traceId, offset: 1, limit: 1 });
    assert.deepEqual(page.spans.map((s) => s.spanId), [failed.api]);
    assert.equal(page.nextOffset, 2);
    assert.match((await call(client, 'get_trace_topology', { trace_id: randomTraceId() })).error, /trace not found/);
    assert.match((await call(client, 'get_trace_topology', { trace_id: 'xyz' })).error, /'trace_id' must be/);
  });

  test('get_span: one span in full, long values cut with a note', async () => {
    const s = await call(client, 'get_span', { trace_id: failed.traceId, span_id: failed.api });
    assert.equal(s.name, 'POST /orders');
    assert.equal(s.kind, 'server');
    assert.deepEqual(s.status, { code: 'error', message: 'payment declined' });
    assert.equal(s.attributes['order.id'], 'o-42');
    assert.match(s.attributes.note, /^x{1024}\.\.\. \(1976 more bytes\)$/);
    assert.equal(s.resource['host.name'], 'api-1');
    assert.equal(s.events[0].name, 'exception');
    assert.equal(s.events[0].atMs, 60);
    assert.equal(s.events[0].attributes['exception.message'], 'card expired');
    assert.match((await call(client, 'get_span', { trace_id: failed.traceId, span_id: '00000000000000aa' })).error, /is not in trace/);
  });

  test('get_critical_path: the segments cover the trace, time by service', async () => {
    const cp = await call(client, 'get_critical_path', { trace_id: failed.traceId });
    assert.equal(cp.durationMs, 100);
    // frontend 0-10, api 10-20, db 20-70, api 70-90, frontend 90-100.
    assert.deepEqual(
      cp.segments.map((s) => [s.spanId, s.startMs, s.durationMs]),
      [
        [failed.root, 0, 10],
        [failed.api, 10, 10],
        [failed.db, 20, 50],
        [failed.api, 70, 20],
        [failed.root, 90, 10],
      ],
    );
    assert.deepEqual(cp.byService, [
      { service: 'db', ms: 50 },
      { service: 'api', ms: 30 },
      { service: 'frontend', ms: 20 },
    ]);
  });

  test('get_trace_errors: the failed span with its exception', async () => {
    const e = await call(client, 'get_trace_errors', { trace_id: failed.traceId });
    assert.equal(e.errorSpanCount, 1);
    assert.deepEqual(e.errors, [
      { spanId: failed.api, service: 'api', name: 'POST /orders', statusMessage: 'payment declined', exceptions: [{ type: 'PaymentError', message: 'card expired' }] },
    ]);
    assert.equal((await call(client, 'get_trace_errors', { trace_id: fine.traceId })).errorSpanCount, 0);
  });

  test('get_dependencies and get_service_metrics (RED)', async () => {
    const links = (d) => d.dependencies.map((l) => `${l.parent}->${l.child}:${l.callCount}`).sort();
    assert.deepEqual(links(await call(client, 'get_dependencies')), ['api->db:1', 'frontend->api:1']);
    assert.deepEqual(links(await call(client, 'get_dependencies', { service: 'db' })), ['api->db:1']);
    // Span metrics are flushed every second.
    const m = await waitFor(async () => {
      const r = await call(client, 'get_service_metrics', { service: 'frontend', lookback: '1h' });
      return r.requestsPerSecond > 0 ? r : null;
    }, { timeoutMs: 20_000, description: 'span metrics of frontend' });
    assert.equal(m.window, '1h0m0s');
    assert.ok(Math.abs(m.requestsPerSecond - 2 / 3600) < 1e-9, `2 calls in an hour: ${m.requestsPerSecond}`);
    assert.equal(m.errorRate, 0);
    assert.ok(m.p50Ms > 0 && m.p99Ms >= m.p50Ms, JSON.stringify(m));
    const api = await call(client, 'get_service_metrics', { service: 'api', by_operation: true });
    assert.deepEqual(api.operations.map((o) => [o.operation, o.errorRate]), [['POST /orders', 1]]);
  });

  test('protocol: an unknown tool is a JSON-RPC error; GET is 405; another origin is 403', async () => {
    await assert.rejects(client.callTool({ name: 'drop_everything', arguments: {} }), /unknown tool 'drop_everything'/);
    const url = `${spoor.baseUrls.query}/mcp`;
    assert.equal((await fetch(url)).status, 405);
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
    const evil = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', origin: 'https://evil.example' } });
    assert.equal(evil.status, 403);
    const ping = await fetchJson(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    assert.deepEqual(ping.body, { jsonrpc: '2.0', id: 1, result: {} });
    const parse = await fetchJson(url, { method: 'POST', body: '{', headers: { 'content-type': 'application/json' } });
    assert.equal(parse.status, 400);
    assert.equal(parse.body.error.code, -32700);
  });
});

describe('the MCP server behind a query token', () => {
  test('without the token the client cannot connect; with it, it can', async () => {
    const dir = tempDir('spoor-mcp-token-');
    const tokens = path.join(dir, 'tokens');
    writeFileSync(tokens, 'secret-token\n');
    const spoor = await startSpoor({ flags: [`--query.auth.bearer-tokens-file=${tokens}`] });
    try {
      await assert.rejects(connect(spoor), /401|Unauthorized|invalid_token|authorization/i);
      const client = await connect(spoor, { Authorization: 'Bearer secret-token' });
      assert.ok((await client.listTools()).tools.length > 0);
      await client.close();
    } finally {
      await spoor.stop();
    }
  });
});

describe('the MCP server with tenants', () => {
  test("each tenant's assistant sees its own services; without a tenant the call is refused", async () => {
    const spoor = await startSpoor({ flags: ['--multi-tenancy.enabled'] });
    try {
      const t0 = nowNs() - 10_000n * MS;
      for (const tenant of ['acme', 'beta']) {
        await sendTraces(
          spoor.baseUrls.otlpHttp,
          request([{ service: `${tenant}-shop`, spans: [span({ traceId: randomTraceId(), spanId: randomSpanId(), name: 'GET /', startNs: t0, endNs: t0 + MS })] }]),
          { headers: { 'x-tenant': tenant } },
        );
      }
      for (const tenant of ['acme', 'beta']) {
        const client = await connect(spoor, { 'x-tenant': tenant });
        const services = await waitFor(async () => {
          const s = (await call(client, 'list_services')).services;
          return s.length ? s : null;
        }, { description: `${tenant}'s services` });
        assert.deepEqual(services, [`${tenant}-shop`]);
        await client.close();
      }
      await assert.rejects(connect(spoor), /400|tenant/i);
    } finally {
      await spoor.stop();
    }
  });
});
