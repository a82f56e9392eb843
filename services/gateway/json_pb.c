/* json_pb — see json_pb.h. The converter walks protobuf-c descriptors only: nothing here knows
   a message of proto/. Field presence follows protobuf-c's layout: optional scalars and bytes
   have a `has_` flag at quantifier_offset, optional strings and messages are present when the
   pointer is set, repeated fields keep their count at quantifier_offset, and oneof members
   share one case word at quantifier_offset. */
#include "json_pb.h"

#include <assert.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "date.h"
#include "money.h"

enum {
    JSON_PB_NAME_MAX = 128,          /* a field, enum or enum value name */
    JSON_PB_FIELD_LIST_MAX = 160,    /* the "known fields" / "one of" part of a message */
    JSON_PB_OUTPUT_DEPTH_MAX = 64,   /* nesting of messages the services send back */
};

/* What a field's name says about its value (docs/HELPERS.md, "Proto conventions"). */
typedef enum { VALUE_PLAIN, VALUE_MONEY, VALUE_RATE, VALUE_DATE, VALUE_TIMESTAMP } value_kind_t;

/* One conversion: where we are in the JSON and where an error goes. */
typedef struct {
    arena_t *arena;
    problem_t *error;
    char path[JSON_PB_FIELD_PATH_MAX];
    size_t path_len;
} convert_t;

#define MEMBER(message, offset) ((char *) (message) + (offset))
#define CONST_MEMBER(message, offset) ((const char *) (message) + (offset))

/* ---------------------------------------------------------------------------------------- */
/* Names */

static bool has_suffix(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && memcmp(s + n - m, suffix, m) == 0;
}

static bool is_signed64(ProtobufCType type) {
    return type == PROTOBUF_C_TYPE_INT64 || type == PROTOBUF_C_TYPE_SINT64 ||
           type == PROTOBUF_C_TYPE_SFIXED64;
}

/* The names a date field has (docs/bus.md, "Dates"): a sint32 field so named is a day number
   on the bus and YYYY-MM-DD text in JSON. */
static bool is_date_name(const char *name) {
    return has_suffix(name, "_date") || has_suffix(name, "_on") || strcmp(name, "as_of") == 0 ||
           strcmp(name, "from") == 0 || strcmp(name, "to") == 0 || has_suffix(name, "_from") ||
           has_suffix(name, "_to");
}

static value_kind_t value_kind(const ProtobufCFieldDescriptor *field) {
    const char *name = field->name;
    if (is_signed64(field->type) && has_suffix(name, "_sen")) return VALUE_MONEY;
    if (is_signed64(field->type) && has_suffix(name, "_bp")) return VALUE_RATE;
    if (is_signed64(field->type) && has_suffix(name, "_at_ms")) return VALUE_TIMESTAMP;
    if (field->type == PROTOBUF_C_TYPE_SINT32 && is_date_name(name)) return VALUE_DATE;
    return VALUE_PLAIN;
}

const char *json_pb_json_name(const ProtobufCFieldDescriptor *field, char *buf, size_t size) {
    assert(field && buf);
    size_t n = strlen(field->name);
    value_kind_t kind = value_kind(field);
    if (kind == VALUE_MONEY) n -= strlen("_sen");
    if (kind == VALUE_RATE) n -= strlen("_bp");
    if (kind == VALUE_TIMESTAMP) n -= strlen("_ms");
    assert(n < size);
    memcpy(buf, field->name, n);
    buf[n] = '\0';
    return buf;
}

static const ProtobufCFieldDescriptor *field_by_json_name(const ProtobufCMessageDescriptor *d,
                                                          const char *json_name) {
    for (unsigned i = 0; i < d->n_fields; i++) {
        char name[JSON_PB_NAME_MAX];
        if (strcmp(json_pb_json_name(&d->fields[i], name, sizeof name), json_name) == 0)
            return &d->fields[i];
    }
    return NULL;
}

static bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static bool is_lower_or_digit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

/* The UPPER_SNAKE prefix of an enum's value names: LoanMethod -> "LOAN_METHOD_",
   HTTPStatus -> "HTTP_STATUS_". */
static void enum_prefix(const ProtobufCEnumDescriptor *e, char *buf, size_t size) {
    const char *s = e->short_name;
    size_t n = 0;
    for (size_t i = 0; s[i] != '\0'; i++) {
        assert(n + 3 < size);
        bool word_start = i > 0 && is_upper(s[i]) &&
                          (is_lower_or_digit(s[i - 1]) ||
                           (is_upper(s[i - 1]) && s[i + 1] >= 'a' && s[i + 1] <= 'z'));
        if (word_start) buf[n++] = '_';
        buf[n++] = (char) (s[i] >= 'a' && s[i] <= 'z' ? s[i] - 'a' + 'A' : s[i]);
    }
    buf[n++] = '_';
    buf[n] = '\0';
}

/* The JSON name of an enum value: LOAN_METHOD_ANNUITY -> "annuity". */
static const char *enum_value_name(const ProtobufCEnumValue *v, const char *prefix, char *buf,
                                   size_t size) {
    const char *s = v->name;
    size_t p = strlen(prefix);
    if (strncmp(s, prefix, p) == 0 && s[p] != '\0') s += p;
    size_t n = strlen(s);
    assert(n < size);
    for (size_t i = 0; i <= n; i++)
        buf[i] = (char) (is_upper(s[i]) ? s[i] - 'A' + 'a' : s[i]);
    return buf;
}

/* Appends `item` to a ", "-separated list in buf, ending the list with "..." once full. */
static void list_append(char *buf, size_t size, const char *item) {
    size_t used = strlen(buf);
    if (used >= 3 && strcmp(buf + used - 3, "...") == 0) return;
    const char *sep = used > 0 ? ", " : "";
    if (used + strlen(sep) + strlen(item) + strlen(", ...") < size)
        snprintf(buf + used, size - used, "%s%s", sep, item);
    else
        snprintf(buf + used, size - used, "%s...", sep);
}

/* ---------------------------------------------------------------------------------------- */
/* Paths and errors */

