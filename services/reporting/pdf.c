#include "pdf.h"
#include "money.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <hpdf.h>

enum {
    PAGES_INITIAL = 16,
    ASCII_FIRST = 32, ASCII_END = 127,   /* printable ASCII, whose widths are measured once */
    CELL_TEXT_MAX = 256,
    LANDSCAPE_CHARS = 150,        /* a layout wider than this many characters goes landscape */
};

static const float MARGIN = 36, HEAD_HEIGHT = 64, FOOT_HEIGHT = 24, ROW = 11.5f, PAD = 2.5f;
static const float SIZE_BODY = 7.5f, SIZE_HEAD = 8.5f, SIZE_TITLE = 13, SIZE_SECTION = 10;

typedef struct {
    HPDF_Doc pdf;
    HPDF_Font regular, bold;
    const reporting_doc_t *doc;
    bool english;
    HPDF_Page page;
    HPDF_Page *pages;
    size_t n_pages, cap_pages;
    bool landscape;
    float y, width, height;       /* cursor and page size */
    HPDF_Font font;               /* the page's current font and size (NULL: none yet) */
    float size;
    /* Widths of printable ASCII at SIZE_BODY per font (regular, bold): a table of 10,000
       members measures each cell, and libharu measures UTF-8 slowly. */
    float ascii[2][ASCII_END - ASCII_FIRST];
    HPDF_STATUS error;
} pdf_t;

static void HPDF_STDCALL on_error(HPDF_STATUS error, HPDF_STATUS detail, void *user) {
    (void) detail;
    pdf_t *p = user;
    if (!p->error) p->error = error;
}

const char *reporting_pdf_date(const char *text, char *buf, size_t size) {
    assert(buf && size >= 11);
    if (!text) return "";
    bool date = strlen(text) == 10 && text[4] == '-' && text[7] == '-';
    for (int i = 0; date && i < 10; i++) date = i == 4 || i == 7 || isdigit((unsigned char) text[i]);
    if (!date) return text;
    snprintf(buf, size, "%.2s/%.2s/%.4s", text + 8, text + 5, text);
    return buf;
}

/* "2025-01-01..2025-12-31" as "01/01/2025 s.d. 31/12/2025" (to / "until" in English). */
static const char *period_text(pdf_t *p) {
    const char *period = p->doc->period ? p->doc->period : "";
    const char *dots = strstr(period, "..");
    char a[16], b[16];
    if (!dots) return reporting_pdf_date(period, a, sizeof a) == a ? arena_strdup(p->doc->arena, a)
                                                                   : period;
    char from[16] = "";
    size_t n = (size_t) (dots - period);
    if (n < sizeof from) { memcpy(from, period, n); from[n] = '\0'; }
    return arena_printf(p->doc->arena, "%s %s %s", *from ? reporting_pdf_date(from, a, sizeof a) : "…",
                        p->english ? "to" : "s.d.", reporting_pdf_date(dots + 2, b, sizeof b));
}

static void use_font(pdf_t *p, HPDF_Font font, float size) {
    if (p->font == font && p->size == size) return;
    HPDF_Page_SetFontAndSize(p->page, font, size);
    p->font = font;
    p->size = size;
}

static void text_at(pdf_t *p, HPDF_Font font, float size, float x, float y, const char *text) {
    if (!*text) return;
    use_font(p, font, size);
    HPDF_Page_BeginText(p->page);
    HPDF_Page_TextOut(p->page, x, y, text);
    HPDF_Page_EndText(p->page);
}

static void measure_ascii(pdf_t *p) {
    HPDF_Font fonts[2] = { p->regular, p->bold };
    for (int f = 0; f < 2; f++)
        for (int c = ASCII_FIRST; c < ASCII_END; c++) {
            char one[2] = { (char) c, '\0' };
            use_font(p, fonts[f], SIZE_BODY);
            p->ascii[f][c - ASCII_FIRST] = HPDF_Page_TextWidth(p->page, one);
        }
}

