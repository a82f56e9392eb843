/*  events — builds the MembersEvent of each change and appends it in the call's txn.

    Every event carries the whole record after the change (never a diff), so a follower keeps
    its replica by overwriting. Records are emitted exactly as stored: replies' warnings are
    never part of an event.

    Each returns 0 or a negative error for the handler to return.

    Not for: deciding what changed (the handlers). Conventions of every handler: members.h. */
#ifndef LUMBUNG_MEMBERS_EVENTS_H
#define LUMBUNG_MEMBERS_EVENTS_H

#include "members.h"

int members_emit_cooperative(service_call_t *call, arena_t *arena,
                             Lumbung__MembersEvent__BodyCase kind, Lumbung__Cooperative *c);
int members_emit_member(service_call_t *call, arena_t *arena, Lumbung__MembersEvent__BodyCase kind,
                        Lumbung__Member *m);
int members_emit_meeting(service_call_t *call, arena_t *arena, Lumbung__AnnualMeeting *m);
int members_emit_supervision(service_call_t *call, arena_t *arena,
                             Lumbung__MembersEvent__BodyCase kind, Lumbung__Supervision *s);
int members_emit_training(service_call_t *call, arena_t *arena, Lumbung__Training *t);
int members_emit_import(service_call_t *call, arena_t *arena, const Lumbung__ImportJob *job);

#endif
