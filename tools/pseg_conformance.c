/* pseg conformance softmax [--device N|all] [--json FILE]
 *
 * Numerics of the output heads (softmax over channels, logistic, sigsoftmax), each naive and
 * stable, in fp32 and fp16 arithmetic, on every Vulkan device, against a float64 CPU reference.
 * The cases, the reference semantics for Inf / NaN and the bounds are described in
 * docs/conformance.md; the bounds live in BOUNDS below (one table).
 *
 * Exit code: 0 when every stable variant passes its bounds on every device tested (the naive
 * variants are reported, never gate), 1 otherwise (or on an error or a validation message),
 * 2 on a usage error. */
#include <float.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../include/pseg.h"
#include "outfile.h"
#include "pseg_cli.h"

/* ------------------------------------------------------------------ bounds (one table) */
/* Outputs whose reference is at least SIGNIFICANT are held to the ULP bound; every output to the
 * absolute bound. ULPs are those of the arithmetic's precision (fp16: 2^-11 at 1, fp32: 2^-24). */
#define SIGNIFICANT (1.0 / 1024.0)

typedef struct bound {
  pseg_head head;
  int stable, fp16;
  double max_abs; /* max |p - p_ref| over all outputs with a finite reference */
  double max_ulp; /* max |p - p_ref| / ulp(p_ref) over outputs with p_ref >= SIGNIFICANT */
  double max_sum; /* max |sum_c p_c - 1| over pixels with a finite reference (not for logistic) */
} bound;

/* Every row also requires: no unexpected NaN/Inf and no missed NaN (special-value semantics of
 * docs/conformance.md) and 100% argmax agreement. Stable rows gate the exit code; naive rows are
 * held to the same bounds and only reported. */
static const bound BOUNDS[] = {
    /* head                 stable fp16  max_abs  max_ulp  max_sum */
    {PSEG_HEAD_SOFTMAX,     1,     0,    1e-6,    32,      1e-6},
    {PSEG_HEAD_SOFTMAX,     1,     1,    4e-3,    32,      4e-3},
    {PSEG_HEAD_LOGISTIC,    1,     0,    1e-6,    32,      0},
    {PSEG_HEAD_LOGISTIC,    1,     1,    4e-3,    32,      0},
    {PSEG_HEAD_SIGSOFTMAX,  1,     0,    1e-6,    32,      1e-6},
    {PSEG_HEAD_SIGSOFTMAX,  1,     1,    4e-3,    32,      4e-3},
    {PSEG_HEAD_SOFTMAX,     0,     0,    1e-6,    32,      1e-6},
    {PSEG_HEAD_SOFTMAX,     0,     1,    4e-3,    32,      4e-3},
    {PSEG_HEAD_LOGISTIC,    0,     0,    1e-6,    32,      0},
    {PSEG_HEAD_LOGISTIC,    0,     1,    4e-3,    32,      0},
    {PSEG_HEAD_SIGSOFTMAX,  0,     0,    1e-6,    32,      1e-6},
    {PSEG_HEAD_SIGSOFTMAX,  0,     1,    4e-3,    32,      4e-3},
};
#define NVARIANTS (sizeof BOUNDS / sizeof *BOUNDS)

static const char *head_name(pseg_head h) {
  return h == PSEG_HEAD_SOFTMAX ? "softmax" : h == PSEG_HEAD_LOGISTIC ? "logistic" : "sigsoftmax";
}

