#define _POSIX_C_SOURCE 200809L
#include "gpu.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

/* Embedded SPIR-V (generated at build time by glslc, checked by spirv-val): one row per shader
 * in PSEG_SHADER_MAP order, one column per storage variant (PSEG_VARIANT_* bits). */
struct pseg_spirv_entry {
  const char *name;
  const uint32_t *code[256];
  size_t size[256];
};
extern const struct pseg_spirv_entry pseg_spirv_table[];
extern const size_t pseg_spirv_table_count;

pseg_result gpu_fail(pseg_context *ctx, pseg_result r, const char *fmt, ...) {
  if (ctx) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->last_error, sizeof ctx->last_error, fmt, ap);
    va_end(ap);
  }
  return r;
}

pseg_result gpu_check(pseg_context *ctx, VkResult vr, const char *what) {
  if (vr == VK_SUCCESS) return PSEG_SUCCESS;
  pseg_result r = PSEG_ERROR_VULKAN;
  if (vr == VK_ERROR_OUT_OF_HOST_MEMORY) r = PSEG_ERROR_OUT_OF_HOST_MEMORY;
  if (vr == VK_ERROR_OUT_OF_DEVICE_MEMORY) r = PSEG_ERROR_OUT_OF_DEVICE_MEMORY;
  return gpu_fail(ctx, r, "%s failed (VkResult %d)", what, (int)vr);
}

static int find_memory(const pseg_context *ctx, uint32_t bits, VkMemoryPropertyFlags want) {
  for (uint32_t i = 0; i < ctx->mem_props.memoryTypeCount; i++)
    if ((bits & (1u << i)) && (ctx->mem_props.memoryTypes[i].propertyFlags & want) == want) return (int)i;
  return -1;
}

