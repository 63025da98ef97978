/* Post-processing family: the blurred background of PSEG_BACKGROUND_BLUR, the composite and the
 * temporal smoothing of the mask (shaders blur.comp, composite.comp, smooth.comp; dispatched by
 * runtime/session.c), with their plain-C references. The blur is computed at a
 * reduced size: the frame's F x F blocks averaged, then a Gaussian along x and along y there, and
 * the composite stretches it back with bilinear filtering. At 1280x720 that is 3 dispatches over
 * 183x103 pixels instead of six 43-tap box passes over the whole frame (1.0 s -> a few ms a frame
 * on lavapipe: BENCHMARKS.md). */
#include "kernels.h"

#include <math.h>
#include <stdlib.h>

void blur_params(int w, int h, kblur *p) {
  float sigma = (float)(w > h ? w : h) / 60.0f + 0.5f; /* the former three box passes of radius max/60 */
  if (sigma < 2.5f) sigma = 2.5f;
  int f = (int)(sigma / 3.0f + 0.5f);
  if (f < 1) f = 1;
  if (f > 4) f = (f + 2) / 4 * 4; /* a multiple of 4: blur.comp reads 4 pixels a texel */
  p->f = f;
  p->lw = (w + f - 1) / f, p->lh = (h + f - 1) / f;
  p->sigma = sigma / (float)f;
  p->radius = (int)ceilf(3.0f * p->sigma);
}

static float unorm(uint8_t v) { return (float)v / 255.0f; }
static uint8_t to_unorm(float v) { /* packUnorm4x8 */
  v = v < 0 ? 0 : v > 1 ? 1 : v;
  return (uint8_t)floorf(v * 255.0f + 0.5f);
}

/* The blurred background as blur.comp makes it: RGBA8 frame (w x h, 4 bytes a pixel) -> out,
 * p->lw x p->lh RGBA8 (each pass rounded to 8 bits as the GPU stores it). */
void ref_blur(const uint8_t *rgba, int w, int h, const kblur *p, uint8_t *out) {
  size_t ln = (size_t)p->lw * p->lh;
  uint8_t *a = malloc(ln * 4), *b = malloc(ln * 4);
  if (!a || !b) {
    free(a), free(b);
    return;
  }
  for (int y = 0; y < p->lh; y++)
    for (int x = 0; x < p->lw; x++) {
      int x0 = x * p->f, y0 = y * p->f, x1 = x0 + p->f < w ? x0 + p->f : w, y1 = y0 + p->f < h ? y0 + p->f : h;
      for (int c = 0; c < 4; c++) {
        float s = 0;
        for (int yy = y0; yy < y1; yy++)
          for (int xx = x0; xx < x1; xx++) s += unorm(rgba[((size_t)yy * w + xx) * 4 + c]);
        a[((size_t)y * p->lw + x) * 4 + c] = to_unorm(s / (float)((x1 - x0) * (y1 - y0)));
      }
    }
  float k2 = -0.5f / (p->sigma * p->sigma);
  for (int pass = 0; pass < 2; pass++) {
    const uint8_t *src = pass ? b : a;
    uint8_t *dst = pass ? out : b;
    for (int y = 0; y < p->lh; y++)
      for (int x = 0; x < p->lw; x++)
        for (int c = 0; c < 4; c++) {
          float s = 0, ws = 0;
          for (int k = -p->radius; k <= p->radius; k++) {
            int xx = pass == 0 ? x + k : x, yy = pass == 1 ? y + k : y;
            xx = xx < 0 ? 0 : xx >= p->lw ? p->lw - 1 : xx;
            yy = yy < 0 ? 0 : yy >= p->lh ? p->lh - 1 : yy;
            float wk = expf((float)(k * k) * k2);
            s += wk * unorm(src[((size_t)yy * p->lw + xx) * 4 + c]);
            ws += wk;
          }
          dst[((size_t)y * p->lw + x) * 4 + c] = to_unorm(s / ws);
        }
  }
  free(a), free(b);
}

/* Output index d of n_out stretched from n_in, half-pixel centres (the shaders' rule): its two
 * source indices and the weight of the second. */
