/* Planning: the model's layers become dispatches (pseg_node), with fusions, each a pattern of
 * the graph (a layer absorbed into another only when the tensor between them has no other
 * reader, so it never needs to be stored):
 *
 *  - a residual ADD into the CONV2D / DWCONV2D producing one of its operands (the epilogue adds
 *    the other operand, which must be ready). A CONV2D whose output is also read later keeps it
 *    as a second output (AUX_OUT);
 *  - a squeeze-excite block MEAN -> CONV 1x1 -> CONV 1x1 into one dispatch (se_fc.comp: the
 *    pool, then both 1x1 layers), or MEAN -> one CONV 1x1; a same-shape ADD that only the MEAN
 *    reads into the pool (it pools both operands: the sum is never stored); and on the fast
 *    kernels, for small maps, the block into the gated CONV2D after it (plan_fold_squeeze_excite);
 *  - a per-channel MUL by a [1,1,C] tensor (a squeeze-excite gate) into the layer that reads its
 *    output: a CONV2D or a same-shape ADD multiplies its input by the gate as it reads it; or,
 *    where the gated tensor is a conv's output that nothing else reads and the gate is made
 *    before that conv, into the conv (it writes the gated output);
 *  - a RESIZE_BILINEAR into the 1x1 CONV2D that reads it (the conv samples its input bilinearly),
 *    gated or not; else the residual ADD after a RESIZE into the resize (it adds the other operand);
 *  - a same-shape ADD of a gated operand and another into the 1x1 CONV2D that reads it first: the
 *    conv adds them as it reads them, and writes the sum as a second output when others read it;
 *  - a 1x1 CONV2D after a CONV2D (its result in registers: the second conv runs in the same
 *    invocation; the first result is still written when others read it);
 *  - the pointwise layer after a DWCONV2D (a 1x1 CONV2D, or a TCONV2D with kernel == stride, and
 *    the residual ADD after it) into the depthwise dispatch: the depthwise result stays in
 *    registers;
 *  - the 1x1 CONV2D before a 3x3 stride-2 DWCONV2D into it: computed at every tap, never stored
 *    (dwconv.comp PRE_IC4);
 *  - a gated decoder stage, a = conv1x1(resize(D)), g = squeeze-excite(mean(skip + a)),
 *    s = skip * g + a: the block pools D and skip (the mean goes through the linear conv and a
 *    uniform resize) and comes first, then the conv writes s itself (plan_gate_out).
 *
 * Anything that does not match stays one dispatch per layer. The CPU reference runs the unfused
 * layers, so the tests compare fused GPU results with the plain computation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static kshape shape_of(const pseg_fmt_model *m, int32_t t) {
  if (t < 0) return (kshape){0, 0, 0};
  return (kshape){m->tensors[t].h, m->tensors[t].w, m->tensors[t].c};
}

/* The only layer reading tensor t (after layer `after`), or -1 when it has 0 or several readers. */
static int sole_reader(const pseg_fmt_model *m, const int *uses, int32_t t, uint32_t after) {
  if (t < 0 || uses[t] != 1 || (uint32_t)t == m->output) return -1;
  for (uint32_t j = after + 1; j < m->n_layers; j++)
    if (m->layers[j].in0 == t || m->layers[j].in1 == t) return (int)j;
  return -1;
}

/* The first layer after `after` that reads t, or -1. */
static int first_reader(const pseg_fmt_model *m, int32_t t, uint32_t after) {
  for (uint32_t j = after + 1; j < m->n_layers; j++)
    if (m->layers[j].in0 == t || m->layers[j].in1 == t) return (int)j;
  return -1;
}

static int same_shape(const pseg_fmt_model *m, int32_t a, int32_t b) {
  return m->tensors[a].h == m->tensors[b].h && m->tensors[a].w == m->tensors[b].w && m->tensors[a].c == m->tensors[b].c;
}

static int is_pointwise(const pseg_fmt_layer *l) {
  return l->op == PSEG_OP_CONV2D && l->kh == 1 && l->kw == 1 && l->sh == 1 && l->sw == 1 && l->pad_top == 0 &&
         l->pad_left == 0;
}

static int is_1x1_on_1x1(const pseg_fmt_model *m, const pseg_fmt_layer *l) {
  return is_pointwise(l) && m->tensors[l->in0].h == 1 && m->tensors[l->in0].w == 1;
}

typedef struct planner {
  pseg_model *md;
  pseg_plan *pl;
  const pseg_fmt_model *m;
  int *uses, *producer;
  uint8_t *absorbed;
  int32_t *resize_of; /* per tensor: the absorbed RESIZE that produces it, or -1 */
  int32_t *gate_mul;  /* per tensor: the absorbed gate MUL that produces it, or -1 */
  int32_t *in_add;    /* per tensor: the ADD absorbed into the 1x1 conv reading it, or -1 */
  int32_t *pool_add;  /* per tensor: the ADD absorbed into the squeeze-excite pool reading it, or -1 */
  int32_t *pre_of;   /* per tensor: the absorbed 1x1 conv producing it, computed by the depthwise
                        conv reading it (KD_PRE_IC4), or -1 */
  int32_t *gate_out; /* per layer: a 1x1 conv whose gated result plus a skip this ADD makes (KC_HAS_GATE 2), or -1 */
  int32_t *se_early; /* per layer: the MEAN of the squeeze-excite block making that gate, planned first */
  int32_t *out_gate; /* per layer: the gate MUL of this conv's output, absorbed into it (KC_HAS_GATE 3), or -1 */
} planner;

#define FUSED(t) (p->pl->fused[(t)] = 1)

/* Whether this plan may put weights in specialization constants (the CPU driver's fast tier). */
static int plan_wspec(const planner *p) { return p->md->ctx->wspec && !p->pl->gpu; }

/* The layer whose dispatch writes tensor t: its producer, or for the sum of an ADD absorbed into a
 * 1x1 conv (in_add), that conv (its first reader). */
static int writer_of(const planner *p, int32_t t) {
  if (p->in_add[t] >= 0) return first_reader(p->m, t, (uint32_t)p->in_add[t]);
  return p->producer[t];
}

/* A same-shape ADD (layer j) of t and another operand that is stored and written before layer
 * `before` (or is the model's input). */
static int residual_add(const planner *p, int j, int32_t t, int before, int32_t *other) {
  const pseg_fmt_model *m = p->m;
  if (j < 0) return 0;
  const pseg_fmt_layer *la = &m->layers[j];
  if (la->op != PSEG_OP_ADD || la->aux != 0 || la->in0 == la->in1 || p->absorbed[j]) return 0;
  int32_t o = la->in0 == t ? la->in1 : la->in0;
  if (!same_shape(m, o, t) || !same_shape(m, la->out, t)) return 0;
  if (!(o == (int32_t)m->input || writer_of(p, o) < before) || p->pl->fused[o]) return 0;
  *other = o;
  return 1;
}

/* The 1x1 layer that makes a MEAN (layer i) the start of a squeeze-excite dispatch (se_fc.comp:
 * the pool, then one or two 1x1 layers), or -1: the one test for the planning and the pre-pass. */
static int se_first_layer(const planner *p, uint32_t i) {
  const pseg_fmt_model *m = p->m;
  const pseg_fmt_layer *l = &m->layers[i];
  if (l->op != PSEG_OP_MEAN || l->act != PSEG_ACT_NONE || kc4(m->tensors[l->in0].c) > 64) return -1;
  int h = sole_reader(m, p->uses, l->out, i);
  if (h < 0 || !is_1x1_on_1x1(m, &m->layers[h]) || m->layers[h].in0 != l->out ||
      kc4(m->tensors[m->layers[h].out].c) > 64)
    return -1;
  return h;
}

/* The second 1x1 layer of the squeeze-excite dispatch starting with MEAN i and 1x1 layer h, or -1
 * when it has one layer. */
static int se_second_layer(const planner *p, uint32_t i, int h) {
  const pseg_fmt_model *m = p->m;
  int g = sole_reader(m, p->uses, m->layers[h].out, (uint32_t)h);
  int two = g >= 0 && is_1x1_on_1x1(m, &m->layers[g]) && m->layers[g].in0 == m->layers[h].out &&
            m->tensors[m->layers[g].out].c == m->tensors[m->layers[i].out].c;
  return two ? g : -1;
}

