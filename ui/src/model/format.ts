// Formatting and parsing of durations and times.

/** A duration in µs as a short human string: 850µs, 12.3ms, 4.56s, 2m 3s, 1h 2m. */
export function formatDuration(us: number): string {
  if (!Number.isFinite(us)) return '';
  const sign = us < 0 ? '-' : '';
  const v = Math.abs(us);
  if (v < 1000) return `${sign}${round(v, 0)}µs`;
  if (v < 1_000_000) return `${sign}${round(v / 1000, v < 10_000 ? 2 : 1)}ms`;
  if (v < 60_000_000) return `${sign}${round(v / 1_000_000, 2)}s`;
  const totalSeconds = Math.round(v / 1_000_000);
  if (totalSeconds < 3600) return `${sign}${Math.floor(totalSeconds / 60)}m ${totalSeconds % 60}s`;
  const minutes = Math.floor(totalSeconds / 60);
  return `${sign}${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

function round(v: number, digits: number): string {
  const text = v.toFixed(digits);
  return digits > 0 ? text.replace(/\.?0+$/, '') : text;
}

const GO_UNITS: Record<string, number> = {
  ns: 0.001,
  us: 1,
  µs: 1,
  μs: 1,
  ms: 1000,
  s: 1_000_000,
  m: 60_000_000,
  h: 3_600_000_000,
};

/** Parses a Go duration string ("1.5s", "500us", "1h30m") into µs; null when invalid. */
export function parseGoDuration(text: string): number | null {
  const s = text.trim();
  if (!s) return null;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) return null;
    total += parseFloat(m[1]) * GO_UNITS[m[2]];
    pos = re.lastIndex;
  }
  return total;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** A time in µs since the epoch as "2026-01-02 15:04:05.123", local or UTC. */
export function formatTime(us: number, utc: boolean): string {
  const d = new Date(us / 1000);
  const p = utc
    ? [
        d.getUTCFullYear(),
        d.getUTCMonth() + 1,
        d.getUTCDate(),
        d.getUTCHours(),
        d.getUTCMinutes(),
        d.getUTCSeconds(),
        d.getUTCMilliseconds(),
      ]
    : [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds()];
  return `${p[0]}-${pad(p[1])}-${pad(p[2])} ${pad(p[3])}:${pad(p[4])}:${pad(p[5])}.${pad(p[6], 3)}${utc ? ' UTC' : ''}`;
}

/** Short clock time for axes: "15:04:05", or "15:04:05.123" with milliseconds. */
export function formatClock(us: number, utc: boolean, withMs = false): string {
  const d = new Date(us / 1000);
  const text = utc
    ? `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
    : `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return withMs ? `${text}.${pad(utc ? d.getUTCMilliseconds() : d.getMilliseconds(), 3)}` : text;
}

/** "how long ago" for a µs time, relative to nowMs. */
export function formatAgo(us: number, nowMs: number = Date.now()): string {
  const s = Math.max(0, Math.round((nowMs - us / 1000) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

/** A value for <input type="datetime-local"> from µs, in local time or UTC. */
export function toDateTimeInput(us: number, utc: boolean): string {
  const d = new Date(us / 1000);
  if (utc) return d.toISOString().slice(0, 16);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Inverse of toDateTimeInput; null when empty or invalid. */
export function fromDateTimeInput(text: string, utc: boolean): number | null {
  if (!text) return null;
  const ms = utc ? Date.parse(`${text}:00Z`) : new Date(text).getTime();
  return Number.isFinite(ms) ? ms * 1000 : null;
}
