#version 450
/* Post-processing: bilinear (half-pixel) resize of the model's output channel CH from
 * in_w x in_h to the frame size out_w x out_h, as float. A frame of the model's size is a copy.
 * One invocation: MPX neighbouring pixels of a row (a workgroup: 8 * MPX x 8 pixels), and the
 * channel and the copy case are constants. On a CPU driver an invocation and a workgroup each
 * have a fixed cost: with a pixel an invocation and those two read from push constants, a
 * 1280x720 mask took 7.2-8.0 ms on one lavapipe thread, this way 4.1-4.5 ms (BENCHMARKS.md). */
#define NO_DST
#include "common/net.glsl"
layout(local_size_x = 8, local_size_y = 8, local_size_z = 1) in;
layout(constant_id = 0) const int C4 = 1;
layout(constant_id = 1) const int MPX = 8;  /* runtime/session.c sizes the grid from it */
layout(constant_id = 2) const int CH = 0;   /* the channel read */
layout(constant_id = 3) const int SAME = 0; /* 1: the frame has the model's size: a copy */
layout(std430, binding = 3) writeonly buffer Out { float m[]; } dst;

float at(int x, int y) { return texelFetch(X, (y * pc.in_w + x) * C4 + CH / 4)[CH % 4]; }

void main() {
  int y = int(gl_GlobalInvocationID.y);
  if (y >= pc.out_h) return;
  float fy = max((float(y) + 0.5) * float(pc.in_h) / float(pc.out_h) - 0.5, 0.0);
  int y0 = min(int(fy), pc.in_h - 1), y1 = min(y0 + 1, pc.in_h - 1);
  float ly = fy - float(y0);
  [[unroll]] for (int i = 0; i < MPX; i++) {
    int x = int(gl_GlobalInvocationID.x) * MPX + i;
    if (x >= pc.out_w) break;
    float v;
    if (SAME != 0) {
      v = at(x, y);
    } else {
      float fx = max((float(x) + 0.5) * float(pc.in_w) / float(pc.out_w) - 0.5, 0.0);
      int x0 = min(int(fx), pc.in_w - 1), x1 = min(x0 + 1, pc.in_w - 1);
      float lx = fx - float(x0);
      v = mix(mix(at(x0, y0), at(x1, y0), lx), mix(at(x0, y1), at(x1, y1), lx), ly);
    }
    dst.m[y * pc.out_w + x] = clamp(v, 0.0, 1.0);
  }
}
