/* Sessions: everything for one input size is created and recorded once; a frame is one submit. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>
#include <unistd.h>

#include "internal.h"

/* Buffers each slot (a frame, or batch, in flight) has of its own. */
enum { SB_NONE = 0, SB_IMG, SB_MASK, SB_COMP };

typedef struct binding {
  const gpu_buffer *buf;
  VkDeviceSize off, range;
  VkFormat format; /* texel bindings (layer inputs): RGBA32F, RGBA16F, or RGBA8 for the frame */
  int sbuf;        /* SB_*: the slot's frames, masks or composites (buf is then NULL) */
} binding;

/* A dispatch in one tier (pseg.h: base and fast kernels). */
typedef struct kernel {
  pseg_params pc;
  int32_t spec[PSEG_MAX_SPEC];
  const uint64_t *wspec; /* weight constants (the model's), WSPEC variant */
  uint32_t n_wspec;
  unsigned variant; /* PSEG_VARIANT_* bits */
  uint32_t groups[3];
  int skip; /* not dispatched in this tier (a squeeze-excite block the next conv computes) */
} kernel;

typedef struct step {
  pseg_shader shader;
  kernel k[2]; /* base, fast (the same for pre/post-processing) */
  binding b[PSEG_NET_BINDINGS];
  /* for the profiler */
  int layer;
  char name[48];
  int oh, ow, oc;
  double flops, bytes;
} step;

/* A frame (or batch) in flight: submitted, its mask not yet collected (pseg_session_submit). The
 * activations are shared: the GPU runs the slots' command buffers one after the other. */
typedef struct slot {
  gpu_buffer img, mask, comp; /* the batch's frames (RGBA8), masks (float), composites (RGBA8) */
  gpu_buffer dimg, dmask, dcomp; /* their device-local copies (ctx->staged), what the shaders use */
  VkDescriptorSet *sets;      /* one per step */
  VkCommandBuffer cb[2];      /* base and fast tiers; cb[1] recorded once the fast kernels exist */
  VkFence fence;
  VkQueryPool queries;        /* timestamps: record() says which */
  int busy;                   /* submitted, not yet waited for */
  uint64_t ticket;
  uint32_t count;             /* frames submitted */
  int tier;                   /* the tier submitted */
  double submitted_ms;
} slot;

#define PSEG_MAX_IN_FLIGHT 8

struct pseg_session {
  pseg_context *ctx;
  pseg_model *model;
  pseg_plan *plan; /* the model's plan this session runs (CPU tiers or GPU tier) */
  int gpu;         /* runs the GPU tier (shaders/g*.comp): one tier, kernels shaped by kernel_gpu */
  int batch;       /* frames a submit (grid z of every dispatch) */
  kdispatch *gk;   /* GPU tier: each node's kernel */
  gpu_buffer scratch; /* GPU tier: partial sums and counters of the split reductions (gpool.comp) */
  int width, height, raw;
  int32_t mask_in; /* >= 0: a tensor the mask dispatch reads other than the output (mask.comp UPS) */
  pseg_background background;
  gpu_buffer act, tmp1, tmp2, bgimg, dummy;
  int prior;            /* the model's input is RGB + a prior mask (4 channels) */
  gpu_buffer prior_buf; /* that prior, a float a frame pixel (host-visible): the last frame's mask,
                           copied there at the end of each frame, or pseg_session_set_prior's */
  float smoothing;       /* pseg_session_create_info.smoothing (0: off) */
  int tta;               /* pseg_session_create_info.tta_flip: the network on the frame and its mirror */
  int guided;            /* pseg_session_create_info.guided: the mask refined by a guided filter */
  gpu_buffer gbuf[2];    /* its two reduced-size buffers (vec4 a pixel) */
  int cleanup;           /* pseg_session_create_info.cleanup */
  gpu_buffer cbuf[2];    /* its cells and flood-fill stack (an int a cell) */
  gpu_buffer smooth_buf; /* its running mask, a float a frame pixel; < 0: none yet */
  slot slots[PSEG_MAX_IN_FLIGHT];
  int n_slots;
  uint64_t next_ticket;
  int bg_w, bg_h;
  VkDeviceSize *t_off, *t_size;
  uint8_t *t16; /* per tensor: stored as fp16 */
  uint8_t *t8;  /* per tensor: int8 values packed four to a 32-bit word (qnet.comp PK) */
  step *steps;
  uint32_t n_steps;
  VkDescriptorPool dpool;
  VkBufferView *views; /* texel views of the steps' inputs */
  uint32_t n_views;
  int tier;              /* the tier frames run on now */
  int want_fast;         /* the fast tier differs and is wanted */
  pthread_t builder;     /* builds the fast kernels */
  int builder_running;
  int start_builder;     /* start it after the next frame (so it does not slow the first mask) */
  int fast_built;        /* set by the builder (atomic): 1 built, -1 failed */
  int tier_ran[2];       /* a frame of that tier has finished */
  int cancel;            /* set (atomic) to stop the builder early: the session is going away */
  uint32_t n_queries;
  int profile;
  double *step_us;
  double gpu_ms, gpu_compute_ms;
  double latency_ms; /* the last submit to its wait's return */
  uint64_t io_bytes;
  VkPipeline *tier_pipes[2]; /* the pipelines each recorded tier uses (gpu_pipeline_use counts them) */
  uint32_t n_tier_pipes[2];
};

static binding bind_of(const gpu_buffer *b, VkDeviceSize off, VkDeviceSize range) {
  return (binding){b, off, range, VK_FORMAT_UNDEFINED, SB_NONE};
}
/* The whole of a slot buffer (SB_*), resolved per slot when the descriptor sets are written. */
static binding slot_bind(int which) { return (binding){NULL, 0, VK_WHOLE_SIZE, VK_FORMAT_UNDEFINED, which}; }

/* A layer's buffer weights in a uniform buffer (variant WUBO): where they fit its range. */
static int wubo_ok(const pseg_context *ctx, const pseg_node *nd) {
  return nd->w_size <= ctx->max_ubo_range && !ctx->wstorage;
}

/* Weights too large for the uniform buffer, read through a uniform texel buffer instead of the
 * storage buffer (conv.comp and dwconv.comp variant WTEX: on lavapipe a texel fetch at an index
 * not known to be uniform is a gather, a storage-buffer load a loop over the invocations). */
static int wtex_ok(const pseg_context *ctx, const pseg_node *nd) {
  int s = nd->d.shader;
  return (s == PSEG_SHADER_CONV || s == PSEG_SHADER_DWCONV || s == PSEG_SHADER_QNET) && nd->w_size > ctx->max_ubo_range &&
         (s == PSEG_SHADER_QNET ? nd->w_size / 16 : nd->w_vec4) <= ctx->max_texel_elements && !ctx->wstorage && !ctx->wnotexel;
}

static pseg_result add_step(pseg_session *s, uint32_t *cap, const step *st) {
  if (s->n_steps == *cap) {
    uint32_t nc = *cap ? *cap * 2 : 64;
    step *n = realloc(s->steps, nc * sizeof *n);
    if (!n) return gpu_fail(s->ctx, PSEG_ERROR_OUT_OF_HOST_MEMORY, "out of memory");
    s->steps = n;
    *cap = nc;
  }
  step *n = &s->steps[s->n_steps++];
  *n = *st;
  if (!n->k[1].groups[0]) n->k[1] = n->k[0]; /* pre/post-processing: one kernel for both tiers */
  for (int k = 0; k < PSEG_NET_BINDINGS; k++) /* every binding must be valid: unused ones get a dummy */
    if (!n->b[k].buf && !n->b[k].sbuf) n->b[k] = bind_of(&s->dummy, 0, VK_WHOLE_SIZE);
  return PSEG_SUCCESS;
}

/* Copy a frame into the RGBA8 staging layout (one uint per pixel). Alpha is never read (every
 * shader takes .rgb, or weighs the 4th channel 0), so tightly packed RGBA8 is one memcpy. */
static void pack_rgba(const pseg_image *im, uint32_t *dst) {
  size_t bpp = im->format == PSEG_PIXEL_RGBA8 ? 4 : 3;
  size_t stride = im->stride ? im->stride : (size_t)im->width * bpp;
  if (bpp == 4 && stride == (size_t)im->width * 4) {
    memcpy(dst, im->pixels, stride * (size_t)im->height);
    return;
  }
  for (int y = 0; y < im->height; y++) {
    const uint8_t *row = im->pixels + (size_t)y * stride;
    uint32_t *out = dst + (size_t)y * im->width;
    for (int x = 0; x < im->width; x++, row += bpp)
      out[x] = (uint32_t)row[0] | (uint32_t)row[1] << 8 | (uint32_t)row[2] << 16 | 0xff000000u;
  }
}

/* The host's copies of a large batch (frames packed into the slot, masks and composites copied
 * out) spread over threads: one thread packs ~0.5 ns a pixel, which bounded a batch of 1024
 * 256x256 frames on an H100 at about twice its GPU time. Batches under 4 Mpixel (64 frames of
 * 256x256) stay on the calling thread. Threads: half the host's cores, at most 8, each a range of
 * frames; a thread that cannot start leaves its range to the calling thread. PSEG_HOST_THREADS=N
 * sets the number whatever the batch's size (tests/test_batch.c). */
typedef struct {
  const pseg_image *frames; /* pack: frames[b] -> dst + b * n */
  uint32_t *dst;
  const uint8_t *src; /* copy: bytes [b0, b1) * per from src to out */
  uint8_t *out;
  size_t n, per;
  uint32_t b0, b1;
} host_job;

static void *host_job_run(void *arg) {
  host_job *j = arg;
  if (j->frames)
    for (uint32_t b = j->b0; b < j->b1; b++) pack_rgba(&j->frames[b], j->dst + (size_t)b * j->n);
  else
    memcpy(j->out + (size_t)j->b0 * j->per, j->src + (size_t)j->b0 * j->per, (size_t)(j->b1 - j->b0) * j->per);
  return NULL;
}

static void host_parallel(host_job proto, uint32_t count, size_t pixels_each) {
  enum { MAX_T = 8 };
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  int nt = cores > 1 ? (int)(cores / 2) : 1;
  if (nt > MAX_T) nt = MAX_T;
  if ((uint32_t)nt > count) nt = (int)count;
  if ((double)pixels_each * count < (double)(1u << 22)) nt = 1; /* under 4 Mpixel: not worth a thread */
  const char *env = getenv("PSEG_HOST_THREADS"); /* tests: this many threads, whatever the size */
  if (env && atoi(env) >= 1) nt = atoi(env) < MAX_T ? atoi(env) : MAX_T;
  if ((uint32_t)nt > count) nt = (int)count;
  host_job jobs[MAX_T];
  pthread_t th[MAX_T];
  int started[MAX_T] = {0};
  for (int t = 0; t < nt; t++) {
    jobs[t] = proto;
    jobs[t].b0 = (uint32_t)((uint64_t)count * (uint64_t)t / (uint64_t)nt);
    jobs[t].b1 = (uint32_t)((uint64_t)count * (uint64_t)(t + 1) / (uint64_t)nt);
    if (t > 0) started[t] = pthread_create(&th[t], NULL, host_job_run, &jobs[t]) == 0;
  }
  if (nt > 0) host_job_run(&jobs[0]);
  for (int t = 1; t < nt; t++) {
    if (started[t]) pthread_join(th[t], NULL);
    else host_job_run(&jobs[t]); /* no thread: this one does it */
  }
}

static pseg_result check_image(pseg_context *ctx, const pseg_image *im, const char *what) {
  if (!im || !im->pixels || im->width < 1 || im->height < 1)
    return gpu_fail(ctx, PSEG_ERROR_INVALID_ARGUMENT, "%s: empty image", what);
  if (im->width > 16384 || im->height > 16384)
    return gpu_fail(ctx, PSEG_ERROR_INVALID_ARGUMENT, "%s: image larger than 16384 pixels a side", what);
  if (im->format != PSEG_PIXEL_RGB8 && im->format != PSEG_PIXEL_RGBA8)
    return gpu_fail(ctx, PSEG_ERROR_INVALID_ARGUMENT, "%s: unknown pixel format", what);
  size_t bpp = im->format == PSEG_PIXEL_RGBA8 ? 4 : 3;
  if (im->stride && im->stride < (size_t)im->width * bpp)
    return gpu_fail(ctx, PSEG_ERROR_INVALID_ARGUMENT, "%s: stride smaller than a row", what);
  return PSEG_SUCCESS;
}

static double tensor_elems(const pseg_fmt_model *m, int32_t t) {
  return t < 0 ? 0.0 : (double)m->tensors[t].h * m->tensors[t].w * m->tensors[t].c;
}

/* Name, FLOPs and bytes moved of a dispatch, for the profiler (weights counted once). */
static void describe_node(const pseg_fmt_model *m, const pseg_node *nd, const uint8_t *t16, const uint8_t *t8, double wes,
                          step *st) {
  const pseg_fmt_layer *l = &m->layers[nd->layer];
  const pseg_fmt_tensor *o = &m->tensors[nd->out];
  double out_n = tensor_elems(m, nd->out);
  snprintf(st->name, sizeof st->name, "%s", nd->name);
  st->oh = o->h, st->ow = o->w, st->oc = o->c;
  double lout = tensor_elems(m, l->out);
  const pseg_fmt_tensor *a = &m->tensors[l->in0];
  switch (nd->d.shader) {
  case PSEG_SHADER_CONV:
    st->flops = 2.0 * lout * (l->op == PSEG_OP_TCONV2D ? 1 : l->kh * l->kw) * a->c;
    if (nd->wl2 >= 0) { /* the 1x1 conv in the epilogue */
      const pseg_fmt_layer *le = &m->layers[nd->wl2];
      st->flops += 2.0 * tensor_elems(m, le->out) * m->tensors[le->in0].c;
    }
    if (nd->se_wl >= 0) /* a squeeze-excite block computed first: the pool, both layers */
      st->flops += tensor_elems(m, nd->in0) + 4.0 * tensor_elems(m, m->layers[nd->se_wl].out) * a->c;
    break;
  case PSEG_SHADER_DWCONV:
    st->flops = 2.0 * lout * l->kh * l->kw;
    if (nd->wl2 >= 0) {
      const pseg_fmt_layer *lp = &m->layers[nd->wl2];
      st->flops += 2.0 * tensor_elems(m, lp->out) * m->tensors[lp->in0].c;
    }
    if (nd->wl3 >= 0) { /* the 1x1 conv computed first (its useful work, not the recomputed halo) */
      const pseg_fmt_layer *lq = &m->layers[nd->wl3];
      st->flops += 2.0 * tensor_elems(m, lq->out) * m->tensors[lq->in0].c;
    }
    break;
  case PSEG_SHADER_QNET: /* integer layers: a multiply-add is two operations, as in float */
    if (l->op == PSEG_OP_CONV2D) st->flops = 2.0 * lout * l->kh * l->kw * a->c;
    else if (l->op == PSEG_OP_DWCONV2D) st->flops = 2.0 * lout * l->kh * l->kw;
    else if (l->op == PSEG_OP_TCONV2D) /* each input element times each tap and output channel */
      st->flops = 2.0 * tensor_elems(m, l->in0) * l->kh * l->kw * m->tensors[l->out].c;
    else st->flops = tensor_elems(m, nd->in0) > out_n ? tensor_elems(m, nd->in0) : out_n;
    if (nd->wl2 >= 0) /* the depthwise conv a 1x1 conv computes first on the fast tier (plan_qproj) */
      st->flops += 2.0 * tensor_elems(m, m->layers[nd->wl2].out) * m->layers[nd->wl2].kh * m->layers[nd->wl2].kw;
    break;
  case PSEG_SHADER_SE_FC: st->flops = 2.0 * nd->w_vec4 * 4 + tensor_elems(m, nd->in0); break;
  case PSEG_SHADER_RESIZE: st->flops = 6.0 * out_n; break;
  case PSEG_SHADER_SOFTMAX: st->flops = 4.0 * out_n; break;
  default: st->flops = tensor_elems(m, nd->in0) > out_n ? tensor_elems(m, nd->in0) : out_n; break;
  }
  int32_t ts[5] = {nd->in0, nd->in1, nd->gate, nd->out, nd->aux};
  st->bytes = wes * 4.0 * nd->w_vec4;
  for (int k = 0; k < 5; k++)
    if (ts[k] >= 0) st->bytes += (t8[ts[k]] ? 1.0 : t16[ts[k]] ? 2.0 : 4.0) * tensor_elems(m, ts[k]);
}

