/* flags.c — the table-driven command-line parser. */
#include "app/flags.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/listener.h"
#include "lib/alloc.h"
#include "lib/log.h"

/* tor's units (config.c memory_units/rate units), case-insensitive; IEC too. */
static const struct { const char *name; uint64_t mult; } size_units[] = {
  { "", 1 }, { "b", 1 }, { "byte", 1 }, { "bytes", 1 },
  { "kb", 1ull << 10 }, { "kbyte", 1ull << 10 }, { "kbytes", 1ull << 10 },
  { "kilobyte", 1ull << 10 }, { "kilobytes", 1ull << 10 }, { "kib", 1ull << 10 },
  { "kbit", 1ull << 7 }, { "kbits", 1ull << 7 }, { "kilobit", 1ull << 7 }, { "kilobits", 1ull << 7 },
  { "mb", 1ull << 20 }, { "mbyte", 1ull << 20 }, { "mbytes", 1ull << 20 },
  { "megabyte", 1ull << 20 }, { "megabytes", 1ull << 20 }, { "mib", 1ull << 20 },
  { "mbit", 1ull << 17 }, { "mbits", 1ull << 17 }, { "megabit", 1ull << 17 },
  { "megabits", 1ull << 17 },
  { "gb", 1ull << 30 }, { "gbyte", 1ull << 30 }, { "gbytes", 1ull << 30 },
  { "gigabyte", 1ull << 30 }, { "gigabytes", 1ull << 30 }, { "gib", 1ull << 30 },
  { "gbit", 1ull << 27 }, { "gbits", 1ull << 27 }, { "gigabit", 1ull << 27 },
  { "gigabits", 1ull << 27 },
  { "tb", 1ull << 40 }, { "tbyte", 1ull << 40 }, { "tbytes", 1ull << 40 },
  { "terabyte", 1ull << 40 }, { "terabytes", 1ull << 40 }, { "tib", 1ull << 40 },
  { "tbit", 1ull << 37 }, { "tbits", 1ull << 37 }, { "terabit", 1ull << 37 },
  { "terabits", 1ull << 37 },
};

int
flags_parse_size(const char *s, uint64_t *out)
{
  const char *p = s;
  while (*p == ' ')
    p++;
  if (!isdigit((unsigned char)*p))
    return -1;
  const char *num = p;
  while (isdigit((unsigned char)*p))
    p++;
  int has_frac = 0;
  if (*p == '.') {
    has_frac = 1;
    p++;
    if (!isdigit((unsigned char)*p))
      return -1;
    while (isdigit((unsigned char)*p))
      p++;
  }
  size_t numlen = (size_t)(p - num);
  if (numlen > 30)
    return -1;
  char numbuf[32];
  memcpy(numbuf, num, numlen);
  numbuf[numlen] = '\0';
  while (*p == ' ')
    p++;
  char unit[16];
  size_t ul = strlen(p);
  if (ul >= sizeof(unit))
    return -1;
  for (size_t i = 0; i <= ul; i++)
    unit[i] = (char)tolower((unsigned char)p[i]);
  while (ul && unit[ul - 1] == ' ')
    unit[--ul] = '\0';
  for (size_t i = 0; i < sizeof(size_units) / sizeof(size_units[0]); i++) {
    if (strcmp(unit, size_units[i].name))
      continue;
    uint64_t mult = size_units[i].mult;
    if (has_frac) {
      double v = strtod(numbuf, NULL) * (double)mult;
      if (!(v < 18446744073709549568.0))
        return -1;
      *out = (uint64_t)llround(v);
      return 0;
    }
    errno = 0;
    unsigned long long v = strtoull(numbuf, NULL, 10);
    if (errno == ERANGE || (mult && v > UINT64_MAX / mult))
      return -1;
    *out = (uint64_t)v * mult;
    return 0;
  }
  return -1;
}

static const flag_def_t *
flags_find(const flag_def_t *table, const char *name, size_t namelen)
{
  for (const flag_def_t *f = table; f->name; f++)
    if (strlen(f->name) == namelen && !strncmp(f->name, name, namelen))
      return f;
  return NULL;
}

static char **
slot_str(void *cfg, const flag_def_t *f)
{
  return (char **)(void *)((char *)cfg + f->offset);
}

