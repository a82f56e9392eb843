/*  docfile — a document (doc.h) as the file a request asked for: the format, CSV dialect,
    language and metadata options of docs/reporting.md ("Formats"), read from the request, and
    the lumbung.ReportFile the gateway sends as it is: body, content type, a file name in the
    report's language and the X-Lumbung-* headers saying what the file reflects.

    CSV: the header is the first row and every row, in every table, has the width of the
    widest table; a later table starts with its own header row. With `metadata` the file ends
    with an empty row and one `key,value` row per header.

    Not for: building the tables (render.c). */
#ifndef LUMBUNG_REPORTING_DOCFILE_H
#define LUMBUNG_REPORTING_DOCFILE_H

#include <stdbool.h>
#include "doc.h"

typedef struct {
    Lumbung__ReportFormat format;         /* JSON (the report message) unless a file */
    bool excel_id;                        /* CSV: `;`, decimal comma, BOM */
    bool english;                         /* lang=en; Bahasa Indonesia otherwise */
    bool metadata;                        /* CSV: the trailing metadata section */
} reporting_opts_t;

/* Reads the options; returns NULL, or the name of the field whose value is not one of its
   choices ("dialect", "lang", "format"). */
const char *reporting_opts_read(reporting_opts_t *o, bool has_format, Lumbung__ReportFormat format,
                                const char *dialect, const char *lang, bool has_metadata,
                                bool metadata);

/* Whether the request asks for a file rather than the report message. */
bool reporting_opts_file(const reporting_opts_t *o);

/* The document in the requested format; NULL when it would exceed its format's limit (*rc
   -E2BIG) or could not be written (*rc -EIO: a font or the temporary directory missing). rc
   may be NULL. */
Lumbung__ReportFile *reporting_doc_file_rc(const reporting_doc_t *d, const reporting_opts_t *o,
                                           int *rc);
static inline Lumbung__ReportFile *reporting_doc_file(const reporting_doc_t *d,
                                                      const reporting_opts_t *o) {
    return reporting_doc_file_rc(d, o, NULL);
}

#endif
