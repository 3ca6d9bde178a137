/* fold.c - the NFKC fold: NFKC_Casefold of non-ASCII stretches through
 * libutf8proc, into a caller's fixed buffer, and Latin look-alikes of other
 * scripts folded inside Latin words (a table written for this library). */
#include <string.h>
#include <utf8proc.h>

#include "text/fold.h"
#include "text/utf8.h"

/* utf8proc's NFKC_Casefold (its utf8proc_NFKC_Casefold() without NULLTERM) */
#define NFKC_CF                                                               \
    ((utf8proc_option_t)(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | \
                         UTF8PROC_CASEFOLD | UTF8PROC_IGNORE))

/* Longest fold of one code point is 18 (U+FDFA); slack beyond that. */
#define ONE_CAP 32

/* Conjoining Hangul vowels and finals: starters that compose with the
 * syllable before them. */
static int hangul_vt(int32_t c) { return c >= 0x1160 && c <= 0x11FF; }

/* Ranges NFKC_Casefold leaves as they are (checked code point by code
 * point against Python's unicodedata when written), none of them a
 * combining mark or the second of a canonical pair. Sorted. */
static const struct { uint32_t lo, hi; } unchanged[] = {
    {0x00AB, 0x00AB}, {0x00B7, 0x00B7}, {0x00BB, 0x00BB}, {0x00E0, 0x00FF},
    {0x03B1, 0x03C1}, {0x03C3, 0x03C9}, {0x0430, 0x045F}, {0x05D0, 0x05EA},
    {0x0620, 0x064A}, {0x2013, 0x2014}, {0x2018, 0x2019}, {0x201C, 0x201D},
    {0x2022, 0x2022}, {0x3001, 0x3003}, {0x3008, 0x3011}, {0x3014, 0x301B},
    {0x3041, 0x3096}, {0x30A1, 0x30FA}, {0x3400, 0x4DBF}, {0x4E00, 0x9FFF},
    {0xAC00, 0xD7A3}, {0x1F300, 0x1F64F}, {0x1F680, 0x1F6FF},
    {0x1F900, 0x1F9FF},
};

uint32_t spamlr__fold_quick(uint32_t c)
{
    size_t lo = 0, hi = sizeof unchanged / sizeof unchanged[0];

    if (c >= 0x4E00 && c <= 0x9FFF)     /* the most common case by far */
        return c;
    if (c >= 0xFF01 && c <= 0xFF5E)     /* full-width ASCII */
        return c - 0xFF21 < 26 ? c - 0xFEC0 : c - 0xFEE0;
    if (c == 0xA0 || c == 0x3000 || c == 0x2122 || c == 0x2120)
        return ' ';                     /* spaces; ™ ℠ (before_fold) */
    if (c == 0x130)
        return 'i';
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (c < unchanged[mid].lo)
            hi = mid;
        else if (c > unchanged[mid].hi)
            lo = mid + 1;
        else
            return c;
    }
    return 0;
}

int spamlr__fold_attaches(uint32_t cp)
{
    utf8proc_int32_t d[ONE_CAP];
    const utf8proc_property_t *p;
    utf8proc_ssize_t r;
    int bc = 0;

    if (cp < 0x300 || spamlr__fold_quick(cp))
        return 0;
    r = utf8proc_decompose_char((utf8proc_int32_t)cp, d, ONE_CAP, NFKC_CF, &bc);
    if (r <= 0 || r > ONE_CAP)          /* removed (ignorable), or no room */
        return 0;
    p = utf8proc_get_property(d[0]);
    return p->combining_class != 0 || hangul_vt(d[0]) ||
           p->category == UTF8PROC_CATEGORY_MN ||
           p->category == UTF8PROC_CATEGORY_MC ||
           p->category == UTF8PROC_CATEGORY_ME;
}

size_t spamlr__fold_span(const unsigned char *s, size_t n)
{
    size_t i = 0, k = 0, len;
    uint32_t cp;

    while (i < n && s[i] >= 0x80) {
        len = spamlr__utf8_decode(s + i, n - i, &cp);
        if (cp == SPAMLR__UTF8_BAD)
            break;
        if (k >= SPAMLR__FOLD_SPAN &&
            (k >= 2 * SPAMLR__FOLD_SPAN || !spamlr__fold_attaches(cp)))
            break;
        i += len;
        k++;
    }
    return i;
}

/* Taken before NFKC_Casefold: two symbols that are no letters in mail, and
 * the one Turkic case folding. */
