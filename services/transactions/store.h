/*  store — the tables of the transactions service and the byte layout of every key and
    value in them.

    All tables live in the service's one LMDB store (common/store.h). Keys are fixed-width
    big-endian integers and short byte strings so LMDB's order is numeric order. Values are
    either packed records with a version byte in front (the hot records a posting rewrites) or
    serialized protobuf messages of proto/transactions.proto (records read whole, rarely
    rewritten). Dates inside keys are int32 day counts (common/date.h) stored as u32 with the
    sign bit flipped, so earlier dates sort first, negative day counts included.

    Table            key                                   value
    ---------------  ------------------------------------  ------------------------------------
    tx_coops         coop u64                              coop record (replica of members)
    tx_members       member u64                            member record (replica of members)
    tx_accounts      coop u64 | code (1..16 bytes)         account record: chart entry + totals
    tx_roles         coop u64 | role u32                   code of the account the service posts
                                                           to for that role (the first one)
    tx_entries       entry id u64 (MDB_APPEND)             lumbung.JournalEntry, immutable
    tx_coop_entries  coop u64 | date | entry id u64        index run: journal by cooperative +
                                                           date
    tx_account_lines coop u64 | code[16] | date | id u64   index run: journal by account + date
    tx_reversals     entry id u64                          id u64 of the entry reversing it
    tx_savings       member u64 | kind u8                  savings record
    tx_time_deposits time deposit id u64 (MDB_APPEND)      lumbung.TimeDeposit
    tx_member_tds    member u64 | time deposit id u64      empty: a member's time deposits
    tx_settlements   member u64                            lumbung.Settlement
    tx_loans         loan id u64 (MDB_APPEND)              lumbung.Loan: terms, schedule, state
                                                           (the as_of view fields never stored)
    tx_coop_loans    coop u64 | loan id u64                empty: a cooperative's loans
    tx_member_loans  member u64 | loan id u64              empty: a member's loans
    tx_close_days    coop u64                              lumbung.DayClosed of the last close
    tx_id_floors     table name ("tx_entries", ...)        u64: ids of this shard's range up to
                                                           it are taken (written only by
                                                           lumbungctl move-cooperative)
    tx_close_steps   coop u64                              close progress record of a close-day
                                                           under way (deleted by its last step)
    cursors          (follower.h)                          the members stream cursor
    outbox, idempotency tables                             (service.h, outbox.h)

    Index runs (tx_coop_entries, tx_account_lines; index_runs.h): a row stands for the entries
    from the id in its key to the last id of the run, every id between of the same cooperative,
    date (and account): an empty value is the one entry of its key (every row before runs), an
    8-byte value is the last id u64 (greater than the key's).

    Packed records (all integers big-endian, signed ones two's complement):
      coop     v1: [0] version=1 [1] mandatory period in months (1, 3, 6, 12; 0 weekly)
                   [2] zone: hours east of UTC (7, 8, 9; 0 = 7) [3..7] zero
                   [8] principal_sen i64 [16] mandatory_sen i64 [24] voluntary_min_sen i64
                   [32] updated by members seq u64                                 40 bytes
      member   v1: [0] version=1 [1] status (1 active, 2 exited) [2..3] zero
                   [4] joined_on i32 [8] coop u64 [16] exited_on i32 [20..23] zero  24 bytes
      account  v1: [0] version=1 [1] class [2] role [3] flags (1 = standard chart) [4..7] zero
                   [8] debit_total_sen i64 [16] credit_total_sen i64 [24] name length u16
                   [26] name bytes (UTF-8, at most TX_ACCOUNT_NAME_MAX)
      savings  v1: [0] version=1 [1..7] zero [8] balance_sen i64 [16] paid_sen i64
                   [24] withdrawn_sen i64                                           32 bytes
      close    v1: [0] version=1 [1..3] zero [4] business date i32 [8] next loan id u64
                   [16] loans u32 [20] reclassified u32 [24] late_fees_sen i64
                   [32] outstanding_principal_sen i64 [40] outstanding principal by class
                   i64 x TX_CLOSE_CLASSES (index = LoanClass)                       80 bytes

    Not for: rules (ledger.c, savings.c) or reading any other service's store. */
