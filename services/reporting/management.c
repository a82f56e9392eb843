#include "reporting.h"
#include "bytes.h"
#include "date.h"
#include "health_bands.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#define KIND(x) LUMBUNG__ERROR_KIND__ERROR_KIND_##x
#define M(x) REPORTING_MANAGEMENT_##x

enum { KEY_SIZE = 12, RECORD_MAX = 4096 };

static const char *const group_field[M(GROUPS)] = {
    "general", "institution", "capital", "assets", "liquidity",
};

static void make_key(uint8_t key[KEY_SIZE], uint64_t coop, uint32_t year) {
    be64_write(key, coop);
    be32_write(key + 8, year);
}

/* The answers of group g and their count. */
static const protobuf_c_boolean *answers(const Lumbung__ManagementQuestionnaire *q, int g,
                                         size_t *n) {
    switch (g) {
    case M(GENERAL): *n = q->n_general; return q->general;
    case M(INSTITUTION): *n = q->n_institution; return q->institution;
    case M(CAPITAL): *n = q->n_capital; return q->capital;
    case M(ASSETS): *n = q->n_assets; return q->assets;
    default: *n = q->n_liquidity; return q->liquidity;
    }
}

/* Sets points and yes_answers from the answers; -EINVAL when a group has the wrong count
   (*bad = that group). */
static int score(arena_t *arena, Lumbung__ManagementQuestionnaire *q, int *bad) {
    int yes[M(GROUPS)], total = 0;
    for (int g = 0; g < M(GROUPS); g++) {
        size_t n;
        const protobuf_c_boolean *a = answers(q, g, &n);
        *bad = g;
        if (n != (size_t) reporting_management_questions((reporting_management_group_t) g))
            return -EINVAL;
        yes[g] = 0;
        for (size_t i = 0; i < n; i++) yes[g] += a[i] ? 1 : 0;
        total += yes[g];
    }
    int centi = reporting_management_points_centi(yes);
    assert(centi >= 0);
    char buf[REPORTING_HEALTH_TEXT_MAX];
    reporting_health_centi_text(centi, buf, sizeof buf);
    q->points = arena_strdup(arena, buf);
    q->has_yes_answers = 1;
    q->yes_answers = (uint32_t) total;
    return centi;
}

int reporting_management_read(reporting_t *app, store_txn_t *txn, arena_t *arena, uint64_t coop,
                              uint32_t year, Lumbung__ManagementQuestionnaire **out,
                              int *points_centi) {
    assert(app && txn && arena && out && points_centi);
    uint8_t key[KEY_SIZE];
    make_key(key, coop, year);
    int rc = reporting_get_message(txn, app->tables.management, key, sizeof key, arena,
                                   &lumbung__management_questionnaire__descriptor,
                                   (ProtobufCMessage **) out);
    if (rc != 0) return rc;
    int bad;
    *points_centi = score(arena, *out, &bad);
    return *points_centi < 0 ? -EPROTO : 0;
}

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int reporting_management_put(reporting_t *app, service_call_t *call, store_txn_t *txn,
                             arena_t *arena, const Lumbung__ManagementQuestionnaire *req,
                             Lumbung__ReportingReply *out) {
    assert(app && call && txn && arena && req && out);
    /* Only an admin or a supervisor gets here (ASSESS, common/operations_reporting.h). */
    const Lumbung__Actor *actor = service_call_actor(call);
    if (!req->has_year || req->year < DATE_FISCAL_YEAR_MIN || req->year > DATE_FISCAL_YEAR_MAX)
        return service_call_fail(call, KIND(INVALID), "invalid_year", "year",
                                 "year must be given, between %d and %d", DATE_FISCAL_YEAR_MIN,
                                 DATE_FISCAL_YEAR_MAX);
    Lumbung__Cooperative *coop;
    int rc = reporting_registry_coop_of(app, call, txn, arena, req->cooperative_id, &coop);
    if (rc != 0) return rc;
    Lumbung__ManagementQuestionnaire *q =
        arena_message(arena, &lumbung__management_questionnaire__descriptor);
    *q = *req;
    q->points = NULL;
    q->recorded_by = actor->user;
    q->has_recorded_at_ms = 1;
    q->recorded_at_ms = now_ms();
    int bad;
    if (score(arena, q, &bad) < 0) {
        size_t n;
        (void) answers(q, bad, &n);
        return service_call_fail(call, KIND(INVALID), "wrong_answer_count", group_field[bad],
                                 "%s needs exactly %d answers, not %zu", group_field[bad],
                                 reporting_management_questions((reporting_management_group_t) bad),
                                 n);
    }
    size_t len = protobuf_c_message_get_packed_size(&q->base);
    assert(len <= RECORD_MAX);
    uint8_t *buf = arena_alloc(arena, len + 1);
    protobuf_c_message_pack(&q->base, buf);
    uint8_t key[KEY_SIZE];
    make_key(key, req->cooperative_id, req->year);
    if ((rc = store_put(txn, app->tables.management, key, sizeof key, buf, len, 0)) != 0) return rc;
    out->result_case = LUMBUNG__REPORTING_REPLY__RESULT_MANAGEMENT;
    out->management = q;
    return 0;
}
