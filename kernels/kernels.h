/* Layer families. Each kernels/<family>.c holds, for its ops: how weights are packed for the
 * GPU, how a layer becomes a dispatch (shader, push constants, grid), and the plain-C reference
 * the tests compare the GPU against. Kernels know the GPU parameter block, not Vulkan or the
 * model file. */
#ifndef PSEG_KERNELS_H
#define PSEG_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "../runtime/format.h"

#define PSEG_PARAMS_BEGIN typedef struct pseg_params {
#define PSEG_PARAMS_END } pseg_params;
#include "../shaders/common/params.h"
#undef PSEG_PARAMS_BEGIN
#undef PSEG_PARAMS_END

/* Shaders, X(id, file stem): PSEG_SHADER_MAP, generated from the shaders/NAME.comp with a
 * "// pseg variants:" line, which lists the variants CMakeLists.txt builds (spirv/shader_map.h). */
#include "shader_map.h"

typedef enum pseg_shader {
#define PSEG_SHADER_ENUM(id, stem) PSEG_SHADER_##id,
  PSEG_SHADER_MAP(PSEG_SHADER_ENUM)
#undef PSEG_SHADER_ENUM
  PSEG_SHADER_COUNT
} pseg_shader;

typedef struct kshape {
  int h, w, c;
} kshape;

static inline int kc4(int c) { return (c + 3) / 4; }

/* A planned dispatch of one layer. */
#define PSEG_MAX_SPEC 24

/* Specialization constant ids of the layer shaders (shaders/<family>.comp). Id 15 of the shaders
 * with weights is WN (their vec4 count, for the buffer variants); ids 24.. carry the weights
 * themselves in the WSPEC variant (shaders/common/net.glsl). */
enum {
  KC_IC4 = 0, KC_OC4, KC_KH, KC_KW, KC_SH, KC_SW, KC_MODE, KC_OCB, KC_ACT, KC_ACT2, KC_HAS_GATE, KC_IN_ADD,
  KC_HAS_RES, KC_AUX_OUT, KC_AUX_IN, KC_EPI_OC4 = 16, KC_EPI_ACT, KC_EPI_AUX,
  KC_SE_R4 = 20, KC_NPX = 20 /* buffer weights only: output pixels an invocation */, KC_SE_ACT, KC_SE_ACT2, KC_SE_G16 /* the squeeze-excite block making the gate, folded in */
};
enum {
  KD_C4 = 0, KD_KH, KD_KW, KD_SH, KD_SW, KD_CB, KD_ACT, KD_ACT2, KD_HAS_RES, KD_PROJ_OC4, KD_PROJ_K, KD_PROJ_ACT,
  KD_PROJ_RES, KD_PROJ_ACT2, KD_MASK_OUT, KD_PRE_IC4 = 16, KD_PRE_ACT,
  /* GPU tier (gdwconv.comp): the squeeze-excite block pooling the output, computed here: its
   * layer count (1, 2; 0: none) and hidden vec4s; its activations in pc.s2 (act | act2 << 8) */
  KD_SE_LAYERS = 15, KD_SE_R4 = 18,
  KD_NPX = 18, /* CPU tiers, buffer weights: output pixels an invocation (dwconv.comp) */
  KD_ROWS = 20  /* CPU tiers, with NPX: the pixels in one row, sharing their input texels */
};
enum { KB_C4 = 0, KB_OP, KB_BCAST, KB_HAS_GATE, KB_ACT };
enum { KR_C4 = 0, KR_ACT, KR_RES, KR_NPX }; /* resize, mean (and softmax: KR_C4 only); KR_RES: resize + R (an absorbed ADD); KR_NPX: pixels an invocation */
enum { KS_C4 = 0, KS_R4, KS_ACT, KS_ACT2, KS_LAYERS, KS_POOL_ADD, KS_PRE_IC4 }; /* se_fc */
#define PSEG_SPEC_LSX 19 /* conv.comp, dwconv.comp, qnet.comp: workgroup size of their linear grid */
#define PSEG_SPEC_WN 15
#define PSEG_SPEC_WEIGHTS 24
#define PSEG_WSPEC_MAX 2023 /* uint64 weight constants (4 halves each): ids 24..2046 */

