/* util.c - small shared helpers: growth, hashing, checksums, clocks. */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <libdeflate.h>

#include "common/common.h"
#include "common/hash.h"

unsigned spamlr_version_number(void) { return SPAMLR_VERSION_NUMBER; }
const char *spamlr_version_string(void) { return SPAMLR_VERSION_STRING; }

size_t spamlr__big_size(size_t n)
{
    size_t r;

    if (n < SPAMLR_BIG_BYTES || n > SIZE_MAX - SPAMLR_HUGE_PAGE)
        return n;
    r = (n + SPAMLR_HUGE_PAGE - 1) & ~(SPAMLR_HUGE_PAGE - 1);
    /* a whole last huge page costs memory when little of it is used: then
     * the size stays, and the tail is in small pages */
    return r - n <= n / 4 ? r : n;
}

/* Advises the whole huge pages inside p[0..n) to be backed by transparent
 * huge pages. */
static void advise_huge(void *p, size_t n)
{
#if defined(MADV_HUGEPAGE)
    uintptr_t a = ((uintptr_t)p + SPAMLR_HUGE_PAGE - 1) & ~(uintptr_t)(SPAMLR_HUGE_PAGE - 1);
    uintptr_t e = ((uintptr_t)p + n) & ~(uintptr_t)(SPAMLR_HUGE_PAGE - 1);

    if (n >= SPAMLR_HUGE_PAGE && e > a)
        (void)madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
    (void)p;
    (void)n;
#endif
}

/* r bytes, 2 MiB-aligned, their whole huge pages advised. */
static void *huge_aligned(size_t r)
{
    void *p;

    if (posix_memalign(&p, SPAMLR_HUGE_PAGE, r))
        return NULL;
    advise_huge(p, r);
    return p;
}

void *spamlr__alloc_big(size_t n)
{
    size_t r = spamlr__big_size(n);

    return r < SPAMLR_BIG_BYTES ? malloc(n) : huge_aligned(r);
}

void *spamlr__alloc_whole(size_t n)
{
    if (n < SPAMLR_BIG_BYTES || n > SIZE_MAX - SPAMLR_HUGE_PAGE)
        return spamlr__alloc_big(n);
    return huge_aligned((n + SPAMLR_HUGE_PAGE - 1) & ~(SPAMLR_HUGE_PAGE - 1));
}

void *spamlr__realloc_big(void *p, size_t old, size_t n)
{
    void *q;

    if (n < SPAMLR_BIG_BYTES)
        return realloc(p, n);
    if (p && old >= SPAMLR_BIG_BYTES) {
        /* A big block grows by realloc: in place, or (glibc, a block of
         * its own mapping) moved by its pages, not copied; either way the
         * old and the new are never both resident, as they were for a
         * moment with a copy (peak RSS of training on SpamAssassin 25.5
         * -> 24.5 MB on 2 threads, 24.5 -> 22.5 on one). The block may
         * then start off a huge page: its whole huge pages are advised. */
        if ((q = realloc(p, n)))
            advise_huge(q, n);
        return q;
    }
    if (!(q = spamlr__alloc_big(n)))
        return NULL;
    if (p)
        memcpy(q, p, old < n ? old : n);
    free(p);
    return q;
}

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
    bytes = spamlr__big_size(bytes);
    np = spamlr__realloc_big(*p, *cap * elem, bytes);
    if (!np)
        return SPAMLR_ENOMEM;
    *p = np;
    *cap = bytes / elem;
    return SPAMLR_OK;
}

uint32_t spamlr__hash(const void *data, size_t len)
{
    return spamlr__hash_seeded(0, data, len);
}

uint32_t spamlr__crc32(uint32_t crc, const void *data, size_t len)
{
    return libdeflate_crc32(crc, data, len);
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

void spamlr_free(void *p)
{
    free(p);
}

/* splitmix64's output function: a bijection that spreads every bit */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t process_secret;
static pthread_once_t secret_once = PTHREAD_ONCE_INIT;

/* 8 bytes from /dev/urandom; without it, what differs between runs and
 * processes (the clock, the process id, where the stack lies). */
static void make_secret(void)
{
    uint64_t s = 0;
    struct timespec ts;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

    if (fd < 0 || read(fd, &s, sizeof s) != (ssize_t)sizeof s) {
        clock_gettime(CLOCK_REALTIME, &ts);
        s = (uint64_t)ts.tv_sec * 1000000007ULL ^ (uint64_t)ts.tv_nsec ^
            (uint64_t)getpid() << 32 ^ (uint64_t)(uintptr_t)&ts;
    }
    if (fd >= 0)
        close(fd);
    process_secret = mix64(s);
}

uint64_t spamlr__hash_seed(void)
{
    static uint64_t counter;
    uint64_t n = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);

    pthread_once(&secret_once, make_secret);
    return mix64(process_secret + n * 0x9e3779b97f4a7c15ULL);
}

/* spamlr__sort_keys (common.h): insertion for short rows, else a
 * least-significant-digit radix sort on the id's bits, in as few passes
 * of at most 9 bits as its highest id needs (two for the 90,000 words of
 * the SpamAssassin split, where bytes took three: a row averages 540 ids
 * there, and a pass over them cost about as much as a 256-bucket prefix
 * sum). */
#define SORT_DIGIT 9

uint64_t *spamlr__sort_keys(uint64_t *a, uint64_t *b, size_t n)
{
    uint32_t cnt[1u << SORT_DIGIT];
    size_t i, j;
    uint64_t any = 0, *t;
    unsigned bits, passes, shift = 32;

    if (n <= 32) {
        for (i = 1; i < n; i++) {
            uint64_t k = a[i];
            for (j = i; j > 0 && a[j - 1] > k; j--)
                a[j] = a[j - 1];
            a[j] = k;
        }
        return a;
    }
    for (i = 0; i < n; i++)
        any |= a[i];
    any >>= 32;
    for (bits = 0; any; bits++)
        any >>= 1;
    for (passes = (bits + SORT_DIGIT - 1) / SORT_DIGIT; passes; passes--) {
        unsigned w = (bits + passes - 1) / passes; /* the bits left, split evenly */
        uint32_t m = (1u << w) - 1, sum = 0;

        memset(cnt, 0, (m + 1) * sizeof *cnt);
        for (i = 0; i < n; i++)
            cnt[(a[i] >> shift) & m]++;
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 8
#endif
        for (i = 0; i <= m; i++) {
            uint32_t c = cnt[i];
            cnt[i] = sum;
            sum += c;
        }
        for (i = 0; i < n; i++)
            b[cnt[(a[i] >> shift) & m]++] = a[i];
        t = a;
        a = b;
        b = t;
        shift += w;
        bits -= w;
    }
    return a;
}