/* The MEAN whose squeeze-excite dispatch (se_fc.comp) writes tensor g, or -1. */
static int se_mean_of(const planner *p, int32_t g) {
  const pseg_fmt_model *m = p->m;
  int h = p->producer[g];
  if (h < 0 || !is_1x1_on_1x1(m, &m->layers[h])) return -1;
  int a = p->producer[m->layers[h].in0];
  if (a >= 0 && m->layers[a].op == PSEG_OP_MEAN)
    return se_first_layer(p, (uint32_t)a) == h && se_second_layer(p, (uint32_t)a, h) < 0 ? a : -1;
  if (a < 0 || !is_1x1_on_1x1(m, &m->layers[a])) return -1;
  int b = p->producer[m->layers[a].in0];
  return b >= 0 && m->layers[b].op == PSEG_OP_MEAN && se_first_layer(p, (uint32_t)b) == a &&
                 se_second_layer(p, (uint32_t)b, a) == h
             ? b
             : -1;
}

/* A same-shape ADD without activation or broadcast, not the model's output: one a reader can
 * compute from its two operands. */
static int plain_add(const pseg_fmt_model *m, const pseg_fmt_layer *l) {
  return l->op == PSEG_OP_ADD && l->aux == 0 && l->act == PSEG_ACT_NONE && l->in0 != l->in1 &&
         l->out != (int32_t)m->output && same_shape(m, l->in0, l->in1);
}

#define PSEG_PRE_RECOMPUTE 2.25 /* at most this many computations of a fused 1x1 conv's value */

/* A gated decoder stage (the selfie decoder's, at each scale):
 *   a = conv1x1(resize(D)) (no activation);  g = squeeze-excite(mean(skip + a));  s = skip * g + a
 * where nothing else reads a. The block's pool is mean(skip + a) = mean(skip) + Wa mean(D) + ba
 * (the conv is linear; a resize whose source pixels all weigh alike keeps the mean), so the block
 * is computed first, from D and skip (se_fc PRE_IC4), and then the conv writes s directly
 * (KC_HAS_GATE 2: its result plus the gated skip): a, and skip + a, are never stored, and s can
 * take the skip's place. Pre-pass after the gate MULs and pool ADDs are known. */
static void plan_gate_out(planner *p) {
  const pseg_fmt_model *m = p->m;
  for (uint32_t k = 0; k < m->n_layers; k++) {
    const pseg_fmt_layer *lk = &m->layers[k];
    if (lk->op != PSEG_OP_MUL || p->gate_mul[lk->out] != (int32_t)k) continue;
    int32_t skip = lk->in0, g = lk->in1;
    int a2 = sole_reader(m, p->uses, lk->out, k);
    if (a2 < 0 || !plain_add(m, &m->layers[a2]) || p->absorbed[a2]) continue;
    const pseg_fmt_layer *l2 = &m->layers[a2];
    int32_t a = l2->in0 == lk->out ? l2->in1 : l2->in0;
    int c = p->producer[a];
    if (c < 0 || p->absorbed[c] || p->uses[a] != 2) continue;
    const pseg_fmt_layer *lc = &m->layers[c];
    if (!is_pointwise(lc) || lc->act != PSEG_ACT_NONE || lc->in1 >= 0 || p->gate_mul[lc->in0] >= 0 ||
        p->in_add[lc->in0] >= 0)
      continue;
    int32_t d = lc->in0;
    if (p->resize_of[d] >= 0) {
      const pseg_fmt_layer *lr = &m->layers[p->resize_of[d]];
      const pseg_fmt_tensor *ri = &m->tensors[lr->in0], *ro = &m->tensors[d];
      if (!resize_uniform(ri->h, ro->h, lr->aux) || !resize_uniform(ri->w, ro->w, lr->aux)) continue;
      d = lr->in0;
    }
    if (kc4(m->tensors[d].c) > 64 || p->pl->fused[d]) continue;
    /* a's other reader: the ADD(skip, a) that only the block's pool reads */
    int a1 = -1;
    for (uint32_t j = (uint32_t)c + 1; j < m->n_layers && a1 < 0; j++)
      if ((int)j != a2 && (m->layers[j].in0 == a || m->layers[j].in1 == a)) a1 = (int)j;
    if (a1 < 0 || p->pool_add[m->layers[a1].out] != a1) continue;
    const pseg_fmt_layer *l1 = &m->layers[a1];
    if ((l1->in0 == a ? l1->in1 : l1->in0) != skip) continue;
    int mean = se_mean_of(p, g); /* the block making g pools that sum */
    if (mean < 0 || m->layers[mean].in0 != l1->out) continue;
    /* the skip is stored before the conv (the in_add pass below leaves such a skip alone) */
    if (p->pl->fused[skip] || skip == (int32_t)m->input || p->producer[skip] > c) continue;
    p->gate_out[c] = a2, p->se_early[c] = mean;
    p->absorbed[a2] = 1;
    FUSED(a);
  }
}

/* Whether t is the skip of a gated decoder stage (plan_gate_out). */
static int gate_out_skip(const planner *p, int32_t t) {
  const pseg_fmt_model *m = p->m;
  for (uint32_t j = 0; j < m->n_layers; j++) {
    if (p->gate_out[j] < 0) continue;
    const pseg_fmt_layer *l2 = &m->layers[p->gate_out[j]];
    int32_t k = p->gate_mul[l2->in0] >= 0 ? p->gate_mul[l2->in0] : p->gate_mul[l2->in1];
    if (m->layers[k].in0 == t) return 1;
  }
  return 0;
}

/* Pre-pass: the layers absorbed into a later reader (a RESIZE into its 1x1 conv, a gate MUL into
 * its conv or add). */
static void plan_backward_fusions(planner *p) {
  const pseg_fmt_model *m = p->m;
  for (uint32_t i = 0; i < m->n_layers; i++) {
    const pseg_fmt_layer *l = &m->layers[i];
    if (l->op == PSEG_OP_RESIZE_BILINEAR && l->act == PSEG_ACT_NONE) {
      int c = sole_reader(m, p->uses, l->out, i);
      if (c >= 0 && is_pointwise(&m->layers[c]) && m->layers[c].in0 == l->out) {
        p->absorbed[i] = 1;
        p->resize_of[l->out] = (int32_t)i;
        FUSED(l->out);
      }
    }
  }
  for (uint32_t i = 0; i < m->n_layers; i++) {
    const pseg_fmt_layer *l = &m->layers[i];
    if (l->op != PSEG_OP_MUL || l->aux != 1 || l->act != PSEG_ACT_NONE || m->tensors[l->in1].h != 1 ||
        m->tensors[l->in1].w != 1 || l->in0 == l->in1)
      continue;
    /* the gate of a conv's output that only this MUL reads, made by a squeeze-excite dispatch
     * planned before the conv (the selfie head's): the conv multiplies its output (KC_HAS_GATE 3),
     * so the gated tensor is stored as such and its readers need no gate */
    int c = p->producer[l->in0], mean = se_mean_of(p, l->in1);
    if (c >= 0 && mean >= 0 && mean < c && m->layers[c].op == PSEG_OP_CONV2D && !p->absorbed[c] &&
        p->uses[l->in0] == 1 && p->gate_mul[m->layers[c].in0] < 0 && l->in0 != (int32_t)m->output) {
      p->absorbed[i] = 1;
      p->out_gate[c] = (int32_t)i;
      FUSED(l->in0);
      continue;
    }
    int r = sole_reader(m, p->uses, l->out, i), ok = 0;
    if (r < 0) continue;
    const pseg_fmt_layer *lr = &m->layers[r];
    if (lr->op == PSEG_OP_RESIZE_BILINEAR && p->resize_of[lr->out] >= 0) { /* gated, resized, convolved */
      ok = 1;
    } else if (lr->op == PSEG_OP_CONV2D && lr->in0 == l->out) {
      ok = 1;
    } else if (lr->op == PSEG_OP_ADD && lr->aux == 0 && lr->in0 != lr->in1) {
      int32_t other = lr->in0 == l->out ? lr->in1 : lr->in0;
      ok = other < 0 || p->gate_mul[other] < 0; /* one gated operand per add */
    }
    if (ok) {
      p->absorbed[i] = 1;
      p->gate_mul[l->out] = (int32_t)i;
      FUSED(l->out);
    }
  }
  /* ADD -> squeeze-excite MEAN, nothing else reading the sum: the block pools both operands
   * (se_fc.comp POOL_ADD), so the sum is never stored. */
  for (uint32_t i = 0; i < m->n_layers; i++) {
    const pseg_fmt_layer *l = &m->layers[i];
    if (!plain_add(m, l) || p->gate_mul[l->in0] >= 0 || p->gate_mul[l->in1] >= 0) continue;
    int r = sole_reader(m, p->uses, l->out, i);
    if (r < 0 || m->layers[r].in0 != l->out || se_first_layer(p, (uint32_t)r) < 0) continue; /* an SE reads it */
    p->absorbed[i] = 1;
    p->pool_add[l->out] = (int32_t)i;
    FUSED(l->out);
  }
  plan_gate_out(p);
  /* ADD -> 1x1 conv: the conv reads both operands (one of them maybe gated). */
  for (uint32_t i = 0; i < m->n_layers; i++) {
    const pseg_fmt_layer *l = &m->layers[i];
    if (!plain_add(m, l) || p->absorbed[i]) continue;
    if (gate_out_skip(p, l->out)) continue; /* it must be written where it is produced */
    /* only a gated add (a squeeze-excite output plus a skip): an ungated one may be the residual
     * a producing conv fuses later (plan_forward_fusions) */
    if ((p->gate_mul[l->in0] >= 0) == (p->gate_mul[l->in1] >= 0)) continue;
    int32_t other = p->gate_mul[l->in0] >= 0 ? l->in1 : l->in0;
    if (p->gate_mul[other] >= 0 || p->resize_of[other] >= 0 || p->pl->fused[other]) continue;
    int c = first_reader(m, l->out, i);
    if (c < 0 || !is_pointwise(&m->layers[c]) || m->layers[c].in0 != l->out || m->layers[c].in1 == l->out ||
        p->out_gate[c] >= 0)
      continue;
    int j = sole_reader(m, p->uses, m->layers[c].out, (uint32_t)c); /* the conv keeps R for a residual */
    if (j >= 0 && m->layers[j].op == PSEG_OP_ADD) continue;
    p->absorbed[i] = 1;
    p->in_add[l->out] = (int32_t)i;
    if (p->uses[l->out] == 1) FUSED(l->out);
  }
  /* 1x1 conv -> DWCONV2D, nothing else reading the conv's output: the depthwise dispatch computes
   * it at every tap (dwconv.comp PRE_IC4), so that tensor is never stored (the largest ones of
   * the selfie encoder: a 1x1 conv before a stride-2 depthwise conv). Only where each value is
   * computed at most PSEG_PRE_RECOMPUTE times (kh * kw / (sh * sw): a 3x3 stride-2 conv), and
   * for a conv of a stored input that nothing else is fused into. */
  for (uint32_t i = 0; i < m->n_layers; i++) {
    const pseg_fmt_layer *l = &m->layers[i];
    if (l->op != PSEG_OP_DWCONV2D || l->in0 < 0) continue;
    int c = p->producer[l->in0];
    if (c < 0 || p->absorbed[c] || sole_reader(m, p->uses, l->in0, (uint32_t)c) != (int)i) continue;
    const pseg_fmt_layer *lc = &m->layers[c];
    int32_t x = lc->in0;
    if (!is_pointwise(lc) || lc->in1 >= 0 || x < 0 || p->gate_mul[x] >= 0 || p->resize_of[x] >= 0 ||
        p->in_add[x] >= 0 || p->pool_add[x] >= 0 || p->pl->fused[x])
      continue;
    if (l->kh * l->kw > PSEG_PRE_RECOMPUTE * l->sh * l->sw) continue;
    p->absorbed[c] = 1;
    p->pre_of[l->in0] = c;
    FUSED(l->in0);
  }
}

