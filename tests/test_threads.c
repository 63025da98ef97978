/* Many contexts in one process (issue 13): every context has its own Vulkan entry points, so
 *   1. two contexts, one with the validation layer and one without, run frames alternately, and
 *      the one without keeps running after the other is destroyed (with volk's process-wide
 *      pointers this crashed: each context creation overwrote them for the other);
 *   2. two threads each create their own context (one validated, one not), model and session and
 *      run frames at the same time;
 * and every mask equals the single-threaded run's (the same device and kernels: bit for bit).
 * Built twice by ctest: plainly (threads) and with ThreadSanitizer (threads_tsan), which must
 * report nothing. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../include/pseg.h"

#define FW 160
#define FH 120
#define FRAMES 3

static uint8_t frames[FRAMES][FW * FH * 3];
static float want[FRAMES][FW * FH];

static void make_frames(void) {
  for (int f = 0; f < FRAMES; f++)
    for (int y = 0; y < FH; y++)
      for (int x = 0; x < FW; x++) {
        double dx = (x - FW * (0.45 + 0.05 * f)) / FW, dy = (y - FH * 0.4) / FH;
        int disc = dx * dx + dy * dy < 0.05;
        uint8_t *p = frames[f] + ((size_t)y * FW + x) * 3;
        p[0] = (uint8_t)(disc ? 220 : 20 + x / 2), p[1] = (uint8_t)(disc ? 180 : 60 + y / 2), p[2] = (uint8_t)(disc ? 150 : 90);
      }
}

typedef struct runner {
  int validation;
  pseg_context *ctx;
  pseg_model *md;
  pseg_session *s;
  char err[512];
  int mismatches, frames_run;
} runner;

static int open_runner(runner *r) {
  pseg_context_create_info ci = {.device_index = -1, .precision = PSEG_PRECISION_FP32, .enable_validation = r->validation};
  pseg_session_create_info si = {.width = FW, .height = FH, .flags = PSEG_SESSION_BASE_ONLY};
  if (pseg_context_create(&ci, &r->ctx, r->err, sizeof r->err)) return -1;
  if (pseg_model_load_builtin(r->ctx, PSEG_MODEL_SELFIE, &r->md) || pseg_session_create(r->md, &si, &r->s)) {
    snprintf(r->err, sizeof r->err, "%s", pseg_context_last_error(r->ctx));
    return -1;
  }
  return 0;
}

static int run_frame(runner *r, int f, float *out) {
  pseg_image im = {FW, FH, PSEG_PIXEL_RGB8, 0, frames[f]};
  if (pseg_session_run(r->s, &im, out, NULL)) {
    snprintf(r->err, sizeof r->err, "%s", pseg_context_last_error(r->ctx));
    return -1;
  }
  r->frames_run++;
  if (memcmp(out, want[f], sizeof want[f])) r->mismatches++;
  return 0;
}

static void close_runner(runner *r) {
  pseg_session_destroy(r->s);
  pseg_model_destroy(r->md);
  pseg_context_destroy(r->ctx);
  r->s = NULL, r->md = NULL, r->ctx = NULL;
}

static void *thread_main(void *arg) {
  runner *r = arg;
  float *m = malloc(sizeof want[0]);
  if (!m || open_runner(r)) {
    if (!m) snprintf(r->err, sizeof r->err, "out of memory");
    free(m);
    return r;
  }
  for (int k = 0; k < 2 * FRAMES; k++)
    if (run_frame(r, k % FRAMES, m)) break;
  if (r->validation && pseg_context_validation_messages(r->ctx)) snprintf(r->err, sizeof r->err, "validation messages");
  close_runner(r);
  free(m);
  return r;
}

int main(void) {
  int fails = 0;
  make_frames();
  /* the single-threaded run */
  runner base = {.validation = 0};
  if (open_runner(&base)) {
    printf("FAIL baseline: %s\n", base.err);
    return 1;
  }
  for (int f = 0; f < FRAMES; f++) {
    pseg_image im = {FW, FH, PSEG_PIXEL_RGB8, 0, frames[f]};
    if (pseg_session_run(base.s, &im, want[f], NULL)) {
      printf("FAIL baseline frame: %s\n", pseg_context_last_error(base.ctx));
      return 1;
    }
  }
  close_runner(&base);

  /* 1. two contexts, validation on and off, alternately; then the second alone */
  runner v = {.validation = 1}, n = {.validation = 0};
  float *m = malloc(sizeof want[0]);
  if (open_runner(&v) || open_runner(&n)) {
    printf("FAIL two contexts: %s%s\n", v.err, n.err);
    return 1;
  }
  int ok = 1;
  for (int k = 0; k < 2 * FRAMES && ok; k++) ok = !run_frame(&v, k % FRAMES, m) && !run_frame(&n, k % FRAMES, m);
  uint32_t vm = pseg_context_validation_messages(v.ctx);
  close_runner(&v);
  for (int f = 0; f < FRAMES && ok; f++) ok = !run_frame(&n, f, m);
  printf("%s two contexts in one process (validation on / off), %d + %d frames alternately, then %d after the "
         "first is destroyed: %d + %d masks differ from the single-context run, %u validation messages%s%s\n",
         ok && !v.mismatches && !n.mismatches && !vm ? "ok  " : "FAIL", 2 * FRAMES, 2 * FRAMES, FRAMES, v.mismatches,
         n.mismatches, vm, ok ? "" : ": ", ok ? "" : (v.err[0] ? v.err : n.err));
  fails += !(ok && !v.mismatches && !n.mismatches && !vm);
  close_runner(&n);
  free(m);

  /* 2. two threads, each its own context (one validated), model and session, at the same time */
  runner t[2] = {{.validation = 1}, {.validation = 0}};
  pthread_t th[2];
  for (int i = 0; i < 2; i++)
    if (pthread_create(&th[i], NULL, thread_main, &t[i])) {
      printf("FAIL pthread_create\n");
      return 1;
    }
  for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
  for (int i = 0; i < 2; i++) {
    int good = !t[i].err[0] && t[i].frames_run == 2 * FRAMES && !t[i].mismatches;
    printf("%s thread %d (validation %s): %d frames, %d masks differ from the single-threaded run%s%s\n",
           good ? "ok  " : "FAIL", i, t[i].validation ? "on" : "off", t[i].frames_run, t[i].mismatches,
           t[i].err[0] ? ": " : "", t[i].err);
    fails += !good;
  }
  printf("%s\n", fails ? "FAIL" : "all ok");
  return fails ? 1 : 0;
}
