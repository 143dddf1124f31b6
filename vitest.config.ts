import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'src/**/*.test.ts',
            'examples/**/*.test.ts',
            'bench/**/*.test.ts',
            'test/harness/**/*.test.ts',
          ],
          setupFiles: ['test/setup/agents-logger.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts'],
          // One shared stack: suites run one after another in a single worker.
          pool: 'forks',
          // Suites share the running stack through module state.
          isolate: false,
          poolOptions: { forks: { singleFork: true } },
          globalSetup: ['test/setup/global-stack.ts'],
          testTimeout: 120_000,
          // Real SIP peers over UDP on a loaded 2-core box: a test gets one more try; a broken
          // feature still fails both.
          retry: 1,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
