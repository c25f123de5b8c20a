import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Suites that start real processes or PGlite instances are heavy on 2 cores; keep parallelism modest.
    maxWorkers: 2,
  },
});
