/*  scope — what an integrator's key lets it do: which cooperatives, which operations.

    The scope lives on the key's allow.list line (curve.h). The check is generic, by protobuf-c
    reflection, so it is written once for every service: a request's operation is the name of
    the field set in its service's `op` oneof (`deposit`, `post_repayment`, `post_batch`,
    `create_member`, `balance_sheet`, ...); every `cooperative_id` anywhere in the operation's
    message (a batch's postings included) must be in scope, and the operation's own
    cooperative_id must be present: an operation without one (a district-wide read, a
    lookup by id alone) is not for integrators. The handlers still check that the ids a request
    names belong to its cooperative, as they do for operators.

    Events are filtered the same way (scope_event_visible): an integrator sees an event only when
    every cooperative_id in it is in scope and it names at least one.

    Not for: operators and their roles (access.h, the one role matrix), key files (curve.h). */
#ifndef LUMBUNG_SCOPE_H
#define LUMBUNG_SCOPE_H

#include <stdbool.h>
#include <stddef.h>
#include "curve.h"
#include "envelope.pb-c.h"
#include "problem.h"

enum { SCOPE_DEPTH_MAX = 4, SCOPE_FIELD_MAX = 96, SCOPE_MESSAGE_MAX = 256 };

/* The operation a request calls ("deposit"), or NULL for a body without an op oneof (ping,
   replay, testing). */
const char *scope_operation(const Lumbung__Request *request);

/* What a request asks for, found by reflection: the same for every service. */
typedef struct {
    const char *service;              /* the body's field name ("transactions"); NULL: none */
    const char *name;                 /* the set member of its op oneof ("deposit"); NULL: none */
    uint32_t number;                  /* that member's field number (the op_case); 0: none */
    const ProtobufCMessage *message;  /* the operation's message; NULL: none */
    uint64_t cooperative_id;          /* the message's own cooperative_id field; 0: none */
} scope_request_t;

/* Fills *out for `request` (every field empty for a body without an op oneof). */
void scope_request_read(const Lumbung__Request *request, scope_request_t *out);

/* 0 when `peer` (an integrator) may make `request`; else *err filled (problem.h) and
   ERR_FORBIDDEN for FORBIDDEN `operation_not_allowed` (field: the operation; also for an
   operation whose message has no cooperative_id) and FORBIDDEN `cooperative_not_allowed`
   (field: the dotted path of the cooperative_id), or ERR_REJECTED for INVALID
   `cooperative_required` (field cooperative_id, left unset). */
int scope_check(const curve_peer_t *peer, const Lumbung__Request *request, problem_t *err);

/* Whether `peer` may see the serialized Event `event`. */
bool scope_event_visible(const curve_peer_t *peer, const uint8_t *event, size_t len);

/* The first cooperative_id (non-zero) in `msg` or its submessages, depth first; 0 when none.
   The gateway's audit names the cooperative of an integrator's event with it. */
uint64_t scope_message_cooperative(const ProtobufCMessage *msg);

/* The member of `msg`'s oneof that is set (the first set one in field order, for a message
   with more oneofs than one), or NULL when none is: how a request's body, a service's operation and an event's body are
   found by reflection, here and in the gateway's calls. */
const ProtobufCFieldDescriptor *scope_oneof_member(const ProtobufCMessage *msg);

/* Whether `name` is an operation of any service (lumbungctl checks key scopes with it). */
bool scope_operation_known(const char *name);

#endif
