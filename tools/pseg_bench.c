/* pseg bench and pseg profile. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <sys/resource.h>

#include "../include/pseg.h"
#include "convert.h"
#include "outfile.h"
#include "pseg_cli.h"

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

typedef struct bench_opts {
  const char *model;
  pseg_context_create_info ci;
  int width, height; /* 0: the model's input size */
  int iterations, repeat, batch, in_flight, json;
  int gpu_tier; /* --tier gpu: the GPU tier whatever the device */
  int stats;    /* profile --stats: the driver's pipeline statistics */
  int blur;     /* --background blur: the composite over a blurred frame too */
  const char *trace;
} bench_opts;

/* A usage error: the message, and exit code 2 as for the other subcommands. */
#define USAGE(...) (cli_error(__VA_ARGS__), 2)

/* s as a JSON string body (quotes, backslashes and control characters escaped). */
static const char *json_str(const char *s, char *buf, size_t n) {
  size_t k = 0;
  for (; *s && k + 7 < n; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') buf[k++] = '\\', buf[k++] = (char)c;
    else if (c < 0x20) k += (size_t)snprintf(buf + k, n - k, "\\u%04x", c);
    else buf[k++] = (char)c;
  }
  buf[k] = 0;
  return buf;
}

/* An integer option in lo..hi: 0, or -1 (not a number, empty, or out of range). */
static int int_arg(const char *s, int lo, int hi, int *out) {
  char *end;
  long v = strtol(s, &end, 10);
  if (*end || !*s || v < lo || v > hi) return -1;
  *out = (int)v;
  return 0;
}

static int parse(int argc, char **argv, bench_opts *o, int profile) {
  static const struct option opts[] = {{"model", required_argument, 0, 'm'},
                                       {"precision", required_argument, 0, 'p'},
                                       {"device", required_argument, 0, 'd'},
                                       {"size", required_argument, 0, 's'},
                                       {"iterations", required_argument, 0, 'n'},
                                       {"batch", required_argument, 0, 'b'},
                                       {"repeat", required_argument, 0, 'r'},
                                       {"pipeline", required_argument, 0, 'P'},
                                       {"tier", required_argument, 0, 'T'},
                                       {"stats", no_argument, 0, 'S'},
                                       {"json", no_argument, 0, 'j'},
                                       {"trace", required_argument, 0, 't'},
                                       {"cpu-threads", required_argument, 0, 'c'},
                                       {"background", required_argument, 0, 'B'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  memset(o, 0, sizeof *o);
  o->model = "selfie";
  o->ci.device_index = -1;
  o->iterations = profile ? 20 : 100;
  o->batch = 1, o->repeat = 1;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case 'm': o->model = optarg; break;
    case 'p':
      if (cli_parse_precision(optarg, &o->ci)) return USAGE("--precision must be fp32, fp16, fp16-all or auto (got '%s')", optarg);
      break;
    case 'd':
      if (cli_parse_index(optarg, &o->ci.device_index)) return USAGE("--device must be a device index (got '%s')", optarg);
      break;
    case 's':
      if (sscanf(optarg, "%dx%d", &o->width, &o->height) != 2 || o->width < 1 || o->height < 1 || o->width > 16384 ||
          o->height > 16384)
        return USAGE("--size must be WxH, e.g. 1280x720 (got '%s')", optarg);
      break;
    case 'n':
      if (int_arg(optarg, 1, 1000000, &o->iterations)) return USAGE("--iterations must be 1..1000000 (got '%s')", optarg);
      break;
    case 'b':
      if (int_arg(optarg, 1, 65535, &o->batch)) return USAGE("--batch must be 1..65535 (got '%s')", optarg);
      break;
    case 'r':
      if (profile) return USAGE("--repeat belongs to 'pseg bench'%s", "");
      if (int_arg(optarg, 1, 100000, &o->repeat)) return USAGE("--repeat must be 1..100000 (got '%s')", optarg);
      break;
    case 'P':
      if (profile) return USAGE("--pipeline belongs to 'pseg bench'%s", "");
      if (int_arg(optarg, 2, 8, &o->in_flight))
        return USAGE("--pipeline must be 2..8 submits in flight (got '%s')", optarg);
      break;
    case 'S':
      if (!profile) return USAGE("--stats belongs to 'pseg profile'%s", "");
      o->stats = 1, o->ci.pipeline_stats = 1;
      break;
    case 'T':
      if (!strcmp(optarg, "gpu")) o->gpu_tier = 1;
      else if (strcmp(optarg, "auto")) return USAGE("--tier must be gpu or auto (got '%s')", optarg);
      break;
    case 'j': o->json = 1; break;
    case 'B':
      if (!strcmp(optarg, "blur")) o->blur = 1;
      else if (strcmp(optarg, "none")) return USAGE("--background must be blur or none (got '%s')", optarg);
      break;
    case 'c':
      if (int_arg(optarg, -1, 1024, &o->ci.cpu_threads)) return USAGE("--cpu-threads must be -1..1024 (got '%s')", optarg);
      break;
    case 't':
      if (!profile) return USAGE("--trace belongs to 'pseg profile'%s", "");
      o->trace = optarg;
      break;
    case 'h': cli_usage(profile ? "profile" : "bench", stdout); return -1; /* exit 0 */
    default: cli_usage(profile ? "profile" : "bench", stderr); return 2;
    }
  }
  if (optind != argc) return USAGE("unexpected argument '%s'", argv[optind]);
  return 0;
}

