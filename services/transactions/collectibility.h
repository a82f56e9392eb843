/*  collectibility — the class of a loan (current, substandard, doubtful, loss) from its
    arrears, its collateral and when it first became doubtful: the rule of the docs/domain.md table
    (Permen 14/2009). Pure; the arrears come from the schedule (schedule.h).

    Not for: the schedule's arithmetic (schedule.h), storing the class or the allowance it
    requires (lending.c, common/allowance.h). */
#ifndef LUMBUNG_TX_COLLECTIBILITY_H
#define LUMBUNG_TX_COLLECTIBILITY_H

#include <stdint.h>
#include "schedule.h"

/* Values as in proto/transactions.proto (LoanClass). */
enum { TX_CLASS_CURRENT = 1, TX_CLASS_SUBSTANDARD = 2, TX_CLASS_DOUBTFUL = 3, TX_CLASS_LOSS = 4 };

/* Collectibility as of as_of (docs/domain.md table, Permen 14/2009): arrears are measured from the
   oldest due date with principal (or interest) unpaid, "more than m months" meaning as_of is
   after that date + m months. Bands by frequency: under a month (daily, weekly) principal
   (1, 2] months, interest (1, 3]; monthly to quarterly principal (3, 6], interest (3, 6];
   semiannual principal (6, 12], interest (3, 6]. Beyond a band: doubtful when collateral is at
   least 75 % of debt (outstanding principal + due interest + fees), else loss; doubtful becomes
   loss 12 months after doubtful_on (TX_LOAN_NO_DATE when not doubtful before). */
int tx_collectibility_class(int frequency, const tx_arrears_t *arrears, int32_t as_of,
                            int64_t collateral_sen, int32_t doubtful_on);

#endif
