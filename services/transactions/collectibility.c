#include "collectibility.h"
#include "date.h"

/* True when as_of is more than `months` months after `since`. */
static bool late_more_than(int32_t since, int months, int32_t as_of) {
    if (since == TX_LOAN_NO_DATE) return false;
    int32_t edge;
    if (date_add_months(since, months, &edge) != 0) return false;
    return as_of > edge;
}

int tx_collectibility_class(int frequency, const tx_arrears_t *a, int32_t as_of,
                            int64_t collateral_sen, int32_t doubtful_on) {
    int plo = 3, phi = 6, ilo = 3, ihi = 6;                 /* monthly to quarterly */
    if (frequency == TX_FREQ_DAILY || frequency == TX_FREQ_WEEKLY) {
        plo = 1, phi = 2, ilo = 1, ihi = 3;
    } else if (frequency == TX_FREQ_SEMIANNUAL) {
        plo = 6, phi = 12;
    }
    bool beyond = late_more_than(a->oldest_principal_due, phi, as_of) ||
                  late_more_than(a->oldest_interest_due, ihi, as_of);
    if (beyond) {
        __int128 debt = (__int128) a->outstanding_principal_sen + a->interest_due_sen + a->fee_sen;
        bool covered = collateral_sen > 0 && (__int128) collateral_sen * 100 >= debt * 75;
        if (!covered) return TX_CLASS_LOSS;
        int32_t year_after;
        if (doubtful_on != TX_LOAN_NO_DATE &&
            date_add_months(doubtful_on, 12, &year_after) == 0 && as_of >= year_after)
            return TX_CLASS_LOSS;
        return TX_CLASS_DOUBTFUL;
    }
    if (late_more_than(a->oldest_principal_due, plo, as_of) ||
        late_more_than(a->oldest_interest_due, ilo, as_of))
        return TX_CLASS_SUBSTANDARD;
    return TX_CLASS_CURRENT;
}
