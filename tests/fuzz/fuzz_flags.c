/* fuzz_flags.c — the command-line parsers: sizes in tor's units, [ADDR:]PORT,
 * and the whole flag table over an argv split from the input at NUL bytes. */
#include "fuzz_common.h"

#include "app/config.h"
#include "app/flags.h"
#include "core/listener.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size > 4096)
    return 0;
  char *s = malloc(size + 1);
  memcpy(s, data, size);
  s[size] = '\0';

  uint64_t v;
  if (flags_parse_size(s, &v) == 0) {
    /* A number that parsed re-parses to the same value. */
    char again[32];
    snprintf(again, sizeof(again), "%llu", (unsigned long long)v);
    uint64_t w;
    FUZZ_CHECK(flags_parse_size(again, &w) == 0 && w == v);
  }
  struct sockaddr_storage ss;
  int len;
  if (addr_parse(s, -1, &ss, &len) == 0) {
    char text[80];
    struct sockaddr_storage ss2;
    int len2;
    addr_to_string((struct sockaddr *)&ss, text, sizeof(text));
    FUZZ_CHECK(addr_parse(text, -1, &ss2, &len2) == 0 && len2 == len);
  }
  addr_parse(s, 9050, &ss, &len);

  /* argv: "evonion" then the NUL-separated pieces of the input. */
  char *argv[64];
  int argc = 0;
  argv[argc++] = "evonion";
  for (size_t i = 0; i <= size && argc < 64;) {
    argv[argc++] = s + i;
    i += strlen(s + i) + 1;
  }
  evonion_config_t cfg;
  memset(&cfg, 0, sizeof(cfg));
  char err[256];
  const char *stopped = NULL;
  if (flags_parse(evonion_flags, &cfg, argc, argv, &stopped, err, sizeof(err)) == 0)
    config_finish(&cfg, err, sizeof(err));
  else
    FUZZ_CHECK(stopped != NULL || (err[0] && !strchr(err, '\n')));
  config_free(&cfg);
  free(s);
  return 0;
}
