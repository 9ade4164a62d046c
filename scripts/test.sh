#!/bin/sh
# One command from a fresh clone to the whole test suite: installs the
# packages, builds with AddressSanitizer and UndefinedBehaviorSanitizer, and
# runs the unit, API and end-to-end tests with ctest.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build-test -G Ninja -DCMAKE_BUILD_TYPE=Debug -DASAN=ON -DUBSAN=ON >/dev/null
cmake --build build-test
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
cd build-test
ctest --output-on-failure -j "$(nproc)" "$@"
