/* solver.c - exact batch solvers for regularised logistic regression:
 * a trust-region Newton method (TRON, the algorithm of LIBLINEAR -s 0) and
 * L-BFGS for L2, and OWL-QN (orthant-wise L-BFGS) for L1 and the elastic
 * net, all on a CSR matrix, with the row loops split over threads.
 *
 * Notation (see solver.h): z = X w, margin m_i = y_i z_i,
 *   loss_i = cost_i log(1 + exp(-m_i)),
 *   grad f = l2 R w + X^T u,  u_i = -cost_i y_i sigma(-m_i),
 *   H v    = l2 R v + X^T (D X v),  D_i = cost_i sigma(m_i) sigma(-m_i),
 * R = diag(r), r_j = 1 except the unregularised last column. Since that
 * column is the last one, R v is "v with its last entry zeroed". f is the
 * smooth part; F = f + l1 |R w|_1 is what OWL-QN minimises.
 *
 * Threads: rows are cut into `nblk` contiguous blocks of about equal
 * work, nblk = the thread count (capped, see lr_init). A task runs once
 * per block; block b adds its part of X^T u into its own dense accumulator
 * (block 0 into the output itself), and the accumulators are then added
 * into the output in block order, by column ranges. Per-block partial
 * sums are added in block order; dense dots and norms are summed per tile
 * of TILE entries, then in tile order. So for a given thread count the
 * result does not depend on scheduling, and different counts differ only
 * by rounding. A pool of threads, created once per solve, claims blocks
 * as they come; with one block everything runs inline.
 *
 * TRON carries z = X w along (z += X s, where X s is built from the X d
 * products CG computes anyway), so a trial point costs O(rows) to
 * evaluate; L-BFGS does the same with X p in its line search. z is
 * recomputed exactly at the start and the end. */
#define _POSIX_C_SOURCE 200809L
#include <float.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "learn/solver.h"

/* ------------------------------------------------------------- numerics */

/* log(1 + exp(t)) without overflow for any finite t. */
static inline double log1pexp(double t)
{
    return t > 0 ? t + log1p(exp(-t)) : log1p(exp(t));
}

/* 1 / (1 + exp(-t)) without overflow. */
static inline double sigmoid(double t)
{
    double e;

    if (t >= 0)
        return 1.0 / (1.0 + exp(-t));
    e = exp(t);
    return e / (1.0 + e);
}

/* log1pexp(t + h) - log1pexp(t), accurate also when h is tiny (so that
 * f(w + s) - f(w) keeps its digits near the optimum, where it is far below
 * the rounding error of f itself). */
static inline double log1pexp_diff(double t, double h)
{
    if (fabs(h) < 0.5)
        return log1p(sigmoid(t) * expm1(h));
    return log1pexp(t + h) - log1pexp(t);
}

/* ----------------------------------------------------------- thread pool */

/* A task is nblk independent blocks. Block b's home is thread b % nthr
 * (thread 0 is the caller), so a block's accumulator stays in one core's
 * cache from one task to the next. Each block is claimed once, through its
 * own flag; since a block writes only its own outputs, the result does not
 * depend on who ran it. After its own blocks, the caller gives the workers
 * as long again to claim theirs, then takes what is left: a worker that is
 * late (asleep, or descheduled on a busy machine) costs about the
 * caller's share, not a stall.
 *
 * Waiting (workers for a task, the caller for the last block) spins for a
 * few tens of microseconds, then sleeps on a condition variable. Inside a
 * CG loop tasks come microseconds apart, and the spin catches them without
 * the cost of a wake-up. It is kept short on purpose: measured on a KVM
 * guest, longer spins, or spins that call sched_yield(), made the waiting
 * thread miss its tasks (the hypervisor or the scheduler takes the CPU
 * away from a spinner), and the caller then did all the work. There are
 * never more threads than CPUs (more blocks than threads are fine). */
#define POOL_SPIN_SECONDS 30e-6
#define POOL_GRACE_MIN_SECONDS 5e-6

typedef void (*task_fn)(void *ctx, unsigned blk);

typedef struct pool {
    unsigned nblk;          /* blocks per task */
    unsigned nthr;          /* threads, the caller included */
    pthread_t *tid;         /* nthr - 1 workers */
    struct pool_arg *args;  /* their arguments */
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    int sync_ok;            /* mu/go/done initialised */
    atomic_uint_least32_t gen;     /* current task number; stored under mu */
    atomic_uint_least32_t *claim;  /* per block: last task number it ran in */
    atomic_uint finished;   /* blocks of the current task done */
    _Atomic(task_fn) fn;    /* the current task, valid with its number */
    _Atomic(void *) ctx;
    atomic_int quit;
    int sleepers;           /* workers waiting on `go` (under mu) */
    int waiting;            /* the caller waits on `done` (under mu) */
} pool;

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static double seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Spins until ready(p, arg), at most POOL_SPIN_SECONDS; returns whether
 * it happened. */
static int spin_until(pool *p, int (*ready)(pool *, uint32_t), uint32_t arg)
{
    double until = 0;
    unsigned i;

    for (;;) {
        for (i = 0; i < 64; i++) {
            if (ready(p, arg))
                return 1;
            cpu_relax();
        }
        if (until == 0)
            until = seconds() + POOL_SPIN_SECONDS;
        else if (seconds() > until)
            return 0;
    }
}

static int new_task(pool *p, uint32_t seen)
{
    return atomic_load_explicit(&p->gen, memory_order_acquire) != seen
           || atomic_load_explicit(&p->quit, memory_order_relaxed);
}

