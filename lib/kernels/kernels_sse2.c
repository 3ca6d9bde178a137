/* kernels_sse2.c - SSE2 kernels (2 doubles per register, no FMA).
 *
 * Built with -msse2. Dense reductions keep four vector partial sums (8
 * entries per step), folded as (v0 + v1) + (v2 + v3), then lane 0 + lane
 * 1, then the scalar tail in index order: a fixed order for a given
 * length. SSE2 has no gather: sparse dot loads w[idx[k]] pairs into one
 * register and keeps two vector sums; sparse axpy is the scalar loop
 * (kernels_scalar.c). */
#include "kernels/kernels.h"

#if defined(SPAMLR_HAVE_X86)
#include <emmintrin.h>

static inline double hsum2(__m128d v)
{
    return _mm_cvtsd_f64(_mm_add_sd(v, _mm_unpackhi_pd(v, v)));
}

static double sse2_dot(const double *a, const double *b, size_t n)
{
    __m128d s0 = _mm_setzero_pd(), s1 = s0, s2 = s0, s3 = s0;
    double tail = 0;
    size_t i = 0;

    for (; i + 8 <= n; i += 8) {
        s0 = _mm_add_pd(s0, _mm_mul_pd(_mm_loadu_pd(a + i), _mm_loadu_pd(b + i)));
        s1 = _mm_add_pd(s1, _mm_mul_pd(_mm_loadu_pd(a + i + 2), _mm_loadu_pd(b + i + 2)));
        s2 = _mm_add_pd(s2, _mm_mul_pd(_mm_loadu_pd(a + i + 4), _mm_loadu_pd(b + i + 4)));
        s3 = _mm_add_pd(s3, _mm_mul_pd(_mm_loadu_pd(a + i + 6), _mm_loadu_pd(b + i + 6)));
    }
    for (; i + 2 <= n; i += 2)
        s0 = _mm_add_pd(s0, _mm_mul_pd(_mm_loadu_pd(a + i), _mm_loadu_pd(b + i)));
    for (; i < n; i++)
        tail += a[i] * b[i];
    return hsum2(_mm_add_pd(_mm_add_pd(s0, s1), _mm_add_pd(s2, s3))) + tail;
}

static double sse2_nrm2sq(const double *x, size_t n)
{
    return sse2_dot(x, x, n);
}

static void sse2_axpy(double a, const double *x, double *y, size_t n)
{
    __m128d va = _mm_set1_pd(a);
    size_t i = 0;

    for (; i + 4 <= n; i += 4) {
        __m128d y0 = _mm_add_pd(_mm_loadu_pd(y + i), _mm_mul_pd(va, _mm_loadu_pd(x + i)));
        __m128d y1 = _mm_add_pd(_mm_loadu_pd(y + i + 2),
                                _mm_mul_pd(va, _mm_loadu_pd(x + i + 2)));

        _mm_storeu_pd(y + i, y0);
        _mm_storeu_pd(y + i + 2, y1);
    }
    for (; i + 2 <= n; i += 2)
        _mm_storeu_pd(y + i, _mm_add_pd(_mm_loadu_pd(y + i),
                                        _mm_mul_pd(va, _mm_loadu_pd(x + i))));
    for (; i < n; i++)
        y[i] += a * x[i];
}

static void sse2_scale(double a, double *x, size_t n)
{
    __m128d va = _mm_set1_pd(a);
    size_t i = 0;

    for (; i + 4 <= n; i += 4) {
        _mm_storeu_pd(x + i, _mm_mul_pd(va, _mm_loadu_pd(x + i)));
        _mm_storeu_pd(x + i + 2, _mm_mul_pd(va, _mm_loadu_pd(x + i + 2)));
    }
    for (; i + 2 <= n; i += 2)
        _mm_storeu_pd(x + i, _mm_mul_pd(va, _mm_loadu_pd(x + i)));
    for (; i < n; i++)
        x[i] *= a;
}

static inline __m128d pair(const double *w, const uint32_t *idx)
{
    return _mm_loadh_pd(_mm_load_sd(w + idx[0]), w + idx[1]);
}

/* The two floats val[0], val[1] as doubles. */
static inline __m128d val2(const float *val)
{
    /* two floats in one 8-byte load (an unaligned-safe integer load: val is
     * only 4-byte aligned) */
    return _mm_cvtps_pd(_mm_castsi128_ps(_mm_loadl_epi64((const __m128i *)(const void *)val)));
}

static double sse2_sdot(const uint32_t *idx, const float *val, size_t nnz, const double *w)
{
    __m128d s0 = _mm_setzero_pd(), s1 = s0;
    double tail = 0;
    size_t k = 0;

    if (!val) {
        for (; k + 4 <= nnz; k += 4) {
            s0 = _mm_add_pd(s0, pair(w, idx + k));
            s1 = _mm_add_pd(s1, pair(w, idx + k + 2));
        }
        for (; k < nnz; k++)
            tail += w[idx[k]];
    } else {
        for (; k + 4 <= nnz; k += 4) {
            s0 = _mm_add_pd(s0, _mm_mul_pd(val2(val + k), pair(w, idx + k)));
            s1 = _mm_add_pd(s1, _mm_mul_pd(val2(val + k + 2), pair(w, idx + k + 2)));
        }
        for (; k < nnz; k++)
            tail += (double)val[k] * w[idx[k]];
    }
    return hsum2(_mm_add_pd(s0, s1)) + tail;
}

const spamlr__kernels spamlr__kernels_sse2 = {
    "sse2",
    sse2_dot,
    sse2_axpy,
    sse2_scale,
    sse2_nrm2sq,
    sse2_sdot,
    spamlr__saxpy_scalar /* see kernels_scalar.c */
};

#else
/* not x86: nothing to build (kernels.c does not list this table) */
typedef int spamlr__no_sse2;
#endif
