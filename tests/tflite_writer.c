/* Minimal TFLite flatbuffer writer for tests (see tflite_writer.h).
 *
 * Layout: a forward-writing builder. Every table is written as [vtable][table]: its vtable first,
 * then the table (soffset = table - vtable > 0), then its children, so every uoffset points
 * forward; a uoffset field is reserved with 0 and patched once its target has been written.
 * Scalars sit at their natural alignment relative to the start of the buffer, vectors of scalars at
 * their element size, buffer data (force_align: 16) at 16.
 *
 * Ids from tensorflow/lite/schema/schema.fbs:
 *   Model: version 0, operator_codes 1, subgraphs 2, description 3, buffers 4
 *   OperatorCode: deprecated_builtin_code:byte 0, custom_code 1, version 2, builtin_code:int 3
 *   SubGraph: tensors 0, inputs 1, outputs 2, operators 3, name 4
 *   Tensor: shape 0, type 1, buffer 2, name 3
 *   Operator: opcode_index 0, inputs 1, outputs 2, builtin_options_type 3, builtin_options 4,
 *             custom_options 5, custom_options_format 6
 *   Buffer: data 0
 *   BuiltinOptions union: Conv2DOptions 1, DepthwiseConv2DOptions 2, Pool2DOptions 5,
 *             SoftmaxOptions 9, AddOptions 11, ResizeBilinearOptions 15, MulOptions 21,
 *             ReducerOptions 27 */
#include "tflite_writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
  OPT_NONE = 0, OPT_CONV2D = 1, OPT_DEPTHWISE_CONV2D = 2, OPT_POOL2D = 5, OPT_SOFTMAX = 9, OPT_ADD = 11,
  OPT_RESIZE_BILINEAR = 15, OPT_MUL = 21, OPT_REDUCER = 27, OPT_TRANSPOSE_CONV = 49, OPT_SUB = 28, OPT_DIV = 29, OPT_CONCATENATION = 10,
  OPT_STRIDED_SLICE = 32, OPT_RESIZE_NEAREST = 74, OPT_FULLY_CONNECTED = 8
};

#define TFW_MAX_RANK 8
#define TFW_MAX_INPUTS 16
#define TFW_MAX_FIELDS 8

/* One table field: size 1 or 4 holds the scalar `v`; size 0 is a uoffset to be patched. */
typedef struct fld {
  int id;
  int size;
  uint32_t v;
} fld;

typedef struct ttensor {
  char *name;
  int type, rank, shape[TFW_MAX_RANK];
  uint32_t buffer;
  int nq, qdim, has_zp; /* quantization: nq scales (and zero points) */
  float *scales;
  int64_t *zps;
} ttensor;

typedef struct tbuf {
  uint8_t *data;
  size_t n;
} tbuf;

typedef struct topcode {
  int code;
  char *custom;
} topcode;

typedef struct top {
  uint32_t opcode;
  int in[TFW_MAX_INPUTS], nin, out;
  int opt_type, nopt;
  fld opt[TFW_MAX_FIELDS];
  uint8_t *custom;
  size_t ncustom;
} top;

struct tfw {
  ttensor *t;
  int nt, ct;
  tbuf *b; /* b[0] is the empty sentinel */
  int nb, cb;
  topcode *oc;
  int noc, coc;
  top *op;
  int nop, cop;
  int meta_buffer; /* > 0: the buffer holding the TFLITE_METADATA flatbuffer */
  int err;
};

static int grow(void **p, int *cap, int need, size_t elem) {
  if (need <= *cap) return 0;
  int nc = *cap ? *cap * 2 : 8;
  while (nc < need) nc *= 2;
  void *q = realloc(*p, (size_t)nc * elem);
  if (!q) return -1;
  memset((char *)q + (size_t)*cap * elem, 0, (size_t)(nc - *cap) * elem);
  *p = q;
  *cap = nc;
  return 0;
}

static char *dupstr(const char *s) {
  size_t n = strlen(s);
  char *d = malloc(n + 1);
  if (d) memcpy(d, s, n + 1);
  return d;
}

tfw *tfw_new(void) {
  tfw *w = calloc(1, sizeof *w);
  if (!w) return NULL;
  if (grow((void **)&w->b, &w->cb, 1, sizeof(tbuf))) {
    free(w);
    return NULL;
  }
  w->nb = 1; /* buffer 0: empty sentinel */
  return w;
}

