/* alloc.h — allocation that never returns NULL.
 *
 * Every allocator aborts the process on out-of-memory: callers never check for
 * NULL.  x_free() accepts NULL.  FREE_AND_NULL() frees through a typed free
 * function and nulls the pointer so that a second free is harmless. */
#ifndef EVONION_LIB_ALLOC_H
#define EVONION_LIB_ALLOC_H

#include <stddef.h>

/** Allocate n bytes (n==0 gives a unique pointer); abort on failure. */
void *x_malloc(size_t n);
/** Allocate n*size zeroed bytes, checking the multiplication; abort on failure. */
void *x_calloc(size_t n, size_t size);
/** Resize p to n bytes; abort on failure. */
void *x_realloc(void *p, size_t n);
/** Duplicate the NUL-terminated string s. */
char *x_strdup(const char *s);
/** Duplicate n bytes of p. */
void *x_memdup(const void *p, size_t n);
/** Free p; NULL is fine. */
void x_free(void *p);
/** Overwrite n bytes at p with zeros in a way the compiler cannot elide. */
void x_memwipe(void *p, size_t n);

/** Call free_fn(p) and set p to NULL. */
#define FREE_AND_NULL(free_fn, p) do { free_fn(p); (p) = NULL; } while (0)

#endif
