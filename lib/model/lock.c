/* lock.c - writers of one model file serialised: the lock file
 * TARGET.lock (TARGET the model with its symbolic links followed) and the
 * locked update (lock, load, change, save atomically, unlock). Every
 * spamlr command that rewrites a model takes this lock, so a C program
 * that updates a model through spamlr_model_update loses no update made
 * beside it by the CLI, by another process or by another thread. */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/model.h"

struct spamlr_lock {
    int fd;
};

/* Opens (creating) and locks the lock file `path`. */
static int lock_file(int *fd, const char *path, spamlr_diag *d)
{
    struct stat st;

    /* read-only is enough for flock; O_NOFOLLOW so that a planted link
     * cannot make us create a file elsewhere; O_NONBLOCK so that a FIFO
     * does not hang us before it is refused */
    *fd = open(path, O_RDONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0666);
    if (*fd < 0) {
        if (errno == ELOOP)
            return spamlr__diag(d, SPAMLR_EIO, path, 0, -1,
                                "is a symbolic link; refusing to use it as the lock file");
        return spamlr__diag(d, SPAMLR_EIO, path, 0, -1, "cannot open the lock file: %s",
                            strerror(errno));
    }
    if (fstat(*fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(*fd);
        *fd = -1;
        return spamlr__diag(d, SPAMLR_EIO, path, 0, -1,
                            "is not a regular file; refusing to use it as the lock file");
    }
    while (flock(*fd, LOCK_EX) != 0) {
        int e = errno;
        if (e == EINTR)
            continue;
        close(*fd);
        *fd = -1;
        return spamlr__diag(d, SPAMLR_EIO, path, 0, -1, "cannot lock: %s", strerror(e));
    }
    return SPAMLR_OK;
}

/* The process id in `name` when it is a temporary file of a save of the
 * file `base` by a process of this host, "BASE.tmp-HOST-PID-XXXXXX"
 * (save.c), else 0. */
static long temp_writer(const char *name, const char *base, size_t blen, const char *host)
{
    size_t n = strlen(name), hlen = strlen(host), i;
    long pid = 0;

    if (n < blen + 5 + hlen + 1 + 1 + 7 || memcmp(name, base, blen) != 0 ||
        memcmp(name + blen, ".tmp-", 5) != 0 || memcmp(name + blen + 5, host, hlen) != 0 ||
        name[blen + 5 + hlen] != '-' || name[n - 7] != '-')
        return 0;
    for (i = n - 6; i < n; i++) /* the six random letters and digits */
        if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
              (name[i] >= '0' && name[i] <= '9')))
            return 0;
    for (i = blen + 5 + hlen + 1; i < n - 7; i++) {
        if (name[i] < '0' || name[i] > '9' || pid > 999999999)
            return 0;
        pid = pid * 10 + (name[i] - '0');
    }
    return pid;
}

/* Under the lock of `target`: removes the temporary files that saves of
 * it by processes of this host that no longer exist left behind (a save
 * killed before its rename). A file whose writer lives, or whose writer
 * is on another host or cannot be told, is left alone. Best effort and
 * silent: a file that cannot be removed stays. */
static void remove_stale_temps(const char *target)
{
    char host[SPAMLR__TEMP_HOST_MAX + 1], *dir;
    const char *slash = strrchr(target, '/'), *base = slash ? slash + 1 : target;
    size_t blen = strlen(base);
    struct dirent *e;
    DIR *dp;

    spamlr__temp_host(host);
    if (!(dir = strdup(slash ? target : ".")))
        return;
    if (slash)
        dir[slash == target ? 1 : slash - target] = '\0';
    if ((dp = opendir(dir))) {
        while ((e = readdir(dp))) {
            long pid = temp_writer(e->d_name, base, blen, host);

            if (pid > 0 && pid != (long)getpid() && kill((pid_t)pid, 0) != 0 &&
                errno == ESRCH)
                unlinkat(dirfd(dp), e->d_name, 0);
        }
        closedir(dp);
    }
    free(dir);
}

