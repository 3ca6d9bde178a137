/* objective.h - the regularised logistic objective on a CSR matrix, over a thread pool. */
#ifndef SPAMLR_OBJECTIVE_H
#define SPAMLR_OBJECTIVE_H

#include "common/common.h"
#include "kernels/kernels.h"
#include "learn/pool.h"
#include "learn/solver.h"

/* Notation (see solver.h): z = X w, margin m_i = y_i z_i,
 *   loss_i = cost_i log(1 + exp(-m_i)),
 *   grad f = l2 R (w - p) + X^T u,  u_i = -cost_i y_i sigma(-m_i),
 *   H v    = l2 R v + X^T (D X v),  D_i = cost_i sigma(m_i) sigma(-m_i),
 * R = diag(r), r_j = 1 except the unregularised last column. Since that
 * column is the last one, R v is "v with its last entry zeroed". p is
 * the prior's centre (X->prior, L->prior; NULL = 0). f is the smooth
 * part; F = f + l1 |R (w - p)|_1 is what OWL-QN minimises.
 *
 * The solvers carry z along (z += X s, from X s products they have
 * anyway), so that a trial point costs O(rows) to evaluate, and have it
 * recomputed exactly at the start and the end. */

/* One problem, ready to evaluate. The solvers read k, n, l, nreg, l1,
 * l2, and use z and xv as described; the rest is objective.c's. */
typedef struct spamlr__lr {
    const spamlr__csr *X;
    const spamlr__kernels *k;
    size_t n, l;
    size_t nreg;            /* regularised columns: n, or n - 1 with a bias */
    double l1, l2;          /* penalty weights (see solver.h) */
    const double *prior;    /* the penalty's centre p (n), or NULL = 0 */
    void (*red)(void *, double *, size_t);  /* sum over processes, or NULL */
    void *red_ctx;
    double *rbuf;           /* n + 2 doubles for red */
    double *block;          /* holds acc[1..], part, tpart, z, D, xv */
    unsigned nblk;          /* row blocks = column blocks = tasks per run */
    size_t *blk;            /* nblk + 1 row boundaries */
    size_t ntile;           /* column tiles */
    double **acc;           /* acc[1..nblk-1]: per-block X^T u accumulators */
    double *part;           /* 2 * nblk per-block partial sums */
    double *tpart;          /* ntile per-tile partial sums */
    double *z;              /* X w at the current iterate */
    double *D;              /* Hessian row weights at the current iterate */
    double *xv;             /* X v of the last Hv product (or X p) */
    double *scratch;        /* the solver's vectors (spamlr__lr_scratch), */
    size_t scratch_len;     /* kept from solve to solve; doubles */
    unsigned threads;       /* as initialised */
    const void *shape[3];   /* X's ptr, idx and val as initialised */
    spamlr__pool pl;
    /* arguments of the task being run */
    const double *a_v;      /* dense input (n) */
    const double *a_c;      /* centre subtracted from a_v in R a_v, or NULL */
    double *a_out;          /* dense output (n); block 0 accumulates here */
    double *a_row;          /* per-row output or input (l) */
    double a_alpha;
    double *a_s, *a_r, *a_d, *a_hd;  /* CG vectors */
} spamlr__lr;

/* The row blocks of a problem: the most threads one solve uses. They are
 * fixed, not the thread count, so that results do not depend on it; each
 * block past the first costs a dense accumulator and O(cols) per
 * product. Measured on the SpamAssassin split (42k columns, 1M
 * non-zeros, whole-process medians of 9 pairs against one block per
 * thread): two blocks cost nothing on one thread and are 6 % faster on
 * two (the C path's three folds no longer wait for the one thread that
 * has two); four cost 3 % on one thread and gained nothing on two. More
 * threads still serve the path, which then solves folds side by side. */
#define SPAMLR__LR_BLOCKS 2

/* Sets L up for X with `threads` threads (at most its blocks) and,
 * when reduce is not NULL, for several processes (see
 * spamlr__solve_opts). Returns 0 or SPAMLR_ENOMEM (L then needs no
 * spamlr__lr_free). */
int spamlr__lr_init(spamlr__lr *L, const spamlr__csr *X, unsigned threads,
                    void (*reduce)(void *, double *, size_t), void *reduce_ctx);

void spamlr__lr_free(spamlr__lr *L);

