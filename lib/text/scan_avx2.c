/* scan_avx2.c - the byte classifier 32 bytes a register (scan.h), the
 * link classes with two byte shuffles.
 * Built with -mavx2 -mfma. Unsigned ranges are signed compares after a
 * shift by 0x80 (see scan_sse2.c). A block shorter than 64 bytes is
 * classified from a zero-padded copy, so nothing past n is read. */
#include "text/scan.h"

#if defined(SPAMLR_HAVE_X86)
#include <immintrin.h>

/* The bytes of the class bit m (scan.h, one bit) among the classes c: a
 * 16-bit shift moves each byte's bit to its top bit. */
#define CLASS(c, m) ((uint32_t)_mm256_movemask_epi8(_mm256_slli_epi16((c), 7 - __builtin_ctz(m))))

/* The masks of 32 bytes, each bit k for byte k. */
typedef struct half {
    uint32_t alnum, letter, sep, at, colon, slash, dot, localp, w;
} half;

/* Classifies p[0..32) and stores its bytes OR 0x20 at low. Inline and
 * called twice: the two halves' masks join with one shift each (as a
 * loop of two, the compiler kept the loop and shifted every mask). */
static SPAMLR__INLINE half classify32(const unsigned char *p, unsigned char *low)
{
    const __m256i x20 = _mm256_set1_epi8(0x20), ka = _mm256_set1_epi8((char)(0x80 - 'a'));
    const __m256i k0 = _mm256_set1_epi8((char)(0x80 - '0')), x0f = _mm256_set1_epi8(15);
    const __m256i hi_tab = _mm256_loadu_si256((const __m256i *)spamlr__scan_hi);
    const __m256i lo_tab = _mm256_loadu_si256((const __m256i *)spamlr__scan_lo);
    const __m256i l26 = _mm256_set1_epi8(-128 + 26), l10 = _mm256_set1_epi8(-128 + 10);
    __m256i v = _mm256_loadu_si256((const __m256i *)p);
    __m256i lo = _mm256_or_si256(v, x20);
    __m256i let = _mm256_cmpgt_epi8(l26, _mm256_add_epi8(lo, ka));
    __m256i dig = _mm256_cmpgt_epi8(l10, _mm256_add_epi8(v, k0));
    __m256i c = _mm256_and_si256(
        _mm256_shuffle_epi8(hi_tab, _mm256_and_si256(_mm256_srli_epi16(v, 4), x0f)),
        _mm256_shuffle_epi8(lo_tab, _mm256_and_si256(v, x0f)));
    half h;

    _mm256_storeu_si256((__m256i *)low, lo);
    h.alnum = (uint32_t)_mm256_movemask_epi8(_mm256_or_si256(let, dig));
    h.letter = (uint32_t)_mm256_movemask_epi8(let);
    h.sep = ~(h.alnum | (uint32_t)_mm256_movemask_epi8(_mm256_or_si256(v, c))); /* or '$' */
    h.at = CLASS(c, SPAMLR__SC_AT);
    h.colon = CLASS(c, SPAMLR__SC_COLON);
    h.slash = CLASS(c, SPAMLR__SC_SLASH);
    h.dot = CLASS(c, SPAMLR__SC_DOT);
    h.localp = h.dot | CLASS(c, SPAMLR__SC_LOCALP) | CLASS(c, SPAMLR__SC_UNDER);
    h.w = CLASS(c, SPAMLR__SC_W);
    return h;
}

/* a mask of the block from those of its halves h0 and h1 */
#define JOIN(f) ((uint64_t)h0.f | (uint64_t)h1.f << 32)

static void avx2_classify(const unsigned char *p, size_t n, spamlr__scan_block *b)
{
    unsigned char pad[SPAMLR__SCAN_BLOCK];
    half h0, h1;
    uint64_t alnum, localp;

    p = spamlr__scan_padded(p, n, pad);
    h0 = classify32(p, b->low);
    h1 = classify32(p + 32, b->low + 32);
    alnum = JOIN(alnum);
    localp = JOIN(localp);
    spamlr__scan_store(b, n, alnum, JOIN(letter), JOIN(sep),
                       spamlr__scan_link(n, JOIN(at), localp, alnum | localp, JOIN(colon),
                                         JOIN(slash), JOIN(dot), JOIN(w)));
}

#undef JOIN

const spamlr__scan spamlr__scan_avx2 = { "avx2", avx2_classify };

#else
typedef int spamlr__no_scan_avx2;
#endif
