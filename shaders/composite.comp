#version 450
/* Composite: I = a*F + (1-a)*B per pixel of the frame (out_w x out_h). B is read from a
 * background of aux0 x aux1 pixels, stretched to the frame with bilinear filtering. Frame b of a
 * batch (grid z): its frame, background, mask and output at b times pc.bx, pc.br (0: one image
 * for all), pc.bg and pc.by. */
#include "common/common.glsl"
layout(local_size_x = 8, local_size_y = 8, local_size_z = 1) in;
layout(std430, binding = 0) readonly buffer Img { uint p[]; } img;
layout(std430, binding = 1) readonly buffer Bg { uint p[]; } bg;
layout(std430, binding = 2) readonly buffer Mask { float m[]; } mask;
layout(std430, binding = 3) writeonly buffer Out { uint p[]; } dst;

vec4 bgpx(int x, int y) { return unpackUnorm4x8(bg.p[int(gl_WorkGroupID.z) * pc.br + y * pc.aux0 + x]); }

void main() {
  int x = int(gl_GlobalInvocationID.x), y = int(gl_GlobalInvocationID.y);
  if (x >= pc.out_w || y >= pc.out_h) return;
  int bw = pc.aux0, bh = pc.aux1;
  float fx = max((float(x) + 0.5) * float(bw) / float(pc.out_w) - 0.5, 0.0);
  float fy = max((float(y) + 0.5) * float(bh) / float(pc.out_h) - 0.5, 0.0);
  int x0 = min(int(fx), bw - 1), y0 = min(int(fy), bh - 1);
  int x1 = min(x0 + 1, bw - 1), y1 = min(y0 + 1, bh - 1);
  float lx = fx - float(x0), ly = fy - float(y0);
  vec4 b = mix(mix(bgpx(x0, y0), bgpx(x1, y0), lx), mix(bgpx(x0, y1), bgpx(x1, y1), lx), ly);
  int i = y * pc.out_w + x, fb = int(gl_WorkGroupID.z);
  vec4 f = unpackUnorm4x8(img.p[fb * pc.bx + i]);
  float a = mask.m[fb * pc.bg + i];
  dst.p[fb * pc.by + i] = packUnorm4x8(vec4(mix(b.rgb, f.rgb, a), 1.0));
}
