import { useState, type DragEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { transformOtlp } from '../api/client';
import type { Trace } from '../api/types';
import { ErrorNotice } from '../components/common';
import { TraceList } from '../components/TraceList';
import { summarise } from '../model/traceSummary';
import { classifyUpload } from '../model/upload';
import { addUploadedTraces, uploadedTraces } from '../uploads';
import { useTitle } from '../components/useTitle';

/** Opens Jaeger JSON or OTLP JSON files and shows their traces. */
export function UploadPage() {
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [traces, setTraces] = useState<Trace[]>(uploadedTraces);
  useTitle('Open trace files');

  const open = async (files: FileList | null) => {
    if (!files?.length) return;
    setError(null);
    setBusy(true);
    try {
      const found: Trace[] = [];
      for (const file of Array.from(files)) {
        const text = await file.text();
        const c = classifyUpload(text);
        if (c.kind === 'invalid') throw new Error(`${file.name}: ${c.error}`);
        found.push(...(c.kind === 'jaeger' ? c.traces : await transformOtlp(text)));
      }
      addUploadedTraces(found);
      setTraces(uploadedTraces());
      if (found.length === 1) navigate(`/trace/${found[0].traceID}`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    void open(e.dataTransfer.files);
  };

  return (
    <div className="upload-page">
      <h1>Open trace files</h1>
      <label className="dropzone" onDragOver={(e) => e.preventDefault()} onDrop={onDrop}>
        <span>Drop Jaeger JSON or OTLP JSON files here, or choose them:</span>
        <input type="file" accept=".json,application/json" multiple aria-label="Trace file" onChange={(e) => void open(e.target.files)} />
      </label>
      <p className="muted">
        Files stay in this browser tab. OTLP JSON is converted by the server (<code>POST /api/transform</code>); nothing is stored.
      </p>
      {busy && <div className="notice">Reading…</div>}
      {error !== null && <ErrorNotice error={error} />}
      {traces.length > 0 && (
        <>
          <h2>Opened traces</h2>
          <TraceList traces={traces.map(summarise)} />
        </>
      )}
      {traces.length === 0 && (
        <p>
          Or <Link to="/search">search</Link> the stored traces.
        </p>
      )}
    </div>
  );
}
