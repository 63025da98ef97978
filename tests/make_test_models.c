/* Writes small TFLite models made of what real Keras exports contain and the selfie models do not
 * (tests/test_models.sh runs each through pseg and through the real TFLite interpreter):
 *
 *   pad_logits1.tflite   64x64x3 -> PAD (0,1),(0,1) -> CONV_2D 3x3 s2 VALID +relu        [32,32,8]
 *                        -> PAD (1,1),(2,1) -> DEPTHWISE 3x3 s1 VALID +relu6            [32,33,8]
 *                        -> CONV_2D 1x1 (8->1), no activation: raw logits               [32,33,1]
 *                        -> RESIZE_BILINEAR 64x64: the output, 1-channel logits         [64,64,1]
 *   pad_logits1_meta.tflite  the same with TFLite metadata: its input normalized as (x - 127.5) /
 *                        127.5 (pixels in [-1,1]); pad_logits1_imagenet.tflite: with ImageNet's
 *                        per-channel mean and std (a version 3 .pseg)
 *   flat_logits2.tflite  64x64x3 -> CONV_2D 3x3 s2 SAME +relu -> CONV_2D 1x1 (8->2)     [32,32,2]
 *                        -> RESIZE_BILINEAR 64x64 -> RESHAPE [1, 8192]: the output, 2-channel
 *                        logits flattened (channel 1 the person)
 *
 *   tconv_bias.tflite    64x64x3 -> CONV_2D 3x3 s2 SAME +relu                          [32,32,8]
 *                        -> TRANSPOSE_CONV 3x3 s2 SAME (8->4) -> ADD a constant [4] (its bias)
 *                        -> TANH -> TRANSPOSE_CONV 1x1 s1 (4->1) -> ADD [1] -> LOGISTIC  [64,64,1]
 *   hand_softmax.tflite  64x64x3 -> CONV_2D 3x3 s1 SAME (3->3): logits                 [64,64,3]
 *                        -> REDUCE_MAX, SUB, EXP, SUM, DIV over the channels: a softmax written
 *                        out as Keras exports it; the output, 3 classes (person: channel 1)
 *   naive_softmax.tflite 64x64x3 -> CONV_2D 3x3 s1 SAME (3->2), biases 12 and 13: logits
 *                        of 8..18 -> EXP, SUM, DIV over the channels (no max subtracted): the
 *                        origin project's hand-written softmax; exp overflows fp16 (> 65504) at
 *                        most pixels, so stored in fp16 it gives Inf / Inf = NaN (pseg conformance
 *                        models must show it; tests/test_conformance_models.sh). Person: channel 1
 *   prior4.tflite        64x64x4 (RGB + a prior mask) -> CONV_2D 3x3 (4->6) +relu, the prior's
 *                        weights 3x the others -> CONV_2D 1x1 (6->1) -> LOGISTIC           [64,64,1]
 *                        (a video portrait model's shape: its mask moves with the prior)
 *   nearest.tflite       64x64x3 -> CONV_2D 3x3 s3 SAME (3->6) +relu                  [22,22,6]
 *                        -> RESIZE_NEAREST_NEIGHBOR to 64x64, legacy (Keras UpSampling2D's),
 *                        half-pixel and align-corners, the three added -> CONV_2D 1x1 (6->1)
 *                        -> LOGISTIC                                                    [64,64,1]
 *   dense_se.tflite      64x64x3 -> CONV_2D 3x3 (3->8) +relu                          [64,64,8]
 *                        -> MEAN over H, W (keep_dims false) [1,8] -> FULLY_CONNECTED (8->4)
 *                        +relu -> FULLY_CONNECTED (4->8) -> LOGISTIC -> RESHAPE [1,1,1,8]
 *                        -> MUL with the conv (a squeeze-excite of Dense layers) ->
 *                        FULLY_CONNECTED keep_num_dims (8->1, on each pixel) -> LOGISTIC [64,64,1]
 *   concat_slice.tflite  64x64x3 -> CONV_2D 3x3 (3->5) +relu -> STRIDED_SLICE channels 1..3 [64,64,3]
 *                        -> CONCATENATION of that, a CONV_2D 1x1 (5->2) of the conv, and the
 *                        input (3 + 2 + 3 channels, offsets not multiples of 4) -> CONV_2D 1x1
 *                        (8->1) -> LOGISTIC                                             [64,64,1]
 *   prelu.tflite         64x64x3 -> CONV_2D 3x3 (3->6) -> PRELU (alphas -2.5 .. 3, one a channel)
 *                        -> CONV_2D 1x1 (6->1) -> LOGISTIC                              [64,64,1]
 *   dilated.tflite       64x64x3 -> CONV_2D 3x3 dilation 2x3 SAME (3->8)               [64,64,8]
 *                        -> DEPTHWISE_CONV_2D 3x3 dilation 4 VALID                      [56,56,8]
 *                        -> CONV_2D 1x1 (8->1) -> RESIZE_BILINEAR 64x64 -> LOGISTIC     [64,64,1]
 *   resize_add.tflite    a decoder's skip connections: 64x64x3 -> CONV_2D 3x3 (3->6) +relu: s1
 *                        -> CONV_2D 3x3 s2 +relu [32,32,6] -> RESIZE_BILINEAR 64x64 (half-pixel)
 *                        -> ADD s1 +relu: s2; the 32x32 map -> CONV_2D 3x3 s2 +relu [16,16,6]
 *                        -> RESIZE_BILINEAR 64x64 (align corners) -> ADD s2 -> CONV_2D 1x1 (6->1)
 *                        -> LOGISTIC. (Not a 3x3 stride-4 SAME conv of the 64x64 map: TFLite's
 *                        XNNPACK gives a constant map for that, where pseg matches its VALID twin.)
 *   resize_chain.tflite  a classifier after two upsamplings: 64x64x3 -> CONV_2D 3x3 s2 +relu (3->8)
 *                        -> CONV_2D 3x3 s2 +relu [16,16,8] -> RESIZE_BILINEAR 32x32 (half-pixel)
 *                        -> RESIZE_BILINEAR 64x64 (align corners) -> CONV_2D 1x1 (8->2): logits
 *                        [64,64,2] (pseg convert computes the 1x1 conv at 16x16, before the resizes)
 *   resize_head.tflite   a probability upsampled last: 64x64x3 -> CONV_2D 3x3 s2 +relu (3->4)
 *                        -> CONV_2D 1x1 (4->1) [32,32,1] -> RESIZE_BILINEAR 64x64 (legacy)
 *                        -> LOGISTIC                                                    [64,64,1]
 *
 *   int8.tflite          an integer model (issue 15): 64x64x3 uint8 (the pixels) -> QUANTIZE to
 *                        int8 -> PAD (0,1),(0,1) -> CONV_2D 3x3 s2 VALID +relu (per-channel int8
 *                        weights, int32 bias) [32,32,8] -> DEPTHWISE 3x3 SAME +relu6 -> CONV_2D 1x1
 *                        (8->8), the two ADDed -> RESIZE_BILINEAR 64x64 -> QUANTIZE int8 -> int8
 *                        (another scale) -> CONV_2D 1x1 (8->2): int8 logits            [64,64,2]
 *   int8_ops.tflite      the integer ops that move or compare values (one scale and zero point
 *                        throughout): 64x64x3 uint8 -> QUANTIZE -> CONV_2D 3x3 SAME +relu (3->8)
 *                        -> MAX_POOL_2D 2x2 s2 [32,32,8] -> CONV_2D 1x1 (8->4); CONCATENATION
 *                        (conv, pool, conv) [32,32,16] -> STRIDED_SLICE channels 2..14 -> MAX_POOL_2D
 *                        3x3 s1 SAME -> RESIZE_BILINEAR 64x64 -> CONV_2D 1x1 (12->2)   [64,64,2]
 *   int8_act.tflite      an int8 sigmoid head: 64x64x3 uint8 -> QUANTIZE -> CONV_2D 3x3 SAME
 *                        (3->4) -> TANH (scale 1/128) -> CONV_2D 1x1 (4->1) -> LOGISTIC (scale
 *                        1/256, zero point -128): int8 probabilities                   [64,64,1]
 *   int8_lut_logistic.tflite, int8_lut_tanh.tflite, int8_lut_hard_swish.tflite (and _fine:
 *                        input scale 0.005, so TFLite's right-shift path)  the op on the input itself: 16x16x3 uint8
 *                        (scale 0.05, zero point 128) -> QUANTIZE (zero point 0) -> LOGISTIC
 *                        or TANH: on a ramp image every entry of the table    [16,16,3]
 *   tconv_crop.tflite, int8_tconv_crop.tflite  a transposed conv and its crop (float, and int8
 *                        with uint8 pixels in): 64x64x3 -> CONV_2D 3x3 s2 SAME +relu (3->8)
 *                        [32,32,8] -> TRANSPOSE_CONV 4x4 s2 VALID (8->4) [66,66,4] -> STRIDED_SLICE
 *                        rows and columns 1..64 [64,64,4] -> CONV_2D 1x1 (4->2): logits [64,64,2]
 *   int8_softmax.tflite  an int8 softmax head: 64x64x3 uint8 -> QUANTIZE -> CONV_2D 3x3 SAME
 *                        (3->2, logits over several units) -> SOFTMAX (scale 1/256, zero point
 *                        -128, as TFLite requires): int8 probabilities                  [64,64,2]
 *   int8_tconv.tflite    int8 transposed convs: 64x64x3 uint8 -> QUANTIZE -> CONV_2D 3x3 s2
 *                        SAME +relu (3->8) -> CONV_2D 3x3 s2 SAME +relu (8->8) [16,16,8]
 *                        -> TRANSPOSE_CONV 3x3 s2 SAME, per-channel weights, int32 bias (8->8)
 *                        [32,32,8] (TFLite's builtin kernel: XNNPACK has no per-channel
 *                        deconvolution) -> TRANSPOSE_CONV 2x2 s2 SAME, one weight scale, no bias
 *                        (8->2): int8 logits (XNNPACK's deconvolution)                [64,64,2]
 *   crop_pad.tflite, int8_crop_pad.tflite  crops and pads no conv absorbs (float, and int8 with
 *                        uint8 pixels in): 64x64x3 -> CONV_2D 3x3 SAME +relu (3->8) [64,64,8];
 *                        PAD (1,0),(0,1) -> MAX_POOL_2D 2x2 s2 VALID [32,32,8]; STRIDED_SLICE
 *                        rows 3..34, columns 5..36, channels 2..7 [32,32,6]; CONV_2D 1x1 (8->8),
 *                        ADD to conv1, SLICE at 16,16 of size 32x32 [32,32,8]; CONCATENATION of
 *                        the three [32,32,22] -> PAD (3,1),(3,1) [36,36,22] -> CONV_2D 3x3 VALID
 *                        (22->2) [34,34,2] -> RESIZE_BILINEAR 64x64: logits             [64,64,2]
 *   reshape_softmax.tflite  keras-segmentation's head: 64x64x3 -> CONV_2D 3x3 SAME (3->2)
 *                        -> RESHAPE [1,4096,2] -> SOFTMAX: probabilities            [1,4096,2]
 *   reshape_back.tflite  64x64x3 -> CONV_2D 3x3 SAME (3->3) -> RESHAPE [4096,3] -> LOGISTIC
 *                        -> RESHAPE [1,64,64,3] -> CONV_2D 1x1 (3->1): a logit          [64,64,1]
 *   dense_bottleneck.tflite  64x64x3 -> three CONV_2D 3x3 s2 SAME +relu (3->8->8->8) [8,8,8];
 *                        RESHAPE [1,512] -> FULLY_CONNECTED (512->32), and FULLY_CONNECTED on
 *                        the map itself (512->32); ADD +relu -> FULLY_CONNECTED (32->256) ->
 *                        RESHAPE [1,8,8,4] -> RESIZE_BILINEAR 64x64 -> CONV_2D 1x1: a logit [64,64,1]
 *   int8_dense.tflite    the same path in int8: RESHAPE flat, FULLY_CONNECTED (512->64, per-channel
 *                        int8 weights), RESHAPE [1,8,8,1], RESIZE_BILINEAR, CONV_2D 1x1: logits [64,64,2]
 *   int8_se.tflite       an int8 squeeze-excite: CONV_2D 3x3 s2 +relu (3->8) [32,32,8] -> MEAN
 *                        [1,1,8] -> CONV_2D 1x1 +relu (8->4) -> CONV_2D 1x1 (4->8) -> LOGISTIC,
 *                        MUL of the map by it, MUL of that by the map, CONV_2D 1x1 [32,32,2]
 *                        -> RESIZE_BILINEAR 64x64: logits                               [64,64,2]
 *   int8_avgpool.tflite  CONV_2D 3x3 (3->8) [64,64,8] -> AVERAGE_POOL_2D 3x3 s2 SAME [32,32,8]
 *                        -> AVERAGE_POOL_2D 2x2 s2 VALID [16,16,8] -> CONV_2D 1x1 (8->2)
 *                        -> RESIZE_BILINEAR 64x64: int8 logits                         [64,64,2]
 *   int8_nearest.tflite  int8 RESIZE_NEAREST_NEIGHBOR: CONV_2D 3x3 s2 (3->8) [32,32,8] -> legacy
 *                        48x48 -> align corners 45x45 -> half-pixel 64x64 -> CONV_2D 1x1: logits [64,64,2]
 *   int8_badd.tflite     int8 ADD of one value a channel: CONV_2D 3x3 s2 (3->8) [32,32,8] plus a
 *                        CONV_2D 1x1 of its MEAN [1,1,8], +relu -> CONV_2D 1x1 (8->2)
 *                        -> RESIZE_BILINEAR 64x64: logits                              [64,64,2]
 *   int8_hsig.tflite     Keras MobileNetV3's hard sigmoid on int8: CONV_2D 3x3 s2 (3->8) [32,32,8]
 *                        -> ADD of a constant 3 +relu6 -> MUL by a constant 1/6, MUL of the map by
 *                        it, CONV_2D 1x1 (8->2) -> RESIZE_BILINEAR 64x64: logits       [64,64,2]
 *
 * Float32 weights from a fixed seed at He-initialisation scale; the heads' weights scaled so the
 * logits span several units (the int8 model's quantized per output channel). Usage:
 * make_test_models OUTDIR */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tflite_writer.h"

static uint64_t state = 0x9e3779b97f4a7c15ull;
static double urand(void) {
  state ^= state >> 12, state ^= state << 25, state ^= state >> 27;
  return ((double)((state * 0x2545f4914f6cdd1dull) >> 11) + 0.5) / 9007199254740992.0;
}
static float gauss(double std) { return (float)(std * sqrt(-2.0 * log(urand())) * cos(6.283185307179586 * urand())); }
static void fill(float *p, size_t n, double std) {
  for (size_t i = 0; i < n; i++) p[i] = gauss(std);
}

static int finish(tfw *w, int in, int out, const char *dir, const char *name) {
  uint8_t *buf;
  size_t n;
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  int rc = tfw_finish(w, in, out, &buf, &n);
  tfw_free(w);
  if (rc || tfw_write_file(path, buf, n)) {
    fprintf(stderr, "make_test_models: cannot build or write %s\n", path);
    return 1;
  }
  free(buf);
  printf("wrote %s (%zu bytes)\n", path, n);
  return 0;
}

