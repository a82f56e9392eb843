/* health — band tables of the health rating, compared exactly. */
#include "health.h"

#include <assert.h>
#include <errno.h>

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

static int value_2b(int64_t num, int64_t den) {
    if (num == 0) return 100;
    if (LE(1000)) return 80;
    if (LE(2000)) return 60;
    if (LE(3000)) return 40;
    if (LE(4000)) return 20;
    if (LE(4500)) return 10;
    return 0;
}

static int value_2d(int64_t num, int64_t den) {
    if (LT(2100)) return 100;
    if (LT(2600)) return 75;
    if (LT(3100)) return 50;
    return 25;
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

int reporting_health_weight(reporting_health_component_t c) {
    static const int weights[REPORTING_HEALTH_COMPONENTS] = { 6, 5, 5, 10, 5, 3 };
    assert(c >= 0 && c < REPORTING_HEALTH_COMPONENTS);
    return weights[c];
}

const char *reporting_health_code(reporting_health_component_t c) {
    static const char *const codes[REPORTING_HEALTH_COMPONENTS] = { "1a", "2b", "2d", "5a",
                                                                    "5b", "6a" };
    assert(c >= 0 && c < REPORTING_HEALTH_COMPONENTS);
    return codes[c];
}

int reporting_health_value(reporting_health_component_t c, int64_t num, int64_t den, int *value) {
    assert(value && c >= 0 && c < REPORTING_HEALTH_COMPONENTS);
    if (num < 0 || den <= 0) return -EDOM;
    switch (c) {
    case REPORTING_HEALTH_1A: *value = value_1a(num, den); break;
    case REPORTING_HEALTH_2B: *value = value_2b(num, den); break;
    case REPORTING_HEALTH_2D: *value = value_2d(num, den); break;
    case REPORTING_HEALTH_5A: *value = value_5a(num, den); break;
    case REPORTING_HEALTH_5B: *value = value_5b(num, den); break;
    case REPORTING_HEALTH_6A: *value = value_6a(num, den); break;
    default: return -EDOM;
    }
    return 0;
}

int reporting_health_score_centi(reporting_health_component_t c, int value) {
    assert(value >= 0 && value <= 100);
    return value * reporting_health_weight(c);
}
