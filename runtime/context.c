/* Instance, device selection and features, the validation layer hook. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gpu.h"

#define PSEG_STR_(x) #x
#define PSEG_STR(x) PSEG_STR_(x)
const char *pseg_version(void) {
  return PSEG_STR(PSEG_VERSION_MAJOR) "." PSEG_STR(PSEG_VERSION_MINOR) "." PSEG_STR(PSEG_VERSION_PATCH);
}

const char *pseg_result_string(pseg_result r) {
  switch (r) {
#define PSEG_RESULT_STR(name, value, text)                                                         \
  case PSEG_##name:                                                                                \
    return text;
    PSEG_RESULT_MAP(PSEG_RESULT_STR)
#undef PSEG_RESULT_STR
  }
  return "unknown result";
}

static VKAPI_ATTR VkBool32 VKAPI_CALL on_validation(VkDebugUtilsMessageSeverityFlagBitsEXT sev,
                                                    VkDebugUtilsMessageTypeFlagsEXT type,
                                                    const VkDebugUtilsMessengerCallbackDataEXT *data,
                                                    void *user) {
  (void)type;
  pseg_context *ctx = user;
  if (sev & (VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT)) {
    __atomic_fetch_add(&ctx->validation_messages, 1u, __ATOMIC_RELAXED); /* pipelines compile on threads */
    fprintf(stderr, "pseg: validation: %s\n", data && data->pMessage ? data->pMessage : "(no message)");
  }
  return VK_FALSE;
}

static int has_layer(const char *name) {
  uint32_t n = 0;
  if (vkEnumerateInstanceLayerProperties(&n, NULL) != VK_SUCCESS || !n) return 0;
  VkLayerProperties *p = calloc(n, sizeof *p);
  int found = 0;
  if (p && vkEnumerateInstanceLayerProperties(&n, p) == VK_SUCCESS)
    for (uint32_t i = 0; i < n; i++) found |= !strcmp(p[i].layerName, name);
  free(p);
  return found;
}

/* ---- per-context entry points (gpu.h pseg_vk) */
static pthread_once_t loader_once = PTHREAD_ONCE_INIT;
/* Creating and destroying instances and devices, one thread at a time: the loader dlopens and
 * dlcloses drivers and layers then, and pseg sets LP_NUM_THREADS for lavapipe (setenv). Frames
 * never take it. */
static pthread_mutex_t instance_lock = PTHREAD_MUTEX_INITIALIZER;
static int loader_status = -1;
static void init_loader(void) { loader_status = volkInitialize() == VK_SUCCESS ? 0 : -1; }
int pseg_vk_init_loader(void) {
  pthread_once(&loader_once, init_loader);
  return loader_status;
}

void pseg_vk_load_instance(pseg_vk *vk, VkInstance instance) {
#define PSEG_VK_LOAD_I(fn) vk->fn = (PFN_##fn)vkGetInstanceProcAddr(instance, #fn);
  PSEG_VK_INSTANCE_FUNCS(PSEG_VK_LOAD_I)
#undef PSEG_VK_LOAD_I
}

void pseg_vk_load_device(pseg_vk *vk, VkDevice device) {
#define PSEG_VK_LOAD_D(fn) vk->fn = (PFN_##fn)vk->vkGetDeviceProcAddr(device, #fn);
  PSEG_VK_DEVICE_FUNCS(PSEG_VK_LOAD_D)
#undef PSEG_VK_LOAD_D
}

