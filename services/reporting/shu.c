/* shu — sharing out SHU in integers: parts by rate, members by proportion, leftovers to
   reserves. */
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

/* Shares `pool` by each member's basis (capital or participation); returns what was handed
   out in *given. Each share is at most the pool, so sums stay in range. */
static int share_pool(int64_t pool, int64_t total, reporting_shu_member_t *m, size_t n,
                      int capital, int64_t *given) {
    *given = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t basis = capital ? m[i].capital_sen : m[i].participation_sen;
        int64_t share = 0;
        if (total > 0 && money_mul_div_round(basis, pool, total, &share) != MONEY_OK)
            return -ERANGE;
        if (capital) m[i].capital_share_sen = share;
        else m[i].usage_share_sen = share;
        if (money_add(*given, share, given) != 0) return -ERANGE;
    }
    return 0;
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

    int64_t rest = surplus_sen;
    for (int p = REPORTING_SHU_CAPITAL; p < REPORTING_SHU_PARTS; p++) {
        if (money_mul_div_round(surplus_sen, rate_bp[p], REPORTING_SHU_BP_TOTAL,
                                &out->part_sen[p]) != MONEY_OK)
            return -ERANGE;
        rest -= out->part_sen[p];        /* each part <= surplus; the sum of rates is 100 % */
    }
    int64_t capital_given, usage_given;
    rc = share_pool(out->part_sen[REPORTING_SHU_CAPITAL], out->total_capital_sen, members, n, 1,
                    &capital_given);
    if (rc == 0)
        rc = share_pool(out->part_sen[REPORTING_SHU_USAGE], out->total_participation_sen, members,
                        n, 0, &usage_given);
    if (rc != 0) return rc;
    out->rounding_sen = out->part_sen[REPORTING_SHU_CAPITAL] - capital_given
                      + out->part_sen[REPORTING_SHU_USAGE] - usage_given;
    out->part_sen[REPORTING_SHU_CAPITAL] = capital_given;
    out->part_sen[REPORTING_SHU_USAGE] = usage_given;
    out->part_sen[REPORTING_SHU_RESERVES] = rest + out->rounding_sen;
    return 0;
}
