/* json_pb: the generic JSON <-> protobuf converter, driven by tests/unit/testdata/jsontest.proto
   (every kind of field the conventions of docs/HELPERS.md name). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../services/gateway/json_pb.h"
#include "testdata/jsontest.pb-c.h"

typedef LumbungTest__Kitchen kitchen_t;

static arena_t *arena;

static int setup(void **state) {
    (void) state;
    arena = arena_new();
    return 0;
}

static int teardown(void **state) {
    (void) state;
    arena_destroy(&arena);
    return 0;
}

static json_t *parse_json(const char *text) {
    json_error_t error;
    json_t *json = json_loads(text, JSON_REJECT_DUPLICATES, &error);
    if (!json) fail_msg("bad test JSON: %s: %s", error.text, text);
    return json;
}

static kitchen_t *new_kitchen(void) {
    return arena_message(arena, &lumbung_test__kitchen__descriptor);
}

/* Converts a JSON text that must be accepted. */
static kitchen_t *kitchen_from(const char *text) {
    json_t *json = parse_json(text);
    kitchen_t *k = new_kitchen();
    problem_t error;
    int rc = json_pb_from_json(arena, json, &k->base, &error);
    if (rc != 0) fail_msg("rejected %s: %s %s: %s", text, error.field, error.code, error.message);
    json_decref(json);
    return k;
}

/* Converts a JSON value (owned by the caller) that must be rejected with exactly this error. */
static void expect_json_error(const ProtobufCMessageDescriptor *d, json_t *json,
                              const char *field, const char *code, const char *message) {
    ProtobufCMessage *m = arena_message(arena, d);
    problem_t error;
    assert_int_equal(json_pb_from_json(arena, json, m, &error), ERR_REJECTED);
    assert_string_equal(error.field, field);
    assert_string_equal(error.code, code);
    assert_string_equal(error.message, message);
}

static void expect_error(const char *text, const char *field, const char *code,
                         const char *message) {
    json_t *json = parse_json(text);
    expect_json_error(&lumbung_test__kitchen__descriptor, json, field, code, message);
    json_decref(json);
}

/* The JSON text of a message, keys in descriptor order, compact. */
static char *kitchen_json(const kitchen_t *k) {
    json_t *json = json_pb_to_json(&k->base);
    char *text = json_dumps(json, JSON_COMPACT);
    json_decref(json);
    char *copy = arena_strdup(arena, text);
    free(text);
    return copy;
}

/* The repeated fields, which are always emitted, in descriptor order. */
#define EMPTY_ARRAYS_AFTER_LINE \
    "\"lines\":[],\"tags\":[],\"amounts\":[],\"ids\":[],\"methods\":[],\"counts\":[]," \
    "\"flags\":[],\"blobs\":[]"
#define EMPTY_ARRAYS EMPTY_ARRAYS_AFTER_LINE ",\"held_on\":[]"

/* ---------------------------------------------------------------------------------------- */

