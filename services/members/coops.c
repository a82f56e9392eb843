#include <assert.h>
#include <string.h>
#include <strings.h>

#include "date.h"
#include "members.h"

#define TRIM(arena, s) members_text_trim((arena), (s))

static int coop_save(members_app_t *app, service_call_t *call, Lumbung__Cooperative *c) {
    uint8_t key[8];
    size_t klen = members_key_id(key, c->id);
    int rc = members_store_put(app->store, service_call_txn(call), MEMBERS_TABLE_COOPS, key, klen,
                               service_call_arena(call), &c->base);
    return rc == 0 ? 0 : members_store_error(call, rc);
}

int members_op_create_cooperative(members_app_t *app, service_call_t *call,
                                  const Lumbung__CreateCooperative *op) {
    int rc;
    arena_t *arena = service_call_arena(call);
    Lumbung__Cooperative *c = arena_message(arena, &lumbung__cooperative__descriptor);
    c->name = TRIM(arena, op->name);
    c->has_type = op->has_type;
    c->type = op->type;
    c->group = TRIM(arena, op->group);
    c->legal_number = TRIM(arena, op->legal_number);
    PB_DATE_COPY(c, op, legal_date);
    c->national_number = TRIM(arena, op->national_number);
    c->address = TRIM(arena, op->address);
    c->district = TRIM(arena, op->district);
    PB_DATE_COPY(c, op, founded_on);
    c->phone = TRIM(arena, op->phone);
    c->settings = arena_message(arena, &lumbung__cooperative_settings__descriptor);
    if (op->settings) members_settings_merge(arena, c->settings, op->settings);
    members_settings_defaults(arena, c->settings);
    problem_t p;
    if (members_validate_cooperative(c, members_today_in(c), &p) != 0)
        return service_call_reject(call, &p);

    rc = members_store_next(app->store, service_call_txn(call), "coop", 0, &c->id);
    if (rc != 0) return members_store_error(call, rc);
    c->has_id = c->has_active = c->has_version = true;
    c->active = true;
    c->version = 1;
    c->has_created_at_ms = c->has_updated_at_ms = true;
    c->created_at_ms = c->updated_at_ms = members_now_ms();
    if ((rc = coop_save(app, call, c)) != 0) return rc;
    rc = members_emit_cooperative(call, arena, LUMBUNG__MEMBERS_EVENT__BODY_COOPERATIVE_CREATED, c);
    if (rc != 0) return rc;
    Lumbung__MembersReply *r = members_reply(call);
    r->result_case = LUMBUNG__MEMBERS_REPLY__RESULT_COOPERATIVE;
    r->cooperative = c;
    return 0;
}

int members_op_get_cooperative(members_app_t *app, service_call_t *call,
                               const Lumbung__GetCooperative *op) {
    int rc;
    Lumbung__Cooperative *c;
    if ((rc = members_load_coop(app, call, op->cooperative_id, &c)) != 0) return rc;
    Lumbung__MembersReply *r = members_reply(call);
    r->result_case = LUMBUNG__MEMBERS_REPLY__RESULT_COOPERATIVE;
    r->cooperative = c;
    return 0;
}

/* --- list --- */

typedef struct {
    const Lumbung__ListCooperatives *op;
    Lumbung__CooperativeList *list;
    uint64_t scope;
} coop_filter_t;

static bool coop_matches(const coop_filter_t *f, const Lumbung__Cooperative *c) {
    const Lumbung__ListCooperatives *op = f->op;
    if (f->scope && c->id != f->scope) return false;
    if (op->has_type && op->type && c->type != op->type) return false;
    if (op->district && op->district[0] && (!c->district || strcasecmp(c->district, op->district)))
        return false;
    if (op->group && op->group[0] && (!c->group || strcasecmp(c->group, op->group))) return false;
    if (op->q && op->q[0] && (!c->name || !strcasestr(c->name, op->q))) return false;
    return true;
}

static int coop_item(members_page_t *page, const uint8_t *key, size_t klen, const void *val,
                     size_t vlen) {
    coop_filter_t *f = page->ctx;
    arena_t *arena = service_call_arena(page->call);
    ProtobufCAllocator allocator = arena_allocator(arena);
    Lumbung__Cooperative *c = lumbung__cooperative__unpack(&allocator, vlen, val);
    if (!c) return members_store_error(page->call, ERR_STORE);
    if (!coop_matches(f, c)) return 0;
    Lumbung__CooperativeList *list = f->list;
    if (!list->items) list->items = arena_alloc(arena, page->limit * sizeof *list->items);
    list->items[list->n_items++] = c;
    return 1;
}

