// The trace timeline: a collapsible span tree with one bar per span, only
// the rows in view rendered (the list may hold tens of thousands of spans).

import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { segmentsBySpan, type Segment } from '../model/criticalPath';
import { serviceColor } from '../model/colors';
import { formatDuration } from '../model/format';
import { visibleRows, type SpanNode, type TraceModel } from '../model/trace';
import { Minimap, type ViewRange } from './Minimap';
import { SpanDetail } from './SpanDetail';

const ROW_HEIGHT = 24;

interface Props {
  model: TraceModel;
  matches: Set<string>;
  focusSpanID: string | null;
  critical: Segment[] | null;
}

export function Timeline({ model, matches, focusSpanID, critical }: Props) {
  const [collapsed, setCollapsed] = useState<Set<string>>(() => new Set());
  const [selected, setSelected] = useState<string | null>(focusSpanID);
  const [range, setRange] = useState<ViewRange>([0, 1]);
  const rows = useMemo(() => visibleRows(model, collapsed), [model, collapsed]);
  const criticalBySpan = useMemo(() => (critical ? segmentsBySpan(critical) : null), [critical]);
  const scrollRef = useRef<HTMLDivElement>(null);

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
  });

  useEffect(() => {
    // Runs when the focused span changes only, not on every collapse.
    if (!focusSpanID) return;
    setSelected(focusSpanID);
    const i = rows.findIndex((r) => r.spanID === focusSpanID);
    if (i >= 0) virtualizer.scrollToIndex(i, { align: 'center' });
  }, [focusSpanID]);

  const toggle = useCallback((id: string) => {
    setCollapsed((c) => {
      const next = new Set(c);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);
  const collapseAll = () => setCollapsed(new Set(model.nodes.filter((n) => n.children.length).map((n) => n.spanID)));
  const expandAll = () => setCollapsed(new Set());
  const select = useCallback((id: string) => setSelected((s) => (s === id ? null : id)), []);

  const matchList = useMemo(() => rows.filter((r) => matches.has(r.spanID)), [rows, matches]);
  const [matchCursor, setMatchCursor] = useState(0);
  const gotoMatch = (step: number) => {
    if (!matchList.length) return;
    const next = (matchCursor + step + matchList.length) % matchList.length;
    setMatchCursor(next);
    const target = matchList[next];
    setSelected(target.spanID);
    virtualizer.scrollToIndex(rows.indexOf(target), { align: 'center' });
  };

  const selectedNode = selected ? model.byID.get(selected) : undefined;
  const [from, to] = range;
  const t0 = model.startTime;
  const total = Math.max(model.duration, 1);
  const viewStart = t0 + from * total;
  const viewSpan = Math.max((to - from) * total, 1e-9);

  return (
    <div className="timeline">
      <Minimap model={model} range={range} onChange={setRange} />
      <div className="timeline-tools">
        <button type="button" onClick={expandAll}>
          Expand all
        </button>
        <button type="button" onClick={collapseAll}>
          Collapse all
        </button>
        {(from > 0 || to < 1) && (
          <button type="button" onClick={() => setRange([0, 1])}>
            Reset zoom
          </button>
        )}
        {matches.size > 0 && (
          <>
            <button type="button" onClick={() => gotoMatch(-1)} aria-label="Previous match">
              ◂
            </button>
            <button type="button" onClick={() => gotoMatch(1)} aria-label="Next match">
              ▸
            </button>
          </>
        )}
        <span className="legend">
          <span className="legend-critical" /> critical path <span className="legend-error">!</span> error
        </span>
      </div>
      <div className={`timeline-body${selectedNode ? ' with-detail' : ''}`}>
        <div className="timeline-scroll" ref={scrollRef} data-testid="timeline">
          <div className="timeline-head">
            <div className="name-col">Service &amp; operation</div>
            <div className="bar-col ticks">
              {[0, 0.25, 0.5, 0.75, 1].map((f) => (
                <span key={f} className="tick" style={{ left: `${f * 100}%` }}>
                  {formatDuration(viewStart - t0 + f * viewSpan)}
                </span>
              ))}
            </div>
          </div>
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }} role="tree" aria-label="Spans">
            {virtualizer.getVirtualItems().map((item) => {
              const node = rows[item.index];
              return (
                <SpanRow
                  key={node.spanID + item.index}
                  node={node}
                  top={item.start}
                  collapsed={collapsed.has(node.spanID)}
                  selected={selected === node.spanID}
                  matched={matches.has(node.spanID)}
                  viewStart={viewStart}
                  viewSpan={viewSpan}
                  traceStart={t0}
                  critical={criticalBySpan?.get(node.spanID)}
                  onToggle={toggle}
                  onSelect={select}
                />
              );
            })}
          </div>
        </div>
        {selectedNode && <SpanDetail node={selectedNode} model={model} onClose={() => setSelected(null)} onSelect={setSelected} />}
      </div>
    </div>
  );
}

