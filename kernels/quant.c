/* Integer graphs (issue 15): QUANTIZE and DEQUANTIZE, and what the integer references of the
 * other families share (kernels.h). An integer tensor holds int8 q, real value (q - zero point)
 * x scale; the references keep q in float arrays (exact) and compute as TFLite's XNNPACK delegate
 * does (fp32 requantization: the int32 accumulator times a float scale, rounded to nearest even).
 * Their GPU kernels: shaders/qnet.comp, planned and packed below. */
#include "kernels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

kquant kq_of(const pseg_fmt_model *m, int32_t t) {
  const pseg_fmt_quant *q = pseg_fmt_tensor_quant(m, t);
  return q ? (kquant){q->scale, q->zero_point} : (kquant){0.0f, 0};
}

/* XNNPACK's subgraph: lrintf(clamp(limit / scale + zp, -128, 127)) in float */
static int act_limit(float v, kquant o) {
  float q = v / o.scale + (float)o.zp;
  return (int)lrintf(q < -128.0f ? -128.0f : q > 127.0f ? 127.0f : q);
}

/* TFLite's CalculateActivationRangeQuantized: zp + (int)round(limit / scale), in float (a limit
 * past int32, from a denormal scale, as the highest value) */
static int builtin_limit(float v, kquant o) {
  float q = roundf(v / o.scale);
  return q >= 2147483520.0f ? INT32_MAX : (int)q + o.zp;
}

void kq_act_range(int act, kquant o, int builtin, int *lo, int *hi) {
  *lo = -128, *hi = 127;
  if (act == PSEG_ACT_RELU || act == PSEG_ACT_RELU6) *lo = builtin ? o.zp : act_limit(0.0f, o); /* zp + round(0 / scale) */
  if (act == PSEG_ACT_RELU6 && builtin) {
    int h = builtin_limit(6.0f, o);
    *hi = h < 127 ? h : 127;
  } else if (act == PSEG_ACT_RELU6) {
    *hi = act_limit(6.0f, o);
  }
  if (*lo < -128) *lo = -128;
}

int kq_add_params(kquant qa, kquant qb, kquant qo, kqadd *p) {
  float ra = qa.scale / qo.scale, rb = qb.scale / qo.scale, mx = ra > rb ? ra : rb;
  uint32_t bits;
  memcpy(&bits, &mx, 4);
  int shift = 20 - ((int)(bits >> 23) - 127), ok = shift >= 1 && shift <= 30;
  p->shift = shift < 1 ? 1 : shift > 30 ? 30 : shift;
  p->am = (int32_t)lrintf(ldexpf(ra, p->shift)), p->bm = (int32_t)lrintf(ldexpf(rb, p->shift));
  p->bias = ((int64_t)1 << (p->shift - 1)) - (int64_t)p->am * qa.zp - (int64_t)p->bm * qb.zp;
  return ok ? 0 : -1;
}

static int quantize_below_one(double r, int32_t *mult, int *shift) {
  if (!(r > 0.0 && r < 1.0)) return -1; /* TFLite's QuantizeMultiplierSmallerThanOneExp checks */
  kq_fixed_multiplier(r, mult, shift);
  return *shift <= 0 ? 0 : -1;
}

int kq_addf_params(kquant qa, kquant qb, kquant qo, kqaddf *p) {
  float mx = qa.scale > qb.scale ? qa.scale : qb.scale;
  double twice = (double)(2 * mx); /* float arithmetic, as TFLite's Prepare writes it */
  memset(p, 0, sizeof *p);
  if (quantize_below_one((double)qa.scale / twice, &p->am, &p->ash) ||
      quantize_below_one((double)qb.scale / twice, &p->bm, &p->bsh) ||
      quantize_below_one(twice / (double)((float)(1 << 20) * qo.scale), &p->om, &p->osh))
    return -1;
  return 0;
}

int kq_addf(int a, int b, kquant qa, kquant qb, const kqaddf *p, int zo, int lo, int hi) {
  int32_t x = kq_fixed_mul((a - qa.zp) * (1 << 20), p->am, p->ash), y = kq_fixed_mul((b - qb.zp) * (1 << 20), p->bm, p->bsh);
  int32_t v = kq_fixed_mul(x + y, p->om, p->osh) + zo;
  return v < lo ? lo : v > hi ? hi : v;
}

static int pos_normal(float s) { return s > 0.0f && isnormal(s); }

int kq_builtin(const pseg_fmt_model *m) {
  if (m->builtin_int) return (int)m->builtin_int - 1;
  for (uint32_t i = 0; i < m->n_quant; i++)
    if (!pos_normal(m->quant[i].scale)) return 1;
  for (uint32_t i = 0; i < m->n_layers; i++) {
    const pseg_fmt_layer *l = &m->layers[i];
    if (l->wtype != PSEG_WTYPE_I8 || (l->op != PSEG_OP_CONV2D && l->op != PSEG_OP_DWCONV2D && l->op != PSEG_OP_TCONV2D))
      continue;
    uint32_t ns;
    memcpy(&ns, m->weights + l->w_off, 4);
    for (uint32_t k = 0; k < ns; k++) {
      float sc;
      memcpy(&sc, m->weights + l->w_off + 4 + 4 * (size_t)k, 4);
      if (!pos_normal(sc)) return 1;
    }
  }
  return 0;
}

int kq_add(int a, int b, const kqadd *p, int zo, int lo, int hi) {
  int64_t q = ((p->bias + (int64_t)a * p->am + (int64_t)b * p->bm) >> p->shift) + zo; /* arithmetic shift: half up */
  return q < lo ? lo : q > hi ? hi : (int)q;
}

/* XNNPACK's functions for its lookup tables (operators/lut-elementwise-nc.c): the sigmoid from
 * whichever side keeps 1 / (1 + e) away from cancelling, the tanh as tanhf */
static float lut_sigmoid(float x) { return signbit(x) ? 1.0f / (1.0f + expf(-x)) : 1.0f - 1.0f / (1.0f + expf(x)); }

