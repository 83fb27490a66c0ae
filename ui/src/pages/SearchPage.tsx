import { useEffect, useMemo, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { findTraceSummaries, findTraces } from '../api/client';
import { ErrorNotice, Loading } from '../components/common';
import { ScatterPlot } from '../components/ScatterPlot';
import { SearchSide } from '../components/SearchSide';
import { TraceList } from '../components/TraceList';
import { queryErrorOf } from '../model/queryFilter';
import { formFromUrl, formToQuery, queryFromUrl, queryToApi } from '../model/searchParams';
import { fromV3Summary, summarise, type TraceSummary } from '../model/traceSummary';
import { useTitle } from '../components/useTitle';

type Results = { state: 'idle' } | { state: 'loading' } | { state: 'error'; error: unknown } | { state: 'done'; traces: TraceSummary[] };

/** The search the URL asks for: with a query, with the form's service, or none yet. */
function search(form: ReturnType<typeof formFromUrl>, query: string | null): Promise<TraceSummary[]> | null {
  const nowUs = Date.now() * 1000;
  if (query !== null) {
    return query.trim() ? findTraceSummaries(queryToApi(query, form, nowUs)).then((list) => list.map(fromV3Summary)) : null;
  }
  return form.service ? findTraces(formToQuery(form, nowUs)).then((traces) => traces.map(summarise)) : null;
}

export function SearchPage() {
  const location = useLocation();
  const navigate = useNavigate();
  const params = useMemo(() => new URLSearchParams(location.search), [location.search]);
  const form = useMemo(() => formFromUrl(params), [params]);
  const query = useMemo(() => queryFromUrl(params), [params]);
  const [results, setResults] = useState<Results>({ state: 'idle' });
  useTitle(query !== null ? 'Search by query' : form.service ? `Search ${form.service}` : 'Search');

  useEffect(() => {
    const found = search(form, query);
    if (!found) {
      setResults({ state: 'idle' });
      return;
    }
    let cancelled = false;
    setResults({ state: 'loading' });
    found
      .then((traces) => !cancelled && setResults({ state: 'done', traces }))
      .catch((error: unknown) => !cancelled && setResults({ state: 'error', error }));
    return () => {
      cancelled = true;
    };
  }, [form, query]);

  const queryError = results.state === 'error' && query !== null ? queryErrorOf(results.error) : null;

  return (
    <div className="search-page">
      <aside className="search-side">
        <SearchSide key={location.search} form={form} query={query} queryError={queryError} onSubmit={(qs) => navigate(`/search?${qs}`)} />
      </aside>
      <section className="search-results" aria-label="Search results">
        {results.state === 'idle' && (
          <div className="notice">{query !== null ? 'Type a query and press Find traces.' : 'Choose a service and press Find traces.'}</div>
        )}
        {results.state === 'loading' && <Loading what="traces" />}
        {results.state === 'error' &&
          (queryError ? <div className="notice">Correct the query and search again.</div> : <ErrorNotice error={results.error} />)}
        {results.state === 'done' && (
          <>
            <ScatterPlot traces={results.traces} onOpen={(id) => navigate(`/trace/${id}`)} />
            <TraceList traces={results.traces} />
          </>
        )}
      </section>
    </div>
  );
}
