/*  error — the one error space of Lumbung, libuv style.

    Every function that can fail returns 0 (or a count, a sequence: something >= 0) on success
    and a negative code on failure. A code is either a negated errno value (-EINVAL, -ENOMEM,
    -ENOSPC: what the system said) or one of the project's named codes below, which all lie in
    ERR_BASE - 1 .. ERR_BASE - ERR_COUNT, far below any errno, so the two never collide.
    error_name() and error_string() name and explain any of them.

    A business rejection ("insufficient_balance", "day_closed") is not a code of its own: the
    function fills a problem_t (problem.h) and returns ERR_REJECTED; the caller passes the
    problem up unchanged until it becomes the reply's typed error.

    Not for: the typed errors of a bus reply (envelope.proto's ErrorKind and snake_case code),
    or HTTP statuses (the gateway maps codes to them at its edge). */
#ifndef LUMBUNG_ERROR_H
#define LUMBUNG_ERROR_H

/* X(NAME, "explanation"): the project's codes, in the order of their values. Add new codes at
   the end so values stay stable across builds (logs and metrics carry them). */
#define ERROR_CODES(X)                                                                        \
    X(REJECTED, "a business rule or validation refused the request (see its problem)")        \
    X(NOT_FOUND, "no such record")                                                             \
    X(EXISTS, "the record exists already")                                                     \
    X(MAP_FULL, "the store's map is full (grow it and redo the transaction)")                  \
    X(STORE, "the store failed")                                                               \
    X(RECORD_VERSION, "a stored record has a layout version this build cannot read")          \
    X(UNAVAILABLE, "the service cannot be reached")                                            \
    X(TIMEOUT, "no reply within the deadline")                                                 \
    X(OVERLOADED, "too many requests in flight")                                               \
    X(BAD_REPLY, "the reply could not be decoded")                                             \
    X(UNAUTHENTICATED, "no valid credentials")                                                 \
    X(FORBIDDEN, "the caller may not do this")                                                 \
    X(MONEY_SYNTAX, "not a decimal amount")                                                    \
    X(MONEY_DECIMALS, "more than two decimals")                                                \
    X(MONEY_NEGATIVE, "a negative amount where only zero or more is allowed")                  \
    X(MONEY_RANGE, "the amount is too large")                                                  \
    X(DATE_FORMAT, "not a date written YYYY-MM-DD")                                            \
    X(DATE_NOT_A_DATE, "no such day in the calendar")                                          \
    X(DATE_RANGE, "the year is outside the years Lumbung accepts")                             \
    X(NIK_DIGITS, "a NIK has digits only")                                                     \
    X(NIK_LENGTH, "a NIK has 16 digits")                                                       \
    X(NIK_DAY, "the NIK's day of birth (digits 7-8) is not 01-31 or 41-71")                    \
    X(NIK_MONTH, "the NIK's month of birth (digits 9-10) is not 01-12")                        \
    X(NIK_DATE, "the NIK's day and month of birth are not a date")                             \
    X(NIK_SERIAL, "the NIK's serial (digits 13-16) is 0000")                                   \
    X(LOCKED, "locked after too many failed attempts")                                         \
    X(THROTTLED, "too many attempts from this address")                                        \
    X(BUSY, "the work queue is full")                                                          \
    X(SHUTTING_DOWN, "the process is shutting down")                                           \
    X(METHOD_NOT_ALLOWED, "the path does not take this method")                                \
    X(INVALID_PATH, "the path names nothing that may be served")                               \
    X(BROKEN_INPUT, "the input file is broken")                                               \
    X(INVALID_CREDENTIALS, "wrong username, password or one-time code")                      \
    X(RULE, "a rule of the books or of the accounts forbids this (see its problem)")        \
    X(ANSWERED, "the request is answered already (its error went out): stop, answer nothing")

enum { ERR_BASE = -1000 };   /* errno values on Linux stay above -200 */

/* The codes counted downwards from ERR_BASE - 1, in ERROR_CODES order. */
enum {
#define ERROR_INDEX_(name, text) ERROR_INDEX_##name,
    ERROR_CODES(ERROR_INDEX_)
#undef ERROR_INDEX_
    ERR_COUNT
};
#define ERROR_VALUE_(name) (ERR_BASE - 1 - ERROR_INDEX_##name)
enum {
#define ERROR_DEFINE_(name, text) ERR_##name = ERROR_VALUE_(name),
    ERROR_CODES(ERROR_DEFINE_)
#undef ERROR_DEFINE_
};

/* "ERR_NOT_FOUND", "EINVAL"; "unknown" for a value that is neither (and 0: "OK"). */
const char *error_name(int code);
/* One line for a log: the project code's explanation or strerror() of the errno. */
const char *error_string(int code);
/* True for a project code (ERR_*), false for a negated errno and for 0. */
int error_is_project(int code);

#endif
