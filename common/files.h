/*  files — the few filesystem chores several modules share.

    Not for: anything in an LMDB store (store.h) or key material rules (curve.h). */
#ifndef LUMBUNG_FILES_H
#define LUMBUNG_FILES_H

enum { FILES_PATH_MAX = 512 };

/* Creates `path` and any missing parents with mode 0700, like `mkdir -p`. Returns 0 or a
   negative errno (-ENAMETOOLONG past FILES_PATH_MAX). */
int files_mkdir_p(const char *path);

#endif