pseg_result gpu_buffer_create(pseg_context *ctx, VkDeviceSize size, int host_visible, gpu_buffer *out) {
  memset(out, 0, sizeof *out);
  VkBufferCreateInfo bi = {.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
                           .size = size ? size : 16,
                           .usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT |
                                    VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                                    VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                           .sharingMode = VK_SHARING_MODE_EXCLUSIVE};
  pseg_result r = gpu_check(ctx, ctx->vk.vkCreateBuffer(ctx->device, &bi, NULL, &out->buf), "vkCreateBuffer");
  if (r) return r;
  VkMemoryRequirements req;
  ctx->vk.vkGetBufferMemoryRequirements(ctx->device, out->buf, &req);
  int type;
  if (host_visible) {
    type = find_memory(ctx, req.memoryTypeBits, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                                    VK_MEMORY_PROPERTY_HOST_COHERENT_BIT |
                                                    VK_MEMORY_PROPERTY_HOST_CACHED_BIT);
    if (type < 0)
      type = find_memory(ctx, req.memoryTypeBits,
                         VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
  } else {
    type = find_memory(ctx, req.memoryTypeBits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
    if (type < 0) type = find_memory(ctx, req.memoryTypeBits, 0);
  }
  if (type < 0) {
    gpu_buffer_destroy(ctx, out);
    return gpu_fail(ctx, PSEG_ERROR_OUT_OF_DEVICE_MEMORY, "no suitable Vulkan memory type");
  }
  VkMemoryAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
                             .allocationSize = req.size,
                             .memoryTypeIndex = (uint32_t)type};
  if ((r = gpu_check(ctx, ctx->vk.vkAllocateMemory(ctx->device, &ai, NULL, &out->mem), "vkAllocateMemory")) ||
      (r = gpu_check(ctx, ctx->vk.vkBindBufferMemory(ctx->device, out->buf, out->mem, 0), "vkBindBufferMemory"))) {
    gpu_buffer_destroy(ctx, out);
    return r;
  }
  out->size = bi.size;
  if (ctx->mem_props.memoryTypes[type].propertyFlags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) {
    if ((r = gpu_check(ctx, ctx->vk.vkMapMemory(ctx->device, out->mem, 0, VK_WHOLE_SIZE, 0, &out->map), "vkMapMemory"))) {
      gpu_buffer_destroy(ctx, out);
      return r;
    }
  }
  return PSEG_SUCCESS;
}

void gpu_buffer_destroy(pseg_context *ctx, gpu_buffer *b) {
  if (!ctx || !b) return;
  if (b->buf) ctx->vk.vkDestroyBuffer(ctx->device, b->buf, NULL);
  if (b->mem) ctx->vk.vkFreeMemory(ctx->device, b->mem, NULL);
  memset(b, 0, sizeof *b);
}

pseg_result gpu_upload(pseg_context *ctx, gpu_buffer *dst, VkDeviceSize off, const void *data, VkDeviceSize size) {
  if (dst->map) {
    memcpy((uint8_t *)dst->map + off, data, size);
    return PSEG_SUCCESS;
  }
  gpu_buffer st;
  pseg_result r = gpu_buffer_create(ctx, size, 1, &st);
  if (r) return r;
  memcpy(st.map, data, size);
  VkCommandBuffer cb = VK_NULL_HANDLE;
  VkFence fence = VK_NULL_HANDLE;
  VkCommandBufferAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
                                    .commandPool = ctx->cmd_pool,
                                    .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
                                    .commandBufferCount = 1};
  VkFenceCreateInfo fi = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  VkCommandBufferBeginInfo bi = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
                                 .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT};
  if ((r = gpu_check(ctx, ctx->vk.vkAllocateCommandBuffers(ctx->device, &ai, &cb), "vkAllocateCommandBuffers")) ||
      (r = gpu_check(ctx, ctx->vk.vkCreateFence(ctx->device, &fi, NULL, &fence), "vkCreateFence")) ||
      (r = gpu_check(ctx, ctx->vk.vkBeginCommandBuffer(cb, &bi), "vkBeginCommandBuffer")))
    goto done;
  VkBufferCopy region = {.srcOffset = 0, .dstOffset = off, .size = size};
  ctx->vk.vkCmdCopyBuffer(cb, st.buf, dst->buf, 1, &region);
  VkMemoryBarrier mb = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
                        .srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
                        .dstAccessMask = VK_ACCESS_SHADER_READ_BIT};
  ctx->vk.vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &mb, 0,
                       NULL, 0, NULL);
  if ((r = gpu_check(ctx, ctx->vk.vkEndCommandBuffer(cb), "vkEndCommandBuffer"))) goto done;
  VkSubmitInfo si = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1, .pCommandBuffers = &cb};
  if ((r = gpu_check(ctx, ctx->vk.vkQueueSubmit(ctx->queue, 1, &si, fence), "vkQueueSubmit"))) goto done;
  r = gpu_check(ctx, ctx->vk.vkWaitForFences(ctx->device, 1, &fence, VK_TRUE, UINT64_MAX), "vkWaitForFences");
done:
  if (fence) ctx->vk.vkDestroyFence(ctx->device, fence, NULL);
  if (cb) ctx->vk.vkFreeCommandBuffers(ctx->device, ctx->cmd_pool, 1, &cb);
  gpu_buffer_destroy(ctx, &st);
  return r;
}

/* Shader module + compute pipeline: int constants 0..nspec-1, then n_wspec uint64 constants from
 * id PSEG_SPEC_WEIGHTS. Returns the VkResult and touches no context state but the pipeline cache
 * (internally synchronised), so worker threads may call it. */
