#!/usr/bin/env bash
# run-growth.sh - grow a SQLite demo database by lodging declarations through
# a Release kouan on 127.0.0.1 (POST /v1/declarations/batch, the bench_ingest
# client) until it holds --target declarations or --minutes have passed,
# printing the rate of each slice as it grows; then print the bytes kept per
# declaration at rest (the database file, WAL checkpointed, divided by the
# declarations, and each table's and index's share from dbstat; and
# without the Idempotency-Key records, which are purged after their
# seven-day window, what is kept for good; and what the run's declarations
# added, without the demo database's fixed part) and the
# server's peak memory; then restart the server on the grown database, twice,
# and time how long it takes to serve, and to answer its first
# clearance-time question: with the statistics snapshot the stop saved, and
# without (the engine fills itself from every stored event). With --pg the
# database is PostgreSQL instead, on a durable throw-away cluster
# (scripts/pg-cluster.sh, fsync and synchronous_commit on), and the bytes
# at rest are each table's with its partitions, indexes and TOAST, after
# VACUUM and CHECKPOINT. Everything lives in a temporary directory removed
# on every way out (the cluster is stopped and removed).
#
# usage: bench/run-growth.sh [--target N] [--minutes M] [--slice S] [--batch B] [--pg]
#   --target N    declarations to reach (default 1000000)
#   --minutes M   stop growing after M minutes whatever the count (default 20)
#   --slice S     seconds per measured slice (default 20)
#   --batch B     declarations per request (default 50; 1: one by one through
#                 POST /v1/declarations)
#   --pg          PostgreSQL (durable) instead of SQLite
# Environment: KOUAN_BENCH_BUILD (default <repo>/build-bench).
#
# It prints figures; it never fails because of them.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${KOUAN_BENCH_BUILD:-$root/build-bench}
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
target=1000000 minutes=20 slice=20 batch=50 pg=""
while [ $# -gt 0 ]; do
	case "$1" in
	--pg) pg=1; shift ;;
	--target) target=$2; shift 2 ;;
	--minutes) minutes=$2; shift 2 ;;
	--slice) slice=$2; shift 2 ;;
	--batch) batch=$2; shift 2 ;;
	-h | --help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run-growth: unknown option $1 (try --help)" >&2; exit 2 ;;
	esac
done
for n in "$target" "$minutes" "$slice" "$batch"; do
	case "$n" in
	'' | *[!0-9]* | 0) echo "run-growth: options take a number above 0" >&2; exit 2 ;;
	esac
done
for tool in cmake ninja sqlite3 ${pg:+psql}; do
	command -v "$tool" >/dev/null || { echo "run-growth: $tool is not installed" >&2; exit 2; }
done

echo "== building a Release kouan in $build"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C "$build" kouan bench_ingest >/dev/null

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kouan-growth.XXXXXX")
server_pid="" pg_state=""
bench_exit_traps

db=$tmp/growth.db
stats=$tmp/growth.statistics # the statistics snapshot a stop saves
if [ -n "$pg" ]; then
	pg_state=$tmp/pg.state
	KOUAN_PG_DURABLE=1 "$root/scripts/pg-cluster.sh" start "$pg_state"
	base=$(sed -n 1p "$pg_state")
	# shellcheck disable=SC2059 # the state file holds a printf format
	psql -qX "$(printf "$base" postgres)" -c "CREATE DATABASE kouan_growth" >/dev/null
	# shellcheck disable=SC2059
	db=$(printf "$base" kouan_growth)
fi
# sql QUERY: one query on the grown database, its rows as a|b|c
sql() {
	if [ -n "$pg" ]; then psql -qtAX "$db" -c "$1"; else sqlite3 "$db" "$1"; fi
}
# db_size: the database's bytes at rest (PostgreSQL after VACUUM and
# CHECKPOINT, SQLite with its WAL checkpointed)
db_size() {
	if [ -n "$pg" ]; then
		sql "VACUUM;" >/dev/null
		sql "CHECKPOINT;" >/dev/null
		sql "SELECT pg_database_size(current_database());"
	else
		sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
		stat -c %s "$db"
	fi
}
"$build/kouan" init --demo --db "$db" --release-key "$tmp/release.key" --pwhash min \
	>"$tmp/init.log" 2>&1 || { cat "$tmp/init.log" >&2; exit 1; }
size0=$(db_size) # the demo database before it grows: its fixed part
start_server run-growth "$db" "$tmp/release.key" "$tmp" --threads 4 --statistics-file "$stats"

count() { sql "SELECT count(*) FROM declarations;"; }
start=$(count)
echo "== growing $db from $start declarations towards $target (at most $minutes min; load average $(cut -d' ' -f1-3 /proc/loadavg))"
printf '  %12s %12s %14s\n' "slice" "declarations" "declarations/s"
deadline=$(($(date +%s) + minutes * 60))
n=$start i=0 first_rate="" rate=""
while [ "$n" -lt "$target" ] && [ "$(date +%s)" -lt "$deadline" ]; do
	i=$((i + 1))
	if [ "$batch" = 1 ]; then
		"$build/bench_ingest" --url "$url" --only declarations --concurrency 4 \
			--seconds "$slice" --warmup 0 >"$tmp/slice.out" || true
	else
		"$build/bench_ingest" --url "$url" --only declarations --batch "$batch" \
			--concurrency 2 --seconds "$slice" --warmup 0 >"$tmp/slice.out" || true
	fi
	rate=$(awk '$1 == "ingest" {print $2}' "$tmp/slice.out")
	n=$(count)
	[ -z "$first_rate" ] && first_rate=$rate
	printf '  %12s %12s %14s\n' "$i" "$n" "${rate:-?}"
