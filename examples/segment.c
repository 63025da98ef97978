/* The README's C example as a program: a photo in, its person mask and a composite with the
 * background blurred out. Built against an installed libpseg (examples/README.md):
 *
 *   segment PHOTO.png MASK.png COMPOSITE.png
 *
 * PNG in and out through libpng's simplified API; pseg does the rest on the first Vulkan device. */
#include <png.h>
#include <pseg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s PHOTO.png MASK.png COMPOSITE.png\n", argv[0]);
    return 2;
  }
  png_image img;
  memset(&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&img, argv[1])) {
    fprintf(stderr, "%s: %s\n", argv[1], img.message);
    return 1;
  }
  img.format = PNG_FORMAT_RGBA;
  int w = (int)img.width, h = (int)img.height;
  uint8_t *pixels = malloc((size_t)w * h * 4), *composite = malloc((size_t)w * h * 4), *grey = malloc((size_t)w * h);
  float *mask = malloc((size_t)w * h * sizeof(float));
  if (!pixels || !composite || !grey || !mask || !png_image_finish_read(&img, NULL, pixels, 0, NULL)) {
    fprintf(stderr, "%s: %s\n", argv[1], pixels ? img.message : "out of memory");
    return 1;
  }

  pseg_context *ctx;
  pseg_model *model;
  pseg_session *s;
  char err[256];
  pseg_context_create_info ci = {.device_index = -1, .precision = PSEG_PRECISION_AUTO};
  if (pseg_context_create(&ci, &ctx, err, sizeof err)) {
    fprintf(stderr, "%s\n", err);
    return 1;
  }
  int rc = 1;
  if (pseg_model_load_builtin(ctx, PSEG_MODEL_SELFIE, &model)) {
    fprintf(stderr, "%s\n", pseg_context_last_error(ctx));
  } else {
    pseg_session_create_info si = {.width = w, .height = h, .background = PSEG_BACKGROUND_BLUR};
    if (pseg_session_create(model, &si, &s)) { /* buffers, pipelines, ONE command buffer: recorded here */
      fprintf(stderr, "%s\n", pseg_context_last_error(ctx));
    } else {
      pseg_image frame = {w, h, PSEG_PIXEL_RGBA8, 0, pixels};
      if (pseg_session_run(s, &frame, mask, composite)) { /* one vkQueueSubmit, nothing allocated */
        fprintf(stderr, "%s\n", pseg_context_last_error(ctx));
      } else {
        double person = 0;
        for (size_t i = 0; i < (size_t)w * h; i++) {
          grey[i] = (uint8_t)(mask[i] * 255.0f + 0.5f);
          person += mask[i] >= 0.5f;
        }
        png_image out;
        memset(&out, 0, sizeof out);
        out.version = PNG_IMAGE_VERSION, out.width = (png_uint_32)w, out.height = (png_uint_32)h;
        out.format = PNG_FORMAT_GRAY;
        int ok = png_image_write_to_file(&out, argv[2], 0, grey, 0, NULL);
        out.format = PNG_FORMAT_RGBA;
        ok = ok && png_image_write_to_file(&out, argv[3], 0, composite, 0, NULL);
        if (!ok) {
          fprintf(stderr, "writing %s, %s: %s\n", argv[2], argv[3], out.message);
        } else {
          printf("libpseg %s on %s: %dx%d, %.1f %% person -> %s, %s\n", pseg_version(),
                 pseg_context_device(ctx)->name, w, h, 100.0 * person / ((double)w * h), argv[2], argv[3]);
          rc = 0;
        }
      }
      pseg_session_destroy(s);
    }
    pseg_model_destroy(model);
  }
  pseg_context_destroy(ctx);
  free(pixels), free(composite), free(grey), free(mask);
  return rc;
}
