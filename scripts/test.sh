#!/usr/bin/env bash
# The project's test command: setup (a no-op when warm), static checks, then the unit and
# integration test projects against real binaries.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
start=$SECONDS
bash scripts/setup.sh
source scripts/env.sh
step() { echo "[test] $*" >&2; }
step "typecheck"; npx tsc --noEmit
step "lint"; npx eslint --max-warnings=0 .
step "format"; npx prettier --check . >/dev/null
step "unit and integration tests"; npx vitest run
echo "[test] all checks passed in $((SECONDS - start)) s" >&2