/* pad_logits1 with TFLite metadata naming its input's normalization (nmean / nstd values; 0: none) */
static int pad_logits1_as(const char *dir, const char *name, const float *mean, int nmean, const float *std, int nstd) {
  enum { C = 8 };
  static float w1[C * 3 * 3 * 3], b1[C], w2[3 * 3 * C], b2[C], w3[C], b3[1];
  fill(w1, sizeof w1 / 4, sqrt(2.0 / 27)), fill(b1, C, 0.05);
  fill(w2, sizeof w2 / 4, sqrt(2.0 / 9)), fill(b2, C, 0.05);
  fill(w3, C, 3.0 * sqrt(2.0 / C)), b3[0] = -0.3f;
  tfw *w = tfw_new();
  if (!w) return 1;
  const int s_in[4] = {1, 64, 64, 3}, s_p1[4] = {1, 65, 65, 3}, s_a[4] = {1, 32, 32, C}, s_p2[4] = {1, 34, 35, C},
            s_b[4] = {1, 32, 33, C}, s_c[4] = {1, 32, 33, 1}, s_out[4] = {1, 64, 64, 1};
  const int s_w1[4] = {C, 3, 3, 3}, s_w2[4] = {1, 3, 3, C}, s_w3[4] = {1, 1, 1, C}, s_bc[1] = {C}, s_b1[1] = {1},
            s_pd[2] = {4, 2}, s_sz[1] = {2};
  const int pd1[8] = {0, 0, 0, 1, 0, 1, 0, 0}, pd2[8] = {0, 0, 1, 1, 2, 1, 0, 0}, size[2] = {64, 64};
  int in = tfw_tensor(w, "input", TFW_FLOAT32, s_in, 4, NULL, 0);
  int tp1 = tfw_tensor(w, "pad1/paddings", TFW_INT32, s_pd, 2, pd1, sizeof pd1);
  int p1 = tfw_tensor(w, "pad1", TFW_FLOAT32, s_p1, 4, NULL, 0);
  int tw1 = tfw_tensor(w, "conv1/weights", TFW_FLOAT32, s_w1, 4, w1, sizeof w1);
  int tb1 = tfw_tensor(w, "conv1/bias", TFW_FLOAT32, s_bc, 1, b1, sizeof b1);
  int a1 = tfw_tensor(w, "conv1", TFW_FLOAT32, s_a, 4, NULL, 0);
  int tp2 = tfw_tensor(w, "pad2/paddings", TFW_INT32, s_pd, 2, pd2, sizeof pd2);
  int p2 = tfw_tensor(w, "pad2", TFW_FLOAT32, s_p2, 4, NULL, 0);
  int tw2 = tfw_tensor(w, "dw/weights", TFW_FLOAT32, s_w2, 4, w2, sizeof w2);
  int tb2 = tfw_tensor(w, "dw/bias", TFW_FLOAT32, s_bc, 1, b2, sizeof b2);
  int a2 = tfw_tensor(w, "dw", TFW_FLOAT32, s_b, 4, NULL, 0);
  int tw3 = tfw_tensor(w, "head/weights", TFW_FLOAT32, s_w3, 4, w3, sizeof w3);
  int tb3 = tfw_tensor(w, "head/bias", TFW_FLOAT32, s_b1, 1, b3, sizeof b3);
  int a3 = tfw_tensor(w, "head", TFW_FLOAT32, s_c, 4, NULL, 0);
  int tsz = tfw_tensor(w, "resize/size", TFW_INT32, s_sz, 1, size, sizeof size);
  int out = tfw_tensor(w, "logits", TFW_FLOAT32, s_out, 4, NULL, 0);
  tfw_op(w, TFW_OP_PAD, (int[]){in, tp1}, 2, p1);
  tfw_conv2d(w, p1, tw1, tb1, a1, TFW_VALID, 2, 2, TFW_ACT_RELU);
  tfw_op(w, TFW_OP_PAD, (int[]){a1, tp2}, 2, p2);
  tfw_depthwise_conv2d(w, p2, tw2, tb2, a2, TFW_VALID, 1, 1, TFW_ACT_RELU6);
  tfw_conv2d(w, a2, tw3, tb3, a3, TFW_SAME, 1, 1, TFW_ACT_NONE);
  tfw_resize_bilinear(w, a3, tsz, out, 0, 1);
  if (nmean || nstd) tfw_metadata_normalization(w, mean, nmean, std, nstd);
  return finish(w, in, out, dir, name);
}

static int pad_logits1(const char *dir) {
  static const float m1[1] = {127.5f}, s1[1] = {127.5f}, m3[3] = {123.675f, 116.28f, 103.53f},
                     s3[3] = {58.395f, 57.12f, 57.375f};
  if (pad_logits1_as(dir, "pad_logits1.tflite", NULL, 0, NULL, 0)) return 1;
  uint64_t saved = state; /* the models after these draw the numbers they drew before */
  int rc = pad_logits1_as(dir, "pad_logits1_meta.tflite", m1, 1, s1, 1) || /* trained on [-1,1] */
           pad_logits1_as(dir, "pad_logits1_imagenet.tflite", m3, 3, s3, 3); /* per channel (ImageNet) */
  state = saved;
  return rc;
}

static int flat_logits2(const char *dir) {
  enum { C = 8 };
  static float w1[C * 3 * 3 * 3], b1[C], w2[2 * C], b2[2];
  fill(w1, sizeof w1 / 4, sqrt(2.0 / 27)), fill(b1, C, 0.05);
  fill(w2, sizeof w2 / 4, 3.0 * sqrt(2.0 / C)), b2[0] = 0.4f, b2[1] = -0.4f;
  tfw *w = tfw_new();
  if (!w) return 1;
  const int s_in[4] = {1, 64, 64, 3}, s_a[4] = {1, 32, 32, C}, s_c[4] = {1, 32, 32, 2}, s_r[4] = {1, 64, 64, 2},
            s_out[2] = {1, 64 * 64 * 2};
  const int s_w1[4] = {C, 3, 3, 3}, s_w2[4] = {2, 1, 1, C}, s_bc[1] = {C}, s_b2[1] = {2}, s_sz[1] = {2}, s_sh[1] = {2};
  const int size[2] = {64, 64}, shape[2] = {1, 64 * 64 * 2};
  int in = tfw_tensor(w, "input", TFW_FLOAT32, s_in, 4, NULL, 0);
  int tw1 = tfw_tensor(w, "conv1/weights", TFW_FLOAT32, s_w1, 4, w1, sizeof w1);
  int tb1 = tfw_tensor(w, "conv1/bias", TFW_FLOAT32, s_bc, 1, b1, sizeof b1);
  int a1 = tfw_tensor(w, "conv1", TFW_FLOAT32, s_a, 4, NULL, 0);
  int tw2 = tfw_tensor(w, "head/weights", TFW_FLOAT32, s_w2, 4, w2, sizeof w2);
  int tb2 = tfw_tensor(w, "head/bias", TFW_FLOAT32, s_b2, 1, b2, sizeof b2);
  int a2 = tfw_tensor(w, "head", TFW_FLOAT32, s_c, 4, NULL, 0);
  int tsz = tfw_tensor(w, "resize/size", TFW_INT32, s_sz, 1, size, sizeof size);
  int a3 = tfw_tensor(w, "resize", TFW_FLOAT32, s_r, 4, NULL, 0);
  int tsh = tfw_tensor(w, "reshape/shape", TFW_INT32, s_sh, 1, shape, sizeof shape);
  int out = tfw_tensor(w, "flat", TFW_FLOAT32, s_out, 2, NULL, 0);
  tfw_conv2d(w, in, tw1, tb1, a1, TFW_SAME, 2, 2, TFW_ACT_RELU);
  tfw_conv2d(w, a1, tw2, tb2, a2, TFW_SAME, 1, 1, TFW_ACT_NONE);
  tfw_resize_bilinear(w, a2, tsz, a3, 0, 1);
  tfw_op(w, TFW_OP_RESHAPE, (int[]){a3, tsh}, 2, out);
  return finish(w, in, out, dir, "flat_logits2.tflite");
}

static int tconv_bias(const char *dir) {
  enum { C = 8, D = 4 };
  static float w1[C * 3 * 3 * 3], b1[C], w2[D * 3 * 3 * C], b2[D], w3[D], b3[1];
  fill(w1, sizeof w1 / 4, sqrt(2.0 / 27)), fill(b1, C, 0.05);
  fill(w2, sizeof w2 / 4, sqrt(2.0 / (9 * C))), fill(b2, D, 0.3);
  fill(w3, D, 3.0 * sqrt(2.0 / D)), b3[0] = -0.5f;
  tfw *w = tfw_new();
  if (!w) return 1;
  const int s_in[4] = {1, 64, 64, 3}, s_a[4] = {1, 32, 32, C}, s_b[4] = {1, 64, 64, D}, s_o[4] = {1, 64, 64, 1};
  const int s_w1[4] = {C, 3, 3, 3}, s_w2[4] = {D, 3, 3, C}, s_w3[4] = {1, 1, 1, D}, s_c[1] = {C}, s_d[1] = {D},
            s_1[1] = {1}, s_4[1] = {4};
  const int os2[4] = {1, 64, 64, D}, os3[4] = {1, 64, 64, 1};
  int in = tfw_tensor(w, "input", TFW_FLOAT32, s_in, 4, NULL, 0);
  int tw1 = tfw_tensor(w, "conv1/weights", TFW_FLOAT32, s_w1, 4, w1, sizeof w1);
  int tb1 = tfw_tensor(w, "conv1/bias", TFW_FLOAT32, s_c, 1, b1, sizeof b1);
  int a1 = tfw_tensor(w, "conv1", TFW_FLOAT32, s_a, 4, NULL, 0);
  int to2 = tfw_tensor(w, "up/shape", TFW_INT32, s_4, 1, os2, sizeof os2);
  int tw2 = tfw_tensor(w, "up/weights", TFW_FLOAT32, s_w2, 4, w2, sizeof w2);
  int a2 = tfw_tensor(w, "up", TFW_FLOAT32, s_b, 4, NULL, 0);
  int tb2 = tfw_tensor(w, "up/bias", TFW_FLOAT32, s_d, 1, b2, sizeof b2);
  int a3 = tfw_tensor(w, "up_biased", TFW_FLOAT32, s_b, 4, NULL, 0);
  int a4 = tfw_tensor(w, "up_tanh", TFW_FLOAT32, s_b, 4, NULL, 0);
  int to3 = tfw_tensor(w, "head/shape", TFW_INT32, s_4, 1, os3, sizeof os3);
  int tw3 = tfw_tensor(w, "head/weights", TFW_FLOAT32, s_w3, 4, w3, sizeof w3);
  int a5 = tfw_tensor(w, "head", TFW_FLOAT32, s_o, 4, NULL, 0);
  int tb3 = tfw_tensor(w, "head/bias", TFW_FLOAT32, s_1, 1, b3, sizeof b3);
  int a6 = tfw_tensor(w, "head_biased", TFW_FLOAT32, s_o, 4, NULL, 0);
  int out = tfw_tensor(w, "prob", TFW_FLOAT32, s_o, 4, NULL, 0);
  tfw_conv2d(w, in, tw1, tb1, a1, TFW_SAME, 2, 2, TFW_ACT_RELU);
  tfw_transpose_conv(w, to2, tw2, a1, a2, TFW_SAME, 2, 2);
  tfw_add(w, a2, tb2, a3, TFW_ACT_NONE);
  tfw_simple(w, TFW_OP_TANH, a3, a4);
  tfw_transpose_conv(w, to3, tw3, a4, a5, TFW_SAME, 1, 1);
  tfw_add(w, a5, tb3, a6, TFW_ACT_NONE);
  tfw_simple(w, TFW_OP_LOGISTIC, a6, out);
  return finish(w, in, out, dir, "tconv_bias.tflite");
}

static int hand_softmax(const char *dir) {
  static float w1[3 * 3 * 3 * 3], b1[3] = {0.2f, -0.1f, 0.0f};
  fill(w1, sizeof w1 / 4, 4.0 * sqrt(2.0 / 27));
  tfw *w = tfw_new();
  if (!w) return 1;
  const int s_in[4] = {1, 64, 64, 3}, s_1[4] = {1, 64, 64, 1}, s_w1[4] = {3, 3, 3, 3}, s_c[1] = {3};
  const int axis = 3;
  int in = tfw_tensor(w, "input", TFW_FLOAT32, s_in, 4, NULL, 0);
  int tw1 = tfw_tensor(w, "conv/weights", TFW_FLOAT32, s_w1, 4, w1, sizeof w1);
  int tb1 = tfw_tensor(w, "conv/bias", TFW_FLOAT32, s_c, 1, b1, sizeof b1);
  int x = tfw_tensor(w, "logits", TFW_FLOAT32, s_in, 4, NULL, 0);
  int tax = tfw_tensor(w, "axis", TFW_INT32, NULL, 0, &axis, sizeof axis);
  int mx = tfw_tensor(w, "max", TFW_FLOAT32, s_1, 4, NULL, 0);
  int d = tfw_tensor(w, "shifted", TFW_FLOAT32, s_in, 4, NULL, 0);
  int e = tfw_tensor(w, "exp", TFW_FLOAT32, s_in, 4, NULL, 0);
  int sm = tfw_tensor(w, "sum", TFW_FLOAT32, s_1, 4, NULL, 0);
  int out = tfw_tensor(w, "softmax", TFW_FLOAT32, s_in, 4, NULL, 0);
  tfw_conv2d(w, in, tw1, tb1, x, TFW_SAME, 1, 1, TFW_ACT_NONE);
  tfw_reduce(w, TFW_OP_REDUCE_MAX, x, tax, mx, 1);
  tfw_sub(w, x, mx, d);
  tfw_simple(w, TFW_OP_EXP, d, e);
  tfw_reduce(w, TFW_OP_SUM, e, tax, sm, 1);
  tfw_div(w, e, sm, out);
  return finish(w, in, out, dir, "hand_softmax.tflite");
}

static int naive_softmax(const char *dir) {
  static float w1[2 * 3 * 3 * 3], b1[2] = {12.0f, 13.0f};
  fill(w1, sizeof w1 / 4, 2.0 * sqrt(2.0 / 27));
  tfw *w = tfw_new();
  if (!w) return 1;
  const int s_in[4] = {1, 64, 64, 3}, s_2[4] = {1, 64, 64, 2}, s_1[4] = {1, 64, 64, 1}, s_w1[4] = {2, 3, 3, 3},
            s_c[1] = {2};
  const int axis = 3;
  int in = tfw_tensor(w, "input", TFW_FLOAT32, s_in, 4, NULL, 0);
  int tw1 = tfw_tensor(w, "conv/weights", TFW_FLOAT32, s_w1, 4, w1, sizeof w1);
  int tb1 = tfw_tensor(w, "conv/bias", TFW_FLOAT32, s_c, 1, b1, sizeof b1);
  int x = tfw_tensor(w, "logits", TFW_FLOAT32, s_2, 4, NULL, 0);
  int tax = tfw_tensor(w, "axis", TFW_INT32, NULL, 0, &axis, sizeof axis);
  int e = tfw_tensor(w, "exp", TFW_FLOAT32, s_2, 4, NULL, 0);
  int sm = tfw_tensor(w, "sum", TFW_FLOAT32, s_1, 4, NULL, 0);
  int out = tfw_tensor(w, "softmax", TFW_FLOAT32, s_2, 4, NULL, 0);
  tfw_conv2d(w, in, tw1, tb1, x, TFW_SAME, 1, 1, TFW_ACT_NONE);
  tfw_simple(w, TFW_OP_EXP, x, e);
  tfw_reduce(w, TFW_OP_SUM, e, tax, sm, 1);
  tfw_div(w, e, sm, out);
  return finish(w, in, out, dir, "naive_softmax.tflite");
}

static int concat_slice(const char *dir) {
  static float w1[5 * 27], b1[5], w2[2 * 5], b2[2], w3[8], b3[1] = {-0.2f};
  fill(w1, sizeof w1 / 4, sqrt(2.0 / 27)), fill(b1, 5, 0.05);
  fill(w2, sizeof w2 / 4, sqrt(2.0 / 5)), fill(b2, 2, 0.05);
  fill(w3, 8, 3.0 * sqrt(2.0 / 8));
  tfw *w = tfw_new();
  if (!w) return 1;
  const int s_in[4] = {1, 64, 64, 3}, s_a[4] = {1, 64, 64, 5}, s_b[4] = {1, 64, 64, 2}, s_c[4] = {1, 64, 64, 8},
            s_o[4] = {1, 64, 64, 1}, s_w1[4] = {5, 3, 3, 3}, s_w2[4] = {2, 1, 1, 5}, s_w3[4] = {1, 1, 1, 8},
            s_5[1] = {5}, s_2[1] = {2}, s_1[1] = {1}, s_4[1] = {4};
  const int begin[4] = {0, 0, 0, 1}, end[4] = {1, 64, 64, 4}, strides[4] = {1, 1, 1, 1};
  int in = tfw_tensor(w, "input", TFW_FLOAT32, s_in, 4, NULL, 0);
  int tw1 = tfw_tensor(w, "conv1/weights", TFW_FLOAT32, s_w1, 4, w1, sizeof w1);
  int tb1 = tfw_tensor(w, "conv1/bias", TFW_FLOAT32, s_5, 1, b1, sizeof b1);
  int a1 = tfw_tensor(w, "conv1", TFW_FLOAT32, s_a, 4, NULL, 0);
  int tbe = tfw_tensor(w, "slice/begin", TFW_INT32, s_4, 1, begin, sizeof begin);
  int ten = tfw_tensor(w, "slice/end", TFW_INT32, s_4, 1, end, sizeof end);
  int tst = tfw_tensor(w, "slice/strides", TFW_INT32, s_4, 1, strides, sizeof strides);
  int sl = tfw_tensor(w, "slice", TFW_FLOAT32, s_in, 4, NULL, 0);
  int tw2 = tfw_tensor(w, "conv2/weights", TFW_FLOAT32, s_w2, 4, w2, sizeof w2);
  int tb2 = tfw_tensor(w, "conv2/bias", TFW_FLOAT32, s_2, 1, b2, sizeof b2);
  int a2 = tfw_tensor(w, "conv2", TFW_FLOAT32, s_b, 4, NULL, 0);
  int cc = tfw_tensor(w, "concat", TFW_FLOAT32, s_c, 4, NULL, 0);
  int tw3 = tfw_tensor(w, "head/weights", TFW_FLOAT32, s_w3, 4, w3, sizeof w3);
  int tb3 = tfw_tensor(w, "head/bias", TFW_FLOAT32, s_1, 1, b3, sizeof b3);
  int a3 = tfw_tensor(w, "head", TFW_FLOAT32, s_o, 4, NULL, 0);
  int out = tfw_tensor(w, "prob", TFW_FLOAT32, s_o, 4, NULL, 0);
  tfw_conv2d(w, in, tw1, tb1, a1, TFW_SAME, 1, 1, TFW_ACT_RELU);
  tfw_strided_slice(w, a1, tbe, ten, tst, sl);
  tfw_conv2d(w, a1, tw2, tb2, a2, TFW_SAME, 1, 1, TFW_ACT_NONE);
  tfw_concat(w, (int[]){sl, a2, in}, 3, cc, 3);
  tfw_conv2d(w, cc, tw3, tb3, a3, TFW_SAME, 1, 1, TFW_ACT_NONE);
  tfw_simple(w, TFW_OP_LOGISTIC, a3, out);
  return finish(w, in, out, dir, "concat_slice.tflite");
}

