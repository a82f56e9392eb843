#include "schedule.h"
#include "date.h"
#include "money.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

/* ------------------------------------------------------------------ big unsigned integers */

/* (D + r)^n has at most 22 x 360 = 7,920 bits (D + r < 2^22 for every frequency and rate);
   times P r n and shifted by 64 for the division it stays under 8,192. */
enum { BIG_LIMBS = 256, BIG_QUOTIENT_BITS = 63 };

typedef struct {
    uint32_t limb[BIG_LIMBS];       /* little-endian */
} big_t;

static void big_set(big_t *a, uint64_t v) {
    memset(a, 0, sizeof *a);
    a->limb[0] = (uint32_t) v;
    a->limb[1] = (uint32_t) (v >> 32);
}

/* a *= m; returns -ERANGE when the product needs more than BIG_LIMBS limbs. */
static int big_mul(big_t *a, uint64_t m) {
    unsigned __int128 carry = 0;
    for (size_t i = 0; i < BIG_LIMBS; i++) {
        carry += (unsigned __int128) a->limb[i] * m;
        a->limb[i] = (uint32_t) carry;
        carry >>= 32;
    }
    return carry ? -ERANGE : 0;
}

static int big_cmp(const big_t *a, const big_t *b) {
    for (size_t i = BIG_LIMBS; i-- > 0;)
        if (a->limb[i] != b->limb[i]) return a->limb[i] < b->limb[i] ? -1 : 1;
    return 0;
}

/* a -= b, with a >= b (asserted by the final borrow). */
static void big_sub(big_t *a, const big_t *b) {
    int64_t borrow = 0;
    for (size_t i = 0; i < BIG_LIMBS; i++) {
        int64_t d = (int64_t) a->limb[i] - b->limb[i] - borrow;
        borrow = d < 0;
        a->limb[i] = (uint32_t) (d + (borrow ? INT64_C(1) << 32 : 0));
    }
    assert(borrow == 0);
}

/* a <<= bits (bits < 32 x BIG_LIMBS); -ERANGE when bits fall off the top. */
static int big_shl(big_t *a, unsigned bits) {
    unsigned limbs = bits / 32, shift = bits % 32;
    for (size_t i = BIG_LIMBS - limbs; i < BIG_LIMBS; i++)
        if (a->limb[i]) return -ERANGE;
    if (shift && (a->limb[BIG_LIMBS - limbs - 1] >> (32 - shift))) return -ERANGE;
    for (size_t i = BIG_LIMBS; i-- > 0;) {
        uint64_t hi = i >= limbs ? a->limb[i - limbs] : 0;
        uint64_t lo = i >= limbs + 1 ? a->limb[i - limbs - 1] : 0;
        a->limb[i] = (uint32_t) (shift ? (hi << shift) | (lo >> (32 - shift)) : hi);
    }
    return 0;
}

static void big_shr1(big_t *a) {
    for (size_t i = 0; i < BIG_LIMBS; i++)
        a->limb[i] = (a->limb[i] >> 1) | (i + 1 < BIG_LIMBS ? a->limb[i + 1] << 31 : 0);
}

