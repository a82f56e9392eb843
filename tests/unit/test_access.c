/* access: the one role matrix decides exactly what the five places decided before it (the
   transactions service's tx_authorise, the members service's allowed(), the reporting service's
   authorise() and management questionnaire, the gateway's gateway_routes_authorize). Each of
   those is kept here as an oracle, as it was written, and compared with access_decide() over
   every role, class, actor scope and cooperative asked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "access.h"
#include "operation.h"
#include "members.pb-c.h"
#include "reporting.pb-c.h"
#include "transactions.pb-c.h"

#define ROLE(x) LUMBUNG__ROLE__ROLE_##x

static const Lumbung__Role every_role[] = {
    ROLE(UNSPECIFIED), ROLE(ADMIN), ROLE(SUPERVISOR), ROLE(OPERATOR),
    ROLE(VIEWER), ROLE(SERVICE), ROLE(INTEGRATOR), ROLE(MEMBER),
};
static const uint64_t scopes[] = { 0, 5 };
static const uint64_t asked[] = { 0, 5, 6 };

#define COUNT(a) (sizeof (a) / sizeof (a)[0])

/* ------------------------------------------------------------ the oracles, as they were */

static bool tx_oracle(Lumbung__Role role, uint64_t scope, uint64_t coop, bool write) {
    switch (role) {
    case ROLE(ADMIN): case ROLE(SERVICE): return true;
    case ROLE(SUPERVISOR): return !write;
    case ROLE(VIEWER): case ROLE(OPERATOR):
        if (write && role == ROLE(VIEWER)) return false;
        return scope != 0 && scope == coop;
    case ROLE(INTEGRATOR): return scope == 0 || scope == coop;
    default: return false;
    }
}

typedef enum { M_READ, M_WRITE, M_SUPERVISE, M_ADMIN } members_access_t;

static bool members_scope_allows(uint64_t scope, uint64_t coop, bool zero_is_all) {
    if (scope == 0) return zero_is_all;
    return coop != 0 && scope == coop;
}

static bool members_oracle(Lumbung__Role role, uint64_t scope, members_access_t access,
                           uint64_t coop) {
    switch (role) {
    case ROLE(ADMIN): case ROLE(SERVICE): return true;
    case ROLE(SUPERVISOR): return access == M_READ || access == M_SUPERVISE;
    case ROLE(OPERATOR):
        return (access == M_READ || access == M_WRITE) && members_scope_allows(scope, coop, false);
    case ROLE(VIEWER): return access == M_READ && members_scope_allows(scope, coop, false);
    case ROLE(INTEGRATOR):
        return (access == M_READ || access == M_WRITE) && members_scope_allows(scope, coop, true);
    default: return false;
    }
}

/* list_cooperatives: refused only when members_actor_scope() says "nothing". */
static bool members_list_oracle(Lumbung__Role role, uint64_t scope) {
    switch (role) {
    case ROLE(OPERATOR): case ROLE(VIEWER): return scope != 0;
    case ROLE(INTEGRATOR): case ROLE(ADMIN): case ROLE(SUPERVISOR): case ROLE(SERVICE): return true;
    default: return false;
    }
}

static bool reporting_oracle(Lumbung__Role role, uint64_t scope, uint64_t coop) {
    switch (role) {
    case ROLE(ADMIN): case ROLE(SUPERVISOR): case ROLE(SERVICE): return true;
    case ROLE(OPERATOR): case ROLE(VIEWER): case ROLE(INTEGRATOR):
        if (coop == 0) return false;
        return scope == coop || (role == ROLE(INTEGRATOR) && scope == 0);
    default: return false;
    }
}

static bool management_oracle(Lumbung__Role role, uint64_t scope, uint64_t coop) {
    return reporting_oracle(role, scope, coop) && (role == ROLE(ADMIN) || role == ROLE(SUPERVISOR));
}

/* The gateway's route classes, as access.h names them. */
typedef struct {
    Lumbung__Role role;
    uint64_t cooperative_id, member_id;
} gw_user_t;

