#include <assert.h>
#include <string.h>

#include "date.h"
#include "members.h"
#include "nik.h"

#define TRIM(arena, s) members_text_trim((arena), (s))

void members_member_warnings(arena_t *arena, Lumbung__Member *m, unsigned warnings) {
    static const struct { unsigned flag; const char *code, *field; } kinds[] = {
        { NIK_WARN_BIRTH_DATE, "nik_birth_date_mismatch", "birth_date" },
        { NIK_WARN_SEX, "nik_sex_mismatch", "sex" },
    };
    if (!warnings) return;
    m->warnings = arena_alloc(arena, 2 * sizeof *m->warnings);
    m->n_warnings = 0;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (!(warnings & kinds[i].flag)) continue;
        Lumbung__Warning *w = arena_message(arena, &lumbung__warning__descriptor);
        w->code = (char *) kinds[i].code;
        w->field = (char *) kinds[i].field;
        w->message = arena_printf(arena, "%s; accepted, please check the NIK and the %s",
                                  nik_warning_text(kinds[i].flag), kinds[i].field);
        m->warnings[m->n_warnings++] = w;
    }
}

static int duplicate_nik(service_call_t *call, const char *nik, uint64_t id) {
    return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_CONFLICT, "duplicate_nik", "nik",
                             "NIK %s already belongs to an active member of this cooperative "
                             "(member id %llu)", nik, (unsigned long long) id);
}

int members_member_insert(members_app_t *app, service_call_t *call, arena_t *arena,
                          Lumbung__Member *m) {
    assert(m->cooperative_id && m->nik && m->n_warnings == 0);
    store_txn_t *txn = service_call_txn(call);
    int rc = members_store_next(app->store, txn, "member", 0, &m->id);
    if (rc == 0) rc = members_store_next(app->store, txn, "member_number", m->cooperative_id,
                                         &m->member_number);
    if (rc != 0) return members_store_error(call, rc);
    m->has_id = m->has_member_number = m->has_status = m->has_version = true;
    m->status = LUMBUNG__MEMBER_STATUS__MEMBER_STATUS_ACTIVE;
    m->version = 1;
    m->has_created_at_ms = m->has_updated_at_ms = true;
    m->created_at_ms = m->updated_at_ms = members_now_ms();
    rc = members_store_member_insert(app->store, txn, arena, m);
    if (rc == ERR_EXISTS) return duplicate_nik(call, m->nik, 0);   /* checked before: a bug */
    if (rc != 0) return members_store_error(call, rc);
    return members_emit_member(call, arena, LUMBUNG__MEMBERS_EVENT__BODY_MEMBER_JOINED, m);
}

int members_coop_for_write(members_app_t *app, service_call_t *call, uint64_t coop) {
    int rc;
    Lumbung__Cooperative *c;
    if ((rc = members_load_coop(app, call, coop, &c)) != 0) return rc;
    if (c->has_active && !c->active)
        return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_RULE, "cooperative_inactive",
                                 "cooperative_id", "cooperative %llu is inactive; its members "
                                 "cannot change", (unsigned long long) coop);
    return 0;
}

static Lumbung__MembersReply *reply_member(service_call_t *call, Lumbung__Member *m) {
    Lumbung__MembersReply *r = members_reply(call);
    r->result_case = LUMBUNG__MEMBERS_REPLY__RESULT_MEMBER;
    r->member = m;
    return r;
}

