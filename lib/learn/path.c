/* path.c - choosing C: stratified folds and a warm-started regularisation
 * path scored by validation log loss (path.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "learn/objective.h"
#include "learn/path.h"
#include "learn/pool.h"

/* Where the path starts. With tf-idf rows of unit length the chosen C lay
 * between 128 and 16384 on every corpus we measured (SpamAssassin both
 * ways and by source, SMS, the bundled corpus); the path walks down as
 * well as up, so the start only decides how many solves it takes to get
 * there: from 256 the SpamAssassin path is 7 points instead of 11 from 1,
 * the same C chosen; from 1024, in the middle of that range, it is 6, and
 * the first solve, the one that starts cold and costs the most, is one
 * that would be made anyway. Measured against 256 (whole-process medians
 * of 11 pairs, SpamAssassin split): 9 % less time on 1 and 2 threads; the
 * same C on SpamAssassin, swapped, by source, SMS and the bundled corpus
 * (the grid is the same powers of 4; SMS, at 128, walks down further). */
#define C_START 1024.0
#define C_MIN (1.0 / 1024)
#define C_MAX (1024.0 * 1024)
#define STEP 4.0            /* the path's factor; then half steps (2) */
#define PATH_TOL 0.1        /* the path's solves: tol * PATH_TOL */
#define PATIENCE 2          /* steps without a clear gain that end a direction */
#define CLEAR_GAIN 1e-3     /* a clear gain: the best loss falls by this share */
#define PRED_SPAN 16.0      /* the farthest solution (a factor in C) a start is predicted from */
#define SLOTS_MAX 64        /* folds solved side by side, at most */

void spamlr__assign_folds(const signed char *lab, size_t n, unsigned k, int *fold)
{
    uint64_t s = 0x9e3779b97f4a7c15ULL;
    size_t i, seen[2] = {0, 0};

    for (i = 0; i < n; i++) {
        int l = lab[i];
        fold[i] = -1;
        if (l != SPAMLR_SPAM && l != SPAMLR_HAM)
            continue;
        /* deal in rounds of k: a random rotation per round keeps each
         * fold's class share within one row of the others */
        if (seen[l] % k == 0) {
            s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        }
        fold[i] = (int)((seen[l] + (s >> 33)) % k);
        seen[l]++;
    }
}

/* One fold's problem: X with the fold's rows at cost 0, its current
 * solution, the previous one, the best and the best before it (the
 * best's neighbour on the path), and the validation loss of the last
 * solve. */
typedef struct fold_job {
    spamlr__csr X;
    double *cost, *w;
    float *best, *prev, *nb; /* starts only: single precision halves their memory */
    double c_w, c_prev, c_nb; /* the C of w, prev and nb (0: none yet) */
    double g0;              /* ||grad at w = 0|| at C = 1 (the solves' reference) */
    double loss;            /* sum of log losses of the fold's rows */
    double count;           /* their number */
    int rc;
} fold_job;

typedef struct path_ctx {
    const spamlr__csr *X;   /* the whole problem; cost = class weights */
    const int *fold;
    unsigned k, slots;
    spamlr__solve_opts so;  /* for one fold */
    fold_job *job;
    double *prob;           /* out-of-fold probability of every row */
    int *lab;               /* row labels for the AUC (NULL with several processes) */
    double c;               /* the C being tried */
    double best_c;          /* the C of the best solutions */
    int from_best;          /* start from the best solutions, not the last */
    spamlr__solver *sv[SLOTS_MAX]; /* each slot's solver, kept from C to C */
} path_ctx;

static double log1pexp(double t)
{
    return t > 0 ? t + log1p(exp(-t)) : log1p(exp(t));
}

/* |log(c / co)|, or infinity when there is no solution at co (0) or it
 * is the base's own (co == cb). */
static double log_span(double c, double co, double cb)
{
    return co > 0 && co != cb ? fabs(log(c / co)) : INFINITY;
}

