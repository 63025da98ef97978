/* Convolution family: CONV2D (any kernel, stride, SAME/VALID padding) and TCONV2D (transposed
 * convolution: with kernel == stride and no padding, MediaPipe's Convolution2DTransposeBias, each
 * input pixel making a block of output pixels (MODE 1); else TFLite's TRANSPOSE_CONV in general,
 * each output pixel gathering the taps that land on it (MODE 5)). Shaders conv.comp, gconv.comp. */
#include "kernels.h"

#include <stdlib.h>
#include <string.h>

/* GPU layout: [O4][kh][kw][I4][4 input channels] of vec4 over 4 output channels. */
static size_t conv_packed(const pseg_fmt_layer *l, kshape in, kshape out, size_t *bias_floats) {
  *bias_floats = (size_t)kc4(out.c) * 4;
  return (size_t)kc4(out.c) * l->kh * l->kw * kc4(in.c) * 16;
}

static void conv_pack(const pseg_fmt_layer *l, kshape in, kshape out, const float *w, const float *b, float *wdst,
                      float *bdst) {
  int o = out.c, i = in.c, kh = l->kh, kw = l->kw, o4 = kc4(o), i4 = kc4(i);
  for (int oq = 0; oq < o4; oq++)
    for (int ky = 0; ky < kh; ky++)
      for (int kx = 0; kx < kw; kx++)
        for (int iq = 0; iq < i4; iq++)
          for (int j = 0; j < 4; j++)
            for (int lane = 0; lane < 4; lane++) {
              int oc = oq * 4 + lane, ic = iq * 4 + j;
              size_t d = (((((size_t)oq * kh + ky) * kw + kx) * i4 + iq) * 4 + j) * 4 + lane;
              wdst[d] = (oc < o && ic < i) ? w[(((size_t)oc * kh + ky) * kw + kx) * i + ic] : 0.0f;
            }
  for (int oc = 0; oc < o4 * 4; oc++) bdst[oc] = (oc < o && b) ? b[oc] : 0.0f;
}

static int conv_plan(const pseg_fmt_layer *l, kshape in, kshape in1, kshape out, int wide, kdispatch *d) {
  (void)in1;
  memset(d, 0, sizeof *d);
  int tconv = l->op == PSEG_OP_TCONV2D && l->kh == l->sh && l->kw == l->sw && !l->pad_top && !l->pad_left &&
              out.h == in.h * l->sh && out.w == in.w * l->sw;
  int gather = l->op == PSEG_OP_TCONV2D && !tconv;
  d->shader = PSEG_SHADER_CONV;
  d->pc = (pseg_params){.in_h = in.h, .in_w = in.w, .in_c4 = kc4(in.c), .out_h = out.h, .out_w = out.w,
                        .out_c4 = kc4(out.c), .kh = l->kh, .kw = l->kw, .sh = l->sh, .sw = l->sw,
                        .pad_t = l->pad_top, .pad_l = l->pad_left,
                        .mode = l->op == PSEG_OP_CONV2D ? l->aux : 0 /* dilation */};
  /* Output vec4s per invocation: all of them when the weights are constants in the code (each
   * input is then fetched once); else 4, enough to reuse each input a few times and few enough
   * to keep the accumulators in registers. */
  int oc4 = kc4(out.c), ocb = wide ? oc4 : oc4 < 4 ? oc4 : 4;
  d->spec[KC_IC4] = kc4(in.c);
  d->spec[KC_OC4] = oc4;
  d->spec[KC_KH] = l->kh, d->spec[KC_KW] = l->kw, d->spec[KC_SH] = l->sh, d->spec[KC_SW] = l->sw;
  d->spec[KC_MODE] = tconv ? 1 : gather ? 5 : 0;
  d->spec[KC_OCB] = ocb;
  d->spec[KC_ACT] = l->act;
  /* a transposed conv runs one invocation per input pixel (conv.comp) */
  kernel_set_grid(d, tconv ? in.w * in.h : out.w * out.h, 64);
  d->groups[2] = (uint32_t)((oc4 + ocb - 1) / ocb);
  d->uses_weights = 1;
  return 0;
}

/* GPU tier (gconv.comp): a tile of TP pixels x every output vec4 a workgroup, about one output
 * vec4 an invocation in the widest phase (64 outputs a tile: a 16x16 map of 32 channels in 32
 * workgroups of 8 pixels; with a 1x1 conv to 128 channels after it, 128 workgroups of 2); CK input vec4s a pixel staged per pass, at most 1024 vec4s (16 KB) of shared memory.
 * A large batch gets a larger tile (kernel_batch_tile: up to about four output vec4s an
 * invocation, weights loaded by fewer distinct addresses a warp), while it keeps 1024 workgroups;
 * an output is summed by one invocation in the same order whatever the tile, so every frame's
 * numbers are the same at any batch. */
