/* Tests for tools/image_io.c: round trips, corrupt inputs, .npy header, atomic writes.
 * Usage: test_image_io [DATA_DIR]   (default: PSEG_TEST_DATA_DIR if defined, else tests/data) */
#include "../tools/image_io.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <png.h>
#include <jpeglib.h>

#ifndef PSEG_TEST_DATA_DIR
#define PSEG_TEST_DATA_DIR "tests/data"
#endif

static int n_pass, n_fail;
static char tmpdir[256];
static const char *datadir = PSEG_TEST_DATA_DIR;

#define CHECK(cond, ...)                                                                           \
  do {                                                                                             \
    if (cond) {                                                                                    \
      n_pass++;                                                                                    \
    } else {                                                                                       \
      n_fail++;                                                                                    \
      fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                              \
      fprintf(stderr, __VA_ARGS__);                                                                \
      fputc('\n', stderr);                                                                         \
    }                                                                                              \
  } while (0)

static void tpath(char *buf, size_t n, const char *name) { snprintf(buf, n, "%s/%s", tmpdir, name); }
static void dpath(char *buf, size_t n, const char *name) { snprintf(buf, n, "%s/%s", datadir, name); }

static unsigned char *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 1 << 16, n = 0;
  unsigned char *b = malloc(cap);
  for (;;) {
    if (!b) break;
    if (n == cap) {
      unsigned char *nb = realloc(b, cap *= 2);
      if (!nb) {
        free(b);
        b = NULL;
        break;
      }
      b = nb;
    }
    size_t r = fread(b + n, 1, cap - n, f);
    if (!r) break;
    n += r;
  }
  fclose(f);
  *len = n;
  return b;
}

static int write_all(const char *path, const void *data, size_t len) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  int ok = fwrite(data, 1, len, f) == len;
  return (fclose(f) == 0 && ok) ? 0 : -1;
}

/* err must be non-empty, one line, start with path; load must leave *img empty */
static void expect_load_fail(const char *path, const char *needle) {
  char err[512] = "";
  img_rgb img = {7, 7, (unsigned char *)&img};
  int rc = img_load(path, &img, err, sizeof err);
  CHECK(rc == -1, "%s: load unexpectedly succeeded", path);
  CHECK(img.rgb == NULL && img.width == 0 && img.height == 0, "%s: output not cleared", path);
  CHECK(err[0] && !strncmp(err, path, strlen(path)) && !strchr(err, '\n'), "%s: bad message '%s'", path,
        err);
  if (needle) CHECK(strstr(err, needle) != NULL, "%s: message '%s' lacks '%s'", path, err, needle);
  printf("  expected error: %s\n", err);
  if (rc == 0) img_free(&img);
}

static void fix_ihdr_crc(unsigned char *b) {
  unsigned c = 0xFFFFFFFFu;
  for (int i = 12; i < 29; i++) {
    c ^= b[i];
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  c ^= 0xFFFFFFFFu;
  b[29] = (unsigned char)(c >> 24), b[30] = (unsigned char)(c >> 16), b[31] = (unsigned char)(c >> 8);
  b[32] = (unsigned char)c;
}

static int count_tmp_leftovers(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return 0;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)))
    if (strstr(e->d_name, ".tmp") || !strncmp(e->d_name, ".pseg-", 6)) n++;
  closedir(d);
  return n;
}

