/* test_prior MODEL.pseg: a model whose input is RGB + a prior mask (tests/make_test_models.c
 * prior4), through the public API, against the plain computation (kernels/ references:
 * stretch the frame and the prior to the model's input, the network, stretch the person channel
 * back to the frame):
 *   1. a frame with a prior set by pseg_session_set_prior (a disc), at the model's size and at
 *      another size (both stretched);
 *   2. the next frame without a new prior: its prior must be the first frame's mask (feedback);
 *   3. pseg_session_set_prior(NULL): zeros again;
 *   4. two frames in flight (pseg_session_submit twice, then the waits): the second's prior is
 *      the first's mask (the queue orders the copy before the next frame's pre-processing);
 * on the device's kernels and on the GPU tier; fp32 max |d| <= 1e-4. And the errors: a prior
 * for a 3-channel model, a prior while a frame is in flight, a batch of 2 with a prior model.
 * Run with PSEG_VALIDATION=1 (ctest does). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../include/pseg.h"
#include "../kernels/kernels.h"
#include "../runtime/internal.h"
#include "stretch.h"

static int fails;
#define CHECK(cond, ...)                                                                                     \
  do {                                                                                                       \
    int ok_ = (cond);                                                                                        \
    printf("%s ", ok_ ? "ok  " : "FAIL");                                                                    \
    printf(__VA_ARGS__);                                                                                     \
    printf("\n");                                                                                            \
    if (!ok_) fails++;                                                                                       \
  } while (0)


static void make_frame(uint8_t *px, int w, int h, int seed) {
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      double dx = (x - w * (0.45 + 0.05 * seed)) / w, dy = (y - h * 0.45) / h;
      int disc = dx * dx + dy * dy < 0.06;
      uint8_t *p = px + ((size_t)y * w + x) * 3;
      p[0] = (uint8_t)(disc ? 210 : 30 + (x * 90) / w), p[1] = (uint8_t)(disc ? 170 : 40 + (y * 110) / h);
      p[2] = (uint8_t)(disc ? 140 : 70 + ((x ^ y) & 15) + 20 * seed);
    }
}

/* The expected mask of frame px (fw x fh) with prior pr (fw x fh floats; NULL: zeros). */
static void expected(const pseg_fmt_model *m, const uint8_t *px, const float *pr, int fw, int fh, float *want) {
  const pseg_fmt_tensor *ti = &m->tensors[m->input], *to = &m->tensors[m->output];
  size_t nf = (size_t)fw * fh;
  float *fr = malloc(nf * 4 * sizeof(float)), *in = malloc((size_t)ti->w * ti->h * 4 * sizeof(float));
  float *person = malloc((size_t)to->w * to->h * sizeof(float));
  for (size_t i = 0; i < nf; i++) {
    for (int k = 0; k < 3; k++) fr[i * 4 + k] = px[i * 3 + k] / 255.0f;
    fr[i * 4 + 3] = pr ? pr[i] : 0.0f;
  }
  stretch(fr, fw, fh, 4, in, ti->w, ti->h);
  float **t = calloc(m->n_tensors, sizeof *t);
  if (ref_run_model(m, in, t)) {
    printf("FAIL the reference forward pass\n");
    fails++;
  } else {
    for (size_t i = 0; i < (size_t)to->w * to->h; i++)
      person[i] = fminf(fmaxf(t[m->output][i * to->c + m->person_channel], 0.0f), 1.0f);
    stretch(person, to->w, to->h, 1, want, fw, fh);
  }
  for (uint32_t i = 0; i < m->n_tensors; i++) free(t[i]);
  free(t), free(fr), free(in), free(person);
}

static double maxdiff(const float *a, const float *b, size_t n) {
  double d = 0;
  for (size_t i = 0; i < n; i++) d = isnan(a[i]) ? INFINITY : fmax(d, fabs((double)a[i] - b[i]));
  return d;
}

