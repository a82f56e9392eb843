/*  xlsx — a document (doc.h) as an Excel workbook, written with libxlsxwriter.

    One worksheet per table, named in the document's language. Above each table a block says
    what it is: the report's title, the cooperative's name and legal number, the period and
    as_of_seq; the same stand in the workbook's properties (title, subject, company, keywords)
    and as custom properties (cooperative_id, period, as_of_seq, members_seq). The header row
    is bold and frozen, columns have the widths the layout gives them. Money is a number of
    rupiah with the number format `"Rp "#,##0.00` (stored locale-neutral: Excel set to
    Indonesian shows it as Rp 1.066.185,46), counts are whole numbers, percentages and scores
    numbers with two places; text is text. Total rows are bold.

    libxlsxwriter writes to a file: the workbook is written into a private temporary
    directory (also its scratch space), read back into the arena and removed.

    Not for: reading spreadsheets. */
#ifndef LUMBUNG_REPORTING_XLSX_H
#define LUMBUNG_REPORTING_XLSX_H

#include <stdbool.h>
#include "doc.h"

enum {
    REPORTING_XLSX_MAX = 12 * 1024 * 1024,   /* bytes of one workbook; fits a bus message */
    REPORTING_XLSX_HEADER_ROWS = 4,           /* the block above a table, a blank row included */
};

#define REPORTING_XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#define REPORTING_XLSX_MONEY "\"Rp \"#,##0.00"

/* The workbook into *out (in the document's arena): 0, -E2BIG past REPORTING_XLSX_MAX, or
   -EIO when it could not be written. */
int reporting_xlsx_render(const reporting_doc_t *d, bool english, ProtobufCBinaryData *out);

#endif
