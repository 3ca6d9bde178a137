/* save.c - writing a model file atomically, in place of what was there.
 *
 * A save replaces the file a path names, never the name itself: symbolic
 * links are followed to their target (the link stays a link), the target
 * must be a regular file or missing, the new file gets the old one's mode
 * and owner (a new file 0666 & ~umask, through open()), and it is written
 * as TARGET.tmp-HOST-PID-XXXXXX in the target's directory, fsynced,
 * renamed over the target, and the directory fsynced. Whatever fails
 * before the rename leaves the target as it was and removes the temporary
 * file; a process killed before it leaves the file, which the next writer
 * under the model's lock removes (lock.c). */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "model/model.h"
#include "model/sections.h"

#define MAX_LINKS 40 /* as the kernel's ELOOP limit */

static const char *kind_name(mode_t mode)
{
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISSOCK(mode)) return "a socket";
    if (S_ISLNK(mode)) return "a symbolic link";
    return "not a regular file";
}

/* The target of the link at `link` (st: its lstat) as a path usable from
 * the current directory: a relative target is taken from the link's
 * directory. Returns a malloc'ed string or NULL (errno set). */
static char *follow_link(const char *link, const struct stat *st)
{
    size_t cap = st->st_size > 0 && st->st_size < PATH_MAX ? (size_t)st->st_size + 1 : 256;
    char *t = NULL, *out;
    const char *slash;
    ssize_t k;

    for (;;) {
        char *p = realloc(t, cap);
        if (!p) {
            free(t);
            return NULL;
        }
        t = p;
        if ((k = readlink(link, t, cap)) < 0) {
            free(t);
            return NULL;
        }
        if ((size_t)k < cap)
            break;
        if (cap > SIZE_MAX / 4) {
            free(t);
            errno = ENAMETOOLONG;
            return NULL;
        }
        cap *= 2;
    }
    t[k] = '\0';
    slash = strrchr(link, '/');
    if (t[0] == '/' || !slash)
        return t;
    /* dir of the link + "/" + relative target */
    if (!(out = malloc((size_t)(slash - link) + 1 + (size_t)k + 1))) {
        free(t);
        return NULL;
    }
    memcpy(out, link, (size_t)(slash - link) + 1);
    memcpy(out + (slash - link) + 1, t, (size_t)k + 1);
    free(t);
    return out;
}

int spamlr_model_save_path(char **out, const char *path, spamlr_diag *d)
{
    char *cur, *next;
    struct stat st;
    int hops;

    *out = NULL;
    if (spamlr__diag_bad(d))
        return SPAMLR_EINVAL;
    spamlr__diag_clear(d);
    if (!path || !*path)
        return SPAMLR_EINVAL;
    if (!(cur = strdup(path)))
        return spamlr__diag(d, SPAMLR_ENOMEM, path, 0, -1, "out of memory");
    for (hops = 0; hops <= MAX_LINKS; hops++) {
        if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode)) {
            /* missing (a new file), or the end of the chain; any other
             * problem shows when the file is created */
            *out = cur;
            return SPAMLR_OK;
        }
        if (!(next = follow_link(cur, &st))) {
            int e = errno;
            free(cur);
            return spamlr__diag(d, e == ENOMEM ? SPAMLR_ENOMEM : SPAMLR_EIO, path, 0, -1,
                                "cannot read the symbolic link: %s", strerror(e));
        }
        free(cur);
        cur = next;
    }
    free(cur);
    return spamlr__diag(d, SPAMLR_EIO, path, 0, -1, "cannot follow the symbolic link: %s",
                        strerror(ELOOP));
}

/* The host name as it goes into temporary file names: at most
 * SPAMLR__TEMP_HOST_MAX bytes of letters, digits and '.', "localhost" when
 * there is none. */
void spamlr__temp_host(char *out)
{
    char h[256];
    size_t i, n = 0;

    if (gethostname(h, sizeof h) != 0)
        h[0] = '\0';
    h[sizeof h - 1] = '\0';
    for (i = 0; h[i] && n < SPAMLR__TEMP_HOST_MAX; i++)
        if ((h[i] >= 'a' && h[i] <= 'z') || (h[i] >= 'A' && h[i] <= 'Z') ||
            (h[i] >= '0' && h[i] <= '9') || h[i] == '.')
            out[n++] = h[i];
    if (!n)
        memcpy(out, "localhost", n = 9);
    out[n] = '\0';
}

/* Creates "<target>.tmp-HOST-PID-XXXXXX" (tmp, len bytes, ending in the
 * six X) with O_EXCL, as mkstemp does, but with the given mode so that
 * the umask applies (mkstemp's files are 0600). */
