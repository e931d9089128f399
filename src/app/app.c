/* app.c — main(): parse flags, set up logging and the data directory, run the loop. */
#include "app/app.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <event2/event.h>
#include <openssl/crypto.h>
#ifdef _WIN32
#include <direct.h>
#include <winsock2.h>
#include <windows.h>
#endif

#include "core/listener.h"
#include "core/tls.h"
#include "dir/bootstrap.h"
#include "dir/dirauth.h"
#include "dir/dirclient.h"
#include "client/client.h"
#include "lib/alloc.h"
#include "lib/log.h"
#include "or/channel.h"
#include "relay/keys.h"

static const char usage[] =
  "Usage: evonion [FLAGS]\n"
  "evonion speaks the Tor protocol: a SOCKS onion proxy and a relay,\n"
  "built on libevent bufferevents.";

int
app_apply_limits(mainloop_t *ml, const evonion_config_t *cfg)
{
  if (mainloop_set_limit(ml, LIMIT_GLOBAL, cfg->bandwidth_rate, cfg->bandwidth_burst) < 0 ||
      mainloop_set_limit(ml, LIMIT_RELAYED, cfg->relay_bandwidth_rate,
                         cfg->relay_bandwidth_burst) < 0 ||
      mainloop_set_limit(ml, LIMIT_PER_CONN, cfg->per_conn_bandwidth_rate,
                         cfg->per_conn_bandwidth_burst) < 0)
    return -1;
  return 0;
}

static int
make_one_dir(const char *dir)
{
#ifdef _WIN32
  return _mkdir(dir);
#else
  return mkdir(dir, 0700);
#endif
}

int
app_make_private_dir(const char *dir, char *err, size_t errlen)
{
  char path[1024];
  if (strlen(dir) >= sizeof(path)) {
    snprintf(err, errlen, "data directory path is too long");
    return -1;
  }
  snprintf(path, sizeof(path), "%s", dir);
  for (char *p = path + 1; *p; p++) {
    if (*p != '/' && *p != '\\')
      continue;
    char c = *p;
    *p = '\0';
    if (make_one_dir(path) < 0 && errno != EEXIST) {
      snprintf(err, errlen, "cannot create directory \"%s\": %s", path, strerror(errno));
      return -1;
    }
    *p = c;
  }
  if (make_one_dir(path) < 0 && errno != EEXIST) {
    snprintf(err, errlen, "cannot create data directory \"%s\": %s", path, strerror(errno));
    return -1;
  }
  struct stat st;
  if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
    snprintf(err, errlen, "data directory \"%s\" is not a directory", path);
    return -1;
  }
#ifndef _WIN32
  if ((st.st_mode & 077) && chmod(path, 0700) < 0) {
    snprintf(err, errlen, "cannot make data directory \"%s\" private: %s", path, strerror(errno));
    return -1;
  }
#endif
  return 0;
}

static void
stop_cb(evutil_socket_t sig, short what, void *arg)
{
  (void)what;
  log_notice(LD_GENERAL, "Caught signal %d: exiting cleanly.", (int)sig);
  mainloop_exit(arg);
}

#ifdef _WIN32
/* Windows console events (Ctrl-C, Ctrl-Break, closing the console window,
 * logoff, shutdown) arrive on a thread the system creates for them, which
 * runs the handler registered with SetConsoleCtrlHandler; the CRT's SIGINT
 * (libevent's evsignal) covers only Ctrl-C.  The handler makes the loop exit
 * by activating a pre-made event (thread-safe: the base has locks since
 * evthread_use_windows_threads) and, for the events after which Windows ends
 * the process as soon as the handler returns (close, logoff, shutdown), waits
 * until app_run has saved state and closed the log.  The handler takes no
 * argument, hence this one static state. */
static struct {
  CRITICAL_SECTION lock;
  struct event *ev;         /* NULL when no loop runs */
  int running;              /* from console_start to console_done (cleanup included) */
  HANDLE done;              /* manual reset: set when app_run has cleaned up */
  volatile LONG type;       /* the last console event + 1 */
} console;
static INIT_ONCE console_once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK
console_init_once(PINIT_ONCE once, PVOID param, PVOID *ctx)
{
  (void)once; (void)param; (void)ctx;
  InitializeCriticalSection(&console.lock);
  console.done = CreateEventA(NULL, TRUE, FALSE, NULL);
  return TRUE;
}

