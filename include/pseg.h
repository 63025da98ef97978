/* pseg — portrait segmentation on Vulkan compute shaders.
 *
 * Life cycle:
 *   pseg_context_create()   one Vulkan instance + device (pick by index or PSEG_DEVICE)
 *   pseg_model_load_*()     parse a .pseg model, upload its weights, build its pipelines
 *   pseg_session_create()   plan for one input size: buffers, descriptor sets and ONE command
 *                           buffer are created and recorded here, once
 *   pseg_session_run()      per frame: copy the image in, one vkQueueSubmit, copy the mask out
 *   pseg_*_destroy()        destroy(NULL) is a no-op
 *
 * Every function that can fail returns a pseg_result (0 = success, errors negative) and leaves a
 * one-line message in pseg_context_last_error(). Handles are not thread-safe: use one context per
 * thread, or serialise calls.
 */
#ifndef PSEG_H
#define PSEG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PSEG_VERSION_MAJOR 1
#define PSEG_VERSION_MINOR 0
#define PSEG_VERSION_PATCH 0

/* The library's exported functions: every other symbol of libpseg.so is hidden. */
#if defined(__GNUC__) || defined(__clang__)
#define PSEG_API __attribute__((visibility("default")))
#else
#define PSEG_API
#endif

/* The library's version, "MAJOR.MINOR.PATCH" (of the library linked, which may differ from the
 * header's PSEG_VERSION_* a program was built with). */
PSEG_API const char *pseg_version(void);

/* Result codes: X(name, value, description). */
#define PSEG_RESULT_MAP(X)                                                                         \
  X(SUCCESS, 0, "success")                                                                         \
  X(ERROR_INVALID_ARGUMENT, -1, "invalid argument")                                                \
  X(ERROR_OUT_OF_HOST_MEMORY, -2, "out of host memory")                                            \
  X(ERROR_OUT_OF_DEVICE_MEMORY, -3, "out of device memory")                                        \
  X(ERROR_NO_DEVICE, -4, "no usable Vulkan device")                                                \
  X(ERROR_VULKAN, -5, "Vulkan error")                                                              \
  X(ERROR_IO, -6, "file could not be read")                                                        \
  X(ERROR_INVALID_MODEL, -7, "invalid or corrupt model")                                           \
  X(ERROR_UNSUPPORTED, -8, "unsupported by this device or build")                                  \
  X(ERROR_VALIDATION, -9, "the Vulkan validation layer reported a problem")

typedef enum pseg_result {
#define PSEG_RESULT_ENUM(name, value, text) PSEG_##name = value,
  PSEG_RESULT_MAP(PSEG_RESULT_ENUM)
#undef PSEG_RESULT_ENUM
} pseg_result;

/* Static description of a result code ("invalid argument", ...). Never NULL. */
PSEG_API const char *pseg_result_string(pseg_result r);

typedef struct pseg_context pseg_context;
typedef struct pseg_model pseg_model;
typedef struct pseg_session pseg_session;

typedef enum pseg_precision {
  PSEG_PRECISION_AUTO = 0, /* fp32 everywhere: the default until fp16 is measured faster */
  PSEG_PRECISION_FP32 = 1, /* fp32 storage and arithmetic */
  PSEG_PRECISION_FP16 = 2  /* fp16 weights; activations fp32 unless fp16_all_activations is set
                              (see README "Precision"); fp32 arithmetic and accumulation.
                              Needs shaderFloat16 and storageBuffer16BitAccess. */
} pseg_precision;

