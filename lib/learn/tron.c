/* tron.c - the trust-region Newton method (TRON, LIBLINEAR -s 0) for the smooth objective. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "learn/tron.h"

/* TRON carries z = X w along (z += X s, where X s is built from the X d
 * products CG computes anyway), so a trial point costs O(rows) to
 * evaluate. */

/* The tau >= 0 with ||s + tau d|| = delta (||s|| <= delta). */
static double to_boundary(const spamlr__kernels *k, const double *s, const double *d,
                          size_t n, double delta)
{
    double sd = k->dot(s, d, n), ss = k->nrm2sq(s, n), dd = k->nrm2sq(d, n);
    double dsq = delta * delta, rad;

    if (!(dd > 0))
        return 0;
    rad = sqrt(fmax(sd * sd + dd * (dsq - ss), 0.0));
    return sd >= 0 ? (dsq - ss) / (sd + rad) : (rad - sd) / dd;
}

typedef struct tron_buf {
    double *g, *s, *r, *d, *hd, *xs;
} tron_buf;

/* Conjugate gradient on H s = -g inside ||s|| <= delta (Steihaug): stops
 * when ||r|| <= 0.1 ||g||, or on the boundary when a step would leave the
 * region or the curvature is not positive. Leaves s, the residual
 * r = -g - H s and xs = X s; returns the number of Hessian products. */
static unsigned trcg(spamlr__lr *L, tron_buf *t, double gnorm, double delta, int *boundary)
{
    const spamlr__kernels *k = L->k;
    size_t n = L->n, l = L->l, i;
    double rr, cgtol2 = 0.01 * gnorm * gnorm, ss = 0, sd = 0, dd;
    unsigned it = 0, maxit = n > 5 ? (n < 100000u ? (unsigned)n : 100000u) : 5;

    *boundary = 0;
    memset(t->s, 0, n * sizeof(double));
    memset(t->xs, 0, l * sizeof(double));
    for (i = 0; i < n; i++)
        t->r[i] = -t->g[i];
    memcpy(t->d, t->r, n * sizeof(double));
    rr = gnorm * gnorm;
    dd = rr;
    while (rr > cgtol2 && it < maxit) {
        double dhd, alpha, ss_new, rr_new, beta;

        it++;
        dhd = spamlr__lr_hess_vec(L, t->d, t->hd);
        alpha = dhd > 0 ? rr / dhd : HUGE_VAL;
        /* ||s + alpha d||^2 by the CG recurrences; exact dots below. */
        ss_new = ss + alpha * (2 * sd + alpha * dd);
        if (!(dhd > 0) || !(ss_new <= delta * delta)) {
            double tau = to_boundary(k, t->s, t->d, n, delta);

            k->axpy(tau, t->d, t->s, n);
            k->axpy(tau, L->xv, t->xs, l);
            k->axpy(-tau, t->hd, t->r, n);
            *boundary = 1;
            break;
        }
        rr_new = spamlr__lr_cg_step(L, alpha, t->d, t->hd, t->s, t->r);
        k->axpy(alpha, L->xv, t->xs, l);
        beta = rr_new / rr;
        spamlr__lr_cg_dir(L, beta, t->r, t->d);
        sd = beta * (sd + alpha * dd);
        dd = rr_new + beta * beta * dd;
        ss = ss_new;
        rr = rr_new;
    }
    return it;
}

int spamlr__tron(spamlr__lr *L, const spamlr__solve_opts *o, double *w,
                 spamlr_train_report *rep)
{
    const double eta0 = 1e-4, eta1 = 0.25, eta2 = 0.75;
    const double sigma1 = 0.25, sigma2 = 0.5, sigma3 = 4;
    const spamlr__kernels *k = L->k;
    size_t n = L->n, l = L->l;
    tron_buf t = { NULL, NULL, NULL, NULL, NULL, NULL };
    double f, gg, gnorm, gnorm0, delta;
    unsigned iter = 0, inner = 0, rejects = 0;
    int rc, done = 0, canceled = 0;
    double **const vec[] = { &t.g, &t.s, &t.r, &t.d, &t.hd, &t.xs };
    const size_t counts[] = { n, n, n, n, n, l };

    if (spamlr__lr_scratch(L, vec, counts, 6))
        return SPAMLR_ENOMEM;

    f = spamlr__lr_eval_grad(L, w, t.g, &gg, 1);
    gnorm0 = gnorm = sqrt(gg);
    delta = gnorm0;
    done = spamlr__grad_small(o, gnorm, gnorm0);
    while (!done && iter < o->max_iter) {
        int boundary;
        double gs, prered, actred, dg, snorm, alpha;

        inner += trcg(L, &t, gnorm, delta, &boundary);
        gs = k->dot(t.g, t.s, n);
        prered = -0.5 * (gs - k->dot(t.s, t.r, n));
        /* f(w + s) - f(w) from z and X s, without cancellation */
        actred = -spamlr__lr_step_change(L, t.xs, spamlr__lr_wp(L, w, t.s),
                              k->nrm2sq(t.s, L->nreg), 1.0, &dg);
        snorm = sqrt(k->nrm2sq(t.s, n));
        /* The radius update of LIBLINEAR (Lin & More): alpha * snorm is
         * the minimiser of the quadratic through f(w), g.s and f(w + s)
         * along s; the ratio actred / prered picks shrink or grow. The
         * first radius is ||g0||, cut to the first step's length. */
        if (iter == 0)
            delta = fmin(delta, snorm);
        if (-actred - gs <= 0)
            alpha = sigma3;
        else
            alpha = fmax(sigma1, -0.5 * (gs / (-actred - gs)));
        if (!(actred >= eta0 * prered))
            delta = fmin(alpha * snorm, sigma2 * delta);
        else if (actred < eta1 * prered)
            delta = fmax(sigma1 * delta, fmin(alpha * snorm, sigma2 * delta));
        else if (actred < eta2 * prered)
            delta = fmax(sigma1 * delta, fmin(alpha * snorm, sigma3 * delta));
        else if (boundary)
            delta = sigma3 * delta;
        else
            delta = fmax(delta, fmin(alpha * snorm, sigma3 * delta));

        if (actred > eta0 * prered) {
            k->axpy(1.0, t.s, w, n);
            k->axpy(1.0, t.xs, L->z, l);
            spamlr__lr_eval_grad(L, w, t.g, &gg, 0);
            gnorm = sqrt(gg);
            iter++;
            rejects = 0;
            done = spamlr__grad_small(o, gnorm, gnorm0);
            if (!done && spamlr__solve_stop(o, iter, gnorm, gnorm0)) {
                canceled = 1;
                break;
            }
            continue;
        }
        /* Rejected. Stop when no decrease can be predicted, or when the
         * step no longer changes w in floating point. */
        if (!(prered > 0) || snorm <= DBL_EPSILON * sqrt(k->nrm2sq(w, n))
            || ++rejects > 100)
            break;
    }
    /* Final f and gradient from z = X w recomputed exactly (the first
     * evaluation's, when w never moved: a warm start on the C path often
     * is a solution already). */
    if (iter > 0)
        f = spamlr__lr_eval_grad(L, w, t.g, &gg, 1);
    spamlr__report(rep, f, sqrt(gg), spamlr__gnorm_ref(o, gnorm0), iter, inner);
    rc = canceled ? SPAMLR_ECANCELED : done ? SPAMLR_OK : SPAMLR_ENOCONVERGE;
    return rc;
}
