#include "import.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <strings.h>
#include <string.h>

#include "bytes.h"
#include "config.h"
#include "csv_reader.h"
#include "envelope.h"
#include "log.h"

enum {
    MEMBERS_IMPORT_ROWS_MAX = 50000,
    MEMBERS_IMPORT_ERRORS_MAX = 1000,     /* row errors (and warnings) kept in a job */
    MEMBERS_IMPORT_COLUMNS = 7,
    MEMBERS_IMPORT_CHUNK_ROWS = 200,      /* rows of one step (one child txn) */
    MEMBERS_IMPORT_STEP_MS = 5,           /* pause between steps: other requests go first */
    MEMBERS_IMPORT_STEP_MS_MAX = 10000,
    MEMBERS_IMPORT_CURSOR_LEN = 12,       /* pos u64 | line u32, then the packed actor */
    MEMBERS_IMPORT_ACTOR_MAX = 1024,
};

static const char *const columns[MEMBERS_IMPORT_COLUMNS] = {
    "nik", "name", "sex", "birth_date", "address", "phone", "joined_on",
};
static const char header_text[] = "nik,name,sex,birth_date,address,phone,joined_on";

/* A date cell of the row being read that is not a date: its field, its text (as yyyy-mm-dd when
   it was written dd/mm/yyyy) and date_parse()'s code, for the row's error (row_import). */
typedef struct {
    const char *field, *text;
    int rc;
} bad_date_t;

typedef struct {
    members_app_t *app;
    service_call_t *call;
    arena_t *row_arena;
    bad_date_t bad_dates[2];        /* of the current row: birth_date, joined_on */
    size_t n_bad_dates;
    uint64_t coop;
    int32_t today;
    Lumbung__ImportJob *job;
    uint32_t errors_cap, warnings_cap;
} import_t;

/* A reader at the start of the file, with the separator its header line uses. */
static void open_csv(members_csv_t *csv, const uint8_t *data, size_t len) {
    members_csv_init(csv, data, len);
    members_csv_separator(csv, members_csv_sniff(data, len));
}

/* A header name matches its column in any case, with spaces around it. */
static bool header_is(arena_t *arena, const char *field, const char *column) {
    const char *t = members_text_trim(arena, field);
    return t && strcasecmp(t, column) == 0;
}

static int whole_file(service_call_t *call, const char *code, const char *fmt, const char *detail) {
    return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, code, "body", fmt,
                             detail);
}

static uint32_t line_of(const uint8_t *data, size_t offset) {
    uint32_t line = 1;
    for (size_t i = 0; i < offset; i++)
        if (data[i] == '\n') line++;
    return line;
}

static int check_header(service_call_t *call, const uint8_t *data, size_t len) {
    members_csv_t csv;
    open_csv(&csv, data, len);
    char *fields[MEMBERS_CSV_FIELDS_MAX];
    int n = members_csv_next(&csv, service_call_arena(call), fields, MEMBERS_CSV_FIELDS_MAX);
    if (n == ERR_BROKEN_INPUT)
        return whole_file(call, "invalid_csv", "the file is not valid CSV: %s", csv.error);
    if (n == MEMBERS_CSV_END) return whole_file(call, "required", "%s", "the CSV file is empty");
    bool ok = n == MEMBERS_IMPORT_COLUMNS && csv.record_line == 1;
    for (int i = 0; ok && i < n; i++) ok = header_is(service_call_arena(call), fields[i], columns[i]);
    if (ok) return 0;
    return whole_file(call, "invalid_csv_header", "the first line must be \"%s\" (or the same "
                      "names separated by ';')", header_text);
}