static int task_done(pool *p, uint32_t unused)
{
    (void)unused;
    return atomic_load_explicit(&p->finished, memory_order_acquire) == p->nblk;
}

/* Whether block b is still unclaimed in task g (task numbers wrap). */
static int unclaimed(pool *p, unsigned b, uint32_t g)
{
    uint32_t c = atomic_load_explicit(&p->claim[b], memory_order_acquire);

    return (int32_t)(c - g) < 0;
}

/* Claims and runs the unclaimed blocks first, first + step, ... of task
 * number g. */
static void pool_claim(pool *p, uint32_t g, unsigned first, unsigned step, int is_worker)
{
    unsigned b;

    for (b = first; b < p->nblk; b += step) {
        uint_least32_t c = atomic_load_explicit(&p->claim[b], memory_order_acquire);
        task_fn fn;
        void *ctx;

        if ((int32_t)((uint32_t)c - g) >= 0)
            continue;
        /* Read before claiming: a successful claim proves task g was still
         * open, so these were its. */
        fn = atomic_load_explicit(&p->fn, memory_order_relaxed);
        ctx = atomic_load_explicit(&p->ctx, memory_order_relaxed);
        if (!atomic_compare_exchange_strong_explicit(&p->claim[b], &c, g,
                                                     memory_order_acq_rel,
                                                     memory_order_acquire))
            continue;
        fn(ctx, b);
        if (atomic_fetch_add_explicit(&p->finished, 1, memory_order_acq_rel) + 1 == p->nblk
            && is_worker) {
            pthread_mutex_lock(&p->mu);
            if (p->waiting)
                pthread_cond_signal(&p->done);
            pthread_mutex_unlock(&p->mu);
        }
    }
}

typedef struct pool_arg {
    pool *p;
    unsigned who;
} pool_arg;

static void *pool_worker(void *arg)
{
    pool *p = ((pool_arg *)arg)->p;
    unsigned who = ((pool_arg *)arg)->who;
    uint32_t seen = 0;

    for (;;) {
        if (!spin_until(p, new_task, seen)) {
            pthread_mutex_lock(&p->mu);
            while (!new_task(p, seen)) {
                p->sleepers++;
                pthread_cond_wait(&p->go, &p->mu);
                p->sleepers--;
            }
            pthread_mutex_unlock(&p->mu);
        }
        if (atomic_load_explicit(&p->quit, memory_order_relaxed))
            break;
        seen = atomic_load_explicit(&p->gen, memory_order_acquire);
        pool_claim(p, seen, who, p->nthr, 1);
    }
    return NULL;
}

/* Opens the next task (or, with quit set, tells the workers to end). */
static uint32_t pool_publish(pool *p)
{
    uint32_t g;

    pthread_mutex_lock(&p->mu);
    g = atomic_load_explicit(&p->gen, memory_order_relaxed) + 1;
    atomic_store_explicit(&p->gen, g, memory_order_release);
    if (p->sleepers)
        pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    return g;
}

static int all_claimed(pool *p, uint32_t g)
{
    unsigned b;

    for (b = 0; b < p->nblk; b++)
        if (unclaimed(p, b, g))
            return 0;
    return 1;
}

/* Runs fn(ctx, b) for every block b and returns when all are done. */
static void pool_run(pool *p, task_fn fn, void *ctx)
{
    unsigned b;
    uint32_t g;
    double t0, t1, grace;

    if (p->nthr <= 1) {
        for (b = 0; b < p->nblk; b++)
            fn(ctx, b);
        return;
    }
    atomic_store_explicit(&p->fn, fn, memory_order_relaxed);
    atomic_store_explicit(&p->ctx, ctx, memory_order_relaxed);
    atomic_store_explicit(&p->finished, 0, memory_order_relaxed);
    g = pool_publish(p);
    t0 = seconds();
    pool_claim(p, g, 0, p->nthr, 0);
    t1 = seconds();
    grace = t1 + fmax(t1 - t0, POOL_GRACE_MIN_SECONDS);
    while (!all_claimed(p, g)) {
        for (b = 0; b < 64 && !all_claimed(p, g); b++)
            cpu_relax();
        if (seconds() > grace)
            pool_claim(p, g, 0, 1, 0);
    }
    if (spin_until(p, task_done, 0))
        return;
    pthread_mutex_lock(&p->mu);
    while (!task_done(p, 0)) {
        p->waiting = 1;
        pthread_cond_wait(&p->done, &p->mu);
        p->waiting = 0;
    }
    pthread_mutex_unlock(&p->mu);
}

static void pool_stop(pool *p)
{
    unsigned t;

    if (p->nthr > 1) {
        atomic_store_explicit(&p->quit, 1, memory_order_relaxed);
        pool_publish(p);
        for (t = 1; t < p->nthr; t++)
            pthread_join(p->tid[t - 1], NULL);
    }
    if (p->sync_ok) {
        pthread_cond_destroy(&p->done);
        pthread_cond_destroy(&p->go);
        pthread_mutex_destroy(&p->mu);
    }
    free(p->tid);
    free(p->args);
    free((void *)p->claim);
    p->tid = NULL;
    p->args = NULL;
    p->claim = NULL;
    p->nthr = 1;
    p->sync_ok = 0;
}

/* Prepares p to run nblk blocks per task with up to nblk threads (the
 * caller's included), no more than there are CPUs. p must stay at its
 * address until pool_stop(). */
