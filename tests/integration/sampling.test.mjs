// Static sampling strategies: the strategies file served on the agent's
// port (GET /sampling), the collector's (GET /api/sampling) and over gRPC
// (SamplingManager/GetSamplingStrategy on 14250), read by a real Jaeger
// client's remote sampler, and reloaded on an interval.

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import grpc from '@grpc/grpc-js';
import {
  portFlags,
  runSpoor,
  startSpoor,
  storageFlags,
  tempDir,
  waitFor,
} from '../lib/spoor.mjs';
import { REFERENCE_STRATEGIES as STRATEGIES, grpcStrategy } from '../lib/strategies.mjs';

const require = createRequire(import.meta.url);

const FOO = {
  strategyType: 'PROBABILISTIC',
  probabilisticSampling: { samplingRate: 0.8 },
  operationSampling: {
    defaultSamplingProbability: 0.8,
    defaultLowerBoundTracesPerSecond: 0,
    perOperationStrategies: [
      { operation: 'op6', probabilisticSampling: { samplingRate: 0.5 } },
      { operation: 'op0', probabilisticSampling: { samplingRate: 0.2 } },
    ],
    defaultUpperBoundTracesPerSecond: 0,
  },
};
const BAR = { strategyType: 'RATE_LIMITING', rateLimitingSampling: { maxTracesPerSecond: 5 } };


