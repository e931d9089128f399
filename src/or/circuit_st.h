/* circuit_st.h — the bodies of circuit_t, stream_t, the per-channel cell
 * scheduler and the circuit context, shared by circuit*.c and stream.c and
 * visible to tests.  Not for other layers. */
#ifndef EVONION_OR_CIRCUIT_ST_H
#define EVONION_OR_CIRCUIT_ST_H

#include "lib/crypto/ntor.h"
#include "lib/crypto/relay_crypto.h"
#include "or/circuit.h"
#include "or/stream.h"
#include "proto/cell.h"

#define CIRCUIT_MAGIC 0x43495243u /* "CIRC" */
#define STREAM_MAGIC 0x5354524du  /* "STRM" */
/** At most this many SENDME tags wait for their SENDME (1000 / 100). */
#define CIRCUIT_MAX_SENDME_TAGS (CIRCWINDOW_START_MAX / CIRCWINDOW_INCREMENT)

/** A queued cell (already encrypted). */
typedef struct cellq_node_t {
  struct cellq_node_t *next;
  cell_t cell;
} cellq_node_t;

/** Bytes one queued cell is accounted as. */
#define CELLQ_NODE_BYTES (sizeof(cellq_node_t))

typedef struct circ_mux_t circ_mux_t;

/** One hop's state at the client. */
typedef struct circ_hop_state_t {
  circ_hop_t spec;
  relay_crypto_t *crypto;         /**< NULL until its handshake finished */
  int package_window;
  int deliver_window;
  uint8_t tags[CIRCUIT_MAX_SENDME_TAGS][RELAY_CRYPTO_SENDME_TAG_LEN]; /**< FIFO of expected SENDME tags */
  int tag_head, n_tags;
} circ_hop_state_t;

struct stream_t {
  uint32_t magic;
  circuit_t *circ;
  conn_t *edge;                   /**< borrowed, may be NULL */
  stream_cb_t cb;
  void *arg;
  stream_t *next;                 /**< on circ->streams */
  uint16_t id;
  int package_window;
  int deliver_window;
  unsigned connected : 1;
  unsigned is_resolve : 1;
  unsigned eof_pending : 1;       /**< the edge hit EOF; END goes out when its inbuf is packaged */
  unsigned ended : 1;             /**< END sent or received: no more cells */
  unsigned blocked_window : 1;    /**< we set CONN_BLOCK_WINDOW on the edge */
  unsigned blocked_circq : 1;     /**< we set CONN_BLOCK_CIRCQ on the edge */
  unsigned in_package : 1;        /**< re-entrancy guard */
};

struct circuit_t {
  uint32_t magic;
  circuit_ctx_t *ctx;
  circuit_state_t state;
  channel_t *chan;                /**< first hop (NULL before / after) */
  circ_mux_t *mux;
  uint32_t circ_id;
  int n_hops;
  int n_built;                    /**< hops whose handshake finished */
  circ_hop_state_t hops[CIRCUIT_MAX_HOPS];
  ntor_client_state_t *ntor;      /**< pending handshake with hops[n_built] */
  int relay_early_left;
  circuit_params_t params;
  mtimer_t *build_timer;
  circuit_cb_t cb;
  void *arg;
  void *chan_req;                 /**< pending chanmgr request */
  /* cell queue toward the channel */
  cellq_node_t *q_head, *q_tail;
  size_t q_len;
  circuit_t *mux_next, *mux_prev; /**< all circuits on the mux */
  circuit_t *active_next;         /**< scheduler ring (circuits with queued cells) */
  unsigned active : 1;
  unsigned edges_blocked : 1;     /**< some stream set CONN_BLOCK_CIRCQ */
  unsigned was_built : 1;
  unsigned close_remote : 1;
  unsigned marked : 1;
  /* streams */
  stream_t *streams;
  int n_streams;
  uint16_t next_stream_id;
  unsigned resume_rr;             /**< rotates which stream packages first */
  time_t dirty_since;
  /* close */
  uint8_t close_reason;
  char close_msg[128];
  const char *mark_file;
  int mark_line;
  circuit_t *next_marked;
  circuit_t *all_next, *all_prev; /**< every circuit of ctx */
};

