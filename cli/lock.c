/* lock.c - the lock file that serialises commands rewriting one model, and
 * the locked load-change-save cycle they share (learn, serve's TELL). */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

int model_lock(const char *model)
{
    size_t n = strlen(model);
    char *path = malloc(n + 6);
    int fd;

    if (!path) {
        report_failure(SPAMLR_ENOMEM, NULL, NULL);
        return -1;
    }
    memcpy(path, model, n);
    memcpy(path + n, ".lock", 6);
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        runtime_error("%s: cannot open the lock file: %s", path, strerror(errno));
        free(path);
        return -1;
    }
    while (flock(fd, LOCK_EX) != 0) {
        if (errno == EINTR)
            continue;
        runtime_error("%s: cannot lock: %s", path, strerror(errno));
        close(fd);
        free(path);
        return -1;
    }
    free(path);
    return fd;
}

void model_unlock(int fd)
{
    if (fd >= 0) {
        flock(fd, LOCK_UN);
        close(fd);
    }
}

/* Loads path, or creates an empty model with create when it is missing. */
static int open_or_create(const char *path, int create, spamlr_model **m)
{
    struct stat st;
    int err;

    if (create && stat(path, &st) != 0 && errno == ENOENT) {
        err = spamlr_model_create(m, NULL);
        return err ? report_failure(err, NULL, path) : 0;
    }
    return model_open(m, path);
}

int model_update(const char *path, int create, model_change_fn change, model_saved_fn saved,
                 void *ctx)
{
    spamlr_model *m = NULL;
    spamlr_diag d;
    struct stat st;
    int rc, err, lock;

    if ((lock = model_lock(path)) < 0)
        return EXIT_RUNTIME;
    if ((rc = open_or_create(path, create, &m)) || (rc = change(m, ctx)))
        goto out;
    memset(&d, 0, sizeof d);
    if ((err = spamlr_model_save(m, path, &d))) {
        rc = report_failure(err, &d, path);
        goto out;
    }
    if (stat(path, &st) != 0) {
        rc = runtime_error("%s: %s", path, strerror(errno));
        goto out;
    }
    if (saved && saved(m, &st, ctx))
        m = NULL;
    rc = EXIT_OK;
out:
    model_unlock(lock);
    spamlr_model_free(m);
    return rc;
}
