/* zpack.h - the zlib stream of a model's payload, made in two halves side
 * by side when it is large. */
#ifndef SPAMLR_MODEL_ZPACK_H
#define SPAMLR_MODEL_ZPACK_H

#include "common/common.h"

/* The most bytes spamlr__zpack writes for n bytes in. */
size_t spamlr__zpack_bound(size_t n);

/* Writes to out (room for spamlr__zpack_bound(n) bytes) one zlib stream
 * of in[0..n) at level 1 that uncompress() reads, and its length to
 * *len. A payload of SPAMLR__ZPACK_SPLIT bytes or more is cut in two
 * halves, deflated on two threads (the second primed with the 32 KiB
 * before it, and on the calling thread when no thread can be made): the
 * bytes depend on the payload alone, not on the threads. Returns 0 or
 * SPAMLR_ENOMEM. */
#define SPAMLR__ZPACK_SPLIT ((size_t)256 << 10)
int spamlr__zpack(const unsigned char *in, size_t n, unsigned char *out, size_t *len);

/* Inflating a payload while it is read: the zlib stream in[0..n) is
 * inflated into out (room for ulen + 1 bytes) on a thread of its own, in
 * steps of SPAMLR__ZUNPACK_STEP bytes, while the caller parses what has
 * come out (loading the SpamAssassin model: its 42,000 words interned
 * while the rest inflates). A payload under SPAMLR__ZUNPACK_THREAD bytes,
 * or one no thread can be made for, is inflated at once by start. in and
 * out must stay until end. (`make fuzz` sets both sizes tiny, so that
 * every payload the fuzzer makes is read while it inflates, step by
 * step.) */
#ifndef SPAMLR__ZUNPACK_STEP
#define SPAMLR__ZUNPACK_STEP ((size_t)64 << 10)
#endif
#ifndef SPAMLR__ZUNPACK_THREAD
#define SPAMLR__ZUNPACK_THREAD SPAMLR__ZPACK_SPLIT
#endif
typedef struct spamlr__zunpack spamlr__zunpack;

/* Returns 0 or SPAMLR_ENOMEM; *z is set either way (NULL on failure). */
int spamlr__zunpack_start(spamlr__zunpack **z, const unsigned char *in, size_t n,
                          unsigned char *out, size_t ulen);

/* Waits until out[0..upto) holds inflated bytes, and returns how many it
 * holds (upto or more); fewer than upto when the stream failed or ended
 * before (end tells which). */
size_t spamlr__zunpack_need(spamlr__zunpack *z, size_t upto);

/* Waits for the stream's end (a caller that gave up on the bytes waits
 * too: whether the stream itself failed decides its error) and frees z:
 * 0 when the stream inflated to exactly ulen bytes and its Adler-32
 * held, else SPAMLR_ECORRUPT (SPAMLR_ENOMEM when zlib had no memory). */
int spamlr__zunpack_end(spamlr__zunpack *z);

#endif
