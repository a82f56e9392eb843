#include "health_bands.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

/* sign of num / den - edge_bp / 10000, exactly. */
static int cmp(int64_t num, int64_t den, int64_t edge_bp) {
    __int128 l = (__int128) num * 10000, r = (__int128) edge_bp * den;
    return l < r ? -1 : l > r ? 1 : 0;
}

#define LT(e) (cmp(num, den, (e)) < 0)
#define LE(e) (cmp(num, den, (e)) <= 0)

static int value_1a(int64_t num, int64_t den) {
    if (num == 0) return 0;
    if (LT(2000)) return 25;
    if (LT(4000)) return 50;
    if (LT(6000)) return 100;
    if (LT(8000)) return 50;
    return 25;                                  /* [80, 100] and beyond */
}

/* The ratio rounded down to a multiple of 10, capped at 100: 10 x floor(num x 10 / den). */
static int value_1b(int64_t num, int64_t den) {
    __int128 tens = (__int128) num * 10 / den;
    return tens >= 10 ? 100 : (int) tens * 10;
}

static int value_1c(int64_t num, int64_t den) {
    if (LT(400)) return 0;
    if (LT(600)) return 50;
    if (LT(800)) return 75;
    return 100;
}

static int value_2a(int64_t num, int64_t den) {
    if (LE(2500)) return 0;
    if (LE(5000)) return 50;
    if (LE(7500)) return 75;
    return 100;
}

static int value_2b(int64_t num, int64_t den) {
    if (num == 0) return 100;
    if (LE(1000)) return 80;
    if (LE(2000)) return 60;
    if (LE(3000)) return 40;
    if (LE(4000)) return 20;
    if (LE(4500)) return 10;
    return 0;
}

/* 0 -> 0; otherwise the ratio rounded up to a multiple of 10: 10 x ceil(num x 10 / den). */
static int value_2c(int64_t num, int64_t den) {
    if (num == 0) return 0;
    __int128 scaled = (__int128) num * 10;
    __int128 tens = scaled / den + (scaled % den != 0);
    return tens >= 10 ? 100 : (int) tens * 10;
}

static int value_2d(int64_t num, int64_t den) {
    if (LT(2100)) return 100;
    if (LT(2600)) return 75;
    if (LT(3100)) return 50;
    return 25;
}

static int value_4a(int64_t num, int64_t den) {
    if (LT(9000)) return 100;
    if (LT(9500)) return 75;
    if (LT(10000)) return 50;
    return 25;
}

static int value_4b(int64_t num, int64_t den) {
    if (LE(4000)) return 100;
    if (LE(6000)) return 75;
    if (LE(8000)) return 50;
    return 25;
}

static int value_4c(int64_t num, int64_t den) {
    if (LE(500)) return 100;
    if (LE(1000)) return 75;
    if (LE(1500)) return 50;
    return 0;
}

static int value_5a(int64_t num, int64_t den) {
    if (LE(1000)) return 25;
    if (LE(1500)) return 100;
    if (LE(2000)) return 50;
    return 25;
}

static int value_5b(int64_t num, int64_t den) {
    if (LT(6000)) return 25;
    if (LT(7000)) return 50;
    if (LT(8000)) return 75;
    return 100;
}

static int value_6a(int64_t num, int64_t den) {
    if (LT(500)) return 25;
    if (LT(750)) return 50;
    if (LT(1000)) return 75;
    return 100;
}

static int value_6b(int64_t num, int64_t den) {
    if (LT(300)) return 25;
    if (LT(400)) return 50;
    if (LT(500)) return 75;
    return 100;
}

static int value_6c(int64_t num, int64_t den) {
    return LE(10000) ? 0 : 100;
}

static int value_7a(int64_t num, int64_t den) {
    if (LT(2500)) return 25;
    if (LT(5000)) return 50;
    if (LT(7500)) return 75;
    return 100;
}

static int value_7b(int64_t num, int64_t den) {
    if (LT(500)) return 0;
    if (LT(750)) return 50;
    if (LT(1000)) return 75;
    return 100;
}

typedef struct {
    const char *code, *name;
    int weight;
    int (*value)(int64_t num, int64_t den);
    const char *definition;           /* what the figures are, as the report states it */
} component_t;

