/* Head family: SOFTMAX over channels (stable form, max subtracted). Shader softmax.comp. */
#include "kernels.h"

#include <math.h>
#include <string.h>

void softmax_plan(kshape out, kdispatch *d) {
  memset(d, 0, sizeof *d);
  d->shader = PSEG_SHADER_SOFTMAX;
  d->pc = (pseg_params){.in_h = out.h, .in_w = out.w, .in_c4 = kc4(out.c), .out_h = out.h, .out_w = out.w,
                        .out_c4 = kc4(out.c), .aux0 = out.c};
  d->spec[KR_C4] = kc4(out.c);
  d->groups[0] = (uint32_t)(out.w + 7) / 8;
  d->groups[1] = (uint32_t)(out.h + 7) / 8;
  d->groups[2] = 1;
}

/* GPU tier (gpix.comp KIND 2): one invocation a pixel. */
void softmax_gpu(const kdispatch *d, int batch, kdispatch *g) {
  g->shader = PSEG_SHADER_GPIX;
  memset(g->spec, 0, sizeof g->spec);
  g->spec[KB_C4] = d->spec[KR_C4], g->spec[5] = 2;
  kernel_grid_1d(g, (uint32_t)(((long)d->pc.out_w * d->pc.out_h + 63) / 64), batch);
}

void ref_softmax(const float *in, kshape s, float *out) {
  for (size_t p = 0; p < (size_t)s.h * s.w; p++) {
    const float *x = in + p * s.c;
    double m = -INFINITY, sum = 0;
    for (int c = 0; c < s.c; c++) m = x[c] > m ? x[c] : m;
    for (int c = 0; c < s.c; c++) sum += exp((double)x[c] - m);
    for (int c = 0; c < s.c; c++) out[p * s.c + c] = (float)(exp((double)x[c] - m) / sum);
  }
}
