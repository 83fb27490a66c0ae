// A small time series chart in plain SVG: one or more lines over a time
// window, a y axis from zero, gaps where a series has no points, and a
// readout of the values at the time under the pointer.

import { useMemo, useState, type MouseEvent } from 'react';
import { formatTimeTick, nearestTime, niceTicks, segments, timeTickStep, timeTicks } from '../model/chart';
import type { SeriesPoint } from '../model/metrics';
import { formatTime } from '../model/format';
import { useSettings } from '../settings';

export interface ChartLine {
  label: string;
  /** a CSS colour, e.g. var(--accent) */
  color: string;
  points: SeriesPoint[];
}

interface Props {
  title: string;
  lines: ChartLine[];
  fromMs: number;
  toMs: number;
  /** distance of the points; points further apart than 1.5 steps are not joined */
  stepMs: number;
  /** a value as an axis label and in the readout */
  format: (v: number) => string;
}

const W = 480;
const H = 190;
const M = { top: 10, right: 12, bottom: 22, left: 58 };
const PLOT_W = W - M.left - M.right;
const PLOT_H = H - M.top - M.bottom;

function linePath(run: SeriesPoint[], x: (t: number) => number, y: (v: number) => number): string {
  return run.map((p, i) => `${i ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join('');
}

export function MetricChart({ title, lines, fromMs, toMs, stepMs, format }: Props) {
  const { utc } = useSettings();
  const [hover, setHover] = useState<number | null>(null);
  const span = Math.max(1, toMs - fromMs);
  const x = (t: number) => M.left + ((t - fromMs) / span) * PLOT_W;

  const scale = useMemo(() => {
    const max = Math.max(0, ...lines.flatMap((l) => l.points.map((p) => p.v)));
    const yTicks = niceTicks(max);
    const tStep = timeTickStep(fromMs, toMs);
    const offset = utc ? 0 : new Date(toMs).getTimezoneOffset();
    return { yTicks, yMax: yTicks[yTicks.length - 1], tStep, tTicks: timeTicks(fromMs, toMs, tStep, offset) };
  }, [lines, fromMs, toMs, utc]);
  const y = (v: number) => M.top + PLOT_H - (v / scale.yMax) * PLOT_H;

  const hasPoints = lines.some((l) => l.points.length > 0);
  const onMove = (e: MouseEvent<SVGRectElement>) => {
    const box = e.currentTarget.ownerSVGElement?.getBoundingClientRect();
    if (!box || !box.width) return;
    const t = fromMs + (((e.clientX - box.left) * (W / box.width) - M.left) / PLOT_W) * span;
    const all = lines.map((l) => l.points);
    setHover(nearestTime(all, t));
  };

  return (
    <figure className="metric-chart" data-testid="metric-chart">
      <figcaption>
        <strong>{title}</strong>
        {lines.length > 1 && (
          <span className="chart-legend">
            {lines.map((l) => (
              <span key={l.label}>
                <span className="swatch" style={{ background: l.color }} aria-hidden="true" />
                {l.label}
              </span>
            ))}
          </span>
        )}
      </figcaption>
      <div className="chart-readout muted" aria-live="polite">
        {hover === null ? (
          '\u00a0'
        ) : (
          <>
            {formatTime(hover * 1000, utc)}
            {lines.map((l) => {
              const p = l.points.find((q) => q.t === hover);
              return (
                <span key={l.label}>
                  {' · '}
                  {lines.length > 1 ? `${l.label} ` : ''}
                  {p ? format(p.v) : '–'}
                </span>
              );
            })}
          </>
        )}
      </div>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title} className="chart-svg">
        {scale.yTicks.map((v) => (
          <g key={v} className="y-tick">
            <line x1={M.left} x2={W - M.right} y1={y(v)} y2={y(v)} stroke="var(--grid)" />
            <text x={M.left - 6} y={y(v)} dy="0.32em" textAnchor="end">
              {format(v)}
            </text>
          </g>
        ))}
        {scale.tTicks.map((t) => (
          <g key={t} className="x-tick">
            <line x1={x(t)} x2={x(t)} y1={M.top + PLOT_H} y2={M.top + PLOT_H + 4} stroke="var(--muted)" />
            <text x={x(t)} y={H - 6} textAnchor="middle">
              {formatTimeTick(t, scale.tStep, utc)}
            </text>
          </g>
        ))}
        <line x1={M.left} x2={W - M.right} y1={M.top + PLOT_H} y2={M.top + PLOT_H} stroke="var(--muted)" />
        {lines.map((l) =>
          segments(l.points, stepMs * 1.5).map((run) => (
            // A lone point is a zero-length path with round caps: a dot.
            <path
              key={`${l.label}-${run[0].t}`}
              className={run.length === 1 ? 'metric-line metric-dot' : 'metric-line'}
              data-series={l.label}
              d={run.length === 1 ? `M${x(run[0].t).toFixed(1)},${y(run[0].v).toFixed(1)}h0` : linePath(run, x, y)}
              fill="none"
              stroke={l.color}
              strokeWidth={run.length === 1 ? 5 : 1.6}
              strokeLinecap="round"
              strokeLinejoin="round"
            />
          )),
        )}
        {!hasPoints && (
          <text x={M.left + PLOT_W / 2} y={M.top + PLOT_H / 2} textAnchor="middle" className="chart-empty">
            No data
          </text>
        )}
        {hover !== null && <line x1={x(hover)} x2={x(hover)} y1={M.top} y2={M.top + PLOT_H} stroke="var(--muted)" strokeDasharray="3 3" />}
        <rect
          x={M.left}
          y={M.top}
          width={PLOT_W}
          height={PLOT_H}
          fill="transparent"
          onMouseMove={onMove}
          onMouseLeave={() => setHover(null)}
        />
      </svg>
    </figure>
  );
}
