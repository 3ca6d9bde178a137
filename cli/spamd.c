/* spamd.c - the spamc/spamd protocol: request heads, zlib bodies, replies
 * (see spamd.h; the byte formats are those of SpamAssassin's spamd/PROTOCOL
 * and of spamc's libspamc.c, which reads "Spam: %5s ; %20s / %20s" and
 * checks that Content-length matches the body it gets). */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common.h"
#include "spamd.h"

static const char *const verb_names[] = {
    "CHECK", "SYMBOLS", "REPORT", "REPORT_IFSPAM", "PROCESS", "HEADERS", "PING", "SKIP", "TELL"
};

const char *spamd_verb_name(int verb)
{
    return verb >= 0 && verb <= SPAMD_TELL ? verb_names[verb] : "-";
}

const char *spamd_ex_name(int code)
{
    switch (code) {
    case SPAMD_EX_OK: return "EX_OK";
    case SPAMD_EX_USAGE: return "EX_USAGE";
    case SPAMD_EX_DATAERR: return "EX_DATAERR";
    case SPAMD_EX_UNAVAILABLE: return "EX_UNAVAILABLE";
    case SPAMD_EX_SOFTWARE: return "EX_SOFTWARE";
    case SPAMD_EX_OSERR: return "EX_OSERR";
    case SPAMD_EX_IOERR: return "EX_IOERR";
    case SPAMD_EX_TEMPFAIL: return "EX_TEMPFAIL";
    case SPAMD_EX_PROTOCOL: return "EX_PROTOCOL";
    case SPAMD_EX_NOPERM: return "EX_NOPERM";
    case SPAMD_EX_NOUSER: return "EX_NOUSER";
    case SPAMD_EX_TIMEOUT: return "EX_TIMEOUT";
    default: return "EX_UNKNOWN";
    }
}

/* ------------------------------------------------------------ the head */

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Whether s[0..n) equals the lower-case word w, ignoring case. */
static int word_is(const char *s, size_t n, const char *w)
{
    size_t i;

    for (i = 0; i < n && w[i]; i++)
        if (lower((unsigned char)s[i]) != w[i])
            return 0;
    return i == n && w[i] == '\0';
}

/* The line at buf[at..len): its length without the line ending in *n, the
 * offset after it returned; 0 when no line ending is there yet. */
static size_t line_at(const char *buf, size_t at, size_t len, size_t *n)
{
    const char *nl = memchr(buf + at, '\n', len - at);
    size_t k;

    if (!nl)
        return 0;
    k = (size_t)(nl - (buf + at));
    *n = k > 0 && buf[at + k - 1] == '\r' ? k - 1 : k;
    return at + k + 1;
}

static int parse_request_line(spamd_request *req, const char *s, size_t n, const char **why)
{
    size_t v = 0, i;
    int verb;

    while (v < n && v < 16 && ((s[v] >= 'A' && s[v] <= 'Z') || s[v] == '_'))
        v++;
    if (v == 0 || v >= n || s[v] != ' ') {
        *why = "bad request line (expected 'COMMAND SPAMC/1.5')";
        return SPAMD_EX_PROTOCOL;
    }
    for (verb = 0; verb <= SPAMD_TELL; verb++)
        if (strlen(verb_names[verb]) == v && memcmp(s, verb_names[verb], v) == 0)
            break;
    i = v + 1;
    if (n - i < 9 || memcmp(s + i, "SPAMC/", 6) != 0) {
        *why = "bad request line (expected 'COMMAND SPAMC/1.5')";
        return SPAMD_EX_PROTOCOL;
    }
    i += 6;
    req->major = req->minor = 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9' && req->major < 1000; i++)
        req->major = req->major * 10 + (s[i] - '0');
    if (i >= n || s[i] != '.' || i + 1 >= n) {
        *why = "bad protocol version";
        return SPAMD_EX_PROTOCOL;
    }
    for (i++; i < n && s[i] >= '0' && s[i] <= '9' && req->minor < 1000; i++)
        req->minor = req->minor * 10 + (s[i] - '0');
    if (i != n || req->major != 1) {
        *why = "bad protocol version";
        return SPAMD_EX_PROTOCOL;
    }
    if (verb > SPAMD_TELL) {
        *why = "unknown command";
        return SPAMD_EX_PROTOCOL;
    }
    req->verb = verb;
    return 0;
}

