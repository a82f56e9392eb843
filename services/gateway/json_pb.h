/*  json_pb — the one converter between JSON (jansson) and protobuf-c messages, driven by the
    messages' descriptors. Every endpoint uses it; there is no per-endpoint mapping.

    Conventions (docs/HELPERS.md, "Proto conventions"): `*_sen` int64 fields are money as
    decimal strings without the suffix; `*_bp` int64 fields are percent rates as decimal
    strings without the suffix; `*_at_ms` int64 fields are RFC 3339 UTC timestamps named
    without `_ms`; sint32 fields named `*_date`, `*_on`, `*_from`, `*_to`, `as_of`, `from`, `to`
    are dates, day numbers since 1970-01-01 on the bus and YYYY-MM-DD text in JSON (docs/bus.md,
    "Dates": this is the one place a date is parsed from or formatted for a user); other
    64-bit integers are JSON strings (numbers accepted on input when exactly representable);
    enums by lower-case name without the enum's prefix; nested messages and repeated fields
    map to objects and arrays; bytes as base64.

    Input is strict: an unknown field, a wrong type, an out-of-range number, a third decimal,
    a negative amount, an invalid date, an unknown enum name, nesting deeper than
    JSON_PB_DEPTH_MAX or more than JSON_PB_ITEMS_MAX array items is rejected with an error that
    names the field by its dotted JSON path (`lines[2].debit`) and says what to fix.

    Error codes: "unknown_field", "invalid_type" (wrong JSON type, or a parameter that is not
    a number), "out_of_range", "invalid_money" (for a `*_sen` field: a JSON number, a third
    decimal, a negative, or text that is not a decimal number), "invalid_rate" (the same for
    `*_bp`), "invalid_date", "invalid_enum", "invalid_bytes" (not base64), "invalid_string"
    (bad UTF-8 or a NUL), "too_long" (over JSON_PB_STRING_MAX bytes), "too_deep" (the body is
    level 1, each nested object or array one more), "too_many_items" and "conflicting_fields"
    (two members of one oneof). JSON null means "absent" for any field. Output may carry
    negative amounts (balances); input never does.

    Not for: HTTP concerns (status codes, headers) or authorisation. */
#ifndef LUMBUNG_GATEWAY_JSON_PB_H
#define LUMBUNG_GATEWAY_JSON_PB_H

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>
#include "arena.h"
#include "error.h"
#include "problem.h"

enum {
    JSON_PB_DEPTH_MAX = 16,
    JSON_PB_ITEMS_MAX = 10000,
    JSON_PB_STRING_MAX = 64 * 1024,
    JSON_PB_FIELD_PATH_MAX = 128,
    JSON_PB_MESSAGE_MAX = 256,
    JSON_PB_OUT_INITIAL = 4096,             /* bytes json_pb_write() starts a buffer with */
};

/* A rejected input is a problem_t (problem.h) of kind INVALID: `code` one of the codes above,
   `field` the dotted JSON path ("" for the whole body, at most JSON_PB_FIELD_PATH_MAX - 1
   bytes), `message` starting with that path (at most JSON_PB_MESSAGE_MAX - 1 bytes). */
_Static_assert(PROBLEM_FIELD_MAX >= (int) JSON_PB_FIELD_PATH_MAX, "a path fits a problem's field");
_Static_assert(PROBLEM_MESSAGE_MAX >= (int) JSON_PB_MESSAGE_MAX, "a message fits a problem's");

/* Fills `message` (initialised, its memory and every sub-allocation in `arena`) from the JSON
   object `json`. Returns 0, or ERR_REJECTED with *error filled (problem_set). */
int json_pb_from_json(arena_t *arena, const json_t *json, ProtobufCMessage *message,
                      problem_t *error);

/* Sets one field, given by its JSON name, from text (a path or query parameter): the text is
   interpreted as the field's JSON value would be (ids, dates, money, enums, booleans
   "true"/"false", numbers). The parameter wins over a value the body gave (also over another
   member of the same oneof); a repeated field gains one item per call. A message-typed field
   cannot be set from text (invalid_type). Returns 0, or ERR_REJECTED with *error filled (problem_set). */
int json_pb_set_text(arena_t *arena, ProtobufCMessage *message, const char *json_name,
                     const char *text, problem_t *error);

/* The JSON name of a protobuf field (`amount_sen` -> "amount"). */
const char *json_pb_json_name(const ProtobufCFieldDescriptor *field, char *buf, size_t size);
/* A JSON string of any text (NULL: ""); invalid UTF-8 becomes U+FFFD, since jansson refuses
   it and a client can put any byte in a path, query name or header the gateway repeats. */
json_t *json_pb_text(const char *s);

/* A new JSON object for `message` (the caller owns the reference). Fields not present are
   omitted, except repeated fields, which are always arrays. Never fails for a valid message.
   For an answer that is only sent, json_pb_write() gives its text without the tree. */
json_t *json_pb_to_json(const ProtobufCMessage *message);

/* Text being written: `data` (malloc'd, not NUL-terminated) holds `len` bytes. Start from
   { 0 }; the owner frees it with json_pb_out_free() or takes `data`. */
typedef struct {
    char *data;
    size_t len, cap;
} json_pb_out_t;

/* Appends the JSON of `message` to *out: the same bytes as json_dumps(json_pb_to_json(message),
   JSON_COMPACT | JSON_ENSURE_ASCII), written straight from the message (no tree, one buffer). */
void json_pb_write(json_pb_out_t *out, const ProtobufCMessage *message);
void json_pb_out_free(json_pb_out_t *out);

#endif
