#version 450
// pseg variants: 0  (storage variants built: bits in CMakeLists.txt)
/* Temporal smoothing of the masks of a frame sequence (pseg_session_create_info.smoothing; the
 * plain-C reference and the rule: kernels/composite.c, ref_smooth): per pixel, the running mask
 * r moves toward the frame's probability p by a weight that grows with their disagreement, and
 * becomes the frame's mask. r < 0 (a new sequence: session creation, pseg_session_reset_smoothing)
 * takes p as it is. Float bits in the push constants: aux0 the strength s, aux1 and mode the
 * disagreements d0 < d1 between which the weight rises from 1 - s to 1. MPX pixels an invocation,
 * a 1D grid (x + y * 65535 workgroups). */
#extension GL_EXT_control_flow_attributes : require
#include "common/common.glsl"
layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const int MPX = 8;
layout(std430, binding = 0) buffer Mask { float m[]; } mask;
layout(std430, binding = 3) buffer State { float m[]; } st;

void main() {
  int npix = pc.out_w * pc.out_h;
  int g = int(gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x);
  float s = uintBitsToFloat(uint(pc.aux0)), d0 = uintBitsToFloat(uint(pc.aux1)), d1 = uintBitsToFloat(uint(pc.mode));
  [[unroll]] for (int i = 0; i < MPX; i++) {
    int q = g * MPX + i;
    if (q >= npix) break;
    float p = mask.m[q], r = st.m[q], o = p;
    if (r >= 0.0) {
      float t = clamp((abs(p - r) - d0) / (d1 - d0), 0.0, 1.0);
      float w = (1.0 - s) + s * (t * t * (3.0 - 2.0 * t));
      o = r + w * (p - r);
    }
    mask.m[q] = o;
    st.m[q] = o;
  }
}