/* "local", "remote", or both, separated by commas and spaces. */
static int parse_dbs(const char *s, size_t n, unsigned *out)
{
    size_t i = 0, j;

    *out = 0;
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == ','))
            i++;
        for (j = i; j < n && s[j] != ' ' && s[j] != '\t' && s[j] != ','; j++)
            ;
        if (j == i)
            break;
        if (word_is(s + i, j - i, "local"))
            *out |= SPAMD_DB_LOCAL;
        else if (word_is(s + i, j - i, "remote"))
            *out |= SPAMD_DB_REMOTE;
        else
            return -1;
        i = j;
    }
    return *out ? 0 : -1;
}

static int parse_field(spamd_request *req, const char *s, size_t n, const char **why)
{
    const char *colon = memchr(s, ':', n);
    size_t name, i, vn;
    const char *v;

    if (!colon || colon == s) {
        *why = "bad header line";
        return SPAMD_EX_PROTOCOL;
    }
    name = (size_t)(colon - s);
    for (i = 0; i < name; i++)
        if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 127) {
            *why = "bad header line";
            return SPAMD_EX_PROTOCOL;
        }
    v = colon + 1;
    vn = n - name - 1;
    while (vn > 0 && (*v == ' ' || *v == '\t'))
        v++, vn--;
    while (vn > 0 && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
        vn--;
    if (word_is(s, name, "content-length")) {
        long long x = 0;

        if (vn == 0 || vn > 15) {
            *why = "bad Content-length";
            return SPAMD_EX_PROTOCOL;
        }
        for (i = 0; i < vn; i++) {
            if (v[i] < '0' || v[i] > '9') {
                *why = "bad Content-length";
                return SPAMD_EX_PROTOCOL;
            }
            x = x * 10 + (v[i] - '0');
        }
        if (req->length >= 0 && req->length != x) {
            *why = "two different Content-length fields";
            return SPAMD_EX_PROTOCOL;
        }
        req->length = x;
    } else if (word_is(s, name, "compress")) {
        if (!word_is(v, vn, "zlib")) {
            *why = "unsupported Compress (only zlib)";
            return SPAMD_EX_PROTOCOL;
        }
        req->zlib = 1;
    } else if (word_is(s, name, "user")) {
        if (vn == 0 || vn >= sizeof req->user) {
            *why = "bad User";
            return SPAMD_EX_PROTOCOL;
        }
        for (i = 0; i < vn; i++) {
            char c = v[i];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  strchr("-+=._@", c))) {
                *why = "bad User";
                return SPAMD_EX_PROTOCOL;
            }
        }
        memcpy(req->user, v, vn);
        req->user[vn] = '\0';
    } else if (word_is(s, name, "message-class")) {
        if (word_is(v, vn, "spam"))
            req->msg_class = SPAMLR_SPAM;
        else if (word_is(v, vn, "ham"))
            req->msg_class = SPAMLR_HAM;
        else {
            *why = "bad Message-class (spam or ham)";
            return SPAMD_EX_PROTOCOL;
        }
    } else if (word_is(s, name, "set") || word_is(s, name, "remove")) {
        unsigned dbs;

        if (parse_dbs(v, vn, &dbs)) {
            *why = "bad Set or Remove (local, remote)";
            return SPAMD_EX_PROTOCOL;
        }
        if (lower((unsigned char)s[0]) == 's')
            req->set |= dbs;
        else
            req->remove |= dbs;
    }
    return 0;
}

