#define _POSIX_C_SOURCE 200809L
/* Image and array file I/O (libpng, libjpeg). See image_io.h. */
#include "image_io.h"
#include "outfile.h"

#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <png.h>
/* jpeglib.h needs stdio.h (and size_t) first */
#include <jpeglib.h>
#include <jerror.h>

/* ------------------------------------------------------------------ helpers */

static void set_err(char *err, size_t errlen, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void set_err(char *err, size_t errlen, const char *fmt, ...) {
  if (!err || !errlen) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
  /* keep it one line */
  for (char *p = err; *p; p++)
    if (*p == '\n' || *p == '\r') *p = ' ';
}

static void clear_err(char *err, size_t errlen) {
  if (err && errlen) err[0] = '\0';
}

/* Atomic writer (tools/outfile.h): a temporary file beside the target, renamed over it on success;
 * never over a special file, through a symbolic link. */
typedef struct atomic_file {
  char *tmp;  /* DIR/.pseg-XXXXXX */
  char *real; /* the file replaced: PATH, or a link's target */
  FILE *f;
} atomic_file;

static int atomic_open(const char *path, atomic_file *af, char *err, size_t errlen) {
  af->tmp = af->real = NULL;
  af->f = NULL;
  if (out_resolve(path, &af->real, err, errlen)) return -1;
  int fd = out_temp(af->real, &af->tmp, err, errlen);
  if (fd < 0) {
    free(af->real);
    af->real = NULL;
    return -1;
  }
  af->f = fdopen(fd, "wb");
  if (!af->f) {
    set_err(err, errlen, "%s: cannot open temporary file: %s", path, strerror(errno));
    close(fd);
    unlink(af->tmp);
    free(af->tmp), free(af->real);
    af->tmp = af->real = NULL;
    return -1;
  }
  return 0;
}

static void atomic_abort(atomic_file *af) {
  if (af->f) fclose(af->f);
  if (af->tmp) {
    unlink(af->tmp);
    free(af->tmp);
  }
  free(af->real);
  af->f = NULL;
  af->tmp = af->real = NULL;
}

static int atomic_commit(const char *path, atomic_file *af, char *err, size_t errlen) {
  FILE *f = af->f;
  af->f = NULL;
  int bad = fflush(f) != 0 || ferror(f);
  int e = errno;
  if (!bad && fsync(fileno(f)) != 0 && errno != EINVAL && errno != EROFS) {
    bad = 1;
    e = errno;
  }
  if (fclose(f) != 0 && !bad) {
    bad = 1;
    e = errno;
  }
  if (bad) {
    set_err(err, errlen, "%s: write error: %s", path, strerror(e ? e : EIO));
    atomic_abort(af);
    return -1;
  }
  if (rename(af->tmp, af->real) != 0) {
    set_err(err, errlen, "%s: cannot replace file: %s", path, strerror(errno));
    atomic_abort(af);
    return -1;
  }
  free(af->tmp), free(af->real);
  af->tmp = af->real = NULL;
  return 0;
}

static int check_dims(const char *path, unsigned long w, unsigned long h, const img_limit *lim, char *err,
                      size_t errlen) {
  if (w == 0 || h == 0) {
    set_err(err, errlen, "%s: empty image (%lux%lu)", path, w, h);
    return -1;
  }
  if (w > IMG_MAX_DIM || h > IMG_MAX_DIM) {
    set_err(err, errlen, "%s: image too large (%lux%lu, limit %dx%d)", path, w, h, IMG_MAX_DIM,
            IMG_MAX_DIM);
    return -1;
  }
  if (lim && lim->max_pixels && (uint64_t)w * h > lim->max_pixels) {
    set_err(err, errlen, "%s: image too large for %s (%lux%lu = %llu pixels; it takes at most %llu a frame): downscale it",
            path, lim->what ? lim->what : "the device", w, h, (unsigned long long)w * h,
            (unsigned long long)lim->max_pixels);
    return -1;
  }
  return 0;
}

/* ------------------------------------------------------------------ PNG read */

typedef struct png_ctx {
  FILE *f;
  int io_errno;   /* read() failure (not EOF) */
  char msg[256];  /* libpng's error message */
} png_ctx;

static void png_err_fn(png_structp png, png_const_charp msg) {
  png_ctx *c = (png_ctx *)png_get_error_ptr(png);
  if (c) snprintf(c->msg, sizeof c->msg, "%s", msg ? msg : "unknown error");
  png_longjmp(png, 1);
}

static void png_warn_fn(png_structp png, png_const_charp msg) {
  (void)png;
  (void)msg;
}

static void png_read_fn(png_structp png, png_bytep data, size_t len) {
  png_ctx *c = (png_ctx *)png_get_io_ptr(png);
  size_t got = fread(data, 1, len, c->f);
  if (got != len) {
    if (ferror(c->f)) {
      c->io_errno = errno ? errno : EIO;
      png_error(png, "read error");
    }
    png_error(png, "premature end of data");
  }
}

static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static uint32_t crc32_png(const unsigned char *p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return c ^ 0xFFFFFFFFu;
}

static int load_png(const char *path, FILE *f, const img_limit *lim, img_rgb *out, char *err, size_t errlen) {
  /* Look at an intact IHDR ourselves first so that 0 and oversized dimensions get a clear
   * message (libpng would say "Image width is zero in IHDR" etc.). A damaged IHDR is left to
   * libpng, which reports "IHDR: CRC error". */
  unsigned char hdr[33];
  size_t got = fread(hdr, 1, sizeof hdr, f);
  if (got == sizeof hdr && be32(hdr + 8) == 13 && !memcmp(hdr + 12, "IHDR", 4) &&
      crc32_png(hdr + 12, 17) == be32(hdr + 29)) {
    if (check_dims(path, be32(hdr + 16), be32(hdr + 20), lim, err, errlen)) return -1;
  }
  rewind(f);

  png_ctx ctx;
  memset(&ctx, 0, sizeof ctx);
  ctx.f = f;
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &ctx, png_err_fn, png_warn_fn);
  if (!png) {
    set_err(err, errlen, "%s: out of memory", path);
    return -1;
  }
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_read_struct(&png, NULL, NULL);
    set_err(err, errlen, "%s: out of memory", path);
    return -1;
  }
  /* modified after setjmp: must be volatile */
  unsigned char *volatile pix = NULL;
  png_bytep *volatile rows = NULL;

  if (setjmp(png_jmpbuf(png))) {
    if (ctx.io_errno)
      set_err(err, errlen, "%s: read error: %s", path, strerror(ctx.io_errno));
    else
      set_err(err, errlen, "%s: corrupt PNG: %s", path, ctx.msg);
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    free(pix);
    return -1;
  }
  png_set_read_fn(png, &ctx, png_read_fn);
  png_read_info(png, info);

  png_uint_32 w = 0, h = 0;
  int bit_depth = 0, color_type = 0, interlace = 0;
  png_get_IHDR(png, info, &w, &h, &bit_depth, &color_type, &interlace, NULL, NULL);
  if (check_dims(path, w, h, lim, err, errlen)) {
    png_destroy_read_struct(&png, &info, NULL);
    return -1;
  }
  /* -> RGB8: palette -> RGB, gray < 8 bit -> 8 bit, 16 -> 8 bit, drop alpha, gray -> RGB. A
   * palette's transparency (tRNS) becomes an alpha channel on expansion: dropped like any other. */
  if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color_type == PNG_COLOR_TYPE_PALETTE && png_get_valid(png, info, PNG_INFO_tRNS)) png_set_strip_alpha(png);
  if ((color_type & PNG_COLOR_MASK_COLOR) == 0 && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (bit_depth == 16) {
#ifdef PNG_READ_SCALE_16_TO_8_SUPPORTED
    png_set_scale_16(png);
#else
    png_set_strip_16(png);
#endif
  }
  if (color_type & PNG_COLOR_MASK_ALPHA) png_set_strip_alpha(png);
  if ((color_type & PNG_COLOR_MASK_COLOR) == 0) png_set_gray_to_rgb(png);
  (void)png_set_interlace_handling(png);
  png_read_update_info(png, info);

  size_t stride = (size_t)w * 3;
  if (png_get_rowbytes(png, info) != stride || png_get_channels(png, info) != 3 ||
      png_get_bit_depth(png, info) != 8) {
    set_err(err, errlen, "%s: unsupported PNG format (colour type %d, bit depth %d)", path, color_type,
            bit_depth);
    png_destroy_read_struct(&png, &info, NULL);
    return -1;
  }
  pix = malloc(stride * h);
  rows = malloc(sizeof(png_bytep) * h);
  if (!pix || !rows) {
    set_err(err, errlen, "%s: out of memory (%lux%lu image)", path, (unsigned long)w, (unsigned long)h);
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    free(pix);
    return -1;
  }
  for (png_uint_32 y = 0; y < h; y++) rows[y] = pix + stride * y;
  png_read_image(png, rows);
  png_read_end(png, NULL); /* validates the rest of the stream through IEND */
  png_destroy_read_struct(&png, &info, NULL);
  free(rows);
  out->width = (int)w;
  out->height = (int)h;
  out->rgb = pix;
  return 0;
}

