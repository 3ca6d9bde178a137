/* lbfgs.c - L-BFGS with a strong Wolfe line search, and the memory of pairs OWL-QN shares. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "learn/lbfgs.h"

/* The line search evaluates f along p from z = X w and X p (one product
 * a direction), so each trial point costs O(rows); z is then carried
 * along (z += a X p). */

typedef struct ls_point {
    double a, df, dg;       /* step, f(w + a p) - f(w), its derivative */
} ls_point;

typedef struct ls_ctx {
    spamlr__lr *L;
    double wp, pp, dg0;
    unsigned evals;
} ls_ctx;

static ls_point ls_eval(ls_ctx *c, double a)
{
    ls_point pt;

    pt.a = a;
    pt.df = spamlr__lr_step_change(c->L, c->L->xv, c->wp, c->pp, a, &pt.dg);
    c->evals++;
    return pt;
}

/* The minimiser of the cubic through (lo, hi), kept inside the interval
 * away from its ends; the midpoint when the cubic is no help. */
static double cubic_step(const ls_point *lo, const ls_point *hi)
{
    double d1, d2sq, d2, a, den, left, right, w;

    d1 = lo->dg + hi->dg - 3 * (lo->df - hi->df) / (lo->a - hi->a);
    d2sq = d1 * d1 - lo->dg * hi->dg;
    left = fmin(lo->a, hi->a);
    right = fmax(lo->a, hi->a);
    w = right - left;
    a = 0.5 * (left + right);
    if (d2sq >= 0 && isfinite(d2sq)) {
        d2 = copysign(sqrt(d2sq), hi->a - lo->a);
        den = hi->dg - lo->dg + 2 * d2;
        if (den != 0) {
            double c = hi->a - (hi->a - lo->a) * (hi->dg + d2 - d1) / den;

            if (isfinite(c))
                a = c;
        }
    }
    return fmin(fmax(a, left + 0.1 * w), right - 0.1 * w);
}

/* Strong Wolfe line search on phi(a) = f(w + a p) (Nocedal & Wright,
 * algorithms 3.5 and 3.6, with cubic interpolation). Every evaluation
 * costs O(rows) since X p is known. Returns the step found, or a point
 * with a == 0 when no decrease could be found. */
static ls_point line_search(ls_ctx *c, double a0)
{
    const double c1 = 1e-4, c2 = 0.9;
    ls_point prev = { 0, 0, 0 }, cur, lo, hi, zero = { 0, 0, 0 };
    unsigned i;

    prev.dg = zero.dg = c->dg0;
    cur.a = a0;
    for (i = 0; i < 50; i++) {
        cur = ls_eval(c, cur.a);
        if (!isfinite(cur.df) || !isfinite(cur.dg)
            || cur.df > c1 * cur.a * c->dg0 || (i > 0 && cur.df >= prev.df)) {
            lo = prev;
            hi = cur;
            goto zoom;
        }
        if (fabs(cur.dg) <= -c2 * c->dg0)
            return cur;
        if (cur.dg >= 0) {
            lo = cur;
            hi = prev;
            goto zoom;
        }
        prev = cur;
        cur.a *= 4;
    }
    return prev;
zoom:
    for (i = 0; i < 60; i++) {
        if (!isfinite(hi.df) || !isfinite(hi.dg))
            cur.a = 0.5 * (lo.a + hi.a);
        else
            cur.a = cubic_step(&lo, &hi);
        if (cur.a == lo.a || cur.a == hi.a)
            break;
        cur = ls_eval(c, cur.a);
        if (!isfinite(cur.df) || !isfinite(cur.dg)
            || cur.df > c1 * cur.a * c->dg0 || cur.df >= lo.df) {
            hi = cur;
        } else {
            if (fabs(cur.dg) <= -c2 * c->dg0)
                return cur;
            if (cur.dg * (hi.a - lo.a) >= 0)
                hi = lo;
            lo = cur;
        }
    }
    /* Out of evaluations or interval: the best sufficient-decrease point,
     * if any (lo.a == 0 means none). */
    return lo.a > 0 && lo.df < 0 ? lo : zero;
}

void spamlr__lbfgs_push(const spamlr__kernels *k, spamlr__lbfgs_buf *b, size_t n,
                        const double *s, double a, const double *y, unsigned *head,
                        unsigned *cnt, double *gamma)
{
    double sy = a * k->dot(s, y, n), yy = k->nrm2sq(y, n);

    if (!(sy > 0 && yy > 0 && isfinite(sy) && isfinite(yy)))
        return;
    memcpy(b->S + *head * n, s, n * sizeof(double));
    if (a != 1.0)
        k->scale(a, b->S + *head * n, n);
    memcpy(b->Y + *head * n, y, n * sizeof(double));
    b->rho[*head] = 1.0 / sy;
    *gamma = sy / yy;
    *head = (*head + 1) % SPAMLR__LBFGS_M;
    if (*cnt < SPAMLR__LBFGS_M)
        (*cnt)++;
}

