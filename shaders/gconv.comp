#version 450
// pseg variants: 0 1 2 3 7  (storage variants built: bits in CMakeLists.txt)
/* GPU tier: CONV2D with every fusion of conv.comp (same specialization constant ids and
 * meanings: MODE 0 conv, 1 transposed conv with kernel == stride, 5 any other transposed conv (a
 * gather, like MODE 0 with the taps that land on each output pixel), 2 the 1x1 conv of a bilinear
 * resize, 3 / 4 the first layer reading the RGBA8 frame; HAS_GATE, IN_ADD, HAS_RES, AUX_OUT,
 * AUX_IN, EPI_OC4 ...), shaped for a GPU as an implicit GEMM:
 *
 *   M = pixels: a workgroup takes a tile of TP output pixels (MODE 1: input pixels);
 *   N = output vec4s: every one of the tile's, spread with the pixels over the 64 invocations
 *       (item it: pixel it % TP, output vec4 it / TP; IPT items an invocation, in registers);
 *   K = input vec4s (KH * KW * IC4, the im2col row): staged CK at a time in shared memory, with
 *       the read-side fusions (gate, addend, bilinear sampling, the frame's stretch and scale)
 *       applied once per staged value, not once per output.
 *
 * Small maps get small tiles (kernels/conv.c: conv_gpu), so a 16x16 layer still spreads over
 * 64-256 workgroups with one or two output vec4s an invocation; a whole tile's outputs come from
 * one workgroup, which reads its input pixels before writing any output (so a 1x1 conv may
 * write in place of its input: runtime/session.c). Weights are read from the buffer: in an
 * item's inner loop every invocation of a warp with the same output vec4 reads the same weight
 * (a broadcast), and at batch 1 a tile has too few pixels to pay for copying them to shared
 * memory. EPI_OC4: the tile's conv results go to shared memory and a second phase computes the
 * 1x1 conv after it, its outputs spread over the invocations the same way. F16MATH (fp16-all):
 * the staged values and the tile's results in fp16, products in fp16, sums over K in fp32. */
#define WEIGHTS
#include "common/gnet.glsl"
layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const int IC4 = 1;
layout(constant_id = 1) const int OC4 = 1;
layout(constant_id = 2) const int KH = 1;
layout(constant_id = 3) const int KW = 1;
layout(constant_id = 4) const int SH = 1;
layout(constant_id = 5) const int SW = 1;
layout(constant_id = 6) const int MODE = 0;
layout(constant_id = 8) const int ACT = 0;
layout(constant_id = 9) const int ACT2 = 0;
layout(constant_id = 10) const int HAS_GATE = 0;
layout(constant_id = 11) const int IN_ADD = 0;
layout(constant_id = 12) const int HAS_RES = 0;
layout(constant_id = 13) const int AUX_OUT = 0;
layout(constant_id = 14) const int AUX_IN = 0;
layout(constant_id = 16) const int EPI_OC4 = 0;
layout(constant_id = 17) const int EPI_ACT = 0;
layout(constant_id = 18) const int EPI_AUX = 0;
layout(constant_id = 20) const int TP = 16; /* pixels a workgroup */
layout(constant_id = 21) const int CK = 8;  /* input vec4s a pixel staged per pass */
layout(constant_id = 22) const int IPT = 1; /* output vec4s an invocation: ceil(TP * NO / 64) */
layout(constant_id = 19) const int UNR = 0; /* 4: the inner loops four steps at a time (DOT_RUN) */
layout(std430, binding = 7) readonly buffer Frame { uint p[]; } frame; /* MODE 3, 4 */

