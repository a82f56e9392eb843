/*  access — the one role matrix: who may do which class of operation on which cooperative.

    Every operation (operation.h) and every gateway route names one access class; the decision
    takes the actor (its role, the cooperative it is held to, a member's own id) and the
    cooperative the operation concerns, and says yes, or no with a FORBIDDEN problem. The
    services decide it once per request in common/service (a batch once per posting, through
    service_call_authorise), the gateway once per HTTP request: both from this table.

                     PUBLIC AUTHENT. COOP_READ COOP_WRITE REPORT_READ SUPERVISE ASSESS ADMIN MEMBER_ONLY
      admin            yes    yes      any       any        any         yes      yes    yes     no
      service          yes    yes      any       any        any         yes      no     yes     no
      supervisor       yes    yes      any       no         any         yes      yes    no      no
      operator         yes    own*     own       own        own         no       no     no      no
      viewer           yes    own*     own       no         own         no       no     no      no
      integrator       yes    yes      scope     scope      scope,not 0 no       no     no      no
      member           yes    m        m         m          m           m        m      m       m
      none / other     yes    no       no        no         no          no       no     no      no

    own: the actor's own cooperative; an operator or viewer without one may do nothing (own*:
    and may not name another). scope: the integrator's cooperative, any when its actor names
    none (the key's scope is checked before, scope.h). "not 0": a report of no cooperative is
    the district's as a whole, which no integrator reads. m: a member only where the route
    says so (access_ask_t.member_too: the gateway's member rows, which its route check keeps to
    reads), in their own cooperative, naming no member but themselves. ACCESS_INTERNAL: only the service's own steps
    (service_post_self), whatever their actor.

    Not for: an integrator key's scope of operations and cooperatives (scope.h), authentication
    (the gateway's auth.c, the bus's CURVE), which operation needs which class (operation.h). */
#ifndef LUMBUNG_ACCESS_H
#define LUMBUNG_ACCESS_H

#include <stdbool.h>
#include <stdint.h>
#include "problem.h"
#include "envelope.pb-c.h"

/* X(NAME, "name", "what it allows", "what a refused caller may not do"): the classes, in value
   order; "name" is the one the gateway's route table and docs/openapi.yaml print. */
#define ACCESS_CLASSES(X)                                                                      \
    X(PUBLIC, "public", "anyone, without credentials", "call this")                            \
    X(AUTHENTICATED, "authenticated", "any known caller", "call this")                         \
    X(COOP_READ, "coop_read", "reads one cooperative's records",                               \
      "read this cooperative's records")                                                       \
    X(COOP_WRITE, "coop_write", "changes one cooperative's records",                           \
      "change this cooperative's records")                                                     \
    X(REPORT_READ, "report_read",                                                              \
      "reads a report of one cooperative, or of the district when it names none",              \
      "read this report")                                                                      \
    X(SUPERVISE, "supervise", "district supervision: admin, supervisor, services",             \
      "do district supervision")                                                               \
    X(ASSESS, "assess", "a supervisor's assessment: admin or supervisor, in person",           \
      "record an assessment (only an admin or a supervisor does)")                             \
    X(ADMIN, "admin", "district administration: admin, services", "do district administration") \
    X(MEMBER_ONLY, "member", "a member's own pages", "use a member's own pages")               \
    X(INTERNAL, "internal", "the service's own steps, posted to itself",                       \
      "send the service's own steps")

typedef enum {
#define ACCESS_ENUM_(NAME, name, allows, refused) ACCESS_##NAME,
    ACCESS_CLASSES(ACCESS_ENUM_)
#undef ACCESS_ENUM_
    ACCESS_CLASS_COUNT
} access_t;

/* An operation's cooperative_id (or member id) the caller knows only to be not the actor's own
   (the gateway: a URL or body naming another). */
#define ACCESS_OTHER UINT64_MAX

/* Who asks. */
typedef struct {
    Lumbung__Role role;        /* ROLE_UNSPECIFIED: nobody known */
    uint64_t cooperative_id;   /* operator, viewer, member: theirs; integrator: 0 = any */
    uint64_t member_id;        /* a member's own id */
    const char *user;          /* for the message; NULL: "anonymous" */
    bool internal;             /* a step the service posted to itself */
} access_actor_t;

/* What is asked. */
typedef struct {
    access_t access;
    uint64_t cooperative_id;   /* the cooperative it concerns; 0: none named (the district) */
    uint64_t member_id;        /* the member it names (a member may name only their own); 0 */
    bool member_too;           /* a member may call it (their own cooperative, reads) */
} access_ask_t;

/* The actor of a bus request as the matrix reads it (NULL: nobody). */
access_actor_t access_actor_of(const Lumbung__Actor *actor);

/* 0 when `who` may do `ask`; else ERR_FORBIDDEN with *p filled: FORBIDDEN "forbidden", field
   "cooperative_id" when the ask names a cooperative other than the actor's own, "member_id"
   when a member names another member, else none. p may be NULL. */
int access_decide(const access_actor_t *who, const access_ask_t *ask, problem_t *p);

/* "coop_write" (any case) -> ACCESS_COOP_WRITE, for tools and tests; -1 when unknown. */
int access_parse(const char *name);
/* "coop_write", "member" (MEMBER_ONLY): the gateway's names; "unknown" out of range. */
const char *access_name(access_t access);

#endif
