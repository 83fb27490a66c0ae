// Tail sampling (docs/tail-sampling.md), driven through the real
// OpenTelemetry JS SDK over OTLP/HTTP (protobuf, JSON) and OTLP/gRPC: traces of a root and
// children over two services are held for decision_wait, then kept whole or
// dropped by the policies of the config file's `tail_sampling` key.
//
//  - "keep errors and anything slower than 500 ms, 1% of the rest": every
//    trace is checked against what the policies must decide (the latency
//    threshold inclusive, to the nanosecond; the probabilistic share learned
//    from a second spoor running that policy alone on the same traces), kept
//    traces are stored whole, the metrics count exactly that;
//  - each policy type counted on traces built to fall on either side of it;
//  - rate_limiting keeps what fits in a second, only traces no other policy
//    kept;
//  - late spans follow the decision, from a memory of 2 x num_traces
//    decisions; beyond it a span starts a new trace;
//  - the num_traces cap decides the oldest trace early; a clean stop decides
//    and writes what is still held (read back after a restart), in the
//    all-in-one and in a collector writing to storage directly;
//  - a bad configuration stops spoor at startup with one line naming the key;
//  - tracegen at full speed against a cap of 1000: traces held and the
//    process's memory stay bounded.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter as OTLPGrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OTLPHttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPHttpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { RecordingExporter, nsToHr } from '../lib/otel_sdk.mjs';
import {
  getMetrics,
  metric,
  portFlags,
  runSpoor,
  sleep,
  startSpoor,
  storedSpanIds,
  tempDir,
  waitFor,
} from '../lib/spoor.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TRACEGEN = process.env.SPOOR_TRACEGEN || path.resolve(HERE, '../../build/tools/tracegen/tracegen');

const MS = 1_000_000n;
/** Milliseconds (a Number, µs precision) as BigInt nanoseconds. */
const ms = (x) => BigInt(Math.round(x * 1000)) * 1000n;
const ERROR = { code: SpanStatusCode.ERROR, message: 'failed' };
const OK = { code: SpanStatusCode.OK };

// ---------------------------------------------------------------------------
// Configuration files

const configDir = tempDir('spoor-tail-sampling-');
let configFiles = 0;

/** Writes `yaml` to a new config file and returns its path. */
async function configFile(yaml) {
  const file = path.join(configDir, `config-${configFiles++}.yaml`);
  await writeFile(file, yaml);
  return file;
}

const SCENARIO_POLICIES = `
  policies:
    - name: errors
      type: status_code
      status_code: {status_codes: [ERROR]}
    - name: slow
      type: latency
      latency: {threshold_ms: 500}
    - name: one-percent-of-the-rest
      type: probabilistic
      probabilistic: {sampling_percentage: 1}
`;

// ---------------------------------------------------------------------------
// Sending traces with the SDK

/** The two services of every trace: their exporter and resource. */
const SERVICES = {
  frontend: { via: 'http-proto', resource: {} },
  backend: { via: 'grpc', resource: { 'deployment.environment.name': 'staging' } },
};

function makeExporter(via, spoor) {
  if (via === 'grpc') return new OTLPGrpcExporter({ url: `http://${spoor.grpcAddress}` });
  if (via === 'http-json') return new OTLPHttpJsonExporter({ url: `${spoor.baseUrls.otlpHttp}/v1/traces` });
  return new OTLPHttpProtoExporter({ url: `${spoor.baseUrls.otlpHttp}/v1/traces` });
}

/**
 * One tracer provider per service, each exporting every span to every
 * target spoor (so that two spoors see the very same traces).
 */
class Senders {
  constructor(targets, { services = SERVICES, batch = {} } = {}) {
    this.recorders = [];
    this.providers = new Map();
    for (const [service, { via, resource }] of Object.entries(services)) {
      const spanProcessors = targets.map((spoor) => {
        const recording = new RecordingExporter(makeExporter(via, spoor));
        this.recorders.push({ service, recording });
        return new BatchSpanProcessor(recording, {
          scheduledDelayMillis: 50,
          maxExportBatchSize: 512,
          maxQueueSize: 100_000,
          ...batch,
        });
      });
      const provider = new BasicTracerProvider({
        resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: service, ...resource }),
        spanProcessors,
      });
      this.providers.set(service, { provider, tracer: provider.getTracer('spoor-tail-sampling-tests') });
    }
  }

  tracer(service) {
    return this.providers.get(service).tracer;
  }

  /** Exports everything recorded so far; throws when an export failed. */
  async flush() {
    await Promise.all([...this.providers.values()].map(({ provider }) => provider.forceFlush()));
    for (const { service, recording } of this.recorders) {
      for (const r of recording.results) {
        if (r.code !== ExportResultCode.SUCCESS) throw new Error(`export of ${service} failed: ${r.error?.message ?? r.error}`);
      }
    }
  }

  async shutdown() {
    await Promise.allSettled([...this.providers.values()].map(({ provider }) => provider.shutdown()));
  }
}

/**
 * Records one trace through the SDK. `specs`: [{service, name, kind,
 * parent (index of an earlier spec, or a SpanContext, or absent for the
 * root), start, end (BigInt ns relative to baseNs), status?, attributes?}].
 * Returns {traceId, spanIds, spanCount, durationNs, error, contexts, specs}.
 */
function recordTrace(senders, baseNs, specs) {
  const spans = [];
  for (const spec of specs) {
    let parentContext = ROOT_CONTEXT;
    if (typeof spec.parent === 'number') parentContext = trace.setSpan(ROOT_CONTEXT, spans[spec.parent]);
    else if (spec.parent) parentContext = trace.setSpanContext(ROOT_CONTEXT, spec.parent);
    const span = senders
      .tracer(spec.service)
      .startSpan(
        spec.name,
        { kind: spec.kind ?? SpanKind.INTERNAL, startTime: nsToHr(baseNs + spec.start), attributes: spec.attributes },
        parentContext,
      );
    if (spec.status) span.setStatus(spec.status);
    span.end(nsToHr(baseNs + spec.end));
    spans.push(span);
  }
  const contexts = spans.map((s) => s.spanContext());
  const traceIds = new Set(contexts.map((c) => c.traceId));
  assert.equal(traceIds.size, 1, 'every span of a trace carries its trace ID');
  const first = specs.reduce((m, s) => (s.start < m ? s.start : m), specs[0].start);
  const last = specs.reduce((m, s) => (s.end > m ? s.end : m), specs[0].end);
  return {
    traceId: contexts[0].traceId,
    spanIds: contexts.map((c) => c.spanId).sort(),
    spanCount: specs.length,
    durationNs: last - first,
    error: specs.some((s) => s.status?.code === SpanStatusCode.ERROR),
    contexts,
    specs,
  };
}

/** Start of the traces: a minute ago, on a millisecond. */
const baseTime = () => BigInt(Date.now() - 60_000) * MS;

// ---------------------------------------------------------------------------
// Trace shapes

/**
 * A fast trace of 3 to 6 spans, lasting `totalMs` (< 500): frontend root
 * and client, backend server and its queries. `errorAt`: index of the span
 * in status ERROR (the last span when beyond); `allOk`: every span in
 * status OK.
 */
