#version 450
// pseg variants: 0 1 2 3 4 5 6 7  (storage variants built: bits in CMakeLists.txt)
/* A squeeze-excite block's global average pool and its two 1x1 layers, in one dispatch:
 *   m = mean over the in_h x in_w pixels of X (C4 vec4s a pixel; fp32 sums) — of X + R with
 *       POOL_ADD (a residual ADD whose sum nothing else reads, so it is never stored),
 *   hidden = act(W1 m + b1), gate = act2(W2 hidden + b2);
 * or with one layer (LAYERS 1): gate = act(W1 m + b1).
 * PRE_IC4 > 0: the block pools ADD(conv1x1(resize(X)), R) (R: aux0 x aux1 pixels of C4 vec4s; X:
 * in_h x in_w pixels of PRE_IC4 vec4s) without either being stored: the conv (no activation) is
 * linear and the resize weighs every source pixel alike (runtime/plan.c checks), so
 *   m = Wa mean(X) + ba + mean(R),
 * with Wa [C4][PRE_IC4][4] vec4, ba [C4] ahead of the block's weights.
 * The gate is applied by the layer that reads the block's output (conv.comp / binary.comp
 * HAS_GATE), so the block costs this one dispatch.
 * Weights: W1 [R4][C4][4] vec4, b1 [R4], W2 [C4][R4][4] vec4, b2 [C4] (conv.comp's packing).
 * One workgroup of 64 invocations: invocation t sums channel vec4 t % C4 over every
 * (64 / C4)-th pixel, the partial sums meet in shared memory; then the 64 invocations share
 * the rows of both layers. Weights are in a buffer, never specialization constants: with those,
 * one invocation would have to compute both layers (every index a constant), and a CPU driver
 * runs such a branch for every group of lanes (measured 3x slower on lavapipe). */
#define WEIGHTS
#include "common/net.glsl"
layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const int C4 = 1; /* channels of the block, in vec4s (at most 64) */
layout(constant_id = 1) const int R4 = 1; /* hidden units, in vec4s */
layout(constant_id = 2) const int ACT = 0;
layout(constant_id = 3) const int ACT2 = 0;
layout(constant_id = 4) const int LAYERS = 2; /* 1: gate = act(W1 m + b1), R4 vec4s */
layout(constant_id = 5) const int POOL_ADD = 0; /* pool X + R: an ADD whose sum only this reads */
layout(constant_id = 6) const int PRE_IC4 = 0;
const int SE_BASE = PRE_IC4 > 0 ? C4 * PRE_IC4 * 4 + C4 : 0; /* the block's weights, after Wa, ba */
#define SE_C4 C4
#define SE_HID R4
#define SE_ACT1 ACT
#define SE_ACT2 ACT2
#define SE_LS 64
#define SE_W(k) W4(SE_BASE + (k))
/* input 0: X (+ R with POOL_ADD); 1: R alone (PRE) */
#define SE_X(src, i) (src == 1 ? texelFetch(R, i) : POOL_ADD != 0 ? texelFetch(X, i) + texelFetch(R, i) : texelFetch(X, i))
shared vec4 se_part[SE_LS];
shared vec4 se_mean[SE_C4];
shared vec4 se_hid[SE_HID];
shared vec4 se_xmean[PRE_IC4 > 0 ? PRE_IC4 : 1];
#include "common/se.glsl"

/* PRE: se_mean = Wa mean(X) + ba + mean(R) */
void pool_pre(int t) {
  vec4 xm = se_pool(t, 0, PRE_IC4 > 0 ? PRE_IC4 : 1, pc.in_h * pc.in_w);
  if (t < PRE_IC4) se_xmean[t] = xm;
  barrier();
  vec4 s = se_pool(t, 1, C4, pc.aux0 * pc.aux1);
  if (t < C4) {
    vec4 a = W4(C4 * PRE_IC4 * 4 + t);
    for (int c = 0; c < PRE_IC4; c++) {
      vec4 v = se_xmean[c];
      int k = (t * PRE_IC4 + c) * 4;
      a += W4(k) * v.x + W4(k + 1) * v.y + W4(k + 2) * v.z + W4(k + 3) * v.w;
    }
    se_mean[t] = a + s;
  }
  barrier();
}

void main() {
  WEIGHTS_INIT();
  int t = int(gl_LocalInvocationID.x);
  if (PRE_IC4 > 0) {
    pool_pre(t);
    se_hidden(t);
  } else {
    se_pool_hidden(t);
  }
  if (LAYERS == 1) /* the rows this invocation computed */
    for (int o = t; o < R4; o += 64) dst.y[o] = OTYPE(se_hid[o]);
  if (LAYERS == 2) {
    barrier();
    for (int o = t; o < C4; o += 64) dst.y[o] = OTYPE(se_gate_row(o));
  }
}