/* Whether a dispatch may write an output over an input of its size that dies with it: every
 * invocation reads that input only where it writes, before writing.
 * kind 0 (any input, any output): a 1x1 stride-1 conv reading and writing each pixel in one
 * invocation, every channel at once, in both tiers (not one computing a squeeze-excite block,
 * which pools the whole input first).
 * kind 1 (in1 under the main output only): a conv's residual (HAS_RES: read at the element the
 * invocation writes, just before, whatever the grid; the second output is written before it), or
 * a resize's (KR_RES). */
static int pixel_local(const pseg_session *s, uint32_t i, int kind) {
  const pseg_node *nd = &s->plan->nodes[i];
  /* a resize with its residual ADD (resize.comp RES, gpix.comp KIND 1 OP 1) reads each element
   * of R in the invocation that writes the same element of the output */
  if (nd->d.shader == PSEG_SHADER_RESIZE) return kind == 1 && nd->d.spec[KR_RES];
  /* the GPU tier's conv (gconv.comp) reads a tile's input pixels before writing any output and
   * computes every output channel of a pixel in the workgroup that reads it */
  const kdispatch *ds[2] = {&nd->d, &nd->d_base};
  if (s->gpu) ds[0] = ds[1] = &s->gk[i];
  for (int t = 0; t < 2; t++) {
    const int32_t *sp = ds[t]->spec;
    if (ds[t]->shader != (s->gpu ? PSEG_SHADER_GCONV : PSEG_SHADER_CONV)) return 0;
    if (kind == 1 && (!sp[KC_HAS_RES] || sp[KC_IN_ADD] || (sp[KC_MODE] != 0 && sp[KC_MODE] != 2)))
      return 0;
    if (kind == 0 && (sp[KC_KH] != 1 || sp[KC_KW] != 1 || sp[KC_SH] != 1 || sp[KC_SW] != 1 || sp[KC_MODE] != 0 ||
                      (!s->gpu && ds[t]->groups[2] != 1)))
      return 0;
  }
  return nd->se_wl < 0;
}

/* A tensor's bytes for the whole batch (its frames one after the other). */
static VkDeviceSize tsz(const pseg_session *s, uint32_t t) { return s->t_size[t] * (VkDeviceSize)s->batch; }
/* A frame's vec4s of a tensor (f16vec4 or vec4): its batch stride in the GPU tier's bindings. */
static int32_t tvec4(const pseg_session *s, uint32_t t) { return (int32_t)(s->t_size[t] / (s->t16[t] ? 8 : 16)); }

/* First fit in the given order: each tensor that has its own place goes to the lowest offset
 * that does not overlap a placed one whose lifetime overlaps its own. Returns the arena's end. */
static VkDeviceSize place(pseg_session *s, const uint32_t *order, uint32_t n, const int *first, const int *last,
                          const uint32_t *home, uint32_t *placed) {
  VkDeviceSize top = 0;
  uint32_t np = 0;
  for (uint32_t k = 0; k < n; k++) {
    uint32_t t = order[k];
    VkDeviceSize off = 0;
    if (!s->t_size[t] || home[t] != t) continue;
    for (int moved = 1; moved;) { /* bump past every conflicting placed tensor */
      moved = 0;
      for (uint32_t q = 0; q < np; q++) {
        uint32_t u = placed[q];
        int live = first[t] <= last[u] && first[u] <= last[t];
        if (live && off < s->t_off[u] + tsz(s, u) && s->t_off[u] < off + tsz(s, t)) {
          off = gpu_align(s->ctx, s->t_off[u] + tsz(s, u));
          moved = 1;
        }
      }
    }
    s->t_off[t] = off;
    placed[np++] = t;
    if (off + tsz(s, t) > top) top = off + tsz(s, t);
  }
  return top;
}

/* Place every tensor in the arena. A tensor lives from the step that writes it (the input: from
 * the start) to the last step that reads it (the output: to the end). An output of a pixel-local
 * dispatch takes the place of an input of its size that the dispatch reads last (in place). Raw
 * sessions keep every tensor (tests read them all back). First fit (place), in two orders. */
static pseg_result plan_memory(pseg_session *s, VkDeviceSize *total) {
  const pseg_fmt_model *m = &s->model->fmt;
  uint32_t n = m->n_tensors;
  int *first = malloc(n * sizeof(int)), *last = malloc(n * sizeof(int));
  uint32_t *order = malloc(n * sizeof(uint32_t)), *placed = malloc(n * sizeof(uint32_t));
  uint32_t *home = malloc(n * sizeof(uint32_t)); /* the tensor whose place it takes (itself: its own) */
  if (!first || !last || !order || !placed || !home) {
    free(first), free(last), free(order), free(placed), free(home);
    return gpu_fail(s->ctx, PSEG_ERROR_OUT_OF_HOST_MEMORY, "out of memory");
  }
  const pseg_plan *md = s->plan;
  int end = (int)md->n_nodes;
  for (uint32_t i = 0; i < n; i++) first[i] = end, last[i] = -1;
  first[m->input] = -1;
  last[m->output] = end;
  if (s->mask_in >= 0) last[s->mask_in] = end; /* read by the mask dispatch, after every node */
  for (uint32_t i = 0; i < md->n_nodes; i++) {
    const pseg_node *nd = &md->nodes[i];
    int32_t reads[3] = {nd->in0, nd->in1, nd->gate};
    if ((int)i < first[nd->out]) first[nd->out] = (int)i;
    if (nd->gpu_se >= 0 && (int)i < first[md->nodes[nd->gpu_se].out]) /* the gate a folded block writes */
      first[md->nodes[nd->gpu_se].out] = (int)i;
    if (nd->aux >= 0 && (int)i < first[nd->aux]) first[nd->aux] = (int)i;
    for (int k = 0; k < 3; k++)
      if (reads[k] >= 0 && (int)i > last[reads[k]]) last[reads[k]] = (int)i;
  }
  for (uint32_t i = 0; i < n; i++) {
    if (md->fused[i]) s->t_size[i] = 0; /* never written: computed inside a fused dispatch */
    if (s->raw) first[i] = -1, last[i] = end;
    if (last[i] < first[i]) last[i] = first[i]; /* written, never read: still needs its memory */
    order[i] = i, home[i] = i;
  }
  for (uint32_t i = 0; i < md->n_nodes && !s->raw; i++) { /* in place */
    const pseg_node *nd = &md->nodes[i];
    int any = pixel_local(s, i, 0), res = pixel_local(s, i, 1);
    if (!any && !res) continue;
    int32_t outs[2] = {nd->out, nd->aux}, ins[2] = {nd->in0, nd->in1};
    int taken[2] = {0, 0};
    for (int a = 0; a < 2; a++)
      for (int b = 0; b < 2 && outs[a] >= 0; b++) {
        int32_t o = outs[a], u = ins[b];
        if (!any && !(res && a == 0 && b == 1)) continue;
        if (u < 0 || taken[b] || u == (int32_t)m->input || !s->t_size[u] || s->t_size[u] != s->t_size[o] ||
            s->t16[u] != s->t16[o] || s->t8[u] != s->t8[o] || last[u] != (int)i || first[o] != (int)i || home[o] != (uint32_t)o)
          continue;
        uint32_t r = home[u];
        home[o] = r, taken[b] = 1;
        if (last[o] > last[r]) last[r] = last[o]; /* the place lives on with its new tensor */
        break;
      }
  }
  /* two orders, the smaller arena wins: by size, largest first; by lifetime, longest first (a
   * long-lived tensor low in the arena leaves one hole for the short-lived ones) */
  VkDeviceSize top = 0, *best = malloc(n * sizeof(VkDeviceSize));
  if (!best) {
    free(first), free(last), free(order), free(placed), free(home);
    return gpu_fail(s->ctx, PSEG_ERROR_OUT_OF_HOST_MEMORY, "out of memory");
  }
  for (int pass = 0; pass < 2; pass++) {
    for (uint32_t i = 0; i < n; i++) order[i] = i;
    for (uint32_t i = 1; i < n; i++) /* insertion sort: n is small */
      for (uint32_t j = i; j > 0; j--) {
        uint32_t a = order[j], b = order[j - 1];
        int la = last[a] - first[a], lb = last[b] - first[b];
        int before = pass == 0 ? s->t_size[a] > s->t_size[b]
                               : la > lb || (la == lb && s->t_size[a] > s->t_size[b]);
        if (!before) break;
        order[j] = b, order[j - 1] = a;
      }
    VkDeviceSize end_of = place(s, order, n, first, last, home, placed);
    if (pass == 0 || end_of < top) {
      top = end_of;
      memcpy(best, s->t_off, n * sizeof(VkDeviceSize));
    }
  }
  memcpy(s->t_off, best, n * sizeof(VkDeviceSize));
  free(best);
  for (uint32_t t = 0; t < n; t++)
    if (home[t] != t) s->t_off[t] = s->t_off[home[t]];
  free(first), free(last), free(order), free(placed), free(home);
  *total = top;
  return PSEG_SUCCESS;
}

static pseg_result reset_smoothing(pseg_session *s);

