/*  member — the one check every posting for a member makes: the member is known to this
    service (from the members replica), belongs to the cooperative named, and, for a posting,
    has not left it.

    Savings and loans both call it, so it lives apart from both (neither imports the other for
    it). Not for: keeping the members replica (replica.c) or any savings or loan rule. */
#ifndef LUMBUNG_TX_MEMBER_H
#define LUMBUNG_TX_MEMBER_H

#include <stdbool.h>
#include <stdint.h>
#include "context.h"

/* Looks the member up for cooperative `coop`. Unknown member: NOT_FOUND. A member of another
   cooperative: `other_coop_kind` (RULE for postings, NOT_FOUND for reads). An exited member
   when `require_active`: RULE "member_not_active". Fields are "member_id". */
int tx_member_check(tx_ctx_t *ctx, uint64_t coop, uint64_t member, bool require_active,
                    Lumbung__ErrorKind other_coop_kind, tx_member_t *out, problem_t *err);

#endif
