'use strict';
// Any float32-input TFLite model through the real TFLite interpreter (WASM + XNNPACK, the same
// loader as tflite_ref.js), and the person probability its output means. For the models that the
// interpreter runs whole (every model of ../shared/models: no custom ops).
//
// Library:  const { createModel, personProbability } = require('./tflite_model.js');
//           const m = await createModel('model.tflite');  // m.inShape [1,H,W,C], m.outShape
//           const raw = m.run(float32NHWC);                 // Float32Array: the output as the model defines it
//           const p = personProbability(raw, C, 'logits', 1); // Float64Array(H*W)
// CLI:      node tests/reference/tflite_model.js MODEL.tflite INPUT.f32 OUT.f32   (raw in, raw out)

const fs = require('fs');
const { loadTFLite, shapeOf } = require('./tflite_ref.js');

async function createModel(tflitePath) {
  const bytes = new Uint8Array(fs.readFileSync(tflitePath));
  const M = await loadTFLite();
  const ptr = M._malloc(bytes.length);
  M.HEAPU8.set(bytes, ptr);
  const st = M.TFLiteWebModelRunner.CreateFromBufferAndOptions(ptr, bytes.length,
    { numThreads: 1, enableProfiling: false, maxProfilingBufferEntries: 1024 });
  if (!st.ok()) throw new Error(`${tflitePath}: TFLite runner creation failed: ${st.errorMessage()}`);
  const runner = st.value();
  const inputs = runner.GetInputs(), outputs = runner.GetOutputs();
  if (inputs.size() !== 1 || outputs.size() !== 1) throw new Error(`${tflitePath}: expected 1 input and 1 output`);
  const inShape = shapeOf(inputs.get(0)), outShape = shapeOf(outputs.get(0));
  const nIn = inShape.reduce((a, x) => a * x, 1);
  return {
    inShape, outShape,
    run(input) {
      if (!input || input.length !== nIn) throw new Error(`input must have ${nIn} values ([${inShape}])`);
      runner.GetInputs().get(0).data().set(input);
      if (!runner.Infer()) throw new Error('TFLite Infer() failed');
      return Float32Array.from(runner.GetOutputs().get(0).data());
    },
  };
}

// The person probability per pixel of a raw NHWC output with C channels: 'probability' takes
// channel pc as it is; 'logits' applies a sigmoid (C == 1) or a softmax over the channels (C > 1).
// Computed in float64, max-subtracted.
function personProbability(raw, C, head, pc) {
  const n = raw.length / C;
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (head === 'probability') { p[i] = raw[i * C + pc]; continue; }
    if (C === 1) { p[i] = 1 / (1 + Math.exp(-raw[i])); continue; }
    let mx = -Infinity;
    for (let c = 0; c < C; c++) mx = Math.max(mx, raw[i * C + c]);
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(raw[i * C + c] - mx);
    p[i] = Math.exp(raw[i * C + pc] - mx) / s;
  }
  return p;
}

module.exports = { createModel, personProbability };

if (require.main === module) {
  (async () => {
    const [model, inPath, outPath] = process.argv.slice(2);
    if (!outPath) { console.error('usage: node tflite_model.js MODEL.tflite INPUT.f32 OUT.f32'); process.exit(2); }
    const m = await createModel(model);
    const b = fs.readFileSync(inPath);
    const x = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
    const y = m.run(x);
    fs.writeFileSync(outPath, Buffer.from(y.buffer));
    console.log(`input [${m.inShape}] output [${m.outShape}] -> ${outPath}`);
  })().catch((e) => { console.error(e.message); process.exit(1); });
}
