#!/usr/bin/env bash
# The project's test command: setup (a no-op when warm), static checks, the unit and
# integration test projects against real binaries, then the end-to-end suite (the chart installed on
# a cluster) with the local provider; PHOENIX_E2E_PROVIDER=kind runs it on kind instead.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
start=$SECONDS
bash scripts/setup.sh
source scripts/env.sh
step() { echo "[test] $*" >&2; }
step "typecheck"; npx tsc --noEmit
step "lint"; npx eslint --max-warnings=0 .
step "format"; npx prettier --check . >/dev/null
step "unit and integration tests"; npx vitest run --project unit --project integration
export PHOENIX_E2E_PROVIDER=${PHOENIX_E2E_PROVIDER:-local}
step "end-to-end (provider: ${PHOENIX_E2E_PROVIDER})"; npx vitest run --project e2e
echo "[test] all checks passed in $((SECONDS - start)) s" >&2
