#!/usr/bin/env bash
# ThreadSanitizer over the parts of disputed that run on many threads at once: the REST API's
# concurrent requests (one CommandWriter, the ReaderPool, Beast's I/O and worker threads, the
# JWKS refetch), the CommandWriter's group commit, and the sync engine beside the API.
#
#   scripts/tsan.sh [BUILD_DIR]      (default: build-tsan, the `tsan` CMake preset)
#
# Builds only the three test programs, runs the selected tests, and fails on any ThreadSanitizer
# report (halt_on_error) or test failure.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build_dir="${1:-$root/build-tsan}"
cd "$root"
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake --preset tsan -B "$build_dir" >/dev/null
fi
cmake --build "$build_dir" -j "${JOBS:-$(nproc)}" --target api_test engine_test sync_test

export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 history_size=4 ${TSAN_OPTIONS:-}"
export TZ=UTC
# The API's tests that run threads (the chunked-upload test is left out: it measures RSS, which
# TSan's shadow memory makes meaningless).
api_filter='ApiTest.Concurrent*:ApiTest.ReadsSeeWholeCommandsWhileWritesRun:HttpServerTest.*:HttpsTest.*:JwtVerifierTest.*:-HttpServerTest.AChunkedUploadOfGigabytesIsRefusedEarlyAndMemoryStaysFlat'
status=0
run() {
  echo "== $*"
  if ! "$@"; then status=1; fi
}
run "$build_dir/bin/api_test" --gtest_filter="$api_filter"
run "$build_dir/bin/engine_test" --gtest_filter='CommandWriterTest.*:TimerScheduler*'
run "$build_dir/bin/sync_test"
if [ $status -eq 0 ]; then echo "tsan: no report"; else echo "tsan: FAILED (see above)" >&2; fi
exit $status
