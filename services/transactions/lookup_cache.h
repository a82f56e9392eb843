/*  lookup_cache — what one unit of work of the transactions service remembers of its lookups:
    the posting account of each role asked for, and the cooperative looked up last. A batch of
    thousands of postings repeats both for every posting.

    Remembering is safe for a unit of work: a role's account is set once (when the first
    account with that role is opened) and never changes afterwards, and a cooperative's record
    changes only through the replica, which forgets the cached one (tx_coop_cache_forget).

    Not for: reading the store (ledger.c looks up, then remembers here). */
#ifndef LUMBUNG_TX_LOOKUP_CACHE_H
#define LUMBUNG_TX_LOOKUP_CACHE_H

#include <stdint.h>
#include "store.h"

enum { TX_ROLE_CACHE = 8 };         /* roles one unit of work remembers; more are read again */

typedef struct {
    uint64_t coop;
    int role;
    const char *code;               /* in the unit of work's arena */
} tx_role_entry_t;

/* Zeroed is empty. */
typedef struct {
    tx_role_entry_t items[TX_ROLE_CACHE];
    unsigned count;
} tx_role_cache_t;

/* The code remembered for coop's role, or NULL. */
const char *tx_role_cache_find(const tx_role_cache_t *c, uint64_t coop, int role);
/* Remembers code (borrowed: it must live as long as the unit of work); a full cache forgets
   nothing and remembers nothing more. */
void tx_role_cache_remember(tx_role_cache_t *c, uint64_t coop, int role, const char *code);

/* The cooperative looked up last; zeroed is none. */
typedef struct {
    uint64_t id;                    /* 0: none */
    tx_coop_t record;
} tx_coop_cache_t;

void tx_coop_cache_forget(tx_coop_cache_t *c);

#endif
