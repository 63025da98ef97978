#version 450
// pseg variants: 0 1  (storage variants built: bits in CMakeLists.txt)
/* GPU tier: the pixel-wise layers, one invocation an output vec4 (KIND 0, 1) or a pixel (2), a
 * linear grid of 64-invocation workgroups, frames over grid z:
 *   KIND 0: binary.comp's ADD / MUL / SUB / DIV (same shape, or R broadcast: BCAST), CONCAT and
 *           SLICE (OP 5, 6), MAX_POOL_2D (OP 7), AVERAGE_POOL_2D (OP 8), RESHAPE (OP 9) and the
 *           standalone activations (OP 2), X optionally gated by G (HAS_GATE);
 *   KIND 1: resize.comp's RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR (pc.mode the coordinate
 *           convention), OP 1: R added before the activation (resize.comp's RES);
 *   KIND 2: softmax.comp's SOFTMAX over the pc.aux0 channels of a pixel (max subtracted);
 *   KIND 3: softmax.comp's channel reductions (pc.mode 0 sum, 1 max) to one value a pixel.
 * Constant ids 0-4 as binary.comp's (resize's activation moves to id 4: kernels/resize.c). */
#include "common/gnet.glsl"
layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const int C4 = 1;
layout(constant_id = 1) const int OP = 0;
layout(constant_id = 2) const int BCAST = 0;
layout(constant_id = 3) const int HAS_GATE = 0;
layout(constant_id = 4) const int ACT = 0;
layout(constant_id = 5) const int KIND = 0;

void main() {
  int it = WG_INDEX * NT + int(gl_LocalInvocationID.x), npix = pc.out_w * pc.out_h;
  if (KIND == 3) {
    if (it >= npix) return;
    int base = it * C4, C = pc.aux0;
    float r = pc.mode == 1 ? -1.0 / 0.0 : 0.0;
    for (int c = 0; c < C; c++) {
      float v = LX(base + c / 4)[c % 4];
      r = pc.mode == 1 ? max(r, v) : r + v;
    }
    SY(it, vec4(r, 0.0, 0.0, 0.0));
    return;
  }
  if (KIND == 2) {
    if (it >= npix) return;
    int base = it * C4, C = pc.aux0;
    float m = -1.0 / 0.0;
    for (int c = 0; c < C; c++) m = max(m, LX(base + c / 4)[c % 4]);
    float s = 0.0;
    for (int c = 0; c < C; c++) s += exp(LX(base + c / 4)[c % 4] - m);
    for (int c4 = 0; c4 < C4; c4++) {
      vec4 v = LX(base + c4), o;
      for (int k = 0; k < 4; k++) o[k] = (c4 * 4 + k < C) ? exp(v[k] - m) / s : 0.0;
      SY(base + c4, o);
    }
    return;
  }
  if (it >= npix * C4) return;
  int c = it % C4, q = it / C4;
  if (KIND == 1) {
    int y = q / pc.out_w, x = q - y * pc.out_w;
    if (pc.mode >= 3) { /* RESIZE_NEAREST_NEIGHBOR (resize.comp's) */
      int sy = nearest_src(y, pc.in_h, intBitsToFloat(pc.aux0)), sx = nearest_src(x, pc.in_w, intBitsToFloat(pc.aux1));
      vec4 v = LX((sy * pc.in_w + sx) * C4 + c);
      SY(it, activate(OP != 0 ? v + LR(it) : v, ACT));
      return;
    }
    int y1, x1;
    float ly, lx;
    int y0 = src_pair(y, pc.in_h, pc.out_h, y1, ly), x0 = src_pair(x, pc.in_w, pc.out_w, x1, lx);
    vec4 top = mix(LX((y0 * pc.in_w + x0) * C4 + c), LX((y0 * pc.in_w + x1) * C4 + c), lx);
    vec4 bot = mix(LX((y1 * pc.in_w + x0) * C4 + c), LX((y1 * pc.in_w + x1) * C4 + c), lx);
    vec4 v = mix(top, bot, ly);
    SY(it, activate(OP != 0 ? v + LR(it) : v, ACT));
    return;
  }
  if (OP == 7 || OP == 8) { /* MAX_POOL_2D, AVERAGE_POOL_2D: binary.comp's */
    int y = q / pc.out_w, x = q - y * pc.out_w;
    vec4 m = vec4(OP == 7 ? -1.0 / 0.0 : 0.0);
    int n = 0;
    for (int ky = 0; ky < pc.kh; ky++) {
      int iy = y * pc.sh - pc.pad_t + ky;
      if (iy < 0 || iy >= pc.in_h) continue;
      for (int kx = 0; kx < pc.kw; kx++) {
        int ix = x * pc.sw - pc.pad_l + kx;
        if (ix < 0 || ix >= pc.in_w) continue;
        vec4 v = LX((iy * pc.in_w + ix) * C4 + c);
        m = OP == 7 ? max(m, v) : m + v;
        n++;
      }
    }
    if (OP == 8) m /= float(max(n, 1));
    SY(it, activate(m, ACT));
    return;
  }
  if (OP == 9) { /* RESHAPE: binary.comp's */
    vec4 v = vec4(0.0);
    for (int k = 0; k < 4 && 4 * c + k < pc.mode; k++) {
      int e = q * pc.mode + 4 * c + k, sp = e / pc.aux0, sc = e - sp * pc.aux0;
      v[k] = LX(sp * pc.in_c4 + sc / 4)[sc % 4];
    }
    SY(it, mix(vec4(0.0), activate(v, ACT), greaterThan(ivec4(pc.mode - 4 * c), ivec4(0, 1, 2, 3))));
    return;
  }
  if (OP >= 5) { /* CONCAT, SLICE: binary.comp's */
    int y = q / pc.out_w, iy = y - pc.pad_t, ix = q - y * pc.out_w - pc.pad_l, p = iy * pc.in_w + ix;
    bool inside = iy >= 0 && iy < pc.in_h && ix >= 0 && ix < pc.in_w; /* else a padded border */
    vec4 v;
    for (int k = 0; k < 4; k++) {
      int ch = 4 * c + k, sx = OP == 6 ? ch + pc.aux0 : ch, sr = ch - pc.aux0;
      v[k] = ch >= pc.mode || !inside ? 0.0
           : OP == 6 || ch < pc.aux0 ? LX(p * pc.in_c4 + sx / 4)[sx % 4] : LR(q * pc.aux1 + sr / 4)[sr % 4];
    }
    v = activate(v, ACT);
    SY(it, mix(vec4(0.0), v, greaterThan(ivec4(pc.mode - 4 * c), ivec4(0, 1, 2, 3))));
    return;
  }
  vec4 v = LX(it);
  if (HAS_GATE != 0) v *= LG(c);
  if (OP != 2) {
    vec4 u = BCAST == 2 ? vec4(LR(q).x) : LR(BCAST != 0 ? c : it);
    v = OP == 0 ? v + u : OP == 1 ? v * u : OP == 3 ? v - u : v / u;
  }
  SY(it, activate(v, ACT));
}
