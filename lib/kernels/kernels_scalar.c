/* kernels_scalar.c - the portable reference kernels.
 *
 * Plain C, built for the baseline CPU. Dense reductions keep four
 * independent partial sums (combined as (s0 + s1) + (s2 + s3)) so that the
 * loop is not bound by the latency of one chain of additions; SIMD versions
 * sum in yet another order, so callers compare results with a relative
 * tolerance. */
#include "kernels/kernels.h"

static double scalar_dot(const double *a, const double *b, size_t n)
{
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;

    for (; i + 4 <= n; i += 4) {
        s0 += a[i] * b[i];
        s1 += a[i + 1] * b[i + 1];
        s2 += a[i + 2] * b[i + 2];
        s3 += a[i + 3] * b[i + 3];
    }
    for (; i < n; i++)
        s0 += a[i] * b[i];
    return (s0 + s1) + (s2 + s3);
}

static void scalar_axpy(double a, const double *x, double *y, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        y[i] += a * x[i];
}

static void scalar_scale(double a, double *x, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        x[i] *= a;
}

static double scalar_nrm2sq(const double *x, size_t n)
{
    return scalar_dot(x, x, n);
}

static double scalar_sdot(const uint32_t *idx, const float *val, size_t nnz,
                          const double *w)
{
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t k = 0;

    if (!val) {
        for (; k + 4 <= nnz; k += 4) {
            s0 += w[idx[k]];
            s1 += w[idx[k + 1]];
            s2 += w[idx[k + 2]];
            s3 += w[idx[k + 3]];
        }
        for (; k < nnz; k++)
            s0 += w[idx[k]];
    } else {
        for (; k + 4 <= nnz; k += 4) {
            s0 += (double)val[k] * w[idx[k]];
            s1 += (double)val[k + 1] * w[idx[k + 1]];
            s2 += (double)val[k + 2] * w[idx[k + 2]];
            s3 += (double)val[k + 3] * w[idx[k + 3]];
        }
        for (; k < nnz; k++)
            s0 += (double)val[k] * w[idx[k]];
    }
    return (s0 + s1) + (s2 + s3);
}

/* Updates happen in index order, so a repeated index is handled as a sum.
 * The SSE2 table uses it too; the AVX2 and AVX-512 ones make the products
 * in registers, with the same roundings (a product, then a sum), and keep
 * the read-modify-writes of y, which bind the scatter, one by one. */
void spamlr__saxpy_scalar(double a, const uint32_t *idx, const float *val, size_t nnz,
                          double *y)
{
    size_t k;

    if (!val) {
        for (k = 0; k < nnz; k++)
            y[idx[k]] += a;
    } else {
        for (k = 0; k < nnz; k++)
            y[idx[k]] += a * (double)val[k];
    }
}

const spamlr__kernels spamlr__kernels_scalar = {
    "scalar",
    scalar_dot,
    scalar_axpy,
    scalar_scale,
    scalar_nrm2sq,
    scalar_sdot,
    spamlr__saxpy_scalar
};