/* ------------------------------------------------------------------ JPEG read */

typedef struct jpg_err_mgr {
  struct jpeg_error_mgr pub;
  jmp_buf jb;
  char msg[JMSG_LENGTH_MAX + 64];
} jpg_err_mgr;

static void jpg_error_exit(j_common_ptr cinfo) {
  jpg_err_mgr *e = (jpg_err_mgr *)cinfo->err;
  char buf[JMSG_LENGTH_MAX];
  buf[0] = '\0';
  if (e->pub.msg_code == JERR_EMPTY_IMAGE) {
    snprintf(e->msg, sizeof e->msg, "empty image");
  } else {
    (*cinfo->err->format_message)(cinfo, buf);
    snprintf(e->msg, sizeof e->msg, "corrupt JPEG: %s", buf);
  }
  longjmp(e->jb, 1);
}

static void jpg_output_message(j_common_ptr cinfo) { (void)cinfo; }

static void jpg_emit_message(j_common_ptr cinfo, int msg_level) {
  jpg_err_mgr *e = (jpg_err_mgr *)cinfo->err;
  if (msg_level < 0) {
    /* A truncated file: libjpeg pads with a fake EOI and goes on (grey rest of the image).
     * We treat it as an error. Other corrupt-data warnings are counted and ignored. */
    if (e->pub.msg_code == JWRN_JPEG_EOF) {
      snprintf(e->msg, sizeof e->msg, "corrupt JPEG: premature end of data (file truncated)");
      longjmp(e->jb, 1);
    }
    e->pub.num_warnings++;
  }
}

