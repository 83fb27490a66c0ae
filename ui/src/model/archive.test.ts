import { expect, test } from 'vitest';
import { ApiRequestError } from '../api/client';
import {
  ARCHIVE_FLAG,
  archiveButtonEnabled,
  archiveButtonLabel,
  archiveFailureText,
  archiveStatusText,
  type ArchiveState,
} from './archive';

test('the button: Archive, busy while archiving, Archived and disabled after; again after a failure', () => {
  const states: ArchiveState[] = [{ state: 'idle' }, { state: 'archiving' }, { state: 'archived' }, { state: 'failed', message: 'm' }];
  expect(states.map(archiveButtonLabel)).toEqual(['Archive', 'Archiving…', 'Archived', 'Archive']);
  expect(states.map(archiveButtonEnabled)).toEqual([true, false, false, true]);
  expect(states.map(archiveStatusText)).toEqual(['', 'Archiving the trace…', 'Archived: the trace is kept in the archive storage.', 'm']);
});

test('failures: 501 names the flag the server names, others carry the server message', () => {
  const named = new ApiRequestError('HTTP 501: no archive storage is configured (--archive.other-flag)', 501);
  expect(archiveFailureText(named)).toBe('No archive storage is configured: start spoor with --archive.other-flag to archive traces.');
  // A 501 that names no flag gets the one spoor has.
  expect(archiveFailureText(new ApiRequestError('HTTP 501: Not Implemented', 501))).toContain(ARCHIVE_FLAG);
  expect(archiveFailureText(new ApiRequestError("HTTP 400: cannot parse traceID 'xyz'", 400))).toBe(
    "Cannot archive: HTTP 400: cannot parse traceID 'xyz'",
  );
  expect(archiveFailureText(new TypeError('Failed to fetch'))).toBe('Cannot archive: Failed to fetch');
});
