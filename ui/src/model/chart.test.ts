import { expect, test } from 'vitest';
import { formatTimeTick, nearestTime, niceTicks, segments, timeTickStep, timeTicks } from './chart';

test('nice ticks start at zero and reach the maximum in round steps', () => {
  expect(niceTicks(0)).toEqual([0, 1]);
  expect(niceTicks(Number.NaN)).toEqual([0, 1]);
  expect(niceTicks(1)).toEqual([0, 0.5, 1]);
  expect(niceTicks(0.5)).toEqual([0, 0.2, 0.4, 0.6]);
  expect(niceTicks(7)).toEqual([0, 2, 4, 6, 8]);
  expect(niceTicks(20.4)).toEqual([0, 10, 20, 30]);
  expect(niceTicks(0.003)).toEqual([0, 0.001, 0.002, 0.003]);
  expect(niceTicks(0.3)).toEqual([0, 0.1, 0.2, 0.3]);
});

test('time ticks fall on whole steps of the clock shown', () => {
  const from = Date.parse('2026-01-01T10:07:30Z');
  const to = Date.parse('2026-01-01T11:07:30Z');
  const step = timeTickStep(from, to);
  expect(step).toBe(10 * 60e3);
  expect(timeTicks(from, to, step).map((t) => new Date(t).toISOString().slice(11, 16))).toEqual([
    '10:10',
    '10:20',
    '10:30',
    '10:40',
    '10:50',
    '11:00',
  ]);
  // In a zone 5:30 ahead of UTC, the local whole hours are at half past in UTC.
  const local = timeTicks(from, to, 3600e3, -330);
  expect(local.map((t) => new Date(t).toISOString().slice(11, 16))).toEqual(['10:30']);
  expect(timeTickStep(0, 5 * 60e3)).toBe(60e3);
  expect(timeTickStep(0, 2 * 86400e3)).toBe(12 * 3600e3);
  expect(timeTickStep(0, 60e3)).toBe(10e3);
});

test('tick labels: seconds for short steps, the date for long ones', () => {
  const t = Date.parse('2026-03-04T05:06:07Z');
  expect(formatTimeTick(t, 30e3, true)).toBe('05:06:07');
  expect(formatTimeTick(t, 5 * 60e3, true)).toBe('05:06');
  expect(formatTimeTick(t, 12 * 3600e3, true)).toBe('03-04 05:06');
});

test('points further apart than the gap are separate runs', () => {
  const p = (t: number) => ({ t, v: t });
  expect(segments([], 15)).toEqual([]);
  expect(segments([p(0), p(10), p(20), p(60), p(70), p(200)], 15)).toEqual([[p(0), p(10), p(20)], [p(60), p(70)], [p(200)]]);
});

test('the nearest point time over all lines', () => {
  expect(nearestTime([], 5)).toBeNull();
  expect(
    nearestTime(
      [
        [{ t: 0, v: 1 }],
        [
          { t: 10, v: 1 },
          { t: 30, v: 1 },
        ],
      ],
      22,
    ),
  ).toBe(30);
  expect(nearestTime([[{ t: 0, v: 1 }], [{ t: 10, v: 1 }]], 4)).toBe(0);
});
