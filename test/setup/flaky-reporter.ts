import { writeFileSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';

/**
 * Lists every test that passed only on a retry: vitest's JSON report counts it as passed like any
 * other and keeps no retry count. scripts/test.sh names them on its `flaky: N` line. Writes
 * `{ "flaky": ["suite > test", …] }` to the file named by SWITCHBOARD_FLAKY_REPORT.
 */
export default class FlakyReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const out = process.env.SWITCHBOARD_FLAKY_REPORT;
    if (!out) return;
    const flaky: string[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests('passed')) {
        if (test.diagnostic()?.flaky) flaky.push(test.fullName);
      }
    }
    writeFileSync(out, JSON.stringify({ flaky }));
  }
}
