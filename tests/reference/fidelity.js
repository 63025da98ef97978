'use strict';
// End-to-end fidelity test: pseg's mask vs the TFLite reference (tflite_ref.js), image by image.
//
// usage: node tests/reference/fidelity.js --pseg PATH/TO/pseg --tflite weights/selfie_segmentation.tflite
//          --model selfie --precision fp32 --max-abs 1e-3 --min-iou 0.999 [--min-images 5]
//          [--tiers default,gpu] [--masks DIR] [--out-dir DIR] [--verbose] INPUT_DIR
//        any other model: --model FILE.pseg --tflite FILE.tflite --head logits|probability
//          [--person-channel N] [--input-range LO,HI | --mean-std M,S | --mean-std MR,MG,MB,SR,SG,SB]
//          (the TFLite model runs whole, tflite_model.js, on RGB normalized as the option says, the
//          way `pseg convert` was told or the model's metadata says; its raw output becomes the person
//          probability as the head says: an expectation written by the caller, not read from pseg)
//
// INPUT_DIR holds pairs NAME.png (exactly at the model's input size) and NAME.f32 (same pixels, raw
// little-endian float32 NHWC RGB, value/255). For each pair, sorted by name, the reference runs on
// NAME.f32 and `pseg segment --model M --precision P NAME.png -o OUT_DIR/NAME.M.P.npy` runs on the PNG,
// once per kernel tier of --tiers (default: the device's own; gpu: PSEG_TIER=gpu, the GPU tier;
// base, fast), each against the same reference. --masks DIR compares masks made elsewhere (another
// machine's GPU: bench/gpu.sh) instead of running pseg: DIR/NAME.M.P.npy (tier "default") or
// DIR/NAME.M.P.TIER.npy.
// Exit status: 0 all good, 1 any failure (bound violated, pseg failed, shape mismatch, too few
// images, unreadable output), 2 usage error.

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { createReference } = require('./tflite_ref.js');
const { createModel, personProbability } = require('./tflite_model.js');

function usage(msg) {
  if (msg) console.error(`fidelity: ${msg}`);
  console.error('usage: node fidelity.js --pseg PSEG --tflite MODEL.tflite --model NAME --precision P\n' +
    '         --max-abs X --min-iou Y [--min-images N] [--tiers T,T] [--masks DIR] [--out-dir DIR] [--verbose] INPUT_DIR');
  process.exit(2);
}

function parseArgs(argv) {
  const o = { minImages: 5, verbose: false };
  const pos = [];
  const need = (i) => { if (i + 1 >= argv.length) usage(`${argv[i]} needs a value`); return argv[i + 1]; };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case '--pseg': o.pseg = need(i); i++; break;
      case '--tflite': o.tflite = need(i); i++; break;
      case '--model': o.model = need(i); i++; break;
      case '--precision': o.precision = need(i); i++; break;
      case '--max-abs': o.maxAbs = Number(need(i)); i++; break;
      case '--min-iou': o.minIou = Number(need(i)); i++; break;
      case '--min-images': o.minImages = Number(need(i)); i++; break;
      case '--out-dir': o.outDir = need(i); i++; break;
      case '--tiers': o.tiers = need(i).split(','); i++; break;
      case '--masks': o.masks = need(i); i++; break;
      case '--head': o.head = need(i); i++; break;
      case '--person-channel': o.personChannel = Number(need(i)); i++; break;
      case '--input-range': o.inputRange = need(i).split(',').map(Number); i++; break;
      case '--mean-std': o.meanStd = need(i).split(',').map(Number); i++; break;
      case '--verbose': case '-v': o.verbose = true; break;
      case '-h': case '--help': usage();
      // falls through (usage exits)
      default:
        if (a.startsWith('--')) usage(`unknown option ${a}`);
        pos.push(a);
    }
  }
  if (pos.length !== 1) usage('exactly one INPUT_DIR expected');
  o.inputDir = pos[0];
  for (const k of ['tflite', 'model', 'precision']) if (!o[k]) usage(`--${k} is required`);
  if (!o.pseg && !o.masks) usage('--pseg (or --masks) is required');
  o.tiers = o.tiers || ['default'];
  if (o.head !== undefined && !['logits', 'probability'].includes(o.head)) usage('--head must be logits or probability');
  if (o.inputRange && (o.inputRange.length !== 2 || o.inputRange.some(isNaN))) usage('--input-range must be LO,HI');
  if (o.meanStd && ((o.meanStd.length !== 2 && o.meanStd.length !== 6) || o.meanStd.some(isNaN))) {
    usage('--mean-std must be MEAN,STD or MR,MG,MB,SR,SG,SB');
  }
  o.tag = path.basename(o.model).replace(/\.pseg$/, '');
  for (const t of o.tiers) if (!['default', 'gpu', 'base', 'fast'].includes(t)) usage(`unknown tier ${t}`);
  if (!(o.maxAbs >= 0)) usage('--max-abs must be a number >= 0');
  if (!(o.minIou >= 0 && o.minIou <= 1)) usage('--min-iou must be a number in [0,1]');
  if (!(Number.isInteger(o.minImages) && o.minImages >= 0)) usage('--min-images must be an integer >= 0');
  return o;
}

