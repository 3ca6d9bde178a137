/* input.c - opening and reading one input file: plain, gzip-compressed
 * (through zlib) or standard input ("-"), whole or in pieces. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "data/input.h"

/* Largest input file read into memory at once. */
#define SPAMLR_MAX_FILE ((size_t)1 << 32)

size_t spamlr__input_limit(void)
{
    /* SPAMLR_MAX_INPUT (bytes, decimal) may only lower the limit: the
     * tests use it to try a gzip bomb without gigabytes of memory */
    const char *e = getenv("SPAMLR_MAX_INPUT");
    unsigned long long v;
    char *end;

    if (!e || !*e)
        return SPAMLR_MAX_FILE;
    errno = 0;
    v = strtoull(e, &end, 10);
    if (*end || errno || v == 0 || v >= SPAMLR_MAX_FILE || e[0] == '-')
        return SPAMLR_MAX_FILE;
    return (size_t)v;
}

int spamlr__input_too_big(const char *path, size_t limit, spamlr_diag *d)
{
    if (limit == SPAMLR_MAX_FILE)
        return spamlr__diag(d, SPAMLR_ELIMIT, path, 0, -1,
                            "larger than the 4 GiB limit for one input file");
    return spamlr__diag(d, SPAMLR_ELIMIT, path, 0, -1,
                        "larger than the %zu-byte limit for one input file (SPAMLR_MAX_INPUT)",
                        limit);
}

/* The capacity to grow a buffer holding n bytes (cap now) to, reading a
 * file of at most `limit` bytes: doubling, but never past limit + 2 (room
 * for one byte too many, which shows the file is too big, and the NUL),
 * so that memory stays proportional to the limit. 0: n is past it. */
static size_t next_cap(size_t n, size_t cap, size_t limit)
{
    size_t want = cap < 65536 ? 65536 : cap;

    if (n > limit)
        return 0;
    if (want > (limit + 2) / 2)
        return limit + 2;
    return 2 * want;
}

/* Reads the whole of plain file fd (expected to hold `size` bytes; it may
 * have changed since) into a NUL-terminated malloc'ed buffer. */
