#!/usr/bin/env bash
# run-ingest.sh - build a Release kouan and measure how many declarations a
# second it lodges, on SQLite and on a durable throw-away PostgreSQL cluster
# (scripts/pg-cluster.sh with fsync=on and synchronous_commit=on, as
# deployed) side by side, each against healthz in the same run. Each run
# starts the server on a fresh demo database on 127.0.0.1, measures the peak
# rate (bench_ingest), then the latency at half that peak (bench_ingest
# --rate), then the rate through POST /v1/declarations/batch (bench_ingest
# --batch), then the peak rate again with the declarations spread over
# several offices and calls (bench_ingest --offices), stops the server and counts the declarations that reached the
# database. During the run at half the peak it also counts the CPU time the
# server and, on PostgreSQL, the database's processes spent, a declaration,
# which says where a declaration's cost goes on each backend. Runs
# alternate between the backends (A/B, B/A, ...) so that the
# shared machine's drift hits both alike; the summary gives the median of
# the runs, their range, the settings of each store and the load average.
# Everything it creates lives in a temporary directory removed on every way
# out (trap).
#
# usage: bench/run-ingest.sh [--backend sqlite|postgres|both] [--runs N]
#                            [--threads T] [--sqlite-sync power|process]
#                            [--concurrency N] [--seconds S]
#                            [--warmup S] [--items N] [--only KIND]
#   --backend B   which store to measure (default both)
#   --runs N      runs of each backend (default 3); the summary gives medians
#   --batch N     declarations per request in the batch measurement (default 50)
#   --offices N   offices the last measurement spreads over (default 8; the
#                 others lodge everything at one office on one call)
#   --threads T   server worker threads (kouan serve --threads; default 16)
#   --sqlite-sync S  SQLite's durability (kouan serve --sync): power (the
#                 default, as deployed: an fsync at each commit, as
#                 PostgreSQL here: survives power loss) or process (survives
#                 kill -9 only)
#   the other options are passed to bench_ingest (see bench/README.md);
#   --seconds defaults to 8 here.
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
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
threads=16
sqlite_sync=power
backend=both
runs=3
seconds=8
batch=50
offices=8
only=""
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
	--sqlite-sync)
		[ $# -ge 2 ] || { echo "run-ingest: --sqlite-sync needs a value" >&2; exit 2; }
		sqlite_sync=$2
		shift 2
		;;
	--batch)
		[ $# -ge 2 ] || { echo "run-ingest: --batch needs a value" >&2; exit 2; }
		batch=$2
		shift 2
		;;
	--offices)
		[ $# -ge 2 ] || { echo "run-ingest: --offices needs a value" >&2; exit 2; }
		offices=$2
		shift 2
		;;
	--runs)
		[ $# -ge 2 ] || { echo "run-ingest: --runs needs a value" >&2; exit 2; }
		runs=$2
		shift 2
		;;
	--seconds)
		[ $# -ge 2 ] || { echo "run-ingest: --seconds needs a value" >&2; exit 2; }
		seconds=$2
		shift 2
		;;
	--only)
		[ $# -ge 2 ] || { echo "run-ingest: --only needs a value" >&2; exit 2; }
		only=$2
		bench_args+=("$1" "$2")
		shift 2
		;;
	--concurrency | --warmup | --items)
		[ $# -ge 2 ] || { echo "run-ingest: $1 needs a value" >&2; exit 2; }
		bench_args+=("$1" "$2")
		shift 2
		;;
	-h | --help)
		sed -n '2,39p' "$0" | sed 's/^# \{0,1\}//'
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
case "$sqlite_sync" in
process | power) ;;
*) echo "run-ingest: --sqlite-sync must be power or process" >&2; exit 2 ;;
esac
for n in "$threads" "$runs" "$seconds" "$batch"; do
	case "$n" in
	'' | *[!0-9]* | 0) echo "run-ingest: --threads, --runs, --seconds and --batch take a number above 0" >&2; exit 2 ;;
	esac
done
bench_args+=(--seconds "$seconds")

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
bench_exit_traps

# count_rows DB: declarations in the database
count_rows() {
	case "$1" in
	postgresql://*) psql -qtAX "$1" -c "SELECT count(*) FROM declarations;" ;;
	*) sqlite3 "$1" "SELECT count(*) FROM declarations;" ;;
	esac
}

