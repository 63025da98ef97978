#version 450
// pseg variants: 0 1 4 5 8 40 72 104 128 129 16 20 144  (storage variants built: bits in CMakeLists.txt)
/* The layers of integer models (issue 15), as their references in kernels/ compute them (TFLite's
 * XNNPACK delegate): tensors hold int8 values (exact in float texels, or four to a 32-bit word
 * where only integer layers touch the tensor: PK below), int32 arithmetic (the
 * convs' products summed in fp32 128 input vec4s at a time, every partial sum below 2^24: exact,
 * and 3-6 % faster on lavapipe), the fp32 requantization rounded to nearest even. One invocation:
 * one output vec4 (a pixel's 4 channels), invocation i = pixel * OC4 + vec4, over a 1-D grid of
 * 64-wide workgroups.
 * OP 0 CONV2D, 1 DWCONV2D: a KH x KW window (constants: the loops unrolled), NPX consecutive
 *   pixels an invocation and OCB output vec4s (conv; invocation i = pixel group * vec4 blocks +
 *   block: the pixels share each weight load, the vec4s each input load); pc.aux0 the input's zero point, pc.aux1 the dilation (rows | columns << 8, 0: 1);
 *   weights (kernels/quant.c): OC4 vec4s of int32 bias bits, OC4 of requantization scales, then
 *   the int8 weights as floats: conv [oc4][ky][kx][ic] (vec4: 4 output channels), depthwise
 *   [ky][kx][c4].
 * OP 2 ADD (same shapes, or pc.aux1 1: R one value a channel; pc.kw 0: a constant, in the bias):
 *   pc.kh, kw the multipliers, sh the shift, sw the bias (XNNPACK's).
 * OP 3 RESIZE_BILINEAR: pc.aux0 / aux1 the row / column scales (float bits, computed on the CPU),
 *   pc.act the mode (0 half-pixel, 1 legacy, 2 align corners); 11-bit weights.
 * OP 4 QUANTIZE from float: pc.aux1 the scale (float bits); 5 from int8: pc.kh the multiplier of
 *   8 fraction bits, pc.aux0 the input's zero point; 6 DEQUANTIZE: pc.aux0 the zero point, aux1
 *   the scale (float bits): a float output.
 * OP 7 LOGISTIC or TANH (an ACT layer): the 256 int8 of XNNPACK's table (kernels/quant.c kq_lut)
 *   as the weights, entry q + 128 for input q; buffer weights only (a dynamic index).
 * OP 8 TCONV2D (tconv below): weights as a conv's, after a third vec4 slot a channel (the shifts of
 *   TFLite's fixed-point requantization, FIX 1); pc.aux0 the input's zero point; buffer weights
 *   only.
 * OP 9 SOFTMAX over the channels (softmax_q below: TFLite's builtin kernel); buffer weights only.
 * OP 10 ADD as TFLite's builtin kernel computes it (kernels/quant.c kq_addf): pc.kh, kw, sh the
 *   two inputs' and the output's Q31 multipliers, pc.sw their right shifts in bytes 0, 1, 2,
 *   pc.aux0 / aux1 the inputs' zero points.
 * OP 11 CONCAT (pc.aux0 in0's channels), 12 SLICE (pc.aux0 the first channel taken, output
 *   pixel (y, x) from X's (y - pc.pad_t, x - pc.pad_l), the zero point outside X), pc.aux1 the
 *   output's channels; 13 MAX_POOL_2D (pc.kh, kw, sh, sw, pad_t, pad_l; padding cells ignored):
 *   values moved or compared, one scale and zero point for all (kernels/quant.c kq_pass_ok); 14
 *   RESHAPE, output element e (NHWC order, pc.aux1 channels a pixel) from X's element e (pc.aux0
 *   channels a pixel).
 * OP 18 RESIZE_NEAREST_NEIGHBOR: pc.aux0 / aux1 the row / column scales (float bits, kernels/resize.c),
 *   pc.act the convention (0 half-pixel, 1 legacy, 2 align corners); values moved.
 * OP 17 AVERAGE_POOL_2D (pc.kh, kw, sh, sw, pad_t, pad_l) as TFLite's integer kernel computes it.
 * OP 15 MUL, OP 16 MEAN over height and width, as XNNPACK computes them (kernels/quant.c
 *   kq_mul_qref, kq_mean_qref): pc.aux0 (and aux1) the inputs' zero points, pc.kh the fp32 scale's
 *   bits; MUL: pc.kw 1 when R holds one value a channel, 2 for a constant (pc.aux1 its value less
 *   its zero point).
 * FIX (OP 0, 1, 8): TFLite's builtin requantization (kernels/quant.c: kq_builtin models, and
 *   OP 8 with per-channel weights; 2: the convs', ruy's one rounding; 1: TFLite's own), the
 *   multipliers' bits in the scale slot and the shifts in a third slot (requant below).
 * pc.mode: the output's lowest and highest value and zero point, each + 128, in bytes 0, 1, 2.
 *
 * Fusions (runtime/plan.c: plan_qfusions), each computing exactly what the layers it replaces
 * compute:
 *   PRO 1  X is read through a RESIZE_BILINEAR (OP 2, and OP 0 1x1 stride 1): X is the resize's
 *          input (pc.in_h x in_w), pc.w0 / w1 the row / column scales (float bits), pc.act the
 *          mode; the resize's output has its input's quantization, as in XNNPACK.
 *   EPI 1  (OP 0, and OP 1 with PO4) the residual ADD of the conv's int8 output and R: pc.bx, br
 *          its multipliers, bg the shift, by the bias, by2 the sum's range as pc.mode packs it.
 *   PO4    (OP 1) a depthwise conv, then the 1x1 conv reading its output, in the same
 *          invocation (dw_proj below: the conv's fast-tier dispatch).
 *   EPI 2  an int8 -> int8 QUANTIZE of the result (OP 5): pc.s0 the multiplier, s1 the range.
 *   EPI 4  a DEQUANTIZE of the result (OP 6): pc.s2 the scale's bits; a float output.
 *
 * QDOT (variant bit 16, buffer weights, OP 0 and OP 8; runtime/plan.c, where the device has
 * VK_KHR_shader_integer_dot_product): the convs' sums as packed dot products of four int8
 * weights (a word per output channel: kernels/quant.c kernel_qdot_words) with four int8 inputs
 * packed into a word, the input's zero point folded into the biases on the CPU (OP 0: padding
 * taps read it) or subtracted after the taps (OP 8: zp x the taken taps' weight sums, words
 * after the weights); the same int32 sums. */
