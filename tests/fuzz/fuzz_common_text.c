/* libFuzzer target: the text an operator or integrator types that common/ parses — money
   amounts (money.c), dates (date.c) and NIKs (nik.c).

   The first byte picks the parser, the rest is the text (NUL-terminated copy, as the callers
   pass it). Properties, beyond never crashing or invoking undefined behaviour:
   - money: what parses formats back to canonical text that parses to the same sen; the
     Indonesian rendering fits its buffer; signed parsing accepts everything unsigned does;
   - date: what parses formats back to exactly the same ten characters (the parser accepts
     only canonical YYYY-MM-DD), and its components rebuild the same day number;
   - NIK: a refusal always yields a non-empty sentence; an accepted NIK has a birth date that
     is a real calendar date and agrees with itself in nik_check_person().

   Run with `make fuzz` (all targets, FUZZ_SECONDS each) or, once built:
     build-fuzz/fuzz/fuzz_common_text -max_total_time=60 tests/fuzz/corpus/fuzz_common_text */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "date.h"
#include "money.h"
#include "nik.h"

enum { TEXT_MAX = 256 };

static void check_money(const char *text) {
    int64_t sen = 0, again = 0, signed_sen = 0;
    char buf[MONEY_FORMAT_MAX], idr[MONEY_IDR_MAX];
    int rc = money_parse(text, &sen);
    int rc_signed = money_parse_signed(text, &signed_sen);
    if (rc != 0) {
        assert(rc < 0 && money_error_text(rc) != NULL);
        return;
    }
    assert(sen >= 0 && rc_signed == 0 && signed_sen == sen);
    int n = money_format(sen, buf, sizeof buf);
    assert(n > 0 && (size_t) n == strlen(buf));
    assert(money_parse(buf, &again) == 0 && again == sen);
    n = money_format_idr(sen, idr, sizeof idr);
    assert(n > 0 && (size_t) n == strlen(idr) && strncmp(idr, "Rp ", 3) == 0);
}

static void check_date(const char *text) {
    int32_t days = 0, rebuilt = 0;
    char buf[DATE_FORMAT_MAX];
    int rc = date_parse(text, &days);
    if (rc != 0) {
        assert(rc < 0 && date_error_text(rc) != NULL);
        return;
    }
    assert(date_format(days, buf, sizeof buf) == 10 && strcmp(buf, text) == 0);
    int y, m, d;
    date_to_ymd(days, &y, &m, &d);
    assert(date_from_ymd(y, m, d, &rebuilt) == 0 && rebuilt == days);
}

static void check_nik(const char *text) {
    nik_t nik;
    char message[NIK_MESSAGE_MAX];
    int rc = nik_parse(text, &nik);
    if (rc != 0) {
        int n = nik_error_message(text, rc, message, sizeof message);
        assert(n > 0 && (size_t) n == strlen(message));
        return;
    }
    int32_t born = 0, today = 0;
    assert(date_from_ymd(2026, 12, 1, &today) == 0);
    assert(nik_birth_date(&nik, today, &born) == 0);
    assert(nik_check_person(&nik, born, NIK_SEX_UNKNOWN) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > TEXT_MAX) return 0;
    char text[TEXT_MAX + 1];
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    switch (data[0] % 3) {
    case 0: check_money(text); break;
    case 1: check_date(text); break;
    default: check_nik(text); break;
    }
    return 0;
}
