#include "throttle.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One counter. An address row has an empty name; names are at least 1 character long when
   they are counted, an empty name tried is counted as "\1" so it never meets an address row. */
typedef struct {
    bool used;
    char name[THROTTLE_NAME_MAX + 1];
    char address[THROTTLE_ADDRESS_MAX + 1];
    uint32_t failures;
    uint32_t in_flight;               /* attempts begun and not yet failed or succeeded */
    int64_t first_ms, last_ms;        /* first failure of the current count, last use */
    int64_t locked_until_ms;          /* 0: not locked */
} row_t;

struct throttle {
    throttle_config_t config;
    row_t *rows;
    unsigned count;
};

throttle_t *throttle_new(const throttle_config_t *config) {
    assert(config && config->failures_max > 0 && config->address_failures_max > 0);
    throttle_t *t = calloc(1, sizeof *t);
    if (!t) abort();
    t->config = *config;
    t->rows = calloc(THROTTLE_ROWS_MAX, sizeof *t->rows);
    if (!t->rows) abort();
    return t;
}

void throttle_destroy(throttle_t **self_p) {
    if (!*self_p) return;
    free((*self_p)->rows);
    free(*self_p);
    *self_p = NULL;
}

static void key_name(const char *name, char out[THROTTLE_NAME_MAX + 1]) {
    snprintf(out, THROTTLE_NAME_MAX + 1, "%s", name && *name ? name : "\1");
}

static bool forgotten(const throttle_t *t, const row_t *r, int64_t now) {
    return r->locked_until_ms <= now && now - r->last_ms >= (int64_t) t->config.lock_s * 1000;
}

static row_t *find(const throttle_t *t, const char *name, const char *address) {
    for (unsigned i = 0; i < THROTTLE_ROWS_MAX; i++) {
        row_t *r = &t->rows[i];
        if (r->used && !strcmp(r->name, name) && !strcmp(r->address, address)) return r;
    }
    return NULL;
}

/* A free row: an unused one, else a forgotten one, else the least recently used unlocked
   one, else the least recently used of all — never `keep`, a row the caller holds. */
static row_t *take(throttle_t *t, int64_t now, const row_t *keep) {
    row_t *lru = NULL, *lru_unlocked = NULL;
    for (unsigned i = 0; i < THROTTLE_ROWS_MAX; i++) {
        row_t *r = &t->rows[i];
        if (r == keep) continue;
        if (!r->used) { t->count++; return r; }
        if (forgotten(t, r, now)) return r;
        if (!lru || r->last_ms < lru->last_ms) lru = r;
        if (r->locked_until_ms <= now && (!lru_unlocked || r->last_ms < lru_unlocked->last_ms))
            lru_unlocked = r;
    }
    return lru_unlocked ? lru_unlocked : lru;
}

/* The row of (name, address), created when `create` (never in place of `keep`); a row whose
   lock or count has run out starts again from zero. */
static row_t *row(throttle_t *t, const char *name, const char *address, int64_t now, bool create,
                  const row_t *keep) {
    char a[THROTTLE_ADDRESS_MAX + 1];
    snprintf(a, sizeof a, "%s", address ? address : "");
    row_t *r = find(t, name, a);
    if (r && forgotten(t, r, now)) {
        r->failures = 0;
        r->locked_until_ms = 0;
    }
    if (r && r->locked_until_ms && r->locked_until_ms <= now) {   /* a lock ran out */
        r->failures = 0;
        r->locked_until_ms = 0;
    }
    if (r || !create) return r;
    r = take(t, now, keep);
    memset(r, 0, sizeof *r);
    r->used = true;
    snprintf(r->name, sizeof r->name, "%s", name);
    snprintf(r->address, sizeof r->address, "%s", a);
    r->first_ms = r->last_ms = now;
    return r;
}

/* An address counts failures within lock_s of the first. */
static void address_window(const throttle_t *t, row_t *r, int64_t now) {
    if (!r->locked_until_ms && now - r->first_ms >= (int64_t) t->config.lock_s * 1000) {
        r->failures = 0;
        r->first_ms = now;
    }
}

static void count(const throttle_t *t, row_t *r, uint32_t max, int64_t now) {
    if (r->failures == 0) r->first_ms = now;
    r->failures++;
    r->last_ms = now;
    if (r->failures >= max && !r->locked_until_ms)
        r->locked_until_ms = now + (int64_t) t->config.lock_s * 1000;
}

