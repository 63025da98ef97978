/* pseg video: segment every frame of a video (any file FFmpeg's libraries read, or raw RGB24
 * frames on stdin) and write the composite, the mask as video, or a cutout with alpha (issue 14).
 * FFmpeg's libraries are the CLI's only: libpseg stays free of them. Decoding and encoding
 * overlap the GPU's work (two frames in flight: frame k+1 is decoded and submitted before frame
 * k's mask is read and encoded); the input's audio is copied; temporal smoothing is on
 * (PSEG_SMOOTHING_VIDEO). The output is written to a temporary file renamed over OUT at the end:
 * a failed run leaves nothing behind. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>

#include "../include/pseg.h"
#include "image_io.h"
#include "outfile.h"
#include "pseg_cli.h"

enum { OUT_COMPOSITE = 0, OUT_MASK = 1, OUT_CUTOUT = 2 };

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static const char *averr(int e) {
  static char buf[AV_ERROR_MAX_STRING_SIZE];
  av_strerror(e, buf, sizeof buf);
  return buf;
}

/* ------------------------------------------------------------------ input */
typedef struct vin {
  const char *path;
  AVFormatContext *fmt;
  AVCodecContext *dec;
  struct SwsContext *sws;
  AVFrame *frm;
  AVPacket *pkt;
  int vs, as; /* stream indices (-1: none) */
  int w, h;
  AVRational tb, rate;
  int64_t nb_frames; /* the container's count, 0 where unknown */
  int64_t discarded; /* packets the container marks to be dropped (MP4 edit lists) */
  int64_t last_pts;  /* of the last frame decoded */
  int64_t decoded, next_raw_pts;
  int raw, eof_sent;
  AVPacket **audio; /* audio packets read ahead of the video, for the output */
  int n_audio, cap_audio;
} vin;

