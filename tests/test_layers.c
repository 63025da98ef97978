/* Every layer family on the GPU against its plain-C reference (kernels/<family>.c), on random tensors
 * with odd and prime sizes, in fp32 and (where the device has it) fp16.
 *
 * Tolerances: |gpu - ref| <= tol * max(1, |ref|) with tol = 2e-5 (fp32) and 2e-3 (fp16, where
 * activations are stored as halves: one rounding of the output is 2^-11 = 4.9e-4 relative, plus
 * rounding of intermediate tensors in two-layer cases). Inputs and weights are drawn as
 * fp16-representable values so both paths see the same numbers. The Khronos validation layer is
 * enabled: any message fails the test. Three configurations: fp32; fp16 as the runtime stores it
 * (the input fp32, tensors under 1/16 of its pixels fp16); and fp16 for every activation. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../include/pseg.h"
#include "../kernels/kernels.h"
#include "../runtime/format.h"
#include "../runtime/internal.h"

static uint32_t rng = 12345u;
static float frand(float lo, float hi) {
  rng = rng * 1664525u + 1013904223u;
  float u = (float)(rng >> 8) / 16777216.0f;
  return pseg_half_to_float(pseg_float_to_half(lo + (hi - lo) * u));
}

typedef struct builder {
  pseg_fmt_model m;
  pseg_fmt_tensor t[32];
  pseg_fmt_layer l[16];
  pseg_fmt_quant q[32];
  uint8_t w[1 << 20];
} builder;

static int add_tensor(builder *b, int h, int w, int c) {
  b->t[b->m.n_tensors] = (pseg_fmt_tensor){h, w, c, 0};
  return (int)b->m.n_tensors++;
}

static int32_t add_weights(builder *b, size_t n, float lo, float hi) {
  int32_t off = (int32_t)b->m.weights_size;
  for (size_t i = 0; i < n; i++) {
    uint16_t h = pseg_float_to_half(frand(lo, hi));
    memcpy(b->w + off + 2 * i, &h, 2);
  }
  b->m.weights_size += (uint32_t)((2 * n + 3) & ~(size_t)3);
  return off;
}

static pseg_fmt_layer *add_layer(builder *b, int op, int act, int in0, int in1, int out) {
  pseg_fmt_layer *l = &b->l[b->m.n_layers++];
  memset(l, 0, sizeof *l);
  l->op = op, l->act = act, l->in0 = in0, l->in1 = in1, l->out = out;
  l->kh = l->kw = l->sh = l->sw = 1;
  l->w_off = l->b_off = -1;
  l->wtype = PSEG_WTYPE_F16;
  return l;
}

static void begin(builder *b, int h, int w, int c) {
  memset(&b->m, 0, sizeof b->m);
  b->m.tensors = b->t;
  b->m.layers = b->l;
  b->m.quant = b->q;
  b->m.weights = b->w;
  b->m.input = (uint32_t)add_tensor(b, h, w, c);
}

static int failures, passes;
static const char *label = "fp32";
static uint32_t expect_dispatches; /* when non-zero: the planner must fuse the model into this many */

/* Serialise, load, run on the GPU, run the reference, compare the output tensor. */
static const char *only_name; /* `test_layers NAME`: the cases whose name contains NAME (development) */

static void check(pseg_context *ctx, builder *b, const char *name, float in_lo, float in_hi) {
  if (only_name && !strstr(name, only_name)) return;
  b->m.output = b->m.layers[b->m.n_layers - 1].out;
  const char *prec = label;
  double tol = pseg_context_precision(ctx) == PSEG_PRECISION_FP16 ? 2e-3 : 2e-5;
  /* PSEG_F16MATH=1 (fp16-all on the GPU tier): the convs' products in fp16 too, sums of four in
   * fp16 before the fp32 sum: a few more fp16 roundings per output, 4e-3 */
  const char *f16m = getenv("PSEG_F16MATH");
  if (pseg_context_fp16_activations(ctx) && pseg_context_gpu_tier(ctx) && f16m && !strcmp(f16m, "1")) tol = 4e-3;
  char err[256];
  if (pseg_fmt_validate(&b->m, err, sizeof err)) {
    printf("FAIL %s %s: model invalid: %s\n", name, prec, err);
    failures++;
    return;
  }
  uint8_t *bytes;
  size_t n;
  pseg_fmt_serialize(&b->m, &bytes, &n);
  pseg_model *md = NULL;
  pseg_session *s = NULL;
  pseg_result r = pseg_model_load_memory(ctx, bytes, n, &md);
  free(bytes);
  if (!r) r = pseg__session_create_raw(md, &s);
  const pseg_fmt_tensor *ti = &b->m.tensors[b->m.input], *to = &b->m.tensors[b->m.output];
  size_t nin = (size_t)ti->h * ti->w * ti->c, nout = (size_t)to->h * to->w * to->c;
  float *in = malloc(nin * sizeof(float)), *out = malloc(nout * sizeof(float));
  for (size_t i = 0; i < nin; i++) in[i] = frand(in_lo, in_hi);
  if (!r) r = pseg__session_run_raw(s, in, out);
  if (!r && expect_dispatches && pseg_model_layer_count(md) != expect_dispatches) {
    printf("FAIL %s %s: %u dispatches, expected %u after fusion\n", name, prec, pseg_model_layer_count(md),
           expect_dispatches);
    failures++;
  } else if (r) {
    printf("FAIL %s %s: %s\n", name, prec, pseg_context_last_error(ctx));
    failures++;
  } else {
    float *t[32];
    ref_run_model(&b->m, in, t);
    const float *ref = t[b->m.output];
    double worst = 0;
    size_t at = 0;
    for (size_t i = 0; i < nout; i++) {
      double d = fabs((double)out[i] - ref[i]) / fmax(1.0, fabs(ref[i]));
      if (!(d <= worst)) worst = d, at = i;
      if (isnan(d)) break;
    }
    int ok = worst <= tol;
    printf("%s %-40s %s  out %dx%dx%d  max rel err %.3g (tol %.0e)%s\n", ok ? "ok  " : "FAIL", name, prec, to->h,
           to->w, to->c, worst, tol, ok ? "" : "");
    if (!ok) printf("     at %zu: gpu %.7g ref %.7g\n", at, out[at], ref[at]);
    ok ? passes++ : failures++;
    for (uint32_t i = 0; i < b->m.n_tensors; i++) free(t[i]);
  }
  free(in), free(out);
  pseg_session_destroy(s);
  pseg_model_destroy(md);
}

static int same_pad(int in, int k, int s, int *out) {
  *out = (in + s - 1) / s;
  int total = (*out - 1) * s + k - in;
  return total > 0 ? total / 2 : 0;
}

static void conv_case(pseg_context *ctx, builder *b, int h, int w, int ci, int co, int k, int s, int same, int act,
                      int dw) {
  char name[96];
  int oh, ow, pt = 0, pl = 0;
  if (same) {
    pt = same_pad(h, k, s, &oh);
    pl = same_pad(w, k, s, &ow);
  } else {
    oh = (h - k) / s + 1;
    ow = (w - k) / s + 1;
  }
  if (dw) co = ci;
  snprintf(name, sizeof name, "%s %dx%d s%d %s %dx%dx%d->%d %s", dw ? "dwconv" : "conv", k, k, s, same ? "SAME" : "VALID",
           h, w, ci, co, pseg_act_name(act));
  begin(b, h, w, ci);
  int o = add_tensor(b, oh, ow, co);
  pseg_fmt_layer *l = add_layer(b, dw ? PSEG_OP_DWCONV2D : PSEG_OP_CONV2D, act, 0, -1, o);
  l->kh = l->kw = k, l->sh = l->sw = s, l->pad_top = pt, l->pad_left = pl;
  float scale = 1.0f / sqrtf((float)(k * k * (dw ? 1 : ci)));
  l->w_off = add_weights(b, (size_t)(dw ? 1 : co) * k * k * ci, -scale * 2, scale * 2);
  l->b_off = add_weights(b, (size_t)co, -0.5f, 0.5f);
  check(ctx, b, name, -2.0f, 2.0f);
}

/* Small layer makers for the fusion cases. */
static int conv1x1(builder *b, int in, int act, int cout) {
  const pseg_fmt_tensor *t = &b->t[in];
  int o = add_tensor(b, t->h, t->w, cout);
  pseg_fmt_layer *l = add_layer(b, PSEG_OP_CONV2D, act, in, -1, o);
  l->w_off = add_weights(b, (size_t)cout * t->c, -0.3f, 0.3f);
  l->b_off = add_weights(b, (size_t)cout, -0.2f, 0.2f);
  return o;
}
static int add2(builder *b, int x, int y) {
  int o = add_tensor(b, b->t[x].h, b->t[x].w, b->t[x].c);
  add_layer(b, PSEG_OP_ADD, PSEG_ACT_NONE, x, y, o);
  return o;
}
/* x * sigmoid(W2 relu(W1 mean(x))): a squeeze-excite block's gated output. */
static int squeeze_excite(builder *b, int x) {
  int c = b->t[x].c, mean = add_tensor(b, 1, 1, c);
  add_layer(b, PSEG_OP_MEAN, PSEG_ACT_NONE, x, -1, mean);
  int gate = conv1x1(b, conv1x1(b, mean, PSEG_ACT_RELU, 8), PSEG_ACT_SIGMOID, c);
  int o = add_tensor(b, b->t[x].h, b->t[x].w, c);
  add_layer(b, PSEG_OP_MUL, PSEG_ACT_NONE, x, gate, o)->aux = 1;
  return o;
}