/* Squeeze-excite: MEAN (layer i) -> 1x1 conv -> 1x1 conv, one node (se_fc.comp pools its input);
 * also MEAN -> one 1x1 conv (a gate made by one layer, as the selfie network's head has). With
 * pre >= 0 (a gated decoder stage, plan_gate_out), the pooled input is ADD(pre(resize(D)), skip)
 * and the node pools D and skip instead (se_fc.comp PRE_IC4). */
static void plan_squeeze_excite(planner *p, uint32_t i, int pre, pseg_node *se) {
  const pseg_fmt_model *m = p->m;
  const pseg_fmt_layer *l = &m->layers[i];
  int h = se_first_layer(p, i), g = se_second_layer(p, i, h), two = g >= 0;
  memset(se, 0, sizeof *se); /* replaces the MEAN node */
  const pseg_fmt_layer *lh = &m->layers[h], *lg = two ? &m->layers[g] : lh;
  const pseg_fmt_tensor *x = &m->tensors[l->in0];
  int o4 = kc4(m->tensors[lg->out].c);
  se->layer = two ? g : h;
  se->in0 = l->in0, se->in1 = -1, se->out = lg->out, se->gate = -1, se->aux = -1;
  se->wl = h, se->wl2 = two ? g : -1, se->wl3 = -1, se->prelu = -1;
  se->d.shader = PSEG_SHADER_SE_FC;
  se->d.spec[KS_C4] = kc4(m->tensors[l->out].c);
  se->d.spec[KS_R4] = kc4(m->tensors[lh->out].c);
  se->d.spec[KS_ACT] = lh->act, se->d.spec[KS_ACT2] = lg->act;
  se->d.spec[KS_LAYERS] = two ? 2 : 1;
  se->d.pc = (pseg_params){.in_h = x->h, .in_w = x->w, .in_c4 = se->d.spec[KS_C4], .out_h = 1, .out_w = 1,
                           .out_c4 = o4};
  if (pre >= 0) { /* pools D and the skip: m = Wa mean(D) + ba + mean(skip) */
    const pseg_fmt_layer *la = &m->layers[p->pool_add[l->in0]], *lp = &m->layers[pre];
    int32_t skip = la->in0 == lp->out ? la->in1 : la->in0, d = lp->in0;
    if (p->resize_of[d] >= 0) d = m->layers[p->resize_of[d]].in0;
    se->in0 = d, se->in1 = skip;
    se->wl = pre, se->wl2 = h, se->wl3 = two ? g : -1;
    se->d.spec[KS_PRE_IC4] = kc4(m->tensors[d].c);
    se->d.pc.in_h = m->tensors[d].h, se->d.pc.in_w = m->tensors[d].w;
    se->d.pc.aux0 = m->tensors[skip].w, se->d.pc.aux1 = m->tensors[skip].h;
  } else if (p->pool_add[l->in0] >= 0) { /* it pools the two operands of an absorbed ADD */
    const pseg_fmt_layer *la = &m->layers[p->pool_add[l->in0]];
    se->in0 = la->in0, se->in1 = la->in1;
    se->d.spec[KS_POOL_ADD] = 1;
  }
  se->d.groups[0] = se->d.groups[1] = se->d.groups[2] = 1;
  se->d.uses_weights = 1;
  if (two) snprintf(se->name, sizeof se->name, "squeeze-excite (mean, 1x1 x2)");
  else snprintf(se->name, sizeof se->name, "mean+conv1x1%s%s", lh->act ? "+" : "", lh->act ? pseg_act_name(lh->act) : "");
  if (pre >= 0) {
    char name[sizeof se->name];
    snprintf(name, sizeof name, "conv1x1 mean+%.34s", se->name);
    memcpy(se->name, name, sizeof name);
  }
  p->absorbed[i] = p->absorbed[h] = 1;
  FUSED(l->out);
  if (two) {
    p->absorbed[g] = 1;
    FUSED(lh->out);
  }
}

/* Replace an input tensor produced by an absorbed gate MUL: returns the MUL's input, sets *gate. */
static int32_t ungate(const planner *p, int32_t t, int32_t *gate) {
  if (t >= 0 && p->gate_mul[t] >= 0) {
    const pseg_fmt_layer *k = &p->m->layers[p->gate_mul[t]];
    *gate = k->in1;
    return k->in0;
  }
  return t;
}

static void append_name(pseg_node *nd, const char *s) {
  size_t n = strlen(nd->name);
  snprintf(nd->name + n, sizeof nd->name - n, "%s", s);
}

/* Whether layer l's weights are exact in fp16 (they can be specialization constants). */
static int exact_f16(const pseg_fmt_model *m, const pseg_fmt_layer *l) {
  if (l->wtype == PSEG_WTYPE_F16) return 1;
  size_t wc, bc;
  if (!pseg_fmt_weight_count(m, l, &wc, &bc)) return 1;
  float *v = malloc((wc + bc + 1) * sizeof(float));
  if (!v) return 0;
  pseg_fmt_read_values(m, l->w_off, wc, l->wtype, v);
  if (l->b_off >= 0) pseg_fmt_read_values(m, l->b_off, bc, l->wtype, v + wc);
  else bc = 0;
  int exact = 1;
  for (size_t k = 0; k < wc + bc && exact; k++) exact = pseg_half_to_float(pseg_float_to_half(v[k])) == v[k];
  free(v);
  return exact;
}

/* Whether the packed weights of layers a, b, c (-1: none) can be specialization constants in the
 * fast tier: exact in fp16 and at most PSEG_WSPEC_MAX vec4s together. */
