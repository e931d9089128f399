/* fuzz_cell.c — cell framing from an evbuffer, both CircID widths, fixed and
 * variable cells.  Byte 0 bit 0 chooses wide CircIDs, bit 1 switches to wide
 * after the first cell (as after VERSIONS); bits 2.. pick a chunk size for
 * feeding the evbuffer piecewise.  Checks: NEED_MORE drains nothing, the
 * evbuffer and flat-buffer decoders agree, and every decoded cell re-encodes
 * to exactly the bytes it came from. */
#include "fuzz_common.h"

#include <event2/buffer.h>

#include "proto/cell.h"

static void
check_reencode(const uint8_t *orig, size_t used, const cell_t *c, const var_cell_t *v, int wide)
{
  struct evbuffer *b = evbuffer_new();
  FUZZ_CHECK(b != NULL);
  if (v)
    FUZZ_CHECK(var_cell_encode_to_evbuffer(b, v, wide) == 0);
  else
    FUZZ_CHECK(cell_encode_to_evbuffer(b, c, wide) == 0);
  FUZZ_CHECK(evbuffer_get_length(b) == used);
  FUZZ_CHECK(memcmp(evbuffer_pullup(b, -1), orig, used) == 0);
  evbuffer_free(b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  int wide = data[0] & 1;
  int switch_after_first = (data[0] >> 1) & 1;
  size_t chunk = (size_t)(data[0] >> 2) * 17 + 1;
  data++;
  size--;

  struct evbuffer *in = evbuffer_new();
  FUZZ_CHECK(in != NULL);
  size_t fed = 0, pos = 0;
  int n_cells = 0;
  for (;;) {
    cell_t c, c2;
    var_cell_t *v = NULL, *v2 = NULL;
    size_t before = evbuffer_get_length(in);
    parse_result_t r = cell_parse_from_evbuffer(in, wide, &c, &v);
    size_t used2 = 0;
    parse_result_t r2 = cell_parse_from_bytes(data + pos, fed - pos, wide, &c2, &v2, &used2);
    FUZZ_CHECK(r == r2);
    if (r == PARSE_INVALID) {
      FUZZ_CHECK(evbuffer_get_length(in) == before);
      break;
    }
    if (r == PARSE_NEED_MORE) {
      FUZZ_CHECK(evbuffer_get_length(in) == before);
      FUZZ_CHECK(v == NULL && v2 == NULL);
      if (fed == size)
        break;
      size_t k = size - fed < chunk ? size - fed : chunk;
      evbuffer_add(in, data + fed, k);
      fed += k;
      continue;
    }
    size_t used = before - evbuffer_get_length(in);
    FUZZ_CHECK(used == used2 && used > 0);
    FUZZ_CHECK((v == NULL) == (v2 == NULL));
    if (v) {
      FUZZ_CHECK(v->payload_len <= cell_var_max_payload(v->command));
      FUZZ_CHECK(v->payload_len == v2->payload_len && v->command == v2->command);
      FUZZ_CHECK(memcmp(v->payload, v2->payload, v->payload_len) == 0);
    } else {
      FUZZ_CHECK(used == cell_network_len(wide));
      FUZZ_CHECK(memcmp(c.payload, c2.payload, CELL_PAYLOAD_LEN) == 0);
    }
    check_reencode(data + pos, used, &c, v, wide);
    var_cell_free(v);
    var_cell_free(v2);
    pos += used;
    if (++n_cells == 1 && switch_after_first)
      wide = 1;
  }
  evbuffer_free(in);
  return 0;
}