int members_op_list_cooperatives(members_app_t *app, service_call_t *call,
                                 const Lumbung__ListCooperatives *op) {
    uint64_t scope = members_actor_scope(call);
    /* Whoever reaches nothing (UINT64_MAX) the runtime has refused (AUTHENTICATED). */
    arena_t *arena = service_call_arena(call);
    Lumbung__CooperativeList *list = arena_message(arena, &lumbung__cooperative_list__descriptor);
    coop_filter_t filter = { op, list, scope };
    members_page_t page = { .app = app, .call = call, .item = coop_item, .ctx = &filter };
    int rc = members_page_run(&page, MEMBERS_TABLE_COOPS, NULL, 0, op->has_limit, op->limit,
                              op->cursor, &list->next_cursor);
    if (rc != 0) return rc;
    Lumbung__MembersReply *r = members_reply(call);
    r->result_case = LUMBUNG__MEMBERS_REPLY__RESULT_COOPERATIVES;
    r->cooperatives = list;
    return 0;
}

/* --- update --- */

/* PATCH of a text field: absent keeps, present replaces (blank clears). */
static void patch_text(arena_t *arena, char **dst, const char *src) {
    if (src) *dst = TRIM(arena, src);
}

static void coop_patch(arena_t *arena, Lumbung__Cooperative *c, const Lumbung__UpdateCooperative *op) {
    patch_text(arena, &c->name, op->name);
    if (op->has_type) { c->has_type = true; c->type = op->type; }
    patch_text(arena, &c->group, op->group);
    patch_text(arena, &c->legal_number, op->legal_number);
    PB_DATE_PATCH(c, op, legal_date);
    patch_text(arena, &c->national_number, op->national_number);
    patch_text(arena, &c->address, op->address);
    patch_text(arena, &c->district, op->district);
    PB_DATE_PATCH(c, op, founded_on);
    patch_text(arena, &c->phone, op->phone);
    if (op->has_active) { c->has_active = true; c->active = op->active; }
    if (!c->settings) c->settings = arena_message(arena, &lumbung__cooperative_settings__descriptor);
    if (op->settings) members_settings_merge(arena, c->settings, op->settings);
    members_settings_defaults(arena, c->settings);
}

static void coop_touch(Lumbung__Cooperative *c) {
    c->has_version = c->has_updated_at_ms = true;
    c->version++;
    c->updated_at_ms = members_now_ms();
}

/* A shallow copy of the stored record, taken before coop_patch() changes it in place (the
   patch replaces strings and overwrites settings, never frees). */
typedef struct {
    Lumbung__Cooperative coop;
    Lumbung__CooperativeSettings settings;
    Lumbung__ShuAllocation shu;
} coop_before_t;

static void coop_remember(coop_before_t *b, arena_t *arena, Lumbung__Cooperative *c) {
    if (!c->settings) c->settings = arena_message(arena, &lumbung__cooperative_settings__descriptor);
    members_settings_defaults(arena, c->settings);
    b->coop = *c;
    b->settings = *c->settings;
    b->shu = *c->settings->shu_allocation;
    b->coop.settings = &b->settings;
    b->settings.shu_allocation = &b->shu;
}

/* Registry data is the district office's: whoever may do district administration (an admin,
   a Lumbung service) changes it. */
static bool may_change_registry(service_call_t *call) {
    access_actor_t who = service_call_access_actor(call);
    access_ask_t ask = { .access = ACCESS_ADMIN };
    return access_decide(&who, &ask, NULL) == 0;
}

int members_op_update_cooperative(members_app_t *app, service_call_t *call,
                                  const Lumbung__UpdateCooperative *op) {
    int rc;
    Lumbung__Cooperative *c;
    if ((rc = members_load_coop(app, call, op->cooperative_id, &c)) != 0) return rc;
    arena_t *arena = service_call_arena(call);
    coop_before_t before;
    coop_remember(&before, arena, c);
    coop_patch(arena, c, op);
    problem_t p;
    if (members_check_cooperative_change(&before.coop, c, may_change_registry(call), &p) != 0)
        return service_call_reject(call, &p);
    if (members_validate_cooperative(c, members_today_in(c), &p) != 0)
        return service_call_reject(call, &p);
    coop_touch(c);
    rc = coop_save(app, call, c);
    if (rc != 0) return rc;
    rc = members_emit_cooperative(call, arena, LUMBUNG__MEMBERS_EVENT__BODY_COOPERATIVE_UPDATED, c);
    if (rc != 0) return rc;
    Lumbung__MembersReply *r = members_reply(call);
    r->result_case = LUMBUNG__MEMBERS_REPLY__RESULT_COOPERATIVE;
    r->cooperative = c;
    return 0;
}

