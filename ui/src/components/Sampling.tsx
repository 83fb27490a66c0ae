// What the sampling endpoint tells a service's clients, as the Monitor page
// shows it: the one-line summary, an operation's cell (in the operations
// table's Sampling column), and, when there are no metrics to show them
// beside, the operations with a strategy of their own on their own.

import type { ServiceSampling } from '../api/types';
import { ownOperationSamplings, samplingSummary, samplingText, samplingTitle, type OperationSampling } from '../model/sampling';

/** The title of a Sampling column's header. */
export const SAMPLING_COLUMN_TITLE = "The probability the sampling endpoint gives this operation's clients";

/** The line above the operations: where the strategies come from, and the lower bound. */
export function SamplingSummary({ sampling }: { sampling: ServiceSampling }) {
  return (
    <p className="muted sampling-summary" data-testid="sampling-summary" data-source={sampling.type}>
      {samplingSummary(sampling)}
    </p>
  );
}

/** An operation's Sampling cell: the probability (or rate limit), where it comes from in the tooltip. */
export function SamplingCell({ value }: { value: OperationSampling }) {
  return (
    <td className="num sampling" data-col="sampling" data-source={value.source} title={samplingTitle(value)}>
      {samplingText(value)}
      {!value.own && value.maxTracesPerSecond === null && value.probability !== null && (
        <span className="muted sampling-default"> default</span>
      )}
    </td>
  );
}

/**
 * The service's sampling without metrics: the summary and the operations
 * with a strategy of their own, by name (none listed: the summary alone).
 */
export function SamplingOverview({ sampling }: { sampling: ServiceSampling }) {
  const own = ownOperationSamplings(sampling);
  return (
    <section className="sampling-overview" aria-label="Sampling">
      <h2>Sampling</h2>
      <SamplingSummary sampling={sampling} />
      {own.length > 0 && (
        <table className="grid sampling-table" aria-label="Operation sampling">
          <thead>
            <tr>
              <th>Operation</th>
              <th className="num" title={SAMPLING_COLUMN_TITLE}>
                Sampling
              </th>
            </tr>
          </thead>
          <tbody>
            {own.map(({ operation, sampling: value }) => (
              <tr key={operation} data-operation={operation}>
                <td className="op-name">{operation}</td>
                <SamplingCell value={value} />
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
