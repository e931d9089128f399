/* fuzz_cell_bodies.c — every link and circuit cell body parser
 * (VERSIONS, CERTS, AUTH_CHALLENGE, AUTHENTICATE, PADDING_NEGOTIATE, CREATE2,
 * CREATED2, CREATE_FAST, CREATED_FAST, DESTROY), with parse → encode → parse
 * round trips.  The first input byte chooses the parser; the rest is the body. */
#include "fuzz_common.h"

#include "proto/cell.h"
#include "proto/circ_cells.h"
#include "proto/link_cells.h"

static uint8_t out[65536];

static void
fuzz_versions(const uint8_t *b, size_t n)
{
  static versions_cell_t v, w;
  if (versions_cell_parse(&v, b, n) < 0) {
    FUZZ_CHECK(n % 2 || n > 2 * VERSIONS_MAX);
    return;
  }
  int len = versions_cell_encode(v.versions, v.n_versions, out, sizeof(out));
  FUZZ_CHECK(len == (int)n && memcmp(out, b, n) == 0);
  FUZZ_CHECK(versions_cell_parse(&w, out, (size_t)len) == 0);
  FUZZ_CHECK(memcmp(&v, &w, sizeof(v)) == 0);
  uint16_t ours[] = { 3, 4, 5 };
  uint16_t best = versions_cell_highest_common(&v, ours, 3);
  FUZZ_CHECK(best == 0 || (best >= 3 && best <= 5));
}

static void
fuzz_certs(const uint8_t *b, size_t n)
{
  static certs_cell_t c, d;
  if (certs_cell_parse(&c, b, n) < 0)
    return;
  size_t want = certs_cell_encoded_len(&c);
  FUZZ_CHECK(want <= n);
  int len = certs_cell_encode(&c, out, sizeof(out));
  FUZZ_CHECK(len == (int)want && memcmp(out, b, want) == 0);
  FUZZ_CHECK(certs_cell_parse(&d, out, (size_t)len) == 0);
  FUZZ_CHECK(d.n_certs == c.n_certs);
  for (unsigned i = 0; i < c.n_certs; i++) {
    FUZZ_CHECK(d.certs[i].cert_type == c.certs[i].cert_type);
    FUZZ_CHECK(d.certs[i].cert_len == c.certs[i].cert_len);
    FUZZ_CHECK(memcmp(d.certs[i].body, c.certs[i].body, c.certs[i].cert_len) == 0);
  }
}

static void
fuzz_auth_challenge(const uint8_t *b, size_t n)
{
  static auth_challenge_cell_t c, d;
  if (auth_challenge_cell_parse(&c, b, n) < 0)
    return;
  int len = auth_challenge_cell_encode(&c, out, sizeof(out));
  FUZZ_CHECK(len == 34 + 2 * c.n_stored);
  FUZZ_CHECK(auth_challenge_cell_parse(&d, out, (size_t)len) == 0);
  FUZZ_CHECK(memcmp(d.challenge, c.challenge, 32) == 0);
  FUZZ_CHECK(d.n_stored == c.n_stored);
  FUZZ_CHECK(memcmp(d.methods, c.methods, sizeof(c.methods)) == 0);
  if (c.n_methods <= AUTH_CHALLENGE_MAX_METHODS)
    FUZZ_CHECK(memcmp(out, b, (size_t)len) == 0);
  (void)auth_challenge_cell_has_method(&c, 3);
}

static void
fuzz_authenticate(const uint8_t *b, size_t n)
{
  authenticate_cell_t c, d;
  if (authenticate_cell_parse(&c, b, n) < 0)
    return;
  int len = authenticate_cell_encode(&c, out, sizeof(out));
  FUZZ_CHECK(len == 4 + c.auth_len && memcmp(out, b, (size_t)len) == 0);
  FUZZ_CHECK(authenticate_cell_parse(&d, out, (size_t)len) == 0);
  FUZZ_CHECK(d.auth_type == c.auth_type && d.auth_len == c.auth_len);
}

static void
fuzz_padding_negotiate(const uint8_t *b, size_t n)
{
  padding_negotiate_cell_t c, d;
  if (padding_negotiate_cell_parse(&c, b, n) < 0)
    return;
  int len = padding_negotiate_cell_encode(&c, out, sizeof(out));
  FUZZ_CHECK(len == 6 && memcmp(out, b, 6) == 0);
  FUZZ_CHECK(padding_negotiate_cell_parse(&d, out, 6) == 0);
  FUZZ_CHECK(memcmp(&c, &d, sizeof(c)) == 0);
}

static void
fuzz_create2(const uint8_t *b, size_t n)
{
  static create2_cell_t c, d;
  if (create2_cell_parse(&c, b, n) < 0)
    return;
  int len = create2_cell_encode(&c, out, CELL_PAYLOAD_LEN);
  FUZZ_CHECK(len == 4 + c.hlen && memcmp(out, b, (size_t)len) == 0);
  FUZZ_CHECK(create2_cell_parse(&d, out, (size_t)len) == 0);
  FUZZ_CHECK(memcmp(&c, &d, sizeof(c)) == 0);
}

static void
fuzz_created2(const uint8_t *b, size_t n)
{
  static created2_cell_t c, d;
  if (created2_cell_parse(&c, b, n) < 0)
    return;
  int len = created2_cell_encode(&c, out, CELL_PAYLOAD_LEN);
  FUZZ_CHECK(len == 2 + c.hlen && memcmp(out, b, (size_t)len) == 0);
  FUZZ_CHECK(created2_cell_parse(&d, out, (size_t)len) == 0);
  FUZZ_CHECK(memcmp(&c, &d, sizeof(c)) == 0);
}

static void
fuzz_fast_destroy(const uint8_t *b, size_t n)
{
  create_fast_cell_t cf;
  created_fast_cell_t cdf;
  uint8_t reason;
  if (create_fast_cell_parse(&cf, b, n) == 0) {
    FUZZ_CHECK(create_fast_cell_encode(&cf, out, sizeof(out)) == CREATE_FAST_LEN);
    FUZZ_CHECK(memcmp(out, b, CREATE_FAST_LEN) == 0);
  }
  if (created_fast_cell_parse(&cdf, b, n) == 0) {
    FUZZ_CHECK(created_fast_cell_encode(&cdf, out, sizeof(out)) == CREATED_FAST_LEN);
    FUZZ_CHECK(memcmp(out, b, CREATED_FAST_LEN) == 0);
  }
  if (destroy_cell_parse(&reason, b, n) == 0) {
    FUZZ_CHECK(destroy_cell_encode(reason, out, 1) == 1 && out[0] == b[0]);
    FUZZ_CHECK(destroy_reason_to_string(reason) != NULL);
  }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  const uint8_t *b = data + 1;
  size_t n = size - 1;
  switch (data[0] % 9) {
  case 0: fuzz_versions(b, n); break;
  case 1: fuzz_certs(b, n); break;
  case 2: fuzz_auth_challenge(b, n); break;
  case 3: fuzz_authenticate(b, n); break;
  case 4: fuzz_padding_negotiate(b, n); break;
  case 5: fuzz_create2(b, n); break;
  case 6: fuzz_created2(b, n); break;
  case 7: fuzz_fast_destroy(b, n); break;
  default:
    fuzz_versions(b, n);
    fuzz_certs(b, n);
    fuzz_auth_challenge(b, n);
    fuzz_authenticate(b, n);
    fuzz_create2(b, n);
    fuzz_created2(b, n);
    break;
  }
  return 0;
}
