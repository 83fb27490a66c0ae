import { CartesianGrid, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis, ZAxis } from 'recharts';
import { formatClock, formatDuration, formatTime } from '../model/format';
import type { TraceSummary } from '../model/traceSummary';
import { useSettings } from '../settings';

interface Point {
  traceID: string;
  name: string;
  x: number; // start, ms
  y: number; // duration, ms
  spans: number;
  errors: number;
}

/** Durations of the found traces over time; a click opens the trace. */
export function ScatterPlot({ traces, onOpen }: { traces: TraceSummary[]; onOpen: (traceID: string) => void }) {
  const { utc } = useSettings();
  const points: Point[] = traces.map((t) => ({
    traceID: t.traceID,
    name: t.name,
    x: t.startTime / 1000,
    y: t.duration / 1000,
    spans: t.spans,
    errors: t.errors,
  }));
  const xs = points.map((p) => p.x);
  const withMs = Math.max(...xs) - Math.min(...xs) < 10_000; // under 10 s: seconds would repeat
  const ok = points.filter((p) => !p.errors);
  const failed = points.filter((p) => p.errors);
  const open = (p: unknown) => {
    const id = (p as { payload?: Point; traceID?: string }).payload?.traceID ?? (p as Point).traceID;
    if (id) onOpen(id);
  };
  if (!points.length) return null;
  return (
    <div className="scatter" data-testid="scatter-plot">
      <ResponsiveContainer width="100%" height={180}>
        <ScatterChart margin={{ top: 10, right: 20, bottom: 0, left: 10 }}>
          <CartesianGrid stroke="var(--grid)" />
          <XAxis
            type="number"
            dataKey="x"
            domain={['dataMin', 'dataMax']}
            tickFormatter={(v: number) => formatClock(v * 1000, utc, withMs)}
            stroke="var(--muted)"
            fontSize={11}
            name="Start"
          />
          <YAxis
            type="number"
            dataKey="y"
            tickFormatter={(v: number) => formatDuration(v * 1000)}
            stroke="var(--muted)"
            fontSize={11}
            width={60}
            name="Duration"
          />
          <ZAxis type="number" dataKey="spans" range={[30, 240]} />
          <Tooltip
            cursor={{ strokeDasharray: '3 3' }}
            content={({ payload }) => {
              const p = payload?.[0]?.payload as Point | undefined;
              if (!p) return null;
              return (
                <div className="tooltip">
                  <strong>{p.name}</strong>
                  <div>{formatDuration(p.y * 1000)}</div>
                  <div>{formatTime(p.x * 1000, utc)}</div>
                  <div>
                    {p.spans} spans{p.errors ? `, ${p.errors} errors` : ''}
                  </div>
                </div>
              );
            }}
          />
          <Scatter data={ok} fill="var(--accent)" onClick={open} cursor="pointer" isAnimationActive={false} />
          <Scatter data={failed} fill="var(--error)" onClick={open} cursor="pointer" isAnimationActive={false} />
        </ScatterChart>
      </ResponsiveContainer>
    </div>
  );
}