static bool gateway_oracle(access_t access, bool read, bool member_flag, const gw_user_t *u,
                           bool other_coop) {
    if (access == ACCESS_PUBLIC) return true;
    Lumbung__Role role = u->role;
    bool admin = role == ROLE(ADMIN), supervisor = role == ROLE(SUPERVISOR);
    bool operator = role == ROLE(OPERATOR), viewer = role == ROLE(VIEWER);
    if (role == ROLE(MEMBER))
        return member_flag && !other_coop && u->cooperative_id && u->member_id;
    bool scoped = operator || viewer;
    if (!admin && !supervisor && !scoped) return false;
    if (scoped && (other_coop || u->cooperative_id == 0)) return false;
    if (access == ACCESS_AUTHENTICATED) return true;
    if (viewer && !read) return false;
    switch (access) {
    case ACCESS_COOP_READ: return true;
    case ACCESS_COOP_WRITE: return admin || operator;
    case ACCESS_SUPERVISE: return admin || supervisor;
    case ACCESS_ADMIN: return admin;
    default: return false;
    }
}

/* ------------------------------------------------------------ the matrix */

static access_actor_t actor(Lumbung__Role role, uint64_t scope) {
    return (access_actor_t) { .role = role, .cooperative_id = scope, .user = "u" };
}

static bool decide(Lumbung__Role role, uint64_t scope, access_t access, uint64_t coop) {
    access_actor_t who = actor(role, scope);
    access_ask_t ask = { .access = access, .cooperative_id = coop };
    problem_t p;
    int rc = access_decide(&who, &ask, &p);
    if (rc != 0) {
        assert_int_equal(rc, ERR_FORBIDDEN);
        assert_int_equal(p.kind, LUMBUNG__ERROR_KIND__ERROR_KIND_FORBIDDEN);
        assert_string_equal(p.code, "forbidden");
    }
    return rc == 0;
}

#define EACH_CASE                                                                              \
    for (size_t r_ = 0; r_ < COUNT(every_role); r_++)                                          \
        for (size_t s_ = 0; s_ < COUNT(scopes); s_++)                                          \
            for (size_t c_ = 0; c_ < COUNT(asked); c_++)

#define SAME(got, want)                                                                        \
    do {                                                                                       \
        if ((got) != (want))                                                                   \
            fail_msg("%s: role %d scope %llu coop %llu: matrix %d, before %d", __func__,       \
                     (int) every_role[r_], (unsigned long long) scopes[s_],                    \
                     (unsigned long long) asked[c_], (int) (got), (int) (want));               \
    } while (0)

static void transactions_reads_and_writes_as_before(void **state) {
    (void) state;
    EACH_CASE {
        Lumbung__Role role = every_role[r_];
        if (role == ROLE(MEMBER)) continue;     /* the gateway asks as a viewer for them */
        uint64_t scope = scopes[s_], coop = asked[c_];
        SAME(decide(role, scope, ACCESS_COOP_READ, coop), tx_oracle(role, scope, coop, false));
        SAME(decide(role, scope, ACCESS_COOP_WRITE, coop), tx_oracle(role, scope, coop, true));
    }
}

static void members_classes_as_before(void **state) {
    (void) state;
    EACH_CASE {
        Lumbung__Role role = every_role[r_];
        if (role == ROLE(MEMBER)) continue;
        uint64_t scope = scopes[s_], coop = asked[c_];
        SAME(decide(role, scope, ACCESS_COOP_READ, coop), members_oracle(role, scope, M_READ, coop));
        SAME(decide(role, scope, ACCESS_COOP_WRITE, coop),
             members_oracle(role, scope, M_WRITE, coop));
        SAME(decide(role, scope, ACCESS_SUPERVISE, coop),
             members_oracle(role, scope, M_SUPERVISE, coop));
        SAME(decide(role, scope, ACCESS_ADMIN, coop), members_oracle(role, scope, M_ADMIN, coop));
        SAME(decide(role, scope, ACCESS_AUTHENTICATED, 0), members_list_oracle(role, scope));
    }
}

static void reporting_and_its_district_as_before(void **state) {
    (void) state;
    EACH_CASE {
        Lumbung__Role role = every_role[r_];
        if (role == ROLE(MEMBER)) continue;
        uint64_t scope = scopes[s_], coop = asked[c_];
        SAME(decide(role, scope, ACCESS_REPORT_READ, coop), reporting_oracle(role, scope, coop));
        /* The district's own views (dashboard, ODS) were asked as coop 0 whatever they named. */
        SAME(decide(role, scope, ACCESS_SUPERVISE, coop), reporting_oracle(role, scope, 0));
        SAME(decide(role, scope, ACCESS_ASSESS, coop), management_oracle(role, scope, coop));
    }
}

