/* syntax.h - byte classes and comparisons that the files of lib/mail share (private). */
#ifndef SPAMLR_MAIL_SYNTAX_H
#define SPAMLR_MAIL_SYNTAX_H

#include <stddef.h>
#include <string.h>

static inline int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static inline int is_wsp(int c)
{
    return c == ' ' || c == '\t';
}

static inline int is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Case-insensitive: does s[0..n) equal the lower-case literal? */
static inline int ieq(const char *s, size_t n, const char *lit)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!lit[i] || lower((unsigned char)s[i]) != lit[i])
            return 0;
    return lit[n] == '\0';
}

static inline int iprefix(const char *s, size_t n, const char *lit)
{
    size_t m = strlen(lit);

    return n >= m && ieq(s, m, lit);
}

static inline void trim(const char **s, size_t *n)
{
    while (*n > 0 && is_space((unsigned char)**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && is_space((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

static inline int hexv(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = lower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Start of the line after the one at m[p]. */
static inline size_t line_after(const char *m, size_t n, size_t p)
{
    const char *nl = memchr(m + p, '\n', n - p);

    return nl ? (size_t)(nl - m) + 1 : n;
}

#endif
