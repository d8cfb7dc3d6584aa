#!/usr/bin/env bash
# Releases the action: tags vX.Y.Z and moves the major tag vX to it, so workflows on `@vX` get the release.
#   scripts/release.sh vX.Y.Z               checks, tags HEAD, moves vX, pushes both (run on a clean main)
#   scripts/release.sh --move-major vX.Y.Z  only moves vX to the existing tag and pushes it (the release workflow)
# The procedure around it is in docs/releasing.md.
set -euo pipefail
cd "$(dirname "$0")/.."

remote=${RELEASE_REMOTE:-origin}
move_only=false
if [ "${1:-}" = "--move-major" ]; then
  move_only=true
  shift
fi
tag=${1:-}
if ! [[ "$tag" =~ ^v([0-9]+)\.[0-9]+\.[0-9]+$ ]]; then
  echo "Usage: scripts/release.sh [--move-major] vX.Y.Z (got '${tag}')." >&2
  exit 2
fi
major="v${BASH_REMATCH[1]}"

if ! $move_only; then
  if [ -n "$(git status --porcelain)" ]; then
    echo "The work tree has changes: commit or stash them first." >&2
    exit 1
  fi
  version=$(node -p 'require("./package.json").version')
  if [ "v$version" != "$tag" ]; then
    echo "package.json says $version; set it to ${tag#v} (and add the release to CHANGELOG.md) first." >&2
    exit 1
  fi
  if ! grep -q "^## \[${tag#v}\]" CHANGELOG.md; then
    echo "CHANGELOG.md has no '## [${tag#v}]' section." >&2
    exit 1
  fi
  npm run bundle >/dev/null
  if [ -n "$(git status --porcelain -- dist)" ]; then
    echo "dist/ does not match src/: run 'npm run bundle' and commit dist/ first." >&2
    exit 1
  fi
  git tag -a "$tag" -m "$tag"
  git push "$remote" "$tag"
fi

git rev-parse -q --verify "refs/tags/$tag" >/dev/null || { echo "No tag $tag here: fetch tags first." >&2; exit 1; }
git tag -fa "$major" -m "$major → $tag" "$tag^{commit}"
git push --force "$remote" "refs/tags/$major"
echo "$major now points at $tag ($(git rev-parse --short "$tag^{commit}"))."
