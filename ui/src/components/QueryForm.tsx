import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { errorMarker, positionToIndex, type QueryError } from '../model/queryFilter';
import { queryToUrl, type SearchForm as Form } from '../model/searchParams';
import { LimitField, LookbackFields } from './WindowFields';

interface Props {
  /** the time window and the limit */
  initial: Form;
  initialText: string;
  /** the query last searched (in the URL) and the server's error for it */
  submitted: string | null;
  error: QueryError | null;
  autoFocus?: boolean;
  onSubmit: (query: string) => void;
  onFormChange: (form: Form) => void;
  onTextChange: (text: string) => void;
}

/** The Query tab of the search page: a query in the query language, the time window and the limit. */
export function QueryForm({ initial, initialText, submitted, error, autoFocus, onSubmit, onFormChange, onTextChange }: Props) {
  const [form, setForm] = useState<Form>(initial);
  const [text, setText] = useState(initialText);
  const area = useRef<HTMLTextAreaElement>(null);
  useEffect(() => onFormChange(form), [form, onFormChange]);
  useEffect(() => onTextChange(text), [text, onTextChange]);

  // The position the server named, in the query it was given.
  const index = error && submitted !== null ? positionToIndex(submitted, error.position) : null;
  const marker = index !== null && submitted !== null ? errorMarker(submitted, index) : null;

  // Put the caret on (and select) the character the error is about, while the text is the one searched.
  useEffect(() => {
    const el = area.current;
    if (index === null || !el || el.value !== submitted) return;
    const end = Math.min(el.value.length, index + (Array.from(el.value.slice(index))[0]?.length ?? 0));
    el.focus();
    el.setSelectionRange(index, end);
  }, [index, submitted]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return;
    onSubmit(queryToUrl(text, form, Date.now() * 1000).toString());
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      e.currentTarget.form?.requestSubmit();
    }
  };

  return (
    <form className="search-form" onSubmit={submit} aria-label="Search traces by query">
      <h2>Search by query</h2>
      <label>
        Query
        <textarea
          ref={area}
          name="query"
          className="mono query-text"
          rows={5}
          spellCheck={false}
          autoFocus={autoFocus}
          placeholder='{ resource.service.name = "frontend" } >> { status = error }'
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
          aria-invalid={!!error && text === submitted}
          aria-describedby="query-error query-hint"
        />
      </label>
      <span className="hint muted" id="query-hint">
        TraceQL: {'{ span conditions }'}, {'>'} child, {'>>'} descendant, {'&& ||'}, {'| count()'}. Ctrl+Enter searches.
      </span>
      {/* Always in the page, so screen readers announce the error written into it. */}
      <div id="query-error" className="query-error" role="alert" data-testid="query-error">
        {error && (
          <>
            <span className="field-error">{error.message}</span>
            {marker && (
              <>
                {marker.line > 1 && (
                  <span className="hint">
                    {' '}
                    (line {marker.line}, column {marker.column})
                  </span>
                )}
                <pre className="query-marker mono" aria-hidden="true" data-testid="query-error-marker">
                  {marker.text}
                  {'\n'}
                  {marker.caret}
                </pre>
              </>
            )}
          </>
        )}
      </div>
      <LookbackFields form={form} setForm={setForm} />
      <LimitField form={form} setForm={setForm} />
      <button type="submit" className="primary" disabled={!text.trim()}>
        Find traces
      </button>
    </form>
  );
}