/* PRELU of x: slopes in [-0.5, 1.5] (negative and steeper than 1 too). */
static int prelu(builder *b, int x) {
  int o = add_tensor(b, b->t[x].h, b->t[x].w, b->t[x].c);
  pseg_fmt_layer *l = add_layer(b, PSEG_OP_PRELU, PSEG_ACT_NONE, x, -1, o);
  l->w_off = add_weights(b, (size_t)b->t[x].c, -0.5f, 1.5f);
  return o;
}

/* ---- integer layers (issue 15): int8 tensors and weights, against the integer references ---- */

/* an int8 tensor (scale, zero point) */
static int add_qtensor(builder *b, int h, int w, int c, float scale, int zp) {
  int t = add_tensor(b, h, w, c);
  b->q[b->m.n_quant] = (pseg_fmt_quant){scale, zp, PSEG_QTYPE_INT8, 0};
  b->t[t].quant = (int32_t)++b->m.n_quant;
  return t;
}

static uint32_t irand(uint32_t n) {
  rng = rng * 1664525u + 1013904223u;
  return (rng >> 8) % n;
}

/* PSEG_WTYPE_I8 weights: ns scales (1 or per output channel), n int8 values, nb int32 biases */
static void add_qweights(builder *b, pseg_fmt_layer *l, uint32_t ns, size_t n, size_t nb) {
  uint8_t *p = b->w + b->m.weights_size;
  l->wtype = PSEG_WTYPE_I8, l->w_off = (int32_t)b->m.weights_size;
  memcpy(p, &ns, 4);
  for (uint32_t k = 0; k < ns; k++) {
    float sc = 0.002f + 0.0005f * (float)irand(20);
    memcpy(p + 4 + 4 * k, &sc, 4);
  }
  for (size_t i = 0; i < n; i++) p[4 + 4 * ns + i] = (uint8_t)(int8_t)((int)irand(255) - 127);
  size_t wb = 4 + 4 * (size_t)ns + ((n + 3) & ~(size_t)3);
  l->b_off = (int32_t)(b->m.weights_size + wb);
  for (size_t i = 0; i < nb; i++) {
    int32_t v = (int32_t)irand(8001) - 4000;
    memcpy(p + wb + 4 * i, &v, 4);
  }
  b->m.weights_size += (uint32_t)(wb + 4 * nb);
}

/* float input -> QUANTIZE (scale 1/16: the GPU's division is exact) -> int8 */
static int qinput(builder *b, int h, int w, int c) {
  begin(b, h, w, c);
  int q = add_qtensor(b, h, w, c, 0.0625f, -5);
  add_layer(b, PSEG_OP_QUANTIZE, PSEG_ACT_NONE, 0, -1, q);
  return q;
}

/* int8 -> DEQUANTIZE -> float output (check compares the real values: a step is the scale) */
static void qoutput(builder *b, int x) {
  const pseg_fmt_tensor *t = &b->t[x];
  add_layer(b, PSEG_OP_DEQUANTIZE, PSEG_ACT_NONE, x, -1, add_tensor(b, t->h, t->w, t->c));
}