static void json_names_drop_the_money_and_rate_suffixes(void **state) {
    (void) state;
    const ProtobufCMessageDescriptor *d = &lumbung_test__kitchen__descriptor;
    char buf[64];
    struct { const char *proto, *json; } cases[] = {
        { "amount_sen", "amount" }, { "annual_rate_bp", "annual_rate" },
        { "amounts_sen", "amounts" }, { "balance_sen", "balance" }, { "id", "id" },
        { "sen", "sen" }, { "limit_sen", "limit_sen" }, { "value_date", "value_date" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const ProtobufCFieldDescriptor *f =
            protobuf_c_message_descriptor_get_field_by_name(d, cases[i].proto);
        assert_non_null(f);
        assert_string_equal(json_pb_json_name(f, buf, sizeof buf), cases[i].json);
    }
}

static void converts_every_kind_of_field(void **state) {
    (void) state;
    kitchen_t *k = kitchen_from(
        "{\"id\": \"42\", \"amount\": \"1066185.46\", \"annual_rate\": \"12\","
        " \"value_date\": \"2024-02-29\", \"due_on\": \"2024-03-31\", \"as_of\": \"2024-12-31\","
        " \"from\": \"2024-01-01\", \"to\": \"2024-01-31\", \"memo\": \"Simpanan wajib Mei\","
        " \"offset_days\": -3, \"instalments\": 12, \"sequence\": \"-7\", \"active\": true,"
        " \"method\": \"annuity\", \"body\": \"aGVsbG8=\","
        " \"line\": {\"account\": \"1-100\", \"debit\": \"150000\"},"
        " \"lines\": [{\"account\": \"1-100\", \"debit\": \"0.5\"}, {\"credit\": \"0.05\"}],"
        " \"tags\": [\"a\", \"\\u00e9\"], \"amounts\": [\"1\", \"2.10\"], \"ids\": [\"1\", 2],"
        " \"methods\": [\"flat\", \"declining\"], \"counts\": [0, 4294967295],"
        " \"flags\": [false, true], \"blobs\": [\"\", \"AAE=\"], \"member_id\": \"9\","
        " \"delta\": -5, \"big\": \"18446744073709551615\", \"ratio\": 0.25, \"sen\": \"x\","
        " \"limit_sen\": 7, \"status\": \"not_found\", \"legacy\": \"other_name\","
        " \"held_on\": [\"2020-02-29\"], \"balance\": \"3\", \"share\": 1.5}");
    assert_true(k->has_id && k->id == 42);
    assert_true(k->has_amount_sen && k->amount_sen == 106618546);
    assert_true(k->has_annual_rate_bp && k->annual_rate_bp == 1200);
    assert_true(k->has_value_date && k->value_date == 19782);   /* days since 1970-01-01 */
    assert_true(k->has_from && k->from == 19723);
    assert_string_equal(k->memo, "Simpanan wajib Mei");
    assert_true(k->has_offset_days && k->offset_days == -3);
    assert_true(k->has_instalments && k->instalments == 12);
    assert_true(k->has_sequence && k->sequence == -7);
    assert_true(k->has_active && k->active);
    assert_true(k->has_method && k->method == LUMBUNG_TEST__LOAN_METHOD__LOAN_METHOD_ANNUITY);
    assert_true(k->has_body && k->body.len == 5 && memcmp(k->body.data, "hello", 5) == 0);
    assert_non_null(k->line);
    assert_true(k->line->has_debit_sen && k->line->debit_sen == 15000000);
    assert_false(k->line->has_credit_sen);
    assert_int_equal(k->n_lines, 2);
    assert_int_equal(k->lines[0]->debit_sen, 50);
    assert_true(k->lines[1]->has_credit_sen && k->lines[1]->credit_sen == 5);
    assert_null(k->lines[1]->account);
    assert_int_equal(k->n_tags, 2);
    assert_string_equal(k->tags[1], "\xc3\xa9");
    assert_int_equal(k->amounts_sen[1], 210);
    assert_int_equal(k->ids[1], 2);
    assert_int_equal(k->methods[1], LUMBUNG_TEST__LOAN_METHOD__LOAN_METHOD_DECLINING);
    assert_int_equal(k->counts[1], 4294967295u);
    assert_true(k->flags[1] && !k->flags[0]);
    assert_int_equal(k->blobs[0].len, 0);
    assert_int_equal(k->blobs[1].len, 2);
    assert_int_equal(k->target_case, LUMBUNG_TEST__KITCHEN__TARGET_MEMBER_ID);
    assert_int_equal(k->member_id, 9);
    assert_int_equal(k->delta, -5);
    assert_true(k->big == UINT64_MAX);
    assert_true(k->ratio == 0.25);
    assert_string_equal(k->sen, "x");
    assert_int_equal(k->limit_sen, 7);
    assert_int_equal(k->status, LUMBUNG_TEST__HTTPSTATUS__HTTP_STATUS_NOT_FOUND);
    assert_int_equal(k->legacy, LUMBUNG_TEST__LEGACY__OTHER_NAME);
    assert_int_equal(k->n_held_on, 1);
    assert_int_equal(k->held_on[0], 18321);
    assert_true(k->has_balance_sen && k->balance_sen == 300);
    assert_true(k->has_share && k->share == 1.5f);

    /* Back to JSON in canonical form: whole amounts without decimals, otherwise exactly two. */
    assert_string_equal(kitchen_json(k),
        "{\"id\":\"42\",\"amount\":\"1066185.46\",\"annual_rate\":\"12\","
        "\"value_date\":\"2024-02-29\",\"due_on\":\"2024-03-31\",\"as_of\":\"2024-12-31\","
        "\"from\":\"2024-01-01\",\"to\":\"2024-01-31\",\"memo\":\"Simpanan wajib Mei\","
        "\"offset_days\":-3,\"instalments\":12,\"sequence\":\"-7\",\"active\":true,"
        "\"method\":\"annuity\",\"body\":\"aGVsbG8=\","
        "\"line\":{\"account\":\"1-100\",\"debit\":\"150000\"},"
        "\"lines\":[{\"account\":\"1-100\",\"debit\":\"0.50\"},{\"credit\":\"0.05\"}],"
        "\"tags\":[\"a\",\"\xc3\xa9\"],\"amounts\":[\"1\",\"2.10\"],\"ids\":[\"1\",\"2\"],"
        "\"methods\":[\"flat\",\"declining\"],\"counts\":[0,4294967295],"
        "\"flags\":[false,true],\"blobs\":[\"\",\"AAE=\"],\"member_id\":\"9\","
        "\"delta\":-5,\"big\":\"18446744073709551615\",\"ratio\":0.25,\"sen\":\"x\","
        "\"limit_sen\":7,\"status\":\"not_found\",\"legacy\":\"other_name\","
        "\"held_on\":[\"2020-02-29\"],\"balance\":\"3\",\"share\":1.5}");
}

static void an_empty_object_gives_an_empty_message(void **state) {
    (void) state;
    kitchen_t *k = kitchen_from("{}");
    assert_false(k->has_id);
    assert_null(k->memo);
    assert_null(k->line);
    assert_int_equal(k->n_lines, 0);
    assert_int_equal(k->target_case, LUMBUNG_TEST__KITCHEN__TARGET__NOT_SET);
    assert_string_equal(kitchen_json(k), "{" EMPTY_ARRAYS "}");
}

static void null_means_absent(void **state) {
    (void) state;
    kitchen_t *k = kitchen_from(
        "{\"id\": null, \"amount\": null, \"memo\": null, \"line\": null, \"lines\": null,"
        " \"method\": null, \"member_id\": null, \"account_code\": \"x\", \"body\": null}");
    assert_false(k->has_id);
    assert_false(k->has_amount_sen);
    assert_null(k->memo);
    assert_null(k->line);
    assert_int_equal(k->n_lines, 0);
    assert_false(k->has_method);
    assert_false(k->has_body);
    assert_int_equal(k->target_case, LUMBUNG_TEST__KITCHEN__TARGET_ACCOUNT_CODE);
    expect_error("{\"tags\": [\"a\", null]}", "tags[1]", "invalid_type", "tags[1] must be a string");
}

static void output_keeps_zero_values_that_are_present(void **state) {
    (void) state;
    kitchen_t *k = new_kitchen();
    k->has_amount_sen = 1;
    k->amount_sen = 0;
    k->has_active = 1;
    k->active = 0;
    k->has_offset_days = 1;
    k->memo = "";
    assert_string_equal(kitchen_json(k),
        "{\"amount\":\"0\",\"memo\":\"\",\"offset_days\":0,\"active\":false," EMPTY_ARRAYS "}");
}

static void output_may_be_negative_money(void **state) {
    (void) state;
    kitchen_t *k = new_kitchen();
    k->has_amount_sen = 1;
    k->amount_sen = -550;
    k->has_balance_sen = 1;
    k->balance_sen = INT64_MIN;
    k->has_annual_rate_bp = 1;
    k->annual_rate_bp = 1250;
    assert_string_equal(kitchen_json(k),
        "{\"amount\":\"-5.50\",\"annual_rate\":\"12.50\"," EMPTY_ARRAYS
        ",\"balance\":\"-92233720368547758.08\"}");
}

static void output_survives_what_a_service_might_send(void **state) {
    (void) state;
    kitchen_t *k = new_kitchen();
    k->memo = "ok \xff bad \xc3";          /* invalid UTF-8 becomes U+FFFD */
    k->has_method = 1;
    k->method = 77;                          /* a value newer than our descriptor */
    k->has_legacy = 1;
    k->legacy = 0;                           /* unspecified is shown, never accepted */
    k->has_ratio = 1;
    k->ratio = INFINITY;                     /* not representable in JSON */
    assert_string_equal(kitchen_json(k),
        "{\"memo\":\"ok \xef\xbf\xbd bad \xef\xbf\xbd\",\"method\":77,"
        EMPTY_ARRAYS_AFTER_LINE ",\"ratio\":null,\"legacy\":\"unspecified\","
        "\"held_on\":[]}");
}

static void oneof_emits_only_the_member_set(void **state) {
    (void) state;
    kitchen_t *k = kitchen_from("{\"other_line\": {\"account\": \"2-200\", \"credit\": \"1.5\"}}");
    assert_int_equal(k->target_case, LUMBUNG_TEST__KITCHEN__TARGET_OTHER_LINE);
    assert_int_equal(k->other_line->credit_sen, 150);
    assert_string_equal(kitchen_json(k),
        "{" EMPTY_ARRAYS_AFTER_LINE ",\"other_line\":{\"account\":\"2-200\",\"credit\":\"1.50\"},"
        "\"held_on\":[]}");
    expect_error("{\"member_id\": \"1\", \"account_code\": \"x\"}", "account_code",
                 "conflicting_fields", "account_code cannot be given together with member_id");
    expect_error("{\"other_line\": {}, \"member_id\": \"1\"}", "member_id",
                 "conflicting_fields", "member_id cannot be given together with other_line");
}

/* ---------------------------------------------------------------------------------------- */
/* Rejections, one per rule */

static void rejects_a_body_that_is_not_an_object(void **state) {
    (void) state;
    const char *bodies[] = { "[]", "\"x\"", "1", "null", "true" };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        json_t *json = json_loads(bodies[i], JSON_DECODE_ANY, NULL);
        assert_non_null(json);
        expect_json_error(&lumbung_test__kitchen__descriptor, json, "", "invalid_type",
                          "the request body must be a JSON object");
        json_decref(json);
    }
}

