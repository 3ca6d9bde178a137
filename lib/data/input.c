/* input.c - opening and reading one input file: plain, gzip-compressed
 * (through zlib) or standard input ("-"), whole or in pieces. */
#define _GNU_SOURCE /* preadv2, RWF_NOWAIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
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

/* The end of a whole-file read: the n bytes at *buf (room for a NUL
 * after them) become *out and *len, or, past the limit, an error (the
 * buffer then stays the caller's to free). */
static int hand_over(char **buf, size_t n, size_t limit, const char *path, char **out,
                     size_t *len, spamlr_diag *d)
{
    if (n > limit)
        return spamlr__input_too_big(path, limit, d);
    (*buf)[n] = '\0';
    *out = *buf;
    *len = n;
    *buf = NULL;
    return SPAMLR_OK;
}

/* Reads the whole of regular file fd (fstat gave `size` bytes; it may
 * have changed since) into *buf (*cap bytes; NULL and 0 for a new one),
 * grown as it needs, NUL-terminated; *len the bytes read. The first read
 * asks for size + 1 bytes: when it gives exactly `size` the file ended
 * there, and no second read is needed to see the end (a file that grew
 * fills the buffer and is read on; one that shrank, or reads as other
 * than its size, such as /proc's files of size 0, is read until a read
 * gives 0). On an error *buf (grown or not) stays the caller's. */
static int read_plain(int fd, const char *path, size_t size, size_t limit, char **buf,
                      size_t *cap, size_t *len, int *cold, spamlr_diag *d)
{
    size_t n = 0;
    char *p;
    int probe = cold != NULL;

    if (*cap < size + 2) { /* one spare byte shows the end; one for NUL */
        if (!(p = spamlr__alloc_big(size + 2)))
            return spamlr__diag(d, SPAMLR_ENOMEM, path, 0, -1, "out of memory reading file");
        free(*buf);
        *buf = p;
        *cap = size + 2;
    }
    for (;;) {
        size_t want;
        ssize_t got;

        if (n + 1 == *cap) { /* the file grew meanwhile */
            size_t ncap = next_cap(n, *cap, limit);

            if (!ncap)
                return spamlr__input_too_big(path, limit, d);
            if (!(p = spamlr__realloc_big(*buf, n, ncap)))
                return spamlr__diag(d, SPAMLR_ENOMEM, path, 0, -1, "out of memory reading file");
            *buf = p;
            *cap = ncap;
        }
        want = *cap - 1 - n;
#if defined(RWF_NOWAIT)
        if (probe) {
            /* the first read only takes what the page cache holds: less
             * than the file (or nothing, EAGAIN) means it is being read
             * from the disk, which *cold tells the caller */
            struct iovec v;

            probe = 0;
            v.iov_base = *buf;
            v.iov_len = want;
            got = preadv2(fd, &v, 1, -1, RWF_NOWAIT);
            if (got < 0 && errno == EAGAIN)
                *cold = 1;
            if (got < 0)
                continue;   /* EAGAIN, or no RWF_NOWAIT here: read as ever */
            if ((size_t)got < size && (size_t)got < want)
                *cold = 1;
        } else
#endif
            got = read(fd, *buf + n, want);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int e = errno;

            return spamlr__diag(d, SPAMLR_EIO, path, 0, (long long)n, "read error: %s",
                                strerror(e));
        }
        if (got == 0)
            break;
        n += (size_t)got;
        if (n == size && (size_t)got < want) /* all of it, and a short read: the end */
            break;
    }
    if (n > limit)
        return spamlr__input_too_big(path, limit, d);
    (*buf)[n] = '\0';
    *len = n;
    return SPAMLR_OK;
}

/* The error for a directory given where a file was expected. */
static int is_a_directory(const char *path, spamlr_diag *d)
{
    return spamlr__diag(d, SPAMLR_EIO, path, 0, -1, "is a directory, expected a file");
}

