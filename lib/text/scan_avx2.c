/* scan_avx2.c - the byte classifier 32 bytes a register (scan.h), the
 * link classes with two byte shuffles.
 * Built with -mavx2 -mfma. Unsigned ranges are signed compares after a
 * shift by 0x80 (see scan_sse2.c). A block shorter than 64 bytes is
 * classified from a zero-padded copy, so nothing past n is read. */
#include "text/scan.h"

#if defined(SPAMLR_HAVE_X86)
#include <immintrin.h>

/* The bytes of class bit 1 << k (scan.h) among the classes c: a 16-bit
 * shift moves each byte's bit k to its top bit. */
#define CLASS(c, k) ((uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_slli_epi16((c), 7 - (k))))

static void avx2_classify(const unsigned char *p, size_t n, spamlr__scan_block *b)
{
    unsigned char pad[SPAMLR__SCAN_BLOCK];
    const __m256i x20 = _mm256_set1_epi8(0x20), ka = _mm256_set1_epi8((char)(0x80 - 'a'));
    const __m256i k0 = _mm256_set1_epi8((char)(0x80 - '0')), x0f = _mm256_set1_epi8(15);
    const __m256i hi_tab = _mm256_loadu_si256((const __m256i *)spamlr__scan_hi);
    const __m256i lo_tab = _mm256_loadu_si256((const __m256i *)spamlr__scan_lo);
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
        __m256i c = _mm256_and_si256(
            _mm256_shuffle_epi8(hi_tab, _mm256_and_si256(_mm256_srli_epi16(v, 4), x0f)),
            _mm256_shuffle_epi8(lo_tab, _mm256_and_si256(v, x0f)));
        uint64_t a = (uint32_t)_mm256_movemask_epi8(_mm256_or_si256(let, dig));
        uint64_t hi = (uint32_t)_mm256_movemask_epi8(_mm256_or_si256(v, c)); /* or '$' */

        _mm256_storeu_si256((__m256i *)(b->low + 32 * j), lo);
        alnum |= a << (32 * j);
        letter |= (uint64_t)(uint32_t)_mm256_movemask_epi8(let) << (32 * j);
        sep |= (~(a | hi) & 0xFFFFFFFFu) << (32 * j);
        at |= CLASS(c, 0) << (32 * j);
        colon |= CLASS(c, 1) << (32 * j);
        slash |= CLASS(c, 2) << (32 * j);
        dot |= CLASS(c, 3) << (32 * j);
        localp |= (CLASS(c, 3) | CLASS(c, 4) | CLASS(c, 5)) << (32 * j);
        w |= CLASS(c, 6) << (32 * j);
    }
    spamlr__scan_store(b, n, alnum, letter, sep,
                       spamlr__scan_link(n, at, localp, alnum | localp, colon, slash, dot, w));
}

const spamlr__scan spamlr__scan_avx2 = { "avx2", avx2_classify };

#else
typedef int spamlr__no_scan_avx2;
#endif
