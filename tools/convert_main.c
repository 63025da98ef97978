/* Build-time converter: pseg-convert-host IN.tflite OUT.pseg (the same code as `pseg convert`,
 * without the Vulkan runtime, so the library can embed its default models). */
#include <stdio.h>

#include "convert.h"

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: pseg-convert-host IN.tflite OUT.pseg\n");
    return 2;
  }
  char err[512];
  if (pseg_convert_file(argv[1], argv[2], NULL, err, sizeof err)) {
    fprintf(stderr, "pseg convert: %s\n", err);
    return 1;
  }
  return 0;
}
