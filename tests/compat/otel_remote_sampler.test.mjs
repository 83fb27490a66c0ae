// @opentelemetry/sampler-jaeger-remote polling spoor's remote sampling
// endpoint (GET /sampling on the 5778 port, GET /api/sampling on 14268) and
// turning the strategies file into sampling decisions.
//
// The library builds TraceIdRatioBased samplers from probabilistic and
// per-operation strategies. It has no rate limiting sampler: on a
// RATE_LIMITING response it logs "not supported" and keeps its initial
// sampler, which is what the 'bar' case checks.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DiagLogLevel, ROOT_CONTEXT, SpanKind, diag } from '@opentelemetry/api';
import { JaegerRemoteSampler } from '@opentelemetry/sampler-jaeger-remote';
import { AlwaysOffSampler, AlwaysOnSampler, SamplingDecision, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import { startSpoor, tempDir, waitFor } from '../lib/spoor.mjs';
import { REFERENCE_STRATEGIES } from '../lib/strategies.mjs';

// Everything sampled by default, nothing for 'none'.
const ALL_OR_NOTHING = {
  default_strategy: { type: 'probabilistic', param: 1.0 },
  service_strategies: [{ service: 'none', type: 'probabilistic', param: 0.0 }],
};

const POLL_MS = 100;

// Warnings the sampler reports through the OpenTelemetry diag logger.
const warnings = [];
diag.setLogger(
  {
    error: (...args) => warnings.push(args.join(' ')),
    warn: (...args) => warnings.push(args.join(' ')),
    info() {},
    debug() {},
    verbose() {},
  },
  DiagLogLevel.WARN,
);

// The sampler polls on a setInterval it never clears and has no shutdown;
// keep the handles so the test can stop the polling.
const pollers = [];
function remoteSampler(options) {
  const realSetInterval = globalThis.setInterval;
  globalThis.setInterval = (...args) => {
    const handle = realSetInterval(...args);
    pollers.push(handle);
    return handle;
  };
  try {
    return new JaegerRemoteSampler({ poolingInterval: POLL_MS, ...options });
  } finally {
    globalThis.setInterval = realSetInterval;
  }
}
after(() => pollers.forEach((h) => clearInterval(h)));

const randomTraceId = () => randomBytes(16).toString('hex');

function decide(sampler, spanName, traceId = randomTraceId()) {
  return sampler.shouldSample(ROOT_CONTEXT, traceId, spanName, SpanKind.SERVER, {}, []).decision;
}

/** Waits until the sampler has replaced its initial sampler with one whose description contains `text`. */
async function waitForStrategy(sampler, text) {
  await waitFor(() => sampler.toString().includes(text), {
    timeoutMs: 10_000,
    description: `sampler with ${text} (now ${sampler.toString()}; warnings: ${warnings.join('; ')})`,
  });
}

/**
 * Asks the sampler about `count` random trace IDs for `spanName`: every
 * decision must equal that of a TraceIdRatioBased sampler of `rate`.
 * Returns the fraction sampled.
 */
function checkRatio(sampler, spanName, rate, count = 2000) {
  const reference = new TraceIdRatioBasedSampler(rate);
  let sampled = 0;
  for (let i = 0; i < count; i++) {
    const traceId = randomTraceId();
    const got = decide(sampler, spanName, traceId);
    const want = reference.shouldSample(ROOT_CONTEXT, traceId, spanName, SpanKind.SERVER, {}, []).decision;
    assert.equal(got, want, `decision for ${spanName} trace ${traceId} (rate ${rate})`);
    if (got === SamplingDecision.RECORD_AND_SAMPLED) sampled++;
  }
  return sampled / count;
}

async function writeStrategies(name, strategies) {
  const file = path.join(tempDir('spoor-remote-sampler-'), name);
  await writeFile(file, JSON.stringify(strategies));
  return file;
}

describe('JaegerRemoteSampler against spoor', () => {
  describe('reference strategies', () => {
    let spoor;
    before(async () => {
      const file = await writeStrategies('strategies.json', REFERENCE_STRATEGIES);
      spoor = await startSpoor({ flags: [`--sampling.strategies-file=${file}`] });
    });
    after(async () => {
      if (spoor) assert.equal(await spoor.stop(), 0, 'spoor exits 0 on SIGTERM');
    });

    test("service 'foo': per-operation probabilities from the agent port", async () => {
      const sampler = remoteSampler({ endpoint: spoor.baseUrls.sampling, serviceName: 'foo', initialSampler: new AlwaysOffSampler() });
      await waitForStrategy(sampler, 'PerOperationSampler');
      const desc = sampler.toString();
      assert.match(desc, /op6=TraceIdRatioBased\{0\.5\}/, desc);
      assert.match(desc, /op0=TraceIdRatioBased\{0\.2\}/, desc);
      assert.match(desc, /default=TraceIdRatioBased\{0\.8\}/, desc);

      const op6 = checkRatio(sampler, 'op6', 0.5);
      assert.ok(op6 > 0.35 && op6 < 0.65, `op6 sampled ${op6}`);
      const op0 = checkRatio(sampler, 'op0', 0.2);
      assert.ok(op0 > 0.1 && op0 < 0.3, `op0 sampled ${op0}`);
      const other = checkRatio(sampler, 'some other operation', 0.8);
      assert.ok(other > 0.7 && other < 0.9, `other operations sampled ${other}`);
    });

    test("service 'foo' from the collector port (/api/sampling)", async () => {
      const sampler = remoteSampler({ endpoint: `${spoor.baseUrls.jaegerHttp}/api`, serviceName: 'foo', initialSampler: new AlwaysOffSampler() });
      await waitForStrategy(sampler, 'PerOperationSampler');
      checkRatio(sampler, 'op6', 0.5, 500);
    });

    test("unknown service: the default strategy and its operations", async () => {
      const sampler = remoteSampler({ endpoint: spoor.baseUrls.sampling, serviceName: 'unknown-svc', initialSampler: new AlwaysOffSampler() });
      await waitForStrategy(sampler, 'PerOperationSampler');
      checkRatio(sampler, 'op0', 0.2, 500);
      checkRatio(sampler, 'op6', 0.5, 500);
    });

    test("service 'bar': rate limiting is fetched, and the client keeps its initial sampler", async () => {
      const seen = warnings.length;
      const sampler = remoteSampler({ endpoint: spoor.baseUrls.sampling, serviceName: 'bar', initialSampler: new AlwaysOffSampler() });
      await waitFor(() => warnings.slice(seen).some((w) => w.includes('RATE_LIMITING')), {
        timeoutMs: 10_000,
        description: `the RATE_LIMITING strategy reaching the sampler (warnings: ${warnings.join('; ')})`,
      });
      assert.ok(!warnings.slice(seen).some((w) => w.includes('Could not update')), warnings.join('; '));
      let sampled = 0;
      for (let i = 0; i < 100; i++) if (decide(sampler, 'op') === SamplingDecision.RECORD_AND_SAMPLED) sampled++;
      // Spoor allows 5 traces/s; this client, lacking a rate limiter, stays at AlwaysOff.
      assert.equal(sampled, 0, `sampled ${sampled} of 100`);
    });
  });

  describe('probabilistic 1.0 and 0.0', () => {
    let spoor;
    before(async () => {
      const file = await writeStrategies('all-or-nothing.json', ALL_OR_NOTHING);
      spoor = await startSpoor({ flags: [`--sampling.strategies-file=${file}`] });
    });
    after(async () => {
      if (spoor) assert.equal(await spoor.stop(), 0, 'spoor exits 0 on SIGTERM');
    });

    test('probability 1.0 samples every trace', async () => {
      const sampler = remoteSampler({ endpoint: spoor.baseUrls.sampling, serviceName: 'everything', initialSampler: new AlwaysOffSampler() });
      await waitForStrategy(sampler, 'TraceIdRatioBased{1}');
      for (let i = 0; i < 1000; i++) assert.equal(decide(sampler, `op${i % 7}`), SamplingDecision.RECORD_AND_SAMPLED);
    });

    test('probability 0.0 samples no trace', async () => {
      const sampler = remoteSampler({ endpoint: spoor.baseUrls.sampling, serviceName: 'none', initialSampler: new AlwaysOnSampler() });
      await waitForStrategy(sampler, 'TraceIdRatioBased{0}');
      for (let i = 0; i < 1000; i++) assert.equal(decide(sampler, `op${i % 7}`), SamplingDecision.NOT_RECORD);
    });
  });
});
