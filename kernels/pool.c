/* Pooling family: MEAN, the global average over height and width (AVERAGE_POOL_2D over the
 * whole map and MEAN over axes 1, 2 both become this; shader mean.comp, sums in fp32), and
 * MAX_POOL_2D and AVERAGE_POOL_2D with a window (binary.comp / gpix.comp OP 7, 8: the window's
 * cells inside the map, as TFLite). */
#include "kernels.h"

#include <math.h>
#include <string.h>

int binary_plan(const pseg_fmt_layer *l, kshape in, kshape in1, kshape out, int wide, kdispatch *d);

static int maxpool_plan(const pseg_fmt_layer *l, kshape in, kshape in1, kshape out, int wide, kdispatch *d) {
  binary_plan(l, in, in1, out, wide, d);
  d->spec[KB_OP] = l->op == PSEG_OP_AVGPOOL ? 8 : 7;
  d->pc.in_h = in.h, d->pc.in_w = in.w, d->pc.in_c4 = kc4(in.c);
  d->pc.kh = l->kh, d->pc.kw = l->kw, d->pc.sh = l->sh, d->pc.sw = l->sw, d->pc.pad_t = l->pad_top, d->pc.pad_l = l->pad_left;
  return 0;
}

void ref_maxpool(const float *in, kshape is, int kh, int kw, int sh, int sw, int pt, int pl, int act, float *out, kshape os) {
  for (int oy = 0; oy < os.h; oy++)
    for (int ox = 0; ox < os.w; ox++)
      for (int c = 0; c < os.c; c++) {
        float m = -INFINITY;
        for (int ky = 0; ky < kh; ky++)
          for (int kx = 0; kx < kw; kx++) {
            int iy = oy * sh - pt + ky, ix = ox * sw - pl + kx;
            if (iy < 0 || iy >= is.h || ix < 0 || ix >= is.w) continue;
            float v = in[((size_t)iy * is.w + ix) * is.c + c];
            m = v > m ? v : m;
          }
        out[((size_t)oy * os.w + ox) * os.c + c] = ref_activate(m, act);
      }
}

static int mean_plan(const pseg_fmt_layer *l, kshape in, kshape in1, kshape out, int wide, kdispatch *d) {
  (void)in1, (void)wide;
  memset(d, 0, sizeof *d);
  d->shader = PSEG_SHADER_MEAN;
  d->pc = (pseg_params){.in_h = in.h, .in_w = in.w, .in_c4 = kc4(in.c), .out_h = 1, .out_w = 1,
                        .out_c4 = kc4(out.c)};
  d->spec[KR_C4] = kc4(in.c);
  d->spec[KR_ACT] = l->act;
  d->groups[0] = d->groups[1] = 1;
  d->groups[2] = (uint32_t)kc4(out.c);
  return 0;
}

/* GPU tier (gpool.comp): a MEAN (LAYERS 0), or a squeeze-excite block planned as se_fc.comp
 * (same constant ids), its pooling spread over up to 64 workgroups a frame (about 512 vec4s
 * each), the last of which runs the block's layers. The split depends on the map alone, not on
 * the batch: the order of the sums, and so every mask, is the same at any batch (the selfie
 * masks move by up to 1e-4 at a few edge pixels when only that order changes). */
void pool_gpu(const kdispatch *d, int batch, kdispatch *g) {
  g->shader = PSEG_SHADER_GPOOL;
  if (d->shader == PSEG_SHADER_MEAN) {
    memset(g->spec, 0, sizeof g->spec);
    g->spec[KS_C4] = d->spec[KR_C4];
    g->spec[KS_ACT] = d->spec[KR_ACT];
    g->spec[KS_LAYERS] = 0;
  }
  const int32_t *sp = g->spec;
  int pre = sp[KS_PRE_IC4], ct = pre ? pre + sp[KS_C4] : sp[KS_C4];
  long nx = (long)d->pc.in_h * d->pc.in_w, nr = pre ? (long)d->pc.aux0 * d->pc.aux1 : 0, n = nx > nr ? nx : nr;
  long nwg = (n * ct + 511) / 512;
  if (nwg < 1) nwg = 1;
  if (nwg > 64) nwg = 64;
  g->groups[0] = (uint32_t)nwg, g->groups[1] = 1, g->groups[2] = (uint32_t)batch;
  g->scratch = (uint32_t)batch * (1 + (uint32_t)nwg * (uint32_t)ct * 4);
}

void ref_mean(const float *in, kshape is, int act, float *out) {
  for (int c = 0; c < is.c; c++) {
    double s = 0;
    for (size_t p = 0; p < (size_t)is.h * is.w; p++) s += in[p * is.c + c];
    out[c] = ref_activate((float)(s / ((double)is.h * is.w)), act);
  }
}

