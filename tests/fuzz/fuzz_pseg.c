/* libFuzzer target: the .pseg parser and validator (runtime/format.c), the checksum fixed up. */
#include <stddef.h>
#include <stdint.h>

#include "../../runtime/format.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t *b = fixed_copy(data, size);
  if (!b) return 0;
  pseg_fmt_model m;
  char err[256];
  if (pseg_fmt_parse(b, size, &m, err, sizeof err) == 0) pseg_fmt_free(&m);
  free(b);
  return 0;
}
