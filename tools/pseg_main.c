/* The pseg command-line tool: segment, devices, convert. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../include/pseg.h"
#include "convert.h"
#include "image_io.h"
#include "outfile.h"
#include "../runtime/format.h"
#include "pseg_cli.h"
#include "pseg_batch.h"

#include <sys/stat.h>

static const char *prog = "pseg";
static double t_start;

/* The usage, a section a subcommand: `pseg` alone prints them all, `pseg CMD --help` (and an
 * unknown option of CMD) its own. */
static const struct usage_section {
  const char *cmd;
  const char *text;
} usage_sections[] = {
  {"segment",
    "  pseg segment [--model selfie|selfie-landscape|FILE.pseg] [--precision fp32|fp16|fp16-all|auto]\n"
    "               [--device N] [--background blur|IMAGE] [--prior MASK.png]\n"
    "               [--cutout [--premultiplied] | --matte | --trimap W] [--tta flip|none]\n"
    "               [--cleanup] [--guided]\n"
    "               INPUT -o OUTPUT.png|OUTPUT.npy   or   INPUT... -o DIR/ (INPUT: a photo or a directory)\n"
    "      INPUT: PNG or JPEG of any size. OUTPUT.png: the 8-bit mask, or the composite when\n"
    "      --background is given. OUTPUT.npy: the float32 HxW person probability.\n"
    "      --tta flip (default): the mask of the photo and of its mirror image averaged (better\n"
    "      masks, twice the network); none: the network once, as TFLite runs it\n"
    "      --cleanup: keep the largest region of the person, fill its holes; --guided: a guided\n"
    "      filter (the photo as guide) refines the mask; both off (worse on the dev portraits)\n"
    "      --cutout: RGBA, the photo with the mask as alpha (--premultiplied: the colour times\n"
    "      alpha); --matte: the alpha alone (the mask); --trimap W: 255 person, 0 background,\n"
    "      128 an unknown band of about 2W pixels along the edge, for matting tools\n"
    "      --prior: for models taking RGB + a prior mask (4 channels), that mask (grey, any\n"
    "      size; default: none, zeros)\n"},
  {"devices",
    "  pseg devices                      list Vulkan devices and their features\n"},
  {"--version",
    "  pseg --version                    the version of the tool and of the library it runs\n"},
  {"video",
    "  pseg video [--model M] [--background blur|none|IMAGE|#RRGGBB] [--mask | --cutout]\n"
    "             [--smoothing S] [--raw WxH] [--fps F] IN -o OUT\n"
    "      every frame of a video (or raw RGB24 frames on stdin: IN = -, --raw WxH): the\n"
    "      composite (default: over a blur), the mask as video, or a cutout with alpha;\n"
    "      OUT .mp4/.mkv/.webm/.mov or - (raw frames on stdout); audio copied; temporal\n"
    "      smoothing on (--smoothing 0: off); pseg video --help for more\n"},
  {"compare",
    "  pseg compare MODEL_A MODEL_B IMAGE... [--gt DIR] [--precision-a P] [--precision-b P]\n"
    "               [--tta-a flip] [--tta-b flip]\n"
    "               [--device-a N] [--device-b N] -o SHEET.png\n"
    "      two models (or one at two precisions or on two devices) on the same photos: the IoU\n"
    "      between their masks; with DIR/NAME.mask.png (or NAME.png) each one's IoU and boundary F;\n"
    "      a contact sheet (photo | mask A | mask B | difference). MODEL: a name, .pseg or .tflite\n"},
  {"run",
    "  pseg run MODEL --input X.npy -o Y.npy [--precision P] [--device N] [--reference]\n"
    "      the network alone: X the model's input tensor (NHWC float32, no pre-processing),\n"
    "      Y its own output tensor (before the head pseg appends to raw logits), fp32 default;\n"
    "      --reference: the plain-C reference of every layer (kernels/), no GPU; MODEL a .pseg;\n"
    "      with --precision fp16 (fp16-all) it rounds the weights (and each layer's output) to\n"
    "      fp16 and computes in fp32: the model's own fp16 sensitivity, whatever the device\n"},
  {"convert",
    "  pseg convert [--output auto|probability|logits] [--person-channel N] [--input-range LO,HI]\n"
    "               [--mean-std MEAN,STD | --mean-std MR,MG,MB,SR,SG,SB] IN.tflite OUT.pseg\n"
    "      convert a TFLite model to pseg's format. --output: what the model's output is when\n"
    "      the graph does not say (auto: a probability after LOGISTIC or SOFTMAX, else logits,\n"
    "      which get a sigmoid or a softmax over the channels); --person-channel: the person's\n"
    "      channel (default 0 of one, 1 of two; required for more); --input-range LO,HI: the model\n"
    "      takes RGB in [LO,HI] (default 0,1; e.g. -1,1 or 0,255); --mean-std MEAN,STD: it takes\n"
    "      (0..255 value - MEAN) / STD, the same for the three channels, or a mean and a std\n"
    "      for each of R, G, B (ImageNet's: 123.675,116.28,103.53,58.395,57.12,57.375); without\n"
    "      either, the model's TFLite metadata says, where it has a normalization (else 0,1)\n"},
  {"bench",
    "  pseg bench [--model M] [--precision P] [--device N] [--size WxH] [--iterations N]\n"
    "             [--batch N] [--pipeline K] [--repeat N] [--tier gpu|auto] [--cpu-threads N]\n"
    "             [--background blur|none] [--json]\n"
    "                                    per-frame time, latency, throughput, dispatches, memory\n"
    "      --batch N: N frames a submit (the batch a dimension of every dispatch; GPU tier)\n"
    "      --pipeline K: K submits in flight (submit the next before the last mask is read)\n"
    "      --repeat N: N submits one after another per timed iteration\n"
    "      --tier gpu: the GPU tier on any device (as PSEG_TIER=gpu)\n"
    "      --background blur: each frame's composite over a blurred copy too (copied out)\n"},
  {"profile",
    "  pseg profile [--model M] [--precision P] [--device N] [--size WxH] [--iterations N]\n"
    "               [--batch N] [--tier gpu|auto] [--stats] [--cpu-threads N] [--background blur|none]\n"
    "               [--trace OUT.json]\n"
    "                                    per-layer GPU time (table + Chrome/Perfetto trace)\n"
    "      --stats: the driver's statistics of each pipeline (registers, shared memory,\n"
    "      spills, instructions: VK_KHR_pipeline_executable_properties), where it has them\n"
    "      --batch: N frames a submit, each dispatch over all of them (times are a submit's)\n"
    "      --cpu-threads: lavapipe's worker threads (LP_NUM_THREADS); default: cores + 1\n"
    "      unless LP_NUM_THREADS is set; -1 leaves the driver's default\n"},
  {"conformance softmax",
    "  pseg conformance softmax [--device N|all] [--json FILE]\n"
    "      numerics of sigmoid / softmax / sigsoftmax heads, naive and stable, fp32 and fp16\n"},
  {"conformance models",
    "  pseg conformance models MODEL... --image IMG... [--device N|all] [--gate fp32|all]\n"
    "                          [--json FILE]\n"
    "      whole models in fp32, fp16 and fp16-all against their plain-C fp32 forward pass:\n"
    "      NaN/Inf counts, max |d| of the raw output and of the mask, IoU; pass/fail per row\n"},
  {"conformance reductions",
    "  pseg conformance reductions [--device N|all] [--json FILE]\n"
    "      large means and channel sums with fp16 / fp32 accumulation, softmax over +-Inf, NaN\n"
    "      and huge logits, against their expected answers\n"},
};
static const char usage_footer[] =
    "environment: PSEG_DEVICE=N picks a device, PSEG_VALIDATION=1 enables the Khronos\n"
    "validation layer (any message makes the command fail), PSEG_TIER=gpu|base|fast picks\n"
    "the kernel tier (default: gpu on GPUs, base then fast on CPU drivers).\n";