#ifndef LUMBUNG_TX_STORE_H
#define LUMBUNG_TX_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
/* Angle brackets on purpose: this file is also named store.h; this finds common/store.h. */
#include <store.h>
#include "date.h"
#include "id_range.h"
#include <arena.h>
#include <protobuf-c/protobuf-c.h>

enum {
    TX_CODE_MAX = 16,                 /* bytes of an account code */
    TX_ACCOUNT_NAME_MAX = 96,         /* bytes of an account name */
    TX_COOP_RECORD_SIZE = 40,
    TX_MEMBER_RECORD_SIZE = 24,
    TX_ACCOUNT_RECORD_HEADER = 26,
    TX_ACCOUNT_RECORD_MAX = TX_ACCOUNT_RECORD_HEADER + TX_ACCOUNT_NAME_MAX,
    TX_SAVINGS_RECORD_SIZE = 32,
    TX_CLOSE_CLASSES = 5,             /* ALLOWANCE_CLASSES + 1: LoanClass 0 (unset) .. 4 */
    TX_CLOSE_RECORD_SIZE = 40 + 8 * TX_CLOSE_CLASSES,
    TX_RECORD_VERSION = 1,
    TX_ACCOUNT_KEY_MAX = 8 + TX_CODE_MAX,
    TX_COOP_ENTRY_KEY_SIZE = 8 + 4 + 8,
    TX_ACCOUNT_LINE_KEY_SIZE = 8 + TX_CODE_MAX + 4 + 8,
    TX_INDEX_RUN_VALUE_MAX = 8,
};

enum { TX_MEMBER_ACTIVE = 1, TX_MEMBER_EXITED = 2 };
enum { TX_ACCOUNT_STANDARD = 1 };

typedef struct {
    store_t *store;
    tx_id_range_t ids;            /* the ids this shard hands out (id_range.h) */
    store_table_t coops, members, accounts, roles, entries, coop_entries, account_lines,
        reversals, savings, time_deposits, member_tds, settlements, loans, coop_loans,
        member_loans, close_days, close_steps;
} tx_store_t;

typedef struct {
    uint8_t period_months;
    uint8_t zone_hours;             /* hours east of UTC of its days; 0 (older records): 7, WIB */
    int64_t principal_sen, mandatory_sen, voluntary_min_sen;
    uint64_t members_seq;
} tx_coop_t;

typedef struct {
    uint8_t status;
    int32_t joined_on, exited_on;
    uint64_t coop;
} tx_member_t;

typedef struct {
    uint8_t class_, role, flags;
    int64_t debit_total_sen, credit_total_sen;
    size_t name_len;
    char name[TX_ACCOUNT_NAME_MAX + 1];
} tx_account_t;

typedef struct {
    int64_t balance_sen, paid_sen, withdrawn_sen;
} tx_savings_t;

/* A close-day under way: where the next step starts and the totals of the steps so far. */
typedef struct {
    int32_t date;
    uint64_t next_loan;
    uint32_t loans, reclassified;
    int64_t late_fees_sen, outstanding_principal_sen;
    int64_t by_class[TX_CLOSE_CLASSES];
} tx_close_t;

/* Opens every table in `store` (no txn open, before the loop runs). 0 or a negative code. */
int tx_store_open(tx_store_t *self, store_t *store);

/* Record codecs: encode writes exactly the record size (accounts: returns the length);
   decode returns 0, or ERR_RECORD_VERSION for a wrong size or version (a record of a layout
   this build cannot read, or a corrupt store). */
void tx_coop_encode(const tx_coop_t *c, uint8_t out[TX_COOP_RECORD_SIZE]);
int tx_coop_decode(const void *buf, size_t len, tx_coop_t *c);
void tx_member_encode(const tx_member_t *m, uint8_t out[TX_MEMBER_RECORD_SIZE]);
int tx_member_decode(const void *buf, size_t len, tx_member_t *m);
size_t tx_account_encode(const tx_account_t *a, uint8_t out[TX_ACCOUNT_RECORD_MAX]);
int tx_account_decode(const void *buf, size_t len, tx_account_t *a);
void tx_savings_encode(const tx_savings_t *s, uint8_t out[TX_SAVINGS_RECORD_SIZE]);
int tx_savings_decode(const void *buf, size_t len, tx_savings_t *s);
void tx_close_encode(const tx_close_t *c, uint8_t out[TX_CLOSE_RECORD_SIZE]);
int tx_close_decode(const void *buf, size_t len, tx_close_t *c);

