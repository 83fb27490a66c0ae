// The trace as the API returned it, pretty-printed. A trace of 10,000 spans
// is some 250,000 lines: only the lines in view are in the DOM.

import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { Trace } from '../api/types';

const LINE_HEIGHT = 17;

export function JsonView({ trace }: { trace: Trace }) {
  const text = useMemo(() => JSON.stringify(trace, null, 2), [trace]);
  const lines = useMemo(() => text.split('\n'), [text]);
  const [href, setHref] = useState<string>();
  useEffect(() => {
    const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    setHref(url);
    return () => URL.revokeObjectURL(url);
  }, [text]);
  const ref = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: lines.length, getScrollElement: () => ref.current, estimateSize: () => LINE_HEIGHT, overscan: 30 });
  return (
    <div className="json-view">
      <div className="json-tools">
        <a href={href} download={`trace-${trace.traceID}.json`}>
          Download JSON
        </a>
        <span className="muted">{lines.length.toLocaleString()} lines</span>
      </div>
      <div className="json-lines" ref={ref} data-testid="trace-json" role="document" aria-label="Trace JSON">
        <div style={{ height: v.getTotalSize(), position: 'relative' }}>
          {v.getVirtualItems().map((item) => (
            <div key={item.key} className="json-line" style={{ transform: `translateY(${item.start}px)` }}>
              {lines[item.index]}
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
