#!/usr/bin/env bash
# run-stats.sh - build a Release bench_stats, start a throw-away PostgreSQL
# cluster (scripts/pg-cluster.sh), and run the clearance-time statistics
# benchmark against the engine, SQLite (a file in a temporary directory) and
# PostgreSQL; everything it creates is removed on every way out (trap).
#
# usage: bench/run-stats.sh [--n N] [--runs R] [--threads T] [--questions LIST]
#                           [--no-sqlite] [--no-pg]
#   the options are bench_stats's (see bench/README.md); --no-pg skips
#   PostgreSQL. The run is niced (19): the machine is shared.
# Environment:
#   KOUAN_BENCH_BUILD   build directory (default <repo>/build-bench)
#
# It prints figures; it fails only when the engine and SQL disagree (or
# something could not be set up).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${KOUAN_BENCH_BUILD:-$root/build-bench}
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
args=()
pg=yes

while [ $# -gt 0 ]; do
	case "$1" in
	--n | --runs | --threads | --questions)
		[ $# -ge 2 ] || { echo "run-stats: $1 needs a value" >&2; exit 2; }
		args+=("$1" "$2")
		shift 2
		;;
	--no-sqlite)
		args+=("$1")
		shift
		;;
	--no-pg)
		pg=no
		shift
		;;
	-h | --help)
		sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "run-stats: unknown option $1 (try --help)" >&2
		exit 2
		;;
	esac
done

for tool in cmake ninja; do
	command -v "$tool" >/dev/null || { echo "run-stats: $tool is not installed" >&2; exit 2; }
done

echo "== building a Release bench_stats in $build"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
nice ninja -C "$build" bench_stats >/dev/null

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kouan-stats.XXXXXX")
pg_state=""
bench_pid=""
bench_exit_traps

if [ "$pg" = yes ]; then
	pg_state=$tmp/pg.state
	"$root/scripts/pg-cluster.sh" start "$pg_state"
	base=$(sed -n 1p "$pg_state")
	# shellcheck disable=SC2059 # the state file holds a printf format
	psql -qX "$(printf "$base" postgres)" -c "CREATE DATABASE kouan_stats" >/dev/null
	# shellcheck disable=SC2059
	args+=(--pg "$(printf "$base" kouan_stats)")
fi
# the SQLite file lives in the temporary directory (it must be readable by
# nobody else and gone afterwards)
args+=(--sqlite "$tmp/stats.db" --schema-dir "$root/bench/sql")

# in the background and waited for, so that a signal is acted on at once
nice -n 19 "$build/bench_stats" "${args[@]}" &
bench_pid=$!
status=0
wait "$bench_pid" || status=$?
bench_pid=""
exit "$status"
