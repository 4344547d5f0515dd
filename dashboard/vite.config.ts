import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { compression } from 'vite-plugin-compression2';

/**
 * The dashboard is built into dist/ and served by pool-server at /; `pnpm --filter
 * @hashwatt/dashboard dev` serves it with hot reload and sends /api to a local pool.
 */
export default defineConfig({
  plugins: [
    react(),
    // Brotli and gzip copies beside each file, made once at build time: the pool serves
    // them as they are (preCompressed), so a phone on a slow link downloads a third of
    // the bytes and the pool spends no CPU compressing per request.
    compression({ algorithms: ['brotliCompress', 'gzip'], threshold: 1024, logLevel: 'silent' }),
  ],
  resolve: { conditions: ['@hashwatt/source'] },
  build: {
    target: 'es2022',
    // uPlot is imported dynamically by the chart component: it loads with the first chart.
    sourcemap: true,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
