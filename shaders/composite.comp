#version 450
// pseg variants: 0  (storage variants built: bits in CMakeLists.txt)
/* Composite: I = a*F + (1-a)*B per pixel of the frame (out_w x out_h). B is read from a
 * background of aux0 x aux1 pixels (RGBA8), stretched to the frame with bilinear filtering (the
 * blurred background is made at a reduced size: blur.comp). Frame b of a batch (grid z): its
 * frame, background, mask and output at b times pc.bx, pc.br (0: one image for all), pc.bg and
 * pc.by pixels.
 *
 * On a CPU driver each invocation, workgroup and texel fetch has a fixed cost: an invocation
 * takes MPX consecutive pixels of the frame's pixel order; with VEC (runtime/session.c: frames of
 * a multiple of 8 pixels) it fetches the frame and the mask 4 pixels a texel (RGBA32 views), and
 * with NSRC (rows of a multiple of 8 pixels, a background at most ~(NSRC - 3) / 7 of the frame's
 * width) the background columns its pixels span once, blended between the two rows, each pixel
 * picking its two by comparison. 1280x720 on lavapipe: 7.4 ms with a pixel an invocation, 3.8
 * with MPX and NSRC (`pseg profile --size 1280x720 --background blur`). */
#extension GL_EXT_control_flow_attributes : require
#include "common/common.glsl"
layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const int MPX = 8;
layout(constant_id = 1) const int NSRC = 0;
layout(constant_id = 2) const int VEC = 0;
layout(binding = 0) uniform usamplerBuffer X; /* frame: R32_UINT (VEC: R32G32B32A32_UINT) */
layout(binding = 1) uniform usamplerBuffer R; /* background: R32_UINT */
layout(binding = 2) uniform samplerBuffer G;  /* mask: R32_SFLOAT (VEC: R32G32B32A32_SFLOAT) */
layout(std430, binding = 3) writeonly buffer Out { uvec4 p[]; } dst; /* 4 pixels an element */

vec4 bgpx(int x, int y) { return unpackUnorm4x8(texelFetch(R, int(gl_WorkGroupID.z) * pc.br + y * pc.aux0 + x).x); }

/* Background column x of the frame: its two source columns and the weight of the second. */
int src_x(int x, out int x1, out float lx) {
  int bw = pc.aux0;
  float fx = max((float(x) + 0.5) * float(bw) / float(pc.out_w) - 0.5, 0.0);
  int x0 = min(int(fx), bw - 1);
  x1 = min(x0 + 1, bw - 1);
  lx = fx - float(x0);
  return x0;
}

float src_y(int y, out int y0, out int y1) {
  int bh = pc.aux1;
  float fy = max((float(y) + 0.5) * float(bh) / float(pc.out_h) - 0.5, 0.0);
  y0 = min(int(fy), bh - 1), y1 = min(y0 + 1, bh - 1);
  return fy - float(y0);
}

void main() {
  int npix = pc.out_w * pc.out_h, fb = int(gl_WorkGroupID.z);
  int g = int(gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x);
  int q0 = g * MPX;
  if (q0 >= npix) return;
  uint fpx[MPX];
  float ma[MPX];
  if (VEC != 0) { /* MPX % 4 == 0, npix % 8 == 0: aligned texels, in range */
    [[unroll]] for (int k = 0; k < MPX / 4; k++) {
      uvec4 f4 = texelFetch(X, (fb * pc.bx + q0) / 4 + k);
      vec4 m4 = texelFetch(G, (fb * pc.bg + q0) / 4 + k);
      [[unroll]] for (int l = 0; l < 4; l++) fpx[4 * k + l] = f4[l], ma[4 * k + l] = m4[l];
    }
  } else {
    [[unroll]] for (int i = 0; i < MPX; i++) {
      int q = min(q0 + i, npix - 1);
      fpx[i] = texelFetch(X, fb * pc.bx + q).x, ma[i] = texelFetch(G, fb * pc.bg + q).x;
    }
  }
  int y0, y1, x1;
  float lx;
  vec4 col[NSRC > 0 ? NSRC : 1];
  int base = 0;
  if (NSRC > 0) { /* the MPX pixels are in one row */
    int y = q0 / pc.out_w;
    float ly = src_y(y, y0, y1);
    base = src_x(q0 - y * pc.out_w, x1, lx);
    [[unroll]] for (int j = 0; j < NSRC; j++) {
      int xs = min(base + j, pc.aux0 - 1);
      col[j] = mix(bgpx(xs, y0), bgpx(xs, y1), ly);
    }
  }
  uint outp[MPX];
  [[unroll]] for (int i = 0; i < MPX; i++) {
    int q = q0 + i;
    if (VEC == 0 && q >= npix) break;
    int y = NSRC > 0 ? q0 / pc.out_w : q / pc.out_w, x = q - y * pc.out_w; /* NSRC: one row */
    int x0 = src_x(x, x1, lx);
    vec4 b;
    if (NSRC > 0) {
      int k0 = x0 - base, k1 = x1 - base;
      vec4 a0 = col[0], a1 = col[0];
      [[unroll]] for (int j = 1; j < NSRC; j++) a0 = k0 == j ? col[j] : a0, a1 = k1 == j ? col[j] : a1;
      b = mix(a0, a1, lx);
    } else {
      float ly = src_y(y, y0, y1);
      b = mix(mix(bgpx(x0, y0), bgpx(x1, y0), lx), mix(bgpx(x0, y1), bgpx(x1, y1), lx), ly);
    }
    outp[i] = packUnorm4x8(vec4(mix(b.rgb, unpackUnorm4x8(fpx[i]).rgb, ma[i]), 1.0));
    if (VEC == 0) {
      int o = fb * pc.by + q;
      dst.p[o / 4][o % 4] = outp[i];
    }
  }
  if (VEC != 0) /* whole elements: one store of 4 pixels */
    [[unroll]] for (int k = 0; k < MPX / 4; k++)
      dst.p[(fb * pc.by + q0) / 4 + k] = uvec4(outp[4 * k], outp[4 * k + 1], outp[4 * k + 2], outp[4 * k + 3]);
}
