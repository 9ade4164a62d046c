#!/usr/bin/env bash
# run-ingest.sh - build a Release kouan, start it on a throw-away demo
# database on 127.0.0.1, run bench_ingest against it, stop it, and count the
# declarations that reached the database. Everything it creates lives in a
# temporary directory that is removed on every way out (trap).
#
# usage: bench/run-ingest.sh [--concurrency N] [--seconds S] [--threads T]
#                            [--warmup S] [--items N] [--only KIND]
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
bench_args=()

while [ $# -gt 0 ]; do
	case "$1" in
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
		sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "run-ingest: unknown option $1 (try --help)" >&2
		exit 2
		;;
	esac
done
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
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

db=$tmp/bench.db
"$build/kouan" init --demo --db "$db" --pwhash min >"$tmp/init.log" 2>&1 || {
	cat "$tmp/init.log" >&2
	exit 1
}
before=$(sqlite3 "$db" "SELECT count(*) FROM declarations;")

# shellcheck disable=SC2086 # the prefix is a command line on purpose
${KOUAN_BENCH_SERVER_PREFIX:-} "$build/kouan" serve --db "$db" --listen 127.0.0.1 --port 0 \
	--access-log off --quiet on --threads "$threads" \
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
status=0
"$build/bench_ingest" --url "$url" "${bench_args[@]}" &
bench_pid=$!
wait "$bench_pid" || status=$?
bench_pid=""

# stop the server gracefully, then count what it wrote
kill -TERM "$server_pid"
wait "$server_pid" || echo "run-ingest: the server exited with status $?" >&2
server_pid=""
after=$(sqlite3 "$db" "SELECT count(*) FROM declarations;")
echo
echo "database"
printf '  %-16s %10s (the demo seeds %s)\n' "rows before" "$before" "$before"
printf '  %-16s %10s\n' "rows after" "$after"
printf '  %-16s %10s (should equal "lodged" above)\n' "rows written" "$((after - before))"
if [ -s "$tmp/server.err" ]; then
	echo "server messages:"
	sed 's/^/  /' "$tmp/server.err" | head -20
fi
exit "$status"
