/*  people — members of a cooperative: joining, reading, searching, correcting and exiting, and
    what create and import share (inserting a validated member, comparing records, warnings).

    Not for: validating fields (validate.h) or the CSV import itself (import.h). Conventions of
    every handler: members.h. */
#ifndef LUMBUNG_MEMBERS_PEOPLE_H
#define LUMBUNG_MEMBERS_PEOPLE_H

#include "members.h"

int members_op_create_member(members_app_t *app, service_call_t *call,
                             const Lumbung__CreateMember *op);
int members_op_get_member(members_app_t *app, service_call_t *call, const Lumbung__GetMember *op);
int members_op_list_members(members_app_t *app, service_call_t *call,
                            const Lumbung__ListMembers *op);
int members_op_update_member(members_app_t *app, service_call_t *call,
                             const Lumbung__UpdateMember *op);
int members_op_exit_member(members_app_t *app, service_call_t *call, const Lumbung__ExitMember *op);


/* Creates an already validated member (status active, numbers assigned here) in txn and
   emits member_joined. `arena` holds the temporaries (the call's, or an import's row arena).
   Returns 0, or a negative store error; a duplicate active NIK must be ruled out before. */
int members_member_insert(members_app_t *app, service_call_t *call, arena_t *arena,
                          Lumbung__Member *m);
/* True when the two records hold the same person data (nik, name, sex, birth_date, address,
   phone, joined_on): what makes a repeated import row "already imported". */
bool members_member_same(const Lumbung__Member *a, const Lumbung__Member *b);
/* Authorises WRITE on `coop` and checks that it exists and is active; fails the call if not. */
int members_coop_for_write(members_app_t *app, service_call_t *call, uint64_t coop);
/* Appends a Warning per NIK_WARN_* bit to m->warnings. */
void members_member_warnings(arena_t *arena, Lumbung__Member *m, unsigned warnings);

#endif
