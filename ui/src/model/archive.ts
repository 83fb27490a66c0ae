// The trace page's Archive button: POST /api/archive/{id} copies the trace
// into spoor's archive storage (--archive.span-storage.type), from which
// the trace page still reads it once the main storage has dropped it.

/** The flag that configures an archive storage, when the server's message names none. */
export const ARCHIVE_FLAG = '--archive.span-storage.type';

export type ArchiveState = { state: 'idle' } | { state: 'archiving' } | { state: 'archived' } | { state: 'failed'; message: string };

/** The button's label: what it does, or what it did. */
export function archiveButtonLabel(s: ArchiveState): string {
  if (s.state === 'archiving') return 'Archiving…';
  if (s.state === 'archived') return 'Archived';
  return 'Archive';
}

/** Clickable until the trace is archived, and not twice at once. */
export function archiveButtonEnabled(s: ArchiveState): boolean {
  return s.state === 'idle' || s.state === 'failed';
}

/** The text of the status region beside the button ('' before the first click). */
export function archiveStatusText(s: ArchiveState): string {
  switch (s.state) {
    case 'idle':
      return '';
    case 'archiving':
      return 'Archiving the trace…';
    case 'archived':
      return 'Archived: the trace is kept in the archive storage.';
    case 'failed':
      return s.message;
  }
}

/**
 * What to tell the user about a failed archive request (an ApiRequestError:
 * a message like "HTTP 501: …" and the status).
 */
export function archiveFailureText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const status = typeof error === 'object' && error !== null ? (error as { status?: unknown }).status : undefined;
  if (status === 501) {
    const flag = /--[a-z0-9][\w.-]*\w/i.exec(message)?.[0] ?? ARCHIVE_FLAG;
    return `No archive storage is configured: start spoor with ${flag} to archive traces.`;
  }
  if (status === 404) return `Cannot archive: no storage has this trace (${message}).`;
  return `Cannot archive: ${message}`;
}
