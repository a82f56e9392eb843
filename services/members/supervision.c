#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "date.h"
#include "members.h"

#define TRIM(arena, s) members_text_trim((arena), (s))

/* --- supervision --- */

static uint32_t open_count(const Lumbung__Supervision *s) {
    uint32_t n = 0;
    for (size_t i = 0; i < s->n_recommendations; i++)
        if (!s->recommendations[i]->done_on) n++;
    return n;
}

/* Checks one recommendation (text already trimmed) against the visit date. */
static int recommendation_check(service_call_t *call, const Lumbung__Recommendation *r, size_t i,
                                int32_t visited) {
    problem_t p;
    char text[64], due[64], done[64];
    snprintf(text, sizeof text, "recommendations[%zu].text", i);
    snprintf(due, sizeof due, "recommendations[%zu].due_on", i);
    snprintf(done, sizeof done, "recommendations[%zu].done_on", i);
    if (members_check_text(r->text, text, true, MEMBERS_NOTE_MAX, true, &p) != 0 ||
        members_check_date(r->has_due_on, r->due_on, due, false, &p) != 0 ||
        members_check_date(r->has_done_on, r->done_on, done, false, &p) != 0)
        return service_call_reject(call, &p);
    if (r->has_done_on && r->done_on < visited)
        return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "before_visit",
                                 done, "%s %s is before the visit", done, DATE_TEXT(r->done_on));
    return 0;
}

static Lumbung__Recommendation *recommendation_copy(arena_t *arena, const Lumbung__Recommendation *in,
                                                    uint32_t number) {
    Lumbung__Recommendation *r = arena_message(arena, &lumbung__recommendation__descriptor);
    r->has_number = true;
    r->number = number;
    r->text = TRIM(arena, in->text);
    PB_DATE_COPY(r, in, due_on);
    PB_DATE_COPY(r, in, done_on);
    return r;
}

static int supervision_build(service_call_t *call, const Lumbung__RecordSupervision *op,
                             int32_t today, Lumbung__Supervision **out) {
    int rc;
    arena_t *arena = service_call_arena(call);
    Lumbung__Supervision *s = arena_message(arena, &lumbung__supervision__descriptor);
    problem_t p;
    s->has_cooperative_id = true;
    s->cooperative_id = op->cooperative_id;
    PB_DATE_COPY(s, op, visited_on);
    s->supervisor = TRIM(arena, op->supervisor);
    const Lumbung__Actor *actor = service_call_actor(call);
    if (!s->supervisor && actor && actor->user) s->supervisor = TRIM(arena, actor->user);
    s->findings = TRIM(arena, op->findings);
    if (MEMBERS_CHECK_DATE(s, visited_on, true, &p) != 0 ||
        members_check_text(s->supervisor, "supervisor", true, MEMBERS_NAME_MAX, false, &p) != 0 ||
        members_check_text(s->findings, "findings", false, MEMBERS_NOTE_MAX, true, &p) != 0)
        return service_call_reject(call, &p);
    if (s->visited_on > today)
        return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "in_future",
                                 "visited_on", "visited_on %s is in the future",
                                 DATE_TEXT(s->visited_on));
    if (op->n_recommendations > MEMBERS_RECOMMENDATIONS_MAX)
        return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "too_many",
                                 "recommendations", "at most %d recommendations",
                                 MEMBERS_RECOMMENDATIONS_MAX);
    s->recommendations = arena_alloc(arena, (op->n_recommendations + 1) * sizeof *s->recommendations);
    for (size_t i = 0; i < op->n_recommendations; i++) {
        Lumbung__Recommendation *r = recommendation_copy(arena, op->recommendations[i],
                                                         (uint32_t) i + 1);
        if ((rc = recommendation_check(call, r, i, s->visited_on)) != 0) return rc;
        s->recommendations[s->n_recommendations++] = r;
    }
    *out = s;
    return 0;
}

