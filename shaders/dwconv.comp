#version 450
// pseg variants: 0 1 2 3 4 5 6 7 8 9 40 41 72 73 104 105 16 17 18 19 20 21 22 23 128 129 130 131 144 145 146 147  (storage variants built: bits in CMakeLists.txt)
/* DWCONV2D (depth multiplier 1), optionally followed, in the same invocation, by the pointwise
 * layer that reads its output (PROJ_OC4 > 0): a 1x1 conv (PROJ_K = 1), or a transposed conv with
 * kernel == stride == PROJ_K (each pixel makes a PROJ_K x PROJ_K block of outputs). The depthwise
 * result then never goes to memory.
 *
 * Weights: depthwise [KH][KW][C4] vec4, its bias [C4]; then, with a projection, its weights
 * [PO4][PROJ_K][PROJ_K][C4][4 input channels] vec4 (conv.comp's packing) and bias [PO4].
 * One invocation: one output pixel x CB vec4s of channels (grid z = C4 / CB); CB = C4 with a
 * projection or with weights in specialization constants. As in conv.comp, no early return and
 * no branch around the arithmetic (padding taps are multiplied by 0).
 *
 *   d = act(dwconv(X));  HAS_RES: d = act2(d + R)
 *   no projection: Y = d
 *   projection: p = proj_act(proj(d));  PROJ_RES: p = proj_act2(p + G) (a residual ADD after it)
 *   MASK_OUT = 1 + c: the projection is the model's output and the frame has its size: channel c
 *   of p goes straight to the mask (binding 6, one float a pixel), post-processing fused in; c is
 *   a constant, so the other channels' arithmetic is never compiled.
 *
 * PRE_IC4 > 0: the depthwise input is itself a 1x1 conv of X (PRE_IC4 vec4s a pixel), never
 * stored: X' = pre_act(Wpre X + bpre), computed at every tap (CB = C4; without specialization-
 * constant weights these loops stay loops, as the projection's: left to the driver, lavapipe
 * unrolled them and took 18 ms to build the 72-channel base pipeline, and ran it slower). Each
 * X' value is then computed KH*KW / (SH*SW) times (2.25 for a 3x3 stride-2 conv; runtime/plan.c
 * allows no more): on lavapipe that costs less than writing X' and reading it back, and the
 * tensor (the largest of the selfie encoder) needs no memory. A tile of X' in shared memory,
 * computed once, measured slower there: every shared-memory access is a per-invocation loop on a
 * CPU driver.
 * Pre weights: [C4][PRE_IC4][4 input channels] vec4 then bias [C4], after the projection's. */
#define WEIGHTS
#define NO_DST
/* variant bit 16 (SE, never with WSPEC here): NPXV, the NPX kernel (as conv.comp) */
#ifdef SE
#undef SE
#define NPXV
#endif
#include "common/net.glsl"
layout(std430, binding = 3) writeonly buffer Out { OTYPE y[]; } dst;
layout(std430, binding = 6) writeonly buffer Mask { float m[]; } mask;
/* a linear grid over the output pixels, workgroup size per device and layer (conv.comp) */
layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 19) in;
layout(constant_id = 0) const int C4 = 1;
layout(constant_id = 1) const int KH = 1;
layout(constant_id = 2) const int KW = 1;
layout(constant_id = 3) const int SH = 1;
layout(constant_id = 4) const int SW = 1;
layout(constant_id = 5) const int CB = 1;
layout(constant_id = 6) const int ACT = 0;
layout(constant_id = 7) const int ACT2 = 0;
layout(constant_id = 8) const int HAS_RES = 0;
layout(constant_id = 9) const int PROJ_OC4 = 0;
layout(constant_id = 10) const int PROJ_K = 1;
layout(constant_id = 11) const int PROJ_ACT = 0;
layout(constant_id = 12) const int PROJ_RES = 0;
layout(constant_id = 13) const int PROJ_ACT2 = 0;
layout(constant_id = 14) const int MASK_OUT = 0; /* 1 + the person channel */
layout(constant_id = 16) const int PRE_IC4 = 0;
layout(constant_id = 17) const int PRE_ACT = 0;

const int DW_BIAS = KH * KW * C4;
/* a PRELU folded in (ACT or ACT2 = ACT_PRELU): its slopes [C4] after the bias */
const int SLOPES = ACT == ACT_PRELU || ACT2 == ACT_PRELU ? C4 : 0;
const int PW = DW_BIAS + C4 + SLOPES; /* projection weights */

/* Activation a of channel vec4 c. */
vec4 act_c(vec4 v, int a, int c) { return a == ACT_PRELU ? prelu(v, W4(DW_BIAS + C4 + c)) : activate(v, a); }
const int PW_BIAS = PW + PROJ_OC4 * PROJ_K * PROJ_K * C4 * 4;
const int PRE_W = PW_BIAS + PROJ_OC4;
const int PRE_BIAS = PRE_W + C4 * PRE_IC4 * 4;

