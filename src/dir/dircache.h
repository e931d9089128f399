/* dircache.h — cached directory documents in the data directory, named as
 * tor names them: "cached-certs", "cached-microdesc-consensus",
 * "cached-microdescs".  Writes are atomic (a temporary file, flushed to
 * disk, renamed over the old one — MoveFileEx on Windows), so a crash leaves
 * the old file or the new one, never half of one. */
#ifndef EVONION_DIR_DIRCACHE_H
#define EVONION_DIR_DIRCACHE_H

#include <stddef.h>

#define DIRCACHE_CERTS "cached-certs"
#define DIRCACHE_CONSENSUS "cached-microdesc-consensus"
#define DIRCACHE_MICRODESCS "cached-microdescs"

/** Read dir/name whole.  Returns a NUL-terminated buffer (x_free it) and its
 *  length in *len, or NULL if the file is missing, unreadable or larger than
 *  cap bytes (logged at info level). */
char *dircache_read(const char *dir, const char *name, size_t cap, size_t *len);

/** Replace dir/name with len bytes of data, atomically.  Returns 0, or -1
 *  (logged at warn level; the old file is left as it was). */
int dircache_write(const char *dir, const char *name, const void *data, size_t len);

#endif
