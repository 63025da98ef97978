/* The Vulkan layer: instance and device, memory, pipelines, command submission. */
#ifndef PSEG_GPU_H
#define PSEG_GPU_H

#include <pthread.h>
#include <volk.h>

#include "../include/pseg.h"
#include "../kernels/kernels.h"

/* Descriptor set layouts. "io" (the video filters, conformance heads, and the GPU tier's
 * shaders, shaders/common/gnet.glsl, its pre/post-processing gio.comp too): 8 storage buffers, 0
 * input, 1/2 more inputs, 3 output, 4-7 as each shader says. "net" (the CPU tiers' layers and
 * their pre-processing pre.comp, shaders/common/net.glsl): 0-2 uniform
 * texel buffers (inputs), 3 storage buffer (output), 4 uniform buffer and 5 storage buffer
 * (weights), 6 storage buffer (a second output), 7 storage buffer (squeeze-excite weights), 8
 * uniform texel buffer (weights too large for the uniform buffer: variant WTEX), 9-11 uniform
 * texel buffers: inputs 0-2 when they are int8 tensors packed four to a 32-bit word (qnet.comp
 * PK: R32_UINT views; a dummy elsewhere). */
#define PSEG_BINDINGS 8
#define PSEG_NET_BINDINGS 12
#define PSEG_NET_TEXELS 7 /* the uniform texel buffers among them: 0-2, 8, 9-11 */

/* The Vulkan entry points of one context (issue 13): loaded from its own instance and device, so
 * contexts with and without the validation layer, or on two drivers, never share them (volk's
 * process-wide pointers would: each context creation overwrote them for every other context).
 * Only the loader's global functions (vkCreateInstance, vkEnumerateInstance*) stay volk's,
 * loaded once. Call sites: ctx->vk.vkFoo(...). */
#define PSEG_VK_INSTANCE_FUNCS(X) \
  X(vkDestroyInstance) X(vkEnumeratePhysicalDevices) X(vkGetPhysicalDeviceProperties) \
  X(vkGetPhysicalDeviceProperties2) X(vkGetPhysicalDeviceFeatures) \
  X(vkGetPhysicalDeviceFeatures2) X(vkGetPhysicalDeviceQueueFamilyProperties) \
  X(vkGetPhysicalDeviceMemoryProperties) X(vkEnumerateDeviceExtensionProperties) \
  X(vkCreateDevice) X(vkGetDeviceProcAddr) X(vkCreateDebugUtilsMessengerEXT) \
  X(vkDestroyDebugUtilsMessengerEXT)
#define PSEG_VK_DEVICE_FUNCS(X) \
  X(vkAllocateCommandBuffers) X(vkAllocateDescriptorSets) X(vkAllocateMemory) \
  X(vkBeginCommandBuffer) X(vkBindBufferMemory) X(vkCmdBindDescriptorSets) X(vkCmdBindPipeline) \
  X(vkCmdCopyBuffer) X(vkCmdDispatch) X(vkCmdPipelineBarrier) X(vkCmdPushConstants) \
  X(vkCmdResetQueryPool) X(vkCmdWriteTimestamp) X(vkCreateBuffer) X(vkCreateBufferView) \
  X(vkCreateCommandPool) X(vkCreateComputePipelines) X(vkCreateDescriptorPool) \
  X(vkCreateDescriptorSetLayout) X(vkCreateFence) X(vkCreatePipelineCache) \
  X(vkCreatePipelineLayout) X(vkCreateQueryPool) X(vkCreateShaderModule) X(vkDestroyBuffer) \
  X(vkDestroyBufferView) X(vkDestroyCommandPool) X(vkDestroyDescriptorPool) \
  X(vkDestroyDescriptorSetLayout) X(vkDestroyDevice) X(vkDestroyFence) X(vkDestroyPipeline) \
  X(vkDestroyPipelineCache) X(vkDestroyPipelineLayout) X(vkDestroyQueryPool) \
  X(vkDestroyShaderModule) X(vkDeviceWaitIdle) X(vkEndCommandBuffer) X(vkFreeCommandBuffers) \
  X(vkFreeMemory) X(vkGetBufferMemoryRequirements) X(vkGetDeviceQueue) X(vkGetPipelineCacheData) \
  X(vkGetPipelineExecutablePropertiesKHR) X(vkGetPipelineExecutableStatisticsKHR) \
  X(vkGetQueryPoolResults) X(vkMapMemory) X(vkQueueSubmit) X(vkResetFences) \
  X(vkUpdateDescriptorSets) X(vkWaitForFences)
typedef struct pseg_vk {
#define PSEG_VK_MEMBER(fn) PFN_##fn fn;
  PSEG_VK_INSTANCE_FUNCS(PSEG_VK_MEMBER)
  PSEG_VK_DEVICE_FUNCS(PSEG_VK_MEMBER)
#undef PSEG_VK_MEMBER
} pseg_vk;
/* volkInitialize once per process (thread-safe); 0 on success */
int pseg_vk_init_loader(void);
void pseg_vk_load_instance(pseg_vk *vk, VkInstance instance);
void pseg_vk_load_device(pseg_vk *vk, VkDevice device);

