import { useParams } from 'react-router';
import { ComparePage } from './ComparePage';
import { TracePage } from './TracePage';

/** `/trace/{id}` shows one trace, `/trace/{a}...{b}` compares two. */
export function TraceRoute() {
  const id = (useParams().id ?? '').toLowerCase();
  const parts = id.split('...');
  if (parts.length === 2) return <ComparePage a={parts[0]} b={parts[1]} />;
  return <TracePage key={id} traceID={id} />;
}
