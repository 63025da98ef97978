#version 450
// pseg variants: 0 1  (storage variants built: bits in CMakeLists.txt)
/* RESIZE_BILINEAR. pc.mode 0: half-pixel centres (src = (dst + 0.5) * in/out - 0.5, clamped);
 * 1: legacy (src = dst * in/out); 2: align corners (src = dst * (in-1)/(out-1)).
 * RESIZE_NEAREST_NEIGHBOR: pc.mode 3-5, the same conventions (TFLite's GetNearestNeighbor: floor,
 * round with align corners), the scales in pc.aux0 / aux1 (float bits).
 * RES 1: the residual ADD after the resize absorbed (a decoder's upsampled map plus its skip
 * connection): R (the output's shape) added before the activation, which is then the ADD's.
 * One invocation: NPX output pixels of a row x every vec4 of channels. */
#include "common/net.glsl"
layout(local_size_x = 8, local_size_y = 8, local_size_z = 1) in;
layout(constant_id = 0) const int C4 = 1;
layout(constant_id = 1) const int ACT = 0;
layout(constant_id = 2) const int RES = 0;
layout(constant_id = 3) const int NPX = 1; /* output pixels of a row an invocation */

vec4 res(int o, vec4 v) { return RES != 0 ? v + texelFetch(R, o) : v; }

void px(int x, int y) {
  if (pc.mode >= 3) { /* RESIZE_NEAREST_NEIGHBOR */
    int sy = nearest_src(y, pc.in_h, intBitsToFloat(pc.aux0)), sx = nearest_src(x, pc.in_w, intBitsToFloat(pc.aux1));
    int i = (sy * pc.in_w + sx) * C4, o = (y * pc.out_w + x) * C4;
    [[unroll]] for (int c = 0; c < C4; c++) dst.y[o + c] = OTYPE(activate(res(o + c, texelFetch(X, i + c)), ACT));
    return;
  }
  int y1, x1;
  float ly, lx;
  int y0 = src_pair(y, pc.in_h, pc.out_h, y1, ly), x0 = src_pair(x, pc.in_w, pc.out_w, x1, lx);
  int i00 = (y0 * pc.in_w + x0) * C4, i01 = (y0 * pc.in_w + x1) * C4;
  int i10 = (y1 * pc.in_w + x0) * C4, i11 = (y1 * pc.in_w + x1) * C4;
  int o = (y * pc.out_w + x) * C4;
  [[unroll]] for (int c = 0; c < C4; c++) {
    vec4 top = mix(texelFetch(X, i00 + c), texelFetch(X, i01 + c), lx);
    vec4 bot = mix(texelFetch(X, i10 + c), texelFetch(X, i11 + c), lx);
    dst.y[o + c] = OTYPE(activate(res(o + c, mix(top, bot, ly)), ACT));
  }
}

void main() {
  int x = int(gl_GlobalInvocationID.x) * NPX, y = int(gl_GlobalInvocationID.y);
  if (y >= pc.out_h) return;
  if (NPX == 1) {
    if (x < pc.out_w) px(x, y);
    return;
  }
  for (int k = 0; k < NPX && x + k < pc.out_w; k++) px(x + k, y);
}