#ifdef QDOT /* variant bit 16: packed int8 dot products (VK_KHR_shader_integer_dot_product) */
#extension GL_EXT_spirv_intrinsics : require
#endif
#ifdef WSPEC
#define WEIGHTS
#endif
#include "common/net.glsl"
ivec4 q8(uint u) { return ivec4(uvec4(u) << uvec4(24, 16, 8, 0)) >> 24; } /* 4 signed bytes (pack8's inverse) */
/* The packed weights (kernels/quant.c): per output vec4 c4 its int32 biases QB and
 * requantization scales QS, then the int8 weights QW(k). In a buffer: uvec4s [bias | scale bits |
 * weights, each vec4 of int8 one word] (kernel_qbuf, below). With WSPEC (the fast tier: runtime/model.c): the biases and scales as raw 32-bit
 * words, two to a constant (constants 0 .. 4 OC4 - 1), then the weights as halves (exact: integers
 * of at most 8 bits), one vec4 a constant; every index must then be a compile-time constant
 * (the loops unrolled, OCB = OC4: kernels/quant.c kernel_qfast; convs only), so each weight is an
 * immediate. */
layout(constant_id = 0) const int OC4_ = 1; /* OC4 below */
layout(constant_id = 1) const int OP = 0;
layout(constant_id = 3) const int KH_ = 1;
layout(constant_id = 4) const int KW_ = 1;
layout(constant_id = 11) const int PO4 = 0; /* DWCONV2D: the 1x1 conv after it, its output vec4s (dw_proj) */
layout(constant_id = 12) const int FIX = 0; /* TFLite's builtin fixed-point requantization (requant) */
/* dw_proj's weights: the 1x1 conv's (QB2, QS2, QW2: PO4 output vec4s, OC4 input vec4s), then the
 * depthwise conv's (QB, QS, QW from DWB) */
const int DWB = PO4 > 0 ? 2 * PO4 + PO4 * OC4_ * 4 : 0, DWB_WS = PO4 > 0 ? 4 * PO4 + PO4 * OC4_ * 4 : 0;
#ifdef WSPEC
#define QLOOP [[unroll]]
uvec4 qraw(int k) { return uvec4(uint(wsa[k]), uint(wsa[k] >> 32), uint(wsa[k + 1]), uint(wsa[k + 1] >> 32)); }
ivec4 QB(int c4) { return ivec4(qraw(DWB_WS + 2 * c4)); }
vec4 QS(int c4) { return uintBitsToFloat(qraw(DWB_WS + 2 * OC4_ + 2 * c4)); }
vec4 QW(int k) { return W4(DWB_WS + (FIX != 0 ? 6 : 4) * OC4_ + k); } /* FIX: after the shifts */
ivec4 QSH(int c4) { return ivec4(qraw(DWB_WS + 4 * OC4_ + 2 * c4)); } /* FIX: the shifts */
ivec4 QB2(int j) { return ivec4(qraw(2 * j)); }
vec4 QS2(int j) { return uintBitsToFloat(qraw(2 * PO4 + 2 * j)); }
vec4 QW2(int k) { return W4(4 * PO4 + k); }
#else
/* From a buffer (kernels/quant.c kernel_qbuf): uvec4 c4 the biases, OC4 + c4 the scales' bits,
 * then each vec4 of int8 weights one 32-bit word (byte j: component j). A uniform buffer where the
 * layer's words fit (WUBO: on lavapipe a uniform load at an index the same in every invocation is
 * one scalar load, any other a vector gather, where a storage-buffer load is a loop over the
 * invocations), else a uniform texel buffer (WTEX: a gather as well) where the device's texel
 * limit allows, else a storage buffer. */