static pseg_result make_instance(pseg_context *ctx, int validation) {
  if (pseg_vk_init_loader())
    return gpu_fail(ctx, PSEG_ERROR_NO_DEVICE, "the Vulkan loader (libvulkan.so.1) was not found");
  if (volkGetInstanceVersion() < VK_API_VERSION_1_1)
    return gpu_fail(ctx, PSEG_ERROR_NO_DEVICE, "the Vulkan loader is older than Vulkan 1.1");
  const char *layers[1] = {"VK_LAYER_KHRONOS_validation"};
  const char *exts[1] = {VK_EXT_DEBUG_UTILS_EXTENSION_NAME};
  if (validation && !has_layer(layers[0]))
    return gpu_fail(ctx, PSEG_ERROR_UNSUPPORTED,
                    "validation requested but VK_LAYER_KHRONOS_validation is not installed "
                    "(Debian: vulkan-validationlayers)");
  VkApplicationInfo app = {.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
                           .pApplicationName = "pseg",
                           .pEngineName = "pseg",
                           /* 1.2 where the loader has it: driver properties and shaderFloat16 are
                              core there; on 1.1 they come from extensions (see describe()) */
                           .apiVersion = volkGetInstanceVersion() >= VK_API_VERSION_1_2 ? VK_API_VERSION_1_2
                                                                                      : VK_API_VERSION_1_1};
  VkInstanceCreateInfo ci = {.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
                             .pApplicationInfo = &app,
                             .enabledLayerCount = validation ? 1u : 0u,
                             .ppEnabledLayerNames = layers,
                             .enabledExtensionCount = validation ? 1u : 0u,
                             .ppEnabledExtensionNames = exts};
  VkDebugUtilsMessengerCreateInfoEXT mi = {
      .sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT,
      .messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT,
      .messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                     VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT,
      .pfnUserCallback = on_validation,
      .pUserData = ctx};
  if (validation) ci.pNext = &mi; /* also covers instance creation and destruction */
  VkResult vr = vkCreateInstance(&ci, NULL, &ctx->instance);
  if (vr == VK_ERROR_INCOMPATIBLE_DRIVER)
    return gpu_fail(ctx, PSEG_ERROR_NO_DEVICE,
                    "no Vulkan driver found (the loader found none that works: VK_ERROR_INCOMPATIBLE_DRIVER); install "
                    "one: on Debian mesa-vulkan-drivers (lavapipe, runs anywhere) or your GPU's driver, and check "
                    "VK_ICD_FILENAMES / VK_DRIVER_FILES if set");
  pseg_result r = gpu_check(ctx, vr, "vkCreateInstance");
  if (r) return r;
  pseg_vk_load_instance(&ctx->vk, ctx->instance);
  if (validation) {
    r = gpu_check(ctx, ctx->vk.vkCreateDebugUtilsMessengerEXT(ctx->instance, &mi, NULL, &ctx->messenger),
                  "vkCreateDebugUtilsMessengerEXT");
    if (r) return r;
  }
  ctx->validation = validation;
  return PSEG_SUCCESS;
}

static int has_device_ext(const pseg_vk *vk, VkPhysicalDevice pd, const char *name) {
  uint32_t n = 0;
  if (vk->vkEnumerateDeviceExtensionProperties(pd, NULL, &n, NULL) != VK_SUCCESS || !n) return 0;
  VkExtensionProperties *e = calloc(n, sizeof *e);
  int found = 0;
  if (e && vk->vkEnumerateDeviceExtensionProperties(pd, NULL, &n, e) == VK_SUCCESS)
    for (uint32_t i = 0; i < n; i++) found |= !strcmp(e[i].extensionName, name);
  free(e);
  return found;
}

/* Vulkan 1.2 features and properties are used only where both the instance and the device have
 * 1.2; on a 1.1 device shaderFloat16 needs VK_KHR_shader_float16_int8. */
static int core12(const pseg_vk *vk, VkPhysicalDevice pd) {
  VkPhysicalDeviceProperties props;
  vk->vkGetPhysicalDeviceProperties(pd, &props);
  return props.apiVersion >= VK_API_VERSION_1_2 && volkGetInstanceVersion() >= VK_API_VERSION_1_2;
}

