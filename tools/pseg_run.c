/* pseg run MODEL --input X.npy -o Y.npy: the network alone on a raw tensor (pseg_model_run_raw),
 * for differential tests against any other runtime on any device. --reference: the plain-C
 * references of kernels/ instead of the GPU (ref_run_model; integer models: issue 15). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../kernels/kernels.h"
#include "../runtime/format.h"
#include "image_io.h"
#include "pseg.h"
#include "outfile.h"
#include "pseg_cli.h"

/* A little-endian float32, C-order .npy of up to 4 dimensions. */
static int npy_load(const char *path, float **data, int shape[4], int *rank, char *err, size_t errlen) {
  FILE *f = fopen(path, "rb");
  if (!f) return snprintf(err, errlen, "%s: %s", path, strerror(errno)), -1;
  unsigned char h[10];
  char hdr[1024];
  int rc = -1;
  *data = NULL;
  if (fread(h, 1, 10, f) != 10 || memcmp(h, "\x93NUMPY", 6) || h[6] != 1) {
    snprintf(err, errlen, "%s: not a version 1 .npy file", path);
    goto out;
  }
  size_t hl = (size_t)h[8] | (size_t)h[9] << 8;
  if (hl >= sizeof hdr || fread(hdr, 1, hl, f) != hl) {
    snprintf(err, errlen, "%s: bad .npy header", path);
    goto out;
  }
  hdr[hl] = 0;
  if (!strstr(hdr, "'descr': '<f4'") || !strstr(hdr, "'fortran_order': False")) {
    snprintf(err, errlen, "%s: must hold little-endian float32 in C order ('<f4')", path);
    goto out;
  }
  const char *p = strstr(hdr, "'shape': (");
  if (!p) {
    snprintf(err, errlen, "%s: no shape in the .npy header", path);
    goto out;
  }
  p += 10;
  *rank = 0;
  size_t n = 1;
  while (*p && *p != ')') {
    char *e;
    long v = strtol(p, &e, 10);
    if (e == p || v < 1 || v > 1 << 20 || *rank == 4) {
      snprintf(err, errlen, "%s: shape must be up to 4 positive dimensions", path);
      goto out;
    }
    shape[(*rank)++] = (int)v, n *= (size_t)v;
    p = e;
    while (*p == ',' || *p == ' ') p++;
  }
  if (n > (size_t)1 << 28 || !(*data = malloc(n * sizeof(float)))) {
    snprintf(err, errlen, "%s: too large", path);
    goto out;
  }
  if (fread(*data, sizeof(float), n, f) != n || fgetc(f) != EOF) {
    snprintf(err, errlen, "%s: data size does not match the shape", path);
    goto out;
  }
  rc = 0;
out:
  if (rc) free(*data), *data = NULL;
  fclose(f);
  return rc;
}

