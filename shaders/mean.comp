#version 450
// pseg variants: 0 1  (storage variants built: bits in CMakeLists.txt)
/* MEAN: global average over H and W. One workgroup per vec4 of channels; fp32 sums (an fp16
 * sum over 128x128 values overflows). */
#include "common/net.glsl"
layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const int C4 = 1;
layout(constant_id = 1) const int ACT = 0;
shared vec4 part[64];

void main() {
  int c = int(gl_WorkGroupID.z), t = int(gl_LocalInvocationID.x);
  int n = pc.in_h * pc.in_w;
  vec4 s = vec4(0.0);
  for (int i = t; i < n; i += 64) s += texelFetch(X, i * C4 + c);
  part[t] = s;
  barrier();
  for (int k = 32; k > 0; k >>= 1) {
    if (t < k) part[t] += part[t + k];
    barrier();
  }
  if (t == 0) dst.y[c] = OTYPE(activate(part[0] / float(n), ACT));
}
