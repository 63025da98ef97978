/* Model loading: parse and validate a .pseg, pack and upload its weights, plan its layers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

extern const unsigned char pseg_builtin_selfie[], pseg_builtin_selfie_landscape[];
extern const size_t pseg_builtin_selfie_size, pseg_builtin_selfie_landscape_size;

/* The GPU tier, where the context has it, for float models: integer ones run the buffer-weight
 * tier's dispatches (shaders/qnet.comp) on every device for now. */
int pseg_model_gpu_tier(const pseg_model *md) { return pseg_context_gpu_tier(md->ctx) && !md->fmt.n_quant; }

static kshape shape_of(const pseg_fmt_model *m, int32_t t) {
  if (t < 0) return (kshape){0, 0, 0};
  return (kshape){m->tensors[t].h, m->tensors[t].w, m->tensors[t].c};
}

/* The packed weights of a node: each of its weight layers as [weights | bias] in its family's
 * GPU layout (kernels/), one after the other; wls[3], a PRELU folded into wls[0], puts its slopes
 * right after wls[0]'s bias. malloc'ed; *n floats (a multiple of 4). */
size_t pseg_layers_packed_floats(const pseg_fmt_model *m, const int32_t wls[4]) {
  size_t total = 0;
  for (int k = 0; k < 3; k++)
    if (wls[k] >= 0) {
      const pseg_fmt_layer *l = &m->layers[wls[k]];
      if (l->wtype == PSEG_WTYPE_I8 || m->tensors[l->out].quant > 0) { /* an integer layer (kernels/quant.c) */
        total += kernel_qpacked(m, l);
        continue;
      }
      size_t bf, wf = kernel_packed_weights(l, shape_of(m, l->in0), shape_of(m, l->out), &bf);
      total += wf + bf;
    }
  if (wls[3] >= 0) total += prelu_packed(m->tensors[m->layers[wls[3]].in0].c);
  return total;
}

static float *layers_weights(const pseg_model *md, const int32_t wls[4], size_t *n) {
  const pseg_fmt_model *m = &md->fmt;
  size_t total = pseg_layers_packed_floats(m, wls);
  float *blob = calloc(total ? total : 4, sizeof(float));
  if (!blob) return NULL;
  size_t at = 0;
  for (int k = 0; k < 3; k++) {
    if (wls[k] < 0) continue;
    const pseg_fmt_layer *l = &m->layers[wls[k]];
    if (l->wtype == PSEG_WTYPE_I8 || m->tensors[l->out].quant > 0) {
      kernel_qpack(m, l, blob + at);
      at += kernel_qpacked(m, l);
      continue;
    }
    size_t wc, bc, bf, wf = kernel_packed_weights(l, shape_of(m, l->in0), shape_of(m, l->out), &bf);
    float *w = NULL, *b = NULL;
    if (pseg_fmt_weight_count(m, l, &wc, &bc)) {
      w = malloc((wc ? wc : 1) * sizeof(float)), b = malloc((bc ? bc : 1) * sizeof(float));
      if (!w || !b) {
        free(w), free(b), free(blob);
        return NULL;
      }
      pseg_fmt_read_values(m, l->w_off, wc, l->wtype, w);
      if (l->b_off >= 0) pseg_fmt_read_values(m, l->b_off, bc, l->wtype, b);
      kernel_pack(l, shape_of(m, l->in0), shape_of(m, l->out), w, l->b_off >= 0 ? b : NULL, blob + at, blob + at + wf);
    }
    free(w), free(b);
    at += wf + bf;
    if (k == 0 && wls[3] >= 0) { /* the folded PRELU's slopes */
      const pseg_fmt_layer *lp = &m->layers[wls[3]];
      int c = m->tensors[lp->in0].c;
      float *sl = malloc((size_t)c * sizeof(float));
      if (!sl) return free(blob), NULL;
      pseg_fmt_read_values(m, lp->w_off, (size_t)c, lp->wtype, sl);
      prelu_pack(c, sl, blob + at);
      free(sl);
      at += prelu_packed(c);
    }
  }
  *n = total;
  return blob;
}

static float *node_weights(const pseg_model *md, const pseg_node *nd, size_t *n) {
  int32_t wls[4] = {nd->wl, nd->wl2, nd->wl3, nd->prelu};
  return layers_weights(md, wls, n);
}

/* Every node's weights go to the weight buffer (fp16 or fp32, by precision) for the base tier.
 * Weights exact in fp16 and few enough also become specialization constants for the fast tier
 * (WSPEC): 4 halves to a uint64, vec4 k in constant k; a node whose weights do not qualify runs
 * its base dispatch in both tiers. */
