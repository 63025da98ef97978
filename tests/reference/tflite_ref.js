'use strict';
// Reference implementation of the MediaPipe selfie segmentation models, for pseg's fidelity tests.
//
// The real TFLite interpreter (WASM + XNNPACK, from npm @tensorflow/tfjs-tflite@0.0.1-alpha.10) runs
// the network body; the MediaPipe custom op Convolution2DTransposeBias (not registered in that build)
// and the final LOGISTIC are computed here in float64. To make the interpreter accept the model, a
// copy of the flatbuffer is truncated in place just before the custom op and the subgraph's output is
// redirected to the custom op's input tensor.
//
// Library:  const { createReference } = require('./tflite_ref.js');
//           const ref = await createReference('weights/selfie_segmentation.tflite');
//           const prob = ref.run(float32HxWx3);   // Float64Array(outH*outW), person probabilities
// CLI:      node tests/reference/tflite_ref.js MODEL.tflite INPUT.f32 OUT.f32
//           (INPUT.f32: raw little-endian float32 NHWC RGB in [0,1]; OUT.f32: raw float32 probs)

const fs = require('fs');
const path = require('path');

// ---------------------------------------------------------------------------------------------
// Minimal flatbuffer reader for the parts of the TFLite schema we need.
// ---------------------------------------------------------------------------------------------
class FB {
  constructor(bytes) {
    this.u8 = bytes;
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u32(p) { return this.dv.getUint32(p, true); }
  i32(p) { return this.dv.getInt32(p, true); }
  root() { return this.u32(0); }
  // absolute position of field `i` of the table at `t`, or 0 if absent
  field(t, i) {
    const vt = t - this.i32(t);
    const vtSize = this.dv.getUint16(vt, true);
    const o = 4 + 2 * i;
    if (o >= vtSize) return 0;
    const off = this.dv.getUint16(vt + o, true);
    return off ? t + off : 0;
  }
  // follow a uoffset stored at absolute position p
  deref(p) { return p + this.u32(p); }
  table(t, i) { const f = this.field(t, i); return f ? this.deref(f) : 0; }
  // vector: returns {pos (of first element), len, lenPos} or null
  vec(t, i) {
    const f = this.field(t, i);
    if (!f) return null;
    const v = this.deref(f);
    return { lenPos: v, pos: v + 4, len: this.u32(v) };
  }
  vecTables(t, i) {
    const v = this.vec(t, i);
    if (!v) return [];
    const out = [];
    for (let k = 0; k < v.len; k++) out.push(this.deref(v.pos + 4 * k));
    return out;
  }
  vecI32(t, i) {
    const v = this.vec(t, i);
    if (!v) return [];
    const out = [];
    for (let k = 0; k < v.len; k++) out.push(this.i32(v.pos + 4 * k));
    return out;
  }
  str(t, i) {
    const v = this.vec(t, i);
    if (!v) return null;
    return Buffer.from(this.u8.buffer, this.u8.byteOffset + v.pos, v.len).toString('utf8');
  }
  scalarI8(t, i, def) { const f = this.field(t, i); return f ? this.dv.getInt8(f) : def; }
  scalarI32(t, i, def) { const f = this.field(t, i); return f ? this.i32(f) : def; }
}

const BUILTIN_CUSTOM = 32;
const BUILTIN_DEQUANTIZE = 6;
const TT_FLOAT32 = 0;
const TT_FLOAT16 = 1;
const CUSTOM_OP = 'Convolution2DTransposeBias';

function halfToFloat(h) {
  const s = (h & 0x8000) ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * Math.pow(2, -24);
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * Math.pow(2, e - 15);
}

// Parse what we need from a TFLite model.
function parseModel(bytes) {
  const fb = new FB(bytes);
  const model = fb.root();
  const opcodes = fb.vecTables(model, 1).map((oc) => {
    const dep = fb.scalarI8(oc, 0, 0);
    const bc = fb.scalarI32(oc, 3, 0);
    return { builtin: Math.max(dep, bc), custom: fb.str(oc, 1) };
  });
  const subgraphs = fb.vecTables(model, 2);
  if (subgraphs.length < 1) throw new Error('model has no subgraph');
  const sg = subgraphs[0];
  const tensors = fb.vecTables(sg, 0).map((t) => ({
    shape: fb.vecI32(t, 0),
    type: fb.scalarI8(t, 1, 0),
    buffer: fb.field(t, 2) ? fb.u32(fb.field(t, 2)) : 0,
  }));
  const ops = fb.vecTables(sg, 3).map((o) => ({
    opcode: fb.field(o, 0) ? fb.u32(fb.field(o, 0)) : 0,
    inputs: fb.vecI32(o, 1),
    outputs: fb.vecI32(o, 2),
  }));
  const buffers = fb.vecTables(model, 4).map((b) => {
    const v = fb.vec(b, 0);
    return v ? bytes.subarray(v.pos, v.pos + v.len) : null;
  });
  return { fb, model, sg, opcodes, tensors, ops, buffers };
}

// Constant float data of tensor `ti`, looking through a DEQUANTIZE producer if needed (Float64Array).
function constTensor(m, ti) {
  const readBuf = (t) => {
    const data = m.buffers[t.buffer];
    if (!data || data.length === 0) return null;
    const n = t.shape.reduce((a, b) => a * b, 1);
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const out = new Float64Array(n);
    if (t.type === TT_FLOAT16) {
      if (data.length !== 2 * n) throw new Error(`fp16 buffer size ${data.length} != 2*${n}`);
      for (let i = 0; i < n; i++) out[i] = halfToFloat(dv.getUint16(2 * i, true));
    } else if (t.type === TT_FLOAT32) {
      if (data.length !== 4 * n) throw new Error(`fp32 buffer size ${data.length} != 4*${n}`);
      for (let i = 0; i < n; i++) out[i] = dv.getFloat32(4 * i, true);
    } else {
      throw new Error(`unsupported constant tensor type ${t.type}`);
    }
    return out;
  };
  const t = m.tensors[ti];
  const direct = readBuf(t);
  if (direct) return { data: direct, shape: t.shape, via: 'buffer' };
  const prod = m.ops.find((o) => o.outputs.includes(ti));
  if (!prod || m.opcodes[prod.opcode].builtin !== BUILTIN_DEQUANTIZE)
    throw new Error(`tensor ${ti} is neither constant nor produced by DEQUANTIZE`);
  const src = m.tensors[prod.inputs[0]];
  const d = readBuf(src);
  if (!d) throw new Error(`DEQUANTIZE input tensor ${prod.inputs[0]} has no data`);
  return { data: d, shape: t.shape, via: `DEQUANTIZE(tensor ${prod.inputs[0]}, type ${src.type})` };
}

// Analyse the model and produce a truncated copy plus the tail parameters.
function prepareModel(bytes) {
  const m = parseModel(bytes);
  const idx = m.ops.findIndex((o) => {
    const oc = m.opcodes[o.opcode];
    return oc.builtin === BUILTIN_CUSTOM && oc.custom === CUSTOM_OP;
  });
  if (idx < 0) throw new Error(`custom op ${CUSTOM_OP} not found`);
  const op = m.ops[idx];
  if (op.inputs.length !== 3) throw new Error(`${CUSTOM_OP} has ${op.inputs.length} inputs, expected 3`);
  const [inT, wT, bT] = op.inputs;
  const w = constTensor(m, wT);
  const b = constTensor(m, bT);
  const inShape = m.tensors[inT].shape;
  const outShape = m.tensors[op.outputs[0]].shape;
  const C = inShape[3];
  if (w.shape.length !== 4 || w.shape[0] !== 1 || w.shape[1] !== 2 || w.shape[2] !== 2 || w.shape[3] !== C)
    throw new Error(`unexpected ${CUSTOM_OP} weight shape [${w.shape}]`);
  if (b.data.length !== 1) throw new Error(`unexpected ${CUSTOM_OP} bias size ${b.data.length}`);
  if (outShape[1] !== 2 * inShape[1] || outShape[2] !== 2 * inShape[2] || outShape[3] !== 1)
    throw new Error(`unexpected ${CUSTOM_OP} shapes in [${inShape}] out [${outShape}]`);
  // Ops after the custom op must be just the LOGISTIC we compute ourselves.
  const tail = m.ops.slice(idx + 1).map((o) => m.opcodes[o.opcode].builtin);
  if (tail.length !== 1 || tail[0] !== 14 /* LOGISTIC */)
    throw new Error(`unexpected ops after ${CUSTOM_OP}: builtin codes [${tail}]`);

  // Truncate a copy in place.
  const copy = new Uint8Array(bytes); // copies
  const fb = new FB(copy);
  const opsVec = fb.vec(m.sg, 3);
  fb.dv.setUint32(opsVec.lenPos, idx, true);
  const outVec = fb.vec(m.sg, 2);
  if (!outVec || outVec.len !== 1) throw new Error('subgraph must have exactly one output');
  fb.dv.setInt32(outVec.pos, inT, true);

  return {
    truncated: copy,
    customOpIndex: idx,
    numOps: m.ops.length,
    inTensor: inT,
    weightTensor: wT,
    biasTensor: bT,
    weightSource: w.via,
    biasSource: b.via,
    w: w.data, // [1,2,2,C] -> index (dy*2+dx)*C + c
    bias: b.data[0],
    C,
    midH: inShape[1],
    midW: inShape[2],
    outH: outShape[1],
    outW: outShape[2],
  };
}

// ---------------------------------------------------------------------------------------------
// WASM TFLite loading
// ---------------------------------------------------------------------------------------------
let modulePromise = null;
function loadTFLite() {
  if (modulePromise) return modulePromise;
  modulePromise = (async () => {
    const pkgDir = path.dirname(require.resolve('@tensorflow/tfjs-tflite/package.json', { paths: [__dirname] }));
    const wasmDir = path.join(pkgDir, 'wasm');
    const jsFile = path.join(wasmDir, 'tflite_web_api_cc_simd.js');
    const src = fs.readFileSync(jsFile, 'utf8');
    const fakeModule = { exports: {} };
    const factory = new Function('module', 'exports', 'require', '__filename', '__dirname',
      src + '\n;return tflite_web_api_ModuleFactory;')(fakeModule, fakeModule.exports, require, jsFile, wasmDir);
    const wasmBinary = fs.readFileSync(path.join(wasmDir, 'tflite_web_api_cc_simd.wasm'));
    return factory({ wasmBinary, locateFile: (p) => path.join(wasmDir, p) });
  })();
  return modulePromise;
}

function shapeOf(info) {
  const s = info.shape;
  if (typeof s === 'string') return s.split(',').filter((x) => x !== '').map(Number);
  if (Array.isArray(s)) return s.map(Number);
  if (s && typeof s.size === 'function') { const r = []; for (let i = 0; i < s.size(); i++) r.push(s.get(i)); return r; }
  return Array.from(s);
}

async function createReference(tflitePath) {
  const bytes = new Uint8Array(fs.readFileSync(tflitePath));
  const p = prepareModel(bytes);
  const M = await loadTFLite();
  const ptr = M._malloc(p.truncated.length);
  M.HEAPU8.set(p.truncated, ptr);
  const st = M.TFLiteWebModelRunner.CreateFromBufferAndOptions(ptr, p.truncated.length,
    { numThreads: 1, enableProfiling: false, maxProfilingBufferEntries: 1024 });
  if (!st.ok()) throw new Error(`TFLite runner creation failed: ${st.errorMessage()}`);
  const runner = st.value();
  const inputs = runner.GetInputs();
  const outputs = runner.GetOutputs();
  if (inputs.size() !== 1 || outputs.size() !== 1) throw new Error('expected 1 input and 1 output');
  const inShape = shapeOf(inputs.get(0));
  const midShape = shapeOf(outputs.get(0));
  if (inShape.length !== 4 || inShape[0] !== 1 || inShape[3] !== 3) throw new Error(`bad input shape [${inShape}]`);
  if (midShape[1] !== p.midH || midShape[2] !== p.midW || midShape[3] !== p.C)
    throw new Error(`interpreter output [${midShape}] != custom op input [1,${p.midH},${p.midW},${p.C}]`);
  const inputH = inShape[1], inputW = inShape[2];
  const nIn = inputH * inputW * 3;

  function runBody(input) {
    if (!input || input.length !== nIn) throw new Error(`input must have ${inputH}*${inputW}*3 = ${nIn} values`);
    runner.GetInputs().get(0).data().set(input);
    if (!runner.Infer()) throw new Error('TFLite Infer() failed');
    return Float32Array.from(runner.GetOutputs().get(0).data()); // copy out of the wasm heap
  }

  function tail(mid) {
    const { C, midH, midW, outW, w, bias } = p;
    const out = new Float64Array(p.outH * p.outW);
    for (let y = 0; y < midH; y++) {
      for (let x = 0; x < midW; x++) {
        const base = (y * midW + x) * C;
        for (let dy = 0; dy < 2; dy++) {
          for (let dx = 0; dx < 2; dx++) {
            const wo = (dy * 2 + dx) * C;
            let acc = bias;
            for (let c = 0; c < C; c++) acc += mid[base + c] * w[wo + c];
            out[(2 * y + dy) * outW + 2 * x + dx] = 1 / (1 + Math.exp(-acc));
          }
        }
      }
    }
    return out;
  }

  return {
    inputH, inputW, outH: p.outH, outW: p.outW,
    info: {
      customOpIndex: p.customOpIndex, numOps: p.numOps, customOpInputTensor: p.inTensor,
      weightTensor: p.weightTensor, biasTensor: p.biasTensor,
      weightSource: p.weightSource, biasSource: p.biasSource, bias: p.bias,
      bodyOutputShape: midShape,
    },
    runBody,
    run(input) { return tail(runBody(input)); },
  };
}

module.exports = { createReference, prepareModel, parseModel, halfToFloat, loadTFLite, shapeOf };

// ---------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------
if (require.main === module) {
  (async () => {
    const args = process.argv.slice(2);
    if (args.length !== 3) {
      console.error('usage: node tflite_ref.js MODEL.tflite INPUT.f32 OUT.f32');
      process.exit(2);
    }
    const [modelPath, inPath, outPath] = args;
    const ref = await createReference(modelPath);
    const raw = fs.readFileSync(inPath);
    const n = ref.inputH * ref.inputW * 3;
    if (raw.length !== 4 * n) {
      console.error(`${inPath}: ${raw.length} bytes, expected ${4 * n} (float32 ${ref.inputH}x${ref.inputW}x3)`);
      process.exit(1);
    }
    const input = new Float32Array(n);
    for (let i = 0; i < n; i++) input[i] = raw.readFloatLE(4 * i);
    const prob = ref.run(input);
    const out = Buffer.alloc(4 * prob.length);
    for (let i = 0; i < prob.length; i++) out.writeFloatLE(prob[i], 4 * i);
    fs.writeFileSync(outPath, out);
    console.log(`output shape ${ref.outH}x${ref.outW} (float32, ${prob.length} values) -> ${outPath}`);
  })().catch((e) => { console.error(`tflite_ref: ${e.stack || e}`); process.exit(1); });
}
