/* dirsched.c — refresh times and back-off (see dirsched.h). */
#include "dir/dirsched.h"

int
dirsched_refresh_window(int64_t valid_after, int64_t fresh_until, int64_t valid_until,
                        int64_t *start, int64_t *len)
{
  if (!(valid_after < fresh_until && fresh_until < valid_until))
    return -1;
  int64_t interval = fresh_until - valid_after;
  int64_t s = fresh_until + (interval * 3) / 4;
  int64_t l = ((valid_until - s) * 7) / 8;
  if (l < 1)
    l = 1;
  if (s + l >= valid_until)
    s = valid_until - l - 1;
  if (s < fresh_until) {
    /* Very short validity: the whole gap between fresh-until and valid-until. */
    s = fresh_until;
    l = valid_until - fresh_until - 1;
    if (l < 1)
      l = 1;
  }
  *start = s;
  *len = l;
  return 0;
}

int64_t
dirsched_refresh_time(int64_t valid_after, int64_t fresh_until, int64_t valid_until,
                      dirsched_rand_fn rnd)
{
  int64_t start, len;
  if (dirsched_refresh_window(valid_after, fresh_until, valid_until, &start, &len) < 0)
    return fresh_until > valid_after ? fresh_until : valid_after + 60;
  return start + (int64_t)rnd((uint64_t)len);
}

void
dirsched_backoff_init(dirsched_backoff_t *b, double base, double cap)
{
  b->base = base > 0 ? base : 0.001;
  b->cap = cap >= b->base ? cap : b->base;
  b->n_failures = 0;
}

double
dirsched_backoff_bound(const dirsched_backoff_t *b, unsigned n)
{
  double d = b->base;
  for (unsigned i = 1; i < n && d < b->cap; i++)
    d *= 2;
  return d < b->cap ? d : b->cap;
}

double
dirsched_backoff_failed(dirsched_backoff_t *b, dirsched_rand_fn rnd)
{
  if (b->n_failures < 1000)
    b->n_failures++;
  double d = dirsched_backoff_bound(b, b->n_failures);
  /* Jitter in [d/2, d], in milliseconds. */
  uint64_t half_ms = (uint64_t)(d * 500.0);
  double j = half_ms ? (double)rnd(half_ms + 1) / 1000.0 : 0.0;
  return d / 2 + j;
}

void
dirsched_backoff_succeeded(dirsched_backoff_t *b)
{
  b->n_failures = 0;
}
