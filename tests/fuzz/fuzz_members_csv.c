/* libFuzzer target: the members CSV reader and the row rules behind imports.

   Reads every record of arbitrary bytes twice (checking pass without an arena, copying pass
   with one), asserts both passes agree on the number of records and where the file breaks,
   and runs the member rules on each 7-field record as an import would.

   Build and run (clang):
     clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 -D_GNU_SOURCE -Icommon \
       -Ibuild/proto tests/fuzz/fuzz_members_csv.c services/members/csv_reader.c \
       services/members/validate.c common/arena.c common/nik.c common/date.c \
       build/proto/members.pb-c.c build/proto/envelope.pb-c.c build/proto/transactions.pb-c.c \
       build/proto/reporting.pb-c.c build/proto/testing.pb-c.c -lprotobuf-c -o fuzz_members_csv
     ./fuzz_members_csv -max_total_time=60 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "date.h"
#include "../../services/members/csv_reader.h"
#include "../../services/members/validate.h"

enum { FUZZ_RECORDS_MAX = 100000 };

static int count_records(const uint8_t *data, size_t size, arena_t *arena, uint32_t *broken_line) {
    members_csv_t csv;
    members_csv_init(&csv, data, size);
    char *fields[MEMBERS_CSV_FIELDS_MAX];
    int records = 0;
    for (int i = 0; i < FUZZ_RECORDS_MAX; i++) {
        int n = members_csv_next(&csv, arena, arena ? fields : NULL, arena ? MEMBERS_CSV_FIELDS_MAX : 0);
        if (n == MEMBERS_CSV_END) break;
        if (n == ERR_BROKEN_INPUT) { *broken_line = csv.error_line; return -1 - records; }
        assert(n >= 1 && csv.record_line >= 1);
        records++;
        if (arena && n == 7) {
            Lumbung__Member m = LUMBUNG__MEMBER__INIT;
            m.nik = members_text_trim(arena, fields[0]);
            m.name = members_text_trim(arena, fields[1]);
            m.has_sex = 1;
            m.sex = members_sex_parse(members_text_trim(arena, fields[2]));
            /* Dates are day numbers in a Member: a cell counts when it is one (import.c). */
            const char *birth = members_text_trim(arena, fields[3]);
            m.has_birth_date = birth && date_parse(birth, &m.birth_date) == 0;
            m.address = members_text_trim(arena, fields[4]);
            m.phone = members_text_trim(arena, fields[5]);
            const char *joined = members_text_trim(arena, fields[6]);
            m.has_joined_on = joined && date_parse(joined, &m.joined_on) == 0;
            unsigned warnings;
            problem_t p;
            (void) members_validate_member(&m, date_today_utc(), &warnings, &p);
        }
    }
    return records;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    arena_t *arena = arena_new();
    uint32_t line_a = 0, line_b = 0;
    int checked = count_records(data, size, NULL, &line_a);
    int copied = count_records(data, size, arena, &line_b);
    assert(checked == copied && line_a == line_b);
    (void) members_utf8_check(data, size);
    arena_destroy(&arena);
    return 0;
}