static pseg_result build(pseg_session *s, const pseg_image *bgimage) {
  pseg_context *ctx = s->ctx;
  const pseg_plan *md = s->plan;
  const pseg_fmt_model *m = &s->model->fmt;
  pseg_result r;
  uint32_t cap = 0;

  s->mask_in = -1;
  /* Activations: one arena; tensors whose lifetimes do not overlap share memory. */
  s->t_off = calloc(m->n_tensors, sizeof(VkDeviceSize));
  s->t_size = calloc(m->n_tensors, sizeof(VkDeviceSize));
  s->t16 = calloc(m->n_tensors, 1);
  s->t8 = calloc(m->n_tensors, 1);
  if (!s->t_off || !s->t_size || !s->t16 || !s->t8) return gpu_fail(ctx, PSEG_ERROR_OUT_OF_HOST_MEMORY, "out of memory");
  for (uint32_t i = 0; i < m->n_tensors; i++) {
    const pseg_fmt_tensor *t = &m->tensors[i];
    s->t16[i] = (uint8_t)pseg_tensor_fp16(s->model, i);
    s->t_size[i] = (VkDeviceSize)t->h * t->w * kc4(t->c) * (s->t16[i] ? 8 : 16);
  }
  for (uint32_t i = 0; i < m->n_tensors; i++) {
    if (tsz(s, i) > ctx->max_ssbo_range)
      return gpu_fail(ctx, PSEG_ERROR_UNSUPPORTED, "tensor %u needs %llu bytes%s; %s binds at most %llu", i,
                      (unsigned long long)tsz(s, i), s->batch > 1 ? " for the batch" : "", ctx->info.name,
                      (unsigned long long)ctx->max_ssbo_range);
    uint64_t texels = (uint64_t)m->tensors[i].h * m->tensors[i].w * kc4(m->tensors[i].c);
    if (!s->gpu && texels > ctx->max_texel_elements) /* the CPU tiers read inputs through texel buffers */
      return gpu_fail(ctx, PSEG_ERROR_UNSUPPORTED, "tensor %u has %llu texels; %s reads at most %u through a texel buffer",
                      i, (unsigned long long)texels, ctx->info.name, ctx->max_texel_elements);
  }
  /* Pre-processing fused into the first layer (conv.comp MODE 3; MODE 4 for a frame of the
   * input's size) when that is a convolution reading the model's input, which nothing else reads:
   * the input tensor is then never stored. */
  const pseg_node *first = md->n_nodes ? &md->nodes[0] : NULL;
  int32_t in_sb[3], in_ob[3]; /* for the pre-processing step's push constants: R's, G's and B's scale and offset */
  int as_is = 1;
  for (int c = 0; c < 3; c++) {
    float sc = pseg_fmt_input_scale(m, c);
    memcpy(&in_sb[c], &sc, 4), memcpy(&in_ob[c], &m->input_offset[c], 4);
    as_is &= sc == 1.0f && m->input_offset[c] == 0.0f;
  }
  int fuse_pre = !s->raw && !s->tta && first && first->d.shader == PSEG_SHADER_CONV && first->d.spec[KC_MODE] == 0 &&
                 as_is && /* the fused read scales to [0,1] only */
                 m->tensors[m->input].c == 3 && /* and has no prior to read */
                 first->in0 == (int32_t)m->input && first->in1 != (int32_t)m->input && first->gate < 0 &&
                 kc4(m->tensors[m->input].c) == 1 && (s->gpu || (uint64_t)s->width * s->height <= ctx->max_texel_elements);
  for (uint32_t i = 1; fuse_pre && i < md->n_nodes; i++)
    fuse_pre = md->nodes[i].in0 != (int32_t)m->input && md->nodes[i].in1 != (int32_t)m->input &&
               md->nodes[i].gate != (int32_t)m->input;
  if (fuse_pre) s->t_size[m->input] = 0;
  /* Integer models: their first layer, the QUANTIZE of the float input, done by the
   * pre-processing (pre.comp QUANT), which then writes the int8 tensor; the float one is never
   * stored. (pseg run, a raw session, uploads the float input: the QUANTIZE runs there.) */
  int fuse_quant = !s->raw && !s->gpu && first && first->d.shader == PSEG_SHADER_QNET && first->d.spec[1] == 4 &&
                   first->in0 == (int32_t)m->input;
  for (uint32_t i = 1; fuse_quant && i < md->n_nodes; i++)
    fuse_quant = md->nodes[i].in0 != (int32_t)m->input && md->nodes[i].in1 != (int32_t)m->input &&
                 md->nodes[i].gate != (int32_t)m->input;
  if (fuse_quant) s->t_size[m->input] = 0;
  /* Integer tensors that only integer layers (qnet.comp) write and read, on the CPU tiers' path:
   * int8 values four to a 32-bit word, read through R32_UINT texels (qnet.comp PK), a quarter of
   * the memory. The model's input and output, and what the pre- and post-processing touch, keep
   * a float a value. */
  for (uint32_t t = 0; t < m->n_tensors && ctx->int8_packed && !s->gpu; t++)
    s->t8[t] = m->tensors[t].quant > 0 && t != m->input && t != m->output;
  for (uint32_t i = 0; i < md->n_nodes && ctx->int8_packed && !s->gpu; i++) {
    const pseg_node *nd = &md->nodes[i];
    /* the first layer's QUANTIZE, when the pre-processing computes it, writes packed words too (pre.comp QUANT 2) */
    int qnet = nd->d.shader == PSEG_SHADER_QNET && nd->d_base.shader == PSEG_SHADER_QNET;
    const int32_t ts[5] = {nd->in0, nd->in1, nd->gate, nd->out, nd->aux};
    for (int k = 0; k < 5; k++)
      if (ts[k] >= 0 && (!qnet || k == 4)) s->t8[ts[k]] = 0; /* a float kernel's, or a second output */
  }
  for (uint32_t t = 0; t < m->n_tensors; t++)
    if (s->t8[t] && s->t_size[t]) s->t_size[t] = (VkDeviceSize)m->tensors[t].h * m->tensors[t].w * kc4(m->tensors[t].c) * 4;
  /* Post-processing fused into the last layer (dwconv.comp MASK_OUT) when that is a depthwise conv
   * with a one-vec4 projection making the model's output: it writes the person channel, one float
   * a pixel, straight to the mask when the frame has the output's size (the output tensor is then
   * never stored), else to the output tensor's place, one float a pixel instead of a vec4, which
   * the mask dispatch resizes to the frame. */
  const pseg_node *last = md->n_nodes ? &md->nodes[md->n_nodes - 1] : NULL;
  const pseg_fmt_tensor *to = &m->tensors[m->output];
  int fuse_mask = !s->raw && !s->tta && last && last->d.shader == PSEG_SHADER_DWCONV && last->d.spec[KD_PROJ_OC4] == 1 &&
                  last->out == (int32_t)m->output && last->aux < 0 && (int)m->person_channel < 4;
  int mask_direct = fuse_mask && to->w == s->width && to->h == s->height;
  if (fuse_mask) s->t_size[m->output] = mask_direct ? 0 : (VkDeviceSize)to->w * to->h * 4;
  /* On the CPU tiers, a softmax head over at most 4 channels (a model's logits, or its own last
   * layer) is computed by the mask dispatch from the logits (mask.comp SOFTMAX_C), with the same
   * arithmetic as softmax.comp: the probabilities are never stored (on lavapipe the softmax of a
   * 512x512x2 map took 2.2 ms a frame, the mask 0.5). */
  int fuse_softmax = !s->raw && !s->gpu && !fuse_mask && last && last->d.shader == PSEG_SHADER_SOFTMAX &&
                     last->d.spec[1] == 0 /* KIND: softmax */ && last->out == (int32_t)m->output && to->c <= 4 &&
                     last->in0 != (int32_t)m->input && last->aux < 0;
  if (fuse_softmax) s->t_size[m->output] = 0;
  /* On the CPU tiers, a bilinear resize to the frame's size that makes what the mask dispatch
   * reads (the model's output, the logits of a fused softmax, or the input of a standalone
   * activation ending the model: the sigmoid of a 1-channel logits head), read by nothing else:
   * the mask dispatch samples the resize's input itself (mask.comp UPS, resize.comp's arithmetic,
   * then that activation), so the frame-sized map is never written nor read back and the resize
   * (and the activation) are no dispatches of their own. A decoder ending in an upsampling, at the
   * model's size: anil-mnv3-float's 256x256x2 resize took about 0.9 ms of its 20 ms frame on
   * lavapipe (BENCHMARKS.md, "Grid rounds and the last resize"). */
  const pseg_node *ups = NULL, *ups_act = NULL;
  if (!s->raw && !s->gpu && !fuse_mask && md->n_nodes >= 2) {
    const pseg_node *r = fuse_softmax ? last - 1 : last;
    int32_t want = fuse_softmax ? last->in0 : (int32_t)m->output;
    if (!fuse_softmax && r->d.shader == PSEG_SHADER_BINARY && m->layers[r->layer].op == PSEG_OP_ACT && r->in1 < 0 &&
        r->gate < 0 && r->aux < 0 && r->out == want && r->d.spec[KB_ACT] != PSEG_ACT_PRELU && r - md->nodes >= 1)
      ups_act = r, want = r->in0, r--;
    int ok = r->d.shader == PSEG_SHADER_RESIZE && r->d.pc.mode <= 2 /* bilinear */ && r->out == want &&
             !r->d.spec[KR_RES] && r->d.spec[KR_ACT] == PSEG_ACT_NONE && r->aux < 0 && r->in0 >= 0 &&
             r->in0 != (int32_t)m->input && to->w == s->width && to->h == s->height;
    for (uint32_t i = 0; ok && i < md->n_nodes; i++) {
      const pseg_node *nd = &md->nodes[i];
      if (nd == r || nd == ups_act || (fuse_softmax && nd == last)) continue;
      ok = nd->in0 != r->out && nd->in1 != r->out && nd->gate != r->out;
    }
    if (ok) {
      ups = r, s->t_size[r->out] = 0, s->mask_in = r->in0;
      if (ups_act) s->t_size[ups_act->out] = 0;
    } else
      ups_act = NULL;
  }
  if (s->gpu) { /* each node's GPU-tier kernel (the memory plan asks which may work in place) */
    if (!(s->gk = calloc(md->n_nodes ? md->n_nodes : 1, sizeof *s->gk)))
      return gpu_fail(ctx, PSEG_ERROR_OUT_OF_HOST_MEMORY, "out of memory");
    for (uint32_t i = 0; i < md->n_nodes; i++)
      if (kernel_gpu(&md->nodes[i].d, s->batch, &s->gk[i]))
        return gpu_fail(ctx, PSEG_ERROR_UNSUPPORTED, "layer %d (%s) has no GPU-tier kernel", md->nodes[i].layer,
                        md->nodes[i].name);
  }
  VkDeviceSize total = 0;
  if ((r = plan_memory(s, &total))) return r;
  if ((r = gpu_buffer_create(ctx, total, s->raw, &s->act))) return r;
  if ((r = gpu_buffer_create(ctx, 256, 0, &s->dummy))) return r;
  binding dummy = bind_of(&s->dummy, 0, VK_WHOLE_SIZE);
#define TENSOR(t) bind_of(&s->act, s->t_off[t], tsz(s, t))
#define TEXELS(t)                                                                                            \
  ((binding){&s->act, s->t_off[t], tsz(s, t),                                                                \
             s->t8[t] ? VK_FORMAT_R32_UINT : s->t16[t] ? VK_FORMAT_R16G16B16A16_SFLOAT : VK_FORMAT_R32G32B32A32_SFLOAT, SB_NONE})

  const pseg_fmt_tensor *tin = &m->tensors[m->input], *tout = &m->tensors[m->output];
  size_t npix = (size_t)s->width * s->height;
  uint64_t max_px = pseg_context_max_frame_pixels(ctx); /* what the CLI checks images' headers against */
  if (!s->raw && (npix > max_px || (bgimage && (uint64_t)bgimage->width * bgimage->height > max_px)))
    return gpu_fail(ctx, PSEG_ERROR_UNSUPPORTED, "%dx%d frames (or the background) need buffers of more than the %llu bytes %s can bind",
                    s->width, s->height, (unsigned long long)ctx->max_ssbo_range, ctx->info.name);
  size_t nbytes = npix * 4 * (size_t)s->batch; /* frames and masks of the batch, one after the other */
  s->prior = !s->raw && tin->c == 4;
  if (s->prior) { /* the prior: 0 before the first frame */
    if (s->batch > 1)
      return gpu_fail(ctx, PSEG_ERROR_UNSUPPORTED,
                      "the model takes a prior mask (a 4th input channel), the previous frame's mask: it runs one frame a submit (batch 1), not %d",
                      s->batch);
    if ((r = gpu_buffer_create(ctx, npix * 4, 1, &s->prior_buf))) return r;
    if (!s->prior_buf.map) return gpu_fail(ctx, PSEG_ERROR_VULKAN, "no host-visible memory for the prior");
    memset(s->prior_buf.map, 0, npix * 4);
  }
  binding prior = s->prior ? bind_of(&s->prior_buf, 0, VK_WHOLE_SIZE) : dummy;
  if (!s->raw) {
    if (nbytes > ctx->max_ssbo_range)
      return gpu_fail(ctx, PSEG_ERROR_UNSUPPORTED, "a batch of %d %dx%d frames needs %zu bytes; %s binds at most %llu",
                      s->batch, s->width, s->height, nbytes, ctx->info.name, (unsigned long long)ctx->max_ssbo_range);
  }
  if (s->gpu) { /* the split reductions' scratch: each dispatch its own counters and partial sums */
    VkDeviceSize words = 0;
    for (uint32_t i = 0; i < md->n_nodes; i++) {
      if (md->nodes[i].fast_skip) continue; /* not dispatched */
      s->gk[i].pc.s0 = (int)words, s->gk[i].pc.s1 = (int)words + s->batch;
      words += s->gk[i].scratch;
    }
    if (words * 4 > ctx->max_ssbo_range)
      return gpu_fail(ctx, PSEG_ERROR_UNSUPPORTED, "the pools' partial sums for a batch of %d need %llu bytes; %s binds at most %llu",
                      s->batch, (unsigned long long)words * 4, ctx->info.name, (unsigned long long)ctx->max_ssbo_range);
    uint32_t *zero = calloc(words ? words : 4, 4);
    if (!zero) return gpu_fail(ctx, PSEG_ERROR_OUT_OF_HOST_MEMORY, "out of memory");
    r = gpu_buffer_create(ctx, (words ? words : 4) * 4, 0, &s->scratch);
    if (!r) r = gpu_upload(ctx, &s->scratch, 0, zero, (words ? words : 4) * 4); /* the counters start at 0 */
    free(zero);
    if (r) return r;
  }
  /* With test-time augmentation (tta_flip) the network runs twice a frame: on the frame, then on its
   * mirror image (the pre-processing writes the input mirrored), whose mask is mirrored back and
   * averaged with the first (the mask dispatch's FLIP). */
  for (int pass = 0; pass < (s->tta ? 2 : 1); pass++) {
    if (!s->raw && !fuse_pre && s->gpu) {
      step pre = {.shader = PSEG_SHADER_GIO, .layer = -1, .name = "pre (stretch, scale)",
                  .oh = tin->h, .ow = tin->w, .oc = 3, .flops = 12.0 * tin->h * tin->w,
                  .k[0] = {.variant = s->t16[m->input] ? (unsigned)PSEG_VARIANT_O16 : 0u, .spec = {[4] = pass} /* FLIP */,
                           .groups = {(uint32_t)(tin->w + 7) / 8, (uint32_t)(tin->h + 7) / 8, (uint32_t)s->batch},
                           .pc = {.in_h = s->height, .in_w = s->width, .out_h = tin->h, .out_w = tin->w,
                                  .out_c4 = kc4(tin->c), .mode = s->prior, .aux0 = in_sb[0], .aux1 = in_ob[0],
                                  .sh = in_sb[1], .sw = in_ob[1], .pad_t = in_sb[2], .pad_l = in_ob[2],
                                  .bx = (int)npix, .by = tvec4(s, m->input)}},
                  .bytes = 4.0 * (double)npix + (double)s->t_size[m->input],
                  .b = {dummy, prior, dummy, TENSOR(m->input), dummy, dummy, dummy, slot_bind(SB_IMG)}};
      if (pass) snprintf(pre.name, sizeof pre.name, "pre (stretch, scale, mirror)");
      if ((r = add_step(s, &cap, &pre))) return r;
    } else if (!s->raw && !fuse_pre) {
      /* pre.comp TEX: the frame (and the prior, as large) through texel views where they fit the
       * device's limit (and PSEG_WEIGHTS=storage does not ask for storage buffers throughout) */
      int pre_tex = npix <= ctx->max_texel_elements && !ctx->wstorage;
      step pre = {.shader = PSEG_SHADER_PRE, .layer = -1, .name = "pre (stretch, scale)",
                  .oh = tin->h, .ow = tin->w, .oc = 3, .flops = 12.0 * tin->h * tin->w,
                  .k[0] = {.variant = s->t16[m->input] ? (unsigned)PSEG_VARIANT_O16 : 0u, .spec = {pass /* FLIP */, fuse_quant, pre_tex, s->width == (int)tin->w && s->height == (int)tin->h},
                           .groups = {(uint32_t)(tin->w + 31) / 32, (uint32_t)(tin->h + 7) / 8, 1},
                           .pc = {.in_h = s->height, .in_w = s->width, .out_h = tin->h, .out_w = tin->w,
                                  .out_c4 = kc4(tin->c), .mode = s->prior, .aux0 = in_sb[0], .aux1 = in_ob[0],
                                  .sh = in_sb[1], .sw = in_ob[1], .pad_t = in_sb[2], .pad_l = in_ob[2]}},
                  .bytes = 4.0 * (double)npix + (double)s->t_size[m->input],
                  .b = {dummy, dummy, dummy, TENSOR(m->input), dummy, prior, dummy, slot_bind(SB_IMG)}};
      if (pre_tex) { /* the frame and the prior through texel views (TEX) */
        pre.b[0] = (binding){NULL, 0, VK_WHOLE_SIZE, VK_FORMAT_R8G8B8A8_UNORM, SB_IMG};
        pre.b[1] = prior, pre.b[1].format = VK_FORMAT_R32_SFLOAT;
        pre.b[5] = pre.b[7] = dummy;
      }
      if (pass) snprintf(pre.name, sizeof pre.name, "pre (stretch, scale, mirror)");
      if (fuse_quant) { /* qnet.comp OP 4's scale and the zero point */
        pre.k[0].pc.kh = first->d.pc.aux1, pre.k[0].pc.kw = ((first->d.pc.mode >> 16) & 255) - 128;
        if (s->t8[first->out]) pre.k[0].spec[1] = 2; /* QUANT 2: packed words */
        pre.b[3] = TENSOR(first->out);
        pre.bytes += (double)s->t_size[first->out];
        snprintf(pre.name, sizeof pre.name, "pre (stretch, scale%s)+quantize", pass ? ", mirror" : "");
      }
      if ((r = add_step(s, &cap, &pre))) return r;
    }
    for (uint32_t i = 0; i < md->n_nodes && s->gpu; i++) { /* the GPU tier's steps */
      const pseg_node *nd = &md->nodes[i];
      step st = {.shader = s->gk[i].shader, .layer = nd->layer};
      int w16 = ctx->precision == PSEG_PRECISION_FP16;
      describe_node(m, nd, s->t16, s->t8, w16 ? 2.0 : 4.0, &st);
      kernel *k = &st.k[0];
      k->pc = s->gk[i].pc;
      memcpy(k->spec, s->gk[i].spec, sizeof k->spec);
      memcpy(k->groups, s->gk[i].groups, sizeof k->groups);
      k->variant = (s->t16[nd->out] ? (unsigned)PSEG_VARIANT_O16 : 0u) | (nd->wl >= 0 && w16 ? (unsigned)PSEG_VARIANT_W16 : 0u);
      if (st.shader == PSEG_SHADER_GPOOL && ctx->subgroup_shuffle) k->variant |= PSEG_VARIANT_SUBGROUP;
      if (st.shader == PSEG_SHADER_GPOOL || st.shader == PSEG_SHADER_GDWCONV) k->spec[KG_SEIF] = ctx->gse_inflight;
      if (st.shader == PSEG_SHADER_GCONV || st.shader == PSEG_SHADER_GDWCONV) k->spec[KG_UNR] = ctx->gunroll;
      if ((st.shader == PSEG_SHADER_GCONV || st.shader == PSEG_SHADER_GDWCONV) && ctx->f16_math && s->t16[nd->out] && w16)
        k->variant |= PSEG_VARIANT_F16MATH;
      int32_t ts[4] = {nd->in0, nd->in1, nd->gate, nd->out}, *strides[5] = {&k->pc.bx, &k->pc.br, &k->pc.bg, &k->pc.by, &k->pc.by2};
      for (int j = 0; j < 8; j++) st.b[j] = dummy;
      for (int j = 0; j < 4; j++)
        if (ts[j] >= 0) st.b[j] = TENSOR(ts[j]), *strides[j] = tvec4(s, (uint32_t)ts[j]);
      if (nd->aux >= 0) st.b[5] = TENSOR(nd->aux), k->pc.by2 = tvec4(s, (uint32_t)nd->aux);
      VkDeviceSize wes = w16 ? 8 : 16; /* a weight vec4 */
      st.b[4] = bind_of(&md->weights, 0, VK_WHOLE_SIZE), k->pc.w0 = (int32_t)(nd->w_off / wes);
      if (nd->gpu_se >= 0) { /* a squeeze-excite block computed here: its weights, its gate as Y2 */
        const pseg_node *se = &md->nodes[nd->gpu_se];
        k->pc.w1 = (int32_t)(se->w_off / wes);
        st.flops += tensor_elems(m, nd->out) + 2.0 * 4.0 * se->w_vec4; /* the pool, the layers */
        st.bytes += (w16 ? 2.0 : 4.0) * 4.0 * se->w_vec4 + (s->t16[se->out] ? 2.0 : 4.0) * tensor_elems(m, se->out);
        st.b[5] = TENSOR(se->out), k->pc.by2 = tvec4(s, (uint32_t)se->out);
      }
      if (s->gk[i].scratch) st.b[6] = bind_of(&s->scratch, 0, VK_WHOLE_SIZE);
      st.k[0].skip = nd->fast_skip; /* a squeeze-excite block a depthwise conv computes */
      if (i + 1 == md->n_nodes && fuse_mask) { /* the last layer writes the mask (gdwconv.comp MASK_OUT) */
        st.b[3] = dummy;
        st.b[7] = mask_direct ? slot_bind(SB_MASK) : TENSOR(m->output);
        k->pc.by2 = mask_direct ? (int32_t)npix : to->w * to->h;
        k->spec[KD_MASK_OUT] = 1 + (int)m->person_channel;
        snprintf(st.name, sizeof st.name, "%.42s+mask", nd->name);
      }
      if (i == 0 && fuse_pre) { /* the first layer reads the frame (gconv.comp MODE 3, 4) */
        st.b[0] = dummy, st.b[7] = slot_bind(SB_IMG);
        int same = s->width == (int)m->tensors[m->input].w && s->height == (int)m->tensors[m->input].h;
        k->spec[KC_MODE] = same ? 4 : 3;
        k->pc.aux0 = s->width, k->pc.aux1 = s->height, k->pc.bx = (int32_t)npix;
        snprintf(st.name, sizeof st.name, "pre+%.43s", nd->name);
      }
      if ((r = add_step(s, &cap, &st))) return r;
    }
    for (uint32_t i = fuse_quant ? 1u : 0u; i < md->n_nodes - (fuse_softmax ? 1u : 0u) - (ups ? 1u : 0u) - (ups_act ? 1u : 0u) && !s->gpu; i++) {
      const pseg_node *nd = &md->nodes[i];
      const kdispatch *d = &nd->d;
      step st = {.shader = d->shader, .layer = nd->layer};
      int w16 = ctx->precision == PSEG_PRECISION_FP16;
      describe_node(m, nd, s->t16, s->t8, w16 ? 2.0 : 4.0, &st);
      for (int k = 0; k < PSEG_NET_BINDINGS; k++) st.b[k] = dummy;
      st.b[0] = TEXELS(nd->in0);
      if (nd->in1 >= 0) st.b[1] = TEXELS(nd->in1);
      if (nd->gate >= 0) st.b[2] = TEXELS(nd->gate);
      st.b[3] = TENSOR(nd->out);
      if (nd->aux >= 0) st.b[6] = TENSOR(nd->aux);
      if (nd->se_wl >= 0) st.b[7] = bind_of(&md->weights, nd->se_off, nd->se_size);
      if (nd->wl >= 0) {
        if (wubo_ok(ctx, nd)) st.b[4] = bind_of(&md->weights, nd->w_off, nd->w_size);
        st.b[5] = bind_of(&md->weights, nd->w_off, nd->w_size);
        if (wtex_ok(ctx, nd)) {
          st.b[8] = bind_of(&md->weights, nd->w_off, nd->w_size);
          st.b[8].format = nd->d.shader == PSEG_SHADER_QNET ? VK_FORMAT_R32G32B32A32_UINT /* packed int8 words */
                           : w16                          ? VK_FORMAT_R16G16B16A16_SFLOAT
                                                          : VK_FORMAT_R32G32B32A32_SFLOAT;
        }
      }
      int32_t pk = 0; /* qnet.comp PK: which of X, R, G and the output are packed int8 words */
      if (d->shader == PSEG_SHADER_QNET) {
        const int32_t ins[3] = {nd->in0, nd->in1, nd->gate};
        for (int j = 0; j < 3; j++)
          if (ins[j] >= 0 && s->t8[ins[j]]) st.b[9 + j] = TEXELS(ins[j]), st.b[j] = dummy, pk |= 1 << j;
        if (s->t8[nd->out]) pk |= 8;
      }
      for (int t = 0; t < 2; t++) { /* base: weights in the buffer; fast: in constants where they fit */
        const kdispatch *dd = t ? &nd->d : &nd->d_base;
        kernel *k = &st.k[t];
        k->pc = dd->pc;
        memcpy(k->spec, dd->spec, sizeof k->spec);
        if (d->shader == PSEG_SHADER_QNET) k->spec[KQ_PK] = pk;
        memcpy(k->groups, dd->groups, sizeof k->groups);
        k->variant = s->t16[nd->out] ? (unsigned)PSEG_VARIANT_O16 : 0u;
        if (t && nd->wspec) {
          unsigned tier = 0;
          while (tier < 3 && pseg_wspec_tier(tier) < nd->n_wspec) tier++;
          k->variant |= PSEG_VARIANT_WSPEC | tier << PSEG_VARIANT_TIER_SHIFT;
          k->wspec = nd->wspec, k->n_wspec = nd->n_wspec;
        } else if (nd->wl >= 0) {
          k->spec[PSEG_SPEC_WN] = (int32_t)nd->w_vec4;
          if (w16) k->variant |= PSEG_VARIANT_W16;
          if (nd->qdot) k->variant |= PSEG_VARIANT_QDOT;
          if (wubo_ok(ctx, nd)) k->variant |= PSEG_VARIANT_WUBO;
          else if (wtex_ok(ctx, nd)) k->variant |= PSEG_VARIANT_WTEX;
          if ((dd->shader == PSEG_SHADER_CONV && (dd->spec[KC_NPX] > 1 || dd->spec[KC_MODE] == 6)) ||
              (dd->shader == PSEG_SHADER_DWCONV && dd->spec[KD_NPX] > 1))
            k->variant |= PSEG_VARIANT_NPX;
        }
      }
      if (nd->se_wl >= 0) { /* the folded block's gate is rounded as its tensor is stored */
        st.k[1].spec[KC_SE_G16] = s->t16[nd->se_out];
        st.k[1].variant |= PSEG_VARIANT_SE;
      }
      st.k[1].skip = nd->fast_skip;
      if (nd->wspec) s->want_fast = 1;
      if (i + 1 == md->n_nodes && fuse_mask) { /* the last layer writes the mask (at the model's size) */
        st.b[3] = dummy;
        st.b[6] = mask_direct ? slot_bind(SB_MASK) : TENSOR(m->output);
        snprintf(st.name, sizeof st.name, "%.42s+mask", nd->name);
        for (int t = 0; t < 2; t++) {
          st.k[t].spec[KD_MASK_OUT] = 1 + (int)m->person_channel;
        }
      }
      if (i == 0 && fuse_pre) { /* the first layer reads the frame */
        st.b[0] = (binding){NULL, 0, VK_WHOLE_SIZE, VK_FORMAT_R8G8B8A8_UNORM, SB_IMG};
        snprintf(st.name, sizeof st.name, "pre+%.43s", nd->name);
        for (int t = 0; t < 2; t++) {
          int same = s->width == (int)m->tensors[m->input].w && s->height == (int)m->tensors[m->input].h;
          st.k[t].spec[KC_MODE] = same ? 4 : 3;
          st.k[t].pc.aux0 = s->width, st.k[t].pc.aux1 = s->height;
        }
      }
      if ((r = add_step(s, &cap, &st))) return r;
    }
    if (!s->raw && !mask_direct) { /* the mask resized to the frame: from the output tensor, or from
                                       the person channel the last layer wrote (one float a pixel) */
      enum { MASK_PX = 8 }; /* mask.comp: pixels an invocation, along x */
      /* mask.comp NSRC: the source columns MASK_PX pixels of an enlarging resize span (+1 for
       * float rounding), fetched once; none where that would be more than 8 */
      int mask_nsrc = (int)ceil((MASK_PX - 1) * (double)tout->w / s->width) + 3;
      if (mask_nsrc > 8 || s->width <= (int)tout->w) mask_nsrc = 0;
      binding in = fuse_mask      ? (binding){&s->act, s->t_off[m->output], tsz(s, m->output), VK_FORMAT_R32_SFLOAT, SB_NONE}
                   : ups          ? TEXELS(ups->in0)
                   : fuse_softmax ? TEXELS(last->in0)
                                  : TEXELS(m->output);
      step mk = {.shader = PSEG_SHADER_MASK, .layer = -1,
                 .name = "mask (resize to frame)",
                 .oh = s->height, .ow = s->width, .oc = 1, .flops = 6.0 * (double)npix,
                 .k[0] = {.spec = {[KR_C4] = fuse_mask ? 1 : kc4(tout->c), [1] = MASK_PX,
                                   [2] = fuse_mask ? 0 : (int)m->person_channel,
                                   [3] = s->width == (int)tout->w && s->height == (int)tout->h,
                                   [4] = mask_nsrc, [5] = fuse_softmax ? tout->c : 0},
                          .groups = {(uint32_t)(s->width + 8 * MASK_PX - 1) / (8 * MASK_PX),
                                     (uint32_t)(s->height + 7) / 8, 1},
                          .pc = {.in_h = tout->h, .in_w = tout->w, .in_c4 = fuse_mask ? 1 : kc4(tout->c),
                                 .out_h = s->height, .out_w = s->width}},
                 .bytes = 4.0 * (double)npix + (double)(fuse_softmax ? s->t_size[last->in0] : s->t_size[m->output]),
                 .b = {in, dummy, dummy, slot_bind(SB_MASK), dummy, dummy, dummy}};
      if (fuse_softmax) snprintf(mk.name, sizeof mk.name, "softmax+mask (resize to frame)");
      if (ups) { /* mask.comp UPS: the resize's input, its size, convention and activation */
        mk.k[0].spec[7] = 1, mk.k[0].spec[8] = ups_act ? ups_act->d.spec[KB_ACT] : PSEG_ACT_NONE;
        mk.k[0].pc.in_h = ups->d.pc.in_h, mk.k[0].pc.in_w = ups->d.pc.in_w, mk.k[0].pc.mode = ups->d.pc.mode;
        mk.flops += 8.0 * (double)npix * (fuse_softmax ? tout->c : 1);
        mk.bytes = 4.0 * (double)npix + (double)s->t_size[ups->in0];
        snprintf(mk.name, sizeof mk.name, "%.24s+%s%s%smask", ups->name, fuse_softmax ? "softmax+" : "",
                 ups_act ? pseg_act_name((pseg_act)ups_act->d.spec[KB_ACT]) : "", ups_act ? "+" : "");
      }
      mk.k[0].spec[6] = pass; /* mask.comp FLIP: mirrored back and averaged with the first pass's */
      if (pass) snprintf(mk.name, sizeof mk.name, "%smask (mirrored, averaged)", fuse_softmax ? "softmax+" : "");
      if (s->gpu) { /* gio.comp KIND 1: the output tensor (or the person channel's plane) to the mask */
        mk.shader = PSEG_SHADER_GIO;
        mk.k[0] = (kernel){.spec = {1, fuse_mask ? 0 : kc4(tout->c), fuse_mask ? 0 : (int)m->person_channel,
                                    s->width == (int)tout->w && s->height == (int)tout->h, pass /* FLIP */},
                           .groups = {(uint32_t)(s->width + 7) / 8, (uint32_t)(s->height + 7) / 8, (uint32_t)s->batch},
                           .variant = s->t16[m->output] ? (unsigned)PSEG_VARIANT_O16 : 0u,
                           .pc = {.in_h = tout->h, .in_w = tout->w, .out_h = s->height, .out_w = s->width,
                                  .bx = fuse_mask ? tout->w * tout->h : tvec4(s, m->output),
                                  .by2 = (int32_t)npix}};
        for (int j = 0; j < 8; j++) mk.b[j] = dummy;
        mk.b[fuse_mask ? 2 : 0] = TENSOR(m->output);
        mk.b[5] = slot_bind(SB_MASK);
      }
      if ((r = add_step(s, &cap, &mk))) return r;
    }
  }
  if (!s->raw && s->guided) { /* the guided filter: blocks, box x, box y + (a, b), box x, box y, apply */
    kguided gp;
    guided_params(s->width, s->height, &gp);
    size_t ln = (size_t)gp.lw * gp.lh;
    for (int k = 0; k < 2; k++)
      if ((r = gpu_buffer_create(ctx, ln * 16, 0, &s->gbuf[k]))) return r;
    int32_t eps_bits;
    memcpy(&eps_bits, &gp.eps, 4);
    for (int pass = 0; pass < 6; pass++) {
      int mode = pass == 0 ? 0 : pass == 5 ? 3 : (pass % 2 ? 1 : 2);
      size_t items = mode == 3 ? npix : ln;
      /* ping-pong: 0 -> gbuf0, 1: 0 -> 1, 2: 1 -> 0 (+ a, b), 3: 0 -> 1, 4: 1 -> 0, 5: gbuf0 -> mask */
      const gpu_buffer *in = pass % 2 ? &s->gbuf[0] : &s->gbuf[1], *out = pass % 2 ? &s->gbuf[1] : &s->gbuf[0];
      step gs = {.shader = PSEG_SHADER_GUIDED, .layer = -1, .name = "guided filter",
                 .oh = mode == 3 ? s->height : gp.lh, .ow = mode == 3 ? s->width : gp.lw, .oc = mode == 3 ? 1 : 4,
                 .flops = mode == 0 ? 8.0 * (double)npix : mode == 3 ? 8.0 * (double)npix : 8.0 * (2 * gp.r + 1) * (double)ln,
                 .bytes = mode == 0 || mode == 3 ? 8.0 * (double)npix : 32.0 * (double)ln,
                 .k[0] = {.pc = {.in_w = mode == 3 ? gp.lw : s->width, .in_h = mode == 3 ? gp.lh : s->height,
                                 .out_w = mode == 3 ? s->width : gp.lw, .out_h = mode == 3 ? s->height : gp.lh,
                                 .mode = mode, .aux0 = gp.r, .aux1 = gp.s, .kh = pass == 2, .kw = eps_bits}},
                 .b = {slot_bind(SB_IMG), slot_bind(SB_MASK), bind_of(pass == 5 ? &s->gbuf[0] : in, 0, VK_WHOLE_SIZE),
                       bind_of(pass == 5 ? &s->gbuf[1] : out, 0, VK_WHOLE_SIZE), dummy, dummy, dummy, dummy}};
      static const char *names[6] = {"guided filter (block means)", "guided filter (box x)", "guided filter (box y, a b)",
                                     "guided filter (box x)", "guided filter (box y)", "guided filter (apply)"};
      snprintf(gs.name, sizeof gs.name, "%s", names[pass]);
      kernel_groups_1d(gs.k[0].groups, (uint32_t)((items + 63) / 64), 1);
      if ((r = add_step(s, &cap, &gs))) return r;
    }
  }
  if (!s->raw && s->cleanup) { /* cells, the labelling (one invocation), apply */
    int cs, clw, clh;
    cleanup_params(s->width, s->height, &cs, &clw, &clh);
    size_t ln = (size_t)clw * clh;
    for (int k = 0; k < 2; k++)
      if ((r = gpu_buffer_create(ctx, (ln + 8) * 4, 0, &s->cbuf[k]))) return r;
    /* mode 1's slices: each cell is scanned twice and pushed at most once a phase */
    int slices = (int)((4 * ln + 8 + 59999) / 60000);
    for (int pass = 0; pass < 3 + slices; pass++) {
      int mode = pass == 0 ? 0 : pass <= slices ? 1 : pass == slices + 1 ? 3 : 2;
      size_t items = mode == 0 || mode == 3 ? ln : mode == 1 ? 1 : npix;
      step cl = {.shader = PSEG_SHADER_CLEANUP, .layer = -1,
                 .oh = mode == 2 ? s->height : clh, .ow = mode == 2 ? s->width : clw, .oc = 1,
                 .flops = mode == 1 ? 8.0 * (double)ln : (double)npix, .bytes = mode == 1 ? 24.0 * (double)ln : 8.0 * (double)npix,
                 .k[0] = {.spec = {mode == 1 ? 1 : 64}, /* local_size_x */
                          .pc = {.in_w = s->width, .in_h = s->height, .out_w = clw, .out_h = clh, .mode = mode, .aux1 = cs,
                                 .kh = pass == 1}},
                 .b = {dummy, slot_bind(SB_MASK), bind_of(&s->cbuf[1], 0, VK_WHOLE_SIZE), bind_of(&s->cbuf[0], 0, VK_WHOLE_SIZE),
                       dummy, dummy, dummy, dummy}};
      snprintf(cl.name, sizeof cl.name, "%s", mode == 0   ? "cleanup (cells)"
                                              : mode == 1 ? "cleanup (regions: one invocation)"
                                              : mode == 3 ? "cleanup (keep, fill, remove)"
                                                          : "cleanup (apply)");
      kernel_groups_1d(cl.k[0].groups, (uint32_t)((items + 63) / 64), 1);
      if ((r = add_step(s, &cap, &cl))) return r;
    }
  }
  if (!s->raw && s->smoothing > 0.0f) { /* temporal smoothing of the mask, before the composite reads it */
    enum { SMOOTH_PX = 8 }; /* smooth.comp MPX */
    if ((r = gpu_buffer_create(ctx, npix * 4, 0, &s->smooth_buf)) || (r = reset_smoothing(s))) return r;
    float f[3] = {s->smoothing, PSEG_SMOOTH_D0, PSEG_SMOOTH_D1};
    int32_t bits[3];
    memcpy(bits, f, sizeof bits);
    step sm = {.shader = PSEG_SHADER_SMOOTH, .layer = -1, .name = "temporal smoothing",
               .oh = s->height, .ow = s->width, .oc = 1, .flops = 10.0 * (double)npix, .bytes = 16.0 * (double)npix,
               .k[0] = {.spec = {SMOOTH_PX},
                        .pc = {.out_h = s->height, .out_w = s->width, .aux0 = bits[0], .aux1 = bits[1], .mode = bits[2]}},
               .b = {slot_bind(SB_MASK), dummy, dummy, bind_of(&s->smooth_buf, 0, VK_WHOLE_SIZE), dummy, dummy, dummy,
                     dummy}};
    kernel_groups_1d(sm.k[0].groups, (uint32_t)((npix + SMOOTH_PX * 64 - 1) / (SMOOTH_PX * 64)), 1);
    if ((r = add_step(s, &cap, &sm))) return r;
  }
  if (!s->raw && s->background != PSEG_BACKGROUND_NONE) {
    binding bg;
    int bg_stride = 0; /* a background image is shared by the batch's frames; a blur is per frame */
    if (s->background == PSEG_BACKGROUND_BLUR) { /* at a reduced size (kernels/composite.c) */
      enum { BLUR_PX = 8 }; /* blur.comp MPX */
      kblur bp;
      blur_params(s->width, s->height, &bp);
      size_t lnpix = (size_t)bp.lw * bp.lh, lbytes = lnpix * 4 * (size_t)s->batch;
      if ((r = gpu_buffer_create(ctx, lbytes, 0, &s->tmp1)) || (r = gpu_buffer_create(ctx, lbytes, 0, &s->tmp2)))
        return r;
      int32_t sigma_bits;
      memcpy(&sigma_bits, &bp.sigma, 4);
      int blur_vec = bp.f % 4 == 0 && s->width % 4 == 0 && npix * (size_t)s->batch / 4 <= ctx->max_texel_elements;
      binding src = {NULL, 0, VK_WHOLE_SIZE, blur_vec ? VK_FORMAT_R32G32B32A32_UINT : VK_FORMAT_R32_UINT, SB_IMG};
      for (int pass = 0; pass < 3; pass++) { /* the blocks' means, then along x, then along y */
        const gpu_buffer *dst = pass == 1 ? &s->tmp2 : &s->tmp1;
        int mode = pass == 0 ? 2 : pass - 1;
        step bl = {.shader = PSEG_SHADER_BLUR, .layer = -1,
                   .name = "blur (block means)",
                   .oh = bp.lh, .ow = bp.lw, .oc = 4,
                   .flops = pass ? 4.0 * (2 * bp.radius + 1) * (double)lnpix : 4.0 * (double)npix,
                   .bytes = pass ? 8.0 * (double)lnpix : 4.0 * (double)(npix + lnpix),
                   .k[0] = {.spec = {BLUR_PX, pass ? bp.radius : 0, pass ? 0 : blur_vec},
                            .pc = {.in_h = s->height, .in_w = s->width, .out_h = bp.lh, .out_w = bp.lw, .mode = mode,
                                   .aux0 = bp.radius, .aux1 = pass ? sigma_bits : bp.f,
                                   .bx = pass ? (int)lnpix : (int)npix, .by = (int)lnpix},
                            .groups = {(uint32_t)(bp.lw + 8 * BLUR_PX - 1) / (8 * BLUR_PX), (uint32_t)(bp.lh + 7) / 8,
                                       (uint32_t)s->batch}},
                   .b = {src, dummy, dummy, bind_of(dst, 0, VK_WHOLE_SIZE), dummy, dummy, dummy, dummy}};
        if (pass) snprintf(bl.name, sizeof bl.name, "blur (Gaussian along %s)", pass == 1 ? "x" : "y");
        if ((r = add_step(s, &cap, &bl))) return r;
        src = bind_of(dst, 0, VK_WHOLE_SIZE);
        src.format = VK_FORMAT_R32_UINT;
      }
      bg = bind_of(&s->tmp1, 0, VK_WHOLE_SIZE), bg_stride = (int)lnpix;
      s->bg_w = bp.lw, s->bg_h = bp.lh;
    } else {
      s->bg_w = bgimage->width, s->bg_h = bgimage->height;
      size_t nb = (size_t)s->bg_w * s->bg_h;
      uint32_t *px = malloc(nb * 4);
      if (!px) return gpu_fail(ctx, PSEG_ERROR_OUT_OF_HOST_MEMORY, "out of memory");
      pack_rgba(bgimage, px);
      r = gpu_buffer_create(ctx, nb * 4, 0, &s->bgimg);
      if (!r) r = gpu_upload(ctx, &s->bgimg, 0, px, nb * 4);
      free(px);
      if (r) return r;
      bg = bind_of(&s->bgimg, 0, VK_WHOLE_SIZE);
    }
    enum { COMP_PX = 8 }; /* composite.comp MPX */
    /* composite.comp: VEC where every frame's pixels start on a texel of 4 and a run of 8 never
     * leaves the frame; NSRC, the background columns COMP_PX pixels of a row span (+3 for
     * rounding), fetched once, where runs stay in a row and that is at most 8 */
    int comp_vec = npix % 8 == 0 && (uint64_t)npix * (uint64_t)s->batch / 4 <= ctx->max_texel_elements;
    int comp_nsrc = (int)ceil((COMP_PX - 1) * (double)s->bg_w / s->width) + 3;
    if (comp_nsrc > 8 || s->width % COMP_PX) comp_nsrc = 0;
    step cs = {.shader = PSEG_SHADER_COMPOSITE, .layer = -1, .name = "composite",
               .oh = s->height, .ow = s->width, .oc = 4, .flops = 8.0 * (double)npix, .bytes = 16.0 * (double)npix,
               .k[0] = {.spec = {COMP_PX, comp_nsrc, comp_vec},
                        .pc = {.out_h = s->height, .out_w = s->width, .aux0 = s->bg_w, .aux1 = s->bg_h,
                               .bx = (int)npix, .br = bg_stride, .bg = (int)npix, .by = (int)npix}},
               .b = {(binding){NULL, 0, VK_WHOLE_SIZE, comp_vec ? VK_FORMAT_R32G32B32A32_UINT : VK_FORMAT_R32_UINT, SB_IMG},
                     bg,
                     (binding){NULL, 0, VK_WHOLE_SIZE, comp_vec ? VK_FORMAT_R32G32B32A32_SFLOAT : VK_FORMAT_R32_SFLOAT, SB_MASK},
                     slot_bind(SB_COMP), dummy, dummy, dummy, dummy}};
    cs.b[1].format = VK_FORMAT_R32_UINT;
    kernel_groups_1d(cs.k[0].groups, (uint32_t)((npix + COMP_PX * 64 - 1) / (COMP_PX * 64)), s->batch);
    if ((r = add_step(s, &cap, &cs))) return r;
  }
#undef TENSOR
#undef TEXELS

  /* The slots: each its frames, masks and composites, descriptor sets (one per step; texel views
   * for the inputs of the CPU tiers' layers), fence and timestamps. */
  uint32_t n_net = 0, ns = (uint32_t)s->n_slots;
  for (uint32_t i = 0; i < s->n_steps; i++) n_net += gpu_shader_is_net(s->steps[i].shader);
  VkDescriptorPoolSize ps[3] = {
      {.type = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, .descriptorCount = PSEG_BINDINGS * s->n_steps * ns},
      {.type = VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, .descriptorCount = n_net ? n_net * ns : 1},
      {.type = VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, .descriptorCount = n_net ? PSEG_NET_TEXELS * n_net * ns : 1}};
  VkDescriptorPoolCreateInfo pi = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
                                   .maxSets = s->n_steps * ns,
                                   .poolSizeCount = 3,
                                   .pPoolSizes = ps};
  if ((r = gpu_check(ctx, ctx->vk.vkCreateDescriptorPool(ctx->device, &pi, NULL, &s->dpool), "vkCreateDescriptorPool")))
    return r;
  size_t nb = PSEG_NET_BINDINGS * (size_t)s->n_steps;
  VkDescriptorSetLayout *layouts = calloc(s->n_steps, sizeof *layouts);
  VkWriteDescriptorSet *writes = calloc(nb, sizeof *writes);
  VkDescriptorBufferInfo *infos = calloc(nb, sizeof *infos);
  s->views = calloc(PSEG_NET_TEXELS * (size_t)(n_net ? n_net : 1) * ns, sizeof *s->views);
  if (!layouts || !writes || !infos || !s->views) {
    r = gpu_fail(ctx, PSEG_ERROR_OUT_OF_HOST_MEMORY, "out of memory");
    goto out;
  }
  for (uint32_t i = 0; i < s->n_steps; i++)
    layouts[i] = gpu_shader_is_net(s->steps[i].shader) ? ctx->set_layout_net : ctx->set_layout;
  for (uint32_t j = 0; j < ns; j++) {
    slot *sl = &s->slots[j];
    if (!s->raw) {
      if ((r = gpu_buffer_create(ctx, nbytes, 1, &sl->img)) || (r = gpu_buffer_create(ctx, nbytes, 1, &sl->mask)))
        goto out;
      if (s->background != PSEG_BACKGROUND_NONE && (r = gpu_buffer_create(ctx, nbytes, 1, &sl->comp))) goto out;
    }
    if (!s->raw && ctx->staged) {
      if ((r = gpu_buffer_create(ctx, nbytes, 0, &sl->dimg)) || (r = gpu_buffer_create(ctx, nbytes, 0, &sl->dmask)))
        goto out;
      if (s->background != PSEG_BACKGROUND_NONE && (r = gpu_buffer_create(ctx, nbytes, 0, &sl->dcomp))) goto out;
    }
    const gpu_buffer *sbufs[4] = {NULL, &sl->img, &sl->mask, &sl->comp};
    if (!s->raw && ctx->staged) sbufs[1] = &sl->dimg, sbufs[2] = &sl->dmask, sbufs[3] = &sl->dcomp;
    VkDescriptorSetAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
                                      .descriptorPool = s->dpool,
                                      .descriptorSetCount = s->n_steps,
                                      .pSetLayouts = layouts};
    if (!(sl->sets = calloc(s->n_steps ? s->n_steps : 1, sizeof *sl->sets))) {
      r = gpu_fail(ctx, PSEG_ERROR_OUT_OF_HOST_MEMORY, "out of memory");
      goto out;
    }
    if (s->n_steps && (r = gpu_check(ctx, ctx->vk.vkAllocateDescriptorSets(ctx->device, &ai, sl->sets), "vkAllocateDescriptorSets")))
      goto out;
    size_t nw = 0;
    for (uint32_t i = 0; i < s->n_steps; i++) {
      int net = gpu_shader_is_net(s->steps[i].shader);
      for (uint32_t k = 0; k < (net ? PSEG_NET_BINDINGS : PSEG_BINDINGS); k++) {
        const binding *b = &s->steps[i].b[k];
        const gpu_buffer *buf = b->sbuf ? sbufs[b->sbuf] : b->buf;
        VkWriteDescriptorSet *w = &writes[nw];
        *w = (VkWriteDescriptorSet){.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = sl->sets[i],
                                    .dstBinding = k, .descriptorCount = 1,
                                    .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER};
        if (net && (k <= 2 || k >= 8)) { /* X, R, G, weights (WTEX), packed X, R, G: uniform texel buffers */
          VkBufferViewCreateInfo vi = {.sType = VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO,
                                       .buffer = buf->buf,
                                       .format = b->format ? b->format : k >= 9 ? VK_FORMAT_R32_UINT : VK_FORMAT_R32G32B32A32_SFLOAT,
                                       .offset = b->off,
                                       .range = b->range ? b->range : VK_WHOLE_SIZE};
          if (buf == &s->dummy) vi.range = 16;
          VkBufferView *view = &s->views[s->n_views];
          if ((r = gpu_check(ctx, ctx->vk.vkCreateBufferView(ctx->device, &vi, NULL, view), "vkCreateBufferView"))) goto out;
          s->n_views++;
          w->descriptorType = VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER;
          w->pTexelBufferView = view;
        } else {
          infos[nw] = (VkDescriptorBufferInfo){.buffer = buf->buf, .offset = b->off,
                                               .range = b->range ? b->range : VK_WHOLE_SIZE};
          if (net && k == 4) w->descriptorType = VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER;
          w->pBufferInfo = &infos[nw];
        }
        nw++;
      }
    }
    ctx->vk.vkUpdateDescriptorSets(ctx->device, (uint32_t)nw, writes, 0, NULL);
    if (ctx->info.timestamps) {
      /* record(): the timestamps */
      s->n_queries = (s->profile ? s->n_steps + 1 : 2) + (ctx->staged && !s->raw ? 2 : 0);
      VkQueryPoolCreateInfo qi = {.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
                                  .queryType = VK_QUERY_TYPE_TIMESTAMP,
                                  .queryCount = s->n_queries};
      if ((r = gpu_check(ctx, ctx->vk.vkCreateQueryPool(ctx->device, &qi, NULL, &sl->queries), "vkCreateQueryPool"))) goto out;
    }
    VkFenceCreateInfo fi = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    if ((r = gpu_check(ctx, ctx->vk.vkCreateFence(ctx->device, &fi, NULL, &sl->fence), "vkCreateFence"))) goto out;
  }
  if (ctx->info.timestamps && !(s->step_us = calloc(s->n_steps ? s->n_steps : 1, sizeof(double))))
    r = gpu_fail(ctx, PSEG_ERROR_OUT_OF_HOST_MEMORY, "out of memory");