static VkResult create_pipeline(pseg_context *ctx, const uint32_t *code, size_t size, const int32_t *spec,
                                uint32_t nspec, const uint64_t *wspec, uint32_t n_wspec, VkPipelineLayout layout,
                                VkPipeline *out) {
  if (nspec > PSEG_MAX_SPEC || n_wspec > PSEG_WSPEC_MAX) return VK_ERROR_INITIALIZATION_FAILED;
  uint32_t n = nspec + n_wspec;
  size_t bytes = 4 * (size_t)nspec + 8 * (size_t)n_wspec;
  VkSpecializationMapEntry *entries = malloc((n ? n : 1) * sizeof *entries);
  uint8_t *data = malloc(bytes ? bytes : 1);
  if (!entries || !data) {
    free(entries), free(data);
    return VK_ERROR_OUT_OF_HOST_MEMORY;
  }
  for (uint32_t i = 0; i < nspec; i++) entries[i] = (VkSpecializationMapEntry){.constantID = i, .offset = 4 * i, .size = 4};
  for (uint32_t i = 0; i < n_wspec; i++)
    entries[nspec + i] = (VkSpecializationMapEntry){.constantID = PSEG_SPEC_WEIGHTS + i,
                                                    .offset = 4 * nspec + 8 * i, .size = 8};
  if (nspec) memcpy(data, spec, 4 * (size_t)nspec);
  if (n_wspec) memcpy(data + 4 * nspec, wspec, 8 * (size_t)n_wspec);
  VkSpecializationInfo si = {.mapEntryCount = n, .pMapEntries = entries, .dataSize = bytes, .pData = data};
  VkShaderModuleCreateInfo mi = {.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO, .codeSize = size, .pCode = code};
  VkShaderModule mod;
  VkResult vr = ctx->vk.vkCreateShaderModule(ctx->device, &mi, NULL, &mod);
  if (vr == VK_SUCCESS) {
    VkComputePipelineCreateInfo pi = {
        .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
        .flags = ctx->pipeline_stats ? VK_PIPELINE_CREATE_CAPTURE_STATISTICS_BIT_KHR : 0,
        .stage = {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                  .stage = VK_SHADER_STAGE_COMPUTE_BIT,
                  .module = mod,
                  .pName = "main",
                  .pSpecializationInfo = n ? &si : NULL},
        .layout = layout};
    vr = ctx->vk.vkCreateComputePipelines(ctx->device, ctx->pipeline_cache, 1, &pi, NULL, out);
    ctx->vk.vkDestroyShaderModule(ctx->device, mod, NULL);
  }
  free(entries), free(data);
  return vr;
}

pseg_result gpu_pipeline_create(pseg_context *ctx, const uint32_t *code, size_t size, const int32_t *spec,
                                uint32_t nspec, VkPipeline *out) {
  return gpu_check(ctx, create_pipeline(ctx, code, size, spec, nspec, NULL, 0, ctx->pipeline_layout, out),
                   "vkCreateComputePipelines");
}