int members_op_create_member(members_app_t *app, service_call_t *call,
                             const Lumbung__CreateMember *op) {
    int rc;
    if ((rc = members_coop_for_write(app, call, op->cooperative_id)) != 0) return rc;
    arena_t *arena = service_call_arena(call);
    Lumbung__Member *m = arena_message(arena, &lumbung__member__descriptor);
    m->has_cooperative_id = true;
    m->cooperative_id = op->cooperative_id;
    m->nik = TRIM(arena, op->nik);
    m->name = TRIM(arena, op->name);
    m->has_sex = op->has_sex;
    m->sex = op->sex;
    PB_DATE_COPY(m, op, birth_date);
    m->address = TRIM(arena, op->address);
    m->phone = TRIM(arena, op->phone);
    PB_DATE_COPY(m, op, joined_on);
    unsigned warnings;
    problem_t p;
    if (members_validate_member(m, members_today_of(app, call, m->cooperative_id), &warnings, &p) != 0)
        return service_call_reject(call, &p);
    uint64_t existing;
    rc = members_store_member_by_nik(app->store, service_call_txn(call), m->cooperative_id,
                                     m->nik, &existing);
    if (rc == 0) return duplicate_nik(call, m->nik, existing);
    if (rc != ERR_NOT_FOUND) return members_store_error(call, rc);
    if ((rc = members_member_insert(app, call, arena, m)) != 0) return rc;
    members_member_warnings(arena, m, warnings);   /* after the event: replies only */
    reply_member(call, m);
    return 0;
}

static int member_load(members_app_t *app, service_call_t *call, uint64_t coop, uint64_t id,
                       Lumbung__Member **out) {
    if (id == 0)
        return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "required", "id",
                                 "id (the member id) is required");
    int rc = members_store_member_get(app->store, service_call_txn(call), service_call_arena(call),
                                      coop, id, out);
    if (rc == ERR_NOT_FOUND) return members_not_found(call, "member in this cooperative", "id", id);
    if (rc != 0) return members_store_error(call, rc);
    return 0;
}

int members_op_get_member(members_app_t *app, service_call_t *call, const Lumbung__GetMember *op) {
    int rc;
    Lumbung__Member *m;
    if ((rc = member_load(app, call, op->cooperative_id, op->id, &m)) != 0) return rc;
    reply_member(call, m);
    return 0;
}

/* --- list and search --- */

typedef struct {
    Lumbung__MemberList *list;
    uint64_t coop;
    bool by_index;                    /* key ends with the member id; value is empty */
    bool has_status;
    Lumbung__MemberStatus status;
} member_filter_t;

static int member_item(members_page_t *page, const uint8_t *key, size_t klen, const void *val,
                       size_t vlen) {
    member_filter_t *f = page->ctx;
    arena_t *arena = service_call_arena(page->call);
    Lumbung__Member *m;
    if (f->by_index) {
        assert(klen >= 16);
        uint64_t id = 0;
        for (size_t i = klen - 8; i < klen; i++) id = id << 8 | key[i];
        int rc = members_store_member_get(page->app->store, service_call_txn(page->call), arena,
                                          f->coop, id, &m);
        if (rc != 0) return members_store_error(page->call, rc);
    } else {
        ProtobufCAllocator allocator = arena_allocator(arena);
        m = lumbung__member__unpack(&allocator, vlen, val);
        if (!m) return members_store_error(page->call, ERR_STORE);
    }
    if (f->has_status && m->status != f->status) return 0;
    Lumbung__MemberList *list = f->list;
    if (!list->items) list->items = arena_alloc(arena, page->limit * sizeof *list->items);
    list->items[list->n_items++] = m;
    return 1;
}

static bool all_digits(const char *s) {
    for (; *s; s++)
        if (*s < '0' || *s > '9') return false;
    return true;
}

/* Chooses the table and key prefix that answer the query. */
static members_table_t member_query(const Lumbung__ListMembers *op, const char *q,
                                    member_filter_t *f, uint8_t *prefix, size_t *plen) {
    uint64_t coop = op->cooperative_id;
    if (q && all_digits(q) && strlen(q) <= MEMBERS_NIK_LEN) {
        *plen = members_key_id(prefix, coop);
        memcpy(prefix + *plen, q, strlen(q));
        *plen += strlen(q);
        f->by_index = true;
        return MEMBERS_TABLE_MEMBER_NIK_ALL;
    }
    if (q) {
        *plen = members_key_name(prefix, coop, q, false, 0);
        f->by_index = true;
        return MEMBERS_TABLE_MEMBER_NAME;
    }
    if (f->has_status) {
        *plen = members_key_status(prefix, coop, f->status, 0) - 8;
        f->by_index = true;
        f->has_status = false;          /* the index is the filter */
        return MEMBERS_TABLE_MEMBER_STATUS;
    }
    *plen = members_key_id(prefix, coop);
    return MEMBERS_TABLE_MEMBERS;
}

