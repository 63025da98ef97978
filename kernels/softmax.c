/* Head family: SOFTMAX over channels (stable form, max subtracted) and the channel reductions of
 * hand-written heads (SUM, REDUCE_MAX over the channels, kept as [H,W,1]). Shader softmax.comp. */
#include "kernels.h"

#include <math.h>
#include <string.h>

/* no activation after it in the shader */
static int softmax_plan(const pseg_fmt_layer *l, kshape in, kshape in1, kshape out, int wide, kdispatch *d) {
  (void)in, (void)in1, (void)wide;
  if (l->act != PSEG_ACT_NONE) return -1;
  memset(d, 0, sizeof *d);
  d->shader = PSEG_SHADER_SOFTMAX;
  d->pc = (pseg_params){.in_h = out.h, .in_w = out.w, .in_c4 = kc4(out.c), .out_h = out.h, .out_w = out.w,
                        .out_c4 = kc4(out.c), .aux0 = out.c};
  d->spec[KR_C4] = kc4(out.c);
  d->groups[0] = (uint32_t)(out.w + 7) / 8;
  d->groups[1] = (uint32_t)(out.h + 7) / 8;
  d->groups[2] = 1;
  return 0;
}

static int reduce_plan(const pseg_fmt_layer *l, kshape in, kshape in1, kshape out, int wide, kdispatch *d) {
  (void)in1, (void)out, (void)wide;
  if (l->act != PSEG_ACT_NONE) return -1;
  memset(d, 0, sizeof *d);
  d->shader = PSEG_SHADER_SOFTMAX;
  d->pc = (pseg_params){.in_h = in.h, .in_w = in.w, .in_c4 = kc4(in.c), .out_h = in.h, .out_w = in.w, .out_c4 = 1,
                        .aux0 = in.c, .mode = l->aux};
  d->spec[KR_C4] = kc4(in.c);
  d->spec[1] = 1; /* KIND: a reduction */
  d->groups[0] = (uint32_t)(in.w + 7) / 8;
  d->groups[1] = (uint32_t)(in.h + 7) / 8;
  d->groups[2] = 1;
  return 0;
}

/* GPU tier (gpix.comp KIND 2, or 3 for the reductions): one invocation a pixel. */
void softmax_gpu(const kdispatch *d, int batch, kdispatch *g) {
  g->shader = PSEG_SHADER_GPIX;
  memset(g->spec, 0, sizeof g->spec);
  g->spec[KB_C4] = d->spec[KR_C4], g->spec[5] = d->spec[1] ? 3 : 2;
  kernel_grid_1d(g, (uint32_t)(((long)d->pc.out_w * d->pc.out_h + 63) / 64), batch);
}

void ref_reduce(const float *in, kshape s, int max, float *out) {
  for (size_t p = 0; p < (size_t)s.h * s.w; p++) {
    const float *x = in + p * s.c;
    double r = max ? -INFINITY : 0;
    for (int c = 0; c < s.c; c++) r = max ? (x[c] > r ? x[c] : r) : r + x[c];
    out[p] = (float)r;
  }
}

void ref_softmax(const float *in, kshape s, float *out) {
  for (size_t p = 0; p < (size_t)s.h * s.w; p++) {
    const float *x = in + p * s.c;
    double m = -INFINITY, sum = 0;
    for (int c = 0; c < s.c; c++) m = x[c] > m ? x[c] : m;
    for (int c = 0; c < s.c; c++) sum += exp((double)x[c] - m);
    for (int c = 0; c < s.c; c++) out[p * s.c + c] = (float)(exp((double)x[c] - m) / sum);
  }
}

/* ---- the op table (kernels.h) ---- */

static const char *softmax_check(const pseg_fmt_layer *l, kshape a, kshape b, kshape o) {
  (void)l, (void)b;
  return o.h != a.h || o.w != a.w || o.c != a.c ? "output shape mismatch" : NULL;
}

static void softmax_ref(const pseg_fmt_layer *l, const float *in0, kshape a, const float *in1, kshape b,
                        const float *w, const float *bias, float *out, kshape o) {
  (void)l, (void)in1, (void)b, (void)w, (void)bias, (void)o;
  ref_softmax(in0, a, out);
}

/* Integer SOFTMAX: kernels/quant.c kq_softmax_row, a pixel at a time */
static void softmax_qref(const pseg_fmt_model *m, const pseg_fmt_layer *l, const float *in0, const float *in1, float *out) {
  (void)in1;
  const pseg_fmt_tensor *t = &m->tensors[l->out];
  kquant o = kq_of(m, l->out);
  float table[256];
  kq_softmax_table(kq_of(m, l->in0), table);
  for (size_t p = 0; p < (size_t)t->h * t->w; p++)
    kq_softmax_row(table, in0 + p * t->c, t->c, o.scale, o.zp, out + p * t->c);
}

const pseg_op_def pseg_def_SOFTMAX = {1, softmax_check, NULL, NULL, NULL, softmax_plan, softmax_ref, softmax_qref};

/* over the channels to [H,W,1]; aux 0 sum, 1 max */
static const char *reduce_check(const pseg_fmt_layer *l, kshape a, kshape b, kshape o) {
  (void)b;
  if (o.h != a.h || o.w != a.w || o.c != 1) return "output must be HxWx1";
  return l->aux != 0 && l->aux != 1 ? "bad reduction" : NULL;
}

static void reduce_ref(const pseg_fmt_layer *l, const float *in0, kshape a, const float *in1, kshape b,
                       const float *w, const float *bias, float *out, kshape o) {
  (void)in1, (void)b, (void)w, (void)bias, (void)o;
  ref_reduce(in0, a, l->aux, out);
}

const pseg_op_def pseg_def_REDUCE = {1, reduce_check, NULL, NULL, NULL, reduce_plan, reduce_ref, NULL};
