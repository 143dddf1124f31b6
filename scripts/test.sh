#!/usr/bin/env bash
# The whole suite on a fresh machine: install what is missing, lint, unit tests, then end-to-end
# tests on one shared stack. Ends with one summary line: "tests: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
npm run lint
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
status=0
npx vitest run --project unit --reporter=default --reporter=json --outputFile="$results/unit.json" || status=1
npx vitest run --project e2e --reporter=default --reporter=json --outputFile="$results/e2e.json" || status=1
node -e '
  const fs = require("node:fs");
  let passed = 0, failed = 0;
  for (const f of process.argv.slice(1)) {
    if (!fs.existsSync(f)) { failed++; continue; }
    const r = JSON.parse(fs.readFileSync(f, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests;
  }
  console.log(`tests: ${passed} passed, ${failed} failed`);
' "$results/unit.json" "$results/e2e.json"
exit "$status"
