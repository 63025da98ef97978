#version 450
// pseg variants: 0 1 2 3 4 5 6 7 8 9 40 41 72 73 104 105 24 25 56 57 88 89 120 121 16 17 18 19 20 21 22 23 128 129 130 131 144 145 146 147  (storage variants built: bits in CMakeLists.txt)
/* CONV2D (MODE 0), TCONV2D (MODE 1: transposed convolution with kernel == stride: each input
 * pixel makes a KH x KW block of output pixels, so the grid is over input pixels) and a 1x1
 * CONV2D of the bilinear resize of its input (MODE 2: RESIZE_BILINEAR fused into the 1x1 conv
 * that follows it; pc.mode is the coordinate convention), and CONV2D reading the frame itself
 * (MODE 3: pre-processing fused into the network's first layer: X is the RGBA8 frame of
 * pc.aux0 x pc.aux1 pixels, stretched to the model's input in_w x in_h with half-pixel bilinear
 * filtering as it is read; the input's 4th channel has zero weights; MODE 4: the same with a
 * frame of the model's input size, read as it is), and TCONV2D in general (MODE 5: TFLite's
 * TRANSPOSE_CONV, out[iy * SH - pad + ky] += in[iy] * w[ky], as a gather: output row oy takes
 * the taps ky with oy + pad - ky a multiple of SH; the others are fetched and multiplied by 0).
 * MODE 6: MODE 5 with the grid by output phase, only the taps that land (tconv_phases below).
 * Dilation of MODE 0, 3, 4 in pc.mode: rows in the low byte, columns in the next (0: 1).
 *
 * With weights in a buffer (the CPU tiers' base kernels), MODE 0 and 6 compute NPX output pixels
 * an invocation: lavapipe loads a buffer weight per invocation inside a loop (the index is not
 * known to be uniform there), so NPX pixels share each load (runtime/plan.c: plan_narrow).
 *
 * Weights: [O4][kh][kw][I4][4 input channels] of vec4 over 4 output channels, then the bias
 * [O4]. One invocation: one output pixel x OCB vec4s of output channels (grid z = OC4 / OCB);
 * with weights in specialization constants OCB = OC4, so each input is fetched once. Shapes are
 * specialization constants so the loops unroll; accumulation in fp32.
 *
 * No early return and no branch around the arithmetic: padding taps are fetched at a clamped
 * address and multiplied by 0, and only the stores are conditional. Outside control flow a
 * uniform-buffer weight is one scalar load on lavapipe; inside it, a gather per invocation.
 *
 * Fusions (specialization constants):
 *   HAS_GATE  1: the input is multiplied per channel by G as it is read (a squeeze-excite gate);
 *             2: the residual is instead: out = act2(act(conv) + R * G) (a gated skip added to
 *             this conv's result, whose gate does not need that result: runtime/plan.c);
 *             3: the output is: out = act(conv) * G (a gate made before this conv);
 *   IN_ADD    R is added to the (gated) input as it is read: conv(X * G + R);
 *   HAS_RES   out = act2(act(conv) + R): a residual ADD after the conv;
 *   AUX_OUT   1: act(conv) (before the residual) is written to Y2 as well; 2 + a: activation a
 *             of the output is written to Y2 as well (a standalone activation reading a value that
 *             other layers read too);
 *   AUX_IN    (1x1, stride 1) the input as read, X * G + R, is written to Y2: an ADD fused into
 *             this conv whose sum other layers read too;
 *   EPI_OC4   a second, 1x1 conv (EPI_OC4 output vec4s, activation EPI_ACT) on this conv's result,
 *             in the same invocation (OCB = OC4): the result goes to Y2 when other layers read it
 *             too (EPI_AUX) and the second conv's to Y. Its weights follow the first's;
 *   SE_R4     (variant SE) the gate (HAS_GATE) is made here by the squeeze-excite block that
 *             pools X: each workgroup pools X and runs the block's two 1x1 layers (SE_R4 hidden
 *             vec4s; common/se.glsl, shared with se_fc.comp; fp32 weights, binding 7) into shared
 *             memory, then convolves (small maps only: every workgroup repeats the pooling;
 *             runtime/plan.c). SE_G16 rounds the gate to fp16 as storing it in fp16 would
 *             (fp16-all), so folding leaves the numbers as they were. */
