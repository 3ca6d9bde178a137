/* links.c - the ASCII byte classes of the tokenizer, and the URLs and
 * e-mail addresses it finds with them (links.h). */
#include <string.h>

#include "text/links.h"

#define IS_DIGIT(c) ((c) >= '0' && (c) <= '9')
#define IS_LETTER(c) (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z'))
#define IS_HOSTP(c) ((c) == '-' || (c) == '.')
#define IS_LOCALP(c) (IS_HOSTP(c) || (c) == '_' || (c) == '+' || (c) == '%')
#define IS_URLEND(c) ((c) <= 0x20 || (c) >= 0x7F || (c) == '"' || (c) == '\'' || \
                      (c) == '`' || (c) == '<' || (c) == '>' || (c) == ')')
#define AC_OF(c)                                                                      \
    (IS_DIGIT(c) ? SPAMLR__AC_DIGIT : IS_LETTER(c) ? SPAMLR__AC_LETTER :              \
     (c) == '$' ? SPAMLR__AC_DOLLAR : (c) >= 0x80 ? SPAMLR__AC_URLEND :               \
     SPAMLR__AC_SEP | (IS_HOSTP(c) ? SPAMLR__AC_HOSTP : 0) |                          \
     (IS_LOCALP(c) ? SPAMLR__AC_LOCALP | SPAMLR__AC_LINKAFTER : 0) |                  \
     ((c) == ':' || (c) == '@' ? SPAMLR__AC_LINKAFTER : 0) |                          \
     (IS_URLEND(c) ? SPAMLR__AC_URLEND : 0))
#define AC4(c) AC_OF(c), AC_OF((c) + 1), AC_OF((c) + 2), AC_OF((c) + 3)
#define AC16(c) AC4(c), AC4((c) + 4), AC4((c) + 8), AC4((c) + 12)
#define AC64(c) AC16(c), AC16((c) + 16), AC16((c) + 32), AC16((c) + 48)

const unsigned char spamlr__ascii_class[256] = {
    AC64(0), AC64(64), AC64(128), AC64(192)
};

#define CLS(c) spamlr__ascii_class[(unsigned char)(c)]
#define HOST (SPAMLR__AC_ALNUM | SPAMLR__AC_HOSTP)
#define LOCAL (SPAMLR__AC_ALNUM | SPAMLR__AC_LOCALP)

/* ------------------------------------------------------------------ spans */

/* The runs of a class that the searches walk (hosts, local parts, the
 * rest of a URL: 3.5 MB of the SpamAssassin split's 24.8) go 16 bytes a
 * step where SSE2 is there (every x86-64), each byte's class from range
 * compares; the last bytes, and every byte elsewhere, through the table. */
#if defined(__SSE2__)
#include <emmintrin.h>

/* Bytes of x in [lo, lo + width]: all ones where they are. */
static inline __m128i in_range(__m128i x, char lo, char width)
{
    __m128i d = _mm_sub_epi8(x, _mm_set1_epi8(lo));

    return _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(width)), d);
}

static inline __m128i is_byte(__m128i x, char c)
{
    return _mm_cmpeq_epi8(x, _mm_set1_epi8(c));
}

/* Letters, digits, '-' and '.' ('-' and '.' are 0x2D, 0x2E). */
static inline __m128i host_bytes(__m128i x)
{
    return _mm_or_si128(_mm_or_si128(in_range(_mm_or_si128(x, _mm_set1_epi8(0x20)), 'a', 25),
                                     in_range(x, '0', 9)),
                        in_range(x, '-', 1));
}

/* From p[i], 16 bytes a step while 16 are left, the first byte that `in`
 * leaves out: *at its index and 1; else *at the first of the fewer than
 * 16 left and 0. (Inline with a constant `in`: no call remains.) */
static inline int span16(const unsigned char *p, size_t i, size_t len, __m128i (*in)(__m128i),
                         size_t *at)
{
    for (; len - i >= 16; i += 16) {
        unsigned m = ~(unsigned)_mm_movemask_epi8(in(_mm_loadu_si128((const void *)(p + i))));

        if (m & 0xFFFFu) {
            *at = i + spamlr__ctz64(m);
            return 1;
        }
    }
    *at = i;
    return 0;
}