void tfw_free(tfw *w) {
  if (!w) return;
  for (int i = 0; i < w->nt; i++) free(w->t[i].name), free(w->t[i].scales), free(w->t[i].zps);
  for (int i = 0; i < w->nb; i++) free(w->b[i].data);
  for (int i = 0; i < w->noc; i++) free(w->oc[i].custom);
  for (int i = 0; i < w->nop; i++) free(w->op[i].custom);
  free(w->t);
  free(w->b);
  free(w->oc);
  free(w->op);
  free(w);
}

static int fail(tfw *w) {
  w->err = 1;
  return -1;
}

int tfw_tensor(tfw *w, const char *name, int type, const int *shape, int rank, const void *data, size_t bytes) {
  if (!w || w->err) return -1;
  if (rank < 0 || rank > TFW_MAX_RANK || (rank > 0 && !shape) || (data && bytes == 0)) return fail(w);
  if (grow((void **)&w->t, &w->ct, w->nt + 1, sizeof(ttensor))) return fail(w);
  ttensor *t = &w->t[w->nt];
  memset(t, 0, sizeof *t);
  char tmp[32];
  if (!name) {
    snprintf(tmp, sizeof tmp, "t%d", w->nt);
    name = tmp;
  }
  if (!(t->name = dupstr(name))) return fail(w);
  t->type = type;
  t->rank = rank;
  for (int i = 0; i < rank; i++) t->shape[i] = shape[i];
  if (data) {
    if (grow((void **)&w->b, &w->cb, w->nb + 1, sizeof(tbuf))) {
      free(t->name);
      return fail(w);
    }
    uint8_t *d = malloc(bytes);
    if (!d) {
      free(t->name);
      return fail(w);
    }
    memcpy(d, data, bytes);
    w->b[w->nb].data = d;
    w->b[w->nb].n = bytes;
    t->buffer = (uint32_t)w->nb++;
  }
  return w->nt++;
}

int tfw_reshape_tensor(tfw *w, int t, const int *shape, int rank) {
  if (!w || w->err) return -1;
  if (t < 0 || t >= w->nt || rank < 0 || rank > TFW_MAX_RANK || (rank > 0 && !shape)) return fail(w);
  w->t[t].rank = rank;
  for (int i = 0; i < rank; i++) w->t[t].shape[i] = shape[i];
  return t;
}

int tfw_quantization(tfw *w, int t, const float *scales, const int64_t *zps, int n, int qdim) {
  if (!w || w->err) return -1;
  if (t < 0 || t >= w->nt || n < 0 || (n > 0 && !scales)) return fail(w);
  ttensor *tt = &w->t[t];
  free(tt->scales), free(tt->zps);
  tt->scales = NULL, tt->zps = NULL;
  tt->nq = n, tt->qdim = qdim, tt->has_zp = zps != NULL;
  if (n > 0) {
    tt->scales = malloc((size_t)n * sizeof(float)), tt->zps = calloc((size_t)n, sizeof(int64_t));
    if (!tt->scales || !tt->zps) return fail(w);
    memcpy(tt->scales, scales, (size_t)n * sizeof(float));
    if (zps) memcpy(tt->zps, zps, (size_t)n * sizeof(int64_t));
  }
  return t;
}

static int opcode_index(tfw *w, int code, const char *custom) {
  for (int i = 0; i < w->noc; i++) {
    if (w->oc[i].code != code) continue;
    if (!custom && !w->oc[i].custom) return i;
    if (custom && w->oc[i].custom && !strcmp(custom, w->oc[i].custom)) return i;
  }
  if (grow((void **)&w->oc, &w->coc, w->noc + 1, sizeof(topcode))) return -1;
  w->oc[w->noc].code = code;
  w->oc[w->noc].custom = NULL;
  if (custom && !(w->oc[w->noc].custom = dupstr(custom))) return -1;
  return w->noc++;
}

static int valid_tensor(tfw *w, int t) { return t >= 0 && t < w->nt; }

