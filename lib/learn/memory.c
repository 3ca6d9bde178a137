/* memory.c - the rehearsal memory of online learning: a reservoir sample
 * of the rows learned, per class, kept in the model (its "onmm" section),
 * which spamlr_model_learn_batch (batch.c) learns together with a new
 * batch so that a batch of one class cannot undo the other. */
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

/* Unlearning: drops one remembered row of class y01 with these ids. */
void spamlr__mem_drop(spamlr_model *m, const uint32_t *ids, size_t k, int y01)
{
    size_t i;

    for (i = 0; i < m->mem_n[y01]; i++) {
        spamlr__memrow *r = &m->mem[y01][i];
        if (r->k == k && memcmp(r->ids, ids, k * sizeof *ids) == 0) {
            free(r->ids);
            *r = m->mem[y01][--m->mem_n[y01]];
            return;
        }
    }
}

