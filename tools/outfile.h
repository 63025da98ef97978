/* Where the tools write their outputs (issue 13): never over a device, FIFO, socket or directory,
 * never over an input, through a symbolic link to its target, by a temporary file with a short
 * name beside the target (so a 255-character file name still works) renamed over it. */
#ifndef PSEG_OUTFILE_H
#define PSEG_OUTFILE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The file an output at PATH really replaces: PATH, or where a symbolic link at PATH leads (the
 * link is written through and stays). Fails with a one-line reason when that is not a regular
 * file (a device such as /dev/null, a FIFO, a socket, a directory) or the link leads nowhere.
 * *real is malloc'ed. */
int out_resolve(const char *path, char **real, char *err, size_t errlen);

/* A new temporary file in REAL's directory, DIR/.pseg-XXXXXX (mode 0666 & ~umask), open for
 * writing: returns its descriptor, *tmp its malloc'ed name; -1 with a reason. */
int out_temp(const char *real, char **tmp, char *err, size_t errlen);

/* Check an output before the work: not one of the n inputs (the same file, links followed; NULL
 * entries skipped: "OUT is the input IN: ...") and not a special file or a dangling link
 * (out_resolve). 0, or -1 with a one-line reason. */
int out_check(const char *out, const char *const *inputs, int n, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