static void rejects_unknown_fields_by_path(void **state) {
    (void) state;
    expect_error("{\"colour\": 1}", "colour", "unknown_field",
                 "colour is not a known field (known: id, amount, annual_rate, value_date, "
                 "due_on, as_of, from, to, memo, offset_days, instalments, sequence, active, "
                 "method, body, line, lines, tags, amounts, ...)");
    expect_error("{\"amount_sen\": \"1\"}", "amount_sen", "unknown_field",
                 "amount_sen is not a known field (known: id, amount, annual_rate, value_date, "
                 "due_on, as_of, from, to, memo, offset_days, instalments, sequence, active, "
                 "method, body, line, lines, tags, amounts, ...)");
    expect_error("{\"lines\": [{}, {\"debet\": \"1\"}]}", "lines[1].debet", "unknown_field",
                 "lines[1].debet is not a known field (known: account, debit, credit)");
}

static void rejects_money_that_is_not_a_two_decimal_string(void **state) {
    (void) state;
    expect_error("{\"amount\": 1500.5}", "amount", "invalid_money",
                 "amount must be a decimal string such as \"1500.50\", not a number");
    expect_error("{\"amount\": 1500}", "amount", "invalid_money",
                 "amount must be a decimal string such as \"1500.50\", not a number");
    expect_error("{\"amount\": \"1.005\"}", "amount", "invalid_money",
                 "amount must have at most 2 decimals");
    expect_error("{\"amount\": \"-5\"}", "amount", "invalid_money", "amount must not be negative");
    expect_error("{\"amount\": \"1e3\"}", "amount", "invalid_money",
                 "amount is not a decimal number; write it like \"1500.50\"");
    expect_error("{\"amount\": \"\"}", "amount", "invalid_money",
                 "amount is not a decimal number; write it like \"1500.50\"");
    expect_error("{\"amount\": \"1.000,00\"}", "amount", "invalid_money",
                 "amount is not a decimal number; write it like \"1500.50\"");
    expect_error("{\"amount\": \"92233720368547758.08\"}", "amount", "out_of_range",
                 "amount is too large");
    expect_error("{\"amount\": true}", "amount", "invalid_type",
                 "amount must be a decimal string such as \"1500.50\"");
    expect_error("{\"lines\": [{}, {}, {\"debit\": \"-0.01\"}]}", "lines[2].debit",
                 "invalid_money", "lines[2].debit must not be negative");
    expect_error("{\"amounts\": [\"1\", 2]}", "amounts[1]", "invalid_money",
                 "amounts[1] must be a decimal string such as \"1500.50\", not a number");
    expect_error("{\"balance\": \"-1\"}", "balance", "invalid_money",
                 "balance must not be negative");
    json_t *nul = json_pack("{s:s%}", "amount", "1\0" "5", (size_t) 3);
    expect_json_error(&lumbung_test__kitchen__descriptor, nul, "amount", "invalid_money",
                      "amount is not a decimal number; write it like \"1500.50\"");
    json_decref(nul);
}

