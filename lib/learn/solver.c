/* solver.c - the exact batch solvers' entry point: checks, set-up and dispatch. */
#include <math.h>
#include <stdlib.h>

#include "learn/lbfgs.h"
#include "learn/owlqn.h"
#include "learn/solver.h"
#include "learn/tron.h"

/* The solvers, on a CSR matrix with the row loops split over threads: a
 * trust-region Newton method (TRON, the algorithm of LIBLINEAR -s 0,
 * tron.c) and L-BFGS (lbfgs.c) for L2, and OWL-QN (orthant-wise L-BFGS,
 * owlqn.c) for L1 and the elastic net; all minimise the objective of
 * objective.c, which evaluates it over the thread pool of pool.c. */

struct spamlr__solver {
    spamlr__lr L;
    int ready;              /* L is set up (for the shape of its last X) */
};

spamlr__solver *spamlr__solver_new(void)
{
    return calloc(1, sizeof(spamlr__solver));
}

void spamlr__solver_free(spamlr__solver *s)
{
    if (!s)
        return;
    if (s->ready)
        spamlr__lr_free(&s->L);
    free(s);
}

int spamlr__solve_with(spamlr__solver *s, const spamlr__csr *X, const spamlr__solve_opts *o,
                       double *w, spamlr_train_report *rep)
{
    spamlr__lr own, *L = s ? &s->L : &own;
    int rc;

    if (!X || !o || (!w && X->cols) || !(o->tol >= 0)
        || (X->rows && (!X->ptr || !X->idx || !X->y || !X->cost)))
        return SPAMLR_EINVAL;
    if (X->reg && !(X->reg->l1 >= 0 && X->reg->l2 >= 0 && isfinite(X->reg->l1)
                    && isfinite(X->reg->l2)))
        return SPAMLR_EINVAL;
    if (o->solver != SPAMLR_SOLVER_TRON && o->solver != SPAMLR_SOLVER_LBFGS
        && o->solver != SPAMLR_SOLVER_OWLQN)
        return SPAMLR_EINVAL;
    if (o->solver != SPAMLR_SOLVER_OWLQN && X->reg && X->reg->l1 > 0)
        return SPAMLR_EINVAL; /* |w| is not smooth: TRON and L-BFGS cannot */
    if (!s || !s->ready || L->red != o->reduce || L->red_ctx != o->reduce_ctx ||
        !spamlr__lr_rebind(L, X, o->threads)) {
        if (s && s->ready)
            spamlr__lr_free(L);
        if (s)
            s->ready = 0;
        if ((rc = spamlr__lr_init(L, X, o->threads, o->reduce, o->reduce_ctx)))
            return rc;
        if (s)
            s->ready = 1;
    }
    if (o->solver == SPAMLR_SOLVER_OWLQN)
        rc = spamlr__owlqn(L, o, w, rep);
    else if (o->solver == SPAMLR_SOLVER_LBFGS)
        rc = spamlr__lbfgs(L, o, w, rep);
    else
        rc = spamlr__tron(L, o, w, rep);
    if (!s)
        spamlr__lr_free(L);
    return rc;
}

unsigned spamlr__solver_rows(spamlr__solver *s, size_t rows,
                             void (*fn)(void *ctx, size_t lo, size_t hi, unsigned b), void *ctx)
{
    if (!s || !s->ready || s->L.l != rows) {
        fn(ctx, 0, rows, 0);
        return 1;
    }
    return spamlr__lr_rows(&s->L, fn, ctx);
}

int spamlr__solve(const spamlr__csr *X, const spamlr__solve_opts *o, double *w,
                  spamlr_train_report *rep)
{
    return spamlr__solve_with(NULL, X, o, w, rep);
}
