/* Test clips for pseg video (tests/test_video.sh), made from a photo panned across the frames:
 *   make_clip OUT.mp4 PHOTO FRAMES W H   H.264 (or MPEG-4) video with a sine tone as AAC audio
 *   make_clip --raw PHOTO FRAMES W H     the same frames as raw RGB24 on stdout
 *   make_clip --probe FILE               "frames N size WxH audio CODEC|none" (every frame decoded)
 * Frame t is the window W x H of the photo (scaled to 1.5 W high) moved right by 2 t pixels. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>

#include "../tools/image_io.h"

static int fail(const char *what) {
  fprintf(stderr, "make_clip: %s\n", what);
  return 1;
}

static int frames_of(const char *photo, int n, int w, int h, uint8_t **out) {
  img_rgb im, sc;
  char err[256];
  if (img_load(photo, &im, err, sizeof err)) return fail(err);
  int sh = h * 3 / 2, sw = im.width * sh / im.height;
  if (sw < w + 2 * n) sw = w + 2 * n;
  if (img_resize_bilinear_rgb(&im, sw, sh, &sc)) return fail("resize");
  img_free(&im);
  *out = malloc((size_t)n * w * h * 3);
  if (!*out) return fail("out of memory");
  for (int t = 0; t < n; t++)
    for (int y = 0; y < h; y++)
      memcpy(*out + (((size_t)t * h + y) * w) * 3, sc.rgb + ((size_t)(y + h / 4) * sw + 2 * t) * 3, (size_t)w * 3);
  img_free(&sc);
  return 0;
}

static int encode(AVFormatContext *fc, AVCodecContext *c, AVStream *st, AVFrame *f, AVPacket *p) {
  if (avcodec_send_frame(c, f) < 0) return -1;
  int e;
  while ((e = avcodec_receive_packet(c, p)) == 0) {
    if (p->duration <= 0 && c->codec_type == AVMEDIA_TYPE_VIDEO) p->duration = 1; /* one frame: time base 1/25 */
    av_packet_rescale_ts(p, c->time_base, st->time_base);
    p->stream_index = st->index;
    if (av_interleaved_write_frame(fc, p) < 0) return -1;
  }
  return e == AVERROR(EAGAIN) || e == AVERROR_EOF ? 0 : -1;
}

static int write_clip(const char *out, const uint8_t *px, int n, int w, int h) {
  AVFormatContext *fc = NULL;
  if (avformat_alloc_output_context2(&fc, NULL, NULL, out) < 0) return fail("container");
  const AVCodec *vc = avcodec_find_encoder_by_name("libx264");
  if (!vc) vc = avcodec_find_encoder(AV_CODEC_ID_MPEG4);
  const AVCodec *ac = avcodec_find_encoder(AV_CODEC_ID_AAC);
  AVStream *vs = avformat_new_stream(fc, NULL), *as = avformat_new_stream(fc, NULL);
  AVCodecContext *v = avcodec_alloc_context3(vc), *a = avcodec_alloc_context3(ac);
  v->width = w, v->height = h, v->pix_fmt = AV_PIX_FMT_YUV420P, v->time_base = (AVRational){1, 25};
  v->framerate = (AVRational){25, 1}, v->bit_rate = 4000000;
  a->sample_rate = 44100, a->sample_fmt = AV_SAMPLE_FMT_FLTP, a->bit_rate = 96000;
  av_channel_layout_default(&a->ch_layout, 1);
  a->time_base = (AVRational){1, 44100};
  if (fc->oformat->flags & AVFMT_GLOBALHEADER) v->flags |= AV_CODEC_FLAG_GLOBAL_HEADER, a->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  if (avcodec_open2(v, vc, NULL) < 0 || avcodec_open2(a, ac, NULL) < 0) return fail("encoders");
  avcodec_parameters_from_context(vs->codecpar, v), vs->time_base = v->time_base;
  avcodec_parameters_from_context(as->codecpar, a), as->time_base = a->time_base;
  if (avio_open(&fc->pb, out, AVIO_FLAG_WRITE) < 0 || avformat_write_header(fc, NULL) < 0) return fail(out);
  AVFrame *f = av_frame_alloc(), *af = av_frame_alloc();
  AVPacket *p = av_packet_alloc();
  f->format = v->pix_fmt, f->width = w, f->height = h;
  av_frame_get_buffer(f, 0);
  struct SwsContext *sws = sws_getContext(w, h, AV_PIX_FMT_RGB24, w, h, AV_PIX_FMT_YUV420P, SWS_BILINEAR, NULL, NULL, NULL);
  int64_t samples = 0, total = (int64_t)n * 44100 / 25;
  for (int t = 0; t < n; t++) {
    av_frame_make_writable(f);
    const uint8_t *src[1] = {px + (size_t)t * w * h * 3};
    int ls[1] = {3 * w};
    sws_scale(sws, src, ls, 0, h, f->data, f->linesize);
    f->pts = t;
    if (encode(fc, v, vs, f, p)) return fail("video encoding");
    while (samples < total && samples * 25 < (int64_t)(t + 1) * 44100) { /* the tone, kept up with the video */
      af->format = a->sample_fmt, af->nb_samples = a->frame_size, af->sample_rate = a->sample_rate;
      av_channel_layout_copy(&af->ch_layout, &a->ch_layout);
      av_frame_get_buffer(af, 0);
      float *d = (float *)af->data[0];
      for (int i = 0; i < a->frame_size; i++) d[i] = 0.2f * sinf(2.0f * 3.14159265f * 440.0f * (float)(samples + i) / 44100.0f);
      af->pts = samples;
      samples += a->frame_size;
      if (encode(fc, a, as, af, p)) return fail("audio encoding");
      av_frame_unref(af);
    }
  }
  if (encode(fc, v, vs, NULL, p) || encode(fc, a, as, NULL, p)) return fail("flush");
  av_write_trailer(fc);
  avio_closep(&fc->pb);
  sws_freeContext(sws);
  av_frame_free(&f), av_frame_free(&af), av_packet_free(&p);
  avcodec_free_context(&v), avcodec_free_context(&a);
  avformat_free_context(fc);
  return 0;
}

