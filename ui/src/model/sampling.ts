// What the sampling endpoint tells a service's clients, per operation, as
// the Monitor page shows it. Clients that get per-operation strategies use
// them (an operation's own probability, else the default probability, with
// the lower bound for every operation) and ignore the service-wide
// strategy; without them the service-wide probability or rate limit applies.

import type { OperationSamplingStrategy, SamplingStrategyResponse, ServiceSampling } from '../api/types';
import { formatRate, trimZeros } from './metrics';

export type SamplingSource = ServiceSampling['type'];

/** The sampling one operation's clients are told. */
export interface OperationSampling {
  source: SamplingSource;
  /** 0..1; null when the service is rate limited or the strategy gives none */
  probability: number | null;
  /** the service's limit in traces per second; null unless rate limited */
  maxTracesPerSecond: number | null;
  /** traces per second each operation is sampled at least; 0 for none */
  lowerBound: number;
  /** the operation has a probability of its own (else a default applies) */
  own: boolean;
}

const isObject = (v: unknown): v is object => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = <T>(v: T[] | null | undefined): T[] => (Array.isArray(v) ? v : []);

function finite(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

const probability = (v: unknown): number | null => {
  const p = finite(v);
  return p === null ? null : Math.min(1, Math.max(0, p));
};

/** The `data` of `/api/sampling`, or null when it is not a sampling answer. */
export function parseSampling(data: unknown): ServiceSampling | null {
  if (!isObject(data)) return null;
  const { type, strategy } = data as { type?: unknown; strategy?: unknown };
  if (!isObject(strategy)) return null;
  return { type: type === 'adaptive' ? 'adaptive' : 'file', strategy: strategy as SamplingStrategyResponse };
}

function isRateLimiting(s: SamplingStrategyResponse): boolean {
  if (s.strategyType === 'RATE_LIMITING' || s.strategyType === 1) return true;
  return s.strategyType === undefined && !s.probabilisticSampling && !!s.rateLimitingSampling;
}

function ownStrategy(strategies: OperationSamplingStrategy[] | null | undefined, operation: string): OperationSamplingStrategy | undefined {
  return list(strategies).find((o) => isObject(o) && o.operation === operation && isObject(o.probabilisticSampling));
}

/** The sampling of an operation (its own strategy if listed), or with null the service's default. */
function resolve(sampling: ServiceSampling, operation: string | null): OperationSampling {
  const s = sampling.strategy;
  const base = { source: sampling.type, probability: null, maxTracesPerSecond: null, lowerBound: 0, own: false };
  const ops = s.operationSampling;
  if (isObject(ops)) {
    const lowerBound = Math.max(0, finite(ops.defaultLowerBoundTracesPerSecond) ?? 0);
    const own = operation === null ? undefined : ownStrategy(ops.perOperationStrategies, operation);
    if (own) return { ...base, lowerBound, own: true, probability: probability(own.probabilisticSampling?.samplingRate ?? 0) };
    return { ...base, lowerBound, probability: probability(ops.defaultSamplingProbability ?? 0) };
  }
  if (isRateLimiting(s)) {
    const max = finite(s.rateLimitingSampling?.maxTracesPerSecond ?? 0);
    return { ...base, maxTracesPerSecond: max === null ? null : Math.max(0, max) };
  }
  if (!isObject(s.probabilisticSampling)) return base;
  return { ...base, probability: probability(s.probabilisticSampling.samplingRate ?? 0) };
}

/** The sampling of one operation of the service: its own strategy if listed, else the default. */
export function operationSampling(sampling: ServiceSampling, operation: string): OperationSampling {
  return resolve(sampling, operation);
}

/**
 * The operations with a strategy of their own, sorted by name, each with
 * the sampling its clients are told: what the page shows of the sampler
 * when it has no metrics to show.
 */
export function ownOperationSamplings(sampling: ServiceSampling): Array<{ operation: string; sampling: OperationSampling }> {
  const ops = sampling.strategy.operationSampling;
  if (!isObject(ops)) return [];
  const names = new Set<string>();
  for (const o of list(ops.perOperationStrategies)) {
    if (isObject(o) && typeof o.operation === 'string' && isObject(o.probabilisticSampling)) names.add(o.operation);
  }
  return [...names]
    .sort((a, b) => a.localeCompare(b))
    .map((operation) => ({ operation, sampling: operationSampling(sampling, operation) }));
}

/** The value the table sorts by: the probability; rate limited and unknown sort last. */
export function samplingSortValue(o: OperationSampling): number | null {
  return o.probability;
}

/** A probability as a percentage with up to three significant digits: 1.25%, 0.1%, 50%, 100%. */
export function formatProbability(p: number): string {
  if (!(p > 0)) return '0%';
  if (p >= 1) return '100%';
  const pct = p * 100;
  if (pct < 0.0001) return '<0.0001%';
  const text = trimZeros(pct.toPrecision(3));
  return text === '100' ? '>99.9%' : `${text}%`;
}

function traces(n: string): string {
  return n === '1' ? 'trace' : 'traces';
}

/** A rate limit: 5 traces/s, 1 trace/s. */
export function formatTraceRate(perSecond: number): string {
  const n = formatRate(perSecond);
  return `${n} ${traces(n)}/s`;
}

const UNITS: Array<[string, number]> = [
  ['second', 1],
  ['minute', 60],
  ['hour', 3600],
  ['day', 86400],
];

/** A lower bound in traces per second, in the largest unit that makes it at least one: "at least 1 trace per minute". */
export function formatLowerBound(perSecond: number): string {
  for (const [unit, seconds] of UNITS) {
    const count = perSecond * seconds;
    if (count >= 1 - 1e-9 || unit === 'day') {
      const n = formatRate(count);
      return `at least ${n} ${traces(n)} per ${unit}`;
    }
  }
  return '';
}

/** The text of an operation's cell: a percentage, or the service's rate limit. */
export function samplingText(o: OperationSampling): string {
  if (o.maxTracesPerSecond !== null) return `≤ ${formatTraceRate(o.maxTracesPerSecond)}`;
  return o.probability === null ? '–' : formatProbability(o.probability);
}

/** The tooltip of an operation's cell: where the value comes from, and the lower bound. */
export function samplingTitle(o: OperationSampling): string {
  const from = o.source === 'adaptive' ? 'Adaptive' : 'From the strategies file';
  let what: string;
  if (o.maxTracesPerSecond !== null) what = `the service is rate limited to ${formatTraceRate(o.maxTracesPerSecond)}`;
  else if (o.probability === null) what = 'no probability given';
  else if (o.own && o.source === 'adaptive') what = 'calculated for this operation to reach the target rate';
  else if (o.own) what = "this operation's own probability";
  else if (o.source === 'adaptive') what = 'the default probability (not calculated for this operation yet)';
  else what = "the service's default probability";
  const bound = o.lowerBound > 0 ? `; ${formatLowerBound(o.lowerBound)}` : '';
  return `${from}: ${what}${bound}`;
}

/** The one-line summary above the operations table. */
export function samplingSummary(sampling: ServiceSampling): string {
  const s = sampling.strategy;
  const ops = isObject(s.operationSampling) ? s.operationSampling : null;
  const lowerBound = Math.max(0, finite(ops?.defaultLowerBoundTracesPerSecond) ?? 0);
  const bound = lowerBound > 0 ? `, ${formatLowerBound(lowerBound)} for each operation` : '';
  if (sampling.type === 'adaptive') return `Sampling: adaptive — probabilities recalculated to reach the target rate${bound}`;
  const service = resolve(sampling, null);
  if (service.maxTracesPerSecond !== null) return `Sampling: strategies file, at most ${formatTraceRate(service.maxTracesPerSecond)}`;
  const def = service.probability === null ? 'no default probability' : `default ${formatProbability(service.probability)}`;
  const own = list(ops?.perOperationStrategies).filter((o) => isObject(o) && isObject(o.probabilisticSampling)).length;
  const listed = own ? `, ${own} ${own === 1 ? 'operation with its' : 'operations with their'} own probability` : '';
  return `Sampling: strategies file, ${def}${listed}${bound}`;
}
