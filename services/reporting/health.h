/*  health — the band tables of the health rating (DOMAIN.md, "Health rating") for the
    components the ledger can feed: 1a own capital / total assets, 2b RPM / all loans, 2d risky
    loans / all loans, 5a cash ratio, 5b loans / funds received, 6a return on assets.

    A ratio is a fraction num / den compared with the band edges exactly (in 128-bit integers,
    never rounded before the comparison), so a ratio a hair above an edge is above it. Edges are
    in hundredths of a percent; lower edges are inclusive and upper edges exclusive unless the
    table says otherwise. A component's score is value x weight / 100, returned in hundredths
    of a point (value 100, weight 6 -> 600 = 6.00) so it stays an integer.

    Pure: no store. Not for: the management questionnaire (aspect 3) or components needing
    inputs the system does not record yet; the report marks those as not available. */
#ifndef LUMBUNG_REPORTING_HEALTH_H
#define LUMBUNG_REPORTING_HEALTH_H

#include <stdint.h>

typedef enum {
    REPORTING_HEALTH_1A = 0,      /* own capital / total assets, weight 6 */
    REPORTING_HEALTH_2B,          /* RPM / all loans, weight 5 */
    REPORTING_HEALTH_2D,          /* risky loans / all loans, weight 5 */
    REPORTING_HEALTH_5A,          /* (cash + bank) / current liabilities, weight 10 */
    REPORTING_HEALTH_5B,          /* loans / (savings + borrowings), weight 5 */
    REPORTING_HEALTH_6A,          /* surplus before tax / total assets, weight 3 */
    REPORTING_HEALTH_COMPONENTS,
} reporting_health_component_t;

/* The component's weight in points; its code ("1a") as a static string. */
int reporting_health_weight(reporting_health_component_t c);
const char *reporting_health_code(reporting_health_component_t c);

/* *value = the component's value (0..100) for the ratio num / den. num >= 0 and den > 0, else
   -EDOM (no ratio: the report says so instead of inventing a value). Returns 0. */
int reporting_health_value(reporting_health_component_t c, int64_t num, int64_t den, int *value);

/* value x weight in hundredths of a point. */
int reporting_health_score_centi(reporting_health_component_t c, int value);

#endif