/* A synthetic frame: smooth gradients (content does not change the work done). */
static uint8_t *make_frame(int w, int h) {
  uint8_t *px = malloc((size_t)w * h * 3);
  if (!px) return NULL;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      uint8_t *p = px + ((size_t)y * w + x) * 3;
      p[0] = (uint8_t)(x * 255 / w), p[1] = (uint8_t)(y * 255 / h), p[2] = (uint8_t)((x + y) & 255);
    }
  return px;
}

typedef struct bench_ctx {
  pseg_context *ctx;
  pseg_model *md;
  pseg_session *s;
  uint8_t *frame;
  pseg_image *frames; /* the batch: the same frame, batch times */
  float *mask;        /* in_flight x batch masks */
  uint8_t *comp;      /* --background blur: in_flight x batch composites (else NULL) */
  int w, h, batch, in_flight;
  double t_ctx, t_model, t_session; /* when each was ready (now_ms) */
} bench_ctx;

static void bench_free(bench_ctx *b) {
  pseg_session_destroy(b->s);
  pseg_model_destroy(b->md);
  pseg_context_destroy(b->ctx);
  free(b->frame);
  free(b->frames);
  free(b->mask);
  free(b->comp);
}

static int bench_setup(bench_opts *o, bench_ctx *b, uint32_t flags) {
  memset(b, 0, sizeof *b);
  char err[512];
  if (pseg_context_create(&o->ci, &b->ctx, err, sizeof err)) return cli_error("%s", err);
  b->t_ctx = now_ms();
  if (cli_load_model(b->ctx, o->model, &b->md)) return 1;
  b->t_model = now_ms();
  int mw, mh;
  pseg_model_input_size(b->md, &mw, &mh);
  b->w = o->width ? o->width : mw;
  b->h = o->height ? o->height : mh;
  b->batch = o->batch, b->in_flight = o->in_flight ? o->in_flight : 1;
  pseg_session_create_info si = {.width = b->w, .height = b->h, .flags = flags | (o->gpu_tier ? PSEG_SESSION_GPU_TIER : 0),
                                 .batch = b->batch, .in_flight = b->in_flight,
                                 .background = o->blur ? PSEG_BACKGROUND_BLUR : PSEG_BACKGROUND_NONE};
  if (pseg_session_create(b->md, &si, &b->s)) return cli_error("%s", pseg_context_last_error(b->ctx));
  b->t_session = now_ms();
  b->frame = make_frame(b->w, b->h);
  b->frames = malloc((size_t)b->batch * sizeof *b->frames);
  b->mask = malloc((size_t)b->w * b->h * sizeof(float) * (size_t)b->batch * (size_t)b->in_flight);
  if (o->blur) b->comp = malloc((size_t)b->w * b->h * 4 * (size_t)b->batch * (size_t)b->in_flight);
  if (!b->frame || !b->frames || !b->mask || (o->blur && !b->comp)) return cli_error("out of memory%s", "");
  for (int k = 0; k < b->batch; k++) b->frames[k] = (pseg_image){b->w, b->h, PSEG_PIXEL_RGB8, 0, b->frame};
  return 0;
}

