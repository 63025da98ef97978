/* The .pseg model format: written by the converter (tools/), read by the runtime.
 *
 * All integers are little-endian. Layout (version 1):
 *
 *   offset  size  field
 *   0       4     magic "PSEG"
 *   4       4     version (1)
 *   8       4     file size in bytes
 *   12      4     CRC-32 (zlib polynomial) of bytes [16, file size)
 *   16      4     tensor count T           (<= PSEG_FMT_MAX_TENSORS)
 *   20      4     layer count L            (<= PSEG_FMT_MAX_LAYERS)
 *   24      4     weight blob size W in bytes
 *   28      4     input tensor index
 *   32      4     output tensor index
 *   36      4     head: PSEG_HEAD_PROBABILITY (the output already is a probability)
 *   40      4     person channel of the output tensor
 *   44      4     1 + the model's own output tensor, before the head pseg appended (0: the output)
 *   48      4     channels of the TFLite model's input when pseg's input is its first ones (0: same)
 *   52      4     the input's scale: the model sees RGB in [0,1] times it plus the offset (float bits; 0: 1)
 *   56      4     the input's offset (float bits)
 *   60      4     quantization entries Q (versions 2 and 3; version 1: reserved, zero)
 *   (64     32    version 3 only: green's scale, blue's scale, green's offset, blue's offset (float
 *                 bits; 52 and 56 are then red's), 16 bytes reserved, zero)
 *   64 (96) 16*T  tensors: int32 h, w, c, quant (0: float; k: 8-bit integers, entry k - 1)
 *   ...     64*L  layers: 16 int32 each, see pseg_fmt_layer
 *   ...     16*Q  quantization entries: float scale, int32 zero point, int32 type (1: int8), 0
 *   ...     W     weight blob (fp16 or fp32 values, 4-byte aligned offsets)
 *
 * Version 2 is version 1 plus integer tensors (issue 15): a file without them is written as
 * version 1. An integer tensor holds q with real value (q - zero point) * scale. Weights of type
 * PSEG_WTYPE_I8 (the layers of an integer graph): at w_off an int32 n (1, or one per output
 * channel), n float scales, then the int8 weights (in the float layouts below), padded to 4
 * bytes; at b_off int32 biases (scale: input scale x weight scale, zero point 0).
 *
 * Version 3 is version 2 with a 96-byte header: a scale and an offset per colour channel (a model
 * normalized with ImageNet's per-channel mean and std). A file whose R, G and B share one scale and
 * offset is written as version 1 or 2.
 *
 * Tensors are NHWC with batch 1. Weight layouts are TFLite's: CONV2D and TCONV2D
 * [out, kh, kw, in], DWCONV2D [kh, kw, c]; bias [out]. Layers are listed in execution order
 * and every layer input must be the model input or the output of an earlier layer.
 */
#ifndef PSEG_FORMAT_H
#define PSEG_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#define PSEG_FMT_MAGIC "PSEG"
#define PSEG_FMT_VERSION 1u
#define PSEG_FMT_VERSION_QUANT 2u /* files with integer tensors */
#define PSEG_FMT_VERSION_NORM3 3u /* files normalizing R, G and B differently (with or without integer tensors) */
#define PSEG_FMT_HEADER_SIZE_V3 96u
#define PSEG_FMT_MAX_QUANT 4096u
#define PSEG_FMT_HEADER_SIZE 64u
#define PSEG_FMT_MAX_TENSORS 4096u
#define PSEG_FMT_MAX_LAYERS 4096u
#define PSEG_FMT_MAX_DIM 4096
#define PSEG_FMT_MAX_CHANNELS 4096
#define PSEG_FMT_MAX_KERNEL 15