static void test_roundtrip(void) {
  char p[512], err[512];
  /* gray */
  int w = 37, h = 23;
  unsigned char *g = malloc((size_t)w * h);
  for (int i = 0; i < w * h; i++) g[i] = (unsigned char)(i * 7 + (i / w) * 13);
  tpath(p, sizeof p, "gray.png");
  CHECK(img_save_png(p, g, w, h, 1, err, sizeof err) == 0, "save gray: %s", err);
  img_rgb im = {0};
  CHECK(img_load(p, &im, err, sizeof err) == 0, "load gray: %s", err);
  if (im.rgb) {
    CHECK(im.width == w && im.height == h, "gray dims %dx%d", im.width, im.height);
    int same = 1;
    for (int i = 0; i < w * h; i++)
      if (im.rgb[3 * i] != g[i] || im.rgb[3 * i + 1] != g[i] || im.rgb[3 * i + 2] != g[i]) same = 0;
    CHECK(same, "gray pixels differ after round trip");
  }
  img_free(&im);
  free(g);

  /* RGB */
  w = 41, h = 29;
  unsigned char *c = malloc((size_t)w * h * 3);
  unsigned s = 12345;
  for (int i = 0; i < w * h * 3; i++) c[i] = (unsigned char)((s = s * 1103515245u + 12345u) >> 16);
  tpath(p, sizeof p, "rgb.png");
  CHECK(img_save_png(p, c, w, h, 3, err, sizeof err) == 0, "save rgb: %s", err);
  CHECK(img_load(p, &im, err, sizeof err) == 0, "load rgb: %s", err);
  if (im.rgb) {
    CHECK(im.width == w && im.height == h, "rgb dims %dx%d", im.width, im.height);
    CHECK(!memcmp(im.rgb, c, (size_t)w * h * 3), "rgb pixels differ after round trip");
  }
  img_free(&im);
  /* overwrite an existing file atomically */
  CHECK(img_save_png(p, c, w, h, 3, err, sizeof err) == 0, "re-save rgb: %s", err);

  /* RGBA: alpha dropped */
  unsigned char *a = malloc((size_t)w * h * 4);
  for (int i = 0; i < w * h; i++) {
    memcpy(a + 4 * i, c + 3 * i, 3);
    a[4 * i + 3] = (unsigned char)(i & 255);
  }
  tpath(p, sizeof p, "rgba.png");
  CHECK(img_save_png(p, a, w, h, 4, err, sizeof err) == 0, "save rgba: %s", err);
  CHECK(img_load(p, &im, err, sizeof err) == 0, "load rgba: %s", err);
  if (im.rgb) CHECK(!memcmp(im.rgb, c, (size_t)w * h * 3), "rgba -> rgb pixels differ");
  img_free(&im);
  free(a);
  free(c);

  /* bad arguments */
  unsigned char px[3] = {0};
  tpath(p, sizeof p, "bad.png");
  CHECK(img_save_png(p, px, 1, 1, 2, err, sizeof err) == -1 && !strncmp(err, p, strlen(p)),
        "2 channels accepted");
  CHECK(img_save_png(p, px, 0, 1, 3, err, sizeof err) == -1, "0 width accepted");
}

/* Write PNGs of other formats with libpng directly: 16-bit gray+alpha, 2-bit palette. */
static int write_png_raw(const char *path, int w, int h, int ctype, int depth, png_bytep *rows,
                         png_colorp pal, int npal, png_bytep trns, int ntrns) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    fclose(f);
    return -1;
  }
  png_init_io(png, f);
  png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, depth, ctype, PNG_INTERLACE_ADAM7,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (pal) png_set_PLTE(png, info, pal, npal);
  if (trns) png_set_tRNS(png, info, trns, ntrns, NULL);
  png_write_info(png, info);
  png_write_image(png, rows);
  png_write_end(png, NULL);
  png_destroy_write_struct(&png, &info);
  return fclose(f) == 0 ? 0 : -1;
}

