#include "shu.h"
#include "money.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

static int check_rates(const int64_t rate_bp[REPORTING_SHU_PARTS]) {
    int64_t sum = 0;
    for (int i = 0; i < REPORTING_SHU_PARTS; i++) {
        if (rate_bp[i] < 0 || rate_bp[i] > REPORTING_SHU_BP_TOTAL) return -EINVAL;
        sum += rate_bp[i];
    }
    return sum == REPORTING_SHU_BP_TOTAL ? 0 : -EINVAL;
}

static int totals(const reporting_shu_member_t *m, size_t n, reporting_shu_result_t *out) {
    for (size_t i = 0; i < n; i++) {
        if (m[i].capital_sen < 0 || m[i].participation_sen < 0) return -EINVAL;
        if (money_add(out->total_capital_sen, m[i].capital_sen, &out->total_capital_sen) != 0 ||
            money_add(out->total_participation_sen, m[i].participation_sen,
                      &out->total_participation_sen) != 0)
            return -ERANGE;
    }
    return 0;
}

/* floor(surplus x rate / 100 %): a part of the allocation, from the unrounded surplus. */
static int64_t part_floor(int64_t surplus, int64_t rate_bp) {
    return (int64_t) ((__int128) surplus * rate_bp / REPORTING_SHU_BP_TOTAL);
}

/* floor(basis / total x surplus x rate / 100 %): one member's share of the unrounded pool,
   exact for any int64 figures with 0 <= basis <= total, total > 0, surplus >= 0. With q =
   basis x surplus = a x total + r, the share is floor((a x rate + r x rate / total) / 100 %),
   and dropping the fraction of r x rate / total first does not change that floor; every
   product stays below 2^78. */
static int64_t member_floor(int64_t basis, int64_t total, int64_t surplus, int64_t rate_bp) {
    unsigned __int128 q = (unsigned __int128) basis * (uint64_t) surplus;
    unsigned __int128 a = q / (uint64_t) total, r = q % (uint64_t) total;
    unsigned __int128 n = a * (uint64_t) rate_bp + r * (uint64_t) rate_bp / (uint64_t) total;
    return (int64_t) (n / REPORTING_SHU_BP_TOTAL);
}

/* Shares the pool of `rate_bp` of the surplus by each member's basis (capital or
   participation); returns what was handed out in *given (at most the pool, so no overflow). */
static void share_pool(int64_t surplus, int64_t rate_bp, int64_t total,
                       reporting_shu_member_t *m, size_t n, int capital, int64_t *given) {
    *given = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t basis = capital ? m[i].capital_sen : m[i].participation_sen;
        int64_t share = total > 0 ? member_floor(basis, total, surplus, rate_bp) : 0;
        if (capital) m[i].capital_share_sen = share;
        else m[i].usage_share_sen = share;
        *given += share;
    }
}

int reporting_shu_share(int64_t surplus_sen, const int64_t rate_bp[REPORTING_SHU_PARTS],
                        reporting_shu_member_t *members, size_t n,
                        reporting_shu_result_t *out) {
    assert(rate_bp && out && (members || n == 0));
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n; i++) members[i].capital_share_sen = members[i].usage_share_sen = 0;
    int rc = check_rates(rate_bp);
    if (rc == 0) rc = totals(members, n, out);
    if (rc != 0 || surplus_sen <= 0) return rc;

    int64_t rest = surplus_sen;       /* each floor <= its exact part; the parts sum to 100 % */
    for (int p = REPORTING_SHU_BOARD; p < REPORTING_SHU_PARTS; p++) {
        out->part_sen[p] = part_floor(surplus_sen, rate_bp[p]);
        rest -= out->part_sen[p];
    }
    int64_t reserves_own = part_floor(surplus_sen, rate_bp[REPORTING_SHU_RESERVES]);
    share_pool(surplus_sen, rate_bp[REPORTING_SHU_CAPITAL], out->total_capital_sen, members, n,
               1, &out->part_sen[REPORTING_SHU_CAPITAL]);
    share_pool(surplus_sen, rate_bp[REPORTING_SHU_USAGE], out->total_participation_sen, members,
               n, 0, &out->part_sen[REPORTING_SHU_USAGE]);
    rest -= out->part_sen[REPORTING_SHU_CAPITAL] + out->part_sen[REPORTING_SHU_USAGE];
    out->part_sen[REPORTING_SHU_RESERVES] = rest;
    out->rounding_sen = rest - reserves_own;
    assert(out->rounding_sen >= 0);
    return 0;
}