/* Layer operations (X-macro: enum value, name). */
#define PSEG_OP_MAP(X)                                                                             \
  X(CONV2D, 1, "conv2d")                                                                           \
  X(DWCONV2D, 2, "dwconv2d")                                                                       \
  X(MEAN, 3, "mean")                     /* global average over H and W */                        \
  X(ADD, 4, "add")                       /* aux: 0 same shape, 1 in1 is [1,1,C]; 3 (int8) in1 -1, one constant in the weights */ \
  X(MUL, 5, "mul")                       /* aux as ADD */                                          \
  X(RESIZE_BILINEAR, 6, "resize_bilinear") /* aux: 0 half-pixel, 1 legacy, 2 align corners */      \
  X(TCONV2D, 7, "tconv2d")               /* transposed conv, + bias: out[iy*s - pad + k] += in[iy] w[k] */ \
  X(ACT, 8, "activation")                /* standalone activation (act field) */                   \
  X(SOFTMAX, 9, "softmax")               /* over channels */                                     \
  X(SUB, 10, "sub")                      /* aux as ADD, or 2: in1 is [H,W,1] (per pixel) */       \
  X(DIV, 11, "div")                      /* aux as SUB */                                          \
  X(REDUCE, 12, "reduce")                /* over channels to [H,W,1]; aux 0 sum, 1 max */       \
  X(CONCAT, 13, "concat")                /* channels of in0 then in1's; aux: in0's channels */    \
  X(SLICE, 14, "slice")                  /* channels [aux, aux + out's) of in0 */                  \
  X(MAXPOOL, 15, "max_pool")             /* kh x kw window, stride, padding cells ignored */        \
  X(RESIZE_NEAREST, 16, "resize_nearest") /* aux as RESIZE_BILINEAR: 0 half-pixel, 1 legacy (floor), 2 align corners (round) */ \
  X(PRELU, 17, "prelu")                  /* x >= 0 ? x : slope[c] * x; w_off: slopes [C]; act none */ \
  X(AVGPOOL, 18, "avg_pool")             /* as MAXPOOL, the mean of the window's cells inside the map */ \
  X(QUANTIZE, 19, "quantize")            /* float or integer -> integer (the output's scale, zero point) */ \
  X(DEQUANTIZE, 20, "dequantize")        /* integer -> float */                                    \
  X(RESHAPE, 21, "reshape")              /* in0's values in NHWC order, in the output's shape (a copy) */

typedef enum pseg_op {
#define PSEG_OP_ENUM(name, value, str) PSEG_OP_##name = value,
  PSEG_OP_MAP(PSEG_OP_ENUM)
#undef PSEG_OP_ENUM
} pseg_op;

#define PSEG_ACT_MAP(X)                                                                            \
  X(NONE, 0, "none")                                                                               \
  X(RELU, 1, "relu")                                                                               \
  X(RELU6, 2, "relu6")                                                                             \
  X(HARD_SWISH, 3, "hard_swish")                                                                   \
  X(SIGMOID, 4, "sigmoid")                                                                         \
  X(TANH, 5, "tanh")                                                                               \
  X(EXP, 6, "exp")                                                                                 \
  X(PRELU, 7, "prelu") /* not in files: a PRELU layer the planner folded into its producer */

typedef enum pseg_act {
#define PSEG_ACT_ENUM(name, value, str) PSEG_ACT_##name = value,
  PSEG_ACT_MAP(PSEG_ACT_ENUM)
#undef PSEG_ACT_ENUM
} pseg_act;

enum { PSEG_WTYPE_F16 = 0, PSEG_WTYPE_F32 = 1, PSEG_WTYPE_I8 = 2 };
enum { PSEG_QTYPE_INT8 = 1 };
enum { PSEG_HEAD_PROBABILITY = 0 };

typedef struct pseg_fmt_tensor {
  int32_t h, w, c, quant; /* quant: 0 float, k > 0 integer with quantization entry k - 1 */
} pseg_fmt_tensor;

typedef struct pseg_fmt_quant {
  float scale;
  int32_t zero_point, type, reserved;
} pseg_fmt_quant;

typedef struct pseg_fmt_layer {
  int32_t op, act;
  int32_t in0, in1, out; /* tensor indices; in1 = -1 when unused */
  int32_t kh, kw, sh, sw;
  int32_t pad_top, pad_left; /* TFLite SAME padding resolved by the converter */
  int32_t aux;               /* op specific, see PSEG_OP_MAP */
  int32_t wtype;             /* PSEG_WTYPE_* of weights and bias */
  int32_t w_off, b_off;      /* byte offsets into the weight blob; -1 = none (zero bias) */
  int32_t src_index;         /* TFLite operator index it came from (for messages) */
} pseg_fmt_layer;

