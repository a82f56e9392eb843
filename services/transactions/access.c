#include "access.h"

#include <inttypes.h>

#define FORBIDDEN LUMBUNG__ERROR_KIND__ERROR_KIND_FORBIDDEN
#define ROLE(x) LUMBUNG__ROLE__ROLE_##x

int tx_authorise(const Lumbung__Actor *actor, uint64_t coop, bool write, problem_t *err) {
    Lumbung__Role role = actor && actor->has_role ? actor->role : ROLE(UNSPECIFIED);
    const char *user = actor && actor->user ? actor->user : "anonymous";
    uint64_t scope = actor && actor->has_cooperative_id ? actor->cooperative_id : 0;
    switch (role) {
    case ROLE(ADMIN):
    case ROLE(SERVICE):
        return 0;
    case ROLE(SUPERVISOR):
        if (!write) return 0;
        return problem_set(err, FORBIDDEN, "forbidden", NULL,
                         "supervisor %s may read every cooperative but change none", user);
    case ROLE(VIEWER):
    case ROLE(OPERATOR):
        if (write && role == ROLE(VIEWER))
            return problem_set(err, FORBIDDEN, "forbidden", NULL,
                             "viewer %s may only read", user);
        if (scope != 0 && scope == coop) return 0;
        return problem_set(err, FORBIDDEN, "forbidden", NULL,
                         "%s may act only for cooperative %" PRIu64 ", not %" PRIu64, user,
                         scope, coop);
    case ROLE(INTEGRATOR):
        if (scope == 0 || scope == coop) return 0;
        return problem_set(err, FORBIDDEN, "forbidden", NULL,
                         "integrator %s may act only for cooperative %" PRIu64, user, scope);
    default:
        return problem_set(err, FORBIDDEN, "forbidden", NULL,
                         "the request names no role that may use the transactions service");
    }
}