static int pool_start(pool *p, unsigned nblk)
{
    unsigned t, b, want = nblk < spamlr__ncpu() ? nblk : spamlr__ncpu();

    memset(p, 0, sizeof *p);
    atomic_init(&p->gen, 0);
    atomic_init(&p->finished, 0);
    atomic_init(&p->fn, NULL);
    atomic_init(&p->ctx, NULL);
    atomic_init(&p->quit, 0);
    p->nblk = nblk;
    p->nthr = 1;
    if (want <= 1)
        return SPAMLR_OK;
    p->tid = malloc(sizeof(pthread_t) * (want - 1));
    p->args = malloc(sizeof(pool_arg) * want);
    p->claim = malloc(sizeof(*p->claim) * nblk);
    if (!p->tid || !p->args || !p->claim)
        goto fail;
    for (b = 0; b < nblk; b++)
        atomic_init(&p->claim[b], 0);
    if (pthread_mutex_init(&p->mu, NULL) != 0)
        goto fail;
    if (pthread_cond_init(&p->go, NULL) != 0) {
        pthread_mutex_destroy(&p->mu);
        goto fail;
    }
    if (pthread_cond_init(&p->done, NULL) != 0) {
        pthread_cond_destroy(&p->go);
        pthread_mutex_destroy(&p->mu);
        goto fail;
    }
    p->sync_ok = 1;
    /* Workers are created with the final thread count in mind; when one
     * cannot be created, the blocks it would have had go to the caller
     * after the grace period: slower, but the same result. */
    p->nthr = want;
    for (t = 1; t < want; t++) {
        p->args[t].p = p;
        p->args[t].who = t;
        if (pthread_create(&p->tid[t - 1], NULL, pool_worker, &p->args[t]) != 0)
            break;
    }
    if (t < want) {
        /* stop the ones that started, then run single-threaded */
        unsigned started = t;

        atomic_store_explicit(&p->quit, 1, memory_order_relaxed);
        pool_publish(p);
        for (t = 1; t < started; t++)
            pthread_join(p->tid[t - 1], NULL);
        atomic_store_explicit(&p->quit, 0, memory_order_relaxed);
        p->nthr = 1;
    }
    return SPAMLR_OK;
fail:
    free(p->tid);
    free(p->args);
    free((void *)p->claim);
    p->tid = NULL;
    p->args = NULL;
    p->claim = NULL;
    return SPAMLR_ENOMEM;
}

/* ------------------------------------------------------- problem context */

/* Dense vectors are cut into tiles of TILE entries; reductions over them
 * (dots, norms) are summed per tile and then in tile order, so they do not
 * depend on the number of threads, and the several operations a step makes
 * on one tile find it in the cache. */
#define TILE 2048

typedef struct lr {
    const spamlr__csr *X;
    const spamlr__kernels *k;
    size_t n, l;
    size_t nreg;            /* regularised columns: n, or n - 1 with a bias */
    double l1, l2;          /* penalty weights (see solver.h) */
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
    pool pl;
    /* arguments of the task being run */
    const double *a_v;      /* dense input (n) */
    double *a_out;          /* dense output (n); block 0 accumulates here */
    double *a_row;          /* per-row output or input (l) */
    double a_alpha;
    double *a_s, *a_r, *a_d, *a_hd;  /* CG vectors */
} lr;

static inline const float *row_val(const spamlr__csr *X, size_t off)
{
    return X->val ? X->val + off : NULL;
}

/* out = l2 R v: v scaled, with the bias entry (if any) zeroed. */
static void copy_reg(const lr *L, double *out, const double *v)
{
    if (L->nreg) {
        memcpy(out, v, L->nreg * sizeof(double));
        if (L->l2 != 1)
            L->k->scale(L->l2, out, L->nreg);
    }
    if (L->nreg < L->n)
        out[L->n - 1] = 0;
}

/* The accumulator of row block b, ready for use: the output itself set to
 * R a_v for block 0, a zeroed private vector for the others. */
static double *block_acc(lr *L, unsigned b)
{
    if (b == 0) {
        /* with several processes the regulariser is added after the sum */
        if (L->red)
            memset(L->a_out, 0, L->n * sizeof(double));
        else
            copy_reg(L, L->a_out, L->a_v);
        return L->a_out;
    }
    memset(L->acc[b], 0, L->n * sizeof(double));
    return L->acc[b];
}

/* Column range [*lo, *hi) of block b, in whole tiles. */
static void block_cols(const lr *L, unsigned b, size_t *lo, size_t *hi)
{
    *lo = L->ntile * b / L->nblk * TILE;
    *hi = L->ntile * (b + 1) / L->nblk * TILE;
    if (*hi > L->n)
        *hi = L->n;
    if (*lo > *hi)
        *lo = *hi;
}

/* a_row[i] = x_i . a_v */
static void task_xv(void *ctx, unsigned b)
{
    lr *L = ctx;
    const spamlr__csr *X = L->X;
    size_t i;

    for (i = L->blk[b]; i < L->blk[b + 1]; i++) {
        size_t o = X->ptr[i], nz = X->ptr[i + 1] - o;

        L->a_row[i] = L->k->sdot(X->idx + o, row_val(X, o), nz, L->a_v);
    }
}

/* From z: D, the loss (part[b]) and the block's share of X^T u, with
 * a_v = w so that block 0 starts the gradient at R w. */
