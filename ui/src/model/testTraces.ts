// Small hand-built traces for the unit tests.

import type { KeyValue, Span, Trace } from '../api/types';

interface SpanSpec {
  id: string;
  parent?: string;
  follows?: string;
  op?: string;
  service?: 'p1' | 'p2' | 'p3';
  start: number;
  duration: number;
  tags?: KeyValue[];
}

export function makeTrace(specs: SpanSpec[], traceID = 'abc'): Trace {
  const spans: Span[] = specs.map((s) => ({
    traceID,
    spanID: s.id,
    operationName: s.op ?? `op-${s.id}`,
    references: [
      ...(s.parent ? [{ refType: 'CHILD_OF' as const, traceID, spanID: s.parent }] : []),
      ...(s.follows ? [{ refType: 'FOLLOWS_FROM' as const, traceID, spanID: s.follows }] : []),
    ],
    startTime: s.start,
    duration: s.duration,
    tags: s.tags ?? [],
    logs: [],
    processID: s.service ?? 'p1',
  }));
  return {
    traceID,
    spans,
    processes: {
      p1: { serviceName: 'frontend', tags: [] },
      p2: { serviceName: 'backend', tags: [] },
      p3: { serviceName: 'db', tags: [] },
    },
  };
}