/* ------------------------------------------------------------------ fp16 helpers */
static float half_to_float(uint16_t h) {
  int s = h >> 15, e = (h >> 10) & 31, m = h & 1023;
  float v = e == 0 ? ldexpf((float)m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexpf((float)(m | 1024), e - 25);
  return s ? -v : v;
}

/* round to nearest even (NaN stays NaN, overflow gives Inf) */
static uint16_t float_to_half(float f) {
  uint32_t x;
  memcpy(&x, &f, 4);
  uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
  if (isnan(f)) return 0x7e00;
  float a = fabsf(f);
  if (a >= 65520.0f) return sign | 0x7c00;
  if (a < ldexpf(1.0f, -14)) { /* subnormal: multiples of 2^-24 */
    float q = nearbyintf(a * 16777216.0f);
    return sign | (uint16_t)q;
  }
  int e;
  float mant = frexpf(a, &e); /* a = mant * 2^e, mant in [0.5, 1) */
  float q = nearbyintf(mant * 2048.0f); /* 11 significant bits */
  if (q >= 2048.0f) q /= 2.0f, e++;
  return sign | (uint16_t)(((e + 14) << 10) | ((uint32_t)q - 1024));
}

static float r16(float f) { return half_to_float(float_to_half(f)); }

/* ulp of |r| in fp16 / fp32, and their smallest normal */
static double ulp_of(double r, int fp16) {
  double a = fabs(r);
  int mant = fp16 ? 10 : 23, emin = fp16 ? -14 : -126;
  if (a < ldexp(1.0, emin)) return ldexp(1.0, emin - mant);
  int e;
  frexp(a, &e); /* a in [2^(e-1), 2^e) */
  return ldexp(1.0, e - 1 - mant);
}
static double min_normal(int fp16) { return ldexp(1.0, fp16 ? -14 : -126); }

/* ------------------------------------------------------------------ cases */
typedef struct ccase {
  const char *name, *desc;
  uint32_t c, n; /* channels, pixels */
  float *x;      /* n * c logits, each exactly representable in fp16 */
} ccase;

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static double urand(void) { /* xorshift64*, [0, 1) */
  rng_state ^= rng_state >> 12, rng_state ^= rng_state << 25, rng_state ^= rng_state >> 27;
  return (double)((rng_state * 0x2545f4914f6cdd1dull) >> 11) / 9007199254740992.0;
}
static float uni(double lo, double hi) { return r16((float)(lo + (hi - lo) * urand())); }

#define NCASES 11
static ccase cases[NCASES];

static int case_init(ccase *k, const char *name, const char *desc, uint32_t c, uint32_t n) {
  k->name = name, k->desc = desc, k->c = c, k->n = n;
  k->x = calloc((size_t)c * n, sizeof(float));
  return k->x ? 0 : -1;
}

static int make_cases(void) {
  ccase *k = cases;
  int bad = 0;
  rng_state = 0x9e3779b97f4a7c15ull;
  bad |= case_init(k, "ordinary_c2", "2 channels, logits uniform in [-8, 8]", 2, 512);
  for (uint32_t i = 0; i < k->n * k->c; i++) k->x[i] = uni(-8, 8);
  k++;
  bad |= case_init(k, "ordinary_c8", "8 channels, logits uniform in [-6, 6]", 8, 256);
  for (uint32_t i = 0; i < k->n * k->c; i++) k->x[i] = uni(-6, 6);
  k++;
  {
    static const float mags[] = {12, 14, 16, 20, 30, 50, 80, 100};
    bad |= case_init(k, "large_logits_c2", "2 channels, |logits| 12 ... 100 (beyond fp16 exp, 11.09)", 2, 8 * 6);
    for (int m = 0; m < 8; m++) {
      float a = mags[m];
      float p[6][2] = {{a, a - 1}, {a - 1, a}, {-a, -a + 2}, {-a + 0.5f, -a}, {a, -a}, {-a, a}};
      for (int j = 0; j < 6; j++) k->x[(m * 6 + j) * 2] = r16(p[j][0]), k->x[(m * 6 + j) * 2 + 1] = r16(p[j][1]);
    }
  }
  k++;
  bad |= case_init(k, "large_logits_c8", "8 channels, logits uniform in [12, 100] or [-100, -12]", 8, 64);
  for (uint32_t p = 0; p < k->n; p++)
    for (uint32_t c = 0; c < 8; c++) k->x[p * 8 + c] = (p % 2 ? -1 : 1) * uni(12, 100);
  k++;
  {
    static const float vals[] = {0, 1, -5, 11, 12, 50, -50, 100, -100, 1000, -1000};
    bad |= case_init(k, "equal_c2", "2 equal logits (0, +-1 ... +-1000): p = 1/2", 2, 11);
    for (int i = 0; i < 11; i++) k->x[2 * i] = k->x[2 * i + 1] = vals[i];
    k++;
    bad |= case_init(k, "equal_c3", "3 equal logits (0, +-1 ... +-1000): p = 1/3", 3, 11);
    for (int i = 0; i < 11; i++) k->x[3 * i] = k->x[3 * i + 1] = k->x[3 * i + 2] = vals[i];
    k++;
  }
  bad |= case_init(k, "channels_1000", "1000 channels: uniform in [-10, 10], [-2, 2], one at 10 over zeros", 1000, 16);
  for (uint32_t p = 0; p < k->n; p++)
    for (uint32_t c = 0; c < 1000; c++)
      k->x[p * 1000 + c] = p == 14 ? uni(-2, 2) : p == 15 ? (c == 500 ? 10.0f : 0.0f) : uni(-10, 10);
  k++;
  {
    const float I = INFINITY;
    float p[][2] = {{I, 0}, {0, I}, {-I, 0}, {0, -I}, {I, -I}, {-I, I}, {I, I}, {-I, -I}, {I, 100}, {-I, -100}, {I, -5}};
    int np = (int)(sizeof p / sizeof *p);
    bad |= case_init(k, "inf", "+-Inf logits (2 channels)", 2, (uint32_t)np);
    for (int i = 0; i < np; i++) k->x[2 * i] = p[i][0], k->x[2 * i + 1] = p[i][1];
    k++;
    const float N = NAN;
    float q[][2] = {{N, 0}, {0, N}, {N, N}, {N, I}, {-I, N}, {N, 100}, {1, 2}};
    np = (int)(sizeof q / sizeof *q);
    bad |= case_init(k, "nan", "NaN logits (2 channels; one ordinary control pixel)", 2, (uint32_t)np);
    for (int i = 0; i < np; i++) k->x[2 * i] = q[i][0], k->x[2 * i + 1] = q[i][1];
    k++;
  }
  {
    const float d = ldexpf(1.0f, -24); /* smallest fp16 subnormal */
    float p[][2] = {{d, 0},     {-d, 3 * d},  {1000 * d, -1000 * d}, {0, -12}, {0, -14}, {0, -16},
                    {3, -12},   {-15, 0},     {-11, -1},             {d, -13}, {-10, 6}, {0, -17}};
    int np = (int)(sizeof p / sizeof *p);
    bad |= case_init(k, "fp16_denormals", "fp16 subnormal logits, and outputs in the fp16 subnormal range", 2, (uint32_t)np);
    for (int i = 0; i < np; i++) k->x[2 * i] = r16(p[i][0]), k->x[2 * i + 1] = r16(p[i][1]);
    k++;
  }
  {
    static const float as[] = {-40, -3, 0, 2.5f, 40};
    bad |= case_init(k, "identity_2class", "softmax([a, b])_1 = sigmoid(b - a): a in {-40, -3, 0, 2.5, 40}, b - a in [-30, 30] step 0.5", 2, 5 * 121);
    for (int i = 0; i < 5; i++)
      for (int j = 0; j < 121; j++) {
        float a = as[i], dd = -30.0f + 0.5f * (float)j;
        k->x[(i * 121 + j) * 2] = a, k->x[(i * 121 + j) * 2 + 1] = a + dd;
      }
    k++;
  }
  if (k - cases != NCASES) return -1;
  return bad ? -1 : 0;
}

/* ------------------------------------------------------------------ float64 reference */
static double softplus(double z) { return fmax(z, 0.0) + log1p(exp(-fabs(z))); }

/* Per pixel: any NaN logit -> every output NaN; k > 0 logits at +Inf -> 1/k for them, 0 for the
 * rest; all logits -Inf -> NaN (no distribution); else exact (max-subtracted, in float64).
 * Logistic: element-wise, sigma(+Inf) = 1, sigma(-Inf) = 0, sigma(NaN) = NaN. */
static void reference(pseg_head head, const float *x, uint32_t c, double *out) {
  if (head == PSEG_HEAD_LOGISTIC) {
    for (uint32_t i = 0; i < c; i++) {
      double v = x[i];
      out[i] = isnan(v) ? NAN : v >= 0 ? 1.0 / (1.0 + exp(-v)) : exp(v) / (1.0 + exp(v));
    }
    return;
  }
  int nan = 0, pinf = 0, all_ninf = 1;
  for (uint32_t i = 0; i < c; i++) {
    nan |= isnan(x[i]);
    pinf += isinf(x[i]) && x[i] > 0;
    all_ninf &= isinf(x[i]) && x[i] < 0;
  }
  if (nan || all_ninf) {
    for (uint32_t i = 0; i < c; i++) out[i] = NAN;
    return;
  }
  if (pinf) {
    for (uint32_t i = 0; i < c; i++) out[i] = (isinf(x[i]) && x[i] > 0) ? 1.0 / pinf : 0.0;
    return;
  }
  double m = -INFINITY, s = 0;
  for (uint32_t i = 0; i < c; i++) {
    double v = x[i];
    out[i] = head == PSEG_HEAD_SIGSOFTMAX ? (isinf(v) ? v : v - softplus(-v)) : v; /* log-domain score */
    m = fmax(m, out[i]);
  }
  for (uint32_t i = 0; i < c; i++) s += out[i] = exp(out[i] - m);
  for (uint32_t i = 0; i < c; i++) out[i] /= s;
}

/* ------------------------------------------------------------------ metrics */
typedef struct metrics {
  double max_abs, max_ulp, max_ulp_all, max_sum;
  uint32_t outputs, nonfinite;     /* outputs, and those NaN or Inf */
  uint32_t unexpected;             /* NaN/Inf where the reference is a number */
  uint32_t nan_expected, nan_kept; /* outputs whose reference is NaN, and those that are NaN */
  uint32_t argmax_total, argmax_agree;
  double identity_gap; /* identity_2class, softmax rows: max |softmax_1(a, b) - logistic(b - a)| (GPU, GPU) */
  int pass;
} metrics;

static void measure(pseg_head head, int fp16, const ccase *k, const float *got, metrics *mt) {
  memset(mt, 0, sizeof *mt);
  mt->identity_gap = -1;
  double *ref = malloc(k->c * sizeof(double));
  if (!ref) return;
  for (uint32_t p = 0; p < k->n; p++) {
    const float *g = got + (size_t)p * k->c;
    reference(head, k->x + (size_t)p * k->c, k->c, ref);
    int pixel_ok = 1; /* every reference output finite */
    double sum = 0;
    for (uint32_t c = 0; c < k->c; c++) {
      mt->outputs++;
      int gf = isfinite(g[c]);
      mt->nonfinite += !gf;
      if (isnan(ref[c])) {
        pixel_ok = 0;
        mt->nan_expected++;
        mt->nan_kept += isnan(g[c]) != 0;
        continue;
      }
      if (!gf) {
        mt->unexpected++;
        mt->max_abs = INFINITY, mt->max_ulp_all = INFINITY;
        if (ref[c] >= SIGNIFICANT) mt->max_ulp = INFINITY;
        sum = NAN;
        continue;
      }
      sum += g[c];
      double e = fabs((double)g[c] - ref[c]);
      mt->max_abs = fmax(mt->max_abs, e);
      /* Vulkan lets a driver flush subnormals: 0 for a subnormal reference counts as exact. */
      double u = (fabs(ref[c]) < min_normal(fp16) && g[c] == 0.0f) ? 0.0 : e / ulp_of(ref[c], fp16);
      mt->max_ulp_all = fmax(mt->max_ulp_all, u);
      if (ref[c] >= SIGNIFICANT) mt->max_ulp = fmax(mt->max_ulp, u);
    }
    if (!pixel_ok) continue;
    if (head != PSEG_HEAD_LOGISTIC) mt->max_sum = isnan(sum) ? INFINITY : fmax(mt->max_sum, fabs(sum - 1.0));
    /* argmax: the GPU's first maximum must be one of the reference's maxima, up to near-ties of
     * 4 ulps (of the arithmetic's precision at the maximum) or of the smallest normal (subnormal
     * outputs may flush to 0 and so tie); a NaN output never agrees. */
    mt->argmax_total++;
    double rmax = -1;
    for (uint32_t c = 0; c < k->c; c++) rmax = fmax(rmax, ref[c]);
    int ga = -1, nanout = 0;
    for (uint32_t c = 0; c < k->c; c++) {
      if (isnan(g[c])) nanout = 1;
      else if (ga < 0 || g[c] > g[ga]) ga = (int)c;
    }
    double tie = fmax(4 * ulp_of(rmax, fp16), min_normal(fp16)); /* subnormals may flush to 0 */
    if (!nanout && ga >= 0 && ref[ga] >= rmax - tie) mt->argmax_agree++;
  }
  free(ref);
}

static int metrics_pass(const bound *b, const metrics *mt) {
  return mt->max_abs <= b->max_abs && mt->max_ulp <= b->max_ulp &&
         (b->head == PSEG_HEAD_LOGISTIC || mt->max_sum <= b->max_sum) && mt->unexpected == 0 &&
         mt->nan_kept == mt->nan_expected && mt->argmax_agree == mt->argmax_total;
}

static void metrics_merge(metrics *w, const metrics *m) {
  w->max_abs = fmax(w->max_abs, m->max_abs);
  w->max_ulp = fmax(w->max_ulp, m->max_ulp);
  w->max_ulp_all = fmax(w->max_ulp_all, m->max_ulp_all);
  w->max_sum = fmax(w->max_sum, m->max_sum);
  w->outputs += m->outputs, w->nonfinite += m->nonfinite, w->unexpected += m->unexpected;
  w->nan_expected += m->nan_expected, w->nan_kept += m->nan_kept;
  w->argmax_total += m->argmax_total, w->argmax_agree += m->argmax_agree;
  if (m->identity_gap > w->identity_gap) w->identity_gap = m->identity_gap;
}

/* Why a case failed, in a few words. */
static void why_failed(const bound *b, const metrics *mt, char *buf, size_t n) {
  buf[0] = 0;
  size_t o = 0;
#define ADD(...) o += (size_t)snprintf(buf + o, o < n ? n - o : 0, __VA_ARGS__)
  if (mt->unexpected) ADD(" %u NaN/Inf,", mt->unexpected);
  if (mt->nan_kept != mt->nan_expected) ADD(" NaN lost %u/%u,", mt->nan_expected - mt->nan_kept, mt->nan_expected);
  if (mt->argmax_agree != mt->argmax_total) ADD(" argmax %u/%u,", mt->argmax_agree, mt->argmax_total);
  if (!mt->unexpected && mt->max_abs > b->max_abs) ADD(" |err| %.3g,", mt->max_abs);
  if (!mt->unexpected && mt->max_ulp > b->max_ulp) ADD(" %.3g ulp,", mt->max_ulp);
  if (!mt->unexpected && b->head != PSEG_HEAD_LOGISTIC && mt->max_sum > b->max_sum) ADD(" |sum-1| %.3g,", mt->max_sum);
#undef ADD
  if (o && o < n) buf[o - 1] = 0; /* drop the last comma */
}

/* ------------------------------------------------------------------ JSON */
pseg_result cli_conformance_context(int index, const pseg_device_info *info, pseg_context **ctx, char *err,
                                    size_t errlen) {
  pseg_context_create_info ci = {.device_index = index,
                                 .precision = info->fp16 ? PSEG_PRECISION_FP16 : PSEG_PRECISION_FP32};
  pseg_result r = pseg_context_create(&ci, ctx, err, errlen);
  if (r && ci.precision == PSEG_PRECISION_FP16) { /* advertised but refused: the fp32 rows still run */
    ci.precision = PSEG_PRECISION_FP32;
    r = pseg_context_create(&ci, ctx, err, errlen);
  }
  return r;
}

void cli_print_device_line(int index, const pseg_device_info *d) {
  char dv[64];
  cli_driver_version(d, dv, sizeof dv);
  printf("device %d: %s%s, driver %s %s\n", index, d->name, d->is_cpu ? " (CPU)" : "", d->driver[0] ? d->driver : "?", dv);
}

FILE *cli_out_create(const char *path, char **tmp, char **real) {
  char err[512];
  *tmp = *real = NULL;
  if (out_resolve(path, real, err, sizeof err)) return cli_error("%s", err), NULL;
  int fd = out_temp(*real, tmp, err, sizeof err);
  FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
  if (!f) {
    if (fd >= 0) close(fd), unlink(*tmp), snprintf(err, sizeof err, "%s: cannot write", path);
    cli_error("%s", err);
    free(*tmp), free(*real);
    *tmp = *real = NULL;
  }
  return f;
}

int cli_out_finish(FILE *f, const char *path, char *tmp, char *real) {
  int bad = ferror(f) | fclose(f);
  if (bad || rename(tmp, real)) {
    unlink(tmp);
    free(tmp), free(real);
    return cli_error("%s: cannot write", path);
  }
  free(tmp), free(real);
  return 0;
}

void cli_json_num(FILE *f, double v) {
  if (isfinite(v)) fprintf(f, "%.6g", v);
  else fputs("null", f);
}
void cli_json_str(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') fprintf(f, "\\%c", *s);
    else if ((unsigned char)*s < 0x20) fprintf(f, "\\u%04x", *s);
    else fputc(*s, f);
  }
  fputc('"', f);
}
static void jmetrics(FILE *f, const metrics *m) {
  fputs("\"max_abs\": ", f), cli_json_num(f, m->max_abs);
  fputs(", \"max_ulp\": ", f), cli_json_num(f, m->max_ulp);
  fputs(", \"max_ulp_all\": ", f), cli_json_num(f, m->max_ulp_all);
  fputs(", \"max_sum_err\": ", f), cli_json_num(f, m->max_sum);
  fprintf(f, ", \"outputs\": %u, \"nonfinite\": %u, \"unexpected_nonfinite\": %u, \"nan_expected\": %u, \"nan_kept\": %u"
             ", \"argmax_agree\": %u, \"argmax_total\": %u",
          m->outputs, m->nonfinite, m->unexpected, m->nan_expected, m->nan_kept, m->argmax_agree, m->argmax_total);
  if (m->identity_gap >= 0) fputs(", \"identity_gap\": ", f), cli_json_num(f, m->identity_gap);
  fprintf(f, ", \"pass\": %s", m->pass ? "true" : "false");
}