/* One submit of the batch and its wait. */
static int run_frame(bench_ctx *b) {
  if (pseg_session_run_batch(b->s, b->frames, (uint32_t)b->batch, b->mask, b->comp))
    return cli_error("%s", pseg_context_last_error(b->ctx));
  return 0;
}

/* Pipelined: `in_flight` submits kept pending; each iteration waits for the oldest and submits
 * again. wall[i]: time between successive waits' returns (per submit), lat[i]: submit to mask. */
static int run_pipelined(bench_ctx *b, int iterations, double *wall, double *lat, double *gpu, double *comp,
                         double *total_ms) {
  uint64_t tickets[8];
  size_t per = (size_t)b->w * b->h * (size_t)b->batch;
  for (int j = 0; j < b->in_flight; j++)
    if (pseg_session_submit(b->s, b->frames, (uint32_t)b->batch, &tickets[j])) return cli_error("%s", pseg_context_last_error(b->ctx));
  double t0 = now_ms(), prev = t0;
  for (int i = 0; i < iterations; i++) {
    int j = i % b->in_flight;
    pseg_session_stats st;
    if (pseg_session_wait(b->s, tickets[j], b->mask + per * (size_t)j, b->comp ? b->comp + per * 4 * (size_t)j : NULL))
      return cli_error("%s", pseg_context_last_error(b->ctx));
    double t = now_ms();
    pseg_session_get_stats(b->s, &st);
    wall[i] = t - prev, lat[i] = st.latency_ms, gpu[i] = st.gpu_ms, comp[i] = st.gpu_compute_ms;
    prev = t;
    if (pseg_session_submit(b->s, b->frames, (uint32_t)b->batch, &tickets[j])) return cli_error("%s", pseg_context_last_error(b->ctx));
  }
  *total_ms = now_ms() - t0;
  for (int k = 0; k < b->in_flight; k++) /* drain: the oldest first */
    if (pseg_session_wait(b->s, tickets[(iterations + k) % b->in_flight], NULL, NULL))
      return cli_error("%s", pseg_context_last_error(b->ctx));
  return 0;
}

/* The process's CPU time so far (user + system, every thread: on a CPU driver its workers), ms. */
static double cpu_ms(void) {
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru)) return -1;
  return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-3;
}

/* The process's resident host memory now (/proc/self/statm), in MB; -1 where unknown. */
static double host_rss_mb(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  long pages = 0, rss = 0;
  if (!f) return -1;
  int ok = fscanf(f, "%ld %ld", &pages, &rss) == 2;
  fclose(f);
  return ok ? (double)rss * (double)sysconf(_SC_PAGESIZE) / 1048576.0 : -1;
}

