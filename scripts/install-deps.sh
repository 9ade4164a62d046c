#!/bin/sh
# Install every Debian package kouan needs to build, run and test.
# Run as root on Debian bookworm. Safe to run again.
set -eu
PACKAGES="build-essential cmake ninja-build pkg-config git ca-certificates
  libmicrohttpd-dev libjansson-dev libsqlite3-dev libsodium-dev
  libcurl4-openssl-dev libcmocka-dev iso-codes
  curl python3 sqlite3 wrk"
missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "install-deps: installing$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
