#!/bin/sh
# A throw-away PostgreSQL cluster for the tests, on a unix socket only.
#   pg-cluster.sh start STATEFILE   initdb + pg_ctl start; writes the base URL
#                                   and the cluster directory to STATEFILE
#   pg-cluster.sh stop STATEFILE    pg_ctl stop; removes the cluster
# With KOUAN_PG_DURABLE=1 in the environment the cluster is durable as
# deployed (fsync=on, synchronous_commit=on); the benchmarks use that.
# initdb refuses to run as root, so as root the cluster belongs to the
# "postgres" system user (created by Debian's postgresql package).
set -eu
cmd=$1
state=$2
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "pg-cluster: PostgreSQL is not installed (scripts/install-deps.sh)"; exit 1; }
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$cmd" in
start)
  if [ -f "$state" ]; then "$0" stop "$state" || true; fi
  dir=$(mktemp -d /tmp/kouan-pg.XXXXXX)
  chmod 755 "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -U kouan --auth=trust --no-locale -E UTF8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log"; exit 1; }
  # durability of PostgreSQL itself is not what the tests examine
  sync="-c fsync=off -c synchronous_commit=off"
  [ "${KOUAN_PG_DURABLE:-0}" = 1 ] && sync="-c fsync=on -c synchronous_commit=on"
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-k $dir -c listen_addresses= $sync -c max_connections=400 -c shared_buffers=128MB" \
    start >/dev/null || { cat "$dir/server.log"; exit 1; }
  printf 'postgresql:///%%s?host=%s&user=kouan\n%s\n' "$dir" "$dir" > "$state"
  echo "pg-cluster: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on $dir"
  ;;
stop)
  [ -f "$state" ] || exit 0
  dir=$(sed -n 2p "$state")
  if [ -n "$dir" ] && [ -d "$dir/data" ]; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
  fi
  rm -f "$state"
  ;;
*)
  echo "usage: pg-cluster.sh start|stop STATEFILE"; exit 2 ;;
esac