static pseg_result upload_weights(pseg_model *md, pseg_plan *pl) {
  pseg_context *ctx = md->ctx;
  int wspec = ctx->wspec && !pl->gpu; /* the GPU tier reads its weights from the buffer */
  size_t es = ctx->precision == PSEG_PRECISION_FP16 ? 2 : 4;
  VkDeviceSize total = 0;
  float **blobs = calloc(pl->n_nodes ? pl->n_nodes : 1, sizeof(float *));
  uint32_t **qbufs = calloc(pl->n_nodes ? pl->n_nodes : 1, sizeof(uint32_t *)); /* integer nodes' (kernel_qbuf) */
  if (!blobs || !qbufs) {
    free(blobs), free(qbufs);
    return gpu_fail(ctx, PSEG_ERROR_OUT_OF_HOST_MEMORY, "out of memory packing weights");
  }
  pseg_result r = PSEG_SUCCESS;
  for (uint32_t i = 0; i < pl->n_nodes && !r; i++) {
    pseg_node *nd = &pl->nodes[i];
    if (nd->wl < 0) continue;
    size_t n = 0;
    if (!(blobs[i] = node_weights(md, nd, &n))) {
      r = gpu_fail(ctx, PSEG_ERROR_OUT_OF_HOST_MEMORY, "out of memory packing weights");
      break;
    }
    nd->w_vec4 = (uint32_t)(n / 4);
    nd->w_off = total;
    nd->w_size = (n * es + 15) & ~(VkDeviceSize)15; /* uniform blocks are read in 16-byte units */
    if (nd->d_base.shader == PSEG_SHADER_QNET) { /* integer layers: int8 weights four to a word */
      const int32_t ql[2] = {nd->wl, nd->wl2};
      size_t words = 0, at = 0, wat = 0;
      for (int k = 0; k < 2; k++)
        if (ql[k] >= 0) {
          const pseg_fmt_layer *l = &md->fmt.layers[ql[k]];
          words += kernel_qbuf(NULL, kernel_qpacked(&md->fmt, l), kernel_qraw(&md->fmt, l), NULL) +
                   (nd->qdot ? kernel_qdot_extra(&md->fmt, l) : 0);
        }
      if (!(qbufs[i] = calloc(words ? words : 4, sizeof(uint32_t)))) {
        r = gpu_fail(ctx, PSEG_ERROR_OUT_OF_HOST_MEMORY, "out of memory packing weights");
        break;
      }
      for (int k = 0; k < 2; k++)
        if (ql[k] >= 0) {
          const pseg_fmt_layer *l = &md->fmt.layers[ql[k]];
          size_t nk = kernel_qpacked(&md->fmt, l);
          size_t nw = kernel_qbuf(blobs[i] + at, nk, kernel_qraw(&md->fmt, l), qbufs[i] + wat);
          if (nd->qdot) kernel_qdot_words(&md->fmt, l, qbufs[i] + wat), nw += kernel_qdot_extra(&md->fmt, l); /* qnet.comp QDOT's words */
          wat += nw, at += nk;
        }
      nd->w_vec4 = (uint32_t)(words / 4);
      nd->w_size = words * sizeof(uint32_t);
    }
    total = gpu_align(ctx, total + nd->w_size);
    /* the planner decided (nd->wspec_fit: exact in fp16, few enough; not the squeeze-excite
     * blocks, whose 1x1 layers run once a frame spread over the workgroup's invocations, which
     * needs weights a loop can index: se_fc.comp) */
    if (!(wspec && nd->wspec_fit && n / 4 <= PSEG_WSPEC_MAX)) {
      nd->d = nd->d_base;
      if (nd->d_base.shader == PSEG_SHADER_QNET && nd->wl2 >= 0) { /* plan_qproj's pair: both dispatched */
        pl->nodes[i - 1].fast_skip = 0;
        memmove(nd->name, nd->name + 3, sizeof nd->name - 3); /* "dw+" */
      }
      if (nd->se_wl >= 0) { /* a squeeze-excite block is computed only by WSPEC convs: unfold it */
        pl->nodes[i - 1].fast_skip = 0; /* the block's own dispatch, just before (plan.c) */
        nd->se_wl = nd->se_wl2 = nd->se_out = -1;
        memmove(nd->name, nd->name + 3, sizeof nd->name - 3); /* "se+" */
      }
      continue;
    }
    if (!(nd->wspec = calloc(n / 4 ? n / 4 : 1, sizeof(uint64_t)))) {
      r = gpu_fail(ctx, PSEG_ERROR_OUT_OF_HOST_MEMORY, "out of memory packing weights");
      break;
    }
    if (nd->d.shader == PSEG_SHADER_QNET) { /* raw biases and scales, then halves (kernels/quant.c) */
      /* a 1x1 conv computing the depthwise conv before it (qnet.comp dw_proj, runtime/plan.c
       * plan_qproj): its own weights (PO4 output vec4s), then the depthwise conv's, packed alike */
      int two = nd->wl2 >= 0;
      size_t n1 = two ? kernel_qpacked(&md->fmt, &md->fmt.layers[nd->wl]) : n, ra = kernel_qraw(&md->fmt, &md->fmt.layers[nd->wl]);
      size_t rb = two ? kernel_qraw(&md->fmt, &md->fmt.layers[nd->wl2]) : 0;
      size_t c1 = kernel_qwspec(blobs[i], n1, ra, NULL);
      size_t c = c1 + (n > n1 ? kernel_qwspec(blobs[i] + n1, n - n1, rb, NULL) : 0);
      uint64_t *ws = realloc(nd->wspec, c * sizeof(uint64_t));
      if (!ws) {
        r = gpu_fail(ctx, PSEG_ERROR_OUT_OF_HOST_MEMORY, "out of memory packing weights");
        break;
      }
      memset(ws, 0, c * sizeof(uint64_t));
      nd->wspec = ws;
      kernel_qwspec(blobs[i], n1, ra, ws);
      if (n > n1) kernel_qwspec(blobs[i] + n1, n - n1, rb, ws + c1);
      nd->n_wspec = (uint32_t)c;
      continue;
    }
    for (size_t k = 0; k < n; k++) nd->wspec[k / 4] |= (uint64_t)pseg_float_to_half(blobs[i][k]) << (16 * (k % 4));
    nd->n_wspec = (uint32_t)(n / 4);
  }
  /* a squeeze-excite block folded into a conv: its two layers, in fp32 whatever the precision
   * (conv.comp reads them as vec4 through binding 7) */
  float **se_blobs = r ? NULL : calloc(pl->n_nodes ? pl->n_nodes : 1, sizeof(float *));
  if (!r && !se_blobs) r = gpu_fail(ctx, PSEG_ERROR_OUT_OF_HOST_MEMORY, "out of memory packing weights");
  for (uint32_t i = 0; i < pl->n_nodes && !r; i++) {
    pseg_node *nd = &pl->nodes[i];
    if (nd->se_wl < 0) continue;
    int32_t wls[4] = {nd->se_wl, nd->se_wl2, -1, -1};
    size_t n = 0;
    if (!(se_blobs[i] = layers_weights(md, wls, &n))) {
      r = gpu_fail(ctx, PSEG_ERROR_OUT_OF_HOST_MEMORY, "out of memory packing weights");
      break;
    }
    nd->se_off = total;
    nd->se_size = n * 4;
    total = gpu_align(ctx, total + nd->se_size);
  }
  uint8_t *host = r ? NULL : calloc(1, total ? total : 16);
  if (!r && !host) r = gpu_fail(ctx, PSEG_ERROR_OUT_OF_HOST_MEMORY, "out of memory packing weights");
  for (uint32_t i = 0; i < pl->n_nodes && !r; i++) {
    const pseg_node *nd = &pl->nodes[i];
    if (!blobs[i]) continue;
    if (qbufs[i]) {
      memcpy(host + nd->w_off, qbufs[i], nd->w_size);
      continue;
    }
    size_t n = (size_t)nd->w_vec4 * 4;
    if (es == 2) {
      uint8_t *dst = host + nd->w_off;
      for (size_t k = 0; k < n; k++) {
        uint16_t h = pseg_float_to_half(blobs[i][k]);
        memcpy(dst + 2 * k, &h, 2);
      }
    } else {
      memcpy(host + nd->w_off, blobs[i], n * 4);
    }
  }
  for (uint32_t i = 0; i < pl->n_nodes && !r; i++)
    if (se_blobs[i]) memcpy(host + pl->nodes[i].se_off, se_blobs[i], pl->nodes[i].se_size);
  if (!r) r = gpu_buffer_create(ctx, total ? total : 16, 0, &pl->weights);
  if (!r) r = gpu_upload(ctx, &pl->weights, 0, host, total ? total : 16);
  free(host);
  for (uint32_t i = 0; i < pl->n_nodes; i++) free(blobs[i]), free(qbufs[i]), free(se_blobs ? se_blobs[i] : NULL);
  free(blobs), free(qbufs), free(se_blobs);
  return r;
}

