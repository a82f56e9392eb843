/*  pb_date — dates in protobuf fields: the day numbers of the bus (docs/bus.md, "Dates").

    A date field of proto/ is `optional sint32`, days since 1970-01-01 as common/date.h counts
    them, with proto2 presence (has_x) keeping "absent" apart from any day. These macros
    read and write such a field so that no caller forgets the has_ flag; pb_date_valid() is the
    range a date given by a request must lie in (the gateway's JSON text cannot name any other,
    a bus peer can).

    Not for: parsing text (date.h does, for files), or timestamps. */
#ifndef LUMBUNG_PB_DATE_H
#define LUMBUNG_PB_DATE_H

#include <stdbool.h>
#include <stdint.h>
#include "date.h"

/* Sets the date field `f` of message `m` to `days` (present). */
#define PB_DATE_SET(m, f, days) ((m)->has_##f = 1, (m)->f = (days))

/* The date field `f` of message `m`, or `fallback` when absent. */
#define PB_DATE_OR(m, f, fallback) ((m)->has_##f ? (m)->f : (fallback))

/* Copies the date field `f` (and its presence) from message `src` to message `dst`. */
#define PB_DATE_COPY(dst, src, f) ((dst)->has_##f = (src)->has_##f, (dst)->f = (src)->f)

/* PATCH of a date field: absent in `src` keeps `dst`'s, present replaces it. */
#define PB_DATE_PATCH(dst, src, f) \
    do { if ((src)->has_##f) PB_DATE_SET(dst, f, (src)->f); } while (0)

/* True with *out = the date field `f` of message `m` when present; false (out untouched) when
   absent. */
#define PB_DATE_GET(m, f, out) ((m)->has_##f ? (*(out) = (m)->f, true) : false)

/* An optional date passed on by value: the field `f` of message `m` and its presence. */
typedef struct {
    bool present;
    int32_t days;
} pb_date_opt_t;
#define PB_DATE_OPT(m, f) ((pb_date_opt_t){ .present = (m)->has_##f, .days = (m)->f })

/* Whether a day number names a date a user could have entered (DATE_MIN..DATE_MAX). */
static inline bool pb_date_valid(int32_t days) { return days >= DATE_MIN && days <= DATE_MAX; }

/* The "YYYY-MM-DD" of a day number for a sentence (an error message names the date a user
   gave): DATE_TEXT(days) is valid until the end of the full expression that holds it, e.g.
   an argument list (C11 6.2.4p8), so no buffer or arena is needed. */
typedef struct {
    char text[DATE_FORMAT_MAX];
} pb_date_text_t;

static inline pb_date_text_t pb_date_text(int32_t days) {
    pb_date_text_t t;
    date_format(days, t.text, sizeof t.text);
    return t;
}
#define DATE_TEXT(days) (pb_date_text(days).text)

#endif
