/* guard_state.h — the "state" file of the data directory: the guard sample
 * as text, one guard a line, and writing it atomically.
 *
 *   # evonion state file: written by evonion; edits are lost
 *   EvonionState 1
 *   Guard id=<40 hex> nick=<nickname> sampled=<unix time> [unlisted=<t>] [confirmed=<t>]
 *
 * Times are seconds since the epoch (UTC).  Lines starting with '#' and
 * unknown keywords are ignored (a later version may add some); a malformed
 * Guard line is skipped with a warning; a text without the EvonionState
 * line, with another version, or with NUL bytes is not a state file. */
#ifndef EVONION_CLIENT_GUARD_STATE_H
#define EVONION_CLIENT_GUARD_STATE_H

#include <stddef.h>

#include "client/guard.h"

/** Refuse state files larger than this. */
#define GUARD_STATE_MAX_SIZE (64 * 1024)

/** The text of a state file holding the n entries (persisted fields only),
 *  NUL-terminated; the caller frees it with x_free. */
char *guard_state_format(const guard_entry_t *entries, size_t n);

/** Parse a state file's text (len bytes) into *out (an x_malloc'd array the
 *  caller frees; NULL when empty) and *n_out, at most GUARD_SAMPLE_HARD_MAX
 *  entries, duplicates dropped.  Returns 0, or -1 if text is not a state
 *  file (then *out is NULL and *n_out 0). */
int guard_state_parse(const char *text, size_t len, guard_entry_t **out, size_t *n_out);

/** Replace the file at path with len bytes of data: write "<path>.tmp",
 *  flush it to disk, rename it over path.  Returns 0, or -1 (logged). */
int guard_state_write_file(const char *path, const char *data, size_t len);

/** Keep a copy of a file that is not a state file: rename path to
 *  "<path>.bad" (replacing an older one), so that the next save does not
 *  destroy what someone may want (another program's "state", say).
 *  Returns 0, or -1 (logged). */
int guard_state_set_aside(const char *path);

/** Read the whole file at path (at most GUARD_STATE_MAX_SIZE bytes) into a
 *  new NUL-terminated buffer *out (x_free it) of *len bytes.  Returns 1,
 *  0 if the file does not exist, -2 if it is too big, -1 on another error
 *  (both logged). */
int guard_state_read_file(const char *path, char **out, size_t *len);

#endif
