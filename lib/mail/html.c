/* html.c - HTML -> text, entities, link hosts, hidden-text tricks. */
#include <string.h>

#include "mail/charset.h"
#include "mail/html.h"
#include "mail/syntax.h"

/* ------------------------------------------------------------ entities */

/* Names of U+00A0..U+00FF, in code point order. */
static const char *const latin1_names[96] = {
    "nbsp", "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect",
    "uml", "copy", "ordf", "laquo", "not", "shy", "reg", "macr",
    "deg", "plusmn", "sup2", "sup3", "acute", "micro", "para", "middot",
    "cedil", "sup1", "ordm", "raquo", "frac14", "frac12", "frac34", "iquest",
    "Agrave", "Aacute", "Acirc", "Atilde", "Auml", "Aring", "AElig", "Ccedil",
    "Egrave", "Eacute", "Ecirc", "Euml", "Igrave", "Iacute", "Icirc", "Iuml",
    "ETH", "Ntilde", "Ograve", "Oacute", "Ocirc", "Otilde", "Ouml", "times",
    "Oslash", "Ugrave", "Uacute", "Ucirc", "Uuml", "Yacute", "THORN", "szlig",
    "agrave", "aacute", "acirc", "atilde", "auml", "aring", "aelig", "ccedil",
    "egrave", "eacute", "ecirc", "euml", "igrave", "iacute", "icirc", "iuml",
    "eth", "ntilde", "ograve", "oacute", "ocirc", "otilde", "ouml", "divide",
    "oslash", "ugrave", "uacute", "ucirc", "uuml", "yacute", "thorn", "yuml",
};

typedef struct named {
    const char *name;
    uint32_t cp;
} named;

static const named other_names[] = {
    {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''},
    {"AMP", '&'}, {"LT", '<'}, {"GT", '>'}, {"QUOT", '"'}, {"NBSP", 0xA0},
    {"COPY", 0xA9}, {"REG", 0xAE},
    {"OElig", 0x152}, {"oelig", 0x153}, {"Scaron", 0x160}, {"scaron", 0x161},
    {"Yuml", 0x178}, {"fnof", 0x192}, {"circ", 0x2C6}, {"tilde", 0x2DC},
    {"ensp", 0x2002}, {"emsp", 0x2003}, {"thinsp", 0x2009}, {"zwnj", 0x200C},
    {"zwj", 0x200D}, {"lrm", 0x200E}, {"rlm", 0x200F}, {"ndash", 0x2013},
    {"mdash", 0x2014}, {"lsquo", 0x2018}, {"rsquo", 0x2019}, {"sbquo", 0x201A},
    {"ldquo", 0x201C}, {"rdquo", 0x201D}, {"bdquo", 0x201E}, {"dagger", 0x2020},
    {"Dagger", 0x2021}, {"bull", 0x2022}, {"hellip", 0x2026}, {"permil", 0x2030},
    {"prime", 0x2032}, {"Prime", 0x2033}, {"lsaquo", 0x2039}, {"rsaquo", 0x203A},
    {"oline", 0x203E}, {"frasl", 0x2044}, {"euro", 0x20AC}, {"trade", 0x2122},
    {"TRADE", 0x2122}, {"larr", 0x2190}, {"uarr", 0x2191}, {"rarr", 0x2192},
    {"darr", 0x2193}, {"harr", 0x2194}, {"minus", 0x2212}, {"infin", 0x221E},
    {"ne", 0x2260}, {"le", 0x2264}, {"ge", 0x2265}, {"loz", 0x25CA},
    {"spades", 0x2660}, {"clubs", 0x2663}, {"hearts", 0x2665}, {"diams", 0x2666},
    {"Alpha", 0x391}, {"Beta", 0x392}, {"Gamma", 0x393}, {"Delta", 0x394},
    {"Omega", 0x3A9}, {"alpha", 0x3B1}, {"beta", 0x3B2}, {"gamma", 0x3B3},
    {"delta", 0x3B4}, {"pi", 0x3C0}, {"mu", 0x3BC}, {"omega", 0x3C9},
    {"sigma", 0x3C3}, {"lambda", 0x3BB}, {"theta", 0x3B8}, {"epsilon", 0x3B5},
};

