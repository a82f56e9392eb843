/*  txseed — writes many loans into a stopped transactions store through the service's own
    rules, for the system tests of a close-day at district scale (200,000 loans in seconds
    rather than the minutes 400,000 bus requests would take).

    Usage: txseed DATA_DIR COOP LOANS MEMBER...
    Each loan is applied and disbursed by tx_loans_apply() and tx_loans_disburse(), exactly as
    the handlers would (the same records, indexes, journal entries and events), round-robin over
    the members given, in write transactions of SEED_TXN_LOANS loans. Terms: Rp 1.000.000 over
    12 monthly instalments, flat 12 %, applied 05/01/2025, disbursed 10/01/2025, first due
    10/02/2025. The members must be in the store's members replica already, and the
    cooperative's cash account must hold the principal.
    Not for: production; it is never installed, and the service must not run meanwhile. */
#include "date.h"
#include "outbox.h"
#include "../../services/transactions/context.h"
#include "../../services/transactions/lending.h"
#include "../../services/transactions/store.h"

#include <stdio.h>
#include <stdlib.h>

enum { SEED_TXN_LOANS = 2000, SEED_MEMBERS_MAX = 1000 };

typedef struct {
    tx_store_t *db;
    outbox_t *outbox;
    store_txn_t *txn;
} seed_t;

static int64_t emit(void *arg, Lumbung__Event *event, const pb_splice_field_t *body) {
    seed_t *s = arg;
    return outbox_append_packed(s->outbox, s->txn, event, body);
}

/* One loan applied and disbursed, its events appended; 0 or the failing code. */
static int seed_loan(seed_t *s, arena_t *arena, uint64_t coop, uint64_t member) {
    tx_ctx_t ctx;
    tx_ctx_init(&ctx, s->db, s->txn, arena, "txseed");
    problem_t err = { 0 };
    Lumbung__ApplyLoan a = LUMBUNG__APPLY_LOAN__INIT;
    a.has_cooperative_id = a.has_member_id = a.has_principal_sen = 1;
    a.has_annual_rate_bp = a.has_instalments = a.has_frequency = a.has_method = 1;
    a.cooperative_id = coop;
    a.member_id = member;
    a.principal_sen = 100000000;
    a.annual_rate_bp = 1200;
    a.instalments = 12;
    a.frequency = LUMBUNG__LOAN_FREQUENCY__LOAN_FREQUENCY_MONTHLY;
    a.method = LUMBUNG__LOAN_METHOD__LOAN_METHOD_FLAT;
    date_parse("2025-02-10", &a.first_due_on);
    date_parse("2025-01-05", &a.applied_on);
    a.has_first_due_on = a.has_applied_on = 1;
    Lumbung__Loan *loan;
    int rc = tx_loans_apply(&ctx, &a, &loan, &err);
    Lumbung__DisburseLoan d = LUMBUNG__DISBURSE_LOAN__INIT;
    d.has_cooperative_id = d.has_loan_id = 1;
    d.cooperative_id = coop;
    d.loan_id = rc == 0 ? loan->id : 0;
    d.has_value_date = 1;
    date_parse("2025-01-10", &d.value_date);
    Lumbung__LoanPosted *posted;
    if (rc == 0) rc = tx_loans_disburse(&ctx, &d, &posted, &err);
    if (rc == 0) rc = tx_ctx_flush(&ctx, emit, s);
    if (rc == ERR_REJECTED) fprintf(stderr, "txseed: %s: %s\n", err.code, err.message);
    return rc;
}

int main(int argc, char **argv) {
    if (argc < 5 || argc - 4 > SEED_MEMBERS_MAX) {
        fprintf(stderr, "usage: txseed DATA_DIR COOP LOANS MEMBER...\n");
        return 2;
    }
    char dir[600];
    snprintf(dir, sizeof dir, "%s/transactions", argv[1]);
    uint64_t coop = strtoull(argv[2], NULL, 10);
    long loans = strtol(argv[3], NULL, 10);
    int err = 0;
    store_t *store = store_new(dir, &err);
    outbox_t *outbox = store ? outbox_new(store, "transactions", &err) : NULL;
    tx_store_t db;
    if (!outbox || (err = tx_store_open(&db, store)) != 0) {
        fprintf(stderr, "txseed: cannot open %s (%d)\n", dir, err);
        return 1;
    }
    seed_t s = { .db = &db, .outbox = outbox };
    arena_t *arena = arena_new();
    int rc = 0;
    for (long done = 0; done < loans && rc == 0;) {
        long first = done;
        if ((rc = store_begin(store, false, &s.txn)) != 0) break;
        for (int i = 0; i < SEED_TXN_LOANS && done < loans && rc == 0; i++, done++) {
            arena_reset(arena);
            rc = seed_loan(&s, arena, coop, strtoull(argv[4 + done % (argc - 4)], NULL, 10));
        }
        if (rc == ERR_MAP_FULL) {            /* redo the transaction in a bigger map */
            store_abort(&s.txn);
            done = first;
            rc = store_grow(store);
            continue;
        }
        if (rc == 0) rc = store_commit(&s.txn);
        else store_abort(&s.txn);
    }
    arena_destroy(&arena);
    outbox_destroy(&outbox);
    store_destroy(&store);
    if (rc != 0) fprintf(stderr, "txseed: failed with %d\n", rc);
    else printf("%ld\n", loans);
    return rc == 0 ? 0 : 1;
}
