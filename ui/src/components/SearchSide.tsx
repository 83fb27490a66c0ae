import { useState } from 'react';
import { formToFilter, type QueryError } from '../model/queryFilter';
import type { SearchForm as Form } from '../model/searchParams';
import { QueryForm } from './QueryForm';
import { SearchForm } from './SearchForm';

type Mode = 'form' | 'query';

interface Props {
  /** the search in the URL: its form, and its query (null for a search with the form) */
  form: Form;
  query: string | null;
  /** the server's error for the query */
  queryError: QueryError | null;
  /** the URL parameters of a new search */
  onSubmit: (params: string) => void;
}

/**
 * The search page's side: the form, or (the Query tab) a query in the query language.
 * "Edit as query" turns the form into a query; the time window and the limit are shared.
 */
export function SearchSide({ form: initial, query, queryError, onSubmit }: Props) {
  const [mode, setMode] = useState<Mode>(query === null ? 'form' : 'query');
  // What each tab shows when it opens: the fields and the query as last edited.
  const [form, setForm] = useState<Form>(initial);
  const [text, setText] = useState(query ?? '');
  const [focusQuery, setFocusQuery] = useState(false);

  const editAsQuery = (f: Form) => {
    setForm(f);
    setText(formToFilter(f));
    setFocusQuery(true);
    setMode('query');
  };
  const tab = (m: Mode, label: string) => (
    <button
      type="button"
      role="tab"
      id={`search-tab-${m}`}
      aria-selected={mode === m}
      aria-controls="search-panel"
      className={mode === m ? 'active' : ''}
      onClick={() => setMode(m)}
    >
      {label}
    </button>
  );

  return (
    <>
      <div className="tabs search-tabs" role="tablist" aria-label="Search with">
        {tab('form', 'Form')}
        {tab('query', 'Query')}
      </div>
      <div role="tabpanel" id="search-panel" aria-labelledby={`search-tab-${mode}`}>
        {mode === 'form' ? (
          <SearchForm initial={form} onSubmit={onSubmit} onChange={setForm} onEditAsQuery={editAsQuery} />
        ) : (
          <QueryForm
            initial={form}
            initialText={text}
            submitted={query}
            error={queryError}
            autoFocus={focusQuery}
            onSubmit={onSubmit}
            onFormChange={setForm}
            onTextChange={setText}
          />
        )}
      </div>
    </>
  );
}
