/* owlqn.c - OWL-QN, orthant-wise L-BFGS for the objective with an l1 term. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "learn/lbfgs.h"
#include "learn/owlqn.h"

/* OWL-QN (Andrew & Gao, "Scalable training of L1-regularized log-linear
 * models", ICML 2007): L-BFGS on F = f + l1 |R (w - prior)|_1 (the
 * orthants are those of w - prior), where each iteration
 * stays inside one orthant, in which F is smooth.
 *   - The pseudo-gradient pg replaces the gradient: the steepest-descent
 *     one-sided derivative of F; at w_j = 0 with |g_j| <= l1 it is 0.
 *   - The direction -H pg from the two-loop recursion (H built from pairs
 *     of steps and differences of the smooth gradient g) loses every
 *     regularised entry whose sign disagrees with -pg.
 *   - Trial points are projected onto the orthant of w (signs of w, or of
 *     -pg where w_j = 0): entries that would cross zero become zero.
 *   - Backtracking (halving) until F(w') - F(w) <= 1e-4 pg.(w' - w).
 * Unregularised entries (the bias) are plain L-BFGS coordinates. It stops
 * when ||pg|| <= tol ||pg(w0)||. Each trial costs one X (w' - w) product
 * (the projection means it is not a multiple of X p); accepting one costs
 * a gradient. */

#define OWLQN_GAMMA 1e-4
#define OWLQN_MAX_BACKTRACK 60

/* pg = the pseudo-gradient of F at w from the smooth gradient g; returns
 * ||pg||^2. */
static double pseudo_grad(const spamlr__lr *L, const double *w, const double *g, double *pg)
{
    const double l1 = L->l1;
    size_t j;

    for (j = 0; j < L->nreg; j++) {
        double d = w[j] - spamlr__lr_centre(L, j);

        if (d > 0)
            pg[j] = g[j] + l1;
        else if (d < 0)
            pg[j] = g[j] - l1;
        else if (g[j] + l1 < 0)
            pg[j] = g[j] + l1;
        else if (g[j] - l1 > 0)
            pg[j] = g[j] - l1;
        else
            pg[j] = 0;
    }
    for (; j < L->n; j++)
        pg[j] = g[j];
    return L->k->nrm2sq(pg, L->n);
}

/* l1 |R (w - prior)|_1 */
static double l1_term(const spamlr__lr *L, const double *w)
{
    double s = 0;
    size_t j;

    if (L->l1 == 0)
        return 0;
    for (j = 0; j < L->nreg; j++)
        s += fabs(w[j] - spamlr__lr_centre(L, j));
    return L->l1 * s;
}

typedef struct owlqn_buf {
    double *g, *gold, *wt, *dw;
} owlqn_buf;

/* The trial point wt = w + a p projected onto the orthant of w about
 * the prior's centre c (sign of w_j - c_j, or of -pg_j where w_j = c_j), dw = wt - w, L->xv = X dw. Returns
 * F(wt) - F(w), computed from per-entry and per-row differences so that
 * it keeps its digits near the optimum; *gain = pg.dw. */
static double owlqn_trial(spamlr__lr *L, owlqn_buf *o, const double *w, const double *p,
                          const double *pg, double a, double *gain)
{
    const spamlr__kernels *k = L->k;
    double dreg = 0, dl1 = 0, dg;
    size_t j;

    for (j = 0; j < L->n; j++) {
        double t = w[j] + a * p[j], c = j < L->nreg ? spamlr__lr_centre(L, j) : 0.0;

        if (j < L->nreg && L->l1 > 0) {
            double sgn = w[j] != c ? w[j] - c : -pg[j];

            if ((t - c) * sgn <= 0)
                t = c;
            dl1 += fabs(t - c) - fabs(w[j] - c);
        }
        o->wt[j] = t;
        o->dw[j] = t - w[j];
        if (j < L->nreg)
            dreg += o->dw[j] * (2 * (w[j] - c) + o->dw[j]);
    }
    *gain = k->dot(pg, o->dw, L->n);
    spamlr__lr_xv(L, o->dw, L->xv);
    return 0.5 * L->l2 * dreg + L->l1 * dl1 + spamlr__lr_step_change(L, L->xv, 0, 0, 1.0, &dg);
}

