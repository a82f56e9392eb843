#include "operation.h"

#include <string.h>

#include "members.pb-c.h"
#include "operations_members.h"
#include "operations_reporting.h"
#include "operations_transactions.h"
#include "reporting.pb-c.h"
#include "transactions.pb-c.h"

#define ROW_(prefix, CASE, name, access, flags) \
    { prefix##CASE, #name, ACCESS_##access, (flags), NULL },
#define MEMBERS_ROW_(CASE, name, access, flags) \
    ROW_(LUMBUNG__MEMBERS_REQUEST__OP_, CASE, name, access, flags)
#define TRANSACTIONS_ROW_(CASE, name, access, flags) \
    ROW_(LUMBUNG__TRANSACTIONS_REQUEST__OP_, CASE, name, access, flags)
#define REPORTING_ROW_(CASE, name, access, flags) \
    ROW_(LUMBUNG__REPORTING_REQUEST__OP_, CASE, name, access, flags)

static const operation_t members_rows[] = { MEMBERS_OPERATIONS(MEMBERS_ROW_) };
static const operation_t transactions_rows[] = { TRANSACTIONS_OPERATIONS(TRANSACTIONS_ROW_) };
static const operation_t reporting_rows[] = { REPORTING_OPERATIONS(REPORTING_ROW_) };

#define COUNT_(a) (sizeof (a) / sizeof (a)[0])

static const struct {
    const char *service;
    const operation_t *rows;
    size_t count;
} lists[] = {
    { "members", members_rows, COUNT_(members_rows) },
    { "transactions", transactions_rows, COUNT_(transactions_rows) },
    { "reporting", reporting_rows, COUNT_(reporting_rows) },
};

const operation_t *operation_named(const operation_t *rows, size_t count, const char *name) {
    for (size_t i = 0; name && i < count; i++)
        if (!strcmp(rows[i].name, name)) return &rows[i];
    return NULL;
}

const operation_t *operation_numbered(const operation_t *rows, size_t count, uint32_t number) {
    for (size_t i = 0; i < count; i++)
        if (rows[i].number == number) return &rows[i];
    return NULL;
}

const operation_t *operation_list(const char *service, size_t *count) {
    for (size_t i = 0; service && i < COUNT_(lists); i++) {
        if (strcmp(lists[i].service, service) != 0) continue;
        *count = lists[i].count;
        return lists[i].rows;
    }
    *count = 0;
    return NULL;
}

const operation_t *operation_find(const char *service, const char *name) {
    size_t count;
    const operation_t *rows = operation_list(service, &count);
    return operation_named(rows, count, name);
}
