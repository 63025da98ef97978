/* prep_portraits [--crops] OUTDIR W H IMAGE...
 *
 * For each IMAGE (PNG or JPEG): load it, resize it (CPU bilinear, half-pixel centres) to exactly
 * W x H and write
 *   OUTDIR/NAME.png  the resized RGB8 image
 *   OUTDIR/NAME.f32  raw little-endian float32, H*W*3, NHWC, value/255.0f of those same pixels
 * where NAME is the basename of IMAGE without its extension. With --crops, two more framings:
 *   NAME_c70   the centred middle 70% (of width and height) of the original, resized to W x H
 *   NAME_flip  NAME mirrored horizontally (exactly the mirror of NAME.png's pixels)
 * OUTDIR is created if it does not exist. Exits non-zero with a message on any error.
 *
 * prep_portraits --ramp OUTDIR W H (W x H >= 256) writes OUTDIR/ramp.png and ramp.f32 the same
 * way from a synthetic image in which every channel takes each of the 256 values: pixel i has
 * R = i, G = 255 - i, B = 7 i (mod 256), so an 8-bit model input meets every value (the int8
 * lookup tables' test, tests/test_models.sh). */
#include "../tools/image_io.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static const char *prog = "prep_portraits";

static void usage(FILE *f) {
  fprintf(f,
          "usage: %s [--crops] OUTDIR W H IMAGE...\n"
          "  writes OUTDIR/NAME.png and OUTDIR/NAME.f32 (H*W*3 float32 LE, NHWC, 0..1) per image;\n"
          "  --crops also writes NAME_c70 (centred 70%% crop) and NAME_flip (mirrored)\n"
          "usage: %s --ramp OUTDIR W H\n"
          "  writes OUTDIR/ramp.png and ramp.f32: every channel takes each of the 256 values (W x H >= 256)\n",
          prog, prog);
}

static int parse_dim(const char *s, int *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || end == s || *end || v < 1 || v > IMG_MAX_DIM) return -1;
  *out = (int)v;
  return 0;
}

/* basename without extension */
static char *stem_of(const char *path) {
  const char *b = strrchr(path, '/');
  b = b ? b + 1 : path;
  const char *dot = strrchr(b, '.');
  size_t n = (dot && dot != b) ? (size_t)(dot - b) : strlen(b);
  char *s = malloc(n + 1);
  if (!s) return NULL;
  memcpy(s, b, n);
  s[n] = '\0';
  return s;
}

/* Writes the raw .f32 next to a temp name, then renames it (no partial file on failure). */
static int write_f32(const char *path, const img_rgb *im) {
  size_t n = (size_t)im->width * (size_t)im->height * 3;
  size_t plen = strlen(path);
  char *tmp = malloc(plen + sizeof ".tmpXXXXXX");
  if (!tmp) {
    fprintf(stderr, "%s: %s: out of memory\n", prog, path);
    return -1;
  }
  memcpy(tmp, path, plen);
  memcpy(tmp + plen, ".tmpXXXXXX", sizeof ".tmpXXXXXX");
  int fd = mkstemp(tmp);
  if (fd < 0) {
    fprintf(stderr, "%s: %s: cannot create temporary file: %s\n", prog, path, strerror(errno));
    free(tmp);
    return -1;
  }
  FILE *f = fdopen(fd, "wb");
  if (!f) {
    fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
    close(fd);
    unlink(tmp);
    free(tmp);
    return -1;
  }
  (void)fchmod(fd, 0644);
  int ok = 1;
  unsigned char buf[4096 * 4];
  size_t k = 0;
  for (size_t i = 0; i < n && ok; i++) {
    float v = (float)im->rgb[i] / 255.0f;
    uint32_t u;
    memcpy(&u, &v, 4);
    buf[k++] = (unsigned char)u;
    buf[k++] = (unsigned char)(u >> 8);
    buf[k++] = (unsigned char)(u >> 16);
    buf[k++] = (unsigned char)(u >> 24);
    if (k == sizeof buf || i + 1 == n) {
      ok = fwrite(buf, 1, k, f) == k;
      k = 0;
    }
  }
  int e = errno;
  if (fflush(f) != 0 || ferror(f)) ok = 0, e = errno;
  if (fclose(f) != 0 && ok) ok = 0, e = errno;
  if (ok && rename(tmp, path) != 0) ok = 0, e = errno;
  if (!ok) {
    fprintf(stderr, "%s: %s: write error: %s\n", prog, path, strerror(e ? e : EIO));
    unlink(tmp);
  }
  free(tmp);
  return ok ? 0 : -1;
}

