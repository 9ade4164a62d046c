# lib.sh - what the bench scripts share (sourced, not run).
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
