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

/* GPU tier (gpool.comp): a MEAN (LAYERS 0), or a squeeze-excite block planned as se_fc.comp
 * (same constant ids), its pooling spread over up to 64 workgroups a frame (about 512 vec4s
 * each), the last of which runs the block's layers. The split depends on the map alone, not on
 * the batch: the order of the sums, and so every mask, is the same at any batch (the selfie
 * masks move by up to 1e-4 at a few edge pixels when only that order changes). */
void pool_gpu(const kdispatch *d, int batch, kdispatch *g) {
  g->shader = PSEG_SHADER_GPOOL;
  if (d->shader == PSEG_SHADER_MEAN) {
    memset(g->spec, 0, sizeof g->spec);
    g->spec[KS_C4] = d->spec[KR_C4];
    g->spec[KS_ACT] = d->spec[KR_ACT];
    g->spec[KS_LAYERS] = 0;
  }
  const int32_t *sp = g->spec;
  int pre = sp[KS_PRE_IC4], ct = pre ? pre + sp[KS_C4] : sp[KS_C4];
  long nx = (long)d->pc.in_h * d->pc.in_w, nr = pre ? (long)d->pc.aux0 * d->pc.aux1 : 0, n = nx > nr ? nx : nr;
  long nwg = (n * ct + 511) / 512;
  if (nwg < 1) nwg = 1;
  if (nwg > 64) nwg = 64;
  g->groups[0] = (uint32_t)nwg, g->groups[1] = 1, g->groups[2] = (uint32_t)batch;
  g->scratch = (uint32_t)batch * (1 + (uint32_t)nwg * (uint32_t)ct * 4);
}

void ref_mean(const float *in, kshape is, int act, float *out) {
  for (int c = 0; c < is.c; c++) {
    double s = 0;
    for (size_t p = 0; p < (size_t)is.h * is.w; p++) s += in[p * is.c + c];
    out[c] = ref_activate((float)(s / ((double)is.h * is.w)), act);
  }
}
