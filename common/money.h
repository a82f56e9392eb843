/*  money — amounts as int64 sen (1/100 rupiah) and their decimal text.

    Inside the system every amount is an int64 count of sen; at the edges (JSON, CSV, reports)
    it is a decimal string with at most two decimals. This module is the one place where text
    becomes sen and sen becomes text, and where the exact integer arithmetic that interest and
    sharing rules need lives (a*b/c with one rounding, overflow checked). No floating point.

    Rates in hundredths of a percent (`*_bp`, 1200 = 12 %) are the same two-decimal fixed point,
    so money_parse() and money_format() serve them too.

    Text accepted by the parsers, exactly: an optional '-' (money_parse_signed() only), one or
    more ASCII digits, and optionally '.' followed by one or two digits. Nothing else: no '+',
    no spaces, no exponent, no thousands separators, no ".5" or "5.". Leading zeros are
    accepted ("007" is 7). Canonical output of money_format(): no fraction when the amount is
    whole ("150000"), otherwise exactly two decimals ("1500.50", "-5.50").

    Not for: currency conversion, or rounding policy beyond the one rule of docs/domain.md (half away
    from zero); the callers decide where a leftover sen goes. */
#ifndef LUMBUNG_MONEY_H
#define LUMBUNG_MONEY_H

#include "error.h"

#include <stddef.h>
#include <stdint.h>

enum {
    MONEY_FORMAT_MAX = 24,   /* buffer for money_format(): "-92233720368547758.08" + NUL */
    MONEY_IDR_MAX = 40,      /* buffer for money_format_idr(): "-Rp 92.233.720.368.547.758,08" */
    MONEY_DECIMALS = 2,      /* sen per rupiah = 10^MONEY_DECIMALS */
    MONEY_SEN_PER_RUPIAH = 100,
};

/* Operating errors are codes of error.h, all distinct so a caller can word the message:
   ERR_MONEY_SYNTAX    not a decimal number: empty, '+', spaces, exponent, letters
   ERR_MONEY_DECIMALS  more than two decimals
   ERR_MONEY_NEGATIVE  a '-' where only zero or more is allowed
   ERR_MONEY_RANGE     too large for int64 sen, or an arithmetic result overflowed */

/* Parses a non-negative amount into *sen. A leading '-' is ERR_MONEY_NEGATIVE (also for "-0")
   when the rest is a valid number; syntax and decimal errors take precedence over the sign.
   Returns 0 or an ERR_MONEY_* code; *sen is written only on success. */
int money_parse(const char *text, int64_t *sen);

/* Like money_parse() but also accepts a leading '-' (down to INT64_MIN sen). "-0" is 0. */
int money_parse_signed(const char *text, int64_t *sen);

/* A phrase for an error code that reads after a field name: "must have at most 2 decimals",
   "must not be negative", "is not a decimal number", "is too large". A static string. */
const char *money_error_text(int code);

/* Writes the canonical decimal text of `sen` into buf (size >= MONEY_FORMAT_MAX, asserted)
   and returns its length: "150000", "1066185.46", "1500.50", "-5.50", "0". */
int money_format(int64_t sen, char *buf, size_t size);

/* Writes the amount for people in Indonesian notation into buf (size >= MONEY_IDR_MAX,
   asserted) and returns its length: "Rp 1.066.185,46", "Rp 0,00", "-Rp 5,50". Always two
   decimals, '.' groups thousands, ',' separates the fraction. */
int money_format_idr(int64_t sen, char *buf, size_t size);

/* *out = a * b / c rounded to the nearest integer, halves away from zero, computed with a
   128-bit intermediate so a*b never overflows. Returns 0, or ERR_MONEY_RANGE when the
   result does not fit in int64 (*out untouched). c == 0 is a programmer error (asserted). */
int money_mul_div_round(int64_t a, int64_t b, int64_t c, int64_t *out);

/* *out = a + b, a - b; ERR_MONEY_RANGE on overflow (*out untouched). */
int money_add(int64_t a, int64_t b, int64_t *out);
int money_sub(int64_t a, int64_t b, int64_t *out);

#endif
