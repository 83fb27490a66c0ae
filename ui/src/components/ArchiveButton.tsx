import { useState } from 'react';
import { archiveTrace } from '../api/client';
import { archiveButtonEnabled, archiveButtonLabel, archiveFailureText, archiveStatusText, type ArchiveState } from '../model/archive';

/** "Archive": copies the trace into the archive storage; the outcome is announced in a live region. */
export function ArchiveButton({ traceID }: { traceID: string }) {
  const [state, setState] = useState<ArchiveState>({ state: 'idle' });
  const onClick = async () => {
    setState({ state: 'archiving' });
    try {
      await archiveTrace(traceID);
      setState({ state: 'archived' });
    } catch (error) {
      setState({ state: 'failed', message: archiveFailureText(error) });
    }
  };
  return (
    <div className="trace-archive">
      <button
        type="button"
        onClick={onClick}
        disabled={!archiveButtonEnabled(state)}
        aria-busy={state.state === 'archiving'}
        title="Copy this trace into the archive storage, where it outlives the main storage's retention"
      >
        {archiveButtonLabel(state)}
      </button>
      {/* Always in the page, so screen readers announce what is written into it. */}
      <span
        role="status"
        aria-live="polite"
        data-testid="archive-status"
        className={state.state === 'failed' ? 'archive-status error' : 'archive-status muted'}
      >
        {archiveStatusText(state)}
      </span>
    </div>
  );
}
