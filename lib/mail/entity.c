/* entity.c - what an entity's Content-* fields say about its body, and
 * the delimiter lines of a multipart body (entity.h). */
#include <string.h>

#include "mail/entity.h"
#include "mail/header.h"
#include "mail/syntax.h"

static void set_filename(spamlr__entity *e, const char *v, size_t n, size_t from, int disp)
{
    int ext;
    long r;

    if (e->fnlen && (e->fn_from_disp || !disp))
        return;
    r = spamlr__hdr_param(v, n, from, disp ? "filename" : "name", e->filename,
                          sizeof e->filename, &ext);
    if (r > 0) {
        e->fnlen = (size_t)r;
        e->fn_ext = ext;
        e->fn_from_disp = disp;
    }
}

void spamlr__entity_content_type(spamlr__entity *e, const char *v, size_t n)
{
    size_t i;
    int ext;
    long r;

    e->have_ctype = 1;
    i = spamlr__hdr_media_type(v, n, e->type, sizeof e->type);
    r = spamlr__hdr_param(v, n, i, "charset", e->charset, sizeof e->charset, &ext);
    if (r < 0 || ext)
        e->charset[0] = '\0';
    r = spamlr__hdr_param(v, n, i, "boundary", e->boundary, sizeof e->boundary, &ext);
    e->blen = r > 0 && (size_t)r + 1 < sizeof e->boundary && !ext ? (size_t)r : 0;
    set_filename(e, v, n, i, 0);
}

void spamlr__entity_transfer_encoding(spamlr__entity *e, const char *v, size_t n)
{
    e->have_cte = 1;
    if (ieq(v, n, "base64"))
        e->cte = SPAMLR__CTE_BASE64;
    else if (ieq(v, n, "quoted-printable"))
        e->cte = SPAMLR__CTE_QP;
}

void spamlr__entity_disposition(spamlr__entity *e, const char *v, size_t n)
{
    size_t i;

    for (i = 0; i < n && v[i] != ';'; i++)
        ;
    set_filename(e, v, n, i, 1);
}

int spamlr__entity_sniff_boundary(spamlr__entity *e, const char *b, size_t n)
{
    size_t p = 0, lim = n < 8192 ? n : 8192, end, next, k;

    while (p + 2 < lim) {
        next = line_after(b, n, p);
        if (b[p] == '-' && b[p + 1] == '-' && next < n && n - next >= 8 &&
            ieq(b + next, 8, "content-")) {
            for (end = next; end > p + 2 && is_space((unsigned char)b[end - 1]); end--)
                ;
            k = end - (p + 2);
            if (k == 0 || k + 1 >= sizeof e->boundary)
                return 0;
            memcpy(e->boundary, b + p + 2, k);
            e->boundary[k] = '\0';
            e->blen = k;
            return 1;
        }
        p = next;
    }
    return 0;
}

const char *spamlr__find_delim(const char *p, const char *end, const char *bd, size_t bl,
                               int *close, const char **after)
{
    const char *q, *lf, *t;
    int cl;

    while (p < end) {
        if (*p == '-' && (size_t)(end - p) >= bl + 2 && p[1] == '-' && !memcmp(p + 2, bd, bl)) {
            q = p + 2 + bl;
            cl = end - q >= 2 && q[0] == '-' && q[1] == '-';
            lf = memchr(q, '\n', (size_t)(end - q));
            for (t = q; !cl && t < (lf ? lf : end) && is_space((unsigned char)*t); t++)
                ;
            if (cl || t == (lf ? lf : end)) {
                *close = cl;
                *after = lf ? lf + 1 : end;
                return p;
            }
        }
        lf = memchr(p, '\n', (size_t)(end - p));
        if (!lf)
            break;
        p = lf + 1;
    }
    return NULL;
}
