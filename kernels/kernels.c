/* The op -> family table: weight packing, dispatch planning and the CPU model runner. */
#include "kernels.h"

#include <stdlib.h>
#include <string.h>

/* The GPU tier's entry points (kernels/<family>.c). */
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

int kernel_batch_tile(int tp1, int per, int npix, int batch, int cap) {
  int tp = kernel_pow2_floor(256 / (per > 0 ? per : 1));
  if (tp > cap) tp = cap;
  while (tp > tp1 && (tp / 2 >= npix || (long)((npix + tp - 1) / tp) * batch < 1024)) tp /= 2;
  return tp > tp1 ? tp : tp1;
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
  const pseg_op_def *d = pseg_op_def_of(l->op);
  *bias_floats = 0;
  return d && d->packed ? d->packed(l, in, out, bias_floats) : 0;
}

void kernel_pack(const pseg_fmt_layer *l, kshape in, kshape out, const float *w, const float *b, float *wdst,
                 float *bdst) {
  const pseg_op_def *d = pseg_op_def_of(l->op);
  if (d && d->pack) d->pack(l, in, out, w, b, wdst, bdst);
}

void kernel_set_grid(kdispatch *d, int pixels, int lanes) {
  d->spec[PSEG_SPEC_LSX] = lanes;
  d->groups[0] = (uint32_t)((pixels + lanes - 1) / lanes);
  d->groups[1] = 1;
}

int kernel_plan(const pseg_fmt_layer *l, kshape in0, kshape in1, kshape out, int wide, kdispatch *d) {
  const pseg_op_def *def = pseg_op_def_of(l->op);
  return def && def->plan ? def->plan(l, in0, in1, out, wide, d) : -1;
}

static const pseg_op_def *const op_defs[] = {
#define PSEG_OP_DEF_ENTRY(name, value, str) [value] = &pseg_def_##name,
    PSEG_OP_MAP(PSEG_OP_DEF_ENTRY)
#undef PSEG_OP_DEF_ENTRY
};

const pseg_op_def *pseg_op_def_of(int op) {
  return op >= 0 && (size_t)op < sizeof op_defs / sizeof *op_defs ? op_defs[op] : NULL;
}

const char *kernel_check_window(const pseg_fmt_layer *l, kshape a, kshape o, int dilation, const char *bad_size) {
  if (l->kh < 1 || l->kw < 1 || l->kh > PSEG_FMT_MAX_KERNEL || l->kw > PSEG_FMT_MAX_KERNEL) return bad_size;
  if (l->sh < 1 || l->sw < 1 || l->sh > 8 || l->sw > 8) return "bad stride";
  int eh = l->kh, ew = l->kw;
  if (dilation) { /* aux: rows | columns << 8 (0: 1) */
    if (l->aux < 0 || l->aux > 0xffff || (l->aux & 255) > 32 || (l->aux >> 8) > 32) return "bad dilation";
    eh = kernel_dil_h(l->aux) * (l->kh - 1) + 1, ew = kernel_dil_w(l->aux) * (l->kw - 1) + 1;
  }
  if (l->pad_top < 0 || l->pad_left < 0 || l->pad_top >= eh || l->pad_left >= ew) return "bad padding";
  if ((int64_t)(o.h - 1) * l->sh - l->pad_top >= a.h || (int64_t)(o.w - 1) * l->sw - l->pad_left >= a.w)
    return "output larger than the input allows";
  return NULL;
}

static float *load_weights(const pseg_fmt_model *m, int32_t off, size_t n, int wtype) {
  if (off < 0) return NULL;
  float *w = malloc((n ? n : 1) * sizeof(float));
  if (w) pseg_fmt_read_values(m, off, n, wtype, w);
  return w;
}

static void round_half(float *v, size_t n) {
  for (size_t k = 0; v && k < n; k++) v[k] = pseg_half_to_float(pseg_float_to_half(v[k]));
}

int ref_run_model(const pseg_fmt_model *m, const float *input, float **t) { return ref_run_model_prec(m, input, t, 0); }

int ref_run_model_prec(const pseg_fmt_model *m, const float *input, float **t, int prec) {
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
    const pseg_op_def *qd = pseg_op_def_of(l->op);
    if (o->quant > 0 || l->op == PSEG_OP_DEQUANTIZE) { /* an integer layer */
      if (!qd || !qd->qref) return -1;
      qd->qref(m, l, t[l->in0], l->in1 >= 0 ? t[l->in1] : NULL, t[l->out]);
      continue;
    }
    size_t wc, bc;
    float *w = NULL, *b = NULL;
    if (pseg_fmt_weight_count(m, l, &wc, &bc)) {
      w = load_weights(m, l->w_off, wc, l->wtype);
      b = load_weights(m, l->b_off, bc, l->wtype);
      if (!w) return free(b), -1;
      if (prec) round_half(w, wc), round_half(b, bc);
    }
    const pseg_op_def *def = pseg_op_def_of(l->op);
    const pseg_fmt_tensor *bt = &m->tensors[l->in1 >= 0 ? l->in1 : l->in0];
    if (def && def->ref)
      def->ref(l, t[l->in0], as, l->in1 >= 0 ? t[l->in1] : NULL, (kshape){bt->h, bt->w, bt->c}, w, b, t[l->out], os);
    free(w);
    free(b);
    if (prec == 2) round_half(t[l->out], (size_t)o->h * o->w * o->c);
  }
  return 0;
}

