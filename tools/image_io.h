/* Image and array file I/O for the pseg command line and tests (libpng + libjpeg).
 *
 * All functions that take (err, errlen) write a one-line message that starts with the
 * path on failure, e.g. "photo.png: not a PNG or JPEG file". err may be NULL.
 * Writers are atomic: they write PATH.tmpXXXXXX in the same directory and rename() it
 * over PATH; on failure no temp file and no partial PATH is left behind. */
#ifndef PSEG_IMAGE_IO_H
#define PSEG_IMAGE_IO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IMG_MAX_DIM 16384 /* largest width or height img_load / img_save_png accept */

typedef struct img_rgb {
  int width, height;
  unsigned char *rgb; /* RGB8, row-major, tightly packed (stride = 3 * width) */
} img_rgb;

/* Loads a PNG or JPEG (chosen by magic bytes, not extension) as RGB8.
 * PNG: any colour type / bit depth; alpha is dropped, 16-bit is scaled to 8-bit, no gamma
 * correction. JPEG: grayscale or YCbCr/RGB; CMYK/YCCK are rejected. A truncated JPEG is an error.
 * Returns 0 on success (free with img_free), -1 on error (*out is zeroed). */
int img_load(const char *path, img_rgb *out, char *err, size_t errlen);
/* The same with a limit on width x height checked from the header, before any pixel is decoded
 * (a device's largest frame: pseg_context_max_frame_pixels); max_pixels 0: none. */
typedef struct img_limit {
  uint64_t max_pixels;
  const char *what; /* named in the message: "llvmpipe (...)" */
} img_limit;
int img_load_limited(const char *path, const img_limit *lim, img_rgb *out, char *err, size_t errlen);
/* The same from memory (name: for the messages); the fuzz target's entry (tests/fuzz). */
int img_load_memory(const void *data, size_t size, const char *name, img_rgb *out, char *err, size_t errlen);
void img_free(img_rgb *img);

/* Writes an 8-bit PNG; channels: 1 gray, 3 RGB, 4 RGBA. Returns 0 or -1. */
int img_save_png(const char *path, const unsigned char *px, int w, int h, int channels, char *err,
                 size_t errlen);

/* Writes a NumPy .npy (v1.0, '<f4', C order, shape (h, w)); data starts at a multiple of 64. */
int npy_save_f32(const char *path, const float *data, int h, int w, char *err, size_t errlen);
/* The same with any shape of rank 1 to 6. */
int npy_save_f32_nd(const char *path, const float *data, const int *shape, int rank, char *err, size_t errlen);

/* CPU bilinear resize with half-pixel centres (no antialiasing), for test preparation.
 * dst->rgb is newly allocated (free with img_free). Returns 0 or -1 (bad arguments / no memory). */
int img_resize_bilinear_rgb(const img_rgb *src, int w, int h, img_rgb *dst);

#ifdef __cplusplus
}
#endif

#endif
