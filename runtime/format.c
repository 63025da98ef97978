#define _POSIX_C_SOURCE 200809L
#include "format.h"

#include "../kernels/kernels.h" /* the op table: each op's own checks and weights */

#include <errno.h>
#include <sys/stat.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

const char *pseg_op_name(int op) {
  switch (op) {
#define PSEG_OP_STR(name, value, str)                                                              \
  case value:                                                                                      \
    return str;
    PSEG_OP_MAP(PSEG_OP_STR)
#undef PSEG_OP_STR
  }
  return "unknown";
}

const char *pseg_act_name(int act) {
  switch (act) {
#define PSEG_ACT_STR(name, value, str)                                                             \
  case value:                                                                                      \
    return str;
    PSEG_ACT_MAP(PSEG_ACT_STR)
#undef PSEG_ACT_STR
  }
  return "unknown";
}

float pseg_half_to_float(uint16_t h) {
  uint32_t sign = (uint32_t)(h >> 15) & 1u, exp = (h >> 10) & 0x1fu, man = h & 0x3ffu;
  float v;
  if (exp == 0)
    v = ldexpf((float)man, -24);
  else if (exp == 31)
    v = man ? NAN : INFINITY;
  else
    v = ldexpf((float)(man | 0x400u), (int)exp - 25);
  return sign ? -v : v;
}

uint16_t pseg_float_to_half(float f) {
  uint32_t x;
  memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000u;
  uint32_t exp = (x >> 23) & 0xffu, man = x & 0x7fffffu;
  if (exp == 255) return (uint16_t)(sign | 0x7c00u | (man ? 0x200u : 0));
  int e = (int)exp - 127 + 15;
  if (e >= 31) return (uint16_t)(sign | 0x7c00u);
  if (e <= 0) {
    if (e < -10) return (uint16_t)sign;
    man |= 0x800000u;
    uint32_t shift = (uint32_t)(14 - e);
    uint32_t half = man >> shift;
    uint32_t rem = man & ((1u << shift) - 1u), mid = 1u << (shift - 1u);
    if (rem > mid || (rem == mid && (half & 1u))) half++;
    return (uint16_t)(sign | half);
  }
  uint32_t half = sign | ((uint32_t)e << 10) | (man >> 13);
  uint32_t rem = man & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (half & 1u))) half++; /* may carry into exp: fine */
  return (uint16_t)half;
}

static void seterr(char *err, size_t errlen, const char *fmt, ...) {
  if (!err || !errlen) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
}

static uint32_t rd32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static void wr32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

int pseg_read_file(const char *path, void **data, size_t *size, char *err, size_t errlen) {
  *data = NULL;
  *size = 0;
  FILE *fp = fopen(path, "rb");
  if (!fp) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return -1;
  }
  struct stat st;
  if (fstat(fileno(fp), &st) || !S_ISREG(st.st_mode)) {
    snprintf(err, errlen, "%s: not a regular file", path);
    fclose(fp);
    return -1;
  }
  if (st.st_size > (off_t)1 << 30) {
    snprintf(err, errlen, "%s: file too large", path);
    fclose(fp);
    return -1;
  }
  size_t n = (size_t)st.st_size;
  void *b = malloc(n ? n : 1);
  if (!b || fread(b, 1, n, fp) != n) {
    snprintf(err, errlen, "%s: read error", path);
    free(b);
    fclose(fp);
    return -1;
  }
  fclose(fp);
  *data = b;
  *size = n;
  return 0;
}

void pseg_fmt_read_values(const pseg_fmt_model *m, int32_t off, size_t n, int wtype, float *dst) {
  const uint8_t *p = m->weights + off;
  if (wtype != PSEG_WTYPE_F16) {
    memcpy(dst, p, n * 4);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    uint16_t h;
    memcpy(&h, p + 2 * i, 2);
    dst[i] = pseg_half_to_float(h);
  }
}

const pseg_fmt_quant *pseg_fmt_tensor_quant(const pseg_fmt_model *m, int32_t t) {
  int32_t q = m->tensors[t].quant;
  return q > 0 && (uint32_t)q <= m->n_quant ? &m->quant[q - 1] : NULL;
}

