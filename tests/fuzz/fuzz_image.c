/* libFuzzer target: PNG and JPEG decoding (tools/image_io.c, libpng, libjpeg). */
#include <stddef.h>
#include <stdint.h>

#include "../../tools/image_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  img_rgb im;
  char err[256];
  if (img_load_memory(data, size, "fuzz", &im, err, sizeof err) == 0) img_free(&im);
  return 0;
}
