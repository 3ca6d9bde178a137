/* lock.c - the lock file that serialises commands rewriting one model. */
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
    char *target = NULL, *path = NULL;
    struct stat st;
    spamlr_diag d = SPAMLR_DIAG_INIT;
    size_t n;
    int fd = -1, err;

    d = (spamlr_diag)SPAMLR_DIAG_INIT;
    if ((err = spamlr_model_save_path(&target, model, &d)) != SPAMLR_OK) {
        report_failure(err, &d, model);
        return -1;
    }
    n = strlen(target);
    if (!(path = malloc(n + 6))) {
        report_failure(SPAMLR_ENOMEM, NULL, NULL);
        goto out;
    }
    memcpy(path, target, n);
    memcpy(path + n, ".lock", 6);
    /* read-only is enough for flock; O_NOFOLLOW so that a planted link
     * cannot make us create a file elsewhere; O_NONBLOCK so that a FIFO
     * does not hang us before it is refused */
    fd = open(path, O_RDONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0666);
    if (fd < 0) {
        if (errno == ELOOP)
            runtime_error("%s: is a symbolic link; refusing to use it as the lock file", path);
        else
            runtime_error("%s: cannot open the lock file: %s", path, strerror(errno));
        goto out;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        runtime_error("%s: is not a regular file; refusing to use it as the lock file", path);
        close(fd);
        fd = -1;
        goto out;
    }
    while (flock(fd, LOCK_EX) != 0) {
        if (errno == EINTR)
            continue;
        runtime_error("%s: cannot lock: %s", path, strerror(errno));
        close(fd);
        fd = -1;
        goto out;
    }
out:
    free(path);
    free(target);
    return fd;
}

void model_unlock(int fd)
{
    if (fd >= 0) {
        flock(fd, LOCK_UN);
        close(fd);
    }
}