done
peak=$(awk '/^VmHWM/ {print $2, $3}' "/proc/$server_pid/status")
kill -TERM "$server_pid"
wait "$server_pid" || echo "run-growth: the server exited with status $?" >&2
server_pid=""
size=$(db_size)
if [ -n "$pg" ]; then
	what="database"
	# each table with its partitions, indexes and TOAST
	by_table="SELECT t.relname, CASE WHEN t.relkind = 'p' THEN (SELECT
		SUM(pg_total_relation_size(p.relid)) FROM pg_partition_tree(t.oid) p)
		ELSE pg_total_relation_size(t.oid) END FROM pg_class t
		JOIN pg_namespace n ON n.oid = t.relnamespace
		WHERE n.nspname = 'public' AND t.relkind IN ('r', 'p') AND NOT t.relispartition
		ORDER BY 2 DESC LIMIT 20;"
	by_what="by table, with its partitions, indexes and TOAST"
	idem="SELECT pg_total_relation_size('idempotency_keys');"
else
	what="database file"
	by_table="SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 20;"
	by_what="by table and index (dbstat)"
	idem="SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name IN (SELECT name FROM sqlite_schema WHERE tbl_name = 'idempotency_keys');"
fi
n=$(count)
echo
echo "== at rest: $n declarations ($((n - start)) lodged in this run, $(cut -d' ' -f1-3 /proc/loadavg) load average at the end)"
printf '  %-28s %14s\n' "rate in the first slice" "${first_rate:-?}/s"
printf '  %-28s %14s\n' "rate in the last slice" "${rate:-?}/s"
printf '  %-28s %14s\n' "server peak memory" "$peak"
printf '  %-28s %14s bytes (%s per declaration)\n' "$what" "$size" \
	"$(awk -v s="$size" -v n="$n" 'BEGIN { printf "%.0f", s / n }')"
echo "  $by_what, bytes per declaration:"
sql "$by_table" | awk -F'|' -v n="$n" '{ printf "    %-34s %8.0f\n", $1, $2 / n }'
# The Idempotency-Key records (with their indexes) are purged after their
# seven-day window; what stays for good is the rest.
idem_size=$(sql "$idem")
printf '  %-28s %14s bytes (%s per declaration)\n' "kept after the key window" \
	"$((size - idem_size))" "$(awk -v s="$((size - idem_size))" -v n="$n" 'BEGIN { printf "%.0f", s / n }')"
# What each declaration lodged here added, without the demo database's
# fixed part (schema, reference data, the demo; $size0 bytes), which a
# run of ten thousand declarations would otherwise spread over them.
printf '  %-28s %14s bytes a declaration (%s after the key window)\n' "added by this run" \
	"$(awk -v s="$((size - size0))" -v n="$((n - start))" 'BEGIN { printf "%.0f", s / n }')" \
	"$(awk -v s="$((size - idem_size - size0))" -v n="$((n - start))" 'BEGIN { printf "%.0f", s / n }')"

# Restarts on the grown database: serving at once, the statistics engine
# loaded from the snapshot the stop saved (then following the feed from
# its event), or, with --statistics-file off, filled from every stored
# event; the first statistics question waits for either.
restart() {
	local what=$1 t0 t1 t2 token counted peak
	shift
	echo
	echo "== restart on $n declarations, $what"
	t0=$(date +%s%N)
	start_server run-growth "$db" "$tmp/release.key" "$tmp" --threads 4 --statistics-file "$stats" "$@"
	t1=$(date +%s%N)
	token=$(curl -sf -H 'Content-Type: application/json' \
		-d '{"username":"analyst","password":"analyst-demo-2026"}' "$url/v1/sessions" |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
	curl -sf -o "$tmp/stats.json" -H "Authorization: Bearer $token" \
		"$url/v1/statistics/clearance?direction=import&outliers=0" ||
		echo "run-growth: the statistics question failed" >&2
	t2=$(date +%s%N)
	counted=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["import"]["total"]["count"])' \
		"$tmp/stats.json" 2>/dev/null || echo "?")
	printf '  %-28s %14s s\n' "serving after" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')"
	printf '  %-28s %14s s (%s imports released)\n' "first statistics answer" \
		"$(awk -v a="$t0" -v b="$t2" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')" "$counted"
	peak=$(awk '/^VmHWM/ {print $2, $3}' "/proc/$server_pid/status")
	printf '  %-28s %14s\n' "server peak memory" "$peak"
	kill -TERM "$server_pid"
	wait "$server_pid" || echo "run-growth: the server exited with status $?" >&2
	server_pid=""
}
printf '  %-28s %14s bytes\n' "statistics snapshot" "$(stat -c %s "$stats" 2>/dev/null || echo none)"
restart "statistics from the snapshot"
restart "statistics from every event (--statistics-file off)" --statistics-file off
