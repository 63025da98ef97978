/* TFLite flatbuffer reader and converter to .pseg.
 *
 * The reader is written against the TFLite schema (schema.fbs) and checks every offset, length
 * and index against the buffer before it is used: a corrupt file produces an error, never a read
 * outside the buffer. */
#define _POSIX_C_SOURCE 200809L
#include "convert.h"
#include "outfile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------------------------------------------------------------- flatbuffer access */

typedef struct fb {
  const uint8_t *d;
  size_t n;
  int bad; /* set on the first out-of-range access */
} fb;

static uint32_t fb_u32(fb *f, size_t pos) {
  if (f->bad || pos > f->n || f->n - pos < 4) return f->bad = 1, 0;
  const uint8_t *p = f->d + pos;
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint16_t fb_u16(fb *f, size_t pos) {
  if (f->bad || pos > f->n || f->n - pos < 2) return f->bad = 1, 0;
  return (uint16_t)(f->d[pos] | f->d[pos + 1] << 8);
}
static uint8_t fb_u8(fb *f, size_t pos) {
  if (f->bad || pos >= f->n) return f->bad = 1, 0;
  return f->d[pos];
}

/* Absolute position of field `id` of the table at `table`, or 0 when absent. */
static size_t fb_field(fb *f, size_t table, int id) {
  if (f->bad || table == 0) return 0;
  int64_t vt = (int64_t)table - (int32_t)fb_u32(f, table);
  if (f->bad || vt < 0 || (uint64_t)vt + 4 > f->n) return f->bad = 1, 0;
  uint16_t vsize = fb_u16(f, (size_t)vt), tsize = fb_u16(f, (size_t)vt + 2);
  if (f->bad || vsize < 4 || (vsize & 1) || (uint64_t)vt + vsize > f->n || (uint64_t)table + tsize > f->n)
    return f->bad = 1, 0;
  if (4u + 2u * (unsigned)id + 2u > vsize) return 0;
  uint16_t off = fb_u16(f, (size_t)vt + 4 + 2 * (size_t)id);
  if (off == 0) return 0;
  if (off >= tsize) return f->bad = 1, 0;
  return table + off;
}

static int64_t fb_int(fb *f, size_t table, int id, int bytes, int64_t def) {
  size_t p = fb_field(f, table, id);
  if (!p) return def;
  if (bytes == 1) return (int8_t)fb_u8(f, p);
  if (bytes == 2) return (int16_t)fb_u16(f, p);
  return (int32_t)fb_u32(f, p);
}
static uint64_t fb_u64field(fb *f, size_t table, int id) {
  size_t p = fb_field(f, table, id);
  if (!p) return 0;
  return (uint64_t)fb_u32(f, p) | (uint64_t)fb_u32(f, p + 4) << 32;
}

/* Follow the uoffset stored at pos. */
static size_t fb_deref(fb *f, size_t pos) {
  uint32_t o = fb_u32(f, pos);
  if (f->bad) return 0;
  uint64_t t = (uint64_t)pos + o;
  if (o == 0 || t >= f->n) return f->bad = 1, 0;
  return (size_t)t;
}

static size_t fb_table(fb *f, size_t table, int id) {
  size_t p = fb_field(f, table, id);
  return p ? fb_deref(f, p) : 0;
}

/* Vector field: start of its elements and its length. Returns 0 when absent. */
static int fb_vector(fb *f, size_t table, int id, size_t elem, size_t *start, uint32_t *len) {
  *start = 0;
  *len = 0;
  size_t v = fb_table(f, table, id);
  if (!v) return 0;
  uint32_t n = fb_u32(f, v);
  if (f->bad || (uint64_t)v + 4 + (uint64_t)n * elem > f->n) return f->bad = 1, 0;
  *start = v + 4;
  *len = n;
  return 1;
}

/* Element i of a vector of tables. */
static size_t fb_vec_table(fb *f, size_t start, uint32_t i) { return fb_deref(f, start + 4 * (size_t)i); }

/* String field copied into out (truncated). */
static void fb_string(fb *f, size_t table, int id, char *out, size_t outlen) {
  size_t s;
  uint32_t n;
  out[0] = 0;
  if (!fb_vector(f, table, id, 1, &s, &n)) return;
  size_t k = n < outlen - 1 ? n : outlen - 1;
  for (size_t i = 0; i < k; i++) {
    char c = (char)f->d[s + i];
    out[i] = (c >= 32 && c < 127) ? c : '?';
  }
  out[k] = 0;
}

/* ---------------------------------------------------------------- TFLite schema facts */

enum {
  TFL_ADD = 0, TFL_AVERAGE_POOL_2D = 1, TFL_CONV_2D = 3, TFL_DEPTHWISE_CONV_2D = 4, TFL_DEQUANTIZE = 6,
  TFL_LOGISTIC = 14, TFL_MUL = 18, TFL_RELU = 19, TFL_RELU6 = 21, TFL_RESIZE_BILINEAR = 23,
  TFL_SOFTMAX = 25, TFL_CUSTOM = 32, TFL_MEAN = 40, TFL_HARD_SWISH = 117, TFL_RESHAPE = 22, TFL_PAD = 34,
  TFL_PADV2 = 60, TFL_TANH = 28, TFL_STRIDED_SLICE = 45, TFL_TRANSPOSE_CONV = 67, TFL_EXP = 47,
  TFL_SUB = 41, TFL_DIV = 42, TFL_SUM = 74, TFL_REDUCE_MAX = 82, TFL_CONCATENATION = 2, TFL_MAX_POOL_2D = 17, TFL_PRELU = 54,
  TFL_RESIZE_NEAREST_NEIGHBOR = 97, TFL_FULLY_CONNECTED = 9, TFL_QUANTIZE = 114, TFL_SLICE = 65
};
enum { TFL_FLOAT32 = 0, TFL_FLOAT16 = 1, TFL_INT32 = 2, TFL_UINT8 = 3, TFL_INT64 = 4, TFL_INT8 = 9 };

static const char *const tfl_op_names[] = {
    "ADD", "AVERAGE_POOL_2D", "CONCATENATION", "CONV_2D", "DEPTHWISE_CONV_2D", "DEPTH_TO_SPACE",
    "DEQUANTIZE", "EMBEDDING_LOOKUP", "FLOOR", "FULLY_CONNECTED", "HASHTABLE_LOOKUP",
    "L2_NORMALIZATION", "L2_POOL_2D", "LOCAL_RESPONSE_NORMALIZATION", "LOGISTIC", "LSH_PROJECTION",
    "LSTM", "MAX_POOL_2D", "MUL", "RELU", "RELU_N1_TO_1", "RELU6", "RESHAPE", "RESIZE_BILINEAR", "RNN",
    "SOFTMAX", "SPACE_TO_DEPTH", "SVDF", "TANH", "CONCAT_EMBEDDINGS", "SKIP_GRAM", "CALL", "CUSTOM",
    "EMBEDDING_LOOKUP_SPARSE", "PAD", "UNIDIRECTIONAL_SEQUENCE_RNN", "GATHER", "BATCH_TO_SPACE_ND",
    "SPACE_TO_BATCH_ND", "TRANSPOSE", "MEAN", "SUB", "DIV", "SQUEEZE", "UNIDIRECTIONAL_SEQUENCE_LSTM",
    "STRIDED_SLICE", "BIDIRECTIONAL_SEQUENCE_RNN", "EXP", "TOPK_V2", "SPLIT", "LOG_SOFTMAX", "DELEGATE",
    "BIDIRECTIONAL_SEQUENCE_LSTM", "CAST", "PRELU", "MAXIMUM", "ARG_MAX", "MINIMUM", "LESS", "NEG",
    "PADV2", "GREATER", "GREATER_EQUAL", "LESS_EQUAL", "SELECT", "SLICE", "SIN", "TRANSPOSE_CONV",
    "SPARSE_TO_DENSE", "TILE", "EXPAND_DIMS", "EQUAL", "NOT_EQUAL", "LOG", "SUM", "SQRT", "RSQRT",
    "SHAPE", "POW", "ARG_MIN", "FAKE_QUANT", "REDUCE_PROD", "REDUCE_MAX", "PACK", "LOGICAL_OR",
    "ONE_HOT", "LOGICAL_AND", "LOGICAL_NOT", "UNPACK", "REDUCE_MIN", "FLOOR_DIV", "REDUCE_ANY",
    "SQUARE", "ZEROS_LIKE", "FILL", "FLOOR_MOD", "RANGE", "RESIZE_NEAREST_NEIGHBOR", "LEAKY_RELU",
    "SQUARED_DIFFERENCE", "MIRROR_PAD", "ABS", "SPLIT_V", "UNIQUE", "CEIL", "REVERSE_V2", "ADD_N",
    "GATHER_ND", "COS", "WHERE", "RANK", "ELU", "REVERSE_SEQUENCE", "MATRIX_DIAG", "QUANTIZE",
    "MATRIX_SET_DIAG", "ROUND", "HARD_SWISH"};

static void tfl_op_name(int code, const char *custom, char *out, size_t n) {
  if (code == TFL_CUSTOM)
    snprintf(out, n, "CUSTOM(%s)", custom);
  else if (code >= 0 && code < (int)(sizeof tfl_op_names / sizeof *tfl_op_names))
    snprintf(out, n, "%s", tfl_op_names[code]);
  else
    snprintf(out, n, "BUILTIN_%d", code);
}

/* ---------------------------------------------------------------- conversion */

typedef struct ttensor {
  int rank, shape[4];
  int type;
  const uint8_t *data; /* constant data, or NULL */
  size_t data_len;
  int pid; /* pseg tensor index, or -1 */
  int pad_src, pad[4], pad_opi; /* the output of a PAD: the padded tensor's index, top, bottom, left, right, the PAD's operator */
  int readers;         /* operators reading it (the graph output counts as one) */
  int pixview;         /* a RESHAPE of a map that keeps each pixel's channels ([1,H,W,C] -> [1,HW,C]), or an
                          op on each pixel of one: its shape here is the map's, as pseg stores it */
  size_t qscale, qzero; /* quantization: file positions of the scale (float) and zero point (int64) */
  uint32_t nscale, nzero;
  int qdim;            /* the dimension with a scale per index (per-channel), when nscale > 1 */
} ttensor;

typedef struct conv_state {
  fb f;
  ttensor *t;
  uint32_t nt;
  pseg_fmt_model m;
  uint32_t cap_tensors, cap_layers, cap_weights;
  char *err;
  size_t errlen;
  pseg_convert_options opt;
  float **owned; /* dequantized weights (freed with the state) */
  uint32_t n_owned;
  int input_channels; /* of the TFLite model's input, when pseg's input is a slice of it */
  float qin_scale, qin_offset; /* an integer model input: its real value from the pixels (q: p or p - 128) */
} conv_state;

static int cfail(conv_state *s, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(s->err, s->errlen, fmt, ap);
  va_end(ap);
  return -1;
}

static int grow(void **p, uint32_t *cap, uint32_t need, size_t elem) {
  if (need <= *cap) return 0;
  uint32_t nc = *cap ? *cap : 16;
  while (nc < need) nc *= 2;
  void *q = realloc(*p, (size_t)nc * elem);
  if (!q) return -1;
  *p = q;
  *cap = nc;
  return 0;
}

/* Shape as (h, w, c) with batch 1. */
static int hwc(const ttensor *t, int *h, int *w, int *c) {
  if (t->rank == 4 && t->shape[0] == 1) *h = t->shape[1], *w = t->shape[2], *c = t->shape[3];
  else if (t->rank == 3) *h = t->shape[0], *w = t->shape[1], *c = t->shape[2];
  else if (t->rank == 2 && t->shape[0] == 1) *h = 1, *w = 1, *c = t->shape[1];
  else return -1;
  return 0;
}

static void qparam(fb *f, const ttensor *a, uint32_t k, float *sc, int64_t *zp);

/* An int8 / uint8 activation's quantization entry (uint8 q is int8 q - 128: zero point - 128). */
static int add_quant(conv_state *s, const ttensor *t, int opi, int32_t *q) {
  float sc;
  int64_t zp;
  if (t->nscale != 1 || (t->nzero && t->nzero != 1))
    return cfail(s, "integer tensor at operator %d: %u scales, %u zero points (one of each expected)", opi, t->nscale, t->nzero);
  qparam(&s->f, t, 0, &sc, &zp);
  int u8 = t->type == TFL_UINT8;
  if (!(sc > 0.0f && sc <= 1e30f)) return cfail(s, "integer tensor at operator %d: bad scale %g", opi, (double)sc);
  if (zp < (u8 ? 0 : -128) || zp > (u8 ? 255 : 127))
    return cfail(s, "integer tensor at operator %d: zero point %lld outside %s", opi, (long long)zp, u8 ? "uint8" : "int8");
  if (s->m.n_quant >= PSEG_FMT_MAX_QUANT) return cfail(s, "too many integer tensors");
  pseg_fmt_quant *nq = realloc(s->m.quant, (s->m.n_quant + 1) * sizeof *nq);
  if (!nq) return cfail(s, "out of memory");
  s->m.quant = nq;
  nq[s->m.n_quant] = (pseg_fmt_quant){sc, (int32_t)(zp - (u8 ? 128 : 0)), PSEG_QTYPE_INT8, 0};
  *q = (int32_t)++s->m.n_quant;
  return 0;
}

static int is_int(const ttensor *t) { return t->type == TFL_INT8 || t->type == TFL_UINT8; }

static int new_tensor(conv_state *s, uint32_t ti, int opi) {
  ttensor *t = &s->t[ti];
  if (t->pid >= 0) return cfail(s, "tensor %u is written by two operators (operator %d)", ti, opi);
  int h, w, c;
  if (hwc(t, &h, &w, &c) || h < 1 || w < 1 || c < 1 || h > PSEG_FMT_MAX_DIM || w > PSEG_FMT_MAX_DIM ||
      c > PSEG_FMT_MAX_CHANNELS)
    return cfail(s, "unsupported tensor shape at operator %d (batch 1, NHWC, at most %d pixels a side)", opi,
                 PSEG_FMT_MAX_DIM);
  if (grow((void **)&s->m.tensors, &s->cap_tensors, s->m.n_tensors + 1, sizeof(pseg_fmt_tensor)))
    return cfail(s, "out of memory");
  pseg_fmt_tensor *pt = &s->m.tensors[s->m.n_tensors];
  memset(pt, 0, sizeof *pt);
  pt->h = h, pt->w = w, pt->c = c;
  if (is_int(t) && opi >= 0 && add_quant(s, t, opi, &s->m.tensors[s->m.n_tensors].quant)) return -1;
  t->pid = (int)s->m.n_tensors++;
  return 0;
}

static int dequantize(conv_state *s, const ttensor *a, ttensor *to, int opi);

/* Append a constant's values (fp16 or fp32; int8 / uint8 dequantized to fp32: the weights of a
 * "hybrid" quantized conv) to the weight blob; returns its byte offset. */
static int add_weights(conv_state *s, const ttensor *t, size_t count, int *wtype, int32_t *off, int opi) {
  ttensor deq;
  if (t->data && (t->type == TFL_INT8 || t->type == TFL_UINT8)) {
    deq = *t;
    if (dequantize(s, t, &deq, opi)) return -1;
    t = &deq;
  }
  size_t es = t->type == TFL_FLOAT16 ? 2 : t->type == TFL_FLOAT32 ? 4 : 0;
  if (!es) return cfail(s, "weights of operator %d are neither float32 nor float16", opi);
  if (!t->data || t->data_len != count * es)
    return cfail(s, "weights of operator %d have %zu bytes, expected %zu", opi, t->data ? t->data_len : 0, count * es);
  if (*wtype >= 0 && *wtype != (es == 2 ? PSEG_WTYPE_F16 : PSEG_WTYPE_F32))
    return cfail(s, "operator %d mixes float16 and float32 weights", opi);
  *wtype = es == 2 ? PSEG_WTYPE_F16 : PSEG_WTYPE_F32;
  size_t bytes = (count * es + 3) & ~(size_t)3;
  if ((uint64_t)s->m.weights_size + bytes > 0x7fffffffu) return cfail(s, "weights too large");
  if (grow((void **)&s->m.weights, &s->cap_weights, s->m.weights_size + (uint32_t)bytes, 1))
    return cfail(s, "out of memory");
  memset(s->m.weights + s->m.weights_size, 0, bytes);
  memcpy(s->m.weights + s->m.weights_size, t->data, count * es);
  *off = (int32_t)s->m.weights_size;
  s->m.weights_size += (uint32_t)bytes;
  return 0;
}

static size_t shape_count(const ttensor *t);

/* A conv's weights and its optional bias (occ values) into the blob, the layer pointing at them. */
static int add_layer_weights(conv_state *s, pseg_fmt_layer *l, const ttensor *w, const ttensor *b, int occ, int opi) {
  int wt = -1;
  if (add_weights(s, w, shape_count(w), &wt, &l->w_off, opi)) return -1;
  if (b) {
    if (!b->data || shape_count(b) != (size_t)occ) return cfail(s, "unsupported bias at operator %d", opi);
    if (add_weights(s, b, (size_t)occ, &wt, &l->b_off, opi)) return -1;
  }
  l->wtype = wt;
  return 0;
}

/* An integer conv's weights (int8, symmetric: zero points 0; one scale, or one per output channel
 * along dimension qdim) and int32 bias as PSEG_WTYPE_I8 (runtime/format.h). */
static int add_qweights(conv_state *s, pseg_fmt_layer *l, const ttensor *w, const ttensor *b, int occ, int qdim, int opi) {
  size_t n = shape_count(w);
  if (w->type != TFL_INT8 || !w->data || w->data_len != n)
    return cfail(s, "integer operator %d: weights must be constant int8 (uint8 weights are not supported)", opi);
  if (!w->nscale || (w->nscale != 1 && w->nscale != (uint32_t)occ) || (w->nzero && w->nzero != w->nscale))
    return cfail(s, "integer operator %d: %u weight scales (%u zero points) for %d output channels", opi, w->nscale,
                 w->nzero, occ);
  if (w->nscale > 1 && w->qdim != qdim)
    return cfail(s, "integer operator %d: weight scales along dimension %d, expected %d (the output channels)", opi,
                 w->qdim, qdim);
  uint32_t ns = w->nscale;
  for (uint32_t k = 0; k < ns; k++) {
    float sc;
    int64_t zp;
    qparam(&s->f, w, k, &sc, &zp);
    if (!(sc >= 0.0f)) return cfail(s, "integer operator %d: weight scale %u is %g (0 for a channel of zeros, else positive)", opi, k, (double)sc);
    if (zp != 0) return cfail(s, "integer operator %d: weight zero point %lld (int8 weights must be symmetric)", opi, (long long)zp);
  }
  if (b && (b->type != TFL_INT32 || !b->data || b->data_len != 4 * (size_t)occ || shape_count(b) != (size_t)occ))
    return cfail(s, "integer operator %d: the bias must be %d constant int32 values", opi, occ);
  size_t wbytes = 4 + 4 * (size_t)ns + ((n + 3) & ~(size_t)3), bbytes = b ? 4 * (size_t)occ : 0;
  if ((uint64_t)s->m.weights_size + wbytes + bbytes > 0x7fffffffu) return cfail(s, "weights too large");
  if (grow((void **)&s->m.weights, &s->cap_weights, s->m.weights_size + (uint32_t)(wbytes + bbytes), 1))
    return cfail(s, "out of memory");
  uint8_t *p = s->m.weights + s->m.weights_size;
  memset(p, 0, wbytes + bbytes);
  memcpy(p, &ns, 4);
  for (uint32_t k = 0; k < ns; k++) memcpy(p + 4 + 4 * k, s->f.d + w->qscale + 4 * k, 4);
  memcpy(p + 4 + 4 * ns, w->data, n);
  if (b) memcpy(p + wbytes, b->data, bbytes);
  l->wtype = PSEG_WTYPE_I8;
  l->w_off = (int32_t)s->m.weights_size;
  l->b_off = b ? (int32_t)(s->m.weights_size + wbytes) : -1;
  s->m.weights_size += (uint32_t)(wbytes + bbytes);
  return 0;
}

static pseg_fmt_layer *new_layer(conv_state *s, int op, int opi) {
  if (grow((void **)&s->m.layers, &s->cap_layers, s->m.n_layers + 1, sizeof(pseg_fmt_layer))) return NULL;
  pseg_fmt_layer *l = &s->m.layers[s->m.n_layers++];
  memset(l, 0, sizeof *l);
  l->op = op;
  l->in1 = -1;
  l->w_off = l->b_off = -1;
  l->src_index = opi;
  l->sh = l->sw = l->kh = l->kw = 1;
  return l;
}

/* A PAD that no conv absorbs (another op reads it, or the padding reaches past the conv's
 * kernel): a SLICE layer of its own, zeros around its input (kernels/eltwise.c; an int8 tensor's
 * border holds its zero point). A tensor that is no pending PAD is left as it is. */
static int materialize_pad(conv_state *s, int ti) {
  ttensor *t = &s->t[ti];
  if (t->pid >= 0 || t->pad_src < 0) return 0;
  pseg_fmt_layer *l = new_layer(s, PSEG_OP_SLICE, t->pad_opi);
  if (!l) return cfail(s, "out of memory");
  l->in0 = s->t[t->pad_src].pid, l->pad_top = t->pad[0], l->pad_left = t->pad[2];
  if (new_tensor(s, (uint32_t)ti, t->pad_opi)) return -1;
  l->out = t->pid;
  return 0;
}

/* The begin and end of each dimension a STRIDED_SLICE (or SLICE) takes, of stride 1 and without
 * the other masks: 0, or -1 when it is not such a slice of a 4-D tensor. */
static int slice_range(const ttensor *a, const ttensor *to, const int32_t be[3][4], int bmask, int emask, int rb[4],
                       int re[4]) {
  if (a->rank != 4 || to->rank != 4) return -1;
  for (int d = 0; d < 4; d++) {
    rb[d] = (bmask >> d) & 1 ? 0 : be[0][d], re[d] = (emask >> d) & 1 ? a->shape[d] : be[1][d];
    if (rb[d] < 0) rb[d] += a->shape[d];
    if (re[d] < 0) re[d] += a->shape[d];
    if (be[2][d] != 1 || rb[d] < 0 || rb[d] >= re[d] || re[d] > a->shape[d] || to->shape[d] != re[d] - rb[d]) return -1;
  }
  return rb[0] == 0 && re[0] == a->shape[0] ? 0 : -1;
}

static int map_fused(int tfl_act, int *act) {
  switch (tfl_act) {
  case 0: *act = PSEG_ACT_NONE; return 0;
  case 1: *act = PSEG_ACT_RELU; return 0;
  case 3: *act = PSEG_ACT_RELU6; return 0;
  case 4: *act = PSEG_ACT_TANH; return 0;
  default: return -1;
  }
}

static size_t shape_count(const ttensor *t) {
  size_t n = 1;
  for (int i = 0; i < t->rank; i++) n *= (size_t)t->shape[i];
  return n;
}

/* Fold activation layers into the layer producing their input, then drop unused tensors. */
static int fuse_and_compact(conv_state *s) {
  pseg_fmt_model *m = &s->m;
  int *uses = calloc(m->n_tensors, sizeof(int));
  int *remap = malloc(m->n_tensors * sizeof(int));
  if (!uses || !remap) {
    free(uses);
    free(remap);
    return cfail(s, "out of memory");
  }
  for (uint32_t i = 0; i < m->n_layers; i++) {
    uses[m->layers[i].in0]++;
    if (m->layers[i].in1 >= 0) uses[m->layers[i].in1]++;
  }
  uint32_t w = 0;
  for (uint32_t i = 0; i < m->n_layers; i++) {
    pseg_fmt_layer *l = &m->layers[i];
    if (l->op == PSEG_OP_ACT && uses[l->in0] == 1 && (uint32_t)l->in0 != m->output && !m->tensors[l->in0].quant &&
        !m->tensors[l->out].quant) {
      int done = 0;
      for (uint32_t j = w; j-- > 0;) {
        pseg_fmt_layer *p = &m->layers[j];
        if (p->out != l->in0) continue;
        if (p->act == PSEG_ACT_NONE && p->op != PSEG_OP_MEAN && p->op != PSEG_OP_RESIZE_BILINEAR &&
            p->op != PSEG_OP_SOFTMAX && p->op != PSEG_OP_REDUCE) {
          p->act = l->act;
          p->out = l->out;
          done = 1;
        }
        break;
      }
      if (done) continue;
    }
    m->layers[w++] = *l;
  }
  m->n_layers = w;
  /* Compact tensors. */
  memset(uses, 0, m->n_tensors * sizeof(int));
  uses[m->input] = uses[m->output] = 1;
  for (uint32_t i = 0; i < m->n_layers; i++) {
    uses[m->layers[i].in0] = uses[m->layers[i].out] = 1;
    if (m->layers[i].in1 >= 0) uses[m->layers[i].in1] = 1;
  }
  uint32_t nt = 0;
  for (uint32_t i = 0; i < m->n_tensors; i++) {
    remap[i] = uses[i] ? (int)nt : -1;
    if (uses[i]) m->tensors[nt++] = m->tensors[i];
  }
  m->n_tensors = nt;
  m->input = (uint32_t)remap[m->input];
  m->output = (uint32_t)remap[m->output];
  for (uint32_t i = 0; i < m->n_layers; i++) {
    pseg_fmt_layer *l = &m->layers[i];
    l->in0 = remap[l->in0];
    l->out = remap[l->out];
    if (l->in1 >= 0) l->in1 = remap[l->in1];
  }
  free(uses);
  free(remap);
  return 0;
}

/* A linear 1x1 conv (stride 1, no padding, no activation, float, fewer output than input vec4s)
 * whose input comes through a chain of two or more resizes, each read only by the next (a decoder
 * upsampling twice before its classifier), computed before the chain instead: a resize is linear
 * in each channel and its weights at a pixel sum to 1, so it commutes with the conv and its bias
 * (to rounding), and the resizes then carry the conv's few output channels to the large sizes,
 * where the conv read its many input channels. A single resize is left alone: the planner reads
 * it inside the conv (conv.comp MODE 2). The chain's tensors become new ones of the conv's channels;
 * the last resize writes the conv's output tensor. Then the unused tensors are dropped. */
static int conv_before_resizes_once(conv_state *s, int *moved);
static int conv_before_resizes(conv_state *s) {
  int moved = 1, rc = 0;
  while (moved && !rc) rc = conv_before_resizes_once(s, &moved); /* each move: indices change, look again */
  return rc;
}

static int conv_before_resizes_once(conv_state *s, int *moved) {
  pseg_fmt_model *m = &s->m;
  int *uses = calloc(m->n_tensors, sizeof(int)), *prod = malloc(m->n_tensors * sizeof(int));
  if (!uses || !prod) return free(uses), free(prod), cfail(s, "out of memory");
  int rc = 0;
  *moved = 0;
  for (uint32_t t = 0; t < m->n_tensors; t++) prod[t] = -1;
  for (uint32_t i = 0; i < m->n_layers; i++) {
    uses[m->layers[i].in0]++;
    if (m->layers[i].in1 >= 0) uses[m->layers[i].in1]++;
    prod[m->layers[i].out] = (int)i;
  }
#define IS_RESIZE(L) (((L)->op == PSEG_OP_RESIZE_BILINEAR || (L)->op == PSEG_OP_RESIZE_NEAREST) && (L)->act == PSEG_ACT_NONE)
#define ONLY_READ(t) (uses[t] == 1 && (uint32_t)(t) != m->output && !m->tensors[t].quant)
  for (uint32_t ci = 0; ci < m->n_layers && !rc; ci++) {
    pseg_fmt_layer c = m->layers[ci];
    const pseg_fmt_tensor *ti = &m->tensors[c.in0], *to = &m->tensors[c.out];
    if (c.op != PSEG_OP_CONV2D || c.act != PSEG_ACT_NONE || c.kh != 1 || c.kw != 1 || c.sh != 1 || c.sw != 1 ||
        c.pad_top || c.pad_left || c.aux || to->quant || (to->c + 3) / 4 >= (ti->c + 3) / 4)
      continue;
    int chain[16], n = 0; /* the resizes, last first */
    for (int32_t t = c.in0; n < 16 && ONLY_READ(t) && prod[t] >= 0 && IS_RESIZE(&m->layers[prod[t]]); t = m->layers[prod[t]].in0)
      chain[n++] = prod[t];
    if (n < 2) continue;
    int32_t oc = to->c; /* (to and ti point into the tensors, which grow) */
    uint32_t nt = m->n_tensors + (uint32_t)n;
    if (grow((void **)&m->tensors, &s->cap_tensors, nt, sizeof(pseg_fmt_tensor))) {
      rc = cfail(s, "out of memory");
      break;
    }
    pseg_fmt_layer seq[17];
    int32_t src = m->layers[chain[n - 1]].in0, prev = (int32_t)m->n_tensors;
    m->tensors[prev] = m->tensors[src], m->tensors[prev].c = oc;
    seq[0] = c, seq[0].in0 = src, seq[0].out = prev;
    for (int k = 1; k <= n; k++) {
      pseg_fmt_layer r = m->layers[chain[n - k]];
      r.in0 = prev;
      if (k < n) {
        m->tensors[prev + 1] = m->tensors[r.out], m->tensors[prev + 1].c = oc;
        r.out = ++prev;
      } else {
        r.out = c.out;
      }
      seq[k] = r;
    }
    m->n_tensors = nt; /* n new tensors: the conv's at the source's size, then n - 1 between the resizes */
    /* the sequence replaces the last resize (chain[0]); the others and the conv go */
    uint32_t w = 0, nl = m->n_layers;
    pseg_fmt_layer *out = malloc(nl * sizeof *out);
    if (!out) {
      rc = cfail(s, "out of memory");
      break;
    }
    for (uint32_t i = 0; i < nl; i++) {
      int skip = i == ci;
      for (int k = 1; k < n; k++) skip |= (int)i == chain[k];
      if ((int)i == chain[0])
        for (int k = 0; k <= n; k++) out[w++] = seq[k];
      else if (!skip)
        out[w++] = m->layers[i];
    }
    memcpy(m->layers, out, w * sizeof *out);
    free(out);
    m->n_layers = w;
    *moved = 1;
    break; /* the indices changed */
  }
#undef IS_RESIZE
#undef ONLY_READ
  free(uses), free(prod);
  return rc;
}

/* Scale and zero point k of a quantized tensor (the zero point 0 where the file gives none). */
static void qparam(fb *f, const ttensor *a, uint32_t k, float *sc, int64_t *zp) {
  uint32_t bits = fb_u32(f, a->qscale + 4 * k);
  memcpy(sc, &bits, 4);
  *zp = a->nzero ? (int64_t)((uint64_t)fb_u32(f, a->qzero + 8 * k) | (uint64_t)fb_u32(f, a->qzero + 8 * k + 4) << 32) : 0;
}

/* A constant int8 / uint8 tensor to float32, (q - zero point) * scale, per tensor or per index of
 * its quantized dimension: weight-only quantization, undone once here. */
static int dequantize(conv_state *s, const ttensor *a, ttensor *to, int opi) {
  fb *f = &s->f;
  size_t n = shape_count(a);
  int nd = a->rank > 0 && a->qdim >= 0 && a->qdim < a->rank ? a->shape[a->qdim] : 1;
  if (a->data_len != n || !a->nscale || (a->nscale != 1 && a->nscale != (uint32_t)nd) ||
      (a->nzero && a->nzero != a->nscale))
    return cfail(s, "DEQUANTIZE at operator %d: quantization parameters do not match the tensor (%u scales, %u zero "
                    "points, %zu values)", opi, a->nscale, a->nzero, n);
  size_t inner = 1;
  for (int d = a->qdim + 1; a->nscale > 1 && d < a->rank; d++) inner *= (size_t)a->shape[d];
  float *v = malloc((n ? n : 1) * sizeof(float));
  float **o = realloc(s->owned, (s->n_owned + 1) * sizeof *o);
  if (!v || !o) return free(v), free(o == s->owned ? NULL : o), cfail(s, "out of memory");
  s->owned = o;
  s->owned[s->n_owned++] = v;
  for (uint32_t k = 0; k < a->nscale; k++) {
    float sc;
    int64_t zp;
    qparam(f, a, k, &sc, &zp);
    if (!(sc > 0 && sc < 1e30f) || zp < (a->type == TFL_INT8 ? -128 : 0) || zp > (a->type == TFL_INT8 ? 127 : 255))
      return cfail(s, "DEQUANTIZE at operator %d: bad scale %g or zero point %lld", opi, (double)sc, (long long)zp);
  }
  for (size_t i = 0; i < n; i++) {
    float sc;
    int64_t zp;
    qparam(f, a, a->nscale > 1 ? (uint32_t)((i / inner) % (size_t)nd) : 0, &sc, &zp);
    int q = a->type == TFL_INT8 ? (int)(int8_t)a->data[i] : (int)a->data[i];
    v[i] = (float)((double)(q - zp) * sc);
  }
  to->data = (const uint8_t *)v;
  to->data_len = n * 4;
  to->type = TFL_FLOAT32;
  return 0;
}

static float const_value(const ttensor *t, size_t i) {
  if (t->type == TFL_FLOAT16) {
    uint16_t h;
    memcpy(&h, t->data + 2 * i, 2);
    return pseg_half_to_float(h);
  }
  float v;
  memcpy(&v, t->data + 4 * i, 4);
  return v;
}

/* x * c or x + c with c a constant per channel (or a scalar; an unfolded batch norm): folded into
 * the weights and bias of the layer making x (CONV2D, DWCONV2D, TCONV2D), rewritten in fp32, when
 * x has no other reader and the layer no activation (0); else 1 (nothing done), -1 on an error. */
static int fold_constant(conv_state *s, ttensor *x, const ttensor *c, int mul, int act_tfl, ttensor *to, const char *name,
                         int opi) {
  pseg_fmt_layer *p = NULL;
  for (uint32_t i = 0; i < s->m.n_layers; i++)
    if (s->m.layers[i].out == x->pid) p = &s->m.layers[i];
  int oc = s->m.tensors[x->pid].c;
  size_t n = shape_count(c);
  int es = c->type == TFL_FLOAT16 ? 2 : c->type == TFL_FLOAT32 ? 4 : 0;
  if (!es || c->data_len != n * (size_t)es || (n != 1 && n != (size_t)oc) || (c->rank > 1 && c->shape[c->rank - 1] != (int)n))
    return cfail(s, "unsupported TFLite op %s at operator %d (a constant other than one value per channel)", name, opi);
  if (!p || (p->op != PSEG_OP_CONV2D && p->op != PSEG_OP_DWCONV2D && p->op != PSEG_OP_TCONV2D) || p->act != PSEG_ACT_NONE ||
      x->readers != 1 || act_tfl != 0)
    return 1; /* not foldable: the caller makes it a layer of its own */
  size_t wc, bc;
  if (!pseg_fmt_weight_count(&s->m, p, &wc, &bc) || bc != (size_t)oc) return cfail(s, "bad weights at operator %d", opi);
  float *w = malloc(wc * sizeof(float)), *b = calloc((size_t)oc, sizeof(float));
  if (!w || !b) return free(w), free(b), cfail(s, "out of memory");
  pseg_fmt_read_values(&s->m, p->w_off, wc, p->wtype, w);
  if (p->b_off >= 0) pseg_fmt_read_values(&s->m, p->b_off, bc, p->wtype, b);
  size_t per = wc / (size_t)oc; /* CONV2D / TCONV2D [out][kh][kw][in]; DWCONV2D [kh][kw][c] */
  for (int o = 0; o < oc; o++) {
    float v = const_value(c, n == 1 ? 0 : (size_t)o);
    if (mul) {
      b[o] *= v;
      for (size_t k = 0; k < per; k++) w[p->op == PSEG_OP_DWCONV2D ? k * (size_t)oc + (size_t)o : (size_t)o * per + k] *= v;
    } else {
      b[o] += v;
    }
  }
  ttensor tw = {.type = TFL_FLOAT32, .data = (const uint8_t *)w, .data_len = wc * 4};
  ttensor tb = {.type = TFL_FLOAT32, .data = (const uint8_t *)b, .data_len = (size_t)oc * 4};
  int wt = -1, rc = add_weights(s, &tw, wc, &wt, &p->w_off, opi) || add_weights(s, &tb, (size_t)oc, &wt, &p->b_off, opi);
  free(w), free(b);
  if (rc) return -1;
  p->wtype = PSEG_WTYPE_F32;
  to->pid = x->pid; /* the sum is the layer's output now */
  return 0;
}

/* The head: the mask is a probability, so raw logits get a sigmoid (1 channel) or a softmax over
 * the channels (several) appended; which channel is the person is decided here. */
static int add_head(conv_state *s) {
  pseg_fmt_model *m = &s->m;
  pseg_fmt_tensor o = m->tensors[m->output];
  pseg_fmt_layer *last = NULL; /* the layer that produces the output */
  for (uint32_t i = 0; i < m->n_layers; i++)
    if ((uint32_t)m->layers[i].out == m->output) last = &m->layers[i];
  if (!last) return cfail(s, "model output is not computed by a supported op");
  for (int moved = 1; moved && (last->op == PSEG_OP_DEQUANTIZE || (last->op == PSEG_OP_QUANTIZE && m->tensors[last->in0].quant > 0));) {
    moved = 0; /* an integer output, requantized (to uint8) and made float: the layer that computed it */
    for (uint32_t i = 0; i < m->n_layers && !moved; i++)
      if (m->layers[i].out == last->in0) last = &m->layers[i], moved = 1;
  }
  const pseg_fmt_layer *src = last; /* through slices (channels of probabilities are probabilities) */
  for (int moved = 1; moved && src->op == PSEG_OP_SLICE;) {
    moved = 0;
    for (uint32_t i = 0; i < m->n_layers && !moved; i++)
      if (m->layers[i].out == src->in0) src = &m->layers[i], moved = 1;
  }
  int kind = s->opt.output;
  if (kind == PSEG_OUTPUT_AUTO)
    kind = (o.c == 1 && last->act == PSEG_ACT_SIGMOID) || (o.c > 1 && last->op == PSEG_OP_SOFTMAX) ||
                   (src != last && (src->act == PSEG_ACT_SIGMOID || (src->op == PSEG_OP_SOFTMAX && m->tensors[src->out].c > 1)))
               ? PSEG_OUTPUT_PROBABILITY
               : PSEG_OUTPUT_LOGITS;
  int pc = s->opt.person_channel;
  if (pc < 0) {
    if (o.c > 2)
      return cfail(s, "the output has %d channels: say which one is the person (pseg convert --person-channel N)", o.c);
    pc = o.c == 2 ? 1 : 0;
  }
  if (pc >= o.c) return cfail(s, "--person-channel %d: the output has %d channel%s", pc, o.c, o.c == 1 ? "" : "s");
  m->head = PSEG_HEAD_PROBABILITY;
  m->person_channel = (uint32_t)pc;
  m->raw_output = m->output; /* the model's own output, for pseg run */
  m->input_channels = s->input_channels ? (uint32_t)s->input_channels : (uint32_t)m->tensors[m->input].c;
  int as_is = 1; /* no --input-range (or 0,1) */
  for (int c = 0; c < 3; c++) {
    m->input_scale[c] = s->opt.input_scale[c] == 1.0f ? 0.0f : s->opt.input_scale[c], m->input_offset[c] = s->opt.input_offset[c];
    as_is &= m->input_scale[c] == 0.0f && m->input_offset[c] == 0.0f;
  }
  for (int c = 0; c < 3 && s->qin_scale != 0 && as_is; c++) m->input_scale[c] = s->qin_scale, m->input_offset[c] = s->qin_offset;
  if (kind == PSEG_OUTPUT_PROBABILITY) return 0;
  /* a layer of its own (not folded into the last one), so the raw output stays a stored tensor */
  if (grow((void **)&m->tensors, &s->cap_tensors, m->n_tensors + 1, sizeof(pseg_fmt_tensor)))
    return cfail(s, "out of memory");
  m->tensors[m->n_tensors] = o;
  pseg_fmt_layer *l = new_layer(s, o.c == 1 ? PSEG_OP_ACT : PSEG_OP_SOFTMAX, -1);
  if (!l) return cfail(s, "out of memory");
  l->src_index = l - m->layers > 0 ? (l - 1)->src_index : 0;
  if (o.c == 1) l->act = PSEG_ACT_SIGMOID; /* ACT: a standalone sigmoid */
  l->in0 = (int32_t)m->output;
  l->out = (int32_t)m->n_tensors;
  m->output = m->n_tensors++;
  return 0;
}

/* The bytes of buffer bi (a vector in the flatbuffer, or offset and size past it: files over 2 GB),
 * NULL / 0 when it has none; -1 when they lie outside the file. */
static int buffer_bytes(fb *f, size_t buf_s, uint32_t bi, const uint8_t **data, size_t *len) {
  size_t b = fb_vec_table(f, buf_s, bi), ds;
  uint32_t dl;
  *data = NULL, *len = 0;
  if (fb_vector(f, b, 0, 1, &ds, &dl) && dl > 0) {
    *data = f->d + ds, *len = dl;
    return 0;
  }
  uint64_t off = fb_u64field(f, b, 1), sz = fb_u64field(f, b, 2);
  if (off > 1 && sz > 0) {
    if (off > f->n || sz > f->n - off) return -1;
    *data = f->d + off, *len = (size_t)sz;
  }
  return 0;
}

void pseg_convert_set_mean_std(pseg_convert_options *o, const double mean[3], const double sd[3]) {
  for (int c = 0; c < 3; c++) o->input_scale[c] = (float)(255.0 / sd[c]), o->input_offset[c] = (float)(-mean[c] / sd[c]);
}

/* The input's normalization in the model's TFLite metadata (tensorflow_lite_support's
 * metadata_schema.fbs: Model.metadata (6) names a buffer "TFLITE_METADATA" holding a ModelMetadata
 * flatbuffer, "M001"; subgraph_metadata (3)[0].input_tensor_metadata (2)[0].process_units (4): a
 * ProcessUnit whose options (type 0, value 1) are NormalizationOptions (type 1): mean (0), std (1),
 * per channel or one for all, on the values the model is fed (0..255 pixels for an image)). Sets
 * the model's input scale and offset of R, G and B (one mean and std for all three, or one each:
 * ImageNet's). No metadata: nothing changes. */
static int read_metadata_normalization(conv_state *s, size_t root, size_t buf_s, uint32_t n_buf, int channels) {
  fb *f = &s->f;
  size_t md_s;
  uint32_t n_md;
  if (!fb_vector(f, root, 6, 4, &md_s, &n_md)) return f->bad ? cfail(s, "corrupt TFLite model (bad metadata table)") : 0;
  for (uint32_t i = 0; i < n_md && i < 64; i++) {
    size_t mt = fb_vec_table(f, md_s, i);
    char name[32];
    fb_string(f, mt, 0, name, sizeof name);
    if (f->bad) return cfail(s, "corrupt TFLite model (metadata entry %u)", i);
    if (strcmp(name, "TFLITE_METADATA")) continue;
    uint32_t bi = (uint32_t)fb_int(f, mt, 1, 4, 0);
    if (bi == 0 || bi >= n_buf) return cfail(s, "corrupt TFLite metadata (names buffer %u of %u)", bi, n_buf);
    const uint8_t *data = NULL;
    size_t len = 0;
    if (buffer_bytes(f, buf_s, bi, &data, &len) || f->bad || !data)
      return cfail(s, "corrupt TFLite metadata (buffer %u)", bi);
    if (len < 8 || memcmp(data + 4, "M001", 4)) return 0; /* not the metadata schema pseg knows */
    fb m = {data, len, 0};
    size_t mroot = fb_deref(&m, 0), v, pv;
    uint32_t n, npu;
    if (!fb_vector(&m, mroot, 3, 4, &v, &n) || n < 1) return m.bad ? cfail(s, "corrupt TFLite metadata (model)") : 0;
    size_t sg = fb_vec_table(&m, v, 0);
    if (!fb_vector(&m, sg, 2, 4, &v, &n) || n < 1) return m.bad ? cfail(s, "corrupt TFLite metadata (subgraph)") : 0;
    size_t tm = fb_vec_table(&m, v, 0);
    if (!fb_vector(&m, tm, 4, 4, &pv, &npu)) return m.bad ? cfail(s, "corrupt TFLite metadata (input tensor)") : 0;
    for (uint32_t k = 0; k < npu && k < 64; k++) {
      size_t pu = fb_vec_table(&m, pv, k);
      if (fb_int(&m, pu, 0, 1, 0) != 1) continue; /* not NormalizationOptions */
      size_t no = fb_table(&m, pu, 1), ms, ss;
      uint32_t nm, ns;
      fb_vector(&m, no, 0, 4, &ms, &nm);
      fb_vector(&m, no, 1, 4, &ss, &ns);
      if (m.bad || !no) return cfail(s, "corrupt TFLite metadata (normalization options)");
      int rgb = channels < 3 ? channels : 3;
      if (nm < 1 || ns < 1 || (nm != 1 && nm < (uint32_t)rgb) || (ns != 1 && ns < (uint32_t)rgb))
        return cfail(s, "the model's metadata gives %u means and %u standard deviations for a %d-channel input", nm, ns,
                     channels);
      float mean[3], sd[3];
      for (int c = 0; c < 3; c++) {
        uint32_t a = fb_u32(&m, ms + 4 * (nm == 1 ? 0 : (size_t)(c < rgb ? c : 0)));
        uint32_t d = fb_u32(&m, ss + 4 * (ns == 1 ? 0 : (size_t)(c < rgb ? c : 0)));
        memcpy(&mean[c], &a, 4), memcpy(&sd[c], &d, 4);
        if (!(sd[c] > 0.0f && sd[c] < 1e5f) || !(mean[c] > -1e5f && mean[c] < 1e5f))
          return cfail(s, "the model's metadata normalizes its input with mean %g and std %g: unusable", (double)mean[c],
                       (double)sd[c]);
      }
      pseg_convert_set_mean_std(&s->opt, (double[3]){mean[0], mean[1], mean[2]}, (double[3]){sd[0], sd[1], sd[2]});
      return 0;
    }
    return 0;
  }
  return 0;
}

static int convert(conv_state *s) {
  fb *f = &s->f;
  if (s->f.n < 8) return cfail(s, "not a TFLite model (file too short)");
  if (memcmp(f->d + 4, "TFL3", 4)) return cfail(s, "not a TFLite model (no TFL3 identifier)");
  size_t root = fb_deref(f, 0);
  size_t opc_s, sg_s, buf_s;
  uint32_t n_opc, n_sg, n_buf;
  fb_vector(f, root, 1, 4, &opc_s, &n_opc);
  fb_vector(f, root, 2, 4, &sg_s, &n_sg);
  fb_vector(f, root, 4, 4, &buf_s, &n_buf);
  if (f->bad) return cfail(s, "corrupt TFLite model (bad model table)");
  if (n_sg < 1) return cfail(s, "TFLite model has no subgraph");
  size_t sg = fb_vec_table(f, sg_s, 0);
  size_t ten_s, in_s, out_s, ops_s;
  uint32_t n_ten, n_in, n_out, n_ops;
  fb_vector(f, sg, 0, 4, &ten_s, &n_ten);
  fb_vector(f, sg, 1, 4, &in_s, &n_in);
  fb_vector(f, sg, 2, 4, &out_s, &n_out);
  fb_vector(f, sg, 3, 4, &ops_s, &n_ops);
  if (f->bad) return cfail(s, "corrupt TFLite model (bad subgraph table)");
  if (n_ten == 0 || n_ten > 100000 || n_ops == 0 || n_ops > 100000) return cfail(s, "TFLite model has no usable graph");

  s->t = calloc(n_ten, sizeof(ttensor));
  if (!s->t) return cfail(s, "out of memory");
  s->nt = n_ten;
  for (uint32_t i = 0; i < n_ten; i++) {
    ttensor *t = &s->t[i];
    size_t tt = fb_vec_table(f, ten_s, i);
    size_t sh_s;
    uint32_t rank;
    fb_vector(f, tt, 0, 4, &sh_s, &rank);
    if (f->bad) return cfail(s, "corrupt TFLite model (tensor %u)", i);
    if (rank > 4) return cfail(s, "tensor %u has rank %u (at most 4 supported)", i, rank);
    t->rank = (int)rank;
    for (uint32_t k = 0; k < rank; k++) {
      int32_t d = (int32_t)fb_u32(f, sh_s + 4 * k);
      if (d < 1 || d > 1 << 20) return cfail(s, "tensor %u has a bad dimension %d", i, d);
      t->shape[k] = d;
    }
    t->type = (int)fb_int(f, tt, 1, 1, 0);
    size_t qt = fb_table(f, tt, 4);
    if (qt) {
      fb_vector(f, qt, 2, 4, &t->qscale, &t->nscale);
      fb_vector(f, qt, 3, 8, &t->qzero, &t->nzero);
      t->qdim = (int)fb_int(f, qt, 6, 4, 0);
    }
    uint32_t bi = (uint32_t)fb_int(f, tt, 2, 4, 0);
    t->pid = t->pad_src = -1;
    if (bi >= n_buf && bi != 0) return cfail(s, "tensor %u names buffer %u of %u", i, bi, n_buf);
    if (bi > 0 && buffer_bytes(f, buf_s, bi, &t->data, &t->data_len))
      return cfail(s, "buffer %u lies outside the file", bi);
    if (f->bad) return cfail(s, "corrupt TFLite model (tensor %u)", i);
  }
  if (n_in != 1 || n_out != 1) return cfail(s, "model must have one input and one output (has %u and %u)", n_in, n_out);
  uint32_t gin = fb_u32(f, in_s), gout = fb_u32(f, out_s);
  if (f->bad || gin >= n_ten || gout >= n_ten) return cfail(s, "corrupt TFLite model (graph input/output)");
  if (is_int(&s->t[gin])) { /* pixels p as q = p (uint8) or p - 128 (int8): real (q - zp) * scale from RGB in [0,1] */
    ttensor *a = &s->t[gin];
    float sc;
    int64_t zp;
    if (a->nscale != 1) return cfail(s, "integer model input without one scale and zero point");
    qparam(f, a, 0, &sc, &zp);
    if (!(sc > 0.0f && sc <= 1e30f)) return cfail(s, "integer model input: bad scale %g", (double)sc);
    s->qin_scale = 255.0f * sc, s->qin_offset = (float)(-(double)(zp + (a->type == TFL_INT8 ? 128 : 0)) * sc);
  } else if (s->t[gin].type != TFL_FLOAT32) {
    return cfail(s, "model input must be float32, int8 or uint8");
  } else if (!s->opt.input_given) { /* integer inputs take the pixels as their quantization says */
    const ttensor *a = &s->t[gin];
    if (read_metadata_normalization(s, root, buf_s, n_buf, a->rank ? a->shape[a->rank - 1] : 1)) return -1;
  }
  if (new_tensor(s, gin, -1)) return -1;
  s->m.input = (uint32_t)s->t[gin].pid;
  s->t[gout].readers++;
  for (uint32_t oi = 0; oi < n_ops; oi++) { /* who reads what: folds need a sole reader */
    size_t op = fb_vec_table(f, ops_s, oi), ois;
    uint32_t nin;
    if (!fb_vector(f, op, 1, 4, &ois, &nin) || nin > 64) continue;
    for (uint32_t k = 0; k < nin; k++) {
      uint32_t ti = fb_u32(f, ois + 4 * k);
      if (ti < n_ten) s->t[ti].readers++;
    }
  }
  if (f->bad) return cfail(s, "corrupt TFLite model (operator inputs)");
  if (is_int(&s->t[gin])) { /* an integer input read by other ops than QUANTIZE: quantize pseg's float input (its real values) first */
    int other = 0;
    for (uint32_t oi = 0; oi < n_ops && !other; oi++) {
      size_t op = fb_vec_table(f, ops_s, oi), ois, code_t;
      uint32_t nin, oc = (uint32_t)fb_int(f, op, 0, 4, 0);
      if (!fb_vector(f, op, 1, 4, &ois, &nin) || nin > 64 || oc >= n_opc) continue;
      code_t = fb_vec_table(f, opc_s, oc);
      int dep = (int)fb_int(f, code_t, 0, 1, 0), bcode = (int)fb_int(f, code_t, 3, 4, 0);
      for (uint32_t k = 0; k < nin; k++) other |= fb_u32(f, ois + 4 * k) == gin && (dep > bcode ? dep : bcode) != TFL_QUANTIZE;
    }
    if (other) {
      int32_t fin = s->t[gin].pid;
      s->t[gin].pid = -1;
      if (new_tensor(s, gin, 0)) return -1;
      pseg_fmt_layer *l = new_layer(s, PSEG_OP_QUANTIZE, 0);
      if (!l) return cfail(s, "out of memory");
      l->in0 = fin, l->out = s->t[gin].pid;
    }
  }

  for (uint32_t oi = 0; oi < n_ops; oi++) {
    int opi = (int)oi;
    size_t op = fb_vec_table(f, ops_s, oi);
    uint32_t oc = (uint32_t)fb_int(f, op, 0, 4, 0);
    size_t ois, oos;
    uint32_t nin, nout;
    fb_vector(f, op, 1, 4, &ois, &nin);
    fb_vector(f, op, 2, 4, &oos, &nout);
    if (f->bad || oc >= n_opc) return cfail(s, "corrupt TFLite model (operator %d)", opi);
    size_t code_t = fb_vec_table(f, opc_s, oc);
    int dep = (int)fb_int(f, code_t, 0, 1, 0), bcode = (int)fb_int(f, code_t, 3, 4, 0);
    int code = dep > bcode ? dep : bcode;
    char custom[64], name[96];
    fb_string(f, code_t, 1, custom, sizeof custom);
    if (f->bad) return cfail(s, "corrupt TFLite model (operator code %u)", oc);
    tfl_op_name(code, custom, name, sizeof name);
    if (nin > 8 || nout != 1) return cfail(s, "unsupported TFLite op %s at operator %d (%u outputs)", name, opi, nout);
    int in[8];
    for (uint32_t k = 0; k < nin; k++) {
      in[k] = (int32_t)fb_u32(f, ois + 4 * k);
      if (in[k] < -1 || in[k] >= (int)n_ten) return cfail(s, "operator %d names tensor %d of %u", opi, in[k], n_ten);
    }
    int32_t outi = (int32_t)fb_u32(f, oos);
    if (f->bad || outi < 0 || outi >= (int)n_ten) return cfail(s, "corrupt TFLite model (operator %d outputs)", opi);
    ttensor *to = &s->t[outi];
    size_t opts = fb_table(f, op, 4);
    if (f->bad) return cfail(s, "corrupt TFLite model (operator %d options)", opi);
#define IN(k) ((k) < (int)nin && in[k] >= 0 ? &s->t[in[k]] : NULL)
#define NEED_ACT(k)                                                                                \
  do {                                                                                             \
    if (!IN(k) || IN(k)->pid < 0)                                                                  \
      return cfail(s, "unsupported TFLite op %s at operator %d (input %d is not a computed tensor)", name, opi, k); \
  } while (0)
    /* a map reshaped keeping each pixel's channels (keras-segmentation's Reshape((H*W, C)) before
     * its softmax) is read as the map it was: only ops on each pixel's channels see no difference,
     * and their outputs are such maps too */
    int pixel_op = code == TFL_RELU || code == TFL_RELU6 || code == TFL_HARD_SWISH || code == TFL_LOGISTIC ||
                   code == TFL_TANH || code == TFL_EXP || code == TFL_SOFTMAX || code == TFL_QUANTIZE ||
                   code == TFL_DEQUANTIZE || code == TFL_RESHAPE;
    for (uint32_t k = 0; k < nin; k++) {
      const ttensor *a = in[k] >= 0 ? &s->t[in[k]] : NULL;
      if (!a || !a->pixview) continue;
      if (!pixel_op || k > 0)
        return cfail(s, "unsupported TFLite op %s at operator %d (it reads a map RESHAPE made into [%d pixels, %d channels]: "
                        "only activations, SOFTMAX, QUANTIZE, DEQUANTIZE and RESHAPE may)", name, opi,
                     (int)(shape_count(a) / (size_t)a->shape[a->rank - 1]), a->shape[a->rank - 1]);
      if (code != TFL_RESHAPE && shape_count(to) == shape_count(a) && to->rank >= 1 && to->shape[to->rank - 1] == a->shape[a->rank - 1])
        to->rank = a->rank, memcpy(to->shape, a->shape, sizeof to->shape), to->pixview = 1;
    }
    /* a PAD's output is folded into a conv reading it (its input 0), else computed here */
    for (uint32_t k = 0; k < nin; k++)
      if (in[k] >= 0 && !((code == TFL_CONV_2D || code == TFL_DEPTHWISE_CONV_2D) && k == 0) && materialize_pad(s, in[k]))
        return -1;
    pseg_fmt_layer *l = NULL;
    int act_tfl = 0;
    switch (code) {
    case TFL_QUANTIZE: { /* float or integer -> integer (the pseg input is float: its real values) */
      NEED_ACT(0);
      if (!is_int(to)) return cfail(s, "unsupported TFLite op QUANTIZE at operator %d (output not int8 or uint8)", opi);
      if (!(l = new_layer(s, PSEG_OP_QUANTIZE, opi))) return cfail(s, "out of memory");
      l->in0 = IN(0)->pid;
      break;
    }
    case TFL_DEQUANTIZE: {
      ttensor *a = IN(0);
      if (a && !a->data && a->pid >= 0 && s->m.tensors[a->pid].quant > 0) { /* an integer activation */
        if (!(l = new_layer(s, PSEG_OP_DEQUANTIZE, opi))) return cfail(s, "out of memory");
        l->in0 = a->pid;
        break;
      }
      if (a && a->data && (a->type == TFL_INT8 || a->type == TFL_UINT8)) { /* weight-only quantization */
        if (to->data || to->pid >= 0) return cfail(s, "corrupt TFLite model (operator %d output)", opi);
        if (dequantize(s, a, to, opi)) return -1;
        continue;
      }
      if (!a || !a->data || a->type != TFL_FLOAT16)
        return cfail(s, "unsupported TFLite op DEQUANTIZE at operator %d (only constant float16, int8 or uint8 inputs)", opi);
      if (to->data || to->pid >= 0) return cfail(s, "corrupt TFLite model (operator %d output)", opi);
      to->data = a->data;
      to->data_len = a->data_len;
      to->type = TFL_FLOAT16;
      continue;
    }
    case TFL_CONV_2D:
    case TFL_DEPTHWISE_CONV_2D: {
      int dw = code == TFL_DEPTHWISE_CONV_2D;
      ttensor *a = IN(0), *w = IN(1), *b = IN(2);
      const ttensor *padded = a && a->pid < 0 && a->pad_src >= 0 ? a : NULL; /* a PAD folded in */
      if (!padded) NEED_ACT(0);
      if (!w || !w->data || w->rank != 4) return cfail(s, "unsupported TFLite op %s at operator %d (weights must be constant)", name, opi);
      int ih, iw, ic, oh, ow, occ;
      if (hwc(a, &ih, &iw, &ic) || hwc(to, &oh, &ow, &occ)) return cfail(s, "bad shapes at operator %d", opi);
      int padding = (int)fb_int(f, opts, 0, 1, 0);
      int sw = (int)fb_int(f, opts, 1, 4, 1), sh = (int)fb_int(f, opts, 2, 4, 1);
      act_tfl = (int)fb_int(f, opts, dw ? 4 : 3, 1, 0);
      int dmul = dw ? (int)fb_int(f, opts, 3, 4, 1) : 1;
      int dilw = (int)fb_int(f, opts, dw ? 5 : 4, 4, 1), dilh = (int)fb_int(f, opts, dw ? 6 : 5, 4, 1);
      if (dilw < 1 || dilh < 1 || dilw > 32 || dilh > 32)
        return cfail(s, "unsupported TFLite op %s at operator %d (dilation %dx%d)", name, opi, dilh, dilw);
      if (sw < 1 || sh < 1 || sw > 8 || sh > 8) return cfail(s, "unsupported TFLite op %s at operator %d (stride %dx%d)", name, opi, sh, sw);
      int kh = w->shape[1], kw = w->shape[2];
      if (kh > PSEG_FMT_MAX_KERNEL || kw > PSEG_FMT_MAX_KERNEL) return cfail(s, "kernel too large at operator %d", opi);
      if (dw) {
        if (w->shape[0] != 1 || w->shape[3] != ic || occ != ic || (dmul != 1 && dmul != 0))
          return cfail(s, "unsupported TFLite op %s at operator %d (depth multiplier must be 1)", name, opi);
      } else if (w->shape[0] != occ || w->shape[3] != ic) {
        return cfail(s, "unsupported TFLite op %s at operator %d (grouped or mismatched weights)", name, opi);
      }
      int pt = 0, pl = 0, ekh = (kh - 1) * dilh + 1, ekw = (kw - 1) * dilw + 1; /* the dilated extent */
      if (padding == 0) { /* SAME */
        int th = (oh - 1) * sh + ekh - ih, tw = (ow - 1) * sw + ekw - iw;
        pt = th > 0 ? th / 2 : 0;
        pl = tw > 0 ? tw / 2 : 0;
        if (oh != (ih + sh - 1) / sh || ow != (iw + sw - 1) / sw) return cfail(s, "SAME output shape mismatch at operator %d", opi);
      } else if (oh != (ih - ekh) / sh + 1 || ow != (iw - ekw) / sw + 1 || ih < ekh || iw < ekw) {
        return cfail(s, "VALID output shape mismatch at operator %d", opi);
      }
      if (padded && (pt + padded->pad[0] >= ekh || pl + padded->pad[2] >= ekw)) { /* past the kernel: a layer */
        if (materialize_pad(s, in[0])) return -1;
        padded = NULL;
      }
      if (padded) { /* the padding becomes the conv's own (bottom and right: the output's size) */
        pt += padded->pad[0], pl += padded->pad[2];
        a = &s->t[padded->pad_src];
      }
      if (!(l = new_layer(s, dw ? PSEG_OP_DWCONV2D : PSEG_OP_CONV2D, opi))) return cfail(s, "out of memory");
      l->kh = kh, l->kw = kw, l->sh = sh, l->sw = sw, l->pad_top = pt, l->pad_left = pl;
      l->aux = (dilh == 1 ? 0 : dilh) | (dilw == 1 ? 0 : dilw) << 8; /* the dilation */
      l->in0 = a->pid;
      if (is_int(to) ? add_qweights(s, l, w, b, occ, dw ? 3 : 0, opi) : add_layer_weights(s, l, w, b, occ, opi)) return -1;
      break;
    }
    case TFL_PAD:
    case TFL_PADV2: { /* zeros around the height and width: folded into the convolution reading it */
      NEED_ACT(0);
      ttensor *a = IN(0), *pd = IN(1), *cv = code == TFL_PADV2 ? IN(2) : NULL;
      if (!pd || !pd->data || (pd->type != TFL_INT32 && pd->type != TFL_INT64) || shape_count(pd) != 2 * (size_t)a->rank ||
          pd->data_len != shape_count(pd) * (pd->type == TFL_INT32 ? 4 : 8) || a->rank != 4)
        return cfail(s, "unsupported TFLite op %s at operator %d (paddings must be a constant [4, 2])", name, opi);
      if (cv) {
        float z = 1;
        if (!cv->data || cv->type != TFL_FLOAT32 || cv->data_len != 4 || (memcpy(&z, cv->data, 4), z != 0.0f))
          return cfail(s, "unsupported TFLite op %s at operator %d (only zero padding)", name, opi);
      }
      int64_t v[8];
      for (int k = 0; k < 8; k++) {
        if (pd->type == TFL_INT32) {
          int32_t x;
          memcpy(&x, pd->data + 4 * k, 4);
          v[k] = x;
        } else {
          memcpy(&v[k], pd->data + 8 * k, 8);
        }
        if (v[k] < 0 || v[k] > 64) return cfail(s, "unsupported TFLite op %s at operator %d (padding %lld)", name, opi, (long long)v[k]);
      }
      if (v[0] || v[1] || v[6] || v[7])
        return cfail(s, "unsupported TFLite op %s at operator %d (padding of the batch or the channels)", name, opi);
      if (to->pid >= 0 || to->pad_src >= 0 || to->rank != 4 || to->shape[1] != a->shape[1] + v[2] + v[3] ||
          to->shape[2] != a->shape[2] + v[4] + v[5] || to->shape[3] != a->shape[3])
        return cfail(s, "bad shapes at operator %d", opi);
      to->pad_src = in[0], to->pad_opi = opi;
      to->pad[0] = (int)v[2], to->pad[1] = (int)v[3], to->pad[2] = (int)v[4], to->pad[3] = (int)v[5];
      continue;
    }
    case TFL_STRIDED_SLICE: /* stride 1: a crop of height and width and a range of channels */
    case TFL_SLICE: {        /* begin and size */
      NEED_ACT(0);
      ttensor *a = IN(0);
      int32_t be[3][4] = {{0}, {0}, {1, 1, 1, 1}};
      int bmask = 0, emask = 0, other = 0;
      for (int k = 0; k < (code == TFL_SLICE ? 2 : 3); k++) {
        ttensor *v = IN(k + 1);
        int64_t x[4];
        if (!v || !v->data || (v->type != TFL_INT32 && v->type != TFL_INT64) || shape_count(v) != 4 ||
            v->data_len != (v->type == TFL_INT32 ? 16u : 32u) || a->rank != 4)
          return cfail(s, "unsupported TFLite op %s at operator %d (only constant begin, end and strides of a 4-D tensor)", name, opi);
        for (int d = 0; d < 4; d++) {
          int32_t x32;
          if (v->type == TFL_INT32) memcpy(&x32, v->data + 4 * d, 4), x[d] = x32;
          else memcpy(&x[d], v->data + 8 * d, 8);
          if (x[d] < -(1 << 20) || x[d] > 1 << 20) return cfail(s, "unsupported TFLite op %s at operator %d (begin, end or size %lld)", name, opi, (long long)x[d]);
          be[k][d] = (int32_t)x[d];
        }
      }
      if (code == TFL_SLICE) /* size -1: to the end */
        for (int d = 0; d < 4; d++) be[1][d] = be[1][d] == -1 ? a->shape[d] : be[0][d] + be[1][d];
      else
        bmask = (int)fb_int(f, opts, 0, 4, 0), emask = (int)fb_int(f, opts, 1, 4, 0),
        other = (int)fb_int(f, opts, 2, 4, 0) | (int)fb_int(f, opts, 3, 4, 0) | (int)fb_int(f, opts, 4, 4, 0) |
                (int)fb_int(f, opts, 5, 1, 0); /* ellipsis, new axis and shrink masks; offset */
      int rb[4], re[4];
      if (other || slice_range(a, to, be, bmask, emask, rb, re))
        return cfail(s, "unsupported TFLite op %s at operator %d (only stride 1 over height, width and channels, no masks but begin and end)", name, opi);
      int crop = rb[1] || rb[2] || re[1] != a->shape[1] || re[2] != a->shape[2], whole_c = rb[3] == 0 && re[3] == a->shape[3];
      pseg_fmt_layer *p = NULL; /* a transposed conv making a, nothing else reading it */
      for (uint32_t k = s->m.n_layers; k-- > 0 && !p && crop && whole_c && a->readers == 1 && a->pid != (int)s->m.output;)
        if (s->m.layers[k].out == a->pid) p = &s->m.layers[k];
      if (p && p->op == PSEG_OP_TCONV2D && p->pad_top + rb[1] < p->kh && p->pad_left + rb[2] < p->kw) {
        float sa = 0, so = 0;
        int64_t za = 0, zo = 0;
        int same = !is_int(a) && !is_int(to);
        if (!same && a->nscale == 1 && to->nscale == 1 && a->type == to->type)
          qparam(&s->f, a, 0, &sa, &za), qparam(&s->f, to, 0, &so, &zo), same = sa == so && za == zo;
        if (same) {
          /* folded into the transposed conv: its padding grows by the first rows and columns
           * cropped, its output is the crop (kernels/conv.c tconv_check bounds both) */
          p->pad_top += rb[1], p->pad_left += rb[2];
          s->m.tensors[a->pid].h = re[1] - rb[1], s->m.tensors[a->pid].w = re[2] - rb[2];
          to->pid = a->pid;
          continue;
        }
      }
      if (!crop && rb[3] == 0 && a->pid == (int)s->m.input && a->readers == 1 && s->m.n_layers == 0) {
        s->m.tensors[s->m.input].c = re[3]; /* pseg's input is the slice: the rest is never read */
        s->input_channels = a->shape[3];
        to->pid = a->pid;
        continue;
      }
      if (!(l = new_layer(s, PSEG_OP_SLICE, opi))) return cfail(s, "out of memory");
      l->in0 = a->pid, l->aux = rb[3], l->pad_top = -rb[1], l->pad_left = -rb[2];
      break;
    }
    case TFL_RESHAPE: { /* a view: the same values in the same order (a flattened output), or a copy */
      NEED_ACT(0);
      ttensor *a = IN(0);
      int ah, aw, ac, oh, ow, oc;
      if (shape_count(a) != shape_count(to) || to->pid >= 0) return cfail(s, "bad shapes at operator %d", opi);
      int same = !hwc(a, &ah, &aw, &ac) && !hwc(to, &oh, &ow, &oc) && ah == oh && aw == ow && ac == oc;
      int keeps_c = a->rank >= 1 && to->rank >= 1 && a->shape[a->rank - 1] == to->shape[to->rank - 1];
      if (!same && outi != (int32_t)gout && !keeps_c) { /* flattening, or a vector made a map: a RESHAPE layer */
        if (hwc(to, &oh, &ow, &oc))
          return cfail(s, "unsupported TFLite op RESHAPE at operator %d (to a shape of %d dimensions that is no map)", opi, to->rank);
        if (!(l = new_layer(s, PSEG_OP_RESHAPE, opi))) return cfail(s, "out of memory");
        l->in0 = a->pid;
        break;
      }
      to->pid = a->pid; /* the reader sees the tensor as it is stored */
      if (!same && outi != (int32_t)gout) /* the pixels rearranged, each one's channels kept: the map as stored */
        to->rank = a->rank, memcpy(to->shape, a->shape, sizeof to->shape), to->pixview = 1;
      continue;
    }
    case TFL_TRANSPOSE_CONV: { /* inputs: output shape, weights [out, kh, kw, in], input, bias (optional) */
      ttensor *a = IN(2), *w = IN(1), *b = IN(3);
      NEED_ACT(2);
      if (!w || !w->data || w->rank != 4) return cfail(s, "unsupported TFLite op %s at operator %d (weights must be constant)", name, opi);
      int ih, iw, ic, oh, ow, occ;
      if (hwc(a, &ih, &iw, &ic) || hwc(to, &oh, &ow, &occ)) return cfail(s, "bad shapes at operator %d", opi);
      int padding = (int)fb_int(f, opts, 0, 1, 0);
      int sw = (int)fb_int(f, opts, 1, 4, 1), sh = (int)fb_int(f, opts, 2, 4, 1);
      act_tfl = (int)fb_int(f, opts, 3, 1, 0);
      int kh = w->shape[1], kw = w->shape[2];
      if (sw < 1 || sh < 1 || sw > 8 || sh > 8 || kh > PSEG_FMT_MAX_KERNEL || kw > PSEG_FMT_MAX_KERNEL)
        return cfail(s, "unsupported TFLite op %s at operator %d (stride %dx%d, kernel %dx%d)", name, opi, sh, sw, kh, kw);
      if (w->shape[0] != occ || w->shape[3] != ic) return cfail(s, "unsupported TFLite op %s at operator %d (mismatched weights)", name, opi);
      /* TFLite's padding: that of the forward conv from the output's size back to the input's */
      int fh = padding == 0 ? (oh + sh - 1) / sh : (oh - kh + sh) / sh, fw = padding == 0 ? (ow + sw - 1) / sw : (ow - kw + sw) / sw;
      if (fh != ih || fw != iw) return cfail(s, "transposed conv output shape mismatch at operator %d", opi);
      int th = (ih - 1) * sh + kh - oh, tw = (iw - 1) * sw + kw - ow;
      int pt = th > 0 ? th / 2 : 0, pl = tw > 0 ? tw / 2 : 0;
      if (!(l = new_layer(s, PSEG_OP_TCONV2D, opi))) return cfail(s, "out of memory");
      l->kh = kh, l->kw = kw, l->sh = sh, l->sw = sw, l->pad_top = pt, l->pad_left = pl;
      l->in0 = a->pid;
      if (is_int(to) ? add_qweights(s, l, w, b, occ, 0, opi) : add_layer_weights(s, l, w, b, occ, opi)) return -1;
      break;
    }
    case TFL_CUSTOM: {
      if (strcmp(custom, "Convolution2DTransposeBias"))
        return cfail(s, "unsupported TFLite op %s at operator %d", name, opi);
      NEED_ACT(0);
      ttensor *a = IN(0), *w = IN(1), *b = IN(2);
      if (!w || !w->data || w->rank != 4 || !b || !b->data) return cfail(s, "unsupported TFLite op %s at operator %d (weights must be constant)", name, opi);
      size_t cs;
      uint32_t cl;
      fb_vector(f, op, 5, 1, &cs, &cl);
      if (f->bad || cl < 12) return cfail(s, "unsupported TFLite op %s at operator %d (custom options)", name, opi);
      int32_t stw = (int32_t)fb_u32(f, cs + 4), sth = (int32_t)fb_u32(f, cs + 8);
      int ih, iw, ic, oh, ow, occ;
      if (hwc(a, &ih, &iw, &ic) || hwc(to, &oh, &ow, &occ)) return cfail(s, "bad shapes at operator %d", opi);
      if (w->shape[0] != occ || w->shape[3] != ic || w->shape[1] != sth || w->shape[2] != stw || sth < 1 || stw < 1 ||
          sth > 8 || stw > 8 || oh != ih * sth || ow != iw * stw)
        return cfail(s, "unsupported TFLite op %s at operator %d (only kernel == stride)", name, opi);
      if (!(l = new_layer(s, PSEG_OP_TCONV2D, opi))) return cfail(s, "out of memory");
      l->kh = l->sh = sth, l->kw = l->sw = stw;
      l->in0 = a->pid;
      int wt = -1;
      if (add_weights(s, w, shape_count(w), &wt, &l->w_off, opi)) return -1;
      if (shape_count(b) != (size_t)occ) return cfail(s, "unsupported bias at operator %d", opi);
      if (add_weights(s, b, (size_t)occ, &wt, &l->b_off, opi)) return -1;
      l->wtype = wt;
      break;
    }
    case TFL_MEAN: {
      NEED_ACT(0);
      ttensor *a = IN(0);
      int ih, iw, ic, oh, ow, occ;
      if (hwc(a, &ih, &iw, &ic) || hwc(to, &oh, &ow, &occ) || oh != 1 || ow != 1 || occ != ic)
        return cfail(s, "unsupported TFLite op %s at operator %d (only a global average over height and width)", name, opi);
      ttensor *ax = IN(1);
      if (!ax || !ax->data || ax->type != TFL_INT32 || ax->data_len != 8)
        return cfail(s, "unsupported TFLite op %s at operator %d (axes must be constant [1, 2])", name, opi);
      int32_t a0, a1;
      memcpy(&a0, ax->data, 4);
      memcpy(&a1, ax->data + 4, 4);
      if (!((a0 == 1 && a1 == 2) || (a0 == 2 && a1 == 1)))
        return cfail(s, "unsupported TFLite op %s at operator %d (axes must be [1, 2])", name, opi);
      if (!(l = new_layer(s, PSEG_OP_MEAN, opi))) return cfail(s, "out of memory");
      l->in0 = a->pid;
      break;
    }
    case TFL_SUB:
    case TFL_DIV: { /* a - b, a / b: b of the same shape, one value per channel, or one per pixel */
      NEED_ACT(0);
      NEED_ACT(1);
      ttensor *a = IN(0), *b = IN(1);
      int ah, aw, ac, bh, bw, bc;
      if (hwc(a, &ah, &aw, &ac) || hwc(b, &bh, &bw, &bc)) return cfail(s, "bad shapes at operator %d", opi);
      int aux = bh == ah && bw == aw && bc == ac ? 0 : bh == 1 && bw == 1 && bc == ac ? 1 : bh == ah && bw == aw && bc == 1 ? 2 : -1;
      if (aux < 0) return cfail(s, "unsupported TFLite op %s at operator %d (broadcast of the first input, or other than per channel or per pixel)", name, opi);
      act_tfl = (int)fb_int(f, opts, 0, 1, 0);
      if (!(l = new_layer(s, code == TFL_SUB ? PSEG_OP_SUB : PSEG_OP_DIV, opi))) return cfail(s, "out of memory");
      l->in0 = a->pid, l->in1 = b->pid, l->aux = aux;
      break;
    }
    case TFL_PRELU: { /* x >= 0 ? x : alpha[c] x: one layer (the runtime folds it into its producer) */
      NEED_ACT(0);
      ttensor *a = IN(0), *al = IN(1);
      int c = s->m.tensors[a->pid].c;
      if (!al || !al->data || (al->type != TFL_FLOAT32 && al->type != TFL_FLOAT16) ||
          (shape_count(al) != (size_t)c && shape_count(al) != 1) || al->data_len != shape_count(al) * (al->type == TFL_FLOAT16 ? 2 : 4))
        return cfail(s, "unsupported TFLite op PRELU at operator %d (alpha must be a constant, one value per channel)", opi);
      float *wv = malloc((size_t)c * sizeof(float));
      if (!wv) return cfail(s, "out of memory");
      for (int k = 0; k < c; k++) wv[k] = const_value(al, shape_count(al) == 1 ? 0 : (size_t)k);
      ttensor tw = {.type = TFL_FLOAT32, .data = (const uint8_t *)wv, .data_len = (size_t)c * 4};
      if (!(l = new_layer(s, PSEG_OP_PRELU, opi))) return free(wv), cfail(s, "out of memory");
      int wt = -1;
      if (add_weights(s, &tw, (size_t)c, &wt, &l->w_off, opi)) return free(wv), -1;
      free(wv);
      l->wtype = wt, l->in0 = a->pid;
      break;
    }
    case TFL_AVERAGE_POOL_2D: /* over the whole map: MEAN; else with its window, as MAX_POOL_2D */
    case TFL_MAX_POOL_2D: {
      NEED_ACT(0);
      ttensor *a = IN(0);
      int ih, iw, ic, oh, ow, occ;
      if (hwc(a, &ih, &iw, &ic) || hwc(to, &oh, &ow, &occ) || occ != ic) return cfail(s, "bad shapes at operator %d", opi);
      int padding = (int)fb_int(f, opts, 0, 1, 0);
      int sw = (int)fb_int(f, opts, 1, 4, 1), sh = (int)fb_int(f, opts, 2, 4, 1);
      int kw = (int)fb_int(f, opts, 3, 4, 1), kh = (int)fb_int(f, opts, 4, 4, 1);
      act_tfl = (int)fb_int(f, opts, 5, 1, 0);
      /* a window covering the whole map, one output (with SAME padding too): the global average */
      if (code == TFL_AVERAGE_POOL_2D && oh == 1 && ow == 1 && kh >= ih && kw >= iw) {
        if (!(l = new_layer(s, PSEG_OP_MEAN, opi))) return cfail(s, "out of memory");
        l->in0 = a->pid;
        break;
      }
      if (sw < 1 || sh < 1 || sw > 8 || sh > 8 || kh < 1 || kw < 1 || kh > PSEG_FMT_MAX_KERNEL || kw > PSEG_FMT_MAX_KERNEL)
        return cfail(s, "unsupported TFLite op %s at operator %d (window %dx%d, stride %dx%d)", name, opi, kh, kw, sh, sw);
      int pt = 0, pl = 0;
      if (padding == 0) {
        int th = (oh - 1) * sh + kh - ih, tw = (ow - 1) * sw + kw - iw;
        pt = th > 0 ? th / 2 : 0, pl = tw > 0 ? tw / 2 : 0;
        if (oh != (ih + sh - 1) / sh || ow != (iw + sw - 1) / sw) return cfail(s, "SAME output shape mismatch at operator %d", opi);
      } else if (oh != (ih - kh) / sh + 1 || ow != (iw - kw) / sw + 1 || ih < kh || iw < kw) {
        return cfail(s, "VALID output shape mismatch at operator %d", opi);
      }
      if (!(l = new_layer(s, code == TFL_MAX_POOL_2D ? PSEG_OP_MAXPOOL : PSEG_OP_AVGPOOL, opi))) return cfail(s, "out of memory");
      l->in0 = a->pid, l->kh = kh, l->kw = kw, l->sh = sh, l->sw = sw, l->pad_top = pt, l->pad_left = pl;
      break;
    }
    case TFL_CONCATENATION: { /* on the channels: a chain of two-input concatenations */
      int axis = (int)fb_int(f, opts, 0, 4, 0);
      act_tfl = (int)fb_int(f, opts, 1, 1, 0);
      int oh, ow, oc;
      if ((axis != 3 && axis != -1) || nin < 2 || to->rank != 4 || hwc(to, &oh, &ow, &oc))
        return cfail(s, "unsupported TFLite op %s at operator %d (only on the channels of 4-D tensors)", name, opi);
      int prev = -1, sum = 0;
      for (int k = 0; k < (int)nin; k++) {
        NEED_ACT(k);
        int h, w, c;
        if (hwc(IN(k), &h, &w, &c) || h != oh || w != ow) return cfail(s, "bad shapes at operator %d", opi);
        sum += c;
        if (k == 0) {
          prev = IN(0)->pid;
          continue;
        }
        if (!(l = new_layer(s, PSEG_OP_CONCAT, opi))) return cfail(s, "out of memory");
        l->in0 = prev, l->in1 = IN(k)->pid, l->aux = sum - c;
        if (k + 1 < (int)nin) { /* a tensor of pseg's own between two links of the chain */
          if (grow((void **)&s->m.tensors, &s->cap_tensors, s->m.n_tensors + 1, sizeof(pseg_fmt_tensor)))
            return cfail(s, "out of memory");
          int32_t q = 0; /* an integer concatenation's links: the output's scale and zero point */
          if (is_int(to) && add_quant(s, to, opi, &q)) return -1;
          s->m.tensors[s->m.n_tensors] = (pseg_fmt_tensor){oh, ow, sum, q};
          l->out = prev = (int32_t)s->m.n_tensors++;
        }
      }
      if (sum != oc) return cfail(s, "bad shapes at operator %d", opi);
      break;
    }
    case TFL_SUM:
    case TFL_REDUCE_MAX: { /* over the channels, kept as one */
      NEED_ACT(0);
      ttensor *a = IN(0), *ax = IN(1);
      int32_t axis = 0;
      if (!ax || !ax->data || ax->type != TFL_INT32 || ax->data_len != 4 || (memcpy(&axis, ax->data, 4), axis != 3 && axis != -1) ||
          !fb_int(f, opts, 0, 1, 0) || a->rank != 4)
        return cfail(s, "unsupported TFLite op %s at operator %d (only over the channels, keep_dims true)", name, opi);
      if (!(l = new_layer(s, PSEG_OP_REDUCE, opi))) return cfail(s, "out of memory");
      l->in0 = a->pid, l->aux = code == TFL_REDUCE_MAX;
      break;
    }
    case TFL_ADD:
    case TFL_MUL: {
      ttensor *a = IN(0), *b = IN(1);
      if (a && b && a->pid < 0 && a->data && b->pid >= 0) a = IN(1), b = IN(0); /* the constant second */
      if (is_int(to) && a && b && a->pid >= 0 && b->pid < 0 && b->data) { /* x + c, x * c on int8: c in the weights */
        float sc;
        int64_t zp;
        if (b->type != TFL_INT8 || shape_count(b) != 1 || b->data_len != 1 || b->nscale != 1)
          return cfail(s, "unsupported TFLite op %s at operator %d (integer, with a constant operand other than one int8 value)", name, opi);
        qparam(&s->f, b, 0, &sc, &zp);
        if (!(sc > 0.0f && sc <= 1e30f) || zp < -128 || zp > 127)
          return cfail(s, "integer operator %d: the constant's scale %g or zero point %lld is out of range", opi, (double)sc, (long long)zp);
        if (grow((void **)&s->m.weights, &s->cap_weights, s->m.weights_size + 16, 1)) return cfail(s, "out of memory");
        uint8_t *wp = s->m.weights + s->m.weights_size;
        uint32_t one = 1;
        int32_t z32 = (int32_t)zp;
        memset(wp, 0, 16);
        memcpy(wp, &one, 4), memcpy(wp + 4, &sc, 4), memcpy(wp + 8, b->data, 1), memcpy(wp + 12, &z32, 4);
        act_tfl = (int)fb_int(f, opts, 0, 1, 0);
        if (!(l = new_layer(s, code == TFL_ADD ? PSEG_OP_ADD : PSEG_OP_MUL, opi))) return cfail(s, "out of memory");
        l->in0 = a->pid, l->aux = 3, l->wtype = PSEG_WTYPE_I8;
        l->w_off = (int32_t)s->m.weights_size, l->b_off = (int32_t)s->m.weights_size + 12;
        s->m.weights_size += 16;
        break;
      }
      if (is_int(to) && (!a || !b || a->pid < 0 || b->pid < 0))
        return cfail(s, "unsupported TFLite op %s at operator %d (integer, with a constant operand)", name, opi);
      if (a && b && a->pid >= 0 && b->pid < 0 && b->data) { /* x + c, x * c: into the layer making x */
        act_tfl = (int)fb_int(f, opts, 0, 1, 0);
        int r = fold_constant(s, a, b, code == TFL_MUL, act_tfl, to, name, opi);
        if (r < 0) return -1;
        if (r == 0) continue;
        /* not foldable (after an activation, say): x * c + 0 or x * 1 + c as a 1x1 depthwise conv */
        int c = s->m.tensors[a->pid].c;
        size_t nb = shape_count(b);
        float *wv = malloc((size_t)c * sizeof(float)), *bv = malloc((size_t)c * sizeof(float));
        if (!wv || !bv) return free(wv), free(bv), cfail(s, "out of memory");
        for (int k = 0; k < c; k++) {
          float v = const_value(b, nb == 1 ? 0 : (size_t)k);
          wv[k] = code == TFL_MUL ? v : 1.0f, bv[k] = code == TFL_MUL ? 0.0f : v;
        }
        ttensor tw = {.type = TFL_FLOAT32, .data = (const uint8_t *)wv, .data_len = (size_t)c * 4};
        ttensor tb = {.type = TFL_FLOAT32, .data = (const uint8_t *)bv, .data_len = (size_t)c * 4};
        if (!(l = new_layer(s, PSEG_OP_DWCONV2D, opi))) return free(wv), free(bv), cfail(s, "out of memory");
        l->in0 = a->pid;
        int wt = -1, rc = add_weights(s, &tw, (size_t)c, &wt, &l->w_off, opi) || add_weights(s, &tb, (size_t)c, &wt, &l->b_off, opi);
        free(wv), free(bv);
        if (rc) return -1;
        l->wtype = wt;
        break;
      }
      NEED_ACT(0);
      NEED_ACT(1);
      int ah, aw, ac, bh, bw, bc;
      if (hwc(a, &ah, &aw, &ac) || hwc(b, &bh, &bw, &bc)) return cfail(s, "bad shapes at operator %d", opi);
      if (bh * bw > ah * aw) { /* put the full-size operand first */
        ttensor *tmp = a;
        a = b, b = tmp;
        int th = ah, tw = aw;
        ah = bh, aw = bw, bh = th, bw = tw;
      }
      int aux;
      if (bh == ah && bw == aw && bc == ac) aux = 0;
      else if (bh == 1 && bw == 1 && bc == ac) aux = 1;
      else return cfail(s, "unsupported TFLite op %s at operator %d (broadcast other than per channel)", name, opi);
      act_tfl = (int)fb_int(f, opts, 0, 1, 0);
      if (!(l = new_layer(s, code == TFL_ADD ? PSEG_OP_ADD : PSEG_OP_MUL, opi))) return cfail(s, "out of memory");
      l->in0 = a->pid;
      l->in1 = b->pid;
      l->aux = aux;
      break;
    }
    case TFL_RESIZE_BILINEAR: {
      NEED_ACT(0);
      int align = (int)fb_int(f, opts, 2, 1, 0), half = (int)fb_int(f, opts, 3, 1, 0);
      if (!(l = new_layer(s, PSEG_OP_RESIZE_BILINEAR, opi))) return cfail(s, "out of memory");
      l->in0 = IN(0)->pid;
      l->aux = align ? 2 : half ? 0 : 1;
      break;
    }
    case TFL_FULLY_CONNECTED: { /* Dense on the channels of each pixel (keep_num_dims) or of a 1x1 map: a 1x1 conv */
      NEED_ACT(0);
      ttensor *a = IN(0), *w = IN(1), *b = IN(2);
      if (!w || !w->data || w->rank != 2)
        return cfail(s, "unsupported TFLite op %s at operator %d (weights must be a constant [out, in])", name, opi);
      int ih, iw, ic, oh, ow, occ;
      if (hwc(a, &ih, &iw, &ic) || hwc(to, &oh, &ow, &occ))
        return cfail(s, "unsupported TFLite op %s at operator %d (only on the channels of each pixel: batch 1)", name, opi);
      act_tfl = (int)fb_int(f, opts, 0, 1, 0);
      int wfmt = (int)fb_int(f, opts, 1, 1, 0);
      if (wfmt != 0) return cfail(s, "unsupported TFLite op %s at operator %d (shuffled weights format)", name, opi);
      int32_t src = a->pid;
      if (w->shape[1] != ic && (int64_t)w->shape[1] == (int64_t)ih * iw * ic && oh == 1 && ow == 1 && ih * iw > 1) {
        /* over the whole map, flattened (keep_num_dims off): a RESHAPE layer to a 1x1 map of its
         * values, then the 1x1 conv */
        if (w->shape[1] > PSEG_FMT_MAX_CHANNELS)
          return cfail(s, "unsupported TFLite op %s at operator %d (over a flattened %dx%dx%d map: at most %d values)", name,
                       opi, ih, iw, ic, PSEG_FMT_MAX_CHANNELS);
        if (grow((void **)&s->m.tensors, &s->cap_tensors, s->m.n_tensors + 1, sizeof(pseg_fmt_tensor)))
          return cfail(s, "out of memory");
        s->m.tensors[s->m.n_tensors] = (pseg_fmt_tensor){1, 1, w->shape[1], s->m.tensors[a->pid].quant};
        pseg_fmt_layer *r = new_layer(s, PSEG_OP_RESHAPE, opi);
        if (!r) return cfail(s, "out of memory");
        r->in0 = a->pid, r->out = src = (int32_t)s->m.n_tensors++;
        ih = iw = 1, ic = w->shape[1];
      }
      if (w->shape[1] != ic)
        return cfail(s, "unsupported TFLite op %s at operator %d (it reads %d values a row, its input has %dx%dx%d: "
                        "only on the channels of each pixel, such as after a global pool, or on the whole map)", name, opi, w->shape[1], ih, iw, ic);
      if (w->shape[0] != occ || oh != ih || ow != iw)
        return cfail(s, "bad shapes at operator %d", opi);
      if (!(l = new_layer(s, PSEG_OP_CONV2D, opi))) return cfail(s, "out of memory");
      l->in0 = src; /* weights [out, in] are [out, 1, 1, in] */
      if (is_int(to) ? add_qweights(s, l, w, b, occ, 0, opi) : add_layer_weights(s, l, w, b, occ, opi)) return -1;
      break;
    }
    case TFL_RESIZE_NEAREST_NEIGHBOR: { /* options: align_corners (0), half_pixel_centers (1) */
      NEED_ACT(0);
      int align = (int)fb_int(f, opts, 0, 1, 0), half = (int)fb_int(f, opts, 1, 1, 0);
      if (!(l = new_layer(s, PSEG_OP_RESIZE_NEAREST, opi))) return cfail(s, "out of memory");
      l->in0 = IN(0)->pid;
      l->aux = align ? 2 : half ? 0 : 1;
      break;
    }
    case TFL_RELU:
    case TFL_RELU6:
    case TFL_HARD_SWISH:
    case TFL_LOGISTIC:
    case TFL_TANH:
    case TFL_EXP:
      NEED_ACT(0);
      if (!(l = new_layer(s, PSEG_OP_ACT, opi))) return cfail(s, "out of memory");
      l->in0 = IN(0)->pid;
      l->act = code == TFL_RELU ? PSEG_ACT_RELU : code == TFL_RELU6 ? PSEG_ACT_RELU6
             : code == TFL_HARD_SWISH ? PSEG_ACT_HARD_SWISH : code == TFL_TANH ? PSEG_ACT_TANH
             : code == TFL_EXP ? PSEG_ACT_EXP : PSEG_ACT_SIGMOID;
      break;
    case TFL_SOFTMAX: {
      NEED_ACT(0);
      size_t bp = fb_field(f, opts, 0);
      float beta = 1.0f;
      if (bp) {
        uint32_t bits = fb_u32(f, bp);
        memcpy(&beta, &bits, 4);
      }
      if (beta != 1.0f) return cfail(s, "unsupported TFLite op SOFTMAX at operator %d (beta != 1)", opi);
      if (!(l = new_layer(s, PSEG_OP_SOFTMAX, opi))) return cfail(s, "out of memory");
      l->in0 = IN(0)->pid;
      break;
    }
    default:
      return cfail(s, "unsupported TFLite op %s at operator %d", name, opi);
    }
#undef IN
#undef NEED_ACT
    if (f->bad) return cfail(s, "corrupt TFLite model (operator %d)", opi);
    if (l->op != PSEG_OP_ACT && map_fused(act_tfl, &l->act))
      return cfail(s, "unsupported TFLite op %s at operator %d (fused activation %d)", name, opi, act_tfl);
    if (to->type != TFL_FLOAT32 && !is_int(to))
      return cfail(s, "unsupported TFLite op %s at operator %d (output neither float32 nor int8 / uint8)", name, opi);
    if (new_tensor(s, (uint32_t)outi, opi)) return -1;
    l->out = to->pid;
  }
  if (materialize_pad(s, (int)gout)) return -1;
  if (s->t[gout].pid < 0) return cfail(s, "model output is not computed by a supported op");
  s->m.output = (uint32_t)s->t[gout].pid;
  if (s->m.n_layers == 0) return cfail(s, "model has no supported layer (its output is its input)");
  if (s->m.tensors[s->m.output].quant > 0) { /* an integer output: its real values */
    if (grow((void **)&s->m.tensors, &s->cap_tensors, s->m.n_tensors + 1, sizeof(pseg_fmt_tensor)))
      return cfail(s, "out of memory");
    s->m.tensors[s->m.n_tensors] = s->m.tensors[s->m.output];
    s->m.tensors[s->m.n_tensors].quant = 0;
    pseg_fmt_layer *l = new_layer(s, PSEG_OP_DEQUANTIZE, (int)n_ops - 1);
    if (!l) return cfail(s, "out of memory");
    l->in0 = (int32_t)s->m.output, l->out = (int32_t)s->m.n_tensors;
    s->m.output = s->m.n_tensors++;
  }
  if (fuse_and_compact(s) || conv_before_resizes(s) || fuse_and_compact(s)) return -1;
  if (add_head(s)) return -1;
  char why[200];
  if (pseg_fmt_validate(&s->m, why, sizeof why)) return cfail(s, "converted model is invalid: %s", why);
  return 0;
}

int pseg_convert_tflite(const void *data, size_t size, pseg_fmt_model *out, char *err, size_t errlen) {
  return pseg_convert_tflite_opts(data, size, NULL, out, err, errlen);
}

int pseg_convert_tflite_opts(const void *data, size_t size, const pseg_convert_options *opt, pseg_fmt_model *out,
                             char *err, size_t errlen) {
  conv_state s;
  memset(&s, 0, sizeof s);
  s.opt = opt ? *opt : (pseg_convert_options){PSEG_OUTPUT_AUTO, -1, {0}, {0}, 0};
  s.f.d = data;
  s.f.n = size;
  s.err = err;
  s.errlen = errlen;
  int rc = convert(&s);
  free(s.t);
  for (uint32_t i = 0; i < s.n_owned; i++) free(s.owned[i]);
  free(s.owned);
  if (rc) {
    pseg_fmt_free(&s.m);
    return -1;
  }
  *out = s.m;
  return 0;
}

int pseg_write_file_atomic(const char *path, const void *data, size_t size, char *err, size_t errlen) {
  char *real = NULL, *tmp = NULL; /* tools/outfile.h: no special files, links written through */
  if (out_resolve(path, &real, err, errlen)) return -1;
  int fd = out_temp(real, &tmp, err, errlen);
  if (fd < 0) return free(real), -1;
  FILE *fp = fdopen(fd, "wb");
  int ok = fp && fwrite(data, 1, size, fp) == size;
  if (fp) ok = (fclose(fp) == 0) && ok;
  else close(fd);
  if (!ok || rename(tmp, real)) {
    snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
    unlink(tmp);
    free(tmp), free(real);
    return -1;
  }
  free(tmp), free(real);
  return 0;
}

int pseg_convert_file(const char *in_path, const char *out_path, const pseg_convert_options *opt, char *err,
                      size_t errlen) {
  void *data;
  size_t size;
  const char *ins[1] = {in_path};
  if (out_check(out_path, ins, 1, err, errlen)) return -1;
  if (pseg_read_file(in_path, &data, &size, err, errlen)) return -1;
  pseg_fmt_model m;
  char why[256];
  if (pseg_convert_tflite_opts(data, size, opt, &m, why, sizeof why)) {
    snprintf(err, errlen, "%s: %s", in_path, why);
    free(data);
    return -1;
  }
  free(data);
  uint8_t *bytes;
  size_t nbytes;
  if (pseg_fmt_serialize(&m, &bytes, &nbytes)) {
    pseg_fmt_free(&m);
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  pseg_fmt_free(&m);
  int rc = pseg_write_file_atomic(out_path, bytes, nbytes, err, errlen);
  free(bytes);
  return rc;
}
