import { expect, test } from 'vitest';
import { serviceOptions } from './serviceOptions';

const labels = (services: string[] | null, value: string, placeholder?: string) =>
  serviceOptions(services, value, placeholder).map((o) => [o.value, o.label]);

test('no service chosen: the placeholder first, then every service', () => {
  expect(labels(['api', 'web'], '', 'Select a service')).toEqual([
    ['', 'Select a service'],
    ['api', 'api'],
    ['web', 'web'],
  ]);
  expect(labels(null, '', 'Select a service')).toEqual([['', 'Select a service']]);
});

test('the default placeholder: loading, then no services', () => {
  expect(labels(null, '')).toEqual([['', 'Loading…']]);
  expect(labels([], '')).toEqual([['', 'No services']]);
});

test('a chosen service in the list has no extra option', () => {
  expect(labels(['api', 'web'], 'web')).toEqual([
    ['api', 'api'],
    ['web', 'web'],
  ]);
});

test('a chosen service missing from the loaded list comes first', () => {
  expect(labels(['api', 'web'], 'gone')).toEqual([
    ['gone', 'gone'],
    ['api', 'api'],
    ['web', 'web'],
  ]);
  expect(labels([], 'gone')).toEqual([['gone', 'gone']]);
});

test('while the list loads a chosen service has no option yet', () => {
  expect(labels(null, 'api')).toEqual([]);
});

test('keys are distinct, even for services named like the leading option', () => {
  for (const [services, value] of [
    [['', 'placeholder', 'chosen'], ''],
    [['placeholder'], 'chosen'],
  ] as const) {
    const keys = serviceOptions(services, value).map((o) => o.key);
    expect(new Set(keys).size).toBe(keys.length);
  }
});