const int NO = MODE == 1 ? KH * KW * OC4 : OC4;                  /* output vec4s a tile pixel */
const int KT = MODE == 1 || MODE == 2 ? IC4 : KH * KW * IC4;      /* input vec4s an output */
const int BIAS = OC4 * KH * KW * IC4 * 4;                          /* vec4 index of the bias */
/* a PRELU folded in (ACT or ACT2 = ACT_PRELU): its slopes [OC4] after the bias */
const int SLOPES = ACT == ACT_PRELU || ACT2 == ACT_PRELU ? OC4 : 0;
const int EW = BIAS + OC4 + SLOPES, EBIAS = EW + EPI_OC4 * OC4 * 4; /* the second conv's */

/* Activation a of output vec4 o. */
vec4 act_c(vec4 v, int a, int o) { return a == ACT_PRELU ? prelu(v, W4(BIAS + OC4 + o)) : activate(v, a); }
shared STYPE xs[CK * TP];                                          /* [k][pixel] (F16MATH: fp16) */
shared STYPE es[EPI_OC4 > 0 ? OC4 * TP : 1];                        /* [vec4][pixel] */

/* Input vec4 c of input pixel i, with the read-side fusions. */
vec4 fetch(int i, int c) {
  vec4 v = LX(i * IC4 + c);
  if (HAS_GATE == 1) v *= LG(c);
  if (IN_ADD != 0) v += LR(i * IC4 + c);
  return v;
}

/* MODE 3 / 4: model-input pixel (x, y) from the frame (pc.aux0 x pc.aux1), as conv.comp. */
vec4 frame_at(int x, int y) { return unpackUnorm4x8(frame.p[BATCH * pc.bx + y * pc.aux0 + x]); }
vec4 frame_px(int x, int y) {
  if (MODE == 4) return frame_at(x, y);
  int fw = pc.aux0, fh = pc.aux1;
  float fx = max((float(x) + 0.5) * float(fw) / float(pc.in_w) - 0.5, 0.0);
  float fy = max((float(y) + 0.5) * float(fh) / float(pc.in_h) - 0.5, 0.0);
  int x0 = min(int(fx), fw - 1), y0 = min(int(fy), fh - 1);
  int x1 = min(x0 + 1, fw - 1), y1 = min(y0 + 1, fh - 1);
  float lx = fx - float(x0), ly = fy - float(y0);
  return mix(mix(frame_at(x0, y0), frame_at(x1, y0), lx), mix(frame_at(x0, y1), frame_at(x1, y1), lx), ly);
}

/* Element k of the im2col row of pixel q (MODE 1: input vec4 k of input pixel q). */
vec4 stage_value(int q, int k) {
  if (MODE == 1) return fetch(q, k);
  int oy = q / pc.out_w, ox = q - oy * pc.out_w;
  if (MODE == 2) {
    int y1, x1;
    float ly, lx;
    int y0 = src_pair(oy, pc.in_h, pc.out_h, y1, ly), x0 = src_pair(ox, pc.in_w, pc.out_w, x1, lx);
    vec4 top = mix(fetch(y0 * pc.in_w + x0, k), fetch(y0 * pc.in_w + x1, k), lx);
    vec4 bot = mix(fetch(y1 * pc.in_w + x0, k), fetch(y1 * pc.in_w + x1, k), lx);
    return mix(top, bot, ly);
  }
  int tap = k / IC4, c = k - tap * IC4, ky = tap / KW, kx = tap - ky * KW;
  int iy = oy * SH - pc.pad_t + ky * max(pc.mode & 255, 1), ix = ox * SW - pc.pad_l + kx * max((pc.mode >> 8) & 255, 1);
  if (MODE == 5) { /* TCONV2D in general: the input pixel whose tap (ky, kx) lands here, if any */
    int ny = oy + pc.pad_t - ky, nx = ox + pc.pad_l - kx, qy = max(ny, 0) / SH, qx = max(nx, 0) / SW;
    iy = ny >= 0 && qy * SH == ny ? qy : -1;
    ix = nx >= 0 && qx * SW == nx ? qx : -1;
  }
  if (iy < 0 || iy >= pc.in_h || ix < 0 || ix >= pc.in_w) return vec4(0.0); /* padding */
  if (MODE == 3 || MODE == 4) return frame_px(ix, iy);
  int i = iy * pc.in_w + ix;
  vec4 v = fetch(i, c);
  if (AUX_IN != 0) SY2(i * IC4 + c, v); /* 1x1 stride 1: each value is staged once */
  return v;
}

