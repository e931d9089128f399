/* log.c — the log destination, formatting and rate limiting. */
#include "lib/log.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#ifdef _WIN32
#include <windows.h>
#else
#include <sys/time.h>
#endif

static log_severity_t log_max_sev = LOG_NOTICE;
static FILE *log_file;
static log_hook_fn log_hook;
static void *log_hook_arg;

static const char *const severity_names[] = { "err", "warn", "notice", "info", "debug" };
static const char *const domain_names[LD_N_DOMAINS] = {
  "general", "config", "net", "tls", "crypto", "protocol", "or", "circ", "edge", "dir",
  "app", "bug",
};

int
log_severity_from_string(const char *s)
{
  for (int i = 0; i <= LOG_DEBUG; i++)
    if (s && !strcasecmp(s, severity_names[i]))
      return i;
  return -1;
}

const char *
log_severity_to_string(log_severity_t sev)
{
  return (sev >= LOG_ERR && sev <= LOG_DEBUG) ? severity_names[sev] : "?";
}

const char *
log_domain_to_string(log_domain_t dom)
{
  return (dom >= 0 && dom < LD_N_DOMAINS) ? domain_names[dom] : "?";
}

void
log_set_severity(log_severity_t max_sev)
{
  log_max_sev = max_sev;
}

log_severity_t
log_get_severity(void)
{
  return log_max_sev;
}

int
log_would_log(log_severity_t sev)
{
  return sev <= log_max_sev || log_hook != NULL;
}

int
log_set_file(const char *path)
{
  FILE *f = fopen(path, "a");
  if (!f)
    return -1;
  log_close_file();
  log_file = f;
  return 0;
}

void
log_close_file(void)
{
  if (log_file)
    fclose(log_file);
  log_file = NULL;
}

void
log_set_hook(log_hook_fn fn, void *arg)
{
  log_hook = fn;
  log_hook_arg = arg;
}

static void
log_format_time(char *buf, size_t len)
{
  time_t sec;
  long msec;
#ifdef _WIN32
  SYSTEMTIME st;
  GetLocalTime(&st);
  snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d.%03d", st.wYear, st.wMonth, st.wDay,
           st.wHour, st.wMinute, st.wSecond, st.wMilliseconds);
  (void)sec; (void)msec;
#else
  struct timeval tv;
  struct tm tm;
  gettimeofday(&tv, NULL);
  sec = tv.tv_sec;
  msec = (long)(tv.tv_usec / 1000);
  localtime_r(&sec, &tm);
  size_t n = strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
  snprintf(buf + n, len - n, ".%03ld", msec);
#endif
}

void
log_fnv_(log_severity_t sev, log_domain_t dom, const char *func, const char *fmt, va_list ap)
{
  char msg[2048];
  int saved_errno = errno;
  vsnprintf(msg, sizeof(msg), fmt, ap);
  if (log_hook)
    log_hook(sev, dom, msg, log_hook_arg);
  if (sev > log_max_sev) {
    errno = saved_errno;
    return;
  }
  char when[40];
  log_format_time(when, sizeof(when));
  FILE *out = log_file ? log_file : stderr;
  if (dom == LD_BUG || log_max_sev >= LOG_DEBUG)
    fprintf(out, "%s [%s] %s(): %s\n", when, severity_names[sev], func, msg);
  else
    fprintf(out, "%s [%s] %s\n", when, severity_names[sev], msg);
  fflush(out);
  errno = saved_errno;
}

void
log_fn_(log_severity_t sev, log_domain_t dom, const char *func, const char *fmt, ...)
{
  va_list ap;
  if (!log_would_log(sev))
    return;
  va_start(ap, fmt);
  log_fnv_(sev, dom, func, fmt, ap);
  va_end(ap);
}

int
log_ratelim_check(log_ratelim_t *rl, time_t now, unsigned *n_suppressed)
{
  if (rl->last_allowed == 0 || now - rl->last_allowed >= rl->interval || now < rl->last_allowed) {
    *n_suppressed = rl->n_suppressed;
    rl->n_suppressed = 0;
    rl->last_allowed = now;
    return 1;
  }
  rl->n_suppressed++;
  return 0;
}

void
log_ratelim_(log_ratelim_t *rl, log_severity_t sev, log_domain_t dom, const char *func,
             const char *fmt, ...)
{
  unsigned n;
  char msg[1800];
  va_list ap;
  if (!log_would_log(sev))
    return;
  if (!log_ratelim_check(rl, time(NULL), &n))
    return;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  if (n)
    log_fn_(sev, dom, func, "%s [%u similar message(s) suppressed in last %d seconds]", msg, n,
            rl->interval);
  else
    log_fn_(sev, dom, func, "%s", msg);
}

char *
log_escape(const char *s, size_t len, char *out, size_t outlen)
{
  size_t o = 0;
  if (outlen == 0)
    return out;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    char tmp[5];
    size_t n;
    if (c == '"' || c == '\\') {
      tmp[0] = '\\'; tmp[1] = (char)c; n = 2;
    } else if (isprint(c)) {
      tmp[0] = (char)c; n = 1;
    } else {
      snprintf(tmp, sizeof(tmp), "\\x%02x", c); n = 4;
    }
    if (o + n + 4 > outlen) {
      if (outlen >= 4) {
        if (o > outlen - 4)
          o = outlen - 4;
        memcpy(out + o, "...", 3);
        o += 3;
      }
      break;
    }
    memcpy(out + o, tmp, n);
    o += n;
  }
  out[o < outlen ? o : outlen - 1] = '\0';
  return out;
}