typedef struct pseg_fmt_model {
  uint32_t n_tensors, n_layers;
  uint32_t input, output, head, person_channel;
  uint32_t raw_output;     /* the model's own output (pseg run), before an appended head */
  uint32_t input_channels; /* of the original model's input (pseg's input: its first channels) */
  float input_scale[3], input_offset[3]; /* R, G, B in [0,1] -> v * scale (0: 1) + offset, as the model was trained */
  pseg_fmt_tensor *tensors;
  pseg_fmt_layer *layers;
  uint32_t n_quant; /* quantization entries (integer tensors) */
  pseg_fmt_quant *quant;
  uint8_t *weights;
  uint32_t weights_size;
  uint32_t builtin_int; /* kernels/quant.c kq_builtin's answer + 1 once known (pseg_fmt_parse sets it);
                           0: not known, computed each time it is asked */
} pseg_fmt_model;

/* The input's scale of colour channel c (0 R, 1 G, 2 B): what the model sees is the pixel in [0,1]
 * times it plus its offset (input_offset[c]). */
static inline float pseg_fmt_input_scale(const pseg_fmt_model *m, int c) {
  return m->input_scale[c] != 0.0f ? m->input_scale[c] : 1.0f;
}

/* What the model sees for colour channel c of a pixel v in [0,1] (pre.comp's arithmetic). */
static inline float pseg_fmt_input_value(const pseg_fmt_model *m, int c, float v) {
  return v * pseg_fmt_input_scale(m, c) + m->input_offset[c];
}

/* 1 when R, G and B are normalized alike (a version 1 or 2 file). */
static inline int pseg_fmt_input_uniform(const pseg_fmt_model *m) {
  return pseg_fmt_input_scale(m, 1) == pseg_fmt_input_scale(m, 0) && pseg_fmt_input_scale(m, 2) == pseg_fmt_input_scale(m, 0) &&
         m->input_offset[1] == m->input_offset[0] && m->input_offset[2] == m->input_offset[0];
}

const char *pseg_op_name(int op);
const char *pseg_act_name(int act);

/* Number of weight and bias elements a layer reads (0 when it has none). */
int pseg_fmt_weight_count(const pseg_fmt_model *m, const pseg_fmt_layer *l, size_t *wcount,
                          size_t *bcount);

/* The quantization of tensor t (NULL: a float tensor). */
const pseg_fmt_quant *pseg_fmt_tensor_quant(const pseg_fmt_model *m, int32_t t);

/* Bytes a layer's weights and bias take in the blob (by its wtype; for PSEG_WTYPE_I8 the
 * weights' scale count nscale, read from the blob, is part of it). 0 on success, -1 when out of range. */
int pseg_fmt_weight_bytes(const pseg_fmt_model *m, const pseg_fmt_layer *l, size_t wcount, size_t bcount,
                          size_t *wbytes, size_t *bbytes);

/* n weight values of a layer (fp16 or fp32 in the blob, at byte offset off) as floats. */
void pseg_fmt_read_values(const pseg_fmt_model *m, int32_t off, size_t n, int wtype, float *dst);

/* Read a whole file (malloc'ed, at most 1 GiB, a regular file); a one-line reason on failure. */
int pseg_read_file(const char *path, void **data, size_t *size, char *err, size_t errlen);

/* Serialise to a malloc'ed byte array (computes size and checksum). 0 on success. */
int pseg_fmt_serialize(const pseg_fmt_model *m, uint8_t **out, size_t *out_size);

/* Parse and fully validate. On success the model's arrays are malloc'ed copies (free with
 * pseg_fmt_free). On failure returns -1 and writes a one-line reason to err. */
int pseg_fmt_parse(const void *data, size_t size, pseg_fmt_model *m, char *err, size_t errlen);

/* Validate an in-memory model (indices, shapes, weight ranges). */
int pseg_fmt_validate(const pseg_fmt_model *m, char *err, size_t errlen);

void pseg_fmt_free(pseg_fmt_model *m);

/* IEEE half <-> float. */
float pseg_half_to_float(uint16_t h);
uint16_t pseg_float_to_half(float f);

#endif