out:
  free(layouts), free(writes), free(infos);
  return r;
}

/* The pipelines of a tier's steps, created on all cores (background: on the builder thread,
 * which may be cancelled and leaves the context's last error alone). */
static pseg_result prepare(pseg_session *s, int tier, int background) {
  gpu_pipe_req *reqs = calloc(s->n_steps ? s->n_steps : 1, sizeof *reqs);
  if (!reqs) return gpu_fail(s->ctx, PSEG_ERROR_OUT_OF_HOST_MEMORY, "out of memory");
  uint32_t n = 0;
  for (uint32_t i = 0; i < s->n_steps; i++) {
    const kernel *k = &s->steps[i].k[tier];
    if (!k->skip) reqs[n++] = (gpu_pipe_req){s->steps[i].shader, k->variant, k->spec, k->wspec, k->n_wspec};
  }
  pseg_result r = gpu_pipelines_prepare(s->ctx, reqs, n, background ? &s->cancel : NULL);
  free(reqs);
  if (!r && __atomic_load_n(&s->cancel, __ATOMIC_ACQUIRE)) r = PSEG_ERROR_INVALID_ARGUMENT; /* not all built */
  return r;
}

static pseg_result note_pipeline(pseg_session *s, int tier, VkPipeline p);

/* Record a tier's command buffer for a slot: every step, a barrier after each. */
static pseg_result record(pseg_session *s, int tier, slot *sl) {
  pseg_context *ctx = s->ctx;
  VkCommandBufferAllocateInfo cai = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
                                     .commandPool = ctx->cmd_pool,
                                     .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
                                     .commandBufferCount = 1};
  VkCommandBufferBeginInfo bi = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  VkCommandBuffer cb;
  pseg_result r;
  if ((r = gpu_check(ctx, ctx->vk.vkAllocateCommandBuffers(ctx->device, &cai, &cb), "vkAllocateCommandBuffers"))) return r;
  sl->cb[tier] = cb;
  if ((r = gpu_check(ctx, ctx->vk.vkBeginCommandBuffer(cb, &bi), "vkBeginCommandBuffer"))) return r;
  /* the host's frames, and the frame submitted before (another slot's, sharing the activations)
   * finished with them */
  VkMemoryBarrier before = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
                            .srcAccessMask = VK_ACCESS_HOST_WRITE_BIT | VK_ACCESS_SHADER_WRITE_BIT,
                            .dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT};
  if (sl->queries) {
    ctx->vk.vkCmdResetQueryPool(cb, sl->queries, 0, s->n_queries);
    ctx->vk.vkCmdWriteTimestamp(cb, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, sl->queries, 0);
  }
  int staged = sl->dimg.buf != VK_NULL_HANDLE;
  if (staged) { /* the frames into device memory (the copy engine, in bulk) */
    before.dstAccessMask |= VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
    ctx->vk.vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_HOST_BIT | VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                         VK_PIPELINE_STAGE_TRANSFER_BIT | VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &before, 0, NULL, 0, NULL);
    VkBufferCopy region = {.size = sl->img.size};
    ctx->vk.vkCmdCopyBuffer(cb, sl->img.buf, sl->dimg.buf, 1, &region);
    VkMemoryBarrier copied = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
                              .srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
                              .dstAccessMask = VK_ACCESS_SHADER_READ_BIT};
    ctx->vk.vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &copied, 0,
                         NULL, 0, NULL);
  } else {
    ctx->vk.vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_HOST_BIT | VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                         VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &before, 0, NULL, 0, NULL);
  }
  /* Timestamps: 0 the start; staged, 1 the frames in device memory (q0 = 1, else 0); then
   * (profiling) one after each step, else one after the last; staged, one more once the masks are
   * back in host memory. A timestamp after work makes lavapipe wait for it: no more of them than
   * that. */
  uint32_t q0 = staged ? 1 : 0;
  if (sl->queries && staged) ctx->vk.vkCmdWriteTimestamp(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, sl->queries, 1);
  VkPipeline bound = VK_NULL_HANDLE;
  for (uint32_t i = 0; i < s->n_steps; i++) {
    const step *st = &s->steps[i];
    const kernel *k = &st->k[tier];
    if (k->skip) { /* its timestamp (profiling) still goes in, to keep the query indices */
      if (sl->queries && s->profile)
        ctx->vk.vkCmdWriteTimestamp(cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, sl->queries, q0 + 1 + i);
      continue;
    }
    VkPipeline p;
    gpu_pipe_req q = {st->shader, k->variant, k->spec, k->wspec, k->n_wspec};
    if ((r = gpu_pipeline(ctx, &q, &p))) return r;
    if (sl == &s->slots[0] && (r = note_pipeline(s, tier, p))) return r;
    if (p != bound) ctx->vk.vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, p);
    bound = p;
    VkPipelineLayout pl = gpu_layout(ctx, st->shader);
    ctx->vk.vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, pl, 0, 1, &sl->sets[i], 0, NULL);
    ctx->vk.vkCmdPushConstants(cb, pl, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(pseg_params), &k->pc);
    ctx->vk.vkCmdDispatch(cb, k->groups[0], k->groups[1], k->groups[2]);
    VkMemoryBarrier mb = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
                          .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT,
                          .dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT};
    int last = i + 1 == s->n_steps;
    if (last) mb.dstAccessMask = staged ? VK_ACCESS_TRANSFER_READ_BIT : VK_ACCESS_HOST_READ_BIT;
    if (sl->queries && (s->profile || last))
      ctx->vk.vkCmdWriteTimestamp(cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, sl->queries, q0 + 1 + (s->profile ? i : 0));
    ctx->vk.vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                         !last ? VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT
                               : staged ? VK_PIPELINE_STAGE_TRANSFER_BIT : VK_PIPELINE_STAGE_HOST_BIT,
                         0, 1, &mb, 0, NULL, 0, NULL);
  }
  if (s->prior) { /* this frame's mask is the next frame's prior */
    VkMemoryBarrier done = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
                            .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT,
                            .dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT};
    ctx->vk.vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1, &done, 0, NULL,
                         0, NULL);
    VkBufferCopy pregion = {.size = s->prior_buf.size};
    ctx->vk.vkCmdCopyBuffer(cb, staged ? sl->dmask.buf : sl->mask.buf, s->prior_buf.buf, 1, &pregion);
    VkMemoryBarrier copied = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
                              .srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
                              .dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_HOST_READ_BIT | VK_ACCESS_HOST_WRITE_BIT};
    ctx->vk.vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_HOST_BIT,
                         0, 1, &copied, 0, NULL, 0, NULL);
  }
  if (staged) { /* the masks and composites back to host memory */
    VkBufferCopy mregion = {.size = sl->mask.size}, cregion = {.size = sl->comp.size};
    ctx->vk.vkCmdCopyBuffer(cb, sl->dmask.buf, sl->mask.buf, 1, &mregion);
    if (sl->comp.buf) ctx->vk.vkCmdCopyBuffer(cb, sl->dcomp.buf, sl->comp.buf, 1, &cregion);
    VkMemoryBarrier out = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
                           .srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
                           .dstAccessMask = VK_ACCESS_HOST_READ_BIT};
    ctx->vk.vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &out, 0, NULL, 0, NULL);
  }
  if (sl->queries && staged) ctx->vk.vkCmdWriteTimestamp(cb, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, sl->queries, s->n_queries - 1);
  return gpu_check(ctx, ctx->vk.vkEndCommandBuffer(cb), "vkEndCommandBuffer");
}

