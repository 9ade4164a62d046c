# lib.sh - what the bench scripts share (sourced, not run).
#
# bench_exit_traps: on every way out (EXIT, and INT and TERM turned into
# exits), stop what the script started and remove what it made: the
# processes $bench_pid and $server_pid (when set and running), the
# PostgreSQL cluster of the state file $pg_state (when set; root is the
# repository), and the directory $tmp.
bench_exit_traps() {
	trap bench_clean_up EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# shellcheck disable=SC2317 # called by the trap
bench_clean_up() {
	local pid
	for pid in "${bench_pid:-}" "${server_pid:-}"; do
		if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
			kill -TERM "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
		fi
	done
	if [ -n "${pg_state:-}" ]; then
		"$root/scripts/pg-cluster.sh" stop "$pg_state" >/dev/null 2>&1 || true
	fi
	rm -rf "$tmp"
}
#
# start_server NAME DB KEY DIR [serve options...]: start a Release kouan
# ($build/kouan) on DB with release key KEY, on 127.0.0.1 and a free port,
# its output in DIR/server.out and DIR/server.err; wait until it serves
# (up to 60 s). Sets server_pid and url (http://127.0.0.1:PORT, no
# trailing slash); on failure prints NAME's complaint with the server's
# errors and exits 1.
start_server() {
	local name=$1 db=$2 key=$3 dir=$4 line
	shift 4
	"$build/kouan" serve --db "$db" --listen 127.0.0.1 --port 0 --release-key "$key" \
		--access-log off --quiet on "$@" >"$dir/server.out" 2>"$dir/server.err" &
	server_pid=$!
	url=""
	for _ in $(seq 1 600); do
		line=$(grep -m1 -o 'kouan is serving http://127\.0\.0\.1:[0-9]*/' "$dir/server.out" 2>/dev/null || true)
		if [ -n "$line" ]; then
			url=${line#kouan is serving }
			url=${url%/}
			return 0
		fi
		kill -0 "$server_pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "$name: the server did not start" >&2
	cat "$dir/server.err" >&2
	exit 1
}
