/* The GPU tier's split global pool and squeeze-excite layers, shared by gpool.comp and
 * gdwconv.comp (which pools its own output). The includer declares the coherent scratch buffer
 * `sc` (uint u[]), shared vec4 part[NT], vin[GSE_MAXV], vout[GSE_MAXV], shared int gse_is_last,
 * and defines GSE_W(k) (vec4 k of the block's weights: W1 [R4][C4][4] vec4, b1 [R4], W2 [C4][R4][4]
 * vec4, b2 [C4], conv.comp's packing).
 *
 * Partial sums: workgroup w of nwg, channel vec4 c of ct, frame BATCH, at uint
 * base + ((BATCH * nwg + w) * ct + c) * 4 of the scratch; a counter per frame. The workgroup that
 * counts last adds the partial sums (their writes made visible by the barrier and the atomic
 * before its reads: the scratch is coherent) and resets the counter for the next frame. */

/* Partial sums loaded at once by each invocation of the last workgroup (8, or 16 with
 * PSEG_GSE_INFLIGHT=16: runtime/context.c; an experiment for GPUs, where these loads are L2 round
 * trips that the tail waits for; the sums' association differs, so the numbers do slightly). */
layout(constant_id = 23) const int GSE_IF_SPEC = 8;
const int GSE_IF = GSE_IF_SPEC >= 16 ? 16 : 8;

void gse_put(int base, int nwg, int w, int ct, int c, vec4 v) {
  int a = base + ((BATCH * nwg + w) * ct + c) * 4;
  sc.u[a] = floatBitsToUint(v.x), sc.u[a + 1] = floatBitsToUint(v.y);
  sc.u[a + 2] = floatBitsToUint(v.z), sc.u[a + 3] = floatBitsToUint(v.w);
}

vec4 gse_get(int base, int nwg, int w, int ct, int c) {
  int a = base + ((BATCH * nwg + w) * ct + c) * 4;
  return uintBitsToFloat(uvec4(sc.u[a], sc.u[a + 1], sc.u[a + 2], sc.u[a + 3]));
}

/* Every invocation calls it once its partial sums are written: true in the last workgroup of
 * the frame to get here (which then resets the counter). */
bool gse_last(int counter, int nwg) {
  memoryBarrierBuffer();
  barrier();
  if (gl_LocalInvocationIndex == 0) {
    uint prev = atomicAdd(sc.u[counter], 1u);
    gse_is_last = prev == uint(nwg - 1) ? 1 : 0;
    if (prev == uint(nwg - 1)) sc.u[counter] = 0u;
  }
  barrier();
  if (gse_is_last == 0) return false;
  memoryBarrierBuffer();
  return true;
}

/* vin[c] = the frame's sum of channel vec4 c over the nwg workgroups' partial sums, times scale,
 * for c in [c0, c1). All NT invocations read: each channel's workgroups split over NT / channels
 * of them, eight loads in flight each, then summed in shared memory (on an H100 one invocation
 * per channel reading its 128-256 partial sums one after another took 35-65 us: the scratch is
 * coherent, its loads go to L2 and were not overlapped; GSE_IF 16: sixteen). Every invocation
 * calls it; vin is complete when it returns. */
void gse_total(int base, int nwg, int ct, int c0, int c1, float scale) {
  int t = int(gl_LocalInvocationIndex);
  for (int cb = c0; cb < c1; cb += NT) {
    int nc = min(NT, c1 - cb), slots = NT / nc, c = cb + t % nc, slot = t / nc;
    vec4 s = vec4(0.0);
    if (slot < slots) {
      int w = slot;
      if (GSE_IF == 16)
        for (; w + 15 * slots < nwg; w += 16 * slots) {
          vec4 a[16];
          [[unroll]] for (int i = 0; i < 16; i++) a[i] = gse_get(base, nwg, w + i * slots, ct, c);
          vec4 lo = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
          vec4 hi = ((a[8] + a[9]) + (a[10] + a[11])) + ((a[12] + a[13]) + (a[14] + a[15]));
          s += lo + hi;
        }
      for (; w + 7 * slots < nwg; w += 8 * slots) {
        vec4 a0 = gse_get(base, nwg, w, ct, c), a1 = gse_get(base, nwg, w + slots, ct, c);
        vec4 a2 = gse_get(base, nwg, w + 2 * slots, ct, c), a3 = gse_get(base, nwg, w + 3 * slots, ct, c);
        vec4 a4 = gse_get(base, nwg, w + 4 * slots, ct, c), a5 = gse_get(base, nwg, w + 5 * slots, ct, c);
        vec4 a6 = gse_get(base, nwg, w + 6 * slots, ct, c), a7 = gse_get(base, nwg, w + 7 * slots, ct, c);
        s += ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
      }
      for (; w < nwg; w += slots) s += gse_get(base, nwg, w, ct, c);
    }
    part[t] = s;
    barrier();
    if (t < nc) {
      vec4 a = part[t];
      for (int k = 1; k < slots; k++) a += part[t + k * nc];
      vin[cb + t] = a * scale;
    }
    barrier();
  }
}

/* vout[0, rows) = act(W vin[0, k4) + b): weights [rows][k4][4] vec4 from wb, bias from bb. Rows
 * spread over the invocations, each row's dot product over `split` of them summed in shared
 * memory. Every invocation calls it; vout is complete when it returns. */
void gse_dense(int rows, int k4, int wb, int bb, int act) {
  int t = int(gl_LocalInvocationIndex);
  int split = 1;
  while (split * 2 * min(rows, NT) <= NT && split * 2 <= k4) split *= 2;
  int per = NT / split; /* rows a round */
  for (int r0 = 0; r0 < rows; r0 += per) {
    int row = r0 + t / split, part_i = t % split;
    vec4 a = vec4(0.0);
    if (row < rows && t / split < per)
      for (int k = part_i; k < k4; k += split) {
        vec4 x = vin[k];
        int w = wb + (row * k4 + k) * 4;
        a += GSE_W(w) * x.x + GSE_W(w + 1) * x.y + GSE_W(w + 2) * x.z + GSE_W(w + 3) * x.w;
      }
    part[t] = a;
    barrier();
    if (part_i == 0 && row < rows && t / split < per) {
      for (int k = 1; k < split; k++) a += part[t + k];
      vout[row] = activate(a + GSE_W(bb + row), act);
    }
    barrier();
  }
}

/* The block's layers on the means in vin[0, c4) (weights from base): LAYERS 1 leaves
 * act1(W1 m + b1) in vout[0, r4); LAYERS 2 leaves act2(W2 hidden + b2) in vout[0, c4). Returns
 * the vec4s in vout. Every invocation calls it. */
int gse_layers(int layers, int c4, int r4, int act1, int act2, int base) {
  gse_dense(r4, c4, base, base + r4 * c4 * 4, act1);
  if (layers == 1) return r4;
  for (int c = int(gl_LocalInvocationIndex); c < r4; c += NT) vin[c] = vout[c];
  barrier();
  int w2 = base + r4 * c4 * 4 + r4;
  gse_dense(c4, r4, w2, w2 + c4 * r4 * 4, act2);
  return c4;
}
