/*  coops — cooperatives (identity and settings), their board and annual meetings (RAT): the
    operations of MembersRequest on them.

    Not for: members (people.h), supervision and trainings (supervision.h). Conventions of every
    handler: members.h. */
#ifndef LUMBUNG_MEMBERS_COOPS_H
#define LUMBUNG_MEMBERS_COOPS_H

#include "members.h"

int members_op_create_cooperative(members_app_t *app, service_call_t *call,
                                  const Lumbung__CreateCooperative *op);
int members_op_get_cooperative(members_app_t *app, service_call_t *call,
                               const Lumbung__GetCooperative *op);
int members_op_list_cooperatives(members_app_t *app, service_call_t *call,
                                 const Lumbung__ListCooperatives *op);
int members_op_update_cooperative(members_app_t *app, service_call_t *call,
                                  const Lumbung__UpdateCooperative *op);
int members_op_put_board(members_app_t *app, service_call_t *call, const Lumbung__PutBoard *op);
int members_op_record_annual_meeting(members_app_t *app, service_call_t *call,
                                     const Lumbung__RecordAnnualMeeting *op);
int members_op_list_annual_meetings(members_app_t *app, service_call_t *call,
                                    const Lumbung__ListAnnualMeetings *op);

#endif
