/*  throttle — counting failed logins by who tries, so that guessing is slow and a stranger
    cannot lock anyone else out.

    Two kinds of counters, both kept in memory only (a restart forgets them):
      - per (name tried, source address): failure n of a row is answered after
        delay_base_ms * 2^(n-1) (at most delay_max_ms); failure number failures_max locks that
        name *from that address* for lock_s. A success from the address resets its row.
      - per source address, over all names: address_failures_max failures within lock_s lock
        the address for lock_s, whatever name it tries next. Successes do not reset it (an
        attacker with an account of their own could otherwise wipe it between guesses).
    The real user of a locked name still logs in from any other address. The name is the one
    typed, whether or not such a user exists, so an unknown name is counted, delayed and locked
    exactly like a known one. Attempts still being checked count against the limits too, so
    attempts sent in parallel cannot outrun the counters; but only a failure counts towards a
    lock: while the failures plus the attempts in flight reach a limit, a further attempt is
    turned away for a second (THROTTLE_BUSY) without locking anything, so a client that logs in
    on many connections at once with the right password is slowed, never locked out.

    Rows are dropped lock_s after their last failure (once unlocked); the table holds at most
    THROTTLE_ROWS_MAX rows and, when full, forgets the least recently used unlocked one.

    Not for: passwords or accounts (auth.c), or where the address comes from (http.c). Pure:
    every call takes the time, none reads a clock. */
#ifndef LUMBUNG_GATEWAY_THROTTLE_H
#define LUMBUNG_GATEWAY_THROTTLE_H

#include <stdbool.h>
#include <stdint.h>

enum {
    THROTTLE_NAME_MAX = 32,           /* longer names are counted by their first 32 bytes */
    THROTTLE_ADDRESS_MAX = 46,        /* INET6_ADDRSTRLEN */
    THROTTLE_ROWS_MAX = 8192,
};

typedef enum {
    THROTTLE_OPEN = 0,
    THROTTLE_NAME_LOCKED,             /* this name from this address */
    THROTTLE_ADDRESS_LOCKED,          /* anything from this address */
    THROTTLE_BUSY,                    /* too many attempts in flight now: try again in 1 s */
} throttle_state_t;

typedef struct {
    uint32_t failures_max;            /* per (name, address) */
    uint32_t address_failures_max;    /* per address, within lock_s */
    uint32_t lock_s;
    uint32_t delay_base_ms, delay_max_ms;
} throttle_config_t;

typedef struct throttle throttle_t;

throttle_t *throttle_new(const throttle_config_t *config);
void throttle_destroy(throttle_t **self_p);

/* Before an attempt: THROTTLE_OPEN, and the attempt is now in flight for its name and
   address; or the lock in force (or THROTTLE_BUSY), with *locked_until_ms, and nothing
   counted. Every THROTTLE_OPEN is followed by throttle_failed() or throttle_succeeded(). */
throttle_state_t throttle_begin(throttle_t *self, const char *name, const char *address,
                                int64_t now_ms, int64_t *locked_until_ms);
/* The attempt begun failed: returns its answer delay in ms, and the lock in force now (the
   failure itself may have locked), with *locked_until_ms. */
uint64_t throttle_failed(throttle_t *self, const char *name, const char *address, int64_t now_ms,
                         throttle_state_t *state, int64_t *locked_until_ms);
/* The attempt begun succeeded: resets the row of the name from this address; the address's
   failures stay counted. */
void throttle_succeeded(throttle_t *self, const char *name, const char *address, int64_t now_ms);

/* The latest lock of `name` from any address still in force, or 0. */
int64_t throttle_name_locked_until(const throttle_t *self, const char *name, int64_t now_ms);
/* Forgets every row of `name` (an administrator's unlock, a new password). */
void throttle_clear_name(throttle_t *self, const char *name);
/* Rows in the table (for tests and metrics). */
unsigned throttle_rows(const throttle_t *self);

#endif
