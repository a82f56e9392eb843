/*  pdf — a document (doc.h) as A4 pages, written with libharu and the DejaVu fonts of Debian's
    fonts-dejavu-core, embedded (a printed RAT pack reads the same everywhere).

    Every page starts with the cooperative's name and legal number (the district for district
    reports), the report's title and its period, and ends with "Halaman i dari n" (page i of
    n) and as_of_seq. Each table has its name as a heading and its header row, repeated on
    every page it runs onto. Amounts are shown as people write them, `Rp 1.066.185,46`, dates
    as dd/mm/yyyy, decimals with a comma; numbers are right-aligned. A table wider than a
    portrait page is printed on landscape pages. Text is in the document's language (Bahasa
    Indonesia by default).

    Not for: anything but A4 reports; reading PDF. */
#ifndef LUMBUNG_REPORTING_PDF_H
#define LUMBUNG_REPORTING_PDF_H

#include <stdbool.h>
#include "doc.h"

enum { REPORTING_PDF_MAX = 12 * 1024 * 1024 };   /* bytes of one file; fits a bus message */

#define REPORTING_PDF_FONT "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf"
#define REPORTING_PDF_FONT_BOLD "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf"

/* The pages into *out (in the document's arena): 0, -E2BIG past REPORTING_PDF_MAX, or -EIO when
   libharu failed (a font missing, out of memory). */
int reporting_pdf_render(const reporting_doc_t *d, bool english, ProtobufCBinaryData *out);

/* A date "YYYY-MM-DD" as "DD/MM/YYYY" into buf (size >= 11); other text is copied as is. */
const char *reporting_pdf_date(const char *text, char *buf, size_t size);

#endif
