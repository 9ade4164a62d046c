#!/bin/sh
# One command from a fresh clone to a running single window with demo data:
# installs the packages, builds, initialises kouan-demo.db with reference and
# demo data, prints the demo users' credentials and serves the API and the
# browser interface on http://127.0.0.1:8080/ until Ctrl-C. Settings can
# follow, e.g. --port 9090.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build
# kouan's own output, with the address to open in a browser once it serves
./build/kouan demo --db "${KOUAN_DB:-kouan-demo.db}" "$@" | while IFS= read -r line; do
  printf '%s\n' "$line"
  case $line in
  "kouan is serving "*)
    url=${line#kouan is serving }
    printf 'Open %s in a browser: log in as one of the demo users below.\n' "${url%% *}" ;;
  esac
done
