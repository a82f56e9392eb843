/* The HTTP endpoints served by the members service (see routes.h for the row format).
   Operations are fields of lumbung.MembersRequest (proto/members.proto). The members service
   authorises every request again from the actor, so these access levels are the first of two
   checks, not the only one. */
#include "routes.h"

const route_t routes_members[] = {
    /* Cooperatives */
    { "POST", "/api/v1/cooperatives", ROUTE_ADMIN, "members", "create_cooperative", { { NULL, NULL } },
      ROUTE_CREATED },
    { "GET", "/api/v1/cooperatives", ROUTE_AUTHENTICATED, "members", "list_cooperatives",
      { { NULL, NULL } }, ROUTE_QUERY_FIELDS },
    { "GET", "/api/v1/cooperatives/{coop}", ROUTE_COOP_READ, "members", "get_cooperative",
      { {"coop", "cooperative_id"} }, 0 },
    { "PATCH", "/api/v1/cooperatives/{coop}", ROUTE_COOP_WRITE, "members", "update_cooperative",
      { {"coop", "cooperative_id"} }, 0 },
    { "PUT", "/api/v1/cooperatives/{coop}/board", ROUTE_COOP_WRITE, "members", "put_board",
      { {"coop", "cooperative_id"} }, 0 },
    { "POST", "/api/v1/cooperatives/{coop}/annual-meetings", ROUTE_COOP_WRITE, "members",
      "record_annual_meeting", { {"coop", "cooperative_id"} }, ROUTE_CREATED },
    { "GET", "/api/v1/cooperatives/{coop}/annual-meetings", ROUTE_COOP_READ, "members",
      "list_annual_meetings", { {"coop", "cooperative_id"} }, ROUTE_QUERY_FIELDS | ROUTE_MEMBER },

    /* Guidance and supervision */
    { "POST", "/api/v1/cooperatives/{coop}/supervision", ROUTE_SUPERVISE, "members",
      "record_supervision", { {"coop", "cooperative_id"} }, ROUTE_CREATED },
    { "GET", "/api/v1/cooperatives/{coop}/supervision", ROUTE_COOP_READ, "members",
      "list_supervisions", { {"coop", "cooperative_id"} }, ROUTE_QUERY_FIELDS },
    { "PATCH", "/api/v1/cooperatives/{coop}/supervision/{id}", ROUTE_SUPERVISE, "members",
      "update_supervision", { {"coop", "cooperative_id"}, {"id", "id"} }, 0 },
    { "POST", "/api/v1/trainings", ROUTE_SUPERVISE, "members", "record_training", { { NULL, NULL } },
      ROUTE_CREATED },
    { "GET", "/api/v1/trainings", ROUTE_SUPERVISE, "members", "list_trainings", { { NULL, NULL } },
      ROUTE_QUERY_FIELDS },
    { "GET", "/api/v1/trainings/{id}", ROUTE_SUPERVISE, "members", "get_training",
      { {"id", "id"} }, 0 },

    /* Members. The import row precedes .../members/{id} so no matcher could take "import"
       for an id. */
    { "POST", "/api/v1/cooperatives/{coop}/members/import", ROUTE_COOP_WRITE, "members",
      "import_members", { {"coop", "cooperative_id"} }, ROUTE_CREATED | ROUTE_RAW_BODY | ROUTE_LONG },
    { "POST", "/api/v1/cooperatives/{coop}/members", ROUTE_COOP_WRITE, "members", "create_member",
      { {"coop", "cooperative_id"} }, ROUTE_CREATED },
    { "GET", "/api/v1/cooperatives/{coop}/members", ROUTE_COOP_READ, "members", "list_members",
      { {"coop", "cooperative_id"} }, ROUTE_QUERY_FIELDS },
    { "GET", "/api/v1/cooperatives/{coop}/members/{id}", ROUTE_COOP_READ, "members", "get_member",
      { {"coop", "cooperative_id"}, {"id", "id"} }, ROUTE_MEMBER },
    { "PATCH", "/api/v1/cooperatives/{coop}/members/{id}", ROUTE_COOP_WRITE, "members",
      "update_member", { {"coop", "cooperative_id"}, {"id", "id"} }, 0 },
    { "POST", "/api/v1/cooperatives/{coop}/members/{id}/exit", ROUTE_COOP_WRITE, "members",
      "exit_member", { {"coop", "cooperative_id"}, {"id", "id"} }, 0 },

    /* Import jobs: the service checks the job's cooperative against the actor. */
    { "GET", "/api/v1/jobs/{id}", ROUTE_AUTHENTICATED, "members", "get_job", { {"id", "id"} }, 0 },

    /* A member's own pages: their cooperative's annual meetings (ids from the session). */
    { "GET", "/api/v1/member/annual-meetings", ROUTE_MEMBER_ONLY, "members",
      "list_annual_meetings", { { NULL, NULL } }, ROUTE_QUERY_FIELDS | ROUTE_MEMBER | ROUTE_SELF },
    ROUTE_END
};
