/* dircache.c — cache files (see dircache.h). */
#include "dir/dircache.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#ifdef _WIN32
#include <io.h>
#include <windows.h>
#else
#include <unistd.h>
#endif

#include "lib/alloc.h"
#include "lib/log.h"

#ifdef _WIN32
#define PATH_SEP "\\"
#else
#define PATH_SEP "/"
#endif

static int
make_path(char *out, size_t outlen, const char *dir, const char *name, const char *suffix)
{
  int n = snprintf(out, outlen, "%s" PATH_SEP "%s%s", dir, name, suffix);
  return (n < 0 || (size_t)n >= outlen) ? -1 : 0;
}

char *
dircache_read(const char *dir, const char *name, size_t cap, size_t *len)
{
  char path[1024];
  *len = 0;
  if (make_path(path, sizeof(path), dir, name, "") < 0)
    return NULL;
  FILE *f = fopen(path, "rb");
  if (!f) {
    log_info(LD_DIR, "No %s in the data directory (%s).", name, strerror(errno));
    return NULL;
  }
  size_t cap_buf = 64 * 1024, n = 0;
  char *buf = x_malloc(cap_buf + 1);
  for (;;) {
    if (n == cap_buf) {
      if (cap_buf >= cap + 1)
        break;
      cap_buf = cap_buf * 2 > cap + 1 ? cap + 1 : cap_buf * 2;
      buf = x_realloc(buf, cap_buf + 1);
    }
    size_t got = fread(buf + n, 1, cap_buf - n, f);
    if (got == 0)
      break;
    n += got;
  }
  int bad = ferror(f);
  fclose(f);
  if (bad || n > cap) {
    log_info(LD_DIR, "Ignoring cached %s: %s.", name, bad ? "read error" : "too large");
    x_free(buf);
    return NULL;
  }
  buf[n] = '\0';
  *len = n;
  return buf;
}

static int
flush_to_disk(FILE *f)
{
  if (fflush(f) != 0)
    return -1;
#ifdef _WIN32
  return _commit(_fileno(f));
#else
  return fsync(fileno(f));
#endif
}

int
dircache_write(const char *dir, const char *name, const void *data, size_t len)
{
  char path[1024], tmp[1040];
  if (make_path(path, sizeof(path), dir, name, "") < 0 ||
      make_path(tmp, sizeof(tmp), dir, name, ".tmp") < 0) {
    log_warn(LD_DIR, "Cannot cache %s: the data directory path is too long.", name);
    return -1;
  }
  FILE *f = fopen(tmp, "wb");
  if (!f) {
    log_warn(LD_DIR, "Cannot write %s: %s", tmp, strerror(errno));
    return -1;
  }
  int ok = (len == 0 || fwrite(data, 1, len, f) == len) && flush_to_disk(f) == 0;
  ok = (fclose(f) == 0) && ok;
  if (!ok) {
    log_warn(LD_DIR, "Cannot write %s: %s", tmp, strerror(errno));
    remove(tmp);
    return -1;
  }
#ifdef _WIN32
  if (!MoveFileExA(tmp, path, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
    log_warn(LD_DIR, "Cannot rename %s to %s (error %lu)", tmp, path,
             (unsigned long)GetLastError());
    remove(tmp);
    return -1;
  }
#else
  if (rename(tmp, path) < 0) {
    log_warn(LD_DIR, "Cannot rename %s to %s: %s", tmp, path, strerror(errno));
    remove(tmp);
    return -1;
  }
#endif
  return 0;
}