/* Puts in j->w the start of the solve at p->c: a point on the line, in
 * log C, through the base (the best solution when from_best, else the
 * last) and the kept solution nearest p->c within PRED_SPAN, or the base
 * itself when there is none; prev keeps the base, the next step's other
 * point. Along a path the optimum moves almost linearly in log C over a
 * step or two, and the predicted start is far closer to it than the base:
 * on the SpamAssassin split the solves at 16384, 65536, 8192 and 2048
 * take no Newton step from it instead of 2, 1, 1 and 2 (the one at 2048
 * interpolates between the best and its neighbour below); its C and log
 * losses are those of a solve from the base, within the solves'
 * tolerance. */
static void predict_start(path_ctx *p, fold_job *j, size_t cols)
{
    const float *other = NULL;
    int other_w = 0;
    double c = p->c, cb = p->from_best ? p->best_c : j->c_w, co = 0, ratio = 0;
    double dw = p->from_best ? log_span(c, j->c_w, cb) : INFINITY;
    double dp = log_span(c, j->c_prev, cb), dn = log_span(c, j->c_nb, cb);
    size_t i;

    if (dw <= dp && dw <= dn && dw <= log(PRED_SPAN))
        other_w = 1, co = j->c_w;
    else if (dp <= dn && dp <= log(PRED_SPAN))
        other = j->prev, co = j->c_prev;
    else if (dn <= log(PRED_SPAN))
        other = j->nb, co = j->c_nb;
    if (other || other_w)
        ratio = log(c / cb) / log(co / cb);
    for (i = 0; cb > 0 && i < cols; i++) {
        /* read before w or prev change */
        double b = p->from_best ? (double)j->best[i] : j->w[i];
        double o = other_w ? j->w[i] : other ? (double)other[i] : b;

        j->w[i] = b + (o - b) * ratio;
        j->prev[i] = (float)b;
    }
    j->c_prev = cb;
    j->c_w = c;
}

/* The held-out rows of one fold, scored by its solution: their
 * probabilities in prob, and per row block the sum of their log losses
 * and their number (added up in block order: the same for any thread
 * count). */
typedef struct held_out {
    const path_ctx *p;
    const fold_job *j;
    int f;
    const spamlr__kernels *k;
    double loss[SPAMLR__SOLVER_BLOCKS], count[SPAMLR__SOLVER_BLOCKS];
} held_out;

static void held_out_rows(void *ctx, size_t lo, size_t hi, unsigned b)
{
    held_out *h = ctx;
    const spamlr__csr *X = h->p->X;
    double loss = 0, count = 0;
    size_t r;

    for (r = lo; r < hi; r++) {
        size_t o = X->ptr[r];
        double z;

        if (h->p->fold[r] != h->f)
            continue;
        z = h->k->sdot(X->idx + o, X->val ? X->val + o : NULL, X->ptr[r + 1] - o, h->j->w);
        loss += log1pexp(-X->y[r] * z);
        count += 1;
        h->p->prob[r] = 1.0 / (1.0 + exp(-z));
    }
    h->loss[b] = loss;
    h->count[b] = count;
}

static void solve_fold(path_ctx *p, unsigned f, spamlr__solver *sv)
{
    const spamlr__csr *X = p->X;
    fold_job *j = &p->job[f];
    spamlr_train_report rep;
    spamlr__solve_opts so;
    const spamlr__kernels *k = spamlr__kernels_get();
    size_t r, cols = X->cols;
    int rc;

    for (r = 0; r < X->rows; r++)
        j->cost[r] = p->fold[r] == (int)f ? 0.0 : X->cost[r] * p->c;
    predict_start(p, j, cols);
    memset(&rep, 0, sizeof rep);
    rep.size = sizeof rep;
    so = p->so;
    /* stop where a cold start would with a tenth of the tolerance: a
     * warm start is often within the plain one already, and the log
     * losses of neighbouring C differ in the fourth digit */
    so.gnorm_ref = j->g0 * p->c; /* the gradient at 0 grows with C */
    so.tol = p->so.tol * PATH_TOL;
    rc = spamlr__solve_with(sv, &j->X, &so, j->w, &rep);
    j->rc = rc == SPAMLR_ENOCONVERGE ? SPAMLR_OK : rc;
    j->loss = j->count = 0;
    {
        held_out h;
        unsigned b, nb;

        h.p = p;
        h.j = j;
        h.f = (int)f;
        h.k = k;
        nb = spamlr__solver_rows(sv, X->rows, held_out_rows, &h);
        for (b = 0; b < nb; b++) {
            j->loss += h.loss[b];
            j->count += h.count[b];
        }
    }
}

