/* scan_avx512.c - the byte classifier 64 bytes a register (scan.h), with
 * AVX-512BW unsigned byte compares into mask registers and the link
 * classes' two byte shuffles. Built with
 * -mavx512f -mavx512bw -mavx512vl; used only when the CPU has them. A
 * block shorter than 64 bytes is a masked load: nothing past n is read
 * (masked-off bytes cannot fault). */
#include "text/scan.h"

#if defined(SPAMLR_HAVE_X86)
#include <immintrin.h>

/* The bytes with any of the class bits m (scan.h) among the classes c,
 * one vptestmb (several classes at once: '.', '-' '+' '%', '_'). */
#define CLASS(c, m) ((uint64_t)_mm512_test_epi8_mask((c), _mm512_set1_epi8((char)(m))))

static void avx512_classify(const unsigned char *p, size_t n, spamlr__scan_block *b)
{
    __mmask64 keep = (__mmask64)spamlr__scan_first(n);
    __m512i v = _mm512_maskz_loadu_epi8(keep, p);
    __m512i lo = _mm512_or_si512(v, _mm512_set1_epi8(0x20));
    __m512i m = _mm512_set1_epi8(15);
    __m512i c = _mm512_and_si512(
        _mm512_shuffle_epi8(_mm512_loadu_si512((const void *)spamlr__scan_hi),
                            _mm512_and_si512(_mm512_srli_epi16(v, 4), m)),
        _mm512_shuffle_epi8(_mm512_loadu_si512((const void *)spamlr__scan_lo), _mm512_and_si512(v, m)));
    __mmask64 let = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(lo, _mm512_set1_epi8('a')),
                                           _mm512_set1_epi8(26));
    __mmask64 dig = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, _mm512_set1_epi8('0')),
                                           _mm512_set1_epi8(10));
    __mmask64 ascii = _mm512_movepi8_mask(v) ^ keep;   /* high bit clear, within n */
    uint64_t dot = CLASS(c, SPAMLR__SC_DOT),
             localp = CLASS(c, SPAMLR__SC_DOT | SPAMLR__SC_LOCALP | SPAMLR__SC_UNDER);

    _mm512_storeu_si512((void *)b->low, lo);
    b->alnum = (uint64_t)(let | dig) & keep;
    b->letter = (uint64_t)let & keep;
    b->sep = (uint64_t)(ascii & ~(let | dig)) & ~(uint64_t)_mm512_movepi8_mask(c);
    b->link = spamlr__scan_link(n, CLASS(c, SPAMLR__SC_AT), localp, localp | let | dig,
                                CLASS(c, SPAMLR__SC_COLON), CLASS(c, SPAMLR__SC_SLASH), dot,
                                CLASS(c, SPAMLR__SC_W)) & keep;
}

const spamlr__scan spamlr__scan_avx512 = { "avx512", avx512_classify };

#else
typedef int spamlr__no_scan_avx512;
#endif
