#version 450
// pseg variants: 0 1 2 3 7  (storage variants built: bits in CMakeLists.txt)
/* GPU tier: DWCONV2D with dwconv.comp's fusions (same specialization constant ids and meanings:
 * HAS_RES, the projection PROJ_OC4 / PROJ_K with PROJ_RES, MASK_OUT, the 1x1 conv computed at
 * every tap PRE_IC4), in two phases over a tile of TP output pixels:
 *
 *   A. items (pixel, channel vec4), consecutive invocations on consecutive channels of a pixel
 *      (coalesced reads of X and of the weights): the depthwise result d, each item over its
 *      KH x KW taps (PRE: X' = pre_act(Wpre X + b) of that channel at each tap, computed there,
 *      never stored); act, residual; stored, or with a projection kept in shared memory;
 *   B. (projection) items (pixel, output vec4 [and its PROJ_K x PROJ_K block]) over d in shared
 *      memory; act, residual through G, and the mask (MASK_OUT: one float a pixel to binding 7).
 *
 * Without a projection the tile is any number of pixels and every item independent; with one,
 * the tile is small enough (kernels/dwconv.c: dwconv_gpu) for 64-256 workgroups on small maps.
 *
 * SE_LAYERS > 0 (runtime/plan.c, GPU plan): the squeeze-excite block that pools this output is
 * computed here: each workgroup sums its tile's channels (kept in shared memory in phase A) into
 * partial sums, and the last workgroup to finish adds them and runs the block's layers
 * (common/gse.glsl, weights from pc.w1, activations pc.s2), writing the gate to Y2: the block's
 * own dispatch, and its second read of the map, are gone. */
#define WEIGHTS
#include "common/gnet.glsl"
layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const int C4 = 1;
layout(constant_id = 1) const int KH = 1;
layout(constant_id = 2) const int KW = 1;
layout(constant_id = 3) const int SH = 1;
layout(constant_id = 4) const int SW = 1;
layout(constant_id = 6) const int ACT = 0;
layout(constant_id = 7) const int ACT2 = 0;
layout(constant_id = 8) const int HAS_RES = 0;
layout(constant_id = 9) const int PROJ_OC4 = 0;
layout(constant_id = 10) const int PROJ_K = 1;
layout(constant_id = 11) const int PROJ_ACT = 0;
layout(constant_id = 12) const int PROJ_RES = 0;
layout(constant_id = 13) const int PROJ_ACT2 = 0;
layout(constant_id = 14) const int MASK_OUT = 0; /* 1 + the person channel */
layout(constant_id = 15) const int SE_LAYERS = 0; /* a squeeze-excite block on the output: 1, 2 layers */
layout(constant_id = 18) const int SE_R4 = 1;     /* its hidden vec4s */
layout(constant_id = 16) const int PRE_IC4 = 0;
layout(constant_id = 17) const int PRE_ACT = 0;
layout(constant_id = 20) const int TP = 16; /* output pixels a workgroup */
layout(constant_id = 19) const int UNR = 0; /* 4: the projection four steps at a time (DOT_RUN) */
layout(std430, binding = 7) writeonly buffer Mask { float m[]; } mask; /* frame b at b * pc.by2 */

const int DW_BIAS = KH * KW * C4;
/* a PRELU folded in (ACT or ACT2 = ACT_PRELU): its slopes [C4] after the bias */
const int SLOPES = ACT == ACT_PRELU || ACT2 == ACT_PRELU ? C4 : 0;
const int PW = DW_BIAS + C4 + SLOPES;

/* Activation a of channel vec4 c. */
vec4 act_c(vec4 v, int a, int c) { return a == ACT_PRELU ? prelu(v, W4(DW_BIAS + C4 + c)) : activate(v, a); }
const int PW_BIAS = PW + PROJ_OC4 * PROJ_K * PROJ_K * C4 * 4;
const int PRE_W = PW_BIAS + PROJ_OC4;
const int PRE_BIAS = PRE_W + C4 * PRE_IC4 * 4;
const int NB = PROJ_K * PROJ_K * PROJ_OC4; /* projection outputs (vec4s) a tile pixel */
shared vec4 ds[PROJ_OC4 > 0 || SE_LAYERS > 0 ? C4 * TP : 1]; /* [channel vec4][pixel] */
layout(std430, binding = 6) coherent buffer Scratch { uint u[]; } sc;
const int GSE_MAXV = SE_LAYERS > 0 ? (C4 > SE_R4 ? C4 : SE_R4) : 1;
shared vec4 part[NT];
shared vec4 vin[GSE_MAXV];
shared vec4 vout[GSE_MAXV];
shared int gse_is_last;
#define GSE_W(k) W4S(k)
#include "common/gse.glsl"

/* PRE with at most PRE_REG_MAX input vec4s: the item's weights of the 1x1 conv (PRE_IC4 x 4 vec4s
 * of channel vec4 c) are loaded into registers once, not at each tap: on an H100 the loads, not the
 * multiply-adds, bounded the fused stride-2 block (consecutive invocations on consecutive channels
 * read different weights, four L1 wavefronts a load for sixteen FMAs). */