/* Check and store one value.  Returns 0 or -1 with err set. */
static int
flags_store(const flag_def_t *f, void *cfg, const char *val, char *err, size_t errlen)
{
  char *base = (char *)cfg + f->offset;
  char esc[80];
  log_escape(val, strlen(val), esc, sizeof(esc));
  switch (f->type) {
  case FLAG_BOOL:
    *(int *)(void *)base = 1;
    return 0;
  case FLAG_STRING: {
    if (!*val) {
      snprintf(err, errlen, "--%s: the value must not be empty", f->name);
      return -1;
    }
    if (f->flags & FLAG_REPEATABLE) {
      flag_list_t *l = (flag_list_t *)(void *)base;
      l->items = x_realloc(l->items, sizeof(char *) * (size_t)(l->n + 1));
      l->items[l->n++] = x_strdup(val);
    } else {
      x_free(*slot_str(cfg, f));
      *slot_str(cfg, f) = x_strdup(val);
    }
    return 0;
  }
  case FLAG_INT: {
    char *end;
    errno = 0;
    long long v = strtoll(val, &end, 10);
    if (!*val || *end || errno == ERANGE) {
      snprintf(err, errlen, "--%s: \"%s\" is not a whole number", f->name, esc);
      return -1;
    }
    if (v < f->min || v > f->max) {
      snprintf(err, errlen, "--%s: %lld is out of range (%lld to %lld)", f->name, v,
               (long long)f->min, (long long)f->max);
      return -1;
    }
    *(int64_t *)(void *)base = v;
    return 0;
  }
  case FLAG_SIZE: {
    uint64_t v;
    if (flags_parse_size(val, &v) < 0) {
      snprintf(err, errlen, "--%s: \"%s\" is not a size (e.g. 1048576, 500 KBytes, 2 MBits)",
               f->name, esc);
      return -1;
    }
    if (v < (uint64_t)f->min || v > (uint64_t)f->max) {
      snprintf(err, errlen, "--%s: %s is out of range (%lld to %lld bytes)", f->name, esc,
               (long long)f->min, (long long)f->max);
      return -1;
    }
    *(uint64_t *)(void *)base = v;
    return 0;
  }
  case FLAG_LOGLEVEL: {
    int lvl = log_severity_from_string(val);
    if (lvl < 0) {
      snprintf(err, errlen, "--%s: \"%s\" is not a log level (err, warn, notice, info, debug)",
               f->name, esc);
      return -1;
    }
    *(int *)(void *)base = lvl;
    return 0;
  }
  case FLAG_ADDRPORT: {
    struct sockaddr_storage ss;
    int len;
    char norm[80];
    const char *s = val;
    char withaddr[96];
    /* A bare port means 127.0.0.1:PORT. */
    if (*val && strspn(val, "0123456789") == strlen(val)) {
      if (strlen(val) > 6) {
        snprintf(err, errlen, "--%s: port %s is out of range (%lld to %lld)", f->name, esc,
                 (long long)f->min, (long long)f->max);
        return -1;
      }
      snprintf(withaddr, sizeof(withaddr), "127.0.0.1:%s", val);
      s = withaddr;
    }
    const char *colon = strrchr(s, ':');
    long port = colon ? strtol(colon + 1, NULL, 10) : -1;
    if (colon && colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1) &&
        strlen(colon + 1) <= 6 && (port < f->min || port > f->max)) {
      snprintf(err, errlen, "--%s: port %ld is out of range (%lld to %lld)", f->name, port,
               (long long)f->min, (long long)f->max);
      return -1;
    }
    if (addr_parse(s, -1, &ss, &len) < 0) {
      snprintf(err, errlen, "--%s: \"%s\" is not [ADDR:]PORT (e.g. 9050, 127.0.0.1:9050, [::1]:9050)",
               f->name, esc);
      return -1;
    }
    addr_to_string((struct sockaddr *)&ss, norm, sizeof(norm));
    if (f->flags & FLAG_REPEATABLE) {
      flag_list_t *l = (flag_list_t *)(void *)base;
      l->items = x_realloc(l->items, sizeof(char *) * (size_t)(l->n + 1));
      l->items[l->n++] = x_strdup(norm);
    } else {
      x_free(*slot_str(cfg, f));
      *slot_str(cfg, f) = x_strdup(norm);
    }
    return 0;
  }
  }
  return -1;
}

