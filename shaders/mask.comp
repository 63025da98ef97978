#version 450
// pseg variants: 0  (storage variants built: bits in CMakeLists.txt)
/* Post-processing: bilinear (half-pixel) resize of the model's output channel CH from
 * in_w x in_h to the frame size out_w x out_h, as float. A frame of the model's size is a copy.
 * One invocation: MPX neighbouring pixels of a row (a workgroup: 8 * MPX x 8 pixels), and the
 * channel and the copy case are constants. On a CPU driver an invocation and a workgroup each
 * have a fixed cost: with a pixel an invocation and those two read from push constants, a
 * 1280x720 mask took 7.2-8.0 ms on one lavapipe thread, this way 4.1-4.5 ms, and 2.4-2.6 ms
 * with each invocation's source columns fetched once (NSRC; BENCHMARKS.md). */
#define NO_DST
#include "common/net.glsl"
layout(local_size_x = 8, local_size_y = 8, local_size_z = 1) in;
layout(constant_id = 0) const int C4 = 1;
layout(constant_id = 1) const int MPX = 8;  /* runtime/session.c sizes the grid from it */
layout(constant_id = 2) const int CH = 0;   /* the channel read */
layout(constant_id = 3) const int SAME = 0; /* 1: the frame has the model's size: a copy */
layout(constant_id = 4) const int NSRC = 0; /* > 0: see row_window() */
/* > 0: X holds the logits of a softmax head over SOFTMAX_C <= 4 channels (C4 = 1), computed here
 * as softmax.comp does (runtime/session.c) */
layout(constant_id = 5) const int SOFTMAX_C = 0;
/* 1 (session tta_flip, the mirrored pass): pixel x's value goes to out_w - 1 - x, averaged with
 * the first pass's mask there */
layout(constant_id = 6) const int FLIP = 0;
/* 1 (runtime/session.c: a frame of the size of a bilinear resize that ends the network, SAME): X
 * holds that resize's input, of pc.in_h x pc.in_w, and each pixel samples it as resize.comp does
 * (pc.mode its convention), then applies UPS_ACT (a standalone activation after the resize; not
 * PRELU) and the head: the frame-sized map is never stored */
layout(constant_id = 7) const int UPS = 0;
layout(constant_id = 8) const int UPS_ACT = 0;
layout(std430, binding = 3) buffer Out { float m[]; } dst;

void emit(int x, int y, float v) {
  v = clamp(v, 0.0, 1.0);
  if (FLIP != 0) {
    int j = y * pc.out_w + (pc.out_w - 1 - x);
    dst.m[j] = 0.5 * (dst.m[j] + v);
  } else {
    dst.m[y * pc.out_w + x] = v;
  }
}

vec4 texel(int x, int y) { return texelFetch(X, (y * pc.in_w + x) * C4 + CH / 4); }

/* the person channel of a texel of the model's output (or its logits: their softmax) */
float head(vec4 v) {
  if (SOFTMAX_C == 0) return v[CH % 4];
  float mx = -1.0 / 0.0, s = 0.0;
  [[unroll]] for (int c = 0; c < SOFTMAX_C; c++) mx = max(mx, v[c]);
  [[unroll]] for (int c = 0; c < SOFTMAX_C; c++) s += exp(v[c] - mx);
  return exp(v[CH] - mx) / s;
}

float at(int x, int y) { return head(texel(x, y)); }

/* UPS: output pixel (x, y) of the resize, with resize.comp's arithmetic */
float up(int x, int y) {
  int y1, x1;
  float ly, lx;
  int y0 = src_pair(y, pc.in_h, pc.out_h, y1, ly), x0 = src_pair(x, pc.in_w, pc.out_w, x1, lx);
  vec4 top = mix(texel(x0, y0), texel(x1, y0), lx), bot = mix(texel(x0, y1), texel(x1, y1), lx);
  return head(activate(mix(top, bot, ly), UPS_ACT));
}

/* output column x: its two source columns and the weight of the second */
int src_x(int x, out int x1, out float lx) {
  float fx = max((float(x) + 0.5) * float(pc.in_w) / float(pc.out_w) - 0.5, 0.0);
  int x0 = min(int(fx), pc.in_w - 1);
  x1 = min(x0 + 1, pc.in_w - 1);
  lx = fx - float(x0);
  return x0;
}

/* NSRC > 0 (runtime/session.c: an enlarging resize): the MPX pixels of an invocation read at
 * most NSRC neighbouring source columns, fetched once per source row; each pixel then picks its
 * two columns from them by comparison (no dynamic indexing). Same values, same arithmetic as the
 * direct path. */
void row_window(int y, int y0, int y1, float ly) {
  int xb = int(gl_GlobalInvocationID.x) * MPX;
  int x1;
  float lx;
  int base = src_x(min(xb, pc.out_w - 1), x1, lx); /* the first pixel's left column */
  float r0[NSRC > 0 ? NSRC : 1], r1[NSRC > 0 ? NSRC : 1];
  [[unroll]] for (int j = 0; j < NSRC; j++) {
    int xs = min(base + j, pc.in_w - 1);
    r0[j] = at(xs, y0);
    r1[j] = at(xs, y1);
  }
  [[unroll]] for (int i = 0; i < MPX; i++) {
    int x = xb + i;
    if (x >= pc.out_w) break;
    int k0 = src_x(x, x1, lx) - base, k1 = x1 - base;
    float a0 = r0[0], a1 = r0[0], b0 = r1[0], b1 = r1[0];
    [[unroll]] for (int j = 1; j < NSRC; j++) {
      a0 = k0 == j ? r0[j] : a0, a1 = k1 == j ? r0[j] : a1;
      b0 = k0 == j ? r1[j] : b0, b1 = k1 == j ? r1[j] : b1;
    }
    float v = mix(mix(a0, a1, lx), mix(b0, b1, lx), ly);
    emit(x, y, v);
  }
}

void main() {
  int y = int(gl_GlobalInvocationID.y);
  if (y >= pc.out_h) return;
  float fy = max((float(y) + 0.5) * float(pc.in_h) / float(pc.out_h) - 0.5, 0.0);
  int y0 = min(int(fy), pc.in_h - 1), y1 = min(y0 + 1, pc.in_h - 1);
  float ly = fy - float(y0);
  if (NSRC > 0) {
    row_window(y, y0, y1, ly);
    return;
  }
  [[unroll]] for (int i = 0; i < MPX; i++) {
    int x = int(gl_GlobalInvocationID.x) * MPX + i;
    if (x >= pc.out_w) break;
    float v;
    if (SAME != 0) {
      v = UPS != 0 ? up(x, y) : at(x, y);
    } else {
      int x1;
      float lx;
      int x0 = src_x(x, x1, lx);
      v = mix(mix(at(x0, y0), at(x1, y0), lx), mix(at(x0, y1), at(x1, y1), lx), ly);
    }
    emit(x, y, v);
  }
}
