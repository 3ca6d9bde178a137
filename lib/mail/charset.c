/* charset.c - declared charset -> UTF-8 (iconv + fallback detection). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <string.h>

#include "mail/charset.h"

/* How a charset name is treated (see the rules in charset.h). */
enum {
    CS_WESTERN,   /* undeclared, ascii, latin-1, cp1252: detection */
    CS_UTF8,      /* utf-8: detection when invalid */
    CS_WIDE,      /* utf-16/32: iconv, no UTF-8 check */
    CS_STATEFUL,  /* 7-bit stateful: iconv even for pure ASCII */
    CS_OTHER      /* anything else: iconv */
};

typedef struct cs_alias {
    const char *name;
    const char *iconv;   /* NULL = the name itself */
    int kind;
} cs_alias;

static const cs_alias aliases[] = {
    {"us-ascii", NULL, CS_WESTERN}, {"ascii", NULL, CS_WESTERN},
    {"us", NULL, CS_WESTERN}, {"ansi_x3.4-1968", NULL, CS_WESTERN},
    {"iso646-us", NULL, CS_WESTERN}, {"iso-8859-1", NULL, CS_WESTERN},
    {"iso8859-1", NULL, CS_WESTERN}, {"iso_8859-1", NULL, CS_WESTERN},
    {"iso_8859-1:1987", NULL, CS_WESTERN}, {"latin1", NULL, CS_WESTERN},
    {"latin-1", NULL, CS_WESTERN}, {"l1", NULL, CS_WESTERN},
    {"cp819", NULL, CS_WESTERN}, {"ibm819", NULL, CS_WESTERN},
    {"iso-ir-100", NULL, CS_WESTERN}, {"csisolatin1", NULL, CS_WESTERN},
    {"windows-1252", NULL, CS_WESTERN}, {"cp1252", NULL, CS_WESTERN},
    {"x-cp1252", NULL, CS_WESTERN}, {"cp-1252", NULL, CS_WESTERN},
    {"win-1252", NULL, CS_WESTERN}, {"ms-ansi", NULL, CS_WESTERN},
    {"utf-8", NULL, CS_UTF8}, {"utf8", NULL, CS_UTF8},
    {"x-utf8", NULL, CS_UTF8}, {"x-utf-8", NULL, CS_UTF8},
    {"unicode-1-1-utf-8", NULL, CS_UTF8}, {"x-unicode20utf8", NULL, CS_UTF8},
    {"unicode", "UTF-16LE", CS_WIDE},
    {"gb2312", "GB18030", CS_OTHER}, {"gbk", "GB18030", CS_OTHER},
    {"gb18030", "GB18030", CS_OTHER}, {"cp936", "GB18030", CS_OTHER},
    {"ms936", "GB18030", CS_OTHER}, {"windows-936", "GB18030", CS_OTHER},
    {"x-gbk", "GB18030", CS_OTHER}, {"euc-cn", "GB18030", CS_OTHER},
    {"x-euc-cn", "GB18030", CS_OTHER}, {"csgb2312", "GB18030", CS_OTHER},
    {"gb_2312-80", "GB18030", CS_OTHER}, {"gb2312-80", "GB18030", CS_OTHER},
    {"chinese", "GB18030", CS_OTHER}, {"iso-ir-58", "GB18030", CS_OTHER},
    {"cn-gb", "GB18030", CS_OTHER}, {"x-gb2312", "GB18030", CS_OTHER},
    {"big5", "BIG5-HKSCS", CS_OTHER}, {"big-5", "BIG5-HKSCS", CS_OTHER},
    {"x-big5", "BIG5-HKSCS", CS_OTHER}, {"cn-big5", "BIG5-HKSCS", CS_OTHER},
    {"csbig5", "BIG5-HKSCS", CS_OTHER}, {"big5-hkscs", "BIG5-HKSCS", CS_OTHER},
    {"big5hkscs", "BIG5-HKSCS", CS_OTHER}, {"cp950", "BIG5-HKSCS", CS_OTHER},
    {"x-x-big5", "BIG5-HKSCS", CS_OTHER}, {"chinesebig5", "BIG5-HKSCS", CS_OTHER},
    {"shift_jis", "CP932", CS_OTHER}, {"shift-jis", "CP932", CS_OTHER},
    {"sjis", "CP932", CS_OTHER}, {"x-sjis", "CP932", CS_OTHER},
    {"ms_kanji", "CP932", CS_OTHER}, {"csshiftjis", "CP932", CS_OTHER},
    {"windows-31j", "CP932", CS_OTHER}, {"cp932", "CP932", CS_OTHER},
    {"ms932", "CP932", CS_OTHER}, {"x-ms-cp932", "CP932", CS_OTHER},
    {"euc-kr", "CP949", CS_OTHER}, {"ks_c_5601-1987", "CP949", CS_OTHER},
    {"ks_c_5601", "CP949", CS_OTHER}, {"ksc5601", "CP949", CS_OTHER},
    {"ksc_5601", "CP949", CS_OTHER}, {"korean", "CP949", CS_OTHER},
    {"cseuckr", "CP949", CS_OTHER}, {"x-euc-kr", "CP949", CS_OTHER},
    {"cp949", "CP949", CS_OTHER}, {"uhc", "CP949", CS_OTHER},
    {"windows-949", "CP949", CS_OTHER}, {"ms949", "CP949", CS_OTHER},
    {"iso-ir-149", "CP949", CS_OTHER}, {"csksc56011987", "CP949", CS_OTHER},
    {"euc-jp", "EUC-JP-MS", CS_OTHER}, {"x-euc-jp", "EUC-JP-MS", CS_OTHER},
    {"eucjp", "EUC-JP-MS", CS_OTHER}, {"cseucpkdfmtjapanese", "EUC-JP-MS", CS_OTHER},
    {"iso-2022-jp", "ISO-2022-JP-2", CS_STATEFUL},
    {"csiso2022jp", "ISO-2022-JP-2", CS_STATEFUL},
    {"iso-2022-jp-2", "ISO-2022-JP-2", CS_STATEFUL},
    {"utf-7", "UTF-7", CS_STATEFUL}, {"unicode-1-1-utf-7", "UTF-7", CS_STATEFUL},
    {"x-unicode20utf7", "UTF-7", CS_STATEFUL},
    {"iso-8859-8-i", "ISO-8859-8", CS_OTHER}, {"iso-8859-8-e", "ISO-8859-8", CS_OTHER},
    {"iso-8859-6-i", "ISO-8859-6", CS_OTHER}, {"iso-8859-6-e", "ISO-8859-6", CS_OTHER},
    {"x-mac-roman", "MACINTOSH", CS_OTHER}, {"macintosh", "MACINTOSH", CS_OTHER},
    {"windows-874", "CP874", CS_OTHER}, {"x-windows-874", "CP874", CS_OTHER},
};

