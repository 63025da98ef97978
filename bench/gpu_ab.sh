#!/usr/bin/env bash
# A/B of GPU-tier changes on a lent GPU, in one device call: an older pseg build (A) and this one
# (B, also with the experiment switches), alternating, medians of the rounds (issue 11).
#
#   here, before it:  bash bench/gpu_ab.sh --carry BASE_COMMIT
#                     (builds BASE_COMMIT's pseg without FFmpeg in a worktree, with this tree's
#                     build files, then bench/gpu.sh --carry; build/gpu-carry.tgz gets it as
#                     build/pseg-base)
#   there:            tar xzf build/gpu-carry.tgz && bash .gpu/run.sh bash bench/gpu_ab.sh [--rounds N]
#                     (the device tool's run with carry .gpu and build/gpu-carry.tgz; results in
#                     $OUT/ab.tgz: ab.jsonl, ab.md, profiles, ctest, the PyTorch peer)
#
# --quick checks the script here (lavapipe, PSEG_TIER=gpu: a few frames, batch 8, no peer or ctest).
# Variants: A; B; B with PSEG_GUNROLL=0 (the convs' inner loops one step at a time);
# B with PSEG_GSE_INFLIGHT=16 (the split pools' tails loading 16 partial sums at once). Modes:
# fp16 and fp32 batch 1 pipelined (2 in flight), fp16 batch 1024 pipelined.
set -uo pipefail
cd "$(dirname "$0")/.."
ROUNDS=3
case ${1:-} in
--carry)
  base=${2:?usage: bash bench/gpu_ab.sh --carry BASE_COMMIT}
  wt=$(mktemp -d /tmp/pseg-ab.XXXX)
  git worktree add -q --detach "$wt" "$base" || exit 1
  # this tree's build files (the PSEG_VIDEO option) so the old sources build without FFmpeg
  cp CMakeLists.txt "$wt/CMakeLists.txt" && cp tests/CMakeLists.txt "$wt/tests/CMakeLists.txt" &&
    grep -q PSEG_NO_VIDEO "$wt/tools/pseg_main.c" || cp tools/pseg_main.c "$wt/tools/pseg_main.c"
  (cd "$wt" && cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPSEG_VIDEO=OFF > /dev/null &&
    cmake --build build -j2 --target pseg > /dev/null) || { echo "gpu_ab.sh: cannot build $base" >&2; exit 1; }
  cp "$wt/build/pseg" build/pseg-base
  git worktree remove --force "$wt"
  bash bench/gpu.sh --carry || exit 1
  gunzip -f build/gpu-carry.tgz && tar rf build/gpu-carry.tar build/pseg-base && gzip -f build/gpu-carry.tar &&
    mv build/gpu-carry.tar.gz build/gpu-carry.tgz || exit 1
  du -h build/gpu-carry.tgz
  exit 0
  ;;
--rounds) ROUNDS=$2 ;;
--quick) QUICK=1 ROUNDS=1 ;; # a check of the script on lavapipe: a few frames, batch 8
esac
QUICK=${QUICK:-0}
OUTDIR=$(mktemp -d /tmp/pseg-ab.XXXX)
pack() { [ -n "${OUT:-}" ] && tar czf "$OUT/ab.tgz.part" -C "$OUTDIR" . && mv "$OUT/ab.tgz.part" "$OUT/ab.tgz"; }
A=build/pseg-base B=build/pseg
[ $QUICK = 1 ] && export PSEG_TIER=${PSEG_TIER:-gpu}
"$B" devices | tee "$OUTDIR/devices.txt"
variants="A B B:PSEG_GUNROLL=0 B:PSEG_GSE_INFLIGHT=16"
: > "$OUTDIR/ab.jsonl"
for round in $(seq "$ROUNDS"); do
  modes=("fp16 1 300" "fp32 1 300" "fp16 1024 10"); [ $QUICK = 1 ] && modes=("fp16 1 3" "fp16 8 2")
  for mode in "${modes[@]}"; do
    set -- $mode
    for v in $variants; do
      bin=${v%%:*} env=; [ "$v" != "$bin" ] && env=${v#*:}
      [ "$bin" = A ] && exe=$A || exe=$B
      line=$(env $env timeout 60 "$exe" bench --precision "$1" --batch "$2" --pipeline 2 --iterations "$3" --json 2> "$OUTDIR/err.txt") ||
        { echo "$v $mode: $(cat "$OUTDIR/err.txt")"; continue; }
      echo "{\"round\": $round, \"variant\": \"$v\", \"precision\": \"$1\", \"batch\": $2, \"bench\": $line}" >> "$OUTDIR/ab.jsonl"
    done
  done
  echo "round $round done"
done
pack
python3 - "$OUTDIR" <<'EOF' | tee "$OUTDIR/ab.md"
import json, os, statistics, sys
rows = [json.loads(l) for l in open(os.path.join(sys.argv[1], 'ab.jsonl')) if l.strip()]
g = {}
for r in rows:
    b = r['bench']
    g.setdefault((r['precision'], r['batch'], r['variant']), []).append(
        (b['gpu_compute_us_per_frame'], b['gpu_us_per_frame'], b['ms_median'] * 1e3))
print('| precision | batch | variant | network µs/frame | GPU µs/frame | wall µs/frame | frames/s (wall) | rounds |')
print('|---|---|---|---|---|---|---|---|')
for k in sorted(g, key=lambda k: (k[1], k[0], k[2])):
    v = g[k]
    m = [statistics.median(x[i] for x in v) for i in range(3)]
    print('| %s | %d | %s | %.1f | %.1f | %.1f | %.0f | %d |' % (k[0], k[1], k[2], m[0], m[1], m[2], 1e6 / m[2], len(v)))
EOF
for b in 1 $([ $QUICK = 1 ] && echo 8 || echo 1024); do
  timeout 60 "$B" profile --precision fp16 --batch $b --iterations $((b > 1 ? 10 : 50)) > "$OUTDIR/profile-B-fp16-batch$b.txt" 2>&1
  timeout 60 "$A" profile --precision fp16 --batch $b --iterations $((b > 1 ? 10 : 50)) > "$OUTDIR/profile-A-fp16-batch$b.txt" 2>&1
  tail -n 1 "$OUTDIR/profile-A-fp16-batch$b.txt" "$OUTDIR/profile-B-fp16-batch$b.txt"
done
pack
if [ $QUICK = 0 ] && [ -f .gpu/peers/torch_selfie.py ]; then
  timeout 90 python3 .gpu/peers/torch_selfie.py bench weights/selfie_segmentation.tflite --device cuda --dtype fp16 \
    --channels-last --graph --batches 1,1024 --seconds 1 --json "$OUTDIR/torch-selfie-fp16.json" | tail -2
fi
pack
[ $QUICK = 0 ] && (cd build && timeout 150 ctest -R "^(layers|layers_gpu_tier_no_subgroups|model_vs_reference|batch|batch_staged|tta|prior_mask)\$" \
  --timeout 120) > "$OUTDIR/ctest.txt" 2>&1
[ -f "$OUTDIR/ctest.txt" ] && tail -4 "$OUTDIR/ctest.txt"
pack
echo "gpu_ab.sh: results in ${OUT:-$OUTDIR}"
