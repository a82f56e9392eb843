#include "validate.h"

#include <assert.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "date.h"
#include "nik.h"

static bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

char *members_text_trim(arena_t *arena, const char *s) {
    if (!s) return NULL;
    while (is_space(*s)) s++;
    size_t n = strlen(s);
    while (n > 0 && is_space(s[n - 1])) n--;
    if (n == 0) return NULL;
    char *out = arena_alloc(arena, n + 1);
    memcpy(out, s, n);
    out[n] = '\0';
    return out;
}

/* Length of the UTF-8 sequence starting at s (at most `left` bytes), 0 when malformed. */
static size_t utf8_sequence(const uint8_t *s, size_t left) {
    uint8_t c = s[0];
    if (c < 0x80) return 1;
    size_t n;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) { n = 2; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { n = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 4; cp = c & 0x07; }
    else return 0;
    if (left < n) return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return 0;
    if (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) return 0;
    return n;
}

size_t members_utf8_check(const uint8_t *s, size_t len) {
    size_t i = 0;
    while (i < len) {
        if (s[i] < 0x80) { i++; continue; }      /* the common case, kept cheap */
        size_t n = utf8_sequence(s + i, len - i);
        if (n == 0) return i;
        i += n;
    }
    return len;
}

bool members_utf8_valid(const uint8_t *s, size_t len) {
    return members_utf8_check(s, len) == len;
}

int members_check_text(const char *value, const char *field, bool required, size_t max,
                       bool multiline, problem_t *p) {
    if (!value || !value[0]) {
        if (!required) return 0;
        return problem_set(p, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "required", field,
                               "%s is required", field);
    }
    size_t len = strlen(value);
    if (len > max)
        return problem_set(p, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "too_long", field,
                               "%s is too long: %zu bytes, at most %zu", field, len, max);
    if (!members_utf8_valid((const uint8_t *) value, len))
        return problem_set(p, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "invalid_utf8", field,
                               "%s is not valid UTF-8 text", field);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char) value[i];
        bool allowed = multiline && (c == '\n' || c == '\r' || c == '\t');
        if ((c < 0x20 || c == 0x7F) && !allowed)
            return problem_set(p, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "invalid_text",
                                   field, "%s contains a control character at byte %zu", field,
                                   i + 1);
    }
    return 0;
}

int members_check_date(const char *value, const char *field, bool required, int32_t *days,
                       problem_t *p) {
    if (!value || !value[0]) {
        if (!required) return 0;
        return problem_set(p, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "required", field,
                               "%s is required (YYYY-MM-DD)", field);
    }
    int32_t d;
    int rc = date_parse(value, &d);
    if (rc != 0)
        return problem_set(p, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "invalid_date", field,
                               "%s %s, not \"%.20s\"", field, date_error_text(rc), value);
    if (days) *days = d;
    return 0;
}

int members_check_phone(const char *value, const char *field, problem_t *p) {
    if (!value || !value[0]) return 0;
    size_t len = strlen(value), digits = 0;
    bool ok = len <= MEMBERS_PHONE_MAX;
    for (size_t i = 0; ok && i < len; i++) {
        char c = value[i];
        if (c >= '0' && c <= '9') digits++;
        else if (c == '+') ok = i == 0;
        else if (c == ' ' || c == '-') ok = digits > 0 && i + 1 < len;
        else ok = false;
    }
    if (ok && digits >= MEMBERS_PHONE_DIGITS_MIN && digits <= MEMBERS_PHONE_DIGITS_MAX) return 0;
    return problem_set(p, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "invalid_phone", field,
                           "%s must be %d to %d digits, optionally starting with + and grouped "
                           "by spaces or dashes, e.g. \"0812-3456-7890\"",
                           field, MEMBERS_PHONE_DIGITS_MIN, MEMBERS_PHONE_DIGITS_MAX);
}

