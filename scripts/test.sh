#!/usr/bin/env bash
# npm test: jest on Node 24 with the temp folder pointed at one private folder that is removed at the end, so a run
# leaves the machine's temp folder as it found it (the tests make hundreds of git repos, workspaces and runners).
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/entra-hr-sync-test.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
TMPDIR="$scratch" bash "$root/scripts/node24" --experimental-vm-modules --no-warnings \
  "$root/node_modules/jest/bin/jest.js" "$@"
