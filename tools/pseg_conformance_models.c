/* pseg conformance models MODEL... --image IMG... [--device N|all] [--json FILE]
 *
 * The origin project's phone question asked of whole models: each model (its output head) in
 * fp32, fp16 and fp16-all on every Vulkan device, against the plain-C fp32 forward pass of the
 * same model on the same input tensor (ref_run_model: every layer's reference in kernels/, with
 * double accumulation; the fidelity_models test holds pseg to the real TFLite on the same models).
 * Per model and precision: NaN/Inf counts of the model's own output tensor and of the person
 * probability, their max |d| against the reference, the mask IoU@0.5; pass/fail against the
 * bounds in BOUNDS. The input: each image resized (CPU, bilinear) to the model's input size, so
 * the GPU frame and the reference see the same pixels.
 *
 * Exit code: 0 when every fp32 row passes on every device tested (a device that runs the model
 * wrongly in fp32 is broken; fp16 rows are findings about the model and the device, reported and,
 * with --gate all, gating), 1 otherwise (or on an error or a validation message), 2 on usage. */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../include/pseg.h"
#include "../kernels/kernels.h"
#include "../runtime/format.h"
#include "convert.h"
#include "image_io.h"
#include "outfile.h"
#include "pseg_cli.h"

extern const unsigned char pseg_builtin_selfie[], pseg_builtin_selfie_landscape[];
extern const size_t pseg_builtin_selfie_size, pseg_builtin_selfie_landscape_size;

/* ------------------------------------------------------------------ bounds (one table) */
typedef struct mbound {
  const char *precision;
  double raw_rel;  /* max |d| of the model's own output / max(1, max |ref|); < 0: reported only */
  double mask_abs; /* max |d| of the person probability */
  double min_iou;  /* mask IoU@0.5 */
} mbound;
/* fp32: the fidelity bounds; fp16: its 2e-2 on probabilities (raw outputs of fp16 runs,
 * logits of any scale, are reported, not bounded); every row: no NaN or Inf anywhere. */
static const mbound MBOUNDS[] = {
    {"fp32", 1e-4, 1e-4, 0.999},
    {"fp16", -1, 2e-2, 0.99},
    {"fp16-all", -1, 2e-2, 0.99},
};
#define NPREC 3

typedef struct cmodel {
  const char *path;
  char name[96];
  pseg_fmt_model fmt;
  uint8_t *bytes; /* the .pseg serialised, for pseg_model_load_memory */
  size_t nbytes;
  int iw, ih, ic;            /* pseg's input tensor */
  size_t n_out, n_raw;       /* elements of the output and raw output tensors */
  uint8_t **px;              /* per image: the RGB8 frame at the input size */
  float **ref_raw, **ref_mask; /* per image: the reference's raw output and person probability */
} cmodel;

typedef struct mresult {
  int run, error;
  uint32_t raw_nonfinite, mask_nonfinite;
  double raw_max_abs, raw_ref_max, mask_max_abs, iou;
  int pass;
} mresult;

static void mresult_init(mresult *r) {
  memset(r, 0, sizeof *r);
  r->iou = 1;
}

