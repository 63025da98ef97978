/* Self-test for tests/tflite_writer.c: builds three tiny TFLite models and writes them out.
 *
 *   test_tflite_writer A.tflite B.tflite C.tflite [INPUT.f32 EXPECTED.f32]
 *
 *   A: input [1,8,8,3] -> CONV_2D 1x1 (3->2, float32 weights and bias) -> SOFTMAX        [1,8,8,2]
 *   B: the same with FLOAT16 weights and bias, each through a DEQUANTIZE op             [1,8,8,2]
 *   C: input -> CONV_2D 1x1 (3->2) -> FLOOR -> LOGISTIC (FLOOR is not supported by pseg: operator 1)
 *
 * The weights are exact in float16, so A and B compute the same function. With the optional paths
 * it also writes a raw float32 input [1,8,8,3] and the expected A/B output [1,8,8,2], computed
 * here by hand in double precision, for tests/tflite_writer_check.js --compare. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tflite_writer.h"

static const float W[2][3] = {{1.0f, -0.5f, 0.25f}, {-1.0f, 0.5f, 2.0f}}; /* [out][1][1][in] */
static const float B[2] = {0.125f, -0.25f};

static int fails;
#define CHECK(c)                                                      \
  do {                                                                \
    if (!(c)) {                                                       \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c); \
      fails++;                                                        \
    }                                                                 \
  } while (0)

static int save(tfw *w, int in, int out, const char *path) {
  uint8_t *buf;
  size_t n;
  if (tfw_finish(w, in, out, &buf, &n)) {
    fprintf(stderr, "tfw_finish failed for %s\n", path);
    return -1;
  }
  /* root uoffset, file identifier, 16-byte padded size */
  CHECK(n >= 8 && !memcmp(buf + 4, "TFL3", 4) && n % 16 == 0);
  int rc = tfw_write_file(path, buf, n);
  if (rc) fprintf(stderr, "cannot write %s\n", path);
  else printf("wrote %s (%zu bytes)\n", path, n);
  free(buf);
  return rc;
}

/* kind 0: A (float32 weights), 1: B (float16 weights + DEQUANTIZE), 2: C (FLOOR + LOGISTIC). */
static int build(int kind, const char *path) {
  tfw *w = tfw_new();
  if (!w) return -1;
  const int ish[4] = {1, 8, 8, 3}, osh[4] = {1, 8, 8, 2}, wsh[4] = {2, 1, 1, 3}, bsh[1] = {2};
  int in = tfw_tensor(w, "input", TFW_FLOAT32, ish, 4, NULL, 0);
  int wt, bt;
  if (kind == 1) {
    uint16_t wh[6], bh[2];
    for (int i = 0; i < 6; i++) wh[i] = tfw_f32_to_f16(W[i / 3][i % 3]);
    for (int i = 0; i < 2; i++) bh[i] = tfw_f32_to_f16(B[i]);
    int wh_t = tfw_tensor(w, "conv/weights_fp16", TFW_FLOAT16, wsh, 4, wh, sizeof wh);
    int bh_t = tfw_tensor(w, "conv/bias_fp16", TFW_FLOAT16, bsh, 1, bh, sizeof bh);
    wt = tfw_tensor(w, "conv/weights", TFW_FLOAT32, wsh, 4, NULL, 0);
    bt = tfw_tensor(w, "conv/bias", TFW_FLOAT32, bsh, 1, NULL, 0);
    tfw_dequantize(w, wh_t, wt);
    tfw_dequantize(w, bh_t, bt);
  } else {
    wt = tfw_tensor(w, "conv/weights", TFW_FLOAT32, wsh, 4, W, sizeof W);
    bt = tfw_tensor(w, "conv/bias", TFW_FLOAT32, bsh, 1, B, sizeof B);
  }
  int conv = tfw_tensor(w, "conv", TFW_FLOAT32, osh, 4, NULL, 0);
  tfw_conv2d(w, in, wt, bt, conv, TFW_SAME, 1, 1, TFW_ACT_NONE);
  int out;
  if (kind == 2) {
    int th = tfw_tensor(w, "floor", TFW_FLOAT32, osh, 4, NULL, 0);
    out = tfw_tensor(w, "sigmoid", TFW_FLOAT32, osh, 4, NULL, 0);
    CHECK(tfw_simple(w, TFW_OP_FLOOR, conv, th) == 1);
    CHECK(tfw_simple(w, TFW_OP_LOGISTIC, th, out) == 2);
  } else {
    out = tfw_tensor(w, "softmax", TFW_FLOAT32, osh, 4, NULL, 0);
    tfw_softmax(w, conv, out, 1.0f);
  }
  int rc = save(w, in, out, path);
  tfw_free(w);
  return rc;
}