/* --- board --- */

static int board_build(service_call_t *call, const Lumbung__PutBoard *op, Lumbung__Board **out) {
    arena_t *arena = service_call_arena(call);
    Lumbung__Board *b = arena_message(arena, &lumbung__board__descriptor);
    problem_t p;
    b->chair = TRIM(arena, op->chair);
    b->secretary = TRIM(arena, op->secretary);
    b->treasurer = TRIM(arena, op->treasurer);
    PB_DATE_COPY(b, op, elected_on);
    if (members_check_text(b->chair, "chair", true, MEMBERS_NAME_MAX, false, &p) ||
        members_check_text(b->secretary, "secretary", false, MEMBERS_NAME_MAX, false, &p) ||
        members_check_text(b->treasurer, "treasurer", false, MEMBERS_NAME_MAX, false, &p) ||
        MEMBERS_CHECK_DATE(b, elected_on, false, &p))
        return service_call_reject(call, &p);
    if (op->n_supervisors > MEMBERS_BOARD_SUPERVISORS_MAX)
        return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "too_many",
                                 "supervisors", "supervisors: at most %d names",
                                 MEMBERS_BOARD_SUPERVISORS_MAX);
    b->supervisors = arena_alloc(arena, (op->n_supervisors + 1) * sizeof *b->supervisors);
    for (size_t i = 0; i < op->n_supervisors; i++) {
        char field[48];
        snprintf(field, sizeof field, "supervisors[%zu]", i);
        char *name = TRIM(arena, op->supervisors[i]);
        if (members_check_text(name, field, true, MEMBERS_NAME_MAX, false, &p) != 0)
            return service_call_reject(call, &p);
        b->supervisors[b->n_supervisors++] = name;
    }
    b->has_updated_at_ms = true;
    b->updated_at_ms = members_now_ms();
    *out = b;
    return 0;
}

int members_op_put_board(members_app_t *app, service_call_t *call, const Lumbung__PutBoard *op) {
    int rc;
    Lumbung__Cooperative *c;
    if ((rc = members_load_coop(app, call, op->cooperative_id, &c)) != 0) return rc;
    Lumbung__Board *b;
    if ((rc = board_build(call, op, &b)) != 0) return rc;
    c->board = b;
    coop_touch(c);
    rc = coop_save(app, call, c);
    if (rc != 0) return rc;
    rc = members_emit_cooperative(call, service_call_arena(call),
                                  LUMBUNG__MEMBERS_EVENT__BODY_BOARD_UPDATED, c);
    if (rc != 0) return rc;
    Lumbung__MembersReply *r = members_reply(call);
    r->result_case = LUMBUNG__MEMBERS_REPLY__RESULT_BOARD;
    r->board = b;
    return 0;
}

/* --- annual meetings --- */

static int meeting_check(service_call_t *call, const Lumbung__AnnualMeeting *m, int32_t today) {
    problem_t p;
    if (MEMBERS_CHECK_DATE(m, held_on, true, &p) != 0) return service_call_reject(call, &p);
    int32_t held = m->held_on;
    if (held > today)
        return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "in_future",
                                 "held_on", "held_on %s is in the future", DATE_TEXT(held));
    int year, month, day;
    date_to_ymd(held, &year, &month, &day);
    if (!m->has_fiscal_year)
        return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "required",
                                 "fiscal_year", "fiscal_year is required (the year whose "
                                 "accounts the meeting approves)");
    if (m->fiscal_year < DATE_FISCAL_YEAR_MIN || (int) m->fiscal_year > year)
        return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID,
                                 "invalid_fiscal_year", "fiscal_year", "fiscal_year must be "
                                 "between %d and the year the meeting was held (%d)",
                                 DATE_FISCAL_YEAR_MIN, year);
    if (m->shu_allocation && members_validate_shu(m->shu_allocation, "shu_allocation", &p) != 0)
        return service_call_reject(call, &p);
    if (members_check_text(m->notes, "notes", false, MEMBERS_NOTE_MAX, true, &p) != 0 ||
        MEMBERS_CHECK_DATE(m, reported_on, false, &p) != 0)
        return service_call_reject(call, &p);
    if (m->has_reported_on && m->reported_on < held)
        return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "before_meeting",
                                 "reported_on", "reported_on %s is before held_on %s",
                                 DATE_TEXT(m->reported_on), DATE_TEXT(held));
    return 0;
}

