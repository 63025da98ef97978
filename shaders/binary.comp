#version 450
// pseg variants: 0 1  (storage variants built: bits in CMakeLists.txt)
/* ADD / MUL / standalone activation over vec4-packed tensors.
 * OP: 0 add, 1 mul, 2 activation only, 3 sub, 4 div.  BCAST 1: the second input is [1,1,C];
 * 2: it is [H,W,1] (one value a pixel, for every channel).
 * OP 5: CONCAT, channels [0, pc.aux0) from X (pc.in_c4 vec4s a pixel), the rest from R (pc.aux1);
 * OP 6: SLICE, channel c from X's channel c + pc.aux0 (pc.in_c4 vec4s a pixel), pixel (y, x)
 * from X's (y - pc.pad_t, x - pc.pad_l) of pc.in_h x pc.in_w, 0 outside it (a PAD, or a crop).
 * pc.mode: the output's real channels (its padding lanes get 0).
 * OP 7: MAX_POOL_2D, a pc.kh x pc.kw window at stride pc.sh, pc.sw after pc.pad_t, pc.pad_l of
 * padding; cells outside the map do not count (TFLite); OP 8: AVERAGE_POOL_2D, the same window's
 * mean over the cells inside the map (TFLite's divisor).
 * OP 9: RESHAPE, output element e (NHWC order, pc.mode channels a pixel) from X's element e
 * (pc.aux0 channels a pixel, pc.in_c4 vec4s).
 * HAS_GATE: the first input is multiplied by a per-channel gate (G) as it is read (squeeze-excite).
 * One invocation: one pixel x every vec4 of channels. */
#include "common/net.glsl"
layout(local_size_x = 8, local_size_y = 8, local_size_z = 1) in;
layout(constant_id = 0) const int C4 = 1;
layout(constant_id = 1) const int OP = 0;
layout(constant_id = 2) const int BCAST = 0;
layout(constant_id = 3) const int HAS_GATE = 0;
layout(constant_id = 4) const int ACT = 0;

void main() {
  int x = int(gl_GlobalInvocationID.x), y = int(gl_GlobalInvocationID.y);
  if (x >= pc.out_w || y >= pc.out_h) return;
  int base = (y * pc.out_w + x) * C4;
  if (OP == 7 && pc.kh == 2 && pc.kw == 2 && pc.sh == 2 && pc.sw == 2 && pc.pad_t == 0 && pc.pad_l == 0 &&
      2 * y + 1 < pc.in_h && 2 * x + 1 < pc.in_w) {
    /* the usual 2x2 stride 2 max pool, window inside the map: four fetches, no loops */
    int i0 = (2 * y * pc.in_w + 2 * x) * C4, i1 = i0 + pc.in_w * C4;
    for (int c = 0; c < C4; c++) {
      vec4 m = max(max(texelFetch(X, i0 + c), texelFetch(X, i0 + C4 + c)), max(texelFetch(X, i1 + c), texelFetch(X, i1 + C4 + c)));
      dst.y[base + c] = OTYPE(activate(m, ACT));
    }
    return;
  }
  if (OP == 7 || OP == 8) {
    for (int c = 0; c < C4; c++) {
      vec4 m = vec4(OP == 7 ? -1.0 / 0.0 : 0.0);
      int n = 0;
      for (int ky = 0; ky < pc.kh; ky++) {
        int iy = y * pc.sh - pc.pad_t + ky;
        if (iy < 0 || iy >= pc.in_h) continue;
        for (int kx = 0; kx < pc.kw; kx++) {
          int ix = x * pc.sw - pc.pad_l + kx;
          if (ix < 0 || ix >= pc.in_w) continue;
          vec4 v = texelFetch(X, (iy * pc.in_w + ix) * C4 + c);
          m = OP == 7 ? max(m, v) : m + v;
          n++;
        }
      }
      if (OP == 8) m /= float(max(n, 1));
      dst.y[base + c] = OTYPE(activate(m, ACT));
    }
    return;
  }
  if (OP == 9) {
    for (int c = 0; c < C4; c++) {
      vec4 v = vec4(0.0);
      for (int k = 0; k < 4 && 4 * c + k < pc.mode; k++) {
        int e = (y * pc.out_w + x) * pc.mode + 4 * c + k, sp = e / pc.aux0, sc = e - sp * pc.aux0;
        v[k] = texelFetch(X, sp * pc.in_c4 + sc / 4)[sc % 4];
      }
      v = mix(vec4(0.0), activate(v, ACT), greaterThan(ivec4(pc.mode - 4 * c), ivec4(0, 1, 2, 3)));
      dst.y[base + c] = OTYPE(v);
    }
    return;
  }
  if (OP >= 5) {
    int sy = y - pc.pad_t, sx = x - pc.pad_l; /* the input's pixel (a CONCAT: the output's) */
    if (sy < 0 || sy >= pc.in_h || sx < 0 || sx >= pc.in_w) { /* a padded border */
      for (int c = 0; c < C4; c++)
        dst.y[base + c] = OTYPE(mix(vec4(0.0), activate(vec4(0.0), ACT), greaterThan(ivec4(pc.mode - 4 * c), ivec4(0, 1, 2, 3))));
      return;
    }
    int px = sy * pc.in_w + sx;
    if (pc.aux0 % 4 == 0) {
      /* At a vec4 boundary: whole vec4s, not four lanes gathered one at a time (2x faster) */
      int xc4 = pc.aux0 / 4;
      for (int c = 0; c < C4; c++) {
        vec4 v = OP == 6 ? texelFetch(X, px * pc.in_c4 + c + xc4)
               : c < xc4 ? texelFetch(X, px * pc.in_c4 + c) : texelFetch(R, px * pc.aux1 + c - xc4);
        if (4 * c + 4 > pc.mode) v = mix(vec4(0.0), v, greaterThan(ivec4(pc.mode - 4 * c), ivec4(0, 1, 2, 3)));
        dst.y[base + c] = OTYPE(activate(v, ACT));
      }
      return;
    }
    for (int c = 0; c < C4; c++) {
      vec4 v;
      for (int k = 0; k < 4; k++) {
        int ch = 4 * c + k, sx = OP == 6 ? ch + pc.aux0 : ch, sr = ch - pc.aux0;
        v[k] = ch >= pc.mode ? 0.0 /* a padding lane */
             : OP == 6 || ch < pc.aux0 ? texelFetch(X, px * pc.in_c4 + sx / 4)[sx % 4]
                                       : texelFetch(R, px * pc.aux1 + sr / 4)[sr % 4];
      }
      dst.y[base + c] = OTYPE(activate(v, ACT));
    }
    return;
  }
  [[unroll]] for (int c = 0; c < C4; c++) {
    vec4 v = texelFetch(X, base + c);
    if (HAS_GATE != 0) v *= texelFetch(G, c);
    if (OP != 2) {
      vec4 u = BCAST == 2 ? vec4(texelFetch(R, y * pc.out_w + x).x) : texelFetch(R, BCAST != 0 ? c : base + c);
      v = OP == 0 ? v + u : OP == 1 ? v * u : OP == 3 ? v - u : v / u;
    }
    dst.y[base + c] = OTYPE(activate(v, ACT));
  }
}