static void task_grad(void *ctx, unsigned b)
{
    lr *L = ctx;
    const spamlr__csr *X = L->X;
    double *acc = block_acc(L, b), loss = 0;
    size_t i;

    for (i = L->blk[b]; i < L->blk[b + 1]; i++) {
        size_t o = X->ptr[i], nz = X->ptr[i + 1] - o;
        double m = X->y[i] * L->z[i], e = exp(-fabs(m)), inv = 1.0 / (1.0 + e);
        double sneg = m >= 0 ? e * inv : inv; /* sigma(-m) */
        double u = -X->cost[i] * X->y[i] * sneg;

        loss += X->cost[i] * ((m < 0 ? -m : 0.0) + log1p(e));
        L->D[i] = X->cost[i] * e * inv * inv;
        if (u != 0)
            L->k->saxpy(u, X->idx + o, row_val(X, o), nz, acc);
    }
    L->part[b] = loss;
}

/* a_row = X a_v and the block's share of X^T (D a_row), one pass over
 * each row. */
static void task_hv(void *ctx, unsigned b)
{
    lr *L = ctx;
    const spamlr__csr *X = L->X;
    double *acc = block_acc(L, b);
    size_t i;

    for (i = L->blk[b]; i < L->blk[b + 1]; i++) {
        size_t o = X->ptr[i], nz = X->ptr[i + 1] - o;
        const float *v = row_val(X, o);
        double t = L->k->sdot(X->idx + o, v, nz, L->a_v), c = L->D[i] * t;

        L->a_row[i] = t;
        if (c != 0)
            L->k->saxpy(c, X->idx + o, v, nz, acc);
    }
}

/* a_out += acc[1] + ... + acc[nblk-1] (in that order), then per tile
 * tpart = a_v . a_out. */
static void task_reduce(void *ctx, unsigned b)
{
    lr *L = ctx;
    size_t lo, hi, len;
    unsigned t;

    block_cols(L, b, &lo, &hi);
    for (; lo < hi; lo += len) {
        len = hi - lo < TILE ? hi - lo : TILE;
        for (t = 1; t < L->nblk; t++)
            L->k->axpy(1.0, L->acc[t] + lo, L->a_out + lo, len);
        L->tpart[lo / TILE] = L->k->dot(L->a_v + lo, L->a_out + lo, len);
    }
}

/* CG step: s += alpha d, r -= alpha Hd, tpart = r.r per tile. */
static void task_cg_step(void *ctx, unsigned b)
{
    lr *L = ctx;
    size_t lo, hi, len;

    block_cols(L, b, &lo, &hi);
    for (; lo < hi; lo += len) {
        len = hi - lo < TILE ? hi - lo : TILE;
        L->k->axpy(L->a_alpha, L->a_d + lo, L->a_s + lo, len);
        L->k->axpy(-L->a_alpha, L->a_hd + lo, L->a_r + lo, len);
        L->tpart[lo / TILE] = L->k->nrm2sq(L->a_r + lo, len);
    }
}

/* CG direction: d = r + alpha d. */
static void task_cg_dir(void *ctx, unsigned b)
{
    lr *L = ctx;
    size_t lo, hi, len;

    block_cols(L, b, &lo, &hi);
    for (; lo < hi; lo += len) {
        len = hi - lo < TILE ? hi - lo : TILE;
        L->k->scale(L->a_alpha, L->a_d + lo, len);
        L->k->axpy(1.0, L->a_r + lo, L->a_d + lo, len);
    }
}

/* part[b] = sum_i (loss_i(z_i + a_alpha a_row_i) - loss_i(z_i)),
 * part[nblk + b] = its derivative in a_alpha. */
static void task_step(void *ctx, unsigned b)
{
    lr *L = ctx;
    const spamlr__csr *X = L->X;
    double df = 0, dg = 0, a = L->a_alpha;
    size_t i;

    for (i = L->blk[b]; i < L->blk[b + 1]; i++) {
        double t = -X->y[i] * L->z[i], h = -X->y[i] * L->a_row[i];

        if (h == 0)
            continue;
        df += X->cost[i] * log1pexp_diff(t, a * h);
        dg += X->cost[i] * sigmoid(t + a * h) * h;
    }
    L->part[b] = df;
    L->part[L->nblk + b] = dg;
}

static double sum_parts(const lr *L, size_t from)
{
    double s = 0;
    unsigned b;

    for (b = 0; b < L->nblk; b++)
        s += L->part[from + b];
    return s;
}

static double sum_tiles(const lr *L)
{
    double s = 0;
    size_t t;

    for (t = 0; t < L->ntile; t++)
        s += L->tpart[t];
    return s;
}

/* With several processes: out (n entries, then `extra` more) = its sum
 * over the processes, then out += l2 R v (left out of the local sums). */
static void sum_processes(lr *L, double *out, double *extra, size_t nextra, const double *v)
{
    size_t j;

    memcpy(L->rbuf, out, L->n * sizeof(double));
    if (nextra)
        memcpy(L->rbuf + L->n, extra, nextra * sizeof(double));
    L->red(L->red_ctx, L->rbuf, L->n + nextra);
    memcpy(out, L->rbuf, L->n * sizeof(double));
    if (nextra)
        memcpy(extra, L->rbuf + L->n, nextra * sizeof(double));
    for (j = 0; j < L->nreg; j++)
        out[j] += L->l2 * v[j];
}

/* out = l2 R v + X^T (D X v), L->xv = X v; returns v . out. */
static double hess_vec(lr *L, const double *v, double *out)
{
    L->a_v = v;
    L->a_out = out;
    L->a_row = L->xv;
    pool_run(&L->pl, task_hv, L);
    pool_run(&L->pl, task_reduce, L);
    if (!L->red)
        return sum_tiles(L);
    sum_processes(L, out, NULL, 0, v);
    return L->k->dot(v, out, L->n);
}