int spamd_parse_head(spamd_request *req, const char *buf, size_t len, const char **why)
{
    size_t at, next, n, fields = 0;
    int rc;

    memset(req, 0, sizeof *req);
    req->length = -1;
    req->msg_class = -1;
    *why = "";
    if (len > SPAMD_HEAD_MAX)
        len = SPAMD_HEAD_MAX;
    if (!(next = line_at(buf, 0, len, &n))) {
        if (len < SPAMD_HEAD_MAX)
            return SPAMD_MORE;
        *why = "request line too long";
        return SPAMD_EX_PROTOCOL;
    }
    if ((rc = parse_request_line(req, buf, n, why)))
        return rc;
    at = next;
    if (req->minor == 0) { /* SPAMC/1.0: no header fields */
        req->head_len = at;
        return 0;
    }
    for (;;) {
        if (!(next = line_at(buf, at, len, &n))) {
            if (len < SPAMD_HEAD_MAX)
                return SPAMD_MORE;
            *why = "request head longer than 16384 bytes";
            return SPAMD_EX_PROTOCOL;
        }
        if (n == 0)
            break;
        if (++fields > SPAMD_FIELDS_MAX) {
            *why = "more than 64 header fields";
            return SPAMD_EX_PROTOCOL;
        }
        if ((rc = parse_field(req, buf + at, n, why)))
            return rc;
        at = next;
    }
    req->head_len = next;
    return 0;
}

/* ---------------------------------------------------------- buffers, zlib */

