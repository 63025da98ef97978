/* Safe outputs: see outfile.h. */
#define _XOPEN_SOURCE 700 /* lstat, realpath, strdup, mkstemp, fchmod */
#include "outfile.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *kind_of(mode_t m) {
  return S_ISDIR(m) ? "a directory" : S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device"
       : S_ISFIFO(m) ? "a FIFO" : S_ISSOCK(m) ? "a socket" : "not a regular file";
}

int out_resolve(const char *path, char **real, char *err, size_t errlen) {
  struct stat st;
  *real = NULL;
  if (!path || !*path) return snprintf(err, errlen, "empty output path"), -1;
  if (lstat(path, &st) != 0) {
    if (errno != ENOENT) return snprintf(err, errlen, "%s: %s", path, strerror(errno)), -1;
    *real = strdup(path); /* a new file */
    return *real ? 0 : (snprintf(err, errlen, "out of memory"), -1);
  }
  if (S_ISLNK(st.st_mode)) { /* written through: the file the link leads to */
    char *r = realpath(path, NULL);
    if (!r) return snprintf(err, errlen, "%s: a symbolic link that leads nowhere (%s): pseg writes through links to files", path, strerror(errno)), -1;
    if (stat(r, &st) != 0) {
      snprintf(err, errlen, "%s: %s", r, strerror(errno));
      free(r);
      return -1;
    }
    if (!S_ISREG(st.st_mode)) {
      snprintf(err, errlen, "%s: the link leads to %s (%s): pseg writes only regular files", path, r, kind_of(st.st_mode));
      free(r);
      return -1;
    }
    *real = r;
    return 0;
  }
  if (!S_ISREG(st.st_mode))
    return snprintf(err, errlen, "%s: %s: pseg writes only regular files", path, kind_of(st.st_mode)), -1;
  *real = strdup(path);
  return *real ? 0 : (snprintf(err, errlen, "out of memory"), -1);
}

int out_temp(const char *real, char **tmp, char *err, size_t errlen) {
  const char *slash = strrchr(real, '/');
  size_t dl = slash ? (size_t)(slash - real) + 1 : 0;
  *tmp = malloc(dl + sizeof ".pseg-XXXXXX");
  if (!*tmp) return snprintf(err, errlen, "out of memory"), -1;
  memcpy(*tmp, real, dl);
  memcpy(*tmp + dl, ".pseg-XXXXXX", sizeof ".pseg-XXXXXX");
  int fd = mkstemp(*tmp);
  if (fd < 0) {
    snprintf(err, errlen, "%s: cannot create a temporary file beside it: %s", real, strerror(errno));
    free(*tmp);
    *tmp = NULL;
    return -1;
  }
  mode_t um = umask(0); /* mkstemp makes 0600; the result gets the usual 0666 & ~umask */
  umask(um);
  (void)fchmod(fd, 0666 & ~um);
  return fd;
}

int out_check(const char *out, const char *const *inputs, int n, char *err, size_t errlen) {
  struct stat so, si;
  char *real = NULL;
  if (out_resolve(out, &real, err, errlen)) return -1;
  free(real);
  if (stat(out, &so) != 0) return 0; /* a new file is no input */
  for (int i = 0; i < n; i++) {
    if (!inputs[i] || stat(inputs[i], &si) != 0) continue;
    if (so.st_dev == si.st_dev && so.st_ino == si.st_ino)
      return snprintf(err, errlen, "%s is the input %s: pseg does not overwrite its inputs (choose another output)", out,
                      inputs[i]),
             -1;
  }
  return 0;
}
