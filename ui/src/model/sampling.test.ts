import { expect, test } from 'vitest';
import type { ServiceSampling } from '../api/types';
import { sortRows, type OperationRow } from './metrics';
import {
  formatLowerBound,
  formatProbability,
  formatTraceRate,
  operationSampling,
  ownOperationSamplings,
  parseSampling,
  samplingSortValue,
  samplingSummary,
  samplingText,
  samplingTitle,
} from './sampling';

// The answers of /api/sampling (`data`) for the three kinds of strategy.
const ADAPTIVE: ServiceSampling = {
  type: 'adaptive',
  strategy: {
    strategyType: 'PROBABILISTIC',
    probabilisticSampling: { samplingRate: 0.001 },
    operationSampling: {
      defaultSamplingProbability: 0.001,
      defaultLowerBoundTracesPerSecond: 0.016666666666666666,
      perOperationStrategies: [{ operation: 'GET /cart', probabilisticSampling: { samplingRate: 0.0125 } }],
      defaultUpperBoundTracesPerSecond: 0,
    },
  },
};

const FILE: ServiceSampling = {
  type: 'file',
  strategy: {
    strategyType: 'PROBABILISTIC',
    probabilisticSampling: { samplingRate: 0.5 },
    operationSampling: {
      defaultSamplingProbability: 0.5,
      defaultLowerBoundTracesPerSecond: 0,
      perOperationStrategies: [{ operation: 'op0', probabilisticSampling: { samplingRate: 0.2 } }],
      defaultUpperBoundTracesPerSecond: 0,
    },
  },
};

const RATE_LIMITED: ServiceSampling = {
  type: 'file',
  strategy: { strategyType: 'RATE_LIMITING', rateLimitingSampling: { maxTracesPerSecond: 5 } },
};

const PLAIN: ServiceSampling = { type: 'file', strategy: { strategyType: 'PROBABILISTIC', probabilisticSampling: { samplingRate: 1 } } };

test('a listed operation gets its own probability, others the default', () => {
  expect(operationSampling(ADAPTIVE, 'GET /cart')).toEqual({
    source: 'adaptive',
    probability: 0.0125,
    maxTracesPerSecond: null,
    lowerBound: 0.016666666666666666,
    own: true,
  });
  expect(operationSampling(ADAPTIVE, 'GET /other')).toMatchObject({ probability: 0.001, own: false, lowerBound: 0.016666666666666666 });
  expect(operationSampling(FILE, 'op0')).toMatchObject({ source: 'file', probability: 0.2, own: true, lowerBound: 0 });
  expect(operationSampling(FILE, 'OP0')).toMatchObject({ probability: 0.5, own: false });
});

test('without operationSampling the service-wide probability or rate limit applies', () => {
  expect(operationSampling(PLAIN, 'anything')).toEqual({
    source: 'file',
    probability: 1,
    maxTracesPerSecond: null,
    lowerBound: 0,
    own: false,
  });
  expect(operationSampling(RATE_LIMITED, 'anything')).toEqual({
    source: 'file',
    probability: null,
    maxTracesPerSecond: 5,
    lowerBound: 0,
    own: false,
  });
  // The numeric strategy types of older encodings, and a limit without a type.
  expect(
    operationSampling({ type: 'file', strategy: { strategyType: 1, rateLimitingSampling: { maxTracesPerSecond: 2 } } }, 'x')
      .maxTracesPerSecond,
  ).toBe(2);
  expect(operationSampling({ type: 'file', strategy: { rateLimitingSampling: { maxTracesPerSecond: 3 } } }, 'x').maxTracesPerSecond).toBe(
    3,
  );
});

test('per-operation strategies win over a service-wide rate limit, as clients apply them', () => {
  const mixed: ServiceSampling = {
    type: 'file',
    strategy: {
      ...RATE_LIMITED.strategy,
      operationSampling: {
        defaultSamplingProbability: 0.001,
        perOperationStrategies: [{ operation: 'a', probabilisticSampling: { samplingRate: 0.3 } }],
      },
    },
  };
  expect(operationSampling(mixed, 'a')).toMatchObject({ probability: 0.3, maxTracesPerSecond: null, own: true });
  expect(operationSampling(mixed, 'b')).toMatchObject({ probability: 0.001, maxTracesPerSecond: null, own: false });
});