static int probe(const char *path) {
  AVFormatContext *fc = NULL;
  if (avformat_open_input(&fc, path, NULL, NULL) < 0 || avformat_find_stream_info(fc, NULL) < 0) return fail("cannot open");
  const AVCodec *codec = NULL;
  int vs = av_find_best_stream(fc, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
  int as = av_find_best_stream(fc, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
  if (vs < 0) return fail("no video");
  AVCodecContext *c = avcodec_alloc_context3(codec);
  avcodec_parameters_to_context(c, fc->streams[vs]->codecpar);
  if (avcodec_open2(c, codec, NULL) < 0) return fail("decoder");
  AVPacket *p = av_packet_alloc();
  AVFrame *f = av_frame_alloc();
  int n = 0;
  while (av_read_frame(fc, p) >= 0) {
    if (p->stream_index == vs) avcodec_send_packet(c, p);
    av_packet_unref(p);
    while (avcodec_receive_frame(c, f) == 0) n++;
  }
  avcodec_send_packet(c, NULL);
  while (avcodec_receive_frame(c, f) == 0) n++;
  printf("frames %d size %dx%d audio %s\n", n, c->width, c->height,
         as >= 0 ? avcodec_get_name(fc->streams[as]->codecpar->codec_id) : "none");
  av_packet_free(&p), av_frame_free(&f);
  avcodec_free_context(&c);
  avformat_close_input(&fc);
  return 0;
}

int main(int argc, char **argv) {
  av_log_set_level(AV_LOG_ERROR);
  if (argc == 3 && !strcmp(argv[1], "--probe")) return probe(argv[2]);
  if (argc != 6) return fprintf(stderr, "usage: make_clip OUT|--raw PHOTO FRAMES W H | --probe FILE\n"), 2;
  int n = atoi(argv[3]), w = atoi(argv[4]), h = atoi(argv[5]);
  if (n < 1 || w < 2 || h < 2) return fail("bad size");
  uint8_t *px;
  if (frames_of(argv[2], n, w, h, &px)) return 1;
  int rc = 0;
  if (!strcmp(argv[1], "--raw")) rc = fwrite(px, 1, (size_t)n * w * h * 3, stdout) != (size_t)n * w * h * 3;
  else rc = write_clip(argv[1], px, n, w, h);
  free(px);
  return rc;
}
