#!/usr/bin/env bash
# Outputs that must not replace what they should not (issue 13): a FIFO, a directory, a link to
# a device, the input itself (also through a hard link), a dangling link; a symbolic link to a
# file is written through (the link stays, its target gets the output); 250-character names work;
# nothing is left behind. For pseg segment, convert, run, compare and conformance models --json.
# Usage: test_outputs.sh PSEG SOURCE_DIR
set -uo pipefail
PSEG=$1 SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
status=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; status=1; }
IMG=$SRC/tests/data/astronaut.png
cp "$IMG" in.png
# refused: CMD... must exit non-zero with one line on stderr mentioning WORD
refused() {
  local word=$1
  shift
  local rc=0
  "$@" >/dev/null 2>err.txt || rc=$?
  if [ $rc -ne 0 ] && [ "$(wc -l <err.txt)" -eq 1 ] && grep -q "$word" err.txt; then ok "refused ($(cat err.txt)): $*"
  else bad "expected a one-line refusal with '$word', got exit $rc: $(cat err.txt): $*"; fi
}
mkfifo fifo.png
refused "FIFO" timeout 60 "$PSEG" segment in.png -o fifo.png
[ -p fifo.png ] && ok "the FIFO is still a FIFO" || bad "the FIFO was replaced"
mkdir dir.png
refused "directory" "$PSEG" segment in.png -o dir.png
[ -d dir.png ] && ok "the directory is still there" || bad "the directory was replaced"
ln -s /dev/null null.png
refused "character device" "$PSEG" segment in.png -o null.png
[ -L null.png ] && [ -c /dev/null ] && ok "the link to /dev/null and /dev/null are unchanged" || bad "the link or /dev/null changed"
sum=$(md5sum <in.png)
refused "is the input" "$PSEG" segment in.png -o in.png
ln in.png hard.png
refused "is the input" "$PSEG" segment in.png -o hard.png
[ "$(md5sum <in.png)" = "$sum" ] && ok "the input is unchanged" || bad "the input was overwritten"
ln -s missing/nothing.png dangling.png
refused "leads nowhere" "$PSEG" segment in.png -o dangling.png
# a link to a file: written through
cp in.png target.png
ln -s target.png link.png
if "$PSEG" segment in.png -o link.png 2>err.txt; then
  [ -L link.png ] && [ "$(md5sum <target.png)" != "$sum" ] && file target.png | grep -c "grayscale" >/dev/null &&
    ok "a link to a file: the link stays, its target holds the mask" || bad "a link to a file: $(ls -l link.png target.png)"
else bad "a link to a file: $(cat err.txt)"; fi
# 250-character names
long=$(printf 'a%.0s' $(seq 1 246)).png
"$PSEG" segment in.png -o "$long" 2>err.txt && [ -s "$long" ] && ok "a 250-character output name" ||
  bad "a 250-character output name: $(cat err.txt)"
"$PSEG" convert "$SRC/weights/selfie_segmentation.tflite" "${long%.png}.pseg" 2>err.txt && [ -s "${long%.png}.pseg" ] &&
  ok "pseg convert to a 251-character name" || bad "pseg convert to a 251-character name: $(cat err.txt)"
# the other subcommands
refused "is the input" "$PSEG" convert "$SRC/weights/selfie_segmentation.tflite" "$SRC/weights/selfie_segmentation.tflite"
refused "FIFO" timeout 60 "$PSEG" convert "$SRC/weights/selfie_segmentation.tflite" fifo.png
node -e "
const b = Buffer.alloc(128 + 4 * 256 * 256 * 3); let h = \"{'descr': '<f4', 'fortran_order': False, 'shape': (1, 256, 256, 3), }\";
h = h.padEnd(128 - 11, ' ') + '\n'; b.write('\x93NUMPY', 0, 'latin1'); b[6] = 1; b.writeUInt16LE(118, 8); b.write(h, 10, 'latin1');
require('fs').writeFileSync('x.npy', b);"
refused "is the input" "$PSEG" run selfie --input x.npy -o x.npy
refused "FIFO" timeout 60 "$PSEG" run selfie --input x.npy -o fifo.png
refused "is the input" "$PSEG" compare selfie selfie-landscape in.png -o in.png
refused "is the input" "$PSEG" conformance models selfie --image in.png --json in.png
refused "FIFO" timeout 60 "$PSEG" conformance reductions --json fifo.png
[ "$(md5sum <in.png)" = "$sum" ] && ok "the input is still unchanged" || bad "the input was overwritten"
left=$(find . -name '.pseg-*' -o -name '*.tmp*' | head -3)
[ -z "$left" ] && ok "no temporary file left behind" || bad "left behind: $left"
exit $status
