/* Corrupt models never crash the converter or the .pseg reader. Built with AddressSanitizer and
 * UndefinedBehaviorSanitizer, so an out-of-range read fails the test even when it would not
 * crash. Usage: test_corrupt MODEL.tflite
 *
 * - every truncation length of the TFLite file at a stride, and 3000 random single-byte flips:
 *   pseg_convert_tflite returns 0 or -1, and on -1 gives a non-empty one-line message;
 * - the converted .pseg: every truncation and any flipped byte fail the checksum; flips with the
 *   checksum recomputed go through the full validation (return 0 or -1, no crash). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../runtime/format.h"
#include "../tools/convert.h"
#include "tflite_writer.h"

static int fails, passes;

static void expect(int cond, const char *what) {
  if (cond) {
    passes++;
  } else {
    fails++;
    printf("FAIL %s\n", what);
  }
}

static uint32_t rng = 2024u;
static uint32_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return rng;
}

static int one_line(const char *s) { return s[0] && !strchr(s, '\n'); }

/* A .pseg's checksum recomputed after a change: the validator is then what stands in the way */
static void fix_crc(uint8_t *b, size_t n) {
  uint32_t crc = (uint32_t)crc32(0L, b + 16, (uInt)(n - 16));
  b[12] = (uint8_t)crc, b[13] = (uint8_t)(crc >> 8), b[14] = (uint8_t)(crc >> 16), b[15] = (uint8_t)(crc >> 24);
}