typedef struct kdispatch {
  pseg_shader shader;
  pseg_params pc;
  int32_t spec[PSEG_MAX_SPEC]; /* specialization constants 0..PSEG_MAX_SPEC-1 */
  uint32_t groups[3];
  int uses_weights;            /* the layer has weights */
  uint32_t scratch;            /* GPU tier: uints of scratch memory (gpool.comp: counters, partial sums) */
} kdispatch;

/* The GPU tier's tile constants (shaders/g*.comp; ids no GPU-tier shader uses otherwise). */
enum { KG_TP = 20, KG_CK = 21, KG_IPT = 22, KG_SEIF = 23 /* common/gse.glsl: loads in flight */,
       KG_UNR = 19 /* gconv, gdwconv: DOT_RUN four steps at a time (common/gnet.glsl) */ };

/* The GPU tier (pseg.h; shaders/g*.comp, shaders/common/gnet.glsl): a planned dispatch shaped
 * for a GPU. The semantics stay the planned ones (the specialization constants keep their ids
 * and meanings, the push constants theirs); the shader, its tile constants and its grid change,
 * and `batch` frames run as grid z. Shapes the tile for latency at batch 1 (about one output vec4
 * an invocation, many small workgroups); large batches get larger tiles where that does not change
 * the numbers (kernel_batch_tile: convs, depthwise convs without a pool).
 * g->scratch: the uints of scratch memory it needs (gpool: a counter per frame, then the partial
 * sums); the caller places them (pc.s0 the counters, pc.s1 the partial sums). Returns -1 for a
 * shader with no GPU-tier kernel. Families: kernels/<family>.c, *_gpu(). */
int kernel_gpu(const kdispatch *d, int batch, kdispatch *g);
/* A 1D grid of n workgroups as x (at most 65535) times y (the shaders number a workgroup
 * x + y * gl_NumWorkGroups.x and skip the ones past n). */
void kernel_grid_1d(kdispatch *g, uint32_t n, int batch);
/* The same for any dispatch's groups[3] (the session's post-processing steps). */
void kernel_groups_1d(uint32_t groups[3], uint32_t n, int batch);
/* The largest power of two <= v (1 for v < 2). */
int kernel_pow2_floor(int v);
/* A GPU-tier tile for a batch: tp1 (the batch-1 tile of `per` items a pixel, npix pixels) grown
 * up to about four items an invocation, at most `cap` pixels, while the batch keeps at least 1024
 * workgroups. Each output is still summed by one invocation in the same order, so a frame's
 * numbers do not depend on the tile (or the batch). */
int kernel_batch_tile(int tp1, int per, int npix, int batch, int cap);

/* The op table: what each op of PSEG_OP_MAP (runtime/format.h) needs beyond the common checks,
 * defined as pseg_def_<ID> by the family file that runs it (kernels/<family>.c) and found by
 * pseg_op_def_of(). Adding an op: its line in PSEG_OP_MAP, its pseg_op_def in a family file, its
 * shader, its TFLite operator in tools/convert.c; the format's validation, the weight packing,
 * the planner's first step and the CPU model runner take it from here. */
typedef struct pseg_op_def {
  int n_in; /* inputs: 1, or 2 (the layer's in1) */
  /* the layer's fields and shapes (a: in0, b: in1, or in0 with one input, o: out) beyond the
   * format's common checks (indices, order, tensor sizes): NULL when fine, else why not */
  const char *(*check)(const pseg_fmt_layer *l, kshape a, kshape b, kshape o);
  /* weight and bias elements the layer reads from the blob; NULL: none */
  void (*weights)(const pseg_fmt_layer *l, kshape in, kshape out, size_t *w, size_t *b);
  /* its GPU weights in floats (vec4 aligned), and their packing from TFLite's layout (b may be
   * NULL: zeros); NULL: none */
  size_t (*packed)(const pseg_fmt_layer *l, kshape in, kshape out, size_t *bias_floats);
  void (*pack)(const pseg_fmt_layer *l, kshape in, kshape out, const float *w, const float *b, float *wdst,
               float *bdst);
  /* its dispatch (see kernel_plan); -1 for a layer this build cannot run */
  int (*plan)(const pseg_fmt_layer *l, kshape in0, kshape in1, kshape out, int wide, kdispatch *d);
  /* the plain-C reference, NHWC without padding (in1 NULL with one input; w, bias as read from
   * the blob, NULL without weights) */
  void (*ref)(const pseg_fmt_layer *l, const float *in0, kshape a, const float *in1, kshape b, const float *w,
              const float *bias, float *out, kshape o);
  /* the integer reference (issue 15: the op on int8 tensors as TFLite's XNNPACK computes it):
   * tensors hold their int8 values as floats, the weights (PSEG_WTYPE_I8) and the tensors'
   * quantization are read from m; NULL: the op has no integer version */
  void (*qref)(const pseg_fmt_model *m, const pseg_fmt_layer *l, const float *in0, const float *in1, float *out);
} pseg_op_def;
#define PSEG_OP_DEF_DECL(name, value, str) extern const pseg_op_def pseg_def_##name;
PSEG_OP_MAP(PSEG_OP_DEF_DECL)
#undef PSEG_OP_DEF_DECL
/* Integer layers (kernels/quant.c): a tensor's scale and zero point (scale 0: a float tensor). */
typedef struct kquant {
  float scale;
  int zp;
} kquant;
kquant kq_of(const pseg_fmt_model *m, int32_t t);
/* The int8 range a fused activation leaves (relu: from the zero point; relu6: to 6 as well), as
 * XNNPACK rounds the limits (builtin 0: lrintf) or TFLite's builtin kernels (1: kq_builtin
 * models; zero point + roundf(limit / scale)). */