/* Adds an operator; opts/nopt describe its builtin options table (opt_type 0: none). */
static int add_op(tfw *w, int code, const char *custom, const int *in, int nin, int out, int opt_type,
                  const fld *opts, int nopt) {
  if (!w || w->err) return -1;
  if (nin < 0 || nin > TFW_MAX_INPUTS || nopt > TFW_MAX_FIELDS || !valid_tensor(w, out)) return fail(w);
  for (int i = 0; i < nin; i++)
    if (in[i] != -1 && !valid_tensor(w, in[i])) return fail(w);
  int oc = opcode_index(w, code, custom);
  if (oc < 0) return fail(w);
  if (grow((void **)&w->op, &w->cop, w->nop + 1, sizeof(top))) return fail(w);
  top *o = &w->op[w->nop];
  memset(o, 0, sizeof *o);
  o->opcode = (uint32_t)oc;
  o->nin = nin;
  for (int i = 0; i < nin; i++) o->in[i] = in[i];
  o->out = out;
  o->opt_type = opt_type;
  o->nopt = nopt;
  for (int i = 0; i < nopt; i++) o->opt[i] = opts[i];
  return w->nop++;
}

static uint32_t fbits(float f) {
  uint32_t v;
  memcpy(&v, &f, 4);
  return v;
}

static int conv_like(tfw *w, int dw, int in, int weights, int bias, int out, int padding, int sh, int sw, int act,
                     int dil_h, int dil_w) {
  if (!w || w->err) return -1;
  int ins[3] = {in, weights, bias};
  int nin = bias >= 0 ? 3 : 2;
  if (!dw) {
    fld o[] = {{0, 1, (uint32_t)padding}, {1, 4, (uint32_t)sw}, {2, 4, (uint32_t)sh}, {3, 1, (uint32_t)act},
               {4, 4, (uint32_t)dil_w}, {5, 4, (uint32_t)dil_h}};
    return add_op(w, TFW_OP_CONV_2D, NULL, ins, nin, out, OPT_CONV2D, o, 6);
  }
  if (!valid_tensor(w, in) || !valid_tensor(w, weights)) return fail(w);
  const ttensor *ti = &w->t[in], *tw = &w->t[weights];
  int ic = ti->rank == 4 ? ti->shape[3] : 0, wc = tw->rank == 4 ? tw->shape[3] : 0;
  int dm = ic > 0 && wc % ic == 0 ? wc / ic : 1;
  fld o[] = {{0, 1, (uint32_t)padding}, {1, 4, (uint32_t)sw}, {2, 4, (uint32_t)sh}, {3, 4, (uint32_t)dm},
             {4, 1, (uint32_t)act},     {5, 4, (uint32_t)dil_w}, {6, 4, (uint32_t)dil_h}};
  return add_op(w, TFW_OP_DEPTHWISE_CONV_2D, NULL, ins, nin, out, OPT_DEPTHWISE_CONV2D, o, 7);
}

int tfw_concat(tfw *w, const int *inputs, int nin, int out, int axis) {
  fld o[] = {{0, 4, (uint32_t)axis}, {1, 1, 0}};
  return add_op(w, TFW_OP_CONCATENATION, NULL, inputs, nin, out, OPT_CONCATENATION, o, 2);
}

int tfw_strided_slice(tfw *w, int in, int begin, int end, int strides, int out) {
  int ins[4] = {in, begin, end, strides};
  fld o[] = {{0, 4, 0}, {1, 4, 0}};
  return add_op(w, TFW_OP_STRIDED_SLICE, NULL, ins, 4, out, OPT_STRIDED_SLICE, o, 2);
}

int tfw_sub(tfw *w, int a, int b, int out) {
  int ins[2] = {a, b};
  fld o[] = {{0, 1, 0}};
  return add_op(w, TFW_OP_SUB, NULL, ins, 2, out, OPT_SUB, o, 1);
}

int tfw_div(tfw *w, int a, int b, int out) {
  int ins[2] = {a, b};
  fld o[] = {{0, 1, 0}};
  return add_op(w, TFW_OP_DIV, NULL, ins, 2, out, OPT_DIV, o, 1);
}

int tfw_reduce(tfw *w, int builtin_code, int in, int axes, int out, int keep_dims) {
  int ins[2] = {in, axes};
  fld o[] = {{0, 1, keep_dims ? 1u : 0u}};
  return add_op(w, builtin_code, NULL, ins, 2, out, OPT_REDUCER, o, 1);
}

int tfw_transpose_conv(tfw *w, int out_shape, int weights, int in, int out, int padding, int stride_h, int stride_w) {
  int ins[3] = {out_shape, weights, in};
  fld o[] = {{0, 1, (uint32_t)padding}, {1, 4, (uint32_t)stride_w}, {2, 4, (uint32_t)stride_h}};
  return add_op(w, TFW_OP_TRANSPOSE_CONV, NULL, ins, 3, out, OPT_TRANSPOSE_CONV, o, 3);
}

