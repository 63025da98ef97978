#!/usr/bin/env bash
# Bad inputs end in one clear line on stderr, a non-zero exit (not a crash: not >= 128), and no
# output file (nor a temporary one) left behind.
# Usage: bad_inputs.sh PSEG SOURCE_DIR [TEST_TFLITE_WRITER]  (the writer makes a model with TANH)
set -u
PSEG=$1
SRC=$2
WRITER=${3:-}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0

# expect NAME PATTERN OUTPUT -- command...
expect() {
  local name=$1 pattern=$2 out=$3
  shift 4
  rm -f "$T"/out.* "$T"/*.tmp*
  "$@" >"$T/stdout" 2>"$T/stderr"
  local rc=$? lines
  lines=$(wc -l <"$T/stderr")
  local why=""
  [ "$rc" -ge 1 ] && [ "$rc" -lt 128 ] || why="exit code $rc"
  [ -z "$why" ] && [ "$lines" -ne 1 ] && why="$lines lines on stderr"
  [ -z "$why" ] && ! grep -qiE -- "$pattern" "$T/stderr" && why="message does not match /$pattern/"
  [ -z "$why" ] && [ -n "$out" ] && [ -e "$out" ] && why="output file $out left behind"
  [ -z "$why" ] && ls "$T" | grep -q 'tmp' && why="temporary file left behind"
  if [ -z "$why" ]; then
    pass=$((pass + 1))
    printf 'ok   %-34s -> %s' "$name" "$(cat "$T/stderr")"
    echo
  else
    fail=$((fail + 1))
    echo "FAIL $name: $why"
    sed 's/^/     stderr: /' "$T/stderr"
  fi
}

TFL=$SRC/weights/selfie_segmentation.tflite
IMG=$SRC/tests/data/astronaut.png
JPG=$SRC/tests/data/grace_hopper.jpg

# models
head -c 5000 "$TFL" >"$T/trunc.tflite"
cp "$TFL" "$T/flip.tflite"
printf '\x7f' | dd of="$T/flip.tflite" bs=1 seek=1 conv=notrunc status=none   # root table offset
"$PSEG" convert "$TFL" "$T/good.pseg" || { echo "FAIL cannot convert the intact model"; exit 1; }
size=$(stat -c %s "$T/good.pseg")
head -c $((size / 2)) "$T/good.pseg" >"$T/trunc.pseg"
cp "$T/good.pseg" "$T/flip.pseg"
printf '\x55' | dd of="$T/flip.pseg" bs=1 seek=$((size / 3)) conv=notrunc status=none
: >"$T/empty.pseg"

expect "missing input image" "no such file" "$T/out.png" -- "$PSEG" segment "$T/nope.png" -o "$T/out.png"
expect "missing .tflite" "no such file" "$T/out.pseg" -- "$PSEG" convert "$T/nope.tflite" "$T/out.pseg"
expect "truncated .tflite" "tflite|corrupt|buffer|outside" "$T/out.pseg" -- "$PSEG" convert "$T/trunc.tflite" "$T/out.pseg"
expect "bit-flipped .tflite" "corrupt|tflite" "$T/out.pseg" -- "$PSEG" convert "$T/flip.tflite" "$T/out.pseg"
expect "image given as .tflite" "TFL3|not a TFLite" "$T/out.pseg" -- "$PSEG" convert "$IMG" "$T/out.pseg"
if [ -n "$WRITER" ]; then
  "$WRITER" "$T/a.tflite" "$T/b.tflite" "$T/floor.tflite" >/dev/null || { echo "FAIL tflite writer"; exit 1; }
  UNSUPPORTED=$T/floor.tflite
  expect "unsupported TFLite op" "^pseg: .*unsupported TFLite op FLOOR at operator [0-9]+" "$T/out.pseg" -- \
    "$PSEG" convert "$UNSUPPORTED" "$T/out.pseg"
fi
expect "missing .pseg" "no such file" "$T/out.png" -- "$PSEG" segment --model "$T/nope.pseg" "$IMG" -o "$T/out.png"
expect "truncated .pseg" "truncated" "$T/out.png" -- "$PSEG" segment --model "$T/trunc.pseg" "$IMG" -o "$T/out.png"
expect "bit-flipped .pseg" "checksum" "$T/out.png" -- "$PSEG" segment --model "$T/flip.pseg" "$IMG" -o "$T/out.png"
expect "empty .pseg" "too short" "$T/out.png" -- "$PSEG" segment --model "$T/empty.pseg" "$IMG" -o "$T/out.png"
expect "an image given as --model" "bad magic|not a .pseg" "$T/out.png" -- "$PSEG" segment --model "$IMG" "$IMG" -o "$T/out.png"
expect "corrupt .tflite as --model" "corrupt TFLite" "$T/out.png" -- "$PSEG" segment --model "$T/flip.tflite" "$IMG" -o "$T/out.png"
expect "no Vulkan driver" "no Vulkan driver found.*mesa-vulkan-drivers" "$T/out.png" -- env PSEG_VALIDATION=0 VK_ICD_FILENAMES=/nonexistent.json VK_DRIVER_FILES=/nonexistent.json "$PSEG" segment "$IMG" -o "$T/out.png"

# images
head -c 20000 "$IMG" >"$T/trunc.png"
cp "$IMG" "$T/flip.png"
printf '\x00\x00' | dd of="$T/flip.png" bs=1 seek=400000 conv=notrunc status=none
head -c 3000 "$JPG" >"$T/trunc.jpg"
: >"$T/empty.png"
printf 'this is not an image\n' >"$T/text.png"
expect "truncated PNG" "png" "$T/out.png" -- "$PSEG" segment "$T/trunc.png" -o "$T/out.png"
expect "bit-flipped PNG" "png" "$T/out.png" -- "$PSEG" segment "$T/flip.png" -o "$T/out.png"
expect "truncated JPEG" "jpeg" "$T/out.npy" -- "$PSEG" segment "$T/trunc.jpg" -o "$T/out.npy"
expect "empty image file" "empty|not a PNG or JPEG" "$T/out.png" -- "$PSEG" segment "$T/empty.png" -o "$T/out.png"
expect "text file as image" "not a PNG or JPEG" "$T/out.png" -- "$PSEG" segment "$T/text.png" -o "$T/out.png"
expect "corrupt background image" "png" "$T/out.png" -- "$PSEG" segment --background "$T/trunc.png" "$IMG" -o "$T/out.png"

# arguments and outputs
expect "unknown output format" "png or .npy" "$T/out.jpg" -- "$PSEG" segment "$IMG" -o "$T/out.jpg"
expect "bad precision" "precision" "$T/out.png" -- "$PSEG" segment --precision fp8 "$IMG" -o "$T/out.png"
expect "device out of range" "device 99 does not exist" "$T/out.png" -- "$PSEG" segment --device 99 "$IMG" -o "$T/out.png"
expect "output directory missing" "no such file|cannot" "$T/nodir/out.png" -- "$PSEG" segment "$IMG" -o "$T/nodir/out.png"
expect "composite to .npy" "composite" "$T/out.npy" -- "$PSEG" segment --background blur "$IMG" -o "$T/out.npy"
# a 16384x16384 PNG header with no pixels behind it: refused for its size from the header, before
# decoding (which would fail for the missing data, with another message); and a palette PNG with
# transparency (tRNS) is read (issue 13)
node -e "
const fs = require('fs');
function crc32(b) { let c, r = 0xffffffff; for (const x of b) { c = (r ^ x) & 0xff; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; r = (r >>> 8) ^ c; } return (r ^ 0xffffffff) >>> 0; }
const chunk = (t, d) => { const l = Buffer.alloc(4), c = Buffer.alloc(4), td = Buffer.concat([Buffer.from(t, 'latin1'), d]); l.writeUInt32BE(d.length); c.writeUInt32BE(crc32(td)); return Buffer.concat([l, td, c]); };
const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const ihdr = (w, h, ct, bd) => { const b = Buffer.alloc(13); b.writeUInt32BE(w, 0); b.writeUInt32BE(h, 4); b[8] = bd; b[9] = ct; return chunk('IHDR', b); };
fs.writeFileSync('$T/huge.png', Buffer.concat([sig, ihdr(16384, 16384, 2, 8), chunk('IEND', Buffer.alloc(0))]));
const raw = Buffer.alloc(48 * 65); for (let y = 0; y < 48; y++) for (let x = 0; x < 64; x++) raw[y * 65 + 1 + x] = (x >> 4) % 3;
fs.writeFileSync('$T/pal_trns.png', Buffer.concat([sig, ihdr(64, 48, 3, 8), chunk('PLTE', Buffer.from([0, 0, 0, 200, 150, 120, 30, 60, 90])),
  chunk('tRNS', Buffer.from([0, 255, 128])), chunk('IDAT', require('zlib').deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]));"
expect "16384x16384 PNG (header only)" "too large for .*16384x16384.*downscale" "$T/out.png" -- "$PSEG" segment "$T/huge.png" -o "$T/out.png"
expect "16384x16384 background" "too large for" "$T/out.png" -- "$PSEG" segment --background "$T/huge.png" "$IMG" -o "$T/out.png"
if "$PSEG" segment "$T/pal_trns.png" -o "$T/pal.png" 2>"$T/stderr" && [ -s "$T/pal.png" ]; then
  pass=$((pass + 1))
  echo "ok   a palette PNG with transparency is read"
else
  fail=$((fail + 1))
  echo "FAIL a palette PNG with transparency: $(cat "$T/stderr")"
fi
rm -f "$T/pal.png"

# a .tflite given as --model is converted on the fly (the same mask as the embedded model's)
if "$PSEG" segment --model "$TFL" "$IMG" -o "$T/tfl.npy" 2>"$T/stderr" && "$PSEG" segment "$IMG" -o "$T/emb.npy" &&
   cmp -s "$T/tfl.npy" "$T/emb.npy"; then
  pass=$((pass + 1))
  echo "ok   a .tflite as --model is converted on the fly (mask identical to the embedded model's)"
else
  fail=$((fail + 1))
  echo "FAIL a .tflite as --model: $(cat "$T/stderr")"
fi
rm -f "$T/tfl.npy" "$T/emb.npy"
# usage errors say what is wrong on their first line (then the usage), exit code 2
usage_reason() {
  local name=$1 pattern=$2
  shift 2
  "$@" >/dev/null 2>"$T/stderr"
  local rc=$?
  if [ $rc -eq 2 ] && head -1 "$T/stderr" | grep -qE -- "$pattern"; then
    pass=$((pass + 1))
    echo "ok   $name -> $(head -1 "$T/stderr")"
  else
    fail=$((fail + 1))
    echo "FAIL $name: exit $rc, first line: $(head -1 "$T/stderr")"
  fi
}
usage_reason "segment without -o" "needs -o OUTPUT" "$PSEG" segment "$IMG"
usage_reason "segment with two inputs" "takes one INPUT" "$PSEG" segment "$IMG" "$JPG" -o "$T/out.png"
usage_reason "segment without an input" "needs an INPUT" "$PSEG" segment -o "$T/out.png"

# and the good path leaves exactly the output
if "$PSEG" segment "$IMG" -o "$T/good.png" 2>"$T/stderr" && [ -s "$T/good.png" ] && [ ! -s "$T/stderr" ]; then
  pass=$((pass + 1))
  echo "ok   good input writes its output, silently"
else
  fail=$((fail + 1))
  echo "FAIL good input"
  cat "$T/stderr"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