/* Each fold's ||grad f(0)|| at C = 1 (job[f].g0, the reference of its
 * solves' stopping test) and that of the whole X (*all, the final
 * solve's), summed over the processes with so->reduce. f's gradient at 0
 * is X^T u with u_i = -cost_i y_i / 2, so C times it is the gradient at
 * C. One pass over the rows: row r's share goes into the sum of its fold
 * (in job[fold].w); a fold's gradient is the sum of the others', the
 * whole X's the sum of all (every row is in a fold). */
static void grad0_folds(path_ctx *p, const spamlr__solve_opts *so, double *all)
{
    const spamlr__csr *X = p->X;
    size_t r, e, j, cols = X->cols;
    double *norm2 = p->prob, a = 0; /* k sums of squares (prob is free until the path) */
    unsigned f, g;

    for (f = 0; f < p->k; f++) {
        memset(p->job[f].w, 0, cols * sizeof(double));
        norm2[f] = 0;
    }
    for (r = 0; r < X->rows; r++) {
        double u = -0.5 * X->cost[r] * X->y[r], *sum = p->job[p->fold[r]].w;

        if (u == 0)
            continue;
        for (e = X->ptr[r]; e < X->ptr[r + 1]; e++)
            sum[X->idx[e]] += u * (X->val ? X->val[e] : 1.0f);
    }
    for (f = 0; so->reduce && f < p->k; f++)
        so->reduce(so->reduce_ctx, p->job[f].w, cols);
    for (j = 0; j < cols; j++) {
        double t = 0;

        for (f = 0; f < p->k; f++) {
            double o = 0;

            for (g = 0; g < p->k; g++)
                if (g != f)
                    o += p->job[g].w[j];
            norm2[f] += o * o;
            t += p->job[f].w[j];
        }
        a += t * t;
    }
    for (f = 0; f < p->k; f++)
        p->job[f].g0 = sqrt(norm2[f]);
    *all = sqrt(a);
}

/* A pool task: block `slot` solves folds slot, slot + slots, ... */
static void fold_task(void *ctx, unsigned slot)
{
    path_ctx *p = ctx;
    unsigned f;

    for (f = slot; f < p->k; f += p->slots)
        solve_fold(p, f, p->sv[slot]);
}

/* Solves every fold at C = c and appends the point to path; *improved
 * says whether it is the best so far (its solutions are then kept), and
 * by a clear margin (CLEAR_GAIN) it is 2 rather than 1. */