typedef struct pseg_context_create_info {
  int device_index;         /* -1: the PSEG_DEVICE environment variable, else the first device;
                               >= 0: that index of pseg_list_devices() */
  pseg_precision precision; /* a request; pseg_context_precision() tells what took effect */
  int enable_validation;    /* 1: enable VK_LAYER_KHRONOS_validation and count its messages
                               (also enabled by PSEG_VALIDATION=1 in the environment) */
  int fp16_all_activations; /* with FP16: store every activation, the input included, in fp16:
                               half the memory traffic, but the selfie masks then differ from
                               TFLite's by up to ~5e-2 at a few boundary pixels (README) */
  int cpu_threads;          /* worker threads of Mesa's CPU driver (lavapipe), which reads them
                               from LP_NUM_THREADS when the Vulkan instance is created:
                               0 (auto): usable cores + 1 where that is 3 or more and
                               LP_NUM_THREADS is unset (steadier frames, see README "Speed");
                               N > 0: N; -1: leave the environment alone. pseg applies it with
                               setenv() before creating its instance: a program whose other
                               threads may read the environment then should pass -1 (and set
                               LP_NUM_THREADS itself before starting them). No effect on GPUs. */
  int pipeline_stats;       /* 1: have the driver capture each pipeline's statistics (registers,
                               shared memory, spills, instruction counts: VK_KHR_pipeline_
                               executable_properties) for pseg_session_get_pipeline_stats; pipelines
                               may take longer to create. Ignored where the driver lacks it
                               (pseg_context_pipeline_stats() says). */
} pseg_context_create_info;

typedef struct pseg_device_info {
  char name[256];
  char driver[256];      /* driver name and info, when the device reports them */
  uint32_t vendor_id, device_id, driver_version, api_version;
  int is_cpu;            /* a software rasteriser such as lavapipe */
  int fp16;              /* shaderFloat16 + storageBuffer16BitAccess */
  uint32_t subgroup_size;
  int timestamps;        /* compute queue supports timestamp queries */
  float timestamp_period_ns;
  int int8_storage;      /* storageBuffer8BitAccess (pseg does not need it: it packs int8 values four to a
                            32-bit word on every device) */
  int int_dot_product;   /* shaderIntegerDotProduct (VK_KHR_shader_integer_dot_product): integer models'
                            convs sum packed int8 dot products where it is 1 */
  int int_dot_accelerated; /* integerDotProduct4x8BitPackedSignedAccelerated: the device computes
                              them natively (the transposed convs take them too) */
} pseg_device_info;

/* Fill up to max entries; *count receives the number of devices. */
PSEG_API pseg_result pseg_list_devices(pseg_device_info *infos, uint32_t max, uint32_t *count, char *err,
                              size_t errlen);

/* info may be NULL (defaults). *out is NULL on failure; err (optional) receives the reason. */
PSEG_API pseg_result pseg_context_create(const pseg_context_create_info *info, pseg_context **out, char *err,
                                size_t errlen);
PSEG_API void pseg_context_destroy(pseg_context *ctx);
PSEG_API const char *pseg_context_last_error(const pseg_context *ctx);
PSEG_API pseg_precision pseg_context_precision(const pseg_context *ctx); /* FP32 or FP16 */
PSEG_API int pseg_context_fp16_activations(const pseg_context *ctx);     /* 1: activations stored in fp16 */
PSEG_API const pseg_device_info *pseg_context_device(const pseg_context *ctx);
/* The largest frame (width x height) a session on this context takes: its frames and masks must
 * fit one storage buffer (maxStorageBufferRange / 4), and 16384 x 16384. Check an image's header
 * against it before decoding it. */
PSEG_API uint64_t pseg_context_max_frame_pixels(const pseg_context *ctx);
/* Worker threads of Mesa's CPU driver (LP_NUM_THREADS in effect when the context was made, else
 * Mesa's default, the core count; Mesa caps large values, 16 in Mesa 22.3); 0 for a GPU, or for
 * lavapipe running the shaders on the submitting thread. */
PSEG_API int pseg_context_cpu_threads(const pseg_context *ctx);
/* 1 when the context captures pipeline statistics (asked for, and the driver has
 * VK_KHR_pipeline_executable_properties with pipelineExecutableInfo). */
PSEG_API int pseg_context_pipeline_stats(const pseg_context *ctx);
/* Number of messages the validation layer reported so far (0 when validation is off). */
PSEG_API uint32_t pseg_context_validation_messages(const pseg_context *ctx);

