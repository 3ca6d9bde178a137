/* utf8.h - UTF-8 decoding and validation, code-point classes and case
 * folding, for the tokenizer and anyone else who handles token text.
 *
 * Every function here is pure (no state, no allocation) and thread-safe. */
#ifndef SPAMLR_UTF8_H
#define SPAMLR_UTF8_H

#include "common/common.h"

/* What spamlr__utf8_decode() stores for an invalid sequence. It is not a
 * code point (> U+10FFFF), so it can never be mistaken for one. */
#define SPAMLR__UTF8_BAD 0xFFFFFFFFu

/* Code-point classes, as the tokenizer sees them. */
enum {
    SPAMLR__CP_OTHER = 0,    /* separator: space, punctuation, symbol, emoji */
    SPAMLR__CP_LETTER = 1,   /* part of a word (Latin, Greek, Cyrillic, ...) */
    SPAMLR__CP_DIGIT = 2,    /* decimal digit (ASCII or another script) */
    SPAMLR__CP_MARK = 3,     /* combining mark: continues a word, never
                                starts one */
    SPAMLR__CP_CJK = 4,      /* Han, Hiragana, Katakana, Hangul: one token
                                per character */
    SPAMLR__CP_CURRENCY = 5, /* $ € £ ¥: a token of its own */
    SPAMLR__CP_IGNORE = 6    /* invisible format character (soft hyphen,
                                zero-width space/joiners, BOM, variation
                                selectors): skipped as if absent */
};

/* Decodes the code point at s[0..n), n >= 1, with full validation: no
 * overlong forms, no surrogates, nothing above U+10FFFF, no truncated
 * sequence (reads at most n bytes). Returns the bytes consumed (1..4) and
 * stores the code point in *cp; for an invalid sequence it consumes 1 byte
 * and stores SPAMLR__UTF8_BAD. */
size_t spamlr__utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* Encodes cp (a valid scalar value) into out[0..4) and returns the number
 * of bytes written (1..4); returns 0 and writes nothing for a surrogate or
 * a value above U+10FFFF. */
size_t spamlr__utf8_encode(uint32_t cp, char *out);

/* 1 when s[0..n) is entirely valid UTF-8 (n == 0 is valid), else 0. */
int spamlr__utf8_valid(const char *s, size_t n);

/* The SPAMLR__CP_* class of a code point (SPAMLR__CP_OTHER for anything
 * unknown or not a code point). The letter ranges are a hand-made table
 * good enough for mail, not the full Unicode database. */
int spamlr__utf8_class(uint32_t cp);

/* Simple one-to-one lower-casing: ASCII, Latin-1, Latin Extended-A (and
 * the common Latin Extended-B pairs), Latin Extended Additional, Greek,
 * Cyrillic, Armenian, Georgian. Anything else is returned unchanged. */
uint32_t spamlr__utf8_lower(uint32_t cp);

/* What the tokenizer applies to every code point: compatibility folding to
 * ASCII (full-width forms U+FF01..FF5E, mathematical alphanumerics,
 * enclosed/squared Latin letters, decimal digits of other scripts), the
 * full-width currency signs to their normal forms, then
 * spamlr__utf8_lower(). Idempotent. */
uint32_t spamlr__utf8_fold(uint32_t cp);

#endif
