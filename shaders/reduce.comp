#version 450
/* Reductions for the conformance suite (pseg conformance reductions, docs/conformance.md): the
 * squeeze-excite pooling and the channel sums of hand-written softmax heads, with the
 * accumulation a mobile GPU delegate may use. Built in variants by defines
 * (cmake/conformance.cmake):
 *   OP=0  MEAN over the pixels of each channel: one workgroup per channel, 64 invocations each
 *         summing a strided share, then a shared-memory tree, then / N (the shape of
 *         shaders/mean.comp, the runtime's pooling, and of delegates' pooling kernels)
 *   OP=1  SUM over the channels of each pixel, one invocation per pixel, in channel order
 *   ACC=0 float16_t accumulation, sum then divide (the naive form)
 *   ACC=1 float16_t accumulation of terms each scaled by 1/N first (OP 0 only: no overflow, at
 *         the cost of tiny terms)
 *   ACC=2 fp32 accumulation (what pseg's kernels do, whatever the storage precision)
 * Inputs are fp16 values, two per uint (binding 0; pixel-major, C channels a pixel), read
 * exactly with unpackHalf2x16; outputs fp32 (binding 3): one per channel (OP 0) or pixel (OP 1).
 * Push constants (shared pseg_params): in_w = pixel count, aux0 = C. */
#extension GL_GOOGLE_include_directive : require
#if ACC != 2
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#define T float16_t
#else
#define T float
#endif
#define PSEG_PARAMS_BEGIN layout(push_constant) uniform Params {
#define PSEG_PARAMS_END } pc;
#include "common/params.h"

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(std430, binding = 0) readonly buffer In { uint x[]; } src;
layout(std430, binding = 3) writeonly buffer Out { float y[]; } dst;

float ld(int i) {
  vec2 h = unpackHalf2x16(src.x[i >> 1]);
  return (i & 1) != 0 ? h.y : h.x;
}

#if OP == 0
shared T part[64];
void main() {
  int c = int(gl_WorkGroupID.x), t = int(gl_LocalInvocationID.x);
  int n = pc.in_w, C = pc.aux0;
  T s = T(0.0);
#if ACC == 1
  T inv = T(1.0 / float(n));
  for (int i = t; i < n; i += 64) s += T(ld(i * C + c)) * inv;
#else
  for (int i = t; i < n; i += 64) s += T(ld(i * C + c));
#endif
  part[t] = s;
  barrier();
  for (int k = 32; k > 0; k >>= 1) {
    if (t < k) part[t] += part[t + k];
    barrier();
  }
#if ACC == 1
  if (t == 0) dst.y[c] = float(part[0]);
#else
  if (t == 0) dst.y[c] = float(part[0]) / float(n); /* the sum's overflow, not N's: N > 65504 in fp16 is Inf */
#endif
}
#else
void main() {
  int p = int(gl_GlobalInvocationID.x);
  if (p >= pc.in_w) return;
  int C = pc.aux0;
  T s = T(0.0);
  for (int c = 0; c < C; c++) s += T(ld(p * C + c));
  dst.y[p] = float(s);
}
#endif