static int resize_add(const char *dir) {
  static float w1[6 * 27], b1[6], w2[6 * 54], b2[6], w3[6 * 54], b3[6], w4[6], b4[1] = {-0.2f};
  fill(w1, sizeof w1 / 4, 2.0 * sqrt(2.0 / 27)), fill(b1, 6, 0.1);
  fill(w2, sizeof w2 / 4, sqrt(2.0 / 54)), fill(b2, 6, 0.1);
  fill(w3, sizeof w3 / 4, sqrt(2.0 / 54)), fill(b3, 6, 0.1);
  fill(w4, 6, 2.0 * sqrt(2.0 / 6));
  tfw *w = tfw_new();
  if (!w) return 1;
  const int s_in[4] = {1, 64, 64, 3}, s_f[4] = {1, 64, 64, 6}, s_h[4] = {1, 32, 32, 6}, s_q[4] = {1, 16, 16, 6},
            s_o[4] = {1, 64, 64, 1}, s_w1[4] = {6, 3, 3, 3}, s_w2[4] = {6, 3, 3, 6}, s_w4[4] = {1, 1, 1, 6}, s_6[1] = {6},
            s_1[1] = {1}, s_2[1] = {2};
  const int size[2] = {64, 64};
  int in = tfw_tensor(w, "input", TFW_FLOAT32, s_in, 4, NULL, 0);
  int tw1 = tfw_tensor(w, "conv1/weights", TFW_FLOAT32, s_w1, 4, w1, sizeof w1);
  int tb1 = tfw_tensor(w, "conv1/bias", TFW_FLOAT32, s_6, 1, b1, sizeof b1);
  int s1 = tfw_tensor(w, "skip1", TFW_FLOAT32, s_f, 4, NULL, 0);
  int tw2 = tfw_tensor(w, "down2/weights", TFW_FLOAT32, s_w2, 4, w2, sizeof w2);
  int tb2 = tfw_tensor(w, "down2/bias", TFW_FLOAT32, s_6, 1, b2, sizeof b2);
  int d2 = tfw_tensor(w, "down2", TFW_FLOAT32, s_h, 4, NULL, 0);
  int tsz = tfw_tensor(w, "size", TFW_INT32, s_2, 1, size, sizeof size);
  int u2 = tfw_tensor(w, "up2", TFW_FLOAT32, s_f, 4, NULL, 0);
  int s2 = tfw_tensor(w, "skip2", TFW_FLOAT32, s_f, 4, NULL, 0);
  int tw3 = tfw_tensor(w, "down4/weights", TFW_FLOAT32, s_w2, 4, w3, sizeof w3);
  int tb3 = tfw_tensor(w, "down4/bias", TFW_FLOAT32, s_6, 1, b3, sizeof b3);
  int d4 = tfw_tensor(w, "down4", TFW_FLOAT32, s_q, 4, NULL, 0);
  int u4 = tfw_tensor(w, "up4", TFW_FLOAT32, s_f, 4, NULL, 0);
  int s3 = tfw_tensor(w, "sum", TFW_FLOAT32, s_f, 4, NULL, 0);
  int tw4 = tfw_tensor(w, "head/weights", TFW_FLOAT32, s_w4, 4, w4, sizeof w4);
  int tb4 = tfw_tensor(w, "head/bias", TFW_FLOAT32, s_1, 1, b4, sizeof b4);
  int a4 = tfw_tensor(w, "head", TFW_FLOAT32, s_o, 4, NULL, 0);
  int out = tfw_tensor(w, "prob", TFW_FLOAT32, s_o, 4, NULL, 0);
  tfw_conv2d(w, in, tw1, tb1, s1, TFW_SAME, 1, 1, TFW_ACT_RELU);
  tfw_conv2d(w, s1, tw2, tb2, d2, TFW_SAME, 2, 2, TFW_ACT_RELU);
  tfw_resize_bilinear(w, d2, tsz, u2, 0, 1);
  tfw_add(w, u2, s1, s2, TFW_ACT_RELU);
  tfw_conv2d(w, d2, tw3, tb3, d4, TFW_SAME, 2, 2, TFW_ACT_RELU);
  tfw_resize_bilinear(w, d4, tsz, u4, 1, 0);
  tfw_add(w, s2, u4, s3, TFW_ACT_NONE);
  tfw_conv2d(w, s3, tw4, tb4, a4, TFW_SAME, 1, 1, TFW_ACT_NONE);
  tfw_simple(w, TFW_OP_LOGISTIC, a4, out);
  return finish(w, in, out, dir, "resize_add.tflite");
}

static int resize_chain(const char *dir) {
  static float w1[8 * 27], b1[8], w2[8 * 72], b2[8], w3[2 * 8], b3[2] = {0.3f, -0.3f};
  fill(w1, sizeof w1 / 4, 2.0 * sqrt(2.0 / 27)), fill(b1, 8, 0.1);
  fill(w2, sizeof w2 / 4, sqrt(2.0 / 72)), fill(b2, 8, 0.1);
  fill(w3, sizeof w3 / 4, 3.0 * sqrt(2.0 / 8));
  tfw *w = tfw_new();
  if (!w) return 1;
  const int s_in[4] = {1, 64, 64, 3}, s_a[4] = {1, 32, 32, 8}, s_b[4] = {1, 16, 16, 8}, s_c[4] = {1, 64, 64, 8},
            s_o[4] = {1, 64, 64, 2}, s_w1[4] = {8, 3, 3, 3}, s_w2[4] = {8, 3, 3, 8}, s_w3[4] = {2, 1, 1, 8}, s_8[1] = {8},
            s_2[1] = {2};
  const int size32[2] = {32, 32}, size64[2] = {64, 64};
  int in = tfw_tensor(w, "input", TFW_FLOAT32, s_in, 4, NULL, 0);
  int tw1 = tfw_tensor(w, "conv1/weights", TFW_FLOAT32, s_w1, 4, w1, sizeof w1);
  int tb1 = tfw_tensor(w, "conv1/bias", TFW_FLOAT32, s_8, 1, b1, sizeof b1);
  int a1 = tfw_tensor(w, "conv1", TFW_FLOAT32, s_a, 4, NULL, 0);
  int tw2 = tfw_tensor(w, "conv2/weights", TFW_FLOAT32, s_w2, 4, w2, sizeof w2);
  int tb2 = tfw_tensor(w, "conv2/bias", TFW_FLOAT32, s_8, 1, b2, sizeof b2);
  int a2 = tfw_tensor(w, "conv2", TFW_FLOAT32, s_b, 4, NULL, 0);
  int tz1 = tfw_tensor(w, "up1/size", TFW_INT32, s_2, 1, size32, sizeof size32);
  int u1 = tfw_tensor(w, "up1", TFW_FLOAT32, s_a, 4, NULL, 0);
  int tz2 = tfw_tensor(w, "up2/size", TFW_INT32, s_2, 1, size64, sizeof size64);
  int u2 = tfw_tensor(w, "up2", TFW_FLOAT32, s_c, 4, NULL, 0);
  int tw3 = tfw_tensor(w, "head/weights", TFW_FLOAT32, s_w3, 4, w3, sizeof w3);
  int tb3 = tfw_tensor(w, "head/bias", TFW_FLOAT32, s_2, 1, b3, sizeof b3);
  int out = tfw_tensor(w, "logits", TFW_FLOAT32, s_o, 4, NULL, 0);
  tfw_conv2d(w, in, tw1, tb1, a1, TFW_SAME, 2, 2, TFW_ACT_RELU);
  tfw_conv2d(w, a1, tw2, tb2, a2, TFW_SAME, 2, 2, TFW_ACT_RELU);
  tfw_resize_bilinear(w, a2, tz1, u1, 0, 1);
  tfw_resize_bilinear(w, u1, tz2, u2, 1, 0);
  tfw_conv2d(w, u2, tw3, tb3, out, TFW_SAME, 1, 1, TFW_ACT_NONE);
  return finish(w, in, out, dir, "resize_chain.tflite");
}

static int nearest(const char *dir) {
  static float w1[6 * 27], b1[6], w2[6], b2[1] = {0.1f};
  fill(w1, sizeof w1 / 4, 2.0 * sqrt(2.0 / 27)), fill(b1, 6, 0.1);
  fill(w2, 6, 2.0 * sqrt(2.0 / 6));
  tfw *w = tfw_new();
  if (!w) return 1;
  const int s_in[4] = {1, 64, 64, 3}, s_a[4] = {1, 22, 22, 6}, s_r[4] = {1, 64, 64, 6}, s_o[4] = {1, 64, 64, 1},
            s_w1[4] = {6, 3, 3, 3}, s_w2[4] = {1, 1, 1, 6}, s_6[1] = {6}, s_1[1] = {1}, s_2[1] = {2};
  const int size[2] = {64, 64};
  int in = tfw_tensor(w, "input", TFW_FLOAT32, s_in, 4, NULL, 0);
  int tw1 = tfw_tensor(w, "conv1/weights", TFW_FLOAT32, s_w1, 4, w1, sizeof w1);
  int tb1 = tfw_tensor(w, "conv1/bias", TFW_FLOAT32, s_6, 1, b1, sizeof b1);
  int a1 = tfw_tensor(w, "conv1", TFW_FLOAT32, s_a, 4, NULL, 0);
  int tsz = tfw_tensor(w, "size", TFW_INT32, s_2, 1, size, sizeof size);
  int r0 = tfw_tensor(w, "up_legacy", TFW_FLOAT32, s_r, 4, NULL, 0);
  int r1 = tfw_tensor(w, "up_half_pixel", TFW_FLOAT32, s_r, 4, NULL, 0);
  int r2 = tfw_tensor(w, "up_align", TFW_FLOAT32, s_r, 4, NULL, 0);
  int s01 = tfw_tensor(w, "sum01", TFW_FLOAT32, s_r, 4, NULL, 0);
  int s012 = tfw_tensor(w, "sum012", TFW_FLOAT32, s_r, 4, NULL, 0);
  int tw2 = tfw_tensor(w, "head/weights", TFW_FLOAT32, s_w2, 4, w2, sizeof w2);
  int tb2 = tfw_tensor(w, "head/bias", TFW_FLOAT32, s_1, 1, b2, sizeof b2);
  int a2 = tfw_tensor(w, "head", TFW_FLOAT32, s_o, 4, NULL, 0);
  int out = tfw_tensor(w, "prob", TFW_FLOAT32, s_o, 4, NULL, 0);
  tfw_conv2d(w, in, tw1, tb1, a1, TFW_SAME, 3, 3, TFW_ACT_RELU);
  tfw_resize_nearest(w, a1, tsz, r0, 0, 0);
  tfw_resize_nearest(w, a1, tsz, r1, 0, 1);
  tfw_resize_nearest(w, a1, tsz, r2, 1, 0);
  tfw_add(w, r0, r1, s01, TFW_ACT_NONE);
  tfw_add(w, s01, r2, s012, TFW_ACT_NONE);
  tfw_conv2d(w, s012, tw2, tb2, a2, TFW_SAME, 1, 1, TFW_ACT_NONE);
  tfw_simple(w, TFW_OP_LOGISTIC, a2, out);
  return finish(w, in, out, dir, "nearest.tflite");
}

static int resize_head(const char *dir) {
  static float w1[4 * 27], b1[4], w2[4], b2[1] = {-0.2f};
  fill(w1, sizeof w1 / 4, 2.0 * sqrt(2.0 / 27)), fill(b1, 4, 0.1);
  fill(w2, 4, 3.0 * sqrt(2.0 / 4));
  tfw *w = tfw_new();
  if (!w) return 1;
  const int s_in[4] = {1, 64, 64, 3}, s_a[4] = {1, 32, 32, 4}, s_b[4] = {1, 32, 32, 1}, s_o[4] = {1, 64, 64, 1},
            s_w1[4] = {4, 3, 3, 3}, s_w2[4] = {1, 1, 1, 4}, s_4[1] = {4}, s_1[1] = {1}, s_2[1] = {2};
  const int size[2] = {64, 64};
  int in = tfw_tensor(w, "input", TFW_FLOAT32, s_in, 4, NULL, 0);
  int tw1 = tfw_tensor(w, "conv1/weights", TFW_FLOAT32, s_w1, 4, w1, sizeof w1);
  int tb1 = tfw_tensor(w, "conv1/bias", TFW_FLOAT32, s_4, 1, b1, sizeof b1);
  int a1 = tfw_tensor(w, "conv1", TFW_FLOAT32, s_a, 4, NULL, 0);
  int tw2 = tfw_tensor(w, "head/weights", TFW_FLOAT32, s_w2, 4, w2, sizeof w2);
  int tb2 = tfw_tensor(w, "head/bias", TFW_FLOAT32, s_1, 1, b2, sizeof b2);
  int a2 = tfw_tensor(w, "head", TFW_FLOAT32, s_b, 4, NULL, 0);
  int tsz = tfw_tensor(w, "up/size", TFW_INT32, s_2, 1, size, sizeof size);
  int u = tfw_tensor(w, "up", TFW_FLOAT32, s_o, 4, NULL, 0);
  int out = tfw_tensor(w, "prob", TFW_FLOAT32, s_o, 4, NULL, 0);
  tfw_conv2d(w, in, tw1, tb1, a1, TFW_SAME, 2, 2, TFW_ACT_RELU);
  tfw_conv2d(w, a1, tw2, tb2, a2, TFW_SAME, 1, 1, TFW_ACT_NONE);
  tfw_resize_bilinear(w, a2, tsz, u, 0, 0);
  tfw_simple(w, TFW_OP_LOGISTIC, u, out);
  return finish(w, in, out, dir, "resize_head.tflite");
}

/* AVERAGE_POOL_2D with a window (3x3 stride 2 SAME: TFLite divides by the cells inside the map,
 * fewer at the borders; 5x5 stride 1 SAME), MAX_POOL_2D 2x2 stride 2 VALID, bilinear back up. */