pseg_result gpu_dispatch_once(pseg_context *ctx, VkPipeline pipeline, gpu_buffer *const bufs[4],
                              const pseg_params *pc, const uint32_t groups[3]) {
  VkDescriptorPool pool = VK_NULL_HANDLE;
  VkDescriptorSet set;
  VkCommandBuffer cb = VK_NULL_HANDLE;
  VkFence fence = VK_NULL_HANDLE;
  VkDescriptorPoolSize ps = {.type = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, .descriptorCount = PSEG_BINDINGS};
  VkDescriptorPoolCreateInfo pi = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO, .maxSets = 1,
                                   .poolSizeCount = 1, .pPoolSizes = &ps};
  pseg_result r = gpu_check(ctx, ctx->vk.vkCreateDescriptorPool(ctx->device, &pi, NULL, &pool), "vkCreateDescriptorPool");
  if (r) return r;
  VkDescriptorSetAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO, .descriptorPool = pool,
                                    .descriptorSetCount = 1, .pSetLayouts = &ctx->set_layout};
  VkCommandBufferAllocateInfo cai = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
                                     .commandPool = ctx->cmd_pool, .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
                                     .commandBufferCount = 1};
  VkFenceCreateInfo fi = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  VkCommandBufferBeginInfo bi = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
                                 .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT};
  if ((r = gpu_check(ctx, ctx->vk.vkAllocateDescriptorSets(ctx->device, &ai, &set), "vkAllocateDescriptorSets")) ||
      (r = gpu_check(ctx, ctx->vk.vkAllocateCommandBuffers(ctx->device, &cai, &cb), "vkAllocateCommandBuffers")) ||
      (r = gpu_check(ctx, ctx->vk.vkCreateFence(ctx->device, &fi, NULL, &fence), "vkCreateFence")) ||
      (r = gpu_check(ctx, ctx->vk.vkBeginCommandBuffer(cb, &bi), "vkBeginCommandBuffer")))
    goto done;
  VkDescriptorBufferInfo infos[PSEG_BINDINGS];
  VkWriteDescriptorSet writes[PSEG_BINDINGS];
  for (uint32_t k = 0; k < PSEG_BINDINGS; k++) { /* bindings 4.. unused here: bound to binding 0's buffer */
    infos[k] = (VkDescriptorBufferInfo){.buffer = bufs[k < 4 ? k : 0]->buf, .offset = 0, .range = VK_WHOLE_SIZE};
    writes[k] = (VkWriteDescriptorSet){.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = set, .dstBinding = k,
                                       .descriptorCount = 1, .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                       .pBufferInfo = &infos[k]};
  }
  ctx->vk.vkUpdateDescriptorSets(ctx->device, PSEG_BINDINGS, writes, 0, NULL);
  VkMemoryBarrier in = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER, .srcAccessMask = VK_ACCESS_HOST_WRITE_BIT,
                        .dstAccessMask = VK_ACCESS_SHADER_READ_BIT};
  ctx->vk.vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_HOST_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &in, 0, NULL, 0, NULL);
  ctx->vk.vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline);
  ctx->vk.vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, ctx->pipeline_layout, 0, 1, &set, 0, NULL);
  ctx->vk.vkCmdPushConstants(cb, ctx->pipeline_layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof *pc, pc);
  ctx->vk.vkCmdDispatch(cb, groups[0], groups[1], groups[2]);
  VkMemoryBarrier out = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER, .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT,
                         .dstAccessMask = VK_ACCESS_HOST_READ_BIT};
  ctx->vk.vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &out, 0, NULL, 0, NULL);
  if ((r = gpu_check(ctx, ctx->vk.vkEndCommandBuffer(cb), "vkEndCommandBuffer"))) goto done;
  VkSubmitInfo si = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1, .pCommandBuffers = &cb};
  if ((r = gpu_check(ctx, ctx->vk.vkQueueSubmit(ctx->queue, 1, &si, fence), "vkQueueSubmit"))) goto done;
  r = gpu_check(ctx, ctx->vk.vkWaitForFences(ctx->device, 1, &fence, VK_TRUE, 60ull * 1000 * 1000 * 1000), "vkWaitForFences");
done:
  if (fence) ctx->vk.vkDestroyFence(ctx->device, fence, NULL);
  if (cb) ctx->vk.vkFreeCommandBuffers(ctx->device, ctx->cmd_pool, 1, &cb);
  ctx->vk.vkDestroyDescriptorPool(ctx->device, pool, NULL);
  return r;
}

static int same_pipe(const struct gpu_pipe *p, const gpu_pipe_req *q) {
  return p->shader == q->shader && p->variant == q->variant && !memcmp(p->spec, q->spec, sizeof p->spec) &&
         p->n_wspec == q->n_wspec && (!q->n_wspec || !memcmp(p->wspec, q->wspec, q->n_wspec * sizeof *q->wspec));
}

static const struct gpu_pipe *find_pipe(const pseg_context *ctx, const gpu_pipe_req *q) {
  for (uint32_t i = 0; i < ctx->n_pipes; i++)
    if (same_pipe(&ctx->pipes[i], q)) return &ctx->pipes[i];
  return NULL;
}

