#version 450
// pseg variants: 0  (storage variants built: bits in CMakeLists.txt)
/* The blurred background (PSEG_BACKGROUND_BLUR), computed at a reduced size (kernels/composite.c:
 * the sizes and the plain-C reference): mode 2 averages the F x F blocks (F = pc.aux1) of the
 * RGBA8 frame (in_w x in_h) into out_w x out_h; modes 0 / 1 then run a Gaussian along x / y at
 * that size (radius RADIUS, sigma the float bits of pc.aux1, clamped at the edges), and
 * composite.comp stretches the result back to the frame. MPX pixels of a row an invocation (a
 * workgroup: 8 MPX x 8 pixels): on a CPU driver each invocation and workgroup has a fixed cost.
 * Frame b of a batch (grid z) at b * pc.bx in the source, b * pc.by in the destination. */
#extension GL_EXT_control_flow_attributes : require
#include "common/common.glsl"
layout(local_size_x = 8, local_size_y = 8, local_size_z = 1) in;
layout(constant_id = 0) const int MPX = 8;
layout(constant_id = 1) const int RADIUS = 0; /* modes 0, 1: the Gaussian's taps each side (= pc.aux0) */
layout(constant_id = 2) const int VEC = 0; /* mode 2: the frame read 4 pixels a texel (F and in_w multiples of 4) */
/* the source as uint texels (RGBA8 packed): R32_UINT, or for mode 2 with VEC R32G32B32A32_UINT */
layout(binding = 0) uniform usamplerBuffer X;
layout(std430, binding = 3) writeonly buffer Out { uint p[]; } dst;

void main() {
  int y = int(gl_GlobalInvocationID.y);
  if (y >= pc.out_h) return;
  int b = int(gl_WorkGroupID.z), sb = b * pc.bx, db = b * pc.by;
  float wt[2 * RADIUS + 1], ws = 0.0; /* the Gaussian's weights, once an invocation */
  float sg = uintBitsToFloat(uint(pc.aux1)), k2 = -0.5 / (sg * sg);
  [[unroll]] for (int k = -RADIUS; k <= RADIUS; k++) wt[k + RADIUS] = exp(float(k * k) * k2), ws += wt[k + RADIUS];
  [[unroll]] for (int i = 0; i < MPX; i++) {
    int x = int(gl_GlobalInvocationID.x) * MPX + i;
    if (x >= pc.out_w) break;
    vec4 s = vec4(0.0);
    if (pc.mode == 2) {
      int f = pc.aux1, x0 = x * f, y0 = y * f, x1 = min(x0 + f, pc.in_w), y1 = min(y0 + f, pc.in_h);
      if (VEC != 0) { /* whole texels: x0 and in_w multiples of 4, so is x1 */
        for (int yy = y0; yy < y1; yy++)
          for (int xx = x0; xx < x1; xx += 4) {
            uvec4 t = texelFetch(X, (sb + yy * pc.in_w + xx) / 4);
            s += unpackUnorm4x8(t.x) + unpackUnorm4x8(t.y) + unpackUnorm4x8(t.z) + unpackUnorm4x8(t.w);
          }
      } else {
        for (int yy = y0; yy < y1; yy++)
          for (int xx = x0; xx < x1; xx++) s += unpackUnorm4x8(texelFetch(X, sb + yy * pc.in_w + xx).x);
      }
      s /= float((x1 - x0) * (y1 - y0));
    } else {
      [[unroll]] for (int k = -RADIUS; k <= RADIUS; k++) {
        int xx = pc.mode == 0 ? clamp(x + k, 0, pc.out_w - 1) : x;
        int yy = pc.mode == 1 ? clamp(y + k, 0, pc.out_h - 1) : y;
        s += wt[k + RADIUS] * unpackUnorm4x8(texelFetch(X, sb + yy * pc.out_w + xx).x);
      }
      s /= ws;
    }
    dst.p[db + y * pc.out_w + x] = packUnorm4x8(s);
  }
}
