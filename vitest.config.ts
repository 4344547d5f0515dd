import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@hashwatt/source'] },
  test: {
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
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['*/test/integration/**/*.test.ts'],
          globalSetup: ['pool-server/test/global-setup.ts'],
          // Real sockets, processes and databases: one file at a time keeps ports and CPU calm.
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
