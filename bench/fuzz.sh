#!/bin/sh
# fuzz.sh - build the fuzz targets with clang and libFuzzer in build-fuzz/
# (every library of kouan instrumented for coverage, with AddressSanitizer
# and UndefinedBehaviorSanitizer), run each target for a given time from its
# seed corpus, and print per target: executions, executions per second,
# coverage at the end (libFuzzer's cov: and ft:), corpus size, and whether
# it found anything.
#
# Usage: bench/fuzz.sh [--seconds N] [--only TARGET] [--keep]
#   --seconds N    run each target N seconds (default 60)
#   --only TARGET  one target: codes, declaration, http, risk_rules, wire,
#                  packed, ceb_xml, conveyance, manifest, money, stats_snapshot
#                  (with or without the fuzz_ prefix)
#   --keep         go on from the corpus of the last run instead of the seeds
#
# Each run starts from a fresh copy of tests/fuzz/corpus/<target> in
# build-fuzz/corpus/<target> (the repository's seeds are never changed);
# findings go to build-fuzz/findings/<target>/. Targets run one after the
# other, on one core each; run the script under nice on a shared machine.
# Needs clang and libclang-rt-14-dev (not installed by install-deps.sh: the
# test suite replays the seeds without them).
set -eu
cd "$(dirname "$0")/.."

seconds=60
only=""
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --only) only="${2#fuzz_}"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "fuzz.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$seconds" in ''|*[!0-9]*) echo "fuzz.sh: --seconds wants a number" >&2; exit 2 ;; esac

if ! command -v clang >/dev/null 2>&1; then
  echo "fuzz.sh: clang is not installed: apt-get install -y --no-install-recommends clang libclang-rt-14-dev" >&2
  exit 2
fi
probe=$(mktemp -d)
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' > "$probe/p.c"
if ! clang -fsanitize=fuzzer -o "$probe/p" "$probe/p.c" >/dev/null 2>&1; then
  rm -rf "$probe"
  echo "fuzz.sh: clang cannot link libFuzzer: apt-get install -y --no-install-recommends libclang-rt-14-dev" >&2
  exit 2
fi
rm -rf "$probe"

targets=""
for src in tests/fuzz/fuzz_*.c; do
  t=$(basename "$src" .c)
  t=${t#fuzz_}
  if [ -z "$only" ] || [ "$only" = "$t" ]; then targets="$targets $t"; fi
done
if [ -z "$targets" ]; then
  echo "fuzz.sh: no target named $only" >&2
  exit 2
fi

build=build-fuzz
cmake -S . -B "$build" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DFUZZ=ON >/dev/null
names=""
for t in $targets; do names="$names fuzz_$t"; done
# shellcheck disable=SC2086
ninja -C "$build" $names >/dev/null

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

printf 'kouan fuzzing: %s, %s s per target, %s cores, %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  "$seconds" "$(nproc)" "$(clang --version | head -1)"
printf '%-12s %12s %10s %7s %8s %8s %6s  %s\n' target executions exec/s cov ft corpus new found
status=0
for t in $targets; do
  corpus="$build/corpus/$t"
  findings="$build/findings/$t"
  log="$build/fuzz-$t.log"
  if [ "$keep" = 0 ] || [ ! -d "$corpus" ]; then
    rm -rf "$corpus"
    mkdir -p "$corpus"
    cp tests/fuzz/corpus/"$t"/* "$corpus"/
  fi
  rm -rf "$findings"
  mkdir -p "$findings"
  dict=""
  if [ -f "tests/fuzz/$t.dict" ]; then dict="-dict=tests/fuzz/$t.dict"; fi
  before=$(ls "$corpus" | wc -l)
  rc=0
  # fuzz_http's database; libFuzzer may end without exit handlers
  export KOUAN_FUZZ_TMP="$build/tmp-$t"
  rm -rf "$KOUAN_FUZZ_TMP"
  mkdir -p "$KOUAN_FUZZ_TMP"
  # shellcheck disable=SC2086
  "$build/fuzz_$t" -max_total_time="$seconds" -timeout=25 -print_final_stats=1 \
    -artifact_prefix="$findings/" $dict "$corpus" >"$log" 2>&1 || rc=$?
  rm -rf "$KOUAN_FUZZ_TMP"
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1)
  cov=$(printf '%s' "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
  ft=$(printf '%s' "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
  after=$(ls "$corpus" | wc -l)
  found=$(ls "$findings" | head -3 | tr '\n' ' ')
  if [ "$rc" != 0 ] || [ -n "$found" ]; then
    status=1
    found="${found:-exit $rc} (see $log)"
  else
    found=none
  fi
  printf '%-12s %12s %10s %7s %8s %8s %6s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" \
    "${ft:-?}" "$after" "$((after - before))" "$found"
done
exit $status
