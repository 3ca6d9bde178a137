/* kbench.c - every vector kernel of every implementation this CPU runs,
 * timed in one binary: nanoseconds per element and the ratio to the
 * scalar reference.
 *
 * Dense kernels run on 2048 doubles, 64-byte aligned (the solver's tile,
 * in L1 cache, aligned as the solver allocates its vectors);
 * sparse ones on rows of 150 random ascending distinct indices into a
 * 61,620-entry
 * weight vector (the shape of the SpamAssassin training matrix), with
 * float values and with val == NULL (binary rows). Each figure is the
 * median of 41 timings of a loop of ~0.5 ms, the implementations taking
 * turns. Times are this process's CPU time (other processes on a shared
 * machine do not count). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

#include "kernels/kernels.h"

#define DN 2048
#define SDIM 61620
#define SNNZ 150
#define SROWS 512
#define REPS 41

static double *da, *db, *dy, *sw, *sy;
static uint32_t *sidx;
static float *sval;
static volatile double sink;

static uint64_t rs = 88172645463325252ULL;

static uint64_t rng(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return rs;
}

static double urand(void)
{
    return (double)(rng() >> 11) / 9007199254740992.0 - 0.5;
}

/* One timing of kernel `which` over `iters` calls; returns seconds. */
static double run(const spamlr__kernels *k, int which, int use_val, long iters)
{
    double t0 = bench_seconds(CLOCK_PROCESS_CPUTIME_ID), s = 0;
    long it;

    for (it = 0; it < iters; it++) {
        size_t r = (size_t)it % SROWS;
        const uint32_t *ix = sidx + r * SNNZ;
        const float *v = use_val ? sval + r * SNNZ : NULL;

        switch (which) {
        case 0: s += k->dot(da, db, DN); break;
        case 1: k->axpy(1e-9, da, dy, DN); break;
        case 2: k->scale(1.0000001, dy, DN); break;
        case 3: s += k->nrm2sq(da, DN); break;
        case 4: s += k->sdot(ix, v, SNNZ, sw); break;
        case 5: k->saxpy(1e-9, ix, v, SNNZ, sy); break;
        }
    }
    sink = s;
    return bench_seconds(CLOCK_PROCESS_CPUTIME_ID) - t0;
}

/* Median nanoseconds per element of every implementation (out[i] for
 * the i-th available one), timed in turns (one run of each, REPS times),
 * so that noise from other processes falls on all of them alike. */
static void measure(int which, int use_val, double *out)
{
    static double t[8][REPS];
    const spamlr__kernels *k;
    double n = which < 4 ? DN : SNNZ;
    long iters = 256;
    size_t i;
    int r;

    /* warm up, then find a loop length of >= 0.5 ms (at least 256 calls,
     * so one late clock reading cannot stand for a whole loop) */
    run(&spamlr__kernels_scalar, which, use_val, iters);
    while (run(&spamlr__kernels_scalar, which, use_val, iters) < 5e-4 && iters < (1L << 30))
        iters *= 2;
    for (r = 0; r < REPS; r++)
        for (i = 0; (k = spamlr__kernels_available(i)) != NULL && i < 8; i++)
            t[i][r] = run(k, which, use_val, iters);
    for (i = 0; (k = spamlr__kernels_available(i)) != NULL && i < 8; i++) {
        qsort(t[i], REPS, sizeof t[i][0], bench_cmp_double);
        out[i] = t[i][REPS / 2] * 1e9 / ((double)iters * n);
    }
}

int main(void)
{
    static const char *names[] = { "dot", "axpy", "scale", "nrm2sq", "sdot", "saxpy" };
    const spamlr__kernels *k;
    size_t i, j;
    int which, v;

    /* 64-byte aligned, as the solver allocates its vectors */
    da = aligned_alloc(64, DN * sizeof *da);
    db = aligned_alloc(64, DN * sizeof *db);
    dy = aligned_alloc(64, DN * sizeof *dy);
    sw = aligned_alloc(64, (SDIM + 7) / 8 * 8 * sizeof *sw);
    sy = aligned_alloc(64, (SDIM + 7) / 8 * 8 * sizeof *sy);
    sidx = malloc(SROWS * SNNZ * sizeof *sidx);
    sval = malloc(SROWS * SNNZ * sizeof *sval);
    if (!da || !db || !dy || !sw || !sy || !sidx || !sval)
        return 1;
    for (i = 0; i < DN; i++) {
        da[i] = urand();
        db[i] = urand();
        dy[i] = urand();
    }
    for (i = 0; i < SDIM; i++) {
        sw[i] = urand();
        sy[i] = 0;
    }
    for (i = 0; i < SROWS; i++) {
        uint32_t at = 0;

        for (j = 0; j < SNNZ; j++) {
            /* distinct, ascending, never past the end */
            at += 1 + (uint32_t)(rng() % (SDIM / SNNZ - 1));
            sidx[i * SNNZ + j] = at;
            sval[i * SNNZ + j] = (float)(urand() + 1);
        }
    }
    printf("%-14s", "kernel");
    for (i = 0; (k = spamlr__kernels_available(i)) != NULL; i++)
        printf(" %9s", k->name);
    printf("   (ns/element; ratio = scalar / best)\n");
    for (which = 0; which < 6; which++) {
        for (v = 0; v < (which >= 4 ? 2 : 1); v++) {
            double t[8], scalar = 0;
            char label[32];

            measure(which, v, t);
            snprintf(label, sizeof label, "%s%s", names[which],
                     which >= 4 ? (v ? " (val)" : " (binary)") : "");
            printf("%-14s", label);
            for (i = 0; (k = spamlr__kernels_available(i)) != NULL && i < 8; i++) {
                printf(" %9.3f", t[i]);
                scalar = t[i];
            }
            printf("   %s/scalar %.2fx\n", spamlr__kernels_available(0)->name, scalar / t[0]);
        }
    }
    return 0;
}