/* Code point of the entity name s[0..n), 0 when unknown. */
static uint32_t entity_lookup(const char *s, size_t n)
{
    size_t i;

    if (n == 0 || n > 8)
        return 0;
    if (n == 4 && !memcmp(s, "nbsp", 4))
        return 0xA0;
    for (i = 0; i < sizeof other_names / sizeof other_names[0]; i++)
        if (other_names[i].name[0] == s[0] && strlen(other_names[i].name) == n &&
            !memcmp(other_names[i].name, s, n))
            return other_names[i].cp;
    for (i = 0; i < 96; i++)
        if (latin1_names[i][0] == s[0] && strlen(latin1_names[i]) == n &&
            !memcmp(latin1_names[i], s, n))
            return (uint32_t)(0xA0 + i);
    return 0;
}

static int is_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Special results of entity(). */
#define ENT_NOTHING 0xFFFFFFFEu   /* decodes to nothing (soft hyphen, ZW) */
#define ENT_SPACE 0xFFFFFFFDu     /* decodes to white space */

/* Decodes the entity at s[i] == '&'. Returns the bytes it spans (0 = not
 * an entity) and its meaning in *cp. `attr`: inside an attribute value,
 * where named entities need their ';'. */
static size_t entity(const char *s, size_t n, size_t i, uint32_t *cp, int attr)
{
    size_t j = i + 1, k, start;
    uint32_t v = 0;
    int hex = 0, d, big = 0;

    if (j < n && s[j] == '#') {
        j++;
        if (j < n && (s[j] == 'x' || s[j] == 'X')) {
            hex = 1;
            j++;
        }
        start = j;
        while (j < n && (d = hex ? hexv((unsigned char)s[j])
                                 : (s[j] >= '0' && s[j] <= '9' ? s[j] - '0' : -1)) >= 0) {
            if (v > 0x10FFFF)
                big = 1;
            else
                v = v * (hex ? 16u : 10u) + (uint32_t)d;
            j++;
        }
        if (j == start)
            return 0;
        if (j < n && s[j] == ';')
            j++;
        if (big || v > 0x10FFFF || v == 0 || (v >= 0xD800 && v <= 0xDFFF))
            v = 0xFFFD;
        else if (v >= 0x80 && v < 0xA0)
            v = spamlr__cs_cp1252((unsigned char)v) ? spamlr__cs_cp1252((unsigned char)v) : 0xFFFD;
        if (v < 0x20 || v == 0x7F || v == 0xA0 || (v >= 0x2000 && v <= 0x200A))
            v = ENT_SPACE;
        else if (v == 0xAD || (v >= 0x200B && v <= 0x200F) || v == 0x2060 || v == 0xFEFF)
            v = ENT_NOTHING;
        *cp = v;
        return j - i;
    }
    start = j;
    while (j < n && j - start < 9 && is_alnum((unsigned char)s[j]))
        j++;
    if (j < n && s[j] == ';' && (v = entity_lookup(s + start, j - start)) != 0) {
        j++;
    } else if (attr) {
        return 0;
    } else {
        /* legacy form without ';': the longest known prefix */
        for (k = j - start; k >= 2; k--)
            if ((v = entity_lookup(s + start, k)) != 0)
                break;
        if (!v)
            return 0;
        j = start + k;
    }
    if (v == 0xA0 || (v >= 0x2002 && v <= 0x2009))
        v = ENT_SPACE;
    else if (v == 0xAD || (v >= 0x200B && v <= 0x200F))
        v = ENT_NOTHING;
    *cp = v;
    return j - i;
}

/* ----------------------------------------------------------- the writer */

typedef struct hctx {
    spamlr__buf *out;
    size_t max;
    int full;
    int space, nl;        /* pending separators */
    int in_head;
    spamlr__html_info *info;
} hctx;

