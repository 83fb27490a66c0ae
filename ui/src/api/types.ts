// Shapes of Jaeger's query HTTP API (`/api/...`) as Spoor serves them.
// Times are microseconds since the epoch, durations microseconds.

export type KeyValueType = 'string' | 'bool' | 'int64' | 'float64' | 'binary';

export interface KeyValue {
  key: string;
  type?: KeyValueType;
  value: string | number | boolean;
}

export type RefType = 'CHILD_OF' | 'FOLLOWS_FROM';

export interface SpanReference {
  refType: RefType;
  traceID: string;
  spanID: string;
}

export interface Log {
  timestamp: number;
  fields: KeyValue[];
}

export interface Span {
  traceID: string;
  spanID: string;
  flags?: number;
  operationName: string;
  references?: SpanReference[] | null;
  startTime: number;
  duration: number;
  tags?: KeyValue[] | null;
  logs?: Log[] | null;
  processID: string;
  warnings?: string[] | null;
}

export interface Process {
  serviceName: string;
  tags?: KeyValue[] | null;
}

export interface Trace {
  traceID: string;
  spans: Span[];
  processes: Record<string, Process>;
  warnings?: string[] | null;
}

export interface ApiError {
  code: number;
  msg: string;
  traceID?: string;
}

/** Envelope of every `/api/...` answer. */
export interface Envelope<T> {
  data: T;
  total: number;
  limit: number;
  offset: number;
  errors: ApiError[] | null;
}

export type SpanKind = 'server' | 'client' | 'producer' | 'consumer' | 'internal';

/**
 * The span kinds the metrics routes take: those of SpanKind and
 * `unspecified`, under which spans recorded without a kind are counted.
 */
export type MetricsSpanKind = SpanKind | 'unspecified';

export interface Operation {
  name: string;
  spanKind: SpanKind | '';
}

export interface DependencyLink {
  parent: string;
  child: string;
  callCount: number;
}

/** Parameters of `GET /api/traces`. Times in µs; durations as Go strings. */
export interface TraceQuery {
  service: string;
  operation?: string;
  tags?: Record<string, string>;
  start?: number;
  end?: number;
  minDuration?: string;
  maxDuration?: string;
  limit?: number;
  lookback?: string;
}

/** Parameters of a search with a query (`query.filter`) on `GET /api/v3/trace-summaries`. Times in µs. */
export interface FilterQuery {
  filter: string;
  start: number;
  end: number;
  limit: number;
}

/** One trace of `GET /api/v3/trace-summaries`: nanosecond times as decimal strings. */
export interface V3TraceSummary {
  traceId: string;
  /** of the root span, or of the earliest span whose parent is missing */
  rootServiceName?: string;
  rootOperationName?: string;
  minStartTimeUnixNano?: string;
  maxEndTimeUnixNano?: string;
  spanCount?: number | string;
  errorSpanCount?: number | string;
  services?: Array<{ name: string; spanCount?: number | string; errorSpanCount?: number | string }> | null;
}

/** Error answer of the `/api/v3/...` routes. */
export interface V3Error {
  error?: { httpCode?: number; message?: string };
}

/** The metrics of `GET /api/metrics/{calls,errors,latencies}`. */
export type MetricName = 'calls' | 'errors' | 'latencies';

export interface MetricLabel {
  name: string;
  value: string;
}

export interface MetricPoint {
  /** A number; NaN and the infinities may come as strings. */
  gaugeValue?: { doubleValue?: number | string };
  /** RFC 3339 */
  timestamp: string;
}

/** One series of a metric family: labels service_name and, grouped by operation, operation. */
export interface Metric {
  labels?: MetricLabel[] | null;
  metricPoints?: MetricPoint[] | null;
}

/** Answer of the metrics routes: not in the {data} envelope. */
export interface MetricFamily {
  name: string;
  type: string;
  help: string;
  metrics?: Metric[] | null;
}

/** Parameters of the metrics routes. Times and durations in milliseconds. */
export interface MetricsQuery {
  service: string;
  spanKind: MetricsSpanKind;
  groupByOperation: boolean;
  endTs: number;
  lookback: number;
  step: number;
  ratePer: number;
  /** latencies only, 0..1 */
  quantile?: number;
}

/** One span of a path of `GET /api/deep-dependencies`. */
export interface DeepDependencyStep {
  service: string;
  operation: string;
}

/** One path from a root span to a leaf span; attributes carry up to 20 `exemplar_trace_id`s. */
export interface DeepDependencyPath {
  path?: DeepDependencyStep[] | null;
  attributes?: Array<{ key: string; value: string }> | null;
}

/** Answer of `GET /api/deep-dependencies`: not in the {data} envelope. */
export interface DeepDependencies {
  dependencies?: DeepDependencyPath[] | null;
}

/** Parameters of `GET /api/deep-dependencies`. Times in milliseconds. */
export interface DeepDependenciesQuery {
  service: string;
  operation?: string;
  start: number;
  end: number;
  /** traces read */
  limit?: number;
}

/** Jaeger's sampling strategy types; older encodings send their numbers (0, 1). */
export type SamplingStrategyType = 'PROBABILISTIC' | 'RATE_LIMITING' | 0 | 1;

/** One operation's own strategy in Jaeger's per-operation sampling. */
export interface OperationSamplingStrategy {
  operation: string;
  probabilisticSampling?: { samplingRate?: number } | null;
}

/** Jaeger's PerOperationSamplingStrategies; zero values may be left out. */
export interface PerOperationSampling {
  defaultSamplingProbability?: number;
  /** traces per second each operation is sampled at least */
  defaultLowerBoundTracesPerSecond?: number;
  perOperationStrategies?: OperationSamplingStrategy[] | null;
  defaultUpperBoundTracesPerSecond?: number;
}

/** Jaeger's SamplingStrategyResponse: what clients of a service are told. */
export interface SamplingStrategyResponse {
  strategyType?: SamplingStrategyType;
  probabilisticSampling?: { samplingRate?: number } | null;
  rateLimitingSampling?: { maxTracesPerSecond?: number } | null;
  operationSampling?: PerOperationSampling | null;
}

/** `data` of `GET /api/sampling?service=S`: where the strategy comes from, and the strategy. */
export interface ServiceSampling {
  type: 'adaptive' | 'file';
  strategy: SamplingStrategyResponse;
}
