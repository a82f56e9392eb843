/*  unit_tool — reads a produced file the way a user's program would: writes the bytes to a
    temporary file and returns what a command (Python's zipfile, pdftotext) prints about it.

    Header-only (static inline) like unit.h; include after <cmocka.h> and unit.h. The commands
    come from packages the Makefile installs (python3, poppler-utils). A command that cannot run
    or exits non-zero fails the test.

    Ownership: the text returned lives in the arena given. Not for: anything a test asserts
    about (each test states its own expectations). */
#ifndef LUMBUNG_TEST_UNIT_TOOL_H
#define LUMBUNG_TEST_UNIT_TOOL_H

#include <stdio.h>
#include <string.h>
#include "arena.h"

enum { UNIT_TOOL_OUTPUT_MAX = 4 * 1024 * 1024 };

/* Runs `command` with "%s" replaced by the path of a file holding `data`; returns its standard
   output as a NUL-terminated string in `arena`. */
static inline char *unit_tool_output(arena_t *arena, const void *data, size_t len,
                                     const char *command) {
    char dir[UNIT_PATH_MAX], path[UNIT_PATH_MAX + 16], cmd[2 * UNIT_PATH_MAX + 256];
    unit_tempdir(dir, "tool");
    snprintf(path, sizeof path, "%s/file", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    snprintf(cmd, sizeof cmd, command, path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char *out = arena_alloc(arena, UNIT_TOOL_OUTPUT_MAX + 1);
    size_t n = fread(out, 1, UNIT_TOOL_OUTPUT_MAX, p);
    out[n] = '\0';
    assert_int_equal(pclose(p), 0);
    unit_rmtree(dir);
    return out;
}

#endif
