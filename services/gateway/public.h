/*  public — the cooperatives' public face (issue 15): a district directory of the cooperatives
    that opted in (settings.public_profile, a day-to-day setting, off by default) with search by
    name, district and type, and one profile page each. Server-rendered HTML, no script, so it
    works on any phone; every text from the store is HTML-escaped.

    What it shows is the registry's public part only: name, legal number and date, type and
    group, address and district, the savings and loan services in words, the cooperative's
    phone; and from reporting's projections (GetPublicFacts) the number of active members and
    whether and when the last annual meeting (RAT) was held. Never members, board names, figures
    of the books or the cooperative's NIK. A cooperative that has not opted in does not exist
    here (404, the same as an unknown id).

    The pages are ACCESS_PUBLIC: the gateway asks reporting (a profile's facts) and the members
    service itself, as a district-wide reader (actor "public", role supervisor), and filters to
    the opted-in cooperatives before rendering anything.

    Not for: the members' own pages or the operators' interface (web/), nor JSON (the API). */
#ifndef LUMBUNG_GATEWAY_PUBLIC_H
#define LUMBUNG_GATEWAY_PUBLIC_H

#include "gateway.h"

/* GET /publik/koperasi?q=&district=&type= : the directory. */
void public_directory(gateway_exchange_t *ex, json_t *body);
/* GET /publik/koperasi/{coop} : one profile; 404 unless the cooperative opted in. */
void public_profile(gateway_exchange_t *ex, json_t *body);

#endif
