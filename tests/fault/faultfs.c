/* faultfs — an LD_PRELOAD shim for the fault-injection tests (tests/system/test_faults.py):
 * makes write, pwrite, writev, pwritev, fsync, fdatasync and msync fail with a chosen errno at
 * a chosen point, on file descriptors whose path matches a filter, so a service's store can be
 * made to fail exactly where a dying disk or a full one would.
 *
 * It is for tests only and never linked into a service: build/tests/faultfs.so, loaded with
 * LD_PRELOAD. It is not a general interposer: it passes every call through to libc and only
 * decides whether to fail it instead.
 *
 * Settings (read once, at the first intercepted call):
 *   FAULTFS_CALLS    comma-separated calls to fail: write (every write: write, writev,
 *                    pwrite, pwritev), pwrite (only pwrite and pwritev: LMDB writes its
 *                    meta page and single pages so), fsync, fdatasync, msync
 *   FAULTFS_ERRNO    EIO (default) or ENOSPC
 *   FAULTFS_PATH     fail only on descriptors whose /proc/self/fd link contains this text
 *                    (e.g. "transactions/data.mdb"); msync has no descriptor and always matches
 *   FAULTFS_AFTER    let this many matching calls through first (default 0)
 *   FAULTFS_TIMES    then fail this many (default 0: every one from then on)
 *   FAULTFS_ARMED    a file: faults apply only while it exists (checked at each call), so a
 *                    test starts a service cleanly, arms the fault, and takes it away again
 *                    ("space is back"); AFTER counts from the first armed match
 *   FAULTFS_SYNC_FDS when set, only descriptors opened with O_DSYNC or O_SYNC match: LMDB's
 *                    meta page descriptor, so that write alone fails (the data pages and the
 *                    fsyncs before it go through)
 *   FAULTFS_LOG      when set, each injected failure is reported on stderr
 * Ownership: nothing allocated; settings live in static storage for the life of the process.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

enum { FAULT_WRITE = 1, FAULT_FSYNC = 2, FAULT_FDATASYNC = 4, FAULT_MSYNC = 8, FAULT_PWRITE = 16 };
#define FAULTFS_TEXT_MAX 256

static pthread_once_t once = PTHREAD_ONCE_INIT;
static unsigned calls;
static int fail_errno = EIO;
static char path_filter[FAULTFS_TEXT_MAX];
static char armed_file[FAULTFS_TEXT_MAX];
static long after, times;
static long matched, injected;
static int log_on;
static int sync_fds_only;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void setup(void) {
    const char *s = getenv("FAULTFS_CALLS");
    if (s) {
        if (strstr(s, "pwrite")) calls |= FAULT_PWRITE;
        /* "write" alone (not only as part of "pwrite") means every kind of write. */
        for (const char *p = s; (p = strstr(p, "write")); p += 5)
            if (p == s || p[-1] == ',') calls |= FAULT_WRITE | FAULT_PWRITE;
        if (strstr(s, "fsync")) calls |= FAULT_FSYNC;
        if (strstr(s, "fdatasync")) calls |= FAULT_FDATASYNC;
        if (strstr(s, "msync")) calls |= FAULT_MSYNC;
    }
    s = getenv("FAULTFS_ERRNO");
    if (s && !strcmp(s, "ENOSPC")) fail_errno = ENOSPC;
    if ((s = getenv("FAULTFS_PATH"))) snprintf(path_filter, sizeof path_filter, "%s", s);
    if ((s = getenv("FAULTFS_ARMED"))) snprintf(armed_file, sizeof armed_file, "%s", s);
    if ((s = getenv("FAULTFS_AFTER"))) after = atol(s);
    if ((s = getenv("FAULTFS_TIMES"))) times = atol(s);
    log_on = getenv("FAULTFS_LOG") != NULL;
    sync_fds_only = getenv("FAULTFS_SYNC_FDS") != NULL;
}

static void *real(const char *name) {
    void *f = dlsym(RTLD_NEXT, name);
    if (!f) abort();
    return f;
}

static int path_matches(int fd) {
    if (!path_filter[0]) return 1;
    char link[64], target[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n <= 0) return 0;
    target[n] = 0;
    return strstr(target, path_filter) != NULL;
}

/* Whether this call fails; errno is set when it does. fd -1: no descriptor (msync). */
static int should_fail(unsigned kind, int fd, const char *name) {
    pthread_once(&once, setup);
    if (!(calls & kind)) return 0;
    if (fd >= 0 && !path_matches(fd)) return 0;
    if (sync_fds_only && fd >= 0 && !(fcntl(fd, F_GETFL) & O_DSYNC)) return 0;  /* O_SYNC has it */
    if (armed_file[0] && access(armed_file, F_OK) != 0) return 0;
    pthread_mutex_lock(&lock);
    long n = matched++;
    int fail = n >= after && (times == 0 || n < after + times);
    if (fail) injected++;
    pthread_mutex_unlock(&lock);
    if (!fail) return 0;
    if (log_on) {
        char line[160];
        int len = snprintf(line, sizeof line, "faultfs: %s(fd %d) fails with %s (injected %ld)\n",
                           name, fd, fail_errno == ENOSPC ? "ENOSPC" : "EIO", injected);
        ssize_t (*w)(int, const void *, size_t) = real("write");
        if (w(2, line, (size_t) len) < 0) { /* nothing to do: stderr is gone */ }
    }
    errno = fail_errno;
    return 1;
}

ssize_t write(int fd, const void *buf, size_t count) {
    static ssize_t (*f)(int, const void *, size_t);
    if (!f) f = real("write");
    if (fd > 2 && should_fail(FAULT_WRITE, fd, "write")) return -1;
    return f(fd, buf, count);
}

ssize_t writev(int fd, const struct iovec *iov, int iovcnt) {
    static ssize_t (*f)(int, const struct iovec *, int);
    if (!f) f = real("writev");
    if (fd > 2 && should_fail(FAULT_WRITE, fd, "writev")) return -1;
    return f(fd, iov, iovcnt);
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset) {
    static ssize_t (*f)(int, const void *, size_t, off_t);
    if (!f) f = real("pwrite");
    if (should_fail(FAULT_PWRITE, fd, "pwrite")) return -1;
    return f(fd, buf, count, offset);
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off_t offset) {
    static ssize_t (*f)(int, const void *, size_t, off_t);
    if (!f) f = real("pwrite64");
    if (should_fail(FAULT_PWRITE, fd, "pwrite64")) return -1;
    return f(fd, buf, count, offset);
}

ssize_t pwritev(int fd, const struct iovec *iov, int iovcnt, off_t offset) {
    static ssize_t (*f)(int, const struct iovec *, int, off_t);
    if (!f) f = real("pwritev");
    if (should_fail(FAULT_PWRITE, fd, "pwritev")) return -1;
    return f(fd, iov, iovcnt, offset);
}

int fsync(int fd) {
    static int (*f)(int);
    if (!f) f = real("fsync");
    if (should_fail(FAULT_FSYNC, fd, "fsync")) return -1;
    return f(fd);
}

int fdatasync(int fd) {
    static int (*f)(int);
    if (!f) f = real("fdatasync");
    if (should_fail(FAULT_FDATASYNC, fd, "fdatasync")) return -1;
    return f(fd);
}

int msync(void *addr, size_t length, int flags) {
    static int (*f)(void *, size_t, int);
    if (!f) f = real("msync");
    if (should_fail(FAULT_MSYNC, -1, "msync")) return -1;
    return f(addr, length, flags);
}
