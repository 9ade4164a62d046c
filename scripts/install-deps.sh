#!/bin/sh
# Install every Debian package kouan needs to build, run and test.
# Run as root on Debian bookworm. Safe to run again.
set -eu
PACKAGES="build-essential cmake ninja-build pkg-config git ca-certificates
  libmicrohttpd-dev libjansson-dev libsqlite3-dev libsodium-dev libzstd-dev
  libcurl4-openssl-dev libcmocka-dev libxml2-dev iso-codes
  libpq-dev postgresql postgresql-client nginx
  curl python3 sqlite3 wrk
  chromium fonts-noto-cjk"
missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# Node.js and npm install the browser interface's pinned packages (npm ci)
# and run its browser tests. Keep a Node.js already on the machine (with
# its own npm); otherwise take Debian's. Never add Debian's npm next to
# another npm: the two conflict.
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ -n "$missing" ]; then
  echo "install-deps: installing$missing"
  # kouan's tests start their own throw-away PostgreSQL clusters: do not let
  # the package create (and start) a system-wide one
  if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
