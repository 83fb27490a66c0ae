// Context propagation across tracers: a C++ service using Spoor's tracer
// (client/cpp/examples/relay_service.cc) is called by, and calls, services
// using unmodified Node clients — the OpenTelemetry SDK (W3C traceparent) and
// jaeger-client (uber-trace-id). Each request is one trace in spoor, every
// span under the right parent.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { ROOT_CONTEXT, SpanKind, defaultTextMapSetter, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { killAtExit } from '../lib/server_process.mjs';
import { freePorts, getJaegerTrace, startSpoor, waitFor } from '../lib/spoor.mjs';

const require = createRequire(import.meta.url);
const { initTracer } = require('jaeger-client');
// OpenTracing's name of the HTTP headers carrier format.
const FORMAT_HTTP_HEADERS = 'http_headers';

const RELAY = process.env.SPOOR_CPP_RELAY;
const skip = RELAY && existsSync(RELAY) ? false : `no C++ relay example (SPOOR_CPP_RELAY=${RELAY})`;
const quietLogger = { info() {}, error() {} };
const w3c = new W3CTraceContextPropagator();

describe('C++ tracer between OpenTelemetry JS and jaeger-client', { skip }, () => {
  let spoor;
  const closers = [];

  before(async () => {
    spoor = await startSpoor({ storage: { type: 'memory' } });
  });
  after(async () => {
    for (const close of closers.reverse()) await close().catch(() => {});
    await spoor?.stop();
  });

  function otelProvider(service) {
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': service }),
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${spoor.baseUrls.otlpHttp}/v1/traces` }))],
    });
    closers.push(() => provider.shutdown());
    return provider;
  }

  function jaegerTracer(service) {
    const tracer = initTracer(
      {
        serviceName: service,
        sampler: { type: 'const', param: 1 },
        reporter: { collectorEndpoint: `${spoor.baseUrls.jaegerHttp}/api/traces`, flushIntervalMs: 50 },
      },
      { logger: quietLogger },
    );
    closers.push(() => new Promise((resolve) => tracer.close(resolve)));
    return tracer;
  }

  /** An HTTP server on a free port; `handle(req)` is called per request. */
  async function serve(handle) {
    const [port] = await freePorts(1);
    const server = http.createServer((req, res) => {
      handle(req);
      res.end('downstream ok');
    });
    await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => server.close(resolve)));
    return `http://127.0.0.1:${port}/`;
  }

  /** The C++ relay on a free port, calling `downstream`. */
  async function relay(service, downstream) {
    const [port] = await freePorts(1);
    const child = spawn(RELAY, [String(port), service, `${spoor.baseUrls.otlpHttp}/v1/traces`, downstream], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    killAtExit(child);
    closers.push(async () => child.kill('SIGTERM'));
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    await waitFor(async () => out.includes('listening'), { timeoutMs: 10_000, intervalMs: 20, description: `${service} to listen` });
    return `http://127.0.0.1:${port}`;
  }

  /** The trace with `count` spans, by ID. */
  async function traceOf(traceId, count) {
    let found;
    await waitFor(
      async () => {
        const res = await getJaegerTrace(spoor.baseUrls.query, traceId);
        found = res.body?.data?.[0];
        return found?.spans.length >= count;
      },
      { timeoutMs: 20_000, intervalMs: 100, description: `trace ${traceId} with ${count} spans` },
    );
    const byName = Object.fromEntries(found.spans.map((s) => [s.operationName, s]));
    const service = (span) => found.processes[span.processID].serviceName;
    const parentOf = (span) => span.references.find((r) => r.refType === 'CHILD_OF')?.spanID;
    return { found, byName, service, parentOf };
  }

  test('OpenTelemetry JS (W3C) → C++ → jaeger-client (uber-trace-id): one trace, right parents', async () => {
    const downstreamTracer = jaegerTracer('jaeger-node');
    const downstream = await serve((req) => {
      const parent = downstreamTracer.extract(FORMAT_HTTP_HEADERS, req.headers);
      downstreamTracer.startSpan('jaeger-node GET', { childOf: parent }).finish();
    });
    const relayUrl = await relay('cpp-relay', downstream);
    const tracer = otelProvider('otel-client').getTracer('client');
    const span = tracer.startSpan('otel client call', { kind: SpanKind.CLIENT });
    const headers = {};
    w3c.inject(trace.setSpan(ROOT_CONTEXT, span), headers, defaultTextMapSetter);
    const res = await fetch(`${relayUrl}/order`, { headers });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'downstream ok');
    span.end();
    const traceId = span.spanContext().traceId;

    const { byName, service, parentOf } = await traceOf(traceId, 4);
    const client = byName['otel client call'];
    const server = byName['GET /order'];
    const call = byName['call downstream'];
    const last = byName['jaeger-node GET'];
    assert.ok(client && server && call && last, `spans: ${Object.keys(byName)}`);
    assert.deepEqual([client, server, call, last].map(service), ['otel-client', 'cpp-relay', 'cpp-relay', 'jaeger-node']);
    assert.equal(parentOf(server), client.spanID);
    assert.equal(parentOf(call), server.spanID);
    assert.equal(parentOf(last), call.spanID);
  });

  test('jaeger-client (uber-trace-id) → C++ → OpenTelemetry JS (W3C): one trace, right parents', async () => {
    const otelServer = otelProvider('otel-node').getTracer('server');
    const downstream = await serve((req) => {
      const parent = w3c.extract(ROOT_CONTEXT, req.headers, { keys: (h) => Object.keys(h), get: (h, k) => h[k] });
      otelServer.startSpan('otel-node GET', { kind: SpanKind.SERVER }, parent).end();
    });
    const relayUrl = await relay('cpp-relay-2', downstream);
    const tracer = jaegerTracer('jaeger-client-node');
    const span = tracer.startSpan('jaeger client call');
    const headers = {};
    tracer.inject(span, FORMAT_HTTP_HEADERS, headers);
    const res = await fetch(`${relayUrl}/pay`, { headers });
    assert.equal(res.status, 200);
    span.finish();
    const traceId = span.context().traceIdStr.padStart(32, '0');

    const { byName, service, parentOf } = await traceOf(traceId, 4);
    const client = byName['jaeger client call'];
    const server = byName['GET /pay'];
    const call = byName['call downstream'];
    const last = byName['otel-node GET'];
    assert.ok(client && server && call && last, `spans: ${Object.keys(byName)}`);
    assert.deepEqual([client, server, call, last].map(service), ['jaeger-client-node', 'cpp-relay-2', 'cpp-relay-2', 'otel-node']);
    assert.equal(parentOf(server), client.spanID);
    assert.equal(parentOf(call), server.spanID);
    assert.equal(parentOf(last), call.spanID);
  });
});
