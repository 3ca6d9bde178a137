/* prune.c - smaller models: pruning to the largest weights, 16-bit weights. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"

/* The 16-bit weight grid (model.h): the "WQ16" section stores these. */
void spamlr__model_quantize(spamlr_model *m, float scale)
{
    size_t i;

    for (i = 0; i < m->vocab.n; i++)
        m->w[i] = (float)spamlr__quant16(m->w[i], scale) * scale;
    m->wscale = scale;
    m->weight_bits = 16;
}

int spamlr_model_set_weight_bits(spamlr_model *m, unsigned bits)
{
    float maxw = 0, scale;
    size_t i;

    if (!m || (bits != 16 && bits != 32))
        return SPAMLR_EINVAL;
    if (bits == 32) {
        m->weight_bits = 32;
        m->wscale = 0;
        return SPAMLR_OK;
    }
    for (i = 0; i < m->vocab.n; i++)
        if (fabsf(m->w[i]) > maxw)
            maxw = fabsf(m->w[i]);
    scale = maxw > 0 ? maxw / (float)SPAMLR__Q16_MAX : 1.0f;
    if (!(scale > 0) || !isfinite(scale)) /* max|w| tiny enough to underflow */
        scale = 1.0f;
    spamlr__model_quantize(m, scale);
    return SPAMLR_OK;
}

/* ------------------------------------------------------------- pruning */

typedef struct ranked {
    float absw;
    uint32_t id;
    const char *tok;
} ranked;

/* |w| descending, then token ascending: the order of "largest" */
static int cmp_ranked(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;

    if (a->absw != b->absw)
        return a->absw > b->absw ? -1 : 1;
    return strcmp(a->tok, b->tok);
}

static int cmp_id(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;

    return (a->id > b->id) - (a->id < b->id);
}

/* Copies settings and metadata of m into p (vocabulary excluded). */
static void copy_meta(spamlr_model *p, const spamlr_model *m)
{
    p->text = m->text;
    p->has_bias = m->has_bias;
    p->bias = m->bias;
    p->solver = m->solver;
    p->class_weight = m->class_weight;
    p->min_count = m->min_count;
    p->iterations = m->iterations;
    p->c = m->c;
    p->l1 = m->l1;
    p->l2 = m->l2;
    p->tol = m->tol;
    p->objective = m->objective;
    p->grad_norm = m->grad_norm;
    p->threshold = m->threshold;
    p->ham_cutoff = m->ham_cutoff;
    p->spam_cutoff = m->spam_cutoff;
    p->examples = m->examples;
    p->spam = m->spam;
    p->ham = m->ham;
    p->trained_at = m->trained_at;
    p->weight_bits = m->weight_bits;
    p->wscale = m->wscale;
    p->layout = m->layout;
}

int spamlr_model_prune(spamlr_model **out, const spamlr_model *m, size_t keep, double min_abs)
{
    spamlr_model *p = NULL;
    ranked *r = NULL;
    size_t i, n = 0;
    int rc;

    if (out)
        *out = NULL;
    /* (a model loaded to predict has no record or counts to carry over) */
    if (!out || !m || !(min_abs >= 0) || m->predict_only)
        return SPAMLR_EINVAL;
    if (!(r = malloc((m->vocab.n + 1) * sizeof *r)))
        return SPAMLR_ENOMEM;
    for (i = 0; i < m->vocab.n; i++) {
        float a = fabsf(m->w[i]);
        if ((double)a < min_abs)
            continue;
        r[n].absw = a;
        r[n].id = (uint32_t)i;
        r[n++].tok = spamlr__vocab_str(&m->vocab, (uint32_t)i);
    }
    if (keep < n) {
        qsort(r, n, sizeof *r, cmp_ranked);
        n = keep;
    }
    if (n == m->vocab.n) { /* every word kept: the whole model */
        free(r);
        return spamlr_model_clone(out, m);
    }
    qsort(r, n, sizeof *r, cmp_id); /* kept words keep their order */
    if ((rc = spamlr__model_new(&p, &m->text)))
        goto out;
    copy_meta(p, m);
    rc = SPAMLR_ENOMEM;
    if (spamlr__model_set_path(p, m->path, m->path_n, m->path_folds) ||
        spamlr__model_set_base(p, m->base_name, m->base_crc, m->base_trained_at) ||
        spamlr_model_set_contacts(p, m->contacts) || spamlr__seen_copy(&p->seen, &m->seen) ||
        !(p->w = malloc((n + 1) * sizeof *p->w)) ||
        (m->idf && !(p->idf = malloc((n + 1) * sizeof *p->idf))) ||
        (m->prior_w && !(p->prior_w = malloc((n + 1) * sizeof *p->prior_w))) ||
        (m->df && m->idf && !(p->df = malloc((n + 1) * sizeof *p->df))))
        goto out;
    /* document counts are data, not solver state: they stay (the messages'
     * count too, so that the idf values stay theirs) */
    p->df_n = p->df ? m->df_n : 0;
    p->df_ref = p->df ? m->df_ref : 0;
    if (p->prior_w)
        p->prior_n = n;
    /* record the size before the first pruning that dropped words */
    p->pruned_from = m->pruned_from ? m->pruned_from : n < m->vocab.n ? m->vocab.n : 0;
    for (i = 0; i < n; i++) {
        uint32_t id, old = r[i].id;
        if ((rc = spamlr__vocab_intern(&p->vocab, spamlr__vocab_str(&m->vocab, old),
                                       m->vocab.len[old], &id, NULL)))
            goto out;
        p->w[id] = m->w[old];
        if (m->idf)
            p->idf[id] = m->idf[old];
        if (p->df)
            p->df[id] = m->df[old];
        if (p->prior_w)
            p->prior_w[id] = spamlr__prior_of(m, old);
    }
    *out = p;
    p = NULL;
    rc = SPAMLR_OK;
out:
    free(r);
    spamlr_model_free(p);
    return rc;
}