void conv_gpu(const kdispatch *d, int batch, kdispatch *g) {
  const int32_t *sp = d->spec;
  int mode = sp[KC_MODE], kk = sp[KC_KH] * sp[KC_KW];
  int no = mode == 1 ? kk * sp[KC_OC4] : sp[KC_OC4], kt = mode == 1 || mode == 2 ? sp[KC_IC4] : kk * sp[KC_IC4];
  int npix = mode == 1 ? d->pc.in_w * d->pc.in_h : d->pc.out_w * d->pc.out_h;
  int epi = sp[KC_EPI_OC4], per = no > epi ? no : epi; /* the widest phase sets the tile */
  int tp = kernel_pow2_floor(64 / per);
  while (tp > 1 && tp / 2 >= npix) tp /= 2;
  tp = kernel_batch_tile(tp, per, npix, batch, 64);
  int ck = 1024 / tp;
  if (ck > kt) ck = kt;
  g->shader = PSEG_SHADER_GCONV;
  g->spec[KC_OCB] = 0;
  g->spec[KG_TP] = tp, g->spec[KG_CK] = ck, g->spec[KG_IPT] = (tp * no + 63) / 64;
  kernel_grid_1d(g, (uint32_t)((npix + tp - 1) / tp), batch);
}

void ref_conv2d(const float *in, kshape is, const float *w, const float *b, int kh, int kw, int sh, int sw,
                int pt, int pl, int dil, int act, float *out, kshape os) {
  int dh = kernel_dil_h(dil), dw = kernel_dil_w(dil);
  for (int oy = 0; oy < os.h; oy++)
    for (int ox = 0; ox < os.w; ox++)
      for (int oc = 0; oc < os.c; oc++) {
        double acc = b ? b[oc] : 0.0;
        for (int ky = 0; ky < kh; ky++) {
          int iy = oy * sh - pt + ky * dh;
          if (iy < 0 || iy >= is.h) continue;
          for (int kx = 0; kx < kw; kx++) {
            int ix = ox * sw - pl + kx * dw;
            if (ix < 0 || ix >= is.w) continue;
            const float *px = in + ((size_t)iy * is.w + ix) * is.c;
            const float *wk = w + (((size_t)oc * kh + ky) * kw + kx) * is.c;
            for (int ic = 0; ic < is.c; ic++) acc += (double)px[ic] * wk[ic];
          }
        }
        out[((size_t)oy * os.w + ox) * os.c + oc] = ref_activate((float)acc, act);
      }
}

/* TFLite's TRANSPOSE_CONV (reference_ops::TransposeConv): input pixel iy adds in[iy] * w[ky] to
 * output row iy * sh - pt + ky; written as a scatter, as TFLite does, independent of the shaders'
 * gather. */
void ref_tconv2d(const float *in, kshape is, const float *w, const float *b, int kh, int kw, int sh, int sw, int pt,
                 int pl, int act, float *out, kshape os) {
  size_t n = (size_t)os.h * os.w * os.c;
  double *acc = malloc(n * sizeof(double));
  if (!acc) return;
  for (size_t i = 0; i < n; i++) acc[i] = b ? b[i % (size_t)os.c] : 0.0;
  for (int iy = 0; iy < is.h; iy++)
    for (int ix = 0; ix < is.w; ix++) {
      const float *px = in + ((size_t)iy * is.w + ix) * is.c;
      for (int ky = 0; ky < kh; ky++) {
        int oy = iy * sh - pt + ky;
        if (oy < 0 || oy >= os.h) continue;
        for (int kx = 0; kx < kw; kx++) {
          int ox = ix * sw - pl + kx;
          if (ox < 0 || ox >= os.w) continue;
          for (int oc = 0; oc < os.c; oc++) {
            const float *wk = w + (((size_t)oc * kh + ky) * kw + kx) * is.c;
            double s = 0;
            for (int ic = 0; ic < is.c; ic++) s += (double)px[ic] * wk[ic];
            acc[((size_t)oy * os.w + ox) * os.c + oc] += s;
          }
        }
      }
    }
  for (size_t i = 0; i < n; i++) out[i] = ref_activate((float)acc[i], act);
  free(acc);
}

/* ---- the op table (kernels.h) ---- */

