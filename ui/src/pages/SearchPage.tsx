import { useEffect, useMemo, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { findTraces } from '../api/client';
import { ErrorNotice, Loading } from '../components/common';
import { SearchForm } from '../components/SearchForm';
import { ScatterPlot } from '../components/ScatterPlot';
import { TraceList } from '../components/TraceList';
import { formFromUrl, formToQuery } from '../model/searchParams';
import { summarise, type TraceSummary } from '../model/traceSummary';
import { useTitle } from '../components/useTitle';

type Results = { state: 'idle' } | { state: 'loading' } | { state: 'error'; error: unknown } | { state: 'done'; traces: TraceSummary[] };

export function SearchPage() {
  const location = useLocation();
  const navigate = useNavigate();
  const params = useMemo(() => new URLSearchParams(location.search), [location.search]);
  const form = useMemo(() => formFromUrl(params), [params]);
  const [results, setResults] = useState<Results>({ state: 'idle' });
  useTitle(form.service ? `Search ${form.service}` : 'Search');

  useEffect(() => {
    if (!form.service) {
      setResults({ state: 'idle' });
      return;
    }
    let cancelled = false;
    setResults({ state: 'loading' });
    findTraces(formToQuery(form, Date.now() * 1000))
      .then((traces) => !cancelled && setResults({ state: 'done', traces: traces.map(summarise) }))
      .catch((error: unknown) => !cancelled && setResults({ state: 'error', error }));
    return () => {
      cancelled = true;
    };
  }, [form]);

  return (
    <div className="search-page">
      <aside className="search-side">
        <SearchForm key={location.search} initial={form} onSubmit={(qs) => navigate(`/search?${qs}`)} />
      </aside>
      <section className="search-results" aria-label="Search results">
        {results.state === 'idle' && <div className="notice">Choose a service and press Find traces.</div>}
        {results.state === 'loading' && <Loading what="traces" />}
        {results.state === 'error' && <ErrorNotice error={results.error} />}
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
