/* scan_sse2.c - the byte classifier 16 bytes a register (scan.h).
 * Built with -msse2. Unsigned ranges are signed compares after a shift
 * by 0x80: (c - lo) mod 256 < w  <=>  (int8)(c - lo + 0x80) < -128 + w.
 * A block shorter than 64 bytes is classified from a zero-padded copy, so
 * nothing past n is read. */
#include "text/scan.h"

#if defined(SPAMLR_HAVE_X86)
#include <emmintrin.h>

/* The bytes of v equal to c, as a vector mask and as bits. */
static inline __m128i eq(__m128i v, char c)
{
    return _mm_cmpeq_epi8(v, _mm_set1_epi8(c));
}

static inline uint64_t bits(__m128i m)
{
    return (uint64_t)(unsigned)_mm_movemask_epi8(m);
}

static void sse2_classify(const unsigned char *p, size_t n, spamlr__scan_block *b)
{
    unsigned char pad[SPAMLR__SCAN_BLOCK];
    const __m128i x20 = _mm_set1_epi8(0x20), ka = _mm_set1_epi8((char)(0x80 - 'a'));
    const __m128i k0 = _mm_set1_epi8((char)(0x80 - '0')), dol = _mm_set1_epi8('$');
    const __m128i l26 = _mm_set1_epi8(-128 + 26), l10 = _mm_set1_epi8(-128 + 10);
    uint64_t alnum = 0, letter = 0, sep = 0;
    uint64_t at = 0, localp = 0, colon = 0, slash = 0, dot = 0, w = 0;
    int j;

    p = spamlr__scan_padded(p, n, pad);
    for (j = 0; j < 4; j++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + 16 * j)), lo = _mm_or_si128(v, x20);
        __m128i let = _mm_cmplt_epi8(_mm_add_epi8(lo, ka), l26);
        __m128i dig = _mm_cmplt_epi8(_mm_add_epi8(v, k0), l10);
        __m128i an = _mm_or_si128(let, dig), dot16 = eq(v, '.');
        uint64_t a = (unsigned)_mm_movemask_epi8(an);
        uint64_t hi = (unsigned)_mm_movemask_epi8(_mm_or_si128(v, _mm_cmpeq_epi8(v, dol)));

        _mm_storeu_si128((__m128i *)(b->low + 16 * j), lo);
        alnum |= a << (16 * j);
        letter |= (uint64_t)(unsigned)_mm_movemask_epi8(let) << (16 * j);
        sep |= (~(a | hi) & 0xFFFFu) << (16 * j);
        /* the link mask's bytes (scan.h), a compare each */
        at |= bits(eq(v, '@')) << (16 * j);
        colon |= bits(eq(v, ':')) << (16 * j);
        slash |= bits(eq(v, '/')) << (16 * j);
        w |= bits(eq(lo, 'w')) << (16 * j);
        dot |= bits(dot16) << (16 * j);
        localp |= bits(_mm_or_si128(_mm_or_si128(dot16, eq(v, '-')),
                                    _mm_or_si128(_mm_or_si128(eq(v, '_'), eq(v, '+')),
                                                 eq(v, '%')))) << (16 * j);
    }
    spamlr__scan_store(b, n, alnum, letter, sep,
                       spamlr__scan_link(n, at, localp, alnum | localp, colon, slash, dot, w));
}

const spamlr__scan spamlr__scan_sse2 = { "sse2", sse2_classify };

#else
typedef int spamlr__no_scan_sse2;
#endif
