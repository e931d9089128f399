/* cell.c — link-layer cell framing (tor-spec §3). */
#include "proto/cell.h"

#include <string.h>

#include <event2/buffer.h>

#include "lib/alloc.h"
#include "lib/bytes.h"

int
cell_command_is_var(uint8_t command)
{
  return command == CELL_VERSIONS || command >= 128;
}

size_t
cell_var_max_payload(uint8_t command)
{
  switch (command) {
  case CELL_VERSIONS: return 512;
  case CELL_CERTS: return 16384;
  case CELL_AUTH_CHALLENGE: return 1024;
  case CELL_AUTHENTICATE: return 2048;
  case CELL_AUTHORIZE: return 1024;
  default: return 65535;
  }
}

var_cell_t *
var_cell_new(uint8_t command, uint32_t circ_id, uint16_t payload_len)
{
  var_cell_t *v = x_calloc(1, sizeof(var_cell_t) + payload_len);
  v->command = command;
  v->circ_id = circ_id;
  v->payload_len = payload_len;
  return v;
}

var_cell_t *
var_cell_new_with_body(uint8_t command, uint32_t circ_id, const uint8_t *body, uint16_t len)
{
  var_cell_t *v = var_cell_new(command, circ_id, len);
  if (len)
    memcpy(v->payload, body, len);
  return v;
}

var_cell_t *
var_cell_copy(const var_cell_t *v)
{
  return var_cell_new_with_body(v->command, v->circ_id, v->payload, v->payload_len);
}

void
var_cell_free(var_cell_t *v)
{
  x_free(v);
}

size_t
cell_circ_id_len(int wide_circ_ids)
{
  return wide_circ_ids ? 4 : 2;
}

size_t
cell_network_len(int wide_circ_ids)
{
  return cell_circ_id_len(wide_circ_ids) + 1 + CELL_PAYLOAD_LEN;
}

/* Look at a header in hdr[0..hlen): set *cmd, *circ_id and *total (bytes the
 * whole cell takes).  Returns NEED_MORE if hlen is too short to tell. */
static parse_result_t
cell_peek_header(const uint8_t *hdr, size_t hlen, int wide, uint8_t *cmd,
                 uint32_t *circ_id, size_t *total, uint16_t *var_len)
{
  size_t idlen = cell_circ_id_len(wide);
  if (hlen < idlen + 1)
    return PARSE_NEED_MORE;
  *circ_id = wide ? get_u32(hdr) : get_u16(hdr);
  *cmd = hdr[idlen];
  if (!cell_command_is_var(*cmd)) {
    *total = idlen + 1 + CELL_PAYLOAD_LEN;
    return PARSE_DONE;
  }
  if (hlen < idlen + 3)
    return PARSE_NEED_MORE;
  *var_len = get_u16(hdr + idlen + 1);
  if (*var_len > cell_var_max_payload(*cmd))
    return PARSE_INVALID;
  *total = idlen + 3 + *var_len;
  return PARSE_DONE;
}

/* Build the output from a complete cell in buf (total bytes long). */
static void
cell_build(const uint8_t *buf, int wide, uint8_t cmd, uint32_t circ_id, uint16_t var_len,
           cell_t *cell_out, var_cell_t **var_out)
{
  size_t idlen = cell_circ_id_len(wide);
  *var_out = NULL;
  if (cell_command_is_var(cmd)) {
    *var_out = var_cell_new_with_body(cmd, circ_id, buf + idlen + 3, var_len);
  } else {
    cell_out->circ_id = circ_id;
    cell_out->command = cmd;
    memcpy(cell_out->payload, buf + idlen + 1, CELL_PAYLOAD_LEN);
  }
}