#define WEIGHTS
/* Variant bit 16 is SE with specialization-constant weights, NPXV (NPX pixels an invocation,
 * MODE 6) with buffer weights: a variant of its own, so the kernels that never use them do not
 * pay their compile time (lavapipe builds the dead functions: +50 ms on the selfie's first mask) */
#if defined(SE) && !defined(WSPEC)
#undef SE
#define NPXV
#endif
#include "common/net.glsl"
/* Loops over input channels: unrolled with specialization-constant weights; otherwise kept as
 * loops, so the base tier compiles quickly (runtime/session.c). */
#ifdef WSPEC
#define CUNROLL [[unroll]]
#else
#define CUNROLL [[dont_unroll]]
#endif
/* A linear grid over the output pixels (MODE 1: input pixels); the workgroup size is chosen per
 * device and layer (runtime/plan.c: plan_grid). */
layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 19) in;
layout(constant_id = 0) const int IC4 = 1;
layout(constant_id = 1) const int OC4 = 1;
layout(constant_id = 2) const int KH = 1;
layout(constant_id = 3) const int KW = 1;
layout(constant_id = 4) const int SH = 1;
layout(constant_id = 5) const int SW = 1;
layout(constant_id = 6) const int MODE = 0;
layout(constant_id = 7) const int OCB = 1;
layout(constant_id = 8) const int ACT = 0;
layout(constant_id = 9) const int ACT2 = 0;
layout(constant_id = 10) const int HAS_GATE = 0;
layout(constant_id = 11) const int IN_ADD = 0;
layout(constant_id = 12) const int HAS_RES = 0;
layout(constant_id = 13) const int AUX_OUT = 0;
layout(constant_id = 14) const int AUX_IN = 0;
layout(constant_id = 16) const int EPI_OC4 = 0;
layout(constant_id = 17) const int EPI_ACT = 0;
layout(constant_id = 18) const int EPI_AUX = 0; /* the first conv's result is read by others too */
#ifdef SE
layout(constant_id = 20) const int SE_R4 = 0;
layout(constant_id = 21) const int SE_ACT = 0;
layout(constant_id = 22) const int SE_ACT2 = 0;
layout(constant_id = 23) const int SE_G16 = 0; /* round the gate to fp16, as storing it would */
const int NPX = 1;
layout(std430, binding = 7) readonly buffer SEBuf { vec4 w[]; } sew;
#define SE_C4 IC4
#define SE_HID SE_R4
#define SE_ACT1 SE_ACT
#define SE_LS int(gl_WorkGroupSize.x)
#define SE_W(k) sew.w[k]
#define SE_X(src, i) texelFetch(X, i)
shared vec4 se_part[gl_WorkGroupSize.x];
shared vec4 se_mean[IC4];
shared vec4 se_hid[SE_R4 > 0 ? SE_R4 : 1];
shared vec4 se_gate[IC4];
#include "common/se.glsl"

/* The squeeze-excite block on X, into se_gate (every invocation of the workgroup calls it). */
void squeeze_excite() {
  int t = int(gl_LocalInvocationIndex);
  se_pool_hidden(t);
  barrier();
  if (t < IC4) {
    vec4 g = se_gate_row(t);
    if (SE_G16 != 0) g = vec4(unpackHalf2x16(packHalf2x16(g.xy)), unpackHalf2x16(packHalf2x16(g.zw)));
    se_gate[t] = g;
  }
  barrier();
}
#elif defined(NPXV)
/* Output pixels an invocation (buffer weights): each weight fetched once for NPX pixels.
 * Shares its id with SE_R4, which only the SE variant (specialization-constant weights) has. */
