/* fields.c - field-aware header tokens: the structure of Received,
 * Message-ID, Date, address and mailer fields (fields.h). Pure functions
 * over an unfolded field value; tokens go to the caller's emit. */
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "mail/fields.h"
#include "mail/syntax.h"

#define HOST_MAX 128

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_hex(int c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
static int host_char(int c) { return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_'; }

size_t spamlr__shape(const char *s, size_t n, char *out, size_t size)
{
    size_t i = 0, k = 0;

    while (i < n && k + 1 < size) {
        int c = (unsigned char)s[i];
        if (is_digit(c)) {
            while (i < n && is_digit((unsigned char)s[i]))
                i++;
            out[k++] = '9';
        } else if (is_alpha(c)) {
            out[k++] = c >= 'A' && c <= 'Z' ? 'A' : 'a';
            while (i < n && is_alpha((unsigned char)s[i]))
                i++;
        } else if (c >= 0x80) {
            while (i < n && (unsigned char)s[i] >= 0x80)
                i++;
            out[k++] = 'x';
        } else if ((c < 0x20 && !is_space(c)) || c == 0x7F) {
            out[k++] = 'c'; /* a control byte: printable, as a token must be */
            i++;
        } else {
            out[k++] = is_space(c) ? ' ' : (char)c;
            i++;
            while (c == ' ' && i < n && s[i] == ' ')
                i++;
        }
    }
    out[k] = '\0';
    return k;
}

void spamlr__domain_tokens(const char *prefix, const char *dom, size_t n, spamlr__emit_fn emit,
                           void *ctx)
{
    size_t i, dots = 0;

    for (i = 0; i < n; i++)
        dots += dom[i] == '.';
    if (n == 0)
        return;
    emit(ctx, prefix, dom, n);
    /* parents while at least two labels remain */
    for (i = 0; i < n && dots > 1; i++)
        if (dom[i] == '.') {
            emit(ctx, prefix, dom + i + 1, n - i - 1);
            dots--;
        }
}

/* A host name at s[0..n) (lower-cased into h, at least HOST_MAX bytes):
 * its length, 0 when it has no dot or is not a name. */
static size_t host_of(const char *s, size_t n, char *h)
{
    size_t i, k = 0, dots = 0;

    for (i = 0; i < n && k < HOST_MAX - 1 && host_char((unsigned char)s[i]); i++) {
        h[k++] = (char)lower((unsigned char)s[i]);
        dots += s[i] == '.';
    }
    while (k && h[k - 1] == '.')
        k--, dots--;
    return dots > 0 && k > 0 && h[0] != '.' && !is_digit((unsigned char)h[k - 1]) ? k : 0;
}

/* The dotted quad starting at v[i] (a digit): its end, with the ends of
 * its first two and three parts in mark; 0 when there is none there (up
 * to three digits a part, each part at most 255, and no digit or ".digit"
 * right after the fourth). */
static size_t dotted_quad(const char *v, size_t n, size_t i, size_t mark[4])
{
    size_t j = i;
    unsigned p = 0;

    while (p < 4) {
        unsigned x = 0, d = 0;
        while (j < n && is_digit((unsigned char)v[j]) && d < 4)
            x = x * 10 + (unsigned)(v[j++] - '0'), d++;
        if (d == 0 || d > 3 || x > 255)
            return 0;
        mark[p++] = j;
        if (p < 4) {
            if (j >= n || v[j] != '.')
                return 0;
            j++;
        }
    }
    if (j < n && (is_digit((unsigned char)v[j]) ||
                  (v[j] == '.' && j + 1 < n && is_digit((unsigned char)v[j + 1]))))
        return 0;
    return j;
}

/* Every IPv4 address in v (a dotted quad that no digit or dot comes
 * right before): its /24 and /16 prefixes, in order. An address has a dot
 * one to three digits after its start, so the search goes from dot to dot
 * (memchr) and looks back for the start, rather than testing every byte
 * of the field. */
static void ipv4_tokens(const char *v, size_t n, spamlr__emit_fn emit, void *ctx)
{
    const char *dot;
    size_t i = 0;

    while (i < n && (dot = memchr(v + i, '.', n - i))) {
        size_t d = (size_t)(dot - v), s = d, end, mark[4];

        i = d + 1;
        while (s > 0 && d - s < 4 && is_digit((unsigned char)v[s - 1]))
            s--;
        if (s == d || d - s > 3 || (s > 0 && (is_digit((unsigned char)v[s - 1]) ||
                                              v[s - 1] == '.')))
            continue;
        if ((end = dotted_quad(v, n, s, mark))) {
            emit(ctx, "received:ip:", v + s, mark[2] - s);
            emit(ctx, "received:ip:", v + s, mark[1] - s);
            i = end;
        }
    }
}

/* Every IPv6 address written after "IPv6:" (as in [IPv6:2001:db8::1]): its
 * first two groups, lower-cased. */
static void ipv6_tokens(const char *v, size_t n, spamlr__emit_fn emit, void *ctx)
{
    const char *colon;
    size_t i;

    /* a Received field has few colons (times, IPv6): find them with memchr
     * and look back for "ipv6" rather than compare at every byte */
    for (i = 0; i + 5 < n; i++) {
        char g[16];
        size_t j, k = 0, groups = 0;
        if (!(colon = memchr(v + i + 4, ':', n - i - 4)))
            break;
        i = (size_t)(colon - v) - 4;
        if (i + 5 >= n || !ieq(v + i, 5, "ipv6:"))
            continue;
        j = i + 5;
        while (j < n && groups < 2 && k + 1 < sizeof g) {
            if (is_hex((unsigned char)v[j])) {
                g[k++] = (char)lower((unsigned char)v[j++]);
            } else if (v[j] == ':' && k > 0 && g[k - 1] != ':') {
                if (++groups < 2)
                    g[k++] = ':';
                j++;
            } else {
                break;
            }
        }
        if (k > 0 && g[k - 1] == ':')
            k--;
        if (k)
            emit(ctx, "received:ip6:", g, k);
        i = j;
    }
}

/* The bytes that end a word of a Received field: space, '(', ')', ';'. */
static const unsigned char word_end[256] = {
    [' '] = 1, ['\t'] = 1, ['\r'] = 1, ['\n'] = 1, ['('] = 1, [')'] = 1, [';'] = 1,
};

/* The end of the word starting at v[i]: the first byte of word_end from
 * i on, or n. */
static size_t word_stop(const char *v, size_t i, size_t n)
{
#if defined(__SSE2__)
    for (; n - i >= 16; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(v + i));
        __m128i e = _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(' ')),
                                 _mm_cmpeq_epi8(x, _mm_set1_epi8(';')));
        unsigned m;

        /* '\t' '\n' '\r' (9, 10, 13) and '(' ')' (40, 41) */
        e = _mm_or_si128(e, _mm_cmpeq_epi8(x, _mm_set1_epi8('\t')));
        e = _mm_or_si128(e, _mm_cmpeq_epi8(x, _mm_set1_epi8('\n')));
        e = _mm_or_si128(e, _mm_cmpeq_epi8(x, _mm_set1_epi8('\r')));
        e = _mm_or_si128(e, _mm_cmpeq_epi8(x, _mm_set1_epi8('(')));
        e = _mm_or_si128(e, _mm_cmpeq_epi8(x, _mm_set1_epi8(')')));
        if ((m = (unsigned)_mm_movemask_epi8(e)) != 0)
            return i + (size_t)spamlr__ctz64(m);
    }
