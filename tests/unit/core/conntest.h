/* conntest.h — a counting test connection type for the core suites.
 *
 * A tconn_t sends tx_total bytes of a position-keyed pattern (so the
 * receiver can check every byte whatever the chunking), in writes of random
 * size, and only while its outbuf is below CONN_WRITE_HIGHWAT (resuming on
 * flushed_some: the producer side of design.md §2).  It checks what it
 * receives against the peer's pattern and counts every callback. */
#ifndef EVONION_TEST_CONNTEST_H
#define EVONION_TEST_CONNTEST_H

#include <stdint.h>
#include <stddef.h>

#include "core/conn.h"
#include "core/listener.h"
#include "core/tls.h"

typedef struct tconn_t {
  conn_t base;
  int n_process_inbuf, n_flushed_some, n_finished_flushing, n_connected, n_eof, n_about_to_close;
  uint64_t tx_seed, rx_seed;     /**< pattern we send / pattern we expect */
  uint64_t tx_total, tx_sent;    /**< bytes to send / sent so far */
  uint64_t rx;                   /**< bytes received and checked */
  int rx_bad;                    /**< a received byte did not match */
  int drain;                     /**< 1: process_inbuf consumes the inbuf; 0: leaves it */
  uint64_t rng;                  /**< for write sizes */
  size_t max_write;              /**< largest single write */
  size_t max_outbuf_seen;        /**< high-water mark of conn_outbuf_len() after our writes */
  size_t max_inbuf_seen;
  double last_write_time;        /**< when the pump last managed to write */
  int close_when_sent;           /**< close_after_flush once everything is queued */
  int close_on_eof;              /**< mark for close on EOF (then the tconn may be freed
                                      within the same loop turn: read nothing of it after) */
  double close_deadline;
  int refill_on_flushed_some_only; /**< finished_flushing does not pump: only flushed_some does */
} tconn_t;

extern const conn_ops_t tconn_ops;

/** Counted in about_to_close, so tests need not touch a freed tconn. */
extern int tconn_n_freed;
extern int tconn_n_freed_tls_error;   /**< of those, closed by a TLS protocol error */
extern int tconn_last_freed_error;    /**< last_error of the last tconn freed */
extern int tconn_n_eof_total;         /**< reached_eof calls, over all tconns */

/** Fill buf with the pattern of seed at stream offset off. */
void pattern_fill(uint64_t seed, uint64_t off, uint8_t *buf, size_t n);
/** Write as much as the watermark allows. */
void tconn_pump(tconn_t *t);
/** Start sending total bytes of pattern seed. */
void tconn_start_send(tconn_t *t, uint64_t seed, uint64_t total);

/** A listener whose accepted connections become tconns (tls may be NULL).
 *  The newest accepted tconn is stored in *slot; its rx_seed is rx_seed. */
typedef struct tlisten_t {
  listener_t *l;
  mainloop_t *ml;
  tls_ctx_t *tls;
  tconn_t *accepted;
  int n_accepted;
  uint64_t rx_seed;
  int drain;
} tlisten_t;
/** Listen on 127.0.0.1 (or ::1 with ipv6) port 0; returns the port or -1. */
int tlisten_start(tlisten_t *tl, mainloop_t *ml, tls_ctx_t *tls, int ipv6);
/** Connect a tconn to 127.0.0.1:port (or [::1]). */
tconn_t *tconn_connect(mainloop_t *ml, int port, tls_ctx_t *tls, int ipv6);

/** A fresh self-signed certificate and key (DER, x_free both). */
void testcert_make(uint8_t **cert, size_t *cert_len, uint8_t **key, size_t *key_len);
/** A server TLS context with a fresh certificate. */
tls_ctx_t *testcert_server_ctx(void);

#endif