static float text_width(pdf_t *p, HPDF_Font font, float size, const char *text) {
    if (size == SIZE_BODY && (font == p->regular || font == p->bold)) {
        const float *w = p->ascii[font == p->bold];
        float sum = 0;
        const unsigned char *s = (const unsigned char *) text;
        for (; *s >= ASCII_FIRST && *s < ASCII_END; s++) sum += w[*s - ASCII_FIRST];
        if (!*s) return sum;
    }
    use_font(p, font, size);
    return HPDF_Page_TextWidth(p->page, text);
}

static void rule(pdf_t *p, float y, float width) {
    HPDF_Page_SetLineWidth(p->page, width);
    HPDF_Page_MoveTo(p->page, MARGIN, y);
    HPDF_Page_LineTo(p->page, p->width - MARGIN, y);
    HPDF_Page_Stroke(p->page);
}

/* The block every page starts with. */
static void page_head(pdf_t *p) {
    const reporting_doc_t *d = p->doc;
    float top = p->height - MARGIN;
    const char *who = d->cooperative_id
        ? (d->cooperative_name && *d->cooperative_name ? d->cooperative_name : "")
        : (p->english ? "District office" : "Dinas Koperasi Kabupaten");
    text_at(p, p->bold, SIZE_HEAD + 1, MARGIN, top - 9, who);
    if (d->cooperative_id)
        text_at(p, p->regular, SIZE_HEAD, MARGIN, top - 20,
                arena_printf(d->arena, "%s: %s", p->english ? "Legal number" : "No. Badan Hukum",
                             d->legal_number && *d->legal_number ? d->legal_number : "-"));
    text_at(p, p->bold, SIZE_TITLE, MARGIN, top - 37, p->english ? d->title_en : d->title_id);
    if (d->period)
        text_at(p, p->regular, SIZE_HEAD, MARGIN, top - 50,
                arena_printf(d->arena, "%s: %s", p->english ? "Period" : "Periode", period_text(p)));
    rule(p, top - HEAD_HEIGHT + 8, 0.8f);
    p->y = top - HEAD_HEIGHT;
}

static void new_page(pdf_t *p) {
    p->page = HPDF_AddPage(p->pdf);
    p->font = NULL;
    HPDF_Page_SetSize(p->page, HPDF_PAGE_SIZE_A4,
                      p->landscape ? HPDF_PAGE_LANDSCAPE : HPDF_PAGE_PORTRAIT);
    p->width = HPDF_Page_GetWidth(p->page);
    p->height = HPDF_Page_GetHeight(p->page);
    if (p->n_pages == p->cap_pages) {
        size_t cap = p->cap_pages ? p->cap_pages * 2 : PAGES_INITIAL;
        HPDF_Page *more = arena_alloc(p->doc->arena, cap * sizeof *more);
        if (p->n_pages) memcpy(more, p->pages, p->n_pages * sizeof *more);
        p->pages = more;
        p->cap_pages = cap;
    }
    p->pages[p->n_pages++] = p->page;
    page_head(p);
}

/* "Halaman i dari n" on every page, once n is known. */
static void page_numbers(pdf_t *p) {
    for (size_t i = 0; i < p->n_pages; i++) {
        p->page = p->pages[i];
        p->font = NULL;
        float w = HPDF_Page_GetWidth(p->page);
        const char *text = arena_printf(p->doc->arena, p->english ? "Page %zu of %zu" : "Halaman %zu dari %zu",
                                        i + 1, p->n_pages);
        text_at(p, p->regular, SIZE_BODY, w - MARGIN - text_width(p, p->regular, SIZE_BODY, text),
                MARGIN - 12, text);
        text_at(p, p->regular, SIZE_BODY, MARGIN, MARGIN - 12,
                arena_printf(p->doc->arena, "Lumbung · as_of_seq %" PRIu64, p->doc->as_of_seq));
    }
}

/* ---------------------------------------------------------------- tables */

static bool numeric(const reporting_cell_t *c) {
    return c->kind == REPORTING_CELL_MONEY || c->kind == REPORTING_CELL_COUNT ||
           c->kind == REPORTING_CELL_DECIMAL || c->kind == REPORTING_CELL_BP;
}

