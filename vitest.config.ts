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
    ],
  },
});