pseg_result pseg_model_load_memory(pseg_context *ctx, const void *data, size_t size, pseg_model **out) {
  if (!ctx || !out || (!data && size)) return PSEG_ERROR_INVALID_ARGUMENT;
  *out = NULL;
  pseg_model *md = calloc(1, sizeof *md);
  if (!md) return gpu_fail(ctx, PSEG_ERROR_OUT_OF_HOST_MEMORY, "out of memory");
  md->ctx = ctx;
  char why[300];
  if (pseg_fmt_parse(data, size, &md->fmt, why, sizeof why)) {
    free(md);
    return gpu_fail(ctx, PSEG_ERROR_INVALID_MODEL, "%s", why);
  }
  if (md->fmt.n_quant && ctx->precision == PSEG_PRECISION_FP16) { /* issue 15 */
    pseg_fmt_free(&md->fmt);
    free(md);
    return gpu_fail(ctx, PSEG_ERROR_UNSUPPORTED,
                    "an integer (int8) model computes in integers: --precision fp16 / fp16-all does not apply "
                    "(use fp32 or auto)");
  }
  pseg_plan *pl;
  pseg_result r = pseg_model_plan(md, pseg_model_gpu_tier(md), &pl); /* the default plan, now */
  if (r) {
    pseg_model_destroy(md);
    return r;
  }
  *out = md;
  return PSEG_SUCCESS;
}