/* ---- the op table (kernels.h) ---- */

static const char *mean_check(const pseg_fmt_layer *l, kshape a, kshape b, kshape o) {
  (void)l, (void)b;
  return o.h != 1 || o.w != 1 || o.c != a.c ? "output must be 1x1xC" : NULL;
}

static void mean_ref(const pseg_fmt_layer *l, const float *in0, kshape a, const float *in1, kshape b, const float *w,
                     const float *bias, float *out, kshape o) {
  (void)in1, (void)b, (void)w, (void)bias, (void)o;
  ref_mean(in0, a, l->act, out);
}

const pseg_op_def pseg_def_MEAN = {1, mean_check, NULL, NULL, NULL, mean_plan, mean_ref, kq_mean_qref};

/* a kh x kw window, stride, padding cells ignored */
static const char *maxpool_check(const pseg_fmt_layer *l, kshape a, kshape b, kshape o) {
  (void)b;
  const char *why = kernel_check_window(l, a, o, 0, "bad window");
  return why ? why : o.c != a.c ? "channel mismatch" : NULL;
}

static void maxpool_ref(const pseg_fmt_layer *l, const float *in0, kshape a, const float *in1, kshape b,
                        const float *w, const float *bias, float *out, kshape o) {
  (void)in1, (void)b, (void)w, (void)bias;
  ref_maxpool(in0, a, l->kh, l->kw, l->sh, l->sw, l->pad_top, l->pad_left, l->act, out, o);
}

const pseg_op_def pseg_def_MAXPOOL = {1, maxpool_check, NULL, NULL, NULL, maxpool_plan, maxpool_ref, kq_pass_ref};

/* TFLite's AVERAGE_POOL_2D: the mean of the window's cells inside the map (its divisor) */
static void avgpool_ref(const pseg_fmt_layer *l, const float *in0, kshape a, const float *in1, kshape b,
                        const float *w, const float *bias, float *out, kshape o) {
  (void)in1, (void)b, (void)w, (void)bias;
  for (int oy = 0; oy < o.h; oy++)
    for (int ox = 0; ox < o.w; ox++)
      for (int c = 0; c < o.c; c++) {
        double sum = 0;
        int n = 0;
        for (int ky = 0; ky < l->kh; ky++)
          for (int kx = 0; kx < l->kw; kx++) {
            int iy = oy * l->sh - l->pad_top + ky, ix = ox * l->sw - l->pad_left + kx;
            if (iy < 0 || iy >= a.h || ix < 0 || ix >= a.w) continue;
            sum += in0[((size_t)iy * a.w + ix) * a.c + c], n++;
          }
        out[((size_t)oy * o.w + ox) * o.c + c] = ref_activate(n ? (float)(sum / n) : 0.0f, l->act);
      }
}

/* On int8 (one scale and zero point for input and output, as TFLite requires): TFLite's integer
 * kernel, the int8 values summed over the window's cells inside the map, divided by their count
 * rounding half away from zero, clamped to the activation's range (qnet.comp OP 17) */
static void avgpool_qref(const pseg_fmt_model *m, const pseg_fmt_layer *l, const float *in0, const float *in1, float *out) {
  const pseg_fmt_tensor *a = &m->tensors[l->in0], *o = &m->tensors[l->out];
  int lo, hi;
  (void)in1;
  kq_act_range(l->act, kq_of(m, l->out), kq_builtin(m), &lo, &hi);
  for (int oy = 0; oy < o->h; oy++)
    for (int ox = 0; ox < o->w; ox++)
      for (int c = 0; c < o->c; c++) {
        int32_t acc = 0, n = 0;
        for (int ky = 0; ky < l->kh; ky++)
          for (int kx = 0; kx < l->kw; kx++) {
            int iy = oy * l->sh - l->pad_top + ky, ix = ox * l->sw - l->pad_left + kx;
            if (iy < 0 || iy >= a->h || ix < 0 || ix >= a->w) continue;
            acc += (int32_t)in0[((size_t)iy * a->w + ix) * a->c + c], n++;
          }
        int32_t v = n == 0 ? 0 : acc > 0 ? (acc + n / 2) / n : (acc - n / 2) / n;
        out[((size_t)oy * o->w + ox) * o->c + c] = (float)(v < lo ? lo : v > hi ? hi : v);
      }
}

const pseg_op_def pseg_def_AVGPOOL = {1, maxpool_check, NULL, NULL, NULL, maxpool_plan, avgpool_ref, avgpool_qref};