static float src_half_pixel(int d, int n_out, int n_in, int *i0, int *i1) {
  float f = ((float)d + 0.5f) * (float)n_in / (float)n_out - 0.5f;
  f = f < 0 ? 0 : f;
  *i0 = (int)f < n_in - 1 ? (int)f : n_in - 1;
  *i1 = *i0 + 1 < n_in ? *i0 + 1 : n_in - 1;
  return f - (float)*i0;
}

/* Background pixel (x, y) of the frame (w x h) stretched from bg (bw x bh RGBA8), bilinear with
 * half-pixel centres, channel c in [0, 1]: composite.comp's sampling. */
float ref_background(const uint8_t *bg, int bw, int bh, int w, int h, int x, int y, int c) {
  int x0, x1, y0, y1;
  float lx = src_half_pixel(x, w, bw, &x0, &x1), ly = src_half_pixel(y, h, bh, &y0, &y1);
#define PX(xx, yy) unorm(bg[((size_t)(yy) * bw + (xx)) * 4 + c])
  float top = PX(x0, y0) + (PX(x1, y0) - PX(x0, y0)) * lx, bot = PX(x0, y1) + (PX(x1, y1) - PX(x0, y1)) * lx;
#undef PX
  return top + (bot - top) * ly;
}

float ref_smooth(float p, float r, float strength) {
  if (r < 0) return p;
  float d = fabsf(p - r), t = (d - PSEG_SMOOTH_D0) / (PSEG_SMOOTH_D1 - PSEG_SMOOTH_D0);
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  float w = (1.0f - strength) + strength * (t * t * (3.0f - 2.0f * t));
  return r + w * (p - r);
}

void guided_params(int w, int h, kguided *p) {
  int m = w < h ? w : h;
  p->s = (int)((double)m / 256.0 + 0.5);
  if (p->s < 1) p->s = 1;
  p->lw = (w + p->s - 1) / p->s, p->lh = (h + p->s - 1) / p->s;
  p->r = 2; /* of the settings measured (README "Better masks"), the one that costs least */
  p->eps = 1e-3f;
}

static float luma8(const uint8_t *px) { /* guided.comp's luma of an RGBA8 pixel */
  return 0.299f * unorm(px[0]) + 0.587f * unorm(px[1]) + 0.114f * unorm(px[2]);
}

/* One box pass (along x: dir 0, y: 1) of n-float pixels, the box clipped at the edges. */
static void box_pass(const float *in, float *out, int w, int h, int n, int r, int dir) {
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      float acc[4] = {0};
      int cnt = 0;
      for (int k = -r; k <= r; k++) {
        int xx = dir == 0 ? x + k : x, yy = dir == 1 ? y + k : y;
        if (xx < 0 || xx >= w || yy < 0 || yy >= h) continue;
        for (int c = 0; c < n; c++) acc[c] += in[((size_t)yy * w + xx) * 4 + c];
        cnt++;
      }
      for (int c = 0; c < 4; c++) out[((size_t)y * w + x) * 4 + c] = c < n ? acc[c] / (float)cnt : 0.0f;
    }
}

void ref_guided(const uint8_t *rgba, const float *p, int w, int h, const kguided *g, float *q) {
  size_t ln = (size_t)g->lw * g->lh;
  float *a = calloc(ln * 4, sizeof(float)), *b = calloc(ln * 4, sizeof(float));
  if (!a || !b) {
    free(a), free(b);
    return;
  }
  for (int y = 0; y < g->lh; y++)
    for (int x = 0; x < g->lw; x++) {
      int xa = x * g->s, ya = y * g->s, xb = xa + g->s < w ? xa + g->s : w, yb = ya + g->s < h ? ya + g->s : h;
      float acc[4] = {0};
      for (int yy = ya; yy < yb; yy++)
        for (int xx = xa; xx < xb; xx++) {
          float i = luma8(rgba + ((size_t)yy * w + xx) * 4), v = p[(size_t)yy * w + xx];
          acc[0] += i, acc[1] += v, acc[2] += i * v, acc[3] += i * i;
        }
      for (int c = 0; c < 4; c++) a[((size_t)y * g->lw + x) * 4 + c] = acc[c] / (float)((xb - xa) * (yb - ya));
    }
  box_pass(a, b, g->lw, g->lh, 4, g->r, 0);
  box_pass(b, a, g->lw, g->lh, 4, g->r, 1);
  for (size_t i = 0; i < ln; i++) {
    float *m = a + 4 * i, k = (m[2] - m[0] * m[1]) / (m[3] - m[0] * m[0] + g->eps);
    m[1] = m[1] - k * m[0], m[0] = k, m[2] = m[3] = 0;
  }
  box_pass(a, b, g->lw, g->lh, 2, g->r, 0);
  box_pass(b, a, g->lw, g->lh, 2, g->r, 1);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      int x0, x1, y0, y1;
      float lx = src_half_pixel(x, w, g->lw, &x0, &x1), ly = src_half_pixel(y, h, g->lh, &y0, &y1), ab[2];
      for (int c = 0; c < 2; c++) {
#define AB(xx, yy) a[((size_t)(yy) * g->lw + (xx)) * 4 + c]
        float top = AB(x0, y0) + (AB(x1, y0) - AB(x0, y0)) * lx, bot = AB(x0, y1) + (AB(x1, y1) - AB(x0, y1)) * lx;
#undef AB
        ab[c] = top + (bot - top) * ly;
      }
      float v = ab[0] * luma8(rgba + ((size_t)y * w + x) * 4) + ab[1];
      q[(size_t)y * w + x] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  free(a), free(b);
}

