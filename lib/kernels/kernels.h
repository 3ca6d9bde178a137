/* kernels.h - the vector kernels the trainer and predictor use, behind one
 * table of function pointers so that SIMD versions can replace the scalar
 * reference. Sparse vectors are (idx[], val[], nnz); val == NULL means every
 * value is 1. Dense vectors are double; sparse values are float. */
#ifndef SPAMLR_KERNELS_H
#define SPAMLR_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "common/common.h" /* SPAMLR_HAVE_X86 */

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

/* The scalar scatter: the scalar and SSE2 tables' (AVX2 and AVX-512 make
 * its products in registers, with the same roundings). */
void spamlr__saxpy_scalar(double a, const uint32_t *idx, const float *val, size_t nnz,
                          double *y);

/* y[idx[k]] += t[k] for k < 8, in index order: the read-modify-writes of
 * a SIMD scatter whose eight products t were made in registers. */
static inline void spamlr__scatter8(double *y, const uint32_t *idx, const double t[8])
{
    y[idx[0]] += t[0];
    y[idx[1]] += t[1];
    y[idx[2]] += t[2];
    y[idx[3]] += t[3];
    y[idx[4]] += t[4];
    y[idx[5]] += t[5];
    y[idx[6]] += t[6];
    y[idx[7]] += t[7];
}

/* The SIMD tables. Each is defined only in its own file
 * (kernels_sse2.c, kernels_avx2.c, kernels_avx512.c), built with its own
 * flags, and is used only when kernels.c is told it exists
 * (SPAMLR_HAVE_SSE2/AVX2/AVX512 there). */
extern const spamlr__kernels spamlr__kernels_sse2;
extern const spamlr__kernels spamlr__kernels_avx2;
extern const spamlr__kernels spamlr__kernels_avx512;

/* ------------------------------------------------------------ ISA levels
 * The one place that decides which instruction set runs, for every family
 * of per-ISA code (these kernels; the tokenizer's byte scanners in
 * lib/text/scan.c). A level is built when this is an x86 build, supported
 * when the CPU has it:
 *   sse2    SSE2
 *   avx2    AVX2 + FMA
 *   avx512  AVX-512F + BW + VL (and AVX2 + FMA)
 * SPAMLR_SIMD=name (read once) caps the level; a family then runs its best
 * table at or below that level. */
enum {
    SPAMLR__ISA_SCALAR,
    SPAMLR__ISA_SSE2,
    SPAMLR__ISA_AVX2,
    SPAMLR__ISA_AVX512,
    SPAMLR__ISA_COUNT
};

/* Non-zero when level isa is built and this CPU runs it. Thread-safe. */
int spamlr__isa_supported(int isa);

/* The level SPAMLR_SIMD=name selects: the named one when it is built and
 * supported, else the best supported one. name may be NULL. Compares ASCII
 * case-insensitively. Thread-safe. */
int spamlr__isa_choose(const char *name);

/* spamlr__isa_choose(getenv("SPAMLR_SIMD")), computed once. Thread-safe. */
int spamlr__isa_get(void);

/* For a family of tables indexed by level (tables[isa], NULL where the
 * family has no code for that level; tables[SPAMLR__ISA_SCALAR] is never
 * NULL): the best one at or below level isa that the CPU supports. */
const void *spamlr__isa_pick(const void *const tables[SPAMLR__ISA_COUNT], int isa);

/* The i-th table of such a family that the CPU supports, best first; NULL
 * past the end (the scalar one is last). */
const void *spamlr__isa_available(const void *const tables[SPAMLR__ISA_COUNT], size_t i);

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
