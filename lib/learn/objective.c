/* objective.c - the regularised logistic objective on a CSR matrix, over a thread pool. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "learn/objective.h"

/* Threads: rows are cut into `nblk` contiguous blocks of about equal
 * work, nblk = SPAMLR__LR_BLOCKS whatever the thread count (fewer for a
 * small matrix, see spamlr__lr_init). A task runs once per block; block b
 * adds its part of X^T u into its own dense accumulator (block 0 into the
 * output itself), and the accumulators are then added into the output in
 * block order, by column ranges. Per-block partial sums are added in block
 * order; dense dots and norms are summed per tile of TILE entries, then in
 * tile order. So the result depends on the matrix alone: not on
 * scheduling, nor on the number of threads, and a model is the same bit
 * for bit on 1, 2 or 8 threads. A pool of up to nblk threads, created once
 * per solve, claims blocks as they come; with one thread the blocks run
 * inline, one after another. */

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

/* ------------------------------------------------------- problem context */

/* Dense vectors are cut into tiles of TILE entries; reductions over them
 * (dots, norms) are summed per tile and then in tile order, so they do not
 * depend on the number of threads, and the several operations a step makes
 * on one tile find it in the cache. */
#define TILE 2048

static inline const float *row_val(const spamlr__csr *X, size_t off)
{
    return X->val ? X->val + off : NULL;
}

/* out = l2 R (v - c): v less the centre c (when not NULL), scaled, with
 * the bias entry (if any) zeroed. */
static void copy_reg(const spamlr__lr *L, double *out, const double *v, const double *c)
{
    if (L->nreg) {
        memcpy(out, v, L->nreg * sizeof(double));
        if (c)
            L->k->axpy(-1.0, c, out, L->nreg);
        if (L->l2 != 1)
            L->k->scale(L->l2, out, L->nreg);
    }
    if (L->nreg < L->n)
        out[L->n - 1] = 0;
}

/* The accumulator of row block b, ready for use: the output itself set to
 * R a_v for block 0, a zeroed private vector for the others. */
static double *block_acc(spamlr__lr *L, unsigned b)
{
    if (b == 0) {
        /* with several processes the regulariser is added after the sum */
        if (L->red)
            memset(L->a_out, 0, L->n * sizeof(double));
        else
            copy_reg(L, L->a_out, L->a_v, L->a_c);
        return L->a_out;
    }
    memset(L->acc[b], 0, L->n * sizeof(double));
    return L->acc[b];
}

/* Column range [*lo, *hi) of block b, in whole tiles. */
static void block_cols(const spamlr__lr *L, unsigned b, size_t *lo, size_t *hi)
{
    *lo = L->ntile * b / L->nblk * TILE;
    *hi = L->ntile * (b + 1) / L->nblk * TILE;
    if (*hi > L->n)
        *hi = L->n;
    if (*lo > *hi)
        *lo = *hi;
}

/* a_row[i] = x_i . a_v. A row of cost 0 (a held-out fold of the C path)
 * counts for nothing in the objective: its product is left at 0. */
static void task_xv(void *ctx, unsigned b)
{
    spamlr__lr *L = ctx;
    const spamlr__csr *X = L->X;
    size_t i;

    for (i = L->blk[b]; i < L->blk[b + 1]; i++) {
        size_t o = X->ptr[i], nz = X->ptr[i + 1] - o;

        L->a_row[i] = X->cost[i] == 0 ? 0.0
                                      : L->k->sdot(X->idx + o, row_val(X, o), nz, L->a_v);
    }
}

/* From z: D, the loss (part[b]) and the block's share of X^T u, with
 * a_v = w and a_c = the prior so that block 0 starts the gradient at
 * l2 R (w - prior). With refresh, each row's z is first made again as
 * x_i . w, while the row is in the cache (task_xv's, in the same pass). */
static inline void grad_rows(spamlr__lr *L, unsigned b, int refresh)
{
    const spamlr__csr *X = L->X;
    double *acc = block_acc(L, b), loss = 0;
    size_t i;

    for (i = L->blk[b]; i < L->blk[b + 1]; i++) {
        size_t o = X->ptr[i], nz = X->ptr[i + 1] - o;
        double m, e, inv;

        if (refresh)
            L->z[i] = X->cost[i] == 0 ? 0.0 : L->k->sdot(X->idx + o, row_val(X, o), nz, L->a_v);
        m = X->y[i] * L->z[i], e = exp(-fabs(m)), inv = 1.0 / (1.0 + e);
        double sneg = m >= 0 ? e * inv : inv; /* sigma(-m) */
        double u = -X->cost[i] * X->y[i] * sneg;

        loss += X->cost[i] * ((m < 0 ? -m : 0.0) + log1p(e));
        L->D[i] = X->cost[i] * e * inv * inv;
        if (u != 0)
            L->k->saxpy(u, X->idx + o, row_val(X, o), nz, acc);
    }
    L->part[b] = loss;
}

