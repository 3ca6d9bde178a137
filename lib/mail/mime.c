/* mime.c - RFC 5322 / MIME message -> UTF-8 text + header tokens. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/charset.h"
#include "mail/html.h"
#include "mail/mime.h"

#define HARD_MAX_DEPTH 128u
#define MAX_FIELDS 32
#define FIELD_NAME_MAX 48
#define SEEN_MAX 256
#define MAX_DEFERRED 64

void spamlr__mime_opts_init(spamlr__mime_opts *o)
{
    memset(o, 0, sizeof *o);
    o->max_depth = 32;
    o->max_header_line = 65536;
    o->max_output = (size_t)4 << 20;
    o->max_part = (size_t)16 << 20;
    o->html_tokens = 1;
    o->fields = NULL;
}

/* -------------------------------------------------------------- context */

enum { CTE_NONE, CTE_BASE64, CTE_QP };
enum { ENT_TOP, ENT_CHILD, ENT_MESSAGE };

/* What the header of one entity says about its body. */
typedef struct entity {
    char type[64];          /* "type/subtype", lower-case; "" = none/invalid */
    char charset[48];       /* as declared; "" = none */
    char boundary[200];
    size_t blen;            /* 0 = none (or unusable) */
    char filename[160];     /* raw parameter value */
    size_t fnlen;
    int fn_ext;             /* filename is RFC 2231 charset'lang'bytes */
    int fn_from_disp;       /* filename came from Content-Disposition */
    int cte;
    int have_ctype, have_cte;
} entity;

typedef struct hfield {
    const char *name, *val;
    size_t nlen, vlen;
} hfield;

typedef struct pctx {
    const spamlr__mime_opts *mo;
    const spamlr_text_opts *to;
    spamlr_token_fn tok;
    void *tctx;
    int tok_stop;
    int err;                /* first hard error */
    int limit;              /* an entity was nested too deep */
    spamlr__buf *text;
    size_t text_max;        /* cap on text->len */
    unsigned max_depth;
    size_t max_header;
    size_t max_part;
    char fields[MAX_FIELDS][FIELD_NAME_MAX];
    size_t nfields;
    int want_struct;        /* "content-type" is in the allow-list */
    spamlr__buf hv;         /* unfolded header value */
    spamlr__buf hd;         /* decoded header value */
    spamlr__buf hx;         /* second decoded value / unquoting */
    spamlr__buf ew;         /* bytes of pending encoded words */
    spamlr__buf cs;         /* conversion scratch for header text */
    spamlr__buf body;       /* transfer-decoded body */
    spamlr__buf conv;       /* charset-converted body */
    spamlr__iconv_cache ic;
    uint32_t seen[SEEN_MAX];
    size_t nseen;
    unsigned images;
    const char *prefix;
    size_t plen;
    char tokbuf[512];
    char hdr_cs[48];        /* charset for raw 8-bit header text */
    hfield deferred[MAX_DEFERRED]; /* allow-listed top-level fields */
    int deferred_idx[MAX_DEFERRED];
    size_t ndeferred;
} pctx;

static void set_err(pctx *c, int r)
{
    if (r && !c->err)
        c->err = r;
}

/* -------------------------------------------------------------- tokens */

static void emit2(pctx *c, const char *a, size_t al, const char *b, size_t bl)
{
    if (!c->tok || c->tok_stop || al + bl > sizeof c->tokbuf || al + bl == 0)
        return;
    memcpy(c->tokbuf, a, al);
    memcpy(c->tokbuf + al, b, bl);
    if (c->tok(c->tctx, c->tokbuf, al + bl))
        c->tok_stop = 1;
}

/* Emits prefix+t unless it was emitted before in this message. */
static void emit_once(pctx *c, const char *prefix, const char *t, size_t tl)
{
    size_t pl = strlen(prefix), i;
    uint32_t h;

    if (!c->tok || c->tok_stop || pl + tl > sizeof c->tokbuf)
        return;
    memcpy(c->tokbuf, prefix, pl);
    memcpy(c->tokbuf + pl, t, tl);
    h = spamlr__hash(c->tokbuf, pl + tl);
    for (i = 0; i < c->nseen; i++)
        if (c->seen[i] == h)
            return;
    if (c->nseen == SEEN_MAX)
        return;
    c->seen[c->nseen++] = h;
    if (c->tok(c->tctx, c->tokbuf, pl + tl))
        c->tok_stop = 1;
}

static int prefix_cb(void *ctx, const char *t, size_t n)
{
    pctx *c = ctx;

    emit2(c, c->prefix, c->plen, t, n);
    return c->tok_stop;
}

/* Tokenises UTF-8 text with the caller's options, each token prefixed. */
static void tokenize_with(pctx *c, const char *prefix, const char *v, size_t n)
{
    int r;

    if (!c->tok || c->tok_stop || n == 0)
        return;
    c->prefix = prefix;
    c->plen = strlen(prefix);
    r = spamlr_tokenize(c->to, v, n, prefix_cb, c);
    if (r == SPAMLR_EINVAL || r == SPAMLR_ENOMEM)
        set_err(c, r);
}

static const char *bucket(unsigned n)
{
    return n == 0 ? "0" : n == 1 ? "1" : n <= 5 ? "2-5" : "6+";
}

/* ------------------------------------------------------------- helpers */

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int is_wsp(int c)
{
    return c == ' ' || c == '\t';
}

static int is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Case-insensitive: does s[0..n) equal the lower-case literal? */
static int ieq(const char *s, size_t n, const char *lit)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!lit[i] || lower((unsigned char)s[i]) != lit[i])
            return 0;
    return lit[n] == '\0';
}

static int iprefix(const char *s, size_t n, const char *lit)
{
    size_t m = strlen(lit);

    return n >= m && ieq(s, m, lit);
}