/* Opens path for reading ("-" = a duplicate of standard input) and fills
 * *st from the descriptor (st_mode 0 for "-"): one open and one fstat. A
 * directory is refused, or, when dir_ok, leaves *fd at -1 and S_ISDIR in
 * st->st_mode for the caller to walk (also one that cannot be opened: it
 * is still named a directory, and the walk says why it cannot be read). */
static int open_input(const char *path, int dir_ok, int *fd, struct stat *st, spamlr_diag *d)
{
    memset(st, 0, sizeof *st);
    *fd = -1;
    if (strcmp(path, "-") == 0) {
        if ((*fd = dup(0)) < 0)
            return spamlr__diag(d, SPAMLR_EIO, "-", 0, -1, "cannot read standard input: %s",
                                strerror(errno));
        return SPAMLR_OK;
    }
    if ((*fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        int e = errno;

        if (stat(path, st) == 0 && S_ISDIR(st->st_mode))
            return dir_ok ? SPAMLR_OK : is_a_directory(path, d);
        memset(st, 0, sizeof *st);
        return spamlr__diag(d, SPAMLR_EIO, path, 0, -1, "cannot open: %s", strerror(e));
    }
    if (fstat(*fd, st) != 0) {
        int e = errno;

        close(*fd);
        *fd = -1;
        memset(st, 0, sizeof *st);
        return spamlr__diag(d, SPAMLR_EIO, path, 0, -1, "cannot open: %s", strerror(e));
    }
    if (S_ISDIR(st->st_mode)) {
        close(*fd);
        *fd = -1;
        return dir_ok ? SPAMLR_OK : is_a_directory(path, d);
    }
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
    if ((rc = open_input(path, 0, &fd, &st, d)))
        return rc;
    *size = S_ISREG(st.st_mode) ? (size_t)st.st_size : 0;
    return gz_open_fd(fd, path, gz, d);
}

/* The SPAMLR_EIO error of gzip data that stops early, after `done`
 * decompressed bytes. */
static int ends_early(const char *path, size_t done, spamlr_diag *d)
{
    return spamlr__diag(d, SPAMLR_EIO, path, 0, -1,
                        "compressed data ends early (truncated after %zu "
                        "decompressed bytes)", done);
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
        return ends_early(path, done, d);
    *got = (size_t)r;
    return SPAMLR_OK;
}

/* Grows *buf (holding `have` bytes, *cap allocated) by doubling, up to
 * limit + 2 bytes in all: a stream longer than the limit is refused after
 * limit + 1 bytes (a gzip bomb stops there). */
static int grow_buffer(char **buf, size_t *cap, size_t have, size_t limit, const char *path,
                       spamlr_diag *d)
{
    size_t ncap = next_cap(have, *cap, limit);
    char *p;

    if (!ncap)
        return spamlr__input_too_big(path, limit, d);
    if (!(p = spamlr__realloc_big(*buf, have, ncap)))
        return spamlr__diag(d, SPAMLR_ENOMEM, path, 0, -1, "out of memory reading file");
    *buf = p;
    *cap = ncap;
    return SPAMLR_OK;
}

/* Decompresses the gzip data in[0, n) that was read whole into a
 * NUL-terminated malloc'ed buffer of at most `limit` bytes, as zlib's
 * gzread would read the file: member after member, bytes after a member
 * that do not start another one ignored, a stream that stops early an
 * error. The buffer grows by doubling up to the limit, so that a gzip
 * bomb stops after limit + 1 bytes. */
static int gunzip_buffer(const unsigned char *in, size_t n, const char *path, size_t limit,
                         char **out, size_t *len, spamlr_diag *d)
{
    z_stream zs;
    char *buf = NULL;
    size_t used = 0, have = 0, cap = 0;
    int rc = SPAMLR_OK, zrc;

    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 15 + 16) != Z_OK) /* gzip only */
        return spamlr__diag(d, SPAMLR_ENOMEM, path, 0, -1, "out of memory reading file");
    for (;;) {
        size_t in_now = n - used < UINT_MAX ? n - used : UINT_MAX, out_now;

        if (have + 1 >= cap && (rc = grow_buffer(&buf, &cap, have, limit, path, d)))
            goto out;
        out_now = cap - 1 - have < UINT_MAX ? cap - 1 - have : UINT_MAX;
        zs.next_in = (Bytef *)(uintptr_t)(in + used);
        zs.avail_in = (uInt)in_now;
        zs.next_out = (Bytef *)(buf + have);
        zs.avail_out = (uInt)out_now;
        zrc = inflate(&zs, Z_NO_FLUSH);
        used += in_now - zs.avail_in;
        have += out_now - zs.avail_out;
        if (zrc == Z_STREAM_END) {
            if (n - used >= 2 && in[used] == 0x1f && in[used + 1] == 0x8b) {
                inflateReset(&zs); /* another member follows */
                continue;
            }
            break;
        }
        if (zrc == Z_MEM_ERROR) {
            rc = spamlr__diag(d, SPAMLR_ENOMEM, path, 0, -1, "out of memory reading file");
            goto out;
        }
        if (zrc != Z_OK && zrc != Z_BUF_ERROR) {
            rc = spamlr__diag(d, SPAMLR_EIO, path, 0, (long long)have,
                              "read error (after %zu decompressed bytes): %s", have,
                              zs.msg ? zs.msg : "compressed data error");
            goto out;
        }
        if ((used == n || zrc == Z_BUF_ERROR) && zs.avail_out > 0) {
            /* all the input used, the stream unfinished */
            rc = ends_early(path, have, d);
            goto out;
        }
    }
    rc = hand_over(&buf, have, limit, path, out, len, d);
