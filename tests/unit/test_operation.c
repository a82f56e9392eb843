/* operation: what the services and the gateway rely on in the operation tables — every member
   of a service's *Request `op` oneof has exactly one row, with the oneof's field number and
   name; the operations that move money (and so need an idempotency key) are exactly those that
   book money; lookups by name and by number find the row or say NULL, never a neighbour. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "members.pb-c.h"
#include "operation.h"
#include "reporting.pb-c.h"
#include "transactions.pb-c.h"

#define TX(x) LUMBUNG__TRANSACTIONS_REQUEST__OP_##x

/* Every field of the request's op oneof has the row of its number and name, and no row is
   left over: the table and the proto cannot drift apart. */
static void rows_match_the_oneof(const char *service, const ProtobufCMessageDescriptor *d) {
    size_t count = 0;
    const operation_t *rows = operation_list(service, &count);
    assert_non_null(rows);
    size_t in_oneof = 0;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (!(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)) continue;
        in_oneof++;
        const operation_t *row = operation_numbered(rows, count, f->id);
        if (!row) fail_msg("%s: no row for field %u (%s)", service, f->id, f->name);
        assert_string_equal(row->name, f->name);
        assert_null(row->handler);
        assert_int_equal(row->access < ACCESS_CLASS_COUNT, 1);
    }
    assert_int_equal(count, in_oneof);
}

static void every_request_field_has_one_row(void **state) {
    rows_match_the_oneof("members", &lumbung__members_request__descriptor);
    rows_match_the_oneof("transactions", &lumbung__transactions_request__descriptor);
    rows_match_the_oneof("reporting", &lumbung__reporting_request__descriptor);
}

static void a_deposit_is_a_money_moving_write_for_cooperative_writers(void **state) {
    const operation_t *op = operation_find("transactions", "deposit");
    assert_non_null(op);
    assert_int_equal(op->number, TX(DEPOSIT));
    assert_int_equal(op->number, 2);
    assert_int_equal(op->access, ACCESS_COOP_WRITE);
    assert_int_equal(op->flags, OP_WRITE | OP_MOVES_MONEY);
}

static void a_batch_is_long_and_authorises_each_posting(void **state) {
    const operation_t *op = operation_find("transactions", "post_batch");
    assert_non_null(op);
    assert_int_equal(op->number, 12);
    assert_int_equal(op->flags, OP_WRITE | OP_MOVES_MONEY | OP_LONG | OP_AUTHORISES_ITSELF);
}

/* The exact set that needs an Idempotency-Key: adding a money-moving operation without the
   flag (or flagging a read) fails here. */
static void exactly_the_booking_operations_move_money(void **state) {
    static const char *const expected[] = {
        "deposit", "withdraw", "post_entry", "reverse_entry", "post_batch", "post_disbursement",
        "post_repayment", "write_off_loan", "post_recovery", "post_opening",
    };
    size_t count = 0, moving = 0;
    const operation_t *rows = operation_list("transactions", &count);
    assert_int_equal(count, 22);
    for (size_t i = 0; i < count; i++) {
        if (!(rows[i].flags & OP_MOVES_MONEY)) continue;
        assert_true(moving < sizeof expected / sizeof expected[0]);
        assert_string_equal(rows[i].name, expected[moving]);
        assert_true(rows[i].flags & OP_WRITE);
        moving++;
    }
    assert_int_equal(moving, sizeof expected / sizeof expected[0]);
    const char *const others[] = { "members", "reporting" };
    for (size_t s = 0; s < 2; s++) {
        rows = operation_list(others[s], &count);
        for (size_t i = 0; i < count; i++) assert_false(rows[i].flags & OP_MOVES_MONEY);
    }
}

static void reads_are_not_writes(void **state) {
    const operation_t *op = operation_find("transactions", "get_loan");
    assert_non_null(op);
    assert_int_equal(op->access, ACCESS_COOP_READ);
    assert_int_equal(op->flags, 0);
    op = operation_find("reporting", "health");
    assert_non_null(op);
    assert_int_equal(op->access, ACCESS_REPORT_READ);
    assert_int_equal(op->flags, 0);
}