static void task_grad(void *ctx, unsigned b)
{
    grad_rows(ctx, b, 0);
}

static void task_xv_grad(void *ctx, unsigned b)
{
    grad_rows(ctx, b, 1);
}

/* a_row = X a_v and the block's share of X^T (D a_row), one pass over
 * each row. */
static void task_hv(void *ctx, unsigned b)
{
    spamlr__lr *L = ctx;
    const spamlr__csr *X = L->X;
    double *acc = block_acc(L, b);
    size_t i;

    for (i = L->blk[b]; i < L->blk[b + 1]; i++) {
        size_t o = X->ptr[i], nz = X->ptr[i + 1] - o;
        const float *v = row_val(X, o);
        double t, c;

        if (X->cost[i] == 0) {  /* a held-out row: no share, z unused */
            L->a_row[i] = 0;
            continue;
        }
        t = L->k->sdot(X->idx + o, v, nz, L->a_v);
        c = L->D[i] * t;
        L->a_row[i] = t;
        if (c != 0)
            L->k->saxpy(c, X->idx + o, v, nz, acc);
    }
}

/* a_out += acc[1] + ... + acc[nblk-1] (in that order), then per tile
 * tpart = a_v . a_out. */
static void task_reduce(void *ctx, unsigned b)
{
    spamlr__lr *L = ctx;
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
    spamlr__lr *L = ctx;
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
    spamlr__lr *L = ctx;
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
    spamlr__lr *L = ctx;
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

static double sum_parts(const spamlr__lr *L, size_t from)
{
    double s = 0;
    unsigned b;

    for (b = 0; b < L->nblk; b++)
        s += L->part[from + b];
    return s;
}

static double sum_tiles(const spamlr__lr *L)
{
    double s = 0;
    size_t t;

    for (t = 0; t < L->ntile; t++)
        s += L->tpart[t];
    return s;
}

/* With several processes: out (n entries, then `extra` more) = its sum
 * over the processes, then out += l2 R (v - c) (left out of the local
 * sums; c NULL = 0). */
static void sum_processes(spamlr__lr *L, double *out, double *extra, size_t nextra,
                          const double *v, const double *c)
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
        out[j] += L->l2 * (v[j] - (c ? c[j] : 0.0));
}

/* ||R (w - prior)||^2, summed per tile and then in tile order. */
static double reg_norm2(const spamlr__lr *L, const double *w)
{
    double s = 0, t, d;
    size_t lo, j, len;

    if (!L->prior)
        return L->k->nrm2sq(w, L->nreg);
    for (lo = 0; lo < L->nreg; lo += len) {
        len = L->nreg - lo < TILE ? L->nreg - lo : TILE;
        for (t = 0, j = lo; j < lo + len; j++) {
            d = w[j] - L->prior[j];
            t += d * d;
        }
        s += t;
    }
    return s;
}

double spamlr__lr_wp(const spamlr__lr *L, const double *w, const double *p)
{
    double s = 0, t;
    size_t lo, j, len;

    if (!L->prior)
        return L->k->dot(w, p, L->nreg);
    for (lo = 0; lo < L->nreg; lo += len) {
        len = L->nreg - lo < TILE ? L->nreg - lo : TILE;
        for (t = 0, j = lo; j < lo + len; j++)
            t += (w[j] - L->prior[j]) * p[j];
        s += t;
    }
    return s;
}

double spamlr__lr_hess_vec(spamlr__lr *L, const double *v, double *out)
{
    L->a_v = v;
    L->a_c = NULL;
    L->a_out = out;
    L->a_row = L->xv;
    spamlr__pool_run(&L->pl, task_hv, L);
    spamlr__pool_run(&L->pl, task_reduce, L);
    if (!L->red)
        return sum_tiles(L);
    sum_processes(L, out, NULL, 0, v, NULL);
    return L->k->dot(v, out, L->n);
}

double spamlr__lr_eval_grad(spamlr__lr *L, const double *w, double *g, double *gg,
                            int refresh)
{
    double loss;

    L->a_v = w;
    L->a_out = g;
    L->a_c = L->prior;
    spamlr__pool_run(&L->pl, refresh ? task_xv_grad : task_grad, L);
    L->a_c = NULL;
    loss = sum_parts(L, 0);
    L->a_v = g;
    spamlr__pool_run(&L->pl, task_reduce, L);
    *gg = sum_tiles(L);
    if (L->red) {
        sum_processes(L, g, &loss, 1, w, L->prior);
        *gg = L->k->nrm2sq(g, L->n);
    }
    return 0.5 * L->l2 * reg_norm2(L, w) + loss;
}