#endif
    while (i < n && !word_end[(unsigned char)v[i]])
        i++;
    return i;
}

void spamlr__field_received(const char *v, size_t n, spamlr__emit_fn emit, void *ctx)
{
    static const char *const clauses[] = { "from", "by", "via", "with", "id", "for" };
    static const unsigned char clause_len[] = { 4, 2, 3, 4, 2, 3 };
    char shape[64], h[HOST_MAX];
    size_t i = 0, k = 0, depth = 0, c;
    int want = 0; /* 1: the word after "from", 2: after "by" */

    while (i < n) {
        size_t s, wl;
        if (v[i] == '(') {
            depth++, i++;
            continue;
        }
        if (v[i] == ')') {
            depth -= depth > 0, i++;
            continue;
        }
        if (is_space((unsigned char)v[i]) || v[i] == ';') {
            i++;
            continue;
        }
        s = i;
        i = word_stop(v, i, n);
        wl = i - s;
        if (depth)
            continue;
        if (want) {
            size_t hl = host_of(v + s, wl, h);
            if (hl)
                spamlr__domain_tokens("received:from:", h, hl, emit, ctx);
            want = 0;
            continue;
        }
        for (c = 0; wl >= 2 && wl <= 4 && c < sizeof clauses / sizeof *clauses; c++)
            if (clause_len[c] == wl && ieq(v + s, wl, clauses[c])) {
                size_t cl = wl;
                if (k + cl + 2 < sizeof shape) {
                    if (k)
                        shape[k++] = '-';
                    memcpy(shape + k, clauses[c], cl);
                    k += cl;
                }
                want = c == 0; /* the host after "by" is the receiving side's */
                break;
            }
    }
    if (k)
        emit(ctx, "received:shape:", shape, k);
    ipv4_tokens(v, n, emit, ctx);
    ipv6_tokens(v, n, emit, ctx);
}