/* From L->z: g = grad f(w), L->D, *gg = ||g||^2, and the returned f(w).
 * When refresh is set, z is first recomputed as X w (it is otherwise
 * carried along by updates and may drift by rounding). */
static double eval_grad(lr *L, const double *w, double *g, double *gg, int refresh)
{
    double loss;

    L->a_v = w;
    if (refresh) {
        L->a_row = L->z;
        pool_run(&L->pl, task_xv, L);
    }
    L->a_out = g;
    pool_run(&L->pl, task_grad, L);
    loss = sum_parts(L, 0);
    L->a_v = g;
    pool_run(&L->pl, task_reduce, L);
    *gg = sum_tiles(L);
    if (L->red) {
        sum_processes(L, g, &loss, 1, w);
        *gg = L->k->nrm2sq(g, L->n);
    }
    return 0.5 * L->l2 * L->k->nrm2sq(w, L->nreg) + loss;
}

/* Returns f(w + a p) - f(w) and sets *dg to its derivative in a, where
 * xp = X p, wp = w.Rp, pp = p.Rp. */
static double step_change(lr *L, double *xp, double wp, double pp, double a, double *dg)
{
    double s[2];

    L->a_row = xp;
    L->a_alpha = a;
    pool_run(&L->pl, task_step, L);
    s[0] = sum_parts(L, 0);
    s[1] = sum_parts(L, L->nblk);
    if (L->red)
        L->red(L->red_ctx, s, 2);
    *dg = L->l2 * (wp + a * pp) + s[1];
    return L->l2 * (a * wp + 0.5 * a * a * pp) + s[0];
}

static void lr_free(lr *L)
{
    pool_stop(&L->pl);
    free(L->acc);
    free(L->block);
    free(L->blk);
    free(L->rbuf);
    memset(L, 0, sizeof *L);
}

static void *alloc_doubles(size_t count)
{
    size_t bytes;

    if (spamlr__mul_size(count ? count : 1, sizeof(double), &bytes))
        return NULL;
    return malloc(bytes);
}

/* Carves k vectors of counts[i] doubles (each start 64-byte aligned) out
 * of one block and points *vec[i] at them; returns the block (free() it),
 * or NULL. One allocation, on huge pages when large (spamlr__alloc_big),
 * instead of a dozen each paying a page fault per 4 KiB. */
static double *alloc_vectors(double **const *vec, const size_t *counts, size_t k)
{
    size_t total = 0, i, c;
    double *block;

    for (i = 0; i < k; i++) {
        c = (counts[i] + 7) & ~(size_t)7;
        if (c < counts[i] || c > SIZE_MAX / sizeof(double) - 8 - total)
            return NULL;
        total += c;
    }
    if (!(block = spamlr__alloc_big((total ? total : 1) * sizeof(double) + 64)))
        return NULL;
    total = (size_t)((64 - (uintptr_t)block % 64) % 64) / sizeof(double);
    for (i = 0; i < k; i++) {
        *vec[i] = block + total;
        total += (counts[i] + 7) & ~(size_t)7;
    }
    return block;
}

/* Cuts rows into nblk blocks of about equal work (nonzeros + rows). */
static void split_rows(lr *L)
{
    const spamlr__csr *X = L->X;
    size_t base = X->ptr[0], r = 0;
    double work = (double)(X->ptr[L->l] - base) + (double)L->l;
    unsigned b;

    L->blk[0] = 0;
    for (b = 1; b < L->nblk; b++) {
        double target = work * b / L->nblk;

        while (r < L->l && (double)(X->ptr[r] - base + r) < target)
            r++;
        L->blk[b] = r;
    }
    L->blk[L->nblk] = L->l;
}

static int lr_init(lr *L, const spamlr__csr *X, unsigned threads)
{
    unsigned b, nblk = threads ? threads : 1;
    int rc = SPAMLR_ENOMEM;

    memset(L, 0, sizeof *L);
    L->pl.nthr = 1;
    L->X = X;
    L->k = spamlr__kernels_get();
    L->n = X->cols;
    L->l = X->rows;
    L->nreg = X->unreg_last && X->cols > 0 ? X->cols - 1 : X->cols;
    L->l1 = X->reg ? X->reg->l1 : 0.0;
    L->l2 = X->reg ? X->reg->l2 : 1.0;
    L->ntile = (L->n + TILE - 1) / TILE;
    /* Each extra block costs a dense accumulator (memory, and O(cols)
     * time per product): keep their total about the size of the matrix,
     * beyond which they cost more than the threads gain. */
    if (L->n > 0 && L->l > 0) {
        size_t cap = 1 + (X->ptr[L->l] - X->ptr[0]) / L->n;

        if (nblk > cap)
            nblk = cap > 256 ? 256 : (unsigned)cap;
    }
    if (nblk > 256)
        nblk = 256;
    if (nblk > L->l)
        nblk = L->l ? (unsigned)L->l : 1;
    L->nblk = nblk;
    L->blk = malloc(sizeof(size_t) * (nblk + 1));
    L->acc = calloc(nblk, sizeof(double *));
    if (!L->blk || !L->acc)
        goto fail;
    {
        double **vec[5 + 256];
        size_t counts[5 + 256];

        vec[0] = &L->part, counts[0] = 2 * (size_t)nblk;
        vec[1] = &L->tpart, counts[1] = L->ntile;
        vec[2] = &L->z, counts[2] = L->l;
        vec[3] = &L->D, counts[3] = L->l;
        vec[4] = &L->xv, counts[4] = L->l;
        for (b = 1; b < nblk; b++)
            vec[4 + b] = &L->acc[b], counts[4 + b] = L->n;
        if (!(L->block = alloc_vectors((double **const *)vec, counts, 4 + nblk)))
            goto fail;
    }
    split_rows(L);
    rc = pool_start(&L->pl, nblk);
    if (rc)
        goto fail;
    return SPAMLR_OK;
fail:
    lr_free(L);
    return rc;
}