typedef struct gpu_buffer {
  VkBuffer buf;
  VkDeviceMemory mem;
  VkDeviceSize size;
  void *map; /* non-NULL when host visible */
} gpu_buffer;

struct pseg_context {
  pseg_vk vk; /* this context's entry points (above) */
  VkInstance instance;
  VkDebugUtilsMessengerEXT messenger;
  VkPhysicalDevice phys;
  VkDevice device;
  VkQueue queue;
  uint32_t queue_family;
  VkPhysicalDeviceMemoryProperties mem_props;
  VkDeviceSize align; /* storage buffer offset alignment */
  VkDescriptorSetLayout set_layout, set_layout_net; /* "io" and "net" (above) */
  VkPipelineLayout pipeline_layout, pipeline_layout_net;
  VkDeviceSize max_ubo_range, max_ssbo_range;
  uint32_t max_texel_elements; /* maxTexelBufferElements */
  int int64;                   /* shaderInt64 (enabled): weights can be specialization constants */
  int wspec;                   /* put weights in specialization constants (CPU drivers; PSEG_WEIGHTS) */
  int wstorage;                /* buffer weights from the storage buffer only, never a uniform or
                                  texel buffer (PSEG_WEIGHTS=storage: the tests cover that path) */
  int wnotexel;                /* no texel-buffer weights (PSEG_WEIGHTS=no-texel: to measure them) */
  int cpu_threads;             /* a CPU driver's worker threads (LP_NUM_THREADS at creation) */
  int cpu_cores;               /* cores this process may run on, at creation (sched_getaffinity) */
  int gpu_tier;                /* sessions run the GPU tier by default (pseg_context_gpu_tier) */
  int subgroup_shuffle;        /* subgroup shuffles in compute shaders (gpool.comp's variant) */
  int staged;                  /* frames and masks go through device-local copies (a discrete GPU:
                                  shaders then never read or write host memory; PSEG_STAGING=0|1) */
  int f16_math;                /* GPU tier, fp16-all: fp16 products in the convs (PSEG_F16MATH=1) */
  int gunroll;                 /* GPU tier: gconv / gdwconv inner loops 4 steps at a time (4; PSEG_GUNROLL=0: 0) */
  int gse_inflight;            /* GPU tier: partial sums a tail invocation loads at once (8; PSEG_GSE_INFLIGHT=16) */
  int int8_packed;             /* integer models' int8 tensors stored four values to a 32-bit word where
                                  only integer layers read and write them (PSEG_INT8_STORAGE=0: not) */
  int qdot;                    /* integer convs take packed dot products (VK_KHR_shader_integer_dot_product,
                                  enabled where the device has it; PSEG_QDOT=0: not, runtime/context.c) */
  int qdot_tconv;              /* and the transposed convs (where accelerated; PSEG_QDOT=all) */
  int pipeline_stats;          /* pipelines capture statistics (VK_KHR_pipeline_executable_properties) */
  int pipeline_stats_missing;  /* asked for, but the driver lacks them */
  struct gpu_pipe {
    pseg_shader shader;
    unsigned variant;
    int32_t spec[PSEG_MAX_SPEC];
    uint64_t *wspec; /* weight constants (owned), WSPEC variant */
    uint32_t n_wspec;
    VkPipeline pipeline;
    uint32_t users; /* sessions whose recorded command buffers use it (gpu_pipeline_use) */
  } *pipes; /* created on first use, by (shader, variant, specialization) */
  pthread_mutex_t pipe_lock; /* guards pipes: sessions build their fast kernels on a thread */
  uint32_t n_pipes, cap_pipes;
  VkPipelineCache pipeline_cache;
  char cache_path[512]; /* where the pipeline cache is loaded from and saved to; "" = none */
  size_t cache_loaded_size;
  VkCommandPool cmd_pool;
  pseg_precision precision; /* FP32 or FP16 */
  int fp16_all;             /* FP16: every activation in fp16, not only the low-resolution ones */
  pseg_device_info info;
  int validation;
  uint32_t validation_messages;
  char last_error[512];
};

pseg_result gpu_fail(pseg_context *ctx, pseg_result r, const char *fmt, ...);
pseg_result gpu_check(pseg_context *ctx, VkResult vr, const char *what);

pseg_result gpu_buffer_create(pseg_context *ctx, VkDeviceSize size, int host_visible, gpu_buffer *out);
void gpu_buffer_destroy(pseg_context *ctx, gpu_buffer *b);
/* Copy host data into a buffer (mapped: memcpy; else through a staging buffer). */
pseg_result gpu_upload(pseg_context *ctx, gpu_buffer *dst, VkDeviceSize off, const void *data, VkDeviceSize size);

