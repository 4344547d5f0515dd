import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@hashwatt/source'] },
  // Tests run in Vite's server-side environment, which takes its conditions from here: without
  // them the workspace packages resolve to dist/, which a fresh clone has not built.
  ssr: { resolve: { conditions: ['@hashwatt/source'] } },
  test: {
    // The processes tests start (the pool, the agent, `--import tsx` commands) run the
    // sources too: under the condition, the workspace packages resolve to src/, not dist/.
    env: { NODE_OPTIONS: '--conditions=@hashwatt/source' },
    // Tests wait on readiness signals, not on time: a limit only catches a hang, so it is set
    // for a busy machine (a load average of 15 on two cores makes a test eight times slower).
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two files at once: vitest's default (the cores less one) ran the whole suite one file at
    // a time on two cores, the second core idle through every wait (orders that last minutes,
    // processes starting, Retry-After). Each file has its own database, ports and streams.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['*/src/**/*.test.ts', '*/test/unit/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'components',
          include: ['dashboard/src/**/*.test.tsx'],
          environment: 'jsdom',
          setupFiles: ['dashboard/src/testing/setup-components.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['*/test/integration/**/*.test.ts'],
          globalSetup: ['pool-server/test/global-setup.ts'],
          // Starting processes and pools costs seconds of CPU each, minutes on a busy machine.
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