layout(constant_id = 20) const int NPX_SPEC = 1;
const int NPX = NPX_SPEC > 1 ? NPX_SPEC : 1; /* 0 where unset */
#else
const int NPX = 1;
#endif
const int BIAS = OC4 * KH * KW * IC4 * 4; /* vec4 index of the bias */
/* a PRELU folded in (ACT or ACT2 = ACT_PRELU): its slopes [OC4] after the bias */
const int SLOPES = ACT == ACT_PRELU || ACT2 == ACT_PRELU ? OC4 : 0;
const int EW = BIAS + OC4 + SLOPES, EBIAS = EW + EPI_OC4 * OC4 * 4; /* the second conv's weights, bias */

/* Activation a of output vec4 o. */
vec4 act_c(vec4 v, int a, int o) { return a == ACT_PRELU ? prelu(v, W4(BIAS + OC4 + o)) : activate(v, a); }

/* Input vec4 c of pixel i (= y * in_w + x), with the read-side fusions. */
vec4 fetch(int i, int c) {
  vec4 v = texelFetch(X, i * IC4 + c);
#ifdef SE
  if (HAS_GATE == 1) v *= se_gate[c];
#else
  if (HAS_GATE == 1) v *= texelFetch(G, c);
#endif
  if (IN_ADD != 0) v += texelFetch(R, i * IC4 + c);
  return v;
}

/* MODE 3: model-input pixel (x, y) sampled from the frame (pc.aux0 x pc.aux1, RGBA8 texels). */
vec4 frame_px(int x, int y) {
  int fw = pc.aux0, fh = pc.aux1;
  if (MODE == 4) return texelFetch(X, y * pc.in_w + x);
  float fx = max((float(x) + 0.5) * float(fw) / float(pc.in_w) - 0.5, 0.0);
  float fy = max((float(y) + 0.5) * float(fh) / float(pc.in_h) - 0.5, 0.0);
  int x0 = min(int(fx), fw - 1), y0 = min(int(fy), fh - 1);
  int x1 = min(x0 + 1, fw - 1), y1 = min(y0 + 1, fh - 1);
  float lx = fx - float(x0), ly = fy - float(y0);
  vec4 top = mix(texelFetch(X, y0 * fw + x0), texelFetch(X, y0 * fw + x1), lx);
  vec4 bot = mix(texelFetch(X, y1 * fw + x0), texelFetch(X, y1 * fw + x1), lx);
  return mix(top, bot, ly);
}

/* acc[j] += weights of output vec4 ob + j at tap (ky, kx), input vec4 c, times v. */
#define MAC(acc, ky, kx, c, v)                                                                    \
  UNROLL for (int j = 0; j < OCB; j++) {                                                         \
    if (OCB != OC4 && ob + j >= OC4) break; /* static when OCB == OC4 */                         \
    int k = ((((ob + j) * KH + (ky)) * KW + (kx)) * IC4 + (c)) * 4;                              \
    acc[j] += W4(k) * v.x + W4(k + 1) * v.y + W4(k + 2) * v.z + W4(k + 3) * v.w;                  \
  }

/* The epilogue for output pixel pix: activation, second output, residual, store of OCB vec4s
 * (or the second conv on them). */
