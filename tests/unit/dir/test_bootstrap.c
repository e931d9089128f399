/* test_bootstrap.c — tor's phases, logged once each, never backwards. */
#include <stdio.h>
#include <string.h>

#include "dir/bootstrap.h"
#include "lib/log.h"
#include "testutil.h"

static int n_lines;
static char lines[32][256];

static void
hook(log_severity_t sev, log_domain_t dom, const char *msg, void *arg)
{
  (void)dom; (void)arg;
  if (sev == LOG_NOTICE && n_lines < 32)
    snprintf(lines[n_lines++], sizeof(lines[0]), "%s", msg);
}

START_TEST(test_phases_in_order_once)
{
  bootstrap_t b;
  bootstrap_init(&b);
  n_lines = 0;
  log_set_hook(hook, NULL);
  ck_assert_int_eq(bootstrap_percent(&b), -1);
  ck_assert_int_eq(bootstrap_report(&b, BOOTSTRAP_STARTING, 0), 1);
  ck_assert_int_eq(bootstrap_report(&b, BOOTSTRAP_CONN, 0), 1);
  ck_assert_int_eq(bootstrap_report(&b, BOOTSTRAP_CONN, 0), 0);          /* once */
  ck_assert_int_eq(bootstrap_report(&b, BOOTSTRAP_REQUESTING_STATUS, 0), 1);
  ck_assert_int_eq(bootstrap_report(&b, BOOTSTRAP_CONN_DONE, 0), 0);     /* backwards */
  ck_assert_int_eq(bootstrap_report(&b, BOOTSTRAP_LOADING_KEYS, 0), 1);
  ck_assert_int_eq(bootstrap_report(&b, BOOTSTRAP_REQUESTING_DESCRIPTORS, 0), 1);
  ck_assert_int_eq(bootstrap_report(&b, BOOTSTRAP_LOADING_DESCRIPTORS, 0), 1);
  ck_assert_int_eq(bootstrap_report(&b, BOOTSTRAP_LOADING_DESCRIPTORS, 60), 1); /* progress */
  ck_assert_int_eq(bootstrap_report(&b, BOOTSTRAP_LOADING_DESCRIPTORS, 55), 0);
  ck_assert_int_eq(bootstrap_report(&b, BOOTSTRAP_ENOUGH_DIRINFO, 0), 1);
  ck_assert_int_eq(bootstrap_report(&b, BOOTSTRAP_REQUESTING_STATUS, 0), 0); /* refresh later */
  ck_assert_int_eq(bootstrap_report(&b, (bootstrap_status_t)33, 0), 0);      /* not a phase */
  ck_assert_int_eq(bootstrap_report(&b, BOOTSTRAP_DONE, 0), 1);
  ck_assert_int_eq(bootstrap_report(&b, BOOTSTRAP_DONE, 0), 0);
  log_set_hook(NULL, NULL);
  ck_assert_int_eq(bootstrap_percent(&b), 100);
  ck_assert_int_eq(n_lines, 9);
  ck_assert_str_eq(lines[0], "Bootstrapped 0% (starting): Starting");
  ck_assert_str_eq(lines[1], "Bootstrapped 5% (conn): Connecting to a relay");
  ck_assert_str_eq(lines[2], "Bootstrapped 25% (requesting_status): Asking for networkstatus "
                   "consensus");
  ck_assert_str_eq(lines[3], "Bootstrapped 40% (loading_keys): Loading authority key certs");
  ck_assert_str_eq(lines[4], "Bootstrapped 45% (requesting_descriptors): Asking for relay "
                   "descriptors");
  ck_assert_str_eq(lines[5], "Bootstrapped 50% (loading_descriptors): Loading relay descriptors");
  ck_assert_str_eq(lines[6], "Bootstrapped 60% (loading_descriptors): Loading relay descriptors");
  ck_assert_str_eq(lines[7], "Bootstrapped 75% (enough_dirinfo): Loaded enough directory info "
                   "to build circuits");
  ck_assert_str_eq(lines[8], "Bootstrapped 100% (done): Done");
}
END_TEST

START_TEST(test_tags)
{
  ck_assert_str_eq(bootstrap_status_to_tag(BOOTSTRAP_ENOUGH_DIRINFO), "enough_dirinfo");
  ck_assert_str_eq(bootstrap_status_to_tag(BOOTSTRAP_CIRCUIT_CREATE), "circuit_create");
  ck_assert_str_eq(bootstrap_status_to_tag((bootstrap_status_t)42), "undef");
  ck_assert_str_eq(bootstrap_status_to_summary(BOOTSTRAP_AP_HANDSHAKE_DONE),
                   "Handshake finished with a relay to build circuits");
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("dir_bootstrap");
  TESTUTIL_ADD(s, test_phases_in_order_once, 10);
  TESTUTIL_ADD(s, test_tags, 10);
  return s;
}