/* The background thread: build the fast tier's pipelines (recording happens on the caller's
 * thread, at the next frame: the command pool is not shared across threads). */
static void *build_fast(void *arg) {
  pseg_session *s = arg;
  int ok = prepare(s, 1, 1) == PSEG_SUCCESS;
  __atomic_store_n(&s->fast_built, ok ? 1 : -1, __ATOMIC_RELEASE);
  return NULL;
}

/* Switch to the fast tier when its pipelines are ready (wait: until they are). */
/* The pipelines a tier's command buffers use, each once (collected when slot 0 is recorded). */
static pseg_result note_pipeline(pseg_session *s, int tier, VkPipeline p) {
  for (uint32_t i = 0; i < s->n_tier_pipes[tier]; i++)
    if (s->tier_pipes[tier][i] == p) return PSEG_SUCCESS;
  VkPipeline *n = realloc(s->tier_pipes[tier], (s->n_tier_pipes[tier] + 1) * sizeof *n);
  if (!n) return gpu_fail(s->ctx, PSEG_ERROR_OUT_OF_HOST_MEMORY, "out of memory");
  s->tier_pipes[tier] = n;
  n[s->n_tier_pipes[tier]++] = p;
  gpu_pipeline_use(s->ctx, p, +1, 0);
  return PSEG_SUCCESS;
}

