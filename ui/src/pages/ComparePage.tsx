import { useMemo, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { ErrorNotice, Loading, ServiceDot } from '../components/common';
import { compareTraces, type DiffStatus } from '../model/compare';
import { formatDuration } from '../model/format';
import { buildTraceModel, traceName, type TraceModel } from '../model/trace';
import { useTrace } from './useTrace';
import { useTitle } from '../components/useTitle';

function ComparePicker({ a = '', b = '' }: { a?: string; b?: string }) {
  const [x, setX] = useState(a);
  const [y, setY] = useState(b);
  const navigate = useNavigate();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (x.trim() && y.trim()) navigate(`/trace/${x.trim().toLowerCase()}...${y.trim().toLowerCase()}`);
  };
  return (
    <form className="compare-picker" onSubmit={submit}>
      <input aria-label="Trace A" placeholder="Trace ID A" value={x} onChange={(e) => setX(e.target.value)} />
      <input aria-label="Trace B" placeholder="Trace ID B" value={y} onChange={(e) => setY(e.target.value)} />
      <button type="submit" className="primary">
        Compare
      </button>
    </form>
  );
}

const STATUS_LABEL: Record<DiffStatus, string> = { same: 'same', changed: 'changed', 'only-a': 'only in A', 'only-b': 'only in B' };

export function ComparePage({ a, b }: { a?: string; b?: string }) {
  useTitle('Compare traces');
  return (
    <div className="compare-page">
      <h1>Compare traces</h1>
      <ComparePicker key={`${a}...${b}`} a={a} b={b} />
      {a && b ? (
        <CompareLoaded a={a} b={b} />
      ) : (
        <div className="notice">Enter two trace IDs, or select two traces in the search results.</div>
      )}
    </div>
  );
}

function CompareLoaded({ a, b }: { a: string; b: string }) {
  const ta = useTrace(a);
  const tb = useTrace(b);
  if (ta.state === 'loading' || tb.state === 'loading') return <Loading what="traces" />;
  if (ta.state === 'error') return <ErrorNotice error={`Trace A (${a}): ${String((ta.error as Error)?.message ?? ta.error)}`} />;
  if (tb.state === 'error') return <ErrorNotice error={`Trace B (${b}): ${String((tb.error as Error)?.message ?? tb.error)}`} />;
  return <CompareTable a={buildTraceModel(ta.trace)} b={buildTraceModel(tb.trace)} />;
}

function Side({ label, model }: { label: string; model: TraceModel }) {
  return (
    <div className="compare-side">
      <strong>{label}</strong> <Link to={`/trace/${model.traceID}`}>{traceName(model)}</Link>{' '}
      <span className="muted">
        {model.nodes.length} spans · {formatDuration(model.duration)}
      </span>
    </div>
  );
}

function CompareTable({ a, b }: { a: TraceModel; b: TraceModel }) {
  const rows = useMemo(() => compareTraces(a, b), [a, b]);
  const [onlyDiff, setOnlyDiff] = useState(false);
  const shown = onlyDiff ? rows.filter((r) => r.status !== 'same') : rows;
  const counts = rows.reduce<Record<DiffStatus, number>>((acc, r) => ({ ...acc, [r.status]: acc[r.status] + 1 }), {
    same: 0,
    changed: 0,
    'only-a': 0,
    'only-b': 0,
  });
  return (
    <>
      <Side label="A" model={a} />
      <Side label="B" model={b} />
      <div className="compare-summary">
        <span className="diff-only-a">{counts['only-a']} only in A</span>
        <span className="diff-only-b">{counts['only-b']} only in B</span>
        <span className="diff-changed">{counts.changed} changed</span>
        <span>{counts.same} same</span>
        <label>
          <input type="checkbox" checked={onlyDiff} onChange={(e) => setOnlyDiff(e.target.checked)} /> Differences only
        </label>
      </div>
      <table className="grid compare" aria-label="Trace comparison">
        <thead>
          <tr>
            <th>Service: operation (by path from the root)</th>
            <th className="num">Spans A</th>
            <th className="num">Spans B</th>
            <th className="num">Mean A</th>
            <th className="num">Mean B</th>
            <th className="num">Δ</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((r) => {
            const delta = r.meanA !== null && r.meanB !== null ? r.meanB - r.meanA : null;
            return (
              <tr key={r.key} className={`diff-${r.status}`}>
                <td style={{ paddingLeft: 6 + Math.min(r.depth, 30) * 14 }}>
                  <ServiceDot service={r.service} /> {r.service}: {r.operation}
                </td>
                <td className="num">{r.countA || '–'}</td>
                <td className="num">{r.countB || '–'}</td>
                <td className="num">{r.meanA === null ? '–' : formatDuration(r.meanA)}</td>
                <td className="num">{r.meanB === null ? '–' : formatDuration(r.meanB)}</td>
                <td className="num">
                  {delta === null
                    ? ''
                    : `${delta >= 0 ? '+' : ''}${formatDuration(delta)}${r.meanA ? ` (${delta >= 0 ? '+' : ''}${((delta / r.meanA) * 100).toFixed(0)}%)` : ''}`}
                </td>
                <td>{STATUS_LABEL[r.status]}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
