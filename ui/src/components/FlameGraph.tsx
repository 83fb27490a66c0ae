// Flame graph of the span tree: x is time, y is depth; clicking a span
// zooms to it, clicking the background zooms out.

import { useMemo, useState } from 'react';
import { serviceColor } from '../model/colors';
import { formatDuration } from '../model/format';
import type { SpanNode, TraceModel } from '../model/trace';

const ROW = 20;
const WIDTH = 1200;

export function FlameGraph({ model }: { model: TraceModel }) {
  const [focus, setFocus] = useState<SpanNode | null>(null);
  const from = focus?.startTime ?? model.startTime;
  const to = focus?.endTime ?? model.endTime;
  const span = Math.max(to - from, 1);
  const rects = useMemo(() => {
    const out: Array<{ n: SpanNode; x: number; w: number }> = [];
    for (const n of model.nodes) {
      if (n.endTime <= from || n.startTime >= to) continue;
      const x = ((Math.max(n.startTime, from) - from) / span) * WIDTH;
      const w = ((Math.min(n.endTime, to) - Math.max(n.startTime, from)) / span) * WIDTH;
      if (w < 0.3) continue; // below a pixel's third: invisible
      out.push({ n, x, w });
    }
    return out;
  }, [model, from, to, span]);
  const height = model.depth * ROW + 4;
  return (
    <div className="flame-graph">
      <div className="muted">
        {focus ? (
          <button type="button" onClick={() => setFocus(null)}>
            Zoom out
          </button>
        ) : (
          'Click a span to zoom to it.'
        )}{' '}
        {rects.length} of {model.nodes.length} spans drawn
      </div>
      <svg viewBox={`0 0 ${WIDTH} ${height}`} width="100%" height={height} preserveAspectRatio="none" role="img" aria-label="Flame graph">
        <rect x={0} y={0} width={WIDTH} height={height} fill="transparent" onClick={() => setFocus(null)} />
        {rects.map(({ n, x, w }) => (
          <g key={n.spanID + n.index} transform={`translate(${x},${n.depth * ROW})`} onClick={() => setFocus(n)} className="flame-node">
            <rect
              width={Math.max(w - 0.5, 0.3)}
              height={ROW - 1}
              fill={serviceColor(n.service)}
              stroke={n.hasError ? 'var(--error)' : 'none'}
            />
            <title>{`${n.service}: ${n.operation} — ${formatDuration(n.span.duration)}`}</title>
            {w > 60 && (
              <text x={3} y={ROW - 6} fontSize={11} fill="#fff" className="flame-label">
                {`${n.operation}`.slice(0, Math.floor(w / 7))}
              </text>
            )}
          </g>
        ))}
      </svg>
    </div>
  );
}