static int grad_small(double gnorm, double gnorm0, double tol)
{
    return gnorm <= tol * gnorm0;
}

static void report(spamlr_train_report *rep, double f, double gnorm, double gnorm0,
                   unsigned iter, unsigned inner)
{
    if (!rep)
        return;
    rep->objective = f;
    rep->grad_norm = gnorm;
    rep->grad_norm0 = gnorm0;
    rep->iterations = iter;
    rep->inner_iterations = inner;
}

/* ------------------------------------------------------------------ TRON */

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
static unsigned trcg(lr *L, tron_buf *t, double gnorm, double delta, int *boundary)
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
    L->a_s = t->s;
    L->a_r = t->r;
    L->a_d = t->d;
    L->a_hd = t->hd;
    rr = gnorm * gnorm;
    dd = rr;
    while (rr > cgtol2 && it < maxit) {
        double dhd, alpha, ss_new, rr_new, beta;

        it++;
        dhd = hess_vec(L, t->d, t->hd);
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
        L->a_alpha = alpha;
        pool_run(&L->pl, task_cg_step, L);
        rr_new = sum_tiles(L);
        k->axpy(alpha, L->xv, t->xs, l);
        beta = rr_new / rr;
        L->a_alpha = beta;
        pool_run(&L->pl, task_cg_dir, L);
        sd = beta * (sd + alpha * dd);
        dd = rr_new + beta * beta * dd;
        ss = ss_new;
        rr = rr_new;
    }
    return it;
}

static int tron(lr *L, const spamlr__solve_opts *o, double *w, spamlr_train_report *rep)
{
    const double eta0 = 1e-4, eta1 = 0.25, eta2 = 0.75;
    const double sigma1 = 0.25, sigma2 = 0.5, sigma3 = 4;
    const spamlr__kernels *k = L->k;
    size_t n = L->n, l = L->l;
    tron_buf t = { NULL, NULL, NULL, NULL, NULL, NULL };
    double f, gg, gnorm, gnorm0, delta;
    unsigned iter = 0, inner = 0, rejects = 0;
    int rc, done = 0;
    double **const vec[] = { &t.g, &t.s, &t.r, &t.d, &t.hd, &t.xs };
    const size_t counts[] = { n, n, n, n, n, l };
    double *block;

    if (!(block = alloc_vectors(vec, counts, 6)))
        return SPAMLR_ENOMEM;

    eval_grad(L, w, t.g, &gg, 1);
    gnorm0 = gnorm = sqrt(gg);
    delta = gnorm0;
    done = grad_small(gnorm, gnorm0, o->tol);
    while (!done && iter < o->max_iter) {
        int boundary;
        double gs, prered, actred, dg, snorm, alpha;

        inner += trcg(L, &t, gnorm, delta, &boundary);
        gs = k->dot(t.g, t.s, n);
        prered = -0.5 * (gs - k->dot(t.s, t.r, n));
        /* f(w + s) - f(w) from z and X s, without cancellation */
        actred = -step_change(L, t.xs, k->dot(w, t.s, L->nreg),
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
            eval_grad(L, w, t.g, &gg, 0);
            gnorm = sqrt(gg);
            iter++;
            rejects = 0;
            done = grad_small(gnorm, gnorm0, o->tol);
            continue;
        }
        /* Rejected. Stop when no decrease can be predicted, or when the
         * step no longer changes w in floating point. */
        if (!(prered > 0) || snorm <= DBL_EPSILON * sqrt(k->nrm2sq(w, n))
            || ++rejects > 100)
            break;
    }
    /* Final f and gradient from z = X w recomputed exactly. */
    f = eval_grad(L, w, t.g, &gg, 1);
    report(rep, f, sqrt(gg), gnorm0, iter, inner);
    rc = done ? SPAMLR_OK : SPAMLR_ENOCONVERGE;
    free(block);
    return rc;
}

/* ---------------------------------------------------------------- L-BFGS */

#define LBFGS_M 10

typedef struct ls_point {
    double a, df, dg;       /* step, f(w + a p) - f(w), its derivative */
} ls_point;

typedef struct ls_ctx {
    lr *L;
    double wp, pp, dg0;
    unsigned evals;
} ls_ctx;

static ls_point ls_eval(ls_ctx *c, double a)
{
    ls_point pt;

    pt.a = a;
    pt.df = step_change(c->L, c->L->xv, c->wp, c->pp, a, &pt.dg);
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

typedef struct lbfgs_buf {
    double *g, *y, *p, *S, *Y;
    double rho[LBFGS_M], al[LBFGS_M];
} lbfgs_buf;

/* Adds the pair (a s, y) to the memory as the newest, when its curvature
 * a s.y is positive and finite (otherwise the pair is skipped, which keeps
 * the implied Hessian positive definite). */
static void memory_push(const spamlr__kernels *k, lbfgs_buf *b, size_t n, const double *s,
                        double a, const double *y, unsigned *head, unsigned *cnt,
                        double *gamma)
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
    *head = (*head + 1) % LBFGS_M;
    if (*cnt < LBFGS_M)
        (*cnt)++;
}

/* p = -H g by the two-loop recursion over the `cnt` newest pairs, the
 * newest at slot `head - 1` (mod LBFGS_M). */
