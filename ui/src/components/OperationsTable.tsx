// The operations of a service with their p95 latency, request rate, error
// rate, impact and, where the server gives strategies, the sampling their
// clients are told; sortable by every column, filtered by name, each with
// links to its slow and its failing traces and to the paths through it.

import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import type { ServiceSampling } from '../api/types';
import {
  failingTracesUrl,
  filterRows,
  formatPercent,
  formatRate,
  slowTracesUrl,
  sortRows,
  type OperationRow,
  type SortDir,
  type SortKey,
  type TraceLinkInput,
} from '../model/metrics';
import { deepDependenciesUrl } from '../model/deepUrl';
import { formatDuration } from '../model/format';
import { operationSampling, samplingSortValue } from '../model/sampling';
import { SAMPLING_COLUMN_TITLE, SamplingCell, SamplingSummary } from './Sampling';

interface Column {
  key: SortKey;
  label: string;
  num: boolean;
  title?: string;
}

const COLUMNS: Column[] = [
  { key: 'name', label: 'Name', num: false },
  { key: 'p95', label: 'P95 latency', num: true },
  { key: 'rate', label: 'Request rate', num: true },
  { key: 'errorRate', label: 'Error rate', num: true },
  { key: 'impact', label: 'Impact', num: false },
];

const SAMPLING_COLUMN: Column = {
  key: 'sampling',
  label: 'Sampling',
  num: true,
  title: SAMPLING_COLUMN_TITLE,
};

interface Props {
  rows: OperationRow[];
  /** the service and the time window of the rows, for the trace links */
  link: Omit<TraceLinkInput, 'operation'>;
  /** the service's sampling strategy; without it the Sampling column is left out */
  sampling?: ServiceSampling | null;
}

export function OperationsTable({ rows, link, sampling }: Props) {
  const [sort, setSort] = useState<{ key: SortKey; dir: SortDir }>({ key: 'impact', dir: 'desc' });
  const [filter, setFilter] = useState('');
  const perOperation = useMemo(
    () => (sampling ? new Map(rows.map((r) => [r.name, operationSampling(sampling, r.name)])) : null),
    [rows, sampling],
  );
  const columns = perOperation ? [...COLUMNS, SAMPLING_COLUMN] : COLUMNS;
  // Sorting by a column that went away (no strategies any more) falls back to the default order.
  const active: { key: SortKey; dir: SortDir } = sort.key === 'sampling' && !perOperation ? { key: 'impact', dir: 'desc' } : sort;
  const shown = useMemo(() => {
    const withSampling = perOperation ? rows.map((r) => ({ ...r, sampling: samplingSortValue(perOperation.get(r.name)!) })) : rows;
    return sortRows(filterRows(withSampling, filter), active.key, active.dir);
  }, [rows, perOperation, filter, active.key, active.dir]);

  const toggle = (key: SortKey) =>
    setSort((s) => (s.key === key ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: key === 'name' ? 'asc' : 'desc' }));
  const dash = <span className="muted">–</span>;

  return (
    <section className="operations" aria-label="Operations">
      <div className="toolbar">
        <h2>Operations</h2>
        <input
          type="search"
          aria-label="Filter operations"
          placeholder="Filter by name…"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
        <span className="muted" data-testid="operation-count">
          {shown.length === rows.length
            ? `${rows.length} ${rows.length === 1 ? 'operation' : 'operations'}`
            : `${shown.length} of ${rows.length} operations`}
        </span>
      </div>
      {sampling && <SamplingSummary sampling={sampling} />}
      <table className="grid operations-table" aria-label="Operation metrics">
        <thead>
          <tr>
            {columns.map((c) => (
              <th
                key={c.key}
                className={c.num ? 'num' : undefined}
                title={c.title}
                aria-sort={active.key === c.key ? (active.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
              >
                <button type="button" className="link sort" onClick={() => toggle(c.key)}>
                  {c.label}
                  <span aria-hidden="true">{active.key === c.key ? (active.dir === 'asc' ? ' ▲' : ' ▼') : ''}</span>
                </button>
              </th>
            ))}
            <th>Traces</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((r) => (
            <tr key={r.name} data-operation={r.name}>
              <td className="op-name">{r.name}</td>
              <td className="num" data-col="p95">
                {r.p95 === null ? dash : formatDuration(r.p95 * 1000)}
              </td>
              <td className="num" data-col="rate">
                {r.rate === null ? dash : `${formatRate(r.rate)} req/s`}
              </td>
              <td className={r.errorRate ? 'num errors' : 'num'} data-col="errorRate">
                {r.errorRate === null ? dash : formatPercent(r.errorRate)}
              </td>
              <td data-col="impact" title={r.impact.toFixed(3)}>
                <div className="impact-bar" role="meter" aria-label="Impact" aria-valuemin={0} aria-valuemax={1} aria-valuenow={r.impact}>
                  <div style={{ width: `${Math.round(r.impact * 100)}%` }} />
                </div>
              </td>
              {perOperation && <SamplingCell value={perOperation.get(r.name)!} />}
              <td className="op-links">
                <Link to={slowTracesUrl({ ...link, operation: r.name }, r.p95)}>Slow traces</Link>
                <Link to={failingTracesUrl({ ...link, operation: r.name })}>Failing traces</Link>
                <Link
                  to={deepDependenciesUrl({ service: link.service, operation: r.name, lookback: link.window })}
                  title="The paths of calls through this operation"
                >
                  Paths
                </Link>
              </td>
            </tr>
          ))}
          {!shown.length && (
            <tr>
              <td colSpan={columns.length + 1} className="muted">
                {rows.length ? 'No operation matches the filter.' : 'No operations in this window.'}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
