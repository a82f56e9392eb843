/* replica (transactions): what the savings rules and an exiting member rely on — a cooperative
   is kept with the settings the rules need (principal and mandatory amounts, mandatory period,
   voluntary minimum, time zone), settings left out keep their defaults (zero, monthly), and a
   new cooperative gets the standard chart once; a member is kept with cooperative, status and
   dates; a member's exit posts the settlement (principal + mandatory + voluntary refunded) in
   the same transaction, once even when the event is applied again. Against a real store, the
   ledger and savings. */
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
#include "../../services/transactions/replica.h"
#include "../../services/transactions/savings.h"
#include "../../services/transactions/store.h"

#define K(x) LUMBUNG__SAVINGS_KIND__SAVINGS_KIND_##x
#define MP(x) LUMBUNG__MANDATORY_PERIOD__MANDATORY_PERIOD_##x

#include "tx_fixture.h"
#include "tx_helpers.h"

enum { COOP3 = 3, DEWI = 30, CHART_ACCOUNTS = 31 };

static tx_coop_t coop_record(fx_t *f, uint64_t id) {
    tx_coop_t c;
    assert_int_equal(tx_store_get_coop(&f->db, f->txn, id, &c), 0);
    return c;
}

static size_t accounts(fx_t *f, uint64_t coop) {
    Lumbung__AccountList *list;
    assert_int_equal(tx_ledger_list_accounts(&f->ctx, coop, &list, &f->err), 0);
    return list->n_items;
}

static void deposit(fx_t *f, uint64_t member, Lumbung__SavingsKind kind, int64_t sen) {
    Lumbung__SavingsMovement mv = tx_movement(COOP, member, kind, sen);
    Lumbung__SavingsPosted *p;
    assert_int_equal(tx_savings_move(&f->ctx, &mv, true, &p, &f->err), 0);
}

static void coop_event(fx_t *f, Lumbung__MembersEvent__BodyCase body, Lumbung__Cooperative *c,
                       uint64_t seq) {
    Lumbung__MembersEvent ev = LUMBUNG__MEMBERS_EVENT__INIT;
    ev.body_case = body;
    if (body == LUMBUNG__MEMBERS_EVENT__BODY_COOPERATIVE_CREATED) ev.cooperative_created = c;
    else ev.cooperative_updated = c;
    assert_int_equal(apply(f, &ev, seq), 0);
}

/* ------------------------------------------------------------------ tests */

static void a_cooperative_is_kept_with_its_settings_and_a_chart(void **state) {
    fx_t *f = *state;
    tx_coop_t c = coop_record(f, COOP);
    assert_true(c.principal_sen == PRINCIPAL_SEN);
    assert_true(c.mandatory_sen == MANDATORY_SEN);
    assert_int_equal(c.period_months, 1);
    assert_true(c.voluntary_min_sen == 0);
    assert_int_equal(c.members_seq, 1);
    assert_int_equal(coop_record(f, COOP2).members_seq, 2);
    assert_int_equal(accounts(f, COOP), CHART_ACCOUNTS);
    assert_int_equal(tx_account_balance(f, COOP, "3-101"), 0);
}

static void settings_left_out_keep_their_defaults(void **state) {
    fx_t *f = *state;
    Lumbung__Cooperative c = LUMBUNG__COOPERATIVE__INIT;
    c.has_id = 1;
    c.id = COOP3;
    coop_event(f, LUMBUNG__MEMBERS_EVENT__BODY_COOPERATIVE_CREATED, &c, 9);
    tx_coop_t r = coop_record(f, COOP3);
    assert_true(r.principal_sen == 0 && r.mandatory_sen == 0 && r.voluntary_min_sen == 0);
    assert_int_equal(r.period_months, 1);
    assert_int_equal(r.members_seq, 9);
    assert_int_equal(accounts(f, COOP3), CHART_ACCOUNTS);
}

static void an_update_overwrites_the_settings_and_keeps_the_chart(void **state) {
    fx_t *f = *state;
    deposit(f, ALICE, K(VOLUNTARY), 123400);
    Lumbung__CooperativeSettings s = LUMBUNG__COOPERATIVE_SETTINGS__INIT;
    s.has_principal_amount_sen = s.has_mandatory_period = s.has_voluntary_min_balance_sen = 1;
    s.principal_amount_sen = 20000000;
    s.mandatory_period = MP(QUARTERLY);
    s.voluntary_min_balance_sen = 500000;
    s.time_zone = "Asia/Makassar";
    Lumbung__Cooperative c = LUMBUNG__COOPERATIVE__INIT;
    c.has_id = 1;
    c.id = COOP;
    c.settings = &s;
    coop_event(f, LUMBUNG__MEMBERS_EVENT__BODY_COOPERATIVE_UPDATED, &c, 7);
    tx_coop_t r = coop_record(f, COOP);
    assert_true(r.principal_sen == 20000000);
    assert_true(r.mandatory_sen == 0);       /* left out: the default, not the old value */
    assert_int_equal(r.period_months, 3);
    assert_true(r.voluntary_min_sen == 500000);
    assert_int_equal(r.zone_hours, 8);
    assert_int_equal(r.members_seq, 7);
    /* the chart is not made twice and its balances stay */
    assert_int_equal(accounts(f, COOP), CHART_ACCOUNTS);
    assert_int_equal(tx_account_balance(f, COOP, "2-101"), 123400);
}