#define QLOOP [[dont_unroll]]
#define WEIGHTS_INIT()
layout(constant_id = 15) const int WN = 1; /* uvec4s */
#if defined(WTEX) /* words larger than the uniform buffer's range: a texel fetch is a gather too */
layout(binding = 8) uniform usamplerBuffer WQT;
#define WQ(i) texelFetch(WQT, i)
#elif defined(WUBO)
layout(std140, binding = 4) uniform QBlock { uvec4 w[WN]; } wq;
#define WQ(i) wq.w[i]
#else
layout(std430, binding = 5) readonly buffer QBuf { uvec4 w[]; } wq;
#define WQ(i) wq.w[i]
#endif
const int QWB = DWB + (OP == 8 || FIX != 0 ? 3 : 2) * OC4_; /* the weights' first uvec4 (OP 8, FIX: after a third slot, the shifts; OP 8 always has it) */
ivec4 QB(int c4) { return ivec4(WQ(DWB + c4)); }
vec4 QS(int c4) { return uintBitsToFloat(WQ(DWB + OC4_ + c4)); }
ivec4 QSH(int c4) { return ivec4(WQ(DWB + 2 * OC4_ + c4)); } /* OP 8, FIX: the shifts */
vec4 QW(int k) { return vec4(q8(WQ(QWB + (k >> 2))[k & 3])); }
/* weight vec4s k .. k + 3 (k a multiple of 4) */
void QW4(int k, out ivec4 a, out ivec4 b, out ivec4 c, out ivec4 d) {
  uvec4 u = WQ(QWB + (k >> 2));
  a = q8(u.x), b = q8(u.y), c = q8(u.z), d = q8(u.w);
}
ivec4 QB2(int j) { return ivec4(WQ(j)); }
vec4 QS2(int j) { return uintBitsToFloat(WQ(PO4 + j)); }
vec4 QW2(int k) { return vec4(q8(WQ(2 * PO4 + (k >> 2))[k & 3])); }
#endif
#ifdef QDOT
/* OpSDot (4450) of two words of four signed bytes (PackedVectorFormat4x8Bit, 0) */
spirv_instruction(extensions = ["SPV_KHR_integer_dot_product"], capabilities = [6019, 6018], id = 4450)
int sdot4x8(uint a, uint b, spirv_literal int packed_format);
#endif
layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 19) in; /* runtime/plan.c plan_qgrid: 64 on a GPU, on a CPU driver what fills its threads in the fewest rounds */
const int OC4 = OC4_;
layout(constant_id = 2) const int IC4 = 1;
const int KH = KH_, KW = KW_;
layout(constant_id = 5) const int NPX = 1;
layout(constant_id = 6) const int OCB = 1; /* CONV2D: output vec4s an invocation (their inputs fetched once) */
layout(constant_id = 7) const int EPI = 0;
layout(constant_id = 8) const int PRO = 0;
layout(constant_id = 9) const int ROWS = 0; /* DWCONV2D without dilation: NPX pixels of a row (dw_rows) */
layout(constant_id = 10) const int SW_ = 1; /* ROWS: the column stride */

/* The int8 tensors: a float a value (texel buffers X, R, G: RGBA32F), or four values to a 32-bit
 * word (runtime/session.c, where only integer layers touch the tensor: XU, RU, GU, R32_UINT
 * texels, and the output's words), as PK says: 1 X, 2 R, 4 G, 8 the output. */
layout(constant_id = 13) const int PK = 0;
layout(binding = 9) uniform usamplerBuffer XU;
layout(binding = 10) uniform usamplerBuffer RU;
layout(binding = 11) uniform usamplerBuffer GU;
layout(std430, binding = 3) writeonly buffer Out8 { uint y[]; } dst8;
ivec4 qX(int i) { return (PK & 1) != 0 ? q8(texelFetch(XU, i).x) : ivec4(texelFetch(X, i)); }
ivec4 qR(int i) { return (PK & 2) != 0 ? q8(texelFetch(RU, i).x) : ivec4(texelFetch(R, i)); }
vec4 fX(int i) { return (PK & 1) != 0 ? vec4(q8(texelFetch(XU, i).x)) : texelFetch(X, i); }
vec4 fG(int i) { return (PK & 4) != 0 ? vec4(q8(texelFetch(GU, i).x)) : texelFetch(G, i); }
uint pX(int i) { return (PK & 1) != 0 ? texelFetch(XU, i).x : pack8(ivec4(texelFetch(X, i))); }

/* XNNPACK's source coordinate and 11-bit weight of output index i */
void q11(int i, int n_in, float sc, out int i0, out int i1, out int wq) { /* pc.act: the mode */
  precise float x = float(i) * sc;
  if (pc.act == 0) {
    precise float off = 0.5 * sc - 0.5;
    x = clamp(x + off, 0.0, float(n_in - 1));
  }
  i0 = int(x);
  i1 = min(i0 + 1, n_in - 1);
  wq = int(roundEven((x - float(i0)) * 2048.0));
}

/* the resized X (PRO 1) at output pixel (oy, ox), vec4 c4 of OC4 per pixel */
struct rsrc { int a, b, c, d, wy, wx; }; /* the four source texels (first vec4) and the weights */
rsrc rs_at(int oy, int ox, int c4n) {
  int y0, y1, wy, x0, x1, wx;
  q11(oy, pc.in_h, intBitsToFloat(pc.w0), y0, y1, wy);
  q11(ox, pc.in_w, intBitsToFloat(pc.w1), x0, x1, wx);
  return rsrc((y0 * pc.in_w + x0) * c4n, (y0 * pc.in_w + x1) * c4n, (y1 * pc.in_w + x0) * c4n, (y1 * pc.in_w + x1) * c4n, wy, wx);
}
ivec4 rs_fetch(rsrc r, int c4) {
  ivec4 tl = qX(r.a + c4), tr = qX(r.b + c4), bl = qX(r.c + c4), br = qX(r.d + c4);
  ivec4 t = tl * 2048 + (tr - tl) * r.wx, b = bl * 2048 + (br - bl) * r.wx;
  return (t * 2048 + (b - t) * r.wy + (1 << 21)) >> 22;
}

/* TFLite's builtin integer kernels' MultiplyByQuantizedMultiplier (kernels/quant.c kq_fixed_mul),
 * the 64-bit product from imulExtended */
