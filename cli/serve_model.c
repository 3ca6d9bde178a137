/* serve_model.c - the model `spamlr serve` answers with: one loaded model
 * shared read-only by every worker, reference-counted so that a reload
 * (SIGHUP, a changed file) or a TELL swaps in a new one while requests in
 * flight finish on the one they started with; with --store, the users'
 * models on that base (a small cache, read again when a user's file or
 * the base changes) and their TELLs. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "serve.h"

static served_model *served_new(spamlr_model *m)
{
    served_model *sm = calloc(1, sizeof *sm);
    spamlr_model_info info = SPAMLR_MODEL_INFO_INIT;

    if (!sm)
        return NULL;
    spamlr_model_info_get(m, &info);
    sm->m = m;
    sm->threshold = info.threshold;
    sm->refs = 1;
    return sm;
}

static int same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Puts sm in the slot (taking its reference), the file it came from being
 * id; the slot's reference to the old model is dropped. */
static void install(model_slot *s, served_model *sm, const struct stat *id)
{
    served_model *old;

    pthread_mutex_lock(&s->mu);
    old = s->cur;
    s->cur = sm;
    s->id = *id;
    s->gen++;
    pthread_mutex_unlock(&s->mu);
    if (old)
        slot_put(s, old);
}

int slot_init(model_slot *s, const char *path)
{
    spamlr_model *m = NULL;
    served_model *sm;
    struct stat st;
    int rc;

    memset(s, 0, sizeof *s);
    s->path = path;
    pthread_mutex_init(&s->mu, NULL);
    if (stat(path, &st) != 0)
        return runtime_error("%s: %s", path, strerror(errno));
    if ((rc = model_open(&m, path)))
        return rc;
    if (!(sm = served_new(m))) {
        spamlr_model_free(m);
        return report_failure(SPAMLR_ENOMEM, NULL, path);
    }
    install(s, sm, &st);
    return 0;
}

void slot_fini(model_slot *s)
{
    if (s->cur)
        slot_put(s, s->cur);
    s->cur = NULL;
    pthread_mutex_destroy(&s->mu);
}

/* slot_get, and (gen not NULL) the count of installs, which names the
 * base it got. */
static served_model *slot_get_gen(model_slot *s, unsigned long *gen)
{
    served_model *sm;

    pthread_mutex_lock(&s->mu);
    sm = s->cur;
    sm->refs++;
    if (gen)
        *gen = s->gen;
    pthread_mutex_unlock(&s->mu);
    return sm;
}

served_model *slot_get(model_slot *s)
{
    return slot_get_gen(s, NULL);
}

void slot_put(model_slot *s, served_model *sm)
{
    unsigned left;

    pthread_mutex_lock(&s->mu);
    left = --sm->refs;
    pthread_mutex_unlock(&s->mu);
    if (left == 0) {
        spamlr_model_free(sm->m);
        free(sm);
    }
}

int slot_reload(model_slot *s, int force)
{
    spamlr_model *m = NULL;
    served_model *sm;
    struct stat before, after;
    unsigned long gen;
    int unchanged;

    if (stat(s->path, &before) != 0)
        return 0; /* between a rename and the next, or gone: keep serving */
    pthread_mutex_lock(&s->mu);
    gen = s->gen;
    unchanged = same_file(&before, &s->id);
    pthread_mutex_unlock(&s->mu);
    if (unchanged && !force)
        return 0;
    if (model_open(&m, s->path))
        return -1;
    /* the file replaced while it was read: the next look takes the new one */
    if (stat(s->path, &after) != 0 || !same_file(&before, &after) || !(sm = served_new(m))) {
        spamlr_model_free(m);
        return 0;
    }
    pthread_mutex_lock(&s->mu);
    if (s->gen != gen) { /* a TELL installed a newer model meanwhile */
        pthread_mutex_unlock(&s->mu);
        slot_put(s, sm);
        return 0;
    }
    pthread_mutex_unlock(&s->mu);
    install(s, sm, &before);
    return 1;
}

/* ---------------------------------------------------------------- TELL */

typedef struct tell_ctx {
    model_slot *slot;
    spamlr_scratch *scratch;
    const char *msg;
    size_t len;
    const spamd_request *req;
    unsigned did_set, did_remove;
    int code;
    const char *why;
} tell_ctx;

enum { TELL_NOTHING = 100 }; /* change() did nothing: no save */

/* What a TELL asks of the local model, for both a single model and a
 * store's user: -1 when it asks to learn or forget (t set up for
 * tell_change), else the reply code (why set when it is an error). */
static int tell_start(tell_ctx *t, spamlr_scratch *scratch, const char *msg, size_t len,
                      const spamd_request *req, unsigned *did_set, unsigned *did_remove,
                      const char **why)
{
    *did_set = *did_remove = 0;
    if ((req->set & SPAMD_DB_LOCAL) && req->msg_class < 0) {
        *why = "Set without Message-class";
        return SPAMD_EX_PROTOCOL;
    }
    if (!((req->set | req->remove) & SPAMD_DB_LOCAL))
        return SPAMD_EX_OK; /* only "remote" asked for: there is none */
    memset(t, 0, sizeof *t);
    t->scratch = scratch;
    t->msg = msg;
    t->len = len;
    t->req = req;
    t->code = SPAMD_EX_SOFTWARE;
    t->why = "the model could not be updated";
    return -1;
}

