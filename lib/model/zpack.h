/* zpack.h - the zlib stream of a model's payload, made and read back at
 * once with libdeflate (zpack.c). */
#ifndef SPAMLR_MODEL_ZPACK_H
#define SPAMLR_MODEL_ZPACK_H

#include "common/common.h"

/* The most bytes spamlr__zpack writes for n bytes in. */
size_t spamlr__zpack_bound(size_t n);

/* Writes to out (room for spamlr__zpack_bound(n) bytes) one zlib stream
 * of in[0..n) at level 1, and its length to *len: the same bytes for the
 * same payload. Returns 0 or SPAMLR_ENOMEM. */
int spamlr__zpack(const unsigned char *in, size_t n, unsigned char *out, size_t *len);

/* Inflates the zlib stream in[0..n) into out[0..ulen) at once. Returns 0
 * when the stream inflates to exactly ulen bytes and its Adler-32 holds,
 * SPAMLR_ECORRUPT when not, SPAMLR_ENOMEM. */
int spamlr__zunpack(const unsigned char *in, size_t n, unsigned char *out, size_t ulen);

#endif
