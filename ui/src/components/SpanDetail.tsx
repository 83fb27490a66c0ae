// Everything about one span: tags, process, logs (times relative to the
// trace start), references and links, warnings. Values are shown as text.

import { Link } from 'react-router';
import type { KeyValue } from '../api/types';
import { formatDuration, formatTime } from '../model/format';
import { spanKind, type SpanNode, type TraceModel } from '../model/trace';
import { useSettings } from '../settings';
import { ServiceBadge } from './common';

function KvTable({ list, label }: { list: KeyValue[] | null | undefined; label: string }) {
  if (!list?.length) return <div className="muted">No {label.toLowerCase()}.</div>;
  return (
    <table className="kv" aria-label={label}>
      <tbody>
        {list.map((kv, i) => (
          <tr key={`${kv.key}-${i}`}>
            <th scope="row">{kv.key}</th>
            <td className={`kv-value type-${kv.type ?? 'string'}`}>{String(kv.value)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

interface Props {
  node: SpanNode;
  model: TraceModel;
  onClose: () => void;
  onSelect: (spanID: string) => void;
}

export function SpanDetail({ node, model, onClose, onSelect }: Props) {
  const { utc } = useSettings();
  const span = node.span;
  const offset = span.startTime - model.startTime;
  const refs = span.references ?? [];
  const kind = spanKind(span);
  return (
    <aside className="span-detail" aria-label="Span detail" data-testid="span-detail">
      <div className="detail-head">
        <h2>{span.operationName}</h2>
        <button type="button" onClick={onClose} aria-label="Close span detail">
          ×
        </button>
      </div>
      <div className="detail-facts">
        <ServiceBadge service={node.service} />
        <span>
          Duration <strong>{formatDuration(span.duration)}</strong>
        </span>
        <span>
          Start <strong>+{formatDuration(offset)}</strong>
        </span>
        {kind && (
          <span>
            Kind <strong>{kind}</strong>
          </span>
        )}
        {node.hasError && <span className="errors">error</span>}
      </div>
      <div className="detail-facts muted">
        <span>Span ID {span.spanID}</span>
        <span>{formatTime(span.startTime, utc)}</span>
      </div>
      {(span.warnings ?? []).length > 0 && (
        <section>
          <h3>Warnings</h3>
          <ul className="warnings">
            {span.warnings!.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        </section>
      )}
      <section>
        <h3>Tags ({span.tags?.length ?? 0})</h3>
        <KvTable list={span.tags} label="Tags" />
      </section>
      <section>
        <h3>Process: {node.process.serviceName}</h3>
        <KvTable list={node.process.tags} label="Process tags" />
      </section>
      <section>
        <h3>Logs ({span.logs?.length ?? 0})</h3>
        {(span.logs ?? []).length === 0 && <div className="muted">No logs.</div>}
        {(span.logs ?? []).map((log, i) => (
          <div key={i} className="log">
            <div className="log-time">
              +{formatDuration(log.timestamp - model.startTime)}{' '}
              <span className="muted">({formatDuration(log.timestamp - span.startTime)} into the span)</span>
            </div>
            <KvTable list={log.fields} label="Log fields" />
          </div>
        ))}
      </section>
      <section>
        <h3>References ({refs.length})</h3>
        {refs.length === 0 && <div className="muted">No references (a root span).</div>}
        <ul className="refs">
          {refs.map((r, i) => {
            const inTrace = r.traceID === span.traceID && model.byID.has(r.spanID);
            const target = inTrace ? model.byID.get(r.spanID)! : null;
            return (
              <li key={i}>
                <span className={`ref-type ${r.refType === 'FOLLOWS_FROM' ? 'follows' : ''}`}>{r.refType}</span>{' '}
                {target ? (
                  <button type="button" className="link" onClick={() => onSelect(target.spanID)}>
                    {target.service}: {target.operation} ({r.spanID})
                  </button>
                ) : r.traceID !== span.traceID ? (
                  <Link to={`/trace/${r.traceID}?uiFind=${r.spanID}`}>
                    trace {r.traceID} span {r.spanID}
                  </Link>
                ) : (
                  <span>
                    span {r.spanID} <span className="muted">(not in this trace)</span>
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      </section>
      {node.children.length > 0 && (
        <section>
          <h3>Children ({node.children.length})</h3>
          <ul className="refs">
            {node.children.slice(0, 50).map((c) => (
              <li key={c.spanID}>
                <button type="button" className="link" onClick={() => onSelect(c.spanID)}>
                  {c.service}: {c.operation}
                </button>{' '}
                <span className="muted">{formatDuration(c.span.duration)}</span>
              </li>
            ))}
            {node.children.length > 50 && <li className="muted">and {node.children.length - 50} more</li>}
          </ul>
        </section>
      )}
    </aside>
  );
}