static int check_nik(const char *nik, nik_t *parsed, problem_t *p) {
    if (!nik || !nik[0])
        return problem_set(p, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "required", "nik",
                               "nik is required (16 digits)");
    int rc = nik_parse(nik, parsed);
    if (rc == 0) return 0;
    char text[NIK_MESSAGE_MAX];
    if (strlen(nik) > 64) {
        snprintf(text, sizeof text, "NIK must be exactly 16 digits");
    } else {
        nik_error_message(nik, rc, text, sizeof text);
    }
    /* Spreadsheets turn long numbers into 3.27E+15; say so, it is the usual cause. */
    bool scientific = strchr(nik, 'E') || strchr(nik, 'e');
    return problem_set(p, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "invalid_nik", "nik",
                           "%s%s", text,
                           scientific ? " (format the column as text in the spreadsheet)" : "");
}

static int check_sex(bool has, Lumbung__Sex sex, problem_t *p) {
    if (!has || sex == LUMBUNG__SEX__SEX_UNSPECIFIED)
        return problem_set(p, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "required", "sex",
                               "sex is required: female or male");
    if (sex != LUMBUNG__SEX__SEX_FEMALE && sex != LUMBUNG__SEX__SEX_MALE)
        return problem_set(p, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "invalid_sex", "sex",
                               "sex must be female or male");
    return 0;
}

/* The person's dates: born not in the future, joined not before birth. */
static int check_member_dates(const Lumbung__Member *m, int32_t today, int32_t *birth,
                              problem_t *p) {
    if (members_check_date(m->birth_date, "birth_date", true, birth, p) != 0) return ERR_REJECTED;
    if (*birth > today)
        return problem_set(p, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "in_future",
                               "birth_date", "birth_date %s is in the future", m->birth_date);
    return 0;
}

int members_validate_member(const Lumbung__Member *m, int32_t today, unsigned *warnings,
                            problem_t *p) {
    assert(m && warnings && p);
    *warnings = 0;
    nik_t nik;
    int32_t birth = 0, joined = 0;
    if (check_nik(m->nik, &nik, p) != 0) return ERR_REJECTED;
    if (members_check_text(m->name, "name", true, MEMBERS_NAME_MAX, false, p) != 0) return ERR_REJECTED;
    if (check_sex(m->has_sex, m->sex, p) != 0) return ERR_REJECTED;
    if (check_member_dates(m, today, &birth, p) != 0) return ERR_REJECTED;
    if (members_check_text(m->address, "address", false, MEMBERS_ADDRESS_MAX, false, p) != 0)
        return ERR_REJECTED;
    if (members_check_phone(m->phone, "phone", p) != 0) return ERR_REJECTED;
    if (members_check_date(m->joined_on, "joined_on", true, &joined, p) != 0) return ERR_REJECTED;
    if (joined < birth)
        return problem_set(p, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "before_birth",
                               "joined_on", "joined_on %s is before birth_date %s", m->joined_on,
                               m->birth_date);
    *warnings = nik_check_person(&nik, birth, (nik_sex_t) m->sex);
    return 0;
}

/* One amount of the settings: 0 .. MEMBERS_AMOUNT_MAX_SEN. */
static int check_amount(int64_t sen, const char *prefix, const char *name, problem_t *p) {
    if (sen >= 0 && sen <= MEMBERS_AMOUNT_MAX_SEN) return 0;
    char field[MEMBERS_FIELD_MAX];
    snprintf(field, sizeof field, "%s.%s", prefix, name);
    return problem_set(p, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "invalid_amount", field,
                           "%s must be between 0 and 1000000000000", field);
}

static int check_percent(int64_t bp, const char *prefix, const char *name, problem_t *p) {
    if (bp >= 0 && bp <= MEMBERS_BP_FULL) return 0;
    char field[MEMBERS_FIELD_MAX];
    snprintf(field, sizeof field, "%s.%s", prefix, name);
    return problem_set(p, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "invalid_percentage",
                           field, "%s must be a percentage between 0 and 100", field);
}

