/* Element-wise family: ADD, MUL, SUB, DIV (same shape, or the second input broadcast per channel;
 * SUB and DIV also per pixel: x - max over channels, e / sum of a hand-written softmax) and the
 * standalone activations (RELU, RELU6, HARD_SWISH, LOGISTIC, TANH) that the converter could not fuse
 * into the layer producing their input. Shader binary.comp. */
#include "kernels.h"

#include <math.h>
#include <string.h>

float ref_activate(float v, int act) {
  switch (act) {
  case PSEG_ACT_RELU: return v > 0 ? v : 0;
  case PSEG_ACT_RELU6: return v < 0 ? 0 : v > 6 ? 6 : v;
  case PSEG_ACT_HARD_SWISH: {
    float r = v + 3;
    r = r < 0 ? 0 : r > 6 ? 6 : r;
    return v * r / 6;
  }
  case PSEG_ACT_SIGMOID: return (float)(1.0 / (1.0 + exp(-(double)v)));
  case PSEG_ACT_TANH: return (float)tanh((double)v);
  case PSEG_ACT_EXP: return (float)exp((double)v);
  default: return v;
  }
}

int binary_plan(const pseg_fmt_layer *l, kshape in, kshape in1, kshape out, int wide, kdispatch *d);

/* CONCAT (OP 5: channels [0, aux) from X, the rest from R) and SLICE (OP 6: channels from aux
 * on of X, output pixel (y, x) from X's (y - pad_top, x - pad_left), zeros outside X): binary.comp
 * / gpix.comp with each input's own vec4 stride (pc.in_c4, pc.aux1). */
static int copy_plan(const pseg_fmt_layer *l, kshape in0, kshape in1, kshape out, int wide, kdispatch *d) {
  binary_plan(l, in0, in1, out, wide, d);
  d->spec[KB_OP] = l->op == PSEG_OP_CONCAT ? 5 : 6;
  d->spec[KB_BCAST] = 0;
  d->pc.in_c4 = kc4(in0.c), d->pc.aux0 = l->aux, d->pc.aux1 = l->op == PSEG_OP_CONCAT ? kc4(in1.c) : 0;
  d->pc.mode = out.c; /* the real channels: the padding lanes after them are written as 0 */
  if (l->op == PSEG_OP_SLICE) d->pc.in_h = in0.h, d->pc.in_w = in0.w, d->pc.pad_t = l->pad_top, d->pc.pad_l = l->pad_left;
  return 0;
}

void ref_copy(const float *a, kshape as, const float *b, kshape bs, const pseg_fmt_layer *l, float fill, float *out,
              kshape os) {
  int slice = l->op == PSEG_OP_SLICE, aux = l->aux;
  for (int y = 0; y < os.h; y++)
    for (int x = 0; x < os.w; x++) {
      size_t p = (size_t)y * os.w + x; /* the output's pixel, and for a SLICE the input's (sy, sx) */
      int sy = slice ? y - l->pad_top : y, sx = slice ? x - l->pad_left : x, in = sy >= 0 && sy < as.h && sx >= 0 && sx < as.w;
      size_t sp = in ? (size_t)sy * as.w + sx : 0;
      for (int c = 0; c < os.c; c++) {
        float v = !in ? fill : slice ? a[sp * as.c + c + aux] : c < aux ? a[p * as.c + c] : b[p * bs.c + c - aux];
        out[p * os.c + c] = ref_activate(v, l->act);
      }
    }
}

int binary_plan(const pseg_fmt_layer *l, kshape in, kshape in1, kshape out, int wide, kdispatch *d) {
  (void)in, (void)in1, (void)wide;
  memset(d, 0, sizeof *d);
  d->shader = PSEG_SHADER_BINARY;
  d->pc = (pseg_params){.in_h = out.h, .in_w = out.w, .in_c4 = kc4(out.c), .out_h = out.h, .out_w = out.w,
                        .out_c4 = kc4(out.c)};
  d->spec[KB_C4] = kc4(out.c);
  d->spec[KB_OP] = l->op == PSEG_OP_ADD ? 0 : l->op == PSEG_OP_MUL ? 1 : l->op == PSEG_OP_SUB ? 3 : l->op == PSEG_OP_DIV ? 4 : 2;
  d->spec[KB_BCAST] = l->aux;
  d->spec[KB_ACT] = l->act;
  d->groups[0] = (uint32_t)(out.w + 7) / 8;
  d->groups[1] = (uint32_t)(out.h + 7) / 8;
  d->groups[2] = 1;
  return 0;
}

