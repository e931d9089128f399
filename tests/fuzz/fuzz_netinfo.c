/* fuzz_netinfo.c — the NETINFO body parser, with parse → encode → parse. */
#include "fuzz_common.h"

#include "proto/cell.h"
#include "proto/link_cells.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  netinfo_cell_t c, d;
  uint8_t out[CELL_PAYLOAD_LEN];
  if (netinfo_cell_parse(&c, data, size) < 0)
    return 0;
  FUZZ_CHECK(c.n_my_addrs <= NETINFO_MAX_MY_ADDRS);
  int len = netinfo_cell_encode(&c, out, sizeof(out));
  FUZZ_CHECK(len > 0);
  FUZZ_CHECK(netinfo_cell_parse(&d, out, (size_t)len) == 0);
  FUZZ_CHECK(d.timestamp == c.timestamp);
  if (c.other_addr.family == NETADDR_NONE) {
    static const uint8_t zero[4] = { 0, 0, 0, 0 };
    FUZZ_CHECK(d.other_addr.family == NETADDR_IPV4);
    FUZZ_CHECK(memcmp(d.other_addr.bytes, zero, 4) == 0);
  } else {
    FUZZ_CHECK(netaddr_eq(&c.other_addr, &d.other_addr));
  }
  FUZZ_CHECK(d.n_my_addrs == c.n_my_addrs);
  for (unsigned i = 0; i < c.n_my_addrs; i++)
    FUZZ_CHECK(netaddr_eq(&c.my_addrs[i], &d.my_addrs[i]));
  char buf[64];
  netaddr_format(&c.other_addr, buf, sizeof(buf));
  return 0;
}