static int pools(const char *dir) {
  static float w1[8 * 27], b1[8], w2[8], b2[1] = {-0.2f};
  fill(w1, sizeof w1 / 4, 2.0 * sqrt(2.0 / 27)), fill(b1, 8, 0.1);
  fill(w2, 8, 2.0 * sqrt(2.0 / 8));
  tfw *w = tfw_new();
  if (!w) return 1;
  const int s_in[4] = {1, 64, 64, 3}, s_a[4] = {1, 64, 64, 8}, s_p[4] = {1, 32, 32, 8}, s_m[4] = {1, 16, 16, 8},
            s_r[4] = {1, 64, 64, 8}, s_o[4] = {1, 64, 64, 1}, s_w1[4] = {8, 3, 3, 3}, s_w2[4] = {1, 1, 1, 8}, s_8[1] = {8},
            s_1[1] = {1}, s_2[1] = {2};
  const int size[2] = {64, 64};
  int in = tfw_tensor(w, "input", TFW_FLOAT32, s_in, 4, NULL, 0);
  int tw1 = tfw_tensor(w, "conv1/weights", TFW_FLOAT32, s_w1, 4, w1, sizeof w1);
  int tb1 = tfw_tensor(w, "conv1/bias", TFW_FLOAT32, s_8, 1, b1, sizeof b1);
  int a1 = tfw_tensor(w, "conv1", TFW_FLOAT32, s_a, 4, NULL, 0);
  int p1 = tfw_tensor(w, "avg3s2", TFW_FLOAT32, s_p, 4, NULL, 0);
  int p2 = tfw_tensor(w, "avg5s1", TFW_FLOAT32, s_p, 4, NULL, 0);
  int p3 = tfw_tensor(w, "max2s2", TFW_FLOAT32, s_m, 4, NULL, 0);
  int tsz = tfw_tensor(w, "size", TFW_INT32, s_2, 1, size, sizeof size);
  int r = tfw_tensor(w, "up", TFW_FLOAT32, s_r, 4, NULL, 0);
  int tw2 = tfw_tensor(w, "head/weights", TFW_FLOAT32, s_w2, 4, w2, sizeof w2);
  int tb2 = tfw_tensor(w, "head/bias", TFW_FLOAT32, s_1, 1, b2, sizeof b2);
  int a2 = tfw_tensor(w, "head", TFW_FLOAT32, s_o, 4, NULL, 0);
  int out = tfw_tensor(w, "prob", TFW_FLOAT32, s_o, 4, NULL, 0);
  tfw_conv2d(w, in, tw1, tb1, a1, TFW_SAME, 1, 1, TFW_ACT_RELU);
  tfw_average_pool2d(w, a1, p1, 3, 3, 2, 2, TFW_SAME);
  tfw_average_pool2d(w, p1, p2, 5, 5, 1, 1, TFW_SAME);
  tfw_max_pool2d(w, p2, p3, 2, 2, 2, 2, TFW_VALID);
  tfw_resize_bilinear(w, p3, tsz, r, 0, 1);
  tfw_conv2d(w, r, tw2, tb2, a2, TFW_SAME, 1, 1, TFW_ACT_NONE);
  tfw_simple(w, TFW_OP_LOGISTIC, a2, out);
  return finish(w, in, out, dir, "pools.tflite");
}

/* an int8 activation tensor of scale sc, zero point zp */
static int qtensor(tfw *w, const char *name, const int *shape, float sc, int zp) {
  int t = tfw_tensor(w, name, TFW_INT8, shape, 4, NULL, 0);
  int64_t z = zp;
  return tfw_quantization(w, t, &sc, &z, 1, 0);
}

/* int8 weights quantized per output channel (dimension qdim of shape, oc channels; inner: the
 * values a channel's index repeats over, 1 for depthwise [1,kh,kw,c]) and the int32 bias at
 * scale in_scale x the channel's weight scale: the tensors TFLite's converter writes */
static void qweights(tfw *w, const char *name, const int *shape, int oc, int qdim, const float *wf, const float *bf,
                     float in_scale, int *tw, int *tb) {
  size_t n = (size_t)shape[0] * shape[1] * shape[2] * shape[3], per = n / (size_t)oc;
  int8_t *q = malloc(n);
  int32_t *b = malloc((size_t)oc * 4);
  float *sc = malloc((size_t)oc * 4), *bs = malloc((size_t)oc * 4);
  int64_t *z = calloc((size_t)oc, 8);
  for (int c = 0; c < oc; c++) {
    float mx = 1e-6f;
    for (size_t i = 0; i < per; i++) {
      size_t k = qdim == 0 ? (size_t)c * per + i : i * (size_t)oc + (size_t)c;
      if (fabsf(wf[k]) > mx) mx = fabsf(wf[k]);
    }
    sc[c] = mx / 127.0f, bs[c] = in_scale * sc[c];
    for (size_t i = 0; i < per; i++) {
      size_t k = qdim == 0 ? (size_t)c * per + i : i * (size_t)oc + (size_t)c;
      q[k] = (int8_t)lrintf(wf[k] / sc[c]);
    }
    b[c] = (int32_t)lrintf(bf[c] / bs[c]);
  }
  const int s_b[1] = {oc};
  char bname[64];
  snprintf(bname, sizeof bname, "%s/bias", name);
  *tw = tfw_quantization(w, tfw_tensor(w, name, TFW_INT8, shape, 4, q, n), sc, z, oc, qdim);
  *tb = tfw_quantization(w, tfw_tensor(w, bname, TFW_INT32, s_b, 1, b, (size_t)oc * 4), bs, z, oc, 0);
  free(q), free(b), free(sc), free(bs), free(z);
}

static int int8_ops(const char *dir) {
  static float w1[8 * 27], b1[8], w2[4 * 8], b2[4], w3[2 * 12], b3[2];
  fill(w1, sizeof w1 / 4, sqrt(2.0 / 27)), fill(b1, 8, 0.05), fill(w2, sizeof w2 / 4, sqrt(2.0 / 8));
  fill(b2, 4, 0.05), fill(w3, sizeof w3 / 4, 2.0 * sqrt(2.0 / 12)), fill(b3, 2, 0.1);
  tfw *w = tfw_new();
  if (!w) return 1;
  const int s_in[4] = {1, 64, 64, 3}, s_c1[4] = {1, 64, 64, 8}, s_p[4] = {1, 32, 32, 8}, s_c2[4] = {1, 32, 32, 4},
            s_cc[4] = {1, 32, 32, 16}, s_sl[4] = {1, 32, 32, 12}, s_r[4] = {1, 64, 64, 12}, s_o[4] = {1, 64, 64, 2},
            s_w1[4] = {8, 3, 3, 3}, s_w2[4] = {4, 1, 1, 8}, s_w3[4] = {2, 1, 1, 12}, s_4[1] = {4}, s_2[1] = {2};
  const int32_t size[2] = {64, 64}, begin[4] = {0, 0, 0, 2}, end[4] = {1, 32, 32, 14}, strides[4] = {1, 1, 1, 1};
  const float s0 = 1.0f / 255, s1 = 5.0f / 255, s6 = 16.0f / 255;
  int64_t z0 = 0;
  int in = tfw_quantization(w, tfw_tensor(w, "pixels", TFW_UINT8, s_in, 4, NULL, 0), &s0, &z0, 1, 0);
  int q0 = qtensor(w, "q", s_in, s0, -128), c1 = qtensor(w, "conv1", s_c1, s1, -128), p = qtensor(w, "pool", s_p, s1, -128);
  int c2 = qtensor(w, "conv2", s_c2, s1, -128), cc = qtensor(w, "concat", s_cc, s1, -128);
  int sl = qtensor(w, "slice", s_sl, s1, -128), p2 = qtensor(w, "pool2", s_sl, s1, -128), r = qtensor(w, "up", s_r, s1, -128);
  int out = qtensor(w, "logits", s_o, s6, 3);
  int tsz = tfw_tensor(w, "size", TFW_INT32, s_2, 1, size, sizeof size);
  int tbe = tfw_tensor(w, "slice/begin", TFW_INT32, s_4, 1, begin, sizeof begin);
  int ten = tfw_tensor(w, "slice/end", TFW_INT32, s_4, 1, end, sizeof end);
  int tst = tfw_tensor(w, "slice/strides", TFW_INT32, s_4, 1, strides, sizeof strides);
  int tw1, tb1, tw2, tb2, tw3, tb3;
  qweights(w, "conv1/weights", s_w1, 8, 0, w1, b1, s0, &tw1, &tb1);
  qweights(w, "conv2/weights", s_w2, 4, 0, w2, b2, s1, &tw2, &tb2);
  qweights(w, "head/weights", s_w3, 2, 0, w3, b3, s1, &tw3, &tb3);
  tfw_op(w, TFW_OP_QUANTIZE, &in, 1, q0);
  tfw_conv2d(w, q0, tw1, tb1, c1, TFW_SAME, 1, 1, TFW_ACT_RELU);
  tfw_max_pool2d(w, c1, p, 2, 2, 2, 2, TFW_VALID);
  tfw_conv2d(w, p, tw2, tb2, c2, TFW_SAME, 1, 1, TFW_ACT_NONE);
  tfw_concat(w, (int[]){c2, p, c2}, 3, cc, 3);
  tfw_strided_slice(w, cc, tbe, ten, tst, sl);
  tfw_max_pool2d(w, sl, p2, 3, 3, 1, 1, TFW_SAME);
  tfw_resize_bilinear(w, p2, tsz, r, 0, 1);
  tfw_conv2d(w, r, tw3, tb3, out, TFW_SAME, 1, 1, TFW_ACT_NONE);
  return finish(w, in, out, dir, "int8_ops.tflite");
}

static int int8_model(const char *dir) {
  static float w1[8 * 27], b1[8], w2[9 * 8], b2[8], w3[8 * 8], b3[8], w4[2 * 8], b4[2];
  fill(w1, sizeof w1 / 4, sqrt(2.0 / 27)), fill(b1, 8, 0.05), fill(w2, sizeof w2 / 4, sqrt(2.0 / 9));
  fill(b2, 8, 0.05), fill(w3, sizeof w3 / 4, sqrt(2.0 / 8)), fill(b3, 8, 0.05);
  fill(w4, sizeof w4 / 4, 2.0 * sqrt(2.0 / 8)), fill(b4, 2, 0.1);
  tfw *w = tfw_new();
  if (!w) return 1;
  const int s_in[4] = {1, 64, 64, 3}, s_pad[4] = {1, 65, 65, 3}, s_a[4] = {1, 32, 32, 8}, s_r[4] = {1, 64, 64, 8},
            s_o[4] = {1, 64, 64, 2}, s_w1[4] = {8, 3, 3, 3}, s_w2[4] = {1, 3, 3, 8}, s_w3[4] = {8, 1, 1, 8},
            s_w4[4] = {2, 1, 1, 8}, s_42[2] = {4, 2}, s_2[1] = {2};
  const int32_t pads[8] = {0, 0, 0, 1, 0, 1, 0, 0}, size[2] = {64, 64};
  const float s0 = 1.0f / 255, s1 = 4.0f / 255, s2 = 6.0f / 255, s3 = 12.0f / 255, s4 = 18.0f / 255, s5 = 20.0f / 255,
              s6 = 16.0f / 255;
  int64_t z0 = 0;
  int in = tfw_quantization(w, tfw_tensor(w, "pixels", TFW_UINT8, s_in, 4, NULL, 0), &s0, &z0, 1, 0);
  int q0 = qtensor(w, "q", s_in, s0, -128), qp = qtensor(w, "padded", s_pad, s0, -128);
  int tpad = tfw_tensor(w, "paddings", TFW_INT32, s_42, 2, pads, sizeof pads);
  int a1 = qtensor(w, "conv1", s_a, s1, -128), a2 = qtensor(w, "dw", s_a, s2, -128), a3 = qtensor(w, "pw", s_a, s3, 0);
  int a4 = qtensor(w, "add", s_a, s4, -43), r = qtensor(w, "up", s_r, s4, -43), rq = qtensor(w, "requant", s_r, s5, -40);
  int out = qtensor(w, "logits", s_o, s6, 3);
  int tsz = tfw_tensor(w, "size", TFW_INT32, s_2, 1, size, sizeof size);
  int tw1, tb1, tw2, tb2, tw3, tb3, tw4, tb4;
  qweights(w, "conv1/weights", s_w1, 8, 0, w1, b1, s0, &tw1, &tb1);
  qweights(w, "dw/weights", s_w2, 8, 3, w2, b2, s1, &tw2, &tb2);
  qweights(w, "pw/weights", s_w3, 8, 0, w3, b3, s2, &tw3, &tb3);
  qweights(w, "head/weights", s_w4, 2, 0, w4, b4, s5, &tw4, &tb4);
  tfw_op(w, TFW_OP_QUANTIZE, &in, 1, q0);
  tfw_op(w, TFW_OP_PAD, (int[]){q0, tpad}, 2, qp);
  tfw_conv2d(w, qp, tw1, tb1, a1, TFW_VALID, 2, 2, TFW_ACT_RELU);
  tfw_depthwise_conv2d(w, a1, tw2, tb2, a2, TFW_SAME, 1, 1, TFW_ACT_RELU6);
  tfw_conv2d(w, a2, tw3, tb3, a3, TFW_SAME, 1, 1, TFW_ACT_NONE);
  tfw_add(w, a2, a3, a4, TFW_ACT_NONE);
  tfw_resize_bilinear(w, a4, tsz, r, 0, 1);
  tfw_op(w, TFW_OP_QUANTIZE, &r, 1, rq);
  tfw_conv2d(w, rq, tw4, tb4, out, TFW_SAME, 1, 1, TFW_ACT_NONE);
  return finish(w, in, out, dir, "int8.tflite");
}

/* LOGISTIC and TANH on int8 tensors: XNNPACK's lookup tables (the inputs' scales wide enough that
 * the tables' saturated and steep parts are both read) */
static int int8_act(const char *dir) {
  static float w1[4 * 27], b1[4], w2[4], b2[1] = {0.2f};
  fill(w1, sizeof w1 / 4, 6.0 * sqrt(2.0 / 27)), fill(b1, 4, 0.3), fill(w2, 4, 3.0 * sqrt(2.0 / 4));
  tfw *w = tfw_new();
  if (!w) return 1;
  const int s_in[4] = {1, 64, 64, 3}, s_a[4] = {1, 64, 64, 4}, s_o[4] = {1, 64, 64, 1}, s_w1[4] = {4, 3, 3, 3},
            s_w2[4] = {1, 1, 1, 4};
  const float s0 = 1.0f / 255, s1 = 16.0f / 255, s2 = 1.0f / 128, s3 = 12.0f / 255, s4 = 1.0f / 256;
  int64_t z0 = 0;
  int in = tfw_quantization(w, tfw_tensor(w, "pixels", TFW_UINT8, s_in, 4, NULL, 0), &s0, &z0, 1, 0);
  int q0 = qtensor(w, "q", s_in, s0, -128), c1 = qtensor(w, "conv1", s_a, s1, 3), t = qtensor(w, "tanh", s_a, s2, 0);
  int c2 = qtensor(w, "conv2", s_o, s3, 5), out = qtensor(w, "probability", s_o, s4, -128);
  int tw1, tb1, tw2, tb2;
  qweights(w, "conv1/weights", s_w1, 4, 0, w1, b1, s0, &tw1, &tb1);
  qweights(w, "conv2/weights", s_w2, 1, 0, w2, b2, s2, &tw2, &tb2);
  tfw_op(w, TFW_OP_QUANTIZE, &in, 1, q0);
  tfw_conv2d(w, q0, tw1, tb1, c1, TFW_SAME, 1, 1, TFW_ACT_NONE);
  tfw_simple(w, TFW_OP_TANH, c1, t);
  tfw_conv2d(w, t, tw2, tb2, c2, TFW_SAME, 1, 1, TFW_ACT_NONE);
  tfw_simple(w, TFW_OP_LOGISTIC, c2, out);
  return finish(w, in, out, dir, "int8_act.tflite");
}

/* An int8 LOGISTIC or TANH of the model's input itself: uint8 pixels (scale 0.05, zero point 128)
 * -> QUANTIZE to int8 (zero point 0: the real values -6.4 .. 6.35) -> the op; on
 * prep_portraits --ramp's image every entry of the op's table is read and compared. */
static int int8_lut_at(const char *dir, int op, const char *name, float s0) {
  tfw *w = tfw_new();
  if (!w) return 1;
  const int s_in[4] = {1, 16, 16, 3};
  int64_t z128 = 128;
  int in = tfw_quantization(w, tfw_tensor(w, "pixels", TFW_UINT8, s_in, 4, NULL, 0), &s0, &z128, 1, 0);
  int q = qtensor(w, "q", s_in, s0, 0);
  int out = op == TFW_OP_TANH ? qtensor(w, "tanh", s_in, 1.0f / 128, 0)
          : op == TFW_OP_HARD_SWISH ? qtensor(w, "hard_swish", s_in, 0.53f * s0, s0 > 0.01f ? -114 : -24) /* its range */
                                    : qtensor(w, "logistic", s_in, 1.0f / 256, -128);
  tfw_op(w, TFW_OP_QUANTIZE, &in, 1, q);
  tfw_simple(w, op, q, out);
  return finish(w, in, out, dir, name);
}
static int int8_lut(const char *dir, int op, const char *name) { return int8_lut_at(dir, op, name, 0.05f); }

