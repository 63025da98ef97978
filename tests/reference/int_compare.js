'use strict';
// An integer (int8 / uint8) TFLite model through pseg and through the real TFLite interpreter (WASM
// + XNNPACK) on the same pixels: the network's output (`pseg run`, on the GPU and with --reference
// the CPU references of kernels/), issue 15's bound: >= --min-identical of the output elements
// identical, none off by more than one quantization step; and the mask (`pseg segment --tta none`
// on NAME.png beside NAME.f32) against TFLite's output made a probability (a softmax over its
// channels, the person's --person-channel; a sigmoid of one channel; with --head probability, the
// output's real values as they are: a LOGISTIC head): max |d| <= --max-abs, mask IoU@0.5 >= 0.999.
// With --prior-png P.png (a model with a 4th input channel): a soft disc (prior_png.js) as the prior,
// written to P.png for `pseg segment --prior P.png`; TFLite's 4th channel then holds its real value
// p = v / 255 quantized as pseg's pre-processing does (the zero point + round(p / scale)); without it, 0.
//
// usage: node tests/reference/int_compare.js --pseg PSEG --tflite M.tflite --model M.pseg
//          [--min-identical 0.999] [--person-channel 1] [--max-abs 1e-4] [--head logits|probability]
//          [--prior-png P.png] INPUT.f32...
// INPUT.f32: RGB in [0,1], NHWC float32 at the model's input size (prep_portraits). Pixels
// p = round(255 x); TFLite gets q = p (uint8 input) or p - 128 (int8), pseg the real values
// (q - zero point) x scale (its input tensor, as `pseg convert` reads the model's input); pseg's
// output (the dequantized real values) is quantized back with the model's output parameters.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { parseModel, loadTFLite, shapeOf } = require('./tflite_ref.js');
const { npyWrite, npyRead } = require('./npy.js');
const { priorDisc, pngGreyWrite } = require('./prior_png.js');

// scale and zero point of tensor ti (the first of each)
function quantOf(m, ti) {
  const fb = m.fb, tt = fb.vecTables(m.sg, 0)[ti], q = fb.table(tt, 4);
  if (!q) throw new Error(`tensor ${ti} is not quantized`);
  const s = fb.vec(q, 2), z = fb.vec(q, 3);
  if (!s || s.len < 1) throw new Error(`tensor ${ti} has no scale`);
  return { scale: fb.dv.getFloat32(s.pos, true), zp: z && z.len ? Number(fb.dv.getBigInt64(z.pos, true)) : 0 };
}