int spamlr_model_lock(spamlr_lock **out, const char *path, spamlr_diag *d)
{
    char *target = NULL, *name = NULL;
    spamlr_lock *l = NULL;
    size_t n;
    int rc;

    if (out)
        *out = NULL;
    if (spamlr__diag_bad(d))
        return SPAMLR_EINVAL;
    spamlr__diag_clear(d);
    if (!out || !path || !*path)
        return SPAMLR_EINVAL;
    if ((rc = spamlr_model_save_path(&target, path, d)))
        return rc;
    n = strlen(target);
    rc = SPAMLR_ENOMEM;
    if (!(name = malloc(n + sizeof ".lock")) || !(l = malloc(sizeof *l))) {
        spamlr__diag(d, rc, path, 0, -1, "out of memory");
        goto out;
    }
    memcpy(name, target, n);
    memcpy(name + n, ".lock", sizeof ".lock");
    if ((rc = lock_file(&l->fd, name, d)))
        goto out;
    remove_stale_temps(target);
    *out = l;
    l = NULL;
out:
    free(l);
    free(name);
    free(target);
    return rc;
}

void spamlr_model_unlock(spamlr_lock *l)
{
    if (!l)
        return;
    flock(l->fd, LOCK_UN);
    close(l->fd);
    free(l);
}

/* A store user's first model: base itself, with base as its prior (an
 * empty delta on base, loaded). */
static int user_first(spamlr_model **m, const spamlr_model *base, spamlr_diag *d)
{
    unsigned char *buf = NULL;
    size_t n;
    int rc;

    if ((rc = spamlr_model_save_delta_buffer(base, base, &buf, &n, d)) == SPAMLR_OK)
        rc = spamlr_model_load_delta_buffer(m, base, buf, n, d);
    free(buf);
    return rc;
}

/* The locked cycle of both updates: a whole model (base NULL) or a store
 * user's delta on base. */
static int update(const char *path, const spamlr_model *base, spamlr_model_create_fn create,
                  spamlr_model_change_fn change, spamlr_model_change_fn saved, void *ctx,
                  spamlr_diag *d)
{
    spamlr_lock *l = NULL;
    spamlr_model *m = NULL;
    struct stat st;
    int rc, missing;

    if ((rc = spamlr_model_lock(&l, path, d)))
        return rc;
    missing = stat(path, &st) != 0 && errno == ENOENT;
    if (base)
        rc = missing ? user_first(&m, base, d) : spamlr_model_load_delta(&m, base, path, d);
    else if (create && missing) {
        if ((rc = create(ctx, &m)) == SPAMLR_OK && !m)
            rc = SPAMLR_EINVAL;
    } else
        rc = spamlr_model_load(&m, path, d);
    if (rc || (rc = change(ctx, m)) ||
        (rc = base ? spamlr_model_save_delta(m, base, path, d) : spamlr_model_save(m, path, d)))
        goto out;
    /* the lock is still held: what saved sees is the file as written */
    if (saved && saved(ctx, m))
        m = NULL;
out:
    spamlr_model_unlock(l);
    spamlr_model_free(m);
    return rc;
}

int spamlr_model_update(const char *path, spamlr_model_create_fn create,
                        spamlr_model_change_fn change, spamlr_model_change_fn saved, void *ctx,
                        spamlr_diag *d)
{
    if (spamlr__diag_bad(d))
        return SPAMLR_EINVAL;
    spamlr__diag_clear(d);
    if (!path || !*path || !change)
        return SPAMLR_EINVAL;
    return update(path, NULL, create, change, saved, ctx, d);
}

int spamlr_model_update_delta(const char *path, const spamlr_model *base,
                              spamlr_model_change_fn change, spamlr_model_change_fn saved,
                              void *ctx, spamlr_diag *d)
{
    if (spamlr__diag_bad(d))
        return SPAMLR_EINVAL;
    spamlr__diag_clear(d);
    if (!path || !*path || !base || !change)
        return SPAMLR_EINVAL;
    return update(path, base, NULL, change, saved, ctx, d);
}
