/* Shared by the .pseg fuzz targets: a copy of the input with the header's file size and CRC-32
 * fixed up, so the fuzzer reaches the parser and planner instead of the checksum check. */
#ifndef PSEG_FUZZ_COMMON_H
#define PSEG_FUZZ_COMMON_H
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static uint8_t *fixed_copy(const uint8_t *data, size_t size) {
  uint8_t *b = malloc(size ? size : 1);
  if (!b) return NULL;
  memcpy(b, data, size);
  if (size >= 16) {
    uint32_t n = (uint32_t)size, c = (uint32_t)crc32(0L, b + 16, (uInt)(size - 16));
    for (int k = 0; k < 4; k++) b[8 + k] = (uint8_t)(n >> (8 * k)), b[12 + k] = (uint8_t)(c >> (8 * k));
  }
  return b;
}
#endif
