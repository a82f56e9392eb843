#include "error.h"

#include <errno.h>
#include <string.h>

#define ERROR_NAME_(name, text) "ERR_" #name,
static const char *const names[ERR_COUNT] = { ERROR_CODES(ERROR_NAME_) };
#undef ERROR_NAME_
#define ERROR_TEXT_(name, text) text,
static const char *const texts[ERR_COUNT] = { ERROR_CODES(ERROR_TEXT_) };
#undef ERROR_TEXT_

int error_is_project(int code) {
    return code <= ERR_BASE - 1 && code >= ERR_BASE - ERR_COUNT;
}

static const char *errno_name(int e) {
    switch (e) {
#define N(x) case x: return #x
    N(EPERM); N(ENOENT); N(EINTR); N(EIO); N(E2BIG); N(EBADF); N(EAGAIN); N(ENOMEM);
    N(EACCES); N(EFAULT); N(EBUSY); N(EEXIST); N(EINVAL); N(ENFILE); N(EMFILE); N(ENOSPC);
    N(ERANGE); N(ENAMETOOLONG); N(ENOSYS); N(ENOTSUP); N(EPROTO); N(EMSGSIZE); N(ENOBUFS);
    N(EOVERFLOW); N(ECANCELED); N(ETIMEDOUT); N(ECONNREFUSED); N(EADDRINUSE); N(EPIPE);
    N(ENOTCONN); N(EHOSTUNREACH); N(EBADMSG); N(ENODATA); N(EDQUOT);
#undef N
    default: return "unknown";
    }
}

const char *error_name(int code) {
    if (code == 0) return "OK";
    if (error_is_project(code)) return names[ERR_BASE - 1 - code];
    if (code < 0 && code > ERR_BASE) return errno_name(-code);
    return "unknown";
}

const char *error_string(int code) {
    if (code == 0) return "success";
    if (error_is_project(code)) return texts[ERR_BASE - 1 - code];
    if (code < 0 && code > ERR_BASE) return strerror(-code);
    return "unknown error";
}