static void rejects_rates_like_money(void **state) {
    (void) state;
    expect_error("{\"annual_rate\": 12}", "annual_rate", "invalid_rate",
                 "annual_rate must be a decimal string such as \"12.5\", not a number");
    expect_error("{\"annual_rate\": \"12.345\"}", "annual_rate", "invalid_rate",
                 "annual_rate must have at most 2 decimals");
    expect_error("{\"annual_rate\": \"-1\"}", "annual_rate", "invalid_rate",
                 "annual_rate must not be negative");
    expect_error("{\"annual_rate\": \"12%\"}", "annual_rate", "invalid_rate",
                 "annual_rate is not a decimal number; write it like \"12.5\"");
}

static void rejects_dates_that_are_not_calendar_dates(void **state) {
    (void) state;
    expect_error("{\"value_date\": \"2023-02-29\"}", "value_date", "invalid_date",
                 "value_date is not a calendar date");
    expect_error("{\"due_on\": \"2024-2-1\"}", "due_on", "invalid_date",
                 "due_on must be a date as YYYY-MM-DD");
    expect_error("{\"as_of\": \"1899-12-31\"}", "as_of", "invalid_date",
                 "as_of must be between 1900-01-01 and 2999-12-31");
    expect_error("{\"from\": \"2024-01-01T00:00:00Z\"}", "from", "invalid_date",
                 "from must be a date as YYYY-MM-DD");
    expect_error("{\"to\": 20240101}", "to", "invalid_type",
                 "to must be a date string as YYYY-MM-DD");
    expect_error("{\"held_on\": [\"2024-01-01\", \"2024-13-01\"]}", "held_on[1]", "invalid_date",
                 "held_on[1] is not a calendar date");
    kitchen_t *k = kitchen_from("{\"memo\": \"2023-02-29\"}");   /* not a date field */
    assert_string_equal(k->memo, "2023-02-29");
}