void spamlr__field_message_id(const char *v, size_t n, spamlr__emit_fn emit, void *ctx)
{
    const char *lt = memchr(v, '<', n), *s = v, *at = NULL, *e;
    char shape[64], h[HOST_MAX];
    size_t i, hl;

    if (lt) {
        s = lt + 1;
        n -= (size_t)(s - v);
    }
    e = memchr(s, '>', n);
    n = e ? (size_t)(e - s) : n;
    trim(&s, &n);
    for (i = 0; i < n; i++)
        if (s[i] == '@')
            at = s + i;
    if (!n)
        return;
    if (!at) {
        emit(ctx, "message-id:", "no-at", 5);
        at = s + n;
    } else if ((hl = host_of(at + 1, n - (size_t)(at + 1 - s), h))) {
        spamlr__domain_tokens("message-id:@", h, hl, emit, ctx);
    }
    emit(ctx, "message-id:shape:", shape, spamlr__shape(s, (size_t)(at - s), shape, sizeof shape));
}

void spamlr__field_date(const char *v, size_t n, spamlr__emit_fn emit, void *ctx)
{
    char shape[64], tz[8];
    size_t i = 0, depth = 0, tl = 0;
    int after_time = 0;

    while (i < n) {
        size_t s, wl, j;
        if (v[i] == '(' || v[i] == ')') {
            depth = v[i] == '(' ? depth + 1 : depth - (depth > 0);
            i++;
            continue;
        }
        if (is_space((unsigned char)v[i]) || v[i] == ',') {
            i++;
            continue;
        }
        for (s = i; i < n && !is_space((unsigned char)v[i]) && v[i] != ',' && v[i] != '(' &&
                    v[i] != ')'; i++)
            ;
        wl = i - s;
        if (depth)
            continue;
        /* a zone: +hhmm / -hhmm, or 1-5 letters after the time */
        if (wl == 5 && (v[s] == '+' || v[s] == '-') && is_digit((unsigned char)v[s + 1]) &&
            is_digit((unsigned char)v[s + 4])) {
            memcpy(tz, v + s, 5);
            tl = 5;
        } else if (after_time && wl <= 5 && tl == 0) {
            for (j = 0; j < wl && is_alpha((unsigned char)v[s + j]); j++)
                ;
            if (j == wl) {
                for (j = 0; j < wl; j++)
                    tz[j] = (char)lower((unsigned char)v[s + j]);
                tl = wl;
            }
        }
        after_time |= memchr(v + s, ':', wl) != NULL;
    }
    if (tl)
        emit(ctx, "date:tz:", tz, tl);
    else
        emit(ctx, "date:tz:", "none", 4);
    emit(ctx, "date:shape:", shape, spamlr__shape(v, n, shape, sizeof shape));
}

