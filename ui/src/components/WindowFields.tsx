import type { Dispatch, SetStateAction } from 'react';
import { fromDateTimeInput, toDateTimeInput } from '../model/format';
import { LOOKBACKS, MAX_LIMIT, type SearchForm as Form } from '../model/searchParams';
import { useSettings } from '../settings';

interface Props {
  form: Form;
  setForm: Dispatch<SetStateAction<Form>>;
}

const setter =
  (setForm: Props['setForm']) =>
  <K extends keyof Form>(key: K, value: Form[K]) =>
    setForm((f) => ({ ...f, [key]: value }));

/** The time window of a search: a lookback, or a custom range from/to. */
export function LookbackFields({ form, setForm }: Props) {
  const { utc } = useSettings();
  const set = setter(setForm);
  const nowUs = Date.now() * 1000;
  return (
    <>
      <label>
        Lookback
        <select
          name="lookback"
          value={form.lookback}
          onChange={(e) => {
            const lookback = e.target.value;
            setForm((f) =>
              lookback === 'custom'
                ? { ...f, lookback, start: f.start ?? nowUs - 3600e6, end: f.end ?? nowUs }
                : { ...f, lookback, start: null, end: null },
            );
          }}
        >
          {LOOKBACKS.map((l) => (
            <option key={l.value} value={l.value}>
              {l.label}
            </option>
          ))}
          <option value="custom">Custom time range</option>
        </select>
      </label>
      {form.lookback === 'custom' && (
        <div className="range">
          <label>
            From
            <input
              type="datetime-local"
              name="start"
              value={form.start ? toDateTimeInput(form.start, utc) : ''}
              onChange={(e) => set('start', fromDateTimeInput(e.target.value, utc))}
            />
          </label>
          <label>
            To
            <input
              type="datetime-local"
              name="end"
              value={form.end ? toDateTimeInput(form.end, utc) : ''}
              onChange={(e) => set('end', fromDateTimeInput(e.target.value, utc))}
            />
          </label>
        </div>
      )}
    </>
  );
}

/** How many traces a search returns at most. */
export function LimitField({ form, setForm }: Props) {
  const set = setter(setForm);
  return (
    <label>
      Limit results
      <input
        type="number"
        name="limit"
        min={1}
        max={MAX_LIMIT}
        value={form.limit}
        onChange={(e) => set('limit', Math.max(1, Math.min(MAX_LIMIT, Number(e.target.value) || 1)))}
      />
    </label>
  );
}
