/*  store — the tables of the members service in its LMDB store, and their layouts.

    Keys are fixed-width big-endian integers (u64 ids, u32 years, u8 status) and short byte
    strings, concatenated (`|`), so LMDB's byte order is numeric order and a cooperative's rows
    are contiguous. Values are serialized protobuf messages of proto/members.proto, or a u64
    id, or empty (pure index entries). All writes happen inside the request's child txn
    (service.h), so a record, its indexes, its sequence numbers and its events commit together.

      table           key                                        value
      coops           id u64                                     Cooperative
      members         coop u64 | id u64                          Member (without warnings)
      member_nik      coop u64 | nik 16 ASCII digits             id u64   ACTIVE members only;
                                                                 written with NOOVERWRITE, so
                                                                 two active members of one
                                                                 cooperative with one NIK
                                                                 cannot exist
      member_nik_all  coop u64 | nik 16 | id u64                 empty    every member (search)
      member_name     coop u64 | folded name | 0x00 | id u64     empty    name prefix search;
                                                                 folded = ASCII lower case,
                                                                 at most MEMBERS_NAME_MAX bytes
      member_status   coop u64 | status u8 | id u64              empty    filter by status
      meetings        coop u64 | id u64                          AnnualMeeting
      meeting_year    coop u64 | fiscal_year u32                 id u64   one RAT per fiscal year
      supervisions    coop u64 | id u64                          Supervision
      trainings       id u64                                     Training
      jobs            id u64                                     ImportJob
      import_files    id u64                                     the CSV file of a running job
      import_running  id u64                                     cursor: pos u64 | line u32,
                                                                 where its next chunk starts;
                                                                 deleted with the file when
                                                                 the job is done
      sequences       name ASCII                                 u64, the last number issued
                      "coop" "member" "meeting" "supervision" "training" "job": ids, from 1
                      "member_number" | coop u64: member numbers of one cooperative, from 1

    Ids are global per table (a member id is unique across cooperatives); numbers given back
    by an aborted child txn are issued again, so ids have no gaps except after deletions,
    which never happen.

    Not for: rules (handlers), serialization of events (outbox), other services' data. */
#ifndef LUMBUNG_MEMBERS_STORE_H
#define LUMBUNG_MEMBERS_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "../../common/store.h"
#include "arena.h"
#include "envelope.pb-c.h"

typedef enum {
    MEMBERS_TABLE_COOPS = 0,
    MEMBERS_TABLE_MEMBERS,
    MEMBERS_TABLE_MEMBER_NIK,
    MEMBERS_TABLE_MEMBER_NIK_ALL,
    MEMBERS_TABLE_MEMBER_NAME,
    MEMBERS_TABLE_MEMBER_STATUS,
    MEMBERS_TABLE_MEETINGS,
    MEMBERS_TABLE_MEETING_YEAR,
    MEMBERS_TABLE_SUPERVISIONS,
    MEMBERS_TABLE_TRAININGS,
    MEMBERS_TABLE_JOBS,
    MEMBERS_TABLE_SEQUENCES,
    MEMBERS_TABLE_IMPORT_FILES,
    MEMBERS_TABLE_IMPORT_RUNNING,
    MEMBERS_TABLE_COUNT,
} members_table_t;

enum {
    MEMBERS_NIK_LEN = 16,
    MEMBERS_KEY_NAME_MAX = 200,       /* folded name bytes in a key (= MEMBERS_NAME_MAX) */
    MEMBERS_KEY_MAX = 8 + MEMBERS_KEY_NAME_MAX + 1 + 8,
    MEMBERS_SEQ_NAME_MAX = 32,
};

typedef struct members_store members_store_t;

/* Opens every table in `store` (no txn open). NULL and *err (negative) on failure. The store
   stays owned by the caller and must outlive this object. */
members_store_t *members_store_new(store_t *store, int *err);
void members_store_destroy(members_store_t **self_p);

/* Issues the next number of sequence `name` (scope 0) or `name | scope` (scope != 0) in txn:
   1 for the first. Returns 0 or a store error. */
int members_store_next(members_store_t *self, store_txn_t *txn, const char *name, uint64_t scope,
                       uint64_t *out);

/* --- generic records: key -> protobuf message ---
   get: 0 with *out allocated in `arena`, ERR_NOT_FOUND, or ERR_STORE (undecodable value,
   logged). put: 0 or a store error (ERR_MAP_FULL must reach the runtime). */