out:
    inflateEnd(&zs);
    free(buf);
    return rc;
}

/* Reads what zlib's reader gz gives (plain or decompressed; piped or not)
 * into a NUL-terminated malloc'ed buffer, and closes gz. The buffer grows
 * by doubling, capped at the limit: a gzip bomb stops after limit + 1
 * bytes, having used at most about limit + 2 bytes (twice that while one
 * copy moves). */
static int slurp_stream(gzFile gz, const char *path, size_t limit, char **out, size_t *len,
                        spamlr_diag *d)
{
    char *buf = NULL;
    size_t n = 0, cap = 0, got;
    int rc = SPAMLR_OK;

    for (;;) {
        if (n + 1 >= cap && (rc = grow_buffer(&buf, &cap, n, limit, path, d)))
            goto out;
        if ((rc = spamlr__input_read(gz, buf + n, cap - n - 1, path, n, &got, d)))
            goto out;
        if (got == 0)
            break;
        n += got;
    }
    rc = hand_over(&buf, n, limit, path, out, len, d);
out:
    free(buf);
    gzclose(gz);
    return rc;
}

/* Whether the two bytes at p are gzip's magic number. */
static int gzip_magic(const unsigned char *p)
{
    return p[0] == 0x1f && p[1] == 0x8b;
}

/* spamlr__slurp_path and spamlr__slurp_reuse: a regular file of up to
 * `keep` bytes is read into *buf (*cap bytes, grown as it needs, the
 * caller's whatever happens) and *out points into it (*own 0); anything
 * else ends in a buffer of its own (*own 1: the caller frees *out). */
