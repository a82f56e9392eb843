#include "access.h"

#include <inttypes.h>
#include <string.h>
#include <strings.h>

#include "envelope.h"

#define ROLE(x) LUMBUNG__ROLE__ROLE_##x

/* How far a role reaches in one access class. */
typedef enum {
    NO = 0,
    YES,            /* any cooperative, or none */
    OWN,            /* its own cooperative only */
    OWN_OR_NONE,    /* its own, or an operation that names none */
    SCOPE,          /* an integrator: its cooperative, any when it names none */
    SCOPE_NAMED,    /* the same, and the operation must name one (not the district) */
    MEMBER,         /* a member: where the route lets members in, their own records */
} reach_t;

enum { ROLES = 8 };

/* The matrix of access.h, by role (envelope.proto's Role values) and class. INTERNAL is no
   role's: access_decide() answers it from who->internal. */
static const reach_t matrix[ROLES][ACCESS_CLASS_COUNT] = {
    /*                PUBLIC AUTH  COOP_READ COOP_WRITE REPORT_READ SUPERVISE ASSESS ADMIN MEMBER_ONLY INTERNAL */
    [ROLE(UNSPECIFIED)] = { YES, NO, NO, NO, NO, NO, NO, NO, NO, NO },
    [ROLE(ADMIN)] = { YES, YES, YES, YES, YES, YES, YES, YES, NO, NO },
    [ROLE(SUPERVISOR)] = { YES, YES, YES, NO, YES, YES, YES, NO, NO, NO },
    [ROLE(OPERATOR)] = { YES, OWN_OR_NONE, OWN, OWN, OWN, NO, NO, NO, NO, NO },
    [ROLE(VIEWER)] = { YES, OWN_OR_NONE, OWN, NO, OWN, NO, NO, NO, NO, NO },
    [ROLE(SERVICE)] = { YES, YES, YES, YES, YES, YES, NO, YES, NO, NO },
    [ROLE(INTEGRATOR)] = { YES, YES, SCOPE, SCOPE, SCOPE_NAMED, NO, NO, NO, NO, NO },
    [ROLE(MEMBER)] = { YES, MEMBER, MEMBER, MEMBER, MEMBER, MEMBER, MEMBER, MEMBER, MEMBER, NO },
};

static const char *const class_names[ACCESS_CLASS_COUNT] = {
#define ACCESS_NAME_(NAME, name, allows, refused) name,
    ACCESS_CLASSES(ACCESS_NAME_)
#undef ACCESS_NAME_
};

static const char *const refused_text[ACCESS_CLASS_COUNT] = {
#define ACCESS_REFUSED_(NAME, name, allows, refused) refused,
    ACCESS_CLASSES(ACCESS_REFUSED_)
#undef ACCESS_REFUSED_
};

access_actor_t access_actor_of(const Lumbung__Actor *a) {
    access_actor_t who = { .role = a && a->has_role ? a->role : ROLE(UNSPECIFIED),
                           .user = a ? a->user : NULL };
    who.cooperative_id = a && a->has_cooperative_id ? a->cooperative_id : 0;
    return who;
}

static bool names_other(uint64_t asked, uint64_t own) { return asked != 0 && asked != own; }

static reach_t reach_of(const access_actor_t *who, access_t access) {
    if ((int) who->role < 0 || (int) who->role >= ROLES) return NO;
    return matrix[who->role][access];
}

static bool member_may(const access_actor_t *who, const access_ask_t *ask) {
    if (!ask->member_too) return false;
    return who->cooperative_id && who->member_id &&
           !names_other(ask->cooperative_id, who->cooperative_id) &&
           !names_other(ask->member_id, who->member_id);
}

static bool reaches(const access_actor_t *who, const access_ask_t *ask, reach_t reach) {
    uint64_t own = who->cooperative_id, coop = ask->cooperative_id;
    switch (reach) {
    case YES: return true;
    case OWN: return own != 0 && coop == own;
    case OWN_OR_NONE: return own != 0 && (coop == 0 || coop == own);
    case SCOPE: return own == 0 || coop == own;
    case SCOPE_NAMED: return coop != 0 && (own == 0 || coop == own);
    case MEMBER: return member_may(who, ask);
    default: return false;
    }
}

static int refuse(const access_actor_t *who, const access_ask_t *ask, reach_t reach,
                  problem_t *p) {
    if (!p) return ERR_FORBIDDEN;
    const char *role = envelope_role_name(who->role);
    const char *user = who->user && *who->user ? who->user : "anonymous";
    const char *field = NULL;
    if (names_other(ask->cooperative_id, who->cooperative_id)) field = "cooperative_id";
    else if (who->role == ROLE(MEMBER) && names_other(ask->member_id, who->member_id))
        field = "member_id";
    if (who->role == ROLE(MEMBER) && field && !strcmp(field, "member_id"))
        problem_set(p, LUMBUNG__ERROR_KIND__ERROR_KIND_FORBIDDEN, "forbidden", field,
                    "a member may only see their own records (%" PRIu64 ")", who->member_id);
    else if (reach == NO || reach == MEMBER || who->cooperative_id == 0)
        problem_set(p, LUMBUNG__ERROR_KIND__ERROR_KIND_FORBIDDEN, "forbidden", field,
                    "%s %s may not %s", role, user, refused_text[ask->access]);
    else
        problem_set(p, LUMBUNG__ERROR_KIND__ERROR_KIND_FORBIDDEN, "forbidden", field,
                    "%s %s may only work with their own cooperative (%" PRIu64 ")", role, user,
                    who->cooperative_id);
    return ERR_FORBIDDEN;
}

int access_decide(const access_actor_t *who, const access_ask_t *ask, problem_t *p) {
    static const access_actor_t nobody = { .role = ROLE(UNSPECIFIED) };
    if (!who) who = &nobody;
    if ((int) ask->access < 0 || ask->access >= ACCESS_CLASS_COUNT)
        return refuse(who, &(access_ask_t) { .access = ACCESS_ADMIN }, NO, p);
    if (ask->access == ACCESS_PUBLIC) return 0;
    if (ask->access == ACCESS_INTERNAL) return who->internal ? 0 : refuse(who, ask, NO, p);
    reach_t reach = reach_of(who, ask->access);
    return reaches(who, ask, reach) ? 0 : refuse(who, ask, reach, p);
}

int access_parse(const char *name) {
    for (int i = 0; name && i < ACCESS_CLASS_COUNT; i++)
        if (!strcasecmp(class_names[i], name)) return i;
    return -1;
}

const char *access_name(access_t access) {
    if ((int) access < 0 || access >= ACCESS_CLASS_COUNT) return "unknown";
    return class_names[access];
}
