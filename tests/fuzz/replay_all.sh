#!/usr/bin/env bash
# ctest fuzz_regressions: the seed corpus of each fuzz target (tests/fuzz/seeds.sh) and every input
# kept in tests/fuzz/regressions/TARGET/ through the target's replay build (ASan + UBSan).
# Usage: replay_all.sh SOURCE_DIR PSEG MAKE_TEST_MODELS REPLAY_convert REPLAY_pseg REPLAY_model REPLAY_image
set -euo pipefail
SRC=$1 PSEG=$2 MAKE=$3
shift 3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
bash "$SRC/tests/fuzz/seeds.sh" "$SRC" "$PSEG" "$MAKE" "$T" >/dev/null
status=0
for t in convert pseg model image; do
  replay=$1
  shift
  if out=$("$replay" "$T/$t" "$SRC/tests/fuzz/regressions/$t" 2>&1); then
    echo "ok   $t: $(echo "$out" | tail -1)"
  else
    echo "FAIL $t:"
    echo "$out" | tail -30
    status=1
  fi
done
exit $status
