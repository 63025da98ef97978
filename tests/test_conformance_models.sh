#!/usr/bin/env bash
# pseg conformance models (run with PSEG_VALIDATION=1: any validation message fails the command):
#   - the origin models in the tree (weights/models/4ch-sigmoid) and, where ../shared/models is
#     present, all nine heads of the origin project, plus tests/make_test_models.c's
#     naive_softmax (EXP, SUM, DIV with no max subtracted, logits of 8..18) and flat_logits2 (2-channel
#     logits: the softmax pseg appends, which the mask dispatch computes on the CPU tiers);
#   - every fp32 row passes (max |d| of the raw output <= 1e-4 * max(1, max |ref|) against the
#     plain-C forward pass, mask within 1e-4, IoU >= 0.999, no NaN/Inf) and the exit code is 0;
#   - where the device has fp16: the sigmoid head passes in fp16; the naive softmax fails in
#     fp16-all with NaN/Inf in its raw output (exp overflows fp16 storage) and passes in fp16 (fp32
#     activations); with the origin models present, their three heads that spell out a softmax
#     without the max (softmax-hand, sigsoftmax, initial-softmax) do the same and 4ch-softmax
#     (REDUCE_MAX first) has no NaN; --gate all then exits 1.
# Usage: test_conformance_models.sh PSEG MAKE_TEST_MODELS SOURCE_DIR
set -uo pipefail
PSEG=$1 MAKE=$2 SRC=$3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
SHARED=${PSEG_MODELS_DIR:-$SRC/../shared/models}
"$MAKE" "$T" >/dev/null || { echo "FAIL make_test_models"; exit 1; }
"$PSEG" convert --output probability --person-channel 1 "$T/naive_softmax.tflite" "$T/naive_softmax.pseg" ||
  { echo "FAIL convert naive_softmax"; exit 1; }
"$PSEG" convert "$T/flat_logits2.tflite" "$T/flat_logits2.pseg" || { echo "FAIL convert flat_logits2"; exit 1; }
models=("$SRC/weights/models/4ch-sigmoid.tflite" "$T/naive_softmax.pseg" "$T/flat_logits2.pseg")
origin=0
if [ -d "$SHARED/origin" ]; then
  models=("$SHARED"/origin/*.tflite "$T/naive_softmax.pseg" "$T/flat_logits2.pseg")
  origin=1
fi
fp16=0
"$PSEG" devices | grep -c "fp16 (shaderFloat16 + 16-bit storage): yes" >/dev/null && fp16=1
images=(--image "$SRC/tests/data/astronaut.png" --image "$SRC/tests/data/grace_hopper.jpg")

rc=0
"$PSEG" conformance models "${models[@]}" "${images[@]}" --json "$T/report.json" || rc=$?
echo "pseg conformance models: exit code $rc"
status=0
[ "$rc" -eq 0 ] || { echo "FAIL exit code $rc (expected 0: every fp32 row passes)"; status=1; }
node - "$T/report.json" "$fp16" "$origin" <<'EOF' || status=1
const r = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));
const fp16 = process.argv[3] === '1', origin = process.argv[4] === '1';
let fails = 0;
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) fails++; };
check(r.suite === 'models' && r.pass === true && r.devices.length >= 1, 'report: suite models, pass, devices');
for (const d of r.devices) {
  check(d.error === null && d.validation_messages === 0, `${d.name}: no error, no validation message`);
  const row = (m, p) => d.results.find((x) => x.model === m && x.precision === p);
  for (const m of r.models) {
    const x = row(m.name, 'fp32');
    check(x && x.pass && x.raw_nonfinite === 0 && x.mask_nonfinite === 0 &&
          x.raw_max_abs <= 1e-4 * Math.max(1, x.raw_ref_max_abs) && x.iou >= 0.999,
          `${d.name} ${m.name} fp32: raw |d| ${x && x.raw_max_abs}, IoU ${x && x.iou}`);
  }
  if (!(fp16 && d.fp16)) continue;
  const ns16 = row('naive_softmax', 'fp16'), nsall = row('naive_softmax', 'fp16-all');
  check(ns16 && ns16.pass && ns16.raw_nonfinite === 0, `${d.name} naive_softmax fp16 (fp32 activations): passes`);
  check(nsall && !nsall.pass && nsall.raw_nonfinite > 0,
        `${d.name} naive_softmax fp16-all: fails with ${nsall && nsall.raw_nonfinite} NaN/Inf (exp overflows fp16)`);
  const sig = row('4ch-sigmoid', 'fp16');
  check(sig && sig.pass, `${d.name} 4ch-sigmoid fp16: passes (mask |d| ${sig && sig.mask_max_abs})`);
  if (!origin) continue;
  for (const m of ['4ch-softmax-hand', '4ch-sigsoftmax', '4ch-initial-softmax']) {
    const x = row(m, 'fp16-all');
    check(x && !x.pass && x.raw_nonfinite > 0, `${d.name} ${m} fp16-all: ${x && x.raw_nonfinite} NaN/Inf (no max subtracted)`);
  }
  const sm = row('4ch-softmax', 'fp16-all');
  check(sm && sm.raw_nonfinite === 0, `${d.name} 4ch-softmax fp16-all: no NaN/Inf (REDUCE_MAX first)`);
}
process.exit(fails ? 1 : 0);
EOF
if [ $fp16 = 1 ]; then
  rc=0
  "$PSEG" conformance models "$T/naive_softmax.pseg" --image "$SRC/tests/data/astronaut.png" --gate all >/dev/null || rc=$?
  [ "$rc" -eq 1 ] && echo "ok   --gate all: exit code 1 (the naive softmax fails in fp16-all)" ||
    { echo "FAIL --gate all: exit code $rc (expected 1)"; status=1; }
fi
rc=0
"$PSEG" conformance models "$T/naive_softmax.pseg" 2>"$T/err" >/dev/null || rc=$?
[ "$rc" -eq 2 ] && grep -q "at least one --image" "$T/err" && echo "ok   no --image: usage, exit code 2" ||
  { echo "FAIL no --image: exit code $rc, $(cat "$T/err")"; status=1; }
rc=0
"$PSEG" conformance models "$T/nonexistent.pseg" --image "$SRC/tests/data/astronaut.png" 2>"$T/err" >/dev/null || rc=$?
[ "$rc" -eq 1 ] && [ "$(wc -l <"$T/err")" -eq 1 ] && echo "ok   missing model: one line, exit code 1" ||
  { echo "FAIL missing model: exit code $rc, $(cat "$T/err")"; status=1; }
exit $status
