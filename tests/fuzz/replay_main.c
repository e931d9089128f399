/* replay_main.c — run a libFuzzer target over saved inputs, without libFuzzer.
 *
 * Usage: fuzz_replay_<name> PATH...  Each PATH is a file or a directory whose
 * regular files are all run (not recursively).  Exits 0 if every input ran
 * (a bug shows up as a crash or a sanitizer report), 1 if a path could not be
 * read, 2 if no input was found at all.  Portable: opendir() on POSIX,
 * FindFirstFile() on Windows. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <windows.h>
#else
#include <dirent.h>
#include <sys/stat.h>
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int n_run;

static int
run_file(const char *path)
{
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "replay: cannot open %s\n", path);
    return -1;
  }
  size_t cap = 4096, len = 0;
  uint8_t *buf = malloc(cap);
  size_t n;
  while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
    len += n;
    if (len == cap) {
      uint8_t *nb = realloc(buf, cap * 2);
      if (!nb) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = nb;
      cap *= 2;
    }
  }
  fclose(f);
  if (!buf) {
    fprintf(stderr, "replay: out of memory on %s\n", path);
    return -1;
  }
  /* Hand the target an exact-size copy so that overreads are caught. */
  uint8_t *exact = malloc(len ? len : 1);
  if (!exact) {
    free(buf);
    return -1;
  }
  memcpy(exact, buf, len);
  free(buf);
  LLVMFuzzerTestOneInput(exact, len);
  free(exact);
  n_run++;
  return 0;
}

#ifdef _WIN32
static int
run_path(const char *path)
{
  DWORD attr = GetFileAttributesA(path);
  if (attr == INVALID_FILE_ATTRIBUTES) {
    fprintf(stderr, "replay: no such path %s\n", path);
    return -1;
  }
  if (!(attr & FILE_ATTRIBUTE_DIRECTORY))
    return run_file(path);
  char pattern[MAX_PATH];
  snprintf(pattern, sizeof(pattern), "%s\\*", path);
  WIN32_FIND_DATAA fd;
  HANDLE h = FindFirstFileA(pattern, &fd);
  if (h == INVALID_HANDLE_VALUE)
    return 0;
  int rv = 0;
  do {
    if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
      continue;
    char full[MAX_PATH];
    snprintf(full, sizeof(full), "%s\\%s", path, fd.cFileName);
    if (run_file(full) < 0)
      rv = -1;
  } while (FindNextFileA(h, &fd));
  FindClose(h);
  return rv;
}
#else
static int
run_path(const char *path)
{
  struct stat st;
  if (stat(path, &st) < 0) {
    fprintf(stderr, "replay: no such path %s\n", path);
    return -1;
  }
  if (!S_ISDIR(st.st_mode))
    return run_file(path);
  DIR *d = opendir(path);
  if (!d)
    return -1;
  struct dirent *e;
  int rv = 0;
  while ((e = readdir(d)) != NULL) {
    char full[4096];
    snprintf(full, sizeof(full), "%s/%s", path, e->d_name);
    if (stat(full, &st) < 0 || !S_ISREG(st.st_mode))
      continue;
    if (run_file(full) < 0)
      rv = -1;
  }
  closedir(d);
  return rv;
}
#endif

int
main(int argc, char **argv)
{
  int rv = 0;
  for (int i = 1; i < argc; i++)
    if (run_path(argv[i]) < 0)
      rv = 1;
  printf("replay: ran %d inputs\n", n_run);
  if (rv == 0 && n_run == 0)
    return 2;
  return rv;
}
