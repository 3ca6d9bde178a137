/* scan_avx2.c - the byte classifier 32 bytes a register (scan.h).
 * Built with -mavx2 -mfma. Unsigned ranges are signed compares after a
 * shift by 0x80 (see scan_sse2.c). A block shorter than 64 bytes is
 * classified from a zero-padded copy, so nothing past n is read. */
#include "text/scan.h"

#if defined(SPAMLR_HAVE_X86)
#include <immintrin.h>

/* The bytes of v equal to c, as a vector mask and as bits. */
static inline __m256i eq(__m256i v, char c)
{
    return _mm256_cmpeq_epi8(v, _mm256_set1_epi8(c));
}

static inline uint64_t bits(__m256i m)
{
    return (uint64_t)(uint32_t)_mm256_movemask_epi8(m);
}

static void avx2_classify(const unsigned char *p, size_t n, spamlr__scan_block *b)
{
    unsigned char pad[SPAMLR__SCAN_BLOCK];
    const __m256i x20 = _mm256_set1_epi8(0x20), ka = _mm256_set1_epi8((char)(0x80 - 'a'));
    const __m256i k0 = _mm256_set1_epi8((char)(0x80 - '0')), dol = _mm256_set1_epi8('$');
    const __m256i l26 = _mm256_set1_epi8(-128 + 26), l10 = _mm256_set1_epi8(-128 + 10);
    uint64_t alnum = 0, letter = 0, sep = 0;
    uint64_t at = 0, localp = 0, colon = 0, slash = 0, dot = 0, w = 0;
    int j;

    p = spamlr__scan_padded(p, n, pad);
    for (j = 0; j < 2; j++) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(p + 32 * j));
        __m256i lo = _mm256_or_si256(v, x20);
        __m256i let = _mm256_cmpgt_epi8(l26, _mm256_add_epi8(lo, ka));
        __m256i dig = _mm256_cmpgt_epi8(l10, _mm256_add_epi8(v, k0));
        uint64_t a = (uint32_t)_mm256_movemask_epi8(_mm256_or_si256(let, dig));
        uint64_t hi = (uint32_t)_mm256_movemask_epi8(
            _mm256_or_si256(v, _mm256_cmpeq_epi8(v, dol)));

        _mm256_storeu_si256((__m256i *)(b->low + 32 * j), lo);
        alnum |= a << (32 * j);
        letter |= (uint64_t)(uint32_t)_mm256_movemask_epi8(let) << (32 * j);
        sep |= (~(a | hi) & 0xFFFFFFFFu) << (32 * j);
        {
            __m256i d = eq(v, '.');

            at |= bits(eq(v, '@')) << (32 * j);
            colon |= bits(eq(v, ':')) << (32 * j);
            slash |= bits(eq(v, '/')) << (32 * j);
            w |= bits(eq(lo, 'w')) << (32 * j);
            dot |= bits(d) << (32 * j);
            localp |= bits(_mm256_or_si256(_mm256_or_si256(d, eq(v, '-')),
                                       _mm256_or_si256(_mm256_or_si256(eq(v, '_'), eq(v, '+')),
                                                    eq(v, '%')))) << (32 * j);
        }
    }
    spamlr__scan_store(b, n, alnum, letter, sep,
                       spamlr__scan_link(n, at, localp, alnum | localp, colon, slash, dot, w));
}

const spamlr__scan spamlr__scan_avx2 = { "avx2", avx2_classify };

#else
typedef int spamlr__no_scan_avx2;
#endif