static int put_bytes(hctx *h, const char *p, size_t n)
{
    size_t room;
    int r;
    char last;

    if (h->full || n == 0 || h->in_head)
        return 0;
    if (h->out->len >= h->max) {
        h->full = 1;
        return 0;
    }
    if (h->out->len > 0) {
        char sep = 0;
        last = h->out->data[h->out->len - 1];
        if (h->nl && last != '\n')
            sep = '\n';
        else if (h->space && last != ' ' && last != '\n')
            sep = ' ';
        if (sep && h->out->len + 1 >= h->max) {
            h->full = 1;
            return 0;
        }
        if (sep && (r = spamlr__buf_putc(h->out, sep)))
            return r;
    }
    h->nl = h->space = 0;
    room = h->max - h->out->len;
    if (n > room) {
        n = room;
        while (n > 0 && ((unsigned char)p[n] & 0xC0) == 0x80)
            n--;
        h->full = 1;
    }
    return spamlr__buf_append(h->out, p, n);
}

static int put_cp(hctx *h, uint32_t cp)
{
    char u[4];

    if (cp == ENT_NOTHING)
        return 0;
    if (cp == ENT_SPACE) {
        h->space = 1;
        return 0;
    }
    return put_bytes(h, u, spamlr__cs_utf8_put(cp, u));
}

/* -------------------------------------------------------------- helpers */

/* Case-insensitive search for the lower-case literal lit in s[from..n). */
static size_t ifind(const char *s, size_t n, size_t from, const char *lit)
{
    size_t m = strlen(lit), i;
    unsigned char f = (unsigned char)lit[0];

    if (m == 0 || n < m)
        return n;
    for (i = from; i + m <= n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c | 0x20) == f && ieq(s + i, m, lit))
            return i;
    }
    return n;
}

/* Byte classes of the tag scanner, one look-up a byte: white space, and
 * the bytes that end a tag name, an attribute name or an unquoted value. */
enum { H_WS = 1, H_NAME_END = 2, H_ATTR_END = 4, H_VAL_END = 8 };
#define H_SPACE (H_WS | H_NAME_END | H_ATTR_END | H_VAL_END)
static const unsigned char hcls[256] = {
    [' '] = H_SPACE, ['\t'] = H_SPACE, ['\n'] = H_SPACE, ['\r'] = H_SPACE,
    ['\f'] = H_SPACE, ['\v'] = H_SPACE,
    ['>'] = H_NAME_END | H_ATTR_END | H_VAL_END, ['/'] = H_NAME_END, ['='] = H_ATTR_END,
};

static int is_ws(unsigned char c)
{
    return hcls[c] & H_WS;
}

/* What an element is to the text, found by one look-up per tag. */
enum {
    T_BLOCK = 1,     /* starts a new line (p, div, tr, ...) */
    T_CELL = 2,      /* a space between its neighbours (td, img, ...) */
    T_RAW = 4,       /* its content is never shown as text (script, ...) */
    T_IN_HEAD = 8,   /* may appear in <head> without ending it */
    T_HEAD = 16,     /* head itself */
    T_IMG = 32,      /* counted in spamlr__html_info */
    T_SCRIPT = 64,
    T_FRAME = 128,
    T_FORM = 256,
    T_OBJECT = 512
};

typedef struct tag_kind {
    char name[11];
    unsigned short flags;
} tag_kind;

