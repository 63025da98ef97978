'use strict';
// .npy files (version 1, little-endian float32, C order) for the comparison scripts.
const fs = require('fs');

function npyWrite(file, shape, data) {
  let h = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = Math.ceil((10 + h.length + 1) / 64) * 64;
  h = h.padEnd(total - 11, ' ') + '\n';
  const b = Buffer.alloc(total + data.length * 4);
  b.write('\x93NUMPY', 0, 'latin1');
  b[6] = 1, b[7] = 0, b.writeUInt16LE(total - 10, 8);
  b.write(h, 10, 'latin1');
  for (let i = 0; i < data.length; i++) b.writeFloatLE(data[i], total + 4 * i);
  fs.writeFileSync(file, b);
}

function npyRead(file) {
  const b = fs.readFileSync(file);
  const hl = b.readUInt16LE(8), start = 10 + hl;
  const n = (b.length - start) / 4, out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = b.readFloatLE(start + 4 * i);
  return out;
}

module.exports = { npyWrite, npyRead };