static size_t path_append(convert_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static size_t path_append(convert_t *c, const char *fmt, ...) {
    size_t mark = c->path_len;
    size_t room = sizeof c->path - mark;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(c->path + mark, room, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    c->path_len += (size_t) n < room ? (size_t) n : room - 1;   /* a long path is cut short */
    return mark;
}

static size_t path_push_name(convert_t *c, const char *name) {
    return path_append(c, "%s%s", c->path_len > 0 ? "." : "", name);
}

static size_t path_push_index(convert_t *c, size_t index) {
    return path_append(c, "[%zu]", index);
}

static void path_pop(convert_t *c, size_t mark) {
    c->path_len = mark;
    c->path[mark] = '\0';
}

/* Fills the error: the field is the current path, and the message starts with it. */
static int fail(convert_t *c, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(convert_t *c, const char *code, const char *fmt, ...) {
    char message[JSON_PB_MESSAGE_MAX];       /* the bound the answers have always had */
    int n = snprintf(message, sizeof message, "%s ", c->path_len > 0 ? c->path : "the request body");
    if (n > 0 && (size_t) n < sizeof message) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(message + n, sizeof message - (size_t) n, fmt, ap);
        va_end(ap);
    }
    return problem_set(c->error, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, code, c->path, "%s",
                       message);
}

static int fail_unknown_field(convert_t *c, const ProtobufCMessageDescriptor *d) {
    char known[JSON_PB_FIELD_LIST_MAX] = "";
    for (unsigned i = 0; i < d->n_fields; i++) {
        char name[JSON_PB_NAME_MAX];
        list_append(known, sizeof known, json_pb_json_name(&d->fields[i], name, sizeof name));
    }
    return fail(c, "unknown_field", "is not a known field (known: %s)", known);
}

/* ---------------------------------------------------------------------------------------- */
/* Text checks */

/* The length of the valid UTF-8 sequence at s (at most n bytes), 0 when it is not valid:
   no overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t utf8_sequence(const unsigned char *s, size_t n) {
    if (s[0] < 0x80) return 1;
    size_t len;
    uint32_t cp, min;
    if ((s[0] & 0xE0) == 0xC0) { len = 2; cp = s[0] & 0x1F; min = 0x80; }
    else if ((s[0] & 0xF0) == 0xE0) { len = 3; cp = s[0] & 0x0F; min = 0x800; }
    else if ((s[0] & 0xF8) == 0xF0) { len = 4; cp = s[0] & 0x07; min = 0x10000; }
    else return 0;
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

/* True for valid UTF-8 without NUL. */
static bool text_valid(const char *s, size_t n) {
    const unsigned char *p = (const unsigned char *) s;
    for (size_t i = 0; i < n;) {
        size_t len = p[i] == 0 ? 0 : utf8_sequence(p + i, n - i);
        if (len == 0) return false;
        i += len;
    }
    return true;
}

/* The value of a JSON string without NUL bytes, or NULL (not a string, or it holds a NUL). */
static const char *plain_string(const json_t *v) {
    if (!json_is_string(v)) return NULL;
    const char *s = json_string_value(v);
    return strlen(s) == json_string_length(v) ? s : NULL;
}

enum { INTEGER_OK = 0, INTEGER_SYNTAX = -1, INTEGER_RANGE = -2 };

/* "-?[0-9]+" into a sign and a magnitude; INTEGER_RANGE when the magnitude passes uint64. */
static int parse_integer(const char *s, bool *negative, uint64_t *magnitude) {
    *negative = (*s == '-');
    if (*negative) s++;
    if (*s == '\0') return INTEGER_SYNTAX;
    uint64_t m = 0;
    bool overflow = false;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9') return INTEGER_SYNTAX;
        uint64_t d = (uint64_t) (*s - '0');
        if (m > (UINT64_MAX - d) / 10) overflow = true;
        m = m * 10 + d;
    }
    if (overflow) return INTEGER_RANGE;
    *magnitude = m;
    return INTEGER_OK;
}

/* Text into int64; INTEGER_RANGE outside it. */
static int parse_int64(const char *s, int64_t *out) {
    bool negative;
    uint64_t m;
    int rc = parse_integer(s, &negative, &m);
    if (rc != INTEGER_OK) return rc;
    if (m > (uint64_t) INT64_MAX + (negative ? 1 : 0)) return INTEGER_RANGE;
    *out = !negative ? (int64_t) m : m == (uint64_t) INT64_MAX + 1 ? INT64_MIN : -(int64_t) m;
    return INTEGER_OK;
}

/* ---------------------------------------------------------------------------------------- */
/* JSON -> protobuf: one value into the memory at `out` */

static int to_int32(convert_t *c, const json_t *v, int32_t *out) {
    if (!json_is_integer(v)) return fail(c, "invalid_type", "must be a whole number");
    json_int_t x = json_integer_value(v);
    if (x < INT32_MIN || x > INT32_MAX)
        return fail(c, "out_of_range", "must be between %d and %d", INT32_MIN, INT32_MAX);
    *out = (int32_t) x;
    return 0;
}

static int to_uint32(convert_t *c, const json_t *v, uint32_t *out) {
    if (!json_is_integer(v)) return fail(c, "invalid_type", "must be a whole number");
    json_int_t x = json_integer_value(v);
    if (x < 0 || x > UINT32_MAX)
        return fail(c, "out_of_range", "must be between 0 and %" PRIu32, UINT32_MAX);
    *out = (uint32_t) x;
    return 0;
}

static int to_int64(convert_t *c, const json_t *v, int64_t *out) {
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return 0;
    }
    const char *s = plain_string(v);
    int rc = s ? parse_int64(s, out) : INTEGER_SYNTAX;
    if (rc == INTEGER_RANGE)
        return fail(c, "out_of_range", "must be between %" PRId64 " and %" PRId64, INT64_MIN,
                    INT64_MAX);
    if (rc != INTEGER_OK)
        return fail(c, "invalid_type", "must be a whole number in a string, e.g. \"42\"");
    return 0;
}

static int to_uint64(convert_t *c, const json_t *v, uint64_t *out) {
    if (json_is_integer(v)) {
        if (json_integer_value(v) < 0)
            return fail(c, "out_of_range", "must be between 0 and %" PRIu64, UINT64_MAX);
        *out = (uint64_t) json_integer_value(v);
        return 0;
    }
    const char *s = plain_string(v);
    bool negative = false;
    uint64_t m = 0;
    int rc = s ? parse_integer(s, &negative, &m) : INTEGER_SYNTAX;
    if (rc == INTEGER_SYNTAX)
        return fail(c, "invalid_type", "must be a whole number in a string, e.g. \"42\"");
    if (rc == INTEGER_RANGE || (negative && m > 0))
        return fail(c, "out_of_range", "must be between 0 and %" PRIu64, UINT64_MAX);
    *out = m;
    return 0;
}