/* Points L, set up for a matrix of X's shape (the same rows, columns and
 * arrays, as the C path's folds share them, only their costs differing),
 * at X: its pool, blocks and vectors are used again. Returns 1 when it
 * did, 0 when L must be set up anew (spamlr__lr_free, spamlr__lr_init). */
int spamlr__lr_rebind(spamlr__lr *L, const spamlr__csr *X, unsigned threads);

/* Runs fn(ctx, lo, hi, b) for each row block b of L ([lo, hi) its rows)
 * on L's threads; returns the number of blocks (which depends on the
 * matrix only, never on the threads). */
unsigned spamlr__lr_rows(spamlr__lr *L, void (*fn)(void *ctx, size_t lo, size_t hi, unsigned b),
                         void *ctx);

/* Carves k vectors of counts[i] doubles (each 64-byte aligned) out of
 * L's scratch, which is made or grown to fit and kept until
 * spamlr__lr_free: a solver's vectors (TRON's, L-BFGS's, OWL-QN's), the
 * same memory solve after solve (no page faults, no huge page cleared
 * each time). 0 or SPAMLR_ENOMEM. */
int spamlr__lr_scratch(spamlr__lr *L, double **const *vec, const size_t *counts, size_t k);

/* From L->z: g = grad f(w), the Hessian weights, *gg = ||g||^2, and the
 * returned f(w). When refresh is set, z is first recomputed as X w (it is
 * otherwise carried along by updates and may drift by rounding). */
double spamlr__lr_eval_grad(spamlr__lr *L, const double *w, double *g, double *gg,
                            int refresh);

/* out = l2 R v + X^T (D X v) at the point of the last gradient,
 * L->xv = X v; returns v . out. */
double spamlr__lr_hess_vec(spamlr__lr *L, const double *v, double *out);

/* (w - prior) . R p, the wp of spamlr__lr_step_change. */
double spamlr__lr_wp(const spamlr__lr *L, const double *w, const double *p);

/* The prior's centre of entry j (0 without a prior). */
static inline double spamlr__lr_centre(const spamlr__lr *L, size_t j)
{
    return L->prior ? L->prior[j] : 0.0;
}

/* out = X v (l entries). */
void spamlr__lr_xv(spamlr__lr *L, const double *v, double *out);

/* Returns f(w + a p) - f(w), from L->z = X w, and sets *dg to its
 * derivative in a, where xp = X p, wp = (w - prior).Rp (spamlr__lr_wp),
 * pp = p.Rp. */
double spamlr__lr_step_change(spamlr__lr *L, double *xp, double wp, double pp, double a,
                              double *dg);

/* Conjugate-gradient updates over the pool (n entries each): the step
 * s += alpha d, r -= alpha hd, returning r.r; the direction d = r + beta d. */
double spamlr__lr_cg_step(spamlr__lr *L, double alpha, double *d, double *hd, double *s,
                          double *r);
void spamlr__lr_cg_dir(spamlr__lr *L, double beta, double *r, double *d);

/* The reference of the stopping test: o->gnorm_ref when given, else the
 * gradient norm at the start, gnorm0. The report's grad_norm0 is it. */
static inline double spamlr__gnorm_ref(const spamlr__solve_opts *o, double gnorm0)
{
    return o->gnorm_ref > 0 ? o->gnorm_ref : gnorm0;
}

/* Whether the solvers' stopping test ||g|| <= tol * reference holds. */
static inline int spamlr__grad_small(const spamlr__solve_opts *o, double gnorm, double gnorm0)
{
    return gnorm <= o->tol * spamlr__gnorm_ref(o, gnorm0);
}

/* Whether o's iteration hook asks the solver to stop after iteration
 * iter (SPAMLR_ECANCELED). */
static inline int spamlr__solve_stop(const spamlr__solve_opts *o, unsigned iter, double gnorm,
                                     double gnorm0)
{
    return o->iter_fn && o->iter_fn(o->iter_ctx, iter, gnorm,
                                    o->tol * spamlr__gnorm_ref(o, gnorm0)) != 0;
}

/* Fills rep (when not NULL) at the end of a solve. */
static inline void spamlr__report(spamlr_train_report *rep, double f, double gnorm,
                                  double gnorm0, unsigned iter, unsigned inner)
{
    if (!rep)
        return;
    rep->objective = f;
    rep->grad_norm = gnorm;
    rep->grad_norm0 = gnorm0;
    rep->iterations = iter;
    rep->inner_iterations = inner;
}

#endif
