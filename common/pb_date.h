/*  pb_date — dates in protobuf fields: the day numbers of the bus (docs/bus.md, "Dates").

    A date field of proto/ is `optional sint32`, days since 1970-01-01 as common/date.h counts
    them, with proto2 presence (has_x) keeping "absent" apart from any day. These macros
    read and write such a field so that no caller forgets the has_ flag; pb_date_valid() is the
    range a date given by a request must lie in (the gateway's JSON text cannot name any other,
    a bus peer can).

    Not for: text (date.h parses and formats it, for files and messages), or timestamps. */
#ifndef LUMBUNG_PB_DATE_H
#define LUMBUNG_PB_DATE_H

#include <stdbool.h>
#include <stdint.h>
#include "date.h"

/* Sets the date field `f` of message `m` to `days` (present). */
#define PB_DATE_SET(m, f, days) ((m)->has_##f = 1, (m)->f = (days))

/* The date field `f` of message `m`, or `fallback` when absent. */
#define PB_DATE_OR(m, f, fallback) ((m)->has_##f ? (m)->f : (fallback))

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

#endif
