#!/usr/bin/env node
// pseg against the real TFLite interpreter (WASM + XNNPACK, 1 thread), alternating in one run.
//
//   node bench/vs_tflite.js [--pseg build/pseg] [--rounds 7] [--iterations 30] [--precision auto]
//                           [--cpu-threads N]   (passed to pseg bench; default: pseg's own choice)
//                           [--model FILE.tflite[:PERSON_CHANNEL]]...
//
// Without --model: the embedded selfie pair. With --model (repeatable): any TFLite model, converted
// by `pseg convert` (with --person-channel when given) into a temporary file; TFLite then runs the
// whole model (tests/reference/tflite_model.js), head included.
//
// Per model and round: `pseg bench --json` (its median per-frame wall time over --iterations
// frames after warm-up, the whole frame: pre-processing, network, mask) then TFLite's median over
// the same number of runs of the network body (the graph up to the custom op; the last two ops,
// which pseg also runs, are left out of TFLite's time, in its favour). The ratio printed is
// median(pseg round medians) / median(TFLite round medians).
'use strict';
const path = require('path');
const fs = require('fs');
const { spawnSync } = require('child_process');
const os = require('os');
const { createReference } = require('../tests/reference/tflite_ref.js');
const { createModel } = require('../tests/reference/tflite_model.js');

function arg(name, def) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}
const root = path.resolve(__dirname, '..');
const pseg = path.resolve(arg('--pseg', path.join(root, 'build/pseg')));
const rounds = parseInt(arg('--rounds', '7'), 10);
const iterations = parseInt(arg('--iterations', '30'), 10);
const precision = arg('--precision', 'auto');
const cpuThreads = arg('--cpu-threads', null);
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };

async function main() {
  if (!fs.existsSync(pseg)) throw new Error(`${pseg} not found: build first`);
  let models = [['selfie', 'selfie_segmentation.tflite'], ['selfie-landscape', 'selfie_segmentation_landscape.tflite']];
  const given = process.argv.flatMap((a, i) => (a === '--model' && i + 1 < process.argv.length ? [process.argv[i + 1]] : []));
  const tmp = given.length ? fs.mkdtempSync(path.join(os.tmpdir(), 'pseg-vs-')) : null;
  if (given.length) {
    models = given.map((g) => {
      const m = /^(.*?)(?::(\d+))?$/.exec(g);
      const out = path.join(tmp, path.basename(m[1]).replace(/\.tflite$/, '') + '.pseg');
      const args = ['convert', ...(m[2] !== undefined ? ['--person-channel', m[2]] : []), m[1], out];
      const c = spawnSync(pseg, args, { encoding: 'utf8' });
      if (c.status !== 0) throw new Error(`pseg convert ${m[1]}: ${c.stderr.trim()}`);
      return [out, m[1]];
    });
  }
  const rows = [];
  for (const [name, file] of models) {
    let ref;
    if (given.length) {
      const m = await createModel(file);
      ref = { inputH: m.inShape[1], inputW: m.inShape[2], inputC: m.inShape[3], runBody: (x) => m.run(x) };
    } else {
      ref = await createReference(path.join(root, 'weights', file));
    }
    const input = new Float32Array(ref.inputH * ref.inputW * (ref.inputC || 3));
    for (let i = 0; i < input.length; i++) input[i] = ((i * 7919) % 256) / 255;
    // warm-up: long enough for V8 to finish tiering the WebAssembly up (its compiler threads would
    // otherwise still run, on the same 2 cores, while pseg is measured)
    for (let i = 0; i < 200; i++) ref.runBody(input);
    const psegMs = [], tfliteMs = [];
    let info = null;
    for (let r = 0; r < rounds; r++) {
      const args = ['bench', '--model', name, '--precision', precision, '--iterations', String(iterations), '--json'];
      if (cpuThreads !== null) args.push('--cpu-threads', cpuThreads);
      const p = spawnSync(pseg, args, { encoding: 'utf8' });
      if (p.status !== 0) throw new Error(`pseg bench failed: ${p.stderr}`);
      info = JSON.parse(p.stdout);
      psegMs.push(info.ms_median);
      const t = [];
      for (let i = 0; i < iterations; i++) {
        const t0 = process.hrtime.bigint();
        ref.runBody(input);
        t.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      tfliteMs.push(median(t));
    }
    const pm = median(psegMs), tm = median(tfliteMs);
    rows.push({ model: given.length ? path.basename(file, '.tflite') : name, precision: info.precision, device: info.device, pseg_ms: pm, tflite_ms: tm, ratio: pm / tm,
                dispatches: info.dispatches, activation_bytes: info.activation_bytes, first_mask_ms: info.first_mask_ms,
                cpu_threads: info.cpu_threads });
  }
  console.log(`pseg vs TFLite (WASM+XNNPACK, 1 thread), ${rounds} alternating rounds x ${iterations} frames, medians`);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  console.log('model                  precision  device                              threads  pseg ms  TFLite ms  pseg/TFLite');
  for (const r of rows)
    console.log(`${r.model.slice(0, 22).padEnd(22)} ${r.precision.padEnd(10)} ${r.device.slice(0, 34).padEnd(35)} ${String(r.cpu_threads).padStart(7)} ` +
                `${r.pseg_ms.toFixed(2).padStart(8)}  ${r.tflite_ms.toFixed(2).padStart(9)}  ${r.ratio.toFixed(2).padStart(11)}`);
  if (process.argv.includes('--json')) console.log(JSON.stringify(rows));
}

main().catch((e) => { console.error(`vs_tflite: ${e.message}`); process.exit(1); });
