#!/usr/bin/env bash
# The fuzz targets' seed corpus, made from what the tree has: seeds.sh SOURCE_DIR PSEG MAKE_TEST_MODELS OUT
#   OUT/convert: the selfie TFLite files and the synthetic models of tests/make_test_models.c
#   OUT/pseg, OUT/model: those converted to .pseg (model: all but the two selfie models)
#   OUT/image: the test photos and small PNGs and JPEGs of other formats
set -euo pipefail
SRC=$1 PSEG=$2 MAKE=$3 OUT=$4
mkdir -p "$OUT/convert" "$OUT/pseg" "$OUT/model" "$OUT/image"
cp "$SRC"/weights/*.tflite "$OUT/convert/"
"$MAKE" "$OUT/convert" >/dev/null
for f in "$OUT"/convert/*.tflite; do
  n=$(basename "$f" .tflite)
  "$PSEG" convert "$f" "$OUT/pseg/$n.pseg" 2>/dev/null || # (pad_logits1_imagenet: a version 3 file)
    "$PSEG" convert --output probability --person-channel 1 "$f" "$OUT/pseg/$n.pseg"
done
# the model target without the two selfie models: their 250 KB inputs took ~20 ms a load and
# drowned the rest (60 s from fresh corpora: 19,300 executions, coverage 1,081 with them; 2.3 M,
# coverage 1,121 without); the pseg target keeps them
for f in "$OUT"/pseg/*.pseg; do case $(basename "$f") in selfie_segmentation*) ;; *) cp "$f" "$OUT/model/" ;; esac; done
cp "$SRC"/tests/data/*.png "$SRC"/tests/data/*.jpg "$OUT/image/"
"$PSEG" segment "$SRC/tests/data/grace_hopper.jpg" -o "$OUT/image/mask_grey.png" # 8-bit grey
node -e "
const fs = require('fs'), zlib = require('zlib');
function crc32(b) { let c, r = 0xffffffff; for (const x of b) { c = (r ^ x) & 0xff; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; r = (r >>> 8) ^ c; } return (r ^ 0xffffffff) >>> 0; }
const chunk = (t, d) => { const l = Buffer.alloc(4), c = Buffer.alloc(4), td = Buffer.concat([Buffer.from(t, 'latin1'), d]); l.writeUInt32BE(d.length); c.writeUInt32BE(crc32(td)); return Buffer.concat([l, td, c]); };
const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const png = (w, h, ct, bd, bpr, extra, interlace) => { const b = Buffer.alloc(13); b.writeUInt32BE(w, 0); b.writeUInt32BE(h, 4); b[8] = bd; b[9] = ct; b[12] = interlace;
  const raw = Buffer.alloc((bpr + 1) * h); for (let i = 0; i < raw.length; i++) raw[i] = i % (bpr + 1) ? (i * 37) & 255 : 0;
  return Buffer.concat([sig, chunk('IHDR', b), ...extra, chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]); };
fs.writeFileSync('$OUT/image/pal_trns.png', png(16, 8, 3, 8, 16, [chunk('PLTE', Buffer.from([0, 0, 0, 200, 150, 120, 30, 60, 90])), chunk('tRNS', Buffer.from([0, 128]))], 0));
fs.writeFileSync('$OUT/image/rgba16.png', png(8, 8, 6, 16, 64, [], 0));
fs.writeFileSync('$OUT/image/grey2.png', png(16, 4, 0, 2, 4, [], 0));"
