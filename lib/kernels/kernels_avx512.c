/* kernels_avx512.c - AVX-512F kernels (8 doubles per register).
 *
 * Built with -mavx512f -mavx512bw -mavx512vl -mavx2 -mfma; used only when
 * the CPU reports all of them (the "avx512" level in kernels.c). Dense
 * reductions keep four vector partial sums (32 entries per step), then
 * one register for the remaining whole vectors, then the last 0..7 entries
 * through a masked load (no scalar tail, nothing read past n); the sums
 * fold as (v0 + v1) + (v2 + v3), then lanes pairwise: a fixed order for a
 * given length, so the result is the same from run to run. Sparse dot
 * builds its vectors from scalar loads of w[idx[k]] (see gather8); sparse
 * axpy makes eight products a register and adds them to y one by one
 * (avx512_saxpy: 0.59 ns an entry in kbench, the scalar loop 0.65; a
 * version with vpconflictd, vgatherqpd, FMA and vscatterqpd measured 0.70x
 * the scalar loop on this project's AVX-512 machine, AMD EPYC). */
#include "kernels/kernels.h"

#if defined(SPAMLR_HAVE_X86)
#include <immintrin.h>

/* (l0 + l4) + ... pairwise halves: 8 -> 4 -> 2 -> 1. */
static inline double hsum8(__m512d v)
{
    __m256d a = _mm256_add_pd(_mm512_castpd512_pd256(v), _mm512_extractf64x4_pd(v, 1));
    __m128d b = _mm_add_pd(_mm256_castpd256_pd128(a), _mm256_extractf128_pd(a, 1));

    return _mm_cvtsd_f64(_mm_add_sd(b, _mm_unpackhi_pd(b, b)));
}

/* The mask of the first r (< 8) lanes. */
static inline __mmask8 first(size_t r)
{
    return (__mmask8)((1u << r) - 1u);
}

static double avx512_dot(const double *a, const double *b, size_t n)
{
    __m512d s0 = _mm512_setzero_pd(), s1 = s0, s2 = s0, s3 = s0;
    size_t i = 0;

    for (; i + 32 <= n; i += 32) {
        s0 = _mm512_fmadd_pd(_mm512_loadu_pd(a + i), _mm512_loadu_pd(b + i), s0);
        s1 = _mm512_fmadd_pd(_mm512_loadu_pd(a + i + 8), _mm512_loadu_pd(b + i + 8), s1);
        s2 = _mm512_fmadd_pd(_mm512_loadu_pd(a + i + 16), _mm512_loadu_pd(b + i + 16), s2);
        s3 = _mm512_fmadd_pd(_mm512_loadu_pd(a + i + 24), _mm512_loadu_pd(b + i + 24), s3);
    }
    for (; i + 8 <= n; i += 8)
        s0 = _mm512_fmadd_pd(_mm512_loadu_pd(a + i), _mm512_loadu_pd(b + i), s0);
    if (i < n) {
        __mmask8 m = first(n - i);

        s1 = _mm512_fmadd_pd(_mm512_maskz_loadu_pd(m, a + i), _mm512_maskz_loadu_pd(m, b + i),
                             s1);
    }
    return hsum8(_mm512_add_pd(_mm512_add_pd(s0, s1), _mm512_add_pd(s2, s3)));
}

static double avx512_nrm2sq(const double *x, size_t n)
{
    return avx512_dot(x, x, n);
}

static void avx512_axpy(double a, const double *x, double *y, size_t n)
{
    __m512d va = _mm512_set1_pd(a);
    size_t i = 0;

    for (; i + 16 <= n; i += 16) {
        __m512d y0 = _mm512_fmadd_pd(va, _mm512_loadu_pd(x + i), _mm512_loadu_pd(y + i));
        __m512d y1 = _mm512_fmadd_pd(va, _mm512_loadu_pd(x + i + 8),
                                     _mm512_loadu_pd(y + i + 8));

        _mm512_storeu_pd(y + i, y0);
        _mm512_storeu_pd(y + i + 8, y1);
    }
    for (; i + 8 <= n; i += 8)
        _mm512_storeu_pd(y + i, _mm512_fmadd_pd(va, _mm512_loadu_pd(x + i),
                                                _mm512_loadu_pd(y + i)));
    if (i < n) {
        __mmask8 m = first(n - i);

        _mm512_mask_storeu_pd(y + i, m, _mm512_fmadd_pd(va, _mm512_maskz_loadu_pd(m, x + i),
                                                        _mm512_maskz_loadu_pd(m, y + i)));
    }
}