function fastTrace(i, totalMs, { errorAt = -1, allOk = false } = {}) {
  const t = (f) => ms(totalMs * f);
  const specs = [
    { service: 'frontend', name: 'GET /checkout', kind: SpanKind.SERVER, start: 0n, end: t(1) },
    { service: 'frontend', name: 'POST /reserve', kind: SpanKind.CLIENT, parent: 0, start: t(0.1), end: t(0.6) },
    { service: 'backend', name: 'reserve', kind: SpanKind.SERVER, parent: 1, start: t(0.15), end: t(0.55) },
  ];
  for (let k = 0; k < i % 4; k++) {
    specs.push({
      service: 'backend',
      name: 'SELECT stock',
      kind: SpanKind.CLIENT,
      parent: 2,
      start: t(0.2 + 0.1 * k),
      end: t(0.25 + 0.1 * k),
    });
  }
  specs.forEach((s, k) => {
    if (allOk) s.status = OK;
    if (k === Math.min(errorAt, specs.length - 1)) s.status = ERROR;
  });
  return specs;
}

/**
 * A trace lasting `totalNs` (> 80 ms) though no span lasts 500 ms: a short
 * root, then `pieces` children one after the other over both services.
 */
function sequenceTrace(totalNs, pieces = 3, { errorAt = -1 } = {}) {
  const specs = [{ service: 'frontend', name: 'POST /orders', kind: SpanKind.SERVER, start: 0n, end: 80n * MS }];
  const step = (totalNs - 80n * MS) / BigInt(pieces);
  for (let k = 0; k < pieces; k++) {
    const start = 80n * MS + step * BigInt(k);
    const end = k === pieces - 1 ? totalNs : start + step;
    specs.push({
      service: k % 2 === 0 ? 'backend' : 'frontend',
      name: `step ${k + 1}`,
      kind: SpanKind.CONSUMER,
      parent: 0,
      start,
      end,
      ...(k + 1 === errorAt ? { status: ERROR } : {}),
    });
  }
  for (const s of specs) assert.ok(s.end - s.start < 500n * MS, 'no single span of 500 ms');
  return specs;
}

/** 550 ms from first start to last end: the backend's clock is 300 ms behind. */
function skewedTrace() {
  return [
    { service: 'frontend', name: 'GET /search', kind: SpanKind.SERVER, start: 0n, end: 250n * MS },
    { service: 'backend', name: 'search', kind: SpanKind.SERVER, parent: 0, start: -300n * MS, end: -100n * MS },
    { service: 'backend', name: 'SELECT items', kind: SpanKind.CLIENT, parent: 1, start: -280n * MS, end: -120n * MS },
  ];
}

