#!/usr/bin/env bash
# A real model with a 2-channel SOFTMAX head, pseg against the real TFLite interpreter:
# tests/make_softmax_model writes it (tests/tflite_writer.h), `pseg convert` converts it, and on the
# portraits of tests/data (each also centre-cropped and mirrored, resized to 64x64 by
# prep_portraits) `pseg segment` (the person channel, channel 1) must match the TFLite output
# within max |d| <= 1e-3 in fp32 (and 2e-2 in fp16, where the device has it).
# Usage: test_softmax_head.sh PSEG PREP_PORTRAITS MAKE_SOFTMAX_MODEL SOURCE_DIR
set -euo pipefail
PSEG=$1
PREP=$2
MAKE=$3
SRC=$4
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$MAKE" "$T/softmax_head.tflite"
"$PSEG" convert "$T/softmax_head.tflite" "$T/softmax_head.pseg"
"$PREP" --crops "$T/in" 64 64 "$SRC"/tests/data/*.png "$SRC"/tests/data/*.jpg >/dev/null
status=0
node "$SRC/tests/softmax_head_ref.js" --pseg "$PSEG" --tflite "$T/softmax_head.tflite" --pseg-model "$T/softmax_head.pseg" \
  --precision fp32 --max-abs 1e-3 --min-images 9 --out-dir "$T/out" "$T/in" || status=1
if "$PSEG" devices | grep -c "fp16 (shaderFloat16 + 16-bit storage): yes" >/dev/null; then
  node "$SRC/tests/softmax_head_ref.js" --pseg "$PSEG" --tflite "$T/softmax_head.tflite" --pseg-model "$T/softmax_head.pseg" \
    --precision fp16 --max-abs 2e-2 --min-images 9 --out-dir "$T/out" "$T/in" || status=1
fi
exit $status