/* Code points of windows-1252 bytes 0x80..0x9F (0 = unassigned). */
static const uint16_t cp1252_hi[32] = {
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
    0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

uint32_t spamlr__cs_cp1252(unsigned char b)
{
    if (b >= 0x80 && b < 0xA0)
        return cp1252_hi[b - 0x80];
    return b;
}

size_t spamlr__cs_utf8_put(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp >= 0xD800 && cp <= 0xDFFF)
        return 0;
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    if (cp > 0x10FFFF)
        return 0;
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

size_t spamlr__cs_utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    unsigned char lo = 0x80, hi = 0xBF;
    size_t need, i;

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        need = 1;
    else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (n <= need)
        return 0;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (i = 2; i <= need; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return need + 1;
}

size_t spamlr__cs_utf8_prefix(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, k;
    uint64_t w;

    while (i < len) {
        /* ASCII 32 bytes at a time (the compiler makes one vector test of
         * it), then 8 */
        while (len - i >= 32) {
            uint64_t a, b, c, d;

            memcpy(&a, s + i, 8);
            memcpy(&b, s + i + 8, 8);
            memcpy(&c, s + i + 16, 8);
            memcpy(&d, s + i + 24, 8);
            if ((a | b | c | d) & 0x8080808080808080ULL)
                break;
            i += 32;
        }
        while (len - i >= 8) {
            memcpy(&w, s + i, 8);
            if (w & 0x8080808080808080ULL)
                break;
            i += 8;
        }
        if (i >= len)
            break;
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        k = spamlr__cs_utf8_seq(s + i, len - i);
        if (!k)
            return i;
        i += k;
    }
    return len;
}

size_t spamlr__charset_name(const char *cs, size_t cslen, char *name, size_t size)
{
    size_t i, j = 0;

    if (size == 0)
        return 0;
    name[0] = '\0';
    if (!cs)
        return 0;
    for (i = 0; i < cslen; i++) {
        unsigned char c = (unsigned char)cs[i];
        if (c == '"' || c == '\'' || c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + 32);
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_' || c == '.' || c == ':' || c == '+' || c == '(' || c == ')'))
            goto bad;
        if (j + 1 >= size)
            goto bad;
        name[j++] = (char)c;
    }
    name[j] = '\0';
    return j;
bad:
    name[0] = '\0';
    return 0;
}

static int classify(const char *name, const char **iconv_name)
{
    size_t i;

    *iconv_name = name;
    if (!name[0])
        return CS_WESTERN;
    for (i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
        if (strcmp(name, aliases[i].name) == 0) {
            if (aliases[i].iconv)
                *iconv_name = aliases[i].iconv;
            return aliases[i].kind;
        }
    }
    if (!strncmp(name, "utf-16", 6) || !strncmp(name, "utf-32", 6) ||
        !strncmp(name, "utf16", 5) || !strncmp(name, "utf32", 5) ||
        !strncmp(name, "ucs-2", 5) || !strncmp(name, "ucs-4", 5) ||
        !strncmp(name, "ucs2", 4) || !strncmp(name, "ucs4", 4))
        return CS_WIDE;
    if (!strncmp(name, "iso-2022", 8) || !strncmp(name, "utf-7", 5) ||
        !strncmp(name, "hz", 2))
        return CS_STATEFUL;
    return CS_OTHER;
}

/* Could classify() call this name CS_WIDE or CS_STATEFUL? */
static int may_be_special(const char *n)
{
    return !strncmp(n, "utf-1", 5) || !strncmp(n, "utf-3", 5) || !strncmp(n, "utf1", 4) ||
           !strncmp(n, "utf3", 4) || !strncmp(n, "ucs", 3) || !strncmp(n, "unicode", 7) ||
           !strncmp(n, "utf-7", 5) || !strncmp(n, "iso-2022", 8) ||
           !strncmp(n, "csiso2022", 9) || !strncmp(n, "hz", 2) || !strncmp(n, "x-unicode20", 11);
}

void spamlr__iconv_cache_init(spamlr__iconv_cache *c)
{
    memset(c, 0, sizeof *c);
}

void spamlr__iconv_cache_free(spamlr__iconv_cache *c)
{
    unsigned i;

    if (!c)
        return;
    for (i = 0; i < SPAMLR__ICONV_SLOTS; i++)
        if (c->slot[i].name[0] && !c->slot[i].failed)
            iconv_close(c->slot[i].cd);
    memset(c, 0, sizeof *c);
}

/* glibc loads a gconv module at the first iconv_open of a charset and
 * unloads it when the last descriptor closes, so opening and closing one
 * per message (the cache lives as long as one parse) cost a dlopen and a
 * dlclose each time: milliseconds of latency and a process-wide loader
 * lock that stops threads from scaling. One descriptor per charset name
 * (up to PIN_MAX) is therefore kept open for the life of the process, never
 * used, only to keep its module loaded. */
#define PIN_MAX 64
static struct {
    pthread_mutex_t lock;
    unsigned n;
    char name[PIN_MAX][32];
    iconv_t cd[PIN_MAX];     /* kept reachable: held on purpose, not leaked */
} pins = {PTHREAD_MUTEX_INITIALIZER, 0, {{0}}, {0}};

static void pin_module(const char *name)
{
    unsigned i;
    iconv_t cd;

    if (strlen(name) >= sizeof pins.name[0] || pthread_mutex_lock(&pins.lock) != 0)
        return;
    for (i = 0; i < pins.n && strcmp(pins.name[i], name) != 0; i++)
        ;
    if (i == pins.n && pins.n < PIN_MAX && (cd = iconv_open("UTF-8", name)) != (iconv_t)-1) {
        pins.cd[pins.n] = cd; /* never closed */
        strcpy(pins.name[pins.n++], name);
    }
    pthread_mutex_unlock(&pins.lock);
}

/* An open descriptor for name -> UTF-8, or NULL when iconv has none. */
static iconv_t *cache_get(spamlr__iconv_cache *c, const char *name)
{
    unsigned i;
    iconv_t cd;

    if (strlen(name) >= sizeof c->slot[0].name)
        return NULL;
    for (i = 0; i < SPAMLR__ICONV_SLOTS; i++) {
        if (c->slot[i].name[0] && strcmp(c->slot[i].name, name) == 0)
            return c->slot[i].failed ? NULL : &c->slot[i].cd;
    }
    i = c->next;
    c->next = (c->next + 1) % SPAMLR__ICONV_SLOTS;
    if (c->slot[i].name[0] && !c->slot[i].failed)
        iconv_close(c->slot[i].cd);
    cd = iconv_open("UTF-8", name);
    if (cd != (iconv_t)-1)
        pin_module(name);
    strcpy(c->slot[i].name, name);
    c->slot[i].failed = cd == (iconv_t)-1;
    c->slot[i].cd = cd;
    return c->slot[i].failed ? NULL : &c->slot[i].cd;
}

/* Output sink with a cap: appends whole characters while room is left. */
typedef struct sink {
    spamlr__buf *b;
    size_t max;        /* cap on b->len */
    int full;          /* the cap was hit */
    int last_bad;      /* the last thing written was U+FFFD */
} sink;

static int sink_put(sink *s, const char *p, size_t n)
{
    size_t room;

    if (s->full || n == 0)
        return 0;
    room = s->max - s->b->len;
    if (n > room) {
        n = room;
        while (n > 0 && ((unsigned char)p[n] & 0xC0) == 0x80)
            n--;
        s->full = 1;
    }
    s->last_bad = 0;
    return spamlr__buf_append(s->b, p, n);
}

static int sink_bad(sink *s)
{
    int r;

    if (s->last_bad)
        return 0;
    r = sink_put(s, "\xEF\xBF\xBD", 3);
    s->last_bad = 1;
    return r;
}

/* Appends iconv output, which is whole characters but not always valid
 * UTF-8 (glibc passes UCS-4 values above U+10FFFF through as 5- and
 * 6-byte forms): invalid sequences become U+FFFD. */
static int sink_checked(sink *s, const char *p, size_t n)
{
    size_t ok, k;
    int r;

    while (n > 0) {
        ok = spamlr__cs_utf8_prefix(p, n);
        if ((r = sink_put(s, p, ok)))
            return r;
        if (ok == n)
            return 0;
        if ((r = sink_bad(s)))
            return r;
        /* skip the bad lead byte and its continuation bytes */
        for (k = ok + 1; k < n && ((unsigned char)p[k] & 0xC0) == 0x80; k++)
            ;
        p += k;
        n -= k;
    }
    return 0;
}

/* UTF-8 where valid, windows-1252 for every other byte. */
static int decode_mixed(sink *s, const unsigned char *in, size_t len)
{
    size_t i = 0, start = 0, k;
    char u[4];
    uint32_t cp;
    int r;

    while (i < len && !s->full) {
        /* over the valid run, ASCII a word at a time */
        k = spamlr__cs_utf8_prefix((const char *)in + i, len - i);
        if (k) {
            i += k;
            continue;
        }
        if ((r = sink_put(s, (const char *)in + start, i - start)))
            return r;
        cp = spamlr__cs_cp1252(in[i]);
        if (cp)
            r = sink_put(s, u, spamlr__cs_utf8_put(cp, u));
        else
            r = sink_bad(s);
        if (r)
            return r;
        start = ++i;
    }
    return sink_put(s, (const char *)in + start, i - start);
}

/* Do the bytes decode as GB18030 without error and look Chinese: a run of
 * two or more GB2312-zone characters, Han for at least half of the
 * multibyte characters and GB2312-zone for three quarters of them? */
static int looks_gb(const unsigned char *s, size_t n)
{
    size_t i = 0, pairs = 0, han = 0, strong = 0, run = 0, maxrun = 0;

    while (i < n) {
        unsigned char c = s[i], d;
        if (c < 0x80) {
            i++;
            run = 0;
            continue;
        }
        if (c == 0x80 || c == 0xFF)
            return 0;
        if (i + 1 >= n)
            break;                       /* cut at the end: tolerated */
        d = s[i + 1];
        if (d >= 0x30 && d <= 0x39) {    /* four-byte form */
            if (i + 3 >= n)
                break;
            if (s[i + 2] < 0x81 || s[i + 2] > 0xFE || s[i + 3] < 0x30 || s[i + 3] > 0x39)
                return 0;
            pairs++;
            run = 0;
            i += 4;
            continue;
        }
        if (d < 0x40 || d == 0x7F || d == 0xFF)
            return 0;
        pairs++;
        if (c >= 0xA1 && c <= 0xF7 && d >= 0xA1 && (c <= 0xA9 || c >= 0xB0)) {
            strong++;
            if (c >= 0xB0)
                han++;
            if (++run > maxrun)
                maxrun = run;
        } else
            run = 0;
        i += 2;
    }
    return maxrun >= 2 && han * 2 >= pairs && strong * 4 >= pairs * 3;
}

/* iconv conversion that skips what it cannot convert. */
static int decode_iconv(sink *s, iconv_t cd, const char *in, size_t len)
{
    char obuf[4096];
    char *ip = (char *)in, *op;
    size_t ileft = len, oleft, r;
    int e, rc;

    iconv(cd, NULL, NULL, NULL, NULL);
    while (ileft > 0 && !s->full) {
        op = obuf;
        oleft = sizeof obuf;
        r = iconv(cd, &ip, &ileft, &op, &oleft);
        e = errno;
        if ((rc = sink_checked(s, obuf, (size_t)(op - obuf))))
            return rc;
        if (r != (size_t)-1)
            break;
        if (e == E2BIG && op != obuf)
            continue;
        if (e == E2BIG)
            break;
        if ((rc = sink_bad(s)))
            return rc;
        if (e != EILSEQ)
            break;                       /* EINVAL: incomplete at the end */
        ip++;
        ileft--;
    }
    op = obuf;
    oleft = sizeof obuf;
    iconv(cd, NULL, NULL, &op, &oleft);
    return sink_checked(s, obuf, (size_t)(op - obuf));
}

/* Removes U+FEFF from what a conversion appended after `from`. */
static void drop_bom(spamlr__buf *b, size_t from)
{
    size_t i, j;

    if (b->len - from < 3 || !memchr(b->data + from, 0xEF, b->len - from))
        return;
    for (i = j = from; i < b->len;) {
        if (b->len - i >= 3 && (unsigned char)b->data[i] == 0xEF &&
            (unsigned char)b->data[i + 1] == 0xBB && (unsigned char)b->data[i + 2] == 0xBF) {
            i += 3;
            continue;
        }
        b->data[j++] = b->data[i++];
    }
    b->len = j;
    b->data[j] = '\0';
}

int spamlr__charset_decode(spamlr__iconv_cache *c, const char *cs, size_t cslen,
                           const char *in, size_t len, spamlr__buf *scratch,
                           const char **out, size_t *outlen, size_t max_out)
{
    char name[40];
    const char *iname;
    iconv_t *cd;
    int kind, r;
    sink s;

    spamlr__charset_name(cs, cs ? cslen : 0, name, sizeof name);
    /* the alias table is only searched when the bytes are not usable as
     * they are, or when the name may be a wide or 7-bit stateful one */
    kind = may_be_special(name) ? classify(name, &iname) : -1;
    if (kind != CS_WIDE && kind != CS_STATEFUL && spamlr__cs_utf8_prefix(in, len) == len) {
        if (len >= 3 && !memcmp(in, "\xEF\xBB\xBF", 3)) {
            in += 3;
            len -= 3;
        }
        if (len > max_out) {
            len = max_out;
            while (len > 0 && ((unsigned char)in[len] & 0xC0) == 0x80)
                len--;
        }
        *out = in;
        *outlen = len;
        return SPAMLR_OK;
    }
    if (kind < 0)
        kind = classify(name, &iname);
    scratch->len = 0;
    if (scratch->data)
        scratch->data[0] = '\0';
    s.b = scratch;
    s.max = max_out;
    s.full = 0;
    s.last_bad = 0;
    cd = NULL;
    if (kind != CS_WESTERN && kind != CS_UTF8) {
        cd = cache_get(c, iname);
        if (!cd)
            kind = CS_WESTERN;           /* unknown to iconv */
    }
    if (cd)
        r = decode_iconv(&s, *cd, in, len);
    else if (looks_gb((const unsigned char *)in, len) && (cd = cache_get(c, "GB18030")))
        r = decode_iconv(&s, *cd, in, len);
    else
        r = decode_mixed(&s, (const unsigned char *)in, len);
    if (r)
        return r;
    drop_bom(scratch, 0);
    *out = scratch->data ? scratch->data : "";
    *outlen = scratch->len;
    return SPAMLR_OK;
}