static int visit(path_ctx *p, spamlr__pool *pl, double c, int from_best, spamlr__path *path,
                 double *best_loss, int *improved)
{
    spamlr_path_point *pt = &path->pt[path->n];
    double sum[2] = { 0, 0 };
    unsigned f;
    size_t cols = p->X->cols;

    p->c = c;
    p->from_best = from_best;
    if (p->slots > 1)
        spamlr__pool_run(pl, fold_task, p);
    else
        fold_task(p, 0);
    for (f = 0; f < p->k; f++) {
        if (p->job[f].rc)
            return p->job[f].rc;
        sum[0] += p->job[f].loss;
        sum[1] += p->job[f].count;
    }
    if (p->so.reduce)
        p->so.reduce(p->so.reduce_ctx, sum, 2);
    pt->c = c;
    pt->log_loss = sum[1] > 0 ? sum[0] / sum[1] : NAN;
    pt->auc = NAN;
    if (p->lab) {
        spamlr_metrics mt = SPAMLR_METRICS_INIT;
        if (spamlr_metrics_compute(p->lab, p->prob, p->X->rows, 0.5, &mt) == SPAMLR_OK)
            pt->auc = mt.auc;
    }
    path->n++;
    if (p->so.progress) {
        spamlr_progress pr;

        memset(&pr, 0, sizeof pr);
        pr.stage = SPAMLR_PROGRESS_PATH;
        pr.done = path->n;
        pr.c = c;
        pr.log_loss = pt->log_loss;
        if (p->so.progress(p->so.progress_ctx, &pr))
            return SPAMLR_ECANCELED;
    }
    *improved = pt->log_loss < *best_loss;
    if (*improved && !(pt->log_loss > *best_loss * (1 - CLEAR_GAIN)))
        *improved = 2;
    if (*improved) {
        *best_loss = pt->log_loss;
        path->c = c;
        for (f = 0; f < p->k; f++) {
            fold_job *j = &p->job[f];

            /* the best so far becomes the new best's neighbour */
            if (p->best_c > 0) {
                memcpy(j->nb, j->best, cols * sizeof *j->nb);
                j->c_nb = p->best_c;
            }
            for (size_t i = 0; i < cols; i++)
                j->best[i] = (float)j->w[i];
        }
        p->best_c = c;
    }
    return SPAMLR_OK;
}

/* Walks from C = c0 by factor `step` while the loss improves clearly
 * (PATIENCE steps of no or a tiny gain end it: they are the costly solves
 * at large C, and a gain under CLEAR_GAIN is below the folds' noise); the
 * first solve starts from the best solutions when from_best. */
static int walk(path_ctx *p, spamlr__pool *pl, double c0, double step, int from_best,
                spamlr__path *path, double *best_loss)
{
    int worse = 0, improved, rc;
    double c;

    for (c = c0; worse < PATIENCE && c >= C_MIN && c <= C_MAX && path->n < SPAMLR__PATH_MAX - 2;
         c *= step) {
        if ((rc = visit(p, pl, c, from_best, path, best_loss, &improved)))
            return rc;
        from_best = 0;
        worse = improved == 2 ? 0 : worse + 1;
    }
    return SPAMLR_OK;
}

