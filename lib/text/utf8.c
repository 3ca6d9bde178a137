/* utf8.c - UTF-8 decoding and validation, code-point classes and case
 * folding. All tables are written by hand for this library; they cover the
 * scripts seen in mail, not the whole Unicode database. */
#include "text/utf8.h"

size_t spamlr__utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    uint32_t c = s[0], v;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c < 0xC2)               /* continuation byte, or overlong C0/C1 lead */
        goto bad;
    if (c < 0xE0) {
        if (n < 2 || (s[1] & 0xC0) != 0x80)
            goto bad;
        *cp = (c & 0x1F) << 6 | (s[1] & 0x3Fu);
        return 2;
    }
    if (c < 0xF0) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            goto bad;
        v = (c & 0x0F) << 12 | (s[1] & 0x3Fu) << 6 | (s[2] & 0x3Fu);
        if (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))
            goto bad;
        *cp = v;
        return 3;
    }
    if (c < 0xF5) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
            (s[3] & 0xC0) != 0x80)
            goto bad;
        v = (c & 0x07) << 18 | (s[1] & 0x3Fu) << 12 | (s[2] & 0x3Fu) << 6 |
            (s[3] & 0x3Fu);
        if (v < 0x10000 || v > 0x10FFFF)
            goto bad;
        *cp = v;
        return 4;
    }
bad:
    *cp = SPAMLR__UTF8_BAD;
    return 1;
}

size_t spamlr__utf8_encode(uint32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;

    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | cp >> 6);
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            return 0;
        o[0] = (unsigned char)(0xE0 | cp >> 12);
        o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    if (cp <= 0x10FFFF) {
        o[0] = (unsigned char)(0xF0 | cp >> 18);
        o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        o[3] = (unsigned char)(0x80 | (cp & 0x3F));
        return 4;
    }
    return 0;
}

int spamlr__utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    uint32_t cp;

    while (i < n) {
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        i += spamlr__utf8_decode(p + i, n - i, &cp);
        if (cp == SPAMLR__UTF8_BAD)
            return 0;
    }
    return 1;
}

/* ------------------------------------------------------------- classes */

typedef struct cp_range {
    uint32_t lo, hi;
    unsigned char cls;
} cp_range;

#define L SPAMLR__CP_LETTER
#define D SPAMLR__CP_DIGIT
#define M SPAMLR__CP_MARK
#define C SPAMLR__CP_CJK
#define Y SPAMLR__CP_CURRENCY
#define I SPAMLR__CP_IGNORE

/* Sorted, non-overlapping; code points in no range are SPAMLR__CP_OTHER.
 * The Indic blocks are coarse (their few symbols count as letters). */
