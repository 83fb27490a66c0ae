// Adaptive sampling (--sampling.type=adaptive) end to end: the strategy
// served before any traffic (5778, 14268 and gRPC 14250); which root spans
// count and what the calculation makes of them; a real jaeger-client whose
// remote sampler follows the probabilities spoor calculates for a busy and a
// quiet operation; @opentelemetry/sampler-jaeger-remote applying them; two
// collectors sharing a ClickHouse sampling store, and two taking the
// leader's lease in NATS (one leader; a takeover when it is killed or
// stopped); probabilities kept by the embedded store across a restart;
// with --multi-tenancy.enabled, each tenant's probabilities calculated from
// its own traffic alone and served to polls naming it.
//
// Intervals are shortened so that calculations come every second:
// calculation interval 1 s, delay 1 s, leader lease 200 ms, follower 1 s.
// A calculation then reads the counts one collector saved for one interval,
// and for each operation (docs/sampling.md):
//   request rate  R = sum(count / reported probability) / interval
//   sampled rate  q = R * p                (p: current, else the initial)
//   next p = p                    when |q - target| / target < 0.3
//          = 2p                   when q = 0
//          = p * target / q       otherwise, an increase at most 2p
//   clamped to [min probability, 1].

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT_CONTEXT, SpanKind as OtelSpanKind } from '@opentelemetry/api';
import { JaegerRemoteSampler } from '@opentelemetry/sampler-jaeger-remote';
import { AlwaysOffSampler, SamplingDecision, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import { clickhouseMissing, startClickHouse } from '../lib/clickhouse.mjs';
import { natsMissing, startNats } from '../lib/nats.mjs';
import { request, sendTraces, span } from '../lib/otlp.mjs';
import { grpcStrategy } from '../lib/strategies.mjs';
import {
  clickhouseServers,
  fetchJson,
  getMetrics,
  metric,
  nowNs,
  randomHex,
  randomSpanId,
  randomTraceId,
  searchTraces,
  sleep,
  startSpoor,
  tagMap,
  tempDir,
  waitFor,
} from '../lib/spoor.mjs';

const require = createRequire(import.meta.url);

const INTERVAL_MS = 1000;
const LOWER_BOUND = 1 / 60;

/** The --sampling.* flags of these tests; `options` overrides any of them. */
function adaptiveFlags(options = {}) {
  const settings = {
    type: 'adaptive',
    'calculation-interval': `${INTERVAL_MS}ms`,
    delay: `${INTERVAL_MS}ms`,
    'leader-lease-refresh-interval': '200ms',
    'follower-lease-refresh-interval': '1s',
    ...options,
  };
  return Object.entries(settings).map(([name, value]) => `--sampling.${name}=${value}`);
}

/** The strategy every service gets before anything was calculated for it. */
function initialStrategy(initial) {
  return {
    strategyType: 'PROBABILISTIC',
    probabilisticSampling: { samplingRate: initial },
    operationSampling: {
      defaultSamplingProbability: initial,
      defaultLowerBoundTracesPerSecond: LOWER_BOUND,
      perOperationStrategies: [],
      defaultUpperBoundTracesPerSecond: 0,
    },
  };
}

/** GET {base}{path}?service=S (with `headers`); the parsed JSON, or an error naming the answer. */
async function getStrategy(base, service, path = '/sampling', headers = {}) {
  const res = await fetchJson(`${base}${path}?service=${encodeURIComponent(service)}`, { headers });
  if (res.status !== 200 || res.body === undefined) {
    throw new Error(`GET ${base}${path}?service=${service} answered ${res.status}: ${res.text.slice(0, 300)}`);
  }
  return res.body;
}

/** The per-operation probabilities of a strategy as {operation: probability}. */
function perOperation(strategy) {
  const list = strategy?.operationSampling?.perOperationStrategies;
  if (!Array.isArray(list)) throw new Error(`no per-operation strategies in ${JSON.stringify(strategy)}`);
  return Object.fromEntries(list.map((o) => [o.operation, o.probabilisticSampling.samplingRate]));
}

/** What spoor serves on its agent port for `service`, per operation. */
async function servedProbabilities(spoor, service) {
  try {
    return perOperation(await getStrategy(spoor.baseUrls.sampling, service));
  } catch (err) {
    throw withProcessState(err, spoor);
  }
}

/** Adds to err whether spoor still runs, and the end of its log when not. */
function withProcessState(err, spoor) {
  if (spoor.alive) {
    err.message += ' (spoor is running)';
  } else {
    const { exitCode, signalCode } = spoor.proc;
    err.message += ` (spoor exited: code ${exitCode}, signal ${signalCode}; log:\n${spoor.logs.slice(-3000)})`;
  }
  return err;
}


async function leaderGauge(spoor) {
  return metric(await getMetrics(spoor), 'spoor_sampling_leader');
}

/** A root span (or a child when `parent` is given) in OTLP/JSON, ending now. */
function rootSpan(name, attributes = {}, parent) {
  const end = nowNs();
  return span({
    traceId: randomTraceId(),
    spanId: randomSpanId(),
    parentSpanId: parent,
    name,
    startNs: end - 1_000_000n,
    endNs: end,
    attributes,
  });
}

const probabilistic = (p) => ({ 'sampler.type': 'probabilistic', 'sampler.param': p });

/** `count` root spans named `name` reporting probabilistic sampling at `p`. */
const roots = (name, count, p) => Array.from({ length: count }, () => rootSpan(name, probabilistic(p)));

/**
 * Records, every 100 ms, what spoor serves to `service`: for each operation
 * the values in the order served, each with when it was first and last seen
 * (ms). A value holds for at least one calculation interval, so none is
 * missed.
 */
class ServedHistory {
  constructor(spoor, service) {
    this.spoor = spoor;
    this.service = service;
    this.changes = new Map(); // operation -> [{value, first, last}]
    this.started = Date.now();
    this.polls = 0;
    this.failures = 0;
    this.lastError = null;
    this.stopped = false;
    this.done = this.run();
  }

  async run() {
    while (!this.stopped) {
      const now = Date.now();
      let served;
      try {
        served = await servedProbabilities(this.spoor, this.service);
      } catch (err) {
        // Counted and shown by describe(); the next poll tries again.
        this.failures++;
        this.lastError = err;
        await sleep(100);
        continue;
      }
      this.polls++;
      for (const [op, value] of Object.entries(served)) {
        if (!this.changes.has(op)) this.changes.set(op, []);
        const list = this.changes.get(op);
        const last = list.at(-1);
        if (last && last.value === value) last.last = now;
        else list.push({ value, first: now, last: now });
      }
      await sleep(100);
    }
  }

  async stop() {
    this.stopped = true;
    await this.done;
  }

  of(op) {
    return this.changes.get(op) ?? [];
  }

  /** The value served for `op` at time t (ms), or undefined before it was served. */
  valueAt(op, t) {
    let value;
    for (const c of this.of(op)) if (c.first <= t) value = c.value;
    return value;
  }

  /** The values served for `op` at some time within [from, to] (ms). */
  valuesBetween(op, from, to) {
    const list = this.of(op);
    const out = new Set();
    list.forEach((c, i) => {
      const until = i + 1 < list.length ? list[i + 1].first : Infinity;
      if (c.first <= to && until >= from) out.add(c.value);
    });
    return out;
  }

  /** Median over time of the value served for `op` within [from, to] (ms). */
  timeMedian(op, from, to) {
    const list = this.of(op);
    const pieces = [];
    list.forEach((c, i) => {
      const start = Math.max(c.first, from);
      const end = Math.min(i + 1 < list.length ? list[i + 1].first : to, to);
      if (end > start) pieces.push({ value: c.value, length: end - start });
    });
    pieces.sort((a, b) => a.value - b.value);
    const total = pieces.reduce((s, p) => s + p.length, 0);
    let seen = 0;
    for (const p of pieces) {
      seen += p.length;
      if (seen >= total / 2) return p.value;
    }
    return undefined;
  }

  describe(op) {
    const t0 = this.started;
    const changes = this.of(op)
      .map((c) => `${c.value} (${((c.first - t0) / 1000).toFixed(1)}..${((c.last - t0) / 1000).toFixed(1)} s)`)
      .join(' -> ');
    const failed = this.failures ? `; ${this.failures} failed polls, last: ${this.lastError?.message}` : '';
    return `${changes || 'nothing served'}${failed}`;
  }
}

/**
 * Checks that no change of `op`'s probability rose faster than doubling per
 * calculation. Calculations are at least one interval apart, so between the
 * last time a value was seen and the first time the next one was, at most
 * floor(gap / interval) + 1 of them ran. `from` is the value served before
 * the first one (the initial probability).
 */
function assertIncreasesCapped(history, op, from) {
  let previous = { value: from, last: history.of(op)[0]?.first ?? 0 };
  for (const c of history.of(op)) {
    const calculations = Math.floor((c.first - previous.last) / INTERVAL_MS) + 1;
    const limit = previous.value * 2 ** calculations * (1 + 1e-9);
    assert.ok(
      c.value <= limit,
      `${op}: ${previous.value} -> ${c.value} with at most ${calculations} calculation(s) between; ` +
        `history: ${history.describe(op)}`,
    );
    previous = c;
  }
}

/**
 * Every root span of `service`/`operation` stored with a start time in
 * [fromMs, toMs), through /api/traces (split into shorter windows when one
 * reaches the search limit).
 */
async function storedRootSpans(spoor, service, operation, fromMs, toMs) {
  const limit = 1500;
  const res = await searchTraces(spoor.baseUrls.query, {
    service,
    operation,
    start: Math.floor(fromMs * 1000),
    end: Math.floor(toMs * 1000),
    limit,
  });
  assert.equal(res.status, 200, res.text.slice(0, 300));
  if (res.body.data.length >= limit) {
    const middle = (fromMs + toMs) / 2;
    return [
      ...(await storedRootSpans(spoor, service, operation, fromMs, middle)),
      ...(await storedRootSpans(spoor, service, operation, middle, toMs)),
    ];
  }
  return res.body.data
    .flatMap((t) => t.spans)
    .filter((s) => s.operationName === operation && s.references.length === 0)
    .filter((s) => s.startTime >= fromMs * 1000 && s.startTime < toMs * 1000);
}

/** The spans' sampler tags as [type, param]. */
const samplerTags = (s) => {
  const tags = tagMap(s.tags);
  return [tags.get('sampler.type')?.value, tags.get('sampler.param')?.value];
};

/** Polls `read` until it returns the same count twice, 500 ms apart. */
async function settledCount(read, description) {
  let previous = -1;
  return waitFor(
    async () => {
      const n = await read();
      const settled = n === previous && n > 0;
      previous = n;
      return settled ? n : null;
    },
    { timeoutMs: 30_000, intervalMs: 500, description },
  );
}

// ---------------------------------------------------------------------------

describe('adaptive sampling: the strategy served before any traffic', () => {
  const INITIAL = 0.001; // the default
  let spoor;
  before(async () => {
    spoor = await startSpoor({ storage: 'memory', flags: adaptiveFlags() });
  });
  after(() => spoor?.stop());

  test('5778 /sampling and 14268 /api/sampling: the initial probability, the lower bound, no operations', async () => {
    for (const [base, path] of [
      [spoor.baseUrls.sampling, '/sampling'],
      [spoor.baseUrls.sampling, '/'],
      [spoor.baseUrls.jaegerHttp, '/api/sampling'],
    ]) {
      for (const service of ['frontend', 'never-seen']) {
        assert.deepEqual(await getStrategy(base, service, path), initialStrategy(INITIAL), `${base}${path} ${service}`);
      }
    }
  });

  test('gRPC SamplingManager on 14250 serves the same strategy', async () => {
    assert.deepEqual(await grpcStrategy(spoor.jaegerGrpcAddress, 'frontend'), initialStrategy(INITIAL));
  });

  test('the one collector becomes the leader (spoor_sampling_leader 1)', async () => {
    await waitFor(async () => (await leaderGauge(spoor)) === 1, {
      timeoutMs: 15_000,
      description: 'spoor_sampling_leader 1 on /metrics',
    });
  });

  test('the initial probability flag is what is served', async () => {
    const other = await startSpoor({
      storage: 'memory',
      flags: adaptiveFlags({ 'initial-sampling-probability': 0.25, 'min-samples-per-second': 0.5 }),
    });
    try {
      const want = initialStrategy(0.25);
      want.operationSampling.defaultLowerBoundTracesPerSecond = 0.5;
      assert.deepEqual(await getStrategy(other.baseUrls.sampling, 'svc'), want);
      assert.deepEqual(await grpcStrategy(other.jaegerGrpcAddress, 'svc'), want);
    } finally {
      await other.stop();
    }
  });
});

describe('adaptive sampling: what counts and what the calculation makes of it', () => {
  // target 5/s, initial probability 0.1. Each group below is sent in one
  // request, so its counts land in one saved interval; the calculation
  // reads that interval (length s, 1 s plus the loop's lateness) and, with
  // no further spans, keeps the operation's rate from it.
  const TARGET = 5;
  const INITIAL = 0.1;
  const SERVICE = 'counting';
  let spoor;
  let history;
  before(async () => {
    spoor = await startSpoor({
      storage: 'memory',
      flags: adaptiveFlags({
        'target-samples-per-second': TARGET,
        'initial-sampling-probability': INITIAL,
        'aggregation-buckets': 60,
      }),
    });
    history = new ServedHistory(spoor, SERVICE);
    const lowerbound = (type) => ({ 'sampler.type': type, 'sampler.param': INITIAL });
    const spans = [
      // R = 100 / 0.1 / s = 1000/s; q = R * 0.1 = 100/s; p = 0.1 * 5 / 100 = 0.005 * s.
      ...roots('busy', 100, INITIAL),
      // R = (10 / 0.5 + 10 / 0.05) / s = 220/s; q = 22/s; p = 0.1 * 5 / 22 = 0.0227 * s.
      ...roots('mixed', 10, 0.5),
      ...roots('mixed', 10, 0.05),
      // Known with a count of 0: q = 0, so p doubles every calculation.
      rootSpan('lower', lowerbound('lowerbound')),
      rootSpan('limited', lowerbound('ratelimiting')),
      rootSpan('constant', lowerbound('const')),
      // Not counted: a child span, a root without sampler tags.
      rootSpan('child', probabilistic(INITIAL), randomSpanId()),
      rootSpan('untagged', {}),
    ];
    await sendTraces(spoor.baseUrls.otlpHttp, request([{ service: SERVICE, spans }]));
    await sendTraces(spoor.baseUrls.otlpHttp, request([{ service: 'counting-other', spans: roots('elsewhere', 50, INITIAL) }]));
  });
  after(async () => {
    await history?.stop();
    await spoor?.stop();
  });

  test('probabilistic roots: count / reported probability is the rate, brought to the target at once', async () => {
    const served = await waitFor(
      async () => {
        const s = await servedProbabilities(spoor, SERVICE);
        return s.busy !== undefined && s.mixed !== undefined ? s : null;
      },
      { timeoutMs: 30_000, description: `probabilities for busy and mixed (${history.describe('busy')})` },
    );
    // The interval read is 1 s plus the calculation loop's lateness: at
    // least 1 s and, allowing generously for a busy machine, under 1.5 s.
    assert.ok(served.busy >= 0.005 && served.busy <= 0.0075, `busy: ${served.busy}, expected 0.005 * s for s in [1, 1.5]`);
    const mixed = (0.1 * TARGET) / 22;
    assert.ok(served.mixed >= mixed && served.mixed <= mixed * 1.5, `mixed: ${served.mixed}, expected ${mixed} * s`);
    // The same interval gave both: the ratio does not depend on s.
    assert.ok(Math.abs(served.mixed / served.busy - 1000 / 220) < 1e-6, `mixed / busy = ${served.mixed / served.busy}`);
  });

  test('afterwards the rate is read at the new probability: within tolerance, the probability stays', async () => {
    const first = await waitFor(() => history.of('busy')[0], {
      timeoutMs: 30_000,
      description: `busy in the history (${history.describe('busy')})`,
    });
    await waitFor(() => Date.now() - first.first > 3.5 * INTERVAL_MS, { timeoutMs: 30_000, description: 'three more intervals' });
    assert.equal(history.of('busy').length, 1, `busy changed: ${history.describe('busy')}`);
    assert.equal(history.of('mixed').length, 1, `mixed changed: ${history.describe('mixed')}`);
  });

  test('lowerbound, ratelimiting and const roots make the operation known with 0: it doubles up to 1', async () => {
    for (const op of ['lower', 'limited', 'constant']) {
      await waitFor(() => history.of(op).at(-1)?.value === 1, {
        timeoutMs: 30_000,
        description: `${op} to reach 1 (${history.describe(op)})`,
      });
      assert.deepEqual(
        history.of(op).map((c) => c.value),
        [0.2, 0.4, 0.8, 1],
        `${op}: ${history.describe(op)}`,
      );
    }
  });

  test('child spans and roots without sampler tags are not counted; services are apart', async () => {
    const served = await servedProbabilities(spoor, SERVICE);
    assert.deepEqual(Object.keys(served).sort(), ['busy', 'constant', 'limited', 'lower', 'mixed'], JSON.stringify(served));
    const other = await servedProbabilities(spoor, 'counting-other');
    assert.deepEqual(Object.keys(other), ['elsewhere']);
    // 50 at 0.1: R = 500/s, p = 0.1 * 5 / 50 = 0.01 * s.
    assert.ok(other.elsewhere >= 0.01 && other.elsewhere <= 0.015, `elsewhere: ${other.elsewhere}`);
    assert.deepEqual(await getStrategy(spoor.baseUrls.sampling, 'nobody'), initialStrategy(INITIAL));
  });

  test('14268 and gRPC 14250 serve the same calculated strategy as 5778', async () => {
    // Read until two reads of 5778 agree around the others (a calculation
    // may land in between).
    await waitFor(
      async () => {
        const before = await getStrategy(spoor.baseUrls.sampling, SERVICE);
        const http = await getStrategy(spoor.baseUrls.jaegerHttp, SERVICE, '/api/sampling');
        const viaGrpc = await grpcStrategy(spoor.jaegerGrpcAddress, SERVICE);
        const afterwards = await getStrategy(spoor.baseUrls.sampling, SERVICE);
        if (JSON.stringify(before) !== JSON.stringify(afterwards)) return null;
        assert.deepEqual(http, before);
        assert.deepEqual(viaGrpc, before);
        assert.equal(before.operationSampling.perOperationStrategies.length, 5);
        assert.equal(before.operationSampling.defaultSamplingProbability, INITIAL);
        assert.equal(before.operationSampling.defaultLowerBoundTracesPerSecond, LOWER_BOUND);
        return true;
      },
      { timeoutMs: 20_000, description: 'a stable strategy to compare' },
    );
  });
});

describe('adaptive sampling with jaeger-client and @opentelemetry/sampler-jaeger-remote', () => {
  // jaeger-client samples two operations of one service: "hot" created
  // 200 times a second, "cold" twice a second, for 30 s. Target 10/s,
  // initial probability 0.2.
  //  - hot: 40 sampled/s at first, so its probability drops to about
  //    10 / 200 = 0.05. Each later calculation reads N ~ Poisson(200 p)
  //    sampled roots and sets about 0.05 * E[N] / N, so it keeps moving
  //    around 0.05; the median over time stays within a factor of 2.
  //  - cold: at most 2 requests/s can never give 10 sampled/s, so its
  //    probability only rises, doubling (the cap) from 0.2 until 1. Its
  //    first value is exactly 0.4: whatever was counted (0 to 3 roots at
  //    0.2), target / q >= 3.3, capped at x2.
  const SERVICE = 'adaptive-jaeger-client';
  const TARGET = 10;
  const INITIAL = 0.2;
  const HOT_PER_SECOND = 200;
  const COLD_PER_SECOND = 2;
  const RUN_MS = 30_000;
  let spoor;
  let history;
  before(async () => {
    spoor = await startSpoor({
      storage: 'memory',
      flags: adaptiveFlags({
        'target-samples-per-second': TARGET,
        'initial-sampling-probability': INITIAL,
        // Keep the operations served for a while after the traffic stops.
        'aggregation-buckets': 120,
      }),
    });
  });
  after(async () => {
    await history?.stop();
    await spoor?.stop();
  });

  test('the probabilities move as calculated and the client samples with them', async (t) => {
    const { initTracer } = require('jaeger-client');
    const clientErrors = [];
    const tracer = initTracer(
      {
        serviceName: SERVICE,
        sampler: {
          type: 'remote',
          param: INITIAL,
          hostPort: `127.0.0.1:${spoor.ports.sampling}`,
          refreshIntervalMs: 200,
        },
        reporter: { collectorEndpoint: `${spoor.baseUrls.jaegerHttp}/api/traces`, flushIntervalMs: 100 },
      },
      { logger: { info() {}, error: (msg) => clientErrors.push(msg) } },
    );
    history = new ServedHistory(spoor, SERVICE);

    // Paced by the clock: after t seconds, 200 t hot and 2 t cold spans.
    const coldCreated = [];
    const start = Date.now();
    let hot = 0;
    let cold = 0;
    for (let now = start; now - start < RUN_MS; now = Date.now()) {
      const elapsed = (now - start) / 1000;
      for (; hot < elapsed * HOT_PER_SECOND; hot++) tracer.startSpan('hot').finish();
      for (; cold < elapsed * COLD_PER_SECOND; cold++) {
        const startTime = Date.now();
        coldCreated.push(startTime);
        tracer.startSpan('cold', { startTime }).finish();
      }
      await sleep(5);
    }
    const end = Date.now();
    await new Promise((resolve) => tracer.close(resolve));
    assert.deepEqual(clientErrors, [], 'jaeger-client reported no errors');

    // Served probabilities.
    const hotChanges = history.of('hot');
    const coldChanges = history.of('cold');
    assert.ok(hotChanges.length > 0, 'hot was given a probability');
    assert.ok(coldChanges.length > 0, 'cold was given a probability');
    const window = { from: end - 10_000, to: end };
    const hotMedian = history.timeMedian('hot', window.from, window.to);
    const ideal = TARGET / HOT_PER_SECOND;
    assert.ok(
      hotMedian >= ideal / 2 && hotMedian <= ideal * 2,
      `hot's median over the last 10 s: ${hotMedian}, expected ${ideal} within a factor of 2; ` +
        `history: ${history.describe('hot')}`,
    );
    assertIncreasesCapped(history, 'hot', INITIAL);

    assert.equal(coldChanges[0].value, 2 * INITIAL, `cold's first calculated value; history: ${history.describe('cold')}`);
    for (let i = 1; i < coldChanges.length; i++) {
      assert.ok(coldChanges[i].value > coldChanges[i - 1].value, `cold only rises: ${history.describe('cold')}`);
    }
    assertIncreasesCapped(history, 'cold', INITIAL);
    assert.equal(coldChanges.at(-1).value, 1, `cold reached 1: ${history.describe('cold')}`);
    const coldAtOne = coldChanges.at(-1).first;
    assert.ok(coldAtOne < end - 6_000, `cold at 1 for the last 6 s at least: ${history.describe('cold')}`);

    // What the client stored. Wait until the counts settle.
    const hotSpans = async () => storedRootSpans(spoor, SERVICE, 'hot', start - 1000, end + 1000);
    await settledCount(async () => (await hotSpans()).length, 'the hot spans to be stored');
    const allHot = await hotSpans();

    // Every stored hot span was sampled with a probability spoor served
    // for hot around the time (the client refreshes every 200 ms; the
    // history is read every 100 ms), or with the initial one before hot
    // had one of its own.
    const firstHot = hotChanges[0].first;
    const unexplained = [];
    for (const s of allHot) {
      const [type, param] = samplerTags(s);
      const at = s.startTime / 1000;
      const allowed = history.valuesBetween('hot', at - 3000, at + 500);
      if (at < firstHot + 3000) allowed.add(INITIAL);
      if (!['probabilistic', 'lowerbound'].includes(type) || !allowed.has(param)) {
        unexplained.push(`${type}:${param} at ${((at - start) / 1000).toFixed(2)} s`);
      }
    }
    assert.deepEqual(
      unexplained.slice(0, 10),
      [],
      `${unexplained.length} of ${allHot.length} hot spans carry a probability not served around their time; ` +
        `history: ${history.describe('hot')}`,
    );

    // Hot spans stored per second over the last 10 s: 200 x the probability,
    // about the target. Expected about 100 in 10 s (Poisson spread ~10%,
    // the probability's spread a little more); the bound is a factor of 2.
    const recentHot = allHot.filter((s) => s.startTime >= window.from * 1000 && s.startTime < window.to * 1000);
    const hotRate = recentHot.length / ((window.to - window.from) / 1000);
    t.diagnostic(`hot served: ${history.describe('hot')}`);
    t.diagnostic(`cold served: ${history.describe('cold')}`);
    t.diagnostic(`hot: median ${hotMedian} over the last 10 s, ${hotRate} stored/s, ${allHot.length} stored in all`);
    assert.ok(
      hotRate >= TARGET / 2 && hotRate <= TARGET * 2,
      `hot stored ${hotRate}/s over the last 10 s, expected about ${TARGET}; history: ${history.describe('hot')}`,
    );

    // Cold at 1: from a second after spoor served 1 (the client refreshes
    // every 200 ms), every cold span created is stored, tagged with 1.
    const coldFrom = Math.max(window.from, coldAtOne + 1000);
    const coldSpans = await storedRootSpans(spoor, SERVICE, 'cold', coldFrom, end + 1000);
    const coldWanted = coldCreated.filter((at) => at >= coldFrom).length;
    assert.ok(coldWanted >= 10, `${coldWanted} cold spans created after cold reached 1`);
    assert.equal(coldSpans.length, coldWanted, 'every cold span created after cold reached 1 was sampled');
    for (const s of coldSpans) assert.deepEqual(samplerTags(s), ['probabilistic', 1]);
  });

  test('@opentelemetry/sampler-jaeger-remote applies the probability calculated for hot', async (t) => {
    // The library polls with a setInterval it never clears; keep the handle.
    const intervals = [];
    const realSetInterval = globalThis.setInterval;
    globalThis.setInterval = (...args) => {
      const handle = realSetInterval(...args);
      intervals.push(handle);
      return handle;
    };
    let sampler;
    try {
      sampler = new JaegerRemoteSampler({
        endpoint: spoor.baseUrls.sampling,
        serviceName: SERVICE,
        poolingInterval: 100,
        initialSampler: new AlwaysOffSampler(),
      });
    } finally {
      globalThis.setInterval = realSetInterval;
    }
    t.after(() => intervals.forEach((h) => clearInterval(h)));

    // The ratio the sampler holds for an operation, from its description.
    const ratioOf = (op) => {
      const m = new RegExp(`[{,]${op}=TraceIdRatioBased\\{([^}]*)\\}`).exec(sampler.toString());
      return m ? Number(m[1]) : undefined;
    };
    // Wait until it holds what spoor serves for hot now.
    let served;
    const hot = await waitFor(
      async () => {
        served = await servedProbabilities(spoor, SERVICE);
        return served.hot !== undefined && ratioOf('hot') === served.hot ? served.hot : null;
      },
      { timeoutMs: 20_000, description: "the sampler to hold hot's probability" },
    ).catch((err) => {
      err.message += `; spoor serves ${JSON.stringify(served)}, the sampler is ${sampler.toString()}`;
      throw err;
    });
    assert.notEqual(hot, INITIAL, 'a calculated probability, not the initial one');
    assert.ok(history.of('hot').some((c) => c.value === hot), `${hot} in ${history.describe('hot')}`);
    assert.match(sampler.toString(), /default=TraceIdRatioBased\{0\.2\}/);
    assert.equal(ratioOf('cold'), 1);

    // Its decisions for hot are those of a TraceIdRatioBased sampler of
    // that ratio (synchronous: the sampler cannot change meanwhile), and
    // the fraction sampled is within 5 standard deviations of it.
    const count = 20_000;
    const reference = new TraceIdRatioBasedSampler(hot);
    let sampled = 0;
    for (let i = 0; i < count; i++) {
      const traceId = randomHex(16);
      const got = sampler.shouldSample(ROOT_CONTEXT, traceId, 'hot', OtelSpanKind.SERVER, {}, []).decision;
      const want = reference.shouldSample(ROOT_CONTEXT, traceId, 'hot', OtelSpanKind.SERVER, {}, []).decision;
      assert.equal(got, want, `decision for trace ${traceId}`);
      if (got === SamplingDecision.RECORD_AND_SAMPLED) sampled++;
    }
    const fraction = sampled / count;
    const bound = 5 * Math.sqrt((hot * (1 - hot)) / count);
    assert.ok(Math.abs(fraction - hot) <= bound, `hot sampled ${fraction} of ${count}, probability ${hot} (bound ±${bound})`);

    for (let i = 0; i < 200; i++) {
      const decision = sampler.shouldSample(ROOT_CONTEXT, randomHex(16), 'cold', OtelSpanKind.SERVER, {}, []).decision;
      assert.equal(decision, SamplingDecision.RECORD_AND_SAMPLED, 'cold (probability 1) is always sampled');
    }
  });
});

// ---------------------------------------------------------------------------

const clickhouseSkip = clickhouseMissing();

describe('adaptive sampling: two collectors on one ClickHouse', { skip: clickhouseSkip }, () => {
  const TARGET = 5;
  const INITIAL = 0.1;
  const SERVICE = 'shared';
  let clickhouse;
  let servers;
  const database = `spoor_adaptive_${process.pid}`;
  const collectors = {};
  const collector = (flags = {}) =>
    startSpoor({
      subcommand: 'collector',
      storage: { type: 'clickhouse', flags: [`--clickhouse.servers=${servers}`, `--clickhouse.database=${database}`] },
      flags: adaptiveFlags({
        'target-samples-per-second': TARGET,
        'initial-sampling-probability': INITIAL,
        'aggregation-buckets': 120,
        ...flags,
      }),
    });

  before(async () => {
    servers = clickhouseServers();
    if (!servers) {
      clickhouse = await startClickHouse({ dir: tempDir('spoor-adaptive-clickhouse-') });
      servers = clickhouse.servers;
    }
    collectors.a = await collector();
    collectors.b = await collector();
  });
  after(async () => {
    for (const c of Object.values(collectors)) await c?.stop().catch(() => {});
    await clickhouse?.stop();
  });

  test('without NATS each collector holds a lease of its own, as documented', async () => {
    // ClickHouse has no compare-and-set, so the ClickHouse sampling store
    // keeps leases in each process (docs/sampling.md; spoor warns at
    // startup): both calculate, from the counts both saved. Collectors
    // with --buffer.type=nats share one lease in a NATS key-value bucket,
    // with exactly one leader: 'adaptive sampling: two collectors with
    // NATS leases' below.
    await sleep(3 * INTERVAL_MS);
    const gauges = [await leaderGauge(collectors.a), await leaderGauge(collectors.b)];
    assert.deepEqual(gauges, [1, 1], `spoor_sampling_leader of the two collectors: ${gauges}`);
  });

  test("a collector that received no spans serves probabilities calculated from the other's counts", async () => {
    // 100 roots/s to collector a only, reporting 0.1: R = 1000/s, and the
    // probability that brings it to the target is 5 / 1000 = 0.005.
    const perSecond = 100;
    let stop = false;
    let sent = 0;
    const started = Date.now();
    const load = (async () => {
      while (!stop) {
        const due = Math.floor(((Date.now() - started) / 1000) * perSecond) - sent;
        if (due > 0) {
          await sendTraces(collectors.a.baseUrls.otlpHttp, request([{ service: SERVICE, spans: roots('checkout', due, INITIAL) }]));
          sent += due;
        }
        await sleep(50);
      }
    })();
    try {
      // Each collector calculates on its own (both hold the lease), from
      // the counts both saved: the two agree within the spread of the
      // intervals they read (factor 1.5 allowed). Had b only its own
      // counts, it would serve nothing for checkout.
      const seen = { a: [], b: [] };
      const expected = TARGET / (perSecond / INITIAL);
      const near = (p) => p !== undefined && p >= expected / 1.5 && p <= expected * 1.5;
      try {
        await waitFor(
          async () => {
            const a = (await servedProbabilities(collectors.a, SERVICE)).checkout;
            const b = (await servedProbabilities(collectors.b, SERVICE)).checkout;
            seen.a.push(a);
            seen.b.push(b);
            return near(a) && near(b);
          },
          { timeoutMs: 30_000, intervalMs: 250, description: 'both collectors to serve checkout near 0.005' },
        );
      } catch (err) {
        err.message += `; expected about ${expected} on both; a served ${seen.a.join(', ')}; b served ${seen.b.join(', ')}`;
        throw err;
      }
    } finally {
      stop = true;
      await load;
    }
  });

  test('a collector started later serves the probabilities stored by another at once', async () => {
    // With b stopped, a is the last to store; once a's probabilities are
    // the same for three intervals (no traffic now: each calculation
    // reads the last interval that saw the operation), a third collector
    // starts. Its calculation interval is long, so what it serves can only
    // be what it read from the store.
    await collectors.b.stop();
    delete collectors.b;
    let last = '';
    let since = Date.now();
    const stable = await waitFor(
      async () => {
        const served = JSON.stringify(await getStrategy(collectors.a.baseUrls.sampling, SERVICE));
        if (served !== last) {
          last = served;
          since = Date.now();
        }
        return Date.now() - since > 3 * INTERVAL_MS + 500 ? JSON.parse(served) : null;
      },
      { timeoutMs: 40_000, intervalMs: 100, description: "a's strategy to stay the same for three intervals" },
    );
    assert.ok(perOperation(stable).checkout !== undefined, JSON.stringify(stable));
    collectors.c = await collector({ 'calculation-interval': '10m' });
    assert.deepEqual(await getStrategy(collectors.c.baseUrls.sampling, SERVICE), stable);
    assert.deepEqual(await getStrategy(collectors.c.baseUrls.jaegerHttp, SERVICE, '/api/sampling'), stable);
  });
});

// ---------------------------------------------------------------------------

// nats-server runs (its --version answers): else the describe below is skipped.
const natsSkip = natsMissing();

describe('adaptive sampling: two collectors with NATS leases', { skip: clickhouseSkip || natsSkip }, () => {
  // Collectors with --buffer.type=nats keep the leader's lease in the NATS
  // key-value bucket <--nats.stream>-sampling-leases, taken by
  // compare-and-set; the throughput and probabilities stay in ClickHouse.
  // The lease lasts the follower interval F from the leader's last renewal;
  // the leader renews it every leader interval L; a follower tries to take
  // it every F.
  const F_MS = 1000;
  const L_MS = 200;
  let nats;
  let clickhouse;
  let servers;
  const database = `spoor_adaptive_nats_${process.pid}`;
  const stream = `spoor-adaptive-${process.pid}-${randomHex(4)}`;
  const collectors = [];
  /** A collector; `options` overrides --sampling.* flags, `options.stream` the stream (and its subject). */
  const collector = ({ stream: streamName = stream, ...options } = {}) =>
    startSpoor({
      subcommand: 'collector',
      storage: { type: 'clickhouse', flags: [`--clickhouse.servers=${servers}`, `--clickhouse.database=${database}`] },
      flags: [
        ...adaptiveFlags({
          'leader-lease-refresh-interval': `${L_MS}ms`,
          'follower-lease-refresh-interval': `${F_MS}ms`,
          ...options,
        }),
        '--buffer.type=nats',
        `--nats.url=${nats.url}`,
        `--nats.stream=${streamName}`,
        // Streams' subjects may not overlap: each stream its own.
        `--nats.subject=${streamName.replaceAll('-', '_')}.spans`,
      ],
    }).then((c) => {
      collectors.push(c);
      return c;
    });
  /** spoor_sampling_leader of each collector, in the order given. */
  const gauges = (list) => Promise.all(list.map((c) => leaderGauge(c)));
  /** Waits until exactly one of `list` is the leader; resolves with it. */
  const theLeader = async (list, timeoutMs = 15_000) => {
    let seen;
    return waitFor(
      async () => {
        seen = await gauges(list);
        return seen.filter((g) => g === 1).length === 1 && seen.every((g) => g === 0 || g === 1)
          ? list[seen.indexOf(1)]
          : null;
      },
      { timeoutMs, intervalMs: 50, description: 'exactly one spoor_sampling_leader 1' },
    ).catch((err) => {
      err.message += `; last gauges ${JSON.stringify(seen)}`;
      throw err;
    });
  };
  /** Polls `spoor` every 20 ms until it is the leader; resolves with when it was first seen so (performance.now()). */
  const becomesLeader = async (spoor, timeoutMs, who) => {
    await waitFor(async () => (await leaderGauge(spoor)) === 1, {
      timeoutMs,
      intervalMs: 20,
      description: `spoor_sampling_leader 1 on ${who}`,
    });
    return performance.now();
  };

  before(async () => {
    const dir = tempDir('spoor-adaptive-nats-');
    nats = await startNats({ dir: path.join(dir, 'nats') });
    servers = clickhouseServers();
    if (!servers) {
      clickhouse = await startClickHouse({ dir: path.join(dir, 'clickhouse') });
      servers = clickhouse.servers;
    }
  });
  after(async () => {
    for (const c of collectors) await c.stop().catch(() => {});
    await nats?.stop();
    await clickhouse?.stop();
  });

  test('exactly one collector is the leader, and stays so', async () => {
    const pair = [await collector(), await collector()];
    const leader = await theLeader(pair);
    // Then for 3 s (three follower intervals, fifteen renewals) every
    // sample still shows that one leader: the follower never takes a lease
    // that is renewed in time.
    const samples = [];
    const until = Date.now() + 3 * F_MS;
    while (Date.now() < until) {
      samples.push(await gauges(pair));
      await sleep(100);
    }
    const expected = pair.map((c) => (c === leader ? 1 : 0));
    const other = samples.filter((s) => JSON.stringify(s) !== JSON.stringify(expected));
    assert.equal(
      other.length,
      0,
      `${samples.length} samples of [a, b], expected ${JSON.stringify(expected)}: ${JSON.stringify(samples)}`,
    );
    assert.deepEqual([...samples.at(-1)].sort(), [0, 1]);
  });

  test('when the leader is killed, the other takes over within 2 × follower interval + leader interval', async (t) => {
    const pair = collectors.filter((c) => c.alive);
    assert.equal(pair.length, 2, 'the two collectors of the previous test');
    const leader = await theLeader(pair);
    const survivor = pair.find((c) => c !== leader);
    // The bound: the lease lasts F from its last renewal, which came
    // before the kill, so it expires at most F after the kill; the
    // survivor tries every F, so its first try after the expiry comes at
    // most F later: takeover ≤ 2F, plus L when a try fails and is retried
    // after L, plus the loop's rounds (a tenth of L). A protocol bound,
    // not a performance one: 2 s of margin for a busy machine instead of L.
    const bound = 2 * F_MS + 2000;
    const exited = new Promise((resolve) => leader.proc.once('close', resolve));
    const killedAt = performance.now();
    leader.proc.kill('SIGKILL');
    await exited;
    const tookOver = await becomesLeader(survivor, bound + 5000, 'the survivor');
    const takeover = Math.round(tookOver - killedAt);
    t.diagnostic(
      `takeover after SIGKILL: ${takeover} ms (protocol bound ${2 * F_MS + L_MS} ms, asserted ≤ ${bound} ms)`,
    );
    assert.ok(takeover <= bound, `the survivor became the leader ${takeover} ms after the kill; bound ${bound} ms`);
    // And keeps it: renewed every L, it is still the leader a few renewals later.
    await sleep(3 * L_MS);
    assert.equal(await leaderGauge(survivor), 1, 'the survivor is still the leader');
  });

  test('a leader stopped gracefully releases its lease: a collector started next takes it at once', async (t) => {
    // Their own lease bucket (another --nats.stream) and a long follower
    // interval, 20 s: a lease not released would stay held for at least
    // 20 s - L after the stop, and the new collector would not try again
    // for 20 s. A released one is taken at the new collector's first try,
    // when it starts.
    const LONG_F_MS = 20_000;
    const options = {
      'follower-lease-refresh-interval': `${LONG_F_MS}ms`,
      stream: `${stream}-graceful`,
    };
    const first = await collector(options);
    await becomesLeader(first, 15_000, 'the first collector');
    assert.equal(await first.stop(), 0, 'the leader exits 0 on SIGTERM');
    const stoppedAt = performance.now();
    const next = await collector(options);
    const tookOver = await becomesLeader(next, LONG_F_MS / 2, 'the collector started after the stop');
    const takeover = Math.round(tookOver - stoppedAt);
    t.diagnostic(`takeover after a graceful stop (the new collector's start included): ${takeover} ms`);
    assert.ok(
      takeover < LONG_F_MS / 2,
      `the new collector became the leader ${takeover} ms after the stop: the lease was not released?`,
    );
  });
});

// ---------------------------------------------------------------------------

describe('adaptive sampling on the embedded store across a restart', () => {
  test('a restarted spoor serves the probabilities calculated before, at once', async () => {
    const directory = tempDir('spoor-adaptive-embedded-');
    const storage = { type: 'embedded', flags: [`--embedded.directory=${directory}`] };
    const flags = (more = {}) =>
      adaptiveFlags({
        'target-samples-per-second': 5,
        'initial-sampling-probability': 0.1,
        'aggregation-buckets': 120,
        ...more,
      });
    let spoor = await startSpoor({ storage, flags: flags() });
    let stable;
    try {
      // 100 roots at 0.1 for "checkout", 30 for "search": p = 0.005 s and 0.0167 s.
      await sendTraces(
        spoor.baseUrls.otlpHttp,
        request([{ service: 'store', spans: [...roots('checkout', 100, 0.1), ...roots('search', 30, 0.1)] }]),
      );
      let last = '';
      let since = Date.now();
      stable = await waitFor(
        async () => {
          const served = await getStrategy(spoor.baseUrls.sampling, 'store');
          const text = JSON.stringify(served);
          if (text !== last) {
            last = text;
            since = Date.now();
          }
          const ops = perOperation(served);
          return ops.checkout !== undefined && ops.search !== undefined && Date.now() - since > 2 * INTERVAL_MS + 500
            ? served
            : null;
        },
        { timeoutMs: 30_000, intervalMs: 100, description: 'calculated probabilities that stay the same for two intervals' },
      );
      const ops = perOperation(stable);
      assert.ok(ops.checkout >= 0.005 && ops.checkout <= 0.0075, JSON.stringify(ops));
      assert.ok(ops.search >= 0.1 * 5 / 30 && ops.search <= 0.025, JSON.stringify(ops));
    } finally {
      assert.equal(await spoor.stop(), 0, 'spoor exits 0 on SIGTERM');
    }

    // Restarted with a calculation interval it cannot reach during the
    // test: what it serves comes from the store.
    spoor = await startSpoor({ storage, flags: flags({ 'calculation-interval': '10m' }) });
    try {
      assert.deepEqual(await getStrategy(spoor.baseUrls.sampling, 'store'), stable);
      assert.deepEqual(await getStrategy(spoor.baseUrls.jaegerHttp, 'store', '/api/sampling'), stable);
      assert.deepEqual(await grpcStrategy(spoor.jaegerGrpcAddress, 'store'), stable);
    } finally {
      await spoor.stop();
    }
  });
});

describe('adaptive sampling per tenant (--multi-tenancy.enabled)', () => {
  // The same service and operation for both tenants; acme sends ten times
  // beta's traffic. target 5/s, initial probability 0.1: acme's rate
  // 100 / 0.1 / s gives p = 0.005 s, beta's 10 / 0.1 / s gives p = 0.05 s.
  const directory = tempDir('spoor-adaptive-tenants-');
  const storage = { type: 'embedded', flags: [`--embedded.directory=${directory}`] };
  const flags = (more = {}) => [
    '--multi-tenancy.enabled',
    ...adaptiveFlags({ 'target-samples-per-second': 5, 'initial-sampling-probability': 0.1, 'aggregation-buckets': 120, ...more }),
  ];
  const as = (tenant) => ({ 'x-tenant': tenant });
  let spoor;
  let acme;
  let beta;
  after(async () => {
    if (spoor?.alive) await spoor.stop();
  });

  test("each tenant's probabilities come from its own traffic, served to polls naming it on 5778, 14268, gRPC 14250 and the query API", async () => {
    spoor = await startSpoor({ storage, flags: flags() });
    const body = (count) => request([{ service: 'shop', spans: roots('checkout', count, 0.1) }]);
    await sendTraces(spoor.baseUrls.otlpHttp, body(100), { headers: as('acme') });
    await sendTraces(spoor.baseUrls.otlpHttp, body(10), { headers: as('beta') });
    // Calculated, then unchanged for two intervals (within tolerance).
    const stable = async (tenant) => {
      let last = '';
      let since = Date.now();
      return waitFor(
        async () => {
          const served = await getStrategy(spoor.baseUrls.sampling, 'shop', '/sampling', as(tenant));
          const text = JSON.stringify(served);
          if (text !== last) {
            last = text;
            since = Date.now();
          }
          return perOperation(served).checkout !== undefined && Date.now() - since > 2 * INTERVAL_MS + 500 ? served : null;
        },
        { timeoutMs: 30_000, intervalMs: 100, description: `${tenant}'s calculated probability, stable` },
      );
    };
    [acme, beta] = await Promise.all([stable('acme'), stable('beta')]);
    const pa = perOperation(acme).checkout;
    const pb = perOperation(beta).checkout;
    assert.ok(pa >= 0.005 && pa <= 0.0075, `acme: ${pa}, expected 0.005 * s for s in [1, 1.5]`);
    assert.ok(pb >= 0.05 && pb <= 0.075, `beta: ${pb}, expected 0.05 * s for s in [1, 1.5]`);
    for (const [tenant, want] of [['acme', acme], ['beta', beta]]) {
      assert.deepEqual(await getStrategy(spoor.baseUrls.jaegerHttp, 'shop', '/api/sampling', as(tenant)), want, `14268 as ${tenant}`);
      assert.deepEqual(await grpcStrategy(spoor.jaegerGrpcAddress, 'shop', as(tenant)), want, `gRPC 14250 as ${tenant}`);
      const ui = await fetchJson(`${spoor.baseUrls.query}/api/sampling?service=shop`, { headers: as(tenant) });
      assert.equal(ui.status, 200, ui.text);
      assert.deepEqual(ui.body.data.strategy, want, `the query API's /api/sampling as ${tenant}`);
    }
    // A poll naming no tenant, or one without traffic here, gets the defaults.
    assert.deepEqual(await getStrategy(spoor.baseUrls.sampling, 'shop'), initialStrategy(0.1));
    assert.deepEqual(await getStrategy(spoor.baseUrls.sampling, 'shop', '/sampling', as('gamma')), initialStrategy(0.1));
    // Each tenant its own leader lease in its own store.
    const text = await getMetrics(spoor);
    assert.equal(metric(text, 'spoor_sampling_leader', { tenant: 'acme' }), 1);
    assert.equal(metric(text, 'spoor_sampling_leader', { tenant: 'beta' }), 1);
    assert.equal(await spoor.stop(), 0, 'spoor exits 0 on SIGTERM');
  });

  test("after a restart each tenant is served its own stored probabilities at once (<dir>/tenants/<tenant>/sampling)", async () => {
    assert.ok(acme && beta, 'the previous test calculated them');
    // A calculation interval it cannot reach during the test: what it
    // serves comes from each tenant's store.
    spoor = await startSpoor({ storage, flags: flags({ 'calculation-interval': '10m' }) });
    assert.deepEqual(await getStrategy(spoor.baseUrls.sampling, 'shop', '/sampling', as('acme')), acme);
    assert.deepEqual(await getStrategy(spoor.baseUrls.sampling, 'shop', '/sampling', as('beta')), beta);
    assert.deepEqual(await getStrategy(spoor.baseUrls.sampling, 'shop'), initialStrategy(0.1));
  });
});