/* Frames run on the fast kernels from now on: free the base tier's command buffers, and the base
 * pipelines no session uses any more (issue 13: lavapipe holds each pipeline's compiled code),
 * then give the heap's free pages back (the fast kernels' compiles on the builder thread leave
 * tens of MB there). */
static void release_base(pseg_session *s) {
  pseg_context *ctx = s->ctx;
  for (int j = 0; j < s->n_slots; j++)
    if (s->slots[j].cb[0]) {
      ctx->vk.vkFreeCommandBuffers(ctx->device, ctx->cmd_pool, 1, &s->slots[j].cb[0]);
      s->slots[j].cb[0] = VK_NULL_HANDLE;
    }
  for (uint32_t i = 0; i < s->n_tier_pipes[0]; i++) {
    int shared = 0; /* also a fast-tier pipeline of this session */
    for (uint32_t k = 0; k < s->n_tier_pipes[1] && !shared; k++) shared = s->tier_pipes[1][k] == s->tier_pipes[0][i];
    gpu_pipeline_use(ctx, s->tier_pipes[0][i], -1, !shared);
  }
  free(s->tier_pipes[0]);
  s->tier_pipes[0] = NULL, s->n_tier_pipes[0] = 0;
  malloc_trim(0);
}

static pseg_result maybe_switch(pseg_session *s, int wait) {
  if (s->tier == 1 || !s->builder_running) return PSEG_SUCCESS;
  if (!wait && !__atomic_load_n(&s->fast_built, __ATOMIC_ACQUIRE)) return PSEG_SUCCESS;
  pthread_join(s->builder, NULL);
  s->builder_running = 0;
  if (s->fast_built < 0) return PSEG_SUCCESS; /* stays on the base kernels */
  pseg_result r = PSEG_SUCCESS;
  for (int j = 0; j < s->n_slots && !r; j++) r = record(s, 1, &s->slots[j]);
  if (!r) s->tier = 1;
  if (!r) release_base(s);
  return r;
}