void store(vec4 acc[OCB], int pix, int ob, bool valid) {
  int o = pix * OC4 + ob;
  UNROLL for (int j = 0; j < OCB; j++) {
    if (OCB != OC4 && ob + j >= OC4) break;
    vec4 v = act_c(acc[j], ACT, ob + j);
    if (HAS_GATE == 3) v *= texelFetch(G, ob + j);
    if (AUX_OUT == 1 && valid) dst2.y[o + j] = OTYPE(v);
    if (HAS_RES != 0 && HAS_GATE == 2) v = act_c(v + texelFetch(R, o + j) * texelFetch(G, ob + j), ACT2, ob + j);
    else if (HAS_RES != 0) v = act_c(v + texelFetch(R, o + j), ACT2, ob + j);
    acc[j] = v;
    if (AUX_OUT >= 2 && valid) dst2.y[o + j] = OTYPE(activate(v, AUX_OUT - 2));
    if (EPI_OC4 == 0 && valid) dst.y[o + j] = OTYPE(v);
    if (EPI_OC4 != 0 && EPI_AUX != 0 && valid) dst2.y[o + j] = OTYPE(v);
  }
  UNROLL for (int q = 0; q < EPI_OC4; q++) {
    vec4 e = W4(EBIAS + q);
    UNROLL for (int c = 0; c < OCB; c++) {
      int k = EW + (q * OC4 + c) * 4;
      e += W4(k) * acc[c].x + W4(k + 1) * acc[c].y + W4(k + 2) * acc[c].z + W4(k + 3) * acc[c].w;
    }
    if (valid) dst.y[pix * EPI_OC4 + q] = OTYPE(activate(e, EPI_ACT));
  }
}

void init(out vec4 acc[OCB], int ob) {
  UNROLL for (int j = 0; j < OCB; j++) acc[j] = OCB == OC4 || ob + j < OC4 ? W4(BIAS + ob + j) : vec4(0.0);
}

/* TCONV2D: one invocation per input pixel, writing its KH x KW output pixels. */
void tconv(int i, int ob) {
  bool valid = i < pc.in_w * pc.in_h;
  i = min(i, pc.in_w * pc.in_h - 1);
  int iy = idiv(i, pc.in_w), ix = i - iy * pc.in_w;
  UNROLL for (int ky = 0; ky < KH; ky++)
    UNROLL for (int kx = 0; kx < KW; kx++) {
      vec4 acc[OCB];
      init(acc, ob);
      CUNROLL for (int c = 0; c < IC4; c++) {
        vec4 v = fetch(i, c);
        MAC(acc, ky, kx, c, v)
      }
      store(acc, (iy * SH + ky) * pc.out_w + ix * SW + kx, ob, valid);
    }
}

void conv(int p, int ob) {
  bool valid = p < pc.out_w * pc.out_h;
  p = min(p, pc.out_w * pc.out_h - 1);
  int oy = idiv(p, pc.out_w), ox = p - oy * pc.out_w;
  vec4 acc[OCB];
  init(acc, ob);
  if (MODE == 2) { /* 1x1 conv of the bilinear resize of X */
    int y1, x1;
    float ly, lx;
    int y0 = src_pair(oy, pc.in_h, pc.out_h, y1, ly), x0 = src_pair(ox, pc.in_w, pc.out_w, x1, lx);
    int i00 = y0 * pc.in_w + x0, i01 = y0 * pc.in_w + x1, i10 = y1 * pc.in_w + x0, i11 = y1 * pc.in_w + x1;
    CUNROLL for (int c = 0; c < IC4; c++) {
      vec4 top = mix(fetch(i00, c), fetch(i01, c), lx), bot = mix(fetch(i10, c), fetch(i11, c), lx);
      vec4 v = mix(top, bot, ly);
      MAC(acc, 0, 0, c, v)
    }
  } else {
    int dly = max(pc.mode & 255, 1), dlx = max((pc.mode >> 8) & 255, 1); /* dilation (not MODE 2, 5) */
    UNROLL for (int ky = 0; ky < KH; ky++) {
      int iy = oy * SH - pc.pad_t + ky * dly;
      if (MODE == 5) { /* the input row whose tap ky lands on oy, if any */
        int ny = oy + pc.pad_t - ky, q = max(ny, 0) / SH;
        iy = ny >= 0 && q * SH == ny ? q : -1;
      }
      float vy = iy >= 0 && iy < pc.in_h ? 1.0 : 0.0;
      iy = clamp(iy, 0, pc.in_h - 1);
      UNROLL for (int kx = 0; kx < KW; kx++) {
        int ix = ox * SW - pc.pad_l + kx * dlx;
        if (MODE == 5) {
          int nx = ox + pc.pad_l - kx, q = max(nx, 0) / SW;
          ix = nx >= 0 && q * SW == nx ? q : -1;
        }
        float m = ix >= 0 && ix < pc.in_w ? vy : 0.0; /* 0 for a padding tap */
        int i = iy * pc.in_w + clamp(ix, 0, pc.in_w - 1);
        if (MODE == 3 || MODE == 4) { /* one input vec4: RGB and a zero-weighted 4th channel */
          vec4 v = frame_px(clamp(ix, 0, pc.in_w - 1), iy) * m;
          MAC(acc, ky, kx, 0, v)
        } else {
          CUNROLL for (int c = 0; c < IC4; c++) {
            vec4 v = fetch(i, c) * m;
            if (AUX_IN != 0 && valid && ob == 0) dst2.y[i * IC4 + c] = OTYPE(v);
            MAC(acc, ky, kx, c, v)
          }
        }
      }
    }
  }
  store(acc, oy * pc.out_w + ox, ob, valid);
}

