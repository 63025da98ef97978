/* The composite through the public API, against a plain computation from the returned mask:
 * I = a F + (1 - a) B per channel, within 1/255 (the GPU rounds to 8 bits once).
 *  - background image: a solid colour of another size (bilinear stretch of a solid colour is that
 *    colour), frames of odd size in RGB8 and RGBA8 with a row stride, and tightly packed RGBA8
 *    (copied as it is: its alpha, 17, must not show);
 *  - blur: a constant frame blurs to itself, so the composite must equal the frame; any other
 *    frame against kernels/composite.c's plain-C blur (block means, a Gaussian along x and y at
 *    the reduced size, each rounded to 8 bits as stored), stretched as composite.comp does, within
 *    2/255 (a rounding of the GPU's exp can move a stored 8-bit value by one).
 * Also: every mask value is in [0, 1], alpha is opaque, and the validation layer stays silent. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../include/pseg.h"
#include "../kernels/kernels.h"

static int fails, passes;

static void expect(int ok, const char *what, double worst) {
  printf("%s %s (worst %.3g)\n", ok ? "ok  " : "FAIL", what, worst);
  ok ? passes++ : fails++;
}

static void run_case(pseg_context *ctx, pseg_model *md, int w, int h, pseg_pixel_format fmt, pseg_background bgmode,
                     int constant, const char *name) {
  int tight = w == 96; /* the tightly packed case */
  size_t bpp = fmt == PSEG_PIXEL_RGBA8 ? 4 : 3, stride = (size_t)w * bpp + (tight ? 0 : 5); /* rows padded */
  uint8_t *px = calloc((size_t)h, stride);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      uint8_t *p = px + (size_t)y * stride + (size_t)x * bpp;
      /* a bright disc on a darker ramp, so the mask has both ends and edges */
      double dx = (x - w * 0.5) / w, dy = (y - h * 0.45) / h;
      int in = dx * dx + dy * dy < 0.05;
      p[0] = constant ? 90 : (uint8_t)(in ? 220 : 40 + (x * 100) / w);
      p[1] = constant ? 140 : (uint8_t)(in ? 180 : 30 + (y * 120) / h);
      p[2] = constant ? 60 : (uint8_t)(in ? 160 : 80);
      if (bpp == 4) p[3] = 17; /* ignored */
    }
  uint8_t bg_rgb[40 * 30 * 3];
  for (int i = 0; i < 40 * 30; i++) bg_rgb[3 * i] = 10, bg_rgb[3 * i + 1] = 200, bg_rgb[3 * i + 2] = 30;
  pseg_image bg = {40, 30, PSEG_PIXEL_RGB8, 0, bg_rgb};
  pseg_session_create_info si = {.width = w, .height = h, .background = bgmode,
                                 .background_image = bgmode == PSEG_BACKGROUND_IMAGE ? &bg : NULL};
  pseg_session *s = NULL;
  float *mask = malloc((size_t)w * h * sizeof(float));
  uint8_t *comp = malloc((size_t)w * h * 4);
  pseg_image frame = {w, h, fmt, stride, px};
  if (pseg_session_create(md, &si, &s) || pseg_session_run(s, &frame, mask, comp)) {
    printf("FAIL %s: %s\n", name, pseg_context_last_error(ctx));
    fails++;
  } else {
    double worst = 0, mrange = 0;
    int alpha_ok = 1;
    kblur bp;
    uint8_t *blur = NULL; /* the reference blurred background */
    if (bgmode == PSEG_BACKGROUND_BLUR && !constant) {
      blur_params(w, h, &bp);
      uint8_t *rgba = malloc((size_t)w * h * 4);
      blur = malloc((size_t)bp.lw * bp.lh * 4);
      for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
          const uint8_t *f = px + (size_t)y * stride + (size_t)x * bpp;
          uint8_t *d = rgba + ((size_t)y * w + x) * 4;
          d[0] = f[0], d[1] = f[1], d[2] = f[2], d[3] = 255;
        }
      ref_blur(rgba, w, h, &bp, blur);
      free(rgba);
    }
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++) {
        size_t i = (size_t)y * w + x;
        const uint8_t *f = px + (size_t)y * stride + (size_t)x * bpp;
        double a = mask[i];
        if (!(a >= 0 && a <= 1)) mrange = 1;
        for (int c = 0; c < 3; c++) {
          double b = bgmode == PSEG_BACKGROUND_IMAGE ? bg_rgb[c]
                     : blur ? 255.0 * ref_background(blur, bp.lw, bp.lh, w, h, x, y, c)
                            : f[c]; /* blur of a constant frame */
          double want = a * f[c] + (1 - a) * b;
          worst = fmax(worst, fabs(comp[4 * i + c] - want));
        }
        alpha_ok &= comp[4 * i + 3] == 255;
      }
    char what[160];
    snprintf(what, sizeof what, "%s: composite = a F + (1-a) B within %s/255, mask in [0,1], opaque", name, blur ? "2" : "1");
    expect(worst <= (blur ? 2.0 : 1.0) && !mrange && alpha_ok, what, worst);
    free(blur);
    if (tight) { /* the same pixels as RGB8: the same mask (alpha is not an input) */
      uint8_t *rgb = malloc((size_t)w * h * 3);
      float *mask3 = malloc((size_t)w * h * sizeof(float));
      for (size_t i = 0; i < (size_t)w * h; i++) memcpy(rgb + 3 * i, px + 4 * i, 3);
      pseg_image f3 = {w, h, PSEG_PIXEL_RGB8, 0, rgb};
      double d = 1;
      if (!pseg_session_run(s, &f3, mask3, NULL)) {
        d = 0;
        for (size_t i = 0; i < (size_t)w * h; i++) d = fmax(d, fabs((double)mask3[i] - mask[i]));
      }
      snprintf(what, sizeof what, "%s: the mask of the same pixels as RGB8 is the same", name);
      expect(d == 0, what, d);
      free(rgb), free(mask3);
    }
  }
  pseg_session_destroy(s);
  free(px), free(mask), free(comp);
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
  run_case(ctx, md, 301, 199, PSEG_PIXEL_RGB8, PSEG_BACKGROUND_IMAGE, 0, "background image, 301x199 RGB8");
  run_case(ctx, md, 64, 97, PSEG_PIXEL_RGBA8, PSEG_BACKGROUND_IMAGE, 0, "background image, 64x97 RGBA8");
  run_case(ctx, md, 96, 61, PSEG_PIXEL_RGBA8, PSEG_BACKGROUND_IMAGE, 0, "background image, 96x61 RGBA8 tightly packed");
  run_case(ctx, md, 257, 130, PSEG_PIXEL_RGB8, PSEG_BACKGROUND_BLUR, 1, "blur of a constant frame, 257x130");
  run_case(ctx, md, 257, 130, PSEG_PIXEL_RGB8, PSEG_BACKGROUND_BLUR, 0, "blur, 257x130 (odd: one pixel a texel)");
  run_case(ctx, md, 1280, 720, PSEG_PIXEL_RGB8, PSEG_BACKGROUND_BLUR, 0, "blur, 1280x720 (4 pixels a texel)");
  uint32_t v = pseg_context_validation_messages(ctx);
  pseg_model_destroy(md);
  pseg_context_destroy(ctx);
  expect(v == 0, "no validation messages", v);
  printf("%d passed, %d failed\n", passes, fails);
  return fails ? 1 : 0;
}
