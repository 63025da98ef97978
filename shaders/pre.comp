#version 450
// pseg variants: 0 1  (storage variants built: bits in CMakeLists.txt)
/* Pre-processing: stretch the RGBA8 frame (in_w x in_h, one uint per pixel, R in the low byte)
 * to the model input (out_w x out_h) with half-pixel bilinear filtering, scale to [0, 1], then
 * v * scale + offset per channel (the model's input range: float bits, R's in pc.aux0 and pc.aux1,
 * G's in pc.sh and pc.sw, B's in pc.pad_t and pc.pad_l). pc.mode 1: the model
 * takes a 4th channel, a prior mask (a float a frame pixel, in [0, 1]: the last
 * frame's mask or the application's), stretched the same way and not scaled. QUANT 1: an integer
 * model's QUANTIZE of that input as qnet.comp OP 4 computes it (pc.kh the scale's bits, pc.kw the
 * zero point), written in its place; QUANT 2: the same, its four int8 values packed into one 32-bit
 * word a pixel (a tensor only integer layers read: qnet.comp PK).
 * The "net" layout (runtime/gpu.h). TEX 1: the frame and the prior read through uniform texel
 * buffers (binding 0, an RGBA8 view; binding 1, an R32F view): on lavapipe a texel fetch is a
 * gather, where a storage-buffer load at an index that differs between invocations is a loop over
 * them. TEX 0, for frames larger than the device's texel-buffer limit: storage buffers (binding 7
 * the frame, binding 5 the prior). */
#include "common/common.glsl"
layout(local_size_x = 32, local_size_y = 8, local_size_z = 1) in;
layout(constant_id = 0) const int FLIP = 0; /* 1: the input written mirrored (session tta_flip) */
layout(constant_id = 1) const int QUANT = 0;
layout(constant_id = 2) const int TEX = 0;
layout(constant_id = 3) const int SAME = 0; /* 1: the frame has the input's size, read as it is */
layout(binding = 0) uniform samplerBuffer FrameT;
layout(binding = 1) uniform samplerBuffer PriorT;
layout(std430, binding = 7) readonly buffer Img { uint p[]; } img;
layout(std430, binding = 5) readonly buffer Prior { float v[]; } prior;
layout(std430, binding = 3) writeonly buffer Out { OTYPE y[]; } dst;
layout(std430, binding = 3) writeonly buffer Out8 { uint y[]; } dst8; /* QUANT 2 */

vec4 px(int x, int y) {
  int i = y * pc.in_w + x;
  return TEX != 0 ? texelFetch(FrameT, i) : unpackUnorm4x8(img.p[i]);
}
float pr(int x, int y) {
  int i = y * pc.in_w + x;
  return TEX != 0 ? texelFetch(PriorT, i).x : prior.v[i];
}

void main() {
  int x = int(gl_GlobalInvocationID.x), y = int(gl_GlobalInvocationID.y);
  if (x >= pc.out_w || y >= pc.out_h) return;
  vec4 v;
  float p = 0.0;
  if (SAME != 0) {
    v = px(x, y);
    if (pc.mode != 0) p = pr(x, y);
  } else {
    float fx = max((float(x) + 0.5) * float(pc.in_w) / float(pc.out_w) - 0.5, 0.0);
    float fy = max((float(y) + 0.5) * float(pc.in_h) / float(pc.out_h) - 0.5, 0.0);
    int x0 = min(int(fx), pc.in_w - 1), y0 = min(int(fy), pc.in_h - 1);
    int x1 = min(x0 + 1, pc.in_w - 1), y1 = min(y0 + 1, pc.in_h - 1);
    float lx = fx - float(x0), ly = fy - float(y0);
    vec4 top = mix(px(x0, y0), px(x1, y0), lx), bot = mix(px(x0, y1), px(x1, y1), lx);
    v = mix(top, bot, ly);
    if (pc.mode != 0) p = mix(mix(pr(x0, y0), pr(x1, y0), lx), mix(pr(x0, y1), pr(x1, y1), lx), ly);
  }
  int xo = FLIP != 0 ? pc.out_w - 1 - x : x;
  vec4 o = vec4(v.rgb * intBitsToFloat(ivec3(pc.aux0, pc.sh, pc.pad_t)) + intBitsToFloat(ivec3(pc.aux1, pc.sw, pc.pad_l)), p);
  if (QUANT != 0) {
    precise vec4 q = o / intBitsToFloat(pc.kh);
    ivec4 v8 = clamp(ivec4(sign(q) * floor(abs(q) + 0.5)) + pc.kw, -128, 127); /* round half away from zero */
    if (QUANT == 2) {
      dst8.y[(y * pc.out_w + xo) * pc.out_c4] = pack8(v8);
      return;
    }
    o = vec4(v8);
  }
  dst.y[(y * pc.out_w + xo) * pc.out_c4] = OTYPE(o);
}