static void conv_weights(const pseg_fmt_layer *l, kshape in, kshape out, size_t *w, size_t *b) {
  *w = (size_t)out.c * (size_t)l->kh * (size_t)l->kw * (size_t)in.c;
  *b = (size_t)out.c;
}

/* aux: the dilation, rows | columns << 8 (0: 1) */
static const char *conv_check(const pseg_fmt_layer *l, kshape a, kshape b, kshape o) {
  (void)b;
  return kernel_check_window(l, a, o, 1, "bad kernel");
}

static void conv_ref(const pseg_fmt_layer *l, const float *in0, kshape a, const float *in1, kshape b, const float *w,
                     const float *bias, float *out, kshape o) {
  (void)in1, (void)b;
  ref_conv2d(in0, a, w, bias, l->kh, l->kw, l->sh, l->sw, l->pad_top, l->pad_left, l->aux, l->act, out, o);
}

/* Integer CONV2D (and DWCONV2D, dw = 1: weights [1, kh, kw, c]): int32 sums of (q - zp_in) x w
 * over the taps inside the map (a padding tap is the input's zero point: real 0), plus the bias,
 * requantized by scale_in x scale_w[oc] / scale_out (XNNPACK: float). */
void ref_qconv(const pseg_fmt_model *m, const pseg_fmt_layer *l, const float *in0, float *out, int dw) {
  const pseg_fmt_tensor *ti = &m->tensors[l->in0], *to = &m->tensors[l->out];
  kquant a = kq_of(m, l->in0), o = kq_of(m, l->out);
  kqweights q;
  if (kq_weights(m, l, (size_t)to->c, &q)) return;
  int lo, hi, dh = kernel_dil_h(l->aux), dwl = kernel_dil_w(l->aux), ic = dw ? 1 : ti->c, fixed = kq_builtin(m);
  kq_act_range(l->act, o, fixed, &lo, &hi);
  for (int oy = 0; oy < to->h; oy++)
    for (int ox = 0; ox < to->w; ox++)
      for (int oc = 0; oc < to->c; oc++) {
        int32_t acc = q.bias[oc];
        for (int ky = 0; ky < l->kh; ky++) {
          int iy = oy * l->sh - l->pad_top + ky * dh;
          if (iy < 0 || iy >= ti->h) continue;
          for (int kx = 0; kx < l->kw; kx++) {
            int ix = ox * l->sw - l->pad_left + kx * dwl;
            if (ix < 0 || ix >= ti->w) continue;
            const float *x = in0 + ((size_t)iy * ti->w + ix) * ti->c;
            int32_t sum = 0; /* wrapping as int32 does on the GPU and in TFLite (a dead channel's bias can be -2^31 + 1) */
            if (dw) {
              sum = ((int32_t)x[oc] - a.zp) * q.w[((size_t)ky * l->kw + kx) * to->c + oc];
            } else {
              const int8_t *w = q.w + (((size_t)oc * l->kh + ky) * l->kw + kx) * ic;
              for (int c = 0; c < ic; c++) sum += ((int32_t)x[c] - a.zp) * w[c];
            }
            acc = (int32_t)((uint32_t)acc + (uint32_t)sum);
          }
        }
        float *y = &out[((size_t)oy * to->w + ox) * to->c + oc];
        float ws = q.scale[q.nscale > 1 ? oc : 0];
        if (fixed) { /* TFLite's builtin kernels (kq_builtin): the conv's requantization is ruy's, the depthwise conv's TFLite's own */
          int32_t mult;
          int shift;
          kq_fixed_channel(a, ws, o, &mult, &shift);
          int32_t v = (dw ? kq_fixed_mul : kq_fixed_mul_ruy)(acc, mult, shift) + o.zp; /* TFLite's convs: ruy's GEMM */
          *y = (float)(v < lo ? lo : v > hi ? hi : v);
        } else {
          *y = (float)kq_requant((float)acc * (a.scale * ws / o.scale), o.zp, lo, hi);
        }
      }
  kq_free(&q);
}

static void conv_qref(const pseg_fmt_model *m, const pseg_fmt_layer *l, const float *in0, const float *in1, float *out) {
  (void)in1;
  ref_qconv(m, l, in0, out, 0);
}

const pseg_op_def pseg_def_CONV2D = {1, conv_check, conv_weights, conv_packed, conv_pack, conv_plan, conv_ref, conv_qref};