/* int8 transposed convs (per channel with a bias; per tensor without) */
static int int8_tconv(const char *dir) {
  static float w1[8 * 27], b1[8], w2[8 * 72], b2[8], w3[8 * 72], b3[8], w4[2 * 4 * 8];
  fill(w1, sizeof w1 / 4, sqrt(2.0 / 27)), fill(b1, 8, 0.05), fill(w2, sizeof w2 / 4, sqrt(2.0 / 72)), fill(b2, 8, 0.05);
  fill(w3, sizeof w3 / 4, sqrt(2.0 / 18)), fill(b3, 8, 0.1), fill(w4, sizeof w4 / 4, 2.0 * sqrt(2.0 / 8));
  tfw *w = tfw_new();
  if (!w) return 1;
  const int s_in[4] = {1, 64, 64, 3}, s_a[4] = {1, 32, 32, 8}, s_b[4] = {1, 16, 16, 8}, s_o[4] = {1, 64, 64, 2},
            s_w1[4] = {8, 3, 3, 3}, s_w2[4] = {8, 3, 3, 8}, s_w4[4] = {2, 2, 2, 8}, s_4[1] = {4};
  const int os3[4] = {1, 32, 32, 8}, os4[4] = {1, 64, 64, 2};
  const float s0 = 1.0f / 255, s1 = 4.0f / 255, s2 = 6.0f / 255, s3 = 10.0f / 255, s4 = 16.0f / 255;
  int64_t z0 = 0, zw = 0;
  int in = tfw_quantization(w, tfw_tensor(w, "pixels", TFW_UINT8, s_in, 4, NULL, 0), &s0, &z0, 1, 0);
  int q0 = qtensor(w, "q", s_in, s0, -128), a1 = qtensor(w, "conv1", s_a, s1, -128), a2 = qtensor(w, "conv2", s_b, s2, -128);
  int a3 = qtensor(w, "up1", s_a, s3, -7), out = qtensor(w, "logits", s_o, s4, 3);
  int to3 = tfw_tensor(w, "up1/shape", TFW_INT32, s_4, 1, os3, sizeof os3);
  int to4 = tfw_tensor(w, "up2/shape", TFW_INT32, s_4, 1, os4, sizeof os4);
  int tw1, tb1, tw2, tb2, tw3, tb3;
  qweights(w, "conv1/weights", s_w1, 8, 0, w1, b1, s0, &tw1, &tb1);
  qweights(w, "conv2/weights", s_w2, 8, 0, w2, b2, s1, &tw2, &tb2);
  qweights(w, "up1/weights", s_w2, 8, 0, w3, b3, s2, &tw3, &tb3);
  /* one scale for the whole tensor */
  float mx = 1e-6f;
  for (size_t i = 0; i < sizeof w4 / 4; i++) mx = fabsf(w4[i]) > mx ? fabsf(w4[i]) : mx;
  float sw = mx / 127.0f;
  int8_t q4[sizeof w4 / 4];
  for (size_t i = 0; i < sizeof w4 / 4; i++) q4[i] = (int8_t)lrintf(w4[i] / sw);
  int tw4 = tfw_quantization(w, tfw_tensor(w, "up2/weights", TFW_INT8, s_w4, 4, q4, sizeof q4), &sw, &zw, 1, 0);
  tfw_op(w, TFW_OP_QUANTIZE, &in, 1, q0);
  tfw_conv2d(w, q0, tw1, tb1, a1, TFW_SAME, 2, 2, TFW_ACT_RELU);
  tfw_conv2d(w, a1, tw2, tb2, a2, TFW_SAME, 2, 2, TFW_ACT_RELU);
  tfw_transpose_conv_bias(w, to3, tw3, a2, tb3, a3, TFW_SAME, 2, 2);
  tfw_transpose_conv(w, to4, tw4, a3, out, TFW_SAME, 2, 2);
  return finish(w, in, out, dir, "int8_tconv.tflite");
}

/* An int8 SOFTMAX head (TFLite's builtin kernel: XNNPACK has no int8 softmax) */
static int int8_softmax(const char *dir) {
  static float w1[2 * 27], b1[2] = {0.3f, -0.2f};
  fill(w1, sizeof w1 / 4, 6.0 * sqrt(2.0 / 27));
  tfw *w = tfw_new();
  if (!w) return 1;
  const int s_in[4] = {1, 64, 64, 3}, s_o[4] = {1, 64, 64, 2}, s_w1[4] = {2, 3, 3, 3};
  const float s0 = 1.0f / 255, s1 = 24.0f / 255, s2 = 1.0f / 256;
  int64_t z0 = 0;
  int in = tfw_quantization(w, tfw_tensor(w, "pixels", TFW_UINT8, s_in, 4, NULL, 0), &s0, &z0, 1, 0);
  int q0 = qtensor(w, "q", s_in, s0, -128), c1 = qtensor(w, "logits", s_o, s1, 5), out = qtensor(w, "softmax", s_o, s2, -128);
  int tw1, tb1;
  qweights(w, "conv1/weights", s_w1, 2, 0, w1, b1, s0, &tw1, &tb1);
  tfw_op(w, TFW_OP_QUANTIZE, &in, 1, q0);
  tfw_conv2d(w, q0, tw1, tb1, c1, TFW_SAME, 1, 1, TFW_ACT_NONE);
  tfw_softmax(w, c1, out, 1.0f);
  return finish(w, in, out, dir, "int8_softmax.tflite");
}

/* A 4x4 stride-2 VALID transposed conv cropped back to twice its input (Keras' Conv2DTranspose
 * with padding "same" as some converters write it): float, or int8 with per-channel weights */
static int tconv_crop(const char *dir, int integer) {
  static float w1[8 * 27], b1[8], w2[4 * 16 * 8], b2[4], w3[2 * 4], b3[2];
  fill(w1, sizeof w1 / 4, sqrt(2.0 / 27)), fill(b1, 8, 0.05), fill(w2, sizeof w2 / 4, sqrt(2.0 / 32)), fill(b2, 4, 0.1);
  fill(w3, sizeof w3 / 4, 2.0 * sqrt(2.0 / 4)), fill(b3, 2, 0.1);
  tfw *w = tfw_new();
  if (!w) return 1;
  const int s_in[4] = {1, 64, 64, 3}, s_a[4] = {1, 32, 32, 8}, s_u[4] = {1, 66, 66, 4}, s_c[4] = {1, 64, 64, 4},
            s_o[4] = {1, 64, 64, 2}, s_w1[4] = {8, 3, 3, 3}, s_w2[4] = {4, 4, 4, 8}, s_w3[4] = {2, 1, 1, 4}, s_4[1] = {4},
            s_8[1] = {8}, s_2[1] = {2};
  const int os[4] = {1, 66, 66, 4}, begin[4] = {0, 1, 1, 0}, end[4] = {1, 65, 65, 4}, strides[4] = {1, 1, 1, 1};
  int tos = tfw_tensor(w, "up/shape", TFW_INT32, s_4, 1, os, sizeof os);
  int tbe = tfw_tensor(w, "crop/begin", TFW_INT32, s_4, 1, begin, sizeof begin);
  int ten = tfw_tensor(w, "crop/end", TFW_INT32, s_4, 1, end, sizeof end);
  int tst = tfw_tensor(w, "crop/strides", TFW_INT32, s_4, 1, strides, sizeof strides);
  int in, a1, u, c, out, tw1, tb1, tw2, tb2, tw3, tb3;
  if (integer) {
    const float s0 = 1.0f / 255, s1 = 4.0f / 255, s2 = 8.0f / 255, s3 = 16.0f / 255;
    int64_t z0 = 0;
    in = tfw_quantization(w, tfw_tensor(w, "pixels", TFW_UINT8, s_in, 4, NULL, 0), &s0, &z0, 1, 0);
    int q0 = qtensor(w, "q", s_in, s0, -128);
    a1 = qtensor(w, "conv1", s_a, s1, -128), u = qtensor(w, "up", s_u, s2, -9), c = qtensor(w, "crop", s_c, s2, -9);
    out = qtensor(w, "logits", s_o, s3, 3);
    qweights(w, "conv1/weights", s_w1, 8, 0, w1, b1, s0, &tw1, &tb1);
    qweights(w, "up/weights", s_w2, 4, 0, w2, b2, s1, &tw2, &tb2);
    qweights(w, "head/weights", s_w3, 2, 0, w3, b3, s2, &tw3, &tb3);
    tfw_op(w, TFW_OP_QUANTIZE, &in, 1, q0);
    tfw_conv2d(w, q0, tw1, tb1, a1, TFW_SAME, 2, 2, TFW_ACT_RELU);
    tfw_transpose_conv_bias(w, tos, tw2, a1, tb2, u, TFW_VALID, 2, 2);
  } else {
    in = tfw_tensor(w, "input", TFW_FLOAT32, s_in, 4, NULL, 0);
    tw1 = tfw_tensor(w, "conv1/weights", TFW_FLOAT32, s_w1, 4, w1, sizeof w1);
    tb1 = tfw_tensor(w, "conv1/bias", TFW_FLOAT32, s_8, 1, b1, sizeof b1);
    tw2 = tfw_tensor(w, "up/weights", TFW_FLOAT32, s_w2, 4, w2, sizeof w2);
    tb2 = tfw_tensor(w, "up/bias", TFW_FLOAT32, s_4, 1, b2, sizeof b2);
    tw3 = tfw_tensor(w, "head/weights", TFW_FLOAT32, s_w3, 4, w3, sizeof w3);
    tb3 = tfw_tensor(w, "head/bias", TFW_FLOAT32, s_2, 1, b3, sizeof b3);
    a1 = tfw_tensor(w, "conv1", TFW_FLOAT32, s_a, 4, NULL, 0);
    u = tfw_tensor(w, "up", TFW_FLOAT32, s_u, 4, NULL, 0);
    c = tfw_tensor(w, "crop", TFW_FLOAT32, s_c, 4, NULL, 0);
    out = tfw_tensor(w, "logits", TFW_FLOAT32, s_o, 4, NULL, 0);
    tfw_conv2d(w, in, tw1, tb1, a1, TFW_SAME, 2, 2, TFW_ACT_RELU);
    tfw_transpose_conv_bias(w, tos, tw2, a1, tb2, u, TFW_VALID, 2, 2);
  }
  tfw_strided_slice(w, u, tbe, ten, tst, c);
  tfw_conv2d(w, c, tw3, tb3, out, TFW_SAME, 1, 1, TFW_ACT_NONE);
  return finish(w, in, out, dir, integer ? "int8_tconv_crop.tflite" : "tconv_crop.tflite");
}

/* Crops and pads that no conv absorbs (Keras' Cropping2D and ZeroPadding2D around a U-Net's skip
 * connections): a PAD read by a max pool, a STRIDED_SLICE cropping rows, columns and channels, a
 * SLICE cropping an ADD's sum, their concatenation, and a PAD of 3 before a 3x3 VALID conv (past
 * its kernel, so not folded); float, or int8 (the padded borders hold the zero point) */
static int crop_pad(const char *dir, int integer) {
  static float w1[8 * 27], b1[8], w2[8 * 8], b2[8], w3[2 * 9 * 22], b3[2];
  fill(w1, sizeof w1 / 4, sqrt(2.0 / 27)), fill(b1, 8, 0.05), fill(w2, sizeof w2 / 4, sqrt(2.0 / 8)), fill(b2, 8, 0.05);
  fill(w3, sizeof w3 / 4, 2.0 * sqrt(2.0 / 198)), fill(b3, 2, 0.1);
  tfw *w = tfw_new();
  if (!w) return 1;
  const int s_in[4] = {1, 64, 64, 3}, s_a[4] = {1, 64, 64, 8}, s_p1[4] = {1, 65, 65, 8}, s_m[4] = {1, 32, 32, 8},
            s_c1[4] = {1, 32, 32, 6}, s_cat[4] = {1, 32, 32, 22}, s_p2[4] = {1, 36, 36, 22}, s_h[4] = {1, 34, 34, 2},
            s_o[4] = {1, 64, 64, 2}, s_w1[4] = {8, 3, 3, 3}, s_w2[4] = {8, 1, 1, 8}, s_w3[4] = {2, 3, 3, 22},
            s_pd[2] = {4, 2}, s_4[1] = {4}, s_8[1] = {8}, s_2[1] = {2};
  const int pd1[8] = {0, 0, 1, 0, 0, 1, 0, 0}, pd2[8] = {0, 0, 3, 1, 3, 1, 0, 0}, size[2] = {64, 64};
  const int begin[4] = {0, 3, 5, 2}, end[4] = {1, 35, 37, 8}, strides[4] = {1, 1, 1, 1};
  const int sbegin[4] = {0, 16, 16, 0}, ssize[4] = {1, 32, 32, -1};
  int tp1 = tfw_tensor(w, "pad1/paddings", TFW_INT32, s_pd, 2, pd1, sizeof pd1);
  int tp2 = tfw_tensor(w, "pad2/paddings", TFW_INT32, s_pd, 2, pd2, sizeof pd2);
  int tbe = tfw_tensor(w, "crop/begin", TFW_INT32, s_4, 1, begin, sizeof begin);
  int ten = tfw_tensor(w, "crop/end", TFW_INT32, s_4, 1, end, sizeof end);
  int tst = tfw_tensor(w, "crop/strides", TFW_INT32, s_4, 1, strides, sizeof strides);
  int tsb = tfw_tensor(w, "slice/begin", TFW_INT32, s_4, 1, sbegin, sizeof sbegin);
  int tss = tfw_tensor(w, "slice/size", TFW_INT32, s_4, 1, ssize, sizeof ssize);
  int tsz = tfw_tensor(w, "resize/size", TFW_INT32, s_2, 1, size, sizeof size);
  int in, x, a1, p1, m1, c1, a2, sm, c2, cat, p2, hd, out, tw1, tb1, tw2, tb2, tw3, tb3;
  if (integer) {
    const float s0 = 1.0f / 255, s1 = 4.0f / 255, s3 = 16.0f / 255;
    int64_t z0 = 0;
    in = tfw_quantization(w, tfw_tensor(w, "pixels", TFW_UINT8, s_in, 4, NULL, 0), &s0, &z0, 1, 0);
    x = qtensor(w, "q", s_in, s0, -128);
    a1 = qtensor(w, "conv1", s_a, s1, -128), p1 = qtensor(w, "pad1", s_p1, s1, -128), m1 = qtensor(w, "pool", s_m, s1, -128);
    c1 = qtensor(w, "crop", s_c1, s1, -128), a2 = qtensor(w, "conv2", s_a, s1, 0), sm = qtensor(w, "sum", s_a, s1, -128);
    c2 = qtensor(w, "slice", s_m, s1, -128), cat = qtensor(w, "concat", s_cat, s1, -128);
    p2 = qtensor(w, "pad2", s_p2, s1, -128), hd = qtensor(w, "head", s_h, s3, 3), out = qtensor(w, "logits", s_o, s3, 3);
    qweights(w, "conv1/weights", s_w1, 8, 0, w1, b1, s0, &tw1, &tb1);
    qweights(w, "conv2/weights", s_w2, 8, 0, w2, b2, s1, &tw2, &tb2);
    qweights(w, "head/weights", s_w3, 2, 0, w3, b3, s1, &tw3, &tb3);
    tfw_op(w, TFW_OP_QUANTIZE, &in, 1, x);
  } else {
    in = x = tfw_tensor(w, "input", TFW_FLOAT32, s_in, 4, NULL, 0);
    tw1 = tfw_tensor(w, "conv1/weights", TFW_FLOAT32, s_w1, 4, w1, sizeof w1);
    tb1 = tfw_tensor(w, "conv1/bias", TFW_FLOAT32, s_8, 1, b1, sizeof b1);
    tw2 = tfw_tensor(w, "conv2/weights", TFW_FLOAT32, s_w2, 4, w2, sizeof w2);
    tb2 = tfw_tensor(w, "conv2/bias", TFW_FLOAT32, s_8, 1, b2, sizeof b2);
    tw3 = tfw_tensor(w, "head/weights", TFW_FLOAT32, s_w3, 4, w3, sizeof w3);
    tb3 = tfw_tensor(w, "head/bias", TFW_FLOAT32, s_2, 1, b3, sizeof b3);
    a1 = tfw_tensor(w, "conv1", TFW_FLOAT32, s_a, 4, NULL, 0), p1 = tfw_tensor(w, "pad1", TFW_FLOAT32, s_p1, 4, NULL, 0);
    m1 = tfw_tensor(w, "pool", TFW_FLOAT32, s_m, 4, NULL, 0), c1 = tfw_tensor(w, "crop", TFW_FLOAT32, s_c1, 4, NULL, 0);
    a2 = tfw_tensor(w, "conv2", TFW_FLOAT32, s_a, 4, NULL, 0), sm = tfw_tensor(w, "sum", TFW_FLOAT32, s_a, 4, NULL, 0);
    c2 = tfw_tensor(w, "slice", TFW_FLOAT32, s_m, 4, NULL, 0), cat = tfw_tensor(w, "concat", TFW_FLOAT32, s_cat, 4, NULL, 0);
    p2 = tfw_tensor(w, "pad2", TFW_FLOAT32, s_p2, 4, NULL, 0), hd = tfw_tensor(w, "head", TFW_FLOAT32, s_h, 4, NULL, 0);
    out = tfw_tensor(w, "logits", TFW_FLOAT32, s_o, 4, NULL, 0);
  }
  tfw_conv2d(w, x, tw1, tb1, a1, TFW_SAME, 1, 1, TFW_ACT_RELU);
  tfw_op(w, TFW_OP_PAD, (int[]){a1, tp1}, 2, p1);
  tfw_max_pool2d(w, p1, m1, 2, 2, 2, 2, TFW_VALID);
  tfw_strided_slice(w, a1, tbe, ten, tst, c1);
  tfw_conv2d(w, a1, tw2, tb2, a2, TFW_SAME, 1, 1, TFW_ACT_NONE);
  tfw_add(w, a1, a2, sm, TFW_ACT_NONE);
  tfw_op(w, TFW_OP_SLICE, (int[]){sm, tsb, tss}, 3, c2);
  tfw_concat(w, (int[]){m1, c1, c2}, 3, cat, 3);
  tfw_op(w, TFW_OP_PAD, (int[]){cat, tp2}, 2, p2);
  tfw_conv2d(w, p2, tw3, tb3, hd, TFW_VALID, 1, 1, TFW_ACT_NONE);
  tfw_resize_bilinear(w, hd, tsz, out, 0, 1);
  return finish(w, in, out, dir, integer ? "int8_crop_pad.tflite" : "crop_pad.tflite");
}