double spamlr__lr_step_change(spamlr__lr *L, double *xp, double wp, double pp, double a,
                              double *dg)
{
    double s[2];

    L->a_row = xp;
    L->a_alpha = a;
    spamlr__pool_run(&L->pl, task_step, L);
    s[0] = sum_parts(L, 0);
    s[1] = sum_parts(L, L->nblk);
    if (L->red)
        L->red(L->red_ctx, s, 2);
    *dg = L->l2 * (wp + a * pp) + s[1];
    return L->l2 * (a * wp + 0.5 * a * a * pp) + s[0];
}

void spamlr__lr_xv(spamlr__lr *L, const double *v, double *out)
{
    L->a_v = v;
    L->a_row = out;
    spamlr__pool_run(&L->pl, task_xv, L);
}

double spamlr__lr_cg_step(spamlr__lr *L, double alpha, double *d, double *hd, double *s,
                          double *r)
{
    L->a_alpha = alpha;
    L->a_d = d;
    L->a_hd = hd;
    L->a_s = s;
    L->a_r = r;
    spamlr__pool_run(&L->pl, task_cg_step, L);
    return sum_tiles(L);
}

void spamlr__lr_cg_dir(spamlr__lr *L, double beta, double *r, double *d)
{
    L->a_alpha = beta;
    L->a_r = r;
    L->a_d = d;
    spamlr__pool_run(&L->pl, task_cg_dir, L);
}

