// The OpenTelemetry JavaScript SDK exporting to spoor with each of its OTLP
// exporters (HTTP JSON, HTTP protobuf, gRPC), read back through the Jaeger
// query API.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter as OTLPGrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OTLPHttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPHttpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { RecordingExporter, hrDurationUs, hrToUs } from '../lib/otel_sdk.mjs';
import { jaegerTraceId, spansById, startSpoor, tagMap, waitForTrace } from '../lib/spoor.mjs';

const exporters = [
  { name: 'exporter-trace-otlp-http (JSON)', make: (s) => new OTLPHttpJsonExporter({ url: `${s.baseUrls.otlpHttp}/v1/traces` }) },
  { name: 'exporter-trace-otlp-proto', make: (s) => new OTLPHttpProtoExporter({ url: `${s.baseUrls.otlpHttp}/v1/traces` }) },
  { name: 'exporter-trace-otlp-grpc', make: (s) => new OTLPGrpcExporter({ url: `http://${s.grpcAddress}` }) },
];

describe('OpenTelemetry JS SDK', () => {
  let spoor;
  const providers = [];
  before(async () => {
    spoor = await startSpoor();
  });
  after(async () => {
    await Promise.allSettled(providers.map((p) => p.shutdown()));
    if (spoor) assert.equal(await spoor.stop(), 0, 'spoor exits 0 on SIGTERM');
  });

  for (const [index, exp] of exporters.entries()) {
    test(`${exp.name}: parents, tags, logs, errors, process and times survive`, async () => {
      const service = `otel-js-${index}`;
      const exporter = new RecordingExporter(exp.make(spoor));
      const memory = new InMemorySpanExporter();
      const provider = new BasicTracerProvider({
        resource: resourceFromAttributes({
          [ATTR_SERVICE_NAME]: service,
          [ATTR_SERVICE_VERSION]: '2.5.0',
          'deployment.environment.name': 'ci',
          'host.cores': 8,
        }),
        spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 100 }), new SimpleSpanProcessor(memory)],
      });
      providers.push(provider);
      const tracer = provider.getTracer('spoor-compat', '1.2.3');

      const root = tracer.startSpan('GET /orders', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET' } });
      const rootCtx = trace.setSpan(context.active(), root);
      const client = tracer.startSpan(
        'SELECT orders',
        {
          kind: SpanKind.CLIENT,
          attributes: {
            'db.system.name': 'postgresql',
            'db.rows': 42,
            'db.cost': 3.75,
            'db.cached': false,
            'db.tables': ['orders', 'customers'],
          },
        },
        rootCtx,
      );
      const clientCtx = trace.setSpan(rootCtx, client);
      const internal = tracer.startSpan('decode rows', { kind: SpanKind.INTERNAL }, clientCtx);
      internal.addEvent('row skipped', { 'row.index': 7, 'row.reason': 'bad utf-8' });
      internal.setStatus({ code: SpanStatusCode.ERROR, message: 'decoding failed' });
      internal.end();
      client.end();
      root.end();

      await provider.forceFlush();
      assert.ok(exporter.results.length > 0, 'the exporter was called');
      for (const r of exporter.results) assert.equal(r.code, ExportResultCode.SUCCESS, `export failed: ${r.error?.message ?? r.error}`);

      const recorded = new Map(memory.getFinishedSpans().map((s) => [s.spanContext().spanId, s]));
      assert.equal(recorded.size, 3);
      const traceId = root.spanContext().traceId;
      const ids = { root: root.spanContext().spanId, client: client.spanContext().spanId, internal: internal.spanContext().spanId };

      const got = await waitForTrace(spoor.baseUrls.query, traceId, { minSpans: 3 });
      assert.equal(got.traceID, jaegerTraceId(traceId));
      assert.equal(got.spans.length, 3);
      const spans = spansById(got);

      // Times and durations in µs, as the SDK recorded them.
      for (const [id, rec] of recorded) {
        const s = spans.get(id);
        assert.ok(s, `span ${rec.name} returned`);
        assert.equal(s.operationName, rec.name);
        assert.equal(s.startTime, hrToUs(rec.startTime), `${rec.name} startTime`);
        assert.equal(s.duration, hrDurationUs(rec.startTime, rec.endTime), `${rec.name} duration`);
        assert.equal(s.traceID, jaegerTraceId(traceId));
        const tags = tagMap(s.tags);
        assert.deepEqual(tags.get('otel.scope.name'), { type: 'string', value: 'spoor-compat' });
        assert.deepEqual(tags.get('otel.scope.version'), { type: 'string', value: '1.2.3' });
      }

      // Parents
      const r = spans.get(ids.root);
      const c = spans.get(ids.client);
      const i = spans.get(ids.internal);
      assert.deepEqual(r.references ?? [], []);
      assert.deepEqual(c.references, [{ refType: 'CHILD_OF', traceID: jaegerTraceId(traceId), spanID: ids.root }]);
      assert.deepEqual(i.references, [{ refType: 'CHILD_OF', traceID: jaegerTraceId(traceId), spanID: ids.client }]);

      // Typed tags
      const rt = tagMap(r.tags);
      assert.deepEqual(rt.get('span.kind'), { type: 'string', value: 'server' });
      assert.deepEqual(rt.get('http.request.method'), { type: 'string', value: 'GET' });
      assert.ok(!rt.has('error'), 'root has no error tag');
      const ct = tagMap(c.tags);
      assert.deepEqual(ct.get('span.kind'), { type: 'string', value: 'client' });
      assert.deepEqual(ct.get('db.system.name'), { type: 'string', value: 'postgresql' });
      assert.deepEqual(ct.get('db.rows'), { type: 'int64', value: 42 });
      assert.deepEqual(ct.get('db.cost'), { type: 'float64', value: 3.75 });
      assert.deepEqual(ct.get('db.cached'), { type: 'bool', value: false });
      assert.equal(ct.get('db.tables')?.type, 'string');
      assert.deepEqual(JSON.parse(ct.get('db.tables').value), ['orders', 'customers']);
      assert.ok(!ct.has('error'), 'client has no error tag');

      // Error status and the event as a log
      const it = tagMap(i.tags);
      assert.deepEqual(it.get('span.kind'), { type: 'string', value: 'internal' });
      assert.deepEqual(it.get('error'), { type: 'bool', value: true });
      assert.deepEqual(it.get('otel.status_code'), { type: 'string', value: 'ERROR' });
      assert.deepEqual(it.get('otel.status_description'), { type: 'string', value: 'decoding failed' });
      const event = recorded.get(ids.internal).events[0];
      assert.equal(i.logs.length, 1);
      assert.equal(i.logs[0].timestamp, hrToUs(event.time));
      const fields = tagMap(i.logs[0].fields);
      assert.deepEqual(fields.get('event'), { type: 'string', value: 'row skipped' });
      assert.deepEqual(fields.get('row.index'), { type: 'int64', value: 7 });
      assert.deepEqual(fields.get('row.reason'), { type: 'string', value: 'bad utf-8' });

      // One process with the resource as tags
      assert.equal(new Set(got.spans.map((s) => s.processID)).size, 1);
      const process = got.processes[r.processID];
      assert.equal(process.serviceName, service);
      const pt = tagMap(process.tags);
      assert.ok(!pt.has('service.name'), 'service.name is the serviceName, not a tag');
      assert.deepEqual(pt.get('service.version'), { type: 'string', value: '2.5.0' });
      assert.deepEqual(pt.get('deployment.environment.name'), { type: 'string', value: 'ci' });
      assert.deepEqual(pt.get('host.cores'), { type: 'int64', value: 8 });
    });
  }
});
