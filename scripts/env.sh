# Sourced by the project's scripts: puts the provisioned Node.js (and the other tools) on PATH.
# shellcheck shell=bash
_phoenix_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
while IFS='=' read -r _tool _dir; do
  PATH="$_dir:$PATH"
done < <(bash "$_phoenix_root/scripts/provision.sh" --print)
export PATH
unset _tool _dir _phoenix_root