void kq_act_range(int act, kquant o, int builtin, int *lo, int *hi);
/* XNNPACK's fp32 requantization: v (an accumulator times its scale) clamped to [lo, hi] less the
 * zero point, rounded to nearest even, plus the zero point. */
int kq_requant(float v, int zp, int lo, int hi);
/* XNNPACK's int8 ADD: both ratios to the output scale as integers of 20-21 bits at a common shift
 * (20 - the larger ratio's exponent) and the zero points folded into a bias with the rounding
 * (kq_add_params: -1 where the shift leaves 1..30, ratios XNNPACK refuses; the values then
 * clamped); the sum rounded half up by the shift, plus the output's zero point, clamped (kq_add). */
typedef struct kqadd {
  int32_t am, bm;
  int shift;
  int64_t bias;
} kqadd;
int kq_add_params(kquant qa, kquant qb, kquant qo, kqadd *p);
int kq_add(int a, int b, const kqadd *p, int zo, int lo, int hi);
/* TFLite's builtin int8 ADD (kq_builtin models): each input plus its offset, shifted left by 20,
 * times its multiplier (in_scale / (2 max(in scales)), MultiplyByQuantizedMultiplierSmallerThanOneExp),
 * the sum times the output's (2 max / (2^20 out_scale)), plus the zero point, clamped.
 * kq_addf_params: -1 where TFLite's checks would stop (a multiplier not in (0, 1)). */
typedef struct kqaddf {
  int32_t am, bm, om;
  int ash, bsh, osh; /* <= 0 */
} kqaddf;
int kq_addf_params(kquant qa, kquant qb, kquant qo, kqaddf *p);
int kq_addf(int a, int b, kquant qa, kquant qb, const kqaddf *p, int zo, int lo, int hi);
/* An integer LOGISTIC or TANH (an ACT layer) as XNNPACK computes it: a table of the 256 inputs,
 * each dequantized, the function in fp32, times 1 / the output scale, lrintf, plus the zero
 * point, clamped. kq_lut_ok: NULL, or why XNNPACK's operator refuses these parameters (the output
 * quantization TFLite's converter always writes: 1/256 and -128 for LOGISTIC, 1/128 and 0 for
 * TANH); kq_act_qref: the reference. */
const char *kq_lut_ok(kquant a, kquant o, int act);
void kq_lut(kquant a, kquant o, int act, int8_t lut[256]);
void kq_act_qref(const pseg_fmt_model *m, const pseg_fmt_layer *l, const float *in0, const float *in1, float *out);
/* An integer SOFTMAX over the channels as TFLite's builtin kernel computes it (XNNPACK has none
 * for int8; optimized_ops::Softmax, the build without its uint16 tables): a table of 256 expf of
 * -input_scale x d (kq_softmax_table, entry 255 - d); per pixel the max q, the sum in fp32 in
 * channel order of table[255 - max + q], its inverse times 1 / the output scale, each entry times
 * it rounded half away from zero, plus the zero point, clamped (kq_softmax_row). kq_softmax_ok:
 * NULL, or why TFLite refuses the output's quantization (it must be 1/256 and -128). */