/* ------------------------------------------------------------------ models and references */
static int load_model(cmodel *cm, int n_images, img_rgb *imgs) {
  char err[512];
  const char *p = cm->path, *base = strrchr(p, '/');
  base = base ? base + 1 : p;
  snprintf(cm->name, sizeof cm->name, "%s", base);
  char *dot = strrchr(cm->name, '.');
  if (dot && (!strcmp(dot, ".tflite") || !strcmp(dot, ".pseg"))) *dot = 0;
  size_t n = strlen(p);
  int rc;
  if (!strcmp(p, "selfie") || !strcmp(p, "selfie-landscape")) {
    int land = !strcmp(p, "selfie-landscape");
    rc = pseg_fmt_parse(land ? pseg_builtin_selfie_landscape : pseg_builtin_selfie,
                        land ? pseg_builtin_selfie_landscape_size : pseg_builtin_selfie_size, &cm->fmt, err, sizeof err);
    if (rc) return cli_error("%s: %s", p, err);
  } else {
    void *data;
    size_t size;
    if (pseg_read_file(p, &data, &size, err, sizeof err)) return cli_error("%s", err);
    if (n >= 7 && !strcmp(p + n - 7, ".tflite")) {
      rc = pseg_convert_tflite(data, size, &cm->fmt, err, sizeof err);
      free(data);
      if (rc) return cli_error("%s: %s (convert it with pseg convert and its options, then pass the .pseg)", p, err);
    } else {
      rc = pseg_fmt_parse(data, size, &cm->fmt, err, sizeof err);
      free(data);
      if (rc) return cli_error("%s: %s", p, err);
    }
  }
  if (pseg_fmt_serialize(&cm->fmt, &cm->bytes, &cm->nbytes)) return cli_error("out of memory");
  const pseg_fmt_model *m = &cm->fmt;
  const pseg_fmt_tensor *ti = &m->tensors[m->input], *to = &m->tensors[m->output], *tr = &m->tensors[m->raw_output];
  cm->iw = ti->w, cm->ih = ti->h, cm->ic = ti->c;
  cm->n_out = (size_t)to->h * to->w * to->c;
  cm->n_raw = (size_t)tr->h * tr->w * tr->c;
  if (to->h != ti->h || to->w != ti->w)
    return cli_error("%s: its output (%dx%d) is not at its input's size (%dx%d): not supported by this suite", p,
                     to->w, to->h, ti->w, ti->h);
  cm->px = calloc((size_t)n_images, sizeof *cm->px);
  cm->ref_raw = calloc((size_t)n_images, sizeof *cm->ref_raw);
  cm->ref_mask = calloc((size_t)n_images, sizeof *cm->ref_mask);
  float **t = calloc(m->n_tensors, sizeof *t);
  size_t npx = (size_t)cm->iw * cm->ih;
  float *in = malloc(npx * (size_t)cm->ic * sizeof(float));
  if (!cm->px || !cm->ref_raw || !cm->ref_mask || !t || !in) return free(t), free(in), cli_error("out of memory");
  for (int i = 0; i < n_images; i++) {
    img_rgb r;
    if (img_resize_bilinear_rgb(&imgs[i], cm->iw, cm->ih, &r)) return free(t), free(in), cli_error("out of memory");
    cm->px[i] = r.rgb;
    for (size_t q = 0; q < npx; q++)
      for (int c = 0; c < cm->ic; c++) /* a prior mask (channel 3) 0 */
        in[q * cm->ic + c] = c < 3 ? pseg_fmt_input_value(m, c, r.rgb[q * 3 + c] / 255.0f) : 0.0f;
    if (ref_run_model(m, in, t)) {
      for (uint32_t k = 0; k < m->n_tensors; k++) free(t[k]), t[k] = NULL;
      free(t), free(in);
      return cli_error("%s: the reference forward pass failed (out of memory?)", p);
    }
    cm->ref_mask[i] = malloc(npx * sizeof(float));
    if (!cm->ref_mask[i]) return free(t), free(in), cli_error("out of memory");
    for (size_t q = 0; q < npx; q++)
      cm->ref_mask[i][q] = fminf(fmaxf(t[m->output][q * to->c + m->person_channel], 0.0f), 1.0f);
    cm->ref_raw[i] = t[m->raw_output], t[m->raw_output] = NULL; /* may be the output: after the mask */
    for (uint32_t k = 0; k < m->n_tensors; k++) free(t[k]), t[k] = NULL;
  }
  free(t), free(in);
  return 0;
}

static void free_model(cmodel *cm, int n_images) {
  for (int i = 0; i < n_images; i++) {
    if (cm->px) free(cm->px[i]);
    if (cm->ref_raw) free(cm->ref_raw[i]);
    if (cm->ref_mask) free(cm->ref_mask[i]);
  }
  free(cm->px), free(cm->ref_raw), free(cm->ref_mask), free(cm->bytes);
  pseg_fmt_free(&cm->fmt);
}

/* What the model's output is, in words (the head as pseg understood it). */
static const char *head_words(const cmodel *cm) {
  const pseg_fmt_model *m = &cm->fmt;
  if (m->raw_output == m->output) return "probability (in the graph)";
  return m->tensors[m->raw_output].c == 1 ? "logits, sigmoid appended" : "logits, softmax appended";
}