static const char *
console_event_name(unsigned long type)
{
  switch (type) {
  case CTRL_C_EVENT: return "Ctrl-C";
  case CTRL_BREAK_EVENT: return "Ctrl-Break";
  case CTRL_CLOSE_EVENT: return "console close";
  case CTRL_LOGOFF_EVENT: return "logoff";
  case CTRL_SHUTDOWN_EVENT: return "shutdown";
  default: return "console event";
  }
}

int
app_console_event_(unsigned long type)
{
  InitOnceExecuteOnce(&console_once, console_init_once, NULL, NULL);
  EnterCriticalSection(&console.lock);
  int running = console.running;
  if (console.ev) {
    InterlockedExchange(&console.type, (LONG)type + 1);
    event_active(console.ev, EV_READ, 0);
  }
  LeaveCriticalSection(&console.lock);
  /* Not running: the next handler (the default one exits).  During the
   * cleanup after the loop (no event any more) the event is only waited out. */
  if (!running)
    return 0;
  if (type != CTRL_C_EVENT && type != CTRL_BREAK_EVENT)
    WaitForSingleObject(console.done, 4500);   /* Windows allows about 5 s */
  return 1;
}

static BOOL WINAPI
console_ctrl_handler(DWORD type)
{
  return app_console_event_(type) ? TRUE : FALSE;
}

static void
console_cb(evutil_socket_t fd, short what, void *arg)
{
  (void)fd; (void)what;
  log_notice(LD_GENERAL, "Caught %s: exiting cleanly.",
             console_event_name((unsigned long)InterlockedCompareExchange(&console.type, 0, 0) - 1));
  mainloop_exit(arg);
}

static void
console_start(mainloop_t *ml)
{
  InitOnceExecuteOnce(&console_once, console_init_once, NULL, NULL);
  ResetEvent(console.done);
  struct event *ev = event_new(mainloop_base(ml), -1, 0, console_cb, ml);
  EnterCriticalSection(&console.lock);
  console.ev = ev;
  console.running = 1;
  LeaveCriticalSection(&console.lock);
  if (!SetConsoleCtrlHandler(console_ctrl_handler, TRUE))
    log_warn(LD_GENERAL, "Cannot install the console control handler (error %lu): Ctrl-C "
             "may not shut down cleanly.", (unsigned long)GetLastError());
  log_notice(LD_GENERAL, "libevent backend: %s (IOCP %s)", event_base_get_method(mainloop_base(ml)),
             mainloop_uses_iocp(ml) ? "on" : "off");
}

/* When the loop has returned: no more events to the loop. */
static void
console_stop(void)
{
  EnterCriticalSection(&console.lock);
  struct event *ev = console.ev;
  console.ev = NULL;
  LeaveCriticalSection(&console.lock);
  event_free(ev);
}

/* After the state is saved and the log closed: a waiting handler may return. */
static void
console_done(void)
{
  EnterCriticalSection(&console.lock);
  console.running = 0;
  LeaveCriticalSection(&console.lock);
  SetEvent(console.done);
  SetConsoleCtrlHandler(console_ctrl_handler, FALSE);
}
#endif

/* The ORPort: relay keys, the TLS server context, the listener. */
typedef struct app_orport_t {
  relay_keys_t *keys;
  tls_ctx_t *tls;
  channel_listener_t *listener;
  channel_relay_t relay;
} app_orport_t;

static void
orport_get_keys(void *arg, struct certs_our_keys_t *out)
{
  relay_keys_get_certs_keys(arg, out);
}