// Parse a NumPy .npy file holding a C-order little-endian float32 array. Returns {shape, data}.
function readNpy(file) {
  const b = fs.readFileSync(file);
  if (b.length < 10 || b[0] !== 0x93 || b.toString('latin1', 1, 6) !== 'NUMPY')
    throw new Error(`${file}: not a .npy file (bad magic)`);
  const major = b[6];
  let hlen, hstart;
  if (major === 1) { hlen = b.readUInt16LE(8); hstart = 10; }
  else if (major === 2 || major === 3) { hlen = b.readUInt32LE(8); hstart = 12; }
  else throw new Error(`${file}: unsupported .npy version ${major}.${b[7]}`);
  if (hstart + hlen > b.length) throw new Error(`${file}: truncated header`);
  const header = b.toString(major === 3 ? 'utf8' : 'latin1', hstart, hstart + hlen);
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header);
  const shapeM = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
  if (!descr || !fortran || !shapeM) throw new Error(`${file}: cannot parse header ${JSON.stringify(header)}`);
  if (descr[1] !== '<f4') throw new Error(`${file}: dtype ${descr[1]}, expected '<f4'`);
  if (fortran[1] !== 'False') throw new Error(`${file}: fortran_order True is not supported`);
  const shape = shapeM[1].split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => {
    if (!/^\d+$/.test(s)) throw new Error(`${file}: bad shape entry ${s}`);
    return Number(s);
  });
  const n = shape.reduce((a, x) => a * x, 1);
  const dataStart = hstart + hlen;
  if (b.length - dataStart !== 4 * n)
    throw new Error(`${file}: ${b.length - dataStart} data bytes, expected ${4 * n} for shape (${shape})`);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = b.readFloatLE(dataStart + 4 * i);
  return { shape, data };
}

function readF32(file, n) {
  const b = fs.readFileSync(file);
  if (b.length !== 4 * n) throw new Error(`${file}: ${b.length} bytes, expected ${4 * n}`);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = b.readFloatLE(4 * i);
  return x;
}

// max |d|, mean |d| and IoU of the masks thresholded at 0.5 (prob > 0.5 is "person").
// NaN anywhere in either array makes max|d| NaN (and so fails any bound).
function compare(ref, got) {
  let maxd = 0, sumd = 0, inter = 0, uni = 0, nan = false;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(ref[i] - got[i]);
    if (Number.isNaN(d)) nan = true;
    else { if (d > maxd) maxd = d; sumd += d; }
    const a = ref[i] > 0.5, b = got[i] > 0.5;
    if (a && b) inter++;
    if (a || b) uni++;
  }
  return { maxd: nan ? NaN : maxd, meand: sumd / ref.length, iou: uni === 0 ? 1 : inter / uni, nan };
}

