import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The dashboard is built into dist/ and served by pool-server at /; `pnpm --filter
 * @hashwatt/dashboard dev` serves it with hot reload and sends /api to a local pool.
 */
export default defineConfig({
  plugins: [react()],
  resolve: { conditions: ['@hashwatt/source'] },
  build: {
    target: 'es2022',
    // uPlot is imported dynamically by the chart component: it loads with the first chart.
    sourcemap: true,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