static inline __m128i local_bytes(__m128i x)
{
    return _mm_or_si128(_mm_or_si128(host_bytes(x), is_byte(x, '_')),
                        _mm_or_si128(is_byte(x, '+'), is_byte(x, '%')));
}

/* Not URLEND: 0x21..0x7E less '"' '\'' '`' '<' '>' ')'. */
static inline __m128i url_bytes(__m128i x)
{
    __m128i bad = _mm_or_si128(_mm_or_si128(is_byte(x, '"'), is_byte(x, '\'')),
                               _mm_or_si128(is_byte(x, '`'), is_byte(x, ')')));

    bad = _mm_or_si128(bad, _mm_or_si128(is_byte(x, '<'), is_byte(x, '>')));
    return _mm_andnot_si128(bad, in_range(x, 0x21, 0x7E - 0x21));
}

/* Bytes that end a URL's authority: URLEND, '/', '?', '#'. */
static inline __m128i auth_end_bytes(__m128i x)
{
    return _mm_or_si128(_mm_andnot_si128(url_bytes(x), _mm_set1_epi8(-1)),
                        _mm_or_si128(_mm_or_si128(is_byte(x, '/'), is_byte(x, '?')),
                                     is_byte(x, '#')));
}
#endif

size_t spamlr__span_authority(const unsigned char *p, size_t i, size_t len, size_t *host)
{
    size_t h = i;

#if defined(__SSE2__)
    for (; len - i >= 16; i += 16) {
        __m128i x = _mm_loadu_si128((const void *)(p + i));
        unsigned end = (unsigned)_mm_movemask_epi8(auth_end_bytes(x));
        unsigned at = (unsigned)_mm_movemask_epi8(is_byte(x, '@'));

        if (end)
            at &= (1u << spamlr__ctz64(end)) - 1;   /* the '@'s before it */
        if (at)
            h = i + 32 - (size_t)__builtin_clz(at);  /* after the last '@' */
        if (end) {
            *host = h;
            return i + spamlr__ctz64(end);
        }
    }
#endif
    for (; i < len && !(CLS(p[i]) & SPAMLR__AC_URLEND) && p[i] != '/' && p[i] != '?' &&
           p[i] != '#'; i++)
        if (p[i] == '@')
            h = i + 1;
    *host = h;
    return i;
}

/* The spans below: 16 bytes a step through `in` while 16 are left (where
 * SSE2 is there), then a byte at a time through the table: bytes with a
 * class of cls when `inside`, else bytes with none of them. */
#if defined(__SSE2__)
#define SPAN16(in)                              \
    do {                                        \
        if (span16(p, i, len, (in), &i))        \
            return i;                           \
    } while (0)
#else
#define SPAN16(in) (void)0
#endif

static inline size_t span_table(const unsigned char *p, size_t i, size_t len, unsigned cls,
                                int inside)
{
    for (; i < len && ((CLS(p[i]) & cls) != 0) == inside; i++)
        ;
    return i;
}

size_t spamlr__span_host(const unsigned char *p, size_t i, size_t len)
{
    SPAN16(host_bytes);
    return span_table(p, i, len, HOST, 1);
}

size_t spamlr__span_local(const unsigned char *p, size_t i, size_t len)
{
    SPAN16(local_bytes);
    return span_table(p, i, len, LOCAL, 1);
}

size_t spamlr__span_url(const unsigned char *p, size_t i, size_t len)
{
    SPAN16(url_bytes);
    return span_table(p, i, len, SPAMLR__AC_URLEND, 0);
}

void spamlr__links_init(spamlr__links *l)
{
    l->no_email_before = 0;
    l->next_at = SIZE_MAX;
}

/* s[0..n) equals lit (lower-case) ignoring the case of ASCII letters. */
static int ascii_ieq(const unsigned char *s, const char *lit, size_t n)
{
    size_t k;

    for (k = 0; k < n; k++) {
        unsigned c = s[k];

        if (c - 'A' < 26u)
            c += 0x20;
        if (c != (unsigned char)lit[k])
            return 0;
    }
    return 1;
}