static void rejects_ids_that_are_not_unsigned_integers(void **state) {
    (void) state;
    assert_true(kitchen_from("{\"id\": 7}")->id == 7);
    assert_true(kitchen_from("{\"id\": \"007\"}")->id == 7);
    expect_error("{\"id\": \"-1\"}", "id", "out_of_range",
                 "id must be between 0 and 18446744073709551615");
    expect_error("{\"id\": -1}", "id", "out_of_range",
                 "id must be between 0 and 18446744073709551615");
    expect_error("{\"id\": \"18446744073709551616\"}", "id", "out_of_range",
                 "id must be between 0 and 18446744073709551615");
    expect_error("{\"id\": \"4x\"}", "id", "invalid_type",
                 "id must be a whole number in a string, e.g. \"42\"");
    expect_error("{\"id\": \" 4\"}", "id", "invalid_type",
                 "id must be a whole number in a string, e.g. \"42\"");
    expect_error("{\"id\": \"+4\"}", "id", "invalid_type",
                 "id must be a whole number in a string, e.g. \"42\"");
    expect_error("{\"id\": \"\"}", "id", "invalid_type",
                 "id must be a whole number in a string, e.g. \"42\"");
    expect_error("{\"id\": 1.5}", "id", "invalid_type",
                 "id must be a whole number in a string, e.g. \"42\"");
    expect_error("{\"ids\": [\"1\", {}]}", "ids[1]", "invalid_type",
                 "ids[1] must be a whole number in a string, e.g. \"42\"");
}

static void rejects_signed_64_bit_values_out_of_range(void **state) {
    (void) state;
    assert_true(kitchen_from("{\"sequence\": \"-9223372036854775808\"}")->sequence == INT64_MIN);
    assert_true(kitchen_from("{\"sequence\": 9223372036854775807}")->sequence == INT64_MAX);
    expect_error("{\"sequence\": \"9223372036854775808\"}", "sequence", "out_of_range",
                 "sequence must be between -9223372036854775808 and 9223372036854775807");
    expect_error("{\"sequence\": \"-\"}", "sequence", "invalid_type",
                 "sequence must be a whole number in a string, e.g. \"42\"");
}

static void rejects_32_bit_numbers_out_of_range(void **state) {
    (void) state;
    assert_int_equal(kitchen_from("{\"offset_days\": 2147483647}")->offset_days, INT32_MAX);
    assert_true(kitchen_from("{\"offset_days\": -2147483648}")->offset_days == INT32_MIN);
    expect_error("{\"offset_days\": 2147483648}", "offset_days", "out_of_range",
                 "offset_days must be between -2147483648 and 2147483647");
    expect_error("{\"delta\": -2147483649}", "delta", "out_of_range",
                 "delta must be between -2147483648 and 2147483647");
    expect_error("{\"instalments\": -1}", "instalments", "out_of_range",
                 "instalments must be between 0 and 4294967295");
    expect_error("{\"counts\": [4294967296]}", "counts[0]", "out_of_range",
                 "counts[0] must be between 0 and 4294967295");
    expect_error("{\"instalments\": \"12\"}", "instalments", "invalid_type",
                 "instalments must be a whole number");
    expect_error("{\"instalments\": 12.0}", "instalments", "invalid_type",
                 "instalments must be a whole number");
    expect_error("{\"ratio\": \"0.5\"}", "ratio", "invalid_type", "ratio must be a number");
    expect_error("{\"share\": 1e300}", "share", "out_of_range", "share is too large");
}

static void rejects_booleans_that_are_not_true_or_false(void **state) {
    (void) state;
    expect_error("{\"active\": \"true\"}", "active", "invalid_type", "active must be true or false");
    expect_error("{\"active\": 1}", "active", "invalid_type", "active must be true or false");
    expect_error("{\"flags\": [true, 0]}", "flags[1]", "invalid_type",
                 "flags[1] must be true or false");
}

static void rejects_enum_names_it_does_not_know(void **state) {
    (void) state;
    const char *choices = "must be one of: flat, declining, annuity";
    char message[128];
    snprintf(message, sizeof message, "method %s", choices);
    expect_error("{\"method\": \"ANNUITY\"}", "method", "invalid_enum", message);
    expect_error("{\"method\": \"loan_method_annuity\"}", "method", "invalid_enum", message);
    expect_error("{\"method\": \"unspecified\"}", "method", "invalid_enum", message);
    expect_error("{\"method\": \"\"}", "method", "invalid_enum", message);
    expect_error("{\"method\": 3}", "method", "invalid_type", message);
    expect_error("{\"methods\": [\"flat\", \"balloon\"]}", "methods[1]", "invalid_enum",
                 "methods[1] must be one of: flat, declining, annuity");
    expect_error("{\"legacy\": \"unspecified\"}", "legacy", "invalid_enum",
                 "legacy must be one of: other_name");
    expect_error("{\"status\": \"http_status_not_found\"}", "status", "invalid_enum",
                 "status must be one of: not_found");
}

static void rejects_bytes_that_are_not_base64(void **state) {
    (void) state;
    const char *hint = "must be base64 text (standard alphabet, with padding)";
    char message[128];
    snprintf(message, sizeof message, "body %s", hint);
    expect_error("{\"body\": \"aGVsbG8\"}", "body", "invalid_bytes", message);   /* no padding */
    expect_error("{\"body\": \"aGVs bG8=\"}", "body", "invalid_bytes", message);
    expect_error("{\"body\": \"aGVsbG8_\"}", "body", "invalid_bytes", message);  /* url-safe */
    expect_error("{\"body\": 5}", "body", "invalid_type", message);
    snprintf(message, sizeof message, "blobs[0] %s", hint);
    expect_error("{\"blobs\": [\"!!!!\"]}", "blobs[0]", "invalid_bytes", message);
}