static void usage(FILE *f) {
  fprintf(f, "usage:\n");
  for (size_t i = 0; i < sizeof usage_sections / sizeof usage_sections[0]; i++) fputs(usage_sections[i].text, f);
  fputs(usage_footer, f);
}

void cli_usage(const char *cmd, FILE *f) {
  fprintf(f, "usage:\n");
  size_t n = strlen(cmd);
  for (size_t i = 0; i < sizeof usage_sections / sizeof usage_sections[0]; i++)
    if (!strncmp(usage_sections[i].cmd, cmd, n) && (!usage_sections[i].cmd[n] || usage_sections[i].cmd[n] == ' '))
      fputs(usage_sections[i].text, f); /* "conformance": its three */
  fputs(usage_footer, f);
}

int cli_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "%s: ", prog);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  return 1;
}

int cli_parse_precision(const char *s, pseg_context_create_info *ci) {
  ci->fp16_all_activations = 0;
  if (!strcmp(s, "fp32")) ci->precision = PSEG_PRECISION_FP32;
  else if (!strcmp(s, "fp16")) ci->precision = PSEG_PRECISION_FP16;
  else if (!strcmp(s, "fp16-all")) ci->precision = PSEG_PRECISION_FP16, ci->fp16_all_activations = 1;
  else if (!strcmp(s, "auto")) ci->precision = PSEG_PRECISION_AUTO;
  else return -1;
  return 0;
}