static void describe(const pseg_vk *vk, VkPhysicalDevice pd, pseg_device_info *info, uint32_t *queue_family) {
  memset(info, 0, sizeof *info);
  VkPhysicalDeviceProperties props;
  vk->vkGetPhysicalDeviceProperties(pd, &props);
  snprintf(info->name, sizeof info->name, "%s", props.deviceName);
  info->vendor_id = props.vendorID;
  info->device_id = props.deviceID;
  info->driver_version = props.driverVersion;
  info->api_version = props.apiVersion;
  info->is_cpu = props.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU;
  info->timestamp_period_ns = props.limits.timestampPeriod;

  VkPhysicalDeviceSubgroupProperties sub = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES};
  VkPhysicalDeviceDriverProperties drv = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES};
  VkPhysicalDeviceProperties2 p2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, .pNext = &sub};
  int v12 = core12(vk, pd);
  if (v12) sub.pNext = &drv;
  vk->vkGetPhysicalDeviceProperties2(pd, &p2);
  info->subgroup_size = sub.subgroupSize;
  if (v12)
    snprintf(info->driver, sizeof info->driver, "%.100s %.120s", drv.driverName, drv.driverInfo);

  VkPhysicalDeviceShaderFloat16Int8Features f16 = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES};
  int f16_known = v12 || has_device_ext(vk, pd, VK_KHR_SHADER_FLOAT16_INT8_EXTENSION_NAME);
  /* what integer models could use (issue 15): 8-bit storage, packed integer dot products */
  VkPhysicalDevice8BitStorageFeatures s8 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_8BIT_STORAGE_FEATURES};
  VkPhysicalDeviceShaderIntegerDotProductFeatures idp = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_INTEGER_DOT_PRODUCT_FEATURES};
  int s8_known = v12 || has_device_ext(vk, pd, VK_KHR_8BIT_STORAGE_EXTENSION_NAME);
  /* the extension (pseg's instance asks for Vulkan 1.2 at most, so not the 1.3 core feature) */
  int idp_known = has_device_ext(vk, pd, VK_KHR_SHADER_INTEGER_DOT_PRODUCT_EXTENSION_NAME);
  void *chain = f16_known ? (void *)&f16 : NULL;
  if (s8_known) s8.pNext = chain, chain = &s8;
  if (idp_known) idp.pNext = chain, chain = &idp;
  VkPhysicalDevice16BitStorageFeatures s16 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES,
                                              .pNext = chain};
  VkPhysicalDeviceFeatures2 f2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, .pNext = &s16};
  vk->vkGetPhysicalDeviceFeatures2(pd, &f2);
  info->fp16 = f16.shaderFloat16 && s16.storageBuffer16BitAccess;
  info->int8_storage = s8.storageBuffer8BitAccess != 0;
  info->int_dot_product = idp.shaderIntegerDotProduct != 0;
  if (info->int_dot_product) {
    VkPhysicalDeviceShaderIntegerDotProductProperties idpp = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_INTEGER_DOT_PRODUCT_PROPERTIES};
    VkPhysicalDeviceProperties2 pp = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, .pNext = &idpp};
    vk->vkGetPhysicalDeviceProperties2(pd, &pp);
    info->int_dot_accelerated = idpp.integerDotProduct4x8BitPackedSignedAccelerated != 0;
  }

  uint32_t nq = 0;
  vk->vkGetPhysicalDeviceQueueFamilyProperties(pd, &nq, NULL);
  VkQueueFamilyProperties *qp = calloc(nq ? nq : 1, sizeof *qp);
  *queue_family = UINT32_MAX;
  if (qp) {
    vk->vkGetPhysicalDeviceQueueFamilyProperties(pd, &nq, qp);
    for (uint32_t i = 0; i < nq; i++)
      if (qp[i].queueFlags & VK_QUEUE_COMPUTE_BIT) {
        *queue_family = i;
        info->timestamps = qp[i].timestampValidBits > 0;
        break;
      }
    free(qp);
  }
}

static pseg_result enumerate(pseg_context *ctx, VkPhysicalDevice **out, uint32_t *count) {
  uint32_t n = 0;
  pseg_result r = gpu_check(ctx, ctx->vk.vkEnumeratePhysicalDevices(ctx->instance, &n, NULL), "vkEnumeratePhysicalDevices");
  if (r) return r;
  if (!n) return gpu_fail(ctx, PSEG_ERROR_NO_DEVICE, "no Vulkan device found (Debian: mesa-vulkan-drivers for lavapipe)");
  *out = calloc(n, sizeof **out);
  if (!*out) return gpu_fail(ctx, PSEG_ERROR_OUT_OF_HOST_MEMORY, "out of memory");
  r = gpu_check(ctx, ctx->vk.vkEnumeratePhysicalDevices(ctx->instance, &n, *out), "vkEnumeratePhysicalDevices");
  *count = n;
  return r;
}