void spamlr__lbfgs_two_loop(const spamlr__kernels *k, spamlr__lbfgs_buf *b, size_t n,
                            unsigned head, unsigned cnt, double gamma)
{
    unsigned i, j;
    size_t x;

    for (x = 0; x < n; x++)
        b->p[x] = -b->g[x];
    for (i = 0; i < cnt; i++) {
        j = (head + SPAMLR__LBFGS_M - 1 - i) % SPAMLR__LBFGS_M;
        b->al[j] = b->rho[j] * k->dot(b->S + j * n, b->p, n);
        k->axpy(-b->al[j], b->Y + j * n, b->p, n);
    }
    k->scale(gamma, b->p, n);
    for (i = cnt; i-- > 0;) {
        j = (head + SPAMLR__LBFGS_M - 1 - i) % SPAMLR__LBFGS_M;
        k->axpy(b->al[j] - b->rho[j] * k->dot(b->Y + j * n, b->p, n), b->S + j * n,
                b->p, n);
    }
}

int spamlr__lbfgs(spamlr__lr *L, const spamlr__solve_opts *o, double *w,
                  spamlr_train_report *rep)
{
    const spamlr__kernels *k = L->k;
    size_t n = L->n, l = L->l, mn;
    spamlr__lbfgs_buf b;
    ls_ctx c;
    double f, gg, gnorm, gnorm0, gamma = 1;
    unsigned iter = 0, head = 0, cnt = 0;
    int rc = SPAMLR_ENOMEM, done, canceled = 0;

    double **const vec[] = { &b.g, &b.y, &b.p, &b.S, &b.Y };
    size_t counts[] = { n, n, n, 0, 0 };

    memset(&b, 0, sizeof b);
    memset(&c, 0, sizeof c);
    c.L = L;
    if (spamlr__mul_size(n, SPAMLR__LBFGS_M, &mn))
        return SPAMLR_ENOMEM;
    counts[3] = counts[4] = mn;
    if (spamlr__lr_scratch(L, vec, counts, 5))
        return SPAMLR_ENOMEM;

    spamlr__lr_eval_grad(L, w, b.g, &gg, 1);
    gnorm0 = gnorm = sqrt(gg);
    done = spamlr__grad_small(o, gnorm, gnorm0);
    while (!done && iter < o->max_iter) {
        ls_point pt;

        spamlr__lbfgs_two_loop(k, &b, n, head, cnt, gamma);
        c.dg0 = k->dot(b.g, b.p, n);
        if (!(c.dg0 < 0)) {
            /* not a descent direction: forget the pairs */
            if (cnt == 0)
                break;
            cnt = 0;
            gamma = 1;
            continue;
        }
        spamlr__lr_xv(L, b.p, L->xv);
        c.wp = spamlr__lr_wp(L, w, b.p);
        c.pp = k->nrm2sq(b.p, L->nreg);
        pt = line_search(&c, cnt ? 1.0 : 1.0 / sqrt(k->nrm2sq(b.p, n)));
        if (pt.a == 0) {
            if (cnt == 0)
                break; /* no decrease even along -g: as far as it goes */
            cnt = 0;
            gamma = 1;
            continue;
        }
        k->axpy(pt.a, b.p, w, n);
        k->axpy(pt.a, L->xv, L->z, l);
        memcpy(b.y, b.g, n * sizeof(double));
        spamlr__lr_eval_grad(L, w, b.g, &gg, 0);
        gnorm = sqrt(gg);
        iter++;
        done = spamlr__grad_small(o, gnorm, gnorm0);
        if (!done && spamlr__solve_stop(o, iter, gnorm, gnorm0)) {
            canceled = 1;
            break;
        }
        /* y = g_new - g_old; s = a p */
        k->scale(-1.0, b.y, n);
        k->axpy(1.0, b.g, b.y, n);
        spamlr__lbfgs_push(k, &b, n, b.p, pt.a, b.y, &head, &cnt, &gamma);
    }
    f = spamlr__lr_eval_grad(L, w, b.g, &gg, 1);
    spamlr__report(rep, f, sqrt(gg), spamlr__gnorm_ref(o, gnorm0), iter, c.evals);
    rc = canceled ? SPAMLR_ECANCELED : done ? SPAMLR_OK : SPAMLR_ENOCONVERGE;
    return rc;
}
