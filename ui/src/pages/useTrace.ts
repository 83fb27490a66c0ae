import { useEffect, useState } from 'react';
import { loadTrace } from '../api/traceLoader';
import type { Trace } from '../api/types';
import { uploadedTrace } from '../uploads';

/** `uploaded`: the trace comes from an opened file, not from the server's storage. */
export type TraceState = { state: 'loading' } | { state: 'error'; error: unknown } | { state: 'done'; trace: Trace; uploaded: boolean };

/** Loads a trace: from the opened files first, else from the server. */
export function useTrace(traceID: string): TraceState {
  const [state, setState] = useState<TraceState>({ state: 'loading' });
  useEffect(() => {
    const local = uploadedTrace(traceID);
    if (local) return setState({ state: 'done', trace: local, uploaded: true });
    let cancelled = false;
    setState({ state: 'loading' });
    loadTrace(traceID)
      .then((trace) => !cancelled && setState({ state: 'done', trace, uploaded: false }))
      .catch((error: unknown) => !cancelled && setState({ state: 'error', error }));
    return () => {
      cancelled = true;
    };
  }, [traceID]);
  return state;
}