/* by name length, so a look-up compares a handful of names */
static const tag_kind tags1[] = { { "p", T_BLOCK } };
static const tag_kind tags2[] = {
    { "br", T_BLOCK }, { "tr", T_BLOCK }, { "li", T_BLOCK }, { "h1", T_BLOCK },
    { "h2", T_BLOCK }, { "h3", T_BLOCK }, { "h4", T_BLOCK }, { "h5", T_BLOCK },
    { "h6", T_BLOCK }, { "ul", T_BLOCK }, { "ol", T_BLOCK }, { "dl", T_BLOCK },
    { "dt", T_BLOCK }, { "dd", T_BLOCK }, { "hr", T_BLOCK }, { "td", T_CELL },
    { "th", T_CELL },
};
static const tag_kind tags3[] = {
    { "div", T_BLOCK }, { "pre", T_BLOCK }, { "nav", T_BLOCK }, { "img", T_CELL | T_IMG },
    { "xml", T_RAW }, { "o:p", T_IN_HEAD },
};
static const tag_kind tags4[] = {
    { "form", T_BLOCK | T_FORM }, { "body", T_BLOCK }, { "html", T_BLOCK | T_IN_HEAD },
    { "main", T_BLOCK }, { "head", T_HEAD | T_IN_HEAD }, { "meta", T_IN_HEAD },
    { "link", T_IN_HEAD }, { "base", T_IN_HEAD },
};
static const tag_kind tags5[] = {
    { "table", T_BLOCK }, { "aside", T_BLOCK }, { "tbody", T_BLOCK }, { "thead", T_BLOCK },
    { "tfoot", T_BLOCK }, { "frame", T_BLOCK | T_FRAME }, { "input", T_CELL },
    { "style", T_RAW | T_IN_HEAD }, { "title", T_RAW | T_IN_HEAD }, { "embed", T_OBJECT },
};
static const tag_kind tags6[] = {
    { "center", T_BLOCK }, { "header", T_BLOCK }, { "footer", T_BLOCK },
    { "legend", T_BLOCK }, { "option", T_BLOCK }, { "figure", T_BLOCK },
    { "button", T_CELL }, { "script", T_RAW | T_IN_HEAD | T_SCRIPT },
    { "iframe", T_RAW | T_FRAME }, { "object", T_OBJECT }, { "applet", T_OBJECT },
};
static const tag_kind tags7[] = {
    { "section", T_BLOCK }, { "article", T_BLOCK }, { "address", T_BLOCK },
    { "caption", T_BLOCK }, { "noembed", T_RAW }, { "bgsound", T_IN_HEAD },
};
static const tag_kind tags8[] = {
    { "fieldset", T_BLOCK }, { "frameset", T_BLOCK }, { "template", T_RAW },
    { "textarea", T_RAW }, { "noscript", T_IN_HEAD }, { "basefont", T_IN_HEAD },
};
static const tag_kind tags10[] = { { "blockquote", T_BLOCK }, { "figcaption", T_BLOCK } };

#define TAGS(t) { t, sizeof t / sizeof *t }
static const struct {
    const tag_kind *t;
    size_t n;
} tags_by_len[] = {
    { NULL, 0 }, TAGS(tags1), TAGS(tags2), TAGS(tags3), TAGS(tags4), TAGS(tags5),
    TAGS(tags6), TAGS(tags7), TAGS(tags8), { NULL, 0 }, TAGS(tags10),
};
#undef TAGS

/* Whether the table's name a (zero-padded to 11 bytes) is b[0..nl), b a
 * buffer of 16 bytes: one 8-byte compare up to 8 bytes. */
static int same_name(const char *a, const char *b, size_t nl)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (nl <= 8) { /* the first nl bytes are the low ones */
        uint64_t x, y;

        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        return ((x ^ y) & (nl == 8 ? ~(uint64_t)0 : ((uint64_t)1 << (8 * nl)) - 1)) == 0;
    }
#endif
    return !memcmp(a, b, nl);
}

/* The T_ flags of the lower-case element name[0..nl), 0 for the rest. */
static unsigned tag_flags(const char *name, size_t nl)
{
    size_t i;

    if (nl >= sizeof tags_by_len / sizeof *tags_by_len)
        return 0;
    for (i = 0; i < tags_by_len[nl].n; i++) {
        const tag_kind *t = &tags_by_len[nl].t[i];

        if (t->name[0] == name[0] && same_name(t->name, name, nl))
            return t->flags;
    }
    return 0;
}

