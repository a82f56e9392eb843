#include "files.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

int files_mkdir_p(const char *path) {
    char buf[FILES_PATH_MAX];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf) return -ENAMETOOLONG;
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(buf, 0700) != 0 && errno != EEXIST) return -errno;
        *p = '/';
    }
    if (mkdir(buf, 0700) != 0 && errno != EEXIST) return -errno;
    return 0;
}