static void integer_cases(pseg_context *ctx, builder *b) {
  /* conv: h w ci co k stride pad dilation act per-channel */
  int convs[][10] = {{13, 11, 13, 10, 3, 1, 1, 1, PSEG_ACT_RELU, 1}, {17, 12, 3, 16, 3, 2, 0, 1, PSEG_ACT_RELU6, 1},
                     {9, 9, 8, 5, 1, 1, 0, 1, PSEG_ACT_NONE, 0},      {12, 10, 6, 7, 3, 1, 2, 2, PSEG_ACT_NONE, 1},
                     {63, 47, 8, 18, 3, 1, 1, 1, PSEG_ACT_RELU, 1}, /* 16 pixels and 4 output vec4s an invocation (a block of 1), rows wrapping */
                     {5, 4, 320, 224, 1, 1, 0, 1, PSEG_ACT_RELU6, 1}}; /* 70 KB of weights: not a uniform buffer (qnet.comp) */
  for (int i = 0; i < 6; i++) {
    const int *c = convs[i];
    char name[80];
    snprintf(name, sizeof name, "int8 conv %dx%d s%d d%d %dx%dx%d->%d %s", c[4], c[4], c[5], c[7], c[0], c[1], c[2], c[3],
             pseg_act_name(c[8]));
    int x = qinput(b, c[0], c[1], c[2]), ek = (c[4] - 1) * c[7] + 1;
    int oh = (c[0] + 2 * c[6] - ek) / c[5] + 1, ow = (c[1] + 2 * c[6] - ek) / c[5] + 1;
    int y = add_qtensor(b, oh, ow, c[3], 0.11f, 7);
    pseg_fmt_layer *l = add_layer(b, PSEG_OP_CONV2D, c[8], x, -1, y);
    l->kh = l->kw = c[4], l->sh = l->sw = c[5], l->pad_top = l->pad_left = c[6];
    l->aux = c[7] == 1 ? 0 : c[7] | c[7] << 8;
    add_qweights(b, l, c[9] ? (uint32_t)c[3] : 1u, (size_t)c[3] * c[4] * c[4] * c[2], (size_t)c[3]);
    qoutput(b, y);
    check(ctx, b, name, -8, 8);
  }
  /* depthwise */
  int dws[][6] = {{13, 11, 10, 3, 1, 1}, {16, 15, 24, 3, 2, 1}, {7, 9, 5, 5, 1, 2}, {63, 47, 8, 3, 1, 1}};
  for (int i = 0; i < 4; i++) {
    const int *c = dws[i];
    char name[80];
    snprintf(name, sizeof name, "int8 dwconv %dx%d s%d %dx%dx%d relu", c[3], c[3], c[4], c[0], c[1], c[2]);
    int x = qinput(b, c[0], c[1], c[2]);
    int oh = (c[0] + 2 * c[5] - c[3]) / c[4] + 1, ow = (c[1] + 2 * c[5] - c[3]) / c[4] + 1;
    int y = add_qtensor(b, oh, ow, c[2], 0.05f, -100);
    pseg_fmt_layer *l = add_layer(b, PSEG_OP_DWCONV2D, PSEG_ACT_RELU, x, -1, y);
    l->kh = l->kw = c[3], l->sh = l->sw = c[4], l->pad_top = l->pad_left = c[5];
    add_qweights(b, l, (uint32_t)c[2], (size_t)c[3] * c[3] * c[2], (size_t)c[2]);
    qoutput(b, y);
    check(ctx, b, name, -8, 8);
  }
  /* add of two scales, requantize (QUANTIZE int8 -> int8), resize in its three modes */
  {
    int x = qinput(b, 11, 9, 6);
    int y = add_qtensor(b, 11, 9, 6, 0.1f, 20), z = add_qtensor(b, 11, 9, 6, 0.07f, -3);
    add_layer(b, PSEG_OP_QUANTIZE, PSEG_ACT_NONE, x, -1, y);
    add_layer(b, PSEG_OP_ADD, PSEG_ACT_RELU, x, y, z);
    qoutput(b, z);
    check(ctx, b, "int8 requantize + add + relu 11x9x6", -8, 8);
  }
  for (int mode = 0; mode < 3; mode++) {
    char name[80];
    snprintf(name, sizeof name, "int8 resize_bilinear mode %d 7x5x6 -> 16x11", mode);
    int x = qinput(b, 7, 5, 6), y = add_qtensor(b, 16, 11, 6, 0.0625f, -5);
    add_layer(b, PSEG_OP_RESIZE_BILINEAR, PSEG_ACT_NONE, x, -1, y)->aux = mode;
    qoutput(b, y);
    check(ctx, b, name, -8, 8);
  }
  /* LOGISTIC and TANH: the table packed as weights and read at every int8 input (scale 1/16 over
   * -8..8 reaches nearly all 256), one with an int8 -> int8 requantization fused after it */
  uint32_t saved = rng; /* the cases after these draw the same numbers with or without them */
  for (int k = 0; k < 3; k++) {
    static const char *names[3] = {"int8 logistic 23x17x7", "int8 tanh 23x17x7", "int8 logistic + requantize 23x17x7"};
    int act = k == 1 ? PSEG_ACT_TANH : PSEG_ACT_SIGMOID, x = qinput(b, 23, 17, 7);
    int y = k == 1 ? add_qtensor(b, 23, 17, 7, 1.0f / 128, 0) : add_qtensor(b, 23, 17, 7, 1.0f / 256, -128);
    add_layer(b, PSEG_OP_ACT, act, x, -1, y);
    if (k == 2) {
      int z = add_qtensor(b, 23, 17, 7, 1.0f / 100, -90);
      add_layer(b, PSEG_OP_QUANTIZE, PSEG_ACT_NONE, y, -1, z);
      y = z;
    }
    qoutput(b, y);
    check(ctx, b, names[k], -8, 8);
  }
  /* transposed convs: per-channel weights (TFLite's builtin kernel: fixed-point requantization)
   * and one weight scale (XNNPACK's deconvolution: fp32); h w ci co k stride pad oh ow act
   * per-channel */
  int tconvs[][11] = {{8, 7, 6, 10, 3, 2, 0, 16, 14, PSEG_ACT_RELU, 1}, /* SAME */
                      {7, 5, 5, 6, 4, 2, 0, 16, 12, PSEG_ACT_NONE, 0},  /* VALID */
                      {7, 5, 5, 6, 4, 2, 1, 14, 10, PSEG_ACT_NONE, 1},  /* VALID then a crop of one pixel */
                      {9, 9, 8, 3, 1, 1, 0, 9, 9, PSEG_ACT_RELU6, 1},
                      {6, 5, 16, 8, 2, 2, 0, 12, 10, PSEG_ACT_NONE, 0}};
  for (int i = 0; i < 5; i++) {
    const int *c = tconvs[i];
    char name[80];
    snprintf(name, sizeof name, "int8 tconv %dx%d s%d pad %d %dx%dx%d->%dx%dx%d %s %s", c[4], c[4], c[5], c[6], c[0], c[1],
             c[2], c[7], c[8], c[3], pseg_act_name(c[9]), c[10] ? "per-channel" : "per-tensor");
    int x = qinput(b, c[0], c[1], c[2]), y = add_qtensor(b, c[7], c[8], c[3], 0.5f, 3);
    pseg_fmt_layer *l = add_layer(b, PSEG_OP_TCONV2D, c[9], x, -1, y);
    l->kh = l->kw = c[4], l->sh = l->sw = c[5], l->pad_top = l->pad_left = c[6];
    add_qweights(b, l, c[10] ? (uint32_t)c[3] : 1u, (size_t)c[3] * c[4] * c[4] * c[2], (size_t)c[3]);
    qoutput(b, y);
    check(ctx, b, name, -8, 8);
  }
  /* SOFTMAX over 2 and 6 channels (the second vec4 half padding): TFLite's builtin kernel */
  for (int k = 0; k < 2; k++) {
    int c = k ? 6 : 2, x = qinput(b, 13, 11, c), y = add_qtensor(b, 13, 11, c, 1.0f / 256, -128);
    add_layer(b, PSEG_OP_SOFTMAX, PSEG_ACT_NONE, x, -1, y);
    qoutput(b, y);
    check(ctx, b, k ? "int8 softmax 13x11x6" : "int8 softmax 13x11x2", -8, 8);
  }
  /* models TFLite runs on its builtin kernels (kq_builtin: here a conv's dead channel, weight
   * scale 0): the conv's requantization ruy's (one rounding), the depthwise conv's and the ADD's
   * TFLite's (two); relu6's limit rounded as TFLite does */
  for (int k = 0; k < 3; k++) {
    static const char *names[3] = {"int8 builtin conv 3x3 13x11x9->10 relu6", "int8 builtin conv 1x1 + dwconv 3x3 s2 15x13x12",
                                   "int8 builtin conv 1x1 + add relu 11x9x6"};
    int h = k == 0 ? 13 : k == 1 ? 15 : 11, w = k == 0 ? 11 : k == 1 ? 13 : 9, c = k == 0 ? 9 : k == 1 ? 12 : 6;
    int oc = k == 0 ? 10 : c, x = qinput(b, h, w, c), y = add_qtensor(b, h, w, oc, 0.11f, 7);
    pseg_fmt_layer *l = add_layer(b, PSEG_OP_CONV2D, k == 0 ? PSEG_ACT_RELU6 : PSEG_ACT_NONE, x, -1, y);
    l->kh = l->kw = k == 0 ? 3 : 1, l->pad_top = l->pad_left = k == 0;
    add_qweights(b, l, (uint32_t)oc, (size_t)oc * l->kh * l->kw * c, (size_t)oc);
    memset(b->w + l->w_off + 4 + 4 * 1, 0, 4); /* channel 1: scale 0 */
    if (k == 1) {
      int z = add_qtensor(b, (h - 1) / 2 + 1, (w - 1) / 2 + 1, c, 0.05f, -100);
      l = add_layer(b, PSEG_OP_DWCONV2D, PSEG_ACT_RELU, y, -1, z);
      l->kh = l->kw = 3, l->sh = l->sw = 2, l->pad_top = l->pad_left = 1;
      add_qweights(b, l, (uint32_t)c, (size_t)9 * c, (size_t)c);
      y = z;
    } else if (k == 2) {
      int z = add_qtensor(b, h, w, c, 0.07f, -3);
      add_layer(b, PSEG_OP_ADD, PSEG_ACT_RELU, x, y, z);
      y = z;
    }
    qoutput(b, y);
    check(ctx, b, names[k], -8, 8);
  }
  { /* sums that pass 2^24 on the way and cancel: qnet.comp adds the products in fp32, exact only
     * below 2^24, so it moves them into the int32 sums every 128 input vec4s. Every input x - zp =
     * 127 (7.9375 / 0.0625 = 127; q = 122 with the zero point -5); taps 0-3 and half of tap 4
     * weigh each vec4 +(127, 127, 127, 126) (an odd sum: fp32 rounds it past 2^24, spacing 2),
     * the rest -(127, 127, 127, 127) and -(127, 127, 126, 126) in turn (even sums: exact on the
     * way down); 360 vec4s each way, the partial sum climbs to 2.3e7 and ends at 0. Without the chunks the output, one step a unit of
     * the sum (scale 0.0625 * 0.002 / 1.25e-4), differs from the integer reference. */
    int ic = 320, oc = 8, x = qinput(b, 5, 5, ic), y = add_qtensor(b, 3, 3, oc, 1.25e-4f, 0);
    pseg_fmt_layer *l = add_layer(b, PSEG_OP_CONV2D, PSEG_ACT_NONE, x, -1, y);
    l->kh = l->kw = 3;
    add_qweights(b, l, 1, (size_t)oc * 9 * ic, (size_t)oc);
    uint8_t *w = b->w + l->w_off + 4 + 4;
    float sc = 0.002f;
    memcpy(b->w + l->w_off + 4, &sc, 4);
    for (int o = 0; o < oc; o++)
      for (int t = 0; t < 9; t++)
        for (int i = 0; i < ic; i++) {
          int up = t < 4 || (t == 4 && i < ic / 2), j = i % 4, v;
          if (up) v = j == 3 ? 126 : 127;
          else v = -((i / 4) % 2 && j >= 2 ? 126 : 127);
          w[((size_t)o * 9 + t) * ic + i] = (uint8_t)(int8_t)v;
        }
    memset(b->w + l->b_off, 0, 4 * (size_t)oc);
    qoutput(b, y);
    check(ctx, b, "int8 conv 3x3 5x5x320->8, sums past 2^24 cancelling", 7.9375f, 7.9375f);
  }
  { /* two resizes of one map added: the half-pixel one read by the ADD (qnet.comp PRO 1), the
     * legacy one a dispatch of its own; 5 channel vec4s */
    int x = qinput(b, 7, 5, 20), r0 = add_qtensor(b, 16, 11, 20, 0.0625f, -5), r1 = add_qtensor(b, 16, 11, 20, 0.0625f, -5);
    int z = add_qtensor(b, 16, 11, 20, 0.09f, 4);
    add_layer(b, PSEG_OP_RESIZE_BILINEAR, PSEG_ACT_NONE, x, -1, r0)->aux = 0;
    add_layer(b, PSEG_OP_RESIZE_BILINEAR, PSEG_ACT_NONE, x, -1, r1)->aux = 1;
    add_layer(b, PSEG_OP_ADD, PSEG_ACT_NONE, r0, r1, z);
    qoutput(b, z);
    check(ctx, b, "int8 resize 7x5x20 -> 16x11 twice + add", -8, 8);
  }
  { /* the layers that only move or compare values (one scale and zero point), on qnet.comp (OP
     * 11-13): a CONCATENATION whose first input has 5 channels (its second's start inside a
     * vec4), a STRIDED_SLICE of channels 3..9, a 3x3 stride-2 MAX_POOL_2D with padding */
    int x = qinput(b, 13, 11, 6), y = add_qtensor(b, 13, 11, 5, 0.0625f, -5);
    pseg_fmt_layer *l = add_layer(b, PSEG_OP_CONV2D, PSEG_ACT_NONE, x, -1, y);
    l->kh = l->kw = l->sh = l->sw = 1;
    add_qweights(b, l, 5, 5 * 6, 5);
    int z = add_qtensor(b, 13, 11, 11, 0.0625f, -5), sl = add_qtensor(b, 13, 11, 7, 0.0625f, -5);
    int mp = add_qtensor(b, 7, 6, 7, 0.0625f, -5);
    add_layer(b, PSEG_OP_CONCAT, PSEG_ACT_NONE, y, x, z)->aux = 5;
    add_layer(b, PSEG_OP_SLICE, PSEG_ACT_NONE, z, -1, sl)->aux = 3;
    l = add_layer(b, PSEG_OP_MAXPOOL, PSEG_ACT_NONE, sl, -1, mp);
    l->kh = l->kw = 3, l->sh = l->sw = 2, l->pad_top = l->pad_left = 1;
    qoutput(b, mp);
    check(ctx, b, "int8 conv 1x1 + concat + slice + max_pool 13x11", -8, 8);
  }
  { /* an int8 squeeze-excite's ops (qnet.comp OP 15, 16): MEAN over a 13x11 map of 10 channels,
     * MUL of the map by it (one value a channel, with relu), MUL of that by the map (same shape) */
    int x = qinput(b, 13, 11, 10), mn = add_qtensor(b, 1, 1, 10, 0.03f, 7), g = add_qtensor(b, 13, 11, 10, 0.07f, -3);
    int y = add_qtensor(b, 13, 11, 10, 0.11f, 2);
    add_layer(b, PSEG_OP_MEAN, PSEG_ACT_NONE, x, -1, mn);
    add_layer(b, PSEG_OP_MUL, PSEG_ACT_RELU, x, mn, g)->aux = 1;
    add_layer(b, PSEG_OP_MUL, PSEG_ACT_NONE, g, x, y);
    qoutput(b, y);
    check(ctx, b, "int8 mean + mul by it + mul same shape 13x11x10", -8, 8);
  }
  { /* an int8 ADD of one value a channel (its MEAN), relu (qnet.comp OP 2, pc.aux1 1) */
    int x = qinput(b, 9, 13, 7), mn = add_qtensor(b, 1, 1, 7, 0.03f, -9), y = add_qtensor(b, 9, 13, 7, 0.09f, 4);
    add_layer(b, PSEG_OP_MEAN, PSEG_ACT_NONE, x, -1, mn);
    add_layer(b, PSEG_OP_ADD, PSEG_ACT_RELU, x, mn, y)->aux = 1;
    qoutput(b, y);
    check(ctx, b, "int8 add of one value a channel + relu 9x13x7", -8, 8);
  }
  { /* an int8 ADD of a constant with relu6, then a MUL by a constant (aux 3: the constant's int8
     * value and scale in the weights, its zero point as the bias; qnet.comp OP 2, 15) */
    int x = qinput(b, 9, 7, 6), r = add_qtensor(b, 9, 7, 6, 0.05f, -100), y = add_qtensor(b, 9, 7, 6, 0.02f, -30);
    const float sc[2] = {0.04f, 0.003f};
    const int8_t v[2] = {75, -90};
    const int32_t zp[2] = {3, -7};
    for (int k = 0; k < 2; k++) {
      pseg_fmt_layer *l = add_layer(b, k ? PSEG_OP_MUL : PSEG_OP_ADD, k ? PSEG_ACT_NONE : PSEG_ACT_RELU6, k ? r : x, -1, k ? y : r);
      uint8_t *p = b->w + b->m.weights_size;
      uint32_t one = 1;
      memset(p, 0, 16);
      memcpy(p, &one, 4), memcpy(p + 4, &sc[k], 4), memcpy(p + 8, &v[k], 1), memcpy(p + 12, &zp[k], 4);
      l->aux = 3, l->wtype = PSEG_WTYPE_I8, l->w_off = (int32_t)b->m.weights_size, l->b_off = l->w_off + 12;
      b->m.weights_size += 16;
    }
    qoutput(b, y);
    check(ctx, b, "int8 add of a constant + relu6, mul by a constant 9x7x6", -8, 8);
  }
  { /* int8 AVERAGE_POOL_2D (qnet.comp OP 17): 3x3 stride 2 with padding (border windows of 4 and
     * 6 cells), then 2x2 stride 1 with relu6; one scale and zero point */
    int x = qinput(b, 13, 11, 6), p = add_qtensor(b, 7, 6, 6, 0.0625f, -5), q = add_qtensor(b, 6, 5, 6, 0.0625f, -5);
    pseg_fmt_layer *l = add_layer(b, PSEG_OP_AVGPOOL, PSEG_ACT_NONE, x, -1, p);
    l->kh = l->kw = 3, l->sh = l->sw = 2, l->pad_top = l->pad_left = 1;
    l = add_layer(b, PSEG_OP_AVGPOOL, PSEG_ACT_RELU6, p, -1, q);
    l->kh = l->kw = 2;
    qoutput(b, q);
    check(ctx, b, "int8 avg_pool 3x3 s2 pad 1, 2x2 s1 relu6 13x11x6", -8, 8);
  }
  { /* int8 RESIZE_NEAREST_NEIGHBOR (qnet.comp OP 18), its three conventions, odd sizes both ways */
    int x = qinput(b, 7, 9, 6), r0 = add_qtensor(b, 16, 11, 6, 0.0625f, -5), r1 = add_qtensor(b, 9, 13, 6, 0.0625f, -5);
    int r2 = add_qtensor(b, 5, 6, 6, 0.0625f, -5);
    add_layer(b, PSEG_OP_RESIZE_NEAREST, PSEG_ACT_NONE, x, -1, r0)->aux = 1;
    add_layer(b, PSEG_OP_RESIZE_NEAREST, PSEG_ACT_NONE, r0, -1, r1)->aux = 2;
    add_layer(b, PSEG_OP_RESIZE_NEAREST, PSEG_ACT_NONE, r1, -1, r2)->aux = 0;
    qoutput(b, r2);
    check(ctx, b, "int8 resize_nearest 7x9 -> 16x11 -> 9x13 -> 5x6", -8, 8);
  }
  { /* an int8 map flattened (RESHAPE) and read by a 1x1 conv: a FULLY_CONNECTED over the map */
    int x = qinput(b, 5, 3, 7), f = add_qtensor(b, 1, 1, 105, 0.0625f, -5), y = add_qtensor(b, 1, 1, 6, 0.05f, 3);
    add_layer(b, PSEG_OP_RESHAPE, PSEG_ACT_NONE, x, -1, f);
    pseg_fmt_layer *l = add_layer(b, PSEG_OP_CONV2D, PSEG_ACT_NONE, f, -1, y);
    add_qweights(b, l, 6, 6 * 105, 6);
    qoutput(b, y);
    check(ctx, b, "int8 reshape 5x3x7 to 1x1x105 + conv 1x1", -8, 8);
  }
  { /* an int8 slice cropping rows and channels and padding columns: the border holds the zero
     * point (TFLite's PAD of an int8 tensor), then a conv reading it */
    int x = qinput(b, 9, 7, 10), sl = add_qtensor(b, 7, 10, 6, 0.0625f, -5), y = add_qtensor(b, 7, 10, 4, 0.05f, 3);
    pseg_fmt_layer *l = add_layer(b, PSEG_OP_SLICE, PSEG_ACT_NONE, x, -1, sl);
    l->pad_top = -1, l->pad_left = 2, l->aux = 3;
    l = add_layer(b, PSEG_OP_CONV2D, PSEG_ACT_NONE, sl, -1, y);
    l->kh = l->kw = 1;
    add_qweights(b, l, 4, 6, 4);
    qoutput(b, y);
    check(ctx, b, "int8 slice 9x7x10 cropped and padded + conv 1x1", -8, 8);
  }
  rng = saved;
}

