/* mailhdr.c - where added header fields go in a mail, and tokens made fit
 * for a header line: shared by `spamlr filter` and `spamlr serve`. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common.h"

/* Whether the line at p (of n bytes left) starts like a header field:
 * "name:" with printable ASCII name characters, or an mbox "From " line. */
static int header_like(const char *p, size_t n)
{
    size_t i;

    if (n >= 5 && memcmp(p, "From ", 5) == 0)
        return 1;
    for (i = 0; i < n && p[i] > 32 && p[i] < 127 && p[i] != ':'; i++)
        ;
    return i > 0 && i < n && p[i] == ':';
}

size_t mail_insert_point(const char *msg, size_t len, int *pre_eol, int *post_blank)
{
    size_t i = 0;

    *pre_eol = *post_blank = 0;
    if (len == 0 || !header_like(msg, len)) {
        *post_blank = 1;
        return 0;
    }
    /* the first empty line: "\n\n" or "\n\r\n" */
    while (i < len) {
        const char *nl = memchr(msg + i, '\n', len - i);
        if (!nl)
            break;
        i = (size_t)(nl - msg) + 1;
        if (i < len && msg[i] == '\n')
            return i;
        if (i + 1 < len && msg[i] == '\r' && msg[i + 1] == '\n')
            return i;
    }
    /* no separator: the whole mail is header */
    *pre_eol = msg[len - 1] != '\n';
    return len;
}

void mail_put_header_block(FILE *f, const char *msg, size_t at, const char *prefix)
{
    size_t i = 0, start = 0, k = strlen(prefix);

    while (i < at) {
        const char *nl = memchr(msg + i, '\n', at - i);
        size_t end = nl ? (size_t)(nl - msg) + 1 : at;
        if (end - i > k && strncasecmp(msg + i, prefix, k) == 0 &&
            header_like(msg + i, end - i)) {
            fwrite(msg + start, 1, i + k - start, f);
            fputs("Prev-", f);
            start = i + k;
        }
        i = end;
    }
    fwrite(msg + start, 1, at - start, f);
}

const char *mail_eol(const char *msg, size_t len)
{
    const char *nl = len ? memchr(msg, '\n', len) : NULL;

    return nl && nl > msg && nl[-1] == '\r' ? "\r\n" : "\n";
}

size_t mail_token(char *dst, const char *tok, int comma)
{
    size_t i;

    for (i = 0; tok[i] && i < MAIL_TOKEN_MAX; i++) {
        unsigned char c = (unsigned char)tok[i];
        dst[i] = (char)(c < 0x21 || c == 0x7f || (comma && c == ',') ? '_' : c);
    }
    dst[i] = '\0';
    return i;
}
