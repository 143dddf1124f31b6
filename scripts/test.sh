#!/usr/bin/env bash
# The whole suite on a fresh machine: install what is missing, lint, unit tests, then end-to-end
# tests on one shared stack (their global setup builds dist/ first). Ends with the summary lines:
#   failed: <test> — <first line of its error>   (one line per failed test, if any)
#   flaky: N (names of the tests that passed only on a retry)
#   tests: N passed, N failed
# CI keeps only the tail of the output, so a failure is named there, next to the counts.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
npm run lint
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
status=0
run() { # project
  SWITCHBOARD_FLAKY_REPORT="$results/$1.flaky.json" npx vitest run --project "$1" \
    --reporter=default --reporter=json --outputFile.json="$results/$1.json" \
    --reporter=./test/setup/flaky-reporter.ts || status=1
}
run unit
run e2e
node -e '
  const fs = require("node:fs");
  const [dir, ...projects] = process.argv.slice(1);
  let passed = 0, failed = 0;
  const flaky = [], failures = [];
  for (const p of projects) {
    const report = `${dir}/${p}.json`;
    // A project that wrote no report (crashed before its tests ran) counts as one failure.
    if (!fs.existsSync(report)) { failed++; failures.push(`${p}: wrote no report`); continue; }
    const r = JSON.parse(fs.readFileSync(report, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests;
    for (const file of r.testResults) {
      const name = file.name.slice(process.cwd().length + 1);
      for (const t of file.assertionResults.filter((t) => t.status === "failed")) {
        const why = (t.failureMessages[0] ?? "").split("\n")[0].slice(0, 300);
        failures.push(`${name} > ${t.fullName} — ${why}`);
      }
      // A file that failed outside any test (an import, a hook) has no failed test to name.
      if (file.status === "failed" && !file.assertionResults.some((t) => t.status === "failed"))
        failures.push(`${name} — ${(file.message ?? "").split("\n")[0].slice(0, 300)}`);
    }
    const f = `${dir}/${p}.flaky.json`;
    if (fs.existsSync(f)) flaky.push(...JSON.parse(fs.readFileSync(f, "utf8")).flaky);
  }
  // Digits that could be a phone number never reach the output, even from an assertion message.
  for (const f of failures) console.log(`failed: ${f.replace(/\+?\d[\d ().-]{5,}\d/g, "[digits]")}`);
  console.log(`flaky: ${flaky.length}${flaky.length ? ` (${flaky.join("; ")})` : ""}`);
  console.log(`tests: ${passed} passed, ${failed} failed`);
' "$results" unit e2e
exit "$status"
