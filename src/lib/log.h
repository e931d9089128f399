/* log.h — severities, domains, one destination (stderr or a file), and
 * rate-limited protocol warnings.
 *
 *   log_notice(LD_APP, "Bootstrapped %d%%", pct);
 *   log_protocol_warn(LD_PROTOCOL, "peer sent a bad cell");  // at most 1 per 10 s per call site
 *
 * Untrusted strings must go through log_escape() before they reach a log line. */
#ifndef EVONION_LIB_LOG_H
#define EVONION_LIB_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <time.h>

/** Severities, most severe first (syslog-like ordering: a lower number is more severe). */
typedef enum log_severity_t {
  LOG_ERR = 0,
  LOG_WARN = 1,
  LOG_NOTICE = 2,
  LOG_INFO = 3,
  LOG_DEBUG = 4,
} log_severity_t;

/** Domains: which part of the program a message is about. */
typedef enum log_domain_t {
  LD_GENERAL = 0,
  LD_CONFIG,
  LD_NET,       /**< sockets, listeners, connections */
  LD_TLS,
  LD_CRYPTO,
  LD_PROTOCOL,  /**< a peer broke the protocol */
  LD_OR,        /**< channels */
  LD_CIRC,
  LD_EDGE,      /**< streams */
  LD_DIR,
  LD_APP,       /**< SOCKS side */
  LD_BUG,       /**< our own bug */
  LD_N_DOMAINS,
} log_domain_t;

/** Parse "err|warn|notice|info|debug" (case-insensitive); -1 if unknown. */
int log_severity_from_string(const char *s);
/** The lower-case name of a severity. */
const char *log_severity_to_string(log_severity_t sev);
/** The lower-case name of a domain. */
const char *log_domain_to_string(log_domain_t dom);

/** Log messages at least as severe as max_sev (default LOG_NOTICE). */
void log_set_severity(log_severity_t max_sev);
/** The current threshold. */
log_severity_t log_get_severity(void);
/** True if a message of this severity would be written. */
int log_would_log(log_severity_t sev);
/** Send log lines to the file at path (appending), instead of stderr.
 *  Returns 0, or -1 with errno set if it cannot be opened. */
int log_set_file(const char *path);
/** Back to stderr; closes any log file. */
void log_close_file(void);
/** A function that sees every message written (tests use it); NULL removes it. */
typedef void (*log_hook_fn)(log_severity_t sev, log_domain_t dom, const char *msg, void *arg);
void log_set_hook(log_hook_fn fn, void *arg);

/* mingw's printf attribute means msvcrt's formats; we build with
 * __USE_MINGW_ANSI_STDIO, so C99 formats (%zu, %lld) are right there too. */
#if defined(__MINGW32__)
#define LOG_FORMAT_ATTR(a, b) __attribute__((format(gnu_printf, a, b)))
#elif defined(__GNUC__)
#define LOG_FORMAT_ATTR(a, b) __attribute__((format(printf, a, b)))
#else
#define LOG_FORMAT_ATTR(a, b)
#endif

/** Write one message. Use the log_* macros instead. */
void log_fn_(log_severity_t sev, log_domain_t dom, const char *func, const char *fmt, ...)
  LOG_FORMAT_ATTR(4, 5);
void log_fnv_(log_severity_t sev, log_domain_t dom, const char *func, const char *fmt, va_list ap);

#define log_err(dom, ...)    log_fn_(LOG_ERR, (dom), __func__, __VA_ARGS__)
#define log_warn(dom, ...)   log_fn_(LOG_WARN, (dom), __func__, __VA_ARGS__)
#define log_notice(dom, ...) log_fn_(LOG_NOTICE, (dom), __func__, __VA_ARGS__)
#define log_info(dom, ...)   log_fn_(LOG_INFO, (dom), __func__, __VA_ARGS__)
#define log_debug(dom, ...)  do { if (log_would_log(LOG_DEBUG)) \
      log_fn_(LOG_DEBUG, (dom), __func__, __VA_ARGS__); } while (0)

/** A rate limiter: at most one message per interval seconds; the rest are counted. */
typedef struct log_ratelim_t {
  int interval;
  time_t last_allowed;
  unsigned n_suppressed;
} log_ratelim_t;

/** Decide whether a rate-limited message may be written now.  Returns 1 and
 *  stores in *n_suppressed how many were dropped since the last one, or 0. */
int log_ratelim_check(log_ratelim_t *rl, time_t now, unsigned *n_suppressed);

/** Log fmt at warn level through rl, adding "[N similar messages suppressed]". */
void log_ratelim_(log_ratelim_t *rl, log_severity_t sev, log_domain_t dom, const char *func,
                  const char *fmt, ...) LOG_FORMAT_ATTR(5, 6);

/** Seconds between two protocol warnings from one call site. */
#define LOG_PROTOCOL_WARN_INTERVAL 10

/** A warning about a peer's misbehaviour, rate-limited per call site. */
#define log_protocol_warn(dom, ...) do {                                  \
    static log_ratelim_t log_rl_ = { LOG_PROTOCOL_WARN_INTERVAL, 0, 0 };  \
    log_ratelim_(&log_rl_, LOG_WARN, (dom), __func__, __VA_ARGS__);       \
  } while (0)

/** Log a bug (something that must not happen) at warn level with file:line. */
#define log_bug(...) log_fn_(LOG_WARN, LD_BUG, __func__, __VA_ARGS__)

/** Copy at most len bytes of the untrusted s into out (outlen bytes) with
 *  non-printable bytes, quotes and backslashes escaped, NUL-terminated,
 *  truncated with "..." if needed.  Returns out. */
char *log_escape(const char *s, size_t len, char *out, size_t outlen);

#endif