#ifdef NPXV
/* acc[q][j] += weights of output vec4 ob + j at tap (ky, kx), input vec4 c, times v[q], for the
 * NPX pixels of the invocation: each weight read once. */
#define MACN(acc, ky, kx, c, v)                                                                   \
  UNROLL for (int j = 0; j < OCB; j++) {                                                         \
    if (OCB != OC4 && ob + j >= OC4) break;                                                      \
    int k = ((((ob + j) * KH + (ky)) * KW + (kx)) * IC4 + (c)) * 4;                              \
    vec4 w0 = W4(k), w1 = W4(k + 1), w2 = W4(k + 2), w3 = W4(k + 3);                              \
    UNROLL for (int q = 0; q < NPX; q++) acc[q][j] += w0 * v[q].x + w1 * v[q].y + w2 * v[q].z + w3 * v[q].w; \
  }

/* MODE 0, 2, 3, 4 (conv below) with NPX output pixels an invocation, consecutive in the linear
 * order. */
void conv_npx(int p, int ob) {
  int n = pc.out_w * pc.out_h;
  int idx[NPX], oy[NPX], ox[NPX];
  vec4 acc[NPX][OCB];
  SEQ_COORDS(p * NPX, pc.out_w, pc.out_h, n, oy, ox)
  UNROLL for (int q = 0; q < NPX; q++) {
    idx[q] = min(p * NPX + q, n - 1);
    init(acc[q], ob);
  }
  if (MODE == 2) { /* 1x1 conv of the bilinear resize of X */
    int i00[NPX], i01[NPX], i10[NPX], i11[NPX];
    float ly[NPX], lx[NPX];
    UNROLL for (int q = 0; q < NPX; q++) {
      int y1, x1;
      int y0 = src_pair(oy[q], pc.in_h, pc.out_h, y1, ly[q]), x0 = src_pair(ox[q], pc.in_w, pc.out_w, x1, lx[q]);
      i00[q] = y0 * pc.in_w + x0, i01[q] = y0 * pc.in_w + x1, i10[q] = y1 * pc.in_w + x0, i11[q] = y1 * pc.in_w + x1;
    }
    CUNROLL for (int c = 0; c < IC4; c++) {
      vec4 v[NPX];
      UNROLL for (int q = 0; q < NPX; q++) {
        vec4 top = mix(fetch(i00[q], c), fetch(i01[q], c), lx[q]), bot = mix(fetch(i10[q], c), fetch(i11[q], c), lx[q]);
        v[q] = mix(top, bot, ly[q]);
      }
      MACN(acc, 0, 0, c, v)
    }
  } else {
    int dly = max(pc.mode & 255, 1), dlx = max((pc.mode >> 8) & 255, 1);
    UNROLL for (int ky = 0; ky < KH; ky++)
      UNROLL for (int kx = 0; kx < KW; kx++) {
        int iy[NPX], ix[NPX];
        float mm[NPX];
        UNROLL for (int q = 0; q < NPX; q++) {
          int y = oy[q] * SH - pc.pad_t + ky * dly, x = ox[q] * SW - pc.pad_l + kx * dlx;
          mm[q] = y >= 0 && y < pc.in_h && x >= 0 && x < pc.in_w ? 1.0 : 0.0;
          iy[q] = clamp(y, 0, pc.in_h - 1), ix[q] = clamp(x, 0, pc.in_w - 1);
        }
        if (MODE == 3 || MODE == 4) { /* one input vec4: RGB and a zero-weighted 4th channel */
          vec4 v[NPX];
          UNROLL for (int q = 0; q < NPX; q++) v[q] = frame_px(ix[q], iy[q]) * mm[q];
          MACN(acc, ky, kx, 0, v)
        } else {
          CUNROLL for (int c = 0; c < IC4; c++) {
            vec4 v[NPX];
            UNROLL for (int q = 0; q < NPX; q++) {
              int i = iy[q] * pc.in_w + ix[q];
              v[q] = fetch(i, c) * mm[q];
              if (AUX_IN != 0 && ob == 0 && p * NPX + q < n) dst2.y[i * IC4 + c] = OTYPE(v[q]);
            }
            MACN(acc, ky, kx, c, v)
          }
        }
      }
  }
  UNROLL for (int q = 0; q < NPX; q++) store(acc[q], idx[q], ob, p * NPX + q < n);
}