/* Money and rates: two-decimal fixed point, never a JSON number, never negative on input. */
static int to_decimal(convert_t *c, const json_t *v, value_kind_t kind, int64_t *out) {
    const char *code = kind == VALUE_MONEY ? "invalid_money" : "invalid_rate";
    const char *example = kind == VALUE_MONEY ? "\"1500.50\"" : "\"12.5\"";
    if (json_is_number(v))
        return fail(c, code, "must be a decimal string such as %s, not a number", example);
    if (!json_is_string(v))
        return fail(c, "invalid_type", "must be a decimal string such as %s", example);
    const char *s = plain_string(v);
    int rc = s ? money_parse(s, out) : ERR_MONEY_SYNTAX;
    switch (rc) {
    case 0: return 0;
    case ERR_MONEY_RANGE: return fail(c, "out_of_range", "%s", money_error_text(rc));
    case ERR_MONEY_SYNTAX:
        return fail(c, code, "is not a decimal number; write it like %s", example);
    default: return fail(c, code, "%s", money_error_text(rc));
    }
}

static int to_bool(convert_t *c, const json_t *v, protobuf_c_boolean *out) {
    if (!json_is_boolean(v)) return fail(c, "invalid_type", "must be true or false");
    *out = json_is_true(v);
    return 0;
}

static int to_double(convert_t *c, const json_t *v, double *out) {
    if (!json_is_number(v)) return fail(c, "invalid_type", "must be a number");
    *out = json_number_value(v);
    return 0;
}

static int to_float(convert_t *c, const json_t *v, float *out) {
    double d = 0;
    if (to_double(c, v, &d) != 0) return ERR_REJECTED;
    if (fabs(d) > FLT_MAX) return fail(c, "out_of_range", "is too large");
    *out = (float) d;
    return 0;
}

static int fail_enum(convert_t *c, const ProtobufCEnumDescriptor *e, const char *code) {
    char prefix[JSON_PB_NAME_MAX], names[JSON_PB_FIELD_LIST_MAX] = "";
    enum_prefix(e, prefix, sizeof prefix);
    for (unsigned i = 0; i < e->n_values; i++) {
        char name[JSON_PB_NAME_MAX];
        if (e->values[i].value != 0)
            list_append(names, sizeof names, enum_value_name(&e->values[i], prefix, name, sizeof name));
    }
    return fail(c, code, "must be one of: %s", names);
}

/* An enum by its lower-case name without the prefix; value 0 (unspecified) is never input. */
static int to_enum(convert_t *c, const ProtobufCEnumDescriptor *e, const json_t *v, int32_t *out) {
    if (!json_is_string(v)) return fail_enum(c, e, "invalid_type");
    const char *s = plain_string(v);
    char prefix[JSON_PB_NAME_MAX];
    enum_prefix(e, prefix, sizeof prefix);
    for (unsigned i = 0; s && i < e->n_values; i++) {
        char name[JSON_PB_NAME_MAX];
        if (e->values[i].value != 0 &&
            strcmp(enum_value_name(&e->values[i], prefix, name, sizeof name), s) == 0) {
            *out = e->values[i].value;
            return 0;
        }
    }
    return fail_enum(c, e, "invalid_enum");
}

/* Checks a JSON string's size and encoding; returns its value or NULL with the error set. */
static const char *checked_text(convert_t *c, const json_t *v) {
    size_t n = json_string_length(v);
    if (n > JSON_PB_STRING_MAX) {
        fail(c, "too_long", "is longer than %d bytes", JSON_PB_STRING_MAX);
        return NULL;
    }
    const char *s = json_string_value(v);
    if (!text_valid(s, n)) {
        fail(c, "invalid_string", "must be UTF-8 text without NUL characters");
        return NULL;
    }
    return s;
}

/* A date's JSON text, "YYYY-MM-DD", into its day number: the one place a date given by a
   user is parsed on its way into the system. */
static int to_days(convert_t *c, const json_t *v, int32_t *days) {
    if (!json_is_string(v)) return fail(c, "invalid_type", "must be a date string as YYYY-MM-DD");
    const char *s = checked_text(c, v);
    if (!s) return ERR_REJECTED;
    int rc = date_parse(s, days);
    if (rc != 0) return fail(c, "invalid_date", "%s", date_error_text(rc));
    return 0;
}

static int to_string(convert_t *c, const json_t *v, char **out) {
    if (!json_is_string(v)) return fail(c, "invalid_type", "must be a string");
    const char *s = checked_text(c, v);
    if (!s) return ERR_REJECTED;
    size_t n = json_string_length(v);
    char *copy = arena_alloc(c->arena, n + 1);
    memcpy(copy, s, n + 1);
    *out = copy;
    return 0;
}

