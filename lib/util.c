/* util.c - small shared helpers: growth, hashing, checksums, clocks. */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "common.h"

unsigned spamlr_version_number(void) { return SPAMLR_VERSION_NUMBER; }
const char *spamlr_version_string(void) { return SPAMLR_VERSION_STRING; }

int spamlr__grow(void **p, size_t *cap, size_t need, size_t elem)
{
    size_t ncap, bytes;
    void *np;

    if (need <= *cap)
        return SPAMLR_OK;
    ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return SPAMLR_ENOMEM;
        ncap *= 2;
    }
    if (spamlr__mul_size(ncap, elem, &bytes))
        return SPAMLR_ENOMEM;
    np = realloc(*p, bytes);
    if (!np)
        return SPAMLR_ENOMEM;
    *p = np;
    *cap = ncap;
    return SPAMLR_OK;
}

/* A multiply-rotate hash over 8-byte words (our own; quality is enough for
 * open addressing with power-of-two tables after the final mix). */
uint32_t spamlr__hash(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ (len * 0xff51afd7ed558ccdULL);
    uint64_t k;

    while (len >= 8) {
        memcpy(&k, p, 8);
        h ^= k * 0xc2b2ae3d27d4eb4fULL;
        h = (h << 31 | h >> 33) * 0x9e3779b97f4a7c15ULL;
        p += 8;
        len -= 8;
    }
    if (len) {
        k = 0;
        memcpy(&k, p, len);
        h ^= k * 0xc2b2ae3d27d4eb4fULL;
        h = (h << 31 | h >> 33) * 0x9e3779b97f4a7c15ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 29;
    return (uint32_t)(h ^ (h >> 32));
}

uint32_t spamlr__crc32(uint32_t crc, const void *data, size_t len)
{
    const unsigned char *p = data;

    while (len > 0) {
        uInt chunk = len > 0x40000000u ? 0x40000000u : (uInt)len;
        crc = (uint32_t)crc32(crc, p, chunk);
        p += chunk;
        len -= chunk;
    }
    return crc;
}

unsigned spamlr__ncpu(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1u : (unsigned)n;
}

double spamlr__now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void spamlr__advise_huge(void *p, size_t n)
{
#if defined(MADV_HUGEPAGE)
    const uintptr_t huge = (uintptr_t)1 << 21;
    uintptr_t lo = ((uintptr_t)p + huge - 1) & ~(huge - 1);
    uintptr_t hi = ((uintptr_t)p + n) & ~(huge - 1);

    if (p && n >= 2 * huge && hi > lo)
        (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
    (void)p;
    (void)n;
#endif
}
