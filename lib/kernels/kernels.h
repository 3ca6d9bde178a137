/* kernels.h - the vector kernels the trainer and predictor use, behind one
 * table of function pointers so that SIMD versions can replace the scalar
 * reference. Sparse vectors are (idx[], val[], nnz); val == NULL means every
 * value is 1. Dense vectors are double; sparse values are float. */
#ifndef SPAMLR_KERNELS_H
#define SPAMLR_KERNELS_H

#include <stddef.h>
#include <stdint.h>

typedef struct spamlr__kernels {
    const char *name;
    /* sum_i a[i]*b[i] */
    double (*dot)(const double *a, const double *b, size_t n);
    /* y += a*x */
    void (*axpy)(double a, const double *x, double *y, size_t n);
    /* x *= a */
    void (*scale)(double a, double *x, size_t n);
    /* sum_i x[i]^2 */
    double (*nrm2sq)(const double *x, size_t n);
    /* sum_k val[k] * w[idx[k]] */
    double (*sdot)(const uint32_t *idx, const float *val, size_t nnz, const double *w);
    /* y[idx[k]] += a * val[k] */
    void (*saxpy)(double a, const uint32_t *idx, const float *val, size_t nnz, double *y);
} spamlr__kernels;

/* The scalar reference; always available. */
extern const spamlr__kernels spamlr__kernels_scalar;

/* The scalar scatter, shared by every table (no ISA speeds it up). */
void spamlr__saxpy_scalar(double a, const uint32_t *idx, const float *val, size_t nnz,
                          double *y);

/* The SIMD tables. Each is defined only in its own file
 * (kernels_sse2.c, kernels_avx2.c), built with its own flags, and is used
 * only when kernels.c is told it exists (SPAMLR_HAVE_SSE2/AVX2 there). */
extern const spamlr__kernels spamlr__kernels_sse2;
extern const spamlr__kernels spamlr__kernels_avx2;

/* The table chosen for this CPU (once; honours SPAMLR_SIMD). Thread-safe. */
const spamlr__kernels *spamlr__kernels_get(void);

/* The table SPAMLR_SIMD=name would select: the named one when it is built
 * and the CPU supports it, else the best supported one. name may be NULL.
 * Compares ASCII case-insensitively; caches nothing. Thread-safe. */
const spamlr__kernels *spamlr__kernels_choose(const char *name);

/* The i-th table that is built and supported by this CPU, best first;
 * NULL when i is past the end ("scalar" is always the last one). For tests
 * and benchmarks that compare every implementation. Thread-safe. */
const spamlr__kernels *spamlr__kernels_available(size_t i);

#endif