const char *kq_lut_ok(kquant a, kquant o, int act) {
  if (act != PSEG_ACT_SIGMOID && act != PSEG_ACT_TANH && act != PSEG_ACT_HARD_SWISH)
    return "an integer activation must be logistic, tanh or hard_swish (relu and relu6 fuse into the layer before)";
  if (!(a.scale > 0.0f && isnormal(a.scale))) return "an integer activation's input scale must be positive and normal";
  if (act == PSEG_ACT_HARD_SWISH && !(o.scale > 0.0f && isnormal(o.scale) && a.scale / 128.0f / o.scale < 1.0f))
    return "an integer hard_swish's output scale must be positive, normal and above its input scale / 128 (as TFLite requires)";
  if (act == PSEG_ACT_SIGMOID && (o.scale != 0x1.0p-8f || o.zp != -128))
    return "an integer logistic must have output scale 1/256 and zero point -128 (as TFLite's converter writes it)";
  if (act == PSEG_ACT_TANH && (o.scale != 0x1.0p-7f || o.zp != 0))
    return "an integer tanh must have output scale 1/128 and zero point 0 (as TFLite's converter writes it)";
  return NULL;
}

/* 16-bit fixed point as TFLite's integer HARD_SWISH kernel uses it (gemmlowp's rounding doubling
 * high multiply, its rounding division by a power of two; a doubling high multiply that truncates;
 * a left shift that saturates) */
static int16_t sat16(int64_t v) { return (int16_t)(v > INT16_MAX ? INT16_MAX : v < INT16_MIN ? INT16_MIN : v); }
static int16_t rdhm16(int16_t a, int16_t b) {
  if (a == INT16_MIN && b == INT16_MIN) return INT16_MAX;
  int32_t ab = (int32_t)a * b;
  return (int16_t)((ab + (ab >= 0 ? 1 << 14 : 1 - (1 << 14))) / (1 << 15));
}
static int16_t dhm16(int16_t a, int16_t b) {
  if (a == INT16_MIN && b == INT16_MIN) return INT16_MAX;
  return (int16_t)(((int32_t)a * b) / (1 << 15));
}
static int16_t rdiv_pot16(int16_t x, int e) {
  int32_t mask = (1 << e) - 1, rem = x & mask, thr = (mask >> 1) + (x < 0 ? 1 : 0);
  return (int16_t)((x >> e) + (rem > thr ? 1 : 0));
}
/* TFLite's int16 multiplier from its int32 one (DownScaleInt32ToInt16Multiplier) */
static int16_t mult16(int32_t m) { return m >= INT32_MAX - (1 << 15) ? INT16_MAX : (int16_t)((m + (1 << 15)) >> 16); }

/* q's int8 HARD_SWISH as TFLite's kernel computes it: the input on a scale 2^7 finer, the output
 * multiplier (input scale / 128 / output scale) and the "reluish" one (the same over 3 / 32768)
 * as 16-bit fixed point, computed in float as its Prepare does */
static int hswish_q(int q, kquant a, kquant o) {
  float hires = a.scale / 128.0f;
  int32_t om32, rm32;
  int oe, re;
  kq_fixed_multiplier((double)(hires / o.scale), &om32, &oe);
  kq_fixed_multiplier((double)(hires / (3.0f / 32768.0f)), &rm32, &re);
  int16_t om = mult16(om32), rm = mult16(rm32);
  int16_t x = (int16_t)((q - a.zp) * (1 << 7)), xo = rdhm16(x, om), r = x;
  if (re > 0) r = sat16((int64_t)r * (1 << (re - 1)));
  r = rdhm16(r, rm);
  if (re > 0) r = sat16((int64_t)r * 2);
  if (re < 0) r = rdiv_pot16(r, -re);
  r = (int16_t)((r + (1 << 15)) >> 1);
  int v = rdiv_pot16(dhm16(r, xo), -oe) + o.zp;
  return v < -128 ? -128 : v > 127 ? 127 : v;
}

void kq_lut(kquant a, kquant o, int act, int8_t lut[256]) {
  const float inv = 1.0f / o.scale;
  for (int i = -128; i < 128; i++) {
    if (act == PSEG_ACT_HARD_SWISH) {
      lut[i + 128] = (int8_t)hswish_q(i, a, o);
      continue;
    }
    float x = (float)(i - a.zp) * a.scale, y = act == PSEG_ACT_TANH ? tanhf(x) : lut_sigmoid(x);
    long q = lrintf(y * inv) + o.zp;
    lut[i + 128] = (int8_t)(q < -128 ? -128 : q > 127 ? 127 : q);
  }
}

const char *kq_softmax_ok(kquant o) {
  return o.scale == 0x1.0p-8f && o.zp == -128 ? NULL
                                              : "an integer softmax must have output scale 1/256 and zero point -128 (as TFLite requires)";
}

void kq_softmax_table(kquant a, float table[256]) {
  const float sc = -a.scale; /* beta 1 */
  for (int v = 0; v <= 255; v++) table[255 - v] = expf(sc * (float)v);
}

void kq_softmax_row(const float table[256], const float *q, int n, float oscale, int zo, float *out) {
  int mx = -128;
  for (int c = 0; c < n; c++) mx = (int)q[c] > mx ? (int)q[c] : mx;
  const float *t = table + 255 - mx;
  float sum = 0.0f;
  for (int c = 0; c < n; c++) sum += t[(int)q[c]];
  const float inv = 1.0f / (sum * oscale);
  for (int c = 0; c < n; c++) {
    int v = (int)roundf(t[(int)q[c]] * inv) + zo;
    out[c] = (float)(v < -128 ? -128 : v > 127 ? 127 : v);
  }
}

int32_t kq_cvt_multiplier(kquant a, kquant o) { return (int32_t)lrintf(256.0f * (a.scale / o.scale)); }

void kq_fixed_multiplier(double scale, int32_t *mult, int *shift) {
  *mult = 0, *shift = 0;
  if (!(scale > 0.0) || !isfinite(scale)) return;
  double q = frexp(scale, shift);
  int64_t f = (int64_t)round(q * (double)(1ll << 31)); /* half away from zero, as TfLiteRound */
  if (f == (1ll << 31)) f /= 2, ++*shift;
  if (*shift < -31) *shift = 0, f = 0;
  if (*shift > 30) *shift = 30, f = (1ll << 31) - 1;
  *mult = (int32_t)f;
}