int members_op_list_members(members_app_t *app, service_call_t *call,
                            const Lumbung__ListMembers *op) {
    int rc;
    Lumbung__Cooperative *c;
    if ((rc = members_load_coop(app, call, op->cooperative_id, &c)) != 0) return rc;
    arena_t *arena = service_call_arena(call);
    const char *q = TRIM(arena, op->q);
    problem_t p;
    if (members_check_text(q, "q", false, MEMBERS_NAME_MAX, false, &p) != 0)
        return service_call_reject(call, &p);
    if (op->has_status && op->status != LUMBUNG__MEMBER_STATUS__MEMBER_STATUS_ACTIVE &&
        op->status != LUMBUNG__MEMBER_STATUS__MEMBER_STATUS_EXITED)
        return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "invalid_enum",
                                 "status", "status must be active or exited");
    Lumbung__MemberList *list = arena_message(arena, &lumbung__member_list__descriptor);
    member_filter_t f = { .list = list, .coop = c->id, .has_status = op->has_status,
                          .status = op->status };
    uint8_t prefix[MEMBERS_KEY_MAX];
    size_t plen = 0;
    members_table_t table = member_query(op, q, &f, prefix, &plen);
    members_page_t page = { .app = app, .call = call, .item = member_item, .ctx = &f };
    rc = members_page_run(&page, table, prefix, plen, op->has_limit, op->limit, op->cursor,
                          &list->next_cursor);
    if (rc != 0) return rc;
    Lumbung__MembersReply *r = members_reply(call);
    r->result_case = LUMBUNG__MEMBERS_REPLY__RESULT_MEMBERS;
    r->members = list;
    return 0;
}

/* --- update --- */

static bool text_equal(const char *a, const char *b) {
    return strcmp(a ? a : "", b ? b : "") == 0;
}

static bool date_equal(bool has_a, int32_t a, bool has_b, int32_t b) {
    return has_a == has_b && (!has_a || a == b);
}

bool members_member_same(const Lumbung__Member *a, const Lumbung__Member *b) {
    return text_equal(a->nik, b->nik) && text_equal(a->name, b->name) && a->sex == b->sex &&
           date_equal(a->has_birth_date, a->birth_date, b->has_birth_date, b->birth_date) &&
           text_equal(a->address, b->address) && text_equal(a->phone, b->phone) &&
           date_equal(a->has_joined_on, a->joined_on, b->has_joined_on, b->joined_on);
}

static void member_patch(arena_t *arena, Lumbung__Member *m, const Lumbung__UpdateMember *op) {
    if (op->nik) m->nik = TRIM(arena, op->nik);
    if (op->name) m->name = TRIM(arena, op->name);
    if (op->has_sex) { m->has_sex = true; m->sex = op->sex; }
    PB_DATE_PATCH(m, op, birth_date);
    if (op->address) m->address = TRIM(arena, op->address);
    if (op->phone) m->phone = TRIM(arena, op->phone);
    PB_DATE_PATCH(m, op, joined_on);
}

static int member_write(members_app_t *app, service_call_t *call, const Lumbung__Member *old,
                        Lumbung__Member *m, Lumbung__MembersEvent__BodyCase kind) {
    arena_t *arena = service_call_arena(call);
    m->has_version = m->has_updated_at_ms = true;
    m->version = old->version + 1;
    m->updated_at_ms = members_now_ms();
    int rc = members_store_member_replace(app->store, service_call_txn(call), arena, old, m);
    if (rc == ERR_EXISTS) return duplicate_nik(call, m->nik, 0);
    if (rc != 0) return members_store_error(call, rc);
    return members_emit_member(call, arena, kind, m);
}