/* keras-segmentation's head: the logits map reshaped to [pixels, classes] for a softmax over the
 * last axis (back = 0: that is the output, [1, 4096, 2]); back = 1: reshaped to [4096, 3] (rank
 * 2), a LOGISTIC, reshaped back to the map and read by a 1x1 conv making the logit */
static int reshape_head(const char *dir, int back) {
  static float w1[3 * 27], b1[3], w2[3], b2[1] = {-0.2f};
  fill(w1, sizeof w1 / 4, 3.0 * sqrt(2.0 / 27)), fill(b1, 3, 0.1), fill(w2, 3, 3.0 * sqrt(2.0 / 3));
  tfw *w = tfw_new();
  if (!w) return 1;
  int oc = back ? 3 : 2;
  const int s_in[4] = {1, 64, 64, 3}, s_a[4] = {1, 64, 64, oc}, s_f3[3] = {1, 4096, oc}, s_f2[2] = {4096, oc},
            s_o[4] = {1, 64, 64, 1}, s_w1[4] = {oc, 3, 3, 3}, s_w2[4] = {1, 1, 1, 3}, s_b1[1] = {oc}, s_1[1] = {1},
            s_3[1] = {3}, s_2[1] = {2}, s_4[1] = {4};
  const int flat3[3] = {1, 4096, 2}, flat2[2] = {4096, 3}, map[4] = {1, 64, 64, 3};
  int in = tfw_tensor(w, "input", TFW_FLOAT32, s_in, 4, NULL, 0);
  int tw1 = tfw_tensor(w, "conv1/weights", TFW_FLOAT32, s_w1, 4, w1, (size_t)oc * 27 * 4);
  int tb1 = tfw_tensor(w, "conv1/bias", TFW_FLOAT32, s_b1, 1, b1, (size_t)oc * 4);
  int a1 = tfw_tensor(w, "conv1", TFW_FLOAT32, s_a, 4, NULL, 0);
  tfw_conv2d(w, in, tw1, tb1, a1, TFW_SAME, 1, 1, TFW_ACT_NONE);
  if (!back) {
    int tsh = tfw_tensor(w, "reshape/shape", TFW_INT32, s_3, 1, flat3, sizeof flat3);
    int r = tfw_tensor(w, "reshape", TFW_FLOAT32, s_f3, 3, NULL, 0), out = tfw_tensor(w, "prob", TFW_FLOAT32, s_f3, 3, NULL, 0);
    tfw_op(w, TFW_OP_RESHAPE, (int[]){a1, tsh}, 2, r);
    tfw_softmax(w, r, out, 1.0f);
    return finish(w, in, out, dir, "reshape_softmax.tflite");
  }
  int tsh = tfw_tensor(w, "reshape/shape", TFW_INT32, s_2, 1, flat2, sizeof flat2);
  int tsb = tfw_tensor(w, "reshape_back/shape", TFW_INT32, s_4, 1, map, sizeof map);
  int r = tfw_tensor(w, "reshape", TFW_FLOAT32, s_f2, 2, NULL, 0), g = tfw_tensor(w, "sigmoid", TFW_FLOAT32, s_f2, 2, NULL, 0);
  int m = tfw_tensor(w, "map", TFW_FLOAT32, s_a, 4, NULL, 0);
  int tw2 = tfw_tensor(w, "head/weights", TFW_FLOAT32, s_w2, 4, w2, sizeof w2);
  int tb2 = tfw_tensor(w, "head/bias", TFW_FLOAT32, s_1, 1, b2, sizeof b2);
  int out = tfw_tensor(w, "logit", TFW_FLOAT32, s_o, 4, NULL, 0);
  tfw_op(w, TFW_OP_RESHAPE, (int[]){a1, tsh}, 2, r);
  tfw_simple(w, TFW_OP_LOGISTIC, r, g);
  tfw_op(w, TFW_OP_RESHAPE, (int[]){g, tsb}, 2, m);
  tfw_conv2d(w, m, tw2, tb2, out, TFW_SAME, 1, 1, TFW_ACT_NONE);
  return finish(w, in, out, dir, "reshape_back.tflite");
}

/* A dense bottleneck (an autoencoder's Flatten -> Dense -> Dense -> Reshape): a map flattened by
 * a RESHAPE then a FULLY_CONNECTED, beside a FULLY_CONNECTED reading the 4-D map itself (it
 * flattens it: keep_num_dims off), their sum, a FULLY_CONNECTED to 256 values RESHAPEd to an 8x8x4
 * map, resized and made a logit */
static int dense_bottleneck(const char *dir) {
  static float w1[8 * 27], b1[8], w2[8 * 72], b2[8], wa[32 * 512], ba[32], wb[32 * 512], bb[32], wc[256 * 32], bc[256],
      w3[4], b3[1] = {0.1f};
  fill(w1, sizeof w1 / 4, sqrt(2.0 / 27)), fill(b1, 8, 0.05), fill(w2, sizeof w2 / 4, sqrt(2.0 / 72)), fill(b2, 8, 0.05);
  fill(wa, sizeof wa / 4, sqrt(1.0 / 512)), fill(ba, 32, 0.05), fill(wb, sizeof wb / 4, sqrt(1.0 / 512)), fill(bb, 32, 0.05);
  fill(wc, sizeof wc / 4, sqrt(2.0 / 32)), fill(bc, 256, 0.1), fill(w3, 4, 2.0 * sqrt(2.0 / 4));
  tfw *w = tfw_new();
  if (!w) return 1;
  const int s_in[4] = {1, 64, 64, 3}, s_a[4] = {1, 32, 32, 8}, s_b[4] = {1, 16, 16, 8}, s_c[4] = {1, 8, 8, 8},
            s_flat[2] = {1, 512}, s_v[2] = {1, 32}, s_u[2] = {1, 256}, s_m[4] = {1, 8, 8, 4}, s_r[4] = {1, 64, 64, 4},
            s_o[4] = {1, 64, 64, 1}, s_w1[4] = {8, 3, 3, 3}, s_w2[4] = {8, 3, 3, 8}, s_wa[2] = {32, 512},
            s_wc[2] = {256, 32}, s_w3[4] = {1, 1, 1, 4}, s_8[1] = {8}, s_32[1] = {32}, s_256[1] = {256}, s_1[1] = {1},
            s_2[1] = {2}, s_4[1] = {4};
  const int flat[2] = {1, 512}, map[4] = {1, 8, 8, 4}, size[2] = {64, 64};
  int in = tfw_tensor(w, "input", TFW_FLOAT32, s_in, 4, NULL, 0);
  int tw1 = tfw_tensor(w, "conv1/weights", TFW_FLOAT32, s_w1, 4, w1, sizeof w1);
  int tb1 = tfw_tensor(w, "conv1/bias", TFW_FLOAT32, s_8, 1, b1, sizeof b1);
  int tw2 = tfw_tensor(w, "conv2/weights", TFW_FLOAT32, s_w2, 4, w2, sizeof w2);
  int tb2 = tfw_tensor(w, "conv2/bias", TFW_FLOAT32, s_8, 1, b2, sizeof b2);
  int twa = tfw_tensor(w, "dense_a/weights", TFW_FLOAT32, s_wa, 2, wa, sizeof wa);
  int tba = tfw_tensor(w, "dense_a/bias", TFW_FLOAT32, s_32, 1, ba, sizeof ba);
  int twb = tfw_tensor(w, "dense_b/weights", TFW_FLOAT32, s_wa, 2, wb, sizeof wb);
  int tbb = tfw_tensor(w, "dense_b/bias", TFW_FLOAT32, s_32, 1, bb, sizeof bb);
  int twc = tfw_tensor(w, "dense_c/weights", TFW_FLOAT32, s_wc, 2, wc, sizeof wc);
  int tbc = tfw_tensor(w, "dense_c/bias", TFW_FLOAT32, s_256, 1, bc, sizeof bc);
  int tw3 = tfw_tensor(w, "head/weights", TFW_FLOAT32, s_w3, 4, w3, sizeof w3);
  int tb3 = tfw_tensor(w, "head/bias", TFW_FLOAT32, s_1, 1, b3, sizeof b3);
  int tfl = tfw_tensor(w, "flatten/shape", TFW_INT32, s_2, 1, flat, sizeof flat);
  int tmp = tfw_tensor(w, "unflatten/shape", TFW_INT32, s_4, 1, map, sizeof map);
  int tsz = tfw_tensor(w, "resize/size", TFW_INT32, s_2, 1, size, sizeof size);
  int a = tfw_tensor(w, "conv1", TFW_FLOAT32, s_a, 4, NULL, 0), b = tfw_tensor(w, "conv2", TFW_FLOAT32, s_b, 4, NULL, 0);
  int c = tfw_tensor(w, "conv3", TFW_FLOAT32, s_c, 4, NULL, 0), f = tfw_tensor(w, "flatten", TFW_FLOAT32, s_flat, 2, NULL, 0);
  int va = tfw_tensor(w, "dense_a", TFW_FLOAT32, s_v, 2, NULL, 0), vb = tfw_tensor(w, "dense_b", TFW_FLOAT32, s_v, 2, NULL, 0);
  int vs = tfw_tensor(w, "sum", TFW_FLOAT32, s_v, 2, NULL, 0), u = tfw_tensor(w, "dense_c", TFW_FLOAT32, s_u, 2, NULL, 0);
  int m = tfw_tensor(w, "unflatten", TFW_FLOAT32, s_m, 4, NULL, 0), r = tfw_tensor(w, "resize", TFW_FLOAT32, s_r, 4, NULL, 0);
  int out = tfw_tensor(w, "logit", TFW_FLOAT32, s_o, 4, NULL, 0);
  tfw_conv2d(w, in, tw1, tb1, a, TFW_SAME, 2, 2, TFW_ACT_RELU);
  tfw_conv2d(w, a, tw2, tb2, b, TFW_SAME, 2, 2, TFW_ACT_RELU);
  tfw_conv2d(w, b, tw2, tb2, c, TFW_SAME, 2, 2, TFW_ACT_RELU);
  tfw_op(w, TFW_OP_RESHAPE, (int[]){c, tfl}, 2, f);
  tfw_fully_connected(w, f, twa, tba, va, TFW_ACT_NONE, 0);
  tfw_fully_connected(w, c, twb, tbb, vb, TFW_ACT_NONE, 0);
  tfw_add(w, va, vb, vs, TFW_ACT_RELU);
  tfw_fully_connected(w, vs, twc, tbc, u, TFW_ACT_NONE, 0);
  tfw_op(w, TFW_OP_RESHAPE, (int[]){u, tmp}, 2, m);
  tfw_resize_bilinear(w, m, tsz, r, 0, 1);
  tfw_conv2d(w, r, tw3, tb3, out, TFW_SAME, 1, 1, TFW_ACT_NONE);
  return finish(w, in, out, dir, "dense_bottleneck.tflite");
}

/* dense_bottleneck's path in int8 (uint8 pixels in): the 8x8 map RESHAPEd flat, a
 * FULLY_CONNECTED with per-channel int8 weights (512->64) RESHAPEd to an 8x8x1 map, resized, a
 * 1x1 conv: int8 logits */
static int int8_dense(const char *dir) {
  static float w1[8 * 27], b1[8], w2[8 * 72], b2[8], wd[64 * 512], bd[64], w3[2], b3[2] = {0.1f, -0.1f};
  fill(w1, sizeof w1 / 4, sqrt(2.0 / 27)), fill(b1, 8, 0.05), fill(w2, sizeof w2 / 4, sqrt(2.0 / 72)), fill(b2, 8, 0.05);
  fill(wd, sizeof wd / 4, sqrt(2.0 / 512)), fill(bd, 64, 0.05), fill(w3, 2, 2.0);
  tfw *w = tfw_new();
  if (!w) return 1;
  const int s_in[4] = {1, 64, 64, 3}, s_a[4] = {1, 32, 32, 8}, s_b[4] = {1, 16, 16, 8}, s_c[4] = {1, 8, 8, 8},
            s_flat[2] = {1, 512}, s_v[2] = {1, 64}, s_m[4] = {1, 8, 8, 1}, s_r[4] = {1, 64, 64, 1}, s_o[4] = {1, 64, 64, 2},
            s_w1[4] = {8, 3, 3, 3}, s_w2[4] = {8, 3, 3, 8}, s_wd[2] = {64, 512}, s_w3[4] = {2, 1, 1, 1}, s_2[1] = {2},
            s_4[1] = {4};
  const int flat[2] = {1, 512}, map[4] = {1, 8, 8, 1}, size[2] = {64, 64};
  const float s0 = 1.0f / 255, s1 = 4.0f / 255, s2 = 8.0f / 255, s3 = 16.0f / 255;
  int64_t z0 = 0;
  int in = tfw_quantization(w, tfw_tensor(w, "pixels", TFW_UINT8, s_in, 4, NULL, 0), &s0, &z0, 1, 0);
  int q = qtensor(w, "q", s_in, s0, -128), a = qtensor(w, "conv1", s_a, s1, -128), b = qtensor(w, "conv2", s_b, s1, -128);
  int c = qtensor(w, "conv3", s_c, s1, -128), f = tfw_quantization(w, tfw_tensor(w, "flatten", TFW_INT8, s_flat, 2, NULL, 0), &s1, (int64_t[]){-128}, 1, 0);
  int v = tfw_quantization(w, tfw_tensor(w, "dense", TFW_INT8, s_v, 2, NULL, 0), &s2, (int64_t[]){-6}, 1, 0);
  int m = qtensor(w, "unflatten", s_m, s2, -6), r = qtensor(w, "resize", s_r, s2, -6), out = qtensor(w, "logits", s_o, s3, 2);
  int tw1, tb1, tw2, tb2, tw3, tb3, twd, tbd;
  qweights(w, "conv1/weights", s_w1, 8, 0, w1, b1, s0, &tw1, &tb1);
  qweights(w, "conv2/weights", s_w2, 8, 0, w2, b2, s1, &tw2, &tb2);
  qweights(w, "dense/weights", (const int[]){64, 1, 1, 512}, 64, 0, wd, bd, s1, &twd, &tbd);
  tfw_reshape_tensor(w, twd, s_wd, 2);
  qweights(w, "head/weights", s_w3, 2, 0, w3, b3, s2, &tw3, &tb3);
  int tfl = tfw_tensor(w, "flatten/shape", TFW_INT32, s_2, 1, flat, sizeof flat);
  int tmp = tfw_tensor(w, "unflatten/shape", TFW_INT32, s_4, 1, map, sizeof map);
  int tsz = tfw_tensor(w, "resize/size", TFW_INT32, s_2, 1, size, sizeof size);
  tfw_op(w, TFW_OP_QUANTIZE, &in, 1, q);
  tfw_conv2d(w, q, tw1, tb1, a, TFW_SAME, 2, 2, TFW_ACT_RELU);
  tfw_conv2d(w, a, tw2, tb2, b, TFW_SAME, 2, 2, TFW_ACT_RELU);
  tfw_conv2d(w, b, tw2, tb2, c, TFW_SAME, 2, 2, TFW_ACT_RELU);
  tfw_op(w, TFW_OP_RESHAPE, (int[]){c, tfl}, 2, f);
  tfw_fully_connected(w, f, twd, tbd, v, TFW_ACT_NONE, 0);
  tfw_op(w, TFW_OP_RESHAPE, (int[]){v, tmp}, 2, m);
  tfw_resize_bilinear(w, m, tsz, r, 0, 1);
  tfw_conv2d(w, r, tw3, tb3, out, TFW_SAME, 1, 1, TFW_ACT_NONE);
  return finish(w, in, out, dir, "int8_dense.tflite");
}