static int to_bytes(convert_t *c, const json_t *v, ProtobufCBinaryData *out) {
    const char *hint = "must be base64 text (standard alphabet, with padding)";
    if (!json_is_string(v)) return fail(c, "invalid_type", "%s", hint);
    size_t n = json_string_length(v);
    if (n > JSON_PB_STRING_MAX)
        return fail(c, "too_long", "is longer than %d bytes", JSON_PB_STRING_MAX);
    size_t max = n / 4 * 3 + 3;
    unsigned char *bin = arena_alloc(c->arena, max);
    size_t len = 0;
    if (sodium_base642bin(bin, max, json_string_value(v), n, NULL, &len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return fail(c, "invalid_bytes", "%s", hint);
    out->len = len;
    out->data = len > 0 ? bin : NULL;
    return 0;
}

static int fill_message(convert_t *c, const json_t *object, ProtobufCMessage *message, int depth);

static int to_message(convert_t *c, const ProtobufCMessageDescriptor *d, const json_t *v,
                      int depth, ProtobufCMessage **out) {
    if (!json_is_object(v)) return fail(c, "invalid_type", "must be an object");
    if (depth + 1 > JSON_PB_DEPTH_MAX)
        return fail(c, "too_deep", "is nested more than %d levels deep", JSON_PB_DEPTH_MAX);
    ProtobufCMessage *sub = arena_message(c->arena, d);
    if (fill_message(c, v, sub, depth + 1) != 0) return ERR_REJECTED;
    *out = sub;
    return 0;
}

/* RFC 3339 UTC timestamps ("2026-11-29T09:10:00Z", optional .mmm) <-> Unix milliseconds, for
   int64 fields named *_at_ms. */
static int to_timestamp(convert_t *c, const json_t *v, int64_t *out) {
    int y, mo, d, h, mi, sec, ms = 0, n = 0;
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    int32_t days;
    if (!s || (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6) ||
        date_from_ymd(y, mo, d, &days) != 0 || h > 23 || mi > 59 || sec > 59 || h < 0 ||
        mi < 0 || sec < 0)
        return fail(c, "invalid_timestamp", "must be a UTC timestamp as YYYY-MM-DDTHH:MM:SSZ");
    if (s[n] == '.') {
        int m = 0;
        if (sscanf(s + n + 1, "%3d%n", &ms, &m) != 1 || m != 3)
            return fail(c, "invalid_timestamp", "must have exactly 3 digits of milliseconds");
        n += 4;
    }
    if (strcmp(s + n, "Z") != 0)
        return fail(c, "invalid_timestamp", "must end in Z (UTC), as YYYY-MM-DDTHH:MM:SSZ");
    *out = (((int64_t) days * 24 + h) * 60 + mi) * 60000 + (int64_t) sec * 1000 + ms;
    return 0;
}

enum { TIMESTAMP_TEXT_MAX = 40 };
_Static_assert(TIMESTAMP_TEXT_MAX >= (int) MONEY_FORMAT_MAX, "out_int64 shares its buffer");

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" of a millisecond count; its length. */
static size_t timestamp_text(int64_t ms, char buf[TIMESTAMP_TEXT_MAX]) {
    /* Floor divisions written so that no step overflows, whatever the service sent. */
    int64_t millis = ms % 1000, secs = ms / 1000;
    if (millis < 0) { millis += 1000; secs--; }
    int64_t rem = secs % 86400, days = secs / 86400;
    if (rem < 0) { rem += 86400; days--; }
    int y, mo, d;
    date_to_ymd((int32_t) days, &y, &mo, &d);
    int n = snprintf(buf, TIMESTAMP_TEXT_MAX, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, mo, d,
                     (int) (rem / 3600), (int) (rem / 60 % 60), (int) (rem % 60), (int) millis);
    return n > 0 ? (size_t) n : 0;
}

static json_t *timestamp_json(int64_t ms) {
    char buf[TIMESTAMP_TEXT_MAX];
    timestamp_text(ms, buf);
    return json_string(buf);
}

/* Converts one JSON value for `field` into `out`, which is the field's storage (or one element
   of a repeated field's array). `depth` is that of the object or array holding the value. */
static int to_value(convert_t *c, const ProtobufCFieldDescriptor *field, const json_t *v,
                    int depth, void *out) {
    value_kind_t kind = value_kind(field);
    switch (field->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        return kind == VALUE_DATE ? to_days(c, v, out) : to_int32(c, v, out);
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32: return to_uint32(c, v, out);
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        if (kind == VALUE_TIMESTAMP) return to_timestamp(c, v, out);
        return kind == VALUE_PLAIN ? to_int64(c, v, out) : to_decimal(c, v, kind, out);
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64: return to_uint64(c, v, out);
    case PROTOBUF_C_TYPE_FLOAT: return to_float(c, v, out);
    case PROTOBUF_C_TYPE_DOUBLE: return to_double(c, v, out);
    case PROTOBUF_C_TYPE_BOOL: return to_bool(c, v, out);
    case PROTOBUF_C_TYPE_ENUM: return to_enum(c, field->descriptor, v, out);
    case PROTOBUF_C_TYPE_STRING: return to_string(c, v, out);
    case PROTOBUF_C_TYPE_BYTES: return to_bytes(c, v, out);
    case PROTOBUF_C_TYPE_MESSAGE: return to_message(c, field->descriptor, v, depth, out);
    }
    assert(!"unknown protobuf-c field type");
    return ERR_REJECTED;
}

/* ---------------------------------------------------------------------------------------- */
/* Presence and storage */

static bool is_pointer_type(ProtobufCType type) {
    return type == PROTOBUF_C_TYPE_STRING || type == PROTOBUF_C_TYPE_MESSAGE;
}

static bool is_oneof(const ProtobufCFieldDescriptor *field) {
    return (field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) != 0;
}

static size_t element_size(ProtobufCType type) {
    switch (type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_ENUM: return sizeof(int32_t);
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64: return sizeof(int64_t);
    case PROTOBUF_C_TYPE_FLOAT: return sizeof(float);
    case PROTOBUF_C_TYPE_DOUBLE: return sizeof(double);
    case PROTOBUF_C_TYPE_BOOL: return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_STRING: return sizeof(char *);
    case PROTOBUF_C_TYPE_BYTES: return sizeof(ProtobufCBinaryData);
    case PROTOBUF_C_TYPE_MESSAGE: return sizeof(ProtobufCMessage *);
    }
    assert(!"unknown protobuf-c field type");
    return 0;
}

static uint32_t oneof_case(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *field) {
    return *(const uint32_t *) CONST_MEMBER(m, field->quantifier_offset);
}

/* Records that a singular field now holds a value. */
static void mark_present(ProtobufCMessage *m, const ProtobufCFieldDescriptor *field) {
    if (is_oneof(field))
        *(uint32_t *) MEMBER(m, field->quantifier_offset) = field->id;
    else if (field->label == PROTOBUF_C_LABEL_OPTIONAL && !is_pointer_type(field->type))
        *(protobuf_c_boolean *) MEMBER(m, field->quantifier_offset) = 1;
}

/* Whether a singular field holds a value, as protobuf-c's packer decides it. */
static bool field_present(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *field) {
    if (is_oneof(field)) return oneof_case(m, field) == field->id;
    if (is_pointer_type(field->type)) {
        const void *p = *(const void *const *) CONST_MEMBER(m, field->offset);
        return p != NULL && (field->label != PROTOBUF_C_LABEL_OPTIONAL || p != field->default_value);
    }
    if (field->label == PROTOBUF_C_LABEL_OPTIONAL)
        return *(const protobuf_c_boolean *) CONST_MEMBER(m, field->quantifier_offset);
    return true;
}

/* ---------------------------------------------------------------------------------------- */
/* JSON -> protobuf: fields and messages */

static int fill_repeated(convert_t *c, ProtobufCMessage *m, const ProtobufCFieldDescriptor *field,
                         const json_t *v, int depth) {
    if (!json_is_array(v)) return fail(c, "invalid_type", "must be an array");
    if (depth + 1 > JSON_PB_DEPTH_MAX)
        return fail(c, "too_deep", "is nested more than %d levels deep", JSON_PB_DEPTH_MAX);
    size_t n = json_array_size(v);
    if (n > JSON_PB_ITEMS_MAX)
        return fail(c, "too_many_items", "has more than %d items", JSON_PB_ITEMS_MAX);
    size_t size = element_size(field->type);
    char *items = n > 0 ? arena_alloc(c->arena, n * size) : NULL;
    for (size_t i = 0; i < n; i++) {
        size_t mark = path_push_index(c, i);
        int rc = to_value(c, field, json_array_get(v, i), depth + 1, items + i * size);
        path_pop(c, mark);
        if (rc != 0) return rc;
    }
    *(size_t *) MEMBER(m, field->quantifier_offset) = n;
    *(void **) MEMBER(m, field->offset) = items;
    return 0;
}

static int fail_oneof_conflict(convert_t *c, const ProtobufCMessage *m,
                               const ProtobufCFieldDescriptor *field) {
    const ProtobufCFieldDescriptor *other =
        protobuf_c_message_descriptor_get_field(m->descriptor, oneof_case(m, field));
    assert(other);
    char name[JSON_PB_NAME_MAX];
    return fail(c, "conflicting_fields", "cannot be given together with %s",
                json_pb_json_name(other, name, sizeof name));
}

/* JSON null means absent. Two members of one oneof are a conflict. */
static int fill_field(convert_t *c, ProtobufCMessage *m, const ProtobufCFieldDescriptor *field,
                      const json_t *v, int depth) {
    if (json_is_null(v)) return 0;
    if (field->label == PROTOBUF_C_LABEL_REPEATED) return fill_repeated(c, m, field, v, depth);
    if (is_oneof(field) && oneof_case(m, field) != 0 && oneof_case(m, field) != field->id)
        return fail_oneof_conflict(c, m, field);
    if (to_value(c, field, v, depth, MEMBER(m, field->offset)) != 0) return ERR_REJECTED;
    mark_present(m, field);
    return 0;
}

/* `depth` is that of `object` itself, 1 for the request body. */
static int fill_message(convert_t *c, const json_t *object, ProtobufCMessage *message, int depth) {
    const char *key;
    json_t *value;
    json_object_foreach((json_t *) object, key, value) {
        size_t mark = path_push_name(c, key);
        const ProtobufCFieldDescriptor *field = field_by_json_name(message->descriptor, key);
        int rc = field ? fill_field(c, message, field, value, depth)
                       : fail_unknown_field(c, message->descriptor);
        path_pop(c, mark);
        if (rc != 0) return rc;
    }
    return 0;
}

int json_pb_from_json(arena_t *arena, const json_t *json, ProtobufCMessage *message,
                      problem_t *error) {
    assert(arena && json && message && error);
    memset(error, 0, sizeof *error);
    convert_t c = { .arena = arena, .error = error };
    if (!json_is_object(json)) return fail(&c, "invalid_type", "must be a JSON object");
    return fill_message(&c, json, message, 1);
}

/* ---------------------------------------------------------------------------------------- */
/* Text parameters */

/* The JSON value a path or query parameter stands for, for the field's type. */
static int text_to_json(convert_t *c, const ProtobufCFieldDescriptor *field, const char *text,
                        json_t **out) {
    switch (value_kind(field) == VALUE_DATE ? PROTOBUF_C_TYPE_STRING : field->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32: {
        int64_t x;
        int rc = parse_int64(text, &x);
        if (rc == INTEGER_SYNTAX) return fail(c, "invalid_type", "must be a whole number");
        if (rc == INTEGER_RANGE) return fail(c, "out_of_range", "is too large");
        *out = json_integer(x);
        break;
    }
    case PROTOBUF_C_TYPE_BOOL:
        if (strcmp(text, "true") != 0 && strcmp(text, "false") != 0)
            return fail(c, "invalid_type", "must be true or false");
        *out = json_boolean(strcmp(text, "true") == 0);
        break;
    case PROTOBUF_C_TYPE_FLOAT:
    case PROTOBUF_C_TYPE_DOUBLE: {
        char *end = NULL;
        double d = strtod(text, &end);
        bool plain = text[0] != '\0' && strspn(text, "0123456789+-.eE") == strlen(text);
        if (!plain || *end != '\0' || !isfinite(d))
            return fail(c, "invalid_type", "must be a number");
        *out = json_real(d);
        break;
    }
    case PROTOBUF_C_TYPE_MESSAGE:
        return fail(c, "invalid_type", "cannot be given as a parameter");
    default:
        *out = json_stringn_nocheck(text, strlen(text));
        break;
    }
    if (!*out) abort();   /* jansson is out of memory, like arena_alloc */
    return 0;
}

static int append_item(convert_t *c, ProtobufCMessage *m, const ProtobufCFieldDescriptor *field,
                       const json_t *v) {
    size_t *count = (size_t *) MEMBER(m, field->quantifier_offset);
    void **items = (void **) MEMBER(m, field->offset);
    if (*count >= JSON_PB_ITEMS_MAX)
        return fail(c, "too_many_items", "has more than %d items", JSON_PB_ITEMS_MAX);
    size_t size = element_size(field->type);
    char *grown = arena_alloc(c->arena, (*count + 1) * size);
    if (*count > 0) memcpy(grown, *items, *count * size);
    if (to_value(c, field, v, 1, grown + *count * size) != 0) return ERR_REJECTED;
    *items = grown;
    *count += 1;
    return 0;
}

/* The common parameter, an id (a singular uint64 given as decimal digits), set without a
   JSON value in between; the result is the one to_uint64() gives. 0, or -1: not such a
   case, take the general path (which also words every error). */
static int set_id_text(ProtobufCMessage *m, const ProtobufCFieldDescriptor *field,
                       const char *text) {
    if (field->type != PROTOBUF_C_TYPE_UINT64 || field->label == PROTOBUF_C_LABEL_REPEATED)
        return -1;
    size_t n = strspn(text, "0123456789");
    if (n == 0 || n > 19 || text[n] != '\0') return -1;     /* 19 digits never overflow */
    bool negative;
    uint64_t id;
    if (parse_integer(text, &negative, &id) != INTEGER_OK) return -1;
    *(uint64_t *) MEMBER(m, field->offset) = id;
    mark_present(m, field);
    return 0;
}

/* A parameter sets the field even when the body set it or another member of its oneof: the
   path names the resource, so it wins. A repeated field gains one item per parameter. */
int json_pb_set_text(arena_t *arena, ProtobufCMessage *message, const char *json_name,
                     const char *text, problem_t *error) {
    assert(arena && message && json_name && text && error);
    memset(error, 0, sizeof *error);
    convert_t c = { .arena = arena, .error = error };
    path_push_name(&c, json_name);
    const ProtobufCFieldDescriptor *field = field_by_json_name(message->descriptor, json_name);
    if (!field) return fail_unknown_field(&c, message->descriptor);
    if (set_id_text(message, field, text) == 0) return 0;
    json_t *v = NULL;
    int rc = text_to_json(&c, field, text, &v);
    if (rc == 0 && field->label == PROTOBUF_C_LABEL_REPEATED)
        rc = append_item(&c, message, field, v);
    else if (rc == 0) {
        rc = to_value(&c, field, v, 1, MEMBER(message, field->offset));
        if (rc == 0) mark_present(message, field);
    }
    json_decref(v);
    return rc;
}

/* ---------------------------------------------------------------------------------------- */
/* protobuf -> JSON */

static json_t *must(json_t *v) {
    if (!v) abort();   /* jansson is out of memory */
    return v;
}

/* A JSON string for text a service sent; invalid UTF-8 becomes U+FFFD rather than failing. */
json_t *json_pb_text(const char *s) {
    if (!s) s = "";
    size_t n = strlen(s);
    json_t *v = json_stringn(s, n);
    if (v) return v;
    char *clean = malloc(n * 3 + 1);
    if (!clean) abort();
    size_t used = 0;
    const unsigned char *p = (const unsigned char *) s;
    for (size_t i = 0; i < n;) {
        size_t len = utf8_sequence(p + i, n - i);
        if (len == 0) {
            memcpy(clean + used, "\xEF\xBF\xBD", 3);
            used += 3;
            i += 1;
        } else {
            memcpy(clean + used, p + i, len);
            used += len;
            i += len;
        }
    }
    v = must(json_stringn(clean, used));
    free(clean);
    return v;
}

static json_t *bytes_json(const ProtobufCBinaryData *b) {
    size_t size = sodium_base64_ENCODED_LEN(b->len, sodium_base64_VARIANT_ORIGINAL);
    char *text = malloc(size);
    if (!text) abort();
    sodium_bin2base64(text, size, b->data, b->len, sodium_base64_VARIANT_ORIGINAL);
    json_t *v = must(json_string(text));
    free(text);
    return v;
}

static json_t *enum_json(const ProtobufCEnumDescriptor *e, int32_t value) {
    const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(e, value);
    if (!v) return must(json_integer(value));   /* a value newer than our descriptors */
    char prefix[JSON_PB_NAME_MAX], name[JSON_PB_NAME_MAX];
    enum_prefix(e, prefix, sizeof prefix);
    return must(json_string(enum_value_name(v, prefix, name, sizeof name)));
}

static json_t *int64_json(int64_t x, value_kind_t kind) {
    char buf[MONEY_FORMAT_MAX];
    if (kind == VALUE_TIMESTAMP) return must(timestamp_json(x));
    if (kind == VALUE_PLAIN)
        snprintf(buf, sizeof buf, "%" PRId64, x);
    else
        money_format(x, buf, sizeof buf);   /* output may be negative (balances) */
    return must(json_string(buf));
}

static json_t *uint64_json(uint64_t x) {
    char buf[24];
    snprintf(buf, sizeof buf, "%" PRIu64, x);
    return must(json_string(buf));
}

static json_t *real_json(double d) {
    return isfinite(d) ? must(json_real(d)) : json_null();
}

/* A day number as "YYYY-MM-DD": the one place a date leaves the system as text for a user. */
static json_t *date_json(int32_t days) {
    char buf[DATE_FORMAT_MAX];
    date_format(days, buf, sizeof buf);
    return must(json_string(buf));
}

static json_t *object_of(const ProtobufCMessage *m, int depth);

/* The JSON of one value stored at p (a singular field or one element of a repeated one). */
static json_t *value_json(const ProtobufCFieldDescriptor *field, const void *p, int depth) {
    switch (field->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        if (value_kind(field) == VALUE_DATE) return date_json(*(const int32_t *) p);
        return must(json_integer(*(const int32_t *) p));
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32: return must(json_integer(*(const uint32_t *) p));
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64: return int64_json(*(const int64_t *) p, value_kind(field));
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64: return uint64_json(*(const uint64_t *) p);
    case PROTOBUF_C_TYPE_FLOAT: return real_json(*(const float *) p);
    case PROTOBUF_C_TYPE_DOUBLE: return real_json(*(const double *) p);
    case PROTOBUF_C_TYPE_BOOL: return must(json_boolean(*(const protobuf_c_boolean *) p));
    case PROTOBUF_C_TYPE_ENUM: return enum_json(field->descriptor, *(const int32_t *) p);
    case PROTOBUF_C_TYPE_STRING: return json_pb_text(*(const char *const *) p);
    case PROTOBUF_C_TYPE_BYTES: return bytes_json(p);
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *sub = *(const ProtobufCMessage *const *) p;
        return sub ? object_of(sub, depth + 1) : json_null();
    }
    }
    assert(!"unknown protobuf-c field type");
    return json_null();
}

static json_t *array_json(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *field,
                          int depth) {
    size_t n = *(const size_t *) CONST_MEMBER(m, field->quantifier_offset);
    const char *items = *(const char *const *) CONST_MEMBER(m, field->offset);
    size_t size = element_size(field->type);
    json_t *array = must(json_array());
    for (size_t i = 0; i < n; i++)
        if (json_array_append_new(array, value_json(field, items + i * size, depth)) != 0) abort();
    return array;
}

/* Our protos are not recursive beyond a few levels; deeper means a broken message. */
static json_t *object_of(const ProtobufCMessage *m, int depth) {
    assert(depth <= JSON_PB_OUTPUT_DEPTH_MAX);
    const ProtobufCMessageDescriptor *d = m->descriptor;
    json_t *object = must(json_object());
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *field = &d->fields[i];
        json_t *v;
        if (field->label == PROTOBUF_C_LABEL_REPEATED)
            v = array_json(m, field, depth);
        else if (field_present(m, field))
            v = value_json(field, CONST_MEMBER(m, field->offset), depth);
        else
            continue;
        char name[JSON_PB_NAME_MAX];
        if (json_object_set_new(object, json_pb_json_name(field, name, sizeof name), v) != 0)
            abort();
    }
    return object;
}

