#version 450
// pseg variants: 0  (storage variants built: bits in CMakeLists.txt)
/* Edge-aware upsampling of the mask (pseg_session_create_info.guided; the plain-C reference:
 * kernels/composite.c ref_guided): He and Sun's fast guided filter with the frame's luma I as the
 * guide, computed at a reduced size (the frame's S x S blocks, S = pc.aux1 in mode 0) and applied
 * at full size, q = mean(a) I + mean(b), a = cov(I, p) / (var(I) + eps), b = mean(p) - a mean(I),
 * the means over a (2R + 1)^2 box at the reduced size (R = pc.aux0). Modes:
 *   0  blocks: L = (I, p, I p, I I) averaged over each block (binding 0 the frame RGBA8, binding
 *      1 the mask, binding 3 L: vec4 a low pixel);
 *   1  box along x of binding 2 into binding 3 (vec4s, out_w x out_h, the reduced size);
 *   2  box along y of binding 2 into binding 3; with pc.mode2 (pc.kh) 1, then (a, b) from the
 *      four means (eps: float bits of pc.kw);
 *   3  apply: q = bilinear(mean a, mean b) at frame pixel (binding 2: the means, lw x lh = pc.in_w
 *      x pc.in_h), binding 0 the frame, binding 1 the mask (written). */
#include "common/common.glsl"
layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(std430, binding = 0) readonly buffer Img { uint p[]; } img;
layout(std430, binding = 1) buffer Mask { float m[]; } mask;
layout(std430, binding = 2) readonly buffer Src { vec4 v[]; } src;
layout(std430, binding = 3) writeonly buffer Dst { vec4 v[]; } dst;

float luma(uint px) {
  vec3 c = unpackUnorm4x8(px).rgb;
  return dot(c, vec3(0.299, 0.587, 0.114));
}

void main() {
  int g = int(gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x);
  int mode = pc.mode;
  if (mode == 3) { /* frame pixel g */
    int W = pc.out_w, H = pc.out_h, lw = pc.in_w, lh = pc.in_h;
    if (g >= W * H) return;
    int y = g / W, x = g - y * W;
    float fx = max((float(x) + 0.5) * float(lw) / float(W) - 0.5, 0.0);
    float fy = max((float(y) + 0.5) * float(lh) / float(H) - 0.5, 0.0);
    int x0 = min(int(fx), lw - 1), y0 = min(int(fy), lh - 1), x1 = min(x0 + 1, lw - 1), y1 = min(y0 + 1, lh - 1);
    float lx = fx - float(x0), ly = fy - float(y0);
    vec4 ab = mix(mix(src.v[y0 * lw + x0], src.v[y0 * lw + x1], lx), mix(src.v[y1 * lw + x0], src.v[y1 * lw + x1], lx), ly);
    mask.m[g] = clamp(ab.x * luma(img.p[g]) + ab.y, 0.0, 1.0);
    return;
  }
  int w = pc.out_w, h = pc.out_h;
  if (g >= w * h) return;
  int y = g / w, x = g - y * w;
  if (mode == 0) {
    int s = pc.aux1, W = pc.in_w, H = pc.in_h;
    int xa = x * s, ya = y * s, xb = min(xa + s, W), yb = min(ya + s, H);
    vec4 acc = vec4(0.0);
    for (int yy = ya; yy < yb; yy++)
      for (int xx = xa; xx < xb; xx++) {
        float i = luma(img.p[yy * W + xx]), p = mask.m[yy * W + xx];
        acc += vec4(i, p, i * p, i * i);
      }
    dst.v[g] = acc / float((xb - xa) * (yb - ya));
    return;
  }
  int r = pc.aux0;
  vec4 acc = vec4(0.0);
  int n = 0;
  for (int k = -r; k <= r; k++) {
    int xx = mode == 1 ? x + k : x, yy = mode == 2 ? y + k : y;
    if (xx < 0 || xx >= w || yy < 0 || yy >= h) continue; /* the box shrinks at the edges */
    acc += src.v[yy * w + xx];
    n++;
  }
  acc /= float(n);
  if (mode == 2 && pc.kh == 1) {
    float eps = intBitsToFloat(pc.kw);
    float a = (acc.z - acc.x * acc.y) / (acc.w - acc.x * acc.x + eps);
    acc = vec4(a, acc.y - a * acc.x, 0.0, 0.0);
  }
  dst.v[g] = acc;
}