/* ------------------------------------------------------------------ one device */
typedef struct dev_result {
  pseg_device_info info;
  pseg_head_device num;
  int index, error, fp16, validation_messages;
  char error_text[512];
  int supported[NVARIANTS];
  metrics per_case[NVARIANTS][NCASES], worst[NVARIANTS];
  int stable_pass; /* every supported stable variant passed */
} dev_result;

void cli_driver_version(const pseg_device_info *d, char *buf, size_t n) {
  uint32_t v = d->driver_version;
  if (d->vendor_id == 0x10de) /* NVIDIA: 10.8.8.6 bits */
    snprintf(buf, n, "%u.%u.%u.%u", v >> 22, (v >> 14) & 0xff, (v >> 6) & 0xff, v & 0x3f);
  else if (d->vendor_id == 0x8086 && strstr(d->driver, "Windows")) /* Intel on Windows: 18.14 */
    snprintf(buf, n, "%u.%u", v >> 14, v & 0x3fff);
  else /* Vulkan's encoding (Mesa, AMD, ARM, Qualcomm...) */
    snprintf(buf, n, "%u.%u.%u", v >> 22, (v >> 12) & 0x3ff, v & 0xfff);
}

static int run_device(int index, const pseg_device_info *info, dev_result *dr) {
  memset(dr, 0, sizeof *dr);
  dr->info = *info;
  dr->index = index;
  pseg_context *ctx = NULL;
  char err[512] = "";
  pseg_result r = cli_conformance_context(index, info, &ctx, err, sizeof err);
  if (r) {
    dr->error = 1;
    snprintf(dr->error_text, sizeof dr->error_text, "%s", err);
    return -1;
  }
  dr->fp16 = pseg_context_precision(ctx) == PSEG_PRECISION_FP16;
  pseg_head_device_info(ctx, &dr->num);
  dr->stable_pass = 1;
  float *gap_logistic = NULL; /* identity_2class: logistic(b - a) per variant */
  const ccase *idk = &cases[NCASES - 1];
  for (size_t v = 0; v < NVARIANTS && !dr->error; v++) {
    const bound *b = &BOUNDS[v];
    dr->supported[v] = !b->fp16 || dr->fp16;
    if (!dr->supported[v]) continue;
    metrics *w = &dr->worst[v];
    memset(w, 0, sizeof *w);
    w->identity_gap = -1;
    w->pass = 1;
    for (int k = 0; k < NCASES; k++) {
      const ccase *kc = &cases[k];
      float *got = malloc((size_t)kc->n * kc->c * sizeof(float));
      if (!got || (r = pseg_head_run(ctx, b->head, b->stable, b->fp16, kc->x, kc->n, kc->c, got))) {
        dr->error = 1;
        snprintf(dr->error_text, sizeof dr->error_text, "%s", got ? pseg_context_last_error(ctx) : "out of memory");
        free(got);
        break;
      }
      metrics *mt = &dr->per_case[v][k];
      measure(b->head, b->fp16, kc, got, mt);
      if (kc == idk && b->head == PSEG_HEAD_SOFTMAX) {
        /* the same variant's logistic of d = b - a (exact in fp16: the case is built so) */
        float *d = malloc(idk->n * sizeof(float));
        gap_logistic = realloc(gap_logistic, idk->n * sizeof(float));
        if (d && gap_logistic) {
          for (uint32_t p = 0; p < idk->n; p++) d[p] = idk->x[2 * p + 1] - idk->x[2 * p];
          if (!pseg_head_run(ctx, PSEG_HEAD_LOGISTIC, b->stable, b->fp16, d, idk->n, 1, gap_logistic)) {
            double gap = 0;
            for (uint32_t p = 0; p < idk->n; p++) {
              double e = fabs((double)got[2 * p + 1] - gap_logistic[p]);
              gap = isnan(e) ? INFINITY : fmax(gap, e);
            }
            mt->identity_gap = gap;
          }
        }
        free(d);
      }
      mt->pass = metrics_pass(b, mt);
      metrics_merge(w, mt);
      w->pass &= mt->pass;
      free(got);
    }
    if (b->stable && !w->pass) dr->stable_pass = 0;
  }
  free(gap_logistic);
  dr->validation_messages = (int)pseg_context_validation_messages(ctx);
  pseg_context_destroy(ctx);
  return dr->error ? -1 : 0;
}