static int
orport_start(app_orport_t *o, mainloop_t *ml, const evonion_config_t *cfg)
{
  char err[256], fp[RELAY_FINGERPRINT_FMT_LEN + 1];
  struct sockaddr_storage ss;
  int len = 0;
  if (addr_parse(cfg->or_port, -1, &ss, &len) < 0) {
    log_err(LD_CONFIG, "--or-port: cannot use \"%s\"", cfg->or_port);
    return -1;
  }
  o->keys = relay_keys_load_or_create(cfg->data_directory, time(NULL), err, sizeof(err));
  if (!o->keys) {
    log_err(LD_CONFIG, "%s", err);
    return -1;
  }
  o->tls = relay_keys_new_tls_ctx(o->keys);
  if (!o->tls)
    return -1;
  relay_keys_schedule_rotation(o->keys, ml, o->tls);
  o->relay.get_keys = orport_get_keys;
  o->relay.keys_arg = o->keys;
  o->relay.tls = o->tls;
  channel_relay_set_address(&o->relay, (struct sockaddr *)&ss);
  o->listener = channel_listen(ml, (struct sockaddr *)&ss, len, &o->relay);
  if (!o->listener)
    return -1;
  relay_keys_format_fingerprint(o->keys->rsa_id_digest, fp);
  log_notice(LD_OR, "ORPort listening on %s; identity %s %s", cfg->or_port,
             cfg->nickname ? cfg->nickname : "Unnamed", fp);
  return 0;
}

/* Before mainloop_free (the rotation timer lives in the loop). */
static void
orport_stop(app_orport_t *o)
{
  channel_listener_free(o->listener);
  relay_keys_free(o->keys);
  o->listener = NULL;
  o->keys = NULL;
}

/* The client role: the directory client bootstraps the node list from the
 * authorities (--dir-authority, or the public network's) and keeps it fresh
 * (cache in the data directory); the SOCKS ports (default 127.0.0.1:9050,
 * none with --socks-port 0) carry streams over 3-hop circuits.  It runs
 * whenever evonion runs (not for --list-fingerprint, --help, --version). */
typedef struct app_client_t {
  dir_authorities_t auths;
  client_t *cl;
} app_client_t;

static int
client_role_start(app_client_t *d, mainloop_t *ml, const evonion_config_t *cfg)
{
  char err[512];
  if (dirauth_list_parse(&d->auths, (const char *const *)cfg->dir_authorities.items,
                         (size_t)cfg->dir_authorities.n, err, sizeof(err)) < 0) {
    log_err(LD_CONFIG, "%s", err);
    return -1;
  }
  const char *ports[16];
  client_options_t o;
  memset(&o, 0, sizeof(o));
  o.auths = &d->auths;
  o.data_dir = cfg->data_directory;
  o.testing_tor_network = cfg->testing_tor_network;
  o.socks_ports = ports;
  o.n_socks_ports = config_socks_ports(cfg, ports, sizeof(ports) / sizeof(ports[0]));
  o.socks_allow_nonlocal = cfg->socks_allow_nonlocal;
  o.max_mem_in_queues = (size_t)cfg->max_mem_in_queues;
  o.n_prebuilt = -1;
  d->cl = client_start(ml, &o, err, sizeof(err));
  if (!d->cl) {
    log_err(LD_CONFIG, "%s", err);
    return -1;
  }
  return 0;
}

/* Before mainloop_free (requests, circuits and timers live in the loop). */
static void
client_role_stop(app_client_t *d)
{
  client_free(d->cl);
  d->cl = NULL;
  dirauth_list_clear(&d->auths);
}

static int
app_list_fingerprint(const evonion_config_t *cfg, FILE *out)
{
  char err[256], fp[RELAY_FINGERPRINT_FMT_LEN + 1];
  if (app_make_private_dir(cfg->data_directory, err, sizeof(err)) < 0) {
    log_err(LD_CONFIG, "%s", err);
    return 1;
  }
  relay_keys_t *k = relay_keys_load_or_create(cfg->data_directory, time(NULL), err, sizeof(err));
  if (!k) {
    log_err(LD_CONFIG, "%s", err);
    return 1;
  }
  relay_keys_format_fingerprint(k->rsa_id_digest, fp);
  fprintf(out, "%s %s\n", cfg->nickname ? cfg->nickname : "Unnamed", fp);
  relay_keys_free(k);
  return 0;
}

static int app_run_loop(const evonion_config_t *cfg);

