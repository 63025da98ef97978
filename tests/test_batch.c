/* Batches and pipelined frames through the public API (pseg.h: batch, in_flight,
 * pseg_session_run_batch, pseg_session_submit / pseg_session_wait), against single frames:
 *  - a batch of N different frames (run_batch, and a partial batch of fewer) gives each frame the
 *    mask a batch-1 session gives it, and the composite (blur background) likewise;
 *  - submits pipelined three deep, waited for out of order, give each its frame's mask; a fourth
 *    submit while three are pending fails with a message, as does waiting for an unknown ticket.
 * The batch-1 sessions run the GPU tier (PSEG_SESSION_GPU_TIER) as batches do: the same
 * order of every sum (a larger batch may get larger tiles, kernels/kernel_batch_tile, but each
 * output is still summed by one invocation in the same order; the split reductions split by the
 * map, not the batch), so masks and composites must be equal bit for bit; pipelined submits likewise. (The tiers against the plain-C reference: test_model.) Frames differ (a disc moves, colours change),
 * so a frame mixed up with another fails. */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../include/pseg.h"

static int fails, passes;

static void expect(int ok, const char *what, double worst) {
  printf("%s %s (max |d| %.3g)\n", ok ? "ok  " : "FAIL", what, worst);
  ok ? passes++ : fails++;
}

/* Frame k: a bright disc whose place and colour depend on k, on a ramp. */
static uint8_t *make_frame(int w, int h, int k) {
  uint8_t *px = malloc((size_t)w * h * 3);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      uint8_t *p = px + ((size_t)y * w + x) * 3;
      double dx = (x - w * (0.3 + 0.15 * k)) / w, dy = (y - h * (0.4 + 0.05 * k)) / h;
      int in = dx * dx + dy * dy < 0.03 + 0.01 * k;
      p[0] = (uint8_t)(in ? 230 - 20 * k : 30 + (x * 90) / w);
      p[1] = (uint8_t)(in ? 170 + 10 * k : 40 + (y * 110) / h);
      p[2] = (uint8_t)(in ? 150 : 70 + 30 * k);
    }
  return px;
}

static double max_diff(const float *a, const float *b, size_t n) {
  double m = 0;
  for (size_t i = 0; i < n; i++) m = fmax(m, fabs((double)a[i] - b[i]));
  return m;
}

static double max_diff8(const uint8_t *a, const uint8_t *b, size_t n) {
  double m = 0;
  for (size_t i = 0; i < n; i++) m = fmax(m, fabs((double)a[i] - b[i]));
  return m;
}

enum { N = 3 };