static const cp_range ranges[] = {
    {0x0024, 0x0024, Y}, {0x0030, 0x0039, D}, {0x0041, 0x005A, L},
    {0x0061, 0x007A, L}, {0x00A3, 0x00A3, Y}, {0x00A5, 0x00A5, Y},
    {0x00AA, 0x00AA, L}, {0x00AD, 0x00AD, I}, {0x00B5, 0x00B5, L},
    {0x00BA, 0x00BA, L}, {0x00C0, 0x00D6, L}, {0x00D8, 0x00F6, L},
    {0x00F8, 0x02C1, L}, {0x02C6, 0x02D1, L}, {0x02E0, 0x02E4, L},
    {0x02EC, 0x02EC, L}, {0x02EE, 0x02EE, L},
    /* combining diacritical marks */
    {0x0300, 0x034E, M}, {0x034F, 0x034F, I}, {0x0350, 0x036F, M},
    /* Greek and Coptic */
    {0x0370, 0x0373, L}, {0x0376, 0x0377, L}, {0x037A, 0x037D, L},
    {0x037F, 0x037F, L}, {0x0386, 0x0386, L}, {0x0388, 0x038A, L},
    {0x038C, 0x038C, L}, {0x038E, 0x03A1, L}, {0x03A3, 0x03F5, L},
    /* Cyrillic (+ supplement) */
    {0x03F7, 0x0481, L}, {0x0483, 0x0489, M}, {0x048A, 0x052F, L},
    /* Armenian */
    {0x0531, 0x0556, L}, {0x0559, 0x0559, L}, {0x0560, 0x0588, L},
    /* Hebrew */
    {0x0591, 0x05BD, M}, {0x05BF, 0x05BF, M}, {0x05C1, 0x05C2, M},
    {0x05C4, 0x05C5, M}, {0x05C7, 0x05C7, M}, {0x05D0, 0x05EA, L},
    {0x05EF, 0x05F2, L},
    /* Arabic */
    {0x0610, 0x061A, M}, {0x0620, 0x064A, L}, {0x064B, 0x065F, M},
    {0x0660, 0x0669, D}, {0x066E, 0x066F, L}, {0x0670, 0x0670, M},
    {0x0671, 0x06D3, L}, {0x06D5, 0x06D5, L}, {0x06D6, 0x06DC, M},
    {0x06DF, 0x06E4, M}, {0x06E5, 0x06E6, L}, {0x06E7, 0x06E8, M},
    {0x06EA, 0x06ED, M}, {0x06EE, 0x06EF, L}, {0x06F0, 0x06F9, D},
    {0x06FA, 0x06FC, L}, {0x06FF, 0x06FF, L},
    /* Syriac, Thaana, NKo */
    {0x0710, 0x074A, L}, {0x074D, 0x07B1, L}, {0x07C0, 0x07C9, D},
    {0x07CA, 0x07F5, L},
    /* Indic scripts, Devanagari .. Sinhala (coarse) */
    {0x0900, 0x0963, L}, {0x0966, 0x096F, D}, {0x0971, 0x09E5, L},
    {0x09E6, 0x09EF, D}, {0x09F0, 0x0A65, L}, {0x0A66, 0x0A6F, D},
    {0x0A70, 0x0AE5, L}, {0x0AE6, 0x0AEF, D}, {0x0AF0, 0x0B65, L},
    {0x0B66, 0x0B6F, D}, {0x0B70, 0x0BE5, L}, {0x0BE6, 0x0BEF, D},
    {0x0BF0, 0x0C65, L}, {0x0C66, 0x0C6F, D}, {0x0C70, 0x0CE5, L},
    {0x0CE6, 0x0CEF, D}, {0x0CF0, 0x0D65, L}, {0x0D66, 0x0D6F, D},
    {0x0D70, 0x0DF3, L},
    /* Thai, Lao */
    {0x0E01, 0x0E3A, L}, {0x0E40, 0x0E4E, L}, {0x0E50, 0x0E59, D},
    {0x0E81, 0x0ECE, L}, {0x0ED0, 0x0ED9, D}, {0x0EDC, 0x0EDF, L},
    /* Tibetan, Myanmar, Georgian, Hangul Jamo, Ethiopic, Cherokee */
    {0x0F00, 0x0F00, L}, {0x0F20, 0x0F29, D}, {0x0F40, 0x0FBC, L},
    {0x1000, 0x103F, L}, {0x1040, 0x1049, D}, {0x1050, 0x109D, L},
    {0x10A0, 0x10FA, L}, {0x10FC, 0x10FF, L}, {0x1100, 0x11FF, L},
    {0x1200, 0x135F, L}, {0x13A0, 0x13FD, L},
    /* Khmer, Mongolian */
    {0x1780, 0x17D3, L}, {0x17E0, 0x17E9, D}, {0x1810, 0x1819, D},
    {0x1820, 0x1878, L},
    /* marks and phonetic letters; Latin Extended Additional; Greek
     * Extended */
    {0x1AB0, 0x1AFF, M}, {0x1C90, 0x1CBF, L}, {0x1D00, 0x1DBF, L},
    {0x1DC0, 0x1DFF, M}, {0x1E00, 0x1FBC, L}, {0x1FBE, 0x1FBE, L},
    {0x1FC2, 0x1FCC, L}, {0x1FD0, 0x1FDB, L}, {0x1FE0, 0x1FEC, L},
    {0x1FF2, 0x1FFC, L},
    /* General Punctuation format characters; superscript letters; euro */
    {0x200B, 0x200F, I}, {0x202A, 0x202E, I}, {0x2060, 0x2064, I},
    {0x2066, 0x206F, I}, {0x2071, 0x2071, L}, {0x207F, 0x207F, L},
    {0x2090, 0x209C, L}, {0x20AC, 0x20AC, Y}, {0x20D0, 0x20FF, M},
    /* Glagolitic, Latin Extended-C, Coptic, Georgian Supplement, Tifinagh,
     * Cyrillic Extended-A */
    {0x2C00, 0x2CE4, L}, {0x2CEF, 0x2CF1, M}, {0x2D00, 0x2D2D, L},
    {0x2D30, 0x2D67, L}, {0x2DE0, 0x2DFF, M},
    /* CJK: iteration mark, ideographic zero, kana, bopomofo, Hangul
     * compatibility jamo, Ext A, unified ideographs */
    {0x3005, 0x3005, C}, {0x3007, 0x3007, C}, {0x3041, 0x3096, C},
    {0x3099, 0x309A, M}, {0x309D, 0x309F, C}, {0x30A1, 0x30FA, C},
    {0x30FC, 0x30FF, C}, {0x3105, 0x312F, C}, {0x3131, 0x318E, C},
    {0x31A0, 0x31BF, C}, {0x31F0, 0x31FF, C}, {0x3400, 0x4DBF, C},
    {0x4E00, 0x9FFF, C},
    /* Cyrillic Extended-B, Latin Extended-D, Hangul syllables */
    {0xA640, 0xA69F, L}, {0xA720, 0xA7FF, L}, {0xAC00, 0xD7A3, C},
    {0xD7B0, 0xD7FB, L},
    /* CJK compatibility ideographs; Latin, Hebrew, Arabic presentation
     * forms; variation selectors; half marks */
    {0xF900, 0xFAFF, C}, {0xFB00, 0xFB06, L}, {0xFB13, 0xFB17, L},
    {0xFB1D, 0xFB28, L}, {0xFB2A, 0xFB4F, L}, {0xFB50, 0xFD3D, L},
    {0xFD50, 0xFDFB, L}, {0xFE00, 0xFE0F, I}, {0xFE20, 0xFE2F, M},
    {0xFE70, 0xFEFC, L}, {0xFEFF, 0xFEFF, I},
    /* half-width katakana and Hangul */
    {0xFF66, 0xFF9F, C}, {0xFFA0, 0xFFDC, C},
    /* mathematical alphanumerics (Latin ones are folded to ASCII first) */
    {0x1D400, 0x1D7CB, L}, {0x1D7CE, 0x1D7FF, D},
    /* CJK Ext B.., compatibility supplement, Ext G */
    {0x20000, 0x3134F, C},
    /* tags, variation selectors supplement */
    {0xE0000, 0xE007F, I}, {0xE0100, 0xE01EF, I},
};