pseg_result pseg_list_devices(pseg_device_info *infos, uint32_t max, uint32_t *count, char *err, size_t errlen) {
  pseg_context tmp;
  memset(&tmp, 0, sizeof tmp);
  *count = 0;
  pthread_mutex_lock(&instance_lock);
  pseg_result r = make_instance(&tmp, 0);
  VkPhysicalDevice *pds = NULL;
  uint32_t n = 0;
  if (!r) r = enumerate(&tmp, &pds, &n);
  if (!r) {
    for (uint32_t i = 0; i < n && i < max; i++) {
      uint32_t q;
      describe(&tmp.vk, pds[i], &infos[i], &q);
    }
    *count = n;
  }
  free(pds);
  if (tmp.instance) tmp.vk.vkDestroyInstance(tmp.instance, NULL);
  pthread_mutex_unlock(&instance_lock);
  if (r && err) snprintf(err, errlen, "%s", tmp.last_error);
  return r;
}

static pseg_result make_device(pseg_context *ctx, int index, pseg_precision want, int fp16_all, int want_stats) {
  VkPhysicalDevice *pds = NULL;
  uint32_t n = 0;
  pseg_result r = enumerate(ctx, &pds, &n);
  if (r) return free(pds), r;
  if (index < 0) {
    const char *env = getenv("PSEG_DEVICE");
    index = 0;
    if (env && *env) {
      char *end;
      long v = strtol(env, &end, 10);
      if (*end || v < 0) {
        free(pds);
        return gpu_fail(ctx, PSEG_ERROR_INVALID_ARGUMENT, "PSEG_DEVICE=%s is not a device index", env);
      }
      index = (int)v;
    }
  }
  if ((uint32_t)index >= n) {
    free(pds);
    return gpu_fail(ctx, PSEG_ERROR_NO_DEVICE, "device %d does not exist (%u device%s; see 'pseg devices')", index, n,
                    n == 1 ? "" : "s");
  }
  ctx->phys = pds[index];
  free(pds);
  describe(&ctx->vk, ctx->phys, &ctx->info, &ctx->queue_family);
  if (ctx->info.api_version < VK_API_VERSION_1_1)
    return gpu_fail(ctx, PSEG_ERROR_NO_DEVICE, "device %d (%s) does not support Vulkan 1.1", index, ctx->info.name);
  if (ctx->queue_family == UINT32_MAX)
    return gpu_fail(ctx, PSEG_ERROR_NO_DEVICE, "device %d (%s) has no compute queue", index, ctx->info.name);
  if (want == PSEG_PRECISION_FP16 && !ctx->info.fp16)
    return gpu_fail(ctx, PSEG_ERROR_UNSUPPORTED,
                    "fp16 requested but %s lacks shaderFloat16 or storageBuffer16BitAccess", ctx->info.name);
  /* auto: fp32. On lavapipe fp16 is slower (the CPU converts halves); a per-device choice is
   * part of the speed work. */
  ctx->precision = want == PSEG_PRECISION_FP16 ? PSEG_PRECISION_FP16 : PSEG_PRECISION_FP32;
  ctx->fp16_all = ctx->precision == PSEG_PRECISION_FP16 && fp16_all;

  VkPhysicalDeviceProperties props;
  ctx->vk.vkGetPhysicalDeviceProperties(ctx->phys, &props);
  ctx->align = props.limits.minStorageBufferOffsetAlignment;
  if (ctx->align < props.limits.minUniformBufferOffsetAlignment) ctx->align = props.limits.minUniformBufferOffsetAlignment;
  if (ctx->align < props.limits.minTexelBufferOffsetAlignment) ctx->align = props.limits.minTexelBufferOffsetAlignment;
  if (ctx->align < 16) ctx->align = 16;
  ctx->max_ubo_range = props.limits.maxUniformBufferRange;
  ctx->max_ssbo_range = props.limits.maxStorageBufferRange;
  ctx->max_texel_elements = props.limits.maxTexelBufferElements;
  VkPhysicalDeviceFeatures have;
  ctx->vk.vkGetPhysicalDeviceFeatures(ctx->phys, &have);
  ctx->int64 = have.shaderInt64 == VK_TRUE;
  /* Weights as specialization constants (shaders/common/net.glsl, WSPEC) on CPU drivers: there
   * a weight load costs far more than an immediate operand (measured on lavapipe: a 1x1 conv
   * 32 -> 128 at 16x16 ran in 65 us with constants and 141 us from a uniform buffer).
   * PSEG_WEIGHTS=spec or =buffer overrides the choice (the tests run both); =storage is =buffer
   * with every buffer weight read from the storage buffer, none from a uniform or texel buffer,
   * and the CPU tiers' separate pre-processing reading the frame from its storage buffer (the
   * path of frames larger than the device's texel-buffer limit);
   * =no-texel the choice without texel buffers (a uniform buffer where a layer's fit, else the
   * storage buffer: what came before them, to measure them against). */
  const char *wenv = getenv("PSEG_WEIGHTS");
  ctx->wspec = ctx->info.is_cpu;
  if (wenv && !strcmp(wenv, "spec")) ctx->wspec = 1;
  if (wenv && (!strcmp(wenv, "buffer") || !strcmp(wenv, "storage"))) ctx->wspec = 0;
  ctx->wstorage = wenv && !strcmp(wenv, "storage");
  ctx->wnotexel = wenv && !strcmp(wenv, "no-texel");
  if (!ctx->int64) ctx->wspec = 0;
  VkPhysicalDeviceSubgroupProperties sub = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES};
  VkPhysicalDeviceProperties2 p2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, .pNext = &sub};
  ctx->vk.vkGetPhysicalDeviceProperties2(ctx->phys, &p2);
  const VkSubgroupFeatureFlags shuffle = VK_SUBGROUP_FEATURE_BASIC_BIT | VK_SUBGROUP_FEATURE_SHUFFLE_BIT;
  const char *sgenv = getenv("PSEG_SUBGROUPS"); /* =0: the shared-memory reductions (the tests run both) */
  ctx->subgroup_shuffle = (sub.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) &&
                          (sub.supportedOperations & shuffle) == shuffle && sub.subgroupSize >= 4 &&
                          sub.subgroupSize <= 64 && !(sgenv && !strcmp(sgenv, "0"));
  /* fp16 products in the GPU tier's convs (fp16-all only): opt-in until measured faster on a GPU;
   * it moves layer outputs by up to about 3e-3 (relative) where fp16 storage alone stays in 2e-3 */
  const char *f16env = getenv("PSEG_F16MATH");
  ctx->f16_math = ctx->fp16_all && f16env && !strcmp(f16env, "1");
  /* the split pools' tails: partial sums loaded eight at a time, or sixteen (an experiment) */
  const char *ifenv = getenv("PSEG_GSE_INFLIGHT");
  ctx->gse_inflight = ifenv && !strcmp(ifenv, "16") ? 16 : 8;
  /* the convs' inner loops four steps at a time (the same sums); PSEG_GUNROLL=0: one at a time */
  const char *unenv = getenv("PSEG_GUNROLL");
  ctx->gunroll = unenv && !strcmp(unenv, "0") ? 0 : 4;
  /* On a discrete GPU host-visible memory is across PCIe: the frames are copied in and the masks
   * out by the copy engine, in bulk, and the layers read and write device memory only. */
  const char *stenv = getenv("PSEG_STAGING");
  VkPhysicalDeviceProperties dprops;
  ctx->vk.vkGetPhysicalDeviceProperties(ctx->phys, &dprops);
  ctx->staged = dprops.deviceType == VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU;
  if (stenv && *stenv) ctx->staged = !strcmp(stenv, "1");
  /* The kernel tiers (pseg.h): GPU-shaped kernels on GPUs, the base and fast tiers on CPU
   * drivers; PSEG_TIER=gpu, or =base / =fast, overrides the choice. */
  const char *tenv = getenv("PSEG_TIER");
  ctx->gpu_tier = !ctx->info.is_cpu;
  if (tenv && !strcmp(tenv, "gpu")) ctx->gpu_tier = 1;
  if (tenv && (!strcmp(tenv, "base") || !strcmp(tenv, "fast"))) ctx->gpu_tier = 0;
  ctx->vk.vkGetPhysicalDeviceMemoryProperties(ctx->phys, &ctx->mem_props);

  float prio = 1.0f;
  VkDeviceQueueCreateInfo qi = {.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
                                .queueFamilyIndex = ctx->queue_family,
                                .queueCount = 1,
                                .pQueuePriorities = &prio};
  VkPhysicalDeviceShaderFloat16Int8Features f16 = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES,
      .shaderFloat16 = ctx->precision == PSEG_PRECISION_FP16};
  VkPhysicalDevice16BitStorageFeatures s16 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES,
                                              .pNext = &f16,
                                              .storageBuffer16BitAccess = ctx->precision == PSEG_PRECISION_FP16};
  /* integer models: int8 tensors between integer layers four to a 32-bit word (R32_UINT texels:
   * no device feature needed; PSEG_INT8_STORAGE=0, a float a value), and packed int8 dot products
   * in their convs (qnet.comp QDOT) where the device has them (PSEG_QDOT=0: fp32 sums) */
  const char *i8env = getenv("PSEG_INT8_STORAGE");
  ctx->int8_packed = !(i8env && !strcmp(i8env, "0"));
  const char *qenv = getenv("PSEG_QDOT");
  ctx->qdot = ctx->info.int_dot_product && !(qenv && !strcmp(qenv, "0"));
  /* the transposed convs too where the device says its packed signed dot product is accelerated
   * (on lavapipe, which emulates it, they measured 0-11 % slower with it; its convs faster);
   * PSEG_QDOT=all: there too on any device that has the extension */
  ctx->qdot_tconv = ctx->qdot && (ctx->info.int_dot_accelerated || (qenv && !strcmp(qenv, "all")));
  VkPhysicalDeviceShaderIntegerDotProductFeatures idp = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_INTEGER_DOT_PRODUCT_FEATURES, .shaderIntegerDotProduct = VK_TRUE};
  const char *exts[3];
  uint32_t n_ext = 0;
  if (ctx->precision == PSEG_PRECISION_FP16 && !core12(&ctx->vk, ctx->phys)) exts[n_ext++] = VK_KHR_SHADER_FLOAT16_INT8_EXTENSION_NAME;
  if (ctx->precision != PSEG_PRECISION_FP16) s16.pNext = NULL; /* nothing 1.2-only in the chain */
  VkPhysicalDeviceFeatures2 want_f = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, .pNext = &s16};
  want_f.features.shaderInt64 = ctx->int64 ? VK_TRUE : VK_FALSE;
  /* pipeline statistics for the profiler (pseg profile --stats), where the driver has them */
  VkPhysicalDevicePipelineExecutablePropertiesFeaturesKHR pex = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PIPELINE_EXECUTABLE_PROPERTIES_FEATURES_KHR};
  if (want_stats && has_device_ext(&ctx->vk, ctx->phys, VK_KHR_PIPELINE_EXECUTABLE_PROPERTIES_EXTENSION_NAME)) {
    VkPhysicalDeviceFeatures2 q = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, .pNext = &pex};
    ctx->vk.vkGetPhysicalDeviceFeatures2(ctx->phys, &q);
    pex.pNext = NULL;
    if (pex.pipelineExecutableInfo) {
      exts[n_ext++] = VK_KHR_PIPELINE_EXECUTABLE_PROPERTIES_EXTENSION_NAME;
      pex.pNext = want_f.pNext, want_f.pNext = &pex;
      ctx->pipeline_stats = 1;
    }
  }
  ctx->pipeline_stats_missing = want_stats && !ctx->pipeline_stats;
  if (ctx->info.int_dot_product) { /* enabled whenever the device has it: a model may want it */
    exts[n_ext++] = VK_KHR_SHADER_INTEGER_DOT_PRODUCT_EXTENSION_NAME;
    idp.pNext = want_f.pNext, want_f.pNext = &idp;
  }
  VkDeviceCreateInfo di = {.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
                           .pNext = &want_f,
                           .queueCreateInfoCount = 1,
                           .pQueueCreateInfos = &qi,
                           .enabledExtensionCount = n_ext,
                           .ppEnabledExtensionNames = exts};
  if ((r = gpu_check(ctx, ctx->vk.vkCreateDevice(ctx->phys, &di, NULL, &ctx->device), "vkCreateDevice"))) return r;
  pseg_vk_load_device(&ctx->vk, ctx->device);
  ctx->vk.vkGetDeviceQueue(ctx->device, ctx->queue_family, 0, &ctx->queue);

  VkCommandPoolCreateInfo pci = {.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
                                 .flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
                                 .queueFamilyIndex = ctx->queue_family};
  if ((r = gpu_check(ctx, ctx->vk.vkCreateCommandPool(ctx->device, &pci, NULL, &ctx->cmd_pool), "vkCreateCommandPool")))
    return r;
  VkDescriptorSetLayoutBinding b[PSEG_BINDINGS];
  for (uint32_t i = 0; i < PSEG_BINDINGS; i++)
    b[i] = (VkDescriptorSetLayoutBinding){.binding = i,
                                          .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                          .descriptorCount = 1,
                                          .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT};
  VkDescriptorSetLayoutCreateInfo li = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
                                        .bindingCount = PSEG_BINDINGS,
                                        .pBindings = b};
  if ((r = gpu_check(ctx, ctx->vk.vkCreateDescriptorSetLayout(ctx->device, &li, NULL, &ctx->set_layout),
                     "vkCreateDescriptorSetLayout")))
    return r;
  VkDescriptorSetLayoutBinding nb[PSEG_NET_BINDINGS];
  static const VkDescriptorType net_types[PSEG_NET_BINDINGS] = {
      VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER,
      VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
      VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER,       VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
      VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,       VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
      VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER,
      VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER};
  for (uint32_t i = 0; i < PSEG_NET_BINDINGS; i++)
    nb[i] = (VkDescriptorSetLayoutBinding){.binding = i,
                                           .descriptorType = net_types[i],
                                           .descriptorCount = 1,
                                           .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT};
  li.bindingCount = PSEG_NET_BINDINGS;
  li.pBindings = nb;
  if ((r = gpu_check(ctx, ctx->vk.vkCreateDescriptorSetLayout(ctx->device, &li, NULL, &ctx->set_layout_net),
                     "vkCreateDescriptorSetLayout")))
    return r;
  VkPushConstantRange pr = {.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT, .offset = 0, .size = sizeof(pseg_params)};
  VkPipelineLayoutCreateInfo pli = {.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
                                    .setLayoutCount = 1,
                                    .pSetLayouts = &ctx->set_layout,
                                    .pushConstantRangeCount = 1,
                                    .pPushConstantRanges = &pr};
  r = gpu_check(ctx, ctx->vk.vkCreatePipelineLayout(ctx->device, &pli, NULL, &ctx->pipeline_layout),
                "vkCreatePipelineLayout");
  pli.pSetLayouts = &ctx->set_layout_net;
  if (!r)
    r = gpu_check(ctx, ctx->vk.vkCreatePipelineLayout(ctx->device, &pli, NULL, &ctx->pipeline_layout_net),
                  "vkCreatePipelineLayout");
  if (!r) gpu_pipeline_cache_open(ctx);
  return r;
}

