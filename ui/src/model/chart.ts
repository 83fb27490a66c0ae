// Scales, ticks and line segments of the Monitor page's time series charts.

import type { SeriesPoint } from './metrics';

/** Round numbers from 0 to at least max, about `count` steps apart (1, 2 or 5 times a power of ten). */
export function niceTicks(max: number, count = 4): number[] {
  if (!Number.isFinite(max) || max <= 0) return [0, 1];
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let i = 0; ; i++) {
    // Multiplying (not adding) keeps 0.1 + 0.2 style errors out of the labels.
    const v = Number((i * step).toPrecision(12));
    ticks.push(v);
    if (v >= max) break;
  }
  return ticks;
}

const TIME_STEPS_MS = [
  10e3,
  15e3,
  30e3,
  60e3,
  2 * 60e3,
  5 * 60e3,
  10 * 60e3,
  15 * 60e3,
  30 * 60e3,
  3600e3,
  2 * 3600e3,
  3 * 3600e3,
  6 * 3600e3,
  12 * 3600e3,
  86400e3,
];

/** Distance of the time axis' ticks: the first of TIME_STEPS_MS giving at most `count` ticks. */
export function timeTickStep(fromMs: number, toMs: number, count = 6): number {
  const span = Math.max(0, toMs - fromMs);
  return TIME_STEPS_MS.find((s) => span / s <= count) ?? TIME_STEPS_MS[TIME_STEPS_MS.length - 1];
}

/**
 * Tick times between from and to, on whole steps of the clock shown (UTC,
 * or local time given its offset from UTC in minutes, as
 * Date.getTimezoneOffset gives it).
 */
export function timeTicks(fromMs: number, toMs: number, stepMs: number, tzOffsetMin = 0): number[] {
  const shift = -tzOffsetMin * 60e3;
  const ticks: number[] = [];
  for (let t = Math.ceil((fromMs + shift) / stepMs) * stepMs - shift; t <= toMs; t += stepMs) ticks.push(t);
  return ticks;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A tick label: 15:04:05 for steps under a minute, 15:04, or 01-02 15:04 for steps of 6 hours and more. */
export function formatTimeTick(ms: number, stepMs: number, utc: boolean): string {
  const d = new Date(ms);
  const [mo, day, h, m, s] = utc
    ? [d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
    : [d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()];
  const clock = `${pad(h)}:${pad(m)}`;
  if (stepMs < 60e3) return `${clock}:${pad(s)}`;
  if (stepMs >= 6 * 3600e3) return `${pad(mo)}-${pad(day)} ${clock}`;
  return clock;
}

/** Runs of points no further apart than maxGapMs: a line is drawn through each run, a gap left between them. */
export function segments(points: SeriesPoint[], maxGapMs: number): SeriesPoint[][] {
  const out: SeriesPoint[][] = [];
  let run: SeriesPoint[] = [];
  for (const p of points) {
    if (run.length && p.t - run[run.length - 1].t > maxGapMs) {
      out.push(run);
      run = [];
    }
    run.push(p);
  }
  if (run.length) out.push(run);
  return out;
}

/** The point nearest to t among all lines' points, or null without points. */
export function nearestTime(lines: SeriesPoint[][], t: number): number | null {
  let best: number | null = null;
  for (const points of lines) {
    for (const p of points) if (best === null || Math.abs(p.t - t) < Math.abs(best - t)) best = p.t;
  }
  return best;
}
