/* lock.c - the lock file that serialises commands rewriting one model. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
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