int fixed_mul(int x, int mult, int shift) {
  int a = x << max(shift, 0), right = max(-shift, 0), h;
  if (a == mult && a == int(0x80000000u)) {
    h = 0x7fffffff;
  } else {
    int hi, lo;
    imulExtended(a, mult, hi, lo);
    int nudge = hi >= 0 ? (1 << 30) : 1 - (1 << 30); /* hi >= 0: the product is >= 0 */
    uint carry, s = uaddCarry(uint(lo), uint(nudge), carry);
    int h64 = hi + (nudge < 0 ? -1 : 0) + int(carry); /* (hi, s): the sum, 64 bits */
    h = (h64 << 1) | int(s >> 31);                    /* divided by 2^31, rounded down */
    if (h64 < 0 && (s & 0x7fffffffu) != 0u) h += 1;  /* toward zero */
  }
  int mask = int((1u << right) - 1u), thr = (mask >> 1) + (h < 0 ? 1 : 0);
  return (h >> right) + ((h & mask) > thr ? 1 : 0);
}

/* ruy's MultiplyByQuantizedMultiplier (kernels/quant.c kq_fixed_mul_ruy): one rounding,
 * (x * mult + 2^(t - 1)) >> t with t = 31 - shift (1 .. 62), in 64 bits from imulExtended */
int fixed_mul_ruy(int x, int mult, int shift) {
  int t = 31 - shift, hi, lo;
  imulExtended(x, mult, hi, lo);
  uint carry = 0u, s = uint(lo);
  if (t <= 32) s = uaddCarry(s, 1u << (t - 1), carry);
  else hi += 1 << (t - 33);
  hi += int(carry);
  return t < 32 ? int((s >> t) | (uint(hi) << (32 - t))) : hi >> (t - 32);
}

/* an accumulator vec4 of output vec4 c4 requantized: FIX, TFLite's builtin kernels' fixed point
 * (the multipliers' bits in QS; FIX 2, the convs: ruy's one rounding, 1: TFLite's two); else
 * XNNPACK's fp32 (QS the scales); plus zo, clamped */
ivec4 requant(ivec4 acc, int c4, int lo, int hi, int zo) {
  if (FIX != 0) {
    ivec4 m = floatBitsToInt(QS(c4)), sh = QSH(c4), v;
    for (int j = 0; j < 4; j++) v[j] = FIX == 2 ? fixed_mul_ruy(acc[j], m[j], sh[j]) : fixed_mul(acc[j], m[j], sh[j]);
    return clamp(v + zo, lo, hi);
  }
  precise vec4 f = vec4(acc) * QS(c4);
  f = clamp(f, vec4(float(lo - zo)), vec4(float(hi - zo)));
  return ivec4(roundEven(f)) + zo;
}

/* output element i (vec4), the op's int8 result q with zero point zo: the fused layers after it */
void store(int i, ivec4 q, int zo) {
  if ((EPI & 1) != 0) {
    ivec4 acc = pc.by + q * pc.bx + qR(i) * pc.br;
    zo = ((pc.by2 >> 16) & 255) - 128;
    q = clamp((acc >> pc.bg) + zo, (pc.by2 & 255) - 128, ((pc.by2 >> 8) & 255) - 128);
  }
  if ((EPI & 2) != 0) {
    int z2 = ((pc.s1 >> 16) & 255) - 128;
    q = clamp((((q - zo) * pc.s0 + 128) >> 8) + z2, (pc.s1 & 255) - 128, ((pc.s1 >> 8) & 255) - 128);
    zo = z2;
  }
  if ((EPI & 4) != 0) {
    dst.y[i] = OTYPE(vec4(q - zo) * intBitsToFloat(pc.s2));
    return;
  }
  if ((PK & 8) != 0) dst8.y[i] = pack8(q);
  else dst.y[i] = OTYPE(vec4(q));
}

/* DWCONV2D, NPX consecutive pixels of an output row an invocation (invocation i = (row * segments
 * + segment) * OC4 + vec4: neighbouring invocations read neighbouring texels): each tap row's
 * (NPX - 1) * stride + KW input texels fetched once for the NPX pixels. Sums in fp32, exact. */
void dw_rows_c(int c4, int ry, int rx) {
  const int NT = (NPX - 1) * SW_ + KW;
  vec4 f[NPX];
  [[unroll]] for (int q = 0; q < NPX; q++) f[q] = vec4(0.0);
  [[unroll]] for (int ky = 0; ky < KH; ky++) {
    int iy = ry * pc.sh - pc.pad_t + ky;
    float vy = iy >= 0 && iy < pc.in_h ? 1.0 : 0.0; /* padding taps: fetched in bounds, times 0 */
    int row = clamp(iy, 0, pc.in_h - 1) * pc.in_w;
    vec4 x[NT];
    [[unroll]] for (int t = 0; t < NT; t++) {
      int ix = rx * SW_ - pc.pad_l + t;
      x[t] = (fX((row + clamp(ix, 0, pc.in_w - 1)) * OC4 + c4) - float(pc.aux0)) * (ix >= 0 && ix < pc.in_w ? vy : 0.0);
    }
    [[unroll]] for (int kx = 0; kx < KW; kx++) {
      vec4 w = QW((ky * KW + kx) * OC4 + c4);
      [[unroll]] for (int q = 0; q < NPX; q++) f[q] += w * x[q * SW_ + kx];
    }
  }
  int lo = (pc.mode & 255) - 128, hi = ((pc.mode >> 8) & 255) - 128, zo = ((pc.mode >> 16) & 255) - 128;
  ivec4 bias = QB(c4);
  [[unroll]] for (int q = 0; q < NPX; q++)
    if (rx + q < pc.out_w) store((ry * pc.out_w + rx + q) * OC4 + c4, requant(bias + ivec4(f[q]), c4, lo, hi, zo), zo);
}

void dw_rows() {
  int id = int(gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x);
  int seg = (pc.out_w + NPX - 1) / NPX;
  if (id >= pc.out_h * seg * OC4) return;
  int g = id / OC4, ry = idiv(g, seg);
  dw_rows_c(id - g * OC4, ry, (g - ry * seg) * NPX);
}