/* ------------------------------------------------------------------ output */
static void print_device(const dev_result *dr) {
  const pseg_device_info *d = &dr->info;
  char dv[64];
  cli_driver_version(d, dv, sizeof dv);
  printf("device %d: %s%s\n", dr->index, d->name, d->is_cpu ? " (CPU)" : "");
  printf("  vendor 0x%04x, device 0x%04x, driver %s, driver version %s (0x%x), driver ID %u, conformance %s\n",
         d->vendor_id, d->device_id, d->driver[0] ? d->driver : "?", dv, d->driver_version, dr->num.driver_id,
         dr->num.conformance_version[0] ? dr->num.conformance_version : "?");
  printf("  float controls: denormals preserve fp16/fp32 %d/%d, flush fp16/fp32 %d/%d; Inf/NaN preserve fp16/fp32 %d/%d\n",
         dr->num.denorm_preserve16, dr->num.denorm_preserve32, dr->num.denorm_flush16, dr->num.denorm_flush32,
         dr->num.inf_nan_preserve16, dr->num.inf_nan_preserve32);
  if (dr->error) {
    printf("  ERROR: %s\n", dr->error_text);
    return;
  }
  printf("  %-10s %-6s %-4s %10s %9s %8s %7s %9s %10s %11s  %-20s %s\n", "head", "form", "prec", "max|err|",
         "ulp>=2^-10", "NaN/Inf", "unexp.", "NaN kept", "max|sum-1|", "argmax", "bounds abs/ulp/sum", "verdict");
  for (size_t v = 0; v < NVARIANTS; v++) {
    const bound *b = &BOUNDS[v];
    const char *form = b->stable ? "stable" : "naive", *prec = b->fp16 ? "fp16" : "fp32";
    if (!dr->supported[v]) {
      printf("  %-10s %-6s %-4s  (no shaderFloat16 on this device: not run)\n", head_name(b->head), form, prec);
      continue;
    }
    const metrics *w = &dr->worst[v];
    char nk[32], am[32], sum[32], bnd[48];
    snprintf(nk, sizeof nk, "%u/%u", w->nan_kept, w->nan_expected);
    snprintf(am, sizeof am, "%u/%u", w->argmax_agree, w->argmax_total);
    if (b->head == PSEG_HEAD_LOGISTIC) snprintf(sum, sizeof sum, "-");
    else snprintf(sum, sizeof sum, "%.3g", w->max_sum);
    if (b->head == PSEG_HEAD_LOGISTIC) snprintf(bnd, sizeof bnd, "%g/%g/-", b->max_abs, b->max_ulp);
    else snprintf(bnd, sizeof bnd, "%g/%g/%g", b->max_abs, b->max_ulp, b->max_sum);
    printf("  %-10s %-6s %-4s %10.3g %9.3g %8u %7u %9s %10s %11s  %-20s %s\n", head_name(b->head), form, prec,
           w->max_abs, w->max_ulp, w->nonfinite, w->unexpected, nk, sum, am, bnd,
           w->pass ? "pass" : b->stable ? "FAIL" : "fail (naive: reported)");
    for (int k = 0; k < NCASES; k++) {
      const metrics *mt = &dr->per_case[v][k];
      if (mt->pass) continue;
      char why[200];
      why_failed(b, mt, why, sizeof why);
      printf("  %32s %s:%s\n", "", cases[k].name, why);
    }
  }
  for (size_t v = 0; v < NVARIANTS; v++)
    if (BOUNDS[v].head == PSEG_HEAD_SOFTMAX && dr->supported[v])
      printf("  identity softmax([a,b])_1 = sigmoid(b-a), %s %s: max |GPU softmax - GPU logistic| = %.3g\n",
             BOUNDS[v].stable ? "stable" : "naive", BOUNDS[v].fp16 ? "fp16" : "fp32",
             dr->per_case[v][NCASES - 1].identity_gap);
  if (dr->validation_messages) printf("  validation layer: %d messages (FAIL)\n", dr->validation_messages);
  printf("  stable variants: %s\n", dr->stable_pass && !dr->validation_messages ? "all pass" : "FAIL");
}

