import { useMemo, useState } from 'react';
import { formatDuration } from '../model/format';
import { operationStats, serviceStats, type OperationStats } from '../model/stats';
import type { TraceModel } from '../model/trace';
import { ServiceBadge } from './common';

type Col = 'count' | 'total' | 'avg' | 'min' | 'max' | 'selfTotal' | 'errors';
const COLS: Array<[Col, string]> = [
  ['count', 'Count'],
  ['total', 'Total'],
  ['avg', 'Avg'],
  ['min', 'Min'],
  ['max', 'Max'],
  ['selfTotal', 'Self time'],
  ['errors', 'Errors'],
];

/** Figures per service, or per service and operation. */
export function StatsView({ model }: { model: TraceModel }) {
  const [byOperation, setByOperation] = useState(true);
  const [sort, setSort] = useState<Col>('selfTotal');
  const rows = useMemo(() => {
    const list: OperationStats[] = byOperation ? operationStats(model) : serviceStats(model);
    return [...list].sort((a, b) => b[sort] - a[sort]);
  }, [model, byOperation, sort]);
  const fmt = (c: Col, v: number) => (c === 'count' || c === 'errors' ? String(v) : formatDuration(v));
  return (
    <div className="stats-view">
      <label>
        <input type="checkbox" checked={byOperation} onChange={(e) => setByOperation(e.target.checked)} /> Group by operation
      </label>
      <table className="grid" aria-label="Trace statistics">
        <thead>
          <tr>
            <th>Service</th>
            {byOperation && <th>Operation</th>}
            {COLS.map(([c, label]) => (
              <th key={c} aria-sort={sort === c ? 'descending' : 'none'}>
                <button type="button" className="link" onClick={() => setSort(c)}>
                  {label}
                </button>
              </th>
            ))}
            <th>Self %</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.service}/${r.operation}`}>
              <td>
                <ServiceBadge service={r.service} />
              </td>
              {byOperation && <td>{r.operation}</td>}
              {COLS.map(([c]) => (
                <td key={c} className="num">
                  {fmt(c, r[c])}
                </td>
              ))}
              <td className="num">{(r.selfShare * 100).toFixed(1)}%</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
