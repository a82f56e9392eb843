/* The HTTP endpoints served by the reporting service (see routes.h for the row format). */
#include "routes.h"

const route_t routes_reporting[] = {
    ROUTE_END
};