/* First pass: structure and size, nothing written. *rows receives the data rows. */
static int check_file(service_call_t *call, const uint8_t *data, size_t len, uint32_t *rows) {
    int rc;
    if (len == 0) return whole_file(call, "required", "%s", "the CSV file is empty");
    size_t bad = members_utf8_check(data, len);
    if (bad < len)
        return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "invalid_utf8",
                                 "body", "the file is not UTF-8 text (line %u, byte %zu); save "
                                 "it as \"CSV UTF-8\"", line_of(data, bad), bad + 1);
    if ((rc = check_header(call, data, len)) != 0) return rc;
    members_csv_t csv;
    open_csv(&csv, data, len);
    uint32_t n = 0;
    for (;;) {
        rc = members_csv_next(&csv, NULL, NULL, 0);
        if (rc == MEMBERS_CSV_END) break;
        if (rc == ERR_BROKEN_INPUT)
            return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "invalid_csv",
                                     "body", "the file is not valid CSV: line %u, column %u: %s",
                                     csv.error_line, csv.error_column, csv.error);
        if (++n > MEMBERS_IMPORT_ROWS_MAX + 1)
            return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_TOO_LARGE,
                                     "too_many_rows", "body", "a file may hold at most %d rows; "
                                     "split it", MEMBERS_IMPORT_ROWS_MAX);
    }
    *rows = n - 1;    /* the header */
    return 0;
}

/* Appends a row error or warning to `list` (capped); allocations in the call's arena. */
static void row_note(import_t *im, Lumbung__ImportRowError ***list, size_t *count, uint32_t *cap,
                     uint32_t row, const char *code, const char *field, const char *message) {
    arena_t *arena = service_call_arena(im->call);
    if (*count >= MEMBERS_IMPORT_ERRORS_MAX) {
        im->job->has_errors_truncated = true;
        im->job->errors_truncated = true;
        return;
    }
    if (*count == *cap) {
        uint32_t grown = *cap ? *cap * 2 : 64;
        Lumbung__ImportRowError **items = arena_alloc(arena, grown * sizeof *items);
        if (*count) memcpy(items, *list, *count * sizeof *items);
        *list = items;
        *cap = grown;
    }
    Lumbung__ImportRowError *e = arena_message(arena, &lumbung__import_row_error__descriptor);
    e->has_row = true;
    e->row = row;
    e->code = arena_strdup(arena, code);
    e->field = field && field[0] ? arena_strdup(arena, field) : NULL;
    e->message = arena_strdup(arena, message);
    (*list)[(*count)++] = e;
}

static void row_failed(import_t *im, uint32_t row, const char *code, const char *field,
                       const char *message) {
    im->job->rows_failed++;
    row_note(im, &im->job->errors, &im->job->n_errors, &im->errors_cap, row, code, field, message);
}

enum { DATE_TEXT_MAX = 11 };   /* "YYYY-MM-DD" + NUL */