static pseg_result create(pseg_model *md, const pseg_session_create_info *info, int raw, pseg_session **out) {
  pseg_context *ctx = md->ctx;
  pseg_session *s = calloc(1, sizeof *s);
  if (!s) return gpu_fail(ctx, PSEG_ERROR_OUT_OF_HOST_MEMORY, "out of memory");
  s->ctx = ctx;
  s->model = md;
  s->raw = raw;
  if (!raw) {
    s->width = info->width;
    s->height = info->height;
    s->background = info->background;
    s->profile = (info->flags & PSEG_SESSION_PROFILE) != 0;
    s->smoothing = info->smoothing;
    s->tta = info->tta_flip != 0;
    s->guided = info->guided != 0;
    s->cleanup = info->cleanup != 0;
  }
  s->gpu_ms = s->gpu_compute_ms = -1;
  s->batch = info && info->batch > 1 ? info->batch : 1;
  s->n_slots = raw ? 1 : info->in_flight > 0 ? info->in_flight : 2;
  s->gpu = pseg_context_gpu_tier(ctx) || s->batch > 1 || (info && (info->flags & PSEG_SESSION_GPU_TIER));
  if (md->fmt.n_quant) { /* integer models: qnet.comp, one frame a submit, for now */
    if (s->batch > 1) {
      free(s);
      return gpu_fail(ctx, PSEG_ERROR_UNSUPPORTED, "an integer (int8) model runs one frame a submit (batch 1) for now");
    }
    s->gpu = 0;
  }
  /* (batches run on the GPU tier everywhere) */
  pseg_result r = pseg_model_plan(md, s->gpu, &s->plan);
  if (r) {
    free(s);
    return r;
  }
  /* Raw sessions (the tests) run the fast tier unless PSEG_TIER=base. */
  uint32_t flags = info ? info->flags : PSEG_SESSION_WAIT_FAST;
  const char *tier = getenv("PSEG_TIER");
  if (tier && !strcmp(tier, "base")) flags = (flags & ~(uint32_t)PSEG_SESSION_WAIT_FAST) | PSEG_SESSION_BASE_ONLY;
  if (tier && !strcmp(tier, "fast")) flags = (flags & ~(uint32_t)PSEG_SESSION_BASE_ONLY) | PSEG_SESSION_WAIT_FAST;
  r = build(s, info ? info->background_image : NULL);
  if (!r) r = prepare(s, 0, 0);
  for (int j = 0; j < s->n_slots && !r; j++) r = record(s, 0, &s->slots[j]);
  if (!r && s->want_fast && !(flags & PSEG_SESSION_BASE_ONLY)) {
    if (flags & PSEG_SESSION_WAIT_FAST) {
      r = prepare(s, 1, 0);
      for (int j = 0; j < s->n_slots && !r; j++) r = record(s, 1, &s->slots[j]);
      if (!r) s->tier = 1;
      if (!r) release_base(s);
    } else {
      s->start_builder = 1;
    }
  }
  if (r) {
    pseg_session_destroy(s);
    return r;
  }
  *out = s;
  return PSEG_SUCCESS;
}

pseg_result pseg_session_create(pseg_model *md, const pseg_session_create_info *info, pseg_session **out) {
  if (!md || !info || !out) return PSEG_ERROR_INVALID_ARGUMENT;
  *out = NULL;
  pseg_context *ctx = md->ctx;
  if (info->width < 1 || info->height < 1 || info->width > 16384 || info->height > 16384)
    return gpu_fail(ctx, PSEG_ERROR_INVALID_ARGUMENT, "frame size %dx%d is out of range (1..16384)", info->width,
                    info->height);
  const pseg_fmt_tensor *tin = &md->fmt.tensors[md->fmt.input];
  if (tin->c != 3 && tin->c != 4)
    return gpu_fail(ctx, PSEG_ERROR_INVALID_MODEL,
                    "the model's input has %d channels; frames give 3 (RGB), or 4 with a prior mask", tin->c);
  if (info->background < PSEG_BACKGROUND_NONE || info->background > PSEG_BACKGROUND_IMAGE)
    return gpu_fail(ctx, PSEG_ERROR_INVALID_ARGUMENT, "unknown background mode");
  if (info->background == PSEG_BACKGROUND_IMAGE) {
    pseg_result r = check_image(ctx, info->background_image, "background");
    if (r) return r;
  }
  VkPhysicalDeviceProperties props;
  ctx->vk.vkGetPhysicalDeviceProperties(ctx->phys, &props);
  uint32_t max_batch = props.limits.maxComputeWorkGroupCount[2];
  if (info->batch < 0 || (uint32_t)info->batch > max_batch)
    return gpu_fail(ctx, PSEG_ERROR_INVALID_ARGUMENT, "batch %d is out of range (1..%u on %s)", info->batch, max_batch,
                    ctx->info.name);
  if (info->in_flight < 0 || info->in_flight > PSEG_MAX_IN_FLIGHT)
    return gpu_fail(ctx, PSEG_ERROR_INVALID_ARGUMENT, "in_flight %d is out of range (0..%d)", info->in_flight,
                    PSEG_MAX_IN_FLIGHT);
  if (!(info->smoothing >= 0.0f && info->smoothing < 1.0f))
    return gpu_fail(ctx, PSEG_ERROR_INVALID_ARGUMENT, "smoothing %g is out of range (0: off, or a strength below 1)",
                    (double)info->smoothing);
  if (info->cleanup && info->batch > 1)
    return gpu_fail(ctx, PSEG_ERROR_INVALID_ARGUMENT, "the cleanup runs batch 1, not %d", info->batch);
  if (info->guided && info->batch > 1)
    return gpu_fail(ctx, PSEG_ERROR_INVALID_ARGUMENT, "the guided filter runs batch 1, not %d", info->batch);
  if (info->smoothing > 0.0f && info->batch > 1)
    return gpu_fail(ctx, PSEG_ERROR_INVALID_ARGUMENT,
                    "temporal smoothing needs the frames one after another: batch 1, not %d", info->batch);
  return create(md, info, 0, out);
}

pseg_result pseg__session_create_raw(pseg_model *md, pseg_session **out) { return create(md, NULL, 1, out); }

void pseg_session_destroy(pseg_session *s) {
  if (!s) return;
  pseg_context *ctx = s->ctx;
  if (s->builder_running) { /* stops after the pipelines being built now */
    __atomic_store_n(&s->cancel, 1, __ATOMIC_RELEASE);
    pthread_join(s->builder, NULL);
  }
  ctx->vk.vkDeviceWaitIdle(ctx->device);
  for (int j = 0; j < s->n_slots; j++) {
    slot *sl = &s->slots[j];
    if (sl->fence) ctx->vk.vkDestroyFence(ctx->device, sl->fence, NULL);
    for (int t = 0; t < 2; t++)
      if (sl->cb[t]) ctx->vk.vkFreeCommandBuffers(ctx->device, ctx->cmd_pool, 1, &sl->cb[t]);
    free(sl->sets);
    if (sl->queries) ctx->vk.vkDestroyQueryPool(ctx->device, sl->queries, NULL);
    gpu_buffer_destroy(ctx, &sl->img), gpu_buffer_destroy(ctx, &sl->mask), gpu_buffer_destroy(ctx, &sl->comp);
    gpu_buffer_destroy(ctx, &sl->dimg), gpu_buffer_destroy(ctx, &sl->dmask), gpu_buffer_destroy(ctx, &sl->dcomp);
  }
  for (int t = 0; t < 2; t++) { /* the pipelines stay in the context's cache for later sessions */
    for (uint32_t i = 0; i < s->n_tier_pipes[t]; i++) gpu_pipeline_use(ctx, s->tier_pipes[t][i], -1, 0);
    free(s->tier_pipes[t]);
  }
  if (s->dpool) ctx->vk.vkDestroyDescriptorPool(ctx->device, s->dpool, NULL);
  for (uint32_t i = 0; i < s->n_views; i++) ctx->vk.vkDestroyBufferView(ctx->device, s->views[i], NULL);
  free(s->views);
  free(s->step_us);
  gpu_buffer *bufs[] = {&s->act, &s->tmp1, &s->tmp2, &s->bgimg, &s->dummy, &s->scratch, &s->prior_buf, &s->smooth_buf, &s->gbuf[0], &s->gbuf[1],
                        &s->cbuf[0], &s->cbuf[1]};
  for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++) gpu_buffer_destroy(ctx, bufs[i]);
  free(s->t_off), free(s->t_size), free(s->t16), free(s->t8), free(s->steps), free(s->gk);
  free(s);
}

pseg_result pseg_session_get_stats(const pseg_session *s, pseg_session_stats *out) {
  if (!s || !out) return PSEG_ERROR_INVALID_ARGUMENT;
  memset(out, 0, sizeof *out);
  out->dispatches = 0;
  for (uint32_t i = 0; i < s->n_steps; i++) {
    const kernel *k = &s->steps[i].k[s->tier];
    if (k->skip) continue;
    out->dispatches++;
    int seen = 0; /* the same shader, variant and constants as an earlier step: the same pipeline */
    for (uint32_t j = 0; j < i && !seen; j++) {
      const kernel *e = &s->steps[j].k[s->tier];
      seen = !e->skip && s->steps[j].shader == s->steps[i].shader && e->variant == k->variant &&
             !memcmp(e->spec, k->spec, sizeof k->spec) && e->wspec == k->wspec;
    }
    out->pipelines += !seen;
  }
  pthread_mutex_lock((pthread_mutex_t *)&s->ctx->pipe_lock);
  out->context_pipelines = s->ctx->n_pipes;
  pthread_mutex_unlock((pthread_mutex_t *)&s->ctx->pipe_lock);
  out->weight_bytes = s->plan->weights.size;
  out->activation_bytes = s->act.size;
  const gpu_buffer *io[] = {&s->tmp1, &s->tmp2, &s->bgimg};
  for (size_t i = 0; i < sizeof io / sizeof *io; i++) out->io_bytes += io[i]->size;
  for (int j = 0; j < s->n_slots; j++) {
    const slot *sl = &s->slots[j];
    out->io_bytes += sl->img.size + sl->mask.size + sl->comp.size + sl->dimg.size + sl->dmask.size + sl->dcomp.size;
  }
  out->batch = (uint32_t)s->batch;
  out->latency_ms = s->latency_ms;
  out->in_flight = (uint32_t)s->n_slots;
  out->gpu_ms = s->gpu_ms;
  out->gpu_compute_ms = s->gpu_compute_ms;
  out->fast = s->tier == 1 || !s->want_fast;
  out->tier = s->gpu ? PSEG_TIER_GPU : s->tier == 1 ? PSEG_TIER_FAST : PSEG_TIER_BASE;
  return PSEG_SUCCESS;
}

pseg_result pseg_session_get_profile(const pseg_session *s, pseg_step_profile *out, uint32_t max, uint32_t *count) {
  if (!s || !count) return PSEG_ERROR_INVALID_ARGUMENT;
  if (!s->profile || !s->slots[0].queries)
    return gpu_fail(s->ctx, PSEG_ERROR_UNSUPPORTED,
                    s->slots[0].queries ? "the session was not created with PSEG_SESSION_PROFILE"
                               : "the device has no timestamp queries on its compute queue");
  uint32_t n = 0; /* the dispatches of the tier the last frame ran on */
  for (uint32_t i = 0; i < s->n_steps; i++) {
    const step *st = &s->steps[i];
    if (st->k[s->tier].skip) continue;
    if (n >= max) {
      n++;
      continue;
    }
    pseg_step_profile *p = &out[n++];
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", st->name);
    p->layer = st->layer;
    p->out_h = st->oh, p->out_w = st->ow, p->out_c = st->oc;
    p->us = s->step_us[i];
    p->flops = st->flops;
    p->bytes = st->bytes;
    const kernel *k = &st->k[s->tier];
    const char *q8 = strstr(st->name, " (int8)"); /* the integer convs with packed dot products: "(int8 dot)" */
    if (st->shader == PSEG_SHADER_QNET && (k->variant & PSEG_VARIANT_QDOT) && q8)
      snprintf(p->name, sizeof p->name, "%.*s (int8 dot)%s", (int)(q8 - st->name), st->name, q8 + 7);
    p->workgroups = k->groups[0] * k->groups[1] * k->groups[2];
    /* the CPU tiers' convs and the integer layers size their workgroups per layer (PSEG_SPEC_LSX); every other shader has 64 */
    p->local_size = (st->shader == PSEG_SHADER_CONV || st->shader == PSEG_SHADER_DWCONV || st->shader == PSEG_SHADER_QNET)
                        ? (uint32_t)k->spec[PSEG_SPEC_LSX]
                        : 64;
    p->tile = st->shader == PSEG_SHADER_GCONV || st->shader == PSEG_SHADER_GDWCONV ? (uint32_t)k->spec[KG_TP] : 0;
  }
  *count = n;
  return PSEG_SUCCESS;
}

pseg_result pseg_session_get_pipeline_stats(const pseg_session *s, uint32_t index, pseg_pipeline_stat *out, uint32_t max,
                                            uint32_t *count) {
  if (!s || !count || (max && !out)) return PSEG_ERROR_INVALID_ARGUMENT;
  pseg_context *ctx = s->ctx;
  *count = 0;
  if (!ctx->pipeline_stats)
    return gpu_fail(ctx, PSEG_ERROR_UNSUPPORTED, "%s",
                    ctx->pipeline_stats_missing
                        ? "the driver has no VK_KHR_pipeline_executable_properties (pipelineExecutableInfo): no "
                          "per-pipeline registers, shared memory or spills"
                        : "the context was not created with pipeline_stats = 1");
  const step *st = NULL; /* the index-th dispatch of the tier frames run on */
  for (uint32_t i = 0, k = 0; i < s->n_steps && !st; i++)
    if (!s->steps[i].k[s->tier].skip && k++ == index) st = &s->steps[i];
  if (!st) return gpu_fail(ctx, PSEG_ERROR_INVALID_ARGUMENT, "no dispatch %u", index);
  const kernel *k = &st->k[s->tier];
  gpu_pipe_req q = {st->shader, k->variant, k->spec, k->wspec, k->n_wspec};
  VkPipeline pipe;
  pseg_result r = gpu_pipeline(ctx, &q, &pipe);
  if (r) return r;
  VkPipelineInfoKHR pinfo = {.sType = VK_STRUCTURE_TYPE_PIPELINE_INFO_KHR, .pipeline = pipe};
  uint32_t ne = 0;
  if ((r = gpu_check(ctx, ctx->vk.vkGetPipelineExecutablePropertiesKHR(ctx->device, &pinfo, &ne, NULL),
                     "vkGetPipelineExecutablePropertiesKHR")))
    return r;
  VkPipelineExecutablePropertiesKHR props[8];
  if (ne > 8) ne = 8;
  for (uint32_t e = 0; e < ne; e++) props[e] = (VkPipelineExecutablePropertiesKHR){.sType = VK_STRUCTURE_TYPE_PIPELINE_EXECUTABLE_PROPERTIES_KHR};
  VkResult vr = ctx->vk.vkGetPipelineExecutablePropertiesKHR(ctx->device, &pinfo, &ne, props);
  if (vr != VK_SUCCESS && vr != VK_INCOMPLETE) return gpu_check(ctx, vr, "vkGetPipelineExecutablePropertiesKHR");
  uint32_t n = 0;
  for (uint32_t e = 0; e < ne; e++) {
    VkPipelineExecutableInfoKHR ei = {.sType = VK_STRUCTURE_TYPE_PIPELINE_EXECUTABLE_INFO_KHR, .pipeline = pipe, .executableIndex = e};
    uint32_t nst = 0;
    if ((r = gpu_check(ctx, ctx->vk.vkGetPipelineExecutableStatisticsKHR(ctx->device, &ei, &nst, NULL),
                       "vkGetPipelineExecutableStatisticsKHR")))
      return r;
    VkPipelineExecutableStatisticKHR *sts = calloc(nst ? nst : 1, sizeof *sts);
    if (!sts) return gpu_fail(ctx, PSEG_ERROR_OUT_OF_HOST_MEMORY, "out of memory");
    for (uint32_t j = 0; j < nst; j++) sts[j].sType = VK_STRUCTURE_TYPE_PIPELINE_EXECUTABLE_STATISTIC_KHR;
    vr = ctx->vk.vkGetPipelineExecutableStatisticsKHR(ctx->device, &ei, &nst, sts);
    for (uint32_t j = 0; j < nst && (vr == VK_SUCCESS || vr == VK_INCOMPLETE); j++, n++) {
      if (n >= max) continue;
      pseg_pipeline_stat *o = &out[n];
      if (ne > 1) snprintf(o->name, sizeof o->name, "%.24s: %.36s", props[e].name, sts[j].name);
      else snprintf(o->name, sizeof o->name, "%.63s", sts[j].name);
      snprintf(o->description, sizeof o->description, "%.191s", sts[j].description);
      switch (sts[j].format) {
      case VK_PIPELINE_EXECUTABLE_STATISTIC_FORMAT_BOOL32_KHR: o->value = sts[j].value.b32 ? 1 : 0; break;
      case VK_PIPELINE_EXECUTABLE_STATISTIC_FORMAT_INT64_KHR: o->value = (double)sts[j].value.i64; break;
      case VK_PIPELINE_EXECUTABLE_STATISTIC_FORMAT_UINT64_KHR: o->value = (double)sts[j].value.u64; break;
      default: o->value = sts[j].value.f64; break;
      }
    }
    free(sts);
    if (vr != VK_SUCCESS && vr != VK_INCOMPLETE) return gpu_check(ctx, vr, "vkGetPipelineExecutableStatisticsKHR");
  }
  *count = n;
  return PSEG_SUCCESS;
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

/* Submit slot sl's command buffer (its frames are in place). */
static pseg_result submit_slot(pseg_session *s, slot *sl, uint32_t count, uint64_t *ticket) {
  pseg_context *ctx = s->ctx;
  pseg_result r = maybe_switch(s, 0);
  if (!r) r = gpu_check(ctx, ctx->vk.vkResetFences(ctx->device, 1, &sl->fence), "vkResetFences");
  if (r) return r;
  VkSubmitInfo si = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1, .pCommandBuffers = &sl->cb[s->tier]};
  sl->submitted_ms = now_ms();
  if ((r = gpu_check(ctx, ctx->vk.vkQueueSubmit(ctx->queue, 1, &si, sl->fence), "vkQueueSubmit"))) return r;
  sl->busy = 1, sl->count = count, sl->ticket = ++s->next_ticket, sl->tier = s->tier;
  if (ticket) *ticket = sl->ticket;
  return PSEG_SUCCESS;
}