/* GPU tier (gpix.comp KIND 0): one invocation an output vec4. */
void binary_gpu(const kdispatch *d, int batch, kdispatch *g) {
  g->shader = PSEG_SHADER_GPIX;
  g->spec[5] = 0;
  kernel_grid_1d(g, (uint32_t)(((long)d->pc.out_w * d->pc.out_h * d->spec[KB_C4] + 63) / 64), batch);
}

void ref_binary(const float *a, const float *b, kshape s, int op, int broadcast, int act, float *out) {
  size_t n = (size_t)s.h * s.w * s.c;
  for (size_t i = 0; i < n; i++) {
    float v = a[i];
    if (op == PSEG_OP_ADD || op == PSEG_OP_MUL || op == PSEG_OP_SUB || op == PSEG_OP_DIV) {
      float u = b[broadcast == 1 ? i % (size_t)s.c : broadcast == 2 ? i / (size_t)s.c : i];
      v = op == PSEG_OP_ADD ? v + u : op == PSEG_OP_MUL ? v * u : op == PSEG_OP_SUB ? v - u : v / u;
    }
    out[i] = ref_activate(v, act);
  }
}

/* ---- the op table (kernels.h) ---- */

/* aux: 0 same shape, 1 in1 is [1,1,C]; SUB and DIV also 2: in1 is [H,W,1] (per pixel); integer
 * ADD and MUL also 3: no in1, one constant (kernels/quant.c kq_const: its int8 value and scale in
 * the weights, its zero point as the bias) */
static const char *binary_check(const pseg_fmt_layer *l, kshape a, kshape b, kshape o) {
  int maxaux = l->op == PSEG_OP_SUB || l->op == PSEG_OP_DIV ? 2 : 1;
  if (o.h != a.h || o.w != a.w || o.c != a.c) return "output shape mismatch";
  if (l->aux == 3 && (l->op == PSEG_OP_ADD || l->op == PSEG_OP_MUL)) return l->in1 == -1 ? NULL : "a constant operand and a second input";
  if (l->aux == 0 && (b.h != a.h || b.w != a.w || b.c != a.c)) return "input shapes differ";
  if (l->aux == 1 && (b.h != 1 || b.w != 1 || b.c != a.c)) return "broadcast shape mismatch";
  if (l->aux == 2 && (b.h != a.h || b.w != a.w || b.c != 1)) return "broadcast shape mismatch";
  if (l->aux < 0 || l->aux > maxaux) return "bad broadcast mode";
  return NULL;
}

static void binary_ref(const pseg_fmt_layer *l, const float *in0, kshape a, const float *in1, kshape b,
                       const float *w, const float *bias, float *out, kshape o) {
  (void)a, (void)b, (void)w, (void)bias;
  ref_binary(in0, in1, o, l->op, l->aux, l->act, out);
}

/* Integer ADD of two same-shape tensors (kq_add: XNNPACK's; kq_addf: TFLite's builtin kernel's,
 * in kq_builtin models) */
static void add_qref(const pseg_fmt_model *m, const pseg_fmt_layer *l, const float *in0, const float *in1, float *out) {
  const pseg_fmt_tensor *t = &m->tensors[l->out];
  kquant qa = kq_of(m, l->in0), qb = kq_of(m, l->in1 >= 0 ? l->in1 : l->in0), qo = kq_of(m, l->out);
  int lo, hi, builtin = kq_builtin(m), cv = 0;
  if (l->aux == 3) cv = kq_const(m, l, &qb);
  kq_act_range(l->act, qo, builtin, &lo, &hi);
  size_t n = (size_t)t->h * t->w * t->c;
  if (l->aux == 3) { /* a constant: XNNPACK's arithmetic with b fixed */
    kqadd p;
    kq_add_params(qa, qb, qo, &p);
    for (size_t i = 0; i < n; i++) out[i] = (float)kq_add((int)in0[i], cv, &p, qo.zp, lo, hi);
    return;
  }
  if (l->aux == 1 && builtin) { /* TFLite's builtin kernel broadcasting: not written (refused by the format) */
    memset(out, 0, n * sizeof(float));
    return;
  }
  if (l->aux == 1) { /* one value a channel: XNNPACK's arithmetic, b repeated */
    kqadd p;
    kq_add_params(qa, qb, qo, &p);
    for (size_t i = 0; i < n; i++) out[i] = (float)kq_add((int)in0[i], (int)in1[i % (size_t)t->c], &p, qo.zp, lo, hi);
    return;
  }
  if (builtin) {
    kqaddf f;
    kq_addf_params(qa, qb, qo, &f);
    for (size_t i = 0; i < n; i++) out[i] = (float)kq_addf((int)in0[i], (int)in1[i], qa, qb, &f, qo.zp, lo, hi);
    return;
  }
  kqadd p;
  kq_add_params(qa, qb, qo, &p);
  for (size_t i = 0; i < n; i++) out[i] = (float)kq_add((int)in0[i], (int)in1[i], &p, qo.zp, lo, hi);
}

