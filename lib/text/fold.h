/* fold.h - the NFKC fold (SPAMLR_FOLD_NFKC): Unicode NFKC_Casefold of the
 * non-ASCII stretches of a text (through libutf8proc), and the fold of
 * Cyrillic and Greek look-alikes of Latin letters inside Latin words.
 *
 * Every function here is pure (no state, no allocation) and thread-safe. */
#ifndef SPAMLR_FOLD_H
#define SPAMLR_FOLD_H

#include "common/common.h"

/* Code points a stretch holds before it is cut at the next safe place
 * (twice that: cut anyway), and the room its folded code points need. */
#define SPAMLR__FOLD_SPAN 32
#define SPAMLR__FOLD_CAP 256

/* s[0..n), n >= 1, begins with a byte >= 0x80. Returns the length in bytes
 * of the stretch that spamlr__fold_nfkc() should fold as one: it ends
 * before the first ASCII byte or invalid sequence, and once it holds
 * SPAMLR__FOLD_SPAN code points, before the next code point that nothing
 * before it can combine with (cut at 2 * SPAMLR__FOLD_SPAN regardless).
 * Returns 0 when s begins with an invalid sequence. */
size_t spamlr__fold_span(const unsigned char *s, size_t n);

/* The tokenizer's fast path: for a code point whose NFKC_Casefold is one
 * code point whatever precedes it, and that nothing this function also
 * accepts combines with, returns that code point; for anything else, 0
 * ("ask utf8proc"). It knows the letters of the CJK, kana, Hangul
 * syllable, lower-case Cyrillic, Greek and Latin-1, Hebrew and Arabic
 * blocks, common punctuation and emoji (all unchanged), the full-width
 * ASCII forms, the no-break and ideographic spaces, and the three code
 * points spamlr__fold_nfkc() takes first. */
uint32_t spamlr__fold_quick(uint32_t cp);

/* 1 when cp (a code point) may combine with the character before it
 * under NFKC (a combining mark, a conjoining Hangul vowel or final, or what
 * decomposes to one, as half-width katakana's voiced marks), else 0. An
 * ASCII letter just before such a code point must be folded with it:
 * "e" U+0301 is "é". */
int spamlr__fold_attaches(uint32_t cp);

/* Folds the valid UTF-8 s[0..n) to NFKC_Casefold (compatibility
 * decomposition, full case folding, default-ignorable code points removed,
 * canonical composition), the code points into out[0..SPAMLR__FOLD_CAP).
 * Three code points are taken first: "İ" is "i" (Turkic folding; Unicode's
 * default gives i + U+0307, which "istanbul" would not match), and "™",
 * "℠" are spaces, not the letters "tm", "sm" (so "eBay™" is "ebay").
 * Returns how many bytes of s were folded: all of them, or, when their
 * fold would not fit, a shorter prefix ending at a code point boundary
 * (never less than one code point); *nout receives the count. */
size_t spamlr__fold_nfkc(const unsigned char *s, size_t n, uint32_t *out,
                         size_t *nout);

/* The lower-case Latin letter a Cyrillic or Greek lower-case letter is
 * written to look like (U+0440 "р" -> 'p', U+03BF "ο" -> 'o'), or 0. */
uint32_t spamlr__fold_lookalike(uint32_t cp);

/* w[0..n) is a case-folded word in valid UTF-8. When it holds at least one
 * Latin letter and every other letter in it is a look-alike, rewrites the
 * look-alikes as Latin letters in place ("рaypal" -> "paypal") and returns
 * the new length (never more than n); otherwise leaves it and returns n. So
 * a word wholly in another script ("привет", and even "сосо", whose every
 * letter is a look-alike) is never touched. */
size_t spamlr__fold_lookalikes(char *w, size_t n);

#endif
