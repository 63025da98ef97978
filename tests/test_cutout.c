/* pseg segment's cutouts for photos (issue 14 item 4), through the CLI on a real photo:
 *  - --cutout: RGBA whose alpha is the mask PNG byte for byte and whose colour is the photo's;
 *  - --cutout --premultiplied: the colour times alpha, (c a + 127) / 255;
 *  - --matte: the mask;
 *  - --trimap W: only 0, 128, 255, each pixel against a brute-force check of its (2W+1)^2 window
 *    of the mask (255: all of it the person, 0: none, 128: both);
 *  - option conflicts: an error, non-zero exit, no output.
 * Usage: test_cutout PSEG PHOTO.png TMPDIR */
#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int fails, passes;
static void expect(int ok, const char *what) {
  printf("%s %s\n", ok ? "ok  " : "FAIL", what);
  ok ? passes++ : fails++;
}

/* PNG as 8-bit `fmt` (PNG_FORMAT_RGBA, _RGB, _GRAY); NULL on error. */
static uint8_t *load(const char *path, png_uint_32 fmt, int *w, int *h) {
  png_image im;
  memset(&im, 0, sizeof im);
  im.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&im, path)) return NULL;
  im.format = fmt;
  uint8_t *px = malloc(PNG_IMAGE_SIZE(im));
  if (!px || !png_image_finish_read(&im, NULL, px, 0, NULL)) return free(px), png_image_free(&im), NULL;
  *w = (int)im.width, *h = (int)im.height;
  return px;
}

static int run(const char *pseg, const char *args, const char *photo, const char *out) {
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "'%s' segment %s '%s' -o '%s' 2>/dev/null", pseg, args, photo, out);
  return system(cmd);
}

int main(int argc, char **argv) {
  if (argc != 4) return fprintf(stderr, "usage: test_cutout PSEG PHOTO.png TMPDIR\n"), 2;
  const char *pseg = argv[1], *photo = argv[2];
  char p_mask[1024], p_cut[1024], p_pm[1024], p_matte[1024], p_tri[1024], p_bad[1024];
  snprintf(p_mask, sizeof p_mask, "%s/mask.png", argv[3]);
  snprintf(p_cut, sizeof p_cut, "%s/cut.png", argv[3]);
  snprintf(p_pm, sizeof p_pm, "%s/pm.png", argv[3]);
  snprintf(p_matte, sizeof p_matte, "%s/matte.png", argv[3]);
  snprintf(p_tri, sizeof p_tri, "%s/tri.png", argv[3]);
  snprintf(p_bad, sizeof p_bad, "%s/bad.png", argv[3]);
  const int band = 6;
  char tri_args[32];
  snprintf(tri_args, sizeof tri_args, "--trimap %d", band);
  int rcs = run(pseg, "", photo, p_mask) | run(pseg, "--cutout", photo, p_cut) |
            run(pseg, "--cutout --premultiplied", photo, p_pm) | run(pseg, "--matte", photo, p_matte) |
            run(pseg, tri_args, photo, p_tri);
  expect(rcs == 0, "pseg segment: mask, --cutout, --cutout --premultiplied, --matte, --trimap 6 run");
  int w, h, w2, h2, w3, h3, w4, h4, w5, h5, w6, h6;
  uint8_t *src = load(photo, PNG_FORMAT_RGB, &w, &h), *mask = load(p_mask, PNG_FORMAT_GRAY, &w2, &h2);
  uint8_t *cut = load(p_cut, PNG_FORMAT_RGBA, &w3, &h3), *pm = load(p_pm, PNG_FORMAT_RGBA, &w4, &h4);
  uint8_t *matte = load(p_matte, PNG_FORMAT_GRAY, &w5, &h5), *tri = load(p_tri, PNG_FORMAT_GRAY, &w6, &h6);
  if (!src || !mask || !cut || !pm || !matte || !tri || w2 != w || w3 != w || w4 != w || w5 != w || w6 != w || h2 != h ||
      h3 != h || h4 != h || h5 != h || h6 != h) {
    printf("FAIL outputs missing or of another size\n");
    return 1;
  }
  size_t n = (size_t)w * h, d_alpha = 0, d_rgb = 0, d_pm = 0, d_matte = 0, d_tri = 0, levels = 0, fg = 0, unk = 0;
  for (size_t i = 0; i < n; i++) {
    uint8_t a = mask[i];
    d_alpha += cut[4 * i + 3] != a;
    d_matte += matte[i] != a;
    fg += a >= 128;
    for (int k = 0; k < 3; k++) {
      d_rgb += cut[4 * i + k] != src[3 * i + k];
      d_pm += pm[4 * i + k] != (uint8_t)((src[3 * i + k] * a + 127) / 255) || pm[4 * i + 3] != a;
    }
    levels += tri[i] != 0 && tri[i] != 128 && tri[i] != 255;
  }
  for (int y = 0; y < h; y++) /* brute force: the window's labels */
    for (int x = 0; x < w; x++) {
      int any = 0, all = 1;
      for (int yy = y - band; yy <= y + band; yy++)
        for (int xx = x - band; xx <= x + band; xx++) {
          if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
          int f = mask[(size_t)yy * w + xx] >= 128;
          any |= f, all &= f;
        }
      uint8_t want = all ? 255 : any ? 128 : 0;
      d_tri += tri[(size_t)y * w + x] != want;
      unk += want == 128;
    }
  char what[200];
  snprintf(what, sizeof what, "--cutout: alpha = the mask (%zu differ), colour = the photo (%zu differ)", d_alpha, d_rgb);
  expect(!d_alpha && !d_rgb && fg > n / 20 && fg < n - n / 20, what);
  snprintf(what, sizeof what, "--cutout --premultiplied: colour x alpha (%zu differ)", d_pm);
  expect(!d_pm, what);
  snprintf(what, sizeof what, "--matte: the mask (%zu differ)", d_matte);
  expect(!d_matte, what);
  snprintf(what, sizeof what, "--trimap %d: levels 0/128/255 only (%zu others), the windows' labels (%zu differ, %zu unknown)",
           band, levels, d_tri, unk);
  expect(!levels && !d_tri && unk > 0, what);
  /* conflicts and bad values: non-zero, no file */
  const char *bad[] = {"--cutout --matte", "--premultiplied", "--trimap 0", "--trimap x", "--cutout --background blur"};
  int bad_ok = 1;
  for (int i = 0; i < 5; i++) {
    unlink(p_bad);
    bad_ok &= run(pseg, bad[i], photo, p_bad) != 0 && access(p_bad, F_OK) != 0;
  }
  expect(bad_ok, "conflicting or bad options: an error, no output");
  free(src), free(mask), free(cut), free(pm), free(matte), free(tri);
  printf("%d passed, %d failed\n", passes, fails);
  return fails ? 1 : 0;
}
