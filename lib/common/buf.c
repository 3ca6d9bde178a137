/* buf.c - the growable byte buffer (buf.h). */
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"

void spamlr__buf_init(spamlr__buf *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
}

void spamlr__buf_free(spamlr__buf *b)
{
    if (!b)
        return;
    free(b->data);
    spamlr__buf_init(b);
}

int spamlr__buf_reserve(spamlr__buf *b, size_t extra)
{
    void *p = b->data;
    int r;

    if (extra > SIZE_MAX - 1 - b->len)
        return SPAMLR_ENOMEM;
    if (b->len + extra + 1 <= b->cap)
        return SPAMLR_OK;
    r = spamlr__grow(&p, &b->cap, b->len + extra + 1, 1);
    b->data = p;
    return r;
}

int spamlr__buf_append(spamlr__buf *b, const void *p, size_t n)
{
    if (n == 0)
        return SPAMLR_OK;
    if (spamlr__buf_reserve(b, n))
        return SPAMLR_ENOMEM;
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return SPAMLR_OK;
}

int spamlr__buf_putc(spamlr__buf *b, int c)
{
    char ch = (char)c;

    return spamlr__buf_append(b, &ch, 1);
}