/* The gateway passes the user's own cooperative when the request names no other, and
   ACCESS_OTHER when it does; member_too is the route's ROUTE_MEMBER. */
static void the_gateway_routes_as_before(void **state) {
    (void) state;
    static const struct { access_t access; bool read; } classes[] = {
        { ACCESS_PUBLIC, true }, { ACCESS_AUTHENTICATED, true }, { ACCESS_AUTHENTICATED, false },
        { ACCESS_COOP_READ, true }, { ACCESS_COOP_WRITE, false }, { ACCESS_SUPERVISE, true },
        { ACCESS_SUPERVISE, false }, { ACCESS_ADMIN, true }, { ACCESS_ADMIN, false },
        { ACCESS_MEMBER_ONLY, true },
    };
    static const Lumbung__Role roles[] = { ROLE(ADMIN), ROLE(SUPERVISOR), ROLE(OPERATOR),
                                           ROLE(VIEWER), ROLE(MEMBER) };
    for (size_t k = 0; k < COUNT(classes); k++)
        for (size_t r = 0; r < COUNT(roles); r++)
            for (uint64_t coop = 0; coop <= 5; coop += 5)
                for (uint64_t mid = 0; mid <= 9; mid += 9)
                    for (int other = 0; other < 2; other++)
                        for (int flag = 0; flag < 2; flag++) {
                            gw_user_t u = { roles[r], coop, mid };
                            bool want = gateway_oracle(classes[k].access, classes[k].read, flag,
                                                       &u, other);
                            access_actor_t who = { .role = roles[r], .cooperative_id = coop,
                                                   .member_id = mid, .user = "u" };
                            access_ask_t ask = { .access = classes[k].access,
                                                 .cooperative_id = other ? ACCESS_OTHER : coop,
                                                 .member_too = flag };
                            problem_t p;
                            int rc = access_decide(&who, &ask, &p);
                            if ((rc == 0) != want)
                                fail_msg("class %d role %d coop %llu member %llu other %d flag %d:"
                                         " matrix %d, before %d", (int) classes[k].access,
                                         (int) roles[r], (unsigned long long) coop,
                                         (unsigned long long) mid, other, flag, rc, want);
                            /* The field the gateway named: the cooperative when another. */
                            if (rc != 0 && other) assert_string_equal(p.field, "cooperative_id");
                            if (rc != 0 && !other && roles[r] != ROLE(MEMBER))
                                assert_string_equal(p.field, "");
                        }
}

static void a_member_names_only_their_own_records(void **state) {
    (void) state;
    access_actor_t member = { .role = ROLE(MEMBER), .cooperative_id = 5, .member_id = 9 };
    problem_t p;
    access_ask_t own = { .access = ACCESS_COOP_READ, .cooperative_id = 5, .member_id = 9,
                         .member_too = true };
    assert_int_equal(access_decide(&member, &own, &p), 0);
    access_ask_t other = own;
    other.member_id = 10;
    assert_int_equal(access_decide(&member, &other, &p), ERR_FORBIDDEN);
    assert_string_equal(p.field, "member_id");
    /* Another member on a route not open to members: still named as the member. */
    other.member_too = false;
    assert_int_equal(access_decide(&member, &other, &p), ERR_FORBIDDEN);
    assert_string_equal(p.field, "member_id");
    /* Another cooperative comes first. */
    other.cooperative_id = 6;
    assert_int_equal(access_decide(&member, &other, &p), ERR_FORBIDDEN);
    assert_string_equal(p.field, "cooperative_id");
    /* Their own pages, where the route lets members in; nobody else has them. */
    access_ask_t pages = { .access = ACCESS_MEMBER_ONLY, .member_too = true };
    assert_int_equal(access_decide(&member, &pages, &p), 0);
    pages.member_too = false;
    assert_int_equal(access_decide(&member, &pages, &p), ERR_FORBIDDEN);
    pages.member_too = true;
    access_actor_t admin = actor(ROLE(ADMIN), 0);
    assert_int_equal(access_decide(&admin, &pages, &p), ERR_FORBIDDEN);
}

