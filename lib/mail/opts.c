/* opts.c - the parser's settings: defaults, the header allow-list, the field sets. */
#include <string.h>

#include "mail/mime.h"
#include "mail/opts.h"
#include "mail/syntax.h"

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

/* ------------------------------------------------------------ allow-list */

/* Fields never tokenised: the verdicts of other filters, and what a mail
 * store or the local delivery added (include/spamlr.h, SPAMLR_HDR_OTHER).
 * Entries are lower-case; `prefix` ones match every field they start. */
typedef struct deny {
    const char *s;
    unsigned char len, prefix;
} deny;
#define P(lit) { lit, sizeof(lit) - 1, 1 }
#define N(lit) { lit, sizeof(lit) - 1, 0 }
static const deny DENY_X[] = {  /* after "x-" */
    P("spam"), P("bogosity"), P("dspam"), P("virus"), P("crm114"), P("bayes"),
    P("mailscanner"), P("mozilla-"), P("evolution"), P("imap"), P("envelope-"),
    /* more filters' verdicts and scores */
    P("rspamd"), P("amavis"), P("razor"), P("pyzor"), P("barracuda"), P("proofpoint"),
    P("ironport"), P("microsoft-antispam"), P("forefront-antispam"),
    P("ms-exchange-organization-"), P("antispam"), P("antivirus"), P("policyd"),
    P("greylist"), P("quarantine"), P("junk"), P("gmx-antispam"), P("yandex-spam"),
    P("sophos"), P("sieve"),
    /* labels and bookkeeping of mail clients and stores */
    P("gm-"), P("gmail-"), P("account-key"), P("vm-"), P("mh-"), P("folder"),
    N("keywords"), N("uid"), N("status"), N("original-to"), N("apparently-to"), N("loop"),
    N("original-date"), N("label"), N("labels"), N("tuid"), N("mailbox"),
    /* what the receiving side concluded about the sender */
    N("scanned-by"), N("scanner"), N("spf"),
};
static const deny DENY[] = {
    N("status"), N("content-length"), N("lines"), N("delivery-date"), N("delivered-to"),
    N("envelope-to"), N("authentication-results"), N("arc-authentication-results"),
    N("received-spf"),
};
#undef P
#undef N

static int denied(const char *name, size_t n)
{
    char low[40];
    const deny *t = DENY;
    size_t i, k = sizeof DENY / sizeof *DENY, m = n < sizeof low ? n : sizeof low;
    const char *s = low;

    /* the longest entry is under 40 bytes: a longer name can only match a
     * prefix, which its first 40 bytes decide */
    for (i = 0; i < m; i++)
        low[i] = (char)lower((unsigned char)name[i]);
    if (m >= 2 && low[0] == 'x' && low[1] == '-') {
        t = DENY_X;
        k = sizeof DENY_X / sizeof *DENY_X;
        s += 2;
        n -= 2;
        m -= 2;
    }
    if (m == 0)
        return 0;
    /* every field of every message comes here: the first byte
     * rules out nearly every entry without a call to memcmp */
    for (i = 0; i < k; i++)
        if (t[i].s[0] == s[0] &&
            (t[i].prefix ? m >= t[i].len && memcmp(s, t[i].s, t[i].len) == 0
                         : n == t[i].len && memcmp(s, t[i].s, n) == 0))
            return 1;
    return 0;
}

void spamlr__fields_parse(spamlr__fields *fl, const char *s)
{
    size_t i = 0, k;

    memset(fl, 0, sizeof *fl);
    if (!s)
        s = SPAMLR__MIME_FIELDS_DEFAULT;
    while (s[i] && fl->n < SPAMLR__FIELDS_N) {
        while (s[i] == ' ' || s[i] == ',' || s[i] == '\t' || s[i] == ';')
            i++;
        for (k = 0; s[i] && s[i] != ' ' && s[i] != ',' && s[i] != '\t' && s[i] != ';'; i++)
            if (k + 1 < SPAMLR__FIELD_NAME_MAX)
                fl->name[fl->n][k++] = (char)lower((unsigned char)s[i]);
        if (k == 0)
            continue;
        if (fl->name[fl->n][k - 1] == ':')
            k--;
        fl->name[fl->n][k] = '\0';
        if (k && !denied(fl->name[fl->n], k)) {
            if (!strcmp(fl->name[fl->n], "content-type"))
                fl->want_struct = 1;
            fl->n++;
        }
    }
}

int spamlr__fields_find(const spamlr__fields *fl, const char *name, size_t n)
{
    size_t i;

    if (denied(name, n))
        return -2;
    for (i = 0; i < fl->n; i++)
        if (ieq(name, n, fl->name[i]))
            return (int)i;
    return -1;
}

void spamlr__fcache_clear(spamlr__fcache *fc)
{
    memset(fc, 0, sizeof *fc);
}

int spamlr__fields_find_cached(const spamlr__fields *fl, spamlr__fcache *fc, const char *name,
                               size_t n)
{
    unsigned h;
    int idx;

    if (n == 0 || n > SPAMLR__FCACHE_NAME)
        return spamlr__fields_find(fl, name, n);
    h = ((unsigned)n * 31u + (unsigned char)name[0] * 7u + (unsigned char)name[n - 1] * 3u +
         (unsigned char)name[n >> 1]) % SPAMLR__FCACHE;
    if (fc->e[h].len == n && memcmp(fc->e[h].name, name, n) == 0)
        return fc->e[h].idx;
    idx = spamlr__fields_find(fl, name, n);
    fc->e[h].len = (unsigned char)n;
    fc->e[h].idx = (signed char)idx;
    memcpy(fc->e[h].name, name, n);
    return idx;
}

/* ------------------------------------------------- header field sets */

static const char *const HDR_NAMES[] = {
    "subject", "from", "reply-to", "to", "cc", "content-type", "x-mailer",
    "user-agent", "organization", "list-id", "received", "message-id",
    "other", "field-aware", "received-origin",
};
#define NAMED_FIELDS 12 /* HDR_NAMES up to here are field names */

void spamlr__mime_opts_for(spamlr__mime_opts *mo, const spamlr_text_opts *to, char *buf)
{
    size_t i, n = 0;

    spamlr__mime_opts_init(mo);
    buf[0] = '\0';
    mo->other_fields = (to->header_fields & SPAMLR_HDR_OTHER) != 0;
    mo->field_aware = (to->header_fields & SPAMLR_HDR_FIELD_AWARE) != 0;
    mo->received_origin = (to->header_fields & SPAMLR_HDR_RECEIVED_ORIGIN) != 0;
    for (i = 0; i < NAMED_FIELDS; i++) {
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
        } else if (ieq(p, n, "v0.1")) {
            bits |= SPAMLR_HDR_V01;
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