int tfw_transpose_conv_bias(tfw *w, int out_shape, int weights, int in, int bias, int out, int padding, int stride_h,
                            int stride_w) {
  int ins[4] = {out_shape, weights, in, bias};
  fld o[] = {{0, 1, (uint32_t)padding}, {1, 4, (uint32_t)stride_w}, {2, 4, (uint32_t)stride_h}};
  return add_op(w, TFW_OP_TRANSPOSE_CONV, NULL, ins, 4, out, OPT_TRANSPOSE_CONV, o, 3);
}

int tfw_conv2d_dilated(tfw *w, int dw, int in, int weights, int bias, int out, int padding, int dil_h, int dil_w) {
  return conv_like(w, dw, in, weights, bias, out, padding, 1, 1, TFW_ACT_NONE, dil_h, dil_w);
}

int tfw_conv2d(tfw *w, int in, int weights, int bias, int out, int padding, int stride_h, int stride_w, int fused_act) {
  return conv_like(w, 0, in, weights, bias, out, padding, stride_h, stride_w, fused_act, 1, 1);
}

int tfw_depthwise_conv2d(tfw *w, int in, int weights, int bias, int out, int padding, int stride_h, int stride_w,
                         int fused_act) {
  return conv_like(w, 1, in, weights, bias, out, padding, stride_h, stride_w, fused_act, 1, 1);
}

int tfw_add(tfw *w, int a, int b, int out, int fused_act) {
  int ins[2] = {a, b};
  fld o[] = {{0, 1, (uint32_t)fused_act}};
  return add_op(w, TFW_OP_ADD, NULL, ins, 2, out, OPT_ADD, o, 1);
}

int tfw_mul(tfw *w, int a, int b, int out, int fused_act) {
  int ins[2] = {a, b};
  fld o[] = {{0, 1, (uint32_t)fused_act}};
  return add_op(w, TFW_OP_MUL, NULL, ins, 2, out, OPT_MUL, o, 1);
}

int tfw_mean(tfw *w, int in, int axes, int out, int keep_dims) {
  int ins[2] = {in, axes};
  fld o[] = {{0, 1, keep_dims ? 1u : 0u}};
  return add_op(w, TFW_OP_MEAN, NULL, ins, 2, out, OPT_REDUCER, o, 1);
}

static int pool2d(tfw *w, int code, int in, int out, int filter_h, int filter_w, int stride_h, int stride_w, int padding) {
  fld o[] = {{0, 1, (uint32_t)padding},  {1, 4, (uint32_t)stride_w}, {2, 4, (uint32_t)stride_h},
             {3, 4, (uint32_t)filter_w}, {4, 4, (uint32_t)filter_h}, {5, 1, 0}};
  return add_op(w, code, NULL, &in, 1, out, OPT_POOL2D, o, 6);
}

int tfw_average_pool2d(tfw *w, int in, int out, int filter_h, int filter_w, int stride_h, int stride_w, int padding) {
  return pool2d(w, TFW_OP_AVERAGE_POOL_2D, in, out, filter_h, filter_w, stride_h, stride_w, padding);
}

int tfw_max_pool2d(tfw *w, int in, int out, int filter_h, int filter_w, int stride_h, int stride_w, int padding) {
  return pool2d(w, TFW_OP_MAX_POOL_2D, in, out, filter_h, filter_w, stride_h, stride_w, padding);
}

int tfw_resize_bilinear(tfw *w, int in, int size, int out, int align_corners, int half_pixel_centers) {
  int ins[2] = {in, size};
  /* ids 0 and 1 (new_height, new_width) are deprecated */
  fld o[] = {{2, 1, align_corners ? 1u : 0u}, {3, 1, half_pixel_centers ? 1u : 0u}};
  return add_op(w, TFW_OP_RESIZE_BILINEAR, NULL, ins, 2, out, OPT_RESIZE_BILINEAR, o, 2);
}

int tfw_resize_nearest(tfw *w, int in, int size, int out, int align_corners, int half_pixel_centers) {
  int ins[2] = {in, size};
  fld o[] = {{0, 1, align_corners ? 1u : 0u}, {1, 1, half_pixel_centers ? 1u : 0u}};
  return add_op(w, TFW_OP_RESIZE_NEAREST_NEIGHBOR, NULL, ins, 2, out, OPT_RESIZE_NEAREST, o, 2);
}

