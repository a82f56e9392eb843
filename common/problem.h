/*  problem — a business rejection, filled in one way everywhere.

    A rule that says no (a validation, a guard of the books, a permission) fills a problem_t
    with problem_set() and returns what it returns, ERR_REJECTED (error.h). The problem travels
    up unchanged to the handler, which turns it into the reply's typed error with
    service_call_reject() (service.h); the gateway turns that into an HTTP problem body. So the
    kind, the stable snake_case code, the field (relative to the operation's message, e.g.
    "lines[1].account") and the message a user reads are decided once, where the rule is.

    The caller owns the struct (usually on its stack); nothing in it is allocated, except that
    `code` must point at a string that outlives it (a literal).

    Not for: operating errors (a store or bus failure is a negative code, not a problem). */
#ifndef LUMBUNG_PROBLEM_H
#define LUMBUNG_PROBLEM_H

#include "envelope.pb-c.h"
#include "error.h"

enum {
    PROBLEM_FIELD_MAX = 128,        /* the gateway's dotted JSON paths (json_pb.h) fit */
    PROBLEM_MESSAGE_MAX = 320,
};

typedef struct {
    Lumbung__ErrorKind kind;
    const char *code;               /* static string, stable snake_case; NULL: no problem */
    char field[PROBLEM_FIELD_MAX];  /* "" when the problem names no field */
    char message[PROBLEM_MESSAGE_MAX];
} problem_t;

/* Fills *p (field may be NULL; a longer field or message is cut) and returns ERR_REJECTED. */
int problem_set(problem_t *p, Lumbung__ErrorKind kind, const char *code, const char *field,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Prefixes p->field with `prefix` and a dot, or with `prefix` alone when the field is empty
   ("postings[3]" + "amount" -> "postings[3].amount"), for a rule run on a part of a request. */
void problem_nest(problem_t *p, const char *prefix);

#endif