static void rejects_wrong_containers(void **state) {
    (void) state;
    expect_error("{\"line\": []}", "line", "invalid_type", "line must be an object");
    expect_error("{\"line\": \"1-100\"}", "line", "invalid_type", "line must be an object");
    expect_error("{\"lines\": {}}", "lines", "invalid_type", "lines must be an array");
    expect_error("{\"lines\": [[]]}", "lines[0]", "invalid_type", "lines[0] must be an object");
    expect_error("{\"tags\": \"a\"}", "tags", "invalid_type", "tags must be an array");
    expect_error("{\"memo\": 5}", "memo", "invalid_type", "memo must be a string");
}

/* A chain of `levels` nested Node objects, the body being the first. */
static json_t *node_chain(int levels) {
    json_t *json = json_object();
    for (int i = 1; i < levels; i++) {
        json_t *parent = json_object();
        json_object_set_new(parent, "child", json);
        json = parent;
    }
    return json;
}

static void rejects_nesting_deeper_than_the_limit(void **state) {
    (void) state;
    json_t *json = node_chain(JSON_PB_DEPTH_MAX);
    LumbungTest__Node *node = arena_message(arena, &lumbung_test__node__descriptor);
    problem_t error;
    assert_int_equal(json_pb_from_json(arena, json, &node->base, &error), 0);
    json_decref(json);

    char path[JSON_PB_FIELD_PATH_MAX] = "child", message[JSON_PB_MESSAGE_MAX];
    for (int i = 2; i <= JSON_PB_DEPTH_MAX; i++) strcat(path, ".child");
    snprintf(message, sizeof message, "%s is nested more than 16 levels deep", path);
    json = node_chain(JSON_PB_DEPTH_MAX + 1);
    expect_json_error(&lumbung_test__node__descriptor, json, path, "too_deep", message);
    json_decref(json);

    /* Arrays count as a level too: body, children (array), its object... */
    json = node_chain(JSON_PB_DEPTH_MAX - 1);
    json_t *leaf = json;
    while (json_object_get(leaf, "child")) leaf = json_object_get(leaf, "child");
    json_object_set_new(leaf, "children", json_pack("[{}]"));
    strcpy(path, "child");
    for (int i = 2; i < JSON_PB_DEPTH_MAX - 1; i++) strcat(path, ".child");
    strcat(path, ".children[0]");
    snprintf(message, sizeof message, "%s is nested more than 16 levels deep", path);
    expect_json_error(&lumbung_test__node__descriptor, json, path, "too_deep", message);
    json_decref(json);
}

static void rejects_more_items_than_the_limit(void **state) {
    (void) state;
    json_t *tags = json_array();
    for (int i = 0; i < JSON_PB_ITEMS_MAX; i++) json_array_append_new(tags, json_string("t"));
    json_t *json = json_pack("{s:o}", "tags", tags);
    kitchen_t *k = new_kitchen();
    problem_t error;
    assert_int_equal(json_pb_from_json(arena, json, &k->base, &error), 0);
    assert_int_equal(k->n_tags, JSON_PB_ITEMS_MAX);
    json_array_append_new(tags, json_string("t"));
    expect_json_error(&lumbung_test__kitchen__descriptor, json, "tags", "too_many_items",
                      "tags has more than 10000 items");
    json_decref(json);
}

static void rejects_strings_too_long_or_not_text(void **state) {
    (void) state;
    char *longest = calloc(1, JSON_PB_STRING_MAX + 2);
    memset(longest, 'a', JSON_PB_STRING_MAX);
    json_t *json = json_pack("{s:s}", "memo", longest);
    kitchen_t *k = new_kitchen();
    problem_t error;
    assert_int_equal(json_pb_from_json(arena, json, &k->base, &error), 0);
    assert_int_equal(strlen(k->memo), JSON_PB_STRING_MAX);
    json_decref(json);
    longest[JSON_PB_STRING_MAX] = 'a';
    json = json_pack("{s:s}", "memo", longest);
    expect_json_error(&lumbung_test__kitchen__descriptor, json, "memo", "too_long",
                      "memo is longer than 65536 bytes");
    json_decref(json);
    free(longest);

    const char *text_error = "must be UTF-8 text without NUL characters";
    char message[128];
    snprintf(message, sizeof message, "memo %s", text_error);
    json = json_pack("{s:s%}", "memo", "a\0b", (size_t) 3);
    expect_json_error(&lumbung_test__kitchen__descriptor, json, "memo", "invalid_string", message);
    json_decref(json);
    const char *bad[] = { "\xff", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82",
                          "\x80" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json = json_object();
        json_object_set_new(json, "memo", json_stringn_nocheck(bad[i], strlen(bad[i])));
        expect_json_error(&lumbung_test__kitchen__descriptor, json, "memo", "invalid_string",
                          message);
        json_decref(json);
    }
    json = json_object();   /* the largest code point and a 4-byte sequence are fine */
    json_object_set_new(json, "memo", json_stringn_nocheck("\xf4\x8f\xbf\xbf \xf0\x9f\x8c\xbe", 9));
    assert_int_equal(json_pb_from_json(arena, json, &new_kitchen()->base, &error), 0);
    json_decref(json);
}

