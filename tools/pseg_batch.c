/* pseg segment IMG... -o DIR/ (and directories as inputs): many photos through one context, one
 * model and a session per image size (the last few kept), decoding the next photos and writing
 * the last ones on threads of their own while the GPU works; a progress bar on a terminal (plain
 * lines when not a TTY) and a summary. A photo that cannot be read or written is reported and
 * skipped; the others are still written; the exit status is 1 when any failed. */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image_io.h"
#include "outfile.h"
#include "pseg_batch.h"

#define QUEUE 2    /* photos decoded ahead, and results waiting to be written */
#define SESSIONS 4 /* sessions kept (one per image size) */

typedef struct item {
  int index;         /* into the input list */
  img_rgb frame;     /* decoded (NULL rgb: failed, err says why) */
  float *mask;
  uint8_t *comp;
  char err[600];
} item;

typedef struct queue {
  item *slot[QUEUE];
  int head, count, closed;
  pthread_mutex_t mu;
  pthread_cond_t cv;
} queue;

static void q_init(queue *q) {
  memset(q, 0, sizeof *q);
  pthread_mutex_init(&q->mu, NULL);
  pthread_cond_init(&q->cv, NULL);
}
static void q_destroy(queue *q) {
  pthread_mutex_destroy(&q->mu);
  pthread_cond_destroy(&q->cv);
}
static void q_push(queue *q, item *it) {
  pthread_mutex_lock(&q->mu);
  while (q->count == QUEUE) pthread_cond_wait(&q->cv, &q->mu);
  q->slot[(q->head + q->count++) % QUEUE] = it;
  pthread_cond_broadcast(&q->cv);
  pthread_mutex_unlock(&q->mu);
}
static item *q_pop(queue *q) { /* NULL once closed and empty */
  pthread_mutex_lock(&q->mu);
  while (q->count == 0 && !q->closed) pthread_cond_wait(&q->cv, &q->mu);
  item *it = NULL;
  if (q->count) {
    it = q->slot[q->head];
    q->head = (q->head + 1) % QUEUE, q->count--;
    pthread_cond_broadcast(&q->cv);
  }
  pthread_mutex_unlock(&q->mu);
  return it;
}
static void q_close(queue *q) {
  pthread_mutex_lock(&q->mu);
  q->closed = 1;
  pthread_cond_broadcast(&q->cv);
  pthread_mutex_unlock(&q->mu);
}

typedef struct batch {
  const seg_batch_opts *o;
  char **in, **out; /* per photo: its path and its output's */
  int n;
  img_limit lim;
  queue decoded, done;
  pthread_mutex_t print_mu;
  int written, failed, tty;
  double t0;
} batch;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void item_free(item *it) {
  if (!it) return;
  img_free(&it->frame);
  free(it->mask), free(it->comp), free(it);
}

/* one photo finished (written, or failed with why): a line, or the progress bar redrawn */
static void report(batch *b, int index, const char *why) {
  pthread_mutex_lock(&b->print_mu);
  if (why) b->failed++;
  else b->written++;
  int k = b->written + b->failed;
  double dt = now_s() - b->t0, rate = dt > 0 ? k / dt : 0;
  if (why) /* the reason names the file already when it comes from the decoder */
    fprintf(stderr, "%s%s%s%s\n", b->tty ? "\r\033[K" : "", strstr(why, b->in[index]) == why ? "" : b->in[index],
            strstr(why, b->in[index]) == why ? "" : ": ", why);
  if (b->tty) {
    int w = 30, fill = b->n ? k * w / b->n : w;
    fprintf(stderr, "\r[%.*s%*s] %d/%d images, %d failed, %.1f images/s", fill, "==============================",
            w - fill, "", k, b->n, b->failed, rate);
    if (k == b->n) fputc('\n', stderr);
  } else if (!why) {
    fprintf(stderr, "%d/%d %s -> %s\n", k, b->n, b->in[index], b->out[index]);
  }
  fflush(stderr);
  pthread_mutex_unlock(&b->print_mu);
}

static void *decoder(void *arg) {
  batch *b = arg;
  for (int i = 0; i < b->n; i++) {
    item *it = calloc(1, sizeof *it);
    if (!it) break;
    it->index = i;
    if (img_load_limited(b->in[i], &b->lim, &it->frame, it->err, sizeof it->err)) img_free(&it->frame);
    q_push(&b->decoded, it);
  }
  q_close(&b->decoded);
  return NULL;
}

