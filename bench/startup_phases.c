/* Where the time to the first mask goes, through the C API: context, model, session (the base
 * kernels' pipelines), first frame, second frame. Build and run from the repository root:
 *   cc -O2 bench/startup_phases.c -Iinclude build/libpseg.a -lvulkan -lz -lm -ldl -lpthread -o /tmp/phases
 *   /tmp/phases [selfie|selfie-landscape]
 * (`pseg bench --json` gives the whole figure, first_mask_ms, from the start of its main()). */
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
  int landscape = argc > 1 && !strcmp(argv[1], "selfie-landscape");
  double t0 = now_ms();
  pseg_context *ctx = NULL;
  pseg_model *md = NULL;
  pseg_session *s = NULL;
  char err[512];
  pseg_context_create_info ci = {.device_index = -1};
  if (pseg_context_create(&ci, &ctx, err, sizeof err)) return fprintf(stderr, "%s\n", err), 1;
  double t1 = now_ms();
  if (pseg_model_load_builtin(ctx, landscape ? PSEG_MODEL_SELFIE_LANDSCAPE : PSEG_MODEL_SELFIE, &md))
    return fprintf(stderr, "%s\n", pseg_context_last_error(ctx)), 1;
  double t2 = now_ms();
  int w, h;
  pseg_model_input_size(md, &w, &h);
  pseg_session_create_info si = {.width = w, .height = h};
  if (pseg_session_create(md, &si, &s)) return fprintf(stderr, "%s\n", pseg_context_last_error(ctx)), 1;
  double t3 = now_ms();
  unsigned char *px = calloc((size_t)w * h, 3);
  float *mask = malloc((size_t)w * h * sizeof(float));
  if (!px || !mask) return fprintf(stderr, "out of memory\n"), 1;
  for (size_t i = 0; i < (size_t)w * h * 3; i++) px[i] = (unsigned char)(i * 7919 % 256);
  pseg_image im = {w, h, PSEG_PIXEL_RGB8, 0, px};
  if (pseg_session_run(s, &im, mask, NULL)) return fprintf(stderr, "%s\n", pseg_context_last_error(ctx)), 1;
  double t4 = now_ms();
  if (pseg_session_run(s, &im, mask, NULL)) return fprintf(stderr, "%s\n", pseg_context_last_error(ctx)), 1;
  double t5 = now_ms();
  printf("context %.1f  model %.1f  session %.1f  first frame %.1f  (first mask at %.1f)  second frame %.1f ms\n",
         t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0, t5 - t4);
  free(px), free(mask);
  pseg_session_destroy(s);
  pseg_model_destroy(md);
  pseg_context_destroy(ctx);
  return 0;
}