static void test_png_formats(void) {
  char p[512], err[512];
  img_rgb im = {0};
  enum { W = 9, H = 5 };
  /* 16-bit gray + alpha, big-endian samples */
  unsigned char b16[H][W * 4];
  png_bytep rows[H];
  for (int y = 0; y < H; y++) {
    rows[y] = b16[y];
    for (int x = 0; x < W; x++) {
      unsigned v = (unsigned)(x * 7000 + y * 300);
      b16[y][4 * x] = (unsigned char)(v >> 8), b16[y][4 * x + 1] = (unsigned char)v;
      b16[y][4 * x + 2] = 0x12, b16[y][4 * x + 3] = 0x34;
    }
  }
  tpath(p, sizeof p, "ga16.png");
  CHECK(write_png_raw(p, W, H, PNG_COLOR_TYPE_GRAY_ALPHA, 16, rows, NULL, 0, NULL, 0) == 0, "write ga16");
  CHECK(img_load(p, &im, err, sizeof err) == 0, "load ga16: %s", err);
  if (im.rgb) {
    int ok = im.width == W && im.height == H;
    for (int y = 0; ok && y < H; y++)
      for (int x = 0; x < W; x++) {
        unsigned v = (unsigned)(x * 7000 + y * 300), e = (v * 255 + 32767) / 65535;
        const unsigned char *q = im.rgb + 3 * (y * W + x);
        int d = (int)q[0] - (int)e;
        if (d < -1 || d > 1 || q[1] != q[0] || q[2] != q[0]) ok = 0;
      }
    CHECK(ok, "16-bit gray+alpha decoded wrongly");
  }
  img_free(&im);

  /* 2-bit palette */
  png_color pal[4] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {10, 20, 30}};
  unsigned char p2[H][(W * 2 + 7) / 8];
  memset(p2, 0, sizeof p2);
  for (int y = 0; y < H; y++) {
    rows[y] = p2[y];
    for (int x = 0; x < W; x++) p2[y][x / 4] |= (unsigned char)(((x + y) & 3) << (6 - 2 * (x % 4)));
  }
  tpath(p, sizeof p, "pal2.png");
  for (int t = 0; t < 2; t++) { /* without and with transparency (tRNS: issue 13, was refused) */
    png_byte alpha[4] = {0, 128, 255, 7};
    tpath(p, sizeof p, t ? "pal2_trns.png" : "pal2.png");
    CHECK(write_png_raw(p, W, H, PNG_COLOR_TYPE_PALETTE, 2, rows, pal, 4, t ? alpha : NULL, t ? 4 : 0) == 0,
          "write %s", p);
    CHECK(img_load(p, &im, err, sizeof err) == 0, "load %s: %s", p, err);
    if (im.rgb) {
      int ok = im.width == W && im.height == H;
      for (int y = 0; ok && y < H; y++)
        for (int x = 0; x < W; x++) {
          const png_color *e = &pal[(x + y) & 3];
          const unsigned char *q = im.rgb + 3 * (y * W + x);
          if (q[0] != e->red || q[1] != e->green || q[2] != e->blue) ok = 0;
        }
      CHECK(ok, "palette PNG%s decoded wrongly", t ? " with transparency" : "");
    }
    img_free(&im);
  }
}

/* A limit on the pixels (a device's largest frame) is checked from the header, before decoding:
 * a 16384x16384 header with no image data behind it is refused for its size (decoding it would
 * fail for the missing data, with another message). */
static void test_size_limit(void) {
  char p[512], err[512];
  img_rgb im = {0};
  unsigned char b[8 + 25 + 12] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
                                  0, 0, 0x40, 0, 0, 0, 0x40, 0, 8, 2, 0, 0, 0};
  fix_ihdr_crc(b);
  memcpy(b + 33, "\0\0\0\0IEND\xae\x42\x60\x82", 12);
  tpath(p, sizeof p, "huge_header.png");
  CHECK(write_all(p, b, sizeof b) == 0, "write %s", p);
  img_limit lim = {1u << 24, "the test device"};
  int rc = img_load_limited(p, &lim, &im, err, sizeof err);
  CHECK(rc == -1 && strstr(err, "too large for the test device") && strstr(err, "16384x16384"),
        "the limit: rc %d, '%s'", rc, err);
  img_free(&im);
  lim.max_pixels = 0; /* none: libpng then fails on the missing data */
  rc = img_load_limited(p, &lim, &im, err, sizeof err);
  CHECK(rc == -1 && !strstr(err, "too large"), "without a limit: rc %d, '%s'", rc, err);
  img_free(&im);
}

