// Every span as a sortable table row (virtualised like the timeline).

import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState } from 'react';
import { formatDuration } from '../model/format';
import { selfTime } from '../model/stats';
import type { SpanNode, TraceModel } from '../model/trace';
import { ServiceDot } from './common';

type Key = 'service' | 'operation' | 'start' | 'duration' | 'self';

const value = (n: SpanNode, k: Key, self: Map<SpanNode, number>): string | number => {
  switch (k) {
    case 'service':
      return n.service;
    case 'operation':
      return n.operation;
    case 'start':
      return n.startTime;
    case 'duration':
      return n.span.duration;
    case 'self':
      return self.get(n) ?? 0;
  }
};

interface Props {
  model: TraceModel;
  matches: Set<string>;
  /** Shows the span in the timeline. */
  onOpen: (spanID: string) => void;
}

export function SpanTable({ model, matches, onOpen }: Props) {
  const [sort, setSort] = useState<{ key: Key; desc: boolean }>({ key: 'start', desc: false });
  const self = useMemo(() => new Map(model.nodes.map((n) => [n, selfTime(n)])), [model]);
  const rows = useMemo(() => {
    const list = [...model.nodes];
    list.sort((a, b) => {
      const x = value(a, sort.key, self);
      const y = value(b, sort.key, self);
      const c = typeof x === 'number' ? x - (y as number) : x.localeCompare(y as string);
      return sort.desc ? -c : c;
    });
    return list;
  }, [model, sort, self]);
  const ref = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: rows.length, getScrollElement: () => ref.current, estimateSize: () => 26, overscan: 20 });
  const head = (k: Key, label: string) => (
    <button
      type="button"
      className="link"
      onClick={() => setSort((s) => ({ key: k, desc: s.key === k ? !s.desc : k !== 'service' && k !== 'operation' && k !== 'start' }))}
    >
      {label}
      {sort.key === k ? (sort.desc ? ' ▾' : ' ▴') : ''}
    </button>
  );
  return (
    <div className="span-table" ref={ref}>
      <div className="st-row st-head">
        <span>{head('service', 'Service')}</span>
        <span>{head('operation', 'Operation')}</span>
        <span>Span ID</span>
        <span className="num">{head('start', 'Start')}</span>
        <span className="num">{head('duration', 'Duration')}</span>
        <span className="num">{head('self', 'Self time')}</span>
      </div>
      <div style={{ height: v.getTotalSize(), position: 'relative' }}>
        {v.getVirtualItems().map((item) => {
          const n = rows[item.index];
          return (
            <div
              key={item.key}
              className={`st-row${matches.has(n.spanID) ? ' matched' : ''}${n.hasError ? ' has-error' : ''}`}
              style={{ transform: `translateY(${item.start}px)` }}
            >
              <span>
                <ServiceDot service={n.service} /> {n.service}
              </span>
              <span>{n.operation}</span>
              <span>
                <button type="button" className="link mono" onClick={() => onOpen(n.spanID)} title="Show in the timeline">
                  {n.spanID}
                </button>
              </span>
              <span className="num">+{formatDuration(n.startTime - model.startTime)}</span>
              <span className="num">{formatDuration(n.span.duration)}</span>
              <span className="num">{formatDuration(self.get(n) ?? 0)}</span>
            </div>
          );
        })}
      </div>
    </div>
  );
}
