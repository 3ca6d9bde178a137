/* memory.c - the rehearsal memory of online learning: a reservoir sample
 * of the rows learned, per class, kept in the model (its "onmm" section),
 * which spamlr_model_learn_batch (batch.c) learns together with a new
 * batch so that a batch of one class cannot undo the other; and the
 * document counts of a tf-idf model made empty, from which a batch works
 * its idf values out again (the remembered rows' values move with them). */
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "learn/online.h"

/* A new memory row holding a copy of ids/val[0..k); NULL ids on ENOMEM. */
spamlr__memrow spamlr__mem_row(const uint32_t *ids, const float *val, size_t k)
{
    spamlr__memrow r;

    r.k = (uint32_t)k;
    r.ids = malloc(k * (sizeof *r.ids + sizeof *r.val) + 1);
    r.val = r.ids ? (float *)(void *)(r.ids + k) : NULL;
    if (r.ids && k) { /* (an empty row may come with NULL arrays) */
        memcpy(r.ids, ids, k * sizeof *ids);
        memcpy(r.val, val, k * sizeof *val);
    }
    return r;
}

/* Offers a learned row of class y01 to its reservoir (Vitter's algorithm
 * R with a hash of the row and the count as the random number, so the
 * same messages give the same memory). Out of memory: the row is not
 * kept, which only makes the memory smaller. */
void spamlr__mem_add(spamlr_model *m, const uint32_t *ids, const float *val, size_t k,
                    int y01, uint64_t h)
{
    size_t *n = &m->mem_n[y01], slot;
    uint64_t seen = ++m->mem_seen[y01];
    spamlr__memrow r;

    if (!m->mem_max || k > UINT32_MAX)
        return;
    if (*n < m->mem_max) {
        slot = *n;
    } else {
        slot = (size_t)(spamlr__mix64(h ^ seen) % seen);
        if (slot >= *n)
            return;
    }
    if (slot == m->mem_cap[y01]) {
        size_t cap = m->mem_cap[y01] ? 2 * m->mem_cap[y01] : 16;
        spamlr__memrow *a;
        if (cap > m->mem_max)
            cap = m->mem_max;
        if (!(a = realloc(m->mem[y01], cap * sizeof *a)))
            return;
        m->mem[y01] = a;
        m->mem_cap[y01] = cap;
    }
    if (!(r = spamlr__mem_row(ids, val, k)).ids)
        return;
    if (slot < *n)
        free(m->mem[y01][slot].ids);
    else
        (*n)++;
    m->mem[y01][slot] = r;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return (x > y) - (x < y);
}

/* Whether the k ids of a remembered row are those of ids[0..k) (in
 * ascending order, as every row is learned since stop 38). A row
 * remembered before then holds its ids in the order its dataset met them:
 * compared as a set, through a sorted copy (no memory: not the same). */
static int same_ids(const uint32_t *kept, const uint32_t *ids, size_t k)
{
    uint32_t *c;
    size_t i;
    int same;

    if (k == 0 || memcmp(kept, ids, k * sizeof *ids) == 0) /* (empty: NULL ids) */
        return 1;
    for (i = 1; i < k && kept[i - 1] < kept[i]; i++)
        ;
    if (i == k || !(c = malloc(k * sizeof *c)))
        return 0;   /* ascending, and other ids */
    memcpy(c, kept, k * sizeof *c);
    qsort(c, k, sizeof *c, cmp_u32);
    same = memcmp(c, ids, k * sizeof *ids) == 0;
    free(c);
    return same;
}

/* Unlearning: drops one remembered row of class y01 with these ids
 * (ascending). */
void spamlr__mem_drop(spamlr_model *m, const uint32_t *ids, size_t k, int y01)
{
    size_t i;

    for (i = 0; i < m->mem_n[y01]; i++) {
        spamlr__memrow *r = &m->mem[y01][i];

        if (r->k == k && same_ids(r->ids, ids, k)) {
            /* while it holds every message offered, it still does (a
             * sampling reservoir's count is left as it was) */
            if (m->mem_seen[y01] == m->mem_n[y01])
                m->mem_seen[y01]--;
            free(r->ids);
            *r = m->mem[y01][--m->mem_n[y01]];
            return;
        }
    }
}

void spamlr__live_count(spamlr_model *m, const uint32_t *ids, size_t k, int dir)
{
    size_t i;

    if (!m->df)
        return;
    for (i = 0; i < k; i++)
        if (dir > 0)
            m->df[ids[i]]++;
        else if (m->df[ids[i]])
            m->df[ids[i]]--;
    if (dir > 0)
        m->df_n++;
    else if (m->df_n)
        m->df_n--;
}

int spamlr__live_refresh(spamlr_model *m)
{
    double *ratio;
    size_t j, c, i, t;

    if (!m->df || m->df_n == m->df_ref)
        return SPAMLR_OK;
    if (!(ratio = malloc((m->vocab.n + 1) * sizeof *ratio)))
        return SPAMLR_ENOMEM;
    for (j = 0; j < m->vocab.n; j++) {
        /* (a count above the messages', from an edited dump: as all) */
        uint64_t df = m->df[j] < m->df_n ? m->df[j] : m->df_n;
        float v = spamlr__idf_of((size_t)m->df_n, (size_t)df, m->text.idf_power);

        ratio[j] = m->idf[j] > 0 ? (double)v / m->idf[j] : 1.0;
        m->idf[j] = v;
    }
    /* a remembered row's values are tf x idf over their length: scaled by
     * each word's new idf over its old one and made unit length again, they
     * are the row's values under the new idf (to float rounding) */
    for (c = 0; c < 2; c++)
        for (i = 0; i < m->mem_n[c]; i++) {
            spamlr__memrow *r = &m->mem[c][i];

            for (t = 0; t < r->k; t++) {
                /* (in double, held to a float: a file's idf of 1e-40
                 * makes a ratio no float holds) */
                double x = r->val[t] * ratio[r->ids[t]];

                r->val[t] = x != x ? 0.0f : x > FLT_MAX ? FLT_MAX : x < -FLT_MAX ? -FLT_MAX
                                                                            : (float)x;
            }
            if (m->text.normalize)
                spamlr__normalize(r->val, r->k);
        }
    free(ratio);
    m->df_ref = m->df_n;
    return SPAMLR_OK;
}
