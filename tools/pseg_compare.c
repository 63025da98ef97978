/* pseg compare MODEL_A MODEL_B IMAGE... [--gt DIR] -o sheet.png: two models (or one model at two
 * precisions, or on two devices) on the same photos; per image the IoU between their masks and,
 * with ground-truth masks, each one's IoU and boundary F-score; a contact sheet of photo | mask A
 * | mask B | difference. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image_io.h"
#include "pseg.h"
#include "outfile.h"
#include "pseg_cli.h"

typedef struct side {
  pseg_context_create_info ci;
  const char *model;
  pseg_context *ctx;
  pseg_model *md;
  int tta;    /* --tta-a / --tta-b flip: tta_flip sessions */
  int guided; /* --guided-a / --guided-b: the guided filter */
  int cleanup; /* --cleanup-a / --cleanup-b */
} side;

/* selfie | selfie-landscape | FILE.pseg | FILE.tflite (cli_load_model converts it with the defaults) */
static int load_side(side *sd) {
  char err[512];
  if (pseg_context_create(&sd->ci, &sd->ctx, err, sizeof err)) return cli_error("%s", err);
  return cli_load_model(sd->ctx, sd->model, &sd->md);
}

static int run_side(side *sd, const img_rgb *im, float *mask) {
  pseg_session_create_info si = {.width = im->width, .height = im->height, .flags = PSEG_SESSION_BASE_ONLY,
                                 .tta_flip = sd->tta, .guided = sd->guided, .cleanup = sd->cleanup};
  pseg_session *s;
  if (pseg_session_create(sd->md, &si, &s)) return cli_error("%s", pseg_context_last_error(sd->ctx));
  pseg_image f = {im->width, im->height, PSEG_PIXEL_RGB8, 0, im->rgb};
  pseg_result r = pseg_session_run(s, &f, mask, NULL);
  pseg_session_destroy(s);
  return r ? cli_error("%s", pseg_context_last_error(sd->ctx)) : 0;
}

static double iou(const unsigned char *a, const unsigned char *b, size_t n) {
  size_t i_ = 0, u = 0;
  for (size_t i = 0; i < n; i++) i_ += a[i] && b[i], u += a[i] || b[i];
  return u ? (double)i_ / (double)u : 1.0;
}

/* Boundary pixels (a 4-neighbour of the other label), then each dilated by r (a square). */
static void boundary(const unsigned char *m, int w, int h, unsigned char *bd) {
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      unsigned char v = m[y * w + x];
      bd[y * w + x] = (x > 0 && m[y * w + x - 1] != v) || (x + 1 < w && m[y * w + x + 1] != v) ||
                      (y > 0 && m[(y - 1) * w + x] != v) || (y + 1 < h && m[(y + 1) * w + x] != v);
    }
}

static void dilate(const unsigned char *in, int w, int h, int r, unsigned char *out, unsigned char *tmp) {
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      unsigned char v = 0;
      for (int k = x - r < 0 ? 0 : x - r; k <= x + r && k < w && !v; k++) v = in[y * w + k];
      tmp[y * w + x] = v;
    }
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      unsigned char v = 0;
      for (int k = y - r < 0 ? 0 : y - r; k <= y + r && k < h && !v; k++) v = tmp[k * w + x];
      out[y * w + x] = v;
    }
}

/* The boundary F-score (DAVIS): boundary precision and recall within r = 0.8% of the diagonal. */
static double boundary_f(const unsigned char *pred, const unsigned char *gt, int w, int h, unsigned char *scratch) {
  size_t n = (size_t)w * h;
  unsigned char *bp = scratch, *bg = scratch + n, *dp = scratch + 2 * n, *dg = scratch + 3 * n, *t = scratch + 4 * n;
  int r = (int)ceil(0.008 * sqrt((double)w * w + (double)h * h));
  boundary(pred, w, h, bp), boundary(gt, w, h, bg);
  dilate(bp, w, h, r, dp, t), dilate(bg, w, h, r, dg, t);
  size_t np = 0, ng = 0, hp = 0, hg = 0;
  for (size_t i = 0; i < n; i++) np += bp[i], ng += bg[i], hp += bp[i] && dg[i], hg += bg[i] && dp[i];
  if (!np && !ng) return 1.0;
  double p = np ? (double)hp / np : 0, rc = ng ? (double)hg / ng : 0;
  return p + rc > 0 ? 2 * p * rc / (p + rc) : 0.0;
}

static const char *base_name(const char *path, char *out, size_t n) {
  const char *b = strrchr(path, '/');
  snprintf(out, n, "%s", b ? b + 1 : path);
  char *dot = strrchr(out, '.');
  if (dot && dot != out) *dot = 0;
  return out;
}

#define TILE 160