int spamd_buf_reserve(spamd_buf *b, size_t n)
{
    size_t cap;
    char *p;

    if (b->oom)
        return -1;
    if (b->cap - b->len >= n)
        return 0;
    if (n > SIZE_MAX / 4 - b->len) {
        b->oom = 1;
        return -1;
    }
    cap = b->cap ? b->cap : 4096;
    while (cap - b->len < n)
        cap *= 2;
    if (!(p = realloc(b->p, cap))) {
        b->oom = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

void spamd_buf_free(spamd_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

static void put(spamd_buf *b, const void *p, size_t n)
{
    if (spamd_buf_reserve(b, n) == 0) {
        memcpy(b->p + b->len, p, n);
        b->len += n;
    }
}

static void puts_(spamd_buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static void printf_(spamd_buf *b, const char *fmt, ...) CLI_PRINTF(2, 3);
static void printf_(spamd_buf *b, const char *fmt, ...)
{
    va_list ap;
    int k;

    if (spamd_buf_reserve(b, 256))
        return;
    va_start(ap, fmt);
    k = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (k < 0)
        return;
    if ((size_t)k >= b->cap - b->len) {
        if (spamd_buf_reserve(b, (size_t)k + 1))
            return;
        va_start(ap, fmt);
        vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)k;
}

struct spamd_inflater {
    z_stream zs;
};

int spamd_inflater_new(spamd_inflater **out)
{
    spamd_inflater *z = calloc(1, sizeof *z);

    *out = NULL;
    if (!z || inflateInit(&z->zs) != Z_OK) {
        free(z);
        return -1;
    }
    *out = z;
    return 0;
}

void spamd_inflater_free(spamd_inflater *z)
{
    if (z) {
        inflateEnd(&z->zs);
        free(z);
    }
}

int spamd_inflate(spamd_inflater *z, spamd_buf *out, const char *in, size_t n, size_t max,
                  const char **why)
{
    z_stream *zs = &z->zs;
    int r;

    out->len = 0;
    if (inflateReset(zs) != Z_OK || n > UINT_MAX) {
        *why = "bad zlib data";
        return SPAMD_EX_DATAERR;
    }
    zs->next_in = (unsigned char *)(uintptr_t)in;
    zs->avail_in = (unsigned)n;
    do {
        size_t room;

        if (spamd_buf_reserve(out, out->len < 65536 ? 65536 : out->len)) {
            *why = "out of memory";
            return SPAMD_EX_OSERR;
        }
        room = out->cap - out->len;
        if (room > max + 1 - out->len)
            room = max + 1 - out->len; /* one byte more than max: too big */
        zs->next_out = (unsigned char *)out->p + out->len;
        zs->avail_out = (unsigned)(room < UINT_MAX ? room : UINT_MAX);
        r = inflate(zs, Z_NO_FLUSH);
        out->len = (size_t)((char *)zs->next_out - out->p);
        if (out->len > max) {
            *why = "message inflates to more than --max-size";
            return SPAMD_EX_DATAERR;
        }
    } while (r == Z_OK && (zs->avail_in > 0 || zs->avail_out == 0));
    if (r != Z_STREAM_END) {
        *why = "bad zlib data";
        return SPAMD_EX_DATAERR;
    }
    return 0;
}

/* ------------------------------------------------------------- replies */

double spamd_score(double logodds, double threshold)
{
    double t = threshold < 1e-9 ? 1e-9 : threshold > 1 - 1e-9 ? 1 - 1e-9 : threshold;
    double s = SPAMD_REQUIRED + logodds - log(t / (1 - t));

    return isnan(s) ? 0 : s < -1e9 ? -1e9 : s > 1e9 ? 1e9 : s;
}

static void set_head(spamd_reply *r, const char *fmt, ...) CLI_PRINTF(2, 3);
static void set_head(spamd_reply *r, const char *fmt, ...)
{
    va_list ap;
    int k;

    va_start(ap, fmt);
    k = vsnprintf(r->head, sizeof r->head, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= sizeof r->head)
        k = (int)strlen(r->head);
    r->part[0].iov_base = r->head;
    r->part[0].iov_len = (size_t)k;
    r->nparts = 1;
    r->body_len = 0;
}

static void add_part(spamd_reply *r, const char *p, size_t n)
{
    if (n == 0)
        return;
    r->part[r->nparts].iov_base = (void *)(uintptr_t)p;
    r->part[r->nparts].iov_len = n;
    r->nparts++;
    r->body_len += n;
}

void spamd_reply_error(spamd_reply *r, int code, const char *why)
{
    set_head(r, "SPAMD/1.0 %d %s\r\n", code, why && *why ? why : spamd_ex_name(code));
}

void spamd_reply_pong(spamd_reply *r)
{
    set_head(r, "SPAMD/1.5 0 PONG\r\n");
}

void spamd_reply_tell(spamd_reply *r, unsigned did_set, unsigned did_remove)
{
    set_head(r, "SPAMD/1.1 0 EX_OK\r\n%s%s%s%sContent-length: 0\r\n\r\n",
             did_set ? "DidSet: local" : "", did_set ? "\r\n" : "",
             did_remove ? "DidRemove: local" : "", did_remove ? "\r\n" : "");
}

static size_t tok(char *dst, const spamlr_contribution *c)
{
    return mail_token(dst, c->token, 1);
}

static void put_symbols(spamd_buf *b, const spamd_verdict *v)
{
    char t[MAIL_TOKEN_MAX + 1];
    size_t i;

    for (i = 0; i < v->n; i++) {
        if (i)
            put(b, ",", 1);
        put(b, t, tok(t, &v->items[i]));
    }
}

/* The report: SpamAssassin's layout, one row per token, its points being
 * its share of the log-odds. */
static void put_report(spamd_buf *b, const spamd_verdict *v, double score)
{
    char t[MAIL_TOKEN_MAX + 1];
    double shown = 0;
    size_t i;

    printf_(b, "spamlr %s judged this message %s: spam probability %.4f, the model's "
            "threshold %.4f.\n\n", spamlr_version_string(),
            v->prob >= v->threshold ? "spam" : "not spam", v->prob, v->threshold);
    printf_(b, "Content analysis details:   (%.1f points, %.1f required)\n\n", score,
            SPAMD_REQUIRED);
    puts_(b, " pts rule name              description\n"
             "---- ---------------------- --------------------------------------------------\n");
    for (i = 0; i < v->n; i++) {
        const spamlr_contribution *c = &v->items[i];

        tok(t, c);
        printf_(b, "%4.1f %-22s token, %u time%s, weight %+.4f\n", c->contribution, t,
                (unsigned)c->count, c->count == 1 ? "" : "s", c->weight);
        shown += c->contribution;
    }
    printf_(b, "\npoints = %.1f + log-odds %.3f - logit(threshold) %.3f; the %zu tokens above "
            "give %.3f of the log-odds, the bias and %zu other tokens the rest.\n",
            SPAMD_REQUIRED, v->logodds, SPAMD_REQUIRED - score + v->logodds, v->n, shown,
            v->total > v->n ? v->total - v->n : 0);
}

/* The header fields PROCESS and HEADERS add, with the mail's line ending. */
static void put_fields(spamd_buf *b, const spamd_verdict *v, double score, const char *eol)
{
    char t[MAIL_TOKEN_MAX + 1];
    int spam = v->prob >= v->threshold, stars, i;
    size_t k;

    printf_(b, "X-Spam-Checker-Version: spamlr %s%s", spamlr_version_string(), eol);
    printf_(b, "X-Spam-Flag: %s%s", spam ? "YES" : "NO", eol);
    stars = score >= 50 ? 50 : score >= 1 ? (int)score : 0;
    puts_(b, "X-Spam-Level: ");
    for (i = 0; i < stars; i++)
        put(b, "*", 1);
    puts_(b, eol);
    printf_(b, "X-Spam-Status: %s, score=%.1f required=%.1f tests=", spam ? "Yes" : "No",
            score, SPAMD_REQUIRED);
    put_symbols(b, v);
    puts_(b, eol);
    printf_(b, "X-Spam-Probability: %.4f%s", v->prob, eol);
    puts_(b, "X-Spam-Words:");
    for (k = 0; k < v->n; k++) {
        mail_token(t, v->items[k].token, 0);
        printf_(b, " %s=%+.3f", t, v->items[k].contribution);
    }
    puts_(b, eol);
}

int spamd_reply_scan(spamd_reply *r, spamd_buf *extra, const spamd_request *req,
                     const spamd_verdict *v, const char *msg, size_t len)
{
    double score = spamd_score(v->logodds, v->threshold);
    int verb = req->verb, spam = v->prob >= v->threshold, pre = 0, post = 0;
    int minor = req->major > 1 ? 99 : req->minor;
    size_t at = 0, sep = 0;
    const char *eol = mail_eol(msg, len);
    char spamhdr[80], lenhdr[48];
    struct iovec body[4];
    int nb, i;

    extra->len = 0;
    extra->oom = 0;
    switch (verb) {
    case SPAMD_SYMBOLS:
        put_symbols(extra, v);
        if (minor < 3) /* before 1.3 the list ended in CRLF */
            puts_(extra, "\r\n");
        break;
    case SPAMD_REPORT: put_report(extra, v, score); break;
    case SPAMD_REPORT_IFSPAM:
        if (spam)
            put_report(extra, v, score);
        break;
    case SPAMD_PROCESS:
    case SPAMD_HEADERS:
        at = mail_insert_point(msg, len, &pre, &post);
        if (pre)
            puts_(extra, eol);
        put_fields(extra, v, score, eol);
        if (post)
            puts_(extra, eol);
        /* HEADERS: up to and including the empty line */
        if (at < len)
            sep = msg[at] == '\n' ? 1 : 2;
        break;
    default: break;
    }
    if (extra->oom)
        return -1;
    r->nparts = 1; /* the head comes last, when the length is known */
    r->body_len = 0;
    if (verb == SPAMD_PROCESS || verb == SPAMD_HEADERS) {
        add_part(r, msg, at);
        add_part(r, extra->p, extra->len);
        add_part(r, msg + at, verb == SPAMD_PROCESS ? len - at : (post ? 0 : sep));
    } else {
        add_part(r, extra->p, extra->len);
    }
    nb = r->nparts - 1;
    memcpy(body, r->part + 1, (size_t)nb * sizeof *body);
    /* as spamd: Content-length from 1.2 on for PROCESS (1.3 for the
     * others, whose 1.2 clients such as Exim's read "Spam:" right after
     * the status line), the Spam: field from 1.3 on for PROCESS */
    snprintf(spamhdr, sizeof spamhdr, "Spam: %s ; %.1f / %.1f\r\n", spam ? "True" : "False",
             score, SPAMD_REQUIRED);
    snprintf(lenhdr, sizeof lenhdr, "Content-length: %zu\r\n", r->body_len);
    if (verb == SPAMD_PROCESS || verb == SPAMD_HEADERS)
        set_head(r, "SPAMD/1.1 0 EX_OK\r\n%s%s\r\n", minor >= 3 ? spamhdr : "",
                 minor >= 2 ? lenhdr : "");
    else
        set_head(r, "SPAMD/1.1 0 EX_OK\r\n%s%s\r\n", minor >= 3 ? lenhdr : "", spamhdr);
    for (i = 0; i < nb; i++)
        add_part(r, body[i].iov_base, body[i].iov_len);
    return 0;
}