static int usable_cores(void) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (int)n : 1;
}

/* lavapipe hands every dispatch to LP_NUM_THREADS worker threads (Mesa's default: one a core)
 * and waits for the last workgroup; the thread that records the dispatches sleeps meanwhile.
 * With one worker a core, whole runs of frames on this project's 2-vCPU machine paid a slow
 * hand-off on every dispatch (landscape model 4.4-5.6 ms a frame against 3.1-3.4); with one
 * worker more than cores they became rarer (BENCHMARKS.md, "Worker threads"). Must run
 * before the instance exists: the driver reads the variable when it enumerates its device. */
static void apply_cpu_threads(int want, int cores) {
  if (want < 0) return;
  char buf[16];
  if (want == 0) {
    const char *env = getenv("LP_NUM_THREADS");
    if ((env && *env) || cores < 2) return; /* the user's setting; one core: Mesa runs inline */
    want = cores + 1;
  }
  snprintf(buf, sizeof buf, "%d", want);
  setenv("LP_NUM_THREADS", buf, 1);
}

int pseg_context_gpu_tier(const pseg_context *ctx) { return ctx->gpu_tier; }
int pseg_context_pipeline_stats(const pseg_context *ctx) { return ctx->pipeline_stats; }

int pseg_context_cpu_threads(const pseg_context *ctx) {
  return ctx && ctx->info.is_cpu ? ctx->cpu_threads : 0;
}