static int create_temp(char *tmp, size_t len, mode_t mode)
{
    static const char abc[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    struct timespec ts;
    uint64_t x;
    int tries, fd;

    clock_gettime(CLOCK_REALTIME, &ts);
    x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^ ((uint64_t)getpid() << 16) ^
        (uint64_t)(uintptr_t)&ts;
    for (tries = 0; tries < 100; tries++) {
        uint64_t y = x += 0x9e3779b97f4a7c15ull * (uint64_t)(tries + 1);

        for (int i = 0; i < 6; i++) {
            tmp[len - 6 + (size_t)i] = abc[y % 62];
            y /= 62;
        }
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    return -1;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n) {
        ssize_t k = write(fd, p, n > (1u << 30) ? (1u << 30) : n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (k == 0) { /* no progress: a full device that does not say so */
            errno = ENOSPC;
            return -1;
        }
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* The directory holding `file`, opened for fsync, or -1 (errno set). */
static int open_dir_of(const char *file)
{
    const char *slash = strrchr(file, '/');
    char *dir;
    int fd;

    if (!slash)
        return open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (!(dir = strdup(file)))
        return -1;
    dir[slash == file ? 1 : slash - file] = '\0';
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    return fd;
}

#define FAIL(code, ...) do { rc = spamlr__diag(d, code, path, 0, -1, __VA_ARGS__); goto out; } while (0)

int spamlr_model_save(const spamlr_model *m, const char *path, spamlr_diag *d)
{
    unsigned char *buf = NULL;
    size_t size;
    int rc;

    if (spamlr__diag_bad(d))
        return SPAMLR_EINVAL;
    spamlr__diag_clear(d);
    if (!m || !path || !*path)
        return SPAMLR_EINVAL;
    if ((rc = spamlr_model_save_buffer(m, &buf, &size)))
        return spamlr__diag(d, rc, path, 0, -1, "cannot serialise the model: %s",
                            spamlr_strerror(rc));
    rc = spamlr__save_bytes(buf, size, path, d);
    free(buf);
    return rc;
}

int spamlr__save_bytes(const unsigned char *buf, size_t size, const char *path,
                       spamlr_diag *d)
{
    char *target = NULL, *tmp = NULL;
    struct stat st;
    size_t tlen;
    int rc, fd = -1, dfd = -1, exists;

    spamlr__diag_clear(d);
    if (!buf || !path || !*path)
        return SPAMLR_EINVAL;
    if ((rc = spamlr_model_save_path(&target, path, d)))
        goto out;
    exists = lstat(target, &st) == 0;
    if (exists && !S_ISREG(st.st_mode)) {
        if (strcmp(target, path) == 0)
            FAIL(SPAMLR_EIO, "is %s, not a regular file; refusing to replace it with a model",
                 kind_name(st.st_mode));
        FAIL(SPAMLR_EIO, "links to %s, which is %s, not a regular file; refusing to replace "
             "it with a model", target, kind_name(st.st_mode));
    }
    {
        char host[SPAMLR__TEMP_HOST_MAX + 1];

        spamlr__temp_host(host);
        tlen = strlen(target) + strlen(host) + 40;
        if (!(tmp = malloc(tlen + 1)))
            FAIL(SPAMLR_ENOMEM, "out of memory");
        const char *slash = strrchr(target, '/');
        size_t base = strlen(slash ? slash + 1 : target);

        /* host and process in the name: the next writer under the lock
         * removes the file if this process dies before the rename (lock.c);
         * a name too long for that (over 255 bytes) gets 0.2's, which
         * stays if its writer dies */
        tlen = (size_t)snprintf(tmp, tlen + 1, "%s.tmp-%s-%ld-XXXXXX", target, host,
                                (long)getpid());
        if (base + (tlen - strlen(target)) > 255)
            tlen = (size_t)snprintf(tmp, tlen + 1, "%s.tmp-XXXXXX", target);
    }
    /* an existing file's mode is set below, before any byte is written */
    if ((fd = create_temp(tmp, tlen, exists ? 0600 : 0666)) < 0) {
        tmp[0] = '\0';
        FAIL(SPAMLR_EIO, "cannot create a temporary file: %s", strerror(errno));
    }
    if (exists) {
        /* the owner first (which may clear set-id bits), where permitted:
         * as root, or to a group the caller belongs to */
        if ((st.st_uid != geteuid() || st.st_gid != getegid()) &&
            fchown(fd, st.st_uid, st.st_gid) != 0 && errno != EPERM)
            FAIL(SPAMLR_EIO, "cannot give the new file the owner of the old one: %s",
                 strerror(errno));
        if (fchmod(fd, st.st_mode & 07777) != 0)
            FAIL(SPAMLR_EIO, "cannot give the new file the mode of the old one: %s",
                 strerror(errno));
    }
    if (write_all(fd, buf, size) != 0 || fsync(fd) != 0)
        FAIL(SPAMLR_EIO, "cannot write the model: %s", strerror(errno));
    {
        int c = close(fd);
        fd = -1;
        if (c != 0)
            FAIL(SPAMLR_EIO, "cannot write the model: %s", strerror(errno));
    }
    /* opened before the rename, so that a failure still keeps the old file */
    if ((dfd = open_dir_of(target)) < 0 && errno != EACCES)
        FAIL(SPAMLR_EIO, "cannot open the directory of the model: %s", strerror(errno));
    if (rename(tmp, target) != 0)
        FAIL(SPAMLR_EIO, "cannot replace the model file: %s", strerror(errno));
    tmp[0] = '\0';
    /* the new model is in place: what fails now is only the durability of
     * the rename, a warning in the diag, not a failure */
    if (dfd < 0)
        spamlr__diag(d, SPAMLR_OK, path, 0, -1, "saved, but the rename may not survive a "
                     "system crash: cannot open the directory: %s", strerror(EACCES));
    else if (fsync(dfd) != 0 && errno != EINVAL)
        spamlr__diag(d, SPAMLR_OK, path, 0, -1, "saved, but the rename may not survive a "
                     "system crash: cannot sync the directory: %s", strerror(errno));
    rc = SPAMLR_OK;
out:
    if (fd >= 0)
        close(fd);
    if (dfd >= 0)
        close(dfd);
    if (tmp && tmp[0])
        unlink(tmp);
    free(tmp);
    free(target);
    return rc;
}
