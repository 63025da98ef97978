'use strict';
// The prior mask the reference tests feed a 4-channel model: a soft disc (8-bit), written as a grey
// PNG for `pseg segment --prior` (run_compare.js, int_compare.js).
//
// Library:  const { priorDisc, pngGreyWrite } = require('./prior_png.js');
//           const q = priorDisc(W, H);           // Uint8Array(W*H), 0..255
//           pngGreyWrite('prior.png', W, H, q);
const fs = require('fs');
const zlib = require('zlib');

function crc32(buf) {
  let c, crc = 0xffffffff;
  for (let n = 0; n < buf.length; n++) {
    c = (crc ^ buf[n]) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function pngGreyWrite(file, w, h, px) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4), crc = Buffer.alloc(4), td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    len.writeUInt32BE(data.length), crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0), ihdr.writeUInt32BE(h, 4), ihdr[8] = 8, ihdr[9] = 0;
  const raw = Buffer.alloc((w + 1) * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw[y * (w + 1) + 1 + x] = px[y * w + x];
  fs.writeFileSync(file, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]));
}

// a soft disc off the centre: 255 inside, 0 far outside, a ramp between
function priorDisc(W, H) {
  const q = new Uint8Array(H * W);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const dx = (x - W * 0.6) / W, dy = (y - H * 0.4) / H;
    q[y * W + x] = Math.round(255 * Math.min(1, Math.max(0, 1.6 - 8 * Math.sqrt(dx * dx + dy * dy))));
  }
  return q;
}

module.exports = { priorDisc, pngGreyWrite };
