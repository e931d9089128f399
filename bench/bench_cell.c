/* bench_cell.c — single-core throughput of the cell codec (src/proto).
 *
 * Prints "<name> <bytes> <MB/s>" lines like bench_crypto, in CPU time:
 *   cell_evbuffer_batch64   encode 64 wide RELAY cells into an evbuffer and
 *                           decode them back with cell_parse_from_evbuffer
 *                           (one TLS read carries about this many cells)
 *   cell_evbuffer_single    the same, one cell at a time
 *   relay_msg_pack_parse    relay_msg_pack + relay_msg_parse of a 498-byte DATA body
 * MB are of 514-byte cells (509-byte payloads for relay_msg).
 * Usage: bench_cell [cpu-seconds-per-test] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <event2/buffer.h>

#include "bench_util.h"
#include "proto/cell.h"
#include "proto/relay_msg.h"

static void
bench_evbuffer(double dur, int batch, const char *name)
{
  struct evbuffer *buf = evbuffer_new();
  cell_t c, out;
  memset(&c, 0, sizeof(c));
  c.circ_id = 0x80000001u;
  c.command = CELL_RELAY;
  for (size_t i = 0; i < sizeof(c.payload); i++)
    c.payload[i] = (uint8_t)i;
  double t0 = bench_cpu_now(), t, bytes = 0;
  long bad = 0;
  do {
    for (int rep = 0; rep < 64 / batch; rep++) {
      for (int i = 0; i < batch; i++)
        cell_encode_to_evbuffer(buf, &c, 1);
      for (int i = 0; i < batch; i++) {
        var_cell_t *v = NULL;
        if (cell_parse_from_evbuffer(buf, 1, &out, &v) != PARSE_DONE || v)
          bad++;
      }
    }
    bytes += 64.0 * 514;
  } while ((t = bench_cpu_now()) - t0 < dur);
  if (bad || out.circ_id != c.circ_id || memcmp(out.payload, c.payload, sizeof(c.payload))) {
    fprintf(stderr, "bench_cell: decode mismatch\n");
    exit(1);
  }
  bench_report(name, 514, bytes, t - t0);
  evbuffer_free(buf);
}

static void
bench_relay_msg(double dur)
{
  uint8_t payload[CELL_PAYLOAD_LEN], body[498];
  memset(body, 0x5a, sizeof(body));
  relay_header_t h;
  const uint8_t *b = NULL;
  double t0 = bench_cpu_now(), t, bytes = 0;
  do {
    for (int i = 0; i < 1024; i++) {
      relay_msg_pack(payload, RELAY_COMMAND_DATA, (uint16_t)(i | 1), body, sizeof(body), NULL);
      if (relay_msg_parse(&h, &b, payload) < 0 || h.length != sizeof(body)) {
        fprintf(stderr, "bench_cell: relay_msg mismatch\n");
        exit(1);
      }
    }
    bytes += 1024.0 * CELL_PAYLOAD_LEN;
  } while ((t = bench_cpu_now()) - t0 < dur);
  bench_report("relay_msg_pack_parse", CELL_PAYLOAD_LEN, bytes, t - t0);
}

int
main(int argc, char **argv)
{
  double dur = argc > 1 ? atof(argv[1]) : 1.0;
  if (dur <= 0)
    dur = 1.0;
  bench_evbuffer(dur, 64, "cell_evbuffer_batch64");
  bench_evbuffer(dur, 1, "cell_evbuffer_single");
  bench_relay_msg(dur);
  return 0;
}