static int supervision_save(members_app_t *app, service_call_t *call, Lumbung__Supervision *s,
                            Lumbung__MembersEvent__BodyCase kind) {
    s->has_open_recommendations = s->has_updated_at_ms = true;
    s->open_recommendations = open_count(s);
    s->updated_at_ms = members_now_ms();
    uint8_t key[16];
    size_t klen = members_key_coop_id(key, s->cooperative_id, s->id);
    int rc = members_store_put(app->store, service_call_txn(call), MEMBERS_TABLE_SUPERVISIONS, key,
                               klen, service_call_arena(call), &s->base);
    if (rc != 0) return members_store_error(call, rc);
    if ((rc = members_emit_supervision(call, service_call_arena(call), kind, s)) != 0) return rc;
    Lumbung__MembersReply *r = members_reply(call);
    r->result_case = LUMBUNG__MEMBERS_REPLY__RESULT_SUPERVISION;
    r->supervision = s;
    return 0;
}

int members_op_record_supervision(members_app_t *app, service_call_t *call,
                                  const Lumbung__RecordSupervision *op) {
    int rc;
    Lumbung__Cooperative *c;
    if ((rc = members_load_coop(app, call, op->cooperative_id, &c)) != 0) return rc;
    Lumbung__Supervision *s;
    if ((rc = supervision_build(call, op, members_today_in(c), &s)) != 0) return rc;
    rc = members_store_next(app->store, service_call_txn(call), "supervision", 0, &s->id);
    if (rc != 0) return members_store_error(call, rc);
    s->has_id = s->has_created_at_ms = true;
    s->created_at_ms = members_now_ms();
    return supervision_save(app, call, s, LUMBUNG__MEMBERS_EVENT__BODY_SUPERVISION_RECORDED);
}

static int supervision_item(members_page_t *page, const uint8_t *key, size_t klen, const void *val,
                            size_t vlen) {
    Lumbung__SupervisionList *list = page->ctx;
    arena_t *arena = service_call_arena(page->call);
    ProtobufCAllocator allocator = arena_allocator(arena);
    Lumbung__Supervision *s = lumbung__supervision__unpack(&allocator, vlen, val);
    if (!s) return members_store_error(page->call, ERR_STORE);
    if (!list->items) list->items = arena_alloc(arena, page->limit * sizeof *list->items);
    list->items[list->n_items++] = s;
    return 1;
}

int members_op_list_supervisions(members_app_t *app, service_call_t *call,
                                 const Lumbung__ListSupervisions *op) {
    int rc;
    Lumbung__Cooperative *c;
    if ((rc = members_load_coop(app, call, op->cooperative_id, &c)) != 0) return rc;
    Lumbung__SupervisionList *list = arena_message(service_call_arena(call),
                                                   &lumbung__supervision_list__descriptor);
    uint8_t prefix[8];
    size_t plen = members_key_id(prefix, c->id);
    members_page_t page = { .app = app, .call = call, .item = supervision_item, .ctx = list };
    rc = members_page_run(&page, MEMBERS_TABLE_SUPERVISIONS, prefix, plen, op->has_limit,
                          op->limit, op->cursor, &list->next_cursor);
    if (rc != 0) return rc;
    Lumbung__MembersReply *r = members_reply(call);
    r->result_case = LUMBUNG__MEMBERS_REPLY__RESULT_SUPERVISIONS;
    r->supervisions = list;
    return 0;
}

/* Applies one entry of a PATCH: update recommendation `number`, or add a new one. */
static int recommendation_patch(service_call_t *call, Lumbung__Supervision *s,
                                const Lumbung__Recommendation *in, size_t i, int32_t visited) {
    int rc;
    arena_t *arena = service_call_arena(call);
    if (!in->has_number) {
        if (s->n_recommendations >= MEMBERS_RECOMMENDATIONS_MAX)
            return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "too_many",
                                     "recommendations", "at most %d recommendations",
                                     MEMBERS_RECOMMENDATIONS_MAX);
        Lumbung__Recommendation *r = recommendation_copy(arena, in, (uint32_t) s->n_recommendations + 1);
        if ((rc = recommendation_check(call, r, i, visited)) != 0) return rc;
        s->recommendations[s->n_recommendations++] = r;
        return 0;
    }
    if (in->number < 1 || in->number > s->n_recommendations) {
        char field[64];
        snprintf(field, sizeof field, "recommendations[%zu].number", i);
        return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_NOT_FOUND, "not_found", field,
                                 "this supervision record has no recommendation %u", in->number);
    }
    Lumbung__Recommendation *r = arena_message(arena, &lumbung__recommendation__descriptor);
    *r = *s->recommendations[in->number - 1];
    if (in->text) r->text = TRIM(arena, in->text);
    PB_DATE_PATCH(r, in, due_on);
    PB_DATE_PATCH(r, in, done_on);
    if ((rc = recommendation_check(call, r, i, visited)) != 0) return rc;
    s->recommendations[in->number - 1] = r;
    return 0;
}