static int write_pair(const char *outdir, const char *name, const img_rgb *im) {
  size_t len = strlen(outdir) + strlen(name) + 8;
  char *p = malloc(len);
  if (!p) {
    fprintf(stderr, "%s: out of memory\n", prog);
    return -1;
  }
  char err[512];
  int rc = 0;
  snprintf(p, len, "%s/%s.png", outdir, name);
  if (img_save_png(p, im->rgb, im->width, im->height, 3, err, sizeof err)) {
    fprintf(stderr, "%s: %s\n", prog, err);
    rc = -1;
  }
  if (!rc) {
    snprintf(p, len, "%s/%s.f32", outdir, name);
    rc = write_f32(p, im);
  }
  free(p);
  return rc;
}

static int crop_centre(const img_rgb *src, double frac, img_rgb *dst) {
  int cw = (int)(src->width * frac + 0.5), ch = (int)(src->height * frac + 0.5);
  if (cw < 1) cw = 1;
  if (ch < 1) ch = 1;
  int x0 = (src->width - cw) / 2, y0 = (src->height - ch) / 2;
  dst->rgb = malloc((size_t)cw * (size_t)ch * 3);
  if (!dst->rgb) return -1;
  dst->width = cw;
  dst->height = ch;
  for (int y = 0; y < ch; y++)
    memcpy(dst->rgb + (size_t)y * cw * 3, src->rgb + ((size_t)(y0 + y) * src->width + (size_t)x0) * 3,
           (size_t)cw * 3);
  return 0;
}

static int mirror(const img_rgb *src, img_rgb *dst) {
  dst->rgb = malloc((size_t)src->width * (size_t)src->height * 3);
  if (!dst->rgb) return -1;
  dst->width = src->width;
  dst->height = src->height;
  for (int y = 0; y < src->height; y++)
    for (int x = 0; x < src->width; x++)
      memcpy(dst->rgb + ((size_t)y * src->width + x) * 3,
             src->rgb + ((size_t)y * src->width + (size_t)(src->width - 1 - x)) * 3, 3);
  return 0;
}

static int process(const char *outdir, int w, int h, int crops, const char *path, const char *name) {
  char err[512];
  img_rgb src = {0}, sized = {0}, tmp = {0}, tmp2 = {0};
  int rc = -1;
  size_t nlen = strlen(name) + 8;
  char *vname = malloc(nlen);
  if (!vname) {
    fprintf(stderr, "%s: out of memory\n", prog);
    return -1;
  }
  if (img_load(path, &src, err, sizeof err)) {
    fprintf(stderr, "%s: %s\n", prog, err);
    goto done;
  }
  if (img_resize_bilinear_rgb(&src, w, h, &sized)) {
    fprintf(stderr, "%s: %s: cannot resize to %dx%d (out of memory?)\n", prog, path, w, h);
    goto done;
  }
  if (write_pair(outdir, name, &sized)) goto done;
  if (crops) {
    if (crop_centre(&src, 0.7, &tmp) || img_resize_bilinear_rgb(&tmp, w, h, &tmp2)) {
      fprintf(stderr, "%s: %s: cannot make the 70%% crop (out of memory?)\n", prog, path);
      goto done;
    }
    snprintf(vname, nlen, "%s_c70", name);
    if (write_pair(outdir, vname, &tmp2)) goto done;
    img_free(&tmp);
    img_free(&tmp2);
    if (mirror(&sized, &tmp)) {
      fprintf(stderr, "%s: %s: out of memory\n", prog, path);
      goto done;
    }
    snprintf(vname, nlen, "%s_flip", name);
    if (write_pair(outdir, vname, &tmp)) goto done;
  }
  printf("%s -> %s/%s (%dx%d from %dx%d)%s\n", path, outdir, name, w, h, src.width, src.height,
         crops ? " +_c70 +_flip" : "");
  rc = 0;
done:
  img_free(&src);
  img_free(&sized);
  img_free(&tmp);
  img_free(&tmp2);
  free(vname);
  return rc;
}