test('left-out zero values are zero; missing or broken parts give no value rather than a wrong one', () => {
  // Encoders may leave zero values out.
  expect(operationSampling({ type: 'file', strategy: { probabilisticSampling: {} } }, 'x').probability).toBe(0);
  expect(operationSampling({ type: 'adaptive', strategy: { operationSampling: {} } }, 'x')).toMatchObject({
    probability: 0,
    lowerBound: 0,
  });
  expect(
    operationSampling(
      { type: 'file', strategy: { operationSampling: { perOperationStrategies: [{ operation: 'x', probabilisticSampling: {} }] } } },
      'x',
    ),
  ).toMatchObject({ probability: 0, own: true });
  // An entry without a probability is no strategy of its own; null lists and entries are skipped.
  const odd = {
    type: 'file',
    strategy: { operationSampling: { defaultSamplingProbability: 0.4, perOperationStrategies: [null, { operation: 'x' }] } },
  } as unknown as ServiceSampling;
  expect(operationSampling(odd, 'x')).toMatchObject({ probability: 0.4, own: false });
  expect(operationSampling({ type: 'file', strategy: { operationSampling: { perOperationStrategies: null } } }, 'x').own).toBe(false);
  // Nothing usable, and values out of range.
  expect(operationSampling({ type: 'file', strategy: {} }, 'x')).toMatchObject({ probability: null, maxTracesPerSecond: null });
  expect(operationSampling({ type: 'file', strategy: { probabilisticSampling: { samplingRate: 7 } } }, 'x').probability).toBe(1);
  expect(operationSampling({ type: 'file', strategy: { probabilisticSampling: { samplingRate: -1 } } }, 'x').probability).toBe(0);
  const nan = { type: 'file', strategy: { probabilisticSampling: { samplingRate: 'NaN' } } } as unknown as ServiceSampling;
  expect(operationSampling(nan, 'x').probability).toBeNull();
  expect(samplingText(operationSampling(nan, 'x'))).toBe('–');
});

test('the data of /api/sampling is read defensively', () => {
  expect(parseSampling({ type: 'adaptive', strategy: ADAPTIVE.strategy })).toEqual(ADAPTIVE);
  expect(parseSampling({ type: 'something else', strategy: {} })).toEqual({ type: 'file', strategy: {} });
  for (const bad of [null, undefined, 'x', [], {}, { type: 'file' }, { type: 'file', strategy: null }, { strategy: [] }]) {
    expect(parseSampling(bad)).toBeNull();
  }
});

test('probabilities as percentages with up to three significant digits', () => {
  expect(formatProbability(0.0125)).toBe('1.25%');
  expect(formatProbability(0.001)).toBe('0.1%');
  expect(formatProbability(0.5)).toBe('50%');
  expect(formatProbability(1)).toBe('100%');
  expect(formatProbability(0)).toBe('0%');
  expect(formatProbability(1e-5)).toBe('0.001%');
  expect(formatProbability(1 / 3)).toBe('33.3%');
  expect(formatProbability(0.00012345)).toBe('0.0123%');
  expect(formatProbability(0.99999)).toBe('>99.9%');
  expect(formatProbability(1e-9)).toBe('<0.0001%');
  expect(formatProbability(NaN)).toBe('0%');
});

test('rate limits and lower bounds in words', () => {
  expect(formatTraceRate(5)).toBe('5 traces/s');
  expect(formatTraceRate(1)).toBe('1 trace/s');
  expect(formatTraceRate(0.5)).toBe('0.5 traces/s');
  expect(formatLowerBound(1 / 60)).toBe('at least 1 trace per minute');
  expect(formatLowerBound(0.016666666666666666)).toBe('at least 1 trace per minute');
  expect(formatLowerBound(1)).toBe('at least 1 trace per second');
  expect(formatLowerBound(2.5)).toBe('at least 2.5 traces per second');
  expect(formatLowerBound(0.5)).toBe('at least 30 traces per minute');
  expect(formatLowerBound(1 / 3600)).toBe('at least 1 trace per hour');
  expect(formatLowerBound(1 / 86400 / 2)).toBe('at least 0.5 traces per day');
});

test('cell text and tooltip say where the value comes from', () => {
  expect(samplingText(operationSampling(ADAPTIVE, 'GET /cart'))).toBe('1.25%');
  expect(samplingText(operationSampling(RATE_LIMITED, 'x'))).toBe('≤ 5 traces/s');
  expect(samplingTitle(operationSampling(ADAPTIVE, 'GET /cart'))).toBe(
    'Adaptive: calculated for this operation to reach the target rate; at least 1 trace per minute',
  );
  expect(samplingTitle(operationSampling(ADAPTIVE, 'x'))).toBe(
    'Adaptive: the default probability (not calculated for this operation yet); at least 1 trace per minute',
  );
  expect(samplingTitle(operationSampling(FILE, 'op0'))).toBe("From the strategies file: this operation's own probability");
  expect(samplingTitle(operationSampling(FILE, 'x'))).toBe("From the strategies file: the service's default probability");
  expect(samplingTitle(operationSampling(RATE_LIMITED, 'x'))).toBe('From the strategies file: the service is rate limited to 5 traces/s');
});