throttle_state_t throttle_begin(throttle_t *self, const char *name, const char *address,
                                int64_t now_ms, int64_t *locked_until_ms) {
    assert(self && locked_until_ms);
    char n[THROTTLE_NAME_MAX + 1];
    key_name(name, n);
    row_t *pair = row(self, n, address, now_ms, true, NULL);
    row_t *addr = row(self, "", address, now_ms, true, pair);
    *locked_until_ms = 0;
    if (addr->locked_until_ms > now_ms) {
        *locked_until_ms = addr->locked_until_ms;
        return THROTTLE_ADDRESS_LOCKED;
    }
    if (pair->locked_until_ms > now_ms) {
        *locked_until_ms = pair->locked_until_ms;
        return THROTTLE_NAME_LOCKED;
    }
    address_window(self, addr, now_ms);
    if (pair->failures + pair->in_flight >= self->config.failures_max ||
        addr->failures + addr->in_flight >= self->config.address_failures_max) {
        *locked_until_ms = now_ms + 1000;
        return THROTTLE_BUSY;
    }
    pair->in_flight++;
    addr->in_flight++;
    pair->last_ms = addr->last_ms = now_ms;
    return THROTTLE_OPEN;
}

static void landed(row_t *r) {
    if (r && r->in_flight > 0) r->in_flight--;    /* 0 when its row was forgotten meanwhile */
}

static uint64_t delay_of(const throttle_config_t *c, uint32_t failures) {
    uint64_t d = c->delay_base_ms;
    for (uint32_t i = 1; i < failures && d < c->delay_max_ms; i++) d *= 2;
    return d < c->delay_max_ms ? d : c->delay_max_ms;
}

uint64_t throttle_failed(throttle_t *self, const char *name, const char *address, int64_t now_ms,
                         throttle_state_t *state, int64_t *locked_until_ms) {
    assert(self && state && locked_until_ms);
    char n[THROTTLE_NAME_MAX + 1];
    key_name(name, n);
    row_t *pair = row(self, n, address, now_ms, true, NULL);
    row_t *addr = row(self, "", address, now_ms, true, pair);
    landed(pair);
    landed(addr);
    count(self, pair, self->config.failures_max, now_ms);
    count(self, addr, self->config.address_failures_max, now_ms);
    *state = THROTTLE_OPEN;
    *locked_until_ms = 0;
    if (pair->locked_until_ms > now_ms) {
        *state = THROTTLE_NAME_LOCKED;
        *locked_until_ms = pair->locked_until_ms;
    } else if (addr->locked_until_ms > now_ms) {
        *state = THROTTLE_ADDRESS_LOCKED;
        *locked_until_ms = addr->locked_until_ms;
    }
    return delay_of(&self->config, pair->failures);
}

void throttle_succeeded(throttle_t *self, const char *name, const char *address, int64_t now_ms) {
    assert(self);
    char n[THROTTLE_NAME_MAX + 1];
    key_name(name, n);
    row_t *pair = row(self, n, address, now_ms, false, NULL);
    landed(pair);
    if (pair) {
        pair->failures = 0;
        pair->locked_until_ms = 0;
        pair->last_ms = now_ms;
    }
    landed(row(self, "", address, now_ms, false, NULL));   /* its failures stay counted */
}

int64_t throttle_name_locked_until(const throttle_t *self, const char *name, int64_t now_ms) {
    assert(self);
    char n[THROTTLE_NAME_MAX + 1];
    key_name(name, n);
    int64_t until = 0;
    for (unsigned i = 0; i < THROTTLE_ROWS_MAX; i++) {
        const row_t *r = &self->rows[i];
        if (r->used && !strcmp(r->name, n) && r->locked_until_ms > now_ms && r->locked_until_ms > until)
            until = r->locked_until_ms;
    }
    return until;
}

void throttle_clear_name(throttle_t *self, const char *name) {
    assert(self);
    char n[THROTTLE_NAME_MAX + 1];
    key_name(name, n);
    for (unsigned i = 0; i < THROTTLE_ROWS_MAX; i++) {
        row_t *r = &self->rows[i];
        if (r->used && !strcmp(r->name, n)) {
            memset(r, 0, sizeof *r);
            self->count--;
        }
    }
}

unsigned throttle_rows(const throttle_t *self) { return self->count; }