/* Variant bits of a dispatch (the SPIR-V built for it, CMakeLists.txt): output in fp16, weights
 * in fp16, weights in a uniform buffer, weights in specialization constants, a squeeze-excite
 * block computed in the conv (conv.comp SE_R4; kept out of the other variants, which build
 * faster without it). */
enum { PSEG_VARIANT_O16 = 1, PSEG_VARIANT_W16 = 2, PSEG_VARIANT_WUBO = 4, PSEG_VARIANT_WSPEC = 8, PSEG_VARIANT_SE = 16,
       PSEG_VARIANT_NPX = 16, /* without WSPEC (conv, dwconv): NPX pixels an invocation, conv MODE 6 */
       PSEG_VARIANT_QDOT = 16, /* qnet.comp: packed integer dot products in the convs */
       PSEG_VARIANT_SUBGROUP = 128, /* gpool.comp: subgroup shuffles */
       PSEG_VARIANT_WTEX = 128, /* the CPU tiers' conv / dwconv: weights through a uniform texel buffer */
       PSEG_VARIANT_F16MATH = 4 /* the GPU tier's gconv / gdwconv (no WUBO there): fp16 products (fp16-all) */ };
/* With WSPEC, bits 5-6 pick the size of the shader's weight array: tier t holds
 * pseg_wspec_tier(t) uint64 constants. */
#define PSEG_VARIANT_TIER_SHIFT 5
static inline uint32_t pseg_wspec_tier(unsigned t) {
  static const uint32_t n[4] = {64, 256, 1024, 2023};
  return n[t & 3];
}

/* The layers, the CPU tiers' pre-processing, the mask, the blur and the composite use the "net"
 * layout (texel-buffer inputs); the GPU tier's shaders and the video filters the "io" one. */
static inline int gpu_shader_is_gpu_tier(pseg_shader s) { /* shaders/g*.comp (the map is in name order) */
  return s == PSEG_SHADER_GCONV || s == PSEG_SHADER_GDWCONV || s == PSEG_SHADER_GPOOL || s == PSEG_SHADER_GPIX ||
         s == PSEG_SHADER_GIO;
}
static inline int gpu_shader_is_net(pseg_shader s) {
  return s != PSEG_SHADER_SMOOTH && s != PSEG_SHADER_GUIDED && s != PSEG_SHADER_CLEANUP &&
         !gpu_shader_is_gpu_tier(s);
}
static inline VkPipelineLayout gpu_layout(const pseg_context *ctx, pseg_shader s) {
  return gpu_shader_is_net(s) ? ctx->pipeline_layout_net : ctx->pipeline_layout;
}

/* A pipeline request: shader, variant, the PSEG_MAX_SPEC int constants and, for WSPEC, the
 * weight constants (ids PSEG_SPEC_WEIGHTS..). */
typedef struct gpu_pipe_req {
  pseg_shader shader;
  unsigned variant;
  const int32_t *spec;
  const uint64_t *wspec;
  uint32_t n_wspec;
} gpu_pipe_req;

/* The pipeline of a request (created on first use, then kept by the context). */
pseg_result gpu_pipeline(pseg_context *ctx, const gpu_pipe_req *q, VkPipeline *out);
/* A session's recorded tier uses pipeline p (delta +1) or no longer does (-1). With -1 and
 * destroy_unused, a pipeline no session uses any more is destroyed and forgotten (made again if
 * asked for later): the base tier's, once a session runs on its fast kernels. */
void gpu_pipeline_use(pseg_context *ctx, VkPipeline p, int delta, int destroy_unused);

/* Create, on all cores, the pipelines of these requests that the context does not have yet.
 * cancel (may be NULL): when it becomes non-zero, no further pipeline is started. */
pseg_result gpu_pipelines_prepare(pseg_context *ctx, const gpu_pipe_req *reqs, uint32_t n, const int *cancel);

/* Load / save the context's VkPipelineCache ($XDG_CACHE_HOME/pseg or ~/.cache/pseg). */
void gpu_pipeline_cache_open(pseg_context *ctx);
void gpu_pipeline_cache_save(pseg_context *ctx);

/* A compute pipeline from SPIR-V, with the "io" layout (storage buffers + pseg_params) and
 * optional specialization constants 0..nspec-1 (int32). */
pseg_result gpu_pipeline_create(pseg_context *ctx, const uint32_t *code, size_t size, const int32_t *spec,
                                uint32_t nspec, VkPipeline *out);

/* Record, submit and wait for one dispatch (tests and tools; not for the frame path). */
pseg_result gpu_dispatch_once(pseg_context *ctx, VkPipeline pipeline, gpu_buffer *const bufs[4],
                              const pseg_params *pc, const uint32_t groups[3]);

static inline VkDeviceSize gpu_align(const pseg_context *ctx, VkDeviceSize v) {
  return (v + ctx->align - 1) / ctx->align * ctx->align;
}

#endif