int spamlr__path_choose(const spamlr__csr *X, const int *fold, unsigned k,
                        const spamlr__solve_opts *so, spamlr__path *path, double *w,
                        spamlr__solver *sv)
{
    path_ctx p;
    spamlr__pool pl;
    double best_loss = INFINITY, *block = NULL, best;
    /* a fold's doubles: w, cost, then best, prev and nb as floats */
    size_t cols = X->cols, per = (cols + 1) + (X->rows + 1) + (3 * (cols + 1) + 1) / 2;
    unsigned f;
    int improved, rc = SPAMLR_OK;

    memset(path, 0, sizeof *path);
    for (size_t r = 0; r < X->rows; r++)
        if (fold[r] < 0 || fold[r] >= (int)k)
            return SPAMLR_EINVAL;   /* every row must be in a fold */
    memset(&p, 0, sizeof p);
    memset(&pl, 0, sizeof pl);
    pl.nthr = 1;
    path->folds = k;
    path->c = C_START;
    p.X = X;
    p.fold = fold;
    p.k = k;
    p.so = *so;
    /* A solve's result does not depend on its threads (objective.c), so
     * folds are solved one after another on every thread, or side by side
     * when there are threads enough for more than one solve's blocks. */
    p.slots = so->reduce ? 1 : so->threads / SPAMLR__LR_BLOCKS;
    if (p.slots > k)
        p.slots = k;
    if (p.slots > SLOTS_MAX)
        p.slots = SLOTS_MAX;
    if (p.slots < 1)
        p.slots = 1;
    p.so.threads = so->threads / p.slots;
    if (!(p.job = calloc(k, sizeof *p.job)) ||
        !(p.prob = malloc((X->rows + 1) * sizeof *p.prob)) ||
        (!so->reduce && !(p.lab = malloc((X->rows + 1) * sizeof *p.lab))) ||
        !(block = spamlr__alloc_big(((size_t)k * per + 1) * sizeof *block))) {
        rc = SPAMLR_ENOMEM;
        goto out;
    }
    /* slot 0 solves with the caller's solver (its final solve then finds
     * the threads and memory made here); the others with their own */
    p.sv[0] = sv;
    for (f = 1; f < p.slots; f++)
        if (!(p.sv[f] = spamlr__solver_new())) {
            rc = SPAMLR_ENOMEM;
            goto out;
        }
    for (f = 0; f < k; f++) {
        fold_job *j = &p.job[f];
        j->w = block + (size_t)f * per;
        j->cost = j->w + cols + 1;
        j->best = (float *)(j->cost + X->rows + 1);
        j->prev = j->best + cols + 1;
        j->nb = j->prev + cols + 1;
        j->X = *X;
        j->X.cost = j->cost;
        for (size_t r = 0; r < X->rows; r++)
            j->cost[r] = fold[r] == (int)f ? 0.0 : X->cost[r];
    }
    grad0_folds(&p, so, &path->g0);
    for (f = 0; f < k; f++)
        memcpy(p.job[f].w, w, cols * sizeof *w);
    for (size_t r = 0; p.lab && r < X->rows; r++)
        p.lab[r] = X->y[r] > 0 ? SPAMLR_SPAM : SPAMLR_HAM;
    if (p.slots > 1 && (rc = spamlr__pool_start(&pl, p.slots, p.slots)))
        goto out;
    /* up from C_START while it helps; down when C_START itself was best */
    if ((rc = walk(&p, &pl, C_START, STEP, 0, path, &best_loss)))
        goto out;
    if (path->c == C_START && (rc = walk(&p, &pl, C_START / STEP, 1 / STEP, 1, path, &best_loss)))
        goto out;
    /* the half steps on either side of the best */
    best = path->c;
    if (best * (STEP / 2) <= C_MAX &&
        (rc = visit(&p, &pl, best * (STEP / 2), 1, path, &best_loss, &improved)))
        goto out;
    if (best / (STEP / 2) >= C_MIN &&
        (rc = visit(&p, &pl, best / (STEP / 2), 1, path, &best_loss, &improved)))
        goto out;
    for (size_t i = 0; i < cols; i++) {
        double s = 0;
        for (f = 0; f < k; f++)
            s += p.job[f].best[i];
        w[i] = s / k;
    }
out:
    spamlr__pool_stop(&pl);
    for (f = 1; f < p.slots; f++)
        spamlr__solver_free(p.sv[f]);
    free(block);
    free(p.prob);
    free(p.lab);
    free(p.job);
    return rc;
}

int spamlr__path_fit_c(const spamlr__csr *X, double *cost, unsigned folds, size_t nspam,
                       size_t nham, spamlr__solve_opts *so, spamlr__path *path, double *w,
                       double *c, spamlr__solver *sv)
{
    signed char *lab = NULL;
    int *fold = NULL, rc = SPAMLR_OK;
    unsigned k = folds ? folds : SPAMLR__PATH_FOLDS;
    size_t r;

    memset(path, 0, sizeof *path);
    *c = 1.0;
    if (k > nspam)
        k = (unsigned)nspam;
    if (k > nham)
        k = (unsigned)nham;
    if (k < 2)
        return SPAMLR_OK;
    if (!(lab = malloc(X->rows + 1)) || !(fold = malloc((X->rows + 1) * sizeof *fold))) {
        rc = SPAMLR_ENOMEM;
        goto out;
    }
    for (r = 0; r < X->rows; r++)
        lab[r] = X->y[r] > 0 ? SPAMLR_SPAM : SPAMLR_HAM;
    spamlr__assign_folds(lab, X->rows, k, fold);
    if ((rc = spamlr__path_choose(X, fold, k, so, path, w, sv)))
        goto out;
    *c = path->c;
    for (r = 0; r < X->rows; r++)
        cost[r] *= *c;
    /* the final solve starts from the folds' mean: it stops where a cold
     * start would (the gradient at 0 grows with C) */
    so->gnorm_ref = path->g0 * *c;
out:
    free(lab);
    free(fold);
    return rc;
}
