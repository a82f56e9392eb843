/*  envelope — building and reading lumbung.Request / lumbung.Reply: typed errors, actors and
    the mapping from error kinds to HTTP status codes.

    Every error that leaves a service is made here, so kinds, codes and messages stay uniform:
    `kind` says what class of failure (and so which HTTP status), `code` is a stable snake_case
    name a program can test, `message` tells a person what to fix, `field` names the input.

    It also reads the header of an event (its sequence, its actor's role, which body it has)
    straight from the wire bytes (pbwire.h), so a follower decides what to do with an event
    before, or without, unpacking it.

    Not for: transport (bus.h, client.h). */
#ifndef LUMBUNG_ENVELOPE_H
#define LUMBUNG_ENVELOPE_H

#include <stdbool.h>
#include <stdint.h>
#include "arena.h"
#include "envelope.pb-c.h"
#include "error.h"

/* Sets reply->error (allocated in `arena`) and clears any result. Returns ERR_REJECTED
   (error.h), so a handler can `return envelope_fail(...)`. `field` may be NULL. */
int envelope_fail(arena_t *arena, Lumbung__Reply *reply, Lumbung__ErrorKind kind,
                  const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* HTTP status for an error kind (400, 401, 403, 404, 409, 422, 413, 503, 504, 500). */
int envelope_http_status(Lumbung__ErrorKind kind);

/* Lower-case role name ("admin", "operator", ...) and back; 0 (unspecified) when unknown. */
const char *envelope_role_name(Lumbung__Role role);
Lumbung__Role envelope_role_parse(const char *name);

/* A request to the members service in `arena`: `members` as its body, `actor` (may be NULL)
   as who asks. Both are borrowed, not copied. */
Lumbung__Request *envelope_members_request(arena_t *arena, Lumbung__MembersRequest *members,
                                           Lumbung__Actor *actor);

/* Serializes into a buffer allocated in the arena. */
uint8_t *envelope_pack(arena_t *arena, const ProtobufCMessage *message, size_t *len);

/* The fields of a lumbung.Event a follower looks at first, as protobuf-c would unpack them:
   the last occurrence of a scalar wins, an actor given twice is merged. */
typedef struct {
    bool has_seq, has_role;
    uint64_t seq;
    Lumbung__Role role;               /* the actor's */
    Lumbung__Event__BodyCase body;    /* the body set last; NOT_SET when none */
} envelope_event_header_t;

/* Reads the header from an Event's wire bytes without unpacking it. 0, or -EPROTO when the
   bytes are not well-formed protobuf (what is read then is undefined). */
int envelope_event_header(const void *wire, size_t len, envelope_event_header_t *out);

/* Unix time in milliseconds. */
int64_t envelope_now_ms(void);

#endif