static void *encoder(void *arg) {
  batch *b = arg;
  item *it;
  while ((it = q_pop(&b->done))) {
    if (!it->err[0]) /* no partial file: the writer renames a complete one over the output */
      seg_write_output(&b->o->out, b->out[it->index], &it->frame, it->mask, it->comp, it->err, sizeof it->err);
    report(b, it->index, it->err[0] ? it->err : NULL);
    item_free(it);
  }
  return NULL;
}

static int image_ext(const char *name) {
  const char *d = strrchr(name, '.');
  return d && (!strcasecmp(d, ".png") || !strcasecmp(d, ".jpg") || !strcasecmp(d, ".jpeg"));
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int push_path(char ***v, int *n, int *cap, const char *s) {
  if (*n == *cap) {
    int nc = *cap ? 2 * *cap : 64;
    char **q = realloc(*v, (size_t)nc * sizeof *q);
    if (!q) return -1;
    *v = q, *cap = nc;
  }
  if (!((*v)[*n] = strdup(s))) return -1;
  (*n)++;
  return 0;
}

/* The inputs: files as given, directories as their .png / .jpg / .jpeg files in name order. */
static int expand(char **args, int nargs, char ***out, int *n) {
  int cap = 0;
  *out = NULL, *n = 0;
  for (int i = 0; i < nargs; i++) {
    struct stat st;
    if (stat(args[i], &st) || !S_ISDIR(st.st_mode)) {
      if (push_path(out, n, &cap, args[i])) return -1;
      continue;
    }
    DIR *d = opendir(args[i]);
    if (!d) return fprintf(stderr, "pseg: %s: %s\n", args[i], strerror(errno)), -1;
    int first = *n;
    struct dirent *e;
    size_t dl = strlen(args[i]);
    while ((e = readdir(d))) {
      if (e->d_name[0] == '.' || !image_ext(e->d_name)) continue;
      char *p = malloc(dl + strlen(e->d_name) + 2);
      if (!p) break;
      sprintf(p, "%s%s%s", args[i], dl && args[i][dl - 1] == '/' ? "" : "/", e->d_name);
      int r = push_path(out, n, &cap, p);
      free(p);
      if (r) break;
    }
    closedir(d);
    qsort(*out + first, (size_t)(*n - first), sizeof **out, cmp_str);
  }
  return 0;
}

int seg_batch(const seg_batch_opts *o, char **args, int nargs, const char *outdir) {
  batch b = {.o = o};
  char err[600];
  int rc = 2;
  if (expand(args, nargs, &b.in, &b.n)) return 1;
  if (!b.n) {
    fprintf(stderr, "pseg: no .png, .jpg or .jpeg photo in the inputs\n");
    goto out;
  }
  struct stat st;
  if (stat(outdir, &st) && mkdir(outdir, 0777) && errno != EEXIST) {
    fprintf(stderr, "pseg: %s: cannot create the output directory: %s\n", outdir, strerror(errno));
    goto out;
  }
  if (stat(outdir, &st) || !S_ISDIR(st.st_mode)) {
    fprintf(stderr, "pseg: %s: not a directory (several inputs need -o DIR/)\n", outdir);
    goto out;
  }
  /* each output: DIR/NAME.png (NAME: the photo's file name without its extension), unique */
  if (!(b.out = calloc((size_t)b.n, sizeof *b.out))) goto out;
  size_t dl = strlen(outdir);
  for (int i = 0; i < b.n; i++) {
    const char *base = strrchr(b.in[i], '/') ? strrchr(b.in[i], '/') + 1 : b.in[i];
    const char *dot = strrchr(base, '.');
    int bl = dot ? (int)(dot - base) : (int)strlen(base);
    if (!(b.out[i] = malloc(dl + (size_t)bl + 8))) goto out;
    sprintf(b.out[i], "%s%s%.*s%s", outdir, dl && outdir[dl - 1] == '/' ? "" : "/", bl, base, o->out.npy ? ".npy" : ".png");
    for (int j = 0; j < i; j++)
      if (!strcmp(b.out[i], b.out[j])) {
        fprintf(stderr, "pseg: %s and %s would both write %s\n", b.in[j], b.in[i], b.out[i]);
        goto out;
      }
    const char *ins[3] = {b.in[i], o->background_path, o->model};
    if (out_check(b.out[i], ins, 3, err, sizeof err)) {
      fprintf(stderr, "pseg: %s\n", err);
      goto out;
    }
  }

  rc = 1;
  pseg_context *ctx = NULL;
  pseg_model *md = NULL;
  struct {
    int w, h;
    pseg_session *s;
    unsigned used;
  } ses[SESSIONS] = {{0}};
  unsigned tick = 0;
  img_rgb bgimg = {0};
  pseg_context_create_info ci = o->ci;
  if (pseg_context_create(&ci, &ctx, err, sizeof err)) {
    fprintf(stderr, "pseg: %s\n", err);
    goto out;
  }
  b.lim = (img_limit){pseg_context_max_frame_pixels(ctx), pseg_context_device(ctx)->name};
  if (o->background_path && img_load_limited(o->background_path, &b.lim, &bgimg, err, sizeof err)) {
    fprintf(stderr, "pseg: %s\n", err);
    goto close;
  }
  if (cli_load_model(ctx, o->model, &md)) goto close;
  pseg_image bgdesc = {bgimg.width, bgimg.height, PSEG_PIXEL_RGB8, 0, bgimg.rgb};

  q_init(&b.decoded), q_init(&b.done);
  pthread_mutex_init(&b.print_mu, NULL);
  b.tty = isatty(2);
  b.t0 = now_s();
  pthread_t dec, enc;
  int started = !pthread_create(&dec, NULL, decoder, &b);
  if (started && pthread_create(&enc, NULL, encoder, &b)) {
    q_close(&b.decoded);
    pthread_join(dec, NULL);
    started = 0;
  }
  if (!started) {
    fprintf(stderr, "pseg: cannot start the decoding and encoding threads\n");
    goto cleanup;
  }
  item *it;
  int gpu_failed = 0;
  while ((it = q_pop(&b.decoded))) {
    if (it->frame.rgb && !gpu_failed) { /* the GPU: a session of this size (made, or kept from before) */
      int w = it->frame.width, h = it->frame.height, k = -1, old = 0;
      for (int j = 0; j < SESSIONS; j++) {
        if (ses[j].s && ses[j].w == w && ses[j].h == h) k = j;
        if (ses[j].used < ses[old].used) old = j;
      }
      if (k < 0) {
        k = old;
        pseg_session_destroy(ses[k].s);
        ses[k].s = NULL;
        pseg_session_create_info si = {.width = w, .height = h, .tta_flip = o->tta, .cleanup = o->cleanup,
                                       .guided = o->guided, .background = o->background,
                                       .background_image = o->background == PSEG_BACKGROUND_IMAGE ? &bgdesc : NULL,
                                       .flags = 0}; /* the fast kernels once built: many photos */
        if (pseg_session_create(md, &si, &ses[k].s)) {
          snprintf(it->err, sizeof it->err, "%s", pseg_context_last_error(ctx));
          ses[k].s = NULL;
        }
        ses[k].w = w, ses[k].h = h;
      }
      ses[k].used = ++tick;
      size_t np = (size_t)w * h;
      if (!it->err[0]) {
        it->mask = malloc(np * sizeof(float));
        if (o->background != PSEG_BACKGROUND_NONE) it->comp = malloc(np * 4);
        pseg_image f = {w, h, PSEG_PIXEL_RGB8, 0, it->frame.rgb};
        if (!it->mask || (o->background != PSEG_BACKGROUND_NONE && !it->comp))
          snprintf(it->err, sizeof it->err, "out of memory");
        else if (pseg_session_run(ses[k].s, &f, it->mask, it->comp))
          snprintf(it->err, sizeof it->err, "%s", pseg_context_last_error(ctx)), gpu_failed = 1;
      }
    } else if (it->frame.rgb) {
      snprintf(it->err, sizeof it->err, "not run: the GPU failed on an earlier photo");
    }
    q_push(&b.done, it);
  }
  q_close(&b.done);
  pthread_join(dec, NULL);
  pthread_join(enc, NULL);
  double dt = now_s() - b.t0;
  fprintf(stderr, "%d images: %d written to %s, %d failed, in %.2f s (%.2f images/s)\n", b.n, b.written, outdir,
          b.failed, dt, dt > 0 ? b.written / dt : 0.0);
  rc = b.failed ? 1 : 0;
  if (pseg_context_validation_messages(ctx)) {
    fprintf(stderr, "pseg: the Vulkan validation layer reported problems (see above)\n");
    rc = 1;
  }
cleanup:
  pthread_mutex_destroy(&b.print_mu);
  q_destroy(&b.decoded), q_destroy(&b.done);
close:
  for (int j = 0; j < SESSIONS; j++) pseg_session_destroy(ses[j].s);
  pseg_model_destroy(md);
  pseg_context_destroy(ctx);
  img_free(&bgimg);
out:
  for (int i = 0; i < b.n; i++) {
    free(b.in[i]);
    if (b.out) free(b.out[i]);
  }
  free(b.in), free(b.out);
  return rc;
}