/* ------------------------------------------------------------------ one device */
static void measure(const cmodel *cm, int i, const float *raw, const float *mask, mresult *r) {
  const float *rr = cm->ref_raw[i], *rm = cm->ref_mask[i];
  for (size_t k = 0; k < cm->n_raw; k++) {
    r->raw_ref_max = fmax(r->raw_ref_max, fabs(rr[k]));
    if (!isfinite(raw[k])) r->raw_nonfinite++;
    else r->raw_max_abs = fmax(r->raw_max_abs, fabs((double)raw[k] - rr[k]));
  }
  size_t npx = (size_t)cm->iw * cm->ih, inter = 0, uni = 0;
  for (size_t q = 0; q < npx; q++) {
    if (!isfinite(mask[q])) {
      r->mask_nonfinite++;
      uni++;
      continue;
    }
    r->mask_max_abs = fmax(r->mask_max_abs, fabs((double)mask[q] - rm[q]));
    int a = mask[q] >= 0.5f, b = rm[q] >= 0.5f;
    inter += a && b, uni += a || b;
  }
  double iou = uni ? (double)inter / (double)uni : 1.0;
  if (iou < r->iou) r->iou = iou;
}

static int row_pass(const mbound *b, const mresult *r) {
  if (r->error || r->raw_nonfinite || r->mask_nonfinite) return 0;
  if (b->raw_rel >= 0 && r->raw_max_abs > b->raw_rel * fmax(1.0, r->raw_ref_max)) return 0;
  return r->mask_max_abs <= b->mask_abs && r->iou >= b->min_iou;
}

typedef struct mdev {
  pseg_device_info info;
  int index, fp16, validation_messages, error;
  char error_text[512];
  mresult *res; /* [model][precision] */
  char (*res_error)[256];
} mdev;

static void run_model_prec(pseg_context *ctx, const cmodel *cm, int n_images, mresult *r, char *why, size_t whylen) {
  pseg_model *md = NULL;
  pseg_session *s = NULL;
  size_t npx = (size_t)cm->iw * cm->ih;
  float *raw = malloc(cm->n_raw * sizeof(float)), *mask = malloc(npx * sizeof(float));
  float *in = malloc(npx * (size_t)cm->ic * sizeof(float));
  pseg_session_create_info si = {.width = cm->iw, .height = cm->ih, .flags = PSEG_SESSION_WAIT_FAST};
  r->run = 1;
  if (!raw || !mask || !in) {
    snprintf(why, whylen, "out of memory");
    r->error = 1;
  } else if (pseg_model_load_memory(ctx, cm->bytes, cm->nbytes, &md) || pseg_session_create(md, &si, &s)) {
    snprintf(why, whylen, "%s", pseg_context_last_error(ctx));
    r->error = 1;
  }
  for (int i = 0; i < n_images && !r->error; i++) {
    pseg_image f = {cm->iw, cm->ih, PSEG_PIXEL_RGB8, 0, cm->px[i]};
    for (size_t q = 0; q < npx; q++)
      for (int c = 0; c < cm->ic; c++)
        in[q * cm->ic + c] = c < 3 ? pseg_fmt_input_value(&cm->fmt, c, cm->px[i][q * 3 + c] / 255.0f) : 0.0f;
    if ((pseg_model_takes_prior(md) && pseg_session_set_prior(s, NULL)) || /* each image on its own: prior 0 */
        pseg_session_run(s, &f, mask, NULL) || pseg_model_run_raw(md, in, raw)) {
      snprintf(why, whylen, "%s", pseg_context_last_error(ctx));
      r->error = 1;
      break;
    }
    measure(cm, i, raw, mask, r);
  }
  pseg_session_destroy(s);
  pseg_model_destroy(md);
  free(raw), free(mask), free(in);
}

