#!/usr/bin/env bash
# pseg segment with many photos (issue 16): a directory holding good photos, a corrupt one and a
# file that is no photo, and a list of files; the good ones are written (each the same as the
# photo segmented alone), the corrupt one is reported by name and skipped, the exit status is 1,
# a summary is printed; bad arguments (an output that is a file, --prior) are refused with exit 2.
# Usage: test_segment_many.sh PSEG SOURCE_DIR
set -uo pipefail
PSEG=$1 SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
status=0
fail() { echo "FAIL $*"; status=1; }
ok() { echo "ok   $*"; }
export PSEG_TIER=base # the same kernels in both runs: the same masks, byte for byte
mkdir -p "$T/in"
cp "$SRC/tests/data/astronaut.png" "$SRC/tests/data/grace_hopper.jpg" "$T/in/"
head -c 2000 "$SRC/tests/data/camera.png" > "$T/in/broken.png"
echo "not a photo" > "$T/in/notes.txt"

"$PSEG" segment "$T/in" -o "$T/out/" > "$T/log" 2>&1
rc=$?
[ $rc = 1 ] && ok "a directory with a corrupt photo: exit 1" || fail "exit $rc (expected 1)"
grep -q "broken.png.*corrupt PNG" "$T/log" && ok "the corrupt photo reported: $(grep broken "$T/log")" || fail "no report of broken.png: $(cat "$T/log")"
grep -q "^3 images: 2 written to $T/out/, 1 failed" "$T/log" && ok "summary: $(tail -1 "$T/log")" || fail "summary: $(tail -1 "$T/log")"
[ ! -e "$T/out/notes.png" ] && [ ! -e "$T/out/broken.png" ] && ok "nothing written for the corrupt photo or the text file" || fail "unexpected outputs: $(ls "$T/out")"
for n in astronaut grace_hopper; do
  f=$(ls "$T/in/$n".*)
  "$PSEG" segment "$f" -o "$T/$n.alone.png" 2>/dev/null
  cmp -s "$T/out/$n.png" "$T/$n.alone.png" && ok "$n: the same mask as segmented alone" || fail "$n: differs from the photo segmented alone"
done
# a list of files with a composite, into a directory made for it (DIR/: a name ending in /)
"$PSEG" segment "$T/in/astronaut.png" "$T/in/grace_hopper.jpg" --background blur -o "$T/comp/" > "$T/log2" 2>&1 &&
  [ -s "$T/comp/astronaut.png" ] && [ -s "$T/comp/grace_hopper.png" ] && ok "two files, composites, into a new directory" ||
  fail "two files: $(cat "$T/log2")"
# refused: several inputs into a file, --prior with several photos, two photos writing the same name
touch "$T/afile.png"
"$PSEG" segment "$T/in/astronaut.png" "$T/in/grace_hopper.jpg" -o "$T/afile.png" > "$T/log3" 2>&1
[ $? = 2 ] && grep -q "for several (or a directory), -o DIR/" "$T/log3" && ok "several inputs into a file: exit 2 ($(head -1 "$T/log3"))" || fail "into a file: $(cat "$T/log3")"
"$PSEG" segment "$T/in" --prior "$T/in/astronaut.png" -o "$T/o4/" > "$T/log4" 2>&1
[ $? != 0 ] && grep -q "prior" "$T/log4" && ok "--prior with several photos refused" || fail "--prior: $(cat "$T/log4")"
mkdir -p "$T/in2" && cp "$T/in/astronaut.png" "$T/in2/astronaut.png" && cp "$SRC/tests/data/grace_hopper.jpg" "$T/in2/astronaut.jpg"
"$PSEG" segment "$T/in2" -o "$T/o5/" > "$T/log5" 2>&1
[ $? = 2 ] && grep -q "would both write" "$T/log5" && ok "two photos of one name refused before any work" || fail "name clash: $(cat "$T/log5")"
exit $status