/** A deterministic shuffle (the same order on every run). */
function shuffle(items, seed = 12345) {
  let state = seed;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** The scenario's traces: [{kind, specs}] in a mixed order. */
function scenarioTraces() {
  const out = [];
  const add = (kind, specs) => out.push({ kind, specs });
  for (let i = 0; i < 280; i++) add('fast', fastTrace(i, 2 + ((i * 37) % 397)));
  for (let i = 0; i < 20; i++) add('fast, every span OK', fastTrace(i, 10 + i * 20, { allOk: true }));
  for (let i = 0; i < 30; i++) add('error', fastTrace(i, 5 + i * 10, { errorAt: 1 + (i % 3) }));
  for (let i = 0; i < 25; i++) add('slow in sequence', sequenceTrace(ms(501 + ((i * 53) % 400)), 3 + (i % 3)));
  for (let i = 0; i < 5; i++) add('slow by clock skew', skewedTrace());
  for (let i = 0; i < 5; i++) add('slow with an error', sequenceTrace(ms(600 + i * 50), 3, { errorAt: 1 + (i % 3) }));
  for (let i = 0; i < 10; i++) add('exactly 500 ms', sequenceTrace(500n * MS, 3 + (i % 2)));
  for (let i = 0; i < 10; i++) add('499 ms', sequenceTrace(499n * MS, 3 + (i % 2)));
  for (let i = 0; i < 5; i++) add('1 ns under 500 ms', sequenceTrace(500n * MS - 1n, 3));
  for (const { kind, specs } of out) {
    const error = specs.some((s) => s.status === ERROR);
    assert.equal(error, kind.includes('error'), `${kind}: an error span or none`);
  }
  return shuffle(out);
}

/**
 * Records `traces` ([{specs}]) in rounds of `roundSize`, each round exported
 * before the next starts (a trace's spans reach spoor together). Returns
 * the recorded traces, with each entry's other fields kept.
 */
async function sendInRounds(senders, traces, { roundSize = 40, afterRound } = {}) {
  const recorded = [];
  const base = baseTime();
  for (let i = 0; i < traces.length; i += roundSize) {
    for (const t of traces.slice(i, i + roundSize)) recorded.push({ ...t, ...recordTrace(senders, base, t.specs) });
    await senders.flush();
    if (afterRound) await afterRound(i / roundSize + 1);
  }
  return recorded;
}

// ---------------------------------------------------------------------------
// Reading spoor

/** The tail-sampling metrics of spoor, missing series as 0. */
async function tailMetrics(spoor) {
  let text;
  try {
    text = await getMetrics(spoor);
  } catch (err) {
    throw new Error(`GET ${spoor.baseUrls.admin}/metrics failed: ${err.name}: ${err.message}`);
  }
  const m = (name, labels) => metric(text, name, labels) ?? 0;
  const accepted = m('spoor_spans_accepted_total');
  const acceptedTail = m('spoor_spans_accepted_total', { transport: 'tail_sampling' });
  return {
    text,
    kept: m('spoor_tail_sampling_traces_total', { decision: 'kept' }),
    dropped: m('spoor_tail_sampling_traces_total', { decision: 'dropped' }),
    held: metric(text, 'spoor_tail_sampling_traces_held'),
    early: m('spoor_tail_sampling_traces_decided_early_total'),
    lateKept: m('spoor_tail_sampling_late_spans_total', { decision: 'kept' }),
    lateDropped: m('spoor_tail_sampling_late_spans_total', { decision: 'dropped' }),
    lost: m('spoor_tail_sampling_spans_lost_total'),
    policy: (name) => m('spoor_tail_sampling_policy_kept_total', { policy: name }),
    acceptedTail,
    acceptedReceivers: accepted - acceptedTail,
    stored: m('spoor_spans_stored_total'),
  };
}

/** Waits until `count` traces are decided and none is held; returns the metrics. */
async function waitForDecisions(spoor, count, { timeoutMs = 60_000 } = {}) {
  let last;
  await waitFor(
    async () => {
      last = await tailMetrics(spoor);
      return last.kept + last.dropped >= count && last.held === 0;
    },
    { timeoutMs, intervalMs: 100, description: `${count} traces decided, none held` },
  ).catch((err) => {
    err.message += ` (kept ${last?.kept}, dropped ${last?.dropped}, held ${last?.held})`;
    throw err;
  });
  return last;
}

/** Waits until spoor_spans_stored_total reaches `spans`; returns the metrics. */
async function waitForStored(spoor, spans, { timeoutMs = 60_000 } = {}) {
  let last;
  await waitFor(
    async () => {
      last = await tailMetrics(spoor);
      return last.stored >= spans;
    },
    { timeoutMs, intervalMs: 100, description: `${spans} spans stored` },
  ).catch((err) => {
    err.message += ` (stored ${last?.stored})`;
    throw err;
  });
  return last;
}


/** Map traceId -> stored span IDs (null when not stored), a few requests at a time. */
async function storedTraces(spoor, traces) {
  const out = new Map();
  for (let i = 0; i < traces.length; i += 16) {
    const chunk = traces.slice(i, i + 16);
    const ids = await Promise.all(chunk.map((t) => storedSpanIds(spoor, t.traceId)));
    chunk.forEach((t, k) => out.set(t.traceId, ids[k]));
  }
  return out;
}

const describeTrace = (t) => `${t.kind ?? 'trace'} ${t.traceId} (${t.spanCount} spans, ${t.durationNs} ns${t.error ? ', error' : ''})`;

/** Asserts that `stored` (from storedTraces) holds exactly the traces `keep` selects, each whole. */
function assertStored(stored, traces, keep, where) {
  const wrong = [];
  for (const t of traces) {
    const ids = stored.get(t.traceId);
    if (keep(t)) {
      if (ids === null) wrong.push(`${describeTrace(t)}: kept but not stored`);
      else if (JSON.stringify(ids) !== JSON.stringify(t.spanIds)) {
        wrong.push(`${describeTrace(t)}: stored ${ids.length} spans [${ids}], sent [${t.spanIds}]`);
      }
    } else if (ids !== null) {
      wrong.push(`${describeTrace(t)}: must be dropped but ${ids.length} spans are stored`);
    }
  }
  assert.deepEqual(wrong, [], `${where}: ${wrong.length} traces wrong`);
}

// ---------------------------------------------------------------------------

describe('errors, anything slower than 500 ms, 1% of the rest', () => {
  let spoor;
  let probe;
  let senders;
  let traces;
  let probeKept;
  const THRESHOLD_NS = 500n * MS;

  before(async () => {
    // decision_wait: a trace's spans all arrive within a round's export, far
    // less than this.
    spoor = await startSpoor({
      storage: 'memory',
      flags: [`--config-file=${await configFile(`tail_sampling:\n  decision_wait: 2s\n${SCENARIO_POLICIES}`)}`],
    });
    // The same traces, with the probabilistic policy alone: which traces
    // the hash of the trace ID keeps.
    probe = await startSpoor({
      storage: 'memory',
      flags: [
        `--config-file=${await configFile(`tail_sampling:
  decision_wait: 1s
  policies:
    - name: one-percent-of-the-rest
      type: probabilistic
      probabilistic: {sampling_percentage: 1}
`)}`,
      ],
    });
    senders = new Senders([spoor, probe]);
    traces = await sendInRounds(senders, scenarioTraces());
  });
  after(async () => {
    await senders?.shutdown();
    for (const s of [spoor, probe]) if (s) assert.equal(await s.stop(), 0, 'spoor exits 0 on SIGTERM');
  });

  test('the probabilistic policy alone keeps about 1% of the traces, whole', async () => {
    const m = await waitForDecisions(probe, traces.length);
    assert.equal(m.kept + m.dropped, traces.length, 'every trace decided once');
    assert.equal(m.policy('one-percent-of-the-rest'), m.kept, 'each kept trace counted for the policy');
    // Kept spans reach the store after the decision: wait until as many
    // traces are found as were kept, and every span handed on is written.
    await waitFor(
      async () => [...(await storedTraces(probe, traces)).values()].filter(Boolean).length === m.kept,
      { timeoutMs: 30_000, intervalMs: 500, description: `the ${m.kept} kept traces stored` },
    );
    await waitFor(
      async () => {
        const x = await tailMetrics(probe);
        return x.stored === x.acceptedTail;
      },
      { timeoutMs: 30_000, description: 'every kept span written' },
    );
    const stored = await storedTraces(probe, traces);
    probeKept = new Set(traces.filter((t) => stored.get(t.traceId)).map((t) => t.traceId));
    assertStored(stored, traces, (t) => probeKept.has(t.traceId), 'probabilistic alone');
    // Binomial: n traces at p = 1%; at most the mean + 4 standard deviations.
    const n = traces.length;
    const bound = n * 0.01 + 4 * Math.sqrt(n * 0.01 * 0.99);
    assert.ok(probeKept.size <= bound, `${probeKept.size} of ${n} traces kept at 1% (bound ${bound.toFixed(1)})`);
    const spans = traces.filter((t) => probeKept.has(t.traceId)).reduce((a, t) => a + t.spanCount, 0);
    const final = await tailMetrics(probe);
    assert.equal(final.acceptedTail, spans, 'spans of kept traces re-enter under transport="tail_sampling"');
    assert.equal(final.stored, spans, 'spoor_spans_stored_total');
    assert.equal(final.lateKept + final.lateDropped, 0, 'no span came after its decision');
  });

  test('errors and slow traces are stored whole; the rest only in the probabilistic share', async () => {
    assert.ok(probeKept, 'the probabilistic share is known (previous test)');
    const isSlow = (t) => t.durationNs >= THRESHOLD_NS;
    const keep = (t) => t.error || isSlow(t) || probeKept.has(t.traceId);
    const kept = traces.filter(keep);
    const keptSpans = kept.reduce((a, t) => a + t.spanCount, 0);
    const sentSpans = traces.reduce((a, t) => a + t.spanCount, 0);

    const decided = await waitForDecisions(spoor, traces.length);
    await waitForStored(spoor, keptSpans);
    const stored = await storedTraces(spoor, traces);
    assertStored(stored, traces, keep, 'errors, slow, 1%');

    // The cases at the threshold, by name (already covered above).
    const byKind = (kind) => traces.filter((t) => t.kind === kind);
    for (const t of byKind('exactly 500 ms')) {
      assert.equal(t.durationNs, THRESHOLD_NS);
      assert.notEqual(stored.get(t.traceId), null, `${describeTrace(t)}: the threshold is inclusive`);
    }
    for (const t of [...byKind('499 ms'), ...byKind('1 ns under 500 ms')]) {
      assert.equal(stored.get(t.traceId) !== null, probeKept.has(t.traceId), `${describeTrace(t)}: under the threshold`);
    }
    for (const t of byKind('slow in sequence')) assert.ok(t.specs.every((s) => s.end - s.start < THRESHOLD_NS));

    // Fast traces without errors: only those of the probabilistic share.
    const rest = traces.filter((t) => !t.error && !isSlow(t));
    const restKept = rest.filter((t) => stored.get(t.traceId) !== null);
    const bound = rest.length * 0.01 + 4 * Math.sqrt(rest.length * 0.01 * 0.99);
    assert.ok(restKept.length <= bound, `${restKept.length} of ${rest.length} other traces kept (bound ${bound.toFixed(1)})`);

    const m = await tailMetrics(spoor);
    assert.equal(decided.kept + decided.dropped, traces.length);
    assert.equal(m.kept, kept.length, 'traces_total{decision="kept"}');
    assert.equal(m.dropped, traces.length - kept.length, 'traces_total{decision="dropped"}');
    assert.equal(m.policy('errors'), traces.filter((t) => t.error).length, 'policy_kept_total{policy="errors"}');
    assert.equal(m.policy('slow'), traces.filter(isSlow).length, 'policy_kept_total{policy="slow"}');
    assert.equal(m.policy('one-percent-of-the-rest'), probeKept.size, 'policy_kept_total{policy="one-percent-of-the-rest"}');
    assert.equal(m.held, 0, 'traces_held');
    assert.equal(m.early, 0, 'none decided early');
    assert.equal(m.lateKept + m.lateDropped, 0, 'no span came after its decision');
    assert.equal(m.lost, 0, 'spans_lost_total');
    assert.equal(m.acceptedReceivers, sentSpans, 'every span sent accepted by the receivers');
    assert.equal(m.acceptedTail, keptSpans, 'spans of kept traces re-enter under transport="tail_sampling"');
    assert.equal(m.stored, keptSpans, 'spoor_spans_stored_total: the kept spans, once');
  });
});

// ---------------------------------------------------------------------------

describe('each policy type', () => {
  let spoor;
  let senders;
  let traces;

  // Every policy keeps some traces and leaves others: counted per policy.
  // The inverted ones (which keep whatever lacks a value) and UNSET (most
  // spans' status) apply, through `and`, only to the traces of their group.
  const inGroup = (group) => `{name: in-${group}, type: string_attribute, string_attribute: {key: group, values: [${group}]}}`;
  const POLICIES = `tail_sampling:
  decision_wait: 1s
  policies:
    - name: route
      type: string_attribute
      string_attribute: {key: http.route, values: [/cart, /checkout]}
    - name: route-regex
      type: string_attribute
      string_attribute: {key: http.route, values: ['/api/v[0-9]+/.*'], enabled_regex_matching: true}
    - name: staging
      type: string_attribute
      string_attribute: {key: deployment.environment.name, values: [staging]}
    - name: not-synthetic
      type: and
      and:
        and_sub_policy:
          - ${inGroup('invert')}
          - {name: n, type: string_attribute, string_attribute: {key: traffic, values: [synthetic], invert_match: true}}
    - name: big-order
      type: numeric_attribute
      numeric_attribute: {key: order.total, min_value: 100, max_value: 500}
    - name: not-small-order
      type: and
      and:
        and_sub_policy:
          - ${inGroup('numeric-invert')}
          - {name: n, type: numeric_attribute, numeric_attribute: {key: order.total, min_value: 0, max_value: 10, invert_match: true}}
    - name: single-span
      type: span_count
      span_count: {min_spans: 1, max_spans: 1}
    - name: wide
      type: span_count
      span_count: {min_spans: 5}
    - name: ok-status
      type: status_code
      status_code: {status_codes: [OK]}
    - name: unset-status
      type: and
      and:
        and_sub_policy:
          - ${inGroup('unset')}
          - {name: u, type: status_code, status_code: {status_codes: [UNSET]}}
    - name: latency-band
      type: latency
      latency: {threshold_ms: 100, upper_threshold_ms: 200}
    - name: nothing
      type: probabilistic
      probabilistic: {sampling_percentage: 0}
    - name: big-checkout
      type: and
      and:
        and_sub_policy:
          - name: checkout-route
            type: string_attribute
            string_attribute: {key: http.route, values: [/checkout]}
          - name: big
            type: numeric_attribute
            numeric_attribute: {key: order.total, min_value: 1000}
`;

  // What each policy keeps, written from the table of docs/tail-sampling.md.
  const attrValues = (t, key) =>
    t.specs.flatMap((s) => {
      const own = s.attributes && key in s.attributes ? [s.attributes[key]] : [];
      const res = SERVICES[s.service].resource;
      return key in res ? [...own, res[key]] : own;
    });
  const str = (t, key, match) => attrValues(t, key).some((v) => typeof v === 'string' && match(v));
  const num = (t, key, lo, hi) => attrValues(t, key).some((v) => typeof v === 'number' && v >= lo && v <= hi);
  const group = (t, g) => str(t, 'group', (v) => v === g);
  const EXPECT = {
    route: (t) => str(t, 'http.route', (v) => v === '/cart' || v === '/checkout'),
    'route-regex': (t) => str(t, 'http.route', (v) => /^(?:\/api\/v[0-9]+\/.*)$/.test(v)),
    staging: (t) => str(t, 'deployment.environment.name', (v) => v === 'staging'),
    'not-synthetic': (t) => group(t, 'invert') && !str(t, 'traffic', (v) => v === 'synthetic'),
    'big-order': (t) => num(t, 'order.total', 100, 500),
    'not-small-order': (t) => group(t, 'numeric-invert') && !num(t, 'order.total', 0, 10),
    'single-span': (t) => t.spanCount === 1,
    wide: (t) => t.spanCount >= 5,
    'ok-status': (t) => t.specs.some((s) => s.status?.code === SpanStatusCode.OK),
    'unset-status': (t) => group(t, 'unset') && t.specs.some((s) => !s.status),
    'latency-band': (t) => t.durationNs >= 100n * MS && t.durationNs <= 200n * MS,
    nothing: () => false,
    'big-checkout': (t) => str(t, 'http.route', (v) => v === '/checkout') && num(t, 'order.total', 1000, Infinity),
  };

  /**
   * Traces built to fall on either side of the policies: two frontend spans
   * (attributes on the root, or on the child), 10 ms, status UNSET unless
   * told otherwise.
   */
  function policyTraces() {
    const span = (service, name, start, end, attributes, status, parent) => ({
      service,
      name,
      kind: parent === undefined ? SpanKind.SERVER : SpanKind.INTERNAL,
      ...(parent === undefined ? {} : { parent }),
      start,
      end,
      attributes,
      ...(status ? { status } : {}),
    });
    const two = (rootAttrs, childAttrs = {}, { status, childStatus, durMs = 10, childService = 'frontend' } = {}) => [
      span('frontend', 'root', 0n, ms(durMs), rootAttrs, status),
      span(childService, 'child', ms(1), ms(2), childAttrs, childStatus, 0),
    ];
    const single = (service, attributes = {}) => [span(service, 'alone', 0n, ms(10), attributes)];
    const wide = (n) => Array.from({ length: n }, (_, k) => span('frontend', `op ${k}`, ms(k), ms(k + 1), {}, undefined, k > 0 ? 0 : undefined));
    const specs = [
      // string_attribute: exact values, on the root or a child
      two({ 'http.route': '/cart' }),
      two({ 'http.route': '/orders' }, { 'http.route': '/checkout' }),
      two({ 'http.route': '/carts' }),
      two({ 'http.route': '/CART' }),
      two({ 'http.route': 7 }),
      // regular expressions match the whole value
      two({ 'http.route': '/api/v2/items' }),
      two({ 'http.route': '/api/v10/' }),
      two({ 'http.route': '/x/api/v1/items' }),
      two({ 'http.route': '/api/vX/items' }),
      // a resource attribute (backend: deployment.environment.name=staging)
      two({}, {}, { childService: 'backend' }),
      single('backend'),
      two({ 'deployment.environment.name': 'production' }),
      // invert_match: kept when no span has traffic=synthetic
      two({ group: 'invert', traffic: 'synthetic' }),
      two({ group: 'invert', traffic: 'real' }, { traffic: 'synthetic' }),
      two({ group: 'invert', traffic: 'real' }),
      two({ group: 'invert' }),
      // numeric_attribute: [min, max] inclusive, integers and doubles
      two({ 'order.total': 100 }),
      two({ 'order.total': 500 }),
      two({ 'order.total': 250.5 }),
      two({ 'order.total': 99.99 }),
      two({ 'order.total': 500.01 }),
      two({ 'order.total': '200' }),
      two({ 'order.total': 5 }, { 'order.total': 300 }),
      // numeric invert_match: kept when no span has a value in [0, 10]
      two({ group: 'numeric-invert', 'order.total': 10 }),
      two({ group: 'numeric-invert', 'order.total': 0 }),
      two({ group: 'numeric-invert', 'order.total': 11 }),
      two({ group: 'numeric-invert', 'order.total': 10.5 }, { 'order.total': 3 }),
      two({ group: 'numeric-invert' }),
      // span_count
      single('frontend'),
      wide(4),
      wide(5),
      wide(7),
      // status codes
      two({}, {}, { status: OK }),
      two({}, {}, { childStatus: OK }),
      two({}, {}, { status: ERROR }),
      two({ group: 'unset' }),
      two({ group: 'unset' }, {}, { status: OK }),
      two({ group: 'unset' }, {}, { status: OK, childStatus: ERROR }),
      // latency with an upper threshold, both ends inclusive
      two({}, {}, { durMs: 100 }),
      two({}, {}, { durMs: 200 }),
      two({}, {}, { durMs: 150 }),
      two({}, {}, { durMs: 99.999 }),
      two({}, {}, { durMs: 200.001 }),
      // and: every sub-policy
      two({ 'http.route': '/checkout' }, { 'order.total': 1000 }),
      two({ 'http.route': '/checkout', 'order.total': 999 }),
      two({ 'http.route': '/orders', 'order.total': 5000 }),
    ];
    return specs.map((s, i) => ({ kind: `policy case ${i}`, specs: s }));
  }

  before(async () => {
    spoor = await startSpoor({ storage: 'memory', flags: [`--config-file=${await configFile(POLICIES)}`] });
    senders = new Senders([spoor]);
    traces = await sendInRounds(senders, policyTraces());
  });
  after(async () => {
    await senders?.shutdown();
    if (spoor) assert.equal(await spoor.stop(), 0, 'spoor exits 0 on SIGTERM');
  });

  test('spoor_tail_sampling_policy_kept_total counts what each policy keeps', async () => {
    const m = await waitForDecisions(spoor, traces.length);
    const got = {};
    const want = {};
    for (const [name, keeps] of Object.entries(EXPECT)) {
      got[name] = m.policy(name);
      want[name] = traces.filter(keeps).length;
    }
    assert.deepEqual(got, want);
    // The set falls on both sides of every policy.
    for (const name of Object.keys(EXPECT)) {
      assert.ok(want[name] > 0 || name === 'nothing', `policy ${name} keeps some trace of the set`);
      assert.ok(want[name] < traces.length, `policy ${name} leaves some trace of the set`);
    }
  });

  test('a trace is kept when any policy keeps it, and stored whole', async () => {
    const keep = (t) => Object.values(EXPECT).some((f) => f(t));
    const kept = traces.filter(keep);
    assert.ok(kept.length > 0 && kept.length < traces.length, `${kept.length} of ${traces.length} kept by the set's own count`);
    const m = await waitForDecisions(spoor, traces.length);
    assert.equal(m.kept, kept.length, 'traces_total{decision="kept"}');
    assert.equal(m.dropped, traces.length - kept.length, 'traces_total{decision="dropped"}');
    await waitForStored(spoor, kept.reduce((a, t) => a + t.spanCount, 0));
    assertStored(await storedTraces(spoor, traces), traces, keep, 'any policy');
  });
});

// ---------------------------------------------------------------------------

describe('rate_limiting', () => {
  let spoor;
  let senders;
  before(async () => {
    spoor = await startSpoor({
      storage: 'memory',
      flags: [
        `--config-file=${await configFile(`tail_sampling:
  decision_wait: 1s
  policies:
    - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
    - {name: ten-spans-a-second, type: rate_limiting, rate_limiting: {spans_per_second: 10}}
`)}`,
      ],
    });
    // One service, one request per flush: the traces of a batch arrive
    // together and are decided in the same second.
    senders = new Senders([spoor], {
      services: { frontend: { via: 'http-json', resource: {} } },
      batch: { scheduledDelayMillis: 60_000, maxExportBatchSize: 10_000 },
    });
  });
  after(async () => {
    await senders?.shutdown();
    if (spoor) assert.equal(await spoor.stop(), 0, 'spoor exits 0 on SIGTERM');
  });

  /** A trace of 4 frontend spans; `error`: its last span in status ERROR. */
  const fourSpans = (error) =>
    [0, 1, 2, 3].map((k) => ({
      service: 'frontend',
      name: `op ${k}`,
      kind: SpanKind.INTERNAL,
      ...(k > 0 ? { parent: 0 } : {}),
      start: ms(k),
      end: ms(k + 10),
      ...(error && k === 3 ? { status: ERROR } : {}),
    }));

  test('keeps the traces that fit in its spans per second, only among those no other policy kept', async () => {
    // 10 error traces (kept by errors, not counted against the rate) and
    // 30 others of 4 spans: 2 fit in 10 spans a second.
    const all = [];
    for (let batch = 1; batch <= 2; batch++) {
      const specs = shuffle(
        [...Array.from({ length: 10 }, () => ({ kind: 'error', specs: fourSpans(true) })),
          ...Array.from({ length: 30 }, () => ({ kind: 'other', specs: fourSpans(false) }))],
        batch,
      );
      const traces = await sendInRounds(senders, specs, { roundSize: specs.length });
      all.push(...traces);
      const m = await waitForDecisions(spoor, 40 * batch);
      assert.equal(m.policy('errors'), 10 * batch, `batch ${batch}: policy_kept_total{policy="errors"}`);
      assert.equal(m.policy('ten-spans-a-second'), 2 * batch, `batch ${batch}: policy_kept_total{policy="ten-spans-a-second"}`);
      assert.equal(m.kept, 12 * batch, `batch ${batch}: traces_total{decision="kept"}`);
      assert.equal(m.dropped, 28 * batch, `batch ${batch}: traces_total{decision="dropped"}`);
      // The next batch in another second.
      await sleep(1100);
    }
    await waitForStored(spoor, 24 * 4);
    const stored = await storedTraces(spoor, all);
    const errors = all.filter((t) => t.kind === 'error');
    assertStored(stored, errors, () => true, 'error traces');
    const others = all.filter((t) => t.kind === 'other' && stored.get(t.traceId) !== null);
    assert.equal(others.length, 4, 'two other traces of each batch stored');
    for (const t of others) assert.deepEqual(stored.get(t.traceId), t.spanIds, `${describeTrace(t)} stored whole`);
    assert.equal((await tailMetrics(spoor)).stored, 24 * 4, 'spoor_spans_stored_total');
  });
});

// ---------------------------------------------------------------------------

describe('late spans', () => {
  let spoor;
  let senders;
  const NUM_TRACES = 5; // decisions remembered: 2 x 5

  before(async () => {
    spoor = await startSpoor({
      storage: 'memory',
      flags: [
        `--config-file=${await configFile(`tail_sampling:
  decision_wait: 1s
  num_traces: ${NUM_TRACES}
  policies:
    - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
    - {name: slow, type: latency, latency: {threshold_ms: 500}}
`)}`,
      ],
    });
    senders = new Senders([spoor]);
  });
  after(async () => {
    await senders?.shutdown();
    if (spoor) assert.equal(await spoor.stop(), 0, 'spoor exits 0 on SIGTERM');
  });

  /** A late child of the trace's root: frontend or backend, OK or ERROR. */
  const lateSpan = (t, { service = 'backend', status = OK, startMs = 20 } = {}) => [
    { service, name: 'late', kind: SpanKind.CONSUMER, parent: t.contexts[0], start: ms(startMs), end: ms(startMs + 5), status },
  ];

  test('a span after its trace was decided follows the decision; after 2 x num_traces decisions it starts a new trace', async () => {
    const base = baseTime();
    // K (an error: kept), then D (fast: dropped), in that order.
    const K = recordTrace(senders, base, fastTrace(0, 30, { errorAt: 2 }));
    await senders.flush();
    const D = recordTrace(senders, base, fastTrace(1, 30));
    await senders.flush();
    let m = await waitForDecisions(spoor, 2);
    assert.deepEqual([m.kept, m.dropped], [1, 1], 'K kept, D dropped');
    await waitForStored(spoor, K.spanCount);
    assert.deepEqual(await storedSpanIds(spoor, K.traceId), K.spanIds, 'K stored whole');
    assert.equal(await storedSpanIds(spoor, D.traceId), null, 'D not stored');

    // Late spans: an OK span of K is stored; an ERROR span of D (which
    // alone would be kept) follows D's decision.
    const lateK = recordTrace(senders, base, lateSpan(K));
    recordTrace(senders, base, lateSpan(D, { service: 'frontend', status: ERROR }));
    await senders.flush();
    m = await waitFor(
      async () => {
        const x = await tailMetrics(spoor);
        return x.lateKept + x.lateDropped >= 2 ? x : null;
      },
      { timeoutMs: 30_000, description: 'two late spans counted' },
    );
    assert.equal(m.lateKept, 1, 'late_spans_total{decision="kept"}');
    assert.equal(m.lateDropped, 1, 'late_spans_total{decision="dropped"}');
    await waitForStored(spoor, K.spanCount + 1);
    assert.deepEqual(await storedSpanIds(spoor, K.traceId), [...K.spanIds, ...lateK.spanIds].sort(), 'the late span joins K');
    assert.equal(await storedSpanIds(spoor, D.traceId), null, 'D is still not stored');
    m = await tailMetrics(spoor);
    assert.deepEqual([m.kept, m.dropped, m.held], [1, 1, 0], 'no new decision, nothing held');
    assert.equal(m.policy('errors'), 1, 'the late ERROR span did not make D an error trace');
    assert.equal(m.acceptedTail, K.spanCount + 1, 'the late span re-enters under transport="tail_sampling"');

    // 9 more decisions: 11 in all, of which the last 10 are remembered —
    // D's (the 2nd) still, K's (the 1st) no more. Sent 5, then 4: no trace
    // is decided early before all its spans arrived.
    const more = await sendInRounds(
      senders,
      Array.from({ length: 9 }, (_, i) => ({ specs: fastTrace(i, 20) })),
      { roundSize: NUM_TRACES },
    );
    m = await waitForDecisions(spoor, 11);
    assert.deepEqual([m.kept, m.dropped], [1, 10], 'the 9 fast traces dropped');
    assert.deepEqual([m.lateKept, m.lateDropped], [1, 1], 'no late spans among them');

    // D is remembered: another ERROR span is dropped as late.
    recordTrace(senders, base, lateSpan(D, { status: ERROR, startMs: 40 }));
    await senders.flush();
    m = await waitFor(
      async () => {
        const x = await tailMetrics(spoor);
        return x.lateDropped >= 2 ? x : null;
      },
      { timeoutMs: 30_000, description: 'a second late span of D counted as dropped' },
    );
    assert.deepEqual([m.lateKept, m.lateDropped, m.held], [1, 2, 0], 'D remembered as dropped');

    // K is forgotten: an OK span of it is held as a new trace, and that
    // trace, fast without errors, is dropped — it does not join K.
    recordTrace(senders, base, lateSpan(K, { startMs: 60 }));
    await senders.flush();
    m = await waitForDecisions(spoor, 12);
    assert.deepEqual([m.kept, m.dropped], [1, 11], 'the forgotten trace decided again, as new: dropped');
    assert.deepEqual([m.lateKept, m.lateDropped], [1, 2], 'not counted as a late span');
    assert.deepEqual(await storedSpanIds(spoor, K.traceId), [...K.spanIds, ...lateK.spanIds].sort(), 'K unchanged');
    for (const t of [D, ...more]) assert.equal(await storedSpanIds(spoor, t.traceId), null, `${t.traceId} not stored`);
    assert.equal((await tailMetrics(spoor)).stored, K.spanCount + 1, 'spoor_spans_stored_total');
  });
});

// ---------------------------------------------------------------------------

describe('num_traces: the oldest held trace decided early', () => {
  const NUM_TRACES = 50;
  const TRACES = 500;
  let dir;
  const started = [];
  after(async () => {
    for (const s of started) if (s.alive) await s.stop().catch(() => {});
  });

  test('500 traces through a cap of 50: 450 decided early and stored, 50 held until a clean stop writes them', async () => {
    dir = tempDir('spoor-tail-sampling-cap-');
    const storage = { type: 'embedded', flags: [`--embedded.directory=${dir}`] };
    const spoor = await startSpoor({
      storage,
      flags: [
        `--config-file=${await configFile(`tail_sampling:
  decision_wait: 1h
  num_traces: ${NUM_TRACES}
  policies:
    - {name: everything, type: always_sample}
`)}`,
      ],
    });
    started.push(spoor);
    const senders = new Senders([spoor]);

    // traces_held sampled all along, and after each round of 50.
    let maxHeld = 0;
    let samples = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const held = (await tailMetrics(spoor)).held;
        maxHeld = Math.max(maxHeld, held);
        samples++;
        await sleep(10);
      }
    })();
    const twoSpans = () => [
      { service: 'frontend', name: 'GET /item', kind: SpanKind.SERVER, start: 0n, end: ms(20) },
      { service: 'backend', name: 'item', kind: SpanKind.SERVER, parent: 0, start: ms(5), end: ms(15) },
    ];
    const afterRound = async (round) => {
      const m = await tailMetrics(spoor);
      assert.equal(m.held, NUM_TRACES, `after round ${round}: traces_held`);
      assert.equal(m.early, NUM_TRACES * (round - 1), `after round ${round}: decided early`);
      assert.equal(m.kept, NUM_TRACES * (round - 1), `after round ${round}: traces_total{decision="kept"}`);
    };
    let traces;
    try {
      traces = await sendInRounds(
        senders,
        Array.from({ length: TRACES }, () => ({ specs: twoSpans() })),
        { roundSize: NUM_TRACES, afterRound },
      );
    } finally {
      sampling = false;
      await sampler;
      await senders.shutdown();
    }
    assert.ok(samples > 5, `traces_held sampled ${samples} times`);
    assert.ok(maxHeld <= NUM_TRACES, `traces_held reached ${maxHeld}, above num_traces ${NUM_TRACES}`);

    const early = traces.slice(0, TRACES - NUM_TRACES);
    const held = traces.slice(TRACES - NUM_TRACES);
    await waitForStored(spoor, early.length * 2);
    const m = await tailMetrics(spoor);
    assert.equal(m.early, 450, 'traces_decided_early_total');
    assert.equal(m.kept, 450, 'traces_total{decision="kept"}');
    assert.equal(m.dropped, 0, 'traces_total{decision="dropped"}');
    assert.equal(m.held, 50, 'traces_held');
    assert.equal(m.policy('everything'), 450, 'policy_kept_total{policy="everything"}');
    assert.equal(m.stored, 900, 'spoor_spans_stored_total');
    assert.equal(m.lateKept + m.lateDropped, 0, 'no late spans');
    const stored = await storedTraces(spoor, traces);
    assertStored(stored, early, () => true, 'the 450 oldest');
    assertStored(stored, held, () => false, 'the 50 newest, still held');

    // SIGTERM decides the 50 held and writes them before the store closes.
    assert.equal(await spoor.stop(), 0, `spoor exits 0 on SIGTERM; logs:\n${spoor.logs.slice(-2000)}`);
    const reopened = await startSpoor({ storage });
    started.push(reopened);
    const reread = await storedTraces(reopened, traces);
    assertStored(reread, traces, () => true, 'all 500 after a clean stop and a restart');
    assert.equal(await reopened.stop(), 0);
  });
});

