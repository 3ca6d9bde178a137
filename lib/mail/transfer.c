/* transfer.c - base64 and quoted-printable decoding into a byte buffer. */
#include "mail/syntax.h"
#include <string.h>

#include "mail/transfer.h"

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

int spamlr__b64_decode(const char *s, size_t n, spamlr__buf *out, size_t max)
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

int spamlr__qp_decode(const char *s, size_t n, spamlr__buf *out, size_t max, int header)
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
        if (!header && ch != '=') {
            /* a body's run up to the next '=' goes as it is */
            const char *eq = memchr(s + i, '=', n - i);
            size_t run = (eq ? (size_t)(eq - s) : n) - i;

            if (run > (size_t)(end - o))
                run = (size_t)(end - o);
            memcpy(o, s + i, run);
            o += run;
            i += run;
            continue;
        }
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