json_t *json_pb_to_json(const ProtobufCMessage *message) {
    assert(message && message->descriptor);
    return object_of(message, 1);
}

/* ---------------------------------------------------------------------------------------- */
/* protobuf -> JSON text, without a tree: the bytes json_dumps() gives for json_pb_to_json()
   with JSON_COMPACT | JSON_ENSURE_ASCII (test_gateway_json_pb compares the two). */

static void out_reserve(json_pb_out_t *o, size_t more) {
    if (o->len + more <= o->cap) return;
    size_t cap = o->cap ? o->cap : JSON_PB_OUT_INITIAL;
    while (cap < o->len + more) cap *= 2;
    char *data = realloc(o->data, cap);
    if (!data) abort();
    o->data = data;
    o->cap = cap;
}

static void out_put(json_pb_out_t *o, const char *s, size_t n) {
    out_reserve(o, n);
    memcpy(o->data + o->len, s, n);
    o->len += n;
}

static void out_char(json_pb_out_t *o, char c) {
    out_reserve(o, 1);
    o->data[o->len++] = c;
}

static void out_u64(json_pb_out_t *o, uint64_t v) {
    char buf[24];
    size_t i = sizeof buf;
    do buf[--i] = (char) ('0' + v % 10); while ((v /= 10) != 0);
    out_put(o, buf + i, sizeof buf - i);
}