static int write_json(const char *path, const dev_result *drs, int n, int ok) {
  char *tmp, *real;
  FILE *f = cli_out_create(path, &tmp, &real);
  if (!f) return 1;
  fprintf(f, "{\n  \"suite\": \"softmax\",\n  \"pseg_version\": \"%d.%d.%d\",\n", PSEG_VERSION_MAJOR,
          PSEG_VERSION_MINOR, PSEG_VERSION_PATCH);
  fprintf(f, "  \"stable_variants_pass\": %s,\n", ok ? "true" : "false");
  fprintf(f, "  \"significant\": %.10g,\n  \"notes\": ", SIGNIFICANT);
  cli_json_str(f, "max_ulp: over outputs with reference >= significant, in ulps of the arithmetic's precision; "
          "max_ulp_all: over all outputs (a flushed subnormal counts as exact); null: not finite "
          "(a NaN/Inf output where a number was expected). Semantics and bounds: docs/conformance.md");
  fputs(",\n  \"bounds\": [\n", f);
  for (size_t v = 0; v < NVARIANTS; v++) {
    const bound *b = &BOUNDS[v];
    fprintf(f, "    {\"head\": \"%s\", \"form\": \"%s\", \"precision\": \"%s\", \"gates_exit_code\": %s, \"max_abs\": %g, "
               "\"max_ulp\": %g, \"max_sum_err\": ",
            head_name(b->head), b->stable ? "stable" : "naive", b->fp16 ? "fp16" : "fp32", b->stable ? "true" : "false",
            b->max_abs, b->max_ulp);
    if (b->head == PSEG_HEAD_LOGISTIC) fputs("null", f);
    else fprintf(f, "%g", b->max_sum);
    fprintf(f, "}%s\n", v + 1 < NVARIANTS ? "," : "");
  }
  fputs("  ],\n  \"cases\": [\n", f);
  for (int k = 0; k < NCASES; k++) {
    fputs("    {\"name\": ", f), cli_json_str(f, cases[k].name);
    fputs(", \"description\": ", f), cli_json_str(f, cases[k].desc);
    fprintf(f, ", \"channels\": %u, \"pixels\": %u}%s\n", cases[k].c, cases[k].n, k + 1 < NCASES ? "," : "");
  }
  fputs("  ],\n  \"devices\": [\n", f);
  for (int i = 0; i < n; i++) {
    const dev_result *dr = &drs[i];
    const pseg_device_info *d = &dr->info;
    char dv[64];
    cli_driver_version(d, dv, sizeof dv);
    fprintf(f, "    {\n      \"index\": %d, \"name\": ", dr->index), cli_json_str(f, d->name);
    fprintf(f, ", \"vendor_id\": \"0x%04x\", \"device_id\": \"0x%04x\", \"is_cpu\": %s,\n", d->vendor_id, d->device_id,
            d->is_cpu ? "true" : "false");
    fputs("      \"driver\": ", f), cli_json_str(f, d->driver);
    fprintf(f, ", \"driver_version\": \"%s\", \"driver_version_raw\": \"0x%x\", \"driver_id\": %u, \"conformance_version\": ",
            dv, d->driver_version, dr->num.driver_id);
    cli_json_str(f, dr->num.conformance_version);
    fprintf(f, ", \"vulkan\": \"%u.%u.%u\",\n", d->api_version >> 22, (d->api_version >> 12) & 0x3ff, d->api_version & 0xfff);
    fprintf(f, "      \"float_controls\": {\"denorm_preserve_fp16\": %d, \"denorm_preserve_fp32\": %d, \"denorm_flush_fp16\": %d, "
               "\"denorm_flush_fp32\": %d, \"inf_nan_preserve_fp16\": %d, \"inf_nan_preserve_fp32\": %d},\n",
            dr->num.denorm_preserve16, dr->num.denorm_preserve32, dr->num.denorm_flush16, dr->num.denorm_flush32,
            dr->num.inf_nan_preserve16, dr->num.inf_nan_preserve32);
    fprintf(f, "      \"fp16_arithmetic\": %s, \"validation_messages\": %d, \"error\": ", dr->fp16 ? "true" : "false",
            dr->validation_messages);
    if (dr->error) cli_json_str(f, dr->error_text);
    else fputs("null", f);
    fprintf(f, ", \"stable_variants_pass\": %s,\n      \"results\": [\n", dr->stable_pass && !dr->error ? "true" : "false");
    int first = 1;
    for (size_t v = 0; v < NVARIANTS; v++) {
      const bound *b = &BOUNDS[v];
      if (!dr->supported[v] || dr->error) continue;
      fprintf(f, "%s        {\"head\": \"%s\", \"form\": \"%s\", \"precision\": \"%s\", ", first ? "" : ",\n",
              head_name(b->head), b->stable ? "stable" : "naive", b->fp16 ? "fp16" : "fp32");
      first = 0;
      jmetrics(f, &dr->worst[v]);
      fputs(",\n         \"cases\": {\n", f);
      for (int k = 0; k < NCASES; k++) {
        fprintf(f, "           \"%s\": {", cases[k].name);
        jmetrics(f, &dr->per_case[v][k]);
        fprintf(f, "}%s\n", k + 1 < NCASES ? "," : "");
      }
      fputs("         }}", f);
    }
    fprintf(f, "\n      ]\n    }%s\n", i + 1 < n ? "," : "");
  }
  fputs("  ]\n}\n", f);
  return cli_out_finish(f, path, tmp, real);
}

