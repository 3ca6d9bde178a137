/* solver.h - regularised logistic regression on a CSR matrix.
 *
 *   F(w) = l2/2 sum_j r_j (w_j - p_j)^2 + l1 sum_j r_j |w_j - p_j|
 *          + sum_i cost_i * log(1 + exp(-y_i w.x_i))
 *
 * p is the prior's centre X->prior (a base model's weights, for transfer
 * learning), or 0 when it is NULL: the penalty pulls towards p.
 * r_j = 1 for every column except, when unreg_last is set, the last one
 * (the bias column, which then is not regularised). cost_i already holds
 * C times the class weight of row i. l1 and l2 come from X->reg (NULL:
 * l1 = 0, l2 = 1, plain L2). The part without the l1 term is the smooth
 * part f; TRON and L-BFGS need l1 = 0, OWL-QN takes any l1 >= 0. */
#ifndef SPAMLR_SOLVER_H
#define SPAMLR_SOLVER_H

#include "common/common.h"
#include "kernels/kernels.h"

typedef struct spamlr__reg {
    double l1;             /* >= 0 */
    double l2;             /* >= 0 */
} spamlr__reg;

typedef struct spamlr__csr {
    size_t rows, cols;
    const size_t *ptr;     /* rows + 1 offsets into idx/val */
    const uint32_t *idx;   /* column ids, ascending within a row */
    const float *val;      /* values (never NULL here) */
    const double *y;       /* +1 / -1 */
    const double *cost;    /* per-row C * class weight */
    int unreg_last;        /* last column is an unregularised bias */
    const spamlr__reg *reg; /* NULL = { l1 0, l2 1 } */
    const double *prior;   /* cols centres of the penalty, or NULL = 0 (the
                              bias entry, unregularised, is not read) */
} spamlr__csr;

typedef struct spamlr__solve_opts {
    unsigned solver;       /* spamlr_solver */
    double tol;            /* relative gradient-norm tolerance (the
                              pseudo-gradient's for OWL-QN) */
    unsigned max_iter;
    unsigned threads;      /* >= 1 */
    /* Several processes, each with its own rows of one problem (NULL: one
     * process): reduce(ctx, v, n) replaces v[0..n) by its sum over the
     * processes, the same in all of them. The solver calls it once per
     * gradient (n = cols + 1: gradient and loss), per Hessian-vector
     * product (n = cols) and per line-search point (n = 2); every process
     * must call spamlr__solve with the same w and options. */
    void (*reduce)(void *ctx, double *v, size_t n);
    void *reduce_ctx;
    double gnorm_ref;      /* > 0: stop when ||grad|| <= tol * gnorm_ref
                              instead of tol * ||grad at the start||, so
                              that a warm start is solved as precisely as
                              a cold one (pass ||grad at w = 0||) */
    spamlr_progress_fn progress; /* the C path reports each C (may be NULL) */
    void *progress_ctx;
    /* Called after each outer iteration (may be NULL): iterations done,
     * the gradient norm and the norm the stopping test wants; non-zero
     * stops the solver with SPAMLR_ECANCELED (w then holds the last
     * iterate). */
    int (*iter_fn)(void *ctx, unsigned iter, double gnorm, double goal);
    void *iter_ctx;
} spamlr__solve_opts;

/* Minimises F from w (cols doubles, the starting point, usually zeros) and
 * leaves the minimiser in w. Fills rep->objective (F), grad_norm,
 * grad_norm0 (of the pseudo-gradient with OWL-QN), iterations,
 * inner_iterations. Returns 0, SPAMLR_ENOMEM, SPAMLR_EINVAL (also for
 * TRON or L-BFGS with l1 > 0), or SPAMLR_ENOCONVERGE (w then holds the
 * last iterate). */
int spamlr__solve(const spamlr__csr *X, const spamlr__solve_opts *o, double *w,
                  spamlr_train_report *rep);

/* A solver kept from solve to solve: for problems of one shape (the C
 * path's folds and the final solve share the matrix's arrays, only the
 * costs differ) its threads, row blocks and vectors are made once, not
 * per solve. */
typedef struct spamlr__solver spamlr__solver;

/* NULL when out of memory. */
spamlr__solver *spamlr__solver_new(void);
void spamlr__solver_free(spamlr__solver *s);

/* Runs fn(ctx, lo, hi, b) over the rows of s's last problem, block by
 * block, on its threads; returns the number of blocks (the matrix's, the
 * same for any thread count), at most SPAMLR__SOLVER_BLOCKS. When s has
 * not solved one of `rows` rows yet: fn(ctx, 0, rows, 0) here, 1. */
#define SPAMLR__SOLVER_BLOCKS 256
unsigned spamlr__solver_rows(spamlr__solver *s, size_t rows,
                             void (*fn)(void *ctx, size_t lo, size_t hi, unsigned b), void *ctx);

/* spamlr__solve with s's threads and memory (s may be NULL: then as
 * spamlr__solve). The result is the same bit for bit. */
int spamlr__solve_with(spamlr__solver *s, const spamlr__csr *X, const spamlr__solve_opts *o,
                       double *w, spamlr_train_report *rep);

/* F(w) and, when g != NULL, the gradient of its smooth part f (that is,
 * without the l1 term) (for tests and reports). */
double spamlr__objective(const spamlr__csr *X, const double *w, double *g);

/* out = (Hessian of the smooth part f at w) v, computed by the solver's own (threaded)
 * Hessian-vector product; for tests. Returns 0, SPAMLR_EINVAL or
 * SPAMLR_ENOMEM. */
int spamlr__hessian_vec(const spamlr__csr *X, const double *w, const double *v,
                        double *out, unsigned threads);

/* The solver that spamlr_train runs for `solver` (SPAMLR_SOLVER_AUTO
 * resolved by l1). */
unsigned spamlr__solver_resolve(unsigned solver, double l1);

#endif