void cleanup_params(int w, int h, int *s, int *lw, int *lh) {
  int m = w > h ? w : h;
  *s = (m + 255) / 256;
  *lw = (w + *s - 1) / *s, *lh = (h + *s - 1) / *s;
}

static int cl_fill(int *cell, int *stk, int start, int from, int to, int w, int h) {
  int top = 0, n = 0;
  cell[start] = to;
  stk[top++] = start;
  while (top > 0) {
    int i = stk[--top];
    n++;
    int y = i / w, x = i - y * w;
    if (x > 0 && cell[i - 1] == from) cell[i - 1] = to, stk[top++] = i - 1;
    if (x + 1 < w && cell[i + 1] == from) cell[i + 1] = to, stk[top++] = i + 1;
    if (y > 0 && cell[i - w] == from) cell[i - w] = to, stk[top++] = i - w;
    if (y + 1 < h && cell[i + w] == from) cell[i + w] = to, stk[top++] = i + w;
  }
  return n;
}

void ref_cleanup(float *mask, int w, int h) {
  int s, lw, lh;
  cleanup_params(w, h, &s, &lw, &lh);
  int n = lw * lh, *cell = malloc((size_t)n * sizeof(int)), *stk = malloc((size_t)n * sizeof(int));
  if (!cell || !stk) {
    free(cell), free(stk);
    return;
  }
  for (int g = 0; g < n; g++) {
    int y = g / lw, x = g - y * lw, xa = x * s, ya = y * s, xb = xa + s < w ? xa + s : w, yb = ya + s < h ? ya + s : h;
    float acc = 0;
    for (int yy = ya; yy < yb; yy++)
      for (int xx = xa; xx < xb; xx++) acc += mask[(size_t)yy * w + xx];
    cell[g] = acc >= 0.5f * (float)((xb - xa) * (yb - ya)) ? 1 : 0;
  }
  int best = -1, best_n = 0, k = 0;
  for (int i = 0; i < n; i++)
    if (cell[i] == 1) {
      int c = cl_fill(cell, stk, i, 1, -2 - k, lw, lh);
      if (c > best_n) best_n = c, best = -2 - k;
      k++;
    }
  for (int i = 0; i < n; i++) {
    int y = i / lw, x = i - y * lw;
    if ((x == 0 || y == 0 || x == lw - 1 || y == lh - 1) && cell[i] == 0) cl_fill(cell, stk, i, 0, 3, lw, lh);
  }
  for (int i = 0; i < n; i++) {
    int v = cell[i];
    stk[i] = v == best || v == 3 ? 1 : v == 0 ? 2 : 0;
  }
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      int cy = y / s < lh - 1 ? y / s : lh - 1, cx = x / s < lw - 1 ? x / s : lw - 1, c = stk[cy * lw + cx];
      if (c == 0) mask[(size_t)y * w + x] = 0.0f;
      else if (c == 2) mask[(size_t)y * w + x] = 1.0f;
    }
  free(cell), free(stk);
}