// ---------------------------------------------------------------------------

describe('a collector writing to storage directly', () => {
  const started = [];
  after(async () => {
    for (const s of started) if (s.alive) await s.stop().catch(() => {});
  });

  test('holds the traces, and at a clean stop writes the kept ones only', async () => {
    const dir = tempDir('spoor-tail-sampling-collector-');
    const storage = { type: 'embedded', flags: [`--embedded.directory=${dir}`] };
    const collector = await startSpoor({
      subcommand: 'collector',
      storage,
      flags: [`--config-file=${await configFile(`tail_sampling:\n  decision_wait: 1h\n${SCENARIO_POLICIES}`)}`],
    });
    started.push(collector);
    const senders = new Senders([collector]);
    let traces;
    try {
      traces = await sendInRounds(senders, [
        { kind: 'error', specs: fastTrace(1, 40, { errorAt: 2 }) },
        { kind: 'slow', specs: sequenceTrace(700n * MS, 4) },
        { kind: 'fast', specs: fastTrace(2, 40) },
        { kind: 'fast', specs: fastTrace(3, 499) },
      ]);
    } finally {
      await senders.shutdown();
    }
    const m = await tailMetrics(collector);
    assert.equal(m.held, traces.length, 'traces_held');
    assert.equal(m.kept + m.dropped, 0, 'nothing decided within decision_wait');
    assert.equal(m.stored, 0, 'nothing stored yet');
    assert.equal(await collector.stop(), 0, `the collector exits 0 on SIGTERM; logs:\n${collector.logs.slice(-2000)}`);

    const query = await startSpoor({ subcommand: 'query', storage });
    started.push(query);
    // The fast traces may fall in the 1% share: learned from their IDs
    // through a spoor running that policy alone.
    const probe = await startSpoor({
      storage: 'memory',
      flags: [
        `--config-file=${await configFile(`tail_sampling:
  decision_wait: 1s
  policies:
    - {name: p, type: probabilistic, probabilistic: {sampling_percentage: 1}}
`)}`,
      ],
    });
    started.push(probe);
    const probeSenders = new Senders([probe], { services: { frontend: SERVICES.frontend } });
    const base = baseTime();
    const sameIds = traces.map((t) =>
      recordTrace(probeSenders, base, [{ service: 'frontend', name: 'id', parent: t.contexts[0], start: 0n, end: MS }]),
    );
    await probeSenders.flush();
    await probeSenders.shutdown();
    const pm = await waitForDecisions(probe, traces.length);
    await waitForStored(probe, pm.kept);
    const inShare = new Set();
    for (const t of sameIds) if ((await storedSpanIds(probe, t.traceId)) !== null) inShare.add(t.traceId);

    const keep = (t) => t.kind !== 'fast' || inShare.has(t.traceId);
    assertStored(await storedTraces(query, traces), traces, keep, 'after the collector stopped');
  });
});