static void out_i64(json_pb_out_t *o, int64_t v) {
    if (v < 0) {
        out_char(o, '-');
        out_u64(o, (uint64_t) 0 - (uint64_t) v);
    } else {
        out_u64(o, (uint64_t) v);
    }
}

static void out_u16_escape(json_pb_out_t *o, uint32_t unit) {
    static const char hex[] = "0123456789ABCDEF";      /* jansson's "\\u%04X" */
    char seq[6] = { '\\', 'u', hex[unit >> 12 & 15], hex[unit >> 8 & 15], hex[unit >> 4 & 15],
                    hex[unit & 15] };
    out_put(o, seq, sizeof seq);
}

/* A code point beyond ASCII as \uXXXX, or a surrogate pair beyond the BMP. */
static void out_escape_code_point(json_pb_out_t *o, uint32_t cp) {
    if (cp < 0x10000) {
        out_u16_escape(o, cp);
        return;
    }
    cp -= 0x10000;
    out_u16_escape(o, 0xD800 | (cp >> 10 & 0x3FF));
    out_u16_escape(o, 0xDC00 | (cp & 0x3FF));
}

static uint32_t utf8_decode(const unsigned char *s, size_t len) {
    uint32_t cp = len == 2 ? s[0] & 0x1Fu : len == 3 ? s[0] & 0x0Fu : s[0] & 0x07u;
    for (size_t i = 1; i < len; i++) cp = (cp << 6) | (s[i] & 0x3Fu);
    return cp;
}

