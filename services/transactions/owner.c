#include "owner.h"
#include "batch.h"
#include "config.h"
#include "shard.h"

#include <inttypes.h>
#include <stdio.h>

#define P(x) LUMBUNG__POSTING__OP_##x
#define MB(x) LUMBUNG__MEMBERS_EVENT__BODY_##x
#define OP(x) LUMBUNG__TRANSACTIONS_REQUEST__OP_##x

static int refuse(uint64_t coop, const char *field, problem_t *err) {
    int owner = shard_of(coop);
    char name[SHARD_NAME_MAX], ep[128];
    shard_name(owner, name, sizeof name);
    return problem_set(err, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "wrong_shard", field,
                     "cooperative %" PRIu64 " lives on transactions shard %d (%s, %s), not "
                     "on this one: send its requests there", coop, owner, name,
                     config_endpoint(name, "router", ep, sizeof ep));
}

static const char *posting_op(const Lumbung__Posting *p) {
    return p->op_case == P(DEPOSIT) ? "deposit" : p->op_case == P(WITHDRAW) ? "withdraw" : "entry";
}

int tx_owner_check(int self, const Lumbung__TransactionsRequest *r, uint64_t coop,
                   problem_t *err) {
    if (coop != 0 && shard_of(coop) != self) return refuse(coop, "cooperative_id", err);
    if (r->op_case != OP(POST_BATCH) || !r->post_batch) return 0;
    const Lumbung__PostBatch *b = r->post_batch;
    for (size_t i = 0; i < b->n_postings; i++) {
        uint64_t *pc = tx_batch_posting_coop(b->postings[i]);
        uint64_t c = pc && *pc ? *pc : coop;
        if (c != 0 && shard_of(c) != self) {
            char field[PROBLEM_FIELD_MAX];
            snprintf(field, sizeof field, "postings[%zu].%s.cooperative_id", i,
                     posting_op(b->postings[i]));
            return refuse(c, field, err);
        }
    }
    return 0;
}

static uint64_t event_cooperative(const Lumbung__MembersEvent *ev) {
    const Lumbung__Cooperative *c = NULL;
    const Lumbung__Member *m = NULL;
    switch (ev->body_case) {
    case MB(COOPERATIVE_CREATED): c = ev->cooperative_created; break;
    case MB(COOPERATIVE_UPDATED): c = ev->cooperative_updated; break;
    case MB(BOARD_UPDATED): c = ev->board_updated; break;
    case MB(MEMBER_JOINED): m = ev->member_joined; break;
    case MB(MEMBER_UPDATED): m = ev->member_updated; break;
    case MB(MEMBER_EXITED): m = ev->member_exited; break;
    default: break;
    }
    if (c) return c->has_id ? c->id : 0;
    return m && m->has_cooperative_id ? m->cooperative_id : 0;
}

bool tx_owner_follows(int self, const Lumbung__MembersEvent *ev) {
    uint64_t coop = event_cooperative(ev);
    return coop == 0 || shard_of(coop) == self;
}
