import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { compression } from 'vite-plugin-compression2';

/**
 * The production build runs on Preact's React layer: React DOM alone weighed 62 KB of the
 * 144 KB gzipped that a first visit loaded, Preact weighs 5, and issue 28 holds the landing
 * page to 100. The code, React Router, TanStack Query and react-i18next still import React;
 * the aliases hand them preact/compat. The dev server stays on React for its hot reload.
 */
const PREACT = [
  { find: /^react$/, replacement: 'preact/compat' },
  { find: /^react-dom$/, replacement: 'preact/compat' },
  { find: /^react-dom\/client$/, replacement: 'preact/compat/client' },
  { find: /^react\/jsx-runtime$/, replacement: 'preact/compat/jsx-runtime' },
  { find: /^react\/jsx-dev-runtime$/, replacement: 'preact/compat/jsx-dev-runtime' },
];

/**
 * The dashboard is built into dist/ and served by pool-server at /; `pnpm --filter
 * @hashwatt/dashboard dev` serves it with hot reload and sends /api to a local pool.
 */
export default defineConfig(({ command }) => ({
  plugins: [
    react(),
    // Brotli and gzip copies beside each file, made once at build time: the pool serves
    // them as they are (preCompressed), so a phone on a slow link downloads a third of
    // the bytes and the pool spends no CPU compressing per request.
    compression({ algorithms: ['brotliCompress', 'gzip'], threshold: 1024, logLevel: 'silent' }),
  ],
  resolve: { conditions: ['@hashwatt/source'], alias: command === 'build' ? PREACT : [] },
  build: {
    target: 'es2022',
    // uPlot is imported dynamically by the chart component: it loads with the first chart.
    sourcemap: true,
    rolldownOptions: {
      // React Router reads React's useOptimistic only where it exists and does without it
      // elsewhere; Preact has none, and the bundler's warning about it asks nothing of us.
      onLog(level, log, handler) {
        if (log.code === 'IMPORT_IS_UNDEFINED' && log.message.includes('useOptimistic')) {
          return;
        }
        handler(level, log);
      },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
}));
