/* hash.h - the hash of the vocabulary tables (and of anything else that
 * needs a fast, seeded one) and the short-string moves of the token
 * pipeline, inline: the tokens of every message are hashed, copied and
 * compared, a few million for a training run, and a call per token
 * showed in profiles. */
#ifndef SPAMLR_COMMON_HASH_H
#define SPAMLR_COMMON_HASH_H

#include <string.h>

#include "common/common.h"

/* Loads of 8 and 4 bytes at any alignment. */
static inline uint64_t spamlr__rd64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint64_t spamlr__rd32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* x * y as 128 bits: *lo and *hi. */
static inline void spamlr__mul128(uint64_t x, uint64_t y, uint64_t *lo, uint64_t *hi)
{
#if defined(__SIZEOF_INT128__)
    __uint128_t r = (__uint128_t)x * y;

    *lo = (uint64_t)r;
    *hi = (uint64_t)(r >> 64);
#else
    uint64_t xl = (uint32_t)x, xh = x >> 32, yl = (uint32_t)y, yh = y >> 32;
    uint64_t ll = xl * yl, lh = xl * yh, hl = xh * yl, hh = xh * yh;
    uint64_t mid = (ll >> 32) + (uint32_t)lh + (uint32_t)hl;

    *lo = (mid << 32) | (uint32_t)ll;
    *hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
#endif
}

/* The two halves of x * y xor-ed: each bit depends on most bits of both. */
static inline uint64_t spamlr__fold_mul(uint64_t x, uint64_t y)
{
    uint64_t lo, hi;

    spamlr__mul128(x, y, &lo, &hi);
    return lo ^ hi;
}

/* The first min(len, 8) bytes of s, zero-padded, as memcpy would put
 * them in a uint64_t; reads s[0..len) only. */
static inline uint64_t spamlr__prefix8(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (len >= 8)
        return spamlr__rd64(p);
    if (len >= 4) /* two loads that overlap on the same bytes */
        return spamlr__rd32(p) | spamlr__rd32(p + len - 4) << (8 * (len - 4));
    if (len)
        return p[0] | (uint64_t)p[len >> 1] << (8 * (len >> 1)) |
               (uint64_t)p[len - 1] << (8 * (len - 1));
    return 0;
#else
    uint64_t k = 0;

    memcpy(&k, p, len < 8 ? len : 8);
    return k;
#endif
}

/* The last round of spamlr__hash_seeded: state h, the last two words a
 * and b, the length. */
static inline uint32_t spamlr__hash_mix(uint64_t h, uint64_t a, uint64_t b, size_t len)
{
    /* two rounds: the words with the state and the length, then the
     * halves of their product with each other */
    a ^= h ^ 0x8ebc6af09c88c6e3ULL;
    /* the seed in both words: a product with a word an attacker could
     * make 0 would hash every key alike */
    b ^= (h >> 32 | h << 32) ^ (uint64_t)len * 0xc2b2ae3d27d4eb4fULL;
    spamlr__mul128(a, b, &a, &b);
    h = spamlr__fold_mul(a ^ 0x1d8e4e27c47d124fULL, b ^ 0xa0761d6478bd642fULL);
    return (uint32_t)(h ^ (h >> 32));
}

/* The hash of a string of len <= 8 bytes whose spamlr__prefix8 is key. */
static inline uint32_t spamlr__hash_key8(uint64_t seed, uint64_t key, size_t len)
{
    return spamlr__hash_mix(seed ^ 0x9e3779b97f4a7c15ULL, key, 0, len);
}

/* A multiply-fold hash over 8-byte words (our own): each 16 bytes are
 * mixed by one 64x64->128-bit product, whose halves are xor-ed; the last
 * 16 by a product whose two halves are then multiplied with each other:
 * enough for open addressing with power-of-two tables.
 *
 * Every byte is read exactly as the length decides, with overlapping
 * fixed-size loads instead of a byte loop for the tail: up to 8 bytes as
 * spamlr__prefix8 reads them (the vocabulary's slot key, which a caller
 * that has it passes to spamlr__hash_key8 instead: three tokens in four
 * are that short); 9..16 by two 8-byte loads; longer by 16-byte steps and
 * the last 16 bytes. No hash is stored: the values may change from
 * version to version. */
static inline uint32_t spamlr__hash_seeded(uint64_t seed, const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t a, b, h = seed ^ 0x9e3779b97f4a7c15ULL;

    if (len <= 8)
        return spamlr__hash_key8(seed, spamlr__prefix8(data, len), len);
    if (len > 16) {
        const unsigned char *last = p + len - 16;
        for (; p < last; p += 16)
            h = spamlr__fold_mul(spamlr__rd64(p) ^ h ^ 0xa0761d6478bd642fULL,
                         spamlr__rd64(p + 8) ^ (h >> 32 | h << 32) ^ 0xe7037ed1a0b428dbULL);
        a = spamlr__rd64(last);
        b = spamlr__rd64(last + 8);
    } else {
        a = spamlr__rd64(p);
        b = spamlr__rd64(p + len - 8);
    }
    return spamlr__hash_mix(h, a, b, len);
}

/* Whether the n-byte strings a and b, which agree on their first 8 bytes,
 * are equal: for n <= 16 one 8-byte compare of their last 8 bytes, for
 * n <= 32 three (the longest tokens are header fields with their prefix,
 * "received:from:example.com"). */
static inline int spamlr__same_after8(const char *a, const char *b, size_t n)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

    if (n <= 8)
        return 1;
    if (n <= 16)
        return spamlr__rd64(x + n - 8) == spamlr__rd64(y + n - 8);
    if (n <= 32)
        return ((spamlr__rd64(x + 8) ^ spamlr__rd64(y + 8)) |
                (spamlr__rd64(x + n - 16) ^ spamlr__rd64(y + n - 16)) |
                (spamlr__rd64(x + n - 8) ^ spamlr__rd64(y + n - 8))) == 0;
    return memcmp(a + 8, b + 8, n - 8) == 0;
}

/* dst[0..n) = src[0..n) for w <= n <= 2w (w 4 or 8, a constant where it
 * is inlined), by the first and the last w bytes, which overlap in the
 * middle. */
static inline void spamlr__move_ends(char *dst, const char *src, size_t n, size_t w)
{
    uint64_t a, b;

    memcpy(&a, src, w);
    memcpy(&b, src + n - w, w);
    memcpy(dst, &a, w);
    memcpy(dst + n - w, &b, w);
}

/* memcpy(dst, src, n) for strings that do not overlap, by fixed-size
 * moves when n <= 32 (nearly every token). */
static inline void spamlr__copy_short(char *dst, const char *src, size_t n)
{
    if (n > 32) {
        memcpy(dst, src, n);
    } else if (n > 16) { /* the first 16 and the last 16 */
        spamlr__move_ends(dst, src, 16, 8);
        spamlr__move_ends(dst + n - 16, src + n - 16, 16, 8);
    } else if (n >= 8) {
        spamlr__move_ends(dst, src, n, 8);
    } else if (n >= 4) {
        spamlr__move_ends(dst, src, n, 4);
    } else if (n) {
        char a = src[0], b = src[n >> 1], c = src[n - 1];

        dst[0] = a;
        dst[n >> 1] = b;
        dst[n - 1] = c;
    }
}

#endif
