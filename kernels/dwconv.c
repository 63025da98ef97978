/* Depthwise convolution family: DWCONV2D (depth multiplier 1), and PRELU (per channel: run as
 * a 1x1 depthwise conv of weight 1 and bias 0 whose activation is PRELU, where the planner could
 * not fold it into the layer making its input). Shaders dwconv.comp, gdwconv.comp. */
#include "kernels.h"

#include <string.h>

/* GPU layout: [kh][kw][C4] vec4. */
static size_t dwconv_packed(int c, int kh, int kw, size_t *bias_floats) {
  *bias_floats = (size_t)kc4(c) * 4;
  return (size_t)kh * kw * kc4(c) * 4;
}

static void dwconv_pack(const pseg_fmt_layer *l, kshape in, kshape out, const float *w, const float *b, float *wdst,
                        float *bdst) {
  (void)out;
  int c = in.c, cp = kc4(c) * 4;
  for (int k = 0; k < l->kh * l->kw; k++)
    for (int ch = 0; ch < cp; ch++) wdst[(size_t)k * cp + ch] = ch < c ? w[(size_t)k * c + ch] : 0.0f;
  for (int ch = 0; ch < cp; ch++) bdst[ch] = (ch < c && b) ? b[ch] : 0.0f;
}

/* PRELU's slopes follow the packed [weights | bias] of the layer whose activation it became
 * (PSEG_ACT_PRELU: the shaders read slope vec4 c at the bias + C4 + c). */
size_t prelu_packed(int c) { return (size_t)kc4(c) * 4; }

void prelu_pack(int c, const float *slopes, float *dst) {
  for (int ch = 0; ch < kc4(c) * 4; ch++) dst[ch] = ch < c ? slopes[ch] : 0.0f;
}

static int dwconv_plan(const pseg_fmt_layer *l, kshape in, kshape in1, kshape out, int wide, kdispatch *d);

/* A standalone PRELU: the identity 1x1 depthwise conv (its packed weights: ones, zero bias). */
static int prelu_plan(const pseg_fmt_layer *l, kshape in, kshape in1, kshape out, int wide, kdispatch *d) {
  (void)out;
  pseg_fmt_layer id = *l;
  id.op = PSEG_OP_DWCONV2D, id.act = PSEG_ACT_PRELU, id.aux = 0;
  id.kh = id.kw = id.sh = id.sw = 1, id.pad_top = id.pad_left = 0;
  return dwconv_plan(&id, in, in1, in, wide, d);
}

static void prelu_pack_identity(const pseg_fmt_layer *l, kshape in, kshape out, const float *w, const float *b,
                                float *wdst, float *bdst) {
  (void)l, (void)out, (void)w, (void)b;
  for (int ch = 0; ch < kc4(in.c) * 4; ch++) wdst[ch] = ch < in.c ? 1.0f : 0.0f, bdst[ch] = 0.0f;
}

void ref_prelu(const float *in, kshape s, const float *slopes, float *out) {
  size_t n = (size_t)s.h * s.w * s.c;
  for (size_t i = 0; i < n; i++) {
    float v = in[i];
    out[i] = v >= 0 ? v : v * slopes[i % (size_t)s.c];
  }
}

static int dwconv_plan(const pseg_fmt_layer *l, kshape in, kshape in1, kshape out, int wide, kdispatch *d) {
  (void)in1;
  memset(d, 0, sizeof *d);
  d->shader = PSEG_SHADER_DWCONV;
  d->pc = (pseg_params){.in_h = in.h, .in_w = in.w, .in_c4 = kc4(in.c), .out_h = out.h, .out_w = out.w,
                        .out_c4 = kc4(out.c), .kh = l->kh, .kw = l->kw, .sh = l->sh, .sw = l->sw,
                        .pad_t = l->pad_top, .pad_l = l->pad_left, .mode = l->aux /* dilation */};
  int c4 = kc4(in.c), cb = wide ? c4 : 1;
  d->spec[KD_C4] = c4;
  d->spec[KD_KH] = l->kh, d->spec[KD_KW] = l->kw, d->spec[KD_SH] = l->sh, d->spec[KD_SW] = l->sw;
  d->spec[KD_CB] = cb;
  d->spec[KD_ACT] = l->act;
  d->spec[KD_PROJ_K] = 1;
  kernel_set_grid(d, out.w * out.h, 64);
  d->groups[2] = (uint32_t)((c4 + cb - 1) / cb);
  d->uses_weights = 1;
  return 0;
}

void dwconv_fuse_projection(kdispatch *d, const pseg_fmt_layer *proj, kshape proj_out) {
  d->spec[KD_CB] = d->spec[KD_C4];
  d->groups[2] = 1;
  d->spec[KD_PROJ_OC4] = kc4(proj_out.c);
  d->spec[KD_PROJ_K] = proj->op == PSEG_OP_TCONV2D ? proj->kh : 1;
  d->spec[KD_PROJ_ACT] = proj->act;
}

void dwconv_fuse_pre(kdispatch *d, const pseg_fmt_layer *pre, kshape pre_in) {
  d->spec[KD_CB] = d->spec[KD_C4];
  d->groups[2] = 1;
  d->spec[KD_PRE_IC4] = kc4(pre_in.c);
  d->spec[KD_PRE_ACT] = pre->act;
}

/* GPU tier (gdwconv.comp): a tile of TP output pixels a workgroup, about one item (a channel
 * vec4 of a pixel; with a projection also an output vec4 of it) an invocation at batch 1, larger
 * tiles for large batches (as conv_gpu) unless a pool sums the tile (its partial sums would
 * change); with a projection the tile's depthwise results stay in shared memory (at most 1024
 * vec4s). */