static VkPipeline lookup(pseg_context *ctx, const gpu_pipe_req *q) {
  pthread_mutex_lock(&ctx->pipe_lock);
  const struct gpu_pipe *p = find_pipe(ctx, q);
  VkPipeline pl = p ? p->pipeline : VK_NULL_HANDLE;
  pthread_mutex_unlock(&ctx->pipe_lock);
  return pl;
}

void gpu_pipeline_use(pseg_context *ctx, VkPipeline p, int delta, int destroy_unused) {
  pthread_mutex_lock(&ctx->pipe_lock);
  for (uint32_t i = 0; i < ctx->n_pipes; i++) {
    struct gpu_pipe *e = &ctx->pipes[i];
    if (e->pipeline != p) continue;
    if (delta > 0) e->users++;
    else if (e->users) e->users--;
    if (delta < 0 && destroy_unused && !e->users) {
      ctx->vk.vkDestroyPipeline(ctx->device, e->pipeline, NULL);
      free(e->wspec);
      ctx->pipes[i] = ctx->pipes[--ctx->n_pipes];
    }
    break;
  }
  pthread_mutex_unlock(&ctx->pipe_lock);
}

pseg_result gpu_pipeline(pseg_context *ctx, const gpu_pipe_req *q, VkPipeline *out) {
  VkPipeline p = lookup(ctx, q);
  if (!p) {
    pseg_result r = gpu_pipelines_prepare(ctx, q, 1, NULL);
    if (r) return r;
    if (!(p = lookup(ctx, q))) return gpu_fail(ctx, PSEG_ERROR_VULKAN, "pipeline not created");
  }
  *out = p;
  return PSEG_SUCCESS;
}

/* Parallel creation of the pipelines a session needs: on a CPU driver each pipeline is an LLVM
 * compile (1-3 ms even from Mesa's shader cache), so the cores share the work. */
typedef struct prep_job {
  pseg_context *ctx;
  struct gpu_pipe *todo;
  uint32_t n, next;
  const int *cancel;
  pthread_mutex_t lock;
  VkResult failed;
} prep_job;

static void *prep_worker(void *arg) {
  prep_job *j = arg;
  for (;;) {
    pthread_mutex_lock(&j->lock);
    uint32_t i = j->next++;
    pthread_mutex_unlock(&j->lock);
    if (i >= j->n || (j->cancel && __atomic_load_n(j->cancel, __ATOMIC_ACQUIRE))) return NULL;
    struct gpu_pipe *p = &j->todo[i];
    const struct pseg_spirv_entry *e = &pseg_spirv_table[p->shader];
    VkResult vr = create_pipeline(j->ctx, e->code[p->variant], e->size[p->variant], p->spec, PSEG_MAX_SPEC,
                                  p->wspec, p->n_wspec, gpu_layout(j->ctx, p->shader), &p->pipeline);

    if (vr != VK_SUCCESS) {
      p->pipeline = VK_NULL_HANDLE;
      pthread_mutex_lock(&j->lock);
      j->failed = vr;
      pthread_mutex_unlock(&j->lock);
    }
  }
}

