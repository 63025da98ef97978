#version 450
// pseg variants: 0 1 2 3 128 129 130 131  (storage variants built: bits in CMakeLists.txt)
/* GPU tier: a global average pool, and a squeeze-excite block's layers after it, in one dispatch
 * whose pooling is spread over the map (se_fc.comp's semantics and constant ids; LAYERS 0 is a
 * plain MEAN, mean.comp's op):
 *
 *   1. each of the grid's gl_NumWorkGroups.x workgroups sums its slice of the pixels, every
 *      channel vec4 (consecutive invocations on consecutive channels: coalesced reads; the
 *      invocations sharing a channel meet through subgroup shuffles where the device has them
 *      (variant SUBGROUP), else shared memory) and writes its partial sums to the scratch buffer;
 *   2. the workgroup that finishes last (an atomic counter per frame; it resets it for the next
 *      frame) adds the partial sums, divides, and runs the block's 1x1 layers (LAYERS 1 or 2),
 *      each layer's rows spread over the 64 invocations, a row's dot product split across
 *      several of them and summed in shared memory.
 *
 *   m = mean of X (C4 vec4s a pixel; of X + R with POOL_ADD); PRE_IC4 > 0: m = Wa mean(X) + ba +
 *   mean(R) (X: PRE_IC4 vec4s over in_h x in_w pixels, R: C4 over aux0 x aux1: the decoder
 *   stage's pool, se_fc.comp); hidden = act(W1 m + b1), gate = act2(W2 hidden + b2);
 *   LAYERS 1: act(W1 m + b1); LAYERS 0: act(m).
 * Sums are fp32 (an fp16 sum of a 128x128 map would overflow). Scratch: frame b's counter at
 * uint pc.s0 + b, its partial sums from uint pc.s1 (runtime/session.c: zeroed once, each dispatch
 * its own place). */
#ifdef SUBGROUP /* variant: the device has subgroup shuffles in compute shaders */
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_shuffle : require
#endif
#define WEIGHTS
#include "common/gnet.glsl"
layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const int C4 = 1; /* the block's channels in vec4s */
layout(constant_id = 1) const int R4 = 1; /* hidden units in vec4s */
layout(constant_id = 2) const int ACT = 0;
layout(constant_id = 3) const int ACT2 = 0;
layout(constant_id = 4) const int LAYERS = 2;
layout(constant_id = 5) const int POOL_ADD = 0;
layout(constant_id = 6) const int PRE_IC4 = 0;
layout(std430, binding = 6) coherent buffer Scratch { uint u[]; } sc;

const int CT = PRE_IC4 > 0 ? PRE_IC4 + C4 : C4; /* pooled channel vec4s: X's, then R's (PRE) */
const int SE_BASE = PRE_IC4 > 0 ? C4 * PRE_IC4 * 4 + C4 : 0;
const int GSE_MAXV = CT > R4 ? CT : R4;
shared vec4 part[NT];
shared vec4 vin[GSE_MAXV];  /* a layer's input */
shared vec4 vout[GSE_MAXV]; /* its output */
shared int gse_is_last;
#define GSE_W(k) W4(SE_BASE + (k))
#include "common/gse.glsl"

vec4 pooled(int src, int i) {
  if (src == 1) return LR(i);
  return POOL_ADD != 0 ? LX(i) + LR(i) : LX(i);
}

/* This workgroup's sums of source src (n pixels of c4 vec4s) over its slice of the pixels, into
 * the partial sums from channel cbase. Every invocation calls it. */
void pool_slice(int src, int c4, int n, int cbase) {
  int nw = int(gl_NumWorkGroups.x), w = int(gl_WorkGroupID.x);
  int p0 = int(uint(n) * uint(w) / uint(nw)), p1 = int(uint(n) * uint(w + 1) / uint(nw)); /* n <= 4096^2 */
  int t = int(gl_LocalInvocationID.x);
  for (int cb = 0; cb < c4; cb += NT) {
    int nc = min(NT, c4 - cb);
    /* the invocations sharing a channel: subgroup lanes l, l ^ nc, l ^ 2nc ... when nc is a power
     * of two below the subgroup size; else slots of shared memory */
    int slots = NT / nc, c = t % nc, slot = t / nc;
#ifdef SUBGROUP
    bool sg = (nc & (nc - 1)) == 0 && nc < int(gl_SubgroupSize) && int(gl_SubgroupSize) <= NT;
    if (sg) {
      int lane = int(gl_SubgroupInvocationID);
      c = lane % nc;
      slot = int(gl_SubgroupID) * (int(gl_SubgroupSize) / nc) + lane / nc;
    }
#endif
    vec4 s = vec4(0.0);
    if (slot < slots)
      for (int p = p0 + slot; p < p1; p += slots) s += pooled(src, p * c4 + cb + c);
#ifdef SUBGROUP
    if (sg) {
      for (int m = nc; m < int(gl_SubgroupSize); m <<= 1) s += subgroupShuffleXor(s, m);
      if (int(gl_SubgroupInvocationID) < nc) part[int(gl_SubgroupID) * nc + c] = s;
      slots = int(gl_NumSubgroups);
    } else
#endif
      part[t] = s; /* invocations t >= slots * nc hold zero */
    barrier();
    if (t < nc) {
      vec4 a = vec4(0.0);
      for (int k = 0; k < slots; k++) a += part[k * nc + t];
      gse_put(pc.s1, nw, w, CT, cbase + cb + t, a);
    }
    barrier();
  }
}

void main() {
  int t = int(gl_LocalInvocationID.x), nw = int(gl_NumWorkGroups.x);
  int nx = pc.in_h * pc.in_w, nr = pc.aux0 * pc.aux1;
  pool_slice(0, PRE_IC4 > 0 ? PRE_IC4 : C4, nx, 0);
  if (PRE_IC4 > 0) pool_slice(1, C4, nr, PRE_IC4);
  if (!gse_last(pc.s0 + BATCH, nw)) return; /* the last workgroup of this frame goes on */
  if (PRE_IC4 > 0) { /* m = Wa mean(X) + ba + mean(R) */
    gse_total(pc.s1, nw, CT, 0, PRE_IC4, 1.0 / float(nx));
    gse_total(pc.s1, nw, CT, PRE_IC4, CT, 1.0 / float(nr));
    /* Wa mean(X) + ba: the rows spread like the block's layers (weights [C4][PRE_IC4][4] vec4
     * then ba, at W4(0): GSE_W(k) is W4(SE_BASE + k)) */
    gse_dense(C4, PRE_IC4, -SE_BASE, C4 * PRE_IC4 * 4 - SE_BASE, 0);
    for (int c = t; c < C4; c += NT) vout[c] += vin[PRE_IC4 + c];
    barrier();
    for (int c = t; c < C4; c += NT) vin[c] = vout[c];
  } else {
    gse_total(pc.s1, nw, CT, 0, C4, 1.0 / float(nx));
  }
  barrier();
  if (LAYERS == 0) {
    for (int c = t; c < C4; c += NT) SY(c, activate(vin[c], ACT));
    return;
  }
  int n = gse_layers(LAYERS, C4, R4, ACT, ACT2, 0);
  for (int c = t; c < n; c += NT) SY(c, vout[c]);
}