static void internal_steps_only_from_the_service_itself(void **state) {
    (void) state;
    access_ask_t step = { .access = ACCESS_INTERNAL };
    access_actor_t admin = actor(ROLE(ADMIN), 0), self = actor(ROLE(UNSPECIFIED), 0);
    self.internal = true;
    problem_t p;
    assert_int_equal(access_decide(&admin, &step, &p), ERR_FORBIDDEN);
    assert_int_equal(access_decide(&self, &step, &p), 0);
    assert_int_equal(access_decide(NULL, &step, NULL), ERR_FORBIDDEN);
    /* Nobody at all may still call what is public. */
    access_ask_t open = { .access = ACCESS_PUBLIC };
    assert_int_equal(access_decide(NULL, &open, NULL), 0);
}

static void the_actor_of_a_bus_request(void **state) {
    (void) state;
    Lumbung__Actor a = LUMBUNG__ACTOR__INIT;
    a.has_role = 1;
    a.role = ROLE(OPERATOR);
    a.has_cooperative_id = 1;
    a.cooperative_id = 7;
    a.user = "op";
    access_actor_t who = access_actor_of(&a);
    assert_int_equal(who.role, ROLE(OPERATOR));
    assert_int_equal(who.cooperative_id, 7);
    assert_string_equal(who.user, "op");
    assert_false(who.internal);
    who = access_actor_of(NULL);
    assert_int_equal(who.role, ROLE(UNSPECIFIED));
    problem_t p;
    access_ask_t read = { .access = ACCESS_COOP_READ, .cooperative_id = 7 };
    assert_int_equal(access_decide(&who, &read, &p), ERR_FORBIDDEN);
    assert_non_null(strstr(p.message, "anonymous"));
}

static void class_names_round_trip(void **state) {
    (void) state;
    for (int i = 0; i < ACCESS_CLASS_COUNT; i++)
        assert_int_equal(access_parse(access_name((access_t) i)), i);
    assert_int_equal(access_parse("COOP_WRITE"), ACCESS_COOP_WRITE);
    assert_string_equal(access_name(ACCESS_MEMBER_ONLY), "member");
    assert_int_equal(access_parse("nope"), -1);
    assert_string_equal(access_name((access_t) 99), "unknown");
}

/* The lists libcommon holds for the gateway: access and flags by service and name. */
static void the_operation_lists_answer_the_gateway(void **state) {
    (void) state;
    const operation_t *deposit = operation_find("transactions", "deposit");
    assert_non_null(deposit);
    assert_int_equal(deposit->access, ACCESS_COOP_WRITE);
    assert_true(deposit->flags & OP_MOVES_MONEY);
    assert_null(deposit->handler);
    assert_int_equal(deposit->number, 2);
    const operation_t *batch = operation_find("transactions", "post_batch");
    assert_true((batch->flags & (OP_LONG | OP_AUTHORISES_ITSELF)) == (OP_LONG | OP_AUTHORISES_ITSELF));
    assert_false(operation_find("transactions", "list_loans")->flags & OP_WRITE);
    assert_int_equal(operation_find("members", "create_cooperative")->access, ACCESS_ADMIN);
    assert_int_equal(operation_find("reporting", "ods")->access, ACCESS_SUPERVISE);
    assert_int_equal(operation_find("reporting", "put_management")->access, ACCESS_ASSESS);
    assert_null(operation_find("transactions", "nope"));
    assert_null(operation_find("nope", "deposit"));
    /* Exactly the ten operations that book money need a key (the gateway's list before). */
    static const char *const money[] = { "deposit", "withdraw", "post_entry", "reverse_entry",
                                         "post_batch", "post_disbursement", "post_repayment",
                                         "write_off_loan", "post_recovery", "post_opening" };
    size_t n, moving = 0;
    const operation_t *rows = operation_list("transactions", &n);
    for (size_t i = 0; i < n; i++) moving += (rows[i].flags & OP_MOVES_MONEY) != 0;
    assert_int_equal(moving, COUNT(money));
    for (size_t i = 0; i < COUNT(money); i++)
        assert_true(operation_find("transactions", money[i])->flags & OP_MOVES_MONEY);
    assert_ptr_equal(operation_numbered(rows, n, 40), operation_named(rows, n, "post_opening"));
}

