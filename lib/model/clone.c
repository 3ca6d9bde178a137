/* clone.c - a deep copy of a model: every setting, weight, piece of
 * metadata and online state, owned by the copy alone. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>

#include "mail/contacts.h"
#include "model/model.h"

/* A malloc'ed copy of n floats of src (NULL src: *dst stays NULL). */
/* A copy of n elements of `size` bytes (room for n + 1), or nothing for
 * a NULL src. */
static int copy_array(void **dst, const void *src, size_t n, size_t size)
{
    if (!src)
        return SPAMLR_OK;
    if (!(*dst = malloc((n + 1) * size)))
        return SPAMLR_ENOMEM;
    memcpy(*dst, src, n * size);
    return SPAMLR_OK;
}

static int copy_floats(float **dst, const float *src, size_t n)
{
    return copy_array((void **)dst, src, n, sizeof *src);
}

static int copy_string(char **dst, const char *src)
{
    if (src && !(*dst = strdup(src)))
        return SPAMLR_ENOMEM;
    return SPAMLR_OK;
}

/* The rehearsal memory of class y01. */
static int copy_memory(spamlr_model *c, const spamlr_model *m, int y01)
{
    size_t i, n = m->mem_n[y01];

    if (!m->mem[y01])
        return SPAMLR_OK;
    if (!(c->mem[y01] = calloc(n + 1, sizeof *c->mem[y01])))
        return SPAMLR_ENOMEM;
    c->mem_cap[y01] = n + 1;
    for (i = 0; i < n; i++) {
        const spamlr__memrow *r = &m->mem[y01][i];
        spamlr__memrow *d = &c->mem[y01][i];

        if (!(d->ids = malloc(r->k * (sizeof *d->ids + sizeof *d->val) + 1)))
            return SPAMLR_ENOMEM;
        d->k = r->k;
        d->val = (float *)(void *)(d->ids + r->k);
        memcpy(d->ids, r->ids, r->k * sizeof *d->ids);
        memcpy(d->val, r->val, r->k * sizeof *d->val);
        c->mem_n[y01] = i + 1;
    }
    return SPAMLR_OK;
}

int spamlr_model_clone(spamlr_model **out, const spamlr_model *m)
{
    spamlr_model *c;
    size_t n;
    int rc;

    if (out)
        *out = NULL;
    if (!out || !m)
        return SPAMLR_EINVAL;
    if (!(c = malloc(sizeof *c)))
        return SPAMLR_ENOMEM;
    /* the scalars as they are; every pointer made the copy's own below
     * (NULL until then, so that spamlr_model_free can undo a failure) */
    *c = *m;
    spamlr__vocab_init(&c->vocab);
    c->w = c->idf = c->acc = c->acc_z = c->prior_w = NULL;
    c->df = NULL;
    c->path = NULL;
    c->base_name = c->file_name = NULL;
    c->contacts = NULL;
    c->mem[0] = c->mem[1] = NULL;
    c->mem_n[0] = c->mem_n[1] = c->mem_cap[0] = c->mem_cap[1] = 0;
    memset(&c->seen, 0, sizeof c->seen);
    c->w_cap = 0; /* the arrays below hold vocab.n entries */
    n = m->vocab.n;
    if ((rc = spamlr__vocab_clone(&c->vocab, &m->vocab)) ||
        (rc = copy_floats(&c->w, m->w, n)) ||
        (rc = copy_floats(&c->idf, m->idf, n)) || (rc = copy_floats(&c->acc, m->acc, n)) ||
        (rc = copy_floats(&c->acc_z, m->acc_z, n)) ||
        (rc = copy_array((void **)&c->df, m->df, n, sizeof *m->df)) ||
        (rc = copy_floats(&c->prior_w, m->prior_w, m->prior_n)) ||
        (rc = copy_string(&c->base_name, m->base_name)) ||
        (rc = copy_string(&c->file_name, m->file_name)) ||
        (rc = spamlr__contacts_copy(&c->contacts, m->contacts)) ||
        (rc = copy_memory(c, m, 0)) || (rc = copy_memory(c, m, 1)) ||
        (rc = spamlr__seen_copy(&c->seen, &m->seen)))
        goto fail;
    if (m->path_n) {
        if (!(c->path = malloc(m->path_n * sizeof *c->path))) {
            rc = SPAMLR_ENOMEM;
            goto fail;
        }
        memcpy(c->path, m->path, m->path_n * sizeof *c->path);
    }
    *out = c;
    return SPAMLR_OK;
fail:
    spamlr_model_free(c);
    return rc;
}
