/* Runtime internals shared by the runtime's files and by the tests (not installed). */
#ifndef PSEG_INTERNAL_H
#define PSEG_INTERNAL_H

#include "format.h"
#include "gpu.h"

/* One dispatch of the network: a layer, or a layer with others fused into it (runtime/plan.c). */
typedef struct pseg_node {
  kdispatch d;            /* the fast tier (weights as specialization constants where they fit) */
  kdispatch d_base;       /* the base tier (weights in a buffer, fewer channels per invocation) */
  int32_t layer;          /* the layer it computes (its output, its name) */
  int32_t in0, in1, out;  /* tensors (bindings X, R, Y); in1: the second input or a residual */
  int32_t gate;           /* binding G: a per-channel gate of in0, or the projection's residual */
  int32_t aux;            /* binding Y2: a second output, or -1 */
  int32_t wl, wl2, wl3;   /* layers whose packed weights (each [weights | bias]) make the node's;
                             wl3: a 1x1 conv computed before a depthwise one (KD_PRE_IC4) */
  int32_t prelu;          /* a PRELU layer folded in (activation PSEG_ACT_PRELU), its slopes after wl's
                             bias, or -1 */
  int32_t se_wl, se_wl2;  /* a squeeze-excite block computed in a conv (KC_SE_R4, fast tier): its */
  int32_t se_out;         /* two layers and its gate tensor; */
  VkDeviceSize se_off, se_size; /* their weights, always fp32, in the weight buffer (binding 7) */
  uint8_t wspec_fit;      /* CPU plan: its weights become specialization constants (exact in fp16,
                             few enough; runtime/plan.c decides, runtime/model.c packs them) */
  uint8_t qdot;           /* an integer conv whose buffer kernels take packed dot products (qnet.comp
                             QDOT: runtime/plan.c decides, runtime/model.c rewrites its words) */
  uint8_t fast_skip;      /* not dispatched in the fast tier (CPU plan) or in the GPU tier (GPU plan):
                             a squeeze-excite block a neighbour computes */
  int32_t gpu_se;         /* GPU plan: the squeeze-excite node this depthwise conv computes (its pool
                             in the epilogue, its layers in the last workgroup: gdwconv.comp), or -1 */
  VkDeviceSize w_off, w_size; /* in the model's weight buffer (not WSPEC) */
  uint32_t w_vec4;            /* vec4s of packed weights */
  uint64_t *wspec;            /* WSPEC: the weights as specialization constants (4 halves each) */
  uint32_t n_wspec;
  char name[48];
} pseg_node;

/* A model's dispatches for one family of kernel tiers: the CPU driver's tiers (base and fast)
 * or the GPU tier (pseg.h). The same fusions, planned once per family: the fast tier's weights
 * may be specialization constants and it may fold a squeeze-excite block into a conv; the GPU
 * tier keeps weights in a buffer and maps each node to a GPU-shaped kernel at session creation
 * (kernels/: kernel_gpu). */
typedef struct pseg_plan {
  int gpu;                 /* 1: the GPU tier's plan */
  int ready;               /* planned and its weights uploaded */
  gpu_buffer weights;
  pseg_node *nodes;        /* the dispatches, in order */
  uint32_t n_nodes;
  uint8_t *fused; /* per tensor: 1 = never written (computed inside a fused dispatch) */
} pseg_plan;

enum { PSEG_PLAN_CPU = 0, PSEG_PLAN_GPU = 1 };

struct pseg_model {
  pseg_context *ctx;
  pseg_fmt_model fmt;
  pseg_plan plans[2]; /* PSEG_PLAN_CPU, PSEG_PLAN_GPU: planned when a session first needs one */
};

/* Turn the model's layers into dispatches, fusing residual adds into the convolutions that
 * produce them and squeeze-excite blocks into two dispatches (runtime/plan.c). */
pseg_result pseg_plan_model(pseg_model *md, pseg_plan *pl);
/* Floats of the packed weights (each [weights | bias], kernels/ layouts) of layers wls (-1: none). */
size_t pseg_layers_packed_floats(const pseg_fmt_model *m, const int32_t wls[4]);

/* The model's plan of that family, planned and uploaded on first use (runtime/model.c). */
pseg_result pseg_model_plan(pseg_model *md, int gpu, pseg_plan **out);

/* Whether sessions of this context run the GPU tier by default: on GPUs (not CPU drivers), or
 * with PSEG_TIER=gpu; PSEG_TIER=base or =fast keep the CPU tiers on a GPU too. */
int pseg_context_gpu_tier(const pseg_context *ctx);
int pseg_model_gpu_tier(const pseg_model *md); /* the GPU tier for this model (integer models: never, for now) */

/* The storage precision of an activation tensor: fp16 only with fp16_all_activations.
 * Measured against TFLite on 14 portraits (README "Precision"): the selfie masks are so sensitive
 * at a few boundary pixels that storing any activations in fp16 (even only the 1x1 squeeze-excite
 * gates) moves some mask pixel by more than 2e-2; fp16 weights with fp32 activations stay
 * within 1e-4. So the fp16 path keeps activations in fp32 unless asked otherwise. */
static inline int pseg_tensor_fp16(const pseg_model *md, uint32_t t) {
  (void)t;
  return md->ctx->precision == PSEG_PRECISION_FP16 && md->ctx->fp16_all;
}

/* A session without pre/post-processing whose tensors are host visible: the input tensor is
 * written directly and any tensor can be read back. Used by the layer tests. */
pseg_result pseg__session_create_raw(pseg_model *model, pseg_session **out);
/* input: NHWC float of the model's input tensor; output (may be NULL): NHWC of the output. */
pseg_result pseg__session_run_raw(pseg_session *s, const float *input, float *output);
/* Read any tensor of the last raw run (NHWC float). */
pseg_result pseg__session_read_tensor(pseg_session *s, uint32_t tensor, float *out);
/* The plan a session runs. */
const pseg_plan *pseg__session_plan(const pseg_session *s);

#endif