int cmd_bench(int argc, char **argv, double t_start) {
  bench_opts o;
  int rc = parse(argc, argv, &o, 0);
  if (rc) return rc < 0 ? 0 : rc;
  bench_ctx b;
  if (bench_setup(&o, &b, 0) || run_frame(&b)) {
    bench_free(&b);
    return 1;
  }
  double first_mask_ms = now_ms() - t_start;
  /* the steady state: the fast kernels, built on a background thread after the first mask */
  if (pseg_session_wait_fast(b.s)) return bench_free(&b), cli_error("%s", pseg_context_last_error(b.ctx));
  double fast_ms = now_ms() - t_start;
  for (int i = 0; i < 5; i++) /* warm-up */
    if (run_frame(&b)) return bench_free(&b), 1;
  int n = o.iterations;
  double *wall = malloc(sizeof(double) * (size_t)n), *gpu = malloc(sizeof(double) * (size_t)n);
  double *lat = malloc(sizeof(double) * (size_t)n), *comp = malloc(sizeof(double) * (size_t)n), total_ms = 0;
  if (!wall || !gpu || !lat || !comp)
    return bench_free(&b), free(wall), free(gpu), free(lat), free(comp), cli_error("out of memory%s", "");
  pseg_session_stats st;
  double cpu0 = cpu_ms();
  if (o.in_flight) {
    if (run_pipelined(&b, n, wall, lat, gpu, comp, &total_ms))
      return bench_free(&b), free(wall), free(gpu), free(lat), free(comp), 1;
  } else {
    double t_all = now_ms();
    for (int i = 0; i < n; i++) {
      double t0 = now_ms(), g = 0, l = 0, c = 0;
      for (int k = 0; k < o.repeat; k++) {
        if (run_frame(&b)) return bench_free(&b), free(wall), free(gpu), free(lat), free(comp), 1;
        pseg_session_get_stats(b.s, &st);
        g += st.gpu_ms, l += st.latency_ms, c += st.gpu_compute_ms;
      }
      wall[i] = (now_ms() - t0) / o.repeat;
      gpu[i] = g / o.repeat, lat[i] = l / o.repeat, comp[i] = c / o.repeat;
    }
    total_ms = now_ms() - t_all;
  }
  double frames = (double)n * o.repeat * o.batch, fps = frames / (total_ms * 1e-3);
  /* CPU time a frame of the timed loop: on a CPU driver, the driver's work, which time taken by
   * other guests of a shared host (steal) does not inflate as it does wall time (bench/ab.sh
   * AB_METRIC=cpu_ms_per_frame) */
  double cpu_frame = cpu0 >= 0 ? (cpu_ms() - cpu0) / frames : -1;
  qsort(wall, (size_t)n, sizeof(double), cmp_double);
  qsort(gpu, (size_t)n, sizeof(double), cmp_double);
  qsort(lat, (size_t)n, sizeof(double), cmp_double);
  qsort(comp, (size_t)n, sizeof(double), cmp_double);
  pseg_session_get_stats(b.s, &st);
  const pseg_device_info *dev = pseg_context_device(b.ctx);
  const char *prec = cli_precision_name(b.ctx);
  /* per frame: a submit's time over its frames */
  double med = wall[n / 2] / o.batch, gmed = gpu[n / 2], lmed = lat[n / 2], cmed = comp[n / 2];
  int has_gpu = st.gpu_ms >= 0;
  double rss_mb = host_rss_mb();
  if (o.json) {
    char jm[1024], jd[600], jr[600];
    printf("{\"model\": \"%s\", \"precision\": \"%s\", \"device\": \"%s\", \"driver\": \"%s\", \"width\": %d, "
           "\"height\": %d, \"iterations\": %d, \"repeat\": %d, \"batch\": %d, \"in_flight\": %d, "
           "\"ms_median\": %.4f, \"ms_min\": %.4f, \"ms_max\": %.4f, \"latency_ms_median\": %.4f, "
           "\"gpu_ms_median\": %s%.4f, \"gpu_us_per_frame\": %s%.3f, \"gpu_compute_us_per_frame\": %s%.3f, "
           "\"frames_per_s\": %.1f, \"cpu_ms_per_frame\": %.3f, \"dispatches\": %u, "
           "\"weight_bytes\": %llu, \"activation_bytes\": %llu, \"io_bytes\": %llu, \"first_mask_ms\": %.2f, "
           "\"fast_kernels\": %s, \"fast_ready_ms\": %.2f, \"cpu_threads\": %d, \"tier\": \"%s\", \"pipelines\": %u, "
           "\"host_rss_mb\": %.1f, \"background\": \"%s\", "
           "\"startup_ms\": {\"context\": %.2f, \"model\": %.2f, \"session\": %.2f, \"first_frame\": %.2f}}\n",
           json_str(o.model, jm, sizeof jm), prec, json_str(dev->name, jd, sizeof jd), json_str(dev->driver, jr, sizeof jr),
           b.w, b.h, n, o.repeat, o.batch, o.in_flight ? o.in_flight : 1, med, wall[0] / o.batch,
           wall[n - 1] / o.batch, lmed, has_gpu ? "" : "-", has_gpu ? gmed : 1.0, has_gpu ? "" : "-",
           has_gpu ? gmed * 1e3 / o.batch : 1.0, has_gpu ? "" : "-", has_gpu ? cmed * 1e3 / o.batch : 1.0, fps, cpu_frame,
           st.dispatches, (unsigned long long)st.weight_bytes,
           (unsigned long long)st.activation_bytes, (unsigned long long)st.io_bytes, first_mask_ms,
           st.fast ? "true" : "false", fast_ms, pseg_context_cpu_threads(b.ctx), pseg_tier_name(st.tier), st.pipelines, rss_mb,
           o.blur ? "blur" : "none", b.t_ctx - t_start, b.t_model - b.t_ctx, b.t_session - b.t_model, first_mask_ms - (b.t_session - t_start));
  } else {
    printf("model %s, %s, %dx%d frames%s, device %s, %s tier", o.model, prec, b.w, b.h,
           o.blur ? " and composites over a blur" : "", dev->name, pseg_tier_name(st.tier));
    if (dev->is_cpu) printf(" (%d worker threads)", pseg_context_cpu_threads(b.ctx));
    printf("\n");
    if (o.batch > 1 || o.in_flight)
      printf("%s%d frame%s a submit%s\n", o.in_flight ? "pipelined, " : "", o.batch, o.batch > 1 ? "s" : "",
             o.in_flight ? "" : ", each submit waited for");
    if (o.in_flight) printf("in flight: %d submits\n", o.in_flight);
    printf("per frame (wall, %d iterations x %d): median %.4f ms, min %.4f, max %.4f\n", n,
           o.in_flight ? o.batch : o.repeat * o.batch, med, wall[0] / o.batch, wall[n - 1] / o.batch);
    printf("throughput: %.1f frames/s; latency (submit to mask): median %.3f ms\n", fps, lmed);
    if (cpu_frame >= 0) printf("host CPU time: %.3f ms a frame (every thread of the process)\n", cpu_frame);
    if (has_gpu)
      printf("GPU time (timestamps): median %.4f ms a submit, %.2f us a frame; without the frame/mask copies "
             "%.2f us a frame\n", gmed, gmed * 1e3 / o.batch, cmed * 1e3 / o.batch);
    printf("dispatches per submit: %u (%u pipelines)\n", st.dispatches, st.pipelines);
    printf("device memory: weights %llu B, activations %llu B (%.0f B a frame), frame/mask buffers %llu B\n",
           (unsigned long long)st.weight_bytes, (unsigned long long)st.activation_bytes,
           (double)st.activation_bytes / o.batch, (unsigned long long)st.io_bytes);
    if (rss_mb >= 0) printf("host memory: %.1f MB resident (the whole process, now)\n", rss_mb);
    printf("process start to first mask: %.1f ms", first_mask_ms);
    if (st.tier == PSEG_TIER_GPU) printf("\n");
    else printf("; frames on the fast kernels from %.1f ms%s\n", fast_ms, st.fast ? "" : " (not used: PSEG_TIER=base)");
  }
  free(wall), free(gpu), free(lat), free(comp);
  bench_free(&b);
  return 0;
}