int cli_parse_index(const char *s, int *out) {
  char *end;
  long v = strtol(s, &end, 10);
  if (*end || !*s || v < 0 || v > 1000) return -1;
  *out = (int)v;
  return 0;
}

const char *cli_precision_name(const pseg_context *ctx) {
  if (pseg_context_precision(ctx) != PSEG_PRECISION_FP16) return "fp32";
  return pseg_context_fp16_activations(ctx) ? "fp16-all" : "fp16";
}

/* A TFLite file (its identifier "TFL3" at byte 4) is converted here with the defaults. */
static int load_tflite(pseg_context *ctx, const char *path, pseg_model **md, int *was_tflite) {
  char err[512];
  unsigned char head[8];
  *was_tflite = 0;
  FILE *f = fopen(path, "rb");
  if (!f) return 0; /* the loader says why */
  size_t n = fread(head, 1, sizeof head, f);
  fclose(f);
  if (n != sizeof head || memcmp(head + 4, "TFL3", 4)) return 0;
  *was_tflite = 1;
  void *data;
  size_t size;
  pseg_fmt_model m;
  if (pseg_read_file(path, &data, &size, err, sizeof err)) return cli_error("%s", err);
  int rc = pseg_convert_tflite(data, size, &m, err, sizeof err);
  free(data);
  if (rc) return cli_error("%s: %s (a TFLite model, converted here with the defaults: convert it with pseg convert and its options)", path, err);
  uint8_t *bytes;
  size_t nb;
  rc = pseg_fmt_serialize(&m, &bytes, &nb);
  pseg_fmt_free(&m);
  if (rc) return cli_error("out of memory");
  pseg_result r = pseg_model_load_memory(ctx, bytes, nb, md);
  free(bytes);
  return r ? cli_error("%s: %s", path, pseg_context_last_error(ctx)) : 0;
}

int cli_load_model(pseg_context *ctx, const char *model, pseg_model **md) {
  pseg_result r;
  if (!strcmp(model, "selfie")) r = pseg_model_load_builtin(ctx, PSEG_MODEL_SELFIE, md);
  else if (!strcmp(model, "selfie-landscape")) r = pseg_model_load_builtin(ctx, PSEG_MODEL_SELFIE_LANDSCAPE, md);
  else {
    int tfl, rc = load_tflite(ctx, model, md, &tfl);
    if (tfl) return rc;
    r = pseg_model_load_file(ctx, model, md);
  }
  return r ? cli_error("%s", pseg_context_last_error(ctx)) : 0;
}

const char *cli_ext(const char *path) {
  const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
  return (dot && (!slash || dot > slash)) ? dot : "";
}