typedef enum pseg_builtin_model {
  PSEG_MODEL_SELFIE = 0,          /* MediaPipe selfie segmentation, general, 256x256 */
  PSEG_MODEL_SELFIE_LANDSCAPE = 1 /* MediaPipe selfie segmentation, landscape, 256 wide x 144 high */
} pseg_builtin_model;

PSEG_API pseg_result pseg_model_load_builtin(pseg_context *ctx, pseg_builtin_model which, pseg_model **out);
PSEG_API pseg_result pseg_model_load_file(pseg_context *ctx, const char *path, pseg_model **out);
PSEG_API pseg_result pseg_model_load_memory(pseg_context *ctx, const void *data, size_t size, pseg_model **out);
PSEG_API void pseg_model_destroy(pseg_model *model);
/* The model's input size (images of any size are stretched to it). */
PSEG_API void pseg_model_input_size(const pseg_model *model, int *width, int *height);

/* The network alone, for differential tests against another runtime (`pseg run`): the shapes
 * (height, width, channels) of its input tensor and of the model's own output tensor (before the
 * sigmoid or softmax pseg appends to a raw-logits output), and one run from the first (NHWC
 * float32, no pre-processing) to the second (NHWC float32). A model whose first op kept only the
 * first channels of its input reports those. Builds and frees a session of its own on each call:
 * not for the hot path. */
PSEG_API void pseg_model_raw_shapes(const pseg_model *model, int input[3], int output[3]);
PSEG_API pseg_result pseg_model_run_raw(pseg_model *model, const float *input, float *output);
/* Number of dispatches the network records (layers after fusion), on the fast kernels (the base
 * kernels may record a few more: README "Speed and profiling"). */
PSEG_API uint32_t pseg_model_layer_count(const pseg_model *model);

typedef enum pseg_pixel_format {
  PSEG_PIXEL_RGB8 = 0,  /* 3 bytes per pixel */
  PSEG_PIXEL_RGBA8 = 1  /* 4 bytes per pixel, alpha ignored */
} pseg_pixel_format;

typedef struct pseg_image {
  int width, height;
  pseg_pixel_format format;
  size_t stride;        /* bytes per row; 0 = tightly packed */
  const uint8_t *pixels;
} pseg_image;

typedef enum pseg_background {
  PSEG_BACKGROUND_NONE = 0,  /* mask only */
  PSEG_BACKGROUND_BLUR = 1,  /* composite over a blurred copy of the frame */
  PSEG_BACKGROUND_IMAGE = 2  /* composite over background_image, stretched to the frame */
} pseg_background;

/* Kernel tiers. On GPUs (discrete, integrated, mobile) a session runs the GPU tier: kernels
 * shaped for a GPU (tiles of pixels x channels per workgroup, shared memory between the phases of
 * a fused dispatch, reductions split over workgroups, frames of a batch over the grid), with the
 * weights in a buffer. On CPU drivers (lavapipe) it runs two other tiers: the base kernels are
 * generic and quick to build; the fast kernels are specialised per layer with the weights
 * compiled in and take seconds to build there. By default such a session is ready as soon as the
 * base kernels are, builds the fast ones on a background thread and switches to them at the
 * first frame after they are ready: the first mask comes quickly and later frames run fast.
 * PSEG_TIER=gpu in the environment runs the GPU tier on any device (the tests do, on lavapipe);
 * PSEG_TIER=base or =fast the CPU tiers on any device, and act like the flags below. */
typedef enum pseg_tier {
  PSEG_TIER_BASE = 0, /* CPU driver: generic kernels, weights in buffers */
  PSEG_TIER_FAST = 1, /* CPU driver: weights as specialization constants */
  PSEG_TIER_GPU = 2   /* GPU-shaped kernels */
} pseg_tier;
PSEG_API const char *pseg_tier_name(pseg_tier tier); /* "base", "fast", "gpu" */

enum {
  PSEG_SESSION_PROFILE = 1,   /* record a GPU timestamp after every dispatch (pseg_session_get_profile) */
  PSEG_SESSION_WAIT_FAST = 2, /* pseg_session_create returns once the fast kernels are built */
  PSEG_SESSION_BASE_ONLY = 4, /* never build the fast kernels */
  PSEG_SESSION_GPU_TIER = 8   /* run the GPU tier whatever the device (as PSEG_TIER=gpu) */
};

