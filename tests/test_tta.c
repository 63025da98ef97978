/* Test-time augmentation (pseg_session_create_info.tta_flip) through the public API: the mask of
 * a photo with tta_flip equals the average of a plain session's mask of the photo and the
 * mirrored-back mask of its mirror image (within 1e-4: the two paths round the bilinear weights
 * of mirrored coordinates differently), for a frame larger and one of the model's size, with and
 * without a composite; the composite uses the averaged mask. Also the guided filter (guided = 1):
 * the mask equals kernels/composite.c's ref_guided applied to the plain mask, within 1e-4. And the
 * cleanup (cleanup = 1) on a plain wall with the person and a second, smaller copy apart: the mask
 * equals ref_cleanup of the plain mask, and the small person is gone. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../include/pseg.h"
#include "../kernels/kernels.h"
#include "../tools/image_io.h"

static int fails, passes;
static void expect(int ok, const char *what, double v) {
  printf("%s %s (%.3g)\n", ok ? "ok  " : "FAIL", what, v);
  ok ? passes++ : fails++;
}

int main(int argc, char **argv) {
  if (argc != 2) return fprintf(stderr, "usage: test_tta PHOTO\n"), 2;
  char err[256];
  img_rgb im;
  if (img_load(argv[1], &im, err, sizeof err)) return printf("FAIL %s\n", err), 1;
  pseg_context_create_info ci = {.device_index = -1, .precision = PSEG_PRECISION_FP32, .enable_validation = 1};
  pseg_context *ctx = NULL;
  pseg_model *md = NULL;
  if (pseg_context_create(&ci, &ctx, err, sizeof err) || pseg_model_load_builtin(ctx, PSEG_MODEL_SELFIE, &md))
    return printf("FAIL setup: %s\n", ctx ? pseg_context_last_error(ctx) : err), 1;
  int sizes[2][2] = {{333, 281}, {256, 256}};
  for (int v = 0; v < 2; v++) {
    img_rgb f;
    if (img_resize_bilinear_rgb(&im, sizes[v][0], sizes[v][1], &f)) return 1;
    int w = f.width, h = f.height;
    size_t n = (size_t)w * h;
    uint8_t *mir = malloc(n * 3), *comp = malloc(n * 4);
    float *a = malloc(n * 4), *b = malloc(n * 4), *t = malloc(n * 4);
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++) memcpy(mir + ((size_t)y * w + (w - 1 - x)) * 3, f.rgb + ((size_t)y * w + x) * 3, 3);
    uint8_t bgc[3] = {250, 20, 20};
    pseg_image bg = {1, 1, PSEG_PIXEL_RGB8, 0, bgc};
    pseg_session_create_info ip = {.width = w, .height = h};
    pseg_session_create_info it = {.width = w, .height = h, .tta_flip = 1, .background = PSEG_BACKGROUND_IMAGE,
                                   .background_image = &bg};
    pseg_session *sp = NULL, *st = NULL;
    pseg_image fi = {w, h, PSEG_PIXEL_RGB8, 0, f.rgb}, mi = {w, h, PSEG_PIXEL_RGB8, 0, mir};
    if (pseg_session_create(md, &ip, &sp) || pseg_session_create(md, &it, &st) || pseg_session_run(sp, &fi, a, NULL) ||
        pseg_session_run(sp, &mi, b, NULL) || pseg_session_run(st, &fi, t, comp))
      return printf("FAIL run: %s\n", pseg_context_last_error(ctx)), 1;
    double worst = 0, diff = 0, cw = 0;
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++) {
        size_t i = (size_t)y * w + x;
        double want = 0.5 * ((double)a[i] + b[(size_t)y * w + (w - 1 - x)]);
        worst = fmax(worst, fabs(t[i] - want));
        diff = fmax(diff, fabs((double)a[i] - b[(size_t)y * w + (w - 1 - x)]));
        for (int k = 0; k < 3; k++)
          cw = fmax(cw, fabs(comp[4 * i + k] - (t[i] * f.rgb[3 * i + k] + (1 - t[i]) * bgc[k])));
      }
    char what[160];
    snprintf(what, sizeof what, "%dx%d: tta_flip mask = mean of the mask and the mirrored mask of the mirror (they differ by up to %.3f)", w, h, diff);
    expect(worst <= 1e-4 && diff > 1e-3, what, worst);
    snprintf(what, sizeof what, "%dx%d: the composite uses the averaged mask, within 1/255", w, h);
    expect(cw <= 1.0, what, cw);
    /* the guided filter against its plain-C reference on the plain mask */
    pseg_session_create_info ig = {.width = w, .height = h, .guided = 1};
    pseg_session *sg = NULL;
    if (pseg_session_create(md, &ig, &sg) || pseg_session_run(sg, &fi, t, NULL))
      return printf("FAIL guided: %s\n", pseg_context_last_error(ctx)), 1;
    uint8_t *rgba = malloc(n * 4);
    for (size_t i = 0; i < n; i++) memcpy(rgba + 4 * i, f.rgb + 3 * i, 3), rgba[4 * i + 3] = 255;
    kguided gp;
    guided_params(w, h, &gp);
    ref_guided(rgba, a, w, h, &gp, b);
    double gw = 0, moved = 0;
    for (size_t i = 0; i < n; i++) gw = fmax(gw, fabs((double)t[i] - b[i])), moved = fmax(moved, fabs((double)t[i] - a[i]));
    snprintf(what, sizeof what, "%dx%d: guided = ref_guided of the plain mask (it moves the mask by up to %.3f)", w, h, moved);
    expect(gw <= 1e-4 && moved > 1e-2, what, gw);
    free(rgba);
    pseg_session_destroy(sg);
    if (v == 0) { /* cleanup: on a plain wall, the person, and a second, smaller one apart */
      img_rgb big, small;
      int bw = w / 2, bh = h * 3 / 4, sw = w / 4, sh = h / 3;
      if (img_resize_bilinear_rgb(&f, bw, bh, &big) || img_resize_bilinear_rgb(&f, sw, sh, &small)) return 1;
      uint8_t *two = malloc(n * 3);
      for (size_t i = 0; i < n; i++) two[3 * i] = 200, two[3 * i + 1] = 190, two[3 * i + 2] = 170;
      for (int y = 0; y < bh; y++) memcpy(two + ((size_t)(h - bh + y) * w) * 3, big.rgb + (size_t)y * bw * 3, (size_t)bw * 3);
      for (int y = 0; y < sh; y++) memcpy(two + ((size_t)y * w + (w - sw)) * 3, small.rgb + (size_t)y * sw * 3, (size_t)sw * 3);
      img_free(&big), img_free(&small);
      pseg_image ti = {w, h, PSEG_PIXEL_RGB8, 0, two};
      pseg_session_create_info ic = {.width = w, .height = h, .cleanup = 1};
      pseg_session *sc = NULL;
      if (pseg_session_run(sp, &ti, a, NULL) || pseg_session_create(md, &ic, &sc) || pseg_session_run(sc, &ti, t, NULL))
        return printf("FAIL cleanup: %s\n", pseg_context_last_error(ctx)), 1;
      memcpy(b, a, n * 4);
      ref_cleanup(b, w, h);
      double cw = 0, corner_before = 0, corner_after = 0;
      for (size_t i = 0; i < n; i++) cw = fmax(cw, fabs((double)t[i] - b[i]));
      for (int y = 0; y < sh; y++)
        for (int x = w - sw; x < w; x++) corner_before += a[(size_t)y * w + x] >= 0.5f, corner_after += t[(size_t)y * w + x] >= 0.5f;
      snprintf(what, sizeof what, "%dx%d: cleanup = ref_cleanup of the plain mask; the small person's %.0f pixels -> %.0f", w, h,
               corner_before, corner_after);
      /* (the removed region's soft fringe, in cells of mean < 0.5, stays) */
      expect(cw <= 1e-6 && corner_before > 100 && corner_after <= corner_before / 5, what, cw);
      pseg_session_destroy(sc);
      free(two);
    }
    pseg_session_destroy(sp), pseg_session_destroy(st);
    free(mir), free(comp), free(a), free(b), free(t);
    img_free(&f);
  }
  pseg_model_destroy(md);
  expect(pseg_context_validation_messages(ctx) == 0, "no validation messages", (double)pseg_context_validation_messages(ctx));
  pseg_context_destroy(ctx);
  img_free(&im);
  printf("%d passed, %d failed\n", passes, fails);
  return fails ? 1 : 0;
}