int members_validate_shu(const Lumbung__ShuAllocation *a, const char *prefix, problem_t *p) {
    assert(a && prefix && p);
    struct { bool has; int64_t bp; const char *name; } parts[] = {
        { a->has_reserves_bp, a->reserves_bp, "reserves" },
        { a->has_capital_share_bp, a->capital_share_bp, "capital_share" },
        { a->has_usage_share_bp, a->usage_share_bp, "usage_share" },
        { a->has_board_bp, a->board_bp, "board" },
        { a->has_staff_bp, a->staff_bp, "staff" },
        { a->has_education_bp, a->education_bp, "education" },
        { a->has_social_bp, a->social_bp, "social" },
    };
    int64_t sum = 0;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        if (check_percent(parts[i].has ? parts[i].bp : 0, prefix, parts[i].name, p) != 0)
            return ERR_REJECTED;
        sum += parts[i].has ? parts[i].bp : 0;
    }
    if (sum == MEMBERS_BP_FULL) return 0;
    return problem_set(p, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "invalid_shu_allocation",
                           prefix, "%s must sum to exactly 100 %%, not %lld.%02lld %%", prefix,
                           (long long) (sum / 100), (long long) (sum % 100));
}

/* The late-fee and loan defaults. */
static int check_loan_settings(const Lumbung__CooperativeSettings *s, const char *prefix,
                               problem_t *p) {
    char field[MEMBERS_FIELD_MAX];
    if (check_percent(s->late_fee_rate_bp, prefix, "late_fee_rate", p) != 0) return ERR_REJECTED;
    if (s->late_fee_basis != LUMBUNG__LATE_FEE_BASIS__LATE_FEE_BASIS_PER_DAY &&
        s->late_fee_basis != LUMBUNG__LATE_FEE_BASIS__LATE_FEE_BASIS_PER_MONTH) {
        snprintf(field, sizeof field, "%s.late_fee_basis", prefix);
        return problem_set(p, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "invalid_enum", field,
                               "%s must be per_day or per_month", field);
    }
    if (s->late_fee_grace_days > MEMBERS_GRACE_DAYS_MAX) {
        snprintf(field, sizeof field, "%s.late_fee_grace_days", prefix);
        return problem_set(p, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "out_of_range", field,
                               "%s must be between 0 and %d", field, MEMBERS_GRACE_DAYS_MAX);
    }
    if (check_percent(s->late_fee_cap_bp, prefix, "late_fee_cap", p) != 0) return ERR_REJECTED;
    if (check_percent(s->loan_annual_rate_bp, prefix, "loan_annual_rate", p) != 0) return ERR_REJECTED;
    if (check_amount(s->loan_max_sen, prefix, "loan_max", p) != 0) return ERR_REJECTED;
    return check_amount(s->voluntary_min_balance_sen, prefix, "voluntary_min_balance", p);
}

int members_validate_settings(const Lumbung__CooperativeSettings *s, const char *prefix,
                              problem_t *p) {
    assert(s && prefix && p);
    char field[MEMBERS_FIELD_MAX];
    if (check_amount(s->principal_amount_sen, prefix, "principal_amount", p) != 0) return ERR_REJECTED;
    if (check_amount(s->mandatory_amount_sen, prefix, "mandatory_amount", p) != 0) return ERR_REJECTED;
    if (s->mandatory_period < LUMBUNG__MANDATORY_PERIOD__MANDATORY_PERIOD_MONTHLY ||
        s->mandatory_period > LUMBUNG__MANDATORY_PERIOD__MANDATORY_PERIOD_ANNUAL) {
        snprintf(field, sizeof field, "%s.mandatory_period", prefix);
        return problem_set(p, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "invalid_enum", field,
                               "%s must be monthly, weekly, quarterly, semiannual or annual",
                               field);
    }
    if (s->fiscal_year_start < 1 || s->fiscal_year_start > 12) {
        snprintf(field, sizeof field, "%s.fiscal_year_start", prefix);
        return problem_set(p, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "invalid_month", field,
                               "%s must be a month number from 1 to 12", field);
    }
    if (s->usage_share_basis != LUMBUNG__USAGE_SHARE_BASIS__USAGE_SHARE_BASIS_INTEREST_PAID &&
        s->usage_share_basis != LUMBUNG__USAGE_SHARE_BASIS__USAGE_SHARE_BASIS_LOANS_TAKEN) {
        snprintf(field, sizeof field, "%s.usage_share_basis", prefix);
        return problem_set(p, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "invalid_enum", field,
                               "%s must be interest_paid or loans_taken", field);
    }
    if (s->time_zone && date_zone_offset_minutes(s->time_zone) < 0) {
        snprintf(field, sizeof field, "%s.time_zone", prefix);
        return problem_set(p, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "invalid_time_zone",
                               field, "%s must be Asia/Jakarta, Asia/Makassar or Asia/Jayapura",
                               field);
    }
    assert(s->shu_allocation);
    snprintf(field, sizeof field, "%s.shu_allocation", prefix);
    if (members_validate_shu(s->shu_allocation, field, p) != 0) return ERR_REJECTED;
    return check_loan_settings(s, prefix, p);
}

