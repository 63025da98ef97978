/* libFuzzer target: model loading past the parser (runtime/model.c, plan.c, kernels/): the plans
 * of both tiers and the weight packing (fp32 and fp16, weights as specialization constants or
 * not), on a context without a device: gpu_stub.c stands in for the GPU calls.
 *
 * Each input runs one of the four contexts, picked from its bytes (a hash: the same input always
 * picks the same one), so an execution costs a quarter of running all four (133 -> ~500 executions
 * a second here: the selfie seeds' loads take ~20 ms each); the replay build
 * (PSEG_FUZZ_REPLAY: ctest fuzz_regressions) runs every input in all four. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../runtime/internal.h"
#include "fuzz_common.h"

pseg_context *fuzz_stub_context(int variant); /* gpu_stub.c */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t *b = fixed_copy(data, size);
  if (!b) return 0;
  uint32_t h = 2166136261u; /* FNV-1a of the input */
  for (size_t i = 0; i < size; i++) h = (h ^ data[i]) * 16777619u;
#ifdef PSEG_FUZZ_REPLAY
  int v0 = 0, v1 = 4;
#else
  int v0 = (int)(h >> 30), v1 = v0 + 1;
#endif
  for (int v = v0; v < v1; v++) { /* fp32 / fp16 x CPU driver (weights as constants) / GPU */
    pseg_context *ctx = fuzz_stub_context(v);
    pseg_model *md = NULL;
    pseg_result r = pseg_model_load_memory(ctx, b, size, &md);
    if (getenv("PSEG_FUZZ_VERBOSE")) /* the replay build: what each input does */
      fprintf(stderr, "variant %d: %s%s%s\n", v, r ? "refused: " : "loaded, planned and packed", r ? ctx->last_error : "",
              r ? "" : "");
    if (r == PSEG_SUCCESS) {
      pseg_plan *pl;
      (void)pseg_model_plan(md, !pseg_context_gpu_tier(ctx), &pl); /* the other tier's plan too */
      pseg_model_destroy(md);
    }
    free(ctx);
  }
  free(b);
  return 0;
}
