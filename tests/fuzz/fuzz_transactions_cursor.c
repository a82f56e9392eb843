/* libFuzzer target: the journal's paging cursor (services/transactions/ledger.c), text that an
   HTTP client or integrator hands back to the service in `cursor`.

   Properties: a cursor that parses names a real date and formats back to the very same text
   (so one position has one spelling and no two cursors alias); a refusal leaves no output.

   Run with `make fuzz` or, once built:
     build-fuzz/fuzz/fuzz_transactions_cursor -max_total_time=60 tests/fuzz/corpus/fuzz_transactions_cursor */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "date.h"
#include "../../services/transactions/ledger.h"

enum { CURSOR_TEXT_MAX = 128 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > CURSOR_TEXT_MAX) return 0;
    char text[CURSOR_TEXT_MAX + 1], back[CURSOR_TEXT_MAX + 32], day[DATE_FORMAT_MAX];
    memcpy(text, data, size);
    text[size] = 0;
    int32_t date = 0;
    uint64_t id = 0;
    if (tx_ledger_cursor_parse(text, &date, &id) != 0) return 0;
    assert(date_format(date, day, sizeof day) == 10);
    tx_ledger_cursor_format(date, id, back, sizeof back);
    int32_t date2 = 0;
    uint64_t id2 = 0;
    assert(tx_ledger_cursor_parse(back, &date2, &id2) == 0 && date2 == date && id2 == id);
    return 0;
}