static void members_rows_carry_their_access(void **state) {
    const operation_t *op = operation_find("members", "create_cooperative");
    assert_non_null(op);
    assert_int_equal(op->number, LUMBUNG__MEMBERS_REQUEST__OP_CREATE_COOPERATIVE);
    assert_int_equal(op->access, ACCESS_ADMIN);
    assert_int_equal(op->flags, OP_WRITE);
    op = operation_find("members", "import_members");
    assert_non_null(op);
    assert_int_equal(op->flags, OP_WRITE | OP_LONG);
    op = operation_find("members", "import_step");
    assert_non_null(op);
    assert_int_equal(op->access, ACCESS_INTERNAL);
    op = operation_find("reporting", "put_management");
    assert_non_null(op);
    assert_int_equal(op->access, ACCESS_ASSESS);
    assert_int_equal(op->flags, OP_WRITE);
}

static void loan_changes_are_marked_for_the_close_day_guard(void **state) {
    static const char *const loans[] = { "create_loan", "post_disbursement", "post_repayment",
                                         "cancel_loan", "write_off_loan", "post_recovery" };
    size_t count = 0, marked = 0;
    const operation_t *rows = operation_list("transactions", &count);
    for (size_t i = 0; i < count; i++) marked += (rows[i].flags & OP_CHANGES_LOANS) != 0;
    assert_int_equal(marked, 6);
    for (size_t i = 0; i < 6; i++) {
        const operation_t *op = operation_named(rows, count, loans[i]);
        assert_non_null(op);
        assert_true(op->flags & OP_CHANGES_LOANS);
    }
}

static void unknown_names_numbers_and_services_find_nothing(void **state) {
    size_t count = 99;
    assert_null(operation_list("gateway", &count));
    assert_int_equal(count, 0);
    assert_null(operation_list(NULL, &count));
    assert_int_equal(count, 0);
    assert_null(operation_find("transactions", "Deposit"));
    assert_null(operation_find("transactions", "depos"));
    assert_null(operation_find("transactions", NULL));
    assert_null(operation_find("gateway", "deposit"));
    assert_null(operation_find("members", "deposit"));
    const operation_t *rows = operation_list("transactions", &count);
    assert_null(operation_numbered(rows, count, 0));
    assert_null(operation_numbered(rows, count, 19));   /* between close_day 18 and 30 */
    assert_non_null(operation_numbered(rows, count, 40));
    assert_string_equal(operation_numbered(rows, count, 40)->name, "post_opening");
}

/* A service's own table (with handlers) is searched the same way. */
static int fake_handler(void *ctx, service_call_t *call, const void *msg) { return 0; }

static void a_service_table_with_handlers_is_searched_alike(void **state) {
    const operation_t rows[] = {
        { 7, "seven", ACCESS_COOP_READ, 0, fake_handler },
        { 3, "three", ACCESS_COOP_WRITE, OP_WRITE, NULL },
    };
    assert_ptr_equal(operation_named(rows, 2, "three"), &rows[1]);
    assert_ptr_equal(operation_numbered(rows, 2, 7), &rows[0]);
    assert_ptr_equal(operation_named(rows, 2, "seven")->handler, fake_handler);
    assert_null(operation_named(rows, 1, "three"));    /* only `count` rows are read */
    assert_null(operation_numbered(rows, 0, 7));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_request_field_has_one_row),
        cmocka_unit_test(a_deposit_is_a_money_moving_write_for_cooperative_writers),
        cmocka_unit_test(a_batch_is_long_and_authorises_each_posting),
        cmocka_unit_test(exactly_the_booking_operations_move_money),
        cmocka_unit_test(reads_are_not_writes),
        cmocka_unit_test(members_rows_carry_their_access),
        cmocka_unit_test(loan_changes_are_marked_for_the_close_day_guard),
        cmocka_unit_test(unknown_names_numbers_and_services_find_nothing),
        cmocka_unit_test(a_service_table_with_handlers_is_searched_alike),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