static void comma_decimal(const char *text, char *buf, size_t size) {
    snprintf(buf, size, "%s", text ? text : "");
    char *dot = strchr(buf, '.');
    if (dot) *dot = ',';
}

static const char *cell_text(pdf_t *p, const reporting_cell_t *c, char *buf, size_t size) {
    switch (c->kind) {
    case REPORTING_CELL_EMPTY: return "";
    case REPORTING_CELL_MONEY: money_format_idr(c->value, buf, size); return buf;
    case REPORTING_CELL_COUNT: snprintf(buf, size, "%" PRIu64, c->count); return buf;
    case REPORTING_CELL_BP: {
        char t[MONEY_FORMAT_MAX];
        int64_t v = c->value;
        snprintf(t, sizeof t, "%s%" PRId64 ".%02" PRId64, v < 0 ? "-" : "",
                 (v < 0 ? -v : v) / 100, (v < 0 ? -v : v) % 100);
        comma_decimal(t, buf, size);
        return buf;
    }
    case REPORTING_CELL_DECIMAL: comma_decimal(c->text, buf, size); return buf;
    default: return reporting_pdf_date(reporting_cell_label_text(c, p->english), buf, size);
    }
}

/* Text cut (at a character start) to fit `room` points. */
static const char *fit(pdf_t *p, HPDF_Font font, const char *text, float room, char *buf,
                       size_t size) {
    if (text_width(p, font, SIZE_BODY, text) <= room) return text;
    size_t n = strlen(text) < size - 1 ? strlen(text) : size - 1;
    memcpy(buf, text, n);
    buf[n] = '\0';
    while (n > 0 && text_width(p, font, SIZE_BODY, buf) > room) {
        do n--; while (n > 0 && ((unsigned char) buf[n] & 0xC0) == 0x80);
        buf[n] = '\0';
    }
    return buf;
}

static void column_edges(pdf_t *p, const reporting_table_t *t, float *x) {
    double total = 0;
    for (size_t i = 0; i < t->n_columns; i++) total += t->columns[i].width ? t->columns[i].width : 10;
    float room = p->width - 2 * MARGIN;
    x[0] = MARGIN;
    for (size_t i = 0; i < t->n_columns; i++)
        x[i + 1] = x[i] + (float) ((t->columns[i].width ? t->columns[i].width : 10) / total) * room;
}

static void draw_cell(pdf_t *p, HPDF_Font font, const char *text, bool right, float left,
                      float right_edge) {
    char buf[CELL_TEXT_MAX];
    const char *t = fit(p, font, text, right_edge - left - 2 * PAD, buf, sizeof buf);
    float x = right ? right_edge - PAD - text_width(p, font, SIZE_BODY, t) : left + PAD;
    text_at(p, font, SIZE_BODY, x, p->y, t);
}

/* A column of numbers (its first filled cell is one) has its heading right-aligned too. */
static bool numeric_column(const reporting_table_t *t, size_t col) {
    for (size_t r = 0; r < t->n_rows; r++) {
        const reporting_cell_t *c = reporting_table_cell(t, r, col);
        if (c->kind != REPORTING_CELL_EMPTY) return numeric(c);
    }
    return false;
}

static void header_row(pdf_t *p, const reporting_table_t *t, const float *x) {
    p->y -= ROW;
    for (size_t i = 0; i < t->n_columns; i++) {
        const reporting_column_t *c = &t->columns[i];
        draw_cell(p, p->bold, p->english || !c->id ? c->key : c->id, numeric_column(t, i), x[i],
                  x[i + 1]);
    }
    rule(p, p->y - 3, 0.5f);
    p->y -= 2;
}

static bool is_total(const reporting_table_t *t, size_t r) {
    const reporting_cell_t *c = reporting_table_cell(t, r, 0);
    return c->kind == REPORTING_CELL_LABEL && c->text && !strcmp(c->text, "total");
}

