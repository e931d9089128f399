/* circuit.h — client origin circuits (tor-spec §5, §6.1, §7.3–7.4;
 * protocol-scope.md §A.2–A.5).
 *
 * A circuit is built hop by hop over one channel: CREATE2 (ntor) to the first
 * hop, then EXTEND2 inside RELAY_EARLY to each further hop, EXTENDED2 closing
 * each ntor handshake.  Once built, relay cells go out with tor1 crypto
 * (digest for the target hop, every layer encrypted) through the circuit's
 * cell queue and the channel's round-robin scheduler (circuit_mux.c), and
 * incoming ones are decrypted, recognised (which hop) and dispatched: stream
 * cells to streams (stream.h), circuit SENDMEs (v1 tags checked against a
 * FIFO of what we sent), TRUNCATED (teardown), DROP and unknown commands
 * (ignored after they counted for the digest).
 *
 * Windows: per hop, package and deliver windows start at circwindow (1000)
 * and move by 100; only DATA counts.  We send a SENDME v1 carrying the tag of
 * the 100th, 200th... DATA cell received; a SENDME we receive must carry the
 * tag we recorded for our 100th, 200th... DATA cell, else the circuit closes.
 *
 * Lifetime: circuit_close() (or a DESTROY, TRUNCATED, protocol fault, build
 * timeout, its channel closing) marks the circuit; the sweep that follows
 * (a zero-delay timer) closes its streams, calls the owner once with
 * CIRCUIT_EV_FAILED (never built) or CIRCUIT_EV_CLOSED, then frees it.  Do
 * not use the pointer after that callback.  When we close, we send DESTROY
 * with reason NONE. */
#ifndef EVONION_OR_CIRCUIT_H
#define EVONION_OR_CIRCUIT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/mainloop.h"
#include "or/channel.h"
#include "proto/netaddr.h"

typedef struct circuit_t circuit_t;
typedef struct circuit_ctx_t circuit_ctx_t;
typedef struct chanmgr_t chanmgr_t;

/** Longest path we build. */
#define CIRCUIT_MAX_HOPS 8
/** Seconds from launch to the last EXTENDED2 before the circuit fails. */
#define CIRCUIT_BUILD_TIMEOUT 60.0
/** Circuit windows (tor-spec §7.3). */
#define CIRCWINDOW_START_DEFAULT 1000
#define CIRCWINDOW_START_MIN 100
#define CIRCWINDOW_START_MAX 1000
#define CIRCWINDOW_INCREMENT 100
/** Stream windows (tor-spec §7.4). */
#define STREAMWINDOW_START 500
#define STREAMWINDOW_INCREMENT 50
/** Edges stop reading while the circuit queues this many cells or more... */
#define CIRCUIT_QUEUE_HIGHWAT 256
/** ...and resume when it drains to this. */
#define CIRCUIT_QUEUE_LOWWAT 64
/** A client sends at most this many RELAY_EARLY cells on a circuit. */
#define CIRCUIT_MAX_RELAY_EARLY 8
/** Default bound on cells queued in all circuits (bytes). */
#define CIRCUIT_DEFAULT_MAX_MEM (256u * 1024 * 1024)

/** One hop of a path: what EXTEND2's link specifiers and ntor need. */
typedef struct circ_hop_t {
  netaddr_t ipv4;          /**< NETADDR_IPV4 (required for EXTEND2 and the first hop) */
  uint16_t ipv4_port;
  netaddr_t ipv6;          /**< NETADDR_IPV6 or NETADDR_NONE */
  uint16_t ipv6_port;
  uint8_t rsa_id[20];
  uint8_t ed_id[32];
  int has_ed;
  uint8_t ntor_key[32];
} circ_hop_t;

/** Consensus parameters that shape a circuit. */
typedef struct circuit_params_t {
  int circwindow;                 /**< 100..1000 (default 1000) */
  int sendme_emit_min_version;    /**< 0 or 1 (default 1): SENDME version we send */
  int sendme_accept_min_version;  /**< 0 or 1 (default 0): lowest SENDME version we accept */
  double build_timeout;           /**< seconds (default CIRCUIT_BUILD_TIMEOUT) */
} circuit_params_t;

typedef enum circuit_event_t {
  CIRCUIT_EV_BUILT = 1,  /**< every hop is extended: streams may be attached */
  CIRCUIT_EV_FAILED,     /**< closed before it was built (then freed) */
  CIRCUIT_EV_CLOSED,     /**< closed after it was built (then freed) */
} circuit_event_t;

typedef enum circuit_state_t {
  CIRCUIT_STATE_CHAN_WAIT = 0,  /**< waiting for the channel to the first hop */
  CIRCUIT_STATE_BUILDING,       /**< CREATE2 / EXTEND2 in flight */
  CIRCUIT_STATE_OPEN,           /**< built */
  CIRCUIT_STATE_CLOSED,         /**< marked for close */
} circuit_state_t;

/** The owner's callback. */
typedef void (*circuit_cb_t)(circuit_t *circ, circuit_event_t ev, void *arg);

