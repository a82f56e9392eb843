/*  registry — the members stream's projection: each cooperative and member as the last event
    said (events carry whole records), and per cooperative the count of active members by sex,
    kept by comparing a member's record before and after each event.

    Not for: oversight (meetings, supervision: oversight.h). Tables: reporting.h. */
#ifndef LUMBUNG_REPORTING_REGISTRY_H
#define LUMBUNG_REPORTING_REGISTRY_H

#include "reporting.h"

int reporting_registry_apply(reporting_t *app, store_txn_t *txn, const Lumbung__MembersEvent *ev);

typedef struct {
    uint32_t active, female, male;
} reporting_counts_t;

/* The cooperative as last seen (unpacked into `arena`), or ERR_NOT_FOUND. */
int reporting_registry_coop(reporting_t *app, store_txn_t *txn, arena_t *arena, uint64_t coop,
                            Lumbung__Cooperative **out);
/* The same for a request naming `coop`: an unknown (or 0) cooperative fails the call
   NOT_FOUND "cooperative_not_found" on field cooperative_id. */
int reporting_registry_coop_of(reporting_t *app, service_call_t *call, store_txn_t *txn,
                               arena_t *arena, uint64_t coop, Lumbung__Cooperative **out);
int reporting_registry_member(reporting_t *app, store_txn_t *txn, arena_t *arena,
                              uint64_t member, Lumbung__Member **out);
/* Zero counts when the cooperative has no member yet. */
int reporting_registry_counts(reporting_t *app, store_txn_t *txn, uint64_t coop,
                              reporting_counts_t *out);

/* Appends every member of `coop` (any status) to out->items, by member number. -E2BIG beyond
   REPORTING_SHU_MEMBERS_MAX. */
int reporting_registry_members_of(reporting_t *app, store_txn_t *txn, arena_t *arena,
                                  uint64_t coop, Lumbung__MemberRegister *out);

#endif
