'use strict';
// `pseg run` (the network alone, raw tensors) against the real TFLite interpreter on the same input
// tensor: the model's own output, element by element, max |d| <= --rel * max(1, max |ref|).
// --emulated: the reference is instead `pseg run --reference --precision P` (the plain-C layers
// with fp16 emulated: weights, and with fp16-all each layer's output, rounded to fp16), so a GPU
// run in fp16 is held to the model's own fp16 arithmetic rather than to TFLite's fp32.
//
// usage: node tests/reference/run_compare.js --pseg PSEG --tflite M.tflite --model M.pseg
//          [--precision fp32] [--rel 1e-4] [--tiers default,gpu] INPUT.f32...
// INPUT.f32: RGB in [0,1], NHWC float32 at the model's input size (prep_portraits); channels the
// model has beyond RGB (a prior) get 0, or with --prior-png P.png a soft disc (8-bit, written to
// P.png as a grey image) in the 4th; then also `pseg segment --prior P.png NAME.png` (NAME.png
// beside NAME.f32, its pixels) against TFLite's 1-channel probability output, max |d| <= --rel.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { createModel } = require('./tflite_model.js');
const { npyWrite, npyRead } = require('./npy.js');
const { priorDisc, pngGreyWrite } = require('./prior_png.js');

async function main() {
  const a = process.argv.slice(2), o = { precision: 'fp32', rel: 1e-4, tiers: ['default'], inputs: [] };
  for (let i = 0; i < a.length; i++) {
    const v = () => a[++i];
    if (a[i] === '--pseg') o.pseg = v(); else if (a[i] === '--tflite') o.tflite = v();
    else if (a[i] === '--model') o.model = v(); else if (a[i] === '--precision') o.precision = v();
    else if (a[i] === '--rel') o.rel = Number(v()); else if (a[i] === '--tiers') o.tiers = v().split(',');
    else if (a[i] === '--prior-png') o.priorPng = v();
    else if (a[i] === '--emulated') o.emulated = true;
    else o.inputs.push(a[i]);
  }
  if (!o.pseg || !o.tflite || !o.model || !o.inputs.length) {
    console.error('usage: run_compare.js --pseg PSEG --tflite M.tflite --model M.pseg [--precision P] [--rel R] [--emulated] INPUT.f32...');
    process.exit(2);
  }
  const m = await createModel(o.tflite);
  const [, H, W, C] = m.inShape;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pseg-run-'));
  let fail = 0, worst = 0;
  const tag = path.basename(o.model).replace(/\.pseg$/, '');
  let prior = null;
  if (o.priorPng) {
    if (C < 4) { console.error('run_compare: --prior-png needs a model with a 4th input channel'); process.exit(2); }
    const q = priorDisc(W, H);
    pngGreyWrite(o.priorPng, W, H, q);
    prior = Float32Array.from(q, (v) => v / 255);
  }
  for (const tier of o.tiers)
    for (const f of o.inputs) {
      const b = fs.readFileSync(f), rgb = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
      const x = new Float32Array(H * W * C);
      for (let p = 0; p < H * W; p++) for (let c = 0; c < 3; c++) x[p * C + c] = rgb[p * 3 + c];
      if (prior) for (let p = 0; p < H * W; p++) x[p * C + 3] = prior[p];
      npyWrite(path.join(tmp, 'x.npy'), [1, H, W, C], x);
      let ref;
      if (o.emulated) {
        const e = spawnSync(o.pseg, ['run', o.model, '--reference', '--input', path.join(tmp, 'x.npy'), '-o',
          path.join(tmp, 'e.npy'), '--precision', o.precision], { encoding: 'utf8' });
        if (e.status !== 0) { console.log(`${tag}: FAIL pseg run --reference: ${e.stderr.trim()}`); fail++; continue; }
        ref = npyRead(path.join(tmp, 'e.npy'));
      } else ref = m.run(x);
      const env = { ...process.env };
      if (tier !== 'default') env.PSEG_TIER = tier;
      const r = spawnSync(o.pseg, ['run', o.model, '--input', path.join(tmp, 'x.npy'), '-o', path.join(tmp, 'y.npy'),
        '--precision', o.precision], { encoding: 'utf8', env });
      const name = `${tag} ${o.precision}${tier === 'default' ? '' : ` (${tier} tier)`}${o.emulated ? ' vs emulated' : ''} ${path.basename(f, '.f32')}`;
      if (r.status !== 0) { console.log(`${name}: FAIL pseg run: ${r.stderr.trim()}`); fail++; continue; }
      const got = npyRead(path.join(tmp, 'y.npy'));
      if (got.length !== ref.length) { console.log(`${name}: FAIL ${got.length} values, TFLite ${ref.length}`); fail++; continue; }
      let md = 0, mr = 0;
      for (let i = 0; i < ref.length; i++) {
        const d = Math.abs(got[i] - ref[i]);
        md = Number.isNaN(d) ? NaN : Math.max(md, d);
        mr = Math.max(mr, Math.abs(ref[i]));
      }
      const bound = o.rel * Math.max(1, mr), ok = md <= bound;
      worst = Number.isNaN(md) ? NaN : Math.max(worst, md / Math.max(1, mr));
      if (!ok) fail++;
      console.log(`${name}: raw output max|d|=${md.toExponential(2)} (max|ref| ${mr.toPrecision(3)}, bound ${bound.toExponential(2)})${ok ? '' : ' FAIL'}`);
      if (prior && ref.length === H * W) { /* pseg segment --prior on the same pixels */
        const png = f.replace(/\.f32$/, '.png'), seg = path.join(tmp, 'seg.npy');
        const rs = spawnSync(o.pseg, ['segment', '--tta', 'none', '--model', o.model, '--precision', o.precision, '--prior', o.priorPng,
          png, '-o', seg], { encoding: 'utf8', env });
        if (rs.status !== 0) { console.log(`${name}: FAIL pseg segment --prior: ${rs.stderr.trim()}`); fail++; continue; }
        const sm = npyRead(seg);
        let sd = 0;
        for (let i = 0; i < ref.length; i++) {
          const d = Math.abs(sm[i] - Math.min(1, Math.max(0, ref[i])));
          sd = Number.isNaN(d) ? NaN : Math.max(sd, d);
        }
        const sok = sd <= o.rel;
        if (!sok) fail++;
        console.log(`${name}: pseg segment --prior: mask max|d|=${sd.toExponential(2)} (bound ${o.rel})${sok ? '' : ' FAIL'}`);
      }
    }
  fs.rmSync(tmp, { recursive: true, force: true });
  console.log(`${tag} ${o.precision}${o.emulated ? ' vs emulated' : ''} raw summary: ${o.inputs.length * o.tiers.length} runs, ${fail} failed; ` +
    `worst max|d| / max(1, max|ref|) = ${worst.toExponential(2)} (bound ${o.rel}) => ${fail ? 'FAIL' : 'PASS'}`);
  process.exit(fail ? 1 : 0);
}
main().catch((e) => { console.error(`run_compare: ${e.message}`); process.exit(1); });
