#!/usr/bin/env bash
# The whole suite on a fresh machine: install what is missing, lint, unit tests, then end-to-end
# tests on one shared stack (their global setup builds dist/ first). Ends with two summary lines:
#   flaky: N (names of the tests that passed only on a retry)
#   tests: N passed, N failed
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
  const flaky = [];
  for (const p of projects) {
    const report = `${dir}/${p}.json`;
    // A project that wrote no report (crashed before its tests ran) counts as one failure.
    if (!fs.existsSync(report)) { failed++; continue; }
    const r = JSON.parse(fs.readFileSync(report, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests;
    const f = `${dir}/${p}.flaky.json`;
    if (fs.existsSync(f)) flaky.push(...JSON.parse(fs.readFileSync(f, "utf8")).flaky);
  }
  console.log(`flaky: ${flaky.length}${flaky.length ? ` (${flaky.join("; ")})` : ""}`);
  console.log(`tests: ${passed} passed, ${failed} failed`);
' "$results" unit e2e
exit "$status"
