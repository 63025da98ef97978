#version 450
/* Post-processing: bilinear (half-pixel) resize of the model's output channel aux0 from
 * in_w x in_h to the frame size out_w x out_h, as float. A frame of the model's size is a copy. */
#define NO_DST
#include "common/net.glsl"
layout(local_size_x = 8, local_size_y = 8, local_size_z = 1) in;
layout(constant_id = 0) const int C4 = 1;
layout(std430, binding = 3) writeonly buffer Out { float m[]; } dst;

float at(int x, int y) { return texelFetch(X, (y * pc.in_w + x) * C4 + pc.aux0 / 4)[pc.aux0 % 4]; }

void main() {
  int x = int(gl_GlobalInvocationID.x), y = int(gl_GlobalInvocationID.y);
  if (x >= pc.out_w || y >= pc.out_h) return;
  float v;
  if (pc.in_w == pc.out_w && pc.in_h == pc.out_h) {
    v = at(x, y);
  } else {
    float fx = max((float(x) + 0.5) * float(pc.in_w) / float(pc.out_w) - 0.5, 0.0);
    float fy = max((float(y) + 0.5) * float(pc.in_h) / float(pc.out_h) - 0.5, 0.0);
    int x0 = min(int(fx), pc.in_w - 1), y0 = min(int(fy), pc.in_h - 1);
    int x1 = min(x0 + 1, pc.in_w - 1), y1 = min(y0 + 1, pc.in_h - 1);
    float lx = fx - float(x0), ly = fy - float(y0);
    v = mix(mix(at(x0, y0), at(x1, y0), lx), mix(at(x0, y1), at(x1, y1), lx), ly);
  }
  dst.m[y * pc.out_w + x] = clamp(v, 0.0, 1.0);
}
