#include "lookup_cache.h"

#include <assert.h>

const char *tx_role_cache_find(const tx_role_cache_t *c, uint64_t coop, int role) {
    for (unsigned i = 0; i < c->count; i++)
        if (c->items[i].coop == coop && c->items[i].role == role) return c->items[i].code;
    return NULL;
}

void tx_role_cache_remember(tx_role_cache_t *c, uint64_t coop, int role, const char *code) {
    assert(code);
    if (c->count < TX_ROLE_CACHE) c->items[c->count++] = (tx_role_entry_t) { coop, role, code };
}

void tx_coop_cache_forget(tx_coop_cache_t *c) {
    c->id = 0;
}