int pseg_fmt_weight_bytes(const pseg_fmt_model *m, const pseg_fmt_layer *l, size_t wcount, size_t bcount,
                          size_t *wbytes, size_t *bbytes) {
  *wbytes = *bbytes = 0;
  if (l->wtype == PSEG_WTYPE_F16 || l->wtype == PSEG_WTYPE_F32) {
    size_t es = l->wtype == PSEG_WTYPE_F16 ? 2 : 4;
    *wbytes = wcount * es, *bbytes = bcount * es;
    return 0;
  }
  if (l->wtype != PSEG_WTYPE_I8 || l->w_off < 0 || (size_t)l->w_off + 4 > m->weights_size) return -1;
  uint32_t ns = rd32(m->weights + l->w_off);
  if (ns == 0 || ns > PSEG_FMT_MAX_CHANNELS) return -1;
  *wbytes = 4 + 4 * (size_t)ns + ((wcount + 3) & ~(size_t)3), *bbytes = 4 * bcount;
  return 0;
}

static kshape tshape(const pseg_fmt_model *m, int32_t t) {
  return (kshape){m->tensors[t].h, m->tensors[t].w, m->tensors[t].c};
}

int pseg_fmt_weight_count(const pseg_fmt_model *m, const pseg_fmt_layer *l, size_t *wcount,
                          size_t *bcount) {
  const pseg_op_def *d = pseg_op_def_of(l->op);
  *wcount = *bcount = 0;
  if (!d || !d->weights) return 0;
  d->weights(l, tshape(m, l->in0), tshape(m, l->out), wcount, bcount);
  return *wcount || *bcount;
}

#define FAIL(...)                                                                                  \
  do {                                                                                             \
    seterr(err, errlen, __VA_ARGS__);                                                              \
    return -1;                                                                                     \
  } while (0)

static int tensor_ok(const pseg_fmt_model *m, int32_t t) { return t >= 0 && (uint32_t)t < m->n_tensors; }

