/*  members — the members service's handlers: what each operation of lumbung.MembersRequest
    does, who may do it, and what it answers and emits.

    Every handler runs inside its request's child txn (service.h): it reads and writes the
    store through members store, emits events with members_emit_*, fills the reply in the
    call's arena and returns 0, or returns the negative code it got (ERR_REJECTED after
    service_call_reject()/service_call_fail(), a store code passed up) and everything it wrote
    vanishes. Who may call an operation is its row in common/operations_members.h, decided by
    the runtime before the handler reads anything (bus integrators reach the service without
    the gateway); get_job, whose cooperative is the stored job's, asks itself
    (service_call_authorise).

    Files: handlers.c (the operation table, the actor's reach, paging), coops.c (cooperatives, board, annual
    meetings), people.c (members), supervision.c (supervision, trainings), import.c (CSV import,
    jobs), events.c (MembersEvent).

    Not for: transport or storage mechanics (service.h, store.h), pure rules (validate.h). */
#ifndef LUMBUNG_MEMBERS_H
#define LUMBUNG_MEMBERS_H

#include <stdbool.h>
#include <stdint.h>
#include "service.h"
#include "store.h"
#include "validate.h"

enum {
    MEMBERS_LIST_DEFAULT = 50,
    MEMBERS_LIST_MAX = 500,
    MEMBERS_SCAN_MAX = 20000,         /* index entries one list request may look at */
    MEMBERS_BOARD_SUPERVISORS_MAX = 20,
    MEMBERS_RECOMMENDATIONS_MAX = 100,
    MEMBERS_TRAINERS_MAX = 50,
    MEMBERS_PARTICIPANTS_MAX = 2000,
};

typedef struct {
    members_store_t *store;
    service_t *service;
    /* The running imports' steps (import.c): a timer on the service's loop posts one step at
       a time while a job may have rows left. Hints only; the store says what is left. */
    uv_timer_t import_timer;
    bool import_timer_open;
    bool import_more;
    bool import_step_queued;
} members_app_t;

/* The operation table (handlers.c): common/operations_members.h with members_op_<name> bound
   to each row; service_handlers_t.operations. The runtime authorises each operation with the
   role matrix (common/access.h) before its handler runs. */
extern const service_operations_t members_operations;

/* The cooperative an operator or viewer (or scoped integrator) is limited to; 0 = all. */
uint64_t members_actor_scope(service_call_t *call);

/* Fails with NOT_FOUND naming the field. */
int members_not_found(service_call_t *call, const char *what, const char *field, uint64_t id);
/* Maps a store error to a failed call; ERR_MAP_FULL is returned as is for the runtime. */
int members_store_error(service_call_t *call, int rc);

/* The reply's MembersReply, created on first use. */
Lumbung__MembersReply *members_reply(service_call_t *call);

/* Today in the cooperative's own zone (its settings' time_zone, Asia/Jakarta when it names
   none): what "not in the future" means for its members, meetings and visits, the same day
   the transactions service counts its value dates in. */
int32_t members_today_in(const Lumbung__Cooperative *c);
/* The latest date anywhere in Indonesia now (WIT): a bound for scans over years. */
int32_t members_latest_today(void);
/* Today for the cooperative `coop` (loaded from the store); the default zone's today when it
   cannot be read (its absence is reported by the caller's own load). */
int32_t members_today_of(members_app_t *app, service_call_t *call, uint64_t coop);
int64_t members_now_ms(void);

/* Loads a cooperative; fails the call with NOT_FOUND (field cooperative_id) when unknown. */
int members_load_coop(members_app_t *app, service_call_t *call, uint64_t coop,
                      Lumbung__Cooperative **out);

/* --- paging --- */
typedef struct members_page members_page_t;
/* Called for each visited entry; returns 1 when it added an item, 0 when it skipped the
   entry (a filter), or a negative error. */
typedef int (*members_page_item_fn)(members_page_t *page, const uint8_t *key, size_t klen,
                                    const void *val, size_t vlen);
struct members_page {
    members_app_t *app;
    service_call_t *call;
    members_page_item_fn item;
    void *ctx;                         /* the list message being filled */
    uint32_t limit, count;
    bool more;
    uint8_t last[MEMBERS_KEY_MAX];
    size_t last_len;
};
/* A list's cursor: the last key shown, in lowercase hex (allocated in the arena). */
char *members_cursor_encode(arena_t *arena, const uint8_t *key, size_t len);
/* Decodes a cursor this service made into key (room for MEMBERS_KEY_MAX bytes); -EINVAL when
   it is not one for this prefix. */
int members_cursor_decode(const char *s, const uint8_t *prefix, size_t prefix_len, uint8_t *key,
                          size_t *len);

/* Validates limit and cursor, scans `table` under `prefix` and sets *next_cursor (allocated
   in the arena, NULL at the end). Returns 0 or a failed call's negative code. */
int members_page_run(members_page_t *page, members_table_t table, const uint8_t *prefix,
                     size_t prefix_len, bool has_limit, uint32_t limit, const char *cursor,
                     char **next_cursor);

/* One header per module, each with its contract; included here so that a file needs only
   members.h. */
#include "coops.h"
#include "people.h"
#include "supervision.h"
#include "import.h"
#include "events.h"

#endif
