/*  follower — applies another service's event stream to this service's store, exactly once
    and in order, across restarts, slow consumers and lost messages.

    It subscribes to the producer's PUB first, then replays from its stored cursor + 1 over the
    producer's ROUTER. Live events are applied only when their sequence is cursor + 1; a
    duplicate is dropped; a gap (or a heartbeat whose head is past the cursor, i.e. a lost tail)
    starts a replay. Every FOLLOWER_REPORT_MS (LUMBUNG_FOLLOWER_REPORT_MS) it also asks for a
    replay from cursor + 1 even when caught up: that request is how the producer learns the
    follower's cursor and may prune what every follower has (retention.h). Each batch of
    events is applied in one write transaction that also stores the new cursor, so effects
    and cursor commit together or not at all.

    Catching up: the next replay is asked for as soon as one arrives (the producer reads while
    we apply), and replayed events are gathered into a group applied in one write transaction
    once it holds FOLLOWER_GROUP_BYTES or FOLLOWER_GROUP_EVENTS, is FOLLOWER_GROUP_MS old, or
    the head is reached: one durable commit per group, not one per replay.

    Live events are gathered likewise: applied FOLLOWER_LIVE_MS after the first one arrived, or
    at once when FOLLOWER_BATCH_MAX events or FOLLOWER_LIVE_BYTES are waiting. An event's
    sequence (and, for a filter, its actor's role) is read from its wire bytes
    (envelope_event_header), so an event is unpacked once, when applied, and not at all when
    the follower's filter skips it. Every event, skipped or applied, is durably in the store
    before the cursor that passes it.

    Table "cursors": key = stream name, value = u64 big-endian last applied sequence.
    Not for: producing events (outbox.h). */
#ifndef LUMBUNG_FOLLOWER_H
#define LUMBUNG_FOLLOWER_H

#include <stdint.h>
#include "arena.h"
#include "bus.h"
#include "store.h"
#include "envelope.h"

enum {
    FOLLOWER_BATCH_MAX = 1024,        /* live events applied in one write transaction */
    FOLLOWER_LIVE_MS = 25,            /* live events wait at most this long to be applied, so
                                         a steady stream costs one durable commit per 25 ms, not
                                         one per turn of the loop (the B-tree pages a commit
                                         rewrites are written once for all its events) */
    FOLLOWER_LIVE_BYTES = 4 * 1024 * 1024,   /* live bytes applied in one write txn */
    FOLLOWER_REPLAY_BATCH = 2048,     /* events asked for in one replay */
    FOLLOWER_REPLAY_TIMEOUT_MS = 5000,
    FOLLOWER_GROUP_BYTES = 4 * 1024 * 1024,    /* replayed bytes applied in one write txn */
    FOLLOWER_GROUP_EVENTS = 8192,
    FOLLOWER_GROUP_MS = 100,                   /* a group older than this is applied */
    FOLLOWER_REPORT_MS = 10000,       /* a replay request at least this often: our cursor */
};

/* Applies one event inside txn. Returns 0, or a negative code to abort the whole batch (it is
   retried later; a deterministic failure therefore stops the follower, which is logged). */
typedef int (*follower_apply_fn)(void *arg, store_txn_t *txn, const Lumbung__Event *event);
/* Instead of the apply above (follower_set_wire_apply): the event together with the wire
   bytes it was unpacked from, which a follower may store as they are. */
typedef int (*follower_wire_apply_fn)(void *arg, store_txn_t *txn, const Lumbung__Event *event,
                                      const uint8_t *wire, size_t len);
/* Decides from an event's header (and its wire bytes) whether to apply it: false skips it
   without unpacking it; the cursor still passes it. */
typedef bool (*follower_wire_filter_fn)(void *arg, const envelope_event_header_t *header,
                                        const uint8_t *wire, size_t len);
/* Decodes an event's wire bytes in arena instead of protobuf-c's unpack
   (follower_set_wire_decode): the event, or NULL when the bytes do not decode. It must give
   what protobuf-c gives, as reporting's hand decoder of EntriesPosted events does. */
typedef Lumbung__Event *(*follower_decode_fn)(arena_t *arena, const uint8_t *wire, size_t len);
/* Called in each write txn of events: with end=false before the first event of an attempt
   (an attempt may be retried after a map growth), with end=true after the last, before the
   cursor is stored; a non-zero return aborts the batch like a failed apply. */
typedef int (*follower_batch_fn)(void *arg, store_txn_t *txn, bool end);
/* Called after each commit that advanced the cursor. */
typedef void (*follower_advance_fn)(void *arg, uint64_t cursor);

typedef struct {
    const char *stream;           /* producer's stream name and key name: "members" */
    const char *router_endpoint;  /* producer's ROUTER (replay) */
    const char *pub_endpoint;     /* producer's PUB (live events) */
    int rcvhwm;                   /* SUB receive HWM in messages; 0 = EVENT_BATCH_HWM */
    /* 0: every event. Otherwise only the events whose actor has this role are wanted: the
       follower subscribes to heartbeats only and asks for replays with actor_role, whose
       gaps the producer's last_seq covers, so the producer neither sends nor encrypts the
       rest; each reply is applied with the cursor set to its last_seq. Events arrive within
       a heartbeat (SERVICE_HEARTBEAT_MS) of being posted, not at once. */
    int actor_role;
} follower_config_t;

typedef struct follower follower_t;

/* `store` must stay open while the follower lives; the follower opens table "cursors" (call
   before the loop runs, with no txn open). */
follower_t *follower_new(bus_t *bus, store_t *store, const follower_config_t *config,
                         follower_apply_fn apply, follower_advance_fn advance, void *arg,
                         int *err);
void follower_destroy(follower_t **self_p);

/* Sets the batch hook (none by default); `arg` is the one given to follower_new. */
void follower_set_batch_hook(follower_t *self, follower_batch_fn batch);

/* Sets the wire apply, used instead of the apply given to follower_new, and the filter (none
   by default: every event is applied). Call before the loop runs. */
void follower_set_wire_apply(follower_t *self, follower_wire_apply_fn apply);
void follower_set_wire_filter(follower_t *self, follower_wire_filter_fn filter);
/* Sets the decoder of the events applied (protobuf-c's unpack by default). Call before the
   loop runs. */
void follower_set_wire_decode(follower_t *self, follower_decode_fn decode);

/* Last applied sequence (committed). */
uint64_t follower_cursor(const follower_t *self);
/* Newest sequence the producer is known to have. */
uint64_t follower_known_head(const follower_t *self);
const char *follower_stream(const follower_t *self);
/* Its stream, cursor and known head as the FollowerStatus a Pong carries, in arena. */
Lumbung__FollowerStatus *follower_status(const follower_t *self, arena_t *arena);

#endif