static void a_long_path_is_cut_short(void **state) {
    (void) state;
    char key[200];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    json_t *json = json_object();
    json_object_set_new(json, key, json_true());
    ProtobufCMessage *m = arena_message(arena, &lumbung_test__kitchen__descriptor);
    problem_t error;
    assert_int_equal(json_pb_from_json(arena, json, m, &error), ERR_REJECTED);
    assert_string_equal(error.code, "unknown_field");
    assert_int_equal(strlen(error.field), JSON_PB_FIELD_PATH_MAX - 1);
    assert_int_equal(strncmp(error.message, key, JSON_PB_FIELD_PATH_MAX - 1), 0);
    json_decref(json);
}

/* ---------------------------------------------------------------------------------------- */
/* Text parameters */

static int set_text(kitchen_t *k, const char *name, const char *text, problem_t *error) {
    return json_pb_set_text(arena, &k->base, name, text, error);
}

static void expect_text_error(const char *name, const char *text, const char *code,
                              const char *message) {
    problem_t error;
    assert_int_equal(set_text(new_kitchen(), name, text, &error), ERR_REJECTED);
    assert_string_equal(error.field, name);
    assert_string_equal(error.code, code);
    assert_string_equal(error.message, message);
}

/* A date before 1970 is a negative day number and comes back as the same text; a plain
   sint32 (delta) is a number, not a date. */
static void dates_are_day_numbers_both_ways(void **state) {
    (void) state;
    kitchen_t *k = kitchen_from("{\"due_on\": \"1960-06-15\", \"delta\": 19782}");
    assert_true(k->has_due_on && k->due_on == -3487);
    assert_string_equal(kitchen_json(k),
                        "{\"due_on\":\"1960-06-15\"," EMPTY_ARRAYS_AFTER_LINE
                        ",\"delta\":19782,\"held_on\":[]}");
    expect_text_error("due_on", "19782", "invalid_date", "due_on must be a date as YYYY-MM-DD");
}

static void text_sets_fields_as_their_json_would(void **state) {
    (void) state;
    kitchen_t *k = new_kitchen();
    problem_t error;
    assert_int_equal(set_text(k, "id", "42", &error), 0);
    assert_int_equal(set_text(k, "amount", "1500.50", &error), 0);
    assert_int_equal(set_text(k, "annual_rate", "12", &error), 0);
    assert_int_equal(set_text(k, "as_of", "2024-12-31", &error), 0);
    assert_int_equal(set_text(k, "memo", "dari jalan", &error), 0);
    assert_int_equal(set_text(k, "offset_days", "-3", &error), 0);
    assert_int_equal(set_text(k, "instalments", "12", &error), 0);
    assert_int_equal(set_text(k, "sequence", "-9", &error), 0);
    assert_int_equal(set_text(k, "active", "false", &error), 0);
    assert_int_equal(set_text(k, "method", "flat", &error), 0);
    assert_int_equal(set_text(k, "body", "aGk=", &error), 0);
    assert_int_equal(set_text(k, "ratio", "0.5", &error), 0);
    assert_true(k->has_id && k->id == 42);
    assert_true(k->has_amount_sen && k->amount_sen == 150050);
    assert_int_equal(k->annual_rate_bp, 1200);
    assert_true(k->has_as_of && k->as_of == 20088);
    assert_string_equal(k->memo, "dari jalan");
    assert_int_equal(k->offset_days, -3);
    assert_int_equal(k->instalments, 12);
    assert_int_equal(k->sequence, -9);
    assert_true(k->has_active && !k->active);
    assert_int_equal(k->method, LUMBUNG_TEST__LOAN_METHOD__LOAN_METHOD_FLAT);
    assert_true(k->body.len == 2 && memcmp(k->body.data, "hi", 2) == 0);
    assert_true(k->ratio == 0.5);
}

static void text_wins_over_the_body_and_appends_to_lists(void **state) {
    (void) state;
    kitchen_t *k = kitchen_from("{\"id\": \"1\", \"account_code\": \"x\", \"ids\": [\"5\"]}");
    problem_t error;
    assert_int_equal(set_text(k, "id", "2", &error), 0);
    assert_int_equal(k->id, 2);
    assert_int_equal(set_text(k, "member_id", "3", &error), 0);
    assert_int_equal(k->target_case, LUMBUNG_TEST__KITCHEN__TARGET_MEMBER_ID);
    assert_int_equal(k->member_id, 3);
    assert_int_equal(set_text(k, "ids", "6", &error), 0);
    assert_int_equal(set_text(k, "methods", "annuity", &error), 0);
    assert_int_equal(k->n_ids, 2);
    assert_int_equal(k->ids[0], 5);
    assert_int_equal(k->ids[1], 6);
    assert_int_equal(k->n_methods, 1);
    assert_int_equal(k->methods[0], LUMBUNG_TEST__LOAN_METHOD__LOAN_METHOD_ANNUITY);
}

