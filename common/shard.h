/*  shard — which transactions shard owns which cooperative, and what each shard is called.

    Transactions runs as N shards (LUMBUNG_TRANSACTIONS_SHARDS, default 1), each a process with
    its own store owning a set of cooperatives. Shard 0 is named "transactions" (so one shard
    is exactly the unsharded service: store, key, endpoints and stream), shard K > 0
    "transactions-K": its store is $LUMBUNG_DATA/transactions-K, its key transactions-K, its
    stream "transactions-K", its endpoints LUMBUNG_TRANSACTIONS_K_ROUTER / _PUB (default ports:
    base + 10 + 2K for K = 1..4, base + 30 + 2(K - 5) for K = 5..7, the PUB one higher).

    The shard map is a file (LUMBUNG_SHARD_MAP, default $LUMBUNG_DATA/shard.map; absent = no
    explicit entries), one setting a line, `#` starts a comment:
        shards = 2          the number of shards (LUMBUNG_TRANSACTIONS_SHARDS must agree if set)
        default = mod       cooperatives not listed: cooperative id mod shards (the default),
        default = 1         or all to one shard ("new cooperatives go to shard 1")
        7 = 1               cooperative 7 lives on shard 1 (lumbungctl move-cooperative writes these)
    Every process reads the map once at start; it changes only with the system stopped
    (lumbungctl move-cooperative), so no process ever sees two maps.

    Not for: moving a cooperative's records (services/transactions/move.h). */
#ifndef LUMBUNG_SHARD_H
#define LUMBUNG_SHARD_H

#include <stddef.h>
#include <stdint.h>

enum {
    SHARD_MAX = 8,                  /* transactions shards of one district */
    SHARD_MAP_ENTRIES_MAX = 100000, /* explicit cooperative -> shard lines */
    SHARD_NAME_MAX = 32,
    SHARD_DEFAULT_MOD = -1,         /* the rule: cooperative id mod shards */
};

/* Reads the configuration and the map file (once; later calls return the first answer).
   0, or a negative code after logging what is wrong: the errno of an unreadable file, else
   -EINVAL (a bad line, shards out of 1..SHARD_MAX, a shard number past the count, disagreeing
   counts). A process must not start then. */
int shard_load(void);
/* Forgets what shard_load() read and reads again (lumbungctl restore, after putting a map
   back). 0 or negative as shard_load(). */
int shard_reload(void);

int shard_count(void);              /* 1..SHARD_MAX (shard_load() first) */
int shard_of(uint64_t cooperative_id);
/* The rule for cooperatives not listed: a shard number or SHARD_DEFAULT_MOD. */
int shard_default_rule(void);
/* This process's shard: LUMBUNG_TRANSACTIONS_SHARD (default 0); exits with a logged error
   when it is not below shard_count(). Only the transactions service asks. */
int shard_self(void);
/* "transactions" for 0, "transactions-K" else; buf of SHARD_NAME_MAX bytes. */
const char *shard_name(int shard, char *buf, size_t size);
/* The shard a name like "transactions-2" stands for, or -1. */
int shard_index(const char *name);
/* The map file's path (buf of 512 bytes). */
const char *shard_map_path(char *buf, size_t size);

/* Writes the map file again (atomically: a temporary file, fsync, rename) with cooperative
   `coop` on `shard`, every other line kept. For lumbungctl with the system stopped. 0 or a
   negative errno. */
int shard_map_assign(uint64_t coop, int shard);

#endif
