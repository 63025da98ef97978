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
(cd build && ctest --output-on-failure --timeout 900 "$@")
# the fuzz targets, 60 s each (tests/fuzz; a crash is kept in tests/fuzz/regressions/ and fails)
[ "${PSEG_FUZZ_SECONDS:-60}" = 0 ] || bash tools/fuzz.sh "${PSEG_FUZZ_SECONDS:-60}" # 0: skip
