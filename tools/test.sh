#!/usr/bin/env bash
# Set-up command 2: install what is missing, build, and run the whole test suite (ctest) on the
# first Vulkan device (lavapipe on a machine without a GPU), with the validation layer on.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/deps.sh
command -v node >/dev/null && command -v npm >/dev/null || PSEG_NODE="nodejs npm"
pseg_install_debs ${PSEG_NODE:-}
(cd tests/reference && npm ci --no-audit --no-fund --loglevel=error)
pseg_build
(cd build && ctest -j"$(nproc)" --output-on-failure --timeout 900 "$@")
# the unit and GPU tests again in a second build under AddressSanitizer + UndefinedBehaviorSanitizer
# (the reference comparisons with TFLite, which only run the CLI, are left to the first build; leak
# detection is off for the tests that load a Vulkan driver: its one-time allocations cannot be
# attributed, Mesa has no frame pointers and is unloaded by exit). PSEG_SANITIZE_TESTS=0 skips it.
if [ "${PSEG_SANITIZE_TESTS:-1}" != 0 ]; then
  cmake -S . -B build-asan -DPSEG_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build-asan -j"$(nproc)" >/dev/null
  (cd build-asan && ctest -j"$(nproc)" --output-on-failure --timeout 900 -R "image_io|corrupt" &&
   ASAN_OPTIONS=detect_leaks=0 ctest -j"$(nproc)" --output-on-failure --timeout 900 -E "fidelity|softmax_head_vs_tflite|image_io|corrupt")
fi
# the fuzz targets, 60 s each (tests/fuzz; a crash is kept in tests/fuzz/regressions/ and fails)
[ "${PSEG_FUZZ_SECONDS:-60}" = 0 ] || bash tools/fuzz.sh "${PSEG_FUZZ_SECONDS:-60}" # 0: skip
