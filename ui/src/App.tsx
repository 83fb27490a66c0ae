import { lazy, Suspense, useState, type FormEvent } from 'react';
import { NavLink, Route, Routes, useLocation, useNavigate } from 'react-router';
import { signOut, switchTenant, useAuth } from './api/auth';
import { Loading } from './components/common';
import { ErrorBoundary } from './components/ErrorBoundary';
import { AccessDialog } from './components/AccessDialog';
import { TraceRoute } from './pages/TraceRoute';
import { useSettings } from './settings';

// The other pages are chunks of their own: the trace page, the one that
// must be quick with large traces, does not wait for the chart and graph
// libraries.
const SearchPage = lazy(() => import('./pages/SearchPage').then((m) => ({ default: m.SearchPage })));
const ComparePage = lazy(() => import('./pages/ComparePage').then((m) => ({ default: m.ComparePage })));
const DependenciesPage = lazy(() => import('./pages/DependenciesPage').then((m) => ({ default: m.DependenciesPage })));
const DeepDependenciesPage = lazy(() => import('./pages/DeepDependenciesPage').then((m) => ({ default: m.DeepDependenciesPage })));
const MonitorPage = lazy(() => import('./pages/MonitorPage').then((m) => ({ default: m.MonitorPage })));
const UploadPage = lazy(() => import('./pages/UploadPage').then((m) => ({ default: m.UploadPage })));

function TraceIdLookup() {
  const [id, setId] = useState('');
  const navigate = useNavigate();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const v = id.trim().toLowerCase();
    if (v) navigate(`/trace/${encodeURIComponent(v)}`);
  };
  return (
    <form className="lookup" onSubmit={submit} role="search">
      <input aria-label="Trace ID" placeholder="Lookup by trace ID…" value={id} onChange={(e) => setId(e.target.value)} />
    </form>
  );
}

function TopBar() {
  const { theme, setTheme, utc, setUtc } = useSettings();
  const { token, tenant, tenantHeader, prompt } = useAuth();
  const { pathname } = useLocation();
  return (
    <header className="topbar" inert={prompt !== null}>
      <NavLink to="/search" className="brand">
        Spoor
      </NavLink>
      <nav>
        <NavLink to="/search">Search</NavLink>
        <NavLink to="/compare">Compare</NavLink>
        <NavLink to="/dependencies" className={({ isActive }) => (isActive || pathname === '/deep-dependencies' ? 'active' : undefined)}>
          System architecture
        </NavLink>
        <NavLink to="/monitor">Monitor</NavLink>
        <NavLink to="/upload">Upload</NavLink>
      </nav>
      <TraceIdLookup />
      <div className="prefs">
        <label title="Show times in UTC instead of local time">
          <input type="checkbox" checked={utc} onChange={(e) => setUtc(e.target.checked)} /> UTC
        </label>
        <button
          type="button"
          className="theme-toggle"
          aria-label="Toggle dark mode"
          onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
        >
          {theme === 'dark' ? 'Light' : 'Dark'}
        </button>
        {tenant && tenantHeader && prompt?.kind !== 'tenant' ? (
          <span className="tenant" data-testid="tenant">
            Tenant <strong>{tenant}</strong>
            <button type="button" title="Forget the tenant of this tab and choose another" onClick={switchTenant}>
              Switch tenant
            </button>
          </span>
        ) : null}
        {token ? (
          <button type="button" title="Forget the access token of this tab" onClick={signOut}>
            Sign out
          </button>
        ) : null}
      </div>
    </header>
  );
}

export function App() {
  const location = useLocation();
  // While the dialog asks for a token or a tenant, the page behind it takes no focus or clicks.
  const { prompt } = useAuth();
  return (
    <div className="app">
      <TopBar />
      <main inert={prompt !== null}>
        <ErrorBoundary key={location.pathname}>
          <Suspense fallback={<Loading what="page" />}>
            <Routes>
              <Route path="/" element={<SearchPage />} />
              <Route path="/search" element={<SearchPage />} />
              <Route path="/trace/:id" element={<TraceRoute />} />
              <Route path="/compare" element={<ComparePage />} />
              <Route path="/dependencies" element={<DependenciesPage />} />
              <Route path="/deep-dependencies" element={<DeepDependenciesPage />} />
              <Route path="/monitor" element={<MonitorPage />} />
              <Route path="/upload" element={<UploadPage />} />
              <Route path="*" element={<SearchPage />} />
            </Routes>
          </Suspense>
        </ErrorBoundary>
      </main>
      <AccessDialog />
    </div>
  );
}
