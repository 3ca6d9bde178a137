/* kernels.c - picks the vector-kernel table once, from the CPU's features
 * and the SPAMLR_SIMD environment variable.
 *
 * Adding an ISA: write kernels_<isa>.c defining spamlr__kernels_<isa>
 * (the Makefile compiles *_sse2.c / *_avx2.c with their own flags), then
 * define SPAMLR_HAVE_<ISA> below. The candidates list is ordered best
 * first; the first one the CPU supports wins unless SPAMLR_SIMD names
 * another supported one. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdlib.h>

#include "common/common.h"
#include "kernels/kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#  define SPAMLR_HAVE_AVX2 1
#  define SPAMLR_HAVE_SSE2 1
#else
#  undef SPAMLR_HAVE_AVX2
#  undef SPAMLR_HAVE_SSE2
#endif

typedef struct candidate {
    const spamlr__kernels *table;
    int (*supported)(void);
} candidate;

#if defined(SPAMLR_HAVE_AVX2)
static int cpu_avx2(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#endif

#if defined(SPAMLR_HAVE_SSE2)
static int cpu_sse2(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse2");
}
#endif

static int cpu_any(void)
{
    return 1;
}

static const candidate candidates[] = {
#if defined(SPAMLR_HAVE_AVX2)
    { &spamlr__kernels_avx2, cpu_avx2 },
#endif
#if defined(SPAMLR_HAVE_SSE2)
    { &spamlr__kernels_sse2, cpu_sse2 },
#endif
    { &spamlr__kernels_scalar, cpu_any },
};

#define NCANDIDATES (sizeof candidates / sizeof candidates[0])

static int same_name(const char *a, const char *b)
{
    for (;; a++, b++) {
        int ca = (unsigned char)*a, cb = (unsigned char)*b;

        if (ca >= 'A' && ca <= 'Z')
            ca += 'a' - 'A';
        if (cb >= 'A' && cb <= 'Z')
            cb += 'a' - 'A';
        if (ca != cb)
            return 0;
        if (ca == 0)
            return 1;
    }
}

const spamlr__kernels *spamlr__kernels_available(size_t i)
{
    size_t k;

    for (k = 0; k < NCANDIDATES; k++) {
        if (!candidates[k].supported())
            continue;
        if (i-- == 0)
            return candidates[k].table;
    }
    return NULL;
}

const spamlr__kernels *spamlr__kernels_choose(const char *name)
{
    const spamlr__kernels *t;
    size_t i;

    if (name && *name) {
        for (i = 0; (t = spamlr__kernels_available(i)) != NULL; i++)
            if (same_name(name, t->name))
                return t;
    }
    return spamlr__kernels_available(0);
}

static const spamlr__kernels *chosen;
static pthread_once_t chosen_once = PTHREAD_ONCE_INIT;

static void choose_once(void)
{
    chosen = spamlr__kernels_choose(getenv("SPAMLR_SIMD"));
}

const spamlr__kernels *spamlr__kernels_get(void)
{
    if (pthread_once(&chosen_once, choose_once) != 0 || !chosen)
        return &spamlr__kernels_scalar;
    return chosen;
}

const char *spamlr_simd_name(void)
{
    return spamlr__kernels_get()->name;
}
