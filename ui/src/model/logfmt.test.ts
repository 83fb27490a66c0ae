import { expect, test } from 'vitest';
import { formatLogfmt, parseLogfmt } from './logfmt';

test('parses space-separated key=value pairs', () => {
  expect(parseLogfmt('http.status_code=500 error=true')).toEqual({ tags: { 'http.status_code': '500', error: 'true' }, error: null });
});

test('quoted values keep spaces and escaped quotes', () => {
  expect(parseLogfmt('msg="a b \\"c\\"" x=')).toEqual({ tags: { msg: 'a b "c"', x: '' }, error: null });
});

test('a key without = is an error', () => {
  expect(parseLogfmt('error').error).toMatch(/no value/);
  expect(parseLogfmt('a="open').error).toMatch(/unterminated/);
});

test('format round-trips through parse', () => {
  const tags = { a: '1', b: 'two words', c: 'q"uote', d: '' };
  expect(parseLogfmt(formatLogfmt(tags)).tags).toEqual(tags);
});