static int cmd_devices(int argc, char **argv) {
  if (argc > 1) {
    int help = !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h");
    if (!help) fprintf(stderr, "%s: devices takes no argument (got '%s')\n", prog, argv[1]);
    cli_usage("devices", help ? stdout : stderr);
    return help ? 0 : 2;
  }
  pseg_device_info infos[16];
  uint32_t n = 0;
  char err[512] = "";
  pseg_result r = pseg_list_devices(infos, 16, &n, err, sizeof err);
  if (r) return cli_error("%s", err);
  for (uint32_t i = 0; i < n && i < 16; i++) {
    const pseg_device_info *d = &infos[i];
    printf("%u: %s%s\n", i, d->name, d->is_cpu ? " (CPU)" : "");
    printf("   vendor 0x%04x device 0x%04x, Vulkan %u.%u.%u, driver %s (version 0x%x)\n", d->vendor_id, d->device_id,
           d->api_version >> 22, (d->api_version >> 12) & 0x3ff, d->api_version & 0xfff,
           d->driver[0] ? d->driver : "?", d->driver_version);
    printf("   fp16 (shaderFloat16 + 16-bit storage): %s, subgroup size %u, timestamps: %s (period %.3g ns)\n",
           d->fp16 ? "yes" : "no", d->subgroup_size, d->timestamps ? "yes" : "no", (double)d->timestamp_period_ns);
    printf("   integer models: integer dot products %s (%s); 8-bit storage %s (not needed: int8 weights, and the "
           "int8 tensors between integer layers, are packed four to a 32-bit word on every device)\n",
           d->int_dot_product ? "yes" : "no",
           !d->int_dot_product       ? "the int8 convs sum their products in fp32, exactly"
           : d->int_dot_accelerated ? "accelerated: the int8 convs and transposed convs sum packed dot products"
                                    : "not accelerated: the int8 convs sum packed dot products, the transposed convs int32 products",
           d->int8_storage ? "yes" : "no");
  }
  return 0;
}

static int cmd_convert(int argc, char **argv) {
  static const struct option opts[] = {{"output", required_argument, 0, 'o'},
                                       {"person-channel", required_argument, 0, 'c'},
                                       {"input-range", required_argument, 0, 'r'},
                                       {"mean-std", required_argument, 0, 'm'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  pseg_convert_options co = {PSEG_OUTPUT_AUTO, -1, {0}, {0}, 0};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
    case 'o':
      if (!strcmp(optarg, "probability")) co.output = PSEG_OUTPUT_PROBABILITY;
      else if (!strcmp(optarg, "logits")) co.output = PSEG_OUTPUT_LOGITS;
      else if (!strcmp(optarg, "auto")) co.output = PSEG_OUTPUT_AUTO;
      else return cli_error("--output must be probability, logits or auto (got '%s')", optarg);
      break;
    case 'r': { /* LO,HI: RGB in [0,1] maps to [LO,HI] */
      char *e;
      double lo = strtod(optarg, &e), hi = *e == ',' ? strtod(e + 1, &e) : 0;
      if (*e || !(hi > lo) || lo < -1e5 || hi > 1e5)
        return cli_error("--input-range must be LO,HI with LO < HI, such as 0,1 or -1,1 or 0,255 (got '%s')", optarg);
      for (int k = 0; k < 3; k++) co.input_scale[k] = (float)(hi - lo), co.input_offset[k] = (float)lo;
      co.input_given = 1;
      break;
    }
    case 'm': { /* MEAN,STD or MR,MG,MB,SR,SG,SB on 0..255 values: (255 x - MEAN) / STD */
      char *e = optarg;
      double v[6];
      int n = 0;
      while (n < 6) {
        v[n++] = strtod(e, &e);
        if (*e != ',') break;
        e++;
      }
      int bad = *e || (n != 2 && n != 6);
      for (int k = 0; k < n && !bad; k++) bad = k < n / 2 ? !(v[k] >= -1e5 && v[k] <= 1e5) : !(v[k] > 0 && v[k] <= 1e5);
      if (bad)
        return cli_error("--mean-std must be MEAN,STD or three means then three standard deviations (R,G,B) of "
                         "0..255 values, each STD > 0, such as 127.5,127.5 or 123.675,116.28,103.53,58.395,57.12,57.375 "
                         "(got '%s')", optarg);
      double mean[3], sd[3];
      for (int k = 0; k < 3; k++) mean[k] = v[n == 2 ? 0 : k], sd[k] = v[n == 2 ? 1 : 3 + k];
      pseg_convert_set_mean_std(&co, mean, sd);
      co.input_given = 1;
      break;
    }
    case 'c':
      if (cli_parse_index(optarg, &co.person_channel) || co.person_channel < 0)
        return cli_error("--person-channel must be a channel index (got '%s')", optarg);
      break;
    case 'h': cli_usage("convert", stdout); return 0;
    default: cli_usage("convert", stderr); return 2;
    }
  }
  if (optind + 2 != argc) {
    fprintf(stderr, "%s convert: %s\n", prog, optind + 2 > argc ? "needs IN.tflite and OUT.pseg" : "takes one input and one output");
    cli_usage("convert", stderr);
    return 2;
  }
  char err[512];
  if (pseg_convert_file(argv[optind], argv[optind + 1], &co, err, sizeof err)) return cli_error("%s", err);
  return 0;
}