const char *kq_softmax_ok(kquant o);
void kq_softmax_table(kquant a, float table[256]);
void kq_softmax_row(const float table[256], const float *q, int n, float oscale, int zo, float *out);
/* int8 -> int8 QUANTIZE (XNNPACK's convert): the scale ratio with 8 fraction bits */
int32_t kq_cvt_multiplier(kquant a, kquant o);
/* TFLite's builtin integer kernels' requantization (where XNNPACK declines a layer: per-channel
 * transposed convs): the scale in_scale x w_scale / out_scale, computed in double, as a Q31
 * multiplier and a power-of-two shift (QuantizeMultiplier: frexp, the fraction x 2^31 rounded half
 * away from zero), applied as MultiplyByQuantizedMultiplier: x shifted left by a positive shift,
 * the doubling high half of x x multiplier rounded (SaturatingRoundingDoublingHighMul), then a
 * rounding right shift by a negative one (RoundingDivideByPOT). */
void kq_fixed_multiplier(double scale, int32_t *mult, int *shift);
/* a channel's: the scale in_scale x w_scale / out_scale, in double as TFLite computes it */
void kq_fixed_channel(kquant a, float w_scale, kquant o, int32_t *mult, int *shift);
int32_t kq_fixed_mul(int32_t x, int32_t mult, int shift);
/* ruy's MultiplyByQuantizedMultiplier (TFLite's builtin CONV_2D: its GEMM is ruy's), one rounding:
 * (x x multiplier + 2^(30 - shift)) >> (31 - shift), in 64 bits. Measured against TFLite on the
 * int8-4ch model: its convs match only this way, its depthwise convs only kq_fixed_mul's way. */
int32_t kq_fixed_mul_ruy(int32_t x, int32_t mult, int shift);
/* An integer TCONV2D's requantization: TFLite's builtin kernel's (1: weights with a scale per
 * output channel, which XNNPACK's deconvolution does not take, or a kq_builtin model) or
 * XNNPACK's fp32 one (0) */
int kq_tconv_fixed(const pseg_fmt_model *m, const pseg_fmt_layer *l);
/* 1 when TFLite runs the whole model on its builtin integer kernels: a scale XNNPACK does not
 * take (an activation's, or a conv-family layer's weight scale, that is not positive and normal:
 * 0, a denormal, inf) makes its delegate fail to prepare, and TFLite then restores its plan
 * without the delegate for every layer ("Restored original execution plan after delegate
 * application failure"). Convs, depthwise convs and ADDs then requantize by fixed-point
 * multipliers (kq_fixed_mul, kq_addf) and clamp to TFLite's activation range (kq_act_range). */
int kq_builtin(const pseg_fmt_model *m);
/* An integer layer's weights (PSEG_WTYPE_I8): its scales (nscale: 1 or per output channel), its
 * int8 values and int32 bias (NULL: zeros). */
typedef struct kqweights {
  uint32_t nscale;
  const float *scale; /* unaligned-safe copies */
  const int8_t *w;
  int32_t *bias;
} kqweights;
int kq_weights(const pseg_fmt_model *m, const pseg_fmt_layer *l, size_t bcount, kqweights *q); /* free with kq_free */
void kq_free(kqweights *q);
/* Integer layers that only move or compare values (CONCAT, SLICE, MAXPOOL): where every tensor has
 * the output's scale and zero point and there is no activation, the int8 values out are input
 * values, so the float kernel and reference compute them exactly (the tensors hold them as
 * floats). kq_pass_ok: NULL, or why not; kq_pass_ref: their integer reference (the float one). */
const char *kq_pass_ok(const pseg_fmt_model *m, const pseg_fmt_layer *l);
/* Integer MUL (same shape, or the second input one value a channel) and MEAN over height and width
 * as XNNPACK computes them: an int32 product or sum of the values less their zero points, times
 * one fp32 scale (kq_mul_scale, kq_mean_scale), rounded to nearest even, plus the output's zero
 * point, clamped. kq_mul_qref, kq_mean_qref: their references. */
