#!/usr/bin/env bash
# Other models on a lent GPU (issue 12), in three steps:
#   here:   bash bench/models_gpu.sh --prepare [MODEL.tflite[:PERSON_CHANNEL]...]
#           converts the models (default: origin/4ch-softmax and zoo/anil-slimnet-mediapipe of
#           ../shared/models) into gpucheck/ (git-ignored: add '/gpucheck/' to .git/info/exclude),
#           with a fixed input tensor each and TFLite's output for it (gpucheck/NAME.ref.f32);
#   there:  bash .gpu/run.sh bash bench/models_gpu.sh   (the device tool's run, carry .gpu
#           build/pseg build/tests build/CTestTestfile.cmake build/models gpucheck; under 64 MiB
#           in all: two 256x256 models fit): `pseg run` of each on the device's tier, the
#           GPU-relevant tests, `pseg profile`; everything in $OUT/gpucheck.tgz;
#   here:   bash bench/models_gpu.sh --report gpucheck.tgz   the raw outputs against TFLite's.
set -uo pipefail
cd "$(dirname "$0")/.."
case ${1:-} in
--prepare)
  shift
  S=${PSEG_MODELS_DIR:-../shared/models}
  [ $# -gt 0 ] || set -- "$S/origin/4ch-softmax.tflite" "$S/zoo/anil-slimnet-mediapipe.tflite"
  rm -rf gpucheck && mkdir gpucheck
  for spec in "$@"; do
    f=${spec%%:*} pc=; [ "$f" != "$spec" ] && pc=${spec#*:}
    build/pseg convert ${pc:+--person-channel "$pc"} "$f" "gpucheck/$(basename "$f" .tflite).pseg" || exit 1
  done
  node -e "
    const fs = require('fs'), path = require('path');
    const { createModel } = require('./tests/reference/tflite_model.js');
    function npyWrite(file, shape, data) {
      let h = \"{'descr': '<f4', 'fortran_order': False, 'shape': (\" + shape.join(', ') + '), }';
      const total = Math.ceil((10 + h.length + 1) / 64) * 64;
      h = h.padEnd(total - 11, ' ') + '\n';
      const b = Buffer.alloc(total + data.length * 4);
      b.write('\x93NUMPY', 0, 'latin1'); b[6] = 1; b[7] = 0; b.writeUInt16LE(total - 10, 8); b.write(h, 10, 'latin1');
      Buffer.from(data.buffer).copy(b, total);
      fs.writeFileSync(file, b);
    }
    (async () => {
      for (const f of process.argv.slice(1)) {
        const m = await createModel(f), [, H, W, C] = m.inShape, n = path.basename(f, '.tflite');
        const x = new Float32Array(H * W * C); /* a fixed pattern in [0,1); 0 in channels after RGB */
        for (let i = 0; i < x.length; i++) x[i] = i % C < 3 ? ((i * 7919) % 1000) / 1000 : 0;
        npyWrite('gpucheck/' + n + '.in.npy', [1, H, W, C], x);
        fs.writeFileSync('gpucheck/' + n + '.ref.f32', Buffer.from(m.run(x).buffer));
      }
    })().catch((e) => { console.error(e.message); process.exit(1); });" $(for s in "$@"; do echo "${s%%:*}"; done) 2>&1 | grep -v '^INFO' || true
  du -sh gpucheck
  ;;
--report)
  d=${2%.tgz}; mkdir -p "$d" && tar xzf "$2" -C "$d" || exit 1
  node -e "
    const fs = require('fs');
    const f32 = (b, o) => { const n = (b.length - o) / 4, a = new Float32Array(n); for (let i = 0; i < n; i++) a[i] = b.readFloatLE(o + 4 * i); return a; };
    let bad = 0;
    for (const ref of fs.readdirSync('gpucheck').filter((x) => x.endsWith('.ref.f32'))) {
      const n = ref.slice(0, -8), o = process.argv[1] + '/' + n + '.out.npy';
      if (!fs.existsSync(o)) { console.log(n + ': no output'); bad++; continue; }
      const b = fs.readFileSync(o), got = f32(b, 10 + b.readUInt16LE(8)), want = f32(fs.readFileSync('gpucheck/' + ref), 0);
      let md = 0, mr = 0;
      for (let i = 0; i < want.length; i++) { md = Math.max(md, Math.abs(got[i] - want[i])); mr = Math.max(mr, Math.abs(want[i])); }
      const ok = got.length === want.length && md <= 1e-4 * Math.max(1, mr);
      if (!ok) bad++;
      console.log(n + ': raw output max|d| ' + md.toExponential(2) + ' (max|ref| ' + mr.toPrecision(3) + ')' + (ok ? '' : ' FAIL'));
    }
    process.exit(bad ? 1 : 0);" "$d"
  ;;
*)
  W=$(mktemp -d)
  for m in gpucheck/*.pseg; do
    n=$(basename "$m" .pseg)
    timeout 60 build/pseg run "$m" --input "gpucheck/$n.in.npy" -o "$W/$n.out.npy" 2>&1 | tail -2
    timeout 60 build/pseg profile --model "$m" --iterations 20 2>&1 | tail -1 | sed "s/^/$n: /" | tee -a "$W/profile.txt"
  done
  (cd build && timeout 200 ctest -R "^(layers|model_vs_reference|batch|composite|compare|corrupt_models_other_ops)$" --timeout 100) > "$W/ctest.txt" 2>&1
  tail -4 "$W/ctest.txt"
  tar czf "${OUT:-/tmp}/gpucheck.tgz" -C "$W" .
  ;;
esac
