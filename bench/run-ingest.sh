#!/usr/bin/env bash
# run-ingest.sh - build a Release kouan, start it on a throw-away demo
# database on 127.0.0.1, run bench_ingest against it, stop it, and count the
# declarations that reached the database; by default once on SQLite and once
# on a throw-away PostgreSQL cluster (scripts/pg-cluster.sh), then print both
# figures side by side with their ratio. Everything it creates lives in a
# temporary directory that is removed on every way out (trap).
#
# usage: bench/run-ingest.sh [--backend sqlite|postgres|both] [--threads T]
#                            [--concurrency N] [--seconds S] [--warmup S]
#                            [--items N] [--only KIND]
#   --backend B   which store to measure (default both)
#   --threads T   server worker threads (kouan serve --threads; default 16)
#   the other options are passed to bench_ingest (see bench/README.md).
# Environment:
#   KOUAN_BENCH_BUILD          build directory (default <repo>/build-bench)
#   KOUAN_BENCH_CFLAGS         extra C flags for that build (CMAKE_C_FLAGS),
#                              e.g. "-g -fno-omit-frame-pointer" to profile
#   KOUAN_BENCH_SERVER_PREFIX  command put in front of the server, e.g.
#                              "valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out"
#
# It prints figures; it never fails because of them.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${KOUAN_BENCH_BUILD:-$root/build-bench}
threads=16
backend=both
bench_args=()

while [ $# -gt 0 ]; do
	case "$1" in
	--backend)
		[ $# -ge 2 ] || { echo "run-ingest: --backend needs a value" >&2; exit 2; }
		backend=$2
		shift 2
		;;
	--threads)
		[ $# -ge 2 ] || { echo "run-ingest: --threads needs a value" >&2; exit 2; }
		threads=$2
		shift 2
		;;
	--concurrency | --seconds | --warmup | --items | --only)
		[ $# -ge 2 ] || { echo "run-ingest: $1 needs a value" >&2; exit 2; }
		bench_args+=("$1" "$2")
		shift 2
		;;
	-h | --help)
		sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "run-ingest: unknown option $1 (try --help)" >&2
		exit 2
		;;
	esac
done
case "$backend" in
sqlite | postgres | both) ;;
*) echo "run-ingest: --backend must be sqlite, postgres or both" >&2; exit 2 ;;
esac
case "$threads" in
'' | *[!0-9]*) echo "run-ingest: --threads must be a number" >&2; exit 2 ;;
esac

for tool in cmake ninja sqlite3; do
	command -v "$tool" >/dev/null || { echo "run-ingest: $tool is not installed" >&2; exit 2; }
done

echo "== building a Release kouan in $build"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
	"-DCMAKE_C_FLAGS=${KOUAN_BENCH_CFLAGS:-}" >/dev/null
ninja -C "$build" kouan bench_ingest >/dev/null

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kouan-bench.XXXXXX")
server_pid=""
bench_pid=""
pg_state=""
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	if [ -n "$bench_pid" ] && kill -0 "$bench_pid" 2>/dev/null; then
		kill -TERM "$bench_pid" 2>/dev/null || true
		wait "$bench_pid" 2>/dev/null || true
	fi
	if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
		kill -TERM "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	if [ -n "$pg_state" ]; then
		"$root/scripts/pg-cluster.sh" stop "$pg_state" >/dev/null 2>&1 || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# count_rows DB: declarations in the database
count_rows() {
	case "$1" in
	postgresql://*) psql -qtAX "$1" -c "SELECT count(*) FROM declarations;" ;;
	*) sqlite3 "$1" "SELECT count(*) FROM declarations;" ;;
	esac
}