#ifdef WSPEC
#define PREUNROLL [[unroll]]
#else
#define PREUNROLL [[dont_unroll]]
#endif

#ifdef NPXV
/* Output pixels an invocation with buffer weights, without PRE_IC4 or a projection (as
 * conv.comp's NPX: each weight loaded once for NPX pixels; runtime/plan.c). Id 18 is the GPU
 * tier's (gdwconv.comp). */
layout(constant_id = 18) const int NPX_SPEC = 1;
const int NPX = NPX_SPEC > 1 ? NPX_SPEC : 1; /* 0 where unset */
/* ROWS: an invocation's NPX pixels are consecutive in one output row (the grid: rows x
 * segments of NPX), so without dilation they share their input texels: (NPX - 1) SW + KW a
 * tap row and channel vec4, fetched once, instead of NPX KW. */
layout(constant_id = 20) const int ROWS = 0;

/* NPX output pixels (no PRE_IC4, no projection), consecutive in the linear order or (ROWS) in a
 * row: main's arithmetic, each weight read once. */
void dw_npx() {
  int n = pc.out_w * pc.out_h, g = int(gl_GlobalInvocationID.x), p0 = g * NPX;
  int cb = CB == C4 ? 0 : int(gl_GlobalInvocationID.z) * CB;
  int oy[NPX], ox[NPX];
  bool ok[NPX];
  vec4 d[NPX][CB];
  int seg = (pc.out_w + NPX - 1) / NPX, ry = g / seg, rx = (g - ry * seg) * NPX; /* ROWS */
  if (ROWS == 0) SEQ_COORDS(p0, pc.out_w, pc.out_h, n, oy, ox)
  UNROLL for (int q = 0; q < NPX; q++) {
    if (ROWS != 0) {
      ok[q] = ry < pc.out_h && rx + q < pc.out_w;
      oy[q] = min(ry, pc.out_h - 1), ox[q] = min(rx + q, pc.out_w - 1);
    } else {
      ok[q] = p0 + q < n;
    }
    UNROLL for (int j = 0; j < CB; j++) d[q][j] = CB == C4 || cb + j < C4 ? W4(DW_BIAS + cb + j) : vec4(0.0);
  }
  if (ROWS != 0) { /* no dilation (runtime/plan.c) */
    const int NT = (NPX - 1) * SW + KW;
    [[unroll]] for (int ky = 0; ky < KH; ky++) {
      int iy = oy[0] * SH - pc.pad_t + ky;
      float vy = iy >= 0 && iy < pc.in_h ? 1.0 : 0.0;
      int row = clamp(iy, 0, pc.in_h - 1) * pc.in_w;
      UNROLL for (int j = 0; j < CB; j++) {
        if (CB != C4 && cb + j >= C4) break;
        vec4 x[NT];
        [[unroll]] for (int t = 0; t < NT; t++) {
          int ix = rx * SW - pc.pad_l + t;
          x[t] = texelFetch(X, (row + clamp(ix, 0, pc.in_w - 1)) * C4 + cb + j) * (ix >= 0 && ix < pc.in_w ? vy : 0.0);
        }
        [[unroll]] for (int kx = 0; kx < KW; kx++) {
          vec4 w = W4((ky * KW + kx) * C4 + cb + j);
          [[unroll]] for (int q = 0; q < NPX; q++) d[q][j] += x[q * SW + kx] * w;
        }
      }
    }
  } else {
    int dly = max(pc.mode & 255, 1), dlx = max((pc.mode >> 8) & 255, 1);
    UNROLL for (int ky = 0; ky < KH; ky++)
      UNROLL for (int kx = 0; kx < KW; kx++) {
        int ii[NPX];
        float mm[NPX];
        UNROLL for (int q = 0; q < NPX; q++) {
          int iy = oy[q] * SH - pc.pad_t + ky * dly, ix = ox[q] * SW - pc.pad_l + kx * dlx;
          mm[q] = iy >= 0 && iy < pc.in_h && ix >= 0 && ix < pc.in_w ? 1.0 : 0.0;
          ii[q] = (clamp(iy, 0, pc.in_h - 1) * pc.in_w + clamp(ix, 0, pc.in_w - 1)) * C4 + cb;
        }
        UNROLL for (int j = 0; j < CB; j++) {
          if (CB != C4 && cb + j >= C4) break;
          vec4 w = W4((ky * KW + kx) * C4 + cb + j);
          UNROLL for (int q = 0; q < NPX; q++) d[q][j] += texelFetch(X, ii[q] + j) * (w * mm[q]);
        }
      }
  }
  UNROLL for (int q = 0; q < NPX; q++) {
    int o = (oy[q] * pc.out_w + ox[q]) * C4 + cb;
    UNROLL for (int j = 0; j < CB; j++) {
      d[q][j] = act_c(d[q][j], ACT, cb + j);
      if (HAS_RES != 0) d[q][j] = act_c(d[q][j] + texelFetch(R, o + j), ACT2, cb + j);
      if (ok[q] && (CB == C4 || cb + j < C4)) dst.y[o + j] = OTYPE(d[q][j]);
    }
  }
}
#else
const int NPX = 1;
#endif

