/*  operation — the row of a service's operation table, in the style of Redis's command table.

    Each service's operations are written once, as data, in common/operations_<service>.h: one
    X(CASE, name, ACCESS, FLAGS) line per member of its *Request `op` oneof (the case of the
    generated enum, the field's name, the access class of access.h, the flags below). From that
    one list
      - the service builds its table (operation_t rows with handlers, service.h's
        service_operations_t), and common/service finds the row of each request, refuses an
        unknown operation, authorises once with the role matrix, asks an integrator for an
        idempotency key where the operation moves money, and calls the handler;
      - the gateway, which links only libcommon, reads the same rows without handlers
        (operation_find("transactions", "deposit")) for a route's access, Idempotency-Key and
        body limits, instead of repeating them.

    Not for: who may do what (access.h), HTTP (the gateway's route rows add the method, path,
    201 and members' pages), what an operation does (the service's handler). */
#ifndef LUMBUNG_OPERATION_H
#define LUMBUNG_OPERATION_H

#include <stddef.h>
#include <stdint.h>
#include "access.h"

enum {
    OP_WRITE = 1 << 0,             /* changes the store (an event, a record) */
    OP_MOVES_MONEY = 1 << 1,       /* books money: needs an idempotency key from an integrator
                                      on the bus and an Idempotency-Key header over HTTP, so a
                                      retry cannot book it twice */
    OP_LONG = 1 << 2,              /* big or slow (a batch, an import, a close-day): the
                                      gateway gives it a larger body and a longer deadline */
    OP_CHANGES_LOANS = 1 << 3,     /* changes loans: refused while its cooperative's close-day
                                      is under way (transactions) */
    OP_AUTHORISES_ITSELF = 1 << 4, /* the handler authorises with the same matrix once it knows
                                      the cooperative (a batch: each posting's own; a job: the
                                      stored job's); the runtime does not */
    OP_STEPS = 1 << 5,             /* runs in steps (service_call_continue), every one of them,
                                      the first too, on the runtime's worker thread, so no
                                      step holds up the reads of the loop (service.h) */
};

typedef struct service_call service_call_t;

/* Runs one operation: `ctx` is what the service's begin() made (service.h; the app when it has
   none), `msg` the operation's message (the set member of the op oneof). Returns 0, or a
   negative code after failing the call (service_call_fail/service_call_reject). */
typedef int (*operation_handler_t)(void *ctx, service_call_t *call, const void *msg);

typedef struct {
    uint32_t number;               /* the field number in the *Request op oneof (its op_case) */
    const char *name;              /* the field's name: "deposit" */
    access_t access;
    unsigned flags;                /* OP_* */
    operation_handler_t handler;   /* NULL in the lists libcommon holds */
} operation_t;

/* The row of `name` among `count` rows, or NULL. */
const operation_t *operation_named(const operation_t *rows, size_t count, const char *name);
/* The row of field number `number` among `count` rows, or NULL. */
const operation_t *operation_numbered(const operation_t *rows, size_t count, uint32_t number);

/* The handler-less row of operation `name` of service `service` ("members", "transactions",
   "reporting"), from common/operations_<service>.h; NULL when there is none. */
const operation_t *operation_find(const char *service, const char *name);
/* The handler-less rows of `service` and their count (0 and NULL for an unknown service). */
const operation_t *operation_list(const char *service, size_t *count);

#endif
