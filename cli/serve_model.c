/* serve_model.c - the model `spamlr serve` answers with: one loaded model
 * shared read-only by every worker, reference-counted so that a reload
 * (SIGHUP, a changed file) or a TELL swaps in a new one while requests in
 * flight finish on the one they started with. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

served_model *slot_get(model_slot *s)
{
    served_model *sm;

    pthread_mutex_lock(&s->mu);
    sm = s->cur;
    sm->refs++;
    pthread_mutex_unlock(&s->mu);
    return sm;
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

    *did_set = *did_remove = 0;
    if ((req->set & SPAMD_DB_LOCAL) && req->msg_class < 0) {
        *why = "Set without Message-class";
        return SPAMD_EX_PROTOCOL;
    }
    if (!((req->set | req->remove) & SPAMD_DB_LOCAL))
        return SPAMD_EX_OK; /* only "remote" asked for: there is none */
    memset(&t, 0, sizeof t);
    t.slot = s;
    t.scratch = scratch;
    t.msg = msg;
    t.len = len;
    t.req = req;
    t.code = SPAMD_EX_SOFTWARE;
    t.why = "the model could not be updated";
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
