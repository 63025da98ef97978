#!/usr/bin/env bash
# Models other than the selfie pair, through pseg and through the real TFLite interpreter on the
# same input tensor (tests/reference/fidelity.js, the person probability per pixel):
#   1. small models made of the ops real Keras exports use (tests/make_test_models.c: PAD folded
#      into the next conv, asymmetric; raw 1- and 2-channel logits heads; a flattening RESHAPE;
#      TRANSPOSE_CONV 3x3 stride 2 and 1x1 with their bias a following ADD of a constant; TANH; a
#      softmax written out as REDUCE_MAX, SUB, EXP, SUM, DIV, 3 classes; CONCATENATION of 3 inputs
#      and a STRIDED_SLICE of channels at offsets that are not multiples of 4; crops (STRIDED_SLICE,
#      SLICE) and PADs that no conv absorbs, layers of their own (float and int8); RESHAPE to [pixels,
#      classes] before a SOFTMAX (keras-segmentation's head) and back to the map; a dense
#      bottleneck (RESHAPE flat, FULLY_CONNECTED over the map, RESHAPE to a map; float and int8); PRELU with alphas
#      below 0, in [0, 1] and above 1; dilated CONV_2D and DEPTHWISE_CONV_2D; RESIZE_BILINEAR
#      then ADD of a skip connection (half-pixel and align corners); two resizes then a 1x1 conv
#      (which pseg convert moves before them); a resize then a LOGISTIC ending the model (at the
#      model's size the mask dispatch does both: mask.comp UPS); one of them converted with --input-range -1,1 and fed to
#      TFLite as such, the same reading [-1,1] from its TFLite metadata, and ImageNet's
#      per-channel mean and std (from the metadata, and given as --mean-std); a 4-channel model reading a prior mask, also with a prior through `pseg run`
#      and `pseg segment --prior` (tests/reference/run_compare.js --prior-png); an int8 model
#      (tests/reference/int_compare.js: every output identical, on the GPU and in the C references));
#   2. the real models of tests/models.txt (weights/models/ in the tree, ../shared/models when
#      present), on the 3 portraits of tests/data at the model's input size (the small models get
#      each also centre-cropped and mirrored: 9 inputs).
# fp32: max |d| <= 1e-4, IoU@0.5 >= 0.999, on the device's tier and on the GPU tier; the model's
# own output through `pseg run` (raw tensors, tests/reference/run_compare.js) within
# 1e-4 * max(1, max |ref|) on both tiers; fp16 (where the device has it): the model's bound (2e-2
# for the synthetic ones; a model whose bound is larger must then equal, raw, the plain-C layers with
# its weights rounded to fp16, `pseg run --reference --precision fp16`, within 1e-3 * max(1, max
# |ref|): the deviation is the model's, not pseg's). Models listed as "fails" must be refused by pseg convert with the
# message given; "integer" ones go through tests/reference/int_compare.js (issue 15).
# Usage: test_models.sh PSEG PREP_PORTRAITS MAKE_TEST_MODELS SOURCE_DIR
set -uo pipefail
PSEG=$1 PREP=$2 MAKE=$3 SRC=$4
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
SHARED=${PSEG_MODELS_DIR:-$SRC/../shared/models}
fp16=0
"$PSEG" devices | grep -c "fp16 (shaderFloat16 + 16-bit storage): yes" >/dev/null && fp16=1
status=0