/* MODE 1 (tconv above) with NPX input pixels an invocation, consecutive in the linear order:
 * each weight read once for NPX pixels at each tap. */
void tconv_npx(int p, int ob) {
  int n = pc.in_w * pc.in_h;
  int iy[NPX], ix[NPX], oi[NPX]; /* each input pixel's first output pixel */
  SEQ_COORDS(p * NPX, pc.in_w, pc.in_h, n, iy, ix)
  UNROLL for (int q = 0; q < NPX; q++) oi[q] = iy[q] * SH * pc.out_w + ix[q] * SW;
  if (IC4 <= 2) { /* a narrow input: each input texel fetched once for all KH x KW taps */
    vec4 vin[2][NPX];
    UNROLL for (int c = 0; c < IC4; c++) UNROLL for (int q = 0; q < NPX; q++) vin[c][q] = fetch(iy[q] * pc.in_w + ix[q], c);
    UNROLL for (int ky = 0; ky < KH; ky++)
      UNROLL for (int kx = 0; kx < KW; kx++) {
        vec4 acc[NPX][OCB];
        UNROLL for (int q = 0; q < NPX; q++) init(acc[q], ob);
        UNROLL for (int c = 0; c < IC4; c++) MACN(acc, ky, kx, c, vin[c])
        UNROLL for (int q = 0; q < NPX; q++) store(acc[q], oi[q] + ky * pc.out_w + kx, ob, p * NPX + q < n);
      }
    return;
  }
  CUNROLL for (int ky = 0; ky < KH; ky++)
    CUNROLL for (int kx = 0; kx < KW; kx++) {
      vec4 acc[NPX][OCB];
      UNROLL for (int q = 0; q < NPX; q++) init(acc[q], ob);
      CUNROLL for (int c = 0; c < IC4; c++) {
        vec4 v[NPX];
        UNROLL for (int q = 0; q < NPX; q++) v[q] = fetch(iy[q] * pc.in_w + ix[q], c);
        MACN(acc, ky, kx, c, v)
      }
      UNROLL for (int q = 0; q < NPX; q++) store(acc[q], oi[q] + ky * pc.out_w + kx, ob, p * NPX + q < n);
    }
}