void kq_fixed_channel(kquant a, float w_scale, kquant o, int32_t *mult, int *shift) {
  kq_fixed_multiplier((double)a.scale * (double)w_scale / (double)o.scale, mult, shift);
}

int32_t kq_fixed_mul_ruy(int32_t x, int32_t mult, int shift) {
  int64_t t = 31 - shift; /* 1 .. 62: kq_fixed_multiplier keeps shifts in -31 .. 30 */
  return (int32_t)(((int64_t)x * mult + ((int64_t)1 << (t - 1))) >> t);
}

int32_t kq_fixed_mul(int32_t x, int32_t mult, int shift) {
  int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  int32_t a = (int32_t)(uint32_t)((uint64_t)(uint32_t)x << left), h; /* wraps as TFLite's x * (1 << left) */
  if (a == INT32_MIN && mult == INT32_MIN) {
    h = INT32_MAX;
  } else {
    int64_t ab = (int64_t)a * mult, nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
    h = (int32_t)((ab + nudge) / (1ll << 31)); /* truncated toward zero */
  }
  if (right <= 0) return h;
  int32_t mask = (int32_t)(((uint32_t)1 << right) - 1u), rem = h & mask, thr = (mask >> 1) + (h < 0 ? 1 : 0);
  return (h >> right) + (rem > thr ? 1 : 0);
}

int kq_tconv_fixed(const pseg_fmt_model *m, const pseg_fmt_layer *l) {
  uint32_t ns;
  memcpy(&ns, m->weights + l->w_off, 4);
  return ns > 1 || kq_builtin(m);
}

int kq_requant(float v, int zp, int lo, int hi) {
  float a = (float)(lo - zp), b = (float)(hi - zp);
  v = v < a ? a : v > b ? b : v;
  return (int)lrintf(v) + zp;
}

int kq_weights(const pseg_fmt_model *m, const pseg_fmt_layer *l, size_t bcount, kqweights *q) {
  memset(q, 0, sizeof *q);
  const uint8_t *p = m->weights + l->w_off;
  memcpy(&q->nscale, p, 4);
  float *sc = malloc(q->nscale * sizeof(float));
  q->bias = calloc(bcount ? bcount : 1, sizeof(int32_t));
  if (!sc || !q->bias) return free(sc), free(q->bias), -1;
  memcpy(sc, p + 4, 4 * (size_t)q->nscale);
  q->scale = sc;
  q->w = (const int8_t *)(p + 4 + 4 * (size_t)q->nscale);
  if (l->b_off >= 0) memcpy(q->bias, m->weights + l->b_off, 4 * bcount);
  return 0;
}

void kq_free(kqweights *q) {
  free((void *)q->scale);
  free(q->bias);
  memset(q, 0, sizeof *q);
}

static int same_quant(const pseg_fmt_model *m, int32_t a, int32_t b) {
  kquant x = kq_of(m, a), y = kq_of(m, b);
  return x.scale == y.scale && x.zp == y.zp;
}

const char *kq_pass_ok(const pseg_fmt_model *m, const pseg_fmt_layer *l) {
  if (l->op != PSEG_OP_CONCAT && l->op != PSEG_OP_SLICE && l->op != PSEG_OP_MAXPOOL && l->op != PSEG_OP_RESHAPE &&
      l->op != PSEG_OP_RESIZE_NEAREST)
    return "not a pass-through op";
  if (!same_quant(m, l->in0, l->out) || (l->in1 >= 0 && !same_quant(m, l->in1, l->out)))
    return "its inputs and output must share one scale and zero point (XNNPACK's rule)";
  if (l->act != PSEG_ACT_NONE) return "it takes no activation";
  return NULL;
}

void kq_pass_ref(const pseg_fmt_model *m, const pseg_fmt_layer *l, const float *in0, const float *in1, float *out) {
  const pseg_fmt_tensor *a = &m->tensors[l->in0], *b = &m->tensors[l->in1 >= 0 ? l->in1 : l->in0], *o = &m->tensors[l->out];
  if (l->op == PSEG_OP_SLICE) { /* a padded border holds the real 0: the zero point */
    ref_copy(in0, (kshape){a->h, a->w, a->c}, NULL, (kshape){0}, l, (float)kq_of(m, l->out).zp, out, (kshape){o->h, o->w, o->c});
    return;
  }
  pseg_op_def_of(l->op)->ref(l, in0, (kshape){a->h, a->w, a->c}, in1, (kshape){b->h, b->w, b->c}, NULL, NULL, out,
                             (kshape){o->h, o->w, o->c});
}

static const char *same_shape(const pseg_fmt_layer *l, kshape a, kshape b, kshape o) {
  (void)l, (void)b;
  return a.h != o.h || a.w != o.w || a.c != o.c ? "output shape differs from the input's" : NULL;
}

/* float (real values) -> int8: round(x / scale) + zero point (TFLite's AffineQuantize, half away
 * from zero); int8 -> int8 as XNNPACK's convert: the scale ratio as a multiplier of 8 fraction
 * bits, M = rint(256 x in / out), then ((q - zp_in) x M + 128) >> 8, plus zp_out, clamped */
static void quantize_qref(const pseg_fmt_model *m, const pseg_fmt_layer *l, const float *in0, const float *in1,
                          float *out) {
  (void)in1;
  kquant a = kq_of(m, l->in0), o = kq_of(m, l->out);
  const pseg_fmt_tensor *t = &m->tensors[l->out];
  size_t n = (size_t)t->h * t->w * t->c;
  if (a.scale == 0) {
    for (size_t i = 0; i < n; i++) {
      float v = roundf(in0[i] / o.scale) + (float)o.zp;
      out[i] = v < -128 ? -128 : v > 127 ? 127 : v;
    }
    return;
  }
  int32_t mul = kq_cvt_multiplier(a, o);
  for (size_t i = 0; i < n; i++) {
    int32_t v = ((((int32_t)in0[i] - a.zp) * mul + 128) >> 8) + o.zp;
    out[i] = (float)(v < -128 ? -128 : v > 127 ? 127 : v);
  }
}