/* An int8 squeeze-excite block (uint8 pixels in): MEAN over the map, two 1x1 convs, a LOGISTIC
 * gate, MUL of the map by the gate (one value a channel), then MUL of that by the map itself
 * (same shape), a 1x1 conv, resized: int8 logits */
static int int8_se(const char *dir) {
  static float w1[8 * 27], b1[8], w2[4 * 8], b2[4], w3[8 * 4], b3[8], w4[2 * 8], b4[2];
  fill(w1, sizeof w1 / 4, 2.0 * sqrt(2.0 / 27)), fill(b1, 8, 0.05), fill(w2, sizeof w2 / 4, 2.0 * sqrt(2.0 / 8));
  fill(b2, 4, 0.1), fill(w3, sizeof w3 / 4, 2.0 * sqrt(2.0 / 4)), fill(b3, 8, 0.1), fill(w4, sizeof w4 / 4, 3.0 * sqrt(2.0 / 8));
  fill(b4, 2, 0.1);
  tfw *w = tfw_new();
  if (!w) return 1;
  const int s_in[4] = {1, 64, 64, 3}, s_a[4] = {1, 32, 32, 8}, s_m[4] = {1, 1, 1, 8}, s_f[4] = {1, 1, 1, 4},
            s_h[4] = {1, 32, 32, 2}, s_o[4] = {1, 64, 64, 2}, s_w1[4] = {8, 3, 3, 3}, s_w2[4] = {4, 1, 1, 8},
            s_w3[4] = {8, 1, 1, 4}, s_w4[4] = {2, 1, 1, 8}, s_2[1] = {2};
  const int axes[2] = {1, 2}, size[2] = {64, 64};
  const float s0 = 1.0f / 255;
  int64_t z0 = 0;
  int in = tfw_quantization(w, tfw_tensor(w, "pixels", TFW_UINT8, s_in, 4, NULL, 0), &s0, &z0, 1, 0);
  int q = qtensor(w, "q", s_in, s0, -128), a = qtensor(w, "conv1", s_a, 4.0f / 255, -128);
  int m = qtensor(w, "mean", s_m, 1.5f / 255, -128), f1 = qtensor(w, "fc1", s_f, 4.0f / 255, -128);
  int f2 = qtensor(w, "fc2", s_m, 10.0f / 255, 2), g = qtensor(w, "gate", s_m, 1.0f / 256, -128);
  int x = qtensor(w, "gated", s_a, 3.0f / 255, -128), y = qtensor(w, "squared", s_a, 5.0f / 255, -128);
  int hd = qtensor(w, "head", s_h, 16.0f / 255, 3), out = qtensor(w, "logits", s_o, 16.0f / 255, 3);
  int tax = tfw_tensor(w, "mean/axes", TFW_INT32, s_2, 1, axes, sizeof axes);
  int tsz = tfw_tensor(w, "resize/size", TFW_INT32, s_2, 1, size, sizeof size);
  int tw1, tb1, tw2, tb2, tw3, tb3, tw4, tb4;
  qweights(w, "conv1/weights", s_w1, 8, 0, w1, b1, s0, &tw1, &tb1);
  qweights(w, "fc1/weights", s_w2, 4, 0, w2, b2, 1.5f / 255, &tw2, &tb2);
  qweights(w, "fc2/weights", s_w3, 8, 0, w3, b3, 4.0f / 255, &tw3, &tb3);
  qweights(w, "head/weights", s_w4, 2, 0, w4, b4, 5.0f / 255, &tw4, &tb4);
  tfw_op(w, TFW_OP_QUANTIZE, &in, 1, q);
  tfw_conv2d(w, q, tw1, tb1, a, TFW_SAME, 2, 2, TFW_ACT_RELU);
  tfw_mean(w, a, tax, m, 1);
  tfw_conv2d(w, m, tw2, tb2, f1, TFW_SAME, 1, 1, TFW_ACT_RELU);
  tfw_conv2d(w, f1, tw3, tb3, f2, TFW_SAME, 1, 1, TFW_ACT_NONE);
  tfw_simple(w, TFW_OP_LOGISTIC, f2, g);
  tfw_mul(w, a, g, x, TFW_ACT_NONE);
  tfw_mul(w, x, a, y, TFW_ACT_NONE);
  tfw_conv2d(w, y, tw4, tb4, hd, TFW_SAME, 1, 1, TFW_ACT_NONE);
  tfw_resize_bilinear(w, hd, tsz, out, 0, 1);
  return finish(w, in, out, dir, "int8_se.tflite");
}

/* Keras MobileNetV3's hard sigmoid gate on int8: ADD of a constant 3 with a fused RELU6, MUL by a
 * constant 1/6, MUL of the map by it (uint8 pixels in); then a 1x1 conv and a resize: logits */
static int int8_hsig(const char *dir) {
  static float w1[8 * 27], b1[8], w2[2 * 8], b2[2];
  fill(w1, sizeof w1 / 4, 3.0 * sqrt(2.0 / 27)), fill(b1, 8, 0.2), fill(w2, sizeof w2 / 4, 3.0 * sqrt(2.0 / 8)), fill(b2, 2, 0.1);
  tfw *w = tfw_new();
  if (!w) return 1;
  const int s_in[4] = {1, 64, 64, 3}, s_a[4] = {1, 32, 32, 8}, s_o[4] = {1, 64, 64, 2}, s_h[4] = {1, 32, 32, 2},
            s_w1[4] = {8, 3, 3, 3}, s_w2[4] = {2, 1, 1, 8}, s_1[1] = {1}, s_2[1] = {2};
  const int size[2] = {64, 64};
  const float s0 = 1.0f / 255, sa = 12.0f / 255, s3 = 0.05f, s6 = 1.0f / (6 * 127);
  int64_t z0 = 0;
  const int8_t three = 60, sixth = 127; /* 3 at scale 0.05; 1/6 at scale 1/762 */
  int in = tfw_quantization(w, tfw_tensor(w, "pixels", TFW_UINT8, s_in, 4, NULL, 0), &s0, &z0, 1, 0);
  int q = qtensor(w, "q", s_in, s0, -128), a = qtensor(w, "conv1", s_a, sa, 5);
  int c3 = tfw_quantization(w, tfw_tensor(w, "three", TFW_INT8, s_1, 1, &three, 1), &s3, &z0, 1, 0);
  int c6 = tfw_quantization(w, tfw_tensor(w, "sixth", TFW_INT8, s_1, 1, &sixth, 1), &s6, &z0, 1, 0);
  int r = qtensor(w, "relu6", s_a, 6.0f / 255, -128), g = qtensor(w, "hsig", s_a, 1.0f / 255, -128);
  int y = qtensor(w, "gated", s_a, 7.0f / 255, 9), hd = qtensor(w, "head", s_h, 16.0f / 255, 3);
  int out = qtensor(w, "logits", s_o, 16.0f / 255, 3);
  int tsz = tfw_tensor(w, "resize/size", TFW_INT32, s_2, 1, size, sizeof size);
  int tw1, tb1, tw2, tb2;
  qweights(w, "conv1/weights", s_w1, 8, 0, w1, b1, s0, &tw1, &tb1);
  qweights(w, "head/weights", s_w2, 2, 0, w2, b2, 7.0f / 255, &tw2, &tb2);
  tfw_op(w, TFW_OP_QUANTIZE, &in, 1, q);
  tfw_conv2d(w, q, tw1, tb1, a, TFW_SAME, 2, 2, TFW_ACT_NONE);
  tfw_add(w, a, c3, r, TFW_ACT_RELU6);
  tfw_mul(w, r, c6, g, TFW_ACT_NONE);
  tfw_mul(w, a, g, y, TFW_ACT_NONE);
  tfw_conv2d(w, y, tw2, tb2, hd, TFW_SAME, 1, 1, TFW_ACT_NONE);
  tfw_resize_bilinear(w, hd, tsz, out, 0, 1);
  return finish(w, in, out, dir, "int8_hsig.tflite");
}

/* int8 AVERAGE_POOL_2D (uint8 pixels in): 3x3 stride 2 SAME (windows cut by the border: other
 * divisors), then 2x2 stride 2 VALID, one scale and zero point as TFLite
 * requires; a 1x1 conv and a resize: logits */
static int int8_avgpool(const char *dir) {
  static float w1[8 * 27], b1[8], w2[2 * 8], b2[2];
  fill(w1, sizeof w1 / 4, 3.0 * sqrt(2.0 / 27)), fill(b1, 8, 0.1), fill(w2, sizeof w2 / 4, 3.0 * sqrt(2.0 / 8)), fill(b2, 2, 0.1);
  tfw *w = tfw_new();
  if (!w) return 1;
  const int s_in[4] = {1, 64, 64, 3}, s_a[4] = {1, 64, 64, 8}, s_p[4] = {1, 32, 32, 8}, s_m[4] = {1, 16, 16, 8},
            s_h[4] = {1, 16, 16, 2}, s_o[4] = {1, 64, 64, 2}, s_w1[4] = {8, 3, 3, 3}, s_w2[4] = {2, 1, 1, 8}, s_2[1] = {2};
  const int size[2] = {64, 64};
  const float s0 = 1.0f / 255, sa = 9.0f / 255;
  int64_t z0 = 0;
  int in = tfw_quantization(w, tfw_tensor(w, "pixels", TFW_UINT8, s_in, 4, NULL, 0), &s0, &z0, 1, 0);
  int q = qtensor(w, "q", s_in, s0, -128), a = qtensor(w, "conv1", s_a, sa, 11);
  int p = qtensor(w, "avg3s2", s_p, sa, 11), m = qtensor(w, "avg2s2", s_m, sa, 11);
  int hd = qtensor(w, "head", s_h, 16.0f / 255, 3), out = qtensor(w, "logits", s_o, 16.0f / 255, 3);
  int tsz = tfw_tensor(w, "resize/size", TFW_INT32, s_2, 1, size, sizeof size);
  int tw1, tb1, tw2, tb2;
  qweights(w, "conv1/weights", s_w1, 8, 0, w1, b1, s0, &tw1, &tb1);
  qweights(w, "head/weights", s_w2, 2, 0, w2, b2, sa, &tw2, &tb2);
  tfw_op(w, TFW_OP_QUANTIZE, &in, 1, q);
  tfw_conv2d(w, q, tw1, tb1, a, TFW_SAME, 1, 1, TFW_ACT_NONE);
  tfw_average_pool2d(w, a, p, 3, 3, 2, 2, TFW_SAME);
  int op = tfw_average_pool2d(w, p, m, 2, 2, 2, 2, TFW_VALID);
  (void)op;
  tfw_conv2d(w, m, tw2, tb2, hd, TFW_SAME, 1, 1, TFW_ACT_NONE);
  tfw_resize_bilinear(w, hd, tsz, out, 0, 1);
  return finish(w, in, out, dir, "int8_avgpool.tflite");
}

/* int8 ADD of one value a channel (uint8 pixels in): a map plus a 1x1 conv of its MEAN, with a
 * fused relu; a 1x1 conv and a resize: logits */
static int int8_badd(const char *dir) {
  static float w1[8 * 27], b1[8], w2[8 * 8], b2[8], w3[2 * 8], b3[2];
  fill(w1, sizeof w1 / 4, 3.0 * sqrt(2.0 / 27)), fill(b1, 8, 0.1), fill(w2, sizeof w2 / 4, 2.0 * sqrt(2.0 / 8)), fill(b2, 8, 0.2);
  fill(w3, sizeof w3 / 4, 3.0 * sqrt(2.0 / 8)), fill(b3, 2, 0.1);
  tfw *w = tfw_new();
  if (!w) return 1;
  const int s_in[4] = {1, 64, 64, 3}, s_a[4] = {1, 32, 32, 8}, s_m[4] = {1, 1, 1, 8}, s_h[4] = {1, 32, 32, 2},
            s_o[4] = {1, 64, 64, 2}, s_w1[4] = {8, 3, 3, 3}, s_w2[4] = {8, 1, 1, 8}, s_w3[4] = {2, 1, 1, 8}, s_2[1] = {2};
  const int axes[2] = {1, 2}, size[2] = {64, 64};
  const float s0 = 1.0f / 255;
  int64_t z0 = 0;
  int in = tfw_quantization(w, tfw_tensor(w, "pixels", TFW_UINT8, s_in, 4, NULL, 0), &s0, &z0, 1, 0);
  int q = qtensor(w, "q", s_in, s0, -128), a = qtensor(w, "conv1", s_a, 10.0f / 255, 7);
  int m = qtensor(w, "mean", s_m, 6.0f / 255, -20), f = qtensor(w, "fc", s_m, 13.0f / 255, 4);
  int y = qtensor(w, "sum", s_a, 11.0f / 255, -128), hd = qtensor(w, "head", s_h, 16.0f / 255, 3);
  int out = qtensor(w, "logits", s_o, 16.0f / 255, 3);
  int tax = tfw_tensor(w, "mean/axes", TFW_INT32, s_2, 1, axes, sizeof axes);
  int tsz = tfw_tensor(w, "resize/size", TFW_INT32, s_2, 1, size, sizeof size);
  int tw1, tb1, tw2, tb2, tw3, tb3;
  qweights(w, "conv1/weights", s_w1, 8, 0, w1, b1, s0, &tw1, &tb1);
  qweights(w, "fc/weights", s_w2, 8, 0, w2, b2, 6.0f / 255, &tw2, &tb2);
  qweights(w, "head/weights", s_w3, 2, 0, w3, b3, 11.0f / 255, &tw3, &tb3);
  tfw_op(w, TFW_OP_QUANTIZE, &in, 1, q);
  tfw_conv2d(w, q, tw1, tb1, a, TFW_SAME, 2, 2, TFW_ACT_NONE);
  tfw_mean(w, a, tax, m, 1);
  tfw_conv2d(w, m, tw2, tb2, f, TFW_SAME, 1, 1, TFW_ACT_NONE);
  tfw_add(w, a, f, y, TFW_ACT_RELU);
  tfw_conv2d(w, y, tw3, tb3, hd, TFW_SAME, 1, 1, TFW_ACT_NONE);
  tfw_resize_bilinear(w, hd, tsz, out, 0, 1);
  return finish(w, in, out, dir, "int8_badd.tflite");
}

/* int8 RESIZE_NEAREST_NEIGHBOR in its three conventions (Keras' UpSampling2D; uint8 pixels in):
 * legacy 32 -> 48, align corners 48 -> 45, half-pixel 45 -> 64, one scale and zero point; a 1x1
 * conv: logits */