static int load_jpeg(const char *path, FILE *f, const img_limit *lim, img_rgb *out, char *err, size_t errlen) {
  struct jpeg_decompress_struct cinfo;
  jpg_err_mgr jerr;
  memset(&cinfo, 0, sizeof cinfo);
  memset(&jerr, 0, sizeof jerr);
  cinfo.err = jpeg_std_error(&jerr.pub);
  jerr.pub.error_exit = jpg_error_exit;
  jerr.pub.output_message = jpg_output_message;
  jerr.pub.emit_message = jpg_emit_message;
  unsigned char *volatile pix = NULL;
  unsigned char *volatile line = NULL;

  if (setjmp(jerr.jb)) {
    if (!strcmp(jerr.msg, "empty image"))
      set_err(err, errlen, "%s: empty image (%ux%u)", path, (unsigned)cinfo.image_width,
              (unsigned)cinfo.image_height);
    else
      set_err(err, errlen, "%s: %s", path, jerr.msg);
    jpeg_destroy_decompress(&cinfo);
    free(pix);
    free(line);
    return -1;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_stdio_src(&cinfo, f);
  jpeg_read_header(&cinfo, TRUE);
  if (check_dims(path, cinfo.image_width, cinfo.image_height, lim, err, errlen)) {
    jpeg_destroy_decompress(&cinfo);
    return -1;
  }
  int gray = 0;
  switch (cinfo.jpeg_color_space) {
  case JCS_GRAYSCALE:
    cinfo.out_color_space = JCS_GRAYSCALE;
    gray = 1;
    break;
  case JCS_YCbCr:
  case JCS_RGB:
    cinfo.out_color_space = JCS_RGB;
    break;
  case JCS_CMYK:
  case JCS_YCCK:
    set_err(err, errlen, "%s: CMYK JPEG is not supported (convert it to RGB first)", path);
    jpeg_destroy_decompress(&cinfo);
    return -1;
  default:
    set_err(err, errlen, "%s: unsupported JPEG colour space (%d components)", path,
            cinfo.num_components);
    jpeg_destroy_decompress(&cinfo);
    return -1;
  }
  jpeg_start_decompress(&cinfo);
  int ncomp = gray ? 1 : 3;
  if (cinfo.output_components != ncomp || cinfo.output_width != cinfo.image_width ||
      cinfo.output_height != cinfo.image_height) {
    set_err(err, errlen, "%s: unsupported JPEG output format", path);
    jpeg_destroy_decompress(&cinfo);
    return -1;
  }
  size_t w = cinfo.output_width, h = cinfo.output_height, stride = w * 3;
  pix = malloc(stride * h);
  if (gray) line = malloc(w);
  if (!pix || (gray && !line)) {
    set_err(err, errlen, "%s: out of memory (%zux%zu image)", path, w, h);
    jpeg_destroy_decompress(&cinfo);
    free(pix);
    free(line);
    return -1;
  }
  while (cinfo.output_scanline < cinfo.output_height) {
    size_t y = cinfo.output_scanline;
    JSAMPROW row = gray ? (JSAMPROW)line : (JSAMPROW)(pix + stride * y);
    if (jpeg_read_scanlines(&cinfo, &row, 1) != 1) {
      set_err(err, errlen, "%s: corrupt JPEG: premature end of data", path);
      jpeg_destroy_decompress(&cinfo);
      free(pix);
      free(line);
      return -1;
    }
    if (gray) {
      unsigned char *d = pix + stride * y;
      for (size_t x = 0; x < w; x++) d[3 * x] = d[3 * x + 1] = d[3 * x + 2] = line[x];
    }
  }
  jpeg_finish_decompress(&cinfo); /* reads through EOI: a file cut after the scan data fails here */
  jpeg_destroy_decompress(&cinfo);
  free(line);
  out->width = (int)w;
  out->height = (int)h;
  out->rgb = pix;
  return 0;
}

/* ------------------------------------------------------------------ public */

int img_load(const char *path, img_rgb *out, char *err, size_t errlen) { return img_load_limited(path, NULL, out, err, errlen); }

static int load_stream(const char *path, FILE *f, const img_limit *lim, img_rgb *out, char *err, size_t errlen);

int img_load_memory(const void *data, size_t size, const char *name, img_rgb *out, char *err, size_t errlen) {
  clear_err(err, errlen);
  if (!out) return set_err(err, errlen, "%s: no output image", name), -1;
  out->width = out->height = 0;
  out->rgb = NULL;
  if (!size) return set_err(err, errlen, "%s: empty file (not a PNG or JPEG file)", name), -1;
  FILE *f = fmemopen((void *)data, size, "rb");
  if (!f) return set_err(err, errlen, "%s: %s", name, strerror(errno)), -1;
  return load_stream(name, f, NULL, out, err, errlen);
}

int img_load_limited(const char *path, const img_limit *lim, img_rgb *out, char *err, size_t errlen) {
  clear_err(err, errlen);
  if (!out) {
    set_err(err, errlen, "%s: no output image", path ? path : "(null)");
    return -1;
  }
  out->width = out->height = 0;
  out->rgb = NULL;
  if (!path) {
    set_err(err, errlen, "(null): no path given");
    return -1;
  }
  FILE *f = fopen(path, "rb");
  if (!f) {
    set_err(err, errlen, "%s: %s", path, strerror(errno));
    return -1;
  }
  return load_stream(path, f, lim, out, err, errlen);
}

/* Decode f (closed here). */
static int load_stream(const char *path, FILE *f, const img_limit *lim, img_rgb *out, char *err, size_t errlen) {
  unsigned char magic[8];
  errno = 0;
  size_t n = fread(magic, 1, sizeof magic, f);
  if (n < sizeof magic && ferror(f)) {
    set_err(err, errlen, "%s: read error: %s", path, strerror(errno ? errno : EIO));
    fclose(f);
    return -1;
  }
  int rc;
  if (n == 0) {
    set_err(err, errlen, "%s: empty file (not a PNG or JPEG file)", path);
    rc = -1;
  } else if (n == 8 && !png_sig_cmp(magic, 0, 8)) {
    rewind(f);
    rc = load_png(path, f, lim, out, err, errlen);
  } else if (n >= 3 && magic[0] == 0xFF && magic[1] == 0xD8 && magic[2] == 0xFF) {
    rewind(f);
    rc = load_jpeg(path, f, lim, out, err, errlen);
  } else {
    set_err(err, errlen, "%s: not a PNG or JPEG file", path);
    rc = -1;
  }
  fclose(f);
  if (rc) {
    out->width = out->height = 0;
    out->rgb = NULL;
  }
  return rc;
}

void img_free(img_rgb *img) {
  if (!img) return;
  free(img->rgb);
  img->rgb = NULL;
  img->width = img->height = 0;
}

/* ------------------------------------------------------------------ PNG write */

int img_save_png(const char *path, const unsigned char *px, int w, int h, int channels, char *err,
                 size_t errlen) {
  clear_err(err, errlen);
  if (!path) {
    set_err(err, errlen, "(null): no path given");
    return -1;
  }
  if (!px || w <= 0 || h <= 0 || w > IMG_MAX_DIM || h > IMG_MAX_DIM) {
    set_err(err, errlen, "%s: cannot write a %dx%d image (size must be 1..%d)", path, w, h, IMG_MAX_DIM);
    return -1;
  }
  int ctype;
  switch (channels) {
  case 1: ctype = PNG_COLOR_TYPE_GRAY; break;
  case 3: ctype = PNG_COLOR_TYPE_RGB; break;
  case 4: ctype = PNG_COLOR_TYPE_RGB_ALPHA; break;
  default:
    set_err(err, errlen, "%s: cannot write %d channels (1, 3 or 4)", path, channels);
    return -1;
  }
  atomic_file af;
  if (atomic_open(path, &af, err, errlen)) return -1;

  png_ctx ctx;
  memset(&ctx, 0, sizeof ctx);
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &ctx, png_err_fn, png_warn_fn);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  if (!png || !info) {
    png_destroy_write_struct(&png, &info);
    atomic_abort(&af);
    set_err(err, errlen, "%s: out of memory", path);
    return -1;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    atomic_abort(&af);
    set_err(err, errlen, "%s: PNG write failed: %s", path, ctx.msg);
    return -1;
  }
  png_init_io(png, af.f);
  png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, ctype, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  size_t stride = (size_t)w * (size_t)channels;
  for (int y = 0; y < h; y++) png_write_row(png, px + stride * (size_t)y);
  png_write_end(png, NULL);
  png_destroy_write_struct(&png, &info);
  return atomic_commit(path, &af, err, errlen);
}

