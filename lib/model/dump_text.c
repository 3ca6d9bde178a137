/* dump_text.c - the text primitives of the model dump (dump.c,
 * dump_state.c): formatted lines and escaped tokens out; lines, numbers and
 * escaped tokens in, with errors that name the line. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/dump_text.h"
#include "text/utf8.h"

/* ------------------------------------------------------------- writing */

void spamlr__dump_emit(textbuf *o, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    int n;

    if (o->err)
        return;
    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp || spamlr__buf_append(&o->b, tmp, (size_t)n))
        o->err = SPAMLR_ENOMEM;
}

void spamlr__dump_token(textbuf *o, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < len && !o->err) {
        uint32_t cp;
        size_t k = spamlr__utf8_decode(p + i, len - i, &cp);
        if (cp == SPAMLR__UTF8_BAD || p[i] < 0x20 || p[i] == 0x7f || p[i] == '\\') {
            switch (p[i]) {
            case '\\': spamlr__dump_emit(o, "\\\\"); break;
            case '\t': spamlr__dump_emit(o, "\\t"); break;
            case '\n': spamlr__dump_emit(o, "\\n"); break;
            case '\r': spamlr__dump_emit(o, "\\r"); break;
            default: spamlr__dump_emit(o, "\\x%02x", p[i]); break;
            }
            i++;
        } else {
            if (spamlr__buf_append(&o->b, p + i, k))
                o->err = SPAMLR_ENOMEM;
            i += k;
        }
    }
}

/* ------------------------------------------------------------- reading */

/* The next line (without its newline and a trailing CR); 0 at the end. */
int spamlr__dump_line(reader *r, const char **s, size_t *n)
{
    const char *nl;

    if (r->p >= r->end)
        return 0;
    nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
    *s = r->p;
    *n = (size_t)((nl ? nl : r->end) - r->p);
    r->p = nl ? nl + 1 : r->end;
    if (*n && (*s)[*n - 1] == '\r')
        (*n)--;
    r->line++;
    return 1;
}

int spamlr__dump_err(reader *r, const char *what, const char *arg)
{
    return spamlr__diag(r->d, SPAMLR_EPARSE, NULL, r->line, -1, "%s%s%s%s", what,
                        arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
}

/* Copies v[0..n) into r->buf; -1 when it does not fit. */
int spamlr__dump_value(reader *r, const char *v, size_t n)
{
    if (n == 0 || n >= sizeof r->buf)
        return -1;
    memcpy(r->buf, v, n);
    r->buf[n] = '\0';
    return 0;
}

int spamlr__dump_f64(reader *r, const char *v, size_t n, double *x)
{
    char *e;

    if (spamlr__dump_value(r, v, n))
        return -1;
    errno = 0;
    *x = strtod(r->buf, &e);
    return *e || e == r->buf ? -1 : 0;
}

int spamlr__dump_f32(reader *r, const char *v, size_t n, float *x)
{
    char *e;

    if (spamlr__dump_value(r, v, n))
        return -1;
    *x = strtof(r->buf, &e);
    return *e || e == r->buf || !isfinite(*x) ? -1 : 0;
}

/* A signed decimal (a time in seconds). */
int spamlr__dump_i64(reader *r, const char *v, size_t n, int64_t *out)
{
    char *e;
    long long t;

    if (spamlr__dump_value(r, v, n))
        return 1;
    errno = 0;
    t = strtoll(r->buf, &e, 10);
    if (*e || e == r->buf || errno)
        return 1;
    *out = (int64_t)t;
    return 0;
}

int spamlr__dump_u64(reader *r, const char *v, size_t n, unsigned long long max,
                     unsigned long long *x)
{
    char *e;

    if (spamlr__dump_value(r, v, n) || r->buf[0] == '-' || r->buf[0] == '+')
        return -1;
    errno = 0;
    *x = strtoull(r->buf, &e, 10);
    return *e || e == r->buf || errno || *x > max ? -1 : 0;
}

int spamlr__dump_u32(reader *r, const char *v, size_t n, unsigned *x)
{
    unsigned long long u;

    if (spamlr__dump_u64(r, v, n, 0xffffffffULL, &u))
        return -1;
    *x = (unsigned)u;
    return 0;
}

static unsigned hexval(char c)
{
    if (c >= '0' && c <= '9')
        return (unsigned)(c - '0');
    if (c >= 'a' && c <= 'f')
        return (unsigned)(c - 'a' + 10);
    if (c >= 'A' && c <= 'F')
        return (unsigned)(c - 'A' + 10);
    return 16;
}

/* Unescapes a token into t (at least n + 1 bytes); its length in *tn. */
int spamlr__dump_unescape(reader *r, const char *s, size_t n, char *t, size_t *tn, int nul)
{
    size_t i, k = 0;

    for (i = 0; i < n; i++) {
        unsigned hi, lo;
        if (s[i] == '\0')
            return spamlr__dump_err(r, "a token cannot hold a NUL byte", NULL);
        if (s[i] != '\\') {
            t[k++] = s[i];
            continue;
        }
        if (++i == n)
            return spamlr__dump_err(r, "token ends with a lone backslash", NULL);
        switch (s[i]) {
        case '\\': t[k++] = '\\'; break;
        case 't': t[k++] = '\t'; break;
        case 'n': t[k++] = '\n'; break;
        case 'r': t[k++] = '\r'; break;
        case 'x':
            if (n - i < 3 || (hi = hexval(s[i + 1])) > 15 || (lo = hexval(s[i + 2])) > 15)
                return spamlr__dump_err(r, "bad \\x escape in a token (two hex digits needed)",
                                        NULL);
            if (!(hi | lo) && !nul)
                return spamlr__dump_err(r, "a token cannot hold a NUL byte (\\x00)", NULL);
            t[k++] = (char)(hi << 4 | lo);
            i += 2;
            break;
        default:
            return spamlr__dump_err(r, "unknown escape in a token (use \\\\ \\t \\n \\r \\xHH)",
                                    NULL);
        }
    }
    if (k > MAX_TOKEN)
        return spamlr__dump_err(r, "token longer than 4096 bytes", NULL);
    *tn = k;
    return SPAMLR_OK;
}
