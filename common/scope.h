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

    Not for: operators and their roles (each service's authorise), key files (curve.h). */
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

/* Whether `name` is an operation of any service (lumbungctl checks key scopes with it). */
bool scope_operation_known(const char *name);

#endif
