#!/bin/sh
# Copy the screenshots the browser tests took (BUILD/screenshots/, written
# by tests/browser/*.mjs, each screen in Chinese and English) into
# docs/screenshots/, where the user guide shows them. Run after
# ./scripts/test.sh (or ctest -L browser) with the build directory it used:
#   ./scripts/screenshots.sh [BUILD]        (default: build-test)
set -eu
cd "$(dirname "$0")/.."
build=${1:-build-test}
src="$build/screenshots"
[ -d "$src" ] || { echo "screenshots.sh: no $src; run the browser tests first (./scripts/test.sh -L browser)"; exit 1; }
mkdir -p docs/screenshots
n=0
for f in "$src"/*.png; do
  [ -e "$f" ] || continue
  cp "$f" docs/screenshots/
  n=$((n + 1))
done
echo "screenshots.sh: copied $n screenshots from $src to docs/screenshots/"