int tfw_fully_connected(tfw *w, int in, int weights, int bias, int out, int fused_act, int keep_num_dims) {
  int ins[3] = {in, weights, bias};
  fld o[] = {{0, 1, (uint32_t)fused_act}, {2, 1, keep_num_dims ? 1u : 0u}};
  return add_op(w, TFW_OP_FULLY_CONNECTED, NULL, ins, bias >= 0 ? 3 : 2, out, OPT_FULLY_CONNECTED, o, 2);
}

int tfw_softmax(tfw *w, int in, int out, float beta) {
  fld o[] = {{0, 4, fbits(beta)}};
  return add_op(w, TFW_OP_SOFTMAX, NULL, &in, 1, out, OPT_SOFTMAX, o, 1);
}

int tfw_dequantize(tfw *w, int in, int out) { return add_op(w, TFW_OP_DEQUANTIZE, NULL, &in, 1, out, OPT_NONE, NULL, 0); }

int tfw_simple(tfw *w, int builtin_code, int in, int out) {
  if (builtin_code < 0 || builtin_code == TFW_OP_CUSTOM) return w ? fail(w) : -1;
  return add_op(w, builtin_code, NULL, &in, 1, out, OPT_NONE, NULL, 0);
}

int tfw_op(tfw *w, int builtin_code, const int *inputs, int nin, int out) {
  if (builtin_code < 0 || builtin_code == TFW_OP_CUSTOM) return w ? fail(w) : -1;
  return add_op(w, builtin_code, NULL, inputs, nin, out, OPT_NONE, NULL, 0);
}

int tfw_custom(tfw *w, const char *custom_code, const int *inputs, int nin, int out, const uint8_t *custom_options,
               size_t nopt) {
  if (!w || w->err) return -1;
  if (!custom_code || (nopt && !custom_options)) return fail(w);
  int i = add_op(w, TFW_OP_CUSTOM, custom_code, inputs, nin, out, OPT_NONE, NULL, 0);
  if (i < 0 || !nopt) return i;
  uint8_t *c = malloc(nopt);
  if (!c) return fail(w);
  memcpy(c, custom_options, nopt);
  w->op[i].custom = c;
  w->op[i].ncustom = nopt;
  return i;
}

/* ---------------------------------------------------------------- serialization */

typedef struct bb {
  uint8_t *d;
  size_t n, cap;
  int err;
} bb;

static void bb_put(bb *b, const void *p, size_t n) {
  if (b->err) return;
  if (b->n + n > b->cap) {
    size_t nc = b->cap ? b->cap : 1024;
    while (nc < b->n + n) nc *= 2;
    uint8_t *q = realloc(b->d, nc);
    if (!q) {
      b->err = 1;
      return;
    }
    b->d = q;
    b->cap = nc;
  }
  if (p) memcpy(b->d + b->n, p, n);
  else memset(b->d + b->n, 0, n);
  b->n += n;
}

static void bb_u8(bb *b, uint32_t v) {
  uint8_t x = (uint8_t)v;
  bb_put(b, &x, 1);
}
static void bb_u16(bb *b, uint32_t v) {
  uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
  bb_put(b, x, 2);
}
static void bb_u32(bb *b, uint32_t v) {
  uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
  bb_put(b, x, 4);
}
static void bb_align(bb *b, size_t a) {
  while (!b->err && b->n % a) bb_u8(b, 0);
}
static void bb_set_u32(bb *b, size_t pos, uint32_t v) {
  if (b->err) return;
  b->d[pos] = (uint8_t)v;
  b->d[pos + 1] = (uint8_t)(v >> 8);
  b->d[pos + 2] = (uint8_t)(v >> 16);
  b->d[pos + 3] = (uint8_t)(v >> 24);
}
/* Point the uoffset at `field` to `target` (which lies after it). */
static void bb_patch(bb *b, size_t field, size_t target) {
  if (b->err) return;
  if (target <= field) {
    b->err = 1;
    return;
  }
  bb_set_u32(b, field, (uint32_t)(target - field));
}

/* Writes [vtable][table]; pos[i] receives the absolute position of field f[i]. Returns the table
 * position. 4-byte fields come first so that every field is naturally aligned. */
