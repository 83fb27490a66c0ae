import { expect, test } from 'vitest';
import { formatDuration, formatTime, fromDateTimeInput, parseGoDuration, toDateTimeInput } from './format';

test('formatDuration picks a unit', () => {
  expect(formatDuration(850)).toBe('850µs');
  expect(formatDuration(1500)).toBe('1.5ms');
  expect(formatDuration(12_340)).toBe('12.3ms');
  expect(formatDuration(4_560_000)).toBe('4.56s');
  expect(formatDuration(123_000_000)).toBe('2m 3s');
  expect(formatDuration(3_720_000_000)).toBe('1h 2m');
});

test('parseGoDuration reads Go duration strings into µs', () => {
  expect(parseGoDuration('500us')).toBe(500);
  expect(parseGoDuration('500µs')).toBe(500);
  expect(parseGoDuration('1.2s')).toBe(1_200_000);
  expect(parseGoDuration('1h30m')).toBe(5_400_000_000);
  expect(parseGoDuration('12')).toBeNull();
  expect(parseGoDuration('1x')).toBeNull();
});

test('formatTime in UTC', () => {
  expect(formatTime(Date.UTC(2026, 0, 2, 3, 4, 5, 6) * 1000, true)).toBe('2026-01-02 03:04:05.006 UTC');
});

test('datetime-local values round-trip in UTC and local time', () => {
  const us = Date.UTC(2026, 4, 6, 7, 8) * 1000;
  expect(toDateTimeInput(us, true)).toBe('2026-05-06T07:08');
  expect(fromDateTimeInput('2026-05-06T07:08', true)).toBe(us);
  expect(fromDateTimeInput(toDateTimeInput(us, false), false)).toBe(us);
});
