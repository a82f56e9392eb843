/* The HTTP endpoints served by the transactions service (see routes.h for the row format). */
#include "routes.h"

const route_t routes_transactions[] = {
    ROUTE_END
};
