/* lbfgs.h - L-BFGS for the smooth objective, and the memory of pairs OWL-QN shares. */
#ifndef SPAMLR_LBFGS_H
#define SPAMLR_LBFGS_H

#include "learn/objective.h"

/* Pairs kept in the memory. */
#define SPAMLR__LBFGS_M 10

/* The memory and the vectors around it: g, the (pseudo-)gradient; y, the
 * newest gradient difference; p, the direction; S and Y, SPAMLR__LBFGS_M
 * slots of n doubles each for the steps and gradient differences. */
typedef struct spamlr__lbfgs_buf {
    double *g, *y, *p, *S, *Y;
    double rho[SPAMLR__LBFGS_M], al[SPAMLR__LBFGS_M];
} spamlr__lbfgs_buf;

/* Adds the pair (a s, y) to the memory as the newest, when its curvature
 * a s.y is positive and finite (otherwise the pair is skipped, which keeps
 * the implied Hessian positive definite). */
void spamlr__lbfgs_push(const spamlr__kernels *k, spamlr__lbfgs_buf *b, size_t n,
                        const double *s, double a, const double *y, unsigned *head,
                        unsigned *cnt, double *gamma);

/* p = -H g by the two-loop recursion over the `cnt` newest pairs, the
 * newest at slot `head - 1` (mod SPAMLR__LBFGS_M). */
void spamlr__lbfgs_two_loop(const spamlr__kernels *k, spamlr__lbfgs_buf *b, size_t n,
                            unsigned head, unsigned cnt, double gamma);

/* Minimises F (l1 must be 0) from w on the problem L, as spamlr__solve
 * does with SPAMLR_SOLVER_LBFGS. */
int spamlr__lbfgs(spamlr__lr *L, const spamlr__solve_opts *o, double *w,
                  spamlr_train_report *rep);

#endif
