/*  verify — checks a transactions store offline, for `lumbungctl verify`: every journal
    entry balances (debits = credits = its total), every line names an account of the chart,
    and every account's stored debit and credit totals equal the sums of its lines.

    Reads only (the tables are opened without creating them); run it on a stopped service's
    store or on a backup copy. Problems are printed to `out` (the first TX_VERIFY_SHOWN of
    them, each saying what is wrong and where), and counted.

    Not for: the outbox and replica cursors (common to every service: lumbungctl checks them),
    or repairing anything. */
#ifndef LUMBUNG_TX_VERIFY_H
#define LUMBUNG_TX_VERIFY_H

#include <stdint.h>
#include <stdio.h>
#include <store.h>

enum { TX_VERIFY_SHOWN = 20 };

typedef struct {
    uint64_t entries, accounts, problems;
} tx_verify_result_t;

/* 0 with *result filled (problems may be > 0), or a negative code when the store cannot be
   read at all. */
int tx_verify(store_t *store, FILE *out, tx_verify_result_t *result);

#endif
