#!/usr/bin/env bash
# pseg video (issue 14) on a clip the test makes itself (tests/make_clip.c: a photo panned across
# 24 frames, H.264 with an AAC tone):
#   - the composite (blur, a colour), the mask and a cutout as video files: every frame there,
#     the frame size kept, the audio copied (probed by decoding every frame);
#   - raw RGB24 frames in (stdin, --raw WxH) and out (stdout): as many frames out as in; the
#     cutout's alpha equals the mask, byte for byte;
#   - a truncated MP4 and Matroska clip, a file of garbage, a partial raw frame, an output the container cannot
#     hold and bad options: one error line, a non-zero exit, and no output file left behind.
# Usage: test_video.sh PSEG MAKE_CLIP SOURCE_DIR
set -uo pipefail
PSEG=$1 CLIP=$2 SRC=$3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
PHOTO="$SRC/tests/data/astronaut.png"
W=160 H=120 N=24
"$CLIP" "$T/clip.mp4" "$PHOTO" $N $W $H || { echo "FAIL make_clip"; exit 1; }
"$CLIP" --probe "$T/clip.mp4" | grep -c "frames $N size ${W}x$H audio aac" >/dev/null || { echo "FAIL the clip: $("$CLIP" --probe "$T/clip.mp4")"; exit 1; }

for out in composite.mp4 colour.mkv mask.mp4 cutout.mov cutout.webm; do
  args=()
  case $out in
    colour.mkv) args=(--background '#20c040') ;;
    mask.mp4) args=(--mask) ;;
    cutout.*) args=(--cutout) ;;
  esac
  if "$PSEG" video "${args[@]}" "$T/clip.mp4" -o "$T/$out" 2>"$T/err"; then
    p=$("$CLIP" --probe "$T/$out")
    want_audio=aac
    [ "$out" = cutout.webm ] && want_audio=none # WebM holds Vorbis / Opus, not AAC: dropped with a note
    if [[ "$p" == "frames $N size ${W}x$H audio $want_audio" ]]; then ok "$out: $p"; else bad "$out: $p"; fi
  else
    bad "$out: $(cat "$T/err")"
  fi
done
grep -q "cannot hold the input's aac audio" "$T/err" && ok "cutout.webm: says the audio is dropped" || bad "cutout.webm: no note about the audio"

# raw frames in and out; the cutout's alpha is the mask
"$CLIP" --raw "$PHOTO" $N $W $H >"$T/in.rgb"
"$PSEG" video --raw ${W}x$H --mask - -o - <"$T/in.rgb" >"$T/mask.gray" 2>"$T/err" || bad "raw mask: $(cat "$T/err")"
"$PSEG" video --raw ${W}x$H --cutout - -o - <"$T/in.rgb" >"$T/cut.rgba" 2>"$T/err" || bad "raw cutout: $(cat "$T/err")"
"$PSEG" video --raw ${W}x$H - -o - <"$T/in.rgb" >"$T/comp.rgb" 2>"$T/err" || bad "raw composite: $(cat "$T/err")"
n1=$(stat -c %s "$T/mask.gray") n2=$(stat -c %s "$T/cut.rgba") n3=$(stat -c %s "$T/comp.rgb")
[ "$n1" = $((N * W * H)) ] && [ "$n2" = $((N * W * H * 4)) ] && [ "$n3" = $((N * W * H * 3)) ] &&
  ok "raw: $N frames out for $N in (mask, cutout, composite)" || bad "raw sizes: $n1 $n2 $n3"
node -e '
const fs = require("fs");
const m = fs.readFileSync(process.argv[1]), c = fs.readFileSync(process.argv[2]), src = fs.readFileSync(process.argv[3]);
let diff = 0, rgb = 0, fg = 0;
for (let i = 0; i < m.length; i++) {
  if (c[4 * i + 3] !== m[i]) diff++;
  for (let k = 0; k < 3; k++) if (c[4 * i + k] !== src[3 * i + k]) rgb++;
  if (m[i] >= 128) fg++;
}
console.log(`alpha != mask: ${diff}, rgb != frame: ${rgb}, person pixels: ${fg} of ${m.length}`);
process.exit(diff || rgb || fg < m.length / 20 ? 1 : 0);
' "$T/mask.gray" "$T/cut.rgba" "$T/in.rgb" && ok "cutout: alpha equals the mask, RGB the frame" || bad "cutout alpha / rgb"

# failures: one line, non-zero, nothing left behind
expect_fail() { # name, pattern, command...
  local name=$1 pat=$2
  shift 2
  rm -f "$T/out.mp4"
  "$@" 2>"$T/err" >/dev/null
  local rc=$?
  local lines
  lines=$(grep -c . "$T/err")
  if [ $rc -ne 0 ] && grep -q -- "$pat" "$T/err" && [ ! -e "$T/out.mp4" ] && [ -z "$(ls -A "$T" | grep '^\.pseg-')" ]; then
    ok "$name: exit $rc, '$(head -1 "$T/err")'"
  else
    bad "$name: exit $rc, $lines lines: $(cat "$T/err")"
  fi
}
head -c $(($(stat -c %s "$T/clip.mp4") / 2)) "$T/clip.mp4" >"$T/trunc.mp4"
expect_fail "truncated clip" "trunc.mp4" "$PSEG" video "$T/trunc.mp4" -o "$T/out.mp4"
"$CLIP" "$T/clip.mkv" "$PHOTO" $N $W $H && head -c $(($(stat -c %s "$T/clip.mkv") * 2 / 3)) "$T/clip.mkv" >"$T/trunc.mkv"
expect_fail "truncated Matroska clip (no frame count)" "trunc.mkv: corrupt or truncated" "$PSEG" video "$T/trunc.mkv" -o "$T/out.mp4"
head -c 20000 /dev/urandom >"$T/garbage.mp4"
expect_fail "garbage" "garbage.mp4" "$PSEG" video "$T/garbage.mp4" -o "$T/out.mp4"
head -c $((W * H * 3 * 2 + 100)) "$T/in.rgb" >"$T/partial.rgb"
expect_fail "partial raw frame" "partial frame" bash -c "'$PSEG' video --raw ${W}x$H - -o '$T/out.mp4' <'$T/partial.rgb'"
expect_fail "cutout in mp4" "keep alpha" "$PSEG" video --cutout "$T/clip.mp4" -o "$T/out.mp4"
expect_fail "no -o" "no output" "$PSEG" video "$T/clip.mp4"
expect_fail "output = input" "is the input" "$PSEG" video "$T/clip.mp4" -o "$T/clip.mp4"
expect_fail "raw without size" "raw" "$PSEG" video - -o "$T/out.mp4"
expect_fail "bad smoothing" "smoothing" "$PSEG" video --smoothing 1.5 "$T/clip.mp4" -o "$T/out.mp4"
expect_fail "missing input" "missing.mp4" "$PSEG" video "$T/missing.mp4" -o "$T/out.mp4"
[ -e "$T/clip.mp4" ] && "$CLIP" --probe "$T/clip.mp4" | grep -c "frames $N" >/dev/null && ok "the input survived" || bad "the input was damaged"
echo "$fails failed"
[ $fails -eq 0 ]
