#version 450
// pseg variants: 0 1  (storage variants built: bits in CMakeLists.txt)
/* GPU tier: pre- and post-processing that is not fused into a layer, frames over grid z.
 *   KIND 0 (pre.comp): the RGBA8 frame (binding 7, in_w x in_h) stretched to the model input
 *          (out_w x out_h) with half-pixel bilinear filtering, scaled to [0, 1], into Y; pc.mode 1:
 *          a 4th channel, the prior mask (binding 1, a float a frame pixel), stretched the same way;
 *   KIND 1 (mask.comp): the model's output channel CH (X: C4 vec4s a pixel; C4 = 0: the one
 *          float a pixel the last layer wrote, binding 2) resized to the frame (out_w x out_h)
 *          into the mask (binding 5, floats); SAME: a frame of the output's size, a copy.
 * One invocation a pixel. Strides: pc.bx (X, the plane or the frame), pc.by (Y), pc.by2 (mask). */
#define GNET_NO_TENSORS
#include "common/gnet.glsl"
layout(local_size_x = 8, local_size_y = 8, local_size_z = 1) in;
layout(constant_id = 0) const int KIND = 0;
layout(constant_id = 1) const int C4 = 1;
layout(constant_id = 2) const int CH = 0;
layout(constant_id = 3) const int SAME = 0;
/* 1 (session tta_flip, the mirrored pass): KIND 0 writes the input mirrored; KIND 1 mirrors the
 * mask back and averages it with the first pass's */
layout(constant_id = 4) const int FLIP = 0;
layout(std430, binding = 0) readonly buffer XB { ATYPE v[]; } xb;
layout(std430, binding = 1) readonly buffer PriorB { float v[]; } priorb;
layout(std430, binding = 2) readonly buffer Plane { float v[]; } plane;
layout(std430, binding = 3) writeonly buffer YB { ATYPE v[]; } yb;
layout(std430, binding = 5) buffer MaskB { float m[]; } maskb;
layout(std430, binding = 7) readonly buffer Frame { uint p[]; } frame;

vec4 px(int x, int y) { return unpackUnorm4x8(frame.p[BATCH * pc.bx + y * pc.in_w + x]); }
float pr(int x, int y) { return priorb.v[y * pc.in_w + x]; } /* batch 1 only */
float at(int x, int y) {
  int i = y * pc.in_w + x;
  return C4 == 0 ? plane.v[BATCH * pc.bx + i] : float(xb.v[BATCH * pc.bx + i * C4 + CH / 4][CH % 4]);
}

void main() {
  int x = int(gl_GlobalInvocationID.x), y = int(gl_GlobalInvocationID.y);
  if (x >= pc.out_w || y >= pc.out_h) return;
  float fx = max((float(x) + 0.5) * float(pc.in_w) / float(pc.out_w) - 0.5, 0.0);
  float fy = max((float(y) + 0.5) * float(pc.in_h) / float(pc.out_h) - 0.5, 0.0);
  int x0 = min(int(fx), pc.in_w - 1), y0 = min(int(fy), pc.in_h - 1);
  int x1 = min(x0 + 1, pc.in_w - 1), y1 = min(y0 + 1, pc.in_h - 1);
  float lx = fx - float(x0), ly = fy - float(y0);
  if (KIND == 0) {
    vec4 v = mix(mix(px(x0, y0), px(x1, y0), lx), mix(px(x0, y1), px(x1, y1), lx), ly);
    float p = 0.0;
    if (pc.mode != 0) p = mix(mix(pr(x0, y0), pr(x1, y0), lx), mix(pr(x0, y1), pr(x1, y1), lx), ly);
    int xo = FLIP != 0 ? pc.out_w - 1 - x : x;
    yb.v[BATCH * pc.by + (y * pc.out_w + xo) * pc.out_c4] = ATYPE(v.rgb * intBitsToFloat(ivec3(pc.aux0, pc.sh, pc.pad_t)) + intBitsToFloat(ivec3(pc.aux1, pc.sw, pc.pad_l)), p);
    return;
  }
  float v = SAME != 0 ? at(x, y) : mix(mix(at(x0, y0), at(x1, y0), lx), mix(at(x0, y1), at(x1, y1), lx), ly);
  if (FLIP != 0) {
    int j = BATCH * pc.by2 + y * pc.out_w + (pc.out_w - 1 - x);
    maskb.m[j] = 0.5 * (maskb.m[j] + clamp(v, 0.0, 1.0));
  } else {
    maskb.m[BATCH * pc.by2 + y * pc.out_w + x] = clamp(v, 0.0, 1.0);
  }
}
