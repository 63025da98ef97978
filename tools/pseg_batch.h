/* pseg segment with many photos (tools/pseg_batch.c) */
#ifndef PSEG_BATCH_H
#define PSEG_BATCH_H

#include "pseg_cli.h"

typedef struct seg_batch_opts {
  pseg_context_create_info ci;
  const char *model, *background_path; /* background_path: an image (PSEG_BACKGROUND_IMAGE) */
  pseg_background background;
  int tta, cleanup, guided;
  seg_output out;
} seg_batch_opts;

/* Every photo of args (files; directories: their .png / .jpg / .jpeg files) into outdir (made when
 * missing) as NAME.png (.npy with out.npy). 0: all written; 1: some failed (each reported, the
 * others written); 2: nothing done (bad arguments). */
int seg_batch(const seg_batch_opts *o, char **args, int nargs, const char *outdir);

#endif