/* Pipeline statistics of each dispatch (profile --stats): nst[i] entries from st + i * PSEG_MAX_STATS. */
#define PSEG_MAX_STATS 24

static int write_trace(const char *path, const pseg_step_profile *p, uint32_t n, const char *model_raw,
                       const char *prec, const char *device_raw, const char *tier, const pseg_pipeline_stat *st,
                       const uint32_t *nst) {
  char model[1024], device[600];
  json_str(model_raw, model, sizeof model);
  json_str(device_raw, device, sizeof device);
  size_t cap = 8192 + (size_t)n * (400 + PSEG_MAX_STATS * 100), len = 0; /* an event line: < 400 bytes + stats */
  char *buf = malloc(cap);
  if (!buf) return cli_error("out of memory%s", "");
  len += (size_t)snprintf(buf + len, cap - len,
                          "{\"displayTimeUnit\": \"ns\", \"otherData\": {\"model\": \"%s\", \"precision\": \"%s\", "
                          "\"device\": \"%s\", \"tier\": \"%s\"},\n \"traceEvents\": [\n"
                          "  {\"name\": \"process_name\", \"ph\": \"M\", \"pid\": 1, \"tid\": 1, \"args\": {\"name\": \"pseg %s %s\"}},\n"
                          "  {\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": 1, \"tid\": 1, \"args\": {\"name\": \"GPU queue\"}}",
                          model, prec, device, tier, model, prec);
  double ts = 0;
  for (uint32_t i = 0; i < n; i++) {
    len += (size_t)snprintf(buf + len, cap - len,
                            ",\n  {\"name\": \"%s\", \"cat\": \"gpu\", \"ph\": \"X\", \"pid\": 1, \"tid\": 1, \"ts\": %.3f, "
                            "\"dur\": %.3f, \"args\": {\"layer\": %d, \"shape\": \"%dx%dx%d\", \"gflops\": %.3f, \"gbps\": %.3f, "
                            "\"workgroups\": %u, \"local_size\": %u, \"tile\": %u",
                            p[i].name, ts, p[i].us, p[i].layer, p[i].out_h, p[i].out_w, p[i].out_c,
                            p[i].us > 0 ? p[i].flops / (p[i].us * 1e3) : 0.0, p[i].us > 0 ? p[i].bytes / (p[i].us * 1e3) : 0.0,
                            p[i].workgroups, p[i].local_size, p[i].tile);
    for (uint32_t k = 0; nst && k < nst[i]; k++) { /* the driver's statistics, its names */
      char nm[160];
      len += (size_t)snprintf(buf + len, cap - len, ", \"%s\": %.6g", json_str(st[i * PSEG_MAX_STATS + k].name, nm, sizeof nm),
                              st[i * PSEG_MAX_STATS + k].value);
    }
    len += (size_t)snprintf(buf + len, cap - len, "}}");
    ts += p[i].us;
  }
  len += (size_t)snprintf(buf + len, cap - len, "\n ]\n}\n");
  char err[512];
  int rc = pseg_write_file_atomic(path, buf, len, err, sizeof err);
  free(buf);
  return rc ? cli_error("%s", err) : 0;
}