#undef L
#undef D
#undef M
#undef C
#undef Y
#undef I

int spamlr__utf8_class(uint32_t cp)
{
    size_t lo = 0, hi = sizeof ranges / sizeof ranges[0];

    if (cp < 0x80) {
        if ((cp | 0x20) - 'a' < 26)
            return SPAMLR__CP_LETTER;
        if (cp - '0' < 10)
            return SPAMLR__CP_DIGIT;
        return cp == '$' ? SPAMLR__CP_CURRENCY : SPAMLR__CP_OTHER;
    }
    if (cp >= 0x4E00 && cp <= 0x9FFF)   /* the most common case by far */
        return SPAMLR__CP_CJK;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (cp < ranges[mid].lo)
            hi = mid;
        else if (cp > ranges[mid].hi)
            lo = mid + 1;
        else
            return ranges[mid].cls;
    }
    return SPAMLR__CP_OTHER;
}

/* ------------------------------------------------------------- folding */

/* Upper-case letters at odd code points, each followed by its lower case. */
static uint32_t odd_upper(uint32_t c) { return (c & 1) ? c + 1 : c; }

static uint32_t lower_latin(uint32_t c)
{
    if (c < 0x100)
        return (c >= 0xC0 && c <= 0xDE && c != 0xD7) ? c + 0x20 : c;
    if (c < 0x180) {                    /* Latin Extended-A */
        if (c == 0x130)
            return 'i';
        if (c == 0x178)
            return 0xFF;
        if (c <= 0x137 || (c >= 0x14A && c <= 0x177))
            return c | 1;
        if ((c >= 0x139 && c <= 0x148) || c >= 0x179)
            return c == 0x17F ? c : odd_upper(c);
        return c;
    }
    /* Latin Extended-B: the regular pairs (pinyin, Romanian, ...) */
    if (c == 0x1C4 || c == 0x1C5)
        return 0x1C6;
    if (c == 0x1C7 || c == 0x1C8)
        return 0x1C9;
    if (c == 0x1CA || c == 0x1CB)
        return 0x1CC;
    if (c == 0x1F1 || c == 0x1F2)
        return 0x1F3;
    if (c == 0x1F4)
        return 0x1F5;
    if (c >= 0x1CD && c <= 0x1DC)
        return odd_upper(c);
    if ((c >= 0x1DE && c <= 0x1EF) || (c >= 0x1F8 && c <= 0x21F) ||
        (c >= 0x222 && c <= 0x233) || (c >= 0x246 && c <= 0x24F))
        return c | 1;
    return c;
}

