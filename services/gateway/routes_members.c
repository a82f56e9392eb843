/* The HTTP endpoints served by the members service (see routes.h for the row format).
   Operations are fields of lumbung.MembersRequest (proto/members.proto); their access and
   flags are their rows in common/operations_members.h, which the members service decides
   again from the actor with the same matrix (common/access.h). */
#include "routes.h"

const route_t routes_members[] = {
    /* Cooperatives */
    { "POST", "/api/v1/cooperatives", "members", "create_cooperative", { { NULL, NULL } },
      ROUTE_CREATED },
    { "GET", "/api/v1/cooperatives", "members", "list_cooperatives",
      { { NULL, NULL } }, ROUTE_QUERY_FIELDS },
    { "GET", "/api/v1/cooperatives/{coop}", "members", "get_cooperative",
      { {"coop", "cooperative_id"} }, 0 },
    { "PATCH", "/api/v1/cooperatives/{coop}", "members", "update_cooperative",
      { {"coop", "cooperative_id"} }, 0 },
    { "PUT", "/api/v1/cooperatives/{coop}/board", "members", "put_board",
      { {"coop", "cooperative_id"} }, 0 },
    { "POST", "/api/v1/cooperatives/{coop}/annual-meetings", "members",
      "record_annual_meeting", { {"coop", "cooperative_id"} }, ROUTE_CREATED },
    { "GET", "/api/v1/cooperatives/{coop}/annual-meetings", "members",
      "list_annual_meetings", { {"coop", "cooperative_id"} }, ROUTE_QUERY_FIELDS | ROUTE_MEMBER },

    /* Guidance and supervision */
    { "POST", "/api/v1/cooperatives/{coop}/supervision", "members",
      "record_supervision", { {"coop", "cooperative_id"} }, ROUTE_CREATED },
    { "GET", "/api/v1/cooperatives/{coop}/supervision", "members",
      "list_supervisions", { {"coop", "cooperative_id"} }, ROUTE_QUERY_FIELDS },
    { "PATCH", "/api/v1/cooperatives/{coop}/supervision/{id}", "members",
      "update_supervision", { {"coop", "cooperative_id"}, {"id", "id"} }, 0 },
    { "POST", "/api/v1/trainings", "members", "record_training", { { NULL, NULL } },
      ROUTE_CREATED },
    { "GET", "/api/v1/trainings", "members", "list_trainings", { { NULL, NULL } },
      ROUTE_QUERY_FIELDS },
    { "GET", "/api/v1/trainings/{id}", "members", "get_training",
      { {"id", "id"} }, 0 },

    /* Members. The import row precedes .../members/{id} so no matcher could take "import"
       for an id. */
    { "POST", "/api/v1/cooperatives/{coop}/members/import", "members",
      "import_members", { {"coop", "cooperative_id"} }, ROUTE_CREATED | ROUTE_RAW_BODY },
    { "POST", "/api/v1/cooperatives/{coop}/members", "members", "create_member",
      { {"coop", "cooperative_id"} }, ROUTE_CREATED },
    { "GET", "/api/v1/cooperatives/{coop}/members", "members", "list_members",
      { {"coop", "cooperative_id"} }, ROUTE_QUERY_FIELDS },
    { "GET", "/api/v1/cooperatives/{coop}/members/{id}", "members", "get_member",
      { {"coop", "cooperative_id"}, {"id", "id"} }, ROUTE_MEMBER },
    { "PATCH", "/api/v1/cooperatives/{coop}/members/{id}", "members",
      "update_member", { {"coop", "cooperative_id"}, {"id", "id"} }, 0 },
    { "POST", "/api/v1/cooperatives/{coop}/members/{id}/exit", "members",
      "exit_member", { {"coop", "cooperative_id"}, {"id", "id"} }, 0 },

    /* Import jobs: the service checks the job's cooperative against the actor. */
    { "GET", "/api/v1/jobs/{id}", "members", "get_job", { {"id", "id"} }, 0 },

    /* A member's own pages: their cooperative's annual meetings (ids from the session). */
    { "GET", "/api/v1/member/annual-meetings", "members",
      "list_annual_meetings", { { NULL, NULL } }, ROUTE_QUERY_FIELDS | ROUTE_MEMBER | ROUTE_SELF },
    ROUTE_END
};