typedef struct pseg_session_create_info {
  int width, height;                 /* size of the frames that will be run */
  uint32_t flags;                    /* PSEG_SESSION_* */
  pseg_background background;
  const pseg_image *background_image; /* for PSEG_BACKGROUND_IMAGE; copied at creation */
  int batch;     /* frames one submit runs together, as a dimension of every dispatch (0 or 1:
                    one frame). A session with batch > 1 runs the GPU tier on any device. */
  int in_flight; /* submits that may be pending at once (pseg_session_submit): 0 = 2, at most 8;
                    each has its own frame, mask and composite buffers */
  float smoothing; /* temporal smoothing of a sequence of frames' masks, on the GPU: 0 = off (photos,
                      independent frames), else its strength in (0, 1). Each pixel's mask is a
                      running mask r moved toward the frame's probability p by a weight that rises
                      smoothly from 1 - smoothing where they nearly agree (|p - r| <= 0.3: noise,
                      jitter) to 1 where they disagree entirely (a real change is not delayed);
                      the composite uses the smoothed mask. 0.7 halves the flicker of jittered
                      still scenes at no IoU cost (README). Frames must come in order; batch 1.
                      pseg_session_reset_smoothing starts a new sequence (a cut, a seek). */
  int guided;      /* 1: edge-aware upsampling of the mask: a fast guided filter with the frame's
                      luma as the guide refines the bilinear mask (README "Better masks"); batch 1 */
  int cleanup;     /* 1: keep the largest region of the person and fill its holes (decided on cells
                      of at most 256 a side; README "Cleanup": worse on the dev portraits, off by
                      default); batch 1 */
  int tta_flip;    /* 1: test-time augmentation: the network runs on the frame and on its mirror image
                      and the two masks are averaged (twice the network's time; the dev portraits'
                      IoU: README "Better masks"). The composite uses the averaged mask. */
} pseg_session_create_info;

/* The smoothing strength for video (bench/flicker.c on the dev portraits: the flicker of jittered
 * still scenes to 38 %, the mean IoU within 0.002). */
#define PSEG_SMOOTHING_VIDEO 0.7f

PSEG_API pseg_result pseg_session_create(pseg_model *model, const pseg_session_create_info *info,
                                pseg_session **out);
PSEG_API void pseg_session_destroy(pseg_session *s);

/* Run one frame. mask (may be NULL): width*height floats, the person probability in [0, 1].
 * composite (may be NULL; needs a background): width*height*4 bytes RGBA8, I = aF + (1-a)B. */
PSEG_API pseg_result pseg_session_run(pseg_session *s, const pseg_image *frame, float *mask, uint8_t *composite);

/* Models with a 4-channel input, RGB + a prior mask (the person probability of the frame before,
 * as video portrait models are trained): pseg_model_takes_prior() says so (3-channel models: 0).
 * A session feeds each frame's mask back as the next frame's prior by itself (the prior is 0
 * before the first frame); pseg_session_set_prior() replaces the prior of the next frame with
 * width x height floats of the session's frame size in [0, 1] (stretched to the model's input
 * like the frame; NULL: zeros, to start a new sequence). Not while a frame is in flight; such
 * sessions run batch 1. Sessions of 3-channel models: PSEG_ERROR_INVALID_ARGUMENT. */
PSEG_API int pseg_model_takes_prior(const pseg_model *model);
/* The next frame of a session with smoothing starts a new sequence: its mask is its own
 * probability. Not while a frame is in flight. Sessions without smoothing:
 * PSEG_ERROR_INVALID_ARGUMENT. */
PSEG_API pseg_result pseg_session_reset_smoothing(pseg_session *s);
PSEG_API pseg_result pseg_session_set_prior(pseg_session *s, const float *prior);

/* Run count (1..batch) frames in one submit: masks receive count masks one after the other
 * (count*width*height floats), composites count composites. Frames past count in the batch are
 * computed from stale data and not returned. */