/* *q = floor(n / m) when it is below 2^63 (else -ERANGE); n becomes the remainder. */
static int big_divmod(big_t *n, const big_t *m, uint64_t *q) {
    big_t t = *m;
    if (big_shl(&t, BIG_QUOTIENT_BITS) != 0) return -ERANGE;
    if (big_cmp(n, &t) >= 0) return -ERANGE;
    *q = 0;
    for (int bit = BIG_QUOTIENT_BITS - 1; bit >= 0; bit--) {
        big_shr1(&t);
        if (big_cmp(n, &t) >= 0) {
            big_sub(n, &t);
            *q |= UINT64_C(1) << bit;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ schedule */

int tx_schedule_periods_per_year(int frequency) {
    switch (frequency) {
    case TX_FREQ_DAILY: return 365;
    case TX_FREQ_WEEKLY: return 52;
    case TX_FREQ_MONTHLY: return 12;
    case TX_FREQ_BIMONTHLY: return 6;
    case TX_FREQ_QUARTERLY: return 4;
    case TX_FREQ_SEMIANNUAL: return 2;
    default: return 0;
    }
}

static int months_per_period(int frequency) {
    switch (frequency) {
    case TX_FREQ_MONTHLY: return 1;
    case TX_FREQ_BIMONTHLY: return 2;
    case TX_FREQ_QUARTERLY: return 3;
    case TX_FREQ_SEMIANNUAL: return 6;
    default: return 0;
    }
}

int tx_schedule_due_on(int32_t first, int frequency, uint32_t k, int32_t *out) {
    assert(k >= 1 && k <= TX_LOAN_INSTALMENTS_MAX);
    int32_t steps = (int32_t) k - 1;
    int rc;
    if (frequency == TX_FREQ_DAILY) rc = date_add_days(first, steps, out);
    else if (frequency == TX_FREQ_WEEKLY) rc = date_add_days(first, 7 * steps, out);
    else if (months_per_period(frequency)) rc = date_add_months(first, months_per_period(frequency) * steps, out);
    else return -EINVAL;
    return rc == 0 ? 0 : -ERANGE;
}

int tx_schedule_annuity(int64_t principal_sen, int64_t rate_bp, int64_t periods_per_year,
                        uint32_t n, int64_t *rounded, int64_t *total_floor) {
    assert(principal_sen > 0 && rate_bp >= 0 && periods_per_year > 0);
    assert(n >= 1 && n <= TX_LOAN_INSTALMENTS_MAX);
    if (rate_bp == 0) return -EINVAL;
    uint64_t d = (uint64_t) periods_per_year * 10000, r = (uint64_t) rate_bp;
    static _Thread_local big_t x, y, num, den, tmp;    /* 1 KB each: keep them off the stack */
    big_set(&x, 1);
    big_set(&y, 1);
    for (uint32_t k = 0; k < n; k++)
        if (big_mul(&x, d + r) != 0 || big_mul(&y, d) != 0) return -ERANGE;
    /* A = P r X / (D (X - Y)) */
    num = x;
    if (big_mul(&num, (uint64_t) principal_sen) != 0 || big_mul(&num, r) != 0) return -ERANGE;
    den = x;
    big_sub(&den, &y);
    if (big_mul(&den, d) != 0) return -ERANGE;
    tmp = num;
    uint64_t q;
    if (big_divmod(&tmp, &den, &q) != 0) return -ERANGE;
    /* Half away from zero: up when 2 x remainder >= denominator. */
    if (big_shl(&tmp, 1) != 0) return -ERANGE;
    if (big_cmp(&tmp, &den) >= 0) q++;
    if (q > INT64_MAX) return -ERANGE;
    *rounded = (int64_t) q;
    if (big_mul(&num, n) != 0 || big_divmod(&num, &den, &q) != 0) return -ERANGE;
    *total_floor = (int64_t) q;
    return 0;
}

/* num / den rounded half away from zero, for num >= 0: floor((2 num + den) / (2 den)). */
static int64_t div_round(__int128 num, int64_t den) {
    assert(num >= 0 && den > 0);
    __int128 q = (2 * num + den) / (2 * (__int128) den);
    return q > INT64_MAX ? INT64_MAX : (int64_t) q;
}

static int check_terms(const tx_loan_terms_t *t) {
    if (t->principal_sen < 1 || t->annual_rate_bp < 0 || t->annual_rate_bp > TX_LOAN_RATE_MAX_BP)
        return -EINVAL;
    if (t->n < 1 || t->n > TX_LOAN_INSTALMENTS_MAX) return -EINVAL;
    if (t->method < TX_METHOD_FLAT || t->method > TX_METHOD_ANNUITY) return -EINVAL;
    if (tx_schedule_periods_per_year(t->frequency) == 0) return -EINVAL;
    return 0;
}

/* The interest of instalment k (0-based) and the running exact numerator, for flat and
   declining; the last one settles the accumulated rounding difference. */
static int64_t simple_interest(const tx_loan_terms_t *t, int64_t d, int64_t outstanding,
                               bool last, __int128 *exact, int64_t sum) {
    __int128 part = (__int128) (t->method == TX_METHOD_FLAT ? t->principal_sen : outstanding) *
                    t->annual_rate_bp;
    *exact += part;
    return last ? (int64_t) (*exact / d) - sum : div_round(part, d);
}

int tx_schedule_build(const tx_loan_terms_t *t, tx_instalment_t *out, int64_t *interest_total) {
    assert(t && out && interest_total);
    int rc = check_terms(t);
    if (rc != 0) return rc;
    uint32_t n = t->n;
    int64_t ppy = tx_schedule_periods_per_year(t->frequency), d = ppy * 10000;
    int64_t base = div_round(t->principal_sen, n), a = 0, total = 0;
    bool annuity = t->method == TX_METHOD_ANNUITY && t->annual_rate_bp > 0;
    if (annuity &&
        (rc = tx_schedule_annuity(t->principal_sen, t->annual_rate_bp, ppy, n, &a, &total)) != 0)
        return rc;
    memset(out, 0, n * sizeof *out);
    __int128 exact = 0;
    int64_t o = t->principal_sen, sum = 0;
    for (uint32_t k = 0; k < n; k++) {
        bool last = k == n - 1;
        int64_t interest, principal;
        if (annuity) {
            interest = last ? (int64_t) ((__int128) total - (__int128) a * (n - 1) - o)
                            : div_round((__int128) o * t->annual_rate_bp, d);
            principal = last ? o : a - interest;
        } else {
            interest = simple_interest(t, d, o, last, &exact, sum);
            principal = last ? o : base;
        }
        if (interest < 0 || principal <= 0 || principal > o) return -ERANGE;
        if ((rc = tx_schedule_due_on(t->first_due_on, t->frequency, k + 1, &out[k].due_on)) != 0)
            return rc;
        o -= principal;
        if (__builtin_add_overflow(sum, interest, &sum)) return -ERANGE;
        out[k].principal_sen = principal;
        out[k].interest_sen = interest;
        out[k].balance_after_sen = o;
    }
    assert(o == 0);
    *interest_total = sum;
    return 0;
}

/* ------------------------------------------------------------------ state */

static int64_t unpaid_principal(const tx_instalment_t *i) {
    return i->principal_sen - i->principal_paid_sen;
}
static int64_t unpaid_interest(const tx_instalment_t *i) {
    return i->interest_sen - i->interest_paid_sen - i->interest_waived_sen;
}
static int64_t unpaid_fee(const tx_instalment_t *i) { return i->fee_sen - i->fee_paid_sen; }

/* Units of lateness (days, or begun months) after due + grace, as of as_of. */
static uint32_t fee_units(const tx_loan_terms_t *t, int32_t due_on, int32_t as_of) {
    int32_t start;          /* the first day that counts */
    if (date_add_days(due_on, (int32_t) t->grace_days + 1, &start) != 0 || as_of < start)
        return 0;
    if (t->fee_basis == TX_FEE_PER_MONTH)
        return (uint32_t) date_months_between(start, as_of) + 1;
    return (uint32_t) (as_of - start) + 1;
}

int64_t tx_schedule_charge_fees(const tx_loan_terms_t *t, tx_instalment_t *inst, size_t n,
                                int32_t as_of) {
    if (t->fee_rate_bp <= 0) return 0;
    int64_t charged = 0;
    for (size_t k = 0; k < n; k++) {
        tx_instalment_t *i = &inst[k];
        int64_t overdue = unpaid_principal(i) + unpaid_interest(i);
        uint32_t units = fee_units(t, i->due_on, as_of);
        if (overdue <= 0 || units <= i->fee_units) continue;
        int64_t fee;
        __int128 num = (__int128) overdue * t->fee_rate_bp * (units - i->fee_units);
        i->fee_units = units;
        fee = num / 10000 > INT64_MAX / 4 ? INT64_MAX / 4 : div_round(num, 10000);
        if (t->fee_cap_bp > 0) {
            int64_t cap = div_round((__int128) (i->principal_sen + i->interest_sen) *
                                    t->fee_cap_bp, 10000);
            if (fee > cap - i->fee_sen) fee = cap - i->fee_sen > 0 ? cap - i->fee_sen : 0;
        }
        i->fee_sen += fee;
        charged += fee;
    }
    return charged;
}

int64_t tx_schedule_unpaid(const tx_instalment_t *inst, size_t n) {
    int64_t sum = 0;
    for (size_t k = 0; k < n; k++)
        sum += unpaid_fee(&inst[k]) + unpaid_interest(&inst[k]) + unpaid_principal(&inst[k]);
    return sum;
}

static int64_t take(int64_t *amount, int64_t want) {
    int64_t t = want < *amount ? want : *amount;
    if (t < 0) t = 0;
    *amount -= t;
    return t;
}

static void pay_instalment(tx_instalment_t *i, int64_t *amount, tx_allocation_t *alloc,
                           bool principal_only) {
    if (!principal_only) {
        int64_t f = take(amount, unpaid_fee(i)), in = take(amount, unpaid_interest(i));
        i->fee_paid_sen += f;
        i->interest_paid_sen += in;
        alloc->fee_sen += f;
        alloc->interest_sen += in;
    }
    int64_t p = take(amount, unpaid_principal(i));
    i->principal_paid_sen += p;
    alloc->principal_sen += p;
}

int64_t tx_schedule_allocate(tx_instalment_t *inst, size_t n, int64_t amount,
                             tx_allocation_t *alloc) {
    assert(amount >= 0);
    for (size_t k = 0; k < n && amount > 0; k++) pay_instalment(&inst[k], &amount, alloc, false);
    return amount;
}

int64_t tx_schedule_payoff(tx_instalment_t *inst, size_t n, int32_t as_of, int64_t amount,
                           tx_allocation_t *alloc) {
    assert(amount >= 0);
    for (size_t k = 0; k < n && amount > 0; k++)
        pay_instalment(&inst[k], &amount, alloc, inst[k].due_on > as_of);
    bool principal_left = false;
    for (size_t k = 0; k < n; k++) principal_left |= unpaid_principal(&inst[k]) > 0;
    if (!principal_left)
        for (size_t k = 0; k < n; k++)
            if (inst[k].due_on > as_of) inst[k].interest_waived_sen += unpaid_interest(&inst[k]);
    return amount;
}

void tx_schedule_arrears(const tx_instalment_t *inst, size_t n, int32_t as_of,
                         tx_arrears_t *out) {
    memset(out, 0, sizeof *out);
    out->oldest_principal_due = out->oldest_interest_due = out->oldest_due = TX_LOAN_NO_DATE;
    for (size_t k = 0; k < n; k++) {
        const tx_instalment_t *i = &inst[k];
        int64_t p = unpaid_principal(i), in = unpaid_interest(i), f = unpaid_fee(i);
        out->outstanding_principal_sen += p;
        out->fee_sen += f;
        if (i->due_on <= as_of) out->interest_due_sen += in;
        if (i->due_on >= as_of) continue;
        out->principal_sen += p;
        out->interest_sen += in;
        if (p > 0 || in > 0) out->instalments++;
        if (p > 0 && out->oldest_principal_due == TX_LOAN_NO_DATE) out->oldest_principal_due = i->due_on;
        if (in > 0 && out->oldest_interest_due == TX_LOAN_NO_DATE) out->oldest_interest_due = i->due_on;
        if ((p > 0 || in > 0) && out->oldest_due == TX_LOAN_NO_DATE) out->oldest_due = i->due_on;
    }
}
