/*  enum_id — the Bahasa Indonesia of every enum value the report files show: one table per
    enum of the contract, indexed by the value, and one table of the health components' names
    by code. doc.c makes an enum cell a label (the JSON name in English, this text in
    Bahasa Indonesia), so lang=id files say "Kurang lancar" where lang=en files keep
    "substandard" as the JSON has it.

    Pure and static: the texts are string literals.

    Not for: the web interface (its catalogues are services/gateway/web/i18n/); free text
    typed by people (names, memos), which is never translated. */
#ifndef LUMBUNG_REPORTING_ENUM_ID_H
#define LUMBUNG_REPORTING_ENUM_ID_H

#include <protobuf-c/protobuf-c.h>

/* The Indonesian of `value` of enum `e`, or NULL for 0, an unknown value or an enum without a
   table (the cell then keeps the JSON name). */
const char *reporting_enum_id(const ProtobufCEnumDescriptor *e, int value);

/* The Indonesian name of health component `code` ("1a" .. "7b", "3"), or NULL. */
const char *reporting_health_component_id(const char *code);

#endif
