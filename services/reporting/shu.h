/*  shu — the exact arithmetic of sharing out a year's SHU (docs/domain.md, "SHU and its sharing").

    Nothing is rounded before it is shared (docs/domain.md): each part but reserves is the surplus
    x its rate, and each member's capital (usage) share is the surplus x the capital (usage)
    rate x the member's principal + mandatory savings (participation: interest paid or loans
    taken; the caller chooses) / all members' - all from the unrounded surplus, in exact
    integer arithmetic, each rounded down to the sen. Reserves take what is left: their own
    part plus every fraction of a sen rounding down dropped (rounding_sen, never negative), so
    the parts sum to the surplus exactly and the capital and usage parts reported are exactly
    what the members get. A pool with no member capital (or no participation) goes to reserves
    whole, inside rounding_sen.

    Pure: no store, no allocation; the caller owns every array.

    Not for: deciding the surplus (the ledger's income - expenses; see handlers), or posting
    the distribution (the transactions service books what the annual meeting approves). */
#ifndef LUMBUNG_REPORTING_SHU_H
#define LUMBUNG_REPORTING_SHU_H

#include <stddef.h>
#include <stdint.h>

enum {
    REPORTING_SHU_BP_TOTAL = 10000,       /* 100 % in basis points */
};

/* The parts of the allocation, in the order of lumbung.ShuAllocation. */
typedef enum {
    REPORTING_SHU_RESERVES = 0,
    REPORTING_SHU_CAPITAL,
    REPORTING_SHU_USAGE,
    REPORTING_SHU_BOARD,
    REPORTING_SHU_STAFF,
    REPORTING_SHU_EDUCATION,
    REPORTING_SHU_SOCIAL,
    REPORTING_SHU_PARTS,
} reporting_shu_part_t;

typedef struct {
    uint64_t member_id;
    int64_t capital_sen;           /* in: principal + mandatory savings at year end, >= 0 */
    int64_t participation_sen;     /* in: interest paid or principal taken in the year, >= 0 */
    int64_t capital_share_sen;     /* out */
    int64_t usage_share_sen;       /* out */
} reporting_shu_member_t;

typedef struct {
    int64_t part_sen[REPORTING_SHU_PARTS]; /* capital and usage: what members got, summed */
    int64_t rounding_sen;                 /* reserves minus their own part rounded down:
                                             what rounding down left, >= 0 */
    int64_t total_capital_sen, total_participation_sen;
} reporting_shu_result_t;

/* Shares `surplus_sen` by `rate_bp` (REPORTING_SHU_PARTS rates, each >= 0, summing to
   REPORTING_SHU_BP_TOTAL) among `n` members, filling their shares and *out. A surplus of zero
   or less shares nothing (every amount 0). Returns 0; -EINVAL when the rates are negative or
   do not sum to 100 %, or a member's capital or participation is negative; -ERANGE when a
   total overflows int64. */
int reporting_shu_share(int64_t surplus_sen, const int64_t rate_bp[REPORTING_SHU_PARTS],
                        reporting_shu_member_t *members, size_t n,
                        reporting_shu_result_t *out);

#endif
