import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { AppRoutes } from './app/router.tsx';
import { getPoolQueryOptions } from './features/pool/api/get-pool.ts';
import { setupI18n } from './i18n/index.ts';
import { sessionQueryOptions } from './lib/session.ts';
import './styles.css';

const queryClient = new QueryClient({
  defaultOptions: { queries: { staleTime: 15_000, refetchOnWindowFocus: false, retry: 1 } },
});

const root = document.getElementById('root');
if (!root) {
  throw new Error('index.html has no #root element');
}
// Asked while the catalogue loads, and nothing waits for them: who is signed in, and on the
// landing page its figures. Each page shows its own loading state and errors.
queryClient.query(sessionQueryOptions).catch(() => undefined);
if (window.location.pathname === '/') {
  queryClient.query(getPoolQueryOptions()).catch(() => undefined);
}
await setupI18n();
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <AppRoutes />
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
