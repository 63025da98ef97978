/* pseg conformance reductions [--device N|all] [--json FILE]
 *
 * The reductions that break in fp16 on mobile GPU delegates, with their expected answers:
 *   - global average pools over large maps (squeeze-excite pooling) and channel sums (the SUM of
 *     hand-written softmax heads), inputs stored in fp16, accumulated in fp16 (sum then divide),
 *     in fp16 with each term scaled by 1/N first, and in fp32 (what pseg's kernels do), against a
 *     float64 sum of the same fp16 values (shaders/reduce.comp, pseg_reduce_run);
 *   - softmax over logits mixing +-Inf, NaN and huge finite values, naive and stable, fp32 and
 *     fp16, each row against its expected answer (docs/conformance.md "Reference semantics";
 *     shaders/heads.comp, pseg_head_run).
 * Exit code: 0 when every fp32-accumulation reduction and every stable softmax row passes on
 * every device tested (fp16 accumulations and naive softmaxes are reported: several are expected
 * to fail, and the report says which), 1 otherwise (or on an error or a validation message), 2
 * on usage. */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../include/pseg.h"
#include "../runtime/format.h"
#include "pseg_cli.h"

/* ------------------------------------------------------------------ reduction cases */
typedef struct rcase {
  const char *name, *desc;
  pseg_reduce_op op;
  uint32_t pixels, channels;
  int normal;      /* 0: uniform in [a, b]; 1: normal, mean a, standard deviation b */
  double a, b;
  uint16_t *x;     /* the values, fp16 bits */
  double *ref;     /* float64 sum (CHANNEL_SUM) or mean (MEAN) of those values, per output */
  double scale;    /* the same of |x| (max over outputs): errors are relative to it */
  double max_sum;  /* the largest |sum| over an output (before / N): > 65504 overflows an fp16 sum */
} rcase;

static rcase RCASES[] = {
    {"mean_64x64_u01", "mean of 64x64 values in [0,1] per channel (sum ~2048)", PSEG_REDUCE_MEAN, 64 * 64, 8, 0, 0, 1, NULL, NULL, 0, 0},
    {"mean_256x256_u01", "mean of 256x256 values in [0,1] (sum ~32768: fits fp16, loses bits)", PSEG_REDUCE_MEAN,
     256 * 256, 8, 0, 0, 1, NULL, NULL, 0, 0},
    {"mean_512x512_u01", "mean of 512x512 values in [0,1] (sum ~131072 > 65504)", PSEG_REDUCE_MEAN, 512 * 512, 8, 0, 0, 1, NULL, NULL, 0, 0},
    {"mean_128x128_relu6", "mean of 128x128 ReLU6 outputs in [0,6] (sum ~49152)", PSEG_REDUCE_MEAN, 128 * 128, 8, 0, 0, 6, NULL, NULL, 0, 0},
    {"mean_256x256_relu6", "mean of 256x256 ReLU6 outputs in [0,6] (sum ~196608 > 65504)", PSEG_REDUCE_MEAN, 256 * 256, 8,
     0, 0, 6, NULL, NULL, 0, 0},
    {"mean_256x256_signed", "mean of 256x256 normal values, mean 0.05, sd 2 (cancellation)", PSEG_REDUCE_MEAN, 256 * 256, 8,
     1, 0.05, 2, NULL, NULL, 0, 0},
    {"sum_c256_u01", "sum over 256 channels of values in [0,1] (sum ~128)", PSEG_REDUCE_CHANNEL_SUM, 4096, 256, 0, 0, 1, NULL, NULL, 0, 0},
    {"sum_c1024_u01", "sum over 1024 channels of values in [0,1] (sum ~512: fp16 steps of 0.25-0.5)",
     PSEG_REDUCE_CHANNEL_SUM, 4096, 1024, 0, 0, 1, NULL, NULL, 0, 0},
    {"sum_c32_exp", "sum over 32 channels of exp-like values in [0,4000] (sum ~64000, some pixels > 65504)",
     PSEG_REDUCE_CHANNEL_SUM, 4096, 32, 0, 0, 4000, NULL, NULL, 0, 0},
    {"sum_c128_large", "sum over 128 channels of values in [100,1000] (sum ~70400 > 65504)", PSEG_REDUCE_CHANNEL_SUM, 4096,
     128, 0, 100, 1000, NULL, NULL, 0, 0},
};
#define NRCASES (int)(sizeof RCASES / sizeof *RCASES)

