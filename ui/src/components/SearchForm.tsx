import { useEffect, useState, type FormEvent } from 'react';
import { getOperations } from '../api/client';
import type { Operation, SpanKind } from '../api/types';
import { useServices } from '../api/useServices';
import { parseGoDuration } from '../model/format';
import { parseLogfmt } from '../model/logfmt';
import { formToUrl, type SearchForm as Form } from '../model/searchParams';
import { ServiceSelect } from './ServiceSelect';
import { LimitField, LookbackFields } from './WindowFields';

const LAST_SERVICE_KEY = 'spoor.lastService';

const KINDS: Array<SpanKind | ''> = ['', 'server', 'client', 'producer', 'consumer', 'internal'];

interface Props {
  initial: Form;
  onSubmit: (query: string) => void;
  /** the fields as they are now, after every change */
  onChange: (form: Form) => void;
  /** "Edit as query": the fields as they are now */
  onEditAsQuery: (form: Form) => void;
}

export function SearchForm({ initial, onSubmit, onChange, onEditAsQuery }: Props) {
  const [form, setForm] = useState<Form>(initial);
  useEffect(() => onChange(form), [form, onChange]);
  const { services, error: servicesError } = useServices();
  const [operations, setOperations] = useState<Operation[]>([]);
  const loadError = servicesError === null ? null : servicesError instanceof Error ? servicesError.message : String(servicesError);

  // Without a service in the URL, start from the one searched last, in the render that shows the services.
  const [servicesSeen, setServicesSeen] = useState(services);
  if (services !== servicesSeen) {
    setServicesSeen(services);
    if (services && services.length && !form.service) {
      const last = localStorage.getItem(LAST_SERVICE_KEY);
      setForm({ ...form, service: last && services.includes(last) ? last : services[0] });
    }
  }

  useEffect(() => {
    if (!form.service) return setOperations([]);
    let cancelled = false;
    getOperations(form.service, form.spanKind)
      .then((ops) => !cancelled && setOperations(ops))
      .catch(() => !cancelled && setOperations([]));
    return () => {
      cancelled = true;
    };
  }, [form.service, form.spanKind]);

  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((f) => ({ ...f, [key]: value }));
  const tagError = parseLogfmt(form.tags).error;
  const minError = form.minDuration && parseGoDuration(form.minDuration) === null ? 'use e.g. 100ms, 1.2s, 500us' : null;
  const maxError = form.maxDuration && parseGoDuration(form.maxDuration) === null ? 'use e.g. 100ms, 1.2s, 500us' : null;
  const orderError =
    !minError &&
    !maxError &&
    form.minDuration &&
    form.maxDuration &&
    parseGoDuration(form.maxDuration)! < parseGoDuration(form.minDuration)!
      ? 'max is below min'
      : null;
  const unreadable = !!tagError || !!minError || !!maxError;
  const invalid = !form.service || unreadable || !!orderError;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (invalid) return;
    localStorage.setItem(LAST_SERVICE_KEY, form.service);
    onSubmit(formToUrl(form, Date.now() * 1000).toString());
  };

  const opNames = [...new Set(operations.map((o) => o.name))].sort();

  return (
    <form className="search-form" onSubmit={submit} aria-label="Search traces">
      <h2>Search</h2>
      {loadError && <div className="notice error">Cannot load services: {loadError}</div>}
      <label>
        <span>
          Service <span className="count">{services ? `(${services.length})` : ''}</span>
        </span>
        <ServiceSelect
          name="service"
          services={services}
          value={form.service}
          onChange={(service) => setForm((f) => ({ ...f, service, operation: '' }))}
          placeholder="Select a service"
        />
      </label>
      <div className="row2">
        <label>
          Span kind
          <select name="spanKind" value={form.spanKind} onChange={(e) => set('spanKind', e.target.value as SpanKind | '')}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k || 'all'}
              </option>
            ))}
          </select>
        </label>
        <label>
          Operation
          <select name="operation" value={form.operation} onChange={(e) => set('operation', e.target.value)}>
            <option value="">all</option>
            {form.operation && !opNames.includes(form.operation) && <option value={form.operation}>{form.operation}</option>}
            {opNames.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </label>
      </div>
      <label>
        Tags
        <input
          name="tags"
          placeholder="http.status_code=500 error=true"
          value={form.tags}
          onChange={(e) => set('tags', e.target.value)}
          aria-invalid={!!tagError}
        />
        {tagError ? (
          <span className="field-error">{tagError}</span>
        ) : (
          <span className="hint">logfmt: key=value, quote values with spaces</span>
        )}
      </label>
      <LookbackFields form={form} setForm={setForm} />
      <div className="row2">
        <label>
          Min duration
          <input
            name="minDuration"
            placeholder="e.g. 1.2s, 100ms"
            value={form.minDuration}
            onChange={(e) => set('minDuration', e.target.value.trim())}
          />
          {minError && <span className="field-error">{minError}</span>}
        </label>
        <label>
          Max duration
          <input
            name="maxDuration"
            placeholder="e.g. 1.2s, 100ms"
            value={form.maxDuration}
            onChange={(e) => set('maxDuration', e.target.value.trim())}
          />
          {(maxError || orderError) && <span className="field-error">{maxError ?? orderError}</span>}
        </label>
      </div>
      <LimitField form={form} setForm={setForm} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={invalid}>
          Find traces
        </button>
        <button
          type="button"
          disabled={unreadable}
          onClick={() => onEditAsQuery(form)}
          title="Turn these fields into a query you can edit in the Query tab"
        >
          Edit as query
        </button>
      </div>
    </form>
  );
}