/* DWCONV2D then the 1x1 conv reading it (PO4 > 0: the fast tier's dispatch of the conv,
 * runtime/plan.c plan_qproj, where both layers' weights are constants), a pixel an invocation,
 * the depthwise conv's input bound as G: each channel vec4's depthwise result, requantized as the
 * depthwise layer writes it, goes straight into the conv's sums; the conv's output range pc.w0
 * (as pc.mode packs it), its input zero point the depthwise output's. */
void dw_proj() {
  int id = int(gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x);
  if (id >= pc.out_h * pc.out_w) return;
  int oy = idiv(id, pc.out_w), ox = id - oy * pc.out_w;
  int dh = (pc.aux1 & 255) != 0 ? pc.aux1 & 255 : 1, dw = ((pc.aux1 >> 8) & 255) != 0 ? (pc.aux1 >> 8) & 255 : 1;
  int lo = (pc.mode & 255) - 128, hi = ((pc.mode >> 8) & 255) - 128, zo = ((pc.mode >> 16) & 255) - 128;
  ivec4 acc[PO4 > 0 ? PO4 : 1];
  [[unroll]] for (int j = 0; j < PO4; j++) acc[j] = QB2(j);
  QLOOP for (int c4 = 0; c4 < OC4; c4++) {
    vec4 f = vec4(0.0);
    [[unroll]] for (int ky = 0; ky < KH; ky++)
      [[unroll]] for (int kx = 0; kx < KW; kx++) {
        int iy = oy * pc.sh - pc.pad_t + ky * dh, ix = ox * pc.sw - pc.pad_l + kx * dw;
        float v = iy >= 0 && iy < pc.in_h && ix >= 0 && ix < pc.in_w ? 1.0 : 0.0;
        vec4 x = fG((clamp(iy, 0, pc.in_h - 1) * pc.in_w + clamp(ix, 0, pc.in_w - 1)) * OC4 + c4);
        f += QW((ky * KW + kx) * OC4 + c4) * ((x - float(pc.aux0)) * v);
      }
    precise vec4 d = vec4(QB(c4) + ivec4(f)) * QS(c4);
    d = clamp(d, vec4(float(lo - zo)), vec4(float(hi - zo)));
    ivec4 x = ivec4(roundEven(d)); /* the depthwise output minus its zero point: the conv's input */
    [[unroll]] for (int j = 0; j < PO4; j++) {
      int w0 = j * OC4 * 4 + 4 * c4;
      acc[j] += ivec4(QW2(w0)) * x.x + ivec4(QW2(w0 + 1)) * x.y + ivec4(QW2(w0 + 2)) * x.z + ivec4(QW2(w0 + 3)) * x.w;
    }
  }
  int lo2 = (pc.w0 & 255) - 128, hi2 = ((pc.w0 >> 8) & 255) - 128, zo2 = ((pc.w0 >> 16) & 255) - 128;
  [[unroll]] for (int j = 0; j < PO4; j++) {
    precise vec4 v = vec4(acc[j]) * QS2(j);
    v = clamp(v, vec4(float(lo2 - zo2)), vec4(float(hi2 - zo2)));
    store(id * PO4 + j, ivec4(roundEven(v)) + zo2, zo2);
  }
}

