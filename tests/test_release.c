/* Releasing what frames no longer need (issue 13): a session that moves to its fast kernels frees
 * its base tier's command buffers and the base pipelines no other session uses; pipelines another
 * session still runs stay, and its frames are unchanged. On a device whose fast kernels are its
 * base ones (a GPU) there is nothing to release and the test says so. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../include/pseg.h"

#define W 200
#define H 150

int main(void) {
  int fails = 0;
  pseg_context_create_info ci = {.device_index = -1, .precision = PSEG_PRECISION_FP32};
  pseg_context *ctx;
  pseg_model *md;
  char err[512];
  if (pseg_context_create(&ci, &ctx, err, sizeof err) || pseg_model_load_builtin(ctx, PSEG_MODEL_SELFIE, &md)) {
    printf("FAIL setup: %s\n", err);
    return 1;
  }
  static uint8_t px[W * H * 3];
  for (int i = 0; i < W * H * 3; i++) px[i] = (uint8_t)((i * 7) % 251);
  pseg_image im = {W, H, PSEG_PIXEL_RGB8, 0, px};
  static float m_a1[W * H], m_a2[W * H], m_b[W * H], m_c[W * H];
  pseg_session *a, *b, *c;
  pseg_session_create_info base = {.width = W, .height = H, .flags = PSEG_SESSION_BASE_ONLY};
  pseg_session_create_info fast = {.width = W, .height = H, .flags = PSEG_SESSION_WAIT_FAST};
  pseg_session_stats sa, sb, sc;
  if (pseg_session_create(md, &base, &a) || pseg_session_run(a, &im, m_a1, NULL) || pseg_session_get_stats(a, &sa)) {
    printf("FAIL session A: %s\n", pseg_context_last_error(ctx));
    return 1;
  }
  uint32_t after_a = sa.context_pipelines;
  if (pseg_session_create(md, &fast, &b) || pseg_session_run(b, &im, m_b, NULL) || pseg_session_get_stats(b, &sb)) {
    printf("FAIL session B: %s\n", pseg_context_last_error(ctx));
    return 1;
  }
  if (sb.tier == sa.tier) {
    printf("ok   this device's fast kernels are its base ones (%s tier): nothing to release\n", pseg_tier_name(sb.tier));
    goto out;
  }
  /* B released its base command buffers but not the base pipelines: A runs them */
  int ok = sb.context_pipelines >= after_a && !pseg_session_run(a, &im, m_a2, NULL) && !memcmp(m_a1, m_a2, sizeof m_a1);
  printf("%s session B on the fast kernels keeps the %u base pipelines session A runs (context: %u, B's: %u); A's "
         "frames unchanged\n", ok ? "ok  " : "FAIL", sa.pipelines, sb.context_pipelines, sb.pipelines);
  fails += !ok;
  pseg_session_destroy(a);
  /* C moves to the fast kernels with no base session left: the base-only pipelines go */
  if (pseg_session_create(md, &fast, &c) || pseg_session_run(c, &im, m_c, NULL) || pseg_session_get_stats(c, &sc)) {
    printf("FAIL session C: %s\n", pseg_context_last_error(ctx));
    return 1;
  }
  ok = sc.context_pipelines < sb.context_pipelines && sc.context_pipelines == sc.pipelines && !memcmp(m_b, m_c, sizeof m_b);
  printf("%s with no session on the base kernels, the context holds only the fast pipelines: %u (was %u; the frames "
         "run %u); masks of B and C identical\n", ok ? "ok  " : "FAIL", sc.context_pipelines, sb.context_pipelines,
         sc.pipelines);
  fails += !ok;
  ok = !pseg_session_run(b, &im, m_c, NULL) && !memcmp(m_b, m_c, sizeof m_b);
  printf("%s session B still runs, unchanged\n", ok ? "ok  " : "FAIL");
  fails += !ok;
  pseg_session_destroy(c);
out:
  pseg_session_destroy(b);
  pseg_model_destroy(md);
  pseg_context_destroy(ctx);
  printf("%s\n", fails ? "FAIL" : "all ok");
  return fails ? 1 : 0;
}
