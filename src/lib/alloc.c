/* alloc.c — allocators that abort on out-of-memory. */
#include "lib/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

static void
alloc_die(size_t n)
{
  fprintf(stderr, "evonion: out of memory allocating %zu bytes\n", n);
  abort();
}

void *
x_malloc(size_t n)
{
  void *p = malloc(n ? n : 1);
  if (!p)
    alloc_die(n);
  return p;
}

void *
x_calloc(size_t n, size_t size)
{
  if (size && n > (size_t)-1 / size)
    alloc_die((size_t)-1);
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p)
    alloc_die(n * size);
  return p;
}

void *
x_realloc(void *p, size_t n)
{
  void *q = realloc(p, n ? n : 1);
  if (!q)
    alloc_die(n);
  return q;
}

char *
x_strdup(const char *s)
{
  return x_memdup(s, strlen(s) + 1);
}

void *
x_memdup(const void *p, size_t n)
{
  void *q = x_malloc(n);
  if (n)
    memcpy(q, p, n);
  return q;
}

void
x_free(void *p)
{
  free(p);
}

void
x_memwipe(void *p, size_t n)
{
  if (p && n)
    OPENSSL_cleanse(p, n);
}