static const pseg_reduce_acc ACCS[] = {PSEG_ACC_FP16, PSEG_ACC_FP16_PRESCALED, PSEG_ACC_FP32};
static const char *ACC_NAMES[] = {"fp16", "fp16-prescaled", "fp32"};
#define NACC 3
/* max |got - ref| / scale: fp32 accumulation (gates) and fp16 (reported; 1e-2 is ~10 ulps of an
 * fp16 sum, far looser than an fp16 sum of many terms achieves without overflow) */
static const double RBOUND[NACC] = {1e-2, 1e-2, 1e-5};

static uint64_t rng = 0x2545f4914f6cdd1dull;
static double urand(void) {
  rng ^= rng >> 12, rng ^= rng << 25, rng ^= rng >> 27;
  return (double)((rng * 0x2545f4914f6cdd1dull) >> 11) / 9007199254740992.0;
}

static int make_rcase(rcase *k) {
  size_t n = (size_t)k->pixels * k->channels;
  uint32_t n_out = k->op == PSEG_REDUCE_MEAN ? k->channels : k->pixels;
  k->x = malloc(n * sizeof *k->x);
  k->ref = calloc(n_out, sizeof *k->ref);
  double *abs_sum = calloc(n_out, sizeof *abs_sum);
  if (!k->x || !k->ref || !abs_sum) return free(abs_sum), -1;
  for (size_t i = 0; i < n; i++) {
    double v = k->normal ? k->a + k->b * sqrt(-2.0 * log(1.0 - urand())) * cos(6.283185307179586 * urand())
                         : k->a + (k->b - k->a) * urand();
    k->x[i] = pseg_float_to_half((float)v);
    double h = pseg_half_to_float(k->x[i]);
    size_t o = k->op == PSEG_REDUCE_MEAN ? i % k->channels : i / k->channels;
    k->ref[o] += h, abs_sum[o] += fabs(h);
  }
  double per = k->op == PSEG_REDUCE_MEAN ? (double)k->pixels : 1.0;
  k->scale = k->max_sum = 0;
  for (uint32_t o = 0; o < n_out; o++) {
    k->max_sum = fmax(k->max_sum, fabs(k->ref[o]));
    k->ref[o] /= per;
    k->scale = fmax(k->scale, abs_sum[o] / per);
  }
  free(abs_sum);
  return 0;
}

typedef struct rres {
  int run;
  uint32_t nonfinite, outputs;
  double max_err; /* max |got - ref| / scale over finite outputs */
  int pass;
} rres;

