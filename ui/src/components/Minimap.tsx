// Overview of the whole trace; dragging across it zooms the timeline to
// that time range, a double click shows everything again.

import { useEffect, useRef, useState, type PointerEvent } from 'react';
import { serviceColor } from '../model/colors';
import { formatDuration } from '../model/format';
import type { TraceModel } from '../model/trace';

/** Fractions of the trace's duration, 0 ≤ from < to ≤ 1. */
export type ViewRange = [number, number];

const HEIGHT = 60;

export function Minimap({ model, range, onChange }: { model: TraceModel; range: ViewRange; onChange: (r: ViewRange) => void }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const boxRef = useRef<HTMLDivElement>(null);
  const [drag, setDrag] = useState<[number, number] | null>(null);

  useEffect(() => {
    const canvas = canvasRef.current;
    const box = boxRef.current;
    if (!canvas || !box) return;
    const draw = () => {
      const width = Math.max(box.clientWidth, 1);
      const ratio = globalThis.devicePixelRatio || 1;
      canvas.width = width * ratio;
      canvas.height = HEIGHT * ratio;
      canvas.style.width = `${width}px`;
      canvas.style.height = `${HEIGHT}px`;
      const ctx = canvas.getContext('2d');
      if (!ctx) return;
      ctx.scale(ratio, ratio);
      ctx.clearRect(0, 0, width, HEIGHT);
      const n = model.nodes.length;
      const total = Math.max(model.duration, 1);
      const rowH = Math.max(HEIGHT / Math.max(n, 1), 0.5);
      model.nodes.forEach((node, i) => {
        ctx.fillStyle = serviceColor(node.service);
        const x = ((node.startTime - model.startTime) / total) * width;
        const w = Math.max(((node.endTime - node.startTime) / total) * width, 1);
        ctx.fillRect(x, (i / Math.max(n, 1)) * HEIGHT, w, Math.max(rowH, 1));
      });
    };
    draw();
    const observer = new ResizeObserver(draw);
    observer.observe(box);
    return () => observer.disconnect();
  }, [model]);

  const fraction = (e: PointerEvent) => {
    const rect = boxRef.current!.getBoundingClientRect();
    return Math.min(Math.max((e.clientX - rect.left) / Math.max(rect.width, 1), 0), 1);
  };
  const onDown = (e: PointerEvent) => {
    (e.target as Element).setPointerCapture?.(e.pointerId);
    const f = fraction(e);
    setDrag([f, f]);
  };
  const onMove = (e: PointerEvent) => drag && setDrag([drag[0], fraction(e)]);
  const onUp = () => {
    if (drag) {
      const a = Math.min(...drag);
      const b = Math.max(...drag);
      if (b - a > 0.002) onChange([a, b]);
    }
    setDrag(null);
  };

  const shown = drag ? ([Math.min(...drag), Math.max(...drag)] as ViewRange) : range;
  return (
    <div
      className="minimap"
      ref={boxRef}
      data-testid="minimap"
      onPointerDown={onDown}
      onPointerMove={onMove}
      onPointerUp={onUp}
      onDoubleClick={() => onChange([0, 1])}
      title="Drag to zoom, double-click to reset"
    >
      <canvas ref={canvasRef} />
      <div className="minimap-shade" style={{ left: 0, width: `${shown[0] * 100}%` }} />
      <div className="minimap-shade" style={{ left: `${shown[1] * 100}%`, right: 0 }} />
      <div className="minimap-window" style={{ left: `${shown[0] * 100}%`, width: `${(shown[1] - shown[0]) * 100}%` }} />
      <div className="minimap-ticks">
        {[0, 0.25, 0.5, 0.75, 1].map((f) => (
          <span key={f} style={{ left: `${f * 100}%` }}>
            {formatDuration(f * model.duration)}
          </span>
        ))}
      </div>
    </div>
  );
}
