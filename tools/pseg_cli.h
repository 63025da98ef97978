/* Helpers shared by the pseg tool's subcommands. */
#ifndef PSEG_CLI_H
#define PSEG_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "../include/pseg.h"

/* The usage of subcommand cmd ("segment", "run", "conformance", ...: its section of `pseg`'s usage) */
void cli_usage(const char *cmd, FILE *f);
/* Print "pseg: MESSAGE" on one line to stderr; returns 1. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* fp32 | fp16 | fp16-all | auto into ci->precision and ci->fp16_all_activations */
int cli_parse_precision(const char *s, pseg_context_create_info *ci);
const char *cli_precision_name(const pseg_context *ctx);
int cli_parse_index(const char *s, int *out);
/* The extension of a file name, its dot included ("" when none) */
const char *cli_ext(const char *path);
/* selfie | selfie-landscape | FILE.pseg; prints the error itself. */
int cli_load_model(pseg_context *ctx, const char *model, pseg_model **md);

int cmd_bench(int argc, char **argv, double t_start_ms);
int cmd_profile(int argc, char **argv);
int cmd_conformance(int argc, char **argv); /* tools/pseg_conformance.c */
int cmd_conformance_models(int argc, char **argv);     /* tools/pseg_conformance_models.c */
int cmd_conformance_reductions(int argc, char **argv); /* tools/pseg_conformance_reductions.c */
/* An output file (tools/outfile.h: no special files, links written through, a temporary file
 * renamed over it); both print the error themselves; finish returns 0 or 1 */
FILE *cli_out_create(const char *path, char **tmp, char **real);
int cli_out_finish(FILE *f, const char *path, char *tmp, char *real);
/* JSON helpers of the conformance reports (tools/pseg_conformance.c) */
void cli_json_num(FILE *f, double v); /* null when not finite */
void cli_json_str(FILE *f, const char *s);
/* The driver version in the vendor's own encoding */
void cli_driver_version(const pseg_device_info *d, char *buf, size_t n);
/* A conformance suite's context on device index: fp16 where the device advertises it (else, or
 * when that is refused, fp32) */
pseg_result cli_conformance_context(int index, const pseg_device_info *info, pseg_context **ctx, char *err,
                                    size_t errlen);
/* "device N: NAME (CPU), driver DRIVER VERSION" */
void cli_print_device_line(int index, const pseg_device_info *d);
int cmd_run(int argc, char **argv);         /* tools/pseg_run.c */

/* pseg segment's outputs (tools/pseg_main.c): what to write of a photo's mask */
typedef struct seg_output {
  int npy, cutout, premul, matte, trimap;
} seg_output;
struct img_rgb;
int seg_write_output(const seg_output *o, const char *output, const struct img_rgb *frame, const float *mask,
                     const uint8_t *comp, char *err, size_t errlen);
int cmd_compare(int argc, char **argv);     /* tools/pseg_compare.c */
int cmd_video(int argc, char **argv);       /* tools/pseg_video.c */

#endif