int pseg_fmt_validate(const pseg_fmt_model *m, char *err, size_t errlen) {
  if (m->n_tensors == 0 || m->n_tensors > PSEG_FMT_MAX_TENSORS) FAIL("bad tensor count %u", m->n_tensors);
  if (m->n_layers == 0 || m->n_layers > PSEG_FMT_MAX_LAYERS) FAIL("bad layer count %u", m->n_layers);
  for (uint32_t i = 0; i < m->n_tensors; i++) {
    const pseg_fmt_tensor *t = &m->tensors[i];
    if (t->h < 1 || t->w < 1 || t->c < 1 || t->h > PSEG_FMT_MAX_DIM || t->w > PSEG_FMT_MAX_DIM ||
        t->c > PSEG_FMT_MAX_CHANNELS)
      FAIL("tensor %u has a bad shape %dx%dx%d", i, t->h, t->w, t->c);
    if (t->quant < 0 || (uint32_t)t->quant > m->n_quant) FAIL("tensor %u names quantization entry %d of %u", i, t->quant, m->n_quant);
  }
  if (m->n_quant > PSEG_FMT_MAX_QUANT) FAIL("bad quantization entry count %u", m->n_quant);
  for (uint32_t i = 0; i < m->n_quant; i++) {
    const pseg_fmt_quant *q = &m->quant[i];
    if (q->type != PSEG_QTYPE_INT8) FAIL("quantization entry %u has an unknown type %d", i, q->type);
    if (!(q->scale > 0.0f && q->scale <= 1e30f)) FAIL("quantization entry %u has a bad scale %g (must be positive and finite)", i, (double)q->scale);
    if (q->zero_point < -128 || q->zero_point > 127) FAIL("quantization entry %u has a zero point %d outside int8", i, q->zero_point);
  }
  if (m->input >= m->n_tensors || m->output >= m->n_tensors) FAIL("bad input/output tensor index");
  const pseg_fmt_tensor *tin = &m->tensors[m->input], *tout = &m->tensors[m->output];
  if (m->head != PSEG_HEAD_PROBABILITY) FAIL("unknown head kind %u", m->head);
  if (m->person_channel >= (uint32_t)tout->c) FAIL("person channel %u out of range", m->person_channel);
  if (m->raw_output >= m->n_tensors) FAIL("bad raw output tensor index");
  for (int c = 0; c < 3; c++)
    if (!(m->input_scale[c] >= 0 && m->input_scale[c] < 1e6f) || !(m->input_offset[c] > -1e6f && m->input_offset[c] < 1e6f))
      FAIL("bad input scale or offset");
  if (m->input_channels && (m->input_channels < (uint32_t)tin->c || m->input_channels > PSEG_FMT_MAX_CHANNELS))
    FAIL("bad input channel count");
  if (m->weights_size % 4) FAIL("weight blob size not a multiple of 4");

  /* Every tensor is produced once, before use. */
  uint8_t *ready = calloc(m->n_tensors, 1);
  if (!ready) FAIL("out of memory");
  ready[m->input] = 1;
  int rc = -1;
  for (uint32_t i = 0; i < m->n_layers; i++) {
    const pseg_fmt_layer *l = &m->layers[i];
    const char *name = pseg_op_name(l->op);
#define LFAIL(...)                                                                                 \
  do {                                                                                             \
    char msg_[160];                                                                                \
    snprintf(msg_, sizeof msg_, __VA_ARGS__);                                                      \
    seterr(err, errlen, "layer %u (%s): %s", i, name, msg_);                                       \
    goto done;                                                                                     \
  } while (0)
    const pseg_op_def *def = pseg_op_def_of(l->op);
    if (!def) LFAIL("unknown op %d", l->op);
    if (l->act < PSEG_ACT_NONE || l->act > PSEG_ACT_EXP) LFAIL("unknown activation %d", l->act);
    if (!tensor_ok(m, l->in0) || !tensor_ok(m, l->out)) LFAIL("bad tensor index");
    if (!ready[l->in0]) LFAIL("input tensor %d used before it is computed", l->in0);
    int konst = (l->op == PSEG_OP_ADD || l->op == PSEG_OP_MUL) && l->aux == 3; /* a constant operand (kernels/eltwise.c) */
    if (def->n_in == 2 && !(konst && l->in1 == -1)) {
      if (!tensor_ok(m, l->in1)) LFAIL("bad second input");
      if (!ready[l->in1]) LFAIL("input tensor %d used before it is computed", l->in1);
    } else if (l->in1 != -1)
      LFAIL("unexpected second input");
    if (ready[l->out] || l->out == l->in0 || l->out == l->in1) LFAIL("output tensor %d written twice", l->out);
    const char *why = def->check ? def->check(l, tshape(m, l->in0), tshape(m, l->in1 >= 0 ? l->in1 : l->in0),
                                              tshape(m, l->out))
                                 : NULL;
    if (why) LFAIL("%s", why);
    /* integer layers: every tensor integer (QUANTIZE: its output; DEQUANTIZE: its input), their
     * references in kernels/ and int8 weights; float layers: no integer tensor */
    int qin0 = m->tensors[l->in0].quant > 0, qin1 = l->in1 >= 0 && m->tensors[l->in1].quant > 0;
    int qout = m->tensors[l->out].quant > 0, integer = qout || l->op == PSEG_OP_DEQUANTIZE;
    if (l->op == PSEG_OP_QUANTIZE ? !qout : l->op == PSEG_OP_DEQUANTIZE ? !qin0 || qout : qin0 != qout || qin1 != (qout && l->in1 >= 0))
      LFAIL("integer and float tensors mixed (QUANTIZE and DEQUANTIZE convert between them)");
    if (integer && l->op != PSEG_OP_QUANTIZE && l->op != PSEG_OP_DEQUANTIZE && !def->qref)
      LFAIL("no integer version of this op");
    if (integer && def->qref == kq_pass_ref) {
      const char *pw = kq_pass_ok(m, l);
      if (pw) LFAIL("an integer %s: %s", pseg_op_name(l->op), pw);
    }
    if (integer && l->op == PSEG_OP_ACT) {
      const char *why = kq_lut_ok(kq_of(m, l->in0), kq_of(m, l->out), l->act);
      if (why) LFAIL("%s", why);
    } else if (integer && l->act != PSEG_ACT_NONE && l->act != PSEG_ACT_RELU && l->act != PSEG_ACT_RELU6)
      LFAIL("integer layers take no activation but relu and relu6");
    if (konst && (!integer || l->wtype != PSEG_WTYPE_I8)) LFAIL("a constant operand on a float layer");
    if (integer && l->op == PSEG_OP_AVGPOOL &&
        (kq_of(m, l->in0).scale != kq_of(m, l->out).scale || kq_of(m, l->in0).zp != kq_of(m, l->out).zp))
      LFAIL("an integer average pool keeps its input's scale and zero point (as TFLite requires)");
    if (integer && l->op == PSEG_OP_SOFTMAX) {
      const char *why = kq_softmax_ok(kq_of(m, l->out));
      if (why) LFAIL("%s", why);
    }
    size_t wc, bc;
    if (pseg_fmt_weight_count(m, l, &wc, &bc)) {
      size_t wb, bb;
      if ((l->wtype == PSEG_WTYPE_I8) != integer) LFAIL("%s weights in an %s layer", l->wtype == PSEG_WTYPE_I8 ? "int8" : "float", integer ? "integer" : "float");
      if (l->w_off < 0 || l->w_off % 4 || (uint32_t)l->w_off > m->weights_size ||
          pseg_fmt_weight_bytes(m, l, wc, bc, &wb, &bb) || wb > m->weights_size - (size_t)l->w_off)
        LFAIL("weights out of range");
      if (l->b_off != -1 && (l->b_off < 0 || l->b_off % 4 || (size_t)l->b_off + bb > m->weights_size))
        LFAIL("bias out of range");
      if (l->wtype == PSEG_WTYPE_I8) {
        uint32_t ns = rd32(m->weights + l->w_off);
        if (ns != 1 && ns != bc)
          LFAIL("%u weight scales for %zu output channels", ns, bc);
        for (uint32_t k = 0; k < ns; k++) {
          float sc;
          memcpy(&sc, m->weights + l->w_off + 4 + 4 * k, 4);
          if (!(sc >= 0.0f)) LFAIL("weight scale %u is %g (must be 0 or positive)", k, (double)sc);
          if (konst && !(sc > 0.0f && sc <= 1e30f)) LFAIL("the constant's scale is %g (must be positive and finite)", (double)sc);
        }
        int32_t kz;
        if (konst && l->b_off < 0) LFAIL("the constant has no zero point");
        if (konst && (memcpy(&kz, m->weights + l->b_off, 4), kz < -128 || kz > 127)) LFAIL("the constant's zero point %d is outside int8", kz);
      }
    }
    ready[l->out] = 1;
#undef LFAIL
  }
  if (!ready[m->output]) {
    seterr(err, errlen, "output tensor is never computed");
    goto done;
  }
  if (kq_builtin(m)) /* TFLite runs such a model on its builtin kernels: the integer ops pseg has their arithmetic for */
    for (uint32_t i = 0; i < m->n_layers; i++) {
      const pseg_fmt_layer *l = &m->layers[i];
      int op = l->op, integer = m->tensors[l->out].quant > 0;
      if (integer && (op == PSEG_OP_ACT || op == PSEG_OP_RESIZE_BILINEAR || op == PSEG_OP_MUL || op == PSEG_OP_MEAN ||
                      (op == PSEG_OP_ADD && l->aux != 0) ||
                      (op == PSEG_OP_QUANTIZE && m->tensors[l->in0].quant > 0))) {
        seterr(err, errlen, "layer %u: an integer %s in a model with scales XNNPACK does not take (0, denormal or inf: TFLite "
               "then runs every layer on its builtin kernels, whose arithmetic pseg has only for convs, adds, transposed convs, "
               "softmax and the ops that move values)", i, pseg_op_name(op));
        goto done;
      }
      kqaddf f;
      if (integer && op == PSEG_OP_ADD && kq_addf_params(kq_of(m, l->in0), kq_of(m, l->in1), kq_of(m, l->out), &f)) {
        seterr(err, errlen, "layer %u: an integer add whose scales TFLite's builtin kernel refuses (a multiplier not below 1)", i);
        goto done;
      }
    }
  rc = 0;
done:
  free(ready);
  return rc;
}

