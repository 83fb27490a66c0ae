import { expect, test } from 'vitest';
import { ApiRequestError } from '../api/client';
import {
  attributeField,
  durationLiteral,
  errorMarker,
  formToFilter,
  positionToIndex,
  queryErrorOf,
  quoteString,
  tagLiteral,
} from './queryFilter';
import { emptyForm } from './searchParams';

test('an empty form selects every span', () => {
  expect(formToFilter(emptyForm())).toBe('{ }');
  expect(formToFilter({ ...emptyForm(), lookback: '2d', limit: 100, start: 1, end: 2 })).toBe('{ }');
});

test('every field of the form is a condition on the same span', () => {
  const form = {
    ...emptyForm(),
    service: 'frontend',
    operation: 'GET /cart',
    spanKind: 'server' as const,
    tags: 'http.method=GET http.status_code=500 error=true',
    minDuration: '300ms',
    maxDuration: '2s',
  };
  expect(formToFilter(form)).toBe(
    '{ resource.service.name = "frontend" && name = "GET /cart" && kind = server && .http.method = "GET" && ' +
      '.http.status_code = 500 && .error = true && duration >= 300ms && duration <= 2s }',
  );
  expect(formToFilter({ ...emptyForm(), service: 'api' })).toBe('{ resource.service.name = "api" }');
  expect(formToFilter({ ...emptyForm(), minDuration: '1h30m' })).toBe('{ duration >= 1h30m }');
  expect(formToFilter({ ...emptyForm(), maxDuration: '250us' })).toBe('{ duration <= 250us }');
});

test('strings are quoted, with " and \\ escaped', () => {
  expect(quoteString('plain')).toBe('"plain"');
  expect(quoteString('say "hi"')).toBe('"say \\"hi\\""');
  expect(quoteString('C:\\dir\\')).toBe('"C:\\\\dir\\\\"');
  expect(quoteString('a\nb\tc')).toBe('"a\\nb\\tc"');
  expect(quoteString('')).toBe('""');
  expect(formToFilter({ ...emptyForm(), service: 'my "svc"', operation: 'a\\b' })).toBe(
    '{ resource.service.name = "my \\"svc\\"" && name = "a\\\\b" }',
  );
  // logfmt's own quoting is undone first, then the value is quoted for the query.
  expect(formToFilter({ ...emptyForm(), tags: 'msg="a \\"b\\" c\\\\d"' })).toBe('{ .msg = "a \\"b\\" c\\\\d" }');
});

test('tag values: numbers and booleans typed, anything else a string', () => {
  expect(tagLiteral('500')).toBe('500');
  expect(tagLiteral('-3')).toBe('-3');
  expect(tagLiteral('0.25')).toBe('0.25');
  expect(tagLiteral('true')).toBe('true');
  expect(tagLiteral('false')).toBe('false');
  expect(tagLiteral('007')).toBe('"007"');
  expect(tagLiteral('1e3')).toBe('"1e3"');
  expect(tagLiteral('True')).toBe('"True"');
  expect(tagLiteral('')).toBe('""');
  expect(tagLiteral('GET')).toBe('"GET"');
});

test('attribute keys: .key, quoted when they have other characters', () => {
  expect(attributeField('http.status_code')).toBe('.http.status_code');
  expect(attributeField('k8s/pod:name-1')).toBe('.k8s/pod:name-1');
  expect(attributeField('my key')).toBe('."my key"');
  expect(attributeField('a"b')).toBe('."a\\"b"');
  expect(formToFilter({ ...emptyForm(), tags: '"x=1' })).toBe('{ ."\\"x" = 1 }');
});

test('durations keep the text typed', () => {
  expect(durationLiteral('300ms')).toBe('300ms');
  expect(durationLiteral('1.5s')).toBe('1.5s');
  expect(durationLiteral('250µs')).toBe('250µs');
  expect(durationLiteral('.5s')).toBe('0.5s');
});

test('the server\'s "query.filter at N" errors, and no others', () => {
  const message = "query.filter at 14: expected a duration with its unit (300ms, 1.5s, 2m), found '5'";
  expect(queryErrorOf(new ApiRequestError(`HTTP 400: ${message}`, 400))).toEqual({ message, position: 14 });
  expect(queryErrorOf(new ApiRequestError('HTTP 400: query.startTimeMin is required', 400))).toBeNull();
  expect(queryErrorOf(new ApiRequestError(`HTTP 500: ${message}`, 500))).toBeNull();
  expect(queryErrorOf(new Error(message))).toBeNull();
  expect(queryErrorOf(null)).toBeNull();
  expect(queryErrorOf(new ApiRequestError('HTTP 400: query.filter at 3: a\nb', 400))).toEqual({
    message: 'query.filter at 3: a\nb',
    position: 3,
  });
});

test('positions count characters; indexes count UTF-16 units', () => {
  expect(positionToIndex('{ duration > 5 }', 14)).toBe(13);
  expect(positionToIndex('{ x', 1)).toBe(0);
  expect(positionToIndex('{ x', 4)).toBe(3); // one past the end
  expect(positionToIndex('{ x', 99)).toBe(3);
  expect(positionToIndex('', 1)).toBe(0);
  // "ü" and "€" are one UTF-16 unit each, "😀" two: the server counts each as one character.
  expect(positionToIndex('"ü" x', 5)).toBe(4);
  expect(positionToIndex('"€" x', 5)).toBe(4);
  expect(positionToIndex('"😀" x', 5)).toBe(5);
  expect(positionToIndex('"😀" x', 2)).toBe(1);
});

test('the marker puts ^ under the character, on its line', () => {
  expect(errorMarker('{ duration > 5 }', 13)).toEqual({ line: 1, column: 14, text: '{ duration > 5 }', caret: '             ^' });
  expect(errorMarker('{ a = 1 }\n>> { b = }', 18)).toEqual({ line: 2, column: 9, text: '>> { b = }', caret: '        ^' });
  expect(errorMarker('{\n\tname = x }', 9)).toEqual({ line: 2, column: 8, text: '\tname = x }', caret: '\t      ^' });
  expect(errorMarker('{ a', 3)).toEqual({ line: 1, column: 4, text: '{ a', caret: '   ^' });
  expect(errorMarker('{ a\n', 4)).toEqual({ line: 2, column: 1, text: '', caret: '^' });
  expect(errorMarker('"😀" x', 5)).toMatchObject({ column: 5, caret: '    ^' });
});