void spamlr__lr_free(spamlr__lr *L)
{
    spamlr__pool_stop(&L->pl);
    free(L->acc);
    free(L->block);
    free(L->scratch);
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

/* The doubles that k vectors of counts[i] take, each from a 64-byte
 * line, with room to align the first: 0 when that overflows. */
static size_t vectors_len(const size_t *counts, size_t k)
{
    size_t total = 8, i, c;

    for (i = 0; i < k; i++) {
        c = (counts[i] + 7) & ~(size_t)7;
        if (c < counts[i] || c > SIZE_MAX / sizeof(double) - total)
            return 0;
        total += c;
    }
    return total;
}

/* Points *vec[i] at the vectors carved out of block (vectors_len long). */
static void carve_vectors(double *block, double **const *vec, const size_t *counts, size_t k)
{
    size_t at = (size_t)((64 - (uintptr_t)block % 64) % 64) / sizeof(double), i;

    for (i = 0; i < k; i++) {
        *vec[i] = block + at;
        at += (counts[i] + 7) & ~(size_t)7;
    }
}

/* One allocation, on huge pages when large (spamlr__alloc_big), instead
 * of a dozen each paying a page fault per 4 KiB; NULL when out of memory. */
static double *alloc_vectors(double **const *vec, const size_t *counts, size_t k)
{
    size_t total = vectors_len(counts, k);
    double *block;

    if (!total || !(block = spamlr__alloc_big(total * sizeof(double))))
        return NULL;
    carve_vectors(block, vec, counts, k);
    return block;
}

typedef struct rows_task {
    spamlr__lr *L;
    void (*fn)(void *ctx, size_t lo, size_t hi, unsigned b);
    void *ctx;
} rows_task;

static void task_rows(void *ctx, unsigned b)
{
    rows_task *t = ctx;

    t->fn(t->ctx, t->L->blk[b], t->L->blk[b + 1], b);
}

unsigned spamlr__lr_rows(spamlr__lr *L, void (*fn)(void *ctx, size_t lo, size_t hi, unsigned b),
                         void *ctx)
{
    rows_task t;

    t.L = L;
    t.fn = fn;
    t.ctx = ctx;
    spamlr__pool_run(&L->pl, task_rows, &t);
    return L->nblk;
}

/* The fields of L that X's penalty sets. */
static void set_penalty(spamlr__lr *L, const spamlr__csr *X)
{
    L->nreg = X->unreg_last && X->cols > 0 ? X->cols - 1 : X->cols;
    L->l1 = X->reg ? X->reg->l1 : 0.0;
    L->l2 = X->reg ? X->reg->l2 : 1.0;
    L->prior = X->prior;
}

int spamlr__lr_rebind(spamlr__lr *L, const spamlr__csr *X, unsigned threads)
{
    if (!L->X || L->threads != threads || X->rows != L->l || X->cols != L->n ||
        (const void *)X->ptr != L->shape[0] || (const void *)X->idx != L->shape[1] ||
        (const void *)X->val != L->shape[2])
        return 0;
    L->X = X;
    set_penalty(L, X);
    return 1;
}

int spamlr__lr_scratch(spamlr__lr *L, double **const *vec, const size_t *counts, size_t k)
{
    size_t total = vectors_len(counts, k);

    if (!total)
        return SPAMLR_ENOMEM;
    if (total > L->scratch_len) {
        double *b = spamlr__alloc_big(total * sizeof(double));

        if (!b)
            return SPAMLR_ENOMEM;
        free(L->scratch);
        L->scratch = b;
        L->scratch_len = total;
    }
    carve_vectors(L->scratch, vec, counts, k);
    return SPAMLR_OK;
}

/* Cuts rows into nblk blocks of about equal work (nonzeros + rows). */
static void split_rows(spamlr__lr *L)
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

int spamlr__lr_init(spamlr__lr *L, const spamlr__csr *X, unsigned threads,
                    void (*reduce)(void *, double *, size_t), void *reduce_ctx)
{
    unsigned b, nblk = SPAMLR__LR_BLOCKS;
    int rc = SPAMLR_ENOMEM;

    memset(L, 0, sizeof *L);
    L->pl.nthr = 1;
    L->X = X;
    L->k = spamlr__kernels_get();
    L->n = X->cols;
    L->l = X->rows;
    L->threads = threads;
    L->shape[0] = X->ptr;
    L->shape[1] = X->idx;
    L->shape[2] = X->val;
    set_penalty(L, X);
    L->ntile = (L->n + TILE - 1) / TILE;
    /* Each extra block costs a dense accumulator (memory, and O(cols)
     * time per product): keep their total about the size of the matrix,
     * beyond which they cost more than the threads gain. */
    if (L->n > 0 && L->l > 0) {
        size_t cap = 1 + (X->ptr[L->l] - X->ptr[0]) / L->n;

        if (nblk > cap)
            nblk = cap > SPAMLR__SOLVER_BLOCKS ? SPAMLR__SOLVER_BLOCKS : (unsigned)cap;
    }
    if (nblk > SPAMLR__SOLVER_BLOCKS)
        nblk = SPAMLR__SOLVER_BLOCKS;
    if (nblk > L->l)
        nblk = L->l ? (unsigned)L->l : 1;
    L->nblk = nblk;
    L->blk = malloc(sizeof(size_t) * (nblk + 1));
    L->acc = calloc(nblk, sizeof(double *));
    if (!L->blk || !L->acc)
        goto fail;
    {
        double **vec[5 + SPAMLR__SOLVER_BLOCKS];
        size_t counts[5 + SPAMLR__SOLVER_BLOCKS];

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
    rc = spamlr__pool_start(&L->pl, nblk, threads ? threads : 1);
    if (rc)
        goto fail;
    if (reduce) {
        L->red = reduce;
        L->red_ctx = reduce_ctx;
        if (!(L->rbuf = alloc_doubles(L->n + 2))) {
            rc = SPAMLR_ENOMEM;
            goto fail;
        }
    }
    return SPAMLR_OK;
fail:
    spamlr__lr_free(L);
    return rc;
}

/* ------------------------------------------ for tests (declared in solver.h) */

int spamlr__hessian_vec(const spamlr__csr *X, const double *w, const double *v,
                        double *out, unsigned threads)
{
    spamlr__lr L;
    double *g, gg;
    int rc;

    if (!X || (X->cols && (!w || !v || !out))
        || (X->rows && (!X->ptr || !X->idx || !X->y || !X->cost)))
        return SPAMLR_EINVAL;
    rc = spamlr__lr_init(&L, X, threads, NULL, NULL);
    if (rc)
        return rc;
    g = alloc_doubles(X->cols);
    if (g) {
        spamlr__lr_eval_grad(&L, w, g, &gg, 1);
        spamlr__lr_hess_vec(&L, v, out);
    }
    free(g);
    spamlr__lr_free(&L);
    return g ? SPAMLR_OK : SPAMLR_ENOMEM;
}

double spamlr__objective(const spamlr__csr *X, const double *w, double *g)
{
    const spamlr__kernels *k = spamlr__kernels_get();
    size_t n = X->cols, nreg = X->unreg_last && n > 0 ? n - 1 : n, i;
    double f = 0, l1 = X->reg ? X->reg->l1 : 0, l2 = X->reg ? X->reg->l2 : 1, a1 = 0, reg = 0;

    for (i = 0; i < nreg; i++) {
        double d = w[i] - (X->prior ? X->prior[i] : 0.0);

        a1 += fabs(d);
        reg += d * d;
        if (g)
            g[i] = l2 * d;
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
    return 0.5 * l2 * reg + l1 * a1 + f;
}