/* Whether the planner folds squeeze-excite blocks into convs: only for the CPU driver's fast
 * tier (weights as specialization constants), never on the GPU tier. */
static int fast_tier(const pseg_context *ctx) { return ctx->wspec && !pseg_context_gpu_tier(ctx); }

static int only_int8; /* `test_layers int8`: the integer cases alone (a configuration of the int8 kernels) */

static void run_all(pseg_context *ctx) {
  static builder b;
  if (pseg_context_precision(ctx) == PSEG_PRECISION_FP32) { /* integer models: fp32 contexts */
    uint32_t saved = rng; /* the float cases below draw the same numbers with or without them */
    integer_cases(ctx, &b);
    rng = saved;
  }
  if (only_int8) return;
  /* convolution */
  conv_case(ctx, &b, 13, 7, 16, 24, 1, 1, 1, PSEG_ACT_RELU, 0);
  conv_case(ctx, &b, 17, 13, 3, 16, 3, 2, 1, PSEG_ACT_HARD_SWISH, 0);
  conv_case(ctx, &b, 16, 16, 3, 16, 3, 2, 1, PSEG_ACT_NONE, 0);
  conv_case(ctx, &b, 11, 9, 7, 5, 3, 1, 0, PSEG_ACT_RELU6, 0);
  conv_case(ctx, &b, 1, 1, 96, 24, 1, 1, 0, PSEG_ACT_RELU, 0);
  conv_case(ctx, &b, 1, 1, 24, 96, 1, 1, 0, PSEG_ACT_SIGMOID, 0);
  conv_case(ctx, &b, 32, 32, 128, 24, 1, 1, 0, PSEG_ACT_NONE, 0);
  /* weights over the 64 KB of lavapipe's uniform buffers: a texel buffer (WTEX), or the storage
   * buffer (PSEG_WEIGHTS=storage); the cases after them draw the numbers they drew before */
  uint32_t saved = rng;
  conv_case(ctx, &b, 5, 4, 160, 112, 1, 1, 0, PSEG_ACT_RELU, 0);
  conv_case(ctx, &b, 19, 7, 64, 80, 3, 1, 1, PSEG_ACT_NONE, 0);
  conv_case(ctx, &b, 6, 5, 720, 0, 5, 1, 1, PSEG_ACT_RELU, 1); /* depthwise, 72 KB */
  rng = saved;
  /* depthwise */
  conv_case(ctx, &b, 13, 11, 72, 0, 3, 1, 1, PSEG_ACT_RELU, 1);
  conv_case(ctx, &b, 32, 32, 96, 0, 5, 2, 1, PSEG_ACT_HARD_SWISH, 1);
  conv_case(ctx, &b, 7, 3, 5, 0, 5, 2, 1, PSEG_ACT_NONE, 1);
  conv_case(ctx, &b, 127, 1, 6, 0, 3, 2, 1, PSEG_ACT_RELU, 1);
  conv_case(ctx, &b, 9, 10, 12, 0, 3, 1, 0, PSEG_ACT_RELU6, 1);
  /* transposed conv (kernel == stride) + sigmoid */
  {
    int shapes[][4] = {{128, 128, 16, 1}, {13, 7, 7, 3}};
    for (int i = 0; i < 2; i++) {
      char name[64];
      snprintf(name, sizeof name, "tconv 2x2 s2 %dx%dx%d->%d sigmoid", shapes[i][0], shapes[i][1], shapes[i][2],
               shapes[i][3]);
      begin(&b, shapes[i][0], shapes[i][1], shapes[i][2]);
      int o = add_tensor(&b, shapes[i][0] * 2, shapes[i][1] * 2, shapes[i][3]);
      pseg_fmt_layer *l = add_layer(&b, PSEG_OP_TCONV2D, PSEG_ACT_SIGMOID, 0, -1, o);
      l->kh = l->kw = l->sh = l->sw = 2;
      l->w_off = add_weights(&b, (size_t)4 * shapes[i][2] * shapes[i][3], -1, 1);
      l->b_off = add_weights(&b, (size_t)shapes[i][3], -0.5f, 0.5f);
      check(ctx, &b, name, -2, 2);
    }
  }
  /* transposed conv in general (TFLite's TRANSPOSE_CONV; CPU tiers: by output phase, several
   * pixels an invocation): 3x3 s2 (TFLite SAME: out = 2 in), 4x4 s2 VALID and cropped by its
   * padding, 3x3 s1, phases of unequal sizes (odd outputs), maps not a multiple of 16 pixels */
  {
    /* in h, w, c, out h, w, c, k, s, pad top, pad left */
    int cases[][10] = {{9, 7, 12, 18, 14, 8, 3, 2, 0, 0}, {5, 6, 10, 12, 14, 6, 4, 2, 0, 0},
                       {5, 6, 10, 10, 12, 6, 4, 2, 1, 1}, {11, 9, 6, 11, 9, 5, 3, 1, 1, 1},
                       {8, 8, 20, 15, 15, 36, 3, 2, 1, 1}, {33, 17, 8, 66, 34, 4, 3, 2, 0, 0}};
    for (int i = 0; i < 6; i++) {
      const int *c = cases[i];
      char name[64];
      snprintf(name, sizeof name, "tconv %dx%d s%d pad %d,%d %dx%dx%d->%dx%dx%d", c[6], c[6], c[7], c[8], c[9], c[0],
               c[1], c[2], c[3], c[4], c[5]);
      begin(&b, c[0], c[1], c[2]);
      int o = add_tensor(&b, c[3], c[4], c[5]);
      pseg_fmt_layer *l = add_layer(&b, PSEG_OP_TCONV2D, i == 3 ? PSEG_ACT_RELU : PSEG_ACT_NONE, 0, -1, o);
      l->kh = l->kw = c[6], l->sh = l->sw = c[7], l->pad_top = c[8], l->pad_left = c[9];
      float scale = 1.0f / sqrtf((float)(c[6] * c[6] * c[2]));
      l->w_off = add_weights(&b, (size_t)c[5] * c[6] * c[6] * c[2], -2 * scale, 2 * scale);
      l->b_off = add_weights(&b, (size_t)c[5], -0.5f, 0.5f);
      check(ctx, &b, name, -2, 2);
    }
  }
  /* pooling with a window, padding cells not counted (TFLite): the maximum, and the mean over
   * the cells inside the map (fewer at the borders) */
  {
    int cases[][6] = {{13, 11, 6, 3, 2, 1}, {9, 10, 12, 2, 2, 0}, {8, 7, 5, 5, 1, 2}}; /* h w c, k, s, pad */
    for (int i = 0; i < 6; i++) {
      const int *c = cases[i % 3];
      int op = i < 3 ? PSEG_OP_MAXPOOL : PSEG_OP_AVGPOOL;
      char name[64];
      snprintf(name, sizeof name, "%s %dx%d s%d pad %d %dx%dx%d", pseg_op_name(op), c[3], c[3], c[4], c[5], c[0], c[1],
               c[2]);
      begin(&b, c[0], c[1], c[2]);
      int o = add_tensor(&b, (c[0] + 2 * c[5] - c[3]) / c[4] + 1, (c[1] + 2 * c[5] - c[3]) / c[4] + 1, c[2]);
      pseg_fmt_layer *l = add_layer(&b, op, i == 4 ? PSEG_ACT_RELU6 : PSEG_ACT_NONE, 0, -1, o);
      l->kh = l->kw = c[3], l->sh = l->sw = c[4], l->pad_top = l->pad_left = c[5];
      check(ctx, &b, name, -2, 2);
    }
  }
  /* channel slices and concatenations, at vec4 boundaries (whole vec4s) and not (lanes one at a
   * time), with padding lanes in the output */
  {
    int cases[][3] = {{0, 8, 1}, {4, 9, 0}, {3, 6, 1}, {5, 8, 0}}; /* slice offset, channels, slice first */
    for (int i = 0; i < 4; i++) {
      const int *c = cases[i];
      char name[64];
      snprintf(name, sizeof name, "slice %d+%d, concat %s 9x7x13", c[0], c[1], c[2] ? "after" : "before");
      begin(&b, 9, 7, 13);
      int sl = add_tensor(&b, 9, 7, c[1]), cc = add_tensor(&b, 9, 7, c[1] + 13);
      add_layer(&b, PSEG_OP_SLICE, PSEG_ACT_NONE, 0, -1, sl)->aux = c[0];
      add_layer(&b, PSEG_OP_CONCAT, i == 1 ? PSEG_ACT_RELU : PSEG_ACT_NONE, c[2] ? sl : 0, c[2] ? 0 : sl, cc)->aux =
          c[2] ? c[1] : 13;
      check(ctx, &b, name, -2, 2);
    }
  }
  /* slices that crop or pad height and width (TFLite's STRIDED_SLICE and SLICE of borders, a PAD
   * no conv absorbs): rows and columns from (y - pad_top, x - pad_left), zeros outside; a
   * sigmoid after the copy turns the padded zeros into 0.5 (TFLite's order) */
  {
    int cases[][7] = {{-2, -1, 3, 5, 4, 6, PSEG_ACT_NONE}, {1, 2, 0, 12, 11, 13, PSEG_ACT_SIGMOID},
                      {-1, 3, 4, 6, 9, 9, PSEG_ACT_RELU}, {2, -3, 1, 13, 3, 5, PSEG_ACT_NONE}};
    for (int i = 0; i < 4; i++) {
      const int *c = cases[i];
      char name[80];
      snprintf(name, sizeof name, "slice 9x7x13 at %d,%d,%d to %dx%dx%d %s", c[0], c[1], c[2], c[3], c[4], c[5],
               pseg_act_name(c[6]));
      begin(&b, 9, 7, 13);
      int sl = add_tensor(&b, c[3], c[4], c[5]);
      pseg_fmt_layer *l = add_layer(&b, PSEG_OP_SLICE, c[6], 0, -1, sl);
      l->pad_top = c[0], l->pad_left = c[1], l->aux = c[2];
      check(ctx, &b, name, -2, 2);
    }
  }
  /* RESHAPE: the values in NHWC order in another shape (a map flattened, a vector made a map, one
   * map as another), the padding lanes of both sides skipped */
  {
    int cases[][7] = {{6, 5, 7, 1, 1, 210, PSEG_ACT_NONE}, {1, 1, 48, 4, 3, 4, PSEG_ACT_RELU}, {5, 3, 6, 9, 2, 5, PSEG_ACT_SIGMOID}};
    for (int i = 0; i < 3; i++) {
      const int *c = cases[i];
      char name[80];
      snprintf(name, sizeof name, "reshape %dx%dx%d to %dx%dx%d %s", c[0], c[1], c[2], c[3], c[4], c[5], pseg_act_name(c[6]));
      begin(&b, c[0], c[1], c[2]);
      add_layer(&b, PSEG_OP_RESHAPE, c[6], 0, -1, add_tensor(&b, c[3], c[4], c[5]));
      check(ctx, &b, name, -2, 2);
    }
  }
  /* global mean: a 128x128 map of values near 8 sums past fp16's 65504 */
  {
    int shapes[][3] = {{64, 64, 16}, {13, 7, 5}, {128, 128, 16}};
    for (int i = 0; i < 3; i++) {
      char name[64];
      snprintf(name, sizeof name, "mean %dx%dx%d", shapes[i][0], shapes[i][1], shapes[i][2]);
      begin(&b, shapes[i][0], shapes[i][1], shapes[i][2]);
      int o = add_tensor(&b, 1, 1, shapes[i][2]);
      add_layer(&b, PSEG_OP_MEAN, PSEG_ACT_NONE, 0, -1, o);
      check(ctx, &b, name, i == 2 ? 6.0f : -2.0f, i == 2 ? 10.0f : 2.0f);
    }
  }
  /* element-wise: standalone activations, same-shape add, per-channel broadcast mul */
  for (int act = PSEG_ACT_RELU; act <= PSEG_ACT_SIGMOID; act++) {
    char name[64];
    snprintf(name, sizeof name, "activation %s 9x5x7", pseg_act_name(act));
    begin(&b, 9, 5, 7);
    add_layer(&b, PSEG_OP_ACT, act, 0, -1, add_tensor(&b, 9, 5, 7));
    check(ctx, &b, name, -8, 8);
  }
  {
    begin(&b, 11, 13, 24);
    int t1 = add_tensor(&b, 11, 13, 24), t2 = add_tensor(&b, 11, 13, 24);
    add_layer(&b, PSEG_OP_ACT, PSEG_ACT_HARD_SWISH, 0, -1, t1);
    add_layer(&b, PSEG_OP_ADD, PSEG_ACT_RELU, 0, t1, t2);
    check(ctx, &b, "add same shape + relu 11x13x24", -3, 3);
    begin(&b, 16, 16, 96);
    int m = add_tensor(&b, 1, 1, 96), s = add_tensor(&b, 1, 1, 96), o = add_tensor(&b, 16, 16, 96);
    add_layer(&b, PSEG_OP_MEAN, PSEG_ACT_NONE, 0, -1, m);
    add_layer(&b, PSEG_OP_ACT, PSEG_ACT_SIGMOID, m, -1, s);
    pseg_fmt_layer *l = add_layer(&b, PSEG_OP_MUL, PSEG_ACT_NONE, 0, s, o);
    l->aux = 1;
    check(ctx, &b, "squeeze-excite mul broadcast 16x16x96", -3, 3);
  }
  /* a gate made by one 1x1 layer on a mean (the selfie network's head): one se_fc dispatch; the
   * conv whose output it gates, planned after it, multiplies its own output (its 1x1 conv reader
   * in its epilogue); a conv planned before the mean keeps the gate for its reader */
  for (int v = 0; v < 3; v++) {
    int h = v == 1 ? 9 : 16, w = 16, c = v == 1 ? 40 : 32, o = v == 1 ? 56 : 128, y = -1;
    begin(&b, h, w, c);
    if (v == 2) y = conv1x1(&b, 0, PSEG_ACT_RELU, o);
    int mean = add_tensor(&b, 1, 1, c);
    add_layer(&b, PSEG_OP_MEAN, PSEG_ACT_NONE, 0, -1, mean);
    int gate = conv1x1(&b, mean, PSEG_ACT_SIGMOID, o);
    if (v != 2) y = conv1x1(&b, 0, PSEG_ACT_RELU, o);
    int g = add_tensor(&b, h, w, o);
    add_layer(&b, PSEG_OP_MUL, PSEG_ACT_NONE, y, gate, g)->aux = 1;
    conv1x1(&b, g, PSEG_ACT_NONE, 24);
    /* mean+conv1x1+sigmoid, conv+relu*gate+conv1x1; or conv+relu, mean+..., gated conv */
    expect_dispatches = v == 2 ? 3 : 2;
    check(ctx, &b, v == 2 ? "mean -> 1x1 sigmoid gate, conv first 16x16x32" : v ? "fused: mean -> 1x1 sigmoid gate 9x16x40" : "fused: mean -> 1x1 sigmoid gate 16x16x32", -3, 3);
    expect_dispatches = 0;
  }
  /* fusions planned by the runtime (runtime/plan.c), against the unfused reference:
   * squeeze-excite (mean, 1x1 relu, 1x1 sigmoid, mul) folded into the next conv's input, that
   * conv's residual add folded into its epilogue; and a gate folded into an add (gated operand
   * second, so the planner swaps the operands). */
  for (int v = 0; v < 3; v++) {
    int h = v == 1 ? 9 : v ? 40 : 16, w = v == 1 ? 13 : v ? 40 : 16, c = v == 1 ? 20 : 24, r = v == 1 ? 6 : 8;
    begin(&b, h, w, c);
    int mean = add_tensor(&b, 1, 1, c), hid = add_tensor(&b, 1, 1, r), gate = add_tensor(&b, 1, 1, c);
    int y = add_tensor(&b, h, w, c), z = add_tensor(&b, h, w, c), out = add_tensor(&b, h, w, c);
    add_layer(&b, PSEG_OP_MEAN, PSEG_ACT_NONE, 0, -1, mean);
    pseg_fmt_layer *l1 = add_layer(&b, PSEG_OP_CONV2D, PSEG_ACT_RELU, mean, -1, hid);
    l1->w_off = add_weights(&b, (size_t)r * c, -0.5f, 0.5f);
    l1->b_off = add_weights(&b, (size_t)r, -0.2f, 0.2f);
    pseg_fmt_layer *l2 = add_layer(&b, PSEG_OP_CONV2D, PSEG_ACT_SIGMOID, hid, -1, gate);
    l2->w_off = add_weights(&b, (size_t)c * r, -1.0f, 1.0f);
    l2->b_off = add_weights(&b, (size_t)c, -0.5f, 0.5f);
    pseg_fmt_layer *mul = add_layer(&b, PSEG_OP_MUL, PSEG_ACT_NONE, 0, gate, y);
    mul->aux = 1;
    if (v != 1) {
      pseg_fmt_layer *cv = add_layer(&b, PSEG_OP_CONV2D, PSEG_ACT_NONE, y, -1, z);
      cv->w_off = add_weights(&b, (size_t)c * c, -0.3f, 0.3f);
      cv->b_off = add_weights(&b, (size_t)c, -0.2f, 0.2f);
      add_layer(&b, PSEG_OP_ADD, PSEG_ACT_RELU, z, 0, out);
      /* 16x16: the conv computes the block itself (few workgroups); 40x40: squeeze-excite (mean,
       * 1x1 x2), then the gated conv + add */
      expect_dispatches = v || !fast_tier(ctx) ? 2 : 1; /* folded only where there is a fast tier */
      check(ctx, &b, v ? "fused: squeeze-excite -> gated conv + add 40x40" : "fused: squeeze-excite in the gated conv + add",
            -3, 3);
    } else {
      add_layer(&b, PSEG_OP_ACT, PSEG_ACT_HARD_SWISH, 0, -1, z);
      add_layer(&b, PSEG_OP_ADD, PSEG_ACT_NONE, z, y, out);
      expect_dispatches = 3; /* squeeze-excite (mean, 1x1 x2), hard swish, gated add */
      check(ctx, &b, "fused: squeeze-excite -> gated add (swapped)", -3, 3);
    }
    expect_dispatches = 0;
  }
  /* MobileNetV3's block: depthwise conv -> squeeze-excite -> gated 1x1 conv (+ residual). On the
   * GPU tier the depthwise conv computes the block (its pool in the epilogue, its layers in the
   * last workgroup): two dispatches; on the fast kernels the conv computes it: two; on the base
   * kernels three. A second map size spreads the pool over many workgroups. */
  for (int v = 0; v < 2; v++) {
    int h = v ? 37 : 16, w = v ? 29 : 16, c = v ? 40 : 24;
    begin(&b, h, w, c);
    int d = add_tensor(&b, h, w, c);
    pseg_fmt_layer *dw = add_layer(&b, PSEG_OP_DWCONV2D, PSEG_ACT_HARD_SWISH, 0, -1, d);
    dw->kh = dw->kw = 5, dw->pad_top = dw->pad_left = 2;
    dw->w_off = add_weights(&b, (size_t)25 * c, -0.3f, 0.3f);
    dw->b_off = add_weights(&b, (size_t)c, -0.2f, 0.2f);
    int y = conv1x1(&b, squeeze_excite(&b, d), PSEG_ACT_NONE, c);
    add2(&b, y, 0);
    expect_dispatches = pseg_context_gpu_tier(ctx) || (fast_tier(ctx) && !v) ? 2 : 3;
    check(ctx, &b, v ? "fused: dwconv -> squeeze-excite -> gated conv 37x29x40" : "fused: dwconv -> squeeze-excite -> gated conv 16x16x24", -2, 2);
    expect_dispatches = 0;
  }
  /* The decoder's pattern: a resize fused into the 1x1 conv after it (bilinear sampling of its
   * input), that conv's residual add with its own value kept as a second output, a squeeze-excite
   * gate, the gated add fused into the next 1x1 conv (the sum kept as a second output), and a
   * depthwise conv with its residual add. */
  {
    int h = 16, w = 12, c = 24, sh, sw;
    begin(&b, h, w, c);
    int p = add_tensor(&b, (h + 1) / 2, (w + 1) / 2, c), rs = add_tensor(&b, h, w, c);
    pseg_fmt_layer *dw = add_layer(&b, PSEG_OP_DWCONV2D, PSEG_ACT_RELU, 0, -1, p);
    dw->kh = dw->kw = 3, dw->sh = dw->sw = 2, dw->pad_top = same_pad(h, 3, 2, &sh), dw->pad_left = same_pad(w, 3, 2, &sw);
    dw->w_off = add_weights(&b, (size_t)9 * c, -0.6f, 0.6f);
    dw->b_off = add_weights(&b, (size_t)c, -0.2f, 0.2f);
    add_layer(&b, PSEG_OP_RESIZE_BILINEAR, PSEG_ACT_NONE, p, -1, rs);
    int cv = conv1x1(&b, rs, PSEG_ACT_NONE, c);
    int a = add2(&b, cv, 0);
    int sum = add2(&b, squeeze_excite(&b, a), cv);
    int d = conv1x1(&b, sum, PSEG_ACT_RELU, c), e = add_tensor(&b, h, w, c);
    pseg_fmt_layer *dw2 = add_layer(&b, PSEG_OP_DWCONV2D, PSEG_ACT_RELU, d, -1, e);
    dw2->kh = dw2->kw = 3, dw2->pad_top = dw2->pad_left = 1;
    dw2->w_off = add_weights(&b, (size_t)9 * c, -0.6f, 0.6f);
    dw2->b_off = add_weights(&b, (size_t)c, -0.2f, 0.2f);
    add2(&b, e, sum);
    /* dwconv; resize+conv+add (2 outputs); squeeze-excite; gated add+conv (2 outputs); dwconv+add;
     * on the fast kernels the gated add+conv computes the squeeze-excite block itself (small map) */
    expect_dispatches = fast_tier(ctx) ? 4 : 5;
    check(ctx, &b, "fused: decoder (resize+conv+add, gated add+conv)", -2, 2);
    expect_dispatches = 0;
  }
  /* The selfie decoder's stage: a = conv1x1(resize(D)); g = squeeze-excite(mean(skip + a));
   * s = skip * g + a; t = relu(conv1x1(s)); t + relu(dwconv(t)). With a 2x upsampling (every
   * source pixel weighs alike) the block pools D and skip and the conv writes s (plan_gate_out);
   * 5 -> 12 is not uniform, so that stage keeps a, pools skip + a, and gates in the next conv. */
  for (int v = 0; v < 2; v++) {
    int h = 12, w = 12, c = 16, sh, sw;
    begin(&b, h, w, 24);
    int skip = conv1x1(&b, 0, PSEG_ACT_HARD_SWISH, c);
    int dn = v ? 5 : 6, p = add_tensor(&b, dn, dn, c), rs = add_tensor(&b, h, w, 40);
    pseg_fmt_layer *dw = add_layer(&b, PSEG_OP_DWCONV2D, PSEG_ACT_RELU, skip, -1, p);
    dw->kh = dw->kw = v ? 4 : 3, dw->sh = dw->sw = 2;
    if (!v) dw->pad_top = same_pad(h, 3, 2, &sh), dw->pad_left = same_pad(w, 3, 2, &sw);
    dw->w_off = add_weights(&b, (size_t)dw->kh * dw->kw * c, -0.6f, 0.6f);
    dw->b_off = add_weights(&b, (size_t)c, -0.2f, 0.2f);
    int d = conv1x1(&b, p, PSEG_ACT_RELU, 40);
    add_layer(&b, PSEG_OP_RESIZE_BILINEAR, PSEG_ACT_NONE, d, -1, rs);
    int a = conv1x1(&b, rs, PSEG_ACT_NONE, c), u = add2(&b, skip, a), mean = add_tensor(&b, 1, 1, c);
    add_layer(&b, PSEG_OP_MEAN, PSEG_ACT_NONE, u, -1, mean);
    int gate = conv1x1(&b, conv1x1(&b, mean, PSEG_ACT_RELU, 8), PSEG_ACT_SIGMOID, c), gs = add_tensor(&b, h, w, c);
    add_layer(&b, PSEG_OP_MUL, PSEG_ACT_NONE, skip, gate, gs)->aux = 1;
    int t = conv1x1(&b, add2(&b, gs, a), PSEG_ACT_RELU, c), e = add_tensor(&b, h, w, c);
    pseg_fmt_layer *dw2 = add_layer(&b, PSEG_OP_DWCONV2D, PSEG_ACT_RELU, t, -1, e);
    dw2->kh = dw2->kw = 3, dw2->pad_top = dw2->pad_left = 1;
    dw2->w_off = add_weights(&b, (size_t)9 * c, -0.6f, 0.6f);
    dw2->b_off = add_weights(&b, (size_t)c, -0.2f, 0.2f);
    add2(&b, t, e);
    /* conv; dwconv+conv1x1; squeeze-excite from D and skip; resize+conv+gated skip+conv1x1;
     * dwconv+add */
    expect_dispatches = v ? 0 : 5;
    check(ctx, &b, v ? "decoder stage, 5 -> 12 resize (not fused)" : "fused: decoder stage (block pools D and skip)", -2, 2);
    expect_dispatches = 0;
  }
  /* 1x1 conv -> 3x3 stride-2 depthwise conv (-> 1x1 conv): one dispatch, the first conv computed
   * at every tap; at stride 1 (9 computations of each value) it stays a dispatch of its own */
  for (int v = 0; v < 3; v++) {
    int h = 13, w = 11, s = v == 2 ? 1 : 2, oh, ow;
    begin(&b, h, w, 20);
    int x = conv1x1(&b, 0, v == 1 ? PSEG_ACT_HARD_SWISH : PSEG_ACT_RELU, 36);
    int pt = same_pad(h, 3, s, &oh), pl = same_pad(w, 3, s, &ow), y = add_tensor(&b, oh, ow, 36);
    pseg_fmt_layer *dw = add_layer(&b, PSEG_OP_DWCONV2D, PSEG_ACT_RELU, x, -1, y);
    dw->kh = dw->kw = 3, dw->sh = dw->sw = s, dw->pad_top = pt, dw->pad_left = pl;
    dw->w_off = add_weights(&b, (size_t)9 * 36, -0.6f, 0.6f);
    dw->b_off = add_weights(&b, 36, -0.2f, 0.2f);
    if (v == 1) conv1x1(&b, y, PSEG_ACT_NONE, 12);
    expect_dispatches = v == 2 ? 2 : 1;
    check(ctx, &b, v == 0 ? "fused: conv1x1 -> dwconv s2" : v == 1 ? "fused: conv1x1 -> dwconv s2 -> conv1x1" : "conv1x1 -> dwconv s1 (not fused)", -2, 2);
    expect_dispatches = 0;
  }
  /* conv -> 1x1 conv in one dispatch (the first result also read by a later residual add) */
  {
    int h = 11, w = 7;
    begin(&b, h, w, 24);
    int a = add_tensor(&b, h, w, 16), bb = add_tensor(&b, h, w, 40), cc = add_tensor(&b, h, w, 16);
    int out = add_tensor(&b, h, w, 16);
    pseg_fmt_layer *l1 = add_layer(&b, PSEG_OP_CONV2D, PSEG_ACT_RELU, 0, -1, a);
    l1->w_off = add_weights(&b, (size_t)16 * 24, -0.3f, 0.3f);
    l1->b_off = add_weights(&b, 16, -0.2f, 0.2f);
    pseg_fmt_layer *l2 = add_layer(&b, PSEG_OP_CONV2D, PSEG_ACT_HARD_SWISH, a, -1, bb);
    l2->w_off = add_weights(&b, (size_t)40 * 16, -0.4f, 0.4f);
    l2->b_off = add_weights(&b, 40, -0.2f, 0.2f);
    pseg_fmt_layer *l3 = add_layer(&b, PSEG_OP_CONV2D, PSEG_ACT_NONE, bb, -1, cc);
    l3->w_off = add_weights(&b, (size_t)16 * 40, -0.3f, 0.3f);
    l3->b_off = add_weights(&b, 16, -0.2f, 0.2f);
    add_layer(&b, PSEG_OP_ADD, PSEG_ACT_NONE, cc, a, out);
    expect_dispatches = 2; /* conv+conv1x1 (2 outputs); conv+add */
    check(ctx, &b, "fused: conv -> conv1x1 (epilogue)", -2, 2);
    expect_dispatches = 0;
  }
  /* Two graphs where a gated add fused into the 1x1 conv reading it must not be confused with a
   * residual: its conv's output read twice (the conv keeps R for the addend), and its sum read as
   * a residual by a conv placed before the one that writes the sum. */
  {
    begin(&b, 9, 7, 16);
    int a = conv1x1(&b, 0, PSEG_ACT_RELU, 16);
    int s = add2(&b, squeeze_excite(&b, a), 0);
    int u = conv1x1(&b, s, PSEG_ACT_NONE, 16);
    add2(&b, add2(&b, u, a), add2(&b, u, s));
    check(ctx, &b, "fused: gated add+conv read twice", -2, 2);
    begin(&b, 9, 7, 16);
    a = conv1x1(&b, 0, PSEG_ACT_RELU, 16);
    s = add2(&b, squeeze_excite(&b, a), 0);
    int t = conv1x1(&b, 0, PSEG_ACT_NONE, 16);
    u = conv1x1(&b, s, PSEG_ACT_RELU, 16);
    int v = add2(&b, t, s);
    add2(&b, v, conv1x1(&b, u, PSEG_ACT_NONE, 16));
    check(ctx, &b, "fused: gated add's sum as a later residual", -2, 2);
  }
  /* bilinear resize in the three coordinate modes */
  {
    int cases[][5] = {{16, 16, 128, 32, 32}, {7, 5, 6, 13, 11}, {9, 16, 24, 18, 32}, {5, 3, 3, 2, 7}};
    for (int i = 0; i < 4; i++)
      for (int mode = 0; mode < 3; mode++) {
        char name[80];
        snprintf(name, sizeof name, "resize %s %dx%dx%d->%dx%d", mode == 0 ? "half-pixel" : mode == 1 ? "legacy" : "align",
                 cases[i][0], cases[i][1], cases[i][2], cases[i][3], cases[i][4]);
        begin(&b, cases[i][0], cases[i][1], cases[i][2]);
        pseg_fmt_layer *l =
            add_layer(&b, PSEG_OP_RESIZE_BILINEAR, PSEG_ACT_NONE, 0, -1, add_tensor(&b, cases[i][3], cases[i][4], cases[i][2]));
        l->aux = mode;
        check(ctx, &b, name, -4, 4);
      }
  }
  /* nearest-neighbour resize in the three coordinate modes (TFLite's GetNearestNeighbor: scales
   * whose products land on integers, 3 -> 9 and 7 -> 21, test the rounding; one with a ReLU) */
  {
    int cases[][5] = {{16, 16, 24, 32, 32}, {3, 7, 6, 9, 21}, {7, 5, 5, 13, 11}, {9, 16, 8, 4, 7}, {5, 3, 3, 2, 7}};
    for (int i = 0; i < 5; i++)
      for (int mode = 0; mode < 3; mode++) {
        char name[80];
        snprintf(name, sizeof name, "resize nearest %s %dx%dx%d->%dx%d%s",
                 mode == 0 ? "half-pixel" : mode == 1 ? "legacy" : "align", cases[i][0], cases[i][1], cases[i][2],
                 cases[i][3], cases[i][4], i == 2 ? " +relu" : "");
        begin(&b, cases[i][0], cases[i][1], cases[i][2]);
        pseg_fmt_layer *l = add_layer(&b, PSEG_OP_RESIZE_NEAREST, i == 2 ? PSEG_ACT_RELU : PSEG_ACT_NONE, 0, -1,
                                      add_tensor(&b, cases[i][3], cases[i][4], cases[i][2]));
        l->aux = mode;
        check(ctx, &b, name, -4, 4);
      }
  }
  /* softmax over channels */
  {
    int cs[] = {2, 5, 8};
    for (int i = 0; i < 3; i++) {
      char name[64];
      snprintf(name, sizeof name, "softmax 7x9x%d", cs[i]);
      begin(&b, 7, 9, cs[i]);
      add_layer(&b, PSEG_OP_SOFTMAX, PSEG_ACT_NONE, 0, -1, add_tensor(&b, 7, 9, cs[i]));
      check(ctx, &b, name, -20, 20);
    }
  }
  /* PRELU: alone (the identity depthwise conv), and folded into the layer making its input as
   * that layer's last activation (after its residual add); where another layer reads the same
   * input, it stays a dispatch of its own */
  for (int v = 0; v < 9; v++) {
    static const char *names[] = {"prelu 9x5x7", "fused: conv 3x3 -> prelu", "fused: conv1x1 + add -> prelu",
                                  "fused: dwconv 3x3 -> prelu", "fused: dwconv + add -> prelu",
                                  "fused: tconv 3x3 s2 -> prelu", "fused: tconv 2x2 s2 -> prelu",
                                  "fused: conv -> prelu -> conv1x1, dwconv -> prelu -> conv1x1",
                                  "prelu of a tensor read twice (not fused)"};
    int h = v == 0 ? 9 : 13, w = v == 0 ? 5 : 11, c = v == 0 ? 7 : 20;
    begin(&b, h, w, c);
    uint32_t n = 1;
    if (v == 0) {
      prelu(&b, 0);
    } else if (v == 1 || v == 7) {
      int o = add_tensor(&b, h, w, 12);
      pseg_fmt_layer *l = add_layer(&b, PSEG_OP_CONV2D, PSEG_ACT_NONE, 0, -1, o);
      l->kh = l->kw = 3, l->pad_top = l->pad_left = 1;
      l->w_off = add_weights(&b, (size_t)12 * 9 * c, -0.15f, 0.15f);
      l->b_off = add_weights(&b, 12, -0.2f, 0.2f);
      int y = prelu(&b, o);
      if (v == 7) {
        int d = add_tensor(&b, h, w, 16);
        pseg_fmt_layer *dw = add_layer(&b, PSEG_OP_DWCONV2D, PSEG_ACT_NONE, conv1x1(&b, y, PSEG_ACT_NONE, 16), -1, d);
        dw->kh = dw->kw = 3, dw->pad_top = dw->pad_left = 1;
        dw->w_off = add_weights(&b, (size_t)9 * 16, -0.6f, 0.6f);
        dw->b_off = add_weights(&b, 16, -0.2f, 0.2f);
        conv1x1(&b, prelu(&b, d), PSEG_ACT_RELU, 8);
        n = 0; /* 2 to 4 dispatches, by tier */
      }
    } else if (v == 2) {
      prelu(&b, add2(&b, conv1x1(&b, 0, PSEG_ACT_RELU, c), 0));
    } else if (v == 3 || v == 4) {
      int d = add_tensor(&b, h, w, c);
      pseg_fmt_layer *dw = add_layer(&b, PSEG_OP_DWCONV2D, PSEG_ACT_NONE, 0, -1, d);
      dw->kh = dw->kw = 3, dw->pad_top = dw->pad_left = 1;
      dw->w_off = add_weights(&b, (size_t)9 * c, -0.6f, 0.6f);
      dw->b_off = add_weights(&b, (size_t)c, -0.2f, 0.2f);
      prelu(&b, v == 4 ? add2(&b, d, 0) : d);
    } else if (v == 5 || v == 6) {
      int k = v == 5 ? 3 : 2, o = add_tensor(&b, 2 * h, 2 * w, 8);
      pseg_fmt_layer *l = add_layer(&b, PSEG_OP_TCONV2D, PSEG_ACT_NONE, 0, -1, o);
      l->kh = l->kw = k, l->sh = l->sw = 2;
      l->w_off = add_weights(&b, (size_t)8 * k * k * c, -0.2f, 0.2f);
      l->b_off = add_weights(&b, 8, -0.2f, 0.2f);
      prelu(&b, o);
    } else {
      int y = conv1x1(&b, 0, PSEG_ACT_NONE, c);
      add2(&b, prelu(&b, y), y);
      n = 3;
    }
    expect_dispatches = n;
    check(ctx, &b, names[v], -2, 2);
    expect_dispatches = 0;
  }
  /* A standalone activation of a conv's output that a residual add reads too (the origin models'
   * blocks): the conv writes both values; also after the conv's own residual add, and for a
   * transposed conv */
  for (int v = 0; v < 3; v++) {
    begin(&b, 12, 10, 16);
    int x;
    if (v == 0) x = conv1x1(&b, 0, PSEG_ACT_NONE, 16);
    else if (v == 1) x = add2(&b, conv1x1(&b, 0, PSEG_ACT_NONE, 16), 0);
    else {
      x = add_tensor(&b, 24, 20, 16);
      pseg_fmt_layer *l = add_layer(&b, PSEG_OP_TCONV2D, PSEG_ACT_NONE, 0, -1, x);
      l->kh = l->kw = l->sh = l->sw = 2;
      l->w_off = add_weights(&b, (size_t)16 * 4 * 16, -0.3f, 0.3f);
      l->b_off = add_weights(&b, 16, -0.2f, 0.2f);
    }
    int y = add_tensor(&b, b.t[x].h, b.t[x].w, 16);
    add_layer(&b, PSEG_OP_ACT, v == 1 ? PSEG_ACT_RELU6 : PSEG_ACT_RELU, x, -1, y);
    add2(&b, conv1x1(&b, y, PSEG_ACT_NONE, 16), x);
    expect_dispatches = 2; /* conv(+relu) writing both, conv+add */
    check(ctx, &b, v == 0 ? "fused: conv -> relu, both read" : v == 1 ? "fused: conv + add -> relu6, both read" : "fused: tconv -> relu, both read", -2, 2);
    expect_dispatches = 0;
  }
  /* a sum read only by a mean whose 1x1 layer is too wide for se_fc.comp (264 channels): the mean
   * stays a dispatch of its own, so the sum must be stored (the pre-pass once absorbed it anyway) */
  {
    begin(&b, 6, 5, 8);
    int s = add2(&b, conv1x1(&b, 0, PSEG_ACT_RELU, 8), 0), mean = add_tensor(&b, 1, 1, 8);
    add_layer(&b, PSEG_OP_MEAN, PSEG_ACT_NONE, s, -1, mean);
    conv1x1(&b, mean, PSEG_ACT_SIGMOID, 264);
    check(ctx, &b, "add -> mean -> wide 1x1 (not a squeeze-excite)", -2, 2);
  }
  /* 1x1 conv of 16 channels -> 3x3 stride-2 depthwise conv: the GPU tier keeps the first conv's
   * weights of up to 4 input vec4s in registers (of 5, above, it reads them at each tap)
   * (the generator restored after it: every other case draws what it drew before it was added) */
  {
    uint32_t saved = rng;
    int h = 9, w = 10, oh, ow;
    begin(&b, h, w, 16);
    int x = conv1x1(&b, 0, PSEG_ACT_RELU, 12);
    int pt = same_pad(h, 3, 2, &oh), pl = same_pad(w, 3, 2, &ow), y = add_tensor(&b, oh, ow, 12);
    pseg_fmt_layer *dw = add_layer(&b, PSEG_OP_DWCONV2D, PSEG_ACT_RELU, x, -1, y);
    dw->kh = dw->kw = 3, dw->sh = dw->sw = 2, dw->pad_top = pt, dw->pad_left = pl;
    dw->w_off = add_weights(&b, (size_t)9 * 12, -0.6f, 0.6f);
    dw->b_off = add_weights(&b, 12, -0.2f, 0.2f);
    expect_dispatches = 1;
    check(ctx, &b, "fused: conv1x1 (16 channels) -> dwconv s2", -2, 2);
    expect_dispatches = 0;
    rng = saved;
  }
}

