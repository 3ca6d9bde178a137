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
#include <cpuid.h>

/* The extended-state bits XCR0 has set: which vector registers the OS
 * saves (xgetbv, allowed once cpuid says OSXSAVE). */
static uint64_t xcr0(void)
{
    uint32_t lo, hi;

    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (uint64_t)hi << 32 | lo;
}

/* The CPU's levels from cpuid leaves 1 and 7 and XCR0, read once: libgcc's
 * __builtin_cpu_supports reads a dozen leaves in a constructor of every
 * process, and each cpuid is a trap to the hypervisor in a VM (1.7 % of
 * the perf samples of a 2.2 ms `spamlr predict` of one mail). AVX2 counts with
 * FMA and the OS saving the ymm state; AVX-512 with F, BW and VL and the
 * zmm and mask state. */
static unsigned cpu_levels(void)
{
    unsigned a, b, c, d, ecx1, levels = 1u << SPAMLR__ISA_SCALAR;
    uint64_t x = 0;

    if (!__get_cpuid(1, &a, &b, &ecx1, &d))
        return levels;
    if (d & bit_SSE2)
        levels |= 1u << SPAMLR__ISA_SSE2;
    if (!(ecx1 & bit_OSXSAVE) || !__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return levels;
    x = xcr0();
    if ((ecx1 & bit_AVX) && (ecx1 & bit_FMA) && (b & bit_AVX2) && (x & 0x6) == 0x6) {
        levels |= 1u << SPAMLR__ISA_AVX2;
        if ((b & bit_AVX512F) && (b & bit_AVX512BW) && (b & bit_AVX512VL) &&
            (x & 0xe6) == 0xe6)
            levels |= 1u << SPAMLR__ISA_AVX512;
    }
    return levels;
}

static int cpu_has(int isa)
{
    static unsigned levels;

    if (!levels) /* (under supported_once) */
        levels = cpu_levels();
    return (levels >> isa) & 1;
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