int members_op_update_supervision(members_app_t *app, service_call_t *call,
                                  const Lumbung__UpdateSupervision *op) {
    int rc;
    arena_t *arena = service_call_arena(call);
    uint8_t key[16];
    size_t klen = members_key_coop_id(key, op->cooperative_id, op->id);
    Lumbung__Supervision *s;
    rc = members_store_get(app->store, service_call_txn(call), MEMBERS_TABLE_SUPERVISIONS, key,
                           klen, arena, &lumbung__supervision__descriptor, (void **) &s);
    if (rc == ERR_NOT_FOUND)
        return members_not_found(call, "supervision record in this cooperative", "id", op->id);
    if (rc != 0) return members_store_error(call, rc);
    problem_t p;
    if (op->findings) s->findings = TRIM(arena, op->findings);
    if (members_check_text(s->findings, "findings", false, MEMBERS_NOTE_MAX, true, &p) != 0)
        return service_call_reject(call, &p);
    int32_t visited = PB_DATE_OR(s, visited_on, 0);
    Lumbung__Recommendation **grown =
        arena_alloc(arena, (s->n_recommendations + op->n_recommendations + 1) * sizeof *grown);
    if (s->n_recommendations) memcpy(grown, s->recommendations, s->n_recommendations * sizeof *grown);
    s->recommendations = grown;
    for (size_t i = 0; i < op->n_recommendations; i++)
        if ((rc = recommendation_patch(call, s, op->recommendations[i], i, visited)) != 0) return rc;
    return supervision_save(app, call, s, LUMBUNG__MEMBERS_EVENT__BODY_SUPERVISION_UPDATED);
}

/* --- trainings --- */

typedef struct {
    Lumbung__TrainingTally **items;
    size_t n;
} tallies_t;

/* Counts one participant under `name`; `first` when their cooperative is new to this tally. */
static void tally_add(arena_t *arena, tallies_t *t, const char *name, bool first, size_t cap) {
    for (size_t i = 0; i < t->n; i++) {
        if (strcmp(t->items[i]->name, name) == 0) {
            t->items[i]->participants++;
            t->items[i]->cooperatives += first;
            return;
        }
    }
    assert(t->n < cap);
    Lumbung__TrainingTally *x = arena_message(arena, &lumbung__training_tally__descriptor);
    x->name = arena_strdup(arena, name);
    x->has_participants = x->has_cooperatives = true;
    x->participants = 1;
    x->cooperatives = first;
    t->items[t->n++] = x;
}

static bool coop_seen_before(const Lumbung__Training *t, size_t i) {
    uint64_t coop = t->participants[i]->cooperative_id;
    for (size_t j = 0; j < i; j++)
        if (t->participants[j]->cooperative_id == coop) return true;
    return false;
}

