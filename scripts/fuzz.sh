#!/usr/bin/env bash
# Builds the libFuzzer harnesses (fuzz/) with clang-14 in their own build directory and runs each
# for a while on its seed corpus (fuzz/corpus/<harness>/) plus what it found before.
#
#   scripts/fuzz.sh [--build-dir DIR] [--seconds N] [--smoke] [harness ...]
#
#   --build-dir DIR  the fuzz build (default: build-fuzz); found inputs go to DIR/corpus/<harness>/,
#                    crashes to DIR/crashes/, one line per harness to DIR/fuzz-report.txt
#   --seconds N      how long each harness runs (default 60)
#   --smoke          what `make test` runs: every seed once, then 3 seconds of fuzzing each,
#                    without keeping what was found
#   harness ...      only these (default: every fuzz_* target)
#
# Exit status: 0 when no harness crashed, 1 otherwise (the crashing input is named), 2 on a
# usage or build problem. Runs under `nice` (the machine is shared with the other builds).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
build_dir="$root/build-fuzz"
seconds=60
smoke=0
harnesses=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build_dir="$(realpath -m "$2")"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --smoke) smoke=1; seconds=3; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) harnesses+=("$1"); shift ;;
  esac
done
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "fuzz.sh: --seconds wants a whole number" >&2; exit 2; }

compiler="$(command -v clang++-14 || true)"
if [ -z "$compiler" ]; then
  echo "fuzz.sh: clang++-14 not found (scripts/setup.sh installs clang-14 and libfuzzer-14-dev)" >&2
  exit 2
fi

all=(decimal json invoices soql config jwt api message links zendesk salesforce msgraph)
[ ${#harnesses[@]} -gt 0 ] || harnesses=("${all[@]}")
for h in "${harnesses[@]}"; do
  [ -d "$root/fuzz/corpus/$h" ] || { echo "fuzz.sh: no harness '$h' (fuzz/corpus/$h)" >&2; exit 2; }
done

# Instrumented at -O1 with line tables only: a third of the compile time of -O2 -g, and what
# libFuzzer's documentation recommends.
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  nice -n 10 cmake -S "$root" -B "$build_dir" -DCMAKE_CXX_COMPILER="$compiler" -DDISPUTED_FUZZ=ON \
    -DDISPUTED_BUILD_TESTS=OFF -DDISPUTED_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" >"$build_dir.configure.log" 2>&1 ||
    { cat "$build_dir.configure.log" >&2; exit 2; }
fi
targets=()
for h in "${harnesses[@]}"; do targets+=("fuzz_$h"); done
if ! nice -n 10 cmake --build "$build_dir" -j "${JOBS:-$(nproc)}" --target "${targets[@]}" \
    >"$build_dir/build.log" 2>&1; then
  tail -50 "$build_dir/build.log" >&2
  exit 2
fi

# Short allocation stacks: recording 30 frames per malloc halves the speed of allocating code
# (the crash's own stack is still complete).
export ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:malloc_context_size=4:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
export TZ=UTC
mkdir -p "$build_dir/crashes"
status=0
for h in "${harnesses[@]}"; do
  seeds="$root/fuzz/corpus/$h"
  if [ "$smoke" = 1 ]; then
    work="$(mktemp -d)"
  else
    work="$build_dir/corpus/$h"
    mkdir -p "$work"
  fi
  log="$build_dir/fuzz-$h.log"
  set +e
  nice -n 10 "$build_dir/bin/fuzz_$h" "$work" "$seeds" -max_total_time="$seconds" -timeout=20 \
    -rss_limit_mb=3072 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$build_dir/crashes/$h-" >"$log" 2>&1
  rc=$?
  set -e
  [ "$smoke" = 1 ] && rm -rf "$work"
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  if [ $rc -ne 0 ]; then
    status=1
    echo "fuzz_$h: CRASH after ${runs:-?} executions ($log):" >&2
    grep -E "broken promise|ERROR: |SUMMARY: |Test unit written to" "$log" | head -5 >&2 || true
  else
    echo "fuzz_$h: ${runs:-0} executions in ${seconds} s, no crash"
  fi
  if [ "$smoke" = 0 ]; then
    printf '%s\tfuzz_%s\t%s\t%ss\t%s\n' "$(date -u +%FT%TZ)" "$h" "${runs:-0}" "$seconds" \
      "$([ $rc -eq 0 ] && echo ok || echo crash)" >>"$build_dir/fuzz-report.txt"
  fi
done
exit $status
