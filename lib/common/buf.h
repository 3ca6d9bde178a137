/* buf.h - the growable byte buffer that every text-producing stage appends
 * to (decoded mail text, HTML text, charset conversion, dumps). */
#ifndef SPAMLR_BUF_H
#define SPAMLR_BUF_H

#include "common/common.h"

/* A growable byte buffer owned by its user. After any successful append,
 * data[len] == '\0' (data may be NULL while len == 0). */
typedef struct spamlr__buf {
    char *data;
    size_t len, cap;
} spamlr__buf;

void spamlr__buf_init(spamlr__buf *b);
/* Frees the storage and re-initialises b. Accepts NULL. */
void spamlr__buf_free(spamlr__buf *b);
/* Makes room for `extra` more bytes (plus the NUL). 0 or SPAMLR_ENOMEM. */
int spamlr__buf_reserve(spamlr__buf *b, size_t extra);
/* Appends n bytes. 0 or SPAMLR_ENOMEM (then b is unchanged). */
int spamlr__buf_append(spamlr__buf *b, const void *p, size_t n);
int spamlr__buf_putc(spamlr__buf *b, int c);

#endif
