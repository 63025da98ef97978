/* A squeeze-excite block's pool and layers, shared by se_fc.comp and conv.comp (variant SE).
 * The includer defines SE_C4 (channel vec4s pooled), SE_HID (hidden vec4s), SE_ACT1, SE_ACT2,
 * SE_LS (invocations in the workgroup; at least SE_C4), SE_X(src, i) (texel i of pooled input
 * src: 0 the block's input, others the includer's own) and SE_W(k) (vec4 k of the weights:
 * W1 [SE_HID][SE_C4][4] vec4, b1 [SE_HID], W2 [SE_C4][SE_HID][4] vec4, b2 [SE_C4], conv.comp's
 * packing), and declares shared vec4 se_part[SE_LS], se_mean[SE_C4], se_hid[SE_HID]. */

/* se_hid = act1(W1 se_mean + b1), rows spread over the invocations (every invocation calls it,
 * after a barrier following the writes of se_mean). Each invocation has written its own rows of
 * se_hid when it returns; a barrier is needed before reading the others'. */
void se_hidden(int t) {
  const int b1 = SE_HID * SE_C4 * 4;
  for (int o = t; o < SE_HID; o += SE_LS) {
    vec4 acc = SE_W(b1 + o);
    for (int c = 0; c < SE_C4; c++) {
      vec4 v = se_mean[c];
      int k = (o * SE_C4 + c) * 4;
      acc += SE_W(k) * v.x + SE_W(k + 1) * v.y + SE_W(k + 2) * v.z + SE_W(k + 3) * v.w;
    }
    se_hid[o] = activate(acc, SE_ACT1);
  }
}

/* Every invocation calls it: the mean of input src (n pixels of c4 vec4s, c4 <= SE_LS; fp32 sums:
 * invocation t sums channel vec4 t % c4 over every (SE_LS / c4)-th pixel), channel vec4 t for the
 * invocations t < c4. A barrier is needed before se_part is written again. */
vec4 se_pool(int t, int src, int c4, int n) {
  int phases = SE_LS / c4;
  if (t < phases * c4) {
    vec4 s = vec4(0.0);
    for (int p = t / c4; p < n; p += phases) s += SE_X(src, p * c4 + t % c4);
    se_part[t] = s;
  }
  barrier();
  vec4 s = vec4(0.0);
  if (t < c4) {
    for (int k = 0; k < phases; k++) s += se_part[k * c4 + t];
    s /= float(n);
  }
  return s;
}

/* Every invocation calls it: se_mean = the mean of input 0 over its in_h x in_w pixels, then
 * se_hidden. */
void se_pool_hidden(int t) {
  vec4 m = se_pool(t, 0, SE_C4, pc.in_h * pc.in_w);
  if (t < SE_C4) se_mean[t] = m;
  barrier();
  se_hidden(t);
}

/* The gate's vec4 o: act2(W2 se_hid + b2) (after a barrier following se_hidden). */
vec4 se_gate_row(int o) {
  const int w2 = SE_HID * SE_C4 * 4 + SE_HID, b2 = w2 + SE_C4 * SE_HID * 4;
  vec4 acc = SE_W(b2 + o);
  for (int r = 0; r < SE_HID; r++) {
    vec4 v = se_hid[r];
    int k = w2 + (o * SE_HID + r) * 4;
    acc += SE_W(k) * v.x + SE_W(k + 1) * v.y + SE_W(k + 2) * v.z + SE_W(k + 3) * v.w;
  }
  return activate(acc, SE_ACT2);
}
