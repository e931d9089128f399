/* flags.h — a table-driven command-line parser.
 *
 * Each flag is one row: name, type, default, where it is stored, help.  A
 * later feature adds a row, not a code path.  Values are checked by type
 * (sizes in tor's units, ports, log levels, addresses); a bad flag, a
 * missing value or an out-of-range number gives one line of error text
 * naming the flag and the problem. */
#ifndef EVONION_APP_FLAGS_H
#define EVONION_APP_FLAGS_H

#include <stddef.h>
#include <stdint.h>

typedef enum flag_type_t {
  FLAG_BOOL,      /**< no value; stores int 1 */
  FLAG_STRING,    /**< stores char * (x_strdup'd) */
  FLAG_INT,       /**< stores int64_t, within [min, max] */
  FLAG_SIZE,      /**< bytes with tor's units ("500 KBytes", "2 MBits"); stores uint64_t in [min, max] */
  FLAG_LOGLEVEL,  /**< err|warn|notice|info|debug; stores int */
  FLAG_ADDRPORT,  /**< [ADDR:]PORT, PORT in [min, max]; stores char * normalised to "ADDR:PORT" */
} flag_type_t;

/** A flag may be given more than once (values collect in a flag_list_t). */
#define FLAG_REPEATABLE 1u
/** --help / --version: parsing stops at it successfully. */
#define FLAG_STOPS 2u

/** Values of a repeatable flag. */
typedef struct flag_list_t {
  char **items;
  int n;
} flag_list_t;

typedef struct flag_def_t {
  const char *name;         /**< without the leading "--" */
  flag_type_t type;
  const char *default_str;  /**< parsed like a user's value; NULL: none */
  size_t offset;            /**< where the value goes in the config struct */
  const char *metavar;      /**< shown in --help, e.g. "N" */
  const char *help;         /**< one sentence */
  int64_t min, max;         /**< for FLAG_INT, FLAG_SIZE, the port of FLAG_ADDRPORT */
  unsigned flags;           /**< FLAG_REPEATABLE, FLAG_STOPS */
} flag_def_t;

/** Parse argv (argv[0] is the program) against table (ended by a row with a
 *  NULL name) into cfg, after applying every default.  Returns 0, 1 if a
 *  FLAG_STOPS flag was given (its name in *stopped_at), or -1 with a one-line
 *  message in err. */
int flags_parse(const flag_def_t *table, void *cfg, int argc, char **argv, const char **stopped_at,
                char *err, size_t errlen);
/** Free what flags_parse allocated in cfg. */
void flags_free(const flag_def_t *table, void *cfg);
/** Write the --help text for table (lines under 80 columns) to buf. */
void flags_format_help(const flag_def_t *table, const char *usage, char *buf, size_t len);

/** Parse a size such as "1048576", "500 KB", "2 MBits", "1.5 gbytes" (case-insensitive)
 *  into bytes.  Returns 0, or -1 if it is not a size or does not fit. */
int flags_parse_size(const char *s, uint64_t *out);

#endif
