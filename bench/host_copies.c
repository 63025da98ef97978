/* The host's share of a batch through the C API: pseg_session_submit (packing the frames into the
 * slot's buffer, RGB8 or tightly packed RGBA8, then one vkQueueSubmit) and the copy of the masks
 * out in pseg_session_wait (timed once the GPU is done), per pixel; at large batches these bound
 * the frames a second one host thread can feed (docs/gpu.md "Batches"). Build and run from the repository root:
 *   cc -O2 bench/host_copies.c -Iinclude build/libpseg.a -lz -lm -ldl -lpthread -o /tmp/host_copies
 *   /tmp/host_copies [BATCH]          (default 64 frames of 256x256; the best of 5 runs)
 * Every frame of the batch is a distinct buffer, so the source is not cache-resident. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pseg.h"

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

int main(int argc, char **argv) {
  int batch = argc > 1 ? atoi(argv[1]) : 64, w = 256, h = 256;
  if (batch < 1 || batch > 4096) return fprintf(stderr, "batch 1..4096\n"), 2;
  pseg_context *ctx = NULL;
  pseg_model *md = NULL;
  pseg_session *s = NULL;
  char err[512];
  pseg_context_create_info ci = {.device_index = -1};
  if (pseg_context_create(&ci, &ctx, err, sizeof err)) return fprintf(stderr, "%s\n", err), 1;
  pseg_session_create_info si = {.width = w, .height = h, .batch = batch, .in_flight = 1};
  if (pseg_model_load_builtin(ctx, PSEG_MODEL_SELFIE, &md) || pseg_session_create(md, &si, &s))
    return fprintf(stderr, "%s\n", pseg_context_last_error(ctx)), 1;
  size_t npx = (size_t)w * h;
  float *masks = malloc(npx * (size_t)batch * sizeof(float));
  pseg_image *frames = malloc((size_t)batch * sizeof *frames);
  for (int fmt = 0; fmt < 2; fmt++) {
    size_t bpp = fmt ? 4 : 3;
    uint8_t *px = malloc(npx * bpp * (size_t)batch);
    for (size_t i = 0; i < npx * bpp * (size_t)batch; i++) px[i] = (uint8_t)(i * 2654435761u >> 24);
    for (int b = 0; b < batch; b++)
      frames[b] = (pseg_image){w, h, fmt ? PSEG_PIXEL_RGBA8 : PSEG_PIXEL_RGB8, 0, px + npx * bpp * (size_t)b};
    double sub = 1e30, out = 1e30;
    for (int r = 0; r < 5; r++) {
      uint64_t t;
      double t0 = now_ms();
      if (pseg_session_submit(s, frames, (uint32_t)batch, &t)) return fprintf(stderr, "%s\n", pseg_context_last_error(ctx)), 1;
      double t1 = now_ms();
      if (pseg_session_wait(s, t, NULL, NULL)) return fprintf(stderr, "%s\n", pseg_context_last_error(ctx)), 1;
      pseg_session_stats st;
      pseg_session_get_stats(s, &st);
      /* again, and let the GPU finish before the wait: the wait is then the masks' copy */
      if (pseg_session_submit(s, frames, (uint32_t)batch, &t)) return 1;
      double gpu = st.gpu_ms > 0 ? st.gpu_ms * 1.5 + 5 : 10000;
      struct timespec ts = {(time_t)(gpu / 1e3), (long)((gpu - 1e3 * (long)(gpu / 1e3)) * 1e6)};
      nanosleep(&ts, NULL);
      double t2 = now_ms();
      if (pseg_session_wait(s, t, masks, NULL)) return 1;
      double t3 = now_ms();
      sub = t1 - t0 < sub ? t1 - t0 : sub;
      out = t3 - t2 < out ? t3 - t2 : out;
    }
    printf("%s, %d frames of %dx%d: submit (packing) %.2f ms = %.3f ns a pixel; masks out %.2f ms = %.3f ns a pixel\n",
           fmt ? "RGBA8 tightly packed" : "RGB8", batch, w, h, sub, sub * 1e6 / ((double)npx * batch), out,
           out * 1e6 / ((double)npx * batch));
    free(px);
  }
  free(masks), free(frames);
  pseg_session_destroy(s), pseg_model_destroy(md), pseg_context_destroy(ctx);
  return 0;
}
