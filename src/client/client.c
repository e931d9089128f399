/* client.c — the onion-proxy role, assembled (see client.h). */
#include "client/client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/util.h>

#include "client/ap.h"
#include "client/circpool.h"
#include "client/dirtunnel.h"
#include "client/guard.h"
#include "client/socks_conn.h"
#include "core/listener.h"
#include "core/tls.h"
#include "dir/bootstrap.h"
#include "dir/dirclient.h"
#include "lib/alloc.h"
#include "lib/log.h"
#include "or/chanmgr.h"
#include "or/circuit.h"

/** At most this many SOCKS ports. */
#define CLIENT_MAX_SOCKS_PORTS 16

struct client_t {
  mainloop_t *ml;
  bootstrap_t boot;
  tls_ctx_t *tls;
  chanmgr_t *chanmgr;
  circuit_ctx_t *cctx;
  guard_set_t *guards;
  circpool_t *pool;
  dirtunnel_t *tunnel;
  ap_ctx_t *ap;
  dirclient_t *dc;
  size_t n_socks;
  socks_listener_t *socks[CLIENT_MAX_SOCKS_PORTS];
};

/** Circuit parameters from the consensus (param-spec). */
static void
apply_consensus_params(client_t *cl, const nodelist_t *nl)
{
  circuit_params_t p;
  circuit_params_default(&p);
  p.circwindow = nodelist_get_param(nl, "circwindow", CIRCWINDOW_START_DEFAULT,
                                    CIRCWINDOW_START_MIN, CIRCWINDOW_START_MAX);
  p.sendme_emit_min_version = nodelist_get_param(nl, "sendme_emit_min_version", 1, 0, 255);
  p.sendme_accept_min_version = nodelist_get_param(nl, "sendme_accept_min_version", 0, 0, 255);
  /* We speak SENDME versions 0 and 1: never emit more than 1. */
  if (p.sendme_emit_min_version > 1)
    p.sendme_emit_min_version = 1;
  circuit_ctx_set_params(cl->cctx, &p);
}

static void
on_nodelist(const nodelist_t *nl, int enough, void *arg)
{
  client_t *cl = arg;
  apply_consensus_params(cl, nl);
  circpool_set_nodelist(cl->pool, nl, enough);
}

/** "[ADDR:]PORT" -> a socket address (a bare port means 127.0.0.1). */
static int
parse_socks_port(const char *s, struct sockaddr_storage *ss, int *len)
{
  char buf[128];
  size_t n = strlen(s);
  if (n == 0 || n >= sizeof(buf) - 16)
    return -1;
  if (strspn(s, "0123456789") == n) {
    snprintf(buf, sizeof(buf), "127.0.0.1:%s", s);
    s = buf;
  }
  return addr_parse(s, -1, ss, len);
}

static int
start_socks(client_t *cl, const client_options_t *o, char *err, size_t errlen)
{
  if (o->n_socks_ports > CLIENT_MAX_SOCKS_PORTS) {
    snprintf(err, errlen, "--socks-port: at most %d ports", CLIENT_MAX_SOCKS_PORTS);
    return -1;
  }
  for (size_t i = 0; i < o->n_socks_ports; i++) {
    struct sockaddr_storage ss;
    int len;
    if (parse_socks_port(o->socks_ports[i], &ss, &len) < 0) {
      snprintf(err, errlen, "--socks-port: cannot parse \"%s\" (want [ADDR:]PORT)",
               o->socks_ports[i]);
      return -1;
    }
    if (!o->socks_allow_nonlocal && !socks_addr_is_loopback((struct sockaddr *)&ss, len)) {
      snprintf(err, errlen, "--socks-port %s is not a loopback address: anyone who can reach it "
               "could use this proxy; add --socks-allow-nonlocal if you mean it",
               o->socks_ports[i]);
      return -1;
    }
    cl->socks[i] = socks_listen(cl->ml, (struct sockaddr *)&ss, len, o->socks_allow_nonlocal,
                                ap_handle_socks_request, cl->ap);
    if (!cl->socks[i]) {
      snprintf(err, errlen, "--socks-port: cannot listen on %s", o->socks_ports[i]);
      return -1;
    }
    cl->n_socks = i + 1;
    log_notice(LD_APP, "Opened SOCKS listener on %s port %d", o->socks_ports[i],
               socks_listener_get_port(cl->socks[i]));
  }
  return 0;
}

client_t *
client_start(mainloop_t *ml, const client_options_t *o, char *err, size_t errlen)
{
  client_t *cl = x_calloc(1, sizeof(*cl));
  cl->ml = ml;
  bootstrap_init(&cl->boot);
  bootstrap_report(&cl->boot, BOOTSTRAP_STARTING, 0);
  cl->tls = tls_ctx_new_client();
  if (!cl->tls) {
    snprintf(err, errlen, "cannot create the TLS client context");
    client_free(cl);
    return NULL;
  }
  cl->chanmgr = chanmgr_new(ml, cl->tls);
  cl->cctx = circuit_ctx_new(ml, cl->chanmgr);
  if (o->max_mem_in_queues)
    circuit_ctx_set_max_mem(cl->cctx, o->max_mem_in_queues);
  cl->guards = guard_set_open(o->data_dir);

  circpool_options_t po;
  circpool_options_default(&po);
  po.ml = ml;
  po.cctx = cl->cctx;
  po.guards = cl->guards;
  po.bootstrap = &cl->boot;
  po.testing_tor_network = o->testing_tor_network;
  if (o->n_prebuilt >= 0)
    po.n_prebuilt = o->n_prebuilt;
  if (o->n_socks_ports == 0)
    po.n_prebuilt = 0;           /* nothing will use them */
  cl->pool = circpool_new(&po);
  cl->ap = ap_ctx_new(ml, cl->pool);

  if (start_socks(cl, o, err, errlen) < 0) {
    client_free(cl);
    return NULL;
  }

  dirclient_options_t d;
  memset(&d, 0, sizeof(d));
  d.auths = o->auths;
  d.data_dir = o->data_dir;
  d.testing_tor_network = o->testing_tor_network;
  d.bootstrap = &cl->boot;
  d.on_nodelist = on_nodelist;
  d.arg = cl;
  cl->dc = dirclient_new(ml, &d);
  /* Once there is enough directory information, fetch over BEGIN_DIR on
   * one-hop circuits to the guard, as tor clients do (dir/README.md). */
  cl->tunnel = dirtunnel_new(ml, cl->pool);
  dirclient_set_tunnel(cl->dc, dirtunnel_open, cl->tunnel);
  dirclient_start(cl->dc);
  return cl;
}

void
client_free(client_t *cl)
{
  if (!cl)
    return;
  if (cl->ap)
    ap_ctx_shutdown(cl->ap);
  for (size_t i = 0; i < cl->n_socks; i++)
    socks_listener_free(cl->socks[i]);
  dirclient_free(cl->dc);
  dirtunnel_free(cl->tunnel);
  circpool_free(cl->pool);
  circuit_ctx_free(cl->cctx);
  ap_ctx_free(cl->ap);
  chanmgr_free(cl->chanmgr);
  if (cl->guards)
    guard_set_save(cl->guards);
  guard_set_free(cl->guards);
  tls_ctx_free(cl->tls);
  x_free(cl);
}

int
client_socks_port(const client_t *cl, size_t i)
{
  return i < cl->n_socks ? socks_listener_get_port(cl->socks[i]) : -1;
}
