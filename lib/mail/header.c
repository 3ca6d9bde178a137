/* header.c - header-field syntax: field lines, unfolding, encoded words, addresses, parameters. */
#include <string.h>

#include "mail/header.h"
#include "mail/syntax.h"

/* ------------------------------------------------------------ field lines */

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

int spamlr__hdr_next_field(const char *m, size_t n, size_t *pos, spamlr__hfield *f)
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

/* Field names of mail headers (RFC 5322, 2045, 3834, 2369, 6376 and the
 * common trace and client fields), and prefixes of families. */
static const char *const MAIL_FIELDS[] = {
    "from", "to", "cc", "bcc", "subject", "date", "received", "return-path",
    "message-id", "reply-to", "sender", "mime-version", "in-reply-to", "references",
    "delivered-to", "envelope-to", "user-agent", "organization", "importance",
    "priority", "precedence", "thread-index", "thread-topic", "keywords", "comments",
    "dkim-signature", "domainkey-signature", "authentication-results", "received-spf",
    "errors-to", "auto-submitted", "disposition-notification-to", "newsgroups", "path",
    "status", "lines", NULL
};
static const char *const MAIL_PREFIXES[] = {
    "x-", "content-", "list-", "resent-", "arc-", "original-", NULL
};

static int known_field(const char *name, size_t n)
{
    size_t i;

    for (i = 0; MAIL_FIELDS[i]; i++)
        if (ieq(name, n, MAIL_FIELDS[i]))
            return 1;
    for (i = 0; MAIL_PREFIXES[i]; i++)
        if (n > strlen(MAIL_PREFIXES[i]) && iprefix(name, n, MAIL_PREFIXES[i]))
            return 1;
    return 0;
}

int spamlr__hdr_plausible(const char *m, size_t n, size_t pos)
{
    spamlr__hfield f;
    size_t count = 0, p = pos, last;

    for (;;) {
        last = p;
        if (!spamlr__hdr_next_field(m, n, &p, &f))
            break;
        if (known_field(f.name, f.nlen))
            return 1;
        count++;
    }
    /* unknown names only: a header if two or more end at a blank line
     * (which moved p past it) or at the end of the text; a blank first
     * line is an empty header */
    return count != 1 && (p >= n || p != last);
}

/* ------------------------------------------------------------ header text */

int spamlr__hdr_unfold(spamlr__buf *hv, size_t max, const char *v, size_t n, const char **out,
                       size_t *olen)
{
    size_t i, m = 0, cap = n < max ? n : max;
    char *o;
    const char *s;

    hv->len = 0;
    if (spamlr__buf_reserve(hv, cap))
        return SPAMLR_ENOMEM;
    o = hv->data;
    /* the first cap bytes that are not CR or LF, a run at a time: most
     * values are one line, or two or three */
    for (i = 0; i < n && m < cap;) {
        const char *lf = memchr(v + i, '\n', n - i), *cr;
        size_t end = lf ? (size_t)(lf - v) : n, k;

        while (i < end && m < cap) {
            cr = memchr(v + i, '\r', end - i);
            k = (cr ? (size_t)(cr - v) : end) - i;
            if (k > cap - m)
                k = cap - m;
            memcpy(o + m, v + i, k);
            m += k;
            i += k + (cr != NULL);
        }
        i = end + 1;
    }
    o[m] = '\0';
    hv->len = m;
    s = o;
    trim(&s, &m);
    *out = s;
    *olen = m;
    return SPAMLR_OK;
}

int spamlr__hdr_encoded_word(const char *v, size_t n, size_t i, const char **cs, size_t *cslen,
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

void spamlr__hdr_mailbox(const char *v, size_t n, const char **dn, size_t *dl, const char **ad,
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

size_t spamlr__hdr_domain(const char *a, size_t n, char *d)
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

unsigned spamlr__hdr_count_addresses(const char *v, size_t n)
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

int spamlr__hdr_next_address(const char *v, size_t n, size_t *pos, const char **ad, size_t *al)
{
    addr_state st = { 0, 0 };
    size_t i, s;

    while (*pos < n) {
        const char *dn;
        size_t dl;
        s = *pos;
        for (i = s; i < n; i++)
            if (addr_step(&st, v, &i) == ADDR_PLAIN && (v[i] == ',' || v[i] == ';'))
                break;
        *pos = i < n ? i + 1 : n;
        spamlr__hdr_mailbox(v + s, i - s, &dn, &dl, ad, al);
        if (*al && memchr(*ad, '@', *al))
            return 1;
    }
    return 0;
}

int spamlr__hdr_unquote(spamlr__buf *b, const char *s, size_t n, const char **out, size_t *olen)
{
    size_t i;
    int r = 0;

    b->len = 0;
    for (i = 0; i < n && !r; i++) {
        if (s[i] == '"')
            continue;
        if (s[i] == '\\' && i + 1 < n)
            i++;
        r = spamlr__buf_putc(b, s[i]);
    }
    *out = b->data ? b->data : "";
    *olen = b->len;
    return r;
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

long spamlr__hdr_param(const char *v, size_t n, size_t from, const char *name, char *out,
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

size_t spamlr__hdr_media_type(const char *v, size_t n, char *out, size_t size)
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

size_t spamlr__hdr_first_charset(const char *m, size_t n, char *out, size_t size)
{
    size_t i, k = 0;

    if (size == 0)
        return 0;
    out[0] = '\0';
    /* the first "charset=" starting before n - 8, found by its '=' */
    for (i = 7; i + 1 < n; i++) {
        const char *eq = memchr(m + i, '=', n - 1 - i);

        if (!eq)
            return 0;
        i = (size_t)(eq - m);
        if (!ieq(m + i - 7, 7, "charset"))
            continue;
        i++;
        if (i < n && (m[i] == '"' || m[i] == '\''))
            i++;
        for (; i < n && k + 1 < size && m[i] != '"' && m[i] != '\'' && m[i] != ';' &&
               !is_space((unsigned char)m[i]);
             i++)
            out[k++] = m[i];
        out[k] = '\0';
        return k;
    }
    return 0;
}