/* A trimap of the mask for matting tools: 255 where every pixel within `band` (a square of side
 * 2 band + 1) is the person (mask >= 0.5), 0 where none is, 128 (unknown) between: a band of
 * about 2 band pixels along the edge. Counts of the window by rows, then by columns: O(pixels). */
static int make_trimap(const float *mask, int w, int h, int band, uint8_t *out) {
  size_t n = (size_t)w * h;
  uint32_t *row = malloc(n * sizeof *row), *col = malloc((size_t)w * sizeof *col);
  if (!row || !col) return free(row), free(col), -1;
  for (int y = 0; y < h; y++) { /* fg count in [x - band, x + band] of the row */
    const float *m = mask + (size_t)y * w;
    uint32_t run = 0;
    for (int x = 0; x < band && x < w; x++) run += m[x] >= 0.5f;
    for (int x = 0; x < w; x++) {
      if (x + band < w) run += m[x + band] >= 0.5f;
      if (x - band - 1 >= 0) run -= m[x - band - 1] >= 0.5f;
      row[(size_t)y * w + x] = run;
    }
  }
  memset(col, 0, (size_t)w * sizeof *col);
  for (int y = 0; y < band && y < h; y++)
    for (int x = 0; x < w; x++) col[x] += row[(size_t)y * w + x];
  for (int y = 0; y < h; y++) {
    if (y + band < h)
      for (int x = 0; x < w; x++) col[x] += row[(size_t)(y + band) * w + x];
    if (y - band - 1 >= 0)
      for (int x = 0; x < w; x++) col[x] -= row[(size_t)(y - band - 1) * w + x];
    int y0 = y - band < 0 ? 0 : y - band, y1 = y + band >= h ? h - 1 : y + band;
    for (int x = 0; x < w; x++) {
      int x0 = x - band < 0 ? 0 : x - band, x1 = x + band >= w ? w - 1 : x + band;
      uint32_t area = (uint32_t)(x1 - x0 + 1) * (uint32_t)(y1 - y0 + 1), c = col[x];
      out[(size_t)y * w + x] = c == area ? 255 : c == 0 ? 0 : 128;
    }
  }
  free(row), free(col);
  return 0;
}

/* One photo's output: the mask (.npy floats, or 8-bit grey .png, also --matte), the composite
 * (comp, when a background was given: RGB .png), a cutout (RGBA, straight or premultiplied) or a
 * trimap. 0, or -1 with a one-line reason. */
int seg_write_output(const seg_output *o, const char *output, const img_rgb *frame, const float *mask,
                     const uint8_t *comp, char *err, size_t errlen) {
  size_t n = (size_t)frame->width * frame->height;
  if (o->npy) return npy_save_f32(output, mask, frame->height, frame->width, err, errlen) ? -1 : 0;
  int ch = comp ? 3 : o->cutout ? 4 : 1;
  uint8_t *px = malloc(n * (size_t)ch);
  if (!px) return snprintf(err, errlen, "out of memory"), -1;
  if (comp) {
    for (size_t i = 0; i < n; i++) memcpy(px + 3 * i, comp + 4 * i, 3);
  } else if (o->cutout) { /* RGBA, the mask as alpha (straight, or the colour multiplied by it) */
    for (size_t i = 0; i < n; i++) {
      uint8_t a = (uint8_t)(mask[i] * 255.0f + 0.5f);
      for (int k = 0; k < 3; k++)
        px[4 * i + k] = o->premul ? (uint8_t)((frame->rgb[3 * i + k] * a + 127) / 255) : frame->rgb[3 * i + k];
      px[4 * i + 3] = a;
    }
  } else if (o->trimap) {
    if (make_trimap(mask, frame->width, frame->height, o->trimap, px)) {
      free(px);
      return snprintf(err, errlen, "out of memory"), -1;
    }
  } else { /* the mask, 8-bit grey (also --matte) */
    for (size_t i = 0; i < n; i++) px[i] = (uint8_t)(mask[i] * 255.0f + 0.5f);
  }
  int r = img_save_png(output, px, frame->width, frame->height, ch, err, errlen);
  free(px);
  return r ? -1 : 0;
}

