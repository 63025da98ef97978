/* libFuzzer target: the TFLite converter (tools/convert.c) on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "../../runtime/format.h"
#include "../../tools/convert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  pseg_fmt_model m;
  char err[256];
  if (pseg_convert_tflite(data, size, &m, err, sizeof err) == 0) {
    uint8_t *bytes;
    size_t n;
    if (pseg_fmt_serialize(&m, &bytes, &n) == 0) { /* what it wrote must parse again */
      pseg_fmt_model back;
      if (pseg_fmt_parse(bytes, n, &back, err, sizeof err)) __builtin_trap();
      pseg_fmt_free(&back);
      free(bytes);
    }
    pseg_fmt_free(&m);
  }
  return 0;
}