float kq_mul_scale(kquant a, kquant b, kquant o);
/* An integer ADD or MUL of a constant (aux 3): its int8 value, *q its scale and zero point */
int kq_const(const pseg_fmt_model *m, const pseg_fmt_layer *l, kquant *q);
float kq_mean_scale(kquant a, kquant o, int n);
void kq_mul_qref(const pseg_fmt_model *m, const pseg_fmt_layer *l, const float *in0, const float *in1, float *out);
void kq_mean_qref(const pseg_fmt_model *m, const pseg_fmt_layer *l, const float *in0, const float *in1, float *out);
void kq_pass_ref(const pseg_fmt_model *m, const pseg_fmt_layer *l, const float *in0, const float *in1, float *out);
/* The dispatch of an integer layer (shaders/qnet.comp), -1 for one it cannot run; the floats of
 * its packed weights (0: none) and their packing (kernels/quant.c). */
int kernel_qplan(const pseg_fmt_model *m, const pseg_fmt_layer *l, kdispatch *d);
size_t kernel_qpacked(const pseg_fmt_model *m, const pseg_fmt_layer *l);
void kernel_qpack(const pseg_fmt_model *m, const pseg_fmt_layer *l, float *dst);
/* The fast tier (weights in specialization constants, qnet.comp WSPEC): d made into the dispatch
 * that reads them (every output vec4 of a pixel an invocation), or -1 where the layer's do not fit
 * PSEG_WSPEC_MAX; and the constants of packed weights (kernel_qpack's n floats) for out (NULL:
 * only counted). */
int kernel_qfast(const pseg_fmt_model *m, const pseg_fmt_layer *l, kdispatch *d);
size_t kernel_qwspec(const float *packed, size_t n, size_t raw, uint64_t *out); /* raw: kernel_qraw's words */
/* The buffer form of packed weights (qnet.comp without WSPEC: a uniform or storage buffer of
 * uvec4): the first raw words as they are (biases, scales and, for TCONV2D, shifts: 32-bit words;
 * kernel_qraw gives their count), then each vec4 of int8 weights as one word (byte j: component
 * j), padded to a multiple of 4 words; the words for out (NULL: only counted). */
size_t kernel_qraw(const pseg_fmt_model *m, const pseg_fmt_layer *l);
size_t kernel_qbuf(const float *packed, size_t n, size_t raw, uint32_t *out);
/* Packed integer dot products (qnet.comp's QDOT variant, where the device has
 * VK_KHR_shader_integer_dot_product): kernel_qdot_ok says whether layer l, planned as d, is a conv
 * that can take them (a plain CONV2D or a TCONV2D with int8 weights: not a depthwise conv, nor a
 * 1x1 conv computing the depthwise conv before it); kernel_qdot_words rewrites its kernel_qbuf
 * words for them: each group of four weight words transposed (word j: output channel j of the
 * vec4, byte i: input channel i of four) and, for a CONV2D, the input's zero point folded into
 * the biases (bias - zp x the channel's weight sum: its padding taps read the zero point; a
 * TCONV2D's taps vary by pixel, so the shader subtracts it: kernel_qdot_extra more words after
 * kernel_qbuf's, each tap's weight sum per output channel), so the shader sums dot products of
 * raw int8 inputs. The same int32 sums, so the same outputs. */
int kernel_qdot_ok(const pseg_fmt_model *m, const pseg_fmt_layer *l, const kdispatch *d);
size_t kernel_qdot_extra(const pseg_fmt_model *m, const pseg_fmt_layer *l);
void kernel_qdot_words(const pseg_fmt_model *m, const pseg_fmt_layer *l, uint32_t *words);
/* The fast-tier dispatch f of 1x1 conv `pw` (planned: f, with its fusions after it) made to
 * compute depthwise conv `dw` (planned: dwd) first, from dw's input bound as G (qnet.comp
 * dw_proj; weights: pw's, then dw's), where both layers' weights fit the constants together; -1
 * otherwise. */
int kernel_qfuse_proj(const pseg_fmt_model *m, const pseg_fmt_layer *dw, const pseg_fmt_layer *pw, const kdispatch *dwd,
                      kdispatch *f);
/* Fusions into a planned integer dispatch d (qnet.comp PRO / EPI), each 0 or -1 where it cannot
 * be fused: the residual ADD `add` of conv `conv`'s output (its other operand bound as R); an
 * int8 -> int8 QUANTIZE or a DEQUANTIZE of d's output; d's input X read through RESIZE_BILINEAR
 * `rs` (a 1x1 stride-1 conv or an ADD reading its output as in0). */
