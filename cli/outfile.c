/* outfile.c - what a command checks before it writes a file, the locked
 * model save every writer of a model goes through, and the locked
 * load-change-save cycle of learn and serve's TELL (model_update). */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

static const char *kind(mode_t mode)
{
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

/* The directory part of path ("." when it has none); malloc'ed or NULL. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *d;

    if (!slash)
        return strdup(".");
    if (!(d = strdup(path)))
        return NULL;
    d[slash == path ? 1 : slash - path] = '\0';
    return d;
}

int output_check(const char *cmd, const char *opt, const char *out, const char *what)
{
    char *target = NULL, *dir = NULL;
    struct stat st;
    spamlr_diag d = SPAMLR_DIAG_INIT;
    int err, rc = 0;

    if (!*out)
        return usage_error(cmd, "option '%s': the file name is empty", opt);
    if (strcmp(out, "-") == 0)
        return usage_error(cmd, "option '%s': '-' (standard output) is not supported: %s is "
                           "written to a file, atomically; name the file ('./-' for one "
                           "called '-')", opt, what);
    d = (spamlr_diag)SPAMLR_DIAG_INIT;
    if ((err = spamlr_model_save_path(&target, out, &d)) != SPAMLR_OK)
        return report_failure(err, &d, out);
    if (lstat(target, &st) == 0 && !S_ISREG(st.st_mode)) {
        rc = strcmp(target, out) == 0
                 ? runtime_error("%s: is %s, not a regular file; refusing to replace it "
                                 "with %s", out, kind(st.st_mode), what)
                 : runtime_error("%s: links to %s, which is %s, not a regular file; refusing "
                                 "to replace it with %s", out, target, kind(st.st_mode), what);
        goto out;
    }
    if (!(dir = dir_of(target))) {
        rc = report_failure(SPAMLR_ENOMEM, NULL, NULL);
        goto out;
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || access(dir, W_OK | X_OK) != 0) {
        int e = errno ? errno : ENOTDIR;
        if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
            e = ENOTDIR;
        rc = runtime_error("%s: cannot write there: %s: %s", out, dir, strerror(e));
    }
out:
    free(dir);
    free(target);
    return rc;
}

/* Whether the directory `dir` (st: its stat) holds `path`, at any depth. */
static int inside(const char *path, const struct stat *dst)
{
    char *d = dir_of(path), *real, *slash;
    struct stat st;
    int in = 0;

    real = d ? realpath(d, NULL) : NULL;
    free(d);
    if (!real)
        return 0;
    for (;;) {
        if (stat(real, &st) == 0 && st.st_dev == dst->st_dev && st.st_ino == dst->st_ino) {
            in = 1;
            break;
        }
        if (!(slash = strrchr(real, '/')) || slash == real)
            break;
        *slash = '\0';
    }
    if (!in && stat("/", &st) == 0 && st.st_dev == dst->st_dev && st.st_ino == dst->st_ino)
        in = 1;
    free(real);
    return in;
}

int output_vs_input(const char *out, const char *in)
{
    struct stat so, si;
    char *target = NULL;
    int rc = 0;

    if (strcmp(in, "-") == 0 ? fstat(0, &si) != 0 : stat(in, &si) != 0)
        return 0; /* reading it will say what is wrong */
    if (stat(out, &so) == 0 && so.st_dev == si.st_dev && so.st_ino == si.st_ino)
        return runtime_error("%s: is also an input (%s); refusing to overwrite an input",
                             out, strcmp(in, "-") ? in : "standard input");
    if (S_ISDIR(si.st_mode) && spamlr_model_save_path(&target, out, NULL) == SPAMLR_OK &&
        inside(target, &si))
        rc = runtime_error("%s: is inside the input directory %s; refusing to write among "
                           "the messages", out, in);
    free(target);
    return rc;
}

int output_vs_inputs(const char *out, const input_list *l)
{
    size_t i;
    int rc;

    for (i = 0; i < l->n; i++)
        if ((rc = output_vs_input(out, l->items[i].path)) != 0)
            return rc;
    return 0;
}

int model_save_report(const spamlr_model *m, const char *path)
{
    spamlr_diag d = SPAMLR_DIAG_INIT;
    int err;

    err = store_owns(path) ? store_save(m, &d) : spamlr_model_save(m, path, &d);
    if (err != SPAMLR_OK)
        return report_failure(err, &d, path);
    report_diag_warning(&d);
    return 0;
}

spamlr_lock *model_lock(const char *model)
{
    spamlr_lock *l = NULL;
    spamlr_diag d = SPAMLR_DIAG_INIT;
    int err;

    if ((err = spamlr_model_lock(&l, model, &d)) != SPAMLR_OK) {
        report_failure(err, &d, model);
        return NULL;
    }
    return l;
}

void model_unlock(spamlr_lock *lock)
{
    spamlr_model_unlock(lock);
}

int model_save_locked(const spamlr_model *m, const char *path)
{
    spamlr_lock *lock;
    int rc;

    if (!(lock = model_lock(path)))
        return EXIT_RUNTIME;
    rc = model_save_report(m, path);
    model_unlock(lock);
    return rc;
}

/* model_update's callbacks for spamlr_model_update(_delta): each failure
 * is reported here and its exit code (positive) passed through the
 * library. */
typedef struct update {
    const char *path;
    model_change_fn change;
    model_saved_fn saved;
    void *ctx;
    int rc;                 /* a failure of saved (after the save) */
} update;

/* MODEL is missing: an empty model. */
static int update_create(void *ctx, spamlr_model **m)
{
    update *u = ctx;
    int err;

    if ((err = spamlr_model_create(m, NULL)))
        return report_failure(err, NULL, u->path);
    /* a model made to learn is read and rewritten a message at a time:
     * mapped unless told (after the SpamAssassin bootstrap of a folder of
     * each class, 1.9 MB packed and 7.9 MB mapped, bogofilter's word list
     * 6.5 MB; a process that predicts one mail 17.3 -> 5.0 ms, one that
     * learns one 52 -> 25.6 ms: README, "Online learning") */
    err = spamlr_model_set_layout(*m, cli_create_layout >= 0 ? (unsigned)cli_create_layout
                                                             : SPAMLR_LAYOUT_MAPPED);
    if (!err && cli_create_memory) {
        spamlr_online_opts o;

        spamlr_online_opts_init(&o);
        o.memory = cli_create_memory;
        err = spamlr_model_online_setup(*m, &o);
    }
    if (err) {
        spamlr_model_free(*m);
        *m = NULL;
        return report_failure(err, NULL, u->path);
    }
    return 0;
}

static int update_change(void *ctx, spamlr_model *m)
{
    update *u = ctx;
    int rc;

    if ((rc = model_use_contacts(m))) /* as model_open gives it */
        return rc;
    return u->change(m, u->ctx);
}

static int update_saved(void *ctx, spamlr_model *m)
{
    update *u = ctx;
    struct stat st;

    if (stat(u->path, &st) != 0) {
        u->rc = runtime_error("%s: %s", u->path, strerror(errno));
        return 0;
    }
    return u->saved ? u->saved(m, &st, u->ctx) : 0;
}

int model_update(const char *path, int create, model_change_fn change, model_saved_fn saved,
                 void *ctx)
{
    update u = { path, change, saved, ctx, 0 };
    spamlr_diag d = SPAMLR_DIAG_INIT;
    int rc;

    /* a store user's file is a delta on the store's base (store.c) */
    rc = store_owns(path) ? store_update(path, update_change, update_saved, &u, &d)
                          : spamlr_model_update(path, create ? update_create : NULL,
                                                update_change, update_saved, &u, &d);
    if (rc > 0) /* a callback's exit code, reported */
        return rc;
    if (rc < 0) {
        if (d.path[0] == '\0') /* make sure the message names the model */
            snprintf(d.path, sizeof d.path, "%s", path);
        return report_failure(rc, &d, path);
    }
    report_diag_warning(&d);
    return u.rc;
}
