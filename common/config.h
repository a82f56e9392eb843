/*  config — settings from the environment first, then from a key=value file.

    Names are the environment names (LUMBUNG_DATA, LUMBUNG_PORT_BASE, ...). The file named by
    LUMBUNG_CONFIG, when set, supplies what the environment does not: one `NAME=value` per
    line, `#` starts a comment. Defaults are given at each call site, next to their use.

    Not for: per-cooperative settings (those live in the members service). */
#ifndef LUMBUNG_CONFIG_H
#define LUMBUNG_CONFIG_H

#include <stdint.h>

enum { CONFIG_ENTRIES_MAX = 256, CONFIG_VALUE_MAX = 1024 };

/* Loads LUMBUNG_CONFIG if set. Returns 0, or a negative errno when the file is unreadable or
   a line is malformed (the line number is logged). */
int config_load(void);

/* The value of `name`, or `fallback`. The returned string is owned by the environment or by
   the config module and stays valid until exit. */
const char *config_get(const char *name, const char *fallback);

/* The value as an integer; `fallback` when unset; exits with a logged error when it is set
   but not a number in [min, max], because running with a misread setting is worse. */
int64_t config_int(const char *name, int64_t fallback, int64_t min, int64_t max);

/* Common derived settings. */
const char *config_data_dir(void);            /* LUMBUNG_DATA, default ./var */
int config_port_base(void);                   /* LUMBUNG_PORT_BASE, default 7100 */
const char *config_host(void);                /* LUMBUNG_HOST, default 127.0.0.1 */

/* Endpoint of a service socket: `kind` is "router" or "pub"; the service's own
   LUMBUNG_<NAME>_<KIND> setting wins (tcp://host:port), else host + port base + offset.
   Writes into buf (at least 128 bytes). Offsets: members 0/1, transactions 10/11,
   reporting 20/21, testing 90/91 (+ LUMBUNG_TEST_INSTANCE*2); transactions shard K (shard.h)
   12/13 .. 18/19 for K = 1..4, 30/31 .. 34/35 for K = 5..7. A '-' in the name is '_' in the
   setting: LUMBUNG_TRANSACTIONS_1_ROUTER. */
const char *config_endpoint(const char *service, const char *kind, char *buf, unsigned size);

/* The endpoint a service binds: config_endpoint() with its host replaced by LUMBUNG_BIND_HOST
   when that is set (e.g. 0.0.0.0 in a container, while peers connect to tcp://members:7100). */
const char *config_bind_endpoint(const char *service, const char *kind, char *buf, unsigned size);

#endif