PSEG_API pseg_result pseg_session_run_batch(pseg_session *s, const pseg_image *frames, uint32_t count, float *masks,
                                   uint8_t *composites);

/* Pipelined frames: submit copies count frames (1..batch) in and starts the GPU on them, and
 * returns at once with a ticket; wait blocks until that submit is done and copies its masks (and
 * composites) out. Up to in_flight submits may be pending; submit fails when that many are (wait
 * for one first). A camera loop submits frame k+1, then waits for frame k: the GPU runs one
 * submit after the other without a gap, and a frame's latency (submit to mask) stays about one
 * frame's GPU time plus the copies. Waits may come in any order; each ticket is waited for once. */
PSEG_API pseg_result pseg_session_submit(pseg_session *s, const pseg_image *frames, uint32_t count, uint64_t *ticket);
PSEG_API pseg_result pseg_session_wait(pseg_session *s, uint64_t ticket, float *masks, uint8_t *composites);

/* Block until the session's frames run on its fast kernels (see PSEG_SESSION_WAIT_FAST); returns
 * at once when they already do, when the device needs no others, or with PSEG_SESSION_BASE_ONLY. */
PSEG_API pseg_result pseg_session_wait_fast(pseg_session *s);

typedef struct pseg_session_stats {
  uint32_t dispatches;       /* compute dispatches in the frame's command buffer */
  uint64_t weight_bytes;     /* device memory holding the model's packed weights */
  uint64_t activation_bytes; /* device memory holding the network's activations */
  uint64_t io_bytes;         /* frame, mask, composite and background buffers */
  double gpu_ms;             /* GPU time of the last submit (all its batch) from timestamp queries;
                                -1 if unsupported */
  double gpu_compute_ms;     /* the same without copying the frames in and the masks out (a
                                discrete GPU's copy engine; equal elsewhere) */
  int fast;                  /* 1: the last frame ran on the fast kernels (or the device needs no others) */
  pseg_tier tier;            /* the tier the last frame ran on */
  uint32_t batch, in_flight; /* as created (batch >= 1, in_flight >= 1) */
  double latency_ms;         /* the last waited submit: from pseg_session_submit to its wait's end */
  uint32_t pipelines;        /* distinct compute pipelines the frames run (what a cold start compiles) */
  uint32_t context_pipelines; /* pipelines the context holds now, for all its sessions: a session
                                 that moved to its fast kernels releases the base ones no session
                                 uses any more */
} pseg_session_stats;

PSEG_API pseg_result pseg_session_get_stats(const pseg_session *s, pseg_session_stats *out);

/* Per-dispatch GPU times of the last frame (session created with PSEG_SESSION_PROFILE). */
typedef struct pseg_step_profile {
  char name[48];            /* "conv2d+relu", "pre", "mask", ... */
  int layer;                /* model layer index, -1 for pre/post-processing */
  int out_h, out_w, out_c;  /* output shape */
  double us;                /* GPU time in microseconds */
  double flops;             /* floating-point operations (2 per multiply-add) */
  double bytes;             /* bytes read and written, counting each tensor and weight once */
  uint32_t workgroups;      /* workgroups dispatched (all frames of a batch) */
  uint32_t local_size;      /* invocations a workgroup */
  uint32_t tile;            /* GPU tier: output pixels a workgroup (shaders/g*.comp TP); 0 elsewhere */
} pseg_step_profile;

PSEG_API pseg_result pseg_session_get_profile(const pseg_session *s, pseg_step_profile *out, uint32_t max,
                                     uint32_t *count);

/* What the driver reports about the pipeline of dispatch `index` (pseg_session_get_profile's
 * order) through VK_KHR_pipeline_executable_properties, in its own names: registers, shared
 * memory, spills, instruction counts... One entry per statistic of each executable (a compute
 * pipeline usually has one; with several, the name starts with the executable's). Needs a
 * context created with pipeline_stats = 1 on a driver that has the extension, else
 * PSEG_ERROR_UNSUPPORTED with the reason. */