static void text_is_rejected_like_json(void **state) {
    (void) state;
    expect_text_error("id", "abc", "invalid_type", "id must be a whole number in a string, e.g. \"42\"");
    expect_text_error("id", "-1", "out_of_range", "id must be between 0 and 18446744073709551615");
    expect_text_error("amount", "1.234", "invalid_money", "amount must have at most 2 decimals");
    expect_text_error("amount", "-1", "invalid_money", "amount must not be negative");
    expect_text_error("as_of", "2024-02-30", "invalid_date", "as_of is not a calendar date");
    expect_text_error("method", "Flat", "invalid_enum",
                      "method must be one of: flat, declining, annuity");
    expect_text_error("active", "yes", "invalid_type", "active must be true or false");
    expect_text_error("active", "", "invalid_type", "active must be true or false");
    expect_text_error("instalments", "12x", "invalid_type", "instalments must be a whole number");
    expect_text_error("instalments", "", "invalid_type", "instalments must be a whole number");
    expect_text_error("instalments", "-1", "out_of_range",
                      "instalments must be between 0 and 4294967295");
    expect_text_error("offset_days", "99999999999", "out_of_range",
                      "offset_days must be between -2147483648 and 2147483647");
    expect_text_error("offset_days", "99999999999999999999", "out_of_range",
                      "offset_days is too large");
    expect_text_error("ratio", "nan", "invalid_type", "ratio must be a number");
    expect_text_error("ratio", " 1", "invalid_type", "ratio must be a number");
    expect_text_error("memo", "\xc3\x28", "invalid_string",
                      "memo must be UTF-8 text without NUL characters");
    expect_text_error("line", "x", "invalid_type", "line cannot be given as a parameter");
    expect_text_error("bogus", "1", "unknown_field",
                      "bogus is not a known field (known: id, amount, annual_rate, value_date, "
                      "due_on, as_of, from, to, memo, offset_days, instalments, sequence, "
                      "active, method, body, line, lines, tags, amounts, ...)");
    problem_t error;
    kitchen_t *k = new_kitchen();
    assert_int_equal(set_text(k, "amount", "x", &error), ERR_REJECTED);
    assert_false(k->has_amount_sen);   /* a failed parameter leaves the field alone */
}

static void text_respects_the_item_limit(void **state) {
    (void) state;
    kitchen_t *k = new_kitchen();
    problem_t error;
    k->n_tags = JSON_PB_ITEMS_MAX;
    k->tags = arena_alloc(arena, JSON_PB_ITEMS_MAX * sizeof(char *));
    assert_int_equal(set_text(k, "tags", "x", &error), ERR_REJECTED);
    assert_string_equal(error.code, "too_many_items");
    assert_string_equal(error.message, "tags has more than 10000 items");
    assert_int_equal(k->n_tags, JSON_PB_ITEMS_MAX);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_names_drop_the_money_and_rate_suffixes),
        cmocka_unit_test(converts_every_kind_of_field),
        cmocka_unit_test(an_empty_object_gives_an_empty_message),
        cmocka_unit_test(null_means_absent),
        cmocka_unit_test(output_keeps_zero_values_that_are_present),
        cmocka_unit_test(output_may_be_negative_money),
        cmocka_unit_test(output_survives_what_a_service_might_send),
        cmocka_unit_test(oneof_emits_only_the_member_set),
        cmocka_unit_test(rejects_a_body_that_is_not_an_object),
        cmocka_unit_test(rejects_unknown_fields_by_path),
        cmocka_unit_test(rejects_money_that_is_not_a_two_decimal_string),
        cmocka_unit_test(rejects_rates_like_money),
        cmocka_unit_test(rejects_dates_that_are_not_calendar_dates),
        cmocka_unit_test(dates_are_day_numbers_both_ways),
        cmocka_unit_test(rejects_ids_that_are_not_unsigned_integers),
        cmocka_unit_test(rejects_signed_64_bit_values_out_of_range),
        cmocka_unit_test(rejects_32_bit_numbers_out_of_range),
        cmocka_unit_test(rejects_booleans_that_are_not_true_or_false),
        cmocka_unit_test(rejects_enum_names_it_does_not_know),
        cmocka_unit_test(rejects_bytes_that_are_not_base64),
        cmocka_unit_test(rejects_wrong_containers),
        cmocka_unit_test(rejects_nesting_deeper_than_the_limit),
        cmocka_unit_test(rejects_more_items_than_the_limit),
        cmocka_unit_test(rejects_strings_too_long_or_not_text),
        cmocka_unit_test(a_long_path_is_cut_short),
        cmocka_unit_test(text_sets_fields_as_their_json_would),
        cmocka_unit_test(text_wins_over_the_body_and_appends_to_lists),
        cmocka_unit_test(text_is_rejected_like_json),
        cmocka_unit_test(text_respects_the_item_limit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
