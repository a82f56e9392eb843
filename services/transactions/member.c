#include "member.h"
#include "ledger.h"

#include <inttypes.h>

#define INVALID LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID
#define NOT_FOUND LUMBUNG__ERROR_KIND__ERROR_KIND_NOT_FOUND
#define RULE LUMBUNG__ERROR_KIND__ERROR_KIND_RULE

int tx_member_check(tx_ctx_t *ctx, uint64_t coop, uint64_t member, bool require_active,
                    Lumbung__ErrorKind other_coop_kind, tx_member_t *out, tx_error_t *err) {
    int rc = tx_ledger_require_coop(ctx, coop, err);
    if (rc != 0) return rc;
    if (member == 0)
        return tx_reject(err, INVALID, "missing_field", "member_id", "member_id is required");
    rc = tx_store_get_member(ctx->db, ctx->txn, member, out);
    if (rc == STORE_NOT_FOUND)
        return tx_reject(err, NOT_FOUND, "member_not_found", "member_id",
                         "member %" PRIu64 " is not known to the transactions service", member);
    if (rc != 0) return rc;
    if (out->coop != coop)
        return tx_reject(err, other_coop_kind, "member_of_other_cooperative", "member_id",
                         "member %" PRIu64 " belongs to another cooperative, not to "
                         "cooperative %" PRIu64, member, coop);
    if (require_active && out->status != TX_MEMBER_ACTIVE)
        return tx_reject(err, RULE, "member_not_active", "member_id",
                         "member %" PRIu64 " left the cooperative on %s; nothing can be "
                         "posted for an exited member", member,
                         tx_date_text(ctx, out->exited_on));
    return 0;
}