pseg_result gpu_pipelines_prepare(pseg_context *ctx, const gpu_pipe_req *reqs, uint32_t n, const int *cancel) {
  /* a background build (cancel given) leaves the context's last error alone: the caller's thread
   * may be using it */
  pseg_context *err = cancel ? NULL : ctx;
  static const char *const stems[] = {
#define PSEG_SHADER_STEM(id, stem) #stem,
      PSEG_SHADER_MAP(PSEG_SHADER_STEM)
#undef PSEG_SHADER_STEM
  };
  if (pseg_spirv_table_count != PSEG_SHADER_COUNT)
    return gpu_fail(err, PSEG_ERROR_VULKAN, "build error: the SPIR-V table does not match PSEG_SHADER_MAP");
  for (int k = 0; k < PSEG_SHADER_COUNT; k++)
    if (strcmp(pseg_spirv_table[k].name, stems[k]))
      return gpu_fail(err, PSEG_ERROR_VULKAN, "build error: the SPIR-V table does not match PSEG_SHADER_MAP");
  struct gpu_pipe *todo = calloc(n ? n : 1, sizeof *todo);
  if (!todo) return gpu_fail(err, PSEG_ERROR_OUT_OF_HOST_MEMORY, "out of memory");
  uint32_t nt = 0;
  pseg_result r = PSEG_SUCCESS;
  pthread_mutex_lock(&ctx->pipe_lock);
  for (uint32_t i = 0; i < n && !r; i++) {
    const gpu_pipe_req *q = &reqs[i];
    if (q->variant > 255 || q->shader >= PSEG_SHADER_COUNT || !pseg_spirv_table[q->shader].code[q->variant] ||
        q->n_wspec > PSEG_WSPEC_MAX) {
      r = gpu_fail(err, PSEG_ERROR_VULKAN, "shader %d has no variant %u", (int)q->shader, q->variant);
      break;
    }
    int known = find_pipe(ctx, q) != NULL;
    for (uint32_t k = 0; k < nt && !known; k++) known = same_pipe(&todo[k], q); /* twice in this batch */
    if (known) continue;
    struct gpu_pipe *p = &todo[nt++];
    p->shader = q->shader, p->variant = q->variant;
    memcpy(p->spec, q->spec, sizeof p->spec);
    if (q->n_wspec) {
      if (!(p->wspec = malloc(q->n_wspec * sizeof *p->wspec))) {
        r = gpu_fail(err, PSEG_ERROR_OUT_OF_HOST_MEMORY, "out of memory");
        break;
      }
      memcpy(p->wspec, q->wspec, q->n_wspec * sizeof *p->wspec);
      p->n_wspec = q->n_wspec;
    }
  }
  pthread_mutex_unlock(&ctx->pipe_lock);
  if (r) {
    for (uint32_t k = 0; k < nt; k++) free(todo[k].wspec);
    free(todo);
    return r;
  }
  prep_job job = {.ctx = ctx, .todo = todo, .n = nt, .cancel = cancel};
  pthread_mutex_init(&job.lock, NULL);
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  uint32_t nthreads = cores > 1 ? (uint32_t)(cores < 8 ? cores : 8) - 1 : 0, started = 0;
  pthread_t th[8];
  for (uint32_t i = 0; i < nthreads && i + 1 < nt; i++)
    if (!pthread_create(&th[started], NULL, prep_worker, &job)) started++;
  prep_worker(&job); /* this thread works too */
  for (uint32_t i = 0; i < started; i++) pthread_join(th[i], NULL);
  pthread_mutex_destroy(&job.lock);
  pthread_mutex_lock(&ctx->pipe_lock);
  for (uint32_t i = 0; i < nt; i++) {
    if (!todo[i].pipeline) {
      free(todo[i].wspec);
      continue;
    }
    if (ctx->n_pipes == ctx->cap_pipes) {
      uint32_t nc = ctx->cap_pipes ? ctx->cap_pipes * 2 : 64;
      struct gpu_pipe *np = realloc(ctx->pipes, nc * sizeof *np);
      if (!np) {
        ctx->vk.vkDestroyPipeline(ctx->device, todo[i].pipeline, NULL);
        free(todo[i].wspec);
        r = gpu_fail(err, PSEG_ERROR_OUT_OF_HOST_MEMORY, "out of memory");
        continue;
      }
      ctx->pipes = np;
      ctx->cap_pipes = nc;
    }
    ctx->pipes[ctx->n_pipes++] = todo[i];
  }
  pthread_mutex_unlock(&ctx->pipe_lock);
  free(todo);
  if (!r && job.failed != VK_SUCCESS) r = gpu_check(err, job.failed, "vkCreateComputePipelines");
  return r;
}

