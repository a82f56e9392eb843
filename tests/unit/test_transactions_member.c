/* member (transactions): what a teller relies on before anything is posted for a member — the
   cooperative must be named and known, the member must be known to this service, belong to
   that cooperative, and (for a posting) not have left it; each refusal names "member_id" (or
   "cooperative_id") with its own code, and a member of another cooperative is a RULE refusal
   for a posting but a plain NOT_FOUND for a read. Against a real store and the members
   replica. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "unit.h"

#include "date.h"
#include "../../services/transactions/ledger.h"
#include "../../services/transactions/member.h"
#include "../../services/transactions/replica.h"
#include "../../services/transactions/store.h"

#define EK(x) LUMBUNG__ERROR_KIND__ERROR_KIND_##x

#include "tx_fixture.h"
#include "tx_helpers.h"

static int check(fx_t *f, uint64_t coop, uint64_t member, bool active, Lumbung__ErrorKind other,
                 tx_member_t *out) {
    memset(&f->err, 0, sizeof f->err);
    return tx_member_check(&f->ctx, coop, member, active, other, out, &f->err);
}

static void an_active_member_of_the_cooperative_passes_with_its_record(void **state) {
    fx_t *f = *state;
    tx_member_t m;
    memset(&m, 0xff, sizeof m);
    assert_int_equal(check(f, COOP, ALICE, true, EK(RULE), &m), 0);
    assert_int_equal(m.coop, COOP);
    assert_int_equal(m.status, TX_MEMBER_ACTIVE);
    assert_int_equal(m.joined_on, unit_day("2024-01-15"));
    assert_int_equal(check(f, COOP2, CITRA, true, EK(RULE), &m), 0);
    assert_int_equal(m.coop, COOP2);
}

static void the_cooperative_must_be_named_and_known(void **state) {
    fx_t *f = *state;
    tx_member_t m;
    tx_expect_rejected(&f->err, check(f, 0, ALICE, true, EK(RULE), &m), EK(INVALID), "missing_field",
                    "cooperative_id");
    tx_expect_rejected(&f->err, check(f, 99, ALICE, true, EK(RULE), &m), EK(NOT_FOUND),
                    "cooperative_not_found", "cooperative_id");
}

static void the_member_must_be_named_and_known(void **state) {
    fx_t *f = *state;
    tx_member_t m;
    tx_expect_rejected(&f->err, check(f, COOP, 0, true, EK(RULE), &m), EK(INVALID), "missing_field",
                    "member_id");
    tx_expect_rejected(&f->err, check(f, COOP, 12345, false, EK(RULE), &m), EK(NOT_FOUND),
                    "member_not_found", "member_id");
}

static void a_member_of_another_cooperative_is_refused_as_the_caller_says(void **state) {
    fx_t *f = *state;
    tx_member_t m;
    tx_expect_rejected(&f->err, check(f, COOP, CITRA, true, EK(RULE), &m), EK(RULE),
                    "member_of_other_cooperative", "member_id");
    tx_expect_rejected(&f->err, check(f, COOP2, ALICE, false, EK(NOT_FOUND), &m), EK(NOT_FOUND),
                    "member_of_other_cooperative", "member_id");
}

static void an_exited_member_can_be_read_but_not_posted_for(void **state) {
    fx_t *f = *state;
    member_event(f, BUDI, COOP, true, 6);   /* exits on 2025-06-30 (and is settled) */
    tx_member_t m;
    tx_expect_rejected(&f->err, check(f, COOP, BUDI, true, EK(RULE), &m), EK(RULE), "member_not_active",
                    "member_id");
    assert_non_null(strstr(f->err.message, "2025-06-30"));
    assert_int_equal(check(f, COOP, BUDI, false, EK(NOT_FOUND), &m), 0);
    assert_int_equal(m.status, TX_MEMBER_EXITED);
    assert_int_equal(m.exited_on, unit_day("2025-06-30"));
    /* the others are unaffected */
    assert_int_equal(check(f, COOP, ALICE, true, EK(RULE), &m), 0);
}

int main(void) {
    unit_quiet_logs("test_transactions_member");
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(an_active_member_of_the_cooperative_passes_with_its_record),
        T(the_cooperative_must_be_named_and_known),
        T(the_member_must_be_named_and_known),
        T(a_member_of_another_cooperative_is_refused_as_the_caller_says),
        T(an_exited_member_can_be_read_but_not_posted_for),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