static int cmd_segment(int argc, char **argv) {
  static const struct option opts[] = {{"model", required_argument, 0, 'm'},
                                       {"precision", required_argument, 0, 'p'},
                                       {"device", required_argument, 0, 'd'},
                                       {"background", required_argument, 0, 'b'},
                                       {"output", required_argument, 0, 'o'},
                                       {"prior", required_argument, 0, 'P'},
                                       {"cutout", no_argument, 0, 'C'},
                                       {"premultiplied", no_argument, 0, 'M'},
                                       {"matte", no_argument, 0, 'A'},
                                       {"trimap", required_argument, 0, 'T'},
                                       {"tta", required_argument, 0, 'F'},
                                       {"cleanup", no_argument, 0, 'K'},
                                       {"guided", no_argument, 0, 'G'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  int cutout = 0, premul = 0, matte = 0, trimap = 0, tta = 1; /* --tta flip by default: README "Better masks" */
  int cleanup = 0, guided = 0;
  const char *model = "selfie", *output = NULL, *background = NULL, *prior_path = NULL;
  pseg_context_create_info ci = {.device_index = -1, .precision = PSEG_PRECISION_AUTO};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "m:p:d:b:o:h", opts, NULL)) != -1) {
    switch (c) {
    case 'm': model = optarg; break;
    case 'p':
      if (cli_parse_precision(optarg, &ci)) return cli_error("--precision must be fp32, fp16, fp16-all or auto (got '%s')", optarg);
      break;
    case 'd':
      if (cli_parse_index(optarg, &ci.device_index)) return cli_error("--device must be a device index (got '%s')", optarg);
      break;
    case 'b': background = optarg; break;
    case 'o': output = optarg; break;
    case 'P': prior_path = optarg; break;
    case 'C': cutout = 1; break;
    case 'K': cleanup = 1; break;
    case 'G': guided = 1; break;
    case 'F':
      if (strcmp(optarg, "flip") && strcmp(optarg, "none")) return cli_error("--tta must be flip or none (got '%s')", optarg);
      tta = !strcmp(optarg, "flip");
      break;
    case 'M': premul = 1; break;
    case 'A': matte = 1; break;
    case 'T': {
      char *end;
      long v = strtol(optarg, &end, 10);
      if (*end || !*optarg || v < 1 || v > 1000) return cli_error("--trimap takes the unknown band's half-width in pixels, 1..1000 (got '%s')", optarg);
      trimap = (int)v;
      break;
    }
    case 'h': cli_usage("segment", stdout); return 0;
    default: cli_usage("segment", stderr); return 2;
    }
  }
  if (optind >= argc || !output) {
    fprintf(stderr, "%s segment: %s\n", prog, optind >= argc ? "needs an INPUT image" : "needs -o OUTPUT.png, OUTPUT.npy or DIR/");
    cli_usage("segment", stderr);
    return 2;
  }
  /* many photos (several inputs, a directory of them, or -o DIR/) into a directory (tools/pseg_batch.c);
   * its output must say it is one: a name ending in '/', or an existing directory */
  struct stat ost, ist;
  size_t olen = strlen(output);
  int out_slash = olen && output[olen - 1] == '/', out_dir = !stat(output, &ost) && S_ISDIR(ost.st_mode);
  int many = optind + 1 < argc || out_slash || (!stat(argv[optind], &ist) && S_ISDIR(ist.st_mode));
  if (many && !out_slash && !out_dir) {
    fprintf(stderr, "%s segment: takes one INPUT image per -o FILE; for several (or a directory), -o DIR/\n", prog);
    cli_usage("segment", stderr);
    return 2;
  }
  if (many) {
    if (prior_path) return cli_error("--prior takes one photo (a prior mask belongs to one frame)");
    if ((background != NULL) + cutout + matte + (trimap > 0) > 1)
      return cli_error("choose one output: --background, --cutout, --matte or --trimap");
    if (premul && !cutout) return cli_error("--premultiplied belongs to --cutout");
    seg_batch_opts bo = {.ci = ci, .model = model, .tta = tta, .cleanup = cleanup, .guided = guided,
                         .out = {0, cutout, premul, matte, trimap}};
    if (background) {
      bo.background = strcmp(background, "blur") ? PSEG_BACKGROUND_IMAGE : PSEG_BACKGROUND_BLUR;
      if (bo.background == PSEG_BACKGROUND_IMAGE) bo.background_path = background;
    }
    return seg_batch(&bo, argv + optind, argc - optind, output);
  }
  const char *input = argv[optind];
  const char *ext = cli_ext(output);
  int npy = !strcasecmp(ext, ".npy"), png = !strcasecmp(ext, ".png");
  if (!npy && !png) return cli_error("%s: output must end in .png or .npy", output);
  if (npy && background) return cli_error("--background makes a composite image: write it to a .png, not %s", output);
  if ((background != NULL) + cutout + matte + (trimap > 0) > 1)
    return cli_error("choose one output: --background, --cutout, --matte or --trimap");
  if (premul && !cutout) return cli_error("--premultiplied belongs to --cutout");
  if (npy && (cutout || matte || trimap)) return cli_error("--cutout, --matte and --trimap write a .png, not %s", output);
  const char *ins[4] = {input, background, prior_path, model};
  char err[600];
  if (out_check(output, ins, 4, err, sizeof err)) return cli_error("%s", err);

  img_rgb frame = {0}, bgimg = {0}, prior_img = {0};
  float *prior = NULL;
  int rc = 1;
  pseg_context *ctx = NULL;
  pseg_model *md = NULL;
  pseg_session *s = NULL;
  float *mask = NULL;
  uint8_t *comp = NULL;
  pseg_background bgmode = PSEG_BACKGROUND_NONE;
  /* the context first: the images' headers are checked against its largest frame before any
   * pixel is decoded (a small PNG can hold a 16384x16384 image) */
  pseg_result r = pseg_context_create(&ci, &ctx, err, sizeof err);
  if (r) {
    cli_error("%s", err);
    goto done;
  }
  const img_limit lim = {pseg_context_max_frame_pixels(ctx), pseg_context_device(ctx)->name};
  if (img_load_limited(input, &lim, &frame, err, sizeof err)) {
    cli_error("%s", err);
    goto done;
  }
  if (prior_path) { /* a mask image (grey, or the mean of R, G, B), stretched to the frame */
    img_rgb pr = {0};
    if (img_load_limited(prior_path, &lim, &pr, err, sizeof err)) {
      cli_error("--prior: %s", err);
      goto done;
    }
    if ((pr.width != frame.width || pr.height != frame.height) &&
        img_resize_bilinear_rgb(&pr, frame.width, frame.height, &prior_img)) {
      img_free(&pr);
      cli_error("out of memory");
      goto done;
    }
    if (!prior_img.rgb) prior_img = pr;
    else img_free(&pr);
    size_t np = (size_t)frame.width * frame.height;
    if (!(prior = malloc(np * sizeof(float)))) {
      img_free(&prior_img);
      cli_error("out of memory");
      goto done;
    }
    for (size_t i = 0; i < np; i++)
      prior[i] = (prior_img.rgb[3 * i] + prior_img.rgb[3 * i + 1] + prior_img.rgb[3 * i + 2]) / (3.0f * 255.0f);
    img_free(&prior_img);
  }
  if (background) {
    if (!strcmp(background, "blur")) {
      bgmode = PSEG_BACKGROUND_BLUR;
    } else {
      bgmode = PSEG_BACKGROUND_IMAGE;
      if (img_load_limited(background, &lim, &bgimg, err, sizeof err)) {
        cli_error("%s", err);
        goto done;
      }
    }
  }
  if (cli_load_model(ctx, model, &md)) goto done;
  pseg_image bgdesc = {bgimg.width, bgimg.height, PSEG_PIXEL_RGB8, 0, bgimg.rgb};
  /* one frame: the base kernels give the mask soonest (the fast ones pay off over many frames) */
  pseg_session_create_info si = {.width = frame.width, .height = frame.height, .flags = PSEG_SESSION_BASE_ONLY,
                                 .tta_flip = tta, .cleanup = cleanup, .guided = guided, .background = bgmode,
                                 .background_image = bgmode == PSEG_BACKGROUND_IMAGE ? &bgdesc : NULL};
  if (prior && !pseg_model_takes_prior(md)) {
    cli_error("--prior: the model %s takes no prior mask (its graph reads the RGB channels only)", model);
    goto done;
  }
  if ((r = pseg_session_create(md, &si, &s)) || (prior && (r = pseg_session_set_prior(s, prior)))) {
    cli_error("%s", pseg_context_last_error(ctx));
    goto done;
  }
  size_t n = (size_t)frame.width * frame.height;
  mask = malloc(n * sizeof(float));
  if (bgmode != PSEG_BACKGROUND_NONE) comp = malloc(n * 4);
  if (!mask || (bgmode != PSEG_BACKGROUND_NONE && !comp)) {
    cli_error("out of memory%s", "");
    goto done;
  }
  pseg_image fdesc = {frame.width, frame.height, PSEG_PIXEL_RGB8, 0, frame.rgb};
  if ((r = pseg_session_run(s, &fdesc, mask, comp))) {
    cli_error("%s", pseg_context_last_error(ctx));
    goto done;
  }
  if (pseg_context_validation_messages(ctx)) {
    cli_error("the Vulkan validation layer reported problems (see above)%s", "");
    goto done;
  }
  {
    seg_output so = {npy, cutout, premul, matte, trimap};
    if (seg_write_output(&so, output, &frame, mask, comp, err, sizeof err)) {
      cli_error("%s", err);
      goto done;
    }
  }
  rc = 0;