static Lumbung__AnnualMeeting *meeting_build(arena_t *arena, const Lumbung__RecordAnnualMeeting *op) {
    Lumbung__AnnualMeeting *m = arena_message(arena, &lumbung__annual_meeting__descriptor);
    m->has_cooperative_id = true;
    m->cooperative_id = op->cooperative_id;
    PB_DATE_COPY(m, op, held_on);
    m->has_fiscal_year = op->has_fiscal_year;
    m->fiscal_year = op->fiscal_year;
    m->has_members_present = op->has_members_present;
    m->members_present = op->members_present;
#define FLAG(f) do { m->has_##f = true; m->f = op->has_##f && op->f; } while (0)
    FLAG(quorum);
    FLAG(accounts_approved);
    FLAG(shu_approved);
    FLAG(plan_approved);
#undef FLAG
    m->shu_allocation = op->shu_allocation;
    m->notes = TRIM(arena, op->notes);
    PB_DATE_COPY(m, op, reported_on);
    m->has_usage_share_basis = op->has_usage_share_basis;
    m->usage_share_basis = op->usage_share_basis;
    m->has_principal_amount_sen = op->has_principal_amount_sen;
    m->principal_amount_sen = op->principal_amount_sen;
    m->has_mandatory_amount_sen = op->has_mandatory_amount_sen;
    m->mandatory_amount_sen = op->mandatory_amount_sen;
    m->has_mandatory_period = op->has_mandatory_period;
    m->mandatory_period = op->mandatory_period;
    return m;
}

/* --- what an annual meeting decides --- */

/* The settings the meeting decided, as a settings patch; NULL when it decided none. Its
   allocation is whole: a part it leaves out is 0, as members_validate_shu() counts it. */
static Lumbung__CooperativeSettings *meeting_decided(arena_t *arena, const Lumbung__AnnualMeeting *m) {
    if (!m->shu_allocation && !m->has_usage_share_basis && !m->has_principal_amount_sen &&
        !m->has_mandatory_amount_sen && !m->has_mandatory_period)
        return NULL;
    Lumbung__CooperativeSettings *s = arena_message(arena, &lumbung__cooperative_settings__descriptor);
    if (m->shu_allocation) {
        Lumbung__ShuAllocation *a = arena_message(arena, &lumbung__shu_allocation__descriptor);
        *a = *m->shu_allocation;
        a->has_reserves_bp = a->has_capital_share_bp = a->has_usage_share_bp = true;
        a->has_board_bp = a->has_staff_bp = a->has_education_bp = a->has_social_bp = true;
        s->shu_allocation = a;
    }
#define COPY(f) do { s->has_##f = m->has_##f; s->f = m->f; } while (0)
    COPY(usage_share_basis);
    COPY(principal_amount_sen);
    COPY(mandatory_amount_sen);
    COPY(mandatory_period);
#undef COPY
    return s;
}

/* The cooperative's settings with the meeting's decisions applied, checked; the problem
   names the meeting's own field ("principal_amount", not "settings.principal_amount"). */
static int meeting_settings(service_call_t *call, const Lumbung__Cooperative *c,
                            const Lumbung__AnnualMeeting *m,
                            const Lumbung__CooperativeSettings *decided,
                            Lumbung__CooperativeSettings **out) {
    arena_t *arena = service_call_arena(call);
    if (m->shu_allocation && !m->shu_approved)
        return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_RULE, "shu_not_approved",
                                 "shu_approved", "an SHU allocation is recorded only with the "
                                 "meeting's approval of the SHU (shu_approved: true)");
    Lumbung__CooperativeSettings *s = arena_message(arena, &lumbung__cooperative_settings__descriptor);
    if (c->settings) *s = *c->settings;
    if (decided->shu_allocation) s->shu_allocation = decided->shu_allocation;
    members_settings_merge(arena, s, decided);
    members_settings_defaults(arena, s);
    problem_t p;
    if (members_validate_settings(s, "settings", &p) != 0) {
        const char *prefix = "settings.";
        if (!strncmp(p.field, prefix, strlen(prefix)))
            memmove(p.field, p.field + strlen(prefix), strlen(p.field) - strlen(prefix) + 1);
        return service_call_reject(call, &p);
    }
    *out = s;
    return 0;
}

/* True when no meeting of a later fiscal year is recorded: only the latest decides. */
static int meeting_is_latest(members_app_t *app, service_call_t *call, uint64_t coop,
                             uint32_t fiscal_year, bool *latest) {
    int year, month, day;
    date_to_ymd(members_latest_today(), &year, &month, &day);
    *latest = true;
    for (uint32_t y = fiscal_year + 1; y <= (uint32_t) year; y++) {
        uint64_t id;
        int rc = members_store_meeting_year(app->store, service_call_txn(call), coop, y, &id);
        if (rc == 0) { *latest = false; return 0; }
        if (rc != ERR_NOT_FOUND) return members_store_error(call, rc);
    }
    return 0;
}