pseg_result pseg_context_create(const pseg_context_create_info *info, pseg_context **out, char *err, size_t errlen) {
  if (!out) return PSEG_ERROR_INVALID_ARGUMENT;
  *out = NULL;
  pseg_context_create_info def = {.device_index = -1};
  if (!info) info = &def;
  pseg_context *ctx = calloc(1, sizeof *ctx);
  if (!ctx) return PSEG_ERROR_OUT_OF_HOST_MEMORY;
  pthread_mutex_init(&ctx->pipe_lock, NULL);
  pthread_mutex_lock(&instance_lock);
  const char *v = getenv("PSEG_VALIDATION");
  int validation = info->enable_validation || (v && *v && strcmp(v, "0"));
  int cores = usable_cores();
  apply_cpu_threads(info->cpu_threads, cores);
  const char *lp = getenv("LP_NUM_THREADS");
  ctx->cpu_threads = lp && *lp ? atoi(lp) : cores > 1 ? cores : 0; /* else Mesa's default */
  ctx->cpu_cores = cores;
  pseg_result r = make_instance(ctx, validation);
  if (!r) r = make_device(ctx, info->device_index, info->precision, info->fp16_all_activations, info->pipeline_stats);
  pthread_mutex_unlock(&instance_lock);
  if (r) {
    if (err) snprintf(err, errlen, "%s", ctx->last_error);
    pseg_context_destroy(ctx);
    return r;
  }
  *out = ctx;
  return PSEG_SUCCESS;
}

