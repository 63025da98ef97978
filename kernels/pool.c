/* Pooling family: MEAN, the global average over height and width (AVERAGE_POOL_2D over the
 * whole map and MEAN over axes 1, 2 both become this). Shader mean.comp, sums in fp32. */
#include "kernels.h"

#include <string.h>

void mean_plan(const pseg_fmt_layer *l, kshape in, kshape out, kdispatch *d) {
  memset(d, 0, sizeof *d);
  d->shader = PSEG_SHADER_MEAN;
  d->pc = (pseg_params){.in_h = in.h, .in_w = in.w, .in_c4 = kc4(in.c), .out_h = 1, .out_w = 1,
                        .out_c4 = kc4(out.c)};
  d->spec[KR_C4] = kc4(in.c);
  d->spec[KR_ACT] = l->act;
  d->groups[0] = d->groups[1] = 1;
  d->groups[2] = (uint32_t)kc4(out.c);
}

void ref_mean(const float *in, kshape is, int act, float *out) {
  for (int c = 0; c < is.c; c++) {
    double s = 0;
    for (size_t p = 0; p < (size_t)is.h * is.w; p++) s += in[p * is.c + c];
    out[c] = ref_activate((float)(s / ((double)is.h * is.w)), act);
  }
}
