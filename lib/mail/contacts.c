/* contacts.c - the contact list: normalised addresses and domains, read
 * from plain lists and vCards, matched against a sender (contacts.h), and
 * the addresses of a mail's From, To, Cc and Reply-To fields. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "mail/contacts.h"
#include "mail/header.h"
#include "mail/syntax.h"

#define FILE_MAX (64u << 20)

/* ---------------------------------------------------------- normalising */

static int dom_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.' || c >= 0x80;
}

size_t spamlr__contact_norm(const char *s, size_t n, char *out)
{
    const char *lt, *at = NULL;
    size_t i, k = 0, local, dl;

    if (!n)
        return 0;                            /* nothing (s may be NULL) */
    trim(&s, &n);
    if ((lt = memchr(s, '<', n))) {          /* "Name <addr>" */
        const char *gt = memchr(lt, '>', n - (size_t)(lt - s));
        n = gt ? (size_t)(gt - lt - 1) : n - (size_t)(lt - s) - 1;
        s = lt + 1;
        trim(&s, &n);
    }
    if (iprefix(s, n, "mailto:"))
        s += 7, n -= 7;
    for (i = 0; i < n; i++)
        if (s[i] == '@')
            at = s + i;                      /* the last '@' */
    if (!at || n > SPAMLR__CONTACT_MAX)
        return 0;
    local = (size_t)(at - s);
    for (i = 0; i < local; i++) {
        int c = (unsigned char)s[i];
        if (c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == ',')
            return 0;
        if (c == '+' && k > 0)               /* the +tag: same mailbox */
            break;
        out[k++] = (char)lower(c);
    }
    if (local && !k)
        return 0;
    out[k++] = '@';
    dl = n - local - 1;
    while (dl && at[dl] == '.')              /* a final dot */
        dl--;
    if (!dl || at[1] == '.')
        return 0;
    for (i = 1; i <= dl; i++) {
        int c = lower((unsigned char)at[i]);
        if (!dom_char(c) || (c == '.' && at[i - 1] == '.'))
            return 0;
        out[k++] = (char)c;
    }
    out[k] = '\0';
    return k;
}

/* -------------------------------------------------------------- the set */

/* Index of s in the sorted v[0..n), or where it would go (~index - 1). */
static long find(char *const *v, size_t n, const char *s)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = strcmp(v[mid], s);
        if (r == 0)
            return (long)mid;
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -(long)lo - 1;
}

/* Inserts a copy of s[0..n) into the sorted set *v unless it is there. */
static int insert(char ***v, size_t *cnt, size_t *cap, const char *s, size_t n)
{
    long at = find(*v, *cnt, s);
    size_t pos;
    char *copy;

    if (at >= 0)
        return SPAMLR_OK;
    pos = (size_t)(-at - 1);
    if (*cnt == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        char **nv = realloc(*v, nc * sizeof *nv);
        if (!nv)
            return SPAMLR_ENOMEM;
        *v = nv;
        *cap = nc;
    }
    if (!(copy = malloc(n + 1)))
        return SPAMLR_ENOMEM;
    memcpy(copy, s, n + 1);
    memmove(*v + pos + 1, *v + pos, (*cnt - pos) * sizeof **v);
    (*v)[pos] = copy;
    (*cnt)++;
    return SPAMLR_OK;
}

int spamlr_contacts_create(spamlr_contacts **out)
{
    if (!out)
        return SPAMLR_EINVAL;
    *out = calloc(1, sizeof **out);
    return *out ? SPAMLR_OK : SPAMLR_ENOMEM;
}

void spamlr_contacts_free(spamlr_contacts *c)
{
    size_t i;

    if (!c)
        return;
    for (i = 0; i < c->n; i++)
        free(c->e[i]);
    for (i = 0; i < c->ndom; i++)
        free(c->dom[i]);
    free(c->e);
    free(c->dom);
    free(c);
}