static int
app_run(const evonion_config_t *cfg)
{
  char err[256];
  log_set_severity((log_severity_t)cfg->log_level);
  if (cfg->log_file && log_set_file(cfg->log_file) < 0) {
    fprintf(stderr, "evonion: --log-file: cannot open \"%s\": %s\n", cfg->log_file,
            strerror(errno));
    return 1;
  }
  if (app_make_private_dir(cfg->data_directory, err, sizeof(err)) < 0) {
    log_err(LD_CONFIG, "%s", err);
    return 1;
  }
#ifdef _WIN32
  WSADATA wsa;
  int wsa_err = WSAStartup(MAKEWORD(2, 2), &wsa);
  if (wsa_err != 0) {
    log_err(LD_NET, "Winsock would not start (error %d)", wsa_err);
    return 1;
  }
#endif
  int rv = app_run_loop(cfg);
#ifdef _WIN32
  WSACleanup();
#endif
  return rv;
}

/* app_run past the data directory (and, on Windows, with Winsock started). */
static int
app_run_loop(const evonion_config_t *cfg)
{
  mainloop_t *ml = mainloop_new();
  if (!ml)
    return 1;
  if (app_apply_limits(ml, cfg) < 0) {
    log_err(LD_CONFIG, "libevent refused the bandwidth limits");
    mainloop_free(ml);
    return 1;
  }
  app_orport_t orport;
  memset(&orport, 0, sizeof(orport));
  if (cfg->or_port && orport_start(&orport, ml, cfg) < 0) {
    orport_stop(&orport);
    mainloop_free(ml);
    tls_ctx_free(orport.tls);
    return 1;
  }
  struct event *sigint = evsignal_new(mainloop_base(ml), SIGINT, stop_cb, ml);
  struct event *sigterm = evsignal_new(mainloop_base(ml), SIGTERM, stop_cb, ml);
  event_add(sigint, NULL);
  event_add(sigterm, NULL);
#ifdef _WIN32
  console_start(ml);    /* after SIGINT's CRT handler, so that ours runs first */
#endif
  log_notice(LD_GENERAL, "evonion %s starting (libevent %s, %s); data directory %s",
             EVONION_VERSION, event_get_version(), OpenSSL_version(OPENSSL_VERSION),
             cfg->data_directory);
  app_client_t client;
  memset(&client, 0, sizeof(client));
  int rv = 1;
  if (client_role_start(&client, ml, cfg) == 0)
    rv = mainloop_run(ml) < 0 ? 1 : 0;
  event_free(sigint);
  event_free(sigterm);
#ifdef _WIN32
  console_stop();
#endif
  client_role_stop(&client);
  orport_stop(&orport);
  mainloop_free(ml);
  tls_ctx_free(orport.tls);
  log_notice(LD_GENERAL, "evonion stopped (exit status %d).", rv);
  log_close_file();
#ifdef _WIN32
  console_done();
#endif
  return rv;
}

int
app_main(int argc, char **argv)
{
  return app_main_io(argc, argv, stdout, stderr);
}

int
app_main_io(int argc, char **argv, FILE *out, FILE *errf)
{
  evonion_config_t cfg;
  char err[256];
  const char *stopped = NULL;
  memset(&cfg, 0, sizeof(cfg));
  int r = flags_parse(evonion_flags, &cfg, argc, argv, &stopped, err, sizeof(err));
  if (r == 0 && config_finish(&cfg, err, sizeof(err)) < 0)
    r = -1;
  if (r < 0) {
    fprintf(errf, "evonion: %s\n", err);
    config_free(&cfg);
    return 2;
  }
  if (r == 1) {
    if (!strcmp(stopped, "help")) {
      char *buf = x_malloc(16384);
      flags_format_help(evonion_flags, usage, buf, 16384);
      fputs(buf, out);
      x_free(buf);
    } else {
      fprintf(out, "evonion %s (libevent %s, %s)\n", EVONION_VERSION, event_get_version(),
             OpenSSL_version(OPENSSL_VERSION));
    }
    config_free(&cfg);
    return 0;
  }
  int rv = cfg.list_fingerprint ? app_list_fingerprint(&cfg, out) : app_run(&cfg);
  config_free(&cfg);
  return rv;
}