static void run_model(pseg_context *ctx, pseg_builtin_model which, const char *mname, int w, int h) {
  pseg_model *md = NULL;
  if (pseg_model_load_builtin(ctx, which, &md)) {
    printf("FAIL %s: %s\n", mname, pseg_context_last_error(ctx));
    fails++;
    return;
  }
  size_t n = (size_t)w * h;
  uint8_t *px[N];
  pseg_image frames[N];
  float *ref = malloc(N * n * sizeof(float)), *got = malloc(N * n * sizeof(float));
  uint8_t *ref_c = malloc(N * n * 4), *got_c = malloc(N * n * 4);
  for (int k = 0; k < N; k++) px[k] = make_frame(w, h, k), frames[k] = (pseg_image){w, h, PSEG_PIXEL_RGB8, 0, px[k]};
  pseg_session *one = NULL, *bat = NULL, *pipe = NULL;
  pseg_session_create_info si = {.width = w, .height = h, .background = PSEG_BACKGROUND_BLUR,
                                 .flags = PSEG_SESSION_GPU_TIER};
  char name[160];
  pseg_result r = pseg_session_create(md, &si, &one);
  for (int k = 0; k < N && !r; k++) r = pseg_session_run(one, &frames[k], ref + k * n, ref_c + k * n * 4);
  pseg_session_stats st1 = {0}, stb = {0};
  if (!r) pseg_session_get_stats(one, &st1);
  si.batch = N;
  if (!r) r = pseg_session_create(md, &si, &bat);
  if (!r) r = pseg_session_run_batch(bat, frames, N, got, got_c);
  if (!r) pseg_session_get_stats(bat, &stb);
  if (r) {
    printf("FAIL %s %dx%d: %s\n", mname, w, h, pseg_context_last_error(ctx));
    fails++;
    goto done;
  }
  snprintf(name, sizeof name, "%s %dx%d batch %d vs batch 1 (%s tier): masks", mname, w, h, N, pseg_tier_name(stb.tier));
  double d = max_diff(ref, got, N * n);
  expect(d == 0 && stb.batch == N && stb.tier == PSEG_TIER_GPU && st1.tier == PSEG_TIER_GPU, name, d);
  snprintf(name, sizeof name, "%s %dx%d batch %d: composites", mname, w, h, N);
  d = max_diff8(ref_c, got_c, N * n * 4);
  expect(d == 0, name, d);
  /* a batch large enough for larger tiles (kernel_batch_tile: the 16x16 layers from 32 frames):
   * the same numbers, frame k being frame k % N; the host's copies on three threads (a large
   * batch's; PSEG_HOST_THREADS forces them for this small one) */
  {
    setenv("PSEG_HOST_THREADS", "3", 1);
    enum { NL = 32 };
    pseg_image many[NL];
    for (int k = 0; k < NL; k++) many[k] = frames[k % N];
    float *big = malloc(NL * n * sizeof(float));
    pseg_session *lb = NULL;
    pseg_session_create_info sl = si;
    sl.batch = NL;
    r = big ? pseg_session_create(md, &sl, &lb) : PSEG_ERROR_OUT_OF_HOST_MEMORY;
    if (!r) r = pseg_session_run_batch(lb, many, NL, big, NULL);
    if (r) {
      printf("FAIL %s batch %d: %s\n", mname, NL, pseg_context_last_error(ctx));
      fails++;
    } else {
      d = 0;
      for (int k = 0; k < NL; k++) d = fmax(d, max_diff(ref + (k % N) * n, big + k * n, n));
      snprintf(name, sizeof name, "%s %dx%d batch %d (larger tiles) vs batch 1: masks", mname, w, h, NL);
      expect(d == 0, name, d);
    }
    unsetenv("PSEG_HOST_THREADS");
    pseg_session_destroy(lb);
    free(big);
    if (r) goto done;
  }
  /* a partial batch: frames 2, 0 */
  pseg_image two[2] = {frames[2], frames[0]};
  memset(got, 0, N * n * sizeof(float));
  if ((r = pseg_session_run_batch(bat, two, 2, got, NULL))) {
    printf("FAIL %s partial batch: %s\n", mname, pseg_context_last_error(ctx));
    fails++;
    goto done;
  }
  d = fmax(max_diff(ref + 2 * n, got, n), max_diff(ref, got + n, n));
  snprintf(name, sizeof name, "%s %dx%d partial batch (2 of %d): masks", mname, w, h, N);
  expect(d == 0, name, d);
  /* pipelined: three submits in flight, waited for out of order */
  si.batch = 1, si.in_flight = 3;
  uint64_t t[N], extra;
  if ((r = pseg_session_create(md, &si, &pipe))) {
    printf("FAIL %s pipelined session: %s\n", mname, pseg_context_last_error(ctx));
    fails++;
    goto done;
  }
  for (int k = 0; k < N && !r; k++) r = pseg_session_submit(pipe, &frames[k], 1, &t[k]);
  pseg_result full = r ? PSEG_SUCCESS : pseg_session_submit(pipe, &frames[0], 1, &extra);
  printf("     a 4th submit with 3 in flight: %s\n", pseg_context_last_error(ctx));
  expect(full == PSEG_ERROR_INVALID_ARGUMENT, "a submit past in_flight fails", 0);
  pseg_result bad = pseg_session_wait(pipe, 12345, got, NULL);
  expect(bad == PSEG_ERROR_INVALID_ARGUMENT, "waiting for an unknown ticket fails", 0);
  int order[N] = {1, 2, 0};
  for (int j = 0; j < N && !r; j++) r = pseg_session_wait(pipe, t[order[j]], got + order[j] * n, got_c + order[j] * n * 4);
  if (r) {
    printf("FAIL %s pipelined: %s\n", mname, pseg_context_last_error(ctx));
    fails++;
    goto done;
  }
  pseg_session_stats stp;
  pseg_session_get_stats(pipe, &stp);
  snprintf(name, sizeof name, "%s %dx%d pipelined, 3 in flight, waited out of order: masks", mname, w, h);
  d = max_diff(ref, got, N * n);
  expect(d == 0 && stp.in_flight == 3 && stp.tier == st1.tier, name, d);
  d = max_diff8(ref_c, got_c, N * n * 4);
  snprintf(name, sizeof name, "%s %dx%d pipelined: composites", mname, w, h);
  expect(d == 0, name, d);
  r = pseg_session_wait(pipe, t[0], got, NULL);
  expect(r == PSEG_ERROR_INVALID_ARGUMENT, "waiting twice for a ticket fails", 0);
done:
  pseg_session_destroy(one), pseg_session_destroy(bat), pseg_session_destroy(pipe);
  for (int k = 0; k < N; k++) free(px[k]);
  free(ref), free(got), free(ref_c), free(got_c);
  pseg_model_destroy(md);
}

int main(void) {
  pseg_precision precs[] = {PSEG_PRECISION_FP32, PSEG_PRECISION_FP16};
  for (int p = 0; p < 2; p++) {
    pseg_context_create_info ci = {.device_index = -1, .precision = precs[p], .enable_validation = 1,
                                   .fp16_all_activations = p == 1};
    pseg_context *ctx = NULL;
    char err[512];
    pseg_result r = pseg_context_create(&ci, &ctx, err, sizeof err);
    if (r == PSEG_ERROR_UNSUPPORTED && p == 1) {
      printf("fp16: not supported by this device (%s)\n", err);
      continue;
    }
    if (r) {
      printf("FAIL context: %s\n", err);
      return 1;
    }
    printf("device: %s, %s\n", pseg_context_device(ctx)->name, p ? "fp16-all" : "fp32");
    run_model(ctx, PSEG_MODEL_SELFIE, "selfie", 256, 256);
    run_model(ctx, PSEG_MODEL_SELFIE_LANDSCAPE, "selfie-landscape", 301, 190);
    uint32_t v = pseg_context_validation_messages(ctx);
    expect(v == 0, "no validation messages", v);
    pseg_context_destroy(ctx);
  }
  printf("%d passed, %d failed\n", passes, fails);
  return fails ? 1 : 0;
}
