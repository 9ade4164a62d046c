#!/bin/sh
# check-build-types.sh SRC DIR
#
# Builds the server (the kouan target) from SRC in each optimised build type,
# under DIR/<type>, and fails (exit 1) naming each type that does not build.
# The warnings that -Werror turns into errors depend on the optimiser
# (-Wmaybe-uninitialized at -O2, -Wformat-truncation at -Os), so the test
# suite's own Debug build cannot see them; RelWithDebInfo is what a plain
# `cmake -S . -B build` gives.
set -eu
src=$1
dir=$2
bad=0
mkdir -p "$dir"
for type in RelWithDebInfo Release MinSizeRel; do
	if ! cmake -S "$src" -B "$dir/$type" -G Ninja -DCMAKE_BUILD_TYPE="$type" \
		>"$dir/$type.log" 2>&1 ||
		! cmake --build "$dir/$type" --target kouan >>"$dir/$type.log" 2>&1; then
		echo "the server does not build as $type:"
		grep -E 'error|warning' "$dir/$type.log" | head -20
		bad=1
	else
		echo "$type: built without a warning"
	fi
done
exit $bad