int members_op_update_member(members_app_t *app, service_call_t *call,
                             const Lumbung__UpdateMember *op) {
    int rc;
    if ((rc = members_coop_for_write(app, call, op->cooperative_id)) != 0) return rc;
    Lumbung__Member *old, *m;
    if ((rc = member_load(app, call, op->cooperative_id, op->id, &old)) != 0) return rc;
    arena_t *arena = service_call_arena(call);
    m = arena_message(arena, &lumbung__member__descriptor);
    *m = *old;                        /* shallow: patched strings get new pointers */
    member_patch(arena, m, op);
    unsigned warnings;
    problem_t p;
    if (members_validate_member(m, members_today_of(app, call, m->cooperative_id), &warnings, &p) != 0)
        return service_call_reject(call, &p);
    if (!members_member_same(old, m)) {
        uint64_t other;
        rc = members_store_member_by_nik(app->store, service_call_txn(call), m->cooperative_id,
                                     m->nik, &other);
        if (rc == 0 && other != m->id &&
            m->status == LUMBUNG__MEMBER_STATUS__MEMBER_STATUS_ACTIVE)
            return duplicate_nik(call, m->nik, other);
        if (rc != 0 && rc != ERR_NOT_FOUND) return members_store_error(call, rc);
        if ((rc = member_write(app, call, old, m, LUMBUNG__MEMBERS_EVENT__BODY_MEMBER_UPDATED)) != 0)
            return rc;
    }
    members_member_warnings(arena, m, warnings);
    reply_member(call, m);
    return 0;
}

/* --- exit --- */

static int exit_check(service_call_t *call, const Lumbung__Member *m, const Lumbung__ExitMember *op,
                      int32_t today) {
    problem_t p;
    if (m->status != LUMBUNG__MEMBER_STATUS__MEMBER_STATUS_ACTIVE)
        return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_RULE, "member_not_active",
                                 "id", "member %llu has already exited",
                                 (unsigned long long) m->id);
    if (!op->has_reason || op->reason == LUMBUNG__EXIT_REASON__EXIT_REASON_UNSPECIFIED)
        return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "required",
                                 "reason", "reason is required: resigned, deceased or expelled");
    if (op->reason < LUMBUNG__EXIT_REASON__EXIT_REASON_RESIGNED ||
        op->reason > LUMBUNG__EXIT_REASON__EXIT_REASON_EXPELLED)
        return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "invalid_reason",
                                 "reason", "reason must be resigned, deceased or expelled");
    if (MEMBERS_CHECK_DATE(op, exit_on, true, &p) != 0 ||
        members_check_text(op->note, "note", false, MEMBERS_NOTE_MAX, true, &p) != 0)
        return service_call_reject(call, &p);
    int32_t on = op->exit_on;
    if (on > today)
        return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "in_future",
                                 "exit_on", "exit_on %s is in the future", DATE_TEXT(on));
    if (m->has_joined_on && on < m->joined_on)
        return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "before_joining",
                                 "exit_on", "exit_on %s is before the member joined on %s",
                                 DATE_TEXT(on), DATE_TEXT(m->joined_on));
    return 0;
}

int members_op_exit_member(members_app_t *app, service_call_t *call, const Lumbung__ExitMember *op) {
    int rc;
    if ((rc = members_coop_for_write(app, call, op->cooperative_id)) != 0) return rc;
    Lumbung__Member *old, *m;
    if ((rc = member_load(app, call, op->cooperative_id, op->id, &old)) != 0) return rc;
    arena_t *arena = service_call_arena(call);
    if ((rc = exit_check(call, old, op, members_today_of(app, call, op->cooperative_id))) != 0)
        return rc;
    m = arena_message(arena, &lumbung__member__descriptor);
    *m = *old;
    m->has_status = m->has_exit_reason = true;
    m->status = LUMBUNG__MEMBER_STATUS__MEMBER_STATUS_EXITED;
    m->exit_reason = op->reason;
    PB_DATE_COPY(m, op, exit_on);
    m->exit_note = TRIM(arena, op->note);
    rc = member_write(app, call, old, m, LUMBUNG__MEMBERS_EVENT__BODY_MEMBER_EXITED);
    if (rc != 0) return rc;
    reply_member(call, m);
    return 0;
}