static size_t bb_table(bb *b, const fld *f, int n, size_t *pos) {
  int maxid = -1;
  uint16_t off[TFW_MAX_FIELDS];
  uint32_t tsize = 4;
  for (int pass = 0; pass < 2; pass++)
    for (int i = 0; i < n; i++) {
      int sz = f[i].size == 0 ? 4 : f[i].size;
      if ((pass == 0) != (sz == 4)) continue;
      off[i] = (uint16_t)tsize;
      tsize += (uint32_t)sz;
    }
  for (int i = 0; i < n; i++)
    if (f[i].id > maxid) maxid = f[i].id;
  uint32_t vsize = 4 + 2 * (uint32_t)(maxid + 1);
  bb_align(b, 2);
  size_t vt = b->n;
  bb_u16(b, vsize);
  bb_u16(b, tsize);
  for (int id = 0; id <= maxid; id++) {
    uint16_t o = 0;
    for (int i = 0; i < n; i++)
      if (f[i].id == id) o = off[i];
    bb_u16(b, o);
  }
  bb_align(b, 4);
  size_t table = b->n;
  bb_u32(b, (uint32_t)(table - vt)); /* soffset: vtable = table - soffset */
  for (int pass = 0; pass < 2; pass++)
    for (int i = 0; i < n; i++) {
      int sz = f[i].size == 0 ? 4 : f[i].size;
      if ((pass == 0) != (sz == 4)) continue;
      if (pos) pos[i] = b->n;
      if (sz == 4) bb_u32(b, f[i].size == 0 ? 0 : f[i].v);
      else bb_u8(b, f[i].v);
    }
  return table;
}

/* Vector of `count` elements of `elem` bytes whose elements start at a multiple of `align`
 * (>= 4). data NULL: zero-filled (uoffset slots to patch). Returns the position of the length. */
static size_t bb_vector(bb *b, const void *data, size_t elem, size_t count, size_t align) {
  bb_align(b, 4);
  while (!b->err && (b->n + 4) % align) bb_u32(b, 0);
  size_t v = b->n;
  bb_u32(b, (uint32_t)count);
  if (elem == 4 && data) {
    const uint32_t *p = data; /* convert to little endian explicitly */
    for (size_t i = 0; i < count; i++) bb_u32(b, p[i]);
  } else {
    bb_put(b, data, elem * count);
  }
  return v;
}

static size_t bb_string(bb *b, const char *s) {
  size_t n = strlen(s);
  size_t v = bb_vector(b, s, 1, n, 4);
  bb_u8(b, 0);
  return v;
}

static size_t bb_ints(bb *b, const int *p, int n) {
  uint32_t tmp[TFW_MAX_INPUTS > TFW_MAX_RANK ? TFW_MAX_INPUTS : TFW_MAX_RANK];
  for (int i = 0; i < n; i++) tmp[i] = (uint32_t)p[i];
  return bb_vector(b, tmp, 4, (size_t)n, 4);
}

/* TFLite metadata (tensorflow_lite_support's metadata_schema.fbs, identifier "M001"):
 * ModelMetadata.subgraph_metadata (3)[0].input_tensor_metadata (2)[0].process_units (4)[0], a
 * ProcessUnit whose options (type 0, value 1) are NormalizationOptions (1): mean (0), std (1). */
int tfw_metadata_normalization(tfw *w, const float *mean, int nmean, const float *std, int nstd) {
  if (!w || w->err) return -1;
  if (nmean < 0 || nstd < 0 || (nmean && !mean) || (nstd && !std)) return fail(w);
  bb m = {0};
  size_t p[2];
  bb_u32(&m, 0);
  bb_put(&m, "M001", 4);
  fld mm[] = {{3, 0, 0}}, sg[] = {{2, 0, 0}}, tm[] = {{4, 0, 0}}, pu[] = {{0, 1, 1}, {1, 0, 0}}, no[] = {{0, 0, 0}, {1, 0, 0}};
  size_t t = bb_table(&m, mm, 1, p);
  bb_patch(&m, 0, t);
  size_t v = bb_vector(&m, NULL, 4, 1, 4);
  bb_patch(&m, p[0], v);
  t = bb_table(&m, sg, 1, p);
  bb_patch(&m, v + 4, t);
  v = bb_vector(&m, NULL, 4, 1, 4);
  bb_patch(&m, p[0], v);
  t = bb_table(&m, tm, 1, p);
  bb_patch(&m, v + 4, t);
  v = bb_vector(&m, NULL, 4, 1, 4);
  bb_patch(&m, p[0], v);
  t = bb_table(&m, pu, 2, p);
  bb_patch(&m, v + 4, t);
  size_t opt = p[1];
  t = bb_table(&m, no, 2, p);
  bb_patch(&m, opt, t);
  size_t f_std = p[1];
  bb_patch(&m, p[0], bb_vector(&m, mean, 4, (size_t)nmean, 4));
  bb_patch(&m, f_std, bb_vector(&m, std, 4, (size_t)nstd, 4));
  if (m.err || grow((void **)&w->b, &w->cb, w->nb + 1, sizeof(tbuf))) {
    free(m.d);
    return fail(w);
  }
  w->b[w->nb].data = m.d;
  w->b[w->nb].n = m.n;
  w->meta_buffer = w->nb++;
  return 0;
}

