#!/usr/bin/env bash
# The whole suite on a fresh machine: install what is missing, lint, unit tests, then end-to-end tests on one shared stack.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
npm run lint
npx vitest run --project unit
npx vitest run --project e2e
