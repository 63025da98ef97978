#version 450
// pseg variants: 0  (storage variants built: bits in CMakeLists.txt)
/* Cleanup of the thresholded mask (pseg_session_create_info.cleanup; the plain-C reference:
 * kernels/composite.c ref_cleanup): keep the largest connected region of the person (4-connected)
 * and fill its holes (background regions that do not touch the frame's border), decided on a
 * reduced grid of cells (S x S pixels, S = pc.aux1: at most 256 a side) and applied to the full
 * mask. Modes:
 *   0  cells: c = mean of the mask over the cell >= 0.5 (binding 1 the mask, binding 3 the cells,
 *      one int each: 1 person, 0 not);
 *   1  one invocation labels the cells (binding 3 in place: 1 -> -2 - component, a flood fill
 *      with binding 2 as its stack), finds the largest person component (its label to stack[n])
 *      and marks the background reachable from the border (0 -> 3), in slices (below);
 *   3  each cell, into binding 2: 0 (remove: another region), 1 (keep: the largest region, the
 *      background reached from the border), 2 (fill: a hole).
 *   2  apply (binding 2): each frame pixel's cell: remove -> 0, fill -> 1, keep -> as it was.
 */
#include "common/common.glsl"
layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0) in; /* runtime/session.c: 1 for mode 1 (one invocation: no lanes that
                                   returned beside it), 64 for the others */
layout(std430, binding = 1) buffer Mask { float m[]; } mask;
layout(std430, binding = 2) buffer Stack { int v[]; } stk;
layout(std430, binding = 3) buffer Cells { int v[]; } cell;

void main() {
  int g = int(gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64);
  int W = pc.in_w, H = pc.in_h, s = pc.aux1, w = pc.out_w, h = pc.out_h, n = w * h;
  if (pc.mode == 0) {
    if (g >= n) return;
    int y = g / w, x = g - y * w, xa = x * s, ya = y * s, xb = min(xa + s, W), yb = min(ya + s, H);
    float acc = 0.0;
    for (int yy = ya; yy < yb; yy++)
      for (int xx = xa; xx < xb; xx++) acc += mask.m[yy * W + xx];
    cell.v[g] = acc >= 0.5 * float((xb - xa) * (yb - ya)) ? 1 : 0;
    return;
  }
  if (pc.mode == 1) { /* a workgroup of one invocation */
    /* One loop, a flood fill with an explicit stack (binding 2) and a scan for its seeds: phase
     * 0 labels the person regions (1 -> -2 - k) and keeps the largest; phase 1 marks the
     * background reachable from the border (0 -> 3). lavapipe ends any loop after 65535
     * iterations (gallivm's limit), so the loop runs in slices of STEPS iterations, one dispatch
     * each, its state kept after the stack (stack[n..n+7]); pc.kh 1: the first slice. */
    const int STEPS = 60000;
    int best = -1, best_n = 0, k = 0, cur = 0, label = 0, top = 0, next = 0, phase = 0;
    if (pc.kh == 0) {
      best = stk.v[n], best_n = stk.v[n + 1], k = stk.v[n + 2], cur = stk.v[n + 3], label = stk.v[n + 4];
      top = stk.v[n + 5], next = stk.v[n + 6], phase = stk.v[n + 7];
    }
    for (int it = 0; it < STEPS && phase < 2; it++) {
      if (top > 0) {
        int i = stk.v[--top], from = phase == 0 ? 1 : 0;
        cur++;
        int y = i / w, x = i - y * w;
        if (x > 0 && cell.v[i - 1] == from) cell.v[i - 1] = label, stk.v[top++] = i - 1;
        if (x + 1 < w && cell.v[i + 1] == from) cell.v[i + 1] = label, stk.v[top++] = i + 1;
        if (y > 0 && cell.v[i - w] == from) cell.v[i - w] = label, stk.v[top++] = i - w;
        if (y + 1 < h && cell.v[i + w] == from) cell.v[i + w] = label, stk.v[top++] = i + w;
        continue;
      }
      if (phase == 0 && label != 0 && cur > best_n) best_n = cur, best = label;
      if (next >= n) {
        phase++, next = 0, label = 3; /* phase 2: done */
        continue;
      }
      int y = next / w, x = next - y * w;
      if (phase == 0 && cell.v[next] == 1) {
        label = -2 - k++, cur = 0;
        cell.v[next] = label, stk.v[top++] = next;
      } else if (phase == 1 && cell.v[next] == 0 && (x == 0 || y == 0 || x == w - 1 || y == h - 1)) {
        cell.v[next] = 3, stk.v[top++] = next;
      }
      next++;
    }
    stk.v[n] = best, stk.v[n + 1] = best_n, stk.v[n + 2] = k, stk.v[n + 3] = cur, stk.v[n + 4] = label;
    stk.v[n + 5] = top, stk.v[n + 6] = next, stk.v[n + 7] = phase; /* best: read by mode 3 */
    return;
  }
  if (pc.mode == 3) { /* each cell: keep (the largest region, the background reached), fill (a hole), remove */
    if (g >= n) return;
    int v = cell.v[g], best = stk.v[n];
    stk.v[g] = v == best || v == 3 ? 1 : v == 0 ? 2 : 0; /* the stack is free now */
    return;
  }
  if (g >= W * H) return;
  int y = g / W, x = g - y * W;
  int c = stk.v[min(y / s, h - 1) * w + min(x / s, w - 1)];
  if (c == 0) mask.m[g] = 0.0;
  else if (c == 2) mask.m[g] = 1.0;
}
