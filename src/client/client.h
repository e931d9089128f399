/* client.h — the onion-proxy role, assembled: the directory client (its node
 * list), entry guards, channels, circuits, the circuit pool, the SOCKS ports
 * and the AP layer that joins them.
 *
 * Data flow: SOCKS request (socks_conn) -> ap -> circpool (path, guards,
 * circuit_launch) -> stream_begin on a built circuit -> bytes both ways.  The
 * directory client feeds each new node list to the pool, and the consensus
 * parameters (circwindow, sendme_*_min_version) to the circuit layer. */
#ifndef EVONION_CLIENT_CLIENT_H
#define EVONION_CLIENT_CLIENT_H

#include <stddef.h>

#include "core/mainloop.h"
#include "dir/dirauth.h"

typedef struct client_t client_t;

typedef struct client_options_t {
  const dir_authorities_t *auths;   /**< required (borrowed for the client's life) */
  const char *data_dir;             /**< cache and guard state (NULL: none) */
  int testing_tor_network;          /**< tor's TestingTorNetwork relaxations */
  const char *const *socks_ports;   /**< "[ADDR:]PORT" each; none: no SOCKS port */
  size_t n_socks_ports;
  int socks_allow_nonlocal;         /**< accept non-loopback SOCKS addresses (warned) */
  size_t max_mem_in_queues;         /**< bytes (0: the circuit layer's default) */
  int n_prebuilt;                   /**< clean circuits kept ready (-1: default) */
} client_options_t;

/** Start the client role on ml: listen on the SOCKS ports and bootstrap the
 *  directory.  Returns the client, or NULL with a one-line reason in err
 *  (e.g. a SOCKS port that cannot be bound or is not loopback). */
client_t *client_start(mainloop_t *ml, const client_options_t *o, char *err, size_t errlen);

/** Stop everything (before mainloop_free).  NULL is fine. */
void client_free(client_t *cl);

/** The bound port of SOCKS port i (in the order given), or -1. */
int client_socks_port(const client_t *cl, size_t i);

#endif
