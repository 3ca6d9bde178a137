/* faultshim.c - an LD_PRELOAD library that makes one system call of a
 * model save fail, as SQLite's I/O-error tests do (tests/faults.sh).
 *
 *   SPAMLR_FAULT=CALL:N:ERRNO  CALL one of open, write, fsync, close,
 *                              fchmod, fchown, rename; ERRNO ENOSPC or EIO
 *   SPAMLR_FAULT_LOG=FILE      "CALL N" is appended to FILE when it fires
 *
 * Counting starts at the first open() of a path holding ".tmp-" (the
 * save's temporary file, which is open number 1): the Nth call of CALL
 * from then on fails with ERRNO without doing anything, except close(),
 * which closes the descriptor and then fails, as Linux does. Every other
 * call goes through untouched. Not thread-safe; a save runs in one thread. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static int inited, armed, target_errno;
static long target_n;
static char target_call[16];
static long counts[8];
static const char *const calls[] = { "open", "write", "fsync", "close",
                                     "fchmod", "fchown", "rename", NULL };

static void init(void)
{
    const char *s = getenv("SPAMLR_FAULT");
    char e[16];

    inited = 1;
    if (!s || sscanf(s, "%15[a-z]:%ld:%15s", target_call, &target_n, e) != 3)
        return;
    target_errno = strcmp(e, "EIO") == 0 ? EIO : strcmp(e, "ENOSPC") == 0 ? ENOSPC : 0;
}

/* Whether this call (index i in calls) is the one to fail. */
static int fault(int i)
{
    const char *log;
    FILE *f;

    if (!inited)
        init();
    if (!armed || !target_errno)
        return 0;
    counts[i]++;
    if (strcmp(calls[i], target_call) != 0 || counts[i] != target_n)
        return 0;
    if ((log = getenv("SPAMLR_FAULT_LOG")) && (f = fopen(log, "a"))) {
        fprintf(f, "%s %ld\n", target_call, target_n);
        fclose(f);
    }
    errno = target_errno;
    return 1;
}

#define REAL(type, name, args) \
    static type(*real) args;  \
    if (!real)                \
        real = (type(*) args)dlsym(RTLD_NEXT, name)

static int open_common(const char *path)
{
    if (!armed && path && strstr(path, ".tmp-"))
        armed = 1;
    return fault(0);
}

int open(const char *path, int flags, ...)
{
    REAL(int, "open", (const char *, int, ...));
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    if (open_common(path))
        return -1;
    return real(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
    REAL(int, "open64", (const char *, int, ...));
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    if (open_common(path))
        return -1;
    return real(path, flags, mode);
}

ssize_t write(int fd, const void *p, size_t n)
{
    REAL(ssize_t, "write", (int, const void *, size_t));
    return fault(1) ? -1 : real(fd, p, n);
}

int fsync(int fd)
{
    REAL(int, "fsync", (int));
    return fault(2) ? -1 : real(fd);
}

int close(int fd)
{
    REAL(int, "close", (int));
    int e;
    if (!fault(3))
        return real(fd);
    e = errno;
    real(fd);
    errno = e;
    return -1;
}

int fchmod(int fd, mode_t mode)
{
    REAL(int, "fchmod", (int, mode_t));
    return fault(4) ? -1 : real(fd, mode);
}

int fchown(int fd, uid_t u, gid_t g)
{
    REAL(int, "fchown", (int, uid_t, gid_t));
    return fault(5) ? -1 : real(fd, u, g);
}

int rename(const char *a, const char *b)
{
    REAL(int, "rename", (const char *, const char *));
    return fault(6) ? -1 : real(a, b);
}