/** Fill p with tor's defaults. */
void circuit_params_default(circuit_params_t *p);

/** Create the circuit layer of one event loop.  cm (borrowed, may be NULL if
 *  only circuit_launch_on_channel() is used) gives channels; free the context
 *  before cm.  Returns the context (free with circuit_ctx_free). */
circuit_ctx_t *circuit_ctx_new(mainloop_t *ml, chanmgr_t *cm);
/** Close every circuit at once (their owners are not called back: they are
 *  going away too; stream owners do hear STREAM_EV_END), detach from
 *  channels and free ctx.  NULL is fine. */
void circuit_ctx_free(circuit_ctx_t *ctx);
/** Set the parameters new circuits get (copied). */
void circuit_ctx_set_params(circuit_ctx_t *ctx, const circuit_params_t *p);
/** Set the bound on bytes queued in all circuits; past it the circuits that
 *  hold the most are closed first.  0 restores CIRCUIT_DEFAULT_MAX_MEM. */
void circuit_ctx_set_max_mem(circuit_ctx_t *ctx, size_t bytes);
/** Bytes held in all circuits' cell queues now. */
size_t circuit_ctx_queued_bytes(const circuit_ctx_t *ctx);
/** Number of circuits that exist (including marked ones not yet swept). */
int circuit_ctx_n_circuits(const circuit_ctx_t *ctx);
/** How many circuits the OOM handler has closed so far. */
unsigned circuit_ctx_n_oom_closed(const circuit_ctx_t *ctx);

/** Build a circuit through path[0..n_hops) (copied): get a channel to path[0]
 *  from the context's chanmgr, then CREATE2 and EXTEND2 hop by hop.
 *  n_hops 1 gives a one-hop circuit (BEGIN_DIR).  Returns the circuit (it
 *  reports through cb), or NULL if the arguments are bad. */
circuit_t *circuit_launch(circuit_ctx_t *ctx, const circ_hop_t *path, int n_hops,
                          circuit_cb_t cb, void *arg);
/** As circuit_launch(), over an open channel ch whose peer is path[0]. */
circuit_t *circuit_launch_on_channel(circuit_ctx_t *ctx, channel_t *ch, const circ_hop_t *path,
                                     int n_hops, circuit_cb_t cb, void *arg);

/** Close circ (our decision): DESTROY reason NONE to the first hop, streams
 *  end with END_REASON_DESTROY; the owner still hears CLOSED/FAILED from the
 *  sweep.  A second close is ignored. */
void circuit_close(circuit_t *circ);

/** The state of circ. */
circuit_state_t circuit_get_state(const circuit_t *circ);
/** 1 if circ is built and not closing. */
int circuit_is_open(const circuit_t *circ);
/** Hops in the path. */
int circuit_n_hops(const circuit_t *circ);
/** The channel to the first hop (NULL before it is known or once closed). */
channel_t *circuit_get_channel(const circuit_t *circ);
/** Our circuit ID on the channel (0 before CREATE2). */
uint32_t circuit_get_id(const circuit_t *circ);
/** When the first stream was attached (0: never): the client's reuse rule. */
time_t circuit_dirty_since(const circuit_t *circ);
/** Streams attached now. */
int circuit_n_streams(const circuit_t *circ);
/** Cells waiting in circ's queue toward the channel. */
size_t circuit_queued_cells(const circuit_t *circ);
/** The DESTROY/TRUNCATED reason it closed with (DESTROY_REASON_*; ours: NONE
 *  or the local cause), valid in the FAILED/CLOSED callback. */
uint8_t circuit_close_reason(const circuit_t *circ);
/** 1 if the other side closed it (DESTROY, TRUNCATED, channel loss). */
int circuit_close_is_remote(const circuit_t *circ);
/** A human-readable close reason ("" while open). */
const char *circuit_close_message(const circuit_t *circ);
/** Hops whose handshake finished (0: the first hop never answered CREATE2,
 *  e.g. no channel to it; circuit_n_hops() once built). */
int circuit_n_hops_built(const circuit_t *circ);
/** Set the owner's callback (e.g. when handing the circuit to another owner). */
void circuit_set_callback(circuit_t *circ, circuit_cb_t cb, void *arg);

/** Send a relay message to hop (0-based; -1 = the last hop): pack, digest,
 *  encrypt, queue (RELAY_EARLY while any are left and the hop is not the
 *  first, or for EXTEND2).  A DATA cell takes one from the hop's package
 *  window and records its SENDME tag when due.  Returns 0, or -1 if circ is
 *  not usable, the body is too long, or the hop's window is empty (DATA). */
int circuit_send_relay(circuit_t *circ, int hop, uint8_t command, uint16_t stream_id,
                       const uint8_t *body, size_t len);
/** The package window of hop (-1 = last). */
int circuit_package_window(const circuit_t *circ, int hop);
/** The deliver window of hop (-1 = last). */
int circuit_deliver_window(const circuit_t *circ, int hop);

#endif