void pseg_context_destroy(pseg_context *ctx) {
  if (!ctx) return;
  if (ctx->device) {
    ctx->vk.vkDeviceWaitIdle(ctx->device);
    gpu_pipeline_cache_save(ctx);
    for (uint32_t i = 0; i < ctx->n_pipes; i++) {
      ctx->vk.vkDestroyPipeline(ctx->device, ctx->pipes[i].pipeline, NULL);
      free(ctx->pipes[i].wspec);
    }
    free(ctx->pipes);
    if (ctx->pipeline_cache) ctx->vk.vkDestroyPipelineCache(ctx->device, ctx->pipeline_cache, NULL);
    if (ctx->pipeline_layout) ctx->vk.vkDestroyPipelineLayout(ctx->device, ctx->pipeline_layout, NULL);
    if (ctx->pipeline_layout_net) ctx->vk.vkDestroyPipelineLayout(ctx->device, ctx->pipeline_layout_net, NULL);
    if (ctx->set_layout) ctx->vk.vkDestroyDescriptorSetLayout(ctx->device, ctx->set_layout, NULL);
    if (ctx->set_layout_net) ctx->vk.vkDestroyDescriptorSetLayout(ctx->device, ctx->set_layout_net, NULL);
    if (ctx->cmd_pool) ctx->vk.vkDestroyCommandPool(ctx->device, ctx->cmd_pool, NULL);
  }
  pthread_mutex_lock(&instance_lock);
  if (ctx->device) ctx->vk.vkDestroyDevice(ctx->device, NULL);
  if (ctx->messenger) ctx->vk.vkDestroyDebugUtilsMessengerEXT(ctx->instance, ctx->messenger, NULL);
  if (ctx->instance) ctx->vk.vkDestroyInstance(ctx->instance, NULL);
  pthread_mutex_unlock(&instance_lock);
  pthread_mutex_destroy(&ctx->pipe_lock);
  free(ctx);
}

const char *pseg_context_last_error(const pseg_context *ctx) { return ctx ? ctx->last_error : "no context"; }
pseg_precision pseg_context_precision(const pseg_context *ctx) { return ctx->precision; }
int pseg_context_fp16_activations(const pseg_context *ctx) { return ctx->fp16_all; }
const pseg_device_info *pseg_context_device(const pseg_context *ctx) { return &ctx->info; }
uint64_t pseg_context_max_frame_pixels(const pseg_context *ctx) {
  uint64_t px = ctx ? (uint64_t)ctx->max_ssbo_range / 4 : 0, cap = 16384ull * 16384ull;
  return px < cap ? px : cap;
}
uint32_t pseg_context_validation_messages(const pseg_context *ctx) {
  return ctx ? __atomic_load_n(&ctx->validation_messages, __ATOMIC_RELAXED) : 0;
}