static void run_device(int index, const pseg_device_info *info, const cmodel *cms, int n_models, int n_images,
                       mdev *d) {
  d->info = *info;
  d->index = index;
  d->fp16 = info->fp16;
  for (int p = 0; p < NPREC; p++) {
    if (p > 0 && !info->fp16) continue;
    pseg_context_create_info ci = {.device_index = index,
                                   .precision = p ? PSEG_PRECISION_FP16 : PSEG_PRECISION_FP32,
                                   .fp16_all_activations = p == 2};
    pseg_context *ctx = NULL;
    char err[512] = "";
    if (pseg_context_create(&ci, &ctx, err, sizeof err)) {
      if (p > 0) { /* fp16 advertised but refused: a finding of its own */
        for (int k = 0; k < n_models; k++) {
          d->res[k * NPREC + p].run = d->res[k * NPREC + p].error = 1;
          snprintf(d->res_error[k * NPREC + p], 256, "%s", err);
        }
        continue;
      }
      d->error = 1;
      snprintf(d->error_text, sizeof d->error_text, "%s", err);
      return;
    }
    for (int k = 0; k < n_models; k++) {
      mresult *r = &d->res[k * NPREC + p];
      run_model_prec(ctx, &cms[k], n_images, r, d->res_error[k * NPREC + p], 256);
      r->pass = row_pass(&MBOUNDS[p], r);
    }
    d->validation_messages += (int)pseg_context_validation_messages(ctx);
    pseg_context_destroy(ctx);
  }
}

/* ------------------------------------------------------------------ output */
static void print_device(const mdev *d, const cmodel *cms, int n_models) {
  cli_print_device_line(d->index, &d->info);
  if (d->error) {
    printf("  ERROR: %s\n", d->error_text);
    return;
  }
  printf("  %-28s %-8s %8s %11s %9s %9s %11s %8s  %s\n", "model", "prec", "raw NaN", "raw max|d|", "max|ref|",
         "mask NaN", "mask max|d|", "IoU@0.5", "verdict");
  for (int k = 0; k < n_models; k++)
    for (int p = 0; p < NPREC; p++) {
      const mresult *r = &d->res[k * NPREC + p];
      if (!r->run) {
        printf("  %-28s %-8s  (no fp16 on this device: not run)\n", cms[k].name, MBOUNDS[p].precision);
        continue;
      }
      if (r->error) {
        printf("  %-28s %-8s  ERROR: %s\n", cms[k].name, MBOUNDS[p].precision, d->res_error[k * NPREC + p]);
        continue;
      }
      printf("  %-28s %-8s %8u %11.3g %9.3g %9u %11.3g %8.4f  %s\n", cms[k].name, MBOUNDS[p].precision,
             r->raw_nonfinite, r->raw_max_abs, r->raw_ref_max, r->mask_nonfinite, r->mask_max_abs, r->iou,
             r->pass ? "pass" : p == 0 ? "FAIL" : "fail");
    }
  if (d->validation_messages) printf("  validation layer: %d messages (FAIL)\n", d->validation_messages);
}