/* One tile of the sheet from a w x h RGB source (nearest sample). */
static void put_tile(unsigned char *sheet, int sw, int row, int col, const unsigned char *rgb, int w, int h) {
  for (int y = 0; y < TILE; y++)
    for (int x = 0; x < TILE; x++) {
      const unsigned char *p = rgb + ((size_t)(y * h / TILE) * w + (size_t)(x * w / TILE)) * 3;
      unsigned char *d = sheet + ((size_t)(row * TILE + y) * sw + (size_t)(col * TILE + x)) * 3;
      d[0] = p[0], d[1] = p[1], d[2] = p[2];
    }
}

int cmd_compare(int argc, char **argv) {
  static const struct option opts[] = {{"gt", required_argument, 0, 'g'},
                                       {"output", required_argument, 0, 'o'},
                                       {"precision-a", required_argument, 0, 'p'},
                                       {"precision-b", required_argument, 0, 'q'},
                                       {"device-a", required_argument, 0, 'd'},
                                       {"device-b", required_argument, 0, 'e'},
                                       {"tta-a", required_argument, 0, 't'},
                                       {"tta-b", required_argument, 0, 'u'},
                                       {"guided-a", no_argument, 0, 'G'},
                                       {"guided-b", no_argument, 0, 'H'},
                                       {"cleanup-a", no_argument, 0, 'C'},
                                       {"cleanup-b", no_argument, 0, 'D'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  const char *usage_line = "usage: pseg compare MODEL_A MODEL_B IMAGE... [--gt DIR] [--precision-a P] [--precision-b P]\n"
                           "                    [--device-a N] [--device-b N] [--tta-a flip] [--tta-b flip]\n"
                           "                    [--guided-a] [--guided-b] [--cleanup-a] [--cleanup-b] -o SHEET.png\n";
  side sd[2] = {{.ci = {.device_index = -1, .precision = PSEG_PRECISION_AUTO}},
                {.ci = {.device_index = -1, .precision = PSEG_PRECISION_AUTO}}};
  const char *gt = NULL, *out = NULL;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "g:o:h", opts, NULL)) != -1) {
    switch (c) {
    case 'g': gt = optarg; break;
    case 'o': out = optarg; break;
    case 'p':
    case 'q':
      if (cli_parse_precision(optarg, &sd[c == 'q'].ci)) return cli_error("--precision-%c must be fp32, fp16, fp16-all or auto", c == 'q' ? 'b' : 'a');
      break;
    case 'd':
    case 'e':
      if (cli_parse_index(optarg, &sd[c == 'e'].ci.device_index)) return cli_error("--device-%c must be a device index", c == 'e' ? 'b' : 'a');
      break;
    case 'G':
    case 'H': sd[c == 'H'].guided = 1; break;
    case 'C':
    case 'D': sd[c == 'D'].cleanup = 1; break;
    case 't':
    case 'u':
      if (strcmp(optarg, "flip") && strcmp(optarg, "none")) return cli_error("--tta-%c must be flip or none", c == 'u' ? 'b' : 'a');
      sd[c == 'u'].tta = !strcmp(optarg, "flip");
      break;
    case 'h': printf("%s", usage_line); return 0;
    default: fprintf(stderr, "%s", usage_line); return 2;
    }
  }
  if (argc - optind < 3 || !out) {
    fprintf(stderr, "%s  (%s)\n", usage_line, !out ? "-o SHEET.png is required" : "two models and at least one image");
    return 2;
  }
  sd[0].model = argv[optind], sd[1].model = argv[optind + 1];
  char oerr[600];
  if (out_check(out, (const char *const *)argv + optind, argc - optind, oerr, sizeof oerr)) return cli_error("%s", oerr);
  int nimg = argc - optind - 2, rc = 1, done_imgs = 0;
  char **imgs = argv + optind + 2;
  unsigned char *sheet = calloc((size_t)nimg * TILE * 4 * TILE * 3, 1);
  if (!sheet) return cli_error("out of memory");
  double s_ab = 0, s_a = 0, s_b = 0, s_fa = 0, s_fb = 0, s_ma = 0, s_mb = 0;
  int n_gt = 0;
  for (int k = 0; k < 2; k++)
    if (load_side(&sd[k])) goto done;
  printf("A: %s (%s, %s)\nB: %s (%s, %s)\n", sd[0].model, cli_precision_name(sd[0].ctx), pseg_context_device(sd[0].ctx)->name,
         sd[1].model, cli_precision_name(sd[1].ctx), pseg_context_device(sd[1].ctx)->name);
  printf("%-24s %9s%s\n", "image", "IoU(A,B)", gt ? "    IoU A    IoU B  bound.F A  bound.F B    MAE A    MAE B" : "");
  for (int i = 0; i < nimg; i++) {
    char err[512], name[256], gpath[4096];
    img_rgb im = {0}, g = {0};
    if (img_load(imgs[i], &im, err, sizeof err)) {
      cli_error("%s", err);
      goto done;
    }
    size_t n = (size_t)im.width * im.height;
    float *ma = malloc(n * sizeof(float)), *mb = malloc(n * sizeof(float));
    unsigned char *ba = malloc(n), *bb = malloc(n), *bgt = malloc(n), *scratch = malloc(5 * n), *tile = malloc(n * 3);
    int ok = ma && mb && ba && bb && bgt && scratch && tile && !run_side(&sd[0], &im, ma) && !run_side(&sd[1], &im, mb);
    base_name(imgs[i], name, sizeof name);
    int have_gt = 0;
    if (ok && gt) {
      snprintf(gpath, sizeof gpath, "%s/%s.mask.png", gt, name);
      FILE *f = fopen(gpath, "rb");
      if (!f) snprintf(gpath, sizeof gpath, "%s/%s.png", gt, name);
      else fclose(f);
      if (img_load(gpath, &g, err, sizeof err)) {
        fprintf(stderr, "pseg: %s: no ground truth (%s)\n", name, err);
      } else if (g.width != im.width || g.height != im.height) {
        fprintf(stderr, "pseg: %s: ground truth %dx%d, photo %dx%d: skipped\n", gpath, g.width, g.height, im.width, im.height);
      } else {
        have_gt = 1;
      }
    }
    if (ok) {
      for (size_t p = 0; p < n; p++) ba[p] = ma[p] > 0.5f, bb[p] = mb[p] > 0.5f, bgt[p] = have_gt && g.rgb[p * 3] > 127;
      double ab = iou(ba, bb, n);
      s_ab += ab;
      printf("%-24s %9.4f", name, ab);
      if (have_gt) {
        double ia = iou(ba, bgt, n), ib = iou(bb, bgt, n);
        double fa = boundary_f(ba, bgt, im.width, im.height, scratch), fb = boundary_f(bb, bgt, im.width, im.height, scratch);
        double ea = 0, eb = 0; /* mean |p - ground truth| */
        for (size_t p = 0; p < n; p++) {
          double t = g.rgb[p * 3] / 255.0;
          ea += fabs(ma[p] - t), eb += fabs(mb[p] - t);
        }
        ea /= (double)n, eb /= (double)n;
        printf(" %8.4f %8.4f %10.4f %10.4f %8.4f %8.4f", ia, ib, fa, fb, ea, eb);
        s_a += ia, s_b += ib, s_fa += fa, s_fb += fb, s_ma += ea, s_mb += eb, n_gt++;
      }
      printf("\n");
      /* the sheet's row: photo | mask A | mask B | difference (red: A alone, blue: B alone, white: both) */
      int sw = 4 * TILE;
      put_tile(sheet, sw, i, 0, im.rgb, im.width, im.height);
      for (int t = 0; t < 3; t++) {
        for (size_t p = 0; p < n; p++) {
          unsigned char *d = tile + p * 3;
          if (t < 2) {
            float v = t == 0 ? ma[p] : mb[p];
            d[0] = d[1] = d[2] = (unsigned char)(v < 0 ? 0 : v > 1 ? 255 : v * 255.0f + 0.5f);
          } else {
            d[0] = ba[p] ? 255 : 0, d[2] = bb[p] ? 255 : 0, d[1] = ba[p] && bb[p] ? 255 : 0;
          }
        }
        put_tile(sheet, sw, i, t + 1, tile, im.width, im.height);
      }
      done_imgs++;
    }
    free(ma), free(mb), free(ba), free(bb), free(bgt), free(scratch), free(tile);
    img_free(&im), img_free(&g);
    if (!ok) goto done;
  }
  printf("%-24s %9.4f", "mean", s_ab / done_imgs);
  if (n_gt)
    printf(" %8.4f %8.4f %10.4f %10.4f %8.4f %8.4f  (%d with ground truth)", s_a / n_gt, s_b / n_gt, s_fa / n_gt, s_fb / n_gt,
           s_ma / n_gt, s_mb / n_gt, n_gt);
  printf("\n");
  char err[512];
  if (img_save_png(out, sheet, 4 * TILE, nimg * TILE, 3, err, sizeof err)) {
    cli_error("%s", err);
    goto done;
  }
  printf("contact sheet (photo | mask A | mask B | difference: red A only, blue B only): %s\n", out);
  rc = 0;
done:
  free(sheet);
  for (int k = 0; k < 2; k++) pseg_model_destroy(sd[k].md), pseg_context_destroy(sd[k].ctx);
  return rc;
}