int
flags_parse(const flag_def_t *table, void *cfg, int argc, char **argv, const char **stopped_at,
            char *err, size_t errlen)
{
  char esc[80];
  err[0] = '\0';
  for (const flag_def_t *f = table; f->name; f++)
    if (f->default_str && flags_store(f, cfg, f->default_str, err, errlen) < 0)
      return -1;  /* a bug in the table; tests catch it */
  /* Repeatable flags: a user's values replace the default list. */
  unsigned char seen[256] = { 0 };
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    log_escape(arg, strlen(arg), esc, sizeof(esc));
    if (strncmp(arg, "--", 2) || !arg[2]) {
      snprintf(err, errlen, "unexpected argument \"%s\" (flags start with --; see --help)", esc);
      return -1;
    }
    const char *name = arg + 2, *eq = strchr(name, '=');
    size_t namelen = eq ? (size_t)(eq - name) : strlen(name);
    const flag_def_t *f = flags_find(table, name, namelen);
    if (!f) {
      snprintf(err, errlen, "unknown flag \"%s\" (see --help)", esc);
      return -1;
    }
    size_t idx = (size_t)(f - table);
    if (f->type == FLAG_BOOL) {
      if (eq) {
        snprintf(err, errlen, "--%s takes no value", f->name);
        return -1;
      }
      flags_store(f, cfg, "", err, errlen);
      if (f->flags & FLAG_STOPS) {
        *stopped_at = f->name;
        return 1;
      }
      continue;
    }
    const char *val;
    if (eq) {
      val = eq + 1;
    } else if (i + 1 < argc) {
      val = argv[++i];
    } else {
      snprintf(err, errlen, "--%s needs a value (%s)", f->name, f->metavar ? f->metavar : "VALUE");
      return -1;
    }
    if (idx < sizeof(seen) && !seen[idx]++) {
      if (f->flags & FLAG_REPEATABLE) {
        flag_list_t *l = (flag_list_t *)(void *)((char *)cfg + f->offset);
        for (int k = 0; k < l->n; k++)
          x_free(l->items[k]);
        l->n = 0;
      }
    } else if (!(f->flags & FLAG_REPEATABLE)) {
      snprintf(err, errlen, "--%s given more than once", f->name);
      return -1;
    }
    if (flags_store(f, cfg, val, err, errlen) < 0)
      return -1;
  }
  return 0;
}

void
flags_free(const flag_def_t *table, void *cfg)
{
  for (const flag_def_t *f = table; f->name; f++) {
    if (f->type != FLAG_STRING && f->type != FLAG_ADDRPORT)
      continue;
    if (f->flags & FLAG_REPEATABLE) {
      flag_list_t *l = (flag_list_t *)(void *)((char *)cfg + f->offset);
      for (int k = 0; k < l->n; k++)
        x_free(l->items[k]);
      x_free(l->items);
      l->items = NULL;
      l->n = 0;
    } else {
      FREE_AND_NULL(x_free, *slot_str(cfg, f));
    }
  }
}

void
flags_format_help(const flag_def_t *table, const char *usage, char *buf, size_t len)
{
  size_t o = 0;
#define HELP_OUT(...) do { int n_ = snprintf(buf + o, o < len ? len - o : 0, __VA_ARGS__); \
    if (n_ > 0) o += (size_t)n_; } while (0)
  HELP_OUT("%s\n\nFlags:\n", usage);
  for (const flag_def_t *f = table; f->name; f++) {
    char head[64];
    snprintf(head, sizeof(head), "  --%s%s%s", f->name, f->metavar ? " " : "",
             f->metavar ? f->metavar : "");
    HELP_OUT("%s\n", head);
    /* Wrap the help at 76 columns, indented by 6. */
    const char *h = f->help;
    char line[128];
    while (*h) {
      size_t take = strlen(h);
      if (take > 70) {
        take = 70;
        while (take > 0 && h[take] != ' ')
          take--;
        if (take == 0)
          take = 70;
      }
      memcpy(line, h, take);
      line[take] = '\0';
      HELP_OUT("      %s\n", line);
      h += take;
      while (*h == ' ')
        h++;
    }
    if (f->default_str && f->type != FLAG_BOOL)
      HELP_OUT("      (default: %s)\n", f->default_str);
  }
#undef HELP_OUT
}