static void two_loop(const spamlr__kernels *k, lbfgs_buf *b, size_t n, unsigned head,
                     unsigned cnt, double gamma)
{
    unsigned i, j;
    size_t x;

    for (x = 0; x < n; x++)
        b->p[x] = -b->g[x];
    for (i = 0; i < cnt; i++) {
        j = (head + LBFGS_M - 1 - i) % LBFGS_M;
        b->al[j] = b->rho[j] * k->dot(b->S + j * n, b->p, n);
        k->axpy(-b->al[j], b->Y + j * n, b->p, n);
    }
    k->scale(gamma, b->p, n);
    for (i = cnt; i-- > 0;) {
        j = (head + LBFGS_M - 1 - i) % LBFGS_M;
        k->axpy(b->al[j] - b->rho[j] * k->dot(b->Y + j * n, b->p, n), b->S + j * n,
                b->p, n);
    }
}

static int lbfgs(lr *L, const spamlr__solve_opts *o, double *w, spamlr_train_report *rep)
{
    const spamlr__kernels *k = L->k;
    size_t n = L->n, l = L->l, mn;
    lbfgs_buf b;
    ls_ctx c;
    double f, gg, gnorm, gnorm0, gamma = 1;
    unsigned iter = 0, head = 0, cnt = 0;
    int rc = SPAMLR_ENOMEM, done;

    double **const vec[] = { &b.g, &b.y, &b.p, &b.S, &b.Y };
    size_t counts[] = { n, n, n, 0, 0 };
    double *block;

    memset(&b, 0, sizeof b);
    memset(&c, 0, sizeof c);
    c.L = L;
    if (spamlr__mul_size(n, LBFGS_M, &mn))
        return SPAMLR_ENOMEM;
    counts[3] = counts[4] = mn;
    if (!(block = alloc_vectors(vec, counts, 5)))
        return SPAMLR_ENOMEM;

    eval_grad(L, w, b.g, &gg, 1);
    gnorm0 = gnorm = sqrt(gg);
    done = grad_small(gnorm, gnorm0, o->tol);
    while (!done && iter < o->max_iter) {
        ls_point pt;

        two_loop(k, &b, n, head, cnt, gamma);
        c.dg0 = k->dot(b.g, b.p, n);
        if (!(c.dg0 < 0)) {
            /* not a descent direction: forget the pairs */
            if (cnt == 0)
                break;
            cnt = 0;
            gamma = 1;
            continue;
        }
        L->a_v = b.p;
        L->a_row = L->xv;
        pool_run(&L->pl, task_xv, L);
        c.wp = k->dot(w, b.p, L->nreg);
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
        eval_grad(L, w, b.g, &gg, 0);
        gnorm = sqrt(gg);
        iter++;
        done = grad_small(gnorm, gnorm0, o->tol);
        /* y = g_new - g_old; s = a p */
        k->scale(-1.0, b.y, n);
        k->axpy(1.0, b.g, b.y, n);
        memory_push(k, &b, n, b.p, pt.a, b.y, &head, &cnt, &gamma);
    }
    f = eval_grad(L, w, b.g, &gg, 1);
    report(rep, f, sqrt(gg), gnorm0, iter, c.evals);
    rc = done ? SPAMLR_OK : SPAMLR_ENOCONVERGE;
    free(block);
    return rc;
}

/* ---------------------------------------------------------------- OWL-QN */

/* OWL-QN (Andrew & Gao, "Scalable training of L1-regularized log-linear
 * models", ICML 2007): L-BFGS on F = f + l1 |R w|_1, where each iteration
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
static double pseudo_grad(const lr *L, const double *w, const double *g, double *pg)
{
    const double l1 = L->l1;
    size_t j;

    for (j = 0; j < L->nreg; j++) {
        if (w[j] > 0)
            pg[j] = g[j] + l1;
        else if (w[j] < 0)
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

/* l1 |R w|_1 */
static double l1_term(const lr *L, const double *w)
{
    double s = 0;
    size_t j;

    if (L->l1 == 0)
        return 0;
    for (j = 0; j < L->nreg; j++)
        s += fabs(w[j]);
    return L->l1 * s;
}

typedef struct owlqn_buf {
    double *g, *gold, *wt, *dw;
} owlqn_buf;

/* The trial point wt = w + a p projected onto the orthant of w (sign of
 * w_j, or of -pg_j where w_j = 0), dw = wt - w, L->xv = X dw. Returns
 * F(wt) - F(w), computed from per-entry and per-row differences so that
 * it keeps its digits near the optimum; *gain = pg.dw. */
static double owlqn_trial(lr *L, owlqn_buf *o, const double *w, const double *p,
                          const double *pg, double a, double *gain)
{
    const spamlr__kernels *k = L->k;
    double dreg = 0, dl1 = 0, dg;
    size_t j;

    for (j = 0; j < L->n; j++) {
        double t = w[j] + a * p[j];

        if (j < L->nreg && L->l1 > 0) {
            double sgn = w[j] != 0 ? w[j] : -pg[j];

            if (t * sgn <= 0)
                t = 0;
            dl1 += fabs(t) - fabs(w[j]);
        }
        o->wt[j] = t;
        o->dw[j] = t - w[j];
        if (j < L->nreg)
            dreg += o->dw[j] * (2 * w[j] + o->dw[j]);
    }
    *gain = k->dot(pg, o->dw, L->n);
    L->a_v = o->dw;
    L->a_row = L->xv;
    pool_run(&L->pl, task_xv, L);
    return 0.5 * L->l2 * dreg + L->l1 * dl1 + step_change(L, L->xv, 0, 0, 1.0, &dg);
}

