import { expect, test } from 'vitest';
import { classifyUpload } from './upload';

const trace = { traceID: 'a', spans: [], processes: {} };

test('recognises the API envelope, a bare trace and a list of traces', () => {
  expect(classifyUpload(JSON.stringify({ data: [trace] }))).toEqual({ kind: 'jaeger', traces: [trace] });
  expect(classifyUpload(JSON.stringify(trace))).toEqual({ kind: 'jaeger', traces: [trace] });
  expect(classifyUpload(JSON.stringify([trace]))).toEqual({ kind: 'jaeger', traces: [trace] });
});

test('recognises OTLP JSON', () => {
  expect(classifyUpload('{"resourceSpans": []}').kind).toBe('otlp');
});

test('rejects anything else with a reason', () => {
  expect(classifyUpload('nope')).toMatchObject({ kind: 'invalid' });
  expect(classifyUpload('{"x": 1}')).toMatchObject({ kind: 'invalid' });
});