/* ------------------------------------------------------------------ .npy write */

int npy_save_f32(const char *path, const float *data, int h, int w, char *err, size_t errlen) {
  const int shape[2] = {h, w};
  return npy_save_f32_nd(path, data, shape, 2, err, errlen);
}

int npy_save_f32_nd(const char *path, const float *data, const int *shape, int rank, char *err, size_t errlen) {
  clear_err(err, errlen);
  if (!path) {
    set_err(err, errlen, "(null): no path given");
    return -1;
  }
  if (!data || !shape || rank < 1 || rank > 6) {
    set_err(err, errlen, "%s: cannot write an array of rank %d", path, rank);
    return -1;
  }
  size_t n = 1;
  char dims[96] = "";
  for (int k = 0; k < rank; k++) {
    if (shape[k] <= 0) {
      set_err(err, errlen, "%s: cannot write an array with a dimension %d", path, shape[k]);
      return -1;
    }
    n *= (size_t)shape[k];
    snprintf(dims + strlen(dims), sizeof dims - strlen(dims), k ? ", %d" : "%d", shape[k]);
  }
  if (rank == 1) strcat(dims, ","); /* Python's one-element tuple */
  char dict[160];
  int dl = snprintf(dict, sizeof dict, "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }", dims);
  if (dl < 0 || (size_t)dl >= sizeof dict) {
    set_err(err, errlen, "%s: internal error formatting .npy header", path);
    return -1;
  }
  /* magic(6) + version(2) + header_len(2) + dict + spaces + '\n', total % 64 == 0 */
  size_t total = 10 + (size_t)dl + 1;
  total = (total + 63) / 64 * 64;
  size_t hlen = total - 10;
  unsigned char header[256];
  memcpy(header, "\x93NUMPY", 6);
  header[6] = 1;
  header[7] = 0;
  header[8] = (unsigned char)(hlen & 0xFF);
  header[9] = (unsigned char)(hlen >> 8);
  memcpy(header + 10, dict, (size_t)dl);
  memset(header + 10 + dl, ' ', hlen - (size_t)dl - 1);
  header[total - 1] = '\n';

  atomic_file af;
  if (atomic_open(path, &af, err, errlen)) return -1;
  int ok = fwrite(header, 1, total, af.f) == total;
  const uint32_t one = 1;
  int little = *(const unsigned char *)&one == 1;
  if (ok && little) {
    ok = fwrite(data, sizeof(float), n, af.f) == n;
  } else if (ok) {
    for (size_t i = 0; i < n && ok; i++) {
      uint32_t u;
      memcpy(&u, &data[i], 4);
      unsigned char b[4] = {(unsigned char)u, (unsigned char)(u >> 8), (unsigned char)(u >> 16),
                            (unsigned char)(u >> 24)};
      ok = fwrite(b, 1, 4, af.f) == 4;
    }
  }
  if (!ok) {
    set_err(err, errlen, "%s: write error: %s", path, strerror(errno ? errno : EIO));
    atomic_abort(&af);
    return -1;
  }
  return atomic_commit(path, &af, err, errlen);
}

