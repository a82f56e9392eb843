/*  operations_members — the operations of lumbung.MembersRequest, written once.

    X(CASE, name, ACCESS, FLAGS) as in operations_transactions.h. The members service binds
    members_op_<name> (members.h) to each; the gateway reads them without (operation_find).

    Not for: handlers, HTTP routes (services/gateway/routes_members.c). */
#ifndef LUMBUNG_OPERATIONS_MEMBERS_H
#define LUMBUNG_OPERATIONS_MEMBERS_H

#include "operation.h"

#define MEMBERS_OPERATIONS(X)                                                                  \
    X(CREATE_COOPERATIVE, create_cooperative, ADMIN, OP_WRITE)                                 \
    X(GET_COOPERATIVE, get_cooperative, COOP_READ, 0)                                          \
    X(LIST_COOPERATIVES, list_cooperatives, AUTHENTICATED, 0)                                  \
    X(UPDATE_COOPERATIVE, update_cooperative, COOP_WRITE, OP_WRITE)                            \
    X(PUT_BOARD, put_board, COOP_WRITE, OP_WRITE)                                              \
    X(RECORD_ANNUAL_MEETING, record_annual_meeting, COOP_WRITE, OP_WRITE)                      \
    X(LIST_ANNUAL_MEETINGS, list_annual_meetings, COOP_READ, 0)                                \
    X(CREATE_MEMBER, create_member, COOP_WRITE, OP_WRITE)                                      \
    X(GET_MEMBER, get_member, COOP_READ, 0)                                                    \
    X(LIST_MEMBERS, list_members, COOP_READ, 0)                                                \
    X(UPDATE_MEMBER, update_member, COOP_WRITE, OP_WRITE)                                      \
    X(EXIT_MEMBER, exit_member, COOP_WRITE, OP_WRITE)                                          \
    X(IMPORT_MEMBERS, import_members, COOP_WRITE, OP_WRITE | OP_LONG)                          \
    X(GET_JOB, get_job, COOP_READ, OP_AUTHORISES_ITSELF)                                       \
    X(RECORD_SUPERVISION, record_supervision, SUPERVISE, OP_WRITE)                             \
    X(LIST_SUPERVISIONS, list_supervisions, COOP_READ, 0)                                      \
    X(UPDATE_SUPERVISION, update_supervision, SUPERVISE, OP_WRITE)                             \
    X(RECORD_TRAINING, record_training, SUPERVISE, OP_WRITE)                                   \
    X(GET_TRAINING, get_training, SUPERVISE, 0)                                                \
    X(LIST_TRAININGS, list_trainings, SUPERVISE, 0)                                            \
    X(IMPORT_STEP, import_step, INTERNAL, OP_WRITE)

#endif
