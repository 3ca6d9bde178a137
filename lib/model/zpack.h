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

#endif
