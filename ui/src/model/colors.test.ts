import { expect, test } from 'vitest';
import { reserveColors, serviceColor } from './colors';

test('services get distinct colours and keep them', () => {
  reserveColors(['a', 'b', 'c']);
  const colours = ['a', 'b', 'c'].map(serviceColor);
  expect(new Set(colours).size).toBe(3);
  expect(serviceColor('b')).toBe(colours[1]);
});

test('past the palette a colour is still given', () => {
  for (let i = 0; i < 40; i++) expect(serviceColor(`svc-${i}`)).toMatch(/^(#|hsl)/);
});