/* Makes the meeting's decisions the cooperative's settings, with a cooperative_updated event. */
static int meeting_apply(members_app_t *app, service_call_t *call, Lumbung__Cooperative *c,
                         Lumbung__CooperativeSettings *settings) {
    c->settings = settings;
    coop_touch(c);
    int rc = coop_save(app, call, c);
    if (rc != 0) return rc;
    return members_emit_cooperative(call, service_call_arena(call),
                                    LUMBUNG__MEMBERS_EVENT__BODY_COOPERATIVE_UPDATED, c);
}

int members_op_record_annual_meeting(members_app_t *app, service_call_t *call,
                                     const Lumbung__RecordAnnualMeeting *op) {
    int rc;
    Lumbung__Cooperative *c;
    if ((rc = members_load_coop(app, call, op->cooperative_id, &c)) != 0) return rc;
    arena_t *arena = service_call_arena(call);
    Lumbung__AnnualMeeting *m = meeting_build(arena, op);
    if ((rc = meeting_check(call, m, members_today_in(c))) != 0) return rc;
    Lumbung__CooperativeSettings *decided = meeting_decided(arena, m), *settings = NULL;
    if (decided && (rc = meeting_settings(call, c, m, decided, &settings)) != 0) return rc;
    store_txn_t *txn = service_call_txn(call);
    uint64_t existing;
    rc = members_store_meeting_year(app->store, txn, c->id, m->fiscal_year, &existing);
    if (rc == 0)
        return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_CONFLICT,
                                 "duplicate_annual_meeting", "fiscal_year",
                                 "the annual meeting for fiscal year %u is already recorded "
                                 "(id %llu)", m->fiscal_year, (unsigned long long) existing);
    if (rc != ERR_NOT_FOUND) return members_store_error(call, rc);
    if ((rc = members_store_next(app->store, txn, "meeting", 0, &m->id)) != 0)
        return members_store_error(call, rc);
    m->has_id = m->has_created_at_ms = true;
    m->created_at_ms = members_now_ms();
    if ((rc = members_store_meeting_insert(app->store, txn, arena, m)) != 0)
        return members_store_error(call, rc);
    if ((rc = members_emit_meeting(call, arena, m)) != 0) return rc;
    bool latest = false;
    if (settings && (rc = meeting_is_latest(app, call, c->id, m->fiscal_year, &latest)) != 0)
        return rc;
    if (settings && latest && (rc = meeting_apply(app, call, c, settings)) != 0) return rc;
    Lumbung__MembersReply *r = members_reply(call);
    r->result_case = LUMBUNG__MEMBERS_REPLY__RESULT_ANNUAL_MEETING;
    r->annual_meeting = m;
    return 0;
}

static int meeting_item(members_page_t *page, const uint8_t *key, size_t klen, const void *val,
                        size_t vlen) {
    Lumbung__AnnualMeetingList *list = page->ctx;
    arena_t *arena = service_call_arena(page->call);
    ProtobufCAllocator allocator = arena_allocator(arena);
    Lumbung__AnnualMeeting *m = lumbung__annual_meeting__unpack(&allocator, vlen, val);
    if (!m) return members_store_error(page->call, ERR_STORE);
    if (!list->items) list->items = arena_alloc(arena, page->limit * sizeof *list->items);
    list->items[list->n_items++] = m;
    return 1;
}

int members_op_list_annual_meetings(members_app_t *app, service_call_t *call,
                                    const Lumbung__ListAnnualMeetings *op) {
    int rc;
    Lumbung__Cooperative *c;
    if ((rc = members_load_coop(app, call, op->cooperative_id, &c)) != 0) return rc;
    arena_t *arena = service_call_arena(call);
    Lumbung__AnnualMeetingList *list = arena_message(arena, &lumbung__annual_meeting_list__descriptor);
    uint8_t prefix[8];
    size_t plen = members_key_id(prefix, c->id);
    members_page_t page = { .app = app, .call = call, .item = meeting_item, .ctx = list };
    rc = members_page_run(&page, MEMBERS_TABLE_MEETINGS, prefix, plen, op->has_limit,
                          op->limit, op->cursor, &list->next_cursor);
    if (rc != 0) return rc;
    Lumbung__MembersReply *r = members_reply(call);
    r->result_case = LUMBUNG__MEMBERS_REPLY__RESULT_ANNUAL_MEETINGS;
    r->annual_meetings = list;
    return 0;
}