static void run_size(pseg_model *md, int fw, int fh, uint32_t flags, const char *tier) {
  pseg_context *ctx = md->ctx;
  const pseg_fmt_model *m = &md->fmt;
  pseg_session *s = NULL;
  pseg_session_create_info si = {.width = fw, .height = fh, .flags = flags | PSEG_SESSION_WAIT_FAST};
  if (pseg_session_create(md, &si, &s)) {
    CHECK(0, "%s %dx%d: session: %s", tier, fw, fh, pseg_context_last_error(ctx));
    return;
  }
  size_t n = (size_t)fw * fh;
  uint8_t *f1 = malloc(n * 3), *f2 = malloc(n * 3);
  float *prior = malloc(n * sizeof(float)), *m1 = malloc(n * sizeof(float)), *m2 = malloc(n * sizeof(float));
  float *want = malloc(n * sizeof(float));
  make_frame(f1, fw, fh, 0), make_frame(f2, fw, fh, 1);
  for (int y = 0; y < fh; y++)
    for (int x = 0; x < fw; x++) {
      double dx = (x - fw * 0.6) / fw, dy = (y - fh * 0.4) / fh;
      prior[(size_t)y * fw + x] = (float)fmin(1.0, fmax(0.0, 1.6 - 8.0 * sqrt(dx * dx + dy * dy)));
    }
  pseg_image i1 = {fw, fh, PSEG_PIXEL_RGB8, 0, f1}, i2 = {fw, fh, PSEG_PIXEL_RGB8, 0, f2};
  /* 1. a prior set by the application */
  if (pseg_session_set_prior(s, prior) || pseg_session_run(s, &i1, m1, NULL)) {
    CHECK(0, "%s %dx%d: %s", tier, fw, fh, pseg_context_last_error(ctx));
    goto out;
  }
  expected(m, f1, prior, fw, fh, want);
  double d = maxdiff(m1, want, n);
  CHECK(d <= 1e-4, "%s %dx%d frame 1, prior set: max |d| %.3g", tier, fw, fh, d);
  expected(m, f1, NULL, fw, fh, want);
  d = maxdiff(m1, want, n);
  CHECK(d > 0.05, "%s %dx%d frame 1: the prior moves the mask (by %.3g against a zero prior)", tier, fw, fh, d);
  /* 2. the next frame: its prior is frame 1's mask */
  if (pseg_session_run(s, &i2, m2, NULL)) {
    CHECK(0, "%s: %s", tier, pseg_context_last_error(ctx));
    goto out;
  }
  expected(m, f2, m1, fw, fh, want);
  d = maxdiff(m2, want, n);
  CHECK(d <= 1e-4, "%s %dx%d frame 2, prior = frame 1's mask: max |d| %.3g", tier, fw, fh, d);
  /* 3. zeros again */
  if (pseg_session_set_prior(s, NULL) || pseg_session_run(s, &i2, m2, NULL)) {
    CHECK(0, "%s: %s", tier, pseg_context_last_error(ctx));
    goto out;
  }
  expected(m, f2, NULL, fw, fh, want);
  d = maxdiff(m2, want, n);
  CHECK(d <= 1e-4, "%s %dx%d frame 2, prior reset to zeros: max |d| %.3g", tier, fw, fh, d);
  /* 4. two in flight: f1 (prior = the last mask, m2), then f2 (prior = f1's new mask) */
  uint64_t t1, t2;
  float *m3 = malloc(n * sizeof(float)), *m4 = malloc(n * sizeof(float));
  if (pseg_session_submit(s, &i1, 1, &t1) || pseg_session_submit(s, &i2, 1, &t2)) {
    CHECK(0, "%s: submit: %s", tier, pseg_context_last_error(ctx));
  } else {
    pseg_result busy = pseg_session_set_prior(s, prior);
    CHECK(busy == PSEG_ERROR_INVALID_ARGUMENT && strstr(pseg_context_last_error(ctx), "in flight"),
          "%s: a prior while frames are in flight is refused (%s)", tier, pseg_context_last_error(ctx));
    if (pseg_session_wait(s, t1, m3, NULL) || pseg_session_wait(s, t2, m4, NULL)) {
      CHECK(0, "%s: wait: %s", tier, pseg_context_last_error(ctx));
    } else {
      expected(m, f1, m2, fw, fh, want);
      d = maxdiff(m3, want, n);
      CHECK(d <= 1e-4, "%s %dx%d in flight, first: max |d| %.3g", tier, fw, fh, d);
      expected(m, f2, m3, fw, fh, want);
      d = maxdiff(m4, want, n);
      CHECK(d <= 1e-4, "%s %dx%d in flight, second (prior = the first's mask): max |d| %.3g", tier, fw, fh, d);
    }
  }
  free(m3), free(m4);
out:
  pseg_session_destroy(s);
  free(f1), free(f2), free(prior), free(m1), free(m2), free(want);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: test_prior MODEL.pseg\n");
    return 2;
  }
  pseg_context_create_info ci = {.device_index = -1, .precision = PSEG_PRECISION_FP32, .enable_validation = 1};
  pseg_context *ctx = NULL;
  char err[512];
  if (pseg_context_create(&ci, &ctx, err, sizeof err)) {
    printf("FAIL context: %s\n", err);
    return 1;
  }
  pseg_model *md = NULL, *selfie = NULL;
  if (pseg_model_load_file(ctx, argv[1], &md) || pseg_model_load_builtin(ctx, PSEG_MODEL_SELFIE, &selfie)) {
    printf("FAIL load: %s\n", pseg_context_last_error(ctx));
    return 1;
  }
  CHECK(pseg_model_takes_prior(md) == 1 && pseg_model_takes_prior(selfie) == 0,
        "pseg_model_takes_prior: %s 1, selfie 0", argv[1]);
  const pseg_fmt_tensor *ti = &md->fmt.tensors[md->fmt.input];
  run_size(md, ti->w, ti->h, 0, "device tier");
  run_size(md, 100, 80, 0, "device tier");
  run_size(md, ti->w, ti->h, PSEG_SESSION_GPU_TIER, "GPU tier");
  run_size(md, 100, 80, PSEG_SESSION_GPU_TIER, "GPU tier");
  /* errors */
  pseg_session *s = NULL;
  pseg_session_create_info si = {.width = 64, .height = 64};
  if (!pseg_session_create(selfie, &si, &s)) {
    float z[64 * 64] = {0};
    pseg_result r = pseg_session_set_prior(s, z);
    CHECK(r == PSEG_ERROR_INVALID_ARGUMENT && strstr(pseg_context_last_error(ctx), "no prior"),
          "a prior for a 3-channel model is refused (%s)", pseg_context_last_error(ctx));
    pseg_session_destroy(s), s = NULL;
  }
  si.batch = 2;
  pseg_result r = pseg_session_create(md, &si, &s);
  CHECK(r == PSEG_ERROR_UNSUPPORTED && strstr(pseg_context_last_error(ctx), "batch 1"),
        "a batch of 2 with a prior model is refused (%s)", pseg_context_last_error(ctx));
  pseg_session_destroy(s);
  CHECK(pseg_context_validation_messages(ctx) == 0, "no validation message");
  pseg_model_destroy(md), pseg_model_destroy(selfie);
  pseg_context_destroy(ctx);
  printf("%s\n", fails ? "FAIL" : "all ok");
  return fails ? 1 : 0;
}
