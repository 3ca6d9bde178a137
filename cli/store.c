/* store.c - a per-user model store (--store DIR --user NAME): which file
 * a command reads or updates, and how a user's model is read and written.
 *
 * Layout:
 *   DIR/base.slr          the shared base model (spamlr train -o DIR/base.slr)
 *   DIR/users/NAME.slr    the model of user NAME as a delta on the base
 *                         (spamlr_model_save_delta: the words and online
 *                         state that differ, the user's memory and record),
 *                         made by that user's first learn; a whole model
 *                         there (a store of spamlr 0.2) is read as it is
 *                         and becomes a delta at the user's next learn
 *   DIR/users/NAME.slr.lock, DIR/base.slr.lock   the lock files of model_lock
 * A reader (filter, predict, explain, inspect) takes the base plus the
 * user's delta when the user has one, else the base. A writer (learn)
 * updates the user's delta under its own lock, so users never wait for
 * each other. A delta applies to the very base it was made on (its
 * checksum is recorded): after the base is replaced, loading the user's
 * model fails with a message saying so. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common.h"

const char *cli_store, *cli_user;

static char user_path[4096], base_path[4096];
static spamlr_model *base;   /* the base, loaded once a process */

int store_take(int id, const char *v)
{
    if (id == OPT_STORE)
        cli_store = v;
    else
        cli_user = v;
    return 0;
}

/* The options' own checks: --user needs --store, --store excludes -m. */
static int store_paths(const char *cmd, const char *model)
{
    int n;

    if (cli_user && !cli_store)
        return usage_error(cmd, "--user NAME picks a model in a store: give --store DIR too");
    if (model)
        return usage_error(cmd, "give either -m MODEL or --store DIR, not both");
    if (!*cli_store)
        return usage_error(cmd, "option '--store': the directory name is empty");
    n = snprintf(base_path, sizeof base_path, "%s/base.slr", cli_store);
    if (n < 0 || (size_t)n >= sizeof base_path)
        return usage_error(cmd, "--store: the directory name is too long");
    if (cli_user) { /* the library checks the name */
        char *p = NULL;
        spamlr_diag d = SPAMLR_DIAG_INIT;
        int err = spamlr_store_user_path(&p, cli_store, cli_user, strlen(cli_user), &d);
        if (err == SPAMLR_EINVAL)
            return usage_error(cmd, "--user: %s", d.message);
        if (err)
            return report_failure(err, &d, NULL);
        n = snprintf(user_path, sizeof user_path, "%s", p);
        free(p);
        if (n < 0 || (size_t)n >= sizeof user_path)
            return usage_error(cmd, "--store: the directory name is too long");
    }
    return 0;
}

int store_read_model(const char *cmd, const char **model)
{
    struct stat st;
    int rc;

    if (!cli_store && !cli_user)
        return 0;
    if ((rc = store_paths(cmd, *model)))
        return rc;
    /* a user's model appears by an atomic rename: either file is whole */
    *model = cli_user && stat(user_path, &st) == 0 ? user_path : base_path;
    return 0;
}

int store_write_model(const char *cmd, const char **model)
{
    char users[sizeof user_path];
    struct stat st;
    int rc;

    if (!cli_store && !cli_user)
        return 0;
    if ((rc = store_paths(cmd, *model)))
        return rc;
    if (!cli_user)
        return usage_error(cmd, "--store DIR: say whose model learns with --user NAME (the "
                                "base is replaced with 'spamlr train -o DIR/base.slr')");
    if (stat(user_path, &st) != 0) {
        if (errno != ENOENT)
            return runtime_error("%s: %s", user_path, strerror(errno));
        if (stat(base_path, &st) != 0)
            return runtime_error("%s: %s; a store needs its base model ('spamlr train -o "
                                 "%s')", base_path, strerror(errno), base_path);
        snprintf(users, sizeof users, "%s/users", cli_store);
        if (mkdir(users, 0777) != 0 && errno != EEXIST)
            return runtime_error("%s: cannot create the users' directory: %s", users,
                                 strerror(errno));
    }
    *model = user_path;
    return 0;
}

int store_owns(const char *path)
{
    return cli_store && path && path == user_path;
}

static int load_base(spamlr_diag *d)
{
    return base ? SPAMLR_OK : spamlr_model_load(&base, base_path, d);
}

int store_load(spamlr_model **m, const char *path, spamlr_diag *d)
{
    int err;

    *m = NULL;
    if ((err = load_base(d)))
        return err;
    return spamlr_model_load_delta(m, base, path, d);
}

int store_update(const char *path, spamlr_model_change_fn change, spamlr_model_change_fn saved,
                 void *ctx, spamlr_diag *d)
{
    int err;

    if ((err = load_base(d)))
        return err;
    return spamlr_model_update_delta(path, base, change, saved, ctx, d);
}

int store_save(const spamlr_model *m, spamlr_diag *d)
{
    int err;

    if ((err = load_base(d)))
        return err;
    return spamlr_model_save_delta(m, base, user_path, d);
}
