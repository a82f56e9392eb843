#include "member.h"
#include "ledger.h"

#include <inttypes.h>

#define INVALID LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID
#define NOT_FOUND LUMBUNG__ERROR_KIND__ERROR_KIND_NOT_FOUND
#define RULE LUMBUNG__ERROR_KIND__ERROR_KIND_RULE

int tx_member_check(tx_ctx_t *ctx, uint64_t coop, uint64_t member, bool require_active,
                    Lumbung__ErrorKind other_coop_kind, tx_member_t *out, problem_t *err) {
    int rc = tx_ledger_require_coop(ctx, coop, err);
    if (rc != 0) return rc;
    if (member == 0)
        return problem_set(err, INVALID, "missing_field", "member_id", "member_id is required");
    rc = tx_store_get_member(ctx->db, ctx->txn, member, out);
    if (rc == ERR_NOT_FOUND)
        return problem_set(err, NOT_FOUND, "member_not_found", "member_id",
                         "member %" PRIu64 " is not known to the transactions service", member);
    if (rc != 0) return rc;
    if (out->coop != coop)
        return problem_set(err, other_coop_kind, "member_of_other_cooperative", "member_id",
                         "member %" PRIu64 " belongs to another cooperative, not to "
                         "cooperative %" PRIu64, member, coop);
    if (require_active && out->status != TX_MEMBER_ACTIVE)
        return problem_set(err, RULE, "member_not_active", "member_id",
                         "member %" PRIu64 " left the cooperative on %s; nothing can be "
                         "posted for an exited member", member,
                         tx_date_text(ctx, out->exited_on));
    return 0;
}