enum { KQ_EPI = 7, KQ_PRO = 8, KQ_FIX = 12, KQ_PK = 13 }; /* KQ_FIX: TFLite's builtin requantization (kq_builtin);
                                                        KQ_PK: packed int8 tensors (runtime/session.c) */
int kernel_qfuse_add(const pseg_fmt_model *m, const pseg_fmt_layer *conv, const pseg_fmt_layer *add, kdispatch *d);
int kernel_qfuse_out(const pseg_fmt_model *m, const pseg_fmt_layer *lq, kdispatch *d);
int kernel_qfuse_resize_in(const pseg_fmt_model *m, const pseg_fmt_layer *rs, kdispatch *d);

/* Integer CONV2D (dw 0) and DWCONV2D (dw 1), kernels/conv.c */
void ref_qconv(const pseg_fmt_model *m, const pseg_fmt_layer *l, const float *in0, float *out, int dw);
void ref_qtconv(const pseg_fmt_model *m, const pseg_fmt_layer *l, const float *in0, float *out);

/* NULL for a value that is no op */
const pseg_op_def *pseg_op_def_of(int op);
/* The window checks conv, depthwise conv and pooling share: the window's size (bad_size when
 * wrong), stride, dilation (in aux, where the op has it), padding inside the (dilated) window, an
 * output the input can make. NULL when fine. */
const char *kernel_check_window(const pseg_fmt_layer *l, kshape a, kshape o, int dilation, const char *bad_size);

/* Packed GPU weights of a layer, in floats (vec4 aligned); 0 when it has none. */
size_t kernel_packed_weights(const pseg_fmt_layer *l, kshape in, kshape out, size_t *bias_floats);
/* The slopes of a PRELU folded into the layer making its input (its activation PSEG_ACT_PRELU),
 * packed after that layer's [weights | bias]: [C4] vec4, in floats. */
size_t prelu_packed(int c);
void prelu_pack(int c, const float *slopes, float *dst);
/* Pack TFLite-layout weights (w) and bias (b, may be NULL = zeros) into the GPU layout. */
void kernel_pack(const pseg_fmt_layer *l, kshape in, kshape out, const float *w, const float *b,
                 float *wdst, float *bdst);
/* Plan the dispatch of a layer. wide: one invocation computes every output channel of its
 * pixel (the weights are specialization constants, so the unrolled loops cost no loads);
 * otherwise 4 vec4s (conv) or 1 vec4 (dwconv) per invocation, the rest over grid z.
 * Returns 0, or -1 for an op this build cannot run. */
int kernel_plan(const pseg_fmt_layer *l, kshape in0, kshape in1, kshape out, int wide, kdispatch *d);
/* The linear grid of conv.comp and dwconv.comp: pixels invocations (times grid z) in workgroups
 * of lanes invocations. */
void kernel_set_grid(kdispatch *d, int pixels, int lanes);
/* Make a planned DWCONV2D compute every channel per invocation and feed a pointwise layer (a
 * 1x1 CONV2D, or a TCONV2D with kernel == stride) in the same invocation. */
void dwconv_fuse_projection(kdispatch *d, const pseg_fmt_layer *proj, kshape proj_out);
/* Make a planned DWCONV2D compute its input, a 1x1 CONV2D (pre, reading pre_in), at every tap:
 * every channel per invocation. */
void dwconv_fuse_pre(kdispatch *d, const pseg_fmt_layer *pre, kshape pre_in);

/* 1 when every source index of a RESIZE_BILINEAR axis (n_in -> n_out, mode as the layer's aux)
 * has the same total weight over the outputs (n_out / n_in), as a 2x half-pixel upsampling has:
 * then the mean of the resized map is the mean of its source. */
int resize_uniform(int n_in, int n_out, int mode);
/* A resize dispatch's pixels an invocation (4 from 32 columns up where `pays`, else 1) and grid. */
void resize_set_npx(kdispatch *d, int pays);

/* Plain-C references, NHWC float tensors (no vec4 padding). */
/* Dilation of CONV2D / DWCONV2D, in the layer's aux (and the dispatch's pc.mode): height in the
 * low byte, width in the next, 0 meaning 1. */
