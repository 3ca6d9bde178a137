/* zpack.c - the zlib stream of a model's payload, made in two halves side
 * by side when it is large, and read back at once (zpack.h).
 *
 * One zlib stream read by any inflater: the first half is deflated with
 * the zlib header and ends in a sync flush (an empty stored block, so that
 * it ends on a byte and is not final), the second is raw deflate primed
 * with the 32 KiB before it (so that it finds the matches a single stream
 * would) and ends the stream; then the Adler-32 of the whole payload,
 * combined from the two halves'. Deflating the SpamAssassin model's
 * 838 KB payload took 11 ms of a training run's serial tail on the 2-core
 * VM. */
#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <libdeflate.h>
#include <zlib.h>

#include "model/zpack.h"

#define WINDOW ((size_t)32768)
#define STEP ((size_t)1 << 30) /* at most this much in or out a call (uInt) */

typedef struct half {
    const unsigned char *in;
    size_t n;
    const unsigned char *dict;  /* the window before in (the second half) */
    size_t ndict;
    int last;                   /* the second half: raw deflate that ends the stream */
    unsigned char *out;
    size_t cap, len;
    uLong adler;                /* of in[0..n) */
    int ok;
} half;

static void *deflate_half(void *arg)
{
    half *h = arg;
    z_stream z;
    size_t in_left = h->n, out_left = h->cap;
    int flush, zr;

    memset(&z, 0, sizeof z);
    h->ok = 0;
    if (deflateInit2(&z, 1, Z_DEFLATED, h->last ? -15 : 15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    if (h->ndict && deflateSetDictionary(&z, h->dict, (uInt)h->ndict) != Z_OK)
        goto out;
    z.next_in = (Bytef *)(uintptr_t)h->in;
    z.next_out = h->out;
    for (;;) {
        if (!z.avail_in && in_left) {
            z.avail_in = (uInt)(in_left < STEP ? in_left : STEP);
            in_left -= z.avail_in;
        }
        if (!z.avail_out) {
            if (!out_left)
                goto out;
            z.avail_out = (uInt)(out_left < STEP ? out_left : STEP);
            out_left -= z.avail_out;
        }
        flush = in_left ? Z_NO_FLUSH : h->last ? Z_FINISH : Z_SYNC_FLUSH;
        zr = deflate(&z, flush);
        if (zr == Z_STREAM_ERROR || (zr == Z_BUF_ERROR && z.avail_out))
            goto out;   /* (no progress with room to write: never, but no spinning) */
        if (zr == Z_STREAM_END ||
            (flush == Z_SYNC_FLUSH && !z.avail_in && z.avail_out))
            break;
    }
    h->len = (size_t)(z.next_out - h->out);
    /* the zlib wrapper keeps the first half's Adler-32; raw deflate none */
    h->adler = h->last ? adler32_z(1L, h->in, h->n) : z.adler;
    h->ok = 1;
out:
    deflateEnd(&z);
    return NULL;
}

/* zlib's bound for a stream of n bytes, and the sync flush's stored block */
static size_t half_bound(size_t n)
{
    return compressBound((uLong)n) + 16;
}

size_t spamlr__zpack_bound(size_t n)
{
    return n < SPAMLR__ZPACK_SPLIT ? compressBound((uLong)n)
                                   : half_bound(n / 2) + half_bound(n - n / 2) + 4;
}

int spamlr__zpack(const unsigned char *in, size_t n, unsigned char *out, size_t *len)
{
    half a, b;
    pthread_t th;
    int started;
    uLong adler;
    uLongf zlen;

    if (n < SPAMLR__ZPACK_SPLIT) {
        zlen = (uLongf)compressBound((uLong)n);
        if (compress2(out, &zlen, n ? in : (const Bytef *)"", (uLong)n, 1) != Z_OK)
            return SPAMLR_ENOMEM;
        *len = zlen;
        return SPAMLR_OK;
    }
    memset(&a, 0, sizeof a);
    a.in = in;
    a.n = n / 2;
    a.out = out;
    a.cap = half_bound(a.n);
    b = a;
    b.in = in + a.n;
    b.n = n - a.n;
    b.dict = b.in - WINDOW;
    b.ndict = WINDOW;
    b.last = 1;
    b.cap = half_bound(b.n);
    b.out = out + a.cap; /* moved next to the first half's end below */
    started = pthread_create(&th, NULL, deflate_half, &b) == 0;
    deflate_half(&a);
    if (started)
        pthread_join(th, NULL);
    else
        deflate_half(&b);
    if (!a.ok || !b.ok)
        return SPAMLR_ENOMEM;
    memmove(out + a.len, b.out, b.len);
    adler = adler32_combine(a.adler, b.adler, (z_off_t)b.n);
    out[a.len + b.len] = (unsigned char)(adler >> 24);
    out[a.len + b.len + 1] = (unsigned char)(adler >> 16);
    out[a.len + b.len + 2] = (unsigned char)(adler >> 8);
    out[a.len + b.len + 3] = (unsigned char)adler;
    *len = a.len + b.len + 4;
    return SPAMLR_OK;
}

/* ---------------------------------------------------------- inflating */

int spamlr__zunpack(const unsigned char *in, size_t n, unsigned char *out, size_t ulen)
{
    struct libdeflate_decompressor *z = libdeflate_alloc_decompressor();
    size_t got = 0;
    enum libdeflate_result r;

    if (!z)
        return SPAMLR_ENOMEM;
    r = libdeflate_zlib_decompress(z, in, n, out, ulen, &got);
    libdeflate_free_decompressor(z);
    return r == LIBDEFLATE_SUCCESS && got == ulen ? SPAMLR_OK : SPAMLR_ECORRUPT;
}