int tfw_finish(tfw *w, int input, int output, uint8_t **out, size_t *size) {
  if (!w || !out || !size) return -1;
  *out = NULL;
  *size = 0;
  if (w->err || !valid_tensor(w, input) || !valid_tensor(w, output)) return -1;
  bb b = {0};
  size_t fp[TFW_MAX_FIELDS] = {0};

  bb_u32(&b, 0); /* root uoffset, patched below */
  bb_put(&b, "TFL3", 4);

  /* Model */
  fld model[] = {{0, 4, 3}, {1, 0, 0}, {2, 0, 0}, {4, 0, 0}, {6, 0, 0}};
  size_t mt = bb_table(&b, model, w->meta_buffer > 0 ? 5 : 4, fp);
  size_t f_opc = fp[1], f_sg = fp[2], f_buf = fp[3], f_meta = fp[4];
  bb_patch(&b, 0, mt);

  /* operator_codes */
  size_t v = bb_vector(&b, NULL, 4, (size_t)w->noc, 4);
  bb_patch(&b, f_opc, v);
  for (int i = 0; i < w->noc; i++) {
    int code = w->oc[i].code;
    fld f[4];
    int n = 0;
    f[n++] = (fld){0, 1, (uint32_t)(code < 127 ? code : 127)}; /* deprecated_builtin_code */
    if (w->oc[i].custom) f[n++] = (fld){1, 0, 0};
    f[n++] = (fld){2, 4, 1};              /* version */
    f[n++] = (fld){3, 4, (uint32_t)code}; /* builtin_code */
    size_t t = bb_table(&b, f, n, fp);
    bb_patch(&b, v + 4 + 4 * (size_t)i, t);
    if (w->oc[i].custom) bb_patch(&b, fp[1], bb_string(&b, w->oc[i].custom));
  }

  /* subgraphs: one */
  v = bb_vector(&b, NULL, 4, 1, 4);
  bb_patch(&b, f_sg, v);
  fld sgf[] = {{0, 0, 0}, {1, 0, 0}, {2, 0, 0}, {3, 0, 0}, {4, 0, 0}};
  size_t sgp[5];
  size_t sg = bb_table(&b, sgf, 5, sgp);
  bb_patch(&b, v + 4, sg);

  v = bb_vector(&b, NULL, 4, (size_t)w->nt, 4);
  bb_patch(&b, sgp[0], v);
  for (int i = 0; i < w->nt; i++) {
    const ttensor *t = &w->t[i];
    fld f[] = {{0, 0, 0}, {1, 1, (uint32_t)t->type}, {2, 4, t->buffer}, {3, 0, 0}, {4, 0, 0}};
    size_t tt = bb_table(&b, f, t->nq > 0 ? 5 : 4, fp);
    size_t f_shape = fp[0], f_name = fp[3], f_q = fp[4];
    bb_patch(&b, v + 4 + 4 * (size_t)i, tt);
    bb_patch(&b, f_shape, bb_ints(&b, t->shape, t->rank));
    bb_patch(&b, f_name, bb_string(&b, t->name));
    if (t->nq > 0) { /* QuantizationParameters: scale (2), zero_point (3), quantized_dimension (6) */
      fld qf[] = {{2, 0, 0}, {6, 4, (uint32_t)t->qdim}, {3, 0, 0}};
      size_t qp[3];
      size_t qt = bb_table(&b, qf, t->has_zp ? 3 : 2, qp);
      bb_patch(&b, f_q, qt);
      bb_patch(&b, qp[0], bb_vector(&b, t->scales, 4, (size_t)t->nq, 4));
      if (t->has_zp) {
        uint8_t *z = malloc((size_t)t->nq * 8);
        if (!z) {
          b.err = 1;
          break;
        }
        for (int k = 0; k < t->nq; k++)
          for (int j = 0; j < 8; j++) z[8 * k + j] = (uint8_t)((uint64_t)t->zps[k] >> (8 * j));
        bb_patch(&b, qp[2], bb_vector(&b, z, 8, (size_t)t->nq, 8));
        free(z);
      }
    }
  }
  bb_patch(&b, sgp[1], bb_ints(&b, &input, 1));
  bb_patch(&b, sgp[2], bb_ints(&b, &output, 1));

  v = bb_vector(&b, NULL, 4, (size_t)w->nop, 4);
  bb_patch(&b, sgp[3], v);
  for (int i = 0; i < w->nop; i++) {
    const top *o = &w->op[i];
    fld f[5];
    int n = 0;
    f[n++] = (fld){0, 4, o->opcode};
    f[n++] = (fld){1, 0, 0};
    f[n++] = (fld){2, 0, 0};
    int has_opt = o->opt_type != OPT_NONE, has_custom = o->ncustom > 0;
    if (has_opt) {
      f[n++] = (fld){3, 1, (uint32_t)o->opt_type};
      f[n++] = (fld){4, 0, 0};
    }
    if (has_custom) f[n++] = (fld){5, 0, 0};
    size_t opos[5];
    size_t ot = bb_table(&b, f, n, opos);
    bb_patch(&b, v + 4 + 4 * (size_t)i, ot);
    bb_patch(&b, opos[1], bb_ints(&b, o->in, o->nin));
    bb_patch(&b, opos[2], bb_ints(&b, &o->out, 1));
    if (has_opt) bb_patch(&b, opos[4], bb_table(&b, o->opt, o->nopt, NULL));
    if (has_custom) bb_patch(&b, opos[n - 1], bb_vector(&b, o->custom, 1, o->ncustom, 4));
  }
  bb_patch(&b, sgp[4], bb_string(&b, "main"));

  /* buffers; buffer 0 is the empty sentinel */
  v = bb_vector(&b, NULL, 4, (size_t)w->nb, 4);
  bb_patch(&b, f_buf, v);
  for (int i = 0; i < w->nb; i++) {
    if (!w->b[i].data) {
      bb_patch(&b, v + 4 + 4 * (size_t)i, bb_table(&b, NULL, 0, NULL));
      continue;
    }
    fld f[] = {{0, 0, 0}};
    size_t bt = bb_table(&b, f, 1, fp);
    bb_patch(&b, v + 4 + 4 * (size_t)i, bt);
    bb_patch(&b, fp[0], bb_vector(&b, w->b[i].data, 1, w->b[i].n, 16));
  }
  if (w->meta_buffer > 0) { /* metadata: one entry, TFLITE_METADATA, naming its buffer */
    v = bb_vector(&b, NULL, 4, 1, 4);
    bb_patch(&b, f_meta, v);
    fld mf[] = {{0, 0, 0}, {1, 4, (uint32_t)w->meta_buffer}};
    size_t mp[2];
    size_t t = bb_table(&b, mf, 2, mp);
    bb_patch(&b, v + 4, t);
    bb_patch(&b, mp[0], bb_string(&b, "TFLITE_METADATA"));
  }
  bb_align(&b, 16);

  if (b.err) {
    free(b.d);
    return -1;
  }
  *out = b.d;
  *size = b.n;
  return 0;
}