void conv() {
  int id = int(gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x);
  int npx = pc.out_h * pc.out_w, ncb = (OC4 + OCB - 1) / OCB;
  if (id >= (npx + NPX - 1) / NPX * ncb) return;
  int g = id / ncb, cb = id - g * ncb, p0 = g * NPX, c0 = OCB == OC4 ? 0 : cb * OCB; /* WSPEC: OCB = OC4 */
  int lo = (pc.mode & 255) - 128, hi = ((pc.mode >> 8) & 255) - 128, zo = ((pc.mode >> 16) & 255) - 128;
  int dh = (pc.aux1 & 255) != 0 ? pc.aux1 & 255 : 1, dw = ((pc.aux1 >> 8) & 255) != 0 ? (pc.aux1 >> 8) & 255 : 1;
  int oy[NPX], ox[NPX];
  int y_ = idiv(p0, pc.out_w), x_ = p0 - y_ * pc.out_w; /* one division for the NPX pixels */
  [[unroll]] for (int q = 0; q < NPX; q++) {
    oy[q] = min(y_, pc.out_h - 1), ox[q] = x_;
    if (++x_ == pc.out_w) x_ = 0, y_++;
  }
  rsrc rs[NPX]; /* PRO 1 (1x1, stride 1, no padding): each pixel's source texels */
  [[unroll]] for (int q = 0; q < NPX; q++) rs[q] = PRO == 1 ? rs_at(oy[q], ox[q], IC4) : rsrc(0, 0, 0, 0, 0, 0);
  ivec4 acc[NPX * OCB]; /* pixel q, output vec4 c0 + j: acc[q * OCB + j] */
  [[unroll]] for (int j = 0; j < OCB; j++) {
    ivec4 bias = QB(min(c0 + j, OC4 - 1));
    [[unroll]] for (int q = 0; q < NPX; q++) acc[q * OCB + j] = bias;
  }
  vec4 fdw[NPX];
  [[unroll]] for (int q = 0; q < NPX; q++) fdw[q] = vec4(0.0);
  /* the products in fp32 (exact: integers), 128 input vec4s at a time at most, then into acc */
  const bool FCHUNK = OP == 0 && KH * KW * IC4 > 128;
  vec4 facc[NPX * OCB];
  [[unroll]] for (int k = 0; k < NPX * OCB; k++) facc[k] = vec4(0.0);
  int nf = 0;
  [[unroll]] for (int ky = 0; ky < KH; ky++) {
    [[unroll]] for (int kx = 0; kx < KW; kx++) {
      int at[NPX];
      bool in_[NPX];
      [[unroll]] for (int q = 0; q < NPX; q++) {
        int iy = oy[q] * pc.sh - pc.pad_t + ky * dh, ix = ox[q] * pc.sw - pc.pad_l + kx * dw;
        in_[q] = PRO == 1 || (iy >= 0 && iy < pc.in_h && ix >= 0 && ix < pc.in_w); /* PRO 1: 1x1, stride 1 */
        at[q] = (clamp(iy, 0, pc.in_h - 1) * pc.in_w + clamp(ix, 0, pc.in_w - 1)) * IC4;
      }
      if (OP == 1) { /* depthwise: OCB 1; the sums in fp32, exact (KH * KW <= 512 products) */
        vec4 w = QW((ky * KW + kx) * OC4 + c0);
        [[unroll]] for (int q = 0; q < NPX; q++)
          fdw[q] += w * (in_[q] ? fX(at[q] + c0) - float(pc.aux0) : vec4(0.0));
        continue;
      }
#ifdef QDOT
      QLOOP for (int i4 = 0; i4 < IC4; i4++) {
        uint xp[NPX]; /* each input vec4 packed once for the OCB output vec4s; padding: the zero point */
        [[unroll]] for (int q = 0; q < NPX; q++) xp[q] = in_[q] ? (PRO == 1 ? pack8(rs_fetch(rs[q], i4)) : pX(at[q] + i4)) : pack8(ivec4(pc.aux0));
        [[unroll]] for (int j = 0; j < OCB; j++) {
          uvec4 u = WQ(QWB + ((((min(c0 + j, OC4 - 1) * KH + ky) * KW + kx) * IC4 + i4))); /* word j: output channel j */
          [[unroll]] for (int q = 0; q < NPX; q++)
            acc[q * OCB + j] += ivec4(sdot4x8(u.x, xp[q], 0), sdot4x8(u.y, xp[q], 0), sdot4x8(u.z, xp[q], 0), sdot4x8(u.w, xp[q], 0));
        }
      }
#else
      QLOOP for (int i4 = 0; i4 < IC4; i4++) {
        vec4 x[NPX]; /* each input vec4 fetched once for the OCB output vec4s */
        [[unroll]] for (int q = 0; q < NPX; q++) x[q] = in_[q] ? (PRO == 1 ? vec4(rs_fetch(rs[q], i4)) : fX(at[q] + i4)) - float(pc.aux0) : vec4(0.0); /* padding lanes meet zero weights */
        [[unroll]] for (int j = 0; j < OCB; j++) {
          int w0 = ((min(c0 + j, OC4 - 1) * KH + ky) * KW + kx) * IC4 * 4 + 4 * i4;
#ifdef WSPEC
          vec4 w_0 = QW(w0), w_1 = QW(w0 + 1), w_2 = QW(w0 + 2), w_3 = QW(w0 + 3);
#else
          ivec4 v_0, v_1, v_2, v_3;
          QW4(w0, v_0, v_1, v_2, v_3); /* one load */
          vec4 w_0 = vec4(v_0), w_1 = vec4(v_1), w_2 = vec4(v_2), w_3 = vec4(v_3);
#endif
          [[unroll]] for (int q = 0; q < NPX; q++) facc[q * OCB + j] += w_0 * x[q].x + w_1 * x[q].y + w_2 * x[q].z + w_3 * x[q].w;
        }
        if (FCHUNK && ++nf == 128) { /* 512 products a lane: |sum| <= 512 * 255 * 128 < 2^24, exact in fp32 */
          [[unroll]] for (int k = 0; k < NPX * OCB; k++) acc[k] += ivec4(facc[k]), facc[k] = vec4(0.0);
          nf = 0;
        }
      }
#endif
    }
  }
  if (OP == 1)
    [[unroll]] for (int q = 0; q < NPX; q++) acc[q] += ivec4(fdw[q]);
  else
    [[unroll]] for (int k = 0; k < NPX * OCB; k++) acc[k] += ivec4(facc[k]);
  [[unroll]] for (int j = 0; j < OCB; j++) {
    int c4 = c0 + j;
    if (c4 < OC4)
      [[unroll]] for (int q = 0; q < NPX; q++)
        if (p0 + q < npx) store((p0 + q) * OC4 + c4, requant(acc[q * OCB + j], c4, lo, hi, zo), zo);
  }
}

#ifndef WSPEC
/* OP 8 TCONV2D, output vec4 c4 of pixel (oy, ox): the input pixels with iy * sh - pad_t + ky = oy
 * (and in x), a gather; requantized by TFLite's builtin kernel (FIX 1) or XNNPACK's deconvolution
 * (fp32) */