static int layers_wspec(const planner *p, int32_t a, int32_t b, int32_t c, int32_t prelu) {
  if (!plan_wspec(p)) return 0;
  const pseg_fmt_model *m = p->m;
  int32_t wls[4] = {a, b, c, prelu};
  if (pseg_layers_packed_floats(m, wls) / 4 > PSEG_WSPEC_MAX) return 0;
  for (int k = 0; k < 4; k++)
    if (wls[k] >= 0 && !exact_f16(m, &m->layers[wls[k]])) return 0;
  return 1;
}

/* Whether depthwise layer i takes the pointwise layer j after it into its dispatch (the
 * projection computed from the depthwise result in registers). On the GPU tier (and with
 * PSEG_WEIGHTS=buffer, which tests the buffer-weight kernels as the fast tier's plan fuses them),
 * and where both layers' weights become specialization constants (the fast tier: each input
 * fetched once, no weight loads), always; where they will not, only for one channel vec4 in
 * and out: there the fused kernel holds every channel of a pixel and loads every weight per
 * invocation, a pixel an invocation, and ran slower than the depthwise dispatch and a 1x1 conv,
 * each of 16 pixels an invocation (lavapipe: 128 channels at 32x32, 7.5 ms against 0.5 + 4.4
 * ms before NPX; the origin models' 8 channels at 256x256, 126 -> 117 ms a frame in all, NPX
 * on; anil-mnv3-float's 16 channels at 64x64 the same either way; docs/models.md). */
static int projection_pays(const planner *p, uint32_t i, int j) {
  const pseg_fmt_model *m = p->m;
  if (!plan_wspec(p) || kc4(m->tensors[m->layers[i].out].c) * kc4(m->tensors[m->layers[j].out].c) <= 1) return 1;
  return layers_wspec(p, (int32_t)i, j, -1, -1);
}

/* A PRELU that alone reads what node nd (planned for layer i) writes becomes the node's last
 * activation (PSEG_ACT_PRELU: act, or act2 after a residual), its slopes packed after the node's
 * first layer's bias (runtime/model.c): a PRELU is two depthwise dispatches and an add in
 * TFLite's own decomposition, one dispatch standalone here (prelu_plan), none folded. Declined
 * where the last operation is not an activation slot of conv.comp / dwconv.comp (a gate after
 * the activation, a fused projection or second conv). */
static void plan_fold_prelu(planner *p, uint32_t i, pseg_node *nd) {
  const pseg_fmt_model *m = p->m;
  int conv = nd->d.shader == PSEG_SHADER_CONV, dw = nd->d.shader == PSEG_SHADER_DWCONV;
  if ((!conv && !dw) || nd->wl != (int32_t)i || nd->prelu >= 0 || nd->wl2 >= 0 || nd->wl3 >= 0 || p->producer[nd->out] < 0)
    return;
  int j = sole_reader(m, p->uses, nd->out, (uint32_t)p->producer[nd->out]);
  if (j < 0 || m->layers[j].op != PSEG_OP_PRELU || m->layers[j].in0 != nd->out || p->absorbed[j]) return;
  int32_t *sp = nd->d.spec;
  int res = sp[conv ? KC_HAS_RES : KD_HAS_RES], slot = conv ? (res ? KC_ACT2 : KC_ACT) : (res ? KD_ACT2 : KD_ACT);
  if (sp[slot] != PSEG_ACT_NONE || (conv && (sp[KC_EPI_OC4] || (sp[KC_HAS_GATE] == 3 && !res))) ||
      (dw && (sp[KD_PROJ_OC4] || sp[KD_PRE_IC4])))
    return;
  sp[slot] = PSEG_ACT_PRELU;
  nd->prelu = j;
  FUSED(nd->out);
  nd->out = m->layers[j].out;
  p->absorbed[j] = 1;
  append_name(nd, "+prelu");
}

/* Integer models (qnet.comp): the layers absorbed into their readers, decided before planning.
 * A RESIZE_BILINEAR read only by a 1x1 stride-1 conv or an ADD is computed as they read it (PRO
 * 1), except where that is the model's own output (pseg run reads it). (A QUANTIZE of the float
 * input computed as the first conv reads it measured slower than the two dispatches: a division
 * a tap; runtime/session.c folds it into the pre-processing instead.) */
static void plan_qbackward(planner *p) {
  const pseg_fmt_model *m = p->m;
  for (uint32_t i = 0; i < m->n_layers; i++) {
    const pseg_fmt_layer *l = &m->layers[i];
    int32_t t = l->out;
    int j = sole_reader(m, p->uses, t, i);
    if (j < 0 || t == (int32_t)m->raw_output || m->tensors[t].quant == 0 || m->tensors[m->layers[j].out].quant == 0) continue;
    const pseg_fmt_layer *lj = &m->layers[j];
    if (l->op == PSEG_OP_RESIZE_BILINEAR &&
        ((lj->op == PSEG_OP_CONV2D && lj->in0 == t && lj->kh == 1 && lj->kw == 1 && lj->sh == 1 && lj->sw == 1 &&
          lj->pad_top == 0 && lj->pad_left == 0) ||
         (lj->op == PSEG_OP_ADD && lj->aux == 0 && lj->in0 != lj->in1 && p->resize_of[lj->in0] < 0 && p->resize_of[lj->in1] < 0))) {
      p->resize_of[t] = (int32_t)i, p->absorbed[i] = 1;
      FUSED(t);
    }
  }
}

/* An integer layer's node (planned by kernel_qplan): its input through the layers plan_qbackward
 * absorbed, then the layers after it it absorbs: a residual ADD of a conv's output (EPI 1), then
 * int8 -> int8 QUANTIZE and DEQUANTIZE (EPI 2, 4). 0, or -1 where a fusion decided before is not
 * possible (a planner bug). */
static int plan_qfusions(planner *p, uint32_t i, pseg_node *nd) {
  const pseg_fmt_model *m = p->m;
  const pseg_fmt_layer *l = &m->layers[i];
  char pre[24] = "";
  if (l->op == PSEG_OP_ADD && l->in1 >= 0 && p->resize_of[l->in1] >= 0) { /* the resized operand as X */
    int32_t t = nd->d.pc.kh;
    nd->in0 = l->in1, nd->in1 = l->in0;
    nd->d.pc.kh = nd->d.pc.kw, nd->d.pc.kw = t;
  }
  if (p->resize_of[nd->in0] >= 0) {
    const pseg_fmt_layer *lr = &m->layers[p->resize_of[nd->in0]];
    if (kernel_qfuse_resize_in(m, lr, &nd->d)) return -1;
    nd->in0 = lr->in0;
    snprintf(pre, sizeof pre, "resize+");
  }
  snprintf(nd->name, sizeof nd->name, "%s%s%s%s (int8)", pre, pseg_op_name(l->op), l->act ? "+" : "", l->act ? pseg_act_name(l->act) : "");
  char post[40] = "";
  int32_t other;
  int j = first_reader(m, l->out, i);
  if (l->op == PSEG_OP_CONV2D && p->uses[l->out] == 1 && l->out != (int32_t)m->output && l->out != (int32_t)m->raw_output &&
      residual_add(p, j, l->out, (int)i, &other) && m->tensors[m->layers[j].out].quant > 0 &&
      !kernel_qfuse_add(m, l, &m->layers[j], &nd->d)) {
    nd->in1 = other, nd->out = m->layers[j].out;
    p->absorbed[j] = 1;
    FUSED(l->out);
    snprintf(post, sizeof post, "+add%s%s", m->layers[j].act ? "+" : "", m->layers[j].act ? pseg_act_name(m->layers[j].act) : "");
  }
  for (;;) { /* requantizations and a dequantization of the result */
    int32_t t = nd->out;
    j = sole_reader(m, p->uses, t, i);
    if (j < 0 || t == (int32_t)m->raw_output || p->absorbed[j] || m->layers[j].in0 != t ||
        kernel_qfuse_out(m, &m->layers[j], &nd->d))
      break;
    p->absorbed[j] = 1;
    FUSED(t);
    nd->out = m->layers[j].out;
    size_t n = strlen(post);
    snprintf(post + n, sizeof post - n, "%s", m->layers[j].op == PSEG_OP_QUANTIZE ? "+requantize" : "+dequantize");
  }
  if (post[0]) {
    size_t n = strlen(nd->name) - strlen(" (int8)");
    snprintf(nd->name + n, sizeof nd->name - n, "%s (int8)", post);
  }
  return 0;
}

/* Integer models on the fast tier: a depthwise conv node A and the 1x1 conv node B right after it,
 * reading only A's output, where both layers' weights fit the constants together: B's fast
 * dispatch computes both (qnet.comp dw_proj, reading A's input as G) and A is not dispatched
 * there; the base tier keeps both dispatches (the fused one, from the buffer, ran at half the
 * speed of the two: its weights loaded a pixel at a time). B's weights: its own, then A's. */
