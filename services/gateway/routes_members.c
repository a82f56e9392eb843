/* The HTTP endpoints served by the members service (see routes.h for the row format). */
#include "routes.h"

const route_t routes_members[] = {
    ROUTE_END
};
