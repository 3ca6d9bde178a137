/* mime.c - the parser: a message's MIME structure to its text and its header tokens. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "mail/charset.h"
#include "mail/contacts.h"
#include "mail/entity.h"
#include "mail/fields.h"
#include "mail/header.h"
#include "mail/html.h"
#include "mail/mime.h"
#include "mail/opts.h"
#include "mail/syntax.h"
#include "mail/textout.h"
#include "mail/transfer.h"

#define HARD_MAX_DEPTH 128u
#define SEEN_MAX 256
#define MAX_DEFERRED 128
#define MAX_NAMED 64 /* of them allow-listed (the limit of 0.1, kept so that
                       old models see the same tokens) */

/* -------------------------------------------------------------- context */

enum { ENT_TOP, ENT_CHILD, ENT_MESSAGE };

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
    spamlr__fields fields;  /* the header allow-list */
    spamlr__fcache *fcache; /* its answers lately (the state's) */
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
    size_t plen;
    char tokbuf[512];
    char hdr_cs[48];        /* charset for raw 8-bit header text */
    spamlr__hfield deferred[MAX_DEFERRED]; /* allow-listed top-level fields */
    int deferred_idx[MAX_DEFERRED];
    size_t ndeferred, nnamed;
} pctx;

static void set_err(pctx *c, int r)
{
    if (r && !c->err)
        c->err = r;
}

/* -------------------------------------------------------------- tokens */

/* Emits the first al bytes of tokbuf followed by b[0..bl). */
static void emit_after(pctx *c, size_t al, const char *b, size_t bl)
{
    if (!c->tok || c->tok_stop || al + bl > sizeof c->tokbuf || al + bl == 0)
        return;
    spamlr__copy_short(c->tokbuf + al, b, bl);
    if (c->tok(c->tctx, c->tokbuf, al + bl))
        c->tok_stop = 1;
}

static void emit2(pctx *c, const char *a, size_t al, const char *b, size_t bl)
{
    if (al <= sizeof c->tokbuf)
        spamlr__copy_short(c->tokbuf, a, al);
    emit_after(c, al, b, bl);
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

/* tokenize_with's callback: the field's prefix (plen bytes) is in tokbuf
 * already. */
static int prefix_cb(void *ctx, const char *t, size_t n)
{
    pctx *c = ctx;

    emit_after(c, c->plen, t, n);
    return c->tok_stop;
}

/* Tokenises UTF-8 text with the caller's options, each token prefixed.
 * Of the header fields only Subject is prose: the others give no
 * character n-grams (they would multiply the vocabulary with pieces of
 * host names and mailer versions that their own tokens already name). */
static void tokenize_with(pctx *c, const char *prefix, const char *v, size_t n)
{
    spamlr_text_opts o;
    int r;

    if (!c->tok || c->tok_stop || n == 0)
        return;
    c->plen = strlen(prefix);
    if (c->plen > sizeof c->tokbuf)
        return;
    memcpy(c->tokbuf, prefix, c->plen); /* the tokens go after it */
    o = *c->to;
    if (strcmp(prefix, "subject:") != 0)
        o.subwords = 0;
    r = spamlr_tokenize(&o, v, n, prefix_cb, c);
    if (r == SPAMLR_EINVAL || r == SPAMLR_ENOMEM)
        set_err(c, r);
}

static const char *bucket(unsigned n)
{
    return n == 0 ? "0" : n == 1 ? "1" : n <= 5 ? "2-5" : "6+";
}

/* --------------------------------------------------------- header text */

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

    if (!c->fields.want_struct)
        return;
    n = spamlr__charset_name(cs, cslen, name, sizeof name);
    if (n)
        emit_once(c, "charset:", name, n);
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
        if (!spamlr__hdr_encoded_word(v, n, i, &cs, &cslen, &enc, &txt, &tlen, &end)) {
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
        r = enc == 'b' ? spamlr__b64_decode(txt, tlen, &c->ew, c->max_header)
                       : spamlr__qp_decode(txt, tlen, &c->ew, c->max_header, 1);
        set_err(c, r);
        i = plain = end;
        after_word = 1;
    }
    append_converted(c, pcs, pcslen, c->ew.data, c->ew.len, out);
    c->ew.len = 0;
    if (plain < n)
        append_converted(c, c->hdr_cs, strlen(c->hdr_cs), v + plain, n - plain, out);
}