static utf8proc_int32_t before_fold(utf8proc_int32_t c, void *data)
{
    (void)data;
    if (c == 0x130)                     /* İ: i, not i + U+0307 */
        return 'i';
    if (c == 0x2122 || c == 0x2120)     /* ™ ℠: "eBay™" is "ebay" */
        return ' ';
    return c;
}

size_t spamlr__fold_nfkc(const unsigned char *s, size_t n, uint32_t *out,
                         size_t *nout)
{
    utf8proc_int32_t *b = (utf8proc_int32_t *)out;
    utf8proc_ssize_t r;
    uint32_t cp;

    for (;;) {
        r = utf8proc_decompose_custom(s, (utf8proc_ssize_t)n, b, SPAMLR__FOLD_CAP,
                                      NFKC_CF, before_fold, NULL);
        if (r < 0) {                    /* not for valid UTF-8 */
            *nout = 0;
            return n;
        }
        if (r <= SPAMLR__FOLD_CAP)
            break;
        /* too long a fold: take the first half, at a code point boundary */
        n /= 2;
        while (n && (s[n] & 0xC0) == 0x80)
            n--;
        if (!n)
            n = spamlr__utf8_decode(s, 4, &cp);
    }
    r = utf8proc_normalize_utf32(b, r, NFKC_CF);
    *nout = r < 0 ? 0 : (size_t)r;
    return n;
}

/* ------------------------------------------------------------ look-alikes */

typedef struct lookalike {
    uint16_t cp;
    char latin;
} lookalike;

/* Lower-case Cyrillic and Greek letters (what case folding leaves) whose
 * own or upper-case form is drawn like a Latin letter. Sorted. Left out on
 * purpose: Greek eta (H or n?), mu (M, u, and the micro sign in "5μg"),
 * upsilon (Y or u), and letters only similar in some fonts (г, п, ь). */
static const lookalike lookalikes[] = {
    {0x03B1, 'a'}, {0x03B2, 'b'}, {0x03B5, 'e'}, {0x03B6, 'z'},
    {0x03B9, 'i'}, {0x03BA, 'k'}, {0x03BD, 'v'}, {0x03BF, 'o'},
    {0x03C1, 'p'}, {0x03C4, 't'}, {0x03C7, 'x'}, {0x03F2, 'c'},
    {0x03F3, 'j'},
    {0x0430, 'a'}, {0x0432, 'b'}, {0x0435, 'e'}, {0x043A, 'k'},
    {0x043C, 'm'}, {0x043D, 'h'}, {0x043E, 'o'}, {0x0440, 'p'},
    {0x0441, 'c'}, {0x0442, 't'}, {0x0443, 'y'}, {0x0445, 'x'},
    {0x0455, 's'}, {0x0456, 'i'}, {0x0458, 'j'}, {0x04AF, 'y'},
    {0x04BB, 'h'}, {0x04CF, 'l'}, {0x0501, 'd'}, {0x051B, 'q'},
    {0x051D, 'w'},
};

uint32_t spamlr__fold_lookalike(uint32_t cp)
{
    size_t lo = 0, hi = sizeof lookalikes / sizeof lookalikes[0];

    if (cp < 0x3B1 || cp > 0x51D)
        return 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (cp < lookalikes[mid].cp)
            hi = mid;
        else if (cp > lookalikes[mid].cp)
            lo = mid + 1;
        else
            return (uint32_t)lookalikes[mid].latin;
    }
    return 0;
}

/* Letters of the Latin script: ASCII, Latin-1, Extended-A/-B, Extended
 * Additional. */
static int latin_letter(uint32_t c)
{
    if (c < 0x80)
        return (c | 0x20) - 'a' < 26;
    return (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) ||
           (c >= 0x1E00 && c <= 0x1EFF);
}

size_t spamlr__fold_lookalikes(char *w, size_t n)
{
    const unsigned char *u = (const unsigned char *)w;
    size_t i, o, len;
    uint32_t cp, l;
    int latin = 0, cls;

    for (i = 0; i < n; i += len) {
        len = spamlr__utf8_decode(u + i, n - i, &cp);
        if (latin_letter(cp)) {
            latin = 1;
            continue;
        }
        cls = spamlr__utf8_class(cp);
        if (cls != SPAMLR__CP_DIGIT && cls != SPAMLR__CP_MARK &&
            !spamlr__fold_lookalike(cp))
            return n;                   /* a letter of another script */
    }
    if (!latin)
        return n;
    for (i = o = 0; i < n;) {
        len = spamlr__utf8_decode(u + i, n - i, &cp);

        if ((l = spamlr__fold_lookalike(cp)) != 0) {
            w[o++] = (char)l;
        } else {
            memmove(w + o, w + i, len);
            o += len;
        }
        i += len;
    }
    return o;
}