static int slurp_into(const char *path, char **buf, size_t *cap, size_t keep, char **out,
                      size_t *len, int *is_dir, int *own, int *cold, int pre,
                      uint64_t pre_size, spamlr_diag *d)
{
    gzFile gz = NULL;
    char *raw = NULL, **into;
    size_t n = 0, rcap = 0, *into_cap, limit = spamlr__input_limit();
    struct stat st;
    int rc, fd = -1;

    *out = NULL;
    *len = 0;
    *own = 1;
    if (is_dir)
        *is_dir = 0;
    /* a regular file opened ahead (spamlr__prefetch), its size as it was
     * then (read_plain reads on to the end whatever it is now) */
    memset(&st, 0, sizeof st);
    if (pre >= 0) {
        fd = pre;
        st.st_mode = S_IFREG;
        st.st_size = (off_t)pre_size;
    } else if ((rc = open_input(path, is_dir != NULL, &fd, &st, d))) {
        return rc;
    }
    if (S_ISDIR(st.st_mode)) {
        *is_dir = 1;
        return SPAMLR_OK;
    }
    /* A regular file is read whole in one read into a buffer of its size
     * (open, fstat, read, close); gzip-compressed data is then
     * decompressed from that buffer. */
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size <= limit) {
        int kept = (uint64_t)st.st_size < keep - 1;

        into = kept ? buf : &raw;
        into_cap = kept ? cap : &rcap;
        rc = read_plain(fd, path, (size_t)st.st_size, limit, into, into_cap, &n, cold, d);
        close(fd);
        if (!rc && (n < 2 || !gzip_magic((unsigned char *)*into))) {
            *out = *into;
            *len = n;
            *own = !kept;
            return SPAMLR_OK;
        }
        if (!rc)
            rc = gunzip_buffer((unsigned char *)*into, n, path, limit, out, len, d);
        free(raw);
        return rc;
    }
    /* A file larger than the limit is refused unread unless it is
     * compressed; pipes, devices and standard input are read through
     * zlib's reader, in pieces, as they come. */
    if (S_ISREG(st.st_mode)) {
        unsigned char magic[2];
        ssize_t m = pread(fd, magic, 2, 0);

        if (m >= 0 && !(m == 2 && gzip_magic(magic))) {
            close(fd);
            return spamlr__input_too_big(path, limit, d);
        }
    }
    if ((rc = gz_open_fd(fd, path, &gz, d)))
        return rc;
    return slurp_stream(gz, path, limit, out, len, d);
}

int spamlr__slurp_path(const char *path, char **out, size_t *len, int *is_dir, spamlr_diag *d)
{
    char *buf = NULL;
    size_t cap = 0;
    int own, rc = slurp_into(path, &buf, &cap, SIZE_MAX, out, len, is_dir, &own, NULL, -1, 0, d);

    if (rc || own)
        free(buf);
    return rc;
}

int spamlr__slurp_reuse(const char *path, spamlr__rbuf *rb, char **out, size_t *len,
                        int *is_dir, int *own, spamlr_diag *d)
{
    uint64_t size = rb->pre_size;
    int pre = -1;

    if (rb->pre >= 0 && rb->pre_path == path) { /* opened ahead for this read */
        pre = rb->pre;
        rb->pre = -1;
    }
    spamlr__rbuf_give(rb, -1, 0, NULL);
    /* (no probe once the list is known to come from the disk) */
    return slurp_into(path, &rb->p, &rb->cap, SPAMLR__RBUF_KEEP, out, len, is_dir, own,
                      rb->cold ? NULL : &rb->cold, pre, size, d);
}

int spamlr__prefetch(const char *path, uint64_t *size)
{
    struct stat st;
    int fd;

    /* regular files only: a FIFO, a device or standard input is opened
     * in its turn, as ever, not ahead of it */
    if (strcmp(path, "-") == 0 || stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
        (uint64_t)st.st_size > spamlr__input_limit())
        return -1;
    /* (non-blocking: a FIFO put there since the stat would not block) */
    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0)
        return -1;
#if defined(POSIX_FADV_WILLNEED)
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED);
#endif
    *size = (uint64_t)st.st_size;
    return fd;
}

void spamlr__rbuf_give(spamlr__rbuf *rb, int fd, uint64_t size, const char *path)
{
    if (rb->pre >= 0)
        close(rb->pre);
    rb->pre = fd;
    rb->pre_size = size;
    rb->pre_path = fd >= 0 ? path : NULL;
}

void spamlr__rbuf_free(spamlr__rbuf *rb)
{
    free(rb->p);
    rb->p = NULL;
    rb->cap = 0;
    spamlr__rbuf_give(rb, -1, 0, NULL);
}

int spamlr__slurp(const char *path, char **out, size_t *len, spamlr_diag *d)
{
    return spamlr__slurp_path(path, out, len, NULL, d);
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