/* ---------------------------------------------------------------- helpers */

uint16_t tfw_f32_to_f16(float f) {
  uint32_t x = fbits(f);
  uint32_t sign = (x >> 16) & 0x8000u, e = (x >> 23) & 0xffu, m = x & 0x7fffffu;
  if (e == 0xff) return (uint16_t)(sign | 0x7c00u | (m ? 0x200u : 0));
  int he = (int)e - 127 + 15;
  if (he >= 31) return (uint16_t)(sign | 0x7c00u);
  if (he <= 0) { /* subnormal half (or zero) */
    if (he < -10) return (uint16_t)sign;
    m |= 0x800000u;
    int shift = 14 - he;
    uint32_t hm = m >> shift, rem = m & ((1u << shift) - 1), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (hm & 1))) hm++;
    return (uint16_t)(sign | hm);
  }
  uint32_t hm = m >> 13, rem = m & 0x1fffu;
  uint32_t h = sign | (uint32_t)he << 10 | hm;
  if (rem > 0x1000u || (rem == 0x1000u && (hm & 1))) h++; /* a carry may round up into the exponent */
  return (uint16_t)h;
}

int tfw_write_file(const char *path, const uint8_t *data, size_t size) {
  FILE *fp = fopen(path, "wb");
  if (!fp) return -1;
  size_t k = fwrite(data, 1, size, fp);
  if (fclose(fp) != 0 || k != size) return -1;
  return 0;
}