static int add_norm(spamlr_contacts *c, const char *e, size_t n)
{
    int rc = insert(&c->e, &c->n, &c->cap, e, n);

    if (!rc && e[0] != '@') {
        const char *at = strchr(e, '@');
        rc = insert(&c->dom, &c->ndom, &c->domcap, at + 1, strlen(at + 1));
    }
    return rc;
}

int spamlr_contacts_add(spamlr_contacts *c, const char *s, size_t len)
{
    char e[SPAMLR__CONTACT_MAX + 1];
    size_t n;

    if (!c || (!s && len))
        return SPAMLR_EINVAL;
    if (!(n = spamlr__contact_norm(s, len, e)))
        return SPAMLR_EINVAL;
    return add_norm(c, e, n);
}

size_t spamlr_contacts_count(const spamlr_contacts *c) { return c ? c->n : 0; }

const char *spamlr_contacts_entry(const spamlr_contacts *c, size_t i)
{
    return c && i < c->n ? c->e[i] : NULL;
}

int spamlr__contacts_copy(spamlr_contacts **out, const spamlr_contacts *c)
{
    spamlr_contacts *d = NULL;
    size_t i;
    int rc = SPAMLR_OK;

    *out = NULL;
    if (!c)
        return SPAMLR_OK;
    if ((rc = spamlr_contacts_create(&d)))
        return rc;
    for (i = 0; i < c->n && !rc; i++)
        rc = add_norm(d, c->e[i], strlen(c->e[i]));
    if (rc) {
        spamlr_contacts_free(d);
        return rc;
    }
    *out = d;
    return SPAMLR_OK;
}

int spamlr_contacts_match(const spamlr_contacts *c, const char *addr, size_t len)
{
    char e[SPAMLR__CONTACT_MAX + 1];
    const char *at, *p;
    size_t n;

    if (!c || !addr || !(n = spamlr__contact_norm(addr, len, e)) || e[0] == '@')
        return SPAMLR_CONTACT_NONE;
    if (find(c->e, c->n, e) >= 0)
        return SPAMLR_CONTACT_ADDRESS;
    at = strchr(e, '@');
    if (find(c->dom, c->ndom, at + 1) >= 0)
        return SPAMLR_CONTACT_DOMAIN;
    /* "@domain" entries: the domain and every parent ("@a.b.c", "@b.c", "@c") */
    for (p = at; p; p = strchr(p + 1, '.')) {
        char d[SPAMLR__CONTACT_MAX + 2];
        d[0] = '@';
        strcpy(d + 1, p + 1);
        if (find(c->e, c->n, d) >= 0)
            return SPAMLR_CONTACT_DOMAIN;
    }
    return SPAMLR_CONTACT_NONE;
}

/* ------------------------------------------------------------ the files */

static int perr(spamlr_diag *d, const char *name, long line, const char *what, const char *s,
                size_t n)
{
    return spamlr__diag(d, SPAMLR_EPARSE, name, line, -1, "%s: \"%.*s\"", what,
                        (int)(n > 60 ? 60 : n), s);
}

/* One line of a plain list. */
static int plain_line(spamlr_contacts *c, const char *s, size_t n, const char *name, long line,
                      spamlr_diag *d)
{
    size_t i;
    int rc;

    trim(&s, &n);
    for (i = 0; i < n; i++)                  /* a comment after blanks */
        if (s[i] == '#' && (i == 0 || is_wsp((unsigned char)s[i - 1])))
            break;
    n = i;
    trim(&s, &n);
    if (!n)
        return SPAMLR_OK;
    rc = spamlr_contacts_add(c, s, n);
    return rc == SPAMLR_EINVAL ? perr(d, name, line, "not an address or @domain", s, n) : rc;
}

static int qp_line(const char *l, size_t n);

/* The value of a vCard property line l[0..n) when it is EMAIL (the
 * group before '.', the parameters after ';'): decoded into b. 1 when it
 * is EMAIL with a value, 0 when another property or a blank EMAIL, -1
 * when the line has no ':'. */