static const component_t components[REPORTING_HEALTH_COMPONENTS] = {
    [REPORTING_HEALTH_1A] = { "1a", "own capital / total assets", 6, value_1a,
        NULL },
    [REPORTING_HEALTH_1B] = { "1b", "own capital / risky loans", 6, value_1b,
        "risky loans = substandard + doubtful + loss outstanding principal; "
        "with none and positive equity the value is 100" },
    [REPORTING_HEALTH_1C] = { "1c", "capital adequacy", 3, value_1c,
        "weights of docs/domain.md; undistributed surplus = current surplus "
        "accounts + income - expenses not closed; loans gross of the "
        "allowance; cash and bank 0 %" },
    [REPORTING_HEALTH_2A] = { "2a", "loans to members / all loans", 10, value_2a,
        "ledger balances of the member and non-member loan accounts" },
    [REPORTING_HEALTH_2B] = { "2b", "risk of problem loans (RPM) / all loans", 5, value_2b,
        "loan portfolio at the year end: RPM = 50 % substandard + 75 % "
        "doubtful + 100 % loss" },
    [REPORTING_HEALTH_2C] = { "2c", "risk reserve / RPM", 5, value_2c,
        "(risk reserve + loan-loss allowance) / RPM; with no RPM and a "
        "positive reserve the value is 100" },
    [REPORTING_HEALTH_2D] = { "2d", "risky loans / all loans", 5, value_2d,
        "risky loans = substandard + doubtful + loss outstanding principal, "
        "over all loans outstanding (loan portfolio)" },
    [REPORTING_HEALTH_4A] = { "4a", "member operating cost / gross participation", 4, value_4a,
        "gross participation = loan interest + fee + late fee income of the "
        "year; operating = staff + operating + provision expense" },
    [REPORTING_HEALTH_4B] = { "4b", "operating expense / gross surplus", 4, value_4b,
        "operating = staff + operating + provision expense; gross surplus = "
        "all income of the year - cost of funds" },
    [REPORTING_HEALTH_4C] = { "4c", "service efficiency", 2, value_4c,
        "staff expense of the year / loans outstanding in the ledger" },
    [REPORTING_HEALTH_5A] = { "5a", "cash ratio", 10, value_5a,
        "current liabilities = voluntary savings + time deposits + borrowings "
        "+ other liabilities + SHU payable" },
    [REPORTING_HEALTH_5B] = { "5b", "loans / funds received", 5, value_5b,
        "loans in the ledger (gross) / (principal + mandatory + voluntary "
        "savings + time deposits + borrowings)" },
    [REPORTING_HEALTH_6A] = { "6a", "return on assets", 3, value_6a,
        "surplus = income - expenses of the year (no tax is booked)" },
    [REPORTING_HEALTH_6B] = { "6b", "return on own capital", 3, value_6b,
        "members' share = (surplus - non-member income) x (capital share + "
        "usage share %) of the SHU allocation" },
    [REPORTING_HEALTH_6C] = { "6c", "operational self-reliance", 4, value_6c,
        "net participation = gross participation - cost of funds; operating = "
        "staff + operating + provision expense" },
    [REPORTING_HEALTH_7A] = { "7a", "gross participation ratio", 7, value_7a,
        "gross participation = loan interest + fee + late fee income" },
    [REPORTING_HEALTH_7B] = { "7b", "members' economic benefit", 3, value_7b,
        NULL },
};

int reporting_health_weight(reporting_health_component_t c) {
    assert(c >= 0 && c < REPORTING_HEALTH_COMPONENTS);
    return components[c].weight;
}

const char *reporting_health_code(reporting_health_component_t c) {
    assert(c >= 0 && c < REPORTING_HEALTH_COMPONENTS);
    return components[c].code;
}

const char *reporting_health_definition(reporting_health_component_t c) {
    assert(c >= 0 && c < REPORTING_HEALTH_COMPONENTS);
    return components[c].definition;
}

const char *reporting_health_name(reporting_health_component_t c) {
    assert(c >= 0 && c < REPORTING_HEALTH_COMPONENTS);
    return components[c].name;
}

int reporting_health_value(reporting_health_component_t c, int64_t num, int64_t den, int *value) {
    assert(value && c >= 0 && c < REPORTING_HEALTH_COMPONENTS);
    if (num < 0 || den <= 0) return -EDOM;
    *value = components[c].value(num, den);
    assert(*value >= 0 && *value <= 100);
    return 0;
}

int reporting_health_score_centi(reporting_health_component_t c, int value) {
    assert(value >= 0 && value <= 100);
    return value * reporting_health_weight(c);
}

void reporting_health_centi_text(int64_t centi, char *buf, size_t size) {
    uint64_t mag = centi < 0 ? (uint64_t) 0 - (uint64_t) centi : (uint64_t) centi;
    snprintf(buf, size, "%s%" PRIu64 ".%02u", centi < 0 ? "-" : "", mag / 100,
             (unsigned) (mag % 100));
}

void reporting_health_percent(int64_t num, int64_t den, char *buf, size_t size) {
    assert(den > 0);
    __int128 scaled = (__int128) num * 10000;            /* hundredths of a percent */
    __int128 mag = scaled < 0 ? -scaled : scaled;
    __int128 q = (mag * 2 + den) / (2 * (__int128) den);  /* half away from zero */
    if (q > INT64_MAX) q = INT64_MAX;
    reporting_health_centi_text(scaled < 0 ? -(int64_t) q : (int64_t) q, buf, size);
}

reporting_health_rating_t reporting_health_rating(int64_t total_centi) {
    if (total_centi >= REPORTING_HEALTH_HEALTHY_CENTI) return REPORTING_HEALTH_HEALTHY;
    if (total_centi >= REPORTING_HEALTH_FAIRLY_HEALTHY_CENTI) return REPORTING_HEALTH_FAIRLY_HEALTHY;
    if (total_centi >= REPORTING_HEALTH_UNDER_SUPERVISION_CENTI)
        return REPORTING_HEALTH_UNDER_SUPERVISION;
    return REPORTING_HEALTH_UNDER_SPECIAL_SUPERVISION;
}

/* ------------------------------------------------------------------ aspect 3 */

static const int management_questions[REPORTING_MANAGEMENT_GROUPS] = { 12, 6, 5, 10, 5 };
static const int management_yes_centi[REPORTING_MANAGEMENT_GROUPS] = { 25, 50, 60, 30, 60 };

int reporting_management_questions(reporting_management_group_t g) {
    assert(g >= 0 && g < REPORTING_MANAGEMENT_GROUPS);
    return management_questions[g];
}

int reporting_management_yes_centi(reporting_management_group_t g) {
    assert(g >= 0 && g < REPORTING_MANAGEMENT_GROUPS);
    return management_yes_centi[g];
}

int reporting_management_points_centi(const int yes[REPORTING_MANAGEMENT_GROUPS]) {
    assert(yes);
    int centi = 0;
    for (int g = 0; g < REPORTING_MANAGEMENT_GROUPS; g++) {
        if (yes[g] < 0 || yes[g] > management_questions[g]) return -EINVAL;
        centi += yes[g] * management_yes_centi[g];
    }
    assert(centi <= 100 * REPORTING_MANAGEMENT_WEIGHT);
    return centi;
}
