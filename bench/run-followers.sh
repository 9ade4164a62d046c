#!/usr/bin/env bash
# run-followers.sh - does a crowd of idle feed followers slow the server?
# Builds a Release kouan, starts it on a throw-away demo database on
# 127.0.0.1 (4 worker threads, room for the connections), and measures
# GET /v1/healthz alone ("idle") and with --followers long-polls of
# GET /v1/events waiting parked the whole time ("followers"), alternating
# --runs times; prints each run, the medians and the ratio of the medians
# (the goal: latency with 2,000 followers within 2x of idle).
#
# usage: bench/run-followers.sh [--followers N] [--runs N] [--seconds S]
#                               [--concurrency N]
#   --followers N   idle long-polls (default 2000)
#   --runs N        alternations (default 3)
#   --seconds S     seconds of healthz in each measurement (default 5)
#   --concurrency N healthz connections (default 4)
# Environment: KOUAN_BENCH_BUILD (default <repo>/build-bench).
#
# It prints figures; it never fails because of them.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${KOUAN_BENCH_BUILD:-$root/build-bench}
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
followers=2000 runs=3 seconds=5 concurrency=4
while [ $# -gt 0 ]; do
	case "$1" in
	--followers) followers=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--seconds) seconds=$2; shift 2 ;;
	--concurrency) concurrency=$2; shift 2 ;;
	-h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run-followers: unknown option $1 (try --help)" >&2; exit 2 ;;
	esac
done
for n in "$followers" "$runs" "$seconds" "$concurrency"; do
	case "$n" in
	'' | *[!0-9]* | 0) echo "run-followers: options take a number above 0" >&2; exit 2 ;;
	esac
done

echo "== building a Release kouan in $build"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C "$build" kouan bench_ingest >/dev/null

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kouan-followers.XXXXXX")
server_pid=""
bench_exit_traps

"$build/kouan" init --demo --db "$tmp/f.db" --release-key "$tmp/release.key" --pwhash min \
	>"$tmp/init.log" 2>&1 || { cat "$tmp/init.log" >&2; exit 1; }
start_server run-followers "$tmp/f.db" "$tmp/release.key" "$tmp" --threads 4 \
	--conn-limit $((followers + 256)) --per-ip-limit 0 --longpoll-max-s 300

# measure KIND [extra args]: one healthz measurement; "rate p50 p99" on stdout
measure() {
	local kind=$1
	shift
	"$build/bench_ingest" --url "$url" --only healthz --concurrency "$concurrency" \
		--seconds "$seconds" "$@" >"$tmp/$kind.out" || true
	awk '$1 == "success" && $2 == "rate" { r = $3 }
	     $1 == "latency" && $2 == "p50" { p50 = $3 }
	     $1 == "latency" && $2 == "p99" { p99 = $3 }
	     $1 == "followers" { f = $2 }
	     END { print r, p50, p99, (f == "" ? 0 : f) }' "$tmp/$kind.out"
}

echo "== healthz with and without $followers idle followers ($concurrency connections, $seconds s each; load average $(cut -d' ' -f1-3 /proc/loadavg))"
printf '  %-4s %-10s %12s %10s %10s %10s\n' "run" "kind" "healthz/s" "p50 (ms)" "p99 (ms)" "waiting"
idle_p50=() idle_p99=() idle_r=() busy_p50=() busy_p99=() busy_r=()
for i in $(seq 1 "$runs"); do
	read -r r p50 p99 _ < <(measure idle)
	printf '  %-4s %-10s %12s %10s %10s %10s\n' "$i" idle "$r" "$p50" "$p99" 0
	idle_r+=("$r") idle_p50+=("$p50") idle_p99+=("$p99")
	read -r r p50 p99 f < <(measure followers --followers "$followers")
	printf '  %-4s %-10s %12s %10s %10s %10s\n' "$i" followers "$r" "$p50" "$p99" "$f"
	busy_r+=("$r") busy_p50+=("$p50") busy_p99+=("$p99")
	# the followers' waits end 3 s after the run: let the server answer
	# them and free their connections before the next round
	sleep 5
done
peak=$(awk '/^VmHWM/ {print $2, $3}' "/proc/$server_pid/status")
median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}
mi50=$(median "${idle_p50[@]}") mi99=$(median "${idle_p99[@]}") mir=$(median "${idle_r[@]}")
mb50=$(median "${busy_p50[@]}") mb99=$(median "${busy_p99[@]}") mbr=$(median "${busy_r[@]}")
echo
echo "== medians of $runs (load average at the end $(cut -d' ' -f1-3 /proc/loadavg); server peak memory $peak)"
printf '  %-10s %12s %10s %10s\n' "" "healthz/s" "p50 (ms)" "p99 (ms)"
printf '  %-10s %12s %10s %10s\n' idle "$mir" "$mi50" "$mi99"
printf '  %-10s %12s %10s %10s\n' followers "$mbr" "$mb50" "$mb99"
awk -v a="$mi50" -v b="$mb50" -v c="$mi99" -v d="$mb99" 'BEGIN {
	printf "  with followers / idle: p50 %.2fx, p99 %.2fx (goal: within 2x)\n", b / a, d / c }'
