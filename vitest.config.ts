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
            'deploy/**/*.test.ts',
          ],
          setupFiles: ['test/setup/agents-logger.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts'],
          // The harnesses' own tests need no stack; the unit project runs them.
          exclude: ['test/harness/**'],
          // One shared stack: suites run one after another in a single worker.
          pool: 'forks',
          // Suites share the running stack through module state.
          isolate: false,
          poolOptions: { forks: { singleFork: true } },
          globalSetup: ['test/setup/global-stack.ts'],
          testTimeout: 120_000,
          // No blanket retry: a flaky test is a bug to fix at its cause. A test that must keep one
          // retry says so itself (`{ retry: 1 }`) with a comment naming the cause; scripts/test.sh
          // reports every test that passed only on a retry as flaky.
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
