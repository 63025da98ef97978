/* The op -> family table: weight packing, dispatch planning and the CPU model runner. */
#include "kernels.h"

#include <stdlib.h>
#include <string.h>

/* Family entry points (kernels/<family>.c). */
size_t conv_packed(int o, int kh, int kw, int i, size_t *bias_floats);
void conv_pack(int o, int kh, int kw, int i, const float *w, const float *b, float *wdst, float *bdst);
void conv_plan(const pseg_fmt_layer *l, kshape in, kshape out, int wide, kdispatch *d);
size_t dwconv_packed(int c, int kh, int kw, size_t *bias_floats);
void dwconv_pack(int c, int kh, int kw, const float *w, const float *b, float *wdst, float *bdst);
void dwconv_plan(const pseg_fmt_layer *l, kshape in, kshape out, int wide, kdispatch *d);
void prelu_plan(const pseg_fmt_layer *l, kshape in, int wide, kdispatch *d);
void prelu_pack_identity(int c, float *wdst, float *bdst);
void mean_plan(const pseg_fmt_layer *l, kshape in, kshape out, kdispatch *d);
void binary_plan(const pseg_fmt_layer *l, kshape out, kdispatch *d);
void resize_plan(const pseg_fmt_layer *l, kshape in, kshape out, kdispatch *d);
void softmax_plan(kshape out, kdispatch *d);
void reduce_plan(const pseg_fmt_layer *l, kshape in, kdispatch *d);
void copy_plan(const pseg_fmt_layer *l, kshape in0, kshape in1, kshape out, kdispatch *d);
void maxpool_plan(const pseg_fmt_layer *l, kshape in, kshape out, kdispatch *d);
void conv_gpu(const kdispatch *d, int batch, kdispatch *g);
void dwconv_gpu(const kdispatch *d, int batch, kdispatch *g);
void pool_gpu(const kdispatch *d, int batch, kdispatch *g);
void binary_gpu(const kdispatch *d, int batch, kdispatch *g);
void resize_gpu(const kdispatch *d, int batch, kdispatch *g);
void softmax_gpu(const kdispatch *d, int batch, kdispatch *g);

int kernel_pow2_floor(int v) {
  int p = 1;
  while (p * 2 <= v) p *= 2;
  return p;
}

void kernel_groups_1d(uint32_t groups[3], uint32_t n, int batch) {
  if (!n) n = 1;
  groups[0] = n < 65535 ? n : 65535;
  groups[1] = (n + groups[0] - 1) / groups[0];
  groups[2] = (uint32_t)batch;
}

void kernel_grid_1d(kdispatch *g, uint32_t n, int batch) { kernel_groups_1d(g->groups, n, batch); }

int kernel_gpu(const kdispatch *d, int batch, kdispatch *g) {
  *g = *d;
  for (int k = KG_TP; k < PSEG_MAX_SPEC; k++) g->spec[k] = 0; /* the CPU tiers' folded squeeze-excite */
  g->spec[PSEG_SPEC_LSX] = 0;                                   /* and grid: not the GPU tier's */
  g->scratch = 0;
  switch (d->shader) {
  case PSEG_SHADER_CONV: conv_gpu(d, batch, g); return 0;
  case PSEG_SHADER_DWCONV: dwconv_gpu(d, batch, g); return 0;
  case PSEG_SHADER_SE_FC:
  case PSEG_SHADER_MEAN: pool_gpu(d, batch, g); return 0;
  case PSEG_SHADER_BINARY: binary_gpu(d, batch, g); return 0;
  case PSEG_SHADER_RESIZE: resize_gpu(d, batch, g); return 0;
  case PSEG_SHADER_SOFTMAX: softmax_gpu(d, batch, g); return 0;
  default: return -1;
  }
}

size_t kernel_packed_weights(const pseg_fmt_layer *l, kshape in, kshape out, size_t *bias_floats) {
  *bias_floats = 0;
  switch (l->op) {
  case PSEG_OP_CONV2D:
  case PSEG_OP_TCONV2D: return conv_packed(out.c, l->kh, l->kw, in.c, bias_floats);
  case PSEG_OP_DWCONV2D: return dwconv_packed(in.c, l->kh, l->kw, bias_floats);
  case PSEG_OP_PRELU: return dwconv_packed(in.c, 1, 1, bias_floats); /* the identity (prelu_plan) */
  default: return 0;
  }
}

void kernel_pack(const pseg_fmt_layer *l, kshape in, kshape out, const float *w, const float *b, float *wdst,
                 float *bdst) {
  switch (l->op) {
  case PSEG_OP_CONV2D:
  case PSEG_OP_TCONV2D: conv_pack(out.c, l->kh, l->kw, in.c, w, b, wdst, bdst); break;
  case PSEG_OP_DWCONV2D: dwconv_pack(in.c, l->kh, l->kw, w, b, wdst, bdst); break;
  case PSEG_OP_PRELU: prelu_pack_identity(in.c, wdst, bdst); break;
  default: break;
  }
}

void kernel_set_grid(kdispatch *d, int pixels, int lanes) {
  d->spec[PSEG_SPEC_LSX] = lanes;
  d->groups[0] = (uint32_t)((pixels + lanes - 1) / lanes);
  d->groups[1] = 1;
}