/* The model's record of learned messages decides, as spamd's bayes_seen
 * does: a forget unlearns with the class the message was learned as (a
 * message never learned: nothing to forget), and a Set of a message
 * already learned with that class does nothing. Either way the reply then
 * lacks the DidRemove/DidSet field, which spamc reports as "Message was
 * already un/learned", as spamd answers. */
static int tell_change(spamlr_model *m, void *ctx)
{
    tell_ctx *t = ctx;
    const spamd_request *req = t->req;
    int err, out = 0;

    if (req->remove & SPAMD_DB_LOCAL) {
        err = spamlr_model_learn_ex(m, t->scratch, t->msg, t->len, SPAMLR_UNLABELLED, -1,
                                    NULL, &out);
        if (err == 0)
            t->did_remove = SPAMD_DB_LOCAL;
        else if (err != SPAMLR_ENOTFOUND && err != SPAMLR_EINVAL) /* nothing to forget */
            goto fail;
    }
    if (req->set & SPAMD_DB_LOCAL) {
        if ((err = spamlr_model_learn_ex(m, t->scratch, t->msg, t->len, req->msg_class, 1,
                                         NULL, &out)))
            goto fail;
        if (out != SPAMLR_LEARNED_ALREADY)
            t->did_set = SPAMD_DB_LOCAL;
    }
    return t->did_set || t->did_remove ? 0 : TELL_NOTHING;
fail:
    t->code = err == SPAMLR_ENOMEM ? SPAMD_EX_OSERR : SPAMD_EX_SOFTWARE;
    t->why = err == SPAMLR_EUNSUPPORTED ? "this model cannot learn online" : spamlr_strerror(err);
    return EXIT_RUNTIME;
}

/* Called with MODEL.lock still held: the saved model is served from now. */
static int tell_saved(spamlr_model *m, const struct stat *st, void *ctx)
{
    tell_ctx *t = ctx;
    served_model *sm = served_new(m);

    if (!sm)
        return 0; /* the file is right; the next look at it loads it */
    install(t->slot, sm, st);
    return 1;
}

int slot_tell(model_slot *s, spamlr_scratch *scratch, const char *msg, size_t len,
              const spamd_request *req, unsigned *did_set, unsigned *did_remove,
              const char **why)
{
    tell_ctx t;
    int rc;

    if ((rc = tell_start(&t, scratch, msg, len, req, did_set, did_remove, why)) >= 0)
        return rc;
    t.slot = s;
    rc = model_update(s->path, 0, tell_change, tell_saved, &t);
    if (rc == TELL_NOTHING)
        return SPAMD_EX_OK;
    if (rc) {
        *why = t.why;
        return t.code;
    }
    *did_set = t.did_set;
    *did_remove = t.did_remove;
    return SPAMD_EX_OK;
}

/* ------------------------------------------------------ per-user models */

void users_init(user_cache *c, const char *dir)
{
    memset(c, 0, sizeof *c);
    pthread_mutex_init(&c->mu, NULL);
    c->dir = dir;
}

/* Drops a reference to a user's model; with c->mu held. */
static void user_unref(served_model *sm)
{
    if (--sm->refs == 0) {
        spamlr_model_free(sm->m);
        free(sm);
    }
}

void users_fini(user_cache *c)
{
    unsigned i;

    for (i = 0; i < USER_CACHE; i++)
        if (c->e[i].sm)
            user_unref(c->e[i].sm);
    pthread_mutex_destroy(&c->mu);
}

void served_put(serve_server *srv, served_model *sm)
{
    if (!sm->user) {
        slot_put(&srv->slot, sm);
        return;
    }
    pthread_mutex_lock(&srv->users.mu);
    user_unref(sm);
    pthread_mutex_unlock(&srv->users.mu);
}

/* The file of `user` in the store (malloc'ed), or NULL with *code and
 * *why when the name is none (the library's rules: no '/', no leading
 * '.', ...). */
static char *user_file(const user_cache *c, const char *user, int *code, const char **why)
{
    spamlr_diag d = SPAMLR_DIAG_INIT;
    char *p = NULL;
    int err = spamlr_store_user_path(&p, c->dir, user, strlen(user), &d);

    if (err == SPAMLR_OK)
        return p;
    *code = err == SPAMLR_EINVAL ? SPAMD_EX_NOUSER : SPAMD_EX_OSERR;
    *why = err == SPAMLR_EINVAL ? "User is not a user name of the store" : "out of memory";
    return NULL;
}

static user_entry *cache_find(user_cache *c, const char *name)
{
    unsigned i;

    for (i = 0; i < USER_CACHE; i++)
        if (c->e[i].sm && strcmp(c->e[i].name, name) == 0)
            return &c->e[i];
    return NULL;
}

/* Keeps sm (a user's new model) as name's, read from the file st on the
 * base of install count gen; the cache takes a reference. With c->mu. */
