/* Stand-ins for the GPU calls of model loading (runtime/gpu.c, context.c), so the fuzz targets
 * plan and pack models without a device: buffers are host memory, uploads copy into them. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../runtime/gpu.h"

pseg_result gpu_fail(pseg_context *ctx, pseg_result r, const char *fmt, ...) {
  if (ctx) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->last_error, sizeof ctx->last_error, fmt, ap);
    va_end(ap);
  }
  return r;
}

pseg_result gpu_buffer_create(pseg_context *ctx, VkDeviceSize size, int host_visible, gpu_buffer *out) {
  (void)host_visible;
  memset(out, 0, sizeof *out);
  if (!size || size > ((VkDeviceSize)1 << 31)) return gpu_fail(ctx, PSEG_ERROR_OUT_OF_DEVICE_MEMORY, "stub: buffer of %llu bytes", (unsigned long long)size);
  if (!(out->map = malloc(size))) return gpu_fail(ctx, PSEG_ERROR_OUT_OF_HOST_MEMORY, "stub: out of memory");
  out->size = size;
  return PSEG_SUCCESS;
}

void gpu_buffer_destroy(pseg_context *ctx, gpu_buffer *b) {
  (void)ctx;
  free(b->map);
  memset(b, 0, sizeof *b);
}

pseg_result gpu_upload(pseg_context *ctx, gpu_buffer *dst, VkDeviceSize off, const void *data, VkDeviceSize size) {
  if (off > dst->size || size > dst->size - off) return gpu_fail(ctx, PSEG_ERROR_INVALID_ARGUMENT, "stub: upload out of range");
  memcpy((char *)dst->map + off, data, size);
  return PSEG_SUCCESS;
}

int pseg_context_gpu_tier(const pseg_context *ctx) { return ctx->gpu_tier; }

/* the embedded models (model.c's pseg_model_load_builtin): not needed here */
const unsigned char pseg_builtin_selfie[1], pseg_builtin_selfie_landscape[1];
const size_t pseg_builtin_selfie_size = 0, pseg_builtin_selfie_landscape_size = 0;

/* variant: bit 0 fp16 weights, bit 1 a GPU (the GPU tier; else a CPU driver with weights as
 * specialization constants) */
pseg_context *fuzz_stub_context(int variant) {
  pseg_context *ctx = calloc(1, sizeof *ctx);
  if (!ctx) abort();
  ctx->precision = variant & 1 ? PSEG_PRECISION_FP16 : PSEG_PRECISION_FP32;
  ctx->gpu_tier = (variant & 2) != 0;
  ctx->info.is_cpu = !(variant & 2);
  ctx->cpu_threads = 3;
  ctx->wspec = !(variant & 2);
  ctx->int64 = 1;
  ctx->align = 256;
  ctx->max_ubo_range = 65536, ctx->max_ssbo_range = (VkDeviceSize)1 << 27;
  ctx->max_texel_elements = 1u << 27;
  return ctx;
}
