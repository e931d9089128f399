/* bootstrap.c — bootstrap progress (see bootstrap.h). */
#include "dir/bootstrap.h"

#include <stddef.h>

#include "lib/log.h"

/* Tags and summaries as tor 0.4.9 writes them (control_bootstrap.c). */
static const struct {
  bootstrap_status_t status;
  const char *tag;
  const char *summary;
} phases[] = {
  { BOOTSTRAP_STARTING, "starting", "Starting" },
  { BOOTSTRAP_CONN, "conn", "Connecting to a relay" },
  { BOOTSTRAP_CONN_DONE, "conn_done", "Connected to a relay" },
  { BOOTSTRAP_HANDSHAKE, "handshake", "Handshaking with a relay" },
  { BOOTSTRAP_HANDSHAKE_DONE, "handshake_done", "Handshake with a relay done" },
  { BOOTSTRAP_ONEHOP_CREATE, "onehop_create", "Establishing an encrypted directory connection" },
  { BOOTSTRAP_REQUESTING_STATUS, "requesting_status", "Asking for networkstatus consensus" },
  { BOOTSTRAP_LOADING_STATUS, "loading_status", "Loading networkstatus consensus" },
  { BOOTSTRAP_LOADING_KEYS, "loading_keys", "Loading authority key certs" },
  { BOOTSTRAP_REQUESTING_DESCRIPTORS, "requesting_descriptors", "Asking for relay descriptors" },
  { BOOTSTRAP_LOADING_DESCRIPTORS, "loading_descriptors", "Loading relay descriptors" },
  { BOOTSTRAP_ENOUGH_DIRINFO, "enough_dirinfo", "Loaded enough directory info to build circuits" },
  { BOOTSTRAP_AP_CONN, "ap_conn", "Connecting to a relay to build circuits" },
  { BOOTSTRAP_AP_CONN_DONE, "ap_conn_done", "Connected to a relay to build circuits" },
  { BOOTSTRAP_AP_HANDSHAKE, "ap_handshake", "Finishing handshake with a relay to build circuits" },
  { BOOTSTRAP_AP_HANDSHAKE_DONE, "ap_handshake_done",
    "Handshake finished with a relay to build circuits" },
  { BOOTSTRAP_CIRCUIT_CREATE, "circuit_create", "Establishing a Tor circuit" },
  { BOOTSTRAP_DONE, "done", "Done" },
};

void
bootstrap_init(bootstrap_t *b)
{
  b->percent = -1;
  b->phase = BOOTSTRAP_STARTING;
}

static int
phase_index(bootstrap_status_t status)
{
  for (size_t i = 0; i < sizeof(phases) / sizeof(phases[0]); i++) {
    if (phases[i].status == status)
      return (int)i;
  }
  return -1;
}

const char *
bootstrap_status_to_tag(bootstrap_status_t status)
{
  int i = phase_index(status);
  return i < 0 ? "undef" : phases[i].tag;
}

const char *
bootstrap_status_to_summary(bootstrap_status_t status)
{
  int i = phase_index(status);
  return i < 0 ? "Undefined" : phases[i].summary;
}

int
bootstrap_report(bootstrap_t *b, bootstrap_status_t status, int progress)
{
  if (phase_index(status) < 0)
    return 0;
  int pct = progress > (int)status ? progress : (int)status;
  if (pct > 100)
    pct = 100;
  if (pct <= b->percent)
    return 0;
  if ((int)status > (int)b->phase || b->percent < 0)
    b->phase = status;
  b->percent = pct;
  log_notice(LD_DIR, "Bootstrapped %d%% (%s): %s", pct, bootstrap_status_to_tag(b->phase),
             bootstrap_status_to_summary(b->phase));
  return 1;
}

int
bootstrap_percent(const bootstrap_t *b)
{
  return b->percent;
}