# cpu_ticks PID...: the CPU time (user and system, in clock ticks) the
# processes have spent so far, all their threads; a process gone counts 0
cpu_ticks() {
	local pid t=0 stat f
	for pid in "$@"; do
		stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
		stat=${stat##*) } # after the command's name, which may hold spaces
		read -ra f <<<"$stat"
		t=$((t + f[11] + f[12])) # utime and stime, fields 14 and 15 of the line
	done
	echo "$t"
}

# db_pids DB: the database's own processes (PostgreSQL: the cluster's
# postmaster and its children); none for SQLite, which runs in the server
db_pids() {
	case "$1" in
	postgresql://*)
		local pm
		pm=$(head -n 1 "$(sed -n 2p "$pg_state")/data/postmaster.pid")
		echo "$pm"
		ps -o pid= --ppid "$pm" | tr -d ' ' # ps pads the numbers
		;;
	esac
}

# run_one NAME DB: seed, serve, measure, stop, count; leaves the declarations
# per second in $rate and the healthz requests per second in $healthz
run_one() {
	local name=$1 db=$2 before after url line status=0 lodged
	lodged_extra=0
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
		${sync_arg:+--sync "$sync_arg"} \
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
	rate=$(awk '$1 == "ingest" {print $2}' "$tmp/bench.out")
	healthz=$(awk '$1 == "healthz" && $3 == "requests/s" {print $2}' "$tmp/bench.out")
	p99=$(awk '$1 == "latency" && $2 == "p99" {print $3; exit}' "$tmp/bench.out")
	p99_half="" half="" batch_rate="" spread_rate="" cpu_server="" cpu_db=""
	if [ "$only" != healthz ] && [ "$status" = 0 ] && [ -n "$rate" ]; then
		half=$(awk -v r="$rate" 'BEGIN { h = int(r / 2); print (h < 1 ? 1 : h) }')
		local pids s0 d0 s1 d1 n
		mapfile -t pids < <(db_pids "$db")
		s0=$(cpu_ticks "$server_pid") d0=$(cpu_ticks "${pids[@]}")
		extra half "latency at half the peak: $half declarations/s" '/^declarations/,/errors/p' \
			"${bench_args[@]}" --warmup 0 --rate "$half"
		s1=$(cpu_ticks "$server_pid") d1=$(cpu_ticks "${pids[@]}")
		p99_half=$(awk '$1 == "latency" && $2 == "p99" {print $3; exit}' "$tmp/half.out")
		n=$(awk '$1 == "lodged" {print $2}' "$tmp/half.out")
		if [ "${n:-0}" -gt 0 ]; then
			cpu_server=$(awk -v t="$((s1 - s0))" -v hz="$(getconf CLK_TCK)" -v n="$n" \
				'BEGIN { printf "%.0f", t * 1e6 / hz / n }')
			cpu_db=$(awk -v t="$((d1 - d0))" -v hz="$(getconf CLK_TCK)" -v n="$n" \
				'BEGIN { printf "%.0f", t * 1e6 / hz / n }')
			[ ${#pids[@]} -gt 0 ] || cpu_db=""
			printf '  %-16s %10s us the server%s, %s declarations\n' "CPU a declaration" \
				"$cpu_server" "${cpu_db:+, $cpu_db us the database}" "$n"
		fi
	fi
	if [ "$only" != healthz ] && [ "$status" = 0 ]; then
		# brokers lodge batches from a few connections: 2 here
		extra batch "in batches of $batch (POST /v1/declarations/batch, 2 connections)" \
			'/^declarations in batches/,/errors/p' \
			"${bench_args[@]}" --only declarations --concurrency 2 --batch "$batch"
		batch_rate=$(awk '$1 == "ingest" {print $2}' "$tmp/batch.out")
	fi
	if [ "$only" != healthz ] && [ "$status" = 0 ]; then
		extra spread "spread over $offices offices, each on its own call" \
			'/^declarations/,/errors/p' \
			"${bench_args[@]}" --only declarations --warmup 0 --offices "$offices"
		spread_rate=$(awk '$1 == "ingest" {print $2}' "$tmp/spread.out")
	fi
	kill -TERM "$server_pid"
	wait "$server_pid" || echo "run-ingest: the server exited with status $?" >&2
	server_pid=""
	after=$(count_rows "$db")
	echo
	echo "database"
	printf '  %-16s %10s (the demo seeds %s)\n' "rows before" "$before" "$before"
	printf '  %-16s %10s\n' "rows after" "$after"
	lodged=$(awk '$1 == "lodged" {print $2}' "$tmp/bench.out")
	printf '  %-16s %10s (should equal the 201 answers, %s)\n' "rows written" \
		"$((after - before))" "$(( ${lodged:-0} + lodged_extra ))"
	if [ -s "$tmp/server.err" ]; then
		echo "server messages:"
		sed 's/^/  /' "$tmp/server.err" | head -20
	fi
	rm -f "$tmp/release.key"
	echo
	return "$status"
}

# extra NAME TITLE SED_RANGE ARGS...: one more measurement on the running
# server (bench_ingest --url URL ARGS..., output in $tmp/NAME.out, the part
# SED_RANGE selects printed); its 201 answers count towards the rows the
# database must have gained.
extra() {
	local name=$1 title=$2 range=$3 n
	shift 3
	echo
	echo "== $title"
	# in the background and waited for, so that a signal is acted on at once
	"$build/bench_ingest" --url "$url" "$@" >"$tmp/$name.out" &
	bench_pid=$!
	wait "$bench_pid" || status=$?
	bench_pid=""
	sed -n "$range" "$tmp/$name.out"
	n=$(awk '$1 == "lodged" {print $2}' "$tmp/$name.out")
	lodged_extra=$((lodged_extra + ${n:-0}))
}

# median of the numbers given (empty when none)
median() {
	printf '%s\n' "$@" | awk 'NF' | sort -g | awk '{ v[NR] = $1 } END {
		if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}
# "lowest-highest" of the numbers given
range() {
	printf '%s\n' "$@" | awk 'NF' | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END {
		if (NR) printf "%s-%s", lo, hi }'
}

status=0
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A rates=() healths=() p99s=() p99_halfs=() batches=() spreads=() cpus=() cpu_dbs=()
pg_settings=""
if [ "$backend" != sqlite ]; then
	pg_state=$tmp/pg.state
	KOUAN_PG_DURABLE=1 "$root/scripts/pg-cluster.sh" start "$pg_state"
	base=$(sed -n 1p "$pg_state")
	# shellcheck disable=SC2059 # the state file holds a printf format
	pg_settings=$(psql -qtAX "$(printf "$base" postgres)" -c "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name) FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'wal_sync_method', 'full_page_writes', 'shared_buffers');")
fi
if [ "$sqlite_sync" = power ]; then
	sqlite_settings="journal_mode=WAL synchronous=FULL (kouan serve --sync power, as deployed: each COMMIT is flushed to the disk before the answer; survives power loss, as the PostgreSQL cluster here)"
else
	sqlite_settings="journal_mode=WAL synchronous=NORMAL (kouan serve --sync process: each COMMIT is in the WAL before the answer; survives kill -9, not power loss)"
fi

# measure NAME RUN: one run of one backend, its figures kept under NAME.RUN
measure() {
	local name=$1 i=$2 db
	sync_arg=""
	if [ "$name" = SQLite ]; then
		db=$tmp/bench-$i.db
		sync_arg=$sqlite_sync
	else
		# shellcheck disable=SC2059 # the state file holds a printf format
		psql -qX "$(printf "$base" postgres)" -c "CREATE DATABASE kouan_bench_$i" >/dev/null
		# shellcheck disable=SC2059
		db=$(printf "$base" "kouan_bench_$i")
	fi
	run_one "$name (run $i of $runs)" "$db" || status=$?
	# shellcheck disable=SC2034 # read through the nameref in values()
	rates[$name.$i]=$rate healths[$name.$i]=$healthz p99s[$name.$i]=$p99 p99_halfs[$name.$i]=$p99_half batches[$name.$i]=$batch_rate spreads[$name.$i]=$spread_rate
	# shellcheck disable=SC2034 # read through the nameref in values()
	cpus[$name.$i]=$cpu_server cpu_dbs[$name.$i]=$cpu_db
	if [ "$name" = SQLite ]; then
		rm -f "$db" "$db-wal" "$db-shm"
	else
		# shellcheck disable=SC2059
		psql -qX "$(printf "$base" postgres)" -c "DROP DATABASE kouan_bench_$i" >/dev/null
	fi
}

for i in $(seq 1 "$runs"); do
	order="SQLite PostgreSQL"
	[ $((i % 2)) = 0 ] && order="PostgreSQL SQLite"
	for name in $order; do
		[ "$name" = SQLite ] && [ "$backend" = postgres ] && continue
		[ "$name" = PostgreSQL ] && [ "$backend" = sqlite ] && continue
		measure "$name" "$i"
	done
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# values NAME ARRAY: the runs' values of one backend
values() {
	local -n arr=$2
	local i
	for i in $(seq 1 "$runs"); do printf '%s\n' "${arr[$1.$i]:-}"; done
}

echo "######## summary: median of $runs runs [range] ($(nproc) cores; client and server share them)"
echo "  load average   at start $load_start; at end $load_end"
printf '  %-11s %22s %20s %8s %10s %22s %24s %24s\n' "" "declarations/s" "healthz/s" "ratio" "p99 (ms)" "p99 at half peak (ms)" "in batches of $batch (/s)" "$offices offices (/s)"
sqlite_med=""
for name in SQLite PostgreSQL; do
	[ "$name" = SQLite ] && [ "$backend" = postgres ] && continue
	[ "$name" = PostgreSQL ] && [ "$backend" = sqlite ] && continue
	mapfile -t r < <(values "$name" rates)
	mapfile -t h < <(values "$name" healths)
	mapfile -t p < <(values "$name" p99s)
	mapfile -t q < <(values "$name" p99_halfs)
	mapfile -t bt < <(values "$name" batches)
	mapfile -t sp < <(values "$name" spreads)
	ratios=()
	for k in "${!r[@]}"; do
		ratios+=("$(awk -v d="${r[$k]}" -v x="${h[$k]}" 'BEGIN { if (d != "" && x > 0) printf "%.4f", d / x }')")
	done
	rm_=$(median "${r[@]}")
	sm_=$(median "${sp[@]}")
	[ "$name" = SQLite ] && sqlite_med=$rm_ sqlite_spread=$sm_
	[ "$name" = PostgreSQL ] && pg_med=$rm_ pg_spread=$sm_
	printf '  %-11s %22s %20s %8s %10s %22s %24s %24s\n' "$name" \
		"$rm_ [$(range "${r[@]}")]" "$(median "${h[@]}") [$(range "${h[@]}")]" \
		"$(median "${ratios[@]}")" "$(median "${p[@]}")" "$(median "${q[@]}")" \
		"$(median "${bt[@]}") [$(range "${bt[@]}")]" "$sm_ [$(range "${sp[@]}")]"
done
echo "  CPU a declaration at half the peak (us, medians [range]; server and database processes alike)"
for name in SQLite PostgreSQL; do
	[ "$name" = SQLite ] && [ "$backend" = postgres ] && continue
	[ "$name" = PostgreSQL ] && [ "$backend" = sqlite ] && continue
	mapfile -t c < <(values "$name" cpus)
	mapfile -t cd < <(values "$name" cpu_dbs)
	both=()
	for k in "${!c[@]}"; do
		both+=("$(awk -v a="${c[$k]}" -v b="${cd[$k]}" 'BEGIN { if (a != "") print a + b }')")
	done
	if [ "$name" = SQLite ]; then
		printf '    %-11s server %s [%s] (the database runs in it)\n' "$name" \
			"$(median "${c[@]}")" "$(range "${c[@]}")"
	else
		printf '    %-11s server %s [%s], database %s [%s], both %s [%s]\n' "$name" \
			"$(median "${c[@]}")" "$(range "${c[@]}")" "$(median "${cd[@]}")" \
			"$(range "${cd[@]}")" "$(median "${both[@]}")" "$(range "${both[@]}")"
	fi
done
echo "  settings"
[ "$backend" != postgres ] && echo "    SQLite       $sqlite_settings"
[ "$backend" != sqlite ] && echo "    PostgreSQL   $pg_settings (durable, as deployed)"
if [ -n "$sqlite_med" ] && [ -n "${pg_med:-}" ]; then
	awk -v p="$pg_med" -v s="$sqlite_med" -v ps="${pg_spread:-0}" -v ss="${sqlite_spread:-0}" \
		'BEGIN { if (s > 0) printf "  PostgreSQL / SQLite  %.3f at one office, %.3f over '"$offices"' offices (medians)\n", p / s, (ss > 0 ? ps / ss : 0) }'
fi
exit "$status"