/* ------------------------------------------------------------------ softmax special values */
#define SM_C 3
typedef struct smrow {
  const char *name;
  float x[SM_C];
  double want[SM_C]; /* NaN: NaN expected */
} smrow;
#define NN NAN
#define PI INFINITY
#define E20 2.0611536181902037e-09 /* exp(-20) / (1 + exp(-20)) */
static const smrow SMROWS[] = {
    {"[+Inf, 0, -Inf]", {PI, 0, -PI}, {1, 0, 0}},
    {"[-Inf, 0, -Inf]", {-PI, 0, -PI}, {0, 1, 0}},
    {"[+Inf, +Inf, -Inf]", {PI, PI, -PI}, {0.5, 0.5, 0}},
    {"[+Inf, +Inf, +Inf]", {PI, PI, PI}, {1.0 / 3, 1.0 / 3, 1.0 / 3}},
    {"[-Inf, -Inf, -Inf]", {-PI, -PI, -PI}, {NN, NN, NN}},
    {"[NaN, 0, 1]", {NN, 0, 1}, {NN, NN, NN}},
    {"[NaN, +Inf, -Inf]", {NN, PI, -PI}, {NN, NN, NN}},
    {"[20, 0, -Inf]", {20, 0, -PI}, {1 - E20, E20, 0}},
    {"[1000, 999, -Inf]", {1000, 999, -PI}, {0.7310585786300049, 0.2689414213699951, 0}},
    {"[-1000, -1001, -Inf]", {-1000, -1001, -PI}, {0.7310585786300049, 0.2689414213699951, 0}},
};
#define NSMROWS (int)(sizeof SMROWS / sizeof *SMROWS)
/* variants: stable / naive x fp32 / fp16 arithmetic; a row matches when every NaN is where
 * expected and every number is within the precision's tolerance of the expected one */
static const double SM_TOL[2] = {1e-6, 2e-3};

typedef struct mdev {
  pseg_device_info info;
  int index, fp16, error, validation_messages;
  char error_text[512];
  rres r[NRCASES][NACC];
  int sm_run[4];
  float sm_got[4][NSMROWS][SM_C];
  int sm_ok[4][NSMROWS];
  int pass;
} mdev;

static int sm_match(const smrow *row, const float *got, double tol) {
  for (int c = 0; c < SM_C; c++) {
    if (isnan(row->want[c]) != isnan(got[c])) return 0;
    if (!isnan(row->want[c]) && !(fabs(got[c] - row->want[c]) <= tol)) return 0;
  }
  return 1;
}

static void run_device(int index, const pseg_device_info *info, mdev *d) {
  memset(d, 0, sizeof *d);
  d->info = *info;
  d->index = index;
  pseg_context *ctx = NULL;
  char err[512] = "";
  pseg_result r = cli_conformance_context(index, info, &ctx, err, sizeof err);
  if (r) {
    d->error = 1;
    snprintf(d->error_text, sizeof d->error_text, "%s", err);
    return;
  }
  d->fp16 = pseg_context_precision(ctx) == PSEG_PRECISION_FP16;
  d->pass = 1;
  for (int k = 0; k < NRCASES && !d->error; k++) {
    rcase *kc = &RCASES[k];
    uint32_t n_out = kc->op == PSEG_REDUCE_MEAN ? kc->channels : kc->pixels;
    float *got = malloc(n_out * sizeof(float));
    for (int a = 0; a < NACC && got; a++) {
      rres *rr = &d->r[k][a];
      if ((ACCS[a] != PSEG_ACC_FP32 && !d->fp16) || (ACCS[a] == PSEG_ACC_FP16_PRESCALED && kc->op != PSEG_REDUCE_MEAN))
        continue;
      if (pseg_reduce_run(ctx, kc->op, ACCS[a], kc->x, kc->pixels, kc->channels, got)) {
        d->error = 1;
        snprintf(d->error_text, sizeof d->error_text, "%s", pseg_context_last_error(ctx));
        break;
      }
      rr->run = 1;
      rr->outputs = n_out;
      for (uint32_t o = 0; o < n_out; o++) {
        if (!isfinite(got[o])) rr->nonfinite++;
        else rr->max_err = fmax(rr->max_err, fabs(got[o] - kc->ref[o]) / kc->scale);
      }
      rr->pass = !rr->nonfinite && rr->max_err <= RBOUND[a];
      if (ACCS[a] == PSEG_ACC_FP32 && !rr->pass) d->pass = 0;
    }
    if (!got) d->error = 1, snprintf(d->error_text, sizeof d->error_text, "out of memory");
    free(got);
  }
  float x[NSMROWS * SM_C];
  for (int i = 0; i < NSMROWS; i++) memcpy(x + i * SM_C, SMROWS[i].x, sizeof SMROWS[i].x);
  for (int v = 0; v < 4 && !d->error; v++) { /* v: stable (0, 1) / naive (2, 3); fp32 (even) / fp16 (odd) */
    int stable = v < 2, f16 = v & 1;
    if (f16 && !d->fp16) continue;
    if (pseg_head_run(ctx, PSEG_HEAD_SOFTMAX, stable, f16, x, NSMROWS, SM_C, &d->sm_got[v][0][0])) {
      d->error = 1;
      snprintf(d->error_text, sizeof d->error_text, "%s", pseg_context_last_error(ctx));
      break;
    }
    d->sm_run[v] = 1;
    for (int i = 0; i < NSMROWS; i++) {
      d->sm_ok[v][i] = sm_match(&SMROWS[i], d->sm_got[v][i], SM_TOL[f16]);
      if (stable && !d->sm_ok[v][i]) d->pass = 0;
    }
  }
  d->validation_messages = (int)pseg_context_validation_messages(ctx);
  if (d->error || d->validation_messages) d->pass = 0;
  pseg_context_destroy(ctx);
}

