/* test_kernels.c - every vector kernel of every implementation this CPU
 * runs, against the scalar reference: lengths 0 .. 2 * width + 1 and a few
 * large ones, unaligned pointers, random sparse indices (repeated ones
 * too, for the scatter), and val == NULL; nothing past n is written (the
 * masked tails of AVX-512). */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/kernels.h"
#include "testutil.h"

static uint64_t rs = 0x243f6a8885a308d3ULL;

static uint64_t rng(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return rs;
}

/* uniform in [-1, 1) */
static double urand(void)
{
    return (double)(rng() >> 11) * (2.0 / 9007199254740992.0) - 1.0;
}

/* |a - b| <= rel * scale, where scale bounds the size of the terms (a sum
 * in another order differs by rounding relative to the terms, not to a
 * result that may cancel to near 0). */
static void assert_close(double a, double b, double scale, const char *what,
                         const char *isa, size_t n)
{
    double tol = 1e-13 * (scale > 1e-300 ? scale : 1e-300);

    if (fabs(a - b) <= tol)
        return;
    ck_assert_msg(0, "%s/%s n=%zu: %.17g vs scalar %.17g", what, isa, n,
                  a, b);
}

/* Lengths tried: 0 .. 2 * 32 + 1 (32 = the widest unrolled step, four
 * AVX-512 registers), then a few large ones. */
static const size_t big_lengths[] = { 255, 1000, 4097, 65537 };
#define MAXLEN 65537
#define NBIG (sizeof big_lengths / sizeof big_lengths[0])

static size_t length_at(size_t i)
{
    return i < 66 ? i : big_lengths[i - 66];
}

#define NLENGTHS (66 + NBIG)

/* Buffers one double past a 64-byte boundary when `off` is 1: unaligned
 * for every vector width. */
static double *dense(size_t n, size_t off)
{
    double *p = malloc((n + 8) * sizeof *p);
    size_t i;

    ck_assert_ptr_nonnull(p);
    for (i = 0; i < n + 8; i++)
        p[i] = urand();
    return p + off;
}

static const spamlr__kernels *impl(size_t i)
{
    return spamlr__kernels_available(i);
}

START_TEST(test_scalar_is_last)
{
    size_t i = 0;

    while (impl(i + 1))
        i++;
    ck_assert_str_eq(impl(i)->name, "scalar");
    ck_assert_ptr_eq(spamlr__kernels_choose("scalar"), &spamlr__kernels_scalar);
    ck_assert_ptr_eq(spamlr__kernels_choose("no-such-isa"), impl(0));
    ck_assert_ptr_eq(spamlr__kernels_choose(NULL), impl(0));
#if defined(__x86_64__)
    /* every x86-64 CPU has SSE2 */
    ck_assert_str_eq(spamlr__kernels_choose("SSE2")->name, "sse2");
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx2") &&
        __builtin_cpu_supports("fma")) {
        ck_assert_str_eq(impl(0)->name, "avx512");
        ck_assert_str_eq(spamlr__kernels_choose("avx512")->name, "avx512");
        ck_assert_str_eq(spamlr__kernels_choose("AVX2")->name, "avx2");
        ck_assert(spamlr__isa_supported(SPAMLR__ISA_AVX512));
    } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        ck_assert_str_eq(impl(0)->name, "avx2");
        ck_assert_str_eq(spamlr__kernels_choose("avx512")->name, "avx2");
    }
#endif
    ck_assert_str_eq(spamlr_simd_name(), spamlr__kernels_get()->name);
}
END_TEST

START_TEST(test_dense)
{
    const spamlr__kernels *s = &spamlr__kernels_scalar, *k;
    size_t t, li, off, i;

    for (t = 0; (k = impl(t)) != NULL; t++) {
        for (off = 0; off < 2; off++) {
            for (li = 0; li < NLENGTHS; li++) {
                size_t n = length_at(li);
                double *a = dense(n, off), *b = dense(n, 1 - off);
                double *y1 = dense(n, off), *y2 = dense(n, 0);
                double scale = 0, alpha = urand() * 3;

                for (i = 0; i < n; i++)
                    scale += fabs(a[i] * b[i]);
                assert_close(k->dot(a, b, n), s->dot(a, b, n), scale, "dot", k->name, n);
                scale = 0;
                for (i = 0; i < n; i++)
                    scale += a[i] * a[i];
                assert_close(k->nrm2sq(a, n), s->nrm2sq(a, n), scale, "nrm2sq", k->name, n);
                ck_assert(k->nrm2sq(a, n) >= 0);

                memcpy(y2, y1, (n + 8 - off) * sizeof *y1);
                k->axpy(alpha, a, y1, n);
                s->axpy(alpha, a, y2, n);
                for (i = n; i < n + 8 - off; i++)   /* nothing written past n */
                    ck_assert_msg(y1[i] == y2[i], "axpy/%s n=%zu wrote y[%zu]", k->name, n, i);
                for (i = 0; i < n; i++)
                    assert_close(y1[i], y2[i], fabs(alpha * a[i]) + fabs(y2[i]), "axpy",
                                 k->name, n);
                memcpy(y2, y1, (n + 8 - off) * sizeof *y1);
                k->scale(alpha, y1, n);
                s->scale(alpha, y2, n);
                for (i = 0; i < n + 8 - off; i++)
                    if (y1[i] != y2[i])
                        ck_assert_msg(0, "scale/%s n=%zu i=%zu", k->name, n, i);
                free(a - off);
                free(b - (1 - off));
                free(y1 - off);
                free(y2);
            }
        }
    }
}
END_TEST

