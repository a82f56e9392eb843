/*  supervision — the district's supervision visits (with recommendations to follow up) and the
    trainings it runs for cooperatives' people.

    Not for: cooperatives' own records (coops.h). Conventions of every handler: members.h. */
#ifndef LUMBUNG_MEMBERS_SUPERVISION_H
#define LUMBUNG_MEMBERS_SUPERVISION_H

#include "members.h"

int members_op_record_supervision(members_app_t *app, service_call_t *call,
                                  const Lumbung__RecordSupervision *op);
int members_op_list_supervisions(members_app_t *app, service_call_t *call,
                                 const Lumbung__ListSupervisions *op);
int members_op_update_supervision(members_app_t *app, service_call_t *call,
                                  const Lumbung__UpdateSupervision *op);
int members_op_record_training(members_app_t *app, service_call_t *call,
                               const Lumbung__RecordTraining *op);
int members_op_get_training(members_app_t *app, service_call_t *call,
                            const Lumbung__GetTraining *op);
int members_op_list_trainings(members_app_t *app, service_call_t *call,
                              const Lumbung__ListTrainings *op);

#endif
