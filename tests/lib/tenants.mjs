// What the tenancy tests share: two tenants sending the same trace IDs and
// service names, told apart by their operations and an `owner` attribute
// (integration/tenancy.test.mjs, integration/tenancy_scale_out.test.mjs).

import assert from 'node:assert/strict';
import grpc from '@grpc/grpc-js';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { RecordingExporter } from './otel_sdk.mjs';
import { SpanKind as OtlpKind, request, span as otlpSpan } from './otlp.mjs';
import { metric } from './spoor.mjs';

/** The spans of `t` as [span, its ID, its parent's ID or null]. */
export const spansOf = (t) => [
  [t.root, t.rootId, null],
  [t.child, t.childId, t.rootId],
];

/** The same rows from Jaeger JSON traces (/api/traces...). */
export function jaegerRows(traces) {
  return (traces ?? [])
    .flatMap((tr) =>
      tr.spans.map((s) => {
        const owner = s.tags.find((kv) => kv.key === 'owner')?.value;
        return `${tr.traceID} ${s.spanID} ${tr.processes[s.processID].serviceName} ${s.operationName} ${owner}`;
      }),
    )
    .sort();
}

/** The same rows from an api_v3 answer (OTLP/JSON). */
export function v3Rows(body) {
  const rows = [];
  for (const rs of body?.result?.resourceSpans ?? []) {
    const service = rs.resource.attributes.find((kv) => kv.key === 'service.name')?.value.stringValue;
    for (const ss of rs.scopeSpans) {
      for (const s of ss.spans) {
        const owner = s.attributes?.find((kv) => kv.key === 'owner')?.value.stringValue;
        rows.push(`${s.traceId} ${s.spanId} ${service} ${s.name} ${owner}`);
      }
    }
  }
  return rows.sort();
}

export const tenantHeader = (tenant) => ({ 'x-tenant': tenant });

export function metadataOf(headers) {
  const m = new grpc.Metadata();
  for (const [key, v] of Object.entries(headers)) m.set(key, v);
  return m;
}

export const usToHr = (us) => [Math.floor(us / 1e6), (us % 1e6) * 1000];

/**
 * Sends `t` through the OpenTelemetry JS SDK: a provider per service (the
 * resource is per provider), each exporting with its own makeExporter(),
 * and an ID generator that hands out the shared IDs. Throws unless every
 * export succeeded.
 */
export async function sendWithSdk(t, makeExporter) {
  const spanIds = [t.rootId, t.childId];
  const idGenerator = { generateTraceId: () => t.traceId, generateSpanId: () => spanIds.shift() };
  const recorders = [];
  const providerOf = (service) => {
    const recorder = new RecordingExporter(makeExporter());
    recorders.push(recorder);
    const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: service });
    return new BasicTracerProvider({ resource, idGenerator, spanProcessors: [new SimpleSpanProcessor(recorder)] });
  };
  const shop = providerOf(t.root.service);
  const db = providerOf(t.child.service);
  const options = (s) => ({ kind: SpanKind.SERVER, startTime: usToHr(s.startUs), attributes: { owner: t.tenant } });
  const root = shop.getTracer('tenancy').startSpan(t.root.name, options(t.root));
  const child = db.getTracer('tenancy').startSpan(t.child.name, options(t.child), trace.setSpan(context.active(), root));
  child.end(usToHr(t.child.startUs + t.child.durationUs));
  root.end(usToHr(t.root.startUs + t.root.durationUs));
  for (const provider of [shop, db]) {
    await provider.forceFlush().catch(() => {});
    await provider.shutdown().catch(() => {});
  }
  const results = recorders.flatMap((r) => r.results);
  assert.equal(results.length, 2, `${t.root.name}: one export per service`);
  for (const r of results) assert.equal(r.code, ExportResultCode.SUCCESS, `${t.root.name}: ${r.error?.message}`);
}

/** An OTLP/JSON request holding `t`. */
export function otlpRequest(t) {
  const spanOf = ([s, spanId, parentSpanId]) => {
    const startNs = BigInt(s.startUs) * 1000n;
    const endNs = startNs + BigInt(s.durationUs) * 1000n;
    return otlpSpan({ traceId: t.traceId, spanId, parentSpanId, name: s.name, kind: OtlpKind.SERVER, startNs, endNs, attributes: { owner: t.tenant } });
  };
  const [root, child] = spansOf(t);
  return request([
    { service: t.root.service, spans: [spanOf(root)] },
    { service: t.child.service, spans: [spanOf(child)] },
  ]);
}

export const includesAll = (got, want) => want.every((w) => got.includes(w));

/** The Jaeger error envelope the query API answers a refused tenant with. */
export const queryRefusal = (msg) => ({ data: null, total: 0, limit: 0, offset: 0, errors: [{ code: 400, msg }] });

export const refusals = (text, server, reason) => metric(text, 'spoor_tenant_refusals_total', { server, reason }) ?? 0;

/** Asserts a 200 answer that names no tenant but `tenant` (owner values, operations, services). */
export function assertOnlyOwn(res, tenant, route) {
  assert.equal(res.status, 200, `${route} as ${tenant}: ${res.text.slice(0, 300)}`);
  for (const other of ['acme', 'beta', 'gamma', 'zeta'].filter((o) => o !== tenant)) {
    assert.doesNotMatch(res.text, new RegExp(`\\b${other}\\b`), `${route} as ${tenant} shows ${other}'s data`);
  }
}
