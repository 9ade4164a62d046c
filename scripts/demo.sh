#!/bin/sh
# One command from a fresh clone to a running single window with demo data:
# installs the packages, builds, initialises kouan-demo.db with reference and
# demo data, prints the demo users' credentials and serves on
# http://127.0.0.1:8080/ until Ctrl-C. Settings can follow, e.g. --port 9090.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build
exec ./build/kouan demo --db "${KOUAN_DB:-kouan-demo.db}" "$@"
