/*  public — the opted-in cooperatives' public directory and profile pages, server-rendered
    HTML without script (see public.c for what is shown and what never is).

    Not for: JSON, members' or operators' pages. */
#ifndef LUMBUNG_GATEWAY_PUBLIC_H
#define LUMBUNG_GATEWAY_PUBLIC_H

#include "gateway.h"

/* GET /publik/koperasi?q=&district=&type= : the directory. */
void public_directory(gateway_exchange_t *ex, json_t *body);
/* GET /publik/koperasi/{coop} : one profile; 404 unless the cooperative opted in. */
void public_profile(gateway_exchange_t *ex, json_t *body);

#endif
