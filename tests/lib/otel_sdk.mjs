// Helpers for the tests that drive the OpenTelemetry JS SDK against spoor.

import { ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

/** Wraps an exporter and remembers the result of every export. */
export class RecordingExporter {
  constructor(inner) {
    this.inner = inner;
    this.results = [];
  }
  export(spans, done) {
    this.inner.export(spans, (result) => {
      this.results.push(result);
      done(result);
    });
  }
  shutdown() {
    return this.inner.shutdown();
  }
  forceFlush() {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** HrTime [seconds, nanoseconds] -> BigInt nanoseconds. */
export const hrToNs = ([s, ns]) => BigInt(s) * 1_000_000_000n + BigInt(ns);
/** HrTime -> whole microseconds (the Jaeger API's unit). */
export const hrToUs = (hr) => Number(hrToNs(hr) / 1000n);
/** The microseconds between two HrTimes, as the Jaeger API shows a duration. */
export const hrDurationUs = (start, end) => Number((hrToNs(end) - hrToNs(start)) / 1000n);

/** BigInt nanoseconds -> HrTime [seconds, nanoseconds] (the SDK keeps it as given). */
export const nsToHr = (ns) => [Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)];

/**
 * Records spans with explicit times through the OpenTelemetry JS SDK and
 * exports them with `exporter` under resource service.name = `service`.
 * Each spec: {name, kind (SpanKind), startNs, endNs (BigInt), status?
 * ({code, message})}; every span is the root of a trace of its own.
 * Resolves once the SDK has exported everything; throws when an export
 * failed.
 */
export async function exportSpans({ exporter, service, specs }) {
  const recording = new RecordingExporter(exporter);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: service }),
    spanProcessors: [
      new BatchSpanProcessor(recording, { scheduledDelayMillis: 50, maxExportBatchSize: 256, maxQueueSize: 100_000 }),
    ],
  });
  try {
    const tracer = provider.getTracer('spoor-tests');
    for (const spec of specs) {
      const span = tracer.startSpan(spec.name, { kind: spec.kind, startTime: nsToHr(spec.startNs), root: true });
      if (spec.status) span.setStatus(spec.status);
      span.end(nsToHr(spec.endNs));
    }
    await provider.forceFlush();
  } finally {
    await provider.shutdown();
  }
  if (recording.results.length === 0) throw new Error(`no export for ${service}`);
  for (const r of recording.results) {
    if (r.code !== ExportResultCode.SUCCESS) throw new Error(`export for ${service} failed: ${r.error?.message ?? r.error}`);
  }
}

/**
 * Exports one span named `name` of `service` through `exporter`:
 * {traceId, ok, error}. A failed export is reported, not thrown.
 */
export async function exportOne(exporter, name, service = 'test') {
  const recording = new RecordingExporter(exporter);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: service }),
    spanProcessors: [new SimpleSpanProcessor(recording)],
  });
  const span = provider.getTracer('spoor-tests').startSpan(name);
  const traceId = span.spanContext().traceId;
  span.end();
  // A failed export also rejects the flush: the recorded result says why.
  await provider.forceFlush().catch(() => {});
  await provider.shutdown().catch(() => {});
  const result = recording.results[0];
  return { traceId, ok: result?.code === ExportResultCode.SUCCESS, error: result?.error };
}