/* Checks one participant and counts it by its cooperative's group and type. */
static int participant_add(members_app_t *app, service_call_t *call, Lumbung__Training *t,
                           size_t i, tallies_t *groups, tallies_t *types) {
    arena_t *arena = service_call_arena(call);
    Lumbung__TrainingParticipant *p = t->participants[i];
    problem_t pr;
    char name[64], role[64], coop_field[64];
    snprintf(name, sizeof name, "participants[%zu].name", i);
    snprintf(role, sizeof role, "participants[%zu].role", i);
    snprintf(coop_field, sizeof coop_field, "participants[%zu].cooperative_id", i);
    p->name = TRIM(arena, p->name);
    p->role = TRIM(arena, p->role);
    if (members_check_text(p->name, name, true, MEMBERS_NAME_MAX, false, &pr) != 0 ||
        members_check_text(p->role, role, false, MEMBERS_TEXT_MAX, false, &pr) != 0)
        return service_call_reject(call, &pr);
    if (!p->has_cooperative_id || p->cooperative_id == 0) return 0;
    uint8_t key[8];
    size_t klen = members_key_id(key, p->cooperative_id);
    Lumbung__Cooperative *c;
    int rc = members_store_get(app->store, service_call_txn(call), MEMBERS_TABLE_COOPS, key, klen,
                               arena, &lumbung__cooperative__descriptor, (void **) &c);
    if (rc == ERR_NOT_FOUND) return members_not_found(call, "cooperative", coop_field, p->cooperative_id);
    if (rc != 0) return members_store_error(call, rc);
    bool first = !coop_seen_before(t, i);
    if (c->group) tally_add(arena, groups, c->group, first, t->n_participants);
    const char *type = members_type_name(c->type);
    if (type) tally_add(arena, types, type, first, t->n_participants);
    return 0;
}

static int training_dates(service_call_t *call, Lumbung__Training *t) {
    problem_t p;
    if (MEMBERS_CHECK_DATE(t, held_from, true, &p) != 0) return service_call_reject(call, &p);
    if (!t->has_held_to) PB_DATE_SET(t, held_to, t->held_from);
    if (MEMBERS_CHECK_DATE(t, held_to, true, &p) != 0) return service_call_reject(call, &p);
    if (t->held_to < t->held_from)
        return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "before_start",
                                 "held_to", "held_to %s is before held_from %s",
                                 DATE_TEXT(t->held_to), DATE_TEXT(t->held_from));
    t->has_days = true;
    t->days = (uint32_t) (t->held_to - t->held_from + 1);
    return 0;
}

static int training_build(service_call_t *call, const Lumbung__RecordTraining *op, Lumbung__Training **out) {
    int rc;
    arena_t *arena = service_call_arena(call);
    Lumbung__Training *t = arena_message(arena, &lumbung__training__descriptor);
    problem_t p;
    t->title = TRIM(arena, op->title);
    PB_DATE_COPY(t, op, held_from);
    PB_DATE_COPY(t, op, held_to);
    t->place = TRIM(arena, op->place);
    if (members_check_text(t->title, "title", true, MEMBERS_NAME_MAX, false, &p) != 0)
        return service_call_reject(call, &p);
    if ((rc = training_dates(call, t)) != 0) return rc;
    if (members_check_text(t->place, "place", false, MEMBERS_ADDRESS_MAX, false, &p) != 0)
        return service_call_reject(call, &p);
    if (op->n_trainers > MEMBERS_TRAINERS_MAX || op->n_participants > MEMBERS_PARTICIPANTS_MAX)
        return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "too_many",
                                 op->n_trainers > MEMBERS_TRAINERS_MAX ? "trainers" : "participants",
                                 "at most %d trainers and %d participants", MEMBERS_TRAINERS_MAX,
                                 MEMBERS_PARTICIPANTS_MAX);
    t->trainers = arena_alloc(arena, (op->n_trainers + 1) * sizeof *t->trainers);
    for (size_t i = 0; i < op->n_trainers; i++) {
        char field[48];
        snprintf(field, sizeof field, "trainers[%zu]", i);
        char *name = TRIM(arena, op->trainers[i]);
        if (members_check_text(name, field, true, MEMBERS_NAME_MAX, false, &p) != 0)
            return service_call_reject(call, &p);
        t->trainers[t->n_trainers++] = name;
    }
    t->n_participants = op->n_participants;
    t->participants = op->participants;
    *out = t;
    return 0;
}

