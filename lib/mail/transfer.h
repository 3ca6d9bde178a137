/* transfer.h - base64 and quoted-printable decoding into a byte buffer. */
#ifndef SPAMLR_TRANSFER_H
#define SPAMLR_TRANSFER_H

#include "common/buf.h"

/* Appends the base64 decoding of s[0..n) to out, at most max bytes more.
 * Characters outside the alphabet are skipped; '=' ends a quantum (so
 * concatenated encodings decode too); a cut final quantum gives what it
 * holds. 0 or SPAMLR_ENOMEM. */
int spamlr__b64_decode(const char *s, size_t n, spamlr__buf *out, size_t max);

/* Appends the quoted-printable decoding of s[0..n) (at most max bytes).
 * `header`: RFC 2047 Q form, where '_' is a space. Broken escapes are
 * kept as they are. 0 or SPAMLR_ENOMEM. */
int spamlr__qp_decode(const char *s, size_t n, spamlr__buf *out, size_t max, int header);

#endif