static void dequantize_qref(const pseg_fmt_model *m, const pseg_fmt_layer *l, const float *in0, const float *in1,
                            float *out) {
  (void)in1;
  kquant a = kq_of(m, l->in0);
  const pseg_fmt_tensor *t = &m->tensors[l->out];
  size_t n = (size_t)t->h * t->w * t->c;
  for (size_t i = 0; i < n; i++) out[i] = (in0[i] - (float)a.zp) * a.scale;
}

static int no_plan(const pseg_fmt_layer *l, kshape in0, kshape in1, kshape out, int wide, kdispatch *d) {
  (void)l, (void)in0, (void)in1, (void)out, (void)wide, (void)d;
  return -1;
}

/* An integer LOGISTIC or TANH: XNNPACK's table (kq_lut) */
void kq_act_qref(const pseg_fmt_model *m, const pseg_fmt_layer *l, const float *in0, const float *in1, float *out) {
  const pseg_fmt_tensor *t = &m->tensors[l->out];
  int8_t lut[256];
  (void)in1;
  kq_lut(kq_of(m, l->in0), kq_of(m, l->out), l->act, lut);
  for (size_t i = 0, n = (size_t)t->h * t->w * t->c; i < n; i++) out[i] = (float)lut[(int)in0[i] + 128];
}

int kq_const(const pseg_fmt_model *m, const pseg_fmt_layer *l, kquant *q) {
  int8_t v;
  memcpy(&q->scale, m->weights + l->w_off + 4, 4);
  memcpy(&q->zp, m->weights + l->b_off, 4);
  memcpy(&v, m->weights + l->w_off + 8, 1);
  return v;
}

float kq_mul_scale(kquant a, kquant b, kquant o) {
  float product = a.scale * b.scale; /* in float, as XNNPACK's operator creation */
  return product / o.scale;
}

float kq_mean_scale(kquant a, kquant o, int n) { return a.scale / o.scale / (float)n; }

void kq_mul_qref(const pseg_fmt_model *m, const pseg_fmt_layer *l, const float *in0, const float *in1, float *out) {
  const pseg_fmt_tensor *t = &m->tensors[l->out];
  kquant qa = kq_of(m, l->in0), qb = kq_of(m, l->in1 >= 0 ? l->in1 : l->in0), qo = kq_of(m, l->out);
  int lo, hi, cv = l->aux == 3 ? kq_const(m, l, &qb) : 0;
  kq_act_range(l->act, qo, kq_builtin(m), &lo, &hi);
  float sc = kq_mul_scale(qa, qb, qo);
  for (size_t i = 0, n = (size_t)t->h * t->w * t->c; i < n; i++) {
    int b = l->aux == 3 ? cv : (int)in1[l->aux == 1 ? i % (size_t)t->c : i];
    out[i] = (float)kq_requant((float)(((int)in0[i] - qa.zp) * (b - qb.zp)) * sc, qo.zp, lo, hi);
  }
}

void kq_mean_qref(const pseg_fmt_model *m, const pseg_fmt_layer *l, const float *in0, const float *in1, float *out) {
  const pseg_fmt_tensor *a = &m->tensors[l->in0];
  kquant qa = kq_of(m, l->in0), qo = kq_of(m, l->out);
  int lo, hi, n = a->h * a->w;
  (void)in1;
  kq_act_range(l->act, qo, kq_builtin(m), &lo, &hi);
  float sc = kq_mean_scale(qa, qo, n);
  for (int c = 0; c < a->c; c++) {
    int32_t acc = -n * qa.zp;
    for (int p = 0; p < n; p++) acc += (int32_t)in0[(size_t)p * a->c + c];
    out[c] = (float)kq_requant((float)acc * sc, qo.zp, lo, hi);
  }
}

const pseg_op_def pseg_def_QUANTIZE = {1, same_shape, NULL, NULL, NULL, no_plan, NULL, quantize_qref};
const pseg_op_def pseg_def_DEQUANTIZE = {1, same_shape, NULL, NULL, NULL, no_plan, NULL, dequantize_qref};

/* ---- the GPU kernels of integer layers: shaders/qnet.comp ---- */

static int pack_range(const pseg_fmt_model *m, kquant o, int act) {
  int lo, hi;
  kq_act_range(act, o, kq_builtin(m), &lo, &hi);
  return (lo + 128) | (hi + 128) << 8 | (o.zp + 128) << 16;
}

static int fbits(float f) {
  int32_t v;
  memcpy(&v, &f, 4);
  return v;
}