/* Digits [from, to) of s as a number, or -EINVAL unless there are between min and max of them. */
static int digits(const char *s, size_t from, size_t to, size_t min, size_t max) {
    if (to - from < min || to - from > max) return -EINVAL;
    int v = 0;
    for (size_t i = from; i < to; i++) {
        if (!isdigit((unsigned char) s[i])) return -EINVAL;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* A day-first date (D/M/YYYY, DD/MM/YYYY) as YYYY-MM-DD; any other text as it is, for the
   validation to accept (YYYY-MM-DD) or name. */
static char *row_date(arena_t *arena, char *text) {
    if (!text) return NULL;
    const char *a = strchr(text, '/');
    const char *b = a ? strchr(a + 1, '/') : NULL;
    if (!a || !b) return text;
    size_t n = strlen(text), i = (size_t) (a - text), j = (size_t) (b - text);
    int d = digits(text, 0, i, 1, 2), m = digits(text, i + 1, j, 1, 2), y = digits(text, j + 1, n, 4, 4);
    if (d < 0 || m < 0 || y < 0) return text;
    char buf[DATE_TEXT_MAX];
    snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    return arena_strdup(arena, buf);
}

/* A date cell into a member's date field; a cell that is not a date leaves the field absent and
   is remembered in im->bad_dates, so that the validation's "required" for it becomes
   invalid_date in row_import, in the validation's order of fields. */
static void row_day(import_t *im, const char *field, char *cell, protobuf_c_boolean *has,
                    int32_t *day) {
    if (!cell) return;
    const char *text = row_date(im->row_arena, cell);
    int rc = date_parse(text, day);
    if (rc == 0) {
        *has = true;
        return;
    }
    assert(im->n_bad_dates < sizeof im->bad_dates / sizeof im->bad_dates[0]);
    im->bad_dates[im->n_bad_dates++] = (bad_date_t) { .field = field, .text = text, .rc = rc };
}

/* The member a row describes, or 0 with the row's error recorded. */
static Lumbung__Member *row_member(import_t *im, uint32_t row, char **f, int n) {
    arena_t *arena = im->row_arena;
    if (n != MEMBERS_IMPORT_COLUMNS) {
        char message[MEMBERS_MESSAGE_MAX];
        snprintf(message, sizeof message, "the row has %d fields; it needs %d (%s)", n,
                 MEMBERS_IMPORT_COLUMNS, header_text);
        row_failed(im, row, "field_count", NULL, message);
        return NULL;
    }
    Lumbung__Member *m = arena_message(arena, &lumbung__member__descriptor);
    m->has_cooperative_id = true;
    m->cooperative_id = im->coop;
    m->nik = members_text_trim(arena, f[0]);
    m->name = members_text_trim(arena, f[1]);
    const char *sex = members_text_trim(arena, f[2]);
    m->has_sex = sex != NULL;
    m->sex = members_sex_parse(sex);
    /* An unknown word is reported as invalid_sex by the validation, after the NIK and name. */
    if (sex && m->sex == LUMBUNG__SEX__SEX_UNSPECIFIED) m->sex = (Lumbung__Sex) 99;
    im->n_bad_dates = 0;
    row_day(im, "birth_date", members_text_trim(arena, f[3]), &m->has_birth_date, &m->birth_date);
    m->address = members_text_trim(arena, f[4]);
    m->phone = members_text_trim(arena, f[5]);
    row_day(im, "joined_on", members_text_trim(arena, f[6]), &m->has_joined_on, &m->joined_on);
    return m;
}

/* Imports one valid row, or finds it already imported; row errors are recorded. Returns 0 or
   a negative code that fails the whole request (store errors). */
static int row_import(import_t *im, uint32_t row, Lumbung__Member *m) {
    unsigned warnings;
    problem_t p;
    if (members_validate_member(m, im->today, &warnings, &p) != 0) {
        if (strcmp(p.code, "invalid_sex") == 0)
            snprintf(p.message, sizeof p.message, "sex must be female or male (also F/M, P/L)");
        for (size_t i = 0; i < im->n_bad_dates && strcmp(p.code, "required") == 0; i++) {
            const bad_date_t *b = &im->bad_dates[i];
            if (strcmp(p.field, b->field) != 0) continue;
            problem_set(&p, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "invalid_date", b->field,
                        "%s %s, not \"%.20s\"", b->field, date_error_text(b->rc), b->text);
        }
        if (strcmp(p.code, "invalid_date") == 0) {
            size_t used = strlen(p.message);
            snprintf(p.message + used, sizeof p.message - used,
                     "; write dates as yyyy-mm-dd or dd/mm/yyyy");
        }
        row_failed(im, row, p.code, p.field, p.message);
        return 0;
    }
    store_txn_t *txn = service_call_txn(im->call);
    uint64_t existing;
    int rc = members_store_member_by_nik(im->app->store, txn, im->coop, m->nik, &existing);
    if (rc == 0) {
        Lumbung__Member *old;
        rc = members_store_member_get(im->app->store, txn, im->row_arena, im->coop, existing, &old);
        if (rc != 0) return members_store_error(im->call, rc);
        if (members_member_same(old, m)) {
            im->job->rows_existing++;
            im->job->rows_done++;
            return 0;
        }
        char message[MEMBERS_MESSAGE_MAX];
        snprintf(message, sizeof message, "NIK %s already belongs to active member number %llu "
                 "(%s) with different data", m->nik, (unsigned long long) old->member_number,
                 old->name);
        row_failed(im, row, "duplicate_nik", "nik", message);
        return 0;
    }
    if (rc != ERR_NOT_FOUND) return members_store_error(im->call, rc);
    m->has_import_job_id = true;
    m->import_job_id = im->job->id;
    if ((rc = members_member_insert(im->app, im->call, im->row_arena, m)) != 0) return rc;
    im->job->rows_imported++;
    im->job->rows_done++;
    if (warnings) {
        Lumbung__Member scratch = LUMBUNG__MEMBER__INIT;
        members_member_warnings(im->row_arena, &scratch, warnings);
        for (size_t i = 0; i < scratch.n_warnings; i++)
            row_note(im, &im->job->warnings, &im->job->n_warnings, &im->warnings_cap, row,
                     scratch.warnings[i]->code, scratch.warnings[i]->field,
                     scratch.warnings[i]->message);
    }
    return 0;
}

/* Where a job's next chunk starts; the actor who asked for the import rides along, so the
   members a step creates are joined by that person, as they were when one request did it. */
typedef struct {
    uint64_t pos;
    uint32_t line;
    const uint8_t *actor;        /* packed lumbung.Actor, or NULL */
    size_t actor_len;
} import_cursor_t;

static int cursor_put(members_app_t *app, store_txn_t *txn, arena_t *arena, uint64_t job,
                      const import_cursor_t *c) {
    size_t len = MEMBERS_IMPORT_CURSOR_LEN + c->actor_len;
    uint8_t *buf = arena_alloc(arena, len);
    be64_write(buf, c->pos);
    be32_write(buf + 8, c->line);
    if (c->actor_len) memcpy(buf + MEMBERS_IMPORT_CURSOR_LEN, c->actor, c->actor_len);
    uint8_t key[8];
    size_t klen = members_key_id(key, job);
    return members_store_bytes_put(app->store, txn, MEMBERS_TABLE_IMPORT_RUNNING, key, klen, buf, len);
}

/* Reads the cursor of `job`, its actor copied into `arena`: 0, ERR_NOT_FOUND or an error. */
static int cursor_get(members_app_t *app, store_txn_t *txn, arena_t *arena, uint64_t job,
                      import_cursor_t *c) {
    uint8_t key[8];
    size_t klen = members_key_id(key, job);
    const void *val;
    size_t vlen;
    int rc = members_store_bytes_get(app->store, txn, MEMBERS_TABLE_IMPORT_RUNNING, key, klen, &val, &vlen);
    if (rc != 0) return rc;
    if (vlen < MEMBERS_IMPORT_CURSOR_LEN) return ERR_STORE;
    const uint8_t *v = val;
    c->pos = be64_read(v);
    c->line = be32_read(v + 8);
    c->actor_len = vlen - MEMBERS_IMPORT_CURSOR_LEN;
    uint8_t *actor = c->actor_len ? arena_alloc(arena, c->actor_len) : NULL;
    if (actor) memcpy(actor, v + MEMBERS_IMPORT_CURSOR_LEN, c->actor_len);
    c->actor = actor;
    return 0;
}

/* One chunk: at most MEMBERS_IMPORT_CHUNK_ROWS rows from the cursor. *finished when the file
   ended. Returns 0 or a negative code that fails the step (store errors). */
static int import_chunk(import_t *im, const uint8_t *data, size_t len, import_cursor_t *cur,
                        bool *finished) {
    members_csv_t csv;
    open_csv(&csv, data, len);
    csv.pos = cur->pos;
    csv.line = cur->line;
    char *f[MEMBERS_CSV_FIELDS_MAX];
    *finished = false;
    for (uint32_t done = 0; done < MEMBERS_IMPORT_CHUNK_ROWS; done++) {
        arena_reset(im->row_arena);
        int n = members_csv_next(&csv, im->row_arena, f, MEMBERS_CSV_FIELDS_MAX);
        if (n == MEMBERS_CSV_END) {
            *finished = true;
            break;
        }
        assert(n > 0);                /* the request's pass found no broken record */
        Lumbung__Member *m = row_member(im, csv.record_line, f, n);
        if (!m) continue;
        int rc = row_import(im, csv.record_line, m);
        if (rc != 0) return rc;
    }
    cur->pos = csv.pos;
    cur->line = csv.line;
    /* A file whose last chunk ends exactly at its end is finished now, not one step later. */
    if (!*finished && members_csv_next(&csv, NULL, NULL, 0) == MEMBERS_CSV_END) *finished = true;
    return 0;
}

static Lumbung__ImportJob *job_new(service_call_t *call, uint64_t coop) {
    arena_t *arena = service_call_arena(call);
    Lumbung__ImportJob *job = arena_message(arena, &lumbung__import_job__descriptor);
    job->has_id = job->has_cooperative_id = job->has_state = true;
    job->cooperative_id = coop;
    job->state = LUMBUNG__JOB_STATE__JOB_STATE_RUNNING;
    job->has_rows_total = job->has_rows_done = job->has_rows_failed = true;
    job->has_rows_imported = job->has_rows_existing = job->has_errors_truncated = true;
    job->has_created_at_ms = true;
    job->created_at_ms = members_now_ms();
    const Lumbung__Actor *actor = service_call_actor(call);
    job->created_by = actor && actor->user ? arena_strdup(arena, actor->user) : NULL;
    return job;
}

static int job_put(members_app_t *app, service_call_t *call, const Lumbung__ImportJob *job) {
    uint8_t key[8];
    size_t klen = members_key_id(key, job->id);
    int rc = members_store_put(app->store, service_call_txn(call), MEMBERS_TABLE_JOBS, key, klen,
                               service_call_arena(call), &job->base);
    return rc != 0 ? members_store_error(call, rc) : 0;
}

/* The job done: its record, import_finished, and its file and cursor gone. */
static int job_finish(members_app_t *app, service_call_t *call, Lumbung__ImportJob *job) {
    job->state = LUMBUNG__JOB_STATE__JOB_STATE_DONE;
    job->has_finished_at_ms = true;
    job->finished_at_ms = members_now_ms();
    int rc = job_put(app, call, job);
    if (rc != 0) return rc;
    uint8_t key[8];
    size_t klen = members_key_id(key, job->id);
    store_txn_t *txn = service_call_txn(call);
    if ((rc = members_store_del(app->store, txn, MEMBERS_TABLE_IMPORT_FILES, key, klen)) != 0 ||
        (rc = members_store_del(app->store, txn, MEMBERS_TABLE_IMPORT_RUNNING, key, klen)) != 0)
        return members_store_error(call, rc);
    return members_emit_import(call, service_call_arena(call), job);
}

static void reply_started(service_call_t *call, const Lumbung__ImportJob *job) {
    Lumbung__ImportStarted *s = arena_message(service_call_arena(call),
                                              &lumbung__import_started__descriptor);
    s->has_job_id = s->has_state = s->has_rows_total = s->has_rows_failed = true;
    s->job_id = job->id;
    s->state = job->state;
    s->rows_total = job->rows_total;
    s->rows_failed = job->rows_failed;
    Lumbung__MembersReply *r = members_reply(call);
    r->result_case = LUMBUNG__MEMBERS_REPLY__RESULT_IMPORT_STARTED;
    r->import_started = s;
}

/* The cursor at the first data row: just after the header line. */
static import_cursor_t first_cursor(service_call_t *call, const uint8_t *data, size_t len) {
    members_csv_t csv;
    open_csv(&csv, data, len);
    char *f[MEMBERS_CSV_FIELDS_MAX];
    members_csv_next(&csv, service_call_arena(call), f, MEMBERS_CSV_FIELDS_MAX);
    import_cursor_t c = { .pos = csv.pos, .line = csv.line };
    const Lumbung__Actor *actor = service_call_actor(call);
    if (actor) {
        size_t alen;
        uint8_t *bytes = envelope_pack(service_call_arena(call), &actor->base, &alen);
        if (alen <= MEMBERS_IMPORT_ACTOR_MAX) {
            c.actor = bytes;
            c.actor_len = alen;
        }
    }
    return c;
}

int members_op_import_members(members_app_t *app, service_call_t *call,
                              const Lumbung__ImportMembers *op) {
    int rc;
    if ((rc = members_coop_for_write(app, call, op->cooperative_id)) != 0) return rc;
    const uint8_t *data = op->has_body ? op->body.data : NULL;
    size_t len = op->has_body ? op->body.len : 0;
    uint32_t rows;
    if ((rc = check_file(call, data, len, &rows)) != 0) return rc;
    Lumbung__ImportJob *job = job_new(call, op->cooperative_id);
    job->rows_total = rows;
    store_txn_t *txn = service_call_txn(call);
    rc = members_store_next(app->store, txn, "job", 0, &job->id);
    if (rc != 0) return members_store_error(call, rc);
    if ((rc = job_put(app, call, job)) != 0) return rc;
    uint8_t key[8];
    size_t klen = members_key_id(key, job->id);
    import_cursor_t cur = first_cursor(call, data, len);
    if ((rc = members_store_bytes_put(app->store, txn, MEMBERS_TABLE_IMPORT_FILES, key, klen, data, len)) != 0 ||
        (rc = cursor_put(app, txn, service_call_arena(call), job->id, &cur)) != 0)
        return members_store_error(call, rc);
    reply_started(call, job);
    /* Should this txn not commit, the step finds no cursor and does nothing. */
    members_import_kick(app);
    return 0;
}

/* Loads the job and a copy of its file (the map's bytes move when the step writes). */
static int step_load(members_app_t *app, service_call_t *call, uint64_t id,
                     Lumbung__ImportJob **job, const uint8_t **data, size_t *len) {
    uint8_t key[8];
    size_t klen = members_key_id(key, id);
    store_txn_t *txn = service_call_txn(call);
    int rc = members_store_get(app->store, txn, MEMBERS_TABLE_JOBS, key, klen,
                               service_call_arena(call), &lumbung__import_job__descriptor,
                               (void **) job);
    if (rc != 0) return members_store_error(call, rc);
    const void *val;
    if ((rc = members_store_bytes_get(app->store, txn, MEMBERS_TABLE_IMPORT_FILES, key, klen, &val, len)) != 0)
        return members_store_error(call, rc);
    uint8_t *copy = arena_alloc(service_call_arena(call), *len ? *len : 1);
    memcpy(copy, val, *len);
    *data = copy;
    return 0;
}

static int first_running(void *arg, const uint8_t *key, size_t klen, const void *val, size_t vlen) {
    (void) val;
    (void) vlen;
    if (klen == 8) *(uint64_t *) arg = be64_read(key);
    return 1;
}

/* The oldest job with rows left, or 0. */
static uint64_t oldest_running(members_app_t *app, store_txn_t *txn) {
    uint64_t id = 0;
    members_store_scan(app->store, txn, MEMBERS_TABLE_IMPORT_RUNNING, NULL, 0, NULL, 0, 1,
                       first_running, &id);
    return id;
}

int members_op_import_step(members_app_t *app, service_call_t *call, const Lumbung__ImportStep *op) {
    app->import_step_queued = false;
    app->import_more = true;          /* until this step shows otherwise */
    store_txn_t *txn = service_call_txn(call);
    import_cursor_t cur;
    int rc = cursor_get(app, txn, service_call_arena(call), op->job_id, &cur);
    if (rc == ERR_NOT_FOUND) {      /* done already (a repeated step) */
        app->import_more = oldest_running(app, txn) != 0;
        return 0;
    }
    if (rc != 0) return members_store_error(call, rc);
    Lumbung__ImportJob *job = NULL;
    const uint8_t *data = NULL;
    size_t len = 0;
    if ((rc = step_load(app, call, op->job_id, &job, &data, &len)) != 0) return rc;
    import_t im = { .app = app, .call = call, .coop = job->cooperative_id, .job = job,
                    .today = members_today_of(app, call, job->cooperative_id),
                    .errors_cap = (uint32_t) job->n_errors, .warnings_cap = (uint32_t) job->n_warnings };
    im.row_arena = arena_new();
    bool finished;
    rc = import_chunk(&im, data, len, &cur, &finished);
    arena_destroy(&im.row_arena);
    if (rc != 0) return rc;
    if (finished) {
        assert(job->rows_done + job->rows_failed == job->rows_total);
        if ((rc = job_finish(app, call, job)) != 0) return rc;
        app->import_more = oldest_running(app, txn) != 0;
        return 0;
    }
    if ((rc = job_put(app, call, job)) != 0) return rc;
    if ((rc = cursor_put(app, txn, service_call_arena(call), job->id, &cur)) != 0)
        return members_store_error(call, rc);
    return 0;
}

/* ---- the steps' timer, on the service's loop ---- */

/* Posts the next step of the oldest running job, as the person who started it. */
static void post_step(members_app_t *app) {
    store_txn_t *txn;
    if (store_begin(service_store(app->service), true, &txn) != 0) return;
    arena_t *arena = arena_new();
    uint64_t id = oldest_running(app, txn);
    import_cursor_t cur = { 0 };
    if (id == 0 || cursor_get(app, txn, arena, id, &cur) != 0) {
        store_abort(&txn);
        arena_destroy(&arena);
        app->import_more = false;
        return;
    }
    store_abort(&txn);
    ProtobufCAllocator alloc = arena_allocator(arena);
    Lumbung__Actor *actor = cur.actor_len
        ? lumbung__actor__unpack(&alloc, cur.actor_len, cur.actor) : NULL;
    Lumbung__ImportStep *step = arena_message(arena, &lumbung__import_step__descriptor);
    step->has_job_id = true;
    step->job_id = id;
    Lumbung__MembersRequest *mr = arena_message(arena, &lumbung__members_request__descriptor);
    mr->op_case = LUMBUNG__MEMBERS_REQUEST__OP_IMPORT_STEP;
    mr->import_step = step;
    Lumbung__Request *req = envelope_members_request(arena, mr, actor);
    size_t len;
    uint8_t *bytes = envelope_pack(arena, &req->base, &len);
    service_post_self(app->service, bytes, len);
    app->import_step_queued = true;
    arena_destroy(&arena);
}

static void on_import_timer(uv_timer_t *t) {
    members_app_t *app = t->data;
    if (!app->import_more) {
        uv_timer_stop(t);
        return;
    }
    if (!app->import_step_queued) post_step(app);
}

void members_import_kick(members_app_t *app) {
    app->import_more = true;
    if (!app->import_timer_open || uv_is_active((uv_handle_t *) &app->import_timer)) return;
    uint64_t ms = (uint64_t) config_int("LUMBUNG_IMPORT_STEP_MS", MEMBERS_IMPORT_STEP_MS, 0,
                                        MEMBERS_IMPORT_STEP_MS_MAX);
    uv_timer_start(&app->import_timer, on_import_timer, ms, ms ? ms : 1);
}

int members_import_resume(members_app_t *app, uv_loop_t *loop) {
    uv_timer_init(loop, &app->import_timer);
    app->import_timer.data = app;
    app->import_timer_open = true;
    store_txn_t *txn;
    int rc = store_begin(service_store(app->service), true, &txn);
    if (rc != 0) return rc;
    uint64_t id = oldest_running(app, txn);
    store_abort(&txn);
    if (id != 0) {
        log_info(0, "members: import job %llu (and any after it) unfinished; continuing it",
                 (unsigned long long) id);
        members_import_kick(app);
    }
    return 0;
}

void members_import_stop(members_app_t *app) {
    if (app->import_timer_open) uv_timer_stop(&app->import_timer);
}

int members_op_get_job(members_app_t *app, service_call_t *call, const Lumbung__GetJob *op) {
    if (!op->has_id || op->id == 0)
        return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "required", "id",
                                 "id (the job id) is required");
    uint8_t key[8];
    size_t klen = members_key_id(key, op->id);
    Lumbung__ImportJob *job;
    int rc = members_store_get(app->store, service_call_txn(call), MEMBERS_TABLE_JOBS, key, klen,
                               service_call_arena(call), &lumbung__import_job__descriptor,
                               (void **) &job);
    if (rc == ERR_NOT_FOUND) return members_not_found(call, "job", "id", op->id);
    if (rc != 0) return members_store_error(call, rc);
    /* The row says OP_AUTHORISES_ITSELF: the job names its cooperative. */
    if ((rc = service_call_authorise(call, ACCESS_COOP_READ, job->cooperative_id)) != 0)
        return rc;
    Lumbung__MembersReply *r = members_reply(call);
    r->result_case = LUMBUNG__MEMBERS_REPLY__RESULT_JOB;
    r->job = job;
    return 0;
}