static int write_json(const char *path, const mdev *ds, int nd, const cmodel *cms, int n_models, char **images,
                      int n_images, int ok, int gate_all) {
  char *tmp, *real;
  FILE *f = cli_out_create(path, &tmp, &real);
  if (!f) return 1;
  fprintf(f, "{\n  \"suite\": \"models\",\n  \"pseg_version\": \"%d.%d.%d\",\n  \"pass\": %s,\n  \"gate\": \"%s\",\n",
          PSEG_VERSION_MAJOR, PSEG_VERSION_MINOR, PSEG_VERSION_PATCH, ok ? "true" : "false", gate_all ? "all" : "fp32");
  fputs("  \"reference\": ", f);
  cli_json_str(f, "the plain-C fp32 forward pass of the same model on the same input tensor (pseg's per-layer "
                  "references, double accumulation), which ctest fidelity_models holds to the real TFLite");
  fputs(",\n  \"bounds\": [", f);
  for (int p = 0; p < NPREC; p++) {
    fprintf(f, "%s\n    {\"precision\": \"%s\", \"raw_rel\": ", p ? "," : "", MBOUNDS[p].precision);
    if (MBOUNDS[p].raw_rel >= 0) fprintf(f, "%g", MBOUNDS[p].raw_rel);
    else fputs("null", f);
    fprintf(f, ", \"mask_abs\": %g, \"min_iou\": %g, \"nonfinite\": 0}", MBOUNDS[p].mask_abs, MBOUNDS[p].min_iou);
  }
  fputs("\n  ],\n  \"images\": [", f);
  for (int i = 0; i < n_images; i++) {
    fputs(i ? ", " : "", f);
    cli_json_str(f, images[i]);
  }
  fputs("],\n  \"models\": [", f);
  for (int k = 0; k < n_models; k++) {
    fprintf(f, "%s\n    {\"name\": ", k ? "," : "");
    cli_json_str(f, cms[k].name);
    fputs(", \"file\": ", f);
    cli_json_str(f, cms[k].path);
    fputs(", \"output\": ", f);
    cli_json_str(f, head_words(&cms[k]));
    fprintf(f, ", \"input\": [%d, %d, %d]}", cms[k].ih, cms[k].iw, cms[k].ic);
  }
  fputs("\n  ],\n  \"devices\": [", f);
  for (int i = 0; i < nd; i++) {
    const mdev *d = &ds[i];
    char dv[64];
    cli_driver_version(&d->info, dv, sizeof dv);
    fprintf(f, "%s\n    {\n      \"index\": %d, \"name\": ", i ? "," : "", d->index);
    cli_json_str(f, d->info.name);
    fprintf(f, ", \"vendor_id\": \"0x%04x\", \"device_id\": \"0x%04x\", \"is_cpu\": %s, \"driver\": ", d->info.vendor_id,
            d->info.device_id, d->info.is_cpu ? "true" : "false");
    cli_json_str(f, d->info.driver);
    fprintf(f, ", \"driver_version\": \"%s\", \"fp16\": %s, \"validation_messages\": %d, \"error\": ", dv,
            d->fp16 ? "true" : "false", d->validation_messages);
    if (d->error) cli_json_str(f, d->error_text);
    else fputs("null", f);
    fputs(",\n      \"results\": [", f);
    int first = 1;
    for (int k = 0; k < n_models && !d->error; k++)
      for (int p = 0; p < NPREC; p++) {
        const mresult *r = &d->res[k * NPREC + p];
        if (!r->run) continue;
        fprintf(f, "%s\n        {\"model\": ", first ? "" : ",");
        first = 0;
        cli_json_str(f, cms[k].name);
        fprintf(f, ", \"precision\": \"%s\", \"error\": ", MBOUNDS[p].precision);
        if (r->error) cli_json_str(f, d->res_error[k * NPREC + p]);
        else fputs("null", f);
        fprintf(f, ", \"raw_nonfinite\": %u, \"raw_max_abs\": ", r->raw_nonfinite);
        cli_json_num(f, r->raw_max_abs);
        fputs(", \"raw_ref_max_abs\": ", f);
        cli_json_num(f, r->raw_ref_max);
        fprintf(f, ", \"mask_nonfinite\": %u, \"mask_max_abs\": ", r->mask_nonfinite);
        cli_json_num(f, r->mask_max_abs);
        fputs(", \"iou\": ", f);
        cli_json_num(f, r->iou);
        fprintf(f, ", \"pass\": %s}", r->pass ? "true" : "false");
      }
    fputs("\n      ]\n    }", f);
  }
  fputs("\n  ]\n}\n", f);
  return cli_out_finish(f, path, tmp, real);
}

#define MODELS_USAGE                                                                                             \
  "usage: pseg conformance models MODEL... --image IMG [--image IMG]... [--device N|all] [--gate fp32|all]\n"  \
  "                               [--json FILE]\n"                                                              \
  "  MODEL: selfie, selfie-landscape, FILE.pseg or FILE.tflite (converted with the defaults)\n"