// ---------------------------------------------------------------------------

describe('bad configuration', () => {
  /** Runs spoor with `yaml` as its config file: {code, stderr}. */
  async function runWith(yaml) {
    const file = await configFile(yaml);
    return runSpoor(['all-in-one', ...(await portFlags()), '--span-storage.type=memory', `--config-file=${file}`], {
      timeoutMs: 10_000,
    });
  }

  const policy = (yaml) => `tail_sampling:
  decision_wait: 1s
  policies:
    - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
${yaml}`;

  const cases = [
    {
      what: 'an unknown policy type',
      yaml: policy(`    - {name: slow, type: latency, latency: {threshold_ms: 500}}
    - {name: mixed, type: cascading, cascading: {spans_per_second: 100}}
`),
      key: 'tail_sampling.policies[2].type',
      also: [/unknown policy type 'cascading'/, /supported: .*always_sample.*composite/],
    },
    {
      what: 'a composite without sub-policies',
      yaml: policy(`    - {name: mixed, type: composite, composite: {max_total_spans_per_second: 100}}\n`),
      key: 'tail_sampling.policies[1].composite.composite_sub_policy',
      also: [/missing/],
    },
    ...['ottl_condition', 'trace_state', 'boolean_attribute'].map((type) => ({
      what: `the unsupported type ${type}`,
      yaml: policy(`    - {name: x, type: ${type}, ${type}: {key: k}}\n`),
      key: 'tail_sampling.policies[1].type',
      also: [new RegExp(`unknown policy type '${type}'`)],
    })),
    {
      what: 'a latency policy without threshold_ms',
      yaml: policy(`    - {name: slow, type: latency, latency: {upper_threshold_ms: 900}}\n`),
      key: 'tail_sampling.policies[1].latency.threshold_ms',
    },
    {
      what: 'an invalid regular expression',
      yaml: policy(`    - name: routes
      type: string_attribute
      string_attribute: {key: http.route, values: ['/api/(v1', '/ok'], enabled_regex_matching: true}
`),
      key: 'tail_sampling.policies[1].string_attribute.values',
      also: [/\/api\/\(v1/],
    },
    {
      what: 'an invalid regular expression inside an and policy',
      yaml: policy(`    - name: both
      type: and
      and:
        and_sub_policy:
          - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
          - {name: r, type: string_attribute, string_attribute: {key: k, values: ['[a-'], enabled_regex_matching: true}}
`),
      key: 'tail_sampling.policies[1].and.and_sub_policy[1].string_attribute.values',
    },
    {
      what: 'an unknown status code',
      yaml: policy(`    - {name: odd, type: status_code, status_code: {status_codes: [BROKEN]}}\n`),
      key: 'tail_sampling.policies[1].status_code.status_codes',
      also: [/BROKEN/],
    },
    {
      what: 'a threshold that is not a number',
      yaml: policy(`    - {name: slow, type: latency, latency: {threshold_ms: fast}}\n`),
      key: 'tail_sampling.policies[1].latency.threshold_ms',
    },
    {
      what: 'a bad decision_wait',
      yaml: `tail_sampling:\n  decision_wait: soon\n  policies:\n    - {name: all, type: always_sample}\n`,
      key: 'tail_sampling.decision_wait',
    },
    {
      what: 'no policies',
      yaml: `tail_sampling:\n  decision_wait: 1s\n`,
      key: 'tail_sampling.policies',
    },
  ];

  for (const c of cases) {
    test(`${c.what}: spoor exits non-zero at startup with one line naming ${c.key}`, async () => {
      const { code, stderr } = await runWith(c.yaml);
      assert.notEqual(code, null, `exited by itself, not by a signal; stderr:\n${stderr}`);
      assert.notEqual(code, 0, `exit code; stderr:\n${stderr}`);
      const lines = stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, `exactly one stderr line, got:\n${stderr}`);
      assert.ok(lines[0].includes(`${c.key}:`), `the line names ${c.key}: ${lines[0]}`);
      for (const re of c.also ?? []) assert.match(lines[0], re);
    });
  }

  test('every supported policy type together is accepted', async () => {
    const file = await configFile(`tail_sampling:
  decision_wait: 10s
  num_traces: 100
  policies:
    - {name: a, type: always_sample}
    - {name: b, type: latency, latency: {threshold_ms: 500, upper_threshold_ms: 5000}}
    - {name: c, type: status_code, status_code: {status_codes: [ERROR, OK, UNSET]}}
    - {name: d, type: string_attribute, string_attribute: {key: k, values: ['a.*', b], enabled_regex_matching: true, invert_match: true}}
    - {name: e, type: numeric_attribute, numeric_attribute: {key: n, min_value: 1, max_value: 2, invert_match: false}}
    - {name: f, type: probabilistic, probabilistic: {sampling_percentage: 12.5}}
    - {name: g, type: rate_limiting, rate_limiting: {spans_per_second: 100}}
    - {name: h, type: span_count, span_count: {min_spans: 2, max_spans: 10}}
    - name: i
      type: and
      and:
        and_sub_policy:
          - {name: i1, type: latency, latency: {threshold_ms: 1}}
          - {name: i2, type: probabilistic, probabilistic: {sampling_percentage: 50}}
`);
    const spoor = await startSpoor({ storage: 'memory', flags: [`--config-file=${file}`] });
    try {
      const m = await tailMetrics(spoor);
      assert.equal(m.held, 0, 'spoor_tail_sampling_traces_held is exported');
    } finally {
      assert.equal(await spoor.stop(), 0);
    }
  });
});

