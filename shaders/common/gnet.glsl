/* The GPU tier's bindings and accessors (shaders/g*.comp; runtime/session.c binds them; layout
 * "io" of runtime/context.c: eight storage buffers). The layers keep the CPU tiers' semantics and
 * specialization constant ids (conv.comp, dwconv.comp, ...); what differs is how the work is
 * spread: tiles of pixels x channels per workgroup, shared memory between the phases of a fused
 * dispatch, reductions split over workgroups, storage buffers instead of texel buffers (no
 * maxTexelBufferElements limit on batches), and a batch of frames over grid z.
 *
 *   0 X   the first input         3 Y   the output              6 S   scratch (gpool.comp: partial
 *   1 R   a second input, residual 4 W   weights, then bias           sums, counters), coherent
 *   2 G   a per-channel gate       5 Y2  a second output          7     the frame (uint RGBA8) or
 *                                                                       the mask (float), per shader
 * Activations are vec4 (f16vec4 with O16: fp16-all, every activation tensor in fp16), weights
 * vec4 (f16vec4 with W16); arithmetic is fp32. Element i of frame b of binding X is at
 * b * pc.bx + i (pc.br, pc.bg, pc.by, pc.by2 for the others). */
#extension GL_EXT_control_flow_attributes : require
#if defined(W16) || defined(O16)
#extension GL_EXT_shader_16bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#endif
#include "common.glsl"

#ifdef O16
#define ATYPE f16vec4
#else
#define ATYPE vec4
#endif

/* the frame of the batch this workgroup works on */
#define BATCH int(gl_WorkGroupID.z)

#ifndef GNET_NO_TENSORS
layout(std430, binding = 0) readonly buffer XB { ATYPE v[]; } xb;
layout(std430, binding = 1) readonly buffer RB { ATYPE v[]; } rb;
layout(std430, binding = 2) readonly buffer GB { ATYPE v[]; } gb;
layout(std430, binding = 3) writeonly buffer YB { ATYPE v[]; } yb;
layout(std430, binding = 5) writeonly buffer Y2B { ATYPE v[]; } y2b;
vec4 LX(int i) { return vec4(xb.v[BATCH * pc.bx + i]); }
vec4 LR(int i) { return vec4(rb.v[BATCH * pc.br + i]); }
vec4 LG(int i) { return vec4(gb.v[BATCH * pc.bg + i]); }
void SY(int i, vec4 v) { yb.v[BATCH * pc.by + i] = ATYPE(v); }
void SY2(int i, vec4 v) { y2b.v[BATCH * pc.by2 + i] = ATYPE(v); }
#endif

#ifdef WEIGHTS
#ifdef W16
layout(std430, binding = 4) readonly buffer WB { f16vec4 w[]; } wt;
#else
layout(std430, binding = 4) readonly buffer WB { vec4 w[]; } wt;
#endif
/* the dispatch's weights start at element pc.w0 of the model's weight buffer; a folded
 * squeeze-excite block's at pc.w1 (W4S) */
vec4 W4(int k) { return vec4(wt.w[pc.w0 + k]); }
vec4 W4S(int k) { return vec4(wt.w[pc.w1 + k]); }
/* the dot product of input vec4 x with the four weight vec4s from k (conv.comp's packing) */
vec4 W4X(int k, vec4 x) { return W4(k) * x.x + W4(k + 1) * x.y + W4(k + 2) * x.z + W4(k + 3) * x.w; }
#ifdef F16MATH
/* F16MATH (fp16-all, variant bit 4, with O16 and W16): the same dot product with fp16 products
 * and sums of four (packed half arithmetic where the GPU has it), returned for an fp32 sum: an
 * input vec4's four terms are rounded in fp16, the running sum over the inputs is not. */
f16vec4 W4H(int k) { return wt.w[pc.w0 + k]; }
vec4 W4XH(int k, f16vec4 x) { return vec4(W4H(k) * x.x + W4H(k + 1) * x.y + W4H(k + 2) * x.z + W4H(k + 3) * x.w); }
#define STYPE f16vec4
#define DOT(k, x) W4XH(k, x)
#else
#define STYPE vec4
#define DOT(k, x) W4X(k, x)
#endif
#endif

#ifdef WEIGHTS
/* a += DOT(WK(j), XV(j)) for j = 0 .. n-1, in that order (the same sums whatever UNR). UNR 4
 * (gconv, gdwconv: specialization constant 19, runtime/context.c; PSEG_GUNROLL=0 turns it off):
 * four at a time in straight-line code, so their weight loads are issued together rather than
 * one step's after the last one's multiply-adds (at batch 1 each is an L1/L2 round trip). The
 * includer declares UNR and defines WK(j) (a weight index) and XV(j) (an STYPE value). */
#define DOT_RUN(a, n, WK, XV)                                                                      \
  {                                                                                                \
    int j_ = 0;                                                                                    \
    if (UNR == 4)                                                                                  \
      for (; j_ + 4 <= (n); j_ += 4) {                                                             \
        a += DOT(WK(j_), XV(j_));                                                                  \
        a += DOT(WK(j_ + 1), XV(j_ + 1));                                                          \
        a += DOT(WK(j_ + 2), XV(j_ + 2));                                                          \
        a += DOT(WK(j_ + 3), XV(j_ + 3));                                                          \
      }                                                                                            \
    for (; j_ < (n); j_++) a += DOT(WK(j_), XV(j_));                                               \
  }
#endif


#define NT 64 /* invocations a workgroup, every GPU-tier shader */
/* a workgroup's number on a 1D grid laid out as x + y * gl_NumWorkGroups.x (kernel_grid_1d) */
#define WG_INDEX int(gl_WorkGroupID.x + gl_NumWorkGroups.x * gl_WorkGroupID.y)