parse_result_t
cell_parse_from_bytes(const uint8_t *buf, size_t len, int wide_circ_ids,
                      cell_t *cell_out, var_cell_t **var_out, size_t *consumed)
{
  uint8_t cmd = 0;
  uint32_t circ_id = 0;
  size_t total = 0;
  uint16_t var_len = 0;
  parse_result_t r = cell_peek_header(buf, len, wide_circ_ids, &cmd, &circ_id, &total, &var_len);
  if (r != PARSE_DONE)
    return r;
  if (len < total)
    return PARSE_NEED_MORE;
  cell_build(buf, wide_circ_ids, cmd, circ_id, var_len, cell_out, var_out);
  *consumed = total;
  return PARSE_DONE;
}

parse_result_t
cell_parse_from_evbuffer(struct evbuffer *in, int wide_circ_ids,
                         cell_t *cell_out, var_cell_t **var_out)
{
  uint8_t hdr[VAR_CELL_MAX_HEADER_LEN];
  uint8_t fixed[CELL_MAX_NETWORK_LEN];
  uint8_t cmd = 0;
  uint32_t circ_id = 0;
  size_t total = 0;
  uint16_t var_len = 0;
  size_t have = evbuffer_get_length(in);
  size_t hlen = have < sizeof(hdr) ? have : sizeof(hdr);

  if (hlen && evbuffer_copyout(in, hdr, hlen) != (ev_ssize_t)hlen)
    return PARSE_NEED_MORE;
  parse_result_t r = cell_peek_header(hdr, hlen, wide_circ_ids, &cmd, &circ_id, &total, &var_len);
  if (r != PARSE_DONE)
    return r;
  if (have < total)
    return PARSE_NEED_MORE;
  *var_out = NULL;
  if (!cell_command_is_var(cmd)) {
    if (evbuffer_remove(in, fixed, total) != (int)total)
      return PARSE_INVALID;
    cell_build(fixed, wide_circ_ids, cmd, circ_id, 0, cell_out, var_out);
    return PARSE_DONE;
  }
  var_cell_t *v = var_cell_new(cmd, circ_id, var_len);
  evbuffer_drain(in, total - var_len);
  if (var_len && evbuffer_remove(in, v->payload, var_len) != (int)var_len) {
    var_cell_free(v);
    return PARSE_INVALID;
  }
  *var_out = v;
  return PARSE_DONE;
}

static int
pack_circ_id(uint8_t *out, uint32_t circ_id, int wide)
{
  if (wide) {
    put_u32(out, circ_id);
    return 4;
  }
  if (circ_id > 0xffff)
    return -1;
  put_u16(out, (uint16_t)circ_id);
  return 2;
}

int
cell_pack(uint8_t *out, const cell_t *c, int wide_circ_ids)
{
  int n = pack_circ_id(out, c->circ_id, wide_circ_ids);
  if (n < 0)
    return -1;
  out[n] = c->command;
  memcpy(out + n + 1, c->payload, CELL_PAYLOAD_LEN);
  return n + 1 + CELL_PAYLOAD_LEN;
}

int
var_cell_pack_header(uint8_t *out, const var_cell_t *v, int wide_circ_ids)
{
  int n = pack_circ_id(out, v->circ_id, wide_circ_ids);
  if (n < 0)
    return -1;
  out[n] = v->command;
  put_u16(out + n + 1, v->payload_len);
  return n + 3;
}

int
cell_encode_to_evbuffer(struct evbuffer *out, const cell_t *c, int wide_circ_ids)
{
  uint8_t buf[CELL_MAX_NETWORK_LEN];
  int n = cell_pack(buf, c, wide_circ_ids);
  if (n < 0)
    return -1;
  return evbuffer_add(out, buf, (size_t)n) == 0 ? 0 : -1;
}

int
var_cell_encode_to_evbuffer(struct evbuffer *out, const var_cell_t *v, int wide_circ_ids)
{
  uint8_t hdr[VAR_CELL_MAX_HEADER_LEN];
  int n = var_cell_pack_header(hdr, v, wide_circ_ids);
  if (n < 0)
    return -1;
  if (evbuffer_add(out, hdr, (size_t)n) < 0)
    return -1;
  if (v->payload_len && evbuffer_add(out, v->payload, v->payload_len) < 0)
    return -1;
  return 0;
}
