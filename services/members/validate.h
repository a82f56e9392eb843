/*  validate — the input rules of the members service, as pure functions.

    Each rule looks at one record (a member, a cooperative's identity and settings, an annual
    meeting, ...) and reports the first problem it finds as a problem_t: the error kind
    (which HTTP status), a stable code ("required", "invalid_nik", "invalid_sex", ...), the
    field by its JSON name as a dotted path ("settings.shu_allocation.reserves") and a sentence
    that tells a person what to fix. The same rules serve the JSON API, bus integrators and the
    CSV import, which turns a problem into a row error instead of a failed request.

    Text is normalised before it is checked: members_text_trim() removes surrounding ASCII
    white space, and a string that is empty after trimming counts as absent.

    Who may change which field of a cooperative is a rule on the change too
    (members_check_cooperative_change): registry data is the district office's, the settings
    an annual meeting decides change only with the meeting's record, the rest is day to day.

    Not for: rules that need the store (duplicate NIK, unknown ids, member status) — those are
    in the handlers — or authorising a caller for an operation as a whole (handlers.c). */
#ifndef LUMBUNG_MEMBERS_VALIDATE_H
#define LUMBUNG_MEMBERS_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arena.h"
#include "pb_date.h"
#include "problem.h"
#include "envelope.pb-c.h"

enum {
    MEMBERS_NAME_MAX = 200,            /* bytes of a person's or cooperative's name */
    MEMBERS_TEXT_MAX = 100,            /* bytes of short text: group, district, numbers, roles */
    MEMBERS_ADDRESS_MAX = 500,         /* bytes of an address or place */
    MEMBERS_NOTE_MAX = 4000,           /* bytes of findings, notes, recommendation text */
    MEMBERS_PHONE_DIGITS_MIN = 6,
    MEMBERS_PHONE_DIGITS_MAX = 15,     /* ITU E.164 */
    MEMBERS_PHONE_MAX = 32,            /* bytes including +, spaces and dashes */
    MEMBERS_BP_FULL = 10000,           /* 100 % in basis points */
    MEMBERS_GRACE_DAYS_MAX = 366,
    MEMBERS_MESSAGE_MAX = 256,
    MEMBERS_FIELD_MAX = 96,
};

/* Largest amount a setting may hold: 1 trillion rupiah (does not fit an enum constant). */
#define MEMBERS_AMOUNT_MAX_SEN INT64_C(100000000000000)

/* Fills *p and returns -1, so a rule can `return problem_set(...)`. */
int problem_set(problem_t *p, Lumbung__ErrorKind kind, const char *code,
                    const char *field, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* A copy of `s` in `arena` without leading and trailing ASCII white space; NULL when `s` is
   NULL or nothing is left. */
char *members_text_trim(arena_t *arena, const char *s);

/* True when the bytes are well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
bool members_utf8_valid(const uint8_t *s, size_t len);
/* The offset of the first byte that is not well-formed UTF-8, `len` when there is none. */
size_t members_utf8_check(const uint8_t *s, size_t len);

/* Checks an optional (or, when `required`, mandatory) text: present when required, valid
   UTF-8, no control characters except in notes (`multiline`), at most `max` bytes. */
int members_check_text(const char *value, const char *field, bool required, size_t max,
                       bool multiline, problem_t *p);

/* Checks a date field (a day number, pb_date.h): absent fails only when required; a day
   outside DATE_MIN..DATE_MAX is invalid_date, as the gateway words a date out of range. */
int members_check_date(bool present, int32_t day, const char *field, bool required,
                       problem_t *p);
/* members_check_date() of the field `f` of message `m`, named by itself. */
#define MEMBERS_CHECK_DATE(m, f, required, p) \
    members_check_date((m)->has_##f, (m)->f, #f, (required), (p))

/* Digits with an optional leading '+', spaces and dashes allowed between them. */
int members_check_phone(const char *value, const char *field, problem_t *p);

/* Checks a member record as it would be stored (text already trimmed). On success returns 0
   and *warnings has NIK_WARN_* bits for NIK mismatches (accepted, reported as warnings). */
int members_validate_member(const Lumbung__Member *m, int32_t today, unsigned *warnings,
                            problem_t *p);

/* Checks a cooperative record (identity and complete settings). */
int members_validate_cooperative(const Lumbung__Cooperative *c, int32_t today,
                                 problem_t *p);

/* Checks complete settings; `prefix` is the JSON path of the settings ("settings"). */
int members_validate_settings(const Lumbung__CooperativeSettings *s, const char *prefix,
                              problem_t *p);

/* Checks an allocation whose seven parts are all present and sum to 10000 bp. */
int members_validate_shu(const Lumbung__ShuAllocation *a, const char *prefix, problem_t *p);

/* Who may change a field of a cooperative (docs/members.md):
     registry data — name, type, group, legal_number, legal_date, national_number, district,
       founded_on, active, settings.fiscal_year_start (the statutes): the district office,
       i.e. an admin (registry_allowed); anyone else gets 403 "registry_field";
     settings the annual meeting (RAT) decides — settings.shu_allocation, usage_share_basis,
       principal_amount, mandatory_amount, mandatory_period: never by PATCH, only by recording
       the meeting that decided them; 422 "decided_by_annual_meeting";
     everything else (address, phone, loan and late-fee defaults, voluntary minimum, any new
       setting): day to day, whoever may write the cooperative.
   Compares the stored `before` with the patched `after` (both with complete settings), so a
   field sent unchanged is no change. Returns 0, or -1 with *p naming the first field. */
int members_check_cooperative_change(const Lumbung__Cooperative *before,
                                     const Lumbung__Cooperative *after, bool registry_allowed,
                                     problem_t *p);

/* Fills every absent setting with its default (docs/domain.md); allocates what is missing. */
void members_settings_defaults(arena_t *arena, Lumbung__CooperativeSettings *s);

/* Copies into `dst` every field present in `patch` (shu_allocation part by part). */
void members_settings_merge(arena_t *arena, Lumbung__CooperativeSettings *dst,
                            const Lumbung__CooperativeSettings *patch);

/* The JSON name of a sex, exit reason, cooperative type ("female", "resigned", ...). */
const char *members_sex_name(Lumbung__Sex sex);
const char *members_type_name(Lumbung__CooperativeType type);

/* Parses a sex as written in a CSV file: female/male, f/m, p/l, perempuan/laki-laki (any
   case). Returns SEX_UNSPECIFIED when it is none of them. */
Lumbung__Sex members_sex_parse(const char *text);

#endif