static int read_plain(int fd, const char *path, size_t size, size_t limit, char **out,
                      size_t *len, spamlr_diag *d)
{
    size_t n = 0, cap = size + 2; /* one spare byte shows the end; one for NUL */
    char *buf = spamlr__alloc_big(cap), *p;

    if (!buf)
        return spamlr__diag(d, SPAMLR_ENOMEM, path, 0, -1, "out of memory reading file");
    for (;;) {
        ssize_t got;

        if (n + 1 == cap) { /* the file grew meanwhile */
            size_t ncap = next_cap(n, cap, limit);

            if (!ncap) {
                free(buf);
                return spamlr__input_too_big(path, limit, d);
            }
            if (!(p = spamlr__realloc_big(buf, n, ncap))) {
                free(buf);
                return spamlr__diag(d, SPAMLR_ENOMEM, path, 0, -1, "out of memory reading file");
            }
            buf = p;
            cap = ncap;
        }
        got = read(fd, buf + n, cap - 1 - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int e = errno;

            free(buf);
            return spamlr__diag(d, SPAMLR_EIO, path, 0, (long long)n, "read error: %s",
                                strerror(e));
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    if (n > limit) {
        free(buf);
        return spamlr__input_too_big(path, limit, d);
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return SPAMLR_OK;
}

/* Opens path for reading ("-" = a duplicate of standard input); refuses
 * directories. *st is filled for named files (st_mode 0 for "-"). */
static int open_input(const char *path, int *fd, struct stat *st, spamlr_diag *d)
{
    memset(st, 0, sizeof *st);
    if (strcmp(path, "-") == 0) {
        if ((*fd = dup(0)) < 0)
            return spamlr__diag(d, SPAMLR_EIO, "-", 0, -1, "cannot read standard input: %s",
                                strerror(errno));
        return SPAMLR_OK;
    }
    if (stat(path, st) != 0)
        return spamlr__diag(d, SPAMLR_EIO, path, 0, -1, "cannot open: %s", strerror(errno));
    if (S_ISDIR(st->st_mode))
        return spamlr__diag(d, SPAMLR_EIO, path, 0, -1, "is a directory, expected a file");
    if ((*fd = open(path, O_RDONLY)) < 0)
        return spamlr__diag(d, SPAMLR_EIO, path, 0, -1, "cannot open: %s", strerror(errno));
    return SPAMLR_OK;
}

/* zlib's reader over fd (it reads plain files as they are), which it
 * now owns. */
static int gz_open_fd(int fd, const char *path, gzFile *gz, spamlr_diag *d)
{
    if (!(*gz = gzdopen(fd, "rb"))) {
        close(fd);
        return spamlr__diag(d, SPAMLR_ENOMEM, path, 0, -1, "out of memory opening file");
    }
    gzbuffer(*gz, 1 << 17);
    return SPAMLR_OK;
}

int spamlr__input_open(const char *path, gzFile *gz, size_t *size, spamlr_diag *d)
{
    struct stat st;
    int fd = -1, rc;

    *gz = NULL;
    if ((rc = open_input(path, &fd, &st, d)))
        return rc;
    *size = S_ISREG(st.st_mode) ? (size_t)st.st_size : 0;
    return gz_open_fd(fd, path, gz, d);
}

int spamlr__input_read(gzFile gz, char *buf, size_t n, const char *path, size_t done,
                       size_t *got, spamlr_diag *d)
{
    int r, zerr;

    if (n > INT_MAX)
        n = INT_MAX;
    *got = 0;
    r = gzread(gz, buf, (unsigned)n);
    if (r < 0) {
        const char *msg = gzerror(gz, &zerr);

        return spamlr__diag(d, SPAMLR_EIO, path, 0, (long long)done,
                            "read error (after %zu decompressed bytes): %s", done,
                            zerr == Z_ERRNO ? strerror(errno) : msg);
    }
    /* a gzip stream that stops early reads as a short file: zlib only
     * says so through gzerror */
    if (r == 0 && n > 0 && (gzerror(gz, &zerr), zerr == Z_BUF_ERROR))
        return spamlr__diag(d, SPAMLR_EIO, path, 0, -1,
                            "compressed data ends early (truncated after %zu "
                            "decompressed bytes)", done);
    *got = (size_t)r;
    return SPAMLR_OK;
}

int spamlr__slurp(const char *path, char **out, size_t *len, spamlr_diag *d)
{
    gzFile gz = NULL;
    char *buf = NULL, *p;
    size_t n = 0, cap = 0, got, limit = spamlr__input_limit();
    struct stat st;
    int rc = SPAMLR_OK, fd = -1;

    *out = NULL;
    *len = 0;
    if ((rc = open_input(path, &fd, &st, d)))
        return rc;
    /* A regular file that is not gzip-compressed is read in one go into
     * a buffer of its size: no copy through zlib, no regrowing. */
    if (S_ISREG(st.st_mode)) {
        unsigned char magic[2];
        ssize_t m = pread(fd, magic, 2, 0);

        if (m >= 0 && !(m == 2 && magic[0] == 0x1f && magic[1] == 0x8b)) {
            rc = (uint64_t)st.st_size > limit
                 ? spamlr__input_too_big(path, limit, d)
                 : read_plain(fd, path, (size_t)st.st_size, limit, out, len, d);
            close(fd);
            return rc;
        }
    }
    if ((rc = gz_open_fd(fd, path, &gz, d)))
        return rc;
    /* Decompressed (or piped) data grows the buffer by doubling, capped
     * at the limit: a gzip bomb stops after limit + 1 bytes, having used
     * at most about limit + 2 bytes (twice that while one copy moves). */
    for (;;) {
        if (n + 1 >= cap) {
            size_t ncap = next_cap(n, cap, limit);

            if (!ncap) {
                rc = spamlr__input_too_big(path, limit, d);
                goto out;
            }
            if (!(p = spamlr__realloc_big(buf, n, ncap))) {
                rc = spamlr__diag(d, SPAMLR_ENOMEM, path, 0, -1, "out of memory reading file");
                goto out;
            }
            buf = p;
            cap = ncap;
        }
        if ((rc = spamlr__input_read(gz, buf + n, cap - n - 1, path, n, &got, d)))
            goto out;
        if (got == 0)
            break;
        n += got;
    }
    if (n > limit) {
        rc = spamlr__input_too_big(path, limit, d);
        goto out;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    buf = NULL;
out:
    free(buf);
    gzclose(gz);
    return rc;
}

int spamlr_read_file(const char *path, char **out, size_t *len, spamlr_diag *d)
{
    if (spamlr__diag_bad(d))
        return SPAMLR_EINVAL;
    spamlr__diag_clear(d);
    if (out)
        *out = NULL;
    if (len)
        *len = 0;
    if (!path || !out || !len)
        return SPAMLR_EINVAL;
    return spamlr__slurp(path, out, len, d);
}
