/* test_solver.c - the exact batch solvers (TRON, L-BFGS, OWL-QN) and the vector
 * kernels they run on. */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "learn/solver.h"

/* Under AddressSanitizer or ThreadSanitizer, let the deliberately
 * impossible allocation of the ENOMEM test return NULL instead of
 * aborting. */
#if defined(__GNUC__)
#  define TEST_EXPORT __attribute__((visibility("default")))
#else
#  define TEST_EXPORT
#endif
TEST_EXPORT const char *__asan_default_options(void);
TEST_EXPORT const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1";
}
TEST_EXPORT const char *__tsan_default_options(void);
TEST_EXPORT const char *__tsan_default_options(void)
{
    return "allocator_may_return_null=1";
}

/* ------------------------------------------------------------- helpers */

static uint64_t rng_state = 0x853c49e6748fea9bULL;

static void rng_seed(uint64_t s)
{
    rng_state = s * 0x9e3779b97f4a7c15ULL + 0x853c49e6748fea9bULL;
}

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* uniform in [0, 1) */
static double urand(void)
{
    return (double)(rng() >> 11) * (1.0 / 9007199254740992.0);
}

static int rel_close(double a, double b, double rel)
{
    return fabs(a - b) <= rel * fmax(fmax(fabs(a), fabs(b)), 1e-300);
}

/* A problem and the storage behind its CSR view. */
typedef struct prob {
    spamlr__csr X;
    size_t *ptr;
    uint32_t *idx;
    float *val;
    double *y, *cost;
} prob;

static void prob_free(prob *p)
{
    free(p->ptr);
    free(p->idx);
    free(p->val);
    free(p->y);
    free(p->cost);
    memset(p, 0, sizeof *p);
}

/* rows x cols random sparse matrix (each entry present with probability
 * `density`, at least one per row), labels from a random linear rule with
 * `noise` flips of the score, costs C (times a random factor in [0.5, 2]
 * when vary_cost). With bias, a last column of ones is added (and left
 * unregularised). With binary, val is NULL (all ones). */
static void prob_random(prob *p, size_t rows, size_t cols, double density, int bias,
                        double C, int vary_cost, int binary, double noise)
{
    size_t i, j, nnz = 0, ncol = cols + (bias ? 1 : 0);
    size_t cap = rows * ncol + 1;
    double *wt = malloc((cols + 1) * sizeof(double));

    ck_assert_ptr_nonnull(wt);
    memset(p, 0, sizeof *p);
    p->ptr = malloc((rows + 1) * sizeof(size_t));
    p->idx = malloc(cap * sizeof(uint32_t));
    p->val = malloc(cap * sizeof(float));
    p->y = malloc((rows + 1) * sizeof(double));
    p->cost = malloc((rows + 1) * sizeof(double));
    ck_assert(p->ptr && p->idx && p->val && p->y && p->cost);
    for (j = 0; j < cols; j++)
        wt[j] = 4 * (urand() - 0.5);
    for (i = 0; i < rows; i++) {
        double score = bias ? 0.3 : 0;
        size_t start = nnz;

        p->ptr[i] = nnz;
        for (j = 0; j < cols; j++) {
            if (urand() < density || (j + 1 == cols && nnz == start)) {
                float v = binary ? 1.0f : (float)(0.1 + 2 * urand());

                p->idx[nnz] = (uint32_t)j;
                p->val[nnz++] = v;
                score += wt[j] * v;
            }
        }
        if (bias) {
            p->idx[nnz] = (uint32_t)cols;
            p->val[nnz++] = 1.0f;
        }
        score += noise * (urand() - 0.5);
        p->y[i] = score > 0 ? 1.0 : -1.0;
        p->cost[i] = C * (vary_cost ? 0.5 + 1.5 * urand() : 1.0);
    }
    p->ptr[rows] = nnz;
    p->X.rows = rows;
    p->X.cols = ncol;
    p->X.ptr = p->ptr;
    p->X.idx = p->idx;
    p->X.val = binary ? NULL : p->val;
    p->X.y = p->y;
    p->X.cost = p->cost;
    p->X.unreg_last = bias;
    free(wt);
}

static double *zeros(size_t n)
{
    double *w = calloc(n ? n : 1, sizeof(double));

    ck_assert_ptr_nonnull(w);
    return w;
}

static double grad_norm(const spamlr__csr *X, const double *w)
{
    double *g = zeros(X->cols), s = 0;
    size_t j;

    spamlr__objective(X, w, g);
    for (j = 0; j < X->cols; j++)
        s += g[j] * g[j];
    free(g);
    return sqrt(s);
}

static int solve(const spamlr__csr *X, unsigned solver, double tol, unsigned max_iter,
                 unsigned threads, double *w, spamlr_train_report *rep)
{
    spamlr__solve_opts o;

    memset(&o, 0, sizeof o);
    o.solver = solver;
    o.tol = tol;
    o.max_iter = max_iter;
    o.threads = threads;
    memset(rep, 0, sizeof *rep);
    return spamlr__solve(X, &o, w, rep);
}

static const char *solver_name(unsigned s)
{
    return s == SPAMLR_SOLVER_TRON ? "tron" : s == SPAMLR_SOLVER_LBFGS ? "lbfgs" : "owlqn";
}

/* -------------------------------------------------------------- kernels */