static bool ascii_plain(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

static void out_escape_ascii(json_pb_out_t *o, unsigned char c) {
    const char *text = NULL;
    switch (c) {
    case '\\': text = "\\\\"; break;
    case '"': text = "\\\""; break;
    case '\b': text = "\\b"; break;
    case '\f': text = "\\f"; break;
    case '\n': text = "\\n"; break;
    case '\r': text = "\\r"; break;
    case '\t': text = "\\t"; break;
    default: out_u16_escape(o, c); return;
    }
    out_put(o, text, 2);
}

/* A JSON string of text a service sent; invalid UTF-8 becomes U+FFFD, as json_pb_text(). */
static void out_string(json_pb_out_t *o, const char *s) {
    const unsigned char *p = (const unsigned char *) (s ? s : "");
    out_char(o, '"');
    while (*p) {
        const unsigned char *run = p;
        while (ascii_plain(*p)) p++;
        if (p > run) out_put(o, (const char *) run, (size_t) (p - run));
        if (!*p) break;
        if (*p < 0x80) {
            out_escape_ascii(o, *p++);
            continue;
        }
        size_t len = utf8_sequence(p, strnlen((const char *) p, 4));
        if (len == 0) {
            out_u16_escape(o, 0xFFFD);
            p++;
        } else {
            out_escape_code_point(o, utf8_decode(p, len));
            p += len;
        }
    }
    out_char(o, '"');
}

/* jansson's real: "%.17g", a ".0" when it reads as an integer, the exponent without "+" and
   leading zeros. Not finite: null. */
static void out_real(json_pb_out_t *o, double d) {
    if (!isfinite(d)) { out_put(o, "null", 4); return; }
    char buf[40];
    int n = snprintf(buf, sizeof buf - 3, "%.17g", d);
    assert(n > 0 && (size_t) n < sizeof buf - 3);
    size_t len = (size_t) n;
    if (!strchr(buf, '.') && !strchr(buf, 'e')) {
        memcpy(buf + len, ".0", 3);
        len += 2;
    }
    char *e = strchr(buf, 'e');
    if (e) {
        char *start = e + 1, *end = e + 2;
        if (*start == '-') start++;
        while (*end == '0') end++;
        if (end != start) {
            memmove(start, end, len - (size_t) (end - buf) + 1);
            len -= (size_t) (end - start);
        }
    }
    out_put(o, buf, len);
}

static void out_bytes(json_pb_out_t *o, const ProtobufCBinaryData *b) {
    size_t size = sodium_base64_ENCODED_LEN(b->len, sodium_base64_VARIANT_ORIGINAL);
    out_reserve(o, size + 2);
    o->data[o->len++] = '"';
    sodium_bin2base64(o->data + o->len, size, b->data, b->len, sodium_base64_VARIANT_ORIGINAL);
    o->len += size - 1;                      /* without the NUL */
    o->data[o->len++] = '"';
}

/* What the text writer needs of a field (its key as `"name":` and its value kind) or of an
   enum value (its JSON string, quoted), worked out once. Descriptors are static, so their
   addresses are keys for the life of the process. Every reply of every read went through
   the same names, suffix tests and enum prefixes again; now a probe finds them.

   Lock-free, for any thread: a slot is claimed by a compare-and-swap of its key, filled, then
   marked ready; a reader that finds it not yet ready, or finds no free slot within
   NAME_PROBES, works the text out itself. */
enum { NAME_SLOTS = 4096, NAME_PROBES = 8, NAME_TEXT_MAX = 64 };

typedef struct {
    _Atomic(const void *) key;
    atomic_bool ready;
    uint8_t kind;                       /* value_kind_t of a field */
    uint8_t len;
    char text[NAME_TEXT_MAX];
} name_slot_t;

static name_slot_t name_slots[NAME_SLOTS];

typedef size_t (*name_fill_fn)(const void *key, const void *ctx, char *text, size_t size,
                               uint8_t *kind);

static const name_slot_t *name_slot(const void *key, name_fill_fn fill, const void *ctx) {
    size_t h = (size_t) (((uint64_t) (uintptr_t) key * 0x9E3779B97F4A7C15u) >> 52);   /* 12 bits */
    for (unsigned i = 0; i < NAME_PROBES; i++) {
        name_slot_t *slot = &name_slots[(h + i) & (NAME_SLOTS - 1)];
        const void *seen = atomic_load_explicit(&slot->key, memory_order_acquire);
        if (!seen && atomic_compare_exchange_strong(&slot->key, &seen, key)) {
            size_t len = fill(key, ctx, slot->text, sizeof slot->text, &slot->kind);
            if (len == 0) return NULL;          /* too long to keep: the slot stays unready */
            slot->len = (uint8_t) len;
            atomic_store_explicit(&slot->ready, true, memory_order_release);
            return slot;
        }
        if (seen == key)
            return atomic_load_explicit(&slot->ready, memory_order_acquire) ? slot : NULL;
    }
    return NULL;
}

/* `"` name `"` and then `tail` into text: its length, or 0 when the name would need escaping
   or does not fit (then nothing is kept and the caller writes it the long way). */
static size_t quoted_fill(const char *name, const char *tail, char *text, size_t size) {
    size_t n = strlen(name), t = strlen(tail);
    for (size_t i = 0; i < n; i++)
        if (!ascii_plain((unsigned char) name[i])) return 0;
    if (n + 2 + t > size) return 0;
    text[0] = '"';
    memcpy(text + 1, name, n);
    text[n + 1] = '"';
    memcpy(text + n + 2, tail, t);
    return n + 2 + t;
}

/* A field's `"name":` and value kind. */
static size_t field_key_fill(const void *key, const void *ctx, char *text, size_t size,
                             uint8_t *kind) {
    (void) ctx;
    char name[JSON_PB_NAME_MAX];
    *kind = (uint8_t) value_kind(key);
    return quoted_fill(json_pb_json_name(key, name, sizeof name), ":", text, size);
}

/* An enum value's `"name"`; ctx is its enum's descriptor. */
static size_t enum_text_fill(const void *key, const void *ctx, char *text, size_t size,
                             uint8_t *kind) {
    (void) kind;
    char prefix[JSON_PB_NAME_MAX], name[JSON_PB_NAME_MAX];
    enum_prefix(ctx, prefix, sizeof prefix);
    return quoted_fill(enum_value_name(key, prefix, name, sizeof name), "", text, size);
}

static void out_enum(json_pb_out_t *o, const ProtobufCEnumDescriptor *e, int32_t value) {
    const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(e, value);
    if (!v) { out_i64(o, value); return; }   /* a value newer than our descriptors */
    const name_slot_t *slot = name_slot(v, enum_text_fill, e);
    if (slot) { out_put(o, slot->text, slot->len); return; }
    char prefix[JSON_PB_NAME_MAX], name[JSON_PB_NAME_MAX];
    enum_prefix(e, prefix, sizeof prefix);
    out_string(o, enum_value_name(v, prefix, name, sizeof name));
}

static void out_int64(json_pb_out_t *o, int64_t x, value_kind_t kind) {
    char buf[TIMESTAMP_TEXT_MAX];          /* larger than MONEY_FORMAT_MAX */
    size_t n;
    out_char(o, '"');
    if (kind == VALUE_PLAIN) {
        out_i64(o, x);
    } else {
        if (kind == VALUE_TIMESTAMP) n = timestamp_text(x, buf);
        else n = (size_t) money_format(x, buf, sizeof buf);   /* may be negative (balances) */
        out_put(o, buf, n);
    }
    out_char(o, '"');
}

static void out_object(json_pb_out_t *o, const ProtobufCMessage *m, int depth);

/* One value stored at p: value_json()'s, as text; kind is value_kind(field), which the caller
   has from the field's slot. */
static void out_value(json_pb_out_t *o, const ProtobufCFieldDescriptor *field,
                      value_kind_t kind, const void *p, int depth) {
    switch (field->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        if (kind == VALUE_DATE) {
            char buf[DATE_FORMAT_MAX];
            out_char(o, '"');
            out_put(o, buf, (size_t) date_format(*(const int32_t *) p, buf, sizeof buf));
            out_char(o, '"');
            return;
        }
        out_i64(o, *(const int32_t *) p);
        return;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32: out_u64(o, *(const uint32_t *) p); return;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64: out_int64(o, *(const int64_t *) p, kind); return;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        out_char(o, '"');
        out_u64(o, *(const uint64_t *) p);
        out_char(o, '"');
        return;
    case PROTOBUF_C_TYPE_FLOAT: out_real(o, *(const float *) p); return;
    case PROTOBUF_C_TYPE_DOUBLE: out_real(o, *(const double *) p); return;
    case PROTOBUF_C_TYPE_BOOL:
        if (*(const protobuf_c_boolean *) p) out_put(o, "true", 4);
        else out_put(o, "false", 5);
        return;
    case PROTOBUF_C_TYPE_ENUM: out_enum(o, field->descriptor, *(const int32_t *) p); return;
    case PROTOBUF_C_TYPE_STRING: out_string(o, *(const char *const *) p); return;
    case PROTOBUF_C_TYPE_BYTES: out_bytes(o, p); return;
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *sub = *(const ProtobufCMessage *const *) p;
        if (sub) out_object(o, sub, depth + 1);
        else out_put(o, "null", 4);
        return;
    }
    }
    assert(!"unknown protobuf-c field type");
}

