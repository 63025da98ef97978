/* Resize family: RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR with TFLite's three coordinate
 * conventions (half-pixel centres, legacy, align corners). Shader resize.comp (pc.mode 0-2
 * bilinear, 3-5 nearest; the nearest scales computed here in fp32, as TFLite does, and passed as
 * float bits in pc.aux0 / aux1, so the GPU's division cannot move an index). */
#include "kernels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* NPX output pixels of a row an invocation (KR_NPX) and the grid for it. On lavapipe 4 pixels
 * from 32 columns up took 30-45 % less time for a resize of few channels and for a resize with
 * its residual ADD (pseg profile, anil-mnv3-float's decoder: 256x256x2 1.53-1.66 -> 0.95 ms,
 * the 64x64x72 resize+add 1.07-1.26 -> 0.75-0.83 ms), but about 10 % more for a plain resize of
 * 32 channels (anil-slimnet's 128x128x32: 1.25 -> 1.35-1.42 ms); a 16x16 map had too few
 * workgroups for it. */
void resize_set_npx(kdispatch *d, int pays) {
  int npx = pays && d->pc.out_w >= 32 ? 4 : 1;
  d->spec[KR_NPX] = npx;
  d->groups[0] = (uint32_t)(d->pc.out_w + 8 * npx - 1) / (8 * npx);
}

static int resize_plan(const pseg_fmt_layer *l, kshape in, kshape in1, kshape out, int wide, kdispatch *d) {
  (void)in1, (void)wide;
  memset(d, 0, sizeof *d);
  d->shader = PSEG_SHADER_RESIZE;
  d->pc = (pseg_params){.in_h = in.h, .in_w = in.w, .in_c4 = kc4(in.c), .out_h = out.h, .out_w = out.w,
                        .out_c4 = kc4(out.c), .mode = l->aux};
  if (l->op == PSEG_OP_RESIZE_NEAREST) {
    float sy = resize_nearest_scale(in.h, out.h, l->aux), sx = resize_nearest_scale(in.w, out.w, l->aux);
    d->pc.mode = 3 + l->aux;
    memcpy(&d->pc.aux0, &sy, 4), memcpy(&d->pc.aux1, &sx, 4);
  }
  d->spec[KR_C4] = kc4(in.c);
  d->spec[KR_ACT] = l->act;
  resize_set_npx(d, kc4(in.c) <= 2);
  d->groups[1] = (uint32_t)(out.h + 7) / 8;
  d->groups[2] = 1;
  return 0;
}

/* GPU tier (gpix.comp KIND 1): one invocation an output vec4; the activation moves to id 4, the
 * absorbed ADD (KR_RES) to id 1. */
void resize_gpu(const kdispatch *d, int batch, kdispatch *g) {
  g->shader = PSEG_SHADER_GPIX;
  memset(g->spec, 0, sizeof g->spec);
  g->spec[KB_C4] = d->spec[KR_C4], g->spec[KB_ACT] = d->spec[KR_ACT], g->spec[KB_OP] = d->spec[KR_RES], g->spec[5] = 1;
  kernel_grid_1d(g, (uint32_t)(((long)d->pc.out_w * d->pc.out_h * d->spec[KR_C4] + 63) / 64), batch);
}

/* TFLite reference semantics (resize_bilinear.h): lower = max(floor(s), 0), upper =
 * min(ceil(s), n - 1), weights from the unclamped coordinate. */
static void coord(int d, int n_in, int n_out, int mode, int *lo, int *hi, double *frac) {
  double s;
  if (mode == 2) s = n_out > 1 ? (double)d * (n_in - 1) / (n_out - 1) : 0.0;
  else if (mode == 1) s = (double)d * n_in / n_out;
  else s = ((double)d + 0.5) * n_in / n_out - 0.5;
  double f = floor(s);
  *lo = f < 0 ? 0 : (int)f;
  int c = (int)ceil(s);
  *hi = c > n_in - 1 ? n_in - 1 : c;
  if (*hi < 0) *hi = 0;
  *frac = s - (double)*lo;
}

/* TFLite's GetNearestNeighbor (reference_ops), float arithmetic as there. */
float resize_nearest_scale(int n_in, int n_out, int mode) {
  return (mode == 2 && n_out > 1) ? (float)(n_in - 1) / (float)(n_out - 1) : (float)n_in / (float)n_out;
}

int resize_nearest_src(int d, int n_in, int n_out, int mode) {
  float s = ((float)d + (mode == 0 ? 0.5f : 0.0f)) * resize_nearest_scale(n_in, n_out, mode);
  float f = floorf(s);
  int v = (int)f + (mode == 2 && s - f >= 0.5f); /* align corners: round, half away from 0 (s >= 0) */
  if (v > n_in - 1) v = n_in - 1;
  return v < 0 ? 0 : v;
}

void ref_resize_nearest(const float *in, kshape is, float *out, kshape os, int mode, int act) {
  for (int y = 0; y < os.h; y++) {
    int sy = resize_nearest_src(y, is.h, os.h, mode);
    for (int x = 0; x < os.w; x++) {
      int sx = resize_nearest_src(x, is.w, os.w, mode);
      for (int c = 0; c < is.c; c++)
        out[((size_t)y * os.w + x) * os.c + c] = ref_activate(in[((size_t)sy * is.w + sx) * is.c + c], act);
    }
  }
}

int resize_uniform(int n_in, int n_out, int mode) {
  double *w = calloc((size_t)n_in, sizeof(double));
  if (!w) return 0;
  for (int d = 0; d < n_out; d++) {
    int lo, hi;
    double f;
    coord(d, n_in, n_out, mode, &lo, &hi, &f);
    w[lo] += 1.0 - f, w[hi] += f;
  }
  int ok = 1;
  for (int i = 0; i < n_in && ok; i++) ok = fabs(w[i] - (double)n_out / n_in) <= 1e-9 * n_out;
  free(w);
  return ok;
}

void ref_resize_bilinear(const float *in, kshape is, float *out, kshape os, int mode, int act) {
  for (int y = 0; y < os.h; y++) {
    int y0, y1;
    double fy;
    coord(y, is.h, os.h, mode, &y0, &y1, &fy);
    for (int x = 0; x < os.w; x++) {
      int x0, x1;
      double fx;
      coord(x, is.w, os.w, mode, &x0, &x1, &fx);
      for (int c = 0; c < is.c; c++) {
#define AT(yy, xx) ((double)in[((size_t)(yy) * is.w + (xx)) * is.c + c])
        double v = AT(y0, x0) * (1 - fy) * (1 - fx) + AT(y0, x1) * (1 - fy) * fx + AT(y1, x0) * fy * (1 - fx) +
                   AT(y1, x1) * fy * fx;
#undef AT
        out[((size_t)y * os.w + x) * os.c + c] = ref_activate((float)v, act);
      }
    }
  }
}

/* ---- the op table (kernels.h) ---- */

/* aux: 0 half-pixel, 1 legacy, 2 align corners */
static const char *resize_check(const pseg_fmt_layer *l, kshape a, kshape b, kshape o) {
  (void)b;
  if (o.c != a.c) return "channel mismatch";
  return l->aux < 0 || l->aux > 2 ? "bad resize mode" : NULL;
}

static void bilinear_ref(const pseg_fmt_layer *l, const float *in0, kshape a, const float *in1, kshape b,
                         const float *w, const float *bias, float *out, kshape o) {
  (void)in1, (void)b, (void)w, (void)bias;
  ref_resize_bilinear(in0, a, out, o, l->aux, l->act);
}

static void nearest_ref(const pseg_fmt_layer *l, const float *in0, kshape a, const float *in1, kshape b,
                        const float *w, const float *bias, float *out, kshape o) {
  (void)in1, (void)b, (void)w, (void)bias;
  ref_resize_nearest(in0, a, out, o, l->aux, l->act);
}

/* XNNPACK's source coordinate of output index i (float) and its 11-bit weight */
static void q11_coord(int i, int n_in, int n_out, int mode, int *i0, int *i1, int *wq) {
  int adj = mode == 2 && n_out != 1;
  float sc = (float)(n_in - adj) / (float)(n_out - adj), x;
  if (mode != 0) {
    x = (float)i * sc;
  } else {
    float off = 0.5f * sc - 0.5f;
    x = (float)i * sc + off;
    x = x < 0.0f ? 0.0f : x > (float)(n_in - 1) ? (float)(n_in - 1) : x;
  }
  *i0 = (int)x;
  *i1 = *i0 + 1 < n_in ? *i0 + 1 : n_in - 1;
  *wq = (int)lrintf((x - (float)*i0) * 2048.0f);
}

/* Integer RESIZE_BILINEAR as XNNPACK's (no requantization: the output keeps the input's scale
 * and zero point): 11-bit weights, rows then columns in int32, rounded half up by 22 bits. */
static void bilinear_qref(const pseg_fmt_model *m, const pseg_fmt_layer *l, const float *in0, const float *in1,
                          float *out) {
  (void)in1;
  const pseg_fmt_tensor *a = &m->tensors[l->in0], *o = &m->tensors[l->out];
  for (int oy = 0; oy < o->h; oy++) {
    int y0, y1, wy;
    q11_coord(oy, a->h, o->h, l->aux, &y0, &y1, &wy);
    for (int ox = 0; ox < o->w; ox++) {
      int x0, x1, wx;
      q11_coord(ox, a->w, o->w, l->aux, &x0, &x1, &wx);
      const float *tl = in0 + ((size_t)y0 * a->w + x0) * a->c, *tr = in0 + ((size_t)y0 * a->w + x1) * a->c;
      const float *bl = in0 + ((size_t)y1 * a->w + x0) * a->c, *br = in0 + ((size_t)y1 * a->w + x1) * a->c;
      for (int c = 0; c < o->c; c++) {
        int32_t t = (int32_t)tl[c] * 2048 + ((int32_t)tr[c] - (int32_t)tl[c]) * wx;
        int32_t b = (int32_t)bl[c] * 2048 + ((int32_t)br[c] - (int32_t)bl[c]) * wx;
        int32_t acc = t * 2048 + (b - t) * wy;
        out[((size_t)oy * o->w + ox) * o->c + c] = (float)((acc + (1 << 21)) >> 22);
      }
    }
  }
}

const pseg_op_def pseg_def_RESIZE_BILINEAR = {1, resize_check, NULL, NULL, NULL, resize_plan, bilinear_ref, bilinear_qref};
const pseg_op_def pseg_def_RESIZE_NEAREST = {1, resize_check, NULL, NULL, NULL, resize_plan, nearest_ref, kq_pass_ref};