void dwconv_gpu(const kdispatch *d, int batch, kdispatch *g) {
  const int32_t *sp = d->spec;
  int c4 = sp[KD_C4], k = sp[KD_PROJ_K], nb = sp[KD_PROJ_OC4] * k * k, per = c4 > nb ? c4 : nb;
  int npix = d->pc.out_w * d->pc.out_h;
  int tp = kernel_pow2_floor(64 / per);
  int se = sp[KD_SE_LAYERS] > 0; /* a squeeze-excite block pooling the output (plan.c): the tile in shared memory */
  while (tp > 1 && (tp / 2 >= npix || ((nb || se) && tp * c4 > 1024))) tp /= 2;
  if (!se) {
    tp = kernel_batch_tile(tp, per, npix, batch, 64);
    while (nb && tp * c4 > 1024) tp /= 2;
  }
  g->shader = PSEG_SHADER_GDWCONV;
  g->spec[KD_CB] = 0;
  g->spec[KG_TP] = tp;
  kernel_grid_1d(g, (uint32_t)((npix + tp - 1) / tp), batch);
  if (se) /* a counter a frame, then every workgroup's partial sums */
    g->scratch = (uint32_t)batch * (1 + g->groups[0] * g->groups[1] * (uint32_t)c4 * 4);
}

void ref_dwconv2d(const float *in, kshape is, const float *w, const float *b, int kh, int kw, int sh, int sw,
                  int pt, int pl, int dil, int act, float *out, kshape os) {
  int dh = kernel_dil_h(dil), dw = kernel_dil_w(dil);
  for (int oy = 0; oy < os.h; oy++)
    for (int ox = 0; ox < os.w; ox++)
      for (int c = 0; c < os.c; c++) {
        double acc = b ? b[c] : 0.0;
        for (int ky = 0; ky < kh; ky++) {
          int iy = oy * sh - pt + ky * dh;
          if (iy < 0 || iy >= is.h) continue;
          for (int kx = 0; kx < kw; kx++) {
            int ix = ox * sw - pl + kx * dw;
            if (ix < 0 || ix >= is.w) continue;
            acc += (double)in[((size_t)iy * is.w + ix) * is.c + c] * w[((size_t)ky * kw + kx) * is.c + c];
          }
        }
        out[((size_t)oy * os.w + ox) * os.c + c] = ref_activate((float)acc, act);
      }
}

/* ---- the op table (kernels.h) ---- */

static const char *dwconv_check(const pseg_fmt_layer *l, kshape a, kshape b, kshape o) {
  (void)b;
  const char *why = kernel_check_window(l, a, o, 1, "bad kernel");
  return why ? why : o.c != a.c ? "depthwise channel mismatch" : NULL;
}

static void dwconv_weights(const pseg_fmt_layer *l, kshape in, kshape out, size_t *w, size_t *b) {
  (void)out;
  *w = (size_t)l->kh * (size_t)l->kw * (size_t)in.c;
  *b = (size_t)in.c;
}

static size_t dwconv_packed_l(const pseg_fmt_layer *l, kshape in, kshape out, size_t *bias_floats) {
  (void)out;
  return dwconv_packed(in.c, l->kh, l->kw, bias_floats);
}

static void dwconv_ref(const pseg_fmt_layer *l, const float *in0, kshape a, const float *in1, kshape b, const float *w,
                       const float *bias, float *out, kshape o) {
  (void)in1, (void)b;
  ref_dwconv2d(in0, a, w, bias, l->kh, l->kw, l->sh, l->sw, l->pad_top, l->pad_left, l->aux, l->act, out, o);
}

static void dwconv_qref(const pseg_fmt_model *m, const pseg_fmt_layer *l, const float *in0, const float *in1,
                        float *out) {
  (void)in1;
  ref_qconv(m, l, in0, out, 1);
}

const pseg_op_def pseg_def_DWCONV2D = {1,           dwconv_check, dwconv_weights, dwconv_packed_l,
                                       dwconv_pack, dwconv_plan,  dwconv_ref,     dwconv_qref};

/* w_off: the slopes [C]; no bias, no activation after it */
static const char *prelu_check(const pseg_fmt_layer *l, kshape a, kshape b, kshape o) {
  (void)b;
  if (o.h != a.h || o.w != a.w || o.c != a.c) return "output shape mismatch";
  if (l->act != PSEG_ACT_NONE || l->b_off != -1) return "no activation or bias after PRELU";
  return NULL;
}

static void prelu_weights(const pseg_fmt_layer *l, kshape in, kshape out, size_t *w, size_t *b) {
  (void)l, (void)out;
  *w = (size_t)in.c, *b = 0;
}

/* standalone: the identity 1x1 depthwise conv (prelu_plan) */
static size_t prelu_packed_l(const pseg_fmt_layer *l, kshape in, kshape out, size_t *bias_floats) {
  (void)l, (void)out;
  return dwconv_packed(in.c, 1, 1, bias_floats);
}

static void prelu_ref(const pseg_fmt_layer *l, const float *in0, kshape a, const float *in1, kshape b, const float *w,
                      const float *bias, float *out, kshape o) {
  (void)l, (void)in1, (void)b, (void)bias, (void)o;
  ref_prelu(in0, a, w, out);
}

const pseg_op_def pseg_def_PRELU = {1,          prelu_check, prelu_weights, prelu_packed_l, prelu_pack_identity,
                                    prelu_plan, prelu_ref, NULL};