static void avx512_scale(double a, double *x, size_t n)
{
    __m512d va = _mm512_set1_pd(a);
    size_t i = 0;

    for (; i + 16 <= n; i += 16) {
        _mm512_storeu_pd(x + i, _mm512_mul_pd(va, _mm512_loadu_pd(x + i)));
        _mm512_storeu_pd(x + i + 8, _mm512_mul_pd(va, _mm512_loadu_pd(x + i + 8)));
    }
    for (; i + 8 <= n; i += 8)
        _mm512_storeu_pd(x + i, _mm512_mul_pd(va, _mm512_loadu_pd(x + i)));
    if (i < n) {
        __mmask8 m = first(n - i);

        _mm512_mask_storeu_pd(x + i, m, _mm512_mul_pd(va, _mm512_maskz_loadu_pd(m, x + i)));
    }
}

/* w[idx[0..7]] in one register, from eight scalar loads: on this
 * project's AMD machines vgatherdpd was slower than scalar loads (see the
 * README, "Measured: speed"; kbench). Any uint32_t index is valid. */
static inline __m512d gather8(const double *w, const uint32_t *idx)
{
    return _mm512_set_pd(w[idx[7]], w[idx[6]], w[idx[5]], w[idx[4]],
                         w[idx[3]], w[idx[2]], w[idx[1]], w[idx[0]]);
}

static double avx512_sdot(const uint32_t *idx, const float *val, size_t nnz, const double *w)
{
    __m512d s0 = _mm512_setzero_pd(), s1 = s0;
    double tail = 0;
    size_t k = 0;

    if (!val) {
        for (; k + 16 <= nnz; k += 16) {
            s0 = _mm512_add_pd(s0, gather8(w, idx + k));
            s1 = _mm512_add_pd(s1, gather8(w, idx + k + 8));
        }
        for (; k + 8 <= nnz; k += 8)
            s0 = _mm512_add_pd(s0, gather8(w, idx + k));
        for (; k < nnz; k++)
            tail += w[idx[k]];
    } else {
        for (; k + 16 <= nnz; k += 16) {
            s0 = _mm512_fmadd_pd(_mm512_cvtps_pd(_mm256_loadu_ps(val + k)),
                                 gather8(w, idx + k), s0);
            s1 = _mm512_fmadd_pd(_mm512_cvtps_pd(_mm256_loadu_ps(val + k + 8)),
                                 gather8(w, idx + k + 8), s1);
        }
        for (; k + 8 <= nnz; k += 8)
            s0 = _mm512_fmadd_pd(_mm512_cvtps_pd(_mm256_loadu_ps(val + k)),
                                 gather8(w, idx + k), s0);
        for (; k < nnz; k++)
            tail += (double)val[k] * w[idx[k]];
    }
    return hsum8(_mm512_add_pd(s0, s1)) + tail;
}

/* y[idx[k]] += a * val[k]: the products eight at a time in a register
 * (a product, then a sum, as the scalar loop rounds them), the
 * read-modify-writes of y one by one, in index order. */
static void avx512_saxpy(double a, const uint32_t *idx, const float *val, size_t nnz,
                         double *y)
{
    size_t k = 0;

    if (val) {
        __m512d va = _mm512_set1_pd(a);

        for (; k + 8 <= nnz; k += 8) {
            double t[8];

            _mm512_storeu_pd(t, _mm512_mul_pd(va, _mm512_cvtps_pd(_mm256_loadu_ps(val + k))));
            spamlr__scatter8(y, idx + k, t);
        }
    }
    /* the last 0..7 products, or a row without values: the scalar loop */
    spamlr__saxpy_scalar(a, idx + k, val ? val + k : NULL, nnz - k, y);
}

const spamlr__kernels spamlr__kernels_avx512 = {
    "avx512",
    avx512_dot,
    avx512_axpy,
    avx512_scale,
    avx512_nrm2sq,
    avx512_sdot,
    avx512_saxpy
};

#else
/* not x86: nothing to build (kernels.c does not list this table) */
typedef int spamlr__no_avx512;
#endif