static void out_array(json_pb_out_t *o, const ProtobufCMessage *m,
                      const ProtobufCFieldDescriptor *field, value_kind_t kind, int depth) {
    size_t n = *(const size_t *) CONST_MEMBER(m, field->quantifier_offset);
    const char *items = *(const char *const *) CONST_MEMBER(m, field->offset);
    size_t size = element_size(field->type);
    out_char(o, '[');
    for (size_t i = 0; i < n; i++) {
        if (i) out_char(o, ',');
        out_value(o, field, kind, items + i * size, depth);
    }
    out_char(o, ']');
}

static void out_object(json_pb_out_t *o, const ProtobufCMessage *m, int depth) {
    assert(depth <= JSON_PB_OUTPUT_DEPTH_MAX);
    const ProtobufCMessageDescriptor *d = m->descriptor;
    bool first = true;
    out_char(o, '{');
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *field = &d->fields[i];
        bool repeated = field->label == PROTOBUF_C_LABEL_REPEATED;
        if (!repeated && !field_present(m, field)) continue;
        if (!first) out_char(o, ',');
        first = false;
        const name_slot_t *key = name_slot(field, field_key_fill, NULL);
        value_kind_t kind;
        if (key) {
            out_put(o, key->text, key->len);
            kind = (value_kind_t) key->kind;
        } else {
            char name[JSON_PB_NAME_MAX];
            out_string(o, json_pb_json_name(field, name, sizeof name));
            out_char(o, ':');
            kind = value_kind(field);
        }
        if (repeated) out_array(o, m, field, kind, depth);
        else out_value(o, field, kind, CONST_MEMBER(m, field->offset), depth);
    }
    out_char(o, '}');
}

void json_pb_write(json_pb_out_t *out, const ProtobufCMessage *message) {
    assert(out && message && message->descriptor);
    out_object(out, message, 1);
}

void json_pb_out_free(json_pb_out_t *out) {
    assert(out);
    free(out->data);
    *out = (json_pb_out_t) { 0 };
}
