/* kernels_avx2.c - AVX2 + FMA kernels (4 doubles per register).
 *
 * Built with -mavx2 -mfma; used only when the CPU reports both. Dense
 * reductions keep four vector partial sums (16 entries per step), folded
 * as (v0 + v1) + (v2 + v3), then lanes (0 + 1) + (2 + 3), then the scalar
 * tail in index order: a fixed order for a given length, so the result is
 * the same from run to run. Sparse dot loads w[idx[k]] four at a time;
 * sparse axpy makes the products in registers and adds them to y one by
 * one (avx2_saxpy: 0.59 ns an entry in kbench, the scalar loop 0.65). */
#include "kernels/kernels.h"

#if defined(SPAMLR_HAVE_X86)
#include <immintrin.h>

static inline double hsum4(__m256d v)
{
    __m128d lo = _mm256_castpd256_pd128(v), hi = _mm256_extractf128_pd(v, 1);
    __m128d a = _mm_add_sd(lo, _mm_unpackhi_pd(lo, lo));   /* l0 + l1 */
    __m128d b = _mm_add_sd(hi, _mm_unpackhi_pd(hi, hi));   /* l2 + l3 */

    return _mm_cvtsd_f64(_mm_add_sd(a, b));
}

static double avx2_dot(const double *a, const double *b, size_t n)
{
    __m256d s0 = _mm256_setzero_pd(), s1 = s0, s2 = s0, s3 = s0;
    double tail = 0;
    size_t i = 0;

    for (; i + 16 <= n; i += 16) {
        s0 = _mm256_fmadd_pd(_mm256_loadu_pd(a + i), _mm256_loadu_pd(b + i), s0);
        s1 = _mm256_fmadd_pd(_mm256_loadu_pd(a + i + 4), _mm256_loadu_pd(b + i + 4), s1);
        s2 = _mm256_fmadd_pd(_mm256_loadu_pd(a + i + 8), _mm256_loadu_pd(b + i + 8), s2);
        s3 = _mm256_fmadd_pd(_mm256_loadu_pd(a + i + 12), _mm256_loadu_pd(b + i + 12), s3);
    }
    for (; i + 4 <= n; i += 4)
        s0 = _mm256_fmadd_pd(_mm256_loadu_pd(a + i), _mm256_loadu_pd(b + i), s0);
    for (; i < n; i++)
        tail += a[i] * b[i];
    return hsum4(_mm256_add_pd(_mm256_add_pd(s0, s1), _mm256_add_pd(s2, s3))) + tail;
}

static double avx2_nrm2sq(const double *x, size_t n)
{
    return avx2_dot(x, x, n);
}

static void avx2_axpy(double a, const double *x, double *y, size_t n)
{
    __m256d va = _mm256_set1_pd(a);
    size_t i = 0;

    for (; i + 8 <= n; i += 8) {
        __m256d y0 = _mm256_fmadd_pd(va, _mm256_loadu_pd(x + i), _mm256_loadu_pd(y + i));
        __m256d y1 = _mm256_fmadd_pd(va, _mm256_loadu_pd(x + i + 4),
                                     _mm256_loadu_pd(y + i + 4));

        _mm256_storeu_pd(y + i, y0);
        _mm256_storeu_pd(y + i + 4, y1);
    }
    for (; i + 4 <= n; i += 4)
        _mm256_storeu_pd(y + i, _mm256_fmadd_pd(va, _mm256_loadu_pd(x + i),
                                                _mm256_loadu_pd(y + i)));
    for (; i < n; i++)
        y[i] += a * x[i];
}

static void avx2_scale(double a, double *x, size_t n)
{
    __m256d va = _mm256_set1_pd(a);
    size_t i = 0;

    for (; i + 8 <= n; i += 8) {
        _mm256_storeu_pd(x + i, _mm256_mul_pd(va, _mm256_loadu_pd(x + i)));
        _mm256_storeu_pd(x + i + 4, _mm256_mul_pd(va, _mm256_loadu_pd(x + i + 4)));
    }
    for (; i + 4 <= n; i += 4)
        _mm256_storeu_pd(x + i, _mm256_mul_pd(va, _mm256_loadu_pd(x + i)));
    for (; i < n; i++)
        x[i] *= a;
}

/* w[idx[0..3]] in one register. Built from four scalar loads rather
 * than with vgatherqpd/vgatherdpd: measured on AMD Zen 4 (kbench), the
 * gather was slower than the scalar reference, four loads and two
 * inserts were faster. Any uint32_t index is valid. */
static inline __m256d gather4(const double *w, const uint32_t *idx)
{
    return _mm256_set_pd(w[idx[3]], w[idx[2]], w[idx[1]], w[idx[0]]);
}

static double avx2_sdot(const uint32_t *idx, const float *val, size_t nnz, const double *w)
{
    __m256d s0 = _mm256_setzero_pd(), s1 = s0;
    double tail = 0;
    size_t k = 0;

    if (!val) {
        for (; k + 8 <= nnz; k += 8) {
            s0 = _mm256_add_pd(s0, gather4(w, idx + k));
            s1 = _mm256_add_pd(s1, gather4(w, idx + k + 4));
        }
        for (; k + 4 <= nnz; k += 4)
            s0 = _mm256_add_pd(s0, gather4(w, idx + k));
        for (; k < nnz; k++)
            tail += w[idx[k]];
    } else {
        for (; k + 8 <= nnz; k += 8) {
            s0 = _mm256_fmadd_pd(_mm256_cvtps_pd(_mm_loadu_ps(val + k)), gather4(w, idx + k), s0);
            s1 = _mm256_fmadd_pd(_mm256_cvtps_pd(_mm_loadu_ps(val + k + 4)),
                                 gather4(w, idx + k + 4), s1);
        }
        for (; k + 4 <= nnz; k += 4)
            s0 = _mm256_fmadd_pd(_mm256_cvtps_pd(_mm_loadu_ps(val + k)), gather4(w, idx + k), s0);
        for (; k < nnz; k++)
            tail += (double)val[k] * w[idx[k]];
    }
    return hsum4(_mm256_add_pd(s0, s1)) + tail;
}

/* y[idx[k]] += a * val[k]: the products four a register, eight a step
 * (the same roundings as the scalar loop: a product, then a sum), the
 * read-modify-writes of y one by one, in index order (a repeated index
 * is a sum, as there). */
static void avx2_saxpy(double a, const uint32_t *idx, const float *val, size_t nnz, double *y)
{
    size_t k = 0;

    if (val) {
        __m256d va = _mm256_set1_pd(a);

        for (; k + 8 <= nnz; k += 8) {
            double t[8];

            _mm256_storeu_pd(t, _mm256_mul_pd(va, _mm256_cvtps_pd(_mm_loadu_ps(val + k))));
            _mm256_storeu_pd(t + 4, _mm256_mul_pd(va, _mm256_cvtps_pd(_mm_loadu_ps(val + k + 4))));
            spamlr__scatter8(y, idx + k, t);
        }
    }
    /* the last 0..7 products, or a row without values: the scalar loop */
    spamlr__saxpy_scalar(a, idx + k, val ? val + k : NULL, nnz - k, y);
}

const spamlr__kernels spamlr__kernels_avx2 = {
    "avx2",
    avx2_dot,
    avx2_axpy,
    avx2_scale,
    avx2_nrm2sq,
    avx2_sdot,
    avx2_saxpy
};

#else
/* not x86: nothing to build (kernels.c does not list this table) */
typedef int spamlr__no_avx2;
#endif
