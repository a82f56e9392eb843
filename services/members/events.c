#include <assert.h>

#include "members.h"

static int emit(service_call_t *call, arena_t *arena, Lumbung__MembersEvent *body) {
    Lumbung__Event *ev = arena_message(arena, &lumbung__event__descriptor);
    ev->body_case = LUMBUNG__EVENT__BODY_MEMBERS;
    ev->members = body;
    int64_t seq = service_call_emit(call, ev);
    return seq < 0 ? (int) seq : 0;
}

static Lumbung__MembersEvent *body_new(arena_t *arena, Lumbung__MembersEvent__BodyCase kind) {
    Lumbung__MembersEvent *b = arena_message(arena, &lumbung__members_event__descriptor);
    b->body_case = kind;
    return b;
}

int members_emit_cooperative(service_call_t *call, arena_t *arena,
                             Lumbung__MembersEvent__BodyCase kind, Lumbung__Cooperative *c) {
    assert(c && c->id);
    Lumbung__MembersEvent *b = body_new(arena, kind);
    switch (kind) {
    case LUMBUNG__MEMBERS_EVENT__BODY_COOPERATIVE_CREATED: b->cooperative_created = c; break;
    case LUMBUNG__MEMBERS_EVENT__BODY_COOPERATIVE_UPDATED: b->cooperative_updated = c; break;
    case LUMBUNG__MEMBERS_EVENT__BODY_BOARD_UPDATED: b->board_updated = c; break;
    default: assert(!"not a cooperative event");
    }
    return emit(call, arena, b);
}

int members_emit_member(service_call_t *call, arena_t *arena, Lumbung__MembersEvent__BodyCase kind,
                        Lumbung__Member *m) {
    assert(m && m->id && m->n_warnings == 0);
    Lumbung__MembersEvent *b = body_new(arena, kind);
    switch (kind) {
    case LUMBUNG__MEMBERS_EVENT__BODY_MEMBER_JOINED: b->member_joined = m; break;
    case LUMBUNG__MEMBERS_EVENT__BODY_MEMBER_UPDATED: b->member_updated = m; break;
    case LUMBUNG__MEMBERS_EVENT__BODY_MEMBER_EXITED: b->member_exited = m; break;
    default: assert(!"not a member event");
    }
    return emit(call, arena, b);
}

int members_emit_meeting(service_call_t *call, arena_t *arena, Lumbung__AnnualMeeting *m) {
    Lumbung__MembersEvent *b = body_new(arena, LUMBUNG__MEMBERS_EVENT__BODY_ANNUAL_MEETING_RECORDED);
    b->annual_meeting_recorded = m;
    return emit(call, arena, b);
}

int members_emit_supervision(service_call_t *call, arena_t *arena,
                             Lumbung__MembersEvent__BodyCase kind, Lumbung__Supervision *s) {
    Lumbung__MembersEvent *b = body_new(arena, kind);
    switch (kind) {
    case LUMBUNG__MEMBERS_EVENT__BODY_SUPERVISION_RECORDED: b->supervision_recorded = s; break;
    case LUMBUNG__MEMBERS_EVENT__BODY_SUPERVISION_UPDATED: b->supervision_updated = s; break;
    default: assert(!"not a supervision event");
    }
    return emit(call, arena, b);
}

int members_emit_training(service_call_t *call, arena_t *arena, Lumbung__Training *t) {
    Lumbung__MembersEvent *b = body_new(arena, LUMBUNG__MEMBERS_EVENT__BODY_TRAINING_RECORDED);
    b->training_recorded = t;
    return emit(call, arena, b);
}

/* The summary only: errors and warnings can be long and belong to the job, not the stream. */
int members_emit_import(service_call_t *call, arena_t *arena, const Lumbung__ImportJob *job) {
    Lumbung__ImportJob *summary = arena_message(arena, &lumbung__import_job__descriptor);
    *summary = *job;
    summary->n_errors = 0;
    summary->errors = NULL;
    summary->n_warnings = 0;
    summary->warnings = NULL;
    Lumbung__MembersEvent *b = body_new(arena, LUMBUNG__MEMBERS_EVENT__BODY_IMPORT_FINISHED);
    b->import_finished = summary;
    return emit(call, arena, b);
}