/* Zeroes the regularised entries of p whose sign is not that of -pg;
 * returns p.pg. */
static double owlqn_constrain(const spamlr__lr *L, double *p, const double *pg)
{
    size_t j;

    if (L->l1 > 0)
        for (j = 0; j < L->nreg; j++)
            if (p[j] * pg[j] >= 0)
                p[j] = 0;
    return L->k->dot(p, pg, L->n);
}

int spamlr__owlqn(spamlr__lr *L, const spamlr__solve_opts *opt, double *w,
                  spamlr_train_report *rep)
{
    const spamlr__kernels *k = L->k;
    size_t n = L->n, l = L->l, mn;
    spamlr__lbfgs_buf b;        /* b.g holds the pseudo-gradient, b.y the y pair */
    owlqn_buf o;
    double f, gg, gnorm, gnorm0, gamma = 1;
    unsigned iter = 0, head = 0, cnt = 0, evals = 0;
    int rc = SPAMLR_ENOMEM, done, canceled = 0;

    double **const vec[] = { &b.g, &b.y, &b.p, &o.g, &o.gold, &o.wt, &o.dw, &b.S, &b.Y };
    size_t counts[] = { n, n, n, n, n, n, n, 0, 0 };

    memset(&b, 0, sizeof b);
    memset(&o, 0, sizeof o);
    if (spamlr__mul_size(n, SPAMLR__LBFGS_M, &mn))
        return SPAMLR_ENOMEM;
    counts[7] = counts[8] = mn;
    if (spamlr__lr_scratch(L, vec, counts, 9))
        return SPAMLR_ENOMEM;

    spamlr__lr_eval_grad(L, w, o.g, &gg, 1);
    gnorm0 = gnorm = sqrt(pseudo_grad(L, w, o.g, b.g));
    done = spamlr__grad_small(opt, gnorm, gnorm0);
    while (!done && iter < opt->max_iter) {
        double dg0, a, df = 0, gain = 0;
        unsigned tries;

        spamlr__lbfgs_two_loop(k, &b, n, head, cnt, gamma);
        dg0 = owlqn_constrain(L, b.p, b.g);
        if (!(dg0 < 0)) {
            if (cnt == 0)
                break;
            cnt = 0;
            gamma = 1;
            continue;
        }
        a = cnt ? 1.0 : 1.0 / sqrt(k->nrm2sq(b.p, n));
        for (tries = 0; tries < OWLQN_MAX_BACKTRACK; tries++, a *= 0.5) {
            df = owlqn_trial(L, &o, w, b.p, b.g, a, &gain);
            evals++;
            if (isfinite(df) && gain < 0 && df <= OWLQN_GAMMA * gain)
                break;
        }
        if (tries == OWLQN_MAX_BACKTRACK) {
            if (cnt == 0)
                break; /* no decrease even along -pg: as far as it goes */
            cnt = 0;
            gamma = 1;
            continue;
        }
        memcpy(w, o.wt, n * sizeof(double));
        k->axpy(1.0, L->xv, L->z, l);
        memcpy(o.gold, o.g, n * sizeof(double));
        spamlr__lr_eval_grad(L, w, o.g, &gg, 0);
        gnorm = sqrt(pseudo_grad(L, w, o.g, b.g));
        iter++;
        done = spamlr__grad_small(opt, gnorm, gnorm0);
        if (!done && spamlr__solve_stop(opt, iter, gnorm, gnorm0)) {
            canceled = 1;
            break;
        }
        /* the pair: s = dw, y = g - gold (smooth gradients) */
        memcpy(b.y, o.g, n * sizeof(double));
        k->axpy(-1.0, o.gold, b.y, n);
        spamlr__lbfgs_push(k, &b, n, o.dw, 1.0, b.y, &head, &cnt, &gamma);
    }
    f = spamlr__lr_eval_grad(L, w, o.g, &gg, 1);
    gnorm = sqrt(pseudo_grad(L, w, o.g, b.g));
    spamlr__report(rep, f + l1_term(L, w), gnorm, spamlr__gnorm_ref(opt, gnorm0), iter, evals);
    rc = canceled ? SPAMLR_ECANCELED : done ? SPAMLR_OK : SPAMLR_ENOCONVERGE;
    return rc;
}