static void plan_qproj(planner *p, pseg_plan *md) {
  const pseg_fmt_model *m = p->m;
  if (!plan_wspec(p)) return;
  for (uint32_t b = 1; b < md->n_nodes; b++) {
    pseg_node *a = &md->nodes[b - 1], *nb = &md->nodes[b];
    if (a->d.shader != PSEG_SHADER_QNET || nb->d.shader != PSEG_SHADER_QNET || a->wl < 0 || nb->wl < 0 ||
        a->fast_skip || a->wl2 >= 0 || nb->wl2 >= 0 || a->d.spec[1] != 1 || a->d.spec[KQ_EPI] || a->d.spec[KQ_PRO] ||
        nb->d.spec[KQ_PRO] || nb->in0 != a->out || a->out != m->layers[a->wl].out || nb->gate >= 0 ||
        p->uses[a->out] != 1 || a->out == (int32_t)m->raw_output)
      continue;
    kdispatch f = nb->d_base;
    if (kernel_qfuse_proj(m, &m->layers[a->wl], &m->layers[nb->wl], &a->d_base, &f)) continue;
    nb->d = f;
    nb->gate = a->in0, nb->wl2 = a->wl;
    nb->wspec_fit = 1;
    a->fast_skip = 1;
    char name[sizeof nb->name];
    snprintf(name, sizeof name, "dw+%.44s", nb->name);
    memcpy(nb->name, name, sizeof name);
  }
}

/* Forward fusions of a planned node: layers after it that it absorbs. */
static void plan_forward_fusions(planner *p, uint32_t i, pseg_node *nd) {
  const pseg_fmt_model *m = p->m;
  const pseg_fmt_layer *l = &m->layers[i];
  if (l->op == PSEG_OP_CONV2D && nd->d.spec[KC_IN_ADD] == 0) { /* a residual ADD after it (R is free) */
    int32_t other;
    int j = first_reader(m, l->out, i);
    if (p->uses[l->out] == 1 && l->out != (int32_t)m->output && residual_add(p, j, l->out, (int)i, &other)) {
      nd->in1 = other, nd->out = m->layers[j].out;
      nd->d.spec[KC_HAS_RES] = 1, nd->d.spec[KC_ACT2] = m->layers[j].act;
      p->absorbed[j] = 1;
      FUSED(l->out);
      append_name(nd, "+add");
    } else if (p->uses[l->out] >= 2 && residual_add(p, j, l->out, (int)i, &other) &&
               p->gate_mul[other] < 0) {
      /* the conv's value is read again later: write it as the second output */
      nd->in1 = other, nd->aux = l->out, nd->out = m->layers[j].out;
      nd->d.spec[KC_HAS_RES] = 1, nd->d.spec[KC_ACT2] = m->layers[j].act, nd->d.spec[KC_AUX_OUT] = 1;
      p->absorbed[j] = 1;
      append_name(nd, "+add");
    }
  }
  if (l->op == PSEG_OP_CONV2D || l->op == PSEG_OP_TCONV2D) plan_fold_prelu(p, i, nd);
  /* A 1x1 conv reading this conv's result (the epilogue's second conv). With weights as
   * specialization constants, only where both layers' weights fit them (with vec4 padding). */
  if (l->op == PSEG_OP_CONV2D && nd->d.spec[KC_AUX_OUT] == 0 && nd->d.spec[KC_AUX_IN] == 0 && nd->d.spec[KC_MODE] != 1) {
    int32_t t = nd->out;
    int j = first_reader(m, t, i);
    const pseg_fmt_layer *le = j >= 0 ? &m->layers[j] : NULL;
    /* (and where they will not be constants, not at all: the fused kernel needs every output
     * channel of a pixel in one invocation, a pixel an invocation, and loads every weight per
     * invocation; unfused, both convs run NPX pixels an invocation: plan_narrow) */
    int fits = !plan_wspec(p) || (le && layers_wspec(p, (int32_t)i, j, -1, nd->prelu));
    if (le && fits && is_pointwise(le) && le->in0 == t && le->in1 != t && p->gate_mul[t] < 0 && p->in_add[t] < 0 &&
        p->resize_of[t] < 0 && t != (int32_t)m->output && !p->absorbed[j]) {
      nd->wl2 = j;
      nd->d.spec[KC_EPI_OC4] = kc4(m->tensors[le->out].c);
      nd->d.spec[KC_EPI_ACT] = le->act;
      nd->d.spec[KC_OCB] = nd->d.spec[KC_OC4];
      nd->d.groups[2] = 1;
      if (p->uses[t] > 1) nd->aux = t, nd->d.spec[KC_EPI_AUX] = 1;
      else FUSED(t);
      nd->out = le->out;
      p->absorbed[j] = 1;
      append_name(nd, "+conv1x1");
      if (le->act != PSEG_ACT_NONE) {
        append_name(nd, "+");
        append_name(nd, pseg_act_name(le->act));
      }
    }
  }
  /* A standalone activation of this conv's output, which other layers read too (a residual
   * branch's input before its ReLU): the conv writes both (KC_AUX_OUT 2 + act: the activated
   * value to Y2). */
  if ((l->op == PSEG_OP_CONV2D || l->op == PSEG_OP_TCONV2D) && nd->wl2 < 0 && nd->aux < 0 &&
      nd->d.spec[KC_AUX_OUT] == 0 && nd->d.spec[KC_AUX_IN] == 0 && nd->out != (int32_t)m->output &&
      p->uses[nd->out] >= 2 && p->gate_mul[nd->out] < 0 && p->in_add[nd->out] < 0 && p->pool_add[nd->out] < 0 &&
      p->resize_of[nd->out] < 0 && p->pre_of[nd->out] < 0) {
    int j = first_reader(m, nd->out, (uint32_t)p->producer[nd->out]);
    for (; j >= 0; j = first_reader(m, nd->out, (uint32_t)j)) {
      const pseg_fmt_layer *la = &m->layers[j];
      if (la->op == PSEG_OP_ACT && la->in0 == nd->out && !p->absorbed[j] && la->act != PSEG_ACT_NONE) {
        nd->aux = la->out;
        nd->d.spec[KC_AUX_OUT] = 2 + la->act;
        p->absorbed[j] = 1;
        append_name(nd, "(+");
        append_name(nd, pseg_act_name(la->act));
        append_name(nd, ")");
        break;
      }
    }
  }
  /* A residual ADD after a RESIZE (a decoder's upsampled map plus its skip connection): the resize
   * adds the other operand as it writes (resize.comp RES), the resized map is never stored. */
  if ((l->op == PSEG_OP_RESIZE_BILINEAR || l->op == PSEG_OP_RESIZE_NEAREST) && l->act == PSEG_ACT_NONE &&
      l->out != (int32_t)m->raw_output) {
    int32_t other;
    int j = sole_reader(m, p->uses, l->out, i);
    if (residual_add(p, j, l->out, (int)i, &other) && p->gate_mul[other] < 0) {
      nd->in1 = other, nd->out = m->layers[j].out;
      nd->d.spec[KR_RES] = 1, nd->d.spec[KR_ACT] = m->layers[j].act;
      resize_set_npx(&nd->d, 1);
      p->absorbed[j] = 1;
      FUSED(l->out);
      append_name(nd, "+add");
    }
  }
  if (l->op == PSEG_OP_DWCONV2D) {
    int32_t t = l->out, other;
    int j = sole_reader(m, p->uses, t, i);
    if (residual_add(p, j, t, (int)i, &other)) { /* d = act2(act(dw) + R) */
      nd->in1 = other, nd->out = m->layers[j].out;
      nd->d.spec[KD_HAS_RES] = 1, nd->d.spec[KD_ACT2] = m->layers[j].act;
      p->absorbed[j] = 1;
      FUSED(t);
      append_name(nd, "+add");
      t = m->layers[j].out;
      j = sole_reader(m, p->uses, t, (uint32_t)j);
    }
    plan_fold_prelu(p, i, nd);
    if (nd->prelu >= 0) {
      t = nd->out;
      j = sole_reader(m, p->uses, t, (uint32_t)nd->prelu);
    }
    if (j >= 0) { /* the pointwise layer reading it */
      const pseg_fmt_layer *lp = &m->layers[j];
      int tconv = lp->op == PSEG_OP_TCONV2D && lp->kh == lp->kw && lp->kh == lp->sh && lp->kw == lp->sw;
      if ((is_pointwise(lp) || tconv) && lp->in0 == t && p->gate_mul[t] < 0 && projection_pays(p, i, j)) {
        dwconv_fuse_projection(&nd->d, lp, shape_of(m, lp->out));
        nd->wl2 = j;
        nd->out = lp->out;
        p->absorbed[j] = 1;
        FUSED(t);
        append_name(nd, tconv ? "+tconv2d" : "+conv1x1");
        if (lp->act != PSEG_ACT_NONE) {
          append_name(nd, "+");
          append_name(nd, pseg_act_name(lp->act));
        }
        int k = sole_reader(m, p->uses, lp->out, (uint32_t)j);
        if (!tconv && residual_add(p, k, lp->out, (int)i, &other)) {
          nd->gate = other; /* the projection's residual is read through binding G */
          nd->out = m->layers[k].out;
          nd->d.spec[KD_PROJ_RES] = 1, nd->d.spec[KD_PROJ_ACT2] = m->layers[k].act;
          p->absorbed[k] = 1;
          FUSED(lp->out);
          append_name(nd, "+add");
        }
      }
    }
  }
}