int cmd_profile(int argc, char **argv) {
  bench_opts o;
  int rc = parse(argc, argv, &o, 1);
  if (rc) return rc < 0 ? 0 : rc;
  if (o.trace) { /* before the work: the trace may not replace the model or a special file */
    const char *ins[1] = {o.model};
    char oerr[600];
    if (out_check(o.trace, ins, 1, oerr, sizeof oerr)) return cli_error("%s", oerr);
  }
  bench_ctx b;
  if (bench_setup(&o, &b, PSEG_SESSION_PROFILE | PSEG_SESSION_WAIT_FAST)) return bench_free(&b), 1;
  uint32_t n = 0;
  pseg_step_profile *runs = NULL, *med = NULL;
  double *col = NULL;
  pseg_pipeline_stat *pst = NULL; /* --stats */
  uint32_t *nst = NULL;
  rc = 1;
  if (run_frame(&b)) goto done;
  if (pseg_session_get_profile(b.s, NULL, 0, &n)) {
    cli_error("%s", pseg_context_last_error(b.ctx));
    goto done;
  }
  runs = calloc((size_t)n * (size_t)o.iterations, sizeof *runs);
  med = calloc(n, sizeof *med);
  col = calloc((size_t)o.iterations, sizeof *col);
  if (!runs || !med || !col) {
    cli_error("out of memory%s", "");
    goto done;
  }
  for (int i = 0; i < 3; i++)
    if (run_frame(&b)) goto done;
  for (int i = 0; i < o.iterations; i++) {
    uint32_t k;
    if (run_frame(&b) || pseg_session_get_profile(b.s, runs + (size_t)i * n, n, &k)) goto done;
  }
  double total = 0;
  for (uint32_t j = 0; j < n; j++) {
    for (int i = 0; i < o.iterations; i++) col[i] = runs[(size_t)i * n + j].us;
    qsort(col, (size_t)o.iterations, sizeof(double), cmp_double);
    med[j] = runs[j];
    med[j].us = col[o.iterations / 2];
    total += med[j].us;
  }
  const char *prec = cli_precision_name(b.ctx);
  pseg_session_stats st;
  pseg_session_get_stats(b.s, &st);
  printf("model %s, %s, device %s, %s tier: per-dispatch GPU time, median of %d %s\n", o.model, prec,
         pseg_context_device(b.ctx)->name, pseg_tier_name(st.tier), o.iterations, o.batch > 1 ? "submits" : "frames");
  if (o.batch > 1) printf("batch %d: each dispatch runs every frame of the batch; times are a submit's\n", o.batch);
  if (o.stats) {
    pst = calloc((size_t)n * PSEG_MAX_STATS, sizeof *pst), nst = calloc(n, sizeof *nst);
    if (!pst || !nst) {
      cli_error("out of memory%s", "");
      goto done;
    }
    for (uint32_t j = 0; j < n; j++) {
      uint32_t c = 0;
      if (pseg_session_get_pipeline_stats(b.s, j, pst + (size_t)j * PSEG_MAX_STATS, PSEG_MAX_STATS, &c)) {
        printf("pipeline statistics: not available: %s\n", pseg_context_last_error(b.ctx));
        free(pst), free(nst);
        pst = NULL, nst = NULL;
        break;
      }
      nst[j] = c < PSEG_MAX_STATS ? c : PSEG_MAX_STATS;
    }
  }
  printf("%4s %-28s %-14s %10s %7s %9s %8s %8s %5s\n", "#", "layer", "shape", "us", "share", "GFLOP/s", "GB/s",
         "groups", "tile");
  for (uint32_t j = 0; j < n; j++) {
    char shape[32];
    snprintf(shape, sizeof shape, "%dx%dx%d", med[j].out_h, med[j].out_w, med[j].out_c);
    char tile[16] = "-";
    if (med[j].tile) snprintf(tile, sizeof tile, "%u", med[j].tile);
    printf("%4u %-28s %-14s %10.1f %6.1f%% %9.2f %8.2f %8u %5s\n", j, med[j].name, shape, med[j].us,
           total > 0 ? 100.0 * med[j].us / total : 0.0, med[j].us > 0 ? o.batch * med[j].flops / (med[j].us * 1e3) : 0.0,
           med[j].us > 0 ? o.batch * med[j].bytes / (med[j].us * 1e3) : 0.0, med[j].workgroups, tile);
    if (nst && nst[j]) { /* the driver's statistics of the dispatch's pipeline, in its names */
      printf("       ");
      for (uint32_t k = 0; k < nst[j]; k++)
        printf("%s%s=%.6g", k ? ", " : "", pst[(size_t)j * PSEG_MAX_STATS + k].name, pst[(size_t)j * PSEG_MAX_STATS + k].value);
      printf("\n");
    }
  }
  printf("total %.1f us in %u dispatches\n", total, n);
  rc = o.trace ? write_trace(o.trace, med, n, o.model, prec, pseg_context_device(b.ctx)->name, pseg_tier_name(st.tier),
                             pst, nst)
               : 0;
  if (!rc && o.trace) printf("trace written to %s (open in https://ui.perfetto.dev or chrome://tracing)\n", o.trace);
done:
  free(runs), free(med), free(col), free(pst), free(nst);
  bench_free(&b);
  return rc;
}
