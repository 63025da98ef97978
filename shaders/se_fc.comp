#version 450
/* The two 1x1 layers of a squeeze-excite block on its pooled vector (X, C4 vec4s):
 * hidden = act(W1 mean + b1), gate = act2(W2 hidden + b2). The gate is applied by the layer
 * that reads the block's output (conv.comp / binary.comp HAS_GATE), so the block takes two
 * dispatches: mean.comp and this.
 * Weights: W1 [R4][C4][4] vec4, b1 [R4], W2 [C4][R4][4] vec4, b2 [C4] (conv.comp's packing).
 * With weights in specialization constants one invocation computes everything (every loop
 * unrolls); otherwise 64 invocations share the rows. */
#define WEIGHTS
#include "common/net.glsl"
#ifdef WSPEC
#define NT 1
#else
#define NT 64
#endif
layout(local_size_x = NT, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const int C4 = 1; /* channels of the block, in vec4s */
layout(constant_id = 1) const int R4 = 1; /* hidden units, in vec4s */
layout(constant_id = 2) const int ACT = 0;
layout(constant_id = 3) const int ACT2 = 0;
const int B1 = R4 * C4 * 4, W2 = B1 + R4, B2 = W2 + C4 * R4 * 4;
#ifdef WSPEC
vec4 hid[R4];
#else
shared vec4 hid[R4];
#endif

void main() {
  WEIGHTS_INIT();
#ifdef WSPEC
  const int t = 0;
#else
  int t = int(gl_LocalInvocationID.x);
#endif
  UNROLL for (int o = t; o < R4; o += NT) {
    vec4 acc = W4(B1 + o);
    UNROLL for (int c = 0; c < C4; c++) {
      vec4 v = texelFetch(X, c);
      int k = (o * C4 + c) * 4;
      acc += W4(k) * v.x + W4(k + 1) * v.y + W4(k + 2) * v.z + W4(k + 3) * v.w;
    }
    hid[o] = activate(acc, ACT);
  }
#ifndef WSPEC
  barrier();
#endif
  UNROLL for (int o = t; o < C4; o += NT) {
    vec4 acc = W4(B2 + o);
    UNROLL for (int r = 0; r < R4; r++) {
      vec4 v = hid[r];
      int k = W2 + (o * R4 + r) * 4;
      acc += W4(k) * v.x + W4(k + 1) * v.y + W4(k + 2) * v.z + W4(k + 3) * v.w;
    }
    dst.y[o] = OTYPE(activate(acc, ACT2));
  }
}
