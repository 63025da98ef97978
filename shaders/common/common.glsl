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