void spamlr__field_mailer(const char *prefix, const char *v, size_t n, spamlr__emit_fn emit,
                          void *ctx)
{
    char name[48], p[40];
    size_t i = 0, k = 0, words = 0, pl = strlen(prefix);

    if (pl + 5 > sizeof p)
        return;
    while (i < n && words < 3) {
        size_t s;
        while (i < n && !is_alpha((unsigned char)v[i]) && !is_digit((unsigned char)v[i]))
            i++;
        if (i >= n || is_digit((unsigned char)v[i]) ||
            (lower((unsigned char)v[i]) == 'v' && i + 1 < n && is_digit((unsigned char)v[i + 1])))
            break;
        if (k && k + 1 < sizeof name)
            name[k++] = '_';
        for (s = i; i < n && (is_alpha((unsigned char)v[i]) || v[i] == '-'); i++)
            if (k + 1 < sizeof name)
                name[k++] = (char)lower((unsigned char)v[i]);
        if (i < n && is_digit((unsigned char)v[i])) { /* a name with digits in it */
            while (i < n && (is_alpha((unsigned char)v[i]) || is_digit((unsigned char)v[i])))
                if (k + 1 < sizeof name)
                    name[k++] = (char)lower((unsigned char)v[i++]);
                else
                    i++;
        }
        words += i > s;
    }
    if (!k)
        return;
    memcpy(p, prefix, pl);
    memcpy(p + pl, "name:", 6);
    emit(ctx, p, name, k);
    while (i < n && !is_digit((unsigned char)v[i]))
        i++;
    if (i < n && k + 5 < sizeof name) {
        name[k++] = '/';
        while (i < n && is_digit((unsigned char)v[i]) && k + 1 < sizeof name)
            name[k++] = v[i++];
        memcpy(p + pl, "ver:", 5);
        emit(ctx, p, name, k);
    }
}

spamlr__fkind spamlr__field_kind(const char *lname, size_t len)
{
#define IS(s) (!memcmp(lname, s, sizeof s - 1))
    switch (len) {
    case 2:
        return IS("to") ? SPAMLR__FK_TO : IS("cc") ? SPAMLR__FK_CC : SPAMLR__FK_OTHER;
    case 4:
        return IS("date") ? SPAMLR__FK_DATE : IS("from") ? SPAMLR__FK_FROM : SPAMLR__FK_OTHER;
    case 6:
        return IS("sender") ? SPAMLR__FK_SENDER : SPAMLR__FK_OTHER;
    case 8:
        return IS("received") ? SPAMLR__FK_RECEIVED : IS("reply-to") ? SPAMLR__FK_REPLY_TO
               : IS("x-mailer") ? SPAMLR__FK_MAILER : SPAMLR__FK_OTHER;
    case 10:
        return IS("message-id") ? SPAMLR__FK_MESSAGE_ID
               : IS("user-agent") ? SPAMLR__FK_MAILER : SPAMLR__FK_OTHER;
    case 11:
        return IS("return-path") ? SPAMLR__FK_RETURN_PATH : SPAMLR__FK_OTHER;
    case 12:
        return IS("content-type") ? SPAMLR__FK_CONTENT_TYPE : SPAMLR__FK_OTHER;
    default:
        return SPAMLR__FK_OTHER;
    }
#undef IS
}