static int vin_open(vin *v, const char *path, int raw_w, int raw_h, double fps) {
  memset(v, 0, sizeof *v);
  v->path = path, v->vs = v->as = -1;
  if (raw_w) {
    v->raw = 1, v->w = raw_w, v->h = raw_h;
    v->rate = av_d2q(fps, 100000), v->tb = av_inv_q(v->rate);
    return 0;
  }
  int e = avformat_open_input(&v->fmt, path, NULL, NULL);
  if (e < 0) return cli_error("%s: not a video FFmpeg can read (%s)", path, averr(e));
  if ((e = avformat_find_stream_info(v->fmt, NULL)) < 0) return cli_error("%s: corrupt video (%s)", path, averr(e));
  const AVCodec *codec = NULL;
  v->vs = av_find_best_stream(v->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
  if (v->vs < 0 || !codec) return cli_error("%s: no video stream FFmpeg can decode", path);
  v->as = av_find_best_stream(v->fmt, AVMEDIA_TYPE_AUDIO, -1, v->vs, NULL, 0);
  AVStream *st = v->fmt->streams[v->vs];
  if (!(v->dec = avcodec_alloc_context3(codec)) || avcodec_parameters_to_context(v->dec, st->codecpar) < 0 ||
      avcodec_open2(v->dec, codec, NULL) < 0)
    return cli_error("%s: cannot open its %s decoder", path, codec->name);
  v->w = v->dec->width, v->h = v->dec->height;
  if (v->w < 1 || v->h < 1) return cli_error("%s: corrupt video (frame size %dx%d)", path, v->w, v->h);
  v->tb = st->time_base;
  v->rate = av_guess_frame_rate(v->fmt, st, NULL);
  if (v->rate.num <= 0 || v->rate.den <= 0) v->rate = (AVRational){30, 1};
  v->nb_frames = st->nb_frames;
  if (!(v->frm = av_frame_alloc()) || !(v->pkt = av_packet_alloc())) return cli_error("out of memory%s", "");
  return 0;
}

static int keep_audio(vin *v, AVPacket *p) {
  if (v->n_audio == v->cap_audio) {
    int cap = v->cap_audio ? 2 * v->cap_audio : 64;
    AVPacket **a = realloc(v->audio, (size_t)cap * sizeof *a);
    if (!a) return -1;
    v->audio = a, v->cap_audio = cap;
  }
  if (!(v->audio[v->n_audio] = av_packet_clone(p))) return -1;
  v->n_audio++;
  return 0;
}

/* The next frame as RGB24 (w * h * 3 bytes) and its pts in v->tb: 1, 0 at the end, -1 on error
 * (printed). A container that announced more frames than it gave is corrupt or truncated. */
static int vin_next(vin *v, uint8_t *rgb, int64_t *pts) {
  if (v->raw) {
    size_t n = (size_t)v->w * v->h * 3, got = fread(rgb, 1, n, stdin);
    if (got == 0 && feof(stdin)) return 0;
    if (got != n) return cli_error("stdin: a partial frame at the end (%zu of %zu bytes): not %dx%d RGB24 frames?", got, n, v->w, v->h), -1;
    *pts = v->next_raw_pts++;
    v->decoded++;
    return 1;
  }
  for (;;) {
    int e = avcodec_receive_frame(v->dec, v->frm);
    if (e == 0) {
      if (v->frm->width != v->w || v->frm->height != v->h)
        return cli_error("%s: the frame size changes (%dx%d, then %dx%d): not supported", v->path, v->w, v->h,
                         v->frm->width, v->frm->height), -1;
      v->sws = sws_getCachedContext(v->sws, v->w, v->h, (enum AVPixelFormat)v->frm->format, v->w, v->h, AV_PIX_FMT_RGB24,
                                    SWS_BILINEAR, NULL, NULL, NULL);
      if (!v->sws) return cli_error("%s: cannot convert its pixel format to RGB", v->path), -1;
      uint8_t *dst[4] = {rgb};
      int ls[4] = {3 * v->w};
      sws_scale(v->sws, (const uint8_t *const *)v->frm->data, v->frm->linesize, 0, v->h, dst, ls);
      *pts = v->frm->best_effort_timestamp != AV_NOPTS_VALUE ? v->frm->best_effort_timestamp : v->decoded;
      v->last_pts = *pts;
      av_frame_unref(v->frm);
      v->decoded++;
      return 1;
    }
    if (e == AVERROR_EOF) {
      if (v->nb_frames > 0 && v->decoded < v->nb_frames - v->discarded)
        return cli_error("%s: corrupt or truncated: %lld of its %lld frames decoded", v->path, (long long)v->decoded,
                         (long long)(v->nb_frames - v->discarded)), -1;
      if (v->decoded == 0) return cli_error("%s: no frame could be decoded", v->path), -1;
      /* without a frame count (Matroska, WebM), the duration the header announced */
      AVStream *st = v->fmt->streams[v->vs];
      double start = st->start_time != AV_NOPTS_VALUE ? (double)st->start_time * av_q2d(v->tb) : 0.0;
      double end = (double)v->last_pts * av_q2d(v->tb) - start + 1.0 / av_q2d(v->rate);
      double dur = st->duration > 0 ? (double)st->duration * av_q2d(v->tb)
                   : v->fmt->duration > 0 ? (double)v->fmt->duration / AV_TIME_BASE : 0.0;
      if (v->nb_frames <= 0 && dur > 0 && end + 1.5 / av_q2d(v->rate) < dur)
        return cli_error("%s: corrupt or truncated: its frames end at %.2f s of the %.2f s it announces", v->path, end, dur), -1;
      return 0;
    }
    if (e != AVERROR(EAGAIN)) return cli_error("%s: corrupt video (%s)", v->path, averr(e)), -1;
    if (v->eof_sent) return cli_error("%s: the decoder stalled", v->path), -1;
    e = av_read_frame(v->fmt, v->pkt);
    if (e == AVERROR_EOF) {
      avcodec_send_packet(v->dec, NULL);
      v->eof_sent = 1;
      continue;
    }
    if (e < 0) return cli_error("%s: corrupt video (%s)", v->path, averr(e)), -1;
    if (v->pkt->stream_index == v->vs) {
      if (v->pkt->flags & AV_PKT_FLAG_DISCARD) v->discarded++;
      e = avcodec_send_packet(v->dec, v->pkt);
      av_packet_unref(v->pkt);
      if (e < 0 && e != AVERROR(EAGAIN)) return cli_error("%s: corrupt video (%s)", v->path, averr(e)), -1;
    } else {
      if (v->pkt->stream_index == v->as && keep_audio(v, v->pkt)) return cli_error("out of memory%s", ""), -1;
      av_packet_unref(v->pkt);
    }
  }
}

static void vin_close(vin *v) {
  for (int i = 0; i < v->n_audio; i++) av_packet_free(&v->audio[i]);
  free(v->audio);
  av_frame_free(&v->frm);
  av_packet_free(&v->pkt);
  sws_freeContext(v->sws);
  avcodec_free_context(&v->dec);
  avformat_close_input(&v->fmt);
}

/* ------------------------------------------------------------------ output */
typedef struct vout {
  AVFormatContext *fmt;
  AVCodecContext *enc;
  AVStream *vst, *ast;
  struct SwsContext *sws;
  AVFrame *frm;
  AVPacket *pkt;
  enum AVPixelFormat src_fmt; /* what pseg gives: RGB24, GRAY8 or RGBA */
  AVRational in_tb, in_audio_tb;
  int raw, w, h, header;
} vout;

/* The encoder for a kind of output and a container (by the name's extension). */
static int pick_encoder(const char *real, int kind, int w, int h, const AVCodec **codec, enum AVPixelFormat *pf) {
  const char *ext = cli_ext(real);
  ext += *ext == '.';
  int webm = !strcasecmp(ext, "webm");
  if (kind == OUT_CUTOUT) {
    if (!strcasecmp(ext, "mov")) *codec = avcodec_find_encoder_by_name("qtrle"), *pf = AV_PIX_FMT_ARGB;
    else if (webm) *codec = avcodec_find_encoder_by_name("libvpx-vp9"), *pf = AV_PIX_FMT_YUVA420P;
    else if (!strcasecmp(ext, "mkv")) *codec = avcodec_find_encoder_by_name("ffv1"), *pf = AV_PIX_FMT_BGRA;
    else return cli_error("%s: --cutout needs a container and encoder that keep alpha: .mov (QuickTime RLE), .webm (VP9) or .mkv (FFV1)", real);
  } else if (webm) {
    *codec = avcodec_find_encoder_by_name("libvpx-vp9"), *pf = AV_PIX_FMT_YUV420P;
  } else {
    *codec = avcodec_find_encoder_by_name("libx264");
    if (!*codec) *codec = avcodec_find_encoder(AV_CODEC_ID_MPEG4);
    *pf = (w % 2 || h % 2) ? AV_PIX_FMT_YUV444P : AV_PIX_FMT_YUV420P; /* 4:2:0 needs even sizes */
  }
  if (!*codec) return cli_error("%s: no encoder for it in this FFmpeg", real);
  return 0;
}

static int vout_open(vout *o, const char *real, const char *tmp, int kind, const vin *in) {
  memset(o, 0, sizeof *o);
  o->w = in->w, o->h = in->h;
  o->src_fmt = kind == OUT_MASK ? AV_PIX_FMT_GRAY8 : kind == OUT_CUTOUT ? AV_PIX_FMT_RGBA : AV_PIX_FMT_RGB24;
  o->in_tb = in->tb;
  if (!tmp) { /* raw frames to stdout */
    o->raw = 1;
    return 0;
  }
  int e = avformat_alloc_output_context2(&o->fmt, NULL, NULL, real);
  if (e < 0 || !o->fmt) return cli_error("%s: FFmpeg knows no container for this name (%s): use .mp4, .mkv, .mov or .webm", real, averr(e));
  const AVCodec *codec = NULL;
  enum AVPixelFormat pf = AV_PIX_FMT_YUV420P;
  if (pick_encoder(real, kind, o->w, o->h, &codec, &pf)) return 1;
  if (!(o->vst = avformat_new_stream(o->fmt, NULL)) || !(o->enc = avcodec_alloc_context3(codec)))
    return cli_error("out of memory%s", "");
  o->enc->width = o->w, o->enc->height = o->h, o->enc->pix_fmt = pf;
  o->enc->time_base = in->tb;
  o->enc->framerate = in->rate;
  o->enc->sample_aspect_ratio = (AVRational){1, 1};
  if (o->fmt->oformat->flags & AVFMT_GLOBALHEADER) o->enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  if (!strcmp(codec->name, "libx264")) av_opt_set(o->enc->priv_data, "preset", "veryfast", 0), av_opt_set(o->enc->priv_data, "crf", "18", 0);
  if (!strcmp(codec->name, "libvpx-vp9")) av_opt_set(o->enc->priv_data, "deadline", "realtime", 0), av_opt_set(o->enc->priv_data, "cpu-used", "8", 0);
  if (!strcmp(codec->name, "mpeg4")) o->enc->bit_rate = 8000000;
  if ((e = avcodec_open2(o->enc, codec, NULL)) < 0) return cli_error("%s: cannot open the %s encoder (%s)", real, codec->name, averr(e));
  if (avcodec_parameters_from_context(o->vst->codecpar, o->enc) < 0) return cli_error("out of memory%s", "");
  o->vst->time_base = o->enc->time_base;
  /* the input's audio, copied as it is where the container takes its codec */
  if (in->as >= 0) {
    const AVStream *ia = in->fmt->streams[in->as];
    if (avformat_query_codec(o->fmt->oformat, ia->codecpar->codec_id, FF_COMPLIANCE_NORMAL) == 1) {
      if (!(o->ast = avformat_new_stream(o->fmt, NULL)) || avcodec_parameters_copy(o->ast->codecpar, ia->codecpar) < 0)
        return cli_error("out of memory%s", "");
      o->ast->codecpar->codec_tag = 0;
      o->ast->time_base = ia->time_base;
      o->in_audio_tb = ia->time_base;
    } else {
      fprintf(stderr, "pseg: %s cannot hold the input's %s audio: the output has none\n", real,
              avcodec_get_name(ia->codecpar->codec_id));
    }
  }
  if ((e = avio_open(&o->fmt->pb, tmp, AVIO_FLAG_WRITE)) < 0) return cli_error("%s: %s", real, averr(e));
  if ((e = avformat_write_header(o->fmt, NULL)) < 0) return cli_error("%s: cannot write its header (%s)", real, averr(e));
  o->header = 1;
  if (!(o->frm = av_frame_alloc()) || !(o->pkt = av_packet_alloc())) return cli_error("out of memory%s", "");
  o->frm->format = pf, o->frm->width = o->w, o->frm->height = o->h;
  if (av_frame_get_buffer(o->frm, 0) < 0) return cli_error("out of memory%s", "");
  if (!(o->sws = sws_getContext(o->w, o->h, o->src_fmt, o->w, o->h, pf, SWS_BILINEAR, NULL, NULL, NULL)))
    return cli_error("cannot convert frames to %s", av_get_pix_fmt_name(pf));
  return 0;
}

static int drain(vout *o, const char *real) {
  int e;
  while ((e = avcodec_receive_packet(o->enc, o->pkt)) == 0) {
    /* a frame's duration, or MP4's edit list ends before the last frame and players drop it */
    if (o->pkt->duration <= 0) o->pkt->duration = av_rescale_q(1, av_inv_q(o->enc->framerate), o->enc->time_base);
    av_packet_rescale_ts(o->pkt, o->enc->time_base, o->vst->time_base);
    o->pkt->stream_index = o->vst->index;
    if ((e = av_interleaved_write_frame(o->fmt, o->pkt)) < 0) return cli_error("%s: write failed (%s)", real, averr(e));
  }
  return e == AVERROR(EAGAIN) || e == AVERROR_EOF ? 0 : cli_error("%s: encoder failed (%s)", real, averr(e));
}

static int vout_audio(vout *o, vin *in, const char *real) {
  for (int i = 0; i < in->n_audio; i++) {
    AVPacket *p = in->audio[i];
    if (o->ast) {
      av_packet_rescale_ts(p, o->in_audio_tb, o->ast->time_base);
      p->stream_index = o->ast->index, p->pos = -1;
      int e = av_interleaved_write_frame(o->fmt, p);
      if (e < 0) return cli_error("%s: write failed (%s)", real, averr(e));
    }
    av_packet_free(&in->audio[i]);
  }
  in->n_audio = 0;
  return 0;
}

static int vout_write(vout *o, const uint8_t *px, int64_t pts, const char *real) {
  int bpp = o->src_fmt == AV_PIX_FMT_GRAY8 ? 1 : o->src_fmt == AV_PIX_FMT_RGBA ? 4 : 3;
  if (o->raw) {
    size_t n = (size_t)o->w * o->h * bpp;
    if (fwrite(px, 1, n, stdout) != n) return cli_error("stdout: write failed (%s)", strerror(errno));
    return 0;
  }
  if (av_frame_make_writable(o->frm) < 0) return cli_error("out of memory%s", "");
  const uint8_t *src[4] = {px};
  int ls[4] = {bpp * o->w};
  sws_scale(o->sws, src, ls, 0, o->h, o->frm->data, o->frm->linesize);
  o->frm->pts = pts;
  int e = avcodec_send_frame(o->enc, o->frm);
  if (e < 0) return cli_error("%s: encoder failed (%s)", real, averr(e));
  return drain(o, real);
}

static int vout_finish(vout *o, const char *real) {
  if (o->raw) return fflush(stdout) ? cli_error("stdout: write failed (%s)", strerror(errno)) : 0;
  int e = avcodec_send_frame(o->enc, NULL);
  if (e < 0 && e != AVERROR_EOF) return cli_error("%s: encoder failed (%s)", real, averr(e));
  if (drain(o, real)) return 1;
  if ((e = av_write_trailer(o->fmt)) < 0) return cli_error("%s: cannot finish the file (%s)", real, averr(e));
  return 0;
}

static void vout_close(vout *o) {
  if (o->fmt && o->fmt->pb) avio_closep(&o->fmt->pb);
  avformat_free_context(o->fmt);
  o->fmt = NULL;
  avcodec_free_context(&o->enc);
  sws_freeContext(o->sws);
  o->sws = NULL;
  av_frame_free(&o->frm);
  av_packet_free(&o->pkt);
}

/* ------------------------------------------------------------------ the command */
static int usage(const char *why) {
  if (why) cli_error("%s", why);
  fprintf(stderr,
          "usage: pseg video [--model M] [--precision P] [--device N] [--background blur|none|IMAGE|#RRGGBB]\n"
          "                  [--mask | --cutout] [--smoothing S] [--tta flip|none] [--cleanup] [--guided]\n"
          "                  [--raw WxH] [--fps F] IN -o OUT\n"
          "  IN: a video file (anything FFmpeg reads), or - with --raw WxH: RGB24 frames on stdin\n"
          "  OUT: .mp4 / .mkv (H.264), .webm (VP9), .mov; or - : raw frames on stdout (RGB24,\n"
          "       GRAY8 with --mask, RGBA with --cutout)\n"
          "  default: the composite over a blurred background; --mask: the mask as video;\n"
          "  --cutout: RGBA with the mask as alpha (.mov, .webm or .mkv); --smoothing: temporal\n"
          "  smoothing strength, 0 off (default %.1f); --tta flip: each frame and its mirror\n"
          "  averaged (twice the network; off by default); --cleanup, --guided: as pseg segment's;\n"
          "  audio is copied\n",
          (double)PSEG_SMOOTHING_VIDEO);
  return 2;
}

static int parse_color(const char *s, uint8_t rgb[3]) {
  unsigned r, g, b;
  if (s[0] == '#' && strlen(s) == 7 && sscanf(s + 1, "%2x%2x%2x", &r, &g, &b) == 3) {
    rgb[0] = (uint8_t)r, rgb[1] = (uint8_t)g, rgb[2] = (uint8_t)b;
    return 1;
  }
  return 0;
}

int cmd_video(int argc, char **argv) {
  const char *model = "selfie", *bgarg = "blur", *in_path = NULL, *out_path = NULL;
  pseg_context_create_info ci = {.device_index = -1, .precision = PSEG_PRECISION_AUTO};
  int kind = OUT_COMPOSITE, raw_w = 0, raw_h = 0, tta = 0, cleanup = 0, guided = 0;
  double fps = 30, smoothing = PSEG_SMOOTHING_VIDEO;
  for (int i = 1; i < argc; i++) { /* argv[0]: "video" */
    const char *a = argv[i];
    int more = i + 1 < argc;
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) return usage(NULL), 0;
    else if (!strcmp(a, "-o") && more) out_path = argv[++i];
    else if (!strcmp(a, "--model") && more) model = argv[++i];
    else if (!strcmp(a, "--precision") && more) {
      if (cli_parse_precision(argv[++i], &ci)) return usage("--precision must be fp32, fp16, fp16-all or auto");
    } else if (!strcmp(a, "--device") && more) {
      if (cli_parse_index(argv[++i], &ci.device_index)) return usage("--device must be a device index");
    } else if (!strcmp(a, "--background") && more) bgarg = argv[++i];
    else if (!strcmp(a, "--mask")) kind = OUT_MASK;
    else if (!strcmp(a, "--cleanup")) cleanup = 1;
    else if (!strcmp(a, "--guided")) guided = 1;
    else if (!strcmp(a, "--tta") && more) {
      const char *t = argv[++i];
      if (strcmp(t, "flip") && strcmp(t, "none")) return usage("--tta must be flip or none");
      tta = !strcmp(t, "flip");
    }
    else if (!strcmp(a, "--cutout")) kind = OUT_CUTOUT;
    else if (!strcmp(a, "--smoothing") && more) {
      char *end;
      smoothing = strtod(argv[++i], &end);
      if (*end || !(smoothing >= 0 && smoothing < 1)) return usage("--smoothing must be 0 (off) or a strength below 1");
    } else if (!strcmp(a, "--raw") && more) {
      if (sscanf(argv[++i], "%dx%d", &raw_w, &raw_h) != 2 || raw_w < 1 || raw_h < 1 || raw_w > 16384 || raw_h > 16384)
        return usage("--raw must be WxH, e.g. 1280x720");
    } else if (!strcmp(a, "--fps") && more) {
      char *end;
      fps = strtod(argv[++i], &end);
      if (*end || !(fps > 0 && fps <= 1000)) return usage("--fps must be a frame rate in (0, 1000]");
    } else if (a[0] == '-' && a[1]) {
      char why[160];
      snprintf(why, sizeof why, "unknown option or missing value: %s", a);
      return usage(why);
    } else if (!in_path) in_path = a;
    else return usage("more than one input");
  }
  if (!in_path) return usage("no input video");
  if (!out_path) return usage("no output: -o OUT");
  if (!strcmp(in_path, "-") != (raw_w > 0)) return usage("raw frames on stdin need both IN = - and --raw WxH");
  if (kind != OUT_COMPOSITE && strcmp(bgarg, "blur")) return usage("--background belongs to the composite, not to --mask or --cutout");
  int to_stdout = !strcmp(out_path, "-");
  char err[512], *real = NULL, *tmp = NULL;
  if (!to_stdout) {
    const char *inputs[2] = {strcmp(in_path, "-") ? in_path : NULL, strcmp(bgarg, "blur") && strcmp(bgarg, "none") && bgarg[0] != '#' ? bgarg : NULL};
    if (out_check(out_path, inputs, 2, err, sizeof err) || out_resolve(out_path, &real, err, sizeof err)) return cli_error("%s", err);
    int fd = out_temp(real, &tmp, err, sizeof err);
    if (fd < 0) return free(real), cli_error("%s", err);
    close(fd);
  }
  av_log_set_level(AV_LOG_QUIET); /* errors: one line of ours, with FFmpeg's reason */
  int rc = 1;
  vin in;
  vout out;
  memset(&out, 0, sizeof out);
  pseg_context *ctx = NULL;
  pseg_model *md = NULL;
  pseg_session *s = NULL;
  uint8_t *frames = NULL, *comp = NULL, *outpx = NULL;
  float *mask = NULL;
  img_rgb bgimg = {0};
  uint8_t color[3];
  pseg_image bg = {0};
  pseg_background bgmode = kind == OUT_COMPOSITE ? PSEG_BACKGROUND_BLUR : PSEG_BACKGROUND_NONE;
  if (kind == OUT_COMPOSITE && !strcmp(bgarg, "none")) bgmode = PSEG_BACKGROUND_NONE;
  if (kind == OUT_COMPOSITE && strcmp(bgarg, "blur") && strcmp(bgarg, "none")) {
    bgmode = PSEG_BACKGROUND_IMAGE;
    if (parse_color(bgarg, color)) bg = (pseg_image){1, 1, PSEG_PIXEL_RGB8, 0, color};
    else if (img_load(bgarg, &bgimg, err, sizeof err)) {
      cli_error("--background %s: %s (blur, none, an image or #RRGGBB)", bgarg, err);
      goto done_early;
    } else bg = (pseg_image){bgimg.width, bgimg.height, PSEG_PIXEL_RGB8, 0, bgimg.rgb};
  }
  if (vin_open(&in, in_path, raw_w, raw_h, fps)) goto done;
  if (pseg_context_create(&ci, &ctx, err, sizeof err)) {
    cli_error("%s", err);
    goto done;
  }
  if (cli_load_model(ctx, model, &md)) goto done;
  size_t npix = (size_t)in.w * in.h;
  if ((uint64_t)npix > pseg_context_max_frame_pixels(ctx)) {
    cli_error("%s: %dx%d frames are too large for %s", in_path, in.w, in.h, pseg_context_device(ctx)->name);
    goto done;
  }
  frames = malloc(npix * 3 * 2), mask = malloc(npix * sizeof(float)), comp = malloc(npix * 4), outpx = malloc(npix * 4);
  if (!frames || !mask || !comp || !outpx) {
    cli_error("out of memory%s", "");
    goto done;
  }
  if (!to_stdout && vout_open(&out, real, tmp, kind, &in)) goto done;
  if (to_stdout) vout_open(&out, NULL, NULL, kind, &in);
  pseg_session_create_info si = {.width = in.w, .height = in.h, .background = bgmode,
                                 .background_image = bgmode == PSEG_BACKGROUND_IMAGE ? &bg : NULL,
                                 .in_flight = 2, .smoothing = (float)smoothing, .tta_flip = tta, .cleanup = cleanup,
                                 .guided = guided};
  if (pseg_session_create(md, &si, &s)) {
    cli_error("%s", pseg_context_last_error(ctx));
    goto done;
  }
  int tty = isatty(2) && !to_stdout;
  double t0 = now_s(), last = 0;
  int64_t pts[2];
  uint64_t tk[2];
  int k = 0, got = vin_next(&in, frames, &pts[0]);
  if (got < 0) goto done;
  pseg_image f0 = {in.w, in.h, PSEG_PIXEL_RGB8, 0, frames};
  if (got && pseg_session_submit(s, &f0, 1, &tk[0])) {
    cli_error("%s", pseg_context_last_error(ctx));
    goto done;
  }
  while (got) {
    /* the next frame decoded and submitted while the GPU works on this one */
    uint8_t *nf = frames + npix * 3 * (size_t)((k + 1) % 2);
    int next = vin_next(&in, nf, &pts[(k + 1) % 2]);
    if (next < 0) goto done;
    pseg_image fn = {in.w, in.h, PSEG_PIXEL_RGB8, 0, nf};
    if (next && pseg_session_submit(s, &fn, 1, &tk[(k + 1) % 2])) {
      cli_error("%s", pseg_context_last_error(ctx));
      goto done;
    }
    if (pseg_session_wait(s, tk[k % 2], mask, bgmode != PSEG_BACKGROUND_NONE ? comp : NULL)) {
      cli_error("%s", pseg_context_last_error(ctx));
      goto done;
    }
    const uint8_t *src = frames + npix * 3 * (size_t)(k % 2), *px = comp;
    if (kind == OUT_MASK) {
      for (size_t i = 0; i < npix; i++) outpx[i] = (uint8_t)lrintf(mask[i] * 255.0f);
      px = outpx;
    } else if (kind == OUT_CUTOUT || bgmode == PSEG_BACKGROUND_NONE) {
      for (size_t i = 0; i < npix; i++) {
        uint8_t *d = outpx + i * (kind == OUT_CUTOUT ? 4 : 3);
        float a = mask[i];
        for (int c = 0; c < 3; c++) d[c] = kind == OUT_CUTOUT ? src[3 * i + c] : (uint8_t)lrintf(src[3 * i + c] * a);
        if (kind == OUT_CUTOUT) d[3] = (uint8_t)lrintf(a * 255.0f);
      }
      px = outpx;
    } else { /* RGBA8 composite -> RGB24 */
      for (size_t i = 0; i < npix; i++) outpx[3 * i] = comp[4 * i], outpx[3 * i + 1] = comp[4 * i + 1], outpx[3 * i + 2] = comp[4 * i + 2];
      px = outpx;
    }
    if (!to_stdout && vout_audio(&out, &in, real)) goto done;
    if (vout_write(&out, px, pts[k % 2], real)) goto done;
    k++;
    got = next;
    double t = now_s();
    if (tty && (t - last > 0.25 || !got)) {
      if (in.nb_frames > 0)
        fprintf(stderr, "\rpseg video: frame %d/%lld (%.0f%%), %.1f frames/s ", k, (long long)in.nb_frames,
                100.0 * k / (double)in.nb_frames, k / (t - t0));
      else
        fprintf(stderr, "\rpseg video: frame %d, %.1f frames/s ", k, k / (t - t0));
      last = t;
    }
  }
  if (!to_stdout && vout_audio(&out, &in, real)) goto done;
  if (vout_finish(&out, real)) goto done;
  if (tty) fprintf(stderr, "\n");
  if (!to_stdout) {
    vout_close(&out);
    if (rename(tmp, real)) {
      cli_error("%s: %s", real, strerror(errno));
      goto done;
    }
    free(tmp), tmp = NULL;
    fprintf(stderr, "pseg video: %d frames in %.2f s (%.1f frames/s) -> %s\n", k, now_s() - t0, k / (now_s() - t0), out_path);
  }
  rc = 0;
done:
  vin_close(&in);
  vout_close(&out);
done_early:
  if (tmp) unlink(tmp);
  free(tmp), free(real);
  pseg_session_destroy(s);
  pseg_model_destroy(md);
  pseg_context_destroy(ctx);
  free(frames), free(mask), free(comp), free(outpx);
  img_free(&bgimg);
  return rc;
}