/* Is the colour value white or nearly so? */
static int whitish(const char *v, size_t n)
{
    int i, c[3], d;

    while (n > 0 && is_ws((unsigned char)*v)) {
        v++;
        n--;
    }
    while (n > 0 && (is_ws((unsigned char)v[n - 1]) || v[n - 1] == ';'))
        n--;
    if (ieq(v, n, "white"))
        return 1;
    if (n > 0 && v[0] == '#') {
        v++;
        n--;
    }
    if (n == 3) {
        for (i = 0; i < 3; i++)
            if ((d = hexv((unsigned char)v[i])) < 0 || d < 0xF)
                return 0;
        return 1;
    }
    if (n != 6)
        return 0;
    for (i = 0; i < 3; i++) {
        int hi = hexv((unsigned char)v[2 * i]), lo = hexv((unsigned char)v[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return 0;
        c[i] = hi * 16 + lo;
        if (c[i] < 0xF0)
            return 0;
    }
    return 1;
}

/* Does a CSS declaration list hide its element's text? */
static int css_hides(const char *v, size_t n)
{
    char b[512];
    size_t i, m = 0, p;

    for (i = 0; i < n && m + 1 < sizeof b; i++) {
        unsigned char c = (unsigned char)v[i];
        if (is_ws(c))
            continue;
        b[m++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    b[m] = '\0';
    if (strstr(b, "display:none") || strstr(b, "visibility:hidden"))
        return 1;
    for (p = 0; (p = ifind(b, m, p, "font-size:")) < m; p++) {
        size_t j = p + 10, k;
        double val = 0, scale = 1;
        int digits = 0, frac = 0;
        for (; j < m && ((b[j] >= '0' && b[j] <= '9') || b[j] == '.'); j++) {
            if (b[j] == '.') {
                frac = 1;
                continue;
            }
            digits++;
            if (frac)
                val += (b[j] - '0') * (scale /= 10);
            else if (val < 1e6)
                val = val * 10 + (b[j] - '0');
        }
        if (!digits)
            continue;
        k = j;
        while (k < m && b[k] >= 'a' && b[k] <= 'z')
            k++;
        if (val == 0)
            return 1;
        if ((k == j || ieq(b + j, k - j, "px") || ieq(b + j, k - j, "pt")) && val < 2)
            return 1;
        if ((ieq(b + j, k - j, "em") || ieq(b + j, k - j, "rem") || ieq(b + j, k - j, "ex")) &&
            val < 0.2)
            return 1;
        if (j < m && b[j] == '%' && val < 20)
            return 1;
    }
    for (p = 0; (p = ifind(b, m, p, "color:")) < m; p++) {
        size_t e;
        if (p > 0 && (b[p - 1] == '-' || (b[p - 1] >= 'a' && b[p - 1] <= 'z')))
            continue;
        for (e = p + 6; e < m && b[e] != ';' && b[e] != '!'; e++)
            ;
        if (whitish(b + p + 6, e - p - 6))
            return 1;
    }
    return 0;
}

/* Reports the host of a link value (entity-decoded) to the caller. */
#define LINK_MAX 508 /* bytes of a value looked at */
static void link_value(hctx *h, const char *v, size_t n)
{
    char dec[512], host[256];
    const char *buf = v;
    size_t m = n < LINK_MAX ? n : LINK_MAX, i, j, hn = 0, at;
    int kind = SPAMLR__HTML_URL, digits_only = 1;
    uint32_t cp;

    if (!h->info || !h->info->link)
        return;
    /* entity-decode, dropping tabs and line breaks as browsers do, the
     * first LINK_MAX bytes; most values have nothing to decode and are
     * read where they are */
    for (i = 0; i < m && v[i] != '&' && v[i] != '\t' && v[i] != '\n' && v[i] != '\r'; i++)
        ;
    if (i < m) {
        for (i = 0, m = 0; i < n && m < LINK_MAX;) {
            unsigned char c = (unsigned char)v[i];
            size_t k;
            if (c == '&' && (k = entity(v, n, i, &cp, 1)) > 0) {
                if (cp < 0x80 && cp > 0x20)
                    dec[m++] = (char)cp;
                i += k;
                continue;
            }
            if (c != '\t' && c != '\n' && c != '\r')
                dec[m++] = (char)c;
            i++;
        }
        buf = dec;
    }
    while (m > 0 && (unsigned char)*buf <= ' ')
        buf++, m--;
    i = 0;
    if (m >= 7 && ieq(buf, 7, "mailto:")) {
        kind = SPAMLR__HTML_MAILTO;
        for (j = 7; j < m && buf[j] != '?'; j++)
            ;
        for (at = j; at > 7 && buf[at - 1] != '@'; at--)
            ;
        if (at == 7)
            return;
        i = at;
        m = j;
    } else {
        if (m >= 7 && ieq(buf, 7, "http://"))
            i = 7;
        else if (m >= 8 && ieq(buf, 8, "https://"))
            i = 8;
        else if (m >= 6 && ieq(buf, 6, "ftp://"))
            i = 6;
        else if (m >= 2 && buf[0] == '/' && buf[1] == '/')
            i = 2;
        else
            return;
        for (j = i; j < m && buf[j] != '/' && buf[j] != '?' && buf[j] != '#' && buf[j] != '\\'; j++)
            ;
        m = j;
        for (at = m; at > i && buf[at - 1] != '@'; at--)
            ;
        if (at > i)
            i = at;                      /* drop user:password@ */
        for (j = i; j < m && buf[j] != ':'; j++)
            ;
        m = j;                           /* drop :port */
    }
    for (; i < m && hn + 1 < sizeof host; i++) {
        int c = (unsigned char)buf[i];
        if (c == '%' && i + 2 < m && hexv((unsigned char)buf[i + 1]) >= 0 &&
            hexv((unsigned char)buf[i + 2]) >= 0) {
            c = hexv((unsigned char)buf[i + 1]) * 16 + hexv((unsigned char)buf[i + 2]);
            i += 2;
        }
        if (c >= 'A' && c <= 'Z')
            c += 32;
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
              c == '_'))
            return;
        if (!(c >= '0' && c <= '9') && c != '.')
            digits_only = 0;
        host[hn++] = (char)c;
    }
    if (i < m)
        return;                          /* too long */
    while (hn > 0 && host[hn - 1] == '.')
        hn--;
    if (hn == 0)
        return;
    if (digits_only && kind == SPAMLR__HTML_URL) {
        h->info->link(h->info->link_ctx, kind, "ip", 2);
        return;
    }
    h->info->link(h->info->link_ctx, kind, host, hn);
}

static void attribute(hctx *h, const char *tag, const char *a, size_t an, const char *v,
                      size_t vn)
{
    if (!h->info)
        return;
    if (ieq(a, an, "href") || ieq(a, an, "src") || ieq(a, an, "action"))
        link_value(h, v, vn);
    else if (ieq(a, an, "style")) {
        if (css_hides(v, vn))
            h->info->hidden++;
    } else if (ieq(a, an, "hidden")) {
        h->info->hidden++;
    } else if (!strcmp(tag, "font")) {
        size_t i = 0;
        while (i < vn && is_ws((unsigned char)v[i]))
            i++;
        if (ieq(a, an, "size") && i < vn && (v[i] == '0' || v[i] == '1') &&
            (i + 1 == vn || is_ws((unsigned char)v[i + 1])))
            h->info->hidden++;
        else if (ieq(a, an, "color") && whitish(v, vn))
            h->info->hidden++;
    }
}

/* Handles the tag at s[i] == '<'; returns the index after it. */
static size_t tag(hctx *h, const char *s, size_t n, size_t i, int *err)
{
    size_t j = i + 1, k, an, vs, vn;
    const char *a;
    char name[16] = { 0 };
    size_t nl = 0;
    int end = 0, self_close = 0;
    unsigned fl;
    char q;

    if (j < n && s[j] == '!') {
        if (n - j >= 3 && s[j + 1] == '-' && s[j + 2] == '-') {
            for (k = j + 3; k + 2 < n; k++)
                if (s[k] == '-' && s[k + 1] == '-' && s[k + 2] == '>')
                    return k + 3;
            return n;
        }
        for (k = j; k < n && s[k] != '>'; k++)
            ;
        return k < n ? k + 1 : n;
    }
    if (j < n && s[j] == '?') {
        for (k = j; k < n && s[k] != '>'; k++)
            ;
        return k < n ? k + 1 : n;
    }
    if (j < n && s[j] == '/') {
        end = 1;
        j++;
    }
    if (j >= n || !((s[j] | 0x20) >= 'a' && (s[j] | 0x20) <= 'z')) {
        *err = put_bytes(h, "<", 1);
        return i + 1;
    }
    for (; j < n && !(hcls[(unsigned char)s[j]] & H_NAME_END); j++)
        if (nl + 1 < sizeof name)
            name[nl++] = (char)((s[j] >= 'A' && s[j] <= 'Z') ? s[j] + 32 : s[j]);
    name[nl] = '\0';
    fl = tag_flags(name, nl);

    if (end) {
        for (k = j; k < n && s[k] != '>'; k++)
            ;
        if (fl & T_HEAD)
            h->in_head = 0;
        else if (fl & T_BLOCK)
            h->nl = 1;
        else if (fl & T_CELL)
            h->space = 1;
        return k < n ? k + 1 : n;
    }

    /* attributes */
    for (;;) {
        self_close = 0;
        while (j < n && (is_ws((unsigned char)s[j]) || s[j] == '/'))
            self_close |= s[j++] == '/';
        if (j >= n)
            return n;                    /* unterminated tag: dropped */
        if (s[j] == '>') {
            j++;
            break;
        }
        a = s + j;
        for (an = 0; j < n && !(hcls[(unsigned char)s[j]] & H_ATTR_END); j++)
            an++;
        while (j < n && is_ws((unsigned char)s[j]))
            j++;
        vs = j;
        vn = 0;
        if (j < n && s[j] == '=') {
            j++;
            while (j < n && is_ws((unsigned char)s[j]))
                j++;
            if (j < n && (s[j] == '"' || s[j] == '\'')) {
                const char *e;
                q = s[j++];
                e = memchr(s + j, q, n - j);
                if (!e)
                    return n;
                vs = j;
                vn = (size_t)(e - (s + j));
                j = vs + vn + 1;
            } else {
                vs = j;
                while (j < n && !(hcls[(unsigned char)s[j]] & H_VAL_END))
                    j++;
                vn = j - vs;
            }
        }
        if (an > 0)
            attribute(h, name, a, an, s + vs, vn);
    }

    if (h->info) {
        if (fl & T_IMG)
            h->info->images++;
        else if (fl & T_SCRIPT)
            h->info->scripts++;
        else if (fl & T_FRAME)
            h->info->iframes++;
        else if (fl & T_FORM)
            h->info->forms++;
        else if (fl & T_OBJECT)
            h->info->objects++;
    }
    if (fl & T_HEAD)
        h->in_head = 1;
    else if (!(fl & T_IN_HEAD))
        h->in_head = 0;
    if (!self_close && (fl & T_RAW)) {
        char close[20];
        size_t c = 0;
        close[c++] = '<';
        close[c++] = '/';
        memcpy(close + c, name, nl + 1);
        k = ifind(s, n, j, close);
        if (k >= n)
            return n;
        for (; k < n && s[k] != '>'; k++)
            ;
        h->space = 1;
        return k < n ? k + 1 : n;
    }
    if (fl & T_BLOCK)
        h->nl = 1;
    else if (fl & T_CELL)
        h->space = 1;
    return j;
}

#define ONES 0x0101010101010101ULL
#define HIGH 0x8080808080808080ULL

/* The high bit of each byte of x that is zero: exact for the lowest such
 * byte (a borrow may mark bytes above it). */
static inline uint64_t zero_bytes(uint64_t x)
{
    return (x - ONES) & ~x & HIGH;
}

/* The end of the run of plain text from s[i]: printable ASCII other than
 * '<' and '&' (no space), 8 bytes a step. */
static size_t plain_end(const char *s, size_t i, size_t n)
{
    unsigned c;

    while (n - i >= 8) {
        uint64_t x, bad;

        memcpy(&x, s + i, 8);
        /* bytes up to ' ' (x - 0x21 borrows), from 0x80, 0x7F, '<', '&' */
        bad = ((x - 0x21 * ONES) & ~x & HIGH) | (x & HIGH) | zero_bytes(x ^ 0x7F * ONES) |
              zero_bytes(x ^ (uint64_t)'<' * ONES) | zero_bytes(x ^ (uint64_t)'&' * ONES);
        if (bad)
            return i + (size_t)(spamlr__ctz64(bad) >> 3);
        i += 8;
    }
    while (i < n && (c = (unsigned char)s[i]) > ' ' && c < 0x7F && c != '<' && c != '&')
        i++;
    return i;
}

int spamlr__html_to_text(spamlr__buf *out, size_t max_len, const char *s, size_t n,
                         spamlr__html_info *info)
{
    hctx h;
    size_t i = 0, start, k;
    uint32_t cp;
    int r = 0;

    memset(&h, 0, sizeof h);
    h.out = out;
    h.max = max_len;
    h.info = info;
    if (out->len >= max_len)
        return 0;
    while (i < n && !r) {
        unsigned char c = (unsigned char)s[i];
        if (c == '<') {
            i = tag(&h, s, n, i, &r);
            continue;
        }
        if (c == '&') {
            k = entity(s, n, i, &cp, 0);
            if (k) {
                r = put_cp(&h, cp);
                i += k;
            } else {
                r = put_bytes(&h, "&", 1);
                i++;
            }
            continue;
        }
        if (c < 0x20 || c == 0x7F || c == ' ') {
            h.space = 1;
            i++;
            continue;
        }
        if (c >= 0x80) {
            k = spamlr__cs_utf8_seq((const unsigned char *)s + i, n - i);
            if (k == 2 && c == 0xC2 && (unsigned char)s[i + 1] <= 0xA0) {
                h.space = 1;             /* C1 control or no-break space */
                i += 2;
                continue;
            }
            if (!k) {
                i++;
                continue;
            }
            r = put_bytes(&h, s + i, k);
            i += k;
            continue;
        }
        /* a run of plain ASCII, single spaces included */
        start = i;
        for (;;) {
            i = plain_end(s, i, n);
            if (i + 1 < n && s[i] == ' ' && (c = (unsigned char)s[i + 1]) > ' ' && c < 0x7F &&
                c != '<' && c != '&') {
                i++;
                continue;
            }
            break;
        }
        r = put_bytes(&h, s + start, i - start);
        if (h.full)
            break;
    }
    return r;
}

int spamlr__html_sniff(const char *s, size_t n)
{
    size_t i = 0;

    if (n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
        i = 3;
    while (i < n && is_ws((unsigned char)s[i]))
        i++;
    s += i;
    n -= i;
    return (n >= 5 && ieq(s, 5, "<html")) || (n >= 14 && ieq(s, 14, "<!doctype html")) ||
           (n >= 5 && ieq(s, 5, "<head")) || (n >= 5 && ieq(s, 5, "<body"));
}

size_t spamlr__html_meta_charset(const char *s, size_t n, const char **cs)
{
    size_t p = 0, e, j, k;

    if (n > 4096)
        n = 4096;
    while ((p = ifind(s, n, p, "<meta")) < n) {
        for (e = p; e < n && s[e] != '>'; e++)
            ;
        j = ifind(s, e, p, "charset");
        if (j < e) {
            j += 7;
            while (j < e && is_ws((unsigned char)s[j]))
                j++;
            if (j < e && s[j] == '=') {
                j++;
                while (j < e && (is_ws((unsigned char)s[j]) || s[j] == '"' || s[j] == '\''))
                    j++;
                for (k = j; k < e && (is_alnum((unsigned char)s[k]) || s[k] == '-' ||
                                      s[k] == '_' || s[k] == ':' || s[k] == '.');
                     k++)
                    ;
                if (k > j) {
                    *cs = s + j;
                    return k - j;
                }
            }
        }
        p = e;
    }
    return 0;
}
