// The URL of the deep dependency view:
// /deep-dependencies?service=S&operation=O&lookback=24h&limit=200&showOperations=false
// Values at their default are left out, except the service.

import type { DeepDependenciesQuery } from '../api/types';
import { MONITOR_WINDOWS } from './metrics';

export const DEEP_PATH = '/deep-dependencies';

/** The time windows offered: the Monitor page's (so its links keep their window) and a week. */
export const DEEP_WINDOWS: Array<{ value: string; label: string; ms: number }> = [
  ...MONITOR_WINDOWS,
  { value: '7d', label: 'Last 7 days', ms: 7 * 86400e3 },
];
/** The server's own default window. */
export const DEFAULT_DEEP_WINDOW = '24h';

/** How many of the most recent traces the server reads. */
export const DEEP_LIMITS = [100, 200, 500, 1500];
export const DEFAULT_DEEP_LIMIT = 200;
export const MAX_DEEP_LIMIT = 1500;

export interface DeepParams {
  service: string;
  /** '' for all operations */
  operation: string;
  lookback: string;
  limit: number;
  /** one node per service and operation (true) or per service (false) */
  showOperations: boolean;
}

export function deepWindowMs(value: string): number | null {
  return DEEP_WINDOWS.find((w) => w.value === value)?.ms ?? null;
}

/** The view's state from its query string; anything unknown or out of range falls back to the default. */
export function parseDeepParams(params: URLSearchParams): DeepParams {
  const lookback = params.get('lookback') ?? '';
  const limitText = params.get('limit') ?? '';
  const limit = /^\d+$/.test(limitText) ? Number(limitText) : NaN;
  const service = params.get('service') ?? '';
  return {
    service,
    operation: service ? (params.get('operation') ?? '') : '',
    lookback: deepWindowMs(lookback) !== null ? lookback : DEFAULT_DEEP_WINDOW,
    limit: limit >= 1 && limit <= MAX_DEEP_LIMIT ? limit : DEFAULT_DEEP_LIMIT,
    showOperations: params.get('showOperations') !== 'false',
  };
}

/** The query string of a state; the inverse of parseDeepParams. */
export function deepSearchParams(state: Partial<DeepParams> & { service: string }): URLSearchParams {
  const p = new URLSearchParams();
  if (state.service) p.set('service', state.service);
  if (state.service && state.operation) p.set('operation', state.operation);
  if (state.lookback && state.lookback !== DEFAULT_DEEP_WINDOW) p.set('lookback', state.lookback);
  if (state.limit && state.limit !== DEFAULT_DEEP_LIMIT) p.set('limit', String(state.limit));
  if (state.showOperations === false) p.set('showOperations', 'false');
  return p;
}

/** A link to the view, e.g. from an operation of the Monitor page. */
export function deepDependenciesUrl(state: Partial<DeepParams> & { service: string }): string {
  const query = deepSearchParams(state).toString();
  return query ? `${DEEP_PATH}?${query}` : DEEP_PATH;
}

/** The request for a state, the window ending at nowMs. */
export function deepQuery(state: DeepParams, nowMs: number): DeepDependenciesQuery {
  const ms = deepWindowMs(state.lookback) ?? deepWindowMs(DEFAULT_DEEP_WINDOW)!;
  return { service: state.service, operation: state.operation, start: nowMs - ms, end: nowMs, limit: state.limit };
}
