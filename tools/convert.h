/* TFLite -> .pseg converter. Knows the TFLite flatbuffer schema; the runtime does not. */
#ifndef PSEG_CONVERT_H
#define PSEG_CONVERT_H

#include <stddef.h>

#include "../runtime/format.h"

/* What the model's output means, when the graph does not say (pseg convert --output). */
typedef enum pseg_output_kind {
  PSEG_OUTPUT_AUTO = 0,    /* from the graph: after LOGISTIC or SOFTMAX a probability, else logits */
  PSEG_OUTPUT_PROBABILITY, /* already in [0,1] */
  PSEG_OUTPUT_LOGITS,      /* 1 channel: sigmoid; several: softmax over the channels */
} pseg_output_kind;

typedef struct pseg_convert_options {
  pseg_output_kind output;
  int person_channel; /* -1: 0 for one channel, 1 for two (Keras: background, person); required above */
  float input_scale[3], input_offset[3]; /* the model's input is R, G, B in [0,1] * scale + offset (0, 0: as is) */
  int input_given; /* input_scale / input_offset were given (--input-range, --mean-std): the TFLite
                      metadata's normalization, which is otherwise read, is ignored */
} pseg_convert_options;

/* The options' input scale and offset from a mean and a standard deviation per colour channel
 * (R, G, B) of 0..255 values: the model sees (255 v - mean) / std for a pixel v in [0,1]. */
void pseg_convert_set_mean_std(pseg_convert_options *o, const double mean[3], const double sd[3]);

/* Convert TFLite flatbuffer bytes into a model. Every offset, length and index is checked
 * against the buffer before use. On failure returns -1 with a one-line reason in err
 * (for example "unsupported TFLite op TANH at operator 12"). */
int pseg_convert_tflite(const void *data, size_t size, pseg_fmt_model *out, char *err, size_t errlen);
/* The same with options (NULL: the defaults, as above). */
int pseg_convert_tflite_opts(const void *data, size_t size, const pseg_convert_options *opt, pseg_fmt_model *out,
                             char *err, size_t errlen);

/* Read IN (a .tflite file), write OUT (.pseg) atomically. 0 on success. opt may be NULL. */
int pseg_convert_file(const char *in_path, const char *out_path, const pseg_convert_options *opt, char *err,
                      size_t errlen);

/* Write bytes to path atomically (temporary file + rename; nothing left behind on failure). */
int pseg_write_file_atomic(const char *path, const void *data, size_t size, char *err, size_t errlen);


#endif