int kernel_plan(const pseg_fmt_layer *l, kshape in0, kshape in1, kshape out, int wide, kdispatch *d) {
  switch (l->op) {
  case PSEG_OP_CONCAT:
  case PSEG_OP_SLICE: copy_plan(l, in0, in1, out, d); return 0;
  case PSEG_OP_MAXPOOL: maxpool_plan(l, in0, out, d); return 0;
  case PSEG_OP_CONV2D:
  case PSEG_OP_TCONV2D: conv_plan(l, in0, out, wide, d); return 0;
  case PSEG_OP_DWCONV2D: dwconv_plan(l, in0, out, wide, d); return 0;
  case PSEG_OP_PRELU: prelu_plan(l, in0, wide, d); return 0;
  case PSEG_OP_MEAN: mean_plan(l, in0, out, d); return 0;
  case PSEG_OP_ADD:
  case PSEG_OP_MUL:
  case PSEG_OP_ACT:
  case PSEG_OP_SUB:
  case PSEG_OP_DIV: binary_plan(l, out, d); return 0;
  case PSEG_OP_REDUCE:
    if (l->act != PSEG_ACT_NONE) return -1;
    reduce_plan(l, in0, d);
    return 0;
  case PSEG_OP_RESIZE_BILINEAR:
  case PSEG_OP_RESIZE_NEAREST: resize_plan(l, in0, out, d); return 0;
  case PSEG_OP_SOFTMAX:
    if (l->act != PSEG_ACT_NONE) return -1;
    softmax_plan(out, d);
    return 0;
  default: return -1;
  }
}

static float *load_weights(const pseg_fmt_model *m, int32_t off, size_t n, int wtype) {
  if (off < 0) return NULL;
  float *w = malloc((n ? n : 1) * sizeof(float));
  if (w) pseg_fmt_read_values(m, off, n, wtype, w);
  return w;
}

int ref_run_model(const pseg_fmt_model *m, const float *input, float **t) {
  for (uint32_t i = 0; i < m->n_tensors; i++) t[i] = NULL;
  const pseg_fmt_tensor *ti = &m->tensors[m->input];
  size_t nin = (size_t)ti->h * ti->w * ti->c;
  if (!(t[m->input] = malloc(nin * sizeof(float)))) return -1;
  memcpy(t[m->input], input, nin * sizeof(float));
  for (uint32_t i = 0; i < m->n_layers; i++) {
    const pseg_fmt_layer *l = &m->layers[i];
    const pseg_fmt_tensor *a = &m->tensors[l->in0], *o = &m->tensors[l->out];
    kshape as = {a->h, a->w, a->c}, os = {o->h, o->w, o->c};
    if (!(t[l->out] = malloc((size_t)o->h * o->w * o->c * sizeof(float)))) return -1;
    size_t wc, bc;
    float *w = NULL, *b = NULL;
    if (pseg_fmt_weight_count(m, l, &wc, &bc)) {
      w = load_weights(m, l->w_off, wc, l->wtype);
      b = load_weights(m, l->b_off, bc, l->wtype);
      if (!w) return free(b), -1;
    }
    switch (l->op) {
    case PSEG_OP_CONV2D:
      ref_conv2d(t[l->in0], as, w, b, l->kh, l->kw, l->sh, l->sw, l->pad_top, l->pad_left, l->aux, l->act, t[l->out], os);
      break;
    case PSEG_OP_DWCONV2D:
      ref_dwconv2d(t[l->in0], as, w, b, l->kh, l->kw, l->sh, l->sw, l->pad_top, l->pad_left, l->aux, l->act, t[l->out], os);
      break;
    case PSEG_OP_TCONV2D:
      ref_tconv2d(t[l->in0], as, w, b, l->kh, l->kw, l->sh, l->sw, l->pad_top, l->pad_left, l->act, t[l->out], os);
      break;
    case PSEG_OP_MEAN: ref_mean(t[l->in0], as, l->act, t[l->out]); break;
    case PSEG_OP_ADD:
    case PSEG_OP_MUL:
    case PSEG_OP_ACT:
    case PSEG_OP_SUB:
    case PSEG_OP_DIV:
      ref_binary(t[l->in0], l->in1 >= 0 ? t[l->in1] : NULL, os, l->op, l->aux, l->act, t[l->out]);
      break;
    case PSEG_OP_RESIZE_BILINEAR: ref_resize_bilinear(t[l->in0], as, t[l->out], os, l->aux, l->act); break;
    case PSEG_OP_RESIZE_NEAREST: ref_resize_nearest(t[l->in0], as, t[l->out], os, l->aux, l->act); break;
    case PSEG_OP_SOFTMAX: ref_softmax(t[l->in0], as, t[l->out]); break;
    case PSEG_OP_PRELU: ref_prelu(t[l->in0], as, w, t[l->out]); break;
    case PSEG_OP_REDUCE: ref_reduce(t[l->in0], as, l->aux, t[l->out]); break;
    case PSEG_OP_MAXPOOL:
      ref_maxpool(t[l->in0], as, l->kh, l->kw, l->sh, l->sw, l->pad_top, l->pad_left, l->act, t[l->out], os);
      break;
    case PSEG_OP_CONCAT:
    case PSEG_OP_SLICE: {
      const pseg_fmt_tensor *bt = &m->tensors[l->in1 >= 0 ? l->in1 : l->in0];
      ref_copy(t[l->in0], as, l->in1 >= 0 ? t[l->in1] : NULL, (kshape){bt->h, bt->w, bt->c}, l->op, l->aux, l->act,
               t[l->out], os);
      break;
    }
    }
    free(w);
    free(b);
  }
  return 0;
}