int members_validate_cooperative(const Lumbung__Cooperative *c, int32_t today,
                                 problem_t *p) {
    assert(c && p);
    int32_t founded = 0;
    if (members_check_text(c->name, "name", true, MEMBERS_NAME_MAX, false, p) != 0) return ERR_REJECTED;
    if (!c->has_type || c->type == LUMBUNG__COOPERATIVE_TYPE__COOPERATIVE_TYPE_UNSPECIFIED)
        return problem_set(p, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "required", "type",
                               "type is required: savings_loan, consumer, producer, marketing, "
                               "services or multi_purpose");
    if (!members_type_name(c->type))
        return problem_set(p, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "invalid_type", "type",
                               "type must be savings_loan, consumer, producer, marketing, "
                               "services or multi_purpose");
    const struct { const char *value, *field; size_t max; } texts[] = {
        { c->group, "group", MEMBERS_TEXT_MAX }, { c->legal_number, "legal_number", MEMBERS_TEXT_MAX },
        { c->national_number, "national_number", MEMBERS_TEXT_MAX },
        { c->address, "address", MEMBERS_ADDRESS_MAX }, { c->district, "district", MEMBERS_TEXT_MAX },
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (members_check_text(texts[i].value, texts[i].field, false, texts[i].max, false, p) != 0)
            return ERR_REJECTED;
    if (members_check_date(c->legal_date, "legal_date", false, NULL, p) != 0) return ERR_REJECTED;
    if (members_check_date(c->founded_on, "founded_on", false, &founded, p) != 0) return ERR_REJECTED;
    if (c->founded_on && founded > today)
        return problem_set(p, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "in_future",
                               "founded_on", "founded_on %s is in the future", c->founded_on);
    if (members_check_phone(c->phone, "phone", p) != 0) return ERR_REJECTED;
    assert(c->settings);
    return members_validate_settings(c->settings, "settings", p);
}

/* ---- who may change a cooperative's fields ---- */

static bool text_changed(const char *a, const char *b) {
    return strcmp(a ? a : "", b ? b : "") != 0;
}

static bool shu_changed(const Lumbung__ShuAllocation *a, const Lumbung__ShuAllocation *b) {
    if (!a || !b) return a != b;
    return a->reserves_bp != b->reserves_bp || a->capital_share_bp != b->capital_share_bp ||
           a->usage_share_bp != b->usage_share_bp || a->board_bp != b->board_bp ||
           a->staff_bp != b->staff_bp || a->education_bp != b->education_bp ||
           a->social_bp != b->social_bp;
}

/* The first registry field that differs, or NULL. */
static const char *registry_change(const Lumbung__Cooperative *a, const Lumbung__Cooperative *b) {
    const struct { const char *x, *y, *field; } texts[] = {
        { a->name, b->name, "name" }, { a->group, b->group, "group" },
        { a->legal_number, b->legal_number, "legal_number" },
        { a->legal_date, b->legal_date, "legal_date" },
        { a->national_number, b->national_number, "national_number" },
        { a->district, b->district, "district" }, { a->founded_on, b->founded_on, "founded_on" },
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (text_changed(texts[i].x, texts[i].y)) return texts[i].field;
    if (a->type != b->type) return "type";
    if ((a->has_active && a->active) != (b->has_active && b->active)) return "active";
    if (a->settings->fiscal_year_start != b->settings->fiscal_year_start)
        return "settings.fiscal_year_start";
    return NULL;
}

/* The first setting an annual meeting decides that differs, or NULL. */
static const char *meeting_change(const Lumbung__CooperativeSettings *a,
                                  const Lumbung__CooperativeSettings *b) {
    if (shu_changed(a->shu_allocation, b->shu_allocation)) return "settings.shu_allocation";
    if (a->usage_share_basis != b->usage_share_basis) return "settings.usage_share_basis";
    if (a->principal_amount_sen != b->principal_amount_sen) return "settings.principal_amount";
    if (a->mandatory_amount_sen != b->mandatory_amount_sen) return "settings.mandatory_amount";
    if (a->mandatory_period != b->mandatory_period) return "settings.mandatory_period";
    return NULL;
}

int members_check_cooperative_change(const Lumbung__Cooperative *before,
                                     const Lumbung__Cooperative *after, bool registry_allowed,
                                     problem_t *p) {
    assert(before && after && before->settings && after->settings && p);
    const char *field = registry_allowed ? NULL : registry_change(before, after);
    if (field)
        return problem_set(p, LUMBUNG__ERROR_KIND__ERROR_KIND_FORBIDDEN, "registry_field",
                               field, "%s is registry data kept by the district office: only an "
                               "admin changes it", field);
    field = meeting_change(before->settings, after->settings);
    if (field)
        return problem_set(p, LUMBUNG__ERROR_KIND__ERROR_KIND_RULE, "decided_by_annual_meeting",
                               field, "%s is decided by the annual meeting (RAT): record the "
                               "meeting with POST /api/v1/cooperatives/{coop}/annual-meetings "
                               "carrying it, and it applies from then on", field);
    return 0;
}

static Lumbung__ShuAllocation *shu_default(arena_t *arena) {
    Lumbung__ShuAllocation *a = arena_message(arena, &lumbung__shu_allocation__descriptor);
    a->has_reserves_bp = a->has_capital_share_bp = a->has_usage_share_bp = true;
    a->has_board_bp = a->has_staff_bp = a->has_education_bp = a->has_social_bp = true;
    a->reserves_bp = 4000;
    a->capital_share_bp = 2000;
    a->usage_share_bp = 2000;
    a->board_bp = a->staff_bp = a->education_bp = a->social_bp = 500;
    return a;
}

#define DEFAULT(s, f, v) do { if (!(s)->has_##f) { (s)->has_##f = true; (s)->f = (v); } } while (0)

void members_settings_defaults(arena_t *arena, Lumbung__CooperativeSettings *s) {
    assert(arena && s);
    DEFAULT(s, principal_amount_sen, 0);
    DEFAULT(s, mandatory_amount_sen, 0);
    DEFAULT(s, mandatory_period, LUMBUNG__MANDATORY_PERIOD__MANDATORY_PERIOD_MONTHLY);
    DEFAULT(s, fiscal_year_start, 1);
    DEFAULT(s, usage_share_basis, LUMBUNG__USAGE_SHARE_BASIS__USAGE_SHARE_BASIS_INTEREST_PAID);
    DEFAULT(s, late_fee_rate_bp, 0);
    DEFAULT(s, late_fee_basis, LUMBUNG__LATE_FEE_BASIS__LATE_FEE_BASIS_PER_DAY);
    DEFAULT(s, late_fee_grace_days, 0);
    DEFAULT(s, late_fee_cap_bp, 0);
    DEFAULT(s, loan_annual_rate_bp, 0);
    DEFAULT(s, loan_max_sen, 0);
    DEFAULT(s, voluntary_min_balance_sen, 0);
    if (!s->time_zone || !*s->time_zone) s->time_zone = arena_strdup(arena, DATE_ZONE_DEFAULT);
    if (!s->shu_allocation) s->shu_allocation = shu_default(arena);
}

#define MERGE(d, p, f) do { if ((p)->has_##f) { (d)->has_##f = true; (d)->f = (p)->f; } } while (0)

static void shu_merge(Lumbung__ShuAllocation *d, const Lumbung__ShuAllocation *p) {
    MERGE(d, p, reserves_bp);
    MERGE(d, p, capital_share_bp);
    MERGE(d, p, usage_share_bp);
    MERGE(d, p, board_bp);
    MERGE(d, p, staff_bp);
    MERGE(d, p, education_bp);
    MERGE(d, p, social_bp);
}

void members_settings_merge(arena_t *arena, Lumbung__CooperativeSettings *d,
                            const Lumbung__CooperativeSettings *p) {
    assert(arena && d && p);
    MERGE(d, p, principal_amount_sen);
    MERGE(d, p, mandatory_amount_sen);
    MERGE(d, p, mandatory_period);
    MERGE(d, p, fiscal_year_start);
    MERGE(d, p, usage_share_basis);
    MERGE(d, p, late_fee_rate_bp);
    MERGE(d, p, late_fee_basis);
    MERGE(d, p, late_fee_grace_days);
    MERGE(d, p, late_fee_cap_bp);
    MERGE(d, p, loan_annual_rate_bp);
    MERGE(d, p, loan_max_sen);
    MERGE(d, p, voluntary_min_balance_sen);
    MERGE(d, p, public_profile);
    if (p->time_zone && *p->time_zone) d->time_zone = p->time_zone;
    if (p->shu_allocation) {
        if (!d->shu_allocation) d->shu_allocation = shu_default(arena);
        shu_merge(d->shu_allocation, p->shu_allocation);
    }
}

const char *members_sex_name(Lumbung__Sex sex) {
    switch (sex) {
    case LUMBUNG__SEX__SEX_FEMALE: return "female";
    case LUMBUNG__SEX__SEX_MALE: return "male";
    default: return NULL;
    }
}

const char *members_type_name(Lumbung__CooperativeType type) {
    switch (type) {
    case LUMBUNG__COOPERATIVE_TYPE__COOPERATIVE_TYPE_SAVINGS_LOAN: return "savings_loan";
    case LUMBUNG__COOPERATIVE_TYPE__COOPERATIVE_TYPE_CONSUMER: return "consumer";
    case LUMBUNG__COOPERATIVE_TYPE__COOPERATIVE_TYPE_PRODUCER: return "producer";
    case LUMBUNG__COOPERATIVE_TYPE__COOPERATIVE_TYPE_MARKETING: return "marketing";
    case LUMBUNG__COOPERATIVE_TYPE__COOPERATIVE_TYPE_SERVICES: return "services";
    case LUMBUNG__COOPERATIVE_TYPE__COOPERATIVE_TYPE_MULTI_PURPOSE: return "multi_purpose";
    default: return NULL;
    }
}

Lumbung__Sex members_sex_parse(const char *text) {
    static const char *const female[] = { "female", "f", "p", "perempuan", "wanita" };
    static const char *const male[] = { "male", "m", "l", "laki-laki", "pria" };
    if (!text) return LUMBUNG__SEX__SEX_UNSPECIFIED;
    for (size_t i = 0; i < sizeof female / sizeof female[0]; i++)
        if (strcasecmp(text, female[i]) == 0) return LUMBUNG__SEX__SEX_FEMALE;
    for (size_t i = 0; i < sizeof male / sizeof male[0]; i++)
        if (strcasecmp(text, male[i]) == 0) return LUMBUNG__SEX__SEX_MALE;
    return LUMBUNG__SEX__SEX_UNSPECIFIED;
}