/* ------------------------------------------------------------- headers */

typedef struct hstate {
    unsigned to, cc;
    int have_to, have_cc;
    char from_dom[256], rt_dom[256]; /* From / Reply-To address domains */
    size_t from_dl, rt_dl;
} hstate;

/* spamlr__emit_fn for the field-aware tokens of fields.c */
static void emit_cb(void *ctx, const char *prefix, const char *t, size_t n)
{
    emit2(ctx, prefix, strlen(prefix), t, n);
}

/* The field-aware tokens of a field that has them (fields.h); 1 when it
 * gave them instead of plain text tokens. */
static int aware_tokens(pctx *c, spamlr__fkind kind, const char *lname, const char *v, size_t n)
{
    if (kind == SPAMLR__FK_RECEIVED)
        spamlr__field_received(v, n, emit_cb, c);
    else if (kind == SPAMLR__FK_MESSAGE_ID)
        spamlr__field_message_id(v, n, emit_cb, c);
    else if (kind == SPAMLR__FK_DATE)
        spamlr__field_date(v, n, emit_cb, c);
    else if (kind == SPAMLR__FK_RETURN_PATH || kind == SPAMLR__FK_SENDER) {
        const char *dn, *ad;
        size_t dl, al, dlen;
        char dom[256], prefix[16];
        spamlr__hdr_mailbox(v, n, &dn, &dl, &ad, &al);
        if ((dlen = spamlr__hdr_domain(ad, al, dom))) {
            snprintf(prefix, sizeof prefix, "%s:@", lname);
            spamlr__domain_tokens(prefix, dom, dlen, emit_cb, c);
        }
    } else
        return 0;
    return 1;
}

/* Tokens of one allow-listed top-level field. */
static void field_tokens(pctx *c, const char *lname, const spamlr__hfield *f, hstate *hs)
{
    const char *v, *dn, *ad;
    size_t n, dl, al, dlen, len = strlen(lname);
    char dom[256], prefix[SPAMLR__FIELD_NAME_MAX + 2];
    spamlr__fkind kind = spamlr__field_kind(lname, len);

    if (kind == SPAMLR__FK_CONTENT_TYPE)
        return;                          /* structure tokens, elsewhere */
    if (spamlr__hdr_unfold(&c->hv, c->max_header, f->val, f->vlen, &v, &n)) {
        set_err(c, SPAMLR_ENOMEM);
        return;
    }
    if (n == 0)
        return;
    if (c->mo->field_aware && aware_tokens(c, kind, lname, v, n))
        return;
    if (kind == SPAMLR__FK_TO || kind == SPAMLR__FK_CC) {
        unsigned k = spamlr__hdr_count_addresses(v, n);
        size_t i;
        if (c->mo->field_aware)
            for (i = 0; i + 11 <= n; i++)
                if (ieq(v + i, 11, "undisclosed")) {
                    emit2(c, lname, len, ":undisclosed", 12);
                    break;
                }
        if (kind == SPAMLR__FK_TO) {
            hs->to += k;
            hs->have_to = 1;
        } else {
            hs->cc += k;
            hs->have_cc = 1;
        }
        return;
    }
    if (kind == SPAMLR__FK_FROM || kind == SPAMLR__FK_REPLY_TO) {
        spamlr__hdr_mailbox(v, n, &dn, &dl, &ad, &al);
        dlen = spamlr__hdr_domain(ad, al, dom);
        if (kind == SPAMLR__FK_FROM) {
            trim(&dn, &dl);
            if (dl) {
                set_err(c, spamlr__hdr_unquote(&c->hx, dn, dl, &dn, &dl));
                decode_words(c, dn, dl, &c->hd);
                tokenize_with(c, "from:", c->hd.data, c->hd.len);
            }
            if (dlen && c->mo->field_aware)
                spamlr__domain_tokens("from:@", dom, dlen, emit_cb, c);
            else if (dlen)
                emit2(c, "from:@", 6, dom, dlen);
        } else if (dlen && c->mo->field_aware)
            spamlr__domain_tokens("reply-to:@", dom, dlen, emit_cb, c);
        else if (dlen)
            emit2(c, "reply-to:@", 10, dom, dlen);
        if (kind == SPAMLR__FK_FROM && !hs->from_dl)
            memcpy(hs->from_dom, dom, hs->from_dl = dlen);
        else if (kind == SPAMLR__FK_REPLY_TO && !hs->rt_dl)
            memcpy(hs->rt_dom, dom, hs->rt_dl = dlen);
        return;
    }
    decode_words(c, v, n, &c->hd);
    if (len + 2 > sizeof prefix) /* (field names are shorter: see parse_entity) */
        len = sizeof prefix - 2;
    memcpy(prefix, lname, len);
    prefix[len] = ':';
    prefix[len + 1] = '\0';
    tokenize_with(c, prefix, c->hd.data, c->hd.len);
    if (c->mo->field_aware && kind == SPAMLR__FK_MAILER)
        spamlr__field_mailer(prefix, c->hd.data, c->hd.len, emit_cb, c);
}

