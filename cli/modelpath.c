/* modelpath.c - where a user's model lives when -m is not given:
 * $SPAMLR_MODEL, else ~/.spamlr/model.slr (as bogofilter keeps
 * ~/.bogofilter), so mail recipes need no -m on every line. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common.h"

static char home_model[4096];

const char *default_model(const char *cmd)
{
    const char *env = getenv("SPAMLR_MODEL"), *home = getenv("HOME");
    int n;

    if (env && *env)
        return env;
    if (!home || !*home) {
        usage_error(cmd, "no model given (-m MODEL), and neither SPAMLR_MODEL nor HOME is set "
                         "for the default ~/.spamlr/model.slr");
        return NULL;
    }
    n = snprintf(home_model, sizeof home_model, "%s%s.spamlr/model.slr", home,
                 home[strlen(home) - 1] == '/' ? "" : "/");
    if (n < 0 || (size_t)n >= sizeof home_model) {
        usage_error(cmd, "no model given (-m MODEL), and $HOME is too long for the default");
        return NULL;
    }
    return home_model;
}

int default_model_dir(const char *model)
{
    char dir[sizeof home_model];
    char *slash;

    if (model != home_model)
        return 0;
    snprintf(dir, sizeof dir, "%s", model);
    if (!(slash = strrchr(dir, '/')))
        return 0;
    *slash = '\0';
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return runtime_error("%s: cannot create the directory of the default model: %s", dir,
                             strerror(errno));
    return 0;
}