ivec4 tconv(int oy, int ox, int c4, int lo, int hi, int zo) {
  ivec4 acc = QB(c4), ws = ivec4(0); /* QDOT: the weights' sums over the taps taken, for the zero point */
  /* only the taps of the output's phase: ky = (oy + pad_t) mod sh, + sh, ... while ny >= 0 */
  int ay = oy + pc.pad_t, ax = ox + pc.pad_l, ry = ay - idiv(ay, pc.sh) * pc.sh, rx = ax - idiv(ax, pc.sw) * pc.sw;
  QLOOP for (int ky = ry; ky < KH && ky <= ay; ky += pc.sh) {
    int iy = idiv(ay - ky, pc.sh); /* exact: ay - ky is a multiple of sh */
    if (iy >= pc.in_h) continue;
    QLOOP for (int kx = rx; kx < KW && kx <= ax; kx += pc.sw) {
      int ix = idiv(ax - kx, pc.sw);
      if (ix >= pc.in_w) continue;
      int at = (iy * pc.in_w + ix) * IC4, k = ((c4 * KH + ky) * KW + kx) * IC4 * 4;
#ifdef QDOT
      /* the raw inputs' dot products; the zero point's share, zp x the taps' weight sums (after
       * the weights: kernels/quant.c kernel_qdot_words), after */
      QLOOP for (int i4 = 0; i4 < IC4; i4++) {
        uint xw = pX(at + i4);
        uvec4 u = WQ(QWB + (k >> 2) + i4); /* word j: output channel j */
        acc += ivec4(sdot4x8(u.x, xw, 0), sdot4x8(u.y, xw, 0), sdot4x8(u.z, xw, 0), sdot4x8(u.w, xw, 0));
      }
      ws += ivec4(WQ(QWB + OC4 * KH * KW * IC4 + (c4 * KH + ky) * KW + kx));
#else
      QLOOP for (int i4 = 0; i4 < IC4; i4++) {
        ivec4 x = qX(at + i4) - pc.aux0, a, b, c, d;
        QW4(k + 4 * i4, a, b, c, d);
        acc += a * x.x + b * x.y + c * x.z + d * x.w;
      }
#endif
    }
  }
  return requant(acc - pc.aux0 * ws, c4, lo, hi, zo);
}

/* OP 9 SOFTMAX over the channels (kernels/quant.c kq_softmax_row): an invocation a pixel, pc.aux1
 * channels; the table of 256 expf as raw float words after the (unused) bias and scale slots */
float sm_table(int k) { return uintBitsToFloat(WQ(DWB + 2 * OC4_ + (k >> 2))[k & 3]); }
void softmax_q() {
  int id = int(gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x);
  if (id >= pc.out_h * pc.out_w) return;
  int n = pc.aux1, mx = -128, zo = ((pc.mode >> 16) & 255) - 128;
  QLOOP for (int c4 = 0; c4 < OC4; c4++) {
    ivec4 q = qX(id * OC4 + c4);
    for (int j = 0; j < 4; j++)
      if (c4 * 4 + j < n) mx = max(mx, q[j]);
  }
  precise float sum = 0.0;
  QLOOP for (int c4 = 0; c4 < OC4; c4++) {
    ivec4 q = qX(id * OC4 + c4);
    for (int j = 0; j < 4; j++)
      if (c4 * 4 + j < n) sum += sm_table(255 - mx + q[j]);
  }
  precise float inv = 1.0 / (sum * 0.00390625); /* the output scale: 1/256 (kq_softmax_ok) */
  QLOOP for (int c4 = 0; c4 < OC4; c4++) {
    ivec4 q = qX(id * OC4 + c4), r;
    for (int j = 0; j < 4; j++) {
      precise float p = sm_table(clamp(255 - mx + q[j], 0, 255)) * inv; /* padding lanes: in the table, never stored as read */
      float f = floor(p);
      r[j] = int(f) + (p - f >= 0.5 ? 1 : 0) + zo; /* half away from zero (p >= 0) */
    }
    store(id * OC4 + c4, clamp(r, -128, 127), zo);
  }
}
#endif