/* ------------------------------------------------------------------ output */
static void fmt_vals(char *buf, size_t n, const double *v) {
  size_t o = 0;
  for (int c = 0; c < SM_C && o < n; c++) {
    const char *sep = c ? ", " : "[";
    if (isnan(v[c])) o += (size_t)snprintf(buf + o, n - o, "%sNaN", sep);
    else o += (size_t)snprintf(buf + o, n - o, "%s%.4g", sep, v[c]);
  }
  if (o < n) snprintf(buf + o, n - o, "]");
}

static void print_device(const mdev *d) {
  cli_print_device_line(d->index, &d->info);
  if (d->error) {
    printf("  ERROR: %s\n", d->error_text);
    return;
  }
  printf("  reductions of fp16 values, error relative to the same reduction of |x|:\n");
  printf("  %-22s %-15s %9s %12s %10s  %s\n", "case", "accumulation", "NaN/Inf", "max rel err", "bound", "verdict");
  for (int k = 0; k < NRCASES; k++)
    for (int a = 0; a < NACC; a++) {
      const rres *rr = &d->r[k][a];
      if (!rr->run) continue;
      const char *expect = "";
      if (ACCS[a] == PSEG_ACC_FP16 && RCASES[k].max_sum > 65504) expect = " (expected: the fp16 sum overflows)";
      printf("  %-22s %-15s %4u/%-4u %12.3g %10g  %s%s\n", RCASES[k].name, ACC_NAMES[a], rr->nonfinite, rr->outputs,
             rr->max_err, RBOUND[a], rr->pass ? "pass" : ACCS[a] == PSEG_ACC_FP32 ? "FAIL" : "fail", expect);
    }
  printf("  softmax over 3 logits, each row against its expected answer (tolerance fp32 %g, fp16 %g):\n", SM_TOL[0],
         SM_TOL[1]);
  static const char *VN[4] = {"stable fp32", "stable fp16", "naive fp32", "naive fp16"};
  for (int i = 0; i < NSMROWS; i++) {
    char w[96];
    fmt_vals(w, sizeof w, SMROWS[i].want);
    printf("  %-22s expected %-28s\n", SMROWS[i].name, w);
    for (int v = 0; v < 4; v++) {
      if (!d->sm_run[v]) continue;
      char g[96];
      const double gv[SM_C] = {d->sm_got[v][i][0], d->sm_got[v][i][1], d->sm_got[v][i][2]};
      fmt_vals(g, sizeof g, gv);
      printf("  %24s %-12s %-28s %s\n", "", VN[v], g, d->sm_ok[v][i] ? "ok" : v < 2 ? "WRONG" : "wrong (naive: reported)");
    }
  }
  if (d->validation_messages) printf("  validation layer: %d messages (FAIL)\n", d->validation_messages);
  printf("  fp32 reductions and stable softmax: %s\n", d->pass ? "all pass" : "FAIL");
}