pseg_result pseg_model_load_file(pseg_context *ctx, const char *path, pseg_model **out) {
  if (!ctx || !path || !out) return PSEG_ERROR_INVALID_ARGUMENT;
  *out = NULL;
  void *buf;
  size_t n;
  char err[400];
  if (pseg_read_file(path, &buf, &n, err, sizeof err)) return gpu_fail(ctx, PSEG_ERROR_IO, "%s", err);
  pseg_result r = pseg_model_load_memory(ctx, buf, n, out);
  free(buf);
  if (r) {
    char msg[sizeof ctx->last_error];
    snprintf(msg, sizeof msg, "%s", ctx->last_error);
    gpu_fail(ctx, r, "%s: %s", path, msg);
  }
  return r;
}

pseg_result pseg_model_load_builtin(pseg_context *ctx, pseg_builtin_model which, pseg_model **out) {
  switch (which) {
  case PSEG_MODEL_SELFIE: return pseg_model_load_memory(ctx, pseg_builtin_selfie, pseg_builtin_selfie_size, out);
  case PSEG_MODEL_SELFIE_LANDSCAPE:
    return pseg_model_load_memory(ctx, pseg_builtin_selfie_landscape, pseg_builtin_selfie_landscape_size, out);
  }
  return gpu_fail(ctx, PSEG_ERROR_INVALID_ARGUMENT, "unknown built-in model %d", (int)which);
}

static void plan_free(pseg_context *ctx, pseg_plan *pl) {
  gpu_buffer_destroy(ctx, &pl->weights);
  for (uint32_t i = 0; pl->nodes && i < pl->n_nodes; i++) free(pl->nodes[i].wspec);
  free(pl->nodes), free(pl->fused);
  memset(pl, 0, sizeof *pl);
}

pseg_result pseg_model_plan(pseg_model *md, int gpu, pseg_plan **out) {
  pseg_plan *pl = &md->plans[gpu ? PSEG_PLAN_GPU : PSEG_PLAN_CPU];
  if (!pl->ready) {
    plan_free(md->ctx, pl);
    pl->gpu = gpu != 0;
    pseg_result r = pseg_plan_model(md, pl);
    if (!r) r = upload_weights(md, pl);
    if (r) {
      plan_free(md->ctx, pl);
      return r;
    }
    pl->ready = 1;
  }
  *out = pl;
  return PSEG_SUCCESS;
}

void pseg_model_destroy(pseg_model *md) {
  if (!md) return;
  if (md->ctx->device) md->ctx->vk.vkDeviceWaitIdle(md->ctx->device);
  for (int k = 0; k < 2; k++) plan_free(md->ctx, &md->plans[k]);
  pseg_fmt_free(&md->fmt);
  free(md);
}

void pseg_model_input_size(const pseg_model *md, int *width, int *height) {
  const pseg_fmt_tensor *t = &md->fmt.tensors[md->fmt.input];
  if (width) *width = t->w;
  if (height) *height = t->h;
}

uint32_t pseg_model_layer_count(const pseg_model *md) {
  uint32_t n = 0;
  const pseg_plan *pl = &md->plans[pseg_model_gpu_tier(md) ? PSEG_PLAN_GPU : PSEG_PLAN_CPU];
  for (uint32_t i = 0; i < pl->n_nodes; i++) n += !pl->nodes[i].fast_skip;
  return n;
}
