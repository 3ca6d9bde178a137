/* error.c - error codes, messages and diagnostics. */
#include <stdio.h>
#include <string.h>

#include "common/common.h"

const char *spamlr_strerror(int err)
{
    switch (err) {
    case SPAMLR_OK: return "success";
    case SPAMLR_ENOMEM: return "out of memory";
    case SPAMLR_EINVAL: return "invalid argument";
    case SPAMLR_EIO: return "input/output error";
    case SPAMLR_EPARSE: return "malformed input";
    case SPAMLR_EMAGIC: return "not a spamlr model file (bad magic)";
    case SPAMLR_EVERSION: return "model file format is newer than this library";
    case SPAMLR_ECRC: return "model file checksum mismatch";
    case SPAMLR_ETRUNC: return "model file is truncated";
    case SPAMLR_ESIZE: return "model file holds an impossible size";
    case SPAMLR_ECORRUPT: return "model file content is corrupt";
    case SPAMLR_EEMPTY: return "no labelled examples";
    case SPAMLR_EONECLASS: return "training data holds only one class";
    case SPAMLR_ENOTFOUND: return "not found (not in the vocabulary, or never learned)";
    case SPAMLR_ELIMIT: return "limit exceeded";
    case SPAMLR_ENOCONVERGE: return "solver reached max_iter before the tolerance";
    case SPAMLR_EUNSUPPORTED: return "not supported by this build";
    case SPAMLR_ECANCELED: return "canceled by the caller";
    default: return "unknown error";
    }
}

void spamlr__out_copy(void *dst, const void *src, size_t n)
{
    size_t have, skip = sizeof(size_t);

    if (!dst || dst == src)
        return;
    memcpy(&have, dst, sizeof have);
    if (have > n)
        have = n;
    if (have > skip)
        memcpy((char *)dst + skip, (const char *)src + skip, have - skip);
}

void spamlr__diag_clear(spamlr_diag *d)
{
    spamlr_diag empty = SPAMLR_DIAG_INIT;

    if (!d || spamlr__diag_bad(d))
        return;
    spamlr__out_copy(d, &empty, sizeof empty);
}

int spamlr__diag(spamlr_diag *d, int code, const char *path, long line,
                 long long offset, const char *fmt, ...)
{
    va_list ap;

    if (!d || spamlr__diag_bad(d))
        return code;
    d->code = code;
    d->line = line;
    d->offset = offset;
    snprintf(d->path, sizeof d->path, "%s", path ? path : "");
    va_start(ap, fmt);
    vsnprintf(d->message, sizeof d->message, fmt, ap);
    va_end(ap);
    return code;
}

char *spamlr_diag_format(const spamlr_diag *d, char *buf, size_t size)
{
    size_t n = 0;
    int k;

    if (!buf || size == 0)
        return buf;
    buf[0] = '\0';
    if (!d || spamlr__diag_bad(d))
        return buf;
#define APPEND(...)                                                 \
    do {                                                            \
        k = snprintf(buf + n, size - n, __VA_ARGS__);               \
        if (k < 0 || (size_t)k >= size - n)                         \
            return buf;                                             \
        n += (size_t)k;                                             \
    } while (0)
    if (d->path[0])
        APPEND("%s:", d->path);
    if (d->line > 0)
        APPEND("%ld:", d->line);
    else if (d->offset >= 0)
        APPEND("byte %lld:", d->offset);
    if (n)
        APPEND(" ");
    APPEND("%s", d->message[0] ? d->message : spamlr_strerror(d->code));
#undef APPEND
    return buf;
}