/* Output pixels an invocation of a conv or depthwise dispatch with buffer weights (NPX): 16, or
 * fewer to keep 16 invocations. */
static int pixels_per_invocation(const kdispatch *d) {
  int in = d->shader == PSEG_SHADER_CONV && d->spec[KC_MODE] == 1; /* a grid over the input pixels */
  int px = in ? d->pc.in_w * d->pc.in_h : d->pc.out_w * d->pc.out_h, npx = 16;
  while (npx > 1 && (px + npx - 1) / npx < 16) npx /= 2;
  return npx;
}

/* The buffer layout's grid: fewer output vec4s per invocation, the rest over grid z. */
static void plan_narrow(kdispatch *d, int no_npx) {
  if (d->shader == PSEG_SHADER_CONV && d->spec[KC_EPI_OC4] == 0) { /* a second conv needs them all */
    int oc4 = d->spec[KC_OC4], ocb = oc4 < 4 ? oc4 : 4;
    d->spec[KC_OCB] = ocb;
    d->groups[2] = (uint32_t)((oc4 + ocb - 1) / ocb);
    /* NPX output pixels an invocation: a buffer weight is loaded per invocation (on lavapipe, a
     * gather: the loop index is not known to be uniform), so NPX pixels share each load; 16 made
     * a 1x1 conv of 128 channels 4.5x faster there (docs/models.md), with at least 16 invocations a
     * dispatch left (also where the session makes the first layer read the frame: MODE 3/4). A general
     * transposed conv goes by output phase (MODE 6: only the taps landing there). */
    int npx = pixels_per_invocation(d);
    if ((d->spec[KC_MODE] == 0 || d->spec[KC_MODE] == 1 || d->spec[KC_MODE] == 2) && !no_npx) d->spec[KC_NPX] = npx;
    if (d->spec[KC_MODE] == 5 && !no_npx) d->spec[KC_MODE] = 6, d->spec[KC_NPX] = npx;
  } else if (d->shader == PSEG_SHADER_DWCONV && d->spec[KD_PROJ_OC4] == 0 && d->spec[KD_PRE_IC4] == 0) {
    d->spec[KD_CB] = 1;
    d->groups[2] = (uint32_t)d->spec[KD_C4];
  }
  /* NPX for a depthwise conv alone (1.3x on lavapipe; slower with a projection fused in) */
  if (d->shader == PSEG_SHADER_DWCONV && d->spec[KD_PRE_IC4] == 0 && d->spec[KD_PROJ_OC4] == 0 && !no_npx) {
    d->spec[KD_NPX] = pixels_per_invocation(d);
    if (d->pc.mode == 0) { /* no dilation: NPX pixels of a row, sharing their input texels */
      int w = d->pc.out_w, h = d->pc.out_h, npx = 16;
      while (npx > 1 && (npx / 2 >= w || h * ((w + npx - 1) / npx) < 16)) npx /= 2;
      d->spec[KD_NPX] = npx, d->spec[KD_ROWS] = npx > 1;
    }
  }
}

/* Workgroup size of a conv/dwconv dispatch's linear pixel grid. On a GPU, 64 invocations. A CPU
 * driver (lavapipe) runs each workgroup on one of its threads, looping over the invocations
 * eight lanes at a time: the size is the multiple of 8 that gives the fewest rounds of work
 * across the threads, wasting the fewest invocations (a 9x16 map in four workgroups of 64 ran
 * 1.8 times the work on 2 threads in 2 rounds; two of 72 run it in one). The threads that run
 * at once are the driver's workers, but no more than the cores: the context starts one worker
 * more than cores (apply_cpu_threads), and three equal workgroups on two cores take two rounds.
 * Counting 3 workers on this project's 2-core machine, A/B in one script (BENCHMARKS.md, "Grid
 * rounds and the last resize"): selfie 7.7-9.4 ms a frame against 6.8-8.3 counting the 2 cores. */
static int grid_lanes(const pseg_context *ctx, int pixels, int gz) {
  if (!ctx->info.is_cpu) return 64;
  long threads = ctx->cpu_threads; /* 0: the driver runs workgroups on the submitting thread */
  if (ctx->cpu_cores > 0 && threads > ctx->cpu_cores) threads = ctx->cpu_cores;
  if (threads < 1) threads = 1;
  int best = 64;
  long best_cost = -1;
  for (int lanes = 8; lanes <= 256; lanes += 8) {
    long groups = (long)(pixels + lanes - 1) / lanes * gz, rounds = (groups + threads - 1) / threads;
    long cost = rounds * (lanes + 16); /* + a workgroup's fixed cost, in lanes */
    if (best_cost < 0 || cost < best_cost) best = lanes, best_cost = cost;
  }
  return best;
}

static void plan_grid(const pseg_context *ctx, kdispatch *d) {
  int pixels;
  if (d->shader == PSEG_SHADER_CONV) {
    pixels = d->spec[KC_MODE] == 1 ? d->pc.in_w * d->pc.in_h : d->pc.out_w * d->pc.out_h;
    if (d->spec[KC_MODE] == 6) { /* by phase, each padded to NPX pixels */
      int sh = d->spec[KC_SH], sw = d->spec[KC_SW], npx = d->spec[KC_NPX] > 0 ? d->spec[KC_NPX] : 1;
      int nb = ((d->pc.out_w + sw - 1) / sw) * ((d->pc.out_h + sh - 1) / sh);
      pixels = sh * sw * ((nb + npx - 1) / npx);
    } else if (d->spec[KC_NPX] > 1)
      pixels = (pixels + d->spec[KC_NPX] - 1) / d->spec[KC_NPX];
  }
  else if (d->shader == PSEG_SHADER_DWCONV) {
    pixels = d->pc.out_w * d->pc.out_h;
    int npx = d->spec[KD_NPX];
    if (d->spec[KD_ROWS]) pixels = d->pc.out_h * ((d->pc.out_w + npx - 1) / npx);
    else if (npx > 1) pixels = (pixels + npx - 1) / npx;
  }
  else
    return;
  kernel_set_grid(d, pixels, grid_lanes(ctx, pixels, (int)d->groups[2]));
}

/* An integer dispatch's workgroups (qnet.comp, planned in 64-wide groups by kernels/quant.c): on a
 * CPU driver, sized as the convs' grids are (grid_lanes: lavapipe pays for each workgroup, and the
 * 256x256 maps of an int8 model made 1024 of them a dispatch); 64 elsewhere. */
static void plan_qgrid(const pseg_context *ctx, kdispatch *d) {
  if (d->spec[PSEG_SPEC_LSX] > 0) return; /* sized already */
  uint32_t n = d->groups[0] * d->groups[1] * 64, lanes = (uint32_t)grid_lanes(ctx, (int)n, (int)d->groups[2]);
  d->spec[PSEG_SPEC_LSX] = (int32_t)lanes;
  kernel_groups_1d(d->groups, (n + lanes - 1) / lanes, (int)d->groups[2]);
}

/* An integer conv or depthwise conv on the GPU tier (a GPU, or PSEG_TIER=gpu): kernels/quant.c
 * sized it for a CPU driver (up to 16 pixels and 4 output vec4s an invocation, at least 128
 * invocations), which leaves most of a GPU idle on small maps (the QAT MobileNetV3's 8x8 convs of
 * 576 -> 288 channels: 144 invocations). Fewer pixels, then fewer vec4s an invocation, until a
 * dispatch has 65,536 invocations or one of each. Not a dispatch whose weights are constants
 * (every output vec4 of a pixel an invocation) nor a depthwise conv with its 1x1 conv (PO4). */