static uint32_t lower_greek(uint32_t c)
{
    if (c >= 0x391 && c <= 0x3AB && c != 0x3A2)
        return c + 0x20;
    if (c == 0x386)
        return 0x3AC;
    if (c >= 0x388 && c <= 0x38A)
        return c + 0x25;
    if (c == 0x38C)
        return 0x3CC;
    if (c == 0x38E || c == 0x38F)
        return c + 0x3F;
    if (c >= 0x370 && c <= 0x373)
        return c | 1;
    if (c == 0x376)
        return 0x377;
    if (c == 0x37F)
        return 0x3F3;
    if (c == 0x3CF)
        return 0x3D7;
    if (c >= 0x3D8 && c <= 0x3EF)
        return c | 1;
    if (c == 0x3F4)
        return 0x3B8;
    if (c == 0x3F7)
        return 0x3F8;
    if (c == 0x3F9)
        return 0x3F2;
    if (c == 0x3FA)
        return 0x3FB;
    if (c >= 0x3FD)
        return c - 0x82;
    return c;
}

static uint32_t lower_cyrillic(uint32_t c)
{
    if (c >= 0x410 && c <= 0x42F)
        return c + 0x20;
    if (c <= 0x40F)
        return c + 0x50;
    if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF) ||
        (c >= 0x4D0 && c <= 0x52F))
        return c | 1;
    if (c == 0x4C0)
        return 0x4CF;
    if (c >= 0x4C1 && c <= 0x4CE)
        return odd_upper(c);
    return c;
}

/* Keep every mapping below U+2000: spamlr__utf8_fold() relies on it. */
uint32_t spamlr__utf8_lower(uint32_t c)
{
    if (c < 0x80)
        return c - 'A' < 26 ? c + 0x20 : c;
    if (c < 0x250)
        return lower_latin(c);
    if (c < 0x370)
        return c;
    if (c < 0x400)
        return lower_greek(c);
    if (c < 0x530)
        return lower_cyrillic(c);
    if (c >= 0x531 && c <= 0x556)           /* Armenian */
        return c + 0x30;
    if (c >= 0x10A0 && c <= 0x10C5)         /* Georgian Asomtavruli */
        return c + 0x1C60;
    if (c == 0x10C7 || c == 0x10CD)
        return c + 0x1C60;
    if (c >= 0x1E00 && c <= 0x1EFF) {       /* Latin Extended Additional */
        if (c == 0x1E9E)
            return 0xDF;
        return (c <= 0x1E95 || c >= 0x1EA0) ? (c | 1) : c;
    }
    return c;
}

/* First code point ("zero") of the decimal digit blocks folded to ASCII. */
static const uint32_t digit_zero[] = {
    0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6,
    0x0C66, 0x0CE6, 0x0D66, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x17E0, 0x1810,
};

uint32_t spamlr__utf8_fold(uint32_t c)
{
    size_t k;

    if (c < 0x660)
        return spamlr__utf8_lower(c);
    if (c < 0x2000) {
        for (k = 0; k < sizeof digit_zero / sizeof digit_zero[0]; k++)
            if (c - digit_zero[k] < 10)
                return '0' + (c - digit_zero[k]);
        return spamlr__utf8_lower(c);
    }
    /* spamlr__utf8_lower() changes nothing from here on */
    if (c < 0xFF01)                         /* circled Latin letters */
        return c - 0x24B6 < 52 ? 'a' + (c - 0x24B6) % 26 : c;
    if (c <= 0xFF5E)                        /* full-width ASCII */
        return spamlr__utf8_lower(c - 0xFEE0);
    if (c == 0xFFE0 || c == 0xFFE1)         /* full-width cent, pound */
        return c - 0xFF3E;
    if (c == 0xFFE5)                        /* full-width yen */
        return 0xA5;
    if (c >= 0x1D400 && c <= 0x1D6A3)       /* math alphabets: 52 per style */
        return 'a' + (c - 0x1D400) % 52 % 26;
    if (c >= 0x1D7CE && c <= 0x1D7FF)       /* math digits: 10 per style */
        return '0' + (c - 0x1D7CE) % 10;
    if ((c >= 0x1F130 && c <= 0x1F149) || (c >= 0x1F150 && c <= 0x1F169) ||
        (c >= 0x1F170 && c <= 0x1F189))     /* squared / circled capitals */
        return 'a' + (c - 0x1F130) % 32;
    return c;
}
