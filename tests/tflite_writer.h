/* Minimal TFLite flatbuffer writer for tests: builds tiny single-subgraph models (schema version 3,
 * file identifier "TFL3") that both pseg's converter and the real TFLite interpreter accept.
 *
 * Field ids and union type ids follow tensorflow/lite/schema/schema.fbs. Every function that adds
 * something returns its index (tensor index, or operator index for ops) or -1 on a bad argument or
 * out of memory; after a failure tfw_finish fails too, so callers may check only at the end. */
#ifndef PSEG_TESTS_TFLITE_WRITER_H
#define PSEG_TESTS_TFLITE_WRITER_H

#include <stddef.h>
#include <stdint.h>

/* TensorType values */
enum { TFW_FLOAT32 = 0, TFW_FLOAT16 = 1, TFW_INT32 = 2, TFW_UINT8 = 3, TFW_INT8 = 9 };
/* Padding values */
enum { TFW_SAME = 0, TFW_VALID = 1 };
/* ActivationFunctionType values */
enum { TFW_ACT_NONE = 0, TFW_ACT_RELU = 1, TFW_ACT_RELU_N1_TO_1 = 2, TFW_ACT_RELU6 = 3, TFW_ACT_TANH = 4 };
/* BuiltinOperator values used by the tests (for tfw_simple and friends) */
enum {
  TFW_OP_ADD = 0, TFW_OP_AVERAGE_POOL_2D = 1, TFW_OP_CONV_2D = 3, TFW_OP_DEPTHWISE_CONV_2D = 4,
  TFW_OP_DEQUANTIZE = 6, TFW_OP_LOGISTIC = 14, TFW_OP_MAX_POOL_2D = 17, TFW_OP_MUL = 18, TFW_OP_RELU = 19,
  TFW_OP_RELU6 = 21, TFW_OP_RESIZE_BILINEAR = 23, TFW_OP_SOFTMAX = 25, TFW_OP_TANH = 28, TFW_OP_CUSTOM = 32,
  TFW_OP_MEAN = 40, TFW_OP_SUB = 41, TFW_OP_EXP = 47, TFW_OP_HARD_SWISH = 117, TFW_OP_RESHAPE = 22,
  TFW_OP_PAD = 34, TFW_OP_TRANSPOSE_CONV = 67, TFW_OP_FLOOR = 8, TFW_OP_DIV = 42,
  TFW_OP_SUM = 74, TFW_OP_REDUCE_MAX = 82, TFW_OP_CONCATENATION = 2, TFW_OP_STRIDED_SLICE = 45,
  TFW_OP_PRELU = 54, TFW_OP_RESIZE_NEAREST_NEIGHBOR = 97, TFW_OP_FULLY_CONNECTED = 9, TFW_OP_QUANTIZE = 114, TFW_OP_SLICE = 65
};

typedef struct tfw tfw;

tfw *tfw_new(void);
void tfw_free(tfw *w);

/* type: TFW_FLOAT32 / TFW_FLOAT16 / TFW_INT32. data NULL: activation tensor (buffer 0); otherwise the
 * `bytes` bytes are copied into a new buffer. rank <= 8. Returns the tensor index. */
int tfw_tensor(tfw *w, const char *name, int type, const int *shape, int rank, const void *data, size_t bytes);

/* Quantization of tensor t: n scales and zero points (n 0: none written; zps NULL: no zero-point
 * vector), per index of dimension qdim when n > 1. Returns t. */
int tfw_quantization(tfw *w, int t, const float *scales, const int64_t *zps, int n, int qdim);

/* A new shape for tensor t (the same data): weights written by a helper for another layout. Returns t. */
int tfw_reshape_tensor(tfw *w, int t, const int *shape, int rank);

/* Operators; each returns the operator index. bias < 0: no bias input. */
int tfw_conv2d(tfw *w, int in, int weights, int bias, int out, int padding, int stride_h, int stride_w, int fused_act);
/* depth_multiplier is taken from the shapes (weights channels / input channels). */
int tfw_depthwise_conv2d(tfw *w, int in, int weights, int bias, int out, int padding, int stride_h, int stride_w,
                         int fused_act);