int main(int argc, char **argv) {
  int a = 1, crops = 0;
  if (a < argc && (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help"))) {
    usage(stdout);
    return 0;
  }
  if (a < argc && !strcmp(argv[a], "--crops")) crops = 1, a++;
  int ramp = 0;
  if (!crops && a < argc && !strcmp(argv[a], "--ramp")) ramp = 1, a++;
  if (ramp ? argc - a != 3 : argc - a < 4) {
    usage(stderr);
    return 2;
  }
  const char *outdir = argv[a];
  int w, h;
  if (parse_dim(argv[a + 1], &w) || parse_dim(argv[a + 2], &h)) {
    fprintf(stderr, "%s: W and H must be integers in 1..%d (got '%s' '%s')\n", prog, IMG_MAX_DIM,
            argv[a + 1], argv[a + 2]);
    return 2;
  }
  if (ramp && (long)w * h < 256) {
    fprintf(stderr, "%s: --ramp needs W x H >= 256 (got %dx%d)\n", prog, w, h);
    return 2;
  }
  if (mkdir(outdir, 0777) != 0 && errno != EEXIST) {
    fprintf(stderr, "%s: %s: cannot create directory: %s\n", prog, outdir, strerror(errno));
    return 1;
  }
  struct stat st;
  if (stat(outdir, &st) != 0 || !S_ISDIR(st.st_mode)) {
    fprintf(stderr, "%s: %s: not a directory\n", prog, outdir);
    return 1;
  }
  if (ramp) {
    img_rgb im = {w, h, malloc((size_t)w * (size_t)h * 3)};
    if (!im.rgb) {
      fprintf(stderr, "%s: out of memory\n", prog);
      return 1;
    }
    for (size_t i = 0; i < (size_t)w * (size_t)h; i++)
      im.rgb[3 * i] = (unsigned char)i, im.rgb[3 * i + 1] = (unsigned char)(255 - i % 256), im.rgb[3 * i + 2] = (unsigned char)(7 * i);
    int rr = write_pair(outdir, "ramp", &im);
    img_free(&im);
    return rr ? 1 : 0;
  }
  int first = a + 3, nimg = argc - first;
  char **names = calloc((size_t)nimg, sizeof *names);
  if (!names) {
    fprintf(stderr, "%s: out of memory\n", prog);
    return 1;
  }
  int rc = 0;
  for (int i = 0; i < nimg && !rc; i++) {
    names[i] = stem_of(argv[first + i]);
    if (!names[i] || !names[i][0]) {
      fprintf(stderr, "%s: %s: cannot derive an output name\n", prog, argv[first + i]);
      rc = 1;
      break;
    }
    for (int j = 0; j < i; j++)
      if (!strcmp(names[i], names[j])) {
        fprintf(stderr, "%s: %s and %s would both write %s/%s.*\n", prog, argv[first + j],
                argv[first + i], outdir, names[i]);
        rc = 1;
      }
    if (!rc && process(outdir, w, h, crops, argv[first + i], names[i])) rc = 1;
  }
  for (int i = 0; i < nimg; i++) free(names[i]);
  free(names);
  return rc;
}