#define PRE_REG_MAX 4 /* 64 registers of weights */
const bool PRE_REG = PRE_IC4 > 0 && PRE_IC4 <= PRE_REG_MAX;
vec4 pw[PRE_REG ? PRE_IC4 * 4 : 1];
vec4 pb;
void pre_load(int c) {
  if (!PRE_REG) return;
  [[unroll]] for (int j = 0; j < PRE_IC4 * 4; j++) pw[j] = W4(PRE_W + c * PRE_IC4 * 4 + j);
  pb = W4(PRE_BIAS + c);
}

/* The depthwise input, channel vec4 c of input pixel i (PRE: computed from X; the same sums with
 * the weights from registers or from the buffer). */
vec4 dw_in(int i, int c) {
  if (PRE_IC4 == 0) return LX(i * C4 + c);
  if (PRE_REG) {
    vec4 a = pb;
    [[unroll]] for (int j = 0; j < PRE_IC4; j++) {
      vec4 x = LX(i * PRE_IC4 + j);
      a += pw[4 * j] * x.x + pw[4 * j + 1] * x.y + pw[4 * j + 2] * x.z + pw[4 * j + 3] * x.w;
    }
    return activate(a, PRE_ACT);
  }
  vec4 a = W4(PRE_BIAS + c);
  for (int j = 0; j < PRE_IC4; j++) a += W4X(PRE_W + (c * PRE_IC4 + j) * 4, LX(i * PRE_IC4 + j));
  return activate(a, PRE_ACT);
}

void main() {
  int t = int(gl_LocalInvocationID.x);
  int npix = pc.out_w * pc.out_h, q0 = WG_INDEX * TP;
  for (int it = t; it < TP * C4; it += NT) {
    int c = it % C4, p = it / C4, q = q0 + p;
    if (q >= npix) {
      if (SE_LAYERS > 0) ds[c * TP + p] = vec4(0.0);
      continue;
    }
    int oy = q / pc.out_w, ox = q - oy * pc.out_w;
    pre_load(c);
    vec4 d = W4(DW_BIAS + c);
    int dly = max(pc.mode & 255, 1), dlx = max((pc.mode >> 8) & 255, 1); /* dilation: rows, columns */
    for (int ky = 0; ky < KH; ky++) {
      int iy = oy * SH - pc.pad_t + ky * dly;
      if (iy < 0 || iy >= pc.in_h) continue;
      for (int kx = 0; kx < KW; kx++) {
        int ix = ox * SW - pc.pad_l + kx * dlx;
        if (ix < 0 || ix >= pc.in_w) continue;
        d += dw_in(iy * pc.in_w + ix, c) * W4((ky * KW + kx) * C4 + c);
      }
    }
    d = act_c(d, ACT, c);
    if (HAS_RES != 0) d = act_c(d + LR(q * C4 + c), ACT2, c);
    if (PROJ_OC4 > 0 || SE_LAYERS > 0) ds[c * TP + p] = d;
    if (PROJ_OC4 == 0) SY(q * C4 + c, d);
  }
  if (SE_LAYERS > 0) { /* the block on this output (no projection: plan.c) */
    int nwg = int(gl_NumWorkGroups.x * gl_NumWorkGroups.y);
    barrier();
    for (int c = t; c < C4; c += NT) {
      vec4 a = vec4(0.0);
      for (int p = 0; p < TP; p++) a += ds[c * TP + p];
      gse_put(pc.s1, nwg, WG_INDEX, C4, c, a);
    }
    if (!gse_last(pc.s0 + BATCH, nwg)) return;
    gse_total(pc.s1, nwg, C4, 0, C4, 1.0 / float(npix));
    barrier();
    int n = gse_layers(SE_LAYERS, C4, SE_R4, pc.s2 & 255, pc.s2 >> 8, 0);
    for (int c = t; c < n; c += NT) SY2(c, vout[c]);
    return;
  }
  if (PROJ_OC4 == 0) return;
  barrier();
  for (int it = t; it < TP * NB; it += NT) {
    int p = it % TP, o = it / TP, q = q0 + p;
    if (q >= npix) continue;
    int o4 = o / (PROJ_K * PROJ_K), tap = o - o4 * PROJ_K * PROJ_K, ky = tap / PROJ_K, kx = tap - ky * PROJ_K;
    vec4 a = W4(PW_BIAS + o4);
#define WK(j) (PW + (o * C4 + (j)) * 4)
#define XV(j) STYPE(ds[(j) * TP + p])
    DOT_RUN(a, C4, WK, XV)
#undef WK
#undef XV
    a = activate(a, PROJ_ACT);
    int oy = q / pc.out_w, ox = q - oy * pc.out_w;
    int po = ((oy * PROJ_K + ky) * pc.out_w * PROJ_K + ox * PROJ_K + kx) * PROJ_OC4 + o4;
    if (PROJ_RES != 0) a = activate(a + LG(po), PROJ_ACT2);
    if (MASK_OUT != 0) mask.m[BATCH * pc.by2 + po] = clamp(a[max(MASK_OUT - 1, 0)], 0.0, 1.0);
    else SY(po, a);
  }
}
