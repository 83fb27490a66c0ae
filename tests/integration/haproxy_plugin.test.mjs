// Spoor's C++ tracer as an OpenTracing plugin of an unmodified HAProxy
// (Debian's, built with the OpenTracing filter): HAProxy loads
// libspoor_tracer.so with a Jaeger-style YAML configuration, traces the
// requests it forwards and injects the context into them; a backend using
// the OpenTelemetry JS SDK continues the trace from those headers. In spoor:
// HAProxy's spans, and the backend's span in the same trace under the span
// HAProxy injected.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT_CONTEXT, SpanKind, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { killAtExit } from '../lib/server_process.mjs';
import { freePorts, getJaegerTrace, searchTraces, startSpoor, tempDir, waitFor } from '../lib/spoor.mjs';

const HAPROXY = '/usr/sbin/haproxy';
const LIBRARY = process.env.SPOOR_TRACER_LIBRARY;
const skip = !existsSync(HAPROXY)
  ? `no haproxy (${HAPROXY}; scripts/setup.sh installs it)`
  : !LIBRARY || !existsSync(LIBRARY)
    ? `no tracer library (SPOOR_TRACER_LIBRARY=${LIBRARY})`
    : false;

// HAProxy's OpenTracing filter names the injected headers after the
// context: `inject "ot-ctx" use-headers` sends ot-ctx-traceparent,
// ot-ctx-uber-trace-id.
const PREFIX = 'ot-ctx-';