static double naive_dot(const double *a, const double *b, size_t n)
{
    double s = 0;
    size_t i;

    for (i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

static void check_kernels(const spamlr__kernels *k)
{
    enum { MAXN = 33, W = 64 };
    double abuf[MAXN + 4], bbuf[MAXN + 4], ybuf[MAXN + 4], yref[MAXN + 4];
    double wd[W], ys[W], ysref[W];
    uint32_t ibuf[MAXN + 4];
    float vbuf[MAXN + 4];
    size_t n, off, i;

    ck_assert_ptr_nonnull(k->name);
    for (i = 0; i < W; i++)
        wd[i] = urand() * 2 - 1;
    for (off = 0; off < 3; off++) {
        for (n = 0; n <= MAXN; n++) {
            double *a = abuf + off, *b = bbuf + off, *y = ybuf + off;
            uint32_t *idx = ibuf + off;
            float *val = vbuf + off;
            double ref, got, scale = 0;

            for (i = 0; i < n; i++) {
                a[i] = urand() * 2 - 1;
                b[i] = urand() * 2 - 1;
                y[i] = yref[i] = urand() * 2 - 1;
                idx[i] = (uint32_t)(rng() % W); /* repeats allowed */
                val[i] = (float)(urand() * 2 - 1);
                scale += fabs(a[i] * b[i]);
            }
            ref = naive_dot(a, b, n);
            got = k->dot(a, b, n);
            ck_assert_msg(fabs(got - ref) <= 1e-13 * (scale + 1), "%s dot n=%zu off=%zu",
                          k->name, n, off);
            got = k->nrm2sq(a, n);
            ck_assert_msg(rel_close(got, naive_dot(a, a, n), 1e-13) || n == 0,
                          "%s nrm2sq n=%zu", k->name, n);
            if (n == 0)
                ck_assert(got == 0 && k->dot(a, b, 0) == 0);

            k->axpy(0.75, a, y, n);
            for (i = 0; i < n; i++)
                ck_assert_msg(fabs(y[i] - (yref[i] + 0.75 * a[i])) <= 1e-15,
                              "%s axpy n=%zu i=%zu", k->name, n, i);
            k->scale(-1.5, y, n);
            for (i = 0; i < n; i++)
                ck_assert_msg(fabs(y[i] + 1.5 * (yref[i] + 0.75 * a[i])) <= 1e-14,
                              "%s scale n=%zu", k->name, n);
            /* the guard entries after the vector are untouched */
            y[n] = 12345.0;
            k->axpy(1.0, a, y, n);
            k->scale(2.0, y, n);
            ck_assert(y[n] == 12345.0);

            /* sparse, with values and with val == NULL (all ones) */
            ref = 0;
            scale = 0;
            for (i = 0; i < n; i++) {
                ref += (double)val[i] * wd[idx[i]];
                scale += fabs((double)val[i] * wd[idx[i]]);
            }
            got = k->sdot(idx, val, n, wd);
            ck_assert_msg(fabs(got - ref) <= 1e-13 * (scale + 1), "%s sdot n=%zu",
                          k->name, n);
            ref = 0;
            for (i = 0; i < n; i++)
                ref += wd[idx[i]];
            got = k->sdot(idx, NULL, n, wd);
            ck_assert_msg(fabs(got - ref) <= 1e-13 * (n + 1), "%s sdot ones n=%zu",
                          k->name, n);

            for (i = 0; i < W; i++)
                ys[i] = ysref[i] = urand();
            k->saxpy(-0.5, idx, val, n, ys);
            for (i = 0; i < n; i++)
                ysref[idx[i]] += -0.5 * (double)val[i];
            for (i = 0; i < W; i++)
                ck_assert_msg(fabs(ys[i] - ysref[i]) <= 1e-13, "%s saxpy n=%zu",
                              k->name, n);
            k->saxpy(2.0, idx, NULL, n, ys);
            for (i = 0; i < n; i++)
                ysref[idx[i]] += 2.0;
            for (i = 0; i < W; i++)
                ck_assert_msg(fabs(ys[i] - ysref[i]) <= 1e-13, "%s saxpy ones n=%zu",
                              k->name, n);
        }
    }
}

START_TEST(test_kernels_env_scalar)
{
    /* Must be the first call in this process (this test runs first). */
    setenv("SPAMLR_SIMD", "scalar", 1);
    ck_assert_str_eq(spamlr__kernels_get()->name, "scalar");
    ck_assert_str_eq(spamlr_simd_name(), "scalar");
    ck_assert_ptr_eq(spamlr__kernels_get(), spamlr__kernels_get());
}
END_TEST

START_TEST(test_kernels_choose)
{
    const spamlr__kernels *best = spamlr__kernels_available(0), *t;
    size_t i;

    ck_assert_ptr_nonnull(best);
    ck_assert_ptr_eq(spamlr__kernels_choose("scalar"), &spamlr__kernels_scalar);
    ck_assert_ptr_eq(spamlr__kernels_choose("SCALAR"), &spamlr__kernels_scalar);
    ck_assert_ptr_eq(spamlr__kernels_choose("no-such-isa"), best);
    ck_assert_ptr_eq(spamlr__kernels_choose(""), best);
    ck_assert_ptr_eq(spamlr__kernels_choose(NULL), best);
    for (i = 0; (t = spamlr__kernels_available(i)) != NULL; i++)
        ck_assert_ptr_eq(spamlr__kernels_choose(t->name), t);
    /* scalar is always there, and last */
    ck_assert_ptr_eq(spamlr__kernels_available(i - 1), &spamlr__kernels_scalar);
}
END_TEST

START_TEST(test_kernels_vs_naive)
{
    const spamlr__kernels *t;
    size_t i;

    rng_seed(1);
    check_kernels(&spamlr__kernels_scalar);
    for (i = 0; (t = spamlr__kernels_available(i)) != NULL; i++)
        check_kernels(t);
}
END_TEST

/* ------------------------------------------------------------ objective */

/* Central differences against spamlr__objective's gradient. */
static void check_gradient(int bias, int vary_cost, int binary)
{
    prob p;
    size_t j, n;
    double *w, *g, *gp, gmax = 0;

    rng_seed(10 + (uint64_t)(bias * 4 + vary_cost * 2 + binary));
    prob_random(&p, 60, 17, 0.3, bias, 1.7, vary_cost, binary, 2.0);
    n = p.X.cols;
    w = zeros(n);
    g = zeros(n);
    gp = zeros(n);
    for (j = 0; j < n; j++)
        w[j] = 2 * (urand() - 0.5);
    spamlr__objective(&p.X, w, g);
    for (j = 0; j < n; j++)
        gmax = fmax(gmax, fabs(g[j]));
    for (j = 0; j < n; j++) {
        double h = 1e-5 * fmax(1.0, fabs(w[j])), wj = w[j], fp, fm, fd;

        w[j] = wj + h;
        fp = spamlr__objective(&p.X, w, NULL);
        w[j] = wj - h;
        fm = spamlr__objective(&p.X, w, NULL);
        w[j] = wj;
        fd = (fp - fm) / (2 * h);
        ck_assert_msg(fabs(fd - g[j]) <= 1e-6 * fmax(1.0, gmax),
                      "bias=%d cost=%d binary=%d: d/dw%zu fd %.10g analytic %.10g", bias,
                      vary_cost, binary, j, fd, g[j]);
    }
    /* the objective without a gradient is the same number */
    ck_assert(spamlr__objective(&p.X, w, NULL) == spamlr__objective(&p.X, w, gp));
    free(w);
    free(g);
    free(gp);
    prob_free(&p);
}

START_TEST(test_gradient_plain)
{
    check_gradient(0, 0, 0);
}
END_TEST

START_TEST(test_gradient_bias_costs)
{
    check_gradient(1, 1, 0);
    check_gradient(0, 1, 0);
    check_gradient(1, 0, 0);
}
END_TEST

START_TEST(test_gradient_binary)
{
    check_gradient(1, 1, 1);
}
END_TEST

/* The solver's Hessian-vector product against central differences of the
 * gradient, for 1..4 threads. */
START_TEST(test_hessian_vec)
{
    prob p;
    size_t j, n;
    double *w, *v, *hv, *hv2, *gp, *gm, hmax = 0, h;
    unsigned th;
    int binary;

    for (binary = 0; binary < 2; binary++) {
        rng_seed(20 + (uint64_t)binary);
        prob_random(&p, 300, 40, 0.15, 1, 2.5, 1, binary, 2.0);
        n = p.X.cols;
        w = zeros(n);
        v = zeros(n);
        hv = zeros(n);
        hv2 = zeros(n);
        gp = zeros(n);
        gm = zeros(n);
        for (j = 0; j < n; j++) {
            w[j] = urand() - 0.5;
            v[j] = urand() - 0.5;
        }
        ck_assert_int_eq(spamlr__hessian_vec(&p.X, w, v, hv, 1), SPAMLR_OK);
        h = 1e-5;
        for (j = 0; j < n; j++)
            w[j] += h * v[j];
        spamlr__objective(&p.X, w, gp);
        for (j = 0; j < n; j++)
            w[j] -= 2 * h * v[j];
        spamlr__objective(&p.X, w, gm);
        for (j = 0; j < n; j++) {
            w[j] += h * v[j];
            hmax = fmax(hmax, fabs(hv[j]));
        }
        for (j = 0; j < n; j++) {
            double fd = (gp[j] - gm[j]) / (2 * h);

            ck_assert_msg(fabs(fd - hv[j]) <= 1e-6 * fmax(1.0, hmax),
                          "binary=%d (Hv)[%zu] fd %.10g solver %.10g", binary, j, fd, hv[j]);
        }
        for (th = 2; th <= 4; th++) {
            ck_assert_int_eq(spamlr__hessian_vec(&p.X, w, v, hv2, th), SPAMLR_OK);
            for (j = 0; j < n; j++)
                ck_assert(fabs(hv2[j] - hv[j]) <= 1e-12 * fmax(1.0, hmax));
        }
        free(w);
        free(v);
        free(hv);
        free(hv2);
        free(gp);
        free(gm);
        prob_free(&p);
    }
}
END_TEST

/* The bias column is not regularised: at w = (0.., b) the objective is
 * the loss alone, and a huge score does not overflow. */
START_TEST(test_objective_values)
{
    size_t ptr[3] = { 0, 2, 4 };
    uint32_t idx[4] = { 0, 1, 0, 1 };
    float val[4] = { 1, 1, 1, 1 };
    double y[2] = { 1, -1 }, cost[2] = { 1, 3 };
    spamlr__csr X = { 2, 2, ptr, idx, val, y, cost, 1, NULL, NULL };
    double w[2] = { 0, 0 }, g[2], f;

    f = spamlr__objective(&X, w, g);
    ck_assert(rel_close(f, 4 * log(2.0), 1e-15));
    ck_assert(rel_close(g[0], -0.5 + 1.5, 1e-15));
    ck_assert(rel_close(g[1], -0.5 + 1.5, 1e-15));

    w[1] = 3;
    f = spamlr__objective(&X, w, NULL);
    ck_assert(rel_close(f, log1p(exp(-3.0)) + 3 * log1p(exp(3.0)), 1e-14));
    X.unreg_last = 0;
    ck_assert(rel_close(spamlr__objective(&X, w, NULL), f + 4.5, 1e-14));

    /* |z| up to 1e300 (through the unregularised bias): no overflow */
    X.unreg_last = 1;
    w[0] = 0;
    w[1] = 1e300;
    f = spamlr__objective(&X, w, g);
    ck_assert(rel_close(f, 3e300, 1e-12));
    ck_assert(rel_close(g[0], 3, 1e-12) && rel_close(g[1], 3, 1e-12));
    w[1] = -1e300;
    f = spamlr__objective(&X, w, g);
    ck_assert(rel_close(f, 1e300, 1e-12));
    ck_assert(rel_close(g[0], -1, 1e-12) && rel_close(g[1], -1, 1e-12));
    w[0] = 1e150; /* w^2/2 finite; loss of row 2 = 3 * 1e150 */
    w[1] = 0;
    f = spamlr__objective(&X, w, g);
    ck_assert(rel_close(f, 0.5e300 + 3e150, 1e-12));
    ck_assert(rel_close(g[0], 1e150 + 3, 1e-12));
    ck_assert(rel_close(g[1], 3, 1e-12));
}
END_TEST

/* --------------------------------------------------------------- solvers */

/* One feature x = 1 in every row; a rows y = +1, b rows y = -1, cost C:
 * f'(w) = w + C(-a sigma(-w) + b sigma(w)), increasing; root by bisection. */
static double tiny_root(double a, double b, double C)
{
    double lo = -100, hi = 100;
    int i;

    for (i = 0; i < 200; i++) {
        double mid = 0.5 * (lo + hi);
        double d = mid + C * (-a / (1 + exp(mid)) + b / (1 + exp(-mid)));

        if (d > 0)
            hi = mid;
        else
            lo = mid;
    }
    return 0.5 * (lo + hi);
}

START_TEST(test_tiny_known_optimum)
{
    static const double cases[][3] = { { 7, 3, 2 }, { 1, 9, 0.5 }, { 50, 1, 10 }, { 4, 4, 1 } };
    size_t ci;
    unsigned s, th;

    for (ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
        size_t a = (size_t)cases[ci][0], b = (size_t)cases[ci][1], l = a + b, i;
        double C = cases[ci][2], root = tiny_root((double)a, (double)b, C);
        size_t *ptr = malloc((l + 1) * sizeof(size_t));
        uint32_t *idx = calloc(l, sizeof(uint32_t));
        float *val = malloc(l * sizeof(float));
        double *y = malloc(l * sizeof(double)), *cost = malloc(l * sizeof(double));
        spamlr__csr X;

        ck_assert(ptr && idx && val && y && cost);
        for (i = 0; i <= l; i++)
            ptr[i] = i;
        for (i = 0; i < l; i++) {
            val[i] = 1;
            y[i] = i < a ? 1 : -1;
            cost[i] = C;
        }
        X.rows = l;
        X.cols = 1;
        X.ptr = ptr;
        X.idx = idx;
        X.val = val;
        X.y = y;
        X.cost = cost;
        X.unreg_last = 0;
        X.reg = NULL;
        X.prior = NULL;
        for (s = 0; s < 2; s++) {
            for (th = 1; th <= 2; th++) {
                spamlr_train_report rep = SPAMLR_TRAIN_REPORT_INIT;
                double w = 0;
                int rc = solve(&X, s, 1e-12, 1000, th, &w, &rep);

                ck_assert_msg(rc == SPAMLR_OK, "%s rc %d", solver_name(s), rc);
                ck_assert_msg(fabs(w - root) <= 1e-8, "%s a=%zu b=%zu C=%g: w %.15g root %.15g",
                              solver_name(s), a, b, C, w, root);
                ck_assert(rel_close(rep.objective, spamlr__objective(&X, &w, NULL), 1e-14));
            }
        }
        free(ptr);
        free(idx);
        free(val);
        free(y);
        free(cost);
    }
}
END_TEST

/* A feature and a bias: the gradient vanishes at the answer. */
START_TEST(test_two_columns)
{
    enum { L = 80 };
    size_t ptr[L + 1], i;
    uint32_t idx[2 * L];
    float val[2 * L];
    double y[L], cost[L];
    spamlr__csr X = { L, 2, ptr, idx, val, y, cost, 1, NULL, NULL };
    unsigned s;

    rng_seed(3);
    for (i = 0; i < L; i++) {
        double x = 4 * urand() - 1.5;

        ptr[i] = 2 * i;
        idx[2 * i] = 0;
        val[2 * i] = (float)x;
        idx[2 * i + 1] = 1;
        val[2 * i + 1] = 1;
        y[i] = x + 0.8 * (urand() - 0.5) > 0.4 ? 1 : -1;
        cost[i] = 5;
    }
    ptr[L] = 2 * L;
    for (s = 0; s < 2; s++) {
        spamlr_train_report rep = SPAMLR_TRAIN_REPORT_INIT;
        double w[2] = { 0, 0 }, gn;
        int rc = solve(&X, s, 1e-10, 1000, 1, w, &rep);

        gn = grad_norm(&X, w);
        ck_assert_msg(rc == SPAMLR_OK, "%s rc %d", solver_name(s), rc);
        ck_assert_msg(gn <= 1e-6, "%s |g| %g", solver_name(s), gn);
        ck_assert_msg(rep.grad_norm <= 1e-10 * rep.grad_norm0 * 1.01 + 1e-12,
                      "%s reported |g| %g of %g", solver_name(s), rep.grad_norm,
                      rep.grad_norm0);
        ck_assert(rel_close(rep.grad_norm, gn, 1e-3) || gn < 1e-12);
        ck_assert(w[0] > 0 && isfinite(w[1]));
        ck_assert(rep.iterations > 0 && rep.inner_iterations >= rep.iterations);
    }
}
END_TEST

START_TEST(test_tron_equals_lbfgs)
{
    prob p;
    double *w0, *w1, f0, f1;
    spamlr_train_report r0 = SPAMLR_TRAIN_REPORT_INIT, r1 = SPAMLR_TRAIN_REPORT_INIT;
    int rc;

    rng_seed(4);
    prob_random(&p, 2000, 500, 0.02, 1, 1.0, 1, 0, 1.0);
    w0 = zeros(p.X.cols);
    w1 = zeros(p.X.cols);
    rc = solve(&p.X, SPAMLR_SOLVER_TRON, 1e-7, 1000, 1, w0, &r0);
    ck_assert_int_eq(rc, SPAMLR_OK);
    rc = solve(&p.X, SPAMLR_SOLVER_LBFGS, 1e-7, 5000, 1, w1, &r1);
    ck_assert_int_eq(rc, SPAMLR_OK);
    f0 = spamlr__objective(&p.X, w0, NULL);
    f1 = spamlr__objective(&p.X, w1, NULL);
    ck_assert_msg(rel_close(f0, f1, 1e-8), "tron %.15g lbfgs %.15g", f0, f1);
    ck_assert(rel_close(r0.objective, f0, 1e-12));
    ck_assert(rel_close(r1.objective, f1, 1e-12));
    ck_assert(r0.grad_norm <= 1e-7 * r0.grad_norm0 * 1.01);
    ck_assert(r1.grad_norm <= 1e-7 * r1.grad_norm0 * 1.01);
    ck_assert(rel_close(r0.grad_norm0, r1.grad_norm0, 1e-12));
    free(w0);
    free(w1);
    prob_free(&p);
}
END_TEST

static void check_threads(unsigned s)
{
    prob p;
    double *w[4], f[4], wmax = 0;
    unsigned th;
    size_t j;

    rng_seed(5);
    prob_random(&p, 1500, 400, 0.03, 1, 2.0, 1, 0, 1.0);
    for (th = 1; th <= 4; th++) {
        spamlr_train_report rep = SPAMLR_TRAIN_REPORT_INIT;
        int rc;

        w[th - 1] = zeros(p.X.cols);
        rc = solve(&p.X, s, 1e-10, 5000, th, w[th - 1], &rep);
        ck_assert_msg(rc == SPAMLR_OK, "%s threads %u rc %d", solver_name(s), th, rc);
        f[th - 1] = rep.objective;
        ck_assert(rel_close(f[th - 1], spamlr__objective(&p.X, w[th - 1], NULL), 1e-12));
    }
    for (j = 0; j < p.X.cols; j++)
        wmax = fmax(wmax, fabs(w[0][j]));
    for (th = 2; th <= 4; th++) {
        ck_assert_msg(rel_close(f[th - 1], f[0], 1e-10), "%s threads %u: f %.17g vs %.17g",
                      solver_name(s), th, f[th - 1], f[0]);
        for (j = 0; j < p.X.cols; j++)
            ck_assert_msg(fabs(w[th - 1][j] - w[0][j]) <= 1e-7 * fmax(1.0, wmax),
                          "%s threads %u: w[%zu] %.12g vs %.12g", solver_name(s), th, j,
                          w[th - 1][j], w[0][j]);
    }
    /* The same thread count gives the very same bits. */
    {
        spamlr_train_report rep = SPAMLR_TRAIN_REPORT_INIT;
        double *again = zeros(p.X.cols);

        ck_assert_int_eq(solve(&p.X, s, 1e-10, 5000, 3, again, &rep), SPAMLR_OK);
        ck_assert(memcmp(again, w[2], p.X.cols * sizeof(double)) == 0);
        free(again);
    }
    for (th = 0; th < 4; th++)
        free(w[th]);
    prob_free(&p);
}

START_TEST(test_threads_tron)
{
    check_threads(SPAMLR_SOLVER_TRON);
}
END_TEST

START_TEST(test_threads_lbfgs)
{
    check_threads(SPAMLR_SOLVER_LBFGS);
}
END_TEST

/* Separable data with a huge C: the optimum is far out; the solvers stop
 * (converged or at max_iter) with finite numbers. */
START_TEST(test_separable_large_c)
{
    prob p;
    unsigned s, th;

    rng_seed(6);
    prob_random(&p, 300, 30, 0.3, 1, 1e6, 0, 0, 0.0);
    for (s = 0; s < 2; s++) {
        for (th = 1; th <= 2; th++) {
            spamlr_train_report rep = SPAMLR_TRAIN_REPORT_INIT;
            double *w = zeros(p.X.cols), f;
            size_t j, i, wrong = 0;
            int rc = solve(&p.X, s, 1e-10, 40, th, w, &rep);

            ck_assert_msg(rc == SPAMLR_OK || rc == SPAMLR_ENOCONVERGE, "%s rc %d",
                          solver_name(s), rc);
            if (rc == SPAMLR_ENOCONVERGE)
                ck_assert_uint_le(rep.iterations, 40);
            for (j = 0; j < p.X.cols; j++)
                ck_assert(isfinite(w[j]));
            f = spamlr__objective(&p.X, w, NULL);
            ck_assert(isfinite(f) && isfinite(rep.objective) && isfinite(rep.grad_norm));
            ck_assert(rel_close(rep.objective, f, 1e-9));
            /* it did learn the rule */
            for (i = 0; i < p.X.rows; i++) {
                double z = 0;
                size_t k;

                for (k = p.ptr[i]; k < p.ptr[i + 1]; k++)
                    z += p.val[k] * w[p.idx[k]];
                wrong += z * p.y[i] <= 0;
            }
            ck_assert_msg(wrong <= 3, "%s: %zu training errors", solver_name(s), wrong);
            free(w);
        }
    }
    prob_free(&p);
}
END_TEST

START_TEST(test_max_iter_and_report)
{
    prob p;
    unsigned s;

    rng_seed(7);
    prob_random(&p, 200, 50, 0.1, 1, 1.0, 0, 0, 1.0);
    for (s = 0; s < 2; s++) {
        spamlr_train_report rep = SPAMLR_TRAIN_REPORT_INIT;
        spamlr__solve_opts o = { s, 1e-12, 2, 1, NULL, NULL, 0, NULL, NULL, NULL, NULL };
        double *w = zeros(p.X.cols);
        int rc;

        rep = (spamlr_train_report)SPAMLR_TRAIN_REPORT_INIT;
        rep.examples = 11;
        rep.spam = 22;
        rep.ham = 33;
        rep.features = 44;
        rep.seconds = 5.5;
        rc = spamlr__solve(&p.X, &o, w, &rep);
        ck_assert_int_eq(rc, SPAMLR_ENOCONVERGE);
        ck_assert_uint_eq(rep.iterations, 2);
        ck_assert(rep.inner_iterations >= 2);
        ck_assert(rep.objective < p.X.rows * log(2.0)); /* moved downhill from 0 */
        ck_assert(rel_close(rep.objective, spamlr__objective(&p.X, w, NULL), 1e-12));
        ck_assert(rel_close(rep.grad_norm, grad_norm(&p.X, w), 1e-9));
        ck_assert(rep.grad_norm < rep.grad_norm0);
        /* fields the solver does not own are left alone */
        ck_assert(rep.examples == 11 && rep.spam == 22 && rep.ham == 33);
        ck_assert(rep.features == 44 && rep.seconds == 5.5);

        /* max_iter 0: nothing done, w untouched, still a report */
        memset(w, 0, p.X.cols * sizeof(double));
        o.max_iter = 0;
        rc = spamlr__solve(&p.X, &o, w, &rep);
        ck_assert_int_eq(rc, SPAMLR_ENOCONVERGE);
        ck_assert_uint_eq(rep.iterations, 0);
        ck_assert(rel_close(rep.objective, p.X.rows * log(2.0), 1e-14));
        ck_assert(rep.grad_norm == rep.grad_norm0 && rep.grad_norm0 > 0);

        /* NULL report is allowed */
        o.max_iter = 100;
        o.tol = 1e-3;
        ck_assert_int_eq(spamlr__solve(&p.X, &o, w, NULL), SPAMLR_OK);
        free(w);
    }
    prob_free(&p);
}
END_TEST

/* Starting from a random point reaches the same optimum as from zero. */
START_TEST(test_warm_start)
{
    prob p;
    unsigned s;
    size_t j;

    rng_seed(8);
    prob_random(&p, 400, 60, 0.1, 1, 3.0, 1, 0, 1.0);
    for (s = 0; s < 2; s++) {
        spamlr_train_report r0 = SPAMLR_TRAIN_REPORT_INIT, r1 = SPAMLR_TRAIN_REPORT_INIT;
        double *w0 = zeros(p.X.cols), *w1 = zeros(p.X.cols);

        for (j = 0; j < p.X.cols; j++)
            w1[j] = 3 * (urand() - 0.5);
        ck_assert_int_eq(solve(&p.X, s, 1e-10, 2000, 1, w0, &r0), SPAMLR_OK);
        ck_assert_int_eq(solve(&p.X, s, 1e-10, 2000, 2, w1, &r1), SPAMLR_OK);
        ck_assert(rel_close(r0.objective, r1.objective, 1e-10));
        for (j = 0; j < p.X.cols; j++)
            ck_assert(fabs(w0[j] - w1[j]) <= 1e-6);
        free(w0);
        free(w1);
    }
    prob_free(&p);
}
END_TEST

/* Binary rows (val == NULL) solve like the same rows with explicit ones. */
START_TEST(test_binary_rows)
{
    prob p;
    unsigned s;
    size_t j;

    rng_seed(9);
    prob_random(&p, 300, 40, 0.2, 1, 1.0, 0, 1, 1.0);
    for (s = 0; s < 2; s++) {
        spamlr_train_report r0 = SPAMLR_TRAIN_REPORT_INIT, r1 = SPAMLR_TRAIN_REPORT_INIT;
        double *w0 = zeros(p.X.cols), *w1 = zeros(p.X.cols);

        p.X.val = NULL;
        ck_assert_int_eq(solve(&p.X, s, 1e-9, 1000, 2, w0, &r0), SPAMLR_OK);
        p.X.val = p.val;
        ck_assert_int_eq(solve(&p.X, s, 1e-9, 1000, 2, w1, &r1), SPAMLR_OK);
        ck_assert(rel_close(r0.objective, r1.objective, 1e-12));
        for (j = 0; j < p.X.cols; j++)
            ck_assert(fabs(w0[j] - w1[j]) <= 1e-12 * (1 + fabs(w0[j])));
        free(w0);
        free(w1);
    }
    prob_free(&p);
}
END_TEST

START_TEST(test_degenerate)
{
    size_t ptr0[1] = { 0 }, ptr2[3] = { 0, 0, 0 };
    uint32_t idx[1] = { 0 };
    float val[1] = { 1 };
    double y[2] = { 1, -1 }, cost[2] = { 1, 1 };
    spamlr__csr X = { 0, 3, ptr0, idx, val, y, cost, 1, NULL, NULL };
    spamlr_train_report rep = SPAMLR_TRAIN_REPORT_INIT;
    double w[3] = { 1, -2, 5 };
    unsigned s;

    for (s = 0; s < 2; s++) {
        /* no rows: the optimum of 1/2 |w|^2 is 0; the bias is free */
        w[0] = 1;
        w[1] = -2;
        w[2] = 5;
        ck_assert_int_eq(solve(&X, s, 1e-10, 100, 4, w, &rep), SPAMLR_OK);
        ck_assert(fabs(w[0]) < 1e-9 && fabs(w[1]) < 1e-9 && w[2] == 5);
        ck_assert(fabs(rep.objective) < 1e-17);
    }
    /* empty rows: every example scores 0 */
    X.rows = 2;
    X.ptr = ptr2;
    for (s = 0; s < 2; s++) {
        w[0] = w[1] = w[2] = 0;
        ck_assert_int_eq(solve(&X, s, 1e-6, 100, 2, w, &rep), SPAMLR_OK);
        ck_assert(rel_close(rep.objective, 2 * log(2.0), 1e-15));
        ck_assert(rep.grad_norm0 == 0 && rep.iterations == 0);
    }
    /* no columns */
    X.cols = 0;
    X.unreg_last = 0;
    ck_assert_int_eq(solve(&X, 0, 1e-6, 100, 1, NULL, &rep), SPAMLR_OK);
    ck_assert(rel_close(rep.objective, 2 * log(2.0), 1e-15));
}
END_TEST

START_TEST(test_invalid_and_nomem)
{
    size_t ptr[2] = { 0, 1 };
    uint32_t idx[1] = { 0 };
    float val[1] = { 1 };
    double y[1] = { 1 }, cost[1] = { 1 }, w[1] = { 0 };
    spamlr__csr X = { 1, 1, ptr, idx, val, y, cost, 0, NULL, NULL };
    spamlr__solve_opts o = { 0, 1e-4, 10, 1, NULL, NULL, 0, NULL, NULL, NULL, NULL };
    spamlr_train_report rep = SPAMLR_TRAIN_REPORT_INIT;

    ck_assert_int_eq(spamlr__solve(NULL, &o, w, &rep), SPAMLR_EINVAL);
    ck_assert_int_eq(spamlr__solve(&X, NULL, w, &rep), SPAMLR_EINVAL);
    ck_assert_int_eq(spamlr__solve(&X, &o, NULL, &rep), SPAMLR_EINVAL);
    o.solver = 7;
    ck_assert_int_eq(spamlr__solve(&X, &o, w, &rep), SPAMLR_EINVAL);
    o.solver = 0;
    o.tol = NAN;
    ck_assert_int_eq(spamlr__solve(&X, &o, w, &rep), SPAMLR_EINVAL);
    o.tol = -1;
    ck_assert_int_eq(spamlr__solve(&X, &o, w, &rep), SPAMLR_EINVAL);
    o.tol = 1e-4;
    /* threads 0 means one */
    o.threads = 0;
    ck_assert_int_eq(spamlr__solve(&X, &o, w, &rep), SPAMLR_OK);

    /* sizes that cannot be allocated: a clean SPAMLR_ENOMEM */
    X.rows = 0;
    X.cols = SIZE_MAX / 4;
    for (o.solver = 0; o.solver < 2; o.solver++) {
        o.threads = 1;
        ck_assert_int_eq(spamlr__solve(&X, &o, w, &rep), SPAMLR_ENOMEM);
    }
    X.rows = 1;
    o.solver = SPAMLR_SOLVER_TRON;
    o.threads = 2;
    ck_assert_int_eq(spamlr__solve(&X, &o, w, &rep), SPAMLR_ENOMEM);
}
END_TEST

/* ------------------------------------------------------------ LIBLINEAR */

#define LIBLINEAR "/usr/bin/liblinear-train"

/* Runs liblinear-train with `args` (no bias) and returns our objective
 * (with p->X.reg) at its weights, or NAN when it is not installed. */
static double liblinear_objective_args(const prob *p, const char *args)
{
    char dir[] = "/tmp/spamlr-test-XXXXXX", data[64], model[64], cmd[256], line[256];
    FILE *fp;
    size_t i, k, n = 0, nfeat = 0;
    double *w, f, sign = 1;
    int in_w = 0, first_label = 0;

    if (access(LIBLINEAR, X_OK) != 0)
        return NAN;
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(data, sizeof data, "%s/train.svm", dir);
    snprintf(model, sizeof model, "%s/model", dir);
    fp = fopen(data, "w");
    ck_assert_ptr_nonnull(fp);
    for (i = 0; i < p->X.rows; i++) {
        fprintf(fp, "%+d", p->y[i] > 0 ? 1 : -1);
        for (k = p->ptr[i]; k < p->ptr[i + 1]; k++)
            fprintf(fp, " %u:%.9g", p->idx[k] + 1, (double)p->val[k]);
        fputc('\n', fp);
    }
    ck_assert_int_eq(fclose(fp), 0);
    snprintf(cmd, sizeof cmd, "%s -q %s %s %s >/dev/null 2>&1", LIBLINEAR, args, data,
             model);
    ck_assert_int_eq(system(cmd), 0);
    fp = fopen(model, "r");
    ck_assert_ptr_nonnull(fp);
    w = zeros(p->X.cols);
    while (fgets(line, sizeof line, fp)) {
        if (in_w) {
            ck_assert(n < p->X.cols);
            w[n++] = strtod(line, NULL);
        } else if (strncmp(line, "label ", 6) == 0) {
            first_label = atoi(line + 6);
        } else if (strncmp(line, "nr_feature ", 11) == 0) {
            nfeat = (size_t)atol(line + 11);
        } else if (strcmp(line, "w\n") == 0) {
            in_w = 1;
        }
    }
    fclose(fp);
    ck_assert_uint_eq(n, nfeat);
    /* LIBLINEAR's weights score its first label as the positive class */
    if (first_label == -1)
        sign = -1;
    for (i = 0; i < n; i++)
        w[i] *= sign;
    f = spamlr__objective(&p->X, w, NULL);
    free(w);
    remove(data);
    remove(model);
    rmdir(dir);
    return f;
}

/* liblinear-train -s 0 -c 1 -e 0.0001 */
static double liblinear_objective(const prob *p)
{
    return liblinear_objective_args(p, "-s 0 -c 1 -e 0.0001");
}

START_TEST(test_vs_liblinear)
{
    prob p;
    spamlr_train_report rep = SPAMLR_TRAIN_REPORT_INIT;
    double *w, f_ll;
    unsigned s;

    rng_seed(12);
    prob_random(&p, 400, 80, 0.08, 0, 1.0, 0, 0, 1.0);
    f_ll = liblinear_objective(&p);
    if (isnan(f_ll)) {
        prob_free(&p);
        return; /* not installed: nothing to compare with */
    }
    for (s = 0; s < 2; s++) {
        w = zeros(p.X.cols);
        ck_assert_int_eq(solve(&p.X, s, 1e-8, 1000, 2, w, &rep), SPAMLR_OK);
        ck_assert_msg(rep.objective <= f_ll * (1 + 1e-12),
                      "%s f %.12g above liblinear's %.12g", solver_name(s), rep.objective, f_ll);
        ck_assert_msg(rel_close(rep.objective, f_ll, 1e-5), "%s f %.12g liblinear %.12g",
                      solver_name(s), rep.objective, f_ll);
        free(w);
    }
    prob_free(&p);
}
END_TEST

/* ------------------------------------------------------ L1 and OWL-QN */

/* Checks the optimality conditions of F at w with gradient g of the
 * smooth part: for a regularised w_j != 0, g_j + l1 sign(w_j) = 0; for
 * w_j = 0, |g_j| <= l1; for the bias, g_j = 0 (all within eps). Returns
 * the number of nonzero regularised weights. */
static size_t check_l1_optimal(const spamlr__csr *X, const double *w, double eps)
{
    size_t n = X->cols, nreg = X->unreg_last ? n - 1 : n, j, nz = 0;
    double l1 = X->reg->l1, *g = zeros(n);

    spamlr__objective(X, w, g);
    for (j = 0; j < n; j++) {
        if (j >= nreg)
            ck_assert_msg(fabs(g[j]) <= eps, "bias gradient %g", g[j]);
        else if (w[j] != 0) {
            nz++;
            ck_assert_msg(fabs(g[j] + copysign(l1, w[j])) <= eps,
                          "w[%zu] = %g: g + l1 sign(w) = %g", j, w[j],
                          g[j] + copysign(l1, w[j]));
        } else {
            ck_assert_msg(fabs(g[j]) <= l1 + eps, "w[%zu] = 0 but |g| = %g > l1 = %g", j,
                          fabs(g[j]), l1);
        }
    }
    free(g);
    return nz;
}

static int solve_owlqn(const spamlr__csr *X, double tol, unsigned threads, double *w,
                       spamlr_train_report *rep)
{
    return solve(X, SPAMLR_SOLVER_OWLQN, tol, 5000, threads, w, rep);
}

START_TEST(test_l1_optimality)
{
    static const double l2s[] = { 0, 0.5, 1 };
    prob p;
    spamlr__reg reg;
    spamlr_train_report rep = SPAMLR_TRAIN_REPORT_INIT;
    unsigned k;

    rng_seed(31);
    prob_random(&p, 300, 60, 0.1, 1, 1.0, 1, 0, 1.0);
    p.X.reg = &reg;
    for (k = 0; k < 3; k++) {
        double *w = zeros(p.X.cols);
        size_t nz;

        reg.l1 = 3;
        reg.l2 = l2s[k];
        ck_assert_int_eq(solve_owlqn(&p.X, 1e-9, 1, w, &rep), SPAMLR_OK);
        ck_assert(rep.grad_norm <= 1e-9 * rep.grad_norm0);
        ck_assert(rel_close(rep.objective, spamlr__objective(&p.X, w, NULL), 1e-12));
        nz = check_l1_optimal(&p.X, w, 1e-6);
        /* a real sparse solution: some weights zero, some not */
        ck_assert_msg(nz > 0 && nz < 60, "l2 %g: %zu nonzero", reg.l2, nz);
        free(w);
    }
    prob_free(&p);
}
END_TEST

/* One column of ones, a rows y = +1 and b rows y = -1, C = 1, l2 = 0:
 * F(w) = a log(1+e^-w) + b log(1+e^w) + l1 |w|. For l1 < |a - b| / 2 the
 * minimiser solves a sigma(-w) - b sigma(w) = l1 sign(w), so
 * w = log((a - l1) / (b + l1)) when a > b (the soft threshold of the
 * log-odds); for l1 >= |a - b| / 2 it is exactly 0. */
START_TEST(test_l1_soft_threshold)
{
    static const double l1s[] = { 0.01, 0.5, 0.99, 1.0, 1.5, 10 };
    size_t ptr[5] = { 0, 1, 2, 3, 4 };
    uint32_t idx[4] = { 0, 0, 0, 0 };
    float val[4] = { 1, 1, 1, 1 };
    double y[4], cost[4] = { 1, 1, 1, 1 };
    spamlr__reg reg = { 0, 0 };
    spamlr__csr X = { 4, 1, ptr, idx, val, y, cost, 0, &reg, NULL };
    spamlr_train_report rep = SPAMLR_TRAIN_REPORT_INIT;
    unsigned k, side;

    for (side = 0; side < 2; side++) {
        double sg = side ? -1 : 1, a = 3, b = 1;

        /* three rows of class sg, one of the other */
        y[0] = y[1] = y[2] = sg;
        y[3] = -sg;
        for (k = 0; k < sizeof l1s / sizeof *l1s; k++) {
            double w = 0, want;

            reg.l1 = l1s[k];
            want = reg.l1 >= (a - b) / 2 ? 0 : sg * log((a - reg.l1) / (b + reg.l1));
            ck_assert_int_eq(solve_owlqn(&X, 1e-12, 1, &w, &rep), SPAMLR_OK);
            if (want == 0)
                ck_assert_msg(w == 0, "l1 %g: w %g, want exactly 0", reg.l1, w);
            else
                ck_assert_msg(rel_close(w, want, 1e-8), "l1 %g: w %.12g want %.12g", reg.l1,
                              w, want);
        }
    }
    /* with l2 too: w solves 3 sigma(-w) - sigma(w) = l2 w + l1 */
    y[0] = y[1] = y[2] = 1;
    y[3] = -1;
    reg.l1 = 0.5;
    reg.l2 = 2;
    {
        double w = 0, s;

        ck_assert_int_eq(solve_owlqn(&X, 1e-12, 1, &w, &rep), SPAMLR_OK);
        ck_assert(w > 0);
        s = 1 / (1 + exp(-w));
        ck_assert_msg(fabs(3 * (1 - s) - s - 2 * w - 0.5) < 1e-9, "w %.12g", w);
    }
}
END_TEST

/* A larger l1 never gives more nonzero weights on this problem, and an l1
 * above the largest |gradient| at 0 gives none at all. */
START_TEST(test_l1_sparsity_grows)
{
    static const double l1s[] = { 0.01, 0.3, 1, 3, 10, 30 };
    prob p;
    spamlr__reg reg = { 0, 1 };
    spamlr_train_report rep = SPAMLR_TRAIN_REPORT_INIT;
    size_t nz, last = SIZE_MAX, first = 0, j;
    double *g, gmax = 0;
    unsigned k;

    rng_seed(32);
    prob_random(&p, 400, 120, 0.06, 1, 1.0, 0, 0, 0.5);
    p.X.reg = &reg;
    for (k = 0; k < sizeof l1s / sizeof *l1s; k++) {
        double *w = zeros(p.X.cols);

        reg.l1 = l1s[k];
        ck_assert_int_eq(solve_owlqn(&p.X, 1e-8, 2, w, &rep), SPAMLR_OK);
        nz = check_l1_optimal(&p.X, w, 1e-5);
        ck_assert_msg(nz <= last, "l1 %g: %zu nonzero, more than %zu before", reg.l1, nz,
                      last);
        if (k == 0)
            first = nz;
        last = nz;
        free(w);
    }
    ck_assert_msg(last < first / 4, "%zu nonzero at the end, %zu at first", last, first);
    /* l1 above max |g_j(0)| over the word columns: only the bias moves */
    {
        double *w = zeros(p.X.cols);

        g = zeros(p.X.cols);
        reg.l1 = 0;
        spamlr__objective(&p.X, w, g);
        for (j = 0; j + 1 < p.X.cols; j++)
            gmax = fmax(gmax, fabs(g[j]));
        /* the bias shifts the gradient; a margin of 2x covers it here */
        reg.l1 = 2 * gmax + 1;
        ck_assert_int_eq(solve_owlqn(&p.X, 1e-8, 1, w, &rep), SPAMLR_OK);
        ck_assert_uint_eq(check_l1_optimal(&p.X, w, 1e-5), 0);
        ck_assert(w[p.X.cols - 1] != 0);
        free(w);
        free(g);
    }
    prob_free(&p);
}
END_TEST

/* With l1 = 0, OWL-QN is L-BFGS with backtracking and reaches TRON's
 * optimum; the l2 weight scales the penalty as documented in TRON,
 * L-BFGS and OWL-QN alike: l2 = 2 with costs C equals 2 x the problem with
 * l2 = 1 and costs C / 2. */
START_TEST(test_owlqn_l2_and_scaling)
{
    prob p;
    spamlr__reg reg = { 0, 2 };
    spamlr_train_report rep = SPAMLR_TRAIN_REPORT_INIT;
    double *w0, *w1, f_half;
    size_t i;
    unsigned s;

    rng_seed(33);
    prob_random(&p, 300, 50, 0.1, 1, 1.0, 1, 0, 1.0);
    /* reference: l2 = 1, costs halved, TRON */
    for (i = 0; i < p.X.rows; i++)
        p.cost[i] *= 0.5;
    w0 = zeros(p.X.cols);
    ck_assert_int_eq(solve(&p.X, SPAMLR_SOLVER_TRON, 1e-10, 1000, 1, w0, &rep), SPAMLR_OK);
    f_half = rep.objective;
    for (i = 0; i < p.X.rows; i++)
        p.cost[i] *= 2;
    p.X.reg = &reg;
    for (s = 0; s < 3; s++) {
        w1 = zeros(p.X.cols);
        ck_assert_int_eq(solve(&p.X, s, 1e-10, 5000, 2, w1, &rep), SPAMLR_OK);
        ck_assert_msg(rel_close(rep.objective, 2 * f_half, 1e-9), "solver %u: %.15g vs %.15g",
                      s, rep.objective, 2 * f_half);
        for (i = 0; i < p.X.cols; i++)
            ck_assert_msg(fabs(w1[i] - w0[i]) < 1e-6, "solver %u w[%zu]", s, i);
        free(w1);
    }
    free(w0);
    prob_free(&p);
}
END_TEST

/* The same L1 problem on 1..4 threads: the same objective and weights,
 * bit for bit (a solve's row blocks do not depend on its threads). */
START_TEST(test_l1_threads)
{
    prob p;
    spamlr__reg reg = { 0.2, 0.1 };
    spamlr_train_report rep = SPAMLR_TRAIN_REPORT_INIT;
    double *w[4], f[4];
    unsigned th;
    size_t j;

    rng_seed(34);
    prob_random(&p, 2000, 300, 0.03, 1, 1.0, 1, 0, 1.0);
    p.X.reg = &reg;
    for (th = 1; th <= 4; th++) {
        w[th - 1] = zeros(p.X.cols);
        ck_assert_int_eq(solve_owlqn(&p.X, 1e-9, th, w[th - 1], &rep), SPAMLR_OK);
        f[th - 1] = rep.objective;
        check_l1_optimal(&p.X, w[th - 1], 1e-5);
    }
    for (th = 2; th <= 4; th++) {
        ck_assert_msg(f[th - 1] == f[0], "%u threads: f %.17g vs %.17g", th, f[th - 1], f[0]);
        for (j = 0; j < p.X.cols; j++)
            ck_assert_msg(w[th - 1][j] == w[0][j], "%u threads, w[%zu] %.17g vs %.17g", th, j,
                          w[th - 1][j], w[0][j]);
    }
    for (th = 0; th < 4; th++)
        free(w[th]);
    prob_free(&p);
}
END_TEST

START_TEST(test_l1_invalid)
{
    size_t ptr[2] = { 0, 1 };
    uint32_t idx[1] = { 0 };
    float val[1] = { 1 };
    double y[1] = { 1 }, cost[1] = { 1 }, w[1] = { 0 };
    spamlr__reg reg = { 1, 1 };
    spamlr__csr X = { 1, 1, ptr, idx, val, y, cost, 0, &reg, NULL };
    spamlr_train_report rep = SPAMLR_TRAIN_REPORT_INIT;

    /* |w| is not smooth: TRON and L-BFGS refuse l1 > 0 */
    ck_assert_int_eq(solve(&X, SPAMLR_SOLVER_TRON, 1e-4, 10, 1, w, &rep), SPAMLR_EINVAL);
    ck_assert_int_eq(solve(&X, SPAMLR_SOLVER_LBFGS, 1e-4, 10, 1, w, &rep), SPAMLR_EINVAL);
    ck_assert_int_eq(solve(&X, SPAMLR_SOLVER_OWLQN, 1e-4, 10, 1, w, &rep), SPAMLR_OK);
    reg.l1 = -1;
    ck_assert_int_eq(solve(&X, SPAMLR_SOLVER_OWLQN, 1e-4, 10, 1, w, &rep), SPAMLR_EINVAL);
    reg.l1 = NAN;
    ck_assert_int_eq(solve(&X, SPAMLR_SOLVER_OWLQN, 1e-4, 10, 1, w, &rep), SPAMLR_EINVAL);
    reg.l1 = 0;
    reg.l2 = -1;
    ck_assert_int_eq(solve(&X, SPAMLR_SOLVER_OWLQN, 1e-4, 10, 1, w, &rep), SPAMLR_EINVAL);
    /* out of memory is clean */
    reg.l2 = 1;
    X.rows = 0;
    X.cols = SIZE_MAX / 4;
    ck_assert_int_eq(solve(&X, SPAMLR_SOLVER_OWLQN, 1e-4, 10, 1, w, &rep), SPAMLR_ENOMEM);
}
END_TEST

/* ||w||_1 + C sum loss, as liblinear-train -s 6 minimises it. */
START_TEST(test_l1_vs_liblinear)
{
    prob p;
    spamlr__reg reg = { 1, 0 };
    spamlr_train_report rep = SPAMLR_TRAIN_REPORT_INIT;
    double *w, f_ll;

    rng_seed(35);
    prob_random(&p, 400, 80, 0.08, 0, 1.0, 0, 0, 1.0);
    p.X.reg = &reg;
    f_ll = liblinear_objective_args(&p, "-s 6 -c 1 -e 0.00001");
    if (isnan(f_ll)) {
        prob_free(&p);
        return; /* not installed: nothing to compare with */
    }
    w = zeros(p.X.cols);
    ck_assert_int_eq(solve_owlqn(&p.X, 1e-9, 2, w, &rep), SPAMLR_OK);
    ck_assert_msg(rep.objective <= f_ll * (1 + 1e-9), "f %.12g above liblinear's %.12g",
                  rep.objective, f_ll);
    ck_assert_msg(rel_close(rep.objective, f_ll, 1e-5), "f %.12g liblinear %.12g",
                  rep.objective, f_ll);
    check_l1_optimal(&p.X, w, 1e-6);
    free(w);
    prob_free(&p);
}
END_TEST

/* ------------------------------------------- several processes (reduce) */

/* Threads stand in for processes: each solves on its own rows, and the
 * reducer adds the vectors of all of them in rank order (so every one
 * gets the same bits) behind a barrier. */
#define NPROC 3

typedef struct fake_world {
    pthread_barrier_t bar;
    double *in[NPROC];
    double *sum;
} fake_world;

typedef struct fake_rank {
    fake_world *world;
    unsigned rank;
    spamlr__csr X;
    unsigned solver;
    double *w;
    spamlr_train_report rep;
    int rc;
} fake_rank;

static void fake_reduce(void *ctx, double *v, size_t n)
{
    fake_rank *r = ctx;
    fake_world *wd = r->world;
    size_t j;
    unsigned p;

    wd->in[r->rank] = v;
    pthread_barrier_wait(&wd->bar);
    if (r->rank == 0)
        for (j = 0; j < n; j++) {
            double s = 0;

            for (p = 0; p < NPROC; p++)
                s += wd->in[p][j];
            wd->sum[j] = s;
        }
    pthread_barrier_wait(&wd->bar);
    memcpy(v, wd->sum, n * sizeof(double));
    pthread_barrier_wait(&wd->bar);
}

static void *fake_solve(void *arg)
{
    fake_rank *r = arg;
    spamlr__solve_opts o;

    memset(&o, 0, sizeof o);
    o.solver = r->solver;
    o.tol = 1e-9;
    o.max_iter = 5000;
    o.threads = 1 + r->rank % 2;
    o.reduce = fake_reduce;
    o.reduce_ctx = r;
    r->rc = spamlr__solve(&r->X, &o, r->w, &r->rep);
    return NULL;
}

START_TEST(test_reduce_shards)
{
    prob p;
    spamlr__reg reg = { 0.5, 1 };
    fake_world wd;
    fake_rank r[NPROC];
    pthread_t tid[NPROC];
    spamlr_train_report rep = SPAMLR_TRAIN_REPORT_INIT;
    double *w;
    unsigned s, k;
    size_t j, lo;

    rng_seed(41);
    prob_random(&p, 600, 90, 0.06, 1, 1.0, 1, 0, 1.0);
    wd.sum = zeros(p.X.cols + 2);
    for (s = 0; s < 3; s++) {
        p.X.reg = s == SPAMLR_SOLVER_OWLQN ? &reg : NULL;
        w = zeros(p.X.cols);
        ck_assert_int_eq(solve(&p.X, s, 1e-9, 5000, 1, w, &rep), SPAMLR_OK);
        ck_assert_int_eq(pthread_barrier_init(&wd.bar, NULL, NPROC), 0);
        for (k = 0, lo = 0; k < NPROC; k++) {
            /* uneven shards: 100, 200, 300 rows */
            size_t rows = 100 * (k + 1);

            r[k].world = &wd;
            r[k].rank = k;
            r[k].X = p.X;
            r[k].X.rows = rows;
            r[k].X.ptr = p.ptr + lo;
            r[k].X.y = p.y + lo;
            r[k].X.cost = p.cost + lo;
            r[k].solver = s;
            r[k].w = zeros(p.X.cols);
            lo += rows;
        }
        for (k = 0; k < NPROC; k++)
            ck_assert_int_eq(pthread_create(&tid[k], NULL, fake_solve, &r[k]), 0);
        for (k = 0; k < NPROC; k++)
            pthread_join(tid[k], NULL);
        pthread_barrier_destroy(&wd.bar);
        for (k = 0; k < NPROC; k++) {
            ck_assert_int_eq(r[k].rc, SPAMLR_OK);
            ck_assert_msg(rel_close(r[k].rep.objective, rep.objective, 1e-10),
                          "%s rank %u: f %.15g, one process %.15g", solver_name(s), k,
                          r[k].rep.objective, rep.objective);
            /* every rank holds the same bits */
            ck_assert(memcmp(r[k].w, r[0].w, p.X.cols * sizeof(double)) == 0);
            for (j = 0; j < p.X.cols; j++)
                ck_assert_msg(fabs(r[k].w[j] - w[j]) < 1e-6, "%s w[%zu]", solver_name(s), j);
        }
        for (k = 0; k < NPROC; k++)
            free(r[k].w);
        free(w);
    }
    free(wd.sum);
    prob_free(&p);
}
END_TEST


/* ------------------------------------------------------ prior-centred */

/* A random centre for the prior (the bias entry too: it must be ignored). */
static double *random_prior(size_t n)
{
    double *c = zeros(n);
    size_t j;

    for (j = 0; j < n; j++)
        c[j] = 3 * (urand() - 0.5);
    return c;
}

/* The prior-centred objective's gradient (and with l1 its value) against
 * central differences, and its Hessian-vector product (the same as the
 * plain one) against differences of the gradient. */
START_TEST(test_prior_gradient)
{
    prob p;
    spamlr__reg reg = { 0, 0.7 };
    size_t j, n;
    double *w, *g, *c, *v, *hv, *gp, *gm, gmax = 0;
    int bias;

    for (bias = 0; bias < 2; bias++) {
        rng_seed(70 + (uint64_t)bias);
        prob_random(&p, 80, 15, 0.3, bias, 1.3, 1, 0, 2.0);
        n = p.X.cols;
        c = random_prior(n);
        p.X.prior = c;
        p.X.reg = &reg;
        w = zeros(n);
        g = zeros(n);
        v = zeros(n);
        hv = zeros(n);
        gp = zeros(n);
        gm = zeros(n);
        for (j = 0; j < n; j++) {
            w[j] = 2 * (urand() - 0.5);
            v[j] = urand() - 0.5;
        }
        spamlr__objective(&p.X, w, g);
        for (j = 0; j < n; j++)
            gmax = fmax(gmax, fabs(g[j]));
        for (j = 0; j < n; j++) {
            double h = 1e-5, wj = w[j], fp, fm, fd;

            w[j] = wj + h;
            fp = spamlr__objective(&p.X, w, NULL);
            w[j] = wj - h;
            fm = spamlr__objective(&p.X, w, NULL);
            w[j] = wj;
            fd = (fp - fm) / (2 * h);
            ck_assert_msg(fabs(fd - g[j]) <= 1e-6 * fmax(1.0, gmax),
                          "bias=%d d/dw%zu fd %.10g analytic %.10g", bias, j, fd, g[j]);
        }
        /* at w = prior the penalty is 0: F is the loss alone */
        {
            double f0, fl;

            memcpy(w, c, n * sizeof *w);
            f0 = spamlr__objective(&p.X, w, NULL);
            reg.l2 = 0;
            fl = spamlr__objective(&p.X, w, NULL);
            reg.l2 = 0.7;
            ck_assert(rel_close(f0, fl, 1e-12));
        }
        ck_assert_int_eq(spamlr__hessian_vec(&p.X, w, v, hv, 2), SPAMLR_OK);
        for (j = 0; j < n; j++)
            w[j] += 1e-5 * v[j];
        spamlr__objective(&p.X, w, gp);
        for (j = 0; j < n; j++)
            w[j] -= 2e-5 * v[j];
        spamlr__objective(&p.X, w, gm);
        for (j = 0; j < n; j++)
            ck_assert_msg(fabs((gp[j] - gm[j]) / 2e-5 - hv[j]) <= 1e-5 * fmax(1.0, gmax),
                          "(Hv)[%zu]", j);
        free(w);
        free(g);
        free(c);
        free(v);
        free(hv);
        free(gp);
        free(gm);
        prob_free(&p);
    }
}
END_TEST

/* Every solver minimises the centred objective: zero gradient (TRON,
 * L-BFGS), the centred optimality conditions of L1 (OWL-QN), the reported
 * objective equal to the reference one, with 1 and 3 threads. */
START_TEST(test_prior_solvers)
{
    static const unsigned solvers[] = { SPAMLR_SOLVER_TRON, SPAMLR_SOLVER_LBFGS,
                                        SPAMLR_SOLVER_OWLQN };
    prob p;
    spamlr__reg reg;
    spamlr_train_report rep = SPAMLR_TRAIN_REPORT_INIT;
    double *c, *w, *g, *w1 = NULL;
    size_t j, n;
    unsigned s, th;
    int rc;

    rng_seed(75);
    prob_random(&p, 400, 50, 0.1, 1, 2.0, 1, 0, 1.5);
    n = p.X.cols;
    c = random_prior(n);
    p.X.prior = c;
    p.X.reg = &reg;
    g = zeros(n);
    for (s = 0; s < 3; s++)
        for (th = 1; th <= 3; th += 2) {
            reg.l1 = solvers[s] == SPAMLR_SOLVER_OWLQN ? 1.0 : 0.0;
            reg.l2 = 1.0;
            w = zeros(n);
            rc = solve(&p.X, solvers[s], 1e-9, 5000, th, w, &rep);
            ck_assert_msg(rc == SPAMLR_OK, "%s %u threads: rc %d", solver_name(solvers[s]), th,
                          rc);
            ck_assert(rel_close(rep.objective, spamlr__objective(&p.X, w, g), 1e-10));
            if (reg.l1 == 0) {
                for (j = 0; j < n; j++)
                    ck_assert_msg(fabs(g[j]) <= 1e-7, "%s g[%zu] = %g", solver_name(solvers[s]),
                                  j, g[j]);
                if (!w1) {
                    w1 = zeros(n);
                    memcpy(w1, w, n * sizeof *w);
                }
                for (j = 0; j < n; j++)
                    ck_assert(fabs(w[j] - w1[j]) <= 1e-6 * fmax(1.0, fabs(w1[j])));
            } else {
                size_t at = 0;

                for (j = 0; j < n; j++) {
                    double d = w[j] - c[j];

                    if (j + 1 == n)
                        ck_assert(fabs(g[j]) <= 1e-6);
                    else if (d != 0)
                        ck_assert_msg(fabs(g[j] + copysign(1.0, d)) <= 1e-6, "w[%zu]", j);
                    else {
                        ck_assert(fabs(g[j]) <= 1.0 + 1e-6);
                        at++;
                    }
                }
                /* L1 about the prior: some weights stay exactly at their base */
                ck_assert_msg(at > 0 && at < n - 1, "%zu weights at the prior", at);
            }
            free(w);
        }
    free(w1);
    free(g);
    free(c);
    prob_free(&p);
}
END_TEST

/* The strength of the pull: with C -> 0 the solution is the prior (the
 * bias aside), with C -> infinity the plain solution (both to tolerance). */
START_TEST(test_prior_limits)
{
    prob p;
    spamlr_train_report rep = SPAMLR_TRAIN_REPORT_INIT;
    double *c, *w, *w0, dmax, wmax;
    size_t j, n, r;
    unsigned s;

    rng_seed(77);
    prob_random(&p, 300, 20, 0.3, 1, 1.0, 0, 0, 3.0);
    n = p.X.cols;
    c = random_prior(n);
    for (s = 0; s < 2; s++) {
        unsigned solver = s ? SPAMLR_SOLVER_LBFGS : SPAMLR_SOLVER_TRON;

        /* tiny C */
        for (r = 0; r < p.X.rows; r++)
            p.cost[r] = 1e-7;
        p.X.prior = c;
        w = zeros(n);
        ck_assert_int_eq(solve(&p.X, solver, 1e-8, 5000, 1, w, &rep), SPAMLR_OK);
        for (j = 0; j + 1 < n; j++)
            ck_assert_msg(fabs(w[j] - c[j]) <= 1e-5, "w[%zu] %g prior %g", j, w[j], c[j]);
        free(w);
        /* huge C: the plain optimum (the data are not separable) */
        for (r = 0; r < p.X.rows; r++)
            p.cost[r] = 1e6;
        w = zeros(n);
        w0 = zeros(n);
        ck_assert_int_eq(solve(&p.X, solver, 1e-10, 5000, 1, w, &rep), SPAMLR_OK);
        p.X.prior = NULL;
        ck_assert_int_eq(solve(&p.X, solver, 1e-10, 5000, 1, w0, &rep), SPAMLR_OK);
        dmax = wmax = 0;
        for (j = 0; j < n; j++) {
            dmax = fmax(dmax, fabs(w[j] - w0[j]));
            wmax = fmax(wmax, fabs(w0[j]));
        }
        ck_assert_msg(dmax <= 1e-4 * wmax, "%s: |w - w_plain| %g of %g", solver_name(solver),
                      dmax, wmax);
        free(w);
        free(w0);
    }
    free(c);
    prob_free(&p);
}
END_TEST

/* ------------------------------------------------------------------ main */

static Suite *solver_suite(void)
{
    Suite *s = suite_create("solver");
    TCase *tc;

    /* first: the kernel choice must see SPAMLR_SIMD before anything else */
    tc = tcase_create("kernels");
    tcase_add_test(tc, test_kernels_env_scalar);
    tcase_add_test(tc, test_kernels_choose);
    tcase_add_test(tc, test_kernels_vs_naive);
    suite_add_tcase(s, tc);

    tc = tcase_create("objective");
    tcase_add_test(tc, test_gradient_plain);
    tcase_add_test(tc, test_gradient_bias_costs);
    tcase_add_test(tc, test_gradient_binary);
    tcase_add_test(tc, test_objective_values);
    tcase_add_test(tc, test_hessian_vec);
    suite_add_tcase(s, tc);

    tc = tcase_create("solve");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_tiny_known_optimum);
    tcase_add_test(tc, test_two_columns);
    tcase_add_test(tc, test_tron_equals_lbfgs);
    tcase_add_test(tc, test_threads_tron);
    tcase_add_test(tc, test_threads_lbfgs);
    tcase_add_test(tc, test_separable_large_c);
    tcase_add_test(tc, test_max_iter_and_report);
    tcase_add_test(tc, test_warm_start);
    tcase_add_test(tc, test_binary_rows);
    tcase_add_test(tc, test_degenerate);
    tcase_add_test(tc, test_invalid_and_nomem);
    tcase_add_test(tc, test_vs_liblinear);
    suite_add_tcase(s, tc);

    tc = tcase_create("l1");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_l1_optimality);
    tcase_add_test(tc, test_l1_soft_threshold);
    tcase_add_test(tc, test_l1_sparsity_grows);
    tcase_add_test(tc, test_owlqn_l2_and_scaling);
    tcase_add_test(tc, test_l1_threads);
    tcase_add_test(tc, test_l1_invalid);
    tcase_add_test(tc, test_l1_vs_liblinear);
    tcase_add_test(tc, test_reduce_shards);
    suite_add_tcase(s, tc);

    tc = tcase_create("prior");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_prior_gradient);
    tcase_add_test(tc, test_prior_solvers);
    tcase_add_test(tc, test_prior_limits);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(solver_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
