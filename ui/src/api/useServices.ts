import { useCallback, useEffect, useState } from 'react';
import { getServices } from './client';

export interface ServicesState {
  /** The service names, sorted; null until they are loaded. */
  services: string[] | null;
  /** Why the last load failed; null when it did not. */
  error: unknown;
  /** Loads the names again. */
  reload: () => void;
}

/** The services of the storage, from `/api/services`, loaded when the component mounts. */
export function useServices(): ServicesState {
  const [services, setServices] = useState<string[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let cancelled = false;
    getServices()
      .then((s) => {
        if (cancelled) return;
        setServices([...s].sort());
        setError(null);
      })
      .catch((e: unknown) => !cancelled && setError(e));
    return () => {
      cancelled = true;
    };
  }, [generation]);

  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return { services, error, reload };
}
