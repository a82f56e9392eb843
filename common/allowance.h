/*  allowance — the required loan-loss allowance (docs/domain.md, "Collectibility"): per
    collectibility class, outstanding principal x the class's rate (defaults 0.5 / 10 / 50 /
    100 % for current / substandard / doubtful / loss), each class rounded to the sen half away
    from zero, the total the sum of the classes.

    One definition for the two services that need it: the transactions service books the
    allowance at every close of day, the reporting service shows it in the loan portfolio; both
    must agree to the sen. Pure integer arithmetic.

    Not for: deciding a loan's class (transactions/schedule.c) or storing anything. */
#ifndef LUMBUNG_ALLOWANCE_H
#define LUMBUNG_ALLOWANCE_H

#include <stdint.h>

/* Classes are lumbung.LoanClass values: 1 current, 2 substandard, 3 doubtful, 4 loss. */
enum { ALLOWANCE_CLASSES = 4 };

/* The default rate of a class in basis points (0 for a value outside 1..4). */
int64_t allowance_rate_bp(int class_);

/* round(sen x bp / 10000), halves away from zero. 0 <= bp <= 10000 and sen >= 0 (asserted). */
int64_t allowance_part(int64_t sen, int64_t bp);

/* The required allowance of outstanding principal by class (index 1..4; index 0 is ignored):
   the sum of each class's allowance_part at its default rate. */
int64_t allowance_required(const int64_t outstanding_sen[ALLOWANCE_CLASSES + 1]);

#endif