int kernel_qplan(const pseg_fmt_model *m, const pseg_fmt_layer *l, kdispatch *d) {
  const pseg_fmt_tensor *a = &m->tensors[l->in0], *o = &m->tensors[l->out];
  kquant qa = kq_of(m, l->in0), qo = kq_of(m, l->out);
  int builtin = kq_builtin(m);
  memset(d, 0, sizeof *d);
  d->shader = PSEG_SHADER_QNET;
  d->pc = (pseg_params){.in_h = a->h, .in_w = a->w, .in_c4 = kc4(a->c), .out_h = o->h, .out_w = o->w,
                        .out_c4 = kc4(o->c), .kh = l->kh, .kw = l->kw, .sh = l->sh, .sw = l->sw,
                        .pad_t = l->pad_top, .pad_l = l->pad_left};
  d->spec[0] = kc4(o->c), d->spec[2] = kc4(a->c);
  d->spec[3] = d->spec[4] = d->spec[5] = d->spec[6] = d->spec[10] = 1; /* KH, KW, NPX, OCB, SW of the convs (arrays: never 0) */
  switch (l->op) {
  case PSEG_OP_CONV2D:
  case PSEG_OP_DWCONV2D:
    d->spec[1] = l->op == PSEG_OP_DWCONV2D;
    d->spec[3] = l->kh, d->spec[4] = l->kw, d->spec[KQ_FIX] = builtin ? (l->op == PSEG_OP_CONV2D ? 2 : 1) : 0;
    d->pc.aux0 = qa.zp, d->pc.aux1 = l->aux, d->pc.mode = pack_range(m, qo, l->act);
    d->uses_weights = 1;
    { /* NPX pixels an invocation share each weight load, OCB output vec4s (convs) each input
       * load; NPX first, then OCB, keeping at least 128 invocations (256: about 3 % slower) */
      int px = o->h * o->w, oc4 = kc4(o->c), npx = 16, ocb = l->op == PSEG_OP_DWCONV2D ? 1 : 4;
      while (npx > 1 && (px + npx - 1) / npx * oc4 < 128) npx /= 2;
      if (ocb > oc4) ocb = oc4;
      while (ocb > 1 && (px + npx - 1) / npx * ((oc4 + ocb - 1) / ocb) < 128) ocb /= 2;
      d->spec[5] = npx, d->spec[6] = ocb;
      kernel_grid_1d(d, (uint32_t)(((size_t)((px + npx - 1) / npx) * ((oc4 + ocb - 1) / ocb) + 63) / 64), 1);
    }
    if (l->op == PSEG_OP_DWCONV2D && (l->aux & 255) <= 1 && ((l->aux >> 8) & 255) <= 1) { /* no dilation: NPX pixels of a row (ROWS) */
      int w = o->w, h = o->h, oc4 = kc4(o->c), npx = 16;
      while (npx > 1 && (npx / 2 >= w || h * ((w + npx - 1) / npx) * oc4 < 128)) npx /= 2;
      d->spec[5] = npx, d->spec[9] = 1, d->spec[10] = l->sw;
      kernel_grid_1d(d, (uint32_t)(((size_t)h * ((w + npx - 1) / npx) * oc4 + 63) / 64), 1);
    }
    return 0;
  case PSEG_OP_TCONV2D: /* a gather: an invocation an output vec4 (qnet.comp OP 8) */
    d->spec[1] = 8, d->spec[3] = l->kh, d->spec[4] = l->kw, d->spec[KQ_FIX] = kq_tconv_fixed(m, l);
    d->pc.aux0 = qa.zp, d->pc.mode = pack_range(m, qo, l->act);
    d->uses_weights = 1;
    break;
  case PSEG_OP_ADD: { /* kq_add's constants */
    kqadd p;
    kqaddf f;
    kquant qb = kq_of(m, l->in1 >= 0 ? l->in1 : l->in0);
    int cv = l->aux == 3 ? kq_const(m, l, &qb) : 0;
    if (builtin) { /* TFLite's builtin kernel (kq_addf): OP 10 */
      if (l->aux != 0 || kq_addf_params(qa, qb, qo, &f)) return -1;
      d->spec[1] = 10;
      d->pc.kh = f.am, d->pc.kw = f.bm, d->pc.sh = f.om, d->pc.sw = -f.ash | -f.bsh << 8 | -f.osh << 16;
      d->pc.aux0 = qa.zp, d->pc.aux1 = qb.zp, d->pc.mode = pack_range(m, qo, l->act);
      break;
    }
    if (l->aux == 2 || kq_add_params(qa, qb, qo, &p)) return -1; /* ratios XNNPACK refuses too */
    d->spec[1] = 2;
    d->pc.kh = p.am, d->pc.kw = p.bm, d->pc.sh = p.shift, d->pc.sw = (int32_t)p.bias, d->pc.aux1 = l->aux == 1;
    if (l->aux == 3) d->pc.kw = 0, d->pc.sw = (int32_t)(p.bias + (int64_t)cv * p.bm); /* b fixed: in the bias */
    d->pc.mode = pack_range(m, qo, l->act);
    break;
  }
  case PSEG_OP_SOFTMAX: /* TFLite's builtin kernel: a table of expf in the weights, an invocation a pixel */
    if (kq_softmax_ok(qo) || l->act != PSEG_ACT_NONE) return -1;
    d->spec[1] = 9;
    d->pc.aux1 = o->c, d->pc.mode = pack_range(m, qo, PSEG_ACT_NONE);
    d->uses_weights = 1;
    kernel_grid_1d(d, (uint32_t)(((size_t)o->h * o->w + 63) / 64), 1);
    return 0;
  case PSEG_OP_ACT: /* LOGISTIC, TANH: a table in the weights (kernel_qpack), read at the input's value */
    if (kq_lut_ok(qa, qo, l->act) || builtin) return -1;
    d->spec[1] = 7;
    d->pc.mode = pack_range(m, qo, PSEG_ACT_NONE);
    d->uses_weights = 1;
    break;
  case PSEG_OP_RESIZE_BILINEAR: {
    if (builtin) return -1;
    d->pc.mode = pack_range(m, qo, PSEG_ACT_NONE); /* the zero point, for a fused QUANTIZE */
    int adjh = l->aux == 2 && o->h != 1, adjw = l->aux == 2 && o->w != 1;
    d->spec[1] = 3;
    d->pc.aux0 = fbits((float)(a->h - adjh) / (float)(o->h - adjh));
    d->pc.aux1 = fbits((float)(a->w - adjw) / (float)(o->w - adjw));
    d->pc.act = l->aux;
    break;
  }
  case PSEG_OP_QUANTIZE:
    if (qa.scale == 0) {
      d->spec[1] = 4, d->pc.aux1 = fbits(qo.scale);
    } else {
      if (builtin) return -1;
      d->spec[1] = 5, d->pc.kh = kq_cvt_multiplier(qa, qo), d->pc.aux0 = qa.zp;
    }
    d->pc.mode = pack_range(m, qo, PSEG_ACT_NONE);
    break;
  case PSEG_OP_DEQUANTIZE:
    d->spec[1] = 6, d->pc.aux0 = qa.zp, d->pc.aux1 = fbits(qa.scale);
    break;
  case PSEG_OP_MUL: { /* qnet.comp OP 15: pc.kh the scale's bits, pc.kw 1 for one value a channel in R, 2
                        for a constant (pc.aux1: its value less its zero point) */
    if (builtin) return -1;
    kquant qb = kq_of(m, l->in1 >= 0 ? l->in1 : l->in0);
    int cv = l->aux == 3 ? kq_const(m, l, &qb) : 0;
    d->spec[1] = 15, d->pc.aux0 = qa.zp, d->pc.aux1 = l->aux == 3 ? cv - qb.zp : qb.zp, d->pc.kh = fbits(kq_mul_scale(qa, qb, qo));
    d->pc.kw = l->aux == 3 ? 2 : l->aux, d->pc.mode = pack_range(m, qo, l->act);
    break;
  }
  case PSEG_OP_RESIZE_NEAREST: { /* qnet.comp OP 18: values moved (kq_pass_ok), TFLite's fp32 scales */
    if (kq_pass_ok(m, l)) return -1;
    float sy = resize_nearest_scale(a->h, o->h, l->aux), sx = resize_nearest_scale(a->w, o->w, l->aux);
    d->spec[1] = 18, d->pc.aux0 = fbits(sy), d->pc.aux1 = fbits(sx), d->pc.act = l->aux;
    d->pc.mode = pack_range(m, qo, PSEG_ACT_NONE);
    break;
  }
  case PSEG_OP_AVGPOOL: /* qnet.comp OP 17: TFLite's integer kernel (one scale and zero point) */
    if (!same_quant(m, l->in0, l->out)) return -1;
    d->spec[1] = 17, d->pc.mode = pack_range(m, qo, l->act);
    break;
  case PSEG_OP_MEAN: /* qnet.comp OP 16: an invocation a channel vec4, over the whole map */
    if (builtin) return -1;
    d->spec[1] = 16, d->pc.aux0 = qa.zp, d->pc.kh = fbits(kq_mean_scale(qa, qo, a->h * a->w));
    d->pc.mode = pack_range(m, qo, l->act);
    break;
  case PSEG_OP_CONCAT: /* values moved (one scale and zero point: kq_pass_ok), qnet.comp OP 11-14 */
  case PSEG_OP_SLICE:
  case PSEG_OP_MAXPOOL:
  case PSEG_OP_RESHAPE:
    if (kq_pass_ok(m, l)) return -1;
    d->spec[1] = l->op == PSEG_OP_CONCAT ? 11 : l->op == PSEG_OP_SLICE ? 12 : l->op == PSEG_OP_MAXPOOL ? 13 : 14;
    d->pc.aux0 = l->op == PSEG_OP_RESHAPE ? a->c : l->aux, d->pc.aux1 = o->c, d->pc.mode = pack_range(m, qo, PSEG_ACT_NONE);
    break;
  default:
    return -1;
  }
  kernel_grid_1d(d, (uint32_t)(((size_t)o->h * o->w * kc4(o->c) + 63) / 64), 1);
  return 0;
}