static void cache_put(user_cache *c, const char *name, served_model *sm, const struct stat *st,
                      unsigned long gen)
{
    user_entry *e = cache_find(c, name);

    if (!e) {
        e = &c->e[c->next];
        c->next = (c->next + 1) % USER_CACHE;
    }
    if (e->sm)
        user_unref(e->sm);
    snprintf(e->name, sizeof e->name, "%s", name);
    e->id = *st;
    e->base_gen = gen;
    e->sm = sm;
    sm->refs++;
}

/* Logs why a user's model failed; *code, *why for the reply. */
static void user_failed(serve_server *srv, const char *user, const spamlr_diag *d,
                        const char *what, int *code, const char **why)
{
    char msg[1200];

    serve_log(srv, "user %s: %s", user, spamlr_diag_format(d, msg, sizeof msg));
    *code = SPAMD_EX_SOFTWARE;
    *why = what;
}

served_model *served_get(serve_server *srv, const char *user, int *code, const char **why)
{
    user_cache *c = &srv->users;
    served_model *base, *sm = NULL;
    spamlr_model *m = NULL;
    spamlr_diag d = SPAMLR_DIAG_INIT;
    unsigned long gen;
    struct stat st;
    user_entry *e;
    char *path;

    if (!c->dir || !*user)
        return slot_get(&srv->slot);
    if (!(path = user_file(c, user, code, why)))
        return NULL;
    if (stat(path, &st) != 0) { /* a user without a model: the base */
        free(path);
        return slot_get(&srv->slot);
    }
    pthread_mutex_lock(&c->mu);
    base = slot_get_gen(&srv->slot, &gen);
    e = cache_find(c, user);
    if (e && e->base_gen == gen && same_file(&e->id, &st)) {
        sm = e->sm;
        sm->refs++;
    } else if (spamlr_model_load_delta(&m, base->m, path, &d) || !(sm = served_new(m))) {
        spamlr_model_free(m);
        user_failed(srv, user, &d, "the user's model cannot be read", code, why);
    } else {
        sm->user = 1;
        cache_put(c, user, sm, &st, gen);
    }
    pthread_mutex_unlock(&c->mu);
    slot_put(&srv->slot, base);
    free(path);
    return sm;
}

/* The user's model to change: read on base, or, for the first TELL, the
 * base as an empty delta (so that it has the base as its prior). */
/* spamlr_model_update_delta's callbacks for a user's TELL */
typedef struct user_tell {
    tell_ctx t;
    serve_server *srv;
    const char *path, *user;
    unsigned long gen;
} user_tell;

static int user_change(void *ctx, spamlr_model *m)
{
    return tell_change(m, &((user_tell *)ctx)->t);
}

/* With the lock still held: the saved model is served from now (the file
 * is right either way). */
static int user_saved(void *ctx, spamlr_model *m)
{
    user_tell *u = ctx;
    user_cache *c = &u->srv->users;
    served_model *sm;
    struct stat st;

    if (stat(u->path, &st) != 0 || !(sm = served_new(m)))
        return 0;
    sm->user = 1;
    pthread_mutex_lock(&c->mu);
    cache_put(c, u->user, sm, &st, u->gen);
    user_unref(sm);
    pthread_mutex_unlock(&c->mu);
    return 1;
}

int users_tell(serve_server *srv, spamlr_scratch *scratch, const char *msg, size_t len,
               const spamd_request *req, unsigned *did_set, unsigned *did_remove,
               const char **why)
{
    user_cache *c = &srv->users;
    served_model *base = NULL;
    spamlr_diag d = SPAMLR_DIAG_INIT;
    char *path = NULL, dir[4096];
    int code = SPAMD_EX_OK, rc;
    user_tell u;

    if ((rc = tell_start(&u.t, scratch, msg, len, req, did_set, did_remove, why)) >= 0)
        return rc;
    if (!req->user[0]) {
        *why = "TELL to a store needs User: (whose model learns; the base is trained)";
        return SPAMD_EX_NOUSER;
    }
    if (!(path = user_file(c, req->user, &code, why)))
        return code;
    snprintf(dir, sizeof dir, "%s/users", c->dir);
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        serve_log(srv, "%s: cannot create the users' directory: %s", dir, strerror(errno));
        *why = "the store cannot hold users";
        code = SPAMD_EX_IOERR;
        goto out;
    }
    u.srv = srv;
    u.path = path;
    u.user = req->user;
    base = slot_get_gen(&srv->slot, &u.gen);
    rc = spamlr_model_update_delta(path, base->m, user_change, user_saved, &u, &d);
    if (rc == TELL_NOTHING)
        goto out;
    if (rc > 0) {
        code = u.t.code;
        *why = u.t.why;
        goto out;
    }
    if (rc < 0) {
        user_failed(srv, req->user, &d, "the user's model could not be updated", &code, why);
        if (rc == SPAMLR_EIO) /* the file system, not the model */
            code = SPAMD_EX_IOERR;
        goto out;
    }
    *did_set = u.t.did_set;
    *did_remove = u.t.did_remove;
out:
    if (base)
        slot_put(&srv->slot, base);
    free(path);
    return code;
}