# fidelity TFLITE HEAD PERSON FP16_BOUND [CONVERT_OPTION...]: convert, prepare the portraits at its
# input size, compare
fidelity() {
  local tfl=$1 head=$2 pc=$3 b16=$4 name
  shift 4
  name=$(basename "$tfl" .tflite)
  if ! "$PSEG" convert "$@" "$tfl" "$T/$name.pseg"; then echo "FAIL $name: pseg convert"; status=1; return; fi
  local size
  size=$(node -e "
    const { createModel } = require('$SRC/tests/reference/tflite_model.js');
    createModel('$tfl').then((m) => console.log(m.inShape[2] + ' ' + m.inShape[1])).catch((e) => { console.error(e.message); process.exit(1); });" 2>/dev/null | tail -1) ||
    { echo "FAIL $name: TFLite cannot load it"; status=1; return; }
  local dir=$T/in/${size/ /x}${crops:+c}
  [ -d "$dir" ] || "$PREP" $crops "$dir" $size "$SRC"/tests/data/*.png "$SRC"/tests/data/*.jpg >/dev/null
  local args=(--pseg "$PSEG" --tflite "$tfl" --model "$T/$name.pseg" --head "$head" --person-channel "$pc"
              --min-images 3 --out-dir "$T/out" ${INRANGE:+--input-range "$INRANGE"} ${INNORM:+--mean-std "$INNORM"} "$dir")
  node "$SRC/tests/reference/fidelity.js" "${args[@]}" --precision fp32 --max-abs "$b32" --min-iou "$iou" \
    --tiers default,gpu > "$T/f32.txt" 2>&1 || status=1
  grep -E "summary|FAIL" "$T/f32.txt"
  # the network alone (pseg run): the model's own output tensor, raw, on the first portrait
  node "$SRC/tests/reference/run_compare.js" --pseg "$PSEG" --tflite "$tfl" --model "$T/$name.pseg" --rel "$b32" \
    --tiers default,gpu "$(ls "$dir"/*.f32 | head -1)" > "$T/raw.txt" 2>&1 || status=1
  grep -E "summary|FAIL" "$T/raw.txt"
  if [ $fp16 = 1 ]; then
    node "$SRC/tests/reference/fidelity.js" "${args[@]}" --precision fp16 --max-abs "$b16" --min-iou 0.97 \
      > "$T/f16.txt" 2>&1 || status=1
    grep -E "summary|FAIL" "$T/f16.txt"
    # a bound above the issue's 2e-2 claims the model itself is that sensitive to fp16 weights:
    # then pseg's fp16 must equal the plain-C layers with the weights rounded to fp16
    if awk -v b="$b16" 'BEGIN { exit !(b > 0.02) }'; then
      node "$SRC/tests/reference/run_compare.js" --pseg "$PSEG" --tflite "$tfl" --model "$T/$name.pseg" --emulated \
        --precision fp16 --rel 1e-3 "$(ls "$dir"/*.f32 | head -1)" > "$T/e16.txt" 2>&1 || status=1
      grep -E "summary|FAIL" "$T/e16.txt"
    fi
  fi
}

mkdir -p "$T/synthetic" "$T/in"
b32=1e-4 iou=0.999
crops=--crops # the small models: each photo also centre-cropped and mirrored (9 inputs)
"$MAKE" "$T/synthetic" >/dev/null || { echo "FAIL make_test_models"; exit 1; }
fidelity "$T/synthetic/pad_logits1.tflite" logits 0 2e-2
fidelity "$T/synthetic/flat_logits2.tflite" logits 1 2e-2
fidelity "$T/synthetic/tconv_bias.tflite" probability 0 2e-2
fidelity "$T/synthetic/hand_softmax.tflite" probability 1 2e-2 --person-channel 1 --output probability
fidelity "$T/synthetic/concat_slice.tflite" probability 0 2e-2
fidelity "$T/synthetic/prelu.tflite" probability 0 2e-2
fidelity "$T/synthetic/dilated.tflite" probability 0 2e-2
fidelity "$T/synthetic/nearest.tflite" probability 0 2e-2
fidelity "$T/synthetic/resize_add.tflite" probability 0 2e-2
fidelity "$T/synthetic/resize_chain.tflite" logits 1 2e-2
fidelity "$T/synthetic/resize_head.tflite" probability 0 2e-2
fidelity "$T/synthetic/pools.tflite" probability 0 2e-2
fidelity "$T/synthetic/dense_se.tflite" probability 0 2e-2
fidelity "$T/synthetic/tconv_crop.tflite" logits 1 2e-2 # a 4x4 s2 VALID transposed conv, cropped
fidelity "$T/synthetic/crop_pad.tflite" logits 1 2e-2 # crops (STRIDED_SLICE, SLICE) and PADs no conv absorbs
fidelity "$T/synthetic/reshape_softmax.tflite" probability 1 2e-2 # RESHAPE [1,4096,2], SOFTMAX: the output
fidelity "$T/synthetic/reshape_back.tflite" logits 0 2e-2 # RESHAPE [4096,3], LOGISTIC, RESHAPE back, a conv
fidelity "$T/synthetic/dense_bottleneck.tflite" logits 0 2e-2 # Flatten, Dense, Dense, Reshape to a map
fidelity "$T/synthetic/prior4.tflite" probability 0 2e-2 # RGB + a prior mask; the prior 0 here
# its prior channel: TFLite on [RGB, a soft disc] against pseg run, and pseg segment --prior P.png
node "$SRC/tests/reference/run_compare.js" --pseg "$PSEG" --tflite "$T/synthetic/prior4.tflite" --model "$T/prior4.pseg" \
  --prior-png "$T/prior.png" --tiers default,gpu "$T"/in/64x64c/*.f32 > "$T/prior.txt" 2>&1 || status=1
grep -E "summary|FAIL" "$T/prior.txt"
cp "$T/synthetic/pad_logits1.tflite" "$T/synthetic/pad_logits1_pm1.tflite" # a model trained on RGB in [-1,1]
INRANGE=-1,1 fidelity "$T/synthetic/pad_logits1_pm1.tflite" logits 0 2e-2 --input-range -1,1
# the same saying so in its TFLite metadata (mean 127.5, std 127.5): converted without an option
INRANGE=-1,1 fidelity "$T/synthetic/pad_logits1_meta.tflite" logits 0 2e-2
# ImageNet's per-channel mean and std: read from the metadata (a version 3 .pseg), and given as
# --mean-std with six values; TFLite fed (255 x - mean) / std per channel
imagenet=123.675,116.28,103.53,58.395,57.12,57.375
INNORM=$imagenet fidelity "$T/synthetic/pad_logits1_imagenet.tflite" logits 0 2e-2
cp "$T/synthetic/pad_logits1.tflite" "$T/synthetic/pad_logits1_msd.tflite"
INNORM=$imagenet fidelity "$T/synthetic/pad_logits1_msd.tflite" logits 0 2e-2 --mean-std $imagenet
# an explicit --input-range overrides the metadata: a version 1 file (one scale and offset)
if ! "$PSEG" convert --input-range 0,1 "$T/synthetic/pad_logits1_imagenet.tflite" "$T/x.pseg" ||
   [ "$(od -An -tu4 -j4 -N4 "$T/x.pseg" | tr -d ' ')" != 1 ]; then
  echo "FAIL pad_logits1_imagenet: --input-range 0,1 did not override the metadata"; status=1
fi
rm -f "$T/x.pseg"
for bad in 1,2,3 1,2,3,4,5,0 1,2,3,4,5,x nan,1 1,2,3,4,5,6,7; do
  if "$PSEG" convert --mean-std $bad "$T/synthetic/pad_logits1.tflite" "$T/x.pseg" 2> "$T/err.txt" ||
     ! grep -c "mean-std must be" "$T/err.txt" >/dev/null || [ -e "$T/x.pseg" ]; then
    echo "FAIL --mean-std $bad: accepted, or message $(cat "$T/err.txt")"; status=1
  fi
done
rm -f "$T/x.pseg"
# int_fidelity NAME HEAD PERSON INPUT_DIR [CONVERT_OPTION...]: the synthetic integer model NAME
# converted, then on the GPU and in the C references against TFLite, bit for bit
int_fidelity() {
  local q=$1 head=$2 pc=$3 dir=$4
  shift 4
  if "$PSEG" convert "$@" "$T/synthetic/$q.tflite" "$T/$q.pseg"; then
    node "$SRC/tests/reference/int_compare.js" --pseg "$PSEG" --tflite "$T/synthetic/$q.tflite" --model "$T/$q.pseg" \
      --min-identical 1 --head "$head" --person-channel "$pc" "$dir"/*.f32 > "$T/$q.txt" 2>&1 || status=1
    grep -E "summary|FAIL" "$T/$q.txt"
  else
    echo "FAIL $q: pseg convert"; status=1
  fi
}
# integer models (issue 15: uint8 pixels in, int8 logits out): int8 (PAD, per-channel convs, a
# depthwise conv, ADD, RESIZE_BILINEAR, a requantization), int8_ops (MAX_POOL_2D, a three-input
# CONCATENATION, STRIDED_SLICE) and int8_act (TANH, then LOGISTIC: its output is the mask)
int_fidelity int8 logits 1 "$T/in/64x64c"
int_fidelity int8_ops logits 1 "$T/in/64x64c"
int_fidelity int8_act probability 1 "$T/in/64x64c"
# the int8 LOGISTIC and TANH tables entry by entry: the op on the model's input, fed a ramp image
# in which every channel takes each of the 256 values (prep_portraits --ramp)
"$PREP" --ramp "$T/in/ramp" 16 16 >/dev/null || { echo "FAIL prep_portraits --ramp"; status=1; }
int_fidelity int8_lut_logistic probability 0 "$T/in/ramp" --person-channel 0 --output probability
int_fidelity int8_lut_tanh logits 0 "$T/in/ramp" --person-channel 0
int_fidelity int8_lut_hard_swish logits 0 "$T/in/ramp" --person-channel 0 # TFLite's 16-bit fixed point, entry by entry
int_fidelity int8_lut_hard_swish_fine logits 0 "$T/in/ramp" --person-channel 0 # input scale 0.005: its right shifts
# int8 transposed convs: per-channel weights with a bias (TFLite's builtin kernel, fixed-point
# requantization) and one weight scale without (XNNPACK's deconvolution)
int_fidelity int8_tconv logits 1 "$T/in/64x64c"
int_fidelity int8_tconv_crop logits 1 "$T/in/64x64c" # per-channel, 4x4 s2 VALID, then a crop
int_fidelity int8_crop_pad logits 1 "$T/in/64x64c" # crops and PADs as layers: the zero point in the borders
int_fidelity int8_dense logits 1 "$T/in/64x64c" # a map flattened, an int8 FULLY_CONNECTED, made a map again
int_fidelity int8_se logits 1 "$T/in/64x64c" # a squeeze-excite: MEAN, 1x1 convs, LOGISTIC, MUL by the gate and by the map
int_fidelity int8_hsig logits 1 "$T/in/64x64c" # Keras' hard sigmoid: ADD of a constant +relu6, MUL by a constant
int_fidelity int8_avgpool logits 1 "$T/in/64x64c" # AVERAGE_POOL_2D as TFLite's integer kernel (3x3 s2 SAME, 2x2 s2)
int_fidelity int8_badd logits 1 "$T/in/64x64c" # an ADD of one value a channel
int_fidelity int8_nearest logits 1 "$T/in/64x64c" # RESIZE_NEAREST_NEIGHBOR in its three conventions
int_fidelity int8_softmax probability 1 "$T/in/64x64c" # TFLite's builtin int8 softmax

crops= # the real ones (seconds a frame on lavapipe): the 3 photos as they are
while read -r file head rest; do
  case $file in ''|'#'*) continue ;; esac
  tfl=
  if [ -f "$SHARED/$file" ]; then tfl=$SHARED/$file
  elif [ -f "$SRC/weights/models/$(basename "$file")" ]; then tfl=$SRC/weights/models/$(basename "$file")
  else echo "skipped $file: not in $SHARED or weights/models"; continue; fi
  if [ "$head" = fails ]; then
    if "$PSEG" convert "$tfl" "$T/x.pseg" 2> "$T/err.txt"; then echo "FAIL $file: converted, expected: $rest"; status=1
    elif ! grep -qF "$rest" "$T/err.txt"; then echo "FAIL $file: message $(cat "$T/err.txt"), expected: $rest"; status=1
    else echo "$file: refused as expected ($(cat "$T/err.txt"))"; fi
    [ -e "$T/x.pseg" ] && { echo "FAIL $file: output left behind"; status=1; rm -f "$T/x.pseg"; }
    continue
  fi
  if [ "$head" = integer ]; then
    name=$(basename "$tfl" .tflite)
    if ! "$PSEG" convert "$tfl" "$T/$name.pseg"; then echo "FAIL $name: pseg convert"; status=1; continue; fi
    size=$(node -e "
      const { createModel } = require('$SRC/tests/reference/tflite_model.js');
      createModel('$tfl').then((m) => console.log(m.inShape[2] + ' ' + m.inShape[1])).catch((e) => { console.error(e.message); process.exit(1); });" 2>/dev/null | tail -1) ||
      { echo "FAIL $name: TFLite cannot load it"; status=1; continue; }
    dir=$T/in/${size/ /x} # the integer model's input size (int_compare.js checks it)
    mkdir -p "$T/in" && { [ -d "$dir" ] || "$PREP" "$dir" $size "$SRC"/tests/data/*.png "$SRC"/tests/data/*.jpg >/dev/null; }
    read -r pc ihead iprior _ <<< "$rest"
    case $ihead in head=*) ihead=${ihead#head=} ;; *) ihead=logits ;; esac
    node "$SRC/tests/reference/int_compare.js" --pseg "$PSEG" --tflite "$tfl" --model "$T/$name.pseg" \
      --person-channel "$pc" --head "$ihead" "$dir"/*.f32 \
      > "$T/int.txt" 2>&1 || status=1
    grep -E "summary|FAIL|ok  " "$T/int.txt"
    if [ "$iprior" = prior ]; then # its 4th channel read: a prior (pseg run, pseg segment --prior) on the first portrait
      node "$SRC/tests/reference/int_compare.js" --pseg "$PSEG" --tflite "$tfl" --model "$T/$name.pseg" \
        --person-channel "$pc" --head "$ihead" --prior-png "$T/prior_$name.png" "$(ls "$dir"/*.f32 | head -1)" \
        > "$T/int.txt" 2>&1 || status=1
      sed 's/^/with a prior: /' "$T/int.txt" | grep -E "summary|FAIL|ok  "
    fi
    continue
  fi
  read -r pc b16 f32 _ <<< "$rest"
  b32=1e-4 iou=0.999
  case $f32 in fp32=*,*) b32=${f32#fp32=}; iou=${b32#*,}; b32=${b32%,*} ;; esac
  fidelity "$tfl" "$head" "$pc" "$b16" --person-channel "$pc"
done < "$SRC/tests/models.txt"
exit $status