/* ---- fusions (qnet.comp PRO / EPI) ---- */

int kernel_qfuse_add(const pseg_fmt_model *m, const pseg_fmt_layer *conv, const pseg_fmt_layer *add, kdispatch *d) {
  kqadd p;
  if (d->spec[1] != 0 || d->spec[KQ_EPI] || d->spec[KQ_FIX] || add->op != PSEG_OP_ADD || add->aux != 0 || add->in0 == add->in1 ||
      (add->in0 != conv->out && add->in1 != conv->out) ||
      kq_add_params(kq_of(m, add->in0), kq_of(m, add->in1), kq_of(m, add->out), &p))
    return -1;
  int first = add->in0 == conv->out; /* the sum is symmetric: the conv's value takes its multiplier */
  d->pc.bx = first ? p.am : p.bm, d->pc.br = first ? p.bm : p.am;
  d->pc.bg = p.shift, d->pc.by = (int32_t)p.bias, d->pc.by2 = pack_range(m, kq_of(m, add->out), add->act);
  d->spec[KQ_EPI] |= 1;
  return 0;
}

int kernel_qfuse_out(const pseg_fmt_model *m, const pseg_fmt_layer *lq, kdispatch *d) {
  kquant qa = kq_of(m, lq->in0);
  if (d->spec[KQ_EPI] & 4) return -1; /* already float */
  if (lq->op == PSEG_OP_QUANTIZE && qa.scale != 0 && !(d->spec[KQ_EPI] & 2) && !kq_builtin(m)) {
    kquant qo = kq_of(m, lq->out);
    d->pc.s0 = kq_cvt_multiplier(qa, qo), d->pc.s1 = pack_range(m, qo, PSEG_ACT_NONE);
    d->spec[KQ_EPI] |= 2;
    return 0;
  }
  if (lq->op == PSEG_OP_DEQUANTIZE) {
    d->pc.s2 = fbits(qa.scale);
    d->spec[KQ_EPI] |= 4;
    return 0;
  }
  return -1;
}

int kernel_qfuse_resize_in(const pseg_fmt_model *m, const pseg_fmt_layer *rs, kdispatch *d) {
  const pseg_fmt_tensor *a = &m->tensors[rs->in0];
  int op = d->spec[1], conv1x1 = op == 0 && d->spec[3] == 1 && d->spec[4] == 1 && d->pc.sh == 1 && d->pc.sw == 1 &&
                                 d->pc.pad_t == 0 && d->pc.pad_l == 0;
  if (rs->op != PSEG_OP_RESIZE_BILINEAR || d->spec[KQ_PRO] || (!conv1x1 && op != 2) || kq_builtin(m)) return -1;
  kdispatch r;
  if (kernel_qplan(m, rs, &r)) return -1;
  d->pc.in_h = a->h, d->pc.in_w = a->w;
  d->pc.w0 = r.pc.aux0, d->pc.w1 = r.pc.aux1, d->pc.act = r.pc.act;
  d->spec[KQ_PRO] = 1;
  return 0;
}

size_t kernel_qwspec(const float *packed, size_t n, size_t raw, uint64_t *out) {
  size_t count = raw / 2 + (n - raw) / 4;
  if (!out) return count;
  for (size_t j = 0; j < raw / 2; j++) { /* biases, scales (and shifts): 32-bit words, two a constant */
    uint32_t a, b;
    memcpy(&a, &packed[2 * j], 4), memcpy(&b, &packed[2 * j + 1], 4);
    out[j] = (uint64_t)a | (uint64_t)b << 32;
  }
  for (size_t k = raw; k < n; k++) /* the int8 weights: halves, exact */
    out[raw / 2 + (k - raw) / 4] |= (uint64_t)pseg_float_to_half(packed[k]) << (16 * ((k - raw) % 4));
  return count;
}

