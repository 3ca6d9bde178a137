/* textout.h - appending decoded parts to the message text as clean UTF-8 lines, cut at a cap. */
#ifndef SPAMLR_TEXTOUT_H
#define SPAMLR_TEXTOUT_H

#include "common/buf.h"

/* Appends UTF-8 s[0..n) to t, CRLF and CR as LF, other controls (C0 but
 * tab and LF, DEL, C1) and invalid UTF-8 bytes as spaces, cut so that
 * t->len stays at most max (before a split character). 0 or
 * SPAMLR_ENOMEM. */
int spamlr__text_append(spamlr__buf *t, size_t max, const char *s, size_t n);

/* Starts a part's text: a "\n" after earlier text (while t->len < max).
 * *mark is for spamlr__text_part_end(). 0 or SPAMLR_ENOMEM. */
int spamlr__text_part_begin(spamlr__buf *t, size_t max, size_t *mark);

/* Takes the separator back when the part gave no text. */
void spamlr__text_part_end(spamlr__buf *t, size_t mark);

#endif