int members_store_get(members_store_t *self, store_txn_t *txn, members_table_t table,
                      const uint8_t *key, size_t klen, arena_t *arena,
                      const ProtobufCMessageDescriptor *descriptor, void **out);
int members_store_put(members_store_t *self, store_txn_t *txn, members_table_t table,
                      const uint8_t *key, size_t klen, arena_t *arena,
                      const ProtobufCMessage *message);

/* --- raw values (import files and cursors) ---
   get: 0 with *val pointing into the map (valid until the txn writes or ends),
   ERR_NOT_FOUND or ERR_STORE; put, del: 0 or a store error (del: ERR_NOT_FOUND). */
int members_store_bytes_get(members_store_t *self, store_txn_t *txn, members_table_t table,
                            const uint8_t *key, size_t klen, const void **val, size_t *vlen);
int members_store_bytes_put(members_store_t *self, store_txn_t *txn, members_table_t table,
                            const uint8_t *key, size_t klen, const void *val, size_t vlen);
int members_store_del(members_store_t *self, store_txn_t *txn, members_table_t table,
                      const uint8_t *key, size_t klen);

/* Keys: write into buf (at least MEMBERS_KEY_MAX bytes) and return the length. */
size_t members_key_id(uint8_t *buf, uint64_t id);
size_t members_key_coop_id(uint8_t *buf, uint64_t coop, uint64_t id);
size_t members_key_nik(uint8_t *buf, uint64_t coop, const char *nik);
size_t members_key_nik_all(uint8_t *buf, uint64_t coop, const char *nik, uint64_t id);
/* Folds `name` to ASCII lower case, cut at MEMBERS_KEY_NAME_MAX bytes; with terminate, the
   0x00 and the id follow (an index key); without, only the prefix (a search key). */
size_t members_key_name(uint8_t *buf, uint64_t coop, const char *name, bool terminate, uint64_t id);
size_t members_key_status(uint8_t *buf, uint64_t coop, Lumbung__MemberStatus status, uint64_t id);

/* --- members with their indexes --- */
int members_store_member_get(members_store_t *self, store_txn_t *txn, arena_t *arena,
                             uint64_t coop, uint64_t id, Lumbung__Member **out);
/* The id of the ACTIVE member of `coop` with `nik`: 0, or ERR_NOT_FOUND. */
int members_store_member_by_nik(members_store_t *self, store_txn_t *txn, uint64_t coop,
                                const char *nik, uint64_t *id);
/* Writes a new member and every index. ERR_EXISTS when an active member of the
   cooperative already has the NIK (check first with members_store_member_by_nik(): after a
   failed put the txn must be aborted). m->warnings must be empty. */
int members_store_member_insert(members_store_t *self, store_txn_t *txn, arena_t *arena,
                                const Lumbung__Member *m);
/* Replaces `old` by `m` (same cooperative and id), moving the index entries that changed.
   ERR_EXISTS as above when the new NIK belongs to another active member. */
int members_store_member_replace(members_store_t *self, store_txn_t *txn, arena_t *arena,
                                 const Lumbung__Member *old, const Lumbung__Member *m);

/* Writes a new annual meeting and its year index: ERR_EXISTS when the cooperative already
   has one for that fiscal year (check first with members_store_meeting_year()). */
int members_store_meeting_insert(members_store_t *self, store_txn_t *txn, arena_t *arena,
                                 const Lumbung__AnnualMeeting *m);
/* 0 when the cooperative has a meeting for `year` (*id set), else ERR_NOT_FOUND. */
int members_store_meeting_year(members_store_t *self, store_txn_t *txn, uint64_t coop,
                               uint32_t year, uint64_t *id);

/* --- ordered scans for lists ---
   Visits, in key order, the entries of `table` whose key starts with `prefix` and is greater
   than `after` (when after_len > 0, else from the first with the prefix), until `fn` returns
   non-zero or `max_visits` entries were visited. Returns the number visited or a negative
   store error; fn's negative return is passed through. key/val are valid during the call. */
typedef int (*members_store_visit_fn)(void *arg, const uint8_t *key, size_t klen,
                                      const void *val, size_t vlen);
int members_store_scan(members_store_t *self, store_txn_t *txn, members_table_t table,
                       const uint8_t *prefix, size_t prefix_len, const uint8_t *after,
                       size_t after_len, uint32_t max_visits, members_store_visit_fn fn, void *arg);

#endif
