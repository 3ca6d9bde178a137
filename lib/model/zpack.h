/* zpack.h - the zlib stream of a model's payload, made in two halves side
 * by side when it is large, and read back at once. */
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

/* Inflates the zlib stream in[0..n) into out[0..ulen) at once, with
 * libdeflate (whole-buffer inflating, 2.2x zlib's inflate() on the
 * SpamAssassin model's 397 KB stream: 1.19 against 2.60 ms on the 2-core
 * VM). Returns 0 when the stream inflates to exactly ulen bytes and its
 * Adler-32 holds, SPAMLR_ECORRUPT when not, SPAMLR_ENOMEM. */
int spamlr__zunpack(const unsigned char *in, size_t n, unsigned char *out, size_t ulen);

#endif
