/* listener.c — listening sockets with accept-pause on descriptor exhaustion. */
#include "core/listener.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <event2/listener.h>
#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#endif

#include "lib/alloc.h"
#include "lib/log.h"

struct listener_t {
  mainloop_t *ml;
  struct evconnlistener *lev;
  listener_accept_fn fn;
  void *arg;
  mtimer_t *resume;
  unsigned n_pauses;
  int paused;
};

static void
listener_accept_cb(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *addr,
                   int addrlen, void *arg)
{
  listener_t *l = arg;
  (void)lev;
  l->fn(l, fd, addr, addrlen, l->arg);
}

static void
listener_resume_cb(mtimer_t *t, void *arg)
{
  listener_t *l = arg;
  (void)t;
  l->paused = 0;
  evconnlistener_enable(l->lev);
  log_info(LD_NET, "Accepting connections again");
}

static int
error_is_fd_exhaustion(int err)
{
#ifdef _WIN32
  return err == WSAEMFILE || err == WSAENOBUFS;
#else
  return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM;
#endif
}

static void
listener_error_cb(struct evconnlistener *lev, void *arg)
{
  listener_t *l = arg;
  int err = EVUTIL_SOCKET_ERROR();
  if (error_is_fd_exhaustion(err)) {
    /* The connection stays in the backlog; pause instead of spinning on it. */
    evconnlistener_disable(lev);
    l->paused = 1;
    l->n_pauses++;
    mtimer_schedule(l->resume, LISTENER_PAUSE_SECONDS);
    log_protocol_warn(LD_NET, "Out of file descriptors (%s): not accepting for %.0f s",
                      evutil_socket_error_to_string(err), LISTENER_PAUSE_SECONDS);
  } else {
    log_protocol_warn(LD_NET, "accept() failed: %s", evutil_socket_error_to_string(err));
  }
}

listener_t *
listener_new(mainloop_t *ml, const struct sockaddr *addr, int addrlen, listener_accept_fn fn,
             void *arg)
{
  char where[80];
  listener_t *l = x_calloc(1, sizeof(*l));
  l->ml = ml;
  l->fn = fn;
  l->arg = arg;
  l->lev = evconnlistener_new_bind(mainloop_base(ml), listener_accept_cb, l,
                                   LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE |
                                   LEV_OPT_CLOSE_ON_EXEC, -1, addr, addrlen);
  if (!l->lev) {
    log_warn(LD_NET, "Cannot listen on %s: %s", addr_to_string(addr, where, sizeof(where)),
             evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
    x_free(l);
    return NULL;
  }
  evconnlistener_set_error_cb(l->lev, listener_error_cb);
  l->resume = mtimer_new(ml, listener_resume_cb, l);
  return l;
}

int
listener_get_port(const listener_t *l)
{
  struct sockaddr_storage ss;
  ev_socklen_t len = sizeof(ss);
  if (getsockname(evconnlistener_get_fd(l->lev), (struct sockaddr *)&ss, &len) < 0)
    return -1;
  if (ss.ss_family == AF_INET)
    return ntohs(((struct sockaddr_in *)&ss)->sin_port);
  if (ss.ss_family == AF_INET6)
    return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
  return -1;
}

int
listener_is_paused(const listener_t *l)
{
  return l->paused;
}

unsigned
listener_n_pauses(const listener_t *l)
{
  return l->n_pauses;
}

void
listener_free(listener_t *l)
{
  if (!l)
    return;
  evconnlistener_free(l->lev);
  mtimer_free(l->resume);
  x_free(l);
}

int
addr_parse(const char *s, int default_port, struct sockaddr_storage *ss, int *len)
{
  char host[INET6_ADDRSTRLEN + 8];
  const char *port_str = NULL;
  size_t hostlen;
  memset(ss, 0, sizeof(*ss));
  if (s[0] == '[') {                       /* [v6]:port or [v6] */
    const char *end = strchr(s, ']');
    if (!end)
      return -1;
    hostlen = (size_t)(end - s - 1);
    if (end[1] == ':')
      port_str = end + 2;
    else if (end[1] != '\0')
      return -1;
    s++;
  } else {
    const char *colon = strchr(s, ':');
    if (colon && strchr(colon + 1, ':'))   /* a bare IPv6 address */
      colon = NULL;
    hostlen = colon ? (size_t)(colon - s) : strlen(s);
    port_str = colon ? colon + 1 : NULL;
  }
  if (hostlen == 0 || hostlen >= sizeof(host))
    return -1;
  memcpy(host, s, hostlen);
  host[hostlen] = '\0';
  long port = default_port;
  if (port_str) {
    char *end;
    if (!*port_str || strspn(port_str, "0123456789") != strlen(port_str) || strlen(port_str) > 5)
      return -1;
    port = strtol(port_str, &end, 10);
  }
  if (port < 0 || port > 65535)
    return -1;
  struct sockaddr_in *in = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
  if (evutil_inet_pton(AF_INET, host, &in->sin_addr) == 1) {
    in->sin_family = AF_INET;
    in->sin_port = htons((uint16_t)port);
    *len = (int)sizeof(*in);
    return 0;
  }
  if (evutil_inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons((uint16_t)port);
    *len = (int)sizeof(*in6);
    return 0;
  }
  return -1;
}

const char *
addr_to_string(const struct sockaddr *sa, char *buf, size_t len)
{
  char host[64];
  if (!sa) {
    snprintf(buf, len, "?");
  } else if (sa->sa_family == AF_INET) {
    const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
    evutil_inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
    snprintf(buf, len, "%s:%d", host, ntohs(in->sin_port));
  } else if (sa->sa_family == AF_INET6) {
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
    evutil_inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
    snprintf(buf, len, "[%s]:%d", host, ntohs(in6->sin6_port));
  } else {
    snprintf(buf, len, "(family %d)", sa->sa_family);
  }
  return buf;
}