static int int8_nearest(const char *dir) {
  static float w1[8 * 27], b1[8], w2[2 * 8], b2[2];
  fill(w1, sizeof w1 / 4, 3.0 * sqrt(2.0 / 27)), fill(b1, 8, 0.1), fill(w2, sizeof w2 / 4, 3.0 * sqrt(2.0 / 8)), fill(b2, 2, 0.1);
  tfw *w = tfw_new();
  if (!w) return 1;
  const int s_in[4] = {1, 64, 64, 3}, s_a[4] = {1, 32, 32, 8}, s_b[4] = {1, 48, 48, 8}, s_c[4] = {1, 45, 45, 8},
            s_d[4] = {1, 64, 64, 8}, s_o[4] = {1, 64, 64, 2}, s_w1[4] = {8, 3, 3, 3}, s_w2[4] = {2, 1, 1, 8}, s_2[1] = {2};
  const int z48[2] = {48, 48}, z45[2] = {45, 45}, z64[2] = {64, 64};
  const float s0 = 1.0f / 255, sa = 9.0f / 255;
  int64_t z0 = 0;
  int in = tfw_quantization(w, tfw_tensor(w, "pixels", TFW_UINT8, s_in, 4, NULL, 0), &s0, &z0, 1, 0);
  int q = qtensor(w, "q", s_in, s0, -128), a = qtensor(w, "conv1", s_a, sa, 11), b = qtensor(w, "legacy", s_b, sa, 11);
  int c = qtensor(w, "align", s_c, sa, 11), d = qtensor(w, "half", s_d, sa, 11), out = qtensor(w, "logits", s_o, 16.0f / 255, 3);
  int t48 = tfw_tensor(w, "legacy/size", TFW_INT32, s_2, 1, z48, sizeof z48);
  int t45 = tfw_tensor(w, "align/size", TFW_INT32, s_2, 1, z45, sizeof z45);
  int t64 = tfw_tensor(w, "half/size", TFW_INT32, s_2, 1, z64, sizeof z64);
  int tw1, tb1, tw2, tb2;
  qweights(w, "conv1/weights", s_w1, 8, 0, w1, b1, s0, &tw1, &tb1);
  qweights(w, "head/weights", s_w2, 2, 0, w2, b2, sa, &tw2, &tb2);
  tfw_op(w, TFW_OP_QUANTIZE, &in, 1, q);
  tfw_conv2d(w, q, tw1, tb1, a, TFW_SAME, 2, 2, TFW_ACT_NONE);
  tfw_resize_nearest(w, a, t48, b, 0, 0);
  tfw_resize_nearest(w, b, t45, c, 1, 0);
  tfw_resize_nearest(w, c, t64, d, 0, 1);
  tfw_conv2d(w, d, tw2, tb2, out, TFW_SAME, 1, 1, TFW_ACT_NONE);
  return finish(w, in, out, dir, "int8_nearest.tflite");
}

static int dense_se(const char *dir) {
  static float w1[8 * 27], b1[8], f1[4 * 8], fb1[4], f2[8 * 4], fb2[8], f3[8], fb3[1] = {-0.2f};
  fill(w1, sizeof w1 / 4, sqrt(2.0 / 27)), fill(b1, 8, 0.1), fill(f1, 32, 2.0 * sqrt(2.0 / 8)), fill(fb1, 4, 0.1);
  fill(f2, 32, 2.0 * sqrt(2.0 / 4)), fill(fb2, 8, 0.3), fill(f3, 8, 3.0 * sqrt(2.0 / 8));
  tfw *w = tfw_new();
  if (!w) return 1;
  const int s_in[4] = {1, 64, 64, 3}, s_a[4] = {1, 64, 64, 8}, s_o[4] = {1, 64, 64, 1}, s_w1[4] = {8, 3, 3, 3},
            s_p[2] = {1, 8}, s_h[2] = {1, 4}, s_g4[4] = {1, 1, 1, 8}, s_f1[2] = {4, 8}, s_f2[2] = {8, 4},
            s_f3[2] = {1, 8}, s_8[1] = {8}, s_4[1] = {4}, s_1[1] = {1}, s_2[1] = {2}, s_sh[1] = {4};
  const int axes[2] = {1, 2}, shape4[4] = {1, 1, 1, 8};
  int in = tfw_tensor(w, "input", TFW_FLOAT32, s_in, 4, NULL, 0);
  int tw1 = tfw_tensor(w, "conv/weights", TFW_FLOAT32, s_w1, 4, w1, sizeof w1);
  int tb1 = tfw_tensor(w, "conv/bias", TFW_FLOAT32, s_8, 1, b1, sizeof b1);
  int a1 = tfw_tensor(w, "conv", TFW_FLOAT32, s_a, 4, NULL, 0);
  int tax = tfw_tensor(w, "axes", TFW_INT32, s_2, 1, axes, sizeof axes);
  int pool = tfw_tensor(w, "pool", TFW_FLOAT32, s_p, 2, NULL, 0);
  int tf1 = tfw_tensor(w, "fc1/weights", TFW_FLOAT32, s_f1, 2, f1, sizeof f1);
  int tfb1 = tfw_tensor(w, "fc1/bias", TFW_FLOAT32, s_4, 1, fb1, sizeof fb1);
  int h1 = tfw_tensor(w, "fc1", TFW_FLOAT32, s_h, 2, NULL, 0);
  int tf2 = tfw_tensor(w, "fc2/weights", TFW_FLOAT32, s_f2, 2, f2, sizeof f2);
  int tfb2 = tfw_tensor(w, "fc2/bias", TFW_FLOAT32, s_8, 1, fb2, sizeof fb2);
  int h2 = tfw_tensor(w, "fc2", TFW_FLOAT32, s_p, 2, NULL, 0);
  int g = tfw_tensor(w, "gate", TFW_FLOAT32, s_p, 2, NULL, 0);
  int tsh = tfw_tensor(w, "gate/shape", TFW_INT32, s_sh, 1, shape4, sizeof shape4);
  int g4 = tfw_tensor(w, "gate4", TFW_FLOAT32, s_g4, 4, NULL, 0);
  int m = tfw_tensor(w, "excited", TFW_FLOAT32, s_a, 4, NULL, 0);
  int tf3 = tfw_tensor(w, "head/weights", TFW_FLOAT32, s_f3, 2, f3, sizeof f3);
  int tfb3 = tfw_tensor(w, "head/bias", TFW_FLOAT32, s_1, 1, fb3, sizeof fb3);
  int hd = tfw_tensor(w, "head", TFW_FLOAT32, s_o, 4, NULL, 0);
  int out = tfw_tensor(w, "prob", TFW_FLOAT32, s_o, 4, NULL, 0);
  tfw_conv2d(w, in, tw1, tb1, a1, TFW_SAME, 1, 1, TFW_ACT_RELU);
  tfw_mean(w, a1, tax, pool, 0);
  tfw_fully_connected(w, pool, tf1, tfb1, h1, TFW_ACT_RELU, 0);
  tfw_fully_connected(w, h1, tf2, tfb2, h2, TFW_ACT_NONE, 0);
  tfw_simple(w, TFW_OP_LOGISTIC, h2, g);
  tfw_op(w, TFW_OP_RESHAPE, (int[]){g, tsh}, 2, g4);
  tfw_mul(w, a1, g4, m, TFW_ACT_NONE);
  tfw_fully_connected(w, m, tf3, tfb3, hd, TFW_ACT_NONE, 1);
  tfw_simple(w, TFW_OP_LOGISTIC, hd, out);
  return finish(w, in, out, dir, "dense_se.tflite");
}

static int prior4(const char *dir) {
  static float w1[6 * 3 * 3 * 4], b1[6], w2[6], b2[1] = {-0.5f};
  fill(w1, sizeof w1 / 4, sqrt(2.0 / 36)), fill(b1, 6, 0.1);
  for (int i = 3; i < 6 * 3 * 3 * 4; i += 4) w1[i] = 3.0f * fabsf(w1[i]) * (i % 8 == 3 ? 1.0f : -1.0f);
  fill(w2, 6, 2.0 * sqrt(2.0 / 6));
  tfw *w = tfw_new();
  if (!w) return 1;
  const int s_in[4] = {1, 64, 64, 4}, s_a[4] = {1, 64, 64, 6}, s_o[4] = {1, 64, 64, 1}, s_w1[4] = {6, 3, 3, 4},
            s_w2[4] = {1, 1, 1, 6}, s_6[1] = {6}, s_1[1] = {1};
  int in = tfw_tensor(w, "input", TFW_FLOAT32, s_in, 4, NULL, 0);
  int tw1 = tfw_tensor(w, "conv1/weights", TFW_FLOAT32, s_w1, 4, w1, sizeof w1);
  int tb1 = tfw_tensor(w, "conv1/bias", TFW_FLOAT32, s_6, 1, b1, sizeof b1);
  int a1 = tfw_tensor(w, "conv1", TFW_FLOAT32, s_a, 4, NULL, 0);
  int tw2 = tfw_tensor(w, "head/weights", TFW_FLOAT32, s_w2, 4, w2, sizeof w2);
  int tb2 = tfw_tensor(w, "head/bias", TFW_FLOAT32, s_1, 1, b2, sizeof b2);
  int a2 = tfw_tensor(w, "head", TFW_FLOAT32, s_o, 4, NULL, 0);
  int out = tfw_tensor(w, "prob", TFW_FLOAT32, s_o, 4, NULL, 0);
  tfw_conv2d(w, in, tw1, tb1, a1, TFW_SAME, 1, 1, TFW_ACT_RELU);
  tfw_conv2d(w, a1, tw2, tb2, a2, TFW_SAME, 1, 1, TFW_ACT_NONE);
  tfw_simple(w, TFW_OP_LOGISTIC, a2, out);
  return finish(w, in, out, dir, "prior4.tflite");
}

static int prelu(const char *dir) {
  static float w1[6 * 27], b1[6], al[6] = {-2.5f, -0.3f, 0.0f, 0.25f, 1.0f, 3.0f}, w2[6], b2[1] = {0.1f};
  fill(w1, sizeof w1 / 4, sqrt(2.0 / 27)), fill(b1, 6, 0.1);
  fill(w2, 6, 2.0 * sqrt(2.0 / 6));
  tfw *w = tfw_new();
  if (!w) return 1;
  const int s_in[4] = {1, 64, 64, 3}, s_a[4] = {1, 64, 64, 6}, s_o[4] = {1, 64, 64, 1}, s_w1[4] = {6, 3, 3, 3},
            s_w2[4] = {1, 1, 1, 6}, s_6[1] = {6}, s_al[3] = {1, 1, 6}, s_1[1] = {1};
  int in = tfw_tensor(w, "input", TFW_FLOAT32, s_in, 4, NULL, 0);
  int tw1 = tfw_tensor(w, "conv/weights", TFW_FLOAT32, s_w1, 4, w1, sizeof w1);
  int tb1 = tfw_tensor(w, "conv/bias", TFW_FLOAT32, s_6, 1, b1, sizeof b1);
  int a1 = tfw_tensor(w, "conv", TFW_FLOAT32, s_a, 4, NULL, 0);
  int tal = tfw_tensor(w, "prelu/alpha", TFW_FLOAT32, s_al, 3, al, sizeof al);
  int a2 = tfw_tensor(w, "prelu", TFW_FLOAT32, s_a, 4, NULL, 0);
  int tw2 = tfw_tensor(w, "head/weights", TFW_FLOAT32, s_w2, 4, w2, sizeof w2);
  int tb2 = tfw_tensor(w, "head/bias", TFW_FLOAT32, s_1, 1, b2, sizeof b2);
  int a3 = tfw_tensor(w, "head", TFW_FLOAT32, s_o, 4, NULL, 0);
  int out = tfw_tensor(w, "prob", TFW_FLOAT32, s_o, 4, NULL, 0);
  tfw_conv2d(w, in, tw1, tb1, a1, TFW_SAME, 1, 1, TFW_ACT_NONE);
  tfw_op(w, TFW_OP_PRELU, (int[]){a1, tal}, 2, a2);
  tfw_conv2d(w, a2, tw2, tb2, a3, TFW_SAME, 1, 1, TFW_ACT_NONE);
  tfw_simple(w, TFW_OP_LOGISTIC, a3, out);
  return finish(w, in, out, dir, "prelu.tflite");
}

static int dilated(const char *dir) {
  static float w1[8 * 27], b1[8], w2[9 * 8], b2[8], w3[8], b3[1] = {0.2f};
  fill(w1, sizeof w1 / 4, sqrt(2.0 / 27)), fill(b1, 8, 0.05);
  fill(w2, sizeof w2 / 4, sqrt(2.0 / 9)), fill(b2, 8, 0.05);
  fill(w3, 8, 2.0 * sqrt(2.0 / 8));
  tfw *w = tfw_new();
  if (!w) return 1;
  const int s_in[4] = {1, 64, 64, 3}, s_a[4] = {1, 64, 64, 8}, s_b[4] = {1, 56, 56, 8}, s_c[4] = {1, 56, 56, 1},
            s_o[4] = {1, 64, 64, 1}, s_w1[4] = {8, 3, 3, 3}, s_w2[4] = {1, 3, 3, 8}, s_w3[4] = {1, 1, 1, 8},
            s_8[1] = {8}, s_1[1] = {1}, s_2[1] = {2};
  const int size[2] = {64, 64};
  int in = tfw_tensor(w, "input", TFW_FLOAT32, s_in, 4, NULL, 0);
  int tw1 = tfw_tensor(w, "conv/weights", TFW_FLOAT32, s_w1, 4, w1, sizeof w1);
  int tb1 = tfw_tensor(w, "conv/bias", TFW_FLOAT32, s_8, 1, b1, sizeof b1);
  int a1 = tfw_tensor(w, "conv", TFW_FLOAT32, s_a, 4, NULL, 0);
  int tw2 = tfw_tensor(w, "dw/weights", TFW_FLOAT32, s_w2, 4, w2, sizeof w2);
  int tb2 = tfw_tensor(w, "dw/bias", TFW_FLOAT32, s_8, 1, b2, sizeof b2);
  int a2 = tfw_tensor(w, "dw", TFW_FLOAT32, s_b, 4, NULL, 0);
  int tw3 = tfw_tensor(w, "head/weights", TFW_FLOAT32, s_w3, 4, w3, sizeof w3);
  int tb3 = tfw_tensor(w, "head/bias", TFW_FLOAT32, s_1, 1, b3, sizeof b3);
  int a3 = tfw_tensor(w, "head", TFW_FLOAT32, s_c, 4, NULL, 0);
  int tsz = tfw_tensor(w, "resize/size", TFW_INT32, s_2, 1, size, sizeof size);
  int a4 = tfw_tensor(w, "resize", TFW_FLOAT32, s_o, 4, NULL, 0);
  int out = tfw_tensor(w, "prob", TFW_FLOAT32, s_o, 4, NULL, 0);
  tfw_conv2d_dilated(w, 0, in, tw1, tb1, a1, TFW_SAME, 2, 3);
  tfw_conv2d_dilated(w, 1, a1, tw2, tb2, a2, TFW_VALID, 4, 4);
  tfw_conv2d(w, a2, tw3, tb3, a3, TFW_SAME, 1, 1, TFW_ACT_NONE);
  tfw_resize_bilinear(w, a3, tsz, a4, 0, 1);
  tfw_simple(w, TFW_OP_LOGISTIC, a4, out);
  return finish(w, in, out, dir, "dilated.tflite");
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: make_test_models OUTDIR\n");
    return 2;
  }
  return pad_logits1(argv[1]) || flat_logits2(argv[1]) || tconv_bias(argv[1]) || hand_softmax(argv[1]) || naive_softmax(argv[1]) || nearest(argv[1]) || dense_se(argv[1]) || prior4(argv[1]) || concat_slice(argv[1]) || prelu(argv[1]) || dilated(argv[1]) || pools(argv[1]) || int8_model(argv[1]) || int8_ops(argv[1]) || resize_add(argv[1]) || resize_chain(argv[1]) || resize_head(argv[1]) || int8_act(argv[1]) ||
         int8_lut(argv[1], TFW_OP_LOGISTIC, "int8_lut_logistic.tflite") || int8_lut(argv[1], TFW_OP_TANH, "int8_lut_tanh.tflite") ||
         int8_lut(argv[1], TFW_OP_HARD_SWISH, "int8_lut_hard_swish.tflite") ||
         int8_lut_at(argv[1], TFW_OP_HARD_SWISH, "int8_lut_hard_swish_fine.tflite", 0.005f) ||
         int8_tconv(argv[1]) || tconv_crop(argv[1], 0) || tconv_crop(argv[1], 1) || crop_pad(argv[1], 0) || crop_pad(argv[1], 1) || reshape_head(argv[1], 0) || reshape_head(argv[1], 1) || dense_bottleneck(argv[1]) || int8_dense(argv[1]) || int8_se(argv[1]) || int8_hsig(argv[1]) || int8_avgpool(argv[1]) || int8_badd(argv[1]) || int8_nearest(argv[1]) ||
         int8_softmax(argv[1]);
}