static void plan_qgpu(const pseg_context *ctx, kdispatch *d) {
  if (!ctx->gpu_tier || d->shader != PSEG_SHADER_QNET || d->spec[1] > 1 || d->spec[11]) return;
  const long want = 65536;
  long h = d->pc.out_h, w = d->pc.out_w, oc4 = d->spec[0], npx = d->spec[5], ocb = d->spec[6];
  if (d->spec[9]) { /* depthwise by rows (ROWS): NPX pixels of a row */
    while (npx > 1 && h * ((w + npx - 1) / npx) * oc4 < want) npx /= 2;
    d->spec[5] = (int32_t)npx;
    kernel_grid_1d(d, (uint32_t)((h * ((w + npx - 1) / npx) * oc4 + 63) / 64), 1);
    return;
  }
  while (npx > 1 && (h * w + npx - 1) / npx * ((oc4 + ocb - 1) / ocb) < want) npx /= 2;
  while (ocb > 1 && (h * w + npx - 1) / npx * ((oc4 + ocb - 1) / ocb) < want) ocb /= 2;
  d->spec[5] = (int32_t)npx, d->spec[6] = (int32_t)ocb;
  kernel_grid_1d(d, (uint32_t)(((h * w + npx - 1) / npx * ((oc4 + ocb - 1) / ocb) + 63) / 64), 1);
}

static uint32_t total_groups(const kdispatch *d) { return d->groups[0] * d->groups[1] * d->groups[2]; }

/* A squeeze-excite dispatch whose gate only the next dispatch reads, a conv gating the same
 * tensor the block pools: in the fast tier the conv computes the block itself (conv.comp SE_R4:
 * each workgroup pools its input, runs both layers into shared memory, then the conv), and the
 * block's own dispatch is skipped: one dispatch fewer. Only where the conv has few workgroups
 * (small maps: each repeats the pooling). The base tier keeps both dispatches: a conv with
 * barriers takes longer to build, and the base kernels are what the first mask waits for. */
static void plan_fold_squeeze_excite(const pseg_context *ctx, pseg_plan *md) {
  if (!ctx->wspec || md->gpu) return; /* one tier only: the base kernels (or the GPU tier) */
  for (uint32_t i = 0; i + 1 < md->n_nodes; i++) {
    pseg_node *se = &md->nodes[i], *c = &md->nodes[i + 1];
    if (se->d.shader != PSEG_SHADER_SE_FC || se->d.spec[KS_LAYERS] != 2 || se->d.spec[KS_POOL_ADD] ||
        c->d.shader != PSEG_SHADER_CONV ||
        c->gate != se->out || c->in0 != se->in0 || c->d.spec[KC_HAS_GATE] != 1 || c->d.spec[KC_MODE] != 0 ||
        c->d.spec[KC_IC4] != se->d.spec[KS_C4])
      continue;
    int ok = 1;
    for (uint32_t j = 0; j < md->n_nodes && ok; j++)
      if (j != i + 1)
        ok = md->nodes[j].in0 != se->out && md->nodes[j].in1 != se->out && md->nodes[j].gate != se->out;
    /* every phase of the pooling needs an invocation per channel vec4 (the fast tier's grid, or
     * the base one's where the weights leave the node on its base kernel: runtime/model.c; its
     * grid as with a pixel an invocation, the limit measured before NPX) */
    kdispatch one = c->d_base;
    one.spec[KC_NPX] = 0;
    plan_grid(ctx, &one);
    const kdispatch *ds[2] = {&c->d, &one};
    for (int t = 0; t < 2 && ok; t++)
      ok = total_groups(ds[t]) <= 8 && ds[t]->spec[PSEG_SPEC_LSX] >= c->d.spec[KC_IC4];
    if (!ok) continue;
    c->d.spec[KC_SE_R4] = se->d.spec[KS_R4];
    c->d.spec[KC_SE_ACT] = se->d.spec[KS_ACT], c->d.spec[KC_SE_ACT2] = se->d.spec[KS_ACT2];
    c->se_wl = se->wl, c->se_wl2 = se->wl2, c->se_out = se->out;
    se->fast_skip = 1;
    char name[sizeof c->name];
    snprintf(name, sizeof name, "se+%.44s", c->name);
    memcpy(c->name, name, sizeof name);
  }
}

/* GPU plan: a squeeze-excite dispatch pooling exactly what the depthwise conv before it writes
 * (no projection after it) is computed by that conv: each workgroup sums its tile's channels in
 * its epilogue, the last one to finish runs the block's layers and writes the gate
 * (gdwconv.comp). One dispatch and barrier fewer a block (a few microseconds on a GPU), and the
 * map is not read again. The block's node stays in the plan, not dispatched (fast_skip), its
 * weights where they were. */
static void plan_fold_squeeze_excite_gpu(pseg_plan *md) {
  if (!md->gpu) return;
  for (uint32_t i = 0; i + 1 < md->n_nodes; i++) {
    pseg_node *dw = &md->nodes[i], *se = &md->nodes[i + 1];
    const int32_t *sp = se->d.spec;
    if (dw->d.shader != PSEG_SHADER_DWCONV || dw->d.spec[KD_PROJ_OC4] != 0 || dw->aux >= 0 ||
        se->d.shader != PSEG_SHADER_SE_FC || sp[KS_POOL_ADD] || sp[KS_PRE_IC4] || se->in0 != dw->out ||
        sp[KS_C4] != dw->d.spec[KD_C4])
      continue;
    dw->gpu_se = (int32_t)(i + 1);
    kdispatch *ds[2] = {&dw->d, &dw->d_base}; /* one tier: model.c uploads with d_base */
    for (int t = 0; t < 2; t++) {
      ds[t]->spec[KD_SE_LAYERS] = sp[KS_LAYERS];
      ds[t]->spec[KD_SE_R4] = sp[KS_R4];
      ds[t]->pc.s2 = sp[KS_ACT] | sp[KS_ACT2] << 8;
    }
    se->fast_skip = 1;
    append_name(dw, "+se");
  }
}