/* an integer ADD or MUL of a constant (aux 3): one int8 value, its zero point as the bias */
static void binary_weights(const pseg_fmt_layer *l, kshape in, kshape out, size_t *w, size_t *b) {
  (void)in, (void)out;
  *w = *b = l->aux == 3;
}

const pseg_op_def pseg_def_ADD = {2, binary_check, binary_weights, NULL, NULL, binary_plan, binary_ref, add_qref};
const pseg_op_def pseg_def_MUL = {2, binary_check, binary_weights, NULL, NULL, binary_plan, binary_ref, kq_mul_qref};
const pseg_op_def pseg_def_SUB = {2, binary_check, NULL, NULL, NULL, binary_plan, binary_ref, NULL};
const pseg_op_def pseg_def_DIV = {2, binary_check, NULL, NULL, NULL, binary_plan, binary_ref, NULL};

/* RESHAPE (binary.comp / gpix.comp OP 9): output element e (NHWC order, no padding lanes) is
 * input element e: pc.aux0 the input's channels, pc.mode the output's */
static const char *reshape_check(const pseg_fmt_layer *l, kshape a, kshape b, kshape o) {
  (void)l, (void)b;
  return (int64_t)a.h * a.w * a.c != (int64_t)o.h * o.w * o.c ? "reshape to another element count" : NULL;
}

static int reshape_plan(const pseg_fmt_layer *l, kshape in0, kshape in1, kshape out, int wide, kdispatch *d) {
  binary_plan(l, in0, in1, out, wide, d);
  d->spec[KB_OP] = 9;
  d->pc.in_h = in0.h, d->pc.in_w = in0.w, d->pc.in_c4 = kc4(in0.c), d->pc.aux0 = in0.c, d->pc.mode = out.c;
  return 0;
}

static void reshape_ref(const pseg_fmt_layer *l, const float *in0, kshape a, const float *in1, kshape b,
                        const float *w, const float *bias, float *out, kshape o) {
  (void)a, (void)in1, (void)b, (void)w, (void)bias;
  for (size_t i = 0; i < (size_t)o.h * o.w * o.c; i++) out[i] = ref_activate(in0[i], l->act);
}

const pseg_op_def pseg_def_RESHAPE = {1, reshape_check, NULL, NULL, NULL, reshape_plan, reshape_ref, kq_pass_ref};

/* the act field on a copy of its input */
static const char *same_shape_check(const pseg_fmt_layer *l, kshape a, kshape b, kshape o) {
  (void)l, (void)b;
  return o.h != a.h || o.w != a.w || o.c != a.c ? "output shape mismatch" : NULL;
}

const pseg_op_def pseg_def_ACT = {1, same_shape_check, NULL, NULL, NULL, binary_plan, binary_ref, kq_act_qref};

/* channels of in0, then in1's; aux: in0's channels */
static const char *concat_check(const pseg_fmt_layer *l, kshape a, kshape b, kshape o) {
  if (b.h != a.h || b.w != a.w || o.h != a.h || o.w != a.w || (int64_t)o.c != (int64_t)a.c + b.c || l->aux != a.c)
    return "concatenation shape mismatch";
  return NULL;
}

/* channels [aux, aux + out's) of in0; output pixel (y, x) is in0's (y - pad_top, x - pad_left),
 * zero outside in0 (a positive pad_top or pad_left: TFLite's PAD; a negative one: a crop) */
static const char *slice_check(const pseg_fmt_layer *l, kshape a, kshape b, kshape o) {
  (void)b;
  if (l->aux < 0 || (int64_t)l->aux + o.c > a.c) return "slice out of range";
  if (l->pad_top < -a.h || l->pad_top > o.h || l->pad_left < -a.w || l->pad_left > o.w) return "slice offset out of range";
  return NULL;
}

static void copy_ref(const pseg_fmt_layer *l, const float *in0, kshape a, const float *in1, kshape b, const float *w,
                     const float *bias, float *out, kshape o) {
  (void)w, (void)bias;
  ref_copy(in0, a, in1, b, l, 0.0f, out, o);
}

const pseg_op_def pseg_def_CONCAT = {2, concat_check, NULL, NULL, NULL, copy_plan, copy_ref, kq_pass_ref};
const pseg_op_def pseg_def_SLICE = {1, slice_check, NULL, NULL, NULL, copy_plan, copy_ref, kq_pass_ref};