/* ------------------------------------------------------------------ resize */

int img_resize_bilinear_rgb(const img_rgb *src, int w, int h, img_rgb *dst) {
  if (!dst) return -1;
  dst->width = dst->height = 0;
  dst->rgb = NULL;
  if (!src || !src->rgb || src->width <= 0 || src->height <= 0 || w <= 0 || h <= 0 ||
      w > IMG_MAX_DIM || h > IMG_MAX_DIM)
    return -1;
  unsigned char *o = malloc((size_t)w * (size_t)h * 3);
  if (!o) return -1;
  const int sw = src->width, sh = src->height;
  const double scx = (double)sw / w, scy = (double)sh / h;
  const size_t sstride = (size_t)sw * 3;
  for (int y = 0; y < h; y++) {
    double fy = (y + 0.5) * scy - 0.5;
    if (fy < 0) fy = 0;
    if (fy > sh - 1) fy = sh - 1;
    int y0 = (int)fy, y1 = y0 + 1 < sh ? y0 + 1 : sh - 1;
    double wy = fy - y0;
    const unsigned char *r0 = src->rgb + sstride * (size_t)y0, *r1 = src->rgb + sstride * (size_t)y1;
    unsigned char *d = o + (size_t)y * (size_t)w * 3;
    for (int x = 0; x < w; x++) {
      double fx = (x + 0.5) * scx - 0.5;
      if (fx < 0) fx = 0;
      if (fx > sw - 1) fx = sw - 1;
      int x0 = (int)fx, x1 = x0 + 1 < sw ? x0 + 1 : sw - 1;
      double wx = fx - x0;
      for (int c = 0; c < 3; c++) {
        double top = r0[3 * x0 + c] + (r0[3 * x1 + c] - r0[3 * x0 + c]) * wx;
        double bot = r1[3 * x0 + c] + (r1[3 * x1 + c] - r1[3 * x0 + c]) * wx;
        double v = top + (bot - top) * wy;
        int iv = (int)floor(v + 0.5);
        d[3 * x + c] = (unsigned char)(iv < 0 ? 0 : iv > 255 ? 255 : iv);
      }
    }
  }
  dst->width = w;
  dst->height = h;
  dst->rgb = o;
  return 0;
}