static void table(pdf_t *p, const reporting_table_t *t, float *x) {
    if (p->y - 3 * ROW < MARGIN + FOOT_HEIGHT) new_page(p);
    p->y -= ROW + 2;
    text_at(p, p->bold, SIZE_SECTION, MARGIN, p->y, p->english ? t->name_en : t->name_id);
    column_edges(p, t, x);
    header_row(p, t, x);
    for (size_t r = 0; r < t->n_rows; r++) {
        if (p->y - ROW < MARGIN + FOOT_HEIGHT) {
            new_page(p);
            header_row(p, t, x);
        }
        p->y -= ROW;
        HPDF_Font font = is_total(t, r) ? p->bold : p->regular;
        for (size_t i = 0; i < t->n_columns; i++) {
            const reporting_cell_t *c = reporting_table_cell(t, r, i);
            char buf[CELL_TEXT_MAX];
            draw_cell(p, font, cell_text(p, c, buf, sizeof buf), numeric(c), x[i], x[i + 1]);
        }
    }
    if (t->n_rows == 0) {
        p->y -= ROW;
        text_at(p, p->regular, SIZE_BODY, MARGIN + PAD, p->y, p->english ? "(none)" : "(tidak ada)");
    }
    p->y -= ROW / 2;
}

static bool wide(const reporting_doc_t *d) {
    for (size_t i = 0; i < d->n_tables; i++) {
        unsigned chars = 0;
        for (size_t j = 0; j < d->tables[i]->n_columns; j++)
            chars += d->tables[i]->columns[j].width ? d->tables[i]->columns[j].width : 10;
        if (chars > LANDSCAPE_CHARS) return true;
    }
    return false;
}

static size_t widest(const reporting_doc_t *d) {
    size_t n = 1;
    for (size_t i = 0; i < d->n_tables; i++)
        if (d->tables[i]->n_columns > n) n = d->tables[i]->n_columns;
    return n;
}

static int save(pdf_t *p, ProtobufCBinaryData *out) {
    if (HPDF_SaveToStream(p->pdf) != HPDF_OK) return -EIO;
    HPDF_UINT32 size = HPDF_GetStreamSize(p->pdf);
    if (size > REPORTING_PDF_MAX) return -E2BIG;
    out->data = arena_alloc(p->doc->arena, size + 1);
    HPDF_UINT32 got = size;
    HPDF_STATUS rc = HPDF_ReadFromStream(p->pdf, out->data, &got);
    if ((rc != HPDF_OK && rc != HPDF_STREAM_EOF) || got != size) return -EIO;
    out->len = got;
    return 0;
}

int reporting_pdf_render(const reporting_doc_t *d, bool english, ProtobufCBinaryData *out) {
    assert(d && out);
    pdf_t p = { .doc = d, .english = english, .landscape = wide(d) };
    p.pdf = HPDF_New(on_error, &p);
    if (!p.pdf) return -EIO;
    HPDF_SetCompressionMode(p.pdf, HPDF_COMP_ALL);
    HPDF_UseUTFEncodings(p.pdf);
    HPDF_SetCurrentEncoder(p.pdf, "UTF-8");
    const char *regular = HPDF_LoadTTFontFromFile(p.pdf, REPORTING_PDF_FONT, HPDF_TRUE);
    const char *bold = HPDF_LoadTTFontFromFile(p.pdf, REPORTING_PDF_FONT_BOLD, HPDF_TRUE);
    int rc = regular && bold ? 0 : -EIO;
    if (rc == 0) {
        p.regular = HPDF_GetFont(p.pdf, regular, "UTF-8");
        p.bold = HPDF_GetFont(p.pdf, bold, "UTF-8");
        HPDF_SetInfoAttr(p.pdf, HPDF_INFO_TITLE, english ? d->title_en : d->title_id);
        HPDF_SetInfoAttr(p.pdf, HPDF_INFO_CREATOR, "Lumbung");
        float *x = arena_alloc(d->arena, (widest(d) + 1) * sizeof *x);
        new_page(&p);
        measure_ascii(&p);
        for (size_t i = 0; i < d->n_tables && !p.error; i++) table(&p, d->tables[i], x);
        page_numbers(&p);
        if (p.error) rc = -EIO;
    }
    if (rc == 0) rc = save(&p, out);
    HPDF_Free(p.pdf);
    return rc;
}