/** The cell scheduler of one channel. */
struct circ_mux_t {
  circuit_ctx_t *ctx;
  channel_t *ch;
  circuit_t *circs;               /**< all circuits on ch */
  circuit_t *active_tail;         /**< ring of active circuits: tail->active_next is the head */
  circ_mux_t *next;
  unsigned flushing : 1;
};

struct circuit_ctx_t {
  mainloop_t *ml;
  chanmgr_t *cm;
  circuit_params_t params;
  size_t max_mem;
  size_t queued_bytes;
  unsigned n_oom_closed;
  int n_circuits;
  circuit_t *all;
  circuit_t *marked;
  circ_mux_t *muxes;
  mtimer_t *sweep_timer;
  int sched_paused;               /**< tests: the scheduler moves nothing while set */
};

/* ---- circuit.c ---- */
/** Mark circ for close with a DESTROY reason; remote: the peer's decision
 *  (then no DESTROY is sent).  msg is kept for the log and the owner. */
#define circuit_mark_for_close(c, reason, remote, msg) \
  circuit_mark_for_close_((c), (reason), (remote), (msg), __FILE__, __LINE__)
void circuit_mark_for_close_(circuit_t *c, uint8_t reason, int remote, const char *msg,
                             const char *file, int line);
/** A protocol fault on circ: log it (rate-limited) and close with PROTOCOL. */
void circuit_protocol_error(circuit_t *c, const char *fmt, ...)
#ifdef __GNUC__
  __attribute__((format(printf, 2, 3)))
#endif
  ;
/** The channel's cell handler (arg: the circ_mux_t): dispatch a cell to its
 *  circuit. */
void circuit_chan_cell(channel_t *ch, const cell_t *cell, void *arg);
/** EXTENDED2 arrived from the last built hop: finish its handshake. */
void circuit_handle_extended2(circuit_t *c, const uint8_t *body, size_t len);

/* ---- circuit_relay.c ---- */
/** A RELAY cell arrived for c: decrypt, recognise, dispatch. */
void circuit_relay_receive(circuit_t *c, cell_t *cell);

/* ---- circuit_mux.c ---- */
/** The mux of ch in ctx, created (and hooked to ch) on first use. */
circ_mux_t *circuit_mux_get(circuit_ctx_t *ctx, channel_t *ch);
/** Attach c to mux (it takes its circuit ID there). */
void circuit_mux_attach(circ_mux_t *mux, circuit_t *c);
/** Detach c from its mux and drop its queued cells. */
void circuit_mux_detach(circuit_t *c);
/** The circuit with ID id on mux, or NULL. */
circuit_t *circuit_mux_find(circ_mux_t *mux, uint32_t id);
/** Queue a cell of c toward its channel and run the scheduler. */
void circuit_mux_queue_cell(circuit_t *c, const cell_t *cell);
/** Move cells from active circuits to the channel while its outbuf has room. */
void circuit_mux_flush(circ_mux_t *mux);
/** Free every mux of ctx (detaching their channels). */
void circuit_mux_free_all(circuit_ctx_t *ctx);
/** Close the circuits that hold the most queued cells until ctx is under
 *  its bound again. */
void circuit_mux_handle_oom(circuit_ctx_t *ctx);

/* ---- stream.c ---- */
/** A stream-level relay message (stream_id != 0) arrived for c from hop. */
void stream_handle_relay(circuit_t *c, int hop, uint8_t command, uint16_t stream_id,
                         const uint8_t *body, size_t len);
/** End every stream of c (the circuit is closing): STREAM_EV_END with
 *  END_REASON_DESTROY, then free them. */
void stream_circuit_closed(circuit_t *c);
/** The last hop's package window opened or the queue drained: let blocked
 *  edges of c read again. */
void stream_circuit_resume(circuit_t *c);

#endif
