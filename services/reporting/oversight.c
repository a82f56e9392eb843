#include "reporting.h"
#include "bytes.h"
#include "date.h"
#include "pb_date.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

enum { RAT_VERSION = 1, RAT_SIZE = 5, RAT_KEY = 12, SUPERVISION_KEY = 16,
       SUPERVISION_MAX = 64 * 1024 };

static int apply_rat(reporting_t *app, store_txn_t *txn, const Lumbung__AnnualMeeting *m) {
    if (!m || !m->has_cooperative_id || !m->has_fiscal_year || !m->held_on) return 0;
    int32_t held;
    if (!PB_DATE_GET(m, held_on, &held)) return 0;   /* the members service checked */
    uint8_t key[RAT_KEY], val[RAT_SIZE];
    be64_write(key, m->cooperative_id);
    be32_write(key + 8, m->fiscal_year);
    val[0] = RAT_VERSION;
    be32_write(val + 1, date_key(held));
    return store_put(txn, app->tables.rats, key, sizeof key, val, sizeof val, 0);
}

static int apply_supervision(reporting_t *app, store_txn_t *txn, const Lumbung__Supervision *s) {
    if (!s || !s->has_cooperative_id || !s->has_id) return 0;
    size_t len = protobuf_c_message_get_packed_size(&s->base);
    if (len > SUPERVISION_MAX) return -E2BIG;
    uint8_t *buf = arena_alloc(app->apply.arena, len + 1);
    protobuf_c_message_pack(&s->base, buf);
    uint8_t key[SUPERVISION_KEY];
    be64_write(key, s->cooperative_id);
    be64_write(key + 8, s->id);
    return store_put(txn, app->tables.supervisions, key, sizeof key, buf, len, 0);
}

int reporting_oversight_apply(reporting_t *app, store_txn_t *txn, const Lumbung__MembersEvent *ev) {
    assert(app && txn && ev);
    switch (ev->body_case) {
    case LUMBUNG__MEMBERS_EVENT__BODY_ANNUAL_MEETING_RECORDED:
        return apply_rat(app, txn, ev->annual_meeting_recorded);
    case LUMBUNG__MEMBERS_EVENT__BODY_SUPERVISION_RECORDED:
        return apply_supervision(app, txn, ev->supervision_recorded);
    case LUMBUNG__MEMBERS_EVENT__BODY_SUPERVISION_UPDATED:
        return apply_supervision(app, txn, ev->supervision_updated);
    default:
        return 0;
    }
}

int reporting_oversight_rats(reporting_t *app, store_txn_t *txn, uint64_t coop,
                             uint32_t last_year, reporting_rats_t *out) {
    assert(app && txn && out);
    memset(out, 0, sizeof *out);
    uint8_t prefix[8];
    store_scan_t s;
    int rc = reporting_scan_coop(&s, txn, app->tables.rats, coop, prefix, REPORTING_RATS_MAX);
    if (rc != 0) return rc;
    while ((rc = store_scan_next(&s)) == 0 && s.key_len == RAT_KEY) {
        const uint8_t *p = s.val;
        if (s.val_len != RAT_SIZE || p[0] != RAT_VERSION) { rc = ERR_RECORD_VERSION; break; }
        uint32_t year = be32_read((const uint8_t *) s.key + 8);
        if (year == last_year) out->held_last = true;
        if (year + 1 == last_year) out->held_before_last = true;
        if (!out->any || year > out->fiscal_year) {    /* keys ascend; kept for clarity */
            out->any = true;
            out->fiscal_year = year;
            out->held_on = date_from_key(be32_read(p + 1));
        }
    }
    return store_scan_close(&s, rc);
}

static uint32_t overdue_in(const Lumbung__Supervision *s, int32_t as_of) {
    uint32_t n = 0;
    for (size_t i = 0; i < s->n_recommendations; i++) {
        const Lumbung__Recommendation *r = s->recommendations[i];
        int32_t due;
        if (!PB_DATE_GET(r, due_on, &due) || r->has_done_on) continue;
        if (due < as_of) n++;
    }
    return n;
}

int reporting_oversight_overdue(reporting_t *app, store_txn_t *txn, arena_t *arena,
                                uint64_t coop, int32_t as_of, uint32_t *count) {
    assert(app && txn && arena && count);
    *count = 0;
    uint8_t prefix[8];
    store_scan_t s;
    int rc = reporting_scan_coop(&s, txn, app->tables.supervisions, coop,
                                 prefix, REPORTING_SUPERVISIONS_MAX);
    if (rc != 0) return rc;
    while ((rc = store_scan_next(&s)) == 0 && s.key_len == SUPERVISION_KEY) {
        ProtobufCAllocator alloc = arena_allocator(arena);
        Lumbung__Supervision *sv = lumbung__supervision__unpack(&alloc, s.val_len, s.val);
        if (!sv) { rc = -EPROTO; break; }
        *count += overdue_in(sv, as_of);
    }
    return store_scan_close(&s, rc);
}

int reporting_oversight_rat_of(reporting_t *app, store_txn_t *txn, uint64_t coop, uint32_t year,
                               int32_t *held_on) {
    assert(app && txn && held_on);
    uint8_t key[RAT_KEY];
    be64_write(key, coop);
    be32_write(key + 8, year);
    const void *v;
    size_t vl;
    int rc = store_get(txn, app->tables.rats, key, sizeof key, &v, &vl);
    if (rc != 0) return rc;
    const uint8_t *p = v;
    if (vl != RAT_SIZE || p[0] != RAT_VERSION) return ERR_RECORD_VERSION;
    *held_on = date_from_key(be32_read(p + 1));
    return 0;
}