int pseg_fmt_serialize(const pseg_fmt_model *m, uint8_t **out, size_t *out_size) {
  int norm3 = !pseg_fmt_input_uniform(m);
  size_t hdr = norm3 ? PSEG_FMT_HEADER_SIZE_V3 : PSEG_FMT_HEADER_SIZE;
  size_t size = hdr + 16u * m->n_tensors + 64u * m->n_layers + 16u * m->n_quant + m->weights_size;
  uint8_t *b = calloc(1, size);
  if (!b) return -1;
  memcpy(b, PSEG_FMT_MAGIC, 4);
  wr32(b + 4, norm3 ? PSEG_FMT_VERSION_NORM3 : m->n_quant ? PSEG_FMT_VERSION_QUANT : PSEG_FMT_VERSION);
  wr32(b + 8, (uint32_t)size);
  wr32(b + 16, m->n_tensors);
  wr32(b + 20, m->n_layers);
  wr32(b + 24, m->weights_size);
  wr32(b + 28, m->input);
  wr32(b + 32, m->output);
  wr32(b + 36, m->head);
  wr32(b + 40, m->person_channel);
  wr32(b + 44, m->raw_output == m->output ? 0 : m->raw_output + 1);
  wr32(b + 48, m->input_channels == (uint32_t)m->tensors[m->input].c ? 0 : m->input_channels);
  uint32_t sb[3], ob[3];
  memcpy(sb, m->input_scale, 12), memcpy(ob, m->input_offset, 12);
  wr32(b + 52, sb[0]), wr32(b + 56, ob[0]);
  wr32(b + 60, m->n_quant);
  if (norm3) wr32(b + 64, sb[1]), wr32(b + 68, sb[2]), wr32(b + 72, ob[1]), wr32(b + 76, ob[2]);
  uint8_t *p = b + hdr;
  for (uint32_t i = 0; i < m->n_tensors; i++, p += 16) {
    const pseg_fmt_tensor *t = &m->tensors[i];
    wr32(p, (uint32_t)t->h);
    wr32(p + 4, (uint32_t)t->w);
    wr32(p + 8, (uint32_t)t->c);
    wr32(p + 12, (uint32_t)t->quant);
  }
  for (uint32_t i = 0; i < m->n_layers; i++, p += 64) {
    const int32_t *f = &m->layers[i].op;
    for (int k = 0; k < 16; k++) wr32(p + 4 * k, (uint32_t)f[k]);
  }
  for (uint32_t i = 0; i < m->n_quant; i++, p += 16) {
    uint32_t sc;
    memcpy(&sc, &m->quant[i].scale, 4);
    wr32(p, sc), wr32(p + 4, (uint32_t)m->quant[i].zero_point), wr32(p + 8, (uint32_t)m->quant[i].type);
  }
  if (m->weights_size) memcpy(p, m->weights, m->weights_size);
  wr32(b + 12, (uint32_t)crc32(0L, b + 16, (uInt)(size - 16)));
  *out = b;
  *out_size = size;
  return 0;
}

