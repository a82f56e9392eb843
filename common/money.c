#include "money.h"

#include <assert.h>
#include <stdbool.h>
#include <string.h>

/* GCC and Clang both provide 128-bit integers on every 64-bit target we build for. */
__extension__ typedef __int128 money_i128_t;

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Counts the digits at p. */
static size_t digits_at(const char *p) {
    size_t n = 0;
    while (is_digit(p[n])) n++;
    return n;
}

/* magnitude = magnitude * 10 + digit, refusing to pass `limit`. */
static bool accumulate(uint64_t *magnitude, char digit, uint64_t limit) {
    uint64_t d = (uint64_t) (digit - '0');
    if (*magnitude > (limit - d) / 10) return false;
    *magnitude = *magnitude * 10 + d;
    return true;
}

/* The shape check comes first so that "1.5e3" is a syntax error, not a decimals error, and
   "-1.234" is a decimals error rather than a sign error: the caller can only fix one thing at
   a time, so we name the most basic. */
static int parse(const char *text, bool allow_negative, int64_t *sen) {
    assert(text && sen);
    const char *p = text;
    bool negative = (*p == '-');
    if (negative) p++;

    size_t whole_digits = digits_at(p);
    if (whole_digits == 0) return ERR_MONEY_SYNTAX;
    const char *fraction = p + whole_digits;
    size_t fraction_digits = 0;
    if (*fraction == '.') {
        fraction++;
        fraction_digits = digits_at(fraction);
        if (fraction_digits == 0) return ERR_MONEY_SYNTAX;
    }
    if (fraction[fraction_digits] != '\0') return ERR_MONEY_SYNTAX;
    if (fraction_digits > MONEY_DECIMALS) return ERR_MONEY_DECIMALS;
    if (negative && !allow_negative) return ERR_MONEY_NEGATIVE;

    uint64_t limit = negative ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX;
    uint64_t magnitude = 0;
    for (size_t i = 0; i < whole_digits; i++)
        if (!accumulate(&magnitude, p[i], limit)) return ERR_MONEY_RANGE;
    for (size_t i = 0; i < MONEY_DECIMALS; i++) {
        char digit = i < fraction_digits ? fraction[i] : '0';
        if (!accumulate(&magnitude, digit, limit)) return ERR_MONEY_RANGE;
    }

    if (!negative)
        *sen = (int64_t) magnitude;
    else if (magnitude == (uint64_t) INT64_MAX + 1)
        *sen = INT64_MIN;
    else
        *sen = -(int64_t) magnitude;
    return 0;
}

int money_parse(const char *text, int64_t *sen) { return parse(text, false, sen); }

int money_parse_signed(const char *text, int64_t *sen) { return parse(text, true, sen); }

const char *money_error_text(int code) {
    switch (code) {
    case 0: return "is valid";
    case ERR_MONEY_SYNTAX: return "is not a decimal number";
    case ERR_MONEY_DECIMALS: return "must have at most 2 decimals";
    case ERR_MONEY_NEGATIVE: return "must not be negative";
    case ERR_MONEY_RANGE: return "is too large";
    default: return "is not a valid amount";
    }
}

/* |sen| without the overflow that -INT64_MIN would be. */
static uint64_t magnitude_of(int64_t sen) {
    return sen < 0 ? (uint64_t) 0 - (uint64_t) sen : (uint64_t) sen;
}

/* The decimal digits of v, written backwards so that they end just before `end`; returns
   where they start. snprintf costs more than the rest of a reply's JSON (money_format runs
   for every amount the gateway answers). */
static char *digits_before(uint64_t v, char *end) {
    do *--end = (char) ('0' + v % 10); while ((v /= 10) != 0);
    return end;
}

int money_format(int64_t sen, char *buf, size_t size) {
    assert(buf && size >= MONEY_FORMAT_MAX);
    uint64_t magnitude = magnitude_of(sen);
    unsigned fraction = (unsigned) (magnitude % MONEY_SEN_PER_RUPIAH);
    char text[MONEY_FORMAT_MAX];
    char *end = text + sizeof text, *p = end;
    if (fraction != 0) {
        *--p = (char) ('0' + fraction % 10);
        *--p = (char) ('0' + fraction / 10);
        *--p = '.';
    }
    p = digits_before(magnitude / MONEY_SEN_PER_RUPIAH, p);
    if (sen < 0) *--p = '-';
    size_t n = (size_t) (end - p);
    assert(n < size);
    memcpy(buf, p, n);
    buf[n] = '\0';
    return (int) n;
}

/* Copies the decimal digits of `whole` to out with a '.' before every group of three. */
static size_t write_grouped(uint64_t whole, char *out) {
    char digits[24];
    const char *start = digits_before(whole, digits + sizeof digits);
    size_t len = (size_t) (digits + sizeof digits - start);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0) out[n++] = '.';
        out[n++] = start[i];
    }
    return n;
}

int money_format_idr(int64_t sen, char *buf, size_t size) {
    assert(buf && size >= MONEY_IDR_MAX);
    uint64_t magnitude = magnitude_of(sen);
    size_t n = 0;
    if (sen < 0) buf[n++] = '-';
    memcpy(buf + n, "Rp ", 3);
    n += 3;
    n += write_grouped(magnitude / MONEY_SEN_PER_RUPIAH, buf + n);
    unsigned fraction = (unsigned) (magnitude % MONEY_SEN_PER_RUPIAH);
    buf[n++] = ',';
    buf[n++] = (char) ('0' + fraction / 10);
    buf[n++] = (char) ('0' + fraction % 10);
    assert(n < size);
    buf[n] = '\0';
    return (int) n;
}

int money_mul_div_round(int64_t a, int64_t b, int64_t c, int64_t *out) {
    assert(c != 0 && out);
    money_i128_t product = (money_i128_t) a * b;
    money_i128_t quotient = product / c;
    money_i128_t remainder = product % c;
    money_i128_t abs_remainder = remainder < 0 ? -remainder : remainder;
    money_i128_t abs_divisor = c < 0 ? -(money_i128_t) c : (money_i128_t) c;
    /* C division truncates toward zero; a remainder of at least half the divisor moves the
       result one step further from zero, in the direction of the true quotient's sign. */
    if (2 * abs_remainder >= abs_divisor) quotient += ((product < 0) != (c < 0)) ? -1 : 1;
    if (quotient > INT64_MAX || quotient < INT64_MIN) return ERR_MONEY_RANGE;
    *out = (int64_t) quotient;
    return 0;
}

int money_add(int64_t a, int64_t b, int64_t *out) {
    assert(out);
    int64_t r;
    if (__builtin_add_overflow(a, b, &r)) return ERR_MONEY_RANGE;
    *out = r;
    return 0;
}

int money_sub(int64_t a, int64_t b, int64_t *out) {
    assert(out);
    int64_t r;
    if (__builtin_sub_overflow(a, b, &r)) return ERR_MONEY_RANGE;
    *out = r;
    return 0;
}