/* The value of an index run from `first` to `last` (>= first): returns its length. Decode
   gives the last id of the row keyed by `first`: 0, or ERR_RECORD_VERSION for a value of no
   known layout. */
size_t tx_index_run_encode(uint64_t first, uint64_t last, uint8_t out[TX_INDEX_RUN_VALUE_MAX]);
int tx_index_run_decode(const void *val, size_t len, uint64_t first, uint64_t *last);

/* Keys. Each writes its key into `out` and returns the key length. */
size_t tx_key_account(uint64_t coop, const char *code, uint8_t out[TX_ACCOUNT_KEY_MAX]);
size_t tx_key_coop_entry(uint64_t coop, int32_t date, uint64_t id,
                         uint8_t out[TX_COOP_ENTRY_KEY_SIZE]);
size_t tx_key_account_line(uint64_t coop, const char *code, int32_t date, uint64_t id,
                           uint8_t out[TX_ACCOUNT_LINE_KEY_SIZE]);

/* Typed reads inside txn. Each returns 0, ERR_NOT_FOUND, or ERR_STORE / ERR_RECORD_VERSION. */
int tx_store_get_coop(tx_store_t *self, store_txn_t *txn, uint64_t coop, tx_coop_t *out);
int tx_store_get_member(tx_store_t *self, store_txn_t *txn, uint64_t member, tx_member_t *out);
int tx_store_get_account(tx_store_t *self, store_txn_t *txn, uint64_t coop, const char *code,
                         tx_account_t *out);
/* Savings of one kind; a member without a record reads as all zero (returns 0). */
int tx_store_get_savings(tx_store_t *self, store_txn_t *txn, uint64_t member, int kind,
                         tx_savings_t *out);
/* The code of the role's posting account, copied into `code` (TX_CODE_MAX + 1 bytes). */
int tx_store_get_role(tx_store_t *self, store_txn_t *txn, uint64_t coop, int role,
                      char code[TX_CODE_MAX + 1]);

/* Typed writes. 0, ERR_MAP_FULL or ERR_STORE. */
int tx_store_put_coop(tx_store_t *self, store_txn_t *txn, uint64_t coop, const tx_coop_t *c);
int tx_store_put_member(tx_store_t *self, store_txn_t *txn, uint64_t member,
                        const tx_member_t *m);
int tx_store_put_account(tx_store_t *self, store_txn_t *txn, uint64_t coop, const char *code,
                         const tx_account_t *a);
int tx_store_put_savings(tx_store_t *self, store_txn_t *txn, uint64_t member, int kind,
                         const tx_savings_t *s);
int tx_store_put_role(tx_store_t *self, store_txn_t *txn, uint64_t coop, int role,
                      const char *code);

/* Makes this store hand out the ids of `shard` (0 until called): tx_id_range_shard(). */
int tx_store_shard(tx_store_t *self, int shard);

/* The next id of an id-keyed table (entries, loans, time deposits) in this shard's range
   (tx_id_range_next). */
uint64_t tx_store_next_id(tx_store_t *self, store_txn_t *txn, store_table_t table);
/* STORE_APPEND when new ids of `table` are above every key in it, else 0. */
unsigned tx_store_append(const tx_store_t *self, store_table_t table);

/* Reads and writes a protobuf value under a u64 key. get: unpacks into `arena`, returns 0,
   ERR_NOT_FOUND or -EINVAL (undecodable). put: packs and stores. */
int tx_store_get_pb(store_txn_t *txn, store_table_t table, uint64_t id, arena_t *arena,
                    const ProtobufCMessageDescriptor *desc, ProtobufCMessage **out);
int tx_store_put_pb(store_txn_t *txn, store_table_t table, uint64_t id,
                    const ProtobufCMessage *msg, unsigned flags);
/* Stores `len` bytes packed already (the record a caller packed once to use twice). */
int tx_store_put_packed(store_txn_t *txn, store_table_t table, uint64_t id,
                        const uint8_t *bytes, size_t len, unsigned flags);

#endif