void main() {
  WEIGHTS_INIT();
#ifndef WSPEC
  if (OP == 9) {
    softmax_q();
    return;
  }
#endif
  if (OP == 1 && PO4 > 0) {
    dw_proj();
    return;
  }
  if (OP == 1 && ROWS != 0) {
    dw_rows();
    return;
  }
  if (OP <= 1) {
    conv();
    return;
  }
  int id = int(gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x);
  int npx = pc.out_h * pc.out_w;
  if (id >= npx * OC4) return;
  int p = id / OC4, c4 = id - p * OC4, oy = idiv(p, pc.out_w), ox = p - oy * pc.out_w;
  int lo = (pc.mode & 255) - 128, hi = ((pc.mode >> 8) & 255) - 128, zo = ((pc.mode >> 16) & 255) - 128;
  ivec4 q;
  if (OP == 2) {
    ivec4 a = PRO == 1 ? rs_fetch(rs_at(oy, ox, OC4), c4) : qX(id), b = pc.kw == 0 ? ivec4(0) : qR(pc.aux1 != 0 ? c4 : id); /* kw 0: a constant, in sw */
    ivec4 acc = pc.sw + a * pc.kh + b * pc.kw;
    q = clamp((acc >> pc.sh) + zo, lo, hi);
  } else if (OP == 3) {
    int y0, y1, wy, x0, x1, wx;
    q11(oy, pc.in_h, intBitsToFloat(pc.aux0), y0, y1, wy);
    q11(ox, pc.in_w, intBitsToFloat(pc.aux1), x0, x1, wx);
    ivec4 tl = qX((y0 * pc.in_w + x0) * OC4 + c4), tr = qX((y0 * pc.in_w + x1) * OC4 + c4);
    ivec4 bl = qX((y1 * pc.in_w + x0) * OC4 + c4), br = qX((y1 * pc.in_w + x1) * OC4 + c4);
    ivec4 t = tl * 2048 + (tr - tl) * wx, b = bl * 2048 + (br - bl) * wx;
    q = (t * 2048 + (b - t) * wy + (1 << 21)) >> 22;
  } else if (OP == 4) {
    precise vec4 v = texelFetch(X, id) / intBitsToFloat(pc.aux1); /* a float input */
    q = clamp(ivec4(sign(v) * floor(abs(v) + 0.5)) + zo, -128, 127); /* round half away from zero */
  } else if (OP == 5) {
    q = clamp((((qX(id) - pc.aux0) * pc.kh + 128) >> 8) + zo, -128, 127);
#ifndef WSPEC
  } else if (OP == 7) { /* entry e = q + 128 of the table: weight vec4 e / 4, component e % 4 */
    ivec4 e = clamp(qX(id) + 128, 0, 255); /* int8 values; a padding lane's too, but never read past the table */
    q = ivec4(QW(e.x >> 2)[e.x & 3], QW(e.y >> 2)[e.y & 3], QW(e.z >> 2)[e.z & 3], QW(e.w >> 2)[e.w & 3]);
  } else if (OP == 8) {
    q = tconv(oy, ox, c4, lo, hi, zo);
  } else if (OP == 10) { /* kq_addf */
    ivec4 a = (qX(id) - pc.aux0) << 20, b = (qR(id) - pc.aux1) << 20, v;
    int sa = pc.sw & 255, sb = (pc.sw >> 8) & 255, so = (pc.sw >> 16) & 255;
    for (int j = 0; j < 4; j++)
      v[j] = fixed_mul(fixed_mul(a[j], pc.kh, -sa) + fixed_mul(b[j], pc.kw, -sb), pc.sh, -so);
    q = clamp(v + zo, lo, hi);
#endif
  } else if (OP == 11 || OP == 12) { /* CONCAT (pc.aux0: in0's channels), SLICE (pc.aux0: the first
                                        channel taken); pc.aux1 the output's channels */
    int c4b = (pc.aux1 - pc.aux0 + 3) >> 2; /* CONCAT: in1's vec4s a pixel */
    int iy = oy - pc.pad_t, ix = ox - pc.pad_l, sp = iy * pc.in_w + ix; /* X's pixel (CONCAT: p) */
    bool inside = iy >= 0 && iy < pc.in_h && ix >= 0 && ix < pc.in_w;
    for (int j = 0; j < 4; j++) {
      int c = c4 * 4 + j, ca = OP == 12 ? c + pc.aux0 : c, cb = c - pc.aux0;
      q[j] = c >= pc.aux1 ? 0 : !inside ? zo
           : OP == 12 || c < pc.aux0 ? qX(sp * pc.in_c4 + (ca >> 2))[ca & 3] : qR(p * c4b + (cb >> 2))[cb & 3];
    }
  } else if (OP == 15) { /* MUL: XNNPACK's fp32 requantization of the product (kernels/quant.c kq_mul_qref) */
    ivec4 db = pc.kw == 2 ? ivec4(pc.aux1) : (pc.kw != 0 ? qR(c4) : qR(id)) - pc.aux1;
    precise vec4 f = vec4((qX(id) - pc.aux0) * db) * intBitsToFloat(pc.kh);
    q = clamp(ivec4(roundEven(f)) + zo, lo, hi);
  } else if (OP == 16) { /* MEAN over the whole map (kq_mean_qref) */
    ivec4 acc = ivec4(-pc.in_h * pc.in_w * pc.aux0);
    for (int i = 0; i < pc.in_h * pc.in_w; i++) acc += qX(i * OC4 + c4);
    precise vec4 f = vec4(acc) * intBitsToFloat(pc.kh);
    q = clamp(ivec4(roundEven(f)) + zo, lo, hi);
  } else if (OP == 14) { /* RESHAPE */
    for (int j = 0; j < 4; j++) {
      int e = p * pc.aux1 + c4 * 4 + j, sp = e / pc.aux0, sc = e - sp * pc.aux0;
      q[j] = c4 * 4 + j >= pc.aux1 ? 0 : qX(sp * pc.in_c4 + (sc >> 2))[sc & 3];
    }
  } else if (OP == 17) { /* AVERAGE_POOL_2D: the int8 sum over the cells inside the map, divided
                            by their count half away from zero (kernels/pool.c avgpool_qref) */
    ivec4 acc = ivec4(0);
    int n = 0;
    for (int ky = 0; ky < pc.kh; ky++)
      for (int kx = 0; kx < pc.kw; kx++) {
        int iy = oy * pc.sh - pc.pad_t + ky, ix = ox * pc.sw - pc.pad_l + kx;
        if (iy >= 0 && iy < pc.in_h && ix >= 0 && ix < pc.in_w) acc += qX((iy * pc.in_w + ix) * pc.in_c4 + c4), n++;
      }
    n = max(n, 1);
    q = clamp(sign(acc) * ((abs(acc) + n / 2) / n), lo, hi); /* C's (acc -+ n / 2) / n, truncated */
  } else if (OP == 18) { /* RESIZE_NEAREST_NEIGHBOR: values moved (kq_pass_ok) */
    int sy = nearest_src_mode(oy, pc.in_h, intBitsToFloat(pc.aux0), pc.act);
    int sx = nearest_src_mode(ox, pc.in_w, intBitsToFloat(pc.aux1), pc.act);
    q = qX((sy * pc.in_w + sx) * pc.in_c4 + c4);
  } else if (OP == 13) { /* MAX_POOL_2D: the window's cells inside the map */
    q = ivec4(-128);
    for (int ky = 0; ky < pc.kh; ky++)
      for (int kx = 0; kx < pc.kw; kx++) {
        int iy = oy * pc.sh - pc.pad_t + ky, ix = ox * pc.sw - pc.pad_l + kx;
        if (iy >= 0 && iy < pc.in_h && ix >= 0 && ix < pc.in_w) q = max(q, qX((iy * pc.in_w + ix) * pc.in_c4 + c4));
      }
  } else {
    dst.y[id] = OTYPE(vec4(qX(id) - pc.aux0) * intBitsToFloat(pc.aux1));
    return;
  }
  store(id, q, zo);
}
