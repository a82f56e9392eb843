#include "mandatory.h"
#include "date.h"

#include <assert.h>

/* The values of lumbung.MandatoryPeriod (proto/members.proto). */
enum { PERIOD_WEEKLY = 2, PERIOD_QUARTERLY = 3, PERIOD_SEMIANNUAL = 4, PERIOD_ANNUAL = 5 };

int mandatory_period_months(int mandatory_period) {
    switch (mandatory_period) {
    case PERIOD_WEEKLY: return 0;
    case PERIOD_QUARTERLY: return 3;
    case PERIOD_SEMIANNUAL: return 6;
    case PERIOD_ANNUAL: return 12;
    default: return 1;
    }
}

uint32_t mandatory_periods_due(int32_t joined_on, int32_t as_of, int period_months) {
    assert(period_months >= 0);
    if (as_of < joined_on) return 0;
    if (period_months == 0) return (uint32_t) ((as_of - joined_on) / 7) + 1;   /* weekly */
    int32_t months = date_months_between(joined_on, as_of);
    assert(months >= 0);
    return (uint32_t) (months / period_months) + 1;
}

int64_t mandatory_arrears(uint32_t periods, int64_t amount_sen, int64_t paid_sen,
                          int64_t *due_sen) {
    int64_t due;
    if (__builtin_mul_overflow((int64_t) periods, amount_sen, &due)) due = INT64_MAX;
    if (due_sen) *due_sen = due;
    return due > paid_sen ? due - paid_sen : 0;
}