/* the vec4 slots a channel vec4 has before the weights: biases and scales (multipliers), and
 * for TFLite's fixed-point requantization the shifts (transposed convs always have them) */
static size_t qslots(const pseg_fmt_model *m, const pseg_fmt_layer *l) {
  return l->op == PSEG_OP_TCONV2D || kq_builtin(m) ? 3 : 2;
}

size_t kernel_qraw(const pseg_fmt_model *m, const pseg_fmt_layer *l) {
  size_t oc4 = (size_t)kc4(m->tensors[l->out].c);
  return l->op == PSEG_OP_SOFTMAX ? 8 * oc4 + 256 : 4 * qslots(m, l) * oc4;
}

size_t kernel_qbuf(const float *packed, size_t n, size_t raw, uint32_t *out) {
  size_t nw = (n - raw) / 4, count = (raw + nw + 3) & ~(size_t)3;
  if (!out) return count;
  memcpy(out, packed, raw * sizeof(uint32_t)); /* int32 bias bits, float scales */
  for (size_t k = 0; k < nw; k++) {
    uint32_t u = 0;
    for (int j = 0; j < 4; j++) u |= (uint32_t)(uint8_t)(int8_t)packed[raw + 4 * k + (size_t)j] << (8 * j);
    out[raw + k] = u;
  }
  for (size_t k = raw + nw; k < count; k++) out[k] = 0;
  return count;
}

int kernel_qdot_ok(const pseg_fmt_model *m, const pseg_fmt_layer *l, const kdispatch *d) {
  return ((l->op == PSEG_OP_CONV2D && d->spec[1] == 0) || (l->op == PSEG_OP_TCONV2D && d->spec[1] == 8)) &&
         l->wtype == PSEG_WTYPE_I8 && !d->spec[11] && kernel_qpacked(m, l) > kernel_qraw(m, l);
}

size_t kernel_qdot_extra(const pseg_fmt_model *m, const pseg_fmt_layer *l) {
  return l->op == PSEG_OP_TCONV2D ? 4 * (size_t)kc4(m->tensors[l->out].c) * (size_t)l->kh * (size_t)l->kw : 0;
}

void kernel_qdot_words(const pseg_fmt_model *m, const pseg_fmt_layer *l, uint32_t *words) {
  size_t raw = kernel_qraw(m, l), nw = (kernel_qpacked(m, l) - raw) / 4;
  int oc4 = kc4(m->tensors[l->out].c);
  int32_t zp = kq_of(m, l->in0).zp;
  size_t per = nw / (size_t)oc4; /* the words of an output vec4: taps x input vec4s x 4 */
  uint32_t *w = words + raw;
  for (int c4 = 0; c4 < oc4 && l->op == PSEG_OP_CONV2D; c4++) { /* a transposed conv subtracts it per pixel */
    int32_t sum[4] = {0, 0, 0, 0};
    for (size_t k = 0; k < per; k++)
      for (int j = 0; j < 4; j++) sum[j] += (int8_t)(uint8_t)(w[(size_t)c4 * per + k] >> (8 * j));
    for (int j = 0; j < 4; j++) {
      int32_t b;
      memcpy(&b, &words[4 * c4 + j], 4);
      b -= zp * sum[j];
      memcpy(&words[4 * c4 + j], &b, 4);
    }
  }
  if (l->op == PSEG_OP_TCONV2D) { /* after the (padded) weights: each tap's weight sums, a word an output channel */
    size_t taps = (size_t)l->kh * l->kw, ic4 = per / taps / 4;
    uint32_t *sums = w + ((nw + 3) & ~(size_t)3);
    for (size_t c4 = 0; c4 < (size_t)oc4; c4++)
      for (size_t t = 0; t < taps; t++)
        for (int j = 0; j < 4; j++) {
          int32_t sum = 0;
          for (size_t k = 0; k < 4 * ic4; k++) sum += (int8_t)(uint8_t)(w[c4 * per + t * 4 * ic4 + k] >> (8 * j));
          memcpy(&sums[(c4 * taps + t) * 4 + (size_t)j], &sum, 4);
        }
  }
  for (size_t g = 0; g + 4 <= nw; g += 4) { /* word i (input channel i), byte j (output channel j) -> word j, byte i */
    uint32_t t[4] = {0, 0, 0, 0};
    for (int i = 0; i < 4; i++)
      for (int j = 0; j < 4; j++) t[j] |= ((w[g + (size_t)i] >> (8 * j)) & 255u) << (8 * i);
    memcpy(&w[g], t, sizeof t);
  }
}

/* the constants of layer l's packed weights, and of l2's after them (NULL: none) */
static size_t qwspec_count(const pseg_fmt_model *m, const pseg_fmt_layer *l, const pseg_fmt_layer *l2) {
  size_t n = kernel_qpacked(m, l), n2 = l2 ? kernel_qpacked(m, l2) : 0;
  if (!n || (l2 && !n2)) return (size_t)-1;
  return kernel_qwspec(NULL, n, kernel_qraw(m, l), NULL) + (l2 ? kernel_qwspec(NULL, n2, kernel_qraw(m, l2), NULL) : 0);
}

