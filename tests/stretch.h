/* The tests' plain pre- and post-processing: pseg's half-pixel bilinear stretch. */
#ifndef PSEG_TEST_STRETCH_H
#define PSEG_TEST_STRETCH_H
#include <math.h>
#include <stddef.h>

/* Half-pixel bilinear stretch with the source coordinate clamped at 0 (pseg's pre- and
 * post-processing), of c-channel float images. */
static inline void stretch(const float *in, int iw, int ih, int c, float *out, int ow, int oh) {
  for (int y = 0; y < oh; y++)
    for (int x = 0; x < ow; x++) {
      double fx = fmax((x + 0.5) * iw / ow - 0.5, 0.0), fy = fmax((y + 0.5) * ih / oh - 0.5, 0.0);
      int x0 = (int)fx < iw - 1 ? (int)fx : iw - 1, y0 = (int)fy < ih - 1 ? (int)fy : ih - 1;
      int x1 = x0 + 1 < iw ? x0 + 1 : iw - 1, y1 = y0 + 1 < ih ? y0 + 1 : ih - 1;
      double lx = fx - x0, ly = fy - y0;
      for (int k = 0; k < c; k++) {
        double t = in[((size_t)y0 * iw + x0) * c + k] * (1 - lx) + in[((size_t)y0 * iw + x1) * c + k] * lx;
        double b = in[((size_t)y1 * iw + x0) * c + k] * (1 - lx) + in[((size_t)y1 * iw + x1) * c + k] * lx;
        out[((size_t)y * ow + x) * c + k] = (float)(t * (1 - ly) + b * ly);
      }
    }
}

#endif
