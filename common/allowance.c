#include "allowance.h"
#include "money.h"

#include <assert.h>

int64_t allowance_rate_bp(int class_) {
    switch (class_) {
    case 1: return 50;            /* current (lancar) 0.5 % */
    case 2: return 1000;          /* substandard (kurang lancar) 10 % */
    case 3: return 5000;          /* doubtful (diragukan) 50 % */
    case 4: return 10000;         /* loss (macet) 100 % */
    default: return 0;
    }
}

int64_t allowance_part(int64_t sen, int64_t bp) {
    assert(sen >= 0 && bp >= 0 && bp <= 10000);
    int64_t out = 0;
    int rc = money_mul_div_round(sen, bp, 10000, &out);
    assert(rc == 0 && "bp <= 100 %: the part is at most the amount");
    (void) rc;
    return out;
}

int64_t allowance_required(const int64_t outstanding_sen[ALLOWANCE_CLASSES + 1]) {
    int64_t total = 0;
    for (int k = 1; k <= ALLOWANCE_CLASSES; k++)
        total += allowance_part(outstanding_sen[k], allowance_rate_bp(k));
    return total;
}