done:
  free(mask), free(comp), free(prior);
  pseg_session_destroy(s);
  pseg_model_destroy(md);
  uint32_t vmsgs = ctx ? pseg_context_validation_messages(ctx) : 0;
  pseg_context_destroy(ctx);
  if (rc == 0 && vmsgs) { /* a message during teardown: fail, and leave no output behind */
    fprintf(stderr, "%s: the Vulkan validation layer reported problems (see above)\n", prog);
    remove(output);
    rc = 1;
  }
  img_free(&frame);
  img_free(&bgimg);
  return rc;
}

#define PSEG_TOOL_STR_(x) #x
#define PSEG_TOOL_STR(x) PSEG_TOOL_STR_(x)
#define PSEG_TOOL_VERSION PSEG_TOOL_STR(PSEG_VERSION_MAJOR) "." PSEG_TOOL_STR(PSEG_VERSION_MINOR) "." PSEG_TOOL_STR(PSEG_VERSION_PATCH)

#ifdef PSEG_NO_VIDEO
/* pseg built with -DPSEG_VIDEO=OFF (no FFmpeg): pseg video says so */
int cmd_video(int argc, char **argv) {
  (void)argc, (void)argv;
  return cli_error("this pseg was built without video support (cmake -DPSEG_VIDEO=ON, with FFmpeg's libavformat, "
                   "libavcodec and libswscale development packages)%s", "");
}
#endif

int main(int argc, char **argv) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  t_start = (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "segment")) return cmd_segment(argc - 1, argv + 1);
  if (!strcmp(cmd, "devices")) return cmd_devices(argc - 1, argv + 1);
  if (!strcmp(cmd, "convert")) return cmd_convert(argc - 1, argv + 1);
  if (!strcmp(cmd, "bench")) return cmd_bench(argc - 1, argv + 1, t_start);
  if (!strcmp(cmd, "run")) return cmd_run(argc - 1, argv + 1);
  if (!strcmp(cmd, "compare")) return cmd_compare(argc - 1, argv + 1);
  if (!strcmp(cmd, "video")) return cmd_video(argc - 1, argv + 1);
  if (!strcmp(cmd, "profile")) return cmd_profile(argc - 1, argv + 1);
  if (!strcmp(cmd, "conformance")) return cmd_conformance(argc - 1, argv + 1);
  if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
    printf("pseg %s (libpseg %s)\n", PSEG_TOOL_VERSION, pseg_version());
    return 0;
  }
  if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
    usage(stdout);
    return 0;
  }
  fprintf(stderr, "%s: unknown command '%s'\n", prog, cmd);
  usage(stderr);
  return 2;
}
