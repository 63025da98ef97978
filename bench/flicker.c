/* Flicker and accuracy of the temporal smoothing (issue 14), measured on sequences made from the
 * dev portraits with ground-truth masks (../shared/portraits/dev/N.jpg + N.mask.png):
 *   still: the photo (scaled to fit 384 px) seen through a window jittered by 0..3 px each frame,
 *          with noise of +-8 per channel; pan: the window moving 1 px a frame to the right.
 * Per sequence and smoothing strength: flicker = mean |p(t) - p(t-1)| over the pixels whose true
 * label (the ground truth moved with the window) did not change, and the mean IoU@0.5 against
 * the ground truth. Built by CMake as build/pseg-flicker; run from the repository root:
 *   build/pseg-flicker [DIR] [--frames N] [--photos N] [--strengths S1,S2,...]
 * (prints a table, one row per strength: both figures averaged over photos and sequences). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../include/pseg.h"
#include "../tools/image_io.h"

enum { MAXS = 8, MARGIN = 4 };

static uint32_t rng = 12345u;
static int rnd(int n) { /* 0..n-1 */
  rng = rng * 1664525u + 1013904223u;
  return (int)((rng >> 8) % (uint32_t)n);
}

/* The window (w x h at offset ox, oy) of an RGB image, with noise. */
static void window_rgb(const img_rgb *im, int ox, int oy, int w, int h, int amp, uint8_t *out) {
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      for (int c = 0; c < 3; c++) {
        int v = im->rgb[((size_t)(y + oy) * im->width + x + ox) * 3 + c] + (amp ? rnd(2 * amp + 1) - amp : 0);
        out[((size_t)y * w + x) * 3 + c] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
      }
}

int main(int argc, char **argv) {
  const char *dir = "../shared/portraits/dev";
  int frames = 12, photos = 60, ns = 0;
  float strengths[MAXS];
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--frames") && i + 1 < argc) frames = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--photos") && i + 1 < argc) photos = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--strengths") && i + 1 < argc) {
      for (char *t = strtok(argv[++i], ","); t && ns < MAXS; t = strtok(NULL, ",")) strengths[ns++] = (float)atof(t);
    } else if (argv[i][0] != '-') dir = argv[i];
    else return fprintf(stderr, "usage: pseg-flicker [DIR] [--frames N] [--photos N] [--strengths S1,S2,...]\n"), 2;
  }
  if (!ns) {
    float d[] = {0.0f, 0.5f, 0.7f, 0.8f, 0.9f};
    ns = 5;
    memcpy(strengths, d, sizeof d);
  }
  if (frames < 2 || photos < 1) return fprintf(stderr, "pseg-flicker: --frames >= 2, --photos >= 1\n"), 2;
  pseg_context_create_info ci = {.device_index = -1, .precision = PSEG_PRECISION_FP32};
  pseg_context *ctx = NULL;
  pseg_model *md = NULL;
  char err[256];
  if (pseg_context_create(&ci, &ctx, err, sizeof err) || pseg_model_load_builtin(ctx, PSEG_MODEL_SELFIE, &md))
    return fprintf(stderr, "pseg-flicker: %s\n", ctx ? pseg_context_last_error(ctx) : err), 1;
  double flick[2][MAXS] = {{0}}, iou[2][MAXS] = {{0}};
  int used = 0;
  for (int k = 1; used < photos && k <= 1000; k++) {
    char pp[512], mp[512];
    snprintf(pp, sizeof pp, "%s/%d.jpg", dir, k);
    snprintf(mp, sizeof mp, "%s/%d.mask.png", dir, k);
    img_rgb photo, gtm, ph, gt;
    if (img_load(pp, &photo, err, sizeof err)) continue;
    if (img_load(mp, &gtm, err, sizeof err)) {
      img_free(&photo);
      continue;
    }
    double sc = 384.0 / (photo.width > photo.height ? photo.width : photo.height);
    int pw = (int)(photo.width * sc), ph_ = (int)(photo.height * sc);
    if (img_resize_bilinear_rgb(&photo, pw, ph_, &ph) || img_resize_bilinear_rgb(&gtm, pw, ph_, &gt)) return 1;
    img_free(&photo), img_free(&gtm);
    int w = pw - 2 * MARGIN - frames, h = ph_ - 2 * MARGIN; /* room for the jitter and the pan */
    size_t n = (size_t)w * h;
    uint8_t *rgb = malloc(n * 3), *lab = malloc(n * (size_t)frames);
    float *p = malloc(n * sizeof(float) * 2);
    for (int seq = 0; seq < 2; seq++) {
      int ox[64], oy[64];
      for (int t = 0; t < frames && t < 64; t++)
        ox[t] = MARGIN + (seq ? t : rnd(7) - 3), oy[t] = MARGIN + (seq ? 0 : rnd(7) - 3);
      uint32_t seed = rng;
      for (int si = 0; si < ns; si++) {
        rng = seed; /* the same noise for every strength */
        pseg_session_create_info info = {.width = w, .height = h, .smoothing = strengths[si]};
        pseg_session *s = NULL;
        if (pseg_session_create(md, &info, &s)) return fprintf(stderr, "pseg-flicker: %s\n", pseg_context_last_error(ctx)), 1;
        double fl = 0, io = 0;
        size_t fl_n = 0;
        for (int t = 0; t < frames && t < 64; t++) {
          window_rgb(&ph, ox[t], oy[t], w, h, 8, rgb);
          pseg_image f = {w, h, PSEG_PIXEL_RGB8, 0, rgb};
          float *cur = p + n * (size_t)(t % 2), *prev = p + n * (size_t)((t + 1) % 2);
          if (pseg_session_run(s, &f, cur, NULL)) return fprintf(stderr, "pseg-flicker: %s\n", pseg_context_last_error(ctx)), 1;
          size_t inter = 0, uni = 0;
          for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
              size_t i = (size_t)y * w + x;
              uint8_t l = gt.rgb[((size_t)(y + oy[t]) * gt.width + x + ox[t]) * 3] >= 128;
              lab[n * (size_t)t + i] = l;
              uint8_t m = cur[i] >= 0.5f;
              inter += l && m, uni += l || m;
              if (t && lab[n * (size_t)(t - 1) + i] == l) fl += fabs((double)cur[i] - prev[i]), fl_n++;
            }
          io += uni ? (double)inter / (double)uni : 1.0;
        }
        flick[seq][si] += fl / (double)(fl_n ? fl_n : 1);
        iou[seq][si] += io / frames;
        pseg_session_destroy(s);
      }
    }
    free(rgb), free(lab), free(p);
    img_free(&ph), img_free(&gt);
    used++;
  }
  if (!used) return fprintf(stderr, "pseg-flicker: no N.jpg with N.mask.png in %s\n", dir), 1;
  printf("%d photos, %d frames a sequence; still: jitter 0..3 px, noise +-8; pan: 1 px a frame\n", used, frames);
  printf("strength  still flicker  still IoU   pan flicker  pan IoU\n");
  for (int si = 0; si < ns; si++)
    printf("%8.2f  %13.5f  %9.4f  %11.5f  %7.4f\n", strengths[si], flick[0][si] / used, iou[0][si] / used,
           flick[1][si] / used, iou[1][si] / used);
  pseg_model_destroy(md);
  pseg_context_destroy(ctx);
  return 0;
}