static inline int kernel_dil_h(int code) { return (code & 255) ? (code & 255) : 1; }
static inline int kernel_dil_w(int code) { return ((code >> 8) & 255) ? ((code >> 8) & 255) : 1; }
void ref_conv2d(const float *in, kshape is, const float *w, const float *b, int kh, int kw, int sh,
                int sw, int pt, int pl, int dil, int act, float *out, kshape os);
void ref_dwconv2d(const float *in, kshape is, const float *w, const float *b, int kh, int kw, int sh,
                  int sw, int pt, int pl, int dil, int act, float *out, kshape os);
void ref_tconv2d(const float *in, kshape is, const float *w, const float *b, int kh, int kw, int sh, int sw,
                 int pt, int pl, int act, float *out, kshape os);
void ref_mean(const float *in, kshape is, int act, float *out);
void ref_binary(const float *a, const float *b, kshape s, int op /*PSEG_OP_ADD/MUL/ACT*/, int broadcast,
                int act, float *out);
void ref_resize_bilinear(const float *in, kshape is, float *out, kshape os, int mode, int act);
void ref_resize_nearest(const float *in, kshape is, float *out, kshape os, int mode, int act);
/* RESIZE_NEAREST_NEIGHBOR's source index of output d (TFLite's, in fp32; mode as the layer's aux) */
int resize_nearest_src(int d, int n_in, int n_out, int mode);
float resize_nearest_scale(int n_in, int n_out, int mode);
void ref_reduce(const float *in, kshape s, int max, float *out);
void ref_maxpool(const float *in, kshape is, int kh, int kw, int sh, int sw, int pt, int pl, int act, float *out, kshape os);
/* CONCAT and SLICE (kernels/eltwise.c); fill: a SLICE's value outside its input (0, or an int8
 * tensor's zero point) */
void ref_copy(const float *a, kshape as, const float *b, kshape bs, const pseg_fmt_layer *l, float fill, float *out,
              kshape os);
void ref_softmax(const float *in, kshape s, float *out);
void ref_prelu(const float *in, kshape s, const float *slopes, float *out);
float ref_activate(float v, int act);

/* The blurred background (kernels/composite.c): frame blocks of f x f averaged to lw x lh, then a
 * Gaussian of sigma (radius taps each side) along x and along y at that size. */
typedef struct kblur {
  int f, lw, lh, radius;
  float sigma;
} kblur;
void blur_params(int w, int h, kblur *p);
void ref_blur(const uint8_t *rgba, int w, int h, const kblur *p, uint8_t *out);
float ref_background(const uint8_t *bg, int bw, int bh, int w, int h, int x, int y, int c);
/* Temporal smoothing (smooth.comp): the running mask r (< 0: none yet) and the frame's
 * probability p give the frame's mask, which is the next r. */
/* disagreements |p - r| below d0 move by 1 - strength, rising (smoothstep) to all of it at d1:
 * chosen with bench/flicker.c on the dev portraits (BENCHMARKS.md "Temporal smoothing") */
#define PSEG_SMOOTH_D0 0.3f
#define PSEG_SMOOTH_D1 1.0f
float ref_smooth(float p, float r, float strength);
/* Edge-aware upsampling (guided.comp): the fast guided filter, the frame's luma the guide, at
 * blocks of s x s (lw x lh), box radius r there, eps. */
typedef struct kguided {
  int s, lw, lh, r;
  float eps;
} kguided;
void guided_params(int w, int h, kguided *p);
void ref_guided(const uint8_t *rgba, const float *p, int w, int h, const kguided *g, float *q);
/* Cleanup (cleanup.comp): the largest person region kept, its holes filled, on cells of s x s
 * pixels (lw x lh, at most 256 a side); in place. */
void cleanup_params(int w, int h, int *s, int *lw, int *lh);
void ref_cleanup(float *mask, int w, int h);

/* Run a whole model on the CPU: tensors[i] receives malloc'ed NHWC data for every tensor. */
int ref_run_model(const pseg_fmt_model *m, const float *input, float **tensors);
/* The same with fp16 emulated, to tell a model's own sensitivity from a device's: prec 1 rounds
 * every layer's weights and biases to fp16 (--precision fp16), 2 also every layer's output
 * (fp16-all); the arithmetic stays fp32. Float layers only: integer models compute in integers. */
int ref_run_model_prec(const pseg_fmt_model *m, const float *input, float **tensors, int prec);

#endif
