import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: '.',
    include: ['test/**/*.test.ts'],
    // Compiles the programs once per run: process tests start the build (dist/), like `npm start` and the bins.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration suites start real brokers and databases on free ports; two cores do not gain from more forks.
    pool: 'forks',
    maxWorkers: 2,
  },
});
