import { useEffect } from 'react';

/** Sets the browser tab's title to "{title} · Spoor". */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · Spoor` : 'Spoor';
  }, [title]);
}
