import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { formatAgo, formatDuration, formatTime } from '../model/format';
import { SORTS, sortSummaries, type SortKey, type TraceSummary } from '../model/traceSummary';
import { useSettings } from '../settings';
import { ServiceBadge } from './common';

export function TraceList({ traces }: { traces: TraceSummary[] }) {
  const { utc } = useSettings();
  const navigate = useNavigate();
  const [sort, setSort] = useState<SortKey>('recent');
  const [selected, setSelected] = useState<string[]>([]);
  const sorted = sortSummaries(traces, sort);
  const maxDuration = Math.max(1, ...traces.map((t) => t.duration));

  const toggle = (id: string) => setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id].slice(-2)));

  return (
    <div className="trace-list">
      <div className="list-bar">
        <span data-testid="result-count">
          {traces.length} trace{traces.length === 1 ? '' : 's'}
        </span>
        <button
          type="button"
          disabled={selected.length !== 2}
          onClick={() => navigate(`/trace/${selected[0]}...${selected[1]}`)}
          title="Select two traces to compare them"
        >
          Compare {selected.length}/2
        </button>
        <label>
          Sort
          <select value={sort} onChange={(e) => setSort(e.target.value as SortKey)} aria-label="Sort traces">
            {Object.entries(SORTS).map(([k, v]) => (
              <option key={k} value={k}>
                {v.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {!traces.length && <div className="notice">No trace matched.</div>}
      <ul>
        {sorted.map((t) => (
          <li key={t.traceID} className="trace-item" data-trace-id={t.traceID}>
            <div className="trace-item-head">
              <input
                type="checkbox"
                aria-label={`Select ${t.traceID} for comparison`}
                checked={selected.includes(t.traceID)}
                onChange={() => toggle(t.traceID)}
              />
              <Link to={`/trace/${t.traceID}`} className="trace-name">
                {t.name}
              </Link>
              <span className="trace-id">{t.traceID.slice(0, 7)}</span>
              <span className="duration">{formatDuration(t.duration)}</span>
            </div>
            <div className="duration-bar" style={{ width: `${(t.duration / maxDuration) * 100}%` }} />
            <div className="trace-item-body">
              <span className="spans">
                {t.spans} span{t.spans === 1 ? '' : 's'}
              </span>
              {t.errors > 0 && (
                <span className="errors">
                  {t.errors} error{t.errors === 1 ? '' : 's'}
                </span>
              )}
              <span className="services">
                {t.services.map((s) => (
                  <ServiceBadge key={s.name} service={s.name} count={s.spans} errors={s.errors} />
                ))}
              </span>
              <span className="start" title={formatAgo(t.startTime)}>
                {formatTime(t.startTime, utc)}
              </span>
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}
