/*  enum_id — the Bahasa Indonesia of every enum value the report files show: one table per
    enum of the contract, indexed by the value, and one table of the health components' names
    by code. doc.c makes an enum cell a label (the JSON name in English, this text in
    Bahasa Indonesia), so lang=id files say "Kurang lancar" where lang=en files keep
    "substandard" as the JSON has it.

    It also gives every enum value its JSON name (lower case, without the enum's prefix), which
    the English files and CSV show, so the CSV writer and doc.c spell it one way.

    Pure and static: the texts are string literals.

    Not for: the web interface (its catalogues are services/gateway/web/i18n/); free text
    typed by people (names, memos), which is never translated. */
#ifndef LUMBUNG_REPORTING_ENUM_ID_H
#define LUMBUNG_REPORTING_ENUM_ID_H

#include <stdbool.h>
#include <stddef.h>
#include <protobuf-c/protobuf-c.h>

enum { REPORTING_ENUM_NAME_MAX = 64 };   /* bytes of a JSON enum name with its NUL */

/* The JSON name of `value` of enum `e` ("LOAN_CLASS_SUBSTANDARD" -> "substandard") into buf
   (size >= REPORTING_ENUM_NAME_MAX, truncated beyond). Returns false, buf "", for 0 or an
   unknown value. */
bool reporting_enum_json_name(const ProtobufCEnumDescriptor *e, int value, char *buf,
                              size_t size);

/* The Indonesian of `value` of enum `e`, or NULL for 0, an unknown value or an enum without a
   table (the cell then keeps the JSON name). */
const char *reporting_enum_id(const ProtobufCEnumDescriptor *e, int value);

/* The Indonesian name of health component `code` ("1a" .. "7b", "3"), or NULL. */
const char *reporting_health_component_id(const char *code);

#endif