int cmd_run(int argc, char **argv) {
  static const struct option opts[] = {{"input", required_argument, 0, 'i'},
                                       {"output", required_argument, 0, 'o'},
                                       {"precision", required_argument, 0, 'p'},
                                       {"device", required_argument, 0, 'd'},
                                       {"help", no_argument, 0, 'h'},
                                       {"reference", no_argument, 0, 'r'},
                                       {0, 0, 0, 0}};
  const char *in = NULL, *out = NULL;
  int reference = 0;
  pseg_context_create_info ci = {.device_index = -1, .precision = PSEG_PRECISION_FP32};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "i:o:p:d:h", opts, NULL)) != -1) {
    switch (c) {
    case 'i': in = optarg; break;
    case 'o': out = optarg; break;
    case 'p':
      if (cli_parse_precision(optarg, &ci)) return cli_error("--precision must be fp32, fp16, fp16-all or auto (got '%s')", optarg);
      break;
    case 'd':
      if (cli_parse_index(optarg, &ci.device_index)) return cli_error("--device must be a device index (got '%s')", optarg);
      break;
    case 'r': reference = 1; break;
    case 'h': cli_usage("run", stdout); return 0;
    default: cli_usage("run", stderr); return 2;
    }
  }
  if (optind + 1 != argc || !in || !out) {
    fprintf(stderr, "usage: pseg run MODEL --input X.npy -o Y.npy [--precision P] [--device N] [--reference]\n%s\n",
            optind + 1 != argc ? "  (one MODEL: selfie, selfie-landscape or FILE.pseg)" : "  (--input and -o are required)");
    return 2;
  }
  char err[600];
  float *x = NULL, *y = NULL, *xs = NULL;
  int shape[4], rank, rc = 1;
  const char *ins[2] = {in, argv[optind]};
  if (out_check(out, ins, 2, err, sizeof err)) return cli_error("%s", err);
  if (npy_load(in, &x, shape, &rank, err, sizeof err)) return cli_error("%s", err);
  pseg_context *ctx = NULL;
  pseg_model *md = NULL;
  pseg_fmt_model fm = {0};
  float **t = NULL;
  int is[3], os[3];
  if (reference) { /* the .pseg file itself, run by the CPU references */
    void *bytes;
    size_t nb;
    if (pseg_read_file(argv[optind], &bytes, &nb, err, sizeof err)) {
      cli_error("%s", err);
      goto done;
    }
    int bad = pseg_fmt_parse(bytes, nb, &fm, err, sizeof err);
    free(bytes);
    if (bad) {
      cli_error("%s: %s", argv[optind], err);
      goto done;
    }
    const pseg_fmt_tensor *ti = &fm.tensors[fm.input], *to = &fm.tensors[fm.raw_output];
    is[0] = ti->h, is[1] = ti->w, is[2] = ti->c, os[0] = to->h, os[1] = to->w, os[2] = to->c;
  } else {
    if (pseg_context_create(&ci, &ctx, err, sizeof err)) {
      cli_error("%s", err);
      goto done;
    }
    if (cli_load_model(ctx, argv[optind], &md)) goto done;
    pseg_model_raw_shapes(md, is, os);
  }
  int off = rank == 4 ? 1 : 0;
  if (!((rank == 4 && shape[0] == 1) || rank == 3) || shape[off] != is[0] || shape[off + 1] != is[1] ||
      shape[off + 2] < is[2]) {
    cli_error("%s: shape must be [1, %d, %d, %d] (the model's input), NHWC", in, is[0], is[1], is[2]);
    goto done;
  }
  size_t npx = (size_t)is[0] * is[1];
  int ic = shape[off + 2];
  xs = malloc(npx * is[2] * sizeof(float)); /* channels after pseg's input's (a prior its graph never reads) dropped */
  y = malloc((size_t)os[0] * os[1] * os[2] * sizeof(float));
  if (!xs || !y) {
    cli_error("out of memory");
    goto done;
  }
  for (size_t p = 0; p < npx; p++) memcpy(xs + p * is[2], x + p * ic, (size_t)is[2] * sizeof(float));
  if (reference) {
    int prec = ci.precision != PSEG_PRECISION_FP16 ? 0 : ci.fp16_all_activations ? 2 : 1;
    if (prec && fm.n_quant) {
      cli_error("%s: an integer (int8) model computes in integers: --precision fp16 / fp16-all does not apply", argv[optind]);
      goto done;
    }
    if (!(t = calloc(fm.n_tensors, sizeof *t)) || ref_run_model_prec(&fm, xs, t, prec)) {
      cli_error("the reference run failed (out of memory)");
      goto done;
    }
    memcpy(y, t[fm.raw_output], (size_t)os[0] * os[1] * os[2] * sizeof(float));
  } else if (pseg_model_run_raw(md, xs, y)) {
    cli_error("%s", pseg_context_last_error(ctx));
    goto done;
  }
  const int oshape[4] = {1, os[0], os[1], os[2]};
  if (npy_save_f32_nd(out, y, oshape, 4, err, sizeof err)) {
    cli_error("%s", err);
    goto done;
  }
  rc = 0;
done:
  for (uint32_t i = 0; t && i < fm.n_tensors; i++) free(t[i]);
  free(t);
  pseg_fmt_free(&fm);
  free(x), free(xs), free(y);
  pseg_model_destroy(md);
  pseg_context_destroy(ctx);
  return rc;
}