/* out[iy * s - pad + k] += in[iy] * w[k] */
static const char *tconv_check(const pseg_fmt_layer *l, kshape a, kshape b, kshape o) {
  (void)b;
  if (l->kh < 1 || l->kw < 1 || l->kh > PSEG_FMT_MAX_KERNEL || l->kw > PSEG_FMT_MAX_KERNEL) return "bad kernel";
  if (l->sh < 1 || l->sw < 1 || l->sh > 8 || l->sw > 8) return "bad stride";
  if (l->pad_top < 0 || l->pad_left < 0 || l->pad_top >= l->kh || l->pad_left >= l->kw) return "bad padding";
  if ((int64_t)o.h + l->pad_top > (int64_t)(a.h - 1) * l->sh + l->kh ||
      (int64_t)o.w + l->pad_left > (int64_t)(a.w - 1) * l->sw + l->kw)
    return "output larger than the transposed convolution makes";
  return NULL;
}

static void tconv_ref(const pseg_fmt_layer *l, const float *in0, kshape a, const float *in1, kshape b, const float *w,
                      const float *bias, float *out, kshape o) {
  (void)in1, (void)b;
  ref_tconv2d(in0, a, w, bias, l->kh, l->kw, l->sh, l->sw, l->pad_top, l->pad_left, l->act, out, o);
}

/* Integer TCONV2D: out[oy, ox, oc] = bias + the sums of (q - zp_in) x w[oc][ky][kx][ic] over the
 * input pixels with iy * sh - pad_t + ky = oy (and likewise in x), requantized as TFLite does it:
 * per-channel weights by its builtin kernel's fixed-point multipliers (kq_fixed_mul), one weight
 * scale by XNNPACK's deconvolution (fp32, as ref_qconv) */
void ref_qtconv(const pseg_fmt_model *m, const pseg_fmt_layer *l, const float *in0, float *out) {
  const pseg_fmt_tensor *ti = &m->tensors[l->in0], *to = &m->tensors[l->out];
  kquant a = kq_of(m, l->in0), o = kq_of(m, l->out);
  kqweights q;
  if (kq_weights(m, l, (size_t)to->c, &q)) return;
  int lo, hi, fixed = kq_tconv_fixed(m, l), *shift = malloc((size_t)to->c * sizeof(int));
  int32_t *mult = malloc((size_t)to->c * sizeof(int32_t));
  if (!shift || !mult) {
    free(shift), free(mult), kq_free(&q);
    return;
  }
  for (int oc = 0; oc < to->c && fixed; oc++) kq_fixed_channel(a, q.scale[q.nscale > 1 ? oc : 0], o, &mult[oc], &shift[oc]);
  kq_act_range(l->act, o, kq_builtin(m), &lo, &hi);
  for (int oy = 0; oy < to->h; oy++)
    for (int ox = 0; ox < to->w; ox++)
      for (int oc = 0; oc < to->c; oc++) {
        int32_t acc = q.bias[oc];
        for (int ky = 0; ky < l->kh; ky++) {
          int ny = oy + l->pad_top - ky, iy = ny / l->sh;
          if (ny < 0 || ny % l->sh || iy >= ti->h) continue;
          for (int kx = 0; kx < l->kw; kx++) {
            int nx = ox + l->pad_left - kx, ix = nx / l->sw;
            if (nx < 0 || nx % l->sw || ix >= ti->w) continue;
            const float *x = in0 + ((size_t)iy * ti->w + ix) * ti->c;
            const int8_t *w = q.w + (((size_t)oc * l->kh + ky) * l->kw + kx) * ti->c;
            int32_t sum = 0;
            for (int c = 0; c < ti->c; c++) sum += ((int32_t)x[c] - a.zp) * w[c];
            acc = (int32_t)((uint32_t)acc + (uint32_t)sum); /* wrapping, as in ref_qconv */
          }
        }
        float *y = &out[((size_t)oy * to->w + ox) * to->c + oc];
        if (fixed) {
          int32_t v = kq_fixed_mul(acc, mult[oc], shift[oc]) + o.zp;
          *y = (float)(v < lo ? lo : v > hi ? hi : v);
        } else {
          *y = (float)kq_requant((float)acc * (a.scale * q.scale[0] / o.scale), o.zp, lo, hi);
        }
      }
  free(shift), free(mult), kq_free(&q);
}

static void tconv_qref(const pseg_fmt_model *m, const pseg_fmt_layer *l, const float *in0, const float *in1, float *out) {
  (void)in1;
  ref_qtconv(m, l, in0, out);
}

const pseg_op_def pseg_def_TCONV2D = {1, tconv_check, conv_weights, conv_packed, conv_pack, conv_plan, tconv_ref, tconv_qref};
