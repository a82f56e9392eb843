#include "problem.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int problem_set(problem_t *p, Lumbung__ErrorKind kind, const char *code, const char *field,
                const char *fmt, ...) {
    assert(p && code && fmt && kind != LUMBUNG__ERROR_KIND__ERROR_KIND_UNSPECIFIED);
    p->kind = kind;
    p->code = code;
    snprintf(p->field, sizeof p->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->message, sizeof p->message, fmt, ap);
    va_end(ap);
    return ERR_REJECTED;
}

/* Appends `text` to out (of PROBLEM_FIELD_MAX bytes, holding `len`), cutting at the end. */
static size_t append(char *out, size_t len, const char *text) {
    size_t n = strlen(text);
    if (n > PROBLEM_FIELD_MAX - 1 - len) n = PROBLEM_FIELD_MAX - 1 - len;
    memcpy(out + len, text, n);
    out[len + n] = 0;
    return len + n;
}

void problem_nest(problem_t *p, const char *prefix) {
    char nested[PROBLEM_FIELD_MAX];
    size_t len = append(nested, 0, prefix);
    if (p->field[0]) len = append(nested, append(nested, len, "."), p->field);
    memcpy(p->field, nested, len + 1);
}