static void jfloats(FILE *f, const float *v, int n) {
  fputc('[', f);
  for (int i = 0; i < n; i++) fputs(i ? ", " : "", f), cli_json_num(f, v[i]);
  fputc(']', f);
}

static int write_json(const char *path, const mdev *ds, int nd, int ok) {
  char *tmp, *real;
  FILE *f = cli_out_create(path, &tmp, &real);
  if (!f) return 1;
  fprintf(f, "{\n  \"suite\": \"reductions\",\n  \"pseg_version\": \"%d.%d.%d\",\n  \"pass\": %s,\n", PSEG_VERSION_MAJOR,
          PSEG_VERSION_MINOR, PSEG_VERSION_PATCH, ok ? "true" : "false");
  fputs("  \"notes\": ", f);
  cli_json_str(f, "max_rel_err: max |got - ref| / (the same reduction of |x|), over finite outputs; ref: a float64 "
                  "reduction of the same fp16 values. fp32 accumulation and the stable softmax gate the exit code. "
                  "Softmax: NaN (null here) expected where the expected answer has null.");
  fputs(",\n  \"cases\": [", f);
  for (int k = 0; k < NRCASES; k++) {
    const rcase *kc = &RCASES[k];
    fprintf(f, "%s\n    {\"name\": \"%s\", \"description\": ", k ? "," : "", kc->name);
    cli_json_str(f, kc->desc);
    fprintf(f, ", \"op\": \"%s\", \"pixels\": %u, \"channels\": %u, \"max_sum\": %.6g, \"fp16_sum_overflows\": %s}",
            kc->op == PSEG_REDUCE_MEAN ? "mean" : "channel_sum", kc->pixels, kc->channels, kc->max_sum,
            kc->max_sum > 65504 ? "true" : "false");
  }
  fputs("\n  ],\n  \"softmax_rows\": [", f);
  for (int i = 0; i < NSMROWS; i++) {
    fprintf(f, "%s\n    {\"name\": \"%s\", \"logits\": ", i ? "," : "", SMROWS[i].name);
    jfloats(f, SMROWS[i].x, SM_C);
    fputs(", \"expected\": [", f);
    for (int c = 0; c < SM_C; c++) fputs(c ? ", " : "", f), cli_json_num(f, SMROWS[i].want[c]);
    fputs("]}", f);
  }
  fputs("\n  ],\n  \"devices\": [", f);
  static const char *VN[4] = {"stable_fp32", "stable_fp16", "naive_fp32", "naive_fp16"};
  for (int i = 0; i < nd; i++) {
    const mdev *d = &ds[i];
    char dv[64];
    cli_driver_version(&d->info, dv, sizeof dv);
    fprintf(f, "%s\n    {\n      \"index\": %d, \"name\": ", i ? "," : "", d->index);
    cli_json_str(f, d->info.name);
    fputs(", \"driver\": ", f);
    cli_json_str(f, d->info.driver);
    fprintf(f, ", \"driver_version\": \"%s\", \"is_cpu\": %s, \"fp16\": %s, \"validation_messages\": %d, \"pass\": %s, \"error\": ",
            dv, d->info.is_cpu ? "true" : "false", d->fp16 ? "true" : "false", d->validation_messages,
            d->pass ? "true" : "false");
    if (d->error) cli_json_str(f, d->error_text);
    else fputs("null", f);
    fputs(",\n      \"reductions\": [", f);
    int first = 1;
    for (int k = 0; k < NRCASES; k++)
      for (int a = 0; a < NACC; a++) {
        const rres *rr = &d->r[k][a];
        if (!rr->run) continue;
        fprintf(f, "%s\n        {\"case\": \"%s\", \"accumulation\": \"%s\", \"nonfinite\": %u, \"outputs\": %u, \"max_rel_err\": ",
                first ? "" : ",", RCASES[k].name, ACC_NAMES[a], rr->nonfinite, rr->outputs);
        first = 0;
        cli_json_num(f, rr->max_err);
        fprintf(f, ", \"bound\": %g, \"pass\": %s}", RBOUND[a], rr->pass ? "true" : "false");
      }
    fputs("\n      ],\n      \"softmax\": [", f);
    first = 1;
    for (int v = 0; v < 4; v++)
      for (int r = 0; r < NSMROWS && d->sm_run[v]; r++) {
        fprintf(f, "%s\n        {\"row\": \"%s\", \"variant\": \"%s\", \"got\": ", first ? "" : ",", SMROWS[r].name, VN[v]);
        first = 0;
        jfloats(f, d->sm_got[v][r], SM_C);
        fprintf(f, ", \"as_expected\": %s}", d->sm_ok[v][r] ? "true" : "false");
      }
    fputs("\n      ]\n    }", f);
  }
  fputs("\n  ]\n}\n", f);
  return cli_out_finish(f, path, tmp, real);
}

