#version 450
// pseg variants: 0 1  (storage variants built: bits in CMakeLists.txt)
/* Pre-processing: stretch the RGBA8 frame (in_w x in_h, one uint per pixel, R in the low byte)
 * to the model input (out_w x out_h) with half-pixel bilinear filtering, scale to [0, 1], then
 * v * scale + offset per channel (the model's input range: float bits, R's in pc.aux0 and pc.aux1,
 * G's in pc.sh and pc.sw, B's in pc.pad_t and pc.pad_l). pc.mode 1: the model
 * takes a 4th channel, a prior mask (binding 1, a float a frame pixel, in [0, 1]: the last
 * frame's mask or the application's), stretched the same way and not scaled. QUANT 1: an integer
 * model's QUANTIZE of that input as qnet.comp OP 4 computes it (pc.kh the scale's bits, pc.kw the
 * zero point), written in its place. */
#include "common/common.glsl"
layout(local_size_x = 8, local_size_y = 8, local_size_z = 1) in;
layout(constant_id = 0) const int FLIP = 0; /* 1: the input written mirrored (session tta_flip) */
layout(constant_id = 1) const int QUANT = 0;
layout(std430, binding = 0) readonly buffer Img { uint p[]; } img;
layout(std430, binding = 1) readonly buffer Prior { float v[]; } prior;
layout(std430, binding = 3) writeonly buffer Out { OTYPE y[]; } dst;

vec4 px(int x, int y) { return unpackUnorm4x8(img.p[y * pc.in_w + x]); }
float pr(int x, int y) { return prior.v[y * pc.in_w + x]; }

void main() {
  int x = int(gl_GlobalInvocationID.x), y = int(gl_GlobalInvocationID.y);
  if (x >= pc.out_w || y >= pc.out_h) return;
  float fx = max((float(x) + 0.5) * float(pc.in_w) / float(pc.out_w) - 0.5, 0.0);
  float fy = max((float(y) + 0.5) * float(pc.in_h) / float(pc.out_h) - 0.5, 0.0);
  int x0 = min(int(fx), pc.in_w - 1), y0 = min(int(fy), pc.in_h - 1);
  int x1 = min(x0 + 1, pc.in_w - 1), y1 = min(y0 + 1, pc.in_h - 1);
  float lx = fx - float(x0), ly = fy - float(y0);
  vec4 top = mix(px(x0, y0), px(x1, y0), lx), bot = mix(px(x0, y1), px(x1, y1), lx);
  vec4 v = mix(top, bot, ly);
  float p = 0.0;
  if (pc.mode != 0) p = mix(mix(pr(x0, y0), pr(x1, y0), lx), mix(pr(x0, y1), pr(x1, y1), lx), ly);
  int xo = FLIP != 0 ? pc.out_w - 1 - x : x;
  vec4 o = vec4(v.rgb * intBitsToFloat(ivec3(pc.aux0, pc.sh, pc.pad_t)) + intBitsToFloat(ivec3(pc.aux1, pc.sw, pc.pad_l)), p);
  if (QUANT != 0) {
    precise vec4 q = o / intBitsToFloat(pc.kh);
    o = vec4(clamp(ivec4(sign(q) * floor(abs(q) + 0.5)) + pc.kw, -128, 127)); /* round half away from zero */
  }
  dst.y[(y * pc.out_w + xo) * pc.out_c4] = OTYPE(o);
}