int cmd_conformance(int argc, char **argv) {
  static const struct option opts[] = {{"device", required_argument, 0, 'd'},
                                       {"json", required_argument, 0, 'j'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  if (argc >= 2 && !strcmp(argv[1], "models")) return cmd_conformance_models(argc - 1, argv + 1);
  if (argc >= 2 && !strcmp(argv[1], "reductions")) return cmd_conformance_reductions(argc - 1, argv + 1);
  const char *json = NULL;
  int device = -1; /* -1: all */
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "d:j:h", opts, NULL)) != -1) {
    switch (c) {
    case 'd':
      if (!strcmp(optarg, "all")) device = -1;
      else if (cli_parse_index(optarg, &device)) return cli_error("--device must be a device index or 'all' (got '%s')", optarg);
      break;
    case 'j': json = optarg; break;
    case 'h':
      printf("usage: pseg conformance softmax|reductions [--device N|all] [--json FILE]\n"
             "       pseg conformance models MODEL... --image IMG... [--device N|all] [--json FILE]\n");
      return 0;
    default: fprintf(stderr, "usage: pseg conformance softmax|reductions [--device N|all] [--json FILE]\n"
             "       pseg conformance models MODEL... --image IMG... [--device N|all] [--json FILE]\n"); return 2;
    }
  }
  if (optind + 1 != argc || strcmp(argv[optind], "softmax")) {
    fprintf(stderr, "usage: pseg conformance softmax|reductions [--device N|all] [--json FILE]\n"
             "       pseg conformance models MODEL... --image IMG... [--device N|all] [--json FILE]\n");
    return 2;
  }
  pseg_device_info infos[16];
  uint32_t n = 0;
  char err[512] = "";
  if (pseg_list_devices(infos, 16, &n, err, sizeof err)) return cli_error("%s", err);
  if (n > 16) n = 16;
  if (!n) return cli_error("no Vulkan device");
  if (device >= (int)n) return cli_error("--device %d: there are %u devices (pseg devices lists them)", device, n);
  if (make_cases()) return cli_error("out of memory");
  int first = device < 0 ? 0 : device, last = device < 0 ? (int)n - 1 : device;
  int nd = last - first + 1;
  dev_result *drs = calloc((size_t)nd, sizeof *drs);
  if (!drs) return cli_error("out of memory");
  int ok = 1;
  printf("pseg conformance softmax: %d cases x %zu variants (softmax, logistic, sigsoftmax; naive, stable; fp32, fp16)\n",
         NCASES, NVARIANTS);
  for (int i = 0; i < nd; i++) {
    run_device(first + i, &infos[first + i], &drs[i]);
    if (drs[i].error || !drs[i].stable_pass || drs[i].validation_messages) ok = 0;
    print_device(&drs[i]);
  }
  int rc = ok ? 0 : 1;
  if (json && write_json(json, drs, nd, ok)) rc = 1;
  else if (json) printf("wrote %s\n", json);
  printf("result: %s\n", ok ? "every stable variant passes its bounds" : "FAIL (a stable variant, an error or a validation message)");
  free(drs);
  for (int k = 0; k < NCASES; k++) free(cases[k].x), cases[k].x = NULL;
  return rc;
}