/* MODE 6: TFLite's TRANSPOSE_CONV as MODE 5, with the grid ordered by output phase (oy mod SH,
 * ox mod SW), each phase's pixels padded to a multiple of NPX: an invocation's NPX pixels share a
 * phase, so they take the same taps (ky = (oy + pad) mod SH, + SH ...; about KH / SH of them, not
 * KH), each tap's weights read once for all of them. Buffer weights only (the tap loop's start
 * is not a compile-time constant). */
void tconv_phases(int p, int ob) {
  int bw = (pc.out_w + SW - 1) / SW, bh = (pc.out_h + SH - 1) / SH, nb = bw * bh;
  int nbp = (nb + NPX - 1) / NPX * NPX;
  int ph = min(idiv(p * NPX, nbp), SH * SW - 1), r0 = p * NPX - ph * nbp;
  int py = ph / SW, px = ph - py * SW;
  int ky0 = (py + pc.pad_t) % SH, kx0 = (px + pc.pad_l) % SW;
  int idx[NPX], by[NPX], bx[NPX];
  bool ok[NPX];
  vec4 acc[NPX][OCB];
  SEQ_COORDS(r0, bw, bh, nb, by, bx)
  UNROLL for (int q = 0; q < NPX; q++) {
    int oy = by[q] * SH + py, ox = bx[q] * SW + px;
    ok[q] = r0 + q < nb && oy < pc.out_h && ox < pc.out_w && p * NPX < SH * SW * nbp;
    idx[q] = min(oy, pc.out_h - 1) * pc.out_w + min(ox, pc.out_w - 1);
    init(acc[q], ob);
  }
  CUNROLL for (int ty = 0; ty < (KH + SH - 1) / SH; ty++) {
    int ky = ky0 + ty * SH;
    if (ky < KH) {
      CUNROLL for (int tx = 0; tx < (KW + SW - 1) / SW; tx++) {
        int kx = kx0 + tx * SW;
        if (kx < KW) {
          int dy = (py + pc.pad_t - ky) / SH, dx = (px + pc.pad_l - kx) / SW; /* exact */
          int ii[NPX];
          float mm[NPX];
          UNROLL for (int q = 0; q < NPX; q++) {
            int iy = by[q] + dy, ix = bx[q] + dx;
            mm[q] = iy >= 0 && iy < pc.in_h && ix >= 0 && ix < pc.in_w ? 1.0 : 0.0;
            ii[q] = clamp(iy, 0, pc.in_h - 1) * pc.in_w + clamp(ix, 0, pc.in_w - 1);
          }
          CUNROLL for (int c = 0; c < IC4; c++) {
            vec4 v[NPX];
            UNROLL for (int q = 0; q < NPX; q++) v[q] = fetch(ii[q], c) * mm[q];
            MACN(acc, ky, kx, c, v)
          }
        }
      }
    }
  }
  UNROLL for (int q = 0; q < NPX; q++) store(acc[q], idx[q], ob, ok[q]);
}

#endif

void main() {
  WEIGHTS_INIT();
  /* ob is a constant 0 when one invocation has every output channel: weight indices must be
   * compile-time constants for specialization-constant weights to fold. */
#ifdef SE
  squeeze_excite();
#endif
  int p = int(gl_GlobalInvocationID.x);
  int ob = OCB == OC4 ? 0 : int(gl_GlobalInvocationID.z) * OCB;
#ifdef NPXV
  if (MODE == 1 && NPX > 1)
    tconv_npx(p, ob);
  else
#endif
  if (MODE == 1)
    tconv(p, ob);
#ifdef NPXV
  else if (MODE == 6)
    tconv_phases(p, ob);
  else if (NPX > 1)
    conv_npx(p, ob);
#endif
  else
    conv(p, ob);
}
