/* Temporal smoothing (pseg_session_create_info.smoothing) through the public API, against the
 * plain-C rule (kernels/composite.c: ref_smooth) applied to the masks of the same frames from a
 * session without smoothing:
 *  - a sequence (a disc moving and jittering over a ramp, with noise), frames one at a time and
 *    pipelined (two in flight): every mask within 1e-6 of the reference chain;
 *  - the composite over a background colour uses the smoothed mask (within 1/255);
 *  - on a still sequence with noise the frame-to-frame change of the masks is smaller with
 *    smoothing (bench/flicker.c measures it on real portraits);
 *  - pseg_session_reset_smoothing: the next mask is the frame's own probability;
 *  - smoothing out of range, with a batch, and reset without smoothing fail with a message.
 * Also: the validation layer stays silent. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../include/pseg.h"
#include "../kernels/kernels.h"

static int fails, passes;

static void expect(int ok, const char *what, double worst) {
  printf("%s %s (%.3g)\n", ok ? "ok  " : "FAIL", what, worst);
  ok ? passes++ : fails++;
}

enum { W = 203, H = 150, T = 8 };

static uint32_t rng = 7u;
static int noise(int amp) {
  rng = rng * 1664525u + 1013904223u;
  return (int)((rng >> 16) % (uint32_t)(2 * amp + 1)) - amp;
}

/* Frame t: a bright disc (moving and jittering by a pixel when `move`, else still) on a darker
 * ramp, with noise. */
static void make_frame(uint8_t *px, int t, int move) {
  double cx = move ? W * (0.35 + 0.04 * t) + (t % 2) : W * 0.5, cy = H * 0.5 - (move && t % 3 == 1);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) {
      uint8_t *p = px + ((size_t)y * W + x) * 3;
      int in = (x - cx) * (x - cx) + (y - cy) * (y - cy) < (H * 0.3) * (H * 0.3);
      int v[3] = {in ? 220 : 40 + x * 100 / W, in ? 180 : 30 + y * 120 / H, in ? 160 : 80};
      for (int c = 0; c < 3; c++) {
        int q = v[c] + noise(12);
        p[c] = (uint8_t)(q < 0 ? 0 : q > 255 ? 255 : q);
      }
    }
}