static void trim(const char **s, size_t *n)
{
    while (*n > 0 && is_space((unsigned char)**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && is_space((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

static int hexv(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = lower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* ------------------------------------------------ transfer encodings */

static int b64v(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Appends the base64 decoding of s[0..n) to out, at most max bytes more.
 * Characters outside the alphabet are skipped; '=' ends a quantum (so
 * concatenated encodings decode too); a cut final quantum gives what it
 * holds. */
static int b64_decode(const char *s, size_t n, spamlr__buf *out, size_t max)
{
    size_t i, cap = n / 4 * 3 + 3;
    uint32_t acc = 0;
    unsigned k = 0;
    unsigned char *o, *end;
    int v;

    if (cap > max)
        cap = max;
    if (spamlr__buf_reserve(out, cap + 3))
        return SPAMLR_ENOMEM;
    o = (unsigned char *)out->data + out->len;
    end = o + cap;
    for (i = 0; i < n && o < end; i++) {
        v = b64v((unsigned char)s[i]);
        if (v < 0) {
            if (s[i] == '=' && k >= 2) {
                *o++ = (unsigned char)(acc >> (k == 2 ? 4 : 10));
                if (k == 3)
                    *o++ = (unsigned char)(acc >> 2);
                k = 0;
                acc = 0;
            }
            continue;
        }
        acc = acc << 6 | (uint32_t)v;
        if (++k == 4) {
            *o++ = (unsigned char)(acc >> 16);
            *o++ = (unsigned char)(acc >> 8);
            *o++ = (unsigned char)acc;
            k = 0;
            acc = 0;
        }
    }
    if (k >= 2 && o < end) {
        *o++ = (unsigned char)(acc >> (k == 2 ? 4 : 10));
        if (k == 3)
            *o++ = (unsigned char)(acc >> 2);
    }
    if (o > end)
        o = end;
    out->len = (size_t)((char *)o - out->data);
    out->data[out->len] = '\0';
    return SPAMLR_OK;
}

/* Appends the quoted-printable decoding of s[0..n) (at most max bytes).
 * `header`: RFC 2047 Q form, where '_' is a space. Broken escapes are
 * kept as they are. */
static int qp_decode(const char *s, size_t n, spamlr__buf *out, size_t max, int header)
{
    size_t i = 0, j, cap = n < max ? n : max;
    char *o, *end;
    int hi, lo;

    if (spamlr__buf_reserve(out, cap))
        return SPAMLR_ENOMEM;
    o = out->data + out->len;
    end = o + cap;
    while (i < n && o < end) {
        char ch = s[i];
        if (ch == '_' && header) {
            *o++ = ' ';
            i++;
            continue;
        }
        if (ch != '=') {
            *o++ = ch;
            i++;
            continue;
        }
        if (i + 2 < n && (hi = hexv((unsigned char)s[i + 1])) >= 0 &&
            (lo = hexv((unsigned char)s[i + 2])) >= 0) {
            *o++ = (char)(hi * 16 + lo);
            i += 3;
            continue;
        }
        /* soft line break: '=' then blanks then a line end (or the end) */
        for (j = i + 1; j < n && is_wsp((unsigned char)s[j]); j++)
            ;
        if (j < n && s[j] == '\r')
            j++;
        if (j >= n) {
            i = n;
            continue;
        }
        if (s[j] == '\n') {
            i = j + 1;
            continue;
        }
        *o++ = '=';
        i++;
    }
    out->len = (size_t)(o - out->data);
    out->data[out->len] = '\0';
    return SPAMLR_OK;
}

/* --------------------------------------------------------------- text */

/* Appends UTF-8 s[0..n) to the text, CRLF and CR as LF, other controls
 * (C0 but tab and LF, DEL, C1) and invalid UTF-8 bytes as spaces, cut at
 * the text cap. */
static void text_append(pctx *c, const char *s, size_t n)
{
    spamlr__buf *t = c->text;
    size_t room, i = 0, k;
    char *o, *end;

    if (t->len >= c->text_max || n == 0)
        return;
    room = c->text_max - t->len;
    if (spamlr__buf_reserve(t, n < room ? n : room)) {
        set_err(c, SPAMLR_ENOMEM);
        return;
    }
    o = t->data + t->len;
    end = o + (n < room ? n : room);
    while (i < n && o < end) {
        unsigned char b = (unsigned char)s[i];
        uint64_t w, ctl;
        /* eight printable ASCII bytes at a time */
        while (n - i >= 8 && (size_t)(end - o) >= 8) {
            memcpy(&w, s + i, 8);
            ctl = (w | ((w - 0x2020202020202020ULL) & ~w) |
                   ((w ^ 0x7F7F7F7F7F7F7F7FULL) - 0x0101010101010101ULL)) &
                  0x8080808080808080ULL;
            if (ctl)
                break;
            memcpy(o, &w, 8);
            o += 8;
            i += 8;
        }
        if (i >= n || o >= end)
            break;
        b = (unsigned char)s[i];
        if (b >= 0x20 && b < 0x7F) {
            *o++ = (char)b;
            i++;
        } else if (b == '\n' || b == '\t') {
            *o++ = (char)b;
            i++;
        } else if (b == '\r') {
            *o++ = '\n';
            i += (i + 1 < n && s[i + 1] == '\n') ? 2 : 1;
        } else if (b < 0x80) {
            *o++ = ' ';
            i++;
        } else if (b == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
                   (unsigned char)s[i + 1] < 0xA0) {
            *o++ = ' ';
            i += 2;
        } else if (!(k = spamlr__cs_utf8_seq((const unsigned char *)s + i, n - i))) {
            /* not valid UTF-8 after all (iconv turns UCS-4 values above
             * U+10FFFF into 5- and 6-byte forms): a space per bad byte */
            *o++ = ' ';
            i++;
        } else {
            if (k > (size_t)(end - o)) { /* cut before a split character */
                end = o;
                break;
            }
            memcpy(o, s + i, k);
            o += k;
            i += k;
        }
    }
    t->len = (size_t)(o - t->data);
    t->data[t->len] = '\0';
}

/* Starts a part's text: a "\n" after earlier text. Returns the mark for
 * part_end(). */
static size_t part_begin(pctx *c)
{
    spamlr__buf *t = c->text;
    size_t mark = t->len;

    if (t->len > 0 && t->data[t->len - 1] != '\n' && t->len < c->text_max) {
        if (spamlr__buf_putc(t, '\n'))
            set_err(c, SPAMLR_ENOMEM);
    }
    return mark;
}

/* Takes the separator back when the part gave no text. */
static void part_end(pctx *c, size_t mark)
{
    spamlr__buf *t = c->text;

    if (t->len == mark + 1 && t->data[mark] == '\n') {
        t->len = mark;
        t->data[mark] = '\0';
    }
}

/* --------------------------------------------------------- header text */

/* Unfolds the raw value v[0..n) into c->hv (CR/LF removed, trimmed, cut
 * at max_header). */
static int unfold(pctx *c, const char *v, size_t n, const char **out, size_t *olen)
{
    size_t i, m = 0, cap = n < c->max_header ? n : c->max_header;
    char *o;
    const char *s;

    c->hv.len = 0;
    if (spamlr__buf_reserve(&c->hv, cap))
        return SPAMLR_ENOMEM;
    o = c->hv.data;
    for (i = 0; i < n && m < cap; i++)
        if (v[i] != '\r' && v[i] != '\n')
            o[m++] = v[i];
    o[m] = '\0';
    c->hv.len = m;
    s = o;
    trim(&s, &m);
    *out = s;
    *olen = m;
    return SPAMLR_OK;
}

/* Converts s[0..n) in charset cs to UTF-8 and appends it to out. */
static void append_converted(pctx *c, const char *cs, size_t cslen, const char *s, size_t n,
                             spamlr__buf *out)
{
    const char *u;
    size_t ulen;
    int r;

    if (n == 0)
        return;
    r = spamlr__charset_decode(&c->ic, cs, cslen, s, n, &c->cs, &u, &ulen, c->max_header * 4);
    if (!r)
        r = spamlr__buf_append(out, u, ulen);
    set_err(c, r);
}

static void charset_token(pctx *c, const char *cs, size_t cslen)
{
    char name[40];
    size_t n;

    if (!c->want_struct)
        return;
    n = spamlr__charset_name(cs, cslen, name, sizeof name);
    if (n)
        emit_once(c, "charset:", name, n);
}

/* Parses an RFC 2047 encoded word at v[i] ("=?"). */
static int encoded_word(const char *v, size_t n, size_t i, const char **cs, size_t *cslen,
                        int *enc, const char **txt, size_t *tlen, size_t *end)
{
    size_t j = i + 2, c0 = j, e, lim;

    while (j < n && v[j] != '?' && !is_space((unsigned char)v[j]) && j - c0 < 64)
        j++;
    if (j >= n || v[j] != '?' || j == c0)
        return 0;
    *cs = v + c0;
    *cslen = j - c0;
    for (e = 0; e < *cslen; e++)          /* RFC 2231: charset*language */
        if ((*cs)[e] == '*') {
            *cslen = e;
            break;
        }
    j++;
    if (j + 1 >= n || v[j + 1] != '?')
        return 0;
    *enc = lower((unsigned char)v[j]);
    if (*enc != 'b' && *enc != 'q')
        return 0;
    j += 2;
    lim = n - j > 1024 ? j + 1024 : n;
    for (e = j; e + 1 < lim; e++) {
        if (is_space((unsigned char)v[e]))
            return 0;
        if (v[e] == '?' && v[e + 1] == '=')
            break;
    }
    if (e + 1 >= lim)
        return 0;
    *txt = v + j;
    *tlen = e - j;
    *end = e + 2;
    return 1;
}

/* Decodes a header value (unfolded, RFC 2047 encoded words, raw 8-bit
 * text) to UTF-8 into out, which is cleared first. */
static void decode_words(pctx *c, const char *v, size_t n, spamlr__buf *out)
{
    const char *pcs = NULL, *cs, *txt;
    size_t pcslen = 0, cslen, tlen, end, i = 0, plain = 0, k;
    int enc, after_word = 0, r;

    out->len = 0;
    if (out->data)
        out->data[0] = '\0';
    c->ew.len = 0;
    while (i < n && !c->err) {
        const char *q = memchr(v + i, '=', n - i);
        if (!q)
            break;
        i = (size_t)(q - v);
        if (!encoded_word(v, n, i, &cs, &cslen, &enc, &txt, &tlen, &end)) {
            i++;
            continue;
        }
        if (plain < i) {
            for (k = plain; k < i && is_space((unsigned char)v[k]); k++)
                ;
            if (!(after_word && k == i)) {  /* not just blanks between words */
                append_converted(c, pcs, pcslen, c->ew.data, c->ew.len, out);
                c->ew.len = 0;
                append_converted(c, c->hdr_cs, strlen(c->hdr_cs), v + plain, i - plain, out);
            }
        }
        if (c->ew.len && (cslen != pcslen || (pcs && strncmp(cs, pcs, cslen)))) {
            append_converted(c, pcs, pcslen, c->ew.data, c->ew.len, out);
            c->ew.len = 0;
        }
        pcs = cs;
        pcslen = cslen;
        charset_token(c, cs, cslen);
        r = enc == 'b' ? b64_decode(txt, tlen, &c->ew, c->max_header)
                       : qp_decode(txt, tlen, &c->ew, c->max_header, 1);
        set_err(c, r);
        i = plain = end;
        after_word = 1;
    }
    append_converted(c, pcs, pcslen, c->ew.data, c->ew.len, out);
    c->ew.len = 0;
    if (plain < n)
        append_converted(c, c->hdr_cs, strlen(c->hdr_cs), v + plain, n - plain, out);
}

/* ------------------------------------------------------------ addresses */

/* Where a scan of an address list stands: in a quoted string, in a
 * (nested) comment, or neither. addr_step() reads v[*i] (moving *i past a
 * backslash-escaped character) and says what it was: */
typedef struct addr_state {
    int q, depth;
} addr_state;

enum { ADDR_PLAIN, ADDR_INSIDE, ADDR_OPEN, ADDR_CLOSE };

static int addr_step(addr_state *st, const char *v, size_t *i)
{
    char ch = v[*i];

    if (st->q) {
        if (ch == '\\')
            ++*i;
        else if (ch == '"')
            st->q = 0;
        return ADDR_INSIDE;
    }
    if (st->depth) {
        if (ch == '\\')
            ++*i;
        else if (ch == '(')
            st->depth++;
        else if (ch == ')' && --st->depth == 0)
            return ADDR_CLOSE; /* the comment ends here */
        return ADDR_INSIDE;
    }
    if (ch == '"') {
        st->q = 1;
        return ADDR_INSIDE;
    }
    if (ch == '(') {
        st->depth = 1;
        return ADDR_OPEN;
    }
    return ADDR_PLAIN;
}

/* The first mailbox of an address list: its display name (or comment)
 * and its address. */
static void mailbox(const char *v, size_t n, const char **dn, size_t *dl, const char **ad,
                    size_t *al)
{
    size_t i, lt = n, at = n, s, e, cs = n, ce = n;
    addr_state st = { 0, 0 };

    *dn = *ad = v;
    *dl = *al = 0;
    for (i = 0; i < n; i++) {
        int k = addr_step(&st, v, &i);

        if (k == ADDR_OPEN && cs == n)
            cs = i + 1;
        else if (k == ADDR_CLOSE && ce == n)
            ce = i;
        if (k != ADDR_PLAIN)
            continue;
        if (v[i] == '<') {
            lt = i;
            break;
        } else if (v[i] == '@' && at == n)
            at = i;
        else if (v[i] == ',' && (at < n))
            break;
    }
    if (lt < n) {
        *dn = v;
        *dl = lt;
        for (e = lt + 1; e < n && v[e] != '>'; e++)
            ;
        *ad = v + lt + 1;
        *al = e - lt - 1;
    } else if (at < n) {
        for (s = at; s > 0 && !is_space((unsigned char)v[s - 1]) && v[s - 1] != ',' &&
                     v[s - 1] != ')' && v[s - 1] != '"'; s--)
            ;
        for (e = at; e < n && !is_space((unsigned char)v[e]) && v[e] != ',' && v[e] != '(';
             e++)
            ;
        *ad = v + s;
        *al = e - s;
        if (cs < n) {
            *dn = v + cs;
            *dl = (ce < n ? ce : n) - cs;
        }
    } else {
        *dn = v;
        *dl = n;
    }
}

/* The lower-case domain of an address into d (size >= 256); its length,
 * 0 when there is none or it holds odd characters. */
static size_t domain_of(const char *a, size_t n, char *d)
{
    size_t i, at = n, m = 0;

    for (i = 0; i < n; i++)
        if (a[i] == '@')
            at = i;
    if (at == n)
        return 0;
    for (i = at + 1; i < n && m < 253; i++) {
        int ch = lower((unsigned char)a[i]);
        if (ch == '>' || is_space(ch) || ch == ',' || ch == ';')
            break;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
              ch == '.' || ch == '_'))
            return 0;
        d[m++] = (char)ch;
    }
    while (m > 0 && d[m - 1] == '.')
        m--;
    return m;
}

/* Number of addresses in an address-list value. */
static unsigned count_addresses(const char *v, size_t n)
{
    addr_state st = { 0, 0 };
    unsigned count = 0;
    int at = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        if (addr_step(&st, v, &i) != ADDR_PLAIN)
            continue;
        if (v[i] == '@')
            at = 1;
        else if (v[i] == ',' || v[i] == ';') {
            count += (unsigned)at;
            at = 0;
        }
    }
    return count + (unsigned)at;
}

/* Removes quotes and backslash escapes from s[0..n) into c->hx. */
static void unquote(pctx *c, const char *s, size_t n, const char **out, size_t *olen)
{
    size_t i;
    int r = 0;

    c->hx.len = 0;
    for (i = 0; i < n && !r; i++) {
        if (s[i] == '"')
            continue;
        if (s[i] == '\\' && i + 1 < n)
            i++;
        r = spamlr__buf_putc(&c->hx, s[i]);
    }
    set_err(c, r);
    *out = c->hx.data ? c->hx.data : "";
    *olen = c->hx.len;
}

/* --------------------------------------------------------- parameters */

static int tokch(unsigned char ch)
{
    return ch > ' ' && ch < 0x7F && !strchr("()<>@,;:\\\"/[]?=", ch);
}

typedef struct pval {
    const char *s;
    size_t n;
    int quoted, ext;
} pval;

/* Copies a parameter piece to out[*m..size), unquoting; percent-decoding
 * when ext, leaving the charset'lang' head of the first piece as it is. */
static void piece(const pval *p, int first, char *out, size_t *m, size_t size)
{
    size_t i = 0, quotes = 0;
    int hi, lo;

    if (p->ext && first) {
        for (; i < p->n && quotes < 2 && *m + 1 < size; i++) {
            if (p->s[i] == '\'')
                quotes++;
            out[(*m)++] = p->s[i];
        }
        if (quotes < 2) {               /* no charset'lang' head */
            *m -= i;
            i = 0;
            if (*m + 3 < size) {
                out[(*m)++] = '\'';
                out[(*m)++] = '\'';
            }
        }
    }
    for (; i < p->n && *m + 1 < size; i++) {
        char ch = p->s[i];
        if (p->quoted && ch == '\\' && i + 1 < p->n)
            ch = p->s[++i];
        else if (p->ext && ch == '%' && i + 2 < p->n &&
                 (hi = hexv((unsigned char)p->s[i + 1])) >= 0 &&
                 (lo = hexv((unsigned char)p->s[i + 2])) >= 0) {
            ch = (char)(hi * 16 + lo);
            i += 2;
        }
        out[(*m)++] = ch;
    }
}

/* Finds parameter `name` (lower-case) in v[from..n): plain, RFC 2231
 * extended (name*) or continued (name*0, name*1*, ...). Writes the value
 * to out (NUL-terminated, cut to size-1) and returns its length, or -1
 * when absent. *ext: the value is charset'lang'bytes. */
static long get_param(const char *v, size_t n, size_t from, const char *name, char *out,
                      size_t size, int *ext)
{
    size_t i = from, a0, a1, nl = strlen(name), m = 0, k;
    pval plain = {NULL, 0, 0, 0}, star = {NULL, 0, 0, 0}, seg[16];
    int have_plain = 0, have_star = 0, nseg = 0;
    unsigned have_seg = 0;

    memset(seg, 0, sizeof seg);
    *ext = 0;
    for (;;) {
        pval val = {NULL, 0, 0, 0};
        while (i < n && (is_space((unsigned char)v[i]) || v[i] == ';'))
            i++;
        if (i >= n)
            break;
        a0 = i;
        while (i < n && v[i] != '=' && v[i] != ';' && !is_space((unsigned char)v[i]))
            i++;
        a1 = i;
        while (i < n && is_space((unsigned char)v[i]))
            i++;
        if (i >= n || v[i] != '=')
            continue;
        i++;
        while (i < n && is_space((unsigned char)v[i]))
            i++;
        if (i < n && v[i] == '"') {
            val.s = v + ++i;
            while (i < n && v[i] != '"') {
                if (v[i] == '\\' && i + 1 < n)
                    i++;
                i++;
            }
            val.n = (size_t)(v + (i < n ? i : n) - val.s);
            val.quoted = 1;
            if (i < n)
                i++;
        } else {
            val.s = v + i;
            while (i < n && v[i] != ';' && !is_space((unsigned char)v[i]))
                i++;
            val.n = (size_t)(v + i - val.s);
        }
        if (a1 - a0 < nl || !iprefix(v + a0, a1 - a0, name))
            continue;
        k = a0 + nl;
        if (k == a1) {
            if (!have_plain) {
                plain = val;
                have_plain = 1;
            }
        } else if (v[k] == '*' && k + 1 == a1) {
            if (!have_star) {
                star = val;
                star.ext = 1;
                have_star = 1;
            }
        } else if (v[k] == '*' && k + 1 < a1 && v[k + 1] >= '0' && v[k + 1] <= '9') {
            size_t idx = 0, j = k + 1;
            while (j < a1 && v[j] >= '0' && v[j] <= '9' && idx < 100)
                idx = idx * 10 + (size_t)(v[j++] - '0');
            if (idx < 16 && (j == a1 || (v[j] == '*' && j + 1 == a1))) {
                val.ext = j < a1;
                seg[idx] = val;
                have_seg |= 1u << idx;
            }
        }
    }
    if (size == 0)
        return -1;
    if (have_plain) {
        piece(&plain, 1, out, &m, size);
    } else if (have_star) {
        piece(&star, 1, out, &m, size);
        *ext = 1;
    } else if (have_seg & 1u) {
        *ext = seg[0].ext;
        for (nseg = 0; nseg < 16 && (have_seg >> nseg & 1u); nseg++) {
            piece(&seg[nseg], nseg == 0, out, &m, size);
        }
    } else
        return -1;
    out[m] = '\0';
    return (long)m;
}

/* Reads "type/subtype" at v[0..n) into out (lower-case); returns the index
 * after it, with out "" when it is malformed. */
static size_t media_type(const char *v, size_t n, char *out, size_t size)
{
    size_t i = 0, t0, t1, s0, s1, m = 0;

    while (i < n && is_space((unsigned char)v[i]))
        i++;
    t0 = i;
    while (i < n && tokch((unsigned char)v[i]))
        i++;
    t1 = i;
    while (i < n && is_space((unsigned char)v[i]))
        i++;
    out[0] = '\0';
    if (i >= n || v[i] != '/' || t1 == t0)
        return i;
    i++;
    while (i < n && is_space((unsigned char)v[i]))
        i++;
    s0 = i;
    while (i < n && tokch((unsigned char)v[i]))
        i++;
    s1 = i;
    if (s1 == s0 || (t1 - t0) + (s1 - s0) + 2 > size)
        return i;
    for (; t0 < t1; t0++)
        out[m++] = (char)lower((unsigned char)v[t0]);
    out[m++] = '/';
    for (; s0 < s1; s0++)
        out[m++] = (char)lower((unsigned char)v[s0]);
    out[m] = '\0';
    return i;
}

static void set_filename(entity *e, const char *v, size_t n, size_t from, int disp)
{
    int ext;
    long r;

    if (e->fnlen && (e->fn_from_disp || !disp))
        return;
    r = get_param(v, n, from, disp ? "filename" : "name", e->filename, sizeof e->filename, &ext);
    if (r > 0) {
        e->fnlen = (size_t)r;
        e->fn_ext = ext;
        e->fn_from_disp = disp;
    }
}

static void parse_content_type(entity *e, const char *v, size_t n)
{
    size_t i;
    int ext;
    long r;

    e->have_ctype = 1;
    i = media_type(v, n, e->type, sizeof e->type);
    r = get_param(v, n, i, "charset", e->charset, sizeof e->charset, &ext);
    if (r < 0 || ext)
        e->charset[0] = '\0';
    r = get_param(v, n, i, "boundary", e->boundary, sizeof e->boundary, &ext);
    e->blen = r > 0 && (size_t)r + 1 < sizeof e->boundary && !ext ? (size_t)r : 0;
    set_filename(e, v, n, i, 0);
}

/* ------------------------------------------------------------- headers */

/* Start of the line after the one at m[p]. */
static size_t line_after(const char *m, size_t n, size_t p)
{
    const char *nl = memchr(m + p, '\n', n - p);

    return nl ? (size_t)(nl - m) + 1 : n;
}

/* Is the line at m[p] a field with a well-known name (so surely still
 * header, not body)? */
static int field_line(const char *m, size_t n, size_t p)
{
    static const char *const known[] = {
        "to", "from", "subject", "cc", "bcc", "date", "reply-to", "sender", "message-id",
        "mime-version", "content-type", "content-transfer-encoding", "received",
        "return-path", "in-reply-to", "references", "organization", "delivered-to", NULL,
    };
    const char *const *k;
    size_t q;

    for (q = p; q < n && m[q] != ':' && m[q] != '\n' && !is_wsp((unsigned char)m[q]); q++)
        ;
    if (q >= n || m[q] != ':')
        return 0;
    if (iprefix(m + p, q - p, "x-"))
        return 1;
    for (k = known; *k; k++)
        if (ieq(m + p, q - p, *k))
            return 1;
    return 0;
}

/* Is the line at m[p] a blank line that broken mailers put inside a
 * folded field: blank, then indented lines with text, maybe more such
 * groups, then a field with a well-known name? Such a blank line does not
 * end the header. (At most 64 groups are looked at.) */
static int stray_blank(const char *m, size_t n, size_t p)
{
    size_t q = p, t;
    int groups = 0;

    for (;;) {
        while (q < n && m[q] == '\r')
            q++;
        if (q >= n || m[q] != '\n')
            return groups > 0 && field_line(m, n, q);
        q++;
        if (q >= n || !is_wsp((unsigned char)m[q]))
            return 0;
        for (t = q; t < n && is_space((unsigned char)m[t]) && m[t] != '\n'; t++)
            ;
        if (t >= n || m[t] == '\n')
            return 0;                    /* an indented blank: no text */
        while (q < n && is_wsp((unsigned char)m[q]))
            q = line_after(m, n, q);
        if (++groups > 64)
            return 0;
    }
}

/* Reads the field at m[*pos]. Returns 1 with f filled; 0 at the end of
 * the header section, with *pos at the start of the body: after a blank
 * line, or at the first line that is no field (no name, or blanks inside
 * the name, or no colon: "Dear friend: hi" starts a body). */
static int next_field(const char *m, size_t n, size_t *pos, hfield *f)
{
    size_t p = *pos, le, ce, next, q, r;
    const char *nl;

    if (p >= n) {
        *pos = n;
        return 0;
    }
    nl = memchr(m + p, '\n', n - p);
    le = nl ? (size_t)(nl - m) : n;
    next = nl ? le + 1 : n;
    for (ce = le; ce > p && m[ce - 1] == '\r'; ce--)
        ;
    if (ce == p) {
        *pos = next;
        return 0;
    }
    /* a name is any run of bytes but blanks and ':' (names with controls
     * or 8-bit bytes are malformed fields: skipped, not body) */
    for (q = p; q < ce && m[q] != ':' && !is_wsp((unsigned char)m[q]); q++)
        ;
    for (r = q; r < ce && is_wsp((unsigned char)m[r]); r++)
        ;
    if (q == p || r >= ce || m[r] != ':')
        return 0;                        /* body starts at this line */
    f->name = m + p;
    f->nlen = q - p;
    f->val = m + r + 1;
    for (;;) {
        while (next < n && is_wsp((unsigned char)m[next]))
            next = line_after(m, n, next);
        if (!stray_blank(m, n, next))
            break;
        next = line_after(m, n, next);
    }
    /* the value runs to the end of its last line, without the line end */
    for (ce = next; ce > r + 1 && (m[ce - 1] == '\n' || m[ce - 1] == '\r'); ce--)
        ;
    f->vlen = ce - (r + 1);
    *pos = next;
    return 1;
}

static int denied(const char *name, size_t n)
{
    return iprefix(name, n, "x-spam") || iprefix(name, n, "x-bogosity") ||
           iprefix(name, n, "x-dspam") || iprefix(name, n, "x-virus") ||
           iprefix(name, n, "x-crm114") || iprefix(name, n, "x-bayes");
}

/* Index of the field name in the allow-list, or -1. */
static int allowed(const pctx *c, const char *name, size_t n)
{
    size_t i;

    if (denied(name, n))
        return -1;
    for (i = 0; i < c->nfields; i++)
        if (ieq(name, n, c->fields[i]))
            return (int)i;
    return -1;
}

typedef struct hstate {
    unsigned to, cc;
    int have_to, have_cc;
} hstate;

/* Tokens of one allow-listed top-level field. */
static void field_tokens(pctx *c, const char *lname, const hfield *f, hstate *hs)
{
    const char *v, *dn, *ad;
    size_t n, dl, al, dlen;
    char dom[256], prefix[FIELD_NAME_MAX + 2];

    if (!strcmp(lname, "content-type"))
        return;                          /* structure tokens, elsewhere */
    if (unfold(c, f->val, f->vlen, &v, &n)) {
        set_err(c, SPAMLR_ENOMEM);
        return;
    }
    if (n == 0)
        return;
    if (!strcmp(lname, "to") || !strcmp(lname, "cc")) {
        unsigned k = count_addresses(v, n);
        if (lname[0] == 't') {
            hs->to += k;
            hs->have_to = 1;
        } else {
            hs->cc += k;
            hs->have_cc = 1;
        }
        return;
    }
    if (!strcmp(lname, "from") || !strcmp(lname, "reply-to")) {
        mailbox(v, n, &dn, &dl, &ad, &al);
        dlen = domain_of(ad, al, dom);
        if (lname[0] == 'f') {
            trim(&dn, &dl);
            if (dl) {
                unquote(c, dn, dl, &dn, &dl);
                decode_words(c, dn, dl, &c->hd);
                tokenize_with(c, "from:", c->hd.data, c->hd.len);
            }
            if (dlen)
                emit2(c, "from:@", 6, dom, dlen);
        } else if (dlen)
            emit2(c, "reply-to:@", 10, dom, dlen);
        return;
    }
    decode_words(c, v, n, &c->hd);
    snprintf(prefix, sizeof prefix, "%s:", lname);
    tokenize_with(c, prefix, c->hd.data, c->hd.len);
}

static void mime_field(pctx *c, entity *e, const hfield *f)
{
    const char *v;
    size_t n, i;

    if (ieq(f->name, f->nlen, "content-type")) {
        if (e->have_ctype)
            return;
        if (unfold(c, f->val, f->vlen, &v, &n))
            set_err(c, SPAMLR_ENOMEM);
        else
            parse_content_type(e, v, n);
    } else if (ieq(f->name, f->nlen, "content-transfer-encoding")) {
        if (e->have_cte)
            return;
        if (unfold(c, f->val, f->vlen, &v, &n)) {
            set_err(c, SPAMLR_ENOMEM);
            return;
        }
        e->have_cte = 1;
        if (ieq(v, n, "base64"))
            e->cte = CTE_BASE64;
        else if (ieq(v, n, "quoted-printable"))
            e->cte = CTE_QP;
    } else if (ieq(f->name, f->nlen, "content-disposition")) {
        if (unfold(c, f->val, f->vlen, &v, &n)) {
            set_err(c, SPAMLR_ENOMEM);
            return;
        }
        for (i = 0; i < n && v[i] != ';'; i++)
            ;
        set_filename(e, v, n, i, 1);
    }
}

/* ---------------------------------------------------------------- body */

static void link_cb(void *ctx, int kind, const char *host, size_t len)
{
    emit_once(ctx, kind == SPAMLR__HTML_MAILTO ? "mailto:" : "url:", host, len);
}

/* Reads a text/plain or text/html body into the text. */
static void read_text(pctx *c, const entity *e, const char *s, size_t n, int html)
{
    const char *data = s, *cs = e->charset, *u;
    size_t dlen = n, cslen = strlen(e->charset), ulen, mark;
    spamlr__html_info info;
    int r = 0;

    if (cslen)
        charset_token(c, cs, cslen);
    if (c->text->len >= c->text_max)
        return;
    if (e->cte == CTE_BASE64 || e->cte == CTE_QP) {
        c->body.len = 0;
        r = e->cte == CTE_BASE64 ? b64_decode(s, n, &c->body, c->max_part)
                                 : qp_decode(s, n, &c->body, c->max_part, 0);
        if (r) {
            set_err(c, r);
            return;
        }
        data = c->body.data ? c->body.data : "";
        dlen = c->body.len;
    } else if (dlen > c->max_part)
        dlen = c->max_part;
    if (html && !cslen)
        cslen = spamlr__html_meta_charset(data, dlen, &cs);
    r = spamlr__charset_decode(&c->ic, cs, cslen, data, dlen, &c->conv, &u, &ulen,
                               html ? c->max_part : c->text_max - c->text->len);
    if (r) {
        set_err(c, r);
        return;
    }
    mark = part_begin(c);
    if (html) {
        memset(&info, 0, sizeof info);
        if (c->mo->html_tokens) {
            info.link = link_cb;
            info.link_ctx = c;
        }
        set_err(c, spamlr__html_to_text(c->text, c->text_max, u, ulen, &info));
        if (c->mo->html_tokens) {
            c->images += info.images;
            if (info.hidden)
                emit_once(c, "html:", "hidden", 6);
            if (info.scripts)
                emit_once(c, "html:", "script", 6);
            if (info.iframes)
                emit_once(c, "html:", "iframe", 6);
            if (info.forms)
                emit_once(c, "html:", "form", 4);
            if (info.objects)
                emit_once(c, "html:", "object", 6);
        }
    } else
        text_append(c, u, ulen);
    part_end(c, mark);
}

static void filename_tokens(pctx *c, const entity *e)
{
    const char *v = e->filename, *q1, *q2, *dot;
    size_t n = e->fnlen, i;
    char ext[16];

    if (!n || !c->want_struct)
        return;
    if (e->fn_ext) {
        q1 = memchr(v, '\'', n);
        q2 = q1 ? memchr(q1 + 1, '\'', n - (size_t)(q1 + 1 - v)) : NULL;
        c->hd.len = 0;
        if (q2)
            append_converted(c, v, (size_t)(q1 - v), q2 + 1, n - (size_t)(q2 + 1 - v), &c->hd);
    } else
        decode_words(c, v, n, &c->hd);
    if (c->err || !c->hd.len)
        return;
    tokenize_with(c, "filename:", c->hd.data, c->hd.len);
    dot = NULL;
    for (i = 0; i < c->hd.len; i++)
        if (c->hd.data[i] == '.')
            dot = c->hd.data + i;
    if (!dot)
        return;
    n = c->hd.len - (size_t)(dot + 1 - c->hd.data);
    if (n == 0 || n >= sizeof ext)
        return;
    for (i = 0; i < n; i++) {
        int ch = lower((unsigned char)dot[1 + i]);
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')))
            return;
        ext[i] = (char)ch;
    }
    emit_once(c, "attach:", ext, n);
}

static void parse_entity(pctx *c, const char *m, size_t n, unsigned depth, int kind,
                         int digest);

/* Finds the next delimiter line of boundary bd from line start p. */
static const char *find_delim(const char *p, const char *end, const char *bd, size_t bl,
                              int *close, const char **after)
{
    const char *q, *lf, *t;
    int cl;

    while (p < end) {
        if (*p == '-' && (size_t)(end - p) >= bl + 2 && p[1] == '-' && !memcmp(p + 2, bd, bl)) {
            q = p + 2 + bl;
            cl = end - q >= 2 && q[0] == '-' && q[1] == '-';
            lf = memchr(q, '\n', (size_t)(end - q));
            for (t = q; !cl && t < (lf ? lf : end) && is_space((unsigned char)*t); t++)
                ;
            if (cl || t == (lf ? lf : end)) {
                *close = cl;
                *after = lf ? lf + 1 : end;
                return p;
            }
        }
        lf = memchr(p, '\n', (size_t)(end - p));
        if (!lf)
            break;
        p = lf + 1;
    }
    return NULL;
}

/* Parses the parts of a multipart body; returns 0 when it has no
 * delimiter line at all. */
static int multipart(pctx *c, const entity *e, const char *s, size_t n, unsigned depth)
{
    const char *end = s + n, *d, *after, *start, *stop;
    int close, digest = !strcmp(e->type, "multipart/digest");

    d = find_delim(s, end, e->boundary, e->blen, &close, &after);
    if (!d)
        return 0;
    while (!close && !c->err) {
        start = after;
        d = find_delim(start, end, e->boundary, e->blen, &close, &after);
        stop = d ? d : end;
        if (d && stop > start && stop[-1] == '\n')
            stop--;
        if (d && stop > start && stop[-1] == '\r')
            stop--;
        if (depth + 1 > c->max_depth) {
            c->limit = 1;
            break;
        }
        parse_entity(c, start, (size_t)(stop - start), depth + 1, ENT_CHILD, digest);
        if (!d)
            break;
    }
    return 1;
}

static void subject_line(pctx *c, const hfield *f)
{
    const char *v;
    size_t n, mark;

    if (unfold(c, f->val, f->vlen, &v, &n)) {
        set_err(c, SPAMLR_ENOMEM);
        return;
    }
    decode_words(c, v, n, &c->hd);
    mark = part_begin(c);
    text_append(c, c->hd.data, c->hd.len);
    part_end(c, mark);
}

/* A body without Content-Type that is a multipart all the same (some
 * spamware leaves the header out): in its first 8 KiB, a line "--X" whose
 * next line starts with "Content-". Takes X as the boundary. */
static int sniff_boundary(entity *e, const char *b, size_t n)
{
    size_t p = 0, lim = n < 8192 ? n : 8192, end, next, k;

    while (p + 2 < lim) {
        next = line_after(b, n, p);
        if (b[p] == '-' && b[p + 1] == '-' && next < n && n - next >= 8 &&
            ieq(b + next, 8, "content-")) {
            for (end = next; end > p + 2 && is_space((unsigned char)b[end - 1]); end--)
                ;
            k = end - (p + 2);
            if (k == 0 || k + 1 >= sizeof e->boundary)
                return 0;
            memcpy(e->boundary, b + p + 2, k);
            e->boundary[k] = '\0';
            e->blen = k;
            return 1;
        }
        p = next;
    }
    return 0;
}

/* Picks the charset for raw 8-bit header text: the top-level charset, or
 * else the first charset= in the first 64 KiB of the message. */
static void header_charset(pctx *c, const entity *e, const char *m, size_t n)
{
    size_t i, k, lim = n < 65536 ? n : 65536;

    if (e->charset[0]) {
        memcpy(c->hdr_cs, e->charset, sizeof c->hdr_cs);
        return;
    }
    for (i = 0; i + 8 < lim; i++) {
        if ((m[i] | 0x20) != 'c' || !ieq(m + i, 8, "charset="))
            continue;
        i += 8;
        if (i < lim && (m[i] == '"' || m[i] == '\''))
            i++;
        for (k = 0; i < lim && k + 1 < sizeof c->hdr_cs && m[i] != '"' && m[i] != '\'' &&
                    m[i] != ';' && !is_space((unsigned char)m[i]); i++)
            c->hdr_cs[k++] = m[i];
        c->hdr_cs[k] = '\0';
        return;
    }
}

static void parse_entity(pctx *c, const char *m, size_t n, unsigned depth, int kind,
                         int digest)
{
    entity e;
    hfield f;
    hstate hs;
    size_t pos = 0;
    const char *body, *type;
    size_t blen, i;
    int idx;
    spamlr__buf own;

    memset(&e, 0, sizeof e);
    memset(&hs, 0, sizeof hs);
    if (kind != ENT_CHILD && n >= 5 && !memcmp(m, "From ", 5)) {
        const char *lf = memchr(m, '\n', n);
        pos = lf ? (size_t)(lf - m) + 1 : n;      /* mbox separator line */
    }
    while (!c->err && next_field(m, n, &pos, &f)) {
        mime_field(c, &e, &f);
        if (kind == ENT_TOP && (idx = allowed(c, f.name, f.nlen)) >= 0 &&
            c->ndeferred < MAX_DEFERRED) {
            c->deferred[c->ndeferred] = f;
            c->deferred_idx[c->ndeferred++] = idx;
        } else if (kind == ENT_MESSAGE && ieq(f.name, f.nlen, "subject"))
            subject_line(c, &f);
    }
    if (kind == ENT_TOP) {
        /* raw 8-bit header text is most likely in the body's charset */
        header_charset(c, &e, m, n);
        for (i = 0; i < c->ndeferred && !c->err; i++)
            field_tokens(c, c->fields[c->deferred_idx[i]], &c->deferred[i], &hs);
    }
    if (c->err)
        return;
    body = m + pos;
    blen = n - pos;
    if (hs.have_to)
        emit2(c, "to:count:", 9, bucket(hs.to), strlen(bucket(hs.to)));
    if (hs.have_cc)
        emit2(c, "cc:count:", 9, bucket(hs.cc), strlen(bucket(hs.cc)));

    if (!e.type[0]) {
        strcpy(e.type, digest ? "message/rfc822" : "text/plain");
        e.blen = 0;
        if (!e.have_ctype && !digest && sniff_boundary(&e, body, blen))
            strcpy(e.type, "multipart/mixed");
    }
    type = e.type;
    if (c->want_struct) {
        if (kind == ENT_TOP)
            emit2(c, "content-type:", 13, type, strlen(type));
        else
            emit_once(c, "part:", type, strlen(type));
    }
    filename_tokens(c, &e);
    if (!strncmp(type, "multipart/", 10)) {
        if (e.blen && multipart(c, &e, body, blen, depth))
            return;
        read_text(c, &e, body, blen, spamlr__html_sniff(body, blen));
    } else if (!strcmp(type, "message/rfc822") || !strcmp(type, "message/global") ||
               !strcmp(type, "message/news")) {
        if (depth + 1 > c->max_depth) {
            c->limit = 1;
            return;
        }
        if (e.cte == CTE_NONE) {
            parse_entity(c, body, blen, depth + 1, ENT_MESSAGE, 0);
            return;
        }
        spamlr__buf_init(&own);
        set_err(c, e.cte == CTE_BASE64 ? b64_decode(body, blen, &own, c->max_part)
                                       : qp_decode(body, blen, &own, c->max_part, 0));
        if (!c->err && own.len)
            parse_entity(c, own.data, own.len, depth + 1, ENT_MESSAGE, 0);
        spamlr__buf_free(&own);
    } else if (!strcmp(type, "text/plain")) {
        read_text(c, &e, body, blen, !e.have_ctype && spamlr__html_sniff(body, blen));
    } else if (!strcmp(type, "text/html")) {
        read_text(c, &e, body, blen, 1);
    }
}

/* Fills the allow-list from the option string. */
static void parse_fields(pctx *c, const char *s)
{
    size_t i = 0, k;

    if (!s)
        s = SPAMLR__MIME_FIELDS_DEFAULT;
    while (s[i] && c->nfields < MAX_FIELDS) {
        while (s[i] == ' ' || s[i] == ',' || s[i] == '\t' || s[i] == ';')
            i++;
        for (k = 0; s[i] && s[i] != ' ' && s[i] != ',' && s[i] != '\t' && s[i] != ';'; i++)
            if (k + 1 < FIELD_NAME_MAX)
                c->fields[c->nfields][k++] = (char)lower((unsigned char)s[i]);
        if (k == 0)
            continue;
        if (c->fields[c->nfields][k - 1] == ':')
            k--;
        c->fields[c->nfields][k] = '\0';
        if (k && !denied(c->fields[c->nfields], k)) {
            if (!strcmp(c->fields[c->nfields], "content-type"))
                c->want_struct = 1;
            c->nfields++;
        }
    }
}

int spamlr__mime_parse(const spamlr__mime_opts *mo, const spamlr_text_opts *to,
                       const char *msg, size_t len, spamlr__buf *text,
                       spamlr_token_fn tok, void *ctx)
{
    spamlr__mime_opts defaults;
    pctx *c;
    int r;

    if ((!msg && len) || !text || (tok && !to))
        return SPAMLR_EINVAL;
    if (!mo) {
        spamlr__mime_opts_init(&defaults);
        mo = &defaults;
    }
    if (len == 0)
        return SPAMLR_OK;
    c = calloc(1, sizeof *c);
    if (!c)
        return SPAMLR_ENOMEM;
    c->mo = mo;
    c->to = to;
    c->tok = tok;
    c->tctx = ctx;
    c->text = text;
    c->text_max = text->len + (mo->max_output < SIZE_MAX - text->len ? mo->max_output
                                                                     : SIZE_MAX - text->len - 1);
    c->max_depth = mo->max_depth > HARD_MAX_DEPTH ? HARD_MAX_DEPTH : mo->max_depth;
    c->max_header = mo->max_header_line ? mo->max_header_line : 1;
    c->max_part = mo->max_part ? mo->max_part : 1;
    spamlr__buf_init(&c->hv);
    spamlr__buf_init(&c->hd);
    spamlr__buf_init(&c->hx);
    spamlr__buf_init(&c->ew);
    spamlr__buf_init(&c->cs);
    spamlr__buf_init(&c->body);
    spamlr__buf_init(&c->conv);
    spamlr__iconv_cache_init(&c->ic);
    parse_fields(c, mo->fields);

    parse_entity(c, msg, len, 0, ENT_TOP, 0);
    if (!c->err && c->images && mo->html_tokens)
        emit_once(c, "html:img:", bucket(c->images), strlen(bucket(c->images)));

    r = c->err ? c->err : c->limit ? SPAMLR_ELIMIT : SPAMLR_OK;
    spamlr__buf_free(&c->hv);
    spamlr__buf_free(&c->hd);
    spamlr__buf_free(&c->hx);
    spamlr__buf_free(&c->ew);
    spamlr__buf_free(&c->cs);
    spamlr__buf_free(&c->body);
    spamlr__buf_free(&c->conv);
    spamlr__iconv_cache_free(&c->ic);
    free(c);
    return r;
}

/* ------------------------------------------------- header field sets */

static const char *const HDR_NAMES[] = {
    "subject", "from", "reply-to", "to", "cc", "content-type", "x-mailer",
    "user-agent", "organization", "list-id", "received", "message-id",
};

void spamlr__mime_opts_for(spamlr__mime_opts *mo, const spamlr_text_opts *to, char *buf)
{
    size_t i, n = 0;

    spamlr__mime_opts_init(mo);
    buf[0] = '\0';
    for (i = 0; i < sizeof HDR_NAMES / sizeof *HDR_NAMES; i++) {
        size_t k = strlen(HDR_NAMES[i]);
        if (!(to->header_fields & (1u << i)) || n + k + 2 > SPAMLR__MIME_FIELDS_MAX)
            continue;
        if (n)
            buf[n++] = ' ';
        memcpy(buf + n, HDR_NAMES[i], k + 1);
        n += k;
    }
    mo->fields = buf;
}

int spamlr_header_fields_parse(const char *list, unsigned *out)
{
    unsigned bits = 0;
    const char *p = list;

    if (!list || !out)
        return SPAMLR_EINVAL;
    while (*p) {
        size_t n, i;
        while (*p == ',' || *p == ' ' || *p == '\t')
            p++;
        for (n = 0; p[n] && p[n] != ',' && p[n] != ' ' && p[n] != '\t'; n++)
            ;
        if (!n)
            break;
        if (ieq(p, n, "default")) {
            bits |= SPAMLR_HDR_DEFAULT;
        } else if (ieq(p, n, "all")) {
            bits |= SPAMLR_HDR_ALL;
        } else if (ieq(p, n, "none")) {
            /* nothing */
        } else {
            for (i = 0; i < sizeof HDR_NAMES / sizeof *HDR_NAMES; i++)
                if (ieq(p, n, HDR_NAMES[i]))
                    break;
            if (i == sizeof HDR_NAMES / sizeof *HDR_NAMES)
                return SPAMLR_EINVAL;
            bits |= 1u << i;
        }
        p += n;
    }
    *out = bits;
    return SPAMLR_OK;
}
