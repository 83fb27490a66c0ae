// Helpers for the tests that drive the OpenTelemetry JS SDK against spoor.

/** Wraps an exporter and remembers the result of every export. */
export class RecordingExporter {
  constructor(inner) {
    this.inner = inner;
    this.results = [];
  }
  export(spans, done) {
    this.inner.export(spans, (result) => {
      this.results.push(result);
      done(result);
    });
  }
  shutdown() {
    return this.inner.shutdown();
  }
  forceFlush() {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** HrTime [seconds, nanoseconds] -> BigInt nanoseconds. */
export const hrToNs = ([s, ns]) => BigInt(s) * 1_000_000_000n + BigInt(ns);
/** HrTime -> whole microseconds (the Jaeger API's unit). */
export const hrToUs = (hr) => Number(hrToNs(hr) / 1000n);
/** The microseconds between two HrTimes, as the Jaeger API shows a duration. */
export const hrDurationUs = (start, end) => Number((hrToNs(end) - hrToNs(start)) / 1000n);