// ---------------------------------------------------------------------------

/** Starts tracegen: {child, done} where done resolves with {code, signal, stdout, stderr}. */
function startTracegen(args, { timeoutMs = 300_000 } = {}) {
  const child = spawn(TRACEGEN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const done = new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}

/** VmRSS of a process in bytes. */
function rssBytes(pid) {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m[1]) * 1024;
}

describe('load at the cap: memory stays bounded', { skip: !existsSync(TRACEGEN) && `no tracegen binary at ${TRACEGEN}` }, () => {
  const NUM_TRACES = 1000;
  const TRACES = 50_000;
  const SPANS_PER_TRACE = 10; // tracegen's traces
  const RSS_HEADROOM = 200 * 1024 * 1024;
  let spoor;
  after(async () => {
    if (spoor) assert.equal(await spoor.stop(), 0, 'spoor exits 0 on SIGTERM');
  });

  test(`${TRACES} traces as fast as tracegen sends them, num_traces ${NUM_TRACES}, decision_wait 60s`, async () => {
    spoor = await startSpoor({
      storage: 'memory',
      // The store kept small too: what grows would be the sampler's.
      flags: [
        '--memory.max-traces=1000',
        `--config-file=${await configFile(`tail_sampling:
  decision_wait: 60s
  num_traces: ${NUM_TRACES}
  policies:
    - {name: five-percent, type: probabilistic, probabilistic: {sampling_percentage: 5}}
`)}`,
      ],
    });
    const pid = spoor.proc.pid;
    await sleep(500);
    const rssBefore = rssBytes(pid);
    const mb = (b) => `${(b / 1024 / 1024).toFixed(1)} MB`;

    const started = Date.now();
    const gen = startTracegen([
      '--protocol=otlp-http',
      `--endpoint=127.0.0.1:${spoor.ports.otlpHttp}`,
      `--count=${TRACES * SPANS_PER_TRACE}`,
      '--connections=4',
      '--timeout=10s',
    ]);
    // RSS and traces_held sampled while tracegen runs, as an operator's
    // scraper would; a failed scrape ends the run.
    let rssMax = rssBefore;
    let heldMax = 0;
    let samples = 0;
    let scrapeError = null;
    let running = true;
    gen.done.then(() => (running = false));
    while (running) {
      rssMax = Math.max(rssMax, rssBytes(pid));
      try {
        heldMax = Math.max(heldMax, (await tailMetrics(spoor)).held);
        samples++;
      } catch (err) {
        scrapeError = err;
        gen.child.kill('SIGKILL');
        break;
      }
      await sleep(10);
    }
    const run = await gen.done;
    const elapsedMs = Date.now() - started;
    assert.ok(
      !scrapeError,
      `/metrics scraped while tracegen sent (${samples} answers, ${Date.now() - started} ms in): ${scrapeError?.message}; ` +
        `tracegen so far:\n${run.stdout}${run.stderr}`,
    );
    rssMax = Math.max(rssMax, rssBytes(pid));
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, new RegExp(`spans: +sent ${TRACES * SPANS_PER_TRACE}, acknowledged ${TRACES * SPANS_PER_TRACE}, failed 0`));

    assert.ok(samples >= 3, `sampled ${samples} times`);
    assert.ok(heldMax <= NUM_TRACES, `traces_held reached ${heldMax}, above num_traces ${NUM_TRACES}`);
    assert.ok(
      rssMax <= rssBefore + RSS_HEADROOM,
      `RSS reached ${mb(rssMax)}, from ${mb(rssBefore)} before: more than ${mb(RSS_HEADROOM)} above`,
    );

    // Every span was held before it was acknowledged: each trace is held or decided.
    const m = await tailMetrics(spoor);
    const decided = m.kept + m.dropped;
    assert.ok(m.held <= NUM_TRACES, `traces_held ${m.held}`);
    assert.equal(decided + m.held, TRACES, 'traces decided + held');
    assert.ok(m.early <= decided, 'decided early is part of decided');
    if (elapsedMs < 55_000) {
      // No trace waited its 60 s: all but the newest 1000 were decided early.
      assert.equal(m.held, NUM_TRACES, 'traces_held');
      assert.equal(m.early, TRACES - NUM_TRACES, 'traces_decided_early_total');
    }
    assert.equal(m.acceptedReceivers, TRACES * SPANS_PER_TRACE, 'spans accepted by the receiver');
    assert.equal(m.lateKept + m.lateDropped, 0, 'distinct traces: no late spans');
    // 5% of the decided traces, within 4 standard deviations.
    const sigma = Math.sqrt(decided * 0.05 * 0.95);
    assert.ok(Math.abs(m.kept - decided * 0.05) <= 4 * sigma, `${m.kept} of ${decided} kept at 5% (sigma ${sigma.toFixed(1)})`);
    assert.equal(m.policy('five-percent'), m.kept);
    assert.equal(m.acceptedTail + m.lost, m.kept * SPANS_PER_TRACE, 'every span of a kept trace re-entered or counted lost');
    console.log(
      `# ${TRACES} traces in ${elapsedMs} ms: RSS ${mb(rssBefore)} before, ${mb(rssMax)} at most; ` +
        `traces_held at most ${heldMax} (${samples} samples); ${m.early} decided early, ${m.kept} kept`,
    );
  });
});