int main(int argc, char **argv) {
  only_int8 = argc > 1 && !strcmp(argv[1], "int8");
  only_name = argc > 1 && !only_int8 ? argv[1] : NULL;
  /* the resize axes whose mean the gated decoder stage may take from the source (plan_gate_out) */
  int uni[6][4] = {{6, 12, 0, 1}, {8, 16, 0, 1}, {4, 12, 0, 1}, {5, 12, 0, 0}, {6, 12, 2, 0}, {6, 13, 0, 0}};
  for (int i = 0; i < 6; i++)
    if (resize_uniform(uni[i][0], uni[i][1], uni[i][2]) != uni[i][3]) {
      printf("FAIL resize_uniform(%d, %d, mode %d) != %d\n", uni[i][0], uni[i][1], uni[i][2], uni[i][3]);
      failures++;
    }
  /* fp32; fp16 with the default storage split (input fp32, small tensors fp16); fp16 everywhere */
  pseg_precision precs[] = {PSEG_PRECISION_FP32, PSEG_PRECISION_FP16, PSEG_PRECISION_FP16};
  const char *labels[] = {"fp32", "fp16", "fp16-all"};
  for (int p = 0; p < (only_int8 ? 1 : 3); p++) {
    label = labels[p];
    pseg_context_create_info ci = {.device_index = -1, .precision = precs[p], .enable_validation = 1,
                                   .fp16_all_activations = p == 2};
    pseg_context *ctx = NULL;
    char err[512];
    pseg_result r = pseg_context_create(&ci, &ctx, err, sizeof err);
    if (r == PSEG_ERROR_UNSUPPORTED && precs[p] == PSEG_PRECISION_FP16) {
      printf("fp16: not supported by this device (%s), fp16 cases not run\n", err);
      continue;
    }
    if (r) {
      printf("FAIL context: %s\n", err);
      return 1;
    }
    printf("device: %s (%s)\n", pseg_context_device(ctx)->name, pseg_context_device(ctx)->driver);
    run_all(ctx);
    uint32_t v = pseg_context_validation_messages(ctx);
    pseg_context_destroy(ctx);
    if (v) {
      printf("FAIL validation layer: %u message(s)\n", v);
      failures++;
    }
  }
  printf("%d passed, %d failed\n", passes, failures);
  return failures ? 1 : 0;
}
