#include "verify.h"
#include "store.h"
#include "bytes.h"
#include "transactions.pb-c.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint8_t key[TX_ACCOUNT_KEY_MAX];
    size_t klen;
    int64_t stored_debit, stored_credit, lines_debit, lines_credit;
} account_sum_t;

typedef struct {
    FILE *out;
    tx_verify_result_t *r;
    account_sum_t *accounts;
    size_t count, cap;
} verify_t;

static void problem(verify_t *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(verify_t *v, const char *fmt, ...) {
    if (v->r->problems++ >= TX_VERIFY_SHOWN) return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(v->out, "transactions: ");
    vfprintf(v->out, fmt, ap);
    fputc('\n', v->out);
    va_end(ap);
}

/* LMDB's own order: bytes, then length. */
static int key_cmp(const void *a, const void *b) {
    const account_sum_t *x = a, *y = b;
    size_t n = x->klen < y->klen ? x->klen : y->klen;
    int c = memcmp(x->key, y->key, n);
    return c ? c : (x->klen > y->klen) - (x->klen < y->klen);
}

static void account_name(const uint8_t *key, size_t klen, char *out, size_t size) {
    snprintf(out, size, "cooperative %" PRIu64 " account %.*s", be64_read(key), (int) (klen - 8),
             (const char *) key + 8);
}

typedef void (*row_fn)(verify_t *v, const uint8_t *k, size_t kl, const void *val, size_t vl);

/* Hands every row of table t to `row`: the checks read whole tables, problems and all. */
static int each_row(verify_t *v, store_txn_t *txn, store_table_t t, row_fn row) {
    store_scan_t scan;
    int rc = store_scan_open(&scan, txn, t, &(store_range_t){ 0 });
    if (rc != 0) return rc;
    while ((rc = store_scan_next(&scan)) == 0)
        row(v, scan.key, scan.key_len, scan.val, scan.val_len);
    return store_scan_close(&scan, rc);
}

static void load_account(verify_t *v, const uint8_t *k, size_t kl, const void *val, size_t vl) {
    char where[64];
    account_name(k, kl < 8 ? 8 : kl, where, sizeof where);
    tx_account_t a;
    if (kl <= 8 || kl > TX_ACCOUNT_KEY_MAX || tx_account_decode(val, vl, &a) != 0) {
        problem(v, "%s: the account record cannot be read (%zu-byte key, %zu-byte value)",
                kl >= 8 ? where : "a key", kl, vl);
        return;
    }
    if (v->count == v->cap) {
        v->cap = v->cap ? 2 * v->cap : 256;
        if (!(v->accounts = realloc(v->accounts, v->cap * sizeof *v->accounts))) abort();
    }
    account_sum_t *s = &v->accounts[v->count++];
    memset(s, 0, sizeof *s);
    memcpy(s->key, k, kl);
    s->klen = kl;
    s->stored_debit = a.debit_total_sen;
    s->stored_credit = a.credit_total_sen;
}

static void check_entry(verify_t *v, uint64_t id, const Lumbung__JournalEntry *e) {
    int64_t debit = 0, credit = 0;
    for (size_t i = 0; i < e->n_lines; i++) {
        const Lumbung__JournalLine *l = e->lines[i];
        if (l->debit_sen < 0 || l->credit_sen < 0)
            problem(v, "entry %" PRIu64 " line %zu: a negative amount", id, i + 1);
        debit += l->debit_sen;
        credit += l->credit_sen;
        account_sum_t probe = { .klen = 8 };
        be64_write(probe.key, e->cooperative_id);
        size_t n = l->account ? strlen(l->account) : 0;
        account_sum_t *a = NULL;
        if (n > 0 && n <= TX_CODE_MAX) {
            memcpy(probe.key + 8, l->account, n);
            probe.klen = 8 + n;
            a = bsearch(&probe, v->accounts, v->count, sizeof *v->accounts, key_cmp);
        }
        if (!a) {
            problem(v, "entry %" PRIu64 " line %zu names account '%s', not in the chart of "
                    "cooperative %" PRIu64, id, i + 1, l->account ? l->account : "", e->cooperative_id);
            continue;
        }
        a->lines_debit += l->debit_sen;
        a->lines_credit += l->credit_sen;
    }
    if (debit != credit)
        problem(v, "entry %" PRIu64 " (cooperative %" PRIu64 ") does not balance: debits %" PRId64
                " sen, credits %" PRId64 " sen", id, e->cooperative_id, debit, credit);
    else if (e->has_total_sen && e->total_sen != debit)
        problem(v, "entry %" PRIu64 ": total_sen %" PRId64 " but its lines sum to %" PRId64,
                id, e->total_sen, debit);
}

static void check_entry_row(verify_t *v, const uint8_t *k, size_t kl, const void *val,
                            size_t vl) {
    v->r->entries++;
    uint64_t id = kl == 8 ? be64_read(k) : 0;
    Lumbung__JournalEntry *e = lumbung__journal_entry__unpack(NULL, vl, val);
    if (!e || kl != 8) {
        problem(v, "entry %" PRIu64 ": the record cannot be read", id);
        if (e) lumbung__journal_entry__free_unpacked(e, NULL);
        return;
    }
    check_entry(v, id, e);
    lumbung__journal_entry__free_unpacked(e, NULL);
}

static void compare_totals(verify_t *v) {
    for (size_t i = 0; i < v->count; i++) {
        const account_sum_t *a = &v->accounts[i];
        if (a->stored_debit == a->lines_debit && a->stored_credit == a->lines_credit) continue;
        char where[64];
        account_name(a->key, a->klen, where, sizeof where);
        problem(v, "%s: stored totals debit %" PRId64 " / credit %" PRId64 " sen, but its lines "
                "sum to debit %" PRId64 " / credit %" PRId64 " sen", where, a->stored_debit,
                a->stored_credit, a->lines_debit, a->lines_credit);
    }
}

int tx_verify(store_t *store, FILE *out, tx_verify_result_t *result) {
    memset(result, 0, sizeof *result);
    verify_t v = { .out = out, .r = result };
    /* Tables first: a handle opened now is usable by the txn begun after. A store without
       them has no books yet. */
    store_table_t accounts, entries;
    int rc = store_table_existing(store, "tx_accounts", &accounts);
    if (rc == 0) rc = store_table_existing(store, "tx_entries", &entries);
    if (rc == ERR_NOT_FOUND) return 0;
    if (rc != 0) return rc;
    store_txn_t *txn;
    if ((rc = store_begin(store, true, &txn)) != 0) return rc;
    rc = each_row(&v, txn, accounts, load_account);
    v.r->accounts = v.count;
    if (rc == 0) rc = each_row(&v, txn, entries, check_entry_row);
    if (rc == 0) compare_totals(&v);
    store_abort(&txn);
    free(v.accounts);
    if (result->problems > TX_VERIFY_SHOWN)
        fprintf(out, "transactions: ... and %" PRIu64 " more problems\n",
                result->problems - TX_VERIFY_SHOWN);
    return rc;
}