/* The cache file is named after the device's pipelineCacheUUID, so a driver update or another
 * device never reads a stale cache (the driver also checks the header itself). */
void gpu_pipeline_cache_open(pseg_context *ctx) {
  ctx->cache_path[0] = 0;
  const char *off = getenv("PSEG_PIPELINE_CACHE");
  VkPhysicalDeviceProperties props;
  ctx->vk.vkGetPhysicalDeviceProperties(ctx->phys, &props);
  if (!off || strcmp(off, "0")) {
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    char dir[400] = "";
    if (xdg && xdg[0] == '/') snprintf(dir, sizeof dir, "%s/pseg", xdg);
    else if (home && home[0] == '/') snprintf(dir, sizeof dir, "%s/.cache/pseg", home);
    if (dir[0]) {
      char uuid[33];
      for (int i = 0; i < 16; i++) snprintf(uuid + 2 * i, 3, "%02x", props.pipelineCacheUUID[i]);
      snprintf(ctx->cache_path, sizeof ctx->cache_path, "%s/pipelines-%04x-%04x-%s.bin", dir, props.vendorID,
               props.deviceID, uuid);
    }
  }
  void *data = NULL;
  size_t size = 0;
  if (ctx->cache_path[0]) {
    FILE *f = fopen(ctx->cache_path, "rb");
    if (f) {
      if (!fseek(f, 0, SEEK_END)) {
        long n = ftell(f);
        if (n > 0 && n < (64l << 20) && !fseek(f, 0, SEEK_SET) && (data = malloc((size_t)n))) {
          size = fread(data, 1, (size_t)n, f) == (size_t)n ? (size_t)n : 0;
        }
      }
      fclose(f);
    }
  }
  VkPipelineCacheCreateInfo ci = {.sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO,
                                  .initialDataSize = size, .pInitialData = size ? data : NULL};
  if (ctx->vk.vkCreatePipelineCache(ctx->device, &ci, NULL, &ctx->pipeline_cache) != VK_SUCCESS) {
    ci.initialDataSize = 0, ci.pInitialData = NULL; /* a corrupt cache file: start empty */
    if (ctx->vk.vkCreatePipelineCache(ctx->device, &ci, NULL, &ctx->pipeline_cache) != VK_SUCCESS)
      ctx->pipeline_cache = VK_NULL_HANDLE;
  }
  ctx->cache_loaded_size = size;
  free(data);
}

void gpu_pipeline_cache_save(pseg_context *ctx) {
  if (!ctx->pipeline_cache || !ctx->cache_path[0]) return;
  size_t size = 0;
  if (ctx->vk.vkGetPipelineCacheData(ctx->device, ctx->pipeline_cache, &size, NULL) != VK_SUCCESS || !size ||
      size == ctx->cache_loaded_size)
    return; /* nothing new (a cache only grows) */
  void *data = malloc(size);
  if (data && ctx->vk.vkGetPipelineCacheData(ctx->device, ctx->pipeline_cache, &size, data) == VK_SUCCESS) {
    char dir[512];
    snprintf(dir, sizeof dir, "%s", ctx->cache_path);
    char *slash = strrchr(dir, '/');
    if (slash) {
      *slash = 0;
      char *p2 = strrchr(dir, '/');
      if (p2) { /* create .cache and .cache/pseg if needed */
        *p2 = 0;
        mkdir(dir, 0755);
        *p2 = '/';
      }
      mkdir(dir, 0755);
    }
    char tmp[540];
    snprintf(tmp, sizeof tmp, "%s.tmpXXXXXX", ctx->cache_path);
    int fd = mkstemp(tmp);
    if (fd >= 0) {
      FILE *f = fdopen(fd, "wb");
      int ok = f && fwrite(data, 1, size, f) == size;
      if (f) ok = !fclose(f) && ok;
      else close(fd);
      if (!ok || rename(tmp, ctx->cache_path)) unlink(tmp); /* best effort: a cache is optional */
    }
  }
  free(data);
}