/* Sparse kernels on random rows: indices into a dense vector of `dim`,
 * ascending (as rows are) or, for the scatter, with repeats. */
static void sparse_case(const spamlr__kernels *k, size_t nnz, size_t off, int with_val,
                        int repeats)
{
    const spamlr__kernels *s = &spamlr__kernels_scalar;
    size_t dim = 4 * nnz + 7, i;
    uint32_t *idx = malloc((nnz + 1) * sizeof *idx + 4);
    float *vbuf = malloc((nnz + 2) * sizeof *vbuf), *val;
    double *w = dense(dim, off), *y1 = dense(dim, 0), *y2 = dense(dim, 0);
    double scale = 0, alpha = urand() * 2;
    uint32_t *ix;

    ck_assert_ptr_nonnull(idx);
    ck_assert_ptr_nonnull(vbuf);
    /* unaligned index and value arrays: one element in */
    ix = idx + 1;
    val = with_val ? vbuf + off : NULL;
    for (i = 0; i < nnz; i++) {
        if (repeats)
            ix[i] = (uint32_t)(rng() % (nnz / 2 + 1));
        else
            ix[i] = (uint32_t)(4 * i + rng() % 4);
        if (with_val)
            val[i] = (float)urand();
    }
    for (i = 0; i < nnz; i++)
        scale += fabs((val ? val[i] : 1.0) * w[ix[i]]);
    if (!repeats)
        assert_close(k->sdot(ix, val, nnz, w), s->sdot(ix, val, nnz, w), scale, "sdot",
                     k->name, nnz);
    memcpy(y2, y1, dim * sizeof *y1);
    k->saxpy(alpha, ix, val, nnz, y1);
    s->saxpy(alpha, ix, val, nnz, y2);
    /* the same roundings as the scalar loop (a product, then a sum, in
     * index order): the same doubles */
    for (i = 0; i < dim && y1[i] == y2[i]; i++)
        ;
    ck_assert_msg(i == dim, "saxpy %s, nnz %zu: entry %zu is %.17g, scalar %.17g", k->name,
                  nnz, i, i < dim ? y1[i] : 0.0, i < dim ? y2[i] : 0.0);
    free(idx);
    free(vbuf);
    free(w - off);
    free(y1);
    free(y2);
}

START_TEST(test_sparse)
{
    const spamlr__kernels *k;
    size_t t, li, off;
    int v, rep;

    for (t = 0; (k = impl(t)) != NULL; t++)
        for (li = 0; li < NLENGTHS; li++)
            for (off = 0; off < 2; off++)
                for (v = 0; v < 2; v++)
                    for (rep = 0; rep < 2; rep++)
                        sparse_case(k, length_at(li), off, v, rep);
}
END_TEST

/* Small integer data, where every order of summation is exact: the
 * results must be equal, not just close, at every length. */
START_TEST(test_sdot_exact_small)
{
    const spamlr__kernels *k;
    double w[40];
    uint32_t idx[20];
    float val[20];
    size_t t, i;

    for (i = 0; i < 40; i++)
        w[i] = (double)i;
    for (i = 0; i < 20; i++) {
        idx[i] = (uint32_t)(2 * i);
        val[i] = 0.5f;
    }
    for (t = 0; (k = impl(t)) != NULL; t++) {
        for (i = 0; i <= 20; i++) {
            double want = (double)i * (double)(i - (i > 0));  /* sum of 2j, j < i */

            ck_assert_msg(k->sdot(idx, NULL, i, w) == want, "%s nnz=%zu", k->name, i);
            ck_assert_msg(k->sdot(idx, val, i, w) == 0.5 * want, "%s nnz=%zu", k->name, i);
        }
    }
}
END_TEST

/* Deterministic: the same call twice gives the same bits. */
START_TEST(test_deterministic)
{
    const spamlr__kernels *k;
    size_t t, n = 4097;
    double *a = dense(n, 1), *b = dense(n, 0);

    for (t = 0; (k = impl(t)) != NULL; t++)
        ck_assert(k->dot(a, b, n) == k->dot(a, b, n));
    free(a - 1);
    free(b);
}
END_TEST

static Suite *kernels_suite(void)
{
    Suite *s = suite_create("kernels");
    TCase *tc = tcase_create("all");

    tcase_add_test(tc, test_scalar_is_last);
    tcase_add_test(tc, test_dense);
    tcase_add_test(tc, test_sparse);
    tcase_add_test(tc, test_sdot_exact_small);
    tcase_add_test(tc, test_deterministic);
    suite_add_tcase(s, tc);
    return s;
}

SPAMLR_TEST_MAIN(kernels_suite)