static int write_jpeg_raw(const char *path, int w, int h, int comps, J_COLOR_SPACE cs,
                          const unsigned char *px) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  struct jpeg_compress_struct c;
  struct jpeg_error_mgr e;
  c.err = jpeg_std_error(&e);
  jpeg_create_compress(&c);
  jpeg_stdio_dest(&c, f);
  c.image_width = (JDIMENSION)w;
  c.image_height = (JDIMENSION)h;
  c.input_components = comps;
  c.in_color_space = cs;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, 95, TRUE);
  jpeg_start_compress(&c, TRUE);
  while (c.next_scanline < c.image_height) {
    JSAMPROW r = (JSAMPROW)(px + (size_t)c.next_scanline * (size_t)w * (size_t)comps);
    jpeg_write_scanlines(&c, &r, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
  return fclose(f) == 0 ? 0 : -1;
}

static void test_jpeg_formats(void) {
  char p[512], err[512];
  img_rgb im = {0};
  enum { W = 16, H = 8 };
  unsigned char g[W * H], k[W * H * 4];
  for (int i = 0; i < W * H; i++) g[i] = (unsigned char)(100 + (i % W) * 3);
  memset(k, 128, sizeof k);
  tpath(p, sizeof p, "gray.jpg");
  CHECK(write_jpeg_raw(p, W, H, 1, JCS_GRAYSCALE, g) == 0, "write gray jpeg");
  CHECK(img_load(p, &im, err, sizeof err) == 0, "load gray jpeg: %s", err);
  if (im.rgb) {
    int ok = im.width == W && im.height == H;
    for (int i = 0; ok && i < W * H; i++) {
      int d = (int)im.rgb[3 * i] - g[i];
      if (d < -3 || d > 3 || im.rgb[3 * i + 1] != im.rgb[3 * i] || im.rgb[3 * i + 2] != im.rgb[3 * i]) ok = 0;
    }
    CHECK(ok, "gray JPEG decoded wrongly");
  }
  img_free(&im);
  tpath(p, sizeof p, "cmyk.jpg");
  CHECK(write_jpeg_raw(p, W, H, 4, JCS_CMYK, k) == 0, "write cmyk jpeg");
  expect_load_fail(p, "CMYK");
}

static void test_data_files(void) {
  char p[512], err[512];
  img_rgb im = {0};
  dpath(p, sizeof p, "astronaut.png");
  CHECK(img_load(p, &im, err, sizeof err) == 0, "%s", err);
  CHECK(im.width == 512 && im.height == 512, "astronaut %dx%d", im.width, im.height);
  img_free(&im);
  dpath(p, sizeof p, "camera.png");
  CHECK(img_load(p, &im, err, sizeof err) == 0, "%s", err);
  CHECK(im.width == 512 && im.height == 512, "camera %dx%d", im.width, im.height);
  if (im.rgb) CHECK(im.rgb[3000] == im.rgb[3001] && im.rgb[3001] == im.rgb[3002], "camera not gray");
  img_free(&im);
  dpath(p, sizeof p, "grace_hopper.jpg");
  CHECK(img_load(p, &im, err, sizeof err) == 0, "%s", err);
  CHECK(im.width == 512 && im.height == 600, "grace_hopper %dx%d", im.width, im.height);
  img_free(&im);

  /* magic bytes decide, not the extension */
  size_t n = 0;
  unsigned char *b = read_all(p, &n);
  tpath(p, sizeof p, "really_a_jpeg.png");
  CHECK(b && write_all(p, b, n) == 0, "copy jpeg");
  CHECK(img_load(p, &im, err, sizeof err) == 0 && im.width == 512, "jpeg named .png: %s", err);
  img_free(&im);
  free(b);
}

static void test_corrupt(void) {
  char src[512], p[512];
  size_t n = 0;
  unsigned char *b;

  dpath(src, sizeof src, "astronaut.png");
  b = read_all(src, &n);
  CHECK(b && n > 1000, "read astronaut.png");
  if (b) {
    tpath(p, sizeof p, "trunc.png");
    write_all(p, b, n / 2);
    expect_load_fail(p, "corrupt PNG");
    tpath(p, sizeof p, "trunc_noiend.png"); /* only IEND missing */
    write_all(p, b, n - 12);
    expect_load_fail(p, "corrupt PNG");
    tpath(p, sizeof p, "trunc_hdr.png");
    write_all(p, b, 20);
    expect_load_fail(p, NULL);
    b[n / 2] ^= 0x10; /* inside IDAT */
    tpath(p, sizeof p, "flip.png");
    write_all(p, b, n);
    expect_load_fail(p, "CRC");
    b[n / 2] ^= 0x10;
    b[20] ^= 0x01; /* IHDR height */
    tpath(p, sizeof p, "flip_ihdr.png");
    write_all(p, b, n);
    expect_load_fail(p, "IHDR: CRC error");
    b[20] ^= 0x01;
    /* width 0 / oversized in IHDR */
    b[16] = b[17] = b[18] = b[19] = 0;
    fix_ihdr_crc(b);
    tpath(p, sizeof p, "zero.png");
    write_all(p, b, n);
    expect_load_fail(p, "empty image (0x512)");
    b[17] = 0x01; /* 65536 wide */
    fix_ihdr_crc(b);
    tpath(p, sizeof p, "huge.png");
    write_all(p, b, n);
    expect_load_fail(p, "image too large");
    free(b);
  }

  dpath(src, sizeof src, "grace_hopper.jpg");
  b = read_all(src, &n);
  CHECK(b && n > 1000, "read grace_hopper.jpg");
  if (b) {
    tpath(p, sizeof p, "trunc.jpg");
    write_all(p, b, n / 2);
    expect_load_fail(p, "premature end of data");
    tpath(p, sizeof p, "trunc_noeoi.jpg"); /* only the EOI marker missing */
    write_all(p, b, n - 2);
    expect_load_fail(p, "premature end of data");
    tpath(p, sizeof p, "trunc_hdr.jpg");
    write_all(p, b, 100);
    expect_load_fail(p, "corrupt JPEG");
    tpath(p, sizeof p, "magic_only.jpg");
    write_all(p, b, 3);
    expect_load_fail(p, "corrupt JPEG");
    free(b);
  }

  tpath(p, sizeof p, "notes.txt.png");
  write_all(p, "hello, this is not an image\n", 28);
  expect_load_fail(p, "not a PNG or JPEG file");
  tpath(p, sizeof p, "empty.jpg");
  write_all(p, "", 0);
  expect_load_fail(p, "empty file");
  tpath(p, sizeof p, "does_not_exist.png");
  expect_load_fail(p, "No such file");
  expect_load_fail(tmpdir, NULL); /* a directory */
}

static void test_npy(void) {
  char p[512], err[512];
  enum { H = 3, W = 5 };
  float d[H * W];
  for (int i = 0; i < H * W; i++) d[i] = (float)i * 0.25f - 1.0f;
  tpath(p, sizeof p, "a.npy");
  CHECK(npy_save_f32(p, d, H, W, err, sizeof err) == 0, "npy save: %s", err);
  size_t n = 0;
  unsigned char *b = read_all(p, &n);
  CHECK(b != NULL && n >= 10, "npy read back");
  if (!b || n < 10) {
    free(b);
    return;
  }
  CHECK(!memcmp(b, "\x93NUMPY", 6), "npy magic");
  CHECK(b[6] == 1 && b[7] == 0, "npy version %d.%d", b[6], b[7]);
  size_t hlen = (size_t)b[8] | (size_t)b[9] << 8, off = 10 + hlen;
  CHECK(off % 64 == 0, "npy data offset %zu", off);
  CHECK(n == off + sizeof d, "npy size %zu, expected %zu", n, off + sizeof d);
  if (off <= n) {
    char *hdr = malloc(hlen + 1);
    memcpy(hdr, b + 10, hlen);
    hdr[hlen] = '\0';
    CHECK(strstr(hdr, "'descr': '<f4'") != NULL, "npy descr: %s", hdr);
    CHECK(strstr(hdr, "'fortran_order': False") != NULL, "npy order: %s", hdr);
    CHECK(strstr(hdr, "'shape': (3, 5)") != NULL, "npy shape: %s", hdr);
    CHECK(hdr[0] == '{' && hdr[hlen - 1] == '\n', "npy header framing");
    free(hdr);
  }
  if (n == off + sizeof d) {
    int ok = 1;
    for (int i = 0; i < H * W; i++) {
      const unsigned char *q = b + off + 4 * i;
      unsigned u = (unsigned)q[0] | (unsigned)q[1] << 8 | (unsigned)q[2] << 16 | (unsigned)q[3] << 24;
      float f;
      memcpy(&f, &u, 4);
      if (f != d[i]) ok = 0;
    }
    CHECK(ok, "npy data differs");
  }
  free(b);
}

static void test_atomic_failures(void) {
  char p[512], err[512];
  unsigned char px[12] = {0};
  float f[4] = {0};
  tpath(p, sizeof p, "no_such_dir/out.png");
  CHECK(img_save_png(p, px, 2, 2, 3, err, sizeof err) == -1, "save into missing dir succeeded");
  CHECK(!strncmp(err, p, strlen(p)) && strstr(err, "No such file"), "message: %s", err);
  printf("  expected error: %s\n", err);
  tpath(p, sizeof p, "no_such_dir/out.npy");
  CHECK(npy_save_f32(p, f, 2, 2, err, sizeof err) == -1, "npy into missing dir succeeded");
  CHECK(!strncmp(err, p, strlen(p)), "message: %s", err);
  struct stat st;
  tpath(p, sizeof p, "no_such_dir");
  CHECK(stat(p, &st) != 0, "no_such_dir was created");

  /* rename fails (target is a directory): the written temp file must be removed */
  tpath(p, sizeof p, "a_directory.png");
  CHECK(mkdir(p, 0700) == 0, "mkdir");
  CHECK(img_save_png(p, px, 2, 2, 3, err, sizeof err) == -1, "save over a directory succeeded");
  printf("  expected error: %s\n", err);
  tpath(p, sizeof p, "a_directory.npy");
  CHECK(mkdir(p, 0700) == 0, "mkdir");
  CHECK(npy_save_f32(p, f, 2, 2, err, sizeof err) == -1, "npy over a directory succeeded");
  printf("  expected error: %s\n", err);
  CHECK(count_tmp_leftovers(tmpdir) == 0, "temp files left in %s", tmpdir);
}

static void test_resize(void) {
  img_rgb src = {4, 3, NULL}, dst = {0};
  unsigned char px[4 * 3 * 3];
  for (int i = 0; i < 36; i++) px[i] = (unsigned char)(i * 7);
  src.rgb = px;
  CHECK(img_resize_bilinear_rgb(&src, 4, 3, &dst) == 0 && dst.rgb && !memcmp(dst.rgb, px, 36),
        "identity resize");
  img_free(&dst);
  /* 2x1 -> 4x1 half-pixel: x=0 -> src 0 (clamped), x=1 -> 0.25, x=2 -> 0.75, x=3 -> 1 */
  unsigned char two[6] = {0, 0, 0, 200, 100, 40};
  img_rgb s2 = {2, 1, two};
  CHECK(img_resize_bilinear_rgb(&s2, 4, 1, &dst) == 0, "upscale");
  if (dst.rgb) {
    CHECK(dst.rgb[0] == 0 && dst.rgb[3] == 50 && dst.rgb[6] == 150 && dst.rgb[9] == 200, "upscale values %d %d %d %d",
          dst.rgb[0], dst.rgb[3], dst.rgb[6], dst.rgb[9]);
    CHECK(dst.rgb[4] == 25 && dst.rgb[11] == 40, "upscale values g/b");
  }
  img_free(&dst);
  CHECK(img_resize_bilinear_rgb(&s2, 0, 1, &dst) == -1 && dst.rgb == NULL, "0 width accepted");
}

static void rm_rf_tmpdir(void) {
  DIR *d = opendir(tmpdir);
  if (!d) return;
  struct dirent *e;
  char p[512];
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    tpath(p, sizeof p, e->d_name);
    if (unlink(p) != 0) rmdir(p);
  }
  closedir(d);
  rmdir(tmpdir);
}

int main(int argc, char **argv) {
  if (argc > 1) datadir = argv[1];
  const char *t = getenv("TMPDIR");
  snprintf(tmpdir, sizeof tmpdir, "%s/test_image_io.XXXXXX", t && *t ? t : "/tmp");
  if (!mkdtemp(tmpdir)) {
    fprintf(stderr, "mkdtemp %s: %s\n", tmpdir, strerror(errno));
    return 1;
  }
  test_roundtrip();
  test_png_formats();
  test_size_limit();
  test_jpeg_formats();
  test_data_files();
  test_corrupt();
  test_npy();
  test_atomic_failures();
  test_resize();
  rm_rf_tmpdir();
  printf("%d passed, %d failed\n", n_pass, n_fail);
  return n_fail ? 1 : 0;
}