/* The host starting at h (an ASCII letter/digit), without trailing dots
 * or a leading "www.", in *from and *n; returns the end of the URL. */
static size_t url_host(const unsigned char *p, size_t len, size_t h, size_t *from, size_t *n)
{
    size_t e, end;

    e = spamlr__span_host(p, h, len);
    end = e;
    while (p[e - 1] == '.')
        e--;
    if (e - h > 4 && ascii_ieq(p + h, "www.", 4))
        h += 4;
    *from = h;
    *n = e - h;
    return spamlr__span_url(p, end, len);
}

/* A URL starting at i (the word "http" or "https" before ':', or "www"
 * before '.'): its end, else i. */
static size_t url_at(const unsigned char *p, size_t len, size_t i, size_t *from, size_t *n)
{
    size_t h;

    if ((p[i] | 0x20) == 'w') {
        if (len - i < 5 || !ascii_ieq(p + i, "www.", 4) || !(CLS(p[i + 4]) & SPAMLR__AC_ALNUM))
            return i;
        return url_host(p, len, i, from, n);
    }
    if (len - i >= 8 && ascii_ieq(p + i, "https://", 8))
        h = i + 8;
    else if (len - i >= 7 && ascii_ieq(p + i, "http://", 7))
        h = i + 7;
    else
        return i;
    /* the authority ends at '/', '?', '#'; the host follows the last '@' */
    spamlr__span_authority(p, h, len, &h);
    if (h >= len || !(CLS(p[h]) & SPAMLR__AC_ALNUM))
        return i;
    return url_host(p, len, h, from, n);
}

/* Whether an address can start at a word that ends at e: only when an
 * '@' follows somewhere (memchr, once per '@' passed); when none does, no
 * later word can begin one (no_email_before). Whether the address bytes
 * from e reach that '@' is email_at's walk (the tokenizer asks only where
 * its block's link mask says they may). */
static int email_possible(spamlr__links *l, const unsigned char *p, size_t len, size_t e)
{
    if (l->next_at == SIZE_MAX || l->next_at < e) {
        const unsigned char *a = memchr(p + e, '@', len - e);

        l->next_at = a ? (size_t)(a - p) : len;
    }
    if (l->next_at < len)
        return 1;
    l->no_email_before = len;
    return 0;
}

/* An address whose local part starts at s (its first letters and digits
 * end at e): its end, the domain in *from and *n; else s, and no word
 * before the end of this local part can start one. */
static size_t email_at(spamlr__links *l, const unsigned char *p, size_t len, size_t s,
                       size_t e, size_t *from, size_t *n)
{
    size_t j, d, de;

    j = spamlr__span_local(p, e, len);
    if (j + 1 >= len || p[j] != '@' || !(CLS(p[j + 1]) & SPAMLR__AC_ALNUM))
        goto no;
    d = j + 1;
    de = spamlr__span_host(p, d, len);
    e = de;
    while (p[e - 1] == '.')
        e--;
    if (!memchr(p + d, '.', e - d))
        goto no;
    *from = d;
    *n = e - d;
    return de;
no:
    l->no_email_before = j;
    return s;
}

size_t spamlr__link_at(spamlr__links *l, const unsigned char *p, size_t len, size_t s, size_t e,
                       const char **prefix, size_t *from, size_t *n)
{
    size_t r;
    unsigned c;

    if (e >= len)
        return s;
    c = p[e];
    /* "http://", "https://": the word http or https before ':'; "www."
     * and a letter or digit: the word www before '.' */
    if ((c == ':' ? e - s - 4 < 2u && (p[s] | 0x20) == 'h'
                  : c == '.' && e - s == 3 && (p[s] | 0x20) == 'w') &&
        (r = url_at(p, len, s, from, n)) != s) {
        *prefix = "url:";
        return r;
    }
    if ((c == '@' || (CLS(c) & SPAMLR__AC_LOCALP)) && s >= l->no_email_before &&
        email_possible(l, p, len, e) && (r = email_at(l, p, len, s, e, from, n)) != s) {
        *prefix = "email:";
        return r;
    }
    return s;
}
