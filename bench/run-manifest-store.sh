#!/usr/bin/env bash
# run-manifest-store.sh - how long a carrier waits for a large manifest to
# be lodged (POST /v1/manifests: checked, its lines and containers
# stored, matched with the call's declarations), on SQLite
# and on a durable throw-away PostgreSQL cluster (scripts/pg-cluster.sh,
# fsync and synchronous_commit on, as deployed), side by side. Builds a
# Release kouan; for each backend starts it on a fresh demo database on
# 127.0.0.1 and lodges --runs original manifests of --bills bills (one to
# three containers each, 2 on average) as the demo carrier, each for a
# voyage of its own; prints each answer's status and time, the medians,
# the time a bill, and PostgreSQL's median over SQLite's. Everything it
# creates lives in a temporary directory removed on every way out.
#
# usage: bench/run-manifest-store.sh [--bills N] [--runs N]
#   --bills N   bills a manifest (default 2500, a large container ship)
#   --runs N    manifests lodged on each backend (default 5)
# Environment: KOUAN_BENCH_BUILD (default <repo>/build-bench).
#
# It prints figures; it never fails because of them.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${KOUAN_BENCH_BUILD:-$root/build-bench}
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
bills=2500 runs=5
while [ $# -gt 0 ]; do
	case "$1" in
	--bills | --runs)
		[ $# -ge 2 ] || { echo "run-manifest-store: $1 needs a value" >&2; exit 2; }
		if [ "$1" = --bills ]; then bills=$2; else runs=$2; fi
		shift 2
		;;
	-h | --help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run-manifest-store: unknown option $1 (try --help)" >&2; exit 2 ;;
	esac
done
for n in "$bills" "$runs"; do
	case "$n" in
	'' | *[!0-9]* | 0) echo "run-manifest-store: options take a number above 0" >&2; exit 2 ;;
	esac
done

echo "== building a Release kouan in $build"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C "$build" kouan >/dev/null

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kouan-manifest-store.XXXXXX")
server_pid="" pg_state=""
bench_exit_traps

# The manifest: BILLS bills of the demo's vessel at Nansha on voyage
# VOYAGE, containers numbered from FIRST (ISO 6346 check digits).
cat >"$tmp/manifest.py" <<'EOF'
import json, sys
def value(ch):
    if ch.isdigit():
        return int(ch)
    v = 10
    for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        if v % 11 == 0:
            v += 1
        if c == ch:
            return v
        v += 1
def container(k):
    s = "MSKU%06d" % (k % 1000000)
    return s + str(sum(value(c) << i for i, c in enumerate(s)) % 11 % 10)
bills, voyage, first = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
out, k = [], first
for i in range(bills):
    cs = [{"number": container(k + c), "seals": ["S%d" % (k + c)]} for c in range(1 + i % 3)]
    k += len(cs)
    out.append({"bill_of_lading": "COSU%04d%06d" % (first // 100000, i),
                "consignor": {"name": "Shipper %d" % i, "country": "US"},
                "consignee": {"name": "Consignee %d" % i}, "goods_description": "General cargo",
                "packages": 10 + i % 2000, "package_kind": "CT",
                "gross_weight_kg": "%d.500" % (1000 + i % 25000), "containers": cs})
json.dump({"kind": "original", "transport_mode": "2",
           "conveyance": {"name": "COSCO SHIPPING ARIES", "voyage": voyage, "imo": "9321378"},
           "port": "CNNSA", "carrier": "COSCO SHIPPING Lines", "bills": out}, sys.stdout)
EOF

median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

# measure NAME DB: lodge the manifests on a fresh demo database; leaves
# the median seconds in $med
measure() {
	local name=$1 db=$2 token times=() r out status
	"$build/kouan" init --demo --db "$db" --release-key "$tmp/release.key" --pwhash min \
		>"$tmp/init.log" 2>&1 || { cat "$tmp/init.log" >&2; exit 1; }
	start_server run-manifest-store "$db" "$tmp/release.key" "$tmp"
	token=$(printf '{"username":"carrier","password":"carrier-demo-2026"}' |
		curl -s -X POST "$url/v1/sessions" -H 'Content-Type: application/json' \
			--data-binary @- | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
	echo "== $name: $runs manifests of $bills bills"
	for r in $(seq 1 "$runs"); do
		python3 "$tmp/manifest.py" "$bills" "$(printf '3%02dE' "$r")" $((r * 100000)) \
			>"$tmp/manifest.json"
		out=$(printf 'header = "Authorization: Bearer %s"\n' "$token" |
			curl -s -K - -o "$tmp/answer.json" -w '%{http_code} %{time_total}' \
				-X POST "$url/v1/manifests" -H 'Content-Type: application/json' \
				-H "Idempotency-Key: manifest-store-$r" \
				--data-binary @"$tmp/manifest.json")
		status=${out% *}
		printf '  run %d: %s in %s s\n' "$r" "$status" "${out#* }"
		if [ "$status" != 201 ]; then
			head -c 400 "$tmp/answer.json" >&2
			echo >&2
			continue
		fi
		times+=("${out#* }")
	done
	kill -TERM "$server_pid"
	wait "$server_pid" || true
	server_pid=""
	med=$(median "${times[@]:-0}")
}

measure SQLite "$tmp/m.db"
sqlite_med=$med
pg_state=$tmp/pg.state
KOUAN_PG_DURABLE=1 "$root/scripts/pg-cluster.sh" start "$pg_state"
base=$(sed -n 1p "$pg_state")
# shellcheck disable=SC2059 # the state file holds a printf format
psql -qX "$(printf "$base" postgres)" -c "CREATE DATABASE kouan_manifests" >/dev/null
# shellcheck disable=SC2059
pg_settings=$(psql -qtAX "$(printf "$base" postgres)" -c "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name) FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'wal_sync_method');")
# shellcheck disable=SC2059
measure PostgreSQL "$(printf "$base" kouan_manifests)"
pg_med=$med

echo
echo "== medians ($(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg))"
awk -v s="$sqlite_med" -v p="$pg_med" -v n="$bills" 'BEGIN {
	printf "  %-11s %8.3f s  %7.1f us a bill\n", "SQLite", s, s * 1e6 / n
	printf "  %-11s %8.3f s  %7.1f us a bill\n", "PostgreSQL", p, p * 1e6 / n
	if (s > 0) printf "  PostgreSQL / SQLite  %.2fx\n", p / s }'
echo "  settings"
echo "    SQLite       journal_mode=WAL synchronous=FULL (kouan serve --sync power, as deployed)"
echo "    PostgreSQL   $pg_settings (durable, as deployed)"
