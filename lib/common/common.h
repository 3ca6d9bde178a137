/* common.h - private helpers shared by every module of libspamlr. */
#ifndef SPAMLR_COMMON_H
#define SPAMLR_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

#include "spamlr.h"

/* x86 (32 or 64 bits): the SIMD versions of the kernels and of the
 * tokenizer's byte classifier exist only there. */
#if defined(__x86_64__) || defined(__i386__)
#  define SPAMLR_HAVE_X86 1
#endif

#if defined(__GNUC__)
#  define SPAMLR__PRINTF(a, b) __attribute__((format(printf, a, b)))
#  define SPAMLR__LIKELY(x) __builtin_expect(!!(x), 1)
#  define SPAMLR__UNLIKELY(x) __builtin_expect(!!(x), 0)
#  define SPAMLR__INLINE inline __attribute__((always_inline))
#else
#  define SPAMLR__PRINTF(a, b)
#  define SPAMLR__LIKELY(x) (x)
#  define SPAMLR__UNLIKELY(x) (x)
#  define SPAMLR__INLINE inline
#endif

/* Fills d (when not NULL) and returns code, so error paths read
 *   return spamlr__diag(d, SPAMLR_EPARSE, path, line, -1, "no tab");
 * path may be NULL; line 0 and offset -1 mean "none". */
int spamlr__diag(spamlr_diag *d, int code, const char *path, long line,
                 long long offset, const char *fmt, ...) SPAMLR__PRINTF(6, 7);

/* Clears d (when not NULL), keeping its size. */
void spamlr__diag_clear(spamlr_diag *d);

/* The output structs the caller allocates start with `size_t size`
 * (spamlr.h). The smallest size the library accepts is that of the
 * struct's first sized layout (0.3): up to the end of its last field then.
 * Fields added later are written only when the caller's size holds them. */
#define SPAMLR__END(T, f) (offsetof(T, f) + sizeof(((T *)0)->f))
#define SPAMLR__DIAG_SIZE1 SPAMLR__END(spamlr_diag, message)
#define SPAMLR__INFO_SIZE1 SPAMLR__END(spamlr_model_info, l2)
#define SPAMLR__REPORT_SIZE1 SPAMLR__END(spamlr_train_report, seconds)
#define SPAMLR__EXPLANATION_SIZE1 SPAMLR__END(spamlr_explanation, n)
#define SPAMLR__METRICS_SIZE1 SPAMLR__END(spamlr_metrics, threshold)

/* 1 when d is not NULL and its size is below the first layout: public
 * functions taking a diag return SPAMLR_EINVAL for it, writing nothing. */
static inline int spamlr__diag_bad(const spamlr_diag *d)
{
    return d && d->size < SPAMLR__DIAG_SIZE1;
}

/* Copies the library's filled struct src (n bytes, its first member the
 * size) into the caller's dst, as many bytes as dst->size holds, keeping
 * dst->size. Copies a whole diag, spamlr_train_report, ... between a
 * private full-size one and the caller's. */
void spamlr__out_copy(void *dst, const void *src, size_t n);

/* The number of trailing zeros of m != 0. */
static inline unsigned spamlr__ctz64(uint64_t m)
{
    return (unsigned)__builtin_ctzll(m);
}

/* A 64-bit mixer (splitmix64's finaliser). */
static inline uint64_t spamlr__mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* Overflow-checked size arithmetic: 0 on success, -1 on overflow. */
static inline int spamlr__mul_size(size_t a, size_t b, size_t *out)
{
    if (b != 0 && a > SIZE_MAX / b)
        return -1;
    *out = a * b;
    return 0;
}

/* Length of the UTF-8 byte order mark (EF BB BF) at the start of s[0..n):
 * 3 or 0. Every reader of text files (lines, CSV, index, libsvm, a model
 * dump) skips it, as editors on some systems write it. */
static inline size_t spamlr__bom_len(const char *s, size_t n)
{
    return n >= 3 && (unsigned char)s[0] == 0xef && (unsigned char)s[1] == 0xbb &&
                   (unsigned char)s[2] == 0xbf
               ? 3
               : 0;
}

/* Grows *p (elements of `elem` bytes, capacity *cap) to hold at least
 * `need` elements; doubles the capacity. Returns 0 or SPAMLR_ENOMEM; *p is
 * unchanged on failure. */
int spamlr__grow(void **p, size_t *cap, size_t need, size_t elem);

/* 32-bit hash of a byte string (not cryptographic; for hash tables):
 * spamlr__hash_seeded (common/hash.h, inline) with seed 0. */
uint32_t spamlr__hash(const void *data, size_t len);

/* A new random seed for one hash table: a process-wide secret read once
 * from /dev/urandom, mixed with a count of the seeds given, so tables
 * differ from each other, from run to run and from machine to machine.
 * Thread-safe. */
uint64_t spamlr__hash_seed(void);

/* CRC-32 (zlib's polynomial) of data, continuing from crc (start at 0). */
uint32_t spamlr__crc32(uint32_t crc, const void *data, size_t len);

/* Number of online CPUs, at least 1. */
unsigned spamlr__ncpu(void);

/* Large arrays. A first write to a fresh 4 KiB page costs a page fault
 * (measured at about 11 us each in the VM we develop on: 46 ms for 16 MiB),
 * so arrays of SPAMLR_BIG_BYTES (512 KiB) or more are allocated 2 MiB-
 * aligned and their whole 2 MiB pages advised to be backed by transparent
 * huge pages (one fault per 2 MiB: 1 ms for 16 MiB). The size is rounded
 * up to whole huge pages when that adds at most a quarter; otherwise the
 * tail stays in small pages, as a mostly empty last huge page would be
 * resident all the same (SpamAssassin's training: peak RSS 31 -> 28 MB,
 * time within noise). Where huge pages are off this changes nothing but
 * the alignment.
 * alloc_big: malloc for big arrays (free() releases it); big_size: the
 *   size alloc_big really provides for n bytes;
 * realloc_big: like realloc, copying the first min(old, n) bytes. */
#define SPAMLR_BIG_BYTES ((size_t)1 << 19)
#define SPAMLR_HUGE_PAGE ((size_t)1 << 21)
void *spamlr__alloc_big(size_t n);
size_t spamlr__big_size(size_t n);
void *spamlr__realloc_big(void *p, size_t old, size_t n);

/* alloc_big for an array whose size is final (a loaded model's words):
 * from SPAMLR_BIG_BYTES on, rounded up to whole huge pages whatever that
 * adds, so that it costs a fault per 2 MiB instead of 512 (loading the
 * SpamAssassin model, its 1 MiB slot table and 0.8 MiB of id arrays:
 * 4.35 -> 3.73 ms, for 2.2 MB more resident). Not for arrays that grow
 * while training: there the rounding would raise the peak (by 4.8 MB on
 * SpamAssassin). */
void *spamlr__alloc_whole(size_t n);

/* Monotonic wall-clock seconds. */
double spamlr__now(void);

/* Sorts the n keys at a, each an id in the high half (distinct: no two
 * keys share one) and what goes with it in the low half, with b (room
 * for n) as scratch; returns where the sorted keys are, a or b. A row's
 * entries: the dataset's rows (dataset.c), a row mapped to a model's ids
 * (spamlr__rowbuf_sort). */
uint64_t *spamlr__sort_keys(uint64_t *a, uint64_t *b, size_t n);

#endif
