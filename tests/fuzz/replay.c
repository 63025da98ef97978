/* Replays inputs through a fuzz target without libFuzzer (gcc builds, ctest fuzz_regressions):
 * replay FILE|DIR... runs LLVMFuzzerTestOneInput on each file (a directory: every file in it). A
 * crash or a sanitizer report fails the test; a clean run prints how many inputs it ran. */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return fprintf(stderr, "replay: %s: cannot open\n", path), -1;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  rewind(f);
  uint8_t *b = malloc(n > 0 ? (size_t)n : 1);
  if (!b || (n > 0 && fread(b, 1, (size_t)n, f) != (size_t)n)) {
    fclose(f), free(b);
    return fprintf(stderr, "replay: %s: cannot read\n", path), -1;
  }
  fclose(f);
  LLVMFuzzerTestOneInput(b, (size_t)(n > 0 ? n : 0));
  free(b);
  return 0;
}

int main(int argc, char **argv) {
  int runs = 0, bad = 0;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0) continue; /* a regression directory may not exist yet */
    if (!S_ISDIR(st.st_mode)) {
      bad |= run_file(argv[i]) != 0, runs++;
      continue;
    }
    DIR *d = opendir(argv[i]);
    struct dirent *e;
    while (d && (e = readdir(d))) {
      if (e->d_name[0] == '.') continue;
      char p[4096];
      snprintf(p, sizeof p, "%s/%s", argv[i], e->d_name);
      bad |= run_file(p) != 0, runs++;
    }
    if (d) closedir(d);
  }
  printf("replayed %d inputs\n", runs);
  return bad;
}
