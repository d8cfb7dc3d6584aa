#!/usr/bin/env bash
# npm run demo: runs the bundled action (dist/index.js) on examples/ the way a GitHub runner does,
# then prints its outputs and job summary; then starts the emulator and runs mode apply against it
# (scripts/demo-apply.ts), and stops it.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
demo=$(mktemp -d)
trap 'rm -rf "$demo"' EXIT
# Everything the apply half makes (workspace, runner folders, the emulator's certificates) goes under $demo too.
export TMPDIR="$demo"
mkdir -p "$demo/workspace" "$demo/temp"
cp -r "$root/examples/." "$demo/workspace/"
: >"$demo/output"
: >"$demo/summary.md"

echo "▶ mode: plan on examples/hr/*.csv with examples/mapping.yml"
status=0
(cd "$demo/workspace" && env -i PATH="$PATH" HOME="$demo" \
  GITHUB_ACTIONS=true GITHUB_WORKSPACE="$demo/workspace" RUNNER_TEMP="$demo/temp" \
  GITHUB_OUTPUT="$demo/output" GITHUB_STEP_SUMMARY="$demo/summary.md" \
  GITHUB_REPOSITORY=contoso/hr-data GITHUB_SHA=0000000000000000000000000000000000000000 GITHUB_ACTION=demo \
  'INPUT_FILES=hr/*.csv' 'INPUT_MAPPING=mapping.yml' 'INPUT_MODE=plan' "INPUT_REQUESTS-DIR=$demo/temp/requests" \
  bash "$root/scripts/node24" "$root/dist/index.js") >"$demo/log" 2>&1 || status=$?
# The runner hides ::debug:: lines unless debug logging is on; so does the demo.
grep -v '^::debug::' "$demo/log"

echo
echo "▶ outputs"
grep -v '^ghadelimiter' "$demo/output" | paste -d' ' - - | sed 's/<<ghadelimiter_[^ ]*//'
echo
echo "▶ job summary"
cat "$demo/summary.md"
echo
echo "▶ first bulk request (as it would be sent)"
head -c 1200 "$demo/temp/requests/request-0001.json"
echo " …"
echo
echo
bash "$root/scripts/node24" "$root/scripts/demo-apply.ts" || status=$?
exit $status