/* Moved from test_transactions_rules.c (tx_authorise), through the actor of a bus request. */
static Lumbung__Actor bus_actor(Lumbung__Role role, uint64_t coop) {
    Lumbung__Actor a = LUMBUNG__ACTOR__INIT;
    a.user = "u";
    a.has_role = 1;
    a.role = role;
    a.has_cooperative_id = coop != 0;
    a.cooperative_id = coop;
    return a;
}

static int tx_authorise(const Lumbung__Actor *a, uint64_t coop, bool write, problem_t *err) {
    access_actor_t who = access_actor_of(a);
    access_ask_t ask = { .access = write ? ACCESS_COOP_WRITE : ACCESS_COOP_READ,
                         .cooperative_id = coop };
    return access_decide(&who, &ask, err);
}

static void authorisation_follows_the_roles(void **state) {
    (void) state;
    problem_t err;
    Lumbung__Actor a = bus_actor(LUMBUNG__ROLE__ROLE_ADMIN, 0);
    assert_int_equal(tx_authorise(&a, 7, true, &err), 0);
    a = bus_actor(LUMBUNG__ROLE__ROLE_SUPERVISOR, 0);
    assert_int_equal(tx_authorise(&a, 7, false, &err), 0);
    assert_int_equal(tx_authorise(&a, 7, true, &err), ERR_FORBIDDEN);
    assert_int_equal(err.kind, LUMBUNG__ERROR_KIND__ERROR_KIND_FORBIDDEN);
    a = bus_actor(LUMBUNG__ROLE__ROLE_OPERATOR, 7);
    assert_int_equal(tx_authorise(&a, 7, true, &err), 0);
    assert_int_equal(tx_authorise(&a, 8, false, &err), ERR_FORBIDDEN);
    a = bus_actor(LUMBUNG__ROLE__ROLE_OPERATOR, 0);    /* an operator without a cooperative */
    assert_int_equal(tx_authorise(&a, 7, false, &err), ERR_FORBIDDEN);
    a = bus_actor(LUMBUNG__ROLE__ROLE_VIEWER, 7);
    assert_int_equal(tx_authorise(&a, 7, false, &err), 0);
    assert_int_equal(tx_authorise(&a, 7, true, &err), ERR_FORBIDDEN);
    a = bus_actor(LUMBUNG__ROLE__ROLE_INTEGRATOR, 0);
    assert_int_equal(tx_authorise(&a, 7, true, &err), 0);
    a = bus_actor(LUMBUNG__ROLE__ROLE_INTEGRATOR, 5);
    assert_int_equal(tx_authorise(&a, 7, true, &err), ERR_FORBIDDEN);
    assert_int_equal(tx_authorise(NULL, 7, false, &err), ERR_FORBIDDEN);
}

/* Every member of each service's op oneof has its row, under its own name and number. */
static void the_lists_cover_every_operation_of_the_protos(void **state) {
    (void) state;
    static const struct { const char *service; const ProtobufCMessageDescriptor *d; } s[] = {
        { "members", &lumbung__members_request__descriptor },
        { "transactions", &lumbung__transactions_request__descriptor },
        { "reporting", &lumbung__reporting_request__descriptor },
    };
    for (size_t k = 0; k < COUNT(s); k++) {
        size_t n, fields = 0;
        const operation_t *rows = operation_list(s[k].service, &n);
        for (unsigned i = 0; i < s[k].d->n_fields; i++) {
            const ProtobufCFieldDescriptor *f = &s[k].d->fields[i];
            if (!(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)) continue;
            fields++;
            const operation_t *row = operation_numbered(rows, n, f->id);
            if (!row || strcmp(row->name, f->name))
                fail_msg("%s.%s (%u) has no row of its own", s[k].service, f->name, f->id);
        }
        assert_int_equal(fields, n);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(transactions_reads_and_writes_as_before),
        cmocka_unit_test(members_classes_as_before),
        cmocka_unit_test(reporting_and_its_district_as_before),
        cmocka_unit_test(the_gateway_routes_as_before),
        cmocka_unit_test(a_member_names_only_their_own_records),
        cmocka_unit_test(internal_steps_only_from_the_service_itself),
        cmocka_unit_test(the_actor_of_a_bus_request),
        cmocka_unit_test(class_names_round_trip),
        cmocka_unit_test(the_operation_lists_answer_the_gateway),
        cmocka_unit_test(the_lists_cover_every_operation_of_the_protos),
        cmocka_unit_test(authorisation_follows_the_roles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
