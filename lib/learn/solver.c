/* solver.c - the exact batch solvers' entry point: checks, set-up and dispatch. */
#include <math.h>

#include "learn/lbfgs.h"
#include "learn/owlqn.h"
#include "learn/solver.h"
#include "learn/tron.h"

/* The solvers, on a CSR matrix with the row loops split over threads: a
 * trust-region Newton method (TRON, the algorithm of LIBLINEAR -s 0,
 * tron.c) and L-BFGS (lbfgs.c) for L2, and OWL-QN (orthant-wise L-BFGS,
 * owlqn.c) for L1 and the elastic net; all minimise the objective of
 * objective.c, which evaluates it over the thread pool of pool.c. */

int spamlr__solve(const spamlr__csr *X, const spamlr__solve_opts *o, double *w,
                  spamlr_train_report *rep)
{
    spamlr__lr L;
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
    rc = spamlr__lr_init(&L, X, o->threads, o->reduce, o->reduce_ctx);
    if (rc)
        return rc;
    if (o->solver == SPAMLR_SOLVER_OWLQN)
        rc = spamlr__owlqn(&L, o, w, rep);
    else if (o->solver == SPAMLR_SOLVER_LBFGS)
        rc = spamlr__lbfgs(&L, o, w, rep);
    else
        rc = spamlr__tron(&L, o, w, rep);
    spamlr__lr_free(&L);
    return rc;
}