/* Wait for slot sl, read its timestamps, free it. */
static pseg_result wait_slot(pseg_session *s, slot *sl) {
  pseg_context *ctx = s->ctx;
  /* A tier's first frame may wait for the driver's compiler: lavapipe (Mesa 22) compiles each
   * pipeline with LLVM when it is first dispatched, on its one queue thread, and the int8 model's
   * fast kernels took over 60 s so with an empty shader cache; later frames take milliseconds. */
  uint64_t limit_s = s->tier_ran[sl->tier & 1] ? 60 : 900;
  VkResult vr = ctx->vk.vkWaitForFences(ctx->device, 1, &sl->fence, VK_TRUE, limit_s * 1000 * 1000 * 1000);
  sl->busy = 0;
  if (vr == VK_TIMEOUT)
    return gpu_fail(ctx, PSEG_ERROR_VULKAN, "the GPU did not finish the frame within %d s", (int)limit_s);
  pseg_result r = gpu_check(ctx, vr, "vkWaitForFences");
  if (r) return r;
  s->tier_ran[sl->tier & 1] = 1;
  if (sl->queries) {
    uint64_t *ts = malloc(s->n_queries * sizeof *ts);
    if (!ts) return gpu_fail(ctx, PSEG_ERROR_OUT_OF_HOST_MEMORY, "out of memory");
    uint32_t n = s->n_queries;
    r = gpu_check(ctx, ctx->vk.vkGetQueryPoolResults(ctx->device, sl->queries, 0, n, n * sizeof *ts, ts, sizeof(uint64_t),
                                             VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT),
                  "vkGetQueryPoolResults");
    double ns = ctx->info.timestamp_period_ns;
    if (!r) {
      uint32_t q0 = sl->dimg.buf ? 1 : 0, qend = n - 1 - q0; /* record(): the frames in; the network's end */
      s->gpu_ms = (double)(ts[n - 1] - ts[0]) * ns * 1e-6;
      s->gpu_compute_ms = (double)(ts[qend] - ts[q0]) * ns * 1e-6; /* without the copies */
      if (s->profile)
        for (uint32_t i = 0; q0 + 1 + i <= qend; i++) s->step_us[i] = (double)(ts[q0 + 1 + i] - ts[q0 + i]) * ns * 1e-3;
    }
    free(ts);
    if (r) return r;
  }
  uint32_t vm = __atomic_load_n(&ctx->validation_messages, __ATOMIC_RELAXED);
  if (vm) return gpu_fail(ctx, PSEG_ERROR_VALIDATION, "the Vulkan validation layer reported %u message(s)", vm);
  if (s->start_builder) { /* the first mask is out: now build the fast kernels in the background */
    s->start_builder = 0;
    if (!pthread_create(&s->builder, NULL, build_fast, s)) s->builder_running = 1;
  }
  return PSEG_SUCCESS;
}

pseg_result pseg_session_wait_fast(pseg_session *s) {
  if (!s) return PSEG_ERROR_INVALID_ARGUMENT;
  if (s->start_builder) { /* no frame yet: build them now */
    s->start_builder = 0;
    if (!pthread_create(&s->builder, NULL, build_fast, s)) s->builder_running = 1;
  }
  return maybe_switch(s, 1);
}

pseg_result pseg_session_submit(pseg_session *s, const pseg_image *frames, uint32_t count, uint64_t *ticket) {
  if (!s || s->raw || !frames) return PSEG_ERROR_INVALID_ARGUMENT;
  if (count < 1 || count > (uint32_t)s->batch)
    return gpu_fail(s->ctx, PSEG_ERROR_INVALID_ARGUMENT, "%u frames submitted; the session runs 1..%d at a time", count,
                    s->batch);
  for (uint32_t b = 0; b < count; b++) {
    pseg_result r = check_image(s->ctx, &frames[b], "frame");
    if (r) return r;
    if (frames[b].width != s->width || frames[b].height != s->height)
      return gpu_fail(s->ctx, PSEG_ERROR_INVALID_ARGUMENT, "frame %u is %dx%d but the session was created for %dx%d", b,
                      frames[b].width, frames[b].height, s->width, s->height);
  }
  slot *sl = NULL;
  for (int j = 0; j < s->n_slots && !sl; j++)
    if (!s->slots[j].busy) sl = &s->slots[j];
  if (!sl)
    return gpu_fail(s->ctx, PSEG_ERROR_INVALID_ARGUMENT,
                    "%d submits are in flight already (the session's in_flight): pseg_session_wait for one first",
                    s->n_slots);
  size_t n = (size_t)s->width * s->height;
  host_parallel((host_job){.frames = frames, .dst = (uint32_t *)sl->img.map, .n = n}, count, n);
  return submit_slot(s, sl, count, ticket);
}

pseg_result pseg_session_wait(pseg_session *s, uint64_t ticket, float *masks, uint8_t *composites) {
  if (!s || s->raw) return PSEG_ERROR_INVALID_ARGUMENT;
  slot *sl = NULL;
  for (int j = 0; j < s->n_slots && !sl; j++)
    if (s->slots[j].busy && s->slots[j].ticket == ticket) sl = &s->slots[j];
  if (!sl) return gpu_fail(s->ctx, PSEG_ERROR_INVALID_ARGUMENT, "no submit with ticket %llu is in flight", (unsigned long long)ticket);
  if (composites && s->background == PSEG_BACKGROUND_NONE) /* before the wait: the ticket stays valid */
    return gpu_fail(s->ctx, PSEG_ERROR_INVALID_ARGUMENT, "a composite needs a session with a background");
  pseg_result r = wait_slot(s, sl);
  if (r) return r;
  size_t n = (size_t)s->width * s->height;
  if (masks)
    host_parallel((host_job){.src = sl->mask.map, .out = (uint8_t *)masks, .per = n * sizeof(float)}, sl->count, n);
  if (composites) host_parallel((host_job){.src = sl->comp.map, .out = composites, .per = n * 4}, sl->count, n);
  s->latency_ms = now_ms() - sl->submitted_ms;
  return PSEG_SUCCESS;
}

pseg_result pseg_session_run_batch(pseg_session *s, const pseg_image *frames, uint32_t count, float *masks,
                                   uint8_t *composites) {
  if (!s || s->raw) return PSEG_ERROR_INVALID_ARGUMENT;
  if (composites && s->background == PSEG_BACKGROUND_NONE)
    return gpu_fail(s->ctx, PSEG_ERROR_INVALID_ARGUMENT, "a composite needs a session with a background");
  uint64_t ticket;
  pseg_result r = pseg_session_submit(s, frames, count, &ticket);
  return r ? r : pseg_session_wait(s, ticket, masks, composites);
}

pseg_result pseg_session_run(pseg_session *s, const pseg_image *frame, float *mask, uint8_t *composite) {
  return pseg_session_run_batch(s, frame, 1, mask, composite);
}

int pseg_model_takes_prior(const pseg_model *md) { return md && md->fmt.tensors[md->fmt.input].c == 4; }

/* The running mask of the smoothing: none (-1 everywhere). */
static pseg_result reset_smoothing(pseg_session *s) {
  size_t n = (size_t)s->width * s->height;
  float *v = malloc(n * sizeof(float));
  if (!v) return gpu_fail(s->ctx, PSEG_ERROR_OUT_OF_HOST_MEMORY, "out of memory");
  for (size_t i = 0; i < n; i++) v[i] = -1.0f;
  pseg_result r = gpu_upload(s->ctx, &s->smooth_buf, 0, v, n * sizeof(float));
  free(v);
  return r;
}

pseg_result pseg_session_reset_smoothing(pseg_session *s) {
  if (!s || s->raw) return PSEG_ERROR_INVALID_ARGUMENT;
  if (!(s->smoothing > 0.0f))
    return gpu_fail(s->ctx, PSEG_ERROR_INVALID_ARGUMENT, "the session was created without smoothing");
  for (int j = 0; j < s->n_slots; j++)
    if (s->slots[j].busy)
      return gpu_fail(s->ctx, PSEG_ERROR_INVALID_ARGUMENT,
                      "a frame is in flight: pseg_session_wait for it before resetting the smoothing");
  return reset_smoothing(s);
}

pseg_result pseg_session_set_prior(pseg_session *s, const float *prior) {
  if (!s || s->raw) return PSEG_ERROR_INVALID_ARGUMENT;
  if (!s->prior)
    return gpu_fail(s->ctx, PSEG_ERROR_INVALID_ARGUMENT, "the model takes no prior mask (its graph reads the RGB channels only)");
  for (int j = 0; j < s->n_slots; j++)
    if (s->slots[j].busy)
      return gpu_fail(s->ctx, PSEG_ERROR_INVALID_ARGUMENT,
                      "a frame is in flight: pseg_session_wait for it before setting the prior");
  size_t n = (size_t)s->width * s->height;
  float *dst = s->prior_buf.map;
  for (size_t i = 0; i < n; i++) {
    float v = prior ? prior[i] : 0.0f;
    dst[i] = v > 0.0f ? (v < 1.0f ? v : 1.0f) : 0.0f; /* NaN: 0 */
  }
  return PSEG_SUCCESS;
}

/* Tensor <-> host NHWC float, through the vec4-packed layout of the context's precision. */
static void tensor_io(pseg_session *s, uint32_t t, float *host, int write) {
  const pseg_fmt_tensor *ts = &s->model->fmt.tensors[t];
  int c4 = kc4(ts->c), fp16 = s->t16[t];
  uint8_t *base = (uint8_t *)s->act.map + s->t_off[t];
  for (size_t p = 0; p < (size_t)ts->h * ts->w; p++)
    for (int c = 0; c < c4 * 4; c++) {
      size_t j = p * (size_t)c4 * 4 + (size_t)c;
      if (fp16) {
        uint16_t *d = (uint16_t *)base + j;
        if (write) *d = pseg_float_to_half(c < ts->c ? host[p * ts->c + c] : 0.0f);
        else if (c < ts->c) host[p * ts->c + c] = pseg_half_to_float(*d);
      } else {
        float *d = (float *)base + j;
        if (write) *d = c < ts->c ? host[p * ts->c + c] : 0.0f;
        else if (c < ts->c) host[p * ts->c + c] = *d;
      }
    }
}

pseg_result pseg__session_run_raw(pseg_session *s, const float *input, float *output) {
  if (!s || !s->raw) return PSEG_ERROR_INVALID_ARGUMENT;
  tensor_io(s, s->model->fmt.input, (float *)input, 1);
  pseg_result r = submit_slot(s, &s->slots[0], 1, NULL);
  if (!r) r = wait_slot(s, &s->slots[0]);
  if (r) return r;
  if (output) tensor_io(s, s->model->fmt.output, output, 0);
  return PSEG_SUCCESS;
}

const pseg_plan *pseg__session_plan(const pseg_session *s) { return s->plan; }

void pseg_model_raw_shapes(const pseg_model *md, int input[3], int output[3]) {
  const pseg_fmt_tensor *i = &md->fmt.tensors[md->fmt.input], *o = &md->fmt.tensors[md->fmt.raw_output];
  input[0] = i->h, input[1] = i->w, input[2] = i->c;
  output[0] = o->h, output[1] = o->w, output[2] = o->c;
}

pseg_result pseg_model_run_raw(pseg_model *md, const float *input, float *output) {
  if (!md || !input || !output) return PSEG_ERROR_INVALID_ARGUMENT;
  pseg_session *s;
  pseg_result r = create(md, NULL, 1, &s);
  if (r) return r;
  uint32_t raw = md->fmt.raw_output;
  if (raw != md->fmt.output && s->plan->fused[raw]) {
    pseg_session_destroy(s);
    return gpu_fail(md->ctx, PSEG_ERROR_INVALID_ARGUMENT, "the model's output tensor is computed inside a fused dispatch");
  }
  r = pseg__session_run_raw(s, input, raw == md->fmt.output ? output : NULL);
  if (!r && raw != md->fmt.output) r = pseg__session_read_tensor(s, raw, output);
  pseg_session_destroy(s);
  return r;
}

const char *pseg_tier_name(pseg_tier tier) {
  switch (tier) {
  case PSEG_TIER_BASE: return "base";
  case PSEG_TIER_FAST: return "fast";
  case PSEG_TIER_GPU: return "gpu";
  }
  return "unknown";
}

pseg_result pseg__session_read_tensor(pseg_session *s, uint32_t t, float *out) {
  if (!s || !s->raw || t >= s->model->fmt.n_tensors || s->plan->fused[t]) return PSEG_ERROR_INVALID_ARGUMENT;
  tensor_io(s, t, out, 0);
  return PSEG_SUCCESS;
}