void main() {
  WEIGHTS_INIT();
#ifdef NPXV
  if (NPX > 1 && PRE_IC4 == 0 && PROJ_OC4 == 0) {
    dw_npx();
    return;
  }
#endif
  int px = int(gl_GlobalInvocationID.x);
  int cb = CB == C4 ? 0 : int(gl_GlobalInvocationID.z) * CB; /* constant 0: weight indices fold */
  bool valid = px < pc.out_w * pc.out_h;
  px = min(px, pc.out_w * pc.out_h - 1);
  int oy = idiv(px, pc.out_w), ox = px - oy * pc.out_w;
  vec4 d[CB];
  UNROLL for (int j = 0; j < CB; j++) d[j] = CB == C4 || cb + j < C4 ? W4(DW_BIAS + cb + j) : vec4(0.0);
  int dly = max(pc.mode & 255, 1), dlx = max((pc.mode >> 8) & 255, 1); /* dilation: rows, columns */
  UNROLL for (int ky = 0; ky < KH; ky++) {
    int iy = oy * SH - pc.pad_t + ky * dly;
    float vy = iy >= 0 && iy < pc.in_h ? 1.0 : 0.0;
    iy = clamp(iy, 0, pc.in_h - 1);
    UNROLL for (int kx = 0; kx < KW; kx++) {
      int ix = ox * SW - pc.pad_l + kx * dlx;
      float m = ix >= 0 && ix < pc.in_w ? vy : 0.0; /* 0 for a padding tap */
      int i = (iy * pc.in_w + clamp(ix, 0, pc.in_w - 1)) * C4 + cb;
      if (PRE_IC4 > 0) { /* the tap's X' computed here */
        int ip = (iy * pc.in_w + clamp(ix, 0, pc.in_w - 1)) * PRE_IC4;
        vec4 x[PRE_IC4 > 0 ? PRE_IC4 : 1];
        UNROLL for (int c = 0; c < PRE_IC4; c++) x[c] = texelFetch(X, ip + c);
        PREUNROLL for (int q = 0; q < CB; q++) {
          vec4 a = W4(PRE_BIAS + q);
          PREUNROLL for (int c = 0; c < PRE_IC4; c++) {
            int k = PRE_W + (q * PRE_IC4 + c) * 4;
            a += W4(k) * x[c].x + W4(k + 1) * x[c].y + W4(k + 2) * x[c].z + W4(k + 3) * x[c].w;
          }
          d[q] += activate(a, PRE_ACT) * (W4((ky * KW + kx) * C4 + q) * m);
        }
      } else {
        UNROLL for (int j = 0; j < CB; j++)
          if (CB == C4 || cb + j < C4) d[j] += texelFetch(X, i + j) * (W4((ky * KW + kx) * C4 + cb + j) * m);
      }
    }
  }
  int o = (oy * pc.out_w + ox) * C4 + cb;
  UNROLL for (int j = 0; j < CB; j++) {
    d[j] = act_c(d[j], ACT, cb + j);
    if (HAS_RES != 0) d[j] = act_c(d[j] + texelFetch(R, o + j), ACT2, cb + j);
  }
  if (PROJ_OC4 == 0) {
    if (valid)
      UNROLL for (int j = 0; j < CB; j++)
        if (CB == C4 || cb + j < C4) dst.y[o + j] = OTYPE(d[j]);
    return;
  }
  /* without specialization-constant weights the projection stays a loop (unrolled, the base
   * tier's compile time explodes on lavapipe) */
#ifdef WSPEC
#define PUNROLL [[unroll]]
#else
#define PUNROLL [[dont_unroll]]
#endif
  PUNROLL for (int ky = 0; ky < PROJ_K; ky++)
    PUNROLL for (int kx = 0; kx < PROJ_K; kx++) {
      int po = ((oy * PROJ_K + ky) * pc.out_w * PROJ_K + ox * PROJ_K + kx) * PROJ_OC4;
      PUNROLL for (int q = 0; q < PROJ_OC4; q++) {
        vec4 p = W4(PW_BIAS + q);
        PUNROLL for (int c = 0; c < C4; c++) {
          int k = PW + (((q * PROJ_K + ky) * PROJ_K + kx) * C4 + c) * 4;
          p += W4(k) * d[c].x + W4(k + 1) * d[c].y + W4(k + 2) * d[c].z + W4(k + 3) * d[c].w;
        }
        p = activate(p, PROJ_ACT);
        if (PROJ_RES != 0) p = activate(p + texelFetch(G, po + q), PROJ_ACT2);
        if (MASK_OUT != 0) {
          if (valid) mask.m[po] = clamp(p[max(MASK_OUT - 1, 0)], 0.0, 1.0);
        } else if (valid) {
          dst.y[po + q] = OTYPE(p);
        }
      }
    }
}
