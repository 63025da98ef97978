#version 450
/* A squeeze-excite block's global average pool and its two 1x1 layers, in one dispatch:
 *   m = mean over the in_h x in_w pixels of X (C4 vec4s a pixel; fp32 sums),
 *   hidden = act(W1 m + b1), gate = act2(W2 hidden + b2);
 * or with one layer (LAYERS 1): gate = act(W1 m + b1).
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
const int B1 = R4 * C4 * 4, W2 = B1 + R4, B2 = W2 + C4 * R4 * 4;
const int PHASES = 64 / C4; /* invocations per channel vec4 */
shared vec4 part[64];
shared vec4 mean[C4];
shared vec4 hid[R4];

void main() {
  WEIGHTS_INIT();
  int t = int(gl_LocalInvocationID.x), n = pc.in_h * pc.in_w;
  if (t < PHASES * C4) {
    int c = t % C4, phase = t / C4;
    vec4 s = vec4(0.0);
    for (int p = phase; p < n; p += PHASES) s += texelFetch(X, p * C4 + c);
    part[t] = s;
  }
  barrier();
  if (t < C4) {
    vec4 s = vec4(0.0);
    for (int k = 0; k < PHASES; k++) s += part[k * C4 + t];
    mean[t] = s / float(n);
  }
  barrier();
  for (int o = t; o < R4; o += 64) {
    vec4 acc = W4(B1 + o);
    for (int c = 0; c < C4; c++) {
      vec4 v = mean[c];
      int k = (o * C4 + c) * 4;
      acc += W4(k) * v.x + W4(k + 1) * v.y + W4(k + 2) * v.z + W4(k + 3) * v.w;
    }
    hid[o] = activate(acc, ACT);
    if (LAYERS == 1) dst.y[o] = OTYPE(hid[o]);
  }
  if (LAYERS == 2) {
    barrier();
    for (int o = t; o < C4; o += 64) {
      vec4 acc = W4(B2 + o);
      for (int r = 0; r < R4; r++) {
        vec4 v = hid[r];
        int k = W2 + (o * R4 + r) * 4;
        acc += W4(k) * v.x + W4(k + 1) * v.y + W4(k + 2) * v.z + W4(k + 3) * v.w;
      }
      dst.y[o] = OTYPE(activate(acc, ACT2));
    }
  }
}