int kernel_qfuse_proj(const pseg_fmt_model *m, const pseg_fmt_layer *dw, const pseg_fmt_layer *pw, const kdispatch *dwd,
                      kdispatch *f) {
  if (dw->op != PSEG_OP_DWCONV2D || pw->op != PSEG_OP_CONV2D || pw->in0 != dw->out || pw->kh != 1 || pw->kw != 1 ||
      pw->sh != 1 || pw->sw != 1 || pw->pad_top || pw->pad_left || f->spec[1] != 0 || f->spec[KQ_PRO] || f->spec[KQ_FIX] ||
      dwd->spec[1] != 1 || dwd->spec[KQ_EPI] || dwd->spec[KQ_PRO] || qwspec_count(m, pw, dw) > PSEG_WSPEC_MAX)
    return -1;
  f->pc.w0 = f->pc.mode;            /* the conv's output range; its fused layers' parameters stay */
  f->spec[11] = f->spec[0];         /* PO4: the conv's output vec4s */
  f->spec[0] = dwd->spec[0], f->spec[2] = dwd->spec[2]; /* the depthwise conv's channels */
  f->spec[1] = 1, f->spec[3] = dwd->spec[3], f->spec[4] = dwd->spec[4];
  f->spec[5] = f->spec[6] = f->spec[10] = 1, f->spec[9] = 0; /* a pixel an invocation */
  f->pc.in_h = dwd->pc.in_h, f->pc.in_w = dwd->pc.in_w, f->pc.in_c4 = dwd->pc.in_c4;
  f->pc.sh = dwd->pc.sh, f->pc.sw = dwd->pc.sw, f->pc.pad_t = dwd->pc.pad_t, f->pc.pad_l = dwd->pc.pad_l;
  f->pc.aux0 = dwd->pc.aux0, f->pc.aux1 = dwd->pc.aux1, f->pc.mode = dwd->pc.mode;
  kernel_grid_1d(f, (uint32_t)((f->pc.out_h * f->pc.out_w + 63) / 64), 1);
  return 0;
}

int kernel_qfast(const pseg_fmt_model *m, const pseg_fmt_layer *l, kdispatch *d) {
  const pseg_fmt_tensor *o = &m->tensors[l->out];
  int oc4 = kc4(o->c), w = o->w, h = o->h;
  if (qwspec_count(m, l, NULL) > PSEG_WSPEC_MAX) return -1;
  /* convs only: a pixel an invocation, every output vec4, each input fetched once. (Depthwise
   * convs with every channel vec4 in one invocation ran slower than by rows over the buffer, and
   * took lavapipe minutes to build at 576 channels; a depthwise conv and its 1x1 conv: plan_qproj,
   * kernel_qfuse_proj.) */
  if (l->op != PSEG_OP_CONV2D) return -1;
  d->spec[5] = 1, d->spec[6] = oc4;
  kernel_grid_1d(d, (uint32_t)((w * h + 63) / 64), 1);
  return 0;
}

size_t kernel_qpacked(const pseg_fmt_model *m, const pseg_fmt_layer *l) {
  if ((l->op == PSEG_OP_ACT || l->op == PSEG_OP_SOFTMAX) && m->tensors[l->out].quant > 0) /* the table: 256 int8 (ACT) or floats (SOFTMAX) after the (unused) biases and scales */
    return 8 * (size_t)kc4(m->tensors[l->out].c) + 256;
  if (l->wtype != PSEG_WTYPE_I8 || (l->op != PSEG_OP_CONV2D && l->op != PSEG_OP_DWCONV2D && l->op != PSEG_OP_TCONV2D)) return 0;
  const pseg_fmt_tensor *a = &m->tensors[l->in0], *o = &m->tensors[l->out];
  size_t oc4 = (size_t)kc4(o->c), taps = (size_t)l->kh * l->kw, slots = qslots(m, l);
  return 4 * (slots * oc4 + (l->op == PSEG_OP_DWCONV2D ? taps * oc4 : oc4 * taps * (size_t)kc4(a->c) * 4));
}

void kernel_qpack(const pseg_fmt_model *m, const pseg_fmt_layer *l, float *dst) {
  const pseg_fmt_tensor *a = &m->tensors[l->in0], *o = &m->tensors[l->out];
  kquant qa = kq_of(m, l->in0), qo = kq_of(m, l->out);
  kqweights q;
  size_t n = kernel_qpacked(m, l);
  memset(dst, 0, n * sizeof(float));
  if (n && l->op == PSEG_OP_SOFTMAX) { /* qnet.comp OP 9: the floats, raw words (kernel_qraw) */
    kq_softmax_table(qa, dst + 8 * (size_t)kc4(o->c));
    return;
  }
  if (n && l->op == PSEG_OP_ACT) { /* qnet.comp OP 7 reads entry q + 128 as weight vec4 (q + 128) / 4, component (q + 128) % 4 */
    int8_t lut[256];
    kq_lut(qa, qo, l->act, lut);
    for (int k = 0; k < 256; k++) dst[8 * (size_t)kc4(o->c) + (size_t)k] = (float)lut[k];
    return;
  }
  if (!n || kq_weights(m, l, (size_t)o->c, &q)) return;
  int oc4 = kc4(o->c), ic = a->c, ic4 = kc4(a->c), taps = l->kh * l->kw, dw = l->op == PSEG_OP_DWCONV2D;
  int tconv = l->op == PSEG_OP_TCONV2D, fixed = tconv ? kq_tconv_fixed(m, l) : kq_builtin(m);
  size_t slots = qslots(m, l);
  for (int c = 0; c < o->c; c++) {
    memcpy(&dst[c], &q.bias[c], 4);                                          /* int32 bits */
    dst[4 * oc4 + c] = qa.scale * q.scale[q.nscale > 1 ? c : 0] / qo.scale; /* as ref_qconv */
    if (fixed) { /* the multiplier's and the shift's bits instead (ref_qtconv, ref_qconv) */
      int32_t mult;
      int shift;
      kq_fixed_channel(qa, q.scale[q.nscale > 1 ? c : 0], qo, &mult, &shift);
      memcpy(&dst[4 * oc4 + c], &mult, 4);
      int32_t sh = shift;
      memcpy(&dst[8 * oc4 + c], &sh, 4);
    }
  }
  float *w = dst + 4 * slots * oc4;
  for (int c = 0; c < o->c; c++)
    for (int t = 0; t < taps; t++) {
      if (dw) {
        w[((size_t)t * oc4 + c / 4) * 4 + c % 4] = (float)q.w[(size_t)t * o->c + c];
        continue;
      }
      for (int i = 0; i < ic; i++) /* [oc4][tap][ic4 * 4 input channels]: a vec4 of 4 output channels (TCONV2D's too) */
        w[((((size_t)(c / 4) * taps + t) * ic4 * 4) + i) * 4 + c % 4] = (float)q.w[((size_t)c * taps + t) * ic + i];
    }
  kq_free(&q);
}