typedef struct pseg_pipeline_stat {
  char name[64];
  char description[192];
  double value; /* booleans 0/1, integers and floats as reported */
} pseg_pipeline_stat;
PSEG_API pseg_result pseg_session_get_pipeline_stats(const pseg_session *s, uint32_t index, pseg_pipeline_stat *out, uint32_t max,
                                            uint32_t *count);

/* ---- conformance of output heads (see README "Conformance of output heads", docs/conformance.md) ---- */

/* The output heads of the conformance suite (pseg conformance softmax, docs/conformance.md), run
 * as one dispatch on the context's device. Each head exists in a naive form (exp of the raw logits)
 * and a stable form (max subtraction / log domain, compensated sum), in fp32 or fp16 arithmetic. */
typedef enum pseg_head {
  PSEG_HEAD_SOFTMAX = 0,   /* softmax over the channels of each pixel */
  PSEG_HEAD_LOGISTIC = 1,  /* sigmoid of every value */
  PSEG_HEAD_SIGSOFTMAX = 2 /* exp(x_i) sigmoid(x_i) / sum_j exp(x_j) sigmoid(x_j) (Kanai et al. 2018) */
} pseg_head;

/* pixels x channels fp32 logits (pixel-major) in, the same layout out. fp16_math needs a context
 * created with PSEG_PRECISION_FP16 (shaderFloat16), else PSEG_ERROR_UNSUPPORTED. */
PSEG_API pseg_result pseg_head_run(pseg_context *ctx, pseg_head head, int stable, int fp16_math, const float *logits,
                          uint32_t pixels, uint32_t channels, float *out);

/* The reductions of the conformance suite (pseg conformance reductions, docs/conformance.md), one
 * dispatch: PSEG_REDUCE_MEAN averages each channel over the pixels (one workgroup a channel, a
 * strided share per invocation, then a shared-memory tree: the shape of squeeze-excite pooling);
 * PSEG_REDUCE_CHANNEL_SUM sums each pixel's channels in order. Inputs: pixels x channels fp16
 * values (IEEE half bits, pixel-major); out: channels (MEAN) or pixels (CHANNEL_SUM) floats. */
typedef enum pseg_reduce_op { PSEG_REDUCE_MEAN = 0, PSEG_REDUCE_CHANNEL_SUM = 1 } pseg_reduce_op;
typedef enum pseg_reduce_acc {
  PSEG_ACC_FP16 = 0,           /* float16_t sum, then divide (the naive form) */
  PSEG_ACC_FP16_PRESCALED = 1, /* float16_t sum of terms each scaled by 1/N first (MEAN only) */
  PSEG_ACC_FP32 = 2            /* fp32 sum: what pseg's own kernels do in every precision */
} pseg_reduce_acc;
/* The fp16 accumulations need a context created with PSEG_PRECISION_FP16 (shaderFloat16). */
PSEG_API pseg_result pseg_reduce_run(pseg_context *ctx, pseg_reduce_op op, pseg_reduce_acc acc, const uint16_t *halves,
                            uint32_t pixels, uint32_t channels, float *out);

/* What the device's driver says about its numerics (Vulkan 1.2 driver and float-controls
 * properties; all 0 / "" on a Vulkan 1.1 device). */
typedef struct pseg_head_device {
  uint32_t driver_id;           /* VkDriverId */
  char driver_name[256];        /* driverName and driverInfo */
  char conformance_version[32]; /* CTS version the driver passed, "major.minor.subminor.patch" */
  int denorm_preserve16, denorm_preserve32;     /* shaderDenormPreserveFloat16/32 */
  int denorm_flush16, denorm_flush32;           /* shaderDenormFlushToZeroFloat16/32 */
  int inf_nan_preserve16, inf_nan_preserve32;   /* shaderSignedZeroInfNanPreserveFloat16/32 */
} pseg_head_device;
PSEG_API void pseg_head_device_info(const pseg_context *ctx, pseg_head_device *out);

#ifdef __cplusplus
}
#endif
#endif
