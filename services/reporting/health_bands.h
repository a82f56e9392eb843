/*  health_bands — the components of the health rating (docs/domain.md, "Health rating") that
    the ledger and the loan portfolio can feed: 1a, 1b, 1c, 2a, 2b, 2c, 2d, 4a, 4b, 4c, 5a, 5b,
    6a, 6b, 6c, 7a, 7b (aspect 3, management, is a questionnaire, not a ratio). Each component
    is one row here: its code, name, weight, the definition of its figures the report states,
    and its band table. What the figures are read from is health_rating.c's; RPM, the
    numerator of 2b and denominator of 2c, is the loan portfolio's (portfolio.h).

    A ratio is a fraction num / den compared with the band edges exactly (in 128-bit integers,
    never rounded before the comparison), so a ratio a hair above an edge is above it. Edges are
    in hundredths of a percent; lower edges are inclusive and upper edges exclusive unless the
    table says otherwise. A component's score is value x weight / 100, returned in hundredths
    of a point (value 100, weight 6 -> 600 = 6.00) so it stays an integer.

    Pure: no store.

    Not for: reading the books (health_rating.c), computing RPM (portfolio.h) or storing the
    questionnaire (management.c). */
#ifndef LUMBUNG_REPORTING_HEALTH_BANDS_H
#define LUMBUNG_REPORTING_HEALTH_BANDS_H

#include <stddef.h>
#include <stdint.h>

enum {
    REPORTING_HEALTH_TEXT_MAX = 48,       /* bytes of a ratio or score as text */
    REPORTING_HEALTH_HEALTHY_CENTI = 8000,          /* rating edges, hundredths of a point */
    REPORTING_HEALTH_FAIRLY_HEALTHY_CENTI = 6600,
    REPORTING_HEALTH_UNDER_SUPERVISION_CENTI = 5100,
};

typedef enum {
    REPORTING_HEALTH_1A = 0,      /* own capital / total assets, weight 6 */
    REPORTING_HEALTH_1B,          /* own capital / risky loans, weight 6 */
    REPORTING_HEALTH_1C,          /* weighted capital / risk-weighted assets, weight 3 */
    REPORTING_HEALTH_2A,          /* loans to members / all loans, weight 10 */
    REPORTING_HEALTH_2B,          /* RPM / all loans, weight 5 */
    REPORTING_HEALTH_2C,          /* (risk reserve + allowance) / RPM, weight 5 */
    REPORTING_HEALTH_2D,          /* risky loans / all loans, weight 5 */
    REPORTING_HEALTH_4A,          /* member operating cost / gross participation, weight 4 */
    REPORTING_HEALTH_4B,          /* operating expense / gross surplus, weight 4 */
    REPORTING_HEALTH_4C,          /* staff expense / loans outstanding, weight 2 */
    REPORTING_HEALTH_5A,          /* (cash + bank) / current liabilities, weight 10 */
    REPORTING_HEALTH_5B,          /* loans / (savings + borrowings), weight 5 */
    REPORTING_HEALTH_6A,          /* surplus before tax / total assets, weight 3 */
    REPORTING_HEALTH_6B,          /* members' share of surplus / equity, weight 3 */
    REPORTING_HEALTH_6C,          /* net participation / (operating + coop. expense), weight 4 */
    REPORTING_HEALTH_7A,          /* gross participation / (it + non-member income), weight 7 */
    REPORTING_HEALTH_7B,          /* members' economic benefit ratio, weight 3 */
    REPORTING_HEALTH_COMPONENTS,
} reporting_health_component_t;

/* The component's weight in points; its code ("1a"), English name and definition (what its
   figures are, for the report; NULL where the name says it all) as static strings. */
int reporting_health_weight(reporting_health_component_t c);
const char *reporting_health_code(reporting_health_component_t c);
const char *reporting_health_name(reporting_health_component_t c);
const char *reporting_health_definition(reporting_health_component_t c);

/* *value = the component's value (0..100) for the ratio num / den. num >= 0 and den > 0, else
   -EDOM (no ratio: the report says so instead of inventing a value). Returns 0. */
int reporting_health_value(reporting_health_component_t c, int64_t num, int64_t den, int *value);

/* value x weight in hundredths of a point. */
int reporting_health_score_centi(reporting_health_component_t c, int value);

/* num / den as a percentage with two decimals, rounded half away from zero, into buf (size >=
   REPORTING_HEALTH_TEXT_MAX): 1 / 3 -> "33.33", -1 / 8 -> "-12.50". den > 0. */
void reporting_health_percent(int64_t num, int64_t den, char *buf, size_t size);

/* Hundredths as text with two decimals: 1234 -> "12.34", -5 -> "-0.05". */
void reporting_health_centi_text(int64_t centi, char *buf, size_t size);

typedef enum {
    REPORTING_HEALTH_HEALTHY = 1,         /* >= 80 */
    REPORTING_HEALTH_FAIRLY_HEALTHY,      /* [66, 80) */
    REPORTING_HEALTH_UNDER_SUPERVISION,   /* [51, 66) */
    REPORTING_HEALTH_UNDER_SPECIAL_SUPERVISION, /* < 51 */
} reporting_health_rating_t;

/* Aspect 3, management: a yes/no questionnaire in five groups, each yes worth its group's
   weight (docs/domain.md). Points are in hundredths: all 38 yes -> 1500 = 15.00. */
typedef enum {
    REPORTING_MANAGEMENT_GENERAL = 0,     /* 12 questions, 0.25 each */
    REPORTING_MANAGEMENT_INSTITUTION,     /* 6 questions, 0.5 each */
    REPORTING_MANAGEMENT_CAPITAL,         /* 5 questions, 0.6 each */
    REPORTING_MANAGEMENT_ASSETS,          /* 10 questions, 0.3 each */
    REPORTING_MANAGEMENT_LIQUIDITY,       /* 5 questions, 0.6 each */
    REPORTING_MANAGEMENT_GROUPS,
} reporting_management_group_t;

enum { REPORTING_MANAGEMENT_WEIGHT = 15 };   /* points of aspect 3 at most */

/* The number of questions of a group, and the points of one yes in hundredths. */
int reporting_management_questions(reporting_management_group_t g);
int reporting_management_yes_centi(reporting_management_group_t g);

/* The points of yes[g] yes answers per group, in hundredths; -EINVAL when a count exceeds its
   group's questions. */
int reporting_management_points_centi(const int yes[REPORTING_MANAGEMENT_GROUPS]);

/* The rating of a total score in hundredths of a point. */
reporting_health_rating_t reporting_health_rating(int64_t total_centi);

#endif
