#!/usr/bin/env bash
# Everything a fresh machine needs: the pinned tools (cached by version) and the npm dependencies.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/provision.sh
source scripts/env.sh
echo "[setup] node $(node --version), npm $(npm --version)" >&2
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
