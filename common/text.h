/*  text — a bounded copy of a C string, for the fixed-size name fields filled per request.

    text_copy() gives what snprintf(dst, size, "%s", src) gives (cut to size - 1 bytes, always
    terminated, NULL read as ""), without parsing a format: the services fill several such
    fields for every call they answer, and the format cost more than the copy.

    Not for: building text from parts (snprintf), or text that must not be cut (check the
    length first). */
#ifndef LUMBUNG_TEXT_H
#define LUMBUNG_TEXT_H

#include <stddef.h>
#include <string.h>

/* Copies src (NULL as "") into dst[size], size > 0; returns the length copied. */
static inline size_t text_copy(char *dst, size_t size, const char *src) {
    size_t n = src ? strnlen(src, size - 1) : 0;
    if (n) memcpy(dst, src, n);
    dst[n] = '\0';
    return n;
}

#endif
