/* tx_helpers — what the transactions rules tests built on tx_fixture.h share: a refusal's
   exact kind, code and field, an account's balance, a savings movement of the fixture's date,
   and the end of a unit of work (flush, commit, a new one). Header-only (static inline, so a
   test file that uses some of them does not warn about the rest). Include after
   tx_fixture.h and the transactions ledger.h. */
#ifndef LUMBUNG_TESTS_TX_HELPERS_H
#define LUMBUNG_TESTS_TX_HELPERS_H

static inline void tx_expect_rejected(const problem_t *err, int rc, Lumbung__ErrorKind kind,
                                      const char *code, const char *field) {
    assert_int_equal(rc, ERR_REJECTED);
    assert_int_equal(err->kind, kind);
    assert_string_equal(err->code, code);
    assert_string_equal(err->field, field);
}

static inline int64_t tx_account_balance(fx_t *f, uint64_t coop, const char *code) {
    Lumbung__AccountList *list;
    assert_int_equal(tx_ledger_list_accounts(&f->ctx, coop, &list, &f->err), 0);
    for (size_t i = 0; i < list->n_items; i++)
        if (!strcmp(list->items[i]->code, code)) return list->items[i]->balance_sen;
    fail_msg("no account %s", code);
    return 0;
}

/* Stores account `code` of `coop` (class 1, named "account CODE") with `debit` sen debited. */
static inline void tx_open_account(fx_t *f, uint64_t coop, const char *code, int64_t debit) {
    tx_account_t a = { .class_ = 1, .debit_total_sen = debit };
    a.name_len = (size_t) snprintf(a.name, sizeof a.name, "account %s", code);
    assert_int_equal(tx_store_put_account(&f->db, f->txn, coop, code, &a), 0);
}

/* The debit total of account `code` as stored (not as the unit of work's cache has it). */
static inline int64_t tx_stored_debit(fx_t *f, uint64_t coop, const char *code) {
    tx_account_t a;
    assert_int_equal(tx_store_get_account(&f->db, f->txn, coop, code, &a), 0);
    return a.debit_total_sen;
}

/* A movement of `member` of `coop` (0: none named) dated 2025-01-10; amount 0: left out. */
static inline Lumbung__SavingsMovement tx_movement(uint64_t coop, uint64_t member,
                                                   Lumbung__SavingsKind kind, int64_t sen) {
    Lumbung__SavingsMovement mv = LUMBUNG__SAVINGS_MOVEMENT__INIT;
    mv.has_cooperative_id = coop != 0;
    mv.cooperative_id = coop;
    mv.has_member_id = mv.has_kind = mv.has_value_date = 1;
    mv.member_id = member;
    mv.kind = kind;
    mv.has_amount_sen = sen != 0;
    mv.amount_sen = sen;
    mv.value_date = unit_day("2025-01-10");
    return mv;
}

/* Dr Kas 1-101 / Cr Modal penyertaan 3-401 `sen` on 2025-01-01 in `coop`, with `memo` (NULL:
   none): cash in hand for the tests that pay out. Returns the entry. */
static inline Lumbung__JournalEntry *tx_fund(fx_t *f, uint64_t coop, int64_t sen,
                                             const char *memo) {
    Lumbung__JournalLine l[2] = { LUMBUNG__JOURNAL_LINE__INIT, LUMBUNG__JOURNAL_LINE__INIT };
    Lumbung__JournalLine *lines[2] = { &l[0], &l[1] };
    l[0].account = "1-101";
    l[0].has_debit_sen = 1;
    l[0].debit_sen = sen;
    l[1].account = "3-401";
    l[1].has_credit_sen = 1;
    l[1].credit_sen = sen;
    Lumbung__PostEntry e = LUMBUNG__POST_ENTRY__INIT;
    e.has_cooperative_id = e.has_value_date = 1;
    e.cooperative_id = coop;
    e.value_date = unit_day("2025-01-01");
    e.memo = (char *) memo;
    e.n_lines = 2;
    e.lines = lines;
    Lumbung__JournalEntry *out;
    assert_int_equal(tx_ledger_post_manual(&f->ctx, &e, &out, &f->err), 0);
    return out;
}

static inline int64_t tx_number_events(void *arg, Lumbung__Event *ev,
                                       const pb_splice_field_t *body) {
    (void) arg, (void) ev, (void) body;
    static int64_t seq;
    return ++seq;
}

/* Ends the unit of work (its savings records, accounts and index rows are written), commits,
   and starts the next one over a new write txn. */
static inline void tx_next_unit_of_work(fx_t *f) {
    assert_int_equal(tx_ctx_flush(&f->ctx, tx_number_events, NULL), 0);
    assert_int_equal(store_commit(&f->txn), 0);
    assert_int_equal(store_begin(f->store, false, &f->txn), 0);
    tx_ctx_init(&f->ctx, &f->db, f->txn, f->arena, "tester");
}

#endif
