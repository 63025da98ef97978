#version 450
// pseg variants: 0 1  (storage variants built: bits in CMakeLists.txt)
/* SOFTMAX over the channels of each pixel, numerically stable form: p = exp(x - max) / sum
 * (KIND 0), or a reduction over them to one value a pixel (KIND 1: pc.mode 0 sum, 1 max; the
 * output has one vec4 a pixel, its first lane the value).
 * pc.aux0: the real channel count (the vec4 padding lanes are ignored and written as 0). */
#include "common/net.glsl"
layout(local_size_x = 8, local_size_y = 8, local_size_z = 1) in;
layout(constant_id = 0) const int C4 = 1;
layout(constant_id = 1) const int KIND = 0;

void main() {
  int x = int(gl_GlobalInvocationID.x), y = int(gl_GlobalInvocationID.y);
  if (x >= pc.out_w || y >= pc.out_h) return;
  int base = (y * pc.out_w + x) * C4, C = pc.aux0;
  if (KIND == 1) {
    float r = pc.mode == 1 ? -1.0 / 0.0 : 0.0;
    for (int c = 0; c < C; c++) {
      float v = texelFetch(X, base + c / 4)[c % 4];
      r = pc.mode == 1 ? max(r, v) : r + v;
    }
    dst.y[y * pc.out_w + x] = OTYPE(vec4(r, 0.0, 0.0, 0.0));
    return;
  }
  float m = -1.0 / 0.0;
  for (int c = 0; c < C; c++) m = max(m, texelFetch(X, base + c / 4)[c % 4]);
  float s = 0.0;
  for (int c = 0; c < C; c++) s += exp(texelFetch(X, base + c / 4)[c % 4] - m);
  for (int c4 = 0; c4 < C4; c4++) {
    vec4 v = texelFetch(X, base + c4), o;
    for (int k = 0; k < 4; k++) o[k] = (c4 * 4 + k < C) ? exp(v[k] - m) / s : 0.0;
    dst.y[base + c4] = OTYPE(o);
  }
}
