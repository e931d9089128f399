/* listener.h — a listening socket (evconnlistener; AcceptEx under IOCP).
 *
 * On EMFILE/ENFILE the listener pauses accepting and retries on a timer
 * instead of spinning (style.md §19). */
#ifndef EVONION_CORE_LISTENER_H
#define EVONION_CORE_LISTENER_H

#include <event2/util.h>

#include "core/mainloop.h"

struct sockaddr;
struct sockaddr_storage;
typedef struct listener_t listener_t;

/** Called with each accepted socket, which the callee now owns. */
typedef void (*listener_accept_fn)(listener_t *l, evutil_socket_t fd, const struct sockaddr *addr,
                                   int addrlen, void *arg);

/** Seconds to pause accepting after running out of file descriptors. */
#define LISTENER_PAUSE_SECONDS 1.0

/** Listen on addr (port 0 picks a free port).  Returns NULL and logs on failure. */
listener_t *listener_new(mainloop_t *ml, const struct sockaddr *addr, int addrlen,
                         listener_accept_fn fn, void *arg);
/** The port actually bound (useful after port 0), or -1. */
int listener_get_port(const listener_t *l);
/** 1 while accepting is paused after fd exhaustion. */
int listener_is_paused(const listener_t *l);
/** How many times accepting was paused. */
unsigned listener_n_pauses(const listener_t *l);
/** Close and free; NULL is fine. */
void listener_free(listener_t *l);

/** Parse "1.2.3.4:80", "[::1]:80" (and, with default_port >= 0, a bare address)
 *  into ss.  Returns 0 and sets *len, or -1. */
int addr_parse(const char *s, int default_port, struct sockaddr_storage *ss, int *len);
/** Format an address as "1.2.3.4:80" / "[::1]:80" into buf. */
const char *addr_to_string(const struct sockaddr *sa, char *buf, size_t len);

#endif
