#!/usr/bin/env bash
# pseg compare: a model against itself gives IoU 1 between A and B; against ground truth made of
# model A's own masks (pseg segment, 8-bit PNG), A scores IoU and boundary F >= 0.99 and the
# printed means follow; the contact sheet is a PNG of 4 tiles a row; bad arguments fail cleanly
# with no sheet left behind.
# Usage: test_compare.sh PSEG SOURCE_DIR
set -uo pipefail
PSEG=$1 SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
status=0
fail() { echo "FAIL $*"; status=1; }
imgs=("$SRC"/tests/data/astronaut.png "$SRC"/tests/data/grace_hopper.jpg)
mkdir -p "$T/gt"
for f in "${imgs[@]}"; do
  n=$(basename "${f%.*}")
  "$PSEG" segment --tta none --model selfie "$f" -o "$T/gt/$n.mask.png" || fail "segment $f"
done
"$PSEG" compare selfie selfie "${imgs[@]}" --gt "$T/gt" -o "$T/sheet.png" > "$T/out.txt" 2>&1 || fail "compare exit $?"
cat "$T/out.txt"
mean=$(grep '^mean' "$T/out.txt")
read -r _ ab ia ib fa fb _ <<< "$mean"
python3 - "$ab" "$ia" "$ib" "$fa" "$fb" <<'PY' || status=1
import sys
ab, ia, ib, fa, fb = map(float, sys.argv[1:6])
ok = ab == 1.0 and min(ia, ib, fa, fb) >= 0.99 and ia == ib and fa == fb
print('IoU(A,B) %.4f, IoU %.4f/%.4f, boundary F %.4f/%.4f: %s' % (ab, ia, ib, fa, fb, 'ok' if ok else 'FAIL'))
sys.exit(0 if ok else 1)
PY
head -c 8 "$T/sheet.png" | od -An -c | grep -c "P   N   G" >/dev/null || fail "the sheet is not a PNG"
# an independent expectation: ground truth = A's mask with its left half cleared (written here as
# a PNG), so IoU A = |A right half| / |A|, computed here from A's float mask
"$PSEG" segment --tta none --model selfie "${imgs[0]}" -o "$T/a.npy" || fail "segment to .npy"
mkdir -p "$T/gt2"
expect=$(python3 - "$T/a.npy" "$T/gt2/astronaut.mask.png" <<'PY'
import struct, sys, zlib
b = open(sys.argv[1], 'rb').read()
hl = struct.unpack_from('<H', b, 8)[0]
hdr = b[10:10 + hl].decode('latin1')
h, w = [int(v) for v in hdr.split("'shape': (")[1].split(')')[0].split(',') if v.strip()]
m = struct.unpack_from('<%df' % (h * w), b, 10 + hl)
a = [v > 0.5 for v in m]
g = [a[i] and (i % w) >= w // 2 for i in range(h * w)]
raw = b''.join(b'\x00' + bytes(255 if g[y * w + x] else 0 for x in range(w)) for y in range(h))
chunk = lambda t, d: struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
png = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 0, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b'')
open(sys.argv[2], 'wb').write(png)
print('%.4f' % (sum(g) / sum(a)))
PY
)
"$PSEG" compare selfie selfie "${imgs[0]}" --gt "$T/gt2" -o "$T/sheet2.png" > "$T/out2.txt" 2>&1 || fail "compare 2"
got=$(awk '/^astronaut/ {print $3}' "$T/out2.txt")
echo "half-cleared ground truth: IoU A $got, expected $expect"
[ -n "$got" ] && [ "$got" = "$expect" ] || fail "IoU against the half-cleared mask: $got, expected $expect"
"$PSEG" compare selfie selfie "${imgs[@]}" > /dev/null 2>&1; [ $? -eq 2 ] || fail "no -o: exit code not 2"
"$PSEG" compare selfie selfie "$T/nope.png" -o "$T/bad.png" 2> "$T/err.txt"; rc=$?
[ $rc -ne 0 ] && grep -q "nope.png" "$T/err.txt" || fail "missing image: exit $rc, $(cat "$T/err.txt")"
[ ! -e "$T/bad.png" ] || fail "a sheet was left behind after an error"
"$PSEG" compare selfie "$T/nope.pseg" "${imgs[0]}" -o "$T/bad.png" 2> /dev/null && fail "a missing model was accepted"
[ ! -e "$T/bad.png" ] || fail "a sheet was left behind after a missing model"
exit $status