test('the summary line above the table', () => {
  expect(samplingSummary(ADAPTIVE)).toBe(
    'Sampling: adaptive — probabilities recalculated to reach the target rate, at least 1 trace per minute for each operation',
  );
  expect(samplingSummary({ type: 'adaptive', strategy: { operationSampling: {} } })).toBe(
    'Sampling: adaptive — probabilities recalculated to reach the target rate',
  );
  expect(samplingSummary(FILE)).toBe('Sampling: strategies file, default 50%, 1 operation with its own probability');
  expect(samplingSummary(PLAIN)).toBe('Sampling: strategies file, default 100%');
  expect(samplingSummary(RATE_LIMITED)).toBe('Sampling: strategies file, at most 5 traces/s');
  const two: ServiceSampling = {
    type: 'file',
    strategy: {
      operationSampling: {
        defaultSamplingProbability: 0.1,
        perOperationStrategies: [
          { operation: 'a', probabilisticSampling: { samplingRate: 0.2 } },
          { operation: 'b', probabilisticSampling: { samplingRate: 0.3 } },
        ],
      },
    },
  };
  expect(samplingSummary(two)).toBe('Sampling: strategies file, default 10%, 2 operations with their own probability');
  expect(samplingSummary({ type: 'file', strategy: {} })).toBe('Sampling: strategies file, no default probability');
});

test('the table sorts by sampling probability; rate limited and unknown values go last', () => {
  const row = (name: string, sampling?: number | null): OperationRow => ({ name, p95: 1, rate: 1, errorRate: 0, impact: 0, sampling });
  const rows = ['GET /cart', 'b', 'a'].map((n) => row(n, samplingSortValue(operationSampling(ADAPTIVE, n))));
  expect(sortRows(rows, 'sampling', 'desc').map((r) => r.name)).toEqual(['GET /cart', 'a', 'b']);
  expect(sortRows(rows, 'sampling', 'asc').map((r) => r.name)).toEqual(['a', 'b', 'GET /cart']);
  expect(samplingSortValue(operationSampling(RATE_LIMITED, 'x'))).toBeNull();
  const mixed = [row('z', null), row('y', 0.2), row('x')];
  expect(sortRows(mixed, 'sampling', 'asc').map((r) => r.name)).toEqual(['y', 'x', 'z']);
  expect(sortRows(mixed, 'sampling', 'desc').map((r) => r.name)).toEqual(['y', 'x', 'z']);
});

test('the operations with a strategy of their own, by name, with what their cells show', () => {
  const adaptive: ServiceSampling = {
    type: 'adaptive',
    strategy: {
      operationSampling: {
        defaultSamplingProbability: 0.001,
        defaultLowerBoundTracesPerSecond: 1 / 60,
        perOperationStrategies: [
          { operation: 'hot', probabilisticSampling: { samplingRate: 0.0000213 } },
          { operation: 'cold', probabilisticSampling: { samplingRate: 0.512 } },
          { operation: 'broken' } as never,
          { operation: 'hot', probabilisticSampling: { samplingRate: 0.5 } },
        ],
      },
    },
  };
  const own = ownOperationSamplings(adaptive);
  expect(own.map((o) => o.operation)).toEqual(['cold', 'hot']);
  // The first strategy listed for a name is the one applied, as in the operations table.
  expect(own.map((o) => samplingText(o.sampling))).toEqual(['51.2%', '0.00213%']);
  expect(own.every((o) => o.sampling.own && o.sampling.source === 'adaptive')).toBe(true);
  expect(samplingTitle(own[0].sampling)).toBe(
    'Adaptive: calculated for this operation to reach the target rate; at least 1 trace per minute',
  );
  expect(ownOperationSamplings(FILE)).toEqual([{ operation: 'op0', sampling: operationSampling(FILE, 'op0') }]);
});

test('no operations of their own: without operationSampling, an empty or a missing list', () => {
  expect(ownOperationSamplings(PLAIN)).toEqual([]);
  expect(ownOperationSamplings(RATE_LIMITED)).toEqual([]);
  expect(ownOperationSamplings({ type: 'adaptive', strategy: { operationSampling: { perOperationStrategies: [] } } })).toEqual([]);
  expect(ownOperationSamplings({ type: 'adaptive', strategy: { operationSampling: { perOperationStrategies: null } } })).toEqual([]);
  expect(ownOperationSamplings({ type: 'adaptive', strategy: { operationSampling: {} } })).toEqual([]);
});