/* What a Content-* field of an entity's header says of its body (the
 * first Content-Type and Content-Transfer-Encoding count). */
static void mime_field(pctx *c, spamlr__entity *e, const spamlr__hfield *f)
{
    const char *v;
    size_t n;
    int which = ieq(f->name, f->nlen, "content-type") ? 1
                : ieq(f->name, f->nlen, "content-transfer-encoding") ? 2
                : ieq(f->name, f->nlen, "content-disposition") ? 3 : 0;

    if (!which || (which == 1 && e->have_ctype) || (which == 2 && e->have_cte))
        return;
    if (spamlr__hdr_unfold(&c->hv, c->max_header, f->val, f->vlen, &v, &n)) {
        set_err(c, SPAMLR_ENOMEM);
        return;
    }
    if (which == 1)
        spamlr__entity_content_type(e, v, n);
    else if (which == 2)
        spamlr__entity_transfer_encoding(e, v, n);
    else
        spamlr__entity_disposition(e, v, n);
}

/* ---------------------------------------------------------------- body */

static void link_cb(void *ctx, int kind, const char *host, size_t len)
{
    emit_once(ctx, kind == SPAMLR__HTML_MAILTO ? "mailto:" : "url:", host, len);
}

/* Reads a text/plain or text/html body into the text. */
static void read_text(pctx *c, const spamlr__entity *e, const char *s, size_t n, int html)
{
    const char *data = s, *cs = e->charset, *u;
    size_t dlen = n, cslen = strlen(e->charset), ulen, mark;
    spamlr__html_info info;
    int r = 0;

    if (cslen)
        charset_token(c, cs, cslen);
    if (c->text->len >= c->text_max)
        return;
    if (e->cte == SPAMLR__CTE_BASE64 || e->cte == SPAMLR__CTE_QP) {
        c->body.len = 0;
        r = e->cte == SPAMLR__CTE_BASE64 ? spamlr__b64_decode(s, n, &c->body, c->max_part)
                                 : spamlr__qp_decode(s, n, &c->body, c->max_part, 0);
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
    set_err(c, spamlr__text_part_begin(c->text, c->text_max, &mark));
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
        set_err(c, spamlr__text_append(c->text, c->text_max, u, ulen));
    spamlr__text_part_end(c->text, mark);
}

static void filename_tokens(pctx *c, const spamlr__entity *e)
{
    const char *v = e->filename, *q1, *q2, *dot;
    size_t n = e->fnlen, i;
    char ext[16];

    if (!n || !c->fields.want_struct)
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

/* Parses the parts of a multipart body; returns 0 when it has no
 * delimiter line at all. */
static int multipart(pctx *c, const spamlr__entity *e, const char *s, size_t n, unsigned depth)
{
    const char *end = s + n, *d, *after, *start, *stop;
    int close, digest = !strcmp(e->type, "multipart/digest");

    d = spamlr__find_delim(s, end, e->boundary, e->blen, &close, &after);
    if (!d)
        return 0;
    while (!close && !c->err) {
        start = after;
        d = spamlr__find_delim(start, end, e->boundary, e->blen, &close, &after);
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

static void subject_line(pctx *c, const spamlr__hfield *f)
{
    const char *v;
    size_t n, mark;

    if (spamlr__hdr_unfold(&c->hv, c->max_header, f->val, f->vlen, &v, &n)) {
        set_err(c, SPAMLR_ENOMEM);
        return;
    }
    decode_words(c, v, n, &c->hd);
    set_err(c, spamlr__text_part_begin(c->text, c->text_max, &mark));
    set_err(c, spamlr__text_append(c->text, c->text_max, c->hd.data, c->hd.len));
    spamlr__text_part_end(c->text, mark);
}

/* Picks the charset for raw 8-bit header text: the top-level charset, or
 * else the first charset= in the first 64 KiB of the message. */
static void header_charset(pctx *c, const spamlr__entity *e, const char *m, size_t n)
{
    if (e->charset[0])
        memcpy(c->hdr_cs, e->charset, sizeof c->hdr_cs);
    else
        spamlr__hdr_first_charset(m, n < 65536 ? n : 65536, c->hdr_cs, sizeof c->hdr_cs);
}

/* The sender's relation to the contact list (spamlr.h, "contacts"): one
 * of sender:contact, sender:contact-domain, sender:unknown, and
 * reply-to:not-contact when the reply goes to a stranger. from / rt are the
 * first From and Reply-To fields (NULL when absent). */
static void contact_tokens(pctx *c, const spamlr__hfield *from, const spamlr__hfield *rt)
{
    char fa[SPAMLR__CONTACT_MAX + 1], ra[SPAMLR__CONTACT_MAX + 1];
    const char *v, *dn, *ad;
    size_t n, dl, al, fl = 0, rl = 0;
    int k = SPAMLR_CONTACT_NONE;

    if (from && !spamlr__hdr_unfold(&c->hv, c->max_header, from->val, from->vlen, &v, &n)) {
        spamlr__hdr_mailbox(v, n, &dn, &dl, &ad, &al);
        if ((fl = spamlr__contact_norm(ad, al, fa)) && fa[0] != '@')
            k = spamlr_contacts_match(c->mo->contacts, fa, fl);
    }
    emit2(c, "sender:", 7, k == SPAMLR_CONTACT_ADDRESS ? "contact"
                           : k == SPAMLR_CONTACT_DOMAIN ? "contact-domain" : "unknown",
          k == SPAMLR_CONTACT_ADDRESS ? 7 : k == SPAMLR_CONTACT_DOMAIN ? 14 : 7);
    if (rt && !spamlr__hdr_unfold(&c->hv, c->max_header, rt->val, rt->vlen, &v, &n)) {
        spamlr__hdr_mailbox(v, n, &dn, &dl, &ad, &al);
        if ((rl = spamlr__contact_norm(ad, al, ra)) && ra[0] != '@' &&
            !(rl == fl && !memcmp(ra, fa, rl)) &&
            spamlr_contacts_match(c->mo->contacts, ra, rl) == SPAMLR_CONTACT_NONE)
            emit2(c, "reply-to:", 9, "not-contact", 11);
    }
}

/* With received_origin (SPAMLR_HDR_RECEIVED_ORIGIN), the Received fields
 * that give tokens: the last of the header, which the hops nearest the
 * sender wrote. Two measured best on the SpamAssassin mails split by date
 * and by source (one lost a little, three let the receiving side in). */
#define RECEIVED_ORIGIN 2

static int is_received(const spamlr__hfield *f)
{
    return ieq(f->name, f->nlen, "received");
}

static void parse_entity(pctx *c, const char *m, size_t n, unsigned depth, int kind,
                         int digest)
{
    spamlr__entity e;
    spamlr__hfield f, from, rt;
    hstate hs;
    size_t pos = 0;
    int have_from = 0, have_rt = 0, no_header = 0;
    const char *body, *type;
    size_t blen, i, nrcv = 0;
    int idx;
    spamlr__buf own;

    memset(&e, 0, sizeof e);
    memset(&hs, 0, sizeof hs);
    if (kind != ENT_CHILD && n >= 5 && !memcmp(m, "From ", 5)) {
        const char *lf = memchr(m, '\n', n);
        pos = lf ? (size_t)(lf - m) + 1 : n;      /* mbox separator line */
    } else if (kind == ENT_TOP && !spamlr__hdr_plausible(m, n, 0)) {
        no_header = 1; /* plain text whose first line looks like a field */
    }
    while (!c->err && !no_header && spamlr__hdr_next_field(m, n, &pos, &f)) {
        mime_field(c, &e, &f);
        if (kind == ENT_TOP && !have_from && ieq(f.name, f.nlen, "from"))
            from = f, have_from = 1;
        else if (kind == ENT_TOP && !have_rt && ieq(f.name, f.nlen, "reply-to"))
            rt = f, have_rt = 1;
        if (kind == ENT_TOP && c->ndeferred < MAX_DEFERRED &&
            (((idx = spamlr__fields_find_cached(&c->fields, c->fcache, f.name, f.nlen)) >= 0 &&
              c->nnamed++ < MAX_NAMED) ||
             (idx == -1 && c->mo->other_fields && f.nlen < SPAMLR__FIELD_NAME_MAX))) {
            c->deferred[c->ndeferred] = f;
            c->deferred_idx[c->ndeferred++] = idx;
        } else if (kind == ENT_MESSAGE && ieq(f.name, f.nlen, "subject"))
            subject_line(c, &f);
    }
    if (kind == ENT_TOP) {
        /* raw 8-bit header text is most likely in the body's charset */
        header_charset(c, &e, m, n);
        /* with received_origin, the Received fields before the last
         * RECEIVED_ORIGIN give none: they are the receiving side's */
        if (c->mo->received_origin)
            for (i = 0; i < c->ndeferred; i++)
                nrcv += is_received(&c->deferred[i]);
        for (i = 0; i < c->ndeferred && !c->err; i++) {
            const spamlr__hfield *d = &c->deferred[i];
            char lname[SPAMLR__FIELD_NAME_MAX];
            size_t k;
            if (nrcv > RECEIVED_ORIGIN && is_received(d)) {
                nrcv--;
                continue;
            }
            if (c->deferred_idx[i] >= 0) {
                field_tokens(c, c->fields.name[c->deferred_idx[i]], d, &hs);
                continue;
            }
            for (k = 0; k < d->nlen; k++) /* a field outside the list */
                lname[k] = (char)lower((unsigned char)d->name[k]);
            lname[k] = '\0';
            field_tokens(c, lname, d, &hs);
        }
        if (c->mo->field_aware && hs.from_dl && hs.rt_dl) {
            int same = hs.from_dl == hs.rt_dl && !memcmp(hs.from_dom, hs.rt_dom, hs.rt_dl);
            emit2(c, "reply-to:", 9, same ? "same-domain" : "other-domain", same ? 11 : 12);
        }
        if (c->mo->contacts && !c->err)
            contact_tokens(c, have_from ? &from : NULL, have_rt ? &rt : NULL);
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
        if (!e.have_ctype && !digest && spamlr__entity_sniff_boundary(&e, body, blen))
            strcpy(e.type, "multipart/mixed");
    }
    type = e.type;
    if (c->fields.want_struct) {
        if (kind == ENT_TOP && c->mo->field_aware && e.blen) {
            char shape[64];
            emit2(c, "content-type:boundary:", 22, shape,
                  spamlr__shape(e.boundary, e.blen, shape, sizeof shape));
        }
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
        if (e.cte == SPAMLR__CTE_NONE) {
            parse_entity(c, body, blen, depth + 1, ENT_MESSAGE, 0);
            return;
        }
        spamlr__buf_init(&own);
        set_err(c, e.cte == SPAMLR__CTE_BASE64 ? spamlr__b64_decode(body, blen, &own, c->max_part)
                                       : spamlr__qp_decode(body, blen, &own, c->max_part, 0));
        if (!c->err && own.len)
            parse_entity(c, own.data, own.len, depth + 1, ENT_MESSAGE, 0);
        spamlr__buf_free(&own);
    } else if (!strcmp(type, "text/plain")) {
        read_text(c, &e, body, blen, !e.have_ctype && spamlr__html_sniff(body, blen));
    } else if (!strcmp(type, "text/html")) {
        read_text(c, &e, body, blen, 1);
    }
}

struct spamlr__mime_state {
    pctx c;                 /* its buffers and iconv descriptors kept */
    char *fields_src;       /* the allow-list string c.fields was parsed from */
    int fields_default;     /* ... or NULL (the default list) */
    int have_fields;
    spamlr__fcache fcache;  /* c.fields' answers, c.fcache points here */
};

void spamlr__mime_state_free(spamlr__mime_state *st)
{
    if (!st)
        return;
    spamlr__buf_free(&st->c.hv);
    spamlr__buf_free(&st->c.hd);
    spamlr__buf_free(&st->c.hx);
    spamlr__buf_free(&st->c.ew);
    spamlr__buf_free(&st->c.cs);
    spamlr__buf_free(&st->c.body);
    spamlr__buf_free(&st->c.conv);
    spamlr__iconv_cache_free(&st->c.ic);
    free(st->fields_src);
    free(st);
}

/* The allow-list of mo, parsed once for as long as it stays the same. */
static void state_fields(spamlr__mime_state *st, const char *src)
{
    size_t n;

    if (st->have_fields && (src ? !st->fields_default && st->fields_src &&
                                      !strcmp(st->fields_src, src)
                                : st->fields_default))
        return;
    spamlr__fields_parse(&st->c.fields, src);
    spamlr__fcache_clear(&st->fcache);
    free(st->fields_src);
    st->fields_src = NULL;
    st->fields_default = !src;
    st->have_fields = 1;
    if (src && (st->fields_src = malloc((n = strlen(src)) + 1)))
        memcpy(st->fields_src, src, n + 1);
    else if (src)
        st->have_fields = 0; /* no copy to compare with: parse next time */
}

int spamlr__mime_parse_state(spamlr__mime_state **st, const spamlr__mime_opts *mo,
                             const spamlr_text_opts *to, const char *msg, size_t len,
                             spamlr__buf *text, spamlr_token_fn tok, void *ctx)
{
    spamlr__mime_opts defaults;
    pctx *c;
    int r;

    if ((!msg && len) || !text || (tok && !to) || !st)
        return SPAMLR_EINVAL;
    if (!mo) {
        spamlr__mime_opts_init(&defaults);
        mo = &defaults;
    }
    if (len == 0)
        return SPAMLR_OK;
    if (!*st) {
        if (!(*st = calloc(1, sizeof **st)))
            return SPAMLR_ENOMEM;
        c = &(*st)->c;
        spamlr__buf_init(&c->hv);
        spamlr__buf_init(&c->hd);
        spamlr__buf_init(&c->hx);
        spamlr__buf_init(&c->ew);
        spamlr__buf_init(&c->cs);
        spamlr__buf_init(&c->body);
        spamlr__buf_init(&c->conv);
        spamlr__iconv_cache_init(&c->ic);
    }
    state_fields(*st, mo->fields);
    /* each message starts from empty buffers and counts; the buffers'
     * memory, the iconv descriptors and the allow-list are kept, and the
     * arrays (seen, deferred, tokbuf) are read only as far as their counts
     * say (clearing the whole 11 KB context was 2.6 % of the mail path's
     * instructions) */
    c = &(*st)->c;
    c->hv.len = c->hd.len = c->hx.len = c->ew.len = c->cs.len = c->body.len = c->conv.len = 0;
    c->tok_stop = 0;
    c->err = 0;
    c->limit = 0;
    c->nseen = 0;
    c->images = 0;
    c->plen = 0;
    c->hdr_cs[0] = '\0';
    c->ndeferred = 0;
    c->nnamed = 0;
    c->fcache = &(*st)->fcache;
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

    parse_entity(c, msg, len, 0, ENT_TOP, 0);
    if (!c->err && c->images && mo->html_tokens)
        emit_once(c, "html:img:", bucket(c->images), strlen(bucket(c->images)));
    r = c->err ? c->err : c->limit ? SPAMLR_ELIMIT : SPAMLR_OK;
    return r;
}

int spamlr__mime_parse(const spamlr__mime_opts *mo, const spamlr_text_opts *to,
                       const char *msg, size_t len, spamlr__buf *text,
                       spamlr_token_fn tok, void *ctx)
{
    spamlr__mime_state *st = NULL;
    int r = spamlr__mime_parse_state(&st, mo, to, msg, len, text, tok, ctx);

    spamlr__mime_state_free(st);
    return r;
}
