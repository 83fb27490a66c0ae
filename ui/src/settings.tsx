// User preferences kept in localStorage: colour theme and time zone.

import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

export type Theme = 'light' | 'dark';

interface Settings {
  theme: Theme;
  utc: boolean;
  setTheme: (t: Theme) => void;
  setUtc: (utc: boolean) => void;
}

const SettingsContext = createContext<Settings | null>(null);

function load<T>(key: string, fallback: T): T {
  try {
    const v = localStorage.getItem(key);
    return v === null ? fallback : (JSON.parse(v) as T);
  } catch {
    return fallback;
  }
}

function initialTheme(): Theme {
  const saved = load<Theme | null>('spoor.theme', null);
  if (saved === 'light' || saved === 'dark') return saved;
  return globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function SettingsProvider({ children }: { children: ReactNode }) {
  const [theme, setTheme] = useState<Theme>(initialTheme);
  const [utc, setUtc] = useState<boolean>(() => load('spoor.utc', false));
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem('spoor.theme', JSON.stringify(theme));
  }, [theme]);
  useEffect(() => localStorage.setItem('spoor.utc', JSON.stringify(utc)), [utc]);
  const value = useMemo(() => ({ theme, utc, setTheme, setUtc }), [theme, utc]);
  return <SettingsContext.Provider value={value}>{children}</SettingsContext.Provider>;
}

export function useSettings(): Settings {
  const s = useContext(SettingsContext);
  if (!s) throw new Error('useSettings outside SettingsProvider');
  return s;
}