# run_one NAME DB: seed, serve, measure, stop, count; leaves the declarations
# per second in $rate and the healthz requests per second in $healthz
run_one() {
	local name=$1 db=$2 before after url line status=0
	echo "######## $name"
	"$build/kouan" init --demo --db "$db" --release-key "$tmp/release.key" --pwhash min \
		>"$tmp/init.log" 2>&1 || {
		cat "$tmp/init.log" >&2
		exit 1
	}
	before=$(count_rows "$db")
	# shellcheck disable=SC2086 # the prefix is a command line on purpose
	${KOUAN_BENCH_SERVER_PREFIX:-} "$build/kouan" serve --db "$db" --listen 127.0.0.1 --port 0 \
		--release-key "$tmp/release.key" --access-log off --quiet on --threads "$threads" \
		>"$tmp/server.out" 2>"$tmp/server.err" &
	server_pid=$!
	url=""
	for _ in $(seq 1 600); do # up to 60 s (a server under valgrind starts slowly)
		line=$(grep -m1 -o 'kouan is serving http://127\.0\.0\.1:[0-9]*/' "$tmp/server.out" 2>/dev/null || true)
		if [ -n "$line" ]; then
			url=${line#kouan is serving }
			url=${url%/}
			break
		fi
		kill -0 "$server_pid" 2>/dev/null || break
		sleep 0.1
	done
	if [ -z "$url" ]; then
		echo "run-ingest: the server did not start:" >&2
		cat "$tmp/server.out" "$tmp/server.err" >&2
		exit 1
	fi
	echo "== server: $url, $threads threads; database $db"
	echo
	# in the background and waited for, so that a signal is acted on at once
	"$build/bench_ingest" --url "$url" "${bench_args[@]}" | tee "$tmp/bench.out" &
	bench_pid=$!
	wait "$bench_pid" || status=$?
	bench_pid=""
	kill -TERM "$server_pid"
	wait "$server_pid" || echo "run-ingest: the server exited with status $?" >&2
	server_pid=""
	after=$(count_rows "$db")
	echo
	echo "database"
	printf '  %-16s %10s (the demo seeds %s)\n' "rows before" "$before" "$before"
	printf '  %-16s %10s\n' "rows after" "$after"
	printf '  %-16s %10s (should equal "lodged" above)\n' "rows written" "$((after - before))"
	if [ -s "$tmp/server.err" ]; then
		echo "server messages:"
		sed 's/^/  /' "$tmp/server.err" | head -20
	fi
	rate=$(awk '$1 == "ingest" {print $2}' "$tmp/bench.out")
	healthz=$(awk '$1 == "healthz" && $3 == "requests/s" {print $2}' "$tmp/bench.out")
	rm -f "$tmp/release.key"
	echo
	return "$status"
}

status=0
sqlite_rate="" pg_rate="" sqlite_h="" pg_h=""
if [ "$backend" != postgres ]; then
	run_one "SQLite" "$tmp/bench.db" || status=$?
	sqlite_rate=$rate sqlite_h=$healthz
fi
if [ "$backend" != sqlite ]; then
	pg_state=$tmp/pg.state
	"$root/scripts/pg-cluster.sh" start "$pg_state"
	base=$(sed -n 1p "$pg_state")
	psql -qX "$(printf "$base" postgres)" -c "CREATE DATABASE kouan_bench" >/dev/null
	# shellcheck disable=SC2059 # the state file holds a printf format
	run_one "PostgreSQL" "$(printf "$base" kouan_bench)" || status=$?
	pg_rate=$rate pg_h=$healthz
fi

if [ -n "$sqlite_rate" ] && [ -n "$pg_rate" ]; then
	echo "######## side by side ($(nproc) cores; client and server share them)"
	printf '  %-12s %14s %14s\n' "" "declarations/s" "healthz/s"
	printf '  %-12s %14s %14s\n' "SQLite" "$sqlite_rate" "$sqlite_h"
	printf '  %-12s %14s %14s\n' "PostgreSQL" "$pg_rate" "$pg_h"
	awk -v p="$pg_rate" -v s="$sqlite_rate" \
		'BEGIN { if (s > 0) printf "  %-12s %14.3f (PostgreSQL / SQLite)\n", "ratio", p / s }'
fi
exit "$status"
