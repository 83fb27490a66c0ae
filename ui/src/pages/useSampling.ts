import { useEffect, useState } from 'react';
import { getSampling } from '../api/client';
import type { ServiceSampling } from '../api/types';

/**
 * The sampling strategy of a service, or null while it loads and where the
 * server has none to give (a query node answers 501) or the request fails.
 * A change of `reload` asks again; the last answer stays meanwhile.
 */
export function useSampling(service: string, reload: number): ServiceSampling | null {
  const [state, setState] = useState<{ service: string; sampling: ServiceSampling | null }>({ service: '', sampling: null });

  useEffect(() => {
    if (!service) return;
    let cancelled = false;
    getSampling(service).then(
      (sampling) => !cancelled && setState({ service, sampling }),
      () => !cancelled && setState({ service, sampling: null }),
    );
    return () => {
      cancelled = true;
    };
  }, [service, reload]);

  return state.service === service ? state.sampling : null;
}