/* One image through pseg (or its mask from --masks) on one tier: {got} or {fail: reason}. */
function psegMask(o, tier, pngPath, name) {
  const suffix = tier === 'default' ? '' : `.${tier}`;
  if (o.masks) {
    const file = path.join(o.masks, `${name}.${o.tag}.${o.precision}${suffix}.npy`);
    try { return { got: readNpy(file) }; } catch (e) { return { fail: e.message }; }
  }
  const npyPath = path.join(o.outDir, `${name}.${o.tag}.${o.precision}${suffix}.npy`);
  try { fs.rmSync(npyPath, { force: true }); } catch (_) { /* ignore */ }
  const args = ['segment', '--tta', 'none', '--model', o.model, '--precision', o.precision, pngPath, '-o', npyPath];
  const env = { ...process.env };
  if (tier !== 'default') env.PSEG_TIER = tier;
  const r = spawnSync(o.pseg, args, { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (o.verbose || r.status !== 0) {
    if (r.stdout) process.stderr.write(r.stdout);
    if (r.stderr) process.stderr.write(r.stderr);
  }
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : (r.signal ? `killed by ${r.signal}` : `exit status ${r.status}`);
    return { fail: `pseg ${why} (${tier !== 'default' ? `PSEG_TIER=${tier} ` : ''}${o.pseg} ${args.join(' ')})` };
  }
  try { return { got: readNpy(npyPath) }; } catch (e) { return { fail: e.message }; }
}

// The whole model in the interpreter; its output read as --head says.
async function genericReference(o) {
  const m = await createModel(o.tflite);
  const [, H, W, C] = m.inShape;
  if (m.inShape.length !== 4 || C < 3) throw new Error(`${o.tflite}: input [${m.inShape}]: RGB (+ more channels) expected`);
  const n = m.outShape.reduce((a, x) => a * x, 1);
  let outH = H, outW = W;
  if (m.outShape.length === 4) outH = m.outShape[1], outW = m.outShape[2];
  const oc = n / (outH * outW);
  if (!Number.isInteger(oc)) throw new Error(`${o.tflite}: output [${m.outShape}] is not a map of the input's size`);
  const pc = o.personChannel !== undefined ? o.personChannel : (oc === 2 ? 1 : 0);
  // Channels after RGB (a prior mask) get 0: the models here that have them slice them off. RGB
  // in [0,1] becomes [lo,hi] with --input-range, (255 x - mean) / std (per channel) with --mean-std.
  const [lo, hi] = o.inputRange || [0, 1];
  const scale = [0, 1, 2].map(() => hi - lo), offset = [lo, lo, lo];
  if (o.meanStd) {
    const k = o.meanStd.length / 2;
    for (let c = 0; c < 3; c++) {
      const mean = o.meanStd[k === 1 ? 0 : c], sd = o.meanStd[k === 1 ? 1 : 3 + c];
      scale[c] = 255 / sd, offset[c] = -mean / sd;
    }
  }
  const widen = (x) => {
    const y = new Float32Array(H * W * C);
    for (let i = 0; i < H * W; i++) for (let c = 0; c < 3; c++) y[i * C + c] = x[i * 3 + c] * scale[c] + offset[c];
    return y;
  };
  return { inputH: H, inputW: W, outH, outW, run: (x) => personProbability(m.run(widen(x)), oc, o.head, pc) };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.pseg && !o.masks && !fs.existsSync(o.pseg)) { console.error(`fidelity: pseg not found: ${o.pseg}`); process.exit(1); }
  if (!fs.statSync(o.inputDir, { throwIfNoEntry: false })?.isDirectory()) {
    console.error(`fidelity: not a directory: ${o.inputDir}`); process.exit(1);
  }
  o.outDir = o.outDir || fs.mkdtempSync(path.join(os.tmpdir(), 'pseg-fidelity-'));
  fs.mkdirSync(o.outDir, { recursive: true });

  const entries = fs.readdirSync(o.inputDir);
  const pngs = new Set(entries.filter((f) => f.endsWith('.png')).map((f) => f.slice(0, -4)));
  const f32s = new Set(entries.filter((f) => f.endsWith('.f32')).map((f) => f.slice(0, -4)));
  const names = [...pngs].filter((n) => f32s.has(n)).sort();
  for (const n of pngs) if (!f32s.has(n)) console.error(`fidelity: warning: ${n}.png has no ${n}.f32, skipped`);
  for (const n of f32s) if (!pngs.has(n)) console.error(`fidelity: warning: ${n}.f32 has no ${n}.png, skipped`);

  const ref = o.head ? await genericReference(o) : await createReference(o.tflite);
  const nIn = ref.inputH * ref.inputW * 3;
  const st = {};
  for (const tier of o.tiers) st[tier] = { failures: 0, worstMax: 0, worstIou: 1, sumMean: 0, compared: 0 };

  for (const name of names) {
    const pngPath = path.join(o.inputDir, `${name}.png`);
    let expected, refErr;
    try {
      expected = ref.run(readF32(path.join(o.inputDir, `${name}.f32`), nIn));
    } catch (e) { refErr = e.message; }
    for (const tier of o.tiers) {
      const t = st[tier];
      const tag = `${o.tag} ${o.precision}${tier === 'default' ? '' : ` (${tier} tier)`}`;
      if (refErr) { console.log(`${tag} ${name}: FAIL reference: ${refErr}`); t.failures++; continue; }
      const m = psegMask(o, tier, pngPath, name);
      if (m.fail) { console.log(`${tag} ${name}: FAIL ${m.fail}`); t.failures++; continue; }
      const got = m.got;
      if (got.shape.length !== 2 || got.shape[0] !== ref.outH || got.shape[1] !== ref.outW) {
        console.log(`${tag} ${name}: FAIL shape (${got.shape}) != reference (${ref.outH}, ${ref.outW})`);
        t.failures++; continue;
      }
      const reasons = [];
      const c = compare(expected, got.data);
      t.compared++;
      t.sumMean += c.meand;
      if (Number.isNaN(t.worstMax) || Number.isNaN(c.maxd)) t.worstMax = NaN;
      else if (c.maxd > t.worstMax) t.worstMax = c.maxd;
      if (c.iou < t.worstIou) t.worstIou = c.iou;
      if (c.nan) reasons.push('NaN in output');
      if (!(c.maxd <= o.maxAbs)) reasons.push(`max|d| > ${o.maxAbs}`);
      if (!(c.iou >= o.minIou)) reasons.push(`IoU < ${o.minIou}`);
      if (reasons.length) t.failures++;
      console.log(`${tag} ${name}: max|d|=${c.maxd.toExponential(2)} mean|d|=${c.meand.toExponential(2)} ` +
        `IoU=${c.iou.toFixed(6)}${reasons.length ? ' FAIL ' + reasons.join(', ') : ''}`);
    }
  }

  const enough = names.length >= o.minImages;
  let ok = enough;
  for (const tier of o.tiers) {
    const t = st[tier];
    const tag = `${o.tag} ${o.precision}${tier === 'default' ? '' : ` (${tier} tier)`}`;
    ok = ok && t.failures === 0;
    console.log(`${tag} summary: ${names.length} images, ${t.compared} compared, ${t.failures} failed; ` +
      `worst max|d|=${t.compared ? t.worstMax.toExponential(2) : 'n/a'} (bound ${o.maxAbs}), ` +
      `mean mean|d|=${t.compared ? (t.sumMean / t.compared).toExponential(2) : 'n/a'}, ` +
      `worst IoU=${t.compared ? t.worstIou.toFixed(6) : 'n/a'} (bound ${o.minIou})` +
      `${enough ? '' : `; too few images (< --min-images ${o.minImages})`} => ${t.failures === 0 && enough ? 'PASS' : 'FAIL'}`);
  }
  process.exit(ok ? 0 : 1);
}

module.exports = { readNpy, compare };

if (require.main === module) {
  main().catch((e) => { console.error(`fidelity: ${e.stack || e}`); process.exit(1); });
}
