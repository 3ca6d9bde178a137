/* kernels.c - picks the instruction set once, from the CPU's features and
 * the SPAMLR_SIMD environment variable, and with it the vector-kernel
 * table. The same choice serves every family of per-ISA code (the
 * tokenizer's scanners in lib/text/scan.c use spamlr__isa_pick too).
 *
 * Adding an ISA level: a SPAMLR__ISA_ value in kernels.h, its name and CPU
 * test below. Adding a table for a level: write kernels_<isa>.c defining
 * spamlr__kernels_<isa> (the Makefile compiles *_sse2.c / *_avx2.c /
 * *_avx512.c with their own flags) and list it in `tables`. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdlib.h>

#include "common/common.h"
#include "kernels/kernels.h"

static const char *const isa_names[SPAMLR__ISA_COUNT] = {
    "scalar", "sse2", "avx2", "avx512"
};

#if defined(SPAMLR_HAVE_X86)
static int cpu_has(int isa)
{
    __builtin_cpu_init();
    switch (isa) {
    case SPAMLR__ISA_SCALAR:
        return 1;
    case SPAMLR__ISA_SSE2:
        return __builtin_cpu_supports("sse2");
    case SPAMLR__ISA_AVX2:
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case SPAMLR__ISA_AVX512:
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
               __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512vl");
    default:
        return 0;
    }
}
#else
static int cpu_has(int isa)
{
    return isa == SPAMLR__ISA_SCALAR;
}
#endif

static unsigned supported_mask;
static pthread_once_t supported_once = PTHREAD_ONCE_INIT;

static void supported_init(void)
{
    unsigned m = 0;
    int isa;

    for (isa = 0; isa < SPAMLR__ISA_COUNT; isa++)
        if (cpu_has(isa))
            m |= 1u << isa;
    supported_mask = m;
}

int spamlr__isa_supported(int isa)
{
    if (isa < 0 || isa >= SPAMLR__ISA_COUNT)
        return 0;
    if (isa == SPAMLR__ISA_SCALAR)
        return 1;
    if (pthread_once(&supported_once, supported_init) != 0)
        return 0;
    return (supported_mask >> isa) & 1;
}

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

int spamlr__isa_choose(const char *name)
{
    int isa;

    if (name && *name) {
        for (isa = SPAMLR__ISA_COUNT - 1; isa >= 0; isa--)
            if (same_name(name, isa_names[isa]) && spamlr__isa_supported(isa))
                return isa;
    }
    for (isa = SPAMLR__ISA_COUNT - 1; isa > 0; isa--)
        if (spamlr__isa_supported(isa))
            return isa;
    return SPAMLR__ISA_SCALAR;
}

static int chosen_isa;
static pthread_once_t chosen_once = PTHREAD_ONCE_INIT;

static void choose_once(void)
{
    chosen_isa = spamlr__isa_choose(getenv("SPAMLR_SIMD"));
}

int spamlr__isa_get(void)
{
    if (pthread_once(&chosen_once, choose_once) != 0)
        return SPAMLR__ISA_SCALAR;
    return chosen_isa;
}

const void *spamlr__isa_pick(const void *const tables[SPAMLR__ISA_COUNT], int isa)
{
    if (isa >= SPAMLR__ISA_COUNT)
        isa = SPAMLR__ISA_COUNT - 1;
    for (; isa > 0; isa--)
        if (tables[isa] && spamlr__isa_supported(isa))
            return tables[isa];
    return tables[SPAMLR__ISA_SCALAR];
}

const void *spamlr__isa_available(const void *const tables[SPAMLR__ISA_COUNT], size_t i)
{
    int isa;

    for (isa = SPAMLR__ISA_COUNT - 1; isa >= 0; isa--) {
        if (!tables[isa] || !spamlr__isa_supported(isa))
            continue;
        if (i-- == 0)
            return tables[isa];
    }
    return NULL;
}

/* ---------------------------------------------------------- the kernels */

static const void *const tables[SPAMLR__ISA_COUNT] = {
    &spamlr__kernels_scalar,
#if defined(SPAMLR_HAVE_X86)
    &spamlr__kernels_sse2,
    &spamlr__kernels_avx2,
    &spamlr__kernels_avx512,
#else
    NULL, NULL, NULL,
#endif
};

const spamlr__kernels *spamlr__kernels_available(size_t i)
{
    return spamlr__isa_available(tables, i);
}

const spamlr__kernels *spamlr__kernels_choose(const char *name)
{
    return spamlr__isa_pick(tables, spamlr__isa_choose(name));
}

const spamlr__kernels *spamlr__kernels_get(void)
{
    return spamlr__isa_pick(tables, spamlr__isa_get());
}

const char *spamlr_simd_name(void)
{
    return spamlr__kernels_get()->name;
}