describe('HAProxy with Spoor tracer plugin', { skip }, () => {
  let spoor;
  let haproxy;
  let backend;
  let provider;
  let frontendPort;
  const seenHeaders = [];

  before(async () => {
    spoor = await startSpoor({ storage: { type: 'memory' } });
    const [fePort, bePort] = await freePorts(2);
    frontendPort = fePort;

    // The backend: continues the trace from the headers HAProxy injected.
    provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'backend' }),
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${spoor.baseUrls.otlpHttp}/v1/traces` }))],
    });
    const tracer = provider.getTracer('backend');
    const w3c = new W3CTraceContextPropagator();
    backend = http.createServer((req, res) => {
      seenHeaders.push(req.headers);
      const parent = w3c.extract(ROOT_CONTEXT, req.headers, {
        keys: (h) => Object.keys(h),
        get: (h, key) => h[PREFIX + key],
      });
      const span = tracer.startSpan(`backend ${req.method} ${req.url}`, { kind: SpanKind.SERVER }, parent);
      span.end();
      res.end('ok');
    });
    await new Promise((resolve) => backend.listen(bePort, '127.0.0.1', resolve));

    // HAProxy, its filter configuration and the tracer's.
    const dir = tempDir('spoor-haproxy-');
    symlinkSync(LIBRARY, path.join(dir, 'libspoor_tracer.so'));
    writeFileSync(
      path.join(dir, 'tracer.yml'),
      [
        'service_name: haproxy',
        'sampler: {type: const, param: 1}',
        `reporter: {otlpEndpoint: "${spoor.baseUrls.otlpHttp}/v1/traces", bufferFlushInterval: 0.2}`,
        'propagation: [jaeger, w3c]',
        '',
      ].join('\n'),
    );
    writeFileSync(
      path.join(dir, 'ot.cfg'),
      `[spoor-test]
    ot-tracer spoor-tracer
        config tracer.yml
        plugin libspoor_tracer.so
        option hard-errors
        scopes frontend_http_request
        scopes backend_http_request
        scopes http_response
        scopes server_session_end

    ot-scope frontend_http_request
        span "HAProxy session" root
        span "Frontend HTTP request" child-of "HAProxy session"
            tag "http.method" method
            tag "http.url" url
        event on-frontend-http-request

    ot-scope backend_http_request
        span "Backend HTTP request" follows-from "Frontend HTTP request"
            inject "ot-ctx" use-headers
        finish "Frontend HTTP request"
        event on-backend-http-request

    ot-scope http_response
        span "HTTP response" child-of "HAProxy session"
            tag "http.status_code" status
        event on-http-response

    ot-scope server_session_end
        finish *
        event on-server-session-end
`,
    );
    writeFileSync(
      path.join(dir, 'haproxy.cfg'),
      `global
    maxconn 100
defaults
    mode http
    timeout connect 5s
    timeout client 10s
    timeout server 10s
frontend fe
    bind 127.0.0.1:${fePort}
    default_backend be
    filter opentracing id spoor-test config ${path.join(dir, 'ot.cfg')}
backend be
    server s1 127.0.0.1:${bePort}
`,
    );
    let log = '';
    // The filter resolves the plugin and its configuration against the
    // working directory.
    haproxy = spawn(HAPROXY, ['-f', path.join(dir, 'haproxy.cfg'), '-db'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    killAtExit(haproxy);
    haproxy.stdout.on('data', (d) => (log += d));
    haproxy.stderr.on('data', (d) => (log += d));
    await waitFor(
      async () => {
        if (haproxy.exitCode !== null) {
          await new Promise((r) => setTimeout(r, 200)); // the rest of its output
          throw new Error(`haproxy exited ${haproxy.exitCode}: ${log}`);
        }
        return fetch(`http://127.0.0.1:${fePort}/ready`).then(
          (r) => r.ok,
          () => false,
        );
      },
      { timeoutMs: 15_000, intervalMs: 100, description: `haproxy on ${fePort} (${log})` },
    );
  });

  after(async () => {
    haproxy?.kill('SIGTERM');
    await new Promise((resolve) => backend?.close(resolve));
    await provider?.shutdown();
    await spoor?.stop();
  });

  test("HAProxy's spans and the backend's are one trace, the backend under the injected span", async () => {
    const urls = ['/cart', '/checkout?id=7', '/search'];
    for (const url of urls) {
      const res = await fetch(`http://127.0.0.1:${frontendPort}${url}`);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'ok');
    }
    await provider.forceFlush();
    for (const url of urls) {
      let found;
      await waitFor(
        async () => {
          const res = await searchTraces(spoor.baseUrls.query, { service: 'backend', operation: `backend GET ${url}` });
          const id = res.body?.data?.[0]?.traceID;
          if (!id) return false;
          const t = await getJaegerTrace(spoor.baseUrls.query, id);
          found = t.body?.data?.[0];
          return found && found.spans.length >= 5;
        },
        { timeoutMs: 20_000, intervalMs: 200, description: `the trace of ${url} with HAProxy's spans` },
      );
      const services = Object.fromEntries(Object.entries(found.processes).map(([k, p]) => [k, p.serviceName]));
      const byName = Object.fromEntries(found.spans.map((s) => [s.operationName, s]));
      for (const name of ['HAProxy session', 'Frontend HTTP request', 'Backend HTTP request', 'HTTP response']) {
        assert.ok(byName[name], `${url}: HAProxy's "${name}" span`);
        assert.equal(services[byName[name].processID], 'haproxy');
      }
      const session = byName['HAProxy session'];
      assert.deepEqual(byName['Frontend HTTP request'].references.map((r) => [r.refType, r.spanID]), [['CHILD_OF', session.spanID]]);
      assert.deepEqual(byName['Backend HTTP request'].references.map((r) => [r.refType, r.spanID]), [
        ['FOLLOWS_FROM', byName['Frontend HTTP request'].spanID],
      ]);
      const tags = Object.fromEntries(byName['Frontend HTTP request'].tags.map((t) => [t.key, t.value]));
      assert.equal(tags['http.url'], url);
      assert.equal(tags['http.method'], 'GET');
      const back = byName[`backend GET ${url}`];
      assert.equal(services[back.processID], 'backend');
      assert.deepEqual(back.references.map((r) => [r.refType, r.spanID]), [['CHILD_OF', byName['Backend HTTP request'].spanID]]);
    }
    const injected = seenHeaders.filter((h) => h[`${PREFIX}uber-trace-id`] && h[`${PREFIX}traceparent`]);
    assert.ok(injected.length >= urls.length, 'Jaeger and W3C headers on every forwarded request');
  });
});