int main(void) {
  pseg_context_create_info ci = {.device_index = -1, .precision = PSEG_PRECISION_FP32, .enable_validation = 1};
  pseg_context *ctx = NULL;
  pseg_model *md = NULL;
  char err[256];
  if (pseg_context_create(&ci, &ctx, err, sizeof err) || pseg_model_load_builtin(ctx, PSEG_MODEL_SELFIE, &md)) {
    printf("FAIL setup: %s\n", ctx ? pseg_context_last_error(ctx) : err);
    return 1;
  }
  const float strength = 0.7f;
  size_t n = (size_t)W * H;
  uint8_t *frames = malloc(n * 3 * T), bgc[3] = {10, 200, 30};
  float *plain = malloc(n * sizeof(float) * T), *sm = malloc(n * sizeof(float) * T), *ref = malloc(n * sizeof(float));
  uint8_t *comp = malloc(n * 4);
  pseg_image bgimg = {1, 1, PSEG_PIXEL_RGB8, 0, bgc};
  pseg_session *a = NULL, *b = NULL, *c = NULL;
  pseg_session_create_info ia = {.width = W, .height = H};
  pseg_session_create_info ib = {.width = W, .height = H, .smoothing = strength, .background = PSEG_BACKGROUND_IMAGE,
                                 .background_image = &bgimg};
  if (pseg_session_create(md, &ia, &a) || pseg_session_create(md, &ib, &b)) {
    printf("FAIL sessions: %s\n", pseg_context_last_error(ctx));
    return 1;
  }
  for (int move = 1; move >= 0; move--) {
    for (int t = 0; t < T; t++) make_frame(frames + n * 3 * t, t, move);
    /* the plain masks, then the smoothed ones (the first half one at a time, the rest pipelined) */
    int ok = 1;
    double comp_worst = 0;
    for (int t = 0; t < T && ok; t++) {
      pseg_image f = {W, H, PSEG_PIXEL_RGB8, 0, frames + n * 3 * t};
      ok = !pseg_session_run(a, &f, plain + n * t, NULL);
    }
    for (int t = 0; t < T / 2 && ok; t++) {
      pseg_image f = {W, H, PSEG_PIXEL_RGB8, 0, frames + n * 3 * t};
      ok = !pseg_session_run(b, &f, sm + n * t, comp);
      for (size_t i = 0; i < n && ok; i++) /* the composite of the smoothed mask */
        for (int k = 0; k < 3; k++) {
          double al = sm[n * t + i], want = al * frames[n * 3 * t + 3 * i + k] + (1 - al) * bgc[k];
          comp_worst = fmax(comp_worst, fabs(comp[4 * i + k] - want));
        }
    }
    uint64_t tk[2];
    pseg_image fs[T];
    for (int t = 0; t < T; t++) fs[t] = (pseg_image){W, H, PSEG_PIXEL_RGB8, 0, frames + n * 3 * t};
    for (int t = T / 2; t < T && ok; t++) { /* two in flight */
      if (t == T / 2) ok = !pseg_session_submit(b, &fs[t], 1, &tk[t % 2]);
      if (ok && t + 1 < T) ok = !pseg_session_submit(b, &fs[t + 1], 1, &tk[(t + 1) % 2]);
      if (ok) ok = !pseg_session_wait(b, tk[t % 2], sm + n * t, NULL);
    }
    if (!ok) {
      printf("FAIL run: %s\n", pseg_context_last_error(ctx));
      return 1;
    }
    double worst = 0, flick_plain = 0, flick_sm = 0;
    for (size_t i = 0; i < n; i++) ref[i] = -1.0f;
    for (int t = 0; t < T; t++)
      for (size_t i = 0; i < n; i++) {
        ref[i] = ref_smooth(plain[n * t + i], ref[i], strength);
        worst = fmax(worst, fabs((double)sm[n * t + i] - ref[i]));
        if (t) {
          flick_plain += fabs((double)plain[n * t + i] - plain[n * (t - 1) + i]);
          flick_sm += fabs((double)sm[n * t + i] - sm[n * (t - 1) + i]);
        }
      }
    char what[160];
    snprintf(what, sizeof what, "%s sequence: smoothed masks = ref_smooth chain of the plain masks, within 1e-6",
             move ? "moving" : "still");
    expect(worst <= 1e-6, what, worst);
    snprintf(what, sizeof what, "%s sequence: composite of the smoothed mask within 1/255", move ? "moving" : "still");
    expect(comp_worst <= 1.0, what, comp_worst);
    if (!move) {
      snprintf(what, sizeof what, "still sequence: mean frame-to-frame change %.4g with smoothing, %.4g without",
               flick_sm / (n * (T - 1)), flick_plain / (n * (T - 1)));
      expect(flick_sm < 0.7 * flick_plain, what, flick_sm / flick_plain);
    }
    /* a new sequence: the next mask is the frame's own */
    double d = 1;
    if (!pseg_session_reset_smoothing(b) && !pseg_session_run(b, &fs[0], sm, NULL)) {
      d = 0;
      for (size_t i = 0; i < n; i++) d = fmax(d, fabs((double)sm[i] - plain[i]));
    }
    expect(d == 0, "after pseg_session_reset_smoothing the mask is the frame's probability", d);
    pseg_session_reset_smoothing(b);
  }
  /* errors */
  pseg_session_create_info bad = {.width = W, .height = H, .smoothing = 1.0f};
  int e1 = pseg_session_create(md, &bad, &c) == PSEG_ERROR_INVALID_ARGUMENT && strstr(pseg_context_last_error(ctx), "smoothing");
  bad.smoothing = NAN;
  int e2 = pseg_session_create(md, &bad, &c) == PSEG_ERROR_INVALID_ARGUMENT;
  bad.smoothing = 0.5f, bad.batch = 2;
  int e3 = pseg_session_create(md, &bad, &c) == PSEG_ERROR_INVALID_ARGUMENT && strstr(pseg_context_last_error(ctx), "batch 1");
  int e4 = pseg_session_reset_smoothing(a) == PSEG_ERROR_INVALID_ARGUMENT && strstr(pseg_context_last_error(ctx), "without smoothing");
  expect(e1 && e2 && e3 && e4, "smoothing 1 or NaN, smoothing with a batch, reset without smoothing: errors with a message", 0);
  pseg_session_destroy(a);
  pseg_session_destroy(b);
  pseg_model_destroy(md);
  expect(pseg_context_validation_messages(ctx) == 0, "no validation messages", (double)pseg_context_validation_messages(ctx));
  pseg_context_destroy(ctx);
  free(frames), free(plain), free(sm), free(ref), free(comp);
  printf("%d passed, %d failed\n", passes, fails);
  return fails ? 1 : 0;
}
