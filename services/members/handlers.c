/* handlers — the operation table of lumbung.MembersRequest (its list bound to the handlers),
   the actor's reach, errors and paging shared by the operation files (see members.h). */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "date.h"
#include "envelope.h"
#include "log.h"
#include "members.h"
#include "operations_members.h"

/* Each operation of common/operations_members.h runs members_op_<name>; the runtime has
   found it and authorised the actor (service.h). */
#define HANDLER(CASE, name, access, flags)                                                    \
    static int run_##name(void *app, service_call_t *call, const void *op) {                  \
        return members_op_##name(app, call, op);                                              \
    }
MEMBERS_OPERATIONS(HANDLER)
#undef HANDLER

#define ROW(CASE, name, access, flags) \
    { LUMBUNG__MEMBERS_REQUEST__OP_##CASE, #name, ACCESS_##access, (flags), run_##name },
static const operation_t rows[] = { MEMBERS_OPERATIONS(ROW) };
#undef ROW

const service_operations_t members_operations = {
    .service = "members", .body = LUMBUNG__REQUEST__BODY_MEMBERS,
    .rows = rows, .count = sizeof rows / sizeof rows[0],
};

/* --- the actor's reach --- */

uint64_t members_actor_scope(service_call_t *call) {
    const Lumbung__Actor *a = service_call_actor(call);
    if (!a || !a->has_role) return UINT64_MAX;     /* nothing */
    switch (a->role) {
    case LUMBUNG__ROLE__ROLE_OPERATOR:
    case LUMBUNG__ROLE__ROLE_VIEWER:
        return a->has_cooperative_id && a->cooperative_id ? a->cooperative_id : UINT64_MAX;
    case LUMBUNG__ROLE__ROLE_INTEGRATOR:
        return a->has_cooperative_id ? a->cooperative_id : 0;
    case LUMBUNG__ROLE__ROLE_ADMIN:
    case LUMBUNG__ROLE__ROLE_SUPERVISOR:
    case LUMBUNG__ROLE__ROLE_SERVICE:
        return 0;
    default:
        return UINT64_MAX;
    }
}

/* --- errors and replies --- */

int members_not_found(service_call_t *call, const char *what, const char *field, uint64_t id) {
    return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_NOT_FOUND, "not_found", field,
                             "no %s with id %llu", what, (unsigned long long) id);
}

int members_store_error(service_call_t *call, int rc) {
    assert(rc < 0);
    if (rc == ERR_MAP_FULL) return rc;
    log_error(service_call_request(call)->request_id, "members: store error %s", error_name(rc));
    return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_INTERNAL, "store_error", NULL,
                             "the members store failed; try again");
}

Lumbung__MembersReply *members_reply(service_call_t *call) {
    Lumbung__Reply *reply = service_call_reply(call);
    if (reply->result_case != LUMBUNG__REPLY__RESULT_MEMBERS || !reply->members) {
        reply->members = arena_message(service_call_arena(call),
                                       &lumbung__members_reply__descriptor);
        reply->result_case = LUMBUNG__REPLY__RESULT_MEMBERS;
    }
    return reply->members;
}

int32_t members_today_in(const Lumbung__Cooperative *c) {
    return date_today_in_zone(c && c->settings ? c->settings->time_zone : NULL);
}

int32_t members_latest_today(void) { return date_today_in_zone(DATE_ZONE_LATEST); }

int32_t members_today_of(members_app_t *app, service_call_t *call, uint64_t coop) {
    uint8_t key[8];
    size_t klen = members_key_id(key, coop);
    Lumbung__Cooperative *c = NULL;
    if (members_store_get(app->store, service_call_txn(call), MEMBERS_TABLE_COOPS, key, klen,
                          service_call_arena(call), &lumbung__cooperative__descriptor,
                          (void **) &c) != 0)
        c = NULL;
    return members_today_in(c);
}
int64_t members_now_ms(void) { return envelope_now_ms(); }

