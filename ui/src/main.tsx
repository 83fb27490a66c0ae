import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { basePath } from './api/basePath';
import { loadTrace, traceIDFromPath } from './api/traceLoader';
import { App } from './App';
import { SettingsProvider } from './settings';
import './styles.css';

// A trace page's data is requested now, while the page's code still loads.
const initialTraceID = traceIDFromPath(location.pathname.slice(basePath().length));
if (initialTraceID) void loadTrace(initialTraceID).catch(() => undefined);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <BrowserRouter basename={basePath() || '/'}>
      <SettingsProvider>
        <App />
      </SettingsProvider>
    </BrowserRouter>
  </StrictMode>,
);