int members_op_record_training(members_app_t *app, service_call_t *call,
                               const Lumbung__RecordTraining *op) {
    int rc;
    arena_t *arena = service_call_arena(call);
    Lumbung__Training *t;
    if ((rc = training_build(call, op, &t)) != 0) return rc;
    size_t cap = t->n_participants + 1;
    tallies_t groups = { arena_alloc(arena, cap * sizeof *groups.items), 0 };
    tallies_t types = { arena_alloc(arena, cap * sizeof *types.items), 0 };
    for (size_t i = 0; i < t->n_participants; i++)
        if ((rc = participant_add(app, call, t, i, &groups, &types)) != 0) return rc;
    t->has_participants_total = true;
    t->participants_total = (uint32_t) t->n_participants;
    t->by_group = groups.items;
    t->n_by_group = groups.n;
    t->by_type = types.items;
    t->n_by_type = types.n;
    rc = members_store_next(app->store, service_call_txn(call), "training", 0, &t->id);
    if (rc != 0) return members_store_error(call, rc);
    t->has_id = t->has_created_at_ms = true;
    t->created_at_ms = members_now_ms();
    uint8_t key[8];
    size_t klen = members_key_id(key, t->id);
    rc = members_store_put(app->store, service_call_txn(call), MEMBERS_TABLE_TRAININGS, key, klen,
                           arena, &t->base);
    if (rc != 0) return members_store_error(call, rc);
    if ((rc = members_emit_training(call, arena, t)) != 0) return rc;
    Lumbung__MembersReply *r = members_reply(call);
    r->result_case = LUMBUNG__MEMBERS_REPLY__RESULT_TRAINING;
    r->training = t;
    return 0;
}

int members_op_get_training(members_app_t *app, service_call_t *call, const Lumbung__GetTraining *op) {
    int rc;
    uint8_t key[8];
    size_t klen = members_key_id(key, op->id);
    Lumbung__Training *t;
    rc = members_store_get(app->store, service_call_txn(call), MEMBERS_TABLE_TRAININGS, key,
                           klen, service_call_arena(call), &lumbung__training__descriptor,
                           (void **) &t);
    if (rc == ERR_NOT_FOUND) return members_not_found(call, "training", "id", op->id);
    if (rc != 0) return members_store_error(call, rc);
    Lumbung__MembersReply *r = members_reply(call);
    r->result_case = LUMBUNG__MEMBERS_REPLY__RESULT_TRAINING;
    r->training = t;
    return 0;
}

typedef struct {
    Lumbung__TrainingList *list;
    pb_date_opt_t from, to;
} training_filter_t;

static int training_item(members_page_t *page, const uint8_t *key, size_t klen, const void *val,
                         size_t vlen) {
    training_filter_t *f = page->ctx;
    arena_t *arena = service_call_arena(page->call);
    ProtobufCAllocator allocator = arena_allocator(arena);
    Lumbung__Training *t = lumbung__training__unpack(&allocator, vlen, val);
    if (!t) return members_store_error(page->call, ERR_STORE);
    if (f->from.present && t->held_from < f->from.days) return 0;
    if (f->to.present && t->held_from > f->to.days) return 0;
    if (!f->list->items) f->list->items = arena_alloc(arena, page->limit * sizeof *f->list->items);
    f->list->items[f->list->n_items++] = t;
    return 1;
}

int members_op_list_trainings(members_app_t *app, service_call_t *call,
                              const Lumbung__ListTrainings *op) {
    int rc;
    problem_t p;
    if (MEMBERS_CHECK_DATE(op, from, false, &p) != 0 ||
        MEMBERS_CHECK_DATE(op, to, false, &p) != 0)
        return service_call_reject(call, &p);
    Lumbung__TrainingList *list = arena_message(service_call_arena(call),
                                                &lumbung__training_list__descriptor);
    training_filter_t f = { list, PB_DATE_OPT(op, from), PB_DATE_OPT(op, to) };
    members_page_t page = { .app = app, .call = call, .item = training_item, .ctx = &f };
    rc = members_page_run(&page, MEMBERS_TABLE_TRAININGS, NULL, 0, op->has_limit, op->limit,
                          op->cursor, &list->next_cursor);
    if (rc != 0) return rc;
    Lumbung__MembersReply *r = members_reply(call);
    r->result_case = LUMBUNG__MEMBERS_REPLY__RESULT_TRAININGS;
    r->trainings = list;
    return 0;
}