pseg_result pseg_plan_model(pseg_model *model, pseg_plan *md) {
  pseg_context *ctx = model->ctx;
  const pseg_fmt_model *m = &model->fmt;
  uint32_t n = m->n_layers;
  planner pln = {.md = model, .pl = md, .m = m};
  planner *p = &pln;
  p->uses = calloc(m->n_tensors, sizeof(int));
  p->producer = malloc(m->n_tensors * sizeof(int));
  p->resize_of = malloc(m->n_tensors * sizeof(int32_t));
  p->gate_mul = malloc(m->n_tensors * sizeof(int32_t));
  p->in_add = malloc(m->n_tensors * sizeof(int32_t));
  p->pool_add = malloc(m->n_tensors * sizeof(int32_t));
  p->pre_of = malloc(m->n_tensors * sizeof(int32_t));
  p->gate_out = malloc((n ? n : 1) * sizeof(int32_t));
  p->se_early = malloc((n ? n : 1) * sizeof(int32_t));
  p->out_gate = malloc((n ? n : 1) * sizeof(int32_t));
  p->absorbed = calloc(n, 1);
  md->nodes = calloc(n ? n : 1, sizeof(pseg_node)); /* at most one node per layer */
  md->fused = calloc(m->n_tensors, 1);
  pseg_result r = PSEG_SUCCESS;
  if (!p->uses || !p->producer || !p->resize_of || !p->gate_mul || !p->in_add || !p->pool_add || !p->pre_of ||
      !p->gate_out || !p->se_early || !p->out_gate || !p->absorbed || !md->nodes ||
      !md->fused) {
    r = gpu_fail(ctx, PSEG_ERROR_OUT_OF_HOST_MEMORY, "out of memory");
    goto done;
  }
  for (uint32_t t = 0; t < m->n_tensors; t++)
    p->producer[t] = p->resize_of[t] = p->gate_mul[t] = p->in_add[t] = p->pool_add[t] = p->pre_of[t] = -1;
  for (uint32_t i = 0; i < n; i++) {
    const pseg_fmt_layer *l = &m->layers[i];
    p->gate_out[i] = p->se_early[i] = p->out_gate[i] = -1;
    p->uses[l->in0]++;
    if (l->in1 >= 0) p->uses[l->in1]++;
    p->producer[l->out] = (int)i;
  }
  if (!m->n_quant) plan_backward_fusions(p);
  else plan_qbackward(p); /* integer models: their own fusions */

  int wide = plan_wspec(p);
  md->n_nodes = 0;
  for (uint32_t i = 0; i < n && !r; i++) {
    if (p->absorbed[i]) continue;
    const pseg_fmt_layer *l = &m->layers[i];
    if (p->se_early[i] >= 0) /* the block making this conv's output gate, first */
      plan_squeeze_excite(p, (uint32_t)p->se_early[i], (int)i, &md->nodes[md->n_nodes++]);
    pseg_node *nd = &md->nodes[md->n_nodes];
    memset(nd, 0, sizeof *nd);
    nd->layer = (int32_t)i;
    nd->in0 = l->in0, nd->in1 = l->in1, nd->out = l->out;
    nd->gate = -1, nd->aux = -1, nd->wl = -1, nd->wl2 = -1, nd->wl3 = -1, nd->prelu = -1;
    if (m->tensors[l->out].quant > 0 || l->op == PSEG_OP_DEQUANTIZE) { /* an integer layer: qnet.comp */
      if (kernel_qplan(m, l, &nd->d)) {
        r = gpu_fail(ctx, PSEG_ERROR_UNSUPPORTED, "layer %u: integer %s is not supported on the GPU", i, pseg_op_name(l->op));
        break;
      }
      if (nd->d.uses_weights) nd->wl = (int32_t)i;
      if (plan_qfusions(p, i, nd)) {
        r = gpu_fail(ctx, PSEG_ERROR_UNSUPPORTED, "layer %u: integer %s: a fusion planned for it is not possible", i, pseg_op_name(l->op));
        break;
      }
      md->n_nodes++;
      continue;
    }
    if (kernel_plan(l, shape_of(m, l->in0), shape_of(m, l->in1), shape_of(m, l->out), wide, &nd->d)) {
      r = gpu_fail(ctx, PSEG_ERROR_UNSUPPORTED, "layer %u: op %s with activation %s is not supported", i,
                   pseg_op_name(l->op), pseg_act_name(l->act));
      break;
    }
    if (nd->d.uses_weights) nd->wl = (int32_t)i;
    if (l->op == PSEG_OP_PRELU) nd->prelu = (int32_t)i; /* the identity depthwise conv, its slopes */
    snprintf(nd->name, sizeof nd->name, "%s", pseg_op_name(l->op));
    if (l->act != PSEG_ACT_NONE) {
      append_name(nd, "+");
      append_name(nd, pseg_act_name(l->act));
    }

    /* Inputs produced by absorbed layers. */
    if (l->op == PSEG_OP_CONV2D && p->resize_of[l->in0] >= 0) {
      const pseg_fmt_layer *lr = &m->layers[p->resize_of[l->in0]];
      kshape rs = shape_of(m, lr->in0);
      nd->in0 = lr->in0;
      nd->d.spec[KC_MODE] = 2;
      nd->d.pc.in_h = rs.h, nd->d.pc.in_w = rs.w, nd->d.pc.mode = lr->aux;
      snprintf(nd->name, sizeof nd->name, "resize+%s", pseg_op_name(l->op));
    }
    if (l->op == PSEG_OP_CONV2D && p->in_add[l->in0] >= 0) { /* conv(X * G + R) */
      const pseg_fmt_layer *la = &m->layers[p->in_add[l->in0]];
      int32_t g = -1, x = p->gate_mul[la->in1] >= 0 ? la->in1 : la->in0;
      nd->in1 = x == la->in0 ? la->in1 : la->in0;
      nd->in0 = ungate(p, x, &g);
      nd->gate = g;
      nd->d.spec[KC_HAS_GATE] = g >= 0;
      nd->d.spec[KC_IN_ADD] = 1;
      if (!md->fused[la->out]) nd->aux = la->out, nd->d.spec[KC_AUX_IN] = 1;
      snprintf(nd->name, sizeof nd->name, "add%s+%s", g >= 0 ? "(gated)" : "", pseg_op_name(l->op));
      if (l->act != PSEG_ACT_NONE) {
        append_name(nd, "+");
        append_name(nd, pseg_act_name(l->act));
      }
    } else if (l->op == PSEG_OP_CONV2D || l->op == PSEG_OP_ADD) {
      int32_t g = -1;
      if (l->op == PSEG_OP_ADD && nd->in1 >= 0 && p->gate_mul[nd->in1] >= 0) { /* add is commutative */
        int32_t t = nd->in0;
        nd->in0 = nd->in1, nd->in1 = t;
      }
      int32_t x = ungate(p, nd->in0, &g);
      if (g >= 0) {
        nd->in0 = x, nd->gate = g;
        nd->d.spec[l->op == PSEG_OP_CONV2D ? KC_HAS_GATE : KB_HAS_GATE] = 1;
        append_name(nd, "(gated)");
      }
    }

    if (p->out_gate[i] >= 0) { /* act(conv) * G: the gate MUL after it */
      const pseg_fmt_layer *lk = &m->layers[p->out_gate[i]];
      nd->gate = lk->in1, nd->out = lk->out;
      nd->d.spec[KC_HAS_GATE] = 3;
      append_name(nd, "*gate");
    }
    if (p->gate_out[i] >= 0) { /* act(conv) + skip * G: the gated ADD after it */
      const pseg_fmt_layer *l2 = &m->layers[p->gate_out[i]];
      const pseg_fmt_layer *lk = &m->layers[p->gate_mul[l2->in0] >= 0 ? p->gate_mul[l2->in0] : p->gate_mul[l2->in1]];
      nd->in1 = lk->in0, nd->gate = lk->in1;
      nd->out = l2->out;
      nd->d.spec[KC_HAS_GATE] = 2, nd->d.spec[KC_HAS_RES] = 1, nd->d.spec[KC_ACT2] = l2->act;
      append_name(nd, "+add(gated)");
    }
    if (!m->n_quant && se_first_layer(p, i) >= 0) plan_squeeze_excite(p, i, -1, nd);
    if (!m->n_quant) plan_forward_fusions(p, i, nd);
    if (l->op == PSEG_OP_DWCONV2D && p->pre_of[l->in0] >= 0) { /* its input's 1x1 conv, first */
      const pseg_fmt_layer *lc = &m->layers[p->pre_of[l->in0]];
      dwconv_fuse_pre(&nd->d, lc, shape_of(m, lc->in0));
      nd->in0 = lc->in0;
      nd->wl3 = p->pre_of[l->in0];
      char name[sizeof nd->name];
      snprintf(name, sizeof name, "conv1x1%s%s+%.36s", lc->act ? "+" : "", lc->act ? pseg_act_name(lc->act) : "", nd->name);
      memcpy(nd->name, name, sizeof name);
    }
    md->n_nodes++;
  }
  for (uint32_t i = 0; i < md->n_nodes; i++) {
    md->nodes[i].se_wl = md->nodes[i].se_wl2 = md->nodes[i].se_out = md->nodes[i].gpu_se = -1;
    md->nodes[i].d_base = md->nodes[i].d;
    /* NPX only where the base kernel is the one frames keep: the others only have to build
     * quickly (the first mask waits for them: NPX kernels took the selfie's from 152 to 290 ms) */
    pseg_node *nd = &md->nodes[i];
    nd->wspec_fit = nd->wl >= 0 && nd->d.shader != PSEG_SHADER_SE_FC && nd->d.shader != PSEG_SHADER_QNET && layers_wspec(p, nd->wl, nd->wl2, nd->wl3, nd->prelu);
    if (nd->d.shader == PSEG_SHADER_QNET) /* integer weights are exact in fp16: the fast dispatch where they fit */
      nd->wspec_fit = nd->wl >= 0 && plan_wspec(p) && !kernel_qfast(m, &m->layers[nd->wl], &nd->d);
    plan_narrow(&nd->d_base, md->gpu || nd->wspec_fit);
    plan_grid(ctx, &md->nodes[i].d);
    plan_grid(ctx, &md->nodes[i].d_base);
  }
  plan_qproj(p, md);
  for (uint32_t i = 0; i < md->n_nodes; i++) {
    pseg_node *nd = &md->nodes[i];
    if (nd->d.shader != PSEG_SHADER_QNET) continue;
    plan_qgpu(ctx, &nd->d_base);
    if (!nd->wspec_fit) plan_qgpu(ctx, &nd->d);
    plan_qgrid(ctx, &nd->d), plan_qgrid(ctx, &nd->d_base);
    /* packed dot products in the convs' buffer kernels, where the device has them (not a 1x1
     * conv computing a depthwise conv: its words hold both layers') */
    nd->qdot = ctx->qdot && nd->wl >= 0 && nd->wl2 < 0 && kernel_qdot_ok(m, &m->layers[nd->wl], &nd->d_base) &&
               (m->layers[nd->wl].op != PSEG_OP_TCONV2D || ctx->qdot_tconv);
  }
  plan_fold_squeeze_excite(ctx, md);
  plan_fold_squeeze_excite_gpu(md);
done:
  free(p->uses), free(p->producer), free(p->resize_of), free(p->gate_mul), free(p->in_add), free(p->pool_add);
  free(p->pre_of), free(p->gate_out), free(p->se_early), free(p->out_gate), free(p->absorbed);
  return r;
}