interface RowProps {
  node: SpanNode;
  top: number;
  collapsed: boolean;
  selected: boolean;
  matched: boolean;
  viewStart: number;
  viewSpan: number;
  traceStart: number;
  critical: Segment[] | undefined;
  onToggle: (id: string) => void;
  onSelect: (id: string) => void;
}

const pct = (v: number) => `${v * 100}%`;

const SpanRow = memo(function SpanRow(p: RowProps) {
  const { node } = p;
  const color = serviceColor(node.service);
  const left = (node.startTime - p.viewStart) / p.viewSpan;
  const width = Math.max((node.endTime - node.startTime) / p.viewSpan, 0);
  const classes = ['span-row'];
  if (p.selected) classes.push('selected');
  if (p.matched) classes.push('matched');
  if (node.hasError) classes.push('has-error');
  const labelLeft = left + width < 0.8;
  return (
    <div
      className={classes.join(' ')}
      style={{ transform: `translateY(${p.top}px)`, height: ROW_HEIGHT }}
      data-span-id={node.spanID}
      tabIndex={0}
      role="treeitem"
      aria-level={node.depth + 1}
      aria-selected={p.selected}
      aria-expanded={node.children.length ? !p.collapsed : undefined}
      onClick={() => p.onSelect(node.spanID)}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          p.onSelect(node.spanID);
        } else if ((e.key === 'ArrowLeft' && !p.collapsed) || (e.key === 'ArrowRight' && p.collapsed)) {
          if (node.children.length) p.onToggle(node.spanID);
        }
      }}
    >
      <div className="name-col" style={{ paddingLeft: 4 + Math.min(node.depth, 30) * 14 }}>
        {node.children.length ? (
          <button
            type="button"
            className="toggle"
            aria-label={p.collapsed ? 'Expand' : 'Collapse'}
            tabIndex={-1}
            onClick={(e) => {
              e.stopPropagation();
              p.onToggle(node.spanID);
            }}
          >
            {p.collapsed ? '▸' : '▾'}
          </button>
        ) : (
          <span className="toggle-space" />
        )}
        <span className="service-mark" style={{ background: color }} />
        {node.hasError && (
          <span className="error-mark" title="error">
            !
          </span>
        )}
        {(node.span.warnings ?? []).length > 0 && (
          <span className="warn-mark" title={node.span.warnings!.join('\n')}>
            ⚠
          </span>
        )}
        <span className="span-service">{node.service}</span>
        <span className="span-op">{node.operation}</span>
        {p.collapsed && <span className="count">+{node.descendants}</span>}
      </div>
      <div className="bar-col">
        <div
          className="span-bar"
          title={`${node.service}: ${node.operation} (${formatDuration(node.span.duration)})`}
          style={{ left: pct(left), width: `max(${pct(width)}, 2px)`, background: color }}
        >
          {p.critical?.map((s, i) => (
            <div
              key={i}
              className="critical"
              style={{
                left: pct((s.start - node.startTime) / Math.max(node.endTime - node.startTime, 1)),
                width: pct((s.end - s.start) / Math.max(node.endTime - node.startTime, 1)),
              }}
            />
          ))}
        </div>
        <span
          className="bar-label"
          style={
            labelLeft ? { left: `calc(${pct(Math.max(left + width, 0))} + 4px)` } : { right: `calc(${pct(Math.max(1 - left, 0))} + 4px)` }
          }
        >
          {formatDuration(node.span.duration)}
        </span>
      </div>
    </div>
  );
});