#define RED_USAGE "usage: pseg conformance reductions [--device N|all] [--json FILE]\n"

int cmd_conformance_reductions(int argc, char **argv) {
  static const struct option opts[] = {{"device", required_argument, 0, 'd'},
                                       {"json", required_argument, 0, 'j'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  const char *json = NULL;
  int device = -1, c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "d:j:h", opts, NULL)) != -1) {
    switch (c) {
    case 'd':
      if (!strcmp(optarg, "all")) device = -1;
      else if (cli_parse_index(optarg, &device)) return cli_error("--device must be a device index or 'all' (got '%s')", optarg);
      break;
    case 'j': json = optarg; break;
    case 'h': printf(RED_USAGE); return 0;
    default: fprintf(stderr, RED_USAGE); return 2;
    }
  }
  if (optind != argc) {
    fprintf(stderr, RED_USAGE "  (unexpected argument '%s')\n", argv[optind]);
    return 2;
  }
  pseg_device_info infos[16];
  uint32_t n = 0;
  char err[512] = "";
  if (pseg_list_devices(infos, 16, &n, err, sizeof err)) return cli_error("%s", err);
  if (n > 16) n = 16;
  if (!n) return cli_error("no Vulkan device");
  if (device >= (int)n) return cli_error("--device %d: there are %u devices (pseg devices lists them)", device, n);
  int first = device < 0 ? 0 : device, nd = device < 0 ? (int)n : 1, rc = 1, ok = 1;
  mdev *ds = calloc((size_t)nd, sizeof *ds);
  if (!ds) return cli_error("out of memory");
  for (int k = 0; k < NRCASES; k++)
    if (make_rcase(&RCASES[k])) {
      cli_error("out of memory");
      goto done;
    }
  printf("pseg conformance reductions: %d reductions x fp16 / fp16-prescaled / fp32 accumulation, %d softmax rows "
         "x stable / naive x fp32 / fp16\n",
         NRCASES, NSMROWS);
  for (int i = 0; i < nd; i++) {
    run_device(first + i, &infos[first + i], &ds[i]);
    ok &= ds[i].pass;
    print_device(&ds[i]);
  }
  rc = ok ? 0 : 1;
  if (json && write_json(json, ds, nd, ok)) rc = 1;
  else if (json) printf("wrote %s\n", json);
  printf("result: %s\n", ok ? "every fp32 reduction and every stable softmax row is right"
                            : "FAIL (an fp32 reduction, a stable softmax row, an error or a validation message)");
done:
  for (int k = 0; k < NRCASES; k++) free(RCASES[k].x), free(RCASES[k].ref), RCASES[k].x = NULL, RCASES[k].ref = NULL;
  free(ds);
  return rc;
}