void pseg_fmt_free(pseg_fmt_model *m) {
  if (!m) return;
  free(m->tensors);
  free(m->layers);
  free(m->quant);
  free(m->weights);
  memset(m, 0, sizeof *m);
}

int pseg_fmt_parse(const void *data, size_t size, pseg_fmt_model *m, char *err, size_t errlen) {
  const uint8_t *b = data;
  memset(m, 0, sizeof *m);
  if (!data || size < PSEG_FMT_HEADER_SIZE) FAIL("not a .pseg model (file too short: %zu bytes)", size);
  if (memcmp(b, PSEG_FMT_MAGIC, 4)) FAIL("not a .pseg model (bad magic)");
  uint32_t version = rd32(b + 4);
  if (version != PSEG_FMT_VERSION && version != PSEG_FMT_VERSION_QUANT && version != PSEG_FMT_VERSION_NORM3)
    FAIL("unsupported .pseg version %u (this build reads %u to %u)", version, PSEG_FMT_VERSION, PSEG_FMT_VERSION_NORM3);
  size_t hdr = version == PSEG_FMT_VERSION_NORM3 ? PSEG_FMT_HEADER_SIZE_V3 : PSEG_FMT_HEADER_SIZE;
  if (size < hdr) FAIL("not a .pseg model (file too short: %zu bytes)", size);
  if (rd32(b + 8) != size) FAIL("truncated or padded .pseg model (header says %u bytes, got %zu)", rd32(b + 8), size);
  uint32_t crc = (uint32_t)crc32(0L, b + 16, (uInt)(size - 16));
  if (crc != rd32(b + 12)) FAIL("corrupt .pseg model (checksum mismatch)");
  m->n_tensors = rd32(b + 16);
  m->n_layers = rd32(b + 20);
  m->weights_size = rd32(b + 24);
  m->input = rd32(b + 28);
  m->output = rd32(b + 32);
  m->head = rd32(b + 36);
  m->person_channel = rd32(b + 40);
  uint32_t raw = rd32(b + 44), ich = rd32(b + 48), sb[3] = {rd32(b + 52)}, ob[3] = {rd32(b + 56)};
  if (version == PSEG_FMT_VERSION_NORM3) {
    sb[1] = rd32(b + 64), sb[2] = rd32(b + 68), ob[1] = rd32(b + 72), ob[2] = rd32(b + 76);
    for (int k = 80; k < 96; k += 4)
      if (rd32(b + k)) FAIL("corrupt .pseg model (reserved header bytes are not zero)");
  } else {
    sb[1] = sb[2] = sb[0], ob[1] = ob[2] = ob[0];
  }
  memcpy(m->input_scale, sb, 12), memcpy(m->input_offset, ob, 12);
  m->n_quant = rd32(b + 60);
  if (version == PSEG_FMT_VERSION && m->n_quant) FAIL("corrupt .pseg model (quantization entries in a version 1 file)");
  if (m->n_tensors > PSEG_FMT_MAX_TENSORS || m->n_layers > PSEG_FMT_MAX_LAYERS || m->n_quant > PSEG_FMT_MAX_QUANT)
    FAIL("corrupt .pseg model (too many tensors, layers or quantization entries)");
  uint64_t need = hdr + 16ull * m->n_tensors + 64ull * m->n_layers + 16ull * m->n_quant + m->weights_size;
  if (need != size) FAIL("corrupt .pseg model (section sizes do not add up)");
  m->tensors = calloc(m->n_tensors ? m->n_tensors : 1, sizeof *m->tensors);
  m->layers = calloc(m->n_layers ? m->n_layers : 1, sizeof *m->layers);
  m->quant = calloc(m->n_quant ? m->n_quant : 1, sizeof *m->quant);
  m->weights = malloc(m->weights_size ? m->weights_size : 1);
  if (!m->tensors || !m->layers || !m->quant || !m->weights) {
    pseg_fmt_free(m);
    FAIL("out of memory");
  }
  const uint8_t *p = b + hdr;
  for (uint32_t i = 0; i < m->n_tensors; i++, p += 16) {
    m->tensors[i].h = (int32_t)rd32(p);
    m->tensors[i].w = (int32_t)rd32(p + 4);
    m->tensors[i].c = (int32_t)rd32(p + 8);
    m->tensors[i].quant = (int32_t)rd32(p + 12);
  }
  for (uint32_t i = 0; i < m->n_layers; i++, p += 64) {
    int32_t *f = &m->layers[i].op;
    for (int k = 0; k < 16; k++) f[k] = (int32_t)rd32(p + 4 * k);
  }
  for (uint32_t i = 0; i < m->n_quant; i++, p += 16) {
    uint32_t sc = rd32(p);
    memcpy(&m->quant[i].scale, &sc, 4);
    m->quant[i].zero_point = (int32_t)rd32(p + 4), m->quant[i].type = (int32_t)rd32(p + 8);
  }
  memcpy(m->weights, p, m->weights_size);
  m->raw_output = raw ? raw - 1 : m->output;
  m->input_channels = ich ? ich : m->input < m->n_tensors ? (uint32_t)m->tensors[m->input].c : 0;
  char why[200];
  if (pseg_fmt_validate(m, why, sizeof why)) {
    pseg_fmt_free(m);
    FAIL("invalid .pseg model: %s", why);
  }
  m->builtin_int = (uint32_t)kq_builtin(m) + 1; /* asked for every integer layer many times over while planning */
  return 0;
}
