'use strict';
// A whole TFLite model with a 2-channel SOFTMAX head (no custom op) through the real TFLite
// interpreter (tflite_ref.js's WASM build), against pseg's mask (`pseg segment ... -o X.npy`, the
// person channel = channel 1 of the softmax).
//
// usage: node softmax_head_ref.js --pseg PSEG --tflite MODEL.tflite --pseg-model MODEL.pseg
//          --max-abs X [--precision fp32] [--min-images N] --out-dir DIR INPUT_DIR
// INPUT_DIR: pairs NAME.png / NAME.f32 (tests/prep_portraits at the model's input size).
// Prints per image max |d|, mean |d| and the range of the probabilities; exit 1 on any failure.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { loadTFLite } = require('./reference/tflite_ref.js');
const { readNpy } = require('./reference/fidelity.js');

function arg(name, def) {
  const i = process.argv.indexOf(name);
  if (i < 0) { if (def === undefined) { console.error(`softmax_head_ref: ${name} is required`); process.exit(2); } return def; }
  return process.argv[i + 1];
}
function shapeOf(info) {
  const s = info.shape;
  if (typeof s === 'string') return s.split(',').filter((x) => x !== '').map(Number);
  if (Array.isArray(s)) return s.map(Number);
  return Array.from(s);
}

(async () => {
  const pseg = arg('--pseg'), tflite = arg('--tflite'), model = arg('--pseg-model');
  const maxAbs = Number(arg('--max-abs')), precision = arg('--precision', 'fp32');
  const minImages = Number(arg('--min-images', '1')), outDir = arg('--out-dir');
  const inputDir = process.argv[process.argv.length - 1];
  fs.mkdirSync(outDir, { recursive: true });

  const M = await loadTFLite();
  const bytes = new Uint8Array(fs.readFileSync(tflite));
  const ptr = M._malloc(bytes.length);
  M.HEAPU8.set(bytes, ptr);
  const st = M.TFLiteWebModelRunner.CreateFromBufferAndOptions(ptr, bytes.length,
    { numThreads: 1, enableProfiling: false, maxProfilingBufferEntries: 1024 });
  if (!st.ok()) throw new Error(`TFLite runner creation failed: ${st.errorMessage()}`);
  const runner = st.value();
  const inShape = shapeOf(runner.GetInputs().get(0)), outShape = shapeOf(runner.GetOutputs().get(0));
  const [, H, W] = inShape;
  if (outShape.length !== 4 || outShape[1] !== H || outShape[2] !== W || outShape[3] !== 2)
    throw new Error(`model output [${outShape}], expected [1,${H},${W},2]`);
  console.log(`TFLite interpreter: input [${inShape}] -> output [${outShape}] (whole model, SOFTMAX included)`);

  const names = fs.readdirSync(inputDir).filter((f) => f.endsWith('.f32')).map((f) => f.slice(0, -4)).sort();
  let bad = 0, worst = 0, n = 0;
  for (const name of names) {
    const raw = fs.readFileSync(path.join(inputDir, `${name}.f32`));
    if (raw.length !== 4 * H * W * 3) { console.log(`FAIL ${name}: ${raw.length} bytes, expected ${4 * H * W * 3}`); bad++; continue; }
    const input = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
    runner.GetInputs().get(0).data().set(input);
    if (!runner.Infer()) throw new Error('TFLite Infer() failed');
    const out = Float32Array.from(runner.GetOutputs().get(0).data());
    const npy = path.join(outDir, `${name}.${precision}.npy`);
    const r = spawnSync(pseg, ['segment', '--tta', 'none', '--model', model, '--precision', precision, path.join(inputDir, `${name}.png`), '-o', npy],
      { encoding: 'utf8' });
    if (r.status !== 0) { console.log(`FAIL ${name}: pseg exited ${r.status}: ${(r.stderr || '').trim()}`); bad++; continue; }
    const got = readNpy(npy);
    if (got.shape.length !== 2 || got.shape[0] !== H || got.shape[1] !== W) {
      console.log(`FAIL ${name}: pseg mask shape [${got.shape}], expected [${H},${W}]`); bad++; continue;
    }
    let m = 0, sum = 0, lo = 1, hi = 0;
    for (let i = 0; i < H * W; i++) {
      const ref = out[2 * i + 1]; // person channel
      const d = Math.abs(got.data[i] - ref);
      if (!(d <= m)) m = Number.isNaN(d) ? Infinity : Math.max(m, d);
      sum += d;
      lo = Math.min(lo, ref), hi = Math.max(hi, ref);
    }
    n++;
    worst = Math.max(worst, m);
    const okImg = m <= maxAbs;
    if (!okImg) bad++;
    console.log(`${okImg ? 'ok  ' : 'FAIL'} ${name.padEnd(20)} max|d| ${m.toExponential(3)}  mean|d| ${(sum / (H * W)).toExponential(3)}` +
      `  p(person) in [${lo.toFixed(4)}, ${hi.toFixed(4)}]  (bound ${maxAbs})`);
  }
  if (n < minImages) { console.log(`FAIL only ${n} images compared (need ${minImages})`); bad++; }
  console.log(`${n} images, worst max|d| ${worst.toExponential(3)} (${precision}, bound ${maxAbs}): ${bad ? 'FAIL' : 'pass'}`);
  process.exit(bad ? 1 : 0);
})().catch((e) => { console.error(`softmax_head_ref: ${e.stack || e}`); process.exit(1); });