static int vcard_email(const char *l, size_t n, spamlr__buf *b, int *rc)
{
    const char *colon = memchr(l, ':', n), *v, *nm = l, *dot;
    size_t nl, vn, i;
    int qp;

    if (!colon)
        return -1;
    nl = (size_t)(colon - l);
    for (i = 0; i < nl && l[i] != ';'; i++)
        ;
    if ((dot = memchr(l, '.', i)))           /* "item1.EMAIL" */
        nm = dot + 1;
    if (!ieq(nm, (size_t)(l + i - nm), "email"))
        return 0;
    qp = qp_line(l, n);
    v = colon + 1;
    vn = n - nl - 1;
    b->len = 0;
    for (i = 0; i < vn && !*rc; i++) {
        int h1, h2;
        if (qp && v[i] == '=' && i + 2 < vn && (h1 = hexv((unsigned char)v[i + 1])) >= 0 &&
            (h2 = hexv((unsigned char)v[i + 2])) >= 0) {
            *rc = spamlr__buf_putc(b, (char)(h1 * 16 + h2));
            i += 2;
        } else {
            *rc = spamlr__buf_putc(b, v[i]);
        }
    }
    for (i = 0; i < b->len && is_wsp((unsigned char)b->data[i]); i++)
        ;
    return i < b->len; /* a blank EMAIL (exports leave them): nothing */
}

/* Whether the property line l[0..n) declares ENCODING=QUOTED-PRINTABLE. */
static int qp_line(const char *l, size_t n)
{
    const char *colon = memchr(l, ':', n);
    size_t i, nl = colon ? (size_t)(colon - l) : n;

    for (i = 0; i + 16 <= nl; i++)
        if (ieq(l + i, 16, "quoted-printable"))
            return 1;
    return 0;
}

/* A vCard: content lines unfolded (a line starting with a blank continues
 * the one before; a quoted-printable value ending in '=' continues on the
 * next line), EMAIL values added. */
static int vcard(spamlr_contacts *c, const char *t, size_t len, const char *name, spamlr_diag *d)
{
    spamlr__buf l, v;
    size_t pos = 0;
    long line = 0, first = 0;
    int rc = SPAMLR_OK;

    spamlr__buf_init(&l);
    spamlr__buf_init(&v);
    while (pos < len && !rc) {
        const char *s = t + pos, *e = memchr(s, '\n', len - pos);
        size_t n = e ? (size_t)(e - s) : len - pos;
        int cont;
        pos += n + (e != NULL);
        line++;
        if (n && s[n - 1] == '\r')
            n--;
        cont = l.len && n && is_wsp((unsigned char)s[0]);
        if (cont) {
            s++, n--;
        } else if (l.len && l.data[l.len - 1] == '=' && qp_line(l.data, l.len)) {
            l.len--;                          /* QP soft line break */
            cont = 1;
        }
        if (!cont && l.len) {
            int k = vcard_email(l.data, l.len, &v, &rc);
            if (k < 0)
                rc = perr(d, name, first, "not a vCard line", l.data, l.len);
            else if (k > 0 && !rc && (rc = spamlr_contacts_add(c, v.data, v.len)) == SPAMLR_EINVAL)
                rc = perr(d, name, first, "EMAIL is not an address", v.data, v.len);
            l.len = 0;
        }
        if (!l.len)
            first = line;
        if (!rc && n)
            rc = spamlr__buf_append(&l, s, n);
    }
    if (!rc && l.len) {
        int k = vcard_email(l.data, l.len, &v, &rc);
        if (k < 0)
            rc = perr(d, name, first, "not a vCard line", l.data, l.len);
        else if (k > 0 && !rc && (rc = spamlr_contacts_add(c, v.data, v.len)) == SPAMLR_EINVAL)
            rc = perr(d, name, first, "EMAIL is not an address", v.data, v.len);
    }
    spamlr__buf_free(&l);
    spamlr__buf_free(&v);
    return rc;
}