int members_load_coop(members_app_t *app, service_call_t *call, uint64_t coop,
                      Lumbung__Cooperative **out) {
    if (coop == 0)
        return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "required",
                                 "cooperative_id", "cooperative_id is required");
    uint8_t key[8];
    size_t klen = members_key_id(key, coop);
    int rc = members_store_get(app->store, service_call_txn(call), MEMBERS_TABLE_COOPS, key, klen,
                               service_call_arena(call), &lumbung__cooperative__descriptor,
                               (void **) out);
    if (rc == ERR_NOT_FOUND) return members_not_found(call, "cooperative", "cooperative_id", coop);
    if (rc != 0) return members_store_error(call, rc);
    return 0;
}

/* --- paging --- */

char *members_cursor_encode(arena_t *arena, const uint8_t *key, size_t len) {
    static const char hex[] = "0123456789abcdef";
    char *s = arena_alloc(arena, 2 * len + 1);
    for (size_t i = 0; i < len; i++) {
        s[2 * i] = hex[key[i] >> 4];
        s[2 * i + 1] = hex[key[i] & 15];
    }
    return s;
}

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

int members_cursor_decode(const char *s, const uint8_t *prefix, size_t prefix_len, uint8_t *key,
                          size_t *len) {
    size_t n = strlen(s);
    if (n == 0 || n % 2 || n / 2 > MEMBERS_KEY_MAX) return -EINVAL;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hex_value(s[2 * i]), lo = hex_value(s[2 * i + 1]);
        if (hi < 0 || lo < 0) return -EINVAL;
        key[i] = (uint8_t) (hi << 4 | lo);
    }
    *len = n / 2;
    /* A list of the whole table has no prefix (NULL): memcmp must not be handed NULL. */
    if (*len < prefix_len || (prefix_len && memcmp(key, prefix, prefix_len) != 0)) return -EINVAL;
    return 0;
}

static int page_visit(void *arg, const uint8_t *key, size_t klen, const void *val, size_t vlen) {
    members_page_t *page = arg;
    if (page->count == page->limit) {
        page->more = true;
        return 1;
    }
    int rc = page->item(page, key, klen, val, vlen);
    if (rc < 0) return rc;
    page->count += (uint32_t) rc;
    assert(klen <= sizeof page->last);
    memcpy(page->last, key, klen);
    page->last_len = klen;
    return 0;
}

int members_page_run(members_page_t *page, members_table_t table, const uint8_t *prefix,
                     size_t prefix_len, bool has_limit, uint32_t limit, const char *cursor,
                     char **next_cursor) {
    assert(page && page->item && next_cursor);
    service_call_t *call = page->call;
    if (has_limit && (limit < 1 || limit > MEMBERS_LIST_MAX))
        return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "out_of_range",
                                 "limit", "limit must be between 1 and %d", MEMBERS_LIST_MAX);
    page->limit = has_limit ? limit : MEMBERS_LIST_DEFAULT;
    uint8_t after[MEMBERS_KEY_MAX];
    size_t after_len = 0;
    if (cursor && cursor[0] && members_cursor_decode(cursor, prefix, prefix_len, after, &after_len) != 0)
        return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "invalid_cursor",
                                 "cursor", "cursor is not one this list returned; start again "
                                 "without it");
    int rc = members_store_scan(page->app->store, service_call_txn(call), table, prefix,
                                prefix_len, after, after_len, MEMBERS_SCAN_MAX, page_visit, page);
    /* An item callback has already failed the call (or passes ERR_MAP_FULL on); only the
       scan's own store errors still need turning into a reply. */
    bool item_failed = service_call_reply(call)->error != NULL;
    if (rc < 0) return item_failed || rc == ERR_MAP_FULL ? rc : members_store_error(call, rc);
    /* A scan that hit its limit before filling the page also continues from where it was. */
    if (rc == MEMBERS_SCAN_MAX && !page->more && page->last_len) page->more = true;
    *next_cursor = page->more ? members_cursor_encode(service_call_arena(call), page->last,
                                              page->last_len) : NULL;
    return 0;
}
