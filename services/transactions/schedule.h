/*  schedule — the arithmetic of loans, pure and exact: the instalment schedule of the three
    methods of docs/domain.md (flat, declining, annuity), due dates per frequency, late fees, the
    allocation of a repayment and what is in arrears as of a date (collectibility, the class
    those arrears put a loan in, is collectibility.h).

    No floating point. The per-period rate is the rational r / D with r = annual_rate_bp and
    D = 10000 x periods per year. Flat and declining interest are products of integers divided
    by D; the annuity instalment A = P i / (1 - (1+i)^-n) = P r X / (D (X - Y)) with
    X = (D + r)^n and Y = D^n is computed exactly with unsigned big integers (a few hundred
    32-bit limbs), so the result is the true rational value rounded once.

    Rounding (docs/domain.md): every instalment but the last is rounded to whole sen, half away from
    zero; the last takes the accumulated difference so that the total paid is the exact contract
    total rounded down to the sen, never more:
      flat       principal_k = round(P / n), interest_k = round(P r / D); total interest
                 floor(n P r / D);
      declining  principal_k = round(P / n), interest_k = round(O_{k-1} r / D) with O the
                 principal outstanding; total interest floor(sum O_{k-1} r / D);
      annuity    instalment_k = round(A), interest_k = round(O_{k-1} r / D), principal the
                 rest; total paid floor(n A).
    Worked example (tests/unit/test_transactions_schedule.c): P = 12,000,000, 12 %, monthly,
    n = 12: annuity A = 1,066,185.4641... -> 1,066,185.46 for instalments 1..11; n A =
    12,794,225.5697 -> 12,794,225.56, so the 12th is 1,066,185.50 and total interest 794,225.56.

    Late fees are charged per instalment on its overdue part (principal + interest unpaid), in
    units (days, or begun months) after due date + grace days; units already charged are
    remembered, so charging is incremental and idempotent for a date. A cap (percent of the
    instalment's principal + interest) bounds the fees of one instalment.

    Not for: storage, entries or events (lending.c). */
#ifndef LUMBUNG_TX_SCHEDULE_H
#define LUMBUNG_TX_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    TX_LOAN_INSTALMENTS_MAX = 360,        /* instalments of one loan */
    TX_LOAN_RATE_MAX_BP = 10000,          /* 100 % a year */
    TX_LOAN_FEE_RATE_MAX_BP = 10000,      /* 100 % of the overdue amount per unit; also the cap */
    TX_LOAN_GRACE_MAX_DAYS = 366,
    TX_LOAN_NO_DATE = INT32_MAX,          /* "none" for the date results below */
};

/* Values as in proto/transactions.proto (LoanMethod, LoanFrequency, LateFeeBasis). */
enum { TX_METHOD_FLAT = 1, TX_METHOD_DECLINING = 2, TX_METHOD_ANNUITY = 3 };
enum {
    TX_FREQ_DAILY = 1, TX_FREQ_WEEKLY = 2, TX_FREQ_MONTHLY = 3, TX_FREQ_BIMONTHLY = 4,
    TX_FREQ_QUARTERLY = 5, TX_FREQ_SEMIANNUAL = 6,
};
enum { TX_FEE_PER_DAY = 1, TX_FEE_PER_MONTH = 2 };

typedef struct {
    int64_t principal_sen;
    int64_t annual_rate_bp;
    uint32_t n;
    int method, frequency;
    int32_t first_due_on;
    int64_t fee_rate_bp;                  /* 0: no late fee */
    int fee_basis;
    uint32_t grace_days;
    int64_t fee_cap_bp;                   /* of the instalment's total; 0: no cap */
} tx_loan_terms_t;

typedef struct {
    int32_t due_on;
    int64_t principal_sen, interest_sen, balance_after_sen;     /* the schedule */
    int64_t principal_paid_sen, interest_paid_sen;              /* the state */
    int64_t fee_sen, fee_paid_sen;
    uint32_t fee_units;
    int64_t interest_waived_sen;
} tx_instalment_t;

typedef struct {
    int64_t fee_sen, interest_sen, principal_sen;
} tx_allocation_t;

/* What is in arrears as of a date: instalments due before it and not fully paid. */
typedef struct {
    int64_t principal_sen, interest_sen, fee_sen;
    uint32_t instalments;
    int32_t oldest_principal_due, oldest_interest_due, oldest_due;   /* TX_LOAN_NO_DATE: none */
    int64_t outstanding_principal_sen;      /* scheduled principal not yet paid, all of it */
    int64_t interest_due_sen;               /* interest of instalments due by as_of, unpaid */
} tx_arrears_t;

/* Periods per year of a frequency (365, 52, 12, 6, 4, 2), 0 for an unknown one. */
int tx_schedule_periods_per_year(int frequency);

/* The due date of instalment k (1-based): first + (k-1) periods; months are counted from the
   first due date, so a 31st stays the last day of shorter months. 0 or -ERANGE. */
int tx_schedule_due_on(int32_t first, int frequency, uint32_t k, int32_t *out);

/* The annuity instalment exactly: *rounded = round(A) half away from zero, *total_floor =
   floor(n A). 0, -EINVAL for a zero rate, -ERANGE when it does not fit in int64. */
int tx_schedule_annuity(int64_t principal_sen, int64_t rate_bp, int64_t periods_per_year,
                        uint32_t n, int64_t *rounded, int64_t *total_floor);

/* Fills out[0..n-1] (state zeroed) from terms. 0; -EINVAL for terms out of range (unknown
   method or frequency, n of 0 or above TX_LOAN_INSTALMENTS_MAX, negative rate, principal < 1);
   -ERANGE when the amounts overflow or the last instalment would be negative (a principal too
   small for n). *interest_total = the schedule's interest. */
int tx_schedule_build(const tx_loan_terms_t *terms, tx_instalment_t *out,
                      int64_t *interest_total);

/* Charges late fees up to as_of on every instalment (see the header). Returns the sum charged
   now (>= 0). Never overflows: the product is taken in 128 bits, one charge saturates at
   INT64_MAX / 4, and with a cap (fee_cap_bp > 0) an instalment's fees stop at the cap. */
int64_t tx_schedule_charge_fees(const tx_loan_terms_t *terms, tx_instalment_t *inst, size_t n,
                                int32_t as_of);

/* Total still to pay on the schedule (fees charged + interest + principal unpaid, waived
   interest excluded). */
int64_t tx_schedule_unpaid(const tx_instalment_t *inst, size_t n);

/* Applies `amount` instalment by instalment, oldest first, each late fee, then interest, then
   principal, and adds the split to *alloc. Returns the part not used (0 when the schedule
   took it all). */
int64_t tx_schedule_allocate(tx_instalment_t *inst, size_t n, int64_t amount,
                             tx_allocation_t *alloc);

/* An early payoff (exit settlement): like tx_schedule_allocate() for instalments due by as_of,
   then principal only of later instalments, oldest first; when every principal is paid, the
   interest of instalments not yet due is waived. Returns the part not used. */
int64_t tx_schedule_payoff(tx_instalment_t *inst, size_t n, int32_t as_of, int64_t amount,
                           tx_allocation_t *alloc);

/* Arrears as of a date: instalments with due_on < as_of count (an instalment is not late on
   its due day). */
void tx_schedule_arrears(const tx_instalment_t *inst, size_t n, int32_t as_of,
                         tx_arrears_t *out);


#endif