/* Zeroes the regularised entries of p whose sign is not that of -pg;
 * returns p.pg. */
static double owlqn_constrain(const lr *L, double *p, const double *pg)
{
    size_t j;

    if (L->l1 > 0)
        for (j = 0; j < L->nreg; j++)
            if (p[j] * pg[j] >= 0)
                p[j] = 0;
    return L->k->dot(p, pg, L->n);
}

static int owlqn(lr *L, const spamlr__solve_opts *opt, double *w, spamlr_train_report *rep)
{
    const spamlr__kernels *k = L->k;
    size_t n = L->n, l = L->l, mn;
    lbfgs_buf b;        /* b.g holds the pseudo-gradient, b.y the y pair */
    owlqn_buf o;
    double f, gg, gnorm, gnorm0, gamma = 1;
    unsigned iter = 0, head = 0, cnt = 0, evals = 0;
    int rc = SPAMLR_ENOMEM, done;

    double **const vec[] = { &b.g, &b.y, &b.p, &o.g, &o.gold, &o.wt, &o.dw, &b.S, &b.Y };
    size_t counts[] = { n, n, n, n, n, n, n, 0, 0 };
    double *block;

    memset(&b, 0, sizeof b);
    memset(&o, 0, sizeof o);
    if (spamlr__mul_size(n, LBFGS_M, &mn))
        return SPAMLR_ENOMEM;
    counts[7] = counts[8] = mn;
    if (!(block = alloc_vectors(vec, counts, 9)))
        return SPAMLR_ENOMEM;

    eval_grad(L, w, o.g, &gg, 1);
    gnorm0 = gnorm = sqrt(pseudo_grad(L, w, o.g, b.g));
    done = grad_small(gnorm, gnorm0, opt->tol);
    while (!done && iter < opt->max_iter) {
        double dg0, a, df = 0, gain = 0;
        unsigned tries;

        two_loop(k, &b, n, head, cnt, gamma);
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
        eval_grad(L, w, o.g, &gg, 0);
        gnorm = sqrt(pseudo_grad(L, w, o.g, b.g));
        iter++;
        done = grad_small(gnorm, gnorm0, opt->tol);
        /* the pair: s = dw, y = g - gold (smooth gradients) */
        memcpy(b.y, o.g, n * sizeof(double));
        k->axpy(-1.0, o.gold, b.y, n);
        memory_push(k, &b, n, o.dw, 1.0, b.y, &head, &cnt, &gamma);
    }
    f = eval_grad(L, w, o.g, &gg, 1);
    gnorm = sqrt(pseudo_grad(L, w, o.g, b.g));
    report(rep, f + l1_term(L, w), gnorm, gnorm0, iter, evals);
    rc = done ? SPAMLR_OK : SPAMLR_ENOCONVERGE;
    free(block);
    return rc;
}

/* ---------------------------------------------------------- entry points */

int spamlr__solve(const spamlr__csr *X, const spamlr__solve_opts *o, double *w,
                  spamlr_train_report *rep)
{
    lr L;
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
    rc = lr_init(&L, X, o->threads);
    if (rc)
        return rc;
    if (o->reduce) {
        L.red = o->reduce;
        L.red_ctx = o->reduce_ctx;
        if (!(L.rbuf = alloc_doubles(L.n + 2))) {
            lr_free(&L);
            return SPAMLR_ENOMEM;
        }
    }
    if (o->solver == SPAMLR_SOLVER_OWLQN)
        rc = owlqn(&L, o, w, rep);
    else if (o->solver == SPAMLR_SOLVER_LBFGS)
        rc = lbfgs(&L, o, w, rep);
    else
        rc = tron(&L, o, w, rep);
    lr_free(&L);
    return rc;
}

int spamlr__hessian_vec(const spamlr__csr *X, const double *w, const double *v,
                        double *out, unsigned threads)
{
    lr L;
    double *g, gg;
    int rc;

    if (!X || (X->cols && (!w || !v || !out))
        || (X->rows && (!X->ptr || !X->idx || !X->y || !X->cost)))
        return SPAMLR_EINVAL;
    rc = lr_init(&L, X, threads);
    if (rc)
        return rc;
    g = alloc_doubles(X->cols);
    if (g) {
        eval_grad(&L, w, g, &gg, 1);
        hess_vec(&L, v, out);
    }
    free(g);
    lr_free(&L);
    return g ? SPAMLR_OK : SPAMLR_ENOMEM;
}

double spamlr__objective(const spamlr__csr *X, const double *w, double *g)
{
    const spamlr__kernels *k = spamlr__kernels_get();
    size_t n = X->cols, nreg = X->unreg_last && n > 0 ? n - 1 : n, i;
    double f = 0, l1 = X->reg ? X->reg->l1 : 0, l2 = X->reg ? X->reg->l2 : 1, a1 = 0;

    for (i = 0; i < nreg; i++) {
        a1 += fabs(w[i]);
        if (g)
            g[i] = l2 * w[i];
    }
    if (g && nreg < n)
        g[n - 1] = 0;
    for (i = 0; i < X->rows; i++) {
        size_t o = X->ptr[i], nz = X->ptr[i + 1] - o;
        const float *v = row_val(X, o);
        double m = X->y[i] * k->sdot(X->idx + o, v, nz, w);

        f += X->cost[i] * log1pexp(-m);
        if (g)
            k->saxpy(-X->cost[i] * X->y[i] * sigmoid(-m), X->idx + o, v, nz, g);
    }
    return 0.5 * l2 * k->nrm2sq(w, nreg) + l1 * a1 + f;
}