int spamlr_contacts_parse(spamlr_contacts *c, const char *text, size_t len, const char *name,
                          spamlr_diag *diag)
{
    size_t pos, i;
    long line = 0;
    int rc = SPAMLR_OK;

    if (spamlr__diag_bad(diag))
        return SPAMLR_EINVAL;
    spamlr__diag_clear(diag);
    if (!c || (!text && len))
        return SPAMLR_EINVAL;
    pos = spamlr__bom_len(text, len);
    for (i = pos; i < len && is_space((unsigned char)text[i]); i++)
        ;
    if (iprefix(text + i, len - i, "begin:vcard"))
        return vcard(c, text + pos, len - pos, name, diag);
    while (pos < len && !rc) {
        const char *s = text + pos, *e = memchr(s, '\n', len - pos);
        size_t n = e ? (size_t)(e - s) : len - pos;
        pos += n + (e != NULL);
        rc = plain_line(c, s, n, name, ++line, diag);
    }
    return rc;
}

int spamlr_contacts_read(spamlr_contacts *c, const char *path, spamlr_diag *diag)
{
    FILE *f = NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0, got;
    int rc = SPAMLR_OK;

    if (spamlr__diag_bad(diag))
        return SPAMLR_EINVAL;
    if (!c || !path)
        return SPAMLR_EINVAL;
    if (!(f = fopen(path, "rb")))
        return spamlr__diag(diag, SPAMLR_EIO, path, 0, -1, "%s", strerror(errno));
    do {
        if (len == cap) {
            char *nb;
            if (cap >= FILE_MAX) {
                rc = spamlr__diag(diag, SPAMLR_ELIMIT, path, 0, -1, "larger than 64 MiB");
                goto out;
            }
            cap = cap ? cap * 2 : 65536;
            if (!(nb = realloc(buf, cap))) {
                rc = SPAMLR_ENOMEM;
                goto out;
            }
            buf = nb;
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
    } while (got);
    if (ferror(f)) {
        rc = spamlr__diag(diag, SPAMLR_EIO, path, 0, -1, "read error");
        goto out;
    }
    rc = spamlr_contacts_parse(c, buf, len, path, diag);
out:
    free(buf);
    fclose(f);
    return rc;
}

/* ----------------------------------------------------- a mail's fields */

int spamlr_mail_addresses(const char *msg, size_t len, unsigned fields, spamlr_address_fn fn,
                          void *ctx)
{
    spamlr__hfield f;
    spamlr__buf hv;
    size_t pos = 0;
    int rc = SPAMLR_OK, stop = 0;

    if ((!msg && len) || !fn)
        return SPAMLR_EINVAL;
    spamlr__buf_init(&hv);
    if (len >= 5 && !memcmp(msg, "From ", 5)) { /* mbox separator line */
        const char *lf = memchr(msg, '\n', len);
        pos = lf ? (size_t)(lf - msg) + 1 : len;
    }
    while (!stop && !rc && spamlr__hdr_next_field(msg, len, &pos, &f)) {
        const char *v, *ad;
        size_t n, al, ap = 0;
        int want = (ieq(f.name, f.nlen, "from") && (fields & SPAMLR_ADDR_FROM)) ||
                   ((ieq(f.name, f.nlen, "to") || ieq(f.name, f.nlen, "cc")) &&
                    (fields & SPAMLR_ADDR_TO)) ||
                   (ieq(f.name, f.nlen, "reply-to") && (fields & SPAMLR_ADDR_REPLY_TO));
        if (!want)
            continue;
        if ((rc = spamlr__hdr_unfold(&hv, 65536, f.val, f.vlen, &v, &n)))
            break;
        while (!stop && spamlr__hdr_next_address(v, n, &ap, &ad, &al)) {
            char e[SPAMLR__CONTACT_MAX + 1];
            size_t k = spamlr__contact_norm(ad, al, e);
            if (k && e[0] != '@')
                stop = fn(ctx, e, k);
        }
    }
    spamlr__buf_free(&hv);
    return rc;
}