async function main() {
  const a = process.argv.slice(2), o = { minIdentical: 0.999, pc: 1, maxAbs: 1e-4, head: 'logits', inputs: [] };
  for (let i = 0; i < a.length; i++) {
    const v = () => a[++i];
    if (a[i] === '--pseg') o.pseg = v(); else if (a[i] === '--tflite') o.tflite = v();
    else if (a[i] === '--model') o.model = v(); else if (a[i] === '--min-identical') o.minIdentical = Number(v());
    else if (a[i] === '--person-channel') o.pc = Number(v()); else if (a[i] === '--max-abs') o.maxAbs = Number(v());
    else if (a[i] === '--head') o.head = v(); else if (a[i] === '--prior-png') o.priorPng = v();
    else o.inputs.push(a[i]);
  }
  if (!o.pseg || !o.tflite || !o.model || !o.inputs.length || (o.head !== 'logits' && o.head !== 'probability')) {
    console.error('usage: int_compare.js --pseg PSEG --tflite M.tflite --model M.pseg [--min-identical F] [--head logits|probability] INPUT.f32...');
    process.exit(2);
  }
  const bytes = new Uint8Array(fs.readFileSync(o.tflite));
  const m = parseModel(bytes);
  const gin = m.fb.vecI32(m.sg, 1)[0], gout = m.fb.vecI32(m.sg, 2)[0];
  const qi = quantOf(m, gin), qo = quantOf(m, gout);
  const M = await loadTFLite();
  const ptr = M._malloc(bytes.length);
  M.HEAPU8.set(bytes, ptr);
  const st = M.TFLiteWebModelRunner.CreateFromBufferAndOptions(ptr, bytes.length,
    { numThreads: 1, enableProfiling: false, maxProfilingBufferEntries: 1024 });
  if (!st.ok()) throw new Error(`${o.tflite}: ${st.errorMessage()}`);
  const r = st.value();
  const shape = shapeOf(r.GetInputs().get(0)), n = shape.reduce((x, y) => x * y, 1);
  const C = shape[3];
  const signedIn = r.GetInputs().get(0).data() instanceof Int8Array;
  let prior = null; /* the 4th channel's int8 / uint8 values */
  if (o.priorPng) {
    if (C < 4) throw new Error('--prior-png needs a model with a 4th input channel');
    const disc = priorDisc(shape[2], shape[1]), fs32 = Math.fround(qi.scale);
    pngGreyWrite(o.priorPng, shape[2], shape[1], disc);
    prior = Array.from(disc, (v) => { /* pre.comp: p / scale in fp32, rounded half away from zero (p >= 0) */
      const q = Math.round(Math.fround(Math.fround(v / 255) / fs32)) + qi.zp;
      return Math.min(Math.max(q, signedIn ? -128 : 0), signedIn ? 127 : 255);
    });
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pseg-int-'));
  let fail = 0;
  for (const file of o.inputs) {
    const b = fs.readFileSync(file), rgb = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
    if (rgb.length * C !== n * 3) throw new Error(`${file}: ${rgb.length} values, the model takes [${shape}]`);
    const d = r.GetInputs().get(0).data(), signed = d instanceof Int8Array;
    const real = new Float32Array(n);
    for (let i = 0; i < n; i++) { /* channels beyond RGB (a prior): real 0, the zero point (pseg's prior is the
                                     model's real value, in [0,1]; pseg segment without --prior: 0) */
      const c = i % C, px = (i - c) / C;
      const q = c < 3 ? Math.round(rgb[px * 3 + c] * 255) - (signed ? 128 : 0) : c === 3 && prior ? prior[px] : qi.zp;
      d[i] = q;
      real[i] = Math.fround((q - qi.zp) * qi.scale);
    }
    if (!r.Infer()) throw new Error('TFLite Infer() failed');
    const ref = Array.from(r.GetOutputs().get(0).data());
    npyWrite(path.join(tmp, 'in.npy'), shape, real);
    const tag = path.basename(file);
    for (const run of ['gpu', 'reference']) {
      const p = spawnSync(o.pseg, ['run', o.model, ...(run === 'reference' ? ['--reference'] : []), '--input',
        path.join(tmp, 'in.npy'), '-o', path.join(tmp, 'out.npy')], { encoding: 'utf8' });
      if (p.status !== 0) { console.log(`FAIL ${tag} ${run}: pseg run: ${p.stderr.trim()}`); fail = 1; continue; }
      const y = npyRead(path.join(tmp, 'out.npy'));
      if (y.length !== ref.length) { console.log(`FAIL ${tag} ${run}: ${y.length} outputs, TFLite ${ref.length}`); fail = 1; continue; }
      let same = 0, off1 = 0, worst = 0;
      for (let i = 0; i < y.length; i++) {
        const dd = Math.abs(Math.round(y[i] / qo.scale + qo.zp) - ref[i]);
        if (dd === 0) same++; else if (dd === 1) off1++;
        worst = Math.max(worst, dd);
      }
      const frac = same / y.length, ok = frac >= o.minIdentical && worst <= 1;
      if (!ok) fail = 1;
      console.log(`${ok ? 'ok  ' : 'FAIL'} ${tag} ${run}: ${y.length} outputs, identical ${(100 * frac).toFixed(3)}%, ` +
        `off by one ${off1}, max ${worst} steps (bound: >= ${(100 * o.minIdentical).toFixed(1)}% identical, max 1)`);
    }
    // the mask: pseg segment on the PNG of the same pixels against TFLite's output as a probability
    const png = file.replace(/\.f32$/, '.png'), K = ref.length / (n / C);
    const p = spawnSync(o.pseg, ['segment', '--tta', 'none', '--model', o.model, ...(o.priorPng ? ['--prior', o.priorPng] : []), png,
      '-o', path.join(tmp, 'mask.npy')], { encoding: 'utf8' });
    if (p.status !== 0) { console.log(`FAIL ${tag} mask: pseg segment: ${p.stderr.trim()}`); fail = 1; continue; }
    const mk = npyRead(path.join(tmp, 'mask.npy'));
    let md = 0, inter = 0, uni = 0;
    for (let px = 0; px < mk.length; px++) {
      let pr;
      if (o.head === 'probability') pr = (ref[px * K + (K === 1 ? 0 : o.pc)] - qo.zp) * qo.scale;
      else if (K === 1) pr = 1 / (1 + Math.exp(-(ref[px] - qo.zp) * qo.scale));
      else {
        let mx = -Infinity, sum = 0;
        for (let c = 0; c < K; c++) mx = Math.max(mx, (ref[px * K + c] - qo.zp) * qo.scale);
        for (let c = 0; c < K; c++) sum += Math.exp((ref[px * K + c] - qo.zp) * qo.scale - mx);
        pr = Math.exp((ref[px * K + o.pc] - qo.zp) * qo.scale - mx) / sum;
      }
      md = Math.max(md, Math.abs(pr - mk[px]));
      const a1 = pr >= 0.5, b1 = mk[px] >= 0.5;
      inter += a1 && b1, uni += a1 || b1;
    }
    const iou = uni ? inter / uni : 1, ok = md <= o.maxAbs && iou >= 0.999 && mk.length * K === ref.length;
    if (!ok) fail = 1;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${tag} mask: max |d| ${md.toExponential(2)} (bound ${o.maxAbs}), IoU@0.5 ${iou.toFixed(5)}`);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  console.log(`summary: ${path.basename(o.tflite)} integer model (GPU, CPU reference, mask) vs TFLite: ${fail ? 'FAIL' : 'ok'}`);
  process.exit(fail);
}

main().catch((e) => { console.error(e.message); process.exit(1); });
