#version 450
/* Box blur of an RGBA8 frame (out_w x out_h), one direction per dispatch: mode 0 horizontal,
 * mode 1 vertical; radius aux0. Three passes of this approximate a Gaussian. Frame b of a batch
 * (grid z) at b * pc.bx in the source, b * pc.by in the destination. */
#include "common/common.glsl"
layout(local_size_x = 8, local_size_y = 8, local_size_z = 1) in;
layout(std430, binding = 0) readonly buffer In { uint p[]; } src;
layout(std430, binding = 3) writeonly buffer Out { uint p[]; } dst;

void main() {
  int x = int(gl_GlobalInvocationID.x), y = int(gl_GlobalInvocationID.y);
  if (x >= pc.out_w || y >= pc.out_h) return;
  int r = pc.aux0, b = int(gl_WorkGroupID.z), sb = b * pc.bx;
  vec4 s = vec4(0.0);
  for (int k = -r; k <= r; k++) {
    int xx = pc.mode == 0 ? clamp(x + k, 0, pc.out_w - 1) : x;
    int yy = pc.mode == 1 ? clamp(y + k, 0, pc.out_h - 1) : y;
    s += unpackUnorm4x8(src.p[sb + yy * pc.out_w + xx]);
  }
  dst.p[b * pc.by + y * pc.out_w + x] = packUnorm4x8(s / float(2 * r + 1));
}