static float input_value(int i) { return (float)((i * 37) % 17) / 8.0f - 1.0f; }

static int write_io(const char *in_path, const char *exp_path) {
  float x[8 * 8 * 3], y[8 * 8 * 2];
  for (int i = 0; i < 8 * 8 * 3; i++) x[i] = input_value(i);
  for (int p = 0; p < 64; p++) {
    double z[2];
    for (int o = 0; o < 2; o++) {
      z[o] = B[o];
      for (int c = 0; c < 3; c++) z[o] += (double)W[o][c] * x[p * 3 + c];
    }
    double m = z[0] > z[1] ? z[0] : z[1], e0 = exp(z[0] - m), e1 = exp(z[1] - m);
    y[p * 2] = (float)(e0 / (e0 + e1));
    y[p * 2 + 1] = (float)(e1 / (e0 + e1));
  }
  if (tfw_write_file(in_path, (const uint8_t *)x, sizeof x) || tfw_write_file(exp_path, (const uint8_t *)y, sizeof y))
    return -1;
  printf("expected pixel 0: in (%g %g %g) -> softmax (%.6f %.6f); pixel 63 -> (%.6f %.6f)\n", x[0], x[1], x[2], y[0],
         y[1], y[126], y[127]);
  return 0;
}

static void unit_checks(void) {
  CHECK(tfw_f32_to_f16(1.0f) == 0x3c00);
  CHECK(tfw_f32_to_f16(-2.0f) == 0xc000);
  CHECK(tfw_f32_to_f16(0.125f) == 0x3000);
  CHECK(tfw_f32_to_f16(65504.0f) == 0x7bff);
  CHECK(tfw_f32_to_f16(1e6f) == 0x7c00);
  CHECK(tfw_f32_to_f16(5.9604645e-8f) == 0x0001); /* smallest subnormal */
  CHECK(tfw_f32_to_f16(0.1f) == 0x2e66);
  /* bad arguments fail and poison the writer */
  tfw *w = tfw_new();
  const int sh[1] = {1};
  int t = tfw_tensor(w, "x", TFW_FLOAT32, sh, 1, NULL, 0);
  CHECK(t == 0);
  CHECK(tfw_simple(w, TFW_OP_RELU, t, 7) == -1);
  uint8_t *buf = NULL;
  size_t n = 0;
  CHECK(tfw_finish(w, t, t, &buf, &n) == -1 && !buf);
  tfw_free(w);
}

int main(int argc, char **argv) {
  if (argc != 4 && argc != 6) {
    fprintf(stderr, "usage: %s A.tflite B.tflite C.tflite [INPUT.f32 EXPECTED.f32]\n", argv[0]);
    return 2;
  }
  unit_checks();
  for (int k = 0; k < 3; k++)
    if (build(k, argv[1 + k])) fails++;
  if (argc == 6 && write_io(argv[4], argv[5])) fails++;
  if (fails) {
    fprintf(stderr, "%d failure(s)\n", fails);
    return 1;
  }
  printf("ok\n");
  return 0;
}