int tfw_add(tfw *w, int a, int b, int out, int fused_act);
int tfw_mul(tfw *w, int a, int b, int out, int fused_act);
int tfw_mean(tfw *w, int in, int axes /* const INT32 tensor */, int out, int keep_dims);
int tfw_average_pool2d(tfw *w, int in, int out, int filter_h, int filter_w, int stride_h, int stride_w, int padding);
int tfw_max_pool2d(tfw *w, int in, int out, int filter_h, int filter_w, int stride_h, int stride_w, int padding);
/* RESIZE_NEAREST_NEIGHBOR (options: align_corners, half_pixel_centers) */
int tfw_resize_nearest(tfw *w, int in, int size /* const INT32 [2] */, int out, int align_corners, int half_pixel_centers);
/* FULLY_CONNECTED: weights [out, in]; bias [out] or -1 */
int tfw_fully_connected(tfw *w, int in, int weights, int bias, int out, int fused_act, int keep_num_dims);
int tfw_resize_bilinear(tfw *w, int in, int size /* const INT32 [2] */, int out, int align_corners,
                        int half_pixel_centers);
int tfw_softmax(tfw *w, int in, int out, float beta);
int tfw_dequantize(tfw *w, int in, int out);
/* Any builtin op with one input, one output and no options (LOGISTIC, RELU, RELU6, TANH, HARD_SWISH...). */
int tfw_simple(tfw *w, int builtin_code, int in, int out);
/* CONV_2D (dw 0) or DEPTHWISE_CONV_2D (dw 1), stride 1, no activation, dilated. */
int tfw_conv2d_dilated(tfw *w, int dw, int in, int weights, int bias, int out, int padding, int dil_h, int dil_w);
/* CONCATENATION (axis, no activation); STRIDED_SLICE (begin, end, strides: constant INT32 [4],
 * no masks). */
int tfw_concat(tfw *w, const int *inputs, int nin, int out, int axis);
int tfw_strided_slice(tfw *w, int in, int begin, int end, int strides, int out);
/* SUB and DIV without activation; SUM / REDUCE_MAX (axes: a constant INT32 tensor). */
int tfw_sub(tfw *w, int a, int b, int out);
int tfw_div(tfw *w, int a, int b, int out);
int tfw_reduce(tfw *w, int builtin_code, int in, int axes, int out, int keep_dims);
/* TRANSPOSE_CONV (no bias input: as older converters write it, the bias is a following ADD);
 * out_shape: a constant INT32 [4]; weights [out, kh, kw, in]. */
int tfw_transpose_conv(tfw *w, int out_shape, int weights, int in, int out, int padding, int stride_h, int stride_w);
/* the same with its int32 bias (the 4th input: TFLite's integer transposed convs) */
int tfw_transpose_conv_bias(tfw *w, int out_shape, int weights, int in, int bias, int out, int padding, int stride_h,
                            int stride_w);
/* Any builtin op with these inputs, one output and no options (PAD: input, paddings; RESHAPE: input,
 * shape). */
int tfw_op(tfw *w, int builtin_code, const int *inputs, int nin, int out);
/* CUSTOM op; custom_options (may be NULL) are stored as given (custom_options_format FLEXBUFFERS = 0). */
int tfw_custom(tfw *w, const char *custom_code, const int *inputs, int nin, int out, const uint8_t *custom_options,
               size_t nopt);

/* Serialize: one subgraph "main" with the given graph input and output. *out is malloc'ed (free()).
 * Returns 0, or -1 after an earlier failure or when out of memory. The tfw stays usable. */
/* TFLite metadata with the input's normalization, (x - mean) / std per channel (one value: all). */
int tfw_metadata_normalization(tfw *w, const float *mean, int nmean, const float *std, int nstd);
int tfw_finish(tfw *w, int input, int output, uint8_t **out, size_t *size);

/* Convenience for tests. */
uint16_t tfw_f32_to_f16(float f);            /* round to nearest even, like numpy's astype(float16) */
int tfw_write_file(const char *path, const uint8_t *data, size_t size); /* 0 on success */

#endif
