#extension GL_GOOGLE_include_directive : require
/* Storage types, chosen per dispatch: O16 (the output), W16 (weights, net.glsl). Each defined
 * one stores f16vec4, else vec4. Arithmetic is fp32 (values are widened on load), so sums never
 * overflow fp16. */
#if defined(W16) || defined(O16)
#extension GL_EXT_shader_16bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#endif
#ifdef O16
#define OTYPE f16vec4
#else
#define OTYPE vec4
#endif

#define PSEG_PARAMS_BEGIN layout(push_constant) uniform Params {
#define PSEG_PARAMS_END } pc;
#include "params.h"

#define ACT_NONE 0
#define ACT_RELU 1
#define ACT_RELU6 2
#define ACT_HARD_SWISH 3
#define ACT_SIGMOID 4
#define ACT_TANH 5
#define ACT_EXP 6
#define ACT_PRELU 7 /* per channel: the shaders with weights read the slopes (act_c) */

/* n / d for n >= 0, d > 0, a quotient below 2^20 (d not known when the shader is built: a push
 * constant). lavapipe divides integers one lane at a time, a float division is one vector
 * instruction: its quotient, truncated, is within one of n / d (also with the 2.5 ulp Vulkan
 * allows a division), and one step each way makes it exact. */
int idiv(int n, int d) {
  int q = int(float(n) / float(d));
  q -= q * d > n ? 1 : 0;
  q += (q + 1) * d <= n ? 1 : 0;
  return q;
}

/* x >= 0 ? x : s x (TFLite's PRELU, exactly) */
vec4 prelu(vec4 v, vec4 s) { return mix(v * s, v, greaterThanEqual(v, vec4(0.0))); }

vec4 activate(vec4 v, int act) {
  if (act == ACT_RELU) return max(v, vec4(0.0));
  if (act == ACT_RELU6) return clamp(v, vec4(0.0), vec4(6.0));
  if (act == ACT_HARD_SWISH) return v * clamp(v + 3.0, vec4(0.0), vec4(6.0)) * (1.0 / 6.0);
  if (act == ACT_SIGMOID) return 1.0 / (1.0 + exp(-v));
  if (act == ACT_EXP) return exp(v);
  if (act == ACT_TANH) { /* 1 - 2 / (exp(2v) + 1): exact at both ends, no inf / inf */
    vec4 e = exp(2.0 * clamp(v, vec4(-20.0), vec4(20.0)));
    return 1.0 - 2.0 / (e + 1.0);
  }
  return v;
}

/* RESIZE_BILINEAR's source coordinate of output d (pc.mode: 0 half-pixel centres, clamped;
 * 1 legacy src = dst * in/out; 2 align corners). */
float src_coord(int d, int n_in, int n_out) {
  if (pc.mode == 2) return n_out > 1 ? float(d) * float(n_in - 1) / float(n_out - 1) : 0.0;
  float scale = float(n_in) / float(n_out);
  if (pc.mode == 1) return float(d) * scale;
  return max((float(d) + 0.5) * scale - 0.5, 0.0);
}
/* Along one axis, output d of a RESIZE_BILINEAR reads source i0 (returned) and i1 (the next,
 * clamped), weighting i1 by l: every bilinear read (resize.comp, conv.comp MODE 2, mask.comp UPS,
 * gpix.comp, gconv.comp) takes its taps from here. */
int src_pair(int d, int n_in, int n_out, out int i1, out float l) {
  float f = src_coord(d, n_in, n_out);
  int i0 = min(int(floor(f)), n_in - 1);
  i1 = min(i0 + 1, n_in - 1);
  l = f - float(i0);
  return i0;
}
/* RESIZE_NEAREST_NEIGHBOR's source index of output d (mode 0 half-pixel, 1 legacy, 2 align
 * corners; scale: the CPU's fp32 n_in / n_out or (n_in - 1) / (n_out - 1), kernels/resize.c) */
int nearest_src_mode(int d, int n_in, float scale, int mode) {
  float s = (float(d) + (mode == 0 ? 0.5 : 0.0)) * scale, f = floor(s);
  int v = int(f) + ((mode == 2 && s - f >= 0.5) ? 1 : 0);
  return clamp(v, 0, n_in - 1);
}
/* the same with the mode in pc.mode, 3 + the convention (resize.comp, gpix.comp) */
int nearest_src(int d, int n_in, float scale) { return nearest_src_mode(d, n_in, scale, pc.mode - 3); }

/* four int8 values in one 32-bit word, byte j component j: the packed int8 tensors of integer
 * models (qnet.comp PK, pre.comp QUANT 2) */
uint pack8(ivec4 v) { return uint(v.x & 255) | uint(v.y & 255) << 8 | uint(v.z & 255) << 16 | uint(v.w) << 24; }