int cmd_conformance_models(int argc, char **argv) {
  static const struct option opts[] = {{"image", required_argument, 0, 'i'},
                                       {"device", required_argument, 0, 'd'},
                                       {"json", required_argument, 0, 'j'},
                                       {"gate", required_argument, 0, 'g'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  const char *json = NULL;
  char **images = calloc((size_t)argc + 1, sizeof *images);
  int n_images = 0, device = -1, gate_all = 0, c;
  if (!images) return cli_error("out of memory");
  optind = 1;
  while ((c = getopt_long(argc, argv, "i:d:j:g:h", opts, NULL)) != -1) {
    switch (c) {
    case 'i': images[n_images++] = optarg; break;
    case 'd':
      if (!strcmp(optarg, "all")) device = -1;
      else if (cli_parse_index(optarg, &device))
        return free(images), cli_error("--device must be a device index or 'all' (got '%s')", optarg);
      break;
    case 'j': json = optarg; break;
    case 'g':
      if (strcmp(optarg, "fp32") && strcmp(optarg, "all"))
        return free(images), cli_error("--gate must be fp32 or all (got '%s')", optarg);
      gate_all = !strcmp(optarg, "all");
      break;
    case 'h': printf(MODELS_USAGE); return free(images), 0;
    default: fprintf(stderr, MODELS_USAGE); return free(images), 2;
    }
  }
  int n_models = argc - optind;
  if (n_models < 1 || !n_images) {
    fprintf(stderr, MODELS_USAGE "  (%s)\n", n_models < 1 ? "at least one MODEL" : "at least one --image");
    return free(images), 2;
  }
  pseg_device_info infos[16];
  uint32_t n = 0;
  char err[600] = "";
  if (json && (out_check(json, (const char *const *)argv + optind, n_models, err, sizeof err) ||
               out_check(json, (const char *const *)images, n_images, err, sizeof err)))
    return free(images), cli_error("%s", err);
  if (pseg_list_devices(infos, 16, &n, err, sizeof err)) return free(images), cli_error("%s", err);
  if (n > 16) n = 16;
  if (!n) return free(images), cli_error("no Vulkan device");
  if (device >= (int)n) return free(images), cli_error("--device %d: there are %u devices (pseg devices lists them)", device, n);
  img_rgb *imgs = calloc((size_t)n_images, sizeof *imgs);
  cmodel *cms = calloc((size_t)n_models, sizeof *cms);
  int first = device < 0 ? 0 : device, nd = device < 0 ? (int)n : 1;
  mdev *ds = calloc((size_t)nd, sizeof *ds);
  int rc = 1, ok = 1;
  if (!imgs || !cms || !ds) {
    cli_error("out of memory");
    goto done;
  }
  for (int i = 0; i < n_images; i++)
    if (img_load(images[i], &imgs[i], err, sizeof err)) {
      cli_error("%s", err);
      goto done;
    }
  printf("pseg conformance models: %d model(s) x %d image(s), fp32 / fp16 / fp16-all, against the plain-C fp32 forward pass\n",
         n_models, n_images);
  for (int k = 0; k < n_models; k++) {
    cms[k].path = argv[optind + k];
    if (load_model(&cms[k], n_images, imgs)) goto done;
    printf("  %s: input %dx%dx%d, output: %s\n", cms[k].name, cms[k].iw, cms[k].ih, cms[k].ic, head_words(&cms[k]));
  }
  for (int i = 0; i < nd; i++) {
    ds[i].res = calloc((size_t)n_models * NPREC, sizeof *ds[i].res);
    ds[i].res_error = calloc((size_t)n_models * NPREC, sizeof *ds[i].res_error);
    if (!ds[i].res || !ds[i].res_error) {
      cli_error("out of memory");
      goto done;
    }
    for (int k = 0; k < n_models * NPREC; k++) mresult_init(&ds[i].res[k]);
    run_device(first + i, &infos[first + i], cms, n_models, n_images, &ds[i]);
    if (ds[i].error || ds[i].validation_messages) ok = 0;
    for (int k = 0; k < n_models * NPREC && !ds[i].error; k++)
      if (ds[i].res[k].run && !ds[i].res[k].pass && (k % NPREC == 0 || gate_all || ds[i].res[k].error)) ok = 0;
    print_device(&ds[i], cms, n_models);
  }
  rc = ok ? 0 : 1;
  if (json && write_json(json, ds, nd, cms, n_models, images, n_images, ok, gate_all)) rc = 1;
  else if (json) printf("wrote %s\n", json);
  printf("result: %s\n", ok ? (gate_all ? "every row passes" : "every fp32 row passes (fp16 rows: see above)")
                            : "FAIL (a gating row, an error or a validation message)");
done:
  for (int k = 0; cms && k < n_models; k++) free_model(&cms[k], n_images);
  for (int i = 0; ds && i < nd; i++) free(ds[i].res), free(ds[i].res_error);
  for (int i = 0; imgs && i < n_images; i++) img_free(&imgs[i]);
  free(ds), free(cms), free(imgs), free(images);
  return rc;
}