void main() {
  int t = int(gl_LocalInvocationID.x);
  int npix = MODE == 1 ? pc.in_w * pc.in_h : pc.out_w * pc.out_h;
  int q0 = WG_INDEX * TP;
  vec4 acc[IPT];
  [[unroll]] for (int r = 0; r < IPT; r++) {
    int it = t + NT * r, o = it / TP;
    acc[r] = it < TP * NO ? W4(BIAS + (MODE == 1 ? o / (KH * KW) : o)) : vec4(0.0);
  }
  for (int k0 = 0; k0 < KT; k0 += CK) {
    for (int s = t; s < TP * CK; s += NT) { /* consecutive invocations: consecutive input vec4s */
      int p = s / CK, kk = s - p * CK, q = q0 + p, k = k0 + kk;
      xs[kk * TP + p] = STYPE(q < npix && k < KT ? stage_value(q, k) : vec4(0.0));
    }
    barrier();
    int kn = min(CK, KT - k0);
    [[unroll]] for (int r = 0; r < IPT; r++) {
      int it = t + NT * r;
      if (it < TP * NO) {
        int p = it % TP, w = ((it / TP) * KT + k0) * 4;
        vec4 a = acc[r];
#define WK(j) (w + (j) * 4)
#define XV(j) xs[(j) * TP + p]
        DOT_RUN(a, kn, WK, XV)
#undef WK
#undef XV
        acc[r] = a;
      }
    }
    barrier();
  }
  /* the epilogue of each output vec4: activation, gates, second output, residual, store */
  [[unroll]] for (int r = 0; r < IPT; r++) {
    int it = t + NT * r;
    int p = it % TP, o = it / TP, q = q0 + p;
    if (it >= TP * NO || q >= npix) continue;
    int oi, og; /* the output's vec4 index and its channel vec4 */
    if (MODE == 1) { /* o = (o4 * KH + ky) * KW + kx (the weights' order) */
      int o4 = o / (KH * KW), tap = o - o4 * KH * KW, ky = tap / KW, kx = tap - ky * KW;
      int iy = q / pc.in_w, ix = q - iy * pc.in_w;
      oi = ((iy * SH + ky) * pc.out_w + ix * SW + kx) * OC4 + o4, og = o4;
    } else {
      oi = q * OC4 + o, og = o;
    }
    vec4 v = act_c(acc[r], ACT, og);
    if (HAS_GATE == 3) v *= LG(og);
    if (AUX_OUT == 1) SY2(oi, v);
    if (HAS_RES != 0) v = act_c(v + LR(oi) * (HAS_GATE == 2 ? LG(og) : vec4(1.0)), ACT2, og);
    if (AUX_OUT >= 2) SY2(oi, activate(v, AUX_OUT - 2)); /* conv.comp */
    if (EPI_OC4 > 0) {
      es[o * TP + p] = STYPE(v);
      if (EPI_AUX != 0) SY2(oi, v);
    } else {
      SY(oi, v);
    }
  }
  if (EPI_OC4 > 0) { /* the 1x1 conv after it, from the tile's results */
    barrier();
    for (int it = t; it < TP * EPI_OC4; it += NT) {
      int p = it % TP, e = it / TP, q = q0 + p;
      if (q >= npix) continue;
      vec4 a = W4(EBIAS + e);
#define WK(j) (EW + (e * OC4 + (j)) * 4)
#define XV(j) es[(j) * TP + p]
      DOT_RUN(a, OC4, WK, XV)
#undef WK
#undef XV
      SY(q * EPI_OC4 + e, activate(a, EPI_ACT));
    }
  }
}
