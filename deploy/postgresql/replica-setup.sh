#!/bin/sh
# deploy/postgresql/replica-setup.sh - set up a streaming replica of the
# kouan primary on Debian (PostgreSQL 15, cluster 15/main). Documentation
# grade: read it, adapt the names, run each half as root on its machine.
#
#   on the primary:  replica-setup.sh primary [SLOT]
#       creates the replication role (asks for its password) and a physical
#       replication slot (default name replica1)
#   on the replica:  replica-setup.sh replica PRIMARY_HOST [SLOT]
#       ERASES the replica's data directory, copies the primary with
#       pg_basebackup -R (which writes standby.signal and primary_conninfo),
#       and starts it as a hot standby streaming from the slot
#
# The primary needs deploy/postgresql/kouan-primary.conf and the
# "replication" lines of kouan-pg_hba.conf. For a synchronous standby, put
# the slot name (used here as the standby's application_name) in the
# primary's synchronous_standby_names.
set -eu
VER=15
CLUSTER=main
DATA=/var/lib/postgresql/$VER/$CLUSTER
BIN=/usr/lib/postgresql/$VER/bin
as_pg() { runuser -u postgres -- "$@"; }

case "${1:-}" in
primary)
  slot=${2:-replica1}
  as_pg psql -v ON_ERROR_STOP=1 -c "DO \$\$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'replicator') THEN
        CREATE ROLE replicator WITH REPLICATION LOGIN;
      END IF; END \$\$;"
  echo "Password for the replicator role:"
  as_pg psql -c '\password replicator'
  as_pg psql -v ON_ERROR_STOP=1 -c \
    "SELECT pg_create_physical_replication_slot('$slot')
     WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = '$slot')"
  echo "primary ready: slot $slot; now run '$0 replica THIS_HOST $slot' on the replica"
  ;;
replica)
  primary=${2:?usage: $0 replica PRIMARY_HOST [SLOT]}
  slot=${3:-replica1}
  # the replicator's password for pg_basebackup and, later, the walreceiver
  if [ ! -f ~postgres/.pgpass ] || ! grep -q "^$primary:" ~postgres/.pgpass; then
    printf 'Password of replicator on %s: ' "$primary"
    stty -echo; read -r pw; stty echo; echo
    printf '%s:5432:replication:replicator:%s\n' "$primary" "$pw" >> ~postgres/.pgpass
    chown postgres:postgres ~postgres/.pgpass
    chmod 0600 ~postgres/.pgpass
  fi
  systemctl stop "postgresql@$VER-$CLUSTER"
  mv "$DATA" "$DATA.before-replica.$(date +%Y%m%d%H%M%S)"
  as_pg "$BIN/pg_basebackup" \
    -d "host=$primary user=replicator application_name=$slot sslmode=require" \
    -D "$DATA" -X stream -S "$slot" -R -c fast -P
  chmod 0700 "$DATA"
  systemctl start "postgresql@$VER-$CLUSTER"
  sleep 2
  as_pg psql -Atc "SELECT 'in recovery: ' || pg_is_in_recovery()"
  as_pg psql -Atc "SELECT 'receiving from ' || sender_host || ', status ' || status FROM pg_stat_wal_receiver"
  echo "On the primary, check: SELECT application_name, state, sync_state FROM pg_stat_replication;"
  echo "The old data directory was kept as $DATA.before-replica.*; remove it when all is well."
  ;;
*)
  sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
  ;;
esac
