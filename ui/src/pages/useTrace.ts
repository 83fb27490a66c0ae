import { useEffect, useState } from 'react';
import { loadTrace } from '../api/traceLoader';
import type { Trace } from '../api/types';
import { uploadedTrace } from '../uploads';

export type TraceState = { state: 'loading' } | { state: 'error'; error: unknown } | { state: 'done'; trace: Trace };

/** Loads a trace: from the opened files first, else from the server. */
export function useTrace(traceID: string): TraceState {
  const [state, setState] = useState<TraceState>({ state: 'loading' });
  useEffect(() => {
    const local = uploadedTrace(traceID);
    if (local) return setState({ state: 'done', trace: local });
    let cancelled = false;
    setState({ state: 'loading' });
    loadTrace(traceID)
      .then((trace) => !cancelled && setState({ state: 'done', trace }))
      .catch((error: unknown) => !cancelled && setState({ state: 'error', error }));
    return () => {
      cancelled = true;
    };
  }, [traceID]);
  return state;
}