static void the_mandatory_periods_in_months(void **state) {
    (void) state;
    assert_int_equal(tx_replica_period_months(MP(UNSPECIFIED)), 1);
    assert_int_equal(tx_replica_period_months(MP(MONTHLY)), 1);
    assert_int_equal(tx_replica_period_months(MP(WEEKLY)), 0);
    assert_int_equal(tx_replica_period_months(MP(QUARTERLY)), 3);
    assert_int_equal(tx_replica_period_months(MP(SEMIANNUAL)), 6);
    assert_int_equal(tx_replica_period_months(MP(ANNUAL)), 12);
}

static void a_member_is_kept_with_cooperative_status_and_dates(void **state) {
    fx_t *f = *state;
    tx_member_t m;
    assert_int_equal(tx_store_get_member(&f->db, f->txn, CITRA, &m), 0);
    assert_int_equal(m.coop, COOP2);
    assert_int_equal(m.status, TX_MEMBER_ACTIVE);
    assert_int_equal(m.joined_on, unit_day("2024-01-15"));
    /* an update that leaves the cooperative and date out keeps them */
    Lumbung__Member u = LUMBUNG__MEMBER__INIT;
    u.has_id = 1;
    u.id = CITRA;
    Lumbung__MembersEvent ev = LUMBUNG__MEMBERS_EVENT__INIT;
    ev.body_case = LUMBUNG__MEMBERS_EVENT__BODY_MEMBER_UPDATED;
    ev.member_updated = &u;
    assert_int_equal(apply(f, &ev, 8), 0);
    assert_int_equal(tx_store_get_member(&f->db, f->txn, CITRA, &m), 0);
    assert_int_equal(m.coop, COOP2);
    assert_int_equal(m.joined_on, unit_day("2024-01-15"));
    assert_int_equal(tx_store_get_member(&f->db, f->txn, DEWI, &m), ERR_NOT_FOUND);
}

static void an_exit_posts_the_settlement_once(void **state) {
    fx_t *f = *state;
    deposit(f, ALICE, K(PRINCIPAL), 0);
    deposit(f, ALICE, K(MANDATORY), 2 * MANDATORY_SEN);
    deposit(f, ALICE, K(VOLUNTARY), 345600);
    deposit(f, BUDI, K(VOLUNTARY), 100000);
    member_event(f, ALICE, COOP, true, 6);
    tx_member_t m;
    assert_int_equal(tx_store_get_member(&f->db, f->txn, ALICE, &m), 0);
    assert_int_equal(m.status, TX_MEMBER_EXITED);
    assert_int_equal(m.exited_on, unit_day("2025-06-30"));
    Lumbung__Settlement *st;
    assert_int_equal(tx_savings_get_settlement(&f->ctx, COOP, ALICE, &st, &f->err), 0);
    assert_true(st->principal_sen == PRINCIPAL_SEN);
    assert_true(st->mandatory_sen == 2 * MANDATORY_SEN);
    assert_true(st->voluntary_sen == 345600);
    assert_true(st->refund_sen == PRINCIPAL_SEN + 2 * MANDATORY_SEN + 345600);
    assert_true(st->debts_sen == 0);
    assert_true(st->net_sen == st->refund_sen);
    assert_true(st->entry_id != 0);
    assert_int_equal(st->members_seq, 6);
    uint64_t entry = st->entry_id;
    /* her savings went back to her in cash; Budi's stay */
    assert_int_equal(tx_account_balance(f, COOP, "3-101"), 0);
    assert_int_equal(tx_account_balance(f, COOP, "3-102"), 0);
    assert_int_equal(tx_account_balance(f, COOP, "2-101"), 100000);
    assert_int_equal(tx_account_balance(f, COOP, "1-101"), 100000);
    /* the same event again (a replay) settles nothing more */
    member_event(f, ALICE, COOP, true, 6);
    assert_int_equal(tx_savings_get_settlement(&f->ctx, COOP, ALICE, &st, &f->err), 0);
    assert_int_equal(st->entry_id, entry);
    assert_int_equal(tx_account_balance(f, COOP, "1-101"), 100000);
    assert_int_equal(tx_account_balance(f, COOP, "2-101"), 100000);
}

static void other_events_and_events_without_an_id_change_nothing(void **state) {
    fx_t *f = *state;
    Lumbung__Cooperative c = LUMBUNG__COOPERATIVE__INIT;   /* no id */
    coop_event(f, LUMBUNG__MEMBERS_EVENT__BODY_COOPERATIVE_CREATED, &c, 10);
    Lumbung__Member m = LUMBUNG__MEMBER__INIT;             /* no id */
    Lumbung__MembersEvent ev = LUMBUNG__MEMBERS_EVENT__INIT;
    ev.body_case = LUMBUNG__MEMBERS_EVENT__BODY_MEMBER_JOINED;
    ev.member_joined = &m;
    assert_int_equal(apply(f, &ev, 11), 0);
    Lumbung__MembersEvent none = LUMBUNG__MEMBERS_EVENT__INIT;
    assert_int_equal(apply(f, &none, 12), 0);
    tx_coop_t r;
    assert_int_equal(tx_store_get_coop(&f->db, f->txn, 0, &r), ERR_NOT_FOUND);
    tx_member_t mr;
    assert_int_equal(tx_store_get_member(&f->db, f->txn, 0, &mr), ERR_NOT_FOUND);
    assert_int_equal(coop_record(f, COOP).members_seq, 1);
}

int main(void) {
    unit_quiet_logs("test_transactions_replica");
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(a_cooperative_is_kept_with_its_settings_and_a_chart),
        T(settings_left_out_keep_their_defaults),
        T(an_update_overwrites_the_settings_and_keeps_the_chart),
        cmocka_unit_test(the_mandatory_periods_in_months),
        T(a_member_is_kept_with_cooperative_status_and_dates),
        T(an_exit_posts_the_settlement_once),
        T(other_events_and_events_without_an_id_change_nothing),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