async function get(url) {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

describe('sampling strategies', () => {
  let spoor;
  before(async () => {
    const file = path.join(tempDir('spoor-sampling-'), 'strategies.json');
    await writeFile(file, JSON.stringify(STRATEGIES));
    spoor = await startSpoor({ flags: [`--sampling.strategies-file=${file}`] });
  });
  after(() => spoor?.stop());

  for (const [name, url] of [
    ['agent port /sampling', () => `${spoor.baseUrls.sampling}/sampling`],
    ['agent port /', () => `${spoor.baseUrls.sampling}/`],
    ['collector port /api/sampling', () => `${spoor.baseUrls.jaegerHttp}/api/sampling`],
  ]) {
    test(`${name} serves each service its strategy`, async () => {
      const foo = await get(`${url()}?service=foo`);
      assert.equal(foo.status, 200);
      assert.match(foo.type, /^application\/json/);
      assert.deepEqual(JSON.parse(foo.text), FOO);
      assert.deepEqual(JSON.parse((await get(`${url()}?service=bar`)).text), BAR);
      assert.deepEqual(JSON.parse((await get(`${url()}?service=unknown`)).text), {
        strategyType: 'PROBABILISTIC',
        probabilisticSampling: { samplingRate: 0.5 },
        operationSampling: {
          defaultSamplingProbability: 0.5,
          defaultLowerBoundTracesPerSecond: 0,
          perOperationStrategies: [{ operation: 'op0', probabilisticSampling: { samplingRate: 0.2 } }],
          defaultUpperBoundTracesPerSecond: 0,
        },
      });
    });

    test(`${name} answers 400 without exactly one service`, async () => {
      for (const query of ['', '?service=', '?service=foo&service=bar']) {
        const r = await get(`${url()}${query}`);
        assert.equal(r.status, 400, query);
        assert.match(r.text, /'service' parameter must be provided once/);
      }
    });
  }

  test('gRPC SamplingManager on the collector port serves the same strategies', async () => {
    const address = spoor.jaegerGrpcAddress;
    assert.deepEqual(await grpcStrategy(address, 'foo'), FOO);
    assert.deepEqual(await grpcStrategy(address, 'bar'), {
      strategyType: 'RATE_LIMITING',
      rateLimitingSampling: { maxTracesPerSecond: 5 },
    });
    const unknown = await grpcStrategy(address, 'unknown');
    assert.equal(unknown.probabilisticSampling.samplingRate, 0.5);
    assert.deepEqual(
      unknown.operationSampling.perOperationStrategies.map((o) => o.operation),
      ['op0'],
    );
    await assert.rejects(grpcStrategy(address, ''), (err) => {
      assert.equal(err.code, grpc.status.INVALID_ARGUMENT);
      assert.match(err.details, /serviceName is required/);
      return true;
    });
  });

  test('the Jaeger HTTP receiver still takes spans only by POST /api/traces', async () => {
    assert.equal((await get(`${spoor.baseUrls.jaegerHttp}/api/traces`)).status, 405);
  });

  test("jaeger-client's remote sampler fetches the strategy", async () => {
    const { RemoteSampler, RateLimitingSampler } = require('jaeger-client');
    const PerOperationSampler = require('jaeger-client/dist/src/samplers/per_operation_sampler.js').default;
    const quiet = { info() {}, error() {} };
    const foo = new RemoteSampler('foo', {
      host: '127.0.0.1',
      port: spoor.ports.sampling,
      refreshInterval: 100,
      logger: quiet,
    });
    const bar = new RemoteSampler('bar', {
      host: '127.0.0.1',
      port: spoor.ports.sampling,
      refreshInterval: 100,
      logger: quiet,
    });
    try {
      await waitFor(() => foo._sampler instanceof PerOperationSampler, {
        description: 'foo to get per-operation sampling',
      });
      assert.equal(foo._sampler._defaultSampler.samplingRate, 0.8);
      assert.equal(foo._sampler._samplersByOperation.op6._probabilisticSampler.samplingRate, 0.5);
      assert.equal(foo._sampler._samplersByOperation.op0._probabilisticSampler.samplingRate, 0.2);
      await waitFor(() => bar._sampler instanceof RateLimitingSampler, {
        description: 'bar to get rate limiting',
      });
      assert.equal(bar._sampler._maxTracesPerSecond, 5);
    } finally {
      await new Promise((resolve) => foo.close(resolve));
      await new Promise((resolve) => bar.close(resolve));
    }
  });
});

describe('sampling without a strategies file', () => {
  test('every service samples everything', async () => {
    const spoor = await startSpoor();
    try {
      const r = await get(`${spoor.baseUrls.sampling}/sampling?service=any`);
      assert.equal(r.status, 200);
      assert.deepEqual(JSON.parse(r.text), {
        strategyType: 'PROBABILISTIC',
        probabilisticSampling: { samplingRate: 1 },
      });
    } finally {
      await spoor.stop();
    }
  });
});

describe('reloading the strategies file', () => {
  test('serves the new strategies, and keeps the last good ones after a bad edit', async () => {
    const file = path.join(tempDir('spoor-sampling-'), 'strategies.json');
    const probability = (p) => ({ default_strategy: { type: 'probabilistic', param: p } });
    await writeFile(file, JSON.stringify(probability(0.25)));
    const spoor = await startSpoor({
      flags: [`--sampling.strategies-file=${file}`, '--sampling.strategies-reload-interval=100ms'],
    });
    const rate = async () =>
      JSON.parse((await get(`${spoor.baseUrls.sampling}/sampling?service=svc`)).text).probabilisticSampling
        .samplingRate;
    try {
      assert.equal(await rate(), 0.25);
      await writeFile(file, JSON.stringify(probability(0.75)));
      await waitFor(async () => (await rate()) === 0.75, { description: 'the edited strategies' });
      assert.equal((await grpcStrategy(spoor.jaegerGrpcAddress, 'svc')).probabilisticSampling.samplingRate, 0.75);

      await writeFile(file, '{"default_strategy": {"type": "probabilistic", "param": 7}}');
      await waitFor(() => /keeping the previous sampling strategies: .*param/.test(spoor.logs), {
        description: 'a warning about the bad file',
      });
      assert.equal(await rate(), 0.75);
    } finally {
      await spoor.stop();
    }
  });
});

describe('a bad strategies file', () => {
  test('stops startup with one line naming the problem', async () => {
    const file = path.join(tempDir('spoor-sampling-'), 'strategies.json');
    await writeFile(file, JSON.stringify({ service_strategies: [{ service: 'a', type: 'probabilistic', param: 2 }] }));
    const r = await runSpoor([
      'all-in-one',
      ...(await portFlags()),
      ...storageFlags('memory'),
      `--sampling.strategies-file=${file}`,
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /service_strategies\[0\]\.param: probabilistic param must be in \[0, 1\]/);
    assert.equal(r.stderr.trim().split('\n').filter((l) => /error/.test(l)).length, 1, r.stderr);
  });
});