/* A model of one layer from tensor 0 to tensor 1 (the format checks of single layers) */
static pseg_fmt_model one_layer(pseg_fmt_tensor t[2], pseg_fmt_layer *l) {
  return (pseg_fmt_model){.n_tensors = 2, .n_layers = 1, .tensors = t, .layers = l, .output = 1, .raw_output = 1};
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: test_corrupt MODEL.tflite\n");
    return 2;
  }
  void *data;
  size_t size;
  char err[512];
  if (pseg_read_file(argv[1], &data, &size, err, sizeof err)) {
    printf("FAIL %s\n", err);
    return 1;
  }
  uint8_t *buf = malloc(size);
  pseg_fmt_model m;

  /* the intact file converts (a model of several output channels: its first taken as the person) */
  pseg_convert_options opt = {PSEG_OUTPUT_AUTO, -1, {0}, {0}, 0};
  int conv_rc = pseg_convert_tflite_opts(data, size, &opt, &m, err, sizeof err);
  if (conv_rc && strstr(err, "which one is the person")) {
    opt.person_channel = 0;
    conv_rc = pseg_convert_tflite_opts(data, size, &opt, &m, err, sizeof err);
  }
  expect(conv_rc == 0, "intact model converts");
  if (conv_rc) {
    printf("%s: %s\n", argv[1], err);
    free(buf), free(data);
    return 1;
  }
  uint8_t *pseg;
  size_t npseg;
  pseg_fmt_serialize(&m, &pseg, &npseg);
  pseg_fmt_free(&m);

  /* truncated TFLite */
  int trunc_ok = 1, trunc_n = 0;
  for (size_t n = 0; n < size; n += (n < 4096 ? 7 : 997)) {
    memcpy(buf, data, n);
    err[0] = 0;
    int rc = pseg_convert_tflite_opts(buf, n, &opt, &m, err, sizeof err);
    if (rc == 0) pseg_fmt_free(&m);
    else if (!one_line(err)) trunc_ok = 0;
    trunc_n++;
    if (n < size / 2 && rc == 0) trunc_ok = 0; /* half a model cannot be complete */
  }
  printf("truncated .tflite: %d lengths tried\n", trunc_n);
  expect(trunc_ok, "truncated .tflite files are rejected with a one-line message");

  /* bit-flipped TFLite: the structure region (first 64 KiB holds tables and vectors) */
  int flip_rejected = 0, flip_ok = 1;
  for (int i = 0; i < 3000; i++) {
    memcpy(buf, data, size);
    size_t pos = next() % size;
    buf[pos] ^= (uint8_t)(1u << (next() % 8));
    err[0] = 0;
    int rc = pseg_convert_tflite_opts(buf, size, &opt, &m, err, sizeof err);
    if (rc == 0) pseg_fmt_free(&m);
    else {
      flip_rejected++;
      if (!one_line(err)) flip_ok = 0;
    }
  }
  printf("bit-flipped .tflite: 3000 tried, %d rejected (the rest flipped weight values)\n", flip_rejected);
  expect(flip_ok, "bit-flipped .tflite files never crash and errors are one line");

  /* .pseg: truncation and flips fail the checksum */
  int pt_ok = 1;
  for (size_t n = 0; n < npseg; n += 13) {
    if (pseg_fmt_parse(pseg, n, &m, err, sizeof err) == 0) {
      pseg_fmt_free(&m);
      pt_ok = 0;
    }
  }
  expect(pt_ok, "every truncated .pseg is rejected");
  int pf_ok = 1, valid_after_fix = 0;
  uint8_t *pb = malloc(npseg);
  for (int i = 0; i < 3000; i++) {
    memcpy(pb, pseg, npseg);
    size_t pos = 16 + next() % (npseg - 16);
    pb[pos] ^= (uint8_t)(1u << (next() % 8));
    if (pseg_fmt_parse(pb, npseg, &m, err, sizeof err) == 0) {
      pseg_fmt_free(&m);
      pf_ok = 0;
    }
    /* recompute the checksum: now the validator is what stands between us and a bad model */
    fix_crc(pb, npseg);
    if (pseg_fmt_parse(pb, npseg, &m, err, sizeof err) == 0) {
      valid_after_fix++;
      pseg_fmt_free(&m);
    } else if (!one_line(err)) {
      pf_ok = 0;
    }
  }
  printf("bit-flipped .pseg: 3000 tried, all failed the checksum; with the checksum fixed %d still valid\n",
         valid_after_fix);
  expect(pf_ok, "bit-flipped .pseg files are rejected by the checksum, and validated without crashing");

  /* a .pseg whose person channel has the high bit set (once passed a signed comparison) */
  memcpy(pb, pseg, npseg);
  pb[40] = pb[41] = pb[42] = pb[43] = 0xff;
  fix_crc(pb, npseg);
  int rc_pc = pseg_fmt_parse(pb, npseg, &m, err, sizeof err);
  if (rc_pc == 0) pseg_fmt_free(&m);
  expect(rc_pc != 0 && strstr(err, "person channel"), "person channel 0xffffffff is rejected");

  /* a layer whose weights start past the end of the blob (fuzz_model found it: the range check
   * once subtracted the offset from the blob's size) */
  int wl = -1; /* the first layer with weights */
  if (pseg_fmt_parse(pseg, npseg, &m, err, sizeof err) == 0) {
    for (uint32_t i = 0; i < m.n_layers && wl < 0; i++)
      if (m.layers[i].w_off >= 0) wl = (int)i;
    pseg_fmt_free(&m);
  }
  if (wl >= 0) {
    memcpy(pb, pseg, npseg);
    uint32_t nt = (uint32_t)pb[16] | (uint32_t)pb[17] << 8 | (uint32_t)pb[18] << 16 | (uint32_t)pb[19] << 24;
    size_t f = (pb[4] == PSEG_FMT_VERSION_NORM3 ? PSEG_FMT_HEADER_SIZE_V3 : PSEG_FMT_HEADER_SIZE) + 16 * (size_t)nt + 64 * (size_t)wl + 4 * 13; /* its w_off */
    pb[f] = 0xf0, pb[f + 1] = 0xff, pb[f + 2] = 0xff, pb[f + 3] = 0x7f;
    fix_crc(pb, npseg);
    int rc_w = pseg_fmt_parse(pb, npseg, &m, err, sizeof err);
    if (rc_w == 0) pseg_fmt_free(&m);
    expect(rc_w != 0 && strstr(err, "weights out of range"), "weights past the end of the blob are rejected");
  }

  /* a TFLite model with no layer pseg runs (only a DEQUANTIZE; its output is its input) */
  tfw *w = tfw_new();
  int shape[4] = {1, 4, 4, 1}, cshape[1] = {2};
  uint16_t half[2] = {0x3c00, 0x4000};
  int in = tfw_tensor(w, "input", TFW_FLOAT32, shape, 4, NULL, 0);
  int c16 = tfw_tensor(w, "c16", TFW_FLOAT16, cshape, 1, half, sizeof half);
  int c32 = tfw_tensor(w, "c32", TFW_FLOAT32, cshape, 1, NULL, 0);
  tfw_dequantize(w, c16, c32);
  uint8_t *tfl;
  size_t ntfl;
  int built = tfw_finish(w, in, in, &tfl, &ntfl) == 0;
  tfw_free(w);
  expect(built, "tflite writer builds the no-layer model");
  if (built) {
    int rc = pseg_convert_tflite(tfl, ntfl, &m, err, sizeof err);
    if (rc == 0) pseg_fmt_free(&m);
    expect(rc != 0 && strstr(err, "no supported layer"), "a model without a supported layer is rejected");
    free(tfl);
  }

  /* a STRIDED_SLICE cropping height and width after a conv (not a transposed conv, which absorbs
   * it) is a SLICE layer of its own, its offsets negative; with stride 2 it is one clear error */
  for (int k = 0; k < 2; k++) {
    tfw *cw = tfw_new();
    static const float cwv[2 * 9 * 1] = {0.5f, 0.25f}, cb[2] = {0.1f, 0.2f};
    const int s_i[4] = {1, 8, 8, 1}, s_c[4] = {1, 8, 8, 2}, s_o[4] = {1, k ? 3 : 6, k ? 3 : 6, 2}, s_w[4] = {2, 3, 3, 1},
              s_b[1] = {2}, s_4[1] = {4};
    const int be[4] = {0, 1, 1, 0}, en[4] = {1, 7, 7, 2}, st[4] = {1, k ? 2 : 1, k ? 2 : 1, 1};
    int ci = tfw_tensor(cw, "input", TFW_FLOAT32, s_i, 4, NULL, 0);
    int cwt = tfw_tensor(cw, "w", TFW_FLOAT32, s_w, 4, cwv, sizeof cwv), cbt = tfw_tensor(cw, "b", TFW_FLOAT32, s_b, 1, cb, sizeof cb);
    int cc = tfw_tensor(cw, "conv", TFW_FLOAT32, s_c, 4, NULL, 0), co = tfw_tensor(cw, "crop", TFW_FLOAT32, s_o, 4, NULL, 0);
    int tb = tfw_tensor(cw, "begin", TFW_INT32, s_4, 1, be, sizeof be), te = tfw_tensor(cw, "end", TFW_INT32, s_4, 1, en, sizeof en);
    int ts = tfw_tensor(cw, "strides", TFW_INT32, s_4, 1, st, sizeof st);
    tfw_conv2d(cw, ci, cwt, cbt, cc, TFW_SAME, 1, 1, TFW_ACT_NONE);
    tfw_strided_slice(cw, cc, tb, te, ts, co);
    int cbuilt = tfw_finish(cw, ci, co, &tfl, &ntfl) == 0;
    tfw_free(cw);
    expect(cbuilt, "tflite writer builds the conv-then-crop model");
    if (cbuilt) {
      int rc = pseg_convert_tflite(tfl, ntfl, &m, err, sizeof err);
      if (k == 0) {
        const pseg_fmt_layer *sl = rc == 0 && m.n_layers >= 2 ? &m.layers[1] : NULL;
        expect(sl && sl->op == PSEG_OP_SLICE && sl->pad_top == -1 && sl->pad_left == -1 && sl->aux == 0 &&
                   m.tensors[sl->out].h == 6 && m.tensors[sl->out].w == 6,
               "a crop of height and width after a conv is a SLICE layer at offset -1, -1");
      } else {
        expect(rc != 0 && strstr(err, "only stride 1") && one_line(err), "a crop of stride 2 is rejected with one line");
      }
      if (rc == 0) pseg_fmt_free(&m);
      free(tfl);
    }
  }
  /* a map RESHAPEd keeping each pixel's channels is read only by ops on each pixel: a conv over
   * the rearranged pixels is one clear error */
  {
    tfw *rw = tfw_new();
    static const float rwv[2 * 9 * 2] = {0.5f, 0.25f}, rb[2] = {0.1f, 0.2f};
    const int s_i[4] = {1, 8, 8, 2}, s_r[4] = {1, 16, 4, 2}, s_w[4] = {2, 3, 3, 2}, s_b[1] = {2}, s_4[1] = {4};
    const int shp[4] = {1, 16, 4, 2};
    int ri = tfw_tensor(rw, "input", TFW_FLOAT32, s_i, 4, NULL, 0), rs = tfw_tensor(rw, "shape", TFW_INT32, s_4, 1, shp, sizeof shp);
    int rr = tfw_tensor(rw, "reshape", TFW_FLOAT32, s_r, 4, NULL, 0), ro = tfw_tensor(rw, "conv", TFW_FLOAT32, s_r, 4, NULL, 0);
    int rwt = tfw_tensor(rw, "w", TFW_FLOAT32, s_w, 4, rwv, sizeof rwv), rbt = tfw_tensor(rw, "b", TFW_FLOAT32, s_b, 1, rb, sizeof rb);
    tfw_op(rw, TFW_OP_RESHAPE, (int[]){ri, rs}, 2, rr);
    tfw_conv2d(rw, rr, rwt, rbt, ro, TFW_SAME, 1, 1, TFW_ACT_NONE);
    int rbuilt = tfw_finish(rw, ri, ro, &tfl, &ntfl) == 0;
    tfw_free(rw);
    expect(rbuilt, "tflite writer builds the reshape-then-conv model");
    if (rbuilt) {
      int rc = pseg_convert_tflite(tfl, ntfl, &m, err, sizeof err);
      if (rc == 0) pseg_fmt_free(&m);
      expect(rc != 0 && strstr(err, "only activations, SOFTMAX") && one_line(err),
             "a conv reading a map reshaped to other rows is rejected with one line");
      free(tfl);
    }
  }
  /* a SLICE reaching past its input, or offset beyond it, is refused by the format */
  {
    pseg_fmt_tensor st[2] = {{8, 8, 4, 0}, {6, 6, 4, 0}};
    pseg_fmt_layer sl = {.op = PSEG_OP_SLICE, .in0 = 0, .in1 = -1, .out = 1, .kh = 1, .kw = 1, .sh = 1, .sw = 1,
                         .w_off = -1, .b_off = -1};
    pseg_fmt_model sm = one_layer(st, &sl);
    expect(pseg_fmt_validate(&sm, err, sizeof err) == 0, "a SLICE of the top-left 6x6 of an 8x8 map is valid");
    sl.pad_top = -9;
    expect(pseg_fmt_validate(&sm, err, sizeof err) != 0 && strstr(err, "slice offset out of range"),
           "a SLICE offset past its input is refused");
    sl.pad_top = 0, sl.aux = 1;
    expect(pseg_fmt_validate(&sm, err, sizeof err) != 0 && strstr(err, "slice out of range"),
           "a SLICE of channels past its input is refused");
  }
  /* an integer ADD of a constant (aux 3): its scale and zero point checked, and only on integer layers */
  {
    pseg_fmt_tensor kt[2] = {{4, 4, 3, 1}, {4, 4, 3, 2}};
    pseg_fmt_quant kq[2] = {{0.05f, 3, PSEG_QTYPE_INT8, 0}, {0.1f, -2, PSEG_QTYPE_INT8, 0}};
    uint8_t kw[16] = {0};
    uint32_t one = 1;
    float ksc = 0.04f;
    int32_t kz = 5;
    memcpy(kw, &one, 4), memcpy(kw + 4, &ksc, 4), kw[8] = 60, memcpy(kw + 12, &kz, 4);
    pseg_fmt_layer kl = {.op = PSEG_OP_ADD, .in0 = 0, .in1 = -1, .out = 1, .kh = 1, .kw = 1, .sh = 1, .sw = 1, .aux = 3,
                         .wtype = PSEG_WTYPE_I8, .w_off = 0, .b_off = 12};
    pseg_fmt_model km = one_layer(kt, &kl);
    km.n_quant = 2, km.quant = kq, km.weights = kw, km.weights_size = 16;
    expect(pseg_fmt_validate(&km, err, sizeof err) == 0, "an int8 ADD of a constant is valid");
    kz = 200, memcpy(kw + 12, &kz, 4);
    expect(pseg_fmt_validate(&km, err, sizeof err) != 0 && strstr(err, "zero point 200 is outside int8"),
           "an int8 ADD of a constant with zero point 200 is refused");
    kz = 5, memcpy(kw + 12, &kz, 4), ksc = 0.0f, memcpy(kw + 4, &ksc, 4);
    expect(pseg_fmt_validate(&km, err, sizeof err) != 0 && strstr(err, "constant's scale"),
           "an int8 ADD of a constant of scale 0 is refused");
    ksc = 0.04f, memcpy(kw + 4, &ksc, 4), kl.b_off = -1;
    expect(pseg_fmt_validate(&km, err, sizeof err) != 0 && strstr(err, "no zero point"), "an int8 constant without its zero point is refused");
    kl.b_off = 12, kt[0].quant = kt[1].quant = 0, kl.wtype = PSEG_WTYPE_F32;
    expect(pseg_fmt_validate(&km, err, sizeof err) != 0 && strstr(err, "constant operand on a float layer"),
           "a float ADD with a constant operand is refused");
  }
  /* an integer average pool keeps its input's scale and zero point */
  {
    pseg_fmt_tensor at[2] = {{4, 4, 3, 1}, {2, 2, 3, 1}};
    pseg_fmt_quant aq[2] = {{0.05f, 3, PSEG_QTYPE_INT8, 0}, {0.1f, 3, PSEG_QTYPE_INT8, 0}};
    pseg_fmt_layer al = {.op = PSEG_OP_AVGPOOL, .in0 = 0, .in1 = -1, .out = 1, .kh = 2, .kw = 2, .sh = 2, .sw = 2,
                         .w_off = -1, .b_off = -1};
    pseg_fmt_model am = one_layer(at, &al);
    am.n_quant = 2, am.quant = aq;
    expect(pseg_fmt_validate(&am, err, sizeof err) == 0, "an int8 2x2 average pool is valid");
    at[1].quant = 2;
    expect(pseg_fmt_validate(&am, err, sizeof err) != 0 && strstr(err, "keeps its input's scale"),
           "an int8 average pool changing the scale is refused");
  }
  /* a RESHAPE keeps the element count */
  {
    pseg_fmt_tensor rt[2] = {{6, 5, 7, 0}, {1, 1, 210, 0}};
    pseg_fmt_layer rl = {.op = PSEG_OP_RESHAPE, .in0 = 0, .in1 = -1, .out = 1, .kh = 1, .kw = 1, .sh = 1, .sw = 1,
                         .w_off = -1, .b_off = -1};
    pseg_fmt_model rm = one_layer(rt, &rl);
    expect(pseg_fmt_validate(&rm, err, sizeof err) == 0, "a RESHAPE of 6x5x7 to 1x1x210 is valid");
    rt[1].c = 209;
    expect(pseg_fmt_validate(&rm, err, sizeof err) != 0 && strstr(err, "another element count"),
           "a RESHAPE to another element count is refused");
  }
  /* a FULLY_CONNECTED over a map of more values than a 1x1 map holds is one clear error */
  {
    tfw *fw = tfw_new();
    const int s_i[4] = {1, 16, 16, 20}, s_w[2] = {2, 5120}, s_o[2] = {1, 2};
    float *fv = calloc(2 * 5120, sizeof(float));
    int fi = tfw_tensor(fw, "input", TFW_FLOAT32, s_i, 4, NULL, 0);
    int fwt = tfw_tensor(fw, "w", TFW_FLOAT32, s_w, 2, fv, 2 * 5120 * sizeof(float));
    int fo = tfw_tensor(fw, "dense", TFW_FLOAT32, s_o, 2, NULL, 0);
    tfw_fully_connected(fw, fi, fwt, -1, fo, TFW_ACT_NONE, 0);
    int fbuilt = tfw_finish(fw, fi, fo, &tfl, &ntfl) == 0;
    tfw_free(fw), free(fv);
    expect(fbuilt, "tflite writer builds the wide dense model");
    if (fbuilt) {
      int rc = pseg_convert_tflite(tfl, ntfl, &m, err, sizeof err);
      if (rc == 0) pseg_fmt_free(&m);
      expect(rc != 0 && strstr(err, "at most 4096 values") && one_line(err),
             "a FULLY_CONNECTED over a 16x16x20 map is rejected with one line");
      free(tfl);
    }
  }

  /* TFLite metadata naming the input's normalization: unusable values and a broken metadata
   * flatbuffer are one clear error each (the graph is the no-layer one above: the metadata is read
   * first) */
  for (int k = 0; k < 3; k++) {
    float mean[1] = {127.5f}, sd[1] = {k == 0 ? 0.0f : 127.5f};
    tfw *mw = tfw_new();
    int min = tfw_tensor(mw, "input", TFW_FLOAT32, shape, 4, NULL, 0);
    int m16 = tfw_tensor(mw, "c16", TFW_FLOAT16, cshape, 1, half, sizeof half);
    tfw_dequantize(mw, m16, tfw_tensor(mw, "c32", TFW_FLOAT32, cshape, 1, NULL, 0));
    tfw_metadata_normalization(mw, mean, 1, sd, k == 2 ? 0 : 1);
    int mb = tfw_finish(mw, min, min, &tfl, &ntfl) == 0;
    tfw_free(mw);
    expect(mb, "tflite writer builds a model with metadata");
    if (!mb) continue;
    uint8_t *id = NULL;
    for (size_t i = 4; i + 4 <= ntfl && !id; i++)
      if (!memcmp(tfl + i, "M001", 4)) id = tfl + i;
    if (k == 1 && id) id[-4] = 0xf0, id[-3] = 0xff, id[-2] = 0xff, id[-1] = 0x7f; /* its root offset */
    int rc = pseg_convert_tflite(tfl, ntfl, &m, err, sizeof err);
    if (rc == 0) pseg_fmt_free(&m);
    const char *want[3] = {"mean 127.5 and std 0: unusable", "corrupt TFLite metadata", "1 means and 0 standard deviations"};
    const char *what[3] = {"metadata with a zero std is rejected", "a corrupt metadata flatbuffer is rejected",
                           "metadata without a std is rejected"};
    expect(id && rc != 0 && strstr(err, want[k]) && one_line(err), what[k]);
    if (rc && !strstr(err, want[k])) fprintf(stderr, "  (said: %s)\n", err);
    free(tfl);
  }

  /* integer models (issue 15): a float input, QUANTIZE, an int8 1x1 conv, DEQUANTIZE; each broken
   * quantization parameter is one clear error of the validator */
  {
    pseg_fmt_tensor qt[4] = {{4, 4, 3, 0}, {4, 4, 3, 1}, {4, 4, 2, 2}, {4, 4, 2, 0}};
    pseg_fmt_quant qq[2] = {{0.02f, -3, PSEG_QTYPE_INT8, 0}, {0.05f, 10, PSEG_QTYPE_INT8, 0}};
    pseg_fmt_layer ql[3] = {{.op = PSEG_OP_QUANTIZE, .in0 = 0, .in1 = -1, .out = 1, .kh = 1, .kw = 1, .sh = 1, .sw = 1, .w_off = -1, .b_off = -1},
                            {.op = PSEG_OP_CONV2D, .in0 = 1, .in1 = -1, .out = 2, .kh = 1, .kw = 1, .sh = 1, .sw = 1,
                             .wtype = PSEG_WTYPE_I8, .w_off = 0, .b_off = 20},
                            {.op = PSEG_OP_DEQUANTIZE, .in0 = 2, .in1 = -1, .out = 3, .kh = 1, .kw = 1, .sh = 1, .sw = 1, .w_off = -1, .b_off = -1}};
    uint8_t qw[28] = {0}; /* nscale 2, scales 0.01 0.02, 6 int8 weights (+2 padding), biases 5, -7 */
    uint32_t ns = 2;
    float sc[2] = {0.01f, 0.02f};
    int32_t bias[2] = {5, -7};
    memcpy(qw, &ns, 4), memcpy(qw + 4, sc, 8);
    for (int k = 0; k < 6; k++) qw[12 + k] = (uint8_t)(int8_t)(k * 20 - 50);
    memcpy(qw + 20, bias, 8);
    pseg_fmt_model qm = {.n_tensors = 4, .n_layers = 3, .input = 0, .output = 3, .raw_output = 3, .input_channels = 3,
                         .tensors = qt, .layers = ql, .n_quant = 2, .quant = qq, .weights = qw, .weights_size = 28};
    char why[256];
    expect(pseg_fmt_validate(&qm, why, sizeof why) == 0, "an integer model validates");
    uint8_t *qb;
    size_t nqb;
    pseg_fmt_serialize(&qm, &qb, &nqb);
    int prc = pseg_fmt_parse(qb, nqb, &m, err, sizeof err);
    expect(prc == 0 && m.n_quant == 2 && m.tensors[2].quant == 2 && m.quant[1].zero_point == 10 && qb[4] == 2,
           "an integer model round-trips as a version 2 file");
    if (prc == 0) pseg_fmt_free(&m);
    qb[4] = 1; /* version 1 with quantization entries */
    fix_crc(qb, nqb);
    prc = pseg_fmt_parse(qb, nqb, &m, err, sizeof err);
    if (prc == 0) pseg_fmt_free(&m);
    expect(prc != 0 && strstr(err, "version 1"), "quantization entries in a version 1 file are rejected");
    free(qb);
    /* a scale and an offset per colour channel: a version 3 file (96-byte header), with or without
     * quantization entries; its reserved bytes must be zero and its values usable */
    for (int k = 0; k < 2; k++) {
      pseg_fmt_model nm = qm;
      pseg_fmt_tensor ft[2] = {{8, 8, 3, 0}, {8, 8, 3, 0}};
      pseg_fmt_layer fl = {.op = PSEG_OP_ACT, .act = PSEG_ACT_RELU, .in0 = 0, .in1 = -1, .out = 1, .kh = 1, .kw = 1, .sh = 1, .sw = 1,
                           .w_off = -1, .b_off = -1};
      if (k) /* a float model: one ReLU */
        nm = (pseg_fmt_model){.n_tensors = 2, .n_layers = 1, .input = 0, .output = 1, .raw_output = 1, .input_channels = 3,
                              .tensors = ft, .layers = &fl};
      float scs[3] = {4.367f, 4.464f, 4.444f}, ofs[3] = {-2.118f, -2.036f, -1.804f};
      memcpy(nm.input_scale, scs, sizeof scs), memcpy(nm.input_offset, ofs, sizeof ofs);
      pseg_fmt_serialize(&nm, &qb, &nqb);
      prc = pseg_fmt_parse(qb, nqb, &m, err, sizeof err);
      expect(prc == 0 && qb[4] == 3 && nqb == (k ? 96u + 2 * 16 + 64 : 96u + 64 + 3 * 64 + 32 + 28) &&
                 !memcmp(m.input_scale, scs, sizeof scs) && !memcmp(m.input_offset, ofs, sizeof ofs) &&
                 m.n_quant == nm.n_quant,
             k ? "per-channel normalization round-trips as a version 3 file"
               : "per-channel normalization with integer tensors round-trips as a version 3 file");
      if (prc == 0) pseg_fmt_free(&m);
      if (k) {
        qb[84] = 1; /* a reserved header byte */
        fix_crc(qb, nqb);
        prc = pseg_fmt_parse(qb, nqb, &m, err, sizeof err);
        if (prc == 0) pseg_fmt_free(&m);
        expect(prc != 0 && strstr(err, "reserved header bytes"), "a version 3 file with reserved bytes set is rejected");
        qb[84] = 0;
        uint32_t nan = 0x7fc00000u;
        memcpy(qb + 72, &nan, 4); /* green's offset */
        fix_crc(qb, nqb);
        prc = pseg_fmt_parse(qb, nqb, &m, err, sizeof err);
        if (prc == 0) pseg_fmt_free(&m);
        expect(prc != 0 && strstr(err, "bad input scale or offset"), "a version 3 file with a NaN offset is rejected");
        memcpy(qb + 72, &ofs[1], 4);
        qb[4] = 1; /* read as version 1: the sections no longer add up */
        fix_crc(qb, nqb);
        prc = pseg_fmt_parse(qb, nqb, &m, err, sizeof err);
        if (prc == 0) pseg_fmt_free(&m);
        expect(prc != 0, "a version 3 file relabelled version 1 is rejected");
      }
      free(qb);
    }
    struct {
      const char *what, *msg;
      int k;
    } bad[] = {{"a zero activation scale", "bad scale", 0},
               {"a zero point outside int8", "outside int8", 1},
               {"3 weight scales for 2 output channels", "weight scales for", 2},
               {"a negative weight scale", "weight scale 1", 3},
               {"a tensor naming a missing quantization entry", "names quantization entry", 4},
               {"an integer conv writing a float tensor", "mixed", 5},
               {"float weights in an integer layer", "float weights in an integer layer", 6},
               {"a NaN activation scale", "bad scale", 7},
               {"an int8 -> int8 QUANTIZE in a model TFLite runs on its builtin kernels (a weight scale of 0)",
                "in a model with scales XNNPACK does not take", 8}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
      pseg_fmt_tensor t2[4];
      pseg_fmt_quant q2[2];
      pseg_fmt_layer l2[3];
      uint8_t w2[28];
      memcpy(t2, qt, sizeof qt), memcpy(q2, qq, sizeof qq), memcpy(l2, ql, sizeof ql), memcpy(w2, qw, sizeof qw);
      pseg_fmt_model b2 = qm;
      b2.tensors = t2, b2.quant = q2, b2.layers = l2, b2.weights = w2;
      float neg = -0.5f;
      uint32_t three = 3;
      switch (bad[i].k) {
      case 0: q2[0].scale = 0; break;
      case 1: q2[1].zero_point = 200; break;
      case 2: memcpy(w2, &three, 4); break;
      case 3: memcpy(w2 + 8, &neg, 4); break;
      case 4: t2[1].quant = 7; break;
      case 5: t2[2].quant = 0; break;
      case 6: l2[1].wtype = PSEG_WTYPE_F32; break;
      case 7: q2[1].scale = NAN; break;
      case 8: { /* channel 0's weight scale 0 (accepted alone: kq_builtin), then a requantization */
        float zero = 0.0f;
        memcpy(w2 + 4, &zero, 4);
        char w0[256];
        expect(pseg_fmt_validate(&b2, w0, sizeof w0) == 0, "a weight scale of 0 (a dead channel) validates");
        l2[2].op = PSEG_OP_QUANTIZE, t2[3].quant = 1;
        break;
      }
      }
      why[0] = 0;
      int rc = pseg_fmt_validate(&b2, why, sizeof why);
      char label[160];
      snprintf(label, sizeof label, "%s is rejected (got: %s)", bad[i].what, rc ? why : "accepted");
      expect(rc != 0 && strstr(why, bad[i].msg) && one_line(why), label);
    }
  }

  /* integer TFLite models (issue 15): uint8 input -> QUANTIZE -> int8 1x1 conv -> DEQUANTIZE; each
   * broken quantization parameter is one clear error of the converter */
  {
    struct {
      const char *what, *msg;
    } qcase[] = {{"a valid integer model", NULL},
                 {"a zero activation scale", "bad scale"},
                 {"an int8 zero point of 200", "outside int8"},
                 {"weights without their per-channel scales", "0 weight scales (0 zero points) for 2 output channels"},
                 {"per-channel scales for the wrong dimension", "along dimension 3, expected 0"},
                 {"a weight zero point of 3", "symmetric"},
                 {"uint8 weights", "weights must be constant int8"},
                 {"a bias of float32", "bias must be 2 constant int32"},
                 {"a negative weight scale", "weight scale 1 is"},
                 {"an activation with two scales", "2 scales"},
                 {"an int8 max pool changing the scale", "must share one scale and zero point"},
                 {"an int8 logistic of output scale 1/255", "output scale 1/256 and zero point -128"},
                 {"an int8 relu of its own", "must be logistic, tanh or hard_swish"},
                 {"an int8 logistic of output scale 1/256, zero point -128", NULL},
                 {"an int8 softmax of output scale 1/255", "softmax must have output scale 1/256 and zero point -128"},
                 {"an int8 softmax of output scale 1/256, zero point -128", NULL},
                 {"an int8 hard_swish of output scale below its input's / 128", "above its input scale / 128"},
                 {"an int8 hard_swish of output scale 0.05", NULL}};
    for (int k = 0; k < (int)(sizeof qcase / sizeof qcase[0]); k++) {
      tfw *qw = tfw_new();
      int s_in[4] = {1, 4, 4, 3}, s_w[4] = {2, 1, 1, 3}, s_b[1] = {2}, s_o[4] = {1, 4, 4, 2};
      int8_t wv[6] = {10, -20, 30, 40, -50, 60};
      int32_t bv[2] = {100, -200};
      float fb[2] = {1, 2};
      int qin = tfw_tensor(qw, "in", TFW_UINT8, s_in, 4, NULL, 0);
      int q8 = tfw_tensor(qw, "q8", TFW_INT8, s_in, 4, NULL, 0);
      int wt = tfw_tensor(qw, "w", k == 6 ? TFW_UINT8 : TFW_INT8, s_w, 4, wv, sizeof wv);
      int bt = k == 7 ? tfw_tensor(qw, "b", TFW_FLOAT32, s_b, 1, fb, sizeof fb) : tfw_tensor(qw, "b", TFW_INT32, s_b, 1, bv, sizeof bv);
      int co = tfw_tensor(qw, "conv", TFW_INT8, s_o, 4, NULL, 0);
      int out = tfw_tensor(qw, "out", TFW_FLOAT32, s_o, 4, NULL, 0);
      int mp = k == 10 ? tfw_tensor(qw, "pool", TFW_INT8, s_o, 4, NULL, 0) : -1; /* a MAX_POOL_2D after the conv */
      int ac = k >= 11 ? tfw_tensor(qw, "act", TFW_INT8, s_o, 4, NULL, 0) : -1; /* a LOGISTIC, RELU or SOFTMAX after it */
      float sc1 = 1.0f / 127.5f, sc2[2] = {0.02f, k == 8 ? -0.03f : 0.03f}, sc3 = 0.05f, bsc[2] = {sc1 * 0.02f, sc1 * 0.03f};
      int64_t z128 = 128, z0 = 0, zc = k == 2 ? 200 : -4, zw[2] = {0, k == 5 ? 3 : 0}, zb[2] = {0, 0};
      tfw_quantization(qw, qin, &sc1, &z128, 1, 0);
      tfw_quantization(qw, q8, k == 1 ? (float[]){0.0f} : &sc1, &z0, 1, 0);
      if (k != 3) tfw_quantization(qw, wt, sc2, zw, 2, k == 4 ? 3 : 0);
      tfw_quantization(qw, bt, bsc, zb, 2, 0);
      if (k == 9) tfw_quantization(qw, co, (float[]){sc3, sc3}, (int64_t[]){0, 0}, 2, 3);
      else tfw_quantization(qw, co, &sc3, &zc, 1, 0);
      tfw_op(qw, TFW_OP_QUANTIZE, &qin, 1, q8);
      tfw_conv2d(qw, q8, wt, bt, co, TFW_VALID, 1, 1, TFW_ACT_NONE);
      if (mp >= 0) {
        tfw_quantization(qw, mp, (float[]){2 * sc3}, &zc, 1, 0);
        tfw_max_pool2d(qw, co, mp, 1, 1, 1, 1, TFW_VALID);
      }
      if (ac >= 0) {
        tfw_quantization(qw, ac, (float[]){k == 11 || k == 14 ? 1.0f / 255 : k == 16 ? 1e-4f : k == 17 ? 0.05f : 1.0f / 256},
                         (int64_t[]){-128}, 1, 0);
        if (k >= 16) tfw_simple(qw, TFW_OP_HARD_SWISH, co, ac);
        else if (k >= 14) tfw_softmax(qw, co, ac, 1.0f); /* over the conv's 2 channels */
        else tfw_simple(qw, k == 12 ? TFW_OP_RELU : TFW_OP_LOGISTIC, co, ac);
      }
      tfw_dequantize(qw, ac >= 0 ? ac : mp >= 0 ? mp : co, out);
      uint8_t *qt;
      size_t nqt;
      int qbuilt = tfw_finish(qw, qin, out, &qt, &nqt) == 0;
      tfw_free(qw);
      expect(qbuilt, "tflite writer builds the integer model");
      if (!qbuilt) continue;
      err[0] = 0;
      int rc = pseg_convert_tflite(qt, nqt, &m, err, sizeof err);
      if (rc == 0) {
        if (k == 0) /* the conv's integers: the version 2 file's tensors and weights */
          expect(m.n_quant == 2 && m.layers[1].wtype == PSEG_WTYPE_I8 && m.quant[0].zero_point == 0 &&
                     m.input_scale[0] > 1.99f && m.input_scale[0] < 2.01f && m.input_scale[2] == m.input_scale[0],
                 "a valid integer model converts with its quantization");
        pseg_fmt_free(&m);
      }
      char label[200];
      snprintf(label, sizeof label, "%s %s (got: %s)", qcase[k].what, qcase[k].msg ? "is rejected" : "converts",
               rc ? err : "converted");
      int qok = qcase[k].msg ? rc != 0 && strstr(err, qcase[k].msg) && one_line(err) : rc == 0;
      if (qok) printf("ok   %s\n", label);
      expect(qok, label);
      free(qt);
    }
  }

  free(pb);
  free(pseg);
  free(buf);
  free(data);
  printf("%d passed, %d failed\n", passes, fails);
  return fails ? 1 : 0;
}
