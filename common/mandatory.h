/*  mandatory — the rule of mandatory savings (simpanan wajib) due, shared by the transactions
    service (a member's accounts) and reporting (a member's own overview), so both state the
    same arrears from the same settings (docs/domain.md, "Savings").

    Pure functions of dates (day counts of date.h) and sen; no store, no protobuf.

    Not for: posting or checking deposits (transactions' savings.c). */
#ifndef LUMBUNG_MANDATORY_H
#define LUMBUNG_MANDATORY_H

#include <stdint.h>

/* Months per period of a lumbung.MandatoryPeriod value: 0 weekly, 3, 6, 12; 1 (monthly, the
   default) for any other value. */
int mandatory_period_months(int mandatory_period);
/* Mandatory periods due from joining up to as_of: the joining period counts as the first, and
   one more starts every period_months months after joining (every 7 days when period_months
   is 0, weekly). 0 when as_of < joined_on. */
uint32_t mandatory_periods_due(int32_t joined_on, int32_t as_of, int period_months);
/* max(0, periods x amount - paid), with *due_sen = periods x amount when due_sen is not NULL;
   saturates instead of overflowing. */
int64_t mandatory_arrears(uint32_t periods, int64_t amount_sen, int64_t paid_sen,
                          int64_t *due_sen);

#endif
